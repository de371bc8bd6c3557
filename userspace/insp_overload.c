// SPDX-License-Identifier: GPL-2.0-only
/*
 * insp_overload.c - overload of an inspector worker, with hysteresis.
 *
 * The kernel redirects payload of inspected flows into a worker's RX ring
 * as long as the heartbeat says the inspector is alive and not overloaded.
 * A full ring makes the kernel drop inside the redirect, where no BPF
 * program sees it: inspect_failure would not apply and the loss would not
 * be counted. So the worker flags itself before the ring is full (7/8),
 * and whenever the kernel's loss counters moved, and the kernel applies
 * inspect_failure, counted, to the packets that follow. Clearing waits for
 * the ring to drain below half: the worker still has work queued then, so
 * it does not idle while the kernel refills the ring (no time-based hold:
 * while the bit is set the worker gets no new frames, a hold would be
 * throughput lost under a sustained flood).
 * The bit is set and cleared by whoever's state changes (struct
 * fg_insp_flag), not on the heartbeat's 50 ms period, in the worker's own
 * word of the fg_insp_busy map: overload is per queue.
 */
#include "insp_overload.h"

bool fg_insp_ring_hot(__u32 queued, __u32 size)
{
	return (__u64)queued * 8 >= (__u64)size * 7;
}

static bool load_hot(const struct fg_insp_overload *o,
		     const struct fg_insp_load *l)
{
	return fg_insp_ring_hot(l->rx_queued, l->rx_size) ||
	       l->k_drops > o->k_drops || l->no_frames;
}

bool fg_insp_overload_update(struct fg_insp_overload *o,
			     const struct fg_insp_load *l, __u64 now_ns)
{
	bool was = o->on;

	if (load_hot(o, l)) {
		if (!o->on) {
			o->on = true;
			o->since_ns = now_ns;
			o->events++;
		}
	} else if (o->on && (__u64)l->rx_queued * 2 < l->rx_size) {
		o->on = false;
		o->past_ns += now_ns - o->since_ns;
	}
	o->k_drops = l->k_drops;
	return o->on != was;
}

__u64 fg_insp_overload_ns(const struct fg_insp_overload *o, __u64 now_ns)
{
	return o->past_ns + (o->on ? now_ns - o->since_ns : 0);
}

/* Set the bit. A beat word at 0 means the inspector is stopping: left
 * alone. A failed exchange reloads v: retry until the bit is there. */
static void publish(__u32 *word, bool beat)
{
	__u32 v = __atomic_load_n(word, __ATOMIC_SEQ_CST);

	while ((v || !beat) && !(v & FG_INSP_OVERLOAD) &&
	       !__atomic_compare_exchange_n(word, &v, v | FG_INSP_OVERLOAD,
					    false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
}

void fg_insp_overload_publish(__u32 *beat_word)
{
	publish(beat_word, true);
}

static bool flag_held(struct fg_insp_flag *f)
{
	return __atomic_load_n(&f->refs, __ATOMIC_SEQ_CST) > 0;
}

static void bit_clear(__u32 *word)
{
	__u32 v = __atomic_load_n(word, __ATOMIC_SEQ_CST);

	while ((v & FG_INSP_OVERLOAD) &&
	       !__atomic_compare_exchange_n(word, &v, v & ~FG_INSP_OVERLOAD,
					    false, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
}

/* After refs changed: make the bit say whether anyone holds one. The last
 * check catches a get that raced with our clear. */
static void flag_sync(struct fg_insp_flag *f)
{
	if (!flag_held(f))
		bit_clear(f->word);
	if (flag_held(f))
		publish(f->word, !f->queue);
}

void fg_insp_flag_get(struct fg_insp_flag *f)
{
	__atomic_add_fetch(&f->refs, 1, __ATOMIC_SEQ_CST);
	publish(f->word, !f->queue);
}

void fg_insp_flag_put(struct fg_insp_flag *f)
{
	__atomic_sub_fetch(&f->refs, 1, __ATOMIC_SEQ_CST);
	flag_sync(f);
}

void fg_insp_flag_beat(struct fg_insp_flag *f, __u32 beat)
{
	__atomic_store_n(f->word, beat | (flag_held(f) ? FG_INSP_OVERLOAD : 0),
			 __ATOMIC_SEQ_CST);
	flag_sync(f);
}
