// SPDX-License-Identifier: GPL-2.0-only
/*
 * main.c - `flowgate`: global options, then dispatch to a command by name
 * or unique prefix (`flowgate sta` is ambiguous, `flowgate statu` is status).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "log.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int cmd_help(int argc, char **argv);

static const struct command commands[] = {
	{ "run", fg_cmd_run },
	{ "check", fg_cmd_check },
	{ "reload", fg_cmd_reload },
	{ "status", fg_cmd_status },
	{ "stats", fg_cmd_stats },
	{ "flows", fg_cmd_flows },
	{ "detach", fg_cmd_detach },
	{ "bench", fg_cmd_bench },
	{ "help", cmd_help },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* Index of word among the commands, or an exit code after an error. */
static int lookup(const char *word, const char *context)
{
	const char *names[N_COMMANDS], *a = NULL, *b = NULL;
	size_t i;
	int r;

	for (i = 0; i < N_COMMANDS; i++)
		names[i] = commands[i].name;
	r = fg_cli_match(word, names, N_COMMANDS, &a, &b);
	if (r == -EEXIST) {
		fg_err("%s'%s' is ambiguous: %s, %s, ...", context, word, a, b);
		return -1;
	}
	if (r < 0) {
		fg_err("%sunknown command '%s' (see 'flowgate help')", context,
		       word);
		return -1;
	}
	return r;
}

static int cmd_help(int argc, char **argv)
{
	int i;

	if (argc < 2) {
		fg_cli_print_overview(stdout);
		return FG_EXIT_OK;
	}
	if (argc > 2) {
		fg_err("help: one COMMAND at most");
		return FG_EXIT_USAGE;
	}
	i = lookup(argv[1], "help: ");
	if (i < 0)
		return FG_EXIT_USAGE;
	fg_cli_print_help(fg_cli_help(commands[i].name), stdout);
	return FG_EXIT_OK;
}

int main(int argc, char **argv)
{
	int i = 1, c;

	fg_log_setup_libs();
	/* Global options come before the command. */
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			fg_log_set_verbose(true);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("flowgate %s\n", FG_VERSION);
			return FG_EXIT_OK;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fg_cli_print_overview(stdout);
			return FG_EXIT_OK;
		} else {
			fg_err("unknown option '%s' (see 'flowgate help')", a);
			return FG_EXIT_USAGE;
		}
	}
	if (i == argc) {
		fg_cli_print_overview(stderr);
		return FG_EXIT_USAGE;
	}
	c = lookup(argv[i], "");
	if (c < 0)
		return FG_EXIT_USAGE;
	/* The command sees its canonical name as argv[0]. */
	argv[i] = (char *)commands[c].name;
	return commands[c].fn(argc - i, argv + i);
}
