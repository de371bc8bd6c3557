/* SPDX-License-Identifier: GPL-2.0-only */
/* inspect_test.h - `run --test-inspect SPEC` (see inspect_test.c). */
#ifndef FG_INSPECT_TEST_H
#define FG_INSPECT_TEST_H

#include <stddef.h>
#include <linux/types.h>

#include "inspect.h"
#include "policy.h"

struct fg_insp_test {
	char rule[FG_RULE_NAME_MAX];
	__u8 dirs;			/* FG_INSPECT_DIR_* */
	struct fg_insp_pattern pat;
};

/* 0, or -EINVAL with a one-line reason in err. */
int fg_insp_test_parse(const char *spec, struct fg_insp_test *t, char *err,
		       size_t errlen);
/* Mark the named rule(s) of p for inspection. -ENOENT if none. */
int fg_insp_test_apply(const struct fg_insp_test *t, struct fg_policy *p);

#endif /* FG_INSPECT_TEST_H */
