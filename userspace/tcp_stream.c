// SPDX-License-Identifier: GPL-2.0-only
/*
 * tcp_stream.c - in-order reassembly of one TCP direction for the inline
 * inspector (see tcp_stream.h for the contract).
 *
 * Positions are kept relative to the next expected byte (s->next) with
 * 32-bit sequence arithmetic, so wraparound needs no special case: every
 * range the stream handles lies within FG_TCP_STREAM_MAX_WINDOW of next.
 * A segment is checked completely (old bytes against the replay ring, new
 * bytes against buffered ones, limits) before anything is changed, so a
 * DROP or CONFLICT leaves the stream as it was.
 */
#include <stdlib.h>
#include <string.h>

#include "tcp_stream.h"

static uint32_t pick(uint32_t v, uint32_t def, uint32_t max)
{
	if (!v)
		v = def;
	return v > max ? max : v;
}

void fg_tcp_stream_init(struct fg_tcp_stream *s, const struct fg_tcp_stream_limits *lim)
{
	memset(s, 0, sizeof(*s));
	if (lim)
		s->lim = *lim;
	s->lim.ooo_bytes = pick(s->lim.ooo_bytes, FG_TCP_STREAM_DEF_OOO_BYTES,
				FG_TCP_STREAM_MAX_WINDOW);
	/* the block array is allocated whole: keep it small */
	s->lim.ooo_segs = pick(s->lim.ooo_segs, FG_TCP_STREAM_DEF_OOO_SEGS, 4096);
	s->lim.replay_bytes = pick(s->lim.replay_bytes, FG_TCP_STREAM_DEF_REPLAY_BYTES,
				   FG_TCP_STREAM_MAX_WINDOW);
	s->lim.max_ahead = pick(s->lim.max_ahead, FG_TCP_STREAM_DEF_MAX_AHEAD,
				FG_TCP_STREAM_MAX_WINDOW);
}

void fg_tcp_stream_free(struct fg_tcp_stream *s)
{
	uint32_t i;

	for (i = 0; i < s->nr_ooo; i++)
		free(s->ooo[i].data);
	free(s->ooo);
	free(s->replay);
	s->ooo = NULL;
	s->replay = NULL;
	s->nr_ooo = 0;
	s->ooo_bytes = 0;
}

bool fg_tcp_stream_ended(const struct fg_tcp_stream *s)
{
	return s->fin && s->next == s->fin_seq;
}

size_t fg_tcp_stream_mem(const struct fg_tcp_stream *s)
{
	size_t m = s->ooo_bytes;

	if (s->replay)
		m += s->lim.replay_bytes;
	if (s->ooo)
		m += (size_t)s->lim.ooo_segs * sizeof(*s->ooo);
	return m;
}

/* Offset of seq from the next expected byte (negative: already delivered). */
static int64_t rel(const struct fg_tcp_stream *s, uint32_t seq)
{
	return (int32_t)(seq - s->next);
}

static uint64_t replay_held(const struct fg_tcp_stream *s)
{
	if (!s->replay)
		return 0;
	return s->st.delivered < s->lim.replay_bytes ? s->st.delivered : s->lim.replay_bytes;
}

/* Compare p[0..n) with the delivered bytes starting at relative offset r < 0. */
static bool replay_equal(const struct fg_tcp_stream *s, int64_t r, const uint8_t *p, size_t n)
{
	uint32_t w = s->lim.replay_bytes;
	uint64_t pos = (s->st.delivered + r) % w;

	while (n) {
		size_t chunk = w - pos < n ? w - pos : n;

		if (memcmp(s->replay + pos, p, chunk))
			return false;
		p += chunk;
		n -= chunk;
		pos = 0;
	}
	return true;
}

static void replay_store(struct fg_tcp_stream *s, const uint8_t *p, size_t n)
{
	uint32_t w = s->lim.replay_bytes;
	uint64_t pos;

	if (n > w) {
		p += n - w;
		s->st.delivered += n - w;
		n = w;
	}
	pos = s->st.delivered % w;
	s->st.delivered += n;
	while (n) {
		size_t chunk = w - pos < n ? w - pos : n;

		memcpy(s->replay + pos, p, chunk);
		p += chunk;
		n -= chunk;
		pos = 0;
	}
}

/* Hand n new in-order bytes to the callback and remember them. */
static void deliver(struct fg_tcp_stream *s, const uint8_t *p, size_t n,
		    fg_tcp_stream_cb cb, void *arg)
{
	if (s->stop || !n)
		return;
	replay_store(s, p, n);
	s->next += n;
	s->stop = cb(arg, p, n);
}

/* Do the new bytes [lo, hi) (relative, lo >= 0) agree with buffered ones? */
static bool ooo_equal(const struct fg_tcp_stream *s, int64_t lo, int64_t hi, const uint8_t *p)
{
	uint32_t i;

	for (i = 0; i < s->nr_ooo; i++) {
		const struct fg_tcp_ooo *b = &s->ooo[i];
		int64_t blo = rel(s, b->seq), bhi = blo + b->len;
		int64_t a = lo > blo ? lo : blo, z = hi < bhi ? hi : bhi;

		if (blo >= hi)
			break;
		if (a < z && memcmp(p + (a - lo), b->data + (a - blo), z - a))
			return false;
	}
	return true;
}

/*
 * Buffer [lo, hi) (relative, lo > 0), merging it with every block it
 * overlaps or touches so blocks stay disjoint and few. Returns DROP when
 * the result would exceed the limits; the stream is then unchanged.
 */
static enum fg_tcp_seg ooo_insert(struct fg_tcp_stream *s, int64_t lo, int64_t hi,
				  const uint8_t *p)
{
	uint32_t i, j, k, old_bytes = 0;
	int64_t ulo = lo, uhi = hi;
	struct fg_tcp_ooo nb;
	uint64_t bytes;

	for (i = 0; i < s->nr_ooo && rel(s, s->ooo[i].seq) + s->ooo[i].len < lo; i++)
		;
	for (j = i; j < s->nr_ooo && rel(s, s->ooo[j].seq) <= hi; j++) {
		int64_t blo = rel(s, s->ooo[j].seq);

		if (blo < ulo)
			ulo = blo;
		if (blo + s->ooo[j].len > uhi)
			uhi = blo + s->ooo[j].len;
		old_bytes += s->ooo[j].len;
	}
	if (j - i == 1 && uhi - ulo == s->ooo[i].len) {
		/* already buffered whole: a retransmission */
		s->st.dup_bytes += hi - lo;
		return FG_TCP_SEG_FORWARD;
	}
	bytes = (uint64_t)s->ooo_bytes - old_bytes + (uhi - ulo);
	if (bytes > s->lim.ooo_bytes || s->nr_ooo - (j - i) + 1 > s->lim.ooo_segs) {
		s->st.drop_limit++;
		return FG_TCP_SEG_DROP;
	}
	if (!s->ooo) {
		s->ooo = calloc(s->lim.ooo_segs, sizeof(*s->ooo));
		if (!s->ooo)
			goto nomem;
	}
	nb.seq = s->next + (uint32_t)ulo;
	nb.len = uhi - ulo;
	nb.data = malloc(nb.len);
	if (!nb.data)
		goto nomem;
	for (k = i; k < j; k++) {
		memcpy(nb.data + (rel(s, s->ooo[k].seq) - ulo), s->ooo[k].data, s->ooo[k].len);
		free(s->ooo[k].data);
	}
	/* where they overlap, the new bytes equal the buffered ones (checked) */
	memcpy(nb.data + (lo - ulo), p, hi - lo);
	if (j - i != 1)
		memmove(&s->ooo[i + 1], &s->ooo[j], (s->nr_ooo - j) * sizeof(*s->ooo));
	s->ooo[i] = nb;
	s->nr_ooo = s->nr_ooo - (j - i) + 1;
	s->ooo_bytes = bytes;
	s->st.ooo_segs++;
	return FG_TCP_SEG_FORWARD;
nomem:
	s->st.drop_nomem++;
	return FG_TCP_SEG_DROP;
}

/* Deliver buffered blocks the next byte has reached. */
static void ooo_release(struct fg_tcp_stream *s, fg_tcp_stream_cb cb, void *arg)
{
	while (s->nr_ooo && !s->stop && rel(s, s->ooo[0].seq) <= 0) {
		struct fg_tcp_ooo b = s->ooo[0];
		int64_t r = rel(s, b.seq);

		/* the overlap with what was just delivered was compared equal */
		if (r + b.len > 0)
			deliver(s, b.data - r, b.len + r, cb, arg);
		free(b.data);
		s->ooo_bytes -= b.len;
		s->nr_ooo--;
		memmove(&s->ooo[0], &s->ooo[1], s->nr_ooo * sizeof(*s->ooo));
	}
}

static enum fg_tcp_seg conflict(struct fg_tcp_stream *s)
{
	s->conflict = true;
	s->st.conflicts++;
	return FG_TCP_SEG_CONFLICT;
}

/* A FIN ending at fin: does it agree with what the stream already holds? */
static bool fin_consistent(const struct fg_tcp_stream *s, uint32_t fin)
{
	if (s->fin)
		return fin == s->fin_seq;
	if (rel(s, fin) < 0)
		return false;	/* bytes past it were delivered */
	if (s->nr_ooo) {
		const struct fg_tcp_ooo *last = &s->ooo[s->nr_ooo - 1];

		if (rel(s, last->seq) + last->len > rel(s, fin))
			return false;
	}
	return true;
}

enum fg_tcp_seg fg_tcp_stream_seg(struct fg_tcp_stream *s, uint32_t seq, uint8_t tcp_flags,
				  const uint8_t *data, size_t len,
				  fg_tcp_stream_cb cb, void *arg)
{
	int64_t off, end, lo;
	enum fg_tcp_seg v;

	s->st.segs++;
	if (s->conflict)
		return conflict(s);
	if (s->stop)
		return FG_TCP_SEG_FORWARD;
	/* receivers never hand a RST's payload to the application */
	if (tcp_flags & FG_TCP_RST) {
		s->rst = true;
		return FG_TCP_SEG_FORWARD;
	}
	if (tcp_flags & FG_TCP_SYN) {
		/* the SYN takes one sequence number; any data follows it */
		if (s->syn ? seq != s->isn : s->base_set && seq + 1 != s->base)
			return conflict(s);	/* a second, different ISN */
		s->syn = true;
		s->isn = seq++;
		if (!s->base_set) {
			s->next = s->base = seq;
			s->base_set = true;
		}
	}
	/* no bytes: whatever its seq (an ACK after our FIN carries FIN + 1) */
	if (!len && !(tcp_flags & FG_TCP_FIN))
		return FG_TCP_SEG_FORWARD;
	if (!s->base_set) {
		/* inspection began after the handshake: the first data sets the base */
		s->next = s->base = seq;
		s->base_set = true;
	}
	if (len > FG_TCP_STREAM_MAX_WINDOW) {
		s->st.drop_limit++;
		return FG_TCP_SEG_DROP;
	}
	off = rel(s, seq);
	end = off + (int64_t)len;

	if (s->fin && end > rel(s, s->fin_seq))
		return conflict(s);	/* data after the FIN */
	if ((tcp_flags & FG_TCP_FIN) && !fin_consistent(s, seq + (uint32_t)len))
		return conflict(s);
	if (off > s->lim.max_ahead) {
		s->st.drop_limit++;
		return FG_TCP_SEG_DROP;
	}

	/* bytes already delivered: they must be retained and identical */
	if (off < 0 && len) {
		int64_t n = (end < 0 ? end : 0) - off;

		if ((uint64_t)-off > replay_held(s)) {
			s->st.drop_old++;
			return FG_TCP_SEG_DROP;
		}
		if (!replay_equal(s, off, data, n)) {
			/*
			 * A keep-alive probe (RFC 1122 4.2.3.6) may carry one
			 * garbage byte below the next one: not forwarding it
			 * is safe and does not deny the flow.
			 */
			if (len == 1 && off == -1 && !(tcp_flags & FG_TCP_FIN)) {
				s->st.drop_keepalive++;
				return FG_TCP_SEG_DROP;
			}
			return conflict(s);
		}
	}
	lo = off > 0 ? off : 0;
	if (lo < end && !ooo_equal(s, lo, end, data + (lo - off)))
		return conflict(s);

	v = FG_TCP_SEG_FORWARD;
	if (lo < end && lo > 0) {
		v = ooo_insert(s, lo, end, data + (lo - off));
	} else if (lo < end) {
		if (!s->replay) {
			s->replay = malloc(s->lim.replay_bytes);
			if (!s->replay) {
				s->st.drop_nomem++;
				return FG_TCP_SEG_DROP;
			}
		}
		deliver(s, data - off, end, cb, arg);
		ooo_release(s, cb, arg);
	}
	if (v != FG_TCP_SEG_FORWARD)
		return v;
	if (off < 0)
		s->st.dup_bytes += (end < 0 ? end : 0) - off;
	if (tcp_flags & FG_TCP_FIN) {
		s->fin = true;
		s->fin_seq = seq + (uint32_t)len;
	}
	return FG_TCP_SEG_FORWARD;
}
