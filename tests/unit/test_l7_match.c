// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_l7_match.c - L7 policy conditions: name patterns (apex, case,
 * trailing dot), path globs, method lists, pattern validation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "l7_match.h"

static bool name(const char *pat, const char *n)
{
	return fg_l7_name_match(pat, n, strlen(n));
}

static bool path(const char *pat, const char *p)
{
	return fg_l7_path_match(pat, p, strlen(p));
}

static void test_name_exact(void **state)
{
	assert_true(name("shop.example", "shop.example"));
	assert_true(name("shop.example", "SHOP.Example"));
	assert_true(name("shop.example", "shop.example."));
	assert_true(name("Shop.Example.", "shop.example"));
	assert_false(name("shop.example", "www.shop.example"));
	assert_false(name("shop.example", "shop.example.com"));
	assert_false(name("shop.example", "xshop.example"));
	assert_false(name("shop.example", ""));
	assert_false(name("shop.example", "."));
}

static void test_name_wildcard(void **state)
{
	assert_true(name("*.shop.example", "www.shop.example"));
	assert_true(name("*.shop.example", "a.b.shop.example"));
	assert_true(name("*.shop.example", "WWW.SHOP.EXAMPLE."));
	/* the apex is not matched by the wildcard (write it as well) */
	assert_false(name("*.shop.example", "shop.example"));
	assert_false(name("*.shop.example", ".shop.example"));
	assert_false(name("*.shop.example", "evilshop.example"));
	assert_false(name("*.shop.example", "www.shop.example.evil"));
	assert_true(name("*", "anything.example"));
	assert_false(name("*", ""));
	/* an embedded NUL never matches (C-string truncation tricks) */
	assert_false(fg_l7_name_match("shop.example", "shop.example\0.evil", 18));
	assert_false(fg_l7_name_match("*.shop.example", "a.evil\0.shop.example", 20));
}

static void test_name_pattern_check(void **state)
{
	assert_int_equal(fg_l7_name_pattern_check("shop.example"), 0);
	assert_int_equal(fg_l7_name_pattern_check("*.shop.example"), 0);
	assert_int_equal(fg_l7_name_pattern_check("*"), 0);
	assert_int_equal(fg_l7_name_pattern_check("example.com."), 0);
	assert_int_equal(fg_l7_name_pattern_check(""), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check("*."), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check("w*.example"), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check("*.*.example"), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check("a..example"), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check(".example"), -EINVAL);
	assert_int_equal(fg_l7_name_pattern_check("sp ace.example"), -EINVAL);
}

static void test_path_glob(void **state)
{
	assert_true(path("/api/*", "/api/"));
	assert_true(path("/api/*", "/api/v1/users"));
	assert_false(path("/api/*", "/api"));
	assert_false(path("/api/*", "/apix/"));
	assert_false(path("/api/*", "/API/v1"));	/* paths are case-sensitive */
	assert_true(path("/", "/"));
	assert_false(path("/", "/x"));
	assert_true(path("*", "/anything/at/all"));
	assert_true(path("/static/*.css", "/static/a/b.css"));
	assert_false(path("/static/*.css", "/static/a/b.css.js"));
	assert_true(path("/a*b*c", "/aXbYbZc"));
	assert_false(path("/a*b*c", "/aXbYbZ"));
	assert_true(path("/x/**", "/x/"));
	assert_int_equal(fg_l7_path_pattern_check("/api/*"), 0);
	assert_int_equal(fg_l7_path_pattern_check("*"), 0);
	assert_int_equal(fg_l7_path_pattern_check("api/*"), -EINVAL);
}

static void test_path_glob_backtracking(void **state)
{
	char p[4000];

	/* Worst case for the glob stays quadratic, not exponential. */
	memset(p, 'a', sizeof(p) - 1);
	p[0] = '/';
	p[sizeof(p) - 1] = '\0';
	assert_false(path("/*a*a*a*a*a*a*a*a*b", p));
	assert_true(path("/*a*a*a*a*a*a*a*a", p));
}

static void test_methods(void **state)
{
	const char *const m[] = { "GET", "POST" };

	assert_true(fg_l7_method_match(m, 2, "GET", 3));
	assert_true(fg_l7_method_match(m, 2, "post", 4));
	assert_false(fg_l7_method_match(m, 2, "PUT", 3));
	assert_false(fg_l7_method_match(m, 2, "GETX", 4));
	assert_false(fg_l7_method_match(m, 2, "GE", 2));
	assert_false(fg_l7_method_match(m, 0, "GET", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_exact),
		cmocka_unit_test(test_name_wildcard),
		cmocka_unit_test(test_name_pattern_check),
		cmocka_unit_test(test_path_glob),
		cmocka_unit_test(test_path_glob_backtracking),
		cmocka_unit_test(test_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
