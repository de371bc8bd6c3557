// SPDX-License-Identifier: GPL-2.0-only
/*
 * harness.c - load flowgate's BPF programs, install policies from YAML text,
 * run crafted frames through them with BPF_PROG_TEST_RUN and check what
 * happened (see harness.h). Test-framework free: benchmarks link it too.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "harness.h"
#include "flowgate_xdp.skel.h"

#define FG_X_NAME(id, str) str,
static const char *const verdict_names[] = { FG_VERDICTS(FG_X_NAME) };
static const char *const drop_names[] = { FG_DROP_REASONS(FG_X_NAME) };
static const char *const cnt_names[] = { FG_COUNTERS(FG_X_NAME) };
static const char *const state_names[] = { FG_FLOW_STATES(FG_X_NAME) };

static char last_error[2048];

const char *fg_h_last_error(void)
{
	return last_error;
}

const char *fg_h_verdict_name(int v)
{
	return v >= 0 && v < FG_VERDICT_MAX ? verdict_names[v] : "?";
}

const char *fg_h_drop_name(int d)
{
	return d >= 0 && d < FG_DROP_MAX ? drop_names[d] : "?";
}

const char *fg_h_cnt_name(int c)
{
	return c >= 0 && c < FG_CNT_MAX ? cnt_names[c] : "?";
}

const char *fg_h_state_name(int s)
{
	return s >= 0 && s < FG_STATE_MAX ? state_names[s] : "?";
}

const char *fg_h_hook_name(enum fg_h_hook hook)
{
	switch (hook) {
	case FG_H_XDP: return "xdp";
	case FG_H_TC_IN: return "tc-in";
	case FG_H_TC_OUT: return "tc-out";
	default: return "?";
	}
}

/* libbpf prints verifier logs on load failures; keep them (stderr) only
 * when asked, so a failing load is explained without flooding every run. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || !getenv("FG_TEST_VERBOSE"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Keep every test run on one CPU: per-CPU token buckets and counters then
 * behave like one receive queue, which makes rate-limit tests exact. */
static void pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		cpu = 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int find_xdp_fd(struct flowgate_xdp_bpf *skel)
{
	struct bpf_program *prog;

	prog = bpf_object__find_program_by_name(skel->obj, FG_BPF_PROG_XDP);
	if (!prog) {
		bpf_object__for_each_program(prog, skel->obj)
			if (bpf_program__type(prog) == BPF_PROG_TYPE_XDP)
				break;
	}
	return prog ? bpf_program__fd(prog) : -ENOENT;
}

/* Parse + compile `yaml`. On success *pp / *c own the results. */
static int compile_yaml(struct fg_h *h, const char *yaml,
			struct fg_policy **pp, struct fg_compiled *c)
{
	struct fg_diags d = { 0 };
	char *txt;
	int err;

	*pp = NULL;
	memset(c, 0, sizeof(*c));
	err = fg_policy_parse("test.yaml", yaml, strlen(yaml), pp, &d);
	if (!err)
		err = fg_compile(*pp, h->dp.max_rules, c, &d);
	if (err) {
		txt = fg_diags_join(&d);
		snprintf(h->err, sizeof(h->err), "policy rejected (%d): %s",
			 err, txt ? txt : "");
		free(txt);
		fg_policy_free(*pp);
		*pp = NULL;
	}
	fg_diags_free(&d);
	return err;
}

int fg_h_reload(struct fg_h *h, const char *yaml)
{
	struct fg_policy *p;
	struct fg_compiled c;
	int gen;

	gen = compile_yaml(h, yaml, &p, &c);
	if (gen)
		return gen;
	gen = fg_dp_install(&h->dp, &c);
	if (gen < 0) {
		snprintf(h->err, sizeof(h->err), "fg_dp_install: %s",
			 strerror(-gen));
		fg_compiled_free(&c);
		fg_policy_free(p);
		return gen;
	}
	if (h->have_comp)
		fg_compiled_free(&h->comp);
	fg_policy_free(h->policy);
	h->policy = p;
	h->comp = c;
	h->have_comp = true;
	h->gen = (__u32)gen;
	return gen;
}

struct fg_h *fg_h_open_opts(const char *yaml, const struct fg_dp_opts *opts)
{
	struct fg_dp_opts o = {
		.max_rules = 4096, .flow_entries = 8192, .frag_entries = 1024,
	};
	struct fg_h *h;
	int err;

	libbpf_set_print(libbpf_print);
	pin_cpu();
	if (opts)
		o = *opts;
	h = calloc(1, sizeof(*h));
	if (!h) {
		errno = ENOMEM;
		return NULL;
	}
	err = fg_dp_open(&h->dp, &o);
	if (err) {
		snprintf(h->err, sizeof(h->err), "fg_dp_open: %s",
			 strerror(-err));
		goto fail;
	}
	h->dp_open = true;
	err = fg_dp_xdp_open(&h->dp, &h->xdp);
	if (!err)
		err = fg_dp_xdp_load(h->xdp);
	if (err) {
		snprintf(h->err, sizeof(h->err), "XDP object: %s",
			 strerror(-err));
		goto fail;
	}
	h->prog_fd[FG_H_XDP] = find_xdp_fd(h->xdp);
	h->prog_fd[FG_H_TC_IN] = fg_dp_tc_ingress_fd(&h->dp);
	h->prog_fd[FG_H_TC_OUT] = fg_dp_tc_egress_fd(&h->dp);
	if (h->prog_fd[FG_H_XDP] < 0 || h->prog_fd[FG_H_TC_IN] < 0 ||
	    h->prog_fd[FG_H_TC_OUT] < 0) {
		err = -ENOENT;
		snprintf(h->err, sizeof(h->err), "program fds: xdp %d, tc %d/%d",
			 h->prog_fd[FG_H_XDP], h->prog_fd[FG_H_TC_IN],
			 h->prog_fd[FG_H_TC_OUT]);
		goto fail;
	}
	err = fg_dp_add_iface(&h->dp, FG_H_IFINDEX);
	if (err) {
		snprintf(h->err, sizeof(h->err), "fg_dp_add_iface: %s",
			 strerror(-err));
		goto fail;
	}
	if (yaml) {
		err = fg_h_reload(h, yaml);
		if (err < 0)
			goto fail;
	}
	return h;
fail:
	snprintf(last_error, sizeof(last_error), "%s", h->err);
	fg_h_close(h);
	errno = err < 0 ? -err : EINVAL;
	return NULL;
}

struct fg_h *fg_h_open(const char *yaml)
{
	return fg_h_open_opts(yaml, NULL);
}

void fg_h_close(struct fg_h *h)
{
	if (!h)
		return;
	if (h->xdp)
		fg_dp_xdp_close(h->xdp);
	if (h->dp_open)
		fg_dp_close(&h->dp);
	if (h->have_comp)
		fg_compiled_free(&h->comp);
	fg_policy_free(h->policy);
	free(h);
}

int fg_h_run_repeat(struct fg_h *h, enum fg_h_hook hook, const void *pkt,
		    size_t len, __u32 repeat, __u32 *ns_per_run)
{
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = pkt,
		.data_size_in = (__u32)len,
		.repeat = repeat,
	);
	int err;

	if (hook < 0 || hook >= FG_H_HOOK_MAX) {
		errno = EINVAL;
		return FG_H_RUN_ERR;
	}
	err = bpf_prog_test_run_opts(h->prog_fd[hook], &o);
	if (err) {
		errno = err < 0 ? -err : EIO;
		return FG_H_RUN_ERR;
	}
	if (ns_per_run)
		*ns_per_run = o.duration;
	return (int)o.retval;
}

int fg_h_run(struct fg_h *h, enum fg_h_hook hook, const void *pkt, size_t len)
{
	return fg_h_run_repeat(h, hook, pkt, len, 1, NULL);
}

int fg_h_run_xdp(struct fg_h *h, const void *pkt, size_t len)
{
	return fg_h_run(h, FG_H_XDP, pkt, len);
}

int fg_h_run_tc(struct fg_h *h, bool egress, const void *pkt, size_t len)
{
	return fg_h_run(h, egress ? FG_H_TC_OUT : FG_H_TC_IN, pkt, len);
}

int fg_h_run_spec(struct fg_h *h, enum fg_h_hook hook, const struct pkt_spec *s)
{
	uint8_t buf[PKT_MAX];
	int len = pkt_build(buf, sizeof(buf), s);

	if (len < 0) {
		errno = -len;
		return FG_H_RUN_ERR;
	}
	return fg_h_run(h, hook, buf, (size_t)len);
}

bool fg_h_rv_passes(enum fg_h_hook hook, int rv)
{
	if (hook == FG_H_XDP)
		return rv == XDP_PASS;
	/* TC: OK, or "no opinion" (continue with the next filter/default). */
	return rv == TC_ACT_OK || rv == TC_ACT_UNSPEC || rv == TC_ACT_PIPE;
}

static bool rv_drops(enum fg_h_hook hook, int rv)
{
	return hook == FG_H_XDP ? rv == XDP_DROP : rv == TC_ACT_SHOT;
}

/* ---- counters ---- */

int fg_h_counters(struct fg_h *h, struct fg_counters *out)
{
	return fg_dp_read_counters(&h->dp, out);
}

void fg_h_counters_delta(const struct fg_counters *a,
			 const struct fg_counters *b, struct fg_counters *d)
{
	int i;

	for (i = 0; i < FG_VERDICT_MAX; i++)
		d->verdict[i] = b->verdict[i] - a->verdict[i];
	for (i = 0; i < FG_DROP_MAX; i++)
		d->drop[i] = b->drop[i] - a->drop[i];
	for (i = 0; i < FG_CNT_MAX; i++)
		d->cnt[i] = b->cnt[i] - a->cnt[i];
}

int fg_h_rule_id(const struct fg_h *h, const char *name)
{
	__u32 i;

	if (!h->have_comp)
		return -ENOENT;
	for (i = 0; i <= h->comp.n_rules; i++)
		if (h->comp.names[i] && !strcmp(h->comp.names[i], name))
			return (int)i;
	return -ENOENT;
}

int fg_h_rule_counters(struct fg_h *h, const char *name,
		       struct fg_rule_counters *out)
{
	struct fg_rule_counters *all;
	int id = fg_h_rule_id(h, name), err;

	if (id < 0)
		return id;
	all = calloc(h->comp.n_rules + 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	err = fg_dp_read_rule_counters(&h->dp, h->gen, h->comp.n_rules, all);
	if (!err)
		*out = all[id];
	free(all);
	return err;
}

/* ---- flows ---- */

struct find_arg {
	const struct pkt_tuple *t;
	struct fg_flow_key key;
	struct fg_flow flow;
	bool orig;
};

static bool side_eq(const __u8 *addr, __u16 port_be, const __u8 *taddr,
		    __u16 tport)
{
	return !memcmp(addr, taddr, 16) && ntohs(port_be) == tport;
}

static int find_cb(const struct fg_flow_key *k, const struct fg_flow *f,
		   void *arg)
{
	struct find_arg *a = arg;
	const struct pkt_tuple *t = a->t;
	bool init_lo = f->flags & FG_FLOW_F_INIT_LO;

	if (k->family != t->family || k->proto != t->proto)
		return 0;
	if (side_eq(k->addr_lo, k->port_lo, t->src, t->sport) &&
	    side_eq(k->addr_hi, k->port_hi, t->dst, t->dport))
		a->orig = init_lo;	/* tuple's source is the lo side */
	else if (side_eq(k->addr_lo, k->port_lo, t->dst, t->dport) &&
		 side_eq(k->addr_hi, k->port_hi, t->src, t->sport))
		a->orig = !init_lo;
	else
		return 0;
	a->key = *k;
	a->flow = *f;
	return 1;
}

int fg_h_flow_find(struct fg_h *h, const struct pkt_tuple *t,
		   struct fg_flow_key *key, struct fg_flow *flow,
		   bool *tuple_is_orig)
{
	struct find_arg a = { .t = t };
	int r = fg_dp_flows_walk(&h->dp, find_cb, &a);

	if (r < 0)
		return r;
	if (r == 0)
		return -ENOENT;
	if (key)
		*key = a.key;
	if (flow)
		*flow = a.flow;
	if (tuple_is_orig)
		*tuple_is_orig = a.orig;
	return 0;
}

int fg_h_flow_find_spec(struct fg_h *h, const struct pkt_spec *s,
			struct fg_flow_key *key, struct fg_flow *flow,
			bool *tuple_is_orig)
{
	struct pkt_tuple t;
	int err = pkt_tuple(s, &t);

	return err ? err : fg_h_flow_find(h, &t, key, flow, tuple_is_orig);
}

long fg_h_flow_count(struct fg_h *h)
{
	return fg_dp_flows_count(&h->dp);
}

__u64 fg_h_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static int ev_append(void *ctx, void *data, size_t size)
{
	struct fg_h_ev_log *l = ctx;

	if (size >= sizeof(struct fg_event) && l->n < FG_H_EV_MAX)
		memcpy(&l->ev[l->n++], data, sizeof(struct fg_event));
	return 0;
}

struct ring_buffer *fg_h_events_open(struct fg_h *h, struct fg_h_ev_log *l)
{
	struct ring_buffer *rb;

	rb = ring_buffer__new(fg_dp_events_fd(&h->dp), ev_append, l, NULL);
	if (!rb)
		return NULL;
	ring_buffer__consume(rb);
	l->n = 0;
	return rb;
}

void fg_h_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* ---- steps ---- */

/* Append to msg (bounded); returns -1 so callers can `return fail(...)`. */
static int fail(char *msg, size_t len, const char *fmt, ...)
{
	size_t used = strnlen(msg, len);
	va_list ap;

	if (used + 1 < len) {
		va_start(ap, fmt);
		vsnprintf(msg + used, len - used, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int check_flow(struct fg_h *h, const struct fg_h_step *st,
		      char *msg, size_t ml)
{
	const struct fg_h_flow_expect *e = &st->flow;
	const struct pkt_spec *s = st->flow_of ? st->flow_of : &st->pkt;
	struct fg_flow_key k;
	struct fg_flow f;
	bool orig;
	int err, rid;

	if (!e->present && !e->state && !e->action && !e->rule &&
	    !e->flags_set && !e->flags_clear && !e->orig && !e->pk_orig &&
	    !e->pk_reply && !e->check_gen)
		return 0;
	if (s->family != 4 && s->family != 6)
		return fail(msg, ml, "flow expectations on a non-IP packet");
	err = fg_h_flow_find_spec(h, s, &k, &f, &orig);
	if (err && err != -ENOENT)
		return fail(msg, ml, "flow lookup failed: %s", strerror(-err));
	if (e->present == FG_H_NO)
		return err ? 0 : fail(msg, ml,
				      "flow entry exists (state %s, action %u) but none was expected",
				      fg_h_state_name(f.state), f.action);
	if (err) {
		if (e->present == FG_H_YES || e->state || e->action ||
		    e->rule || e->orig || e->pk_orig || e->pk_reply)
			return fail(msg, ml, "no flow entry");
		return 0;
	}
	if (memcmp(&k.addr_lo, &k.addr_hi, 16) > 0)
		return fail(msg, ml, "flow key not normalised (lo > hi)");
	if (e->state && f.state != e->state - 1)
		return fail(msg, ml, "flow state %s, expected %s",
			    fg_h_state_name(f.state),
			    fg_h_state_name(e->state - 1));
	if (e->action && f.action != e->action - 1)
		return fail(msg, ml, "flow action %u, expected %d", f.action,
			    e->action - 1);
	if ((f.flags & e->flags_set) != e->flags_set)
		return fail(msg, ml, "flow flags 0x%x, expected set 0x%x",
			    f.flags, e->flags_set);
	if (f.flags & e->flags_clear)
		return fail(msg, ml, "flow flags 0x%x, expected clear 0x%x",
			    f.flags, e->flags_clear);
	if (e->orig && orig != (e->orig == FG_H_YES))
		return fail(msg, ml, "flow initiator: packet source is %s, expected %s",
			    orig ? "initiator" : "responder",
			    e->orig == FG_H_YES ? "initiator" : "responder");
	if (e->rule) {
		rid = fg_h_rule_id(h, e->rule);
		if (rid < 0)
			return fail(msg, ml, "no rule named %s", e->rule);
		if (f.rule != (__u32)rid)
			return fail(msg, ml, "flow rule %u (%s), expected %d (%s)",
				    f.rule, f.rule <= h->comp.n_rules ?
				    h->comp.names[f.rule] : "?", rid, e->rule);
	}
	if ((e->pk_orig || e->pk_reply) &&
	    (f.packets[FG_DIR_ORIG] != e->pk_orig ||
	     f.packets[FG_DIR_REPLY] != e->pk_reply))
		return fail(msg, ml, "flow packets orig/reply %llu/%llu, expected %llu/%llu",
			    (unsigned long long)f.packets[FG_DIR_ORIG],
			    (unsigned long long)f.packets[FG_DIR_REPLY],
			    (unsigned long long)e->pk_orig,
			    (unsigned long long)e->pk_reply);
	if ((e->pk_orig && !f.bytes[FG_DIR_ORIG]) ||
	    (e->pk_reply && !f.bytes[FG_DIR_REPLY]))
		return fail(msg, ml, "flow bytes orig/reply %llu/%llu with packets counted",
			    (unsigned long long)f.bytes[FG_DIR_ORIG],
			    (unsigned long long)f.bytes[FG_DIR_REPLY]);
	if (e->check_gen && f.gen != h->gen)
		return fail(msg, ml, "flow gen %u, expected %u", f.gen, h->gen);
	return 0;
}

int fg_h_step_run(struct fg_h *h, const struct fg_h_step *st, char *msg,
		  size_t ml)
{
	struct fg_counters c0, c1, d;
	struct fg_rule_counters r0 = { 0 }, r1 = { 0 };
	uint8_t buf[PKT_MAX];
	__u64 vsum = 0, dsum = 0;
	int len, rv, err, i, v = -1, dr = -1;
	bool dropped;

	msg[0] = 0;
	if (st->sleep_ms)
		fg_h_sleep_ms(st->sleep_ms);
	len = pkt_build(buf, sizeof(buf), &st->pkt);
	if (len < 0)
		return fail(msg, ml, "pkt_build: %s", strerror(-len));
	if (st->rule && fg_h_rule_counters(h, st->rule, &r0))
		return fail(msg, ml, "no counters for rule %s", st->rule);
	err = fg_h_counters(h, &c0);
	if (err)
		return fail(msg, ml, "read counters: %s", strerror(-err));
	rv = fg_h_run(h, st->hook, buf, (size_t)len);
	if (rv == FG_H_RUN_ERR)
		return fail(msg, ml, "test run failed: %s", strerror(errno));
	err = fg_h_counters(h, &c1);
	if (err)
		return fail(msg, ml, "read counters: %s", strerror(-err));
	fg_h_counters_delta(&c0, &c1, &d);
	for (i = 0; i < FG_VERDICT_MAX; i++) {
		vsum += d.verdict[i];
		if (d.verdict[i])
			v = i;
	}
	for (i = 0; i < FG_DROP_MAX; i++) {
		dsum += d.drop[i];
		if (d.drop[i])
			dr = i;
	}
	dropped = rv_drops(st->hook, rv);
	if (!dropped && !fg_h_rv_passes(st->hook, rv))
		return fail(msg, ml, "unexpected return value %d at %s", rv,
			    fg_h_hook_name(st->hook));
	if (st->rv == FG_H_PASS && dropped)
		return fail(msg, ml, "dropped (rv %d, verdict %s, reason %s), expected pass",
			    rv, v >= 0 ? fg_h_verdict_name(v) : "none",
			    dr >= 0 ? fg_h_drop_name(dr) : "none");
	if (st->rv == FG_H_DROP && !dropped)
		return fail(msg, ml, "passed (rv %d, verdict %s), expected drop",
			    rv, v >= 0 ? fg_h_verdict_name(v) : "none");
	if (vsum != 1)
		return fail(msg, ml, "%llu verdict counters moved, expected exactly 1",
			    (unsigned long long)vsum);
	if (st->verdict && v != st->verdict - 1)
		return fail(msg, ml, "verdict %s, expected %s",
			    fg_h_verdict_name(v),
			    fg_h_verdict_name(st->verdict - 1));
	if (dsum != (dropped ? 1 : 0))
		return fail(msg, ml, "%llu drop reasons counted for a %s packet",
			    (unsigned long long)dsum,
			    dropped ? "dropped" : "passed");
	if (st->drop && dr != st->drop - 1)
		return fail(msg, ml, "drop reason %s, expected %s",
			    dr >= 0 ? fg_h_drop_name(dr) : "none",
			    fg_h_drop_name(st->drop - 1));
	for (i = 0; i < 4 && st->cnt[i].cnt; i++) {
		int c = st->cnt[i].cnt - 1;

		if (d.cnt[c] != st->cnt[i].delta)
			return fail(msg, ml, "counter %s moved by %llu, expected %llu",
				    fg_h_cnt_name(c),
				    (unsigned long long)d.cnt[c],
				    (unsigned long long)st->cnt[i].delta);
	}
	if (st->rule) {
		if (fg_h_rule_counters(h, st->rule, &r1))
			return fail(msg, ml, "no counters for rule %s", st->rule);
		if (r1.packets - r0.packets != 1 || r1.bytes == r0.bytes)
			return fail(msg, ml, "rule %s counted %llu packets / %llu bytes, expected 1 packet",
				    st->rule,
				    (unsigned long long)(r1.packets - r0.packets),
				    (unsigned long long)(r1.bytes - r0.bytes));
	}
	return check_flow(h, st, msg, ml);
}

int fg_h_run_steps(struct fg_h *h, const struct fg_h_step *steps, size_t n,
		   const char *const *policies, char *msg, size_t ml)
{
	char one[1024];
	size_t i;
	int err;

	msg[0] = 0;
	for (i = 0; i < n; i++) {
		const struct fg_h_step *st = &steps[i];

		if (st->reload) {
			if (!policies)
				return fail(msg, ml, "step %zu: reload without policies", i);
			err = fg_h_reload(h, policies[st->reload - 1]);
			if (err < 0)
				return fail(msg, ml, "step %zu: reload: %s", i, h->err);
		}
		if (st->xdp_only && st->hook != FG_H_XDP)
			continue;
		if (fg_h_step_run(h, st, one, sizeof(one)))
			return fail(msg, ml, "step %zu (%s %s): %s", i,
				    fg_h_hook_name(st->hook),
				    st->what ? st->what : "", one);
	}
	return 0;
}
