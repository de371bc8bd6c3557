// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_bare.bpf.c - the bare programs of `flowgate bench`: count the
 * packet in a per-CPU counter and return a fixed action set before load.
 *   XDP_DROP: the baseline device under test (the ceiling any XDP firewall
 *             on the same path can reach), and the sink's counter;
 *   XDP_PASS: the "no firewall" DUT, and the counter in front of firewalls
 *             that are not XDP programs (nftables, iptables).
 * bare_known_base (sink): also count frames whose source address (its last
 * 32 bits) lies in the generator's known-flow range, so the delivery share
 * of established flows during a SYN flood can be told apart.
 */
#include "bpf/fg_bench_kern.h"

const volatile __u32 bare_action = XDP_DROP;
/* Also read a clock, as every flowgate packet does, to show what that
 * alone costs on this machine: 1 = bpf_ktime_get_ns(), 2 =
 * bpf_ktime_get_coarse_ns() (tick resolution). */
const volatile __u32 bare_read_clock = 0;
const volatile __u32 bare_known_base = 0;	/* host order; 0: off */

/* [0] every frame, [1] frames of known flows (bare_known_base). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} bare_count SEC(".maps");
/* Where the clock reading goes, so the call is not optimised away. */
FGB_PERCPU_COUNTER(bare_last_ns);

static __always_inline bool is_known(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 a;

	if ((void *)(eth + 1) > end)
		return false;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end)
			return false;
		a = bpf_ntohl(ip->saddr);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return false;
		a = bpf_ntohl(ip6->saddr.in6_u.u6_addr32[3]);
	} else {
		return false;
	}
	return a - bare_known_base < FGB_KNOWN_ADDRS;
}

SEC("xdp")
int fg_bench_bare(struct xdp_md *ctx)
{
	__u32 zero = 0, one = 1;
	__u64 *cnt = bpf_map_lookup_elem(&bare_count, &zero);

	if (cnt)
		(*cnt)++;
	if (bare_known_base && is_known(ctx)) {
		cnt = bpf_map_lookup_elem(&bare_count, &one);
		if (cnt)
			(*cnt)++;
	}
	if (bare_read_clock) {
		__u64 *t = bpf_map_lookup_elem(&bare_last_ns, &zero);

		if (t)
			*t = bare_read_clock == 2 ? bpf_ktime_get_coarse_ns() :
						    bpf_ktime_get_ns();
	}
	return bare_action;
}

char LICENSE[] SEC("license") = "GPL";
