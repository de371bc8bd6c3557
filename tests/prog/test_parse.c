// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_parse.c - the fast path's parser at every hook (XDP, TC ingress, TC
 * egress): VLAN depth, IPv4 options and padding, IPv6 extension chains,
 * non-IP frames, neighbour discovery, and every malformed class with its
 * drop reason. Each well-formed case is paired with a port the policy
 * denies, so a parser that reads L4 from the wrong offset fails.
 */
#include "fixture.h"

static const char policy[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80, 443]\n"
	"    action: allow\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    action: allow\n"
	"  - name: ping6\n"
	"    proto: icmpv6\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: gre\n"
	"    proto: 47\n"
	"    action: allow\n";

/* An explicit icmpv6 rule decides neighbour discovery. */
static const char policy_nd_deny[] =
	"version: 1\n"
	"default: allow\n"
	"rules:\n"
	"  - name: no-ns\n"
	"    proto: icmpv6\n"
	"    icmp_types: [neighbor-solicitation]\n"
	"    action: deny\n"
	"  - name: ra-ok\n"
	"    proto: icmpv6\n"
	"    icmp_types: [router-advertisement]\n"
	"    action: allow\n"
	"  - name: no-icmpv6-from-bad\n"
	"    from: \"fd00:bad::/32\"\n"
	"    proto: icmpv6\n"
	"    action: deny\n";

/* A rule that does not name icmpv6 does not decide neighbour discovery. */
static const char policy_deny_all[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: deny-all\n"
	"    action: deny\n";

#define A4 "10.0.0.1"
#define B4 "10.0.0.2"
#define A6 "fd00::1"
#define B6 "fd00::2"

/* TCP SYN to port 80 (allowed) / 22 (denied by default), IPv4 / IPv6. */
#define SYN80	.family = 4, .proto = IPPROTO_TCP, .sport = 40000, .dport = 80, \
		.tcp_flags = PKT_TCP_SYN
#define SYN22	.family = 4, .proto = IPPROTO_TCP, .sport = 40000, .dport = 22, \
		.tcp_flags = PKT_TCP_SYN
#define SYN80_6	.family = 6, .proto = IPPROTO_TCP, .sport = 40000, .dport = 80, \
		.tcp_flags = PKT_TCP_SYN
#define SYN22_6	.family = 6, .proto = IPPROTO_TCP, .sport = 40000, .dport = 22, \
		.tcp_flags = PKT_TCP_SYN

#define EXT(t, l) { t, l }
#define NOFLOW	.flow = { .present = FG_H_NO }

static const struct fixture fixtures[] = {
	/* ---- L2 ---- */
	{ "vlan0", policy, .all_hooks = true, STEPS(
		{ "untagged allowed", .pkt = { SYN80 }, ALLOWED, .rule = "web",
		  .flow = { .present = FG_H_YES, .state = ST(SYN), .orig = FG_H_YES } },
		{ "untagged denied", .pkt = { SYN22, .sport = 40001 }, DENIED(POLICY),
		  .rule = "default" },
	) },
	{ "vlan1_8021q", policy, .all_hooks = true, STEPS(
		{ "one tag allowed", .pkt = { .n_vlans = 1, .vlan_id = { 10 }, SYN80 },
		  ALLOWED, .rule = "web" },
		{ "one tag denied", .pkt = { .n_vlans = 1, .vlan_id = { 10 }, SYN22 },
		  DENIED(POLICY) },
		{ "802.1ad single tag", .pkt = { .n_vlans = 1, .vlan_tpid = { 0x88a8 },
		  .vlan_id = { 11 }, SYN80, .sport = 40002 }, ALLOWED },
	) },
	{ "vlan2_qinq", policy, .all_hooks = true, STEPS(
		{ "802.1ad + 802.1Q allowed", .pkt = { .n_vlans = 2,
		  .vlan_tpid = { 0x88a8, 0x8100 }, .vlan_id = { 100, 200 }, SYN80 },
		  ALLOWED, .rule = "web" },
		{ "802.1ad + 802.1Q denied", .pkt = { .n_vlans = 2,
		  .vlan_tpid = { 0x88a8, 0x8100 }, .vlan_id = { 100, 200 }, SYN22 },
		  DENIED(POLICY) },
		{ "two 802.1Q tags, IPv6", .pkt = { .n_vlans = 2,
		  .vlan_id = { 1, 2 }, SYN80_6 }, ALLOWED },
		{ "two tags, ARP", .pkt = { .n_vlans = 2, .vlan_id = { 1, 2 } }, PASSED },
	) },
	{ "vlan3_too_deep", policy, .all_hooks = true, STEPS(
		{ "three tags (port 80 would be allowed)", .pkt = { .n_vlans = 3,
		  .vlan_tpid = { 0x88a8, 0x8100, 0x8100 }, .vlan_id = { 1, 2, 3 },
		  SYN80 }, MALFORMED(VLAN_DEPTH), NOFLOW },
		{ "three tags, ARP", .pkt = { .n_vlans = 3, .vlan_id = { 1, 2, 3 } },
		  MALFORMED(VLAN_DEPTH) },
	) },
	{ "vlan_truncated", policy, .all_hooks = true, STEPS(
		{ "tag cut after 2 bytes", .pkt = { .n_vlans = 1, SYN80, .cut = 16 },
		  MALFORMED(L2_TRUNC) },
		{ "second tag cut", .pkt = { .n_vlans = 2, SYN80, .cut = 20 },
		  MALFORMED(L2_TRUNC) },
	) },
	{ "non_ip_passes", policy, .all_hooks = true, STEPS(
		{ "ARP request", .pkt = { .family = 0 }, PASSED },
		{ "LLDP", .pkt = { .family = 0, .ethertype = 0x88cc, .payload = 40 },
		  PASSED },
		{ "ARP in 802.1Q", .pkt = { .n_vlans = 1, .vlan_id = { 5 } }, PASSED },
	) },

	/* ---- IPv4 ---- */
	{ "ipv4_options", policy, .all_hooks = true, STEPS(
		{ "router alert (4 bytes)", .pkt = { SYN80, .ip_opts = 4 },
		  ALLOWED, .rule = "web" },
		{ "40 option bytes", .pkt = { SYN80, .sport = 40001, .ip_opts = 40 },
		  ALLOWED },
		{ "options + denied port (L4 behind options)", .pkt = { SYN22,
		  .ip_opts = 12 }, DENIED(POLICY) },
		{ "options + UDP allowed", .pkt = { .family = 4, .proto = IPPROTO_UDP,
		  .sport = 1000, .dport = 53, .ip_opts = 20, .payload = 10 },
		  ALLOWED, .rule = "dns" },
	) },
	{ "full_size_frames", policy, .all_hooks = true, STEPS(
		{ "1500-byte IPv4 TCP", .pkt = { SYN80, .tcp_flags = PKT_TCP_SYN,
		  .payload = 1460 }, ALLOWED },
		{ "1500-byte IPv6 UDP behind two tags", .pkt = { .family = 6,
		  .n_vlans = 2, .proto = IPPROTO_UDP, .sport = 7, .dport = 53,
		  .payload = 1452 }, ALLOWED, .rule = "dns" },
		{ "1500-byte IPv6 UDP denied", .pkt = { .family = 6,
		  .proto = IPPROTO_UDP, .sport = 7, .dport = 54, .payload = 1452 },
		  DENIED(POLICY) },
	) },
	{ "ipv4_padding", policy, .all_hooks = true, STEPS(
		{ "Ethernet padding after a short UDP packet",
		  .pkt = { .family = 4, .proto = IPPROTO_UDP, .sport = 1, .dport = 53,
			   .payload = 2, .pad_to = 60 }, ALLOWED },
		{ "padding, denied", .pkt = { .family = 4, .proto = IPPROTO_UDP,
		  .sport = 1, .dport = 54, .pad_to = 60 }, DENIED(POLICY) },
	) },
	{ "ipv4_other_proto", policy, .all_hooks = true, STEPS(
		{ "GRE allowed by number", .pkt = { .family = 4, .proto = 47,
		  .payload = 20 }, ALLOWED, .rule = "gre",
		  .flow = { .present = FG_H_YES, .state = ST(ESTABLISHED) } },
		{ "proto 50 (ESP) default deny", .pkt = { .family = 4, .proto = 50,
		  .payload = 20 }, DENIED(POLICY) },
	) },
	{ "ipv4_malformed", policy, .all_hooks = true, STEPS(
		{ "header truncated", .pkt = { SYN80, .cut = 14 + 10 },
		  MALFORMED(IP_TRUNC), NOFLOW, .xdp_only = true },
		{ "header truncated behind a VLAN tag", .pkt = { SYN80,
		  .n_vlans = 1, .cut = 18 + 19 }, MALFORMED(IP_TRUNC), NOFLOW },
		{ "version 5", .pkt = { SYN80, .set = PKT_SET_VERSION, .version = 5 },
		  MALFORMED(IP_VERSION), NOFLOW },
		{ "version 6 in an IPv4 frame", .pkt = { SYN80, .set = PKT_SET_VERSION,
		  .version = 6 }, MALFORMED(IP_VERSION), NOFLOW },
		{ "IHL 4", .pkt = { SYN80, .set = PKT_SET_IHL, .ihl = 4 },
		  MALFORMED(IP_IHL), NOFLOW },
		{ "IHL 0", .pkt = { SYN80, .set = PKT_SET_IHL, .ihl = 0 },
		  MALFORMED(IP_IHL), NOFLOW },
		{ "IHL 15 beyond the frame", .pkt = { SYN80, .set = PKT_SET_IHL,
		  .ihl = 15 }, .rv = FG_H_DROP, .verdict = V(MALFORMED), NOFLOW },
		{ "IHL 15 beyond the total length, inside the frame",
		  .pkt = { SYN80, .payload = 60, .set = PKT_SET_IHL | PKT_SET_IPLEN,
			   .ihl = 15, .ip_len = 40 }, MALFORMED(IP_IHL), NOFLOW },
		{ "total length beyond the frame", .pkt = { SYN80, .set = PKT_SET_IPLEN,
		  .ip_len = 1000 }, MALFORMED(IP_TOTLEN), NOFLOW },
		{ "total length below the header", .pkt = { SYN80, .set = PKT_SET_IPLEN,
		  .ip_len = 12 }, .rv = FG_H_DROP, .verdict = V(MALFORMED), NOFLOW },
		{ "frame cut inside TCP, lengths unfixed", .pkt = { SYN80,
		  .cut = 14 + 20 + 10 }, MALFORMED(IP_TOTLEN), NOFLOW },
	) },

	/* ---- L4 ---- */
	{ "l4_malformed", policy, .all_hooks = true, STEPS(
		{ "TCP header truncated (10 of 20)", .pkt = { SYN80,
		  .cut = 14 + 20 + 10, .cut_fix = true }, MALFORMED(L4_TRUNC), NOFLOW },
		{ "TCP doff 4", .pkt = { SYN80, .set = PKT_SET_DOFF, .doff = 4 },
		  MALFORMED(TCP_DOFF), NOFLOW },
		{ "TCP doff 0", .pkt = { SYN80, .set = PKT_SET_DOFF, .doff = 0 },
		  MALFORMED(TCP_DOFF), NOFLOW },
		{ "TCP doff 15 beyond the packet", .pkt = { SYN80, .set = PKT_SET_DOFF,
		  .doff = 15, .payload = 8 }, MALFORMED(TCP_DOFF), NOFLOW },
		{ "TCP doff 8 with 12 option bytes is fine", .pkt = { SYN80,
		  .tcp_opts = 12 }, ALLOWED },
		{ "UDP header truncated (4 of 8)", .pkt = { .family = 4,
		  .proto = IPPROTO_UDP, .dport = 53, .cut = 14 + 20 + 4,
		  .cut_fix = true }, MALFORMED(L4_TRUNC), NOFLOW },
		{ "ICMP header truncated (3 of 8)", .pkt = { .family = 4,
		  .proto = IPPROTO_ICMP, .icmp_type = 8, .cut = 14 + 20 + 3,
		  .cut_fix = true }, MALFORMED(L4_TRUNC) },
		{ "ICMPv6 header truncated", .pkt = { .family = 6,
		  .proto = IPPROTO_ICMPV6, .icmp_type = 128, .cut = 14 + 40 + 3,
		  .cut_fix = true }, MALFORMED(L4_TRUNC) },
		{ "TCP over IPv6 truncated", .pkt = { SYN80_6, .cut = 14 + 40 + 12,
		  .cut_fix = true }, MALFORMED(L4_TRUNC) },
		{ "UDP over IPv6 truncated", .pkt = { .family = 6,
		  .proto = IPPROTO_UDP, .dport = 53, .cut = 14 + 40 + 7,
		  .cut_fix = true }, MALFORMED(L4_TRUNC) },
	) },
	{ "tcp_bad_flags", policy, .all_hooks = true, STEPS(
		{ "SYN+FIN", .pkt = { SYN80, .tcp_flags = PKT_TCP_SYN | PKT_TCP_FIN },
		  DROPPED(TCP_FLAGS), NOFLOW },
		{ "SYN+RST", .pkt = { SYN80, .tcp_flags = PKT_TCP_SYN | PKT_TCP_RST },
		  DROPPED(TCP_FLAGS), NOFLOW },
		{ "no flags", .pkt = { SYN80, .tcp_flags = 0 }, DROPPED(TCP_FLAGS),
		  NOFLOW },
		{ "SYN+FIN over IPv6", .pkt = { SYN80_6,
		  .tcp_flags = PKT_TCP_SYN | PKT_TCP_FIN }, DROPPED(TCP_FLAGS) },
		{ "then a clean SYN of the same tuple", .pkt = { SYN80 }, ALLOWED },
	) },

	/* ---- IPv6 ---- */
	{ "ipv6_plain", policy, .all_hooks = true, STEPS(
		{ "TCP 80", .pkt = { SYN80_6 }, ALLOWED, .rule = "web",
		  .flow = { .present = FG_H_YES, .state = ST(SYN) } },
		{ "TCP 22", .pkt = { SYN22_6 }, DENIED(POLICY) },
		{ "no next header (59)", .pkt = { .family = 6, .proto = 59,
		  .payload = 8 }, DENIED(POLICY) },
	) },
	{ "ipv6_ext_chain", policy, .all_hooks = true, STEPS(
		{ "HBH+DST+ROUTING+DST+TCP 80", .pkt = { SYN80_6, .n_ext = 4,
		  .ext = { EXT(PKT_EXT_HBH, 0), EXT(PKT_EXT_DSTOPTS, 16),
			   EXT(PKT_EXT_ROUTING, 24), EXT(PKT_EXT_DSTOPTS, 8) } },
		  ALLOWED, .rule = "web" },
		{ "same chain, TCP 22", .pkt = { SYN22_6, .n_ext = 4,
		  .ext = { EXT(PKT_EXT_HBH, 0), EXT(PKT_EXT_DSTOPTS, 16),
			   EXT(PKT_EXT_ROUTING, 24), EXT(PKT_EXT_DSTOPTS, 8) } },
		  DENIED(POLICY) },
		{ "AH + TCP 443", .pkt = { SYN80_6, .dport = 443, .n_ext = 1,
		  .ext = { EXT(PKT_EXT_AH, 0) } }, ALLOWED },
		{ "AH 24 bytes + UDP 53", .pkt = { .family = 6, .proto = IPPROTO_UDP,
		  .sport = 9, .dport = 53, .n_ext = 1, .ext = { EXT(PKT_EXT_AH, 24) },
		  .payload = 4 }, ALLOWED, .rule = "dns" },
		{ "AH + TCP 22", .pkt = { SYN22_6, .sport = 40001, .n_ext = 1,
		  .ext = { EXT(PKT_EXT_AH, 16) } }, DENIED(POLICY) },
		{ "HBH + AH + DST + UDP 54", .pkt = { .family = 6,
		  .proto = IPPROTO_UDP, .dport = 54, .n_ext = 3,
		  .ext = { EXT(PKT_EXT_HBH, 8), EXT(PKT_EXT_AH, 12),
			   EXT(PKT_EXT_DSTOPTS, 8) } }, DENIED(POLICY) },
		{ "atomic fragment (offset 0, M 0) is not a fragment",
		  .pkt = { SYN80_6, .sport = 40009, .n_ext = 1,
			   .ext = { EXT(PKT_EXT_FRAG, 0) }, .ip_id = 7 },
		  ALLOWED, .cnt = { { C(FRAG_FIRST), 0 }, { C(FRAG_LATER), 0 } } },
		{ "hop-by-hop of 256 bytes + TCP 80", .pkt = { SYN80_6, .sport = 40011,
		  .n_ext = 1, .ext = { EXT(PKT_EXT_HBH, 256) } }, ALLOWED },
		{ "three 256-byte destination options + TCP 22 (L4 at byte 822)",
		  .pkt = { SYN22_6, .sport = 40012, .n_ext = 3,
			   .ext = { EXT(PKT_EXT_DSTOPTS, 256), EXT(PKT_EXT_DSTOPTS, 256),
				    EXT(PKT_EXT_DSTOPTS, 256) } }, DENIED(POLICY) },
		{ "same chain + TCP 80", .pkt = { SYN80_6, .sport = 40013, .n_ext = 3,
			   .ext = { EXT(PKT_EXT_DSTOPTS, 256), EXT(PKT_EXT_DSTOPTS, 256),
				    EXT(PKT_EXT_DSTOPTS, 256) } }, ALLOWED },
		{ "8 headers (the maximum) + TCP 80", .pkt = { SYN80_6, .sport = 40010,
		  .n_ext = 8, .ext = { EXT(PKT_EXT_HBH, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_ROUTING, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_ROUTING, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_AH, 0), EXT(PKT_EXT_DSTOPTS, 0) } }, ALLOWED },
	) },
	{ "ipv6_malformed", policy, .all_hooks = true, STEPS(
		{ "header truncated", .pkt = { SYN80_6, .cut = 14 + 30 },
		  MALFORMED(IP_TRUNC), NOFLOW, .xdp_only = true },
		{ "header truncated behind a VLAN tag", .pkt = { SYN80_6,
		  .n_vlans = 1, .cut = 18 + 39 }, MALFORMED(IP_TRUNC), NOFLOW },
		{ "version 4 in an IPv6 frame", .pkt = { SYN80_6,
		  .set = PKT_SET_VERSION, .version = 4 }, MALFORMED(IP_VERSION) },
		{ "payload length beyond the frame", .pkt = { SYN80_6,
		  .set = PKT_SET_IPLEN, .ip_len = 500 }, MALFORMED(IP6_PAYLOAD_LEN),
		  NOFLOW },
		{ "payload length 0 (jumbogram)", .pkt = { SYN80_6,
		  .set = PKT_SET_IPLEN, .ip_len = 0 }, MALFORMED(IP6_PAYLOAD_LEN),
		  NOFLOW },
		{ "9 extension headers", .pkt = { SYN80_6, .n_ext = 9,
		  .ext = { EXT(PKT_EXT_HBH, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_ROUTING, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_ROUTING, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_ROUTING, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0) } }, MALFORMED(EXTHDR_CHAIN), NOFLOW },
		{ "12 extension headers", .pkt = { SYN80_6, .n_ext = 12,
		  .ext = { EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0),
			EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_DSTOPTS, 0) } },
		  MALFORMED(EXTHDR_CHAIN) },
		{ "HBH not first", .pkt = { SYN80_6, .n_ext = 2,
		  .ext = { EXT(PKT_EXT_DSTOPTS, 0), EXT(PKT_EXT_HBH, 0) } },
		  MALFORMED(EXTHDR_ORDER), NOFLOW },
		{ "second HBH", .pkt = { SYN80_6, .n_ext = 2,
		  .ext = { EXT(PKT_EXT_HBH, 0), EXT(PKT_EXT_HBH, 0) } },
		  MALFORMED(EXTHDR_ORDER) },
		{ "HBH cut after 4 bytes", .pkt = { SYN80_6, .n_ext = 1,
		  .ext = { EXT(PKT_EXT_HBH, 16) }, .cut = 14 + 40 + 4,
		  .cut_fix = true }, MALFORMED(EXTHDR_TRUNC), NOFLOW },
		{ "HBH cut after 1 byte (length byte missing)", .pkt = { SYN80_6,
		  .n_ext = 1, .ext = { EXT(PKT_EXT_HBH, 8) }, .cut = 14 + 40 + 1,
		  .cut_fix = true }, MALFORMED(EXTHDR_TRUNC) },
		{ "routing header longer than the packet", .pkt = { SYN80_6,
		  .n_ext = 2, .ext = { EXT(PKT_EXT_DSTOPTS, 8),
				       EXT(PKT_EXT_ROUTING, 64) },
		  .cut = 14 + 40 + 8 + 30, .cut_fix = true },
		  MALFORMED(EXTHDR_TRUNC) },
		{ "AH cut", .pkt = { SYN80_6, .n_ext = 1,
		  .ext = { EXT(PKT_EXT_AH, 24) }, .cut = 14 + 40 + 16,
		  .cut_fix = true }, MALFORMED(EXTHDR_TRUNC) },
		{ "fragment header cut", .pkt = { SYN80_6, .n_ext = 1,
		  .ext = { EXT(PKT_EXT_FRAG, 0) }, .cut = 14 + 40 + 6,
		  .cut_fix = true }, MALFORMED(EXTHDR_TRUNC) },
	) },

	/* ---- neighbour discovery and MLD ---- */
	{ "nd_mld_pass_default_deny", policy, .all_hooks = true, STEPS(
		{ "router solicitation", .pkt = ICMP6(A6, "ff02::2", 133, 0, 0),
		  PASSED, NOFLOW },
		{ "router advertisement", .pkt = ICMP6(B6, "ff02::1", 134, 0, 0),
		  PASSED, NOFLOW },
		{ "neighbour solicitation", .pkt = ICMP6(A6, "ff02::1:ff00:2", 135,
		  0, 0), PASSED, NOFLOW },
		{ "neighbour advertisement", .pkt = ICMP6(B6, A6, 136, 0, 0),
		  PASSED, NOFLOW },
		{ "redirect", .pkt = ICMP6(B6, A6, 137, 0, 0), PASSED, NOFLOW },
		{ "MLD query", .pkt = ICMP6("fe80::1", "ff02::1", 130, 0, 0),
		  PASSED, NOFLOW },
		{ "MLD report behind hop-by-hop", .pkt = { .family = 6,
		  .src = "fe80::1", .dst = "ff02::16", .proto = IPPROTO_ICMPV6,
		  .icmp_type = 131, .n_ext = 1, .ext = { EXT(PKT_EXT_HBH, 0) },
		  .payload = 16 }, PASSED, NOFLOW },
		{ "MLD done", .pkt = ICMP6("fe80::1", "ff02::2", 132, 0, 0), PASSED },
		{ "MLDv2 report", .pkt = { .family = 6, .src = "fe80::1",
		  .dst = "ff02::16", .proto = IPPROTO_ICMPV6, .icmp_type = 143,
		  .n_ext = 1, .ext = { EXT(PKT_EXT_HBH, 0) }, .payload = 20 },
		  PASSED },
		{ "other ICMPv6 (node info 139) is classified", .pkt = ICMP6(A6, B6,
		  139, 0, 0), DENIED(POLICY) },
		{ "echo request allowed by ping6", .pkt = ICMP6(A6, B6, 128, 0, 5),
		  ALLOWED, .rule = "ping6" },
	) },
	{ "nd_explicit_deny", policy_nd_deny, .all_hooks = true, STEPS(
		{ "neighbour solicitation denied by an icmpv6 rule",
		  .pkt = ICMP6(A6, "ff02::1:ff00:2", 135, 0, 0), DENIED(POLICY),
		  .rule = "no-ns", NOFLOW },
		{ "neighbour advertisement still passes",
		  .pkt = ICMP6(B6, A6, 136, 0, 0), PASSED, NOFLOW },
		{ "echo request allowed by default",
		  .pkt = ICMP6(A6, B6, 128, 0, 9), ALLOWED, .rule = "default" },
		{ "router advertisement allowed by an explicit rule",
		  .pkt = ICMP6("fe80::1", "ff02::1", 134, 0, 0), ALLOWED,
		  .rule = "ra-ok", NOFLOW },
		{ "any ND type from a denied source",
		  .pkt = ICMP6("fd00:bad::1", B6, 136, 0, 0), DENIED(POLICY),
		  .rule = "no-icmpv6-from-bad", NOFLOW },
		{ "MLD from elsewhere passes",
		  .pkt = ICMP6("fe80::1", "ff02::1", 130, 0, 0), PASSED, NOFLOW },
	) },
	{ "nd_not_decided_by_any_rule", policy_deny_all, .all_hooks = true, STEPS(
		{ "neighbour solicitation passes a deny-everything rule",
		  .pkt = ICMP6(A6, "ff02::1:ff00:2", 135, 0, 0), PASSED, NOFLOW },
		{ "while echo is denied by it", .pkt = ICMP6(A6, B6, 128, 0, 1),
		  DENIED(POLICY), .rule = "deny-all" },
		{ "and so is IPv4", .pkt = { SYN80 }, DENIED(POLICY),
		  .rule = "deny-all" },
	) },
};

int main(void)
{
	return fixture_main("parse", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]), NULL, 0);
}
