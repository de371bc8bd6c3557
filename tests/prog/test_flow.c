// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_flow.c - flow tracking: TCP state machine (SYN, SYN+ACK,
 * ESTABLISHED, FIN/FIN, RST, SYN on a closed flow), per-direction packets,
 * mid-stream pickup in both orientations and its refusal, UDP and ICMP echo
 * pseudo-flows, ICMP errors related to a flow (IPv4 and IPv6, quoted headers
 * with options / extension headers) and unrelated ones, idle timeouts (one
 * short sleep), user-space garbage collection, a full flow table under a
 * flood of denied SYNs, and the separate IPv4/IPv6 flow tables.
 */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "fixture.h"

static const char policy[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: web\n"
	"    to: [10.0.0.0/24, \"fd00:1::/64\"]\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: allow\n"
	"  - name: dns\n"
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
	"    action: allow\n";

static const char policy_short[] =
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
	"timeouts: {udp: 1, tcp_syn: 1, tcp_established: 60, icmp: 1}\n";

#define C4 "10.9.9.9"
#define S4 "10.0.0.5"
#define R4 "10.7.0.1"		/* a router sending ICMP errors */
#define C6 "fd00:9::9"
#define S6 "fd00:1::5"
#define R6 "fd00:7::1"

/* A DNS exchange client C4:40000 <-> S4:53 and what routers quote. */
static const struct pkt_spec dns_q = UDP4(C4, 40000, S4, 53);
static const struct pkt_spec dns_r = UDP4(S4, 53, C4, 40000);
static const struct pkt_spec dns6_q = UDP6(C6, 40000, S6, 53);
static const struct pkt_spec denied_q = UDP4(C4, 40001, S4, 54);
static const struct pkt_spec unknown_q = UDP4(C4, 40002, S4, 53);
static const struct pkt_spec unknown6_q = UDP6(C6, 40009, S6, 53);
static const struct pkt_spec tcp_syn = TCP4(C4, 41000, S4, 80, SYN);
/* Queries whose IP header carries options / an extension header. */
#define DNS_Q4_OPTS	{ .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP, \
			  .sport = 40100, .dport = 53, .payload = 16, .ip_opts = 8 }
#define DNS_Q6_EXT	{ .family = 6, .src = C6, .dst = S6, .proto = IPPROTO_UDP, \
			  .sport = 40100, .dport = 53, .payload = 16, .n_ext = 1, \
			  .ext = { { PKT_EXT_DSTOPTS, 0 } } }
static const struct pkt_spec dns_q4_opts = DNS_Q4_OPTS;
static const struct pkt_spec dns_q6_ext = DNS_Q6_EXT;

static const struct fixture fixtures[] = {
	{ "tcp_lifecycle", policy, STEPS(
		{ "SYN", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, SYN),
		  ALLOWED, .rule = "web", .cnt = { { C(FLOW_NEW), 1 } },
		  .flow = { .state = ST(SYN), .orig = FG_H_YES, .pk_orig = 1,
			    .flags_clear = FG_FLOW_F_SYNACK | FG_FLOW_F_PICKUP,
			    .check_gen = true, .action = A(ALLOW) } },
		{ "SYN retransmit", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, SYN), ALLOWED,
		  .cnt = { { C(FLOW_NEW), 0 } },
		  .flow = { .state = ST(SYN), .pk_orig = 2 } },
		{ "SYN+ACK", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, SYNACK), ALLOWED, .rule = "web",
		  .flow = { .state = ST(SYN), .flags_set = FG_FLOW_F_SYNACK,
			    .orig = FG_H_NO, .pk_orig = 2, .pk_reply = 1 } },
		{ "ACK", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED), .pk_orig = 3,
				     .pk_reply = 1 } },
		{ "data in", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_TCP,
			   .sport = 41000, .dport = 80, .tcp_flags = PSHACK,
			   .payload = 100 }, ALLOWED, .rule = "web",
		  .flow = { .state = ST(ESTABLISHED), .pk_orig = 4, .pk_reply = 1 } },
		{ "data out", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, PSHACK), ALLOWED,
		  .flow = { .pk_orig = 4, .pk_reply = 2 } },
		{ "FIN from initiator", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, FINACK), ALLOWED,
		  .flow = { .state = ST(CLOSING), .flags_set = FG_FLOW_F_FIN_ORIG,
			    .flags_clear = FG_FLOW_F_FIN_REPLY } },
		{ "ACK of FIN", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, ACK), ALLOWED,
		  .flow = { .state = ST(CLOSING) } },
		{ "FIN from responder", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, FINACK), ALLOWED,
		  .flow = { .state = ST(CLOSED), .flags_set = FG_FLOW_F_FIN_ORIG |
			    FG_FLOW_F_FIN_REPLY } },
		{ "last ACK", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, ACK),
		  ALLOWED, .cnt = { { C(FLOW_NEW), 0 } },
		  .flow = { .state = ST(CLOSED), .pk_orig = 6, .pk_reply = 4 } },
		{ "new SYN on the closed flow starts over", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, SYN), ALLOWED,
		  .cnt = { { C(FLOW_NEW), 1 } },
		  .flow = { .state = ST(SYN), .pk_orig = 1, .pk_reply = 0,
			    .flags_clear = FG_FLOW_F_FIN_ORIG | FG_FLOW_F_FIN_REPLY |
					   FG_FLOW_F_SYNACK } },
	) },
	{ "tcp_fin_from_responder_first_v6", policy, STEPS(
		{ "SYN", .hook = FG_H_TC_OUT, .pkt = TCP6(C6, 41000, S6, 80, SYN),
		  ALLOWED },
		{ "SYN+ACK", .hook = FG_H_XDP, .pkt = TCP6(S6, 80, C6, 41000, SYNACK),
		  ALLOWED },
		{ "ACK", .hook = FG_H_TC_OUT, .pkt = TCP6(C6, 41000, S6, 80, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED) } },
		{ "FIN from responder", .hook = FG_H_XDP,
		  .pkt = TCP6(S6, 80, C6, 41000, FINACK), ALLOWED,
		  .flow = { .state = ST(CLOSING), .flags_set = FG_FLOW_F_FIN_REPLY,
			    .flags_clear = FG_FLOW_F_FIN_ORIG } },
		{ "FIN from initiator", .hook = FG_H_TC_OUT,
		  .pkt = TCP6(C6, 41000, S6, 80, FINACK), ALLOWED,
		  .flow = { .state = ST(CLOSED) } },
	) },
	{ "tcp_rst", policy, STEPS(
		{ "SYN", .hook = FG_H_XDP, .pkt = TCP4(C4, 41001, S4, 80, SYN),
		  ALLOWED },
		{ "RST from responder", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41001, RST | ACK), ALLOWED,
		  .flow = { .state = ST(CLOSED) } },
		{ "SYN", .hook = FG_H_XDP, .pkt = TCP4(C4, 41002, S4, 80, SYN),
		  ALLOWED },
		{ "SYN+ACK", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41002, SYNACK), ALLOWED },
		{ "ACK", .hook = FG_H_XDP, .pkt = TCP4(C4, 41002, S4, 80, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED) } },
		{ "RST from initiator", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41002, S4, 80, RST), ALLOWED,
		  .flow = { .state = ST(CLOSED) } },
	) },
	{ "tcp_syn_ack_needs_synack", policy, STEPS(
		{ "SYN", .hook = FG_H_XDP, .pkt = TCP4(C4, 41003, S4, 80, SYN),
		  ALLOWED },
		{ "ACK before any SYN+ACK", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41003, S4, 80, ACK), ALLOWED,
		  .flow = { .state = ST(SYN) } },
		{ "SYN+ACK from the initiator does not count", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41003, S4, 80, SYNACK), ALLOWED,
		  .flow = { .state = ST(SYN), .flags_clear = FG_FLOW_F_SYNACK } },
		{ "ACK from the responder does not establish", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41003, ACK), ALLOWED,
		  .flow = { .state = ST(SYN) } },
		{ "the real SYN+ACK", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41003, SYNACK), ALLOWED,
		  .flow = { .state = ST(SYN), .flags_set = FG_FLOW_F_SYNACK } },
		{ "ACK from the responder still does not", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41003, ACK), ALLOWED,
		  .flow = { .state = ST(SYN) } },
		{ "the initiator's ACK does", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41003, S4, 80, ACK), ALLOWED,
		  .flow = { .state = ST(ESTABLISHED) } },
	) },
	{ "tcp_ecn_handshake", policy, STEPS(
		{ "SYN+ECE+CWR is a SYN", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41004, S4, 80, SYN | 0xc0), ALLOWED,
		  .cnt = { { C(FLOW_PICKUP), 0 } },
		  .flow = { .state = ST(SYN), .flags_clear = FG_FLOW_F_PICKUP } },
		{ "SYN+ACK+ECE", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41004, SYNACK | 0x40), ALLOWED,
		  .flow = { .flags_set = FG_FLOW_F_SYNACK } },
		{ "ACK+CWR", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41004, S4, 80, ACK | 0x80), ALLOWED,
		  .flow = { .state = ST(ESTABLISHED) } },
		{ "ECE+CWR alone has no flag that counts", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41004, S4, 80, 0xc0), DROPPED(TCP_FLAGS) },
	) },
	{ "tcp_pickup", policy, STEPS(
		{ "mid-stream ACK to an allowed port", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41100, S4, 80, ACK), ALLOWED, .rule = "web",
		  .cnt = { { C(FLOW_PICKUP), 1 } },
		  .flow = { .state = ST(ESTABLISHED), .flags_set = FG_FLOW_F_PICKUP,
			    .orig = FG_H_YES, .action = A(ALLOW), .rule = "web" } },
		{ "its reply", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41100, PSHACK), ALLOWED,
		  .cnt = { { C(FLOW_PICKUP), 0 } },
		  .flow = { .state = ST(ESTABLISHED), .pk_orig = 1, .pk_reply = 1 } },
		{ "server's packet seen first (reverse orientation)",
		  .hook = FG_H_TC_OUT, .pkt = TCP4(S4, 80, C4, 41101, PSHACK),
		  ALLOWED, .rule = "web", .cnt = { { C(FLOW_PICKUP), 1 } },
		  .flow = { .state = ST(ESTABLISHED), .flags_set = FG_FLOW_F_PICKUP,
			    .orig = FG_H_NO, .rule = "web", .pk_orig = 0,
			    .pk_reply = 1 } },
		{ "then the client", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41101, S4, 80, ACK), ALLOWED,
		  .flow = { .orig = FG_H_YES, .pk_orig = 1, .pk_reply = 1 } },
		{ "v6 pickup, FIN", .hook = FG_H_XDP,
		  .pkt = TCP6(C6, 41102, S6, 80, FINACK), ALLOWED,
		  .cnt = { { C(FLOW_PICKUP), 1 } },
		  .flow = { .flags_set = FG_FLOW_F_PICKUP, .orig = FG_H_YES } },
	) },
	{ "tcp_pickup_denied_leaves_no_entry", policy, STEPS(
		{ "stray ACK to a denied port", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41200, S4, 25, ACK), DENIED(POLICY),
		  .cnt = { { C(FLOW_PICKUP), 0 }, { C(FLOW_NEW), 0 } },
		  .flow = { .present = FG_H_NO } },
		{ "stray ACK, other direction", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 25, C4, 41200, ACK), DENIED(POLICY),
		  .flow = { .present = FG_H_NO } },
		{ "then the real SYN is classified (not FLOW_DENIED)",
		  .hook = FG_H_XDP, .pkt = TCP4(C4, 41200, S4, 25, SYN),
		  DENIED(POLICY), .flow = { .present = FG_H_YES, .action = A(DENY) } },
		{ "stray ACK to an allowed port from outside web", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41201, "10.0.1.5", 80, ACK), DENIED(POLICY),
		  .flow = { .present = FG_H_NO } },
	) },
	{ "udp_pseudo_flow", policy, STEPS(
		{ "query", .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53), ALLOWED,
		  .rule = "dns",
		  .flow = { .state = ST(ESTABLISHED), .orig = FG_H_YES,
			    .pk_orig = 1 } },
		{ "answer", .hook = FG_H_TC_OUT, .pkt = UDP4(S4, 53, C4, 40000),
		  ALLOWED, .rule = "dns", .flow = { .pk_orig = 1, .pk_reply = 1 } },
		{ "second query", .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53),
		  ALLOWED, .cnt = { { C(FLOW_NEW), 0 } },
		  .flow = { .pk_orig = 2, .pk_reply = 1 } },
		{ "same ports, other server: a new flow", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40000, "10.0.0.6", 53), ALLOWED,
		  .cnt = { { C(FLOW_NEW), 1 } }, .flow = { .pk_orig = 1 } },
		{ "same address both sides", .hook = FG_H_XDP,
		  .pkt = UDP4(S4, 1000, S4, 53), ALLOWED },
		{ "...and its reply", .hook = FG_H_TC_OUT,
		  .pkt = UDP4(S4, 53, S4, 1000), ALLOWED,
		  .flow = { .pk_orig = 1, .pk_reply = 1 } },
	) },
	{ "icmp_echo_flow", policy, STEPS(
		{ "echo request", .hook = FG_H_XDP, .pkt = ICMP4(C4, S4, 8, 0, 77),
		  ALLOWED, .rule = "ping",
		  .flow = { .state = ST(ESTABLISHED), .orig = FG_H_YES,
			    .pk_orig = 1 } },
		{ "echo reply (type 0 would be denied as new)", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4(S4, C4, 0, 0, 77), ALLOWED,
		  .flow = { .pk_orig = 1, .pk_reply = 1 } },
		{ "echo reply with another id is a new flow", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4(S4, C4, 0, 0, 78), DENIED(POLICY) },
		{ "v6 echo request", .hook = FG_H_TC_OUT,
		  .pkt = ICMP6(S6, C6, 128, 0, 5), ALLOWED, .rule = "ping6" },
		{ "v6 echo reply", .hook = FG_H_XDP, .pkt = ICMP6(C6, S6, 129, 0, 5),
		  ALLOWED, .flow = { .orig = FG_H_NO, .pk_orig = 1, .pk_reply = 1 } },
	) },
	{ "icmp_error_related", policy, STEPS(
		{ "dns query", .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53),
		  ALLOWED },
		{ "dns answer", .hook = FG_H_TC_OUT, .pkt = UDP4(S4, 53, C4, 40000),
		  ALLOWED, .flow = { .pk_orig = 1, .pk_reply = 1 } },
		{ "host unreachable quoting the answer", .hook = FG_H_XDP,
		  .pkt = ICMP4E(R4, S4, 3, 1, &dns_r), ALLOWED,
		  .cnt = { { C(RELATED), 1 }, { C(FLOW_NEW), 0 } },
		  .rule = "dns", .flow_of = &dns_r,
		  .flow = { .present = FG_H_YES, .rule = "dns" } },
		{ "port unreachable quoting the query, sent out", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4E(S4, C4, 3, 3, &dns_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "time exceeded quoting the whole query", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = R4, .dst = C4, .proto = IPPROTO_ICMP,
			   .icmp_type = 11, .inner = &dns_q, .inner_len = 20 + 8 + 16 },
		  ALLOWED, .cnt = { { C(RELATED), 1 } } },
		{ "unrelated: quotes an unknown flow, 3/1 not allowed",
		  .hook = FG_H_XDP, .pkt = ICMP4E(R4, S4, 3, 1, &unknown_q),
		  DENIED(POLICY), .cnt = { { C(RELATED), 0 } } },
		{ "unrelated 3/4 is allowed by rule ping", .hook = FG_H_XDP,
		  .pkt = ICMP4E("10.7.0.2", S4, 3, 4, &unknown_q), ALLOWED,
		  .rule = "ping", .cnt = { { C(RELATED), 0 } } },
		{ "denied flow", .hook = FG_H_XDP, .pkt = UDP4(C4, 40001, S4, 54),
		  DENIED(POLICY) },
		{ "error quoting a denied flow is not related", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4E(S4, C4, 3, 3, &denied_q), DENIED(POLICY),
		  .cnt = { { C(RELATED), 0 } } },
		{ "v6 query", .hook = FG_H_XDP, .pkt = UDP6(C6, 40000, S6, 53),
		  ALLOWED },
		{ "v6 port unreachable quoting it", .hook = FG_H_TC_OUT,
		  .pkt = ICMP6E(S6, C6, 1, 4, &dns6_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "v6 packet too big quoting it", .hook = FG_H_XDP,
		  .pkt = ICMP6E(R6, C6, 2, 0, &dns6_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "v6 time exceeded quoting an unknown flow", .hook = FG_H_XDP,
		  .pkt = ICMP6E(R6, C6, 3, 0, &unknown6_q), DENIED(POLICY),
		  .cnt = { { C(RELATED), 0 } } },
		{ "parameter problem (12) quoting the answer", .hook = FG_H_XDP,
		  .pkt = ICMP4E(R4, S4, 12, 0, &dns_r), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "v6 parameter problem (4) quoting the query", .hook = FG_H_TC_OUT,
		  .pkt = ICMP6E(S6, C6, 4, 0, &dns6_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "query with IPv4 options", .hook = FG_H_XDP, .pkt = DNS_Q4_OPTS,
		  ALLOWED },
		{ "error quoting it (inner IHL 7)", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4E(S4, C4, 3, 3, &dns_q4_opts), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "tcp flow", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, SYN),
		  ALLOWED },
		{ "frag needed quoting the tcp SYN", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4E(S4, C4, 3, 4, &tcp_syn), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
	) },
	/* The quoted packet is parsed like any other: its extension
	 * headers are walked to find the L4 ports of the flow. */
	{ "icmp6_error_quoting_ext_headers", policy, STEPS(
		{ "v6 query with a destination options header", .hook = FG_H_XDP,
		  .pkt = DNS_Q6_EXT, ALLOWED },
		{ "packet too big quoting it", .hook = FG_H_TC_OUT,
		  .pkt = ICMP6E(S6, C6, 2, 0, &dns_q6_ext), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
	) },
	{ "timeouts_expire", policy_short, STEPS(
		{ "allowed udp flow", .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53),
		  ALLOWED },
		{ "denied udp flow", .hook = FG_H_XDP, .pkt = UDP4(C4, 40001, S4, 54),
		  DENIED(POLICY) },
		{ "tcp SYN (tcp_syn timeout 1 s)", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, SYN), ALLOWED },
		{ "denied flow, before the timeout", .hook = FG_H_XDP,
		  .pkt = UDP4(C4, 40001, S4, 54), DENIED(FLOW_DENIED),
		  .cnt = { { C(FLOW_EXPIRED), 0 } } },
		{ "allowed flow idle 1.3 s: re-classified", .sleep_ms = 1300,
		  .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53), ALLOWED,
		  .cnt = { { C(FLOW_EXPIRED), 1 } },
		  .flow = { .pk_orig = 1, .pk_reply = 0 } },
		{ "denied flow idle: classified again (POLICY, not FLOW_DENIED)",
		  .hook = FG_H_XDP, .pkt = UDP4(C4, 40001, S4, 54), DENIED(POLICY),
		  .cnt = { { C(FLOW_EXPIRED), 1 } } },
		{ "SYN flow idle: its ACK is a pickup of an expired flow",
		  .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, ACK), ALLOWED,
		  .cnt = { { C(FLOW_EXPIRED), 1 }, { C(FLOW_PICKUP), 1 } },
		  .flow = { .state = ST(ESTABLISHED), .pk_orig = 1 } },
	) },
};

/*
 * A full flow table (256 entries) under a flood of 3000 denied SYNs from
 * distinct sources: every flood packet is dropped by policy, the table
 * never grows past its size, an established flow keeps passing (kept, or
 * evicted and picked up again), and an evicted denied flow is classified
 * again rather than let through.
 */
static void test_full_table(void **state)
{
	struct fg_dp_opts o = { .max_rules = 4096, .flow_entries = 256,
				.frag_entries = 1024 };
	struct pkt_spec a_syn = TCP4(C4, 41000, S4, 80, SYN);
	struct pkt_spec a_synack = TCP4(S4, 80, C4, 41000, SYNACK);
	struct pkt_spec a_ack = TCP4(C4, 41000, S4, 80, ACK);
	struct pkt_spec a_data = TCP4(S4, 80, C4, 41000, PSHACK);
	struct pkt_spec d_syn = TCP4("10.8.0.1", 42000, S4, 25, SYN);
	struct pkt_spec d_ack = TCP4("10.8.0.1", 42000, S4, 25, ACK);
	struct fg_counters c0, c1, d;
	struct fg_flow f;
	char src[32];
	struct fg_h *h;
	long n;
	int i, rv;

	h = fg_h_open_opts(policy, &o);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &a_syn)));
	assert_true(fg_h_rv_passes(FG_H_TC_OUT,
				   fg_h_run_spec(h, FG_H_TC_OUT, &a_synack)));
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &a_ack)));
	assert_int_equal(fg_h_flow_find_spec(h, &a_ack, NULL, &f, NULL), 0);
	assert_int_equal(f.state, FG_STATE_ESTABLISHED);
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &d_syn)));

	fg_h_counters(h, &c0);
	for (i = 0; i < 3000; i++) {
		struct pkt_spec s = TCP4(src, (uint16_t)(1024 + i), S4, 25, SYN);

		snprintf(src, sizeof(src), "10.50.%d.%d", i / 250, i % 250 + 1);
		rv = fg_h_run_spec(h, FG_H_XDP, &s);
		if (fg_h_rv_passes(FG_H_XDP, rv))
			fail_msg("flood packet %d passed (rv %d)", i, rv);
	}
	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	assert_int_equal(d.drop[FG_DROP_POLICY], 3000);
	n = fg_h_flow_count(h);
	assert_true(n > 0 && n <= 256);

	/* The established flow continues in both directions. */
	assert_true(fg_h_rv_passes(FG_H_TC_OUT,
				   fg_h_run_spec(h, FG_H_TC_OUT, &a_data)));
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &a_ack)));
	/* The denied flow stays denied, whether it was evicted or not. */
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &d_ack)));
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &d_syn)));
	fg_h_close(h);
}

/* User space garbage collection deletes exactly the flows idle longer than
 * their state's timeout, as the fast path would judge them. */
static void test_flows_gc(void **state)
{
	struct pkt_spec udp = UDP4(C4, 40000, S4, 53);
	struct pkt_spec syn = TCP4(C4, 41000, S4, 80, SYN);
	struct pkt_spec synack = TCP4(S4, 80, C4, 41000, SYNACK);
	struct pkt_spec ack = TCP4(C4, 41000, S4, 80, ACK);
	struct pkt_spec syn2 = TCP4(C4, 41001, S4, 80, SYN);
	struct fg_h *h;
	__u64 now;

	h = fg_h_open(policy_short);	/* udp 1 s, tcp_syn 1 s, est. 60 s */
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	fg_h_run_spec(h, FG_H_XDP, &udp);
	fg_h_run_spec(h, FG_H_XDP, &syn);
	fg_h_run_spec(h, FG_H_TC_OUT, &synack);
	fg_h_run_spec(h, FG_H_XDP, &ack);
	fg_h_run_spec(h, FG_H_XDP, &syn2);
	now = fg_h_now_ns();
	assert_int_equal(fg_h_flow_count(h), 3);
	assert_int_equal(fg_dp_flows_gc(&h->dp, now), 0);
	/* 5 s later: the UDP flow and the half-open one are stale. */
	assert_int_equal(fg_dp_flows_gc(&h->dp, now + 5000000000ULL), 2);
	assert_int_equal(fg_h_flow_count(h), 1);
	assert_int_equal(fg_h_flow_find_spec(h, &ack, NULL, NULL, NULL), 0);
	assert_int_equal(fg_h_flow_find_spec(h, &udp, NULL, NULL, NULL),
			 -ENOENT);
	/* 2 minutes later: the established one too. */
	assert_int_equal(fg_dp_flows_gc(&h->dp, now + 120000000000ULL), 1);
	assert_int_equal(fg_h_flow_count(h), 0);
	fg_h_close(h);
}

/*
 * IPv4 flows live in their own table with a compact key, IPv6 flows in the
 * wide one. An IPv6 tuple whose addresses begin with the bytes of an
 * allowed IPv4 flow's addresses must not find that flow: here it is denied
 * by policy. Both are listed (in the wide form, normalised) and collected.
 */
static void test_flow_tables_by_family(void **state)
{
	/* 10.9.9.9 = 0a09:0909, 10.0.0.5 = 0a00:0005 */
	struct pkt_spec syn4 = TCP4("10.9.9.9", 41000, "10.0.0.5", 80, SYN);
	struct pkt_spec syn6 = TCP6("a09:909::", 41000, "a00:5::", 80, SYN);
	struct fg_flow_key k4, k6;
	struct fg_flow f4, f6;
	struct fg_h *h;

	h = fg_h_open(policy);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn4)));
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn6)));
	/* Again: now both are known flows. */
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn4)));
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn6)));
	assert_true(fg_h_rv_passes(FG_H_TC_OUT, fg_h_run_spec(h, FG_H_TC_OUT,
		&(struct pkt_spec)TCP4("10.0.0.5", 80, "10.9.9.9", 41000, SYNACK))));

	assert_int_equal(fg_h_flow_count(h), 2);
	assert_int_equal(fg_h_flow_find_spec(h, &syn4, &k4, &f4, NULL), 0);
	assert_int_equal(fg_h_flow_find_spec(h, &syn6, &k6, &f6, NULL), 0);
	assert_int_equal(k4.family, 2);
	assert_int_equal(k6.family, 10);
	assert_int_equal(f4.action, FG_ACTION_ALLOW);
	assert_int_equal(f4.packets[FG_DIR_ORIG], 2);
	assert_int_equal(f4.packets[FG_DIR_REPLY], 1);
	assert_int_not_equal(f6.action, FG_ACTION_ALLOW);
	/* The IPv4 key's unused address bytes read as zero. */
	assert_int_equal(k4.addr_lo[4] | k4.addr_lo[15] | k4.addr_hi[4] |
			 k4.addr_hi[15], 0);

	/* Read and written back by wide key through the table of its family. */
	f4.user_verdict = FG_ACTION_DENY;
	f6.user_verdict = FG_ACTION_ALLOW;
	assert_int_equal(fg_dp_flow_update(&h->dp, &k4, &f4, BPF_EXIST), 0);
	assert_int_equal(fg_dp_flow_update(&h->dp, &k6, &f6, BPF_EXIST), 0);
	memset(&f4, 0, sizeof(f4));
	memset(&f6, 0, sizeof(f6));
	assert_int_equal(fg_dp_flow_lookup(&h->dp, &k4, &f4), 0);
	assert_int_equal(fg_dp_flow_lookup(&h->dp, &k6, &f6), 0);
	assert_int_equal(f4.user_verdict, FG_ACTION_DENY);
	assert_int_equal(f6.user_verdict, FG_ACTION_ALLOW);
	assert_int_equal(f4.packets[FG_DIR_ORIG], 2);
	assert_int_equal(fg_h_flow_count(h), 2);
	k4.port_lo ^= 1;	/* no such flow */
	assert_int_equal(fg_dp_flow_lookup(&h->dp, &k4, &f4), -ENOENT);
	assert_int_equal(fg_dp_flow_update(&h->dp, &k4, &f4, BPF_EXIST),
			 -ENOENT);
	k4.family = 0;
	assert_int_equal(fg_dp_flow_lookup(&h->dp, &k4, &f4), -EAFNOSUPPORT);

	/* An hour later both are stale; GC finds each in its table. */
	assert_int_equal(fg_dp_flows_gc(&h->dp,
					fg_h_now_ns() + 3600000000000ULL), 2);
	assert_int_equal(fg_h_flow_count(h), 0);
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn4)));
	assert_false(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn6)));
	fg_h_close(h);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_full_table),
		cmocka_unit_test(test_flows_gc),
		cmocka_unit_test(test_flow_tables_by_family),
	};

	return fixture_main("flow", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]),
			    extra, sizeof(extra) / sizeof(extra[0]));
}
