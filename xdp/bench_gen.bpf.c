// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_gen.bpf.c - in-kernel traffic generator of `flowgate bench`. Run
 * with BPF_PROG_TEST_RUN + BPF_F_TEST_XDP_LIVE_FRAMES and ctx.ingress_ifindex
 * set to a veth: every XDP_TX leaves through that veth for real and arrives
 * at its peer (which must have an XDP program, or veth drops the frame).
 *
 * Frames come from a page pool initialised once with the template, and our
 * writes persist in recycled pages, so each run rewrites the flow identity
 * of the frame it is given from a per-CPU sequence number n:
 *   - a share gen_new_pct of the frames (spread evenly) are new flows: flow
 *     index FGB_NEW_BASE + n, never seen before;
 *   - the others rotate over gen_known known flows (index n % gen_known).
 * gen_tcp_flags: new-flow frames carry SYN, known ones ACK (a SYN flood
 * mixed with established traffic).
 */
#include "bpf/fg_bench_kern.h"

const volatile __u32 gen_known = 1;
const volatile __u32 gen_new_pct = 0;		/* 0..100 */
const volatile __u32 gen_tcp_flags = 0;
const volatile __u32 gen_saddr_base = 0xac100000;	/* 172.16.0.0, host */
/*
 * The template's Ethernet and IP headers (34 bytes for IPv4, 54 for IPv6),
 * written back into every frame first: pages of forwarded frames come back
 * to the pool with the router's edits (MACs, TTL, IPv4 checksum), which
 * would make the next frame "for another host". The L4 header and payload
 * are never edited on the way. Read through volatile, 16 bits at a time:
 * a plain memcpy from a const global lets the compiler fold in its zero
 * initialiser.
 */
#define GEN_HDR4 34
#define GEN_HDR6 54
const volatile __u16 gen_hdr[GEN_HDR6 / 2];
const volatile __u32 gen_hdr_len = 0;	/* 0, GEN_HDR4 or GEN_HDR6 */

/* Frames handed to XDP_TX (the generator's "sent"): [0] all, [1] known. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} gen_sent SEC(".maps");

SEC("xdp")
int fg_bench_gen(struct xdp_md *ctx)
{
	__u32 zero = 0, one = 1;
	__u64 *seq = bpf_map_lookup_elem(&gen_sent, &zero);
	__u64 *known = bpf_map_lookup_elem(&gen_sent, &one);
	__u64 n, idx;
	bool is_new;

	if (!seq || !known)
		return XDP_ABORTED;
	n = (*seq)++;
	if (gen_hdr_len) {
		__u16 *data = (void *)(long)ctx->data;
		void *end = (void *)(long)ctx->data_end;
		int i;

		if ((void *)data + GEN_HDR6 > end)
			return XDP_ABORTED;
		if (gen_hdr_len == GEN_HDR6) {
#pragma unroll
			for (i = 0; i < GEN_HDR6 / 2; i++)
				data[i] = gen_hdr[i];
		} else {
#pragma unroll
			for (i = 0; i < GEN_HDR4 / 2; i++)
				data[i] = gen_hdr[i];
		}
	}
	/* 37 is prime to 100: each block of 100 frames gets exactly
	 * gen_new_pct new ones, spread out instead of in one burst. */
	is_new = gen_new_pct && (n * 37) % 100 < gen_new_pct;
	if (is_new) {
		idx = FGB_NEW_BASE + n;
	} else {
		idx = gen_known > 1 ? n % gen_known : 0;
		(*known)++;
	}
	if (fgb_set_flow_flags(ctx, idx, gen_saddr_base,
			       gen_tcp_flags ? is_new : -1))
		return XDP_ABORTED;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
