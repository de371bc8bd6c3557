/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * diag.h - a list of located diagnostics ("FILE:LINE:COL: message"), filled
 * by library code and printed once by the command that called it.
 */
#ifndef FG_DIAG_H
#define FG_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct fg_diag {
	char *file;		/* may be NULL for errors without a location */
	int line, col;		/* 1-based; 0 = unknown */
	char *msg;
};

struct fg_diags {
	struct fg_diag *v;
	size_t n, cap;
};

/* Append a diagnostic. Out of memory is not reported (best effort). */
void fg_diag_add(struct fg_diags *d, const char *file, int line, int col,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Print as "FILE:LINE:COL: message\n" (or "FILE: message" without a line). */
void fg_diags_print(const struct fg_diags *d, FILE *out);

/* Render every diagnostic into one malloc'd string, lines joined by '\n'. */
char *fg_diags_join(const struct fg_diags *d);

void fg_diags_free(struct fg_diags *d);

#endif /* FG_DIAG_H */
