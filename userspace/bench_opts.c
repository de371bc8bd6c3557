// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_opts.c - the options of `flowgate bench`, checked up front so a
 * typo fails in a millisecond, not after minutes of setup.
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

static const struct {
	const char *name;
	unsigned int bit;
} suites[] = {
	{ "standard", FG_SUITE_STANDARD },
	{ "rules", FG_SUITE_RULES },
	{ "flows", FG_SUITE_FLOWS },
	{ "newflow", FG_SUITE_NEWFLOW },
	{ "synflood", FG_SUITE_SYNFLOOD },
	{ "micro", FG_SUITE_MICRO },
	{ "forward", FG_SUITE_FORWARD },
	{ "inspect", FG_SUITE_INSPECT },
};
#define N_SUITES (sizeof(suites) / sizeof(suites[0]))

void fg_bench_usage(FILE *f)
{
	fprintf(f, "usage: flowgate bench [OPTIONS]   (root)\n%s",
		FG_BENCH_OPTIONS_HELP);
}

const char *fg_bench_suite_names(unsigned int s, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = 0;
	for (i = 0; i < N_SUITES; i++)
		if ((s & suites[i].bit) && off < len)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? "," : "", suites[i].name);
	return buf;
}

static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int parse_u32(const char *s, unsigned long long min,
		     unsigned long long max, __u32 *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = (__u32)v;
	return 0;
}

static int parse_list(const char *s, unsigned long long min,
		      unsigned long long max, __u32 *out, int *n)
{
	char buf[256], *tok, *save;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*n = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n >= FG_BENCH_MAX_LIST ||
		    parse_u32(tok, min, max, &out[*n]))
			return -EINVAL;
		(*n)++;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_suites(const char *s, unsigned int *out)
{
	char buf[128], *tok, *save;
	size_t i;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			*out |= FG_SUITE_RULES | FG_SUITE_FLOWS |
				FG_SUITE_NEWFLOW | FG_SUITE_SYNFLOOD |
				FG_SUITE_MICRO | FG_SUITE_FORWARD |
				FG_SUITE_INSPECT;
			continue;
		}
		for (i = 0; i < N_SUITES; i++)
			if (!strcmp(tok, suites[i].name))
				break;
		if (i == N_SUITES)
			return -EINVAL;
		*out |= suites[i].bit;
	}
	return *out ? 0 : -EINVAL;
}

/* Names are checked against the registry by the caller (bench_run.c). */
static int parse_systems(const char *s, struct fg_bench_opts *o)
{
	char *tok, *save;

	if (strlen(s) >= sizeof(o->sysbuf))
		return -EINVAL;
	strcpy(o->sysbuf, s);
	o->n_systems = 0;
	for (tok = strtok_r(o->sysbuf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->n_systems >= FG_BENCH_MAX_SYSTEMS - 1)
			return -EINVAL;
		o->systems[o->n_systems++] = tok;
	}
	o->systems[o->n_systems] = NULL;
	return o->n_systems ? 0 : -EINVAL;
}

static int parse_secs(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (errno || end == s || *end || !(*out >= min && *out <= max))
		return -EINVAL;
	return 0;
}

int fg_bench_parse_opts(int argc, char **argv, struct fg_bench_opts *o,
			char *err, size_t errlen)
{
	enum { O_SUITE = 256, O_SYSTEMS, O_RULES, O_FLOWS, O_REPS, O_DUR,
	       O_LOADTO, O_PKT, O_TCP, O_UDP, O_NEWPCT, O_CPU, O_REPEAT,
	       O_NFREPEAT, O_LATRATES, O_HTTPBODY, O_INSPCPU, O_INSPBUSY,
	       O_JSON, O_PLOT, O_MD, O_NOTE, O_LIST, O_HELP };
	static const struct option lo[] = {
		{ "suite", required_argument, NULL, O_SUITE },
		{ "systems", required_argument, NULL, O_SYSTEMS },
		{ "rules", required_argument, NULL, O_RULES },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "reps", required_argument, NULL, O_REPS },
		{ "duration", required_argument, NULL, O_DUR },
		{ "load-timeout", required_argument, NULL, O_LOADTO },
		{ "pkt-size", required_argument, NULL, O_PKT },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "udp", no_argument, NULL, O_UDP },
		{ "new-pct", required_argument, NULL, O_NEWPCT },
		{ "cpu", required_argument, NULL, O_CPU },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "newflow-repeat", required_argument, NULL, O_NFREPEAT },
		{ "latency-rates", required_argument, NULL, O_LATRATES },
		{ "http-body", required_argument, NULL, O_HTTPBODY },
		{ "inspect-cpu", required_argument, NULL, O_INSPCPU },
		{ "inspect-busy-poll", no_argument, NULL, O_INSPBUSY },
		{ "json", required_argument, NULL, O_JSON },
		{ "plot", required_argument, NULL, O_PLOT },
		{ "markdown", required_argument, NULL, O_MD },
		{ "note", required_argument, NULL, O_NOTE },
		{ "list-systems", no_argument, NULL, O_LIST },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 }
	};
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	__u32 v;
	int c, e;

	*o = (struct fg_bench_opts){
		.suites = FG_SUITE_STANDARD, .reps = 5, .duration = 1.0,
		.load_timeout = 60, .cpu = ncpu > 0 ? (int)ncpu - 1 : 0,
		.family = 4, .proto = IPPROTO_UDP, .pkt_size = 60,
		.repeat = 1000000, .nf_repeat = 100000,
		.http_body = 10000000, .inspect_cpu = FG_BENCH_CPU_AUTO,
	};
	if (ncpu <= 0)
		ncpu = 1;
	optind = 0;	/* also resets getopt's state between calls */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+46h", lo, NULL)) != -1) {
		e = 0;
		switch (c) {
		case O_SUITE: e = parse_suites(optarg, &o->suites); break;
		case O_SYSTEMS: e = parse_systems(optarg, o); break;
		case O_RULES:
			e = parse_list(optarg, 1, 1000000, o->rules,
				       &o->n_rules);
			break;
		case O_FLOWS:
			e = parse_list(optarg, 1, 16000000, o->flows,
				       &o->n_flows);
			break;
		case O_REPS:
			e = parse_u32(optarg, 1, FG_BENCH_MAX_REPS, &v);
			o->reps = (int)v;
			break;
		case O_DUR: e = parse_secs(optarg, 0.05, 600, &o->duration);
			break;
		case O_LOADTO:
			e = parse_secs(optarg, 0.1, 3600, &o->load_timeout);
			break;
		case O_PKT:
			e = parse_u32(optarg, 60, 1500, &v);
			o->pkt_size = (int)v;
			break;
		case '4': o->family = 4; break;
		case '6': o->family = 6; break;
		case O_TCP: o->proto = IPPROTO_TCP; break;
		case O_UDP: o->proto = IPPROTO_UDP; break;
		case O_NEWPCT:
			e = parse_u32(optarg, 0, 100, &v);
			o->new_pct = (int)v;
			break;
		case O_CPU:
			e = parse_u32(optarg, 0, (unsigned long long)ncpu - 1,
				      &v);
			o->cpu = (int)v;
			break;
		case O_REPEAT: e = parse_u32(optarg, 1, 100000000, &o->repeat);
			break;
		case O_NFREPEAT:
			e = parse_u32(optarg, 1, 10000000, &o->nf_repeat);
			break;
		case O_LATRATES:
			/* Paced by a sleeping sender: 100k/s is its limit. */
			e = parse_list(optarg, 1, 100000, o->lat_rates,
				       &o->n_lat_rates);
			break;
		case O_HTTPBODY:
			e = parse_u32(optarg, 1, 1000000000, &o->http_body);
			break;
		case O_INSPCPU:
			if (!strcmp(optarg, "none")) {
				o->inspect_cpu = FG_BENCH_CPU_NONE;
				break;
			}
			e = parse_u32(optarg, 0, (unsigned long long)ncpu - 1,
				      &v);
			o->inspect_cpu = (int)v;
			break;
		case O_INSPBUSY: o->inspect_busy_poll = true; break;
		case O_JSON: o->json_path = optarg; break;
		case O_PLOT: o->plot_path = optarg; break;
		case O_MD: o->md_path = optarg; break;
		case O_NOTE: o->note = optarg; break;
		case O_LIST: o->list = true; break;
		case 'h':
		case O_HELP:
			fg_bench_usage(stdout);
			return 1;
		case ':':
			return bad(err, errlen, "option %s needs a value",
				   argv[optind - 1]);
		default:
			return bad(err, errlen, "unknown option '%s'",
				   argv[optind - 1]);
		}
		if (e)
			return bad(err, errlen, "bad value for --%s: '%s'",
				   lo[c - O_SUITE].name, optarg);
	}
	if (optind != argc)
		return bad(err, errlen, "unexpected argument '%s'",
			   argv[optind]);
	/* The default 64 is below the smallest IPv6 TCP frame: grow to fit
	 * (the report states the frame size used). */
	v = 14 + (o->family == 6 ? 40 : 20) + (o->proto == IPPROTO_TCP ? 20 : 8);
	if ((__u32)o->pkt_size < v)
		o->pkt_size = (int)v;
	if (o->plot_path) {
		const char *dot = strrchr(o->plot_path, '.');

		if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".svg")))
			return bad(err, errlen, "--plot: FILE must end in "
				   ".png or .svg: '%s'", o->plot_path);
	}
	/* Defaults of the lists: what the issue asks each suite to cover. */
	if (!o->n_rules) {
		static const __u32 d[] = { 10, 1000, 10000, 100000 };

		memcpy(o->rules, d, sizeof(d));
		o->n_rules = 4;
	}
	/* The worker must not share the generator's CPU: the generator's
	 * time base stops while the worker runs there. */
	if (o->inspect_cpu == FG_BENCH_CPU_AUTO)
		o->inspect_cpu = ncpu < 2 ? FG_BENCH_CPU_NONE :
				 o->cpu ? 0 : 1;
	if (!o->n_lat_rates) {
		o->lat_rates[0] = 2000;
		o->lat_rates[1] = 10000;
		o->n_lat_rates = 2;
	}
	if (!o->n_flows) {
		static const __u32 d[] = { 1, 1000, 100000, 1000000 };

		memcpy(o->flows, d, sizeof(d));
		o->n_flows = 4;
	}
	return 0;
}
