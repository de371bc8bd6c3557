// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_pkt.c - the frame builder the program tests rely on: field
 * positions, lengths and checksums of what pkt_build() writes, so a fixture
 * that expects "malformed" fails because of the defect it asked for and
 * nothing else. Pure user space (no BPF, no root).
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pktbuild.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Verify an L4 checksum with the pseudo-header (result 0 when valid). */
static uint16_t l4_check(int family, const uint8_t *ip, const uint8_t *l4,
			 size_t len, uint8_t proto)
{
	uint32_t s = 0;
	size_t alen = family == 4 ? 4 : 16, i;
	const uint8_t *src = family == 4 ? ip + 12 : ip + 8;
	const uint8_t *dst = family == 4 ? ip + 16 : ip + 24;

	for (i = 0; i < alen; i += 2)
		s += get16(src + i) + get16(dst + i);
	s += proto + (uint32_t)len;
	return pkt_csum(l4, len, s);
}

static void test_tcp4_syn(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec s = {
		.family = 4, .src = "192.0.2.1", .dst = "198.51.100.7",
		.proto = IPPROTO_TCP, .sport = 40000, .dport = 80,
		.tcp_flags = PKT_TCP_SYN, .payload = 5, .ip_id = 77, .df = true,
	};
	int n = pkt_build(b, sizeof(b), &s);

	assert_int_equal(n, 14 + 20 + 20 + 5);
	assert_int_equal(get16(b + 12), 0x0800);
	assert_int_equal(b[14], 0x45);
	assert_int_equal(get16(b + 16), 45);
	assert_int_equal(get16(b + 18), 77);
	assert_int_equal(get16(b + 20), 0x4000);
	assert_int_equal(b[23], IPPROTO_TCP);
	assert_int_equal(pkt_csum(b + 14, 20, 0), 0);
	assert_int_equal(b[26], 192);
	assert_int_equal(b[33], 7);
	assert_int_equal(get16(b + 34), 40000);
	assert_int_equal(get16(b + 36), 80);
	assert_int_equal(b[46] >> 4, 5);
	assert_int_equal(b[47], PKT_TCP_SYN);
	assert_int_equal(l4_check(4, b + 14, b + 34, 25, IPPROTO_TCP), 0);
	assert_int_equal(pkt_l4_offset(&s), 34);
}

static void test_vlan_and_options(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec s = {
		.n_vlans = 2, .vlan_tpid = { 0x88a8, 0x8100 },
		.vlan_id = { 100, 200 }, .family = 4, .ip_opts = 8,
		.proto = IPPROTO_UDP, .sport = 1, .dport = 53, .payload = 3,
	};
	int n = pkt_build(b, sizeof(b), &s);

	assert_int_equal(n, 14 + 8 + 28 + 8 + 3);
	assert_int_equal(get16(b + 12), 0x88a8);
	assert_int_equal(get16(b + 14), 100);
	assert_int_equal(get16(b + 16), 0x8100);
	assert_int_equal(get16(b + 18), 200);
	assert_int_equal(get16(b + 20), 0x0800);
	assert_int_equal(b[22], 0x47);
	assert_int_equal(pkt_csum(b + 22, 28, 0), 0);
	assert_int_equal(b[42], 0x94);	/* router alert first */
	assert_int_equal(get16(b + 50 + 4), 11);	/* UDP length */
	assert_int_equal(l4_check(4, b + 22, b + 50, 11, IPPROTO_UDP), 0);
}

static void test_ip6_chain(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec s = {
		.family = 6, .proto = IPPROTO_TCP, .sport = 5, .dport = 443,
		.tcp_flags = PKT_TCP_SYN, .n_ext = 5,
		.ext = { { PKT_EXT_HBH, 0 }, { PKT_EXT_DSTOPTS, 16 },
			 { PKT_EXT_ROUTING, 24 }, { PKT_EXT_AH, 16 },
			 { PKT_EXT_FRAG, 0 } },
		.ip_id = 0xabcdef01,
	};
	int n = pkt_build(b, sizeof(b), &s), off = 54;

	assert_int_equal(n, 14 + 40 + 8 + 16 + 24 + 16 + 8 + 20);
	assert_int_equal(get16(b + 12), 0x86dd);
	assert_int_equal(b[14] >> 4, 6);
	assert_int_equal(get16(b + 18), n - 54);
	assert_int_equal(b[20], PKT_EXT_HBH);
	assert_int_equal(b[off], PKT_EXT_DSTOPTS);
	assert_int_equal(b[off + 1], 0);
	off += 8;
	assert_int_equal(b[off], PKT_EXT_ROUTING);
	assert_int_equal(b[off + 1], 1);
	off += 16;
	assert_int_equal(b[off], PKT_EXT_AH);
	assert_int_equal(b[off + 1], 2);
	off += 24;
	assert_int_equal(b[off], PKT_EXT_FRAG);
	assert_int_equal(b[off + 1], 16 / 4 - 2);
	off += 16;
	assert_int_equal(b[off], IPPROTO_TCP);
	assert_int_equal(get16(b + off + 2), 0);	/* offset 0, M 0 */
	assert_int_equal(b[off + 4], 0xab);
	off += 8;
	assert_int_equal(off, pkt_l4_offset(&s));
	assert_int_equal(get16(b + off + 2), 443);
	assert_int_equal(l4_check(6, b + 14, b + off, 20, IPPROTO_TCP), 0);
}

static void test_icmp_error_embeds(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec orig = {
		.family = 4, .src = "10.0.0.2", .dst = "10.0.0.1",
		.proto = IPPROTO_UDP, .sport = 53, .dport = 3333,
	};
	struct pkt_spec s = {
		.family = 4, .src = "10.0.0.1", .dst = "10.0.0.2",
		.proto = IPPROTO_ICMP, .icmp_type = 3, .icmp_code = 3,
		.inner = &orig,
	};
	struct pkt_tuple t;
	int n = pkt_build(b, sizeof(b), &s);

	assert_int_equal(n, 14 + 20 + 8 + 20 + 8);
	assert_int_equal(b[34], 3);
	assert_int_equal(pkt_csum(b + 34, 36, 0), 0);
	assert_int_equal(b[42], 0x45);		/* embedded IPv4 header */
	assert_int_equal(get16(b + 62), 53);	/* embedded sport */
	assert_int_equal(pkt_tuple(&s, &t), 0);
	assert_int_equal(t.sport, 0);		/* errors have no ports */
	s.icmp_type = 8;
	s.inner = NULL;
	s.icmp_id = 99;
	assert_int_equal(pkt_tuple(&s, &t), 0);
	assert_int_equal(t.sport, 99);
	assert_int_equal(t.dport, 99);
}

static void test_defects(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec s = {
		.family = 4, .proto = IPPROTO_TCP, .tcp_flags = PKT_TCP_SYN,
		.set = PKT_SET_IHL | PKT_SET_DOFF, .ihl = 4, .doff = 3,
	};
	int n = pkt_build(b, sizeof(b), &s);

	assert_int_equal(n, 54);
	assert_int_equal(b[14], 0x44);
	assert_int_equal(b[46] >> 4, 3);
	/* checksum is valid over what IHL claims (16 bytes) */
	assert_int_equal(pkt_csum(b + 14, 16, 0), 0);

	s.set = 0;
	s.cut = 14 + 20 + 10;
	s.cut_fix = true;
	n = pkt_build(b, sizeof(b), &s);
	assert_int_equal(n, 44);
	assert_int_equal(get16(b + 16), 30);
	assert_int_equal(pkt_csum(b + 14, 20, 0), 0);

	s.cut_fix = false;
	s.cut = 0;
	s.pad_to = 60;
	n = pkt_build(b, sizeof(b), &s);
	assert_int_equal(n, 60);
	assert_int_equal(get16(b + 16), 40);

	s = (struct pkt_spec){ .family = 4, .src = "bad" };
	assert_int_equal(pkt_build(b, sizeof(b), &s), -EINVAL);
	s = (struct pkt_spec){ .family = 4, .payload = 100 };
	assert_int_equal(pkt_build(b, 60, &s), -ENOSPC);
}

static void test_arp(void **state)
{
	uint8_t b[PKT_MAX];
	struct pkt_spec s = { .family = 0 };
	int n = pkt_build(b, sizeof(b), &s);

	assert_int_equal(n, 42);
	assert_int_equal(get16(b + 12), 0x0806);
	assert_int_equal(get16(b + 20), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_syn),
		cmocka_unit_test(test_vlan_and_options),
		cmocka_unit_test(test_ip6_chain),
		cmocka_unit_test(test_icmp_error_embeds),
		cmocka_unit_test(test_defects),
		cmocka_unit_test(test_arp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
