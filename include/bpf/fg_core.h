/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_core.h - fg_process(): the whole fast path for one packet, shared by
 * the XDP and TC entry points. Decision helpers only record a verdict in
 * struct fg_state; the single exit at the end of fg_process() turns it into
 * counters and the hook's return code, so every packet counts exactly one
 * verdict and every drop exactly one reason.
 */
#ifndef FG_BPF_CORE_H
#define FG_BPF_CORE_H

#include "flowgate.h"
#include "fg_ctx.h"
#include "fg_maps.h"
#include "fg_parse.h"
#include "fg_counters.h"
#include "fg_events.h"
#include "fg_classify.h"
#include "fg_flow.h"
#include "fg_frag.h"
#include "fg_inspect.h"	/* issue 4: AF_XDP inspection */

static __always_inline void fg_set_drop(struct fg_state *s, int reason)
{
	s->reason = reason;
	s->verdict = fg_drop_is_malformed(reason) ? FG_VERDICT_MALFORMED :
						    FG_VERDICT_DENY;
}

/* Does this rule deny, but only in monitor mode (deliver and log)? */
static __always_inline int fg_meta_would_deny(const struct fg_rule_meta *meta)
{
	return meta->action == FG_ACTION_DENY &&
	       (meta->flags & FG_RULE_F_MONITOR);
}

/* What a flow decided by meta records: monitor mode turns a deny into an
 * allow marked FG_FLOW_F_MONITOR, so the flow's later packets take the
 * known-flow path like any allowed flow. */
static __always_inline void fg_flow_set_action(struct fg_flow *f,
					       const struct fg_rule_meta *meta)
{
	if (fg_meta_would_deny(meta)) {
		f->action = FG_ACTION_ALLOW;
		f->flags |= FG_FLOW_F_MONITOR;
	} else {
		f->action = meta->action;
		f->flags &= ~FG_FLOW_F_MONITOR;
	}
}

/* A rule denied a new flow: drop, and tell user space if the rule logs.
 * In monitor mode: deliver, count and always log it as "would deny". */
static __always_inline void fg_deny_new(struct fg_state *s,
					const struct fg_pkt *pkt,
					const struct fg_rule_meta *meta)
{
	if (meta->flags & FG_RULE_F_MONITOR) {
		s->verdict = FG_VERDICT_ALLOW;
		s->reason = FG_DROP_POLICY;	/* the event's reason */
		s->ev_flags = FG_EV_F_MONITOR;
		fg_cnt(s, FG_CNT_WOULD_DENY);
		fg_event_emit(s, pkt, FG_EV_DENY);
		return;
	}
	fg_set_drop(s, FG_DROP_POLICY);
	if (meta->flags & FG_RULE_F_LOG)
		fg_event_emit(s, pkt, FG_EV_DENY);
}

/* A new packet's first matching rule decides it. */
static __always_inline void fg_apply_rule(struct fg_state *s,
					  const struct fg_pkt *pkt, int rule,
					  const struct fg_rule_meta *meta)
{
	s->rule = rule;
	s->action = meta->action;
	fg_rule_count(s, rule);
	if (meta->action == FG_ACTION_ALLOW)
		s->verdict = FG_VERDICT_ALLOW;
	else if (meta->action == FG_ACTION_INSPECT)	/* inspect: */
		s->verdict = FG_VERDICT_INSPECT;	/* fg_insp_finish */
	else
		fg_deny_new(s, pkt, meta);
}

static __always_inline void fg_cls_in_from_pkt(struct fg_cls_in *in,
					       const struct fg_pkt *pkt)
{
	__builtin_memcpy(in->src, pkt->src, 16);
	__builtin_memcpy(in->dst, pkt->dst, 16);
	in->port = pkt->cls_port;
	in->family = pkt->family;
	in->proto = pkt->proto;
}

/* Neighbour discovery / router messages / MLD: outside policy unless the
 * first matching rule names icmpv6 explicitly. No flow entry either way. */
static __always_inline void fg_decide_nd(struct fg_state *s,
					 const struct fg_pkt *pkt)
{
	struct fg_rule_meta *meta;
	struct fg_cls_in in;
	int rule;

	fg_cls_in_from_pkt(&in, pkt);
	rule = fg_classify(s->slot, &in);
	meta = rule == FG_CLS_ERR ? 0 : fg_rule_meta(s, rule);
	if (!meta) {
		fg_set_drop(s, FG_DROP_INTERNAL);
		return;
	}
	if (!(meta->flags & FG_RULE_F_ICMPV6_EXPL)) {
		s->verdict = FG_VERDICT_PASS;
		return;
	}
	fg_apply_rule(s, pkt, rule, meta);
}

/*
 * Policy reloaded since this flow was decided: decide it again with its own
 * initiator/responder and port value. 0, or -1 if classification failed.
 */
static __always_inline int fg_flow_recheck(struct fg_state *s,
					   const struct fg_fkey *k,
					   struct fg_flow *f)
{
	struct fg_rule_meta *meta;
	struct fg_cls_in in;
	int init_lo = !!(f->flags & FG_FLOW_F_INIT_LO);
	int rule;

	fg_fkey_addr(k, init_lo, in.src);
	fg_fkey_addr(k, !init_lo, in.dst);
	in.port = f->cls_port;
	in.family = k->family;
	in.proto = k->proto;
	rule = fg_classify(s->slot, &in);
	meta = rule == FG_CLS_ERR ? 0 : fg_rule_meta(s, rule);
	if (!meta)
		return -1;
	f->rule = rule;
	fg_flow_set_action(f, meta);
	fg_insp_recheck(f, meta);	/* inspect: keep its verdict */
	f->gen = s->gen;
	fg_cnt(s, FG_CNT_FLOW_RECHECK);
	return 0;
}

/*
 * ICMP/ICMPv6 error: if the packet it quotes belongs to an allowed flow of
 * this generation (or one in inspection), it is allowed with that flow
 * (RELATED). Returns 1 if so.
 */
static __always_inline int fg_related(fg_ctx_t *ctx, struct fg_state *s,
				      const struct fg_slot_cfg *cfg,
				      const struct fg_pkt *pkt)
{
	void *data = fg_ctx_data(ctx);
	void *data_end = fg_ctx_data_end(ctx);
	__u32 isrc[4] = {}, idst[4] = {};
	__u16 sport = 0, dport = 0;
	struct fg_fkey k;
	struct fg_flow *f;
	__u32 off = pkt->l4_off + 8;
	__u8 proto, *l4;
	void *p;
	int src_lo, dir;

	/* Verifier: a bounded offset before it is added to a packet
	 * pointer (headers we parse lie within the first 512 bytes). */
	if (off > 1024)
		return 0;
	p = data + off;
	if (pkt->family == FG_AF_INET) {
		struct iphdr *ip = p;

		if ((void *)(ip + 1) > data_end)
			return 0;
		if (ip->version != 4 || ip->ihl < 5)
			return 0;
		if (ip->frag_off & bpf_htons(0x1fff))
			return 0;
		isrc[0] = ip->saddr;
		idst[0] = ip->daddr;
		proto = ip->protocol;
		l4 = p + ip->ihl * 4;
	} else {
		struct ipv6hdr *ip6 = p;
		int l4_off;

		if ((void *)(ip6 + 1) > data_end)
			return 0;
		__builtin_memcpy(isrc, &ip6->saddr, 16);
		__builtin_memcpy(idst, &ip6->daddr, 16);
		l4_off = fg_quoted_ipv6_l4(ctx, off, &proto);
		/* Packet pointers are stale after a global call. */
		data = fg_ctx_data(ctx);
		data_end = fg_ctx_data_end(ctx);
		if (l4_off <= 0 || l4_off > FG_HDR_MAX)
			return 0;
		l4 = data + l4_off;
	}
	if ((void *)(l4 + 8) > data_end)
		return 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case FG_IPPROTO_UDPLITE:
	case FG_IPPROTO_SCTP:
		sport = *(__u16 *)l4;
		dport = *(__u16 *)(l4 + 2);
		break;
	case IPPROTO_ICMP:
		if (pkt->family == FG_AF_INET && fg_icmp4_has_id(l4[0]))
			sport = dport = *(__u16 *)(l4 + 4);
		break;
	case IPPROTO_ICMPV6:
		if (pkt->family == FG_AF_INET6 &&
		    (l4[0] == ICMPV6_ECHO_REQUEST || l4[0] == ICMPV6_ECHO_REPLY))
			sport = dport = *(__u16 *)(l4 + 4);
		break;
	}

	src_lo = fg_flow_key_make(&k, pkt->family, proto, isrc, sport, idst,
				  dport);
	f = fg_flow_lookup(&k);
	if (!f)
		return 0;
	if (fg_flow_expired(f, &k, cfg, s->now))
		return 0;
	/* Quoted flow decided under an older policy: re-check it first, as
	 * its own next packet would. */
	if (f->gen != s->gen && fg_flow_recheck(s, &k, f))
		return 0;
	/* A flow in inspection is allowed so far. The error carries no
	 * application data of its own, and PMTU discovery (frag needed,
	 * packet too big) must work while the inspector decides: related,
	 * never to the inspector. */
	if (f->action != FG_ACTION_ALLOW && f->action != FG_ACTION_INSPECT)
		return 0;

	/* The error travels against the packet it quotes. It does not
	 * refresh the flow's idle time. */
	dir = fg_flow_dir(f, src_lo);
	if (dir == FG_DIR_ORIG) {
		__sync_fetch_and_add(&f->packets[FG_DIR_REPLY], 1);
		__sync_fetch_and_add(&f->bytes[FG_DIR_REPLY], s->len);
	} else {
		__sync_fetch_and_add(&f->packets[FG_DIR_ORIG], 1);
		__sync_fetch_and_add(&f->bytes[FG_DIR_ORIG], s->len);
	}
	s->rule = f->rule;
	s->action = FG_ACTION_ALLOW;
	s->verdict = FG_VERDICT_ALLOW;
	fg_rule_count(s, s->rule);
	fg_cnt(s, FG_CNT_RELATED);
	return 1;
}

/* Packet of a tracked, unexpired flow. */
static __always_inline void fg_known_flow(struct fg_state *s,
					  const struct fg_pkt *pkt,
					  const struct fg_fkey *k,
					  struct fg_flow *f, int src_lo)
{
	int dir = fg_flow_dir(f, src_lo);

	if (f->gen != s->gen && fg_flow_recheck(s, k, f)) {
		fg_set_drop(s, FG_DROP_INTERNAL);
		return;
	}
	s->rule = f->rule;
	s->action = f->action;
	fg_rule_count(s, s->rule);
	fg_flow_account(f, dir, s->len, s->now);
	if (f->action != FG_ACTION_ALLOW &&
	    f->action != FG_ACTION_INSPECT) {	/* inspect: in progress */
		fg_set_drop(s, FG_DROP_FLOW_DENIED);
		return;
	}
	if (f->flags & FG_FLOW_F_MONITOR)	/* protect would drop it */
		fg_cnt(s, FG_CNT_WOULD_DENY);
	if (pkt->proto == IPPROTO_TCP)
		fg_tcp_update(f, pkt->tcp_flags, dir);
	s->verdict = f->action == FG_ACTION_INSPECT ? FG_VERDICT_INSPECT :
						      FG_VERDICT_ALLOW;
}

/* No (usable) flow: classify, insert, decide. */
static __always_inline void fg_new_flow(struct fg_state *s,
					const struct fg_pkt *pkt,
					const struct fg_fkey *k,
					int src_lo)
{
	struct fg_rule_meta *meta;
	struct fg_cls_in in;
	struct fg_flow nf = {};
	int tcp = pkt->proto == IPPROTO_TCP;
	int dir = FG_DIR_ORIG, init_lo = src_lo;
	__u16 cls_port = pkt->cls_port;
	int rule;

	fg_cls_in_from_pkt(&in, pkt);
	rule = fg_classify(s->slot, &in);
	meta = rule == FG_CLS_ERR ? 0 : fg_rule_meta(s, rule);
	if (!meta) {
		fg_set_drop(s, FG_DROP_INTERNAL);
		return;
	}
	nf.state = tcp ? FG_STATE_SYN : FG_STATE_ESTABLISHED;

	if (tcp && !fg_tcp_pure_syn(pkt->tcp_flags)) {
		/* Mid-stream pickup (evicted flow, restart): allowed as seen,
		 * or as the reply of a flow the other side may open. */
		if (meta->action == FG_ACTION_DENY) {	/* inspect: allows */
			struct fg_rule_meta *rmeta;
			int rrule;

			__builtin_memcpy(in.src, pkt->dst, 16);
			__builtin_memcpy(in.dst, pkt->src, 16);
			in.port = bpf_ntohs(pkt->sport);
			rrule = fg_classify(s->slot, &in);
			rmeta = rrule == FG_CLS_ERR ? 0 :
				fg_rule_meta(s, rrule);
			if ((!rmeta || rmeta->action == FG_ACTION_DENY) &&
			    !(meta->flags & FG_RULE_F_MONITOR)) {
				/* No entry: a stray segment must not block
				 * the real flow with a denied entry. */
				s->rule = rule;
				s->action = meta->action;
				fg_rule_count(s, rule);
				fg_deny_new(s, pkt, meta);
				return;
			}
			/* Monitor mode tracks a stray segment as seen: an
			 * allowed entry blocks nothing, and the connections
			 * that were open when monitoring began stay fast. */
			if (rmeta && rmeta->action != FG_ACTION_DENY) {
				rule = rrule;
				meta = rmeta;
				dir = FG_DIR_REPLY;
				init_lo = !src_lo;
				cls_port = in.port;
			}
		}
		nf.state = FG_STATE_ESTABLISHED;
		nf.flags = FG_FLOW_F_PICKUP;
		fg_cnt(s, FG_CNT_FLOW_PICKUP);
	}

	nf.created_ns = s->now;
	nf.last_ns = s->now;
	if (dir == FG_DIR_ORIG) {
		nf.packets[FG_DIR_ORIG] = 1;
		nf.bytes[FG_DIR_ORIG] = s->len;
	} else {
		nf.packets[FG_DIR_REPLY] = 1;
		nf.bytes[FG_DIR_REPLY] = s->len;
	}
	nf.rule = rule;
	nf.gen = s->gen;
	fg_flow_set_action(&nf, meta);
	if (meta->action == FG_ACTION_INSPECT)		/* inspect */
		nf.inspect_state = FG_INSPECT_PENDING;
	if (init_lo)
		nf.flags |= FG_FLOW_F_INIT_LO;
	nf.ifindex = s->ifindex;
	nf.cls_port = cls_port;
	if (tcp && (nf.flags & FG_FLOW_F_PICKUP))
		fg_tcp_update(&nf, pkt->tcp_flags, dir);

	if (fg_flow_insert(k, &nf))
		fg_cnt(s, FG_CNT_FLOW_INSERT_FAIL);
	else
		fg_cnt(s, FG_CNT_FLOW_NEW);

	fg_apply_rule(s, pkt, rule, meta);
}

static __always_inline void fg_decide_flow(struct fg_state *s,
					   const struct fg_slot_cfg *cfg,
					   const struct fg_pkt *pkt)
{
	struct fg_fkey k;
	struct fg_flow *f;
	int src_lo;

	src_lo = fg_flow_key_make(&k, pkt->family, pkt->proto, pkt->src,
				  pkt->sport, pkt->dst, pkt->dport);
	f = fg_flow_lookup(&k);
	if (f) {
		if (fg_flow_expired(f, &k, cfg, s->now)) {
			fg_cnt(s, FG_CNT_FLOW_EXPIRED);
		} else if (pkt->proto == IPPROTO_TCP &&
			   fg_tcp_pure_syn(pkt->tcp_flags) &&
			   f->state == FG_STATE_CLOSED) {
			/* A new connection reusing a closed one's ports. */
		} else {
			fg_known_flow(s, pkt, &k, f, src_lo);
			return;
		}
	}
	fg_new_flow(s, pkt, &k, src_lo);
}

/* How a first fragment was decided, for its datagram's later fragments. */
static __always_inline __u8 fg_frag_action(const struct fg_state *s)
{
	if (s->reason == FG_DROP_FRAG_UNINSPECTABLE)	/* also in monitor */
		return FG_ACTION_INSPECT;
	if (s->verdict == FG_VERDICT_ALLOW || s->verdict == FG_VERDICT_PASS)
		return FG_ACTION_ALLOW;
	return FG_ACTION_DENY;
}

/*
 * Everything after parsing: policy presence, fragments, ND, ICMP errors,
 * flows. Records the decision in *s. Inlined into fg_process(): parsing
 * stays a global function, so the verifier still walks the decision paths
 * once per parse result, not once per header layout (~33k instructions
 * processed for XDP), and the packet saves a call and a second read of
 * the control block.
 */
static __always_inline void fg_decide(fg_ctx_t *ctx, struct fg_state *s,
				      struct fg_pkt *pkt,
				      const struct fg_ctl *ctl)
{
	const struct fg_slot_cfg *cfg;
	int r;

	if (!s->gen) {
		fg_set_drop(s, FG_DROP_NO_POLICY);
		return;
	}
	cfg = &ctl->slot[s->slot & 1];

	if (pkt->frag == FG_FRAG_LATER) {
		fg_cnt(s, FG_CNT_FRAG_LATER);
		r = fg_frag_later(s, pkt);
		if (r) {
			fg_set_drop(s, r);
			fg_event_emit(s, pkt, FG_EV_FRAG);
		} else {
			s->verdict = FG_VERDICT_ALLOW;
			fg_rule_count(s, s->rule);
		}
		return;
	}
	if (pkt->frag == FG_FRAG_FIRST)
		fg_cnt(s, FG_CNT_FRAG_FIRST);

	if (pkt->kind == FG_PK_ND)
		fg_decide_nd(s, pkt);
	else if (pkt->kind != FG_PK_ICMP_ERR || !fg_related(ctx, s, cfg, pkt))
		fg_decide_flow(s, cfg, pkt);
	if (s->verdict == FG_VERDICT_INSPECT)		/* inspect */
		fg_insp_finish(ctx, s, ctl, pkt);

	if (pkt->frag == FG_FRAG_FIRST)
		fg_frag_store(s, pkt, fg_frag_action(s));
}

static __always_inline int fg_process(fg_ctx_t *ctx, __u8 hook)
{
	struct fg_state s = {};
	struct fg_pkt pkt = {};
	struct fg_ctl *ctl;
	int r, dropped;

	if (fg_insp_reinjected(ctx))	/* inspect: already decided */
		return FG_RET_PASS;
	fg_ctx_prepare(ctx);
	ctl = fg_ctl_get();
	if (!ctl)		/* single-entry array: cannot happen */
		return FG_RET_DROP;
	s.hook = hook;
	s.ifindex = fg_ctx_ifindex(ctx);
	s.len = fg_ctx_len(ctx);
	/* Coarse clock (CLOCK_MONOTONIC_COARSE, tick resolution) for flow
	 * ages and timeouts: the precise one cost ~20 ns per packet here and
	 * timeouts are seconds. Same time base as CLOCK_MONOTONIC. */
	s.now = bpf_ktime_get_coarse_ns();
	s.rule = FG_RULE_NONE;
	/* Fail closed: a path that forgets to decide drops. */
	s.verdict = FG_VERDICT_DENY;
	s.reason = FG_DROP_INTERNAL;
	/* The one read of the generation: everything below uses its slot,
	 * so a reload never shows this packet half of a policy. */
	s.gen = *(volatile __u32 *)&ctl->generation;
	s.slot = s.gen & 1;
	s.max_rules = ctl->max_rules;

	r = fg_parse(ctx, &pkt);
	if (r == FG_PARSE_NONIP) {
		s.verdict = FG_VERDICT_PASS;
	} else if (r != FG_PARSE_OK) {
		fg_set_drop(&s, r);
		fg_event_emit(&s, &pkt, r >= FG_DROP_FRAG_NO_FIRST &&
					r <= FG_DROP_FRAG_BAD ?
					FG_EV_FRAG : FG_EV_MALFORMED);
	} else {
		fg_decide(ctx, &s, &pkt, ctl);
	}

	if (s.verdict == FG_VERDICT_INSPECT) {	/* inspect: to the XSK */
		fg_count_verdict(&s, 0);
		return fg_insp_redirect(ctx, &s);
	}
	dropped = s.verdict == FG_VERDICT_DENY ||
		  s.verdict == FG_VERDICT_MALFORMED;
	fg_count_verdict(&s, dropped);
	return dropped ? FG_RET_DROP : FG_RET_PASS;
}

#endif /* FG_BPF_CORE_H */
