/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_classify.h - first-match classification of a new flow.
 *
 * Three longest-prefix lookups in the slot's trie (initiator address,
 * responder address, protocol+port) give three classes: windows of the rule
 * bitmap. The first rule is the lowest set bit of their AND, scanning words
 * from the highest window start to the lowest window end. The first word is
 * done inline (a packet that matches a rule in the first overlapping word is
 * the common case); the rest runs in bpf_loop(), bounded by FG_MAX_WORDS.
 */
#ifndef FG_BPF_CLASSIFY_H
#define FG_BPF_CLASSIFY_H

#include "flowgate.h"
#include "fg_maps.h"
#include "fg_parse.h"
#include "fg_counters.h"

#define FG_CLS_ERR	(-1)

/* What classification looks at (initiator/responder already oriented). */
struct fg_cls_in {
	__u32 src[4];		/* BE */
	__u32 dst[4];		/* BE */
	__u16 port;		/* host: responder port or type << 8 | code */
	__u8 family;
	__u8 proto;
};

/* Lowest set bit of a non-zero word: BPF has no ctz instruction. */
static __always_inline __u32 fg_ctz64(__u64 x)
{
	__u32 n = 0;

	if (!(x & 0xffffffffULL)) { n += 32; x >>= 32; }
	if (!(x & 0xffffULL)) { n += 16; x >>= 16; }
	if (!(x & 0xffULL)) { n += 8; x >>= 8; }
	if (!(x & 0xfULL)) { n += 4; x >>= 4; }
	if (!(x & 0x3ULL)) { n += 2; x >>= 2; }
	if (!(x & 0x1ULL)) n += 1;
	return n;
}

static __always_inline int fg_cls_lookup(void *trie, struct fg_lpm_key *k,
					 struct fg_class *out)
{
	struct fg_class *c = bpf_map_lookup_elem(trie, k);

	if (!c) {
		out->off = 0;
		out->lo = 1;	/* empty: lo > hi */
		out->hi = 0;
		return 0;
	}
	*out = *c;
	return 1;
}

struct fg_scan {
	struct fg_class c[3];
	__u32 lo;		/* first word to scan */
	__u32 slot;
	__u32 rule;		/* out: FG_CLS_ERR, or 64 * w + bit */
	__u32 found;		/* out: 0 none, 1 found, 2 error */
};

/* One bitmap word: the AND of the three classes' word w. Returns 1 and the
 * word in *out, or 0 if a pool lookup failed (a bad table: INTERNAL). */
static __always_inline int fg_scan_word(void *pool, struct fg_class *c,
					__u32 w, __u64 *out)
{
	__u64 acc = ~0ULL;
	int i;

#pragma unroll
	for (i = 0; i < 3; i++) {
		__u32 idx = c[i].off + w - c[i].lo;
		__u64 *v = bpf_map_lookup_elem(pool, &idx);

		if (!v)
			return 0;
		acc &= *v;
	}
	*out = acc;
	return 1;
}

/* bpf_loop callback: word s->lo + 1 + i. The inner pool map is looked up
 * again from the outer map here: a map pointer spilled into the callback's
 * context is not a map pointer any more for the verifier. */
static long fg_scan_cb(__u32 i, void *ctx)
{
	struct fg_scan *s = ctx;
	__u32 w = s->lo + 1 + i;
	__u32 slot = s->slot & 1;
	void *pool;
	__u64 word;

	if (w > s->c[0].hi || w > s->c[1].hi || w > s->c[2].hi)
		return 1;
	pool = bpf_map_lookup_elem(&fg_cls_pool, &slot);
	if (!pool || !fg_scan_word(pool, s->c, w, &word)) {
		s->found = 2;
		return 1;
	}
	if (word) {
		s->rule = w * 64 + fg_ctz64(word);
		s->found = 1;
		return 1;
	}
	return 0;
}

/*
 * Classify `in` against policy slot `slot`. Returns the rule id (the slot's
 * n_rules = default) or FG_CLS_ERR if the slot's tables are missing or
 * inconsistent. Global: verified once, whoever calls it.
 */
FG_GLOBAL int fg_classify(__u32 slot, const struct fg_cls_in *in)
{
	struct fg_lpm_key k = {};
	struct fg_scan s = {};
	struct fg_ctl *ctl = fg_ctl_get();
	void *trie, *pool;
	__u32 hi, n, dflt_id;
	__u64 word;

	if (!in || !ctl)
		return FG_CLS_ERR;
	slot &= 1;
	dflt_id = ctl->slot[slot].n_rules;
	trie = bpf_map_lookup_elem(&fg_cls_trie, &slot);
	pool = bpf_map_lookup_elem(&fg_cls_pool, &slot);
	if (!trie || !pool)
		return FG_CLS_ERR;

	if (in->family == FG_AF_INET) {
		k.prefixlen = 8 + 32;
		k.field = FG_FIELD_SRC4;
		__builtin_memcpy(k.addr, in->src, 4);
		if (!fg_cls_lookup(trie, &k, &s.c[0]))
			goto dflt;
		k.field = FG_FIELD_DST4;
		__builtin_memcpy(k.addr, in->dst, 4);
		if (!fg_cls_lookup(trie, &k, &s.c[1]))
			goto dflt;
	} else {
		k.prefixlen = 8 + 128;
		k.field = FG_FIELD_SRC6;
		__builtin_memcpy(k.addr, in->src, 16);
		if (!fg_cls_lookup(trie, &k, &s.c[0]))
			goto dflt;
		k.field = FG_FIELD_DST6;
		__builtin_memcpy(k.addr, in->dst, 16);
		if (!fg_cls_lookup(trie, &k, &s.c[1]))
			goto dflt;
	}
	__builtin_memset(k.addr, 0, sizeof(k.addr));
	k.prefixlen = 8 + 24;
	k.field = FG_FIELD_PORT;
	k.addr[0] = in->proto;
	k.addr[1] = in->port >> 8;
	k.addr[2] = in->port & 0xff;
	if (!fg_cls_lookup(trie, &k, &s.c[2]))
		goto dflt;

	s.lo = s.c[0].lo;
	if (s.c[1].lo > s.lo)
		s.lo = s.c[1].lo;
	if (s.c[2].lo > s.lo)
		s.lo = s.c[2].lo;
	hi = s.c[0].hi;
	if (s.c[1].hi < hi)
		hi = s.c[1].hi;
	if (s.c[2].hi < hi)
		hi = s.c[2].hi;
	if (s.lo > hi)
		goto dflt;

	if (!fg_scan_word(pool, s.c, s.lo, &word))
		return FG_CLS_ERR;
	if (word)
		return s.lo * 64 + fg_ctz64(word);

	n = hi - s.lo;
	if (n > FG_MAX_WORDS)
		n = FG_MAX_WORDS;
	if (n) {
		s.slot = slot;
		bpf_loop(n, fg_scan_cb, &s, 0);
		if (s.found == 1)
			return s.rule;
		if (s.found == 2)
			return FG_CLS_ERR;
	}
dflt:
	return dflt_id;
}

#endif /* FG_BPF_CLASSIFY_H */
