// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_insp_overload.c - when a worker counts as overloaded: ring
 * occupancy with hysteresis (7/8 up, 1/2 down), the kernel's loss counters,
 * running out of frames; episode and time accounting;
 * setting the bit in the heartbeat word, and the shared bit's references.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "insp_overload.h"

#define RING	1024
#define MS	(1000 * 1000ULL)

static bool look(struct fg_insp_overload *o, __u32 queued, __u64 drops,
		 bool no_frames, __u64 now)
{
	struct fg_insp_load l = { .rx_queued = queued, .rx_size = RING,
				  .k_drops = drops, .no_frames = no_frames };

	return fg_insp_overload_update(o, &l, now);
}

static void test_occupancy(void **state)
{
	struct fg_insp_overload o = { 0 };
	__u64 t = 1000 * MS;

	assert_false(look(&o, 0, 0, false, t));
	assert_false(look(&o, RING * 7 / 8 - 1, 0, false, t + 1));
	assert_false(o.on);
	/* 7/8 occupied: on, one episode. */
	assert_true(look(&o, RING * 7 / 8, 0, false, t + 2));
	assert_true(o.on);
	assert_int_equal(o.events, 1);
	/* Between the thresholds, however long: stays on (hysteresis). */
	assert_false(look(&o, RING / 2, 0, false, t + 100 * MS));
	assert_false(look(&o, RING, 0, false, t + 200 * MS));
	assert_true(o.on);
	/* Under half: off. 200 ms in the episode. */
	assert_true(look(&o, RING / 2 - 1, 0, false, t + 200 * MS + 2));
	assert_false(o.on);
	assert_int_equal(fg_insp_overload_ns(&o, t + 999 * MS), 200 * MS);
	/* Between the thresholds from below: stays off. */
	assert_false(look(&o, RING * 7 / 8 - 1, 0, false, t + 300 * MS));
	/* A second episode counts, and its running time too. */
	assert_true(look(&o, RING, 0, false, t + 1000 * MS));
	assert_int_equal(o.events, 2);
	assert_int_equal(fg_insp_overload_ns(&o, t + 1005 * MS), 205 * MS);
}

static void test_kernel_drops(void **state)
{
	struct fg_insp_overload o = { 0 };
	__u64 t = 5 * MS;

	assert_false(look(&o, 0, 0, false, t));
	/* The kernel lost frames since the last look: on, even with an
	 * empty ring (the worker drained it meanwhile). */
	assert_true(look(&o, 0, 3, false, t + MS));
	assert_int_equal(o.events, 1);
	/* Still rising, ring drained: stays on. */
	assert_false(look(&o, 0, 9, false, t + 2 * MS));
	assert_true(o.on);
	/* Same count, ring under half: off. */
	assert_true(look(&o, 0, 9, false, t + 3 * MS));
	assert_false(o.on);
	/* Same count, ring between the thresholds: stays off. */
	assert_false(look(&o, RING / 2, 9, false, t + 4 * MS));
	/* Rising again: a new episode. */
	assert_true(look(&o, 0, 10, false, t + 100 * MS));
	assert_int_equal(o.events, 2);
}

static void test_no_frames(void **state)
{
	struct fg_insp_overload o = { 0 };

	assert_true(look(&o, 0, 0, true, MS));
	assert_false(look(&o, 0, 0, true, 100 * MS));
	assert_true(o.on);
	assert_true(look(&o, 0, 0, false, 101 * MS));
	assert_false(o.on);
	assert_int_equal(o.events, 1);
	assert_int_equal(fg_insp_overload_ns(&o, 500 * MS), 100 * MS);
}

static void test_publish(void **state)
{
	__u32 word = 0;

	/* No inspector (0): nothing to flag. */
	fg_insp_overload_publish(&word);
	assert_int_equal(word, 0);
	word = FG_INSP_BEAT(123456789ULL << 10);
	fg_insp_overload_publish(&word);
	assert_int_equal(word, FG_INSP_BEAT(123456789ULL << 10) | FG_INSP_OVERLOAD);
	/* Already set: unchanged. */
	fg_insp_overload_publish(&word);
	assert_int_equal(word, FG_INSP_BEAT(123456789ULL << 10) | FG_INSP_OVERLOAD);
}

static void test_flag(void **state)
{
	__u32 beat = FG_INSP_BEAT(987654321ULL << 8), word = beat;
	struct fg_insp_flag f = { .word = &word };

	fg_insp_flag_get(&f);
	assert_int_equal(word, beat | FG_INSP_OVERLOAD);
	fg_insp_flag_get(&f);		/* a second cause */
	fg_insp_flag_put(&f);
	assert_int_equal(word, beat | FG_INSP_OVERLOAD);
	/* A fresh beat keeps the bit while a reference is held... */
	fg_insp_flag_beat(&f, beat + 2);
	assert_int_equal(word, (beat + 2) | FG_INSP_OVERLOAD);
	/* ...and the last put clears it at once, not at the next beat. */
	fg_insp_flag_put(&f);
	assert_int_equal(word, beat + 2);
	fg_insp_flag_beat(&f, beat + 4);
	assert_int_equal(word, beat + 4);
	/* Stopped (0): a get leaves the word alone. */
	word = 0;
	fg_insp_flag_get(&f);
	assert_int_equal(word, 0);
	fg_insp_flag_put(&f);
	assert_int_equal(word, 0);

	/* A queue's word (fg_insp_busy) has no beat: the bit is set from 0,
	 * and cleared back to 0 by the last put. */
	{
		__u32 qword = 0;
		struct fg_insp_flag q = { .word = &qword, .queue = true };

		fg_insp_flag_get(&q);
		assert_int_equal(qword, FG_INSP_OVERLOAD);
		fg_insp_flag_get(&q);	/* the heartbeat: hung too */
		fg_insp_flag_put(&q);
		assert_int_equal(qword, FG_INSP_OVERLOAD);
		fg_insp_flag_put(&q);
		assert_int_equal(qword, 0);
	}
}

/* Two threads taking and dropping references concurrently: whatever the
 * interleaving, once they stop the bit says whether one is still held. */
struct churn {
	struct fg_insp_flag *f;
	int rounds;
	bool keep;		/* end holding one */
};

static void *churn_main(void *arg)
{
	struct churn *c = arg;
	int i;

	for (i = 0; i < c->rounds; i++) {
		fg_insp_flag_get(c->f);
		fg_insp_flag_put(c->f);
	}
	if (c->keep)
		fg_insp_flag_get(c->f);
	return NULL;
}

static void test_flag_concurrent(void **state)
{
	__u32 beat = FG_INSP_BEAT(1ULL << 40), word = beat;
	struct fg_insp_flag f = { .word = &word };
	struct churn a = { &f, 1000000, false }, b = { &f, 1000000, true };
	pthread_t ta, tb;
	int round;

	for (round = 0; round < 2; round++) {
		b.keep = round == 1;
		assert_int_equal(pthread_create(&ta, NULL, churn_main, &a), 0);
		assert_int_equal(pthread_create(&tb, NULL, churn_main, &b), 0);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		assert_int_equal(word, beat | (b.keep ? FG_INSP_OVERLOAD : 0));
	}
	fg_insp_flag_put(&f);
	assert_int_equal(word, beat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_occupancy),
		cmocka_unit_test(test_kernel_drops),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_publish),
		cmocka_unit_test(test_flag),
		cmocka_unit_test(test_flag_concurrent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
