// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_engine.c - the L7 policy engine (l7_engine.c) driven the way the
 * AF_XDP workers drive it, under a policy with http (keep-alive, monitor),
 * tls (SNI, ALPN, versions), dns (UDP and TCP), app lists that fall through, and small limits so
 * the identification budget and the state table run out.
 *
 * Input: one header byte (bit 0: inspect_failure open), then records of
 * [op | dir | flow slot][TCP flags][seq delta, 2 bytes][length] followed by
 * `length` payload bytes, or, for a length of 0xf0 and more, a canned
 * payload (a whole HTTP request, ClientHello, DNS query, ...) so deep
 * states are reached from short inputs. A fake kernel flow table plays the
 * worker's part: verdicts are written into it and end the engine's state;
 * ops also forget kernel flows, deliver a packet read before its flow's
 * verdict (the worker race), sweep with time moved forward, and reload.
 *
 * Invariants: decisions are one of the four; DROP only for TCP; the state
 * table stays within max_flows; a sweep that finds every kernel flow gone
 * frees all state; every event is one whole JSON line; no leak (ASan).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "../l7_msgs.h"
#include "fuzz_split.h"
#include "l7_engine.h"
#include "policy.h"

#define SLOTS		8
#define MAX_FLOWS	6	/* fewer than SLOTS: table_full is reachable */
#define MAX_RECORDS	256
#define MAX_RELOADS	3

static const char policy_yaml[] =
	"version: 1\n"
	"default: deny\n"
	"rules:\n"
	"  - {name: web, proto: tcp, ports: [80], app: http, action: allow,\n"
	"     http: {hosts: [shop.example, \"*.shop.example\"],"
	" methods: [GET, POST], paths: [\"/api/*\"]}}\n"
	"  - {name: web-monitor, proto: tcp, ports: [81], app: http,"
	" mode: monitor, http: {paths: [/ok]}, action: allow}\n"
	"  - {name: tls, proto: tcp, ports: [443], app: tls, action: allow,\n"
	"     tls: {sni: [\"*.example.com\"], alpn: [h2, http/1.1]}}\n"
	"  - {name: tls-legacy, proto: tcp, ports: [443], app: tls,"
	" mode: monitor, tls: {versions: [\"1.2\"]}, action: allow}\n"
	"  - {name: dns, proto: udp, ports: [53], app: dns,"
	" dns: {names: [\"*.corp.example\"]}, action: allow}\n"
	"  - {name: dns-tcp, proto: tcp, ports: [53], app: dns,"
	" dns: {names: [\"*.corp.example\"]}, action: allow}\n"
	"  - {name: no-ssh, proto: tcp, ports: [8080], app: [ssh, mysql],"
	" action: deny}\n"
	"  - {name: ws, proto: tcp, ports: [8080], app: http, action: allow,\n"
	"     http: {headers: {user-agent: [\"curl/*\"]}}}\n"
	"  - {name: alt-http, proto: tcp, ports: [8080],"
	" app: [http, http2, grpc], http: {methods: [GET]}, action: allow}\n"
	"  - {name: alt-rest, proto: tcp, ports: [8080], action: allow}\n";

/* The flow of each slot: protocol, initiator and responder port. Slots 6
 * and 7 share the engine's hash bucket with slots 0 and 5 (ports found by
 * computing its FNV-1a hash), so chains of several flows are exercised. */
static const struct {
	__u8 proto;
	__u16 sport, port;
} slot_def[SLOTS] = {
	{ IPPROTO_TCP, 40000, 80 }, { IPPROTO_TCP, 40001, 81 },
	{ IPPROTO_TCP, 40002, 443 }, { IPPROTO_UDP, 40003, 53 },
	{ IPPROTO_TCP, 40004, 53 }, { IPPROTO_TCP, 40005, 8080 },
	{ IPPROTO_TCP, 43295, 80 }, { IPPROTO_UDP, 45869, 8080 },
};

/* The kernel's flow entry of a slot, as the fake table holds it. */
struct slot {
	struct fg_flow_key key;
	struct fg_flow flow;
	bool present;
	__u32 next[2];		/* next in-order sequence number per direction */
};

enum op {
	OP_PKT = 0,		/* ops 0..9: a packet, the common case */
	OP_END = 10,		/* worker found the kernel flow gone */
	OP_FORGET = 11,		/* kernel flow deleted (timeout, FIN) */
	OP_LATE = 12,		/* packet read before its flow's verdict */
	OP_SWEEP = 13,		/* periodic sweep, time moved forward */
	OP_RELOAD = 14,
	OP_FAILURE = 15,	/* inspect_failure flipped */
};

static struct slot slots[SLOTS];
static __u64 created_clock;
#define CANNED_MAX	20
static __u8 canned[CANNED_MAX][600];
static size_t canned_len[CANNED_MAX];
static size_t n_canned;

static void add_canned(const void *data, size_t len)
{
	FUZZ_CHECK(n_canned < CANNED_MAX);
	memcpy(canned[n_canned], data, len);
	canned_len[n_canned++] = len;
}

static void add_str(const char *s)
{
	add_canned(s, strlen(s));
}

static void add_hello(const char *sni, const char *alpn)
{
	__u8 b[600];

	add_canned(b, l7_client_hello(b, sni, alpn, 0x0304));
}

static void add_dns(const char *name, bool answer, bool tcp)
{
	__u8 b[600];

	add_canned(b, l7_dns_msg(b, name, answer, tcp));
}

static void init_canned(void)
{
	add_str("GET /api/items HTTP/1.1\r\nHost: shop.example\r\n\r\n");
	add_str("GET /admin HTTP/1.1\r\nHost: shop.example\r\n\r\n");
	add_str("POST /api/a HTTP/1.1\r\nHost: a.shop.example\r\n"
		"Content-Length: 5\r\n\r\nhello");
	add_str("GET /ok HTTP/1.1\r\nHost: x\r\n\r\n");
	add_str("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	add_hello("www.example.com", "h2");
	add_hello("evil.test", "http/1.1 spdy/3");
	add_dns("host.corp.example", false, false);
	add_dns("evil.test", false, false);
	add_dns("host.corp.example", true, false);
	add_dns("host.corp.example", false, true);
	add_dns("host.corp.example", true, true);
	add_str("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n");
	add_str("*1\r\n$4\r\nPING\r\n");
	add_str("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
	add_str("GET /x HTTP/1.1\r\nHost: b\r\n\r\nGET /y HTTP/1.1\r\n");
	/* header conditions and tunnels (rule ws, port 8080) */
	add_str("GET /chat HTTP/1.1\r\nHost: a\r\nUser-Agent: curl/8\r\n"
		"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
	add_str("\x81\x85\x01\x02\x03\x04hello");
	add_str("CONNECT db:5432 HTTP/1.1\r\nHost: db:5432\r\n"
		"User-Agent: curl/8\r\n\r\n");
}

static struct fg_policy *load_policy(void)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;

	FUZZ_CHECK(!fg_policy_parse("fuzz.yaml", policy_yaml,
				    sizeof(policy_yaml) - 1, &p, &d));
	fg_diags_free(&d);
	return p;
}

static void slot_reset(unsigned int i)
{
	struct slot *s = &slots[i];

	memset(s, 0, sizeof(*s));
	s->key.family = AF_INET;
	s->key.proto = slot_def[i].proto;
	s->key.addr_lo[0] = 10;
	s->key.addr_lo[3] = 1;
	s->key.addr_hi[0] = 10;
	s->key.addr_hi[3] = 2;
	s->key.port_lo = htons(slot_def[i].sport);
	s->key.port_hi = htons(slot_def[i].port);
	s->next[0] = 1000;
	s->next[1] = 5000;
}

/* A packet reaches a worker: create the kernel entry on first sight. */
static void slot_touch(struct slot *s, unsigned int i)
{
	if (s->present)
		return;
	s->present = true;
	s->flow.created_ns = ++created_clock;
	s->flow.flags = FG_FLOW_F_INIT_LO;
	s->flow.cls_port = slot_def[i].port;
	s->flow.action = FG_ACTION_INSPECT;
	s->next[0] = 1000;
	s->next[1] = 5000;
}

static void packet(struct fg_insp_engine *ops, unsigned int i, int dir,
		   bool late, __u8 flags, int delta, const __u8 *pl, size_t len)
{
	struct slot *s = &slots[i];
	struct fg_flow seen;
	__u16 app_id;
	struct fg_insp_pkt p = {
		.key = &s->key, .flow = &seen, .dir = dir, .payload = pl,
		.len = len, .proto = s->key.proto, .app_id = &app_id,
	};
	enum fg_insp_decision d;

	slot_touch(s, i);
	seen = s->flow;
	/* The worker reads the entry first: a verdict keeps it from the
	 * engine, unless the read was just before the verdict. */
	if (s->flow.action != FG_ACTION_INSPECT) {
		if (!late)
			return;
		seen.action = FG_ACTION_INSPECT;
	}
	if (s->key.proto == IPPROTO_TCP) {
		p.tcp_flags = flags & 0x3f;
		p.tcp_seq = s->next[dir] + (__u32)delta;
	}
	app_id = seen.app_id;
	d = ops->decide(ops->arg, &p);
	FUZZ_CHECK(d == FG_INSP_CONTINUE || d == FG_INSP_ALLOW ||
		   d == FG_INSP_DENY || d == FG_INSP_DROP);
	FUZZ_CHECK(d != FG_INSP_DROP || s->key.proto == IPPROTO_TCP);
	if (s->key.proto == IPPROTO_TCP && !delta)
		s->next[dir] += (__u32)len + !!(p.tcp_flags & 0x02);
	s->flow.app_id = app_id;
	if (d == FG_INSP_ALLOW || d == FG_INSP_DENY) {
		s->flow.action = d == FG_INSP_ALLOW ? FG_ACTION_ALLOW :
						      FG_ACTION_DENY;
		ops->flow_end(ops->arg, &s->key);
	}
}

/* The fake kernel table, as fg_l7_engine_sweep() looks flows up. */
static int fake_lookup(const struct fg_datapath *dp,
		       const struct fg_flow_key *k, struct fg_flow *out)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (slots[i].present &&
		    !memcmp(&slots[i].key, k, sizeof(*k))) {
			*out = slots[i].flow;
			return 0;
		}
	return -ENOENT;
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
}

/* The events written for one input: whole JSON objects, one per line. */
static void check_events(const char *ev, size_t len)
{
	const char *line = ev, *nl;

	while (line < ev + len) {
		nl = memchr(line, '\n', (size_t)(ev + len - line));
		FUZZ_CHECK(nl);
		FUZZ_CHECK(!strncmp(line, "{\"ts\":\"", 7));
		FUZZ_CHECK(nl[-1] == '}');
		line = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Odd-sized inputs also run with small per-app budgets. */
	const struct fg_l7_limits lim = {
		.max_flows = MAX_FLOWS, .ident_bytes = 600, .ident_pkts = 6,
		.budget_http = size & 1 ? 300 : 0,
		.budget_dns = size & 1 ? 80 : 0,
	};
	unsigned int i, records = 0, reloads = 0;
	struct fg_insp_engine ops;
	struct fg_l7_engine *e;
	struct fg_l7_stats st;
	size_t p = 1, ev_len = 0;
	char *ev = NULL;
	FILE *evf;

	if (!n_canned)
		init_canned();
	if (!size)
		return 0;
	evf = open_memstream(&ev, &ev_len);
	FUZZ_CHECK(evf);
	FUZZ_CHECK(!fg_l7_engine_new(&lim, data[0] & 1, evf, &e));
	fg_l7_engine_set_policy(e, load_policy(), 1);
	fg_l7_engine_ops(e, &ops);
	for (i = 0; i < SLOTS; i++)
		slot_reset(i);

	while (p + 5 <= size && records++ < MAX_RECORDS) {
		unsigned int slot = data[p] & 7, op = data[p] >> 4;
		int dir = (data[p] >> 3) & 1;
		__u8 flags = data[p + 1];
		int delta = (int16_t)(data[p + 2] << 8 | data[p + 3]);
		size_t len = data[p + 4];
		const __u8 *pl = data + p + 5;

		p += 5;
		if (op < OP_END || op == OP_LATE) {
			if (len >= 0xf0) {
				pl = canned[(len - 0xf0) % n_canned];
				len = canned_len[(len - 0xf0) % n_canned];
			} else {
				if (len > size - p)
					len = size - p;
				p += len;
			}
			packet(&ops, slot, dir, op == OP_LATE, flags, delta,
			       pl, len);
		} else if (op == OP_END) {
			ops.flow_end(ops.arg, &slots[slot].key);
		} else if (op == OP_FORGET) {
			slot_reset(slot);
		} else if (op == OP_SWEEP) {
			/* flags: seconds ahead (x10), seq byte: budget */
			fg_l7_engine_sweep(e, mono_ns() + flags * 10000000000ULL,
					   1 + (data[p - 3] & 7), fake_lookup,
					   NULL);
		} else if (op == OP_RELOAD && reloads < MAX_RELOADS) {
			fg_l7_engine_set_policy(e, load_policy(), 2 + reloads++);
		} else if (op == OP_FAILURE) {
			fg_l7_engine_set_fail_open(e, flags & 1);
		}
		fg_l7_engine_stats(e, &st);
		FUZZ_CHECK(st.flows_live <= MAX_FLOWS);
	}
	/* Every kernel flow gone, time past every grace: one sweep of the
	 * whole table frees all state. */
	for (i = 0; i < SLOTS; i++)
		slots[i].present = false;
	fg_l7_engine_sweep(e, mono_ns() + 10000000000ULL, 1U << 20,
			   fake_lookup, NULL);
	fg_l7_engine_stats(e, &st);
	FUZZ_CHECK(st.flows_live == 0 && st.verdicts_live == 0);
	fg_l7_engine_free(e);
	fclose(evf);
	check_events(ev, ev_len);
	free(ev);
	return 0;
}
