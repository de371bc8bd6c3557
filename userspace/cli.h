/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cli.h - the `flowgate` command line: exit codes, command lookup by unique
 * prefix (bpftool style), help texts, and option parsing into plain structs
 * (no side effects, so tests can drive it).
 */
#ifndef FG_CLI_H
#define FG_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "flowgate.h"
#include "attach.h"

#ifndef FG_VERSION
#define FG_VERSION	"0.1.0"
#endif

#define FG_EXIT_OK	0
#define FG_EXIT_FAIL	1	/* runtime failure */
#define FG_EXIT_USAGE	2	/* bad usage or bad input */

#define FG_FLOWS_TEXT_LIMIT	50	/* `flows` rows shown in text mode */

/* Commands (cmd_*.c). argv[0] is the command word. Return an exit code. */
int fg_cmd_run(int argc, char **argv);
int fg_cmd_check(int argc, char **argv);
int fg_cmd_reload(int argc, char **argv);
int fg_cmd_status(int argc, char **argv);
int fg_cmd_stats(int argc, char **argv);
int fg_cmd_flows(int argc, char **argv);
int fg_cmd_detach(int argc, char **argv);
int fg_cmd_bench(int argc, char **argv);

struct fg_cmd_help {
	const char *name;
	const char *synopsis;	/* after "flowgate NAME " */
	const char *summary;	/* one line */
	const char *options;	/* option list, one per line, or NULL */
};

/* Help of every command, in the order `flowgate help` lists them. */
extern const struct fg_cmd_help fg_cmd_helps[];
extern const size_t fg_cmd_nhelps;
const struct fg_cmd_help *fg_cli_help(const char *name);
/* "Usage: flowgate NAME SYNOPSIS", summary and options, to f. */
void fg_cli_print_help(const struct fg_cmd_help *h, FILE *f);
/* Overview of every command. */
void fg_cli_print_overview(FILE *f);

/*
 * Find word among names: an exact match, else the only name it is a prefix
 * of. Returns the index, -ENOENT (no match) or -EEXIST (ambiguous prefix:
 * *amb1, *amb2 name two candidates if not NULL).
 */
int fg_cli_match(const char *word, const char *const *names, size_t n,
		 const char **amb1, const char **amb2);

/* Strict unsigned decimal in [min, max]: 0, -EINVAL or -ERANGE. */
int fg_cli_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out);

/* Report a usage error as "flowgate: CMD: MSG" plus a hint; returns
 * FG_EXIT_USAGE. */
int fg_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct fg_run_opts {
	const char *ifaces[FG_MAX_IFACES];
	size_t n_ifaces;
	const char *policy;
	enum fg_xdp_mode xdp_mode;
	const char *events;		/* NULL: none, "-": stdout */
	const char *socket;
	__u32 flows;			/* flow table entries */
	__u32 max_rules;
	__u32 event_rate;		/* events/s per CPU */
	bool verbose;
	bool help;
	/* AF_XDP inspector (issue 4). */
	bool inspect_failure_open;	/* --inspect-failure open */
	bool inspect_failure_set;	/* given: overrides the policy's */
	bool no_inspector;
	int inspect_cpu;		/* -1: no pinning */
	const char *test_inspect;	/* --test-inspect SPEC */
	bool inspect_busy_poll;		/* --inspect-busy-poll */
};

/*
 * Parse `run`'s arguments (argv[0] is the command word). 0 (o->help set if
 * --help was given), or -EINVAL with a one-line reason in err.
 */
int fg_cli_parse_run(int argc, char **argv, struct fg_run_opts *o,
		     char *err, size_t errlen);

/* Options the other commands accept. */
#define FG_OPT_JSON	(1U << 0)	/* -j/--json, -p/--pretty */
#define FG_OPT_LIMIT	(1U << 1)	/* --limit N */
#define FG_OPT_FILE	(1U << 2)	/* optional positional FILE */
#define FG_OPT_FILE_REQ	(1U << 3)	/* required positional FILE */
#define FG_OPT_DETACH	(1U << 4)	/* --iface IF | --all */
#define FG_OPT_SOCKET	(1U << 5)	/* --socket PATH */

struct fg_cmd_opts {
	const char *socket;
	bool json, pretty;
	long limit;		/* -1: not given */
	const char *file;
	const char *iface;
	bool all;
	bool verbose;
	bool help;
};

int fg_cli_parse_cmd(int argc, char **argv, unsigned int allowed,
		     struct fg_cmd_opts *o, char *err, size_t errlen);

#endif /* FG_CLI_H */
