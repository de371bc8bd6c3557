// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_newflow.bpf.c - new-flow driver for BPF_PROG_TEST_RUN
 * micro-benchmarks. With repeat=R the kernel runs a program R times on the
 * same frame; this driver gives every run a distinct flow (initiator address
 * and port from a per-CPU sequence number) and tail-calls the program under
 * test at fgb_target[0], so every run is a new flow to it. Its own cost is
 * measured by pointing fgb_target[0] at the bare drop program and subtracted.
 */
#include "bpf/fg_bench_kern.h"

const volatile __u32 nf_saddr_base = 0xac100000;	/* 172.16.0.0, host */

FGB_PERCPU_COUNTER(nf_seq);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fgb_target SEC(".maps");

SEC("xdp")
int fg_bench_newflow(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *seq = bpf_map_lookup_elem(&nf_seq, &zero);

	if (!seq)
		return XDP_ABORTED;
	if (fgb_set_flow(ctx, (*seq)++, nf_saddr_base))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &fgb_target, 0);
	/* Empty slot: make the misconfiguration visible in the return value. */
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
