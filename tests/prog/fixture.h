/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fixture.h - table-driven program-test fixtures on top of harness.h, run
 * as cmocka tests (one cmocka test per fixture). Header-only and included
 * only by tests/prog/test_*.c, so the shared helper objects stay free of
 * cmocka (benchmarks link them).
 *
 * A fixture: a name, a policy (YAML text; NULL = none installed), extra
 * policies for reload steps, datapath options, and a sequence of steps
 * (struct fg_h_step: packet, hook, expectations). With all_hooks the steps
 * run three times, each time in a fresh datapath with every step's hook
 * replaced by XDP, TC ingress and TC egress: parser cases must hold at
 * every hook.
 */
#ifndef FG_TEST_FIXTURE_H
#define FG_TEST_FIXTURE_H

#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"

/* Fixtures start from a shorthand (e.g. SYN80) and override some of its
 * fields: that is the point, not a mistake. */
#pragma GCC diagnostic ignored "-Woverride-init"

struct fixture {
	const char *name;
	const char *policy;
	const char *const *policies;	/* fg_h_step.reload = index + 1 */
	const struct fg_dp_opts *opts;
	const struct fg_h_step *steps;
	size_t n_steps;
	bool all_hooks;
};

/* .steps and .n_steps from one brace list of steps. */
#define STEPS(...)							\
	.steps = (const struct fg_h_step[]){ __VA_ARGS__ },		\
	.n_steps = sizeof((const struct fg_h_step[]){ __VA_ARGS__ }) /	\
		   sizeof(struct fg_h_step)

/* Packet shorthands (struct pkt_spec initialisers). */
#define TCP4(s, sp, d, dp, fl)						\
	{ .family = 4, .src = s, .dst = d, .proto = IPPROTO_TCP,	\
	  .sport = sp, .dport = dp, .tcp_flags = fl }
#define TCP6(s, sp, d, dp, fl)						\
	{ .family = 6, .src = s, .dst = d, .proto = IPPROTO_TCP,	\
	  .sport = sp, .dport = dp, .tcp_flags = fl }
#define UDP4(s, sp, d, dp)						\
	{ .family = 4, .src = s, .dst = d, .proto = IPPROTO_UDP,	\
	  .sport = sp, .dport = dp, .payload = 16 }
#define UDP6(s, sp, d, dp)						\
	{ .family = 6, .src = s, .dst = d, .proto = IPPROTO_UDP,	\
	  .sport = sp, .dport = dp, .payload = 16 }
#define ICMP4(s, d, t, c, id)						\
	{ .family = 4, .src = s, .dst = d, .proto = IPPROTO_ICMP,	\
	  .icmp_type = t, .icmp_code = c, .icmp_id = id, .payload = 8 }
/* ICMP errors embedding the original packet `in` (a struct pkt_spec *). */
#define ICMP4E(s, d, t, c, in)						\
	{ .family = 4, .src = s, .dst = d, .proto = IPPROTO_ICMP,	\
	  .icmp_type = t, .icmp_code = c, .inner = in }
#define ICMP6E(s, d, t, c, in)						\
	{ .family = 6, .src = s, .dst = d, .proto = IPPROTO_ICMPV6,	\
	  .icmp_type = t, .icmp_code = c, .inner = in }
#define ICMP6(s, d, t, c, id)						\
	{ .family = 6, .src = s, .dst = d, .proto = IPPROTO_ICMPV6,	\
	  .icmp_type = t, .icmp_code = c, .icmp_id = id, .payload = 8 }

#define SYN	PKT_TCP_SYN
#define SYNACK	(PKT_TCP_SYN | PKT_TCP_ACK)
#define ACK	PKT_TCP_ACK
#define PSHACK	(PKT_TCP_PSH | PKT_TCP_ACK)
#define FINACK	(PKT_TCP_FIN | PKT_TCP_ACK)
#define RST	PKT_TCP_RST

/* Common expectations. */
#define ALLOWED		.rv = FG_H_PASS, .verdict = V(ALLOW)
#define PASSED		.rv = FG_H_PASS, .verdict = V(PASS)
#define DENIED(r)	.rv = FG_H_DROP, .verdict = V(DENY), .drop = D(r)
#define MALFORMED(r)	.rv = FG_H_DROP, .verdict = V(MALFORMED), .drop = D(r)
#define DROPPED(r)	.rv = FG_H_DROP, .drop = D(r)

static bool fixture_need_root(void)
{
	if (geteuid() == 0)
		return false;
	fprintf(stderr, "program tests need root (BPF_PROG_TEST_RUN)\n");
	return true;
}

static void fixture_run_one(const struct fixture *f, int hook)
{
	struct fg_h_step *steps = NULL;
	struct fg_h *h;
	char msg[4096];
	size_t i;
	int r;

	h = fg_h_open_opts(f->policy, f->opts);
	if (!h)
		fail_msg("%s: open: %s", f->name, fg_h_last_error());
	if (hook >= 0) {
		steps = calloc(f->n_steps, sizeof(*steps));
		assert_non_null(steps);
		for (i = 0; i < f->n_steps; i++) {
			steps[i] = f->steps[i];
			steps[i].hook = (enum fg_h_hook)hook;
		}
	}
	r = fg_h_run_steps(h, steps ? steps : f->steps, f->n_steps,
			   f->policies, msg, sizeof(msg));
	free(steps);
	fg_h_close(h);
	if (r)
		fail_msg("%s%s%s: %s", f->name, hook >= 0 ? " @" : "",
			 hook >= 0 ? fg_h_hook_name((enum fg_h_hook)hook) : "",
			 msg);
}

static void fixture_test(void **state)
{
	const struct fixture *f = *state;
	int hook;

	if (!f->all_hooks) {
		fixture_run_one(f, -1);
		return;
	}
	for (hook = 0; hook < FG_H_HOOK_MAX; hook++)
		fixture_run_one(f, hook);
}

/* Run every fixture of a table as one cmocka group; extra hand-written
 * tests (may be NULL/0) join the same group. */
static int fixture_main(const char *group, const struct fixture *fx, size_t n,
			const struct CMUnitTest *extra, size_t n_extra)
{
	struct CMUnitTest *t;
	size_t i;
	int r;

	if (fixture_need_root())
		return 1;
	t = calloc(n + n_extra, sizeof(*t));
	if (!t)
		return 1;
	for (i = 0; i < n; i++) {
		t[i].name = fx[i].name;
		t[i].test_func = fixture_test;
		t[i].initial_state = (void *)&fx[i];
	}
	for (i = 0; i < n_extra; i++)
		t[n + i] = extra[i];
	r = _cmocka_run_group_tests(group, t, n + n_extra, NULL, NULL);
	free(t);
	return r;
}

#endif /* FG_TEST_FIXTURE_H */
