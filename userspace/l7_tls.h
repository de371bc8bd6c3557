/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_tls.h - TLS ClientHello parser: SNI, ALPN, versions, JA3 and JA4.
 *
 * Fed the client->server stream in order, in chunks of any size; collects
 * the handshake records (a ClientHello may span several) into a bounded
 * buffer and parses the hello once complete. Fixed-size, no allocation.
 */
#ifndef FG_L7_TLS_H
#define FG_L7_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_TLS_MAX_HELLO	16384	/* handshake message bytes */
#define FG_TLS_MAX_ALPN		8
#define FG_TLS_MAX_ALPN_LEN	63
#define FG_TLS_MAX_LIST		512	/* ciphers, extensions, groups... */
#define FG_TLS_JA3_MAX		1024	/* stored prefix of the JA3 string */

struct fg_tls_hello {
	uint16_t legacy_version;	/* ClientHello.legacy_version */
	uint16_t version;		/* highest of supported_versions, else legacy */
	bool has_sni;
	char sni[256];			/* lowercase, no trailing dot */
	unsigned int n_alpn;		/* ALPN protocols stored */
	bool alpn_truncated;		/* more, or longer, than stored */
	char alpn[FG_TLS_MAX_ALPN][FG_TLS_MAX_ALPN_LEN + 1];
	unsigned int n_ciphers, n_extensions;	/* GREASE excluded */
	char ja3[FG_TLS_JA3_MAX];	/* the string (its first bytes if longer) */
	bool ja3_truncated;
	char ja3_md5[33];		/* over the whole string */
	char ja4[40];
};

enum fg_tls_state { FG_TLS_REC_HDR, FG_TLS_REC_BODY, FG_TLS_DONE };

struct fg_tls_parser {
	enum fg_tls_state state;
	int error;
	uint8_t rec_hdr[5];
	unsigned int rec_hdr_len;
	size_t rec_left;
	size_t msg_len;
	uint8_t msg[FG_TLS_MAX_HELLO + 4];
	struct fg_tls_hello hello;
};

void fg_tls_init(struct fg_tls_parser *p);
/*
 * 0 need more; 1 the hello is parsed (p->hello; later bytes are ignored);
 * -EBADMSG malformed / not a TLS handshake; -EPROTO the first handshake
 * message is not a ClientHello; -E2BIG over the limits above.
 */
int fg_tls_feed(struct fg_tls_parser *p, const void *data, size_t len);

/* Is this ALPN protocol id a GREASE value (RFC 8701: two equal bytes
 * 0x?A)? The parser drops them from fg_tls_hello.alpn. */
bool fg_tls_alpn_grease(const void *id, size_t len);

/* Parse a complete ClientHello body (after the 4-byte handshake header). */
int fg_tls_parse_hello(const uint8_t *b, size_t len, struct fg_tls_hello *h);

#endif
