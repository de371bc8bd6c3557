// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_check.c - `flowgate check FILE`: parse and compile a policy without
 * touching the kernel. Valid: one summary line on stdout, exit 0. Invalid:
 * every error as FILE:LINE:COL: message on stderr and nothing else, exit 2.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "compile.h"
#include "log.h"
#include "policy.h"

/* Prefixes written in the policy: groups' and rules' literal ones. */
static size_t count_prefixes(const struct fg_policy *p)
{
	size_t n = 0, i, k;

	for (i = 0; i < p->n_groups; i++)
		n += p->groups[i].n_prefixes;
	for (i = 0; i < p->n_rules; i++) {
		for (k = 0; k < p->rules[i].from.n_items; k++)
			n += !p->rules[i].from.items[k].is_group;
		for (k = 0; k < p->rules[i].to.n_items; k++)
			n += !p->rules[i].to.items[k].is_group;
	}
	return n;
}

int fg_cmd_check(int argc, char **argv)
{
	struct fg_diags diags = { 0 };
	struct fg_compiled c = { 0 };
	struct fg_policy *p = NULL;
	struct fg_cmd_opts o;
	char errbuf[256];
	int err, code;

	if (fg_cli_parse_cmd(argc, argv, FG_OPT_FILE_REQ, &o, errbuf,
			     sizeof(errbuf)))
		return fg_cli_usage_error("check", "%s", errbuf);
	if (o.help) {
		fg_cli_print_help(fg_cli_help("check"), stdout);
		return FG_EXIT_OK;
	}

	err = fg_policy_load(o.file, &p, &diags);
	if (!err)
		err = fg_compile(p, FG_MAX_RULES_DEFAULT, &c, &diags);
	if (err) {
		if (diags.n)
			fg_diags_print(&diags, stderr);
		else
			fprintf(stderr, "%s: %s\n", o.file, strerror(-err));
		code = err == -ENOMEM ? FG_EXIT_FAIL : FG_EXIT_USAGE;
		goto out;
	}
	printf("%s: OK (%zu rule%s, %zu group%s, %zu prefix%s, default %s)\n",
	       o.file, p->n_rules, p->n_rules == 1 ? "" : "s",
	       p->n_groups, p->n_groups == 1 ? "" : "s",
	       count_prefixes(p), count_prefixes(p) == 1 ? "" : "es",
	       p->default_action == FG_ACTION_ALLOW ? "allow" : "deny");
	code = FG_EXIT_OK;
out:
	fg_compiled_free(&c);
	fg_policy_free(p);
	fg_diags_free(&diags);
	return code;
}
