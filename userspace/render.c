// SPDX-License-Identifier: GPL-2.0-only
/*
 * render.c - status/stats/flows as text tables or JSON (see render.h).
 */
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "cli.h"
#include "format.h"
#include "json.h"
#include "l7_ident.h"
#include "render.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

__u64 fg_flows_evicted(__u64 inserted, __u64 deleted, long entries)
{
	__u64 gone = deleted + (entries > 0 ? (__u64)entries : 0);

	return inserted > gone ? inserted - gone : 0;
}

static double percent(long n, __u32 size)
{
	return size && n > 0 ? 100.0 * (double)n / size : 0.0;
}

/* ---- status ---- */

static void kid(struct fg_json *j, const char *key, __u32 id)
{
	if (id)
		fg_json_ku64(j, key, id);
	else
		fg_json_knull(j, key);
}

static void status_json(FILE *f, const struct fg_status_snap *s, bool pretty)
{
	struct fg_json j;
	size_t i;

	fg_json_init(&j, f, pretty);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "version", FG_VERSION);
	fg_json_ku64(&j, "pid", s->pid);
	fg_json_key(&j, "uptime_seconds");
	fg_json_double(&j, s->uptime_ns / 1e9, 3);
	fg_json_kstr(&j, "socket", s->socket);
	fg_json_kstr(&j, "events", s->events);
	fg_json_ku64(&j, "generation", s->generation);
	fg_json_ku64(&j, "reloads", s->reloads);
	fg_json_kobj_open(&j, "policy");
	fg_json_kstr(&j, "file", s->policy_file);
	fg_json_kstr(&j, "hash", s->policy_hash);
	fg_json_kstr(&j, "hash_algorithm", "sha256");
	fg_json_ku64(&j, "rules", s->rules);
	fg_json_ku64(&j, "compiled_rules", s->compiled_rules);
	fg_json_kstr(&j, "default", s->default_action);
	fg_json_obj_close(&j);
	fg_json_ku64(&j, "max_rules", s->max_rules);
	if (s->flow_entries >= 0)
		fg_json_ki64(&j, "flow_entries", s->flow_entries);
	else
		fg_json_knull(&j, "flow_entries");
	fg_json_ku64(&j, "flow_table_size", s->flow_size);
	fg_json_key(&j, "flow_fill_percent");
	fg_json_double(&j, percent(s->flow_entries, s->flow_size), 2);
	fg_json_karr_open(&j, "interfaces");
	for (i = 0; i < s->n_ifaces; i++) {
		const struct fg_status_iface *it = &s->ifaces[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "name", it->name);
		fg_json_ku64(&j, "ifindex", it->ifindex);
		fg_json_kstr(&j, "xdp_mode", it->xdp_mode);
		fg_json_kbool(&j, "xdp_dispatcher", it->xdp_dispatcher);
		kid(&j, "xdp_prog_id", it->xdp_prog_id);
		kid(&j, "tc_ingress_prog_id", it->tc_ingress_prog_id);
		kid(&j, "tc_egress_prog_id", it->tc_egress_prog_id);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_obj_close(&j);
	fg_json_end(&j);
}

static const char *id_str(__u32 id, char *buf, size_t len)
{
	if (!id)
		return "-";
	snprintf(buf, len, "%u", id);
	return buf;
}

static void status_text(FILE *f, const struct fg_status_snap *s)
{
	static const char *const hdr[] = {
		"interface", ">ifindex", "xdp", "dispatcher", ">xdp prog",
		">tc ingress prog", ">tc egress prog",
	};
	char up[32], b1[16], b2[16], b3[16], b4[16];
	struct fg_table t;
	size_t i;

	fprintf(f, "flowgate %s: pid %d, up %s, socket %s\n", FG_VERSION,
		(int)s->pid, fg_fmt_duration(s->uptime_ns, up, sizeof(up)),
		s->socket);
	fprintf(f, "policy      %s\n", s->policy_file);
	fprintf(f, "sha256      %s\n", s->policy_hash);
	fprintf(f, "rules       %u (%u compiled, at most %u), default %s\n",
		s->rules, s->compiled_rules, s->max_rules, s->default_action);
	fprintf(f, "generation  %u (%llu reload%s)\n", s->generation,
		(unsigned long long)s->reloads, s->reloads == 1 ? "" : "s");
	if (s->flow_entries >= 0)
		fprintf(f, "flow table  %ld / %u entries (%.1f%%)\n",
			s->flow_entries, s->flow_size,
			percent(s->flow_entries, s->flow_size));
	else
		fprintf(f, "flow table  ? / %u entries\n", s->flow_size);
	fprintf(f, "events      %s\n", s->events ? s->events : "off");
	fputc('\n', f);

	if (fg_table_init(&t, 7, hdr))
		goto out;
	for (i = 0; i < s->n_ifaces; i++) {
		const struct fg_status_iface *it = &s->ifaces[i];
		const char *row[7];

		snprintf(b1, sizeof(b1), "%u", it->ifindex);
		row[0] = it->name;
		row[1] = b1;
		row[2] = it->xdp_mode;
		row[3] = !strcmp(it->xdp_mode, "none") ? "-" :
			 it->xdp_dispatcher ? "yes" : "no";
		row[4] = id_str(it->xdp_prog_id, b2, sizeof(b2));
		row[5] = id_str(it->tc_ingress_prog_id, b3, sizeof(b3));
		row[6] = id_str(it->tc_egress_prog_id, b4, sizeof(b4));
		fg_table_add(&t, row);
	}
	fg_table_print(&t, f, "");
out:
	fg_table_free(&t);
}

void fg_render_status(FILE *f, const struct fg_status_snap *s, bool json,
		      bool pretty)
{
	if (json)
		status_json(f, s, pretty);
	else
		status_text(f, s);
}

/* ---- stats ---- */

static void hook_json(struct fg_json *j, const char *key,
		      const struct fg_iface_counters *c, int dir)
{
	fg_json_kobj_open(j, key);
	fg_json_ku64(j, "packets", c->packets[dir]);
	fg_json_ku64(j, "bytes", c->bytes[dir]);
	fg_json_ku64(j, "dropped", c->dropped[dir]);
	fg_json_obj_close(j);
}

/* "inspector": totals, then one object per worker queue. */
static void insp_json(struct fg_json *j, const struct fg_stats_snap *s)
{
	struct fg_insp_stats sum = { 0 };
	size_t i;

	fg_json_kobj_open(j, "inspector");
	for (i = 0; i < s->n_insp; i++) {
		const struct fg_insp_stats *st = &s->insp[i].st;
#define FG_X_INSP_SUM(f, name) sum.f += st->f;
		FG_INSP_STATS(FG_X_INSP_SUM)
#undef FG_X_INSP_SUM
	}
#define FG_X_INSP_JSON(f, name) fg_json_ku64(j, name, sum.f);
	FG_INSP_STATS(FG_X_INSP_JSON)
	fg_json_kobj_open(j, "verdict_latency_us");
	fg_json_ku64(j, "samples", s->insp_lat.samples);
	fg_json_ku64(j, "p50", s->insp_lat.p50_us);
	fg_json_ku64(j, "p99", s->insp_lat.p99_us);
	fg_json_obj_close(j);
	if (s->l7) {
		fg_json_kobj_open(j, "l7_engine");
#define FG_X_L7_JSON(f, name) fg_json_ku64(j, name, s->l7->f);
		FG_L7_STATS(FG_X_L7_JSON)
#undef FG_X_L7_JSON
		fg_json_obj_close(j);
	}
	fg_json_karr_open(j, "queues");
	for (i = 0; i < s->n_insp; i++) {
		const struct fg_insp_queue_stats *q = &s->insp[i];

		fg_json_obj_open(j);
		fg_json_kstr(j, "device", q->device);
		fg_json_ku64(j, "queue", q->queue);
		fg_json_ku64(j, "frames", q->frames);
		if (q->cpu >= 0)
			fg_json_ki64(j, "cpu", q->cpu);
		else
			fg_json_knull(j, "cpu");
		{
			const struct fg_insp_stats *st = &q->st;
#define FG_X_INSP_QJSON(f, name) fg_json_ku64(j, name, st->f);
			FG_INSP_STATS(FG_X_INSP_QJSON)
#undef FG_X_INSP_QJSON
		}
		fg_json_obj_close(j);
	}
#undef FG_X_INSP_JSON
	fg_json_arr_close(j);
	fg_json_obj_close(j);
}

static void stats_json(FILE *f, const struct fg_stats_snap *s, bool pretty)
{
	__u64 inserted = s->cnt.cnt[FG_CNT_FLOW_NEW] + s->cnt.cnt[FG_CNT_FLOW_PICKUP];
	__u64 deleted = s->cnt.cnt[FG_CNT_FLOW_DELETE] + s->gc_deleted;
	struct fg_json j;
	size_t i;

	fg_json_init(&j, f, pretty);
	fg_json_obj_open(&j);
	fg_json_ku64(&j, "generation", s->generation);
	fg_json_karr_open(&j, "rules");
	for (i = 0; i < s->n_rules; i++) {
		const struct fg_stats_rule *r = &s->rules[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "name", r->name);
		fg_json_kstr(&j, "action", r->action);
		fg_json_kbool(&j, "default", r->is_default);
		fg_json_kbool(&j, "failsafe", r->failsafe);
		fg_json_ku64(&j, "packets", r->packets);
		fg_json_ku64(&j, "bytes", r->bytes);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_kobj_open(&j, "verdicts");
	for (i = 0; i < FG_VERDICT_MAX; i++)
		fg_json_ku64(&j, fg_verdict_name(i), s->cnt.verdict[i]);
	fg_json_obj_close(&j);
	fg_json_kobj_open(&j, "drops");
	for (i = 0; i < FG_DROP_MAX; i++)
		fg_json_ku64(&j, fg_drop_name(i), s->cnt.drop[i]);
	fg_json_obj_close(&j);
	fg_json_kobj_open(&j, "counters");
	for (i = 0; i < FG_CNT_MAX; i++)
		fg_json_ku64(&j, fg_counter_name(i), s->cnt.cnt[i]);
	fg_json_ku64(&j, "flow_gc_deleted", s->gc_deleted);
	fg_json_obj_close(&j);
	fg_json_karr_open(&j, "interfaces");
	for (i = 0; i < s->n_ifaces; i++) {
		const struct fg_stats_iface *it = &s->ifaces[i];

		fg_json_obj_open(&j);
		fg_json_kstr(&j, "name", it->name);
		fg_json_ku64(&j, "ifindex", it->ifindex);
		hook_json(&j, "ingress", &it->c, FG_HOOK_INGRESS);
		hook_json(&j, "egress", &it->c, FG_HOOK_EGRESS);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_kobj_open(&j, "flows");
	if (s->flow_entries >= 0)
		fg_json_ki64(&j, "entries", s->flow_entries);
	else
		fg_json_knull(&j, "entries");
	fg_json_ku64(&j, "size", s->flow_size);
	fg_json_ku64(&j, "inserted", inserted);
	fg_json_ku64(&j, "deleted", deleted);
	fg_json_ku64(&j, "evicted", fg_flows_evicted(inserted, deleted,
						     s->flow_entries));
	fg_json_obj_close(&j);
	if (s->n_insp)
		insp_json(&j, s);
	fg_json_obj_close(&j);
	fg_json_end(&j);
}

static const char *u64s(__u64 v, char *buf, size_t len)
{
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* A two-column name/value table of the non-zero entries (all if !skip0). */
static void name_values(FILE *f, const char *title, const char *col,
			const char *(*name)(unsigned int), const __u64 *v,
			size_t n, bool skip0)
{
	const char *hdr[2] = { col, ">packets" };
	struct fg_table t;
	size_t i, shown = 0;
	char b[24];

	fprintf(f, "\n%s:\n", title);
	if (fg_table_init(&t, 2, hdr))
		goto out;
	for (i = 0; i < n; i++) {
		const char *row[2] = { name(i), u64s(v[i], b, sizeof(b)) };

		if (skip0 && !v[i])
			continue;
		fg_table_add(&t, row);
		shown++;
	}
	if (shown)
		fg_table_print(&t, f, "  ");
	if (skip0)
		fprintf(f, "  %s: 0\n", shown ? "every other reason" : "every reason");
out:
	fg_table_free(&t);
}

/* Inspector: one row per worker queue, the non-zero counters only. */
static void insp_text(FILE *f, const struct fg_stats_snap *s)
{
	size_t i;

	fprintf(f, "\ninspector:\n");
	if (s->insp_lat.samples)
		fprintf(f, "  time to verdict: p50 %u us, p99 %u us (%llu verdicts)\n",
			s->insp_lat.p50_us, s->insp_lat.p99_us,
			(unsigned long long)s->insp_lat.samples);
	if (s->l7) {
		const char *sep = "";

		fprintf(f, "  L7 engine:");
#define FG_X_L7_TEXT(fld, name)						\
		if (s->l7->fld) {					\
			fprintf(f, "%s %s %llu", sep, name,		\
				(unsigned long long)s->l7->fld);	\
			sep = ",";					\
		}
		FG_L7_STATS(FG_X_L7_TEXT)
#undef FG_X_L7_TEXT
		fprintf(f, "%s\n", *sep ? "" : " idle");
	}
	for (i = 0; i < s->n_insp; i++) {
		const struct fg_insp_stats *st = &s->insp[i].st;
		const char *sep = "";

		fprintf(f, "  %s queue %u", s->insp[i].device,
			s->insp[i].queue);
		if (s->insp[i].cpu >= 0)
			fprintf(f, " (CPU %d)", s->insp[i].cpu);
		fprintf(f, ":");
#define FG_X_INSP_TEXT(fld, name)					\
		if (st->fld) {						\
			fprintf(f, "%s %s %llu", sep, name,		\
				(unsigned long long)st->fld);		\
			sep = ",";					\
		}
		FG_INSP_STATS(FG_X_INSP_TEXT)
#undef FG_X_INSP_TEXT
		fprintf(f, "%s\n", *sep ? "" : " idle");
	}
}

static void stats_text(FILE *f, const struct fg_stats_snap *s)
{
	static const char *const rhdr[] = { "rule", "action", ">packets", ">bytes" };
	static const char *const ihdr[] = {
		"interface", ">in packets", ">in bytes", ">in dropped",
		">out packets", ">out bytes", ">out dropped",
	};
	static const char *const chdr[] = { "counter", ">value" };
	__u64 inserted = s->cnt.cnt[FG_CNT_FLOW_NEW] + s->cnt.cnt[FG_CNT_FLOW_PICKUP];
	__u64 deleted = s->cnt.cnt[FG_CNT_FLOW_DELETE] + s->gc_deleted;
	char b[7][24];
	struct fg_table t;
	size_t i;

	fprintf(f, "rules (generation %u; counts since start, across reloads):\n",
		s->generation);
	if (!fg_table_init(&t, 4, rhdr)) {
		for (i = 0; i < s->n_rules; i++) {
			const struct fg_stats_rule *r = &s->rules[i];
			const char *row[4] = {
				r->name, r->action,
				u64s(r->packets, b[0], sizeof(b[0])),
				u64s(r->bytes, b[1], sizeof(b[1])),
			};

			fg_table_add(&t, row);
		}
		fg_table_print(&t, f, "  ");
	}
	fg_table_free(&t);

	name_values(f, "verdicts", "verdict", fg_verdict_name, s->cnt.verdict,
		    FG_VERDICT_MAX, false);
	name_values(f, "drops", "reason", fg_drop_name, s->cnt.drop,
		    FG_DROP_MAX, true);

	fprintf(f, "\ncounters:\n");
	if (!fg_table_init(&t, 2, chdr)) {
		for (i = 0; i < FG_CNT_MAX; i++) {
			const char *row[2] = {
				fg_counter_name(i),
				u64s(s->cnt.cnt[i], b[0], sizeof(b[0])),
			};

			fg_table_add(&t, row);
		}
		fg_table_print(&t, f, "  ");
	}
	fg_table_free(&t);

	fprintf(f, "\ninterfaces:\n");
	if (!fg_table_init(&t, 7, ihdr)) {
		for (i = 0; i < s->n_ifaces; i++) {
			const struct fg_iface_counters *c = &s->ifaces[i].c;
			const char *row[7] = {
				s->ifaces[i].name,
				u64s(c->packets[0], b[0], 24),
				u64s(c->bytes[0], b[1], 24),
				u64s(c->dropped[0], b[2], 24),
				u64s(c->packets[1], b[3], 24),
				u64s(c->bytes[1], b[4], 24),
				u64s(c->dropped[1], b[5], 24),
			};

			fg_table_add(&t, row);
		}
		fg_table_print(&t, f, "  ");
	}
	fg_table_free(&t);

	fprintf(f, "\nflows:\n");
	if (s->flow_entries >= 0)
		fprintf(f, "  entries   %ld / %u\n", s->flow_entries, s->flow_size);
	else
		fprintf(f, "  entries   ? / %u\n", s->flow_size);
	fprintf(f, "  inserted  %llu\n  deleted   %llu\n  evicted   %llu\n",
		(unsigned long long)inserted, (unsigned long long)deleted,
		(unsigned long long)fg_flows_evicted(inserted, deleted,
						     s->flow_entries));
	if (s->n_insp)
		insp_text(f, s);
}

void fg_render_stats(FILE *f, const struct fg_stats_snap *s, bool json,
		     bool pretty)
{
	if (json)
		stats_json(f, s, pretty);
	else
		stats_text(f, s);
}

/* ---- flows ---- */

/* The flow's initiator and responder, from its normalised key. */
static void flow_sides(const struct fg_flow_row *r, const __u8 **ia,
		       __u16 *ip, const __u8 **ra, __u16 *rp)
{
	bool init_lo = r->f.flags & FG_FLOW_F_INIT_LO;

	*ia = init_lo ? r->k.addr_lo : r->k.addr_hi;
	*ra = init_lo ? r->k.addr_hi : r->k.addr_lo;
	*ip = ntohs(init_lo ? r->k.port_lo : r->k.port_hi);
	*rp = ntohs(init_lo ? r->k.port_hi : r->k.port_lo);
}

static __u64 since(__u64 now, __u64 t)
{
	return now > t ? now - t : 0;
}

static void endpoint_json(struct fg_json *j, const char *key,
			  const struct fg_flow_row *r, const __u8 *addr,
			  __u16 port)
{
	char a[FG_ADDR_STRLEN];

	fg_json_kobj_open(j, key);
	fg_json_kstr(j, "addr", fg_fmt_addr(r->k.family, addr, a, sizeof(a)));
	if (fg_proto_has_ports(r->k.proto))
		fg_json_ku64(j, "port", port);
	else
		fg_json_knull(j, "port");
	fg_json_obj_close(j);
}

/* The flow's application, NULL for a flow that was never inspected (its
 * app_id is meaningless). An inspected one not (yet) identified is
 * "unknown". */
static const char *flow_app(const struct fg_flow_row *r)
{
	if (r->f.inspect_state == FG_INSPECT_NONE && r->f.app_id == FG_APP_UNKNOWN)
		return NULL;
	return fg_app_name(r->f.app_id);
}

static void flows_json(FILE *f, const struct fg_flows_snap *s, bool pretty)
{
	struct fg_json j;
	char p[16];
	size_t i;

	fg_json_init(&j, f, pretty);
	fg_json_arr_open(&j);
	for (i = 0; i < s->n; i++) {
		const struct fg_flow_row *r = &s->rows[i];
		const __u8 *ia, *ra;
		__u16 ip, rp;

		flow_sides(r, &ia, &ip, &ra, &rp);
		fg_json_obj_open(&j);
		fg_json_kstr(&j, "family", fg_family_name(r->k.family));
		fg_json_kstr(&j, "proto", fg_fmt_proto(r->k.proto, p, sizeof(p)));
		endpoint_json(&j, "initiator", r, ia, ip);
		endpoint_json(&j, "responder", r, ra, rp);
		if (r->k.proto == IPPROTO_ICMP || r->k.proto == IPPROTO_ICMPV6)
			fg_json_ku64(&j, "icmp_id", ntohs(r->k.port_lo));
		fg_json_kstr(&j, "state", fg_state_name(r->f.state));
		fg_json_kstr(&j, "verdict", fg_action_name(r->f.action));
		fg_json_kstr(&j, "rule", r->rule);
		fg_json_kstr(&j, "app", flow_app(r));
		fg_json_kstr(&j, "inspect", fg_inspect_state_name(r->f.inspect_state));
		fg_json_ku64(&j, "generation", r->f.gen);
		fg_json_kstr(&j, "iface", r->iface);
		fg_json_kbool(&j, "pickup", r->f.flags & FG_FLOW_F_PICKUP);
		/* allowed only because of monitor mode */
		fg_json_kbool(&j, "monitor", r->f.flags & FG_FLOW_F_MONITOR);
		fg_json_kobj_open(&j, "packets");
		fg_json_ku64(&j, "orig", r->f.packets[FG_DIR_ORIG]);
		fg_json_ku64(&j, "reply", r->f.packets[FG_DIR_REPLY]);
		fg_json_obj_close(&j);
		fg_json_kobj_open(&j, "bytes");
		fg_json_ku64(&j, "orig", r->f.bytes[FG_DIR_ORIG]);
		fg_json_ku64(&j, "reply", r->f.bytes[FG_DIR_REPLY]);
		fg_json_obj_close(&j);
		fg_json_key(&j, "age_seconds");
		fg_json_double(&j, since(s->now_ns, r->f.created_ns) / 1e9, 3);
		fg_json_key(&j, "idle_seconds");
		fg_json_double(&j, since(s->now_ns, r->f.last_ns) / 1e9, 3);
		fg_json_obj_close(&j);
	}
	fg_json_arr_close(&j);
	fg_json_end(&j);
}

static void flows_text(FILE *f, const struct fg_flows_snap *s)
{
	static const char *const hdr[] = {
		"proto", "initiator", "responder", "state", "verdict", "rule",
		"app", "inspect", ">packets o/r", ">bytes o/r", ">age", ">idle",
	};
	char p[16], ie[FG_EP_STRLEN], re[FG_EP_STRLEN], pk[48], by[48];
	char age[24], idle[24];
	struct fg_table t;
	size_t i;

	if (fg_table_init(&t, ARRAY_SIZE(hdr), hdr))
		goto out;
	for (i = 0; i < s->n; i++) {
		const struct fg_flow_row *r = &s->rows[i];
		bool ports = fg_proto_has_ports(r->k.proto);
		const __u8 *ia, *ra;
		const char *row[ARRAY_SIZE(hdr)], *app = flow_app(r);
		__u16 ip, rp;

		flow_sides(r, &ia, &ip, &ra, &rp);
		snprintf(pk, sizeof(pk), "%llu/%llu",
			 (unsigned long long)r->f.packets[0],
			 (unsigned long long)r->f.packets[1]);
		snprintf(by, sizeof(by), "%llu/%llu",
			 (unsigned long long)r->f.bytes[0],
			 (unsigned long long)r->f.bytes[1]);
		row[0] = fg_fmt_proto(r->k.proto, p, sizeof(p));
		row[1] = fg_fmt_endpoint(r->k.family, ia, ip, ports, ie, sizeof(ie));
		row[2] = fg_fmt_endpoint(r->k.family, ra, rp, ports, re, sizeof(re));
		row[3] = fg_state_name(r->f.state);
		row[4] = r->f.flags & FG_FLOW_F_MONITOR ? "would_deny" :
			 fg_action_name(r->f.action);
		row[5] = r->rule ? r->rule : "?";
		row[6] = app ? app : "-";
		row[7] = r->f.inspect_state == FG_INSPECT_NONE ? "-" :
			 fg_inspect_state_name(r->f.inspect_state);
		row[8] = pk;
		row[9] = by;
		row[10] = fg_fmt_duration(since(s->now_ns, r->f.created_ns), age, sizeof(age));
		row[11] = fg_fmt_duration(since(s->now_ns, r->f.last_ns), idle, sizeof(idle));
		fg_table_add(&t, row);
	}
	if (s->n)
		fg_table_print(&t, f, "");
out:
	fg_table_free(&t);
	if (s->n < s->total)
		fprintf(f, "%zu of %zu flows shown, most recently active first "
			   "(--limit N, or --limit 0 for all)\n", s->n, s->total);
	else
		fprintf(f, "%zu flow%s\n", s->total, s->total == 1 ? "" : "s");
}

void fg_render_flows(FILE *f, const struct fg_flows_snap *s, bool json,
		     bool pretty)
{
	if (json)
		flows_json(f, s, pretty);
	else
		flows_text(f, s);
}
