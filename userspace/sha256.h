/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sha256.h - a small SHA-256 (FIPS 180-4), used to fingerprint the policy
 * file shown by `status`. Not constant-time; not for secrets.
 */
#ifndef FG_SHA256_H
#define FG_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define FG_SHA256_LEN	32

struct fg_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	size_t n;		/* bytes pending in buf */
};

void fg_sha256_init(struct fg_sha256 *s);
void fg_sha256_update(struct fg_sha256 *s, const void *data, size_t len);
void fg_sha256_final(struct fg_sha256 *s, uint8_t out[FG_SHA256_LEN]);

/* One-shot digest of a buffer. */
void fg_sha256(const void *data, size_t len, uint8_t out[FG_SHA256_LEN]);

/* Lower-case hex of a digest into out (65 bytes incl. NUL). */
void fg_sha256_hex(const uint8_t digest[FG_SHA256_LEN], char out[65]);

#endif /* FG_SHA256_H */
