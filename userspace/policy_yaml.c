// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy_yaml.c - libyaml events to a located node tree.
 *
 * The event API (rather than yaml_parser_load) lets us see anchors, aliases
 * and document boundaries, and keep duplicate keys for the validator to
 * report. Nodes and strings live in an arena: a 1,000,000-address group
 * costs one node per address and one free per megabyte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "policy_yaml.h"

#define YAML_MAX_DEPTH	64	/* a policy nests 4 levels; stop silly input */
#define ARENA_BLOCK	(1u << 20)

struct arena_blk {
	struct arena_blk *next;
	size_t used, cap;
	max_align_t data[];
};

struct fg_yarena {
	struct arena_blk *head;
};

static void *arena_alloc(struct fg_yarena *a, size_t size)
{
	struct arena_blk *b = a->head;
	void *p;

	size = (size + 15) & ~(size_t)15;
	if (!b || b->cap - b->used < size) {
		size_t cap = size > ARENA_BLOCK ? size : ARENA_BLOCK;

		b = malloc(sizeof(*b) + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		/* a block bigger than the standard size is full at once: keep
		 * filling the current one instead */
		if (a->head && cap > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	p = (char *)b->data + b->used;
	b->used += size;
	return p;
}

static void arena_free(struct fg_yarena *a)
{
	struct arena_blk *b, *next;

	if (!a)
		return;
	for (b = a->head; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

/* An open sequence or mapping whose items are still arriving. */
struct frame {
	struct fg_ynode node;
	struct fg_ynode *v;
	size_t n, cap;
};

struct builder {
	const char *name;
	struct fg_diags *diags;
	size_t *nerr;
	struct fg_yarena *arena;
	struct frame *stack;
	size_t depth, cap;
	struct fg_ynode *root;
};

static void berr(struct builder *b, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void berr(struct builder *b, int line, int col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fg_diag_add(b->diags, b->name, line, col, "%s", msg);
	(*b->nerr)++;
}

/* Attach a finished node to the open collection, or make it the root. */
static int push_node(struct builder *b, const struct fg_ynode *node)
{
	struct frame *f;

	if (!b->depth) {
		b->root = arena_alloc(b->arena, sizeof(*node));
		if (!b->root)
			return -ENOMEM;
		*b->root = *node;
		return 0;
	}
	f = &b->stack[b->depth - 1];
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct fg_ynode *v = realloc(f->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		f->v = v;
		f->cap = cap;
	}
	f->v[f->n++] = *node;
	return 0;
}

static void mark_pos(const yaml_mark_t *m, struct fg_ynode *node)
{
	node->line = (int)m->line + 1;
	node->col = (int)m->column + 1;
}

/* Anchors and tags are legal YAML that a policy has no use for. */
static void check_decor(struct builder *b, const yaml_event_t *e,
			const yaml_char_t *anchor, const yaml_char_t *tag,
			bool implicit)
{
	int line = (int)e->start_mark.line + 1, col = (int)e->start_mark.column + 1;

	if (anchor)
		berr(b, line, col, "YAML anchors are not supported (&%s)",
		     (const char *)anchor);
	if (tag && !implicit)
		berr(b, line, col, "YAML tags are not supported (%s)",
		     (const char *)tag);
}

static int on_scalar(struct builder *b, const yaml_event_t *e)
{
	const yaml_char_t *val = e->data.scalar.value;
	size_t len = e->data.scalar.length;
	struct fg_ynode node = { .kind = FG_Y_SCALAR };
	char *s;

	mark_pos(&e->start_mark, &node);
	check_decor(b, e, e->data.scalar.anchor, e->data.scalar.tag,
		    e->data.scalar.plain_implicit || e->data.scalar.quoted_implicit);
	node.plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	if (memchr(val, '\0', len)) {
		/* "\0" in a quoted scalar would cut every string compare short */
		berr(b, node.line, node.col, "NUL character in a string");
		node.kind = FG_Y_BAD;
		return push_node(b, &node);
	}
	s = arena_alloc(b->arena, len + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, val, len);
	s[len] = '\0';
	node.str = s;
	node.n = len;
	return push_node(b, &node);
}

static int on_open(struct builder *b, const yaml_event_t *e, enum fg_ykind kind)
{
	struct frame *f;

	if (kind == FG_Y_SEQ)
		check_decor(b, e, e->data.sequence_start.anchor,
			    e->data.sequence_start.tag,
			    e->data.sequence_start.implicit);
	else
		check_decor(b, e, e->data.mapping_start.anchor,
			    e->data.mapping_start.tag,
			    e->data.mapping_start.implicit);
	if (b->depth == YAML_MAX_DEPTH) {
		berr(b, (int)e->start_mark.line + 1, (int)e->start_mark.column + 1,
		     "nesting deeper than %d levels", YAML_MAX_DEPTH);
		return -EINVAL;
	}
	if (b->depth == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct frame *st = realloc(b->stack, cap * sizeof(*st));

		if (!st)
			return -ENOMEM;
		b->stack = st;
		b->cap = cap;
	}
	f = &b->stack[b->depth++];
	memset(f, 0, sizeof(*f));
	f->node.kind = (unsigned char)kind;
	mark_pos(&e->start_mark, &f->node);
	return 0;
}

static int on_close(struct builder *b)
{
	struct frame *f = &b->stack[b->depth - 1];
	struct fg_ynode node = f->node;

	if (f->n) {
		node.kids = arena_alloc(b->arena, f->n * sizeof(*f->v));
		if (!node.kids)
			return -ENOMEM;
		memcpy(node.kids, f->v, f->n * sizeof(*f->v));
	}
	/* a mapping's items alternate key, value */
	node.n = node.kind == FG_Y_MAP ? f->n / 2 : f->n;
	free(f->v);
	f->v = NULL;
	b->depth--;
	return push_node(b, &node);
}

/* libyaml reports reader errors (bad encoding) by byte offset only. */
static void offset_pos(const char *buf, size_t len, size_t off, int *line, int *col)
{
	size_t i, bol = 0;

	*line = 1;
	if (off > len)
		off = len;
	for (i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	}
	*col = (int)(off - bol) + 1;
}

static void syntax_error(struct builder *b, const yaml_parser_t *p,
			 const char *buf, size_t len)
{
	int line, col;

	if (p->error == YAML_READER_ERROR) {
		offset_pos(buf, len, p->problem_offset, &line, &col);
		berr(b, line, col, "invalid input: %s",
		     p->problem ? p->problem : "unreadable");
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	if (p->context)
		berr(b, line, col, "YAML syntax error: %s (%s started at %d:%d)%s",
		     p->problem ? p->problem : "unknown problem", p->context,
		     (int)p->context_mark.line + 1,
		     (int)p->context_mark.column + 1,
		     /* YAML reads a plain *.example.com as an alias */
		     !strcmp(p->context, "while scanning an alias") ?
		     "; a value that starts with '*' must be quoted, as in \"*.example.com\"" : "");
	else
		berr(b, line, col, "YAML syntax error: %s",
		     p->problem ? p->problem : "unknown problem");
}

int fg_yaml_load(const char *name, const char *buf, size_t len,
		 struct fg_ydoc *doc, struct fg_diags *diags, size_t *nerr)
{
	struct builder b = { .name = name, .diags = diags, .nerr = nerr };
	yaml_parser_t parser;
	yaml_event_t e;
	int ndocs = 0, err = 0;
	bool done = false;

	doc->root = NULL;
	doc->arena = NULL;
	b.arena = calloc(1, sizeof(*b.arena));
	if (!b.arena)
		return -ENOMEM;
	if (!yaml_parser_initialize(&parser)) {
		err = -ENOMEM;
		goto out_arena;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done) {
		if (!yaml_parser_parse(&parser, &e)) {
			if (parser.error == YAML_MEMORY_ERROR) {
				err = -ENOMEM;
			} else {
				syntax_error(&b, &parser, buf, len);
				err = -EINVAL;
			}
			break;
		}
		switch (e.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				/* the rest is not read: one policy per file */
				berr(&b, (int)e.start_mark.line + 1,
				     (int)e.start_mark.column + 1,
				     "more than one YAML document: a policy file holds exactly one");
				done = true;
			}
			break;
		case YAML_ALIAS_EVENT: {
			struct fg_ynode node = { .kind = FG_Y_BAD };

			mark_pos(&e.start_mark, &node);
			berr(&b, node.line, node.col,
			     "YAML aliases are not supported (*%s)",
			     (const char *)e.data.alias.anchor);
			err = push_node(&b, &node);
			break;
		}
		case YAML_SCALAR_EVENT:
			err = on_scalar(&b, &e);
			break;
		case YAML_SEQUENCE_START_EVENT:
			err = on_open(&b, &e, FG_Y_SEQ);
			break;
		case YAML_MAPPING_START_EVENT:
			err = on_open(&b, &e, FG_Y_MAP);
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			err = on_close(&b);
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&e);
		if (err)
			break;
	}
	yaml_parser_delete(&parser);
	while (b.depth)
		free(b.stack[--b.depth].v);
	free(b.stack);
	if (err)
		goto out_arena;
	doc->root = b.root;
	doc->arena = b.arena;
	return 0;

out_arena:
	arena_free(b.arena);
	return err;
}

void fg_yaml_free(struct fg_ydoc *doc)
{
	if (!doc)
		return;
	arena_free(doc->arena);
	doc->arena = NULL;
	doc->root = NULL;
}
