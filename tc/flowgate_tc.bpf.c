// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowgate_tc.bpf.c - TC (clsact, direct action) entry points: egress
 * always, ingress with --xdp-mode none. This object owns every map; the XDP
 * objects reuse them.
 */
#define FG_CTX_SKB 1

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "bpf/fg_core.h"

SEC("tc")
int fg_tc_ingress(struct __sk_buff *skb)
{
	return fg_process(skb, FG_HOOK_INGRESS);
}

SEC("tc")
int fg_tc_egress(struct __sk_buff *skb)
{
	return fg_process(skb, FG_HOOK_EGRESS);
}

/*
 * AF_XDP inspection (fg_inspect.h): the two helper programs live in this
 * object because it owns the maps.
 *
 * fg_insp_capture: XDP on the capture veth's peer. Every frame there was
 * put on the veth by a TC hook for the inspector: into this queue's XSK.
 */
SEC("xdp")
int fg_insp_capture(struct xdp_md *ctx)
{
	__u32 q = ctx->rx_queue_index;

	if (q >= FG_XSK_QMAX)
		return XDP_DROP;
	fg_insp_stamp(ctx);
	return bpf_redirect_map(&fg_xsks, FG_XSK_CAPTURE_BASE + q, XDP_DROP);
}

/*
 * fg_insp_reinject: TC ingress on the re-injection veth's peer. The
 * inspector transmitted an allowed frame with an 802.1Q tag naming (slot,
 * hook) in front (the stack has moved it to skb->vlan_tci by now): pop it,
 * mark the skb so our own hooks pass it, and deliver it where it was going:
 * received on its interface (ingress) or sent out of it (egress).
 */
SEC("tc")
int fg_insp_reinject(struct __sk_buff *skb)
{
	struct fg_counters *st = fg_stats_get();
	__u32 vid, slot, hook, *ifindex;

	if (!skb->vlan_present)
		return TC_ACT_SHOT;
	vid = skb->vlan_tci & 0xfff;
	if (!vid)
		return TC_ACT_SHOT;
	slot = FG_INSP_VID_SLOT(vid);
	hook = FG_INSP_VID_HOOK(vid);
	if (slot >= FG_MAX_IFACES)
		return TC_ACT_SHOT;
	ifindex = bpf_map_lookup_elem(&fg_insp_ifaces, &slot);
	if (!ifindex || !*ifindex)
		return TC_ACT_SHOT;
	if (bpf_skb_vlan_pop(skb))
		return TC_ACT_SHOT;
	skb->mark |= FG_MARK_REINJECTED;
	if (st)
		st->cnt[FG_CNT_INSPECT_REINJECTED]++;
	return bpf_redirect(*ifindex, hook == FG_HOOK_INGRESS ?
					      BPF_F_INGRESS : 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
