// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_http.c - incremental HTTP/1.x request parsing and path normalisation.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "l7_http.h"

#define CHUNK_LINE_MAX	256	/* chunk-size line incl. extensions */
#define CHUNK_DIGITS	15	/* < 2^60: no overflow */

void fg_http_init(struct fg_http_parser *p)
{
	p->state = FG_HTTP_HEAD;
	p->error = 0;
	p->requests = 0;
	p->body_left = 0;
	p->len = 0;
	p->line_start = 0;
	p->tunnel = FG_HTTP_TUNNEL_NONE;
	p->rl_part = 0;
	p->rl_n = 0;
	p->rl_bad = false;
	p->sniff_n = 0;
	p->sniff_off = false;
}

void fg_http_refuse_tunnel(struct fg_http_parser *p)
{
	p->tunnel = FG_HTTP_TUNNEL_NONE;
}

const char *fg_http_tunnel_name(enum fg_http_tunnel t)
{
	switch (t) {
	case FG_HTTP_TUNNEL_CONNECT:
		return "connect";
	case FG_HTTP_TUNNEL_WEBSOCKET:
		return "websocket";
	case FG_HTTP_TUNNEL_H2C:
		return "h2c";
	case FG_HTTP_TUNNEL_UPGRADE:
		return "upgrade";
	default:
		return NULL;
	}
}

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int fg_http_normalize_path(const char *in, size_t len, char *out)
{
	size_t i, d = 0, r, w, seg;
	bool strip = false;

	if (!len || (in[0] != '/' && in[0] != '\\'))
		return -EBADMSG;
	/* Pass 1: percent-decode once, '\\' counts as '/', no NUL. */
	for (i = 0; i < len; i++) {
		unsigned char c = in[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -EBADMSG;
			hi = hexval(in[i + 1]);
			lo = hexval(in[i + 2]);
			if (hi < 0 || lo < 0)
				return -EBADMSG;
			c = hi << 4 | lo;
			i += 2;
		}
		if (!c)
			return -EBADMSG;
		out[d++] = c == '\\' ? '/' : c;
	}
	/*
	 * Pass 2, in place (the output never overtakes the input): drop empty
	 * and "." segments, ".." pops the previous one (never above the root).
	 * The output keeps a '/' after every kept segment; the last one goes
	 * unless the path ended with a '/' or a dot segment.
	 */
	w = 1;
	r = 1;
	while (r < d) {
		seg = r;
		while (r < d && out[r] != '/')
			r++;
		strip = false;
		if (r - seg == 0 || (r - seg == 1 && out[seg] == '.')) {
			/* nothing */
		} else if (r - seg == 2 && out[seg] == '.' && out[seg + 1] == '.') {
			if (w > 1) {
				w--;
				while (w > 1 && out[w - 1] != '/')
					w--;
			}
		} else {
			memmove(out + w, out + seg, r - seg);
			w += r - seg;
			out[w++] = '/';
			strip = r >= d;
		}
		r++;
	}
	if (strip)
		w--;
	out[w] = '\0';
	return 0;
}

static void lowercase(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/*
 * Host for matching, from an authority ("Host" value or the authority of an
 * absolute-form target): lowercase, port and one trailing dot removed.
 * Copied into *sp, which advances. -EBADMSG on characters no host has.
 */
static int set_host(struct fg_http_parser *p, const char *a, size_t len, char **sp)
{
	char *h = *sp;
	size_t i, n = len;

	if (len && a[0] == '[') {		/* IPv6 literal: up to ']' */
		const char *e = memchr(a, ']', len);

		if (!e)
			return -EBADMSG;
		n = e - a + 1;
		if (n < len && a[n] != ':')
			return -EBADMSG;
	} else {
		const char *c = memchr(a, ':', len);

		if (c)
			n = c - a;
	}
	for (i = n; i < len; i++)		/* the port: digits only */
		if (i > n && (a[i] < '0' || a[i] > '9'))
			return -EBADMSG;
	for (i = 0; i < n; i++) {
		unsigned char c = a[i];

		if (c <= 0x20 || c >= 0x7f || c == '/' || c == '@' || c == '?' ||
		    c == '#' || c == '\\')
			return -EBADMSG;
		h[i] = c;
	}
	if (n && h[n - 1] == '.')
		n--;
	h[n] = '\0';
	lowercase(h);
	p->req.host = h;
	*sp = h + n + 1;
	return 0;
}

static int parse_target(struct fg_http_parser *p, char *t, char **sp)
{
	struct fg_http_request *r = &p->req;
	char *path = t, *q;
	size_t plen;
	int err;

	if (!strcmp(r->method, "CONNECT")) {	/* authority-form */
		r->path = "";
		r->query = "";
		return set_host(p, t, strlen(t), sp);
	}
	if (!strcmp(t, "*")) {			/* asterisk-form */
		r->path = "*";
		r->query = "";
		return strcmp(r->method, "OPTIONS") ? -EBADMSG : 0;
	}
	if (!strncasecmp(t, "http://", 7) || !strncasecmp(t, "https://", 8)) {
		/* absolute-form: its authority overrides the Host header */
		char *auth = strstr(t, "//") + 2;
		size_t alen = strcspn(auth, "/?");

		err = set_host(p, auth, alen, sp);
		if (err)
			return err;
		path = auth + alen;
		if (*path != '/') {	/* "http://h" or "http://h?q" */
			q = *sp;
			q[0] = '/';
			strcpy(q + 1, path);
			path = q;
			*sp = q + strlen(q) + 1;
		}
	}
	q = strchr(path, '?');
	plen = q ? (size_t)(q - path) : strlen(path);
	r->query = q ? q + 1 : "";
	if (plen && memchr(path, '#', plen))
		plen = (char *)memchr(path, '#', plen) - path;
	err = fg_http_normalize_path(path, plen, *sp);
	if (err)
		return err;
	r->path = *sp;
	*sp += strlen(*sp) + 1;
	return 0;
}

static int parse_uint(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EBADMSG;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
			return -EBADMSG;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

/* Last coding of a Transfer-Encoding list must be "chunked". */
static bool te_chunked(const char *v)
{
	const char *last = strrchr(v, ',');

	last = last ? last + 1 : v;
	while (*last == ' ' || *last == '\t')
		last++;
	return !strcasecmp(last, "chunked");
}

/* Is tok one of the comma-separated tokens of list (case-insensitive)? */
static bool list_has(const char *list, const char *tok)
{
	size_t tl = strlen(tok), n;

	while (*list) {
		while (*list == ' ' || *list == '\t' || *list == ',')
			list++;
		n = strcspn(list, ",");
		while (n && (list[n - 1] == ' ' || list[n - 1] == '\t'))
			n--;
		if (n == tl && !strncasecmp(list, tok, n))
			return true;
		list += strcspn(list, ",");
	}
	return false;
}

/* The protocol an Upgrade value names first ("websocket", "h2c/1"...). */
static enum fg_http_tunnel upgrade_kind(const char *v)
{
	size_t n = strcspn(v, ",/ \t");

	if (!n)
		return FG_HTTP_TUNNEL_NONE;
	if (n == 9 && !strncasecmp(v, "websocket", n))
		return FG_HTTP_TUNNEL_WEBSOCKET;
	if (n == 3 && !strncasecmp(v, "h2c", n))
		return FG_HTTP_TUNNEL_H2C;
	return FG_HTTP_TUNNEL_UPGRADE;
}

/* Split lines at '\n' (dropping a '\r' before it), NUL-terminate in place. */
static char *next_line(char **cur)
{
	char *s = *cur, *e = strchr(s, '\n');

	if (!e)
		return NULL;
	*e = '\0';
	if (e > s && e[-1] == '\r')
		e[-1] = '\0';
	*cur = e + 1;
	return s;
}

static int parse_head(struct fg_http_parser *p)
{
	struct fg_http_request *r = &p->req;
	char *cur = p->head, *line, *sp1, *sp2, *sp = p->scratch;
	const char *host_hdr = NULL, *upgrade = NULL;
	bool have_cl = false, have_te = false, conn_upgrade = false;
	int err;

	p->head[p->len] = '\0';
	if (memchr(p->head, '\0', p->len))
		return -EBADMSG;
	memset(r, 0, sizeof(*r));
	r->host = "";

	line = next_line(&cur);
	if (!line)
		return -EBADMSG;
	sp1 = strchr(line, ' ');
	if (!sp1 || sp1 == line)
		return -EBADMSG;
	*sp1 = '\0';
	for (r->method = line; *line; line++)
		if (!is_tchar(*line))
			return -EBADMSG;
	r->target = sp1 + 1;
	sp2 = strchr(r->target, ' ');
	if (!sp2 || sp2 == r->target)
		return -EBADMSG;
	*sp2 = '\0';
	for (line = (char *)r->target; *line; line++)
		if ((unsigned char)*line <= 0x20 || (unsigned char)*line >= 0x7f)
			return -EBADMSG;
	if (!strcmp(sp2 + 1, "HTTP/1.1"))
		r->version = 11;
	else if (!strcmp(sp2 + 1, "HTTP/1.0"))
		r->version = 10;
	else
		return -EBADMSG;

	while ((line = next_line(&cur)) && *line) {
		char *colon = strchr(line, ':'), *v, *e;
		struct fg_http_header *h;

		if (*line == ' ' || *line == '\t')	/* obs-fold */
			return -EBADMSG;
		if (!colon || colon == line)
			return -EBADMSG;
		*colon = '\0';
		for (e = line; *e; e++)
			if (!is_tchar(*e))	/* includes "Host :" */
				return -EBADMSG;
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		e = v + strlen(v);
		while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (r->n_headers == FG_HTTP_MAX_HEADERS)
			return -E2BIG;
		h = &r->headers[r->n_headers++];
		h->name = line;
		h->value = v;

		if (!strcasecmp(line, "Host")) {
			if (host_hdr)
				return -EBADMSG;
			host_hdr = v;
		} else if (!strcasecmp(line, "Content-Length")) {
			uint64_t cl;

			if (parse_uint(v, &cl) || (have_cl && cl != r->content_length))
				return -EBADMSG;
			r->content_length = cl;
			have_cl = true;
		} else if (!strcasecmp(line, "Transfer-Encoding")) {
			if (have_te || !te_chunked(v))
				return -EBADMSG;
			have_te = true;
			r->chunked = true;
		} else if (!strcasecmp(line, "Upgrade")) {
			if (!upgrade)
				upgrade = v;
		} else if (!strcasecmp(line, "Connection")) {
			conn_upgrade |= list_has(v, "upgrade");
		}
	}
	if (have_cl && have_te)
		return -EBADMSG;	/* request smuggling shape */
	if (host_hdr) {
		err = set_host(p, host_hdr, strlen(host_hdr), &sp);
		if (err)
			return err;
	}
	err = parse_target(p, (char *)r->target, &sp);
	if (err)
		return err;
	/* Servers switch only on both headers, and never for HTTP/1.0
	 * (RFC 9110 7.8): anything less leaves the connection HTTP/1. */
	if (!strcmp(r->method, "CONNECT"))
		r->tunnel = FG_HTTP_TUNNEL_CONNECT;
	else if (upgrade && conn_upgrade && r->version == 11)
		r->tunnel = upgrade_kind(upgrade);
	return 0;
}

enum { RL_METHOD, RL_TARGET, RL_VERSION, RL_CR, RL_LF, RL_DONE };

/*
 * Can c continue the request line of the head being read ("method SP
 * target SP HTTP/1.x CRLF", the rules parse_head applies)? Checked as the
 * bytes arrive, so that what is not HTTP/1 (a websocket frame, the HTTP/2
 * preface) shows at its first byte, not after FG_HTTP_MAX_HEAD of them.
 */
static bool reqline_byte(struct fg_http_parser *p, unsigned char c)
{
	static const char ver[] = "HTTP/1.";

	if (p->len == 0) {
		if (c == '\r' || c == '\n')
			return true;	/* skipped by head_byte */
		p->rl_part = RL_METHOD;
		p->rl_n = 0;
	}
	switch (p->rl_part) {
	case RL_METHOD:
	case RL_TARGET:
		if (c == ' ' && p->rl_n) {
			p->rl_part++;
			p->rl_n = 0;
			return true;
		}
		p->rl_n = 1;
		return p->rl_part == RL_METHOD ? is_tchar(c) : c > 0x20 && c < 0x7f;
	case RL_VERSION:
		if (p->rl_n < sizeof(ver) - 1)
			return c == ver[p->rl_n++];
		p->rl_part = RL_CR;
		return c == '0' || c == '1';
	case RL_CR:
		p->rl_part = RL_LF;
		if (c == '\r')
			return true;
		/* fall through */
	case RL_LF:
		p->rl_part = RL_DONE;
		return c == '\n';
	default:
		return true;
	}
}

/*
 * A byte no lenient HTTP/1 parser reads as part of a request line, nor
 * skips as blank: not printable ASCII, not NUL, not a byte some servers
 * split on (Python's str.split() takes \v \f \x1c-\x1f \x85 \xa0).
 */
static bool binary_byte(unsigned char c)
{
	return (c >= 0x01 && c <= 0x08) || (c >= 0x0e && c <= 0x1b) ||
	       (c >= 0x7f && c != 0x85 && c != 0xa0);
}

/* The first byte of a client's first websocket frame (RFC 6455 5.2): a
 * text or binary frame (RSV1 for permessage-deflate), or a control frame,
 * which is never fragmented. A continuation cannot come first. */
static bool ws_first_byte(unsigned char c)
{
	unsigned char op = c & 0x0f;

	if (c & 0x30)				/* RSV2, RSV3 */
		return false;
	if (op == 1 || op == 2)
		return true;
	return op >= 8 && op <= 10 && (c & 0xc0) == 0x80;
}

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/*
 * Do the bytes after a request that asked for a tunnel begin it? 1 yes,
 * 0 not known yet, -1 no. Only a positive sign counts: lenient servers
 * read request lines that fg_http rejects (tabs or \v around words,
 * "HTTP/1.01"), so "not a valid request line" alone could be a request
 * the server answers and the inspector never checked.
 */
static int sniff_byte(struct fg_http_parser *p, unsigned char c)
{
	unsigned int n = p->sniff_n++;

	if (!n)
		p->sniff_first = c;
	switch (p->tunnel) {
	case FG_HTTP_TUNNEL_WEBSOCKET:
		if (!n)
			return ws_first_byte(c) ? 0 : -1;
		/* a client frame is masked; a printable first byte ('A')
		 * then a blank a server may split on could be "A /x ..." */
		if (!(c & 0x80) || (p->sniff_first < 0x80 && (c == 0x85 || c == 0xa0)))
			return -1;
		return 1;
	case FG_HTTP_TUNNEL_H2C:
		if (c != (unsigned char)h2_preface[n])
			return -1;
		return n == sizeof(h2_preface) - 2 ? 1 : 0;
	default:	/* CONNECT or another protocol: any binary start */
		return binary_byte(c) ? 1 : -1;
	}
}

/*
 * A byte of a head's request line, before head_byte() stores it: checked,
 * and after a request that asked for a tunnel, compared with its start.
 * 1: the tunnel began (state FG_HTTP_TUNNEL); -EBADMSG: not HTTP/1 and
 * no tunnel; 0: go on (with rl_bad set, the byte is not part of a head
 * but may be the tunnel's, which later bytes decide).
 */
static int head_start_byte(struct fg_http_parser *p, unsigned char c)
{
	bool ok = !p->rl_bad && reqline_byte(p, c);
	int r;

	if (p->tunnel && !p->sniff_off) {
		r = sniff_byte(p, c);
		if (r > 0) {
			p->state = FG_HTTP_TUNNEL;
			return 1;
		}
		p->sniff_off = r < 0;
	}
	if (ok)
		return 0;
	p->rl_bad = true;
	return p->tunnel && !p->sniff_off ? 0 : -EBADMSG;
}

/* One byte of the head; 1 when the head is complete. */
static int head_byte(struct fg_http_parser *p, char c)
{
	if (p->len == 0 && (c == '\r' || c == '\n'))
		return 0;	/* blank lines before a request are ignored */
	if (p->len == FG_HTTP_MAX_HEAD)
		return -E2BIG;
	p->head[p->len++] = c;
	if (c != '\n')
		return 0;
	/* An empty line ("\n" or "\r\n") ends the head. */
	if (p->len - p->line_start == 1 ||
	    (p->len - p->line_start == 2 && p->head[p->line_start] == '\r'))
		return 1;
	p->line_start = p->len;
	return 0;
}

static int chunk_size_byte(struct fg_http_parser *p, char c)
{
	int v;

	if (++p->chunk_digits > CHUNK_LINE_MAX)
		return -E2BIG;
	if (c == '\n') {
		if (!p->chunk_hex)
			return -EBADMSG;
		p->chunk_digits = 0;
		p->chunk_hex = 0;
		p->chunk_ext = false;
		if (p->chunk_size == 0) {
			p->state = FG_HTTP_TRAILER;
			p->len = p->line_start = 0;
		} else {
			p->state = FG_HTTP_CHUNK_DATA;
		}
		return 0;
	}
	if (p->chunk_ext || c == '\r')
		return 0;
	if (c == ';') {
		p->chunk_ext = p->chunk_hex > 0;
		return p->chunk_ext ? 0 : -EBADMSG;
	}
	v = hexval(c);
	if (v < 0 || ++p->chunk_hex > CHUNK_DIGITS)
		return -EBADMSG;
	p->chunk_size = p->chunk_size << 4 | v;
	return 0;
}

int fg_http_feed(struct fg_http_parser *p, const void *data, size_t len,
		 fg_http_request_cb cb, void *arg)
{
	const char *s = data;
	size_t i = 0;
	int ret;

	if (p->error)
		return p->error;
	while (i < len) {
		switch (p->state) {
		case FG_HTTP_HEAD:
			if (p->len && p->rl_part == RL_DONE) {
				/* Header lines, the bulk of a head: no check
				 * to make (a tunnel's start is decided within
				 * the request line), so a tight loop. */
				ret = 0;
				while (i < len && !ret)
					ret = head_byte(p, s[i++]);
			} else {
				ret = head_start_byte(p, (unsigned char)s[i++]);
				if (ret > 0)
					return 0;	/* FG_HTTP_TUNNEL */
				if (ret < 0)
					goto fail;
				if (p->rl_bad)	/* a tunnel's start may still come */
					break;
				ret = head_byte(p, s[i - 1]);
			}
			if (ret < 0)
				goto fail;
			if (!ret)
				break;
			ret = parse_head(p);
			if (ret)
				goto fail;
			p->requests++;
			p->tunnel = p->req.tunnel;	/* the callback may refuse */
			p->sniff_n = 0;
			p->sniff_off = false;
			p->len = p->line_start = 0;
			if (p->req.chunked) {
				p->state = FG_HTTP_CHUNK_SIZE;
				p->chunk_size = 0;
				p->chunk_digits = 0;
				p->chunk_hex = 0;
				p->chunk_ext = false;
			} else if (p->req.content_length) {
				p->state = FG_HTTP_BODY;
				p->body_left = p->req.content_length;
			}
			ret = cb ? cb(&p->req, arg) : 0;
			if (ret)
				return ret;
			break;
		case FG_HTTP_BODY: {
			size_t n = len - i;

			if (n > p->body_left)
				n = p->body_left;
			i += n;
			p->body_left -= n;
			if (!p->body_left)
				p->state = FG_HTTP_HEAD;
			break;
		}
		case FG_HTTP_CHUNK_SIZE:
			ret = chunk_size_byte(p, s[i++]);
			if (ret)
				goto fail;
			if (p->state == FG_HTTP_CHUNK_DATA)
				p->body_left = p->chunk_size;
			break;
		case FG_HTTP_CHUNK_DATA: {
			size_t n = len - i;

			if (n > p->body_left)
				n = p->body_left;
			i += n;
			p->body_left -= n;
			if (!p->body_left) {
				p->state = FG_HTTP_CHUNK_CRLF;
				p->chunk_digits = 0;
			}
			break;
		}
		case FG_HTTP_CHUNK_CRLF:
			/* "\r\n" (or a bare "\n") after the chunk data */
			if (s[i] == '\r' && p->chunk_digits == 0) {
				p->chunk_digits = 1;
				i++;
			} else if (s[i] == '\n') {
				i++;
				p->state = FG_HTTP_CHUNK_SIZE;
				p->chunk_size = 0;
				p->chunk_digits = 0;
				p->chunk_hex = 0;
			} else {
				ret = -EBADMSG;
				goto fail;
			}
			break;
		case FG_HTTP_TRAILER:
			/* Trailer fields are skipped, bounded like a head. */
			ret = head_byte(p, s[i++]);
			if (ret < 0)
				goto fail;
			if (ret || (p->len == 0 && s[i - 1] == '\n')) {
				p->state = FG_HTTP_HEAD;
				p->len = p->line_start = 0;
			}
			break;
		case FG_HTTP_TUNNEL:
			return 0;
		}
	}
	return 0;
fail:
	p->error = ret;
	return ret;
}
