/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compile_class.h - the core of the classifier compiler: turn the prefixes of
 * one field (each listed by some rules) into LPM entries whose values are
 * deduplicated rule-bitmap windows in a shared word pool.
 *
 * A field is a bit string of up to 128 bits (IPv4: 32, IPv6: 128, port: 24 =
 * proto 8 + port 16). The class of a prefix is every rule listed by a prefix
 * that contains it (its ancestors and itself); see docs/classifier.md.
 *
 * compile.c feeds it; tests may drive it directly.
 */
#ifndef FG_COMPILE_CLASS_H
#define FG_COMPILE_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flowgate.h"
#include "compile.h"

/* Default ceiling of the word pool: 64 Mi words = 512 MiB. */
#define FG_POOL_MAX_WORDS_DEFAULT	(64ULL << 20)

/* `ref` of an item: a rule id, or FG_CB_REF_LIST | index of a rule list
 * (a group referenced by several rules costs one item per prefix). */
#define FG_CB_REF_LIST	0x80000000U

struct fg_cb_item {
	__u8 addr[16];		/* MSB first, bits beyond plen zero */
	__u8 plen;		/* bits of the field (not counting the field byte) */
	__u8 pad[3];
	__u32 ref;
};

/* A sorted, duplicate-free list of rule ids. */
struct fg_cb_list {
	__u32 *v;
	__u32 n, cap;
};

struct fg_cb_class {
	__u32 off, lo, hi;	/* as struct fg_class; empty: lo > hi */
	__u32 count;		/* rules in the class */
	__u64 hash;		/* deduplication: of the window's words, or in
				 * a sizing pass of the rule set (see below) */
};

struct fg_cb_key {
	__u64 hash;
	__u32 parent;		/* class id of the nearest listed ancestor */
	__u32 cls;		/* resulting class id */
	size_t rules;		/* index into key_rules: the rules added */
	__u32 n;
};

struct fg_cb {
	__u32 n_rules;
	__u64 pool_max;
	/*
	 * Sizing pass: classes are identified by a hash of their rule set
	 * (a sum of per-rule hashes, so a child's is its parent's plus its
	 * added rules') and nothing is written: pool_n only counts words.
	 * Hash collisions can only merge classes, so the count never exceeds
	 * the real pool: a policy it rejects is really too big, and it is
	 * rejected before the pool is allocated.
	 */
	bool sizing;

	__u64 *pool;
	size_t pool_n, pool_cap;

	/* Distinct classes; id 0 is the empty class. set_slots hashes them by
	 * content, key_slots by (parent class, rules added). */
	struct fg_cb_class *cls;
	size_t n_cls, cls_cap;
	__u32 *set_slots;
	size_t set_cap;

	struct fg_cb_key *keys;
	size_t n_keys, keys_cap;
	__u32 *key_slots;
	size_t key_cap;
	__u32 *key_rules;
	size_t key_rules_n, key_rules_cap;

	__u64 *scratch;		/* FG_MAX_WORDS words */
	struct fg_cb_list own;	/* rules of the prefix being processed */
	struct fg_cb_list added;
	/* Rules of the open ancestors' classes: in_path[r] != 0, and the
	 * rules each open ancestor added, to clear them when it closes. */
	__u8 *in_path;
	struct fg_cb_list path_rules;

	/* Output, in (field, addr, plen) order when fields are fed in order. */
	struct fg_lpm_key *out_keys;
	struct fg_class *out_cls;
	size_t n_out, out_cap;
};

/* n_rules: rule ids are below it and below 64 * FG_MAX_WORDS. With `sizing`,
 * only count the pool words (pool_n) the real pass would need. */
int fg_cb_init(struct fg_cb *cb, __u32 n_rules, __u64 pool_max_words, bool sizing);

/*
 * Add one field's entries. `items` (sorted in place) may repeat a prefix;
 * `lists` resolves FG_CB_REF_LIST refs. Returns 0, -ENOMEM, or -E2BIG when
 * the pool would exceed pool_max_words.
 */
int fg_cb_field(struct fg_cb *cb, __u8 field, unsigned int bits,
		struct fg_cb_item *items, size_t n_items,
		const struct fg_cb_list *lists);

void fg_cb_free(struct fg_cb *cb);

/* Append to a list (not sorted or deduplicated here). 0 or -ENOMEM. */
int fg_cb_list_push(struct fg_cb_list *l, __u32 v);

/*
 * fg_compile() with an explicit pool ceiling (fg_compile uses
 * FG_POOL_MAX_WORDS_DEFAULT), so tests can reach the limit cheaply.
 */
int fg_compile_limited(const struct fg_policy *p, __u32 max_rules,
		       __u64 pool_max_words, struct fg_compiled *out,
		       struct fg_diags *diags);

#endif /* FG_COMPILE_CLASS_H */
