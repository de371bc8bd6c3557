// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_monitor.c - `mode: monitor` in the fast path: a monitor rule (or the
 * default of a monitor policy) delivers what it denies, records the flow as
 * allowed-by-monitor so its later packets take the known-flow path, counts
 * would_deny for every such packet and emits one "would deny" event per
 * flow; protect rules beside it still drop; a reload moves flows between
 * the two modes.
 */
#include <bpf/libbpf.h>

#include "fixture.h"

#define CL "10.9.9.9"
#define SV "10.0.0.5"
#define CL6 "fd00:9::9"
#define SV6 "fd00:1::5"

/* Policies from three rules; MONITOR after a rule gives it its own mode. */
#define HDR		"version: 1\ndefault: deny\nrules:\n"
#define WEB		"  - name: web\n    proto: tcp\n    ports: [80]\n" \
			"    action: allow\n"
#define TELNET		"  - name: telnet-watch\n    proto: tcp\n" \
			"    ports: [23]\n    action: deny\n"
#define SMTP		"  - name: no-smtp\n    proto: tcp\n" \
			"    ports: [25]\n    action: deny\n"
#define MONITOR		"    mode: monitor\n"

/* Protect policy with one monitor rule. */
static const char policy_rule[] = HDR WEB TELNET MONITOR SMTP;

/* Monitor policy (its default too) with one rule that still protects. */
static const char policy_all[] =
	"mode: monitor\n" HDR WEB
	"  - name: no-ssh\n"
	"    proto: tcp\n"
	"    ports: [22]\n"
	"    action: deny\n"
	"    mode: protect\n"
	SMTP;

/* policy_rule with every rule enforced, and with smtp monitored instead. */
static const char policy_protect[] = HDR WEB TELNET SMTP;
static const char policy_smtp_watch[] = HDR WEB TELNET SMTP MONITOR;

static const char *const policies[] = { policy_protect, policy_smtp_watch };

static const struct pkt_spec telnet_syn = TCP4(CL, 41000, SV, 23, SYN);
static const struct pkt_spec smtp_syn = TCP4(CL, 41001, SV, 25, SYN);

#define WOULD(n)	{ C(WOULD_DENY), n }
#define MONITORED	.flags_set = FG_FLOW_F_MONITOR
#define ENFORCED	.flags_clear = FG_FLOW_F_MONITOR

static const struct fixture fixtures[] = {
	{ "monitor_rule", policy_rule, STEPS(
		{ "telnet SYN: the monitor rule passes it", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, SYN), ALLOWED,
		  .rule = "telnet-watch",
		  .cnt = { WOULD(1), { C(FLOW_NEW), 1 },
			   { C(EVENT_SENT), 1 } },
		  .flow = { .present = FG_H_YES, .action = A(ALLOW),
			    .rule = "telnet-watch", .state = ST(SYN),
			    MONITORED, .orig = FG_H_YES } },
		{ "its SYN-ACK: a known flow, still would-deny",
		  .hook = FG_H_TC_OUT,
		  .pkt = TCP4(SV, 23, CL, 41000, SYNACK), ALLOWED,
		  .rule = "telnet-watch",
		  .cnt = { WOULD(1), { C(FLOW_NEW), 0 },
			   { C(EVENT_SENT), 0 } },
		  .flow = { .present = FG_H_YES, MONITORED,
			    .orig = FG_H_NO } },
		{ "its ACK: the TCP state advances", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, ACK), ALLOWED,
		  .cnt = { WOULD(1), { C(EVENT_SENT), 0 } },
		  .flow = { .present = FG_H_YES, .state = ST(ESTABLISHED),
			    MONITORED, .pk_orig = 2, .pk_reply = 1 } },
		{ "an allow rule: nothing would be denied", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41002, SV, 80, SYN), ALLOWED, .rule = "web",
		  .cnt = { WOULD(0) },
		  .flow = { .present = FG_H_YES, ENFORCED } },
		{ "a protect rule beside it drops", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41001, SV, 25, SYN), DENIED(POLICY),
		  .rule = "no-smtp", .cnt = { WOULD(0) },
		  .flow = { .present = FG_H_YES, .action = A(DENY),
			    ENFORCED } },
		{ "the protect default drops", .hook = FG_H_XDP,
		  .pkt = UDP4(CL, 5000, SV, 9999), DENIED(POLICY),
		  .rule = "default", .cnt = { WOULD(0) } },
		{ "IPv6 telnet passes too", .hook = FG_H_TC_IN,
		  .pkt = TCP6(CL6, 41000, SV6, 23, SYN), ALLOWED,
		  .rule = "telnet-watch", .cnt = { WOULD(1) },
		  .flow = { .present = FG_H_YES, .action = A(ALLOW),
			    MONITORED } },
	) },
	{ "monitor_default", policy_all, STEPS(
		{ "UDP: the monitor default passes it", .hook = FG_H_XDP,
		  .pkt = UDP4(CL, 5000, SV, 9999), ALLOWED, .rule = "default",
		  .cnt = { WOULD(1), { C(FLOW_NEW), 1 } },
		  .flow = { .present = FG_H_YES, .action = A(ALLOW),
			    .rule = "default", MONITORED } },
		{ "its reply", .hook = FG_H_TC_OUT,
		  .pkt = UDP4(SV, 9999, CL, 5000), ALLOWED, .rule = "default",
		  .cnt = { WOULD(1), { C(FLOW_NEW), 0 } } },
		{ "a rule without its own mode is monitored", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41001, SV, 25, SYN), ALLOWED,
		  .rule = "no-smtp", .cnt = { WOULD(1) },
		  .flow = { .present = FG_H_YES, MONITORED } },
		{ "mode: protect on a rule still drops", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41003, SV, 22, SYN), DENIED(POLICY),
		  .rule = "no-ssh", .cnt = { WOULD(0) },
		  .flow = { .present = FG_H_YES, .action = A(DENY),
			    ENFORCED } },
		{ "an allowed flow is not a monitor flow", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41002, SV, 80, SYN), ALLOWED, .rule = "web",
		  .cnt = { WOULD(0) },
		  .flow = { .present = FG_H_YES, ENFORCED } },
	) },
	/* A connection open before monitoring began: a protect policy drops
	 * a stray segment without an entry; monitor mode tracks it, so the
	 * connection's later packets stay fast. */
	{ "monitor_pickup", policy_rule, STEPS(
		{ "mid-stream telnet ACK: picked up, monitored",
		  .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, PSHACK), ALLOWED,
		  .rule = "telnet-watch",
		  .cnt = { WOULD(1), { C(FLOW_PICKUP), 1 },
			   { C(FLOW_NEW), 1 } },
		  .flow = { .present = FG_H_YES, .state = ST(ESTABLISHED),
			    .action = A(ALLOW), .rule = "telnet-watch",
			    .flags_set = FG_FLOW_F_MONITOR | FG_FLOW_F_PICKUP,
			    .orig = FG_H_YES } },
		{ "the next segment is a known flow", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, PSHACK), ALLOWED,
		  .cnt = { WOULD(1), { C(FLOW_PICKUP), 0 },
			   { C(FLOW_NEW), 0 } } },
		{ "mid-stream smtp ACK (protect): dropped, no entry",
		  .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41001, SV, 25, PSHACK), DENIED(POLICY),
		  .rule = "no-smtp", .cnt = { WOULD(0), { C(FLOW_NEW), 0 } },
		  .flow = { .present = FG_H_NO } },
	) },
	/* Reloads re-decide known flows: monitor -> protect drops the flow's
	 * next packet, protect -> monitor delivers a denied flow's. */
	{ "monitor_reload", policy_rule, policies, STEPS(
		{ "telnet SYN under monitor", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, SYN), ALLOWED,
		  .cnt = { WOULD(1) },
		  .flow = { .present = FG_H_YES, MONITORED } },
		{ "smtp SYN under protect", .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41001, SV, 25, SYN), DENIED(POLICY),
		  .flow = { .present = FG_H_YES, .action = A(DENY) } },
		{ "reload, telnet enforced: its next packet drops",
		  .reload = 1, .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41000, SV, 23, ACK), DENIED(FLOW_DENIED),
		  .rule = "telnet-watch",
		  .cnt = { WOULD(0), { C(FLOW_RECHECK), 1 } },
		  .flow_of = &telnet_syn,
		  .flow = { .present = FG_H_YES, .action = A(DENY),
			    ENFORCED, .check_gen = true } },
		{ "reload, smtp monitored: the denied flow passes",
		  .reload = 2, .hook = FG_H_XDP,
		  .pkt = TCP4(CL, 41001, SV, 25, ACK), ALLOWED,
		  .rule = "no-smtp",
		  .cnt = { WOULD(1), { C(FLOW_RECHECK), 1 } },
		  .flow_of = &smtp_syn,
		  .flow = { .present = FG_H_YES, .action = A(ALLOW),
			    MONITORED, .check_gen = true } },
	) },
};

/* ---- events ---- */

/* One "would deny" event per monitored flow, whether or not the rule logs;
 * a protect denial with log: true keeps its plain event. */
static void test_monitor_events(void **state)
{
	static const char yaml[] = HDR TELNET MONITOR SMTP "    log: true\n";
	struct pkt_spec telnet = TCP4(CL, 41000, SV, 23, SYN);
	struct pkt_spec smtp = TCP4(CL, 41001, SV, 25, SYN);
	__u8 cl[16] = { 10, 9, 9, 9 }, sv[16] = { 10, 0, 0, 5 };
	struct fg_counters c0, c1, d;
	struct ring_buffer *rb;
	struct fg_h_ev_log l;
	struct fg_h *h;
	int rv;

	h = fg_h_open(yaml);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	rb = fg_h_events_open(h, &l);
	assert_non_null(rb);
	fg_h_counters(h, &c0);

	rv = fg_h_run_spec(h, FG_H_XDP, &telnet);
	assert_true(fg_h_rv_passes(FG_H_XDP, rv));
	fg_h_run_spec(h, FG_H_XDP, &telnet);	/* known flow: no event */
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.ev[0].type, FG_EV_DENY);
	assert_int_equal(l.ev[0].flags, FG_EV_F_MONITOR);
	assert_int_equal(l.ev[0].rule, fg_h_rule_id(h, "telnet-watch"));
	assert_int_equal(l.ev[0].action, FG_ACTION_DENY);
	assert_int_equal(l.ev[0].reason, FG_DROP_POLICY);
	assert_int_equal(ntohs(l.ev[0].dport), 23);
	assert_memory_equal(l.ev[0].src, cl, 16);
	assert_memory_equal(l.ev[0].dst, sv, 16);

	rv = fg_h_run_spec(h, FG_H_XDP, &smtp);
	assert_false(fg_h_rv_passes(FG_H_XDP, rv));
	ring_buffer__consume(rb);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.ev[1].flags, 0);
	assert_int_equal(l.ev[1].rule, fg_h_rule_id(h, "no-smtp"));

	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	assert_int_equal(d.cnt[FG_CNT_WOULD_DENY], 2);
	assert_int_equal(d.cnt[FG_CNT_EVENT_SENT], 2);
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], 2);
	assert_int_equal(d.verdict[FG_VERDICT_DENY], 1);
	ring_buffer__free(rb);
	fg_h_close(h);
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_monitor_events),
	};

	return fixture_main("monitor", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]),
			    extra, sizeof(extra) / sizeof(extra[0]));
}
