/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_http.h - incremental HTTP/1.x request parser for the inspector.
 *
 * Feed the client->server byte stream in order, in chunks of any size; the
 * callback sees every request of a keep-alive or pipelined connection once
 * its request line and headers are complete (bodies, Content-Length or
 * chunked, are skipped). Memory is the fixed-size struct: no allocation.
 * Ambiguous framing that servers resolve differently (CL and TE together,
 * obs-fold, space before ':', two Host headers, bad percent-escapes) is an
 * error, so it cannot be used to slip a request past the policy.
 *
 * Tunnels: after a CONNECT, or an HTTP/1.1 request with "Upgrade" and
 * "Connection: upgrade", the server may switch protocols. If the bytes
 * after such a request begin the way the tunnelled protocol does (a client
 * websocket frame, the HTTP/2 preface, a binary byte after CONNECT or
 * another upgrade), the rest is that protocol (state FG_HTTP_TUNNEL, kind
 * in p->tunnel); anything else is parsed as HTTP/1, malformed or not.
 */
#ifndef FG_L7_HTTP_H
#define FG_L7_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FG_HTTP_MAX_HEAD	8192	/* request line + headers, bytes */
#define FG_HTTP_MAX_HEADERS	64

/* What a request may switch the connection to. */
enum fg_http_tunnel {
	FG_HTTP_TUNNEL_NONE = 0,
	FG_HTTP_TUNNEL_CONNECT,
	FG_HTTP_TUNNEL_WEBSOCKET,	/* Upgrade: websocket */
	FG_HTTP_TUNNEL_H2C,		/* Upgrade: h2c */
	FG_HTTP_TUNNEL_UPGRADE,		/* another Upgrade protocol */
};

struct fg_http_header {
	const char *name;	/* NUL-terminated, as sent */
	const char *value;	/* NUL-terminated, without surrounding blanks */
};

/* Valid during the callback only (points into the parser). */
struct fg_http_request {
	const char *method;	/* as sent (methods are case-sensitive) */
	const char *target;	/* request-target as sent */
	const char *path;	/* normalised, see docs/inspector.md; "*" for OPTIONS * */
	const char *query;	/* raw, without '?'; "" if none */
	const char *host;	/* lowercase, no port, no trailing dot; "" if none */
	unsigned int version;	/* 10 or 11 */
	unsigned int n_headers;
	struct fg_http_header headers[FG_HTTP_MAX_HEADERS];
	uint64_t content_length;
	bool chunked;
	enum fg_http_tunnel tunnel;	/* what this request asks to open */
};

/* Return 0 to go on; anything else stops fg_http_feed(), which returns it. */
typedef int (*fg_http_request_cb)(const struct fg_http_request *req, void *arg);

enum fg_http_state {
	FG_HTTP_HEAD,
	FG_HTTP_BODY,		/* Content-Length bytes left in body_left */
	FG_HTTP_CHUNK_SIZE,
	FG_HTTP_CHUNK_DATA,
	FG_HTTP_CHUNK_CRLF,
	FG_HTTP_TRAILER,
	FG_HTTP_TUNNEL,		/* the rest is another protocol: ignored */
};

struct fg_http_parser {
	enum fg_http_state state;
	int error;		/* sticky: once set, every feed returns it */
	uint64_t requests;	/* requests seen */
	uint64_t body_left;
	size_t len;		/* bytes in head[] */
	size_t line_start;	/* start of the line being read in head[] */
	uint64_t chunk_size;
	unsigned int chunk_digits;	/* chunk-size line length so far */
	unsigned int chunk_hex;		/* hex digits in it */
	bool chunk_ext;
	/* may the bytes after the last request be a tunnel (its kind)? */
	enum fg_http_tunnel tunnel;
	unsigned char sniff_n;		/* bytes of it compared so far */
	unsigned char sniff_first;	/* the first of them */
	bool sniff_off;			/* they are not the tunnel's start */
	bool rl_bad;			/* nor an HTTP/1 request line */
	unsigned char rl_part;		/* request line checked so far: part */
	unsigned char rl_n;		/* and bytes into it */
	char head[FG_HTTP_MAX_HEAD + 1];
	char scratch[FG_HTTP_MAX_HEAD + 1];	/* normalised path and host */
	struct fg_http_request req;
};

void fg_http_init(struct fg_http_parser *p);
/*
 * 0: everything consumed, more is welcome; the callback's non-zero return;
 * -EBADMSG malformed; -E2BIG head or chunk line over the limit.
 */
int fg_http_feed(struct fg_http_parser *p, const void *data, size_t len,
		 fg_http_request_cb cb, void *arg);

/*
 * From the callback: the request it was given opens no tunnel even if it
 * asks to (e.g. it was not allowed), so what follows must be HTTP/1.
 */
void fg_http_refuse_tunnel(struct fg_http_parser *p);

/* "connect", "websocket", "h2c", "upgrade"; NULL for NONE. */
const char *fg_http_tunnel_name(enum fg_http_tunnel t);

/*
 * Normalise a request path (no query) into out (size >= len + 2):
 * percent-decoding, '\' as '/', duplicate slashes, "." and ".." segments.
 * 0 or -EBADMSG (bad escape, NUL, not starting with '/').
 */
int fg_http_normalize_path(const char *in, size_t len, char *out);

#endif
