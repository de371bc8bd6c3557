/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_maps.h - every map of the fast path. Both objects (XDP and TC) include
 * this file, so their map definitions are identical and user space can point
 * the XDP object's maps at the TC object's (bpf_map__reuse_fd).
 *
 * Sizes marked "set by user space" are placeholders that datapath.c replaces
 * before loading (bpf_map__set_max_entries).
 */
#ifndef FG_BPF_MAPS_H
#define FG_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flowgate.h"

/* Control block: generation, limits, per-slot config. mmap()ed by user
 * space; read once per packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fg_ctl);
	__uint(map_flags, BPF_F_MMAPABLE);
} fg_ctl SEC(".maps");

/* Classifier trie of one policy slot. User space creates one per install
 * with max_entries = its entry count (the trie's size is not part of the
 * inner-map compatibility check). */
struct fg_cls_trie_inner {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1);
	/* Sizes, not BTF types: clang 14 emits these structs as forward
	 * declarations inside a map-in-map template, which libbpf rejects. */
	__uint(key_size, sizeof(struct fg_lpm_key));
	__uint(value_size, sizeof(struct fg_class));
	__uint(map_flags, BPF_F_NO_PREALLOC);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);		/* slot = generation & 1 */
	__type(key, __u32);
	__array(values, struct fg_cls_trie_inner);
} fg_cls_trie SEC(".maps");

/* Rule bitmap words of one slot. BPF_F_INNER_MAP: each install may size its
 * pool differently; the verifier then bounds-checks lookups at run time.
 * BPF_F_MMAPABLE: user space fills millions of words with one memcpy. */
struct fg_cls_pool_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(map_flags, BPF_F_INNER_MAP | BPF_F_MMAPABLE);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct fg_cls_pool_inner);
} fg_cls_pool SEC(".maps");

/* Rule metadata, index slot * (max_rules + 1) + id. Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * (FG_MAX_RULES_DEFAULT + 1));
	__type(key, __u32);
	__type(value, struct fg_rule_meta);
} fg_rules SEC(".maps");

/* Per-rule counters, same index as fg_rules. Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * (FG_MAX_RULES_DEFAULT + 1));
	__type(key, __u32);
	__type(value, struct fg_rule_counters);
} fg_rule_cnt SEC(".maps");

/* Flow tables, IPv6 (wide key) and IPv4 (compact key), each sized by user
 * space. LRU: a full table evicts the least recently used entry; a packet
 * whose flow was evicted is classified again (never skips policy). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FG_FLOWS_DEFAULT);
	__type(key, struct fg_flow_key);
	__type(value, struct fg_flow);
} fg_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FG_FLOWS_DEFAULT);
	__type(key, struct fg_flow_key4);
	__type(value, struct fg_flow);
} fg_flows4 SEC(".maps");

/* Verdicts of first fragments, for the later fragments. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, FG_FRAGS_DEFAULT);
	__type(key, struct fg_frag_key);
	__type(value, struct fg_frag);
} fg_frags SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fg_counters);
} fg_stats SEC(".maps");

/*
 * Per-interface counters, only for interfaces user space registered
 * (fg_dp_add_iface). ifindex -> counter slot + 1 (0: not counted) through
 * an array for the usual small ifindexes, a hash only for larger ones: a
 * hash lookup on every packet cost ~20 ns here, the array ~2 ns.
 */
#define FG_IFINDEX_DIRECT	65536

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, FG_IFINDEX_DIRECT);
	__type(key, __u32);
	__type(value, __u32);
} fg_iface_idx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FG_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} fg_iface_idx_big SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, FG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct fg_iface_counters);
} fg_iface_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} fg_events SEC(".maps");

/* Event token bucket, one per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fg_ratelimit);
} fg_evrl SEC(".maps");

#endif /* FG_BPF_MAPS_H */
