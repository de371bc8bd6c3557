/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_msgs.h - builders of the L7 messages the engine's unit tests and
 * fuzz target feed it: a TLS ClientHello record with SNI, ALPN and
 * supported_versions, and a DNS query or answer (UDP, or TCP framed).
 * The buffer must hold the message (600 bytes is plenty for short names).
 */
#ifndef FG_TESTS_L7_MSGS_H
#define FG_TESTS_L7_MSGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline size_t l7_put16(uint8_t *b, size_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
	return 2;
}

/*
 * A ClientHello record (legacy version 1.2, one cipher) with one SNI, the
 * ALPN values of the space-separated list alpn (NULL: no ALPN extension)
 * and, when sv is not 0, a supported_versions extension offering sv only.
 */
static inline size_t l7_client_hello(uint8_t *b, const char *sni,
				     const char *alpn, uint16_t sv)
{
	size_t i = 9, body, ext_at, n = strlen(sni);

	memset(b + i, 0x42, 34);
	b[i] = 3;
	b[i + 1] = 3;
	i += 34;
	b[i++] = 0;				/* session id */
	i += l7_put16(b + i, 2);
	b[i++] = 0x13;				/* TLS_AES_128_GCM_SHA256 */
	b[i++] = 0x01;
	b[i++] = 1;				/* compression: null */
	b[i++] = 0;
	ext_at = i;
	i += 2;
	i += l7_put16(b + i, 0);		/* server_name */
	i += l7_put16(b + i, n + 5);
	i += l7_put16(b + i, n + 3);
	b[i++] = 0;
	i += l7_put16(b + i, n);
	memcpy(b + i, sni, n);
	i += n;
	if (alpn) {
		size_t at, len;

		i += l7_put16(b + i, 16);
		at = i;
		i += 4;
		while (*alpn) {
			len = strcspn(alpn, " ");
			b[i++] = (uint8_t)len;
			memcpy(b + i, alpn, len);
			i += len;
			alpn += len + !!alpn[len];
		}
		l7_put16(b + at, i - at - 2);
		l7_put16(b + at + 2, i - at - 4);
	}
	if (sv) {
		i += l7_put16(b + i, 43);	/* supported_versions */
		i += l7_put16(b + i, 3);
		b[i++] = 2;
		i += l7_put16(b + i, sv);
	}
	l7_put16(b + ext_at, i - ext_at - 2);
	body = i - 9;
	b[0] = 0x16;				/* handshake record */
	b[1] = 3;
	b[2] = 1;
	l7_put16(b + 3, body + 4);
	b[5] = 1;				/* ClientHello */
	b[6] = 0;
	l7_put16(b + 7, body);
	return i;
}

/*
 * A DNS query for name, type A, id 0x1234; with answer, the response to
 * it (QR set, one A record 192.0.2.1 naming the question by pointer);
 * with tcp, behind its 2-byte length.
 */
static inline size_t l7_dns_msg(uint8_t *b, const char *name, bool answer,
				bool tcp)
{
	static const uint8_t rr[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
				      192, 0, 2, 1 };
	uint8_t *m = tcp ? b + 2 : b;
	size_t i = 12;

	memset(m, 0, 12);
	m[0] = 0x12;
	m[1] = 0x34;
	m[2] = answer ? 0x81 : 0x01;
	m[3] = answer ? 0x80 : 0;
	m[5] = 1;
	m[7] = answer ? 1 : 0;
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		m[i++] = (uint8_t)l;
		memcpy(m + i, name, l);
		i += l;
		name += l + (dot ? 1 : 0);
	}
	m[i++] = 0;
	i += l7_put16(m + i, 1);		/* type A */
	i += l7_put16(m + i, 1);		/* class IN */
	if (answer) {
		memcpy(m + i, rr, sizeof(rr));
		i += sizeof(rr);
	}
	if (!tcp)
		return i;
	l7_put16(b, i);
	return i + 2;
}

#endif /* FG_TESTS_L7_MSGS_H */
