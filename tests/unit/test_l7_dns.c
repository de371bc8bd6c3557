// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_dns.c - DNS messages: a query and a compressed response (CNAME,
 * A, AAAA) as a resolver sends them, over UDP and over TCP split at every
 * byte boundary; malformed names (pointer loops, forward pointers, long
 * names, bad labels), truncations, limits.
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

#include "l7_dns.h"

/* dig www.Shop.Example A: id 0x1234, RD, one question, EDNS0 OPT record */
static const uint8_t query[] = {
	0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	3, 'w', 'w', 'w', 4, 'S', 'h', 'o', 'p', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* Its answer: www CNAME cdn.shop.example, cdn A 192.0.2.7, cdn AAAA 2001:db8::7 */
static const uint8_t response[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00,
	3, 'w', 'w', 'w', 4, 's', 'h', 'o', 'p', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0x00, 0x01, 0x00, 0x01,
	/* @34: www.shop.example (ptr 12) CNAME, ttl 300, "cdn" + ptr 16 */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x06,
	3, 'c', 'd', 'n', 0xc0, 0x10,
	/* @52: cdn.shop.example (ptr 46) A */
	0xc0, 0x2e, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	192, 0, 2, 7,
	/* AAAA */
	0xc0, 0x2e, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x10,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
};

static struct fg_dns_msg *msg_new(void)
{
	struct fg_dns_msg *m = malloc(sizeof(*m));

	assert_non_null(m);
	return m;
}

static void check_query(const struct fg_dns_msg *m)
{
	assert_int_equal(m->id, 0x1234);
	assert_false(m->response);
	assert_int_equal(m->opcode, 0);
	assert_int_equal(m->n_questions, 1);
	assert_string_equal(m->questions[0].name, "www.shop.example");
	assert_int_equal(m->questions[0].type, 1);
	assert_int_equal(m->questions[0].class, 1);
	assert_int_equal(m->n_answers, 0);
}

static void check_response(const struct fg_dns_msg *m)
{
	assert_true(m->response);
	assert_int_equal(m->rcode, 0);
	assert_int_equal(m->n_answers, 3);
	assert_string_equal(m->answers[0].name, "www.shop.example");
	assert_int_equal(m->answers[0].type, 5);
	assert_int_equal(m->answers[0].ttl, 300);
	assert_string_equal(m->answers[0].data, "cdn.shop.example");
	assert_string_equal(m->answers[1].name, "cdn.shop.example");
	assert_string_equal(m->answers[1].data, "192.0.2.7");
	assert_int_equal(m->answers[2].type, 28);
	assert_string_equal(m->answers[2].data, "2001:db8::7");
}

static void test_udp(void **state)
{
	struct fg_dns_msg *m = msg_new();

	assert_int_equal(fg_dns_parse(query, sizeof(query), m), 0);
	check_query(m);
	assert_int_equal(fg_dns_parse(response, sizeof(response), m), 0);
	check_response(m);
	free(m);
}

struct tcp_log {
	int n;
	struct fg_dns_msg m[2];
};

static int on_msg(const uint8_t *msg, size_t len, void *arg)
{
	struct tcp_log *l = arg;

	assert_true(l->n < 2);
	assert_int_equal(fg_dns_parse(msg, len, &l->m[l->n++]), 0);
	return 0;
}

static void test_tcp_every_split(void **state)
{
	uint8_t s[512];
	size_t n = 0, k, i;
	struct fg_dns_tcp *t = malloc(sizeof(*t));
	struct tcp_log *l = malloc(sizeof(*l));

	assert_non_null(t);
	assert_non_null(l);
	/* two length-prefixed messages back to back (query, then response) */
	s[n++] = 0, s[n++] = sizeof(query);
	memcpy(s + n, query, sizeof(query)), n += sizeof(query);
	s[n++] = 0, s[n++] = sizeof(response);
	memcpy(s + n, response, sizeof(response)), n += sizeof(response);

	for (k = 0; k <= n; k++) {
		fg_dns_tcp_init(t);
		l->n = 0;
		assert_int_equal(fg_dns_tcp_feed(t, s, k, on_msg, l), 0);
		assert_int_equal(fg_dns_tcp_feed(t, s + k, n - k, on_msg, l), 0);
		assert_int_equal(l->n, 2);
		check_query(&l->m[0]);
		check_response(&l->m[1]);
	}
	fg_dns_tcp_init(t);
	l->n = 0;
	for (i = 0; i < n; i++)
		assert_int_equal(fg_dns_tcp_feed(t, s + i, 1, on_msg, l), 0);
	assert_int_equal(l->n, 2);
	check_response(&l->m[1]);

	/* framing errors */
	fg_dns_tcp_init(t);
	assert_int_equal(fg_dns_tcp_feed(t, "\x00\x00", 2, on_msg, l), -EBADMSG);
	assert_int_equal(fg_dns_tcp_feed(t, s, n, on_msg, l), -EBADMSG);	/* sticky */
	fg_dns_tcp_init(t);
	assert_int_equal(fg_dns_tcp_feed(t, "\x10\x01", 2, on_msg, l), -E2BIG);
	free(t);
	free(l);
}

static int parse_mut(const uint8_t *base, size_t n, size_t at, uint8_t v)
{
	uint8_t b[512];
	struct fg_dns_msg *m = msg_new();
	int ret;

	memcpy(b, base, n);
	b[at] = v;
	ret = fg_dns_parse(b, n, m);
	free(m);
	return ret;
}

static void test_malformed(void **state)
{
	struct fg_dns_msg *m = msg_new();
	uint8_t b[600];
	size_t k, n;

	/* every truncation fails cleanly */
	for (k = 0; k < sizeof(response); k++)
		assert_int_equal(fg_dns_parse(response, k, m), -EBADMSG);
	for (k = 0; k < sizeof(query) - 11; k++)	/* the OPT record is not parsed */
		assert_int_equal(fg_dns_parse(query, k, m), -EBADMSG);

	assert_int_equal(parse_mut(response, sizeof(response), 35, 0x22), -EBADMSG); /* ptr to itself */
	assert_int_equal(parse_mut(response, sizeof(response), 35, 0x40), -EBADMSG); /* forward ptr */
	assert_int_equal(parse_mut(response, sizeof(response), 34, 0x40), -EBADMSG); /* label type 01 */
	assert_int_equal(parse_mut(query, sizeof(query), 14, '.'), -EBADMSG);	/* dot in label */
	assert_int_equal(parse_mut(query, sizeof(query), 14, 0), -EBADMSG);	/* NUL in label */
	assert_int_equal(parse_mut(query, sizeof(query), 14, ' '), -EBADMSG);
	assert_int_equal(parse_mut(query, sizeof(query), 12, 60), -EBADMSG);	/* label past end */
	assert_int_equal(parse_mut(query, sizeof(query), 5, 5), -E2BIG);	/* 5 questions */
	assert_int_equal(parse_mut(response, sizeof(response), 63, 5), -EBADMSG); /* A rdlen 5 */

	/* a name longer than 255 bytes on the wire */
	memset(b, 0, sizeof(b));
	b[5] = 1;
	for (n = 12; n < 12 + 5 * 52; n += 52) {
		b[n] = 51;
		memset(b + n + 1, 'a', 51);
	}
	b[n] = 0;
	b[n + 2] = 1, b[n + 4] = 1;
	assert_int_equal(fg_dns_parse(b, n + 5, m), -EBADMSG);
	/* 4 labels of 51 (209 bytes) are fine */
	b[12 + 4 * 52] = 0;
	b[12 + 4 * 52 + 2] = 1, b[12 + 4 * 52 + 4] = 1;
	assert_int_equal(fg_dns_parse(b, 12 + 4 * 52 + 5, m), 0);
	assert_int_equal(strlen(m->questions[0].name), 4 * 51 + 3);

	/* the root name */
	memcpy(b, "\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x01", 17);
	assert_int_equal(fg_dns_parse(b, 17, m), 0);
	assert_string_equal(m->questions[0].name, ".");
	free(m);
}

static void test_many_answers(void **state)
{
	struct fg_dns_msg *m = msg_new();
	uint8_t b[1024];
	size_t n = 0, i;

	memcpy(b, response, 34);
	b[7] = 20;				/* 20 A records */
	n = 34;
	for (i = 0; i < 20; i++) {
		memcpy(b + n, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00", 15);
		b[n + 15] = i;
		n += 16;
	}
	assert_int_equal(fg_dns_parse(b, n, m), 0);
	assert_int_equal(m->n_answers, FG_DNS_MAX_ANSWERS);
	assert_true(m->answers_truncated);
	assert_string_equal(m->answers[15].data, "10.0.0.15");
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_tcp_every_split),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_many_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
