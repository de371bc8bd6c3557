// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_frag.c - IPv4 and IPv6 fragments: later fragments take the verdict
 * of their datagram's first fragment (allowed passes, denied drops
 * FRAG_DENIED), out of order (later before first: FRAG_NO_FIRST, the
 * documented policy), unknown datagrams, tiny first fragments (FRAG_TINY),
 * later fragments overlapping the L4 header (FRAG_OVERLAP), bad fragment
 * lengths (FRAG_BAD), IPv6 fragment headers before/after other extension
 * headers.
 */
#include "fixture.h"

static const char policy[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: ping6\n"
	"    proto: icmpv6\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n";

#define C4 "10.9.9.9"
#define S4 "10.0.0.5"
#define C6 "fd00:9::9"
#define S6 "fd00:1::5"

/* IPv4 UDP datagram `id` to port `dp`: first fragment carries the 8-byte
 * UDP header + 32 bytes, later ones start at offset 5 (40 bytes). */
#define F4_FIRST(id, dp)						\
	{ .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,	\
	  .sport = 5000, .dport = dp, .ip_id = id, .mf = true, .payload = 32 }
#define F4_LATER(id, off, more)						\
	{ .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,	\
	  .ip_id = id, .mf = more, .frag_off = off, .no_l4 = true,	\
	  .payload = 40 }
#define FRAGHDR	.n_ext = 1, .ext = { { PKT_EXT_FRAG, 0 } }
#define F6_FIRST(id, dp)						\
	{ .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,	\
	  .sport = 5000, .dport = dp, .ip_id = id, .mf = true,		\
	  .payload = 32, FRAGHDR }
#define F6_LATER(id, off, more)						\
	{ .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,	\
	  .ip_id = id, .mf = more, .frag_off = off, .no_l4 = true,	\
	  .payload = 40, FRAGHDR }

static const struct fixture fixtures[] = {
	{ "v4_in_order_allowed", policy, STEPS(
		{ "first", .hook = FG_H_XDP, .pkt = F4_FIRST(100, 53), ALLOWED,
		  .rule = "dns", .cnt = { { C(FRAG_FIRST), 1 } } },
		{ "middle", .hook = FG_H_XDP, .pkt = F4_LATER(100, 5, true), ALLOWED,
		  .cnt = { { C(FRAG_LATER), 1 }, { C(FLOW_NEW), 0 } } },
		{ "last", .hook = FG_H_XDP, .pkt = F4_LATER(100, 10, false), ALLOWED,
		  .cnt = { { C(FRAG_LATER), 1 } } },
		{ "a duplicate of the middle one", .hook = FG_H_XDP,
		  .pkt = F4_LATER(100, 5, true), ALLOWED },
		{ "unfragmented packet of the same flow", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 5000, S4, 53), ALLOWED,
		  .cnt = { { C(FRAG_FIRST), 0 }, { C(FRAG_LATER), 0 } } },
	) },
	{ "v4_denied_datagram", policy, STEPS(
		{ "first to a denied port", .hook = FG_H_XDP,
		  .pkt = F4_FIRST(101, 54), DENIED(POLICY),
		  .cnt = { { C(FRAG_FIRST), 1 } } },
		{ "middle", .hook = FG_H_XDP, .pkt = F4_LATER(101, 5, true),
		  DROPPED(FRAG_DENIED), .cnt = { { C(FRAG_LATER), 1 } } },
		{ "last", .hook = FG_H_XDP, .pkt = F4_LATER(101, 10, false),
		  DROPPED(FRAG_DENIED) },
		{ "another datagram (id) to the allowed port passes",
		  .hook = FG_H_XDP, .pkt = F4_FIRST(102, 53), ALLOWED },
		{ "its later fragment", .hook = FG_H_XDP,
		  .pkt = F4_LATER(102, 5, false), ALLOWED },
		{ "denied datagram again", .hook = FG_H_XDP,
		  .pkt = F4_LATER(101, 10, false), DROPPED(FRAG_DENIED) },
	) },
	{ "v4_out_of_order", policy, STEPS(
		{ "later before first", .hook = FG_H_XDP,
		  .pkt = F4_LATER(103, 5, true), DROPPED(FRAG_NO_FIRST) },
		{ "last before first", .hook = FG_H_XDP,
		  .pkt = F4_LATER(103, 10, false), DROPPED(FRAG_NO_FIRST) },
		{ "first", .hook = FG_H_XDP, .pkt = F4_FIRST(103, 53), ALLOWED },
		{ "a later one after the first", .hook = FG_H_XDP,
		  .pkt = F4_LATER(103, 5, true), ALLOWED },
		{ "unknown datagram id", .hook = FG_H_XDP,
		  .pkt = F4_LATER(999, 5, false), DROPPED(FRAG_NO_FIRST) },
		{ "same id, other source", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = "10.9.9.10", .dst = S4,
			   .proto = IPPROTO_UDP, .ip_id = 103, .frag_off = 5,
			   .no_l4 = true, .payload = 8 }, DROPPED(FRAG_NO_FIRST) },
		{ "same id, other protocol", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .ip_id = 103, .frag_off = 5, .no_l4 = true, .payload = 8 },
		  DROPPED(FRAG_NO_FIRST) },
	) },
	{ "v4_tiny_and_overlap", policy, STEPS(
		{ "TCP first fragment with 8 bytes of TCP", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .sport = 6000, .dport = 80, .tcp_flags = SYN,
			   .ip_id = 200, .mf = true, .cut = 14 + 20 + 8,
			   .cut_fix = true }, DROPPED(FRAG_TINY),
		  .flow = { .present = FG_H_NO } },
		{ "TCP first fragment with 16 bytes of TCP", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .sport = 6000, .dport = 80, .tcp_flags = SYN,
			   .ip_id = 205, .mf = true, .cut = 14 + 20 + 16,
			   .cut_fix = true }, DROPPED(FRAG_TINY) },
		{ "UDP first fragment without the UDP header", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .sport = 6000, .dport = 53, .ip_id = 201, .mf = true,
			   .cut = 14 + 20, .cut_fix = true }, DROPPED(FRAG_TINY) },
		{ "ICMP first fragment without the ICMP header", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_ICMP,
			   .icmp_type = 8, .ip_id = 202, .mf = true,
			   .cut = 14 + 20, .cut_fix = true }, DROPPED(FRAG_TINY) },
		{ "non-last fragment not a multiple of 8 bytes", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .sport = 6000, .dport = 53, .ip_id = 206, .mf = true,
			   .payload = 4 }, MALFORMED(FRAG_BAD) },
		{ "fragment ending beyond 65535 bytes", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .ip_id = 207, .frag_off = 8190, .no_l4 = true,
			   .payload = 40 }, MALFORMED(FRAG_BAD) },
		{ "v6 non-last fragment not a multiple of 8 bytes",
		  .hook = FG_H_XDP, .pkt = { .family = 6, .src = C6, .dst = S6,
			   .proto = IPPROTO_UDP, .dport = 53, .ip_id = 208,
			   .mf = true, .payload = 4, FRAGHDR }, MALFORMED(FRAG_BAD) },
		{ "its later fragment has no first", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .ip_id = 200, .frag_off = 3, .no_l4 = true, .payload = 8 },
		  .rv = FG_H_DROP },
		{ "allowed TCP first fragment", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .sport = 6001, .dport = 80, .tcp_flags = SYN,
			   .ip_id = 203, .mf = true, .payload = 20 }, ALLOWED },
		{ "later fragment at offset 8 rewrites the TCP header",
		  .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .ip_id = 203, .frag_off = 1, .mf = true, .no_l4 = true,
			   .payload = 16 }, DROPPED(FRAG_OVERLAP) },
		{ "at offset 16", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .ip_id = 203, .frag_off = 2, .mf = true, .no_l4 = true,
			   .payload = 16 }, DROPPED(FRAG_OVERLAP) },
		{ "at offset 24 (behind the header)", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .ip_id = 203, .frag_off = 3, .no_l4 = true,
			   .payload = 16 }, ALLOWED },
		{ "UDP later fragment at offset 8 is behind the UDP header",
		  .hook = FG_H_XDP, .pkt = F4_FIRST(204, 53), ALLOWED },
		{ "...", .hook = FG_H_XDP, .pkt = F4_LATER(204, 1, false), ALLOWED },
	) },
	{ "v4_egress", policy, STEPS(
		{ "first out", .hook = FG_H_TC_OUT,
		  .pkt = { .family = 4, .src = S4, .dst = C4, .proto = IPPROTO_ICMP,
			   .icmp_type = 8, .icmp_id = 9, .ip_id = 300, .mf = true,
			   .payload = 64 }, ALLOWED, .rule = "ping" },
		{ "later out", .hook = FG_H_TC_OUT,
		  .pkt = { .family = 4, .src = S4, .dst = C4, .proto = IPPROTO_ICMP,
			   .ip_id = 300, .frag_off = 9, .no_l4 = true, .payload = 64 },
		  ALLOWED },
		{ "denied first out", .hook = FG_H_TC_OUT,
		  .pkt = { .family = 4, .src = S4, .dst = C4, .proto = IPPROTO_ICMP,
			   .icmp_type = 13, .ip_id = 301, .mf = true,
			   .payload = 64 }, DENIED(POLICY) },
		{ "its later fragment out", .hook = FG_H_TC_OUT,
		  .pkt = { .family = 4, .src = S4, .dst = C4, .proto = IPPROTO_ICMP,
			   .ip_id = 301, .frag_off = 9, .no_l4 = true, .payload = 64 },
		  DROPPED(FRAG_DENIED) },
	) },
	{ "v6_fragments", policy, STEPS(
		{ "first", .hook = FG_H_XDP, .pkt = F6_FIRST(0x10001, 53), ALLOWED,
		  .rule = "dns", .cnt = { { C(FRAG_FIRST), 1 } } },
		{ "middle", .hook = FG_H_XDP, .pkt = F6_LATER(0x10001, 5, true),
		  ALLOWED, .cnt = { { C(FRAG_LATER), 1 } } },
		{ "last", .hook = FG_H_XDP, .pkt = F6_LATER(0x10001, 10, false),
		  ALLOWED },
		{ "denied first", .hook = FG_H_XDP, .pkt = F6_FIRST(0x10002, 54),
		  DENIED(POLICY) },
		{ "its later fragment", .hook = FG_H_XDP,
		  .pkt = F6_LATER(0x10002, 5, false), DROPPED(FRAG_DENIED) },
		{ "later before first", .hook = FG_H_XDP,
		  .pkt = F6_LATER(0x10003, 5, false), DROPPED(FRAG_NO_FIRST) },
		{ "then its first", .hook = FG_H_XDP, .pkt = F6_FIRST(0x10003, 53),
		  ALLOWED },
		{ "tiny first (16 bytes of TCP)", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_TCP,
			   .dport = 80, .tcp_flags = SYN, .ip_id = 0x10004,
			   .mf = true, FRAGHDR, .cut = 14 + 40 + 8 + 16,
			   .cut_fix = true }, DROPPED(FRAG_TINY) },
		{ "first without UDP header", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,
			   .dport = 53, .ip_id = 0x10007, .mf = true, FRAGHDR,
			   .cut = 14 + 40 + 8, .cut_fix = true }, DROPPED(FRAG_TINY) },
		{ "tcp first", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_TCP,
			   .sport = 6000, .dport = 80, .tcp_flags = SYN,
			   .ip_id = 0x10005, .mf = true, .payload = 20, FRAGHDR },
		  ALLOWED },
		{ "later at offset 8 overlaps TCP", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_TCP,
			   .ip_id = 0x10005, .frag_off = 1, .no_l4 = true,
			   .payload = 16, FRAGHDR }, DROPPED(FRAG_OVERLAP) },
		{ "hop-by-hop + fragment + UDP first", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,
			   .sport = 5001, .dport = 53, .ip_id = 0x10006, .mf = true,
			   .payload = 32, .n_ext = 2,
			   .ext = { { PKT_EXT_HBH, 0 }, { PKT_EXT_FRAG, 0 } } },
		  ALLOWED },
		{ "its later fragment", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,
			   .ip_id = 0x10006, .frag_off = 5, .no_l4 = true,
			   .payload = 40, .n_ext = 2,
			   .ext = { { PKT_EXT_HBH, 0 }, { PKT_EXT_FRAG, 0 } } },
		  ALLOWED },
		{ "v6 datagram 0x77", .hook = FG_H_XDP, .pkt = F6_FIRST(0x77, 53),
		  ALLOWED },
		{ "an IPv4 fragment with id 0x77 is another datagram",
		  .hook = FG_H_XDP, .pkt = F4_LATER(0x77, 5, false),
		  DROPPED(FRAG_NO_FIRST) },
	) },
	/* RFC 8200 4.1: destination options for the final destination sit
	 * after the fragment header, in the fragmentable part. The later
	 * fragments' fragment header then names DSTOPTS as next header; they
	 * are still the same datagram. */
	{ "v6_dstopts_after_fragment_header", policy, STEPS(
		{ "first: FRAG + DSTOPTS + UDP 53", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,
			   .sport = 5002, .dport = 53, .ip_id = 0x20001, .mf = true,
			   .payload = 24, .n_ext = 2,
			   .ext = { { PKT_EXT_FRAG, 0 }, { PKT_EXT_DSTOPTS, 8 } } },
		  ALLOWED, .rule = "dns" },
		{ "its later fragment", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6,
			   .proto = PKT_EXT_DSTOPTS, .ip_id = 0x20001,
			   .frag_off = 5, .no_l4 = true, .payload = 40, FRAGHDR },
		  ALLOWED },
		{ "first of a denied one", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP,
			   .sport = 5002, .dport = 54, .ip_id = 0x20002, .mf = true,
			   .payload = 24, .n_ext = 2,
			   .ext = { { PKT_EXT_FRAG, 0 }, { PKT_EXT_DSTOPTS, 8 } } },
		  DENIED(POLICY) },
		{ "its later fragment", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6,
			   .proto = PKT_EXT_DSTOPTS, .ip_id = 0x20002,
			   .frag_off = 5, .no_l4 = true, .payload = 40, FRAGHDR },
		  DROPPED(FRAG_DENIED) },
	) },
};

int main(void)
{
	return fixture_main("frag", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]), NULL, 0);
}
