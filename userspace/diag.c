// SPDX-License-Identifier: GPL-2.0-only
/*
 * diag.c - located diagnostics collected by library code and printed once
 * by the command that called it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void fg_diag_add(struct fg_diags *d, const char *file, int line, int col,
		 const char *fmt, ...)
{
	struct fg_diag *e;
	va_list ap;
	char *msg;

	if (!d)
		return;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct fg_diag *v = realloc(d->v, cap * sizeof(*v));

		if (!v)
			return;
		d->v = v;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;

	e = &d->v[d->n];
	e->file = NULL;
	if (file) {
		e->file = strdup(file);
		if (!e->file) {
			free(msg);
			return;
		}
	}
	e->line = line > 0 ? line : 0;
	e->col = col > 0 ? col : 0;
	e->msg = msg;
	d->n++;
}

/* One diagnostic in its printed form, without the newline. */
static int diag_format(const struct fg_diag *e, char **out)
{
	if (!e->file)
		return asprintf(out, "%s", e->msg);
	if (!e->line)
		return asprintf(out, "%s: %s", e->file, e->msg);
	if (!e->col)
		return asprintf(out, "%s:%d: %s", e->file, e->line, e->msg);
	return asprintf(out, "%s:%d:%d: %s", e->file, e->line, e->col, e->msg);
}

void fg_diags_print(const struct fg_diags *d, FILE *out)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		char *s;

		if (diag_format(&d->v[i], &s) < 0)
			continue;
		fprintf(out, "%s\n", s);
		free(s);
	}
}

char *fg_diags_join(const struct fg_diags *d)
{
	size_t len = 0, cap = 256, i;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	buf[0] = '\0';
	for (i = 0; d && i < d->n; i++) {
		size_t sl;
		char *s;
		int r = diag_format(&d->v[i], &s);

		if (r < 0)
			goto err_free;
		sl = (size_t)r;
		/* room for the separator, the line and the final NUL */
		while (len + sl + 2 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(s);
				goto err_free;
			}
			buf = nb;
			cap *= 2;
		}
		if (len)
			buf[len++] = '\n';
		memcpy(buf + len, s, sl + 1);
		len += sl;
		free(s);
	}
	return buf;

err_free:
	free(buf);
	return NULL;
}

void fg_diags_free(struct fg_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
