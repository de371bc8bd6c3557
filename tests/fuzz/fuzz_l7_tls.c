// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_tls.c - ClientHello reassembly and parsing: any bytes, any
 * chunking (same result and same fingerprints), and the hello parser on
 * the raw input.
 */
#include <string.h>

#include "fuzz_split.h"
#include "l7_tls.h"

static struct fg_tls_parser a, b;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_tls_hello h;
	struct split s;
	const uint8_t *c;
	size_t n;
	int ra, rb = 0;

	split_init(&s, data, size);
	fg_tls_init(&a);
	ra = fg_tls_feed(&a, s.d, s.n);
	fg_tls_init(&b);
	while ((n = split_next(&s, &c)) && !rb)
		rb = fg_tls_feed(&b, c, n);
	FUZZ_CHECK(ra == rb);
	if (ra == 1) {
		FUZZ_CHECK(!strcmp(a.hello.ja4, b.hello.ja4));
		FUZZ_CHECK(!strcmp(a.hello.ja3_md5, b.hello.ja3_md5));
		FUZZ_CHECK(!strcmp(a.hello.sni, b.hello.sni));
		FUZZ_CHECK(strlen(a.hello.ja4) == 36);
	}
	fg_tls_parse_hello(data, size, &h);
	return 0;
}
