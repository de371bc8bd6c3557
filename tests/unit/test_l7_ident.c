// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_ident.c - application identification: real-shaped first bytes of
 * each protocol (client and server side), split at every byte boundary and
 * fed byte by byte (same answer); HTTP/2 vs gRPC through HPACK (nghttp2's
 * encoder, Huffman included); look-alikes (FTP banner, HTTP/2 preface vs
 * HTTP/1); near misses of each (one field broken: not taken for it);
 * unknown payloads; the budget; bad arguments.
 */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <nghttp2/nghttp2.h>

#include "l7_ident.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

struct sample {
	const char *what;
	const uint8_t *b;
	size_t n;
};

static struct fg_l7_ident *ident_new(uint8_t proto)
{
	struct fg_l7_ident *id = malloc(sizeof(*id));

	assert_non_null(id);
	fg_l7_ident_init(id, proto, 0);
	return id;
}

/*
 * Feed b to a fresh id one way: way <= n, in two at offset `way`; way ==
 * n + 1, byte by byte (stopping once decided). Returns the status.
 */
static int feed_way(struct fg_l7_ident *id, uint8_t proto, enum fg_l7_dir dir,
		    const uint8_t *b, size_t n, size_t way)
{
	size_t i;
	int st;

	fg_l7_ident_init(id, proto, 0);
	if (way <= n) {
		st = fg_l7_ident_feed(id, dir, b, way);
		if (st == FG_IDENT_MORE)
			st = fg_l7_ident_feed(id, dir, b + way, n - way);
		return st;
	}
	for (i = 0, st = FG_IDENT_MORE; i < n && st == FG_IDENT_MORE; i++)
		st = fg_l7_ident_feed(id, dir, b + i, 1);
	return st;
}

/*
 * Identify b in one chunk, in two at every offset, and byte by byte; each
 * must give want (FG_IDENT_DONE with that app). A UDP datagram is whole.
 */
static void expect(uint8_t proto, enum fg_l7_dir dir, const uint8_t *b, size_t n,
		   enum fg_app want)
{
	struct fg_l7_ident *id = ident_new(proto);
	size_t k, last = proto == IPPROTO_UDP ? n : n + 1;
	int st;

	for (k = proto == IPPROTO_UDP ? n : 0; k <= last; k++) {
		st = feed_way(id, proto, dir, b, n, k);
		if (st != FG_IDENT_DONE || id->app != want)
			fail_msg("way %zu: status %d app %s, want %s", k, st,
				 fg_app_name(id->app), fg_app_name(want));
	}
	free(id);
}

/* Feed b as expect() does, then end the flow (finish): at no split may it
 * be taken for `not`. For near misses: one field of a real sample broken. */
static void reject(uint8_t proto, enum fg_l7_dir dir, const uint8_t *b, size_t n,
		   enum fg_app not)
{
	struct fg_l7_ident *id = ident_new(proto);
	size_t k;
	int st;

	for (k = 0; k <= n + 1; k++) {
		st = feed_way(id, proto, dir, b, n, k);
		if (st == FG_IDENT_MORE)
			st = fg_l7_ident_finish(id);
		assert_true(st == FG_IDENT_DONE || st == FG_IDENT_GAVE_UP);
		if (id->app == not)
			fail_msg("way %zu: taken for %s", k, fg_app_name(not));
	}
	free(id);
}

/* A copy of sample b with byte at `at` set to v (b at most 256 bytes). */
static const uint8_t *broken(const uint8_t *b, size_t n, size_t at, uint8_t v)
{
	static uint8_t buf[256];

	assert_true(n <= sizeof(buf) && at < n);
	memcpy(buf, b, n);
	buf[at] = v;
	return buf;
}

/* ---- samples ---- */

static const uint8_t tls_client[] = {	/* openssl s_client ClientHello, start */
	0x16, 0x03, 0x01, 0x01, 0x4b, 0x01, 0x00, 0x01, 0x47, 0x03, 0x03, 0x3e,
	0x1a, 0x3b, 0xec, 0xf5, 0x2d, 0xdb, 0x7e, 0x8d,
};
static const uint8_t tls_server[] = {	/* ServerHello, start */
	0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03, 0x9c,
};
static const uint8_t dns_query[] = {
	0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	3, 'w', 'w', 'w', 4, 'S', 'h', 'o', 'p', 7, 'E', 'x', 'a', 'm', 'p', 'l', 'e', 0,
	0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t dns_response[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	3, 'w', 'w', 'w', 0, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04,
	192, 0, 2, 7,
};
static const uint8_t mysql_greeting[] = {	/* MySQL 8.0 Handshake v10, start */
	0x4a, 0x00, 0x00, 0x00, 0x0a, '8', '.', '0', '.', '3', '6', 0x00,
	0x0b, 0x00, 0x00, 0x00, 0x1f, 0x4e, 0x20, 0x6c, 0x0d, 0x24, 0x03, 0x5d, 0x00,
	0xff, 0xff, 0xff, 0x02, 0x00, 0xff, 0xdf, 0x15,
};
static const uint8_t mysql_login[] = {	/* HandshakeResponse41, start */
	0xb8, 0x00, 0x00, 0x01, 0x8d, 0xa6, 0xff, 0x19, 0x00, 0x00, 0x00, 0x01,
	0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	'r', 'o', 'o', 't', 0x00,
};
static const uint8_t pg_startup[] = {
	0x00, 0x00, 0x00, 0x54, 0x00, 0x03, 0x00, 0x00,
	'u', 's', 'e', 'r', 0, 'p', 'o', 's', 't', 'g', 'r', 'e', 's', 0,
	'd', 'a', 't', 'a', 'b', 'a', 's', 'e', 0, 'p', 'o', 's', 't', 'g', 'r', 'e', 's', 0,
	'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '_', 'n', 'a', 'm', 'e', 0,
	'p', 's', 'q', 'l', 0,
	'c', 'l', 'i', 'e', 'n', 't', '_', 'e', 'n', 'c', 'o', 'd', 'i', 'n', 'g', 0,
	'U', 'T', 'F', '8', 0, 0,
};
static const uint8_t pg_ssl[] = { 0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f };
static const uint8_t mongo_hello[] = {	/* OP_MSG {hello: 1, $db: "admin"} */
	0x35, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xdd, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x00, 0x00, 0x00, 0x10, 'h', 'e', 'l', 'l', 'o', 0, 0x01, 0x00, 0x00, 0x00,
	0x02, '$', 'd', 'b', 0, 0x06, 0x00, 0x00, 0x00, 'a', 'd', 'm', 'i', 'n', 0, 0x00,
};
static const uint8_t mongo_reply[] = {	/* OP_MSG answer to request 1 */
	0x26, 0x00, 0x00, 0x00, 0x77, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xdd, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x11, 0x00, 0x00, 0x00, 0x01, 'o', 'k', 0, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x00,
};
static const uint8_t kafka_apiversions[] = {	/* ApiVersions v3, kafka-console-producer */
	0x00, 0x00, 0x00, 0x34, 0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x10, 'c', 'o', 'n', 's', 'o', 'l', 'e', '-', 'p', 'r', 'o', 'd', 'u', 'c', 'e', 'r',
	0x00, 0x12, 'a', 'p', 'a', 'c', 'h', 'e', '-', 'k', 'a', 'f', 'k', 'a', '-', 'j', 'a', 'v', 'a',
	0x06, '3', '.', '4', '.', '0', 0x00,
};

static void test_client_side(void **state)
{
	const uint8_t tcp_dns[] = { 0x00, sizeof(dns_query) };
	uint8_t buf[256];

	expect(IPPROTO_TCP, FG_L7_C2S,
	       S("GET /index.html HTTP/1.1\r\nHost: shop.example\r\n"
		 "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"), FG_APP_HTTP);
	expect(IPPROTO_TCP, FG_L7_C2S, S("POST /api HTTP/1.0\r\n\r\n"), FG_APP_HTTP);
	expect(IPPROTO_TCP, FG_L7_C2S, tls_client, sizeof(tls_client), FG_APP_TLS);
	expect(IPPROTO_TCP, FG_L7_C2S, S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), FG_APP_SSH);
	expect(IPPROTO_TCP, FG_L7_C2S, mysql_login, sizeof(mysql_login), FG_APP_MYSQL);
	expect(IPPROTO_TCP, FG_L7_C2S, pg_startup, sizeof(pg_startup), FG_APP_POSTGRESQL);
	expect(IPPROTO_TCP, FG_L7_C2S, pg_ssl, sizeof(pg_ssl), FG_APP_POSTGRESQL);
	expect(IPPROTO_TCP, FG_L7_C2S, S("*1\r\n$4\r\nPING\r\n"), FG_APP_REDIS);
	expect(IPPROTO_TCP, FG_L7_C2S, S("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), FG_APP_REDIS);
	expect(IPPROTO_TCP, FG_L7_C2S, S("PING\r\n"), FG_APP_REDIS);
	expect(IPPROTO_TCP, FG_L7_C2S, mongo_hello, sizeof(mongo_hello), FG_APP_MONGODB);
	expect(IPPROTO_TCP, FG_L7_C2S, kafka_apiversions, sizeof(kafka_apiversions), FG_APP_KAFKA);
	expect(IPPROTO_TCP, FG_L7_C2S, S("EHLO client.example\r\n"), FG_APP_SMTP);
	expect(IPPROTO_UDP, FG_L7_C2S, dns_query, sizeof(dns_query), FG_APP_DNS);
	memcpy(buf, tcp_dns, 2);
	memcpy(buf + 2, dns_query, sizeof(dns_query));
	expect(IPPROTO_TCP, FG_L7_C2S, buf, sizeof(dns_query) + 2, FG_APP_DNS);
}

static void test_server_side(void **state)
{
	expect(IPPROTO_TCP, FG_L7_S2C,
	       S("HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n\r\n"), FG_APP_HTTP);
	expect(IPPROTO_TCP, FG_L7_S2C, tls_server, sizeof(tls_server), FG_APP_TLS);
	expect(IPPROTO_TCP, FG_L7_S2C, S("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"), FG_APP_SSH);
	expect(IPPROTO_TCP, FG_L7_S2C, mysql_greeting, sizeof(mysql_greeting), FG_APP_MYSQL);
	expect(IPPROTO_TCP, FG_L7_S2C, mongo_reply, sizeof(mongo_reply), FG_APP_MONGODB);
	expect(IPPROTO_TCP, FG_L7_S2C, S("+PONG\r\n"), FG_APP_REDIS);
	expect(IPPROTO_TCP, FG_L7_S2C, S("220 mail.example ESMTP Postfix (Debian/GNU)\r\n"), FG_APP_SMTP);
	expect(IPPROTO_UDP, FG_L7_S2C, dns_response, sizeof(dns_response), FG_APP_DNS);
}

/* ---- HTTP/2 and gRPC ---- */

static size_t frame(uint8_t *out, uint8_t type, uint8_t flags, uint32_t stream,
		    const uint8_t *payload, size_t n)
{
	out[0] = n >> 16, out[1] = n >> 8, out[2] = n;
	out[3] = type, out[4] = flags;
	out[5] = stream >> 24, out[6] = stream >> 16, out[7] = stream >> 8, out[8] = stream;
	memcpy(out + 9, payload, n);
	return 9 + n;
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, 0 }

/*
 * What a client sends first with prior knowledge: preface, SETTINGS,
 * WINDOW_UPDATE, then the HEADERS of stream 1 (split into HEADERS +
 * CONTINUATION when split_headers, padded when padded).
 */
static size_t h2_client(uint8_t *out, bool grpc, bool split_headers, bool padded)
{
	nghttp2_nv grpc_nv[] = {
		NV(":method", "POST"), NV(":scheme", "http"),
		NV(":path", "/helloworld.Greeter/SayHello"), NV(":authority", "localhost:50051"),
		NV("content-type", "application/grpc"), NV("user-agent", "grpc-c/1.51.1"),
		NV("te", "trailers"),
	};
	nghttp2_nv http_nv[] = {
		NV(":method", "GET"), NV(":scheme", "http"), NV(":path", "/"),
		NV(":authority", "shop.example"), NV("user-agent", "curl/7.88.1"),
		NV("accept", "*/*"),
	};
	static const uint8_t settings[] = { 0x00, 0x03, 0x00, 0x00, 0x00, 0x64,
					    0x00, 0x04, 0x02, 0x00, 0x00, 0x00 };
	static const uint8_t window[] = { 0x3e, 0x7f, 0x00, 0x01 };
	uint8_t blk[512], pl[600];
	nghttp2_hd_deflater *def;
	ssize_t bn;
	size_t n = 0;

	assert_int_equal(nghttp2_hd_deflate_new(&def, 4096), 0);
	bn = grpc ? nghttp2_hd_deflate_hd(def, blk, sizeof(blk), grpc_nv, 7)
		  : nghttp2_hd_deflate_hd(def, blk, sizeof(blk), http_nv, 6);
	nghttp2_hd_deflate_del(def);
	assert_true(bn > 10);

	memcpy(out, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 24);
	n = 24;
	n += frame(out + n, 4, 0, 0, settings, sizeof(settings));
	n += frame(out + n, 8, 0, 0, window, sizeof(window));
	if (split_headers) {
		n += frame(out + n, 1, 0x1, 1, blk, 5);		/* END_STREAM */
		n += frame(out + n, 9, 0x4, 1, blk + 5, bn - 5);	/* END_HEADERS */
	} else if (padded) {
		pl[0] = 3;					/* pad length */
		memcpy(pl + 1, "\x80\x00\x00\x03\x0f", 5);	/* priority */
		memcpy(pl + 6, blk, bn);
		memset(pl + 6 + bn, 0, 3);
		n += frame(out + n, 1, 0x4 | 0x8 | 0x20, 1, pl, bn + 9);
	} else {
		n += frame(out + n, 1, 0x4, 1, blk, bn);
	}
	return n;
}

static void test_h2_grpc(void **state)
{
	struct fg_l7_ident *id = ident_new(IPPROTO_TCP);
	uint8_t b[1024];
	size_t n;

	n = h2_client(b, false, false, false);
	expect(IPPROTO_TCP, FG_L7_C2S, b, n, FG_APP_HTTP2);
	n = h2_client(b, true, false, false);
	expect(IPPROTO_TCP, FG_L7_C2S, b, n, FG_APP_GRPC);
	n = h2_client(b, true, true, false);
	expect(IPPROTO_TCP, FG_L7_C2S, b, n, FG_APP_GRPC);
	n = h2_client(b, true, false, true);
	expect(IPPROTO_TCP, FG_L7_C2S, b, n, FG_APP_GRPC);
	n = h2_client(b, false, true, false);
	expect(IPPROTO_TCP, FG_L7_C2S, b, n, FG_APP_HTTP2);

	/* The preface alone waits for the request, then settles on HTTP/2. */
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, b, 24 + 21), FG_IDENT_MORE);
	assert_int_equal(fg_l7_ident_finish(id), FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_HTTP2);

	/* HTTP/1 "PRI" is not a method we know: the preface decides. */
	fg_l7_ident_init(id, IPPROTO_TCP, 0);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("PRI * HTTP/1.1\r\n\r\n")), FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_OTHER);
	free(id);
}

/* ---- not what it looks like ---- */

static void test_other(void **state)
{
	struct fg_l7_ident *id = ident_new(IPPROTO_TCP);
	static const uint8_t junk[] = { 0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x00, 0x00,
					0x9a, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 };

	expect(IPPROTO_TCP, FG_L7_C2S, junk, sizeof(junk), FG_APP_OTHER);
	expect(IPPROTO_TCP, FG_L7_C2S, S("USER anonymous\r\n"), FG_APP_OTHER);
	expect(IPPROTO_TCP, FG_L7_C2S, S("GET / HTTP/2.0\r\n"), FG_APP_OTHER);
	expect(IPPROTO_TCP, FG_L7_C2S, S("GET  / HTTP/1.1\r\n"), FG_APP_OTHER);
	expect(IPPROTO_TCP, FG_L7_C2S, S("HELP\r\n"), FG_APP_OTHER);
	expect(IPPROTO_UDP, FG_L7_C2S, S("hello over udp"), FG_APP_OTHER);
	/* a DNS response sent by the client is not DNS */
	expect(IPPROTO_UDP, FG_L7_C2S, dns_response, sizeof(dns_response), FG_APP_OTHER);

	/* An FTP banner is not SMTP: the flow waits for the client. */
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_S2C,
					  S("220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n")),
			 FG_IDENT_MORE);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("USER ftp\r\n")), FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_OTHER);
	/* once decided, more bytes change nothing */
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("GET / HTTP/1.1\r\n")), FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_OTHER);
	free(id);
}

/* Near misses: each real sample with one field broken is not taken for
 * its app (split anywhere, then the flow ends). */
static void test_near_misses(void **state)
{
#define NEAR(dir, sample, at, v, app) \
	reject(IPPROTO_TCP, dir, broken(sample, sizeof(sample), at, v), sizeof(sample), app)
	/* SSH: another version, lower case */
	reject(IPPROTO_TCP, FG_L7_C2S, S("SSH-3.0-OpenSSH_9.2\r\n"), FG_APP_SSH);
	reject(IPPROTO_TCP, FG_L7_S2C, S("ssh-2.0-OpenSSH_9.2\r\n"), FG_APP_SSH);
	/* SMTP: no space after the verb; a banner not naming SMTP */
	reject(IPPROTO_TCP, FG_L7_C2S, S("EHLOclient.example\r\n"), FG_APP_SMTP);
	reject(IPPROTO_TCP, FG_L7_S2C, S("220 mail.example ready\r\n"), FG_APP_SMTP);
	reject(IPPROTO_TCP, FG_L7_S2C, S("221 mail.example ESMTP\r\n"), FG_APP_SMTP);
	/* PostgreSQL: protocol 2.0, startup not ending in two NULs, an
	 * SSLRequest of the wrong length, a parameter name not a word */
	NEAR(FG_L7_C2S, pg_startup, 5, 0x02, FG_APP_POSTGRESQL);
	NEAR(FG_L7_C2S, pg_startup, sizeof(pg_startup) - 2, 'x', FG_APP_POSTGRESQL);
	NEAR(FG_L7_C2S, pg_ssl, 3, 0x09, FG_APP_POSTGRESQL);
	NEAR(FG_L7_C2S, pg_startup, 8, 'U', FG_APP_POSTGRESQL);
	/* MySQL: protocol 9, greeting with sequence id 1, a version not
	 * starting with a digit; a login without CLIENT_PROTOCOL_41 or with
	 * a non-zero filler byte */
	NEAR(FG_L7_S2C, mysql_greeting, 4, 0x09, FG_APP_MYSQL);
	NEAR(FG_L7_S2C, mysql_greeting, 3, 0x01, FG_APP_MYSQL);
	NEAR(FG_L7_S2C, mysql_greeting, 5, 'v', FG_APP_MYSQL);
	NEAR(FG_L7_C2S, mysql_login, 5, 0x00, FG_APP_MYSQL);
	NEAR(FG_L7_C2S, mysql_login, 20, 0x01, FG_APP_MYSQL);
	/* MongoDB: an unknown opCode, responseTo set by a client, a message
	 * length below a header, OP_MSG flag bits nobody sets */
	NEAR(FG_L7_C2S, mongo_hello, 12, 0xde, FG_APP_MONGODB);
	NEAR(FG_L7_C2S, mongo_hello, 8, 0x05, FG_APP_MONGODB);
	NEAR(FG_L7_C2S, mongo_hello, 0, 0x10, FG_APP_MONGODB);
	NEAR(FG_L7_C2S, mongo_hello, 17, 0x40, FG_APP_MONGODB);
	NEAR(FG_L7_S2C, mongo_reply, 8, 0x00, FG_APP_MONGODB);
	/* Redis: a bulk string without '$', no count, a bad inline command */
	reject(IPPROTO_TCP, FG_L7_C2S, S("*1\r\n+PING\r\n"), FG_APP_REDIS);
	reject(IPPROTO_TCP, FG_L7_C2S, S("*x\r\n$4\r\nPING\r\n"), FG_APP_REDIS);
	reject(IPPROTO_TCP, FG_L7_C2S, S("*\r\n$4\r\nPING\r\n"), FG_APP_REDIS);
	reject(IPPROTO_TCP, FG_L7_C2S, S("PINGX\r\n"), FG_APP_REDIS);
	reject(IPPROTO_TCP, FG_L7_S2C, S("+PONGS\r\n"), FG_APP_REDIS);
	/* Kafka: api key 200, a client id with a control byte, a client id
	 * longer than the request */
	NEAR(FG_L7_C2S, kafka_apiversions, 5, 200, FG_APP_KAFKA);
	NEAR(FG_L7_C2S, kafka_apiversions, 16, 0x01, FG_APP_KAFKA);
	NEAR(FG_L7_C2S, kafka_apiversions, 13, 0x7f, FG_APP_KAFKA);
	/* DNS over TCP: a response sent by the client */
	{
		uint8_t buf[2 + sizeof(dns_response)] = { 0x00, sizeof(dns_response) };

		memcpy(buf + 2, dns_response, sizeof(dns_response));
		reject(IPPROTO_TCP, FG_L7_C2S, buf, sizeof(buf), FG_APP_DNS);
	}
#undef NEAR
}

static void test_budget(void **state)
{
	struct fg_l7_ident *id = malloc(sizeof(*id));
	uint8_t junk[300];
	int i, st = FG_IDENT_MORE;

	assert_non_null(id);
	/* Server bytes never settle it; the budget ends the wait. */
	memset(junk, 0x7f, sizeof(junk));
	fg_l7_ident_init(id, IPPROTO_TCP, 1000);
	for (i = 0; i < 3; i++)
		assert_int_equal(fg_l7_ident_feed(id, FG_L7_S2C, junk, sizeof(junk)), FG_IDENT_MORE);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_S2C, junk, sizeof(junk)), FG_IDENT_GAVE_UP);
	assert_int_equal(id->app, FG_APP_UNKNOWN);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("GET / HTTP/1.1\r\n")), FG_IDENT_GAVE_UP);

	/* A request line longer than the buffer is still HTTP. */
	fg_l7_ident_init(id, IPPROTO_TCP, 0);
	st = fg_l7_ident_feed(id, FG_L7_C2S, S("GET /"));
	for (i = 0; i < 20 && st == FG_IDENT_MORE; i++) {
		memset(junk, 'a', sizeof(junk));
		st = fg_l7_ident_feed(id, FG_L7_C2S, junk, sizeof(junk));
	}
	assert_int_equal(st, FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_HTTP);

	/* finish() on nothing at all */
	fg_l7_ident_init(id, IPPROTO_TCP, 0);
	assert_int_equal(fg_l7_ident_finish(id), FG_IDENT_GAVE_UP);
	/* finish() on a complete-looking prefix decides it */
	fg_l7_ident_init(id, IPPROTO_TCP, 0);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("SSH-2.0")), FG_IDENT_MORE);
	assert_int_equal(fg_l7_ident_finish(id), FG_IDENT_GAVE_UP);
	fg_l7_ident_init(id, IPPROTO_TCP, 0);
	assert_int_equal(fg_l7_ident_feed(id, FG_L7_C2S, S("GET / HTTP/1.1")), FG_IDENT_MORE);
	assert_int_equal(fg_l7_ident_finish(id), FG_IDENT_DONE);
	assert_int_equal(id->app, FG_APP_HTTP);

	assert_int_equal(fg_l7_ident_feed(id, 2, S("x")), -EINVAL);
	assert_string_equal(fg_app_name(FG_APP_GRPC), "grpc");
	assert_string_equal(fg_app_name(FG_APP_MAX), "invalid");
	for (i = 0; i < FG_APP_MAX; i++)
		if (i != FG_APP_UNKNOWN && i != FG_APP_OTHER)
			assert_int_equal(fg_app_from_name(fg_app_name(i)), i);
	assert_int_equal(fg_app_from_name("postgresql"), FG_APP_POSTGRESQL);
	assert_int_equal(fg_app_from_name("unknown"), -ENOENT);
	assert_int_equal(fg_app_from_name("other"), -ENOENT);
	assert_int_equal(fg_app_from_name("HTTP"), -ENOENT);
	assert_int_equal(fg_app_from_name(""), -ENOENT);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_side),
		cmocka_unit_test(test_server_side),
		cmocka_unit_test(test_h2_grpc),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_near_misses),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
