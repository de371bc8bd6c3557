/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * attach.h - put flowgate's programs on an interface and take them off again:
 * XDP on ingress through libxdp (its dispatcher where bpffs allows, else a
 * plain native/generic attach), TC clsact on egress, TC ingress instead of
 * XDP with FG_XDP_NONE. Removes exactly what it added.
 */
#ifndef FG_ATTACH_H
#define FG_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <net/if.h>
#include <linux/types.h>

#include "datapath.h"

enum fg_xdp_mode {
	FG_XDP_AUTO = 0,	/* native if the driver has it, else generic
				 * (else TC ingress: fg_attach_no_generic) */
	FG_XDP_NATIVE,
	FG_XDP_GENERIC,
	FG_XDP_NONE,		/* TC ingress + egress only */
};

struct xdp_program;

struct fg_attachment {
	char ifname[IF_NAMESIZE];
	__u32 ifindex;
	enum fg_xdp_mode mode;		/* what was used: NATIVE, GENERIC, NONE */
	bool xdp_dispatcher;		/* attached through libxdp's dispatcher */
	__u32 xdp_prog_id;		/* 0 if none */
	__u32 tc_ingress_prog_id;	/* 0 if none */
	__u32 tc_egress_prog_id;
	bool created_clsact;		/* we made the clsact qdisc: remove it */
	struct xdp_program *xdp_prog;	/* libxdp handle */
	struct flowgate_xdp_bpf *xdp_skel;
};

/* "auto", "native", "generic", "none" -> mode; -EINVAL otherwise. */
int fg_xdp_mode_parse(const char *s, enum fg_xdp_mode *mode);
const char *fg_xdp_mode_name(enum fg_xdp_mode mode);

/* Mount bpffs at /sys/fs/bpf if nothing is mounted there. 0 or -errno. */
int fg_bpffs_ensure(void);

/*
 * Attach to `ifname`. On failure nothing stays attached, -errno is returned
 * and errbuf says why in one sentence (e.g. "interface veth0 does not exist",
 * "veth0 already has XDP program 42 (xdp_foo) attached in native mode,
 * not through libxdp's dispatcher").
 */
int fg_attach(struct fg_datapath *dp, const char *ifname,
	      enum fg_xdp_mode mode, struct fg_attachment *out,
	      char *errbuf, size_t errlen);

/*
 * fg_attach() that never uses generic XDP, for a datapath whose policy the
 * AF_XDP inspector reads: generic XDP runs on the frames the inspector
 * re-injects too, and would hand them to it again. Where FG_XDP_AUTO would
 * fall back to generic (the driver lacks native XDP, or a libxdp
 * dispatcher runs there in generic mode) it attaches TC ingress instead,
 * as FG_XDP_NONE does (out->mode says so), and `note` says why in a few
 * words; otherwise note[0] is '\0'. FG_XDP_GENERIC fails (-EINVAL).
 */
int fg_attach_no_generic(struct fg_datapath *dp, const char *ifname,
			 enum fg_xdp_mode mode, struct fg_attachment *out,
			 char *note, size_t notelen, char *errbuf,
			 size_t errlen);

/* Remove what fg_attach() added. Safe to call twice. */
int fg_detach(struct fg_attachment *a);

/*
 * Remove flowgate programs left on an interface (NULL = every interface of
 * this network namespace), e.g. after kill -9: XDP programs named
 * FG_BPF_PROG_XDP (from libxdp's dispatcher or attached directly) and our TC
 * filters (FG_TC_HANDLE/FG_TC_PRIORITY). Prints one line per removal to
 * `report` if not NULL. Returns the number removed or -errno.
 */
int fg_detach_leftovers(const char *ifname, FILE *report);

#endif /* FG_ATTACH_H */
