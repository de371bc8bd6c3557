// SPDX-License-Identifier: GPL-2.0-only
/*
 * fg_bench.c - flowgate's first benchmark (`make bench`, run as root).
 *
 * Two measurements in one run, every configuration repeated --reps times and
 * interleaved (A B C A B C ...), reported as median [min..max]:
 *
 * 1. BPF_PROG_TEST_RUN ns/packet (the kernel's own per-run average):
 *    the bare XDP drop program; flowgate on a known flow (allowed, denied);
 *    flowgate on new flows with N rules. For new flows a driver program
 *    (fg_bench_newflow.bpf.c) gives every repetition a distinct initiator
 *    and tail-calls flowgate; its own cost is measured by pointing it at the
 *    bare program and subtracted. The flow table is emptied before each
 *    new-flow run so it never fills up.
 *
 * 2. Packets per second through a veth pair: the in-kernel generator
 *    (fg_bench_gen.bpf.c, BPF_F_TEST_XDP_LIVE_FRAMES, XDP_TX out of veth A,
 *    pinned to one CPU for a fixed time) against the device under test
 *    attached natively to veth B: the bare drop program or flowgate denying
 *    at rule N of N. What the generator sent and what the DUT counted are
 *    both reported, so a lossy run shows.
 *
 * Policies (generated): N - 1 filler rules, each with a distinct /32
 * initiator in 198.18.0.0/15 (RFC 2544's benchmark range) and udp/9, then
 * the rule under test, "last": from 172.16.0.0/12, udp/9. Test traffic comes
 * from 172.16.0.0/12 to udp/9, so only the last rule matches. "allow-last"
 * policies (fillers deny, default deny) serve allowed flows; "deny-last"
 * ones (fillers allow, default allow) serve denied flows: a classifier that
 * picked the wrong rule would show up as the wrong verdict.
 *
 * Everything runs in a private network namespace (unshare): the veth pair
 * lives there and disappears with the process, even after kill -9.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/utsname.h>
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "flowgate.h"
#include "datapath.h"
#include "harness.h"
#include "json.h"
#include "pkt.h"

#include "fg_bench_bare.skel.h"
#include "fg_bench_gen.skel.h"
#include "fg_bench_newflow.skel.h"

#define MAX_REPS	51
#define MAX_NS		8	/* rule counts per list */
#define MAX_PROFILES	4	/* generator traffic profiles */
#define FLOW_BASE	0xac100000u	/* 172.16.0.0: the last rule's /12 */
#define FILLER_BASE	0xc6120000u	/* 198.18.0.0/15: 131072 fillers */
#define TEST_SRC	"172.16.0.1"
#define TEST_DST	"10.0.0.2"
#define TEST_SPORT	1234	/* outside the drivers' 32768.. range */
#define TEST_DPORT	9
#define KNOWN_SLACK_NS	50.0	/* "a few tens of ns" */
#define NEWFLOW_FLAT	2.0

/* ------------------------------------------------------------------------ */
/* Options                                                                  */
/* ------------------------------------------------------------------------ */

struct opts {
	int reps;
	__u32 repeat;		/* known flows and bare */
	__u32 nf_repeat;	/* new flows per run */
	__u32 micro_rules[MAX_NS];
	int n_micro_rules;
	__u32 pps_rules[MAX_NS];
	int n_pps_rules;
	__u32 profiles[MAX_PROFILES];	/* generator flows: 1, K, 0 = new */
	int n_profiles;
	double duration;	/* seconds per pps run */
	int cpu;
	int pkt_size;		/* frame bytes without FCS */
	__u32 flow_entries;
	bool micro, pps;
	bool flowgate;		/* --systems has flowgate (bare is always on) */
	bool prog_stats;	/* kernel.bpf_stats: DUT ns/packet in pps runs */
	const char *json_path;
	const char *md_path;
	const char *note;
	const char *cmdline;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: fg_bench [options]   (root)\n"
"  --reps N              repetitions of every configuration (default 5)\n"
"  --repeat N            BPF_PROG_TEST_RUN repeat for bare/known flows (1000000)\n"
"  --newflow-repeat N    new flows per new-flow run (100000)\n"
"  --rules LIST          rule counts for new-flow ns/packet (10,1000,100000)\n"
"  --pps-rules LIST      rule counts for the veth pps runs (10,10000)\n"
"  --pps-flows LIST      generator traffic profiles: 1 = one flow, K = rotate\n"
"                        over K flows, 0 = every frame a new flow (1,0)\n"
"  --duration SEC        seconds per pps run (2)\n"
"  --cpu N               CPU to run on (default: the last online CPU)\n"
"  --pkt-size N          frame size without FCS, 60..1500 (60)\n"
"  --flow-entries N      flowgate flow table size (262144)\n"
"  --systems LIST        devices under test: bare,flowgate (both); the bare\n"
"                        program always runs: it is every ratio's baseline\n"
"  --skip-micro, --skip-pps\n"
"  --bpf-stats           enable BPF run-time stats during the run and report\n"
"                        the DUT program's own ns/packet in the pps runs\n"
"                        (costs every program two clock reads per run)\n"
"  --json FILE           write results as JSON (build/bench/results.json)\n"
"  --markdown FILE       write the results as a markdown section\n"
"  --note TEXT           free text recorded with the environment (e.g. commit)\n");
}

static int parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

static int parse_list(const char *s, __u32 min, __u32 max, __u32 *out,
		      int cap, int *n)
{
	char buf[256], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n >= cap || parse_u32(tok, min, max, &out[*n]))
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_systems(const char *s, struct opts *o)
{
	char buf[128], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	o->flowgate = false;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "flowgate"))
			o->flowgate = true;
		else if (strcmp(tok, "bare"))
			return -EINVAL;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_REPS = 256, O_REPEAT, O_NFREPEAT, O_RULES, O_PPSRULES,
	       O_PPSFLOWS, O_DURATION, O_CPU, O_PKTSIZE, O_FLOWS,
	       O_SKIPMICRO, O_SKIPPPS, O_JSON, O_MD, O_NOTE, O_SYSTEMS,
	       O_STATS, O_HELP };
	static const struct option lo[] = {
		{ "reps", required_argument, NULL, O_REPS },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "newflow-repeat", required_argument, NULL, O_NFREPEAT },
		{ "rules", required_argument, NULL, O_RULES },
		{ "pps-rules", required_argument, NULL, O_PPSRULES },
		{ "pps-flows", required_argument, NULL, O_PPSFLOWS },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "pkt-size", required_argument, NULL, O_PKTSIZE },
		{ "flow-entries", required_argument, NULL, O_FLOWS },
		{ "skip-micro", no_argument, NULL, O_SKIPMICRO },
		{ "skip-pps", no_argument, NULL, O_SKIPPPS },
		{ "json", required_argument, NULL, O_JSON },
		{ "markdown", required_argument, NULL, O_MD },
		{ "note", required_argument, NULL, O_NOTE },
		{ "systems", required_argument, NULL, O_SYSTEMS },
		{ "bpf-stats", no_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 }
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	__u32 v;
	char *end;
	int c;

	*o = (struct opts){
		.reps = 5, .repeat = 1000000, .nf_repeat = 100000,
		.micro_rules = { 10, 1000, 100000 }, .n_micro_rules = 3,
		.pps_rules = { 10, 10000 }, .n_pps_rules = 2,
		.profiles = { 1, 0 }, .n_profiles = 2,
		.duration = 2.0,
		.cpu = ncpu > 0 ? (int)ncpu - 1 : 0, .pkt_size = 60,
		.flow_entries = FG_FLOWS_DEFAULT, .micro = true, .pps = true,
		.flowgate = true,
		.json_path = "build/bench/results.json",
	};
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		int err = 0;

		switch (c) {
		case O_REPS:
			err = parse_u32(optarg, 1, MAX_REPS, &v);
			o->reps = (int)v;
			break;
		case O_REPEAT:
			err = parse_u32(optarg, 1, 100000000, &o->repeat);
			break;
		case O_NFREPEAT:
			err = parse_u32(optarg, 1, 10000000, &o->nf_repeat);
			break;
		case O_RULES:
			err = parse_list(optarg, 1, 131073,
					 o->micro_rules, MAX_NS,
					 &o->n_micro_rules);
			break;
		case O_PPSRULES:
			err = parse_list(optarg, 1, 131073, o->pps_rules,
					 MAX_NS, &o->n_pps_rules);
			break;
		case O_PPSFLOWS:
			err = parse_list(optarg, 0, 1u << 30, o->profiles,
					 MAX_PROFILES, &o->n_profiles);
			break;
		case O_DURATION:
			o->duration = strtod(optarg, &end);
			if (*end || !(o->duration >= 0.1 && o->duration <= 600))
				err = -EINVAL;
			break;
		case O_CPU:
			err = parse_u32(optarg, 0, (__u32)(ncpu - 1), &v);
			o->cpu = (int)v;
			break;
		case O_PKTSIZE:
			err = parse_u32(optarg, 60, 1500, &v);
			o->pkt_size = (int)v;
			break;
		case O_FLOWS:
			err = parse_u32(optarg, 1024, 1u << 26,
					&o->flow_entries);
			break;
		case O_SKIPMICRO: o->micro = false; break;
		case O_SKIPPPS: o->pps = false; break;
		case O_STATS: o->prog_stats = true; break;
		case O_JSON: o->json_path = *optarg ? optarg : NULL; break;
		case O_MD: o->md_path = optarg; break;
		case O_NOTE: o->note = optarg; break;
		case O_SYSTEMS:
			err = parse_systems(optarg, o);
			break;
		case 'h':
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
		if (err) {
			fprintf(stderr, "fg_bench: bad value for --%s: '%s'\n",
				lo[c - O_REPS].name, optarg);
			return -EINVAL;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "fg_bench: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (o->nf_repeat > o->flow_entries / 2) {
		fprintf(stderr, "fg_bench: --newflow-repeat %u would fill more "
			"than half of the %u-entry flow table\n",
			o->nf_repeat, o->flow_entries);
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static void read_line(const char *path, char *out, size_t len);

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct stat3 {
	double med, min, max;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stat3 stat3(const double *v, int n)
{
	double s[MAX_REPS];
	struct stat3 r = { NAN, NAN, NAN };

	if (n <= 0)
		return r;
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[n - 1];
	r.med = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	return r;
}

static __u64 percpu_sum(int map_fd)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *v, sum = 0;
	__u32 zero = 0;
	int i;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(map_fd, &zero, v))
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

static __u64 verdict_total(const struct fg_counters *c)
{
	__u64 s = 0;
	int i;

	for (i = 0; i < FG_VERDICT_MAX; i++)
		s += c->verdict[i];
	return s;
}

static const char *xdp_action_name(int rv)
{
	switch (rv) {
	case XDP_ABORTED: return "XDP_ABORTED";
	case XDP_DROP: return "XDP_DROP";
	case XDP_PASS: return "XDP_PASS";
	case XDP_TX: return "XDP_TX";
	case XDP_REDIRECT: return "XDP_REDIRECT";
	default: return "?";
	}
}

/* ------------------------------------------------------------------------ */
/* Policies and flowgate instances                                          */
/* ------------------------------------------------------------------------ */

/* N rules, the last one matching the test traffic (see top of file). */
static char *policy_yaml(__u32 n, bool last_allows)
{
	const char *filler = last_allows ? "deny" : "allow";
	const char *last = last_allows ? "allow" : "deny";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	__u32 i;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "version: 1\ndefault: %s\nrules:\n", filler);
	for (i = 0; i + 1 < n; i++) {
		__u32 a = FILLER_BASE + i;

		fprintf(f, "  - {name: f%u, from: %u.%u.%u.%u, proto: udp, "
			"ports: [%u], action: %s}\n", i, a >> 24,
			(a >> 16) & 255, (a >> 8) & 255, a & 255, TEST_DPORT,
			filler);
	}
	fprintf(f, "  - {name: last, from: %u.%u.%u.%u/12, proto: udp, "
		"ports: [%u], action: %s}\n", FLOW_BASE >> 24,
		(FLOW_BASE >> 16) & 255, (FLOW_BASE >> 8) & 255,
		FLOW_BASE & 255, TEST_DPORT, last);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct fg_inst {
	__u32 rules;
	bool last_allows;
	struct fg_h *h;
	int prog_fd;
	double load_s;		/* parse + compile + install */
};

static int inst_open(struct fg_inst *in, __u32 rules, bool last_allows,
		     const struct opts *o)
{
	struct fg_dp_opts dpo = {
		.max_rules = rules + 64,
		.flow_entries = o->flow_entries,
	};
	char *yaml = policy_yaml(rules, last_allows);
	double t0 = now_s();

	if (!yaml)
		return -ENOMEM;
	in->rules = rules;
	in->last_allows = last_allows;
	in->h = fg_h_open_opts(yaml, &dpo);
	free(yaml);
	if (!in->h) {
		int err = -errno;

		fprintf(stderr, "fg_bench: flowgate with %u rules: %s\n",
			rules, fg_h_last_error());
		return err ? err : -EINVAL;
	}
	in->load_s = now_s() - t0;
	in->prog_fd = in->h->prog_fd[FG_H_XDP];
	return 0;
}

/* Empty the flow table so a new-flow run never meets a full table. */
static int inst_flush_flows(struct fg_inst *in)
{
	long n;

	n = fg_dp_flows_gc(&in->h->dp, fg_h_now_ns() + (1ULL << 62));
	if (n < 0)
		return (int)n;
	n = fg_dp_flows_count(&in->h->dp);
	if (n < 0)
		return (int)n;
	return n ? -ENOTEMPTY : 0;
}

/* ------------------------------------------------------------------------ */
/* The private network namespace and its veth pair (rtnetlink, libmnl)      */
/* ------------------------------------------------------------------------ */

struct topo {
	char a[IF_NAMESIZE], b[IF_NAMESIZE];
	__u32 ifa, ifb;
	bool created;
	__u32 attached_fd_on_b;	/* non-zero while something is attached */
};

static int nl_request(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq = (unsigned int)time(NULL);
	ssize_t n;
	int err = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out_close;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		err = -errno;
		goto out_close;
	}
	/* An NLMSG_ERROR with a non-zero code makes mnl_cb_run fail with
	 * errno set to that code. */
	if (mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0)
		err = -errno;
out_close:
	mnl_socket_close(nl);
	return err;
}

static int nl_veth_add(const char *a, const char *b)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* VETH_INFO_PEER carries an ifinfomsg, then the peer's attributes. */
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nlh);
}

static int nl_link_set(__u32 ifindex, int type, bool up)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = (__u16)type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = (int)ifindex;
	if (type == RTM_NEWLINK) {
		ifm->ifi_change = IFF_UP;
		ifm->ifi_flags = up ? IFF_UP : 0;
	}
	return nl_request(nlh);
}

/* /proc/sys/net shows the network namespace of the process opening it. */
static int ipv6_disable(const char *ifname)
{
	char path[128];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	f = fopen(path, "w");
	if (!f)
		return errno == ENOENT ? 0 : -errno;	/* no IPv6 at all */
	if (fputs("1\n", f) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/*
 * Move this process into a fresh network namespace and build the pair there.
 * Nothing of it can outlive the process: the kernel destroys the namespace
 * (and the veths in it) when the last process in it exits.
 */
static int topo_setup(struct topo *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	if (unshare(CLONE_NEWNET)) {
		err = -errno;
		fprintf(stderr, "fg_bench: unshare(CLONE_NEWNET): %s\n",
			strerror(errno));
		return err;
	}
	/* Unique anyway, for whoever looks at the process with nsenter. */
	snprintf(t->a, sizeof(t->a), "fgb%da", (int)getpid() % 1000000);
	snprintf(t->b, sizeof(t->b), "fgb%db", (int)getpid() % 1000000);
	err = nl_veth_add(t->a, t->b);
	if (err) {
		fprintf(stderr, "fg_bench: creating veth %s/%s: %s\n", t->a,
			t->b, strerror(-err));
		return err;
	}
	t->created = true;
	t->ifa = if_nametoindex(t->a);
	t->ifb = if_nametoindex(t->b);
	if (!t->ifa || !t->ifb)
		return -ENODEV;
	/* No IPv6 on the pair: router solicitations and MLD reports from
	 * veth A would reach the DUT and blur its counts. */
	err = ipv6_disable(t->a);
	if (!err)
		err = ipv6_disable(t->b);
	if (err) {
		fprintf(stderr, "fg_bench: disabling IPv6 on %s/%s: %s\n",
			t->a, t->b, strerror(-err));
		return err;
	}
	err = nl_link_set(t->ifb, RTM_NEWLINK, true);
	if (!err)
		err = nl_link_set(t->ifa, RTM_NEWLINK, true);
	if (err)
		fprintf(stderr, "fg_bench: setting %s/%s up: %s\n", t->a, t->b,
			strerror(-err));
	return err;
}

static int topo_attach(struct topo *t, int prog_fd)
{
	int err = bpf_xdp_attach((int)t->ifb, prog_fd, XDP_FLAGS_DRV_MODE,
				 NULL);

	if (err) {
		fprintf(stderr, "fg_bench: native XDP attach on %s: %s\n",
			t->b, strerror(-err));
		return err;
	}
	t->attached_fd_on_b = (__u32)prog_fd;
	return 0;
}

static void topo_teardown(struct topo *t)
{
	if (t->attached_fd_on_b)
		bpf_xdp_detach((int)t->ifb, XDP_FLAGS_DRV_MODE, NULL);
	t->attached_fd_on_b = 0;
	/* Deleting one end deletes the pair. */
	if (t->created && t->ifa)
		nl_link_set(t->ifa, RTM_DELLINK, false);
	t->created = false;
}

/* ------------------------------------------------------------------------ */
/* Micro-benchmarks (BPF_PROG_TEST_RUN)                                     */
/* ------------------------------------------------------------------------ */

enum micro_kind {
	M_DIRECT,	/* run the program on the template frame */
	M_NEWFLOW,	/* driver -> program, every run a new flow */
};

struct micro {
	char key[48];
	char name[96];
	enum micro_kind kind;
	const char *role;	/* "bare", "probe", "driver", "known", "new" */
	__u32 rules;		/* 0 = not flowgate */
	int prog_fd;		/* program under test */
	struct fg_inst *inst;	/* flowgate instance, for new-flow resets */
	int expect_rv;
	bool warm;		/* one untimed run first (creates the flow) */
	double ns[MAX_REPS];	/* raw kernel ns/run */
	double adj[MAX_REPS];	/* new flows: driver removed */
	double over[MAX_REPS];	/* minus bare, same round */
	int n;
};

struct bench {
	struct opts o;
	__u8 frame[PKT_MAX];
	int frame_len;
	struct fg_bench_bare_bpf *bare;
	struct fg_bench_bare_bpf *bare_clk[2];	/* + a clock read */
	struct fg_bench_newflow_bpf *drv;
	struct fg_bench_gen_bpf *gen[MAX_PROFILES];
	struct fg_inst inst[2 * MAX_NS];
	int n_inst;
	struct micro micro[8 + MAX_NS];	/* fixed rows + new-flow rows */
	int n_micro;
	struct topo topo;
	int bare_fd, bare_clk_fd[2], drv_fd, jmp_fd;
	char loadavg_before[64], loadavg_after[64];
	int softirqd_pid;
	double t_start, t_setup_done, t_end;
};

static int test_run(int prog_fd, const void *pkt, int len, __u32 repeat,
		    __u32 *ns, int *rv)
{
	/* Each run works on its own copy: the driver rewrites the frame. */
	__u8 buf[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, t,
		.data_in = buf,
		.data_size_in = (__u32)len,
		.repeat = repeat,
	);
	int err;

	memcpy(buf, pkt, (size_t)len);
	err = bpf_prog_test_run_opts(prog_fd, &t);
	if (err)
		return err < 0 ? err : -EIO;
	if (ns)
		*ns = t.duration;
	*rv = (int)t.retval;
	return 0;
}

static struct micro *micro_add(struct bench *b, const char *key,
			       const char *name, const char *role,
			       enum micro_kind kind, int prog_fd,
			       struct fg_inst *inst, int expect_rv, bool warm)
{
	struct micro *m = &b->micro[b->n_micro++];

	memset(m, 0, sizeof(*m));
	snprintf(m->key, sizeof(m->key), "%s", key);
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->role = role;
	m->kind = kind;
	m->prog_fd = prog_fd;
	m->inst = inst;
	m->rules = inst ? inst->rules : 0;
	m->expect_rv = expect_rv;
	m->warm = warm;
	return m;
}

static int micro_run_one(struct bench *b, struct micro *m)
{
	__u32 zero = 0, ns;
	int fd = m->prog_fd, rv, err;
	__u32 repeat = b->o.repeat;

	if (m->kind == M_NEWFLOW) {
		if (m->inst) {
			err = inst_flush_flows(m->inst);
			if (err) {
				fprintf(stderr, "fg_bench: %s: emptying the "
					"flow table: %s\n", m->name,
					strerror(-err));
				return err;
			}
		}
		err = bpf_map_update_elem(b->jmp_fd, &zero, &m->prog_fd,
					  BPF_ANY);
		if (err) {
			fprintf(stderr, "fg_bench: %s: tail-call slot: %s\n",
				m->name, strerror(-err));
			return err;
		}
		fd = b->drv_fd;
		repeat = b->o.nf_repeat;
	}
	if (m->warm) {
		err = test_run(fd, b->frame, b->frame_len, 1, NULL, &rv);
		if (err)
			goto fail;
	}
	err = test_run(fd, b->frame, b->frame_len, repeat, &ns, &rv);
	if (err)
		goto fail;
	if (rv != m->expect_rv) {
		fprintf(stderr, "fg_bench: %s returned %s, expected %s: the "
			"measurement would be of the wrong path\n", m->name,
			xdp_action_name(rv), xdp_action_name(m->expect_rv));
		return -EPROTO;
	}
	m->ns[m->n++] = ns;
	return 0;
fail:
	fprintf(stderr, "fg_bench: %s: BPF_PROG_TEST_RUN: %s\n", m->name,
		strerror(-err));
	return err;
}

static struct fg_inst *inst_find(struct bench *b, __u32 rules, bool allows)
{
	int i;

	for (i = 0; i < b->n_inst; i++)
		if (b->inst[i].rules == rules &&
		    b->inst[i].last_allows == allows)
			return &b->inst[i];
	return NULL;
}

static void micro_plan(struct bench *b)
{
	const struct opts *o = &b->o;
	__u32 nmin = o->micro_rules[0], nmax = o->micro_rules[0];
	struct fg_inst *in;
	char key[48], name[96];
	int i;

	for (i = 1; i < o->n_micro_rules; i++) {
		if (o->micro_rules[i] < nmin)
			nmin = o->micro_rules[i];
		if (o->micro_rules[i] > nmax)
			nmax = o->micro_rules[i];
	}
	micro_add(b, "bare", "bare XDP drop", "bare", M_DIRECT, b->bare_fd,
		  NULL, XDP_DROP, false);
	/* Not goals: what the one clock read per packet that flowgate does
	 * (flow timestamps) costs on this machine, precise and coarse. */
	micro_add(b, "bare_ktime", "bare XDP drop + bpf_ktime_get_ns()",
		  "probe", M_DIRECT, b->bare_clk_fd[0], NULL, XDP_DROP, false);
	micro_add(b, "bare_ktime_coarse",
		  "bare XDP drop + bpf_ktime_get_coarse_ns()", "probe",
		  M_DIRECT, b->bare_clk_fd[1], NULL, XDP_DROP, false);
	micro_add(b, "driver", "new-flow driver -> bare drop", "driver",
		  M_NEWFLOW, b->bare_fd, NULL, XDP_DROP, false);
	if (!o->flowgate)
		return;

	in = inst_find(b, nmin, true);
	snprintf(key, sizeof(key), "known_allow_%u", nmin);
	snprintf(name, sizeof(name), "flowgate known flow, allowed (%u rules)",
		 nmin);
	micro_add(b, key, name, "known", M_DIRECT, in->prog_fd, in, XDP_PASS,
		  true);
	in = inst_find(b, nmin, false);
	snprintf(key, sizeof(key), "known_deny_%u", nmin);
	snprintf(name, sizeof(name), "flowgate known flow, denied (%u rules)",
		 nmin);
	micro_add(b, key, name, "known", M_DIRECT, in->prog_fd, in, XDP_DROP,
		  true);
	if (nmax != nmin) {
		in = inst_find(b, nmax, true);
		snprintf(key, sizeof(key), "known_allow_%u", nmax);
		snprintf(name, sizeof(name),
			 "flowgate known flow, allowed (%u rules)", nmax);
		micro_add(b, key, name, "known", M_DIRECT, in->prog_fd, in,
			  XDP_PASS, true);
	}
	for (i = 0; i < o->n_micro_rules; i++) {
		in = inst_find(b, o->micro_rules[i], true);
		snprintf(key, sizeof(key), "new_allow_%u", in->rules);
		snprintf(name, sizeof(name),
			 "flowgate new flow, allowed at rule %u of %u",
			 in->rules, in->rules);
		micro_add(b, key, name, "new", M_NEWFLOW, in->prog_fd, in,
			  XDP_PASS, false);
	}
}

static struct micro *micro_by_role(struct bench *b, const char *role)
{
	int i;

	for (i = 0; i < b->n_micro; i++)
		if (!strcmp(b->micro[i].role, role))
			return &b->micro[i];
	return NULL;
}

/* Derived figures, per round so that each compares with its neighbours. */
static void micro_derive(struct bench *b)
{
	struct micro *bare = micro_by_role(b, "bare");
	struct micro *drv = micro_by_role(b, "driver");
	int i, r;

	for (i = 0; i < b->n_micro; i++) {
		struct micro *m = &b->micro[i];

		for (r = 0; r < m->n; r++) {
			if (!strcmp(m->role, "new")) {
				m->over[r] = m->ns[r] - drv->ns[r];
				m->adj[r] = m->over[r] + bare->ns[r];
			} else {
				m->adj[r] = m->ns[r];
				m->over[r] = m->ns[r] - bare->ns[r];
			}
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Packets per second through the veth pair                                 */
/* ------------------------------------------------------------------------ */

struct pps {
	char key[48];
	char name[96];
	int profile;		/* index into opts.profiles / bench.gen */
	struct fg_inst *inst;	/* NULL: the bare program */
	__u32 rules;
	double secs[MAX_REPS];	/* kernel-timed generator loop (see below) */
	double wall[MAX_REPS];	/* wall clock of the generator calls */
	double thread_cpu[MAX_REPS];	/* our thread's CPU time */
	double softirqd[MAX_REPS];	/* ksoftirqd's CPU time on our CPU */
	int calls[MAX_REPS];
	__u64 sent[MAX_REPS];
	__u64 seen[MAX_REPS];
	__u64 dropped[MAX_REPS];	/* by the DUT */
	__u64 reason_policy[MAX_REPS], reason_flow[MAX_REPS];
	double dut_mpps[MAX_REPS], sent_mpps[MAX_REPS], loss[MAX_REPS];
	double ratio[MAX_REPS];	/* dut rate / bare's, same profile+round */
	double prog_ns[MAX_REPS];	/* --bpf-stats: DUT run_time/run_cnt */
	int n;
};

static const char *profile_name(__u32 flows, char *buf, size_t len)
{
	if (flows == 0)
		snprintf(buf, len, "new flow per frame");
	else if (flows == 1)
		snprintf(buf, len, "1 flow");
	else
		snprintf(buf, len, "%u flows", flows);
	return buf;
}

struct dut_count {
	__u64 seen, dropped, policy, flow_denied;
};

static int dut_read(struct bench *b, const struct pps *p,
		    struct dut_count *c)
{
	struct fg_counters fc;
	int err;

	memset(c, 0, sizeof(*c));
	if (!p->inst) {
		c->seen = c->dropped =
			percpu_sum(bpf_map__fd(b->bare->maps.bare_count));
		return 0;
	}
	err = fg_dp_read_counters(&p->inst->h->dp, &fc);
	if (err)
		return err;
	c->seen = verdict_total(&fc);
	c->dropped = fc.verdict[FG_VERDICT_DENY] +
		     fc.verdict[FG_VERDICT_MALFORMED];
	c->policy = fc.drop[FG_DROP_POLICY];
	c->flow_denied = fc.drop[FG_DROP_FLOW_DENIED];
	return 0;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* pid of ksoftirqd/cpu, 0 if not found. */
static int softirqd_find(int cpu)
{
	char want[32], path[300], comm[32];
	struct dirent *de;
	DIR *d = opendir("/proc");
	int pid = 0;

	if (!d)
		return 0;
	snprintf(want, sizeof(want), "ksoftirqd/%d", cpu);
	while (!pid && (de = readdir(d))) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		read_line(path, comm, sizeof(comm));
		if (!strcmp(comm, want))
			pid = atoi(de->d_name);
	}
	closedir(d);
	return pid;
}

/* CPU time a task has run, from /proc/PID/schedstat (ns); 0 if unknown. */
static __u64 softirqd_ns(int pid)
{
	char path[64], line[128];

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", pid);
	read_line(path, line, sizeof(line));
	return strtoull(line, NULL, 10);
}

/* Cumulative run time and count of a program (kernel.bpf_stats). */
static int prog_runtime(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

static int pps_run_one(struct bench *b, struct pps *p)
{
	struct fg_bench_gen_bpf *gen = b->gen[p->profile];
	int gen_fd = bpf_program__fd(gen->progs.fg_bench_gen);
	int sent_fd = bpf_map__fd(gen->maps.gen_sent);
	int dut_fd = p->inst ? p->inst->prog_fd : b->bare_fd;
	struct xdp_md ctx = {
		.data_end = (__u32)b->frame_len,
		.ingress_ifindex = b->topo.ifa,
	};
	LIBBPF_OPTS(bpf_test_run_opts, t,
		.data_in = b->frame,
		.data_size_in = (__u32)b->frame_len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 65536,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	struct dut_count c0, c1;
	__u64 sent0, sent1, rt0 = 0, rc0 = 0, rt1 = 0, rc1 = 0;
	double t0, t1, c0_cpu, c1_cpu, ns_per_frame, kernel_ns = 0;
	__u64 sirq0, sirq1;
	int err, r = p->n, calls = 0;

	err = topo_attach(&b->topo, dut_fd);
	if (err)
		return err;
	/* Untimed warm-up: first frames, caches, the flow entry, and an
	 * estimate of the time per frame to size the measured calls. */
	err = bpf_prog_test_run_opts(gen_fd, &t);
	ns_per_frame = t.duration ? t.duration : 100;
	usleep(20000);

	if (!err)
		err = dut_read(b, p, &c0);
	sent0 = percpu_sum(sent_fd);
	if (b->o.prog_stats)
		prog_runtime(dut_fd, &rt0, &rc0);
	/*
	 * Time base: the kernel's own timer of the live-frames loop
	 * (duration x repeat). It leaves out each call's page-pool setup and
	 * teardown (tens of ms here, an RCU grace period, nothing sent) and
	 * the time other tasks take this CPU from us (the timer stops while
	 * the loop yields), but it includes the DUT: veth B's NAPI poll runs
	 * in softirq on this CPU when each batch re-enables bottom halves.
	 * ksoftirqd's CPU time is recorded to show when that does not hold.
	 * A run is one call sized from the last estimate, plus top-ups.
	 */
	sirq0 = softirqd_ns(b->softirqd_pid);
	c0_cpu = thread_cpu_s();
	t0 = now_s();
	t1 = t0;
	while (!err && !stop_requested &&
	       kernel_ns < 0.9e9 * b->o.duration &&
	       t1 - t0 < 5 * b->o.duration) {
		double want = (1e9 * b->o.duration - kernel_ns) / ns_per_frame;

		t.repeat = want > (1u << 31) ? 1u << 31 :
			   want < 65536 ? 65536 : (__u32)want;
		err = bpf_prog_test_run_opts(gen_fd, &t);
		t1 = now_s();
		calls++;
		if (!err && t.duration) {
			ns_per_frame = t.duration;
			kernel_ns += (double)t.duration * t.repeat;
		}
	}
	c1_cpu = thread_cpu_s();
	sirq1 = softirqd_ns(b->softirqd_pid);
	/* veth's NAPI poll runs on this CPU right after each batch; give
	 * any straggler a moment before counting. */
	usleep(20000);
	sent1 = percpu_sum(sent_fd);
	if (b->o.prog_stats)
		prog_runtime(dut_fd, &rt1, &rc1);
	if (!err)
		err = dut_read(b, p, &c1);
	if (stop_requested)
		return -EINTR;
	if (err) {
		fprintf(stderr, "fg_bench: %s: generator/counters: %s\n",
			p->name, strerror(-err));
		return err;
	}
	if (kernel_ns <= 0) {
		fprintf(stderr, "fg_bench: %s: the kernel reported no run "
			"time\n", p->name);
		return -EIO;
	}
	p->secs[r] = kernel_ns / 1e9;
	p->wall[r] = t1 - t0;
	p->thread_cpu[r] = c1_cpu - c0_cpu;
	p->softirqd[r] = (double)(sirq1 - sirq0) / 1e9;
	p->calls[r] = calls;
	if (p->softirqd[r] > 0.05 * p->secs[r])
		fprintf(stderr, "fg_bench: warning: %s: ksoftirqd ran %.0f ms "
			"of %.0f ms: part of the DUT's work was not timed\n",
			p->name, p->softirqd[r] * 1e3, p->secs[r] * 1e3);
	p->sent[r] = sent1 - sent0;
	p->seen[r] = c1.seen - c0.seen;
	p->dropped[r] = c1.dropped - c0.dropped;
	p->reason_policy[r] = c1.policy - c0.policy;
	p->reason_flow[r] = c1.flow_denied - c0.flow_denied;
	p->dut_mpps[r] = (double)p->seen[r] / p->secs[r] / 1e6;
	p->sent_mpps[r] = (double)p->sent[r] / p->secs[r] / 1e6;
	p->prog_ns[r] = rc1 > rc0 ? (double)(rt1 - rt0) / (double)(rc1 - rc0) :
				    NAN;
	p->loss[r] = p->sent[r] ?
		100.0 * (1.0 - (double)p->seen[r] / (double)p->sent[r]) : 0;
	p->n++;
	if (p->dropped[r] != p->seen[r])
		fprintf(stderr, "fg_bench: warning: %s: the DUT dropped %llu "
			"of %llu frames it saw (all should be dropped)\n",
			p->name, (unsigned long long)p->dropped[r],
			(unsigned long long)p->seen[r]);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                    */
/* ------------------------------------------------------------------------ */

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("FG_BENCH_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

static int build_frame(struct bench *b)
{
	struct pkt_spec s = {
		.family = 4, .src = TEST_SRC, .dst = TEST_DST,
		.proto = IPPROTO_UDP, .sport = TEST_SPORT, .dport = TEST_DPORT,
		.payload = (__u16)(b->o.pkt_size - 42),
	};

	b->frame_len = pkt_build(b->frame, sizeof(b->frame), &s);
	return b->frame_len < 0 ? b->frame_len : 0;
}

static int load_helpers(struct bench *b)
{
	int i, err;

	b->bare = fg_bench_bare_bpf__open_and_load();
	if (!b->bare)
		return -errno;
	b->bare_fd = bpf_program__fd(b->bare->progs.fg_bench_bare);
	for (i = 0; i < 2; i++) {
		b->bare_clk[i] = fg_bench_bare_bpf__open();
		if (!b->bare_clk[i])
			return -errno;
		b->bare_clk[i]->rodata->bare_read_clock = (__u32)i + 1;
		err = fg_bench_bare_bpf__load(b->bare_clk[i]);
		if (err)
			return err;
		b->bare_clk_fd[i] =
			bpf_program__fd(b->bare_clk[i]->progs.fg_bench_bare);
	}

	b->drv = fg_bench_newflow_bpf__open();
	if (!b->drv)
		return -errno;
	b->drv->rodata->nf_saddr_base = FLOW_BASE;
	err = fg_bench_newflow_bpf__load(b->drv);
	if (err)
		return err;
	b->drv_fd = bpf_program__fd(b->drv->progs.fg_bench_newflow);
	b->jmp_fd = bpf_map__fd(b->drv->maps.fgb_target);

	for (i = 0; b->o.pps && i < b->o.n_profiles; i++) {
		b->gen[i] = fg_bench_gen_bpf__open();
		if (!b->gen[i])
			return -errno;
		b->gen[i]->rodata->gen_flows = b->o.profiles[i];
		b->gen[i]->rodata->gen_saddr_base = FLOW_BASE;
		err = fg_bench_gen_bpf__load(b->gen[i]);
		if (err)
			return err;
	}
	return 0;
}

static int open_instances(struct bench *b)
{
	const struct opts *o = &b->o;
	__u32 nmin = o->micro_rules[0];
	int i, err;

	if (!o->flowgate)
		return 0;
	for (i = 1; i < o->n_micro_rules; i++)
		if (o->micro_rules[i] < nmin)
			nmin = o->micro_rules[i];
	/* allow-last for new/known-allowed flows, deny-last for pps and the
	 * known denied flow. */
	for (i = 0; o->micro && i < o->n_micro_rules; i++) {
		if (inst_find(b, o->micro_rules[i], true))
			continue;
		err = inst_open(&b->inst[b->n_inst], o->micro_rules[i], true,
				o);
		if (err)
			return err;
		b->n_inst++;
	}
	for (i = 0; i <= o->n_pps_rules; i++) {
		__u32 n = i < o->n_pps_rules ? o->pps_rules[i] : nmin;

		if (i < o->n_pps_rules ? !o->pps : !o->micro)
			continue;
		if (inst_find(b, n, false))
			continue;
		err = inst_open(&b->inst[b->n_inst], n, false, o);
		if (err)
			return err;
		b->n_inst++;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Environment                                                              */
/* ------------------------------------------------------------------------ */

struct env {
	char kernel[128];
	char cpu_model[128];
	long nproc;
	char clang[256];
	char libbpf[32];
	char date[32];
	char bpf_stats[8];
};

static void read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

/* The three load averages of /proc/loadavg. */
static void read_loadavg(char *out, size_t len)
{
	read_line("/proc/loadavg", out, len);
	for (int i = 0, sp = 0; out[i]; i++)
		if (out[i] == ' ' && ++sp == 3) {
			out[i] = 0;
			break;
		}
}

static void env_collect(struct env *e)
{
	struct utsname u;
	char line[256];
	time_t now = time(NULL);
	FILE *f;

	memset(e, 0, sizeof(*e));
	if (!uname(&u))
		snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			p += 1 + strspn(p + 1, " \t");
			p[strcspn(p, "\n")] = 0;
			snprintf(e->cpu_model, sizeof(e->cpu_model), "%s", p);
			break;
		}
	}
	if (f)
		fclose(f);
	e->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	/* The compiler of the BPF objects: the one `make` uses. */
	f = popen("${CLANG:-clang} --version 2>/dev/null", "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(e->clang, sizeof(e->clang), "%s", line);
		}
		pclose(f);
	}
	if (!e->clang[0])
		snprintf(e->clang, sizeof(e->clang), "unknown");
	snprintf(e->libbpf, sizeof(e->libbpf), "%s", libbpf_version_string());
	strftime(e->date, sizeof(e->date), "%Y-%m-%d %H:%M:%S UTC",
		 gmtime(&now));
	read_line("/proc/sys/kernel/bpf_stats_enabled", e->bpf_stats,
		  sizeof(e->bpf_stats));
}

struct prog_facts {
	__u32 xlated_insns, jited_bytes, verified_insns;
};

static void prog_facts(int fd, struct prog_facts *pf)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(pf, 0, sizeof(*pf));
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return;
	pf->xlated_insns = info.xlated_prog_len / 8;
	pf->jited_bytes = info.jited_prog_len;
	pf->verified_insns = info.verified_insns;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                   */
/* ------------------------------------------------------------------------ */

static void json_stat(struct fg_json *j, const char *key, const double *v,
		      int n, int decimals)
{
	struct stat3 s = stat3(v, n);
	int i;

	fg_json_kobj_open(j, key);
	fg_json_key(j, "median");
	fg_json_double(j, s.med, decimals);
	fg_json_key(j, "min");
	fg_json_double(j, s.min, decimals);
	fg_json_key(j, "max");
	fg_json_double(j, s.max, decimals);
	fg_json_karr_open(j, "runs");
	for (i = 0; i < n; i++)
		fg_json_double(j, v[i], decimals);
	fg_json_arr_close(j);
	fg_json_obj_close(j);
}

struct goal {
	char name[128];
	double value, limit;
	bool met;
	const char *unit;
};

struct results {
	struct env env;
	struct pps pps[MAX_PROFILES * (1 + MAX_NS)];
	int n_pps;
	struct goal goals[8];
	int n_goals;
};

static void goals_eval(struct bench *b, struct results *res)
{
	struct micro *bare = micro_by_role(b, "bare");
	double lo = INFINITY, hi = 0;
	__u32 nlo = 0, nhi = 0;
	int i, n_new = 0;

	if (!b->o.micro || !bare || !bare->n)
		return;
	for (i = 0; i < b->n_micro; i++) {
		struct micro *m = &b->micro[i];
		struct stat3 s = stat3(m->over, m->n);
		struct stat3 a = stat3(m->adj, m->n);
		struct goal *g;

		if (!strcmp(m->role, "known")) {
			g = &res->goals[res->n_goals++];
			snprintf(g->name, sizeof(g->name),
				 "%s: ns above bare <= %.0f", m->name,
				 KNOWN_SLACK_NS);
			g->value = s.med;
			g->limit = KNOWN_SLACK_NS;
			g->met = s.med <= KNOWN_SLACK_NS;
			g->unit = "ns";
		} else if (!strcmp(m->role, "new")) {
			n_new++;
			if (a.med < lo) {
				lo = a.med;
				nlo = m->rules;
			}
			if (a.med > hi) {
				hi = a.med;
				nhi = m->rules;
			}
		}
	}
	if (n_new >= 2 && res->n_goals < 8) {
		struct goal *g = &res->goals[res->n_goals++];

		snprintf(g->name, sizeof(g->name),
			 "new flow: slowest (%u rules) / fastest (%u rules) "
			 "<= %.1f", nhi, nlo, NEWFLOW_FLAT);
		g->value = lo > 0 ? hi / lo : INFINITY;
		g->limit = NEWFLOW_FLAT;
		g->met = g->value <= NEWFLOW_FLAT;
		g->unit = "x";
	}
}

static void write_json(struct bench *b, struct results *res, FILE *f)
{
	const struct env *e = &res->env;
	struct fg_json j;
	struct prog_facts pf;
	char pn[64];
	int i, k;

	fg_json_init(&j, f, true);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "tool", "fg_bench");
	fg_json_kstr(&j, "command", b->o.cmdline);
	fg_json_kobj_open(&j, "env");
	fg_json_kstr(&j, "date", e->date);
	fg_json_kstr(&j, "kernel", e->kernel);
	fg_json_kstr(&j, "cpu_model", e->cpu_model);
	fg_json_ki64(&j, "nproc", e->nproc);
	fg_json_kstr(&j, "clang", e->clang);
	fg_json_kstr(&j, "libbpf", e->libbpf);
	fg_json_ki64(&j, "frame_bytes", b->frame_len);
	fg_json_ki64(&j, "frame_bytes_with_fcs", b->frame_len + 4);
	fg_json_ki64(&j, "cpu", b->o.cpu);
	fg_json_kstr(&j, "bpf_stats_enabled", e->bpf_stats);
	fg_json_kstr(&j, "loadavg_before", b->loadavg_before);
	fg_json_kstr(&j, "loadavg_after", b->loadavg_after);
	fg_json_kstr(&j, "note", b->o.note);
	fg_json_key(&j, "setup_seconds");
	fg_json_double(&j, b->t_setup_done - b->t_start, 1);
	fg_json_key(&j, "total_seconds");
	fg_json_double(&j, b->t_end - b->t_start, 1);
	fg_json_obj_close(&j);

	fg_json_kobj_open(&j, "params");
	fg_json_ki64(&j, "reps", b->o.reps);
	fg_json_ku64(&j, "repeat", b->o.repeat);
	fg_json_ku64(&j, "newflow_repeat", b->o.nf_repeat);
	fg_json_ku64(&j, "flow_entries", b->o.flow_entries);
	fg_json_key(&j, "pps_seconds");
	fg_json_double(&j, b->o.duration, 2);
	fg_json_kstr(&j, "rules_layout",
		     "N-1 fillers with distinct /32 sources in 198.18.0.0/15, "
		     "udp/9; rule N (last) from 172.16.0.0/12 udp/9 matches");
	fg_json_kstr(&j, "traffic", "IPv4 UDP 172.16.0.0/12 -> 10.0.0.2:9");
	fg_json_obj_close(&j);

	fg_json_karr_open(&j, "policies");
	for (i = 0; i < b->n_inst; i++) {
		fg_json_obj_open(&j);
		fg_json_ku64(&j, "rules", b->inst[i].rules);
		fg_json_kstr(&j, "last_rule", b->inst[i].last_allows ?
			     "allow" : "deny");
		fg_json_key(&j, "load_seconds");
		fg_json_double(&j, b->inst[i].load_s, 2);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	fg_json_karr_open(&j, "programs");
	for (i = 0; i < 3 + (b->n_inst > 0); i++) {
		int fd = i == 0 ? b->bare_fd : i == 1 ? b->drv_fd :
			 i == 2 ? (b->gen[0] ? bpf_program__fd(
				 b->gen[0]->progs.fg_bench_gen) : -1) :
			 b->inst[0].prog_fd;

		if (fd < 0)
			continue;
		prog_facts(fd, &pf);
		snprintf(pn, sizeof(pn), "%s", i == 0 ? "bare_drop" :
			 i == 1 ? "newflow_driver" : i == 2 ? "generator" :
			 "flowgate_xdp");
		fg_json_obj_open(&j);
		fg_json_kstr(&j, "name", pn);
		fg_json_ku64(&j, "xlated_insns", pf.xlated_insns);
		fg_json_ku64(&j, "jited_bytes", pf.jited_bytes);
		fg_json_ku64(&j, "verified_insns", pf.verified_insns);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	fg_json_karr_open(&j, "micro");
	for (i = 0; i < b->n_micro; i++) {
		struct micro *m = &b->micro[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "key", m->key);
		fg_json_kstr(&j, "name", m->name);
		fg_json_kstr(&j, "kind", m->role);
		fg_json_ku64(&j, "rules", m->rules);
		fg_json_kstr(&j, "retval", xdp_action_name(m->expect_rv));
		fg_json_ku64(&j, "repeat", m->kind == M_NEWFLOW ?
			     b->o.nf_repeat : b->o.repeat);
		json_stat(&j, "ns_raw", m->ns, m->n, 1);
		json_stat(&j, "ns", m->adj, m->n, 1);
		json_stat(&j, "ns_over_bare", m->over, m->n, 1);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	fg_json_karr_open(&j, "pps");
	for (i = 0; i < res->n_pps; i++) {
		struct pps *p = &res->pps[i];
		char prof[32];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "key", p->key);
		fg_json_kstr(&j, "name", p->name);
		fg_json_kstr(&j, "dut", p->inst ? "flowgate" : "bare_drop");
		fg_json_ku64(&j, "rules", p->rules);
		fg_json_kstr(&j, "traffic", profile_name(
			b->o.profiles[p->profile], prof, sizeof(prof)));
		fg_json_ku64(&j, "generator_flows", b->o.profiles[p->profile]);
		json_stat(&j, "dut_mpps", p->dut_mpps, p->n, 3);
		json_stat(&j, "sent_mpps", p->sent_mpps, p->n, 3);
		json_stat(&j, "loss_pct", p->loss, p->n, 2);
		json_stat(&j, "ratio_to_bare", p->ratio, p->n, 3);
		if (b->o.prog_stats)
			json_stat(&j, "dut_prog_ns", p->prog_ns, p->n, 1);
		fg_json_karr_open(&j, "runs");
		for (k = 0; k < p->n; k++) {
			fg_json_obj_open(&j);
			fg_json_key(&j, "seconds");
			fg_json_double(&j, p->secs[k], 3);
			fg_json_ki64(&j, "generator_calls", p->calls[k]);
			fg_json_key(&j, "wall_seconds");
			fg_json_double(&j, p->wall[k], 3);
			fg_json_key(&j, "thread_cpu_seconds");
			fg_json_double(&j, p->thread_cpu[k], 3);
			fg_json_key(&j, "ksoftirqd_seconds");
			fg_json_double(&j, p->softirqd[k], 3);
			fg_json_key(&j, "dut_mpps_wall");
			fg_json_double(&j, (double)p->seen[k] / p->wall[k] / 1e6,
				       3);
			fg_json_ku64(&j, "sent", p->sent[k]);
			fg_json_ku64(&j, "dut_seen", p->seen[k]);
			fg_json_ku64(&j, "dut_dropped", p->dropped[k]);
			if (p->inst) {
				fg_json_ku64(&j, "drop_policy",
					     p->reason_policy[k]);
				fg_json_ku64(&j, "drop_flow_denied",
					     p->reason_flow[k]);
			}
			fg_json_obj_close(&j);
		}
		fg_json_arr_close(&j);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	fg_json_karr_open(&j, "goals");
	for (i = 0; i < res->n_goals; i++) {
		struct goal *g = &res->goals[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "goal", g->name);
		fg_json_key(&j, "value");
		fg_json_double(&j, g->value, 2);
		fg_json_key(&j, "limit");
		fg_json_double(&j, g->limit, 2);
		fg_json_kstr(&j, "unit", g->unit);
		fg_json_kbool(&j, "met", g->met);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_obj_close(&j);
	fg_json_end(&j);
}

static const char *fmt3(char *buf, size_t len, const double *v, int n,
			int decimals)
{
	struct stat3 s = stat3(v, n);

	if (!n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f [%.*f-%.*f]", decimals, s.med,
			 decimals, s.min, decimals, s.max);
	return buf;
}

/*
 * One printer for both outputs: md = false gives aligned text, md = true a
 * markdown section (tables with the same figures).
 */
static void write_report(struct bench *b, struct results *res, FILE *f,
			 bool md)
{
	const struct env *e = &res->env;
	char c1[64], c2[64], c3[64], c4[64], c5[64], prof[32];
	int i;

	if (md) {
		fprintf(f, "Measured %s with:\n\n```\n%s\n```\n\n", e->date,
			b->o.cmdline);
		fprintf(f, "| environment | |\n| --- | --- |\n");
		fprintf(f, "| kernel | %s |\n| CPU | %s |\n| CPUs online | "
			"%ld (bench pinned to CPU %d) |\n| clang | %s |\n"
			"| libbpf | %s |\n| frame | %d bytes + FCS = %d, IPv4 "
			"UDP |\n| load average before / after | %s / %s |\n",
			e->kernel, e->cpu_model, e->nproc, b->o.cpu, e->clang,
			e->libbpf, b->frame_len, b->frame_len + 4,
			b->loadavg_before, b->loadavg_after);
		if (b->o.note)
			fprintf(f, "| note | %s |\n", b->o.note);
		fprintf(f, "\n");
	} else {
		fprintf(f, "\nflowgate bench, %s\n", e->date);
		fprintf(f, "  kernel %s, %s, %ld CPUs (pinned to CPU %d)\n",
			e->kernel, e->cpu_model, e->nproc, b->o.cpu);
		fprintf(f, "  %s, libbpf %s, %d-byte frames (%d with FCS), "
			"load average %s -> %s\n", e->clang, e->libbpf,
			b->frame_len, b->frame_len + 4, b->loadavg_before,
			b->loadavg_after);
	}

	if (b->n_micro) {
		if (md) {
			fprintf(f, "### BPF_PROG_TEST_RUN, ns per packet\n\n"
				"Median [min-max] of %d interleaved runs; "
				"repeat %u (new flows: %u distinct flows per "
				"run, driver cost subtracted, flow table "
				"emptied before each run).\n\n",
				b->o.reps, b->o.repeat, b->o.nf_repeat);
			fprintf(f, "| configuration | ns/packet | above bare "
				"|\n| --- | ---: | ---: |\n");
		} else {
			fprintf(f, "\nBPF_PROG_TEST_RUN ns/packet, median "
				"[min-max] of %d (repeat %u; new flows %u "
				"per run, driver subtracted)\n", b->o.reps,
				b->o.repeat, b->o.nf_repeat);
			fprintf(f, "  %-52s %-22s %s\n", "configuration",
				"ns/packet", "above bare");
		}
		for (i = 0; i < b->n_micro; i++) {
			struct micro *m = &b->micro[i];
			bool base = !strcmp(m->role, "bare") ||
				    !strcmp(m->role, "driver");

			fmt3(c1, sizeof(c1), m->adj, m->n, 1);
			if (base)
				snprintf(c2, sizeof(c2), "-");
			else
				fmt3(c2, sizeof(c2), m->over, m->n, 1);
			if (md)
				fprintf(f, "| %s | %s | %s |\n", m->name, c1,
					c2);
			else
				fprintf(f, "  %-52s %-22s %s\n", m->name, c1,
					c2);
		}
	}

	if (res->n_pps) {
		if (md) {
			fprintf(f, "\n### Packets per second through a veth "
				"pair\n\nIn-kernel generator (XDP live frames, "
				"XDP_TX) and DUT (native XDP on the peer veth) "
				"share CPU %d; %.1f s of kernel-timed "
				"generator loop per run; rules: deny at rule N "
				"of N. Median [min-max] of %d interleaved runs. "
				"*DUT Mpps*: frames the DUT's own counters saw "
				"per second; *loss*: sent but never seen by "
				"the DUT; *vs bare*: DUT rate over the bare "
				"program's in the same round.\n\n",
				b->o.cpu, b->o.duration, b->o.reps);
			fprintf(f, "| traffic | DUT | DUT Mpps | sent Mpps | "
				"loss %% | vs bare |%s\n| --- | --- | ---: | "
				"---: | ---: | ---: |%s\n", b->o.prog_stats ?
				" DUT prog ns/pkt |" : "", b->o.prog_stats ?
				" ---: |" : "");
		} else {
			fprintf(f, "\nveth pps, generator + DUT on CPU %d, "
				"%.1f s kernel-timed per run, median [min-max] "
				"of %d\n",
				b->o.cpu, b->o.duration, b->o.reps);
			fprintf(f, "  %-19s %-35s %-22s %-22s %-16s %-18s "
				"%s\n", "traffic", "DUT", "DUT Mpps",
				"sent Mpps", "loss %", "vs bare",
				b->o.prog_stats ? "DUT prog ns/pkt" : "");
		}
		for (i = 0; i < res->n_pps; i++) {
			struct pps *p = &res->pps[i];

			profile_name(b->o.profiles[p->profile], prof,
				     sizeof(prof));
			fmt3(c1, sizeof(c1), p->dut_mpps, p->n, 2);
			fmt3(c2, sizeof(c2), p->sent_mpps, p->n, 2);
			fmt3(c3, sizeof(c3), p->loss, p->n, 1);
			if (p->inst)
				fmt3(c4, sizeof(c4), p->ratio, p->n, 2);
			else
				snprintf(c4, sizeof(c4), "1.00");
			c5[0] = 0;
			if (b->o.prog_stats)
				fmt3(c5, sizeof(c5), p->prog_ns, p->n, 1);
			if (md)
				fprintf(f, "| %s | %s | %s | %s | %s | %s |%s%s"
					"%s\n", prof, p->name, c1, c2, c3, c4,
					c5[0] ? " " : "", c5, c5[0] ? " |" : "");
			else
				fprintf(f, "  %-19s %-35s %-22s %-22s %-16s "
					"%-18s %s\n", prof, p->name, c1, c2,
					c3, c4, c5);
		}
	}

	if (res->n_goals) {
		fprintf(f, md ? "\n### Goals (issue 2)\n\n| goal | measured "
			"| |\n| --- | ---: | --- |\n" : "\nGoals\n");
		for (i = 0; i < res->n_goals; i++) {
			struct goal *g = &res->goals[i];

			if (md)
				fprintf(f, "| %s | %.1f %s | %s |\n", g->name,
					g->value, g->unit,
					g->met ? "met" : "**MISSED**");
			else
				fprintf(f, "  %-70s %8.1f %-2s %s\n", g->name,
					g->value, g->unit,
					g->met ? "met" : "MISSED");
		}
	}
	fprintf(f, "\n");
}

/* ------------------------------------------------------------------------ */
/* Main                                                                     */
/* ------------------------------------------------------------------------ */

static void pps_plan(struct bench *b, struct results *res)
{
	char prof[32];
	int pi, i;

	for (pi = 0; pi < b->o.n_profiles; pi++) {
		struct pps *p = &res->pps[res->n_pps++];

		memset(p, 0, sizeof(*p));
		p->profile = pi;
		snprintf(p->key, sizeof(p->key), "bare_f%u",
			 b->o.profiles[pi]);
		snprintf(p->name, sizeof(p->name), "bare XDP drop");
		for (i = 0; b->o.flowgate && i < b->o.n_pps_rules; i++) {
			p = &res->pps[res->n_pps++];
			memset(p, 0, sizeof(*p));
			p->profile = pi;
			p->inst = inst_find(b, b->o.pps_rules[i], false);
			p->rules = b->o.pps_rules[i];
			snprintf(p->key, sizeof(p->key), "fg_deny_%u_f%u",
				 p->rules, b->o.profiles[pi]);
			snprintf(p->name, sizeof(p->name),
				 "flowgate, deny at rule %u/%u", p->rules,
				 p->rules);
		}
	}
	(void)prof;
}

static void pps_derive(struct results *res)
{
	struct pps *bare = NULL;
	int i, r;

	for (i = 0; i < res->n_pps; i++) {
		struct pps *p = &res->pps[i];

		if (!p->inst)
			bare = p;
		for (r = 0; r < p->n; r++)
			p->ratio[r] = bare && r < bare->n &&
				      bare->dut_mpps[r] > 0 ?
				p->dut_mpps[r] / bare->dut_mpps[r] : NAN;
	}
}

static char *join_args(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < argc; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void cleanup(struct bench *b)
{
	int i;

	topo_teardown(&b->topo);
	for (i = 0; i < b->n_inst; i++)
		fg_h_close(b->inst[i].h);
	b->n_inst = 0;
	for (i = 0; i < MAX_PROFILES; i++)
		fg_bench_gen_bpf__destroy(b->gen[i]);
	fg_bench_newflow_bpf__destroy(b->drv);
	fg_bench_bare_bpf__destroy(b->bare_clk[0]);
	fg_bench_bare_bpf__destroy(b->bare_clk[1]);
	fg_bench_bare_bpf__destroy(b->bare);
}

int main(int argc, char **argv)
{
	static struct bench bench;
	static struct results res;
	struct bench *b = &bench;
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cmd_env = getenv("FG_BENCH_COMMAND");
	int r, i, err;
	FILE *f;

	err = parse_opts(argc, argv, &b->o);
	if (err)
		return 2;
	b->o.cmdline = cmd_env && *cmd_env ? cmd_env : join_args(argc, argv);
	if (geteuid() != 0) {
		fprintf(stderr, "fg_bench: needs root (BPF, network "
			"namespaces): sudo make bench\n");
		return 2;
	}
	/* No SA_RESTART: a signal must interrupt a long test run (the
	 * kernel returns EINTR) so the cleanup below runs. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	libbpf_set_print(libbpf_quiet);
	if (b->o.prog_stats) {
		/* Enabled while this fd stays open, i.e. until we exit. */
		if (bpf_enable_stats(BPF_STATS_RUN_TIME) < 0) {
			fprintf(stderr, "fg_bench: enabling BPF stats: %s\n",
				strerror(errno));
			return 1;
		}
	}

	b->t_start = now_s();
	read_loadavg(b->loadavg_before, sizeof(b->loadavg_before));
	env_collect(&res.env);
	err = pin_cpu(b->o.cpu);
	if (err) {
		fprintf(stderr, "fg_bench: pinning to CPU %d: %s\n", b->o.cpu,
			strerror(-err));
		goto out;
	}
	b->softirqd_pid = softirqd_find(b->o.cpu);
	err = build_frame(b);
	if (err) {
		fprintf(stderr, "fg_bench: building the test frame: %s\n",
			strerror(-err));
		goto out;
	}
	/* Everything from here on lives in a private network namespace. */
	err = topo_setup(&b->topo);
	if (err)
		goto out;
	err = load_helpers(b);
	if (err) {
		fprintf(stderr, "fg_bench: loading the benchmark programs: "
			"%s (FG_BENCH_VERBOSE=1 shows libbpf's log)\n",
			strerror(-err));
		goto out;
	}
	fprintf(stderr, "fg_bench: loading flowgate policies...\n");
	err = open_instances(b);
	if (err)
		goto out;
	for (i = 0; i < b->n_inst; i++) {
		fprintf(stderr, "fg_bench:   %u rules (last %s): %.1f s\n",
			b->inst[i].rules, b->inst[i].last_allows ? "allows" :
			"denies", b->inst[i].load_s);
		if (b->o.pps) {
			err = fg_dp_add_iface(&b->inst[i].h->dp, b->topo.ifb);
			if (err) {
				fprintf(stderr, "fg_bench: registering %s: %s\n",
					b->topo.b, strerror(-err));
				goto out;
			}
		}
	}
	if (b->o.micro)
		micro_plan(b);
	if (b->o.pps)
		pps_plan(b, &res);
	b->t_setup_done = now_s();

	for (r = 0; r < b->o.reps && !stop_requested; r++) {
		fprintf(stderr, "fg_bench: round %d/%d\n", r + 1, b->o.reps);
		for (i = 0; i < b->n_micro && !stop_requested; i++) {
			err = micro_run_one(b, &b->micro[i]);
			if (err)
				goto out;
		}
		for (i = 0; i < res.n_pps && !stop_requested; i++) {
			err = pps_run_one(b, &res.pps[i]);
			if (err)
				goto out;
		}
	}
	if (stop_requested) {
		err = -EINTR;
		goto out;
	}
	topo_teardown(&b->topo);
	b->t_end = now_s();
	read_loadavg(b->loadavg_after, sizeof(b->loadavg_after));

	micro_derive(b);
	pps_derive(&res);
	goals_eval(b, &res);
	write_report(b, &res, stdout, false);
	if (b->o.json_path) {
		f = fopen(b->o.json_path, "w");
		if (!f) {
			err = -errno;
			fprintf(stderr, "fg_bench: %s: %s\n", b->o.json_path,
				strerror(errno));
			goto out;
		}
		write_json(b, &res, f);
		fclose(f);
		fprintf(stderr, "fg_bench: wrote %s\n", b->o.json_path);
	}
	if (b->o.md_path) {
		f = fopen(b->o.md_path, "w");
		if (!f) {
			err = -errno;
			fprintf(stderr, "fg_bench: %s: %s\n", b->o.md_path,
				strerror(errno));
			goto out;
		}
		write_report(b, &res, f, true);
		fclose(f);
		fprintf(stderr, "fg_bench: wrote %s\n", b->o.md_path);
	}
out:
	cleanup(b);
	if (err == -EINTR || stop_requested) {
		fprintf(stderr, "fg_bench: interrupted, cleaned up\n");
		return 1;
	}
	return err ? 1 : 0;
}
