// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_insp.c - `flowgate bench --suite inspect`: the AF_XDP inspector of
 * issue 4 on the harness's chains (gen -> din [DUT ns, router] dout -> sink,
 * bench_topo.h), one worker (queues = 1), three parts:
 *
 *  1. Throughput. The in-kernel generator's UDP frames (one flow) go
 *     through flowgate's XDP program on din, whose rule inspects them; the
 *     pattern engine never finds its pattern in them, so it answers
 *     CONTINUE and every frame goes through user space, is re-injected and
 *     routed to the sink. The reference ("bare loop") uses the same sockets
 *     and re-injection path, but an XDP program that redirects every frame
 *     (xdp/bench_xsk.bpf.c) and a worker that only re-injects
 *     (fg_insp_opts.bare). Both interleaved, round by round.
 *  2. Time to verdict. A sender in the generator namespace writes one UDP
 *     datagram per new flow, carrying the allow pattern, at fixed rates;
 *     the worker's histogram (XDP stamp -> verdict written) gives p50 and
 *     p99. The bare loop's histogram holds XDP stamp -> frame seen: the
 *     cost of the AF_XDP wake-up alone.
 *  3. HTTP download through the real L7 engine (`app: http`), attached as
 *     `flowgate run` attaches it (XDP ingress, TC both ways), against no
 *     firewall: requests inspected, responses decided in the kernel.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "bench.h"
#include "bench_gen.h"
#include "bench_http.h"
#include "bench_topo.h"
#include "datapath.h"
#include "inspect.h"
#include "inspect_test.h"
#include "l7_engine.h"
#include "pktbuild.h"
#include "bench_xsk.skel.h"
#include "flowgate_tc.skel.h"

#define HTTP_PORT	8080
#define HTTP_CONNS	2
#define LAT_PATTERN	"FGALLOW"
#define DRAIN_US	50000	/* let queued frames and verdicts settle */
#define RT_SETTLE_US	1000000	/* the RT bandwidth period */

/* One DUT namespace with an inspector (or, for "no firewall", nothing). */
struct insp_dut {
	struct fg_topo *t;
	struct fg_topo_chain *c;
	struct fg_datapath dp;
	bool dp_open;
	struct fg_attachment att;	/* flowgate rows */
	struct bench_xsk_bpf *xsk;	/* bare loop */
	bool xsk_attached;
	struct fg_inspector *in;
	struct fg_l7_engine *l7;
	struct fg_insp_test test;	/* pattern engine, inspected rule */
	struct fg_bench_gen *gen;
	__u8 frame[FG_BENCH_FRAME_MAX];
	int frame_len;
	struct fg_bench_http_srv *srv;
};

struct insp_ctx {
	struct fg_bench_result *res;
	const struct fg_bench_opts *o;
	struct fg_topo topo;		/* parts 1 and 2: both chains */
	struct fg_topo htopo[FG_BENCH_INSP_HTTP];	/* part 3: one each
							 * (fixed addresses) */
	bool topo_open, htopo_open[FG_BENCH_INSP_HTTP];
	struct fg_bench_counter *sink;
	struct insp_dut fg, bare;	/* parts 1 and 2 */
	struct insp_dut http[FG_BENCH_INSP_HTTP];
	int round;			/* rounds done */
	__u64 lat_seq;			/* latency flows sent: each new */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The generator runs on --cpu; the inspector, the sender and the HTTP
 * ends wherever the scheduler puts them (threads inherit the mask). */
static int affinity(int cpu)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (i = 0; i < n; i++)
		if (cpu < 0 || i == cpu)
			CPU_SET(i, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

static const char *src_prefix(int family, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%u", family == 6 ? FG_TOPO_SRC6 : FG_TOPO_SRC4,
		 family == 6 ? FG_TOPO_SRC6_PLEN : FG_TOPO_SRC4_PLEN);
	return buf;
}

static int insp_start(struct insp_dut *d, const struct fg_bench_opts *o,
		      const struct fg_insp_engine *eng, bool bare, char *eb,
		      size_t el)
{
	struct fg_insp_opts io = {
		.engine = eng, .cpu_base = o->inspect_cpu, .queues = 1,
		.bare = bare, .busy_poll = o->inspect_busy_poll,
	};

	return fg_insp_start(&d->dp, &io, &d->in, eb, el);
}

enum dut_kind {
	DUT_PATTERN,	/* flowgate, pattern engine on rule `insp` */
	DUT_BARE,	/* bench_xsk + a bare worker */
	DUT_L7,		/* flowgate, L7 engine on the app rules */
	DUT_KERNEL,	/* flowgate, nothing to inspect: no inspector */
	DUT_NONE,	/* no firewall */
};

/* flowgate's maps and programs, din registered (its interface slot is
 * what the inspector's sockets are keyed by). */
static int dp_open(struct insp_dut *d)
{
	struct fg_dp_opts dpo = { 0 };
	int err;

	err = fg_dp_open(&d->dp, &dpo);
	if (err)
		return err;
	d->dp_open = true;
	return fg_dp_add_iface(&d->dp, (__u32)d->c->din_ifindex);
}

/* flowgate on din as `flowgate run` attaches it, policy yaml, the
 * inspector as kind says. eb: what failed, if it can say more than errno. */
static int fg_dut_setup(struct insp_dut *d, const struct fg_bench_opts *o,
			const char *yaml, enum dut_kind kind, char *eb,
			size_t el)
{
	struct fg_insp_engine eng;
	struct fg_policy *pol = NULL;
	int err;

	err = dp_open(d);
	if (err)
		return err;
	if (kind == DUT_KERNEL) {
		err = fg_bench_fg_install(&d->dp, yaml, NULL, NULL);
		if (err)
			return err;
	} else if (kind == DUT_L7) {
		err = fg_bench_fg_install(&d->dp, yaml, NULL, &pol);
		if (!err)
			err = fg_l7_engine_new(NULL, false, NULL, &d->l7);
		if (err) {
			fg_policy_free(pol);
			return err;
		}
		fg_l7_engine_set_policy(d->l7, pol, fg_dp_generation(&d->dp));
		fg_l7_engine_ops(d->l7, &eng);
	} else {
		err = fg_insp_test_parse("rule=insp,dirs=orig,allow="
					 LAT_PATTERN, &d->test, eb, el);
		if (!err)
			err = fg_bench_fg_install(&d->dp, yaml, &d->test, NULL);
		if (err)
			return err;
		eng = fg_insp_pattern_engine;
		eng.arg = &d->test.pat;
	}
	err = fg_attach(&d->dp, d->c->din, FG_XDP_NATIVE, &d->att, eb, el);
	if (err)
		return err;
	return kind == DUT_KERNEL ? 0 : insp_start(d, o, &eng, false, eb, el);
}

/* The bare loop: the same inspector sockets and re-injection path, fed by
 * bench_xsk (every frame to the XSK of its queue). */
static int bare_dut_setup(struct insp_dut *d, const struct fg_bench_opts *o,
			  char *eb, size_t el)
{
	struct fg_insp_engine eng = fg_insp_pattern_engine;
	int err;

	err = dp_open(d);
	if (err)
		return err;
	eng.arg = &d->test.pat;	/* never called: the worker is bare */
	err = insp_start(d, o, &eng, true, eb, el);
	if (err)
		return err;
	d->xsk = bench_xsk_bpf__open();
	err = d->xsk ? 0 : -errno;
	if (err)
		goto out_msg;
	d->xsk->rodata->xsk_key_base = (d->dp.n_ifaces - 1) * FG_XSK_QMAX;
	err = bpf_map__reuse_fd(d->xsk->maps.bench_xsks,
				bpf_map__fd(d->dp.tc->maps.fg_xsks));
	if (!err)
		err = bench_xsk_bpf__load(d->xsk);
	if (!err)
		err = bpf_xdp_attach(d->c->din_ifindex, bpf_program__fd(
					     d->xsk->progs.fg_bench_xsk),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (err)
		goto out_msg;
	d->xsk_attached = true;
	return 0;
out_msg:
	snprintf(eb, el, "loading and attaching xdp/bench_xsk.bpf.c: %s",
		 strerror(-err));
	return err;
}

/* Everything of d, inside its namespace (the internal veths and the
 * attachments are removed by name/index there). */
static void dut_teardown(struct insp_dut *d)
{
	if (!d->c)
		return;
	fg_bench_http_srv_stop(d->srv);
	d->srv = NULL;
	fg_bench_gen_close(d->gen);
	d->gen = NULL;
	if (fg_topo_enter(d->t, d->c->dut_fd))
		return;	/* the namespace goes with our fds */
	fg_insp_stop(d->in);
	d->in = NULL;
	fg_detach(&d->att);
	if (d->xsk_attached)
		bpf_xdp_detach(d->c->din_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bench_xsk_bpf__destroy(d->xsk);
	d->xsk = NULL;
	fg_l7_engine_free(d->l7);
	d->l7 = NULL;
	if (d->dp_open)
		fg_dp_close(&d->dp);
	d->dp_open = false;
	fg_topo_leave(d->t);
}

static int dut_setup(struct insp_ctx *x, struct fg_topo *t,
		     struct insp_dut *d, enum dut_kind kind, const char *yaml)
{
	const struct fg_bench_opts *o = x->o;
	char eb[256] = "";
	int err, left;

	d->t = t;
	err = fg_topo_add_chain(t, &d->c);
	if (err) {
		d->c = NULL;
		fprintf(stderr, "flowgate bench: building the topology: %s\n",
			strerror(-err));
		return err;
	}
	if (kind == DUT_NONE)
		return 0;
	err = fg_topo_enter(t, d->c->dut_fd);
	if (err)
		return err;
	if (kind == DUT_BARE)
		err = bare_dut_setup(d, o, eb, sizeof(eb));
	else
		err = fg_dut_setup(d, o, yaml, kind, eb, sizeof(eb));
	left = fg_topo_leave(t);
	if (err || left) {
		err = err ? err : left;
		fprintf(stderr, "flowgate bench: setting up %s: %s\n",
			d->c->din, eb[0] ? eb : strerror(-err));
		return err;
	}
	return 0;
}

/* ---- part 1: throughput ---- */

static int tput_setup(struct insp_ctx *x, struct insp_dut *d)
{
	const struct fg_bench_opts *o = x->o;
	struct fg_bench_profile prof = {
		.family = o->family, .proto = IPPROTO_UDP, .known = 1,
	};
	/* Only payload is inspected: at least the 18 bytes a 64-byte IPv4
	 * frame carries (IPv6's 64-byte frames carry none). */
	int min = 14 + (o->family == 6 ? 40 : 20) + 8 + 18, err;

	err = fg_bench_counter_attach(x->sink, &x->topo, x->topo.sink_fd,
				      d->c->sink_ifindex);
	if (err)
		return err;
	d->frame_len = fg_bench_frame(d->frame, sizeof(d->frame), o->family,
				      IPPROTO_UDP, o->pkt_size < min ? min :
				      o->pkt_size, d->c);
	if (d->frame_len < 0)
		return d->frame_len;
	x->res->frame_len = d->frame_len;
	/* Forwarded frames come back to the page pool edited: restore. */
	return fg_bench_gen_open(&d->gen, &prof, d->frame,
				 14 + (o->family == 6 ? 40 : 20));
}

/* Frames din's XDP program saw so far. */
static __u64 xdp_seen(const struct insp_dut *d)
{
	struct fg_counters fc;
	__u64 n = 0;
	int i;

	if (d->xsk)
		return fg_bench_percpu_sum(bpf_map__fd(d->xsk->maps.xsk_seen),
					   0);
	if (fg_dp_read_counters(&d->dp, &fc))
		return 0;
	for (i = 0; i < FG_VERDICT_MAX; i++)
		n += fc.verdict[i];
	return n;
}

static int tput_run(struct insp_ctx *x, struct insp_dut *d,
		    struct fg_bench_insp_tput *row)
{
	const struct fg_bench_opts *o = x->o;
	struct fg_bench_run r = { 0 };
	struct fg_insp_stats a, b;
	__u64 p0, p1, s0, s1;
	double t0;
	int k = row->n, err;

	err = affinity(o->cpu);
	if (err)
		return err;
	fg_insp_stats(d->in, &a);
	fg_bench_counter_read(x->sink, &p0, NULL);
	s0 = xdp_seen(d);
	t0 = now_s();
	err = fg_bench_gen_run(d->gen, &x->topo, d->c, d->frame, d->frame_len,
			       o->duration, &r);
	row->secs[k] = now_s() - t0;
	fg_bench_counter_read(x->sink, &p1, NULL);
	s1 = xdp_seen(d);
	fg_insp_stats(d->in, &b);
	if (!err)
		err = affinity(-1);
	if (err)
		return err;
	/* Rate over the generator's own time base, as every other suite:
	 * the worker (another CPU) is busy exactly while frames come. */
	row->passed[k] = p1 - p0;
	row->sent[k] = r.sent;
	row->xdp_seen[k] = s1 - s0;
	row->insp_rx[k] = b.rx - a.rx;
	row->insp_tx[k] = b.tx - a.tx;
	/* Every way the kernel lost a frame meant for the socket. */
	row->xsk_drop[k] = b.k_rx_dropped + b.k_rx_ring_full +
			   b.k_fill_empty - a.k_rx_dropped -
			   a.k_rx_ring_full - a.k_fill_empty;
	/* Frames that never reached the worker measured something else. */
	row->mpps[k] = r.secs > 0 && row->insp_rx[k] ?
		       (double)row->passed[k] / r.secs / 1e6 : NAN;
	row->gbps[k] = row->mpps[k] * d->frame_len * 8 / 1e3;
	row->n++;
	/* The SCHED_FIFO worker ran flat out: the kernel's RT throttling
	 * (sched_rt_runtime_us) may hold it for up to 50 ms of the current
	 * 1 s period. Wait that period out before the next row. */
	usleep(RT_SETTLE_US);
	return 0;
}

/* ---- part 2: time to verdict ---- */

/* The UDP checksum of frame f (l3/l4 offsets, total len), written. */
static void udp_csum(__u8 *f, int family, size_t l3, size_t l4, size_t len)
{
	size_t alen = family == 6 ? 16 : 4, i, ulen = len - l4;
	const __u8 *addrs = f + l3 + (family == 6 ? 8 : 12);
	__u32 s = IPPROTO_UDP + (__u32)ulen;
	__u16 c;

	f[l4 + 6] = f[l4 + 7] = 0;
	for (i = 0; i < 2 * alen; i += 2)	/* source, then destination */
		s += (__u32)(addrs[i] << 8 | addrs[i + 1]);
	for (i = 0; i + 1 < ulen; i += 2)
		s += (__u32)(f[l4 + i] << 8 | f[l4 + i + 1]);
	if (ulen & 1)
		s += (__u32)f[l4 + ulen - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = (__u16)~s;
	if (!c)
		c = 0xffff;
	f[l4 + 6] = (__u8)(c >> 8);
	f[l4 + 7] = (__u8)c;
}

/* Datagram number seq of the latency runs: a flow never seen before, from
 * inside the policy's source prefix, carrying the allow pattern. */
static int lat_frame(__u8 *buf, size_t cap, int family, __u64 seq,
		     const struct fg_topo_chain *c)
{
	/* 172.20.0.0 on: inside 172.16.0.0/12, away from the generator's
	 * 172.16.0.0 (IPv6: the same last 32 bits in the /108). */
	__u32 a = 0xac140000u + (__u32)(seq >> 14);
	char src[48];
	struct pkt_spec s = {
		.family = family, .src = src,
		.dst = family == 6 ? FG_TOPO_DST6 : FG_TOPO_DST4,
		.proto = IPPROTO_UDP, .dport = FG_BENCH_DPORT,
		.sport = (__u16)(0x8000 | (seq & 0x3fff)),
		.payload = sizeof(LAT_PATTERN),
	};
	int len, l3, l4;

	if (family == 6)
		snprintf(src, sizeof(src), "fd00:10::%x:%x", a >> 16,
			 a & 0xffff);
	else
		snprintf(src, sizeof(src), "%u.%u.%u.%u", a >> 24,
			 (a >> 16) & 255, (a >> 8) & 255, a & 255);
	len = pkt_build(buf, cap, &s);
	l3 = pkt_l3_offset(&s);
	l4 = pkt_l4_offset(&s);
	if (len < 0 || l3 < 0 || l4 < 0)
		return len < 0 ? len : -EINVAL;
	memcpy(buf, c->din_mac, 6);
	memcpy(buf + 6, c->gen_mac, 6);
	memcpy(buf + l4 + 8, LAT_PATTERN, sizeof(LAT_PATTERN));
	udp_csum(buf, family, (size_t)l3, (size_t)l4, (size_t)len);
	return len;
}

/* A packet socket on the chain's generator veth (made in its namespace). */
static int lat_socket(const struct fg_topo *t, const struct fg_topo_chain *c)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_ifindex = c->gen_ifindex,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int fd, err, left;

	err = fg_topo_enter(t, t->gen_fd);
	if (err)
		return err;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : 0;
	if (!err && bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		err = -errno;
	left = fg_topo_leave(t);
	if (err || left) {
		if (fd >= 0)
			close(fd);
		return err ? err : left;
	}
	return fd;
}

static void ts_add(struct timespec *ts, long ns)
{
	ts->tv_nsec += ns;
	while (ts->tv_nsec >= 1000000000L) {
		ts->tv_nsec -= 1000000000L;
		ts->tv_sec++;
	}
}

static int lat_run(struct insp_ctx *x, struct insp_dut *d,
		   struct fg_bench_insp_lat *row)
{
	const struct fg_bench_opts *o = x->o;
	__u64 n = (__u64)(row->rate * o->duration + 0.5), i, sent = 0;
	long gap = 1000000000L / (long)row->rate;
	struct fg_insp_latency l;
	__u8 buf[256];
	struct timespec next;
	int fd, len, k = row->n;

	fd = lat_socket(&x->topo, d->c);
	if (fd < 0)
		return fd;
	fg_insp_latency_reset(d->in);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; i < n && !fg_bench_stop; i++) {
		len = lat_frame(buf, sizeof(buf), o->family, x->lat_seq++,
				d->c);
		if (len < 0) {
			close(fd);
			return len;
		}
		if (send(fd, buf, (size_t)len, 0) == len)
			sent++;
		ts_add(&next, gap);
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	close(fd);
	usleep(DRAIN_US);
	fg_insp_latency(d->in, &l);
	row->sent[k] = sent;
	row->samples[k] = l.samples;
	row->p50[k] = l.samples ? l.p50_us : NAN;
	row->p99[k] = l.samples ? l.p99_us : NAN;
	row->n++;
	return fg_bench_stop ? -EINTR : 0;
}

/* ---- part 3: HTTP download ---- */

/* The download's rule; without app, the kernel decides everything. */
static char *http_policy(bool app)
{
	char *s;

	if (asprintf(&s, "version: 1\ndefault: deny\nrules:\n"
		     "  - name: web\n    to: %s\n    proto: tcp\n"
		     "    ports: [%u]\n%s    action: allow\n", FG_TOPO_DST4,
		     HTTP_PORT, app ? "    app: http\n"
		     "    http: {paths: [\"/*\"]}\n" : "") < 0)
		return NULL;
	return s;
}

/* The HTTP rows, in the order of fg_bench_insp.http[]. */
static const enum dut_kind http_kind[] = { DUT_L7, DUT_NONE, DUT_KERNEL };

static int http_setup(struct insp_ctx *x, int i)
{
	struct insp_dut *d = &x->http[i];
	char *yaml = NULL;
	int err;

	err = fg_topo_open(&x->htopo[i]);
	if (err)
		return err;
	x->htopo_open[i] = true;
	if (http_kind[i] != DUT_NONE) {
		yaml = http_policy(http_kind[i] == DUT_L7);
		if (!yaml)
			return -ENOMEM;
	}
	err = dut_setup(x, &x->htopo[i], d, http_kind[i], yaml);
	free(yaml);
	if (!err)
		err = fg_topo_add_hosts(&x->htopo[i], d->c);
	if (!err)
		err = fg_bench_http_serve(&d->srv, x->htopo[i].sink_fd, AF_INET,
					  FG_TOPO_DST4, HTTP_PORT,
					  x->o->http_body);
	if (err)
		fprintf(stderr, "flowgate bench: HTTP server behind %s: %s\n",
			d->c ? d->c->din : "?", strerror(-err));
	return err;
}

/* Kernel-side totals of the flowgate HTTP DUT. */
struct http_snap {
	__u64 pkts, bytes, redirected, insp_bytes;
};

static void http_snap(struct insp_dut *d, struct http_snap *s)
{
	struct fg_iface_counters ic;
	struct fg_insp_stats st;
	struct fg_counters fc;
	int i;

	memset(s, 0, sizeof(*s));
	if (!d->dp_open)
		return;
	if (!fg_dp_read_counters(&d->dp, &fc)) {
		for (i = 0; i < FG_VERDICT_MAX; i++)
			s->pkts += fc.verdict[i];
		s->redirected = fc.cnt[FG_CNT_INSPECT_REDIRECT];
	}
	if (!fg_dp_read_iface_counters(&d->dp, (__u32)d->c->din_ifindex, &ic))
		s->bytes = ic.bytes[0] + ic.bytes[1];
	fg_insp_stats(d->in, &st);
	s->insp_bytes = st.rx_bytes;
}

static int http_run(struct insp_ctx *x, int i, struct fg_bench_insp_http *row)
{
	struct insp_dut *d = &x->http[i];
	struct fg_bench_http_load l;
	struct http_snap a, b;
	int k = row->n, err;

	http_snap(d, &a);
	err = fg_bench_http_load(x->htopo[i].gen_fd, AF_INET, FG_TOPO_DST4,
				 HTTP_PORT, "bench.example", "/download",
				 HTTP_CONNS, x->o->duration, &l);
	http_snap(d, &b);
	if (err) {
		fprintf(stderr, "flowgate bench: HTTP download (%s): %s\n",
			row->label, l.err[0] ? l.err : strerror(-err));
		return err;
	}
	row->requests[k] = l.requests;
	row->errors[k] = l.errors;
	row->gbps[k] = l.secs > 0 ? (double)l.bytes * 8 / l.secs / 1e9 : NAN;
	row->req_s[k] = l.secs > 0 ? (double)l.requests / l.secs : NAN;
	row->pkts[k] = b.pkts - a.pkts;
	row->redirected[k] = b.redirected - a.redirected;
	row->kpkts[k] = row->pkts[k] ? 1 - (double)row->redirected[k] /
				       (double)row->pkts[k] : NAN;
	row->kbytes[k] = b.bytes > a.bytes ?
		1 - (double)(b.insp_bytes - a.insp_bytes) /
		(double)(b.bytes - a.bytes) : NAN;
	row->n++;
	return 0;
}

/* ---- the suite ---- */

static void rows_init(struct insp_ctx *x)
{
	struct fg_bench_insp *r = &x->res->insp;
	const struct fg_bench_opts *o = x->o;
	char pin[32];
	int i, j;

	memset(r, 0, sizeof(*r));
	snprintf(r->tput[0].key, sizeof(r->tput[0].key), "flowgate");
	snprintf(r->tput[0].label, sizeof(r->tput[0].label),
		 "flowgate, inspected, engine continues");
	snprintf(r->tput[1].key, sizeof(r->tput[1].key), "bare");
	snprintf(r->tput[1].label, sizeof(r->tput[1].label),
		 "bare AF_XDP loop (redirect all, re-inject)");
	r->n_tput = 2;
	for (i = 0; i < o->n_lat_rates; i++)
		for (j = 0; j < 2; j++) {
			struct fg_bench_insp_lat *l = &r->lat[r->n_lat++];

			l->rate = o->lat_rates[i];
			snprintf(l->key, sizeof(l->key), "%s_%u",
				 j ? "bare_seen" : "flowgate_verdict", l->rate);
			snprintf(l->label, sizeof(l->label), "%s",
				 j ? "bare loop: XDP stamp -> frame seen" :
				 "flowgate: XDP stamp -> verdict written");
		}
	snprintf(r->http[0].key, sizeof(r->http[0].key), "flowgate");
	snprintf(r->http[0].label, sizeof(r->http[0].label),
		 "flowgate, app: http, requests inspected");
	r->http[0].fw = true;
	snprintf(r->http[1].key, sizeof(r->http[1].key), "none");
	snprintf(r->http[1].label, sizeof(r->http[1].label), "no firewall");
	/* Where the gap to no firewall comes from: the fast path alone. */
	snprintf(r->http[2].key, sizeof(r->http[2].key), "flowgate_kernel");
	snprintf(r->http[2].label, sizeof(r->http[2].label),
		 "flowgate, rule without app (kernel only)");
	r->http[2].fw = true;
	r->n_http = FG_BENCH_INSP_HTTP;
	if (o->inspect_cpu < 0)
		snprintf(pin, sizeof(pin), "not pinned");
	else
		snprintf(pin, sizeof(pin), "pinned to CPU %d", o->inspect_cpu);
	snprintf(r->detail, sizeof(r->detail), "1 worker (queues = 1), %s "
		 "(generator on CPU %d)%s; HTTP: %d connections, %u-byte "
		 "bodies", pin, o->cpu, o->inspect_busy_poll ?
		 ", busy polling" : "", HTTP_CONNS, o->http_body);
}

static int setup(struct insp_ctx *x)
{
	char yaml[256], pfx[64];
	int i, err;

	snprintf(yaml, sizeof(yaml), "version: 1\ndefault: deny\nrules:\n"
		 "  - {name: insp, from: %s, proto: udp, ports: [%u], "
		 "action: allow}\n", src_prefix(x->o->family, pfx, sizeof(pfx)),
		 FG_BENCH_DPORT);
	err = fg_topo_open(&x->topo);
	if (err)
		return err;
	x->topo_open = true;
	fprintf(stderr, "flowgate bench: setting up the inspector "
		"(inspect)...\n");
	err = dut_setup(x, &x->topo, &x->fg, DUT_PATTERN, yaml);
	if (!err)
		err = tput_setup(x, &x->fg);
	if (!err)
		err = dut_setup(x, &x->topo, &x->bare, DUT_BARE, NULL);
	if (!err)
		err = tput_setup(x, &x->bare);
	for (i = 0; i < FG_BENCH_INSP_HTTP && !err; i++)
		err = http_setup(x, i);
	return err;
}

static int round_once(struct insp_ctx *x)
{
	struct fg_bench_insp *r = &x->res->insp;
	int i, err = 0;

	/* Latency first: a throughput run leaves its worker's CPU without
	 * real-time budget for the rest of the period (see tput_run). */
	for (i = 0; i < r->n_lat && !err; i++)
		err = lat_run(x, i % 2 ? &x->bare : &x->fg, &r->lat[i]);
	if (!err)
		err = tput_run(x, &x->fg, &r->tput[0]);
	if (!err)
		err = tput_run(x, &x->bare, &r->tput[1]);
	/* Each round starts the HTTP rows one further along, so no system
	 * always runs first after the throughput flood. */
	for (i = 0; i < r->n_http && !err; i++) {
		int j = (i + x->round) % r->n_http;

		err = http_run(x, j, &r->http[j]);
	}
	x->round++;
	return fg_bench_stop ? -EINTR : err;
}

int fg_bench_insp_run(struct fg_bench_result *res)
{
	struct insp_ctx *x = calloc(1, sizeof(*x));
	struct fg_bench_insp *r = &res->insp;
	int i, err;

	if (!x)
		return -ENOMEM;
	x->res = res;
	x->o = res->o;
	rows_init(x);
	err = affinity(-1);
	if (!err)
		err = fg_bench_counter_open(&x->sink, XDP_DROP, 0);
	if (!err)
		err = setup(x);
	for (i = 0; i < x->o->reps && !err; i++) {
		fprintf(stderr, "flowgate bench: inspect round %d/%d\n", i + 1,
			x->o->reps);
		err = round_once(x);
	}
	r->ran = !err;
	fg_bench_ratio(r->tput[0].mpps, r->tput[1].mpps, r->tput[0].n,
		       r->tput[0].ratio);
	for (i = 0; i < FG_BENCH_INSP_HTTP; i++)
		if (r->http[i].fw)
			fg_bench_ratio(r->http[i].gbps, r->http[1].gbps,
				       r->http[i].n, r->http[i].ratio);
	for (i = FG_BENCH_INSP_HTTP - 1; i >= 0; i--)
		dut_teardown(&x->http[i]);
	dut_teardown(&x->bare);
	dut_teardown(&x->fg);
	for (i = 0; i < FG_BENCH_INSP_HTTP; i++)
		if (x->htopo_open[i])
			fg_topo_close(&x->htopo[i]);
	if (x->topo_open)
		fg_topo_close(&x->topo);
	fg_bench_counter_close(x->sink);
	free(x);
	return fg_bench_stop ? -EINTR : err;
}
