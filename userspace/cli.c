// SPDX-License-Identifier: GPL-2.0-only
/*
 * cli.c - command lookup, help texts and option parsing (see cli.h).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli.h"
#include "ctl.h"
#include "log.h"

#define SOCKET_HELP \
	"  --socket PATH       control socket (default " FG_CTL_DEFAULT_SOCKET ")\n"
#define JSON_HELP \
	"  -j, --json          one JSON document on stdout (errors too)\n" \
	"  -p, --pretty        indented JSON (implies --json)\n"

const struct fg_cmd_help fg_cmd_helps[] = {
	{
		"run",
		"--iface IF [--iface IF]... --policy FILE [OPTIONS]",
		"attach to the interfaces and enforce FILE until SIGINT/SIGTERM",
		"  -i, --iface IF      interface to protect (repeat for several)\n"
		"  -P, --policy FILE   policy file (YAML, version 1)\n"
		"  --xdp-mode MODE     auto (native if the driver has it, else generic;\n"
		"                      TC ingress instead of generic when the policy\n"
		"                      needs the inspector), native, generic, or none\n"
		"                      (TC ingress and egress)\n"
		"  --events FILE|-     write events as JSON lines to FILE (- = stdout)\n"
		SOCKET_HELP
		"  --flows N           flow table entries (default 262144)\n"
		"  --max-rules N       compiled rules per policy (default 131072)\n"
		"  --event-rate N      events per second per CPU (default 100)\n"
		"  --inspect-failure open|closed\n"
		"                      inspected payload with no inspector (default: the\n"
		"                      policy's inspect_failure, else closed)\n"
		"  --no-inspector      do not start the AF_XDP inspector (it starts\n"
		"                      when a rule has app)\n"
		"  --inspect-cpu N     pin inspector worker i to CPU N + i (N must be\n"
		"                      online and allowed; a later worker whose CPU\n"
		"                      is not runs unpinned, with a warning)\n"
		"  --inspect-busy-poll inspector workers spin instead of sleeping\n"
		"  --test-inspect SPEC test only: rule=NAME[,dirs=orig|reply|both]\n"
		"                      [,allow=BYTES][,deny=BYTES] inspects NAME's flows\n"
		"                      with a byte-pattern engine; [,delay_us=N]\n"
		"                      [,stall=BYTES][,stall_ms=N] make it slow or hang\n"
		"  -v, --verbose       also print libbpf/libxdp messages\n"
		"SIGHUP reloads the policy file; SIGINT/SIGTERM detach and exit 0.",
	},
	{
		"check",
		"FILE",
		"validate a policy file; print every error as FILE:LINE:COL: message",
		NULL,
	},
	{
		"reload",
		"[FILE] [--socket PATH]",
		"replace the running policy atomically (default: the file it runs)",
		JSON_HELP SOCKET_HELP,
	},
	{
		"status",
		"[--json] [--socket PATH]",
		"interfaces, attach modes, program ids, policy, flow-table fill",
		JSON_HELP SOCKET_HELP,
	},
	{
		"stats",
		"[--json] [--socket PATH]",
		"per-rule, per-verdict, per-drop-reason and per-interface counters",
		JSON_HELP SOCKET_HELP,
	},
	{
		"flows",
		"[--json] [--limit N] [--socket PATH]",
		"the flow table, most recently active first",
		JSON_HELP
		"  --limit N           show at most N flows (default: 50 in text,\n"
		"                      every flow with --json; 0 = every flow)\n"
		SOCKET_HELP,
	},
	{
		"detach",
		"--iface IF | --all",
		"remove flowgate programs left behind (e.g. after kill -9)",
		"  -i, --iface IF      this interface only\n"
		"  -a, --all           every interface of this network namespace, and\n"
		"                      the inspector veths (fgi0, fgc0) a killed\n"
		"                      instance left, unless a live inspector owns them\n"
		SOCKET_HELP
		"Refuses while an instance answers on the socket: stop it instead.",
	},
	{
		"bench",
		"[--suite LIST] [--systems LIST] [OPTIONS]   (root)",
		"measure flowgate against bare XDP, nftables, iptables, xdp-filter",
		FG_BENCH_OPTIONS_HELP
		"Builds its own namespaces and veths (generator -> DUT router -> sink),\n"
		"runs every configuration --reps times interleaved, prints a table.",
	},
	{
		"help",
		"[COMMAND]",
		"show help for every command, or for one",
		NULL,
	},
};
const size_t fg_cmd_nhelps = sizeof(fg_cmd_helps) / sizeof(fg_cmd_helps[0]);

const struct fg_cmd_help *fg_cli_help(const char *name)
{
	size_t i;

	for (i = 0; i < fg_cmd_nhelps; i++)
		if (!strcmp(fg_cmd_helps[i].name, name))
			return &fg_cmd_helps[i];
	return NULL;
}

void fg_cli_print_help(const struct fg_cmd_help *h, FILE *f)
{
	fprintf(f, "Usage: flowgate %s %s\n\n%c%s.\n", h->name, h->synopsis,
		toupper((unsigned char)h->summary[0]), h->summary + 1);
	if (h->options) {
		const char *o = h->options;
		size_t l = strlen(o);

		fprintf(f, "\nOptions:\n%s%s", o,
			l && o[l - 1] == '\n' ? "" : "\n");
	}
	fprintf(f, "\nExit status: 0 success, 1 runtime failure, "
		   "2 bad usage or bad input.\n");
}

void fg_cli_print_overview(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: flowgate [-v] COMMAND [ARGS]\n"
		   "       flowgate help [COMMAND] | COMMAND --help | --version\n\n"
		   "Commands (a unique prefix is enough: `flowgate fl` is flows):\n");
	for (i = 0; i < fg_cmd_nhelps; i++)
		fprintf(f, "  %-8s %s\n", fg_cmd_helps[i].name,
			fg_cmd_helps[i].summary);
	fprintf(f, "\nEvery command accepts --socket PATH (default %s).\n"
		   "Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n",
		FG_CTL_DEFAULT_SOCKET);
}

int fg_cli_match(const char *word, const char *const *names, size_t n,
		 const char **amb1, const char **amb2)
{
	size_t i, wl = strlen(word);
	int found = -ENOENT;

	if (!wl)
		return -ENOENT;
	for (i = 0; i < n; i++)
		if (!strcmp(word, names[i]))
			return (int)i;
	for (i = 0; i < n; i++) {
		if (strncmp(word, names[i], wl))
			continue;
		if (found >= 0) {
			if (amb1)
				*amb1 = names[found];
			if (amb2)
				*amb2 = names[i];
			return -EEXIST;
		}
		found = (int)i;
	}
	return found;
}

int fg_cli_parse_u32(const char *s, __u32 min, __u32 max, __u32 *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*out = (__u32)v;
	return 0;
}

int fg_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	fg_err("%s: %s", cmd, msg ? msg : "bad usage");
	if (!fg_log_json())
		fprintf(stderr, "Try 'flowgate help %s'.\n", cmd);
	free(msg);
	return FG_EXIT_USAGE;
}

/* The message for getopt's '?' / ':' returns (opterr is off). */
static void bad_option(int c, char **argv, const struct option *longopts,
		       char *err, size_t errlen)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		snprintf(err, errlen, "option '%s' needs an argument", arg);
	else if (optopt && !(arg[0] == '-' && arg[1] == '-'))
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else
		snprintf(err, errlen, "unknown or ambiguous option '%s'", arg);
	(void)longopts;
}

static int number_opt(const char *name, const char *val, __u32 min, __u32 max,
		      __u32 *out, char *err, size_t errlen)
{
	int e = fg_cli_parse_u32(val, min, max, out);

	if (e == -EINVAL)
		snprintf(err, errlen, "%s: '%s' is not a number", name, val);
	else if (e)
		snprintf(err, errlen, "%s: %s is out of range (%u..%u)", name,
			 val, min, max);
	return e ? -EINVAL : 0;
}

enum {
	OPT_XDP_MODE = 256,
	OPT_EVENTS,
	OPT_SOCKET,
	OPT_FLOWS,
	OPT_MAX_RULES,
	OPT_EVENT_RATE,
	OPT_LIMIT,
	OPT_INSPECT_FAILURE,
	OPT_NO_INSPECTOR,
	OPT_INSPECT_CPU,
	OPT_TEST_INSPECT,
	OPT_INSPECT_BUSY_POLL,
};

int fg_cli_parse_run(int argc, char **argv, struct fg_run_opts *o,
		     char *err, size_t errlen)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "policy", required_argument, NULL, 'P' },
		{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
		{ "events", required_argument, NULL, OPT_EVENTS },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "flows", required_argument, NULL, OPT_FLOWS },
		{ "max-rules", required_argument, NULL, OPT_MAX_RULES },
		{ "event-rate", required_argument, NULL, OPT_EVENT_RATE },
		{ "inspect-failure", required_argument, NULL, OPT_INSPECT_FAILURE },
		{ "no-inspector", no_argument, NULL, OPT_NO_INSPECTOR },
		{ "inspect-cpu", required_argument, NULL, OPT_INSPECT_CPU },
		{ "test-inspect", required_argument, NULL, OPT_TEST_INSPECT },
		{ "inspect-busy-poll", no_argument, NULL, OPT_INSPECT_BUSY_POLL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	memset(o, 0, sizeof(*o));
	o->xdp_mode = FG_XDP_AUTO;
	o->socket = FG_CTL_DEFAULT_SOCKET;
	o->flows = FG_FLOWS_DEFAULT;
	o->max_rules = FG_MAX_RULES_DEFAULT;
	o->event_rate = 100;
	o->inspect_cpu = -1;

	optind = 0;	/* glibc: full re-initialisation */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:P:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE) {
				snprintf(err, errlen, "'%s' is not a valid interface name",
					 optarg);
				return -EINVAL;
			}
			for (i = 0; i < o->n_ifaces; i++)
				if (!strcmp(o->ifaces[i], optarg)) {
					snprintf(err, errlen, "interface %s given twice",
						 optarg);
					return -EINVAL;
				}
			if (o->n_ifaces == FG_MAX_IFACES) {
				snprintf(err, errlen, "at most %d interfaces",
					 FG_MAX_IFACES);
				return -EINVAL;
			}
			o->ifaces[o->n_ifaces++] = optarg;
			break;
		case 'P':
			if (o->policy) {
				snprintf(err, errlen, "--policy given twice");
				return -EINVAL;
			}
			o->policy = optarg;
			break;
		case OPT_XDP_MODE:
			if (fg_xdp_mode_parse(optarg, &o->xdp_mode)) {
				snprintf(err, errlen,
					 "--xdp-mode: '%s' is not one of auto, native, generic, none",
					 optarg);
				return -EINVAL;
			}
			break;
		case OPT_EVENTS:
			if (!*optarg) {
				snprintf(err, errlen, "--events: empty file name");
				return -EINVAL;
			}
			o->events = optarg;
			break;
		case OPT_SOCKET:
			if (!*optarg) {
				snprintf(err, errlen, "--socket: empty path");
				return -EINVAL;
			}
			o->socket = optarg;
			break;
		case OPT_FLOWS:
			if (number_opt("--flows", optarg, 1024, 1U << 26,
				       &o->flows, err, errlen))
				return -EINVAL;
			break;
		case OPT_MAX_RULES:
			if (number_opt("--max-rules", optarg, 1,
				       64 * FG_MAX_WORDS - 1, &o->max_rules,
				       err, errlen))
				return -EINVAL;
			break;
		case OPT_EVENT_RATE:
			if (number_opt("--event-rate", optarg, 1, 1000000,
				       &o->event_rate, err, errlen))
				return -EINVAL;
			break;
		case OPT_INSPECT_FAILURE:
			if (strcmp(optarg, "open") && strcmp(optarg, "closed")) {
				snprintf(err, errlen,
					 "--inspect-failure: '%s' is not open or closed",
					 optarg);
				return -EINVAL;
			}
			o->inspect_failure_open = !strcmp(optarg, "open");
			o->inspect_failure_set = true;
			break;
		case OPT_NO_INSPECTOR:
			o->no_inspector = true;
			break;
		case OPT_INSPECT_CPU: {
			__u32 cpu;

			if (number_opt("--inspect-cpu", optarg, 0, 4095, &cpu,
				       err, errlen))
				return -EINVAL;
			o->inspect_cpu = (int)cpu;
			break;
		}
		case OPT_TEST_INSPECT:
			o->test_inspect = optarg;
			break;
		case OPT_INSPECT_BUSY_POLL:
			o->inspect_busy_poll = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			bad_option(c, argv, longopts, err, errlen);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!o->n_ifaces) {
		snprintf(err, errlen, "--iface is required");
		return -EINVAL;
	}
	if (!o->policy) {
		snprintf(err, errlen, "--policy is required");
		return -EINVAL;
	}
	return 0;
}

int fg_cli_parse_cmd(int argc, char **argv, unsigned int allowed,
		     struct fg_cmd_opts *o, char *err, size_t errlen)
{
	static const struct option all_opts[] = {
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "iface", required_argument, NULL, 'i' },
		{ "all", no_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
	};
	/* Only the options this command takes, so getopt's prefix matching
	 * and "unknown option" answers are about this command. */
	struct option longopts[sizeof(all_opts) / sizeof(all_opts[0]) + 1];
	char shortopts[32] = ":vh";
	size_t i, n = 0;
	__u32 lim;
	int c;

	memset(o, 0, sizeof(*o));
	o->socket = FG_CTL_DEFAULT_SOCKET;
	o->limit = -1;
	for (i = 0; i < sizeof(all_opts) / sizeof(all_opts[0]); i++) {
		int v = all_opts[i].val;

		if ((v == OPT_SOCKET && !(allowed & FG_OPT_SOCKET)) ||
		    ((v == 'j' || v == 'p') && !(allowed & FG_OPT_JSON)) ||
		    (v == OPT_LIMIT && !(allowed & FG_OPT_LIMIT)) ||
		    ((v == 'i' || v == 'a') && !(allowed & FG_OPT_DETACH)))
			continue;
		longopts[n++] = all_opts[i];
	}
	memset(&longopts[n], 0, sizeof(longopts[n]));
	if (allowed & FG_OPT_JSON)
		strcat(shortopts, "jp");
	if (allowed & FG_OPT_DETACH)
		strcat(shortopts, "i:a");

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET:
			if (!*optarg) {
				snprintf(err, errlen, "--socket: empty path");
				return -EINVAL;
			}
			o->socket = optarg;
			break;
		case 'p':
			o->pretty = true;
			/* fall through */
		case 'j':
			o->json = true;
			break;
		case OPT_LIMIT:
			if (number_opt("--limit", optarg, 0, INT_MAX, &lim,
				       err, errlen))
				return -EINVAL;
			o->limit = lim;
			break;
		case 'i':
			if (!*optarg || strlen(optarg) >= IF_NAMESIZE) {
				snprintf(err, errlen, "'%s' is not a valid interface name",
					 optarg);
				return -EINVAL;
			}
			o->iface = optarg;
			break;
		case 'a':
			o->all = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		default:
			bad_option(c, argv, longopts, err, errlen);
			return -EINVAL;
		}
	}
	if (optind < argc && (allowed & (FG_OPT_FILE | FG_OPT_FILE_REQ))) {
		if (!*argv[optind]) {
			snprintf(err, errlen, "empty file name");
			return -EINVAL;
		}
		o->file = argv[optind++];
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if ((allowed & FG_OPT_FILE_REQ) && !o->file) {
		snprintf(err, errlen, "FILE is required");
		return -EINVAL;
	}
	if ((allowed & FG_OPT_DETACH) && !!o->iface == o->all) {
		snprintf(err, errlen, "give exactly one of --iface IF and --all");
		return -EINVAL;
	}
	return 0;
}
