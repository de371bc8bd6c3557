/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fuzz_split.h - shared by the fuzz targets: the first 4 input bytes seed
 * how the rest is cut into chunks (1..64 bytes), so libFuzzer explores
 * chunk boundaries as well as contents. Abort on a broken invariant so
 * libFuzzer reports it like a crash.
 */
#ifndef FG_FUZZ_SPLIT_H
#define FG_FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

struct split {
	const uint8_t *d;
	size_t n, off;
	uint32_t seed;
};

static inline void split_init(struct split *s, const uint8_t *data, size_t size)
{
	s->seed = 0;
	if (size >= 4) {
		s->seed = (uint32_t)data[0] | (uint32_t)data[1] << 8 |
			  (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		data += 4;
		size -= 4;
	}
	s->d = data;
	s->n = size;
	s->off = 0;
}

/* Next chunk, or 0 at the end. */
static inline size_t split_next(struct split *s, const uint8_t **chunk)
{
	size_t c, left = s->n - s->off;

	s->seed = s->seed * 1103515245u + 12345u;
	c = 1 + (s->seed >> 16) % 64;
	if (c > left)
		c = left;
	*chunk = s->d + s->off;
	s->off += c;
	return c;
}

#define FUZZ_CHECK(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "invariant broken: %s (%s:%d)\n",	\
				#cond, __FILE__, __LINE__);		\
			abort();					\
		}							\
	} while (0)

#endif
