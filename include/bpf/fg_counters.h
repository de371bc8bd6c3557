/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_counters.h - per-packet state shared by the library (control block
 * snapshot, counters) and the counter updates. Every counter is per CPU, so
 * plain increments suffice.
 */
#ifndef FG_BPF_COUNTERS_H
#define FG_BPF_COUNTERS_H

#include "flowgate.h"
#include "fg_maps.h"

#define FG_RULE_NONE	((__u32)-1)

/*
 * What one packet works with, read once at the start. Scalars only: it is
 * passed to global (separately verified) functions, for which a pointer
 * stored in memory would be a plain number.
 */
struct fg_state {
	__u64 now;
	__u32 gen;			/* generation read once */
	__u32 slot;			/* gen & 1 */
	__u32 max_rules;
	__u32 ifindex;
	__u32 len;			/* packet bytes */
	__u8 hook;			/* enum fg_hook_dir */
	/* The decision, recorded by the single exit in fg_core.h. */
	__u8 verdict;			/* enum fg_verdict */
	__u8 reason;			/* enum fg_drop_reason if dropped */
	__u8 action;			/* enum fg_action of the deciding rule */
	__u32 rule;			/* deciding rule, or FG_RULE_NONE */
	__u8 ev_flags;			/* FG_EV_F_* of this packet's events */
	__u8 pad[3];
};

static __always_inline struct fg_counters *fg_stats_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&fg_stats, &zero);
}

static __always_inline struct fg_ctl *fg_ctl_get(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&fg_ctl, &zero);
}

static __always_inline void fg_cnt(struct fg_state *s, int idx)
{
	struct fg_counters *st = fg_stats_get();

	if (st && idx >= 0 && idx < FG_CNT_MAX)
		st->cnt[idx]++;
}

/* Row of (slot, rule) in fg_rules / fg_rule_cnt. */
static __always_inline __u32 fg_rule_row(const struct fg_state *s, __u32 rule)
{
	return s->slot * (s->max_rules + 1) + rule;
}

static __always_inline struct fg_rule_meta *
fg_rule_meta(const struct fg_state *s, __u32 rule)
{
	__u32 row;

	if (rule > s->max_rules)
		return 0;
	row = fg_rule_row(s, rule);
	return bpf_map_lookup_elem(&fg_rules, &row);
}

static __always_inline void fg_rule_count(const struct fg_state *s,
					  __u32 rule)
{
	struct fg_rule_counters *rc;
	__u32 row;

	if (rule > s->max_rules)
		return;
	row = fg_rule_row(s, rule);
	rc = bpf_map_lookup_elem(&fg_rule_cnt, &row);
	if (rc) {
		rc->packets++;
		rc->bytes += s->len;
	}
}

/* Verdict, drop reason and interface counters of a finished packet. */
static __always_inline void fg_count_verdict(struct fg_state *s, int dropped)
{
	struct fg_counters *st = fg_stats_get();
	struct fg_iface_counters *ic;
	__u32 ifindex = s->ifindex;

	if (st && s->verdict < FG_VERDICT_MAX)
		st->verdict[s->verdict]++;
	if (st && dropped && s->reason < FG_DROP_MAX)
		st->drop[s->reason]++;

	{
		__u32 *slot1, slot;

		if (ifindex < FG_IFINDEX_DIRECT)
			slot1 = bpf_map_lookup_elem(&fg_iface_idx, &ifindex);
		else
			slot1 = bpf_map_lookup_elem(&fg_iface_idx_big,
						    &ifindex);
		if (!slot1 || !*slot1)
			return;
		slot = *slot1 - 1;
		ic = bpf_map_lookup_elem(&fg_iface_stats, &slot);
		if (!ic)
			return;
	}
	if (s->hook == FG_HOOK_EGRESS) {
		ic->packets[FG_HOOK_EGRESS]++;
		ic->bytes[FG_HOOK_EGRESS] += s->len;
		if (dropped)
			ic->dropped[FG_HOOK_EGRESS]++;
	} else {
		ic->packets[FG_HOOK_INGRESS]++;
		ic->bytes[FG_HOOK_INGRESS] += s->len;
		if (dropped)
			ic->dropped[FG_HOOK_INGRESS]++;
	}
}

#endif /* FG_BPF_COUNTERS_H */
