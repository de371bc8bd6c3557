// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_http.c - HTTP/1.x request parsing: a keep-alive/pipelined stream
 * (Content-Length and chunked bodies, absolute-form) split at every byte
 * boundary and fed byte by byte; path normalisation; malformed and
 * ambiguous requests; limits; tunnels after Upgrade and CONNECT.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l7_http.h"

/* "METHOD host path ?query|" per request, plus the header count. */
struct log {
	char s[4096];
	size_t len;
};

static int log_req(const struct fg_http_request *r, void *arg)
{
	struct log *l = arg;

	l->len += snprintf(l->s + l->len, sizeof(l->s) - l->len, "%s %s %s ?%s h%u|",
			   r->method, r->host, r->path, r->query, r->n_headers);
	return 0;
}

static struct fg_http_parser *new_parser(void)
{
	struct fg_http_parser *p = malloc(sizeof(*p));

	assert_non_null(p);
	fg_http_init(p);
	return p;
}

/* Parse s in one go, then split at every offset, then byte by byte. */
static void check_stream(const char *s, const char *want, int want_ret)
{
	size_t n = strlen(s), k, i;
	struct fg_http_parser *p = new_parser();
	struct log l;
	int ret;

	for (k = 0; k <= n; k++) {
		memset(&l, 0, sizeof(l));
		fg_http_init(p);
		ret = fg_http_feed(p, s, k, log_req, &l);
		if (!ret)
			ret = fg_http_feed(p, s + k, n - k, log_req, &l);
		assert_int_equal(ret, want_ret);
		assert_string_equal(l.s, want);
	}
	memset(&l, 0, sizeof(l));
	fg_http_init(p);
	for (i = 0, ret = 0; i < n && !ret; i++)
		ret = fg_http_feed(p, s + i, 1, log_req, &l);
	assert_int_equal(ret, want_ret);
	assert_string_equal(l.s, want);
	free(p);
}

static void test_pipelined(void **state)
{
	const char *s =
		"GET /a/../b//c/./d%2Fe HTTP/1.1\r\n"
		"Host: Shop.Example.:8080\r\n"
		"User-Agent: curl/7.88.1\r\n"
		"Accept: */*\r\n"
		"\r\n"
		"POST /api/x?y=1&z=%41 HTTP/1.1\r\n"
		"Host: shop.example\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: 18\r\n"
		"\r\n"
		"{\"GET / HTTP/1.1\"}"
		"PUT /up HTTP/1.1\r\n"
		"Host: h\r\n"
		"Transfer-Encoding: chunked\r\n"
		"\r\n"
		"5;ext=1\r\nhello\r\n"
		"A\r\n0123456789\r\n"
		"0\r\nX-Trailer: 1\r\n\r\n"
		"\r\n"	/* a stray CRLF between requests is tolerated */
		"GET http://Other.Example/abs%20path HTTP/1.0\n"
		"Host: ignored.example\n"
		"\n"
		"OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\n\r\n"
		"CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n";

	check_stream(s,
		     "GET shop.example /b/c/d/e ? h3|"
		     "POST shop.example /api/x ?y=1&z=%41 h3|"
		     "PUT h /up ? h2|"
		     "GET other.example /abs path ? h1|"
		     "OPTIONS [::1] * ? h1|"
		     "CONNECT tunnel.example  ? h1|", 0);
}

static void test_headers(void **state)
{
	const char *s = "GET / HTTP/1.1\r\nHost: a\r\nX-Spaced:   v  w \t\r\nEmpty:\r\n\r\n";
	struct fg_http_parser *p = new_parser();
	struct log l = { 0 };

	assert_int_equal(fg_http_feed(p, s, strlen(s), log_req, &l), 0);
	assert_int_equal(p->req.n_headers, 3);
	assert_string_equal(p->req.headers[1].name, "X-Spaced");
	assert_string_equal(p->req.headers[1].value, "v  w");
	assert_string_equal(p->req.headers[2].value, "");
	assert_int_equal(p->req.version, 11);
	assert_int_equal(p->requests, 1);
	free(p);
}

static void norm(const char *in, const char *want)
{
	char out[256];
	int err = fg_http_normalize_path(in, strlen(in), out);

	if (!want) {
		assert_int_equal(err, -EBADMSG);
		return;
	}
	assert_int_equal(err, 0);
	assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
	norm("/", "/");
	norm("/a", "/a");
	norm("/a/", "/a/");
	norm("//a///b", "/a/b");
	norm("/a/./b", "/a/b");
	norm("/a/b/..", "/a/");
	norm("/a/b/../", "/a/");
	norm("/a/.", "/a/");
	norm("/..", "/");
	norm("/../../etc/passwd", "/etc/passwd");
	norm("/a/..b/c", "/a/..b/c");
	norm("/a/.b", "/a/.b");
	norm("/api/%2e%2e/admin", "/admin");
	norm("/api/%2E%2E%2Fadmin", "/admin");
	norm("/api%2f..%2fadmin", "/admin");
	norm("/a\\..\\b", "/b");
	norm("/%41%62c", "/Abc");	/* case is kept: paths are case-sensitive */
	norm("/%25", "/%");		/* decoded once only */
	norm("/a%20b", "/a b");
	norm("/%", NULL);
	norm("/%4", NULL);
	norm("/%zz", NULL);
	norm("/%00", NULL);
	norm("a/b", NULL);
	norm("", NULL);
}

static int parse_one(const char *s)
{
	struct fg_http_parser *p = new_parser();
	struct log l = { 0 };
	int ret = fg_http_feed(p, s, strlen(s), log_req, &l);

	/* errors are sticky */
	if (ret < 0)
		assert_int_equal(fg_http_feed(p, "GET / HTTP/1.1\r\n\r\n", 18, log_req, &l), ret);
	free(p);
	return ret;
}

static void test_malformed(void **state)
{
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
	/* framing that servers disagree on */
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
				   "Content-Length: 4\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
				   "Content-Length: 3\r\n\r\nabc"), 0);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
			 -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 0);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nno colon\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\n: v\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/1.1\r\nHost: [::1\r\n\r\n"), -EBADMSG);
	/* request line */
	assert_int_equal(parse_one("GET /\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET / HTTP/2.0\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET  / HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("G(T / HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one(" / HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET /%zz HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET /%00 HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET * HTTP/1.1\r\n\r\n"), -EBADMSG);
	assert_int_equal(parse_one("GET relative HTTP/1.1\r\n\r\n"), -EBADMSG);
	/* chunked bodies */
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
			 -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n"),
			 -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "3\r\nabcX"), -EBADMSG);
	assert_int_equal(parse_one("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "1234567890abcdef1\r\n"), -EBADMSG);
}

static void test_nul_in_head(void **state)
{
	static const char s[] = "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n";
	struct fg_http_parser *p = new_parser();

	assert_int_equal(fg_http_feed(p, s, sizeof(s) - 1, log_req, &(struct log){ 0 }), -EBADMSG);
	free(p);
}

static void test_limits(void **state)
{
	struct fg_http_parser *p = new_parser();
	char *big = malloc(FG_HTTP_MAX_HEAD + 100);
	char hdrs[2048];
	size_t i, n = 0;

	assert_non_null(big);
	memset(big, 'a', FG_HTTP_MAX_HEAD + 100);
	memcpy(big, "GET /", 5);
	assert_int_equal(fg_http_feed(p, big, FG_HTTP_MAX_HEAD + 100, log_req,
				      &(struct log){ 0 }), -E2BIG);

	n = snprintf(hdrs, sizeof(hdrs), "GET / HTTP/1.1\r\n");
	for (i = 0; i <= FG_HTTP_MAX_HEADERS; i++)
		n += snprintf(hdrs + n, sizeof(hdrs) - n, "X%zu: v\r\n", i);
	n += snprintf(hdrs + n, sizeof(hdrs) - n, "\r\n");
	fg_http_init(p);
	assert_int_equal(fg_http_feed(p, hdrs, n, log_req, &(struct log){ 0 }), -E2BIG);

	/* A chunk-size line of endless extensions is bounded too. */
	fg_http_init(p);
	memcpy(big, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;", 50);
	memset(big + 50, 'x', 1000);
	assert_int_equal(fg_http_feed(p, big, 1050, log_req, &(struct log){ 0 }), -E2BIG);
	free(big);
	free(p);
}

static int stop_cb(const struct fg_http_request *r, void *arg)
{
	(*(int *)arg)++;
	return 7;
}

static void test_callback_stops(void **state)
{
	const char *s = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n";
	struct fg_http_parser *p = new_parser();
	int calls = 0;

	assert_int_equal(fg_http_feed(p, s, strlen(s), stop_cb, &calls), 7);
	assert_int_equal(calls, 1);
	free(p);
}

/* A websocket frame as a client sends it: FIN, text, masked "hi". */
static const char ws_frame[] = "\x81\x82\x11\x22\x33\x44\x79\x4b";
static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Each prefix of the stream as two feeds, then byte by byte: the same
 * requests seen, and the tunnel (kind; NONE: still HTTP/1) or the error. */
static void check_tunnel(const char *head, const char *after, size_t after_len,
			 const char *want, int want_ret, enum fg_http_tunnel kind)
{
	size_t hl = strlen(head), n = hl + after_len, k, i;
	struct fg_http_parser *p = new_parser();
	char *s = malloc(n);
	struct log l;
	int ret;

	assert_non_null(s);
	memcpy(s, head, hl);
	memcpy(s + hl, after, after_len);
	for (k = 0; k <= n + 1; k++) {
		memset(&l, 0, sizeof(l));
		fg_http_init(p);
		if (k <= n) {
			ret = fg_http_feed(p, s, k, log_req, &l);
			if (!ret)
				ret = fg_http_feed(p, s + k, n - k, log_req, &l);
		} else {
			for (i = 0, ret = 0; i < n && !ret; i++)
				ret = fg_http_feed(p, s + i, 1, log_req, &l);
		}
		assert_int_equal(ret, want_ret);
		assert_string_equal(l.s, want);
		if (!want_ret && kind == FG_HTTP_TUNNEL_NONE) {
			assert_int_not_equal(p->state, FG_HTTP_TUNNEL);
		} else if (!want_ret) {
			assert_int_equal(p->state, FG_HTTP_TUNNEL);
			assert_int_equal(p->tunnel, kind);
			/* sticky: more tunnel bytes are no error */
			assert_int_equal(fg_http_feed(p, "\0\xff", 2, log_req, &l), 0);
		}
	}
	free(s);
	free(p);
}

static void test_tunnels(void **state)
{
	static const char tls[] = "\x16\x03\x01\x00\x05hello";
	const char *ws =
		"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
		"Connection: keep-alive, Upgrade\r\n"
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
	const char *next = "GET /next HTTP/1.1\r\nHost: a\r\nX-Upgraded: no\r\n\r\n"
			   "GET /x HTTP/1.1\r\n\r\n";

	check_tunnel(ws, ws_frame, sizeof(ws_frame) - 1, "GET a /chat ? h4|", 0,
		     FG_HTTP_TUNNEL_WEBSOCKET);
	check_tunnel("GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
		     "Upgrade: H2C\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
		     h2_preface, sizeof(h2_preface) - 1, "GET a / ? h4|", 0,
		     FG_HTTP_TUNNEL_H2C);
	check_tunnel("CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n",
		     tls, sizeof(tls) - 1, "CONNECT tunnel.example  ? h1|", 0,
		     FG_HTTP_TUNNEL_CONNECT);
	/* another protocol; the tunnel starts after the request's body */
	check_tunnel("POST /up HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2, bar\r\n"
		     "Connection: upgrade\r\nContent-Length: 3\r\n\r\nab\x81",
		     "\x81\x00", 2, "POST a /up ? h4|", 0, FG_HTTP_TUNNEL_UPGRADE);
	/* the server declined (it answered the upgrade request normally):
	 * the next request is HTTP/1, and only an upgrade arms a tunnel */
	check_tunnel(ws, next, strlen(next), "GET a /chat ? h4|GET a /next ? h2|GET  /x ? h0|", 0,
		     FG_HTTP_TUNNEL_NONE);
}

static void test_no_tunnel(void **state)
{
	const char *ws =
		"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
		"Connection: keep-alive, Upgrade\r\n\r\n";
	const char *bad = "GET / HTTP/1.1\r\nHost : b\r\n\r\n";

	/* a bare Upgrade header (no "Connection: upgrade") switches nothing */
	check_tunnel("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
		     ws_frame, sizeof(ws_frame) - 1, "GET  / ? h1|", -EBADMSG, 0);
	check_tunnel("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgraded\r\n\r\n",
		     ws_frame, sizeof(ws_frame) - 1, "GET  / ? h2|", -EBADMSG, 0);
	/* HTTP/1.0 servers ignore Upgrade (RFC 9110 7.8) */
	check_tunnel("GET / HTTP/1.0\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		     ws_frame, sizeof(ws_frame) - 1, "GET  / ? h2|", -EBADMSG, 0);
	check_tunnel("GET / HTTP/1.1\r\nUpgrade:\r\nConnection: upgrade\r\n\r\n",
		     ws_frame, sizeof(ws_frame) - 1, "GET  / ? h2|", -EBADMSG, 0);
	/* no upgrade at all: the preface and frames are malformed at once,
	 * not after FG_HTTP_MAX_HEAD bytes */
	check_tunnel("GET / HTTP/1.1\r\n\r\n", h2_preface, sizeof(h2_preface) - 1,
		     "GET  / ? h0|", -EBADMSG, 0);
	check_tunnel("", ws_frame, sizeof(ws_frame) - 1, "", -EBADMSG, 0);
	/* after an upgrade: a request line that is HTTP/1, with a bad head,
	 * is a malformed request, not a tunnel */
	check_tunnel(ws, bad, strlen(bad),
		     "GET a /chat ? h3|", -EBADMSG, 0);
}

/*
 * After an upgrade, only the tunnelled protocol's own start opens it.
 * Request lines fg_http rejects but lenient servers answer (Python's
 * http.server serves each of these) stay malformed: were they a tunnel,
 * the request would reach the server unchecked.
 */
static void test_tunnel_needs_its_start(void **state)
{
	static const struct {
		const char *head;
		const char *after;
		size_t len;	/* 0: strlen(after) */
	} cases[] = {
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "\x0bGET /admin HTTP/1.1\r\n\r\n", 0 },
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "GET\t/admin\tHTTP/1.1\r\n\r\n", 0 },
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "GET  /admin HTTP/1.1\r\n\r\n", 0 },
		/* 'A' + a masked length: a frame, but also "A" and a blank */
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "A\x85/admin HTTP/1.1\r\n\r\n", 0 },
		/* a continuation frame cannot come first; nor an unmasked one */
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "\x80\x80", 0 },
		{ "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
		  "\x81\x02hi", 0 },
		{ "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
		  "GET /admin HTTP/1.01\r\n\r\n", 0 },
		{ "GET / HTTP/1.1\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
		  "PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n", 0 },
		{ "CONNECT a:22 HTTP/1.1\r\n\r\n", "\x85GET /admin HTTP/1.1\r\n\r\n", 0 },
		/* a text protocol through CONNECT is not told from HTTP */
		{ "CONNECT a:22 HTTP/1.1\r\n\r\n", "SSH-2.0-OpenSSH_9.2\r\n", 0 },
		{ "CONNECT a:22 HTTP/1.1\r\n\r\n", "\0\x16", 2 },
	};
	char want[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "%s", cases[i].head[0] == 'C' ?
			 "CONNECT a  ? h0|" : strstr(cases[i].head, "ws") ?
			 "GET  /ws ? h2|" : "GET  / ? h2|");
		check_tunnel(cases[i].head, cases[i].after,
			     cases[i].len ? cases[i].len : strlen(cases[i].after), want,
			     -EBADMSG, 0);
	}
}

static int refuse_cb(const struct fg_http_request *r, void *arg)
{
	fg_http_refuse_tunnel(arg);
	return 0;
}

static void test_refused_tunnel(void **state)
{
	static const char s[] = "CONNECT a:1 HTTP/1.1\r\n\r\n\x16\x03";
	struct fg_http_parser *p = new_parser();

	assert_int_equal(fg_http_feed(p, s, sizeof(s) - 1, refuse_cb, p), -EBADMSG);
	fg_http_init(p);
	assert_int_equal(fg_http_feed(p, s, sizeof(s) - 1, NULL, NULL), 0);
	assert_int_equal(p->state, FG_HTTP_TUNNEL);
	assert_string_equal(fg_http_tunnel_name(p->tunnel), "connect");
	assert_null(fg_http_tunnel_name(FG_HTTP_TUNNEL_NONE));
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_in_head),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_no_tunnel),
		cmocka_unit_test(test_tunnel_needs_its_start),
		cmocka_unit_test(test_refused_tunnel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
