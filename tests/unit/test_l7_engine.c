// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_engine.c - the L7 policy engine on real-shaped payloads: HTTP
 * keep-alive and pipelining, TLS ClientHello SNI, DNS queries, fall-through
 * to the next matching rule, monitor mode, the identification budget, TCP
 * ordering, and state freed (run under ASan to see leaks).
 */
#include <arpa/inet.h>
#include <errno.h>
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
	memset(t, 0, sizeof(*t));
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

/* A minimal ClientHello record with one SNI. */
static size_t client_hello(uint8_t *b, const char *sni)
{
	size_t n = strlen(sni), ext = 9 + n, body = 2 + 32 + 1 + 4 + 2 + 2 + ext;
	size_t i = 0;

	b[i++] = 0x16; b[i++] = 3; b[i++] = 1;
	b[i++] = (uint8_t)((body + 4) >> 8); b[i++] = (uint8_t)(body + 4);
	b[i++] = 1; b[i++] = 0;
	b[i++] = (uint8_t)(body >> 8); b[i++] = (uint8_t)body;
	b[i++] = 3; b[i++] = 3;
	memset(b + i, 0x42, 32);
	i += 32;
	b[i++] = 0;				/* session id */
	b[i++] = 0; b[i++] = 2; b[i++] = 0x13; b[i++] = 0x01;	/* ciphers */
	b[i++] = 1; b[i++] = 0;			/* compression: null */
	b[i++] = (uint8_t)(ext >> 8); b[i++] = (uint8_t)ext;
	b[i++] = 0; b[i++] = 0;			/* server_name */
	b[i++] = (uint8_t)((n + 5) >> 8); b[i++] = (uint8_t)(n + 5);
	b[i++] = (uint8_t)((n + 3) >> 8); b[i++] = (uint8_t)(n + 3);
	b[i++] = 0;
	b[i++] = (uint8_t)(n >> 8); b[i++] = (uint8_t)n;
	memcpy(b + i, sni, n);
	return i + n;
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

/* A DNS query for name, type A. */
static size_t dns_query(uint8_t *b, const char *name)
{
	size_t i = 12;
	const char *s = name;

	memset(b, 0, 12);
	b[0] = 0x12; b[1] = 0x34; b[2] = 0x01; b[5] = 1;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		b[i++] = (uint8_t)l;
		memcpy(b + i, s, l);
		i += l;
		s += l + (dot ? 1 : 0);
	}
	b[i++] = 0;
	b[i++] = 0; b[i++] = 1; b[i++] = 0; b[i++] = 1;
	return i;
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

	setup_policy(&c, "version: 1\ndefault: deny\nmode: monitor\nrules:\n"
		     "  - {name: web, proto: tcp, ports: [80], app: http,"
		     " http: {paths: [\"/ok\"]}, action: allow}\n", NULL);
	tflow_init(&t, IPPROTO_TCP, 80);
	assert_int_equal(send_str(&c, &t, "GET /no HTTP/1.1\r\nHost: a\r\n\r\n"),
			 FG_INSP_ALLOW);
	assert_true(events_have(&c, "\"verdict\":\"would_deny\""));
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.would_deny, 1);
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
	/* a gap: dropped, the sender retransmits */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] + 5, req + 15, 5),
			 FG_INSP_DROP);
	/* a retransmission of inspected bytes, even different ones, is not
	 * inspected again (the receiver keeps its first copy) */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] - 10, "XXXXXXXXXX", 10),
			 FG_INSP_CONTINUE);
	/* overlapping: only the new tail counts */
	assert_int_equal(send_at(&c, &t, FG_DIR_ORIG, t.seq[0] - 4, req + 6,
				 strlen(req) - 6), FG_INSP_CONTINUE);
	t.seq[0] += (__u32)strlen(req) - 10;
	assert_int_equal(send_str(&c, &u, req), FG_INSP_CONTINUE);
	fg_l7_engine_stats(c.e, &st);
	assert_int_equal(st.flows_live, 2);
	assert_int_equal(st.flows, 2);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_keepalive),
		cmocka_unit_test(test_http_conditions),
		cmocka_unit_test(test_http_pipelined_and_split),
		cmocka_unit_test(test_tls_sni),
		cmocka_unit_test(test_dns_names),
		cmocka_unit_test(test_fallthrough),
		cmocka_unit_test(test_monitor),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_tcp_order_and_state),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_reload),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
