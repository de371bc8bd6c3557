// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_compile.c - the classifier compiler.
 *
 * Hand-made policies check first-match order, any vs specific, IPv4/IPv6
 * separation, port and ICMP encodings, failsafe, default, groups, nesting and
 * the table format itself (key bytes, windows, deduplication, limits). A
 * randomized differential test compares fg_compiled_match() (the kernel's
 * lookups, emulated) with fg_policy_match() (the linear reference) on many
 * random policies and packets. A scale test compiles 100,000 rules plus a
 * 1,000,000-address group.
 *
 * Environment: FG_TEST_SEEDS=N random policies (default 300),
 * FG_TEST_SEED=S runs that one seed only, FG_TEST_BIG_SCALE=N divides the
 * scale test's sizes (for valgrind runs).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <cmocka.h>

#include "compile.h"
#include "compile_class.h"
#include "policy.h"

/* ---- building policies in C ------------------------------------------ */

static void *xrealloc(void *p, size_t n)
{
	void *r = realloc(p, n ? n : 1);

	assert_non_null(r);
	return r;
}

static struct fg_policy *pol_new(enum fg_action def)
{
	struct fg_policy *p = calloc(1, sizeof(*p));

	assert_non_null(p);
	p->path = strdup("test.yaml");
	p->version = 1;
	p->default_action = def;
	p->timeouts = (struct fg_timeouts){ 3600, 30, 10, 60, 10, 60 };
	return p;
}

static void pol_free(struct fg_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_groups; i++) {
		free(p->groups[i].name);
		free(p->groups[i].prefixes);
	}
	for (i = 0; i < p->n_rules; i++) {
		free(p->rules[i].name);
		free(p->rules[i].from.items);
		free(p->rules[i].to.items);
		free(p->rules[i].ports);
		free(p->rules[i].icmp_types);
	}
	free(p->groups);
	free(p->rules);
	free(p->failsafe);
	free(p->path);
	free(p);
}

/* "10.0.0.0/8", "fd00::1" (a host), host bits kept as written */
static struct fg_prefix pfx(const char *s)
{
	struct fg_prefix pf = { 0 };
	char buf[64];
	char *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, pf.addr) == 1) {
		pf.family = AF_INET;
		pf.plen = 32;
	} else {
		assert_int_equal(inet_pton(AF_INET6, buf, pf.addr), 1);
		pf.family = AF_INET6;
		pf.plen = 128;
	}
	if (slash)
		pf.plen = (__u8)atoi(slash + 1);
	return pf;
}

static size_t pol_group(struct fg_policy *p, const char *name, const char *list)
{
	struct fg_group *g;
	char *copy = strdup(list), *tok, *save;

	p->groups = xrealloc(p->groups, (p->n_groups + 1) * sizeof(*p->groups));
	g = &p->groups[p->n_groups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		g->prefixes = xrealloc(g->prefixes, (g->n_prefixes + 1) * sizeof(*g->prefixes));
		g->prefixes[g->n_prefixes++] = pfx(tok);
	}
	free(copy);
	return p->n_groups++;
}

static size_t group_index(const struct fg_policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_groups; i++)
		if (!strcmp(p->groups[i].name, name))
			return i;
	fail_msg("no group %s", name);
	return 0;
}

/* NULL or "any", or items "10.0.0.0/8 @web fd00::/16" (@ = group) */
static void set_addr(const struct fg_policy *p, struct fg_addr_match *m, const char *s)
{
	char *copy, *tok, *save;

	memset(m, 0, sizeof(*m));
	if (!s || !strcmp(s, "any")) {
		m->any = true;
		return;
	}
	copy = strdup(s);
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		struct fg_addr_item it = { 0 };

		if (tok[0] == '@') {
			it.is_group = true;
			it.group = group_index(p, tok + 1);
		} else {
			it.prefix = pfx(tok);
		}
		m->items = xrealloc(m->items, (m->n_items + 1) * sizeof(*m->items));
		m->items[m->n_items++] = it;
	}
	free(copy);
}

#define ANYP FG_PROTO_ANY
#define ALLOW FG_ACTION_ALLOW
#define DENY FG_ACTION_DENY

/* ports "80 443 1000-2000", icmp "8 3/4" (type or type/code) */
static struct fg_rule *pol_rule(struct fg_policy *p, const char *name, const char *from,
				const char *to, int proto, const char *ports,
				const char *icmp, enum fg_action action)
{
	struct fg_rule *r;
	char *copy, *tok, *save;

	p->rules = xrealloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
	r = &p->rules[p->n_rules++];
	memset(r, 0, sizeof(*r));
	r->name = strdup(name);
	set_addr(p, &r->from, from);
	set_addr(p, &r->to, to);
	r->proto = proto;
	r->action = action;
	r->line = (int)p->n_rules;
	r->col = 3;
	if (ports) {
		copy = strdup(ports);
		for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
			struct fg_port_range pr;
			char *dash = strchr(tok, '-');

			pr.lo = (__u16)atoi(tok);
			pr.hi = dash ? (__u16)atoi(dash + 1) : pr.lo;
			r->ports = xrealloc(r->ports, (r->n_ports + 1) * sizeof(*r->ports));
			r->ports[r->n_ports++] = pr;
		}
		free(copy);
	}
	if (icmp) {
		copy = strdup(icmp);
		for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
			struct fg_icmp_type t;
			char *slash = strchr(tok, '/');

			t.type = (__u8)atoi(tok);
			t.code = slash ? (__s16)atoi(slash + 1) : -1;
			r->icmp_types = xrealloc(r->icmp_types,
						 (r->n_icmp_types + 1) * sizeof(*r->icmp_types));
			r->icmp_types[r->n_icmp_types++] = t;
		}
		free(copy);
	}
	return r;
}

static void pol_failsafe(struct fg_policy *p, int proto, __u16 lo, __u16 hi)
{
	p->failsafe = xrealloc(p->failsafe, (p->n_failsafe + 1) * sizeof(*p->failsafe));
	p->failsafe[p->n_failsafe++] = (struct fg_failsafe){
		.proto = proto, .ports = { lo, hi }, .line = 1, .col = 1,
	};
}

/* ---- packets and checks ---------------------------------------------- */

static struct fg_match_input pkt(const char *src, const char *dst, int proto, unsigned int port)
{
	struct fg_match_input in = { 0 };

	if (inet_pton(AF_INET, src, in.src) == 1) {
		in.family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, dst, in.dst), 1);
	} else {
		in.family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, src, in.src), 1);
		assert_int_equal(inet_pton(AF_INET6, dst, in.dst), 1);
	}
	in.proto = (__u8)proto;
	in.port = (__u16)port;
	return in;
}

static unsigned int field_bits(__u8 field)
{
	switch (field) {
	case FG_FIELD_SRC4:
	case FG_FIELD_DST4:
		return 32;
	case FG_FIELD_SRC6:
	case FG_FIELD_DST6:
		return 128;
	case FG_FIELD_PORT:
		return 24;
	}
	return 0;
}

/*
 * The table format, independently of how it was built: keys sorted and
 * distinct, valid field and length, every byte beyond the prefix zero
 * (padding included); windows inside the pool, first and last word
 * non-zero, only bits of real rules; cfg consistent.
 */
static void check_tables(const struct fg_compiled *c)
{
	size_t i, b;

	assert_true(c->pool_words >= 1);
	assert_non_null(c->pool);
	assert_non_null(c->keys);
	assert_non_null(c->classes);
	assert_non_null(c->meta);
	assert_non_null(c->names);
	assert_int_equal(c->cfg.n_rules, c->n_rules);
	assert_int_equal(c->cfg.pool_words, c->pool_words);
	for (i = 0; i < c->n_entries; i++) {
		const struct fg_lpm_key *k = &c->keys[i];
		const struct fg_class *cl = &c->classes[i];
		const __u8 *bytes = &k->field;
		unsigned int bits = field_bits(k->field), w;

		assert_true(bits > 0);
		assert_true(k->prefixlen >= 8 && k->prefixlen <= 8 + bits);
		for (b = k->prefixlen; b < 8 * (1 + sizeof(k->addr)); b++)
			if (bytes[b / 8] & (0x80 >> (b % 8)))
				fail_msg("entry %zu: bit %zu set beyond prefixlen %u", i, b,
					 k->prefixlen);
		assert_int_equal(k->pad[0] | k->pad[1] | k->pad[2], 0);
		if (i) {
			int r = memcmp(&c->keys[i - 1].field, &k->field, 17);

			assert_true(r < 0 || (r == 0 && c->keys[i - 1].prefixlen < k->prefixlen));
		}
		assert_true(cl->lo <= cl->hi);
		assert_true((size_t)cl->off + cl->hi - cl->lo < c->pool_words);
		assert_true(c->pool[cl->off] != 0);
		assert_true(c->pool[cl->off + cl->hi - cl->lo] != 0);
		/* no bit for an id at or beyond n_rules (the default's id);
		 * a window shared by consecutive entries is checked once */
		if (i && c->classes[i - 1].off == cl->off)
			continue;
		for (w = cl->lo; w <= cl->hi; w++) {
			__u64 x = c->pool[cl->off + w - cl->lo];

			if (64ULL * w >= c->n_rules)
				assert_true(x == 0);
			else if (c->n_rules - 64ULL * w < 64)
				assert_true((x >> (c->n_rules - 64 * w)) == 0);
		}
	}
}

static struct fg_compiled compile_ok(const struct fg_policy *p)
{
	struct fg_diags d = { 0 };
	struct fg_compiled c;
	int r = fg_compile(p, FG_MAX_RULES_DEFAULT, &c, &d);

	if (r) {
		fprintf(stderr, "fg_compile: %d\n", r);
		fg_diags_print(&d, stderr);
	}
	assert_int_equal(r, 0);
	assert_int_equal(d.n, 0);
	fg_diags_free(&d);
	check_tables(&c);
	return c;
}

#define expect_id(c, p, in, id) expect_id_at(c, p, in, id, __LINE__)

static void expect_id_at(const struct fg_compiled *c, const struct fg_policy *p,
			 struct fg_match_input in, __u32 id, int line)
{
	__u32 got_c = fg_compiled_match(c, &in), got_p = fg_policy_match(p, &in);

	if (got_c != id || got_p != id)
		fail_msg("line %d: expected rule %u, compiled %u, reference %u", line, id,
			 got_c, got_p);
}

/* entries of one field */
static size_t count_field(const struct fg_compiled *c, __u8 field)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_entries; i++)
		n += c->keys[i].field == field;
	return n;
}

static const struct fg_class *find_key(const struct fg_compiled *c, __u8 field,
				       const __u8 *addr, size_t nbytes, unsigned int plen)
{
	size_t i;

	for (i = 0; i < c->n_entries; i++)
		if (c->keys[i].field == field && c->keys[i].prefixlen == 8 + plen &&
		    !memcmp(c->keys[i].addr, addr, nbytes))
			return &c->classes[i];
	return NULL;
}

static bool class_has_rule(const struct fg_compiled *c, const struct fg_class *cl, __u32 r)
{
	__u32 w = r / 64;

	if (w < cl->lo || w > cl->hi)
		return false;
	return (c->pool[cl->off + w - cl->lo] >> (r % 64)) & 1;
}

/* ---- classes checked against their definition --------------------------- */

/* Does prefix (fam, addr, plen) contain the entry's (addr, eplen)? */
static bool pfx_contains(const struct fg_prefix *pf, __u8 fam, const __u8 *addr,
			 unsigned int eplen)
{
	unsigned int b;

	if (pf->family != fam || pf->plen > eplen)
		return false;
	for (b = 0; b < pf->plen; b++)
		if ((pf->addr[b / 8] ^ addr[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

static bool side_lists(const struct fg_policy *p, const struct fg_addr_match *m,
		       __u8 fam, const __u8 *addr, unsigned int eplen)
{
	size_t i, j;

	if (m->any)
		return true;
	for (i = 0; i < m->n_items; i++) {
		const struct fg_addr_item *it = &m->items[i];

		if (!it->is_group) {
			if (pfx_contains(&it->prefix, fam, addr, eplen))
				return true;
			continue;
		}
		for (j = 0; j < p->groups[it->group].n_prefixes; j++)
			if (pfx_contains(&p->groups[it->group].prefixes[j], fam, addr, eplen))
				return true;
	}
	return false;
}

/* Does one of the port ranges hold the whole aligned block of the entry? */
static bool ranges_hold(const struct fg_port_range *pr, size_t n, const __u8 *addr,
			unsigned int eplen)
{
	unsigned int lo = (unsigned int)addr[1] << 8 | addr[2];
	unsigned int hi = lo + (1U << (24 - eplen)) - 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (pr[i].lo <= lo && hi <= pr[i].hi)
			return true;
	return false;
}

static bool rule_lists_port(const struct fg_rule *ru, const __u8 *addr, unsigned int eplen)
{
	size_t i;

	if (ru->proto == FG_PROTO_ANY && !ru->n_ports)
		return true;	/* the PORT root */
	if (eplen < 8)
		return false;
	if (ru->n_ports) {
		if (ru->proto == FG_PROTO_ANY ? addr[0] != IPPROTO_TCP && addr[0] != IPPROTO_UDP
					      : addr[0] != ru->proto)
			return false;
		return ranges_hold(ru->ports, ru->n_ports, addr, eplen);
	}
	if (addr[0] != ru->proto)
		return false;
	if (!ru->n_icmp_types)
		return true;
	for (i = 0; i < ru->n_icmp_types; i++) {
		const struct fg_icmp_type *t = &ru->icmp_types[i];

		if (eplen >= 16 && addr[1] == t->type &&
		    (t->code < 0 || (eplen == 24 && addr[2] == t->code)))
			return true;
	}
	return false;
}

/*
 * Every entry's class must be exactly the rules that list, in that field, a
 * prefix containing the entry: computed here rule by rule from the policy.
 */
static void check_classes(const struct fg_compiled *c, const struct fg_policy *p,
			  uint64_t seed)
{
	size_t i, r;

	for (i = 0; i < c->n_entries; i++) {
		const struct fg_lpm_key *k = &c->keys[i];
		unsigned int eplen = k->prefixlen - 8;
		__u8 fam = k->field == FG_FIELD_SRC4 || k->field == FG_FIELD_DST4 ? AF_INET
										   : AF_INET6;

		for (r = 0; r < c->n_rules; r++) {
			bool want;

			if (r < p->n_failsafe) {
				const struct fg_failsafe *fs = &p->failsafe[r];

				want = k->field != FG_FIELD_PORT ||
				       (eplen >= 8 && k->addr[0] == fs->proto &&
					ranges_hold(&fs->ports, 1, k->addr, eplen));
			} else {
				const struct fg_rule *ru = &p->rules[r - p->n_failsafe];

				switch (k->field) {
				case FG_FIELD_SRC4:
				case FG_FIELD_SRC6:
					want = side_lists(p, &ru->from, fam, k->addr, eplen);
					break;
				case FG_FIELD_DST4:
				case FG_FIELD_DST6:
					want = side_lists(p, &ru->to, fam, k->addr, eplen);
					break;
				default:
					want = rule_lists_port(ru, k->addr, eplen);
				}
			}
			if (want != class_has_rule(c, &c->classes[i], (__u32)r))
				fail_msg("seed %llu: entry %zu (field %u, prefixlen %u): rule %zu "
					 "%s but the class says otherwise",
					 (unsigned long long)seed, i, k->field, k->prefixlen, r,
					 want ? "lists it" : "does not list it");
		}
	}
}

/* ---- hand-made cases ---------------------------------------------------- */

static void test_first_match_order(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "deny-80", NULL, NULL, IPPROTO_TCP, "80", NULL, DENY);
	pol_rule(p, "allow-tcp", NULL, NULL, IPPROTO_TCP, NULL, NULL, ALLOW);
	pol_rule(p, "all", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	c = compile_ok(p);
	assert_int_equal(c.n_rules, 3);
	expect_id(&c, p, pkt("1.2.3.4", "5.6.7.8", IPPROTO_TCP, 80), 0);
	expect_id(&c, p, pkt("1.2.3.4", "5.6.7.8", IPPROTO_TCP, 81), 1);
	expect_id(&c, p, pkt("1.2.3.4", "5.6.7.8", IPPROTO_UDP, 80), 2);
	expect_id(&c, p, pkt("::1", "::2", IPPROTO_TCP, 80), 0);
	expect_id(&c, p, pkt("::1", "::2", 47, 0), 2);
	fg_compiled_free(&c);
	pol_free(p);

	/* the broad rule first shadows the specific one */
	p = pol_new(DENY);
	pol_rule(p, "all", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "deny-80", NULL, NULL, IPPROTO_TCP, "80", NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("1.2.3.4", "5.6.7.8", IPPROTO_TCP, 80), 0);
	expect_id(&c, p, pkt("1.2.3.4", "5.6.7.8", IPPROTO_ICMP, 0x0800), 0);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_any_vs_specific(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "ssh-from-one", "10.0.0.1", NULL, IPPROTO_TCP, "22", NULL, ALLOW);
	pol_rule(p, "deny-to-net", NULL, "192.168.1.0/24", ANYP, NULL, NULL, DENY);
	pol_rule(p, "udp", "any", "any", IPPROTO_UDP, NULL, NULL, ALLOW);
	c = compile_ok(p);
	expect_id(&c, p, pkt("10.0.0.1", "192.168.1.5", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("10.0.0.1", "192.168.2.5", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("10.0.0.2", "192.168.1.5", IPPROTO_TCP, 22), 1);
	expect_id(&c, p, pkt("10.0.0.1", "192.168.1.5", IPPROTO_TCP, 23), 1);
	expect_id(&c, p, pkt("10.0.0.2", "192.168.2.5", IPPROTO_UDP, 53), 2);
	expect_id(&c, p, pkt("10.0.0.2", "192.168.2.5", IPPROTO_TCP, 22), 3);
	expect_id(&c, p, pkt("10.0.0.1", "192.168.1.255", IPPROTO_UDP, 1), 1);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_v4_v6_separation(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "from-10", "10.0.0.0/8", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "from-fd", "fd00::/8", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "to-all-v4", NULL, "0.0.0.0/0", ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "from-all-v6", "::/0", NULL, IPPROTO_UDP, NULL, NULL, ALLOW);
	c = compile_ok(p);
	expect_id(&c, p, pkt("10.1.1.1", "1.1.1.1", IPPROTO_TCP, 1), 0);
	expect_id(&c, p, pkt("11.1.1.1", "1.1.1.1", IPPROTO_TCP, 1), 2);
	expect_id(&c, p, pkt("fd00::1", "::2", IPPROTO_TCP, 1), 1);
	/* the same leading bytes as 10.0.0.0/8 in IPv6 must not match it */
	expect_id(&c, p, pkt("a00::1", "::2", IPPROTO_UDP, 1), 3);
	expect_id(&c, p, pkt("a00::1", "::2", IPPROTO_TCP, 1), 4);
	/* IPv4-mapped IPv6 is IPv6 */
	expect_id(&c, p, pkt("::ffff:10.0.0.1", "::ffff:1.1.1.1", IPPROTO_TCP, 1), 4);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_port_boundaries(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	static const struct { unsigned int port; __u32 id; } tcp[] = {
		{ 0, 4 }, { 1, 0 }, { 2, 6 }, { 999, 6 }, { 1000, 2 }, { 1500, 2 },
		{ 1999, 2 }, { 2000, 6 }, { 32766, 6 }, { 32767, 5 }, { 32768, 5 },
		{ 32769, 6 }, { 65534, 6 }, { 65535, 1 },
	};
	size_t i;

	pol_rule(p, "one", NULL, NULL, IPPROTO_TCP, "1", NULL, ALLOW);
	pol_rule(p, "top", NULL, NULL, IPPROTO_TCP, "65535", NULL, ALLOW);
	pol_rule(p, "mid", NULL, NULL, IPPROTO_TCP, "1000-1999", NULL, ALLOW);
	pol_rule(p, "udp-all", NULL, NULL, IPPROTO_UDP, "0-65535", NULL, ALLOW);
	pol_rule(p, "zero", NULL, NULL, IPPROTO_TCP, "0", NULL, ALLOW);
	pol_rule(p, "straddle", NULL, NULL, IPPROTO_TCP, "32767-32768", NULL, ALLOW);
	c = compile_ok(p);
	for (i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++)
		expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, tcp[i].port), tcp[i].id);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 0), 3);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 65535), 3);
	/* 1000-1999 = 1000/13 1008/12 1024/7 1536/8 1792/9 1920/10 1984/12 */
	{
		size_t n = 0;

		for (i = 0; i < c.n_entries; i++)
			n += c.keys[i].field == FG_FIELD_PORT &&
			     class_has_rule(&c, &c.classes[i], 2) &&
			     c.keys[i].prefixlen > 16;
		assert_int_equal(n, 7);
	}
	/* a whole range is one proto entry (prefixlen 16) */
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ IPPROTO_UDP }, 1, 8));
	fg_compiled_free(&c);
	pol_free(p);
}

/* Every port of 40 random ranges, both matchers, exhaustively. */
static void test_ports_exhaustive(void **state)
{
	struct fg_policy *p = pol_new(ALLOW);
	struct fg_compiled c;
	unsigned int port, i;
	char buf[64], name[16];

	srand(7);
	for (i = 0; i < 40; i++) {
		unsigned int a = (unsigned int)rand() % 65536, b = (unsigned int)rand() % 65536;

		if (i % 3 == 0)
			b = a + (unsigned int)rand() % 300;
		if (b > 65535)
			b = 65535;
		snprintf(buf, sizeof(buf), "%u-%u", a < b ? a : b, a < b ? b : a);
		snprintf(name, sizeof(name), "r%u", i);
		pol_rule(p, name, NULL, NULL, i % 2 ? IPPROTO_TCP : ANYP, buf, NULL, DENY);
	}
	c = compile_ok(p);
	for (port = 0; port < 65536; port++) {
		struct fg_match_input in = pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, port);
		__u32 a = fg_compiled_match(&c, &in), b = fg_policy_match(p, &in);

		if (a != b)
			fail_msg("tcp port %u: compiled %u reference %u", port, a, b);
		in.proto = IPPROTO_UDP;
		a = fg_compiled_match(&c, &in);
		b = fg_policy_match(p, &in);
		if (a != b)
			fail_msg("udp port %u: compiled %u reference %u", port, a, b);
	}
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_proto_any_ports(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "dns", NULL, NULL, ANYP, "53", NULL, ALLOW);
	pol_rule(p, "rest", NULL, NULL, ANYP, NULL, NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 53), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 53), 0);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_UDP, 53), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", 132, 53), 1);	/* sctp */
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 53), 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 54), 1);
	/* exactly two port entries: tcp/53 and udp/53, prefixlen 8 + 24 */
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 6, 0, 53 }, 3, 24));
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 17, 0, 53 }, 3, 24));
	assert_int_equal(count_field(&c, FG_FIELD_PORT), 3);	/* + the any root */
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_icmp(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "echo", NULL, NULL, IPPROTO_ICMP, NULL, "8", ALLOW);
	pol_rule(p, "frag-needed", NULL, NULL, IPPROTO_ICMP, NULL, "3/4", ALLOW);
	pol_rule(p, "echo6", NULL, NULL, IPPROTO_ICMPV6, NULL, "128 135/0", ALLOW);
	pol_rule(p, "icmp-rest", NULL, NULL, IPPROTO_ICMP, NULL, NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8 << 8), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8 << 8 | 5), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3 << 8 | 4), 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 3 << 8 | 3), 3);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_ICMPV6, 128 << 8), 2);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_ICMPV6, 135 << 8), 2);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_ICMPV6, 135 << 8 | 1), 4);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_ICMPV6, 8 << 8), 4);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 128 << 8), 3);
	/* type+code = prefixlen 32, type alone = 24 */
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 1, 3, 4 }, 3, 24));
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 1, 8, 0 }, 3, 16));
	assert_int_equal(c.meta[2].flags, FG_RULE_F_ICMPV6_EXPL);
	assert_int_equal(c.meta[0].flags, 0);
	assert_int_equal(c.meta[3].flags, 0);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_failsafe(void **state)
{
	struct fg_policy *p = pol_new(ALLOW);
	struct fg_compiled c;

	pol_failsafe(p, IPPROTO_TCP, 22, 22);
	pol_failsafe(p, IPPROTO_UDP, 5000, 5010);
	pol_rule(p, "deny-all", NULL, NULL, ANYP, NULL, NULL, DENY);
	c = compile_ok(p);
	assert_int_equal(c.n_rules, 3);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("1::1", "2::2", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 5000), 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 5010), 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 5011), 2);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 4999), 2);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 22), 2);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 23), 2);
	assert_string_equal(c.names[0], "failsafe:tcp/22");
	assert_string_equal(c.names[1], "failsafe:udp/5000-5010");
	assert_string_equal(c.names[2], "deny-all");
	assert_string_equal(c.names[3], "default");
	assert_int_equal(c.meta[0].action, FG_ACTION_ALLOW);
	assert_int_equal(c.meta[0].flags, FG_RULE_F_FAILSAFE);
	assert_int_equal(c.meta[1].flags, FG_RULE_F_FAILSAFE);
	assert_int_equal(c.meta[2].action, FG_ACTION_DENY);
	assert_int_equal(c.meta[2].flags, 0);
	assert_int_equal(c.meta[3].action, FG_ACTION_ALLOW);
	assert_int_equal(c.meta[3].flags, FG_RULE_F_DEFAULT);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_default_and_meta(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	struct fg_rule *r;

	p->timeouts = (struct fg_timeouts){ .tcp_established = 100, .tcp_syn = 7,
					    .tcp_closing = 3, .udp = 20, .icmp = 5,
					    .other = 9 };
	r = pol_rule(p, "web", "1.1.1.1", NULL, IPPROTO_TCP, "80", NULL, ALLOW);
	r = pol_rule(p, "logged", "1.1.1.2", NULL, ANYP, NULL, NULL, DENY);
	r->log = true;
	c = compile_ok(p);
	expect_id(&c, p, pkt("2.2.2.2", "1.1.1.1", IPPROTO_TCP, 80), 2);
	expect_id(&c, p, pkt("1.1.1.1", "1.1.1.1", IPPROTO_TCP, 81), 2);
	expect_id(&c, p, pkt("1.1.1.2", "1.1.1.1", IPPROTO_TCP, 81), 1);
	assert_int_equal(c.meta[2].action, FG_ACTION_DENY);
	assert_int_equal(c.meta[2].flags, FG_RULE_F_DEFAULT);
	assert_int_equal(c.meta[1].flags, FG_RULE_F_LOG);
	assert_int_equal(c.meta[0].action, FG_ACTION_ALLOW);
	assert_int_equal(c.meta[0].pad | c.meta[0].pad2, 0);
	assert_string_equal(c.names[0], "web");
	assert_int_equal(c.cfg.n_rules, 2);
	assert_true(c.cfg.timeout_ns[FG_STATE_NONE] == 7000000000ULL);
	assert_true(c.cfg.timeout_ns[FG_STATE_SYN] == 7000000000ULL);
	assert_true(c.cfg.timeout_ns[FG_STATE_ESTABLISHED] == 100000000000ULL);
	assert_true(c.cfg.timeout_ns[FG_STATE_CLOSING] == 3000000000ULL);
	assert_true(c.cfg.timeout_ns[FG_STATE_CLOSED] == 3000000000ULL);
	assert_true(c.cfg.udp_timeout_ns == 20000000000ULL);
	assert_true(c.cfg.icmp_timeout_ns == 5000000000ULL);
	assert_true(c.cfg.other_timeout_ns == 9000000000ULL);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_groups(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_group(p, "web", "10.20.0.0/16 fd00:20::/64");
	pol_group(p, "admins", "192.168.1.10 192.168.1.11 2001:db8::10");
	pol_rule(p, "ssh", "@admins", "@web", IPPROTO_TCP, "22", NULL, ALLOW);
	pol_rule(p, "web-in", NULL, "@web", IPPROTO_TCP, "80 443", NULL, ALLOW);
	pol_rule(p, "web-out", "@web 172.16.0.0/12", "any", ANYP, NULL, NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("192.168.1.10", "10.20.3.4", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("192.168.1.11", "10.20.3.4", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("192.168.1.12", "10.20.3.4", IPPROTO_TCP, 22), 3);
	expect_id(&c, p, pkt("2001:db8::10", "fd00:20::99", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("2001:db8::11", "fd00:20::99", IPPROTO_TCP, 443), 1);
	expect_id(&c, p, pkt("2001:db8::11", "fd00:21::99", IPPROTO_TCP, 443), 3);
	expect_id(&c, p, pkt("10.20.0.1", "8.8.8.8", IPPROTO_UDP, 53), 2);
	expect_id(&c, p, pkt("172.31.0.1", "8.8.8.8", IPPROTO_UDP, 53), 2);
	expect_id(&c, p, pkt("fd00:20::1", "2001:4860::8888", IPPROTO_UDP, 53), 2);
	expect_id(&c, p, pkt("192.168.1.10", "10.20.3.4", IPPROTO_TCP, 80), 1);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_nested_prefixes(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;

	pol_rule(p, "B", "10.1.0.0/16", NULL, ANYP, NULL, NULL, DENY);
	pol_rule(p, "A", "10.0.0.0/8", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "C", "10.1.2.0/24", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "D", "10.1.2.3", NULL, IPPROTO_UDP, NULL, NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("10.1.2.3", "1.1.1.1", IPPROTO_UDP, 1), 0);
	expect_id(&c, p, pkt("10.1.2.4", "1.1.1.1", IPPROTO_UDP, 1), 0);
	expect_id(&c, p, pkt("10.2.0.1", "1.1.1.1", IPPROTO_UDP, 1), 1);
	expect_id(&c, p, pkt("11.0.0.1", "1.1.1.1", IPPROTO_UDP, 1), 4);
	/* the /32's class holds every enclosing rule */
	{
		const struct fg_class *cl = find_key(&c, FG_FIELD_SRC4,
						     (__u8[]){ 10, 1, 2, 3 }, 4, 32);

		assert_non_null(cl);
		assert_true(class_has_rule(&c, cl, 0) && class_has_rule(&c, cl, 1) &&
			    class_has_rule(&c, cl, 2) && class_has_rule(&c, cl, 3));
	}
	fg_compiled_free(&c);
	pol_free(p);

	/* deepest first: each level wins inside itself only */
	p = pol_new(DENY);
	pol_rule(p, "host", "10.1.2.3/32", NULL, ANYP, NULL, NULL, DENY);
	pol_rule(p, "net16", "10.1.0.0/16", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "net8", "10.0.0.0/8", NULL, ANYP, NULL, NULL, DENY);
	pol_rule(p, "v6-48", NULL, "2001:db8:1::/48", ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "v6-32", NULL, "2001:db8::/32", ANYP, NULL, NULL, DENY);
	c = compile_ok(p);
	expect_id(&c, p, pkt("10.1.2.3", "1.1.1.1", IPPROTO_TCP, 1), 0);
	expect_id(&c, p, pkt("10.1.2.4", "1.1.1.1", IPPROTO_TCP, 1), 1);
	expect_id(&c, p, pkt("10.9.9.9", "1.1.1.1", IPPROTO_TCP, 1), 2);
	expect_id(&c, p, pkt("::1", "2001:db8:1::5", IPPROTO_TCP, 1), 3);
	expect_id(&c, p, pkt("::1", "2001:db8:2::5", IPPROTO_TCP, 1), 4);
	expect_id(&c, p, pkt("::1", "2001:db9::5", IPPROTO_TCP, 1), 5);
	fg_compiled_free(&c);
	pol_free(p);
}

/* One prefix listed literally by a late rule and through a group by an
 * early one: the prefix's own rules come from two sources. */
static void test_literal_and_group_same_prefix(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	char name[16];
	int i;

	pol_group(p, "g", "10.0.0.0/8 10.1.0.0/16");
	pol_rule(p, "early", "@g", NULL, IPPROTO_UDP, NULL, NULL, ALLOW);
	for (i = 1; i < 130; i++) {
		snprintf(name, sizeof(name), "pad%d", i);
		pol_rule(p, name, "192.0.2.1", NULL, IPPROTO_TCP, NULL, NULL, ALLOW);
	}
	pol_rule(p, "late", "10.0.0.0/8 10.1.0.0/16 @g", NULL, IPPROTO_TCP, NULL, NULL, DENY);
	c = compile_ok(p);
	check_classes(&c, p, 0);
	expect_id(&c, p, pkt("10.1.2.3", "1.1.1.1", IPPROTO_UDP, 1), 0);
	expect_id(&c, p, pkt("10.1.2.3", "1.1.1.1", IPPROTO_TCP, 1), 130);
	expect_id(&c, p, pkt("10.2.2.3", "1.1.1.1", IPPROTO_TCP, 1), 130);
	expect_id(&c, p, pkt("192.0.2.1", "1.1.1.1", IPPROTO_TCP, 1), 1);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_empty_group(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	size_t i;

	pol_group(p, "nobody", "");
	pol_rule(p, "from-nobody", "@nobody", NULL, ANYP, NULL, NULL, DENY);
	pol_rule(p, "to-nobody", NULL, "@nobody", ANYP, NULL, NULL, DENY);
	pol_rule(p, "rest", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	c = compile_ok(p);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 1), 2);
	expect_id(&c, p, pkt("::", "::", 0, 0), 2);
	/* the empty side never reaches its field (the "any" side does) */
	for (i = 0; i < c.n_entries; i++) {
		__u8 f = c.keys[i].field;

		if (f == FG_FIELD_SRC4 || f == FG_FIELD_SRC6)
			assert_false(class_has_rule(&c, &c.classes[i], 0));
		if (f == FG_FIELD_DST4 || f == FG_FIELD_DST6)
			assert_false(class_has_rule(&c, &c.classes[i], 1));
	}
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_empty_policy(void **state)
{
	struct fg_policy *p = pol_new(ALLOW);
	struct fg_compiled c = compile_ok(p);

	assert_int_equal(c.n_entries, 0);
	assert_int_equal(c.n_rules, 0);
	assert_true(c.pool_words >= 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 1), 0);
	expect_id(&c, p, pkt("::1", "::2", IPPROTO_ICMPV6, 128 << 8), 0);
	assert_string_equal(c.names[0], "default");
	assert_int_equal(c.meta[0].flags, FG_RULE_F_DEFAULT);
	assert_int_equal(c.meta[0].action, FG_ACTION_ALLOW);
	fg_compiled_free(&c);

	/* only failsafe */
	pol_failsafe(p, IPPROTO_TCP, 22, 22);
	c = compile_ok(p);
	assert_int_equal(c.n_rules, 1);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 21), 1);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_key_encoding(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	const struct fg_class *cl;
	__u8 v6[16];

	/* host bits written into the policy must not reach the keys */
	pol_rule(p, "a", "10.1.2.99/24", "10.200.0.7/9", IPPROTO_TCP, "8080", NULL, ALLOW);
	pol_rule(p, "b", "any", NULL, 47, NULL, NULL, ALLOW);
	pol_rule(p, "c", "fd00::1:2:3/33", NULL, ANYP, NULL, NULL, ALLOW);
	c = compile_ok(p);	/* check_tables: no bit beyond prefixlen */
	cl = find_key(&c, FG_FIELD_SRC4, (__u8[]){ 10, 1, 2, 0 }, 4, 24);
	assert_non_null(cl);
	assert_true(class_has_rule(&c, cl, 0) && class_has_rule(&c, cl, 1));
	assert_false(class_has_rule(&c, cl, 2));
	assert_non_null(find_key(&c, FG_FIELD_DST4, (__u8[]){ 10, 128, 0, 0 }, 4, 9));
	inet_pton(AF_INET6, "fd00::", v6);
	assert_non_null(find_key(&c, FG_FIELD_SRC6, v6, 16, 33));
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 6, 8080 >> 8, 8080 & 0xff }, 3, 24));
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[]){ 47 }, 1, 8));
	/* any = field byte only (prefixlen 8) in both families */
	assert_non_null(find_key(&c, FG_FIELD_SRC6, (__u8[16]){ 0 }, 16, 0));
	assert_non_null(find_key(&c, FG_FIELD_DST4, (__u8[4]){ 0 }, 4, 0));
	assert_non_null(find_key(&c, FG_FIELD_PORT, (__u8[4]){ 0 }, 3, 0));
	assert_int_equal(c.n_entries, 10);
	expect_id(&c, p, pkt("10.1.2.200", "10.200.1.1", IPPROTO_TCP, 8080), 0);
	expect_id(&c, p, pkt("10.1.3.200", "10.200.1.1", IPPROTO_TCP, 8080), 3);
	expect_id(&c, p, pkt("10.1.2.200", "10.100.0.0", IPPROTO_TCP, 8080), 3);
	expect_id(&c, p, pkt("10.1.2.200", "10.100.0.0", 47, 0), 1);
	expect_id(&c, p, pkt("fd00::ffff", "::1", IPPROTO_UDP, 1), 2);
	expect_id(&c, p, pkt("fd00:0:7fff::", "::1", IPPROTO_UDP, 1), 2);
	expect_id(&c, p, pkt("fd00:0:8000::", "::1", IPPROTO_UDP, 1), 3);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_dedup(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	char *list = malloc(1000 * 24);
	size_t i, n = 0, len = 0;
	__u32 off = UINT32_MAX;

	for (i = 0; i < 1000; i++)
		len += (size_t)sprintf(list + len, "172.16.%zu.%zu ", i / 200, i % 200);
	pol_group(p, "big", list);
	free(list);
	pol_rule(p, "first", "1.1.1.1", NULL, ANYP, NULL, NULL, ALLOW);
	pol_rule(p, "to-big", "2.2.2.2", "@big", IPPROTO_TCP, NULL, NULL, ALLOW);
	pol_rule(p, "also-big", "@big", "@big", IPPROTO_UDP, NULL, NULL, DENY);
	c = compile_ok(p);
	for (i = 0; i < c.n_entries; i++) {
		if (c.keys[i].field != FG_FIELD_DST4 || c.keys[i].prefixlen != 40)
			continue;
		n++;
		if (off == UINT32_MAX)
			off = c.classes[i].off;
		assert_int_equal(c.classes[i].off, off);
	}
	assert_int_equal(n, 1000);
	/* {0} {1} {2} {0,1,2} {0,1} {0,2}: one word each, 1000 addresses or not */
	assert_int_equal(c.pool_words, 6);
	expect_id(&c, p, pkt("2.2.2.2", "172.16.4.199", IPPROTO_TCP, 1), 1);
	expect_id(&c, p, pkt("172.16.0.0", "172.16.4.199", IPPROTO_UDP, 1), 2);
	expect_id(&c, p, pkt("172.16.0.0", "172.16.5.0", IPPROTO_UDP, 1), 3);
	fg_compiled_free(&c);
	pol_free(p);

	/* same word content, different window start: {0}, {64}, {128} differ */
	p = pol_new(DENY);
	for (i = 0; i < 130; i++) {
		char a[32], name[16];

		snprintf(a, sizeof(a), "10.0.%zu.1", i);
		snprintf(name, sizeof(name), "r%zu", i);
		pol_rule(p, name, a, NULL, IPPROTO_TCP, NULL, NULL, ALLOW);
	}
	c = compile_ok(p);
	check_classes(&c, p, 0);
	/* 130 one-word source classes + {0..129} (3 words) for dst any and tcp */
	assert_int_equal(c.pool_words, 133);
	expect_id(&c, p, pkt("10.0.0.1", "1.1.1.1", IPPROTO_TCP, 1), 0);
	expect_id(&c, p, pkt("10.0.64.1", "1.1.1.1", IPPROTO_TCP, 1), 64);
	expect_id(&c, p, pkt("10.0.128.1", "1.1.1.1", IPPROTO_TCP, 1), 128);
	fg_compiled_free(&c);
	pol_free(p);
}

/* The pool size is exactly the sum of the distinct windows. */
static void test_pool_accounting(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_diags d = { 0 };
	struct fg_compiled c;
	__u64 expect = 0;
	__u32 r, n = 2000;
	char a[32], name[16];

	pol_rule(p, "any-first", NULL, NULL, IPPROTO_ICMP, NULL, NULL, ALLOW);
	for (r = 1; r < n; r++) {
		snprintf(a, sizeof(a), "10.%u.%u.1", r / 256, r % 256);
		snprintf(name, sizeof(name), "h%u", r);
		pol_rule(p, name, a, NULL, IPPROTO_TCP, NULL, NULL, ALLOW);
	}
	/* source classes {0} and {0, r}; destination any = all n rules */
	expect = 1;
	for (r = 1; r < n; r++)
		expect += r / 64 + 1;
	expect += (n + 63) / 64;	/* {0..n-1}: dst any */
	expect += (n + 63) / 64 - 1 + 1; /* {1..n-1}: tcp, starts in word 0 */
	c = compile_ok(p);
	/* {0} is shared by SRC4/SRC6 roots and the icmp port entry */
	assert_int_equal(c.pool_words, expect);
	expect_id(&c, p, pkt("10.7.208.1", "1.1.1.1", IPPROTO_TCP, 1), 2000);
	expect_id(&c, p, pkt("10.7.207.1", "1.1.1.1", IPPROTO_TCP, 1), 1999);
	expect_id(&c, p, pkt("10.7.207.1", "1.1.1.1", IPPROTO_ICMP, 0), 0);
	fg_compiled_free(&c);

	/* below the needed words: a clean -E2BIG with a message */
	assert_int_equal(fg_compile_limited(p, FG_MAX_RULES_DEFAULT, expect - 1, &c, &d),
			 -E2BIG);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "bitmap words"));
	assert_null(c.keys);
	assert_null(c.pool);
	fg_diags_free(&d);
	assert_int_equal(fg_compile_limited(p, FG_MAX_RULES_DEFAULT, expect, &c, &d), 0);
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_limits(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_diags d = { 0 };
	struct fg_compiled c;
	size_t i;

	pol_failsafe(p, IPPROTO_TCP, 22, 22);
	for (i = 0; i < 9; i++)
		pol_rule(p, "r", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	assert_int_equal(fg_compile(p, 9, &c, &d), -E2BIG);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "10 rules"));
	fg_diags_free(&d);
	assert_int_equal(fg_compile(p, 10, &c, &d), 0);
	fg_compiled_free(&c);

	/* more rules than the bitmap's FG_MAX_WORDS words can hold */
	p->rules = xrealloc(p->rules, (64 * FG_MAX_WORDS + 1) * sizeof(*p->rules));
	for (i = p->n_rules; i < 64 * FG_MAX_WORDS; i++) {
		p->rules[i] = p->rules[0];
		p->rules[i].name = strdup("r");
	}
	p->n_rules = 64 * FG_MAX_WORDS;	/* + 1 failsafe */
	assert_int_equal(fg_compile(p, UINT32_MAX, &c, &d), -E2BIG);
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.v[0].msg, "bitmap holds"));
	fg_diags_free(&d);
	pol_free(p);
}

static void test_bad_input(void **state)
{
	struct fg_policy *p = pol_new(DENY);
	struct fg_diags d = { 0 };
	struct fg_compiled c;
	struct fg_rule *r;

	r = pol_rule(p, "icmp-ports", NULL, NULL, IPPROTO_ICMP, "80", NULL, ALLOW);
	r = pol_rule(p, "bad-prefix", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	r->from.any = false;
	r->from.items = calloc(1, sizeof(*r->from.items));
	r->from.n_items = 1;
	r->from.items[0].prefix = pfx("10.0.0.0/33");
	r = pol_rule(p, "bad-group", NULL, NULL, ANYP, NULL, NULL, ALLOW);
	r->to.any = false;
	r->to.items = calloc(1, sizeof(*r->to.items));
	r->to.n_items = 1;
	r->to.items[0].is_group = true;
	r->to.items[0].group = 5;
	pol_rule(p, "tcp-icmp-types", NULL, NULL, IPPROTO_TCP, NULL, "8", ALLOW);
	pol_rule(p, "empty-range", NULL, NULL, IPPROTO_TCP, "90-80", NULL, ALLOW);
	assert_int_equal(fg_compile(p, FG_MAX_RULES_DEFAULT, &c, &d), -EINVAL);
	assert_int_equal(d.n, 5);
	assert_non_null(strstr(d.v[0].msg, "'ports'"));
	assert_int_equal(d.v[0].line, 1);
	assert_non_null(strstr(d.v[1].msg, "bad prefix"));
	assert_non_null(strstr(d.v[2].msg, "group"));
	assert_non_null(strstr(d.v[3].msg, "'icmp_types'"));
	assert_non_null(strstr(d.v[4].msg, "empty port range"));
	assert_null(c.keys);
	fg_diags_free(&d);
	pol_free(p);
}

/* ---- randomized differential test ------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static unsigned int rn(struct rng *r, unsigned int n)
{
	return (unsigned int)(rnd(r) % n);
}

/* Addresses from a small space so prefixes nest and collide often. */
static void rand_addr(struct rng *r, __u8 family, __u8 *a)
{
	static const __u8 v4_first[] = { 10, 10, 192, 0, 255 };
	static const __u8 v6_first[][2] = { { 0xfd, 0 }, { 0x20, 0x01 }, { 0xfe, 0x80 }, { 0, 0 } };
	unsigned int i;

	memset(a, 0, 16);
	if (family == AF_INET) {
		a[0] = rn(r, 8) ? v4_first[rn(r, 5)] : (__u8)rnd(r);
		a[1] = (__u8)(rn(r, 4) ? rn(r, 3) : rnd(r));
		a[2] = (__u8)(rn(r, 4) ? rn(r, 3) : rnd(r));
		a[3] = (__u8)(rn(r, 2) ? rn(r, 4) : rnd(r));
		return;
	}
	memcpy(a, v6_first[rn(r, 4)], 2);
	for (i = 2; i < 16; i++)
		if (!rn(r, 5))
			a[i] = (__u8)(rn(r, 2) ? rn(r, 3) : rnd(r));
}

/*
 * Per-policy knobs, so some policies are dominated by "any" rules (matches at
 * low ids) and others by specific rules far apart (windows over many words),
 * and a pool of prefixes reused across rules and groups (shared and nested
 * prefixes listed by several rules).
 */
struct gen {
	unsigned int any_1_in;		/* "any" for a side with probability 1/N */
	struct fg_prefix reuse[24];
	unsigned int n_reuse;
};

static struct gen G;

static struct fg_prefix rand_prefix_new(struct rng *r);

static struct fg_prefix rand_prefix(struct rng *r)
{
	if (G.n_reuse && rn(r, 2))
		return G.reuse[rn(r, G.n_reuse)];
	return rand_prefix_new(r);
}

static struct fg_prefix rand_prefix_new(struct rng *r)
{
	static const __u8 l4[] = { 0, 8, 16, 24, 32, 31, 23 };
	static const __u8 l6[] = { 0, 16, 32, 48, 64, 127, 128 };
	struct fg_prefix pf = { 0 };

	pf.family = rn(r, 3) ? AF_INET : AF_INET6;
	rand_addr(r, pf.family, pf.addr);
	if (pf.family == AF_INET)
		pf.plen = rn(r, 3) ? l4[rn(r, 7)] : (__u8)rn(r, 33);
	else
		pf.plen = rn(r, 3) ? l6[rn(r, 7)] : (__u8)rn(r, 129);
	/* usually clear host bits as the parser does; sometimes keep them */
	if (rn(r, 4)) {
		unsigned int b;

		for (b = pf.plen; b < 128; b++)
			pf.addr[b / 8] &= (__u8)~(0x80 >> (b % 8));
	}
	return pf;
}

static void rand_addr_match(struct rng *r, struct fg_policy *p, struct fg_addr_match *m)
{
	unsigned int i, n;

	memset(m, 0, sizeof(*m));
	if (!rn(r, G.any_1_in)) {
		m->any = true;
		return;
	}
	n = 1 + rn(r, 4);
	m->items = calloc(n, sizeof(*m->items));
	assert_non_null(m->items);
	for (i = 0; i < n; i++) {
		if (p->n_groups && !rn(r, 3)) {
			m->items[i].is_group = true;
			m->items[i].group = rn(r, (unsigned int)p->n_groups);
		} else {
			m->items[i].prefix = rand_prefix(r);
		}
	}
	m->n_items = n;
}

static __u16 rand_port(struct rng *r)
{
	static const __u16 special[] = { 0, 1, 2, 53, 80, 443, 1023, 1024, 32767, 32768,
					 65534, 65535 };

	switch (rn(r, 3)) {
	case 0:
		return special[rn(r, 12)];
	case 1:
		return (__u16)rn(r, 100);
	default:
		return (__u16)rnd(r);
	}
}

static struct fg_policy *rand_policy(struct rng *r)
{
	static const int protos[] = { ANYP, ANYP, IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP,
				      IPPROTO_ICMP, IPPROTO_ICMPV6, 47, 132 };
	struct fg_policy *p = pol_new(rn(r, 2) ? ALLOW : DENY);
	static const unsigned int any_1_in[] = { 2, 3, 10, 40, 1000 };
	unsigned int i, j, n;
	char name[16];

	G.any_1_in = any_1_in[rn(r, 5)];
	G.n_reuse = rn(r, 25);
	for (i = 0; i < G.n_reuse; i++)
		G.reuse[i] = rand_prefix_new(r);
	n = rn(r, 6);
	for (i = 0; i < n; i++) {
		struct fg_group *g;
		unsigned int k = rn(r, 4) ? rn(r, 20) : 0;

		snprintf(name, sizeof(name), "g%u", i);
		pol_group(p, name, "");
		g = &p->groups[i];
		g->prefixes = calloc(k ? k : 1, sizeof(*g->prefixes));
		for (j = 0; j < k; j++)
			g->prefixes[j] = rand_prefix(r);
		g->n_prefixes = k;
	}
	n = rn(r, 3);
	for (i = 0; i < n; i++) {
		__u16 a = rand_port(r), b = rn(r, 2) ? a : rand_port(r);

		pol_failsafe(p, rn(r, 2) ? IPPROTO_TCP : IPPROTO_UDP, a < b ? a : b, a < b ? b : a);
	}
	n = rn(r, 2) ? 1 + rn(r, 300) : 200 + rn(r, 101);
	for (i = 0; i < n; i++) {
		struct fg_rule *ru;
		int proto = rn(r, G.any_1_in) ? protos[2 + rn(r, 7)] : ANYP;

		snprintf(name, sizeof(name), "r%u", i);
		ru = pol_rule(p, name, NULL, NULL, proto, NULL, NULL, rn(r, 2) ? ALLOW : DENY);
		ru->log = !rn(r, 4);
		free(ru->from.items);
		free(ru->to.items);
		rand_addr_match(r, p, &ru->from);
		rand_addr_match(r, p, &ru->to);
		if ((proto == ANYP || proto == IPPROTO_TCP || proto == IPPROTO_UDP) && rn(r, 2)) {
			ru->n_ports = 1 + rn(r, 4);
			ru->ports = calloc(ru->n_ports, sizeof(*ru->ports));
			for (j = 0; j < ru->n_ports; j++) {
				__u16 a = rand_port(r), b;

				b = rn(r, 2) ? a : (rn(r, 2) ? rand_port(r) : (__u16)(a + rn(r, 40)));
				if (b < a)
					b = rn(r, 2) ? a : 65535;
				ru->ports[j] = (struct fg_port_range){ a, b };
			}
		} else if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && rn(r, 2)) {
			ru->n_icmp_types = 1 + rn(r, 4);
			ru->icmp_types = calloc(ru->n_icmp_types, sizeof(*ru->icmp_types));
			for (j = 0; j < ru->n_icmp_types; j++) {
				ru->icmp_types[j].type = (__u8)(rn(r, 4) ? rn(r, 10) : rnd(r));
				ru->icmp_types[j].code = (__s16)(rn(r, 2) ? -1 : (int)rn(r, 4));
			}
		}
	}
	return p;
}

/* A prefix of the policy of this family (literal or group), or NULL. */
static const struct fg_prefix *pick_prefix(struct rng *r, const struct fg_policy *p, __u8 family)
{
	unsigned int tries;

	for (tries = 0; tries < 20; tries++) {
		const struct fg_prefix *pf = NULL;

		if (p->n_groups && !rn(r, 3)) {
			const struct fg_group *g = &p->groups[rn(r, (unsigned int)p->n_groups)];

			if (g->n_prefixes)
				pf = &g->prefixes[rn(r, (unsigned int)g->n_prefixes)];
		} else if (p->n_rules) {
			const struct fg_rule *ru = &p->rules[rn(r, (unsigned int)p->n_rules)];
			const struct fg_addr_match *m = rn(r, 2) ? &ru->from : &ru->to;

			if (m->n_items) {
				const struct fg_addr_item *it = &m->items[rn(r, (unsigned int)m->n_items)];

				if (!it->is_group)
					pf = &it->prefix;
			}
		}
		if (pf && pf->family == family)
			return pf;
	}
	return NULL;
}

static void rand_packet_addr(struct rng *r, const struct fg_policy *p, __u8 family, __u8 *a)
{
	const struct fg_prefix *pf = rn(r, 4) ? pick_prefix(r, p, family) : NULL;
	unsigned int b, bits = family == AF_INET ? 32 : 128;

	rand_addr(r, family, a);
	if (!pf)
		return;
	/* inside the prefix, host bits random or near its edges */
	memcpy(a, pf->addr, bits / 8);
	for (b = pf->plen; b < bits; b++) {
		bool set;

		switch (rn(r, 4)) {
		case 0:
			set = false;
			break;
		case 1:
			set = true;
			break;
		default:
			set = rn(r, 2);
		}
		if (set)
			a[b / 8] |= (__u8)(0x80 >> (b % 8));
		else
			a[b / 8] &= (__u8)~(0x80 >> (b % 8));
	}
	/* sometimes just outside: flip one bit of the prefix */
	if (pf->plen && !rn(r, 6)) {
		b = rn(r, pf->plen);
		a[b / 8] ^= (__u8)(0x80 >> (b % 8));
	}
}

static __u16 rand_packet_port(struct rng *r, const struct fg_policy *p, __u8 proto)
{
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) {
		const struct fg_rule *ru = &p->rules[rn(r, (unsigned int)p->n_rules)];

		if (ru->n_icmp_types && rn(r, 4)) {
			const struct fg_icmp_type *t = &ru->icmp_types[rn(r, (unsigned int)ru->n_icmp_types)];
			int code = t->code >= 0 && rn(r, 3) ? t->code : (int)rn(r, 5);

			return (__u16)(t->type << 8 | code);
		}
		return (__u16)(rn(r, 12) << 8 | rn(r, 5));
	}
	if (rn(r, 4)) {
		const struct fg_port_range *pr = NULL;

		if (p->n_failsafe && !rn(r, 4)) {
			pr = &p->failsafe[rn(r, (unsigned int)p->n_failsafe)].ports;
		} else {
			const struct fg_rule *ru = &p->rules[rn(r, (unsigned int)p->n_rules)];

			if (ru->n_ports)
				pr = &ru->ports[rn(r, (unsigned int)ru->n_ports)];
		}
		if (pr) {
			int v[] = { pr->lo - 1, pr->lo, pr->lo + 1, pr->hi - 1, pr->hi, pr->hi + 1,
				    pr->lo + (pr->hi - pr->lo) / 2 };
			int x = v[rn(r, 7)];

			return (__u16)(x < 0 ? 0 : x > 65535 ? 65535 : x);
		}
	}
	return rand_port(r);
}

static int env_int(const char *name, int def)
{
	const char *s = getenv(name);

	return s && *s ? atoi(s) : def;
}

static void fmt_input(const struct fg_match_input *in, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	inet_ntop(in->family, in->src, s, sizeof(s));
	inet_ntop(in->family, in->dst, d, sizeof(d));
	snprintf(buf, len, "%s -> %s proto %u port %u (0x%04x)", s, d, in->proto, in->port,
		 in->port);
}

static void run_seed(uint64_t seed, unsigned int n_packets, unsigned long *hits)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP,
				       IPPROTO_ICMP, IPPROTO_ICMPV6, 47, 132, 0 };
	struct rng r = { seed * 0x9e3779b97f4a7c15ULL + 1 };
	struct fg_policy *p = rand_policy(&r);
	struct fg_compiled c = compile_ok(p);
	unsigned int i;

	if (seed % 4 == 0)
		check_classes(&c, p, seed);
	for (i = 0; i < n_packets; i++) {
		struct fg_match_input in = { 0 };
		__u32 got_c, got_p;

		in.family = rn(&r, 2) ? AF_INET : AF_INET6;
		rand_packet_addr(&r, p, in.family, in.src);
		rand_packet_addr(&r, p, in.family, in.dst);
		in.proto = protos[rn(&r, 9)];
		in.port = rand_packet_port(&r, p, in.proto);
		got_c = fg_compiled_match(&c, &in);
		got_p = fg_policy_match(p, &in);
		if (got_c != got_p) {
			char buf[160];

			fmt_input(&in, buf, sizeof(buf));
			fail_msg("seed %llu packet %u: %s: compiled rule %u, reference rule %u "
				 "(rerun with FG_TEST_SEED=%llu)",
				 (unsigned long long)seed, i, buf, got_c, got_p,
				 (unsigned long long)seed);
		}
		*hits += got_p < c.n_rules;
	}
	fg_compiled_free(&c);
	pol_free(p);
}

static void test_random_differential(void **state)
{
	int one = env_int("FG_TEST_SEED", -1);
	int seeds = env_int("FG_TEST_SEEDS", 300);
	unsigned long hits = 0, total = 0;
	int s;

	if (one >= 0) {
		run_seed((uint64_t)one, 5000, &hits);
		return;
	}
	for (s = 0; s < seeds; s++) {
		run_seed((uint64_t)s, 3000, &hits);
		total += 3000;
	}
	printf("random: %d policies, %lu packets, %lu matched a rule\n", seeds, total, hits);
	/* the generator must exercise rules, not only the default */
	assert_true(hits > total / 4);
}

/* ---- scale -------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_scale(void **state)
{
	int div = env_int("FG_TEST_BIG_SCALE", 1);
	size_t n_rules = 100000 / (size_t)(div > 0 ? div : 1);
	size_t n_group = 1000000 / (size_t)(div > 0 ? div : 1);
	struct fg_policy *p = pol_new(DENY);
	struct fg_compiled c;
	struct fg_group *g;
	struct rng r = { 12345 };
	double t0, t1;
	size_t i;
	char name[24], a[32];

	/* the group: IPv4 hosts and /24s, IPv6 hosts */
	pol_group(p, "big", "");
	g = &p->groups[0];
	g->prefixes = calloc(n_group, sizeof(*g->prefixes));
	assert_non_null(g->prefixes);
	g->n_prefixes = n_group;
	for (i = 0; i < n_group; i++) {
		struct fg_prefix *pf = &g->prefixes[i];
		__u32 v = 0x64000000U + (__u32)i;	/* 100.0.0.0 + i */

		if (i % 10 == 9) {
			pf->family = AF_INET6;
			pf->plen = 128;
			pf->addr[0] = 0x20;
			pf->addr[1] = 0x01;
			pf->addr[2] = 0x0d;
			pf->addr[3] = 0xb8;
			memcpy(&pf->addr[12], &(__u32){ htonl((__u32)i) }, 4);
		} else if (i % 100 == 0) {
			pf->family = AF_INET;
			pf->plen = 24;
			v = 0x70000000U + ((__u32)i << 8);	/* 112.x.y.0/24 */
			memcpy(pf->addr, &(__u32){ htonl(v) }, 4);
		} else {
			pf->family = AF_INET;
			pf->plen = 32;
			memcpy(pf->addr, &(__u32){ htonl(v) }, 4);
		}
	}
	pol_rule(p, "blocked", "@big", NULL, ANYP, NULL, NULL, DENY);
	pol_rule(p, "blocked-web", "@big", NULL, IPPROTO_TCP, "443", NULL, ALLOW);
	p->rules = xrealloc(p->rules, (n_rules + 3) * sizeof(*p->rules));
	for (i = 0; i < n_rules; i++) {
		snprintf(name, sizeof(name), "host%zu", i);
		snprintf(a, sizeof(a), "20.%zu.%zu.%zu", i >> 16, (i >> 8) & 255, i & 255);
		pol_rule(p, name, a, NULL, IPPROTO_TCP, "22", NULL, ALLOW);
	}
	pol_rule(p, "to-big", "30.0.0.0/8", "@big", IPPROTO_UDP, NULL, NULL, ALLOW);

	t0 = now_s();
	assert_int_equal(fg_compile(p, FG_MAX_RULES_DEFAULT, &c, NULL), 0);
	t1 = now_s();
	check_tables(&c);
	printf("scale: %zu rules + %zu group prefixes: compiled in %.2f s, %zu entries, "
	       "%u pool words (%.1f MiB)\n", p->n_rules, n_group, t1 - t0, c.n_entries,
	       c.pool_words, c.pool_words * 8.0 / (1 << 20));
	/* every prefix is one entry, plus the few roots */
	assert_true(c.n_entries >= n_rules + 2 * n_group);
	assert_true(c.n_entries <= n_rules + 2 * n_group + 8);
	/* one word per /32 rule, a few windows of all rules: not rules x prefixes */
	assert_true(c.pool_words <= n_rules + 8 * ((p->n_rules + 63) / 64) + 16);
	/* generous against a slow CI box; near-linear is a few seconds here */
	assert_true(t1 - t0 < 30.0);

	for (i = 0; i < 500; i++) {
		struct fg_match_input in = { .family = AF_INET, .proto = IPPROTO_TCP, .port = 22 };
		size_t k = rn(&r, (unsigned int)n_rules), m = rn(&r, (unsigned int)n_group);
		__u32 got, want;

		/* m: an IPv4 /32 member of the group (100.0.0.0 + m) */
		while (m % 10 == 9 || m % 100 == 0)
			m = (m + 1) % n_group;
		switch (i % 5) {
		case 0:	/* a host rule */
			in.src[0] = 20;
			in.src[1] = (__u8)(k >> 16);
			in.src[2] = (__u8)(k >> 8);
			in.src[3] = (__u8)k;
			want = 2 + (__u32)k;
			break;
		case 1:	/* a group member as initiator */
			memcpy(in.src, &(__u32){ htonl(0x64000000U + (__u32)m) }, 4);
			want = 0;
			break;
		case 2:	/* a group member as responder, from 30/8, udp */
			in.src[0] = 30;
			in.src[3] = (__u8)k;
			memcpy(in.dst, &(__u32){ htonl(0x64000000U + (__u32)m) }, 4);
			in.proto = IPPROTO_UDP;
			want = c.n_rules - 1;
			break;
		case 3:	/* an IPv6 member of the group as initiator */
			m = m / 10 * 10 + 9;
			if (m >= n_group)
				m = 9;
			in.family = AF_INET6;
			memcpy(in.src, g->prefixes[m].addr, 16);
			want = 0;
			break;
		default:	/* nobody */
			in.src[0] = 21;
			in.src[3] = (__u8)k;
			want = c.n_rules;
			break;
		}
		got = fg_compiled_match(&c, &in);
		if (got != want || fg_policy_match(p, &in) != want)
			fail_msg("scale sample %zu: want %u, compiled %u, reference %u", i, want,
				 got, fg_policy_match(p, &in));
	}
	fg_compiled_free(&c);
	pol_free(p);
}

/* ---- the class builder directly ---------------------------------------- */

/* The sizing pass must count exactly the words the real pass writes. */
static void test_class_builder_sizing(void **state)
{
	struct rng r = { 99 };
	unsigned int round;

	for (round = 0; round < 200; round++) {
		__u32 n_rules = 1 + rn(&r, 700), i, j;
		size_t n = 1 + rn(&r, 400);
		struct fg_cb_item *items = calloc(n, sizeof(*items));
		struct fg_cb_list lists[3] = { { 0 } };
		struct fg_cb sized, real;

		assert_non_null(items);
		for (i = 0; i < 3; i++)
			for (j = rn(&r, 5); j < n_rules; j += 1 + rn(&r, 200))
				assert_int_equal(fg_cb_list_push(&lists[i], j), 0);
		for (i = 0; i < n; i++) {
			struct fg_prefix pf = rand_prefix_new(&r);
			unsigned int b;

			memcpy(items[i].addr, pf.addr, 4);
			items[i].plen = pf.family == AF_INET ? pf.plen : (__u8)rn(&r, 33);
			for (b = items[i].plen; b < 128; b++)
				items[i].addr[b / 8] &= (__u8)~(0x80 >> (b % 8));
			items[i].ref = rn(&r, 6) ? rn(&r, n_rules)
						 : FG_CB_REF_LIST | rn(&r, 3);
		}
		assert_int_equal(fg_cb_init(&sized, n_rules, UINT32_MAX, true), 0);
		assert_int_equal(fg_cb_init(&real, n_rules, UINT32_MAX, false), 0);
		assert_int_equal(fg_cb_field(&sized, FG_FIELD_SRC4, 32, items, n, lists), 0);
		assert_int_equal(fg_cb_field(&real, FG_FIELD_SRC4, 32, items, n, lists), 0);
		if (sized.pool_n != real.pool_n || sized.n_cls != real.n_cls)
			fail_msg("round %u: sizing counted %zu words / %zu classes, real %zu / %zu",
				 round, sized.pool_n, sized.n_cls, real.pool_n, real.n_cls);
		assert_int_equal(sized.n_out, 0);
		assert_true(real.n_out > 0);
		/* and a ceiling one word short is refused by the sizing pass */
		if (real.pool_n) {
			struct fg_cb tight;

			assert_int_equal(fg_cb_init(&tight, n_rules, real.pool_n - 1, true), 0);
			assert_int_equal(fg_cb_field(&tight, FG_FIELD_SRC4, 32, items, n, lists),
					 -E2BIG);
			fg_cb_free(&tight);
		}
		fg_cb_free(&sized);
		fg_cb_free(&real);
		for (i = 0; i < 3; i++)
			free(lists[i].v);
		free(items);
	}
}

/* ---- from YAML --------------------------------------------------------- */

static const char yaml_policy[] =
	"version: 1\n"
	"default: deny\n"
	"groups:\n"
	"  web: [10.20.0.0/16, \"fd00:20::/64\"]\n"
	"  admins: [192.168.1.10, 192.168.1.11]\n"
	"rules:\n"
	"  - name: web-in\n"
	"    from: any\n"
	"    to: web\n"
	"    proto: tcp\n"
	"    ports: [80, 443, 8000-8100]\n"
	"    action: allow\n"
	"  - name: admin-ssh\n"
	"    from: admins\n"
	"    to: [web, 172.16.0.0/12]\n"
	"    proto: tcp\n"
	"    ports: [2222]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: nd\n"
	"    proto: icmpv6\n"
	"    icmp_types: [neighbor-solicitation]\n"
	"    action: deny\n"
	"  - name: dns\n"
	"    proto: any\n"
	"    ports: [53]\n"
	"    action: allow\n"
	"  - name: no-telnet\n"
	"    proto: tcp\n"
	"    ports: [23]\n"
	"    action: deny\n"
	"    log: true\n"
	"failsafe: [tcp/22, udp/5000-5010]\n"
	"timeouts: {tcp_established: 3600, tcp_syn: 30, tcp_closing: 10, udp: 60, icmp: 10}\n";

static void test_from_yaml(void **state)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	struct fg_compiled c;
	int r = fg_policy_parse("yaml", yaml_policy, strlen(yaml_policy), &p, &d);

	if (r)
		fg_diags_print(&d, stderr);
	assert_int_equal(r, 0);
	c = compile_ok(p);
	assert_int_equal(c.n_rules, 8);
	assert_string_equal(c.names[0], "failsafe:tcp/22");
	assert_string_equal(c.names[1], "failsafe:udp/5000-5010");
	assert_string_equal(c.names[2], "web-in");
	assert_string_equal(c.names[7], "no-telnet");
	assert_string_equal(c.names[8], "default");
	assert_int_equal(c.meta[7].flags, FG_RULE_F_LOG);
	assert_int_equal(c.meta[5].flags, FG_RULE_F_ICMPV6_EXPL);
	assert_int_equal(c.meta[8].action, FG_ACTION_DENY);
	expect_id(&c, p, pkt("8.8.8.8", "10.20.1.1", IPPROTO_TCP, 8050), 2);
	expect_id(&c, p, pkt("8.8.8.8", "10.21.1.1", IPPROTO_TCP, 8050), 8);
	expect_id(&c, p, pkt("2001::1", "fd00:20::1", IPPROTO_TCP, 443), 2);
	expect_id(&c, p, pkt("192.168.1.11", "172.20.0.1", IPPROTO_TCP, 2222), 3);
	expect_id(&c, p, pkt("192.168.1.12", "172.20.0.1", IPPROTO_TCP, 2222), 8);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8 << 8), 4);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_ICMP, 0), 8);
	expect_id(&c, p, pkt("fe80::1", "ff02::1:ff00:1", IPPROTO_ICMPV6, 135 << 8), 5);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 53), 6);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_TCP, 23), 7);
	expect_id(&c, p, pkt("1.1.1.1", "10.20.0.1", IPPROTO_TCP, 22), 0);
	expect_id(&c, p, pkt("1.1.1.1", "2.2.2.2", IPPROTO_UDP, 5005), 1);
	fg_compiled_free(&c);
	fg_policy_free(p);
	fg_diags_free(&d);
}

/* An app rule with proto any matches TCP and UDP flows only (every app runs
 * over them): ICMP, GRE... go on to the next rule, in the compiled tables
 * and in the reference alike. */
static void test_app_proto_any(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"default: allow\n"
		"rules:\n"
		"  - name: web-or-dns\n"
		"    from: 10.0.0.0/8\n"
		"    proto: any\n"
		"    app: [http, dns]\n"
		"    action: deny\n"
		"  - name: icmp\n"
		"    proto: icmp\n"
		"    action: deny\n";
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	struct fg_compiled c;

	assert_int_equal(fg_policy_parse("yaml", yaml, strlen(yaml), &p, &d), 0);
	c = compile_ok(p);
	assert_int_equal(c.meta[0].action, FG_ACTION_INSPECT);
	expect_id(&c, p, pkt("10.1.1.1", "2.2.2.2", IPPROTO_UDP, 53), 0);
	expect_id(&c, p, pkt("10.1.1.1", "2.2.2.2", IPPROTO_TCP, 8080), 0);
	expect_id(&c, p, pkt("11.1.1.1", "2.2.2.2", IPPROTO_TCP, 8080), 2);
	expect_id(&c, p, pkt("10.1.1.1", "2.2.2.2", IPPROTO_ICMP, 8 << 8), 1);
	expect_id(&c, p, pkt("10.1.1.1", "2.2.2.2", 47, 0), 2);
	expect_id(&c, p, pkt("10.1.1.1", "2.2.2.2", 132, 9), 2);
	fg_compiled_free(&c);
	fg_policy_free(p);
	fg_diags_free(&d);
}

/* Directions an app rule inspects: requests; replies too for itself and
 * every rule before an app whose server speaks first (identification), and
 * for a dns rule itself only (answers are logged). */
static void test_app_inspect_dirs(void **state)
{
	static const char yaml[] =
		"version: 1\n"
		"default: deny\n"
		"rules:\n"
		"  - {name: web, proto: tcp, ports: [80], app: http, action: allow}\n"
		"  - {name: dns, proto: udp, ports: [53], app: dns, action: allow}\n"
		"  - {name: web2, proto: tcp, ports: [81], app: http, action: allow}\n"
		"  - {name: ssh, proto: tcp, ports: [22], app: ssh, action: allow}\n"
		"  - {name: web3, proto: tcp, ports: [82], app: http, action: allow}\n";
	const __u8 both = FG_INSPECT_DIR_ORIG | FG_INSPECT_DIR_REPLY;
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	struct fg_compiled c;

	assert_int_equal(fg_policy_parse("yaml", yaml, strlen(yaml), &p, &d), 0);
	c = compile_ok(p);
	assert_int_equal(c.meta[0].inspect_dirs, both);	/* before ssh */
	assert_int_equal(c.meta[1].inspect_dirs, both);
	assert_int_equal(c.meta[2].inspect_dirs, both);	/* before ssh */
	assert_int_equal(c.meta[3].inspect_dirs, both);
	assert_int_equal(c.meta[4].inspect_dirs, FG_INSPECT_DIR_ORIG);
	fg_compiled_free(&c);
	fg_policy_free(p);

	/* Without ssh: the http rules before dns keep their responses in
	 * the kernel. */
	p = NULL;
	assert_int_equal(fg_policy_parse("yaml", yaml,
					 (size_t)(strstr(yaml, "  - {name: ssh") -
						  yaml), &p, &d), 0);
	c = compile_ok(p);
	assert_int_equal(c.meta[0].inspect_dirs, FG_INSPECT_DIR_ORIG);
	assert_int_equal(c.meta[1].inspect_dirs,
			 both | FG_INSPECT_REPLY_LOG_ONLY);
	assert_int_equal(c.meta[2].inspect_dirs, FG_INSPECT_DIR_ORIG);
	fg_compiled_free(&c);
	fg_policy_free(p);
	fg_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_match_order),
		cmocka_unit_test(test_any_vs_specific),
		cmocka_unit_test(test_v4_v6_separation),
		cmocka_unit_test(test_port_boundaries),
		cmocka_unit_test(test_ports_exhaustive),
		cmocka_unit_test(test_proto_any_ports),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_failsafe),
		cmocka_unit_test(test_default_and_meta),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_nested_prefixes),
		cmocka_unit_test(test_literal_and_group_same_prefix),
		cmocka_unit_test(test_empty_group),
		cmocka_unit_test(test_empty_policy),
		cmocka_unit_test(test_key_encoding),
		cmocka_unit_test(test_dedup),
		cmocka_unit_test(test_pool_accounting),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_class_builder_sizing),
		cmocka_unit_test(test_random_differential),
		cmocka_unit_test(test_scale),
		cmocka_unit_test(test_from_yaml),
		cmocka_unit_test(test_app_proto_any),
		cmocka_unit_test(test_app_inspect_dirs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
