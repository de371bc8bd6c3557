/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * datapath.h - load the BPF objects, own their maps, install compiled
 * policies atomically and read counters/flows back. Knows nothing about
 * interfaces: attaching is attach.c's job.
 *
 * Object layout: the TC object (tc/flowgate_tc.bpf.c) is loaded first and
 * owns every map. XDP objects (one per interface, so libxdp can load each into
 * its own dispatcher) are opened with their maps pointed at the TC object's
 * map fds (bpf_map__reuse_fd), so all hooks share one flow table, one policy
 * and one set of counters.
 */
#ifndef FG_DATAPATH_H
#define FG_DATAPATH_H

#include <stdbool.h>
#include <linux/types.h>

#include "flowgate.h"
#include "compile.h"

struct bpf_object;
struct bpf_program;
struct flowgate_tc_bpf;
struct flowgate_xdp_bpf;

struct fg_dp_opts {
	__u32 max_rules;	/* 0 = FG_MAX_RULES_DEFAULT */
	__u32 flow_entries;	/* per family table; 0 = FG_FLOWS_DEFAULT */
	__u32 frag_entries;	/* 0 = FG_FRAGS_DEFAULT */
	__u32 event_rate;	/* events/s per CPU; 0 = 100 */
	__u32 event_burst;	/* 0 = 200 */
};

struct fg_datapath {
	struct flowgate_tc_bpf *tc;	/* owns the maps */
	struct fg_ctl *ctl;		/* mmap of the control block */
	__u32 max_rules;
	__u32 flow_entries;
	int nr_cpus;
	/* Interfaces with counters: slot i counts iface_ifindex[i]. */
	__u32 iface_ifindex[FG_MAX_IFACES];
	__u32 n_ifaces;
};

/* Open, size and load the map-owning TC object. Installs no policy: until
 * fg_dp_install() the programs drop every IP packet (generation 0). */
int fg_dp_open(struct fg_datapath *dp, const struct fg_dp_opts *opts);
/* Length to mmap an mmapable map of `bytes` of values (whole pages). */
size_t fg_dp_mmap_len(size_t bytes);
void fg_dp_close(struct fg_datapath *dp);

/* Open an XDP skeleton sharing dp's maps. Not loaded: the caller loads it
 * (libxdp does, through xdp_program__from_bpf_obj), or calls
 * fg_dp_xdp_load() for tests. */
int fg_dp_xdp_open(struct fg_datapath *dp, struct flowgate_xdp_bpf **out);
int fg_dp_xdp_load(struct flowgate_xdp_bpf *skel);
void fg_dp_xdp_close(struct flowgate_xdp_bpf *skel);

/* Program fds of the loaded TC object. */
int fg_dp_tc_ingress_fd(const struct fg_datapath *dp);
int fg_dp_tc_egress_fd(const struct fg_datapath *dp);

/*
 * Install `c` into the inactive slot (fresh inner maps, rule metadata, zeroed
 * rule counters, slot config) and publish it with one generation store. On
 * error nothing visible to packets changed. Returns the new generation (> 0)
 * or -errno.
 */
int fg_dp_install(struct fg_datapath *dp, const struct fg_compiled *c);

/* Current generation (0 = none) and its slot. */
__u32 fg_dp_generation(const struct fg_datapath *dp);

/* Counters summed over CPUs. */
int fg_dp_read_counters(const struct fg_datapath *dp, struct fg_counters *out);
/* Per-rule counters of slot (gen & 1) for ids 0..n_rules (n_rules+1 rows). */
int fg_dp_read_rule_counters(const struct fg_datapath *dp, __u32 gen,
			     __u32 n_rules, struct fg_rule_counters *out);
/* Per-interface counters; -ENOENT if the interface never saw a packet. */
int fg_dp_read_iface_counters(const struct fg_datapath *dp, __u32 ifindex,
			      struct fg_iface_counters *out);
/* Make ifindex known to the per-interface counters (zeroed). */
int fg_dp_add_iface(struct fg_datapath *dp, __u32 ifindex);

/* Walk the flow tables (IPv4, then IPv6; IPv4 keys are presented in the
 * wide form). cb returns non-zero to stop (that value is returned).
 * Entries may change while walking. */
typedef int (*fg_flow_cb)(const struct fg_flow_key *k, const struct fg_flow *f,
			  void *arg);
int fg_dp_flows_walk(const struct fg_datapath *dp, fg_flow_cb cb, void *arg);
/* One flow by its wide key (struct fg_flow_key, IPv4 or IPv6): read it, or
 * write it (flags: BPF_EXIST, BPF_NOEXIST or BPF_ANY). The key picks the
 * table of its family. -ENOENT if absent, -EAFNOSUPPORT for another family. */
int fg_dp_flow_lookup(const struct fg_datapath *dp,
		      const struct fg_flow_key *k, struct fg_flow *out);
int fg_dp_flow_update(const struct fg_datapath *dp,
		      const struct fg_flow_key *k, const struct fg_flow *f,
		      __u64 flags);
/* Number of entries in both flow tables (walks them). */
long fg_dp_flows_count(const struct fg_datapath *dp);
/* Delete flows idle longer than their state's timeout in the current
 * generation's config. Returns the number deleted or -errno. */
long fg_dp_flows_gc(struct fg_datapath *dp, __u64 now_ns);

/* Ring buffer fd for events (struct fg_event records). */
int fg_dp_events_fd(const struct fg_datapath *dp);

#endif /* FG_DATAPATH_H */
