/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_events.h - events to user space through the ring buffer, rate-limited
 * per CPU by a token bucket (ctl.event_rate per second, ctl.event_burst) so
 * a flood of denied or malformed packets cannot drown the reader.
 */
#ifndef FG_BPF_EVENTS_H
#define FG_BPF_EVENTS_H

#include "flowgate.h"
#include "fg_maps.h"
#include "fg_parse.h"
#include "fg_counters.h"

/* Tokens are kept in millionths so that rates below 1/µs refill smoothly. */
#define FG_TOKEN_UNIT		1000000ULL
/* Longest gap credited at once: keeps elapsed_us * rate inside 64 bits. */
#define FG_RL_MAX_GAP_NS	(1000ULL * 1000000000ULL)

static __always_inline int fg_event_allowed(struct fg_state *s)
{
	struct fg_ctl *ctl = fg_ctl_get();
	struct fg_ratelimit *rl;
	__u32 zero = 0;
	__u64 rate, cap, elapsed, us;

	if (!ctl)
		return 0;
	rate = ctl->event_rate;
	cap = (__u64)ctl->event_burst * FG_TOKEN_UNIT;
	if (!rate)
		return 0;
	rl = bpf_map_lookup_elem(&fg_evrl, &zero);
	if (!rl)
		return 0;
	if (cap < FG_TOKEN_UNIT)
		cap = FG_TOKEN_UNIT;	/* a burst of 0 still lets 1 through */

	elapsed = s->now - rl->last_ns;
	if (s->now < rl->last_ns || elapsed > FG_RL_MAX_GAP_NS) {
		rl->tokens = cap;
		rl->last_ns = s->now;
	} else {
		us = elapsed / 1000;
		rl->tokens += us * rate;
		/* Keep the sub-microsecond rest for the next refill. */
		rl->last_ns += us * 1000;
		if (rl->tokens > cap)
			rl->tokens = cap;
	}
	if (rl->tokens < FG_TOKEN_UNIT)
		return 0;
	rl->tokens -= FG_TOKEN_UNIT;
	return 1;
}

/* pkt may be only partly parsed (family 0 before the IP header). Rare
 * path: a global function, verified once. */
FG_GLOBAL int fg_event_emit(struct fg_state *s, const struct fg_pkt *pkt,
			    int type)
{
	struct fg_event *ev;

	if (!s || !pkt)
		return 0;
	if (!fg_event_allowed(s)) {
		fg_cnt(s, FG_CNT_EVENT_RATELIMITED);
		return 0;
	}
	ev = bpf_ringbuf_reserve(&fg_events, sizeof(*ev), 0);
	if (!ev) {
		fg_cnt(s, FG_CNT_EVENT_RINGBUF_FULL);
		return 0;
	}
	ev->ts_ns = bpf_ktime_get_ns();	/* precise: events are rare */
	ev->ifindex = s->ifindex;
	ev->rule = s->rule;
	ev->gen = s->gen;
	ev->type = type;
	ev->hook = s->hook;
	ev->family = pkt->family;
	ev->proto = pkt->proto;
	ev->action = s->action;
	ev->reason = s->reason;
	ev->sport = pkt->sport;
	ev->dport = pkt->dport;
	ev->flags = s->ev_flags;
	ev->pad = 0;
	__builtin_memcpy(ev->src, pkt->src, 16);
	__builtin_memcpy(ev->dst, pkt->dst, 16);
	bpf_ringbuf_submit(ev, 0);
	fg_cnt(s, FG_CNT_EVENT_SENT);
	return 0;
}

#endif /* FG_BPF_EVENTS_H */
