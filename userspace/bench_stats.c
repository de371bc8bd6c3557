// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_stats.c - medians, ranges and per-round ratios of `flowgate bench`.
 * The machine is noisy: a run that failed to measure is NaN and is left
 * out, never averaged in as zero.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct fg_bench_stat fg_bench_stat(const double *v, int n)
{
	struct fg_bench_stat r = { NAN, NAN, NAN, 0 };
	double s[FG_BENCH_MAX_REPS];
	int i;

	for (i = 0; i < n && i < FG_BENCH_MAX_REPS; i++)
		if (isfinite(v[i]))
			s[r.n++] = v[i];
	if (!r.n)
		return r;
	qsort(s, (size_t)r.n, sizeof(*s), cmp_double);
	r.min = s[0];
	r.max = s[r.n - 1];
	r.med = r.n % 2 ? s[r.n / 2] : (s[r.n / 2 - 1] + s[r.n / 2]) / 2;
	return r;
}

void fg_bench_ratio(const double *a, const double *b, int n, double *out)
{
	int i;

	for (i = 0; i < n; i++)
		out[i] = isfinite(a[i]) && isfinite(b[i]) && b[i] > 0 ?
			 a[i] / b[i] : NAN;
}
