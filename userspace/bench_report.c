// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_report.c - what `flowgate bench` prints and writes: the
 * environment, the table (text or markdown), the issue's goals evaluated
 * as met/MISSED, JSON with every run, and a gnuplot chart.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "json.h"

static void read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	if (fgets(out, (int)len, f))
		out[strcspn(out, "\n")] = 0;
	fclose(f);
}

static void loadavg(char *out, size_t len)
{
	int i, sp = 0;

	read_line("/proc/loadavg", out, len);
	for (i = 0; out[i]; i++)
		if (out[i] == ' ' && ++sp == 3) {
			out[i] = 0;
			break;
		}
}

void fg_bench_env_collect(struct fg_bench_env *e)
{
	struct utsname u;
	char line[256];
	time_t now = time(NULL);
	FILE *f;

	if (!uname(&u))
		snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && p) {
			p += 1 + strspn(p + 1, " \t");
			p[strcspn(p, "\n")] = 0;
			snprintf(e->cpu_model, sizeof(e->cpu_model), "%s", p);
			break;
		}
	}
	if (f)
		fclose(f);
	e->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	/* The compiler of the BPF objects: the one `make` uses. */
	f = popen("${CLANG:-clang} --version 2>/dev/null", "r");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(e->clang, sizeof(e->clang), "%.120s", line);
		}
		pclose(f);
	}
	if (!e->clang[0])
		snprintf(e->clang, sizeof(e->clang), "unknown");
	snprintf(e->libbpf, sizeof(e->libbpf), "%s", libbpf_version_string());
	strftime(e->date, sizeof(e->date), "%Y-%m-%d %H:%M:%S UTC",
		 gmtime(&now));
	if (!e->loadavg_before[0])
		loadavg(e->loadavg_before, sizeof(e->loadavg_before));
	else
		loadavg(e->loadavg_after, sizeof(e->loadavg_after));
}

/* ---- goals ---- */

static const struct fg_bench_cfg *find(const struct fg_bench_result *res,
				       const char *sys, int kind, __u32 rules,
				       const char *suite)
{
	int i;

	for (i = 0; i < res->n_cfg; i++) {
		const struct fg_bench_cfg *c = &res->cfg[i];

		if (!strcmp(c->ops->name, sys) && (int)c->kind == kind &&
		    (!rules || c->rules == rules) &&
		    (!suite || !strcmp(c->suite, suite)) && c->n)
			return c;
	}
	return NULL;
}

struct fg_bench_goal *fg_bench_goal_add(struct fg_bench_result *res,
					int issue, const char *name,
					double limit, const char *unit,
					bool higher_ok)
{
	struct fg_bench_goal *g = &res->goals[res->n_goals++];

	memset(g, 0, sizeof(*g));
	g->issue = issue;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->limit = limit;
	g->unit = unit;
	g->higher_ok = higher_ok;
	return g;
}

void fg_bench_goal_settle(struct fg_bench_goal *g, double v)
{
	g->measured = isfinite(v);
	g->value = v;
	g->met = g->measured && (g->higher_ok ? v >= g->limit : v <= g->limit);
	if (!g->measured && !g->why[0])
		snprintf(g->why, sizeof(g->why), "not measured");
}

/* flowgate's rate over another system's, per round, median. */
static void vs(struct fg_bench_result *res, const char *other, __u32 rules,
	       double limit)
{
	const struct fg_bench_cfg *fg = find(res, "flowgate", FG_BK_DENY,
					     rules, "rules");
	const struct fg_bench_cfg *o = find(res, other, FG_BK_DENY, 0,
					    "rules");
	char name[128];
	double r[FG_BENCH_MAX_REPS];
	struct fg_bench_goal *g;

	if (!strcmp(other, "xdp-filter"))
		snprintf(name, sizeof(name), "flowgate (%u rules) vs xdp-filter "
			 "(its port rule) >= %.0fx", rules, limit);
	else
		snprintf(name, sizeof(name), "flowgate vs %s, %u rules >= %.0fx",
			 other, rules, limit);
	g = fg_bench_goal_add(res, 3, name, limit, "x", true);
	if (strcmp(other, "xdp-filter"))
		o = find(res, other, FG_BK_DENY, rules, "rules");
	if (!fg || !o) {
		snprintf(g->why, sizeof(g->why), "not measured (%s)",
			 !fg ? "flowgate row missing" : "system skipped");
		fg_bench_goal_settle(g, NAN);
		return;
	}
	fg_bench_ratio(fg->rate, o->rate, fg->n < o->n ? fg->n : o->n, r);
	fg_bench_goal_settle(g, fg_bench_stat(r, fg->n < o->n ? fg->n :
					      o->n).med);
}

static void fast_path_goals(struct fg_bench_result *res)
{
	const struct fg_bench_cfg *c;
	struct fg_bench_goal *g;
	static const struct { __u32 n; double limit; } deny[] = {
		{ 10000, 0.90 }, { 100000, 0.80 },
	};
	__u32 fgmin = 0;
	char name[128];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "flowgate deny at rule %u of %u "
			 ">= %.0f%% of bare XDP drop", deny[i].n, deny[i].n,
			 deny[i].limit * 100);
		g = fg_bench_goal_add(res, 3, name, deny[i].limit * 100, "%",
				      true);
		c = find(res, "flowgate", FG_BK_DENY, deny[i].n, "rules");
		fg_bench_goal_settle(g, c ? 100 * fg_bench_stat(c->ratio,
						c->n).med : NAN);
	}
	vs(res, "nft-linear", 1000, 50);
	vs(res, "iptables-linear", 1000, 50);
	vs(res, "nft-set", 1000, 3);
	for (i = 0; i < res->n_cfg; i++) {
		c = &res->cfg[i];
		if (!strcmp(c->ops->name, "flowgate") && c->kind == FG_BK_DENY &&
		    c->n && (!fgmin || c->rules < fgmin))
			fgmin = c->rules;
	}
	vs(res, "xdp-filter", fgmin ? fgmin : 1000, 1);

	g = fg_bench_goal_add(res, 3, "flowgate overhead forwarding 100,000 "
			      "known flows <= 5%", 5, "%", false);
	c = NULL;
	for (i = 0; i < res->n_cfg; i++)
		if (!strcmp(res->cfg[i].ops->name, "flowgate") &&
		    res->cfg[i].kind == FG_BK_FORWARD &&
		    res->cfg[i].prof.known == 100000 && !res->cfg[i].prof.syn &&
		    res->cfg[i].n)
			c = &res->cfg[i];
	fg_bench_goal_settle(g, c ? 100 * (1 - fg_bench_stat(c->vs_none,
						c->n).med) : NAN);

	g = fg_bench_goal_add(res, 3, "established flows delivered during a "
			      "SYN flood >= 99%", 99, "%", true);
	c = find(res, "flowgate", FG_BK_FORWARD, 0, "synflood");
	fg_bench_goal_settle(g, c ? 100 * fg_bench_stat(c->known_share,
						c->n).med : NAN);
}

void fg_bench_goals(struct fg_bench_result *res)
{
	res->n_goals = 0;
	if (res->n_cfg || res->n_micro)
		fast_path_goals(res);
	if (res->insp.n_tput)
		fg_bench_insp_goals(res);
}

/* ---- table ---- */

const char *fg_bench_fmt(char *buf, size_t len, const double *v, int n,
			 int dec, double scale)
{
	struct fg_bench_stat s = fg_bench_stat(v, n);

	if (!s.n)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.*f [%.*f-%.*f]", dec, s.med * scale, dec,
			 s.min * scale, dec, s.max * scale);
	return buf;
}

static const char *kind_name(enum fg_bench_kind k)
{
	return k == FG_BK_DENY ? "drop" : k == FG_BK_FORWARD ? "forward" :
	       "new flows";
}

static const char *traffic(const struct fg_bench_cfg *c, char *buf, size_t len)
{
	const struct fg_bench_profile *p = &c->prof;

	if (p->syn)
		snprintf(buf, len, "%u est. + %d%% SYN", p->known, p->new_pct);
	else if (p->new_pct == 100)
		snprintf(buf, len, "new flow/frame");
	else if (p->new_pct)
		snprintf(buf, len, "%u flows +%d%% new", p->known, p->new_pct);
	else
		snprintf(buf, len, "%u flow%s", p->known, p->known == 1 ?
			 "" : "s");
	return buf;
}

/* Median of a run field over rounds. */
static double med_u64(const struct fg_bench_cfg *c, size_t off)
{
	double v[FG_BENCH_MAX_REPS];
	int i;

	for (i = 0; i < c->n; i++)
		v[i] = (double)*(const __u64 *)((const char *)&c->run[i] + off);
	return fg_bench_stat(v, c->n).med;
}

static double loss_pct(const struct fg_bench_cfg *c)
{
	double v[FG_BENCH_MAX_REPS];
	int i;

	for (i = 0; i < c->n; i++)
		v[i] = c->run[i].sent ? 100.0 * (1.0 - (double)c->run[i].rx /
						 (double)c->run[i].sent) : NAN;
	return fg_bench_stat(v, c->n).med;
}

void fg_bench_report(const struct fg_bench_result *res, FILE *f, bool md)
{
	const struct fg_bench_opts *o = res->o;
	const struct fg_bench_env *e = &res->env;
	char c1[48], c2[48], c3[48], c4[48], tr[40], sn[96];
	int i;

	if (md) {
		fprintf(f, "Measured %s with:\n\n```\n%s\n```\n\n", e->date,
			e->command);
		fprintf(f, "| environment | |\n| --- | --- |\n"
			"| kernel | %s |\n| CPU | %s |\n| CPUs online | %ld "
			"(generator on CPU %d) |\n| clang | %s |\n| libbpf | "
			"%s |\n| generator | in-kernel, XDP live frames "
			"(BPF_PROG_TEST_RUN), %.1f s per run |\n| frame | %d "
			"bytes + FCS |\n| repetitions | %d, interleaved |\n"
			"| load average before / after | %s / %s |\n",
			e->kernel, e->cpu_model, e->nproc, o->cpu, e->clang,
			e->libbpf, o->duration, res->frame_len, o->reps,
			e->loadavg_before, e->loadavg_after);
		if (o->note)
			fprintf(f, "| note | %s |\n", o->note);
	} else {
		fprintf(f, "\nflowgate bench (%s), %s\n",
			fg_bench_suite_names(o->suites, sn, sizeof(sn)),
			e->date);
		fprintf(f, "  kernel %s, %s, %ld CPUs (generator on CPU %d)\n",
			e->kernel, e->cpu_model, e->nproc, o->cpu);
		fprintf(f, "  %s, libbpf %s, in-kernel generator, %d-byte "
			"frames, %d reps x %.1f s, load %s -> %s\n", e->clang,
			e->libbpf, res->frame_len, o->reps, o->duration,
			e->loadavg_before, e->loadavg_after);
	}

	if (res->n_cfg) {
		if (md)
			fprintf(f, "\n### Throughput\n\nMedian [min-max] of the "
				"rounds. *Mpps*: frames the DUT handled per "
				"second (drop rows) or the sink received "
				"(forward rows); *vs drop*: over bare XDP "
				"drop with the same traffic in the same round; "
				"*vs none*: over no firewall; per run, *sent* "
				"by the generator, *rx* at the DUT, *dropped* "
				"by it, *passed* to the sink (medians).\n\n"
				"| suite | system | traffic | path | Mpps | vs "
				"drop | vs none | sent | rx | dropped | passed "
				"| loss %% |\n| --- | --- | --- | --- | ---: | "
				"---: | ---: | ---: | ---: | ---: | ---: | ---: "
				"|\n");
		else
			fprintf(f, "\n%-8s %-40s %-17s %-9s %-20s %-17s %-17s "
				"%10s %10s %10s %10s %6s\n", "suite", "system",
				"traffic", "path", "Mpps", "vs drop",
				"vs none", "sent", "rx", "dropped", "passed",
				"loss%");
		for (i = 0; i < res->n_cfg; i++) {
			const struct fg_bench_cfg *c = &res->cfg[i];

			traffic(c, tr, sizeof(tr));
			if (c->skipped || !c->n) {
				fprintf(f, md ? "| %s | %s | %s | %s | skipped: "
					"%s | | | | | | | |\n" :
					"%-8s %-40s %-17s %-9s skipped: %s\n",
					c->suite, c->label, tr,
					kind_name(c->kind), c->skipped ?
					c->why : "not run");
				continue;
			}
			fg_bench_fmt(c1, sizeof(c1), c->rate, c->n, 3, 1);
			fg_bench_fmt(c2, sizeof(c2), c->ratio, c->n, 3, 1);
			if (c->none >= 0)
				fg_bench_fmt(c3, sizeof(c3), c->vs_none, c->n,
					     3, 1);
			else
				snprintf(c3, sizeof(c3), "-");
			fprintf(f, md ? "| %s | %s | %s | %s | %s | %s | %s | %.0f "
				"| %.0f | %.0f | %.0f | %.1f |\n" :
				"%-8s %-40s %-17s %-9s %-20s %-17s %-17s %10.0f "
				"%10.0f %10.0f %10.0f %6.1f\n", c->suite,
				c->label, tr, kind_name(c->kind), c1, c2, c3,
				med_u64(c, offsetof(struct fg_bench_run, sent)),
				med_u64(c, offsetof(struct fg_bench_run, rx)),
				med_u64(c, offsetof(struct fg_bench_run,
						    dropped)),
				med_u64(c, offsetof(struct fg_bench_run,
						    passed)),
				loss_pct(c));
		}
		for (i = 0; i < res->n_cfg; i++) {
			const struct fg_bench_cfg *c = &res->cfg[i];

			if (!c->n)
				continue;
			if (c->kind == FG_BK_NEWFLOW) {
				fg_bench_fmt(c4, sizeof(c4), c->flows_rate,
					     c->n, 3, 1);
				fprintf(f, md ? "\nNew flows classified and "
					"installed by %s: %s M flows/s.\n" :
					"\nnew flows installed (%s): %s M "
					"flows/s\n", c->label, c4);
			}
			if (c->prof.syn && c->kind != FG_BK_DENY &&
			    strcmp(c->ops->name, "xdp-pass")) {
				fg_bench_fmt(c4, sizeof(c4), c->known_share,
					     c->n, 2,
				    100);
				fprintf(f, md ? "\nSYN flood (%s, %u-entry flow "
					"table): established flows' frames "
					"delivered to the sink: %s %%.\n" :
					"\nSYN flood (%s, %u-entry table): "
					"established frames delivered %s %%\n",
					c->label, c->flow_entries, c4);
			}
		}
	}

	if (res->n_micro) {
		fprintf(f, md ? "\n### BPF_PROG_TEST_RUN, ns per packet\n\n"
			"Median [min-max]; new flows: driver cost subtracted, "
			"flow table emptied before each run.\n\n| path | "
			"ns/packet | above bare |\n| --- | ---: | ---: |\n" :
			"\nBPF_PROG_TEST_RUN ns/packet, median [min-max]\n");
		for (i = 0; i < res->n_micro; i++) {
			const struct fg_bench_micro *m = &res->micro[i];

			fg_bench_fmt(c1, sizeof(c1), m->ns, m->n, 1, 1);
			if (m->base)
				snprintf(c2, sizeof(c2), "-");
			else
				fg_bench_fmt(c2, sizeof(c2), m->over, m->n, 1,
					     1);
			fprintf(f, md ? "| %s | %s | %s |\n" :
				"  %-52s %-22s %s\n", m->name, c1, c2);
		}
	}

	if (res->insp.n_tput)
		fg_bench_insp_report(res, f, md);

	for (i = 0; i < res->n_goals; i++) {
		const struct fg_bench_goal *g = &res->goals[i];

		if (!i || g->issue != res->goals[i - 1].issue)
			fprintf(f, md ? "\n### Goals (issue %d)\n\n| goal | "
				"measured | |\n| --- | ---: | --- |\n" :
				"\nGoals (issue %d)\n", g->issue);
		if (!g->measured)
			fprintf(f, md ? "| %s | - | %s |\n" :
				"  %-66s %10s   %s\n", g->name,
				md ? g->why : "-", md ? "" : g->why);
		else if (md)
			fprintf(f, "| %s | %.2f %s | %s |\n", g->name,
				g->value, g->unit, g->met ? "met" :
				"**MISSED**");
		else
			fprintf(f, "  %-66s %8.2f %-2s %s\n", g->name,
				g->value, g->unit, g->met ? "met" : "MISSED");
	}
	fprintf(f, "\n");
}

/* ---- JSON ---- */

void fg_bench_jstat(struct fg_json *j, const char *key, const double *v,
		    int n, int dec)
{
	struct fg_bench_stat s = fg_bench_stat(v, n);
	int i;

	fg_json_kobj_open(j, key);
	fg_json_key(j, "median");
	fg_json_double(j, s.med, dec);
	fg_json_key(j, "min");
	fg_json_double(j, s.min, dec);
	fg_json_key(j, "max");
	fg_json_double(j, s.max, dec);
	fg_json_karr_open(j, "runs");
	for (i = 0; i < n; i++)
		fg_json_double(j, v[i], dec);
	fg_json_arr_close(j);
	fg_json_obj_close(j);
}

int fg_bench_write_json(const struct fg_bench_result *res, FILE *f)
{
	const struct fg_bench_opts *o = res->o;
	const struct fg_bench_env *e = &res->env;
	struct fg_json j;
	char sn[96];
	int i, k;

	fg_json_init(&j, f, true);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "tool", "flowgate bench");
	fg_json_kstr(&j, "command", e->command);
	fg_json_kobj_open(&j, "env");
	fg_json_kstr(&j, "date", e->date);
	fg_json_kstr(&j, "kernel", e->kernel);
	fg_json_kstr(&j, "cpu_model", e->cpu_model);
	fg_json_ki64(&j, "nproc", e->nproc);
	fg_json_kstr(&j, "clang", e->clang);
	fg_json_kstr(&j, "libbpf", e->libbpf);
	fg_json_kstr(&j, "generator", "in-kernel XDP live frames");
	fg_json_ki64(&j, "generator_cpu", o->cpu);
	fg_json_ki64(&j, "frame_bytes", res->frame_len);
	fg_json_kstr(&j, "loadavg_before", e->loadavg_before);
	fg_json_kstr(&j, "loadavg_after", e->loadavg_after);
	fg_json_kstr(&j, "note", o->note);
	fg_json_key(&j, "total_seconds");
	fg_json_double(&j, res->seconds, 1);
	fg_json_obj_close(&j);
	fg_json_kobj_open(&j, "params");
	fg_json_kstr(&j, "suites", fg_bench_suite_names(o->suites, sn,
							sizeof(sn)));
	fg_json_ki64(&j, "reps", o->reps);
	fg_json_key(&j, "seconds_per_run");
	fg_json_double(&j, o->duration, 2);
	fg_json_obj_close(&j);

	fg_json_karr_open(&j, "results");
	for (i = 0; i < res->n_cfg; i++) {
		const struct fg_bench_cfg *c = &res->cfg[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "key", c->key);
		fg_json_kstr(&j, "suite", c->suite);
		fg_json_kstr(&j, "system", c->ops->name);
		fg_json_kstr(&j, "label", c->label);
		fg_json_ku64(&j, "rules", c->rules);
		fg_json_kstr(&j, "path", kind_name(c->kind));
		fg_json_ki64(&j, "family", c->prof.family);
		fg_json_kstr(&j, "proto", c->prof.proto == IPPROTO_TCP ?
			     "tcp" : "udp");
		fg_json_ku64(&j, "known_flows", c->prof.known);
		fg_json_ki64(&j, "new_flow_pct", c->prof.new_pct);
		fg_json_kbool(&j, "syn_flood", c->prof.syn);
		if (c->flow_entries)
			fg_json_ku64(&j, "flow_entries", c->flow_entries);
		if (c->skipped) {
			fg_json_kstr(&j, "skipped", c->why);
			fg_json_obj_close(&j);
			continue;
		}
		fg_json_kstr(&j, "detail", c->detail);
		fg_json_key(&j, "load_seconds");
		fg_json_double(&j, c->load_s, 2);
		fg_bench_jstat(&j, "mpps", c->rate, c->n, 4);
		fg_bench_jstat(&j, "ratio_to_xdp_drop", c->ratio, c->n, 4);
		if (c->none >= 0)
			fg_bench_jstat(&j, "ratio_to_no_firewall",
				       c->vs_none, c->n, 4);
		if (c->kind == FG_BK_NEWFLOW)
			fg_bench_jstat(&j, "m_flows_per_s", c->flows_rate,
				       c->n, 4);
		if (c->prof.syn)
			fg_bench_jstat(&j, "established_delivered",
				       c->known_share,
			      c->n, 4);
		fg_json_karr_open(&j, "runs");
		for (k = 0; k < c->n; k++) {
			const struct fg_bench_run *r = &c->run[k];

			fg_json_obj_open(&j);
			fg_json_key(&j, "seconds");
			fg_json_double(&j, r->secs, 3);
			fg_json_ku64(&j, "sent", r->sent);
			fg_json_ku64(&j, "sent_known", r->sent_known);
			fg_json_ku64(&j, "dut_rx", r->rx);
			fg_json_ku64(&j, "dut_dropped", r->dropped);
			fg_json_ku64(&j, "passed", r->passed);
			fg_json_ku64(&j, "passed_known", r->passed_known);
			fg_json_ku64(&j, "flows_new", r->flows_new);
			fg_json_obj_close(&j);
		}
		fg_json_arr_close(&j);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	fg_json_karr_open(&j, "micro");
	for (i = 0; i < res->n_micro; i++) {
		const struct fg_bench_micro *m = &res->micro[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "key", m->key);
		fg_json_kstr(&j, "name", m->name);
		fg_bench_jstat(&j, "ns", m->ns, m->n, 1);
		if (!m->base)
			fg_bench_jstat(&j, "ns_over_bare", m->over, m->n, 1);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);

	if (res->insp.n_tput)
		fg_bench_insp_json(res, &j);

	fg_json_karr_open(&j, "goals");
	for (i = 0; i < res->n_goals; i++) {
		const struct fg_bench_goal *g = &res->goals[i];

		fg_json_obj_open(&j);
		fg_json_ki64(&j, "issue", g->issue);
		fg_json_kstr(&j, "goal", g->name);
		if (g->measured) {
			fg_json_key(&j, "value");
			fg_json_double(&j, g->value, 3);
		} else {
			fg_json_kstr(&j, "not_measured", g->why);
		}
		fg_json_key(&j, "limit");
		fg_json_double(&j, g->limit, 2);
		fg_json_kstr(&j, "unit", g->unit);
		fg_json_kbool(&j, "met", g->met);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_obj_close(&j);
	fg_json_end(&j);
	return ferror(f) ? -EIO : 0;
}

/* ---- chart ---- */

/*
 * A horizontal bar per measured row: median ratio to bare XDP drop, with
 * the min-max range as error bars, drawn by gnuplot from a data file.
 */
int fg_bench_plot(const struct fg_bench_result *res, const char *path)
{
	char dat[] = "/tmp/flowgate-bench-plot.XXXXXX", tr[40];
	const char *ext = strrchr(path, '.');
	int fd, i, n = 0, status;
	FILE *f, *g;

	fd = mkstemp(dat);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(dat);
		return -errno;
	}
	for (i = 0; i < res->n_cfg; i++) {
		const struct fg_bench_cfg *c = &res->cfg[i];
		struct fg_bench_stat s = fg_bench_stat(c->ratio, c->n);

		if (!s.n)
			continue;
		fprintf(f, "%d \"%s, %s (%s)\" %.4f %.4f %.4f\n", n++, c->label,
			traffic(c, tr, sizeof(tr)), kind_name(c->kind), s.med,
			s.min, s.max);
	}
	fclose(f);
	if (!n) {
		unlink(dat);
		return -ENODATA;
	}
	g = popen("gnuplot", "w");
	if (!g) {
		unlink(dat);
		return -errno;
	}
	fprintf(g, "set terminal %s size 1100,%d\n", !strcmp(ext, ".svg") ?
		"svg" : "png", 140 + 26 * n);
	fprintf(g, "set output '%s'\n", path);
	fprintf(g, "set title 'flowgate bench, %s: rate relative to bare XDP "
		"drop (median, min-max)'\n", res->env.date);
	fprintf(g, "set style fill solid 0.6\nset xrange [0:*]\n"
		"set yrange [-1:%d]\nset ytics nomirror\nset grid x\n"
		"set key off\nset lmargin 62\n"
		"plot '%s' using ($3/2):1:(0):3:($1-0.35):($1+0.35):ytic(2) "
		"with boxxyerror, '' using 3:1:4:5 with xerrorbars lc "
		"rgb 'black'\n", n, dat);
	status = pclose(g);
	unlink(dat);
	if (status == -1)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return WIFEXITED(status) && WEXITSTATUS(status) == 127 ?
		       -ENOENT : -EIO;
	return 0;
}
