// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_verdict.c - every verdict path of a new flow: allow/deny by source,
 * destination, group, protocol, port range and ICMP type, IPv4 and IPv6;
 * overlapping prefixes and ranges (first match wins); more rules than one
 * bitmap word;
 * failsafe before a deny rule; default allow/deny; no policy installed;
 * replies of allowed flows in both hook orders; denied flows' later packets;
 * events of log:true rules and malformed packets through the ring buffer,
 * their rate limit; per-interface counters.
 */
#include <bpf/libbpf.h>

#include "fixture.h"

static const char policy[] =
	"version: 1\n"
	"default: deny\n"
	"groups:\n"
	"  admins: [192.168.1.10, \"fd00:a::10\"]\n"
	"  web: [10.0.0.0/24, \"fd00:1::/64\"]\n"
	"  nobody: []\n"
	"rules:\n"
	"  - name: nobody-allow\n"
	"    from: nobody\n"
	"    action: allow\n"
	"  - name: admins-any\n"
	"    from: admins\n"
	"    action: allow\n"
	"  - name: no-ssh\n"
	"    proto: tcp\n"
	"    ports: [22]\n"
	"    action: deny\n"
	"  - name: web-in\n"
	"    to: web\n"
	"    proto: tcp\n"
	"    ports: [80, 443, 8000-8100]\n"
	"    action: allow\n"
	"  - name: no-telnet\n"
	"    proto: tcp\n"
	"    ports: [23]\n"
	"    action: deny\n"
	"    log: true\n"
	"  - name: dns\n"
	"    from: [10.9.0.0/16, \"fd00:9::/32\"]\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request, 3/4]\n"
	"    action: allow\n"
	"  - name: ping6\n"
	"    proto: icmpv6\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: port9000\n"
	"    proto: any\n"
	"    ports: [9000]\n"
	"    action: allow\n"
	"  - name: sctp\n"
	"    proto: 132\n"
	"    action: allow\n"
	"  - name: to-host\n"
	"    to: 10.5.5.5\n"
	"    action: allow\n"
	"  - name: v4-only\n"
	"    from: 0.0.0.0/0\n"
	"    proto: udp\n"
	"    ports: [7]\n"
	"    action: allow\n"
	"failsafe: [tcp/22, udp/5000-5010]\n";

/* Overlapping prefixes and port ranges: first match wins whatever the
 * prefix lengths (a trie entry's class includes its ancestors' rules). */
static const char policy_overlap[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: r1-deny-subnet\n"
	"    from: 10.20.1.0/24\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: deny\n"
	"  - name: r2-allow-net\n"
	"    from: 10.20.0.0/16\n"
	"    proto: tcp\n"
	"    ports: [80-90]\n"
	"    action: allow\n"
	"  - name: r3-shadowed\n"
	"    from: 10.20.1.128/25\n"
	"    proto: tcp\n"
	"    ports: [81]\n"
	"    action: deny\n"
	"  - name: r4-allow-dst\n"
	"    to: 10.30.0.0/16\n"
	"    proto: udp\n"
	"    ports: [1000-2000]\n"
	"    action: allow\n"
	"  - name: r5-shadowed-dst\n"
	"    to: 10.30.5.0/24\n"
	"    proto: udp\n"
	"    ports: [1500]\n"
	"    action: deny\n"
	"  - name: r6-no-443\n"
	"    proto: any\n"
	"    ports: [443]\n"
	"    action: deny\n"
	"  - name: r7-net-rest\n"
	"    from: [10.20.0.0/16, \"fd00:20::/32\"]\n"
	"    action: allow\n"
	"  - name: r8-host-deny\n"
	"    from: 10.20.9.9/32\n"
	"    action: deny\n";

static const char policy_allow[] =
	"version: 1\n"
	"default: allow\n"
	"rules:\n"
	"  - name: no-smtp\n"
	"    proto: tcp\n"
	"    ports: [25]\n"
	"    action: deny\n";

#define C4 "10.9.9.9"		/* a client outside every group */
#define S4 "10.0.0.5"		/* a server in web */
#define C6 "fd00:9::9"
#define S6 "fd00:1::5"

/* Port ranges split into prefixes at odd boundaries; ICMP type vs
 * type/code entries. */
static const char policy_ranges[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: udp-all-but-0\n"
	"    from: 10.60.0.0/16\n"
	"    proto: udp\n"
	"    ports: [1-65535]\n"
	"    action: allow\n"
	"  - name: odd-ranges\n"
	"    proto: tcp\n"
	"    ports: [1023-1025, 3, 65534-65535]\n"
	"    action: allow\n"
	"  - name: unreach-any-code\n"
	"    proto: icmp\n"
	"    icmp_types: [3]\n"
	"    action: deny\n"
	"  - name: ts-code0\n"
	"    proto: icmp\n"
	"    icmp_types: [\"13/0\"]\n"
	"    action: allow\n"
	"  - name: icmp-rest\n"
	"    proto: icmp\n"
	"    action: allow\n";

/* What an unrelated ICMP error quotes: a packet of no known flow. */
static const struct pkt_spec stray = UDP4(S4, 33000, "10.4.4.4", 33434);

static const struct fixture fixtures[] = {
	{ "by_source", policy, STEPS(
		{ "admin v4, any proto/port", .hook = FG_H_XDP,
		  .pkt = UDP4("192.168.1.10", 5000, "10.7.7.7", 7777), ALLOWED,
		  .rule = "admins-any",
		  .flow = { .present = FG_H_YES, .rule = "admins-any",
			    .state = ST(ESTABLISHED), .action = A(ALLOW) } },
		{ "admin v6", .hook = FG_H_XDP,
		  .pkt = UDP6("fd00:a::10", 5000, "fd00:7::7", 7777), ALLOWED,
		  .rule = "admins-any" },
		{ "neighbour of an admin", .hook = FG_H_XDP,
		  .pkt = UDP4("192.168.1.11", 5000, "10.7.7.7", 7777),
		  DENIED(POLICY), .rule = "default",
		  .flow = { .present = FG_H_YES, .action = A(DENY),
			    .rule = "default" } },
		{ "dns from 10.9/16", .hook = FG_H_XDP,
		  .pkt = UDP4("10.9.1.1", 4000, "10.7.7.7", 53), ALLOWED,
		  .rule = "dns" },
		{ "dns from 10.8/16", .hook = FG_H_XDP,
		  .pkt = UDP4("10.8.1.1", 4000, "10.7.7.7", 53), DENIED(POLICY) },
		{ "dns over tcp from 10.9/16 (proto)", .hook = FG_H_XDP,
		  .pkt = TCP4("10.9.1.1", 4000, "10.7.7.7", 53, SYN),
		  DENIED(POLICY) },
		{ "dns from fd00:9::/32", .hook = FG_H_XDP,
		  .pkt = UDP6("fd00:9:1::1", 4000, "fd00:7::7", 53), ALLOWED,
		  .rule = "dns" },
		{ "dns from fd01::1", .hook = FG_H_XDP,
		  .pkt = UDP6("fd01::1", 4000, "fd00:7::7", 53), DENIED(POLICY) },
		{ "IPv4-mapped address is not the IPv4 prefix", .hook = FG_H_XDP,
		  .pkt = UDP6("::ffff:10.9.1.1", 4000, "fd00:7::7", 53),
		  DENIED(POLICY) },
	) },
	{ "by_destination_and_port", policy, STEPS(
		{ "web v4 :443", .hook = FG_H_XDP, .pkt = TCP4(C4, 40000, S4, 443, SYN),
		  ALLOWED, .rule = "web-in" },
		{ "web v4 :8000 (range start)", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40001, S4, 8000, SYN), ALLOWED, .rule = "web-in" },
		{ "web v4 :8100 (range end)", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40002, S4, 8100, SYN), ALLOWED },
		{ "web v4 :8101", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40003, S4, 8101, SYN), DENIED(POLICY),
		  .rule = "default" },
		{ "web v4 :7999", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40004, S4, 7999, SYN), DENIED(POLICY) },
		{ "outside web :80", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40005, "10.0.1.5", 80, SYN), DENIED(POLICY) },
		{ "web v4 :80 over udp (proto)", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40006, S4, 80), DENIED(POLICY) },
		{ "web v6 :80", .hook = FG_H_XDP, .pkt = TCP6(C6, 40000, S6, 80, SYN),
		  ALLOWED, .rule = "web-in" },
		{ "outside web v6 :80", .hook = FG_H_XDP,
		  .pkt = TCP6(C6, 40000, "fd00:2::5", 80, SYN), DENIED(POLICY) },
		{ "to a single address, any proto", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = "10.5.5.5", .proto = 47 },
		  ALLOWED, .rule = "to-host" },
		{ "next address", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = "10.5.5.6", .proto = 47 },
		  DENIED(POLICY) },
		{ "proto any + ports: tcp", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40007, "10.7.7.7", 9000, SYN), ALLOWED,
		  .rule = "port9000" },
		{ "proto any + ports: udp", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40007, "10.7.7.7", 9000), ALLOWED,
		  .rule = "port9000" },
		{ "proto any + ports: sctp is neither tcp nor udp", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = "10.7.7.7", .proto = 132,
			   .sport = 1, .dport = 9000 }, ALLOWED, .rule = "sctp" },
		{ "sctp by protocol number", .hook = FG_H_XDP,
		  .pkt = { .family = 6, .src = C6, .dst = S6, .proto = 132,
			   .sport = 1, .dport = 3868 }, ALLOWED, .rule = "sctp" },
		{ "udplite is not sctp", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = "10.7.7.7", .proto = 136,
			   .sport = 2, .dport = 3869 }, DENIED(POLICY) },
		{ "source port is not the port", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 443, "10.7.7.7", 40000, SYN), DENIED(POLICY) },
	) },
	{ "by_icmp_type", policy, STEPS(
		{ "echo request", .hook = FG_H_XDP, .pkt = ICMP4(C4, S4, 8, 0, 1),
		  ALLOWED, .rule = "ping" },
		{ "timestamp request", .hook = FG_H_XDP,
		  .pkt = ICMP4(C4, S4, 13, 0, 2), DENIED(POLICY) },
		{ "3/4 listed with its code", .hook = FG_H_XDP,
		  .pkt = ICMP4E("10.3.3.3", S4, 3, 4, &stray), ALLOWED, .rule = "ping" },
		{ "3/1 not listed", .hook = FG_H_XDP,
		  .pkt = ICMP4E("10.3.3.4", S4, 3, 1, &stray), DENIED(POLICY) },
		{ "echo request v6", .hook = FG_H_XDP,
		  .pkt = ICMP6(C6, S6, 128, 0, 1), ALLOWED, .rule = "ping6" },
		{ "echo reply v6 unsolicited", .hook = FG_H_XDP,
		  .pkt = ICMP6(C6, S6, 129, 0, 77), DENIED(POLICY) },
	) },
	{ "overlapping_prefixes", policy_overlap, STEPS(
		{ "/24 deny before /16 allow", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.1.5", 1, "10.1.1.1", 80, SYN), DENIED(POLICY),
		  .rule = "r1-deny-subnet" },
		{ "outside the /24: /16 allow", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.2.5", 1, "10.1.1.1", 80, SYN), ALLOWED,
		  .rule = "r2-allow-net" },
		{ "/25 rule after the /16 one is shadowed", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.1.200", 1, "10.1.1.1", 81, SYN), ALLOWED,
		  .rule = "r2-allow-net" },
		{ "range end 90", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.2.5", 2, "10.1.1.1", 90, SYN), ALLOWED,
		  .rule = "r2-allow-net" },
		{ "91: falls to r7", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.2.5", 3, "10.1.1.1", 91, SYN), ALLOWED,
		  .rule = "r7-net-rest" },
		{ "79: r7", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.2.5", 4, "10.1.1.1", 79, SYN), ALLOWED,
		  .rule = "r7-net-rest" },
		{ "443 any-proto deny before r7 (tcp)", .hook = FG_H_XDP,
		  .pkt = TCP4("10.20.2.5", 5, "10.1.1.1", 443, SYN), DENIED(POLICY),
		  .rule = "r6-no-443" },
		{ "443 any-proto deny (udp)", .hook = FG_H_XDP,
		  .pkt = UDP4("10.20.1.5", 5, "10.1.1.1", 443), DENIED(POLICY),
		  .rule = "r6-no-443" },
		{ "dst /16 allow before dst /24 deny", .hook = FG_H_XDP,
		  .pkt = UDP4("10.40.0.1", 6, "10.30.5.5", 1500), ALLOWED,
		  .rule = "r4-allow-dst" },
		{ "dst port outside the range", .hook = FG_H_XDP,
		  .pkt = UDP4("10.40.0.1", 7, "10.30.5.5", 2001), DENIED(POLICY),
		  .rule = "default" },
		{ "dst outside the /16", .hook = FG_H_XDP,
		  .pkt = UDP4("10.40.0.1", 8, "10.31.0.1", 1500), DENIED(POLICY) },
		{ "/32 deny after a /16 allow-all is shadowed", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = "10.20.9.9", .dst = "10.1.1.1",
			   .proto = 47 }, ALLOWED, .rule = "r7-net-rest" },
		{ "v6 part of the same rule", .hook = FG_H_XDP,
		  .pkt = UDP6("fd00:20:1::1", 9, "fd00:1::1", 9), ALLOWED,
		  .rule = "r7-net-rest" },
		{ "v6 outside it", .hook = FG_H_XDP,
		  .pkt = UDP6("fd00:21::1", 9, "fd00:1::1", 9), DENIED(POLICY) },
	) },
	{ "port_ranges_and_icmp_codes", policy_ranges, STEPS(
		{ "udp port 0 is outside 1-65535", .hook = FG_H_XDP,
		  .pkt = UDP4("10.60.1.1", 9, S4, 0), DENIED(POLICY),
		  .rule = "default" },
		{ "udp 1", .hook = FG_H_XDP, .pkt = UDP4("10.60.1.1", 9, S4, 1),
		  ALLOWED, .rule = "udp-all-but-0" },
		{ "udp 65535", .hook = FG_H_XDP,
		  .pkt = UDP4("10.60.1.1", 9, S4, 65535), ALLOWED,
		  .rule = "udp-all-but-0" },
		{ "tcp 1022", .hook = FG_H_XDP, .pkt = TCP4(C4, 30000, S4, 1022, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "tcp 1023", .hook = FG_H_XDP, .pkt = TCP4(C4, 30001, S4, 1023, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "tcp 1024", .hook = FG_H_XDP, .pkt = TCP4(C4, 30002, S4, 1024, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "tcp 1025", .hook = FG_H_XDP, .pkt = TCP4(C4, 30003, S4, 1025, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "tcp 1026", .hook = FG_H_XDP, .pkt = TCP4(C4, 30004, S4, 1026, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "tcp 2", .hook = FG_H_XDP, .pkt = TCP4(C4, 30005, S4, 2, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "tcp 3", .hook = FG_H_XDP, .pkt = TCP4(C4, 30006, S4, 3, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "tcp 4", .hook = FG_H_XDP, .pkt = TCP4(C4, 30007, S4, 4, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "tcp 65533", .hook = FG_H_XDP, .pkt = TCP4(C4, 30008, S4, 65533, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "tcp 65534", .hook = FG_H_XDP, .pkt = TCP4(C4, 30009, S4, 65534, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "tcp 65535", .hook = FG_H_XDP, .pkt = TCP4(C4, 30010, S4, 65535, SYN),
		  ALLOWED, .rule = "odd-ranges" },
		{ "icmp 3/1: type with any code", .hook = FG_H_XDP,
		  .pkt = ICMP4E("10.3.3.3", S4, 3, 1, &stray), DENIED(POLICY),
		  .rule = "unreach-any-code" },
		{ "icmp 3/13", .hook = FG_H_XDP,
		  .pkt = ICMP4E("10.3.3.4", S4, 3, 13, &stray), DENIED(POLICY),
		  .rule = "unreach-any-code" },
		{ "icmp 13/0: type and code", .hook = FG_H_XDP,
		  .pkt = ICMP4(C4, S4, 13, 0, 1), ALLOWED, .rule = "ts-code0" },
		{ "icmp 13/1 falls through", .hook = FG_H_XDP,
		  .pkt = ICMP4(C4, S4, 13, 1, 2), ALLOWED, .rule = "icmp-rest" },
		{ "icmp 8/0", .hook = FG_H_XDP, .pkt = ICMP4(C4, S4, 8, 0, 3),
		  ALLOWED, .rule = "icmp-rest" },
	) },
	{ "failsafe_beats_deny", policy, STEPS(
		{ "ssh allowed by failsafe despite no-ssh", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40000, S4, 22, SYN), ALLOWED,
		  .rule = "failsafe:tcp/22",
		  .flow = { .rule = "failsafe:tcp/22", .action = A(ALLOW) } },
		{ "ssh v6", .hook = FG_H_TC_OUT,
		  .pkt = TCP6(S6, 40000, C6, 22, SYN), ALLOWED,
		  .rule = "failsafe:tcp/22" },
		{ "failsafe udp range", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40000, S4, 5005), ALLOWED,
		  .rule = "failsafe:udp/5000-5010" },
		{ "just outside it", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40000, S4, 5011), DENIED(POLICY) },
		{ "0.0.0.0/0 matches IPv4", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40000, S4, 7), ALLOWED, .rule = "v4-only" },
		{ "...and not IPv6", .hook = FG_H_XDP,
		  .pkt = UDP6("fd00:5::1", 40000, S6, 7), DENIED(POLICY) },
		{ "udp/22 is not failsafe", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40000, S4, 22), DENIED(POLICY), .rule = "default" },
		{ "telnet denied by a rule", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 40000, S4, 23, SYN), DENIED(POLICY),
		  .rule = "no-telnet",
		  .flow = { .present = FG_H_YES, .action = A(DENY),
			    .rule = "no-telnet" } },
	) },
	{ "default_allow", policy_allow, STEPS(
		{ "anything", .hook = FG_H_XDP, .pkt = TCP4(C4, 1, S4, 2, SYN),
		  ALLOWED, .rule = "default" },
		{ "v6 udp", .hook = FG_H_TC_OUT, .pkt = UDP6(C6, 1, S6, 2), ALLOWED },
		{ "smtp denied", .hook = FG_H_XDP, .pkt = TCP4(C4, 1, S4, 25, SYN),
		  DENIED(POLICY), .rule = "no-smtp" },
	) },
	{ "no_policy", NULL, STEPS(
		{ "tcp v4 at xdp", .hook = FG_H_XDP, .pkt = TCP4(C4, 1, S4, 80, SYN),
		  DENIED(NO_POLICY), .flow = { .present = FG_H_NO } },
		{ "udp v6 at tc egress", .hook = FG_H_TC_OUT,
		  .pkt = UDP6(C6, 1, S6, 53), DENIED(NO_POLICY) },
		{ "icmp at tc ingress", .hook = FG_H_TC_IN,
		  .pkt = ICMP4(C4, S4, 8, 0, 1), DENIED(NO_POLICY) },
		{ "ARP still passes", .hook = FG_H_XDP, .pkt = { .family = 0 },
		  PASSED },
	) },
	{ "reply_xdp_then_tc", policy, STEPS(
		{ "SYN in", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, SYN),
		  ALLOWED, .rule = "web-in",
		  .cnt = { { C(FLOW_NEW), 1 } } },
		/* As a new flow this would be denied (port 41000): the flow
		 * table lets it through. */
		{ "SYN+ACK out", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, SYNACK), ALLOWED, .rule = "web-in",
		  .cnt = { { C(FLOW_NEW), 0 } },
		  .flow = { .orig = FG_H_NO, .pk_orig = 1, .pk_reply = 1 } },
		{ "ACK in", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED), .pk_orig = 2,
				     .pk_reply = 1 } },
		{ "data out", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, PSHACK), ALLOWED,
		  .flow = { .pk_orig = 2, .pk_reply = 2 } },
		{ "reply over udp v6", .hook = FG_H_XDP,
		  .pkt = UDP6(C6, 5353, "fd00:7::1", 53), ALLOWED },
		{ "udp v6 reply out", .hook = FG_H_TC_OUT,
		  .pkt = UDP6("fd00:7::1", 53, C6, 5353), ALLOWED,
		  .cnt = { { C(FLOW_NEW), 0 } },
		  .flow = { .pk_orig = 1, .pk_reply = 1 } },
	) },
	{ "reply_tc_then_xdp", policy, STEPS(
		{ "SYN out", .hook = FG_H_TC_OUT, .pkt = TCP4(C4, 42000, S4, 443, SYN),
		  ALLOWED, .rule = "web-in" },
		{ "SYN+ACK in", .hook = FG_H_XDP,
		  .pkt = TCP4(S4, 443, C4, 42000, SYNACK), ALLOWED,
		  .flow = { .orig = FG_H_NO, .flags_set = FG_FLOW_F_SYNACK } },
		{ "ACK out", .hook = FG_H_TC_OUT, .pkt = TCP4(C4, 42000, S4, 443, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED) } },
		{ "data in at tc ingress", .hook = FG_H_TC_IN,
		  .pkt = TCP4(S4, 443, C4, 42000, PSHACK), ALLOWED },
		{ "echo out v6", .hook = FG_H_TC_OUT, .pkt = ICMP6(C6, S6, 128, 0, 3),
		  ALLOWED, .rule = "ping6" },
		{ "echo reply in v6", .hook = FG_H_XDP,
		  .pkt = ICMP6(S6, C6, 129, 0, 3), ALLOWED,
		  .flow = { .pk_orig = 1, .pk_reply = 1 } },
	) },
	{ "denied_flow_later_packets", policy, STEPS(
		{ "SYN to :25", .hook = FG_H_XDP, .pkt = TCP4(C4, 43000, S4, 25, SYN),
		  DENIED(POLICY), .rule = "default",
		  .flow = { .present = FG_H_YES, .action = A(DENY) } },
		{ "retransmitted SYN", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 43000, S4, 25, SYN), DENIED(FLOW_DENIED),
		  .cnt = { { C(FLOW_NEW), 0 } } },
		{ "reply direction", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 25, C4, 43000, SYNACK), DENIED(FLOW_DENIED) },
		{ "udp denied", .hook = FG_H_TC_OUT, .pkt = UDP6(C6, 1, S6, 2),
		  DENIED(POLICY) },
		{ "udp again", .hook = FG_H_TC_OUT, .pkt = UDP6(C6, 1, S6, 2),
		  DENIED(FLOW_DENIED) },
		{ "udp answer", .hook = FG_H_XDP, .pkt = UDP6(S6, 2, C6, 1),
		  DENIED(FLOW_DENIED) },
	) },
};

/*
 * More rules than one bitmap word: the first word both address and port
 * classes share holds no common rule, the match is in a later word (the
 * bpf_loop part of the scan). 200 rules: filler f<i> (udp port 20000 + i)
 * except ids 65 (C), 70 (A) and 140 (B).
 */
static void test_many_rules_scan(void **state)
{
	static const struct fg_h_step steps[] = {
		{ "word 1 has src {A} and port {C}: B in word 2",
		  .hook = FG_H_XDP, .pkt = TCP4("10.1.1.1", 1, S4, 8001, SYN),
		  ALLOWED, .rule = "B" },
		{ "A", .hook = FG_H_XDP, .pkt = TCP4("10.1.1.1", 2, S4, 8000, SYN),
		  DENIED(POLICY), .rule = "A" },
		{ "C", .hook = FG_H_XDP, .pkt = TCP4("10.2.1.1", 3, S4, 8001, SYN),
		  ALLOWED, .rule = "C" },
		{ "none", .hook = FG_H_XDP, .pkt = TCP4("10.3.1.1", 4, S4, 8001, SYN),
		  DENIED(POLICY), .rule = "default" },
		{ "first filler", .hook = FG_H_XDP,
		  .pkt = UDP4("10.3.1.1", 5, S4, 20000), ALLOWED, .rule = "f0" },
		{ "last filler", .hook = FG_H_XDP,
		  .pkt = UDP4("10.3.1.1", 6, S4, 20199), ALLOWED, .rule = "f199" },
		{ "filler 64 (word boundary)", .hook = FG_H_XDP,
		  .pkt = UDP4("10.3.1.1", 7, S4, 20064), ALLOWED, .rule = "f64" },
		{ "filler 128", .hook = FG_H_XDP,
		  .pkt = UDP4("10.3.1.1", 8, S4, 20128), ALLOWED, .rule = "f128" },
	};
	char *yaml, *p, msg[2048];
	size_t cap = 64 * 1024;
	struct fg_h *h;
	int i, r;

	yaml = p = malloc(cap);
	assert_non_null(yaml);
	p += sprintf(p, "version: 1\ndefault: deny\nrules:\n");
	for (i = 0; i < 200; i++) {
		if (i == 65)
			p += sprintf(p, "  - name: C\n    from: 10.2.0.0/16\n"
				     "    proto: tcp\n    ports: [8001]\n"
				     "    action: allow\n");
		else if (i == 70)
			p += sprintf(p, "  - name: A\n    from: 10.1.0.0/16\n"
				     "    proto: tcp\n    ports: [8000]\n"
				     "    action: deny\n");
		else if (i == 140)
			p += sprintf(p, "  - name: B\n    from: 10.1.0.0/16\n"
				     "    proto: tcp\n    ports: [8001]\n"
				     "    action: allow\n");
		else
			p += sprintf(p, "  - name: f%d\n    proto: udp\n"
				     "    ports: [%d]\n    action: allow\n",
				     i, 20000 + i);
	}
	h = fg_h_open(yaml);
	free(yaml);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	assert_int_equal(fg_h_rule_id(h, "B"), 140);
	r = fg_h_run_steps(h, steps, sizeof(steps) / sizeof(steps[0]), NULL,
			   msg, sizeof(msg));
	fg_h_close(h);
	if (r)
		fail_msg("%s", msg);
}

/* ---- events ---- */

static struct ring_buffer *ev_open(struct fg_h *h, struct fg_h_ev_log *l)
{
	struct ring_buffer *rb = fg_h_events_open(h, l);

	assert_non_null(rb);
	return rb;
}

static void test_event_log_deny(void **state)
{
	struct pkt_spec telnet = TCP4(C4, 44000, S4, 23, SYN);
	struct pkt_spec nolog = TCP4(C4, 44001, S4, 25, SYN);
	struct pkt_spec bad = { .family = 6, .src = C6, .dst = S6,
				.proto = IPPROTO_TCP, .dport = 80,
				.tcp_flags = SYN, .set = PKT_SET_DOFF, .doff = 2 };
	struct pkt_spec frag = { .family = 4, .src = C4, .dst = S4,
				 .proto = IPPROTO_UDP, .ip_id = 42,
				 .frag_off = 100, .no_l4 = true, .payload = 8 };
	struct fg_counters c0, c1, d;
	struct fg_h_ev_log l;
	struct ring_buffer *rb;
	struct fg_h *h;
	__u8 a4[16] = { 10, 9, 9, 9 }, b4[16] = { 10, 0, 0, 5 };
	__u64 t0;
	int rid, rv;

	h = fg_h_open(policy);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	rb = ev_open(h, &l);
	rid = fg_h_rule_id(h, "no-telnet");
	assert_true(rid >= 0);
	fg_h_counters(h, &c0);
	t0 = fg_h_now_ns();

	rv = fg_h_run_spec(h, FG_H_XDP, &telnet);
	assert_false(fg_h_rv_passes(FG_H_XDP, rv));
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ev[0].type, FG_EV_DENY);
	assert_int_equal(l.ev[0].rule, rid);
	assert_int_equal(l.ev[0].gen, h->gen);
	assert_int_equal(l.ev[0].hook, FG_HOOK_INGRESS);
	assert_int_equal(l.ev[0].ifindex, FG_H_IFINDEX);
	assert_int_equal(l.ev[0].family, AF_INET);
	assert_int_equal(l.ev[0].proto, IPPROTO_TCP);
	assert_int_equal(l.ev[0].action, FG_ACTION_DENY);
	assert_int_equal(l.ev[0].reason, FG_DROP_POLICY);
	assert_int_equal(ntohs(l.ev[0].sport), 44000);
	assert_int_equal(ntohs(l.ev[0].dport), 23);
	assert_memory_equal(l.ev[0].src, a4, 16);
	assert_memory_equal(l.ev[0].dst, b4, 16);
	/* bpf_ktime_get_ns() reads the NMI-safe copy of CLOCK_MONOTONIC,
	 * which may trail clock_gettime() slightly: allow 1 ms. */
	assert_true(l.ev[0].ts_ns + 1000000 >= t0 &&
		    l.ev[0].ts_ns <= fg_h_now_ns() + 1000000);

	/* Later packets of the denied flow and denials by a rule without
	 * log: true emit nothing. */
	fg_h_run_spec(h, FG_H_XDP, &telnet);
	fg_h_run_spec(h, FG_H_XDP, &nolog);
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 1);

	/* A malformed packet at TC egress: FG_EV_MALFORMED, its reason. */
	rv = fg_h_run_spec(h, FG_H_TC_OUT, &bad);
	assert_false(fg_h_rv_passes(FG_H_TC_OUT, rv));
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[1].type, FG_EV_MALFORMED);
	assert_int_equal(l.ev[1].reason, FG_DROP_TCP_DOFF);
	assert_int_equal(l.ev[1].hook, FG_HOOK_EGRESS);
	assert_int_equal(l.ev[1].family, AF_INET6);
	assert_int_equal(l.ev[1].rule, (__u32)~0U);	/* no rule decided */

	/* A later fragment without its first: FG_EV_FRAG. */
	rv = fg_h_run_spec(h, FG_H_XDP, &frag);
	assert_false(fg_h_rv_passes(FG_H_XDP, rv));
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.ev[2].type, FG_EV_FRAG);
	assert_int_equal(l.ev[2].reason, FG_DROP_FRAG_NO_FIRST);
	assert_int_equal(l.ev[2].proto, IPPROTO_UDP);
	assert_memory_equal(l.ev[2].src, a4, 16);

	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	assert_int_equal(d.cnt[FG_CNT_EVENT_SENT], 3);
	assert_int_equal(d.cnt[FG_CNT_EVENT_RATELIMITED], 0);
	ring_buffer__free(rb);
	fg_h_close(h);
}

static void test_event_ratelimit(void **state)
{
	struct fg_dp_opts o = { .max_rules = 4096, .flow_entries = 8192,
				.frag_entries = 1024, .event_rate = 1,
				.event_burst = 3 };
	struct pkt_spec bad = { .family = 4, .proto = IPPROTO_TCP, .dport = 80,
				.tcp_flags = SYN, .set = PKT_SET_IHL, .ihl = 3 };
	struct fg_counters c0, c1, d;
	struct fg_h_ev_log l;
	struct ring_buffer *rb;
	struct fg_h *h;
	int i;

	h = fg_h_open_opts(policy, &o);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	rb = ev_open(h, &l);
	fg_h_counters(h, &c0);
	for (i = 0; i < 20; i++)
		fg_h_run_spec(h, FG_H_XDP, &bad);
	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	ring_buffer__consume(rb);
	assert_int_equal(d.drop[FG_DROP_IP_IHL], 20);
	assert_int_equal(d.cnt[FG_CNT_EVENT_SENT] +
			 d.cnt[FG_CNT_EVENT_RATELIMITED] +
			 d.cnt[FG_CNT_EVENT_RINGBUF_FULL], 20);
	/* A burst of 3 plus at most one refilled token at 1/s. */
	assert_in_range(d.cnt[FG_CNT_EVENT_SENT], 3, 4);
	assert_in_range(d.cnt[FG_CNT_EVENT_RATELIMITED], 16, 17);
	assert_int_equal(l.n, (int)d.cnt[FG_CNT_EVENT_SENT]);
	ring_buffer__free(rb);
	fg_h_close(h);
}

static void test_iface_counters(void **state)
{
	struct pkt_spec in = TCP4(C4, 45000, S4, 80, SYN);
	struct pkt_spec out = TCP4(S4, 80, C4, 45000, SYNACK);
	struct pkt_spec denied = TCP4(C4, 45001, S4, 25, SYN);
	struct fg_iface_counters a, b;
	struct fg_h *h;
	uint8_t buf[PKT_MAX];
	int len_in = pkt_build(buf, sizeof(buf), &in);

	h = fg_h_open(policy);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	memset(&a, 0, sizeof(a));
	fg_dp_read_iface_counters(&h->dp, FG_H_IFINDEX, &a);
	fg_h_run_spec(h, FG_H_XDP, &in);
	fg_h_run_spec(h, FG_H_TC_OUT, &out);
	fg_h_run_spec(h, FG_H_XDP, &denied);
	assert_int_equal(fg_dp_read_iface_counters(&h->dp, FG_H_IFINDEX, &b), 0);
	assert_int_equal(b.packets[FG_HOOK_INGRESS] - a.packets[FG_HOOK_INGRESS], 2);
	assert_int_equal(b.packets[FG_HOOK_EGRESS] - a.packets[FG_HOOK_EGRESS], 1);
	assert_int_equal(b.dropped[FG_HOOK_INGRESS] - a.dropped[FG_HOOK_INGRESS], 1);
	assert_int_equal(b.dropped[FG_HOOK_EGRESS] - a.dropped[FG_HOOK_EGRESS], 0);
	assert_true(b.bytes[FG_HOOK_INGRESS] - a.bytes[FG_HOOK_INGRESS] >=
		    2 * (__u64)(len_in - 14));
	fg_h_close(h);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_event_log_deny),
		cmocka_unit_test(test_event_ratelimit),
		cmocka_unit_test(test_iface_counters),
		cmocka_unit_test(test_many_rules_scan),
	};

	return fixture_main("verdict", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]),
			    extra, sizeof(extra) / sizeof(extra[0]));
}
