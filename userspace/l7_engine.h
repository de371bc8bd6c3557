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

/* Bounds (0 in a field: the default below). */
struct fg_l7_limits {
	__u32 max_flows;	/* flows with engine state at once */
	__u32 ident_bytes;	/* payload bytes (both directions) to identify */
	__u32 ident_pkts;	/* payload packets (both directions) to identify */
};

#define FG_L7_DEF_MAX_FLOWS	4096
#define FG_L7_DEF_IDENT_BYTES	4096
#define FG_L7_DEF_IDENT_PKTS	64

/* Engine counters (updated atomically). */
struct fg_l7_stats {
	__u64 flows;		/* flows that got state */
	__u64 flows_live;	/* with state now */
	__u64 table_full;	/* flows refused: max_flows reached */
	__u64 not_identified;	/* budget spent: "something else" */
	__u64 fallthrough;	/* flows sent on to a later rule */
	__u64 would_deny;	/* monitor mode */
};

struct fg_l7_engine;

/*
 * A new engine with no policy (every decision then is the fail verdict:
 * allow if fail_open, else deny). events: where "l7" JSON lines go (NULL:
 * none); writes are serialised with flockfile() against the fast path's
 * writer of the same FILE.
 */
int fg_l7_engine_new(const struct fg_l7_limits *lim, bool fail_open,
		     FILE *events, struct fg_l7_engine **out);
void fg_l7_engine_free(struct fg_l7_engine *e);

/*
 * Make p (the policy just installed in the kernel, rule ids as compiled:
 * failsafe rules first) the engine's policy; the engine takes ownership.
 * Flows that started under the previous policy finish under it (their
 * parser state belongs to it); new flows use p. Safe while workers run.
 */
void fg_l7_engine_set_policy(struct fg_l7_engine *e, struct fg_policy *p,
			     __u32 generation);
void fg_l7_engine_set_fail_open(struct fg_l7_engine *e, bool fail_open);
void fg_l7_engine_set_events(struct fg_l7_engine *e, FILE *events);
void fg_l7_engine_stats(struct fg_l7_engine *e, struct fg_l7_stats *out);

/* The fg_insp_engine that runs e (e outlives the inspector). */
void fg_l7_engine_ops(struct fg_l7_engine *e, struct fg_insp_engine *ops);

/* Does any rule of p need the inspector (an `app` key)? */
bool fg_l7_policy_inspects(const struct fg_policy *p);

#endif /* FG_L7_ENGINE_H */
