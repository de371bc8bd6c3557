/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * render.h - what `status`, `stats` and `flows` print, as text tables or
 * one JSON document, from plain snapshots the daemon fills. Pure: no BPF,
 * no sockets, so tests can check every field.
 */
#ifndef FG_RENDER_H
#define FG_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <net/if.h>
#include <linux/types.h>

#include "flowgate.h"
#include "inspect.h"
#include "l7_engine.h"

struct fg_status_iface {
	char name[IF_NAMESIZE];
	__u32 ifindex;
	const char *xdp_mode;		/* "native", "generic", "none" */
	bool xdp_dispatcher;
	__u32 xdp_prog_id;
	__u32 tc_ingress_prog_id;
	__u32 tc_egress_prog_id;
};

struct fg_status_snap {
	pid_t pid;
	__u64 uptime_ns;
	const char *socket;
	const char *events;		/* NULL: no event output */
	const char *policy_file;
	char policy_hash[65];		/* SHA-256, hex */
	const char *default_action;
	__u32 rules;			/* the policy's rules */
	__u32 compiled_rules;		/* with failsafe rules */
	__u32 generation;
	__u64 reloads;
	long flow_entries;		/* < 0: could not count */
	__u32 flow_size;
	__u32 max_rules;
	const struct fg_status_iface *ifaces;
	size_t n_ifaces;
};

struct fg_stats_rule {
	const char *name;
	const char *action;		/* "allow", "deny" */
	bool is_default;
	bool failsafe;
	__u64 packets, bytes;		/* since start, across reloads */
};

struct fg_stats_iface {
	const char *name;
	__u32 ifindex;
	struct fg_iface_counters c;	/* zero if never seen */
};

struct fg_stats_snap {
	__u32 generation;
	const struct fg_stats_rule *rules;
	size_t n_rules;
	struct fg_counters cnt;
	const struct fg_stats_iface *ifaces;
	size_t n_ifaces;
	long flow_entries;		/* < 0: could not count */
	__u32 flow_size;
	__u64 gc_deleted;		/* flows removed by the daemon's GC */
	/* AF_XDP inspector workers (issue 4); n_insp 0: none running. */
	const struct fg_insp_queue_stats *insp;
	size_t n_insp;
	struct fg_insp_latency insp_lat;	/* time to verdict */
	const struct fg_l7_stats *l7;	/* the L7 engine's, NULL: none */
};

struct fg_flow_row {
	struct fg_flow_key k;
	struct fg_flow f;
	const char *rule;		/* NULL: unknown (old generation) */
	const char *iface;		/* NULL: unknown */
};

struct fg_flows_snap {
	const struct fg_flow_row *rows;	/* most recently active first */
	size_t n;			/* rows given */
	size_t total;			/* flows in the table */
	__u64 now_ns;			/* CLOCK_MONOTONIC, for age/idle */
};

/*
 * Flows the table lost to eviction (the kernel's LRU replacing entries when
 * it is full): every flow inserted (new or picked up mid-stream) either is
 * still there, was deleted (by the kernel or by our GC) or was evicted.
 * Entries can change while they are counted, so a transient negative is
 * clamped to 0.
 */
__u64 fg_flows_evicted(__u64 inserted, __u64 deleted, long entries);

void fg_render_status(FILE *f, const struct fg_status_snap *s, bool json,
		      bool pretty);
void fg_render_stats(FILE *f, const struct fg_stats_snap *s, bool json,
		     bool pretty);
void fg_render_flows(FILE *f, const struct fg_flows_snap *s, bool json,
		     bool pretty);

#endif /* FG_RENDER_H */
