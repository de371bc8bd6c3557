// SPDX-License-Identifier: GPL-2.0-only
/*
 * attach.c - put flowgate's programs on an interface and take them off again.
 *
 * XDP goes through libxdp, which loads our program into its multi-program
 * dispatcher when bpffs is mounted (so other XDP programs can share the
 * interface) and otherwise attaches it alone ("legacy" attach). TC programs
 * go on a clsact qdisc with a fixed handle/priority (FG_TC_HANDLE,
 * FG_TC_PRIORITY) so that `flowgate detach` finds them after a crash.
 *
 * Ownership rules, so detach removes exactly what attach added:
 *  - the clsact qdisc is removed only if this attach created it and no
 *    other filter was added to it since (counted with a netlink dump);
 *  - a TC filter is removed only if it still runs the program we attached;
 *  - XDP: libxdp removes our program from the dispatcher (and the dispatcher
 *    itself when ours was the last program in it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/pkt_sched.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "flowgate.h"
#include "attach.h"
#include "netlink.h"
#include "flowgate_xdp.skel.h"

#define FG_BPFFS_DIR		"/sys/fs/bpf"
#define XDP_DISPATCHER_NAME	"xdp_dispatcher"	/* libxdp's main program */
#define FG_TC_PARENT_INGRESS	TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define FG_TC_PARENT_EGRESS	TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static const char *const xdp_mode_names[] = {
	[FG_XDP_AUTO] = "auto",
	[FG_XDP_NATIVE] = "native",
	[FG_XDP_GENERIC] = "generic",
	[FG_XDP_NONE] = "none",
};

int fg_xdp_mode_parse(const char *s, enum fg_xdp_mode *mode)
{
	size_t i;

	if (!s || !mode)
		return -EINVAL;
	for (i = 0; i < sizeof(xdp_mode_names) / sizeof(xdp_mode_names[0]); i++) {
		if (!strcmp(s, xdp_mode_names[i])) {
			*mode = (enum fg_xdp_mode)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *fg_xdp_mode_name(enum fg_xdp_mode mode)
{
	if ((unsigned int)mode >= sizeof(xdp_mode_names) / sizeof(xdp_mode_names[0]))
		return "unknown";
	return xdp_mode_names[mode];
}

static const char *libxdp_mode_name(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return "native";
	case XDP_MODE_SKB:
		return "generic";
	case XDP_MODE_HW:
		return "offload";
	default:
		return "unknown";
	}
}

static __u32 xdp_flags_of(enum xdp_attach_mode m)
{
	switch (m) {
	case XDP_MODE_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW:
		return XDP_FLAGS_HW_MODE;
	default:
		return 0;
	}
}

#define errf(buf, len, ...)					\
	do {							\
		if ((buf) && (len))				\
			snprintf((buf), (len), __VA_ARGS__);	\
	} while (0)

/* Name of a loaded program, "" if it cannot be read. */
static int prog_name_by_id(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info;
	__u32 ilen = sizeof(info);
	int fd, err = 0;

	name[0] = '\0';
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &ilen))
		err = -errno;
	else
		snprintf(name, len, "%s", info.name);
	close(fd);
	return err;
}

/*
 * libxdp 1.3 reports "nothing attached" and real errors both as a NULL or
 * error pointer; netlink tells the two apart first. Returns NULL with
 * *err == 0 when no XDP program is attached.
 */
static struct xdp_multiprog *mp_get(__u32 ifindex, int *err)
{
	struct xdp_multiprog *mp;
	struct fg_link link;
	long e;

	*err = fg_nl_link_get_index(ifindex, &link);
	if (*err)
		return NULL;
	if (!link.xdp_prog_id)
		return NULL;
	errno = 0;
	mp = xdp_multiprog__get_from_ifindex((int)ifindex);
	e = libxdp_get_error(mp);
	if (mp && !e)
		return mp;
	*err = e ? (int)e : -ENOENT;
	if (*err == -ENOENT)	/* detached in between */
		*err = 0;
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* bpffs                                                                    */
/* ------------------------------------------------------------------------ */

int fg_bpffs_ensure(void)
{
	struct statfs st;

	if (statfs(FG_BPFFS_DIR, &st) == 0 &&
	    (unsigned long)st.f_type == BPF_FS_MAGIC)
		return 0;
	/* sysfs provides the mount point; mkdir only matters on a tmpfs-like
	 * /sys/fs (some containers). */
	if (mkdir(FG_BPFFS_DIR, 0700) && errno != EEXIST)
		return -errno;
	if (mount("bpf", FG_BPFFS_DIR, "bpf", 0, "mode=0700"))
		return -errno;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* XDP                                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Look at what is already attached. Refuses a program that is not in a
 * libxdp dispatcher (libxdp cannot share the hook with it), our own program
 * (another instance or a leftover), and a dispatcher in a mode other than
 * the one asked for (the kernel has one XDP mode per interface). On success
 * *dmode is the mode of an existing dispatcher, or XDP_MODE_UNSPEC.
 */
static int xdp_check_existing(const struct fg_attachment *a,
			      enum fg_xdp_mode want, enum xdp_attach_mode *dmode,
			      char *errbuf, size_t errlen)
{
	struct xdp_program *main_prog, *p = NULL;
	struct xdp_multiprog *mp;
	enum xdp_attach_mode m;
	const char *name;
	int err, n = 0;

	*dmode = XDP_MODE_UNSPEC;
	mp = mp_get(a->ifindex, &err);
	if (!mp) {
		if (err)
			errf(errbuf, errlen,
			     "cannot read the XDP programs of %s: %s",
			     a->ifname, strerror(-err));
		return err;
	}
	main_prog = xdp_multiprog__main_prog(mp);
	if (!main_prog)		/* only an offloaded program: no conflict */
		goto out;
	m = xdp_multiprog__attach_mode(mp);
	name = xdp_program__name(main_prog);
	if (!name)
		name = "";

	if (xdp_multiprog__is_legacy(mp)) {
		if (!strcmp(name, FG_BPF_PROG_XDP)) {
			errf(errbuf, errlen,
			     "%s already has flowgate's XDP program %u attached in %s mode: another flowgate runs on it, or one crashed (then remove it with `flowgate detach --iface %s`)",
			     a->ifname, xdp_program__id(main_prog),
			     libxdp_mode_name(m), a->ifname);
			err = -EEXIST;
		} else if (!strcmp(name, XDP_DISPATCHER_NAME)) {
			errf(errbuf, errlen,
			     "%s has a libxdp dispatcher (program %u, %s mode) whose state is not in %s/xdp here (attached from another mount namespace, e.g. `ip netns exec`?); flowgate cannot join it",
			     a->ifname, xdp_program__id(main_prog),
			     libxdp_mode_name(m), FG_BPFFS_DIR);
			err = -EBUSY;
		} else {
			errf(errbuf, errlen,
			     "%s already has XDP program %u (%s) attached in %s mode, not through libxdp's dispatcher",
			     a->ifname, xdp_program__id(main_prog),
			     name[0] ? name : "unnamed", libxdp_mode_name(m));
			err = -EBUSY;
		}
		goto out;
	}

	while ((p = xdp_multiprog__next_prog(p, mp))) {
		n++;
		name = xdp_program__name(p);
		if (name && !strcmp(name, FG_BPF_PROG_XDP)) {
			errf(errbuf, errlen,
			     "%s already has flowgate's XDP program %u in libxdp's dispatcher (%s mode): another flowgate runs on it, or one crashed (then remove it with `flowgate detach --iface %s`)",
			     a->ifname, xdp_program__id(p), libxdp_mode_name(m),
			     a->ifname);
			err = -EEXIST;
			goto out;
		}
	}
	if ((want == FG_XDP_NATIVE && m != XDP_MODE_NATIVE) ||
	    (want == FG_XDP_GENERIC && m != XDP_MODE_SKB)) {
		errf(errbuf, errlen,
		     "%s has a libxdp dispatcher with %d program(s) in %s mode; flowgate can only join it in that mode (--xdp-mode %s or auto)",
		     a->ifname, n, libxdp_mode_name(m), libxdp_mode_name(m));
		err = -EBUSY;
		goto out;
	}
	*dmode = m;
out:
	xdp_multiprog__close(mp);
	return err;
}

/* One attach attempt in one mode, with a fresh skeleton each time: a failed
 * attempt may leave the object loaded for the other program type.
 * *refused: the program loaded and the kernel refused the attach in mode m
 * (another mode could work), as opposed to a failure of any mode. */
static int xdp_try(struct fg_datapath *dp, struct fg_attachment *a,
		   enum xdp_attach_mode m, bool *refused, char *why,
		   size_t whylen)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts);
	struct flowgate_xdp_bpf *skel = NULL;
	struct xdp_program *prog;
	int err;

	*refused = false;
	err = fg_dp_xdp_open(dp, &skel);
	if (err) {
		errf(why, whylen, "cannot open the XDP program: %s",
		     strerror(-err));
		return err;
	}
	/* By program name rather than section: the name is what detach and
	 * status look for. */
	opts.obj = skel->obj;
	opts.prog_name = FG_BPF_PROG_XDP;
	errno = 0;
	prog = xdp_program__create(&opts);
	err = (int)libxdp_get_error(prog);
	if (!prog || err) {
		err = err ? err : -ENOENT;
		errf(why, whylen, "no XDP program named %s in the object: %s",
		     FG_BPF_PROG_XDP, strerror(-err));
		goto out_skel;
	}
	err = xdp_program__attach(prog, (int)a->ifindex, m, 0);
	if (err) {
		if (err > 0)
			err = -err;
		/* libxdp loads the program as part of attaching; no fd means
		 * the load (verifier, maps) failed, not the attach. */
		if (xdp_program__fd(prog) < 0) {
			errf(why, whylen,
			     "%s mode: cannot load the XDP program: %s",
			     libxdp_mode_name(m), strerror(-err));
			goto out_prog;
		}
		*refused = true;
		errf(why, whylen, "%s mode: %s%s", libxdp_mode_name(m),
		     strerror(-err),
		     err == -EOPNOTSUPP ? " (driver lacks native XDP?)" :
		     err == -EEXIST || err == -EBUSY ?
			" (another XDP program or mode is in use)" : "");
		goto out_prog;
	}
	a->xdp_prog = prog;
	a->xdp_skel = skel;
	return 0;

out_prog:
	xdp_program__close(prog);
out_skel:
	fg_dp_xdp_close(skel);
	return err;
}

/*
 * Attach XDP in mode `want`. With no_generic, where FG_XDP_AUTO would fall
 * back to generic XDP it attaches nothing instead, returns 0 with a->mode
 * left FG_XDP_NONE, and `note` says why.
 */
static int xdp_attach(struct fg_datapath *dp, struct fg_attachment *a,
		      enum fg_xdp_mode want, bool no_generic, char *note,
		      size_t notelen, char *errbuf, size_t errlen)
{
	enum xdp_attach_mode modes[2], dmode, got;
	char why[2][160] = { "", "" };
	struct xdp_multiprog *mp;
	bool refused = false;
	int i, n = 0, err;

	err = xdp_check_existing(a, want, &dmode, errbuf, errlen);
	if (err)
		return err;

	if (no_generic && dmode == XDP_MODE_SKB) {
		errf(note, notelen, "its libxdp dispatcher runs in generic mode");
		return 0;
	}
	if (dmode != XDP_MODE_UNSPEC)
		modes[n++] = dmode;	/* join the existing dispatcher */
	else if (want == FG_XDP_NATIVE)
		modes[n++] = XDP_MODE_NATIVE;
	else if (want == FG_XDP_GENERIC)
		modes[n++] = XDP_MODE_SKB;
	else {
		modes[n++] = XDP_MODE_NATIVE;
		if (!no_generic)
			modes[n++] = XDP_MODE_SKB;
	}

	for (i = 0; i < n; i++) {
		err = xdp_try(dp, a, modes[i], &refused, why[i],
			      sizeof(why[i]));
		if (!err)
			break;
	}
	/* Where auto would have tried generic next. */
	if (err && refused && no_generic && want == FG_XDP_AUTO &&
	    dmode == XDP_MODE_UNSPEC) {
		errf(note, notelen, "%s", why[0]);
		return 0;
	}
	if (err) {
		if (n == 2)
			errf(errbuf, errlen,
			     "cannot attach XDP to %s: %s; %s", a->ifname,
			     why[0], why[1]);
		else
			errf(errbuf, errlen, "cannot attach XDP to %s: %s",
			     a->ifname, why[0]);
		return err;
	}

	a->xdp_prog_id = xdp_program__id(a->xdp_prog);
	got = xdp_program__is_attached(a->xdp_prog, (int)a->ifindex);
	if (got != XDP_MODE_NATIVE && got != XDP_MODE_SKB) {
		/* libxdp said yes but the interface does not show it */
		errf(errbuf, errlen,
		     "XDP program %u is not attached to %s after attaching it",
		     a->xdp_prog_id, a->ifname);
		err = -EIO;
		goto out_detach;
	}
	a->mode = got == XDP_MODE_NATIVE ? FG_XDP_NATIVE : FG_XDP_GENERIC;
	mp = mp_get(a->ifindex, &err);
	if (mp) {
		a->xdp_dispatcher = !xdp_multiprog__is_legacy(mp);
		xdp_multiprog__close(mp);
	}
	return 0;

out_detach:
	xdp_program__detach(a->xdp_prog, (int)a->ifindex, modes[i], 0);
	xdp_program__close(a->xdp_prog);
	fg_dp_xdp_close(a->xdp_skel);
	a->xdp_prog = NULL;
	a->xdp_skel = NULL;
	a->xdp_prog_id = 0;
	return err;
}

static int xdp_detach(struct fg_attachment *a)
{
	enum xdp_attach_mode m;
	int err = 0;

	if (a->xdp_prog) {
		m = a->mode == FG_XDP_NATIVE ? XDP_MODE_NATIVE : XDP_MODE_SKB;
		err = xdp_program__detach(a->xdp_prog, (int)a->ifindex, m, 0);
		if (err > 0)
			err = -err;
		/* Gone with its interface: nothing left to remove, but libxdp
		 * may keep pins for the dead ifindex. */
		if (err == -ENOENT || err == -ENODEV) {
			struct fg_link link;

			if (fg_nl_link_get_index(a->ifindex, &link) == -ENODEV)
				libxdp_clean_references((int)a->ifindex);
			err = 0;
		}
		xdp_program__close(a->xdp_prog);
		a->xdp_prog = NULL;
	}
	if (a->xdp_skel) {
		fg_dp_xdp_close(a->xdp_skel);
		a->xdp_skel = NULL;
	}
	a->xdp_prog_id = 0;
	a->xdp_dispatcher = false;
	return err;
}

/* ------------------------------------------------------------------------ */
/* TC                                                                       */
/* ------------------------------------------------------------------------ */

static const char *tc_dir_name(enum bpf_tc_attach_point ap)
{
	return ap == BPF_TC_INGRESS ? "ingress" : "egress";
}

/* Program id of the filter at our handle/priority, 0 if there is none. */
static __u32 tc_query_ours(__u32 ifindex, enum bpf_tc_attach_point ap)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY);

	if (bpf_tc_query(&hook, &opts))
		return 0;
	return opts.prog_id;
}

static int tc_attach_one(struct fg_attachment *a, int prog_fd,
			 enum bpf_tc_attach_point ap, __u32 *prog_id,
			 char *errbuf, size_t errlen)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)a->ifindex,
			    .attach_point = ap);
	/* No BPF_TC_F_REPLACE: a filter already at our handle/priority is a
	 * conflict, never silently taken over. */
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY, .prog_fd = prog_fd);
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int err;

	if (prog_fd < 0) {
		errf(errbuf, errlen, "TC %s program is not loaded",
		     tc_dir_name(ap));
		return -EBADF;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (!err) {
		*prog_id = opts.prog_id;
		return 0;
	}
	if (err == -EEXIST) {
		id = tc_query_ours(a->ifindex, ap);
		prog_name_by_id(id, name, sizeof(name));
		errf(errbuf, errlen,
		     "%s already has a TC %s filter at flowgate's handle/priority (program %u, %s): another flowgate runs on it, or one crashed (then remove it with `flowgate detach --iface %s`)",
		     a->ifname, tc_dir_name(ap), id, name[0] ? name : "unnamed",
		     a->ifname);
	} else {
		errf(errbuf, errlen,
		     "cannot attach the TC %s program to %s: %s%s",
		     tc_dir_name(ap), a->ifname, strerror(-err),
		     err == -EINVAL ?
			" (a filter of another kind at priority 0xf1a, or a non-clsact ingress qdisc?)" : "");
	}
	return err;
}

/* Remove our filter if it still runs the program we attached. */
static int tc_detach_one(__u32 ifindex, enum bpf_tc_attach_point ap,
			 __u32 prog_id)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex,
			    .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY);
	int err;

	if (tc_query_ours(ifindex, ap) != prog_id)
		return 0;	/* gone, or no longer ours */
	err = bpf_tc_detach(&hook, &opts);
	if (err == -ENOENT || err == -ENODEV || err == -EINVAL)
		err = 0;	/* removed in between, or the link is gone */
	return err;
}

/* Remove the clsact qdisc we created, unless someone else uses it now. */
static int tc_destroy_clsact(struct fg_attachment *a)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)a->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int in, eg, err;

	in = fg_nl_tc_filter_count(a->ifindex, FG_TC_PARENT_INGRESS);
	eg = fg_nl_tc_filter_count(a->ifindex, FG_TC_PARENT_EGRESS);
	if (in == -ENODEV || eg == -ENODEV)
		return 0;	/* the qdisc went with the interface */
	if (in < 0)
		return in;
	if (eg < 0)
		return eg;
	if (in || eg)
		return 0;	/* other filters live there now: keep it */
	err = bpf_tc_hook_destroy(&hook);
	if (err == -ENOENT || err == -EINVAL || err == -ENODEV)
		err = 0;
	return err;
}

static int tc_detach(struct fg_attachment *a)
{
	int err = 0, ret;

	if (a->tc_egress_prog_id) {
		ret = tc_detach_one(a->ifindex, BPF_TC_EGRESS,
				    a->tc_egress_prog_id);
		if (ret && !err)
			err = ret;
		a->tc_egress_prog_id = 0;
	}
	if (a->tc_ingress_prog_id) {
		ret = tc_detach_one(a->ifindex, BPF_TC_INGRESS,
				    a->tc_ingress_prog_id);
		if (ret && !err)
			err = ret;
		a->tc_ingress_prog_id = 0;
	}
	if (a->created_clsact) {
		ret = tc_destroy_clsact(a);
		if (ret && !err)
			err = ret;
		a->created_clsact = false;
	}
	return err;
}

static int tc_attach(struct fg_datapath *dp, struct fg_attachment *a,
		     bool ingress_too, char *errbuf, size_t errlen)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)a->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int err;

	/* -EEXIST: a clsact (or ingress) qdisc is there already; it is not
	 * ours to remove. */
	err = bpf_tc_hook_create(&hook);
	if (!err) {
		a->created_clsact = true;
	} else if (err != -EEXIST) {
		errf(errbuf, errlen, "cannot create a clsact qdisc on %s: %s",
		     a->ifname, strerror(-err));
		return err;
	} else {
		char kind[32];

		/* A plain "ingress" qdisc takes the same slot, and the kernel
		 * would then put our egress filter on its ingress block. */
		err = fg_nl_qdisc_kind(a->ifindex, TC_H_INGRESS, kind,
				       sizeof(kind));
		if (err) {
			errf(errbuf, errlen, "cannot read the qdiscs of %s: %s",
			     a->ifname, strerror(-err));
			return err;
		}
		if (strcmp(kind, "clsact")) {
			errf(errbuf, errlen,
			     "%s has a \"%s\" qdisc where flowgate needs clsact (remove it with `tc qdisc del dev %s ingress` if nothing needs it)",
			     a->ifname, kind, a->ifname);
			return -EBUSY;
		}
	}

	err = tc_attach_one(a, fg_dp_tc_egress_fd(dp), BPF_TC_EGRESS,
			    &a->tc_egress_prog_id, errbuf, errlen);
	if (err)
		goto out_undo;
	if (ingress_too) {
		err = tc_attach_one(a, fg_dp_tc_ingress_fd(dp), BPF_TC_INGRESS,
				    &a->tc_ingress_prog_id, errbuf, errlen);
		if (err)
			goto out_undo;
	}
	return 0;

out_undo:
	tc_detach(a);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Attach / detach                                                          */
/* ------------------------------------------------------------------------ */

static int attach(struct fg_datapath *dp, const char *ifname,
		  enum fg_xdp_mode mode, bool no_generic,
		  struct fg_attachment *out, char *note, size_t notelen,
		  char *errbuf, size_t errlen)
{
	struct fg_link link;
	int err;

	if (errbuf && errlen)
		errbuf[0] = '\0';
	if (note && notelen)
		note[0] = '\0';
	if (!dp || !ifname || !out) {
		errf(errbuf, errlen, "invalid arguments");
		return -EINVAL;
	}
	memset(out, 0, sizeof(*out));
	if ((unsigned int)mode > FG_XDP_NONE ||
	    (no_generic && mode == FG_XDP_GENERIC)) {
		errf(errbuf, errlen, "invalid XDP mode %s",
		     fg_xdp_mode_name(mode));
		return -EINVAL;
	}

	err = fg_nl_link_get(ifname, &link);
	if (err == -ENODEV) {
		errf(errbuf, errlen, "interface %s does not exist", ifname);
		return err;
	}
	if (err) {
		errf(errbuf, errlen, "cannot look up interface %s: %s", ifname,
		     strerror(-err));
		return err;
	}
	out->ifindex = link.ifindex;
	snprintf(out->ifname, sizeof(out->ifname), "%s", link.name);
	out->mode = FG_XDP_NONE;

	if (mode != FG_XDP_NONE) {
		err = xdp_attach(dp, out, mode, no_generic, note, notelen,
				 errbuf, errlen);
		if (err)
			goto out_clear;
	}
	/* No XDP (asked for, or declined by xdp_attach): TC ingress too. */
	err = tc_attach(dp, out, out->mode == FG_XDP_NONE, errbuf, errlen);
	if (err)
		goto out_xdp;
	return 0;

out_xdp:
	xdp_detach(out);
out_clear:
	memset(out, 0, sizeof(*out));
	return err;
}

int fg_attach(struct fg_datapath *dp, const char *ifname,
	      enum fg_xdp_mode mode, struct fg_attachment *out,
	      char *errbuf, size_t errlen)
{
	return attach(dp, ifname, mode, false, out, NULL, 0, errbuf, errlen);
}

int fg_attach_no_generic(struct fg_datapath *dp, const char *ifname,
			 enum fg_xdp_mode mode, struct fg_attachment *out,
			 char *note, size_t notelen, char *errbuf,
			 size_t errlen)
{
	return attach(dp, ifname, mode, true, out, note, notelen, errbuf,
		      errlen);
}

int fg_detach(struct fg_attachment *a)
{
	int err, ret;

	if (!a || !a->ifindex)
		return 0;
	/* Every part is removed even if another fails; the first error is
	 * returned, and a second call finds nothing left to do. */
	err = tc_detach(a);
	ret = xdp_detach(a);
	if (ret && !err)
		err = ret;
	return err;
}

/* ------------------------------------------------------------------------ */
/* Leftovers                                                                */
/* ------------------------------------------------------------------------ */

/* Detach a program attached without a dispatcher, only if it is still
 * the one we looked at (old_prog_fd makes the kernel check). */
static int xdp_detach_plain(__u32 ifindex, __u32 prog_id,
			    enum xdp_attach_mode m)
{
	DECLARE_LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	enum xdp_attach_mode tries[2] = { m, m == XDP_MODE_SKB ?
					  XDP_MODE_NATIVE : XDP_MODE_SKB };
	int fd, err = -ENOENT, i;

	fd = bpf_prog_get_fd_by_id(prog_id);
	if (fd < 0)
		return -errno;
	opts.old_prog_fd = fd;
	for (i = 0; i < 2; i++) {
		err = bpf_xdp_detach((int)ifindex, xdp_flags_of(tries[i]),
				     &opts);
		if (!err)
			break;
	}
	close(fd);
	return err;
}

/*
 * A dispatcher whose libxdp state (pins) is not visible here, e.g. it was
 * attached from an `ip netns exec` mount namespace. Its component programs
 * are found through their freplace links. It is removed only if every
 * component is ours, or if it has none left (then it only passes packets,
 * and it blocks every later libxdp attach).
 */
static int xdp_orphan_dispatcher(const struct fg_link *l, __u32 disp_id,
				 enum xdp_attach_mode m, FILE *report)
{
	__u32 id = 0, ours = 0, others = 0;
	char name[BPF_OBJ_NAME_LEN];
	int err;

	while (!bpf_link_get_next_id(id, &id)) {
		struct bpf_link_info info;
		__u32 len = sizeof(info);
		int fd = bpf_link_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.type == BPF_LINK_TYPE_TRACING &&
		    info.tracing.target_obj_id == disp_id) {
			prog_name_by_id(info.prog_id, name, sizeof(name));
			if (!strcmp(name, FG_BPF_PROG_XDP))
				ours++;
			else
				others++;
		}
		close(fd);
	}
	if (others)
		return 0;	/* someone else's programs run in it */
	err = xdp_detach_plain(l->ifindex, disp_id, m);
	if (err)
		return err;
	if (report) {
		if (ours)
			fprintf(report,
				"%s: removed libxdp dispatcher %u holding %u flowgate XDP program(s) (%s)\n",
				l->name, disp_id, ours, libxdp_mode_name(m));
		else
			fprintf(report,
				"%s: removed empty libxdp dispatcher %u (%s)\n",
				l->name, disp_id, libxdp_mode_name(m));
	}
	return 1;
}

/* One pass over the XDP hook: removes at most one program. Returns 1 if it
 * removed one, 0 if nothing of ours is there, -errno on failure. */
static int xdp_leftover_once(const struct fg_link *l, FILE *report)
{
	struct xdp_program *main_prog, *p = NULL;
	struct xdp_multiprog *mp;
	enum xdp_attach_mode m;
	const char *name;
	__u32 id;
	int err;

	mp = mp_get(l->ifindex, &err);
	if (!mp)
		return err;
	main_prog = xdp_multiprog__main_prog(mp);
	if (!main_prog) {
		err = 0;
		goto out;
	}
	m = xdp_multiprog__attach_mode(mp);
	name = xdp_program__name(main_prog);
	if (!name)
		name = "";
	id = xdp_program__id(main_prog);

	if (xdp_multiprog__is_legacy(mp)) {
		if (!strcmp(name, FG_BPF_PROG_XDP)) {
			err = xdp_detach_plain(l->ifindex, id, m);
			if (!err) {
				err = 1;
				if (report)
					fprintf(report,
						"%s: removed XDP program %u (%s, %s)\n",
						l->name, id, name,
						libxdp_mode_name(m));
			}
		} else if (!strcmp(name, XDP_DISPATCHER_NAME)) {
			err = xdp_orphan_dispatcher(l, id, m, report);
		} else {
			err = 0;
		}
		goto out;
	}

	err = 0;
	while ((p = xdp_multiprog__next_prog(p, mp))) {
		name = xdp_program__name(p);
		if (!name || strcmp(name, FG_BPF_PROG_XDP))
			continue;
		id = xdp_program__id(p);
		err = xdp_program__detach(p, (int)l->ifindex, m, 0);
		if (err > 0)
			err = -err;
		if (!err) {
			err = 1;
			if (report)
				fprintf(report,
					"%s: removed XDP program %u (%s, %s, from libxdp's dispatcher)\n",
					l->name, id, FG_BPF_PROG_XDP,
					libxdp_mode_name(m));
		}
		break;
	}
out:
	xdp_multiprog__close(mp);
	return err;
}

static int tc_leftover(const struct fg_link *l, enum bpf_tc_attach_point ap,
		       FILE *report)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)l->ifindex,
			    .attach_point = ap);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY);
	char name[BPF_OBJ_NAME_LEN];
	__u32 id;
	int err;

	id = tc_query_ours(l->ifindex, ap);
	if (!id)
		return 0;
	if (prog_name_by_id(id, name, sizeof(name)))
		return 0;
	if (strcmp(name, FG_BPF_PROG_TC_IN) && strcmp(name, FG_BPF_PROG_TC_OUT))
		return 0;	/* not ours, whatever its handle says */
	err = bpf_tc_detach(&hook, &opts);
	if (err)
		return err;
	if (report)
		fprintf(report, "%s: removed TC %s filter (program %u, %s)\n",
			l->name, tc_dir_name(ap), id, name);
	return 1;
}

static int leftovers_link(const struct fg_link *l, FILE *report)
{
	int n = 0, err = 0, ret, i;

	/* Bounded: one removal per pass, a dispatcher has at most 10 slots */
	for (i = 0; i < 16; i++) {
		ret = xdp_leftover_once(l, report);
		if (ret <= 0) {
			err = ret;
			break;
		}
		n += ret;
	}
	ret = tc_leftover(l, BPF_TC_EGRESS, report);
	if (ret < 0 && !err)
		err = ret;
	else if (ret > 0)
		n += ret;
	ret = tc_leftover(l, BPF_TC_INGRESS, report);
	if (ret < 0 && !err)
		err = ret;
	else if (ret > 0)
		n += ret;
	/* The clsact qdisc stays: nothing records whether we created it, and
	 * an empty one is harmless. */
	return err ? err : n;
}

int fg_detach_leftovers(const char *ifname, FILE *report)
{
	struct fg_link one, *links = NULL;
	size_t n = 0, i;
	int err = 0, total = 0, ret;

	if (ifname) {
		err = fg_nl_link_get(ifname, &one);
		if (err)
			return err;
		links = &one;
		n = 1;
	} else {
		err = fg_nl_link_list(&links, &n);
		if (err)
			return err;
	}
	for (i = 0; i < n; i++) {
		ret = leftovers_link(&links[i], report);
		if (ret == -ENODEV)
			continue;	/* deleted while we walked */
		if (ret < 0) {
			if (!err)
				err = ret;
			continue;
		}
		total += ret;
	}
	if (links != &one)
		free(links);
	return err ? err : total;
}
