// SPDX-License-Identifier: GPL-2.0-only
/*
 * inspect_pkt.c - what the inspector needs to know about a frame: its flow
 * key (normalised exactly as include/bpf/fg_flow.h does, so it finds the
 * kernel's entry), its payload, and how to answer it with a TCP RST. Plus
 * the test engine (byte patterns).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>

#include "inspect.h"

/* memcmp() of the addresses, then numeric port order: the kernel's
 * fg_side_cmp(). */
/* Header fields are read through copies: a frame's IP header sits 2 bytes
 * off 4-byte alignment (14-byte Ethernet header). */
static __u16 get16(const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

static int side_cmp(const __u8 *a, __u16 pa, const __u8 *b, __u16 pb)
{
	int c = memcmp(a, b, 16);

	if (c)
		return c;
	pa = ntohs(pa);
	pb = ntohs(pb);
	return pa < pb ? -1 : pa > pb;
}

int fg_insp_parse(const __u8 *frame, size_t len, struct fg_insp_frame *f)
{
	__u8 src[16] = {}, dst[16] = {};
	__u16 proto, sport = 0, dport = 0;
	size_t off = ETH_HLEN, end, l4hdr;
	__u8 l4p;

	memset(f, 0, sizeof(*f));
	if (len < ETH_HLEN)
		return -EINVAL;
	proto = get16(frame + 12);
	if (proto == ETH_P_8021Q) {
		if (len < ETH_HLEN + 4)
			return -EINVAL;
		f->vid = get16(frame + 14) & 0xfff;
		proto = get16(frame + 16);
		off += 4;
	}
	f->l3_off = off;
	if (proto == ETH_P_IP) {
		struct iphdr ip;
		size_t ihl;

		if (len < off + sizeof(ip))
			return -EINVAL;
		memcpy(&ip, frame + off, sizeof(ip));
		if (ip.version != 4)
			return -EINVAL;
		ihl = ip.ihl * 4u;
		end = off + ntohs(ip.tot_len);
		if (ihl < 20 || end > len || end < off + ihl)
			return -EINVAL;
		/* Later fragments never reach us: the kernel decides them
		 * by their first fragment. */
		if (ntohs(ip.frag_off) & 0x1fff)
			return -EINVAL;
		memcpy(src, &ip.saddr, 4);
		memcpy(dst, &ip.daddr, 4);
		l4p = ip.protocol;
		f->family = AF_INET;
		off += ihl;
	} else if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;
		int n;

		if (len < off + sizeof(ip6))
			return -EINVAL;
		memcpy(&ip6, frame + off, sizeof(ip6));
		end = off + sizeof(ip6) + ntohs(ip6.payload_len);
		if (end > len)
			return -EINVAL;
		memcpy(src, &ip6.saddr, 16);
		memcpy(dst, &ip6.daddr, 16);
		l4p = ip6.nexthdr;
		f->family = AF_INET6;
		off += sizeof(ip6);
		/* Extension headers, as many as the kernel walks: the flow
		 * key needs the final protocol. */
		for (n = 0; n < FG_IPV6_EXT_MAX; n++) {
			size_t hl;

			if (l4p != 0 && l4p != 43 && l4p != 44 && l4p != 51 &&
			    l4p != 60)
				break;
			if (end < off + 8)
				return -EINVAL;
			if (l4p == 44) {
				/* The kernel sends us no fragment
				 * (frag_uninspectable): refuse one. */
				if (get16(frame + off + 2) & 0xfff8)
					return -EINVAL;
				hl = 8;
			} else if (l4p == 51) {
				hl = (frame[off + 1] + 2) * 4u;
			} else {
				hl = (frame[off + 1] + 1) * 8u;
			}
			l4p = frame[off];
			off += hl;
		}
		if (off > end)
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	f->l4_off = off;
	f->proto = l4p;
	if (l4p == IPPROTO_TCP) {
		struct tcphdr th;

		if (end < off + sizeof(th))
			return -EINVAL;
		memcpy(&th, frame + off, sizeof(th));
		l4hdr = th.doff * 4u;
		if (l4hdr < sizeof(th) || end < off + l4hdr)
			return -EINVAL;
		sport = th.source;
		dport = th.dest;
		f->tcp_flags = frame[off + 13];
		f->tcp_seq = ntohl(th.seq);
		f->tcp_ack = ntohl(th.ack_seq);
	} else if (l4p == IPPROTO_UDP) {
		struct udphdr uh;

		if (end < off + sizeof(uh))
			return -EINVAL;
		memcpy(&uh, frame + off, sizeof(uh));
		l4hdr = sizeof(uh);
		sport = uh.source;
		dport = uh.dest;
	} else {
		l4hdr = 0;	/* other protocols: ports 0, all payload */
	}
	f->payload = frame + off + l4hdr;
	f->payload_len = end - off - l4hdr;

	f->src_lo = side_cmp(src, sport, dst, dport) <= 0;
	if (f->src_lo) {
		memcpy(f->key.addr_lo, src, 16);
		memcpy(f->key.addr_hi, dst, 16);
		f->key.port_lo = sport;
		f->key.port_hi = dport;
	} else {
		memcpy(f->key.addr_lo, dst, 16);
		memcpy(f->key.addr_hi, src, 16);
		f->key.port_lo = dport;
		f->key.port_hi = sport;
	}
	f->key.proto = l4p;
	f->key.family = f->family == AF_INET ? 2 : 10;
	return 0;
}

/* Internet checksum over a pseudo-header sum and a buffer. */
static __u16 csum_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __u32 csum_add(__u32 sum, const void *buf, size_t len)
{
	const __u8 *p = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	return sum;
}

size_t fg_insp_build_rst(const __u8 *frame, const struct fg_insp_frame *f,
			 int to_sender, __u8 *out, size_t room)
{
	size_t l3 = ETH_HLEN, l4, tot;
	struct tcphdr th = {}, oth;
	__u16 eth_proto;
	__u32 seq, sum;
	__u8 proto_pad[2] = { 0, IPPROTO_TCP };

	if (f->proto != IPPROTO_TCP)
		return 0;
	l4 = l3 + (f->family == AF_INET ? sizeof(struct iphdr) :
					  sizeof(struct ipv6hdr));
	tot = l4 + sizeof(th);
	if (room < tot)
		return 0;
	memset(out, 0, tot);
	/* Ethernet: toward the sender, swap the MACs. */
	if (to_sender) {
		memcpy(out, frame + 6, 6);
		memcpy(out + 6, frame, 6);
	} else {
		memcpy(out, frame, 12);
	}
	eth_proto = htons(f->family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	memcpy(out + 12, &eth_proto, sizeof(eth_proto));
	memcpy(&oth, frame + f->l4_off, sizeof(oth));
	th.source = to_sender ? oth.dest : oth.source;
	th.dest = to_sender ? oth.source : oth.dest;
	/* Toward the receiver: the segment's own seq is its rcv_nxt (the
	 * denied segment never arrives). Toward the sender: the seq it
	 * acknowledged is what it expects next from its peer. */
	if (to_sender) {
		seq = f->tcp_ack;
		th.ack = 1;
		th.ack_seq = htonl(f->tcp_seq + (__u32)f->payload_len);
	} else {
		seq = f->tcp_seq;
	}
	th.seq = htonl(seq);
	th.doff = sizeof(th) / 4;
	th.rst = 1;

	if (f->family == AF_INET) {
		struct iphdr oip, ip = {};

		memcpy(&oip, frame + f->l3_off, sizeof(oip));
		ip.version = 4;
		ip.ihl = 5;
		ip.tot_len = htons(tot - l3);
		ip.ttl = 64;
		ip.protocol = IPPROTO_TCP;
		ip.saddr = to_sender ? oip.daddr : oip.saddr;
		ip.daddr = to_sender ? oip.saddr : oip.daddr;
		ip.check = htons(csum_fold(csum_add(0, &ip, sizeof(ip))));
		sum = csum_add(0, &ip.saddr, 8);
		memcpy(out + l3, &ip, sizeof(ip));
	} else {
		struct ipv6hdr oip, ip6 = {};

		memcpy(&oip, frame + f->l3_off, sizeof(oip));
		ip6.version = 6;
		ip6.payload_len = htons(sizeof(th));
		ip6.nexthdr = IPPROTO_TCP;
		ip6.hop_limit = 64;
		ip6.saddr = to_sender ? oip.daddr : oip.saddr;
		ip6.daddr = to_sender ? oip.saddr : oip.daddr;
		sum = csum_add(0, &ip6.saddr, 32);
		memcpy(out + l3, &ip6, sizeof(ip6));
	}
	sum = csum_add(sum, proto_pad, 2);
	sum += sizeof(th);
	sum = csum_add(sum, &th, sizeof(th));
	th.check = htons(csum_fold(sum));
	memcpy(out + l4, &th, sizeof(th));
	return tot;
}

static __u32 fold16(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

int fg_insp_csum_complete(__u8 *frame, const struct fg_insp_frame *f)
{
	__u8 *l4 = frame + f->l4_off, *check;
	size_t l4len = f->payload + f->payload_len - l4;
	__u8 ph[4];
	__u16 full;
	__u32 pseudo;

	if (f->proto == IPPROTO_TCP)
		check = l4 + 16;
	else if (f->proto == IPPROTO_UDP)
		check = l4 + 6;
	else
		return 0;
	if (f->proto == IPPROTO_UDP && f->family == AF_INET &&
	    !check[0] && !check[1])
		return 0;	/* IPv4 UDP without checksum */
	if (f->family == AF_INET)
		pseudo = csum_add(0, frame + f->l3_off + 12, 8);
	else
		pseudo = csum_add(0, frame + f->l3_off + 8, 32);
	ph[0] = 0;
	ph[1] = f->proto;
	ph[2] = l4len >> 8;
	ph[3] = l4len & 0xff;
	pseudo = csum_add(pseudo, ph, 4);
	/* Valid as it is: the whole sum folds to 0xffff. */
	if (fold16(csum_add(pseudo, l4, l4len)) == 0xffff)
		return 0;
	/* Offloaded (CHECKSUM_PARTIAL): the field holds the pseudo-header
	 * sum only. Anything else is corrupt. */
	if (get16(check) != fold16(pseudo))
		return -EBADMSG;
	check[0] = check[1] = 0;
	full = csum_fold(csum_add(pseudo, l4, l4len));
	if (!full && f->proto == IPPROTO_UDP)
		full = 0xffff;
	full = htons(full);
	memcpy(check, &full, sizeof(full));
	return 1;
}

/* ---- the test engine ------------------------------------------------- */

static int contains(const __u8 *p, size_t len, const char *pat)
{
	size_t n = strlen(pat);

	return n && len >= n && memmem(p, len, pat, n);
}

static void sleep_us(__u64 us)
{
	struct timespec ts = { .tv_sec = us / 1000000,
			       .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static enum fg_insp_decision pattern_decide(void *arg,
					    const struct fg_insp_pkt *p)
{
	const struct fg_insp_pattern *pat = arg;

	if (contains(p->payload, p->len, pat->stall))
		sleep_us((__u64)pat->stall_ms * 1000);
	if (pat->delay_us)
		sleep_us(pat->delay_us);
	if (contains(p->payload, p->len, pat->deny))
		return FG_INSP_DENY;
	if (contains(p->payload, p->len, pat->allow))
		return FG_INSP_ALLOW;
	return FG_INSP_CONTINUE;
}

const struct fg_insp_engine fg_insp_pattern_engine = {
	.name = "pattern",
	.decide = pattern_decide,
};
