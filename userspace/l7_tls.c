// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_tls.c - TLS record reassembly up to the ClientHello, its fields, and
 * the JA3 (Salesforce) and JA4 (FoxIO) fingerprints. GREASE values
 * (RFC 8701) are left out of counts, lists and fingerprints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/sha2.h>

#include "l7_tls.h"

#define TLS_CT_HANDSHAKE	22
#define TLS_HS_CLIENT_HELLO	1
#define TLS_MAX_RECORD		16384	/* TLSPlaintext.length limit */

enum {
	EXT_SNI = 0x0000,
	EXT_GROUPS = 0x000a,
	EXT_POINT_FORMATS = 0x000b,
	EXT_SIG_ALGS = 0x000d,
	EXT_ALPN = 0x0010,
	EXT_VERSIONS = 0x002b,
};

void fg_tls_init(struct fg_tls_parser *p)
{
	p->state = FG_TLS_REC_HDR;
	p->error = 0;
	p->rec_hdr_len = 0;
	p->rec_left = 0;
	p->msg_len = 0;
}

/* ---- bounds-checked reader: a short read sets bad and yields zeros ---- */

struct rd {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || n > r->left) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static unsigned int rd_u8(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 1);

	return p ? p[0] : 0;
}

static unsigned int rd_u16(struct rd *r)
{
	const uint8_t *p = rd_bytes(r, 2);

	return p ? (unsigned int)p[0] << 8 | p[1] : 0;
}

/* A sub-reader over the next n bytes (n from a length prefix). */
static struct rd rd_sub(struct rd *r, size_t n)
{
	struct rd s = { .p = r->p, .left = n, .bad = false };

	if (!rd_bytes(r, n))
		s.bad = true, s.left = 0;
	return s;
}

static bool grease(unsigned int v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct list {
	unsigned int n;
	uint16_t v[FG_TLS_MAX_LIST];
};

static int list_add(struct list *l, unsigned int v)
{
	if (grease(v))
		return 0;
	if (l->n == FG_TLS_MAX_LIST)
		return -E2BIG;
	l->v[l->n++] = v;
	return 0;
}

/* Reads a list of u16 (or u8) values of byte length len into l. */
static int read_list(struct rd *r, size_t len, unsigned int width, struct list *l)
{
	int err;

	if (len % width)
		return -EBADMSG;
	for (; len; len -= width) {
		err = list_add(l, width == 2 ? rd_u16(r) : rd_u8(r));
		if (err)
			return err;
	}
	return r->bad ? -EBADMSG : 0;
}

struct hello_lists {
	struct list ciphers, exts, groups, points, sigalgs;
	uint64_t seen[65536 / 64];	/* extension types seen: no duplicates */
	char ja4_alpn[3];	/* of the first non-GREASE ALPN value, "00" */
};

static int parse_sni(struct rd *r, struct fg_tls_hello *h)
{
	struct rd l = rd_sub(r, rd_u16(r));

	if (r->bad || r->left || !l.left)
		return -EBADMSG;
	while (l.left) {
		unsigned int type = rd_u8(&l), n = rd_u16(&l), i;
		const uint8_t *name = rd_bytes(&l, n);

		if (!name || !n)
			return -EBADMSG;
		if (type != 0)
			continue;
		if (h->has_sni || n > 255)	/* one host_name only */
			return -EBADMSG;
		for (i = 0; i < n; i++) {
			unsigned char c = name[i];

			if (c <= 0x20 || c >= 0x7f)
				return -EBADMSG;
			h->sni[i] = c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
		}
		if (h->sni[n - 1] == '.')
			n--;
		h->sni[n] = '\0';
		h->has_sni = true;
	}
	return 0;
}

bool fg_tls_alpn_grease(const void *id, size_t len)
{
	const uint8_t *b = id;

	return len == 2 && grease((unsigned int)b[0] << 8 | b[1]);
}

static bool alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* JA4's two ALPN characters: the first and last byte of the value, or
 * when either is not alphanumeric the first and last hex digit. */
static void ja4_alpn_chars(const uint8_t *s, size_t n, char out[3])
{
	static const char digits[] = "0123456789abcdef";

	if (alnum(s[0]) && alnum(s[n - 1])) {
		out[0] = (char)s[0];
		out[1] = (char)s[n - 1];
	} else {
		out[0] = digits[s[0] >> 4];
		out[1] = digits[s[n - 1] & 15];
	}
	out[2] = '\0';
}

/* GREASE values are no offers: neither kept nor fingerprinted. JA4 takes
 * the first real value from the wire, kept in h->alpn or not. */
static int parse_alpn(struct rd *r, struct fg_tls_hello *h,
		      struct hello_lists *ls)
{
	struct rd l = rd_sub(r, rd_u16(r));
	bool first = true;

	if (r->bad || r->left || !l.left)
		return -EBADMSG;
	while (l.left) {
		unsigned int n = rd_u8(&l);
		const uint8_t *s = rd_bytes(&l, n);

		if (!s || !n)
			return -EBADMSG;
		if (fg_tls_alpn_grease(s, n))
			continue;
		if (first)
			ja4_alpn_chars(s, n, ls->ja4_alpn);
		first = false;
		if (h->n_alpn == FG_TLS_MAX_ALPN || n > FG_TLS_MAX_ALPN_LEN ||
		    memchr(s, '\0', n)) {
			h->alpn_truncated = true;
			continue;
		}
		memcpy(h->alpn[h->n_alpn], s, n);
		h->alpn[h->n_alpn++][n] = '\0';
	}
	return 0;
}

static int parse_versions(struct rd *r, struct fg_tls_hello *h)
{
	unsigned int n = rd_u8(r), v, max = 0;

	if (r->bad || n != r->left || !n || n % 2)
		return -EBADMSG;
	for (; n; n -= 2) {
		v = rd_u16(r);
		if (!grease(v) && v > max)
			max = v;
	}
	if (max)
		h->version = max;
	return 0;
}

static int parse_ext(struct rd *r, unsigned int type, struct fg_tls_hello *h,
		     struct hello_lists *ls)
{
	unsigned int n;

	switch (type) {
	case EXT_SNI:
		return parse_sni(r, h);
	case EXT_ALPN:
		return parse_alpn(r, h, ls);
	case EXT_VERSIONS:
		return parse_versions(r, h);
	case EXT_GROUPS:
		n = rd_u16(r);
		if (r->bad || n != r->left)
			return -EBADMSG;
		return read_list(r, n, 2, &ls->groups);
	case EXT_POINT_FORMATS:
		n = rd_u8(r);
		if (r->bad || n != r->left)
			return -EBADMSG;
		return read_list(r, n, 1, &ls->points);
	case EXT_SIG_ALGS:
		n = rd_u16(r);
		if (r->bad || n != r->left)
			return -EBADMSG;
		return read_list(r, n, 2, &ls->sigalgs);
	}
	return 0;
}

/* ---- fingerprints ---- */

/* Appends to a fixed buffer (truncating) and to an MD5 of everything. */
struct out {
	char *buf;
	size_t size, len;
	bool truncated;
	struct md5_ctx md5;	/* JA3 is defined as an MD5 */
};

static void out_str(struct out *o, const char *s)
{
	size_t n = strlen(s);

	md5_update(&o->md5, n, (const uint8_t *)s);
	if (o->len + n >= o->size) {
		o->truncated = true;
		n = o->size - 1 - o->len;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_list(struct out *o, const struct list *l, const char *fmt,
		     const char *sep)
{
	char num[8];
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (i)
			out_str(o, sep);
		snprintf(num, sizeof(num), fmt, l->v[i]);
		out_str(o, num);
	}
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void ja3(struct fg_tls_hello *h, const struct hello_lists *ls)
{
	struct out o = { .buf = h->ja3, .size = sizeof(h->ja3) };
	uint8_t d[MD5_DIGEST_SIZE];
	char num[8];

	md5_init(&o.md5);
	h->ja3[0] = '\0';
	snprintf(num, sizeof(num), "%u", h->legacy_version);
	out_str(&o, num);
	out_str(&o, ",");
	out_list(&o, &ls->ciphers, "%u", "-");
	out_str(&o, ",");
	out_list(&o, &ls->exts, "%u", "-");
	out_str(&o, ",");
	out_list(&o, &ls->groups, "%u", "-");
	out_str(&o, ",");
	out_list(&o, &ls->points, "%u", "-");
	md5_digest(&o.md5, sizeof(d), d);
	hex(d, sizeof(d), h->ja3_md5);
	h->ja3_truncated = o.truncated;
}

static int cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void sha_list(struct sha256_ctx *s, const struct list *l, bool *first)
{
	char num[8];
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		snprintf(num, sizeof(num), *first ? "%04x" : ",%04x", l->v[i]);
		sha256_update(s, strlen(num), (const uint8_t *)num);
		*first = false;
	}
}

static void sha12(struct sha256_ctx *s, char out[13])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(s, sizeof(d), d);
	hex(d, 6, out);
}

static const char *ja4_version(unsigned int v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	}
	return "00";
}

static void ja4(struct fg_tls_hello *h, struct hello_lists *ls)
{
	struct list sorted;
	struct sha256_ctx s;
	char b[13], c[13];
	unsigned int i;
	bool first;

	if (ls->ciphers.n) {
		sorted = ls->ciphers;
		qsort(sorted.v, sorted.n, sizeof(sorted.v[0]), cmp_u16);
		sha256_init(&s);
		first = true;
		sha_list(&s, &sorted, &first);
		sha12(&s, b);
	} else {
		strcpy(b, "000000000000");
	}

	sorted.n = 0;
	for (i = 0; i < ls->exts.n; i++)
		if (ls->exts.v[i] != EXT_SNI && ls->exts.v[i] != EXT_ALPN)
			sorted.v[sorted.n++] = ls->exts.v[i];
	if (sorted.n) {
		qsort(sorted.v, sorted.n, sizeof(sorted.v[0]), cmp_u16);
		sha256_init(&s);
		first = true;
		sha_list(&s, &sorted, &first);
		if (ls->sigalgs.n) {
			sha256_update(&s, 1, (const uint8_t *)"_");
			first = true;
			sha_list(&s, &ls->sigalgs, &first);
		}
		sha12(&s, c);
	} else {
		strcpy(c, "000000000000");
	}

	snprintf(h->ja4, sizeof(h->ja4), "t%s%c%02u%02u%s_%s_%s",
		 ja4_version(h->version), h->has_sni ? 'd' : 'i',
		 ls->ciphers.n > 99 ? 99 : ls->ciphers.n,
		 ls->exts.n > 99 ? 99 : ls->exts.n, ls->ja4_alpn, b, c);
}

int fg_tls_parse_hello(const uint8_t *b, size_t len, struct fg_tls_hello *h)
{
	struct rd r = { .p = b, .left = len };
	struct hello_lists lists, *ls = &lists;	/* ~13 KiB of stack */
	struct rd ciphers, exts;
	unsigned int n;
	int err = -EBADMSG;

	memset(ls, 0, sizeof(*ls));
	memset(h, 0, sizeof(*h));
	memcpy(ls->ja4_alpn, "00", sizeof(ls->ja4_alpn));	/* no ALPN */
	h->legacy_version = h->version = rd_u16(&r);
	rd_bytes(&r, 32);			/* random */
	n = rd_u8(&r);
	if (n > 32)
		goto out;
	rd_bytes(&r, n);			/* legacy_session_id */
	n = rd_u16(&r);
	if (n < 2 || n % 2)
		goto out;
	ciphers = rd_sub(&r, n);
	err = read_list(&ciphers, n, 2, &ls->ciphers);
	if (err)
		goto out;
	err = -EBADMSG;
	n = rd_u8(&r);
	if (!n || !rd_bytes(&r, n))		/* legacy_compression_methods */
		goto out;
	if (r.left) {
		n = rd_u16(&r);
		if (r.bad || n != r.left)
			goto out;
		exts = rd_sub(&r, n);
		while (exts.left) {
			unsigned int type = rd_u16(&exts);
			struct rd body = rd_sub(&exts, rd_u16(&exts));

			if (exts.bad)
				goto out;
			if (ls->seen[type / 64] & (1ULL << (type % 64)))
				goto out;	/* duplicate extension */
			ls->seen[type / 64] |= 1ULL << (type % 64);
			err = list_add(&ls->exts, type);
			if (!err)
				err = parse_ext(&body, type, h, ls);
			if (err)
				goto out;
			err = -EBADMSG;
		}
	}
	if (r.bad)
		goto out;
	h->n_ciphers = ls->ciphers.n;
	h->n_extensions = ls->exts.n;
	ja3(h, ls);
	ja4(h, ls);
	err = 0;
out:
	return err;
}

int fg_tls_feed(struct fg_tls_parser *p, const void *data, size_t len)
{
	const uint8_t *s = data;
	size_t n;
	int err;

	if (p->error)
		return p->error;
	if (p->state == FG_TLS_DONE)
		return 1;
	while (len) {
		if (p->state == FG_TLS_REC_HDR) {
			p->rec_hdr[p->rec_hdr_len++] = *s++;
			len--;
			if (p->rec_hdr_len < 5)
				continue;
			p->rec_hdr_len = 0;
			p->rec_left = (size_t)p->rec_hdr[3] << 8 | p->rec_hdr[4];
			if (p->rec_hdr[0] != TLS_CT_HANDSHAKE || p->rec_hdr[1] != 3 ||
			    !p->rec_left || p->rec_left > TLS_MAX_RECORD) {
				err = -EBADMSG;
				goto fail;
			}
			p->state = FG_TLS_REC_BODY;
			continue;
		}
		n = len < p->rec_left ? len : p->rec_left;
		if (p->msg_len + n > sizeof(p->msg)) {
			err = -E2BIG;
			goto fail;
		}
		memcpy(p->msg + p->msg_len, s, n);
		p->msg_len += n;
		s += n;
		len -= n;
		p->rec_left -= n;
		if (!p->rec_left)
			p->state = FG_TLS_REC_HDR;
		if (p->msg_len >= 4) {
			size_t hs_len = (size_t)p->msg[1] << 16 | p->msg[2] << 8 | p->msg[3];

			if (p->msg[0] != TLS_HS_CLIENT_HELLO) {
				err = -EPROTO;
				goto fail;
			}
			if (hs_len > FG_TLS_MAX_HELLO) {
				err = -E2BIG;
				goto fail;
			}
			if (p->msg_len >= 4 + hs_len) {
				err = fg_tls_parse_hello(p->msg + 4, hs_len, &p->hello);
				if (err)
					goto fail;
				p->state = FG_TLS_DONE;
				return 1;
			}
		}
	}
	return 0;
fail:
	p->error = err;
	return err;
}
