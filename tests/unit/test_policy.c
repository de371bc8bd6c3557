// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_policy.c - the policy parser: the example as a tree, every
 * class of error with its line and column, several errors at once, the
 * issue-4 keys (app, mode, inspect_failure, L7 conditions, the gate that
 * refuses them until the inspector exists, the reference matching), the
 * fixtures in tests/policies, the shared parsing helpers, SHA-256, and a
 * generated policy of 100,000 rules and 1,000,000 group addresses.
 *
 * FG_TEST_BIG_SCALE=N divides the generated sizes (for valgrind runs).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <nettle/sha2.h>

#include "policy.h"

#define NAME "t.yaml"

/* ---- helpers ---- */

struct expect {
	int line, col;
	const char *sub;	/* a piece of the message */
};

/* The digest `status` should show for a policy file with this text. */
static void file_hash(const char *text, __u8 out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, strlen(text), (const uint8_t *)text);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

static struct fg_policy *parse_ok(const char *yaml)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	int r = fg_policy_parse(NAME, yaml, strlen(yaml), &p, &d);

	if (r) {
		fprintf(stderr, "unexpected errors (%d):\n", r);
		fg_diags_print(&d, stderr);
	}
	assert_int_equal(r, 0);
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	fg_diags_free(&d);
	return p;
}

static void check_diags(const struct fg_diags *d, const struct expect *e, size_t n)
{
	size_t i;
	bool ok = d->n == n;

	for (i = 0; ok && i < n; i++)
		ok = d->v[i].line == e[i].line && d->v[i].col == e[i].col &&
		     d->v[i].file && !strcmp(d->v[i].file, NAME) &&
		     strstr(d->v[i].msg, e[i].sub);
	if (!ok) {
		fprintf(stderr, "expected %zu errors:\n", n);
		for (i = 0; i < n; i++)
			fprintf(stderr, "  %d:%d: ...%s...\n", e[i].line, e[i].col, e[i].sub);
		fprintf(stderr, "got %zu:\n", d->n);
		fg_diags_print(d, stderr);
	}
	assert_true(ok);
}

static void parse_bad_n(const char *yaml, const struct expect *e, size_t n)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p = (struct fg_policy *)1;
	int r = fg_policy_parse(NAME, yaml, strlen(yaml), &p, &d);

	assert_int_equal(r, -EINVAL);
	assert_null(p);
	check_diags(&d, e, n);
	fg_diags_free(&d);
}

#define BAD(yaml, ...)							\
	do {								\
		const struct expect _e[] = { __VA_ARGS__ };		\
		parse_bad_n(yaml, _e, sizeof(_e) / sizeof(_e[0]));	\
	} while (0)

/* Every error test starts from a valid header on lines 1-2. */
#define HDR "version: 1\ndefault: deny\n"

static void assert_prefix(const struct fg_prefix *p, const char *addr, int plen)
{
	char buf[INET6_ADDRSTRLEN];

	assert_non_null(inet_ntop(p->family, p->addr, buf, sizeof(buf)));
	assert_string_equal(buf, addr);
	assert_int_equal(p->plen, plen);
}

/* ---- the example ---- */

static const char full_example[] =
	"version: 1\n"
	"default: deny                 # allow | deny\n"
	"groups:\n"
	"  web: [10.20.0.0/16, \"fd00:20::/64\"]\n"
	"  admins: [192.168.1.10, 192.168.1.11]\n"
	"rules:\n"
	"  - name: web-in\n"
	"    from: any\n"
	"    to: web\n"
	"    proto: tcp\n"
	"    ports: [80, 443, 8000-8100]\n"
	"    action: allow\n"
	"  - name: ping\n"
	"    proto: icmp\n"
	"    icmp_types: [echo-request]\n"
	"    action: allow\n"
	"  - name: no-telnet\n"
	"    proto: tcp\n"
	"    ports: [23]\n"
	"    action: deny\n"
	"    log: true\n"
	"failsafe: [tcp/22]\n"
	"timeouts: {tcp_established: 3600, tcp_syn: 30, tcp_closing: 10, udp: 60, icmp: 10}\n";

static void test_full_example(void **state)
{
	struct fg_policy *p = parse_ok(full_example);
	const struct fg_rule *r;
	__u8 digest[32];

	assert_string_equal(p->path, NAME);
	assert_int_equal(p->version, 1);
	assert_int_equal(p->default_action, FG_ACTION_DENY);

	assert_int_equal(p->n_groups, 2);
	assert_string_equal(p->groups[0].name, "web");
	assert_int_equal(p->groups[0].line, 4);
	assert_int_equal(p->groups[0].col, 3);
	assert_int_equal(p->groups[0].n_prefixes, 2);
	assert_int_equal(p->groups[0].prefixes[0].family, AF_INET);
	assert_prefix(&p->groups[0].prefixes[0], "10.20.0.0", 16);
	assert_int_equal(p->groups[0].prefixes[1].family, AF_INET6);
	assert_prefix(&p->groups[0].prefixes[1], "fd00:20::", 64);
	assert_string_equal(p->groups[1].name, "admins");
	assert_int_equal(p->groups[1].n_prefixes, 2);
	assert_prefix(&p->groups[1].prefixes[0], "192.168.1.10", 32);
	assert_prefix(&p->groups[1].prefixes[1], "192.168.1.11", 32);

	assert_int_equal(p->n_rules, 3);
	r = &p->rules[0];
	assert_string_equal(r->name, "web-in");
	assert_int_equal(r->line, 7);
	assert_int_equal(r->col, 5);
	assert_true(r->from.any);
	assert_int_equal(r->from.n_items, 0);
	assert_false(r->to.any);
	assert_int_equal(r->to.n_items, 1);
	assert_true(r->to.items[0].is_group);
	assert_int_equal(r->to.items[0].group, 0);
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->n_ports, 3);
	assert_int_equal(r->ports[0].lo, 80);
	assert_int_equal(r->ports[0].hi, 80);
	assert_int_equal(r->ports[1].lo, 443);
	assert_int_equal(r->ports[1].hi, 443);
	assert_int_equal(r->ports[2].lo, 8000);
	assert_int_equal(r->ports[2].hi, 8100);
	assert_int_equal(r->n_icmp_types, 0);
	assert_int_equal(r->action, FG_ACTION_ALLOW);
	assert_false(r->log);

	r = &p->rules[1];
	assert_string_equal(r->name, "ping");
	assert_int_equal(r->line, 13);
	assert_true(r->from.any);
	assert_true(r->to.any);
	assert_int_equal(r->proto, IPPROTO_ICMP);
	assert_int_equal(r->n_ports, 0);
	assert_int_equal(r->n_icmp_types, 1);
	assert_int_equal(r->icmp_types[0].type, 8);
	assert_int_equal(r->icmp_types[0].code, -1);
	assert_int_equal(r->action, FG_ACTION_ALLOW);
	assert_false(r->log);

	r = &p->rules[2];
	assert_string_equal(r->name, "no-telnet");
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->n_ports, 1);
	assert_int_equal(r->ports[0].lo, 23);
	assert_int_equal(r->ports[0].hi, 23);
	assert_int_equal(r->action, FG_ACTION_DENY);
	assert_true(r->log);

	assert_int_equal(p->n_failsafe, 1);
	assert_int_equal(p->failsafe[0].proto, IPPROTO_TCP);
	assert_int_equal(p->failsafe[0].ports.lo, 22);
	assert_int_equal(p->failsafe[0].ports.hi, 22);
	assert_int_equal(p->failsafe[0].line, 22);
	assert_int_equal(p->failsafe[0].col, 12);

	assert_int_equal(p->timeouts.tcp_established, 3600);
	assert_int_equal(p->timeouts.tcp_syn, 30);
	assert_int_equal(p->timeouts.tcp_closing, 10);
	assert_int_equal(p->timeouts.udp, 60);
	assert_int_equal(p->timeouts.icmp, 10);
	assert_int_equal(p->timeouts.other, FG_TIMEOUT_OTHER);

	file_hash(full_example, digest);
	assert_memory_equal(p->sha256, digest, 32);
	fg_policy_free(p);
}

static void test_minimal_and_defaults(void **state)
{
	struct fg_policy *p = parse_ok("version: 1\ndefault: allow\n");

	assert_int_equal(p->default_action, FG_ACTION_ALLOW);
	assert_int_equal(p->n_rules, 0);
	assert_int_equal(p->n_groups, 0);
	assert_int_equal(p->n_failsafe, 0);
	assert_int_equal(p->timeouts.tcp_established, FG_TIMEOUT_TCP_ESTABLISHED);
	assert_int_equal(p->timeouts.tcp_syn, FG_TIMEOUT_TCP_SYN);
	assert_int_equal(p->timeouts.tcp_closing, FG_TIMEOUT_TCP_CLOSING);
	assert_int_equal(p->timeouts.udp, FG_TIMEOUT_UDP);
	assert_int_equal(p->timeouts.icmp, FG_TIMEOUT_ICMP);
	assert_int_equal(p->timeouts.other, FG_TIMEOUT_OTHER);
	fg_policy_free(p);

	/* an empty rules list is fine: the default applies */
	p = parse_ok(HDR "rules: []\ngroups: {}\nfailsafe: []\ntimeouts: {udp: 5}\n");
	assert_int_equal(p->n_rules, 0);
	assert_int_equal(p->timeouts.udp, 5);
	assert_int_equal(p->timeouts.icmp, FG_TIMEOUT_ICMP);
	fg_policy_free(p);
}

/* Every accepted form of every key. */
static void test_all_forms(void **state)
{
	struct fg_policy *p = parse_ok(
		"rules:\n"					/* 1 */
		"  - name: a.b:c_d-1\n"				/* 2 */
		"    from: [lan, 10.1.2.3, \"2001:db8::/32\", any]\n"	/* 3 */
		"    to: [lan, 10.9.0.0/16, '::1', fe80::1/128]\n"
		"    proto: any\n"
		"    ports: 53\n"
		"    action: allow\n"
		"  - name: six\n"
		"    to: 2001:db8::/64\n"
		"    proto: icmpv6\n"
		"    icmp_types: [echo-request, 128, neighbor-solicitation, 1/4, packet-too-big, \"destination-unreachable/0\"]\n"
		"    action: deny\n"
		"    log: False\n"
		"  - name: gre\n"
		"    proto: 47\n"
		"    log: TRUE\n"
		"    action: allow\n"
		"  - name: num-tcp\n"
		"    proto: 6\n"
		"    ports: [\"1-65535\", \"22\", 65535]\n"
		"    action: allow\n"
		"  - name: sctp\n"
		"    proto: sctp\n"
		"    action: allow\n"
		"  - name: empty-grp\n"
		"    from: nobody\n"
		"    action: allow\n"
		"  - name: v4-icmp\n"
		"    proto: icmp\n"
		"    icmp_types: 3/1\n"
		"    action: allow\n"
		"groups:\n"
		"  lan:\n"
		"    - 192.168.0.0/16\n"
		"    - fd00::/8\n"
		"    - 0.0.0.0/0\n"
		"    - ::/0\n"
		"  nobody: []\n"
		"version: 1\n"
		"default: allow\n"
		"failsafe: [tcp/22, udp/5000-5010, udp/53]\n"
		"timeouts:\n"
		"  tcp_established: 1\n"
		"  other: 2147483648\n");
	const struct fg_rule *r = &p->rules[0];

	assert_int_equal(p->n_rules, 7);
	/* "any" inside a list means any */
	assert_true(r->from.any);
	assert_int_equal(r->from.n_items, 0);
	assert_false(r->to.any);
	assert_int_equal(r->to.n_items, 4);
	assert_true(r->to.items[0].is_group);
	assert_int_equal(r->to.items[0].group, 0);
	assert_false(r->to.items[1].is_group);
	assert_prefix(&r->to.items[1].prefix, "10.9.0.0", 16);
	assert_prefix(&r->to.items[2].prefix, "::1", 128);
	assert_int_equal(r->to.items[2].prefix.family, AF_INET6);
	assert_prefix(&r->to.items[3].prefix, "fe80::1", 128);
	assert_int_equal(r->proto, FG_PROTO_ANY);
	assert_int_equal(r->n_ports, 1);
	assert_int_equal(r->ports[0].lo, 53);

	r = &p->rules[1];
	assert_int_equal(r->to.n_items, 1);
	assert_prefix(&r->to.items[0].prefix, "2001:db8::", 64);
	assert_int_equal(r->proto, IPPROTO_ICMPV6);
	assert_int_equal(r->n_icmp_types, 6);
	assert_int_equal(r->icmp_types[0].type, 128);
	assert_int_equal(r->icmp_types[1].type, 128);
	assert_int_equal(r->icmp_types[2].type, 135);
	assert_int_equal(r->icmp_types[3].type, 1);
	assert_int_equal(r->icmp_types[3].code, 4);
	assert_int_equal(r->icmp_types[4].type, 2);
	assert_int_equal(r->icmp_types[4].code, -1);
	assert_int_equal(r->icmp_types[5].type, 1);
	assert_int_equal(r->icmp_types[5].code, 0);
	assert_int_equal(r->action, FG_ACTION_DENY);

	assert_false(p->rules[1].log);
	assert_int_equal(p->rules[2].proto, 47);
	assert_true(p->rules[2].log);
	r = &p->rules[3];
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->n_ports, 3);
	assert_int_equal(r->ports[0].lo, 1);
	assert_int_equal(r->ports[0].hi, 65535);
	assert_int_equal(r->ports[1].lo, 22);
	assert_int_equal(r->ports[2].hi, 65535);
	assert_int_equal(p->rules[4].proto, 132);
	r = &p->rules[5];
	assert_false(r->from.any);
	assert_int_equal(r->from.n_items, 1);
	assert_int_equal(r->from.items[0].group, 1);
	assert_int_equal(p->groups[1].n_prefixes, 0);
	r = &p->rules[6];
	assert_int_equal(r->n_icmp_types, 1);
	assert_int_equal(r->icmp_types[0].type, 3);
	assert_int_equal(r->icmp_types[0].code, 1);

	assert_int_equal(p->groups[0].n_prefixes, 4);
	assert_prefix(&p->groups[0].prefixes[2], "0.0.0.0", 0);
	assert_prefix(&p->groups[0].prefixes[3], "::", 0);

	assert_int_equal(p->n_failsafe, 3);
	assert_int_equal(p->failsafe[1].proto, IPPROTO_UDP);
	assert_int_equal(p->failsafe[1].ports.lo, 5000);
	assert_int_equal(p->failsafe[1].ports.hi, 5010);
	assert_int_equal(p->timeouts.tcp_established, 1);
	assert_int_equal(p->timeouts.other, 2147483648u);
	fg_policy_free(p);
}

/* ---- errors, one class at a time ---- */

static void test_err_yaml_syntax(void **state)
{
	BAD(HDR "rules:\n  - name: a\n   proto: tcp\n",
	    { 5, 4, "YAML syntax error: did not find expected '-' indicator" });
	BAD(HDR "rules:\n  - name: a\n    from: [10.0.0.0/8\n    action: allow\n",
	    { 6, 11, "YAML syntax error: did not find expected ',' or ']'" });
	BAD("version: 1\ndefault: \"deny\n",
	    { 3, 1, "found unexpected end of stream" });
	BAD("version: 1\ndefault: deny\n\tfoo: 1\n", { 3, 1, "tab character" });
	/* bytes that are not UTF-8: located from libyaml's offset */
	BAD("version: 1\ndefault: d\xff" "eny\n", { 2, 11, "invalid input" });
}

static void test_err_document_shape(void **state)
{
	BAD("", { 1, 1, "empty policy" });
	BAD("# nothing but a comment\n", { 1, 1, "empty policy" });
	BAD("- version: 1\n", { 1, 1, "a policy must be a mapping" });
	BAD("just text\n", { 1, 1, "a policy must be a mapping" });
	BAD(HDR "---\nversion: 1\n", { 3, 1, "more than one YAML document" });
	BAD(HDR "default: &d deny\n",
	    { 3, 1, "duplicate key 'default' in the policy (first at 2:1)" },
	    { 3, 10, "YAML anchors are not supported" });
	BAD(HDR "rules:\n  - name: x\n    action: *d\n",
	    { 5, 13, "YAML aliases are not supported (*d)" });
	BAD(HDR "rules:\n  - name: !!str y\n    action: allow\n",
	    { 4, 11, "YAML tags are not supported" });
	BAD(HDR "rules:\n  - name: \"a\\0b\"\n    action: allow\n",
	    { 4, 11, "NUL character" });
	BAD(HDR "[a]: 1\n", { 3, 1, "keys must be plain names, not a list" });
}

static void test_err_version(void **state)
{
	BAD("default: deny\n", { 1, 1, "missing 'version'" });
	BAD("version: 2\ndefault: deny\n", { 1, 10, "unsupported policy version 2" });
	BAD("version: -1\ndefault: deny\n", { 1, 10, "unsupported policy version -1" });
	BAD("version: \"1\"\ndefault: deny\n",
	    { 1, 10, "'version' must be the number 1, not the string '1'" });
	BAD("version: 1.0\ndefault: deny\n", { 1, 10, "must be the number 1, not '1.0'" });
	BAD("version:\ndefault: deny\n", { 1, 9, "not nothing (null)" });
}

static void test_err_default(void **state)
{
	BAD("version: 1\n", { 1, 1, "missing 'default'" });
	BAD("version: 1\ndefault: maybe\n", { 2, 10, "'default' must be allow or deny, not 'maybe'" });
	BAD("version: 1\ndefault: [deny]\n", { 2, 10, "'default' must be a single value, not a list" });
	BAD("version: 1\ndefault: inspect\n", { 2, 10, "'inspect' is not supported yet" });
}

static void test_err_unknown_and_reserved_keys(void **state)
{
	BAD(HDR "rule: []\n", { 3, 1, "unknown key 'rule' in the policy" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    prot: tcp\n",
	    { 6, 5, "unknown key 'prot' in a rule" });
	BAD(HDR "timeouts:\n  udp: 5\n  tcp_fin: 3\n",
	    { 5, 3, "unknown key 'tcp_fin' in timeouts" });
	/* app and mode are keys of a rule (and mode of the policy) now */
	BAD(HDR "app: x\ninspect: 1\nsensors: []\n",
	    { 3, 1, "unknown key 'app' in the policy (expected one of: version, default, groups, rules, failsafe, timeouts, mode, inspect_failure, inspect)" },
	    { 4, 10, "'inspect' must be a mapping, not a scalar" },
	    { 5, 1, "'sensors' is not supported yet" });
	BAD(HDR "rules:\n  - name: a\n    inspect: http\n    sensors: [x]\n    action: allow\n",
	    { 5, 5, "'inspect' is not supported yet" },
	    { 6, 5, "'sensors' is not supported yet" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    http: {}\n    tls: {ja5: [x]}\n",
	    { 6, 5, "'http' conditions need 'app: http'" },
	    { 7, 5, "'tls' conditions need 'app: tls'" },
	    { 7, 11, "unknown key 'ja5' in tls (expected one of: sni, alpn, versions, ja3, ja4)" });
	BAD(HDR "timeouts: {mode: 1}\n", { 3, 12, "unknown key 'mode' in timeouts" });
}

static void test_err_duplicate_keys(void **state)
{
	BAD(HDR "rules: []\nrules: []\n", { 4, 1, "duplicate key 'rules' in the policy (first at 3:1)" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    action: deny\n",
	    { 6, 5, "duplicate key 'action' in a rule (first at 5:5)" });
	BAD(HDR "timeouts: {udp: 1, udp: 2}\n",
	    { 3, 20, "duplicate key 'udp' in timeouts (first at 3:12)" });
}

static void test_err_wrong_types(void **state)
{
	BAD(HDR "rules: {a: 1}\n", { 3, 8, "'rules' must be a list, not a mapping" });
	BAD(HDR "rules:\n", { 3, 7, "'rules' must be a list, not nothing (null)" });
	BAD(HDR "groups: [a, b]\n", { 3, 9, "'groups' must be a mapping, not a list" });
	BAD(HDR "rules:\n  - deny\n", { 4, 5, "a rule must be a mapping, not a scalar" });
	BAD(HDR "rules:\n  - name: [a]\n    action: allow\n",
	    { 4, 11, "'name' must be a single value, not a list" });
	BAD(HDR "rules:\n  - name: a\n    from: {x: 1}\n    action: allow\n",
	    { 5, 11, "'from' must be a value or a list of values, not a mapping" });
	BAD(HDR "rules:\n  - name: a\n    to: [[10.0.0.0/8]]\n    action: allow\n",
	    { 5, 10, "an address item must be a single value, not a list" });
	BAD(HDR "rules:\n  - name: a\n    ports: {80: 1}\n    action: allow\n",
	    { 5, 12, "'ports' must be a value or a list of values, not a mapping" });
	BAD(HDR "rules:\n  - name: a\n    proto: [tcp]\n    action: allow\n",
	    { 5, 12, "'proto' must be a single value, not a list" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    log: \"true\"\n",
	    { 6, 10, "'log' must be true or false, not the string 'true'" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    log: yes\n",
	    { 6, 10, "'log' must be true or false, not 'yes'" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n    log: \"\\e[31m\"\n",
	    { 6, 10, "'log' must be true or false, not the string '?[31m'" });
	BAD(HDR "timeouts: [1]\n", { 3, 11, "'timeouts' must be a mapping, not a list" });
	BAD(HDR "failsafe: {tcp: 22}\n", { 3, 11, "'failsafe' must be a value or a list" });
	BAD(HDR "groups:\n  web: {a: 1}\n", { 4, 8, "a group must be a value or a list of values" });
}

static void test_err_addresses(void **state)
{
	BAD(HDR "groups:\n  g: [10.0.0.1/8]\n",
	    { 4, 7, "'10.0.0.1/8' has host bits set (the network is 10.0.0.0/8)" });
	BAD(HDR "groups:\n  g: [\"fd00::1/64\"]\n",
	    { 4, 7, "has host bits set (the network is fd00::/64)" });
	BAD(HDR "groups:\n  g: [10.0.0.0/33]\n",
	    { 4, 7, "prefix length 33 out of range (0-32 for IPv4)" });
	BAD(HDR "groups:\n  g: [\"fd00::/129\"]\n",
	    { 4, 7, "prefix length 129 out of range (0-128 for IPv6)" });
	BAD(HDR "groups:\n  g: [10.0.0.0/x, 10.0.0.0/, 10.0.0.0/08]\n",
	    { 4, 7, "bad prefix length 'x'" },
	    { 4, 19, "bad prefix length ''" },
	    { 4, 30, "bad prefix length '08'" });
	BAD(HDR "groups:\n  g: [1.2.3, 300.1.1.1, 010.0.0.1, \"fd00::1%eth0\", 1.2.3.4/8/8]\n",
	    { 4, 7, "'1.2.3' is not a valid IPv4/IPv6 address or CIDR" },
	    { 4, 14, "'300.1.1.1' is not a valid" },
	    { 4, 25, "'010.0.0.1' is not a valid" },
	    { 4, 36, "is not a valid" },
	    { 4, 52, "bad prefix length '8/8'" });
	BAD(HDR "rules:\n  - name: a\n    from: 10.0.0.1/8\n    to: [1.2.3.4.5, dead:beef]\n    action: allow\n",
	    { 5, 11, "'10.0.0.1/8' has host bits set" },
	    { 6, 10, "'1.2.3.4.5' is not a valid" },
	    { 6, 21, "'dead:beef' is not a valid" });
}

static void test_err_group_refs_and_names(void **state)
{
	BAD(HDR "groups:\n  web: [10.0.0.0/8]\nrules:\n  - name: a\n    to: [web, wbe]\n    action: allow\n",
	    { 7, 15, "unknown group 'wbe'" });
	BAD(HDR "groups:\n  web: [10.0.0.0/8]\n  web: [10.1.0.0/16]\n",
	    { 5, 3, "duplicate group 'web' (first defined at 4:3)" });
	BAD(HDR "groups:\n  a: [10.0.0.0/8]\n  b: [a, 10.1.0.0/16]\n",
	    { 5, 7, "group 'b' refers to group 'a': groups hold addresses and CIDRs only" });
	BAD(HDR "groups:\n  any: []\n  10.0.0.1: []\n  \"a b\": []\n",
	    { 4, 3, "'any' is reserved" },
	    { 5, 3, "group name '10.0.0.1' is an address" },
	    { 6, 3, "group name 'a b' contains ' '" });
}

static void test_err_rule_names(void **state)
{
	BAD(HDR "rules:\n  - from: any\n    action: allow\n", { 4, 5, "rule has no 'name'" });
	BAD(HDR "rules:\n  - name: a\n    action: allow\n  - name: b\n    action: allow\n"
	    "  - name: a\n    action: deny\n",
	    { 8, 11, "duplicate rule name 'a' (first at 4:5)" });
	BAD(HDR "rules:\n  - name: abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd\n"
	    "    action: allow\n",
	    { 4, 11, "rule name is too long (64 characters, at most 63)" });
	BAD(HDR "rules:\n  - name: \"a/b\"\n    action: allow\n  - name: \"\\u00e9t\\u00e9\"\n    action: allow\n"
	    "  - name: \"\"\n    action: allow\n  - name: default\n    action: allow\n",
	    { 4, 11, "rule name 'a/b' contains '/'" },
	    { 6, 11, "contains a character other than" },
	    { 8, 11, "rule name is empty" },
	    { 10, 11, "'default' is reserved" });
	/* the longest allowed name */
	fg_policy_free(parse_ok(HDR "rules:\n  - name: abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc\n"
				"    action: allow\n"));
}

static void test_err_action(void **state)
{
	BAD(HDR "rules:\n  - name: a\n", { 4, 5, "rule 'a' has no 'action' (allow or deny)" });
	BAD(HDR "rules:\n  - name: a\n    action: accept\n",
	    { 5, 13, "'action' must be allow or deny, not 'accept'" });
	BAD(HDR "rules:\n  - name: a\n    action: inspect\n",
	    { 5, 13, "'action' 'inspect' is not supported yet" });
}

static void test_err_proto(void **state)
{
	BAD(HDR "rules:\n  - name: a\n    proto: tpc\n    action: allow\n",
	    { 5, 12, "unknown protocol 'tpc'" });
	BAD(HDR "rules:\n  - name: a\n    proto: 256\n    action: allow\n",
	    { 5, 12, "protocol number 256 out of range (0-255)" });
	BAD(HDR "rules:\n  - name: a\n    proto: -1\n    action: allow\n",
	    { 5, 12, "protocol number -1 out of range" });
	BAD(HDR "rules:\n  - name: a\n    proto: TCP\n    action: allow\n",
	    { 5, 12, "unknown protocol 'TCP'" });
}

static void test_err_ports(void **state)
{
	BAD(HDR "rules:\n  - name: a\n    proto: tcp\n    ports: [0, 65536, 99999999999999999999999, 90-80, abc, 1-, -5, 1-2-3, \"\"]\n    action: allow\n",
	    { 6, 13, "port 0 in '0' is not a valid port (1-65535)" },
	    { 6, 16, "port out of range in '65536' (1-65535)" },
	    { 6, 23, "port out of range in '99999999999999999999999'" },
	    { 6, 48, "empty port range '90-80': the high end is below the low end" },
	    { 6, 55, "bad port 'abc'" },
	    { 6, 60, "bad port '1-'" },
	    { 6, 64, "bad port '-5'" },
	    { 6, 68, "bad port '1-2-3'" },
	    { 6, 75, "bad port ''" });
	BAD(HDR "rules:\n  - name: a\n    proto: tcp\n    ports: []\n    action: allow\n",
	    { 6, 12, "'ports' is an empty list" });
	BAD(HDR "rules:\n  - name: a\n    proto: icmp\n    ports: [22]\n    action: allow\n",
	    { 6, 5, "'ports' needs proto tcp, udp or any, not icmp" });
	BAD(HDR "rules:\n  - name: a\n    proto: 132\n    ports: 22\n    action: allow\n",
	    { 6, 5, "'ports' needs proto tcp, udp or any, not 132" });
	/* ports with proto omitted (any) or udp are fine */
	fg_policy_free(parse_ok(HDR "rules:\n  - name: a\n    ports: 1-2\n    action: allow\n"
				"  - name: b\n    proto: udp\n    ports: [53]\n    action: allow\n"));
}

static void test_err_icmp_types(void **state)
{
	BAD(HDR "rules:\n  - name: a\n    proto: tcp\n    icmp_types: [echo-request]\n    action: allow\n",
	    { 6, 5, "'icmp_types' needs proto icmp or icmpv6, not tcp" });
	BAD(HDR "rules:\n  - name: a\n    icmp_types: [8]\n    action: allow\n",
	    { 5, 5, "'icmp_types' needs proto icmp or icmpv6, not any" });
	BAD(HDR "rules:\n  - name: a\n    proto: icmp\n    icmp_types: [echo-request, ping, packet-too-big, 256, 3/256, 3/x, /1]\n    action: allow\n",
	    { 6, 32, "unknown icmp type 'ping'" },
	    { 6, 38, "'packet-too-big' is not an icmp type (it is an icmpv6 one)" },
	    { 6, 54, "icmp type out of range in '256'" },
	    { 6, 59, "icmp code out of range in '3/256'" },
	    { 6, 66, "bad icmp type '3/x'" },
	    { 6, 71, "bad icmp type '/1'" });
	BAD(HDR "rules:\n  - name: a\n    proto: icmpv6\n    icmp_types: [timestamp]\n    action: allow\n",
	    { 6, 18, "'timestamp' is not an icmpv6 type (it is an icmp one)" });
	BAD(HDR "rules:\n  - name: a\n    proto: icmp\n    icmp_types: []\n    action: allow\n",
	    { 6, 17, "'icmp_types' is an empty list" });
}

static void test_err_failsafe(void **state)
{
	BAD(HDR "failsafe: [tcp/22, icmp/1, tcp, udp/0, udp/10-5, tcp/70000, TCP/22, tcp/ssh]\n",
	    { 3, 20, "failsafe item 'icmp/1': protocol must be tcp or udp" },
	    { 3, 28, "failsafe item 'tcp' must be proto/port or proto/lo-hi" },
	    { 3, 33, "port 0 in 'udp/0'" },
	    { 3, 40, "empty port range 'udp/10-5'" },
	    { 3, 50, "port out of range in 'tcp/70000'" },
	    { 3, 61, "failsafe item 'TCP/22': protocol must be tcp or udp" },
	    { 3, 69, "bad port 'tcp/ssh'" });
}

static void test_err_timeouts(void **state)
{
	BAD(HDR "timeouts: {tcp_established: 0, tcp_syn: -5, udp: 2147483649, icmp: x, other: \"5\", tcp_closing: 99999999999999999999999}\n",
	    { 3, 29, "timeout 'tcp_established' must be at least 1 second, not 0" },
	    { 3, 41, "timeout 'tcp_syn' must be at least 1 second, not -5" },
	    { 3, 50, "timeout 'udp' is too large (at most 2147483648 seconds)" },
	    { 3, 68, "timeout 'icmp' must be a whole number of seconds, not 'x'" },
	    { 3, 78, "timeout 'other' must be a whole number of seconds, not the string '5'" },
	    { 3, 96, "timeout 'tcp_closing' is too large" });
}

static void test_inspect_limits(void **state)
{
	struct fg_policy *p = parse_ok("version: 1\ndefault: deny\n");

	/* absent: all 0, the engine's defaults */
	assert_int_equal(p->inspect.max_flows, 0);
	assert_int_equal(p->inspect.ident_bytes, 0);
	assert_int_equal(p->inspect.ident_pkts, 0);
	assert_int_equal(p->inspect.monitor_items, 0);
	assert_int_equal(p->inspect_line, 0);
	fg_policy_free(p);

	p = parse_ok(HDR "inspect:\n  max_flows: 1048576\n  ident_bytes: 1\n"
		     "  ident_packets: 64\n  monitor_items: 2\n");
	assert_int_equal(p->inspect.max_flows, FG_INSPECT_MAX_FLOWS);
	assert_int_equal(p->inspect.ident_bytes, 1);
	assert_int_equal(p->inspect.ident_pkts, 64);
	assert_int_equal(p->inspect.monitor_items, 2);
	assert_int_equal(p->inspect_line, 3);
	assert_int_equal(p->inspect_col, 1);
	fg_policy_free(p);

	/* a key left out keeps the default; an empty mapping is valid */
	p = parse_ok(HDR "inspect: {monitor_items: 65536}\n");
	assert_int_equal(p->inspect.monitor_items, FG_INSPECT_MAX_MONITOR_ITEMS);
	assert_int_equal(p->inspect.max_flows, 0);
	fg_policy_free(p);
	p = parse_ok(HDR "inspect: {}\n");
	assert_int_equal(p->inspect.ident_pkts, 0);
	assert_int_equal(p->inspect.budget_http, 0);
	fg_policy_free(p);
	/* per-app budgets, each optional */
	p = parse_ok(HDR "inspect:\n  budget: {http: 1048576, dns: 4294967295}\n");
	assert_int_equal(p->inspect.budget_http, 1048576);
	assert_int_equal(p->inspect.budget_dns, 0xffffffffu);
	fg_policy_free(p);
	p = parse_ok(HDR "inspect:\n  budget:\n    dns: 512\n");
	assert_int_equal(p->inspect.budget_http, 0);
	assert_int_equal(p->inspect.budget_dns, 512);
	fg_policy_free(p);
}

static void test_err_inspect(void **state)
{
	BAD(HDR "inspect: {max_flows: 0, ident_bytes: -1, ident_packets: 65537, monitor_items: x, max_flow: 3}\n",
	    { 3, 22, "inspect 'max_flows' must be at least 1 flow, not 0" },
	    { 3, 38, "inspect 'ident_bytes' must be at least 1 byte, not -1" },
	    { 3, 57, "inspect 'ident_packets' is too large (at most 65536 packets)" },
	    { 3, 79, "inspect 'monitor_items' must be a whole number of items, not 'x'" },
	    { 3, 82, "unknown key 'max_flow' in inspect (expected one of: max_flows, ident_bytes, ident_packets, monitor_items, budget)" });
	BAD(HDR "inspect: {max_flows: 1048577, ident_bytes: \"64\", monitor_items: 1.5}\n",
	    { 3, 22, "inspect 'max_flows' is too large (at most 1048576 flows)" },
	    { 3, 44, "inspect 'ident_bytes' must be a whole number of bytes, not the string '64'" },
	    { 3, 65, "inspect 'monitor_items' must be a whole number of items, not '1.5'" });
	BAD(HDR "inspect:\n  budget: {http: 0, dns: 4294967296, tls: 5}\n",
	    { 4, 18, "inspect budget 'http' must be at least 1 byte, not 0" },
	    { 4, 26, "inspect budget 'dns' is too large (at most 4294967295 bytes)" },
	    { 4, 38, "unknown key 'tls' in budget (expected one of: http, dns)" });
	BAD(HDR "inspect: [max_flows]\n",
	    { 3, 10, "'inspect' must be a mapping, not a list" });
	BAD(HDR "inspect: {max_flows: 5, max_flows: 6}\n",
	    { 3, 25, "duplicate key 'max_flows' in inspect (first at 3:11)" });
	/* inside a rule it is still reserved */
	BAD(HDR "rules:\n  - name: a\n    inspect: {max_flows: 5}\n    action: allow\n",
	    { 5, 5, "'inspect' is not supported yet" });
}

static void test_err_empty_lists(void **state)
{
	BAD(HDR "rules:\n  - name: a\n    from: []\n    action: allow\n",
	    { 5, 11, "'from' is an empty list" });
}

/* Errors from every section at once, reported in file order although
 * groups are checked before rules. */
static void test_many_errors_together(void **state)
{
	BAD("version: 3\n"
	    "rules:\n"
	    "  - name: a\n"
	    "    to: [web, nope]\n"
	    "    proto: udp\n"
	    "    ports: [53, 0]\n"
	    "    action: maybe\n"
	    "  - name: a\n"
	    "    proto: icmp\n"
	    "    icmp_types: [bogus]\n"
	    "  - action: allow\n"
	    "groups:\n"
	    "  web: [10.0.0.1/24]\n"
	    "failsafe: [sctp/1]\n"
	    "timeouts: {udp: 0}\n"
	    "sensors: {}\n",
	    { 1, 1, "missing 'default'" },
	    { 1, 10, "unsupported policy version 3" },
	    { 4, 15, "unknown group 'nope'" },
	    { 6, 17, "port 0" },
	    { 7, 13, "'action' must be allow or deny" },
	    { 8, 5, "rule 'a' has no 'action'" },
	    { 8, 11, "duplicate rule name 'a' (first at 3:5)" },
	    { 10, 18, "unknown icmp type 'bogus'" },
	    { 11, 5, "rule has no 'name'" },
	    { 13, 9, "'10.0.0.1/24' has host bits set" },
	    { 14, 12, "protocol must be tcp or udp" },
	    { 15, 17, "timeout 'udp' must be at least 1 second" },
	    { 16, 1, "'sensors' is not supported yet" });
}

/* ---- issue 4: mode, inspect_failure, app and L7 conditions ---- */

/* The example, in a complete policy. */
static const char l7_example[] =
	"version: 1\n"						/* 1 */
	"default: deny\n"
	"mode: protect\n"
	"inspect_failure: closed\n"
	"groups:\n"						/* 5 */
	"  web: [10.20.0.0/16]\n"
	"  dbs: [10.30.0.0/16]\n"
	"rules:\n"
	"  - name: web\n"
	"    to: web\n"						/* 10 */
	"    proto: tcp\n"
	"    ports: [80, 8080]\n"
	"    app: http\n"
	"    http:\n"
	"      hosts: [\"shop.example\", \"*.Shop.Example\"]\n"	/* 15 */
	"      methods: [GET, POST]\n"
	"      paths: [\"/api/*\", \"/static/*\"]\n"
	"    action: allow\n"
	"  - name: tls-out\n"
	"    proto: tcp\n"					/* 20 */
	"    ports: [443]\n"
	"    app: tls\n"
	"    tls: {sni: [\"*.example.com\"]}\n"
	"    action: allow\n"
	"  - name: dns\n"					/* 25 */
	"    proto: udp\n"
	"    ports: [53]\n"
	"    app: dns\n"
	"    dns: {names: [\"*.corp.example\", \"example.com\"]}\n"
	"    action: allow\n"					/* 30 */
	"  - name: db\n"
	"    to: dbs\n"
	"    proto: tcp\n"
	"    ports: [5432, 6379, 3306]\n"
	"    app: [postgresql, redis, mysql]\n"		/* 35 */
	"    action: allow\n"
	"  - name: ssh\n"
	"    proto: tcp\n"
	"    ports: [22]\n"
	"    action: allow\n";					/* 40 */

static void assert_pat(const struct fg_pat *p, const char *text, bool wildcard,
		       int line, int col)
{
	assert_string_equal(p->text, text);
	assert_int_equal(p->wildcard, wildcard);
	assert_int_equal(p->line, line);
	assert_int_equal(p->col, col);
}

static void test_l7_example(void **state)
{
	struct fg_policy *p = parse_ok(l7_example);
	const struct fg_rule *r;

	assert_int_equal(p->mode, FG_POLICY_MODE_PROTECT);
	assert_int_equal(p->mode_line, 3);
	assert_int_equal(p->mode_col, 1);
	assert_int_equal(p->inspect_failure, FG_POLICY_INSPECT_CLOSED);
	assert_int_equal(p->inspect_failure_line, 4);
	assert_int_equal(p->n_rules, 5);

	r = &p->rules[0];
	assert_int_equal(r->apps, FG_APP_BIT(FG_APP_HTTP));
	assert_int_equal(r->app_line, 13);
	assert_int_equal(r->app_col, 5);
	assert_int_equal(r->mode, FG_POLICY_MODE_PROTECT);
	assert_false(r->mode_set);
	assert_true(r->http.set);
	assert_int_equal(r->http.line, 14);
	assert_int_equal(r->http.col, 5);
	assert_false(r->tls.set);
	assert_false(r->dns.set);
	assert_int_equal(r->http.hosts.n, 2);
	assert_pat(&r->http.hosts.v[0], "shop.example", false, 15, 15);
	/* names are stored lower case */
	assert_pat(&r->http.hosts.v[1], "*.shop.example", true, 15, 31);
	assert_int_equal(r->http.methods.n, 2);
	assert_pat(&r->http.methods.v[0], "GET", false, 16, 17);
	assert_pat(&r->http.methods.v[1], "POST", false, 16, 22);
	assert_int_equal(r->http.paths.n, 2);
	assert_pat(&r->http.paths.v[0], "/api/*", true, 17, 15);
	assert_pat(&r->http.paths.v[1], "/static/*", true, 17, 25);
	/* the L3/L4 part is what it was */
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->n_ports, 2);
	assert_false(r->to.any);

	r = &p->rules[1];
	assert_int_equal(r->apps, FG_APP_BIT(FG_APP_TLS));
	assert_true(r->tls.set);
	assert_int_equal(r->tls.line, 23);
	assert_false(r->http.set);
	assert_int_equal(r->tls.sni.n, 1);
	assert_pat(&r->tls.sni.v[0], "*.example.com", true, 23, 17);

	r = &p->rules[2];
	assert_int_equal(r->apps, FG_APP_BIT(FG_APP_DNS));
	assert_int_equal(r->proto, IPPROTO_UDP);
	assert_int_equal(r->dns.names.n, 2);
	assert_pat(&r->dns.names.v[0], "*.corp.example", true, 29, 19);
	assert_pat(&r->dns.names.v[1], "example.com", false, 29, 37);

	r = &p->rules[3];
	assert_int_equal(r->apps, FG_APP_BIT(FG_APP_POSTGRESQL) | FG_APP_BIT(FG_APP_REDIS) |
				  FG_APP_BIT(FG_APP_MYSQL));
	assert_false(r->http.set || r->tls.set || r->dns.set);

	r = &p->rules[4];
	assert_int_equal(r->apps, 0);
	assert_int_equal(r->app_line, 0);

	fg_policy_free(p);
}

static void test_l7_modes(void **state)
{
	struct fg_policy *p = parse_ok(HDR
		"mode: monitor\n"				/* 3 */
		"inspect_failure: open\n"
		"rules:\n"
		"  - name: a\n"
		"    action: deny\n"
		"  - name: b\n"
		"    mode: protect\n"				/* 9 */
		"    action: deny\n"
		"  - name: c\n"
		"    mode: monitor\n"				/* 12 */
		"    action: allow\n");

	assert_int_equal(p->mode, FG_POLICY_MODE_MONITOR);
	assert_int_equal(p->inspect_failure, FG_POLICY_INSPECT_OPEN);
	assert_int_equal(p->inspect_failure_line, 4);
	assert_int_equal(p->inspect_failure_col, 1);
	/* a rule without its own mode takes the policy's */
	assert_int_equal(p->rules[0].mode, FG_POLICY_MODE_MONITOR);
	assert_false(p->rules[0].mode_set);
	assert_int_equal(p->rules[1].mode, FG_POLICY_MODE_PROTECT);
	assert_true(p->rules[1].mode_set);
	assert_int_equal(p->rules[1].mode_line, 9);
	assert_int_equal(p->rules[1].mode_col, 5);
	assert_int_equal(p->rules[2].mode, FG_POLICY_MODE_MONITOR);
	assert_true(p->rules[2].mode_set);
	fg_policy_free(p);

	/* defaults; protect and inspect_failure alone are what the fast path does */
	p = parse_ok(HDR "inspect_failure: open\nrules:\n  - {name: a, mode: protect, action: allow}\n");
	assert_int_equal(p->mode, FG_POLICY_MODE_PROTECT);
	assert_int_equal(p->mode_line, 0);
	fg_policy_free(p);
	p = parse_ok(HDR);
	assert_int_equal(p->inspect_failure, FG_POLICY_INSPECT_CLOSED);
	assert_int_equal(p->inspect_failure_line, 0);
	fg_policy_free(p);

	/* app on a deny rule, monitor mode beside it: valid */
	p = parse_ok(HDR "rules:\n  - name: x\n    proto: tcp\n    app: ssh\n    action: deny\n"
		     "mode: monitor\n");
	assert_int_equal(p->rules[0].apps, FG_APP_BIT(FG_APP_SSH));
	assert_int_equal(p->rules[0].action, FG_ACTION_DENY);
	assert_int_equal(p->rules[0].mode, FG_POLICY_MODE_MONITOR);
	fg_policy_free(p);
}

static void test_err_mode_inspect_failure(void **state)
{
	BAD(HDR "mode: strict\n", { 3, 7, "'mode' must be protect or monitor, not 'strict'" });
	BAD(HDR "mode: [monitor]\n", { 3, 7, "'mode' must be a single value, not a list" });
	BAD(HDR "mode: protect\nmode: monitor\n",
	    { 4, 1, "duplicate key 'mode' in the policy (first at 3:1)" });
	BAD(HDR "inspect_failure: fail-open\n",
	    { 3, 18, "'inspect_failure' must be closed or open, not 'fail-open'" });
	BAD(HDR "inspect_failure:\n",
	    { 3, 17, "'inspect_failure' must be a single value, not nothing (null)" });
	BAD(HDR "rules:\n  - name: a\n    mode: Monitor\n    action: allow\n",
	    { 5, 11, "'mode' must be protect or monitor, not 'Monitor'" });
	BAD(HDR "rules:\n  - name: a\n    inspect_failure: open\n    action: allow\n",
	    { 5, 5, "unknown key 'inspect_failure' in a rule (expected one of: name, from, to, proto, ports, icmp_types, action, log, app, mode, http, tls, dns)" });
}

#define RULE_A HDR "rules:\n  - name: a\n"	/* the rule's keys start on line 5 */

static void test_err_app(void **state)
{
	struct fg_policy *p;

	BAD(RULE_A "    app: [http, htp, HTTP, other, unknown, http, 7]\n    action: allow\n",
	    { 5, 17, "unknown app 'htp' (expected one of: http, tls, dns, ssh, mysql, postgresql, redis, mongodb, kafka, http2, grpc, smtp)" },
	    { 5, 22, "unknown app 'HTTP' (app names are lower case: 'http')" },
	    { 5, 28, "'other' is not an app a policy can name" },
	    { 5, 35, "'unknown' is not an app a policy can name" },
	    { 5, 44, "app 'http' is listed twice" },
	    { 5, 50, "unknown app '7'" });
	BAD(RULE_A "    app: []\n    action: allow\n", { 5, 10, "'app' is an empty list" });
	BAD(RULE_A "    app:\n    action: allow\n",
	    { 5, 9, "'app' must be a value or a list of values, not nothing (null)" });
	BAD(RULE_A "    app: {http: 1}\n    action: allow\n",
	    { 5, 10, "'app' must be a value or a list of values, not a mapping" });
	BAD(RULE_A "    app: [[http]]\n    action: allow\n",
	    { 5, 11, "an app name must be a single value, not a list" });
	/* transport: dns over udp or tcp, everything else over tcp */
	BAD(RULE_A "    proto: icmp\n    app: http\n    action: allow\n",
	    { 6, 5, "'app' needs proto tcp, udp or any, not icmp" });
	BAD(RULE_A "    proto: 17\n    app: http\n    action: allow\n",
	    { 6, 10, "app 'http' runs over tcp, not udp (only dns runs over udp)" });
	BAD(RULE_A "    proto: udp\n    app: [dns, ssh]\n    action: allow\n",
	    { 6, 16, "app 'ssh' runs over tcp, not udp" });

	p = parse_ok(HDR "rules:\n"
		     "  - {name: a, proto: udp, app: dns, action: allow}\n"
		     "  - {name: b, proto: tcp, app: [dns, smtp, grpc], action: allow}\n"
		     "  - {name: c, app: [http, dns, kafka, mongodb, http2], action: deny}\n"
		     "  - {name: d, proto: 6, app: [tls], action: allow}\n");
	assert_int_equal(p->rules[0].apps, FG_APP_BIT(FG_APP_DNS));
	assert_int_equal(p->rules[1].apps, FG_APP_BIT(FG_APP_DNS) | FG_APP_BIT(FG_APP_SMTP) |
					   FG_APP_BIT(FG_APP_GRPC));
	assert_int_equal(p->rules[2].proto, FG_PROTO_ANY);
	assert_int_equal(p->rules[2].apps, FG_APP_BIT(FG_APP_HTTP) | FG_APP_BIT(FG_APP_DNS) |
					   FG_APP_BIT(FG_APP_KAFKA) | FG_APP_BIT(FG_APP_MONGODB) |
					   FG_APP_BIT(FG_APP_HTTP2));
	assert_int_equal(p->rules[3].apps, FG_APP_BIT(FG_APP_TLS));
	fg_policy_free(p);
}

static void test_err_l7_blocks(void **state)
{
	struct fg_policy *p;

	BAD(RULE_A "    proto: tcp\n    dns: {names: [a.com]}\n    action: allow\n",
	    { 6, 5, "'dns' conditions need 'app: dns' in the same rule" });
	BAD(RULE_A "    app: [http, tls]\n    dns: {}\n    action: allow\n",
	    { 6, 5, "'dns' conditions need dns in the rule's 'app' list" });
	BAD(RULE_A "    app: [postgresql]\n    tls: {sni: x.com}\n    http: {}\n    action: allow\n",
	    { 6, 5, "'tls' conditions need tls in the rule's 'app' list" },
	    { 7, 5, "'http' conditions need http in the rule's 'app' list" });
	/* a mistyped app is reported once, not again by its block */
	BAD(RULE_A "    app: htp\n    http: {}\n    action: allow\n", { 5, 10, "unknown app 'htp'" });
	BAD(RULE_A "    app: http\n    http: [hosts]\n    action: allow\n",
	    { 6, 11, "'http' must be a mapping, not a list" });
	BAD(RULE_A "    app: http\n    http:\n    action: allow\n",
	    { 6, 10, "'http' must be a mapping, not nothing (null)" });
	BAD(RULE_A "    app: http\n    http: {host: [a.com]}\n    action: allow\n",
	    { 6, 12, "unknown key 'host' in http (expected one of: hosts, methods, paths, headers)" });
	BAD(RULE_A "    app: http\n    http: {paths: /a, paths: /b}\n    action: allow\n",
	    { 6, 23, "duplicate key 'paths' in http (first at 6:12)" });
	BAD(RULE_A "    app: tls\n    tls: {sni: []}\n    action: allow\n",
	    { 6, 16, "'sni' is an empty list (leave the key out for no condition)" });
	BAD(RULE_A "    app: dns\n    dns: {names: [[a]]}\n    action: allow\n",
	    { 6, 19, "a name must be a single value, not a list" });
	BAD(RULE_A "    app: dns\n    dns: {names: {a: 1}}\n    action: allow\n",
	    { 6, 18, "'names' must be a value or a list of values, not a mapping" });
	BAD(RULE_A "    app: http\n    http: {methods: [1.5], paths: [[/]]}\n    action: allow\n",
	    { 6, 36, "a path must be a single value, not a list" });

	/* single values, and an empty block (no condition) */
	p = parse_ok(RULE_A "    app: [http, dns]\n    http: {}\n"
		     "    dns: {names: example.com}\n    action: allow\n");
	assert_true(p->rules[0].http.set);
	assert_int_equal(p->rules[0].http.hosts.n, 0);
	assert_int_equal(p->rules[0].dns.names.n, 1);
	assert_pat(&p->rules[0].dns.names.v[0], "example.com", false, 7, 18);
	fg_policy_free(p);
}

/* One item of a list at line 7, column 15 (hosts, paths) or 17 (methods). */
/* One bad item of list `key` in the `app` block of a rule, on line 7. */
static void bad_app_item(const char *app, const char *key, const char *item,
			 int col, const char *msg)
{
	char yaml[4096];
	struct expect e = { 7, col, msg };

	snprintf(yaml, sizeof(yaml), RULE_A "    app: %s\n    %s:\n      %s: [%s]\n"
		 "    action: allow\n", app, app, key, item);
	parse_bad_n(yaml, &e, 1);
}

static void bad_item(const char *key, const char *item, int col, const char *msg)
{
	bad_app_item("http", key, item, col, msg);
}

static void test_tls_keys(void **state)
{
	struct fg_policy *p = parse_ok(RULE_A "    app: tls\n    tls:\n"
				       "      alpn: [h2, http/1.1, \"acme-tls/1\"]\n"
				       "      versions: [1.2, \"1.3\"]\n"
				       "    action: allow\n");
	const struct fg_tls_cond *t = &p->rules[0].tls;

	assert_int_equal(t->sni.n, 0);
	assert_int_equal(t->alpn.n, 3);
	assert_pat(&t->alpn.v[0], "h2", false, 7, 14);
	assert_pat(&t->alpn.v[1], "http/1.1", false, 7, 18);
	assert_string_equal(t->alpn.v[2].text, "acme-tls/1");
	assert_int_equal(t->versions.n, 2);
	assert_pat(&t->versions.v[0], "1.2", false, 8, 18);
	assert_pat(&t->versions.v[1], "1.3", false, 8, 23);
	/* matching: ALPN exactly, versions by their wire value */
	assert_true(fg_pat_match_alpn(&t->alpn.v[0], "h2", 2));
	assert_false(fg_pat_match_alpn(&t->alpn.v[0], "H2", 2));
	assert_false(fg_pat_match_alpn(&t->alpn.v[0], "h2c", 3));
	assert_false(fg_pat_match_alpn(&t->alpn.v[0], "h", 1));
	assert_true(fg_pat_match_tls_version(&t->versions.v[0], 0x0303));
	assert_false(fg_pat_match_tls_version(&t->versions.v[0], 0x0304));
	assert_true(fg_pat_match_tls_version(&t->versions.v[1], 0x0304));
	assert_false(fg_pat_match_tls_version(&t->versions.v[1], 0x7f1c));
	fg_policy_free(p);

#define BAD_TLS(key, item, col, msg) bad_app_item("tls", key, item, col, msg)
	BAD_TLS("versions", "1.4", 18, "'1.4' is not a TLS version: use 1.0, 1.1, 1.2 or 1.3");
	BAD_TLS("versions", "TLSv1.2", 18, "'TLSv1.2' is not a TLS version");
	BAD_TLS("versions", "\"\"", 18, "'' is not a TLS version");
	BAD_TLS("versions", "[1.2]", 18, "a TLS version must be a single value, not a list");
	BAD_TLS("versions", "1.2, 1.2", 23, "'1.2' is listed twice in 'versions' (first at 7:18)");
	BAD_TLS("alpn", "\"\"", 14, "an empty ALPN value");
	BAD_TLS("alpn", "\"h*\"", 14, "ALPN value 'h*': '*' is not a wildcard here");
	BAD_TLS("alpn", "\"h 2\"", 14, "ALPN value 'h 2' contains a space");
	BAD_TLS("alpn", "h2, h2", 18, "'h2' is listed twice in 'alpn'");
	BAD_TLS("alpn", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 14,
		"is too long (64 bytes, at most 63)");
	BAD_TLS("ja3", "abc", 13, "'abc' is not a JA3 fingerprint: 32 hex digits");
	BAD_TLS("ja3", "e7d705a3286e19ea42f587b344ee6865x", 13, "is not a JA3 fingerprint");
	BAD_TLS("ja3", "g7d705a3286e19ea42f587b344ee6865", 13, "is not a JA3 fingerprint");
	BAD_TLS("ja4", "t13d1516h2_8daaf6152771", 13, "is not a JA4 fingerprint like t13d1516h2_8daaf6152771_d8a2da3f94cd");
	BAD_TLS("ja4", "x13d1516h2_8daaf6152771_d8a2da3f94cd", 13, "is not a JA4 fingerprint");
	BAD_TLS("ja4", "t13d1516h2_8daaf6152771_d8a2da3f94cz", 13, "is not a JA4 fingerprint");
	BAD_TLS("ja4", "t13x1516h2_8daaf6152771_d8a2da3f94cd", 13, "is not a JA4 fingerprint");
#undef BAD_TLS

	/* fingerprints are kept in lower case, as the inspector logs them */
	p = parse_ok(RULE_A "    app: tls\n    tls:\n"
		     "      ja3: [E7D705A3286E19EA42F587B344EE6865]\n"
		     "      ja4: [T13D1516H2_8DAAF6152771_D8A2DA3F94CD]\n"
		     "    action: deny\n");
	assert_string_equal(p->rules[0].tls.ja3.v[0].text,
			    "e7d705a3286e19ea42f587b344ee6865");
	assert_string_equal(p->rules[0].tls.ja4.v[0].text,
			    "t13d1516h2_8daaf6152771_d8a2da3f94cd");
	fg_policy_free(p);
}

static void test_err_l7_names(void **state)
{
	char big[300], label[80];
	struct fg_policy *p;
	size_t i;

#define BAD_HOST(item, msg) bad_item("hosts", item, 15, msg)
	BAD_HOST("\"*\"", "'*' alone matches every name: leave 'hosts' out instead");
	BAD_HOST("\"*.\"", "'*.' has no name after '*.'");
	BAD_HOST("\"\"", "an empty name");
	BAD_HOST("a..b", "'a..b' has an empty label (a dot at the start or two in a row)");
	BAD_HOST(".a.b", "'.a.b' has an empty label");
	BAD_HOST("\"*..a\"", "'*..a' has an empty label");
	BAD_HOST("\"x.*.com\"", "'x.*.com': '*' may only be the whole first label, as in '*.example.com'");
	BAD_HOST("\"*x.com\"", "'*x.com': '*' may only be the whole first label");
	BAD_HOST("\"*.*.com\"", "'*.*.com': '*' may only be the whole first label");
	BAD_HOST("\"shop.example:8080\"", "'shop.example:8080' contains ':' (a name has labels of A-Z a-z 0-9 - _ separated by dots; hosts are matched without the port)");
	BAD_HOST("\"a b\"", "'a b' contains a space");
	BAD_HOST("\"caf\xc3\xa9.example\"", "contains the byte 0xc3");
	BAD_HOST("\"a/b\"", "'a/b' contains '/'");
	BAD_HOST("end.", "'end.' ends with '.': write the name without the final dot");
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(big, sizeof(big), "%s.com", label);
	BAD_HOST(big, "has a label longer than 63 characters");
	/* 4 labels of 63 plus 3 dots: 255 characters */
	for (i = 0; i < 255; i++)
		big[i] = i % 64 == 63 ? '.' : 'a';
	big[255] = '\0';
	BAD_HOST(big, "is too long (255 characters, at most 253)");
	/* names compare without case: a duplicate even if spelt differently */
	BAD(RULE_A "    app: http\n    http:\n      hosts: [a.com, A.COM]\n    action: allow\n",
	    { 7, 22, "'A.COM' is listed twice in 'hosts' (first at 7:15)" });
	/* sni and DNS names follow the same rules */
	BAD(RULE_A "    app: tls\n    tls: {sni: \"*\"}\n    action: allow\n",
	    { 6, 16, "'*' alone matches every name: leave 'sni' out instead" });
	BAD(RULE_A "    app: dns\n    dns: {names: [ok.com, \"x.*\"]}\n    action: allow\n",
	    { 6, 27, "'x.*': '*' may only be the whole first label" });
	/* a plain *.x is a YAML alias: the syntax error says to quote it */
	BAD(RULE_A "    app: dns\n    dns: {names: [*.corp.example]}\n    action: allow\n",
	    { 6, 20, "a value that starts with '*' must be quoted, as in \"*.example.com\"" });

	/* the longest name (253), labels of 63, digits, '-' and '_' */
	for (i = 0; i < 253; i++)
		big[i] = i % 64 == 63 ? '.' : 'b';
	big[253] = '\0';
	{
		char yaml[1024];

		snprintf(yaml, sizeof(yaml), RULE_A "    app: [http, tls]\n    http:\n"
			 "      hosts: [%s, \"*.X-1.example\", 10.0.0.1, _srv.Example]\n"
			 "    tls: {sni: [\"*.a\", a]}\n    action: allow\n", big);
		p = parse_ok(yaml);
	}
	assert_int_equal(p->rules[0].http.hosts.n, 4);
	assert_string_equal(p->rules[0].http.hosts.v[0].text, big);
	assert_pat(&p->rules[0].http.hosts.v[1], "*.x-1.example", true, 7, 270);
	assert_false(p->rules[0].http.hosts.v[2].wildcard);
	assert_string_equal(p->rules[0].http.hosts.v[3].text, "_srv.example");
	assert_int_equal(p->rules[0].tls.sni.n, 2);
	fg_policy_free(p);
#undef BAD_HOST
}

static void test_err_l7_methods(void **state)
{
	struct fg_policy *p;

#define BAD_METHOD(item, msg) bad_item("methods", item, 17, msg)
	BAD_METHOD("get", "method 'get' must be upper case: HTTP methods are case-sensitive (write 'GET')");
	BAD_METHOD("Patch", "method 'Patch' must be upper case: HTTP methods are case-sensitive (write 'PATCH')");
	BAD_METHOD("\"G T\"", "method 'G T' contains a space (not an HTTP token character)");
	BAD_METHOD("\"GET/1\"", "method 'GET/1' contains '/'");
	BAD_METHOD("\"GET\\t\"", "method 'GET?' contains the byte 0x09");
	BAD_METHOD("\"*\"", "'*' is not a method: leave 'methods' out to match every method");
	BAD_METHOD("\"\"", "an empty method");
	BAD_METHOD("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "is too long (33 characters, at most 32)");
	BAD(RULE_A "    app: http\n    http: {methods: [GET, POST, GET]}\n    action: allow\n",
	    { 6, 33, "'GET' is listed twice in 'methods' (first at 6:22)" });
	p = parse_ok(RULE_A "    app: http\n    http: {methods: [GET, PROPFIND, M-SEARCH, \"X_1.~!\"]}\n"
		     "    action: allow\n");
	assert_int_equal(p->rules[0].http.methods.n, 4);
	assert_pat(&p->rules[0].http.methods.v[2], "M-SEARCH", false, 6, 37);
	assert_string_equal(p->rules[0].http.methods.v[3].text, "X_1.~!");
	fg_policy_free(p);
#undef BAD_METHOD
}

static void test_err_l7_paths(void **state)
{
	char big[2100];
	struct fg_policy *p;

#define BAD_PATH(item, msg) bad_item("paths", item, 15, msg)
	BAD_PATH("api", "path 'api' must start with '/'");
	BAD_PATH("\"\"", "path '' must start with '/'");
	BAD_PATH("\"*\"", "path '*' must start with '/'");
	BAD_PATH("\"/a*b\"", "path '/a*b': '*' may only end a path, as in '/api/*'");
	BAD_PATH("\"/**\"", "path '/**': '*' may only end a path");
	BAD_PATH("\"/a?x=1\"", "path '/a?x=1' contains '?': the query and fragment are not part of the path");
	BAD_PATH("\"/a#f\"", "path '/a#f' contains '#'");
	BAD_PATH("\"/%2e\"", "path '/%2e' contains '%': write the decoded character (paths are matched after percent-decoding)");
	BAD_PATH("\"/a b\"", "path '/a b' contains a space");
	BAD_PATH("/a/../b", "path '/a/../b' has a '.' or '..' segment: paths are matched after those are resolved, so it would never match");
	BAD_PATH("/./a", "has a '.' or '..' segment");
	BAD_PATH("/a/..", "has a '.' or '..' segment");
	BAD_PATH("\"/a/./*\"", "has a '.' or '..' segment");
	memset(big, 'x', 2049);
	big[0] = '/';
	big[2049] = '\0';
	BAD_PATH(big, "is too long (2049 characters, at most 2048)");
	BAD(RULE_A "    app: http\n    http: {paths: [\"/a/*\", /b, \"/a/*\"]}\n    action: allow\n",
	    { 6, 32, "'/a/*' is listed twice in 'paths' (first at 6:20)" });

	/* case is kept (paths are case-sensitive); ".." inside a name is fine */
	p = parse_ok(RULE_A "    app: http\n    http:\n"
		     "      paths: [/, \"/*\", /API/v1, \"/a/..b\", \"/a/..*\", \"/caf\xc3\xa9\"]\n"
		     "    action: allow\n");
	assert_int_equal(p->rules[0].http.paths.n, 6);
	assert_pat(&p->rules[0].http.paths.v[0], "/", false, 7, 15);
	assert_pat(&p->rules[0].http.paths.v[1], "/*", true, 7, 18);
	assert_pat(&p->rules[0].http.paths.v[2], "/API/v1", false, 7, 24);
	assert_false(p->rules[0].http.paths.v[3].wildcard);
	assert_true(p->rules[0].http.paths.v[4].wildcard);
	fg_policy_free(p);
#undef BAD_PATH
}

/* The reference matching the inspector must agree with (docs/policy.md). */
static void test_l7_match(void **state)
{
	struct fg_policy *p = parse_ok(l7_example);
	const struct fg_pat *exact = &p->rules[0].http.hosts.v[0];
	const struct fg_pat *wild = &p->rules[0].http.hosts.v[1];
	const struct fg_pat *api = &p->rules[0].http.paths.v[0];
	const struct fg_pat *get = &p->rules[0].http.methods.v[0];
	const struct fg_pat root = { .text = "/*", .wildcard = true };
	const struct fg_pat plain = { .text = "/api", .wildcard = false };

#define M(fn, pat, s) fn(pat, s, sizeof(s) - 1)
	assert_true(M(fg_pat_match_name, exact, "shop.example"));
	assert_true(M(fg_pat_match_name, exact, "SHOP.Example"));
	assert_true(M(fg_pat_match_name, exact, "shop.example."));
	assert_false(M(fg_pat_match_name, exact, "shop.example.."));
	assert_false(M(fg_pat_match_name, exact, "www.shop.example"));
	assert_false(M(fg_pat_match_name, exact, "shop.exampl"));
	assert_false(M(fg_pat_match_name, exact, "shop.example.com"));
	assert_false(M(fg_pat_match_name, exact, ""));
	/* "*.shop.example": one or more labels in front, never the bare name */
	assert_true(M(fg_pat_match_name, wild, "a.shop.example"));
	assert_true(M(fg_pat_match_name, wild, "a.b.shop.example"));
	assert_true(M(fg_pat_match_name, wild, "WWW.Shop.EXAMPLE."));
	assert_false(M(fg_pat_match_name, wild, "shop.example"));
	assert_false(M(fg_pat_match_name, wild, ".shop.example"));
	assert_false(M(fg_pat_match_name, wild, "evilshop.example"));
	assert_false(M(fg_pat_match_name, wild, "a.shop.example.evil"));
	assert_false(M(fg_pat_match_name, wild, "a\0.shop.example"));
	assert_false(M(fg_pat_match_name, exact, "shop.example\0"));
	/* paths: exact, or a prefix before the final '*'; case matters */
	assert_true(M(fg_pat_match_path, api, "/api/"));
	assert_true(M(fg_pat_match_path, api, "/api/v1/users"));
	assert_false(M(fg_pat_match_path, api, "/api"));
	assert_false(M(fg_pat_match_path, api, "/apix"));
	assert_false(M(fg_pat_match_path, api, "/API/v1"));
	assert_true(M(fg_pat_match_path, &root, "/"));
	assert_true(M(fg_pat_match_path, &root, "/anything/at/all"));
	assert_true(M(fg_pat_match_path, &plain, "/api"));
	assert_false(M(fg_pat_match_path, &plain, "/api/"));
	/* methods: exact, case-sensitive */
	assert_true(M(fg_pat_match_method, get, "GET"));
	assert_false(M(fg_pat_match_method, get, "get"));
	assert_false(M(fg_pat_match_method, get, "GETX"));
	assert_false(M(fg_pat_match_method, get, "GE"));
#undef M
	fg_policy_free(p);
}

/* ---- files ---- */

static void test_load_file(void **state)
{
	char path[] = "/tmp/fg-test-policy-XXXXXX";
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	__u8 digest[32];
	int fd = mkstemp(path);
	char *joined;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, full_example, strlen(full_example)),
			 (ssize_t)strlen(full_example));
	close(fd);
	assert_int_equal(fg_policy_load(path, &p, &d), 0);
	assert_non_null(p);
	assert_string_equal(p->path, path);
	assert_int_equal(p->n_rules, 3);
	file_hash(full_example, digest);
	assert_memory_equal(p->sha256, digest, 32);
	fg_policy_free(p);
	unlink(path);

	/* a missing file is reported in the diagnostics, without a line */
	assert_int_equal(fg_policy_load(path, &p, &d), -ENOENT);
	assert_null(p);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 0);
	joined = fg_diags_join(&d);
	assert_non_null(joined);
	assert_non_null(strstr(joined, path));
	assert_non_null(strstr(joined, "No such file"));
	free(joined);
	fg_diags_free(&d);

	assert_int_equal(fg_policy_load("/tmp", &p, &d), -EISDIR);
	fg_diags_free(&d);
}

static void test_diag_format(void **state)
{
	struct fg_diags d = { 0 };
	char *s, *buf = NULL;
	size_t len = 0;
	FILE *f;

	fg_diag_add(&d, "a.yaml", 3, 7, "bad %s", "thing");
	fg_diag_add(&d, "a.yaml", 0, 0, "no line");
	fg_diag_add(&d, NULL, 0, 0, "bare %d", 5);
	s = fg_diags_join(&d);
	assert_string_equal(s, "a.yaml:3:7: bad thing\na.yaml: no line\nbare 5");
	free(s);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fg_diags_print(&d, f);
	fclose(f);
	assert_string_equal(buf, "a.yaml:3:7: bad thing\na.yaml: no line\nbare 5\n");
	free(buf);
	fg_diags_free(&d);
	assert_int_equal(d.n, 0);
	s = fg_diags_join(&d);
	assert_string_equal(s, "");
	free(s);
}

/*
 * tests/policies: good-*.yaml must parse; bad-*.yaml must fail with exactly
 * the errors listed in its "# expect: LINE:COL: text" comments, in order.
 */
static const char *policies_dir(void)
{
	static char buf[4096];
	const char *env = getenv("FG_POLICIES_DIR");
	char exe[2048];
	ssize_t n;

	if (env)
		return env;
	if (!access("tests/policies", R_OK))
		return "tests/policies";
	/* run from elsewhere: the binary lives in build/tests/ */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(buf, sizeof(buf), "%s/../../tests/policies", exe);
			if (!access(buf, R_OK))
				return buf;
		}
	}
	return NULL;
}

static void check_fixture(const char *dir, const char *name)
{
	struct expect e[64];
	char path[4096], line[1024];
	char *subs[64];
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	size_t n = 0, i;
	bool good = !strncmp(name, "good-", 5);
	FILE *f;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		int l, c, off = 0;

		if (sscanf(line, "# expect: %d:%d: %n", &l, &c, &off) == 2 && off) {
			assert_true(n < 64);
			line[strcspn(line, "\n")] = '\0';
			subs[n] = strdup(line + off);
			e[n] = (struct expect){ l, c, subs[n] };
			n++;
		}
	}
	fclose(f);
	r = fg_policy_load(path, &p, &d);
	if (good) {
		if (r)
			fg_diags_print(&d, stderr);
		assert_int_equal(r, 0);
		assert_int_equal(n, 0);
		fg_policy_free(p);
	} else {
		bool ok = r == -EINVAL && !p && d.n == n && n > 0;

		for (i = 0; ok && i < n; i++)
			ok = d.v[i].line == e[i].line && d.v[i].col == e[i].col &&
			     strstr(d.v[i].msg, e[i].sub);
		if (!ok) {
			fprintf(stderr, "%s: expected %zu errors, got (r=%d):\n", name, n, r);
			fg_diags_print(&d, stderr);
		}
		assert_true(ok);
	}
	for (i = 0; i < n; i++)
		free(subs[i]);
	fg_diags_free(&d);
}

static void test_fixtures(void **state)
{
	const char *dir = policies_dir();
	int good = 0, bad = 0;
	struct dirent *de;
	DIR *dh;

	assert_non_null(dir);
	dh = opendir(dir);
	assert_non_null(dh);
	while ((de = readdir(dh))) {
		size_t l = strlen(de->d_name);

		if (l < 6 || strcmp(de->d_name + l - 5, ".yaml"))
			continue;
		if (!strncmp(de->d_name, "good-", 5))
			good++;
		else if (!strncmp(de->d_name, "bad-", 4))
			bad++;
		else
			continue;
		check_fixture(dir, de->d_name);
	}
	closedir(dh);
	assert_true(good >= 3);
	assert_true(bad >= 10);
}

/* ---- helpers shared with the CLI and the compiler ---- */

static void test_prefix_parse(void **state)
{
	struct fg_prefix p;

	assert_int_equal(fg_prefix_parse("10.1.2.3", &p), 0);
	assert_int_equal(p.family, AF_INET);
	assert_int_equal(p.plen, 32);
	assert_memory_equal(p.addr, "\x0a\x01\x02\x03", 4);
	assert_int_equal(fg_prefix_parse("10.0.0.0/8", &p), 0);
	assert_int_equal(p.plen, 8);
	assert_int_equal(fg_prefix_parse("0.0.0.0/0", &p), 0);
	assert_int_equal(p.plen, 0);
	assert_int_equal(fg_prefix_parse("2001:db8::/32", &p), 0);
	assert_int_equal(p.family, AF_INET6);
	assert_int_equal(p.plen, 32);
	assert_memory_equal(p.addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(fg_prefix_parse("::/0", &p), 0);
	assert_int_equal(fg_prefix_parse("::1", &p), 0);
	assert_int_equal(p.plen, 128);
	assert_int_equal(fg_prefix_parse("10.0.0.1/8", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("10.0.0.0/33", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("::/129", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("10.0.0.0/", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("/8", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("web", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse("10.0.0.0/+8", &p), -EINVAL);
	assert_int_equal(fg_prefix_parse(NULL, &p), -EINVAL);
}

static void test_proto_helpers(void **state)
{
	static const char *const names[] = {
		"tcp", "udp", "icmp", "icmpv6", "sctp", "udplite", "gre", "esp", "ah",
	};
	static const int nums[] = { 6, 17, 1, 58, 132, 136, 47, 50, 51 };
	size_t i;
	int proto;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		assert_int_equal(fg_proto_parse(names[i], &proto), 0);
		assert_int_equal(proto, nums[i]);
		assert_string_equal(fg_proto_name(nums[i]), names[i]);
	}
	assert_int_equal(fg_proto_parse("any", &proto), 0);
	assert_int_equal(proto, FG_PROTO_ANY);
	assert_string_equal(fg_proto_name(FG_PROTO_ANY), "any");
	assert_int_equal(fg_proto_parse("0", &proto), 0);
	assert_int_equal(proto, 0);
	assert_int_equal(fg_proto_parse("255", &proto), 0);
	assert_int_equal(proto, 255);
	assert_int_equal(fg_proto_parse("256", &proto), -EINVAL);
	assert_int_equal(fg_proto_parse("-1", &proto), -EINVAL);
	assert_int_equal(fg_proto_parse("tpc", &proto), -EINVAL);
	assert_int_equal(fg_proto_parse("", &proto), -EINVAL);
	assert_null(fg_proto_name(200));
}

static void test_icmp_helper(void **state)
{
	struct fg_icmp_type t;

	assert_int_equal(fg_icmp_type_parse("echo-request", IPPROTO_ICMP, &t), 0);
	assert_int_equal(t.type, 8);
	assert_int_equal(t.code, -1);
	assert_int_equal(fg_icmp_type_parse("echo-request", IPPROTO_ICMPV6, &t), 0);
	assert_int_equal(t.type, 128);
	assert_int_equal(fg_icmp_type_parse("echo-reply", IPPROTO_ICMPV6, &t), 0);
	assert_int_equal(t.type, 129);
	assert_int_equal(fg_icmp_type_parse("neighbor-advertisement", IPPROTO_ICMPV6, &t), 0);
	assert_int_equal(t.type, 136);
	assert_int_equal(fg_icmp_type_parse("time-exceeded", IPPROTO_ICMP, &t), 0);
	assert_int_equal(t.type, 11);
	assert_int_equal(fg_icmp_type_parse("3/13", IPPROTO_ICMP, &t), 0);
	assert_int_equal(t.type, 3);
	assert_int_equal(t.code, 13);
	assert_int_equal(fg_icmp_type_parse("redirect/1", IPPROTO_ICMPV6, &t), 0);
	assert_int_equal(t.type, 137);
	assert_int_equal(t.code, 1);
	assert_int_equal(fg_icmp_type_parse("echo-request", IPPROTO_TCP, &t), -EINVAL);
	assert_int_equal(fg_icmp_type_parse("packet-too-big", IPPROTO_ICMP, &t), -EINVAL);
	assert_int_equal(fg_icmp_type_parse("256", IPPROTO_ICMP, &t), -EINVAL);
	assert_int_equal(fg_icmp_type_parse("8/", IPPROTO_ICMP, &t), -EINVAL);
}

/* The policy hash is the SHA-256 of the file's bytes (what sha256sum prints). */
static void test_policy_hash(void **state)
{
	struct fg_policy *p = parse_ok("version: 1\ndefault: allow\n");
	char hex[2 * sizeof(p->sha256) + 1];
	size_t i;

	for (i = 0; i < sizeof(p->sha256); i++)
		sprintf(hex + 2 * i, "%02x", p->sha256[i]);
	assert_string_equal(hex, "2887b03bc6dc9776c3d4c2abf0379db18bd24e737d91f250fba19dc7f8f451b9");
	fg_policy_free(p);
}

/* ---- scale ---- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * 1,000,000 group addresses (one group of 900,000 IPv4 and IPv6 addresses
 * plus 1,000 small groups) and 100,000 rules referring to them: linear
 * parsing must take a few seconds at most.
 */
static void test_large_policy(void **state)
{
	const char *sc = getenv("FG_TEST_BIG_SCALE");
	long scale = sc ? atol(sc) : 1;
	size_t n_big = 900000, n_small = 1000, per_small = 100, n_rules = 100000;
	char path[] = "/tmp/fg-test-big-policy-XXXXXX";
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	size_t i, total = 0;
	double t0, dt;
	char last[32];
	FILE *f;
	int fd;

	if (scale < 1)
		scale = 1;
	n_big /= (size_t)scale;
	n_small /= (size_t)scale;
	n_rules /= (size_t)scale;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "version: 1\ndefault: deny\ngroups:\n  big:\n");
	for (i = 0; i < n_big; i++) {
		if (i % 4 == 3)
			fprintf(f, "    - \"fd00:%zx:%zx::/48\"\n", (i >> 16) & 0xffff, i & 0xffff);
		else
			fprintf(f, "    - 10.%zu.%zu.%zu\n", (i >> 16) & 255, (i >> 8) & 255, i & 255);
	}
	for (i = 0; i < n_small; i++) {
		size_t j;

		fprintf(f, "  g%zu: [", i);
		for (j = 0; j < per_small; j++)
			fprintf(f, "%s172.%zu.%zu.0/24", j ? ", " : "", 16 + i % 16, j);
		fprintf(f, "]\n");
	}
	fprintf(f, "rules:\n");
	for (i = 0; i < n_rules; i++)
		fprintf(f, "  - name: rule-%zu\n    from: [g%zu, 192.168.%zu.0/24]\n    to: %s\n"
			"    proto: %s\n    ports: [%zu, %zu-%zu]\n    action: %s\n",
			i, i % n_small, i % 256, i % 3 ? "big" : "any",
			i % 2 ? "tcp" : "udp", i % 65535 + 1, (i % 1000) + 1, (i % 1000) + 100,
			i % 5 ? "allow" : "deny");
	fprintf(f, "failsafe: [tcp/22]\n");
	assert_int_equal(fclose(f), 0);

	t0 = now_s();
	assert_int_equal(fg_policy_load(path, &p, &d), 0);
	dt = now_s() - t0;
	unlink(path);
	assert_int_equal(d.n, 0);
	assert_int_equal(p->n_groups, 1 + n_small);
	assert_int_equal(p->groups[0].n_prefixes, n_big);
	for (i = 0; i < p->n_groups; i++)
		total += p->groups[i].n_prefixes;
	assert_int_equal(total, n_big + n_small * per_small);
	assert_int_equal(p->n_rules, n_rules);
	snprintf(last, sizeof(last), "rule-%zu", n_rules - 1);
	assert_string_equal(p->rules[n_rules - 1].name, last);
	assert_int_equal(p->rules[1].to.items[0].group, 0);
	assert_int_equal(p->rules[7].from.items[0].group, 8);
	assert_prefix(&p->groups[0].prefixes[3], "fd00:0:3::", 48);
	fprintf(stderr, "    large policy: %zu rules, %zu addresses parsed in %.2f s\n",
		n_rules, total, dt);
	/* linear parsing takes ~1 s here; quadratic would take hours */
	if (scale == 1)
		assert_true(dt < 10.0);
	fg_policy_free(p);
}

/* Duplicate detection must stay linear too: 100,000 names, one repeated. */
static void test_large_duplicates(void **state)
{
	size_t n = 100000, i, off = 0, cap = n * 40 + 128;
	char *buf = malloc(cap);
	struct fg_diags d = { 0 };
	struct fg_policy *p;
	double t0;

	assert_non_null(buf);
	off += (size_t)snprintf(buf + off, cap - off, "version: 1\ndefault: deny\nrules:\n");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, cap - off, "- {name: r%zu, action: allow}\n",
					i == n - 1 ? (size_t)0 : i);
	t0 = now_s();
	assert_int_equal(fg_policy_parse(NAME, buf, off, &p, &d), -EINVAL);
	assert_true(now_s() - t0 < 10.0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, (int)n + 3);
	assert_non_null(strstr(d.v[0].msg, "duplicate rule name 'r0' (first at 4:3)"));
	fg_diags_free(&d);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_example),
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_all_forms),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_document_shape),
		cmocka_unit_test(test_err_version),
		cmocka_unit_test(test_err_default),
		cmocka_unit_test(test_err_unknown_and_reserved_keys),
		cmocka_unit_test(test_err_duplicate_keys),
		cmocka_unit_test(test_err_wrong_types),
		cmocka_unit_test(test_err_addresses),
		cmocka_unit_test(test_err_group_refs_and_names),
		cmocka_unit_test(test_err_rule_names),
		cmocka_unit_test(test_err_action),
		cmocka_unit_test(test_err_proto),
		cmocka_unit_test(test_err_ports),
		cmocka_unit_test(test_err_icmp_types),
		cmocka_unit_test(test_err_failsafe),
		cmocka_unit_test(test_err_timeouts),
		cmocka_unit_test(test_err_empty_lists),
		cmocka_unit_test(test_many_errors_together),
		cmocka_unit_test(test_l7_example),
		cmocka_unit_test(test_l7_modes),
		cmocka_unit_test(test_err_mode_inspect_failure),
		cmocka_unit_test(test_err_app),
		cmocka_unit_test(test_err_l7_blocks),
		cmocka_unit_test(test_err_l7_names),
		cmocka_unit_test(test_err_l7_methods),
		cmocka_unit_test(test_tls_keys),
		cmocka_unit_test(test_err_l7_paths),
		cmocka_unit_test(test_l7_match),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_proto_helpers),
		cmocka_unit_test(test_icmp_helper),
		cmocka_unit_test(test_policy_hash),
		cmocka_unit_test(test_large_policy),
		cmocka_unit_test(test_large_duplicates),
		cmocka_unit_test(test_inspect_limits),
		cmocka_unit_test(test_err_inspect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
