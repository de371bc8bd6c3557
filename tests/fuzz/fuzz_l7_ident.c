// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_ident.c - application identification. Byte 4 of the input picks
 * UDP or TCP and whether the two directions interleave. For one TCP
 * direction, a decision taken while feeding must not depend on the
 * chunking.
 */
#include <netinet/in.h>
#include <string.h>

#include "fuzz_split.h"
#include "l7_ident.h"

static struct fg_l7_ident a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct split s;
	const uint8_t *c;
	uint8_t mode;
	size_t n;
	int ra, rb = FG_IDENT_MORE, dir = FG_L7_C2S;

	if (size < 5)
		return 0;
	mode = data[4];
	split_init(&s, data, size);
	s.d++, s.n--;		/* skip the mode byte */

	if (mode & 1) {		/* UDP: each chunk is a datagram, both ways */
		fg_l7_ident_init(&a, IPPROTO_UDP, 0);
		while ((n = split_next(&s, &c)))
			fg_l7_ident_feed(&a, (mode >> 1) & 1 ? c[0] & 1 : FG_L7_C2S, c, n);
		fg_l7_ident_finish(&a);
		FUZZ_CHECK(a.status != FG_IDENT_MORE && a.app < FG_APP_MAX);
		return 0;
	}
	if (mode & 2) {		/* TCP, directions chosen per chunk */
		fg_l7_ident_init(&a, IPPROTO_TCP, 0);
		while ((n = split_next(&s, &c)))
			fg_l7_ident_feed(&a, (s.seed >> 8) & 1, c, n);
		fg_l7_ident_finish(&a);
		FUZZ_CHECK(a.status != FG_IDENT_MORE && a.app < FG_APP_MAX);
		return 0;
	}
	/* TCP, one direction: whole vs chunked, within the budget */
	dir = (mode >> 2) & 1;
	fg_l7_ident_init(&a, IPPROTO_TCP, 1 << 20);
	ra = fg_l7_ident_feed(&a, dir, s.d, s.n);
	fg_l7_ident_init(&b, IPPROTO_TCP, 1 << 20);
	while ((n = split_next(&s, &c)) && rb == FG_IDENT_MORE)
		rb = fg_l7_ident_feed(&b, dir, c, n);
	FUZZ_CHECK(ra == rb);
	if (ra == FG_IDENT_DONE)
		FUZZ_CHECK(a.app == b.app);
	FUZZ_CHECK(fg_l7_ident_finish(&a) != FG_IDENT_MORE);
	return 0;
}
