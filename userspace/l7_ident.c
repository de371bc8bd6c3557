// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_ident.c - protocol signatures on the first bytes of each direction.
 *
 * Each detector looks at one direction's prefix and answers: the app, NO
 * (this prefix cannot start that protocol) or MORE (too short to tell).
 * "full" tells a detector that no more bytes will come for this prefix
 * (buffer full, datagram, or finish), so it must decide.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <nghttp2/nghttp2.h>

#include "l7_dns.h"
#include "l7_ident.h"

#define DET_NO		(-1)
#define DET_MORE	(-2)

#define FG_X_APP_NAME(id, str) [FG_APP_##id] = str,
static const char *const app_names[FG_APP_MAX] = { FG_APPS(FG_X_APP_NAME) };

const char *fg_app_name(enum fg_app app)
{
	return (unsigned int)app < FG_APP_MAX ? app_names[app] : "invalid";
}

int fg_app_from_name(const char *name)
{
	int i;

	/* "unknown" and "other" are results, not something a rule can ask for */
	for (i = 0; i < FG_APP_MAX; i++)
		if (i != FG_APP_UNKNOWN && i != FG_APP_OTHER && !strcmp(app_names[i], name))
			return i;
	return -ENOENT;
}

struct prefix {
	const uint8_t *b;
	size_t n;
	bool full;
	enum fg_l7_dir dir;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * Compare the prefix with a literal: DET_MORE while the prefix is a strict
 * prefix of it, DET_NO on a difference, 0 when it is all there.
 */
static int starts(const struct prefix *p, const char *lit, bool nocase)
{
	size_t n = strlen(lit), m = p->n < n ? p->n : n;

	if (nocase ? strncasecmp((const char *)p->b, lit, m) : memcmp(p->b, lit, m))
		return DET_NO;
	if (m < n)
		return p->full ? DET_NO : DET_MORE;
	return 0;
}

/* First line's length without its end, or -1 if no '\n' in the prefix. */
static long line_len(const struct prefix *p)
{
	const uint8_t *e = memchr(p->b, '\n', p->n);

	if (!e)
		return -1;
	return e - p->b - (e > p->b && e[-1] == '\r');
}

/* ---- TLS: a handshake record carrying a ClientHello / ServerHello ---- */
static int det_tls(const struct prefix *p)
{
	static const uint8_t want[2] = { 1, 2 };	/* c2s, s2c hello */
	uint8_t hdr[6] = { 0x16, 0x03 };
	size_t i;

	for (i = 0; i < p->n && i < 6; i++) {
		bool ok;

		switch (i) {
		case 2: ok = p->b[2] <= 4; break;
		case 3: ok = p->b[3] <= 0x40; break;	/* record <= 16 KiB + slack */
		case 4: ok = p->b[3] || p->b[4] >= 4; break;
		case 5: ok = p->b[5] == want[p->dir]; break;
		default: ok = p->b[i] == hdr[i]; break;
		}
		if (!ok)
			return DET_NO;
	}
	return i == 6 ? FG_APP_TLS : p->full ? DET_NO : DET_MORE;
}

/* ---- HTTP/1.x ---- */
static const char *const http_methods[] = {
	"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT",
	"TRACE", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "REPORT", "SEARCH",
};

static int det_http(const struct prefix *p)
{
	size_t i, m, end;
	bool more = false;
	long ll;

	if (p->dir == FG_L7_S2C) {		/* "HTTP/1.x NNN" */
		int r = starts(p, "HTTP/1.", false);

		if (r)
			return r;
		if (p->n < 12)
			return p->full ? DET_NO : DET_MORE;
		return (p->b[7] == '0' || p->b[7] == '1') && p->b[8] == ' ' &&
		       p->b[9] >= '1' && p->b[9] <= '5' ? FG_APP_HTTP : DET_NO;
	}
	for (i = 0; i < sizeof(http_methods) / sizeof(http_methods[0]); i++) {
		m = strlen(http_methods[i]);
		if (p->n <= m) {
			if (!memcmp(p->b, http_methods[i], p->n))
				more = true;
			continue;
		}
		if (!memcmp(p->b, http_methods[i], m) && p->b[m] == ' ')
			break;
	}
	if (i == sizeof(http_methods) / sizeof(http_methods[0]))
		return more && !p->full ? DET_MORE : DET_NO;
	/* METHOD SP target SP HTTP/1.x: the target is visible ASCII. */
	ll = line_len(p);
	end = ll < 0 ? p->n : (size_t)ll;
	for (i = m + 1; i < end && p->b[i] != ' '; i++)
		if (p->b[i] < 0x21 || p->b[i] > 0x7e)
			return DET_NO;
	if (i == m + 1 && i < end)
		return DET_NO;			/* empty target */
	if (i == end) {			/* line not complete yet */
		if (ll >= 0)
			return DET_NO;
		/* a long target filling the whole buffer is still HTTP */
		return p->full ? (i > m + 1 ? FG_APP_HTTP : DET_NO) : DET_MORE;
	}
	i++;
	/* "HTTP/1.0" or "HTTP/1.1", then the end of the line ('\r' seen if cut) */
	m = end - i;
	if (ll < 0 && m > 9)
		return DET_NO;
	if (ll >= 0 && m != 8)
		return DET_NO;
	if (memcmp(p->b + i, "HTTP/1.", m < 7 ? m : 7) ||
	    (m > 7 && p->b[i + 7] != '0' && p->b[i + 7] != '1') ||
	    (m > 8 && p->b[i + 8] != '\r'))
		return DET_NO;
	if (ll < 0 && m < 8)
		return p->full ? DET_NO : DET_MORE;
	if (ll < 0 && !p->full)
		return DET_MORE;
	return FG_APP_HTTP;
}

/* ---- HTTP/2 prior knowledge, gRPC from the first request's headers ---- */
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define H2_PREFACE_LEN 24

/* Decode one header block; FG_APP_GRPC if content-type is application/grpc*. */
static int h2_headers_app(const uint8_t *blk, size_t len)
{
	nghttp2_hd_inflater *inf;
	int app = FG_APP_HTTP2;

	if (nghttp2_hd_inflate_new(&inf))
		return FG_APP_HTTP2;
	for (;;) {
		nghttp2_nv nv;
		int flags = 0;
		ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &flags, blk, len, 1);

		if (rv < 0)
			break;
		blk += rv;
		len -= rv;
		if (flags & NGHTTP2_HD_INFLATE_EMIT && nv.namelen == 12 &&
		    !memcmp(nv.name, "content-type", 12) && nv.valuelen >= 16 &&
		    !strncasecmp((const char *)nv.value, "application/grpc", 16)) {
			app = FG_APP_GRPC;
			break;
		}
		if (flags & NGHTTP2_HD_INFLATE_FINAL)
			break;
		if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && !len)
			break;
	}
	nghttp2_hd_inflate_del(inf);
	return app;
}

static int det_h2(const struct prefix *p, uint8_t *provisional)
{
	uint8_t blk[FG_IDENT_BUF];
	size_t off = H2_PREFACE_LEN, blen = 0;
	bool in_headers = false;
	int r;

	if (p->dir != FG_L7_C2S)
		return DET_NO;
	r = starts(p, H2_PREFACE, false);
	if (r)
		return r;
	/* The preface alone is HTTP/2; the first request tells gRPC. */
	*provisional = FG_APP_HTTP2;
	while (p->n - off >= 9) {
		const uint8_t *f = p->b + off;
		size_t flen = (size_t)f[0] << 16 | f[1] << 8 | f[2], hoff = 0, pad = 0;
		uint8_t type = f[3], flags = f[4];
		uint32_t stream = be32(f + 5) & 0x7fffffff;

		if (p->n - off - 9 < flen)
			break;
		if (in_headers && type != 9)	/* CONTINUATION must follow */
			return FG_APP_HTTP2;
		if (type == 1 && stream) {		/* HEADERS */
			if (flags & 0x8) {		/* PADDED */
				if (!flen)
					return FG_APP_HTTP2;
				pad = f[9];
				hoff = 1;
			}
			if (flags & 0x20)		/* PRIORITY */
				hoff += 5;
			if (hoff + pad > flen)
				return FG_APP_HTTP2;
			memcpy(blk + blen, f + 9 + hoff, flen - hoff - pad);
			blen += flen - hoff - pad;
			in_headers = true;
		} else if (type == 9 && in_headers) {	/* CONTINUATION */
			memcpy(blk + blen, f + 9, flen);
			blen += flen;
		}
		if (in_headers && (flags & 0x4))	/* END_HEADERS */
			return h2_headers_app(blk, blen);
		off += 9 + flen;
	}
	return p->full ? FG_APP_HTTP2 : DET_MORE;
}

/* Either literal: the app if one is complete, MORE if one may still be. */
static int either(const struct prefix *p, const char *a, const char *b,
		  bool nocase, int app)
{
	int ra = starts(p, a, nocase), rb = starts(p, b, nocase);

	if (!ra || !rb)
		return app;
	return ra == DET_MORE || rb == DET_MORE ? DET_MORE : DET_NO;
}

/* ---- SSH: the identification string, either side (RFC 4253 4.2) ---- */
static int det_ssh(const struct prefix *p)
{
	return either(p, "SSH-2.0-", "SSH-1.99-", false, FG_APP_SSH);
}

/* ---- SMTP: "220 ... SMTP" banner, or the client's EHLO/HELO ---- */
static int det_smtp(const struct prefix *p)
{
	long ll;
	int r;

	if (p->dir == FG_L7_C2S)
		return either(p, "EHLO ", "HELO ", true, FG_APP_SMTP);
	r = either(p, "220 ", "220-", false, 0);
	if (r)
		return r;
	/* FTP greets with "220" too: the line must name (E)SMTP. */
	ll = line_len(p);
	if (ll < 0)
		return p->full ? DET_NO : DET_MORE;
	return memmem(p->b, ll, "SMTP", 4) ? FG_APP_SMTP : DET_NO;
}

/* ---- PostgreSQL: StartupMessage, SSLRequest, GSSENCRequest, Cancel ---- */
static int det_pgsql(const struct prefix *p)
{
	uint32_t len, code;

	if (p->dir != FG_L7_C2S)
		return DET_NO;
	if (p->n >= 2 && (p->b[0] || p->b[1]))	/* length < 64 KiB */
		return DET_NO;
	if (p->n >= 5 && p->b[4] != 0x00 && p->b[4] != 0x04)
		return DET_NO;
	if (p->n < 8)
		return p->full ? DET_NO : DET_MORE;
	len = be32(p->b);
	code = be32(p->b + 4);
	if ((code == 80877103 || code == 80877104) && len == 8)
		return FG_APP_POSTGRESQL;
	if (code == 80877102 && len == 16)
		return FG_APP_POSTGRESQL;
	if (code != 0x00030000 || len < 10 || len > 10000)
		return DET_NO;
	/* Parameters: "name\0value\0"... "\0"; the first name is a word. */
	if (p->n < 9)
		return p->full ? DET_NO : DET_MORE;
	if (p->b[8] < 'a' || p->b[8] > 'z')
		return DET_NO;
	if (p->n < len)
		return p->full ? FG_APP_POSTGRESQL : DET_MORE;
	return p->b[len - 1] == 0 && p->b[len - 2] == 0 ? FG_APP_POSTGRESQL : DET_NO;
}

/* ---- MySQL: server greeting (protocol 10) or the client's response ---- */
static int det_mysql(const struct prefix *p)
{
	size_t plen, i;

	if (p->n >= 3 && p->b[2])		/* packets this early are small */
		return DET_NO;
	if (p->n >= 4 && p->b[3] != (p->dir == FG_L7_S2C ? 0 : 1))
		return DET_NO;			/* sequence id */
	if (p->n < 5)
		return p->full ? DET_NO : DET_MORE;
	plen = p->b[0] | p->b[1] << 8 | (size_t)p->b[2] << 16;
	if (p->dir == FG_L7_S2C) {
		if (p->b[3] != 0 || p->b[4] != 0x0a || plen < 30 || plen > 1024)
			return DET_NO;
		/* server version: "8.0.36..." NUL-terminated */
		for (i = 5; i < p->n && i < 5 + 64 && p->b[i]; i++)
			if (p->b[i] < 0x20 || p->b[i] > 0x7e || (i == 5 && (p->b[i] < '0' || p->b[i] > '9')))
				return DET_NO;
		if (i < p->n && !p->b[i] && i > 5)
			return FG_APP_MYSQL;
		return i == p->n && !p->full && i < 5 + 64 ? DET_MORE : DET_NO;
	}
	/* HandshakeResponse41 or SSLRequest: seq 1, CLIENT_PROTOCOL_41, 23 zeros */
	if (p->b[3] != 1 || plen < 32)
		return DET_NO;
	for (i = 4; i < p->n && i < 36; i++) {
		if (i == 5 && !(p->b[5] & 0x02))	/* 0x200: PROTOCOL_41 */
			return DET_NO;
		if (i >= 13 && p->b[i])
			return DET_NO;
	}
	return i == 36 ? FG_APP_MYSQL : p->full ? DET_NO : DET_MORE;
}

/* ---- MongoDB wire protocol: OP_MSG, OP_QUERY, OP_COMPRESSED, OP_REPLY ---- */
static int det_mongo(const struct prefix *p)
{
	uint32_t len, resp, op;
	size_t i;

	/* Early rejections on partial headers (a first message is small). */
	if (p->n >= 4 && p->b[3])
		return DET_NO;
	for (i = 8; i < 12 && i < p->n; i++)	/* responseTo: 0 from a client */
		if (p->dir == FG_L7_C2S && p->b[i])
			return DET_NO;
	if (p->n >= 14 && p->b[13] != 0x07 && p->b[13] != 0x00)
		return DET_NO;			/* opCode 20xx or 1 */
	if (p->n < 16)
		return p->full ? DET_NO : DET_MORE;
	len = le32(p->b);
	resp = le32(p->b + 8);
	op = le32(p->b + 12);
	if (len < 21 || len > 48 * 1024 * 1024)
		return DET_NO;
	if ((p->dir == FG_L7_C2S) != (resp == 0))
		return DET_NO;
	switch (op) {
	case 2013:				/* OP_MSG: flagBits, section kind */
		if (p->n < 21)
			return p->full ? DET_NO : DET_MORE;
		return !(le32(p->b + 16) & ~0x10003u) && p->b[20] <= 1 ?
		       FG_APP_MONGODB : DET_NO;
	case 2004:				/* OP_QUERY: "db.collection\0" */
		if (p->dir != FG_L7_C2S)
			return DET_NO;
		if (p->n <= 20)		/* found by fuzzing: read past the prefix */
			return p->full ? DET_NO : DET_MORE;
		for (i = 20; i < p->n && p->b[i]; i++)
			if (p->b[i] < 0x21 || p->b[i] > 0x7e)
				return DET_NO;
		if (i == p->n)
			return p->full ? DET_NO : DET_MORE;
		return memchr(p->b + 20, '.', i - 20) ? FG_APP_MONGODB : DET_NO;
	case 2012:				/* OP_COMPRESSED */
		if (p->n < 25)
			return p->full ? DET_NO : DET_MORE;
		op = le32(p->b + 16);
		return (op == 2013 || op == 2004 || op == 1) && p->b[24] <= 3 ?
		       FG_APP_MONGODB : DET_NO;
	case 1:					/* OP_REPLY */
		return p->dir == FG_L7_S2C && len >= 36 ? FG_APP_MONGODB : DET_NO;
	}
	return DET_NO;
}

/* Digits then "\r\n" at *i: DET_MORE, DET_NO or 0 (and *i moves past). */
static int digits_crlf(const struct prefix *p, size_t *i)
{
	size_t s = *i;

	while (*i < p->n && *i - s < 10 && p->b[*i] >= '0' && p->b[*i] <= '9')
		(*i)++;
	if (*i == p->n)
		return p->full ? DET_NO : DET_MORE;
	if (*i == s || p->b[(*i)++] != '\r')
		return DET_NO;
	if (*i == p->n)
		return p->full ? DET_NO : DET_MORE;
	return p->b[(*i)++] == '\n' ? 0 : DET_NO;
}

/* ---- Redis RESP: "*N\r\n$L\r\n" command arrays, inline PING ---- */
static int det_redis(const struct prefix *p)
{
	size_t i = 1;
	int r;

	if (p->dir == FG_L7_S2C)
		return either(p, "+PONG\r\n", "-NOAUTH ", false, FG_APP_REDIS);
	if (!p->n)
		return DET_MORE;
	if (p->b[0] != '*')
		return either(p, "PING\r\n", "PING\n", true, FG_APP_REDIS);
	r = digits_crlf(p, &i);
	if (r)
		return r;
	if (i == p->n)
		return p->full ? DET_NO : DET_MORE;
	if (p->b[i++] != '$')
		return DET_NO;
	r = digits_crlf(p, &i);
	return r ? r : FG_APP_REDIS;
}

/* ---- DNS: a well-formed message with a question, in the right sense ---- */
static int dns_msg_app(const uint8_t *m, size_t len, enum fg_l7_dir dir)
{
	struct fg_dns_msg msg;

	if (fg_dns_parse(m, len, &msg) || !msg.n_questions ||
	    msg.response != (dir == FG_L7_S2C) ||
	    (msg.opcode != 0 && msg.opcode != 1 && msg.opcode != 2 &&
	     msg.opcode != 4 && msg.opcode != 5))
		return DET_NO;
	return FG_APP_DNS;
}

static int det_dns_tcp(const struct prefix *p)
{
	size_t len;
	unsigned int qd;

	if (p->n >= 2 && (((size_t)p->b[0] << 8 | p->b[1]) < 17 ||
			  (p->dir == FG_L7_C2S &&
			   ((size_t)p->b[0] << 8 | p->b[1]) > FG_DNS_TCP_MAX)))
		return DET_NO;			/* queries are small */
	if (p->n >= 5 && (!(p->b[4] & 0x80) != (p->dir == FG_L7_C2S)))
		return DET_NO;			/* QR bit in the right sense */
	if (p->n >= 8 && (p->b[6] || !p->b[7] || p->b[7] > FG_DNS_MAX_QUESTIONS))
		return DET_NO;
	if (p->n < 14)
		return p->full ? DET_NO : DET_MORE;
	len = (size_t)p->b[0] << 8 | p->b[1];
	qd = p->b[6] << 8 | p->b[7];
	if (len < 17 || qd < 1 || qd > FG_DNS_MAX_QUESTIONS)
		return DET_NO;
	if (p->n - 2 < len)
		return p->full ? DET_NO : DET_MORE;
	return dns_msg_app(p->b + 2, len, p->dir);
}

/* ---- Kafka request header v1/v2: size, api key/version, client id ---- */
static int det_kafka(const struct prefix *p)
{
	uint32_t size;
	int16_t cid;
	size_t i;

	if (p->dir != FG_L7_C2S)
		return DET_NO;
	if ((p->n >= 1 && p->b[0]) || (p->n >= 5 && p->b[4]) || (p->n >= 7 && p->b[6]))
		return DET_NO;	/* size < 16 MiB, api key and version < 256 */
	if (p->n < 14)
		return p->full ? DET_NO : DET_MORE;
	size = be32(p->b);
	cid = (int16_t)(p->b[12] << 8 | p->b[13]);
	if (size < 10 || size > 100 * 1024 * 1024 ||
	    (p->b[4] << 8 | p->b[5]) > 74 || (p->b[6] << 8 | p->b[7]) > 20 ||
	    cid < -1 || (cid >= 0 && size < 10u + cid))
		return DET_NO;
	if (cid <= 0)
		return FG_APP_KAFKA;
	for (i = 14; i < p->n && i < 14u + cid; i++)
		if (p->b[i] < 0x20 || p->b[i] > 0x7e)
			return DET_NO;
	return i == 14u + cid ? FG_APP_KAFKA : p->full ? DET_NO : DET_MORE;
}

/*
 * The detectors in order of precedence: an app is taken only when every
 * detector before it has said NO (so a short prefix cannot pick the wrong
 * protocol of two that start alike).
 */
static int evaluate(struct fg_l7_ident *id, enum fg_l7_dir dir, const uint8_t *b,
		    size_t n, bool full)
{
	struct prefix p = { .b = b, .n = n, .full = full, .dir = dir };
	int (*const tcp[])(const struct prefix *) = {
		det_tls, det_http, det_ssh, det_smtp, det_pgsql, det_mysql,
		det_mongo, det_redis, det_dns_tcp, det_kafka,
	};
	size_t i;
	int r;

	if (id->l4proto == IPPROTO_UDP)
		return dns_msg_app(b, n, dir);
	r = det_h2(&p, &id->provisional);
	if (r != DET_NO)
		return r;
	for (i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		r = tcp[i](&p);
		if (r != DET_NO)
			return r;
	}
	return DET_NO;
}

void fg_l7_ident_init(struct fg_l7_ident *id, uint8_t l4proto, uint32_t budget)
{
	id->l4proto = l4proto;
	id->status = FG_IDENT_MORE;
	id->app = FG_APP_UNKNOWN;
	id->provisional = FG_APP_UNKNOWN;
	id->budget = budget ? budget : 4 * FG_IDENT_BUF;
	id->seen = 0;
	id->len[0] = id->len[1] = 0;
}

static int settle(struct fg_l7_ident *id, int app)
{
	id->app = app;
	id->status = FG_IDENT_DONE;
	return FG_IDENT_DONE;
}

int fg_l7_ident_feed(struct fg_l7_ident *id, enum fg_l7_dir dir,
		     const void *data, size_t len)
{
	size_t room, n;
	int r;

	if (dir != FG_L7_C2S && dir != FG_L7_S2C)
		return -EINVAL;
	if (id->status != FG_IDENT_MORE || !len)
		return id->status;
	id->seen = len > UINT32_MAX - id->seen ? UINT32_MAX : id->seen + len;

	if (id->l4proto == IPPROTO_UDP) {
		r = evaluate(id, dir, data, len, true);
	} else {
		room = FG_IDENT_BUF - id->len[dir];
		n = len < room ? len : room;
		memcpy(id->buf[dir] + id->len[dir], data, n);
		id->len[dir] += n;
		r = evaluate(id, dir, id->buf[dir], id->len[dir],
			     id->len[dir] == FG_IDENT_BUF);
	}
	if (r >= 0)
		return settle(id, r);
	/* The client's bytes fit nothing we know: it is something else. */
	if (r == DET_NO && dir == FG_L7_C2S)
		return settle(id, FG_APP_OTHER);
	if (id->seen >= id->budget)
		return fg_l7_ident_finish(id);
	return FG_IDENT_MORE;
}

int fg_l7_ident_finish(struct fg_l7_ident *id)
{
	int d, r;

	if (id->status != FG_IDENT_MORE)
		return id->status;
	if (id->l4proto != IPPROTO_UDP) {
		for (d = FG_L7_C2S; d <= FG_L7_S2C; d++) {
			if (!id->len[d])
				continue;
			r = evaluate(id, d, id->buf[d], id->len[d], true);
			if (r >= 0)
				return settle(id, r);
		}
	}
	if (id->provisional != FG_APP_UNKNOWN)
		return settle(id, id->provisional);
	id->status = FG_IDENT_GAVE_UP;
	return FG_IDENT_GAVE_UP;
}
