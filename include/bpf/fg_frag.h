/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_frag.h - later fragments inherit the verdict of their datagram's first
 * fragment (IPv4 and IPv6). Out of order: a later fragment that arrives
 * before its first finds no verdict and is dropped (FRAG_NO_FIRST); a
 * datagram is never passed unchecked. A datagram of payload under
 * inspection is dropped whole (fg_inspect.h, fg_insp_frag).
 */
#ifndef FG_BPF_FRAG_H
#define FG_BPF_FRAG_H

#include "flowgate.h"
#include "fg_maps.h"
#include "fg_parse.h"
#include "fg_counters.h"

static __always_inline void fg_frag_key_make(struct fg_frag_key *k,
					     const struct fg_pkt *pkt)
{
	__builtin_memcpy(k->src, pkt->src, 16);
	__builtin_memcpy(k->dst, pkt->dst, 16);
	k->id = pkt->frag_id;
	k->proto = pkt->frag_nh;
	k->family = pkt->family;
	k->pad = 0;
}

/* First fragment: remember how its datagram was decided. */
static __always_inline void fg_frag_store(struct fg_state *s,
					  const struct fg_pkt *pkt,
					  __u8 action)
{
	struct fg_frag_key k;
	struct fg_frag v = {};

	fg_frag_key_make(&k, pkt);
	v.last_ns = s->now;
	v.rule = s->rule;
	v.gen = s->gen;
	v.action = action;
	bpf_map_update_elem(&fg_frags, &k, &v, BPF_ANY);
}

/* Later fragment of a datagram the inspector could not see whole
 * (fg_insp_frag): dropped like its first, or delivered as would-deny in
 * monitor mode. */
static __always_inline int fg_frag_uninspectable(struct fg_state *s)
{
	struct fg_rule_meta *meta = fg_rule_meta(s, s->rule);

	if (meta && (meta->flags & FG_RULE_F_MONITOR)) {
		fg_cnt(s, FG_CNT_WOULD_DENY);
		return 0;
	}
	return FG_DROP_FRAG_UNINSPECTABLE;
}

/* Later fragment: returns 0 to allow, or the drop reason. */
static __always_inline int fg_frag_later(struct fg_state *s,
					 const struct fg_pkt *pkt)
{
	struct fg_frag_key k;
	struct fg_frag *v;

	fg_frag_key_make(&k, pkt);
	v = bpf_map_lookup_elem(&fg_frags, &k);
	if (!v)
		return FG_DROP_FRAG_NO_FIRST;
	if (s->now > v->last_ns && s->now - v->last_ns > FG_FRAG_TIMEOUT_NS)
		return FG_DROP_FRAG_NO_FIRST;
	/* Decided under another policy: the datagram must be decided again
	 * from its first fragment, which is gone. */
	if (v->gen != s->gen)
		return FG_DROP_FRAG_NO_FIRST;
	s->rule = v->rule;
	s->action = v->action;
	if (v->action == FG_ACTION_INSPECT)
		return fg_frag_uninspectable(s);
	if (v->action != FG_ACTION_ALLOW)
		return FG_DROP_FRAG_DENIED;
	return 0;
}

#endif /* FG_BPF_FRAG_H */
