// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_run.c - what `flowgate bench` measures and in which order: the
 * suites become a plan of configurations (system, rule count, traffic
 * profile, drop or forward), each gets its own DUT namespace, and the
 * rounds run them interleaved (A B C A B C ...), so slow drifts of a noisy
 * machine hit every configuration alike.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "bench.h"
#include "bench_gen.h"
#include "bench_topo.h"

volatile int fg_bench_stop;

static const struct fg_bench_dut_ops *const systems[] = {
	&fg_bench_xdp_drop,
	&fg_bench_xdp_pass,
	&fg_bench_flowgate,
	&fg_bench_nft_linear,
	&fg_bench_nft_set,
	&fg_bench_ipt_linear,
	&fg_bench_ipt_ipset,
	&fg_bench_ipt_legacy_linear,
	&fg_bench_xdp_filter,
};
#define N_SYSTEMS (int)(sizeof(systems) / sizeof(systems[0]))

const struct fg_bench_dut_ops *const *fg_bench_systems(int *n)
{
	*n = N_SYSTEMS;
	return systems;
}

const struct fg_bench_dut_ops *fg_bench_system(const char *name)
{
	int i;

	for (i = 0; i < N_SYSTEMS; i++)
		if (!strcmp(systems[i]->name, name))
			return systems[i];
	return NULL;
}

/* ---- the plan ---- */

struct planner {
	struct fg_bench_result *res;
	const struct fg_bench_opts *o;
	bool want[N_SYSTEMS];
};

static bool wanted(const struct planner *p, const struct fg_bench_dut_ops *ops)
{
	int i;

	for (i = 0; i < N_SYSTEMS; i++)
		if (systems[i] == ops)
			return p->want[i];
	return false;
}

static bool same_prof(const struct fg_bench_profile *a,
		      const struct fg_bench_profile *b)
{
	return a->family == b->family && a->proto == b->proto &&
	       a->known == b->known && a->new_pct == b->new_pct &&
	       a->syn == b->syn;
}

static int find_cfg(const struct fg_bench_result *res,
		    const struct fg_bench_dut_ops *ops, enum fg_bench_kind kind,
		    const struct fg_bench_profile *prof)
{
	int i;

	for (i = 0; i < res->n_cfg; i++)
		if (res->cfg[i].ops == ops && res->cfg[i].kind == kind &&
		    same_prof(&res->cfg[i].prof, prof))
			return i;
	return -1;
}

static const char *prof_name(const struct fg_bench_profile *p, char *buf,
			     size_t len)
{
	const char *l4 = p->proto == IPPROTO_TCP ? "TCP" : "UDP";

	if (p->new_pct == 100)
		snprintf(buf, len, "IPv%d %s, every frame a new flow",
			 p->family, l4);
	else if (p->syn)
		snprintf(buf, len, "IPv%d %u established + %d%% SYN flood",
			 p->family, p->known, p->new_pct);
	else if (p->new_pct)
		snprintf(buf, len, "IPv%d %s, %u flows + %d%% new", p->family,
			 l4, p->known, p->new_pct);
	else
		snprintf(buf, len, "IPv%d %s, %u flow%s", p->family, l4,
			 p->known, p->known == 1 ? "" : "s");
	return buf;
}

static struct fg_bench_cfg *add(struct planner *p, const char *suite,
				const struct fg_bench_dut_ops *ops,
				__u32 rules, enum fg_bench_kind kind,
				const struct fg_bench_profile *prof,
				__u32 flow_entries)
{
	struct fg_bench_result *res = p->res;
	struct fg_bench_cfg *c;
	char pn[80];

	if (res->n_cfg >= FG_BENCH_MAX_CFGS)
		return NULL;
	c = &res->cfg[res->n_cfg++];
	memset(c, 0, sizeof(*c));
	c->suite = suite;
	c->ops = ops;
	c->rules = rules;
	c->kind = kind;
	c->prof = *prof;
	c->flow_entries = flow_entries;
	c->base = c->none = -1;
	snprintf(c->key, sizeof(c->key), "%s/%s/%u/%s/k%u/n%d", suite,
		 ops->name, rules, kind == FG_BK_DENY ? "deny" :
		 kind == FG_BK_FORWARD ? "fwd" : "new", prof->known,
		 prof->new_pct);
	prof_name(prof, pn, sizeof(pn));
	if (ops == &fg_bench_xdp_drop || ops == &fg_bench_xdp_pass)
		snprintf(c->label, sizeof(c->label), "%s", ops->label);
	else if (kind == FG_BK_DENY)
		snprintf(c->label, sizeof(c->label), "%s, deny at rule %u/%u",
			 ops->label, rules, rules);
	else
		snprintf(c->label, sizeof(c->label), "%s, %u rules, allowed",
			 ops->label, rules);
	return c;
}

/* The baselines every row is compared with, in the same round. */
static int add_baselines(struct planner *p)
{
	struct fg_bench_result *res = p->res;
	int i, n = res->n_cfg;

	for (i = 0; i < n; i++) {
		struct fg_bench_cfg *c = &res->cfg[i];
		int b = find_cfg(res, &fg_bench_xdp_drop, FG_BK_DENY, &c->prof);

		if (b < 0) {
			if (!add(p, "baseline", &fg_bench_xdp_drop, 0,
				 FG_BK_DENY, &c->prof, 0))
				return -ENOSPC;
		}
		if (c->kind == FG_BK_DENY)
			continue;
		b = find_cfg(res, &fg_bench_xdp_pass, FG_BK_FORWARD, &c->prof);
		if (b < 0 && !add(p, "baseline", &fg_bench_xdp_pass, 0,
				  FG_BK_FORWARD, &c->prof, 0))
			return -ENOSPC;
	}
	for (i = 0; i < res->n_cfg; i++) {
		struct fg_bench_cfg *c = &res->cfg[i];

		c->base = find_cfg(res, &fg_bench_xdp_drop, FG_BK_DENY,
				   &c->prof);
		if (c->kind != FG_BK_DENY)
			c->none = find_cfg(res, &fg_bench_xdp_pass,
					   FG_BK_FORWARD, &c->prof);
	}
	return 0;
}

/* Flow table entries for K concurrent flows: room for all, a power of 2. */
static __u32 table_for(__u32 k)
{
	__u32 n = 1024;

	while (n < k + k / 4 && n < (1u << 26))
		n <<= 1;
	return n;
}

static bool is_firewall(const struct fg_bench_dut_ops *ops)
{
	return ops != &fg_bench_xdp_drop && ops != &fg_bench_xdp_pass;
}

static void plan_rules(struct planner *p, const __u32 *ns, int n_ns)
{
	const struct fg_bench_opts *o = p->o;
	struct fg_bench_profile prof = {
		.family = o->family, .proto = o->proto, .known = 1,
		.new_pct = o->new_pct,
	};
	int i, k;

	for (k = 0; k < n_ns; k++)
		for (i = 0; i < N_SYSTEMS; i++) {
			if (!p->want[i] || !is_firewall(systems[i]))
				continue;
			/* xdp-filter's goal is about its own simple port
			 * rule: one rule, in the standard suite. */
			if (systems[i] == &fg_bench_xdp_filter &&
			    (o->suites & FG_SUITE_STANDARD) && ns[k] != 1)
				continue;
			add(p, "rules", systems[i], ns[k], FG_BK_DENY, &prof, 0);
		}
}

int fg_bench_plan(struct fg_bench_result *res, const struct fg_bench_opts *o)
{
	struct planner p = { .res = res, .o = o };
	struct fg_bench_profile prof = {
		.family = o->family, .proto = o->proto, .known = 1,
	};
	bool std = o->suites & FG_SUITE_STANDARD;
	char why[160];
	int i, j;

	res->o = o;
	res->n_cfg = 0;
	for (i = 0; i < o->n_systems; i++) {
		if (!fg_bench_system(o->systems[i])) {
			fprintf(stderr, "flowgate bench: unknown system '%s' "
				"(--list-systems shows them)\n", o->systems[i]);
			return -EINVAL;
		}
	}
	for (i = 0; i < N_SYSTEMS; i++) {
		bool asked = !o->n_systems;

		for (j = 0; j < o->n_systems; j++)
			asked |= !strcmp(o->systems[j], systems[i]->name);
		if (!asked)
			continue;
		why[0] = 0;
		if (systems[i]->available(why, sizeof(why))) {
			if (o->n_systems || systems[i] !=
			    &fg_bench_ipt_legacy_linear)
				fprintf(stderr, "flowgate bench: skipping %s: "
					"%s\n", systems[i]->name, why);
			continue;
		}
		p.want[i] = true;
	}

	if (std) {
		/* The goals: deny at 10k and 100k rules against
		 * bare drop, 1000 linear rules / a set against nftables and
		 * iptables, xdp-filter's single port rule. */
		static const __u32 fg_ns[] = { 10000, 100000 };
		static const __u32 thousand[] = { 1000 };

		plan_rules(&p, thousand, 1);
		if (wanted(&p, &fg_bench_xdp_filter))
			add(&p, "rules", &fg_bench_xdp_filter, 1, FG_BK_DENY,
			    &prof, 0);
		for (i = 0; i < 2 && wanted(&p, &fg_bench_flowgate); i++)
			add(&p, "rules", &fg_bench_flowgate, fg_ns[i],
			    FG_BK_DENY, &prof, 0);
	}
	if (o->suites & FG_SUITE_RULES)
		plan_rules(&p, o->rules, o->n_rules);
	if ((o->suites & FG_SUITE_FLOWS) && wanted(&p, &fg_bench_flowgate)) {
		for (i = 0; i < o->n_flows; i++) {
			struct fg_bench_profile f = prof;

			f.known = o->flows[i];
			add(&p, "flows", &fg_bench_flowgate, 10, FG_BK_FORWARD,
			    &f, table_for(f.known));
		}
	}
	if ((std || (o->suites & FG_SUITE_FORWARD)) &&
	    wanted(&p, &fg_bench_xdp_pass)) {
		/* Allowed known flows through the router: 100,000 of them
		 * (the goal), every firewall that can pass them. */
		struct fg_bench_profile f = prof;

		f.known = 100000;
		for (i = 0; i < N_SYSTEMS; i++) {
			if (!p.want[i] || !is_firewall(systems[i]))
				continue;
			if (std && systems[i] != &fg_bench_flowgate)
				continue;
			add(&p, "forward", systems[i], 10, FG_BK_FORWARD, &f,
			    table_for(f.known));
		}
	}
	if ((std || (o->suites & FG_SUITE_NEWFLOW)) &&
	    wanted(&p, &fg_bench_flowgate)) {
		struct fg_bench_profile f = prof;

		f.new_pct = 100;
		add(&p, "newflow", &fg_bench_flowgate, 10, FG_BK_NEWFLOW, &f,
		    0);
	}
	if ((std || (o->suites & FG_SUITE_SYNFLOOD)) &&
	    wanted(&p, &fg_bench_flowgate)) {
		/* 1,000 established TCP flows, half the frames SYNs from
		 * new sources, into a table of 8,192 entries: it overflows
		 * within milliseconds. */
		struct fg_bench_profile f = {
			.family = o->family, .proto = IPPROTO_TCP,
			.known = 1000, .new_pct = 50, .syn = true,
		};

		add(&p, "synflood", &fg_bench_flowgate, 10, FG_BK_FORWARD, &f,
		    8192);
	}
	/* Flowgate at every row needs its baselines; xdp-drop and
	 * xdp-pass are always measured (they are the reference). */
	if (res->n_cfg && add_baselines(&p))
		return -ENOSPC;
	if (!res->n_cfg &&
	    !(o->suites & (FG_SUITE_MICRO | FG_SUITE_INSPECT))) {
		fprintf(stderr, "flowgate bench: nothing to measure with these "
			"--suite and --systems\n");
		return -EINVAL;
	}
	return 0;
}

/* ---- execution ---- */

struct live {
	struct fg_topo_chain *chain;
	struct fg_bench_dut dut;
	bool set_up;
	__u8 frame[FG_BENCH_FRAME_MAX];
	int frame_len;
	struct fg_bench_gen *gen;
	bool front;		/* counting XDP_PASS in front (non-XDP DUT) */
	bool warmed;
};

struct exec {
	struct fg_bench_result *res;
	struct fg_topo topo;
	struct fg_bench_counter *sink, *front;
	struct fg_bench_traffic traffic[2];	/* IPv4, IPv6 */
	struct live live[FG_BENCH_MAX_CFGS];
};

static void traffic_init(struct fg_bench_traffic *t, int family)
{
	memset(t, 0, sizeof(*t));
	t->family = family == 6 ? AF_INET6 : AF_INET;
	inet_pton(t->family, family == 6 ? FG_TOPO_SRC6 : FG_TOPO_SRC4, t->src);
	inet_pton(t->family, family == 6 ? FG_TOPO_DST6 : FG_TOPO_DST4, t->dst);
	t->src_plen = family == 6 ? FG_TOPO_SRC6_PLEN : FG_TOPO_SRC4_PLEN;
	t->dport = FG_BENCH_DPORT;
}

static int setup_one(struct exec *x, int i)
{
	struct fg_bench_cfg *c = &x->res->cfg[i];
	const struct fg_bench_opts *o = x->res->o;
	struct live *l = &x->live[i];
	struct fg_bench_traffic *t;
	struct fg_bench_dut_cfg dc;
	int err;

	err = fg_topo_add_chain(&x->topo, &l->chain);
	if (err) {
		fprintf(stderr, "flowgate bench: building the topology: %s\n",
			strerror(-err));
		return err;
	}
	err = fg_bench_counter_attach(x->sink, &x->topo, x->topo.sink_fd,
				      l->chain->sink_ifindex);
	if (err) {
		fprintf(stderr, "flowgate bench: sink program on %s: %s\n",
			l->chain->sink_if, strerror(-err));
		return err;
	}
	if (!c->ops->xdp) {
		err = fg_bench_counter_attach(x->front, &x->topo,
					      l->chain->dut_fd,
					      l->chain->din_ifindex);
		if (err) {
			fprintf(stderr, "flowgate bench: counter on %s: %s\n",
				l->chain->din, strerror(-err));
			return err;
		}
		l->front = true;
	}
	l->frame_len = fg_bench_frame(l->frame, sizeof(l->frame),
				      c->prof.family, c->prof.proto,
				      o->pkt_size, l->chain);
	if (l->frame_len < 0)
		return l->frame_len;
	x->res->frame_len = l->frame_len;
	/* Only forwarded frames come back edited (see bench_gen.bpf.c). */
	err = fg_bench_gen_open(&l->gen, &c->prof, l->frame,
				c->kind == FG_BK_DENY ? 0 :
				14 + (c->prof.family == 6 ? 40 : 20));
	if (err) {
		fprintf(stderr, "flowgate bench: loading the generator: %s\n",
			strerror(-err));
		return err;
	}
	t = &x->traffic[c->prof.family == 6];
	t->proto = c->prof.proto;
	dc = (struct fg_bench_dut_cfg){
		.netns_fd = l->chain->dut_fd,
		.ifname = l->chain->din,
		.ifindex = l->chain->din_ifindex,
		.rules = c->rules ? c->rules : 1,
		.deny = c->kind == FG_BK_DENY,
		.t = t,
		.workdir = "/tmp",
		.load_timeout_s = o->load_timeout,
		.flow_entries = c->flow_entries,
	};
	l->dut.ops = c->ops;
	fprintf(stderr, "flowgate bench: setting up %s (%s)...\n", c->label,
		c->suite);
	err = c->ops->setup(&l->dut, &dc);
	if (err) {
		c->skipped = true;
		if (err == -ETIMEDOUT)
			snprintf(c->why, sizeof(c->why), "could not load %u "
				 "rules within %.0f s", c->rules,
				 o->load_timeout);
		else
			snprintf(c->why, sizeof(c->why), "setup failed: %s",
				 strerror(-err));
		fprintf(stderr, "flowgate bench: skipping %s: %s\n", c->label,
			c->why);
		return 0;
	}
	l->set_up = true;
	c->load_s = l->dut.load_s;
	snprintf(c->detail, sizeof(c->detail), "%s", l->dut.detail);
	return 0;
}

struct snap {
	__u64 rx, dropped, passed, passed_known, flows_new;
};

static int snap(struct exec *x, int i, struct snap *s)
{
	struct live *l = &x->live[i];
	struct fg_bench_dut_count dc;
	int err;

	memset(&dc, 0, sizeof(dc));
	err = l->dut.ops->count(&l->dut, &dc);
	if (err)
		return err;
	s->rx = dc.matched;
	if (l->front)
		fg_bench_counter_read(x->front, &s->rx, NULL);
	s->dropped = dc.dropped;
	s->flows_new = dc.flows_new;
	fg_bench_counter_read(x->sink, &s->passed, &s->passed_known);
	return 0;
}

static int run_one(struct exec *x, int i)
{
	struct fg_bench_cfg *c = &x->res->cfg[i];
	const struct fg_bench_opts *o = x->res->o;
	struct live *l = &x->live[i];
	struct fg_bench_run *r = &c->run[c->n];
	struct snap a, b;
	int err;

	memset(r, 0, sizeof(*r));
	/* K known flows: send each once before measuring, so they are
	 * known flows, not new ones, when the clock starts. */
	if (!l->warmed && c->prof.known > 1) {
		struct fg_bench_run w = { 0 };

		err = fg_bench_gen_run(l->gen, &x->topo, l->chain, l->frame,
				       l->frame_len, 0.05 +
				       c->prof.known * 1e-6, &w);
		if (err)
			return err;
	}
	l->warmed = true;
	err = snap(x, i, &a);
	if (!err)
		err = fg_bench_gen_run(l->gen, &x->topo, l->chain, l->frame,
				       l->frame_len, o->duration, r);
	if (!err)
		err = snap(x, i, &b);
	if (err)
		return err;
	r->rx = b.rx - a.rx;
	r->dropped = b.dropped - a.dropped;
	r->passed = b.passed - a.passed;
	r->passed_known = b.passed_known - a.passed_known;
	r->flows_new = b.flows_new - a.flows_new;
	c->rate[c->n] = (double)(c->kind == FG_BK_DENY ? r->rx : r->passed) /
			r->secs / 1e6;
	c->flows_rate[c->n] = (double)r->flows_new / r->secs / 1e6;
	c->known_share[c->n] = r->sent_known ?
		(double)r->passed_known / (double)r->sent_known : NAN;
	c->n++;
	return 0;
}

static void derive(struct fg_bench_result *res)
{
	int i;

	for (i = 0; i < res->n_cfg; i++) {
		struct fg_bench_cfg *c = &res->cfg[i];

		if (c->base >= 0)
			fg_bench_ratio(c->rate, res->cfg[c->base].rate, c->n,
				       c->ratio);
		if (c->none >= 0)
			fg_bench_ratio(c->rate, res->cfg[c->none].rate, c->n,
				       c->vs_none);
		else
			fg_bench_ratio(c->rate, c->rate, 0, c->vs_none);
	}
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int fg_bench_execute(struct fg_bench_result *res)
{
	const struct fg_bench_opts *o = res->o;
	struct exec *x = calloc(1, sizeof(*x));
	int i, r, err;

	if (!x)
		return -ENOMEM;
	x->res = res;
	traffic_init(&x->traffic[0], 4);
	traffic_init(&x->traffic[1], 6);
	err = pin_cpu(o->cpu);
	if (err) {
		fprintf(stderr, "flowgate bench: pinning to CPU %d: %s\n",
			o->cpu, strerror(-err));
		goto out_free;
	}
	err = fg_topo_open(&x->topo);
	if (err) {
		fprintf(stderr, "flowgate bench: creating namespaces: %s\n",
			strerror(-err));
		goto out_free;
	}
	err = fg_bench_counter_open(&x->sink, XDP_DROP, FG_TOPO_SRC_BASE);
	if (!err)
		err = fg_bench_counter_open(&x->front, XDP_PASS, 0);
	if (err) {
		fprintf(stderr, "flowgate bench: loading the counting "
			"programs: %s\n", strerror(-err));
		goto out_teardown;
	}
	for (i = 0; i < res->n_cfg && !fg_bench_stop; i++) {
		err = setup_one(x, i);
		if (err)
			goto out_teardown;
	}
	for (r = 0; r < o->reps && !fg_bench_stop; r++) {
		fprintf(stderr, "flowgate bench: round %d/%d\n", r + 1,
			o->reps);
		for (i = 0; i < res->n_cfg && !fg_bench_stop; i++) {
			if (!x->live[i].set_up)
				continue;
			err = run_one(x, i);
			if (err) {
				if (err != -EINTR)
					fprintf(stderr, "flowgate bench: %s: "
						"%s\n", res->cfg[i].label,
						strerror(-err));
				goto out_teardown;
			}
		}
	}
	derive(res);
out_teardown:
	for (i = res->n_cfg - 1; i >= 0; i--) {
		if (x->live[i].set_up)
			res->cfg[i].ops->teardown(&x->live[i].dut);
		fg_bench_gen_close(x->live[i].gen);
	}
	fg_topo_close(&x->topo);
	fg_bench_counter_close(x->sink);
	fg_bench_counter_close(x->front);
out_free:
	free(x);
	if (fg_bench_stop)
		return -EINTR;
	return err;
}
