// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_engine.c - L7 policy decisions for the AF_XDP inspector (see
 * l7_engine.h and docs/inspector.md).
 *
 * Per-flow state lives in a hash table keyed by the normalised flow key,
 * with one mutex per stripe of buckets: both directions of a flow may
 * arrive on different workers at once, and the whole decision for one
 * packet runs under its stripe's lock.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compile.h"
#include "events.h"
#include "format.h"
#include "json.h"
#include "l7_dns.h"
#include "l7_engine.h"
#include "l7_http.h"
#include "l7_ident.h"
#include "l7_tls.h"
#include "tcp_stream.h"

#define L7_BUCKETS	4096	/* power of two */
#define L7_STRIPES	256	/* divides L7_BUCKETS */
/* How long an ended flow's verdict is kept for packets a worker read
 * before the verdict was written (they are microseconds behind). */
#define L7_ENDED_GRACE_NS	(2 * 1000000000ULL)

/* A policy generation, shared by the flows that started under it. */
struct l7_pol {
	struct fg_policy *p;
	struct fg_l7_limits lim;	/* the policy's `inspect`, else the
					 * engine's */
	__u32 gen;
	__u32 n_fs;		/* failsafe rules before the policy's */
	int refs;		/* atomic */
};

enum l7_phase {
	PH_IDENT = 0,		/* feeding l7_ident */
	PH_HTTP,		/* every request checked */
	PH_TLS,			/* waiting for the whole ClientHello */
	PH_DNS,			/* every query checked */
	PH_FINAL,		/* verdict given, waiting for flow_end */
};

struct l7_flow {
	struct l7_flow *next;
	struct fg_flow_key key;
	struct l7_pol *pol;
	struct fg_match_input in;	/* for the fall-through matches */
	__u32 start_rule;		/* the app rule that asked for us */
	__u32 rule;			/* the rule deciding now */
	__u32 item_rule;		/* where each item's check starts */
	__u32 would_deny;		/* items logged so, monitor mode */
	__u64 last_ns;
	__u64 created_ns;		/* of the kernel flow (which instance) */
	bool ended;			/* verdict given, flow_end called: only
					 * final is kept, for late packets */
	__u32 pkts;			/* payload packets while identifying */
	__u32 items;			/* requests/queries checked */
	__u64 parsed;			/* bytes given to the app's parser */
	__u8 phase;
	__u8 app;			/* enum fg_app */
	__u8 final;			/* enum fg_insp_decision, PH_FINAL */
	struct fg_tcp_stream stream[2];	/* TCP, by enum fg_flow_dir */
	__u32 fed[2];			/* bytes given to l7_ident */
	struct fg_l7_ident *id;		/* PH_IDENT only */
	void *parser;			/* fg_http_parser, fg_tls_parser, or
					 * fg_dns_tcp[2] by direction */
};

struct fg_l7_engine {
	struct fg_l7_limits lim;	/* where the policy sets none */
	bool fail_open;
	pthread_mutex_t pol_lock;	/* guards pol (the pointer) */
	struct l7_pol *pol;
	pthread_mutex_t ev_lock;	/* guards events and the bucket */
	FILE *events;
	__u64 ev_rate, ev_burst;	/* events/s and burst; 0: unlimited */
	__u64 ev_tokens;		/* ns of refill, see ev_allowed() */
	__u64 ev_last_ns;
	pthread_mutex_t locks[L7_STRIPES];
	struct l7_flow *buckets[L7_BUCKETS];
	__u32 sweep_next;		/* bucket the next sweep starts at */
	struct l7_cand *cand;		/* the sweep's lookups of one bucket */
	size_t cand_cap;
	struct fg_l7_stats st;		/* atomics */
};

/* A flow the sweep asks the kernel about, its stripe unlocked. */
struct l7_cand {
	struct fg_flow_key key;
	__u64 created_ns;
};

/* What an event says about the app's payload (at most one set). */
struct l7_fields {
	const struct fg_http_request *http;
	const struct fg_tls_hello *tls;
	const struct fg_dns_msg *dns;
	const char *tunnel;	/* fg_http_tunnel_name() */
};

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

static void stat_add(__u64 *c, __s64 v)
{
	__atomic_add_fetch(c, (__u64)v, __ATOMIC_RELAXED);
}

/* No state to inspect with: what inspect_failure says. */
static enum fg_insp_decision fail_verdict(struct fg_l7_engine *e)
{
	return __atomic_load_n(&e->fail_open, __ATOMIC_RELAXED) ?
	       FG_INSP_ALLOW : FG_INSP_DENY;
}

/* ---- policy generations ---- */

static void pol_put(struct l7_pol *pol)
{
	if (!pol || __atomic_sub_fetch(&pol->refs, 1, __ATOMIC_ACQ_REL))
		return;
	fg_policy_free(pol->p);
	free(pol);
}

static struct l7_pol *pol_get(struct fg_l7_engine *e)
{
	struct l7_pol *pol;

	pthread_mutex_lock(&e->pol_lock);
	pol = e->pol;
	if (pol)
		__atomic_add_fetch(&pol->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&e->pol_lock);
	return pol;
}

/* Each field of set, else of dflt. */
static struct fg_l7_limits limits(const struct fg_l7_limits *set,
				  const struct fg_l7_limits *dflt)
{
	return (struct fg_l7_limits){
		.max_flows = set->max_flows ?: dflt->max_flows,
		.ident_bytes = set->ident_bytes ?: dflt->ident_bytes,
		.ident_pkts = set->ident_pkts ?: dflt->ident_pkts,
		.monitor_items = set->monitor_items ?: dflt->monitor_items,
		.budget_http = set->budget_http ?: dflt->budget_http,
		.budget_dns = set->budget_dns ?: dflt->budget_dns,
	};
}

void fg_l7_engine_set_policy(struct fg_l7_engine *e, struct fg_policy *p,
			     __u32 generation)
{
	struct l7_pol *pol = NULL, *old;

	if (p) {
		pol = calloc(1, sizeof(*pol));
		if (!pol) {
			/* Keep the old rules rather than none; the kernel
			 * has the new ids, so flows decided now may name
			 * old rules. Out of memory here is the least bad. */
			fg_policy_free(p);
			return;
		}
		pol->p = p;
		pol->lim = limits(&p->inspect, &e->lim);
		pol->gen = generation;
		pol->n_fs = (__u32)p->n_failsafe;
		pol->refs = 1;
	}
	pthread_mutex_lock(&e->pol_lock);
	old = e->pol;
	e->pol = pol;
	pthread_mutex_unlock(&e->pol_lock);
	pol_put(old);
}

bool fg_l7_policy_inspects(const struct fg_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (p->rules[i].apps)
			return true;
	return false;
}

/* ---- events ---- */

/* The first value of header name (lower case), or NULL. */
static const char *http_header(const struct fg_http_request *r, const char *name)
{
	unsigned int i;

	for (i = 0; i < r->n_headers; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

/* Other header values stay out of events: they may carry credentials
 * (Authorization, Cookie, API keys) that rules condition on. */
static void ev_http(struct fg_json *j, const struct fg_http_request *r)
{
	fg_json_kobj_open(j, "http");
	fg_json_kstr(j, "method", r->method);
	fg_json_kstr(j, "host", r->host);
	fg_json_kstr(j, "path", r->path);
	fg_json_kstr(j, "user_agent", http_header(r, "user-agent"));
	fg_json_obj_close(j);
}

static void ev_tls(struct fg_json *j, const struct fg_tls_hello *h)
{
	char v[8];
	unsigned int i;

	snprintf(v, sizeof(v), "0x%04x", h->version);
	fg_json_kobj_open(j, "tls");
	fg_json_kstr(j, "sni", h->has_sni ? h->sni : NULL);
	fg_json_karr_open(j, "alpn");
	for (i = 0; i < h->n_alpn; i++)
		fg_json_str(j, h->alpn[i]);
	fg_json_arr_close(j);
	fg_json_kstr(j, "version", v);
	fg_json_kstr(j, "ja3", h->ja3_md5);
	fg_json_kstr(j, "ja4", h->ja4);
	fg_json_obj_close(j);
}

static void ev_dns(struct fg_json *j, const struct fg_dns_msg *m)
{
	unsigned int i;

	fg_json_kobj_open(j, "dns");
	fg_json_kstr(j, "qname", m->n_questions ? m->questions[0].name : NULL);
	if (m->n_questions)
		fg_json_ku64(j, "qtype", m->questions[0].type);
	else
		fg_json_knull(j, "qtype");
	fg_json_karr_open(j, "answers");
	for (i = 0; i < m->n_answers; i++)
		if (m->answers[i].data[0])
			fg_json_str(j, m->answers[i].data);
	fg_json_arr_close(j);
	fg_json_obj_close(j);
}

/* The flow's initiator/responder address and port from the key. */
static void ev_endpoints(struct fg_json *j, const struct l7_flow *f)
{
	const struct fg_flow_key *k = &f->key;
	bool init_lo = !memcmp(f->in.src, k->addr_lo, 16);
	char a[FG_ADDR_STRLEN];

	fg_json_kstr(j, "src", fg_fmt_addr(k->family, init_lo ? k->addr_lo :
				k->addr_hi, a, sizeof(a)));
	fg_json_kstr(j, "dst", fg_fmt_addr(k->family, init_lo ? k->addr_hi :
				k->addr_lo, a, sizeof(a)));
	fg_json_ku64(j, "sport", ntohs(init_lo ? k->port_lo : k->port_hi));
	fg_json_ku64(j, "dport", f->in.port);
}

static const char *rule_name(const struct l7_pol *pol, __u32 id)
{
	if (id < pol->n_fs)
		return "failsafe";
	if (id - pol->n_fs >= pol->p->n_rules)
		return "default";
	return pol->p->rules[id - pol->n_fs].name;
}

/*
 * The same token bucket as the kernel's events (--event-rate, burst), one
 * for the whole engine: a flood of requests cannot turn into a flood of
 * lines. Tokens are counted in ns of refill (1 event = 1e9 / rate ns), so
 * no fraction is lost. Under ev_lock.
 */
static bool ev_allowed(struct fg_l7_engine *e)
{
	__u64 now = now_ns(), cost, cap;

	if (!e->ev_rate)
		return true;
	cost = 1000000000ULL / e->ev_rate ?: 1;
	cap = cost * (e->ev_burst ?: 1);
	if (now > e->ev_last_ns)
		e->ev_tokens += now - e->ev_last_ns;
	e->ev_last_ns = now;
	if (e->ev_tokens > cap)
		e->ev_tokens = cap;
	if (e->ev_tokens < cost) {
		stat_add(&e->st.events_suppressed, 1);
		return false;
	}
	e->ev_tokens -= cost;
	return true;
}

static void emit(struct fg_l7_engine *e, const struct l7_flow *f,
		 const struct fg_insp_pkt *pkt, const char *verdict,
		 const char *reason, const struct l7_fields *x)
{
	char ts[64], ifn[IF_NAMESIZE];
	struct fg_json j;
	FILE *out;

	pthread_mutex_lock(&e->ev_lock);
	out = e->events;
	if (!out || !ev_allowed(e))
		goto out_unlock;
	/* The fast path's writer locks the same FILE per line. */
	flockfile(out);
	fg_json_init(&j, out, false);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "ts", fg_fmt_rfc3339((__u64)((__s64)now_ns() +
				fg_clock_mono_to_real()), ts, sizeof(ts)));
	fg_json_kstr(&j, "type", "l7");
	fg_json_kstr(&j, "iface", if_indextoname(pkt->flow->ifindex, ifn));
	fg_json_ku64(&j, "ifindex", pkt->flow->ifindex);
	fg_json_kstr(&j, "hook", NULL);
	fg_json_kstr(&j, "family", f->key.family == AF_INET ? "ipv4" : "ipv6");
	ev_endpoints(&j, f);
	fg_json_kstr(&j, "proto", fg_proto_name(f->key.proto));
	fg_json_kstr(&j, "rule", rule_name(f->pol, f->rule));
	fg_json_ku64(&j, "generation", f->pol->gen);
	fg_json_kstr(&j, "verdict", verdict);
	fg_json_kstr(&j, "reason", reason);
	fg_json_kstr(&j, "app", fg_app_name(f->app));
	if (x && x->http)
		ev_http(&j, x->http);
	if (x && x->tls)
		ev_tls(&j, x->tls);
	if (x && x->dns)
		ev_dns(&j, x->dns);
	if (x && x->tunnel)
		fg_json_kstr(&j, "tunnel", x->tunnel);
	fg_json_obj_close(&j);
	fg_json_end(&j);
	funlockfile(out);
out_unlock:
	pthread_mutex_unlock(&e->ev_lock);
}

void fg_l7_engine_set_fail_open(struct fg_l7_engine *e, bool fail_open)
{
	__atomic_store_n(&e->fail_open, fail_open, __ATOMIC_RELAXED);
}

void fg_l7_engine_set_events(struct fg_l7_engine *e, FILE *events)
{
	pthread_mutex_lock(&e->ev_lock);
	e->events = events;
	pthread_mutex_unlock(&e->ev_lock);
}

void fg_l7_engine_set_event_rate(struct fg_l7_engine *e, __u32 rate,
				 __u32 burst)
{
	pthread_mutex_lock(&e->ev_lock);
	e->ev_rate = rate;
	e->ev_burst = burst;
	e->ev_last_ns = now_ns();
	e->ev_tokens = rate ? 1000000000ULL / rate * (burst ?: 1) : 0;
	pthread_mutex_unlock(&e->ev_lock);
}

/* ---- rules ---- */

/* Result of resolving the flow's current rule for its app. */
enum l7_res {
	RES_ALLOW = FG_ACTION_ALLOW,	/* final */
	RES_DENY = FG_ACTION_DENY,	/* final */
	RES_CHECK = 100,		/* the rule has conditions to check */
};

static const struct fg_rule *cur_rule(const struct l7_flow *f)
{
	__u32 n_fs = f->pol->n_fs;

	if (f->rule < n_fs || f->rule - n_fs >= f->pol->p->n_rules)
		return NULL;
	return &f->pol->p->rules[f->rule - n_fs];
}

static void fall_through(struct fg_l7_engine *e, struct l7_flow *f)
{
	f->rule = fg_policy_match_from(f->pol->p, &f->in, f->rule + 1);
	stat_add(&e->st.fallthrough, 1);
}

/* Does r carry conditions on app's payload? -1: yes, but this app cannot
 * be checked against them (HTTP/2 for an `http` block): the rule fails. */
static int has_cond(const struct fg_rule *r, __u8 app)
{
	bool http = r->http.hosts.n || r->http.methods.n || r->http.paths.n ||
		    r->http.n_headers;

	switch (app) {
	case FG_APP_HTTP:
		return http;
	case FG_APP_HTTP2:
	case FG_APP_GRPC:
		return http ? -1 : 0;
	case FG_APP_TLS:
		return r->tls.sni.n || r->tls.alpn.n || r->tls.versions.n ||
		       r->tls.ja3.n || r->tls.ja4.n;
	case FG_APP_DNS:
		return r->dns.names.n > 0;
	default:
		return 0;
	}
}

/* Walk from f->rule to the first rule that decides f's app. */
static enum l7_res resolve(struct fg_l7_engine *e, struct l7_flow *f)
{
	for (;;) {
		const struct fg_rule *r = cur_rule(f);
		int c;

		if (!r) {	/* failsafe (allow) or the default */
			if (f->rule < f->pol->n_fs)
				return RES_ALLOW;
			return f->pol->p->default_action == FG_ACTION_ALLOW ?
			       RES_ALLOW : RES_DENY;
		}
		if (!r->apps)
			return r->action == FG_ACTION_ALLOW ? RES_ALLOW :
							       RES_DENY;
		c = r->apps & FG_APP_BIT(f->app) ? has_cond(r, f->app) : -1;
		if (c > 0)
			return RES_CHECK;
		if (!c)
			return r->action == FG_ACTION_ALLOW ? RES_ALLOW :
							       RES_DENY;
		fall_through(e, f);
	}
}

static bool any_name(const struct fg_pat_list *l, const char *v)
{
	size_t i, n = strlen(v);

	for (i = 0; i < l->n; i++)
		if (fg_pat_match_name(&l->v[i], v, n))
			return true;
	return false;
}

static bool any_of(const struct fg_pat_list *l, const char *v,
		   bool (*match)(const struct fg_pat *, const char *, size_t))
{
	size_t i, n = strlen(v);

	if (!l->n)
		return true;	/* key absent: no condition */
	for (i = 0; i < l->n; i++)
		if (match(&l->v[i], v, n))
			return true;
	return false;
}

/* Every ALPN value the client offers is listed: the server can only pick
 * one of those (GREASE values, never chosen, the parser left out). No
 * ALPN, or more than the parser keeps: cannot hold. */
static bool alpn_holds(const struct fg_pat_list *l, const struct fg_tls_hello *h)
{
	unsigned int i;

	if (h->alpn_truncated || !h->n_alpn)
		return false;
	for (i = 0; i < h->n_alpn; i++)
		if (!any_of(l, h->alpn[i], fg_pat_match_alpn))
			return false;
	return true;
}

static bool version_holds(const struct fg_pat_list *l, __u16 version)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (fg_pat_match_tls_version(&l->v[i], version))
			return true;
	return false;
}

/* Each listed key of the tls block holds for the ClientHello. */
/* A fingerprint (lower case, as computed) in a list of them. */
static bool exact_in(const struct fg_pat_list *l, const char *v)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].text, v))
			return true;
	return false;
}

static bool tls_holds(const struct fg_tls_cond *c, const struct fg_tls_hello *h)
{
	if (c->sni.n && !(h->has_sni && any_name(&c->sni, h->sni)))
		return false;
	if (c->alpn.n && !alpn_holds(&c->alpn, h))
		return false;
	if (c->ja3.n && !exact_in(&c->ja3, h->ja3_md5))
		return false;
	if (c->ja4.n && !exact_in(&c->ja4, h->ja4))
		return false;
	return !c->versions.n || version_holds(&c->versions, h->version);
}

/* Every listed header is in the request, one occurrence of it (any)
 * matching one of its values. */
static bool headers_hold(const struct fg_http_cond *c,
			 const struct fg_http_request *req)
{
	unsigned int i, k;

	for (i = 0; i < c->n_headers; i++) {
		const struct fg_http_hdr_cond *hc = &c->headers[i];

		for (k = 0; k < req->n_headers; k++)
			if (!strcasecmp(req->headers[k].name, hc->name) &&
			    any_of(&hc->values, req->headers[k].value,
				   fg_pat_match_header))
				break;
		if (k == req->n_headers)
			return false;
	}
	return true;
}

static bool cond_holds(const struct fg_rule *r, const struct l7_fields *x)
{
	unsigned int i;

	if (x->http)
		return any_of(&r->http.hosts, x->http->host, fg_pat_match_name) &&
		       any_of(&r->http.methods, x->http->method,
			      fg_pat_match_method) &&
		       any_of(&r->http.paths, x->http->path, fg_pat_match_path) &&
		       headers_hold(&r->http, x->http);
	if (x->tls)
		return tls_holds(&r->tls, x->tls);
	if (!x->dns || !x->dns->n_questions)
		return false;
	for (i = 0; i < x->dns->n_questions; i++)
		if (!any_name(&r->dns.names, x->dns->questions[i].name))
			return false;
	return true;
}

/* Monitor mode of the rule deciding f: its own mode, else that of the
 * rule that sent the flow to us, else the policy's. */
static bool monitor(const struct l7_flow *f)
{
	const struct fg_rule *r = cur_rule(f);
	__u32 n_fs = f->pol->n_fs;

	if (r && r->mode_set)
		return r->mode == FG_POLICY_MODE_MONITOR;
	if (f->start_rule >= n_fs && f->start_rule - n_fs < f->pol->p->n_rules) {
		r = &f->pol->p->rules[f->start_rule - n_fs];
		if (r->mode_set)
			return r->mode == FG_POLICY_MODE_MONITOR;
	}
	return f->pol->p->mode == FG_POLICY_MODE_MONITOR;
}

/* A final verdict: event, monitor mode, and f waits for flow_end. */
static enum fg_insp_decision finish(struct fg_l7_engine *e, struct l7_flow *f,
				    const struct fg_insp_pkt *pkt, bool allow,
				    const char *reason,
				    const struct l7_fields *x)
{
	enum fg_insp_decision d = allow ? FG_INSP_ALLOW : FG_INSP_DENY;
	const char *verdict = allow ? "allow" : "deny";

	if (!allow && monitor(f)) {
		verdict = "would_deny";
		d = FG_INSP_ALLOW;
		stat_add(&e->st.would_deny, 1);
	}
	emit(e, f, pkt, verdict, reason, x);
	f->phase = PH_FINAL;
	f->final = (__u8)d;
	return d;
}

/*
 * The verdict on one item. In monitor mode a deny of one of several items
 * (HTTP requests, DNS queries) is logged and the next item is checked from
 * the same rule as this one, so every request that would be denied shows;
 * after monitor_items such items the flow is allowed (the rest in the
 * kernel).
 */
static enum fg_insp_decision item_verdict(struct fg_l7_engine *e,
					  struct l7_flow *f,
					  const struct fg_insp_pkt *pkt,
					  bool allow, const char *reason,
					  const struct l7_fields *x, bool final)
{
	if (allow || final || !monitor(f) ||
	    f->would_deny >= f->pol->lim.monitor_items)
		return finish(e, f, pkt, allow, reason, x);
	f->would_deny++;
	stat_add(&e->st.would_deny, 1);
	emit(e, f, pkt, "would_deny", reason, x);
	f->rule = f->item_rule;
	return FG_INSP_CONTINUE;
}

/*
 * Check one request / hello / query against f's rules. If it holds for an
 * allow rule: CONTINUE (keep inspecting), or ALLOW when the app is decided
 * on this one item (final, TLS). Else the flow's final verdict.
 */
static enum fg_insp_decision check_item(struct fg_l7_engine *e,
					struct l7_flow *f,
					const struct fg_insp_pkt *pkt,
					const struct l7_fields *x, bool final)
{
	enum l7_res res;

	f->items++;
	for (;;) {
		const struct fg_rule *r;

		res = resolve(e, f);
		if (res != RES_CHECK)
			return item_verdict(e, f, pkt, res == RES_ALLOW,
					    "fallthrough", x, final);
		r = cur_rule(f);
		if (cond_holds(r, x))
			break;
		fall_through(e, f);
	}
	if (cur_rule(f)->action != FG_ACTION_ALLOW || final)
		return item_verdict(e, f, pkt,
				    cur_rule(f)->action == FG_ACTION_ALLOW,
				    "conditions", x, final);
	emit(e, f, pkt, "allow", "conditions", x);
	return FG_INSP_CONTINUE;
}

/* ---- app parsers ---- */

/* What a callback (HTTP request, DNS message, stream bytes) needs. */
struct item_ctx {
	struct fg_l7_engine *e;
	struct l7_flow *f;
	const struct fg_insp_pkt *pkt;
	enum fg_insp_decision d;
};

static int on_request(const struct fg_http_request *req, void *arg)
{
	struct item_ctx *c = arg;
	struct l7_fields x = { .http = req };
	__u32 would_deny = c->f->would_deny;

	c->d = check_item(c->e, c->f, c->pkt, &x, false);
	/* Only an allowed request opens a tunnel: after one monitor mode
	 * let pass, the next bytes must still be HTTP/1. */
	if (c->f->would_deny != would_deny)
		fg_http_refuse_tunnel(c->f->parser);
	return c->d != FG_INSP_CONTINUE;
}

/*
 * inspect.budget: once f's parser has had the app's budget of bytes, and
 * f stands between items (no request/query half read) after at least one
 * that held, the flow is allowed for good: the rest in the kernel, later
 * items unchecked (docs/policy.md says so).
 */
static enum fg_insp_decision budget(struct fg_l7_engine *e, struct l7_flow *f,
				    const struct fg_insp_pkt *pkt,
				    enum fg_insp_decision d, __u32 limit,
				    bool between)
{
	if (d != FG_INSP_CONTINUE || !limit || f->parsed < limit ||
	    !f->items || !between)
		return d;
	stat_add(&e->st.budget_spent, 1);
	return finish(e, f, pkt, true, "budget", NULL);
}

static enum fg_insp_decision feed_http(struct fg_l7_engine *e,
				       struct l7_flow *f,
				       const struct fg_insp_pkt *pkt,
				       const __u8 *data, size_t len)
{
	struct item_ctx c = { e, f, pkt, FG_INSP_CONTINUE };
	struct fg_http_parser *hp = f->parser;
	int err = fg_http_feed(hp, data, len, on_request, &c);

	if (err < 0)	/* malformed or ambiguous: not this rule's http */
		return finish(e, f, pkt, false, "malformed", NULL);
	if (c.d == FG_INSP_CONTINUE && hp->state == FG_HTTP_TUNNEL) {
		/* The allowed request switched protocols: the inspector
		 * cannot parse what follows; the rule allowed it. */
		struct l7_fields x = { .tunnel = fg_http_tunnel_name(hp->tunnel) };

		return finish(e, f, pkt, true, "tunnel", &x);
	}
	/* bytes held while a tunnel's start is undecided are no boundary */
	return budget(e, f, pkt, c.d, f->pol->lim.budget_http,
		      hp->state != FG_HTTP_HEAD || (!hp->len && !hp->rl_bad));
}

static enum fg_insp_decision feed_tls(struct fg_l7_engine *e,
				      struct l7_flow *f,
				      const struct fg_insp_pkt *pkt,
				      const __u8 *data, size_t len)
{
	struct fg_tls_parser *tp = f->parser;
	struct l7_fields x = { .tls = &tp->hello };
	int r = fg_tls_feed(tp, data, len);

	if (!r)
		return FG_INSP_CONTINUE;
	if (r < 0)
		return finish(e, f, pkt, false, "malformed", NULL);
	/* TLS is decided on the hello: the rest goes by the kernel. */
	return check_item(e, f, pkt, &x, true);
}

static int on_dns(const uint8_t *msg, size_t len, void *arg)
{
	struct item_ctx *c = arg;
	struct fg_dns_msg *m = malloc(sizeof(*m));
	struct l7_fields x = { .dns = m };

	if (!m) {
		c->d = finish(c->e, c->f, c->pkt, false, "no_memory", NULL);
		return 1;
	}
	if (fg_dns_parse(msg, len, m)) {
		c->d = finish(c->e, c->f, c->pkt, false, "malformed", NULL);
	} else if (c->pkt->dir == FG_DIR_REPLY) {
		if (m->response)	/* answers: for the log only */
			emit(c->e, c->f, c->pkt, "allow", "answer", &x);
	} else if (m->response) {
		c->d = finish(c->e, c->f, c->pkt, false, "malformed", NULL);
	} else {
		c->d = check_item(c->e, c->f, c->pkt, &x, false);
	}
	free(m);
	return c->d != FG_INSP_CONTINUE;
}

static enum fg_insp_decision feed_dns(struct fg_l7_engine *e,
				      struct l7_flow *f,
				      const struct fg_insp_pkt *pkt,
				      const __u8 *data, size_t len)
{
	struct item_ctx c = { e, f, pkt, FG_INSP_CONTINUE };
	int err;

	if (f->key.proto == IPPROTO_UDP) {
		on_dns(data, len, &c);
		return budget(e, f, pkt, c.d, f->pol->lim.budget_dns, true);
	}
	/* TCP: each direction has its own framing; the queries decide, the
	 * answers are logged. */
	err = fg_dns_tcp_feed((struct fg_dns_tcp *)f->parser + pkt->dir, data,
			      len, on_dns, &c);
	if (err < 0)
		return finish(e, f, pkt, false, "malformed", NULL);
	return budget(e, f, pkt, c.d, f->pol->lim.budget_dns,
		      !((struct fg_dns_tcp *)f->parser + FG_DIR_ORIG)->hdr_len);
}

static enum fg_insp_decision feed_app(struct fg_l7_engine *e,
				      struct l7_flow *f,
				      const struct fg_insp_pkt *pkt,
				      const __u8 *data, size_t len)
{
	if (!len)
		return FG_INSP_CONTINUE;
	f->parsed += len;
	switch (f->phase) {
	case PH_HTTP:
		/* Requests only; the responses are forwarded as they are. */
		if (pkt->dir != FG_DIR_ORIG)
			return FG_INSP_CONTINUE;
		return feed_http(e, f, pkt, data, len);
	case PH_TLS:
		if (pkt->dir != FG_DIR_ORIG)
			return FG_INSP_CONTINUE;
		return feed_tls(e, f, pkt, data, len);
	case PH_DNS:
		return feed_dns(e, f, pkt, data, len);
	default:
		return (enum fg_insp_decision)f->final;
	}
}

/*
 * TCP, just identified: give the parser the bytes l7_ident kept from
 * earlier packets of direction dir (the requests; for DNS the answers
 * too), then this packet's. If l7_ident ran out of room before this
 * packet, the stream cannot be parsed from its start.
 */
static enum fg_insp_decision replay_dir(struct fg_l7_engine *e,
					struct l7_flow *f,
					const struct fg_insp_pkt *pkt,
					const __u8 *data, size_t len, int dir)
{
	enum fg_l7_dir ld = dir == FG_DIR_ORIG ? FG_L7_C2S : FG_L7_S2C;
	const struct fg_l7_ident *id = f->id;
	size_t prior = f->fed[ld] - (pkt->dir == dir ? len : 0);
	struct fg_insp_pkt orig = *pkt;
	enum fg_insp_decision d;

	if (prior > id->len[ld])
		return finish(e, f, pkt, false, "too_long", NULL);
	orig.dir = dir;
	d = feed_app(e, f, &orig, id->buf[ld], prior);
	if (d != FG_INSP_CONTINUE || pkt->dir != dir)
		return d;
	return feed_app(e, f, pkt, data, len);
}

static enum fg_insp_decision replay(struct fg_l7_engine *e, struct l7_flow *f,
				    const struct fg_insp_pkt *pkt,
				    const __u8 *data, size_t len)
{
	enum fg_insp_decision d;

	d = replay_dir(e, f, pkt, data, len, FG_DIR_ORIG);
	if (d != FG_INSP_CONTINUE || f->phase != PH_DNS)
		return d;
	return replay_dir(e, f, pkt, data, len, FG_DIR_REPLY);
}

/* The app is known: decide, or set up the parser its conditions need and
 * give it the request bytes l7_ident kept. */
static enum fg_insp_decision identified(struct fg_l7_engine *e,
					struct l7_flow *f,
					const struct fg_insp_pkt *pkt,
					const __u8 *data, size_t len)
{
	enum l7_res res = resolve(e, f);
	size_t size;

	*pkt->app_id = f->app;
	if (res != RES_CHECK)
		return finish(e, f, pkt, res == RES_ALLOW, "app", NULL);
	f->item_rule = f->rule;
	switch (f->app) {
	case FG_APP_HTTP:
		size = sizeof(struct fg_http_parser);
		f->phase = PH_HTTP;
		break;
	case FG_APP_TLS:
		size = sizeof(struct fg_tls_parser);
		f->phase = PH_TLS;
		break;
	default:	/* DNS: over TCP, a framer per direction */
		f->phase = PH_DNS;
		if (f->key.proto == IPPROTO_UDP)   /* one datagram, this one */
			return feed_app(e, f, pkt, data, len);
		size = 2 * sizeof(struct fg_dns_tcp);
		break;
	}
	f->parser = malloc(size);
	if (!f->parser)
		return finish(e, f, pkt, fail_verdict(e) == FG_INSP_ALLOW, "no_memory", NULL);
	switch (f->phase) {
	case PH_HTTP:
		fg_http_init(f->parser);
		break;
	case PH_TLS:
		fg_tls_init(f->parser);
		break;
	default:
		fg_dns_tcp_init((struct fg_dns_tcp *)f->parser + FG_DIR_ORIG);
		fg_dns_tcp_init((struct fg_dns_tcp *)f->parser + FG_DIR_REPLY);
		break;
	}
	return replay(e, f, pkt, data, len);
}

static enum fg_insp_decision ident_feed(struct fg_l7_engine *e,
					struct l7_flow *f,
					const struct fg_insp_pkt *pkt,
					const __u8 *data, size_t len)
{
	enum fg_l7_dir dir = pkt->dir == FG_DIR_ORIG ? FG_L7_C2S : FG_L7_S2C;
	enum fg_insp_decision d;
	int st;

	if (!len)
		return FG_INSP_CONTINUE;
	f->fed[dir] += (__u32)len;
	st = fg_l7_ident_feed(f->id, dir, data, len);
	if (st == FG_IDENT_MORE && ++f->pkts >= f->pol->lim.ident_pkts)
		st = fg_l7_ident_finish(f->id);
	if (st == FG_IDENT_MORE)
		return FG_INSP_CONTINUE;
	if (st == FG_IDENT_DONE) {
		f->app = f->id->app;
	} else {
		f->app = FG_APP_OTHER;	/* something else */
		stat_add(&e->st.not_identified, 1);
	}
	d = identified(e, f, pkt, data, len);
	free(f->id);
	f->id = NULL;
	return d;
}

/* New in-order bytes of one direction, from tcp_stream. */
static int on_stream_bytes(void *arg, const uint8_t *data, size_t len)
{
	struct item_ctx *c = arg;

	if (c->f->phase == PH_IDENT)
		c->d = ident_feed(c->e, c->f, c->pkt, data, len);
	else
		c->d = feed_app(c->e, c->f, c->pkt, data, len);
	return c->d == FG_INSP_ALLOW || c->d == FG_INSP_DENY;
}

/*
 * The one place TCP payload enters the engine: tcp_stream puts each
 * direction back in order and guarantees that what the receiver gets is
 * what was inspected. Bytes that disagree with inspected ones are an
 * evasion attempt: deny.
 */
static enum fg_insp_decision tcp_in(struct fg_l7_engine *e, struct l7_flow *f,
				    const struct fg_insp_pkt *pkt)
{
	struct item_ctx c = { e, f, pkt, FG_INSP_CONTINUE };
	enum fg_tcp_seg r;

	/* Responses of HTTP and TLS are never parsed: no need to order them. */
	if (pkt->dir == FG_DIR_REPLY &&
	    (f->phase == PH_HTTP || f->phase == PH_TLS))
		return FG_INSP_CONTINUE;
	r = fg_tcp_stream_seg(&f->stream[pkt->dir], pkt->tcp_seq,
			      pkt->tcp_flags, pkt->payload, pkt->len,
			      on_stream_bytes, &c);
	if (c.d == FG_INSP_ALLOW || c.d == FG_INSP_DENY)
		return c.d;
	if (r == FG_TCP_SEG_CONFLICT) {
		stat_add(&e->st.stream_conflict, 1);
		return finish(e, f, pkt, false, "stream_conflict", NULL);
	}
	return r == FG_TCP_SEG_DROP ? FG_INSP_DROP : c.d;
}

/* ---- flow table ---- */

static __u32 key_hash(const struct fg_flow_key *k)
{
	const __u8 *b = (const __u8 *)k;
	__u32 h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ b[i]) * 16777619u;
	return h & (L7_BUCKETS - 1);
}

/* The parsing state, all but what an ended flow keeps. */
static void flow_release(struct l7_flow *f)
{
	free(f->id);
	f->id = NULL;
	free(f->parser);
	f->parser = NULL;
	fg_tcp_stream_free(&f->stream[FG_DIR_ORIG]);
	fg_tcp_stream_free(&f->stream[FG_DIR_REPLY]);
}

static void flow_free(struct fg_l7_engine *e, struct l7_flow *f)
{
	flow_release(f);
	pol_put(f->pol);
	stat_add(f->ended ? &e->st.verdicts_live : &e->st.flows_live, -1);
	free(f);
}

/* The verdict is in the kernel: keep only the verdict, for packets a
 * worker read just before it was written (they would otherwise create
 * new state that nothing ends). Bounded like live state. */
static bool flow_keep_verdict(struct fg_l7_engine *e, struct l7_flow *f)
{
	if (f->phase != PH_FINAL ||
	    __atomic_load_n(&e->st.verdicts_live, __ATOMIC_RELAXED) >=
	    f->pol->lim.max_flows)
		return false;
	flow_release(f);
	f->ended = true;
	f->last_ns = now_ns();
	stat_add(&e->st.flows_live, -1);
	stat_add(&e->st.verdicts_live, 1);
	return true;
}

/* The flow's match input, as the kernel classified it. */
static void match_input(const struct fg_insp_pkt *pkt, struct fg_match_input *in)
{
	const struct fg_flow_key *k = pkt->key;
	bool init_lo = pkt->flow->flags & FG_FLOW_F_INIT_LO;

	memset(in, 0, sizeof(*in));
	in->family = k->family;
	memcpy(in->src, init_lo ? k->addr_lo : k->addr_hi, 16);
	memcpy(in->dst, init_lo ? k->addr_hi : k->addr_lo, 16);
	in->proto = k->proto;
	in->port = pkt->flow->cls_port;
}

static struct l7_flow *flow_new(struct fg_l7_engine *e,
				const struct fg_insp_pkt *pkt)
{
	struct l7_pol *pol = pol_get(e);
	struct l7_flow *f;

	if (!pol)
		return NULL;
	/* The current policy's bound: state beyond a lowered one is kept
	 * until its flows end, new flows wait for room. */
	if (__atomic_load_n(&e->st.flows_live, __ATOMIC_RELAXED) >=
	    pol->lim.max_flows) {
		stat_add(&e->st.table_full, 1);
		pol_put(pol);
		return NULL;
	}
	f = calloc(1, sizeof(*f));
	if (f)
		f->id = malloc(sizeof(*f->id));
	if (!f || !f->id) {
		free(f);
		pol_put(pol);
		return NULL;
	}
	f->key = *pkt->key;
	f->created_ns = pkt->flow->created_ns;
	f->pol = pol;
	match_input(pkt, &f->in);
	f->start_rule = fg_policy_match(pol->p, &f->in);
	f->rule = f->start_rule;
	f->phase = PH_IDENT;
	fg_l7_ident_init(f->id, f->key.proto, pol->lim.ident_bytes);
	fg_tcp_stream_init(&f->stream[FG_DIR_ORIG], NULL);
	fg_tcp_stream_init(&f->stream[FG_DIR_REPLY], NULL);
	stat_add(&e->st.flows, 1);
	stat_add(&e->st.flows_live, 1);
	return f;
}

/* An ended flow past its grace, or live state idle longer than the
 * kernel keeps such a flow: it is gone and nothing told us (no packet of
 * it reached a worker since). Counts the latter. */
static bool flow_stale(struct fg_l7_engine *e, const struct l7_flow *f,
		       __u64 now)
{
	const struct fg_timeouts *t = &f->pol->p->timeouts;
	__u64 idle = now > f->last_ns ? now - f->last_ns : 0;
	__u64 limit = f->key.proto == IPPROTO_TCP ? t->tcp_established : t->udp;

	if (f->ended)
		return idle > L7_ENDED_GRACE_NS;
	if (idle <= limit * 1000000000ULL)
		return false;
	stat_add(&e->st.swept_idle, 1);
	return true;
}

/* Find key in bucket b (its stripe locked), freeing stale flows on the
 * way: the bound on flows holds between sweeps too. */
static struct l7_flow *bucket_find(struct fg_l7_engine *e, __u32 b,
				   const struct fg_flow_key *key)
{
	struct l7_flow **pp = &e->buckets[b], *f;
	__u64 now = now_ns();

	while ((f = *pp)) {
		if (!memcmp(&f->key, key, sizeof(f->key)))
			return f;
		if (flow_stale(e, f, now)) {
			*pp = f->next;
			flow_free(e, f);
			continue;
		}
		pp = &f->next;
	}
	return NULL;
}

/* Unlink f from bucket b (its stripe locked) and free it. */
static void bucket_del(struct fg_l7_engine *e, __u32 b, struct l7_flow *f)
{
	struct l7_flow **pp = &e->buckets[b];

	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	flow_free(e, f);
}

static enum fg_insp_decision l7_decide(void *arg, const struct fg_insp_pkt *pkt)
{
	struct fg_l7_engine *e = arg;
	__u32 b = key_hash(pkt->key);
	pthread_mutex_t *lock = &e->locks[b % L7_STRIPES];
	enum fg_insp_decision d;
	struct l7_flow *f;

	if (pkt->proto != IPPROTO_TCP && pkt->proto != IPPROTO_UDP)
		return fail_verdict(e);
	pthread_mutex_lock(lock);
	f = bucket_find(e, b, pkt->key);
	if (f && f->created_ns == pkt->flow->created_ns && f->ended) {
		/* Read before its verdict was written: same verdict. */
		stat_add(&e->st.after_verdict, 1);
		d = (enum fg_insp_decision)f->final;
		*pkt->app_id = f->app;
		pthread_mutex_unlock(lock);
		return d;
	}
	if (f && f->created_ns != pkt->flow->created_ns) {
		/* A new connection on the 5-tuple of one we had state for:
		 * that one is gone, its state is not this flow's. */
		if (!f->ended)
			stat_add(&e->st.swept_gone, 1);
		bucket_del(e, b, f);
		f = NULL;
	}
	if (!f) {
		f = flow_new(e, pkt);
		if (!f) {
			/* No state to inspect with: inspect_failure. */
			pthread_mutex_unlock(lock);
			return fail_verdict(e);
		}
		f->next = e->buckets[b];
		e->buckets[b] = f;
	}
	f->last_ns = now_ns();
	if (f->phase == PH_FINAL)
		d = (enum fg_insp_decision)f->final;
	else if (pkt->proto == IPPROTO_TCP)
		d = tcp_in(e, f, pkt);
	else if (f->phase == PH_IDENT)
		d = ident_feed(e, f, pkt, pkt->payload, pkt->len);
	else
		d = feed_app(e, f, pkt, pkt->payload, pkt->len);
	if (f->app != FG_APP_UNKNOWN)
		*pkt->app_id = f->app;
	pthread_mutex_unlock(lock);
	return d;
}

static void l7_flow_end(void *arg, const struct fg_flow_key *key)
{
	struct fg_l7_engine *e = arg;
	__u32 b = key_hash(key);
	pthread_mutex_t *lock = &e->locks[b % L7_STRIPES];
	struct l7_flow **pp, *f;

	pthread_mutex_lock(lock);
	for (pp = &e->buckets[b]; (f = *pp); pp = &f->next) {
		if (!memcmp(&f->key, key, sizeof(f->key))) {
			/* Ended already: a late packet's verdict again. */
			if (f->ended || flow_keep_verdict(e, f))
				break;
			*pp = f->next;
			flow_free(e, f);
			break;
		}
	}
	pthread_mutex_unlock(lock);
}

/* Room for one more candidate (bucket b's stripe locked: the sweep thread
 * alone uses e->cand). Without memory the flow waits for a later sweep. */
static bool cand_room(struct fg_l7_engine *e, size_t n)
{
	size_t cap = e->cand_cap ? 2 * e->cand_cap : 16;
	struct l7_cand *v;

	if (n < e->cand_cap)
		return true;
	v = realloc(e->cand, cap * sizeof(*v));
	if (!v)
		return false;
	e->cand = v;
	e->cand_cap = cap;
	return true;
}

/*
 * Bucket b, its stripe locked: free stale flows, and list in e->cand the
 * live ones to ask the kernel about (*n_cand; none without lookup).
 * Returns the number freed.
 */
static unsigned int sweep_collect(struct fg_l7_engine *e, __u32 b, __u64 now,
				  bool lookup, size_t *n_cand,
				  unsigned int *seen)
{
	struct l7_flow **pp = &e->buckets[b], *f;
	unsigned int freed = 0;

	*n_cand = 0;
	while ((f = *pp)) {
		(*seen)++;
		if (flow_stale(e, f, now)) {
			*pp = f->next;
			flow_free(e, f);
			freed++;
			continue;
		}
		if (lookup && !f->ended && cand_room(e, *n_cand))
			e->cand[(*n_cand)++] = (struct l7_cand){
				.key = f->key, .created_ns = f->created_ns,
			};
		pp = &f->next;
	}
	return freed;
}

/* Is the kernel flow of c gone, replaced by a newer one on its 5-tuple,
 * or decided? A failed lookup says no: the state is kept. */
static bool kernel_done(const struct l7_cand *c, fg_l7_flow_lookup_fn lookup,
			const struct fg_datapath *dp)
{
	struct fg_flow kf;
	int err = lookup(dp, &c->key, &kf);

	return err == -ENOENT || (!err && (kf.created_ns != c->created_ns ||
					   kf.action != FG_ACTION_INSPECT));
}

/* Free c's state if it still is the state looked up: between collect and
 * now a worker may have replaced it (a new connection on the 5-tuple) or
 * ended it. */
static bool sweep_recheck(struct fg_l7_engine *e, __u32 b,
			  const struct l7_cand *c)
{
	pthread_mutex_t *lock = &e->locks[b % L7_STRIPES];
	struct l7_flow **pp, *f;
	bool freed = false;

	pthread_mutex_lock(lock);
	for (pp = &e->buckets[b]; (f = *pp); pp = &f->next) {
		if (memcmp(&f->key, &c->key, sizeof(f->key)))
			continue;
		if (f->created_ns == c->created_ns && !f->ended) {
			*pp = f->next;
			flow_free(e, f);
			stat_add(&e->st.swept_gone, 1);
			freed = true;
		}
		break;	/* one state per key */
	}
	pthread_mutex_unlock(lock);
	return freed;
}

/* One bucket: the kernel lookups (syscalls) run with its stripe unlocked,
 * so workers on the stripe never wait for them. */
static unsigned int sweep_bucket(struct fg_l7_engine *e, __u32 b, __u64 now,
				 fg_l7_flow_lookup_fn lookup,
				 const struct fg_datapath *dp, unsigned int *seen)
{
	pthread_mutex_t *lock = &e->locks[b % L7_STRIPES];
	unsigned int freed;
	size_t n, i;

	pthread_mutex_lock(lock);
	freed = sweep_collect(e, b, now, lookup != NULL, &n, seen);
	pthread_mutex_unlock(lock);
	for (i = 0; i < n; i++)
		if (kernel_done(&e->cand[i], lookup, dp) &&
		    sweep_recheck(e, b, &e->cand[i]))
			freed++;
	return freed;
}

unsigned int fg_l7_engine_sweep(struct fg_l7_engine *e, __u64 now,
				unsigned int budget,
				fg_l7_flow_lookup_fn lookup,
				const struct fg_datapath *dp)
{
	unsigned int seen = 0, freed = 0, n;
	__u32 b = e->sweep_next;

	for (n = 0; n < L7_BUCKETS && seen < budget; n++) {
		freed += sweep_bucket(e, b, now, lookup, dp, &seen);
		b = (b + 1) & (L7_BUCKETS - 1);
	}
	e->sweep_next = b;
	return freed;
}

void fg_l7_engine_ops(struct fg_l7_engine *e, struct fg_insp_engine *ops)
{
	ops->name = "l7";
	ops->decide = l7_decide;
	ops->flow_end = l7_flow_end;
	ops->arg = e;
}

void fg_l7_engine_stats(struct fg_l7_engine *e, struct fg_l7_stats *out)
{
#define FG_X_L7_LOAD(f, name) \
	out->f = __atomic_load_n(&e->st.f, __ATOMIC_RELAXED);
	FG_L7_STATS(FG_X_L7_LOAD)
#undef FG_X_L7_LOAD
}

int fg_l7_engine_new(const struct fg_l7_limits *lim, bool fail_open,
		     FILE *events, struct fg_l7_engine **out)
{
	static const struct fg_l7_limits dflt = {
		.max_flows = FG_L7_DEF_MAX_FLOWS,
		.ident_bytes = FG_L7_DEF_IDENT_BYTES,
		.ident_pkts = FG_L7_DEF_IDENT_PKTS,
		.monitor_items = FG_L7_DEF_MONITOR_ITEMS,
	};
	struct fg_l7_engine *e = calloc(1, sizeof(*e));
	size_t i;

	if (!e)
		return -ENOMEM;
	e->lim = limits(lim ? lim : &dflt, &dflt);
	e->fail_open = fail_open;
	e->events = events;
	pthread_mutex_init(&e->pol_lock, NULL);
	pthread_mutex_init(&e->ev_lock, NULL);
	for (i = 0; i < L7_STRIPES; i++)
		pthread_mutex_init(&e->locks[i], NULL);
	*out = e;
	return 0;
}

void fg_l7_engine_free(struct fg_l7_engine *e)
{
	struct l7_flow *f;
	size_t i;

	if (!e)
		return;
	for (i = 0; i < L7_BUCKETS; i++) {
		while ((f = e->buckets[i])) {
			e->buckets[i] = f->next;
			flow_free(e, f);
		}
	}
	pol_put(e->pol);
	free(e->cand);
	for (i = 0; i < L7_STRIPES; i++)
		pthread_mutex_destroy(&e->locks[i]);
	pthread_mutex_destroy(&e->ev_lock);
	pthread_mutex_destroy(&e->pol_lock);
	free(e);
}
