// SPDX-License-Identifier: GPL-2.0-only
/*
 * compile_class.c - per-field classes as deduplicated rule-bitmap windows.
 *
 * For one field, the items (prefix, rule or rule list) are sorted by
 * (address, length): that is a pre-order walk of the prefix tree, because a
 * prefix sorts before everything it contains. A stack of the open ancestors
 * gives each prefix its parent in O(1) amortised, and its class is the
 * parent's class plus the rules listed for the prefix itself. So the whole
 * field costs one sort plus work proportional to the rules listed, never
 * "prefixes x rules".
 *
 * Classes are interned twice:
 *  - by (parent class, rules added): the common case (a million addresses of
 *    one group, each adding the same rule to the same parent) is a hash probe
 *    on a short list, without touching a bitmap;
 *  - on a miss, by the content of the new window, so two different ways of
 *    building the same rule set still share one pool window.
 * Only windows of distinct classes are ever written, so memory is
 * proportional to the output. A sizing pass (cb->sizing) runs the same walk
 * first with classes identified by a hash of their rule set and nothing
 * written, so an oversized policy is refused before its pool is allocated.
 *
 * Whether a rule is already in the parent's class is answered by in_path[],
 * the rules added by the currently open ancestors, maintained on push/pop.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compile_class.h"

#define CB_EMPTY	0U	/* class id of the empty class */

static __u64 hash_mix(__u64 h, __u64 v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 32);
}

static int grow(void **v, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *n;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	n = realloc(*v, c * elem);
	if (!n)
		return -ENOMEM;
	*v = n;
	*cap = c;
	return 0;
}

int fg_cb_list_push(struct fg_cb_list *l, __u32 v)
{
	size_t cap = l->cap;
	int err;

	if (l->n == UINT32_MAX)
		return -E2BIG;
	err = grow((void **)&l->v, &cap, (size_t)l->n + 1, sizeof(*l->v));
	if (err)
		return err;
	l->cap = (__u32)(cap > UINT32_MAX ? UINT32_MAX : cap);
	l->v[l->n++] = v;
	return 0;
}

int fg_cb_init(struct fg_cb *cb, __u32 n_rules, __u64 pool_max_words, bool sizing)
{
	memset(cb, 0, sizeof(*cb));
	if (n_rules > 64U * FG_MAX_WORDS)
		return -E2BIG;
	cb->n_rules = n_rules;
	cb->pool_max = pool_max_words;
	cb->sizing = sizing;
	cb->scratch = calloc(FG_MAX_WORDS, sizeof(*cb->scratch));
	cb->cls = calloc(16, sizeof(*cb->cls));
	cb->in_path = calloc(n_rules ? n_rules : 1, 1);
	if (!cb->scratch || !cb->cls || !cb->in_path) {
		fg_cb_free(cb);
		return -ENOMEM;
	}
	cb->cls_cap = 16;
	/* id 0: the empty class (lo > hi), never stored in the pool */
	cb->cls[0] = (struct fg_cb_class){ .off = 0, .lo = 1, .hi = 0 };
	cb->n_cls = 1;
	return 0;
}

void fg_cb_free(struct fg_cb *cb)
{
	free(cb->pool);
	free(cb->cls);
	free(cb->set_slots);
	free(cb->keys);
	free(cb->key_slots);
	free(cb->key_rules);
	free(cb->scratch);
	free(cb->own.v);
	free(cb->added.v);
	free(cb->in_path);
	free(cb->path_rules.v);
	free(cb->out_keys);
	free(cb->out_cls);
	memset(cb, 0, sizeof(*cb));
}

static int cmp_item(const void *a, const void *b)
{
	const struct fg_cb_item *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, sizeof(x->addr));

	if (c)
		return c;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	return x->ref < y->ref ? -1 : x->ref > y->ref;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static bool same_prefix(const struct fg_cb_item *a, const struct fg_cb_item *b)
{
	return a->plen == b->plen && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/* Does prefix `a` contain prefix `b`? */
static bool contains(const struct fg_cb_item *a, const struct fg_cb_item *b)
{
	unsigned int full = a->plen / 8, rest = a->plen % 8;

	if (a->plen > b->plen || memcmp(a->addr, b->addr, full))
		return false;
	if (!rest)
		return true;
	return !((a->addr[full] ^ b->addr[full]) & (0xff00 >> rest));
}

/* Per-rule hash for the sizing pass: a set's hash is the sum over it. */
static __u64 rule_hash(__u32 r)
{
	return hash_mix(0x5bd1e995ULL, r) | 1;
}

static __u64 window_hash(__u32 lo, __u32 hi, const __u64 *w)
{
	__u64 h = hash_mix(lo, hi);
	__u32 i;

	for (i = 0; i <= hi - lo; i++)
		h = hash_mix(h, w[i]);
	return h;
}

static int rehash(__u32 **slots, size_t *cap, size_t n, const void *base,
		  size_t elem, size_t hash_off)
{
	size_t nc = *cap ? *cap * 2 : 1024, i;
	__u32 *ns;

	while (nc < 2 * (n + 1))
		nc *= 2;
	ns = calloc(nc, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		__u64 h;
		size_t s;

		memcpy(&h, (const char *)base + i * elem + hash_off, sizeof(h));
		for (s = h & (nc - 1); ns[s]; s = (s + 1) & (nc - 1))
			;
		ns[s] = (__u32)(i + 1);
	}
	free(*slots);
	*slots = ns;
	*cap = nc;
	return 0;
}

static int set_table_room(struct fg_cb *cb)
{
	if (2 * (cb->n_cls + 1) <= cb->set_cap)
		return 0;
	/* this also hashes the empty class 0: lookups skip it */
	return rehash(&cb->set_slots, &cb->set_cap, cb->n_cls, cb->cls,
		      sizeof(*cb->cls), offsetof(struct fg_cb_class, hash));
}

/* Sizing pass: the class (lo, hi, count, set hash), counted but not stored. */
static int intern_sized(struct fg_cb *cb, __u32 lo, __u32 hi, __u32 count,
			__u64 set, __u32 *id)
{
	size_t words = (size_t)hi - lo + 1, s;
	int err;

	err = set_table_room(cb);
	if (err)
		return err;
	for (s = set & (cb->set_cap - 1); cb->set_slots[s]; s = (s + 1) & (cb->set_cap - 1)) {
		__u32 k = cb->set_slots[s] - 1;
		const struct fg_cb_class *c = &cb->cls[k];

		if (k != CB_EMPTY && c->hash == set && c->lo == lo && c->hi == hi &&
		    c->count == count) {
			*id = k;
			return 0;
		}
	}
	if (cb->pool_n + words > cb->pool_max || cb->pool_n + words > UINT32_MAX)
		return -E2BIG;
	err = grow((void **)&cb->cls, &cb->cls_cap, cb->n_cls + 1, sizeof(*cb->cls));
	if (err)
		return err;
	cb->cls[cb->n_cls] = (struct fg_cb_class){
		.off = 0, .lo = lo, .hi = hi, .count = count, .hash = set,
	};
	cb->pool_n += words;
	cb->set_slots[s] = (__u32)(cb->n_cls + 1);
	*id = (__u32)cb->n_cls++;
	return 0;
}

/* The class whose window is scratch[0 .. hi - lo]: an existing one, or a new
 * one appended to the pool. */
static int intern_window(struct fg_cb *cb, __u32 lo, __u32 hi, __u32 count, __u32 *id)
{
	size_t words = (size_t)hi - lo + 1, s;
	__u64 h = window_hash(lo, hi, cb->scratch);
	struct fg_cb_class *c;
	int err;

	err = set_table_room(cb);
	if (err)
		return err;
	for (s = h & (cb->set_cap - 1); cb->set_slots[s]; s = (s + 1) & (cb->set_cap - 1)) {
		__u32 k = cb->set_slots[s] - 1;

		c = &cb->cls[k];
		if (k != CB_EMPTY && c->hash == h && c->lo == lo && c->hi == hi &&
		    !memcmp(&cb->pool[c->off], cb->scratch, words * sizeof(__u64))) {
			*id = k;
			return 0;
		}
	}
	if (cb->pool_n + words > cb->pool_max || cb->pool_n + words > UINT32_MAX)
		return -E2BIG;
	err = grow((void **)&cb->pool, &cb->pool_cap, cb->pool_n + words, sizeof(__u64));
	if (!err)
		err = grow((void **)&cb->cls, &cb->cls_cap, cb->n_cls + 1, sizeof(*cb->cls));
	if (err)
		return err;
	memcpy(&cb->pool[cb->pool_n], cb->scratch, words * sizeof(__u64));
	cb->cls[cb->n_cls] = (struct fg_cb_class){
		.off = (__u32)cb->pool_n, .lo = lo, .hi = hi, .count = count, .hash = h,
	};
	cb->pool_n += words;
	cb->set_slots[s] = (__u32)(cb->n_cls + 1);
	*id = (__u32)cb->n_cls++;
	return 0;
}

/* The class "parent plus the rules in cb->added" (sorted, none in parent). */
static int intern_added(struct fg_cb *cb, __u32 parent, __u32 *id)
{
	const struct fg_cb_list *a = &cb->added;
	const struct fg_cb_class *pc;
	struct fg_cb_key *k;
	__u32 lo, hi, i;
	__u64 h = hash_mix(parent, a->n);
	size_t s;
	int err;

	for (i = 0; i < a->n; i++)
		h = hash_mix(h, a->v[i]);
	if (2 * (cb->n_keys + 1) > cb->key_cap) {
		err = rehash(&cb->key_slots, &cb->key_cap, cb->n_keys, cb->keys,
			     sizeof(*cb->keys), offsetof(struct fg_cb_key, hash));
		if (err)
			return err;
	}
	for (s = h & (cb->key_cap - 1); cb->key_slots[s]; s = (s + 1) & (cb->key_cap - 1)) {
		k = &cb->keys[cb->key_slots[s] - 1];
		if (k->hash == h && k->parent == parent && k->n == a->n &&
		    !memcmp(&cb->key_rules[k->rules], a->v, a->n * sizeof(__u32))) {
			*id = k->cls;
			return 0;
		}
	}

	/* New combination: intern the resulting class by content. */
	pc = &cb->cls[parent];
	lo = a->v[0] / 64;
	hi = a->v[a->n - 1] / 64;
	if (pc->lo <= pc->hi) {
		lo = pc->lo < lo ? pc->lo : lo;
		hi = pc->hi > hi ? pc->hi : hi;
	}
	if (cb->sizing) {
		__u64 set = pc->hash;

		for (i = 0; i < a->n; i++)
			set += rule_hash(a->v[i]);
		err = intern_sized(cb, lo, hi, pc->count + a->n, set, id);
	} else {
		memset(cb->scratch, 0, ((size_t)hi - lo + 1) * sizeof(__u64));
		if (pc->lo <= pc->hi)
			memcpy(&cb->scratch[pc->lo - lo], &cb->pool[pc->off],
			       ((size_t)pc->hi - pc->lo + 1) * sizeof(__u64));
		for (i = 0; i < a->n; i++)
			cb->scratch[a->v[i] / 64 - lo] |= 1ULL << (a->v[i] % 64);
		err = intern_window(cb, lo, hi, pc->count + a->n, id);
	}
	if (err)
		return err;

	err = grow((void **)&cb->keys, &cb->keys_cap, cb->n_keys + 1, sizeof(*cb->keys));
	if (!err)
		err = grow((void **)&cb->key_rules, &cb->key_rules_cap,
			   cb->key_rules_n + a->n, sizeof(__u32));
	if (err)
		return err;
	memcpy(&cb->key_rules[cb->key_rules_n], a->v, a->n * sizeof(__u32));
	cb->keys[cb->n_keys] = (struct fg_cb_key){
		.hash = h, .parent = parent, .cls = *id,
		.rules = cb->key_rules_n, .n = a->n,
	};
	cb->key_rules_n += a->n;
	cb->key_slots[s] = (__u32)(cb->n_keys + 1);
	cb->n_keys++;
	return 0;
}

/* cb->own = the sorted, distinct rules of items[i .. j). */
static int collect_own(struct fg_cb *cb, const struct fg_cb_item *it, size_t n,
		       const struct fg_cb_list *lists)
{
	struct fg_cb_list *own = &cb->own;
	bool sorted = true;
	size_t i;
	__u32 k, w;
	int err;

	own->n = 0;
	for (i = 0; i < n; i++) {
		if (it[i].ref & FG_CB_REF_LIST) {
			const struct fg_cb_list *l = &lists[it[i].ref & ~FG_CB_REF_LIST];

			/* a list alone is sorted; anything mixed is sorted below */
			if (own->n && l->n)
				sorted = false;
			for (k = 0; k < l->n; k++) {
				err = fg_cb_list_push(own, l->v[k]);
				if (err)
					return err;
			}
		} else {
			/* items sort plain rules first, ascending */
			err = fg_cb_list_push(own, it[i].ref);
			if (err)
				return err;
		}
	}
	if (!sorted)
		qsort(own->v, own->n, sizeof(*own->v), cmp_u32);
	for (k = 0, w = 0; k < own->n; k++)
		if (!w || own->v[w - 1] != own->v[k])
			own->v[w++] = own->v[k];
	own->n = w;
	return 0;
}

static int emit(struct fg_cb *cb, __u8 field, const struct fg_cb_item *it, __u32 id)
{
	struct fg_lpm_key *k;
	size_t cap_k = cb->out_cap, cap_c = cb->out_cap;
	int err;

	/* both arrays always have out_cap elements */
	err = grow((void **)&cb->out_keys, &cap_k, cb->n_out + 1, sizeof(*cb->out_keys));
	if (!err)
		err = grow((void **)&cb->out_cls, &cap_c, cb->n_out + 1, sizeof(*cb->out_cls));
	if (err)
		return err;
	cb->out_cap = cap_k;
	k = &cb->out_keys[cb->n_out];
	memset(k, 0, sizeof(*k));
	k->prefixlen = 8U + it->plen;
	k->field = field;
	memcpy(k->addr, it->addr, sizeof(k->addr));
	cb->out_cls[cb->n_out].off = cb->cls[id].off;
	cb->out_cls[cb->n_out].lo = cb->cls[id].lo;
	cb->out_cls[cb->n_out].hi = cb->cls[id].hi;
	cb->n_out++;
	return 0;
}

int fg_cb_field(struct fg_cb *cb, __u8 field, unsigned int bits,
		struct fg_cb_item *items, size_t n_items,
		const struct fg_cb_list *lists)
{
	/* open ancestors: strictly nested, so at most bits + 1 deep */
	struct {
		const struct fg_cb_item *it;
		__u32 cls;
		__u32 rules;	/* its added rules: path_rules[rules ..] */
	} stack[129];
	unsigned int depth = 0;
	size_t i, j;
	__u32 k;
	int err;

	if (bits > 128)
		return -EINVAL;
	/* the sizing pass already sorted them: skip the second sort */
	for (i = 1; i < n_items && cmp_item(&items[i - 1], &items[i]) <= 0; i++)
		;
	if (i < n_items)
		qsort(items, n_items, sizeof(*items), cmp_item);
	for (i = 0; i < n_items; i = j) {
		const struct fg_cb_item *it = &items[i];
		__u32 parent, id;

		if (it->plen > bits)
			return -EINVAL;
		for (j = i + 1; j < n_items && same_prefix(&items[j], it); j++)
			;
		err = collect_own(cb, it, j - i, lists);
		if (err)
			return err;
		for (k = 0; k < cb->own.n; k++)
			if (cb->own.v[k] >= cb->n_rules)
				return -EINVAL;

		/* close the ancestors that do not contain this prefix */
		while (depth && !contains(stack[depth - 1].it, it)) {
			depth--;
			for (k = stack[depth].rules; k < cb->path_rules.n; k++)
				cb->in_path[cb->path_rules.v[k]] = 0;
			cb->path_rules.n = stack[depth].rules;
		}
		parent = depth ? stack[depth - 1].cls : CB_EMPTY;

		cb->added.n = 0;
		for (k = 0; k < cb->own.n; k++) {
			if (cb->in_path[cb->own.v[k]])	/* already in the parent's class */
				continue;
			err = fg_cb_list_push(&cb->added, cb->own.v[k]);
			if (err)
				return err;
		}
		id = parent;
		if (cb->added.n) {
			err = intern_added(cb, parent, &id);
			if (err)
				return err;
		}
		if (id == CB_EMPTY)	/* an entry with no rule: leave it out */
			continue;
		if (!cb->sizing) {
			err = emit(cb, field, it, id);
			if (err)
				return err;
		}
		stack[depth].it = it;
		stack[depth].cls = id;
		stack[depth].rules = cb->path_rules.n;
		depth++;
		for (k = 0; k < cb->added.n; k++) {
			err = fg_cb_list_push(&cb->path_rules, cb->added.v[k]);
			if (err)
				return err;
			cb->in_path[cb->added.v[k]] = 1;
		}
	}
	/* leave in_path clear for the next field */
	for (k = 0; k < cb->path_rules.n; k++)
		cb->in_path[cb->path_rules.v[k]] = 0;
	cb->path_rules.n = 0;
	return 0;
}
