/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * compile.h - turn a validated policy into the classifier tables the fast
 * path reads (see include/flowgate.h: fg_lpm_key, fg_class, the word pool).
 *
 * Method (why it scales): every field (initiator address, responder address,
 * protocol+port) is looked up once in an LPM trie whose value is that field's
 * *class*: the set of rules the value matches, stored as the non-zero window
 * of a rule bitmap. The first rule is the lowest set bit of the AND of the
 * three windows, scanned from the highest window start; the scan stops at the
 * first non-zero word. A packet that matches one rule of N therefore touches
 * 3 trie lookups and, typically, one bitmap word per field, whatever N is.
 */
#ifndef FG_COMPILE_H
#define FG_COMPILE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flowgate.h"
#include "policy.h"
#include "diag.h"

struct fg_compiled {
	/* Classifier trie entries: keys[i] -> classes[i]. */
	struct fg_lpm_key *keys;
	struct fg_class *classes;
	size_t n_entries;

	/* Rule bitmap words referenced by classes (pool_words >= 1). */
	__u64 *pool;
	__u32 pool_words;

	/* Rules in match order: failsafe rules first, then the policy's.
	 * meta[] and names[] have n_rules + 1 entries: id n_rules is the
	 * default. names[] point into the policy or this struct's storage. */
	__u32 n_rules;
	struct fg_rule_meta *meta;
	char **names;

	struct fg_slot_cfg cfg;	/* n_rules, pool_words, timeouts */
};

/*
 * Compile `p`. Fails with -E2BIG (and a diagnostic) if the policy needs more
 * than max_rules rules or more than FG_MAX_WORDS bitmap words, -EINVAL (with
 * diagnostics) if it is inconsistent (e.g. an unresolved group), -ENOMEM.
 */
int fg_compile(const struct fg_policy *p, __u32 max_rules,
	       struct fg_compiled *out, struct fg_diags *diags);

void fg_compiled_free(struct fg_compiled *c);

/* The fields the classifier looks at, as the fast path extracts them from a
 * flow's first packet. Addresses in network byte order. */
struct fg_match_input {
	__u8 family;		/* AF_INET or AF_INET6 */
	__u8 src[16];		/* initiator */
	__u8 dst[16];		/* responder */
	__u8 proto;
	__u16 port;		/* host order: responder port, or
				 * (ICMP type << 8 | code) */
};

/* Evaluate the compiled tables in user space the same way the BPF program
 * does (longest-prefix lookup + window AND). Returns the rule id (n_rules =
 * default). Used by tests to check the compiler against fg_policy_match(). */
__u32 fg_compiled_match(const struct fg_compiled *c,
			const struct fg_match_input *in);

/* Reference semantics: walk the policy's rules (failsafe first) linearly.
 * Returns the same id space as fg_compiled_match(). */
__u32 fg_policy_match(const struct fg_policy *p,
		      const struct fg_match_input *in);

/* The first rule, in the same id space, at or after id `from` that the
 * flow matches (n_rules = default): the rule an app rule's flow falls
 * through to when its payload is another app or breaks a condition. */
__u32 fg_policy_match_from(const struct fg_policy *p,
			   const struct fg_match_input *in, __u32 from);

#endif /* FG_COMPILE_H */
