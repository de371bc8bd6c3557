// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowgate_xdp.bpf.c - XDP ingress entry point. The logic lives in
 * include/bpf/ (fg_core.h); this object only binds it to the XDP context.
 * User space loads one copy per interface, its maps pointed at the TC
 * object's (see userspace/datapath.c).
 */
#define FG_CTX_XDP 1

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <xdp/xdp_helpers.h>

#include "bpf/fg_core.h"

/* libxdp dispatcher: run early, and let programs after us see what we
 * pass. */
struct {
	__uint(priority, 10);
	__uint(XDP_PASS, 1);
} XDP_RUN_CONFIG(fg_xdp);

SEC("xdp")
int fg_xdp(struct xdp_md *ctx)
{
	return fg_process(ctx, FG_HOOK_INGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
