// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c - streaming JSON writer (see json.h).
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "json.h"

void fg_json_init(struct fg_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void newline_indent(struct fg_json *j)
{
	int i;

	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Everything a value needs before it: a comma and/or indentation, unless it
 * follows its key. */
static void before_value(struct fg_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (j->has_items[j->depth - 1])
			fputc(',', j->f);
		j->has_items[j->depth - 1] = true;
		newline_indent(j);
	}
}

static void open_container(struct fg_json *j, char c)
{
	before_value(j);
	fputc(c, j->f);
	/* Deeper nesting than we track still prints valid JSON for the
	 * levels we know; our documents never get near the limit. */
	if (j->depth < FG_JSON_MAX_DEPTH) {
		j->has_items[j->depth] = false;
		j->depth++;
	}
}

static void close_container(struct fg_json *j, char c)
{
	bool had_items;

	if (j->depth == 0)
		return;
	had_items = j->has_items[j->depth - 1];
	j->depth--;
	if (had_items)
		newline_indent(j);
	fputc(c, j->f);
}

void fg_json_obj_open(struct fg_json *j) { open_container(j, '{'); }
void fg_json_obj_close(struct fg_json *j) { close_container(j, '}'); }
void fg_json_arr_open(struct fg_json *j) { open_container(j, '['); }
void fg_json_arr_close(struct fg_json *j) { close_container(j, ']'); }

void fg_json_end(struct fg_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

void fg_json_key(struct fg_json *j, const char *key)
{
	before_value(j);
	fg_json_escape(j->f, key);
	fputc(':', j->f);
	if (j->pretty)
		fputc(' ', j->f);
	j->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int c = s[0], cp;
	size_t n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void fg_json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\b': fputs("\\b", f); s++; continue;
		case '\f': fputs("\\f", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (!n) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

void fg_json_str(struct fg_json *j, const char *s)
{
	before_value(j);
	if (s)
		fg_json_escape(j->f, s);
	else
		fputs("null", j->f);
}

void fg_json_u64(struct fg_json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void fg_json_i64(struct fg_json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void fg_json_double(struct fg_json *j, double v, int decimals)
{
	before_value(j);
	if (!isfinite(v))	/* JSON has no NaN or infinity */
		fputs("null", j->f);
	else
		fprintf(j->f, "%.*f", decimals, v);
}

void fg_json_bool(struct fg_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void fg_json_null(struct fg_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void fg_json_kstr(struct fg_json *j, const char *k, const char *s)
{
	fg_json_key(j, k);
	fg_json_str(j, s);
}

void fg_json_ku64(struct fg_json *j, const char *k, uint64_t v)
{
	fg_json_key(j, k);
	fg_json_u64(j, v);
}

void fg_json_ki64(struct fg_json *j, const char *k, int64_t v)
{
	fg_json_key(j, k);
	fg_json_i64(j, v);
}

void fg_json_kbool(struct fg_json *j, const char *k, bool v)
{
	fg_json_key(j, k);
	fg_json_bool(j, v);
}

void fg_json_knull(struct fg_json *j, const char *k)
{
	fg_json_key(j, k);
	fg_json_null(j);
}

void fg_json_kobj_open(struct fg_json *j, const char *k)
{
	fg_json_key(j, k);
	fg_json_obj_open(j);
}

void fg_json_karr_open(struct fg_json *j, const char *k)
{
	fg_json_key(j, k);
	fg_json_arr_open(j);
}

void fg_json_error(FILE *f, const char *msg)
{
	fputs("{\"error\":", f);
	fg_json_escape(f, msg ? msg : "");
	fputs("}\n", f);
	fflush(f);
}
