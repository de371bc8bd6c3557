// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_dut_fg.c - the XDP systems under test of `flowgate bench`: bare
 * XDP drop, bare XDP pass (no firewall at all: the forwarding baseline) and
 * flowgate itself, behind the interface of bench_dut.h.
 *
 * flowgate's policy, generated: rules 1..N-1 ("fillers") name distinct
 * single source addresses outside the traffic's prefix, with the traffic's
 * protocol and port; rule N names the traffic's prefix. deny: rule N
 * denies, fillers and the default allow (a classifier that picked the wrong
 * rule would let the traffic through, visibly). !deny: rule N allows,
 * fillers and the default deny.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_dut.h"
#include "bench_gen.h"
#include "compile.h"
#include "datapath.h"
#include "diag.h"
#include "flowgate.h"
#include "inspect_test.h"
#include "policy.h"
#include "flowgate_xdp.skel.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Attach natively inside netns_fd, then come back. */
static int xdp_attach_in(int netns_fd, int ifindex, int prog_fd, bool detach)
{
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int err;

	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET)) {
		err = -errno;
		close(self);
		return err;
	}
	if (detach)
		err = bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	else
		err = bpf_xdp_attach(ifindex, prog_fd, XDP_FLAGS_DRV_MODE,
				     NULL);
	if (setns(self, CLONE_NEWNET) && !err)
		err = -errno;
	close(self);
	return err;
}

/* ---- bare XDP drop / pass ---- */

struct bare_priv {
	struct fg_bench_counter *k;
	int netns_fd, ifindex;
	bool pass;
};

static int bare_available(char *why, size_t len)
{
	return 0;
}

static int bare_setup(struct fg_bench_dut *d, const struct fg_bench_dut_cfg *cfg,
		      bool pass)
{
	struct bare_priv *p = calloc(1, sizeof(*p));
	double t0 = now_s();
	int err;

	if (!p)
		return -ENOMEM;
	p->pass = pass;
	p->netns_fd = cfg->netns_fd;
	p->ifindex = cfg->ifindex;
	err = fg_bench_counter_open(&p->k, pass ? XDP_PASS : XDP_DROP, 0);
	if (err)
		goto out_free;
	err = xdp_attach_in(cfg->netns_fd, cfg->ifindex,
			    fg_bench_counter_fd(p->k), false);
	if (err)
		goto out_close;
	d->priv = p;
	d->load_s = now_s() - t0;
	snprintf(d->detail, sizeof(d->detail), "count + XDP_%s, native",
		 pass ? "PASS" : "DROP");
	return 0;
out_close:
	fg_bench_counter_close(p->k);
out_free:
	free(p);
	return err;
}

static int drop_setup(struct fg_bench_dut *d, const struct fg_bench_dut_cfg *cfg)
{
	return bare_setup(d, cfg, false);
}

static int pass_setup(struct fg_bench_dut *d, const struct fg_bench_dut_cfg *cfg)
{
	return bare_setup(d, cfg, true);
}

static int bare_count(struct fg_bench_dut *d, struct fg_bench_dut_count *c)
{
	struct bare_priv *p = d->priv;

	fg_bench_counter_read(p->k, &c->matched, NULL);
	c->dropped = p->pass ? 0 : c->matched;
	return 0;
}

static void bare_teardown(struct fg_bench_dut *d)
{
	struct bare_priv *p = d->priv;

	if (!p)
		return;
	xdp_attach_in(p->netns_fd, p->ifindex, -1, true);
	fg_bench_counter_close(p->k);
	free(p);
	d->priv = NULL;
}

const struct fg_bench_dut_ops fg_bench_xdp_drop = {
	.name = "xdp-drop",
	.label = "bare XDP drop",
	.xdp = true,
	.available = bare_available,
	.setup = drop_setup,
	.count = bare_count,
	.teardown = bare_teardown,
};

const struct fg_bench_dut_ops fg_bench_xdp_pass = {
	.name = "xdp-pass",
	.label = "no firewall (XDP pass)",
	.xdp = true,
	.available = bare_available,
	.setup = pass_setup,
	.count = bare_count,
	.teardown = bare_teardown,
};

/* ---- flowgate ---- */

struct fg_priv {
	struct fg_datapath dp;
	bool dp_open;
	struct flowgate_xdp_bpf *xdp;
	int prog_fd;
	int netns_fd, ifindex;
	bool attached;
};

static int fg_available(char *why, size_t len)
{
	return 0;
}

/* Filler i: a single address outside the traffic's prefix. */
static void filler(FILE *f, int family, __u32 i)
{
	if (family == AF_INET6) {
		fprintf(f, "fd00:ff::%x:%x", i >> 16, i & 0xffff);
		return;
	}
	i += 0xc6120000u;	/* 198.18.0.0/15, RFC 2544's range */
	fprintf(f, "%u.%u.%u.%u", i >> 24, (i >> 16) & 255, (i >> 8) & 255,
		i & 255);
}

static char *policy_yaml(const struct fg_bench_dut_cfg *cfg)
{
	const struct fg_bench_traffic *t = cfg->t;
	const char *filler_act = cfg->deny ? "allow" : "deny";
	const char *last_act = cfg->deny ? "deny" : "allow";
	const char *proto = t->proto == IPPROTO_TCP ? "tcp" : "udp";
	char src[INET6_ADDRSTRLEN], *buf = NULL;
	size_t len = 0;
	FILE *f;
	__u32 i;

	if (!inet_ntop(t->family, t->src, src, sizeof(src)))
		return NULL;
	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fprintf(f, "version: 1\ndefault: %s\nrules:\n", filler_act);
	for (i = 0; i + 1 < cfg->rules; i++) {
		fprintf(f, "  - {name: f%u, from: ", i);
		filler(f, t->family, i);
		fprintf(f, ", proto: %s, ports: [%u], action: %s}\n", proto,
			t->dport, filler_act);
	}
	fprintf(f, "  - {name: last, from: %s/%u, proto: %s, ports: [%u], "
		"action: %s}\n", src, t->src_plen, proto, t->dport, last_act);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int fg_bench_fg_install(struct fg_datapath *dp, const char *yaml,
			const struct fg_insp_test *t, struct fg_policy **keep)
{
	struct fg_policy *pol = NULL;
	struct fg_compiled c;
	struct fg_diags dg = { 0 };
	char *txt;
	int err;

	memset(&c, 0, sizeof(c));
	err = fg_policy_parse("bench.yaml", yaml, strlen(yaml), &pol, &dg);
	if (!err && t && fg_insp_test_apply(t, pol)) {
		fprintf(stderr, "flowgate bench: generated policy has no rule "
			"'%s' to inspect\n", t->rule);
		err = -ENOENT;
		goto out;
	}
	if (!err)
		err = fg_compile(pol, dp->max_rules, &c, &dg);
	if (err) {
		txt = fg_diags_join(&dg);
		fprintf(stderr, "flowgate bench: generated policy rejected: "
			"%s\n", txt ? txt : "");
		free(txt);
		goto out;
	}
	err = fg_dp_install(dp, &c);
	err = err < 0 ? err : 0;
	fg_compiled_free(&c);
	if (!err && keep) {
		*keep = pol;
		pol = NULL;
	}
out:
	fg_policy_free(pol);
	fg_diags_free(&dg);
	return err < 0 ? err : (err ? -EINVAL : 0);
}

static int fg_install(struct fg_priv *p, const struct fg_bench_dut_cfg *cfg)
{
	char *yaml = policy_yaml(cfg);
	int err;

	if (!yaml)
		return -ENOMEM;
	err = fg_bench_fg_install(&p->dp, yaml, NULL, NULL);
	free(yaml);
	return err;
}

static void fg_teardown(struct fg_bench_dut *d)
{
	struct fg_priv *p = d->priv;

	if (!p)
		return;
	if (p->attached)
		xdp_attach_in(p->netns_fd, p->ifindex, -1, true);
	if (p->xdp)
		fg_dp_xdp_close(p->xdp);
	if (p->dp_open)
		fg_dp_close(&p->dp);
	free(p);
	d->priv = NULL;
}

static int fg_setup(struct fg_bench_dut *d, const struct fg_bench_dut_cfg *cfg)
{
	struct fg_dp_opts o = {
		.max_rules = cfg->rules + 64,
		.flow_entries = cfg->flow_entries,
	};
	struct fg_priv *p = calloc(1, sizeof(*p));
	struct bpf_program *prog;
	double t0 = now_s();
	int err;

	if (!p)
		return -ENOMEM;
	d->priv = p;
	p->netns_fd = cfg->netns_fd;
	p->ifindex = cfg->ifindex;
	err = fg_dp_open(&p->dp, &o);
	if (err)
		goto out_fail;
	p->dp_open = true;
	err = fg_dp_xdp_open(&p->dp, &p->xdp);
	if (!err)
		err = fg_dp_xdp_load(p->xdp);
	if (err)
		goto out_fail;
	prog = bpf_object__find_program_by_name(p->xdp->obj, FG_BPF_PROG_XDP);
	if (!prog) {
		err = -ENOENT;
		goto out_fail;
	}
	p->prog_fd = bpf_program__fd(prog);
	err = fg_dp_add_iface(&p->dp, (__u32)cfg->ifindex);
	if (!err)
		err = fg_install(p, cfg);
	if (err)
		goto out_fail;
	d->load_s = now_s() - t0;
	if (cfg->load_timeout_s > 0 && d->load_s > cfg->load_timeout_s) {
		err = -ETIMEDOUT;
		goto out_fail;
	}
	/* netns_fd < 0: loaded, not attached (micro-benchmarks). */
	if (cfg->netns_fd >= 0) {
		err = xdp_attach_in(cfg->netns_fd, cfg->ifindex, p->prog_fd,
				    false);
		if (err)
			goto out_fail;
		p->attached = true;
	}
	snprintf(d->detail, sizeof(d->detail), "%u rules, %u flow entries, "
		 "XDP native", cfg->rules, p->dp.flow_entries);
	return 0;
out_fail:
	fg_teardown(d);
	return err;
}

static int fg_count(struct fg_bench_dut *d, struct fg_bench_dut_count *c)
{
	struct fg_priv *p = d->priv;
	struct fg_counters fc;
	int err, i;

	err = fg_dp_read_counters(&p->dp, &fc);
	if (err)
		return err;
	c->matched = 0;
	for (i = 0; i < FG_VERDICT_MAX; i++)
		c->matched += fc.verdict[i];
	c->dropped = fc.verdict[FG_VERDICT_DENY] +
		     fc.verdict[FG_VERDICT_MALFORMED];
	c->flows_new = fc.cnt[FG_CNT_FLOW_NEW];
	return 0;
}

const struct fg_bench_dut_ops fg_bench_flowgate = {
	.name = "flowgate",
	.label = "flowgate",
	.xdp = true,
	.available = fg_available,
	.setup = fg_setup,
	.count = fg_count,
	.teardown = fg_teardown,
};

/* The XDP program of a flowgate DUT (micro-benchmarks run it directly). */
int fg_bench_flowgate_prog_fd(const struct fg_bench_dut *d)
{
	const struct fg_priv *p = d->priv;

	return p ? p->prog_fd : -ENOENT;
}

/* Empty a flowgate DUT's flow table (new-flow micro-benchmarks). */
int fg_bench_flowgate_flush(struct fg_bench_dut *d)
{
	struct fg_priv *p = d->priv;
	struct timespec ts;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = fg_dp_flows_gc(&p->dp, (__u64)ts.tv_sec * 1000000000ull +
			   (__u64)ts.tv_nsec + (1ULL << 62));
	if (n < 0)
		return (int)n;
	n = fg_dp_flows_count(&p->dp);
	return n < 0 ? (int)n : n ? -ENOTEMPTY : 0;
}
