/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_parse.h - L2..L4 parsing into struct fg_pkt, with every malformed
 * check of the fast path. A parse result is either FG_PARSE_OK, FG_PARSE_NONIP
 * or the enum fg_drop_reason that drops the packet.
 *
 * Lengths: header reads are bounded by data_end (the linear bytes); length
 * fields are checked against the packet's real length (fg_ctx_len), which at
 * TC can exceed the linear part.
 */
#ifndef FG_BPF_PARSE_H
#define FG_BPF_PARSE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_endian.h>

#include "flowgate.h"
#include "fg_ctx.h"

#define FG_AF_INET	2
#define FG_AF_INET6	10

#define FG_PARSE_OK	(FG_DROP_MAX + 1)
#define FG_PARSE_NONIP	(FG_DROP_MAX + 2)

#define FG_ETH_P_8021Q	0x8100
#define FG_ETH_P_8021AD	0x88a8

#define FG_IPPROTO_SCTP		132
#define FG_IPPROTO_UDPLITE	136
#define FG_NEXTHDR_HOP		0
#define FG_NEXTHDR_ROUTING	43
#define FG_NEXTHDR_FRAGMENT	44
#define FG_NEXTHDR_AUTH		51
#define FG_NEXTHDR_DEST		60

/* TCP flag bits of byte 13 of the header. */
#define FG_TCP_FIN	0x01
#define FG_TCP_SYN	0x02
#define FG_TCP_RST	0x04
#define FG_TCP_PSH	0x08
#define FG_TCP_ACK	0x10
#define FG_TCP_URG	0x20

enum fg_frag_kind {
	FG_FRAG_NONE = 0,	/* not a fragment (IPv6 atomic ones included) */
	FG_FRAG_FIRST = 1,	/* offset 0, more to come */
	FG_FRAG_LATER = 2,	/* offset > 0: no L4 header */
};

enum fg_pkt_kind {
	FG_PK_PLAIN = 0,
	FG_PK_ICMP_ERR = 1,	/* ICMP/ICMPv6 error: may be related */
	FG_PK_ND = 2,		/* ICMPv6 ND/router/MLD: bypasses policy */
};

/* A parsed IP packet. Addresses and ports BE, IPv4 addresses in word 0. */
struct fg_pkt {
	__u32 src[4];
	__u32 dst[4];
	__u16 sport;		/* ICMP echo/info: identifier, as dport */
	__u16 dport;
	__u16 cls_port;		/* host order: classifier port value */
	__u8 family;
	__u8 proto;
	__u8 tcp_flags;
	__u8 kind;		/* enum fg_pkt_kind */
	__u8 frag;		/* enum fg_frag_kind */
	__u8 frag_nh;		/* protocol in every fragment's key: IPv4
				 * protocol, IPv6 fragment header's next
				 * header (the final one differs when options
				 * follow the fragment header) */
	__u32 frag_id;		/* host order */
	__u32 l3_off;		/* offset of the IP header in the frame */
	__u32 l4_off;		/* offset of the L4 header (not for LATER) */
};

/* Minimum L4 header a first fragment must carry and a later fragment's
 * offset must not fall into. 0: no such requirement. */
static __always_inline __u32 fg_l4_min_hdr(__u8 family, __u8 proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		return 20;
	case IPPROTO_UDP:
	case FG_IPPROTO_UDPLITE:
		return 8;
	case FG_IPPROTO_SCTP:
		return 12;
	case IPPROTO_ICMP:
		return family == FG_AF_INET ? 8 : 0;
	case IPPROTO_ICMPV6:
		return family == FG_AF_INET6 ? 8 : 0;
	}
	return 0;
}

static __always_inline int fg_icmp4_has_id(__u8 type)
{
	switch (type) {
	case ICMP_ECHOREPLY:
	case ICMP_ECHO:
	case ICMP_TIMESTAMP:
	case ICMP_TIMESTAMPREPLY:
	case ICMP_INFO_REQUEST:
	case ICMP_INFO_REPLY:
	case ICMP_ADDRESS:
	case ICMP_ADDRESSREPLY:
		return 1;
	}
	return 0;
}

static __always_inline int fg_icmp4_is_err(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

static __always_inline int fg_icmp6_is_nd(__u8 type)
{
	/* MLD query/report/done, router solicit/advert, neighbour
	 * solicit/advert, redirect, MLDv2 report. */
	return (type >= 130 && type <= 137) || type == 143;
}

/* Headers we parse must start within this many bytes of the frame (the
 * verifier needs a bound on packet offsets; TC pulls only 512 anyway). */
#define FG_HDR_MAX	1024

/*
 * L4 header at offset l4_off carrying `l4_len` bytes of IP payload (per the
 * IP length fields). Fills ports, flags, ICMP fields and the classifier port.
 * Inlined (once in fg_parse for IPv4, once in fg_parse_ipv6): a global
 * function cost a call and re-checks per packet; l4_off is a bounded
 * scalar, so the verifier's states of the L2 layouts still merge.
 */
static __always_inline int fg_parse_l4(fg_ctx_t *ctx, struct fg_pkt *pkt,
				       __u32 l4_off, __u32 l4_len)
{
	void *l4, *data_end;
	__u32 need;
	int first;

	if (!ctx || !pkt)
		return FG_DROP_INTERNAL;
	if (l4_off > FG_HDR_MAX)
		return FG_DROP_L4_TRUNC;
	l4 = fg_ctx_data(ctx) + l4_off;
	data_end = fg_ctx_data_end(ctx);
	pkt->l4_off = l4_off;
	need = fg_l4_min_hdr(pkt->family, pkt->proto);
	first = pkt->frag == FG_FRAG_FIRST;

	if (need && l4_len < need)
		return first ? FG_DROP_FRAG_TINY : FG_DROP_L4_TRUNC;
	switch (pkt->proto) {
	case IPPROTO_TCP: {
		struct tcphdr *th = l4;
		__u8 *b = l4;
		__u32 doff;

		if ((void *)(th + 1) > data_end)
			return FG_DROP_L4_TRUNC;
		doff = (b[12] >> 4) * 4;
		if (doff < 20)
			return FG_DROP_TCP_DOFF;
		if (doff > l4_len)
			return first ? FG_DROP_FRAG_TINY : FG_DROP_TCP_DOFF;
		pkt->tcp_flags = b[13];
		pkt->sport = th->source;
		pkt->dport = th->dest;
		pkt->cls_port = bpf_ntohs(th->dest);
		{
			__u8 f = pkt->tcp_flags;

			if ((f & (FG_TCP_FIN | FG_TCP_SYN | FG_TCP_RST |
				  FG_TCP_PSH | FG_TCP_ACK | FG_TCP_URG)) == 0)
				return FG_DROP_TCP_FLAGS;
			if ((f & FG_TCP_SYN) &&
			    (f & (FG_TCP_FIN | FG_TCP_RST)))
				return FG_DROP_TCP_FLAGS;
		}
		return FG_PARSE_OK;
	}
	case IPPROTO_UDP:
	case FG_IPPROTO_UDPLITE:
	case FG_IPPROTO_SCTP: {
		/* The three start with source and destination port. */
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return FG_DROP_L4_TRUNC;
		pkt->sport = uh->source;
		pkt->dport = uh->dest;
		pkt->cls_port = bpf_ntohs(uh->dest);
		return FG_PARSE_OK;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		__u8 *b = l4;
		__u8 type, code;

		if (!need)	/* ICMP in IPv6 or ICMPv6 in IPv4: "other" */
			return FG_PARSE_OK;
		if (l4 + 8 > data_end)
			return FG_DROP_L4_TRUNC;
		type = b[0];
		code = b[1];
		pkt->cls_port = (__u16)type << 8 | code;
		if (pkt->family == FG_AF_INET) {
			if (fg_icmp4_has_id(type))
				pkt->sport = pkt->dport = *(__u16 *)(b + 4);
			else if (fg_icmp4_is_err(type))
				pkt->kind = FG_PK_ICMP_ERR;
		} else {
			if (type == ICMPV6_ECHO_REQUEST ||
			    type == ICMPV6_ECHO_REPLY)
				pkt->sport = pkt->dport = *(__u16 *)(b + 4);
			else if (type >= 1 && type <= 4)
				pkt->kind = FG_PK_ICMP_ERR;
			else if (fg_icmp6_is_nd(type))
				pkt->kind = FG_PK_ND;
		}
		return FG_PARSE_OK;
	}
	}
	return FG_PARSE_OK;
}

/* Checks shared by IPv4 and IPv6 fragments once offset/more are known. */
static __always_inline int fg_parse_frag(struct fg_pkt *pkt, __u32 off_bytes,
					 int more, __u32 l4_len)
{
	if (!off_bytes && !more)
		return FG_PARSE_OK;
	if (more && (l4_len & 7))
		return FG_DROP_FRAG_BAD;
	if (off_bytes + l4_len > 65535)
		return FG_DROP_FRAG_BAD;
	if (off_bytes == 0) {
		pkt->frag = FG_FRAG_FIRST;
		return FG_PARSE_OK;
	}
	pkt->frag = FG_FRAG_LATER;
	if (off_bytes < fg_l4_min_hdr(pkt->family, pkt->proto))
		return FG_DROP_FRAG_OVERLAP;
	return FG_PARSE_OK;
}

static __always_inline int fg_parse_ipv4(fg_ctx_t *ctx, struct fg_pkt *pkt,
					 void *l3, void *data_end)
{
	struct iphdr *ip = l3;
	__u32 frame, ihl, tot, l4_len, off;
	__u16 fo;
	int ret;

	if ((void *)(ip + 1) > data_end)
		return FG_DROP_IP_TRUNC;
	if (ip->version != 4)
		return FG_DROP_IP_VERSION;
	ihl = ip->ihl * 4;
	if (ihl < 20)
		return FG_DROP_IP_IHL;
	tot = bpf_ntohs(ip->tot_len);
	if (ihl > tot)
		return FG_DROP_IP_IHL;
	frame = fg_ctx_len(ctx) - pkt->l3_off;
	if (tot > frame)
		return FG_DROP_IP_TOTLEN;
	if (l3 + ihl > data_end)
		return FG_DROP_IP_TRUNC;

	pkt->family = FG_AF_INET;
	pkt->proto = ip->protocol;
	pkt->src[0] = ip->saddr;
	pkt->dst[0] = ip->daddr;
	l4_len = tot - ihl;

	fo = bpf_ntohs(ip->frag_off);
	off = (__u32)(fo & 0x1fff) * 8;
	pkt->frag_id = bpf_ntohs(ip->id);
	pkt->frag_nh = ip->protocol;
	ret = fg_parse_frag(pkt, off, !!(fo & 0x2000), l4_len);
	if (ret != FG_PARSE_OK || pkt->frag == FG_FRAG_LATER)
		return ret;
	return fg_parse_l4(ctx, pkt, pkt->l3_off + ihl, l4_len);
}

static __always_inline int fg_ipv6_is_ext(__u8 nh)
{
	return nh == FG_NEXTHDR_HOP || nh == FG_NEXTHDR_ROUTING ||
	       nh == FG_NEXTHDR_FRAGMENT || nh == FG_NEXTHDR_DEST ||
	       nh == FG_NEXTHDR_AUTH;
}

/* IPv6 and its extension headers. Global: the walk is verified once, not
 * once per VLAN layout. Offsets are scalars re-bounded at every step so the
 * verifier's states of different chains look alike and get pruned. */
FG_GLOBAL int fg_parse_ipv6(fg_ctx_t *ctx, struct fg_pkt *pkt)
{
	void *data, *data_end;
	struct ipv6hdr *ip6;
	__u32 frame, rem, off, frag_off = 0, l3_off;
	__u8 nh;
	int more = 0, i;

	if (!ctx || !pkt)
		return FG_DROP_INTERNAL;
	data = fg_ctx_data(ctx);
	data_end = fg_ctx_data_end(ctx);
	l3_off = pkt->l3_off;
	if (l3_off > FG_HDR_MAX)
		return FG_DROP_IP_TRUNC;
	ip6 = data + l3_off;
	if ((void *)(ip6 + 1) > data_end)
		return FG_DROP_IP_TRUNC;
	if (ip6->version != 6)
		return FG_DROP_IP_VERSION;
	rem = bpf_ntohs(ip6->payload_len);
	frame = fg_ctx_len(ctx) - l3_off;
	/* 0 = jumbogram (hop-by-hop jumbo option): not supported, dropped. */
	if (rem == 0 || rem + 40 > frame)
		return FG_DROP_IP6_PAYLOAD_LEN;

	pkt->family = FG_AF_INET6;
	__builtin_memcpy(pkt->src, &ip6->saddr, 16);
	__builtin_memcpy(pkt->dst, &ip6->daddr, 16);
	nh = ip6->nexthdr;
	off = l3_off + 40;

	for (i = 0; i <= FG_IPV6_EXT_MAX; i++) {
		__u8 *b;

		if (!fg_ipv6_is_ext(nh))
			break;
		if (i == FG_IPV6_EXT_MAX)
			return FG_DROP_EXTHDR_CHAIN;
		if (nh == FG_NEXTHDR_HOP && i != 0)
			return FG_DROP_EXTHDR_ORDER;
		if (off > FG_HDR_MAX)
			return FG_DROP_EXTHDR_TRUNC;
		b = data + off;
		if ((void *)(b + 8) > data_end || rem < 8)
			return FG_DROP_EXTHDR_TRUNC;
		if (nh == FG_NEXTHDR_FRAGMENT) {
			__u16 fo = bpf_ntohs(*(__u16 *)(b + 2));

			frag_off = fo & 0xfff8;
			more = fo & 1;
			pkt->frag_id = bpf_ntohl(*(__u32 *)(b + 4));
			pkt->frag_nh = b[0];
			nh = b[0];
			off += 8;
			rem -= 8;
			if (frag_off)	/* nothing after it is parseable */
				break;
			continue;
		}
		{
			__u32 len = nh == FG_NEXTHDR_AUTH ?
				    ((__u32)b[1] + 2) * 4 :
				    ((__u32)b[1] + 1) * 8;

			if (len > rem)
				return FG_DROP_EXTHDR_TRUNC;
			nh = b[0];
			off += len;
			rem -= len;
		}
	}
	pkt->proto = nh;
	{
		int ret = fg_parse_frag(pkt, frag_off, more, rem);

		if (ret != FG_PARSE_OK || pkt->frag == FG_FRAG_LATER)
			return ret;
	}
	return fg_parse_l4(ctx, pkt, off, rem);
}

/*
 * The IPv6 packet an ICMPv6 error quotes: walk its extension headers to the
 * upper-layer header. Returns that header's offset with *proto set, or 0
 * when the quote is cut short, is a later fragment or has a longer chain
 * than we walk (then it cannot be matched to a flow).
 */
FG_GLOBAL int fg_quoted_ipv6_l4(fg_ctx_t *ctx, __u32 off, __u8 *proto)
{
	void *data, *data_end;
	__u8 *b, nh;
	int i;

	if (!ctx || !proto || off > FG_HDR_MAX)
		return 0;
	data = fg_ctx_data(ctx);
	data_end = fg_ctx_data_end(ctx);
	b = data + off;
	if ((void *)(b + 40) > data_end || (b[0] >> 4) != 6)
		return 0;
	nh = b[6];
	off += 40;
	for (i = 0; i < FG_IPV6_EXT_MAX; i++) {
		if (!fg_ipv6_is_ext(nh)) {
			*proto = nh;
			return off;
		}
		if (off > FG_HDR_MAX)
			return 0;
		b = data + off;
		if ((void *)(b + 8) > data_end)
			return 0;
		if (nh == FG_NEXTHDR_FRAGMENT) {
			if (bpf_ntohs(*(__u16 *)(b + 2)) & 0xfff8)
				return 0;
			off += 8;
		} else if (nh == FG_NEXTHDR_AUTH) {
			off += ((__u32)b[1] + 2) * 4;
		} else {
			off += ((__u32)b[1] + 1) * 8;
		}
		nh = b[0];
	}
	return 0;
}

/* Ethernet and up to FG_VLAN_MAX_DEPTH tags, then IPv4/IPv6. */
FG_GLOBAL int fg_parse(fg_ctx_t *ctx, struct fg_pkt *pkt)
{
	void *data, *data_end, *cur;
	struct ethhdr *eth;
	__u16 proto;
	int i;

	if (!ctx || !pkt)
		return FG_DROP_INTERNAL;
	data = fg_ctx_data(ctx);
	data_end = fg_ctx_data_end(ctx);
	eth = data;

	if ((void *)(eth + 1) > data_end)
		return FG_DROP_L2_TRUNC;
	proto = eth->h_proto;
	cur = eth + 1;

#pragma unroll
	for (i = 0; i <= FG_VLAN_MAX_DEPTH; i++) {
		__u16 *tag = cur;

		if (proto != bpf_htons(FG_ETH_P_8021Q) &&
		    proto != bpf_htons(FG_ETH_P_8021AD))
			break;
		if (i == FG_VLAN_MAX_DEPTH)
			return FG_DROP_VLAN_DEPTH;
		if (cur + 4 > data_end)
			return FG_DROP_L2_TRUNC;
		proto = tag[1];
		cur += 4;
	}

	pkt->l3_off = cur - data;
	if (proto == bpf_htons(ETH_P_IP))
		return fg_parse_ipv4(ctx, pkt, cur, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return fg_parse_ipv6(ctx, pkt);
	return FG_PARSE_NONIP;
}

/* Malformed classes (verdict "malformed") vs drops that are policy. */
static __always_inline int fg_drop_is_malformed(int reason)
{
	switch (reason) {
	case FG_DROP_POLICY:
	case FG_DROP_FLOW_DENIED:
	case FG_DROP_FRAG_NO_FIRST:
	case FG_DROP_FRAG_DENIED:
	case FG_DROP_FRAG_UNINSPECTABLE:
	case FG_DROP_NO_POLICY:
	case FG_DROP_INTERNAL:
	case FG_DROP_TCP_NEW_NOT_SYN:
		return 0;
	}
	return 1;
}

#endif /* FG_BPF_PARSE_H */
