/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_dut.h - the systems under test of `flowgate bench`, behind one
 * interface so the harness treats flowgate, the bare XDP programs and the
 * other firewalls (nftables, iptables, ipset, xdp-filter) alike.
 *
 * The harness owns the topology and the traffic; a DUT only installs its
 * rules on the DUT interface (inside the DUT network namespace), reports
 * its own counters, and removes exactly what it installed. For DUTs that
 * are not XDP programs the harness attaches a counting XDP_PASS program to
 * the interface itself (veth delivers XDP_TX'd frames only to a peer that
 * has an XDP program), so every DUT sees the same frames.
 */
#ifndef FG_BENCH_DUT_H
#define FG_BENCH_DUT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* What the generator sends, so that a DUT's rules can match it (or not). */
struct fg_bench_traffic {
	int family;		/* AF_INET or AF_INET6 */
	__u8 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	__u8 src[16];		/* prefix covering every generated initiator */
	__u8 src_plen;
	__u8 dst[16];		/* the one responder address */
	__u16 dport;		/* responder port, host order */
};

struct fg_bench_dut_cfg {
	int netns_fd;		/* DUT network namespace (an open nsfs fd) */
	const char *ifname;	/* DUT interface, ingress side, in netns_fd */
	int ifindex;		/* its index in that namespace */
	__u32 rules;		/* N: rule count of the policy */
	/*
	 * deny: rules 1..N-1 do not match the traffic, rule N matches it and
	 * drops it ("deny at rule N of N"). !deny: no rule matches, the
	 * traffic passes on to the stack (forwarding measurements).
	 */
	bool deny;
	const struct fg_bench_traffic *t;
	const char *workdir;	/* private scratch directory for rule files */
	double load_timeout_s;	/* loading longer than this: -ETIMEDOUT */
	__u32 flow_entries;	/* flowgate: flow table size; 0: default */
};

/* Cumulative since setup; what the DUT's own counters say. */
struct fg_bench_dut_count {
	__u64 matched;		/* frames that reached the deciding rule */
	__u64 dropped;		/* frames the DUT dropped */
	__u64 flows_new;	/* flowgate: flows classified and installed
				 * (the harness zeroes the struct first) */
};

struct fg_bench_dut {
	const struct fg_bench_dut_ops *ops;
	void *priv;
	double load_s;		/* wall time setup took */
	char detail[160];	/* e.g. "nft 1.0.6, 1000 rules, netdev ingress" */
};

struct fg_bench_dut_ops {
	const char *name;	/* stable id: --systems values, JSON keys */
	const char *label;	/* human label for tables */
	bool xdp;		/* attaches its own XDP program */
	/* 0 if this machine can run it, else -ENOENT/-EOPNOTSUPP and why. */
	int (*available)(char *why, size_t len);
	/* 0, or negative errno with the reason logged once (-ETIMEDOUT when
	 * loading took longer than cfg->load_timeout_s; nothing is left
	 * installed on failure). */
	int (*setup)(struct fg_bench_dut *d, const struct fg_bench_dut_cfg *cfg);
	int (*count)(struct fg_bench_dut *d, struct fg_bench_dut_count *c);
	void (*teardown)(struct fg_bench_dut *d);
};

/* Bare XDP programs and flowgate (userspace/bench_dut_fg.c). */
extern const struct fg_bench_dut_ops fg_bench_xdp_drop;		/* "xdp-drop" */
extern const struct fg_bench_dut_ops fg_bench_xdp_pass;		/* "xdp-pass" */
extern const struct fg_bench_dut_ops fg_bench_flowgate;		/* "flowgate" */
/* flowgate DUT only: its XDP program; empty its flow table. */
int fg_bench_flowgate_prog_fd(const struct fg_bench_dut *d);
int fg_bench_flowgate_flush(struct fg_bench_dut *d);

struct fg_datapath;
struct fg_insp_test;
struct fg_policy;
/* Parse, compile and install the policy text yaml into dp; t (optional)
 * first marks a rule for inspection. keep (optional) receives the parsed
 * policy (the L7 engine owns it then). 0 or -errno (reason printed). */
int fg_bench_fg_install(struct fg_datapath *dp, const char *yaml,
			const struct fg_insp_test *t, struct fg_policy **keep);

/* Other firewalls (userspace/bench_ext.c). */
extern const struct fg_bench_dut_ops fg_bench_nft_linear;	/* "nft-linear" */
extern const struct fg_bench_dut_ops fg_bench_nft_set;		/* "nft-set" */
extern const struct fg_bench_dut_ops fg_bench_ipt_linear;	/* "iptables-linear" */
extern const struct fg_bench_dut_ops fg_bench_ipt_ipset;	/* "iptables-ipset" */
extern const struct fg_bench_dut_ops fg_bench_xdp_filter;	/* "xdp-filter" */
/* iptables-legacy (x_tables), if installed: "iptables-legacy-linear" */
extern const struct fg_bench_dut_ops fg_bench_ipt_legacy_linear;

#endif /* FG_BENCH_DUT_H */
