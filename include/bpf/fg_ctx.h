/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fg_ctx.h - the one place that knows whether we run at XDP or at TC.
 *
 * The object that includes this file defines FG_CTX_XDP (xdp/) or FG_CTX_SKB
 * (tc/) first; the rest of the library only sees fg_ctx_t and the accessors
 * below, so the same parser, classifier and flow code serves both hooks.
 */
#ifndef FG_BPF_CTX_H
#define FG_BPF_CTX_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

/*
 * Global BPF functions: verified once on their own, from their argument
 * types only, instead of once per path of their caller. Splitting parse and
 * decision this way keeps the verifier's work (parse paths x decision
 * paths) far below its limit. They must check pointer arguments for NULL,
 * and pointers stored in memory they receive are plain numbers to them.
 */
#define FG_GLOBAL	__attribute__((noinline))

#if defined(FG_CTX_XDP)

typedef struct xdp_md fg_ctx_t;

#define FG_RET_PASS	XDP_PASS
#define FG_RET_DROP	XDP_DROP

static __always_inline void *fg_ctx_data(fg_ctx_t *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *fg_ctx_data_end(fg_ctx_t *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* Bytes of the frame (the linear part is the whole frame for us). */
static __always_inline __u32 fg_ctx_len(fg_ctx_t *ctx)
{
	__u64 len = fg_ctx_data_end(ctx) - fg_ctx_data(ctx);

	/* Verifier: keep clang from folding later 32-bit arithmetic on the
	 * length back into the pointers. */
	asm volatile("" : "+r"(len));
	return len;
}

static __always_inline __u32 fg_ctx_ifindex(fg_ctx_t *ctx)
{
	return ctx->ingress_ifindex;
}

/* XDP sees the whole frame linearly: nothing to pull. */
static __always_inline void fg_ctx_prepare(fg_ctx_t *ctx)
{
}

#elif defined(FG_CTX_SKB)

typedef struct __sk_buff fg_ctx_t;

#define FG_RET_PASS	TC_ACT_OK
#define FG_RET_DROP	TC_ACT_SHOT

/* Headers we parse must be in the linear area; 512 bytes cover Ethernet,
 * two VLAN tags, IPv6 with a long extension chain and L4 (plus an ICMP
 * error's embedded header). Headers beyond that count as truncated. */
#define FG_SKB_PULL_MAX	512

static __always_inline void *fg_ctx_data(fg_ctx_t *ctx)
{
	return (void *)(long)ctx->data;
}

static __always_inline void *fg_ctx_data_end(fg_ctx_t *ctx)
{
	return (void *)(long)ctx->data_end;
}

/* skb->len: the whole packet, also the part outside the linear area. */
static __always_inline __u32 fg_ctx_len(fg_ctx_t *ctx)
{
	return ctx->len;
}

static __always_inline __u32 fg_ctx_ifindex(fg_ctx_t *ctx)
{
	return ctx->ifindex;
}

static __always_inline void fg_ctx_prepare(fg_ctx_t *ctx)
{
	__u32 len = ctx->len;

	if (len > FG_SKB_PULL_MAX)
		len = FG_SKB_PULL_MAX;
	/* Failure leaves the packet as it is: the parser then sees fewer
	 * linear bytes and reports a truncation, never reads past data_end. */
	bpf_skb_pull_data(ctx, len);
}

#else
#error "define FG_CTX_XDP or FG_CTX_SKB before including fg_ctx.h"
#endif

#endif /* FG_BPF_CTX_H */
