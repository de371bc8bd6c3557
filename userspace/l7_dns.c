// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_dns.c - DNS message parsing and TCP framing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "l7_dns.h"

#define DNS_HDR_LEN	12
#define MAX_POINTERS	32	/* more is a loop or abuse */

enum { T_A = 1, T_NS = 2, T_CNAME = 5, T_PTR = 12, T_AAAA = 28 };

static unsigned int get16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/*
 * Read the name at *off into out (presentation form, lowercase). *off
 * moves past the name as it appears at that place (a pointer ends it).
 * Pointers must go strictly backwards, which also rules out loops.
 */
static int read_name(const uint8_t *m, size_t len, size_t *off, char *out)
{
	size_t pos = *off, o = 0, wire = 1, limit = *off;
	unsigned int jumps = 0;
	bool jumped = false;

	for (;;) {
		unsigned int l, i;

		if (pos >= len)
			return -EBADMSG;
		l = m[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t to;

			if (pos + 1 >= len || ++jumps > MAX_POINTERS)
				return -EBADMSG;
			to = (l & 0x3f) << 8 | m[pos + 1];
			if (to >= limit)
				return -EBADMSG;
			if (!jumped)
				*off = pos + 2;
			jumped = true;
			limit = to;
			pos = to;
			continue;
		}
		if (l & 0xc0)			/* 0x40, 0x80: not in use */
			return -EBADMSG;
		if (!l)
			break;
		wire += l + 1;
		if (wire > 255 || pos + 1 + l > len)
			return -EBADMSG;
		if (o)
			out[o++] = '.';
		for (i = 0; i < l; i++) {
			unsigned char c = m[pos + 1 + i];

			if (c <= 0x20 || c >= 0x7f || c == '.')
				return -EBADMSG;
			out[o++] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
		}
		pos += 1 + l;
	}
	if (!jumped)
		*off = pos + 1;
	if (!o)
		out[o++] = '.';
	out[o] = '\0';
	return 0;
}

static int read_answer(const uint8_t *m, size_t len, size_t *off,
		       struct fg_dns_answer *a)
{
	size_t rdlen, rd;
	int err;

	err = read_name(m, len, off, a->name);
	if (err)
		return err;
	if (len - *off < 10)
		return -EBADMSG;
	a->type = get16(m + *off);
	a->class = get16(m + *off + 2);
	a->ttl = (uint32_t)get16(m + *off + 4) << 16 | get16(m + *off + 6);
	rdlen = get16(m + *off + 8);
	rd = *off + 10;
	if (len - rd < rdlen)
		return -EBADMSG;
	*off = rd + rdlen;
	a->data[0] = '\0';
	switch (a->type) {
	case T_A:
		if (rdlen != 4 || !inet_ntop(AF_INET, m + rd, a->data, sizeof(a->data)))
			return -EBADMSG;
		break;
	case T_AAAA:
		if (rdlen != 16 || !inet_ntop(AF_INET6, m + rd, a->data, sizeof(a->data)))
			return -EBADMSG;
		break;
	case T_CNAME:
	case T_NS:
	case T_PTR: {
		size_t p = rd;

		/* The name must fit in rdata (compression may point out). */
		err = read_name(m, rd + rdlen, &p, a->data);
		if (err)
			return err;
		break;
	}
	}
	return 0;
}

int fg_dns_parse(const uint8_t *m, size_t len, struct fg_dns_msg *out)
{
	unsigned int qd, an, i;
	size_t off = DNS_HDR_LEN;
	int err;

	memset(out, 0, offsetof(struct fg_dns_msg, questions));
	out->n_answers = 0;
	out->answers_truncated = false;
	if (len < DNS_HDR_LEN)
		return -EBADMSG;
	out->id = get16(m);
	out->response = m[2] & 0x80;
	out->opcode = (m[2] >> 3) & 0xf;
	out->rcode = m[3] & 0xf;
	qd = get16(m + 4);
	an = get16(m + 6);
	if (qd > FG_DNS_MAX_QUESTIONS)
		return -E2BIG;
	for (i = 0; i < qd; i++) {
		struct fg_dns_question *q = &out->questions[i];

		err = read_name(m, len, &off, q->name);
		if (err)
			return err;
		if (len - off < 4)
			return -EBADMSG;
		q->type = get16(m + off);
		q->class = get16(m + off + 2);
		off += 4;
		out->n_questions++;
	}
	for (i = 0; i < an; i++) {
		if (i == FG_DNS_MAX_ANSWERS) {
			out->answers_truncated = true;
			break;
		}
		err = read_answer(m, len, &off, &out->answers[i]);
		if (err)
			return err;
		out->n_answers++;
	}
	return 0;
}

void fg_dns_tcp_init(struct fg_dns_tcp *t)
{
	t->error = 0;
	t->hdr_len = 0;
	t->need = 0;
	t->have = 0;
}

int fg_dns_tcp_feed(struct fg_dns_tcp *t, const void *data, size_t len,
		    fg_dns_msg_cb cb, void *arg)
{
	const uint8_t *s = data;
	int ret;

	if (t->error)
		return t->error;
	while (len) {
		if (t->hdr_len < 2) {
			t->hdr[t->hdr_len++] = *s++;
			len--;
			if (t->hdr_len < 2)
				continue;
			t->need = get16(t->hdr);
			t->have = 0;
			if (!t->need || t->need > FG_DNS_TCP_MAX) {
				t->error = t->need ? -E2BIG : -EBADMSG;
				return t->error;
			}
			continue;
		}
		{
			size_t n = t->need - t->have;

			if (n > len)
				n = len;
			memcpy(t->buf + t->have, s, n);
			t->have += n;
			s += n;
			len -= n;
		}
		if (t->have == t->need) {
			t->hdr_len = 0;
			ret = cb ? cb(t->buf, t->need, arg) : 0;
			if (ret)
				return ret;
		}
	}
	return 0;
}
