/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench.h - the pieces of `flowgate bench` and what they share: options
 * (bench_opts.c), statistics (bench_stats.c), the plan of configurations
 * and their results (bench_run.c), which the report (bench_report.c) and
 * the micro-benchmarks (bench_micro.c) read.
 */
#ifndef FG_BENCH_H
#define FG_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "bench_dut.h"

struct fg_json;

#define FG_BENCH_MAX_REPS	51
#define FG_BENCH_MAX_LIST	8
#define FG_BENCH_MAX_SYSTEMS	16
#define FG_BENCH_MAX_CFGS	64

/* Suites, as bits of fg_bench_opts.suites. */
enum {
	FG_SUITE_RULES = 1 << 0,	/* deny at rule N of N, every system */
	FG_SUITE_FLOWS = 1 << 1,	/* flowgate, K concurrent known flows */
	FG_SUITE_NEWFLOW = 1 << 2,	/* flowgate, every frame a new flow */
	FG_SUITE_SYNFLOOD = 1 << 3,	/* established flows during a flood */
	FG_SUITE_MICRO = 1 << 4,	/* BPF_PROG_TEST_RUN ns/packet */
	FG_SUITE_FORWARD = 1 << 5,	/* allowed traffic through the router */
	FG_SUITE_STANDARD = 1 << 6,	/* a subset of all of the above */
	FG_SUITE_INSPECT = 1 << 7,	/* the AF_XDP inspector (issue 4) */
};

/* The option list of `flowgate bench` (its help, here and in cli.c). */
#define FG_BENCH_OPTIONS_HELP \
	"  --suite LIST          standard (default: a subset of all), rules, flows,\n" \
	"                        newflow, synflood, micro, forward, inspect,\n" \
	"                        or all\n" \
	"  --systems LIST        systems under test (default: every available one);\n" \
	"                        --list-systems shows them\n" \
	"  --rules LIST          rule counts N (rules suite: 10,1000,10000,100000)\n" \
	"  --flows LIST          concurrent flows (flows suite: 1,1000,100000,1000000)\n" \
	"  --reps N              repetitions, interleaved (default 5)\n" \
	"  --duration SEC        seconds of traffic per run (default 1)\n" \
	"  --load-timeout SEC    skip a system that needs longer to load N rules (60)\n" \
	"  --pkt-size N          frame bytes without FCS, 60..1500 (default 60:\n" \
	"                        64-byte Ethernet frames)\n" \
	"  -4, -6                IPv4 (default) or IPv6 traffic\n" \
	"  --tcp, --udp          TCP or UDP (default) traffic\n" \
	"  --new-pct N           share of frames that open a new flow, 0..100 (0)\n" \
	"  --cpu N               CPU of the generator (default: the last one)\n" \
	"  --repeat N            micro: runs per BPF_PROG_TEST_RUN (1000000)\n" \
	"  --newflow-repeat N    micro: new flows per run (100000)\n" \
	"  --latency-rates LIST  inspect: new flows per second of the\n" \
	"                        time-to-verdict runs (2000,10000)\n" \
	"  --http-body BYTES     inspect: HTTP response body (10000000)\n" \
	"  --inspect-cpu N|none  inspect: the worker's CPU, or not pinned\n" \
	"                        (default: a CPU not the generator's)\n" \
	"  --inspect-busy-poll   inspect: workers spin instead of sleeping\n" \
	"  --json FILE           write every figure as JSON\n" \
	"  --plot FILE           chart (gnuplot), FILE.png or FILE.svg\n" \
	"  --markdown FILE       write the report as a markdown section\n" \
	"  --note TEXT           free text recorded with the environment\n" \
	""

struct fg_bench_opts {
	unsigned int suites;
	int reps;
	double duration;		/* seconds of traffic per run */
	double load_timeout;		/* per system and rule count */
	int cpu;			/* generator (and softirq) CPU */
	int family;			/* 4 or 6 */
	__u8 proto;			/* IPPROTO_UDP / IPPROTO_TCP */
	int pkt_size;			/* frame bytes without FCS */
	int new_pct;			/* share of new flows, 0..100 */
	__u32 rules[FG_BENCH_MAX_LIST];	/* rule counts (rules suite) */
	int n_rules;
	__u32 flows[FG_BENCH_MAX_LIST];	/* concurrent flows (flows suite) */
	int n_flows;
	const char *systems[FG_BENCH_MAX_SYSTEMS];	/* NULL-terminated */
	int n_systems;			/* 0: every available one */
	__u32 repeat;			/* micro: runs per BPF_PROG_TEST_RUN */
	__u32 nf_repeat;		/* micro: new flows per run */
	__u32 lat_rates[FG_BENCH_MAX_LIST];	/* inspect: new flows/s */
	int n_lat_rates;
	__u32 http_body;		/* inspect: response body bytes */
	bool inspect_busy_poll;		/* inspect: workers never sleep */
	int inspect_cpu;		/* inspect: worker CPU, or: */
#define FG_BENCH_CPU_NONE	(-1)	/* not pinned */
#define FG_BENCH_CPU_AUTO	(-2)	/* (before parsing ends) */
	const char *json_path;
	const char *plot_path;
	const char *md_path;
	const char *note;
	bool list;			/* --list-systems */
	char sysbuf[256];		/* storage of systems[] */
};

/*
 * Parse `flowgate bench` arguments (argv[0] is the command name). Returns 0,
 * 1 after --help (usage printed to stdout), or -EINVAL with a message in
 * err. Defaults depend on the suites chosen (see bench_opts.c).
 */
int fg_bench_parse_opts(int argc, char **argv, struct fg_bench_opts *o,
			char *err, size_t errlen);
void fg_bench_usage(FILE *f);
const char *fg_bench_suite_names(unsigned int suites, char *buf, size_t len);

/* ---- statistics ---- */
struct fg_bench_stat {
	double med, min, max;
	int n;
};

/* Median, min and max of the finite values of v (NaN ignored); n = 0 and
 * NaNs if there are none. */
struct fg_bench_stat fg_bench_stat(const double *v, int n);
/* a / b per round, NaN where either is missing or b is not positive. */
void fg_bench_ratio(const double *a, const double *b, int n, double *out);

/* ---- traffic profile and configurations ---- */
struct fg_bench_profile {
	int family;		/* 4 or 6 */
	__u8 proto;		/* IPPROTO_UDP / IPPROTO_TCP */
	__u32 known;		/* known flows the generator rotates over */
	int new_pct;		/* share of frames that are new flows */
	bool syn;		/* TCP: new-flow frames SYN, known ones ACK */
};

enum fg_bench_kind {
	FG_BK_DENY,		/* DUT drops everything: rate at the DUT */
	FG_BK_FORWARD,		/* DUT passes, router forwards to the sink */
	FG_BK_NEWFLOW,		/* FORWARD, rated by flows installed/s */
};

struct fg_bench_run {
	double secs;		/* kernel-timed generator loop */
	__u64 sent, sent_known;
	__u64 rx;		/* seen by the DUT interface's XDP hook */
	__u64 dropped;		/* what the DUT says it dropped */
	__u64 passed;		/* delivered to the sink */
	__u64 passed_known;	/* ... of known (established) flows */
	__u64 flows_new;	/* flowgate: flows classified and installed */
};

struct fg_bench_cfg {
	char key[64];		/* stable id in JSON */
	char label[96];		/* table row */
	const char *suite;	/* "rules", "flows", ... */
	const struct fg_bench_dut_ops *ops;
	__u32 rules;
	enum fg_bench_kind kind;
	struct fg_bench_profile prof;
	__u32 flow_entries;	/* flowgate's table; 0: default */
	/* Set up? skipped with a reason otherwise. */
	bool skipped;
	char why[160];
	double load_s;
	char detail[160];
	/* Results, one per round. */
	struct fg_bench_run run[FG_BENCH_MAX_REPS];
	double rate[FG_BENCH_MAX_REPS];		/* Mpps: DUT rx or sink */
	double ratio[FG_BENCH_MAX_REPS];	/* to bare XDP drop, same round */
	double vs_none[FG_BENCH_MAX_REPS];	/* forward: to no firewall */
	double known_share[FG_BENCH_MAX_REPS];	/* synflood: delivered share */
	double flows_rate[FG_BENCH_MAX_REPS];	/* M flows installed / s */
	int n;
	int base;		/* index of its bare-XDP-drop baseline, -1 */
	int none;		/* forward: index of the no-firewall row, -1 */
};

/* Micro-benchmark rows (bench_micro.c). */
struct fg_bench_micro {
	char key[48];
	char name[96];
	double ns[FG_BENCH_MAX_REPS];	/* ns/packet, driver removed */
	double over[FG_BENCH_MAX_REPS];	/* minus bare drop, same round */
	int n;
	bool base;		/* the bare row (no "above bare") */
};

/* The inspector suite (bench_insp.c): one row per measured path. */
struct fg_bench_insp_tput {	/* throughput through one worker */
	char key[32];
	char label[96];
	double mpps[FG_BENCH_MAX_REPS];		/* at the sink */
	double gbps[FG_BENCH_MAX_REPS];		/* frame bytes, no FCS */
	double ratio[FG_BENCH_MAX_REPS];	/* to the bare loop */
	__u64 sent[FG_BENCH_MAX_REPS];		/* by the generator */
	__u64 xdp_seen[FG_BENCH_MAX_REPS];	/* by din's XDP program */
	__u64 insp_rx[FG_BENCH_MAX_REPS];	/* worker: from the XSK */
	__u64 insp_tx[FG_BENCH_MAX_REPS];	/* worker: re-injected */
	__u64 xsk_drop[FG_BENCH_MAX_REPS];	/* kernel: XSK ring full */
	__u64 passed[FG_BENCH_MAX_REPS];	/* counted at the sink */
	double secs[FG_BENCH_MAX_REPS];		/* wall time */
	int n;
};

struct fg_bench_insp_lat {	/* percentiles at one send rate */
	char key[40];
	char label[96];
	__u32 rate;			/* new flows per second */
	double p50[FG_BENCH_MAX_REPS], p99[FG_BENCH_MAX_REPS];	/* us */
	__u64 sent[FG_BENCH_MAX_REPS], samples[FG_BENCH_MAX_REPS];
	int n;
};

struct fg_bench_insp_http {	/* HTTP download */
	char key[32];
	char label[96];
	double gbps[FG_BENCH_MAX_REPS];		/* response bodies */
	double req_s[FG_BENCH_MAX_REPS];
	double ratio[FG_BENCH_MAX_REPS];	/* to no firewall */
	double kpkts[FG_BENCH_MAX_REPS];	/* shares decided in */
	double kbytes[FG_BENCH_MAX_REPS];	/* the kernel */
	__u64 requests[FG_BENCH_MAX_REPS], errors[FG_BENCH_MAX_REPS];
	__u64 pkts[FG_BENCH_MAX_REPS], redirected[FG_BENCH_MAX_REPS];
	int n;
	bool fw;			/* flowgate (kernel shares valid) */
};

#define FG_BENCH_INSP_LAT	(2 * FG_BENCH_MAX_LIST)
#define FG_BENCH_INSP_HTTP	3

struct fg_bench_insp {
	bool ran;
	char detail[160];		/* worker pinning, body size, ... */
	struct fg_bench_insp_tput tput[2];	/* flowgate, bare loop */
	int n_tput;
	struct fg_bench_insp_lat lat[FG_BENCH_INSP_LAT];
	int n_lat;
	/* flowgate (inspecting), no firewall, flowgate without inspection */
	struct fg_bench_insp_http http[FG_BENCH_INSP_HTTP];
	int n_http;
};

struct fg_bench_goal {
	int issue;		/* 3: fast path, 4: inspector */
	char name[128];
	double value, limit;
	const char *unit;	/* "%", "x" */
	bool higher_ok;		/* value >= limit meets it */
	bool met, measured;
	char why[96];		/* not measured: why */
};

struct fg_bench_env {
	char kernel[128];
	char cpu_model[128];
	long nproc;
	char clang[128];
	char libbpf[32];
	char date[32];
	char loadavg_before[48], loadavg_after[48];
	char command[512];
};

struct fg_bench_result {
	const struct fg_bench_opts *o;
	struct fg_bench_env env;
	int frame_len;
	struct fg_bench_cfg cfg[FG_BENCH_MAX_CFGS];
	int n_cfg;
	struct fg_bench_micro micro[16];
	int n_micro;
	struct fg_bench_insp insp;
	struct fg_bench_goal goals[24];
	int n_goals;
	double seconds;
};

/* bench_run.c */
int fg_bench_plan(struct fg_bench_result *res, const struct fg_bench_opts *o);
int fg_bench_execute(struct fg_bench_result *res);
const struct fg_bench_dut_ops *fg_bench_system(const char *name);
const struct fg_bench_dut_ops *const *fg_bench_systems(int *n);

/* bench_micro.c: fills res->micro. */
int fg_bench_micro_run(struct fg_bench_result *res);

/* bench_insp.c: fills res->insp. */
int fg_bench_insp_run(struct fg_bench_result *res);
/* bench_insp_report.c: its goals, table section and JSON object. */
void fg_bench_insp_goals(struct fg_bench_result *res);
void fg_bench_insp_report(const struct fg_bench_result *res, FILE *f, bool md);
void fg_bench_insp_json(const struct fg_bench_result *res, struct fg_json *j);

/* bench_report.c */
void fg_bench_env_collect(struct fg_bench_env *e);
/* A goal of the given issue, then its measured value (NaN: not measured,
 * g->why says why). */
struct fg_bench_goal *fg_bench_goal_add(struct fg_bench_result *res,
					int issue, const char *name,
					double limit, const char *unit,
					bool higher_ok);
void fg_bench_goal_settle(struct fg_bench_goal *g, double v);
/* "median [min-max]" of v (scaled, dec decimals), "-" if none. */
const char *fg_bench_fmt(char *buf, size_t len, const double *v, int n,
			 int dec, double scale);
/* key: {median, min, max, runs: [...]} */
void fg_bench_jstat(struct fg_json *j, const char *key, const double *v,
		    int n, int dec);
void fg_bench_goals(struct fg_bench_result *res);
void fg_bench_report(const struct fg_bench_result *res, FILE *f, bool md);
int fg_bench_write_json(const struct fg_bench_result *res, FILE *f);
int fg_bench_plot(const struct fg_bench_result *res, const char *path);

/* Set by the command's signal handler: stop at the next safe point. */
extern volatile int fg_bench_stop;

#endif /* FG_BENCH_H */
