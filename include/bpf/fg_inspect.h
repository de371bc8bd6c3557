/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_inspect.h - the kernel half of AF_XDP inspection (issue 4; design in
 * docs/inspector-datapath.md).
 *
 * A flow whose rule has FG_RULE_F_INSPECT carries action FG_ACTION_INSPECT
 * until the inspector writes its verdict into the flow entry. While it does,
 * fg_core.h records verdict FG_VERDICT_INSPECT for its packets and
 * fg_insp_finish() narrows that down: packets without payload, and payload
 * in a direction the rule does not inspect, are allowed here; payload in an
 * inspected direction goes to the inspector (fg_insp_redirect() at the
 * hook's exit) if one is alive, else inspect_failure decides.
 *
 * XDP redirects into the XSKMAP entry of (interface slot, rx queue). TC
 * hooks cannot reach an XSK directly: they push an 802.1Q tag naming
 * (interface slot, hook) and redirect the frame onto the capture veth, whose
 * peer runs fg_insp_capture (XDP) into its queue's XSK. The inspector sends
 * allowed frames back, tagged the same way, through the re-injection veth,
 * where fg_insp_reinject (TC ingress) pops the tag, marks the skb and
 * redirects it to where it was going.
 */
#ifndef FG_BPF_INSPECT_H
#define FG_BPF_INSPECT_H

#include "flowgate.h"
#include "fg_ctx.h"
#include "fg_maps.h"
#include "fg_parse.h"
#include "fg_counters.h"
#include "fg_events.h"
#include "fg_flow.h"

/* One AF_XDP socket per (interface slot, rx queue); see FG_XSK_*. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, FG_XSK_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} fg_xsks SEC(".maps");

/* Per fg_xsks key: FG_INSP_OVERLOAD while the worker behind that socket
 * is overloaded or hung (written by user space through mmap,
 * insp_overload.c). Payload bound for it then gets inspect_failure; the
 * other queues' workers keep inspecting. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_XSK_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(map_flags, BPF_F_MMAPABLE);
} fg_insp_busy SEC(".maps");

/* Interface slot -> ifindex (re-injection); FG_INSP_CAPTURE_IDX -> the
 * capture veth's ifindex (0: none, TC payload then counts as no
 * inspector). Written by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_MAX_IFACES + 1);
	__type(key, __u32);
	__type(value, __u32);
} fg_insp_ifaces SEC(".maps");

/* Counter slot of an interface registered by user space, or -1. */
static __always_inline int fg_insp_iface_slot(__u32 ifindex)
{
	__u32 *slot1;

	if (ifindex < FG_IFINDEX_DIRECT)
		slot1 = bpf_map_lookup_elem(&fg_iface_idx, &ifindex);
	else
		slot1 = bpf_map_lookup_elem(&fg_iface_idx_big, &ifindex);
	if (!slot1 || !*slot1 || *slot1 > FG_MAX_IFACES)
		return -1;
	return *slot1 - 1;
}

/* Length of the L4 header at pkt->l4_off (TCP: its data offset; UDP: 8;
 * other protocols: 0), or -1 if it cannot be read. */
static __always_inline int fg_insp_l4_hdr_len(fg_ctx_t *ctx,
					      const struct fg_pkt *pkt)
{
	void *data = fg_ctx_data(ctx);
	void *data_end = fg_ctx_data_end(ctx);
	__u32 l4 = pkt->l4_off;
	__u8 *doff;

	if (pkt->proto == IPPROTO_UDP)
		return 8;
	if (pkt->proto != IPPROTO_TCP)
		return 0;
	/* Verifier: a bounded offset before it meets packet pointers. */
	if (l4 > FG_HDR_MAX)
		return -1;
	doff = data + l4 + 12;
	if ((void *)(doff + 1) > data_end)
		return -1;
	return (*doff >> 4) * 4;
}

/* Does the L4 segment carry payload? By the IP header's length, so
 * Ethernet padding of short frames never counts. Unknown: yes. */
static __always_inline int fg_insp_has_payload(fg_ctx_t *ctx,
					       const struct fg_pkt *pkt)
{
	void *data = fg_ctx_data(ctx);
	void *data_end = fg_ctx_data_end(ctx);
	__u32 l3 = pkt->l3_off, end;
	int hdr;

	/* Verifier: bounded offsets before they meet packet pointers. */
	if (l3 > FG_HDR_MAX)
		return 1;
	if (pkt->family == FG_AF_INET) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > data_end)
			return 1;
		end = l3 + bpf_ntohs(ip->tot_len);
	} else {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > data_end)
			return 1;
		end = l3 + sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	}
	hdr = fg_insp_l4_hdr_len(ctx, pkt);
	if (hdr < 0)
		return 1;
	return end > pkt->l4_off + hdr;
}

/*
 * Is the frame longer than the inspector's path carries (limits in
 * fg_ctl.insp_len_max, set by the inspector from its UMEM frames and the
 * capture veth's MTU)? XDP: the frame as seen (a program without frags
 * support sees all of it). TC: skb->len, or for a GSO skb one segment:
 * headers up to the L4 payload plus gso_size, since the capture veth cuts
 * it into such segments.
 */
static __always_inline int fg_insp_oversize(fg_ctx_t *ctx,
					    const struct fg_state *s,
					    const struct fg_ctl *ctl,
					    const struct fg_pkt *pkt)
{
#if defined(FG_CTX_XDP)
	return s->len > ctl->insp_len_max[FG_INSP_PATH_XSK];
#else
	__u32 max = ctl->insp_len_max[FG_INSP_PATH_CAPTURE];
	__u32 gso = ctx->gso_size;
	int hdr;

	if (!gso || s->len <= max)
		return s->len > max;
	hdr = fg_insp_l4_hdr_len(ctx, pkt);
	if (hdr < 0)
		return 1;
	return pkt->l4_off + hdr + gso > max;
#endif
}

/* Is an inspector alive and keeping up? */
static __always_inline int fg_insp_alive(const struct fg_ctl *ctl,
					 __u64 now)
{
	__u32 beat = *(volatile __u32 *)&ctl->inspector;
	__u32 age;

	if (!beat || (beat & FG_INSP_OVERLOAD))
		return 0;
	age = (FG_INSP_BEAT(now) - beat) >> 1;
	/* A beat slightly ahead of our coarse clock wraps to a huge age:
	 * accept it. */
	return age <= FG_INSP_BEAT_TIMEOUT || age > 0x7fffff00U;
}

/* Is the worker behind fg_xsks key overloaded or hung? */
static __always_inline int fg_insp_busy_key(__u32 key)
{
	__u32 *b = bpf_map_lookup_elem(&fg_insp_busy, &key);

	return b && (*(volatile __u32 *)b & FG_INSP_OVERLOAD);
}

/*
 * Does the hook have somewhere to send this packet? XDP: an XSK for its
 * rx queue. TC: a capture veth. Either with a worker keeping up.
 */
static __always_inline int fg_insp_has_target(fg_ctx_t *ctx,
					      const struct fg_state *s)
{
#if defined(FG_CTX_XDP)
	__u32 q = ctx->rx_queue_index, key;
	int slot = fg_insp_iface_slot(s->ifindex);

	if (slot < 0 || q >= FG_XSK_QMAX)
		return 0;
	key = slot * FG_XSK_QMAX + q;
	return !fg_insp_busy_key(key) &&
	       bpf_map_lookup_elem(&fg_xsks, &key) != 0;
#else
	__u32 idx = FG_INSP_CAPTURE_IDX, *cap;

	if (fg_insp_iface_slot(s->ifindex) < 0)
		return 0;
	cap = bpf_map_lookup_elem(&fg_insp_ifaces, &idx);
	/* The capture veth has one queue, one worker. */
	return cap && *cap && !fg_insp_busy_key(FG_XSK_CAPTURE_BASE);
#endif
}

/*
 * Refuse a packet the inspector should see but cannot: drop it with
 * `reason`, or in monitor mode deliver it as a would-deny. One event per
 * packet of type ev_type, in monitor mode always, else if log_deny.
 */
static __always_inline void fg_insp_refuse(struct fg_state *s,
					   const struct fg_pkt *pkt,
					   const struct fg_rule_meta *meta,
					   __u8 reason, int ev_type,
					   int log_deny)
{
	s->reason = reason;
	if (meta->flags & FG_RULE_F_MONITOR) {
		s->ev_flags = FG_EV_F_MONITOR;
		fg_cnt(s, FG_CNT_WOULD_DENY);
		fg_event_emit(s, pkt, ev_type);
		return;
	}
	s->verdict = FG_VERDICT_DENY;
	if (log_deny)
		fg_event_emit(s, pkt, ev_type);
}

/*
 * A first fragment of a datagram the inspector would have to see. It holds
 * part of the L4 payload, or none (the L4 header alone, the payload in later
 * fragments), and the inspector does no IP reassembly: redirected, it would
 * be judged on a part; allowed, fragmenting would evade inspection. So the
 * datagram is dropped, later fragments too (fg_frag_store() records action
 * INSPECT for fg_frag_later()). Monitor mode delivers it as would-deny.
 */
static __always_inline void fg_insp_frag(struct fg_state *s,
					 const struct fg_pkt *pkt,
					 const struct fg_rule_meta *meta)
{
	fg_insp_refuse(s, pkt, meta, FG_DROP_FRAG_UNINSPECTABLE, FG_EV_FRAG, 1);
}

/*
 * The deciding code recorded FG_VERDICT_INSPECT for a packet of a flow in
 * inspection: keep it (the hook redirects), or allow it here, or drop an
 * uninspectable fragment, or apply inspect_failure (no inspector, or a
 * frame too long for it).
 */
static __always_inline void fg_insp_finish(fg_ctx_t *ctx, struct fg_state *s,
					   const struct fg_ctl *ctl,
					   const struct fg_pkt *pkt)
{
	struct fg_rule_meta *meta;
	struct fg_fkey k;
	struct fg_flow *f;
	int src_lo, dir;

	meta = fg_rule_meta(s, s->rule);
	if (!meta) {		/* cannot happen: the rule was just read */
		s->reason = FG_DROP_INTERNAL;
		s->verdict = FG_VERDICT_DENY;
		return;
	}
	s->verdict = FG_VERDICT_ALLOW;
	/* A first fragment's datagram goes on in later fragments, beyond
	 * the L4 header (FRAG_OVERLAP): it has payload even when this one
	 * has none. */
	if (pkt->frag == FG_FRAG_NONE && !fg_insp_has_payload(ctx, pkt))
		return;
	/* Which direction: the flow knows its initiator. A lookup again,
	 * but only for payload of flows in inspection. */
	src_lo = fg_flow_key_make(&k, pkt->family, pkt->proto, pkt->src,
				  pkt->sport, pkt->dst, pkt->dport);
	f = fg_flow_lookup(&k);
	dir = f ? fg_flow_dir(f, src_lo) : FG_DIR_ORIG;
	if (!(meta->inspect_dirs & (1U << dir)))
		return;

	/* An inspector that could take the packet: a fragment is refused
	 * here, whatever inspect_failure says, since an attacker chooses to
	 * fragment; without one, inspect_failure applies to fragments as to
	 * any payload (open: nothing is inspected, nothing to evade). */
	if (f && fg_insp_alive(ctl, s->now) && fg_insp_has_target(ctx, s)) {
		/* A reply read only to log it (DNS answers) passes unlogged
		 * when the inspector cannot see it whole. */
		int log_only = dir == FG_DIR_REPLY &&
			       (meta->inspect_dirs & FG_INSPECT_REPLY_LOG_ONLY);

		if (pkt->frag != FG_FRAG_NONE) {
			if (!log_only)
				fg_insp_frag(s, pkt, meta);
			return;
		}
		if (!fg_insp_oversize(ctx, s, ctl, pkt)) {
			s->verdict = FG_VERDICT_INSPECT;
			return;
		}
		/* Too long for the inspector's path, where it would be lost:
		 * inspect_failure decides, with its own counter and reason,
		 * and an event when dropped. */
		fg_cnt(s, FG_CNT_INSPECT_OVERSIZE);
		if (log_only || (ctl->flags & FG_CTL_F_INSPECT_OPEN))
			return;
		fg_insp_refuse(s, pkt, meta, FG_DROP_INSPECT_OVERSIZE,
			       FG_EV_DENY, 1);
		return;
	}
	if (ctl->flags & FG_CTL_F_INSPECT_OPEN) {
		fg_cnt(s, FG_CNT_INSPECT_FAIL_OPEN);
		return;
	}
	fg_cnt(s, FG_CNT_INSPECT_FAIL_CLOSED);
	/* Monitor mode delivers everything: what closed would drop is a
	 * would-deny, logged once per packet like a denied new flow. */
	fg_insp_refuse(s, pkt, meta, FG_DROP_INSPECT_UNAVAILABLE, FG_EV_DENY, 0);
}

/* A flow decided again after a reload: an inspector's verdict under a rule
 * that still inspects stands (inspect_state DONE); otherwise the rule's. */
static __always_inline void fg_insp_recheck(struct fg_flow *f,
					    const struct fg_rule_meta *meta)
{
	if (meta->action == FG_ACTION_INSPECT &&
	    f->inspect_state == FG_INSPECT_DONE &&
	    (f->user_verdict == FG_ACTION_ALLOW ||
	     f->user_verdict == FG_ACTION_DENY))
		f->action = f->user_verdict;
	else if (meta->action == FG_ACTION_INSPECT)
		f->inspect_state = FG_INSPECT_PENDING;
}

/* Stamp an XDP frame bound for an XSK with the time it was first seen.
 * Best effort: no room for metadata leaves the frame unstamped. */
static __always_inline void fg_insp_stamp(struct xdp_md *ctx)
{
	struct fg_insp_meta *m;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m)))
		return;
	m = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(m + 1) > data)
		return;
	m->magic = FG_INSP_META_MAGIC;
	m->ts_ns = bpf_ktime_get_ns();
}

#if defined(FG_CTX_XDP)

static __always_inline int fg_insp_reinjected(fg_ctx_t *ctx)
{
	return 0;	/* re-injected frames enter after XDP */
}

/* Hand the frame to its queue's XSK. Racing with a socket's removal, the
 * frame is dropped (fail closed). */
static __always_inline int fg_insp_redirect(fg_ctx_t *ctx, struct fg_state *s)
{
	int slot = fg_insp_iface_slot(s->ifindex);
	__u32 q = ctx->rx_queue_index;

	if (slot < 0 || q >= FG_XSK_QMAX)
		return XDP_DROP;
	fg_cnt(s, FG_CNT_INSPECT_REDIRECT);
	fg_insp_stamp(ctx);
	return bpf_redirect_map(&fg_xsks, slot * FG_XSK_QMAX + q, XDP_DROP);
}

#else /* FG_CTX_SKB */

static __always_inline int fg_insp_reinjected(fg_ctx_t *ctx)
{
	return (ctx->mark & FG_MARK_REINJECTED) == FG_MARK_REINJECTED;
}

/* Tag the frame with (slot, hook) and send it to the capture veth. The tag
 * goes into the frame's bytes (not skb->vlan_tci) so the capture peer's XDP
 * program, and the XSK, see it. */
static __always_inline int fg_insp_redirect(fg_ctx_t *ctx, struct fg_state *s)
{
	__u32 idx = FG_INSP_CAPTURE_IDX, *cap;
	int slot = fg_insp_iface_slot(s->ifindex);
	__u8 macs[12];
	__u16 tag[2];

	cap = bpf_map_lookup_elem(&fg_insp_ifaces, &idx);
	if (slot < 0 || !cap || !*cap)
		return TC_ACT_SHOT;
	if (bpf_skb_load_bytes(ctx, 0, macs, sizeof(macs)) ||
	    bpf_skb_change_head(ctx, 4, 0) ||
	    bpf_skb_store_bytes(ctx, 0, macs, sizeof(macs), 0))
		return TC_ACT_SHOT;
	tag[0] = bpf_htons(0x8100);
	tag[1] = bpf_htons(FG_INSP_VID(slot, s->hook));
	if (bpf_skb_store_bytes(ctx, 12, tag, sizeof(tag), 0))
		return TC_ACT_SHOT;
	fg_cnt(s, FG_CNT_INSPECT_REDIRECT);
	return bpf_redirect(*cap, 0);
}

#endif

#endif /* FG_BPF_INSPECT_H */
