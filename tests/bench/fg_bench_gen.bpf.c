// SPDX-License-Identifier: GPL-2.0-only
/*
 * fg_bench_gen.bpf.c - in-kernel traffic generator. Run with
 * BPF_PROG_TEST_RUN + BPF_F_TEST_XDP_LIVE_FRAMES and ctx.ingress_ifindex set
 * to a veth: every XDP_TX leaves through that veth for real and arrives at
 * its peer (which must have an XDP program, or veth drops the frame).
 *
 * Frames come from a page pool initialised once with the template, and our
 * writes persist in recycled pages, so each run rewrites the flow identity
 * of the frame it is given from a per-CPU sequence number:
 *   gen_flows == 1: leave the template alone (one flow);
 *   gen_flows == 0: every frame a new flow (sequence number as flow index);
 *   otherwise:      rotate over gen_flows flows.
 */
#include "fg_bench_kern.h"

const volatile __u32 gen_flows = 1;
const volatile __u32 gen_saddr_base = 0xac100000;	/* 172.16.0.0, host */

/* Frames handed to XDP_TX (the generator's "sent"). */
FGB_PERCPU_COUNTER(gen_sent);

SEC("xdp")
int fg_bench_gen(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&gen_sent, &zero);
	__u64 n;

	if (!seq)
		return XDP_ABORTED;
	n = (*seq)++;
	if (gen_flows != 1) {
		__u64 idx = gen_flows ? n % gen_flows : n;

		if (fgb_set_flow(ctx, idx, gen_saddr_base))
			return XDP_ABORTED;
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
