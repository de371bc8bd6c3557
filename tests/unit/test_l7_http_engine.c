// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_http_engine.c - the engine's HTTP checks that go beyond host,
 * method and path: `headers` conditions (every listed header, any
 * occurrence, trimmed value, names without case, values with it), the
 * user_agent of events (and no other header value), and the tunnels that
 * follow an allowed Upgrade or CONNECT request (websocket, h2c, connect),
 * with the cases that must stay malformed.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l7_engine.h"
#include "policy.h"

/* One engine with one TCP flow 192.0.2.1:50000 -> 192.0.2.2:80 in it. */
struct conn {
	struct fg_l7_engine *e;
	struct fg_insp_engine ops;
	FILE *evf;
	char *ev;
	size_t ev_len;
	struct fg_flow_key key;
	struct fg_flow flow;
	__u32 seq;
	__u16 app;
};

static void conn_open(struct conn *c, const char *mode, const char *rules)
{
	char yaml[2048];
	struct fg_diags d = { 0 };
	struct fg_policy *p;

	memset(c, 0, sizeof(*c));
	snprintf(yaml, sizeof(yaml), "version: 1\ndefault: deny\nmode: %s\nrules:\n%s",
		 mode, rules);
	if (fg_policy_parse("e.yaml", yaml, strlen(yaml), &p, &d))
		fg_diags_print(&d, stderr);
	assert_int_equal(d.n, 0);
	fg_diags_free(&d);
	c->evf = open_memstream(&c->ev, &c->ev_len);
	assert_non_null(c->evf);
	assert_int_equal(fg_l7_engine_new(NULL, false, c->evf, &c->e), 0);
	fg_l7_engine_set_policy(c->e, p, 1);
	fg_l7_engine_ops(c->e, &c->ops);

	c->key.family = AF_INET;
	c->key.proto = IPPROTO_TCP;
	inet_pton(AF_INET, "192.0.2.1", c->key.addr_lo);
	inet_pton(AF_INET, "192.0.2.2", c->key.addr_hi);
	c->key.port_lo = htons(50000);
	c->key.port_hi = htons(80);
	c->flow.flags = FG_FLOW_F_INIT_LO;
	c->flow.cls_port = 80;
	c->flow.action = FG_ACTION_INSPECT;
	c->flow.created_ns = 1;
	c->seq = 7;
}

/* The client's next len bytes, in order. */
static enum fg_insp_decision conn_send(struct conn *c, const void *data, size_t len)
{
	struct fg_insp_pkt pkt = {
		.key = &c->key, .flow = &c->flow, .dir = FG_DIR_ORIG,
		.payload = data, .len = len, .proto = IPPROTO_TCP,
		.tcp_flags = 0x18, .tcp_seq = c->seq, .app_id = &c->app,
	};

	c->seq += (__u32)len;
	return c->ops.decide(c->ops.arg, &pkt);
}

static enum fg_insp_decision conn_str(struct conn *c, const char *s)
{
	return conn_send(c, s, strlen(s));
}

static bool logged(struct conn *c, const char *s)
{
	fflush(c->evf);
	return c->ev && strstr(c->ev, s);
}

static void conn_close(struct conn *c)
{
	struct fg_l7_stats st;

	c->ops.flow_end(c->ops.arg, &c->key);
	fg_l7_engine_stats(c->e, &st);
	assert_int_equal(st.flows_live, 0);
	fg_l7_engine_free(c->e);
	fclose(c->evf);
	free(c->ev);
}

static const char hdr_rules[] =
	"  - name: api\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    app: http\n"
	"    http:\n"
	"      paths: [\"/api/*\"]\n"
	"      headers:\n"
	"        User-Agent: [\"curl/*\", \"Mozilla/*\"]\n"
	"        x-api-key: \"*\"\n"
	"    action: allow\n";

static void test_headers(void **state)
{
	static const struct {
		const char *hdrs;
		enum fg_insp_decision want;
		const char *ua;		/* as the event shows it */
	} cases[] = {
		{ "User-Agent: curl/8.5.0\r\nX-API-Key: s3cret\r\n", FG_INSP_CONTINUE,
		  "\"user_agent\":\"curl/8.5.0\"" },
		/* a listed header missing */
		{ "User-Agent: curl/8.5.0\r\n", FG_INSP_DENY, "\"user_agent\":\"curl/8.5.0\"" },
		{ "X-Api-Key: k\r\n", FG_INSP_DENY, "\"user_agent\":null" },
		/* no glob matches; values keep their case */
		{ "User-Agent: Wget/1.21\r\nX-Api-Key: k\r\n", FG_INSP_DENY,
		  "\"user_agent\":\"Wget/1.21\"" },
		{ "User-Agent: CURL/8\r\nX-Api-Key: k\r\n", FG_INSP_DENY,
		  "\"user_agent\":\"CURL/8\"" },
		/* one occurrence of a repeated header is enough; the event
		 * shows the first; an empty value matches "*" */
		{ "User-Agent: Wget/1\r\nUser-Agent: Mozilla/5.0\r\nX-Api-Key:\r\n",
		  FG_INSP_CONTINUE, "\"user_agent\":\"Wget/1\"" },
		/* names compare without case, values without the blanks */
		{ "USER-AGENT: \t Mozilla/5.0 (X11) \t\r\nx-API-key: k\r\n",
		  FG_INSP_CONTINUE, "\"user_agent\":\"Mozilla/5.0 (X11)\"" },
	};
	enum fg_insp_decision d;
	char req[512];
	struct conn c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		conn_open(&c, "protect", hdr_rules);
		snprintf(req, sizeof(req), "GET /api/v1 HTTP/1.1\r\nHost: a\r\n%s\r\n",
			 cases[i].hdrs);
		d = conn_str(&c, req);
		if (d != cases[i].want || !logged(&c, cases[i].ua))
			fprintf(stderr, "case %zu: %s\n", i, c.ev);
		assert_int_equal(d, cases[i].want);
		assert_true(logged(&c, cases[i].ua));
		assert_true(logged(&c, cases[i].want == FG_INSP_DENY ?
				   "\"verdict\":\"deny\"" : "\"verdict\":\"allow\""));
		/* credentials a rule conditions on stay out of the log */
		assert_false(logged(&c, "s3cret"));
		conn_close(&c);
	}
	/* the path still counts: headers are ANDed with it */
	conn_open(&c, "protect", hdr_rules);
	assert_int_equal(conn_str(&c, "GET /admin HTTP/1.1\r\nUser-Agent: curl/8\r\n"
				  "X-Api-Key: k\r\n\r\n"), FG_INSP_DENY);
	conn_close(&c);
}

static const char tunnel_rules[] =
	"  - {name: ws, proto: tcp, ports: [80], app: http,"
	" http: {paths: [\"/ws\"]}, action: allow}\n"
	"  - {name: proxy, proto: tcp, ports: [80], app: http,"
	" http: {methods: [CONNECT], hosts: [tunnel.example]}, action: allow}\n";

static const char ws_up[] =
	"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
/* a masked client text frame, "hi" */
#define WS_FRAME "\x81\x82\x01\x02\x03\x04\x69\x6b"
#define H2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\x04"

/* One connection: a request, then the bytes after it (when any). */
struct tunnel_case {
	const char *what;
	const char *mode;
	const char *req;
	enum fg_insp_decision req_d;
	const char *after;
	size_t after_len;
	enum fg_insp_decision after_d;
	const char *logged;	/* an event has this */
	bool tunnel;		/* and one says "tunnel" */
};

static const struct tunnel_case tunnel_cases[] = {
	{ "websocket, the frame in a later packet", "protect", ws_up, FG_INSP_CONTINUE,
	  WS_FRAME, sizeof(WS_FRAME) - 1, FG_INSP_ALLOW,
	  "\"rule\":\"ws\",\"generation\":1,\"verdict\":\"allow\",\"reason\":\"tunnel\","
	  "\"app\":\"http\",\"tunnel\":\"websocket\"", true },
	{ "h2c, then the preface", "protect",
	  "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n"
	  "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", FG_INSP_CONTINUE,
	  H2_PREFACE, sizeof(H2_PREFACE) - 1, FG_INSP_ALLOW, "\"tunnel\":\"h2c\"", true },
	{ "CONNECT, then a TLS record", "protect",
	  "CONNECT tunnel.example:443 HTTP/1.1\r\nHost: tunnel.example:443\r\n\r\n",
	  FG_INSP_CONTINUE, "\x16\x03\x01\x02\x00\x01", 6, FG_INSP_ALLOW,
	  "\"rule\":\"proxy\",\"generation\":1,\"verdict\":\"allow\",\"reason\":\"tunnel\","
	  "\"app\":\"http\",\"tunnel\":\"connect\"", true },
	/* the rule denies the upgrade request itself */
	{ "upgrade to a denied path", "protect",
	  "GET /admin HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
	  FG_INSP_DENY, NULL, 0, 0, "\"path\":\"/admin\"", false },
	{ "CONNECT to a denied host", "protect", "CONNECT evil.example:443 HTTP/1.1\r\n\r\n",
	  FG_INSP_DENY, NULL, 0, 0, "\"host\":\"evil.example\"", false },
	{ "a bare Upgrade header", "protect", "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n",
	  FG_INSP_CONTINUE, WS_FRAME, sizeof(WS_FRAME) - 1, FG_INSP_DENY,
	  "\"reason\":\"malformed\"", false },
	{ "a plain request, then the preface", "protect", "GET /ws HTTP/1.1\r\n\r\n",
	  FG_INSP_CONTINUE, H2_PREFACE, sizeof(H2_PREFACE) - 1, FG_INSP_DENY,
	  "\"reason\":\"malformed\"", false },
	/* the server declined: the next request is HTTP/1 and arms nothing */
	{ "declined upgrade, another request, a frame", "protect", ws_up, FG_INSP_CONTINUE,
	  "GET /ws HTTP/1.1\r\nHost: a\r\n\r\n" WS_FRAME, 37, FG_INSP_DENY,
	  "\"reason\":\"malformed\"", false },
	/* monitor: a request that would be denied opens no tunnel; what
	 * follows is logged as malformed, and delivered */
	{ "monitor, would-deny upgrade", "monitor",
	  "GET /other HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
	  FG_INSP_CONTINUE, WS_FRAME, sizeof(WS_FRAME) - 1, FG_INSP_ALLOW,
	  "\"verdict\":\"would_deny\",\"reason\":\"malformed\"", false },
};

static void test_tunnels(void **state)
{
	const struct tunnel_case *tc;
	enum fg_insp_decision d;
	struct conn c;
	size_t i;

	for (i = 0; i < sizeof(tunnel_cases) / sizeof(tunnel_cases[0]); i++) {
		tc = &tunnel_cases[i];
		conn_open(&c, tc->mode, tunnel_rules);
		d = conn_str(&c, tc->req);
		if (d == tc->req_d && tc->after)
			d = conn_send(&c, tc->after, tc->after_len);
		if (d != (tc->after ? tc->after_d : tc->req_d) || !logged(&c, tc->logged) ||
		    logged(&c, "\"tunnel\"") != tc->tunnel)
			fprintf(stderr, "%s: decision %d, events:\n%s\n", tc->what, d, c.ev);
		assert_int_equal(d, tc->after ? tc->after_d : tc->req_d);
		assert_true(logged(&c, tc->logged));
		assert_int_equal(logged(&c, "\"tunnel\""), tc->tunnel);
		conn_close(&c);
	}
}

/* The request and the frame in one packet. */
static void test_tunnel_one_packet(void **state)
{
	char both[sizeof(ws_up) + sizeof(WS_FRAME)];
	struct conn c;

	conn_open(&c, "protect", tunnel_rules);
	memcpy(both, ws_up, sizeof(ws_up) - 1);
	memcpy(both + sizeof(ws_up) - 1, WS_FRAME, sizeof(WS_FRAME) - 1);
	assert_int_equal(conn_send(&c, both, sizeof(both) - 2), FG_INSP_ALLOW);
	assert_true(logged(&c, "\"tunnel\":\"websocket\""));
	conn_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_tunnels),
		cmocka_unit_test(test_tunnel_one_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
