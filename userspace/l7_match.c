// SPDX-License-Identifier: GPL-2.0-only
/*
 * l7_match.c - name patterns, path globs and method lists for L7 rules.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "l7_match.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool name_char_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '*';
}

int fg_l7_name_pattern_check(const char *pattern)
{
	const char *p = pattern;
	size_t len = strlen(pattern);

	if (!len || len > 254)
		return -EINVAL;
	if (!strcmp(pattern, "*"))
		return 0;
	if (!strncmp(p, "*.", 2))
		p += 2;
	if (!*p || *p == '.')
		return -EINVAL;
	for (; *p; p++) {
		if (!name_char_ok(*p))
			return -EINVAL;
		if (p[0] == '.' && p[1] == '.')
			return -EINVAL;
	}
	return 0;
}

/* Length without one trailing dot (the root label is implied anyway). */
static size_t strip_dot(const char *s, size_t len)
{
	return len && s[len - 1] == '.' ? len - 1 : len;
}

static bool eq_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

bool fg_l7_name_match(const char *pattern, const char *name, size_t len)
{
	size_t plen = strip_dot(pattern, strlen(pattern));

	len = strip_dot(name, len);
	if (!len || memchr(name, '\0', len))
		return false;
	if (plen == 1 && pattern[0] == '*')
		return true;
	if (plen > 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* ".suffix" must end the name and leave a non-empty label. */
		size_t slen = plen - 1;

		return len > slen && name[len - slen - 1] != '.' &&
		       eq_nocase(name + len - slen, pattern + 1, slen);
	}
	return plen == len && eq_nocase(pattern, name, len);
}

int fg_l7_path_pattern_check(const char *pattern)
{
	if (pattern[0] != '/' && strcmp(pattern, "*"))
		return -EINVAL;
	return strlen(pattern) < 4096 ? 0 : -EINVAL;
}

/*
 * Classic iterative glob: on a mismatch after a '*', retry with the star
 * swallowing one more byte. O(len(pattern) * len(path)) at worst.
 */
bool fg_l7_path_match(const char *pattern, const char *path, size_t len)
{
	const char *star = NULL;
	size_t i = 0, resume = 0;

	while (i < len) {
		if (*pattern == '*') {
			star = ++pattern;
			resume = i;
		} else if (*pattern && *pattern == path[i]) {
			pattern++;
			i++;
		} else if (star) {
			pattern = star;
			i = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return !*pattern;
}

bool fg_l7_method_match(const char *const *methods, size_t n,
			const char *method, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(methods[i]) == len && !strncasecmp(methods[i], method, len))
			return true;
	return false;
}
