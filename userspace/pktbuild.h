/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pktbuild.h - build test frames (Ethernet onwards) into a caller buffer from one
 * flat description, for BPF_PROG_TEST_RUN fixtures and micro-benchmarks.
 *
 * A zero-initialised struct pkt_spec plus the fields a test cares about is a
 * valid, well-formed frame: lengths and checksums are computed, defaults are
 * filled in. Deliberate defects (bad version, IHL, lengths, data offset,
 * truncation) are asked for explicitly through `set` and `cut`, so every
 * malformed frame has exactly the defect its fixture names.
 *
 *	uint8_t buf[PKT_MAX];
 *	struct pkt_spec s = {
 *		.family = 4, .src = "10.0.0.1", .dst = "10.0.0.2",
 *		.proto = IPPROTO_TCP, .sport = 40000, .dport = 80,
 *		.tcp_flags = PKT_TCP_SYN,
 *	};
 *	int len = pkt_build(buf, sizeof(buf), &s);	// frame length or -errno
 *
 * Pure C, no BPF and no test framework: `flowgate bench` uses it too.
 */
#ifndef FG_PKTBUILD_H
#define FG_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX		2048	/* large enough for every frame built here */
#define PKT_MAX_VLANS	3	/* one more than the fast path accepts */
#define PKT_MAX_EXT	12	/* more than FG_IPV6_EXT_MAX */

/* TCP flags (byte 13 of the TCP header). */
#define PKT_TCP_FIN	0x01
#define PKT_TCP_SYN	0x02
#define PKT_TCP_RST	0x04
#define PKT_TCP_PSH	0x08
#define PKT_TCP_ACK	0x10
#define PKT_TCP_URG	0x20

/* IPv6 extension header types (next-header values). */
#define PKT_EXT_HBH	0
#define PKT_EXT_ROUTING	43
#define PKT_EXT_FRAG	44
#define PKT_EXT_AH	51
#define PKT_EXT_DSTOPTS	60

/* Overrides selected by pkt_spec.set: the field is written as given instead
 * of being computed. */
#define PKT_SET_VERSION	(1U << 0)	/* IP version nibble */
#define PKT_SET_IHL	(1U << 1)	/* IPv4 IHL (32-bit words) */
#define PKT_SET_IPLEN	(1U << 2)	/* IPv4 total length / IPv6 payload len */
#define PKT_SET_DOFF	(1U << 3)	/* TCP data offset (32-bit words) */
#define PKT_SET_UDPLEN	(1U << 4)	/* UDP length */

/* One IPv6 extension header. The body is padding (PadN options for
 * hop-by-hop/destination options, zeros otherwise); the fragment header's
 * fields come from pkt_spec.frag_off / mf / ip_id. */
struct pkt_ext {
	uint8_t type;		/* PKT_EXT_* (any value: unknown types too) */
	uint16_t len;		/* total bytes: multiple of 8 (AH: of 4), 0 =
				 * minimum (8; AH 12); the fragment header is
				 * always 8 */
};

struct pkt_spec {
	/* ---- L2 ---- */
	uint8_t n_vlans;			/* 0..PKT_MAX_VLANS tags */
	uint16_t vlan_tpid[PKT_MAX_VLANS];	/* 0 = 0x8100 (802.1Q);
						 * 0x88a8 = 802.1ad */
	uint16_t vlan_id[PKT_MAX_VLANS];
	uint16_t ethertype;	/* family 0 only: EtherType of a non-IP frame;
				 * 0 or 0x0806 builds an ARP request */

	/* ---- L3 ---- */
	int family;		/* 0 = non-IP, 4 = IPv4, 6 = IPv6 */
	const char *src;	/* textual address; NULL = 10.0.0.1 / fd00::1 */
	const char *dst;	/* NULL = 10.0.0.2 / fd00::2 */
	uint8_t ttl;		/* 0 = 64 (IPv6 hop limit too) */
	uint8_t proto;		/* L4 protocol number, after the ext chain */
	uint8_t ip_opts;	/* IPv4 option bytes, multiple of 4, <= 40 */
	uint32_t ip_id;		/* IPv4 id (16 bits) / IPv6 fragment id */
	bool df;		/* IPv4 don't fragment */
	bool mf;		/* more fragments (IPv4 MF, IPv6 M) */
	uint16_t frag_off;	/* fragment offset, 8-byte units */
	uint8_t n_ext;		/* IPv6 extension headers, in chain order */
	struct pkt_ext ext[PKT_MAX_EXT];

	/* ---- L4 ---- */
	bool no_l4;		/* later fragment: payload only, no L4 header */
	uint16_t sport, dport;	/* TCP/UDP/UDP-Lite/SCTP ports, host order */
	uint8_t tcp_flags;	/* PKT_TCP_* */
	uint8_t tcp_opts;	/* TCP option bytes (NOPs), multiple of 4 */
	uint32_t seq, ack;
	uint8_t icmp_type, icmp_code;	/* ICMP (family 4) or ICMPv6 (6) */
	uint16_t icmp_id, icmp_seq;
	const struct pkt_spec *inner;	/* ICMP error: the original packet,
					 * embedded from its IP header on */
	uint16_t inner_len;	/* bytes of it kept; 0 = IP headers + 8 */
	uint16_t payload;	/* payload bytes after the L4 header */

	/* ---- deliberate defects ---- */
	uint32_t set;		/* PKT_SET_*: which of the next apply */
	uint8_t version;
	uint8_t ihl;
	uint16_t ip_len;
	uint8_t doff;
	uint16_t udp_len;
	uint16_t cut;		/* truncate the frame to this length (0 = no) */
	bool cut_fix;		/* after cut, rewrite IP lengths (and the IPv4
				 * checksum) to match, so the only defect is
				 * the truncated header behind them */
	uint16_t pad_to;	/* append zero bytes (Ethernet padding) up to
				 * this frame length; IP lengths unchanged */
};

/* The flow identity of a spec, as the fast path should see it (ports host
 * order; ICMP echo/informational: sport = dport = identifier; ICMP errors and
 * protocols without ports: 0). */
struct pkt_tuple {
	int family;		/* AF_INET / AF_INET6 */
	uint8_t src[16];	/* BE; IPv4 in the first 4 bytes */
	uint8_t dst[16];
	uint8_t proto;
	uint16_t sport, dport;
};

/* Build the frame described by `s` into buf. Returns the frame length, or
 * -EINVAL (bad address text or impossible field), -ENOSPC (buf too small). */
int pkt_build(void *buf, size_t cap, const struct pkt_spec *s);

/* Build only from the IP header on (no Ethernet), e.g. for embedding. */
int pkt_build_l3(void *buf, size_t cap, const struct pkt_spec *s);

/* Fill t from s. 0 or -EINVAL. */
int pkt_tuple(const struct pkt_spec *s, struct pkt_tuple *t);

/* Offsets inside a frame built from s (computed, not parsed): L3 header,
 * L4 header (after IPv4 options / the IPv6 chain). -EINVAL for non-IP. */
int pkt_l3_offset(const struct pkt_spec *s);
int pkt_l4_offset(const struct pkt_spec *s);

/* Internet checksum of a buffer (RFC 1071), as stored in headers. */
uint16_t pkt_csum(const void *data, size_t len, uint32_t sum);

/* A spec with src/dst, sport/dport swapped: the reply of `s`. */
struct pkt_spec pkt_reverse(const struct pkt_spec *s);

/* True if (type) is an ICMP (family 4) / ICMPv6 (6) error message. */
bool pkt_icmp_is_error(int family, uint8_t type);

#endif /* FG_PKTBUILD_H */
