// SPDX-License-Identifier: GPL-2.0-only
/*
 * log.c - CLI messages and the libbpf/libxdp print callbacks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "json.h"
#include "log.h"

static bool log_verbose;
static bool log_json;

void fg_log_set_verbose(bool v) { log_verbose = v; }
bool fg_log_verbose(void) { return log_verbose; }
void fg_log_set_json(bool j) { log_json = j; }
bool fg_log_json(void) { return log_json; }

void fg_vlog(enum fg_log_level level, const char *fmt, va_list ap)
{
	char *msg;

	if (level == FG_LOG_DEBUG && !log_verbose)
		return;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	/* Messages end without a newline; tolerate one. */
	if (*msg && msg[strlen(msg) - 1] == '\n')
		msg[strlen(msg) - 1] = '\0';

	if (level == FG_LOG_ERR && log_json)
		fg_json_error(stdout, msg);
	else if (level == FG_LOG_WARN)
		fprintf(stderr, "flowgate: warning: %s\n", msg);
	else
		fprintf(stderr, "flowgate: %s\n", msg);
	free(msg);
}

void fg_log(enum fg_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fg_vlog(level, fmt, ap);
	va_end(ap);
}

/* Library messages: only with -v. They carry their own "libbpf: " or
 * "libxdp: " prefix and newline. */
static int lib_print(const char *lib, const char *fmt, va_list ap)
{
	(void)lib;
	if (!log_verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return lib_print("libbpf", fmt, ap);
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	return lib_print("libxdp", fmt, ap);
}

void fg_log_setup_libs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}
