/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * l7_match.h - the L7 policy conditions as pure functions: host, SNI and DNS
 * name patterns, path globs, method lists. Semantics: docs/inspector.md.
 */
#ifndef FG_L7_MATCH_H
#define FG_L7_MATCH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Name pattern: "example.com" (exact), "*.example.com" (any name with at
 * least one more label: NOT the apex example.com), or "*" (any name).
 * Case-insensitive; one trailing dot on either side is ignored.
 */
int fg_l7_name_pattern_check(const char *pattern);	/* 0 or -EINVAL */
bool fg_l7_name_match(const char *pattern, const char *name, size_t len);

/*
 * Path glob on a normalised path (no query): '*' matches any run of bytes,
 * '/' included; everything else is literal and case-sensitive. So
 * "/api/" followed by '*' matches "/api/" and "/api/v1/x", not "/api".
 */
int fg_l7_path_pattern_check(const char *pattern);	/* 0 or -EINVAL */
bool fg_l7_path_match(const char *pattern, const char *path, size_t len);

/* HTTP method in a list: tokens compared case-insensitively. */
bool fg_l7_method_match(const char *const *methods, size_t n,
			const char *method, size_t len);

#endif
