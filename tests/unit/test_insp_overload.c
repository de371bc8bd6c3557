// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_insp_overload.c - when a worker counts as overloaded: ring
 * occupancy with hysteresis (7/8 up, 1/2 down), the kernel's loss counters,
 * running out of frames, the minimum hold; episode and time accounting;
 * and setting the bit in the heartbeat word.
 */
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
	/* Between the thresholds, long after: stays on (hysteresis). */
	assert_false(look(&o, RING / 2, 0, false, t + 100 * MS));
	assert_true(o.on);
	/* Under half, but within the hold of the last cause: on. */
	assert_false(look(&o, RING, 0, false, t + 200 * MS));
	assert_false(look(&o, RING / 2 - 1, 0, false,
			  t + 200 * MS + FG_INSP_OVERLOAD_HOLD_NS - 1));
	assert_true(o.on);
	/* Hold over: off. 200 ms + hold in the episode. */
	assert_true(look(&o, RING / 2 - 1, 0, false,
			 t + 200 * MS + FG_INSP_OVERLOAD_HOLD_NS));
	assert_false(o.on);
	assert_int_equal(fg_insp_overload_ns(&o, t + 999 * MS),
			 200 * MS + FG_INSP_OVERLOAD_HOLD_NS - 2);
	/* A second episode counts, and its running time too. */
	assert_true(look(&o, RING, 0, false, t + 1000 * MS));
	assert_int_equal(o.events, 2);
	assert_int_equal(fg_insp_overload_ns(&o, t + 1005 * MS),
			 205 * MS + FG_INSP_OVERLOAD_HOLD_NS - 2);
}

static void test_kernel_drops(void **state)
{
	struct fg_insp_overload o = { 0 };
	__u64 t = 5 * MS;

	assert_false(look(&o, 0, 0, false, t));
	/* The kernel lost frames since the last look: on, even with an
	 * empty ring (the worker drained it meanwhile). */
	assert_true(look(&o, 0, 3, false, t + MS));
	/* Same count: no new cause; off once the hold is over. */
	assert_false(look(&o, 0, 3, false, t + 2 * MS));
	assert_true(o.on);
	assert_true(look(&o, 0, 3, false, t + MS + FG_INSP_OVERLOAD_HOLD_NS));
	assert_false(o.on);
	/* Rising again: a new episode. */
	assert_true(look(&o, 0, 4, false, t + 100 * MS));
	assert_int_equal(o.events, 2);
	/* Drops keep rising: the hold restarts each time. */
	assert_false(look(&o, 0, 9, false, t + 100 * MS + FG_INSP_OVERLOAD_HOLD_NS));
	assert_true(o.on);
}

static void test_no_frames(void **state)
{
	struct fg_insp_overload o = { 0 };

	assert_true(look(&o, 0, 0, true, MS));
	assert_false(look(&o, 0, 0, true, 100 * MS));
	assert_true(o.on);
	assert_true(look(&o, 0, 0, false, 100 * MS + FG_INSP_OVERLOAD_HOLD_NS));
	assert_false(o.on);
	assert_int_equal(o.events, 1);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_occupancy),
		cmocka_unit_test(test_kernel_drops),
		cmocka_unit_test(test_no_frames),
		cmocka_unit_test(test_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
