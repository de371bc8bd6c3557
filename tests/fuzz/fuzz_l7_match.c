// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_l7_match.c - the policy's L7 patterns (fg_pat_match_*), through the
 * policy loader that validates them. Input: one byte choosing the list
 * (HTTP hosts, HTTP paths, HTTP methods, TLS SNI, DNS names, TLS ALPN, TLS
 * versions, HTTP header values), the pattern up to the first NUL (written into a one-rule
 * policy as a YAML escaped string), then a subject to match it against.
 *
 * Invariants (the contract in docs/policy.md): an accepted pattern has the
 * form its kind allows (a name lower case, '*' only as a whole first
 * label and never alone; a path from '/', '*' only at the end; a method
 * upper case, no '*'; an ALPN id visible ASCII, no '*'; a version 1.0 to
 * 1.3), matches itself as documented (`*.x` never the apex x), names match
 * without regard to case, paths, methods and ALPN ids with it, a
 * version names exactly one wire value, and a header value glob matches
 * what a plain dynamic-programming glob matcher says it does.
 */
#include <ctype.h>
#include <string.h>

#include "fuzz_split.h"
#include "policy.h"

enum kind { K_NAME, K_PATH, K_METHOD, K_ALPN, K_VERSION, K_HEADER };

static const struct {
	const char *yaml;	/* the rule's L7 block, %s the pattern */
	enum kind kind;
} lists[] = {
	{ "    app: http\n    http: {hosts: [\"%s\"]}\n", K_NAME },
	{ "    app: http\n    http: {paths: [\"%s\"]}\n", K_PATH },
	{ "    app: http\n    http: {methods: [\"%s\"]}\n", K_METHOD },
	{ "    app: tls\n    tls: {sni: [\"%s\"]}\n", K_NAME },
	{ "    app: dns\n    dns: {names: [\"%s\"]}\n", K_NAME },
	{ "    app: tls\n    tls: {alpn: [\"%s\"]}\n", K_ALPN },
	{ "    app: tls\n    tls: {versions: [\"%s\"]}\n", K_VERSION },
	{ "    app: http\n    http: {headers: {X-F: [\"%s\"]}}\n", K_HEADER },
};

static char esc[4 * 1024 + 1], yaml[8192], buf[2048];

static const struct fg_pat *the_pat(const struct fg_policy *p, unsigned sel)
{
	const struct fg_rule *r = &p->rules[0];
	const struct fg_pat_list *l[] = {
		&r->http.hosts, &r->http.paths, &r->http.methods, &r->tls.sni, &r->dns.names,
		&r->tls.alpn, &r->tls.versions, NULL,
	};

	if (lists[sel].kind == K_HEADER) {
		FUZZ_CHECK(r->http.n_headers == 1 && !strcmp(r->http.headers[0].name, "x-f"));
		l[sel] = &r->http.headers[0].values;
	}
	FUZZ_CHECK(p->n_rules == 1 && l[sel]->n == 1);
	return &l[sel]->v[0];
}

/* m(pat, s) with s a C string */
#define M(fn, pat, s) fn(pat, s, strlen(s))

static void check_name(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text, *apex = t + 2;
	size_t i, tl = strlen(t);

	FUZZ_CHECK(strcmp(t, "*") && tl);
	FUZZ_CHECK(!strchr(pat->wildcard ? apex : t, '*'));
	FUZZ_CHECK(pat->wildcard == (t[0] == '*'));
	for (i = 0; i < tl; i++)
		FUZZ_CHECK(!isupper((unsigned char)t[i]));
	if (!pat->wildcard) {
		FUZZ_CHECK(M(fg_pat_match_name, pat, t));
		snprintf(buf, sizeof(buf), "%s.", t);
		FUZZ_CHECK(M(fg_pat_match_name, pat, buf));
		snprintf(buf, sizeof(buf), "a.%s", t);
		FUZZ_CHECK(!M(fg_pat_match_name, pat, buf));
	} else {
		FUZZ_CHECK(!M(fg_pat_match_name, pat, apex));
		snprintf(buf, sizeof(buf), "a%s", apex);
		FUZZ_CHECK(!M(fg_pat_match_name, pat, buf));
		snprintf(buf, sizeof(buf), "a.%s", apex);
		FUZZ_CHECK(M(fg_pat_match_name, pat, buf));
	}
	/* case-insensitive: the subject upper-cased matches the same */
	if (sl < sizeof(buf)) {
		for (i = 0; i < sl; i++)
			buf[i] = (char)toupper((unsigned char)subj[i]);
		FUZZ_CHECK(fg_pat_match_name(pat, subj, sl) == fg_pat_match_name(pat, buf, sl));
	}
}

static void check_path(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text, *star = strchr(t, '*');
	size_t tl = strlen(t);

	FUZZ_CHECK(t[0] == '/');
	FUZZ_CHECK(pat->wildcard == !!star);
	FUZZ_CHECK(!star || star == t + tl - 1);
	if (!pat->wildcard) {
		FUZZ_CHECK(M(fg_pat_match_path, pat, t));
		FUZZ_CHECK(!fg_pat_match_path(pat, t, tl - 1));
		snprintf(buf, sizeof(buf), "%sx", t);
		FUZZ_CHECK(!M(fg_pat_match_path, pat, buf));
		FUZZ_CHECK(fg_pat_match_path(pat, subj, sl) == (sl == tl && !memcmp(subj, t, sl)));
	} else {
		/* a prefix: every path that starts with the text before '*' */
		FUZZ_CHECK(fg_pat_match_path(pat, t, tl - 1));
		FUZZ_CHECK(!fg_pat_match_path(pat, t, tl - 2));
		FUZZ_CHECK(fg_pat_match_path(pat, subj, sl) ==
			   (sl >= tl - 1 && !memcmp(subj, t, tl - 1)));
	}
}

static void check_method(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text;
	size_t i, tl = strlen(t);
	bool letter = false;

	FUZZ_CHECK(!pat->wildcard && tl && strcmp(t, "*"));
	for (i = 0; i < tl; i++) {
		FUZZ_CHECK(!islower((unsigned char)t[i]));
		letter |= isupper((unsigned char)t[i]) != 0;
		buf[i] = (char)tolower((unsigned char)t[i]);
	}
	FUZZ_CHECK(M(fg_pat_match_method, pat, t));
	/* case-sensitive: the lower-case spelling is another method */
	FUZZ_CHECK(fg_pat_match_method(pat, buf, tl) == !letter);
	FUZZ_CHECK(fg_pat_match_method(pat, subj, sl) == (sl == tl && !memcmp(subj, t, sl)));
}

static void check_alpn(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text;
	size_t i, tl = strlen(t);

	FUZZ_CHECK(!pat->wildcard && tl >= 1 && tl <= 63);
	for (i = 0; i < tl; i++)
		FUZZ_CHECK(t[i] > 0x20 && t[i] < 0x7f && t[i] != '*');
	FUZZ_CHECK(M(fg_pat_match_alpn, pat, t));
	FUZZ_CHECK(!fg_pat_match_alpn(pat, t, tl - 1));
	FUZZ_CHECK(fg_pat_match_alpn(pat, subj, sl) == (sl == tl && !memcmp(subj, t, sl)));
}

/* "1.N" names exactly one wire version, 0x0301 + N; the subject's first
 * two bytes as a wire version match only that one. */
static void check_version(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text;
	unsigned int v, hits = 0;

	FUZZ_CHECK(strlen(t) == 3 && t[0] == '1' && t[1] == '.' && t[2] >= '0' &&
		   t[2] <= '3');
	for (v = 0x0300; v <= 0x0305; v++)
		hits += fg_pat_match_tls_version(pat, (__u16)v);
	FUZZ_CHECK(hits == 1 && fg_pat_match_tls_version(pat, (__u16)(0x0301 + t[2] - '0')));
	if (sl >= 2) {
		v = (unsigned int)(uint8_t)subj[0] << 8 | (uint8_t)subj[1];
		FUZZ_CHECK(fg_pat_match_tls_version(pat, (__u16)v) ==
			   (v == 0x0301u + (unsigned int)(t[2] - '0')));
	}
}

/* The reference: '*' any run, every other byte itself, by DP over the
 * pattern (row[j]: pattern[0..j) matches the subject so far). */
static bool glob_ref(const char *t, const char *s, size_t sl)
{
	static bool row[2048];
	size_t tl = strlen(t), i, j;
	bool diag, next;

	row[0] = true;
	for (j = 1; j <= tl; j++)
		row[j] = row[j - 1] && t[j - 1] == '*';
	for (i = 0; i < sl; i++) {
		diag = row[0];
		row[0] = false;
		for (j = 1; j <= tl; j++) {
			next = t[j - 1] == '*' ? row[j] || row[j - 1] :
			       diag && t[j - 1] == s[i];
			diag = row[j];
			row[j] = next;
		}
	}
	return row[tl];
}

static void check_header(const struct fg_pat *pat, const char *subj, size_t sl)
{
	const char *t = pat->text;
	size_t i, n = 0, tl = strlen(t);

	FUZZ_CHECK(tl <= 1024);
	FUZZ_CHECK(pat->wildcard == (strchr(t, '*') != NULL));
	/* values are matched trimmed: no pattern may start or end blank */
	FUZZ_CHECK(!tl || (t[0] != ' ' && t[0] != '\t' && t[tl - 1] != ' ' &&
			   t[tl - 1] != '\t'));
	for (i = 0; i < tl; i++) {
		FUZZ_CHECK((unsigned char)t[i] >= 0x20 || t[i] == '\t');
		if (t[i] != '*')
			buf[n++] = t[i];
	}
	/* a glob matches its own text, and it with every '*' left out */
	FUZZ_CHECK(M(fg_pat_match_header, pat, t));
	FUZZ_CHECK(fg_pat_match_header(pat, buf, n));
	FUZZ_CHECK(fg_pat_match_header(pat, subj, sl) == glob_ref(t, subj, sl));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_diags d = { 0 };
	struct fg_policy *p = NULL;
	const uint8_t *nul;
	const struct fg_pat *pat;
	unsigned sel;
	size_t pl, i, e = 0;
	int n;

	if (size < 1)
		return 0;
	sel = data[0] % (sizeof(lists) / sizeof(lists[0]));
	data++;
	size--;
	nul = memchr(data, 0, size);
	pl = nul ? (size_t)(nul - data) : size;
	if (pl * 4 >= sizeof(esc))
		return 0;
	/* everything but plain printable characters as a YAML \xNN escape */
	for (i = 0; i < pl; i++) {
		uint8_t c = data[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			esc[e++] = (char)c;
		else
			e += sprintf(esc + e, "\\x%02x", c);
	}
	esc[e] = '\0';
	n = snprintf(yaml, sizeof(yaml),
		     "version: 1\ndefault: deny\nrules:\n  - name: f\n    proto: %s\n"
		     "    ports: [80]\n", sel == 4 ? "udp" : "tcp");
	n += snprintf(yaml + n, sizeof(yaml) - n, lists[sel].yaml, esc);
	n += snprintf(yaml + n, sizeof(yaml) - n, "    action: allow\n");
	FUZZ_CHECK(n < (int)sizeof(yaml));

	if (fg_policy_parse("fuzz.yaml", yaml, n, &p, &d) == 0) {
		const char *subj = nul ? (const char *)nul + 1 : "";
		size_t sl = nul ? size - pl - 1 : 0;

		pat = the_pat(p, sel);
		FUZZ_CHECK(strlen(pat->text) < sizeof(buf) - 3);
		if (lists[sel].kind == K_NAME)
			check_name(pat, subj, sl);
		else if (lists[sel].kind == K_PATH)
			check_path(pat, subj, sl);
		else if (lists[sel].kind == K_METHOD)
			check_method(pat, subj, sl);
		else if (lists[sel].kind == K_ALPN)
			check_alpn(pat, subj, sl);
		else if (lists[sel].kind == K_HEADER)
			check_header(pat, subj, sl);
		else
			check_version(pat, subj, sl);
	} else {
		FUZZ_CHECK(d.n > 0);	/* a rejection says why */
	}
	fg_policy_free(p);
	fg_diags_free(&d);
	return 0;
}
