/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fg_bench_kern.h - BPF-side helpers shared by the benchmark programs: give a
 * template IPv4 or IPv6 TCP/UDP frame a new flow identity (initiator address and
 * port) derived from a counter, fixing the checksums incrementally.
 *
 * Flow index i maps to source address base + (i >> 15) (the last 32 bits
 * of an IPv6 address) and source port 0x8000 | (i & 0x7fff): 2^15 ports per
 * address, so indices up to 2^35 are distinct flows inside base's /12 (the
 * benchmark policies' last rule; IPv6: a /96 or longer prefix).
 */
#ifndef FG_BENCH_KERN_H
#define FG_BENCH_KERN_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <stdbool.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define FGB_PORTS_PER_ADDR_SHIFT 15
/* First flow index of new flows: address offset 2^19, apart from the known
 * flows (offsets below FGB_KNOWN_ADDRS) and still inside a /12. */
#define FGB_NEW_BASE	(1ULL << 34)
#define FGB_KNOWN_ADDRS	(1U << 18)

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
 * Point the L4 header: sets *sport and *l4_check (NULL for a UDP/IPv4 frame
 * without checksum) and returns the TCP header or NULL.
 */
static __always_inline int fgb_l4(void *l4, void *end, __u8 proto, bool v6,
				  __be16 **sport, __u16 **l4_check,
				  struct tcphdr **tcp)
{
	*tcp = NULL;
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = l4;

		if ((void *)(udp + 1) > end)
			return -1;
		*sport = &udp->source;
		/* UDP/IPv4 checksum 0 means "none" and must stay so. */
		*l4_check = udp->check || v6 ? &udp->check : NULL;
		return 0;
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *t = l4;

		if ((void *)(t + 1) > end)
			return -1;
		*sport = &t->source;
		*l4_check = &t->check;
		*tcp = t;
		return 0;
	}
	return -1;
}

/*
 * Rewrite the frame's initiator to flow `idx` (see above): the last 32-bit
 * word of the source address becomes saddr_base + (idx >> 15) (host order;
 * for IPv4 that is the whole address), the source port 0x8000 | low bits.
 * syn >= 0 also sets the TCP flags to SYN (1) or ACK (0). Returns 0, or -1
 * if the frame is not an option-less IPv4 or extension-less IPv6 TCP/UDP
 * frame (the caller decides what to do with it).
 */
static __always_inline int fgb_set_flow_flags(struct xdp_md *ctx, __u64 idx,
					      __u32 saddr_base, int syn)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 old_addr, new_addr, *addr;
	__u16 old_port, new_port;
	__u16 *l4_check = NULL;
	__be16 *sport = NULL;
	struct tcphdr *tcp;
	struct iphdr *ip = NULL;
	__u8 proto;
	void *l4;

	if ((void *)(eth + 1) > end)
		return -1;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > end || ip->ihl != 5)
			return -1;
		addr = &ip->saddr;
		proto = ip->protocol;
		l4 = ip + 1;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return -1;
		addr = &ip6->saddr.in6_u.u6_addr32[3];
		proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return -1;
	}
	if (fgb_l4(l4, end, proto, !ip, &sport, &l4_check, &tcp))
		return -1;

	old_addr = *addr;
	new_addr = bpf_htonl(saddr_base + (__u32)(idx >> FGB_PORTS_PER_ADDR_SHIFT));
	old_port = *sport;
	new_port = bpf_htons(0x8000 | (__u16)(idx & 0x7fff));

	*addr = new_addr;
	if (ip)
		ip->check = fgb_csum_replace4(ip->check, old_addr, new_addr);
	*sport = new_port;
	if (l4_check) {
		/* The pseudo-header covers the address, the header the port. */
		__u16 c = fgb_csum_replace4(*l4_check, old_addr, new_addr);

		c = fgb_csum_replace2(c, old_port, new_port);
		if (tcp && syn >= 0) {
			/* Flags share a 16-bit word with the data offset. */
			__u16 *w = (__u16 *)((__u8 *)tcp + 12);
			__u16 old_w = *w;

			tcp->syn = syn ? 1 : 0;
			tcp->ack = syn ? 0 : 1;
			c = fgb_csum_replace2(c, old_w, *w);
		}
		if (proto == IPPROTO_UDP && c == 0)
			c = 0xffff;
		*l4_check = c;
	}
	return 0;
}

static __always_inline int fgb_set_flow(struct xdp_md *ctx, __u64 idx,
					__u32 saddr_base)
{
	return fgb_set_flow_flags(ctx, idx, saddr_base, -1);
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
