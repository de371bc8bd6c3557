// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_client.c - `reload`, `status`, `stats`, `flows`: ask the running
 * instance over its control socket and print what it answers. The daemon
 * renders text and JSON (ctl.h); this side chooses the format, resolves
 * paths against its own working directory and maps errors to exit codes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "json.h"
#include "log.h"

#define CLIENT_TIMEOUT_MS	120000	/* a reload of 100k rules takes a while */

/* JSON mode must be known before parsing, so usage errors are JSON too. */
static void prescan_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json") ||
		    !strcmp(argv[i], "-p") || !strcmp(argv[i], "--pretty"))
			fg_log_set_json(true);
	}
}

/* Strip one trailing newline for a one-line error message. */
static void chomp(char *s)
{
	size_t l = strlen(s);

	while (l && (s[l - 1] == '\n' || s[l - 1] == '\r'))
		s[--l] = '\0';
}

static int call(const char *cmd, const struct fg_cmd_opts *o,
		struct fg_ctl_req *req)
{
	struct fg_ctl_resp resp;
	int err;

	if (o->json && fg_ctl_req_set(req, "json", "1"))
		goto oom;
	if (o->pretty && fg_ctl_req_set(req, "pretty", "1"))
		goto oom;
	err = fg_ctl_call(o->socket, req, &resp, CLIENT_TIMEOUT_MS);
	if (err == -ENOENT || err == -ECONNREFUSED) {
		fg_err("%s: no flowgate instance answers on %s (is `flowgate run` running? see --socket)",
		       cmd, o->socket);
		return FG_EXIT_FAIL;
	}
	if (err == -ETIMEDOUT) {
		fg_err("%s: %s: no answer within %d s", cmd, o->socket,
		       CLIENT_TIMEOUT_MS / 1000);
		return FG_EXIT_FAIL;
	}
	if (err) {
		fg_err("%s: %s: %s", cmd, o->socket, strerror(-err));
		return FG_EXIT_FAIL;
	}

	if (resp.out_len)
		fwrite(resp.out, 1, resp.out_len, stdout);
	if (resp.code && resp.err_len) {
		chomp(resp.err);
		if (o->json && !resp.out_len) {
			fg_json_error(stdout, resp.err);
		} else if (!strcmp(cmd, "reload") && resp.code == FG_EXIT_USAGE &&
			   strchr(resp.err, ':')) {
			/* Policy diagnostics: one FILE:LINE:COL line each. */
			fprintf(stderr, "%s\n", resp.err);
			fg_err("reload: policy rejected; the running policy is unchanged");
		} else {
			fg_err("%s: %s", cmd, resp.err);
		}
	} else if (resp.err_len) {
		fputs(resp.err, stderr);
	} else if (resp.code) {
		fg_err("%s: failed (exit status %d)", cmd, resp.code);
	}
	fflush(stdout);
	err = resp.code;
	fg_ctl_resp_free(&resp);
	return err;
oom:
	fg_err("%s: out of memory", cmd);
	return FG_EXIT_FAIL;
}

/* Parse, build the request, call. */
static int client_cmd(const char *cmd, int argc, char **argv,
		      unsigned int allowed)
{
	struct fg_cmd_opts o;
	struct fg_ctl_req req;
	char errbuf[256], lim[24];
	char *abs = NULL;
	int code = FG_EXIT_FAIL;

	prescan_json(argc, argv);
	if (fg_cli_parse_cmd(argc, argv, allowed | FG_OPT_SOCKET | FG_OPT_JSON,
			     &o, errbuf, sizeof(errbuf)))
		return fg_cli_usage_error(cmd, "%s", errbuf);
	if (o.help) {
		fg_log_set_json(false);
		fg_cli_print_help(fg_cli_help(cmd), stdout);
		return FG_EXIT_OK;
	}
	fg_log_set_json(o.json);
	if (o.verbose)
		fg_log_set_verbose(true);
	if (fg_ctl_req_init(&req, cmd)) {
		fg_err("%s: out of memory", cmd);
		return FG_EXIT_FAIL;
	}

	if (o.file) {
		/* The daemon has its own working directory. */
		abs = realpath(o.file, NULL);
		if (!abs && o.file[0] != '/') {
			char cwd[PATH_MAX];

			if (!getcwd(cwd, sizeof(cwd)) ||
			    asprintf(&abs, "%s/%s", cwd, o.file) < 0)
				abs = NULL;
		} else if (!abs) {
			abs = strdup(o.file);
		}
		if (!abs || fg_ctl_req_set(&req, "path", abs))
			goto oom;
	}
	if (allowed & FG_OPT_LIMIT) {
		/* Text stays readable by default; JSON is for tools. */
		long limit = o.limit >= 0 ? o.limit :
			     o.json ? 0 : FG_FLOWS_TEXT_LIMIT;

		snprintf(lim, sizeof(lim), "%ld", limit);
		if (fg_ctl_req_set(&req, "limit", lim))
			goto oom;
	}
	code = call(cmd, &o, &req);
	goto out;
oom:
	fg_err("%s: out of memory", cmd);
out:
	free(abs);
	fg_ctl_req_free(&req);
	return code;
}

int fg_cmd_reload(int argc, char **argv)
{
	return client_cmd("reload", argc, argv, FG_OPT_FILE);
}

int fg_cmd_status(int argc, char **argv)
{
	return client_cmd("status", argc, argv, 0);
}

int fg_cmd_stats(int argc, char **argv)
{
	return client_cmd("stats", argc, argv, 0);
}

int fg_cmd_flows(int argc, char **argv)
{
	return client_cmd("flows", argc, argv, FG_OPT_LIMIT);
}
