// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktbuild.c - build frames from a struct pkt_spec (see pktbuild.h): the
 * program tests, their fixtures and `flowgate bench` share it.
 *
 * The frame is written front to back; lengths and checksums are filled in
 * once everything behind them exists, then the requested defects are
 * applied (so a bad IHL still carries a valid header checksum, and the
 * parser under test sees exactly one defect).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "pktbuild.h"

#define ETH_HDR		14
#define VLAN_HDR	4
#define IP4_HDR		20
#define IP6_HDR		40
#define TCP_HDR		20
#define UDP_HDR		8
#define ICMP_HDR	8
#define SCTP_HDR	12

static const uint8_t mac_dst[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t mac_src[6] = { 0x02, 0, 0, 0, 0, 0x01 };

/* Output cursor: writes past cap set the sticky error instead. */
struct out {
	uint8_t *buf;
	size_t cap, len;
	int err;
};

static uint8_t *out_take(struct out *o, size_t n)
{
	uint8_t *p;

	if (o->err)
		return NULL;
	if (n > o->cap - o->len) {
		o->err = -ENOSPC;
		return NULL;
	}
	p = o->buf + o->len;
	memset(p, 0, n);
	o->len += n;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

uint16_t pkt_csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Sum (not folded, not inverted) of the pseudo-header. */
static uint32_t pseudo_sum(int family, const uint8_t *src, const uint8_t *dst,
			   uint8_t proto, uint32_t len)
{
	size_t alen = family == 4 ? 4 : 16, i;
	uint32_t s = 0;

	for (i = 0; i < alen; i += 2) {
		s += src[i] << 8 | src[i + 1];
		s += dst[i] << 8 | dst[i + 1];
	}
	s += proto;
	s += len >> 16;
	s += len & 0xffff;
	return s;
}

static int parse_addr(int family, const char *txt, uint8_t *out)
{
	memset(out, 0, 16);
	if (family == 4)
		return inet_pton(AF_INET, txt ? txt : "10.0.0.1", out) == 1 ?
		       0 : -EINVAL;
	return inet_pton(AF_INET6, txt ? txt : "fd00::1", out) == 1 ?
	       0 : -EINVAL;
}

static int spec_addrs(const struct pkt_spec *s, uint8_t *src, uint8_t *dst)
{
	int err;

	if (s->family != 4 && s->family != 6)
		return -EINVAL;
	err = parse_addr(s->family, s->src, src);
	if (err)
		return err;
	if (!s->dst)
		return parse_addr(s->family, s->family == 4 ? "10.0.0.2" :
				  "fd00::2", dst);
	return parse_addr(s->family, s->dst, dst);
}

bool pkt_icmp_is_error(int family, uint8_t type)
{
	if (family == 4)
		return type == 3 || type == 4 || type == 5 || type == 11 ||
		       type == 12;
	return type >= 1 && type <= 4;
}

static size_t ext_size(const struct pkt_ext *e)
{
	if (e->type == PKT_EXT_FRAG)
		return 8;
	if (e->len)
		return e->len;
	return e->type == PKT_EXT_AH ? 12 : 8;
}

static bool ext_size_ok(const struct pkt_ext *e)
{
	size_t n = ext_size(e);

	if (e->type == PKT_EXT_AH)
		return n >= 12 && n % 4 == 0 && n <= (255 + 2) * 4;
	return n >= 8 && n % 8 == 0 && n <= 256 * 8;
}

/* L3 header bytes before L4 (IPv4 header + options, IPv6 + chain). */
static int l3_hdr_len(const struct pkt_spec *s)
{
	int n, i;

	if (s->family == 4)
		return IP4_HDR + s->ip_opts;
	if (s->family != 6)
		return -EINVAL;
	n = IP6_HDR;
	for (i = 0; i < s->n_ext && i < PKT_MAX_EXT; i++)
		n += ext_size(&s->ext[i]);
	return n;
}

static int l2_len(const struct pkt_spec *s)
{
	return ETH_HDR + VLAN_HDR * s->n_vlans;
}

int pkt_l3_offset(const struct pkt_spec *s)
{
	if (s->family != 4 && s->family != 6)
		return -EINVAL;
	return l2_len(s);
}

int pkt_l4_offset(const struct pkt_spec *s)
{
	int n = l3_hdr_len(s);

	return n < 0 ? n : l2_len(s) + n;
}

/* Fill an option area (HBH/DST) of n bytes with Pad1/PadN. */
static void fill_padding_opts(uint8_t *p, size_t n)
{
	if (n == 1) {
		p[0] = 0;	/* Pad1 */
	} else if (n >= 2) {
		p[0] = 1;	/* PadN */
		p[1] = (uint8_t)(n - 2);
	}
}

static int write_ext_chain(struct out *o, const struct pkt_spec *s,
			   uint8_t *nh_field)
{
	int i;

	for (i = 0; i < s->n_ext; i++) {
		const struct pkt_ext *e = &s->ext[i];
		size_t n = ext_size(e);
		uint8_t *h;

		if (!ext_size_ok(e))
			return -EINVAL;
		h = out_take(o, n);
		if (!h)
			return o->err;
		*nh_field = e->type;
		nh_field = &h[0];
		switch (e->type) {
		case PKT_EXT_FRAG:
			put16(h + 2, (uint16_t)(s->frag_off << 3 | (s->mf ? 1 : 0)));
			put32(h + 4, s->ip_id);
			break;
		case PKT_EXT_AH:
			h[1] = (uint8_t)(n / 4 - 2);
			put32(h + 4, 0x1000 + i);	/* SPI */
			put32(h + 8, 1);		/* sequence */
			break;
		case PKT_EXT_ROUTING:
			h[1] = (uint8_t)(n / 8 - 1);
			h[2] = 253;	/* RFC 4727 experimental type */
			h[3] = 0;	/* segments left */
			break;
		default:	/* HBH, DSTOPTS, unknown: option padding */
			h[1] = (uint8_t)(n / 8 - 1);
			fill_padding_opts(h + 2, n - 2);
			break;
		}
	}
	*nh_field = s->proto;
	return 0;
}

static void write_ip4_opts(uint8_t *p, size_t n)
{
	size_t i;

	if (!n)
		return;
	/* Router Alert (RFC 2113), then NOPs and a final end-of-list. */
	if (n >= 4) {
		p[0] = 0x94;
		p[1] = 4;
		p[2] = 0;
		p[3] = 0;
		i = 4;
	} else {
		i = 0;
	}
	for (; i < n; i++)
		p[i] = 1;	/* NOP */
	p[n - 1] = 0;		/* EOL */
}

/*
 * Write L4 (header, payload) at the cursor. l3 and l3len describe the
 * enclosing IP packet for the pseudo-header; checksums are written later
 * by finish_l4() once the whole L4 exists.
 */
static int write_l4(struct out *o, const struct pkt_spec *s)
{
	uint8_t *h, *p;
	size_t i;

	if (s->no_l4)
		goto payload;
	switch (s->proto) {
	case IPPROTO_TCP:
		if (s->tcp_opts % 4 || s->tcp_opts > 40)
			return -EINVAL;
		h = out_take(o, TCP_HDR + s->tcp_opts);
		if (!h)
			return o->err;
		put16(h, s->sport);
		put16(h + 2, s->dport);
		put32(h + 4, s->seq);
		put32(h + 8, s->ack);
		h[12] = (uint8_t)(((TCP_HDR + s->tcp_opts) / 4) << 4);
		h[13] = s->tcp_flags;
		put16(h + 14, 65535);
		memset(h + TCP_HDR, 1, s->tcp_opts);	/* NOPs */
		break;
	case IPPROTO_UDP:
	case 136:	/* UDP-Lite: same first 8 bytes */
		h = out_take(o, UDP_HDR);
		if (!h)
			return o->err;
		put16(h, s->sport);
		put16(h + 2, s->dport);
		break;
	case 132:	/* SCTP common header */
		h = out_take(o, SCTP_HDR);
		if (!h)
			return o->err;
		put16(h, s->sport);
		put16(h + 2, s->dport);
		put32(h + 4, 0x12345678);	/* verification tag */
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		h = out_take(o, ICMP_HDR);
		if (!h)
			return o->err;
		h[0] = s->icmp_type;
		h[1] = s->icmp_code;
		if (s->inner) {
			uint8_t tmp[PKT_MAX];
			int n = pkt_build_l3(tmp, sizeof(tmp), s->inner);
			int keep;

			if (n < 0)
				return n;
			keep = s->inner_len ? s->inner_len :
			       l3_hdr_len(s->inner) + 8;
			if (keep > n)
				keep = n;
			p = out_take(o, keep);
			if (!p)
				return o->err;
			memcpy(p, tmp, keep);
		} else {
			put16(h + 4, s->icmp_id);
			put16(h + 6, s->icmp_seq);
		}
		break;
	default:	/* other protocols: payload only */
		break;
	}
payload:
	p = out_take(o, s->payload);
	if (!p && s->payload)
		return o->err;
	for (i = 0; i < s->payload; i++)
		p[i] = (uint8_t)(i * 7 + 1);
	return 0;
}

static void finish_l4(uint8_t *l4, size_t len, const struct pkt_spec *s,
		      const uint8_t *src, const uint8_t *dst)
{
	uint32_t ps;

	if (s->no_l4)
		return;
	switch (s->proto) {
	case IPPROTO_TCP:
		if (len < TCP_HDR)
			return;
		if (s->set & PKT_SET_DOFF)
			l4[12] = (uint8_t)(s->doff << 4);
		ps = pseudo_sum(s->family, src, dst, s->proto, len);
		put16(l4 + 16, pkt_csum(l4, len, ps));
		break;
	case IPPROTO_UDP:
	case 136:
		if (len < UDP_HDR)
			return;
		put16(l4 + 4, (uint16_t)len);
		ps = pseudo_sum(s->family, src, dst, s->proto, len);
		put16(l4 + 6, pkt_csum(l4, len, ps));
		if (s->set & PKT_SET_UDPLEN)
			put16(l4 + 4, s->udp_len);
		break;
	case IPPROTO_ICMP:
		if (len < ICMP_HDR)
			return;
		put16(l4 + 2, pkt_csum(l4, len, 0));
		break;
	case IPPROTO_ICMPV6:
		if (len < ICMP_HDR)
			return;
		ps = pseudo_sum(6, src, dst, s->proto, len);
		put16(l4 + 2, pkt_csum(l4, len, ps));
		break;
	default:
		break;
	}
}

static void ip4_fix(uint8_t *ip, uint16_t totlen)
{
	put16(ip + 2, totlen);
	ip[10] = ip[11] = 0;
	put16(ip + 10, pkt_csum(ip, (ip[0] & 0x0f) * 4 > 60 ? 60 :
				(ip[0] & 0x0f) * 4, 0));
}

/* Write the IP packet of s at the cursor. *ip_off receives its offset. */
static int write_l3(struct out *o, const struct pkt_spec *s, size_t *ip_off)
{
	uint8_t src[16], dst[16];
	size_t l3, l4;
	uint8_t *ip;
	int err;

	err = spec_addrs(s, src, dst);
	if (err)
		return err;
	l3 = o->len;
	*ip_off = l3;
	if (s->family == 4) {
		if (s->ip_opts % 4 || s->ip_opts > 40)
			return -EINVAL;
		ip = out_take(o, IP4_HDR + s->ip_opts);
		if (!ip)
			return o->err;
		ip[0] = 0x40 | (uint8_t)((IP4_HDR + s->ip_opts) / 4);
		put16(ip + 4, (uint16_t)s->ip_id);
		put16(ip + 6, (uint16_t)((s->df ? 0x4000 : 0) |
					 (s->mf ? 0x2000 : 0) |
					 (s->frag_off & 0x1fff)));
		ip[8] = s->ttl ? s->ttl : 64;
		ip[9] = s->proto;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		write_ip4_opts(ip + IP4_HDR, s->ip_opts);
	} else {
		ip = out_take(o, IP6_HDR);
		if (!ip)
			return o->err;
		ip[0] = 0x60;
		ip[7] = s->ttl ? s->ttl : 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		err = write_ext_chain(o, s, &ip[6]);
		if (err)
			return err;
	}
	l4 = o->len;
	err = write_l4(o, s);
	if (err)
		return err;
	/* The buffer may not move, but take pointers again for clarity. */
	ip = o->buf + l3;
	finish_l4(o->buf + l4, o->len - l4, s, src, dst);
	if (s->family == 4) {
		if (s->set & PKT_SET_VERSION)
			ip[0] = (uint8_t)(s->version << 4 | (ip[0] & 0x0f));
		if (s->set & PKT_SET_IHL)
			ip[0] = (uint8_t)((ip[0] & 0xf0) | (s->ihl & 0x0f));
		ip4_fix(ip, (s->set & PKT_SET_IPLEN) ? s->ip_len :
			(uint16_t)(o->len - l3));
	} else {
		if (s->set & PKT_SET_VERSION)
			ip[0] = (uint8_t)(s->version << 4);
		put16(ip + 4, (s->set & PKT_SET_IPLEN) ? s->ip_len :
		      (uint16_t)(o->len - l3 - IP6_HDR));
	}
	return 0;
}

static int write_arp(struct out *o)
{
	uint8_t *a = out_take(o, 28);

	if (!a)
		return o->err;
	put16(a, 1);		/* Ethernet */
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);	/* request */
	memcpy(a + 8, mac_src, 6);
	a[14] = 10, a[15] = 0, a[16] = 0, a[17] = 1;
	a[24] = 10, a[25] = 0, a[26] = 0, a[27] = 2;
	return 0;
}

/* Apply cut / cut_fix / pad_to to a finished frame. */
static int post_process(struct out *o, const struct pkt_spec *s,
			size_t ip_off, bool is_ip)
{
	if (s->cut && s->cut < o->len) {
		o->len = s->cut;
		if (s->cut_fix && is_ip) {
			uint8_t *ip = o->buf + ip_off;

			if (s->family == 4 && o->len >= ip_off + IP4_HDR)
				ip4_fix(ip, (uint16_t)(o->len - ip_off));
			else if (s->family == 6 && o->len >= ip_off + IP6_HDR)
				put16(ip + 4, (uint16_t)(o->len - ip_off - IP6_HDR));
		}
	}
	if (s->pad_to > o->len && !out_take(o, s->pad_to - o->len))
		return o->err;
	return 0;
}

int pkt_build_l3(void *buf, size_t cap, const struct pkt_spec *s)
{
	struct out o = { .buf = buf, .cap = cap };
	size_t ip_off;
	int err;

	err = write_l3(&o, s, &ip_off);
	if (!err)
		err = post_process(&o, s, ip_off, true);
	return err ? err : (int)o.len;
}

int pkt_build(void *buf, size_t cap, const struct pkt_spec *s)
{
	struct out o = { .buf = buf, .cap = cap };
	uint8_t *eth, *type;
	size_t ip_off = 0;
	int i, err;

	if (s->n_vlans > PKT_MAX_VLANS || s->n_ext > PKT_MAX_EXT)
		return -EINVAL;
	eth = out_take(&o, ETH_HDR);
	if (!eth)
		return o.err;
	memcpy(eth, mac_dst, 6);
	memcpy(eth + 6, mac_src, 6);
	type = eth + 12;
	for (i = 0; i < s->n_vlans; i++) {
		uint16_t tpid = s->vlan_tpid[i] ? s->vlan_tpid[i] : 0x8100;
		uint8_t *tag = out_take(&o, VLAN_HDR);

		if (!tag)
			return o.err;
		put16(type, tpid);
		put16(tag, s->vlan_id[i] & 0x0fff);
		type = tag + 2;
	}
	switch (s->family) {
	case 4:
		put16(type, 0x0800);
		err = write_l3(&o, s, &ip_off);
		break;
	case 6:
		put16(type, 0x86dd);
		err = write_l3(&o, s, &ip_off);
		break;
	case 0:
		put16(type, s->ethertype ? s->ethertype : 0x0806);
		if (!s->ethertype || s->ethertype == 0x0806)
			err = write_arp(&o);
		else if (s->payload && !out_take(&o, s->payload))
			err = o.err;
		else
			err = 0;
		break;
	default:
		return -EINVAL;
	}
	if (!err)
		err = post_process(&o, s, ip_off, s->family != 0);
	return err ? err : (int)o.len;
}

int pkt_tuple(const struct pkt_spec *s, struct pkt_tuple *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	err = spec_addrs(s, t->src, t->dst);
	if (err)
		return err;
	t->family = s->family == 4 ? AF_INET : AF_INET6;
	t->proto = s->proto;
	switch (s->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case 132:
	case 136:
		t->sport = s->sport;
		t->dport = s->dport;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (!pkt_icmp_is_error(s->family, s->icmp_type))
			t->sport = t->dport = s->icmp_id;
		break;
	default:
		break;
	}
	return 0;
}

struct pkt_spec pkt_reverse(const struct pkt_spec *s)
{
	struct pkt_spec r = *s;

	if (s->family == 4) {
		r.src = s->dst ? s->dst : "10.0.0.2";
		r.dst = s->src ? s->src : "10.0.0.1";
	} else {
		r.src = s->dst ? s->dst : "fd00::2";
		r.dst = s->src ? s->src : "fd00::1";
	}
	r.sport = s->dport;
	r.dport = s->sport;
	return r;
}
