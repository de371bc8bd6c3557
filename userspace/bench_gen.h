/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_gen.h - traffic and counting programs of `flowgate bench`: the
 * in-kernel generator (XDP live frames out of a veth) and the bare
 * counting programs (XDP_DROP / XDP_PASS) used as baselines, as the counter
 * in front of non-XDP firewalls, and as the sink.
 */
#ifndef FG_BENCH_GEN_H
#define FG_BENCH_GEN_H

#include <stdbool.h>
#include <linux/types.h>

#include "bench.h"
#include "bench_topo.h"

#define FG_BENCH_DPORT	9	/* discard: what rule N of every policy names */
#define FG_BENCH_FRAME_MAX 2048

struct fg_bench_gen;
struct fg_bench_counter;

/* Frame template for a chain: dst MAC the DUT's, addresses of the family. */
int fg_bench_frame(__u8 *buf, size_t cap, int family, __u8 proto,
		   int pkt_size, const struct fg_topo_chain *c);

/* The generator for profile p; hdr_len 34 (IPv4) or 54 (IPv6): restore
 * frame's Ethernet and IP headers in every frame it sends; 0: do not. */
int fg_bench_gen_open(struct fg_bench_gen **out,
		      const struct fg_bench_profile *p, const __u8 *frame,
		      int hdr_len);
void fg_bench_gen_close(struct fg_bench_gen *g);
/*
 * Send for `duration` seconds of the kernel's own timer of the live-frames
 * loop out of the chain's generator veth (this thread moves into the
 * generator namespace and back). Adds to r->secs, r->sent, r->sent_known.
 */
int fg_bench_gen_run(struct fg_bench_gen *g, const struct fg_topo *t,
		     const struct fg_topo_chain *c, const __u8 *frame,
		     int len, double duration, struct fg_bench_run *r);
int fg_bench_gen_fd(const struct fg_bench_gen *g);

/* A bare counting program: action XDP_DROP or XDP_PASS; known_base != 0
 * also counts frames of known flows (see bench_bare.bpf.c). */
int fg_bench_counter_open(struct fg_bench_counter **out, int action,
			  __u32 known_base);
void fg_bench_counter_close(struct fg_bench_counter *k);
int fg_bench_counter_fd(const struct fg_bench_counter *k);
/* Attach natively to ifindex in namespace ns_fd (and detach). */
int fg_bench_counter_attach(struct fg_bench_counter *k, const struct fg_topo *t,
			    int ns_fd, int ifindex);
void fg_bench_counter_detach(const struct fg_topo *t, int ns_fd, int ifindex);
void fg_bench_counter_read(const struct fg_bench_counter *k, __u64 *all,
			   __u64 *known);

/* Sum of a per-CPU array's entry idx. */
__u64 fg_bench_percpu_sum(int map_fd, __u32 idx);

#endif /* FG_BENCH_GEN_H */
