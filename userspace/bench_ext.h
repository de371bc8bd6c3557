/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_ext.h - how bench_ext.c turns a benchmark policy into the input of
 * the other firewalls (nft, iptables-restore, ipset, xdp-filter). Exposed
 * for its unit test; the harness uses only the ops in bench_dut.h.
 *
 * The policy, for every system: N rules, 1..N-1 match source addresses
 * outside the traffic's prefix ("fillers"), rule N matches the traffic's
 * prefix, protocol and port and drops it (cfg->deny). When !cfg->deny,
 * rule N names a port the traffic does not use, so every rule is evaluated
 * and none matches: the per-packet work is the same, the traffic passes.
 */
#ifndef FG_BENCH_EXT_H
#define FG_BENCH_EXT_H

#include <stdio.h>

#include "bench_dut.h"

/* xdp-filter keeps all its state under this bpffs directory (global). */
#define FG_EXT_XDPF_PIN_DIR	"/sys/fs/bpf/xdp-filter"
/* The named nft counter on the deciding rule. */
#define FG_EXT_NFT_COUNTER	"hits"

/* 0 if cfg describes a policy this module can express, else -EINVAL. */
int fg_ext_check_cfg(const struct fg_bench_dut_cfg *cfg);

/* The port the deciding rule (rule N) names, host order. */
__u16 fg_ext_rule_port(const struct fg_bench_dut_cfg *cfg);

/*
 * The i-th filler source address (i from 0): distinct for distinct i and
 * outside the traffic's prefix. IPv4 counts up from 198.18.0.0 (skipping
 * the prefix), IPv6 from a /64 the prefix does not cover. -ERANGE when no
 * such address exists.
 */
int fg_ext_filler(const struct fg_bench_traffic *t, __u32 i, __u8 addr[16]);

/* `nft -f` input: table netdev <table> with a chain on cfg->ifname;
 * set: the rules as one lookup in an interval set. */
int fg_ext_write_nft(FILE *f, const struct fg_bench_dut_cfg *cfg,
		     const char *table, bool set);

/* `iptables-restore --noflush` input (raw table): chain <chain> with the
 * rules, jumped to from PREROUTING for cfg->ifname; ipset != NULL: one
 * rule matching that ipset instead of N linear rules. */
int fg_ext_write_ipt(FILE *f, const struct fg_bench_dut_cfg *cfg,
		     const char *chain, const char *ipset);

/* `iptables-restore --noflush` input that removes what the above added. */
int fg_ext_write_ipt_undo(FILE *f, const char *ifname, const char *chain);

/* `ipset restore` input: hash:net <set> of the N addresses/prefixes. */
int fg_ext_write_ipset(FILE *f, const struct fg_bench_dut_cfg *cfg,
		       const char *set);

/*
 * argv of `xdp-filter load` and `xdp-filter port` for cfg. buf holds the
 * strings argv points to; argv gets at most max entries, NULL-terminated.
 * One rule: the port-only program; more: the program that also looks up
 * addresses (the fillers go straight into its address map).
 */
int fg_ext_xdpf_load_argv(const struct fg_bench_dut_cfg *cfg, char *buf,
			  size_t len, char *argv[], int max);
int fg_ext_xdpf_port_argv(const struct fg_bench_dut_cfg *cfg, char *buf,
			  size_t len, char *argv[], int max);

#endif /* FG_BENCH_EXT_H */
