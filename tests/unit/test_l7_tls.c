// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_tls.c - ClientHello parsing and fingerprints on two hellos
 * captured from `openssl s_client` (3.0) on loopback: SNI, ALPN, versions,
 * JA3 (+MD5) and JA4 checked against values computed independently (a
 * Python script over the same bytes); every split of the stream and a
 * re-framing into several records; GREASE; malformed hellos; MD5 vectors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l7_tls.h"

/*
 * openssl s_client -connect 127.0.0.1:24433 -servername Shop.Example
 *   -alpn h2,http/1.1   (first TLS record of the client's stream)
 */
static const uint8_t hello_sni_alpn[336] = {
	0x16, 0x03, 0x01, 0x01, 0x4b, 0x01, 0x00, 0x01, 0x47, 0x03, 0x03, 0x3e,
	0x1a, 0x3b, 0xec, 0xf5, 0x2d, 0xdb, 0x7e, 0x8d, 0x78, 0x7e, 0xd0, 0xbb,
	0xeb, 0x9a, 0x31, 0xc2, 0x27, 0xd8, 0x0c, 0xac, 0xc3, 0xb2, 0x81, 0xff,
	0xc1, 0x9a, 0xe4, 0xe4, 0x9c, 0xcc, 0xd5, 0x20, 0xb3, 0x85, 0x92, 0x6a,
	0x54, 0xb9, 0xbf, 0xd7, 0xcd, 0xb8, 0x70, 0x5e, 0x48, 0xe3, 0xde, 0x1f,
	0x3b, 0x2e, 0xfa, 0x1c, 0xb3, 0xdc, 0xf7, 0x59, 0xb1, 0xd3, 0x4b, 0x67,
	0x1a, 0x13, 0x2a, 0x73, 0x00, 0x3e, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01,
	0xc0, 0x2c, 0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa,
	0xc0, 0x2b, 0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b,
	0xc0, 0x23, 0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39,
	0xc0, 0x09, 0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d,
	0x00, 0x3c, 0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0xc0,
	0x00, 0x00, 0x00, 0x11, 0x00, 0x0f, 0x00, 0x00, 0x0c, 0x53, 0x68, 0x6f,
	0x70, 0x2e, 0x45, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x00, 0x0b, 0x00,
	0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x16, 0x00, 0x14, 0x00,
	0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x01, 0x00, 0x01,
	0x01, 0x01, 0x02, 0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00,
	0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 0x68, 0x32, 0x08, 0x68, 0x74, 0x74,
	0x70, 0x2f, 0x31, 0x2e, 0x31, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00,
	0x00, 0x00, 0x0d, 0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06,
	0x03, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08,
	0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03,
	0x03, 0x03, 0x01, 0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x00,
	0x2b, 0x00, 0x09, 0x08, 0x03, 0x04, 0x03, 0x03, 0x03, 0x02, 0x03, 0x01,
	0x00, 0x2d, 0x00, 0x02, 0x01, 0x01, 0x00, 0x33, 0x00, 0x26, 0x00, 0x24,
	0x00, 0x1d, 0x00, 0x20, 0x81, 0xb3, 0x0a, 0xa8, 0xc6, 0xc6, 0xee, 0x48,
	0xd2, 0x00, 0x1f, 0x51, 0xb0, 0xab, 0x58, 0xac, 0x23, 0x90, 0x66, 0xe9,
	0xd7, 0xd6, 0x22, 0x54, 0xe4, 0xb4, 0xa1, 0x8a, 0xa8, 0xb8, 0xef, 0x54,
};

/* openssl s_client -connect 127.0.0.1:24433 -tls1_2 -noservername */
static const uint8_t hello_tls12[188] = {
	0x16, 0x03, 0x01, 0x00, 0xb7, 0x01, 0x00, 0x00, 0xb3, 0x03, 0x03, 0x25,
	0x19, 0x8b, 0x57, 0x30, 0xc3, 0x3a, 0x11, 0xc9, 0xa7, 0x00, 0xf6, 0x38,
	0x82, 0xcb, 0x4d, 0xd4, 0xe9, 0xf7, 0xf4, 0x4d, 0xd8, 0xce, 0xeb, 0xe2,
	0xc9, 0xde, 0x1e, 0x6f, 0x42, 0xc6, 0xb9, 0x00, 0x00, 0x38, 0xc0, 0x2c,
	0xc0, 0x30, 0x00, 0x9f, 0xcc, 0xa9, 0xcc, 0xa8, 0xcc, 0xaa, 0xc0, 0x2b,
	0xc0, 0x2f, 0x00, 0x9e, 0xc0, 0x24, 0xc0, 0x28, 0x00, 0x6b, 0xc0, 0x23,
	0xc0, 0x27, 0x00, 0x67, 0xc0, 0x0a, 0xc0, 0x14, 0x00, 0x39, 0xc0, 0x09,
	0xc0, 0x13, 0x00, 0x33, 0x00, 0x9d, 0x00, 0x9c, 0x00, 0x3d, 0x00, 0x3c,
	0x00, 0x35, 0x00, 0x2f, 0x00, 0xff, 0x01, 0x00, 0x00, 0x52, 0x00, 0x0b,
	0x00, 0x04, 0x03, 0x00, 0x01, 0x02, 0x00, 0x0a, 0x00, 0x0c, 0x00, 0x0a,
	0x00, 0x1d, 0x00, 0x17, 0x00, 0x1e, 0x00, 0x19, 0x00, 0x18, 0x00, 0x23,
	0x00, 0x00, 0x00, 0x16, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0d,
	0x00, 0x2a, 0x00, 0x28, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x08, 0x07,
	0x08, 0x08, 0x08, 0x09, 0x08, 0x0a, 0x08, 0x0b, 0x08, 0x04, 0x08, 0x05,
	0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x03, 0x03, 0x03, 0x01,
	0x03, 0x02, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02,
};

#define JA3_1 "771,4866-4867-4865-49196-49200-159-52393-52392-52394-49195-49199-158-" \
	"49188-49192-107-49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-" \
	"53-47-255,0-11-10-35-16-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2"
#define JA3_2 "771,49196-49200-159-52393-52392-52394-49195-49199-158-49188-49192-107-" \
	"49187-49191-103-49162-49172-57-49161-49171-51-157-156-61-60-53-47-255," \
	"11-10-35-22-23-13,29-23-30-25-24,0-1-2"

static struct fg_tls_parser *new_parser(void)
{
	struct fg_tls_parser *p = malloc(sizeof(*p));

	assert_non_null(p);
	fg_tls_init(p);
	return p;
}

static void check_hello1(const struct fg_tls_hello *h)
{
	assert_true(h->has_sni);
	assert_string_equal(h->sni, "shop.example");
	assert_int_equal(h->n_alpn, 2);
	assert_string_equal(h->alpn[0], "h2");
	assert_string_equal(h->alpn[1], "http/1.1");
	assert_false(h->alpn_truncated);
	assert_int_equal(h->legacy_version, 0x0303);
	assert_int_equal(h->version, 0x0304);
	assert_int_equal(h->n_ciphers, 31);
	assert_int_equal(h->n_extensions, 11);
	assert_string_equal(h->ja3, JA3_1);
	assert_false(h->ja3_truncated);
	assert_string_equal(h->ja3_md5, "5a1edc7f170af1014fc65c994878e63c");
	assert_string_equal(h->ja4, "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4");
}

static void test_openssl_hello(void **state)
{
	struct fg_tls_parser *p = new_parser();

	assert_int_equal(fg_tls_feed(p, hello_sni_alpn, sizeof(hello_sni_alpn)), 1);
	check_hello1(&p->hello);
	/* later bytes are ignored once the hello is parsed */
	assert_int_equal(fg_tls_feed(p, "\x17\x03\x03", 3), 1);

	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, hello_tls12, sizeof(hello_tls12)), 1);
	assert_false(p->hello.has_sni);
	assert_int_equal(p->hello.n_alpn, 0);
	assert_int_equal(p->hello.version, 0x0303);
	assert_string_equal(p->hello.ja3, JA3_2);
	assert_string_equal(p->hello.ja3_md5, "fbe7e189e37a07ee33706f86bc746344");
	assert_string_equal(p->hello.ja4, "t12i280600_d943125447b4_e7e480e5a997");
	free(p);
}

static void test_every_split(void **state)
{
	struct fg_tls_parser *p = new_parser();
	size_t n = sizeof(hello_sni_alpn), k, i;
	int ret;

	for (k = 0; k <= n; k++) {
		fg_tls_init(p);
		ret = fg_tls_feed(p, hello_sni_alpn, k);
		assert_int_equal(ret, k == n);
		if (k < n)
			assert_int_equal(fg_tls_feed(p, hello_sni_alpn + k, n - k), 1);
		check_hello1(&p->hello);
	}
	fg_tls_init(p);
	for (i = 0, ret = 0; i < n; i++) {
		assert_int_equal(ret, 0);
		ret = fg_tls_feed(p, hello_sni_alpn + i, 1);
	}
	assert_int_equal(ret, 1);
	check_hello1(&p->hello);
	free(p);
}

/* The same handshake message cut into records of 1, 7, 100 and the rest. */
static void test_several_records(void **state)
{
	const uint8_t *msg = hello_sni_alpn + 5;
	size_t mlen = sizeof(hello_sni_alpn) - 5, cuts[] = { 1, 7, 100, 0 }, off = 0, o = 0, i;
	uint8_t buf[1024];
	struct fg_tls_parser *p = new_parser();

	for (i = 0; i < 4; i++) {
		size_t n = cuts[i] ? cuts[i] : mlen - off;

		buf[o++] = 0x16;
		buf[o++] = 0x03;
		buf[o++] = 0x01;
		buf[o++] = n >> 8;
		buf[o++] = n & 0xff;
		memcpy(buf + o, msg + off, n);
		o += n;
		off += n;
	}
	assert_int_equal(fg_tls_feed(p, buf, o), 1);
	check_hello1(&p->hello);
	free(p);
}

/* Builds a record around a ClientHello body. */
static size_t wrap(uint8_t *out, const uint8_t *body, size_t n)
{
	out[0] = 0x16, out[1] = 0x03, out[2] = 0x01;
	out[3] = (n + 4) >> 8, out[4] = (n + 4) & 0xff;
	out[5] = 1, out[6] = 0, out[7] = n >> 8, out[8] = n & 0xff;
	memcpy(out + 9, body, n);
	return n + 9;
}

static const uint8_t grease_body[] = {
	0x03, 0x03,
	/* random */
	1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
	0x00,				/* session id */
	0x00, 0x04, 0x5a, 0x5a, 0x13, 0x01,	/* GREASE, TLS_AES_128_GCM_SHA256 */
	0x01, 0x00,			/* compression: null */
	0x00, 0x2a,			/* extensions: 42 bytes */
	0xda, 0xda, 0x00, 0x00,		/* GREASE extension, empty */
	0x00, 0x00, 0x00, 0x0e, 0x00, 0x0c, 0x00, 0x00, 0x09,
	'a', '.', 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	0x00, 0x2b, 0x00, 0x07, 0x06, 0x3a, 0x3a, 0x03, 0x04, 0x03, 0x03,
	0x00, 0x10, 0x00, 0x05, 0x00, 0x03, 0x02, '*', 'x',	/* ALPN "*x" */
};

static void test_grease(void **state)
{
	struct fg_tls_parser *p = new_parser();
	uint8_t rec[256];
	size_t n = wrap(rec, grease_body, sizeof(grease_body));

	assert_int_equal(fg_tls_feed(p, rec, n), 1);
	assert_string_equal(p->hello.sni, "a.example");
	assert_int_equal(p->hello.version, 0x0304);
	assert_int_equal(p->hello.n_ciphers, 1);
	assert_int_equal(p->hello.n_extensions, 3);
	assert_string_equal(p->hello.ja3, "771,4865,0-43-16,,");
	/* ALPN "*x": not alphanumeric, so the hex digits 2 ('*' = 0x2a) and 8 */
	assert_memory_equal(p->hello.ja4, "t13d0103" "28_", 11);
	free(p);
}

/* ---- a hello built from a published browser fingerprint ---- */

struct buf {
	uint8_t b[2048];
	size_t n;
};

static void put8(struct buf *b, unsigned int v)
{
	b->b[b->n++] = v;
}

static void put16(struct buf *b, unsigned int v)
{
	put8(b, v >> 8);
	put8(b, v & 0xff);
}

static void put_ext(struct buf *b, unsigned int type, const uint8_t *body, size_t n)
{
	put16(b, type);
	put16(b, n);
	memcpy(b->b + b->n, body, n);
	b->n += n;
}

/*
 * Chrome 143 (Android) as published by a TLS fingerprinting service:
 *   ja3_text 771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-
 *            49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-
 *            18-5-13-27,4588-29-23-24,0
 *   ja3_hash 98487aa16281980e7d1120d399efb6a4
 *   ja4      t13d1516h2_8daaf6152771_d8a2da3f94cd
 *   sigalgs  0403,0804,0401,0503,0805,0501,0806,0601
 * Rebuilt with those lists (and GREASE where Chrome puts it); the
 * contents of the extensions nobody fingerprints are placeholders.
 */
static const uint8_t chrome_alpn[] = { 0x00, 0x0c, 0x02, 'h', '2', 0x08,
				       'h', 't', 't', 'p', '/', '1', '.', '1' };

/* Chrome's hello with alpn as the ALPN extension's body; fed to p. */
static void feed_chrome(struct fg_tls_parser *p, const uint8_t *alpn,
			size_t alpn_len)
{
	static const unsigned int ciphers[] = {
		0x3a3a, 4865, 4866, 4867, 49195, 49199, 49196, 49200, 52393, 52392,
		49171, 49172, 156, 157, 47, 53,
	};
	static const unsigned int exts[] = {
		0x0a0a, 45, 51, 16, 65037, 23, 17613, 0, 11, 10, 43, 65281, 35, 18,
		5, 13, 27, 0xfafa,
	};
	static const uint8_t groups[] = { 0x00, 0x0a, 0x8a, 0x8a, 0x11, 0xec,
					  0x00, 0x1d, 0x00, 0x17, 0x00, 0x18 };
	static const uint8_t sigalgs[] = { 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01,
					   0x05, 0x03, 0x08, 0x05, 0x05, 0x01, 0x08, 0x06,
					   0x06, 0x01 };
	static const uint8_t sni[] = { 0x00, 0x17, 0x00, 0x00, 0x14, 't', 'l', 's', '.',
				       'b', 'r', 'o', 'w', 's', 'e', 'r', 'l', 'e', 'a',
				       'k', 's', '.', 'c', 'o', 'm' };
	static const uint8_t versions[] = { 0x06, 0x9a, 0x9a, 0x03, 0x04, 0x03, 0x03 };
	static const uint8_t points[] = { 0x01, 0x00 };
	static const uint8_t filler[] = { 0x01, 0x00 };
	struct buf *b = calloc(1, sizeof(*b)), *rec = calloc(1, sizeof(*rec));
	size_t i, ext_len_at;

	assert_non_null(b);
	assert_non_null(rec);
	put16(b, 0x0303);
	for (i = 0; i < 32; i++)
		put8(b, i);
	put8(b, 0);
	put16(b, 2 * (sizeof(ciphers) / sizeof(ciphers[0])));
	for (i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		put16(b, ciphers[i]);
	put8(b, 1);
	put8(b, 0);
	ext_len_at = b->n;
	put16(b, 0);
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		switch (exts[i]) {
		case 0: put_ext(b, 0, sni, sizeof(sni)); break;
		case 10: put_ext(b, 10, groups, sizeof(groups)); break;
		case 11: put_ext(b, 11, points, sizeof(points)); break;
		case 13: put_ext(b, 13, sigalgs, sizeof(sigalgs)); break;
		case 16: put_ext(b, 16, alpn, alpn_len); break;
		case 43: put_ext(b, 43, versions, sizeof(versions)); break;
		default: put_ext(b, exts[i], filler, sizeof(filler)); break;
		}
	}
	b->b[ext_len_at] = (b->n - ext_len_at - 2) >> 8;
	b->b[ext_len_at + 1] = (b->n - ext_len_at - 2) & 0xff;
	rec->n = wrap(rec->b, b->b, b->n);
	assert_int_equal(fg_tls_feed(p, rec->b, rec->n), 1);
	free(b);
	free(rec);
}

static void test_published_chrome(void **state)
{
	struct fg_tls_parser *p = new_parser();

	feed_chrome(p, chrome_alpn, sizeof(chrome_alpn));
	assert_string_equal(p->hello.ja3,
			    "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-"
			    "49172-156-157-47-53,45-51-16-65037-23-17613-0-11-10-43-65281-35-"
			    "18-5-13-27,4588-29-23-24,0");
	assert_string_equal(p->hello.ja3_md5, "98487aa16281980e7d1120d399efb6a4");
	assert_string_equal(p->hello.ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
	assert_string_equal(p->hello.sni, "tls.browserleaks.com");
	free(p);
}

/*
 * JA4 takes the first ALPN value that is not GREASE (the spec: ignore
 * GREASE wherever it appears): Chrome's hello with a GREASE protocol id
 * in front of h2 has Chrome's JA4. The GREASE id is no offer, not kept.
 */
static void test_ja4_grease_alpn(void **state)
{
	static const uint8_t alpn[] = { 0x00, 0x0f, 0x02, 0x0a, 0x0a, 0x02, 'h', '2',
					0x08, 'h', 't', 't', 'p', '/', '1', '.', '1' };
	struct fg_tls_parser *p = new_parser();

	feed_chrome(p, alpn, sizeof(alpn));
	assert_string_equal(p->hello.ja4, "t13d1516h2_8daaf6152771_d8a2da3f94cd");
	assert_int_equal(p->hello.n_alpn, 2);
	assert_string_equal(p->hello.alpn[0], "h2");
	assert_string_equal(p->hello.alpn[1], "http/1.1");
	assert_false(p->hello.alpn_truncated);
	free(p);
}

/* A first value too long to keep (64 bytes) still is JA4's first value. */
static void test_ja4_long_first_alpn(void **state)
{
	uint8_t alpn[2 + 1 + 64 + 1 + 2];
	struct fg_tls_parser *p = new_parser();

	alpn[0] = 0;
	alpn[1] = sizeof(alpn) - 2;
	alpn[2] = 64;
	memset(alpn + 3, '-', 64);
	alpn[3] = 'x';
	alpn[3 + 63] = 'y';
	alpn[67] = 2;
	alpn[68] = 'h';
	alpn[69] = '2';
	feed_chrome(p, alpn, sizeof(alpn));
	assert_memory_equal(p->hello.ja4, "t13d1516xy_8daaf6152771_d8a2da3f94cd", 37);
	assert_true(p->hello.alpn_truncated);
	assert_int_equal(p->hello.n_alpn, 1);
	assert_string_equal(p->hello.alpn[0], "h2");
	assert_true(fg_tls_alpn_grease("\x1a\x1a", 2));
	assert_false(fg_tls_alpn_grease("\x1a\x2a", 2));
	assert_false(fg_tls_alpn_grease("\x1a\x1a\x1a", 3));
	assert_false(fg_tls_alpn_grease("h2", 2));
	free(p);
}

static int feed_body(const uint8_t *body, size_t n)
{
	struct fg_tls_parser *p = new_parser();
	uint8_t rec[512];
	int ret;

	ret = fg_tls_feed(p, rec, wrap(rec, body, n));
	free(p);
	return ret;
}

static void test_malformed(void **state)
{
	uint8_t b[sizeof(grease_body)];
	struct fg_tls_parser *p = new_parser();
	struct fg_tls_hello h;
	size_t k;
	int ok = 0, ret;

	memcpy(b, grease_body, sizeof(b));
	b[36] = 0x03;				/* odd cipher list length */
	assert_int_equal(feed_body(b, sizeof(b)), -EBADMSG);
	memcpy(b, grease_body, sizeof(b));
	b[44] = 0x2b;				/* extensions length mismatch */
	assert_int_equal(feed_body(b, sizeof(b)), -EBADMSG);
	memcpy(b, grease_body, sizeof(b));
	b[34] = 33;				/* session id too long */
	assert_int_equal(feed_body(b, sizeof(b)), -EBADMSG);
	memcpy(b, grease_body, sizeof(b));
	b[67] = 0x00, b[68] = 0x00;		/* a second server_name */
	assert_int_equal(feed_body(b, sizeof(b)), -EBADMSG);
	memcpy(b, grease_body, sizeof(b));
	b[60] = 0x00;				/* NUL in the server name */
	assert_int_equal(feed_body(b, sizeof(b)), -EBADMSG);

	/* Every truncation of the body fails cleanly (or is a valid, shorter hello). */
	for (k = 0; k < sizeof(grease_body); k++) {
		ret = fg_tls_parse_hello(grease_body, k, &h);
		assert_true(ret == 0 || ret == -EBADMSG);
		ok += ret == 0;
	}
	assert_int_equal(ok, 1);		/* cut right before the extensions */

	/* not a handshake record; not a ClientHello; record sizes */
	assert_int_equal(fg_tls_feed(p, "\x17\x03\x03\x00\x05hello", 10), -EBADMSG);
	assert_int_equal(fg_tls_feed(p, hello_sni_alpn, 10), -EBADMSG);	/* sticky */
	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, "\x16\x03\x03\x00\x04\x02\x00\x00\x00", 9), -EPROTO);
	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, "\x16\x03\x03\x00\x00", 5), -EBADMSG);
	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, "\x16\x03\x03\x40\x01", 5), -EBADMSG);
	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, "\x16\x03\x03\x00\x04\x01\x01\x00\x00", 9), -E2BIG);
	fg_tls_init(p);
	assert_int_equal(fg_tls_feed(p, "GET / HTTP/1.1\r\n", 16), -EBADMSG);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openssl_hello),
		cmocka_unit_test(test_every_split),
		cmocka_unit_test(test_several_records),
		cmocka_unit_test(test_grease),
		cmocka_unit_test(test_published_chrome),
		cmocka_unit_test(test_ja4_grease_alpn),
		cmocka_unit_test(test_ja4_long_first_alpn),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
