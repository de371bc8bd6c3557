// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_http_policy.c - the `headers` conditions of a rule's http block:
 * what the parser keeps (names lower case, values as written, where each
 * came from), every error with its line and column, and the reference
 * matching of header value globs (fg_pat_match_header).
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

#include "policy.h"

/* A one-rule policy whose http block is `block` (YAML flow mapping). */
static int load_rule(const char *block, struct fg_policy **p, char **errs)
{
	char yaml[2048];
	struct fg_diags d = { 0 };
	int r;

	snprintf(yaml, sizeof(yaml),
		 "version: 1\n"
		 "default: deny\n"
		 "rules:\n"
		 "  - name: web\n"
		 "    app: http\n"
		 "    http: %s\n"
		 "    action: allow\n", block);
	r = fg_policy_parse("h.yaml", yaml, strlen(yaml), p, &d);
	*errs = fg_diags_join(&d);
	fg_diags_free(&d);
	return r;
}

static void test_parsed(void **state)
{
	const struct fg_http_cond *hc;
	struct fg_policy *p;
	char *errs;

	assert_int_equal(load_rule("{paths: [\"/api/*\"], headers: {User-Agent: [\"curl/*\", "
				   "\"Mozilla/*\"], x-api-key: \"*\", X-Empty: \"\"}}",
				   &p, &errs), 0);
	free(errs);
	hc = &p->rules[0].http;
	assert_int_equal(hc->paths.n, 1);
	assert_int_equal(hc->n_headers, 3);
	assert_string_equal(hc->headers[0].name, "user-agent");
	assert_int_equal(hc->headers[0].line, 6);
	assert_int_equal(hc->headers[0].col, 41);
	assert_int_equal(hc->headers[0].values.n, 2);
	assert_string_equal(hc->headers[0].values.v[0].text, "curl/*");
	assert_true(hc->headers[0].values.v[0].wildcard);
	assert_int_equal(hc->headers[0].values.v[1].col, 64);
	/* a single value is a one-item list */
	assert_string_equal(hc->headers[1].name, "x-api-key");
	assert_int_equal(hc->headers[1].values.n, 1);
	assert_string_equal(hc->headers[1].values.v[0].text, "*");
	/* "" asks for the header with an empty value */
	assert_string_equal(hc->headers[2].name, "x-empty");
	assert_string_equal(hc->headers[2].values.v[0].text, "");
	assert_false(hc->headers[2].values.v[0].wildcard);
	fg_policy_free(p);
}

static void bad(const char *block, const char *want)
{
	struct fg_policy *p = (struct fg_policy *)1;
	char *errs;

	assert_int_equal(load_rule(block, &p, &errs), -EINVAL);
	assert_null(p);
	if (strcmp(errs, want))
		fprintf(stderr, "want:\n%s\ngot:\n%s\n", want, errs);
	assert_string_equal(errs, want);
	free(errs);
}

static void test_errors(void **state)
{
	bad("{headers: [user-agent]}",
	    "h.yaml:6:21: 'headers' must be a mapping, not a list");
	bad("{headers: {}}",
	    "h.yaml:6:21: 'headers' is empty (leave the key out for no condition)");
	bad("{headers: {\"user agent\": x, \"\": y, \"a(b)\": z}}",
	    "h.yaml:6:22: header name 'user agent' contains a space (not an HTTP token character)\n"
	    "h.yaml:6:39: an empty header name\n"
	    "h.yaml:6:46: header name 'a(b)' contains '(' (not an HTTP token character)");
	bad("{headers: {a: [], b: , c: {d: e}}}",
	    "h.yaml:6:25: 'a' is an empty list (leave the key out for no condition)\n"
	    "h.yaml:6:32: 'b' must be a value or a list of values, not nothing (null)\n"
	    "h.yaml:6:37: 'c' must be a value or a list of values, not a mapping");
	bad("{headers: {a: [\" x\", \"y\\t\", \"\\x01\", [z], ok, ok]}}",
	    "h.yaml:6:26: header value ' x' starts or ends with a blank: values are matched without the blanks around them\n"
	    "h.yaml:6:32: header value 'y?' starts or ends with a blank: values are matched without the blanks around them\n"
	    "h.yaml:6:39: header value '?' contains the byte 0x01\n"
	    "h.yaml:6:47: a header value must be a single value, not a list\n"
	    "h.yaml:6:56: 'ok' is listed twice in 'a' (first at 6:52)");
	bad("{headers: {X-Key: a, x-key: b}}",
	    "h.yaml:6:32: header 'x-key' is listed twice in 'headers' (first at 6:22; names are not case-sensitive)");
	bad("{header: {a: b}}",
	    "h.yaml:6:12: unknown key 'header' in http (expected one of: hosts, methods, paths, headers)");
}

/* A header block whose name (or value) is n times fill: too long. */
static void too_long(bool name, size_t n, size_t max, int col)
{
	char block[1600], want[512], *fill;
	int k;

	k = snprintf(block, sizeof(block), name ? "{headers: {" : "{headers: {a: \"");
	fill = block + k;
	memset(fill, name ? 'n' : 'v', n);
	snprintf(fill + n, sizeof(block) - k - n, name ? ": x}}" : "\"}}");
	snprintf(want, sizeof(want), "h.yaml:6:%d: header %s '%.40s...' is too long (%zu characters, at most %zu)",
		 col, name ? "name" : "value", fill, n, max);
	bad(block, want);
}

static void test_limits(void **state)
{
	too_long(false, 1025, 1024, 25);
	too_long(true, 129, 128, 22);
}

static bool hmatch(const char *pat, const char *v)
{
	struct fg_pat p = { .text = (char *)pat, .wildcard = strchr(pat, '*') != NULL };

	return fg_pat_match_header(&p, v, strlen(v));
}

static void test_match(void **state)
{
	static const struct {
		const char *pat, *v;
		bool want;
	} cases[] = {
		{ "curl/8.5.0", "curl/8.5.0", true },
		{ "curl/8.5.0", "Curl/8.5.0", false },	/* values keep their case */
		{ "curl/8.5.0", "curl/8.5.0 x", false },
		{ "", "", true },
		{ "", "x", false },
		{ "*", "", true },
		{ "*", "anything at all", true },
		{ "curl/*", "curl/", true },
		{ "curl/*", "curl/7.88.1", true },
		{ "curl/*", "xcurl/7", false },
		{ "*bot*", "Googlebot/2.1", true },
		{ "*bot*", "Googlebo", false },
		{ "*.json", "a.json", true },
		{ "*.json", "a.jsonx", false },
		{ "a*b*c", "abc", true },
		{ "a*b*c", "aXbYbZc", true },
		{ "a*b*c", "acb", false },
		{ "a*b*c", "ab", false },
		/* the suffix may not reuse what a middle part consumed */
		{ "*ab*ba", "aba", false },
		{ "*ab*ba", "abba", true },
		{ "ab*ba", "aba", false },
		{ "**", "", true },
		{ "a**b", "ab", true },
		/* a '*' in the value is just a character */
		{ "*/*", "*/*", true },
		{ "text/*", "text/html; q=0.9", true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (hmatch(cases[i].pat, cases[i].v) != cases[i].want)
			fprintf(stderr, "'%s' vs '%s': want %d\n", cases[i].pat,
				cases[i].v, cases[i].want);
		assert_int_equal(hmatch(cases[i].pat, cases[i].v), cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parsed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
