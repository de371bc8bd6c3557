// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_netlink_attach.c - interface lookups (netlink.c) and attach/detach
 * (attach.c) against real veths in a throwaway network namespace.
 *
 * Needs root: every case is skipped, with the reason printed, otherwise.
 * The namespace (fgna<pid>) is created with `ip`, entered with setns() and
 * deleted at exit, also when a case fails. Host interfaces are never
 * touched. bpffs is tested in a private mount namespace of a child.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <cmocka.h>

#include "flowgate.h"
#include "attach.h"
#include "datapath.h"
#include "netlink.h"

#define IF0 "fgna0"	/* veth pair inside the namespace */
#define IF1 "fgna1"

static char ns_name[32];
static int host_ns_fd = -1;
static bool ns_created;
static bool is_root;
static struct fg_datapath dp;
static bool dp_open;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* Output of a command (run in the test's network namespace). */
static void capture(char *out, size_t len, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	size_t n;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	pclose(f);
}

static bool has_clsact(const char *ifname)
{
	char buf[2048];

	capture(buf, sizeof(buf), "tc qdisc show dev %s 2>&1", ifname);
	return strstr(buf, "clsact") != NULL;
}

static void prog_name(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	int fd;

	name[0] = '\0';
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &ilen))
		snprintf(name, len, "%s", info.name);
	close(fd);
}

static __u32 tc_prog_at_our_slot(const char *ifname,
				 enum bpf_tc_attach_point ap)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY);
	struct fg_link l;

	if (fg_nl_link_get(ifname, &l))
		return 0;
	hook.ifindex = (int)l.ifindex;
	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

static struct fg_link link_of(const char *ifname)
{
	struct fg_link l;

	assert_int_equal(fg_nl_link_get(ifname, &l), 0);
	return l;
}

/* A 2-instruction program of someone else: return `ret`. */
static int load_foreign(enum bpf_prog_type type, const char *name, int ret)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = ret },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	int fd = bpf_prog_load(type, name, "GPL", insns, 2, NULL);

	assert_true(fd >= 0);
	return fd;
}

/* What a successful attach must show on the interface. */
static void check_attached(const struct fg_attachment *a, const char *ifname,
			   enum fg_xdp_mode mode)
{
	struct fg_link l = link_of(ifname);
	char name[32];

	assert_int_equal(a->ifindex, l.ifindex);
	assert_string_equal(a->ifname, ifname);
	assert_int_equal(a->mode, mode);
	assert_int_not_equal(a->tc_egress_prog_id, 0);
	assert_int_equal(tc_prog_at_our_slot(ifname, BPF_TC_EGRESS),
			 a->tc_egress_prog_id);
	prog_name(a->tc_egress_prog_id, name, sizeof(name));
	assert_string_equal(name, FG_BPF_PROG_TC_OUT);

	if (mode == FG_XDP_NONE) {
		assert_int_equal(a->xdp_prog_id, 0);
		assert_int_equal(l.xdp_prog_id, 0);
		assert_int_not_equal(a->tc_ingress_prog_id, 0);
		assert_int_equal(tc_prog_at_our_slot(ifname, BPF_TC_INGRESS),
				 a->tc_ingress_prog_id);
		prog_name(a->tc_ingress_prog_id, name, sizeof(name));
		assert_string_equal(name, FG_BPF_PROG_TC_IN);
		return;
	}
	assert_int_equal(a->tc_ingress_prog_id, 0);
	assert_int_equal(tc_prog_at_our_slot(ifname, BPF_TC_INGRESS), 0);
	assert_int_not_equal(a->xdp_prog_id, 0);
	prog_name(a->xdp_prog_id, name, sizeof(name));
	assert_string_equal(name, FG_BPF_PROG_XDP);
	assert_int_equal(l.xdp_attached, mode == FG_XDP_NATIVE ?
			 XDP_ATTACHED_DRV : XDP_ATTACHED_SKB);
	if (a->xdp_dispatcher) {
		prog_name(l.xdp_prog_id, name, sizeof(name));
		assert_string_equal(name, "xdp_dispatcher");
	} else {
		assert_int_equal(l.xdp_prog_id, a->xdp_prog_id);
	}
}

/* Nothing of ours on the interface. */
static void check_clean(const char *ifname)
{
	struct fg_link l = link_of(ifname);

	assert_int_equal(l.xdp_prog_id, 0);
	assert_int_equal(l.xdp_attached, XDP_ATTACHED_NONE);
	assert_int_equal(tc_prog_at_our_slot(ifname, BPF_TC_EGRESS), 0);
	assert_int_equal(tc_prog_at_our_slot(ifname, BPF_TC_INGRESS), 0);
}

/* ------------------------------------------------------------------------ */
/* Namespace setup                                                          */
/* ------------------------------------------------------------------------ */

static void ns_cleanup(void)
{
	if (dp_open) {
		fg_dp_close(&dp);
		dp_open = false;
	}
	if (host_ns_fd >= 0) {
		if (setns(host_ns_fd, CLONE_NEWNET))
			perror("setns back to the host namespace");
		close(host_ns_fd);
		host_ns_fd = -1;
	}
	if (ns_created) {
		sh("ip netns del %s 2>/dev/null", ns_name);
		ns_created = false;
	}
}

static int group_setup(void **state)
{
	struct fg_dp_opts opts = { .max_rules = 64, .flow_entries = 1024,
				   .frag_entries = 64 };
	char path[64];
	int fd, err;

	is_root = geteuid() == 0;
	if (!is_root) {
		printf("SKIP reason: needs root (network namespaces, BPF)\n");
		return 0;
	}
	snprintf(ns_name, sizeof(ns_name), "fgna%d", (int)getpid());
	atexit(ns_cleanup);
	if (sh("ip netns add %s", ns_name))
		return -1;
	ns_created = true;
	if (sh("ip -n %s link add %s type veth peer name %s", ns_name, IF0,
	       IF1) ||
	    sh("ip -n %s link set %s mtu 1400 up", ns_name, IF0) ||
	    sh("ip -n %s link set %s up", ns_name, IF1))
		return -1;

	host_ns_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/run/netns/%s", ns_name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (host_ns_fd < 0 || fd < 0 || setns(fd, CLONE_NEWNET)) {
		perror("entering the test namespace");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);

	err = fg_dp_open(&dp, &opts);
	if (err) {
		fprintf(stderr, "fg_dp_open: %s\n", strerror(-err));
		return -1;
	}
	dp_open = true;
	return 0;
}

static int group_teardown(void **state)
{
	ns_cleanup();
	return 0;
}

#define NEED_ROOT()						\
	do {							\
		if (!is_root) {					\
			printf("needs root: skipped\n");	\
			skip();					\
		}						\
	} while (0)

/* ------------------------------------------------------------------------ */
/* Cases                                                                    */
/* ------------------------------------------------------------------------ */

static void test_mode_names(void **state)
{
	static const char *const names[] = { "auto", "native", "generic",
					      "none" };
	enum fg_xdp_mode m;
	int i;

	for (i = 0; i < 4; i++) {
		assert_int_equal(fg_xdp_mode_parse(names[i], &m), 0);
		assert_int_equal(m, i);
		assert_string_equal(fg_xdp_mode_name(m), names[i]);
	}
	assert_int_equal(fg_xdp_mode_parse("Native", &m), -EINVAL);
	assert_int_equal(fg_xdp_mode_parse("", &m), -EINVAL);
	assert_int_equal(fg_xdp_mode_parse("skb", &m), -EINVAL);
	assert_int_equal(fg_xdp_mode_parse(NULL, &m), -EINVAL);
}

static void test_link_lookup(void **state)
{
	struct fg_link l0, l1, byidx, *v = NULL;
	bool seen0 = false, seen1 = false, seen_lo = false;
	size_t n = 0, i;

	NEED_ROOT();
	assert_int_equal(fg_nl_link_get(IF0, &l0), 0);
	assert_true(l0.ifindex > 0);
	assert_string_equal(l0.name, IF0);
	assert_string_equal(l0.kind, "veth");
	assert_true(l0.up);
	assert_int_equal(l0.mtu, 1400);
	assert_int_equal(l0.xdp_attached, XDP_ATTACHED_NONE);
	assert_int_equal(l0.xdp_prog_id, 0);

	/* down, with no carrier */
	assert_int_equal(sh("ip link set %s down", IF1), 0);
	assert_int_equal(fg_nl_link_get(IF1, &l1), 0);
	assert_false(l1.up);
	assert_false(l1.lower_up);
	assert_int_equal(l1.mtu, 1500);
	assert_int_equal(sh("ip link set %s up", IF1), 0);
	assert_int_equal(fg_nl_link_get(IF1, &l1), 0);
	assert_true(l1.up);
	assert_true(l1.lower_up);

	assert_int_equal(fg_nl_link_get_index(l0.ifindex, &byidx), 0);
	assert_string_equal(byidx.name, IF0);
	assert_int_equal(byidx.mtu, 1400);

	assert_int_equal(fg_nl_link_list(&v, &n), 0);
	assert_int_equal(n, 3);		/* lo + the pair, nothing else */
	for (i = 0; i < n; i++) {
		if (!strcmp(v[i].name, "lo")) {
			seen_lo = true;
			assert_string_equal(v[i].kind, "");
		}
		if (!strcmp(v[i].name, IF0)) {
			seen0 = true;
			assert_int_equal(v[i].ifindex, l0.ifindex);
		}
		if (!strcmp(v[i].name, IF1)) {
			seen1 = true;
			assert_int_equal(v[i].ifindex, l1.ifindex);
		}
	}
	free(v);
	assert_true(seen0 && seen1 && seen_lo);
}

struct watch {
	struct fg_link link;
	int type;	/* RTM_NEWLINK / RTM_DELLINK of "fgnaw" seen last */
};

static int watch_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct watch *w = arg;
	struct fg_link l;

	if (fg_nl_link_parse(nlh, &l) || strcmp(l.name, "fgnaw"))
		return 0;
	w->link = l;
	w->type = nlh->nlmsg_type;
	return 0;
}

/* Wait up to 5 s for a notification of the given type about "fgnaw". */
static int watch_for(struct fg_nl *nl, struct watch *w, int type)
{
	struct pollfd p = { .fd = fg_nl_fd(nl), .events = POLLIN };
	int i;

	for (i = 0; i < 50 && w->type != type; i++) {
		if (poll(&p, 1, 100) < 0)
			return -errno;
		if (p.revents & POLLIN) {
			int err = fg_nl_recv(nl, watch_cb, w);

			if (err)
				return err;
		}
	}
	return w->type == type ? 0 : -ETIMEDOUT;
}

/* The socket core a link watcher will use: RTNLGRP_LINK notifications. */
static void test_link_watch(void **state)
{
	unsigned int groups[] = { RTNLGRP_LINK };
	struct watch w = { .type = 0 };
	struct fg_nl nl;

	NEED_ROOT();
	assert_int_equal(fg_nl_open(&nl, groups, 1), 0);
	assert_true(fg_nl_fd(&nl) >= 0);
	assert_int_equal(sh("ip link add fgnaw mtu 1300 type veth peer name fgnaw1"),
			 0);
	assert_int_equal(watch_for(&nl, &w, RTM_NEWLINK), 0);
	assert_string_equal(w.link.kind, "veth");
	assert_int_equal(w.link.mtu, 1300);
	assert_int_equal(w.link.ifindex, link_of("fgnaw").ifindex);
	assert_int_equal(sh("ip link del fgnaw"), 0);
	assert_int_equal(watch_for(&nl, &w, RTM_DELLINK), 0);
	fg_nl_close(&nl);
	fg_nl_close(&nl);	/* harmless twice */
}

static void test_link_missing(void **state)
{
	struct fg_attachment a;
	struct fg_link l;
	char err[256];

	NEED_ROOT();
	assert_int_equal(fg_nl_link_get("fgnosuch0", &l), -ENODEV);
	assert_int_equal(fg_nl_link_get("", &l), -ENODEV);
	assert_int_equal(fg_nl_link_get("a-name-much-too-long-for-a-link", &l),
			 -ENODEV);
	assert_int_equal(fg_nl_link_get_index(0x7ffffff0, &l), -ENODEV);
	assert_int_equal(fg_nl_link_get_index(0, &l), -ENODEV);

	assert_int_equal(fg_attach(&dp, "fgnosuch0", FG_XDP_AUTO, &a, err,
				   sizeof(err)), -ENODEV);
	assert_string_equal(err, "interface fgnosuch0 does not exist");
	assert_int_equal(fg_detach_leftovers("fgnosuch0", NULL), -ENODEV);
	/* a failed attach leaves nothing to detach */
	assert_int_equal(fg_detach(&a), 0);
}

static void attach_detach(enum fg_xdp_mode want, enum fg_xdp_mode got)
{
	struct fg_attachment a, b;
	char err[512];

	assert_false(has_clsact(IF0));
	assert_int_equal(fg_attach(&dp, IF0, want, &a, err, sizeof(err)), 0);
	printf("%s: %s, %s\n", fg_xdp_mode_name(want), fg_xdp_mode_name(a.mode),
	       a.mode == FG_XDP_NONE ? "no XDP" : a.xdp_dispatcher ?
	       "through libxdp's dispatcher" : "without dispatcher");
	check_attached(&a, IF0, got);
	assert_true(a.created_clsact);
	assert_true(has_clsact(IF0));

	/* a second instance is refused and changes nothing */
	assert_int_equal(fg_attach(&dp, IF0, want, &b, err, sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "flowgate detach --iface " IF0));
	check_attached(&a, IF0, got);

	assert_int_equal(fg_detach(&a), 0);
	check_clean(IF0);
	assert_false(has_clsact(IF0));	/* we created it */
	assert_int_equal(fg_detach(&a), 0);	/* idempotent */
	check_clean(IF0);
}

static void test_attach_native(void **state)
{
	NEED_ROOT();
	attach_detach(FG_XDP_NATIVE, FG_XDP_NATIVE);
}

static void test_attach_generic(void **state)
{
	NEED_ROOT();
	attach_detach(FG_XDP_GENERIC, FG_XDP_GENERIC);
}

static void test_attach_auto(void **state)
{
	NEED_ROOT();
	attach_detach(FG_XDP_AUTO, FG_XDP_NATIVE);	/* veth has native */
}

/* lo has no native XDP: auto falls back to generic */
static void test_attach_auto_fallback(void **state)
{
	struct fg_attachment a;
	char err[512];

	NEED_ROOT();
	assert_int_equal(fg_attach(&dp, "lo", FG_XDP_NATIVE, &a, err,
				   sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "cannot attach XDP to lo: native mode"));
	check_clean("lo");
	assert_false(has_clsact("lo"));

	assert_int_equal(fg_attach(&dp, "lo", FG_XDP_AUTO, &a, err,
				   sizeof(err)), 0);
	check_attached(&a, "lo", FG_XDP_GENERIC);
	assert_int_equal(fg_detach(&a), 0);
	check_clean("lo");
	assert_false(has_clsact("lo"));
}

static void test_attach_none(void **state)
{
	NEED_ROOT();
	attach_detach(FG_XDP_NONE, FG_XDP_NONE);
}

/* Someone else's XDP program, attached without libxdp: refused, naming it;
 * nothing of ours stays behind. TC-only mode still works. */
static void test_foreign_xdp(void **state)
{
	struct fg_attachment a;
	char err[512], want[128];
	struct fg_link l;
	int fd, id;

	NEED_ROOT();
	l = link_of(IF1);
	fd = load_foreign(BPF_PROG_TYPE_XDP, "foreign_xdp", XDP_PASS);
	assert_int_equal(bpf_xdp_attach((int)l.ifindex, fd,
					XDP_FLAGS_SKB_MODE, NULL), 0);
	l = link_of(IF1);
	id = (int)l.xdp_prog_id;
	assert_int_not_equal(id, 0);

	assert_int_equal(fg_attach(&dp, IF1, FG_XDP_AUTO, &a, err, sizeof(err)),
			 -EBUSY);
	snprintf(want, sizeof(want), "XDP program %d (foreign_xdp)", id);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "generic mode"));
	assert_int_equal(link_of(IF1).xdp_prog_id, id);
	assert_int_equal(tc_prog_at_our_slot(IF1, BPF_TC_EGRESS), 0);
	assert_false(has_clsact(IF1));
	assert_int_equal(fg_attach(&dp, IF1, FG_XDP_NATIVE, &a, err,
				   sizeof(err)), -EBUSY);

	/* leftover removal leaves it alone */
	assert_int_equal(fg_detach_leftovers(IF1, NULL), 0);
	assert_int_equal(link_of(IF1).xdp_prog_id, id);

	assert_int_equal(fg_attach(&dp, IF1, FG_XDP_NONE, &a, err, sizeof(err)),
			 0);
	assert_int_equal(link_of(IF1).xdp_prog_id, id);
	assert_int_not_equal(a.tc_ingress_prog_id, 0);
	assert_int_equal(fg_detach(&a), 0);
	assert_int_equal(link_of(IF1).xdp_prog_id, id);
	assert_false(has_clsact(IF1));

	assert_int_equal(bpf_xdp_detach((int)l.ifindex, XDP_FLAGS_SKB_MODE,
					NULL), 0);
	close(fd);
	check_clean(IF1);
}

/* A libxdp dispatcher whose pinned state is not visible here (what a
 * flowgate killed inside `ip netns exec` leaves: its bpffs went with its
 * mount namespace). Stand-in: a BTF-less program named like libxdp's. */
static void test_orphan_dispatcher(void **state)
{
	struct fg_attachment a;
	char err[512], *report = NULL;
	size_t report_len = 0;
	struct fg_link l;
	FILE *f;
	int fd;

	NEED_ROOT();
	l = link_of(IF1);
	fd = load_foreign(BPF_PROG_TYPE_XDP, "xdp_dispatcher", XDP_PASS);
	assert_int_equal(bpf_xdp_attach((int)l.ifindex, fd,
					XDP_FLAGS_DRV_MODE, NULL), 0);
	close(fd);	/* the interface holds it now */

	assert_int_equal(fg_attach(&dp, IF1, FG_XDP_AUTO, &a, err, sizeof(err)),
			 -EBUSY);
	assert_non_null(strstr(err, "libxdp dispatcher"));
	assert_non_null(strstr(err, "/sys/fs/bpf/xdp"));

	f = open_memstream(&report, &report_len);
	assert_non_null(f);
	assert_int_equal(fg_detach_leftovers(IF1, f), 1);
	fclose(f);
	assert_non_null(strstr(report, IF1 ": removed empty libxdp dispatcher"));
	free(report);
	check_clean(IF1);
}

/* A filter of someone else at our TC handle/priority: the attach fails,
 * undoes its XDP part, and leftover removal does not touch that filter. */
static void test_tc_conflict(void **state)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .attach_point = BPF_TC_EGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY);
	struct fg_attachment a;
	char err[512];
	__u32 foreign;
	int fd;

	NEED_ROOT();
	hook.ifindex = (int)link_of(IF0).ifindex;
	assert_int_equal(bpf_tc_hook_create(&hook), 0);
	fd = load_foreign(BPF_PROG_TYPE_SCHED_CLS, "foreign_tc", TC_ACT_OK);
	opts.prog_fd = fd;
	assert_int_equal(bpf_tc_attach(&hook, &opts), 0);
	foreign = opts.prog_id;

	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_NATIVE, &a, err,
				   sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "foreign_tc"));
	assert_non_null(strstr(err, "flowgate detach --iface " IF0));
	assert_int_equal(link_of(IF0).xdp_prog_id, 0);	/* XDP undone */
	assert_int_equal(tc_prog_at_our_slot(IF0, BPF_TC_EGRESS), foreign);

	assert_int_equal(fg_detach_leftovers(IF0, NULL), 0);
	assert_int_equal(tc_prog_at_our_slot(IF0, BPF_TC_EGRESS), foreign);

	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	assert_int_equal(bpf_tc_hook_destroy(&hook), 0);
	close(fd);
	check_clean(IF0);
	assert_false(has_clsact(IF0));
}

/* clsact is removed only when we created it and nobody else uses it. */
static void test_clsact_ownership(void **state)
{
	struct fg_attachment a;
	char err[512], buf[4096];

	NEED_ROOT();
	/* there before us: kept */
	assert_int_equal(sh("tc qdisc add dev %s clsact", IF0), 0);
	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_NONE, &a, err, sizeof(err)),
			 0);
	assert_false(a.created_clsact);
	assert_int_equal(fg_nl_qdisc_kind(a.ifindex, TC_H_INGRESS, buf,
					  sizeof(buf)), 0);
	assert_string_equal(buf, "clsact");
	assert_int_equal(fg_nl_tc_filter_count(a.ifindex,
					       TC_H_MAKE(TC_H_CLSACT,
							 TC_H_MIN_EGRESS)), 1);
	assert_int_equal(fg_detach(&a), 0);
	check_clean(IF0);
	assert_true(has_clsact(IF0));
	assert_int_equal(sh("tc qdisc del dev %s clsact", IF0), 0);

	/* ours, but someone added a filter meanwhile: kept, with the filter */
	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_GENERIC, &a, err,
				   sizeof(err)), 0);
	assert_true(a.created_clsact);
	assert_int_equal(sh("tc filter add dev %s egress prio 3 u32 match u32 0 0",
			    IF0), 0);
	assert_int_equal(fg_detach(&a), 0);
	check_clean(IF0);
	assert_true(has_clsact(IF0));
	capture(buf, sizeof(buf), "tc filter show dev %s egress", IF0);
	assert_non_null(strstr(buf, "u32"));
	assert_int_equal(sh("tc qdisc del dev %s clsact", IF0), 0);
	assert_int_equal(fg_nl_tc_filter_count(link_of(IF0).ifindex,
					       TC_H_MAKE(TC_H_CLSACT,
							 TC_H_MIN_EGRESS)), 0);

	/* a plain ingress qdisc in clsact's slot: refused, left alone, and
	 * XDP undone (the kernel would put an "egress" filter on ingress) */
	assert_int_equal(sh("tc qdisc add dev %s ingress", IF0), 0);
	assert_int_equal(fg_nl_qdisc_kind(link_of(IF0).ifindex, TC_H_INGRESS,
					  buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ingress");
	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_NATIVE, &a, err,
				   sizeof(err)), -EBUSY);
	assert_non_null(strstr(err, "\"ingress\" qdisc"));
	check_clean(IF0);
	assert_int_equal(sh("tc qdisc del dev %s ingress", IF0), 0);
	assert_int_equal(fg_nl_qdisc_kind(link_of(IF0).ifindex, TC_H_INGRESS,
					  buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* Simulated crash: handles dropped without detaching, then `detach`. */
static void test_leftovers(void **state)
{
	struct fg_attachment a0, a1;
	char err[512], *report = NULL;
	size_t report_len = 0;
	FILE *f;
	int n;

	NEED_ROOT();
	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_NATIVE, &a0, err,
				   sizeof(err)), 0);
	assert_int_equal(fg_attach(&dp, IF1, FG_XDP_NONE, &a1, err,
				   sizeof(err)), 0);
	/* the crash: user-space handles go away, the kernel keeps the rest */
	xdp_program__close(a0.xdp_prog);
	fg_dp_xdp_close(a0.xdp_skel);
	memset(&a0, 0, sizeof(a0));
	memset(&a1, 0, sizeof(a1));
	assert_int_not_equal(link_of(IF0).xdp_prog_id, 0);
	assert_int_not_equal(tc_prog_at_our_slot(IF1, BPF_TC_INGRESS), 0);

	f = open_memstream(&report, &report_len);
	assert_non_null(f);
	n = fg_detach_leftovers(NULL, f);
	fclose(f);
	printf("%s", report);
	assert_int_equal(n, 4);	/* XDP + egress on IF0, both TC on IF1 */
	assert_non_null(strstr(report, IF0 ": removed XDP program"));
	assert_non_null(strstr(report, IF0 ": removed TC egress filter"));
	assert_non_null(strstr(report, IF1 ": removed TC ingress filter"));
	assert_non_null(strstr(report, IF1 ": removed TC egress filter"));
	free(report);
	check_clean(IF0);
	check_clean(IF1);
	assert_int_equal(fg_detach_leftovers(NULL, NULL), 0);

	/* a fresh attach works again; the clsact left behind is reused */
	assert_int_equal(fg_attach(&dp, IF0, FG_XDP_AUTO, &a0, err,
				   sizeof(err)), 0);
	assert_false(a0.created_clsact);
	assert_int_equal(fg_detach(&a0), 0);
	check_clean(IF0);
	assert_int_equal(sh("tc qdisc del dev %s clsact", IF0), 0);
	assert_int_equal(sh("tc qdisc del dev %s clsact", IF1), 0);
}

/* The interface disappears under an attachment: detach still succeeds. */
static void test_detach_after_link_gone(void **state)
{
	struct fg_attachment a;
	char err[512];

	NEED_ROOT();
	assert_int_equal(sh("ip link add fgnatmp type veth peer name fgnatmp1"),
			 0);
	assert_int_equal(fg_attach(&dp, "fgnatmp", FG_XDP_NATIVE, &a, err,
				   sizeof(err)), 0);
	assert_int_equal(sh("ip link del fgnatmp"), 0);
	assert_int_equal(fg_detach(&a), 0);
	assert_null(a.xdp_prog);
	assert_int_equal(a.xdp_prog_id, 0);
}

/* In a private mount namespace without bpffs at /sys/fs/bpf, it gets
 * mounted; the host's mounts are untouched. */
static void test_bpffs_ensure(void **state)
{
	int status;
	pid_t pid;

	NEED_ROOT();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct statfs st;

		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(10);
		while (statfs("/sys/fs/bpf", &st) == 0 &&
		       (unsigned long)st.f_type == BPF_FS_MAGIC)
			if (umount2("/sys/fs/bpf", MNT_DETACH))
				_exit(11);
		if (fg_bpffs_ensure())
			_exit(12);
		if (statfs("/sys/fs/bpf", &st) ||
		    (unsigned long)st.f_type != BPF_FS_MAGIC)
			_exit(13);
		if (fg_bpffs_ensure())	/* already there: no second mount */
			_exit(14);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* libbpf/libxdp explain every expected refusal on stderr; keep the log to
 * the cases unless asked. */
static int quiet_bpf(enum libbpf_print_level level, const char *fmt,
		     va_list ap)
{
	return 0;
}

static int quiet_xdp(enum libxdp_print_level level, const char *fmt,
		     va_list ap)
{
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode_names),
		cmocka_unit_test(test_link_lookup),
		cmocka_unit_test(test_link_watch),
		cmocka_unit_test(test_link_missing),
		cmocka_unit_test(test_attach_native),
		cmocka_unit_test(test_attach_generic),
		cmocka_unit_test(test_attach_auto),
		cmocka_unit_test(test_attach_auto_fallback),
		cmocka_unit_test(test_attach_none),
		cmocka_unit_test(test_foreign_xdp),
		cmocka_unit_test(test_orphan_dispatcher),
		cmocka_unit_test(test_tc_conflict),
		cmocka_unit_test(test_clsact_ownership),
		cmocka_unit_test(test_leftovers),
		cmocka_unit_test(test_detach_after_link_gone),
		cmocka_unit_test(test_bpffs_ensure),
	};

	if (!getenv("FG_TEST_VERBOSE")) {
		libbpf_set_print(quiet_bpf);
		libxdp_set_print(quiet_xdp);
	}
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
