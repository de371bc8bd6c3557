/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tcp_stream.h - one direction of a TCP connection, put back in sequence
 * order for the inline inspector.
 *
 * The inspector sits in the path: a segment it forwards reaches the
 * receiver, one it drops does not (the sender retransmits). The stream
 * guarantees that no byte reaches the receiver's application before the
 * inspector saw it in order, and that every byte forwarded agrees with the
 * bytes inspected at that sequence number, so the receiver's byte stream
 * equals the inspector's whatever overlap policy the receiver's OS uses.
 * See docs/inspector.md ("TCP stream ordering") for the reasoning and the
 * memory bounds.
 */
#ifndef FG_TCP_STREAM_H
#define FG_TCP_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* TCP header flag bits (byte 13 of the header; the wire values, the same
 * as include/bpf/fg_parse.h, which user space does not include). */
#define FG_TCP_FIN	0x01
#define FG_TCP_SYN	0x02
#define FG_TCP_RST	0x04

/* Per-stream bounds; zero fields take the FG_TCP_STREAM_DEF_* defaults. */
struct fg_tcp_stream_limits {
	uint32_t ooo_bytes;	/* out-of-order bytes buffered at most */
	uint32_t ooo_segs;	/* out-of-order blocks (disjoint ranges) at most */
	uint32_t replay_bytes;	/* delivered bytes kept to check retransmissions */
	uint32_t max_ahead;	/* data starting further ahead of the next byte is dropped */
};

#define FG_TCP_STREAM_DEF_OOO_BYTES	(64 * 1024)
#define FG_TCP_STREAM_DEF_OOO_SEGS	32
#define FG_TCP_STREAM_DEF_REPLAY_BYTES	(16 * 1024)
#define FG_TCP_STREAM_DEF_MAX_AHEAD	(1024 * 1024)
/* Hard ceilings whatever the caller asks: keeps seq arithmetic unambiguous. */
#define FG_TCP_STREAM_MAX_WINDOW	(1u << 30)

/* A disjoint range of buffered out-of-order bytes. */
struct fg_tcp_ooo {
	uint32_t seq;
	uint32_t len;
	uint8_t *data;
};

struct fg_tcp_stream_stats {
	uint64_t delivered;	/* in-order bytes handed to the callback */
	uint64_t segs;		/* segments seen */
	uint64_t ooo_segs;	/* segments buffered out of order */
	uint64_t dup_bytes;	/* retransmitted bytes found identical */
	uint64_t conflicts;	/* segments that disagreed with inspected bytes */
	uint64_t drop_old;	/* segments reaching behind the replay window */
	uint64_t drop_limit;	/* out-of-order segments over the limits */
	uint64_t drop_nomem;	/* segments dropped because an allocation failed */
	uint64_t drop_keepalive; /* 1-byte probes below the next byte, differing */
};

struct fg_tcp_stream {
	struct fg_tcp_stream_limits lim;
	uint32_t next;		/* sequence number of the next in-order byte */
	uint32_t base;		/* sequence number of the first byte */
	uint32_t isn;		/* the SYN's sequence number, if seen */
	uint32_t fin_seq;	/* sequence number the FIN occupies */
	bool base_set;		/* next is known (SYN or first data seen) */
	bool syn;
	bool fin;
	bool rst;
	bool conflict;		/* a CONFLICT was returned: every later segment is one */
	int stop;		/* non-zero value a callback returned; delivery ended */
	uint8_t *replay;	/* ring of the last lim.replay_bytes delivered bytes */
	struct fg_tcp_ooo *ooo;	/* sorted by seq, disjoint, never adjacent */
	uint32_t nr_ooo;
	uint32_t ooo_bytes;
	struct fg_tcp_stream_stats st;
};

/* Receives new in-order bytes, once each; non-zero stops all delivery. */
typedef int (*fg_tcp_stream_cb)(void *arg, const uint8_t *data, size_t len);

enum fg_tcp_seg {
	FG_TCP_SEG_FORWARD,	/* pass the segment on to the receiver */
	FG_TCP_SEG_DROP,	/* do not pass it on; the sender will retransmit */
	FG_TCP_SEG_CONFLICT,	/* bytes disagree with inspected ones: deny the flow */
};

/* lim may be NULL (all defaults). Allocates nothing. */
void fg_tcp_stream_init(struct fg_tcp_stream *s, const struct fg_tcp_stream_limits *lim);

/*
 * Feed one segment (seq, TCP flags byte, payload). New in-order bytes,
 * including buffered ones the segment makes contiguous, go to cb in this
 * call. After a callback stopped delivery the stream is finished: later
 * calls return FORWARD (the caller's verdict governs) and call nothing.
 * After a CONFLICT every later call returns CONFLICT.
 */
enum fg_tcp_seg fg_tcp_stream_seg(struct fg_tcp_stream *s, uint32_t seq, uint8_t tcp_flags,
				  const uint8_t *data, size_t len,
				  fg_tcp_stream_cb cb, void *arg);

void fg_tcp_stream_free(struct fg_tcp_stream *s);

/* The value the callback stopped with, 0 while delivering. */
static inline int fg_tcp_stream_stopped(const struct fg_tcp_stream *s)
{
	return s->stop;
}

/* Whether the FIN was seen and every byte before it was delivered. */
bool fg_tcp_stream_ended(const struct fg_tcp_stream *s);

/* Bytes this stream holds in memory now (buffers, not the struct). */
size_t fg_tcp_stream_mem(const struct fg_tcp_stream *s);

#endif
