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
	__u32 max_mtu;		/* IFLA_MAX_MTU, 0 if not reported */
	__u8 xdp_attached;	/* IFLA_XDP_ATTACHED: XDP_ATTACHED_* */
	__u32 xdp_prog_id;	/* IFLA_XDP_PROG_ID, 0 if none */
};

/* One link by name. -ENODEV if it does not exist, other -errno on failure. */
int fg_nl_link_get(const char *name, struct fg_link *out);
/* One link by index. */
int fg_nl_link_get_index(__u32 ifindex, struct fg_link *out);
/* Every link of the current network namespace; *out is malloc'd. */
int fg_nl_link_list(struct fg_link **out, size_t *n);

/*
 * Added for attach.c: number of TC filters under `parent` of ifindex (e.g.
 * the clsact ingress/egress hooks), counted with an RTM_GETTFILTER dump.
 * 0 if there is no such qdisc; -ENODEV if the link is gone.
 */
int fg_nl_tc_filter_count(__u32 ifindex, __u32 parent);

/*
 * Added for attach.c: kind ("clsact", "ingress", ...) of the qdisc whose
 * parent is `parent` on ifindex (TC_H_INGRESS for the ingress/clsact slot),
 * "" if there is none. 0 or -errno (-ENODEV if the link is gone).
 */
int fg_nl_qdisc_kind(__u32 ifindex, __u32 parent, char *kind, size_t len);

/*
 * The socket core under the calls above, for other modules (e.g. a future
 * RTM_NEWLINK/RTM_DELLINK watcher). A socket belongs to the network
 * namespace of the thread that opened it.
 */
struct nlmsghdr;
struct mnl_socket;

struct fg_nl {
	struct mnl_socket *sock;
	__u32 portid;
	__u32 seq;
};

/* Called once per data message; return < 0 (-errno) to stop with that
 * error (close the socket then: the rest of a dump may still be queued),
 * 0 to go on, 1 to ignore the rest of the replies. */
typedef int (*fg_nl_msg_cb)(const struct nlmsghdr *nlh, void *arg);

/* Open an rtnetlink socket; `groups` is a list of RTNLGRP_* multicast
 * groups to join (n_groups may be 0). */
int fg_nl_open(struct fg_nl *nl, const unsigned int *groups, size_t n_groups);
void fg_nl_close(struct fg_nl *nl);
int fg_nl_fd(const struct fg_nl *nl);
/* Send `req` (seq/portid are filled in, NLM_F_ACK is added for non-dumps)
 * and run cb on each reply until the dump ends or the ack arrives. Returns
 * 0, the kernel's -errno from nlmsgerr, or cb's error. */
int fg_nl_request(struct fg_nl *nl, struct nlmsghdr *req, fg_nl_msg_cb cb,
		  void *arg);
/* Read one batch of multicast notifications (blocks unless the fd is
 * non-blocking; -EAGAIN then) and run cb on each. */
int fg_nl_recv(struct fg_nl *nl, fg_nl_msg_cb cb, void *arg);
/* Decode an RTM_NEWLINK/RTM_DELLINK message. -EINVAL if it is not one. */
int fg_nl_link_parse(const struct nlmsghdr *nlh, struct fg_link *out);

/*
 * Added for the AF_XDP inspector (issue 4): create a veth pair with
 * nqueues rx/tx queues on each end (-EEXIST if a name is taken), bring a
 * link up, set its MTU, delete a link (its veth peer goes with it).
 */
int fg_nl_veth_add(const char *name, const char *peer, __u32 nqueues);
int fg_nl_link_set_up(__u32 ifindex);
/* Set a link's MTU (-EINVAL beyond its max_mtu). */
int fg_nl_link_set_mtu(__u32 ifindex, __u32 mtu);
int fg_nl_link_del(__u32 ifindex);

#endif /* FG_NETLINK_H */
