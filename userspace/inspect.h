/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * inspect.h - the AF_XDP inspector (issue 4): user-space half of the loop
 * "payload of a flow in inspection -> XSK -> decision -> verdict in the
 * flow table -> frame re-injected or dropped". Design and measurements:
 * docs/inspector-datapath.md.
 *
 * The decision itself is behind struct fg_insp_engine, so the L7 parsers
 * plug in without touching the rings: the engine sees one payload of flow
 * K in direction D at a time and answers allow, deny or continue.
 */
#ifndef FG_INSPECT_H
#define FG_INSPECT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>

#include "flowgate.h"

struct fg_datapath;

enum fg_insp_decision {
	FG_INSP_CONTINUE = 0,	/* keep inspecting: forward this payload */
	FG_INSP_ALLOW,		/* the rest of the flow goes by the kernel */
	FG_INSP_DENY,		/* drop this and every later packet */
	FG_INSP_DROP,		/* drop this packet only, keep inspecting
				 * (TCP: beyond the reassembly window; the
				 * sender retransmits it) */
};

/* One payload the engine is asked about. */
struct fg_insp_pkt {
	const struct fg_flow_key *key;
	const struct fg_flow *flow;	/* entry as read just now */
	int dir;			/* enum fg_flow_dir */
	const __u8 *payload;		/* L4 payload */
	size_t len;
	__u8 proto;			/* IPPROTO_* */
	__u8 tcp_flags;			/* TCP only */
	__u32 tcp_seq;			/* TCP only, host order */
	/* In: the flow's app_id; the engine sets it when it identifies
	 * the app, and the worker writes it into the flow entry. */
	__u16 *app_id;
};

/*
 * An inspection engine. decide() runs on the worker thread of the queue the
 * packet arrived on (several workers call it concurrently: per-flow state
 * must be the engine's business). flow_end() (optional) tells it a flow
 * got its verdict or vanished.
 */
struct fg_insp_engine {
	const char *name;
	enum fg_insp_decision (*decide)(void *arg,
					const struct fg_insp_pkt *p);
	void (*flow_end)(void *arg, const struct fg_flow_key *key);
	void *arg;
};

/* The test engine: a payload containing `deny` is denied, else one
 * containing `allow` is allowed, else inspection continues. Byte patterns,
 * per packet (no reassembly); NULL or "" disables a pattern. To test how
 * the inspector copes with a slow or hung engine, each decision can take
 * delay_us, and one on a payload containing `stall` stall_ms. */
struct fg_insp_pattern {
	char allow[64];
	char deny[64];
	char stall[64];
	__u32 delay_us;
	__u32 stall_ms;
};
extern const struct fg_insp_engine fg_insp_pattern_engine;	/* arg: pattern */

/* Per-queue counters, with their printed names. One writer each: the
 * worker, except the xsk_* ones (read when shown) and stalls (the
 * heartbeat thread). */
#define FG_INSP_STATS(X)						\
	X(rx,		"rx")		/* frames from the XSK */	\
	X(rx_bytes,	"rx_bytes")	/* their bytes */	\
	X(tx,		"tx")		/* re-injected (incl. RSTs) */	\
	X(allow,	"verdict_allow")	/* engine decisions */	\
	X(deny,		"verdict_deny")					\
	X(cont,		"verdict_continue")				\
	X(drop,		"verdict_drop")	/* one packet, flow inspected */ \
	X(after_verdict, "after_allow")	/* queued, flow allowed: sent */ \
	X(after_deny,	"after_deny")	/* queued, flow denied: dropped,	\
					 * "would have been delivered" */ \
	X(no_flow,	"no_flow")	/* flow entry gone: dropped */	\
	X(bad_frame,	"bad_frame")	/* not parseable: dropped */	\
	X(tx_ring_full,	"tx_ring_full")	/* no TX slot: dropped */	\
	X(fill_empty,	"fill_empty")	/* no frame for the fill ring */ \
	X(reinject_errors, "reinject_errors") /* sendto(), RST frames */ \
	X(verdict_errors, "verdict_errors")	/* flow update failed */ \
	X(rst_sent,	"rst_sent")					\
	X(csum_completed, "csum_completed")	/* offloaded checksum */ \
	/* The kernel's side of the RX socket (XDP_STATISTICS). */	\
	X(k_rx_dropped,	"xsk_rx_dropped")				\
	X(k_rx_ring_full, "xsk_rx_ring_full")				\
	X(k_fill_empty,	"xsk_fill_empty")				\
	X(k_rx_invalid,	"xsk_rx_invalid")					\
	/* Overload (insp_overload.c): inspect_failure applied meanwhile. */ \
	X(overload_events, "overload_events")	/* episodes begun */	\
	X(overload_ms,	"overload_ms")	/* time in them */		\
	X(stalls,	"stalls")	/* no progress with frames queued */ \
	/* Gauges: where the UMEM frames are (all of them, once idle). */ \
	X(frames_free,	"frames_free")	/* the worker's free stack */	\
	X(frames_fill,	"frames_fill")	/* given to the kernel */

#define FG_X_INSP_FIELD(f, name) __u64 f;
struct fg_insp_stats {
	FG_INSP_STATS(FG_X_INSP_FIELD)
};

/* Time to verdict histogram: 1 us buckets, the last one open-ended. */
#define FG_INSP_LAT_BUCKETS	4096

struct fg_insp_latency {
	__u64 samples;
	__u32 p50_us, p99_us;	/* FG_INSP_LAT_BUCKETS - 1: that or more */
};

/* One worker's counters, as `stats` shows them. */
struct fg_insp_queue_stats {
	char device[16];	/* interface the worker reads */
	__u32 queue;
	__u32 frames;		/* UMEM frames the worker owns */
	int cpu;		/* pinned to it, -1: not pinned */
	int cpu_asked;		/* --inspect-cpu's choice for it, -1: none */
	struct fg_insp_stats st;
};


/* Options of the inspector as `flowgate run` starts it. */
struct fg_insp_opts {
	const struct fg_insp_engine *engine;
	int cpu_base;		/* pin worker i to cpu_base + i; -1: no.
				 * cpu_base must be available (see
				 * fg_insp_cpu_check); a later worker whose
				 * CPU is not runs unpinned (queue stats) */
	__u32 queues;		/* rx queues per interface (0: all) */
	bool busy_poll;		/* workers spin instead of sleeping */
	/* Benchmark reference (`flowgate bench --suite inspect`): workers
	 * re-inject every frame untouched, with no parsing, flow lookup,
	 * engine or verdict; the latency histogram then holds "XDP stamp ->
	 * frame seen by the worker". */
	bool bare;
};

struct fg_inspector;

/*
 * Start inspecting on the interfaces (ifindex, counter slot pairs as in
 * fg_datapath): create the capture and re-injection veths, attach their
 * programs, register the sockets in fg_xsks and start one worker per
 * (interface, queue) plus one for the capture veth. On failure nothing is
 * left behind; errbuf says what failed.
 */
int fg_insp_start(struct fg_datapath *dp, const struct fg_insp_opts *o,
		  struct fg_inspector **out, char *errbuf, size_t errlen);

/* Stop the workers, clear the heartbeat, remove the veths. Safe on NULL. */
void fg_insp_stop(struct fg_inspector *in);

/*
 * For `flowgate detach`: remove the veth pairs and the lock file a killed
 * inspector left in this network namespace, unless a live inspector holds
 * the namespace's lock (then nothing is touched and -EBUSY returned, or 0
 * if there are no pairs). Prints one line per pair removed, or kept, to
 * `report` if not NULL. Returns the number of pairs removed (0 if there
 * were none) or -errno.
 */
int fg_insp_remove_leftovers(FILE *report);

/* Sum of every worker's counters. Returns the number of workers. */
int fg_insp_stats(struct fg_inspector *in, struct fg_insp_stats *sum);
/* Time to verdict over every worker. */
void fg_insp_latency(struct fg_inspector *in, struct fg_insp_latency *out);
/* Empty the histograms, so the next fg_insp_latency() covers what follows.
 * Call while no frames flow (a worker's concurrent sample may survive). */
void fg_insp_latency_reset(struct fg_inspector *in);
/* Per worker: fills up to n entries, returns how many workers there are. */
int fg_insp_queue_stats(struct fg_inspector *in,
			struct fg_insp_queue_stats *out, size_t n);

/* Is CPU cpu online and in this process's affinity mask? 0, or -EINVAL
 * with errbuf naming it and the CPUs that are. */
int fg_insp_cpu_check(int cpu, char *errbuf, size_t errlen);

/* Set inspect_failure in the control block: open (true) or closed. */
void fg_insp_set_failure_open(struct fg_datapath *dp, bool open);

/*
 * Helpers shared with tests. Parse an Ethernet frame (an 802.1Q tag may
 * lead, see FG_INSP_VID): fill the normalised key as the kernel builds it,
 * set *src_lo, the payload and the L4 offset. 0 or -EINVAL.
 */
struct fg_insp_frame {
	struct fg_flow_key key;
	int src_lo;
	__u16 vid;		/* 0: untagged */
	__u32 l3_off, l4_off;
	__u8 family, proto, tcp_flags;
	__u32 tcp_seq, tcp_ack;	/* host order */
	const __u8 *payload;
	size_t payload_len;
};
int fg_insp_parse(const __u8 *frame, size_t len, struct fg_insp_frame *f);

/*
 * Frames of local senders (veth, and the TC egress hook) carry offloaded
 * checksums (CHECKSUM_PARTIAL): the TCP/UDP field holds only the
 * pseudo-header sum, which the skb's flag, lost on the way through the
 * XSK, told the stack. Complete such a checksum in place before the frame
 * is re-injected. 0: already valid (or none), 1: completed, -EBADMSG:
 * corrupt (left as it is: the stack drops it as it would have).
 */
int fg_insp_csum_complete(__u8 *frame, const struct fg_insp_frame *f);

/* Build a TCP RST for the frame `f` was parsed from, into out (room for
 * the whole frame): to_sender = toward the frame's source (swapped
 * addresses), else toward its destination. No tag. Returns the length. */
size_t fg_insp_build_rst(const __u8 *frame, const struct fg_insp_frame *f,
			 int to_sender, __u8 *out, size_t room);

#endif /* FG_INSPECT_H */
