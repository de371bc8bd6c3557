// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_reload.c - atomic policy reload and generations: flows are
 * re-checked at their next packet in either direction (FLOW_RECHECK) with
 * the initiator and first-packet port kept in the flow; a revoked flow is
 * dropped from then on, a still-allowed one continues with its new rule id,
 * a formerly denied one may become allowed; rule counters start from zero
 * in a new generation; fragments stored under an older generation are not
 * trusted; a rejected policy changes nothing.
 */
#include <pthread.h>
#include <sched.h>

#include "fixture.h"

static const char p1[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: web80\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: allow\n"
	"  - name: web443\n"
	"    proto: tcp\n"
	"    ports: [443]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n";

/* Revokes 80, allows 8080, moves web443 to another id. */
static const char p2[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: alt\n"
	"    proto: tcp\n"
	"    ports: [8080]\n"
	"    action: allow\n"
	"  - name: extra\n"
	"    proto: udp\n"
	"    ports: [5000]\n"
	"    action: allow\n"
	"  - name: web443\n"
	"    proto: tcp\n"
	"    ports: [443]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    action: allow\n";

static const char *const policies[] = { p1, p2 };

#define C4 "10.9.9.9"
#define S4 "10.0.0.5"
#define C6 "fd00:9::9"
#define S6 "fd00:1::5"

#define RECHECK(n)	{ C(FLOW_RECHECK), n }

static const struct pkt_spec dns_q = UDP4(C4, 40000, S4, 53);
static const struct pkt_spec dns6_q = UDP6(C6, 40000, S6, 53);

static const struct fixture fixtures[] = {
	{ "revoke_and_keep", p1, policies, STEPS(
		{ "A: SYN :80", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, SYN),
		  ALLOWED, .rule = "web80" },
		{ "A: SYN+ACK", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, SYNACK), ALLOWED },
		{ "A: ACK", .hook = FG_H_XDP, .pkt = TCP4(C4, 41000, S4, 80, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED) } },
		{ "B: SYN :443", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41001, S4, 443, SYN), ALLOWED, .rule = "web443" },
		{ "B: SYN+ACK", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 443, C4, 41001, SYNACK), ALLOWED },
		{ "B: ACK", .hook = FG_H_XDP, .pkt = TCP4(C4, 41001, S4, 443, ACK),
		  ALLOWED, .flow = { .state = ST(ESTABLISHED) } },
		{ "D: SYN :8080 denied", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41002, S4, 8080, SYN), DENIED(POLICY) },
		{ "E: echo request", .hook = FG_H_XDP, .pkt = ICMP4(C4, S4, 8, 0, 5),
		  ALLOWED, .rule = "ping" },
		{ "v6 B: SYN :443", .hook = FG_H_TC_OUT,
		  .pkt = TCP6(C6, 41003, S6, 443, SYN), ALLOWED },

		/* gen 2: the server's reply is the first packet of B. The
		 * flow must be re-checked as initiator C4 -> S4:443. */
		{ "B: reply after reload", .reload = 2, .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 443, C4, 41001, PSHACK), ALLOWED,
		  .rule = "web443", .cnt = { RECHECK(1), { C(FLOW_NEW), 0 } },
		  .flow = { .rule = "web443", .action = A(ALLOW), .check_gen = true,
			    .state = ST(ESTABLISHED), .orig = FG_H_NO } },
		{ "B: client", .hook = FG_H_XDP, .pkt = TCP4(C4, 41001, S4, 443, ACK),
		  ALLOWED, .rule = "web443", .cnt = { RECHECK(0) } },
		{ "A: revoked at its next packet", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, PSHACK), .rv = FG_H_DROP,
		  .verdict = V(DENY), .cnt = { RECHECK(1) },
		  .flow = { .action = A(DENY), .check_gen = true } },
		{ "A: and after", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 80, C4, 41000, PSHACK), DENIED(FLOW_DENIED),
		  .cnt = { RECHECK(0) } },
		{ "D: denied under gen 1, allowed by alt now", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41002, S4, 8080, SYN), ALLOWED, .rule = "alt",
		  .cnt = { RECHECK(1) },
		  .flow = { .rule = "alt", .action = A(ALLOW) } },
		{ "E: echo reply re-checked as the echo request", .hook = FG_H_TC_OUT,
		  .pkt = ICMP4(S4, C4, 0, 0, 5), ALLOWED, .rule = "ping",
		  .cnt = { RECHECK(1) }, .flow = { .rule = "ping" } },
		{ "v6 B: reply after reload", .hook = FG_H_XDP,
		  .pkt = TCP6(S6, 443, C6, 41003, SYNACK), ALLOWED,
		  .cnt = { RECHECK(1) }, .flow = { .rule = "web443" } },
		{ "new flow to :80", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41010, S4, 80, SYN), DENIED(POLICY),
		  .cnt = { RECHECK(0) } },

		/* gen 3 = p1 again: A is allowed again at its next packet. */
		{ "A: allowed again by gen 3", .reload = 1, .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41000, S4, 80, ACK), ALLOWED, .rule = "web80",
		  .cnt = { RECHECK(1) }, .flow = { .rule = "web80",
						   .action = A(ALLOW) } },
		{ "D: revoked again", .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41002, S4, 8080, ACK), .rv = FG_H_DROP,
		  .cnt = { RECHECK(1) } },
	) },
	/* An ICMP error is often the first packet of a flow after a reload
	 * (path MTU): it must still be related to a flow the new policy
	 * keeps allowing, or PMTU discovery breaks at every reload. */
	{ "icmp_error_right_after_reload", p1, policies, STEPS(
		{ "dns query", .hook = FG_H_XDP, .pkt = UDP4(C4, 40000, S4, 53),
		  ALLOWED },
		{ "v6 dns query", .hook = FG_H_XDP, .pkt = UDP6(C6, 40000, S6, 53),
		  ALLOWED },
		{ "reload; port unreachable quoting the query", .reload = 1,
		  .hook = FG_H_TC_OUT, .pkt = ICMP4E(S4, C4, 3, 3, &dns_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
		{ "v6 packet too big quoting the query", .hook = FG_H_TC_OUT,
		  .pkt = ICMP6E(S6, C6, 2, 0, &dns6_q), ALLOWED,
		  .cnt = { { C(RELATED), 1 } } },
	) },
	/* A flow picked up from the responder's side keeps the right
	 * initiator and port value for the re-check. */
	{ "reverse_pickup_then_reload", p1, policies, STEPS(
		{ "server's segment first", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 443, C4, 41500, PSHACK), ALLOWED,
		  .rule = "web443", .flow = { .orig = FG_H_NO,
					      .flags_set = FG_FLOW_F_PICKUP } },
		{ "reload; client's ACK", .reload = 2, .hook = FG_H_XDP,
		  .pkt = TCP4(C4, 41500, S4, 443, ACK), ALLOWED, .rule = "web443",
		  .cnt = { RECHECK(1) }, .flow = { .rule = "web443",
						   .orig = FG_H_YES } },
		{ "server's segment from :8080 first", .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 8080, C4, 41501, PSHACK), ALLOWED, .rule = "alt" },
		{ "reload to p1 revokes it", .reload = 1, .hook = FG_H_TC_OUT,
		  .pkt = TCP4(S4, 8080, C4, 41501, PSHACK), .rv = FG_H_DROP,
		  .cnt = { RECHECK(1) } },
	) },
	{ "fragments_across_reload", p1, policies, STEPS(
		{ "first fragment under gen 1", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .sport = 5000, .dport = 53, .ip_id = 500, .mf = true,
			   .payload = 32 }, ALLOWED },
		{ "later fragment under gen 1", .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .ip_id = 500, .mf = true, .frag_off = 5, .no_l4 = true,
			   .payload = 40 }, ALLOWED },
		{ "later fragment under gen 2: stored verdict is stale",
		  .reload = 1, .hook = FG_H_XDP,
		  .pkt = { .family = 4, .src = C4, .dst = S4, .proto = IPPROTO_UDP,
			   .ip_id = 500, .frag_off = 10, .no_l4 = true,
			   .payload = 40 }, DROPPED(FRAG_NO_FIRST) },
	) },
};

/* A rejected policy changes nothing; rule counters restart per generation. */
static void test_rejected_reload(void **state)
{
	static const char bad[] =
		"version: 1\n"
		"default: deny\n"
		"rules:\n"
		"  - name: web80\n"
		"    proto: tcp\n"
		"    ports: [80]\n"
		"    action: alow\n";
	struct pkt_spec syn = TCP4(C4, 41000, S4, 80, SYN);
	struct pkt_spec ack = TCP4(C4, 41000, S4, 80, ACK);
	struct fg_counters c0, c1, d;
	struct fg_rule_counters rc;
	struct fg_h *h;
	__u32 gen;
	int r;

	h = fg_h_open(p1);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	gen = fg_dp_generation(&h->dp);
	assert_int_equal(gen, h->gen);
	assert_true(gen > 0);
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &syn)));
	assert_int_equal(fg_h_rule_counters(h, "web80", &rc), 0);
	assert_int_equal(rc.packets, 1);

	r = fg_h_reload(h, bad);
	assert_true(r < 0);
	assert_int_equal(fg_dp_generation(&h->dp), gen);
	fg_h_counters(h, &c0);
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &ack)));
	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	assert_int_equal(d.cnt[FG_CNT_FLOW_RECHECK], 0);
	assert_int_equal(fg_h_rule_counters(h, "web80", &rc), 0);
	assert_int_equal(rc.packets, 2);

	/* The same policy again: a new generation with zeroed counters,
	 * in the other slot; the flow is re-checked once. */
	r = fg_h_reload(h, p1);
	assert_true(r > 0);
	assert_int_not_equal((__u32)r, gen);
	assert_int_equal(fg_dp_generation(&h->dp), (__u32)r);
	assert_int_equal(fg_h_rule_counters(h, "web80", &rc), 0);
	assert_int_equal(rc.packets, 0);
	fg_h_counters(h, &c0);
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &ack)));
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &ack)));
	fg_h_counters(h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	assert_int_equal(d.cnt[FG_CNT_FLOW_RECHECK], 1);
	assert_int_equal(fg_h_rule_counters(h, "web80", &rc), 0);
	assert_int_equal(rc.packets, 2);
	fg_h_close(h);
}

/* Many reloads in a row alternate slots and keep an allowed flow alive. */
static void test_many_reloads(void **state)
{
	struct pkt_spec q = UDP4(C4, 40000, S4, 53);
	struct pkt_spec a = UDP4(S4, 53, C4, 40000);
	struct fg_h *h;
	int i, r, prev;

	h = fg_h_open(p1);
	if (!h)
		fail_msg("open: %s", fg_h_last_error());
	prev = (int)h->gen;
	assert_true(fg_h_rv_passes(FG_H_XDP, fg_h_run_spec(h, FG_H_XDP, &q)));
	for (i = 0; i < 10; i++) {
		r = fg_h_reload(h, policies[i & 1]);
		assert_true(r > prev);
		prev = r;
		assert_true(fg_h_rv_passes(FG_H_TC_OUT,
					   fg_h_run_spec(h, FG_H_TC_OUT, &a)));
	}
	fg_h_close(h);
}

/*
 * Reloads racing with packets: one thread alternates two policies as fast
 * as it can while this one classifies new flows. A packet must see one
 * whole generation: ssh is allowed by both (at different rule ids), port 9
 * by neither, port 80 by one of them; no packet may fall into an internal
 * error or a mix of the two.
 */
static const char race_a[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: ssh\n"
	"    proto: tcp\n"
	"    ports: [22]\n"
	"    action: allow\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: allow\n";
static const char race_b[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: u1\n    proto: udp\n    ports: [1]\n    action: allow\n"
	"  - name: u2\n    proto: udp\n    ports: [2]\n    action: allow\n"
	"  - name: u3\n    proto: udp\n    ports: [3]\n    action: allow\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    action: deny\n"
	"  - name: ssh\n"
	"    proto: tcp\n"
	"    ports: [22, 9000-9100]\n"
	"    action: allow\n"
	"timeouts: {tcp_syn: 5}\n";

struct racer {
	struct fg_h *h;
	volatile int stop;
	int reloads, errors;
	char err[sizeof(((struct fg_h *)0)->err)];
};

static void *reload_loop(void *arg)
{
	struct racer *r = arg;
	cpu_set_t all;
	int i;

	/* Run beside the packet thread, not only between its packets. */
	CPU_ZERO(&all);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
	while (!r->stop) {
		if (fg_h_reload(r->h, (r->reloads & 1) ? race_a : race_b) < 0) {
			snprintf(r->err, sizeof(r->err), "%s", r->h->err);
			r->errors++;
			break;
		}
		r->reloads++;
	}
	return NULL;
}

static void test_reload_race(void **state)
{
	struct racer r = { 0 };
	struct fg_counters c0, c1, d;
	pthread_t t;
	const char *bad = NULL;
	int i, rv = 0, ok80 = 0;

	r.h = fg_h_open(race_a);
	if (!r.h)
		fail_msg("open: %s", fg_h_last_error());
	fg_h_counters(r.h, &c0);
	assert_int_equal(pthread_create(&t, NULL, reload_loop, &r), 0);
	/* Until 8 reloads happened (a reload builds fresh tables: it takes
	 * as long as thousands of packets), at most 300000 rounds. */
	for (i = 0; i < 300000 && r.reloads < 8 && !r.errors; i++) {
		__u16 sp = (__u16)(1024 + i % 60000);
		const char *src = i < 60000 ? C4 : i < 120000 ? "10.9.9.10" :
				  i < 180000 ? "10.9.9.11" : i < 240000 ?
				  "10.9.9.12" : "10.9.9.13";
		struct pkt_spec ssh = TCP4(src, sp, S4, 22, SYN);
		struct pkt_spec nine = TCP4(src, sp, S4, 9, SYN);
		struct pkt_spec web = TCP4(src, sp, S4, 80, SYN);

		rv = fg_h_run_spec(r.h, FG_H_XDP, &ssh);
		if (!fg_h_rv_passes(FG_H_XDP, rv)) {
			bad = "ssh dropped";
			break;
		}
		rv = fg_h_run_spec(r.h, FG_H_XDP, &nine);
		if (fg_h_rv_passes(FG_H_XDP, rv) || rv == FG_H_RUN_ERR) {
			bad = "port 9 passed";
			break;
		}
		rv = fg_h_run_spec(r.h, FG_H_XDP, &web);
		if (rv == FG_H_RUN_ERR) {
			bad = "test run failed";
			break;
		}
		ok80 += fg_h_rv_passes(FG_H_XDP, rv);
	}
	r.stop = 1;
	pthread_join(t, NULL);
	fg_h_counters(r.h, &c1);
	fg_h_counters_delta(&c0, &c1, &d);
	fg_h_close(r.h);
	if (r.errors)
		fail_msg("reload failed after %d reloads: %s", r.reloads, r.err);
	if (bad)
		fail_msg("round %d: %s (rv %d) during %d reloads", i, bad, rv,
			 r.reloads);
	print_message("%d reloads during %d rounds, %d port-80 flows allowed\n",
		      r.reloads, i, ok80);
	assert_true(r.reloads >= 8);
	/* Both policies must really have been seen by packets. */
	assert_true(ok80 > 0 && ok80 < i);
	assert_int_equal(d.drop[FG_DROP_INTERNAL], 0);
	assert_int_equal(d.drop[FG_DROP_POLICY], (__u64)(2 * i - ok80));
	assert_int_equal(d.verdict[FG_VERDICT_ALLOW], (__u64)(i + ok80));
}

int main(void)
{
	const struct CMUnitTest extra[] = {
		cmocka_unit_test(test_rejected_reload),
		cmocka_unit_test(test_many_reloads),
		cmocka_unit_test(test_reload_race),
	};

	return fixture_main("reload", fixtures,
			    sizeof(fixtures) / sizeof(fixtures[0]),
			    extra, sizeof(extra) / sizeof(extra[0]));
}
