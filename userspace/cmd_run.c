// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_run.c - `flowgate run`: load and compile the policy, open the
 * datapath, attach to every interface, then serve the control socket,
 * write events and collect expired flows until SIGINT/SIGTERM, when it
 * detaches exactly what it attached and exits 0. SIGHUP reloads the file.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "cli.h"
#include "compile.h"
#include "ctl.h"
#include "datapath.h"
#include "events.h"
#include "format.h"
#include "inspect.h"
#include "inspect_test.h"
#include "l7_engine.h"
#include "json.h"
#include "log.h"
#include "netlink.h"
#include "policy.h"
#include "render.h"

/* What user space remembers about one installed generation: the kernel
 * only knows rule ids, flows and events name rules through this. */
struct gen_info {
	__u32 gen;			/* 0: none */
	__u32 n_rules;			/* compiled; id n_rules is the default */
	char **names;			/* n_rules + 1 */
	__u8 *flags;			/* FG_RULE_F_*, n_rules + 1 */
	__u8 *actions;			/* enum fg_action, n_rules + 1 */
	/* Totals of same-named rules in earlier generations, so counters
	 * survive reloads: shown = carry + this generation's counters. */
	struct fg_rule_counters *carry;
};

struct daemon {
	const struct fg_run_opts *o;
	struct fg_datapath dp;
	bool dp_open;
	struct fg_attachment att[FG_MAX_IFACES];
	size_t n_att;

	char *policy_path;		/* absolute */
	__u32 policy_rules;
	enum fg_action default_action;
	__u8 policy_sha[32];
	struct gen_info cur, prev;
	__u64 reloads;
	__u64 gc_deleted;
	__u64 start_ns;

	int lfd, sfd, tfd, epfd;
	FILE *ev_out;
	struct fg_events ev;
	bool ev_open;
	bool stop;
	struct fg_inspector *insp;	/* AF_XDP inspector, NULL if none */
	struct fg_insp_test insp_test;	/* --test-inspect */
	struct fg_l7_engine *l7;	/* the policy's engine, NULL if none */
#define FG_INSP_QUEUES_SHOWN	(FG_MAX_IFACES + 1)
	struct fg_insp_queue_stats insp_q[FG_INSP_QUEUES_SHOWN];
};

/* --test-inspect: applied to every policy this process loads. */
static const struct fg_insp_test *test_inspect;

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- generations ---- */

static void gen_free(struct gen_info *g)
{
	__u32 i;

	if (g->names)
		for (i = 0; i <= g->n_rules; i++)
			free(g->names[i]);
	free(g->names);
	free(g->flags);
	free(g->actions);
	free(g->carry);
	memset(g, 0, sizeof(*g));
}

static int gen_from_compiled(struct gen_info *g, const struct fg_compiled *c,
			     __u32 gen)
{
	__u32 i, n = c->n_rules + 1;

	memset(g, 0, sizeof(*g));
	g->gen = gen;
	g->n_rules = c->n_rules;
	g->names = calloc(n, sizeof(*g->names));
	g->flags = calloc(n, 1);
	g->actions = calloc(n, 1);
	g->carry = calloc(n, sizeof(*g->carry));
	if (!g->names || !g->flags || !g->actions || !g->carry)
		goto oom;
	for (i = 0; i < n; i++) {
		const char *name = c->names ? c->names[i] : NULL;

		if (!name && i == c->n_rules)
			name = "(default)";
		if (name)
			g->names[i] = strdup(name);
		else if (asprintf(&g->names[i], "rule#%u", i) < 0)
			g->names[i] = NULL;
		if (!g->names[i])
			goto oom;
		g->flags[i] = c->meta[i].flags;
		g->actions[i] = c->meta[i].action;
	}
	g->flags[c->n_rules] |= FG_RULE_F_DEFAULT;
	return 0;
oom:
	gen_free(g);
	return -ENOMEM;
}

static const struct gen_info *gen_lookup(const struct daemon *d, __u32 gen)
{
	if (gen && d->cur.gen == gen)
		return &d->cur;
	if (gen && d->prev.gen == gen)
		return &d->prev;
	return NULL;
}

static const char *rule_name(const struct daemon *d, __u32 gen, __u32 rule)
{
	const struct gen_info *g = gen_lookup(d, gen);

	return g && g->names && rule <= g->n_rules ? g->names[rule] : NULL;
}

static const char *ifname_of(const struct daemon *d, __u32 ifindex)
{
	size_t i;

	for (i = 0; i < d->n_att; i++)
		if (d->att[i].ifindex == ifindex)
			return d->att[i].ifname;
	return NULL;
}

static const char *ev_rule_name(void *arg, __u32 gen, __u32 rule)
{
	return rule_name(arg, gen, rule);
}

static const char *ev_ifname(void *arg, __u32 ifindex)
{
	return ifname_of(arg, ifindex);
}

/* Order rule ids of a generation (arg) by name, for qsort_r. */
static int cmp_by_name(const void *a, const void *b, void *arg)
{
	const struct gen_info *g = arg;

	return strcmp(g->names[*(const __u32 *)a], g->names[*(const __u32 *)b]);
}

/* Binary search of name among g's rules sorted by idx; -1 if absent. */
static long find_name(const struct gen_info *g, const __u32 *idx, size_t n,
		      const char *name)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, g->names[idx[mid]]);

		if (!c)
			return idx[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * The new generation `nw` replaced `old`: give each of nw's rules the
 * totals of old's rule with the same name (old's own carry plus what old
 * counted). The default carries to the default. Renamed or removed rules
 * start from zero: their name no longer exists.
 */
static int carry_counters(struct daemon *d, const struct gen_info *old,
			  struct gen_info *nw)
{
	struct fg_rule_counters *cnt;
	__u32 *idx, i, n = old->n_rules;	/* named rules of old */
	int err;

	cnt = calloc(old->n_rules + 1, sizeof(*cnt));
	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!cnt || !idx) {
		err = -ENOMEM;
		goto out;
	}
	err = fg_dp_read_rule_counters(&d->dp, old->gen, old->n_rules, cnt);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), cmp_by_name, (void *)old);
	for (i = 0; i <= nw->n_rules; i++) {
		long o = i == nw->n_rules ? (long)old->n_rules :
			 find_name(old, idx, n, nw->names[i]);

		if (o < 0)
			continue;
		nw->carry[i].packets = old->carry[o].packets + cnt[o].packets;
		nw->carry[i].bytes = old->carry[o].bytes + cnt[o].bytes;
	}
out:
	free(cnt);
	free(idx);
	return err;
}

/* ---- policy ---- */

/*
 * Load and compile path. Returns an exit code: 0 with *p and *c filled, or
 * 2 (bad policy) / 1 (failure) with the reason (diagnostics, one per line)
 * in *why (malloc'd).
 */
static int load_compile(const char *path, __u32 max_rules,
			struct fg_policy **p, struct fg_compiled *c,
			char **why)
{
	struct fg_diags diags = { 0 };
	int err, code;

	*p = NULL;
	*why = NULL;
	memset(c, 0, sizeof(*c));
	err = fg_policy_load(path, p, &diags);
	if (err) {
		code = err == -ENOMEM ? FG_EXIT_FAIL : FG_EXIT_USAGE;
		goto fail;
	}
	if (test_inspect && fg_insp_test_apply(test_inspect, *p)) {
		if (asprintf(why, "%s: --test-inspect: no rule named '%s'",
			     path, test_inspect->rule) < 0)
			*why = NULL;
		fg_policy_free(*p);
		*p = NULL;
		fg_diags_free(&diags);
		return FG_EXIT_USAGE;
	}
	err = fg_compile(*p, max_rules, c, &diags);
	if (err) {
		code = err == -E2BIG || err == -EINVAL ? FG_EXIT_USAGE
							: FG_EXIT_FAIL;
		fg_policy_free(*p);
		*p = NULL;
		goto fail;
	}
	fg_diags_free(&diags);
	return 0;
fail:
	if (diags.n)
		*why = fg_diags_join(&diags);
	else if (asprintf(why, "%s: %s", path, strerror(-err)) < 0)
		*why = NULL;
	fg_diags_free(&diags);
	return code;
}

/*
 * Install path's policy. Returns an exit code; *msg says what happened
 * (success or failure, diagnostics included), malloc'd. On failure nothing
 * changed.
 */
static int install_compiled(struct daemon *d, const char *path,
			    const struct fg_policy *p,
			    const struct fg_compiled *c, char **msg)
{
	struct gen_info g, old;
	char *abs = NULL;
	int code, gen, err;

	*msg = NULL;
	abs = realpath(path, NULL);
	if (!abs) {
		code = FG_EXIT_FAIL;
		if (asprintf(msg, "%s: %s", path, strerror(errno)) < 0)
			*msg = NULL;
		goto out;
	}
	gen = fg_dp_install(&d->dp, c);
	if (gen <= 0) {
		code = FG_EXIT_FAIL;
		if (asprintf(msg, "%s: installing the policy failed: %s", path,
			     strerror(gen ? -gen : EINVAL)) < 0)
			*msg = NULL;
		goto out;
	}
	/* From here the new policy is live: bookkeeping only. */
	err = gen_from_compiled(&g, c, (__u32)gen);
	if (!err && d->cur.names) {
		err = carry_counters(d, &d->cur, &g);
		if (err)	/* counters restart; the policy is fine */
			fg_warn("reload: rule counters of generation %u not carried over: %s",
				d->cur.gen, strerror(-err));
		err = 0;
	}
	if (err) {
		/* Names unknown for this generation: flows/events show
		 * none, counters still work by id. Keep going. */
		fg_warn("generation %d: out of memory for rule names", gen);
		memset(&g, 0, sizeof(g));
		g.gen = (__u32)gen;
	}
	old = d->prev;
	d->prev = d->cur;
	d->cur = g;
	gen_free(&old);
	if (d->policy_path)
		d->reloads++;
	free(d->policy_path);
	d->policy_path = abs;
	abs = NULL;
	d->policy_rules = (__u32)p->n_rules;
	d->default_action = p->default_action;
	memcpy(d->policy_sha, p->sha256, sizeof(d->policy_sha));
	if (asprintf(msg, "%s: %u rule%s (%u compiled), default %s, generation %d",
		     d->policy_path, d->policy_rules,
		     d->policy_rules == 1 ? "" : "s", c->n_rules,
		     fg_action_name(d->default_action), gen) < 0)
		*msg = NULL;
	code = FG_EXIT_OK;
out:
	free(abs);
	return code;
}

/* inspect_failure: --inspect-failure if given, else the policy's. */
static bool failure_open(const struct daemon *d, const struct fg_policy *p)
{
	if (d->o->inspect_failure_set)
		return d->o->inspect_failure_open;
	return p->inspect_failure == FG_POLICY_INSPECT_OPEN;
}

/*
 * p was just installed: apply its inspect_failure and hand it to the L7
 * engine (created on the first policy with an `app` rule), which then owns
 * it (*p = NULL). Flows already in inspection finish under the policy they
 * started with.
 */
static void l7_adopt(struct daemon *d, struct fg_policy **p)
{
	bool open = failure_open(d, *p);
	int err;

	fg_insp_set_failure_open(&d->dp, open);
	if (test_inspect || (!d->l7 && !fg_l7_policy_inspects(*p)))
		return;
	if (!d->l7) {
		err = fg_l7_engine_new(NULL, open, d->ev_open ? d->ev_out : NULL,
				       &d->l7);
		if (err) {
			fg_err("L7 engine: %s: inspected flows get inspect_failure (%s)",
			       strerror(-err), open ? "open" : "closed");
			return;
		}
		/* --event-rate bounds its lines as it bounds the kernel's. */
		fg_l7_engine_set_event_rate(d->l7, d->dp.ctl->event_rate,
					    d->dp.ctl->event_burst);
	}
	fg_l7_engine_set_fail_open(d->l7, open);
	fg_l7_engine_set_policy(d->l7, *p, d->cur.gen);
	*p = NULL;
}

/* --inspect-cpu N: N itself was checked at start; worker i's N + i may
 * not exist. Said once, when the workers start. */
static void warn_unpinned(struct daemon *d)
{
	int i, n;

	n = fg_insp_queue_stats(d->insp, d->insp_q, FG_INSP_QUEUES_SHOWN);
	for (i = 0; i < n && i < FG_INSP_QUEUES_SHOWN; i++)
		if (d->insp_q[i].cpu_asked >= 0 && d->insp_q[i].cpu < 0)
			fg_warn("inspector: %s queue %u: CPU %d not available, worker not pinned",
				d->insp_q[i].device, d->insp_q[i].queue,
				d->insp_q[i].cpu_asked);
}

/* Whether the inspector runs, or would start for policy p. */
static bool inspector_wanted(const struct daemon *d, const struct fg_policy *p)
{
	if (d->o->no_inspector)
		return false;
	return d->insp || test_inspect || d->l7 || fg_l7_policy_inspects(p);
}

/* The first interface attached with generic XDP, NULL if none. Generic
 * XDP runs on every skb entering the interface, the frames the inspector
 * re-injects too: they would be redirected to it again, forever (seen:
 * over a million frames in a few seconds, nothing delivered). */
static const char *generic_iface(const struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->n_att; i++)
		if (d->att[i].mode == FG_XDP_GENERIC)
			return d->att[i].ifname;
	return NULL;
}

/* Start the AF_XDP inspector when some rule inspects and it is not up. */
static int start_inspector(struct daemon *d)
{
	struct fg_insp_opts io = { .cpu_base = d->o->inspect_cpu,
				   .busy_poll = d->o->inspect_busy_poll };
	struct fg_insp_engine eng;
	char errbuf[256] = "";
	const char *gen;
	int err;

	if (d->insp || d->o->no_inspector || !d->n_att)
		return 0;
	if (test_inspect) {
		eng = fg_insp_pattern_engine;
		eng.arg = &d->insp_test.pat;
	} else if (d->l7) {
		fg_l7_engine_ops(d->l7, &eng);
	} else {
		return 0;
	}
	/* Attach and reload refuse this already; the loop is too costly
	 * to leave to them alone. */
	gen = generic_iface(d);
	if (gen) {
		fg_err("inspection does not work with generic XDP (%s): it would see the re-injected frames again; use --xdp-mode native or none",
		       gen);
		return -EOPNOTSUPP;
	}
	io.engine = &eng;
	err = fg_insp_start(&d->dp, &io, &d->insp, errbuf, sizeof(errbuf));
	if (err) {
		fg_err("starting the inspector: %s",
		       errbuf[0] ? errbuf : strerror(-err));
		return err;
	}
	fg_info("inspector: AF_XDP workers up (engine %s)", eng.name);
	warn_unpinned(d);
	return 0;
}

/* Load, compile and install path's policy (see install_compiled). */
static int install_policy(struct daemon *d, const char *path, char **msg)
{
	struct fg_compiled c;
	struct fg_policy *p;
	const char *gen;
	int code;

	code = load_compile(path, d->o->max_rules, &p, &c, msg);
	if (code)
		return code;
	gen = generic_iface(d);
	if (gen && inspector_wanted(d, p)) {
		/* Re-attaching in another mode would open a window with no
		 * or two ingress hooks; a restart picks the mode cleanly. */
		if (asprintf(msg, "%s: the policy needs the inspector, but %s is attached with generic XDP, which would hand it the frames it re-injects again; restart flowgate with this policy (--xdp-mode auto then uses TC ingress there) or with --xdp-mode native or none",
			     path, gen) < 0)
			*msg = NULL;
		fg_compiled_free(&c);
		fg_policy_free(p);
		return FG_EXIT_FAIL;
	}
	code = install_compiled(d, path, p, &c, msg);
	fg_compiled_free(&c);
	if (!code) {
		l7_adopt(d, &p);
		/* The first `app` rule arrives by reload: start now. A
		 * failure leaves its flows to inspect_failure (logged). */
		start_inspector(d);
	}
	fg_policy_free(p);
	return code;
}

/* ---- snapshots for the control socket ---- */

static int do_status(struct daemon *d, FILE *out, bool json, bool pretty)
{
	struct fg_status_iface ifs[FG_MAX_IFACES];
	struct fg_status_snap s = { 0 };
	size_t i;

	for (i = 0; i < d->n_att; i++) {
		const struct fg_attachment *a = &d->att[i];

		memset(&ifs[i], 0, sizeof(ifs[i]));
		snprintf(ifs[i].name, sizeof(ifs[i].name), "%s", a->ifname);
		ifs[i].ifindex = a->ifindex;
		ifs[i].xdp_mode = fg_xdp_mode_name(a->mode);
		ifs[i].xdp_dispatcher = a->xdp_dispatcher;
		ifs[i].xdp_prog_id = a->xdp_prog_id;
		ifs[i].tc_ingress_prog_id = a->tc_ingress_prog_id;
		ifs[i].tc_egress_prog_id = a->tc_egress_prog_id;
	}
	s.pid = getpid();
	s.uptime_ns = mono_ns() - d->start_ns;
	s.socket = d->o->socket;
	s.events = d->o->events;
	s.policy_file = d->policy_path;
	fg_fmt_hex(d->policy_sha, sizeof(d->policy_sha), s.policy_hash);
	s.default_action = fg_action_name(d->default_action);
	s.rules = d->policy_rules;
	s.compiled_rules = d->cur.n_rules;
	s.generation = fg_dp_generation(&d->dp);
	s.reloads = d->reloads;
	s.flow_entries = fg_dp_flows_count(&d->dp);
	/* Two tables (IPv4, IPv6) of --flows entries each. */
	s.flow_size = 2 * d->dp.flow_entries;
	s.max_rules = d->dp.max_rules;
	s.ifaces = ifs;
	s.n_ifaces = d->n_att;
	fg_render_status(out, &s, json, pretty);
	return FG_EXIT_OK;
}

static int do_stats(struct daemon *d, FILE *out, FILE *errf, bool json,
		    bool pretty)
{
	struct fg_stats_iface ifs[FG_MAX_IFACES];
	const struct gen_info *g = &d->cur;
	struct fg_stats_snap s = { 0 };
	struct fg_l7_stats l7st;
	struct fg_rule_counters *cnt;
	struct fg_stats_rule *rules;
	__u32 i;
	int err;

	cnt = calloc(g->n_rules + 1, sizeof(*cnt));
	rules = calloc(g->n_rules + 1, sizeof(*rules));
	if (!cnt || !rules) {
		err = -ENOMEM;
		goto fail;
	}
	err = fg_dp_read_counters(&d->dp, &s.cnt);
	if (!err && g->names)
		err = fg_dp_read_rule_counters(&d->dp, g->gen, g->n_rules, cnt);
	if (err)
		goto fail;
	for (i = 0; g->names && i <= g->n_rules; i++) {
		rules[i].name = g->names[i];
		rules[i].action = fg_action_name(g->actions[i]);
		rules[i].is_default = i == g->n_rules;
		rules[i].failsafe = g->flags[i] & FG_RULE_F_FAILSAFE;
		rules[i].packets = g->carry[i].packets + cnt[i].packets;
		rules[i].bytes = g->carry[i].bytes + cnt[i].bytes;
	}
	for (i = 0; i < d->n_att; i++) {
		memset(&ifs[i], 0, sizeof(ifs[i]));
		ifs[i].name = d->att[i].ifname;
		ifs[i].ifindex = d->att[i].ifindex;
		/* -ENOENT: never saw a packet, zeros are right. */
		fg_dp_read_iface_counters(&d->dp, ifs[i].ifindex, &ifs[i].c);
	}
	s.generation = g->gen;
	s.rules = rules;
	s.n_rules = g->names ? g->n_rules + 1 : 0;
	s.ifaces = ifs;
	s.n_ifaces = d->n_att;
	s.flow_entries = fg_dp_flows_count(&d->dp);
	/* Two tables (IPv4, IPv6) of --flows entries each. */
	s.flow_size = 2 * d->dp.flow_entries;
	s.gc_deleted = d->gc_deleted;
	if (d->insp) {
		s.n_insp = (size_t)fg_insp_queue_stats(d->insp, d->insp_q,
						       FG_INSP_QUEUES_SHOWN);
		if (s.n_insp > FG_INSP_QUEUES_SHOWN)
			s.n_insp = FG_INSP_QUEUES_SHOWN;
		s.insp = d->insp_q;
		fg_insp_latency(d->insp, &s.insp_lat);
		if (d->l7) {
			fg_l7_engine_stats(d->l7, &l7st);
			s.l7 = &l7st;
		}
	}
	fg_render_stats(out, &s, json, pretty);
	free(cnt);
	free(rules);
	return FG_EXIT_OK;
fail:
	fprintf(errf, "stats: reading counters failed: %s", strerror(-err));
	free(cnt);
	free(rules);
	return FG_EXIT_FAIL;
}

struct flow_collect {
	struct fg_flow_row *rows;
	size_t n, cap;
	int err;
};

static int collect_flow(const struct fg_flow_key *k, const struct fg_flow *f,
			void *arg)
{
	struct flow_collect *fc = arg;

	if (fc->n == fc->cap) {
		size_t cap = fc->cap ? fc->cap * 2 : 1024;
		struct fg_flow_row *r = realloc(fc->rows, cap * sizeof(*r));

		if (!r) {
			fc->err = -ENOMEM;
			return 1;
		}
		fc->rows = r;
		fc->cap = cap;
	}
	memset(&fc->rows[fc->n], 0, sizeof(fc->rows[0]));
	fc->rows[fc->n].k = *k;
	fc->rows[fc->n].f = *f;
	fc->n++;
	return 0;
}

static int cmp_last_desc(const void *a, const void *b)
{
	const struct fg_flow_row *x = a, *y = b;

	return x->f.last_ns < y->f.last_ns ? 1 : x->f.last_ns > y->f.last_ns ? -1 : 0;
}

static int do_flows(struct daemon *d, const struct fg_ctl_req *req, FILE *out,
		    FILE *errf, bool json, bool pretty)
{
	struct flow_collect fc = { 0 };
	struct fg_flows_snap s = { 0 };
	const char *lim = fg_ctl_req_get(req, "limit");
	__u32 limit = 0;
	size_t i;
	int err;

	if (lim && fg_cli_parse_u32(lim, 0, INT_MAX, &limit)) {
		fprintf(errf, "flows: bad limit '%s'", lim);
		return FG_EXIT_USAGE;
	}
	err = fg_dp_flows_walk(&d->dp, collect_flow, &fc);
	if (fc.err)
		err = fc.err;
	if (err < 0) {
		fprintf(errf, "flows: reading the flow table failed: %s",
			strerror(-err));
		free(fc.rows);
		return FG_EXIT_FAIL;
	}
	qsort(fc.rows, fc.n, sizeof(*fc.rows), cmp_last_desc);
	s.total = fc.n;
	s.n = limit && limit < fc.n ? limit : fc.n;
	for (i = 0; i < s.n; i++) {
		fc.rows[i].rule = rule_name(d, fc.rows[i].f.gen, fc.rows[i].f.rule);
		fc.rows[i].iface = ifname_of(d, fc.rows[i].f.ifindex);
	}
	s.rows = fc.rows;
	s.now_ns = mono_ns();
	fg_render_flows(out, &s, json, pretty);
	free(fc.rows);
	return FG_EXIT_OK;
}

static int do_reload(struct daemon *d, const struct fg_ctl_req *req,
		     FILE *out, FILE *errf, bool json, bool pretty)
{
	const char *path = fg_ctl_req_get(req, "path");
	char *msg = NULL, *p;
	int code;

	if (!path)
		path = d->policy_path;
	if (path[0] != '/') {
		fprintf(errf, "reload: path must be absolute: %s", path);
		return FG_EXIT_USAGE;
	}
	p = strdup(path);	/* d->policy_path changes on success */
	if (!p) {
		fprintf(errf, "reload: out of memory");
		return FG_EXIT_FAIL;
	}
	code = install_policy(d, p, &msg);
	if (code) {
		fg_info("reload of %s rejected, policy unchanged (generation %u)",
			p, fg_dp_generation(&d->dp));
		fprintf(errf, "%s", msg ? msg : "reload failed");
	} else {
		struct fg_json j;

		fg_info("reloaded %s", msg ? msg : p);
		if (json) {
			fg_json_init(&j, out, pretty);
			fg_json_obj_open(&j);
			fg_json_kstr(&j, "policy", d->policy_path);
			fg_json_ku64(&j, "generation", d->cur.gen);
			fg_json_ku64(&j, "rules", d->policy_rules);
			fg_json_ku64(&j, "compiled_rules", d->cur.n_rules);
			fg_json_obj_close(&j);
			fg_json_end(&j);
		} else {
			fprintf(out, "reloaded %s\n", msg ? msg : p);
		}
	}
	free(msg);
	free(p);
	return code;
}

static void serve_client(struct daemon *d)
{
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	struct fg_ctl_req req;
	const char *v;
	FILE *out = NULL, *errf = NULL;
	bool json, pretty;
	int cfd, err, code;

	cfd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	err = fg_ctl_read_request(cfd, &req);
	if (err == -ENODATA)	/* a liveness probe */
		goto out_close;
	if (err) {
		char m[128];

		fg_dbg("control socket: bad request: %s", strerror(-err));
		snprintf(m, sizeof(m), "bad request: %s", strerror(-err));
		fg_ctl_write_response(cfd, FG_EXIT_USAGE, NULL, 0, m, strlen(m));
		goto out_close;
	}
	v = fg_ctl_req_get(&req, "json");
	json = v && !strcmp(v, "1");
	v = fg_ctl_req_get(&req, "pretty");
	pretty = v && !strcmp(v, "1");

	out = open_memstream(&obuf, &olen);
	errf = open_memstream(&ebuf, &elen);
	if (!out || !errf) {
		static const char m[] = "out of memory";

		fg_ctl_write_response(cfd, FG_EXIT_FAIL, NULL, 0, m, strlen(m));
		goto out_req;
	}
	if (!strcmp(req.cmd, "status"))
		code = do_status(d, out, json, pretty);
	else if (!strcmp(req.cmd, "stats"))
		code = do_stats(d, out, errf, json, pretty);
	else if (!strcmp(req.cmd, "flows"))
		code = do_flows(d, &req, out, errf, json, pretty);
	else if (!strcmp(req.cmd, "reload"))
		code = do_reload(d, &req, out, errf, json, pretty);
	else {
		fprintf(errf, "unknown command '%s'", req.cmd);
		code = FG_EXIT_USAGE;
	}
	fclose(out);
	fclose(errf);
	out = errf = NULL;
	err = fg_ctl_write_response(cfd, code, obuf, olen, ebuf, elen);
	if (err)
		fg_dbg("control socket: %s: writing the response failed: %s",
		       req.cmd, strerror(-err));
out_req:
	if (out)
		fclose(out);
	if (errf)
		fclose(errf);
	free(obuf);
	free(ebuf);
	fg_ctl_req_free(&req);
out_close:
	close(cfd);
}

/* ---- main loop ---- */

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;
	char *msg = NULL;
	int code;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGHUP) {
			fg_info("%s: detaching and exiting",
				strsignal((int)si.ssi_signo));
			d->stop = true;
			continue;
		}
		code = install_policy(d, d->policy_path, &msg);
		if (code)
			fg_err("SIGHUP: reload rejected, policy unchanged:\n%s",
			       msg ? msg : "");
		else
			fg_info("SIGHUP: reloaded %s", msg ? msg : "");
		free(msg);
		msg = NULL;
	}
}

static void on_timer(struct daemon *d)
{
	__u64 ticks;
	long n;

	if (read(d->tfd, &ticks, sizeof(ticks)) != sizeof(ticks))
		return;
	n = fg_dp_flows_gc(&d->dp, mono_ns());
	if (n > 0)
		d->gc_deleted += (__u64)n;
	else if (n < 0)
		fg_dbg("flow gc: %s", strerror((int)-n));
	if (d->l7)	/* engine state of flows that ended unseen */
		fg_l7_engine_sweep(d->l7, mono_ns(), FG_L7_SWEEP_BUDGET,
				   fg_dp_flow_lookup, &d->dp);
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

static int loop(struct daemon *d)
{
	struct epoll_event evs[8];
	int evfd = d->ev_open ? fg_events_fd(&d->ev) : -1;
	int i, n;

	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fg_err("epoll_wait: %s", strerror(errno));
			return FG_EXIT_FAIL;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sfd)
				on_signal(d);
			else if (fd == d->lfd)
				serve_client(d);
			else if (fd == d->tfd)
				on_timer(d);
			else if (fd == evfd)
				fg_events_consume(&d->ev);
		}
		if (d->ev_open && d->ev.write_err) {
			fg_warn("events: writing failed: %s; events are no longer written",
				strerror(-d->ev.write_err));
			epoll_ctl(d->epfd, EPOLL_CTL_DEL, evfd, NULL);
			d->ev.write_err = 0;
			fg_events_close(&d->ev);
			d->ev_open = false;
			evfd = -1;
		}
	}
	return FG_EXIT_OK;
}

static int setup_fds(struct daemon *d, const sigset_t *mask)
{
	struct itimerspec its = {
		.it_interval = { .tv_sec = 1 },
		.it_value = { .tv_sec = 1 },
	};
	int err;

	d->sfd = signalfd(-1, mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sfd < 0)
		return -errno;
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->tfd < 0 || timerfd_settime(d->tfd, 0, &its, NULL) < 0)
		return -errno;
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0)
		return -errno;
	err = epoll_add(d->epfd, d->sfd);
	if (!err)
		err = epoll_add(d->epfd, d->lfd);
	if (!err)
		err = epoll_add(d->epfd, d->tfd);
	if (!err && d->ev_open)
		err = epoll_add(d->epfd, fg_events_fd(&d->ev));
	return err;
}

static int open_events(struct daemon *d)
{
	const struct fg_event_names names = {
		.rule_name = ev_rule_name,
		.ifname = ev_ifname,
		.arg = d,
	};
	int err;

	if (!strcmp(d->o->events, "-")) {
		d->ev_out = stdout;
	} else {
		d->ev_out = fopen(d->o->events, "ae");
		if (!d->ev_out) {
			err = -errno;
			fg_err("events: %s: %s", d->o->events, strerror(-err));
			return err;
		}
	}
	err = fg_events_open(&d->ev, fg_dp_events_fd(&d->dp), d->ev_out, &names);
	if (err) {
		fg_err("events: ring buffer: %s", strerror(-err));
		return err;
	}
	d->ev_open = true;
	return 0;
}

static void print_attachment(const struct fg_attachment *a)
{
	char x[96] = "", ti[32] = "", te[32] = "";

	if (a->mode != FG_XDP_NONE)
		snprintf(x, sizeof(x), "xdp %s%s (prog %u), ",
			 fg_xdp_mode_name(a->mode),
			 a->xdp_dispatcher ? " via libxdp dispatcher" : "",
			 a->xdp_prog_id);
	if (a->tc_ingress_prog_id)
		snprintf(ti, sizeof(ti), "tc ingress prog %u, ",
			 a->tc_ingress_prog_id);
	snprintf(te, sizeof(te), "tc egress prog %u", a->tc_egress_prog_id);
	fg_info("%s (ifindex %u): %s%s%s", a->ifname, a->ifindex, x, ti, te);
}

static void teardown(struct daemon *d)
{
	size_t i;

	if (d->insp) {
		struct fg_insp_stats st;

		fg_insp_stats(d->insp, &st);
		fg_info("inspector: rx %llu, tx %llu, allow %llu, deny %llu, continue %llu, "
			"after deny %llu, rst %llu, tx ring full %llu, errors %llu, "
			"no flow %llu, bad %llu; kernel: rx dropped %llu, "
			"ring full %llu, fill empty %llu",
			(unsigned long long)st.rx, (unsigned long long)st.tx,
			(unsigned long long)st.allow, (unsigned long long)st.deny,
			(unsigned long long)st.cont,
			(unsigned long long)st.after_deny,
			(unsigned long long)st.rst_sent,
			(unsigned long long)st.tx_ring_full,
			(unsigned long long)(st.reinject_errors +
					     st.verdict_errors),
			(unsigned long long)st.no_flow,
			(unsigned long long)st.bad_frame,
			(unsigned long long)st.k_rx_dropped,
			(unsigned long long)st.k_rx_ring_full,
			(unsigned long long)st.k_fill_empty);
		fg_insp_stop(d->insp);
		d->insp = NULL;
	}
	fg_l7_engine_free(d->l7);	/* no worker uses it any more */
	d->l7 = NULL;
	if (d->ev_open) {
		fg_events_consume(&d->ev);	/* what is already queued */
		fg_events_close(&d->ev);
	}
	for (i = d->n_att; i > 0; i--) {
		int err = fg_detach(&d->att[i - 1]);

		if (err)
			fg_warn("%s: detach: %s", d->att[i - 1].ifname,
				strerror(-err));
	}
	d->n_att = 0;
	if (d->dp_open)
		fg_dp_close(&d->dp);
	if (d->ev_out && d->ev_out != stdout)
		fclose(d->ev_out);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->tfd >= 0)
		close(d->tfd);
	if (d->sfd >= 0)
		close(d->sfd);
	if (d->lfd >= 0) {
		close(d->lfd);
		unlink(d->o->socket);
	}
	gen_free(&d->cur);
	gen_free(&d->prev);
	free(d->policy_path);
}

int fg_cmd_run(int argc, char **argv)
{
	struct fg_compiled compiled = { 0 };
	struct fg_policy *policy = NULL;
	struct fg_dp_opts dpo = { 0 };
	struct fg_run_opts o;
	struct daemon d;
	char errbuf[256], note[200];
	char *msg = NULL;
	bool inspects;
	sigset_t mask;
	int code, err;
	size_t i;

	if (fg_cli_parse_run(argc, argv, &o, errbuf, sizeof(errbuf)))
		return fg_cli_usage_error("run", "%s", errbuf);
	if (o.help) {
		fg_cli_print_help(fg_cli_help("run"), stdout);
		return FG_EXIT_OK;
	}
	if (o.verbose)
		fg_log_set_verbose(true);

	memset(&d, 0, sizeof(d));
	d.o = &o;
	if (o.test_inspect) {
		if (fg_insp_test_parse(o.test_inspect, &d.insp_test, errbuf,
				       sizeof(errbuf)))
			return fg_cli_usage_error("run", "%s", errbuf);
		test_inspect = &d.insp_test;
	}
	if (o.inspect_cpu >= 0 &&
	    fg_insp_cpu_check(o.inspect_cpu, errbuf, sizeof(errbuf)))
		return fg_cli_usage_error("run", "--inspect-cpu %d: %s",
					  o.inspect_cpu, errbuf);
	d.lfd = d.sfd = d.tfd = d.epfd = -1;
	d.start_ns = mono_ns();

	/* Signals wait in the signalfd from now on, so a SIGTERM during
	 * setup still detaches what was attached. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Check the policy before touching anything. */
	code = load_compile(o.policy, o.max_rules, &policy, &compiled, &msg);
	if (code) {
		if (msg)
			fprintf(stderr, "%s\n", msg);
		fg_err("%s: policy rejected", o.policy);
		free(msg);
		return code;
	}
	inspects = inspector_wanted(&d, policy);
	if (inspects && o.xdp_mode == FG_XDP_GENERIC) {
		fg_err("inspection does not work with generic XDP: it would see the re-injected frames again; use --xdp-mode native, none or auto");
		fg_compiled_free(&compiled);
		fg_policy_free(policy);
		return FG_EXIT_FAIL;
	}

	d.lfd = fg_ctl_listen(o.socket);
	if (d.lfd < 0) {
		err = d.lfd;
		d.lfd = -1;
		if (err == -EADDRINUSE)
			fg_err("%s: another flowgate instance answers on this socket "
			       "(stop it, or give another --socket)", o.socket);
		else if (err == -EEXIST)
			fg_err("%s: exists and is not a socket", o.socket);
		else
			fg_err("%s: cannot listen: %s", o.socket, strerror(-err));
		code = FG_EXIT_FAIL;
		goto out;
	}

	code = FG_EXIT_FAIL;
	err = fg_bpffs_ensure();
	if (err)
		fg_warn("bpffs: cannot mount /sys/fs/bpf (%s): XDP attaches "
			"without libxdp's dispatcher", strerror(-err));

	dpo.max_rules = o.max_rules;
	dpo.flow_entries = o.flows;
	dpo.event_rate = o.event_rate;
	err = fg_dp_open(&d.dp, &dpo);
	if (err) {
		fg_err("loading the BPF programs failed: %s%s", strerror(-err),
		       fg_log_verbose() ? "" : " (run with -v for libbpf's messages)");
		goto out;
	}
	d.dp_open = true;

	code = install_compiled(&d, o.policy, policy, &compiled, &msg);
	fg_compiled_free(&compiled);
	if (!code)
		l7_adopt(&d, &policy);
	fg_policy_free(policy);
	policy = NULL;
	if (code) {
		fg_err("%s", msg ? msg : "installing the policy failed");
		goto out;
	}
	fg_info("policy %s", msg);
	free(msg);
	msg = NULL;
	code = FG_EXIT_FAIL;

	for (i = 0; i < o.n_ifaces; i++) {
		struct fg_link link;

		err = fg_nl_link_get(o.ifaces[i], &link);
		if (err == -ENODEV) {
			fg_err("interface %s does not exist", o.ifaces[i]);
			goto out;
		}
		if (err) {
			fg_err("%s: looking up the interface: %s", o.ifaces[i],
			       strerror(-err));
			goto out;
		}
		err = fg_dp_add_iface(&d.dp, link.ifindex);
		if (err) {
			fg_err("%s: interface counters: %s", o.ifaces[i],
			       strerror(-err));
			goto out;
		}
		errbuf[0] = '\0';
		if (inspects)
			err = fg_attach_no_generic(&d.dp, o.ifaces[i], o.xdp_mode,
						   &d.att[d.n_att], note,
						   sizeof(note), errbuf,
						   sizeof(errbuf));
		else
			err = fg_attach(&d.dp, o.ifaces[i], o.xdp_mode,
					&d.att[d.n_att], errbuf, sizeof(errbuf));
		if (err) {
			fg_err("attach %s: %s", o.ifaces[i],
			       errbuf[0] ? errbuf : strerror(-err));
			goto out;
		}
		if (inspects && note[0])
			fg_info("%s: %s; --xdp-mode auto attaches TC ingress here (as `none`), not generic XDP, which would hand the inspector the frames it re-injects again",
				o.ifaces[i], note);
		d.n_att++;
		print_attachment(&d.att[d.n_att - 1]);
	}

	if (start_inspector(&d))
		goto out;
	if (o.events && open_events(&d))
		goto out;
	if (d.l7 && d.ev_open)
		fg_l7_engine_set_events(d.l7, d.ev_out);
	err = setup_fds(&d, &mask);
	if (err) {
		fg_err("event loop setup: %s", strerror(-err));
		goto out;
	}
	fg_info("control socket %s%s%s; running (SIGINT/SIGTERM stop, SIGHUP reloads)",
		o.socket, o.events ? ", events to " : "",
		o.events ? (strcmp(o.events, "-") ? o.events : "stdout") : "");
	code = loop(&d);
out:
	if (policy) {
		fg_compiled_free(&compiled);
		fg_policy_free(policy);
	}
	free(msg);
	teardown(&d);
	return code;
}
