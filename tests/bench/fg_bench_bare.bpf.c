// SPDX-License-Identifier: GPL-2.0-only
/*
 * fg_bench_bare.bpf.c - the baseline device under test: count the packet in
 * a per-CPU counter and return a fixed action (XDP_DROP unless user space
 * sets bare_action before load). It is the ceiling any XDP firewall on the
 * same path can reach.
 */
#include "fg_bench_kern.h"

const volatile __u32 bare_action = XDP_DROP;
/* Also read a clock, as every flowgate packet does, to show what that
 * alone costs on this machine: 1 = bpf_ktime_get_ns(), 2 =
 * bpf_ktime_get_coarse_ns() (tick resolution). */
const volatile __u32 bare_read_clock = 0;

FGB_PERCPU_COUNTER(bare_count);
/* Where the clock reading goes, so the call is not optimised away. */
FGB_PERCPU_COUNTER(bare_last_ns);

SEC("xdp")
int fg_bench_bare(struct xdp_md *ctx)
{
	__u32 zero = 0;
	__u64 *cnt = bpf_map_lookup_elem(&bare_count, &zero);

	if (cnt)
		(*cnt)++;
	if (bare_read_clock) {
		__u64 *t = bpf_map_lookup_elem(&bare_last_ns, &zero);

		if (t)
			*t = bare_read_clock == 2 ? bpf_ktime_get_coarse_ns() :
						    bpf_ktime_get_ns();
	}
	return bare_action;
}

char LICENSE[] SEC("license") = "GPL";
