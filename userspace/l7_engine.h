/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_engine.h - the L7 policy engine of the AF_XDP inspector: identifies a
 * flow's application from its payload, checks the rule's http/tls/dns
 * conditions and answers allow, deny or continue (struct fg_insp_engine).
 * A flow that turns out to be another app, or breaks a condition, gets the
 * verdict of the next rule its 5-tuple matches (or the default).
 * Semantics, limits and event format: docs/inspector.md.
 */
#ifndef FG_L7_ENGINE_H
#define FG_L7_ENGINE_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "inspect.h"
#include "policy.h"

/* Bounds: struct fg_l7_limits (policy.h), 0 in a field: the default below. */

#define FG_L7_DEF_MAX_FLOWS	4096
#define FG_L7_DEF_IDENT_BYTES	4096
#define FG_L7_DEF_IDENT_PKTS	64
#define FG_L7_DEF_MONITOR_ITEMS	64

/* Engine counters (updated atomically), with their printed names. */
#define FG_L7_STATS(X)							\
	X(flows,	"flows")	/* flows that got state */	\
	X(flows_live,	"flows_live")	/* with state now */		\
	X(table_full,	"table_full")	/* refused: max_flows reached */ \
	X(not_identified, "not_identified") /* ident_bytes/packets spent */ \
	X(fallthrough,	"fallthrough")	/* sent on to a later rule */	\
	X(would_deny,	"would_deny")	/* monitor mode */		\
	X(stream_conflict, "stream_conflict") /* TCP bytes that disagree \
					       * with inspected ones */	\
	X(after_verdict, "after_verdict") /* packets read before their	\
					   * flow's verdict, answered	\
					   * with it */			\
	X(verdicts_live, "verdicts_live") /* ended flows remembered	\
					   * for such packets */	\
	X(swept_idle,	"swept_idle")	/* freed: idle past timeout */	\
	X(swept_gone,	"swept_gone")	/* freed: kernel flow gone,	\
					 * replaced or decided */	\
	X(budget_spent,	"budget_spent")	/* allowed for good: the app's	\
					 * inspect.budget read */	\
	X(events_suppressed, "events_suppressed") /* over the event	\
					 * rate: not written */

#define FG_X_L7_FIELD(f, name) __u64 f;
struct fg_l7_stats {
	FG_L7_STATS(FG_X_L7_FIELD)
};
#undef FG_X_L7_FIELD

struct fg_l7_engine;

/*
 * A new engine with no policy (every decision then is the fail verdict:
 * allow if fail_open, else deny). lim: the bounds where a policy's
 * `inspect` sets none (NULL, or 0 in a field: FG_L7_DEF_*). events: where
 * "l7" JSON lines go (NULL: none); writes are serialised with flockfile()
 * against the fast path's writer of the same FILE.
 */
int fg_l7_engine_new(const struct fg_l7_limits *lim, bool fail_open,
		     FILE *events, struct fg_l7_engine **out);
void fg_l7_engine_free(struct fg_l7_engine *e);

/*
 * Make p (the policy just installed in the kernel, rule ids as compiled:
 * failsafe rules first) the engine's policy; the engine takes ownership.
 * Flows that started under the previous policy finish under it (their
 * parser state and its `inspect` bounds belong to it); new flows use p.
 * p's max_flows bounds new state from now on: state beyond a lowered bound
 * stays until its flows end. Safe while workers run.
 */
void fg_l7_engine_set_policy(struct fg_l7_engine *e, struct fg_policy *p,
			     __u32 generation);
void fg_l7_engine_set_fail_open(struct fg_l7_engine *e, bool fail_open);
void fg_l7_engine_set_events(struct fg_l7_engine *e, FILE *events);
/* At most rate events per second, bursts of burst (0: unlimited); the
 * rest are counted as events_suppressed. */
void fg_l7_engine_set_event_rate(struct fg_l7_engine *e, __u32 rate,
				 __u32 burst);
void fg_l7_engine_stats(struct fg_l7_engine *e, struct fg_l7_stats *out);

/*
 * Free state nothing will free otherwise: flows idle longer than their
 * timeout, and, when lookup is given (fg_dp_flow_lookup), flows whose
 * kernel entry is gone, was replaced by a new flow of the same 5-tuple, or
 * already holds a verdict (state a late packet re-created). Visits at most
 * `budget` flows (resuming where the last call stopped) so one call stays
 * short; call it periodically (once a second) from one thread. now: the
 * CLOCK_MONOTONIC time in ns. Returns the number of flows freed.
 */
struct fg_datapath;
typedef int (*fg_l7_flow_lookup_fn)(const struct fg_datapath *dp,
				    const struct fg_flow_key *k,
				    struct fg_flow *out);
#define FG_L7_SWEEP_BUDGET	1024
unsigned int fg_l7_engine_sweep(struct fg_l7_engine *e, __u64 now,
				unsigned int budget,
				fg_l7_flow_lookup_fn lookup,
				const struct fg_datapath *dp);

/* The fg_insp_engine that runs e (e outlives the inspector). */
void fg_l7_engine_ops(struct fg_l7_engine *e, struct fg_insp_engine *ops);

/* Does any rule of p need the inspector (an `app` key)? */
bool fg_l7_policy_inspects(const struct fg_policy *p);

#endif /* FG_L7_ENGINE_H */
