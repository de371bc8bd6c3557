/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - a small streaming JSON writer. The caller opens and closes
 * objects/arrays and writes keys and values; the writer places commas,
 * escapes strings (RFC 8259: quotes, backslash, control characters; invalid
 * UTF-8 becomes U+FFFD so the output is always valid JSON) and, if asked,
 * indents. Compact output has no spaces at all, one document per line, like
 * `bpftool -j`.
 */
#ifndef FG_JSON_H
#define FG_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define FG_JSON_MAX_DEPTH	32

struct fg_json {
	FILE *f;
	bool pretty;
	int depth;
	bool after_key;			/* a key was written, value comes next */
	bool has_items[FG_JSON_MAX_DEPTH];	/* container already has an item */
};

void fg_json_init(struct fg_json *j, FILE *f, bool pretty);

void fg_json_obj_open(struct fg_json *j);
void fg_json_obj_close(struct fg_json *j);
void fg_json_arr_open(struct fg_json *j);
void fg_json_arr_close(struct fg_json *j);
/* Ends the document: a newline after the outermost value. */
void fg_json_end(struct fg_json *j);

void fg_json_key(struct fg_json *j, const char *key);
void fg_json_str(struct fg_json *j, const char *s);	/* NULL -> null */
void fg_json_u64(struct fg_json *j, uint64_t v);
void fg_json_i64(struct fg_json *j, int64_t v);
void fg_json_double(struct fg_json *j, double v, int decimals);
void fg_json_bool(struct fg_json *j, bool v);
void fg_json_null(struct fg_json *j);

/* key + value in one call. */
void fg_json_kstr(struct fg_json *j, const char *key, const char *s);
void fg_json_ku64(struct fg_json *j, const char *key, uint64_t v);
void fg_json_ki64(struct fg_json *j, const char *key, int64_t v);
void fg_json_kbool(struct fg_json *j, const char *key, bool v);
void fg_json_knull(struct fg_json *j, const char *key);
void fg_json_kobj_open(struct fg_json *j, const char *key);
void fg_json_karr_open(struct fg_json *j, const char *key);

/* Write s as a quoted JSON string (with its quotes). */
void fg_json_escape(FILE *f, const char *s);

/* One-shot: print {"error":"msg"} followed by a newline. */
void fg_json_error(FILE *f, const char *msg);

#endif /* FG_JSON_H */
