/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * insp_overload.h - when an inspector worker counts as overloaded, and how
 * the bit reaches the kernel (see insp_overload.c). Internal to the
 * inspector (xsk_worker.c, inspect_run.c) and its tests.
 */
#ifndef FG_INSP_OVERLOAD_H
#define FG_INSP_OVERLOAD_H

#include <stdbool.h>
#include <linux/types.h>

#include "flowgate.h"

/* One look at a worker's receive side. */
struct fg_insp_load {
	__u32 rx_queued;	/* frames waiting in the RX ring */
	__u32 rx_size;		/* its slots */
	__u64 k_drops;		/* the kernel's RX-side losses so far
				 * (XDP_STATISTICS rx_dropped + rx_ring_full
				 * + rx_fill_ring_empty_descs) */
	bool no_frames;		/* no free frame and the fill ring empty */
};

/* A worker's overload state; zero-initialised is "not overloaded". */
struct fg_insp_overload {
	bool on;
	__u64 k_drops;		/* at the previous look */
	__u64 since_ns;		/* start of the current episode */
	__u64 events;		/* episodes begun */
	__u64 past_ns;		/* time in episodes that ended */
};

/*
 * Update o with a look at time now_ns. Overloaded when the RX ring is at
 * least 7/8 full, the kernel's loss counters rose since the previous look,
 * or the worker has no frame to give the kernel; back to normal at a look
 * with the ring under half full and none of those. Returns true when o->on
 * changed.
 */
bool fg_insp_overload_update(struct fg_insp_overload *o,
			     const struct fg_insp_load *l, __u64 now_ns);

/* The rising threshold on its own: is a ring of size slots holding
 * queued frames nearly full (7/8)? */
bool fg_insp_ring_hot(__u32 queued, __u32 size);

/* Time spent overloaded up to now_ns, the current episode included. */
__u64 fg_insp_overload_ns(const struct fg_insp_overload *o, __u64 now_ns);

/* Set FG_INSP_OVERLOAD in the heartbeat word (fg_ctl.inspector) unless it
 * is 0 (no inspector: nothing to flag). Safe against concurrent writers. */
void fg_insp_overload_publish(__u32 *beat_word);

/*
 * The kernel's overload bit as the workers and the heartbeat thread share
 * it: set while anyone holds a reference (an overloaded worker, a hung one
 * seen by the heartbeat). Each side changes refs first, then the bit, then
 * checks refs again, so a concurrent get and put never leave the bit
 * cleared while a reference is held.
 */
struct fg_insp_flag {
	__u32 *word;		/* fg_ctl.inspector, or a queue's word in the
				 * fg_insp_busy map */
	bool queue;		/* a queue's word: no beat in it, so the bit
				 * is set even when the word is 0 */
	int refs;		/* atomic */
};

void fg_insp_flag_get(struct fg_insp_flag *f);
void fg_insp_flag_put(struct fg_insp_flag *f);
/* The heartbeat thread's store of a fresh beat (FG_INSP_BEAT(now)). */
void fg_insp_flag_beat(struct fg_insp_flag *f, __u32 beat);

#endif /* FG_INSP_OVERLOAD_H */
