// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_insp_report.c - what `flowgate bench --suite inspect` (bench_insp.c)
 * measured, as goals of issue 4, a report section (text or markdown) and a
 * JSON object "inspect". Every figure is the median [min-max] of the
 * rounds; ratios are taken within each round first.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "json.h"

#define P99_GOAL_US	200.0

/* Median of per-round counters. */
static double med_u64(const __u64 *v, int n)
{
	double d[FG_BENCH_MAX_REPS];
	int i;

	for (i = 0; i < n; i++)
		d[i] = (double)v[i];
	return fg_bench_stat(d, n).med;
}

void fg_bench_insp_goals(struct fg_bench_result *res)
{
	const struct fg_bench_insp *r = &res->insp;
	const struct fg_bench_insp_tput *t = &r->tput[0];
	const struct fg_bench_insp_http *h = &r->http[0];
	struct fg_bench_goal *g;
	char name[128];
	int i;

	g = fg_bench_goal_add(res, 4, "inspector throughput, 1 worker >= 50% "
			      "of the bare AF_XDP loop", 50, "%", true);
	fg_bench_goal_settle(g, 100 * fg_bench_stat(t->ratio, t->n).med);
	for (i = 0; i < r->n_lat; i++) {
		const struct fg_bench_insp_lat *l = &r->lat[i];

		if (strncmp(l->key, "flowgate", 8))
			continue;
		snprintf(name, sizeof(name), "time to verdict p99 at %u new "
			 "flows/s <= %.0f us", l->rate, P99_GOAL_US);
		g = fg_bench_goal_add(res, 4, name, P99_GOAL_US, "us", false);
		fg_bench_goal_settle(g, fg_bench_stat(l->p99, l->n).med);
	}
	g = fg_bench_goal_add(res, 4, "HTTP download, requests inspected >= "
			      "90% of no firewall", 90, "%", true);
	fg_bench_goal_settle(g, 100 * fg_bench_stat(h->ratio, h->n).med);
}

static void report_tput(const struct fg_bench_insp *r, FILE *f, bool md,
			int frame_len)
{
	char c1[48], c2[48], c3[48];
	int i;

	if (md)
		fprintf(f, "\n#### Throughput through one worker\n\n"
			"UDP, one flow, %d-byte frames. *Mpps* and *Gbit/s*: "
			"frames the sink received per second of the "
			"generator's time base (frame bytes without FCS); "
			"*vs bare*: over the bare loop in the same round; "
			"then per run (medians): *sent* by the generator, "
			"*XDP* frames din's XDP program saw, *worker rx* "
			"from the socket, *re-injected*, *XSK drops* (frames "
			"the kernel could not put into the socket: ring "
			"full, fill ring empty, other), *passed* to the "
			"sink.\n\n| path | Mpps | Gbit/s | vs bare | sent | "
			"XDP | worker rx | re-injected | XSK drops | passed "
			"|\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | "
			"---: | ---: | ---: |\n", frame_len);
	else
		fprintf(f, "\nInspector throughput, 1 worker (%d-byte UDP "
			"frames, 1 flow)\n  %-44s %-22s %-20s %-20s %10s %10s "
			"%10s %10s %10s %10s\n", frame_len, "path", "Mpps",
			"Gbit/s", "vs bare", "sent", "XDP", "worker rx",
			"reinjected", "XSK drops", "passed");
	for (i = 0; i < r->n_tput; i++) {
		const struct fg_bench_insp_tput *t = &r->tput[i];

		fg_bench_fmt(c1, sizeof(c1), t->mpps, t->n, 3, 1);
		fg_bench_fmt(c2, sizeof(c2), t->gbps, t->n, 3, 1);
		if (i)
			snprintf(c3, sizeof(c3), "-");
		else
			fg_bench_fmt(c3, sizeof(c3), t->ratio, t->n, 3, 1);
		fprintf(f, md ? "| %s | %s | %s | %s | %.0f | %.0f | %.0f | "
			"%.0f | %.0f | %.0f |\n" : "  %-44s %-22s %-20s %-20s "
			"%10.0f %10.0f %10.0f %10.0f %10.0f %10.0f\n",
			t->label, c1, c2, c3, med_u64(t->sent, t->n),
			med_u64(t->xdp_seen, t->n), med_u64(t->insp_rx, t->n),
			med_u64(t->insp_tx, t->n), med_u64(t->xsk_drop, t->n),
			med_u64(t->passed, t->n));
	}
}

static void report_lat(const struct fg_bench_insp *r, FILE *f, bool md)
{
	char c1[48], c2[48];
	int i;

	if (md)
		fprintf(f, "\n#### Time to verdict\n\nOne UDP datagram per "
			"new flow, carrying the allow pattern, at a fixed "
			"rate; microseconds from the XDP program's stamp to "
			"the verdict written into the flow table (flowgate), "
			"or to the frame seen by the worker (bare loop). "
			"1 us buckets, upper edges.\n\n| new flows/s | "
			"measured | p50 us | p99 us | samples | sent |\n"
			"| ---: | --- | ---: | ---: | ---: | ---: |\n");
	else
		fprintf(f, "\nTime to verdict, us (1 worker)\n  %8s %-40s "
			"%-18s %-18s %8s %8s\n", "flows/s", "measured", "p50",
			"p99", "samples", "sent");
	for (i = 0; i < r->n_lat; i++) {
		const struct fg_bench_insp_lat *l = &r->lat[i];

		fg_bench_fmt(c1, sizeof(c1), l->p50, l->n, 0, 1);
		fg_bench_fmt(c2, sizeof(c2), l->p99, l->n, 0, 1);
		fprintf(f, md ? "| %u | %s | %s | %s | %.0f | %.0f |\n" :
			"  %8u %-40s %-18s %-18s %8.0f %8.0f\n", l->rate,
			l->label, c1, c2, med_u64(l->samples, l->n),
			med_u64(l->sent, l->n));
	}
}

static void report_http(const struct fg_bench_insp *r, FILE *f, bool md)
{
	char c1[48], c2[48], c3[48], c4[48], c5[48];
	int i;

	if (md)
		fprintf(f, "\n#### HTTP download\n\nGET of large bodies on "
			"keep-alive connections; *Gbit/s* of response bodies; "
			"*vs none* over no firewall in the same round; "
			"*kernel packets / bytes*: share of what flowgate's "
			"hooks saw on the DUT interface (both directions) that "
			"the kernel decided, i.e. not redirected to the "
			"inspector.\n\n| system | Gbit/s | requests/s | "
			"vs none | kernel packets %% | kernel bytes %% | "
			"errors |\n"
			"| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
	else
		fprintf(f, "\nHTTP download\n  %-44s %-20s %-20s %-20s %-20s "
			"%-20s %6s\n", "system", "Gbit/s", "requests/s",
			"vs none", "kernel pkts %", "kernel bytes %", "errors");
	for (i = 0; i < r->n_http; i++) {
		const struct fg_bench_insp_http *h = &r->http[i];

		fg_bench_fmt(c1, sizeof(c1), h->gbps, h->n, 3, 1);
		fg_bench_fmt(c2, sizeof(c2), h->req_s, h->n, 0, 1);
		if (h->fw) {
			fg_bench_fmt(c3, sizeof(c3), h->ratio, h->n, 3, 1);
			fg_bench_fmt(c4, sizeof(c4), h->kpkts, h->n, 2, 100);
			fg_bench_fmt(c5, sizeof(c5), h->kbytes, h->n, 3, 100);
		} else {
			snprintf(c3, sizeof(c3), "-");
			snprintf(c4, sizeof(c4), "-");
			snprintf(c5, sizeof(c5), "-");
		}
		fprintf(f, md ? "| %s | %s | %s | %s | %s | %s | %.0f |\n" :
			"  %-44s %-20s %-20s %-20s %-20s %-20s %6.0f\n",
			h->label, c1, c2, c3, c4, c5,
			med_u64(h->errors, h->n));
	}
}

void fg_bench_insp_report(const struct fg_bench_result *res, FILE *f,
			  bool md)
{
	const struct fg_bench_insp *r = &res->insp;

	fprintf(f, md ? "\n### Inspector\n\n%s.\n" : "\nInspector: %s\n",
		r->detail);
	report_tput(r, f, md, res->frame_len);
	report_lat(r, f, md);
	report_http(r, f, md);
}

static void jcounts(struct fg_json *j, const char *key, const __u64 *v,
		    int n)
{
	int i;

	fg_json_karr_open(j, key);
	for (i = 0; i < n; i++)
		fg_json_u64(j, v[i]);
	fg_json_arr_close(j);
}

void fg_bench_insp_json(const struct fg_bench_result *res, struct fg_json *j)
{
	const struct fg_bench_insp *r = &res->insp;
	int i;

	fg_json_kobj_open(j, "inspect");
	fg_json_kstr(j, "detail", r->detail);
	fg_json_karr_open(j, "throughput");
	for (i = 0; i < r->n_tput; i++) {
		const struct fg_bench_insp_tput *t = &r->tput[i];

		fg_json_obj_open(j);
		fg_json_kstr(j, "key", t->key);
		fg_json_kstr(j, "label", t->label);
		fg_bench_jstat(j, "mpps", t->mpps, t->n, 4);
		fg_bench_jstat(j, "gbps", t->gbps, t->n, 4);
		if (!i)
			fg_bench_jstat(j, "ratio_to_bare", t->ratio, t->n, 4);
		jcounts(j, "sent", t->sent, t->n);
		jcounts(j, "xdp_seen", t->xdp_seen, t->n);
		jcounts(j, "worker_rx", t->insp_rx, t->n);
		jcounts(j, "reinjected", t->insp_tx, t->n);
		jcounts(j, "xsk_rx_dropped", t->xsk_drop, t->n);
		jcounts(j, "passed", t->passed, t->n);
		fg_json_obj_close(j);
	}
	fg_json_arr_close(j);
	fg_json_karr_open(j, "latency");
	for (i = 0; i < r->n_lat; i++) {
		const struct fg_bench_insp_lat *l = &r->lat[i];

		fg_json_obj_open(j);
		fg_json_kstr(j, "key", l->key);
		fg_json_kstr(j, "label", l->label);
		fg_json_ku64(j, "flows_per_s", l->rate);
		fg_bench_jstat(j, "p50_us", l->p50, l->n, 0);
		fg_bench_jstat(j, "p99_us", l->p99, l->n, 0);
		jcounts(j, "samples", l->samples, l->n);
		jcounts(j, "sent", l->sent, l->n);
		fg_json_obj_close(j);
	}
	fg_json_arr_close(j);
	fg_json_karr_open(j, "http");
	for (i = 0; i < r->n_http; i++) {
		const struct fg_bench_insp_http *h = &r->http[i];

		fg_json_obj_open(j);
		fg_json_kstr(j, "key", h->key);
		fg_json_kstr(j, "label", h->label);
		fg_bench_jstat(j, "gbps", h->gbps, h->n, 4);
		fg_bench_jstat(j, "requests_per_s", h->req_s, h->n, 1);
		if (h->fw) {
			fg_bench_jstat(j, "ratio_to_none", h->ratio, h->n, 4);
			fg_bench_jstat(j, "kernel_packet_share", h->kpkts,
				       h->n, 5);
			fg_bench_jstat(j, "kernel_byte_share", h->kbytes,
				       h->n, 5);
			jcounts(j, "packets", h->pkts, h->n);
			jcounts(j, "redirected", h->redirected, h->n);
		}
		jcounts(j, "requests", h->requests, h->n);
		jcounts(j, "errors", h->errors, h->n);
		fg_json_obj_close(j);
	}
	fg_json_arr_close(j);
	fg_json_obj_close(j);
}
