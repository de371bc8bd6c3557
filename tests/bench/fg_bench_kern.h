/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fg_bench_kern.h - BPF-side helpers shared by the benchmark programs: give a
 * template IPv4 TCP/UDP frame a new flow identity (initiator address and
 * port) derived from a counter, fixing the checksums incrementally.
 *
 * Flow index i maps to source address base + (i >> 15) and source port
 * 0x8000 | (i & 0x7fff): 2^15 ports per address, so indices up to 2^35 are
 * distinct flows inside base's /12 (the benchmark policies' last rule).
 */
#ifndef FG_BENCH_KERN_H
#define FG_BENCH_KERN_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FGB_PORTS_PER_ADDR_SHIFT 15

static __always_inline __u16 fgb_csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* RFC 1624 eqn. 3 for one 32-bit word: HC' = ~(~HC + ~m + m'). Values are
 * as stored in the packet; one's-complement sums do not care about order. */
static __always_inline __u16 fgb_csum_replace4(__u16 check, __u32 from,
					       __u32 to)
{
	__u32 s = (__u16)~check;

	s += (~from & 0xffff) + (~from >> 16);
	s += (to & 0xffff) + (to >> 16);
	return (__u16)~fgb_csum_fold(s);
}

static __always_inline __u16 fgb_csum_replace2(__u16 check, __u16 from,
					       __u16 to)
{
	__u32 s = (__u16)~check;

	s += (__u16)~from;
	s += to;
	return (__u16)~fgb_csum_fold(s);
}

/*
 * Rewrite the frame's initiator to flow `idx` (see above). saddr_base is in
 * host order. Returns 0, or -1 if the frame is not an option-less IPv4
 * TCP/UDP frame (the caller decides what to do with it).
 */
static __always_inline int fgb_set_flow(struct xdp_md *ctx, __u64 idx,
					__u32 saddr_base)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 old_addr, new_addr;
	__u16 old_port, new_port;
	__u16 *l4_check;
	__be16 *sport;

	if ((void *)(ip + 1) > end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return -1;

	if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *udp = (void *)(ip + 1);

		if ((void *)(udp + 1) > end)
			return -1;
		sport = &udp->source;
		/* UDP checksum 0 means "none" and must stay so. */
		l4_check = udp->check ? &udp->check : NULL;
	} else if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *tcp = (void *)(ip + 1);

		if ((void *)(tcp + 1) > end)
			return -1;
		sport = &tcp->source;
		l4_check = &tcp->check;
	} else {
		return -1;
	}

	old_addr = ip->saddr;
	new_addr = bpf_htonl(saddr_base + (__u32)(idx >> FGB_PORTS_PER_ADDR_SHIFT));
	old_port = *sport;
	new_port = bpf_htons(0x8000 | (__u16)(idx & 0x7fff));

	ip->saddr = new_addr;
	ip->check = fgb_csum_replace4(ip->check, old_addr, new_addr);
	*sport = new_port;
	if (l4_check) {
		/* The pseudo-header covers the address, the header the port. */
		__u16 c = fgb_csum_replace4(*l4_check, old_addr, new_addr);

		c = fgb_csum_replace2(c, old_port, new_port);
		if (ip->protocol == IPPROTO_UDP && c == 0)
			c = 0xffff;
		*l4_check = c;
	}
	return 0;
}

/* Per-CPU packet counter at index 0 of a per-CPU array; NULL never happens
 * for index 0 but the verifier needs the check. */
#define FGB_PERCPU_COUNTER(name)				\
	struct {						\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);	\
		__uint(max_entries, 1);				\
		__type(key, __u32);				\
		__type(value, __u64);				\
	} name SEC(".maps")

#endif /* FG_BENCH_KERN_H */
