// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - validate a policy document (YAML, version 1) into a
 * struct fg_policy.
 *
 * The YAML tree comes from policy_yaml.c. Validation never stops at the
 * first problem: every error is collected with its line and column, and a
 * policy with any error is not returned at all. Names are looked up through
 * hash tables so 100,000 rules and 1,000,000 group addresses parse in
 * linear time. The issue-4 keys (app, mode, inspect_failure, L7
 * conditions) are validated here too; the fast path enforces monitor
 * mode and the inspector's L7 engine the rest.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nettle/sha2.h>

#include "policy.h"
#include "policy_yaml.h"

#define FG_POLICY_VERSION	1
#define TIMEOUT_MAX		(1ull << 31)	/* seconds */

/* ---- protocol, prefix and ICMP helpers (also public) ---- */

static const struct {
	const char *name;
	int proto;
} proto_names[] = {
	{ "any", FG_PROTO_ANY },
	{ "icmp", 1 },
	{ "tcp", 6 },
	{ "udp", 17 },
	{ "gre", 47 },
	{ "esp", 50 },
	{ "ah", 51 },
	{ "icmpv6", 58 },
	{ "sctp", 132 },
	{ "udplite", 136 },
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Decimal digits only (no sign, no base prefix); -ERANGE above max. */
static int parse_uint(const char *s, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > (ULLONG_MAX - 9) / 10)
			v = ULLONG_MAX - 9;	/* saturate: still > max */
		else
			v = v * 10 + (unsigned int)(*s - '0');
	}
	*out = v;
	return v > max ? -ERANGE : 0;
}

int fg_proto_parse(const char *s, int *proto)
{
	unsigned long long v;
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(proto_names); i++) {
		if (!strcmp(s, proto_names[i].name)) {
			*proto = proto_names[i].proto;
			return 0;
		}
	}
	if (parse_uint(s, 255, &v))
		return -EINVAL;
	*proto = (int)v;
	return 0;
}

const char *fg_proto_name(int proto)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(proto_names); i++)
		if (proto_names[i].proto == proto)
			return proto_names[i].name;
	return NULL;
}

enum pfx_err {
	PFX_OK,
	PFX_BAD_ADDR,
	PFX_BAD_LEN,
	PFX_LEN_RANGE,
	PFX_HOST_BITS,
};

/* The detailed form of fg_prefix_parse(), so messages can say why. */
static enum pfx_err prefix_parse(const char *s, struct fg_prefix *out,
				 unsigned long long *plen_out)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long long plen, max;
	char addr[INET6_ADDRSTRLEN + 1];
	struct fg_prefix p = { 0 };
	unsigned int i;

	if (!alen || alen >= sizeof(addr))
		return PFX_BAD_ADDR;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, p.addr) == 1) {
		p.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p.addr) == 1) {
		p.family = AF_INET6;
		max = 128;
	} else {
		return PFX_BAD_ADDR;
	}
	plen = max;
	if (slash) {
		int r = parse_uint(slash + 1, max, &plen);

		/* "/08" is refused: one spelling per length */
		if (r == -EINVAL || strlen(slash + 1) > 3 ||
		    (slash[1] == '0' && slash[2]))
			return PFX_BAD_LEN;
		*plen_out = plen;
		if (r == -ERANGE) {
			*out = p;	/* the family, for the message */
			return PFX_LEN_RANGE;
		}
	}
	*plen_out = plen;
	p.plen = (__u8)plen;
	for (i = p.plen; i < max; i++) {
		if (p.addr[i / 8] & (0x80 >> (i % 8))) {
			/* hand back the network address for the message */
			for (; i < max; i++)
				p.addr[i / 8] &= (__u8)~(0x80 >> (i % 8));
			*out = p;
			return PFX_HOST_BITS;
		}
	}
	*out = p;
	return PFX_OK;
}

int fg_prefix_parse(const char *s, struct fg_prefix *out)
{
	unsigned long long plen;
	struct fg_prefix p;

	if (!s || prefix_parse(s, &p, &plen) != PFX_OK)
		return -EINVAL;
	*out = p;
	return 0;
}

struct icmp_name {
	const char *name;
	__u8 type;
};

static const struct icmp_name icmp4_names[] = {
	{ "echo-reply", 0 },
	{ "destination-unreachable", 3 },
	{ "source-quench", 4 },
	{ "redirect", 5 },
	{ "echo-request", 8 },
	{ "router-advertisement", 9 },
	{ "router-solicitation", 10 },
	{ "time-exceeded", 11 },
	{ "parameter-problem", 12 },
	{ "timestamp", 13 },
	{ "timestamp-reply", 14 },
	{ "info-request", 15 },
	{ "info-reply", 16 },
	{ "address-mask-request", 17 },
	{ "address-mask-reply", 18 },
};

static const struct icmp_name icmp6_names[] = {
	{ "destination-unreachable", 1 },
	{ "packet-too-big", 2 },
	{ "time-exceeded", 3 },
	{ "parameter-problem", 4 },
	{ "echo-request", 128 },
	{ "echo-reply", 129 },
	{ "mld-listener-query", 130 },
	{ "mld-listener-report", 131 },
	{ "mld-listener-done", 132 },
	{ "router-solicitation", 133 },
	{ "router-advertisement", 134 },
	{ "neighbor-solicitation", 135 },
	{ "neighbor-advertisement", 136 },
	{ "redirect", 137 },
	{ "mld2-listener-report", 143 },
};

static int icmp_name_lookup(const char *s, size_t len, int proto)
{
	const struct icmp_name *t = proto == IPPROTO_ICMPV6 ? icmp6_names : icmp4_names;
	size_t n = proto == IPPROTO_ICMPV6 ? ARRAY_SIZE(icmp6_names) : ARRAY_SIZE(icmp4_names);
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(t[i].name) == len && !memcmp(t[i].name, s, len))
			return t[i].type;
	return -1;
}

enum icmp_err {
	ICMP_OK,
	ICMP_BAD_PROTO,
	ICMP_UNKNOWN_NAME,
	ICMP_OTHER_FAMILY,	/* a name of the other ICMP version */
	ICMP_TYPE_RANGE,
	ICMP_CODE_RANGE,
	ICMP_SYNTAX,
};

static enum icmp_err icmp_parse(const char *s, int proto, struct fg_icmp_type *out)
{
	const char *slash = strchr(s, '/');
	size_t tlen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long long v;
	char tbuf[64];
	int type, r;

	if (proto != IPPROTO_ICMP && proto != IPPROTO_ICMPV6)
		return ICMP_BAD_PROTO;
	if (!tlen || tlen >= sizeof(tbuf))
		return tlen ? ICMP_UNKNOWN_NAME : ICMP_SYNTAX;
	memcpy(tbuf, s, tlen);
	tbuf[tlen] = '\0';
	r = parse_uint(tbuf, 255, &v);
	if (r == -ERANGE)
		return ICMP_TYPE_RANGE;
	if (!r) {
		type = (int)v;
	} else {
		type = icmp_name_lookup(tbuf, tlen, proto);
		if (type < 0)
			return icmp_name_lookup(tbuf, tlen, proto == IPPROTO_ICMP ?
						IPPROTO_ICMPV6 : IPPROTO_ICMP) >= 0 ?
			       ICMP_OTHER_FAMILY : ICMP_UNKNOWN_NAME;
	}
	out->type = (__u8)type;
	out->code = -1;
	if (slash) {
		r = parse_uint(slash + 1, 255, &v);
		if (r == -EINVAL)
			return ICMP_SYNTAX;
		if (r == -ERANGE)
			return ICMP_CODE_RANGE;
		out->code = (__s16)v;
	}
	return ICMP_OK;
}

int fg_icmp_type_parse(const char *s, int proto, struct fg_icmp_type *out)
{
	struct fg_icmp_type t;

	if (!s || icmp_parse(s, proto, &t) != ICMP_OK)
		return -EINVAL;
	*out = t;
	return 0;
}

/* ---- name tables ---- */

struct strtab {
	size_t mask;
	const char **keys;
	size_t *vals;
};

static uint64_t str_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Sized once for at most n keys: no rehashing, load factor <= 1/2. */
static int strtab_init(struct strtab *t, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	t->keys = calloc(cap, sizeof(*t->keys));
	t->vals = calloc(cap, sizeof(*t->vals));
	t->mask = cap - 1;
	if (!t->keys || !t->vals)
		return -ENOMEM;
	return 0;
}

static void strtab_free(struct strtab *t)
{
	free(t->keys);
	free(t->vals);
	t->keys = NULL;
	t->vals = NULL;
}

static size_t strtab_slot(const struct strtab *t, const char *key)
{
	size_t i = (size_t)str_hash(key) & t->mask;

	while (t->keys[i] && strcmp(t->keys[i], key))
		i = (i + 1) & t->mask;
	return i;
}

static bool strtab_find(const struct strtab *t, const char *key, size_t *val)
{
	size_t i;

	if (!t->keys)
		return false;
	i = strtab_slot(t, key);
	if (!t->keys[i])
		return false;
	*val = t->vals[i];
	return true;
}

/* Insert key; false (and the existing value) when already present. */
static bool strtab_add(struct strtab *t, const char *key, size_t val, size_t *old)
{
	size_t i = strtab_slot(t, key);

	if (t->keys[i]) {
		*old = t->vals[i];
		return false;
	}
	t->keys[i] = key;
	t->vals[i] = val;
	return true;
}

/* ---- validation context ---- */

struct ctx {
	const char *file;
	struct fg_diags *diags;
	size_t nerr;
	struct fg_policy *p;
	struct strtab groups;
	struct strtab rules;
	bool groups_broken;	/* `groups` unusable: do not cascade */
};

static void perr(struct ctx *c, const struct fg_ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void perr(struct ctx *c, const struct fg_ynode *n, const char *fmt, ...)
{
	char msg[512], *m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* messages quote user text: keep escape sequences off the terminal */
	for (m = msg; *m; m++)
		if ((unsigned char)*m < 0x20 || *m == 0x7f)
			*m = '?';
	fg_diag_add(c->diags, c->file, n ? n->line : 0, n ? n->col : 0, "%s", msg);
	c->nerr++;
}

static bool is_null(const struct fg_ynode *n)
{
	return n->kind == FG_Y_SCALAR && n->plain &&
	       (!n->n || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

static const char *kind_name(const struct fg_ynode *n)
{
	switch (n->kind) {
	case FG_Y_SEQ:
		return "a list";
	case FG_Y_MAP:
		return "a mapping";
	default:
		return is_null(n) ? "nothing (null)" : "a scalar";
	}
}

/* A value as a message shows it: 'yes', the string '30', a list... */
static const char *describe(const struct fg_ynode *n, char *buf, size_t size)
{
	if (n->kind != FG_Y_SCALAR || is_null(n))
		return kind_name(n);
	snprintf(buf, size, n->plain ? "'%s'" : "the string '%s'", n->str);
	return buf;
}

/* A string value: a non-null scalar. Bad nodes were reported already. */
static bool want_scalar(struct ctx *c, const struct fg_ynode *n, const char *what)
{
	if (n->kind == FG_Y_BAD)
		return false;
	if (n->kind == FG_Y_SCALAR && !is_null(n))
		return true;
	perr(c, n, "%s must be a single value, not %s", what, kind_name(n));
	return false;
}

static bool want_kind(struct ctx *c, const struct fg_ynode *n,
		      enum fg_ykind kind, const char *what)
{
	if (n->kind == FG_Y_BAD)
		return false;
	if (n->kind == kind)
		return true;
	perr(c, n, "%s must be %s, not %s", what,
	     kind == FG_Y_SEQ ? "a list" : "a mapping", kind_name(n));
	return false;
}

/* Plain decimal integer, possibly negative (so a message can say so). */
enum int_res { INT_OK, INT_NOT, INT_NEG, INT_BIG };

static enum int_res node_int(const struct fg_ynode *n, unsigned long long max,
			     unsigned long long *v)
{
	int r;

	if (n->kind != FG_Y_SCALAR || !n->plain)
		return INT_NOT;
	if (n->str[0] == '-')
		return parse_uint(n->str + 1, ULLONG_MAX, v) ? INT_NOT : INT_NEG;
	r = parse_uint(n->str, max, v);
	return r == -ERANGE ? INT_BIG : r ? INT_NOT : INT_OK;
}

/* Inside a rule `inspect` is still reserved; at the top level it is a key. */
static const char *const reserved_keys[] = { "inspect", "sensors" };

struct field {
	const char *name;
	const struct fg_ynode *key, *val;
};

/*
 * Match a mapping against its known keys: unknown, reserved, duplicate and
 * non-scalar keys are errors. `where` names the mapping in messages.
 */
static void map_fields(struct ctx *c, const struct fg_ynode *map,
		       struct field *f, size_t nf, const char *where)
{
	size_t i, j;

	for (i = 0; i < map->n; i++) {
		const struct fg_ynode *k = &map->kids[2 * i], *v = &map->kids[2 * i + 1];

		if (k->kind == FG_Y_BAD)
			continue;
		if (k->kind != FG_Y_SCALAR) {
			perr(c, k, "keys must be plain names, not %s", kind_name(k));
			continue;
		}
		for (j = 0; j < nf; j++)
			if (!strcmp(k->str, f[j].name))
				break;
		if (j < nf) {
			if (f[j].key)
				perr(c, k, "duplicate key '%s' in %s (first at %d:%d)",
				     k->str, where, f[j].key->line, f[j].key->col);
			else {
				f[j].key = k;
				f[j].val = v;
			}
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(reserved_keys); j++)
			if (!strcmp(k->str, reserved_keys[j]))
				break;
		if (j < ARRAY_SIZE(reserved_keys)) {
			perr(c, k, "'%s' is not supported yet", k->str);
			continue;
		}
		{
			char list[256];
			size_t off = 0;

			list[0] = '\0';
			for (j = 0; j < nf && off < sizeof(list); j++)
				off += (size_t)snprintf(list + off, sizeof(list) - off,
							"%s%s", j ? ", " : "", f[j].name);
			perr(c, k, "unknown key '%s' in %s (expected one of: %s)",
			     k->str, where, list);
		}
	}
}

static void init_fields(struct field *f, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		f[i].name = names[i];
		f[i].key = f[i].val = NULL;
	}
}

/* Rule and group names end up in counters, events and flow listings. */
static bool check_name(struct ctx *c, const struct fg_ynode *n, const char *what)
{
	size_t i;

	if (!n->n) {
		perr(c, n, "%s name is empty", what);
		return false;
	}
	if (n->n > FG_RULE_NAME_MAX - 1) {
		perr(c, n, "%s name is too long (%zu characters, at most %d)",
		     what, n->n, FG_RULE_NAME_MAX - 1);
		return false;
	}
	for (i = 0; i < n->n; i++) {
		unsigned char ch = (unsigned char)n->str[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
		    ch == ':' || ch == '-')
			continue;
		if (ch >= 0x20 && ch < 0x7f)
			perr(c, n, "%s name '%s' contains '%c' (allowed: A-Z a-z 0-9 _ . : -)",
			     what, n->str, ch);
		else
			perr(c, n, "%s name '%s' contains a character other than A-Z a-z 0-9 _ . : -",
			     what, n->str);
		return false;
	}
	return true;
}

static void prefix_error(struct ctx *c, const struct fg_ynode *n, enum pfx_err e,
			 const struct fg_prefix *net, unsigned long long plen)
{
	char abuf[INET6_ADDRSTRLEN];

	switch (e) {
	case PFX_BAD_LEN:
		perr(c, n, "'%s': bad prefix length '%s'", n->str, strchr(n->str, '/') + 1);
		break;
	case PFX_LEN_RANGE:
		perr(c, n, "'%s': prefix length %llu out of range (0-%d for %s)",
		     n->str, plen, net->family == AF_INET ? 32 : 128,
		     net->family == AF_INET ? "IPv4" : "IPv6");
		break;
	case PFX_HOST_BITS:
		inet_ntop(net->family, net->addr, abuf, sizeof(abuf));
		perr(c, n, "'%s' has host bits set (the network is %s/%u)",
		     n->str, abuf, net->plen);
		break;
	default:
		perr(c, n, "'%s' is not a valid IPv4/IPv6 address or CIDR", n->str);
		break;
	}
}

/* ---- top-level sections ---- */

static void parse_version(struct ctx *c, const struct fg_ynode *root,
			  const struct field *f)
{
	unsigned long long v;
	char buf[128];

	if (!f->val) {
		perr(c, root, "missing 'version' (this flowgate reads 'version: 1')");
		return;
	}
	if (f->val->kind == FG_Y_BAD)
		return;
	switch (node_int(f->val, INT32_MAX, &v)) {
	case INT_OK:
		if (v == FG_POLICY_VERSION) {
			c->p->version = (int)v;
			return;
		}
		/* fall through */
	case INT_NEG:
	case INT_BIG:
		perr(c, f->val, "unsupported policy version %s (this flowgate reads version 1)",
		     f->val->str);
		return;
	default:
		perr(c, f->val, "'version' must be the number 1, not %s",
		     describe(f->val, buf, sizeof(buf)));
	}
}

static bool parse_action(struct ctx *c, const struct fg_ynode *n,
			 const char *what, enum fg_action *out)
{
	if (!want_scalar(c, n, what))
		return false;
	if (!strcmp(n->str, "allow")) {
		*out = FG_ACTION_ALLOW;
		return true;
	}
	if (!strcmp(n->str, "deny")) {
		*out = FG_ACTION_DENY;
		return true;
	}
	if (!strcmp(n->str, "inspect"))
		perr(c, n, "%s 'inspect' is not supported yet (allow or deny)", what);
	else
		perr(c, n, "%s must be allow or deny, not '%s'", what, n->str);
	return false;
}

static void parse_default(struct ctx *c, const struct fg_ynode *root,
			  const struct field *f)
{
	if (!f->val) {
		perr(c, root, "missing 'default' (allow or deny: what happens to flows no rule matches)");
		return;
	}
	parse_action(c, f->val, "'default'", &c->p->default_action);
}

/* A single scalar or a list of scalars: the items to iterate. */
static bool scalar_or_list(struct ctx *c, const struct fg_ynode *n, const char *what,
			   const struct fg_ynode **items, size_t *count)
{
	if (n->kind == FG_Y_BAD)
		return false;
	if (n->kind == FG_Y_SEQ) {
		*items = n->kids;
		*count = n->n;
		return true;
	}
	if (n->kind == FG_Y_SCALAR && !is_null(n)) {
		*items = n;
		*count = 1;
		return true;
	}
	perr(c, n, "%s must be a value or a list of values, not %s", what, kind_name(n));
	return false;
}

static int parse_groups(struct ctx *c, const struct field *f)
{
	const struct fg_ynode *map = f->val;
	struct fg_policy *p = c->p;
	size_t i, j, old;

	if (!map)
		return strtab_init(&c->groups, 0);
	if (!want_kind(c, map, FG_Y_MAP, "'groups'")) {
		c->groups_broken = true;
		return strtab_init(&c->groups, 0);
	}
	if (strtab_init(&c->groups, map->n))
		return -ENOMEM;
	p->groups = calloc(map->n ? map->n : 1, sizeof(*p->groups));
	if (!p->groups)
		return -ENOMEM;

	/* names first, so members can be told apart from group references */
	for (i = 0; i < map->n; i++) {
		const struct fg_ynode *k = &map->kids[2 * i];
		struct fg_group *g = &p->groups[p->n_groups];
		struct fg_prefix pfx;

		if (k->kind == FG_Y_BAD)
			continue;
		if (k->kind != FG_Y_SCALAR || is_null(k)) {
			perr(c, k, "a group name must be a plain name, not %s", kind_name(k));
			continue;
		}
		if (check_name(c, k, "group")) {
			if (!strcmp(k->str, "any"))
				perr(c, k, "'any' is reserved and cannot name a group");
			else if (!fg_prefix_parse(k->str, &pfx))
				perr(c, k, "group name '%s' is an address: names must not look like addresses",
				     k->str);
		}
		g->name = strdup(k->str);
		if (!g->name)
			return -ENOMEM;
		if (!strtab_add(&c->groups, g->name, p->n_groups, &old)) {
			perr(c, k, "duplicate group '%s' (first defined at %d:%d)",
			     k->str, p->groups[old].line, p->groups[old].col);
			free(g->name);
			g->name = NULL;
			continue;
		}
		g->line = k->line;
		g->col = k->col;
		p->n_groups++;
	}

	for (i = 0; i < map->n; i++) {
		const struct fg_ynode *k = &map->kids[2 * i], *v = &map->kids[2 * i + 1];
		const struct fg_ynode *items;
		struct fg_group *g;
		size_t n, gi;

		if (k->kind != FG_Y_SCALAR || !strtab_find(&c->groups, k->str, &gi))
			continue;
		g = &p->groups[gi];
		if (g->line != k->line || g->col != k->col)
			continue;	/* the duplicate, reported above */
		if (!scalar_or_list(c, v, "a group", &items, &n))
			continue;
		g->prefixes = malloc((n ? n : 1) * sizeof(*g->prefixes));
		if (!g->prefixes)
			return -ENOMEM;
		for (j = 0; j < n; j++) {
			const struct fg_ynode *it = &items[j];
			unsigned long long plen = 0;
			struct fg_prefix pfx;
			enum pfx_err e;
			size_t other;

			if (!want_scalar(c, it, "a group member"))
				continue;
			e = prefix_parse(it->str, &pfx, &plen);
			if (e == PFX_OK) {
				g->prefixes[g->n_prefixes++] = pfx;
			} else if (strtab_find(&c->groups, it->str, &other)) {
				perr(c, it, "group '%s' refers to group '%s': groups hold addresses and CIDRs only",
				     g->name, it->str);
			} else {
				prefix_error(c, it, e, &pfx, plen);
			}
		}
	}
	return 0;
}

/* Something meant as an address rather than a (mistyped) group name? */
static bool looks_like_address(const char *s)
{
	bool sep = false;

	if (strchr(s, '/'))
		return true;
	for (; *s; s++) {
		if (*s == '.' || *s == ':')
			sep = true;
		else if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
			   (*s >= 'A' && *s <= 'F')))
			return false;
	}
	return sep;
}

static int parse_addr_match(struct ctx *c, const struct fg_ynode *n,
			    const char *what, struct fg_addr_match *m)
{
	const struct fg_ynode *items;
	size_t count, i;

	m->any = true;
	if (!n)
		return 0;
	if (!scalar_or_list(c, n, what, &items, &count))
		return 0;
	if (!count) {
		perr(c, n, "%s is an empty list (write 'any' or leave the key out)", what);
		return 0;
	}
	m->any = false;
	m->items = calloc(count, sizeof(*m->items));
	if (!m->items)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];
		struct fg_addr_item *ai = &m->items[m->n_items];
		unsigned long long plen = 0;
		struct fg_prefix pfx;
		enum pfx_err e;
		size_t gi;

		if (!want_scalar(c, it, "an address item"))
			continue;
		if (!strcmp(it->str, "any")) {
			/* any in a list still means any */
			m->any = true;
			continue;
		}
		if (strtab_find(&c->groups, it->str, &gi)) {
			ai->is_group = true;
			ai->group = gi;
			m->n_items++;
			continue;
		}
		e = prefix_parse(it->str, &pfx, &plen);
		if (e == PFX_OK) {
			ai->prefix = pfx;
			m->n_items++;
		} else if (looks_like_address(it->str)) {
			prefix_error(c, it, e, &pfx, plen);
		} else if (!c->groups_broken) {
			perr(c, it, "unknown group '%s'", it->str);
		}
	}
	if (m->any) {
		free(m->items);
		m->items = NULL;
		m->n_items = 0;
	}
	return 0;
}

enum port_err { PORT_OK, PORT_SYNTAX, PORT_ZERO, PORT_RANGE, PORT_EMPTY };

static enum port_err port_one(const char *s, __u16 *out)
{
	unsigned long long v;
	int r = parse_uint(s, 65535, &v);

	if (r == -EINVAL)
		return PORT_SYNTAX;
	if (r == -ERANGE)
		return PORT_RANGE;
	if (!v)
		return PORT_ZERO;
	*out = (__u16)v;
	return PORT_OK;
}

/* "80" or "8000-8100" */
static enum port_err port_range_parse(const char *s, struct fg_port_range *pr)
{
	const char *dash = strchr(s, '-');
	enum port_err e;
	char lo[24];

	if (!dash) {
		e = port_one(s, &pr->lo);
		pr->hi = pr->lo;
		return e;
	}
	if ((size_t)(dash - s) >= sizeof(lo) || dash == s)
		return PORT_SYNTAX;
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	e = port_one(lo, &pr->lo);
	if (e == PORT_OK || e == PORT_ZERO || e == PORT_RANGE) {
		enum port_err e2 = port_one(dash + 1, &pr->hi);

		if (e2 == PORT_SYNTAX)
			return PORT_SYNTAX;
		if (e != PORT_OK)
			return e;
		if (e2 != PORT_OK)
			return e2;
	} else {
		return e;
	}
	return pr->hi < pr->lo ? PORT_EMPTY : PORT_OK;
}

static void port_error(struct ctx *c, const struct fg_ynode *n, const char *s,
		       enum port_err e)
{
	switch (e) {
	case PORT_ZERO:
		perr(c, n, "port 0 in '%s' is not a valid port (1-65535)", s);
		break;
	case PORT_RANGE:
		perr(c, n, "port out of range in '%s' (1-65535)", s);
		break;
	case PORT_EMPTY:
		perr(c, n, "empty port range '%s': the high end is below the low end", s);
		break;
	default:
		perr(c, n, "bad port '%s' (a number 1-65535 or a range lo-hi)", s);
		break;
	}
}

static int parse_ports(struct ctx *c, const struct fg_ynode *n, struct fg_rule *r)
{
	const struct fg_ynode *items;
	size_t count, i;

	if (!scalar_or_list(c, n, "'ports'", &items, &count))
		return 0;
	if (!count) {
		perr(c, n, "'ports' is an empty list (leave the key out for all ports)");
		return 0;
	}
	r->ports = calloc(count, sizeof(*r->ports));
	if (!r->ports)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];
		enum port_err e;

		if (!want_scalar(c, it, "a port"))
			continue;
		e = port_range_parse(it->str, &r->ports[r->n_ports]);
		if (e == PORT_OK)
			r->n_ports++;
		else
			port_error(c, it, it->str, e);
	}
	return 0;
}

static int parse_icmp_types(struct ctx *c, const struct fg_ynode *n, struct fg_rule *r)
{
	const char *fam = r->proto == IPPROTO_ICMPV6 ? "icmpv6" : "icmp";
	const struct fg_ynode *items;
	size_t count, i;

	if (!scalar_or_list(c, n, "'icmp_types'", &items, &count))
		return 0;
	if (!count) {
		perr(c, n, "'icmp_types' is an empty list (leave the key out for all types)");
		return 0;
	}
	r->icmp_types = calloc(count, sizeof(*r->icmp_types));
	if (!r->icmp_types)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];

		if (!want_scalar(c, it, "an icmp type"))
			continue;
		switch (icmp_parse(it->str, r->proto, &r->icmp_types[r->n_icmp_types])) {
		case ICMP_OK:
			r->n_icmp_types++;
			break;
		case ICMP_OTHER_FAMILY:
			perr(c, it, "'%s' is not an %s type (it is an %s one)", it->str, fam,
			     r->proto == IPPROTO_ICMP ? "icmpv6" : "icmp");
			break;
		case ICMP_TYPE_RANGE:
			perr(c, it, "icmp type out of range in '%s' (0-255)", it->str);
			break;
		case ICMP_CODE_RANGE:
			perr(c, it, "icmp code out of range in '%s' (0-255)", it->str);
			break;
		case ICMP_SYNTAX:
			perr(c, it, "bad icmp type '%s' (a name, a number 0-255 or type/code)",
			     it->str);
			break;
		default:
			perr(c, it, "unknown %s type '%s'", fam, it->str);
			break;
		}
	}
	return 0;
}

static const char *const rule_keys[] = {
	"name", "from", "to", "proto", "ports", "icmp_types", "action", "log",
	"app", "mode", "http", "tls", "dns",
};
enum {
	RK_NAME, RK_FROM, RK_TO, RK_PROTO, RK_PORTS, RK_ICMP, RK_ACTION, RK_LOG,
	RK_APP, RK_MODE, RK_HTTP, RK_TLS, RK_DNS,
};

/* ---- issue 4: app, mode, inspect_failure and L7 conditions ---- */

#define APP_NAME_ENTRY(id, str) [FG_APP_##id] = str,
static const char *const app_names[FG_APP_MAX] = { FG_APPS(APP_NAME_ENTRY) };
#undef APP_NAME_ENTRY

_Static_assert(FG_APP_MAX <= 32, "fg_rule.apps is a 32-bit mask");

#define PAT_NAME_MAX	253	/* a DNS name in text form */
#define PAT_LABEL_MAX	63
#define PAT_METHOD_MAX	32
#define PAT_PATH_MAX	2048
#define PAT_ALPN_MAX	63	/* what the inspector keeps of one value */
#define PAT_HEADER_MAX	1024	/* a header value pattern */
#define PAT_HDR_NAME_MAX 128

enum pat_type {
	PAT_NAME, PAT_METHOD, PAT_PATH, PAT_ALPN, PAT_TLS_VERSION,
	PAT_JA3, PAT_JA4,	/* exact fingerprints */
	PAT_HEADER_VALUE,
	PAT_HEADER_MAP,		/* `headers:`, a mapping of PAT_HEADER_VALUE lists */
};

/* TLS versions a `tls: {versions: [...]}` item may name. */
static const struct {
	const char *name;
	__u16 wire;
} tls_versions[] = {
	{ "1.0", 0x0301 }, { "1.1", 0x0302 }, { "1.2", 0x0303 }, { "1.3", 0x0304 },
};

/* "unknown" and "other" are what the inspector reports, not protocols. */
static bool app_nameable(int app)
{
	return app != FG_APP_UNKNOWN && app != FG_APP_OTHER;
}

static int app_lookup(const char *s)
{
	int i;

	for (i = 0; i < FG_APP_MAX; i++)
		if (app_names[i] && !strcmp(s, app_names[i]))
			return i;
	return -1;
}

static void app_list(char *buf, size_t size)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < FG_APP_MAX && off < size; i++)
		if (app_nameable(i))
			off += (size_t)snprintf(buf + off, size - off, "%s%s",
						off ? ", " : "", app_names[i]);
}

/* A value of a two-word enum key: mode, inspect_failure. */
static bool parse_choice(struct ctx *c, const struct fg_ynode *n, const char *what,
			 const char *a, const char *b, int *out)
{
	if (!want_scalar(c, n, what))
		return false;
	if (!strcmp(n->str, a))
		*out = 0;
	else if (!strcmp(n->str, b))
		*out = 1;
	else {
		perr(c, n, "%s must be %s or %s, not '%s'", what, a, b, n->str);
		return false;
	}
	return true;
}

static void parse_mode(struct ctx *c, const struct field *f, enum fg_policy_mode *mode,
		       int *line, int *col)
{
	int v;

	if (!f->val)
		return;
	*line = f->key->line;
	*col = f->key->col;
	if (parse_choice(c, f->val, "'mode'", "protect", "monitor", &v))
		*mode = v ? FG_POLICY_MODE_MONITOR : FG_POLICY_MODE_PROTECT;
}

static void parse_inspect_failure(struct ctx *c, const struct field *f)
{
	struct fg_policy *p = c->p;
	int v;

	if (!f->val)
		return;
	p->inspect_failure_line = f->key->line;
	p->inspect_failure_col = f->key->col;
	if (parse_choice(c, f->val, "'inspect_failure'", "closed", "open", &v))
		p->inspect_failure = v ? FG_POLICY_INSPECT_OPEN : FG_POLICY_INSPECT_CLOSED;
}

/*
 * app: one name or a list. Each app must be able to run over the rule's
 * protocol: dns over udp or tcp, the others over tcp. Returns false when
 * an item was not an app name (a typo: block checks would pile on).
 */
static bool parse_app(struct ctx *c, const struct field *f, const struct field *pf,
		      bool proto_ok, struct fg_rule *r)
{
	const struct fg_ynode *items;
	size_t count, i;
	bool names_ok = true;
	char list[256];

	r->app_line = f->key->line;
	r->app_col = f->key->col;
	if (!scalar_or_list(c, f->val, "'app'", &items, &count))
		return false;
	if (!count) {
		perr(c, f->val, "'app' is an empty list (leave the key out for a rule without inspection)");
		return false;
	}
	if (proto_ok && r->proto != FG_PROTO_ANY && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP) {
		/* proto_ok: the proto key is there and a valid scalar */
		perr(c, f->key, "'app' needs proto tcp, udp or any, not %s", pf->val->str);
		proto_ok = false;	/* said once for the rule */
	}
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];
		int app;

		if (!want_scalar(c, it, "an app name")) {
			names_ok = false;
			continue;
		}
		app = app_lookup(it->str);
		if (app < 0 || !app_nameable(app))
			names_ok = false;
		if (app >= 0 && !app_nameable(app)) {
			perr(c, it, "'%s' is not an app a policy can name (the inspector reports it for flows it has not identified as a known app)",
			     it->str);
			continue;
		}
		if (app < 0) {
			char low[32];
			size_t k;

			for (k = 0; k < it->n && k < sizeof(low) - 1; k++)
				low[k] = (char)(it->str[k] >= 'A' && it->str[k] <= 'Z' ?
						it->str[k] - 'A' + 'a' : it->str[k]);
			low[k] = '\0';
			app = it->n < sizeof(low) ? app_lookup(low) : -1;
			if (app >= 0 && app_nameable(app)) {
				perr(c, it, "unknown app '%s' (app names are lower case: '%s')",
				     it->str, low);
			} else {
				app_list(list, sizeof(list));
				perr(c, it, "unknown app '%s' (expected one of: %s)", it->str, list);
			}
			continue;
		}
		if (r->apps & FG_APP_BIT(app)) {
			perr(c, it, "app '%s' is listed twice", it->str);
			continue;
		}
		r->apps |= FG_APP_BIT(app);
		if (proto_ok && r->proto == IPPROTO_UDP && app != FG_APP_DNS)
			perr(c, it, "app '%s' runs over tcp, not udp (only dns runs over udp)",
			     it->str);
	}
	return names_ok;
}

static bool is_alnum(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9');
}

/* An RFC 9110 tchar: what methods and header names are made of. */
static bool is_token_char(unsigned char ch)
{
	return is_alnum(ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch));
}

/* Not empty, and at most max long (unit: what the length counts). */
static bool check_size(struct ctx *c, const struct fg_ynode *n, const char *what,
		       const char *unit, size_t max)
{
	if (!n->n) {
		perr(c, n, "an empty %s", what);
		return false;
	}
	if (n->n > max) {
		perr(c, n, "%s '%.40s...' is too long (%zu %s, at most %zu)",
		     what, n->str, n->n, unit, max);
		return false;
	}
	return true;
}

static void ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* A character as a message shows it. */
static const char *show_char(unsigned char ch, char *buf, size_t size)
{
	if (ch > 0x20 && ch < 0x7f)
		snprintf(buf, size, "'%c'", ch);
	else if (ch == ' ')
		snprintf(buf, size, "a space");
	else
		snprintf(buf, size, "the byte 0x%02x", ch);
	return buf;
}

/*
 * A host, SNI or DNS name: labels of A-Z a-z 0-9 - _ joined by dots, or
 * "*." and such a name.
 */
static bool check_name_pat(struct ctx *c, const struct fg_ynode *n, const char *what,
			   struct fg_pat *out)
{
	const char *s = n->str, *name = s;
	size_t len = n->n, i, label = 0;
	char cb[24];

	if (len == 1 && s[0] == '*') {
		perr(c, n, "'*' alone matches every name: leave %s out instead", what);
		return false;
	}
	if (len >= 2 && s[0] == '*' && s[1] == '.') {
		out->wildcard = true;
		name += 2;
		len -= 2;
	}
	if (!len) {
		if (out->wildcard)
			perr(c, n, "'%s' has no name after '*.'", s);
		else
			perr(c, n, "an empty name");
		return false;
	}
	if (n->n > PAT_NAME_MAX) {
		perr(c, n, "name '%.40s...' is too long (%zu characters, at most %d)",
		     s, n->n, PAT_NAME_MAX);
		return false;
	}
	if (name[len - 1] == '.') {
		perr(c, n, "'%s' ends with '.': write the name without the final dot", s);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '.') {
			if (!label) {
				perr(c, n, "'%s' has an empty label (a dot at the start or two in a row)", s);
				return false;
			}
			label = 0;
			continue;
		}
		if (ch == '*') {
			perr(c, n, "'%s': '*' may only be the whole first label, as in '*.example.com'", s);
			return false;
		}
		if (!is_alnum(ch) && ch != '-' && ch != '_') {
			perr(c, n, "'%s' contains %s (a name has labels of A-Z a-z 0-9 - _ separated by dots%s)",
			     s, show_char(ch, cb, sizeof(cb)),
			     ch == ':' ? "; hosts are matched without the port" : "");
			return false;
		}
		if (++label > PAT_LABEL_MAX) {
			perr(c, n, "'%s' has a label longer than %d characters", s, PAT_LABEL_MAX);
			return false;
		}
	}
	return true;
}

/* An HTTP method: an RFC 9110 token, upper case (methods are case-sensitive). */
static bool check_method_pat(struct ctx *c, const struct fg_ynode *n, struct fg_pat *out)
{
	bool lower = false;
	char up[PAT_METHOD_MAX + 1], cb[24];
	size_t i;

	if (!n->n) {
		perr(c, n, "an empty method");
		return false;
	}
	if (n->n == 1 && n->str[0] == '*') {
		perr(c, n, "'*' is not a method: leave 'methods' out to match every method");
		return false;
	}
	if (n->n > PAT_METHOD_MAX) {
		perr(c, n, "method '%.40s' is too long (%zu characters, at most %d)",
		     n->str, n->n, PAT_METHOD_MAX);
		return false;
	}
	for (i = 0; i < n->n; i++) {
		unsigned char ch = (unsigned char)n->str[i];

		if (ch >= 'a' && ch <= 'z') {
			lower = true;
			ch = (unsigned char)(ch - 'a' + 'A');
		} else if (!is_token_char(ch)) {
			perr(c, n, "method '%s' contains %s (not an HTTP token character)",
			     n->str, show_char(ch, cb, sizeof(cb)));
			return false;
		}
		up[i] = (char)ch;
	}
	up[i] = '\0';
	if (lower) {
		perr(c, n, "method '%s' must be upper case: HTTP methods are case-sensitive (write '%s')",
		     n->str, up);
		return false;
	}
	return true;
}

/*
 * An HTTP path as the inspector sees it after normalisation: starts with
 * '/', no query, no percent-escapes, no "." or ".." segments; '*' only at
 * the end (a prefix). Case is kept: paths are case-sensitive.
 */
static bool check_path_pat(struct ctx *c, const struct fg_ynode *n, struct fg_pat *out)
{
	const char *s = n->str;
	size_t len = n->n, i, seg;
	char cb[24];

	if (!len || s[0] != '/') {
		perr(c, n, "path '%s' must start with '/'", s);
		return false;
	}
	if (len > PAT_PATH_MAX) {
		perr(c, n, "path '%.40s...' is too long (%zu characters, at most %d)",
		     s, len, PAT_PATH_MAX);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '*' && i != len - 1) {
			perr(c, n, "path '%s': '*' may only end a path, as in '/api/*'", s);
			return false;
		}
		if (ch == '?' || ch == '#') {
			perr(c, n, "path '%s' contains '%c': the query and fragment are not part of the path",
			     s, ch);
			return false;
		}
		if (ch == '%') {
			perr(c, n, "path '%s' contains '%%': write the decoded character (paths are matched after percent-decoding)",
			     s);
			return false;
		}
		if (ch <= 0x20 || ch == 0x7f) {
			perr(c, n, "path '%s' contains %s", s, show_char(ch, cb, sizeof(cb)));
			return false;
		}
	}
	out->wildcard = s[len - 1] == '*';
	/* dot segments are resolved before matching: such a path never matches */
	for (i = 1, seg = 1; i <= len; i++) {
		bool end = i == len || s[i] == '/';

		if (!end)
			continue;
		if ((i - seg == 1 && s[seg] == '.') ||
		    (i - seg == 2 && s[seg] == '.' && s[seg + 1] == '.')) {
			perr(c, n, "path '%s' has a '.' or '..' segment: paths are matched after those are resolved, so it would never match",
			     s);
			return false;
		}
		seg = i + 1;
	}
	return true;
}

/* An ALPN protocol id: matched byte for byte, so no wildcard, and no
 * longer than the inspector keeps (a longer one could never match). */
static bool check_alpn_pat(struct ctx *c, const struct fg_ynode *n)
{
	char cb[24];
	size_t i;

	if (!check_size(c, n, "ALPN value", "bytes", PAT_ALPN_MAX))
		return false;
	for (i = 0; i < n->n; i++) {
		unsigned char ch = (unsigned char)n->str[i];

		if (ch == '*') {
			perr(c, n, "ALPN value '%s': '*' is not a wildcard here (ALPN values are matched exactly)",
			     n->str);
			return false;
		}
		if (ch <= 0x20 || ch >= 0x7f) {
			perr(c, n, "ALPN value '%s' contains %s", n->str,
			     show_char(ch, cb, sizeof(cb)));
			return false;
		}
	}
	return true;
}

/*
 * An HTTP header value as the inspector sees it: blanks around it trimmed,
 * so a pattern cannot start or end with one; no control characters but
 * HTAB. '*' is the only wildcard character.
 */
static bool check_header_value_pat(struct ctx *c, const struct fg_ynode *n,
				   struct fg_pat *out)
{
	const char *s = n->str;
	size_t len = n->n, i;
	char cb[24];

	if (len > PAT_HEADER_MAX) {
		perr(c, n, "header value '%.40s...' is too long (%zu characters, at most %d)",
		     s, len, PAT_HEADER_MAX);
		return false;
	}
	if (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' ||
		    s[len - 1] == '\t')) {
		perr(c, n, "header value '%s' starts or ends with a blank: values are matched without the blanks around them",
		     s);
		return false;
	}
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			perr(c, n, "header value '%s' contains %s", s,
			     show_char(ch, cb, sizeof(cb)));
			return false;
		}
	}
	out->wildcard = memchr(s, '*', len) != NULL;
	return true;
}

static bool check_tls_version_pat(struct ctx *c, const struct fg_ynode *n)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tls_versions); i++)
		if (!strcmp(n->str, tls_versions[i].name))
			return true;
	perr(c, n, "'%s' is not a TLS version: use 1.0, 1.1, 1.2 or 1.3", n->str);
	return false;
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/*
 * A fingerprint as the inspector logs it: JA3, the MD5 of the JA3 string
 * (32 hex digits); JA4, "t13d1516h2_8daaf6152771_d8a2da3f94cd" (protocol
 * t/q/d, version, d/i, two 2-digit counts, the ALPN's first and last
 * character; then two 12-digit hex hashes). Upper case is accepted and
 * compared as lower case, as logged.
 */
static bool check_fingerprint_pat(struct ctx *c, const struct fg_ynode *n,
				  enum pat_type type)
{
	const char *s = n->str;
	size_t len = strlen(s);

	if (type == PAT_JA3) {
		if (len == 32 && all_hex(s, 32))
			return true;
		perr(c, n, "'%s' is not a JA3 fingerprint: 32 hex digits (the MD5 the inspector logs as tls.ja3)",
		     s);
		return false;
	}
	if (len == 36 && strchr("tqdTQD", s[0]) && s[3] && strchr("diDI", s[3]) &&
	    isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) &&
	    isdigit((unsigned char)s[6]) && isdigit((unsigned char)s[7]) &&
	    isalnum((unsigned char)s[1]) && isalnum((unsigned char)s[2]) &&
	    isalnum((unsigned char)s[8]) && isalnum((unsigned char)s[9]) &&
	    s[10] == '_' && all_hex(s + 11, 12) && s[23] == '_' &&
	    all_hex(s + 24, 12))
		return true;
	perr(c, n, "'%s' is not a JA4 fingerprint like t13d1516h2_8daaf6152771_d8a2da3f94cd (as the inspector logs tls.ja4)",
	     s);
	return false;
}

/* hosts: [...], methods: [...], paths: [...], sni: [...], names: [...],
 * alpn: [...], versions: [...] */
static int parse_pat_list(struct ctx *c, const struct field *f, enum pat_type type,
			  struct fg_pat_list *l)
{
	char what[40];
	const struct fg_ynode *items;
	struct strtab seen = { 0 };
	size_t count, i, old;
	int err = 0;

	if (!f->val)
		return 0;
	snprintf(what, sizeof(what), "'%s'", f->name);
	if (!scalar_or_list(c, f->val, what, &items, &count))
		return 0;
	if (!count) {
		perr(c, f->val, "%s is an empty list (leave the key out for no condition)", what);
		return 0;
	}
	l->v = calloc(count, sizeof(*l->v));
	if (!l->v || strtab_init(&seen, count)) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];
		struct fg_pat *pat = &l->v[l->n];
		bool ok;

		if (!want_scalar(c, it, type == PAT_METHOD ? "a method" :
				 type == PAT_PATH ? "a path" :
				 type == PAT_ALPN ? "an ALPN value" :
				 type == PAT_TLS_VERSION ? "a TLS version" :
				 type == PAT_JA3 || type == PAT_JA4 ?
				 "a fingerprint" :
				 type == PAT_HEADER_VALUE ? "a header value" : "a name"))
			continue;
		memset(pat, 0, sizeof(*pat));
		if (type == PAT_NAME)
			ok = check_name_pat(c, it, what, pat);
		else if (type == PAT_METHOD)
			ok = check_method_pat(c, it, pat);
		else if (type == PAT_ALPN)
			ok = check_alpn_pat(c, it);
		else if (type == PAT_TLS_VERSION)
			ok = check_tls_version_pat(c, it);
		else if (type == PAT_JA3 || type == PAT_JA4)
			ok = check_fingerprint_pat(c, it, type);
		else if (type == PAT_HEADER_VALUE)
			ok = check_header_value_pat(c, it, pat);
		else
			ok = check_path_pat(c, it, pat);
		if (!ok)
			continue;
		pat->text = strdup(it->str);
		if (!pat->text) {
			err = -ENOMEM;
			goto out;
		}
		/* names and fingerprints compare without regard to case */
		if (type == PAT_NAME || type == PAT_JA3 || type == PAT_JA4)
			ascii_lower(pat->text);
		pat->line = it->line;
		pat->col = it->col;
		if (!strtab_add(&seen, pat->text, i, &old)) {
			perr(c, it, "'%s' is listed twice in %s (first at %d:%d)", it->str,
			     what, items[old].line, items[old].col);
			free(pat->text);
			pat->text = NULL;
			continue;
		}
		l->n++;
	}
out:
	strtab_free(&seen);
	return err;
}

/* An HTTP field name: an RFC 9110 token. */
static bool check_header_name(struct ctx *c, const struct fg_ynode *k)
{
	char cb[24];
	size_t i;

	if (!check_size(c, k, "header name", "characters", PAT_HDR_NAME_MAX))
		return false;
	for (i = 0; i < k->n && is_token_char((unsigned char)k->str[i]); i++)
		;
	if (i < k->n)
		perr(c, k, "header name '%s' contains %s (not an HTTP token character)",
		     k->str, show_char((unsigned char)k->str[i], cb, sizeof(cb)));
	return i == k->n;
}

/* headers: {user-agent: [...], x-api-key: "*"}: names compare without
 * regard to case, so two spellings of one name are a duplicate. */
static int parse_http_headers(struct ctx *c, const struct field *f,
			      struct fg_http_cond *hc)
{
	const struct fg_ynode *m = f->val;
	struct strtab seen = { 0 };
	size_t i, old;
	int err = 0;

	if (!m || !want_kind(c, m, FG_Y_MAP, "'headers'"))
		return 0;
	if (!m->n) {
		perr(c, m, "'headers' is empty (leave the key out for no condition)");
		return 0;
	}
	hc->headers = calloc(m->n, sizeof(*hc->headers));
	if (!hc->headers || strtab_init(&seen, m->n))
		goto out_nomem;
	for (i = 0; i < m->n; i++) {
		const struct fg_ynode *k = &m->kids[2 * i];
		struct fg_http_hdr_cond *h = &hc->headers[hc->n_headers];
		struct field vf = { .key = k, .val = &m->kids[2 * i + 1] };

		if (k->kind == FG_Y_BAD)
			continue;
		if (k->kind != FG_Y_SCALAR || is_null(k)) {
			perr(c, k, "header names must be plain names, not %s", kind_name(k));
			continue;
		}
		if (!check_header_name(c, k))
			continue;
		h->name = strdup(k->str);
		if (!h->name)
			goto out_nomem;
		ascii_lower(h->name);
		if (!strtab_add(&seen, h->name, i, &old)) {
			perr(c, k, "header '%s' is listed twice in 'headers' (first at %d:%d; names are not case-sensitive)",
			     k->str, m->kids[2 * old].line, m->kids[2 * old].col);
			free(h->name);
			h->name = NULL;
			continue;
		}
		h->line = k->line;
		h->col = k->col;
		hc->n_headers++;
		vf.name = h->name;
		err = parse_pat_list(c, &vf, PAT_HEADER_VALUE, &h->values);
		if (err)
			goto out;
	}
	goto out;
out_nomem:
	err = -ENOMEM;
out:
	strtab_free(&seen);
	return err;
}

struct l7_key {
	const char *name;
	enum pat_type type;
	size_t off;		/* of the fg_pat_list in the condition struct */
};

static const struct l7_key http_keys[] = {
	{ "hosts", PAT_NAME, offsetof(struct fg_http_cond, hosts) },
	{ "methods", PAT_METHOD, offsetof(struct fg_http_cond, methods) },
	{ "paths", PAT_PATH, offsetof(struct fg_http_cond, paths) },
	{ "headers", PAT_HEADER_MAP, 0 },	/* parse_http_headers() */
};
static const struct l7_key tls_keys[] = {
	{ "sni", PAT_NAME, offsetof(struct fg_tls_cond, sni) },
	{ "alpn", PAT_ALPN, offsetof(struct fg_tls_cond, alpn) },
	{ "versions", PAT_TLS_VERSION, offsetof(struct fg_tls_cond, versions) },
	{ "ja3", PAT_JA3, offsetof(struct fg_tls_cond, ja3) },
	{ "ja4", PAT_JA4, offsetof(struct fg_tls_cond, ja4) },
};
static const struct l7_key dns_keys[] = {
	{ "names", PAT_NAME, offsetof(struct fg_dns_cond, names) },
};

#define L7_KEYS_MAX 5

/* An L7 block (`http: {...}`, present) into cond, a struct fg_*_cond. */
static int parse_l7_block(struct ctx *c, const struct field *bf, const struct l7_key *keys,
			  size_t nkeys, void *cond)
{
	const char *names[L7_KEYS_MAX];
	struct field f[L7_KEYS_MAX];
	char what[16];
	size_t i;
	int err;

	snprintf(what, sizeof(what), "'%s'", bf->name);
	if (!want_kind(c, bf->val, FG_Y_MAP, what))
		return 0;
	for (i = 0; i < nkeys; i++)
		names[i] = keys[i].name;
	init_fields(f, names, nkeys);
	map_fields(c, bf->val, f, nkeys, bf->name);
	for (i = 0; i < nkeys; i++) {
		if (keys[i].type == PAT_HEADER_MAP)	/* only in http_keys */
			err = parse_http_headers(c, &f[i], cond);
		else
			err = parse_pat_list(c, &f[i], keys[i].type,
					     (struct fg_pat_list *)((char *)cond + keys[i].off));
		if (err)
			return err;
	}
	return 0;
}

static void pat_list_free(struct fg_pat_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void hdr_conds_free(struct fg_http_cond *hc)
{
	size_t i;

	for (i = 0; i < hc->n_headers; i++) {
		free(hc->headers[i].name);
		pat_list_free(&hc->headers[i].values);
	}
	free(hc->headers);
	hc->headers = NULL;
	hc->n_headers = 0;
}

/* Parse app, mode and the L7 blocks of rule r; f are its fields. */
static int parse_rule_l7(struct ctx *c, const struct field *f, bool proto_ok,
			 struct fg_rule *r)
{
	struct {
		size_t rk;
		enum fg_app app;
		const struct l7_key *keys;
		size_t nkeys;
		void *cond;
		bool *set;
		int *line, *col;
	} blocks[] = {
		{ RK_HTTP, FG_APP_HTTP, http_keys, ARRAY_SIZE(http_keys), &r->http,
		  &r->http.set, &r->http.line, &r->http.col },
		{ RK_TLS, FG_APP_TLS, tls_keys, ARRAY_SIZE(tls_keys), &r->tls,
		  &r->tls.set, &r->tls.line, &r->tls.col },
		{ RK_DNS, FG_APP_DNS, dns_keys, ARRAY_SIZE(dns_keys), &r->dns,
		  &r->dns.set, &r->dns.line, &r->dns.col },
	};
	bool app_ok = true;
	size_t i;
	int err;

	r->mode = c->p->mode;
	if (f[RK_MODE].val) {
		r->mode_set = true;
		parse_mode(c, &f[RK_MODE], &r->mode, &r->mode_line, &r->mode_col);
	}
	if (f[RK_APP].val)
		app_ok = parse_app(c, &f[RK_APP], &f[RK_PROTO], proto_ok, r);

	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		const struct field *bf = &f[blocks[i].rk];
		const char *an = app_names[blocks[i].app];

		if (!bf->val)
			continue;
		*blocks[i].set = true;
		*blocks[i].line = bf->key->line;
		*blocks[i].col = bf->key->col;
		err = parse_l7_block(c, bf, blocks[i].keys, blocks[i].nkeys, blocks[i].cond);
		if (err)
			return err;
		/* a condition only means something for flows of its app */
		if (!f[RK_APP].val)
			perr(c, bf->key, "'%s' conditions need 'app: %s' in the same rule", an, an);
		else if (app_ok && !(r->apps & FG_APP_BIT(blocks[i].app)))
			perr(c, bf->key, "'%s' conditions need %s in the rule's 'app' list", an, an);
	}
	return 0;
}

static void rule_l7_free(struct fg_rule *r)
{
	pat_list_free(&r->http.hosts);
	pat_list_free(&r->http.methods);
	pat_list_free(&r->http.paths);
	hdr_conds_free(&r->http);
	pat_list_free(&r->tls.sni);
	pat_list_free(&r->tls.alpn);
	pat_list_free(&r->tls.versions);
	pat_list_free(&r->tls.ja3);
	pat_list_free(&r->tls.ja4);
	pat_list_free(&r->dns.names);
}


static int parse_rule(struct ctx *c, const struct fg_ynode *n, struct fg_rule *r)
{
	struct field f[ARRAY_SIZE(rule_keys)];
	bool proto_ok = true;
	size_t old;
	int err;

	r->line = n->line;
	r->col = n->col;
	r->proto = FG_PROTO_ANY;
	r->from.any = r->to.any = true;
	if (!want_kind(c, n, FG_Y_MAP, "a rule"))
		return 0;
	init_fields(f, rule_keys, ARRAY_SIZE(f));
	map_fields(c, n, f, ARRAY_SIZE(f), "a rule");

	if (!f[RK_NAME].val) {
		perr(c, n, "rule has no 'name'");
	} else if (want_scalar(c, f[RK_NAME].val, "'name'") &&
		   check_name(c, f[RK_NAME].val, "rule")) {
		const struct fg_ynode *v = f[RK_NAME].val;

		if (!strcmp(v->str, "default"))
			perr(c, v, "rule name 'default' is reserved (the counter of the default action)");
		r->name = strdup(v->str);
		if (!r->name)
			return -ENOMEM;
		if (!strtab_add(&c->rules, r->name, (size_t)(r - c->p->rules), &old))
			perr(c, v, "duplicate rule name '%s' (first at %d:%d)", v->str,
			     c->p->rules[old].line, c->p->rules[old].col);
	}
	if (f[RK_PROTO].val) {
		const struct fg_ynode *v = f[RK_PROTO].val;
		unsigned long long num;

		proto_ok = false;
		if (want_scalar(c, v, "'proto'")) {
			if (!fg_proto_parse(v->str, &r->proto))
				proto_ok = true;
			else if (!parse_uint(v->str[0] == '-' ? v->str + 1 : v->str,
					     ULLONG_MAX, &num))
				perr(c, v, "protocol number %s out of range (0-255)", v->str);
			else
				perr(c, v, "unknown protocol '%s' (tcp, udp, icmp, icmpv6, sctp, udplite, gre, esp, ah, any or a number 0-255)",
				     v->str);
		}
	}
	err = parse_addr_match(c, f[RK_FROM].val, "'from'", &r->from);
	if (!err)
		err = parse_addr_match(c, f[RK_TO].val, "'to'", &r->to);
	if (err)
		return err;

	if (f[RK_PORTS].val) {
		if (proto_ok && r->proto != FG_PROTO_ANY && r->proto != IPPROTO_TCP &&
		    r->proto != IPPROTO_UDP)
			perr(c, f[RK_PORTS].key, "'ports' needs proto tcp, udp or any, not %s",
			     f[RK_PROTO].val->str);
		err = parse_ports(c, f[RK_PORTS].val, r);
		if (err)
			return err;
	}
	if (f[RK_ICMP].val) {
		if (proto_ok && r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6)
			perr(c, f[RK_ICMP].key, "'icmp_types' needs proto icmp or icmpv6, not %s",
			     f[RK_PROTO].val ? f[RK_PROTO].val->str : "any (proto omitted)");
		else if (proto_ok)
			err = parse_icmp_types(c, f[RK_ICMP].val, r);
		if (err)
			return err;
	}

	if (!f[RK_ACTION].val)
		perr(c, n, "rule%s%s%s has no 'action' (allow or deny)",
		     r->name ? " '" : "", r->name ? r->name : "", r->name ? "'" : "");
	else
		parse_action(c, f[RK_ACTION].val, "'action'", &r->action);

	if (f[RK_LOG].val) {
		const struct fg_ynode *v = f[RK_LOG].val;
		char buf[128];

		/* the YAML 1.2 core schema spellings; yes/no/on/off are refused */
		if (v->kind == FG_Y_SCALAR && v->plain &&
		    (!strcmp(v->str, "true") || !strcmp(v->str, "True") ||
		     !strcmp(v->str, "TRUE")))
			r->log = true;
		else if (v->kind == FG_Y_SCALAR && v->plain &&
			 (!strcmp(v->str, "false") || !strcmp(v->str, "False") ||
			  !strcmp(v->str, "FALSE")))
			r->log = false;
		else if (v->kind != FG_Y_BAD)
			perr(c, v, "'log' must be true or false, not %s",
			     describe(v, buf, sizeof(buf)));
	}
	return parse_rule_l7(c, f, proto_ok, r);
}

static int parse_rules(struct ctx *c, const struct field *f)
{
	const struct fg_ynode *seq = f->val;
	struct fg_policy *p = c->p;
	size_t i;
	int err;

	if (!seq || !want_kind(c, seq, FG_Y_SEQ, "'rules'"))
		return 0;
	if (strtab_init(&c->rules, seq->n))
		return -ENOMEM;
	p->rules = calloc(seq->n ? seq->n : 1, sizeof(*p->rules));
	if (!p->rules)
		return -ENOMEM;
	for (i = 0; i < seq->n; i++) {
		/* count it first: fg_policy_free() must see partial rules */
		p->n_rules++;
		err = parse_rule(c, &seq->kids[i], &p->rules[i]);
		if (err)
			return err;
	}
	return 0;
}

static int parse_failsafe(struct ctx *c, const struct field *f)
{
	const struct fg_ynode *items;
	struct fg_policy *p = c->p;
	size_t count, i;

	if (!f->val || !scalar_or_list(c, f->val, "'failsafe'", &items, &count))
		return 0;
	p->failsafe = calloc(count ? count : 1, sizeof(*p->failsafe));
	if (!p->failsafe)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		const struct fg_ynode *it = &items[i];
		struct fg_failsafe *fs = &p->failsafe[p->n_failsafe];
		const char *slash;
		enum port_err e;

		if (!want_scalar(c, it, "a failsafe item"))
			continue;
		slash = strchr(it->str, '/');
		if (!slash) {
			perr(c, it, "failsafe item '%s' must be proto/port or proto/lo-hi (e.g. tcp/22)",
			     it->str);
			continue;
		}
		if ((size_t)(slash - it->str) == 3 && !strncmp(it->str, "tcp", 3)) {
			fs->proto = IPPROTO_TCP;
		} else if ((size_t)(slash - it->str) == 3 && !strncmp(it->str, "udp", 3)) {
			fs->proto = IPPROTO_UDP;
		} else {
			perr(c, it, "failsafe item '%s': protocol must be tcp or udp", it->str);
			continue;
		}
		e = port_range_parse(slash + 1, &fs->ports);
		if (e != PORT_OK) {
			port_error(c, it, it->str, e);
			continue;
		}
		fs->line = it->line;
		fs->col = it->col;
		p->n_failsafe++;
	}
	return 0;
}

/* A key of a mapping of whole numbers (timeouts, inspect). */
#define COUNT_KEYS_MAX	8	/* keys in one such mapping */
struct count_key {
	const char *name;
	size_t off;			/* of its __u32 in struct fg_policy */
	unsigned long long min, max;
	const char *unit, *units;	/* of 1, of more */
	const struct count_key *sub;	/* a nested mapping of these, */
	size_t n_sub;			/* instead of a number */
};

/*
 * A mapping of whole numbers, each in its key's [min, max]: every error
 * names the mapping (`what`, "timeout") and the key. The field of a key
 * present and valid is set; the others keep what they had.
 */
static void parse_counts(struct ctx *c, const struct field *mf, const char *what,
			 const struct count_key *keys, size_t n)
{
	struct field f[COUNT_KEYS_MAX];
	char where[32];
	size_t i;

	snprintf(where, sizeof(where), "'%s'", mf->name);
	if (!mf->val || !want_kind(c, mf->val, FG_Y_MAP, where))
		return;
	for (i = 0; i < n; i++) {
		f[i].name = keys[i].name;
		f[i].key = f[i].val = NULL;
	}
	map_fields(c, mf->val, f, n, mf->name);
	for (i = 0; i < n; i++) {
		const struct count_key *k = &keys[i];
		const struct fg_ynode *v = f[i].val;
		unsigned long long x;
		char buf[128];

		if (!v || v->kind == FG_Y_BAD)
			continue;
		if (k->sub) {
			snprintf(buf, sizeof(buf), "%s %s", what, k->name);
			parse_counts(c, &f[i], buf, k->sub, k->n_sub);
			continue;
		}
		switch (node_int(v, k->max, &x)) {
		case INT_OK:
			if (x >= k->min) {
				*(__u32 *)((char *)c->p + k->off) = (__u32)x;
				break;
			}
			/* fall through */
		case INT_NEG:
			perr(c, v, "%s '%s' must be at least %llu %s, not %s", what,
			     k->name, k->min, k->min == 1 ? k->unit : k->units, v->str);
			break;
		case INT_BIG:
			perr(c, v, "%s '%s' is too large (at most %llu %s)", what,
			     k->name, k->max, k->units);
			break;
		default:
			perr(c, v, "%s '%s' must be a whole number of %s, not %s", what,
			     k->name, k->units, describe(v, buf, sizeof(buf)));
			break;
		}
	}
}

#define TIMEOUT_KEY(f) \
	{ .name = #f, .off = offsetof(struct fg_policy, timeouts.f), .min = 1, \
	  .max = TIMEOUT_MAX, .unit = "second", .units = "seconds" }
static const struct count_key timeout_keys[] = {
	TIMEOUT_KEY(tcp_established), TIMEOUT_KEY(tcp_syn), TIMEOUT_KEY(tcp_closing),
	TIMEOUT_KEY(udp), TIMEOUT_KEY(icmp), TIMEOUT_KEY(other),
};

/* inspect: the L7 engine's bounds (docs/policy.md "inspect"). */
#define INSPECT_KEY(key, f, most, one) \
	{ .name = key, .off = offsetof(struct fg_policy, inspect.f), .min = 1, \
	  .max = most, .unit = one, .units = one "s" }
/* inspect.budget: per app checked item by item (docs/policy.md). */
static const struct count_key budget_keys[] = {
	INSPECT_KEY("http", budget_http, FG_INSPECT_MAX_BUDGET, "byte"),
	INSPECT_KEY("dns", budget_dns, FG_INSPECT_MAX_BUDGET, "byte"),
};
static const struct count_key inspect_keys[] = {
	INSPECT_KEY("max_flows", max_flows, FG_INSPECT_MAX_FLOWS, "flow"),
	INSPECT_KEY("ident_bytes", ident_bytes, FG_INSPECT_MAX_IDENT_BYTES, "byte"),
	INSPECT_KEY("ident_packets", ident_pkts, FG_INSPECT_MAX_IDENT_PACKETS, "packet"),
	INSPECT_KEY("monitor_items", monitor_items, FG_INSPECT_MAX_MONITOR_ITEMS, "item"),
	{ "budget", .sub = budget_keys, .n_sub = ARRAY_SIZE(budget_keys) },
};
_Static_assert(ARRAY_SIZE(timeout_keys) <= COUNT_KEYS_MAX &&
	       ARRAY_SIZE(inspect_keys) <= COUNT_KEYS_MAX &&
	       ARRAY_SIZE(budget_keys) <= COUNT_KEYS_MAX, "parse_counts' fields");

static void parse_inspect(struct ctx *c, const struct field *f)
{
	if (!f->val)
		return;
	c->p->inspect_line = f->key->line;
	c->p->inspect_col = f->key->col;
	parse_counts(c, f, "inspect", inspect_keys, ARRAY_SIZE(inspect_keys));
}

static const char *const top_keys[] = {
	"version", "default", "groups", "rules", "failsafe", "timeouts",
	"mode", "inspect_failure", "inspect",
};
enum {
	TK_VERSION, TK_DEFAULT, TK_GROUPS, TK_RULES, TK_FAILSAFE, TK_TIMEOUTS,
	TK_MODE, TK_INSPECT_FAILURE, TK_INSPECT,
};

static int validate(struct ctx *c, const struct fg_ynode *root)
{
	struct field f[ARRAY_SIZE(top_keys)];
	int err;

	if (!root) {
		fg_diag_add(c->diags, c->file, 1, 1,
			    "empty policy (expected a mapping starting with 'version: 1')");
		c->nerr++;
		return 0;
	}
	if (root->kind == FG_Y_BAD)
		return 0;
	if (root->kind != FG_Y_MAP) {
		perr(c, root, "a policy must be a mapping (version, default, groups, rules, ...), not %s",
		     kind_name(root));
		return 0;
	}
	init_fields(f, top_keys, ARRAY_SIZE(f));
	map_fields(c, root, f, ARRAY_SIZE(f), "the policy");
	parse_version(c, root, &f[TK_VERSION]);
	parse_default(c, root, &f[TK_DEFAULT]);
	/* before rules: a rule without its own mode takes the policy's */
	parse_mode(c, &f[TK_MODE], &c->p->mode, &c->p->mode_line, &c->p->mode_col);
	parse_inspect_failure(c, &f[TK_INSPECT_FAILURE]);
	parse_inspect(c, &f[TK_INSPECT]);
	/* groups before rules whatever the file order: rules refer to them */
	err = parse_groups(c, &f[TK_GROUPS]);
	if (!err)
		err = parse_rules(c, &f[TK_RULES]);
	if (!err)
		err = parse_failsafe(c, &f[TK_FAILSAFE]);
	if (!err)
		parse_counts(c, &f[TK_TIMEOUTS], "timeout", timeout_keys,
			     ARRAY_SIZE(timeout_keys));
	return err;
}

/* Report in file order although sections are checked out of order. */
struct diag_ord {
	struct fg_diag d;
	size_t idx;
};

static int diag_cmp(const void *a, const void *b)
{
	const struct diag_ord *x = a, *y = b;

	if (x->d.line != y->d.line)
		return x->d.line < y->d.line ? -1 : 1;
	if (x->d.col != y->d.col)
		return x->d.col < y->d.col ? -1 : 1;
	/* same place: keep the order they were found in */
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void sort_diags(struct fg_diags *d, size_t from)
{
	size_t n = d->n - from, i;
	struct diag_ord *o;

	if (n < 2)
		return;
	o = malloc(n * sizeof(*o));
	if (!o)
		return;		/* unsorted is still correct */
	for (i = 0; i < n; i++) {
		o[i].d = d->v[from + i];
		o[i].idx = i;
	}
	qsort(o, n, sizeof(*o), diag_cmp);
	for (i = 0; i < n; i++)
		d->v[from + i] = o[i].d;
	free(o);
}

void fg_policy_free(struct fg_policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_groups; i++) {
		free(p->groups[i].name);
		free(p->groups[i].prefixes);
	}
	free(p->groups);
	for (i = 0; i < p->n_rules; i++) {
		struct fg_rule *r = &p->rules[i];

		free(r->name);
		free(r->from.items);
		free(r->to.items);
		free(r->ports);
		free(r->icmp_types);
		rule_l7_free(r);
	}
	free(p->rules);
	free(p->failsafe);
	free(p->path);
	free(p);
}

/* SHA-256 of the file's bytes: `status` shows it, `sha256sum` agrees. */
static void policy_hash(const char *buf, size_t len, __u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, len, (const uint8_t *)buf);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

_Static_assert(sizeof(((struct fg_policy *)0)->sha256) == SHA256_DIGEST_SIZE,
	       "policy hash is a SHA-256 digest");

int fg_policy_parse(const char *name, const char *buf, size_t len,
		    struct fg_policy **out, struct fg_diags *diags)
{
	struct ctx c = { .file = name, .diags = diags };
	size_t first = diags ? diags->n : 0;
	struct fg_ydoc doc;
	struct fg_policy *p;
	int err;

	*out = NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->path = strdup(name ? name : "");
	if (!p->path) {
		free(p);
		return -ENOMEM;
	}
	p->default_action = FG_ACTION_DENY;
	p->timeouts = (struct fg_timeouts){
		.tcp_established = FG_TIMEOUT_TCP_ESTABLISHED,
		.tcp_syn = FG_TIMEOUT_TCP_SYN,
		.tcp_closing = FG_TIMEOUT_TCP_CLOSING,
		.udp = FG_TIMEOUT_UDP,
		.icmp = FG_TIMEOUT_ICMP,
		.other = FG_TIMEOUT_OTHER,
	};
	policy_hash(buf, len, p->sha256);
	c.p = p;

	err = fg_yaml_load(name, buf, len, &doc, diags, &c.nerr);
	if (err)
		goto out_free;
	err = validate(&c, doc.root);
	fg_yaml_free(&doc);
	strtab_free(&c.groups);
	strtab_free(&c.rules);
	if (err)
		goto out_free;
	if (c.nerr) {
		err = -EINVAL;
		goto out_free;
	}
	*out = p;
	return 0;

out_free:
	if (diags && diags->n > first)
		sort_diags(diags, first);
	strtab_free(&c.groups);
	strtab_free(&c.rules);
	fg_policy_free(p);
	return err;
}

int fg_policy_load(const char *path, struct fg_policy **out, struct fg_diags *diags)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	struct stat st;
	int fd, err;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fg_diag_add(diags, path, 0, 0, "cannot open: %s", strerror(-err));
		return err;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		fg_diag_add(diags, path, 0, 0, "cannot read: %s", strerror(EISDIR));
		err = -EISDIR;
		goto out_close;
	}
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
	for (;;) {
		ssize_t r;

		if (len == cap || !buf) {
			char *nb = realloc(buf, len == cap ? cap * 2 : cap);

			if (!nb) {
				err = -ENOMEM;
				goto out_free;
			}
			if (len == cap)
				cap *= 2;
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			fg_diag_add(diags, path, 0, 0, "cannot read: %s", strerror(-err));
			goto out_free;
		}
		if (!r)
			break;
		len += (size_t)r;
	}
	err = fg_policy_parse(path, buf, len, out, diags);

out_free:
	free(buf);
out_close:
	close(fd);
	return err;
}

/* ---- reference matching (docs/policy.md, "L7 conditions") ---- */

bool fg_pat_match_name(const struct fg_pat *pat, const char *v, size_t len)
{
	size_t tl = strlen(pat->text);

	/* a NUL inside a name is an evasion attempt, never a match */
	if (memchr(v, '\0', len))
		return false;
	if (len && v[len - 1] == '.')	/* "shop.example." is shop.example */
		len--;
	if (!pat->wildcard)
		return len == tl && !strncasecmp(v, pat->text, len);
	/* "*.suffix": at least one label, then ".suffix" */
	tl--;			/* the '*' */
	return len > tl && v[0] != '.' &&
	       !strncasecmp(v + len - tl, pat->text + 1, tl);
}

bool fg_pat_match_path(const struct fg_pat *pat, const char *v, size_t len)
{
	size_t tl = strlen(pat->text);

	if (!pat->wildcard)
		return len == tl && !memcmp(v, pat->text, len);
	tl--;			/* the '*' */
	return len >= tl && !memcmp(v, pat->text, tl);
}

bool fg_pat_match_method(const struct fg_pat *pat, const char *v, size_t len)
{
	return len == strlen(pat->text) && !memcmp(v, pat->text, len);
}

bool fg_pat_match_header(const struct fg_pat *pat, const char *v, size_t len)
{
	const char *p = pat->text, *star, *at;
	size_t seg;

	if (!pat->wildcard)
		return fg_pat_match_method(pat, v, len);	/* exact */
	/* P0*P1*...*Pn: P0 a prefix, Pn a suffix, and each Pi between them
	 * at its leftmost place after the one before (leftmost is never
	 * worse for '*'-only globs, and memmem keeps it linear) */
	star = strchr(p, '*');
	seg = (size_t)(star - p);
	if (len < seg || memcmp(v, p, seg))
		return false;
	v += seg;
	len -= seg;
	for (p = star + 1; (star = strchr(p, '*')); p = star + 1) {
		seg = (size_t)(star - p);
		at = memmem(v, len, p, seg);
		if (!at)
			return false;
		len -= (size_t)(at - v) + seg;
		v = at + seg;
	}
	seg = strlen(p);
	return len >= seg && !memcmp(v + len - seg, p, seg);
}

bool fg_pat_match_alpn(const struct fg_pat *pat, const char *v, size_t len)
{
	return fg_pat_match_method(pat, v, len);	/* the same: exact */
}

bool fg_pat_match_tls_version(const struct fg_pat *pat, __u16 version)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tls_versions); i++)
		if (tls_versions[i].wire == version)
			return !strcmp(pat->text, tls_versions[i].name);
	return false;
}
