// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tcp_stream.c - TCP stream reassembly for the inline inspector:
 * ordering, retransmissions and overlaps, limits, wraparound, FIN, the
 * callback stopping, mid-stream start, and a randomised differential test
 * against a simple model (unbounded byte map, first byte seen wins).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tcp_stream.h"

struct sink {
	uint8_t buf[8192];
	size_t n;
	size_t stop_at;		/* stop once this many bytes arrived (0: never) */
	unsigned calls;
};

static int sink_cb(void *arg, const uint8_t *data, size_t len)
{
	struct sink *k = arg;

	assert_true(len > 0);
	assert_true(k->n + len <= sizeof(k->buf));
	memcpy(k->buf + k->n, data, len);
	k->n += len;
	k->calls++;
	return k->stop_at && k->n >= k->stop_at ? 7 : 0;
}

static struct fg_tcp_stream s;
static struct sink k;

static void setup_lim(const struct fg_tcp_stream_limits *lim)
{
	memset(&k, 0, sizeof(k));
	fg_tcp_stream_free(&s);	/* a zeroed or finished stream: harmless */
	fg_tcp_stream_init(&s, lim);
}

static int setup(void **state)
{
	setup_lim(NULL);
	return 0;
}

static int teardown(void **state)
{
	fg_tcp_stream_free(&s);
	return 0;
}

static enum fg_tcp_seg seg(uint32_t seq, uint8_t flags, const char *txt)
{
	return fg_tcp_stream_seg(&s, seq, flags, (const uint8_t *)txt, strlen(txt),
				 sink_cb, &k);
}

static void assert_got(const char *txt)
{
	assert_int_equal(k.n, strlen(txt));
	assert_memory_equal(k.buf, txt, k.n);
}

static void test_in_order(void **state)
{
	assert_int_equal(seg(1000, FG_TCP_SYN, ""), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(1001, 0, ""), FG_TCP_SEG_FORWARD);	/* pure ACK */
	assert_int_equal(seg(1001, 0, "GET "), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(1005, 0, "/ HTTP/1.1"), FG_TCP_SEG_FORWARD);
	assert_got("GET / HTTP/1.1");
	assert_int_equal(k.calls, 2);
	assert_int_equal(s.st.delivered, 14);
	/* the in-order path allocates the replay ring only */
	assert_int_equal(fg_tcp_stream_mem(&s), FG_TCP_STREAM_DEF_REPLAY_BYTES);
}

static void test_syn_data(void **state)
{
	/* TCP Fast Open: data on the SYN starts one after the ISN */
	assert_int_equal(seg(50, FG_TCP_SYN, "abc"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(54, 0, "def"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(50, FG_TCP_SYN, "abc"), FG_TCP_SEG_FORWARD);
	assert_got("abcdef");
	assert_int_equal(seg(70, FG_TCP_SYN, ""), FG_TCP_SEG_CONFLICT);
}

/* Every order of a few segments, some overlapping, yields the same bytes. */
static void test_permutations(void **state)
{
	static const struct { uint32_t off; const char *txt; } segs[] = {
		{ 0, "hello " }, { 6, "wor" }, { 4, "o world" }, { 11, "!\n" }, { 9, "ld" },
	};
	const char *full = "hello world!\n";
	int perm[5], c[5] = { 0 }, i, n = 5, count = 0;

	for (i = 0; i < n; i++)
		perm[i] = i;
	/* Heap's algorithm, iterative */
	for (i = 0;;) {
		int j;

		setup_lim(NULL);
		assert_int_equal(seg(9, FG_TCP_SYN, ""), FG_TCP_SEG_FORWARD);
		for (j = 0; j < n; j++)
			assert_int_equal(seg(10 + segs[perm[j]].off, 0, segs[perm[j]].txt),
					 FG_TCP_SEG_FORWARD);
		assert_got(full);
		assert_int_equal(s.nr_ooo, 0);
		assert_int_equal(s.ooo_bytes, 0);
		fg_tcp_stream_free(&s);
		count++;

		while (i < n && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= n)
			break;
		j = i % 2 ? c[i] : 0;
		int t = perm[j];
		perm[j] = perm[i];
		perm[i] = t;
		c[i]++;
		i = 0;
	}
	assert_int_equal(count, 120);
}

static void test_duplicates(void **state)
{
	seg(0, FG_TCP_SYN, "");
	assert_int_equal(seg(1, 0, "abcd"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(1, 0, "abcd"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(9, 0, "ijkl"), FG_TCP_SEG_FORWARD);	/* buffered */
	assert_int_equal(seg(9, 0, "ijkl"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(10, 0, "jk"), FG_TCP_SEG_FORWARD);
	assert_got("abcd");
	assert_int_equal(s.nr_ooo, 1);
	assert_int_equal(s.st.dup_bytes, 4 + 4 + 2);
	assert_int_equal(seg(5, 0, "efgh"), FG_TCP_SEG_FORWARD);
	assert_got("abcdefghijkl");
	assert_int_equal(k.calls, 3);
	assert_int_equal(s.st.conflicts, 0);
}

static void test_overlap_same(void **state)
{
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "abcdef");
	assert_int_equal(seg(4, 0, "defghi"), FG_TCP_SEG_FORWARD);	/* old + new */
	assert_int_equal(seg(14, 0, "nop"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(12, 0, "lmno"), FG_TCP_SEG_FORWARD);	/* extends block left */
	assert_int_equal(s.nr_ooo, 1);
	assert_int_equal(seg(8, 0, "hijklmnopq"), FG_TCP_SEG_FORWARD);	/* spans all */
	assert_got("abcdefghijklmnopq");
}

static void test_overlap_delivered_differs(void **state)
{
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "abcdef");
	assert_int_equal(seg(4, 0, "dXfghi"), FG_TCP_SEG_CONFLICT);
	assert_got("abcdef");		/* nothing of it delivered */
	/* sticky: the flow is to be denied */
	assert_int_equal(seg(7, 0, "ghi"), FG_TCP_SEG_CONFLICT);
	assert_got("abcdef");
	assert_int_equal(s.st.conflicts, 2);
}

static void test_overlap_buffered_differs(void **state)
{
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "ab");
	assert_int_equal(seg(6, 0, "fghi"), FG_TCP_SEG_FORWARD);
	/* an in-order segment whose tail disagrees with the buffered bytes */
	assert_int_equal(seg(3, 0, "cdeFg"), FG_TCP_SEG_CONFLICT);
	assert_got("ab");
}

static void test_overlap_buffered_differs_ooo(void **state)
{
	seg(0, FG_TCP_SYN, "");
	assert_int_equal(seg(6, 0, "fghi"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(8, 0, "hIjk"), FG_TCP_SEG_CONFLICT);
	assert_int_equal(k.n, 0);
}

static void test_limits(void **state)
{
	struct fg_tcp_stream_limits lim = { .ooo_bytes = 8, .ooo_segs = 2, .max_ahead = 100 };

	setup_lim(&lim);
	seg(0, FG_TCP_SYN, "");
	assert_int_equal(seg(3, 0, "cdefghijk"), FG_TCP_SEG_DROP);	/* 9 > 8 bytes */
	assert_int_equal(s.st.drop_limit, 1);
	assert_int_equal(s.nr_ooo, 0);
	assert_int_equal(seg(3, 0, "cd"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(6, 0, "fg"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(9, 0, "ij"), FG_TCP_SEG_DROP);	/* a third block */
	assert_int_equal(seg(5, 0, "e"), FG_TCP_SEG_FORWARD);	/* joins two: one block */
	assert_int_equal(s.nr_ooo, 1);
	assert_int_equal(seg(8, 0, "hij"), FG_TCP_SEG_FORWARD);	/* 8 bytes: fits */
	assert_int_equal(seg(11, 0, "k"), FG_TCP_SEG_DROP);
	assert_int_equal(seg(200, 0, "z"), FG_TCP_SEG_DROP);	/* beyond max_ahead */
	assert_int_equal(s.st.drop_limit, 4);
	assert_int_equal(k.n, 0);
	assert_true(fg_tcp_stream_mem(&s) <= 8 + 2 * sizeof(struct fg_tcp_ooo));
	assert_int_equal(seg(1, 0, "ab"), FG_TCP_SEG_FORWARD);
	assert_got("abcdefghij");
	assert_int_equal(seg(11, 0, "k"), FG_TCP_SEG_FORWARD);
	assert_got("abcdefghijk");
}

static void test_replay_window(void **state)
{
	struct fg_tcp_stream_limits lim = { .replay_bytes = 4 };

	setup_lim(&lim);
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "abcdefghij");
	assert_int_equal(seg(7, 0, "ghij"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(8, 0, "hiX"), FG_TCP_SEG_CONFLICT);
	setup_lim(&lim);
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "abcdefghij");
	assert_int_equal(seg(6, 0, "fghij"), FG_TCP_SEG_DROP);	/* f no longer held */
	assert_int_equal(seg(1, 0, "abcdefghijklm"), FG_TCP_SEG_DROP);
	assert_int_equal(s.st.drop_old, 2);
	assert_int_equal(seg(11, 0, "klm"), FG_TCP_SEG_FORWARD);
	assert_got("abcdefghijklm");
	/* the ring wrapped: the last 4 bytes are still compared */
	assert_int_equal(seg(10, 0, "jklm"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(10, 0, "jkLm"), FG_TCP_SEG_CONFLICT);
}

static void test_wraparound(void **state)
{
	seg(0xfffffff8u, FG_TCP_SYN, "");
	assert_int_equal(seg(0xfffffff9u, 0, "0123"), FG_TCP_SEG_FORWARD);
	/* out of order across the wrap, then the filler crossing it */
	assert_int_equal(seg(3, 0, "abc"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(0xffffffffu, 0, "6789"), FG_TCP_SEG_FORWARD);
	assert_got("0123");
	assert_int_equal(seg(0xfffffffdu, 0, "45"), FG_TCP_SEG_FORWARD);
	assert_got("0123456789abc");
	assert_int_equal(s.next, 6);
	assert_int_equal(seg(0xfffffffeu, 0, "56789a"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(0xfffffffeu, 0, "5678Xa"), FG_TCP_SEG_CONFLICT);
}

static void test_fin(void **state)
{
	seg(0, FG_TCP_SYN, "");
	assert_int_equal(seg(6, FG_TCP_FIN, "fgh"), FG_TCP_SEG_FORWARD);	/* FIN ahead */
	assert_false(fg_tcp_stream_ended(&s));
	assert_int_equal(seg(1, 0, "abcde"), FG_TCP_SEG_FORWARD);
	assert_got("abcdefgh");
	assert_true(fg_tcp_stream_ended(&s));
	assert_int_equal(seg(9, FG_TCP_FIN, ""), FG_TCP_SEG_FORWARD);	/* retransmitted */
	assert_int_equal(seg(10, 0, ""), FG_TCP_SEG_FORWARD);		/* ACK after the FIN */
	assert_int_equal(seg(9, 0, "late"), FG_TCP_SEG_CONFLICT);
	assert_got("abcdefgh");
}

static void test_fin_disagrees(void **state)
{
	seg(0, FG_TCP_SYN, "");
	seg(1, FG_TCP_FIN, "abc");
	assert_int_equal(seg(2, FG_TCP_FIN, "b"), FG_TCP_SEG_CONFLICT);	/* FIN earlier */
	setup_lim(NULL);
	seg(0, FG_TCP_SYN, "");
	seg(8, 0, "hij");
	assert_int_equal(seg(1, FG_TCP_FIN, "ab"), FG_TCP_SEG_CONFLICT);	/* data buffered past it */
}

static void test_keepalive(void **state)
{
	seg(0, FG_TCP_SYN, "");
	seg(1, 0, "abc");
	assert_int_equal(seg(3, 0, "c"), FG_TCP_SEG_FORWARD);	/* probe with the real byte */
	assert_int_equal(seg(3, 0, "\x01"), FG_TCP_SEG_DROP);	/* garbage byte: not forwarded */
	assert_int_equal(s.st.drop_keepalive, 1);
	assert_int_equal(s.st.conflicts, 0);
	assert_int_equal(seg(4, 0, "d"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(2, 0, "X"), FG_TCP_SEG_CONFLICT);	/* not a probe: further back */
	assert_got("abcd");
}

static void test_rst(void **state)
{
	seg(0, FG_TCP_SYN, "");
	assert_int_equal(seg(1, FG_TCP_RST, "junk"), FG_TCP_SEG_FORWARD);
	assert_true(s.rst);
	assert_int_equal(k.n, 0);
}

static void test_cb_stops(void **state)
{
	seg(0, FG_TCP_SYN, "");
	k.stop_at = 3;
	assert_int_equal(seg(6, 0, "fgh"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(1, 0, "abcde"), FG_TCP_SEG_FORWARD);
	/* the verdict came in the first chunk: the buffered one is not handed over */
	assert_got("abcde");
	assert_int_equal(fg_tcp_stream_stopped(&s), 7);
	assert_int_equal(seg(9, 0, "ijk"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(1, 0, "XXXXX"), FG_TCP_SEG_FORWARD);
	assert_int_equal(k.calls, 1);
}

static void test_mid_stream(void **state)
{
	assert_int_equal(seg(777, 0, ""), FG_TCP_SEG_FORWARD);	/* ACK before any data */
	assert_false(s.base_set);
	assert_int_equal(seg(5555, 0, "xyz"), FG_TCP_SEG_FORWARD);
	assert_int_equal(seg(5558, 0, "w"), FG_TCP_SEG_FORWARD);
	assert_got("xyzw");
	/* bytes before the first one inspected were never seen: not forwarded */
	assert_int_equal(seg(5550, 0, "abcdexyz"), FG_TCP_SEG_DROP);
	assert_int_equal(s.st.drop_old, 1);
}

/*
 * Reference model: an unbounded map from stream offset to the first byte
 * seen there; a segment disagreeing with any known byte is a conflict
 * (sticky), otherwise its bytes become known and the known prefix is the
 * delivered stream. With limits the stream may DROP instead; the model
 * then ignores the segment. Every other verdict and every delivered byte
 * must agree.
 */
#define M_LEN 1500

static void differential_run(unsigned seed, const struct fg_tcp_stream_limits *lim)
{
	static uint8_t truth[M_LEN], known[M_LEN], has[M_LEN], buf[M_LEN];
	uint32_t isn = (seed % 3 == 0) ? 0xffffff00u + seed % 200 : (uint32_t)rand();
	size_t model_n = 0, i;
	bool model_conflict = false;
	int step;

	srand(seed);
	for (i = 0; i < M_LEN; i++)
		truth[i] = 'a' + rand() % 4;
	memset(has, 0, sizeof(has));
	setup_lim(lim);
	assert_int_equal(fg_tcp_stream_seg(&s, isn, FG_TCP_SYN, NULL, 0, sink_cb, &k),
			 FG_TCP_SEG_FORWARD);

	for (step = 0; step < 400; step++) {
		size_t off = rand() % M_LEN, len = rand() % 120;
		enum fg_tcp_seg got, want = FG_TCP_SEG_FORWARD;

		if (off + len > M_LEN)
			len = M_LEN - off;
		memcpy(buf, truth + off, len);
		if (len && rand() % 25 == 0)
			buf[rand() % len] ^= 1;
		for (i = 0; i < len; i++)
			if (has[off + i] && known[off + i] != buf[i])
				want = FG_TCP_SEG_CONFLICT;
		if (model_conflict)
			want = FG_TCP_SEG_CONFLICT;

		got = fg_tcp_stream_seg(&s, isn + 1 + (uint32_t)off, 0, buf, len, sink_cb, &k);
		if (got == FG_TCP_SEG_DROP) {
			assert_false(model_conflict);
			continue;
		}
		assert_int_equal(got, want);
		if (want == FG_TCP_SEG_CONFLICT) {
			model_conflict = true;
			continue;
		}
		for (i = 0; i < len; i++) {
			has[off + i] = 1;
			known[off + i] = buf[i];
		}
		while (model_n < M_LEN && has[model_n])
			model_n++;
		assert_int_equal(k.n, model_n);
		assert_memory_equal(k.buf, known, model_n);
	}
	fg_tcp_stream_free(&s);
}

static void test_differential(void **state)
{
	struct fg_tcp_stream_limits big = {
		.ooo_bytes = 1 << 20, .ooo_segs = 4096, .replay_bytes = 1 << 20,
	};
	struct fg_tcp_stream_limits small = {
		.ooo_bytes = 300, .ooo_segs = 3, .replay_bytes = 64, .max_ahead = 600,
	};
	unsigned seed;

	for (seed = 1; seed <= 300; seed++) {
		differential_run(seed, &big);
		assert_int_equal(s.st.drop_old + s.st.drop_limit, 0);
		differential_run(seed, &small);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syn_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permutations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_same, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_delivered_differs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_buffered_differs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlap_buffered_differs_ooo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fin_disagrees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rst, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cb_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mid_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_differential, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
