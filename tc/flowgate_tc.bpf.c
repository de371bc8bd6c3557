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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
