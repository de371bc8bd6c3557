// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_xsk.bpf.c - the reference of `flowgate bench --suite inspect`: hand
 * every frame to the AF_XDP socket of its rx queue, stamped with the time
 * it was seen, as flowgate's XDP program does for payload in inspection,
 * but with no parsing, flow lookup or policy. The XSKMAP is the datapath's
 * own (user space points it at fg_xsks before loading), so the inspector's
 * sockets and re-injection path serve both.
 */
#include "bpf/fg_bench_kern.h"
#include "flowgate.h"

const volatile __u32 xsk_key_base = 0;	/* interface slot * FG_XSK_QMAX */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, FG_XSK_ENTRIES);
	__type(key, __u32);
	__type(value, __u32);
} bench_xsks SEC(".maps");

FGB_PERCPU_COUNTER(xsk_seen);

SEC("xdp")
int fg_bench_xsk(struct xdp_md *ctx)
{
	__u32 zero = 0, q = ctx->rx_queue_index;
	__u64 *cnt = bpf_map_lookup_elem(&xsk_seen, &zero);
	struct fg_insp_meta *m;

	if (cnt)
		(*cnt)++;
	if (q >= FG_XSK_QMAX)
		return XDP_DROP;
	/* The same stamp as fg_insp_stamp(), so the worker's histogram
	 * reads it the same way. */
	if (!bpf_xdp_adjust_meta(ctx, -(int)sizeof(*m))) {
		m = (void *)(long)ctx->data_meta;
		if ((void *)(m + 1) <= (void *)(long)ctx->data) {
			m->magic = FG_INSP_META_MAGIC;
			m->ts_ns = bpf_ktime_get_ns();
		}
	}
	return bpf_redirect_map(&bench_xsks, xsk_key_base + q, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
