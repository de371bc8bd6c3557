// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bench.c - the pure parts of `flowgate bench`: option parsing (the
 * defaults, every kind of bad value) and its statistics (median, range,
 * NaN handling, per-round ratios).
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "bench.h"

static struct fg_bench_opts o;
static char err[256];

/* Parse a NULL-terminated list of arguments after "bench". */
static int parse(const char *first, ...)
{
	char *argv[32] = { "bench" };
	const char *a;
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	err[0] = 0;
	return fg_bench_parse_opts(argc, argv, &o, err, sizeof(err));
}

static void test_defaults(void **state)
{
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(o.suites, FG_SUITE_STANDARD);
	assert_int_equal(o.reps, 5);
	assert_int_equal(o.family, 4);
	assert_int_equal(o.proto, IPPROTO_UDP);
	assert_int_equal(o.pkt_size, 60);	/* 64 with the FCS */
	assert_int_equal(o.n_systems, 0);
	assert_int_equal(o.n_rules, 4);
	assert_int_equal(o.rules[0], 10);
	assert_int_equal(o.rules[3], 100000);
	assert_int_equal(o.n_flows, 4);
	assert_int_equal(o.flows[3], 1000000);
	assert_null(o.json_path);
	assert_null(o.plot_path);
}

static void test_values(void **state)
{
	char buf[96];

	assert_int_equal(parse("--suite", "rules,micro", "--rules", "10,1000",
			       "--systems", "flowgate,nft-set", "--reps", "3",
			       "--duration", "0.5", "-6", "--tcp",
			       "--new-pct", "25", "--json", "x.json",
			       "--plot", "x.svg", NULL), 0);
	assert_int_equal(o.suites, FG_SUITE_RULES | FG_SUITE_MICRO);
	assert_string_equal(fg_bench_suite_names(o.suites, buf, sizeof(buf)),
			    "rules,micro");
	assert_int_equal(o.n_rules, 2);
	assert_int_equal(o.rules[1], 1000);
	assert_int_equal(o.n_systems, 2);
	assert_string_equal(o.systems[0], "flowgate");
	assert_string_equal(o.systems[1], "nft-set");
	assert_null(o.systems[2]);
	assert_int_equal(o.reps, 3);
	assert_true(o.duration == 0.5);
	assert_int_equal(o.family, 6);
	assert_int_equal(o.proto, IPPROTO_TCP);
	/* 60 bytes cannot hold Ethernet + IPv6 + TCP: grown to fit. */
	assert_int_equal(o.pkt_size, 14 + 40 + 20);
	assert_int_equal(o.new_pct, 25);
	assert_string_equal(o.json_path, "x.json");
	assert_string_equal(o.plot_path, "x.svg");
	/* The flows default stays when only --rules was given. */
	assert_int_equal(o.n_flows, 4);

	assert_int_equal(parse("--suite", "all", NULL), 0);
	assert_int_equal(o.suites, FG_SUITE_RULES | FG_SUITE_FLOWS |
			 FG_SUITE_NEWFLOW | FG_SUITE_SYNFLOOD |
			 FG_SUITE_MICRO | FG_SUITE_FORWARD | FG_SUITE_INSPECT);
	assert_int_equal(parse("--help", NULL), 1);
}

static void test_bad(void **state)
{
	static const char *const bad[][2] = {
		{ "--suite", "fast" }, { "--suite", "" },
		{ "--suite", "rules,nope" }, { "--rules", "0" },
		{ "--rules", "10,x" }, { "--rules", "-5" },
		{ "--rules", "1,2,3,4,5,6,7,8,9" }, { "--flows", "" },
		{ "--reps", "0" }, { "--reps", "52" }, { "--reps", "3.5" },
		{ "--duration", "0" }, { "--duration", "nan" },
		{ "--duration", "1s" }, { "--pkt-size", "59" },
		{ "--pkt-size", "1501" }, { "--new-pct", "101" },
		{ "--cpu", "100000" }, { "--plot", "chart.jpg" },
		{ "--plot", "chart" }, { "--load-timeout", "-1" },
		{ "--systems", "," }, { "--latency-rates", "0" },
		{ "--latency-rates", "100001" }, { "--latency-rates", "" },
		{ "--latency-rates", "2000,x" }, { "--http-body", "0" },
		{ "--http-body", "1000000001" }, { "--inspect-cpu", "-1" },
		{ "--inspect-cpu", "100000" }, { "--inspect-cpu", "auto" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i][0], bad[i][1], NULL), -EINVAL);
		assert_true(strlen(err) > 0);
	}
	assert_int_equal(parse("--bogus", NULL), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse("extra", NULL), -EINVAL);
	assert_non_null(strstr(err, "extra"));
	assert_int_equal(parse("--reps", NULL), -EINVAL);
}

static void test_inspect_opts(void **state)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char buf[96];

	assert_int_equal(parse("--suite", "inspect", NULL), 0);
	assert_int_equal(o.suites, FG_SUITE_INSPECT);
	assert_string_equal(fg_bench_suite_names(o.suites, buf, sizeof(buf)),
			    "inspect");
	assert_int_equal(o.n_lat_rates, 2);
	assert_int_equal(o.lat_rates[0], 2000);
	assert_int_equal(o.lat_rates[1], 10000);
	assert_int_equal(o.http_body, 10000000);
	/* Default worker CPU: never the generator's. */
	assert_int_equal(parse("--cpu", "0", NULL), 0);
	assert_int_equal(o.inspect_cpu, ncpu > 1 ? 1 : FG_BENCH_CPU_NONE);
	if (ncpu > 1) {
		assert_int_equal(parse("--cpu", "1", NULL), 0);
		assert_int_equal(o.inspect_cpu, 0);
	}
	assert_int_equal(parse("--suite", "inspect,micro", "--latency-rates",
			       "500,20000,100000", "--http-body", "1000",
			       "--inspect-cpu", "none", NULL), 0);
	assert_int_equal(o.suites, FG_SUITE_INSPECT | FG_SUITE_MICRO);
	assert_int_equal(o.n_lat_rates, 3);
	assert_int_equal(o.lat_rates[2], 100000);
	assert_int_equal(o.http_body, 1000);
	assert_int_equal(o.inspect_cpu, FG_BENCH_CPU_NONE);
	assert_false(o.inspect_busy_poll);
	assert_int_equal(parse("--inspect-cpu", "0", "--inspect-busy-poll",
			       NULL), 0);
	assert_true(o.inspect_busy_poll);
	assert_int_equal(o.inspect_cpu, 0);
}

/* A result with the inspector figures given (one round each). */
static void insp_result(struct fg_bench_result *res, double fg_mpps,
			double bare_mpps, double p99, double fg_gbps,
			double none_gbps)
{
	struct fg_bench_insp *r = &res->insp;

	memset(res, 0, sizeof(*res));
	r->n_tput = 2;
	r->tput[0].mpps[0] = fg_mpps;
	r->tput[1].mpps[0] = bare_mpps;
	r->tput[0].n = r->tput[1].n = 1;
	fg_bench_ratio(r->tput[0].mpps, r->tput[1].mpps, 1, r->tput[0].ratio);
	r->n_lat = 2;
	snprintf(r->lat[0].key, sizeof(r->lat[0].key), "flowgate_verdict_2000");
	r->lat[0].rate = 2000;
	r->lat[0].p99[0] = p99;
	r->lat[0].n = 1;
	snprintf(r->lat[1].key, sizeof(r->lat[1].key), "bare_seen_2000");
	r->lat[1].p99[0] = 1000;	/* not a goal: the reference */
	r->lat[1].n = 1;
	r->n_http = 2;
	r->http[0].fw = true;
	r->http[0].gbps[0] = fg_gbps;
	r->http[1].gbps[0] = none_gbps;
	r->http[0].n = r->http[1].n = 1;
	fg_bench_ratio(r->http[0].gbps, r->http[1].gbps, 1, r->http[0].ratio);
}

static void test_inspect_goals(void **state)
{
	static struct fg_bench_result res;
	int i;

	insp_result(&res, 0.6, 1.0, 150, 9.5, 10);
	fg_bench_goals(&res);
	/* Only issue 4's goals: no fast-path suite ran. */
	assert_int_equal(res.n_goals, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(res.goals[i].issue, 4);
		assert_true(res.goals[i].measured);
		assert_true(res.goals[i].met);
	}
	assert_true(fabs(res.goals[0].value - 60) < 1e-9);
	assert_true(res.goals[1].value == 150);
	assert_non_null(strstr(res.goals[1].name, "2000"));
	assert_true(fabs(res.goals[2].value - 95) < 1e-9);

	insp_result(&res, 0.4, 1.0, 201, 8.9, 10);
	fg_bench_goals(&res);
	for (i = 0; i < 3; i++)
		assert_false(res.goals[i].met);

	/* A missing round is "not measured", never met. */
	insp_result(&res, NAN, 1.0, NAN, 1, 0);
	fg_bench_goals(&res);
	for (i = 0; i < 3; i++)
		assert_false(res.goals[i].measured || res.goals[i].met);
}

static void test_inspect_json(void **state)
{
	static struct fg_bench_opts opts;
	static struct fg_bench_result res;
	static const char *const keys[] = {
		"\"inspect\"", "\"throughput\"", "\"ratio_to_bare\"",
		"\"latency\"", "\"p99_us\"", "\"http\"",
		"\"kernel_packet_share\"", "\"kernel_byte_share\"",
		"\"issue\": 4",
	};
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	insp_result(&res, 0.6, 1.0, 150, 9.5, 10);
	res.o = &opts;
	fg_bench_goals(&res);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(fg_bench_write_json(&res, f), 0);
	fclose(f);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_non_null(strstr(buf, keys[i]));
	free(buf);
}

static void test_stat(void **state)
{
	double v[] = { 5, 1, 4, 2, 3 };
	double w[] = { 4, NAN, 2, 1 };
	double none[] = { NAN, NAN };
	struct fg_bench_stat s;

	s = fg_bench_stat(v, 5);
	assert_int_equal(s.n, 5);
	assert_true(s.med == 3 && s.min == 1 && s.max == 5);
	/* Even count: mean of the middle two; NaN left out. */
	s = fg_bench_stat(w, 4);
	assert_int_equal(s.n, 3);
	assert_true(s.med == 2 && s.min == 1 && s.max == 4);
	s = fg_bench_stat(v, 4);
	assert_true(s.med == 3);	/* 1 2 4 5 */
	s = fg_bench_stat(none, 2);
	assert_int_equal(s.n, 0);
	assert_true(isnan(s.med) && isnan(s.min) && isnan(s.max));
	s = fg_bench_stat(v, 0);
	assert_int_equal(s.n, 0);
}

static void test_ratio(void **state)
{
	double a[] = { 2, 3, NAN, 4 };
	double b[] = { 4, 0, 1, -1 };
	double r[4];

	fg_bench_ratio(a, b, 4, r);
	assert_true(r[0] == 0.5);
	assert_true(isnan(r[1]));	/* zero baseline */
	assert_true(isnan(r[2]));	/* missing run */
	assert_true(isnan(r[3]));	/* nonsense baseline */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_inspect_opts),
		cmocka_unit_test(test_inspect_goals),
		cmocka_unit_test(test_inspect_json),
		cmocka_unit_test(test_stat),
		cmocka_unit_test(test_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
