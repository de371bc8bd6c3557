// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_engine.c - the L7 policy engine on real-shaped payloads: HTTP
 * keep-alive and pipelining, TLS ClientHello SNI, DNS queries, fall-through
 * to the next matching rule, monitor mode, the identification budget, TCP
 * ordering, and state freed (run under ASan to see leaks).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../l7_msgs.h"
#include "l7_engine.h"
#include "l7_tls.h"
#include "policy.h"

/* One flow 10.0.0.1:40000 -> 10.0.0.2:port as the kernel keys it. */
struct tflow {
	struct fg_flow_key key;
	struct fg_flow flow;
	__u32 seq[2];
	__u16 app_id;
};

struct ctx {
	struct fg_l7_engine *e;
	struct fg_insp_engine ops;
	char *ev;
	size_t ev_len;
	FILE *evf;
};

static void tflow_init(struct tflow *t, __u8 proto, __u16 port)
{
	static __u64 created;

	memset(t, 0, sizeof(*t));
	/* each call is a new kernel flow, even on a 5-tuple used before */
	t->flow.created_ns = ++created;
	t->key.family = AF_INET;
	t->key.proto = proto;
	inet_pton(AF_INET, "10.0.0.1", t->key.addr_lo);
	inet_pton(AF_INET, "10.0.0.2", t->key.addr_hi);
	t->key.port_lo = htons(40000);
	t->key.port_hi = htons(port);
	t->flow.flags = FG_FLOW_F_INIT_LO;
	t->flow.cls_port = port;
	t->flow.action = FG_ACTION_INSPECT;
	t->seq[0] = 1000;
	t->seq[1] = 5000;
}

static enum fg_insp_decision send_at(struct ctx *c, struct tflow *t, int dir,
				     __u32 seq, const void *data, size_t len)
{
	struct fg_insp_pkt p = {
		.key = &t->key, .flow = &t->flow, .dir = dir,
		.payload = data, .len = len, .proto = t->key.proto,
		.tcp_flags = 0x18, .tcp_seq = seq, .app_id = &t->app_id,
	};

	return c->ops.decide(c->ops.arg, &p);
}

/* In order: the next bytes of direction dir. */
static enum fg_insp_decision push(struct ctx *c, struct tflow *t, int dir,
				  const void *data, size_t len)
{
	enum fg_insp_decision d = send_at(c, t, dir, t->seq[dir], data, len);

	t->seq[dir] += (__u32)len;
	return d;
}

static enum fg_insp_decision send_str(struct ctx *c, struct tflow *t,
				      const char *s)
{
	return push(c, t, FG_DIR_ORIG, s, strlen(s));
}

static void setup_policy(struct ctx *c, const char *yaml,
			 const struct fg_l7_limits *lim)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p;

	memset(c, 0, sizeof(*c));
	assert_int_equal(fg_policy_parse("t.yaml", yaml, strlen(yaml), &p, &d), 0);
	fg_diags_free(&d);
	c->evf = open_memstream(&c->ev, &c->ev_len);
	assert_non_null(c->evf);
	assert_int_equal(fg_l7_engine_new(lim, false, c->evf, &c->e), 0);
	fg_l7_engine_set_policy(c->e, p, 7);
	fg_l7_engine_ops(c->e, &c->ops);
}

/* The flow got its verdict: the worker ends it; no state may remain. */
static void end(struct ctx *c, struct tflow *t)
{
	c->ops.flow_end(c->ops.arg, &t->key);
}

static void teardown_ctx(struct ctx *c)
{
	struct fg_l7_stats st;

	fg_l7_engine_stats(c->e, &st);
	assert_int_equal(st.flows_live, 0);
	fg_l7_engine_free(c->e);
	fclose(c->evf);
	free(c->ev);
}

static bool events_have(struct ctx *c, const char *s)
{
	fflush(c->evf);
	return c->ev && strstr(c->ev, s);
}

static const char web_policy[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - name: web\n"
	"    proto: tcp\n"
	"    ports: [80]\n"
	"    app: http\n"
	"    http:\n"
	"      hosts: [\"shop.example\", \"*.shop.example\"]\n"
	"      methods: [GET, POST]\n"
	"      paths: [\"/api/*\"]\n"
	"    action: allow\n"
	"  - name: tls-out\n"
	"    proto: tcp\n"
	"    ports: [443]\n"
	"    app: tls\n"
	"    tls: {sni: [\"*.example.com\"]}\n"
	"    action: allow\n"
	"  - name: dns\n"
	"    proto: udp\n"
	"    ports: [53]\n"
	"    app: dns\n"
	"    dns: {names: [\"*.corp.example\", \"example.com\"]}\n"
	"    action: allow\n"
	"  - name: ssh-deny\n"
	"    proto: tcp\n"
	"    ports: [8080]\n"
	"    app: ssh\n"
	"    action: deny\n"
	"  - name: alt-http\n"
	"    proto: tcp\n"
	"    ports: [8080]\n"
	"    app: http\n"
	"    action: allow\n"
	"  - name: alt-rest\n"
	"    proto: tcp\n"
	"    ports: [8080]\n"
	"    action: allow\n";

static void test_http_keepalive(void **state)
{
	struct ctx c;
	struct tflow t;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, "GET /api/items HTTP/1.1\r\n"
				  "Host: shop.example\r\n\r\n"), FG_INSP_CONTINUE);
	assert_int_equal(t.app_id, FG_APP_HTTP);
	/* the response stays forwarded, not parsed */
	assert_int_equal(push(&c, &t, FG_DIR_REPLY, "HTTP/1.1 200 OK\r\n"
			      "Content-Length: 0\r\n\r\n", 38), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &t, "POST /api/v1/../cart HTTP/1.1\r\n"
				  "Host: www.Shop.Example\r\nContent-Length: 2\r\n"
				  "\r\nhi"), FG_INSP_CONTINUE);
	/* the second connection's request breaks the path condition */
	assert_int_equal(send_str(&c, &t, "GET /admin HTTP/1.1\r\n"
				  "Host: shop.example\r\n\r\n"), FG_INSP_DENY);
	assert_true(events_have(&c, "\"verdict\":\"deny\""));
	assert_true(events_have(&c, "\"path\":\"/admin\""));
	assert_true(events_have(&c, "\"rule\":\"default\""));
	assert_true(events_have(&c, "\"type\":\"l7\""));
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_http_conditions(void **state)
{
	static const char *const deny[] = {
		/* apex does not match *.x and is not listed: 'x.example' */
		"GET /api/a HTTP/1.1\r\nHost: shop.example.evil\r\n\r\n",
		"get /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"DELETE /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"GET /api HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"GET /api/../admin HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"GET /%61dmin HTTP/1.1\r\nHost: shop.example\r\n\r\n",
		"GET /api/a HTTP/1.1\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++) {
		struct ctx c;
		struct tflow t;

		setup_policy(&c, web_policy, NULL);
		tflow_init(&t, IPPROTO_TCP, 80);
		assert_int_equal(send_str(&c, &t, deny[i]), FG_INSP_DENY);
		end(&c, &t);
		teardown_ctx(&c);
	}
}

static void test_http_pipelined_and_split(void **state)
{
	const char *two = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n"
			  "GET /secret HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	const char *one = "GET /api/a HTTP/1.1\r\nHost: a.shop.example\r\n\r\n";
	struct ctx c;
	struct tflow t;
	size_t i;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, two), FG_INSP_DENY);
	end(&c, &t);

	/* one byte per segment: identified late, replayed from the start */
	tflow_init(&t, IPPROTO_TCP, 80);
	for (i = 0; i < strlen(one); i++)
		assert_int_equal(push(&c, &t, FG_DIR_ORIG, one + i, 1),
				 FG_INSP_CONTINUE);
	assert_int_equal(t.app_id, FG_APP_HTTP);
	assert_true(events_have(&c, "\"host\":\"a.shop.example\""));
	end(&c, &t);
	teardown_ctx(&c);
}

static size_t client_hello(uint8_t *b, const char *sni)
{
	return l7_client_hello(b, sni, NULL, 0);
}

static void test_tls_sni(void **state)
{
	uint8_t hello[512];
	struct ctx c;
	struct tflow t;
	size_t n;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 443);
	n = client_hello(hello, "www.example.com");
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_ALLOW);
	assert_int_equal(t.app_id, FG_APP_TLS);
	assert_true(events_have(&c, "\"sni\":\"www.example.com\""));
	/* one line per decision */
	assert_null(strstr(strstr(c.ev, "\"verdict\":\"allow\"") + 1,
			   "\"verdict\":\"allow\""));
	end(&c, &t);

	/* the apex is not *.example.com; split over two segments */
	tflow_init(&t, IPPROTO_TCP, 443);
	n = client_hello(hello, "example.com");
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, 20), FG_INSP_CONTINUE);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello + 20, n - 20),
			 FG_INSP_DENY);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_tls_alpn_versions(void **state)
{
	static const struct {
		const char *alpn;
		uint16_t sv;
		enum fg_insp_decision d;
		const char *rule;
	} cases[] = {
		{ "h2", 0x0304, FG_INSP_ALLOW, "modern" },
		{ "h2 http/1.1", 0x0304, FG_INSP_ALLOW, "modern" },
		/* every value offered must be listed: the server picks one */
		{ "h2 spdy/3", 0x0304, FG_INSP_ALLOW, "legacy" },
		/* no supported_versions: the legacy version (1.2) counts */
		{ "h2", 0, FG_INSP_ALLOW, "legacy" },
		{ "http/1.1", 0x0303, FG_INSP_ALLOW, "legacy" },
		/* no ALPN offered: an alpn condition cannot hold */
		{ NULL, 0x0304, FG_INSP_ALLOW, "legacy" },
		{ NULL, 0x0301, FG_INSP_DENY, "default" },
		{ "h2", 0x0302, FG_INSP_DENY, "default" },
		/* GREASE values (RFC 8701) are not offers; alone, no ALPN */
		{ "\x1a\x1a h2", 0x0304, FG_INSP_ALLOW, "modern" },
		{ "\x1a\x1a", 0x0304, FG_INSP_ALLOW, "legacy" },
		/* ALPN values compare exactly */
		{ "H2", 0x0304, FG_INSP_ALLOW, "legacy" },
	};
	uint8_t hello[512];
	char want[64];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctx c;
		struct tflow t;

		setup_policy(&c, "version: 1\ndefault: deny\nrules:\n"
			     "  - {name: modern, proto: tcp, ports: [443], app: tls,"
			     " tls: {sni: [a.example], alpn: [h2, http/1.1],"
			     " versions: [\"1.3\"]}, action: allow}\n"
			     "  - {name: legacy, proto: tcp, ports: [443], app: tls,"
			     " tls: {versions: [1.2, 1.3]}, action: allow}\n", NULL);
		tflow_init(&t, IPPROTO_TCP, 443);
		n = l7_client_hello(hello, "a.example", cases[i].alpn, cases[i].sv);
		if (push(&c, &t, FG_DIR_ORIG, hello, n) != cases[i].d)
			fail_msg("case %zu: not decided %d", i, cases[i].d);
		snprintf(want, sizeof(want), "\"rule\":\"%s\"", cases[i].rule);
		if (!events_have(&c, want))
			fail_msg("case %zu: no %s in %s", i, want, c.ev);
		if (!i) {	/* what the event says about the hello */
			assert_true(events_have(&c, "\"sni\":\"a.example\","
						"\"alpn\":[\"h2\"],\"version\":\"0x0304\","
						"\"ja3\":\""));
			/* TLS 1.3, SNI, 1 cipher, 3 extensions, ALPN h2 */
			assert_true(events_have(&c, "\"ja4\":\"t13d0103h2_"));
		}
		end(&c, &t);
		teardown_ctx(&c);
	}
}

static size_t dns_query(uint8_t *b, const char *name)
{
	return l7_dns_msg(b, name, false, false);
}

/* tls: {ja3, ja4}: a deny rule naming a client's fingerprint stops it (the
 * fingerprints as the TLS parser computes and logs them; upper case in the
 * policy compares as lower case), another client falls through. */
static void test_tls_fingerprints(void **state)
{
	struct fg_tls_parser *tp = malloc(sizeof(*tp));
	char yaml[1024], ja3_upper[33];
	uint8_t hello[512];
	struct ctx c;
	struct tflow t;
	size_t n, i;

	assert_non_null(tp);
	n = l7_client_hello(hello, "a.example", "h2", 0x0304);
	fg_tls_init(tp);
	assert_int_equal(fg_tls_feed(tp, hello, n), 1);
	for (i = 0; i < 33; i++)
		ja3_upper[i] = (char)toupper((unsigned char)tp->hello.ja3_md5[i]);
	snprintf(yaml, sizeof(yaml), "version: 1\ndefault: deny\nrules:\n"
		 "  - {name: bad-ja4, proto: tcp, ports: [443], app: tls,"
		 " tls: {ja4: [\"%s\"]}, action: deny}\n"
		 "  - {name: bad-ja3, proto: tcp, ports: [443], app: tls,"
		 " tls: {ja3: [\"%s\"]}, action: deny}\n"
		 "  - {name: web, proto: tcp, ports: [443], app: tls,"
		 " action: allow}\n", tp->hello.ja4, ja3_upper);
	for (i = 0; i < 3; i++) {
		setup_policy(&c, yaml, NULL);
		tflow_init(&t, IPPROTO_TCP, 443);
		/* 0: both fingerprints match; 1: another ALPN changes JA4
		 * (and JA3's extension list stays: still bad-ja3); 2: no ALPN
		 * and another version: neither */
		n = l7_client_hello(hello, "a.example", i == 2 ? NULL : i ? "http/1.1" : "h2",
				    i == 2 ? 0x0303 : 0x0304);
		if (i == 0) {
			assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_DENY);
			assert_true(events_have(&c, "\"rule\":\"bad-ja4\""));
		} else if (i == 1) {
			assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_DENY);
			assert_true(events_have(&c, "\"rule\":\"bad-ja3\""));
		} else {
			assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_ALLOW);
			assert_true(events_have(&c, "\"rule\":\"web\""));
		}
		end(&c, &t);
		teardown_ctx(&c);
	}
	free(tp);
}

static void test_dns_names(void **state)
{
	uint8_t q[300];
	struct ctx c;
	struct tflow t;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_UDP, 53);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, dns_query(q, "host.corp.example")),
			 FG_INSP_CONTINUE);
	assert_int_equal(t.app_id, FG_APP_DNS);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, dns_query(q, "example.com")),
			 FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"qname\":\"example.com\""));
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, dns_query(q, "evil.example.net")),
			 FG_INSP_DENY);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_dns_tcp_answers(void **state)
{
	uint8_t q[300], a[300];
	size_t nq, na;
	struct ctx c;
	struct tflow t;

	setup_policy(&c, "version: 1\ndefault: deny\nrules:\n"
		     "  - {name: dns, proto: tcp, ports: [53], app: dns,"
		     " dns: {names: [\"*.corp.example\"]}, action: allow}\n",
		     NULL);
	tflow_init(&t, IPPROTO_TCP, 53);
	nq = l7_dns_msg(q, "host.corp.example", false, true);
	na = l7_dns_msg(a, "host.corp.example", true, true);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, nq), FG_INSP_CONTINUE);
	assert_int_equal(t.app_id, FG_APP_DNS);
	/* the answer, split inside its length prefix, is logged */
	assert_int_equal(push(&c, &t, FG_DIR_REPLY, a, 1), FG_INSP_CONTINUE);
	assert_int_equal(push(&c, &t, FG_DIR_REPLY, a + 1, na - 1),
			 FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"reason\":\"answer\""));
	assert_true(events_have(&c, "\"answers\":[\"192.0.2.1\"]"));
	/* a second query on the connection is still checked */
	nq = l7_dns_msg(q, "evil.example.net", false, true);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, nq), FG_INSP_DENY);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_fallthrough(void **state)
{
	static const char ssh[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
	struct ctx c;
	struct tflow t;

	setup_policy(&c, web_policy, NULL);
	/* not HTTP on an `app: http` rule: next rule (none) -> default */
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, ssh, strlen(ssh)), FG_INSP_DENY);
	assert_true(events_have(&c, "\"app\":\"ssh\""));
	end(&c, &t);

	/* port 8080: ssh-deny, then alt-http, then alt-rest, in order */
	tflow_init(&t, IPPROTO_TCP, 8080);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, ssh, strlen(ssh)), FG_INSP_DENY);
	end(&c, &t);
	tflow_init(&t, IPPROTO_TCP, 8080);
	assert_int_equal(send_str(&c, &t, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	assert_true(events_have(&c, "\"rule\":\"alt-http\""));
	end(&c, &t);
	tflow_init(&t, IPPROTO_TCP, 8080);
	assert_int_equal(send_str(&c, &t, "*1\r\n$4\r\nPING\r\n"), FG_INSP_ALLOW);
	assert_true(events_have(&c, "\"rule\":\"alt-rest\""));
	assert_int_equal(t.app_id, FG_APP_REDIS);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_monitor(void **state)
{
	struct ctx c;
	struct tflow t;
	struct fg_l7_stats st;

	const struct fg_l7_limits lim = { .monitor_items = 2 };

	setup_policy(&c, "version: 1\ndefault: deny\nmode: monitor\nrules:\n"
		     "  - {name: web, proto: tcp, ports: [80], app: http,"
		     " http: {paths: [\"/ok\"]}, action: allow}\n", &lim);
	tflow_init(&t, IPPROTO_TCP, 80);
	/* every request that would be denied is logged: the connection
	 * stays in inspection, each request checked from the app rule */
	assert_int_equal(send_str(&c, &t, "GET /no HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"verdict\":\"would_deny\""));
	assert_int_equal(send_str(&c, &t, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"rule\":\"web\",\"generation\":7,"
				"\"verdict\":\"allow\""));
	assert_int_equal(send_str(&c, &t, "GET /no2 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"path\":\"/no2\""));
	/* past monitor_items (2) the flow goes by the kernel, still logged */
	assert_int_equal(send_str(&c, &t, "GET /no3 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	assert_true(events_have(&c, "\"path\":\"/no3\""));
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.would_deny, 3);
	end(&c, &t);
	teardown_ctx(&c);

	/* a rule's own protect wins over the policy's monitor */
	setup_policy(&c, "version: 1\ndefault: deny\nmode: monitor\nrules:\n"
		     "  - {name: web, proto: tcp, ports: [80], app: http,"
		     " mode: protect, http: {paths: [\"/ok\"]}, action: allow}\n",
		     NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, "GET /no HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_DENY);
	end(&c, &t);
	teardown_ctx(&c);
}

/* Three requests of t that monitor mode would deny. */
static enum fg_insp_decision would_deny3(struct ctx *c, struct tflow *t)
{
	assert_int_equal(send_str(c, t, "GET /n1 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_int_equal(send_str(c, t, "GET /n2 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	return send_str(c, t, "GET /n3 HTTP/1.1\r\nHost: a\r\n\r\n");
}

/* The policy's `inspect` bounds, on start and on reload. */
static void test_policy_limits(void **state)
{
	const char *mon = "version: 1\ndefault: deny\nmode: monitor\n"
			  "inspect: {max_flows: 2, monitor_items: 2}\nrules:\n"
			  "  - {name: web, proto: tcp, ports: [80], app: http,"
			  " http: {paths: [\"/ok\"]}, action: allow}\n";
	const char *mon1 = "version: 1\ndefault: deny\nmode: monitor\n"
			   "inspect: {max_flows: 1, monitor_items: 1}\nrules:\n"
			   "  - {name: web, proto: tcp, ports: [80], app: http,"
			   " http: {paths: [\"/ok\"]}, action: allow}\n";
	const struct fg_l7_limits eng = { .monitor_items = 50 };
	struct fg_diags d = { 0 };
	struct fg_l7_stats st;
	struct tflow t, u, v;
	struct fg_policy *p;
	struct ctx c;

	/* the policy's monitor_items (2) wins over the engine's (50): the
	 * third would-deny request allows the flow */
	setup_policy(&c, mon, &eng);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(would_deny3(&c, &t), FG_INSP_ALLOW);
	end(&c, &t);

	/* t2 starts under it; a reload to max_flows 1, monitor_items 1 */
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, "GET /n1 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_int_equal(fg_policy_parse("n.yaml", mon1, strlen(mon1), &p, &d), 0);
	fg_l7_engine_set_policy(c.e, p, 8);
	/* the lowered max_flows: t keeps its state, a new flow gets none
	 * (inspect_failure closed) */
	tflow_init(&u, IPPROTO_TCP, 80);
	u.key.port_lo = htons(40001);
	assert_int_equal(send_str(&c, &u, "GET /n1 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_DENY);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.table_full, 1);
	/* t finishes under the bounds it started with (2 items) */
	assert_int_equal(send_str(&c, &t, "GET /n2 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &t, "GET /n3 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	end(&c, &t);
	/* room again: a new flow runs under the new bound (1 item) */
	tflow_init(&v, IPPROTO_TCP, 80);
	v.key.port_lo = htons(40002);
	assert_int_equal(send_str(&c, &v, "GET /n1 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &v, "GET /n2 HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	end(&c, &v);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.would_deny, 3 + 3 + 2);
	teardown_ctx(&c);

	/* no `inspect` in the policy: the engine's bound (50) applies */
	setup_policy(&c, "version: 1\ndefault: deny\nmode: monitor\nrules:\n"
		     "  - {name: web, proto: tcp, ports: [80], app: http,"
		     " http: {paths: [\"/ok\"]}, action: allow}\n", &eng);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(would_deny3(&c, &t), FG_INSP_CONTINUE);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_budget(void **state)
{
	const struct fg_l7_limits lim = { .ident_pkts = 3 };
	struct fg_l7_stats st;
	struct ctx c;
	struct tflow t;

	setup_policy(&c, "version: 1\ndefault: deny\nrules:\n"
		     "  - {name: db, proto: tcp, ports: [3306], app: mysql,"
		     " action: allow}\n", &lim);
	/* the client waits for a greeting that never comes: the packet
	 * budget runs out and the flow is "something else" */
	tflow_init(&t, IPPROTO_TCP, 3306);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, "\x01", 1), FG_INSP_CONTINUE);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, "\x00", 1), FG_INSP_CONTINUE);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, "\x00", 1), FG_INSP_DENY);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.not_identified, 1);
	end(&c, &t);
	teardown_ctx(&c);
}

/* inspect.budget: after the app's bytes, at a boundary between requests or
 * queries that held, the flow is allowed for good; never mid-request, never
 * before one request was checked, and a denied request still denies. */
static void test_app_budget(void **state)
{
	const char *pol = "version: 1\ndefault: deny\n"
			  "inspect: {budget: {http: 60, dns: 1}}\nrules:\n"
			  "  - {name: web, proto: tcp, ports: [80], app: http,"
			  " http: {paths: [\"/ok*\"]}, action: allow}\n"
			  "  - {name: dns, proto: tcp, ports: [53], app: dns,"
			  " dns: {names: [\"*.corp.example\"]}, action: allow}\n";
	const char *req = "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n";	/* 29 bytes */
	struct fg_l7_stats st;
	uint8_t q[300];
	struct ctx c;
	struct tflow t;
	size_t nq;

	setup_policy(&c, pol, NULL);
	/* 29 + 29 bytes: under the budget, still inspected */
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	/* past it, but inside a request head: not yet */
	assert_int_equal(send_str(&c, &t, "GET /ok"), FG_INSP_CONTINUE);
	/* that request completes and holds: allowed for good */
	assert_int_equal(send_str(&c, &t, " HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	assert_true(events_have(&c, "\"reason\":\"budget\""));
	end(&c, &t);

	/* a denied request past the budget is denied, not allowed */
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &t, "GET /no HTTP/1.1\r\nHost: a\r\n"
					  "X-Pad: 0123456789012345678901234567\r\n\r\n"),
			 FG_INSP_DENY);
	end(&c, &t);

	/* a body read past the budget: allowed inside it (the request that
	 * carries it held) */
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, "POST /ok HTTP/1.1\r\nHost: a\r\n"
					  "Content-Length: 100\r\n\r\n"),
			 FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &t, "0123456789012345678901234567890"),
			 FG_INSP_ALLOW);
	end(&c, &t);

	/* DNS over TCP, budget 1 byte: the first query that holds decides */
	tflow_init(&t, IPPROTO_TCP, 53);
	nq = l7_dns_msg(q, "host.corp.example", false, true);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, 5), FG_INSP_CONTINUE);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q + 5, nq - 5), FG_INSP_ALLOW);
	end(&c, &t);
	/* an answer before any query spends the budget, but no query was
	 * checked: still inspected, and the query decides */
	tflow_init(&t, IPPROTO_TCP, 53);
	nq = l7_dns_msg(q, "host.corp.example", true, true);
	assert_int_equal(push(&c, &t, FG_DIR_REPLY, q, nq), FG_INSP_CONTINUE);
	nq = l7_dns_msg(q, "evil.example.net", false, true);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, nq), FG_INSP_DENY);
	end(&c, &t);
	/* ... and a query that does not hold is denied */
	tflow_init(&t, IPPROTO_TCP, 53);
	nq = l7_dns_msg(q, "evil.example.net", false, true);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, q, nq), FG_INSP_DENY);
	end(&c, &t);

	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.budget_spent, 3);
	teardown_ctx(&c);

	/* without a budget every request is checked, however many bytes */
	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	for (nq = 0; nq < 50; nq++)
		assert_int_equal(send_str(&c, &t, "GET /api/x HTTP/1.1\r\n"
					  "Host: shop.example\r\n\r\n"),
				 FG_INSP_CONTINUE);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.budget_spent, 0);
	end(&c, &t);
	teardown_ctx(&c);
}

/* --event-rate: the engine's lines go through one token bucket; what is
 * over it is counted, not written. */
static void test_event_rate(void **state)
{
	struct fg_l7_stats st;
	struct ctx c;
	struct tflow t;
	size_t lines = 0, i;
	const char *p;

	setup_policy(&c, web_policy, NULL);
	fg_l7_engine_set_event_rate(c.e, 1, 5);	/* 1/s, bursts of 5 */
	tflow_init(&t, IPPROTO_TCP, 80);
	for (i = 0; i < 20; i++)
		assert_int_equal(send_str(&c, &t, "GET /api/x HTTP/1.1\r\n"
					  "Host: shop.example\r\n\r\n"),
				 FG_INSP_CONTINUE);
	fflush(c.evf);
	for (p = c.ev; p && (p = strchr(p, '\n')); p++)
		lines++;
	fg_l7_engine_stats(c.e, &st);
	/* the burst, and at most one more if a second went by */
	assert_true(lines >= 5 && lines <= 6);
	assert_int_equal(st.events_suppressed, 20 - lines);
	/* the verdicts are not rate-limited: a denied request still denies */
	assert_int_equal(send_str(&c, &t, "GET /admin HTTP/1.1\r\n"
				  "Host: shop.example\r\n\r\n"), FG_INSP_DENY);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_tcp_order_and_state(void **state)
{
	const char *req = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	struct fg_l7_stats st;
	struct ctx c;
	struct tflow t, u;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	tflow_init(&u, IPPROTO_TCP, 80);
	u.key.port_lo = htons(40001);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, req, 10), FG_INSP_CONTINUE);
	/* after a gap: buffered by tcp_stream, inspected once in order */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] + 5, req + 15, 5),
			 FG_INSP_CONTINUE);
	/* an identical retransmission of inspected bytes */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] - 10, req, 10),
			 FG_INSP_CONTINUE);
	/* overlapping both, filling the gap: the request completes */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] - 4, req + 6,
				 strlen(req) - 6), FG_INSP_CONTINUE);
	assert_true(events_have(&c, "\"path\":\"/api/a\""));
	t.seq[0] += (__u32)strlen(req) - 10;
	assert_int_equal(send_str(&c, &u, req), FG_INSP_CONTINUE);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 2);
	assert_int_equal(st.flows, 2);
	/* inspected bytes sent again with other content: evasion, denied */
	assert_int_equal(send_at(&c, &u, FG_DIR_ORIG, u.seq[0] - 5, "XXXXX", 5),
			 FG_INSP_DENY);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.stream_conflict, 1);
	end(&c, &t);
	end(&c, &u);
	end(&c, &u);	/* twice: harmless */
	teardown_ctx(&c);
}

static void test_table_full(void **state)
{
	const struct fg_l7_limits lim = { .max_flows = 1 };
	const char *req = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	struct fg_l7_stats st;
	struct ctx c;
	struct tflow t, u;

	setup_policy(&c, web_policy, &lim);
	tflow_init(&t, IPPROTO_TCP, 80);
	tflow_init(&u, IPPROTO_TCP, 80);
	u.key.port_lo = htons(40001);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	/* inspect_failure closed: no room means deny, never unchecked */
	assert_int_equal(send_str(&c, &u, req), FG_INSP_DENY);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.table_full, 1);
	end(&c, &t);
	teardown_ctx(&c);
}

static void test_reload(void **state)
{
	const char *req = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	struct fg_diags d = { 0 };
	struct fg_policy *p;
	const char *y = "version: 1\ndefault: allow\nrules: []\n";
	struct ctx c;
	struct tflow t, u;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	assert_int_equal(fg_policy_parse("n.yaml", y, strlen(y), &p, &d), 0);
	fg_l7_engine_set_policy(c.e, p, 8);
	/* the old flow finishes under its policy; a new one uses the new */
	assert_int_equal(send_str(&c, &t, "GET /x HTTP/1.1\r\nHost: shop.example\r\n\r\n"),
			 FG_INSP_DENY);
	tflow_init(&u, IPPROTO_TCP, 80);
	u.key.port_lo = htons(40001);
	assert_int_equal(send_str(&c, &u, req), FG_INSP_ALLOW);
	end(&c, &t);
	end(&c, &u);
	teardown_ctx(&c);
}

/* Both directions of the same flows from two workers at once. */
#define RACE_FLOWS	64
#define RACE_ROUNDS	50

struct race {
	struct ctx *c;
	struct tflow *flows;
	int dir;
};

static void *race_worker(void *arg)
{
	static const char req[] = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	static const char resp[] = "HTTP/1.1 204 No Content\r\n\r\n";
	struct race *r = arg;
	int i, n;

	for (n = 0; n < RACE_ROUNDS; n++)
		for (i = 0; i < RACE_FLOWS; i++) {
			struct tflow *t = &r->flows[i];
			struct fg_insp_pkt p = {
				.key = &t->key, .flow = &t->flow, .dir = r->dir,
				.payload = (const __u8 *)(r->dir ? resp : req),
				.len = r->dir ? sizeof(resp) - 1 : sizeof(req) - 1,
				.proto = IPPROTO_TCP, .tcp_flags = 0x18,
			};
			__u16 app = 0;

			/* each thread owns its direction's sequence */
			p.tcp_seq = t->seq[r->dir];
			t->seq[r->dir] += (__u32)p.len;
			p.app_id = &app;
			if (r->c->ops.decide(r->c->ops.arg, &p) != FG_INSP_CONTINUE)
				return (void *)1;
		}
	return NULL;
}

static void test_concurrent_directions(void **state)
{
	struct tflow *flows = calloc(RACE_FLOWS, sizeof(*flows));
	struct race a, b;
	struct fg_l7_stats st;
	pthread_t ta, tb;
	void *ra, *rb;
	struct ctx c;
	int i;

	assert_non_null(flows);
	setup_policy(&c, web_policy, NULL);
	for (i = 0; i < RACE_FLOWS; i++) {
		tflow_init(&flows[i], IPPROTO_TCP, 80);
		flows[i].key.port_lo = htons((__u16)(40000 + i));
	}
	/* the requests first, so every flow is identified as HTTP */
	for (i = 0; i < RACE_FLOWS; i++)
		assert_int_equal(send_str(&c, &flows[i], "GET /api/0 HTTP/1.1\r\n"
					  "Host: shop.example\r\n\r\n"),
				 FG_INSP_CONTINUE);
	a = (struct race){ &c, flows, FG_DIR_ORIG };
	b = (struct race){ &c, flows, FG_DIR_REPLY };
	assert_int_equal(pthread_create(&ta, NULL, race_worker, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, race_worker, &b), 0);
	pthread_join(ta, &ra);
	pthread_join(tb, &rb);
	assert_null(ra);
	assert_null(rb);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows, RACE_FLOWS);
	for (i = 0; i < RACE_FLOWS; i++)
		end(&c, &flows[i]);
	teardown_ctx(&c);
	free(flows);
}

static __u64 mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* The kernel's flow table as the sweep sees it: the flows listed. */
struct fake_dp {
	const struct tflow *flows[4];
	size_t n;
};

static int fake_lookup(const struct fg_datapath *dp,
		       const struct fg_flow_key *k, struct fg_flow *out)
{
	const struct fake_dp *fd = (const struct fake_dp *)dp;
	size_t i;

	for (i = 0; i < fd->n; i++)
		if (!memcmp(&fd->flows[i]->key, k, sizeof(*k))) {
			*out = fd->flows[i]->flow;
			return 0;
		}
	return -ENOENT;
}

static void sweep(struct ctx *c, __u64 ahead_s, struct fake_dp *fd)
{
	fg_l7_engine_sweep(c->e, mono_now() + ahead_s * 1000000000ULL,
			   FG_L7_SWEEP_BUDGET, fd ? fake_lookup : NULL,
			   (const struct fg_datapath *)fd);
}

static void test_sweep(void **state)
{
	const char *req = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	struct fake_dp fd = { .n = 0 };
	struct fg_l7_stats st;
	struct tflow t, u, v, w;
	struct ctx c;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	tflow_init(&u, IPPROTO_TCP, 80);
	tflow_init(&v, IPPROTO_TCP, 80);
	tflow_init(&w, IPPROTO_TCP, 80);
	u.key.port_lo = htons(40001);
	v.key.port_lo = htons(40002);
	w.key.port_lo = htons(40003);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &u, req), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &v, req), FG_INSP_CONTINUE);
	assert_int_equal(send_str(&c, &w, req), FG_INSP_CONTINUE);
	/* t still inspected; u gone from the kernel; v decided there (by a
	 * reload, say); w's 5-tuple now holds a newer connection */
	fd.flows[fd.n++] = &t;
	fd.flows[fd.n++] = &v;
	fd.flows[fd.n++] = &w;
	v.flow.action = FG_ACTION_ALLOW;
	w.flow.created_ns += 1000;
	sweep(&c, 0, &fd);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 1);
	assert_int_equal(st.swept_gone, 3);
	assert_int_equal(st.swept_idle, 0);
	/* t kept; idle past the TCP timeout, it goes without a lookup */
	sweep(&c, FG_TIMEOUT_TCP_ESTABLISHED - 5, NULL);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 1);
	sweep(&c, FG_TIMEOUT_TCP_ESTABLISHED + 5, NULL);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 0);
	assert_int_equal(st.swept_idle, 1);
	teardown_ctx(&c);
}

/*
 * The sweep's kernel lookup, made as a worker replaces the state looked
 * up: a new connection on the same 5-tuple sends its first request from
 * another thread (it would wait forever if the sweep held the stripe's
 * lock), then the lookup says the old connection is gone.
 */
struct replace {
	struct ctx *c;
	struct tflow *t;
	const char *req;
	enum fg_insp_decision d;
	int calls;
	bool blocked;
	pthread_t th;
};

static void *replace_worker(void *arg)
{
	struct replace *r = arg;

	r->d = send_str(r->c, r->t, r->req);
	return NULL;
}

static int replacing_lookup(const struct fg_datapath *dp,
			    const struct fg_flow_key *k, struct fg_flow *out)
{
	struct replace *r = (struct replace *)dp;
	struct timespec ts;

	r->calls++;
	tflow_init(r->t, IPPROTO_TCP, 80);	/* a newer kernel flow */
	assert_int_equal(pthread_create(&r->th, NULL, replace_worker, r), 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	/* still running after 5 s: it waits for a lock the sweep holds
	 * (joined after the sweep returns) */
	r->blocked = pthread_timedjoin_np(r->th, NULL, &ts) != 0;
	return -ENOENT;
}

static void test_sweep_recheck(void **state)
{
	const char *req = "GET /api/a HTTP/1.1\r\nHost: shop.example\r\n\r\n";
	struct fg_l7_stats st;
	struct replace r;
	struct tflow t;
	struct ctx c;
	unsigned int freed;

	setup_policy(&c, web_policy, NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	r = (struct replace){ .c = &c, .t = &t, .req = req };
	freed = fg_l7_engine_sweep(c.e, mono_now(), FG_L7_SWEEP_BUDGET,
				   replacing_lookup, (const struct fg_datapath *)&r);
	if (r.blocked)
		pthread_join(r.th, NULL);
	assert_int_equal(r.calls, 1);
	assert_false(r.blocked);	/* no lock held during the lookup */
	assert_int_equal(r.d, FG_INSP_CONTINUE);
	/* the old state went with its replacement (counted there); the new
	 * connection's state is not the one looked up: kept */
	assert_int_equal(freed, 0);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows, 2);
	assert_int_equal(st.flows_live, 1);
	assert_int_equal(st.swept_gone, 1);
	/* and in use: the next request goes on with it */
	assert_int_equal(send_str(&c, &t, req), FG_INSP_CONTINUE);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows, 2);
	end(&c, &t);
	teardown_ctx(&c);
}

/* A packet the worker read just before its flow's verdict was written. */
static void test_late_packet(void **state)
{
	const struct fg_l7_limits lim = { .max_flows = 1 };
	struct fake_dp fd = { .n = 0 };
	uint8_t hello[512];
	struct fg_l7_stats st;
	struct tflow t, u;
	struct ctx c;
	size_t n = client_hello(hello, "www.example.com");

	setup_policy(&c, web_policy, &lim);
	tflow_init(&t, IPPROTO_TCP, 443);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_ALLOW);
	end(&c, &t);
	/* the server's reply, read before the allow: same verdict, no state */
	t.app_id = 0;
	assert_int_equal(push(&c, &t, FG_DIR_REPLY, "\x16\x03\x03", 3),
			 FG_INSP_ALLOW);
	assert_int_equal(t.app_id, FG_APP_TLS);
	end(&c, &t);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.after_verdict, 1);
	assert_int_equal(st.flows_live, 0);
	assert_int_equal(st.verdicts_live, 1);
	/* a new connection on the same 5-tuple is inspected afresh */
	tflow_init(&u, IPPROTO_TCP, 443);
	assert_int_equal(push(&c, &u, FG_DIR_ORIG, hello, 20), FG_INSP_CONTINUE);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 1);
	assert_int_equal(st.verdicts_live, 0);
	assert_int_equal(push(&c, &u, FG_DIR_ORIG, hello + 20, n - 20),
			 FG_INSP_ALLOW);
	end(&c, &u);
	/* the verdict is kept for a moment only */
	sweep(&c, 3, NULL);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.verdicts_live, 0);

	/* no room to keep the verdict (max_flows 1, one kept): the late
	 * packet re-creates state, the sweep finds the kernel's verdict */
	tflow_init(&t, IPPROTO_TCP, 443);
	tflow_init(&u, IPPROTO_TCP, 443);
	u.key.port_lo = htons(40001);
	assert_int_equal(push(&c, &t, FG_DIR_ORIG, hello, n), FG_INSP_ALLOW);
	end(&c, &t);
	assert_int_equal(push(&c, &u, FG_DIR_ORIG, hello, n), FG_INSP_ALLOW);
	end(&c, &u);
	assert_int_equal(push(&c, &u, FG_DIR_REPLY, "\x16\x03\x03", 3),
			 FG_INSP_CONTINUE);
	u.flow.action = FG_ACTION_ALLOW;
	fd.flows[fd.n++] = &u;
	fd.flows[fd.n++] = &t;
	t.flow.action = FG_ACTION_ALLOW;
	sweep(&c, 0, &fd);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 0);
	assert_int_equal(st.swept_gone, 1);
	assert_int_equal(st.verdicts_live, 1);	/* t's, within its grace */
	teardown_ctx(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_keepalive),
		cmocka_unit_test(test_http_conditions),
		cmocka_unit_test(test_http_pipelined_and_split),
		cmocka_unit_test(test_tls_sni),
		cmocka_unit_test(test_tls_alpn_versions),
		cmocka_unit_test(test_tls_fingerprints),
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_dns_tcp_answers),
		cmocka_unit_test(test_fallthrough),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_policy_limits),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_app_budget),
		cmocka_unit_test(test_event_rate),
		cmocka_unit_test(test_tcp_order_and_state),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_concurrent_directions),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_sweep_recheck),
		cmocka_unit_test(test_late_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
