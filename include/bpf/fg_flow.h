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

/* Build the normalised key of (src, sport) <-> (dst, dport). Returns 1 if
 * the source is the key's lo side. */
static __always_inline int fg_flow_key_make(struct fg_flow_key *k,
					    __u8 family, __u8 proto,
					    const __u32 *src, __u16 sport,
					    const __u32 *dst, __u16 dport)
{
	int src_lo = fg_side_cmp(src, sport, dst, dport) <= 0;

	if (src_lo) {
		__builtin_memcpy(k->addr_lo, src, 16);
		__builtin_memcpy(k->addr_hi, dst, 16);
		k->port_lo = sport;
		k->port_hi = dport;
	} else {
		__builtin_memcpy(k->addr_lo, dst, 16);
		__builtin_memcpy(k->addr_hi, src, 16);
		k->port_lo = dport;
		k->port_hi = sport;
	}
	k->proto = proto;
	k->family = family;
	k->pad = 0;
	return src_lo;
}

static __always_inline int fg_flow_dir(const struct fg_flow *f, int src_lo)
{
	int init_lo = !!(f->flags & FG_FLOW_F_INIT_LO);

	return src_lo == init_lo ? FG_DIR_ORIG : FG_DIR_REPLY;
}

static __always_inline int fg_flow_expired(const struct fg_flow *f,
					   const struct fg_flow_key *k,
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
