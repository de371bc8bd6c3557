// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_gen.c - the in-kernel traffic generator and the bare counting
 * programs of `flowgate bench` (see bench_gen.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_gen.h"
#include "pktbuild.h"
#include "bench_bare.skel.h"
#include "bench_gen.skel.h"

struct fg_bench_gen {
	struct bench_gen_bpf *skel;
	double ns_per_frame;	/* last estimate: sizes the next call */
};

struct fg_bench_counter {
	struct bench_bare_bpf *skel;
};

__u64 fg_bench_percpu_sum(int map_fd, __u32 idx)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 *v, sum = 0;

	if (ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return 0;
	if (!bpf_map_lookup_elem(map_fd, &idx, v))
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

int fg_bench_frame(__u8 *buf, size_t cap, int family, __u8 proto,
		   int pkt_size, const struct fg_topo_chain *c)
{
	int hdr = 14 + (family == 6 ? 40 : 20) + (proto == IPPROTO_TCP ? 20 : 8);
	struct pkt_spec s = {
		.family = family,
		.src = family == 6 ? FG_TOPO_SRC6 : FG_TOPO_SRC4,
		.dst = family == 6 ? FG_TOPO_DST6 : FG_TOPO_DST4,
		.proto = proto, .sport = 1234, .dport = FG_BENCH_DPORT,
		.tcp_flags = PKT_TCP_ACK,
		.payload = (__u16)(pkt_size > hdr ? pkt_size - hdr : 0),
	};
	int len = pkt_build(buf, cap, &s);

	if (len < 14)
		return len < 0 ? len : -EINVAL;
	memcpy(buf, c->din_mac, 6);
	memcpy(buf + 6, c->gen_mac, 6);
	return len;
}

int fg_bench_gen_open(struct fg_bench_gen **out,
		      const struct fg_bench_profile *p, const __u8 *frame,
		      int hdr_len)
{
	struct fg_bench_gen *g = calloc(1, sizeof(*g));
	int err;

	if (!g)
		return -ENOMEM;
	g->skel = bench_gen_bpf__open();
	if (!g->skel) {
		err = -errno;
		goto out_free;
	}
	g->skel->rodata->gen_known = p->known ? p->known : 1;
	g->skel->rodata->gen_new_pct = (__u32)p->new_pct;
	g->skel->rodata->gen_tcp_flags = p->syn;
	g->skel->rodata->gen_saddr_base = FG_TOPO_SRC_BASE;
	if (hdr_len && hdr_len != 34 && hdr_len != 54) {
		err = -EINVAL;
		goto out_destroy;
	}
	if (frame && hdr_len > 0) {
		memcpy((void *)g->skel->rodata->gen_hdr, frame,
		       (size_t)hdr_len);
		g->skel->rodata->gen_hdr_len = (__u32)hdr_len;
	}
	err = bench_gen_bpf__load(g->skel);
	if (err)
		goto out_destroy;
	*out = g;
	return 0;
out_destroy:
	bench_gen_bpf__destroy(g->skel);
out_free:
	free(g);
	return err;
}

void fg_bench_gen_close(struct fg_bench_gen *g)
{
	if (!g)
		return;
	bench_gen_bpf__destroy(g->skel);
	free(g);
}

int fg_bench_gen_fd(const struct fg_bench_gen *g)
{
	return bpf_program__fd(g->skel->progs.fg_bench_gen);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fg_bench_gen_run(struct fg_bench_gen *g, const struct fg_topo *t,
		     const struct fg_topo_chain *c, const __u8 *frame,
		     int len, double duration, struct fg_bench_run *r)
{
	int fd = fg_bench_gen_fd(g), sent_fd = bpf_map__fd(g->skel->maps.gen_sent);
	struct xdp_md ctx = {
		.data_end = (__u32)len,
		.ingress_ifindex = (__u32)c->gen_ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, o,
		.data_in = frame,
		.data_size_in = (__u32)len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = 8192,
		.flags = BPF_F_TEST_XDP_LIVE_FRAMES,
	);
	double kernel_ns = 0, t0;
	/* No estimate yet: a first call of 8192 frames, short even for a
	 * system that needs 10+ us per frame (linear rule sets). */
	double ns_per_frame = g->ns_per_frame > 0 ? g->ns_per_frame :
			      1e9 * duration / 8192;
	__u64 s0, k0;
	int err, left;

	/* The ifindex in ctx is looked up in the caller's namespace. */
	err = fg_topo_enter(t, t->gen_fd);
	if (err)
		return err;
	s0 = fg_bench_percpu_sum(sent_fd, 0);
	k0 = fg_bench_percpu_sum(sent_fd, 1);
	/*
	 * Time base: the kernel's own timer of the live-frames loop
	 * (duration x repeat). It leaves out each call's page-pool setup
	 * (tens of ms, nothing sent) and time other tasks take this CPU, but
	 * includes the DUT: the peer veth's NAPI poll runs in softirq on this
	 * CPU when each batch re-enables bottom halves. Each call is sized
	 * from the last estimate of the time per frame.
	 */
	t0 = now_s();
	while (kernel_ns < 0.95e9 * duration && now_s() - t0 < 5 * duration + 1 &&
	       !fg_bench_stop) {
		double want = (1e9 * duration - kernel_ns) / ns_per_frame;

		o.repeat = want > (1u << 30) ? 1u << 30 :
			   want < 8192 ? 8192 : (__u32)want;
		err = bpf_prog_test_run_opts(fd, &o);
		if (err)
			break;
		if (o.duration) {
			ns_per_frame = o.duration;
			kernel_ns += (double)o.duration * o.repeat;
		}
	}
	g->ns_per_frame = ns_per_frame;
	/* Stragglers of the last batch: the peer's NAPI poll. */
	usleep(20000);
	r->sent += fg_bench_percpu_sum(sent_fd, 0) - s0;
	r->sent_known += fg_bench_percpu_sum(sent_fd, 1) - k0;
	r->secs += kernel_ns / 1e9;
	left = fg_topo_leave(t);
	if (fg_bench_stop)
		return -EINTR;
	if (!err && kernel_ns <= 0)
		err = -EIO;
	return err ? err : left;
}

int fg_bench_counter_open(struct fg_bench_counter **out, int action,
			  __u32 known_base)
{
	struct fg_bench_counter *k = calloc(1, sizeof(*k));
	int err;

	if (!k)
		return -ENOMEM;
	k->skel = bench_bare_bpf__open();
	if (!k->skel) {
		err = -errno;
		goto out_free;
	}
	k->skel->rodata->bare_action = (__u32)action;
	k->skel->rodata->bare_known_base = known_base;
	err = bench_bare_bpf__load(k->skel);
	if (err)
		goto out_destroy;
	*out = k;
	return 0;
out_destroy:
	bench_bare_bpf__destroy(k->skel);
out_free:
	free(k);
	return err;
}

void fg_bench_counter_close(struct fg_bench_counter *k)
{
	if (!k)
		return;
	bench_bare_bpf__destroy(k->skel);
	free(k);
}

int fg_bench_counter_fd(const struct fg_bench_counter *k)
{
	return bpf_program__fd(k->skel->progs.fg_bench_bare);
}

int fg_bench_counter_attach(struct fg_bench_counter *k, const struct fg_topo *t,
			    int ns_fd, int ifindex)
{
	int err = fg_topo_enter(t, ns_fd), left;

	if (err)
		return err;
	err = bpf_xdp_attach(ifindex, fg_bench_counter_fd(k),
			     XDP_FLAGS_DRV_MODE, NULL);
	left = fg_topo_leave(t);
	return err ? err : left;
}

void fg_bench_counter_detach(const struct fg_topo *t, int ns_fd, int ifindex)
{
	if (fg_topo_enter(t, ns_fd))
		return;
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	fg_topo_leave(t);
}

void fg_bench_counter_read(const struct fg_bench_counter *k, __u64 *all,
			   __u64 *known)
{
	int fd = bpf_map__fd(k->skel->maps.bare_count);

	if (all)
		*all = fg_bench_percpu_sum(fd, 0);
	if (known)
		*known = fg_bench_percpu_sum(fd, 1);
}
