// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_micro.c - BPF_PROG_TEST_RUN ns/packet of each flowgate path (the
 * `micro` suite), with frames from the same builder as the program tests
 * (pktbuild.c): the bare drop program; flowgate on a known flow, allowed
 * and denied; flowgate on new flows with N rules. For new flows a driver
 * program (bench_newflow.bpf.c) gives every run a distinct initiator and
 * tail-calls flowgate; its own cost is measured by pointing it at the bare
 * program and subtracted, per round. The flow table is emptied before each
 * new-flow run so it never fills up. Rows are interleaved like the rest.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench.h"
#include "bench_gen.h"
#include "bench_topo.h"
#include "pktbuild.h"
#include "bench_newflow.skel.h"

#define MICRO_MAX_FG	(2 + FG_BENCH_MAX_LIST)

enum { R_BARE, R_DRIVER, R_KNOWN, R_NEW };

struct row {
	int kind;
	int fd;
	struct fg_bench_dut *dut;	/* flowgate instance (R_NEW flushes) */
	int expect;
	bool warm;
	double raw[FG_BENCH_MAX_REPS];
};

struct micro {
	struct fg_bench_result *res;
	__u8 frame[PKT_MAX];
	int len;
	struct fg_bench_counter *bare;
	struct bench_newflow_bpf *drv;
	struct fg_bench_dut fg[MICRO_MAX_FG];
	int n_fg;
	struct row rows[16];
};

static const char *act(int rv)
{
	return rv == XDP_DROP ? "XDP_DROP" : rv == XDP_PASS ? "XDP_PASS" :
	       rv == XDP_ABORTED ? "XDP_ABORTED" : "other";
}

static int test_run(int fd, const void *pkt, int len, __u32 repeat,
		    __u32 *ns, int *rv)
{
	__u8 buf[PKT_MAX];	/* the driver rewrites the frame: a copy */
	LIBBPF_OPTS(bpf_test_run_opts, t,
		.data_in = buf,
		.data_size_in = (__u32)len,
		.repeat = repeat,
	);
	int err;

	memcpy(buf, pkt, (size_t)len);
	err = bpf_prog_test_run_opts(fd, &t);
	if (err)
		return err < 0 ? err : -EIO;
	if (ns)
		*ns = t.duration;
	*rv = (int)t.retval;
	return 0;
}

static struct fg_bench_dut *fg_open(struct micro *m, __u32 rules, bool deny,
				    const struct fg_bench_traffic *t)
{
	struct fg_bench_dut_cfg cfg = {
		.netns_fd = -1, .ifindex = 1, .rules = rules, .deny = deny,
		.t = t, .workdir = "/tmp",
		.flow_entries = m->res->o->nf_repeat * 2 + 1024,
	};
	struct fg_bench_dut *d = &m->fg[m->n_fg];
	int err;

	if (m->n_fg >= MICRO_MAX_FG)
		return NULL;
	d->ops = &fg_bench_flowgate;
	err = fg_bench_flowgate.setup(d, &cfg);
	if (err) {
		fprintf(stderr, "flowgate bench: micro: flowgate with %u "
			"rules: %s\n", rules, strerror(-err));
		return NULL;
	}
	m->n_fg++;
	return d;
}

static int add_row(struct micro *m, int kind, int fd, struct fg_bench_dut *d,
		   int expect, bool warm, const char *key, const char *name)
{
	struct fg_bench_result *res = m->res;
	struct fg_bench_micro *mr = &res->micro[res->n_micro];
	struct row *r = &m->rows[res->n_micro];

	if (res->n_micro >= 16)
		return -ENOSPC;
	memset(mr, 0, sizeof(*mr));
	snprintf(mr->key, sizeof(mr->key), "%s", key);
	snprintf(mr->name, sizeof(mr->name), "%s", name);
	mr->base = kind == R_BARE || kind == R_DRIVER;
	r->kind = kind;
	r->fd = fd;
	r->dut = d;
	r->expect = expect;
	r->warm = warm;
	res->n_micro++;
	return 0;
}

static int run_row(struct micro *m, int i)
{
	const struct fg_bench_opts *o = m->res->o;
	struct fg_bench_micro *mr = &m->res->micro[i];
	struct row *r = &m->rows[i];
	__u32 zero = 0, ns, repeat = o->repeat;
	int fd = r->fd, rv, err;

	if (r->kind == R_NEW || r->kind == R_DRIVER) {
		if (r->dut) {
			err = fg_bench_flowgate_flush(r->dut);
			if (err)
				return err;
		}
		err = bpf_map_update_elem(bpf_map__fd(m->drv->maps.fgb_target),
					  &zero, &r->fd, BPF_ANY);
		if (err)
			return err;
		fd = bpf_program__fd(m->drv->progs.fg_bench_newflow);
		repeat = o->nf_repeat;
	}
	if (r->warm) {
		err = test_run(fd, m->frame, m->len, 1, NULL, &rv);
		if (err)
			return err;
	}
	err = test_run(fd, m->frame, m->len, repeat, &ns, &rv);
	if (err)
		return err;
	if (rv != r->expect) {
		fprintf(stderr, "flowgate bench: micro: %s returned %s, "
			"expected %s: it would measure the wrong path\n",
			mr->name, act(rv), act(r->expect));
		return -EPROTO;
	}
	r->raw[mr->n++] = ns;
	return 0;
}

static void derive(struct micro *m)
{
	struct fg_bench_result *res = m->res;
	int i, k;

	for (i = 0; i < res->n_micro; i++) {
		struct fg_bench_micro *mr = &res->micro[i];
		struct row *r = &m->rows[i];

		for (k = 0; k < mr->n; k++) {
			double bare = m->rows[R_BARE].raw[k];
			double drv = m->rows[R_DRIVER].raw[k];

			/* New flows: the driver's own cost (driver -> bare)
			 * out, the bare program's back in. */
			mr->ns[k] = r->kind == R_NEW ? r->raw[k] - drv + bare :
				    r->raw[k];
			mr->over[k] = mr->base ? NAN : mr->ns[k] - bare;
		}
	}
}

int fg_bench_micro_run(struct fg_bench_result *res)
{
	const struct fg_bench_opts *o = res->o;
	struct micro *m = calloc(1, sizeof(*m));
	struct fg_bench_traffic t = { 0 };
	struct pkt_spec s = {
		.family = o->family,
		.src = o->family == 6 ? "fd00:10::ac10:1" : "172.16.0.1",
		.dst = o->family == 6 ? FG_TOPO_DST6 : FG_TOPO_DST4,
		.proto = o->proto, .sport = 1234, .dport = FG_BENCH_DPORT,
		.tcp_flags = PKT_TCP_SYN,
	};
	static const __u32 std_ns[] = { 10, 10000, 100000 };
	const __u32 *ns = o->suites & FG_SUITE_MICRO ? o->rules : std_ns;
	int n_ns = o->suites & FG_SUITE_MICRO ? o->n_rules : 3;
	struct fg_bench_dut *d;
	char key[48], name[96];
	int i, r, err;

	if (!m)
		return -ENOMEM;
	m->res = res;
	res->n_micro = 0;
	t.family = o->family == 6 ? AF_INET6 : AF_INET;
	t.proto = o->proto;
	inet_pton(t.family, o->family == 6 ? FG_TOPO_SRC6 : FG_TOPO_SRC4,
		  t.src);
	inet_pton(t.family, s.dst, t.dst);
	t.src_plen = o->family == 6 ? FG_TOPO_SRC6_PLEN : FG_TOPO_SRC4_PLEN;
	t.dport = FG_BENCH_DPORT;
	m->len = pkt_build(m->frame, sizeof(m->frame), &s);
	if (m->len < 0) {
		err = m->len;
		goto out;
	}
	err = fg_bench_counter_open(&m->bare, XDP_DROP, 0);
	if (err)
		goto out;
	m->drv = bench_newflow_bpf__open();
	if (!m->drv) {
		err = -errno;
		goto out;
	}
	m->drv->rodata->nf_saddr_base = FG_TOPO_SRC_BASE;
	err = bench_newflow_bpf__load(m->drv);
	if (err)
		goto out;
	/* Rows R_BARE and R_DRIVER first: derive() relies on it. */
	add_row(m, R_BARE, fg_bench_counter_fd(m->bare), NULL, XDP_DROP,
		false, "bare", "bare XDP drop");
	add_row(m, R_DRIVER, fg_bench_counter_fd(m->bare), NULL, XDP_DROP,
		false, "driver", "new-flow driver -> bare drop");
	fprintf(stderr, "flowgate bench: micro: loading flowgate "
		"policies...\n");
	d = fg_open(m, ns[0], false, &t);
	if (!d) {
		err = -EIO;
		goto out;
	}
	snprintf(key, sizeof(key), "known_allow_%u", ns[0]);
	snprintf(name, sizeof(name), "flowgate known flow, allowed (%u "
		 "rules)", ns[0]);
	add_row(m, R_KNOWN, fg_bench_flowgate_prog_fd(d), d, XDP_PASS, true,
		key, name);
	d = fg_open(m, ns[0], true, &t);
	if (!d) {
		err = -EIO;
		goto out;
	}
	snprintf(key, sizeof(key), "known_deny_%u", ns[0]);
	snprintf(name, sizeof(name), "flowgate known flow, denied (%u rules)",
		 ns[0]);
	add_row(m, R_KNOWN, fg_bench_flowgate_prog_fd(d), d, XDP_DROP, true,
		key, name);
	for (i = 0; i < n_ns && !fg_bench_stop; i++) {
		d = i ? fg_open(m, ns[i], false, &t) : &m->fg[0];
		if (!d) {
			err = -EIO;
			goto out;
		}
		snprintf(key, sizeof(key), "new_allow_%u", ns[i]);
		snprintf(name, sizeof(name), "flowgate new flow, allowed at "
			 "rule %u of %u", ns[i], ns[i]);
		add_row(m, R_NEW, fg_bench_flowgate_prog_fd(d), d, XDP_PASS,
			false, key, name);
	}
	for (r = 0; r < o->reps && !fg_bench_stop; r++)
		for (i = 0; i < res->n_micro && !fg_bench_stop; i++) {
			err = run_row(m, i);
			if (err) {
				fprintf(stderr, "flowgate bench: micro: %s: "
					"%s\n", res->micro[i].name,
					strerror(-err));
				goto out;
			}
		}
	derive(m);
out:
	for (i = 0; i < m->n_fg; i++)
		fg_bench_flowgate.teardown(&m->fg[i]);
	bench_newflow_bpf__destroy(m->drv);
	fg_bench_counter_close(m->bare);
	free(m);
	if (fg_bench_stop)
		return -EINTR;
	return err;
}
