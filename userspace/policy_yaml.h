/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy_yaml.h - internal to the policy parser: one YAML document read
 * into a compact tree of scalars, lists and mappings, each node carrying its
 * 1-based line and column. Anchors, aliases, tags and several documents
 * are reported (policies do not need them and they hide what a rule says).
 */
#ifndef FG_POLICY_YAML_H
#define FG_POLICY_YAML_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum fg_ykind {
	FG_Y_SCALAR,
	FG_Y_SEQ,
	FG_Y_MAP,
	FG_Y_BAD,	/* alias or broken scalar: already reported, skip it */
};

struct fg_ynode {
	unsigned char kind;	/* enum fg_ykind */
	bool plain;		/* scalar written without quotes */
	int line, col;		/* 1-based */
	size_t n;		/* scalar: bytes; seq: items; map: pairs */
	union {
		const char *str;	/* scalar, NUL-terminated */
		struct fg_ynode *kids;	/* seq: n items; map: key, value, ... */
	};
};

struct fg_yarena;

struct fg_ydoc {
	struct fg_ynode *root;	/* NULL for an empty stream */
	struct fg_yarena *arena;	/* owns every node and string */
};

/*
 * Read buf into doc. Returns 0 with a tree (non-fatal problems such as an
 * anchor or a second document are added to diags and counted in *nerr),
 * -EINVAL after a syntax error (reported, no tree), or -ENOMEM.
 */
int fg_yaml_load(const char *name, const char *buf, size_t len,
		 struct fg_ydoc *doc, struct fg_diags *diags, size_t *nerr);
void fg_yaml_free(struct fg_ydoc *doc);

#endif /* FG_POLICY_YAML_H */
