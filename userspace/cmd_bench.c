// SPDX-License-Identifier: GPL-2.0-only
/*
 * cmd_bench.c - `flowgate bench`: a reproducible firewall throughput
 * harness. Plans the suites (bench_run.c), builds namespaces and veths
 * (bench_topo.c), sends traffic with the in-kernel generator
 * (bench_gen.c) through each system under test (bench_dut_fg.c and
 * bench_ext.c), and reports (bench_report.c). docs/bench.md has the method.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "cli.h"
#include "log.h"

static void on_signal(int sig)
{
	fg_bench_stop = sig;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || !fg_log_verbose())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void command_line(struct fg_bench_env *e, int argc, char **argv)
{
	const char *env = getenv("FG_BENCH_COMMAND");
	size_t off;
	int i;

	if (env && *env) {
		snprintf(e->command, sizeof(e->command), "%s", env);
		return;
	}
	off = (size_t)snprintf(e->command, sizeof(e->command), "flowgate bench");
	for (i = 1; i < argc && off < sizeof(e->command); i++)
		off += (size_t)snprintf(e->command + off,
					sizeof(e->command) - off, " %s",
					argv[i]);
}

static int list_systems(void)
{
	const struct fg_bench_dut_ops *const *s;
	char why[160];
	int n, i;

	s = fg_bench_systems(&n);
	for (i = 0; i < n; i++) {
		why[0] = 0;
		if (s[i]->available(why, sizeof(why)))
			printf("%-24s %-34s unavailable: %s\n", s[i]->name,
			       s[i]->label, why);
		else
			printf("%-24s %s\n", s[i]->name, s[i]->label);
	}
	return FG_EXIT_OK;
}

/* The flowgate-only suites (micro, inspect) run unless --systems leaves
 * flowgate out. */
static bool flowgate_asked(const struct fg_bench_opts *o)
{
	int i;

	for (i = 0; i < o->n_systems; i++)
		if (!strcmp(o->systems[i], "flowgate"))
			return true;
	return !o->n_systems;
}

static int write_file(const char *path, const struct fg_bench_result *res,
		      bool json)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	if (json)
		err = fg_bench_write_json(res, f);
	else {
		fg_bench_report(res, f, true);
		err = ferror(f) ? -EIO : 0;
	}
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

int fg_cmd_bench(int argc, char **argv)
{
	static struct fg_bench_opts o;
	static struct fg_bench_result res;
	struct sigaction sa = { .sa_handler = on_signal };
	char msg[256];
	double t0 = now_s();
	int err;

	err = fg_bench_parse_opts(argc, argv, &o, msg, sizeof(msg));
	if (err > 0)
		return FG_EXIT_OK;
	if (err) {
		fg_err("bench: %s (see 'flowgate help bench')", msg);
		return FG_EXIT_USAGE;
	}
	if (o.list)
		return list_systems();
	if (geteuid() != 0) {
		fg_err("bench: needs root (BPF programs, network namespaces)");
		return FG_EXIT_USAGE;
	}
	/* No SA_RESTART: a signal interrupts a long test run (EINTR), the
	 * harness stops at the next safe point and tears everything down. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	libbpf_set_print(libbpf_quiet);
	memset(&res, 0, sizeof(res));
	res.o = &o;
	command_line(&res.env, argc, argv);
	fg_bench_env_collect(&res.env);
	err = fg_bench_plan(&res, &o);
	if (err)
		return err == -EINVAL ? FG_EXIT_USAGE : FG_EXIT_FAIL;
	if (res.n_cfg) {
		err = fg_bench_execute(&res);
		if (err)
			goto out;
	}
	if ((o.suites & (FG_SUITE_MICRO | FG_SUITE_STANDARD)) &&
	    flowgate_asked(&o)) {
		err = fg_bench_micro_run(&res);
		if (err)
			goto out;
	}
	if ((o.suites & FG_SUITE_INSPECT) && flowgate_asked(&o)) {
		err = fg_bench_insp_run(&res);
		if (err)
			goto out;
	}
	res.seconds = now_s() - t0;
	fg_bench_env_collect(&res.env);
	fg_bench_goals(&res);
	fg_bench_report(&res, stdout, false);
	fflush(stdout);
	if (o.json_path) {
		err = write_file(o.json_path, &res, true);
		if (err) {
			fg_err("bench: writing %s: %s", o.json_path,
			       strerror(-err));
			return FG_EXIT_FAIL;
		}
		fprintf(stderr, "flowgate bench: wrote %s\n", o.json_path);
	}
	if (o.md_path) {
		err = write_file(o.md_path, &res, false);
		if (err) {
			fg_err("bench: writing %s: %s", o.md_path,
			       strerror(-err));
			return FG_EXIT_FAIL;
		}
		fprintf(stderr, "flowgate bench: wrote %s\n", o.md_path);
	}
	if (o.plot_path) {
		err = fg_bench_plot(&res, o.plot_path);
		if (err) {
			fg_err("bench: chart %s: %s%s", o.plot_path,
			       strerror(-err), err == -ENOENT ?
			       " (install gnuplot-nox)" : "");
			return FG_EXIT_FAIL;
		}
		fprintf(stderr, "flowgate bench: wrote %s\n", o.plot_path);
	}
	return FG_EXIT_OK;
out:
	if (err == -EINTR || fg_bench_stop) {
		fprintf(stderr, "flowgate bench: interrupted, everything "
			"removed\n");
		return FG_EXIT_FAIL;
	}
	fg_err("bench: %s", strerror(-err));
	return FG_EXIT_FAIL;
}
