/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * harness.h - run flowgate's real BPF programs on crafted frames with
 * BPF_PROG_TEST_RUN and read their side effects back (counters, rule
 * counters, flows, events). Needs root.
 *
 *	struct fg_h *h = fg_h_open(yaml);	// load, parse, compile, install
 *	int rv = fg_h_run(h, FG_H_XDP, frame, len);	// XDP_PASS, XDP_DROP...
 *	fg_h_close(h);
 *
 * Every packet runs on one CPU (fg_h_open pins the calling thread), so the
 * per-CPU token bucket and counters behave as on one receive queue.
 *
 * On top of that, a table-driven step runner (struct fg_h_step): one packet,
 * the hook it is seen at, and what must happen (return value, exactly one
 * verdict counter, at most one drop reason, global counters, the rule that
 * counted it, the flow entry afterwards). It does not depend on a test
 * framework: it returns -1 and a message, the test asserts.
 */
#ifndef FG_TEST_HARNESS_H
#define FG_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "flowgate.h"
#include "datapath.h"
#include "compile.h"
#include "policy.h"
#include "pktbuild.h"

struct flowgate_xdp_bpf;

enum fg_h_hook {
	FG_H_XDP = 0,		/* XDP ingress program */
	FG_H_TC_IN = 1,		/* TC ingress program (--xdp-mode none) */
	FG_H_TC_OUT = 2,	/* TC egress program */
	FG_H_HOOK_MAX
};

#define FG_H_IFINDEX	1	/* lo: where test runs say packets arrive */

struct fg_h {
	struct fg_datapath dp;
	bool dp_open;
	struct flowgate_xdp_bpf *xdp;
	int prog_fd[FG_H_HOOK_MAX];
	/* The installed policy (NULL before the first install). */
	struct fg_policy *policy;
	struct fg_compiled comp;
	bool have_comp;
	__u32 gen;
	char err[2048];		/* last error, with the parser's diagnostics */
};

/*
 * Open the datapath (TC object owning the maps, one XDP object sharing them,
 * both loaded), register FG_H_IFINDEX for per-interface counters, and install
 * `policy_yaml` if not NULL (NULL: no policy, generation 0). opts may be NULL
 * (small test sizes are used: 4096 rules, 8192 flows, 1024 fragments).
 * Returns NULL with errno set; fg_h_last_error() says why.
 */
struct fg_h *fg_h_open(const char *policy_yaml);
struct fg_h *fg_h_open_opts(const char *policy_yaml,
			    const struct fg_dp_opts *opts);
void fg_h_close(struct fg_h *h);
const char *fg_h_last_error(void);

/* Parse + compile + install a new policy (atomic reload). Returns the new
 * generation or -errno (h->err has the diagnostics); on error the previous
 * policy stays installed and h->policy/comp are unchanged. */
int fg_h_reload(struct fg_h *h, const char *policy_yaml);

/* Run one frame through a hook. Returns the program's return value (XDP_*,
 * TC_ACT_*; TC_ACT_UNSPEC is -1), or FG_H_RUN_ERR with errno set if the test
 * run itself failed. */
#define FG_H_RUN_ERR	INT32_MIN
int fg_h_run(struct fg_h *h, enum fg_h_hook hook, const void *pkt, size_t len);
int fg_h_run_xdp(struct fg_h *h, const void *pkt, size_t len);
int fg_h_run_tc(struct fg_h *h, bool egress, const void *pkt, size_t len);
/* Same with repeat (benchmarks): *ns_per_run = kernel-measured average. */
int fg_h_run_repeat(struct fg_h *h, enum fg_h_hook hook, const void *pkt,
		    size_t len, __u32 repeat, __u32 *ns_per_run);
/* Build `s` and run it. Returns the return value, or FG_H_RUN_ERR (errno
 * set; EINVAL/ENOSPC if the spec could not be built). */
int fg_h_run_spec(struct fg_h *h, enum fg_h_hook hook,
		  const struct pkt_spec *s);

/* True if rv means "let the packet continue" at that hook. */
bool fg_h_rv_passes(enum fg_h_hook hook, int rv);
const char *fg_h_hook_name(enum fg_h_hook hook);

/* ---- counters ---- */
int fg_h_counters(struct fg_h *h, struct fg_counters *out);
/* d = b - a, field by field. */
void fg_h_counters_delta(const struct fg_counters *a,
			 const struct fg_counters *b, struct fg_counters *d);
/* Rule id of a rule name in the installed policy ("default",
 * "failsafe:tcp/22", or a rule's name); -ENOENT. */
int fg_h_rule_id(const struct fg_h *h, const char *name);
/* Per-rule counters of the current generation for `name`. */
int fg_h_rule_counters(struct fg_h *h, const char *name,
		       struct fg_rule_counters *out);

/* ---- flows ---- */
/*
 * Find the flow entry of a tuple in either orientation (by walking the
 * table, so it does not depend on the kernel's normalisation order). On
 * success fills key and flow (either may be NULL) and *tuple_is_orig (may be
 * NULL): true if the tuple's source is the flow's initiator. -ENOENT.
 */
int fg_h_flow_find(struct fg_h *h, const struct pkt_tuple *t,
		   struct fg_flow_key *key, struct fg_flow *flow,
		   bool *tuple_is_orig);
int fg_h_flow_find_spec(struct fg_h *h, const struct pkt_spec *s,
			struct fg_flow_key *key, struct fg_flow *flow,
			bool *tuple_is_orig);
long fg_h_flow_count(struct fg_h *h);

/* ---- events ---- */
#define FG_H_EV_MAX	64
struct fg_h_ev_log {
	struct fg_event ev[FG_H_EV_MAX];	/* the first FG_H_EV_MAX */
	int n;
};
struct ring_buffer;
/* A reader of h's event ring that appends to l (ring_buffer__consume());
 * events already queued are discarded. NULL on failure. */
struct ring_buffer *fg_h_events_open(struct fg_h *h, struct fg_h_ev_log *l);

/* ---- clock ---- */
__u64 fg_h_now_ns(void);		/* CLOCK_MONOTONIC, as bpf_ktime */
void fg_h_sleep_ms(unsigned int ms);

/* ---- table-driven steps ---- */

/* Expected outcome. Fields left 0 are not checked, except that every step
 * checks: exactly one verdict counter moved by 1, and exactly one drop
 * reason moved iff the packet was dropped. Enum values are stored +1 so 0
 * means "unchecked": use the macros. */
#define FG_H_PASS	1
#define FG_H_DROP	2
#define V(x)	(FG_VERDICT_##x + 1)
#define D(x)	(FG_DROP_##x + 1)
#define C(x)	(FG_CNT_##x + 1)
#define ST(x)	(FG_STATE_##x + 1)
#define A(x)	(FG_ACTION_##x + 1)
#define FG_H_YES	1
#define FG_H_NO		2

struct fg_h_cnt_expect {
	int cnt;		/* C(x) */
	__u64 delta;
};

struct fg_h_flow_expect {
	int present;		/* FG_H_YES / FG_H_NO */
	int state;		/* ST(x) */
	int action;		/* A(x) */
	const char *rule;	/* rule name that decided it */
	__u8 flags_set;		/* FG_FLOW_F_* that must be set */
	__u8 flags_clear;	/* ... and clear */
	int orig;		/* FG_H_YES: this packet's src is initiator;
				 * FG_H_NO: it is the responder */
	__u64 pk_orig, pk_reply;	/* absolute packets (checked if either
					 * is non-zero) */
	bool check_gen;		/* flow.gen == current generation */
};

struct fg_h_step {
	const char *what;
	enum fg_h_hook hook;
	struct pkt_spec pkt;
	int rv;			/* FG_H_PASS / FG_H_DROP */
	int verdict;		/* V(x) */
	int drop;		/* D(x) */
	struct fg_h_cnt_expect cnt[4];	/* global counter deltas */
	const char *rule;	/* rule whose counter moves by this packet */
	const struct pkt_spec *flow_of;	/* flow to check (NULL: this pkt) */
	struct fg_h_flow_expect flow;
	unsigned int sleep_ms;	/* sleep before sending (timeouts) */
	int reload;		/* before sending: 1..n reload with
				 * policies[reload - 1] (fg_h_run_steps) */
	bool xdp_only;		/* skipped at TC hooks: the kernel's skb test
				 * run refuses an untagged frame whose IP
				 * header is cut (EINVAL) */
};

/* Run one step. 0 if every expectation held, else -1 with a message in msg
 * (also for harness errors). */
int fg_h_step_run(struct fg_h *h, const struct fg_h_step *st,
		  char *msg, size_t msg_len);

/* Run steps in order; stops at the first failure (message names the step
 * by index and `what`). policies[] serves fg_h_step.reload. */
int fg_h_run_steps(struct fg_h *h, const struct fg_h_step *steps, size_t n,
		   const char *const *policies, char *msg, size_t msg_len);

/* Names for messages. */
const char *fg_h_verdict_name(int v);
const char *fg_h_drop_name(int d);
const char *fg_h_cnt_name(int c);
const char *fg_h_state_name(int s);

#endif /* FG_TEST_HARNESS_H */
