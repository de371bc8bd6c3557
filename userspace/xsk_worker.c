// SPDX-License-Identifier: GPL-2.0-only
/*
 * xsk_worker.c - one inspector worker: a UMEM shared by an RX socket (an
 * interface's rx queue, or the capture veth) and a TX socket (its queue of
 * the re-injection veth), and the loop that takes payload frames, asks the
 * engine, writes verdicts and re-injects allowed frames without copying
 * them (XDP_SHARED_UMEM: the RX descriptor's frame is the TX descriptor's).
 *
 * Frame accounting: every UMEM frame is always in exactly one of: the free
 * stack, the fill ring, the kernel's RX side, the RX ring, the TX ring, the
 * kernel's TX side, the completion ring. Frames leave the free stack only
 * into the fill ring or the TX ring (RSTs), and come back from the RX ring
 * (dropped frames) or the completion ring; nothing else allocates.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <netinet/in.h>
#include <xdp/xsk.h>

#include "inspect.h"
#include "datapath.h"
#include "xsk_worker.h"

/* Offset of addr in its UMEM frame (aligned mode: frames are a power of
 * two, identified by their start). */
static __u64 frame_off(const struct fg_xsk_worker *w, __u64 addr)
{
	return addr & ((__u64)w->frame_size - 1);
}

static void frame_free(struct fg_xsk_worker *w, __u64 addr)
{
	w->free[w->n_free++] = addr - frame_off(w, addr);
}

static int frame_alloc(struct fg_xsk_worker *w, __u64 *addr)
{
	if (!w->n_free)
		return -ENOMEM;
	*addr = w->free[--w->n_free];
	return 0;
}

int fg_xsk_worker_open(struct fg_xsk_worker *w, const char *rx_ifname,
		       __u32 rx_queue, const char *tx_ifname, __u32 tx_queue)
{
	struct xsk_umem_config ucfg = {
		.fill_size = FG_XSK_RING,
		.comp_size = FG_XSK_RING,
		.frame_size = w->frame_size,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = FG_XSK_RING,
		.tx_size = FG_XSK_RING,
		/* fg_xsks is ours: libxdp must not load its own program. */
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		/* veth has no zero-copy (EOPNOTSUPP here). */
		.bind_flags = XDP_COPY,
	};
	size_t size = (size_t)FG_XSK_FRAMES * w->frame_size;
	__u32 i;
	int err;

	if (w->frame_size != FG_XSK_FRAME_SMALL &&
	    w->frame_size != FG_XSK_FRAME_LARGE)
		return -EINVAL;

	w->area = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->area == MAP_FAILED) {
		w->area = NULL;
		return -errno;
	}
	err = xsk_umem__create(&w->umem, w->area, size, &w->fill, &w->comp,
			       &ucfg);
	if (err) {
		w->umem = NULL;
		w->what = "creating the UMEM";
		goto fail;
	}
	err = xsk_socket__create(&w->rx_xsk, rx_ifname, rx_queue, w->umem,
				 &w->rx, NULL, &scfg);
	if (err) {
		w->rx_xsk = NULL;
		w->what = "binding the RX socket";
		goto fail;
	}
	err = xsk_socket__create_shared(&w->tx_xsk, tx_ifname, tx_queue,
					w->umem, NULL, &w->tx, &w->tx_fill,
					&w->tx_comp, &scfg);
	if (err) {
		w->tx_xsk = NULL;
		w->what = "binding the TX socket (shared UMEM)";
		goto fail;
	}
	for (i = 0; i < FG_XSK_FRAMES; i++)
		w->free[i] = (__u64)i * w->frame_size;
	w->n_free = FG_XSK_FRAMES;
	return 0;
fail:
	fg_xsk_worker_close(w);
	return err < 0 ? err : -err;
}

void fg_xsk_worker_close(struct fg_xsk_worker *w)
{
	if (w->tx_xsk)
		xsk_socket__delete(w->tx_xsk);
	if (w->rx_xsk)
		xsk_socket__delete(w->rx_xsk);
	if (w->umem)
		xsk_umem__delete(w->umem);
	if (w->area)
		munmap(w->area, (size_t)FG_XSK_FRAMES * w->frame_size);
	w->tx_xsk = w->rx_xsk = NULL;
	w->umem = NULL;
	w->area = NULL;
}

int fg_xsk_worker_rx_fd(const struct fg_xsk_worker *w)
{
	return xsk_socket__fd(w->rx_xsk);
}

int fg_xsk_worker_xdp_stats(const struct fg_xsk_worker *w,
			    struct xdp_statistics *xs)
{
	socklen_t len = sizeof(*xs);

	if (!w->rx_xsk)
		return -ENOTCONN;
	if (getsockopt(xsk_socket__fd(w->rx_xsk), SOL_XDP, XDP_STATISTICS, xs,
		       &len))
		return -errno;
	return 0;
}

__u32 fg_xsk_worker_rx_queued(const struct fg_xsk_worker *w)
{
	/* The ring's indexes, not the worker's cached copies. */
	return __atomic_load_n(w->rx.producer, __ATOMIC_ACQUIRE) -
	       __atomic_load_n(w->rx.consumer, __ATOMIC_ACQUIRE);
}

/* Give the kernel every free frame the fill ring has room for. */
static void refill(struct fg_xsk_worker *w)
{
	__u32 n = xsk_prod_nb_free(&w->fill, w->n_free), idx, i;

	if (n > w->n_free)
		n = w->n_free;
	if (!n)
		return;
	if (xsk_ring_prod__reserve(&w->fill, n, &idx) != n)
		return;
	for (i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&w->fill, idx + i) =
			w->free[--w->n_free];
	xsk_ring_prod__submit(&w->fill, n);
}

static void complete(struct fg_xsk_worker *w)
{
	__u32 n, idx, i;

	n = xsk_ring_cons__peek(&w->tx_comp, FG_XSK_RING, &idx);
	for (i = 0; i < n; i++)
		frame_free(w, *xsk_ring_cons__comp_addr(&w->tx_comp, idx + i));
	if (n) {
		xsk_ring_cons__release(&w->tx_comp, n);
		w->tx_pending -= n;
	}
}

/* Copy mode transmits from sendto(); it sends a bounded batch per call. */
static void kick(struct fg_xsk_worker *w)
{
	int tries = 8;

	while (w->tx_unsent && tries--) {
		if (sendto(xsk_socket__fd(w->tx_xsk), NULL, 0, MSG_DONTWAIT,
			   NULL, 0) < 0 && errno != EAGAIN && errno != EBUSY &&
		    errno != ENOBUFS) {
			w->st.reinject_errors++;
			break;
		}
		w->tx_unsent = xsk_prod_nb_free(&w->tx, FG_XSK_RING) <
			       FG_XSK_RING;
		complete(w);
	}
}

/* Queue one frame (addr/len inside the UMEM) for TX. */
static int tx_one(struct fg_xsk_worker *w, __u64 addr, __u32 len)
{
	struct xdp_desc *d;
	__u32 idx;

	if (xsk_ring_prod__reserve(&w->tx, 1, &idx) != 1) {
		w->st.tx_ring_full++;
		return -ENOBUFS;
	}
	d = xsk_ring_prod__tx_desc(&w->tx, idx);
	d->addr = addr;
	d->len = len;
	d->options = 0;
	xsk_ring_prod__submit(&w->tx, 1);
	w->tx_pending++;
	w->tx_unsent = true;
	w->st.tx++;
	return 0;
}

/* Re-inject the received frame at addr; untagged frames get w->vid in
 * front. */
static void reinject(struct fg_xsk_worker *w, __u64 addr, __u32 len,
		     bool tagged)
{
	__u8 *p = xsk_umem__get_data(w->area, addr);

	if (!tagged) {
		/* Tag in place: the 12 MAC bytes move 4 to the front.
		 * Copy mode leaves XDP_PACKET_HEADROOM before the data. */
		if (frame_off(w, addr) < 4) {
			w->st.bad_frame++;
			frame_free(w, addr);
			return;
		}
		memmove(p - 4, p, 12);
		p[8] = ETH_P_8021Q >> 8;
		p[9] = ETH_P_8021Q & 0xff;
		p[10] = w->vid >> 8;
		p[11] = w->vid & 0xff;
		addr -= 4;
		len += 4;
	}
	if (tx_one(w, addr, len))
		frame_free(w, addr);
}

/* Re-inject a parsed frame, its checksum completed first. */
static void forward(struct fg_xsk_worker *w, __u64 addr, __u32 len,
		    const struct fg_insp_frame *fr)
{
	if (fg_insp_csum_complete(xsk_umem__get_data(w->area, addr), fr) > 0)
		w->st.csum_completed++;
	reinject(w, addr, len, fr->vid != 0);
}

/* A frame of our own (RST) from a free frame, tagged vid. */
static void tx_new(struct fg_xsk_worker *w, __u16 vid, const __u8 *buf,
		   size_t len)
{
	__u64 addr;
	__u8 *p;

	if (len + 4 > w->frame_size || frame_alloc(w, &addr)) {
		w->st.reinject_errors++;
		return;
	}
	p = xsk_umem__get_data(w->area, addr);
	memcpy(p, buf, 12);
	p[12] = ETH_P_8021Q >> 8;
	p[13] = ETH_P_8021Q & 0xff;
	p[14] = vid >> 8;
	p[15] = vid & 0xff;
	memcpy(p + 16, buf + 12, len - 12);
	if (tx_one(w, addr, len + 4))
		frame_free(w, addr);
}

/* Reset both ends of a denied TCP flow through the re-injection path: the
 * receiver gets it the way the frame was going, the sender the other way
 * (ingress <-> egress of the same interface). */
static void send_rsts(struct fg_xsk_worker *w, const __u8 *frame,
		      const struct fg_insp_frame *fr)
{
	__u16 vid = fr->vid ? fr->vid : w->vid;
	__u16 back = FG_INSP_VID(FG_INSP_VID_SLOT(vid), !FG_INSP_VID_HOOK(vid));
	__u8 buf[128];
	size_t n;

	n = fg_insp_build_rst(frame, fr, 0, buf, sizeof(buf));
	if (n) {
		tx_new(w, vid, buf, n);
		w->st.rst_sent++;
	}
	n = fg_insp_build_rst(frame, fr, 1, buf, sizeof(buf));
	if (n) {
		tx_new(w, back, buf, n);
		w->st.rst_sent++;
	}
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* The XDP program's stamp in front of the frame, or 0. */
static __u64 frame_stamp(const struct fg_xsk_worker *w, __u64 addr)
{
	const struct fg_insp_meta *m;

	if (frame_off(w, addr) < sizeof(*m))
		return 0;
	m = (const void *)((const __u8 *)xsk_umem__get_data(w->area, addr) -
			   sizeof(*m));
	return m->magic == FG_INSP_META_MAGIC ? m->ts_ns : 0;
}

static void latency_record(struct fg_xsk_worker *w, __u64 stamp)
{
	__u64 now = mono_ns(), us;

	if (!stamp || now < stamp)
		return;
	us = (now - stamp) / 1000;
	if (us >= FG_INSP_LAT_BUCKETS)
		us = FG_INSP_LAT_BUCKETS - 1;
	w->lat_hist[us]++;
}

/* Write the inspector's verdict (FG_ACTION_INSPECT: none yet) and the
 * identified app into the kernel's flow entry. */
static int write_verdict(struct fg_xsk_worker *w, const struct fg_flow_key *k,
			 __u8 action, __u16 app_id)
{
	struct fg_flow f;

	/* Re-read right before the write: the kernel updates counters and
	 * TCP state in place, and the window in which such an update is
	 * lost is this lookup-to-update gap (microseconds). */
	int err = fg_dp_flow_lookup(w->dp, k, &f);

	if (err)
		return err;
	if (action == FG_ACTION_INSPECT) {
		/* Only the app to show: never over a verdict that another
		 * worker (the other direction's) wrote meanwhile. */
		if (f.inspect_state == FG_INSPECT_DONE)
			return 0;
		f.app_id = app_id;
		f.inspect_state = FG_INSPECT_PENDING;
		return fg_dp_flow_update(w->dp, k, &f, BPF_EXIST);
	}
	f.app_id = app_id;
	f.action = action;
	f.user_verdict = action;
	f.inspect_state = FG_INSPECT_DONE;
	return fg_dp_flow_update(w->dp, k, &f, BPF_EXIST);
}

static void handle(struct fg_xsk_worker *w, __u64 addr, __u32 len)
{
	const __u8 *p = xsk_umem__get_data(w->area, addr);
	__u64 stamp = frame_stamp(w, addr);
	enum fg_insp_decision d;
	struct fg_insp_frame fr;
	struct fg_insp_pkt ip;
	struct fg_flow f;
	__u16 app_id;
	int dir;

	w->st.rx++;
	w->st.rx_bytes += len;
	if (w->bare) {		/* the benchmark's reference loop */
		latency_record(w, stamp);
		reinject(w, addr, len, w->vid == 0);
		return;
	}
	if (fg_insp_parse(p, len, &fr)) {
		w->st.bad_frame++;
		frame_free(w, addr);
		return;
	}
	if (fg_dp_flow_lookup(w->dp, &fr.key, &f)) {
		w->st.no_flow++;
		if (w->engine->flow_end)	/* gone: free its state */
			w->engine->flow_end(w->engine->arg, &fr.key);
		frame_free(w, addr);
		return;
	}
	if (f.action == FG_ACTION_DENY) {
		/* Queued before the deny was written: never delivered. */
		w->st.after_deny++;
		frame_free(w, addr);
		return;
	}
	if (f.action == FG_ACTION_ALLOW) {
		w->st.after_verdict++;
		forward(w, addr, len, &fr);
		return;
	}
	dir = (!!(f.flags & FG_FLOW_F_INIT_LO) == fr.src_lo) ? FG_DIR_ORIG :
							       FG_DIR_REPLY;
	ip.key = &fr.key;
	ip.flow = &f;
	ip.dir = dir;
	ip.payload = fr.payload;
	ip.len = fr.payload_len;
	ip.proto = fr.proto;
	ip.tcp_flags = fr.tcp_flags;
	ip.tcp_seq = fr.tcp_seq;
	app_id = f.app_id;
	ip.app_id = &app_id;
	d = w->engine->decide(w->engine->arg, &ip);
	switch (d) {
	case FG_INSP_ALLOW:
		w->st.allow++;
		if (write_verdict(w, &fr.key, FG_ACTION_ALLOW, app_id))
			w->st.verdict_errors++;
		else
			latency_record(w, stamp);
		if (w->engine->flow_end)
			w->engine->flow_end(w->engine->arg, &fr.key);
		forward(w, addr, len, &fr);
		break;
	case FG_INSP_DENY:
		w->st.deny++;
		if (write_verdict(w, &fr.key, FG_ACTION_DENY, app_id))
			w->st.verdict_errors++;
		else
			latency_record(w, stamp);
		if (w->engine->flow_end)
			w->engine->flow_end(w->engine->arg, &fr.key);
		if (fr.proto == IPPROTO_TCP)
			send_rsts(w, p, &fr);
		frame_free(w, addr);
		break;
	case FG_INSP_DROP:
		w->st.drop++;
		frame_free(w, addr);
		break;
	default:
		w->st.cont++;
		/* Identified, no verdict yet: `flows` shows the app. */
		if (app_id != f.app_id &&
		    write_verdict(w, &fr.key, FG_ACTION_INSPECT, app_id))
			w->st.verdict_errors++;
		forward(w, addr, len, &fr);
		break;
	}
}

/* How often the worker reads the kernel's loss counters (a syscall). */
#define KSTATS_EVERY_NS	(1000 * 1000ULL)

/* After a batch (or within one, see pass_once): is the worker keeping up?
 * The kernel learns it at once, both ways (insp_overload.c). Also the
 * frame gauges. */
static void load_check(struct fg_xsk_worker *w)
{
	__u32 fill_free = xsk_prod_nb_free(&w->fill, FG_XSK_RING);
	struct fg_insp_load l = {
		.rx_queued = fg_xsk_worker_rx_queued(w),
		.rx_size = FG_XSK_RING,
		.no_frames = !w->n_free && fill_free == FG_XSK_RING,
	};
	__u64 now = mono_ns();

	if (now - w->k_look_ns >= KSTATS_EVERY_NS) {
		struct xdp_statistics xs;

		w->k_look_ns = now;
		if (!fg_xsk_worker_xdp_stats(w, &xs))
			w->k_drops = xs.rx_dropped + xs.rx_ring_full +
				     xs.rx_fill_ring_empty_descs;
	}
	l.k_drops = w->k_drops;
	if (l.no_frames)
		w->st.fill_empty++;
	if (fg_insp_overload_update(&w->ov, &l, now)) {
		if (w->ov.on)
			fg_insp_flag_get(w->flag);
		else
			fg_insp_flag_put(w->flag);
		w->st.overload_events = w->ov.events;
	}
	w->st.overload_ms = fg_insp_overload_ns(&w->ov, now) / 1000000;
	w->st.frames_free = w->n_free;
	w->st.frames_fill = FG_XSK_RING - fill_free;
}

/* One pass: complete, refill, receive a batch, transmit. Returns the
 * number of frames received. */
static __u32 pass_once(struct fg_xsk_worker *w)
{
	__u32 n, idx, i;

	complete(w);
	refill(w);
	n = xsk_ring_cons__peek(&w->rx, FG_XSK_BATCH, &idx);
	for (i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&w->rx,
								 idx + i);

		handle(w, d->addr, d->len);
		/* A slow engine fills the ring within a batch: look every
		 * 8 frames (the kernel's producer index is a cache line it
		 * writes) whether its view (it counts the batch as used
		 * until released) crossed the threshold. */
		if ((i & 7) == 7 && !w->ov.on &&
		    fg_insp_ring_hot(fg_xsk_worker_rx_queued(w), FG_XSK_RING))
			load_check(w);
	}
	if (n)
		xsk_ring_cons__release(&w->rx, n);
	kick(w);
	load_check(w);
	return n;
}

void fg_xsk_worker_loop(struct fg_xsk_worker *w, volatile int *stop)
{
	struct pollfd pfd = { .fd = xsk_socket__fd(w->rx_xsk),
			      .events = POLLIN };
	struct sched_param sp = { .sched_priority = 1 };

	/* The tail of time to verdict is the wake-up: a sleeping worker
	 * waits behind whatever runs on its CPU (ms on shared cores). The
	 * lowest real-time priority runs it at once. A spinning worker must
	 * not have it (it would starve its CPU). Under a sustained flood the
	 * loop below runs without sleeping; the kernel's RT throttling
	 * (sched_rt_runtime_us) still leaves the CPU 5% for the rest.
	 * EPERM (no CAP_SYS_NICE): stay as we are, only slower to wake. */
	if (!w->busy_poll)
		pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);

	while (!*stop) {
		__atomic_store_n(&w->progress, w->progress + 1,
				 __ATOMIC_RELAXED);
		if (pass_once(w))
			continue;
		/* Busy polling: no wake-up latency, a CPU per worker. */
		if (w->busy_poll) {
			sched_yield();
			continue;
		}
		/* Idle: sleep until a frame comes, or re-check stop. */
		poll(&pfd, 1, w->tx_pending ? 1 : FG_INSP_BEAT_PERIOD_MS);
	}
}
