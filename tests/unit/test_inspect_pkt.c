// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_inspect_pkt.c - the inspector's frame handling without a kernel:
 * flow keys as the kernel normalises them (tags, IPv6 extension headers),
 * truncated frames, completion of offloaded checksums, TCP RSTs, the
 * pattern engine and the --test-inspect spec.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "inspect.h"
#include "inspect_test.h"

/* Sum of 16-bit words, folded: 0xffff for a valid checksum. */
static unsigned int sum16(const uint8_t *p, size_t n, unsigned int sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static int l4_csum_ok4(const uint8_t *f, size_t l3, size_t l4, size_t end)
{
	uint8_t ph[4] = { 0, f[l3 + 9], (end - l4) >> 8, (end - l4) & 0xff };
	unsigned int s = sum16(f + l3 + 12, 8, 0);

	s = sum16(ph, 4, s);
	return sum16(f + l4, end - l4, s) == 0xffff;
}

/* Ethernet + IPv4 + TCP 10.0.0.2:80 -> 10.0.0.1:40000 with n payload
 * bytes, checksum left as the pseudo-header sum (CHECKSUM_PARTIAL). */
static size_t tcp4_frame(uint8_t *f, size_t n, int tagged)
{
	size_t o = 0, l3, l4, i;
	unsigned int ps;

	memset(f, 0, 14 + 4 + 20 + 20 + n);
	for (i = 0; i < 12; i++)
		f[i] = (uint8_t)(i + 1);
	o = 12;
	if (tagged) {
		f[o++] = 0x81; f[o++] = 0x00; f[o++] = 0x00; f[o++] = 0x05;
	}
	f[o++] = 0x08; f[o++] = 0x00;
	l3 = o;
	f[l3] = 0x45;
	f[l3 + 2] = (40 + n) >> 8;
	f[l3 + 3] = (40 + n) & 0xff;
	f[l3 + 8] = 64;
	f[l3 + 9] = 6;
	f[l3 + 12] = 10; f[l3 + 15] = 2;	/* src 10.0.0.2 */
	f[l3 + 16] = 10; f[l3 + 19] = 1;	/* dst 10.0.0.1 */
	l4 = l3 + 20;
	f[l4] = 0; f[l4 + 1] = 80;
	f[l4 + 2] = 40000 >> 8; f[l4 + 3] = 40000 & 0xff;
	f[l4 + 4] = 0; f[l4 + 7] = 100;		/* seq 100 */
	f[l4 + 8] = 0; f[l4 + 11] = 200;	/* ack 200 */
	f[l4 + 12] = 5 << 4;
	f[l4 + 13] = 0x18;			/* PSH ACK */
	for (i = 0; i < n; i++)
		f[l4 + 20 + i] = (uint8_t)('a' + i % 26);
	{
		uint8_t ph[4] = { 0, 6, (20 + n) >> 8, (20 + n) & 0xff };

		ps = sum16(f + l3 + 12, 8, 0);
		ps = sum16(ph, 4, ps);
	}
	f[l4 + 16] = ps >> 8;
	f[l4 + 17] = ps & 0xff;
	return l4 + 20 + n;
}

static void test_parse_key(void **state)
{
	uint8_t f[256];
	struct fg_insp_frame fr;
	size_t len = tcp4_frame(f, 30, 0);

	assert_int_equal(fg_insp_parse(f, len, &fr), 0);
	assert_int_equal(fr.vid, 0);
	assert_int_equal(fr.proto, 6);
	assert_int_equal(fr.payload_len, 30);
	assert_int_equal(fr.payload[0], 'a');
	/* 10.0.0.1:40000 is lo; the source (10.0.0.2:80) is hi. */
	assert_int_equal(fr.src_lo, 0);
	assert_int_equal(fr.key.addr_lo[3], 1);
	assert_int_equal(fr.key.addr_hi[3], 2);
	assert_int_equal(ntohs(fr.key.port_lo), 40000);
	assert_int_equal(ntohs(fr.key.port_hi), 80);
	assert_int_equal(fr.key.family, 2);
	assert_int_equal(fr.tcp_seq, 100);
	assert_int_equal(fr.tcp_ack, 200);

	len = tcp4_frame(f, 30, 1);
	assert_int_equal(fg_insp_parse(f, len, &fr), 0);
	assert_int_equal(fr.vid, 5);
	assert_int_equal(fr.payload_len, 30);

	/* Cut inside the TCP header, or shorter than its IP length. */
	assert_int_equal(fg_insp_parse(f, 14 + 4 + 20 + 10, &fr), -EINVAL);
	assert_int_equal(fg_insp_parse(f, len - 1, &fr), -EINVAL);
	assert_int_equal(fg_insp_parse(f, 10, &fr), -EINVAL);
}

static void test_parse_ipv6_ext(void **state)
{
	uint8_t f[128] = { 0 };
	struct fg_insp_frame fr;
	size_t l3 = 14, l4;

	f[12] = 0x86; f[13] = 0xdd;
	f[l3] = 0x60;
	f[l3 + 5] = 8 + 8;		/* payload: HBH 8 + UDP 8 */
	f[l3 + 6] = 0;			/* next: hop-by-hop */
	f[l3 + 8] = 0xfd; f[l3 + 23] = 1;
	f[l3 + 24] = 0xfd; f[l3 + 39] = 2;
	f[l3 + 40] = 17;		/* HBH: next UDP, length 0 (8 bytes) */
	l4 = l3 + 48;
	f[l4 + 1] = 53; f[l4 + 3] = 99; f[l4 + 5] = 8;
	assert_int_equal(fg_insp_parse(f, l4 + 8, &fr), 0);
	assert_int_equal(fr.proto, 17);
	assert_int_equal(fr.key.proto, 17);
	assert_int_equal(fr.key.family, 10);
	assert_int_equal(fr.l4_off, l4);
	assert_int_equal(fr.payload_len, 0);
}

static void test_csum_complete(void **state)
{
	uint8_t f[256];
	struct fg_insp_frame fr;
	size_t len = tcp4_frame(f, 33, 1);

	assert_int_equal(fg_insp_parse(f, len, &fr), 0);
	assert_false(l4_csum_ok4(f, fr.l3_off, fr.l4_off, len));
	assert_int_equal(fg_insp_csum_complete(f, &fr), 1);
	assert_true(l4_csum_ok4(f, fr.l3_off, fr.l4_off, len));
	/* Valid now: left alone. */
	assert_int_equal(fg_insp_csum_complete(f, &fr), 0);
	/* Corrupt: neither valid nor partial; untouched. */
	f[fr.l4_off + 20] ^= 0x40;
	assert_int_equal(fg_insp_csum_complete(f, &fr), -EBADMSG);
}

static void test_rst(void **state)
{
	uint8_t f[256], out[128];
	struct fg_insp_frame fr, rr;
	size_t len = tcp4_frame(f, 10, 0), n;

	assert_int_equal(fg_insp_parse(f, len, &fr), 0);
	/* Toward the receiver: same addresses, the segment's seq. */
	n = fg_insp_build_rst(f, &fr, 0, out, sizeof(out));
	assert_int_equal(n, 54);
	assert_int_equal(fg_insp_parse(out, n, &rr), 0);
	assert_memory_equal(&rr.key, &fr.key, sizeof(rr.key));
	assert_int_equal(rr.src_lo, fr.src_lo);
	assert_true(rr.tcp_flags & 0x04);
	assert_int_equal(rr.tcp_seq, 100);
	assert_int_equal(sum16(out + 14, 20, 0), 0xffff);
	assert_true(l4_csum_ok4(out, 14, 34, n));
	/* Toward the sender: swapped, seq = what it acknowledged. */
	n = fg_insp_build_rst(f, &fr, 1, out, sizeof(out));
	assert_int_equal(fg_insp_parse(out, n, &rr), 0);
	assert_int_equal(rr.src_lo, !fr.src_lo);
	assert_int_equal(rr.tcp_seq, 200);
	assert_int_equal(rr.tcp_ack, 110);
	assert_memory_equal(out, f + 6, 6);	/* to the sender's MAC */
	assert_true(l4_csum_ok4(out, 14, 34, n));
	/* No room. */
	assert_int_equal(fg_insp_build_rst(f, &fr, 0, out, 20), 0);
}

static void test_pattern_engine(void **state)
{
	struct fg_insp_pattern pat = { .allow = "GET ", .deny = "evil" };
	struct fg_insp_pkt p = { 0 };
	const struct fg_insp_engine *e = &fg_insp_pattern_engine;

	p.payload = (const __u8 *)"GET / HTTP/1.1";
	p.len = 14;
	assert_int_equal(e->decide(&pat, &p), FG_INSP_ALLOW);
	p.payload = (const __u8 *)"GET /evil";
	p.len = 9;
	assert_int_equal(e->decide(&pat, &p), FG_INSP_DENY);
	p.payload = (const __u8 *)"POST /";
	p.len = 6;
	assert_int_equal(e->decide(&pat, &p), FG_INSP_CONTINUE);
	p.len = 0;
	assert_int_equal(e->decide(&pat, &p), FG_INSP_CONTINUE);
}

static void test_spec(void **state)
{
	struct fg_insp_test t;
	char err[128];

	assert_int_equal(fg_insp_test_parse("rule=web,dirs=both,allow=A,deny=B",
					    &t, err, sizeof(err)), 0);
	assert_string_equal(t.rule, "web");
	assert_int_equal(t.dirs, FG_INSPECT_DIR_ORIG | FG_INSPECT_DIR_REPLY);
	assert_string_equal(t.pat.allow, "A");
	assert_string_equal(t.pat.deny, "B");
	assert_int_equal(t.pat.delay_us, 0);
	assert_int_equal(t.pat.stall_ms, 1000);
	assert_int_equal(fg_insp_test_parse("allow=A", &t, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "rule=NAME"));
	assert_int_equal(fg_insp_test_parse("rule=x,dirs=up", &t, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(fg_insp_test_parse("rule=x,bogus", &t, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(fg_insp_test_parse("rule=x,color=red", &t, err,
					    sizeof(err)), -EINVAL);
	/* Slow and hung engines, for the overload tests. */
	assert_int_equal(fg_insp_test_parse("rule=x,delay_us=200,stall=S,stall_ms=5",
					    &t, err, sizeof(err)), 0);
	assert_int_equal(t.pat.delay_us, 200);
	assert_string_equal(t.pat.stall, "S");
	assert_int_equal(t.pat.stall_ms, 5);
	assert_int_equal(fg_insp_test_parse("rule=x,delay_us=-1", &t, err,
					    sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "delay_us"));
	assert_int_equal(fg_insp_test_parse("rule=x,stall_ms=60001", &t, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(fg_insp_test_parse("rule=x,delay_us=", &t, err,
					    sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_key),
		cmocka_unit_test(test_parse_ipv6_ext),
		cmocka_unit_test(test_csum_complete),
		cmocka_unit_test(test_rst),
		cmocka_unit_test(test_pattern_engine),
		cmocka_unit_test(test_spec),
	};

	return cmocka_run_group_tests_name("inspect_pkt", tests, NULL, NULL);
}
