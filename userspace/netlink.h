/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netlink.h - interface lookups and link state over rtnetlink (libmnl).
 * The same socket code will later watch RTM_NEWLINK for container veths.
 */
#ifndef FG_NETLINK_H
#define FG_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>
#include <linux/types.h>

struct fg_link {
	__u32 ifindex;
	char name[IF_NAMESIZE];
	char kind[16];		/* IFLA_INFO_KIND ("veth", ...) or "" */
	bool up;		/* IFF_UP */
	bool lower_up;		/* IFF_LOWER_UP (carrier) */
	__u32 mtu;
	__u8 xdp_attached;	/* IFLA_XDP_ATTACHED: XDP_ATTACHED_* */
	__u32 xdp_prog_id;	/* IFLA_XDP_PROG_ID, 0 if none */
};

/* One link by name. -ENODEV if it does not exist, other -errno on failure. */
int fg_nl_link_get(const char *name, struct fg_link *out);
/* One link by index. */
int fg_nl_link_get_index(__u32 ifindex, struct fg_link *out);
/* Every link of the current network namespace; *out is malloc'd. */
int fg_nl_link_list(struct fg_link **out, size_t *n);

#endif /* FG_NETLINK_H */
