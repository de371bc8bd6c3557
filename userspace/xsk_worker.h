/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * xsk_worker.h - one AF_XDP inspector worker (see xsk_worker.c). Internal
 * to the inspector (inspect_run.c) and its tests.
 */
#ifndef FG_XSK_WORKER_H
#define FG_XSK_WORKER_H

#include <stdbool.h>
#include <linux/bpf.h>
#include <linux/if_xdp.h>
#include <linux/types.h>
#include <xdp/xsk.h>

#include "insp_overload.h"
#include "inspect.h"

struct fg_datapath;

/*
 * UMEM: FG_XSK_FRAMES frames per worker, of one of two sizes chosen at
 * start for all workers (inspect_run.c): 2 KiB (4 MiB per worker) when
 * every interface's MTU allows no longer frame than it holds, else 4 KiB
 * (8 MiB), a page, the most copy mode allows: more than an XDP program
 * without frags support is ever given (on veth, MTU up to ~3.5 KiB). A
 * frame holds copy mode's 256-byte headroom (where the XDP stamp and our
 * 4-byte tag go) and FG_XSK_FRAME_ROOM(size) bytes of frame. The kernel
 * applies inspect_failure to anything longer (fg_ctl.insp_len_max). UMEM
 * is locked memory: without CAP_IPC_LOCK it counts against
 * RLIMIT_MEMLOCK.
 */
#define FG_XSK_FRAME_SMALL	2048
#define FG_XSK_FRAME_LARGE	4096
#define FG_XSK_FRAMES		2048
/* Longest frame (from its Ethernet header) a UMEM frame of `size` takes. */
#define FG_XSK_FRAME_ROOM(size)	((size) - XDP_PACKET_HEADROOM)
#define FG_XSK_RING		1024	/* every ring */
#define FG_XSK_BATCH		64

struct fg_xsk_worker {
	/* Set before open. */
	const struct fg_insp_engine *engine;
	const struct fg_datapath *dp;	/* flow tables */
	__u16 vid;		/* tag of re-injected frames; 0: frames
				 * arrive tagged (capture veth) */
	__u32 frame_size;	/* FG_XSK_FRAME_SMALL or FG_XSK_FRAME_LARGE */
	bool busy_poll;		/* never sleep in poll() */
	bool bare;		/* bench reference: re-inject every frame
				 * as it is (see fg_insp_opts.bare) */
	/* State. */
	void *area;
	struct xsk_umem *umem;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_socket *rx_xsk;
	struct xsk_ring_cons rx;
	struct xsk_socket *tx_xsk;
	struct xsk_ring_prod tx;
	struct xsk_ring_prod tx_fill;	/* required by the shared bind */
	struct xsk_ring_cons tx_comp;
	__u64 free[FG_XSK_FRAMES];
	__u32 n_free;
	__u32 tx_pending;	/* in the TX ring or the kernel */
	bool tx_unsent;
	/* Overload (insp_overload.c): the worker holds a reference on the
	 * kernel's overload bit for each of its episodes. */
	struct fg_insp_flag *flag;	/* set before open */
	struct fg_insp_overload ov;
	__u64 k_look_ns;	/* last XDP_STATISTICS look */
	__u64 k_drops;		/* its losses (fg_insp_load.k_drops) */
	__u64 progress;		/* atomic: loop iterations, for the
				 * heartbeat's hung-worker check */
	const char *what;	/* which step failed, for the message */
	struct fg_insp_stats st;
	/* Time to verdict (kernel first saw the payload -> verdict in the
	 * flow table), 1 us buckets; the last one collects the rest. */
	__u32 lat_hist[FG_INSP_LAT_BUCKETS];
};

/* Create the UMEM and both sockets. -errno; w->what names the step. */
int fg_xsk_worker_open(struct fg_xsk_worker *w, const char *rx_ifname,
		       __u32 rx_queue, const char *tx_ifname, __u32 tx_queue);
void fg_xsk_worker_close(struct fg_xsk_worker *w);
int fg_xsk_worker_rx_fd(const struct fg_xsk_worker *w);
/* The kernel's counters of the RX socket (getsockopt XDP_STATISTICS). */
int fg_xsk_worker_xdp_stats(const struct fg_xsk_worker *w,
			    struct xdp_statistics *xs);
/* Frames waiting in the RX ring; any thread may ask. */
__u32 fg_xsk_worker_rx_queued(const struct fg_xsk_worker *w);
/* Run until *stop. */
void fg_xsk_worker_loop(struct fg_xsk_worker *w, volatile int *stop);

#endif /* FG_XSK_WORKER_H */
