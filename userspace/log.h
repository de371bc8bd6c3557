/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - the CLI's messages. Errors and warnings go to stderr as
 * "flowgate: <context>: <reason>"; in JSON mode errors are printed instead
 * as one {"error": "..."} document on stdout (bpftool's convention), so a
 * script reading stdout always gets JSON. libbpf's and libxdp's own messages
 * are routed to the debug level: they show only with -v, after ours.
 */
#ifndef FG_LOG_H
#define FG_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum fg_log_level {
	FG_LOG_ERR,
	FG_LOG_WARN,
	FG_LOG_INFO,
	FG_LOG_DEBUG,
};

void fg_log_set_verbose(bool verbose);
bool fg_log_verbose(void);
/* Errors as JSON on stdout from now on. */
void fg_log_set_json(bool json);
bool fg_log_json(void);

void fg_log(enum fg_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void fg_vlog(enum fg_log_level level, const char *fmt, va_list ap);

#define fg_err(...)	fg_log(FG_LOG_ERR, __VA_ARGS__)
#define fg_warn(...)	fg_log(FG_LOG_WARN, __VA_ARGS__)
#define fg_info(...)	fg_log(FG_LOG_INFO, __VA_ARGS__)
#define fg_dbg(...)	fg_log(FG_LOG_DEBUG, __VA_ARGS__)

/* Install the libbpf and libxdp print callbacks. */
void fg_log_setup_libs(void);

#endif /* FG_LOG_H */
