// SPDX-License-Identifier: GPL-2.0-only
/*
 * inspect_test.c - `flowgate run --test-inspect SPEC`: until the policy's
 * L7 keys exist, mark one rule for inspection and decide its flows with the
 * byte-pattern engine (inspect_pkt.c). For tests and demos only.
 *
 * SPEC: rule=NAME[,dirs=orig|reply|both][,allow=BYTES][,deny=BYTES]
 *       [,delay_us=N][,stall=BYTES][,stall_ms=N (default 1000)]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inspect_test.h"

static int set_str(char *dst, size_t room, const char *v, const char *key,
		   char *err, size_t errlen)
{
	if (strlen(v) >= room) {
		snprintf(err, errlen, "--test-inspect: %s longer than %zu bytes",
			 key, room - 1);
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

static int set_num(__u32 *dst, const char *v, unsigned long max,
		   const char *key, char *err, size_t errlen)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || *v == '-' || n > max) {
		snprintf(err, errlen, "--test-inspect: %s '%s' is not a number from 0 to %lu",
			 key, v, max);
		return -EINVAL;
	}
	*dst = (__u32)n;
	return 0;
}

int fg_insp_test_parse(const char *spec, struct fg_insp_test *t, char *err,
		       size_t errlen)
{
	char *copy, *item, *save = NULL;
	int ret = 0;

	memset(t, 0, sizeof(*t));
	t->dirs = FG_INSPECT_DIR_ORIG;
	t->pat.stall_ms = 1000;
	copy = strdup(spec);
	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ",", &save); item && !ret;
	     item = strtok_r(NULL, ",", &save)) {
		char *v = strchr(item, '=');

		if (!v) {
			snprintf(err, errlen, "--test-inspect: '%s' is not KEY=VALUE",
				 item);
			ret = -EINVAL;
			break;
		}
		*v++ = '\0';
		if (!strcmp(item, "rule")) {
			ret = set_str(t->rule, sizeof(t->rule), v, item, err,
				      errlen);
		} else if (!strcmp(item, "allow")) {
			ret = set_str(t->pat.allow, sizeof(t->pat.allow), v,
				      item, err, errlen);
		} else if (!strcmp(item, "deny")) {
			ret = set_str(t->pat.deny, sizeof(t->pat.deny), v,
				      item, err, errlen);
		} else if (!strcmp(item, "stall")) {
			ret = set_str(t->pat.stall, sizeof(t->pat.stall), v,
				      item, err, errlen);
		} else if (!strcmp(item, "delay_us")) {
			ret = set_num(&t->pat.delay_us, v, 1000000, item, err,
				      errlen);
		} else if (!strcmp(item, "stall_ms")) {
			ret = set_num(&t->pat.stall_ms, v, 60000, item, err,
				      errlen);
		} else if (!strcmp(item, "dirs")) {
			if (!strcmp(v, "orig"))
				t->dirs = FG_INSPECT_DIR_ORIG;
			else if (!strcmp(v, "reply"))
				t->dirs = FG_INSPECT_DIR_REPLY;
			else if (!strcmp(v, "both"))
				t->dirs = FG_INSPECT_DIR_ORIG |
					  FG_INSPECT_DIR_REPLY;
			else {
				snprintf(err, errlen,
					 "--test-inspect: dirs '%s' is not orig, reply or both",
					 v);
				ret = -EINVAL;
			}
		} else {
			snprintf(err, errlen, "--test-inspect: unknown key '%s'",
				 item);
			ret = -EINVAL;
		}
	}
	free(copy);
	if (!ret && !t->rule[0]) {
		snprintf(err, errlen, "--test-inspect: rule=NAME is required");
		ret = -EINVAL;
	}
	return ret;
}

int fg_insp_test_apply(const struct fg_insp_test *t, struct fg_policy *p)
{
	size_t i;
	int found = 0;

	for (i = 0; i < p->n_rules; i++)
		if (p->rules[i].name && !strcmp(p->rules[i].name, t->rule)) {
			p->rules[i].inspect_dirs = t->dirs;
			found = 1;
		}
	return found ? 0 : -ENOENT;
}
