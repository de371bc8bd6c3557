/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_flow.h - flow keys, directions, TCP state and timeouts.
 *
 * One entry per connection: the key is normalised so both directions find
 * it (the (addr, port) side that compares lower is "lo"); the entry records
 * which side initiated (FG_FLOW_F_INIT_LO), so a packet's direction is
 * whether its source is the initiator.
 */
#ifndef FG_BPF_FLOW_H
#define FG_BPF_FLOW_H

#include "flowgate.h"
#include "fg_maps.h"
#include "fg_parse.h"

/*
 * A flow's key in the table of its family: IPv4 flows use the 16-byte
 * struct fg_flow_key4 in fg_flows4, IPv6 flows the wide key in fg_flows.
 * family and proto are kept outside the union for the callers.
 */
struct fg_fkey {
	union {
		struct fg_flow_key4 v4;
		struct fg_flow_key v6;
	};
	__u8 family;
	__u8 proto;
};

/* memcmp() order of two BE addresses, then of the ports (BE bytes, i.e.
 * numeric order): <0, 0, >0. */
static __always_inline int fg_side_cmp(const __u32 *a, __u16 pa,
				       const __u32 *b, __u16 pb)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		__u32 x = bpf_ntohl(a[i]), y = bpf_ntohl(b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	pa = bpf_ntohs(pa);
	pb = bpf_ntohs(pb);
	if (pa != pb)
		return pa < pb ? -1 : 1;
	return 0;
}

/* The same order for IPv4 (address word 0 only): 1 if (a, pa) <= (b, pb). */
static __always_inline int fg_side_le4(__u32 a, __u16 pa, __u32 b, __u16 pb)
{
	__u32 x = bpf_ntohl(a), y = bpf_ntohl(b);

	if (x != y)
		return x < y;
	return bpf_ntohs(pa) <= bpf_ntohs(pb);
}

/* Build the normalised key of (src, sport) <-> (dst, dport). Returns 1 if
 * the source is the key's lo side. Every byte of the key the table hashes
 * is written (padding included). */
static __always_inline int fg_flow_key_make(struct fg_fkey *k,
					    __u8 family, __u8 proto,
					    const __u32 *src, __u16 sport,
					    const __u32 *dst, __u16 dport)
{
	int src_lo;

	k->family = family;
	k->proto = proto;
	if (family == FG_AF_INET) {
		struct fg_flow_key4 *k4 = &k->v4;

		src_lo = fg_side_le4(src[0], sport, dst[0], dport);
		if (src_lo) {
			k4->addr_lo = src[0];
			k4->addr_hi = dst[0];
			k4->port_lo = sport;
			k4->port_hi = dport;
		} else {
			k4->addr_lo = dst[0];
			k4->addr_hi = src[0];
			k4->port_lo = dport;
			k4->port_hi = sport;
		}
		k4->proto = proto;
		k4->pad1 = 0;
		k4->pad2 = 0;
		return src_lo;
	}

	src_lo = fg_side_cmp(src, sport, dst, dport) <= 0;
	if (src_lo) {
		__builtin_memcpy(k->v6.addr_lo, src, 16);
		__builtin_memcpy(k->v6.addr_hi, dst, 16);
		k->v6.port_lo = sport;
		k->v6.port_hi = dport;
	} else {
		__builtin_memcpy(k->v6.addr_lo, dst, 16);
		__builtin_memcpy(k->v6.addr_hi, src, 16);
		k->v6.port_lo = dport;
		k->v6.port_hi = sport;
	}
	k->v6.proto = proto;
	k->v6.family = family;
	k->v6.pad = 0;
	return src_lo;
}

static __always_inline struct fg_flow *fg_flow_lookup(const struct fg_fkey *k)
{
	if (k->family == FG_AF_INET)
		return bpf_map_lookup_elem(&fg_flows4, &k->v4);
	return bpf_map_lookup_elem(&fg_flows, &k->v6);
}

static __always_inline long fg_flow_insert(const struct fg_fkey *k,
					   const struct fg_flow *f)
{
	if (k->family == FG_AF_INET)
		return bpf_map_update_elem(&fg_flows4, &k->v4, f, BPF_ANY);
	return bpf_map_update_elem(&fg_flows, &k->v6, f, BPF_ANY);
}

/* One side's address as the classifier's 16 bytes (IPv4 in word 0). */
static __always_inline void fg_fkey_addr(const struct fg_fkey *k, int lo,
					 __u32 *out)
{
	if (k->family == FG_AF_INET) {
		out[0] = lo ? k->v4.addr_lo : k->v4.addr_hi;
		out[1] = 0;
		out[2] = 0;
		out[3] = 0;
	} else {
		__builtin_memcpy(out, lo ? k->v6.addr_lo : k->v6.addr_hi, 16);
	}
}

static __always_inline int fg_flow_dir(const struct fg_flow *f, int src_lo)
{
	int init_lo = !!(f->flags & FG_FLOW_F_INIT_LO);

	return src_lo == init_lo ? FG_DIR_ORIG : FG_DIR_REPLY;
}

static __always_inline int fg_flow_expired(const struct fg_flow *f,
					   const struct fg_fkey *k,
					   const struct fg_slot_cfg *cfg,
					   __u64 now)
{
	__u64 last = f->last_ns;

	if (now <= last)
		return 0;
	return now - last > fg_flow_timeout(cfg, k->family, k->proto,
					    f->state);
}

static __always_inline int fg_tcp_pure_syn(__u8 flags)
{
	return (flags & (FG_TCP_SYN | FG_TCP_ACK)) == FG_TCP_SYN;
}

/* TCP state machine, applied to allowed flows for every packet. */
static __always_inline void fg_tcp_update(struct fg_flow *f, __u8 flags,
					  int dir)
{
	__u8 st = f->state;

	if (flags & FG_TCP_RST) {
		st = FG_STATE_CLOSED;
	} else if (flags & FG_TCP_FIN) {
		f->flags |= dir == FG_DIR_ORIG ? FG_FLOW_F_FIN_ORIG :
						 FG_FLOW_F_FIN_REPLY;
		if ((f->flags & (FG_FLOW_F_FIN_ORIG | FG_FLOW_F_FIN_REPLY)) ==
		    (FG_FLOW_F_FIN_ORIG | FG_FLOW_F_FIN_REPLY))
			st = FG_STATE_CLOSED;
		else if (st != FG_STATE_CLOSED)
			st = FG_STATE_CLOSING;
	} else if (st == FG_STATE_SYN) {
		if ((flags & FG_TCP_SYN) && (flags & FG_TCP_ACK) &&
		    dir == FG_DIR_REPLY)
			f->flags |= FG_FLOW_F_SYNACK;
		else if (!(flags & FG_TCP_SYN) && (flags & FG_TCP_ACK) &&
			 dir == FG_DIR_ORIG && (f->flags & FG_FLOW_F_SYNACK))
			st = FG_STATE_ESTABLISHED;
	}
	if (st != f->state)
		f->state = st;
}

/* Packets and bytes by direction: several CPUs may hit one flow. */
static __always_inline void fg_flow_account(struct fg_flow *f, int dir,
					    __u32 len, __u64 now)
{
	/* Plain adds, not atomics (~10 ns per packet here): one direction
	 * of a flow is nearly always handled by one CPU at a time (RSS queue,
	 * sender's CPU on veth), so a lost increment needs two CPUs in the
	 * same direction at the same instant; these are statistics, never
	 * an input to a verdict. */
	if (dir == FG_DIR_ORIG) {
		f->packets[FG_DIR_ORIG]++;
		f->bytes[FG_DIR_ORIG] += len;
	} else {
		f->packets[FG_DIR_REPLY]++;
		f->bytes[FG_DIR_REPLY] += len;
	}
	/* Avoid dirtying the cache line on every packet of a busy flow. */
	if (f->last_ns != now)
		f->last_ns = now;
}

#endif /* FG_BPF_FLOW_H */
