/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_md5.h - MD5 (RFC 1321), only for the JA3 fingerprint, whose published
 * form is an MD5 digest. Not for anything that needs collision resistance.
 */
#ifndef FG_L7_MD5_H
#define FG_L7_MD5_H

#include <stddef.h>
#include <stdint.h>

struct fg_md5 {
	uint32_t h[4];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void fg_md5_init(struct fg_md5 *m);
void fg_md5_update(struct fg_md5 *m, const void *data, size_t len);
void fg_md5_final(struct fg_md5 *m, uint8_t out[16]);

#endif
