// SPDX-License-Identifier: GPL-2.0-only
/*
 * compile.c - policy tree -> classifier tables (LPM keys, class windows, word
 * pool, rule metadata), plus the two matchers the tests compare:
 * fg_compiled_match() evaluates the tables the way the BPF program does,
 * fg_policy_match() walks the policy linearly (the reference semantics).
 *
 * This file turns rules into per-field prefixes; compile_class.c turns the
 * prefixes of a field into deduplicated classes. Method and costs:
 * docs/classifier.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "compile.h"
#include "compile_class.h"

#define N_FIELDS	5	/* enum fg_field 1..5, index field - 1 */

static const unsigned int field_bits[N_FIELDS] = {
	[FG_FIELD_SRC4 - 1] = 32,
	[FG_FIELD_SRC6 - 1] = 128,
	[FG_FIELD_DST4 - 1] = 32,
	[FG_FIELD_DST6 - 1] = 128,
	[FG_FIELD_PORT - 1] = 24,	/* proto, then 16 bits of port */
};

enum side { SIDE_FROM = 0, SIDE_TO = 1 };

struct item_vec {
	struct fg_cb_item *v;
	size_t n, cap;
};

struct build {
	const struct fg_policy *p;
	struct fg_diags *diags;
	__u32 n_fs;		/* failsafe rules: ids 0 .. n_fs - 1 */
	__u32 n_rules;
	struct item_vec items[N_FIELDS];
	/* rules referencing group g on side s: lists[s * n_groups + g] */
	struct fg_cb_list *lists;
	size_t n_lists;
};

static const char *file_of(const struct fg_policy *p)
{
	return p->path && p->path[0] ? p->path : NULL;
}

/* ---- input checks ---------------------------------------------------- */

/*
 * The parser already refuses all of this; the compiler checks again because
 * policies can be built in C (tests, future front ends), and a tree it does
 * not understand must never compile into something weaker.
 */
static int check_prefix(const struct build *b, const struct fg_prefix *pf,
			const char *what, int line, int col)
{
	if ((pf->family == AF_INET && pf->plen <= 32) ||
	    (pf->family == AF_INET6 && pf->plen <= 128))
		return 0;
	fg_diag_add(b->diags, file_of(b->p), line, col,
		    "%s: bad prefix (family %u, length %u)", what, pf->family, pf->plen);
	return 1;
}

static int check_addr_match(const struct build *b, const struct fg_rule *r,
			    const struct fg_addr_match *m, const char *side)
{
	int nerr = 0;
	size_t i;

	if (m->any)
		return 0;
	for (i = 0; i < m->n_items; i++) {
		const struct fg_addr_item *it = &m->items[i];

		if (it->is_group && it->group >= b->p->n_groups) {
			fg_diag_add(b->diags, file_of(b->p), r->line, r->col,
				    "rule '%s': '%s' refers to group #%zu, which does not exist",
				    r->name ? r->name : "?", side, it->group);
			nerr++;
		} else if (!it->is_group) {
			nerr += check_prefix(b, &it->prefix, side, r->line, r->col);
		}
	}
	return nerr;
}

static int check_rule(const struct build *b, const struct fg_rule *r)
{
	const char *name = r->name ? r->name : "?";
	int nerr = 0;
	size_t i;

#define RULE_ERR(...) do {						\
		fg_diag_add(b->diags, file_of(b->p), r->line, r->col, __VA_ARGS__); \
		nerr++;							\
	} while (0)

	nerr += check_addr_match(b, r, &r->from, "from");
	nerr += check_addr_match(b, r, &r->to, "to");
	if (r->proto != FG_PROTO_ANY && (r->proto < 0 || r->proto > 255))
		RULE_ERR("rule '%s': protocol %d out of range", name, r->proto);
	if (r->n_ports && r->proto != FG_PROTO_ANY && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP)
		RULE_ERR("rule '%s': 'ports' needs proto tcp, udp or any", name);
	if (r->n_icmp_types && r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6)
		RULE_ERR("rule '%s': 'icmp_types' needs proto icmp or icmpv6", name);
	for (i = 0; i < r->n_ports; i++)
		if (r->ports[i].lo > r->ports[i].hi)
			RULE_ERR("rule '%s': empty port range %u-%u", name,
				 r->ports[i].lo, r->ports[i].hi);
	for (i = 0; i < r->n_icmp_types; i++)
		if (r->icmp_types[i].code < -1 || r->icmp_types[i].code > 255)
			RULE_ERR("rule '%s': icmp code %d out of range", name,
				 r->icmp_types[i].code);
	if (r->action != FG_ACTION_ALLOW && r->action != FG_ACTION_DENY)
		RULE_ERR("rule '%s': action %d is not supported", name, r->action);
#undef RULE_ERR
	return nerr;
}

static int check_policy(const struct build *b)
{
	const struct fg_policy *p = b->p;
	int nerr = 0;
	size_t i, j;

	for (i = 0; i < p->n_groups; i++)
		for (j = 0; j < p->groups[i].n_prefixes; j++)
			nerr += check_prefix(b, &p->groups[i].prefixes[j], "group",
					     p->groups[i].line, p->groups[i].col);
	for (i = 0; i < p->n_failsafe; i++) {
		const struct fg_failsafe *fs = &p->failsafe[i];

		if ((fs->proto != IPPROTO_TCP && fs->proto != IPPROTO_UDP) ||
		    fs->ports.lo > fs->ports.hi) {
			fg_diag_add(b->diags, file_of(p), fs->line, fs->col,
				    "failsafe item must be tcp or udp with a non-empty port range");
			nerr++;
		}
	}
	for (i = 0; i < p->n_rules; i++)
		nerr += check_rule(b, &p->rules[i]);
	if (p->default_action != FG_ACTION_ALLOW && p->default_action != FG_ACTION_DENY) {
		fg_diag_add(b->diags, file_of(p), 0, 0, "default action %d is not supported",
			    p->default_action);
		nerr++;
	}
	return nerr;
}

/* ---- rules -> per-field items ---------------------------------------- */

static void mask_bits(__u8 *addr, unsigned int plen, unsigned int nbytes)
{
	unsigned int i;

	for (i = 0; i < nbytes; i++) {
		if (plen >= 8 * (i + 1))
			continue;
		addr[i] &= plen > 8 * i ? (__u8)(0xff00 >> (plen - 8 * i)) : 0;
	}
}

static int add_item(struct build *b, enum fg_field f, const __u8 *addr,
		    unsigned int nbytes, unsigned int plen, __u32 ref)
{
	struct item_vec *v = &b->items[f - 1];
	struct fg_cb_item *it;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		struct fg_cb_item *n = realloc(v->v, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		v->v = n;
		v->cap = cap;
	}
	it = &v->v[v->n++];
	memset(it, 0, sizeof(*it));
	if (addr)
		memcpy(it->addr, addr, nbytes);
	mask_bits(it->addr, plen, sizeof(it->addr));
	it->plen = (__u8)plen;
	it->ref = ref;
	return 0;
}

static int add_prefix(struct build *b, enum side s, const struct fg_prefix *pf,
		      __u32 ref)
{
	bool v4 = pf->family == AF_INET;
	enum fg_field f = s == SIDE_FROM ? (v4 ? FG_FIELD_SRC4 : FG_FIELD_SRC6)
					 : (v4 ? FG_FIELD_DST4 : FG_FIELD_DST6);

	return add_item(b, f, pf->addr, v4 ? 4 : 16, pf->plen, ref);
}

static int add_addr_match(struct build *b, enum side s,
			  const struct fg_addr_match *m, __u32 id)
{
	size_t i;
	int err;

	if (m->any) {
		/* one root entry per family: "any" matches IPv4 and IPv6 */
		err = add_item(b, s == SIDE_FROM ? FG_FIELD_SRC4 : FG_FIELD_DST4,
			       NULL, 0, 0, id);
		if (!err)
			err = add_item(b, s == SIDE_FROM ? FG_FIELD_SRC6 : FG_FIELD_DST6,
				       NULL, 0, 0, id);
		return err;
	}
	for (i = 0; i < m->n_items; i++) {
		const struct fg_addr_item *it = &m->items[i];

		if (it->is_group) {
			/* the group's prefixes are added once per side, later */
			struct fg_cb_list *l = &b->lists[s * b->p->n_groups + it->group];

			if (l->n && l->v[l->n - 1] == id)
				continue;
			err = fg_cb_list_push(l, id);
		} else {
			err = add_prefix(b, s, &it->prefix, id);
		}
		if (err)
			return err;
	}
	return 0;
}

/* A port range as aligned power-of-two blocks: at most 30 prefixes. */
static int add_port_range(struct build *b, __u8 proto, __u16 lo, __u16 hi, __u32 id)
{
	__u32 a = lo, end = hi;
	int err;

	while (a <= end) {
		unsigned int k = 0;
		__u8 key[3];

		while (k < 16 && !(a & ((2U << k) - 1)) && a + (2U << k) - 1 <= end)
			k++;
		key[0] = proto;
		key[1] = (__u8)(a >> 8);
		key[2] = (__u8)a;
		err = add_item(b, FG_FIELD_PORT, key, 3, 8 + 16 - k, id);
		if (err)
			return err;
		a += 1U << k;
	}
	return 0;
}

static int add_l4(struct build *b, const struct fg_rule *r, __u32 id)
{
	size_t i, j;
	int err;

	if (r->n_ports) {
		static const __u8 any_protos[] = { IPPROTO_TCP, IPPROTO_UDP };
		const __u8 one = (__u8)r->proto;
		const __u8 *protos = r->proto == FG_PROTO_ANY ? any_protos : &one;
		size_t n_protos = r->proto == FG_PROTO_ANY ? 2 : 1;

		for (j = 0; j < n_protos; j++)
			for (i = 0; i < r->n_ports; i++) {
				err = add_port_range(b, protos[j], r->ports[i].lo,
						     r->ports[i].hi, id);
				if (err)
					return err;
			}
		return 0;
	}
	if (r->n_icmp_types) {
		for (i = 0; i < r->n_icmp_types; i++) {
			const struct fg_icmp_type *t = &r->icmp_types[i];
			__u8 key[3] = { (__u8)r->proto, t->type, t->code < 0 ? 0 : (__u8)t->code };

			err = add_item(b, FG_FIELD_PORT, key, 3, t->code < 0 ? 16 : 24, id);
			if (err)
				return err;
		}
		return 0;
	}
	/* Every app runs over TCP or UDP: an app rule with proto any cannot
	 * match another protocol's flow (ICMP, GRE... go on to the next
	 * rule instead of to an inspector that cannot identify them). */
	if (r->proto == FG_PROTO_ANY && r->apps) {
		err = add_item(b, FG_FIELD_PORT, (__u8[]){ IPPROTO_TCP }, 1, 8, id);
		if (err)
			return err;
		return add_item(b, FG_FIELD_PORT, (__u8[]){ IPPROTO_UDP }, 1, 8, id);
	}
	if (r->proto == FG_PROTO_ANY)
		return add_item(b, FG_FIELD_PORT, NULL, 0, 0, id);
	return add_item(b, FG_FIELD_PORT, (__u8[]){ (__u8)r->proto }, 1, 8, id);
}

static int build_items(struct build *b)
{
	const struct fg_policy *p = b->p;
	struct fg_addr_match any = { .any = true };
	size_t i, j, s;
	int err;

	b->n_lists = 2 * p->n_groups;
	b->lists = calloc(b->n_lists ? b->n_lists : 1, sizeof(*b->lists));
	if (!b->lists)
		return -ENOMEM;

	for (i = 0; i < p->n_failsafe; i++) {
		const struct fg_failsafe *fs = &p->failsafe[i];

		err = add_addr_match(b, SIDE_FROM, &any, (__u32)i);
		if (!err)
			err = add_addr_match(b, SIDE_TO, &any, (__u32)i);
		if (!err)
			err = add_port_range(b, (__u8)fs->proto, fs->ports.lo,
					     fs->ports.hi, (__u32)i);
		if (err)
			return err;
	}
	for (i = 0; i < p->n_rules; i++) {
		const struct fg_rule *r = &p->rules[i];
		__u32 id = b->n_fs + (__u32)i;

		err = add_addr_match(b, SIDE_FROM, &r->from, id);
		if (!err)
			err = add_addr_match(b, SIDE_TO, &r->to, id);
		if (!err)
			err = add_l4(b, r, id);
		if (err)
			return err;
	}
	/* each referenced group's prefixes once per side, for all its rules */
	for (s = 0; s < 2; s++)
		for (i = 0; i < p->n_groups; i++) {
			const struct fg_group *g = &p->groups[i];
			__u32 list = (__u32)(s * p->n_groups + i);

			if (!b->lists[list].n)
				continue;
			for (j = 0; j < g->n_prefixes; j++) {
				err = add_prefix(b, (enum side)s, &g->prefixes[j],
						 FG_CB_REF_LIST | list);
				if (err)
					return err;
			}
		}
	return 0;
}

static void build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < N_FIELDS; i++)
		free(b->items[i].v);
	for (i = 0; i < b->n_lists; i++)
		free(b->lists[i].v);
	free(b->lists);
}

/* ---- metadata -------------------------------------------------------- */

static int failsafe_name(const struct fg_failsafe *fs, char *buf, size_t len)
{
	const char *proto = fs->proto == IPPROTO_TCP ? "tcp" : "udp";

	if (fs->ports.lo == fs->ports.hi)
		return snprintf(buf, len, "failsafe:%s/%u", proto, fs->ports.lo);
	return snprintf(buf, len, "failsafe:%s/%u-%u", proto, fs->ports.lo, fs->ports.hi);
}

/* names[] and its strings in one allocation: free(names) frees all. */
static int build_names(const struct build *b, struct fg_compiled *c)
{
	const struct fg_policy *p = b->p;
	size_t total = sizeof("default"), i, ptrs = (b->n_rules + 1) * sizeof(char *);
	char *s;

	for (i = 0; i < p->n_failsafe; i++)
		total += (size_t)failsafe_name(&p->failsafe[i], NULL, 0) + 1;
	for (i = 0; i < p->n_rules; i++)
		total += strlen(p->rules[i].name ? p->rules[i].name : "") + 1;
	c->names = malloc(ptrs + total);
	if (!c->names)
		return -ENOMEM;
	s = (char *)c->names + ptrs;
	for (i = 0; i < p->n_failsafe; i++) {
		c->names[i] = s;
		s += failsafe_name(&p->failsafe[i], s,
				   total - (size_t)(s - ((char *)c->names + ptrs))) + 1;
	}
	for (i = 0; i < p->n_rules; i++) {
		const char *n = p->rules[i].name ? p->rules[i].name : "";

		c->names[b->n_fs + i] = s;
		s = stpcpy(s, n) + 1;
	}
	c->names[b->n_rules] = s;
	strcpy(s, "default");
	return 0;
}

/* Apps whose server speaks first (banner, greeting): identifying them
 * needs the reply direction too. */
#define FG_APPS_SERVER_FIRST	(FG_APP_BIT(FG_APP_SSH) |		\
				 FG_APP_BIT(FG_APP_MYSQL) |		\
				 FG_APP_BIT(FG_APP_SMTP))

/*
 * Directions an app rule inspects: the request direction, plus the reply
 * while identifying when this rule or a later one (a flow of another app
 * falls through to it, with the same identification) names an app whose
 * server speaks first. A dns rule also reads its own replies, to log the
 * answers; only its own: logging is no reason to send the responses of
 * the rules before it (HTTP downloads) to the inspector.
 */
static void app_inspect_dirs(const struct fg_policy *p, __u8 *dirs)
{
	bool server_first = false;
	size_t i = p->n_rules;

	while (i--) {
		if (p->rules[i].apps & FG_APPS_SERVER_FIRST)
			server_first = true;
		dirs[i] = FG_INSPECT_DIR_ORIG;
		if (server_first)
			dirs[i] |= FG_INSPECT_DIR_REPLY;
		else if (p->rules[i].apps & FG_APP_BIT(FG_APP_DNS))
			dirs[i] |= FG_INSPECT_DIR_REPLY |
				   FG_INSPECT_REPLY_LOG_ONLY;
	}
}

static int build_meta(const struct build *b, struct fg_compiled *c)
{
	const struct fg_policy *p = b->p;
	__u8 *app_dirs;
	size_t i;

	c->meta = calloc(b->n_rules + 1, sizeof(*c->meta));
	app_dirs = calloc(p->n_rules + 1, 1);
	if (!c->meta || !app_dirs) {
		free(app_dirs);
		return -ENOMEM;
	}
	app_inspect_dirs(p, app_dirs);
	for (i = 0; i < p->n_failsafe; i++) {
		c->meta[i].action = FG_ACTION_ALLOW;
		c->meta[i].flags = FG_RULE_F_FAILSAFE;
	}
	for (i = 0; i < p->n_rules; i++) {
		const struct fg_rule *r = &p->rules[i];
		struct fg_rule_meta *m = &c->meta[b->n_fs + i];

		m->action = (__u8)r->action;
		if (r->log)
			m->flags |= FG_RULE_F_LOG;
		if (r->proto == IPPROTO_ICMPV6)
			m->flags |= FG_RULE_F_ICMPV6_EXPL;
		if (r->mode == FG_POLICY_MODE_MONITOR)
			m->flags |= FG_RULE_F_MONITOR;
		/* An app rule decides only once the payload is identified,
		 * whatever its action (a flow of another app falls through
		 * to the next rule). Without `app`, only an allow needs the
		 * inspector's word (--test-inspect): a deny is final. */
		if (r->apps || (r->inspect_dirs &&
				r->action == FG_ACTION_ALLOW)) {
			m->action = FG_ACTION_INSPECT;
			m->flags |= FG_RULE_F_INSPECT;
			m->inspect_dirs = r->apps ? app_dirs[i] : r->inspect_dirs;
			m->inspect_dirs &= FG_INSPECT_DIR_ORIG |
					   FG_INSPECT_DIR_REPLY |
					   FG_INSPECT_REPLY_LOG_ONLY;
		}
	}
	c->meta[b->n_rules].action = (__u8)p->default_action;
	c->meta[b->n_rules].flags = FG_RULE_F_DEFAULT;
	if (p->mode == FG_POLICY_MODE_MONITOR)
		c->meta[b->n_rules].flags |= FG_RULE_F_MONITOR;
	free(app_dirs);
	return 0;
}

static void build_cfg(const struct build *b, struct fg_compiled *c)
{
	const struct fg_timeouts *t = &b->p->timeouts;
	const __u64 ns = 1000000000ULL;

	memset(&c->cfg, 0, sizeof(c->cfg));
	c->cfg.n_rules = b->n_rules;
	c->cfg.pool_words = c->pool_words;
	/* NONE cannot last (a flow leaves it on its first packet); give it the
	 * shortest TCP timeout so a stray entry ages out quickly */
	c->cfg.timeout_ns[FG_STATE_NONE] = t->tcp_syn * ns;
	c->cfg.timeout_ns[FG_STATE_SYN] = t->tcp_syn * ns;
	c->cfg.timeout_ns[FG_STATE_ESTABLISHED] = t->tcp_established * ns;
	c->cfg.timeout_ns[FG_STATE_CLOSING] = t->tcp_closing * ns;
	c->cfg.timeout_ns[FG_STATE_CLOSED] = t->tcp_closing * ns;
	c->cfg.udp_timeout_ns = t->udp * ns;
	c->cfg.icmp_timeout_ns = t->icmp * ns;
	c->cfg.other_timeout_ns = t->other * ns;
}

/* ---- fg_compile ------------------------------------------------------ */

static int run_fields(struct build *b, struct fg_cb *cb)
{
	int f, err = 0;

	for (f = 0; f < N_FIELDS && !err; f++)
		err = fg_cb_field(cb, (__u8)(f + 1), field_bits[f], b->items[f].v,
				  b->items[f].n, b->lists);
	if (err == -E2BIG)
		fg_diag_add(b->diags, file_of(b->p), 0, 0,
			    "the classifier would need more than %llu bitmap words (%llu MiB): "
			    "too many distinct addresses or ports whose rule sets span rules far "
			    "apart (typically a rule with 'any' in a field where thousands of "
			    "other rules each list their own address); put addresses that share "
			    "an action into a group used by one rule",
			    (unsigned long long)cb->pool_max,
			    (unsigned long long)(cb->pool_max * 8 >> 20));
	else if (err == -EINVAL)
		fg_diag_add(b->diags, file_of(b->p), 0, 0,
			    "internal error: inconsistent classifier input");
	return err;
}

int fg_compile_limited(const struct fg_policy *p, __u32 max_rules,
		       __u64 pool_max_words, struct fg_compiled *out,
		       struct fg_diags *diags)
{
	struct build b = { .p = p, .diags = diags };
	struct fg_cb cb;
	size_t total;
	int err;

	memset(out, 0, sizeof(*out));
	total = p->n_failsafe + p->n_rules;
	if (total > max_rules) {
		fg_diag_add(diags, file_of(p), 0, 0,
			    "policy has %zu rules (%zu failsafe + %zu), more than the %u the classifier holds",
			    total, p->n_failsafe, p->n_rules, max_rules);
		return -E2BIG;
	}
	if (total > 64ULL * FG_MAX_WORDS) {
		fg_diag_add(diags, file_of(p), 0, 0,
			    "policy has %zu rules; the rule bitmap holds at most %llu",
			    total, 64ULL * FG_MAX_WORDS);
		return -E2BIG;
	}
	b.n_fs = (__u32)p->n_failsafe;
	b.n_rules = (__u32)total;
	if (check_policy(&b))
		return -EINVAL;

	err = build_items(&b);
	if (err)
		goto out_build;
	/* Size the pool first, so a policy that is too big is refused
	 * before hundreds of MiB are allocated for it. */
	err = fg_cb_init(&cb, b.n_rules, pool_max_words, true);
	if (err)
		goto out_build;
	err = run_fields(&b, &cb);
	fg_cb_free(&cb);
	if (err)
		goto out_build;
	err = fg_cb_init(&cb, b.n_rules, pool_max_words, false);
	if (err)
		goto out_build;
	err = run_fields(&b, &cb);
	if (err)
		goto out_cb;

	/* Hand the arrays over; keep them non-NULL even when empty. */
	if (!cb.pool_n) {
		free(cb.pool);
		cb.pool = calloc(1, sizeof(*cb.pool));
		cb.pool_n = 1;
		if (!cb.pool) {
			err = -ENOMEM;
			goto out_cb;
		}
	}
	if (!cb.n_out) {
		free(cb.out_keys);
		free(cb.out_cls);
		cb.out_keys = calloc(1, sizeof(*cb.out_keys));
		cb.out_cls = calloc(1, sizeof(*cb.out_cls));
		if (!cb.out_keys || !cb.out_cls) {
			err = -ENOMEM;
			goto out_cb;
		}
	}
	out->keys = cb.out_keys;
	out->classes = cb.out_cls;
	out->n_entries = cb.n_out;
	out->pool = cb.pool;
	out->pool_words = (__u32)cb.pool_n;
	cb.out_keys = NULL;
	cb.out_cls = NULL;
	cb.pool = NULL;
	out->n_rules = b.n_rules;

	err = build_meta(&b, out);
	if (!err)
		err = build_names(&b, out);
	if (err)
		goto out_cb;
	build_cfg(&b, out);
out_cb:
	fg_cb_free(&cb);
out_build:
	build_free(&b);
	if (err) {
		if (err == -ENOMEM)
			fg_diag_add(diags, file_of(p), 0, 0,
				    "out of memory while compiling the policy");
		fg_compiled_free(out);
	}
	return err;
}

int fg_compile(const struct fg_policy *p, __u32 max_rules,
	       struct fg_compiled *out, struct fg_diags *diags)
{
	return fg_compile_limited(p, max_rules, FG_POOL_MAX_WORDS_DEFAULT, out, diags);
}

void fg_compiled_free(struct fg_compiled *c)
{
	if (!c)
		return;
	free(c->keys);
	free(c->classes);
	free(c->pool);
	free(c->meta);
	free(c->names);
	memset(c, 0, sizeof(*c));
}

/* ---- fg_compiled_match: the kernel's lookups, emulated -------------- */

/* Order of keys[]: field and address bytes, then prefix length. fg_compile
 * emits them in this order (fields in turn, each in pre-order). */
static int key_cmp(const struct fg_lpm_key *a, const struct fg_lpm_key *b)
{
	int c = memcmp(&a->field, &b->field, 1 + sizeof(a->addr));

	if (c)
		return c;
	return a->prefixlen < b->prefixlen ? -1 : a->prefixlen > b->prefixlen;
}

static const struct fg_class *exact_lookup(const struct fg_compiled *c,
					   const struct fg_lpm_key *k)
{
	size_t lo = 0, hi = c->n_entries;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = key_cmp(&c->keys[mid], k);

		if (!r)
			return &c->classes[mid];
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Longest-prefix match as the kernel LPM trie answers a lookup key of
 * 8 + bits: the longest stored prefix whose bits (field byte included)
 * equal the key's. Tried from the longest length down.
 */
static const struct fg_class *lpm_lookup(const struct fg_compiled *c, __u8 field,
					 const __u8 *data, unsigned int bits)
{
	struct fg_lpm_key k;
	int len;

	memset(&k, 0, sizeof(k));
	k.field = field;
	memcpy(k.addr, data, (bits + 7) / 8);
	for (len = (int)bits; len >= 0; len--) {
		const struct fg_class *cls;

		if (len < (int)bits)	/* drop bit `len` of the address */
			k.addr[len / 8] &= (__u8)~(0x80 >> (len % 8));
		k.prefixlen = 8U + (unsigned int)len;
		cls = exact_lookup(c, &k);
		if (cls)
			return cls;
	}
	return NULL;
}

__u32 fg_compiled_match(const struct fg_compiled *c, const struct fg_match_input *in)
{
	static const struct fg_class empty = { .off = 0, .lo = 1, .hi = 0 };
	const struct fg_class *cl[3];
	__u8 port[3] = { in->proto, (__u8)(in->port >> 8), (__u8)in->port };
	__u32 lo = 0, hi = UINT32_MAX, w, i;

	if (in->family == AF_INET) {
		cl[0] = lpm_lookup(c, FG_FIELD_SRC4, in->src, 32);
		cl[1] = lpm_lookup(c, FG_FIELD_DST4, in->dst, 32);
	} else if (in->family == AF_INET6) {
		cl[0] = lpm_lookup(c, FG_FIELD_SRC6, in->src, 128);
		cl[1] = lpm_lookup(c, FG_FIELD_DST6, in->dst, 128);
	} else {
		return c->n_rules;
	}
	cl[2] = lpm_lookup(c, FG_FIELD_PORT, port, 24);

	for (i = 0; i < 3; i++) {
		if (!cl[i])	/* a miss is the empty class */
			cl[i] = &empty;
		lo = cl[i]->lo > lo ? cl[i]->lo : lo;
		hi = cl[i]->hi < hi ? cl[i]->hi : hi;
	}
	for (w = lo; w <= hi && w < FG_MAX_WORDS; w++) {
		__u64 x = ~0ULL;

		for (i = 0; i < 3; i++) {
			size_t at = (size_t)cl[i]->off + (w - cl[i]->lo);

			if (at >= c->pool_words)	/* corrupt table: no match */
				return c->n_rules;
			x &= c->pool[at];
		}
		if (x)
			return 64 * w + (__u32)__builtin_ctzll(x);
	}
	return c->n_rules;
}

/* ---- fg_policy_match: the reference ---------------------------------- */

static bool prefix_has(const struct fg_prefix *pf, __u8 family, const __u8 *addr)
{
	unsigned int full = pf->plen / 8, rest = pf->plen % 8;

	if (pf->family != family || pf->plen > (family == AF_INET ? 32 : 128))
		return false;
	if (memcmp(pf->addr, addr, full))
		return false;
	return !rest || !((pf->addr[full] ^ addr[full]) & (0xff00 >> rest));
}

static bool addr_in(const struct fg_policy *p, const struct fg_addr_match *m,
		    __u8 family, const __u8 *addr)
{
	size_t i, j;

	if (m->any)
		return true;
	for (i = 0; i < m->n_items; i++) {
		const struct fg_addr_item *it = &m->items[i];

		if (!it->is_group) {
			if (prefix_has(&it->prefix, family, addr))
				return true;
			continue;
		}
		if (it->group >= p->n_groups)
			continue;
		for (j = 0; j < p->groups[it->group].n_prefixes; j++)
			if (prefix_has(&p->groups[it->group].prefixes[j], family, addr))
				return true;
	}
	return false;
}

static bool l4_in(const struct fg_rule *r, const struct fg_match_input *in)
{
	size_t i;

	if (r->proto != FG_PROTO_ANY && r->proto != in->proto)
		return false;
	if (r->apps && in->proto != IPPROTO_TCP && in->proto != IPPROTO_UDP)
		return false;	/* apps run over TCP or UDP (add_l4) */
	if (r->n_ports) {
		if (in->proto != IPPROTO_TCP && in->proto != IPPROTO_UDP)
			return false;	/* proto any + ports = tcp or udp */
		for (i = 0; i < r->n_ports; i++)
			if (in->port >= r->ports[i].lo && in->port <= r->ports[i].hi)
				return true;
		return false;
	}
	if (r->n_icmp_types) {
		for (i = 0; i < r->n_icmp_types; i++) {
			const struct fg_icmp_type *t = &r->icmp_types[i];

			if (t->type == in->port >> 8 &&
			    (t->code < 0 || t->code == (in->port & 0xff)))
				return true;
		}
		return false;
	}
	return true;
}

__u32 fg_policy_match_from(const struct fg_policy *p,
			   const struct fg_match_input *in, __u32 from)
{
	__u32 n_fs = (__u32)p->n_failsafe, id;

	if (in->family != AF_INET && in->family != AF_INET6)
		return n_fs + (__u32)p->n_rules;
	for (id = from; id < n_fs; id++) {
		const struct fg_failsafe *fs = &p->failsafe[id];

		if (in->proto == fs->proto && in->port >= fs->ports.lo &&
		    in->port <= fs->ports.hi)
			return id;
	}
	for (id = from > n_fs ? from : n_fs; id < n_fs + p->n_rules; id++) {
		const struct fg_rule *r = &p->rules[id - n_fs];

		if (addr_in(p, &r->from, in->family, in->src) &&
		    addr_in(p, &r->to, in->family, in->dst) && l4_in(r, in))
			return id;
	}
	return n_fs + (__u32)p->n_rules;
}

__u32 fg_policy_match(const struct fg_policy *p, const struct fg_match_input *in)
{
	return fg_policy_match_from(p, in, 0);
}
