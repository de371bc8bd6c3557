// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_tcp_stream.c - TCP stream reassembly under arbitrary segments.
 *
 * Input: 8 header bytes (ISN, limits, where the callback stops), then
 * records of [offset lo, offset hi, length, flags] followed, unless flags
 * bit 0x80 asks for the reference pattern, by `length` data bytes.
 * Offsets are relative to ISN + 1 minus 256, so segments land before the
 * base, across the 32-bit wrap and beyond the limits.
 *
 * Invariants (the inspector's safety): delivered bytes arrive once each, in
 * order; every byte the stream lets through agrees with the delivered byte
 * at its position, or is buffered with the same value when not delivered
 * yet; nothing before the first inspected byte is let through; after a
 * CONFLICT everything is a conflict; memory stays within the limits.
 */
#include <string.h>

#include "fuzz_split.h"
#include "tcp_stream.h"

#define MAX_FWD		512
#define MAX_SEG		255
#define STREAM_MAX	(70 * 1024)

struct fwd {
	int64_t off;		/* from the stream base */
	size_t len;
	const uint8_t *data;
};

static uint8_t delivered[STREAM_MAX];
static size_t n_delivered;
static size_t stop_at;
static uint8_t pattern[MAX_FWD][MAX_SEG];
static struct fwd fwd[MAX_FWD];

static int collect(void *arg, const uint8_t *data, size_t len)
{
	FUZZ_CHECK(len > 0);
	FUZZ_CHECK(n_delivered + len <= STREAM_MAX);
	memcpy(delivered + n_delivered, data, len);
	n_delivered += len;
	return stop_at && n_delivered >= stop_at;
}

/* The buffered value at stream offset o, or -1 when not buffered. */
static int buffered(const struct fg_tcp_stream *s, int64_t o)
{
	uint32_t i;

	for (i = 0; i < s->nr_ooo; i++) {
		int64_t b = (int32_t)(s->ooo[i].seq - s->base);

		if (o >= b && o < b + s->ooo[i].len)
			return s->ooo[i].data[o - b];
	}
	return -1;
}

/* Segments [from, to) of fwd agree with the delivered or buffered bytes. */
static void check_forwarded(const struct fg_tcp_stream *s, unsigned from, unsigned to)
{
	unsigned i;
	size_t j;

	for (i = from; i < to; i++)
		for (j = 0; j < fwd[i].len; j++) {
			int64_t o = fwd[i].off + j;

			FUZZ_CHECK(o >= 0);
			if (o < (int64_t)n_delivered)
				FUZZ_CHECK(delivered[o] == fwd[i].data[j]);
			else
				FUZZ_CHECK(buffered(s, o) == fwd[i].data[j]);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_tcp_stream_limits lim;
	struct fg_tcp_stream s;
	bool conflicted = false;
	unsigned nr = 0;
	uint32_t isn;
	size_t p = 8;

	if (size < 8)
		return 0;
	isn = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	      (uint32_t)data[3] << 24;
	lim = (struct fg_tcp_stream_limits){
		.ooo_bytes = 1 + data[4] * 8,
		.ooo_segs = 1 + data[5] % 8,
		.replay_bytes = 1 + data[6] * 4,
		.max_ahead = 4096,
	};
	stop_at = data[7] ? data[7] * 16 : 0;
	n_delivered = 0;
	fg_tcp_stream_init(&s, &lim);

	while (p + 4 <= size && nr < MAX_FWD) {
		uint32_t seq = isn + 1 - 256 + (data[p] | data[p + 1] << 8);
		size_t len = data[p + 2], j;
		uint8_t flags = data[p + 3];
		const uint8_t *seg;
		enum fg_tcp_seg v;
		int stopped = fg_tcp_stream_stopped(&s);
		uint32_t dseq = seq + !!(flags & FG_TCP_SYN);

		p += 4;
		if (flags & 0x80) {
			/* the reference stream: byte value from its position */
			for (j = 0; j < len; j++)
				pattern[nr][j] = (uint8_t)((dseq + j) * 2654435761u >> 24);
			seg = pattern[nr];
		} else {
			if (len > size - p)
				len = size - p;
			seg = data + p;
			p += len;
		}
		v = fg_tcp_stream_seg(&s, seq, flags & 0x3f, seg, len, collect, NULL);
		if (conflicted)
			FUZZ_CHECK(v == FG_TCP_SEG_CONFLICT);
		if (v == FG_TCP_SEG_CONFLICT)
			conflicted = true;
		FUZZ_CHECK(fg_tcp_stream_mem(&s) <= lim.replay_bytes + lim.ooo_bytes +
			   lim.ooo_segs * sizeof(struct fg_tcp_ooo));
		FUZZ_CHECK(s.ooo_bytes <= lim.ooo_bytes && s.nr_ooo <= lim.ooo_segs);
		/* once the verdict is reached (or on RST) the caller decides */
		if (v != FG_TCP_SEG_FORWARD || !len || stopped || (flags & FG_TCP_RST))
			continue;
		fwd[nr].off = (int32_t)(dseq - s.base);
		fwd[nr].len = len;
		fwd[nr].data = seg;
		nr++;
		check_forwarded(&s, nr - 1, nr);
	}
	/* delivered bytes never change, so a late disagreement shows here */
	check_forwarded(&s, 0, nr);
	fg_tcp_stream_free(&s);
	return 0;
}
