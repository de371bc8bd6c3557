// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_inspect_pkt.c - the inspector's frame parser, checksum completion
 * and RST builder (userspace/inspect_pkt.c) on hostile frames. The frame
 * is placed 2 bytes off alignment, as in UMEM behind a 14-byte Ethernet
 * header, so UBSan sees unaligned header access.
 *
 * Invariants: the payload lies inside the frame; a completed checksum
 * verifies (completing again changes nothing); both RSTs parse back to the
 * same flow key as the frame, from the right side.
 */
#include <string.h>
#include <netinet/in.h>

#include "fuzz_split.h"
#include "inspect.h"

#define FRAME_MAX	4096

static uint8_t area[FRAME_MAX + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *frame = area + 2, rst[128];
	struct fg_insp_frame f, r;
	size_t n;
	int side, c, sym;

	if (size > FRAME_MAX)
		return 0;
	memcpy(frame, data, size);
	if (fg_insp_parse(frame, size, &f))
		return 0;
	FUZZ_CHECK(f.payload >= frame && f.payload_len <= size &&
		   f.payload + f.payload_len <= frame + size);
	FUZZ_CHECK(f.l3_off < f.l4_off && f.l4_off <= size);

	c = fg_insp_csum_complete(frame, &f);
	if (c >= 0) {
		/* The checksum field is outside the payload: the parse
		 * still holds, and the sum is now valid. */
		FUZZ_CHECK(fg_insp_csum_complete(frame, &f) == 0);
	}

	for (side = 0; side < 2; side++) {
		n = fg_insp_build_rst(frame, &f, side, rst, sizeof(rst));
		if (f.proto != IPPROTO_TCP) {
			FUZZ_CHECK(n == 0);
			continue;
		}
		FUZZ_CHECK(n > 0 && n <= sizeof(rst));
		FUZZ_CHECK(fg_insp_parse(rst, n, &r) == 0);
		FUZZ_CHECK(!memcmp(&r.key, &f.key, sizeof(r.key)));
		/* Toward the sender the RST comes from the other side (both
		 * sides are "lo" when they are equal). */
		sym = !memcmp(f.key.addr_lo, f.key.addr_hi, 16) &&
		      f.key.port_lo == f.key.port_hi;
		FUZZ_CHECK(sym || r.src_lo == (side ? !f.src_lo : f.src_lo));
		FUZZ_CHECK(r.payload_len == 0 && (r.tcp_flags & 0x04));
		FUZZ_CHECK(fg_insp_csum_complete(rst, &r) == 0);
	}
	return 0;
}
