// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_dns.c - DNS message parsing on the raw input (a UDP datagram)
 * and DNS over TCP framing with any chunking.
 */
#include <string.h>

#include "fuzz_split.h"
#include "l7_dns.h"

static struct fg_dns_msg msg;
static struct fg_dns_tcp tcp;

static int on_msg(const uint8_t *m, size_t len, void *arg)
{
	unsigned int i;

	(*(unsigned int *)arg)++;
	if (fg_dns_parse(m, len, &msg))
		return 0;
	for (i = 0; i < msg.n_questions; i++)
		FUZZ_CHECK(strlen(msg.questions[i].name) < FG_DNS_MAX_NAME);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int whole = 0, chunked = 0;
	struct split s;
	const uint8_t *c;
	size_t n;
	int ra, rb = 0;

	fg_dns_parse(data, size, &msg);

	split_init(&s, data, size);
	fg_dns_tcp_init(&tcp);
	ra = fg_dns_tcp_feed(&tcp, s.d, s.n, on_msg, &whole);
	fg_dns_tcp_init(&tcp);
	while ((n = split_next(&s, &c)) && !rb)
		rb = fg_dns_tcp_feed(&tcp, c, n, on_msg, &chunked);
	FUZZ_CHECK(ra == rb && whole == chunked);
	return 0;
}
