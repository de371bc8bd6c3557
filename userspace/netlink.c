// SPDX-License-Identifier: GPL-2.0-only
/*
 * netlink.c - interface lookups and link state over rtnetlink, with libmnl.
 *
 * One small core (open a socket, send a request, run a callback on every
 * reply, read multicast notifications) carries every call, so a later link
 * watcher (RTNLGRP_LINK) reuses the same code and the same link decoder.
 * Every public lookup opens its own socket: a socket is bound to the network
 * namespace of the thread that opened it, so this stays right after setns().
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include "netlink.h"

/* Large enough for one dump batch of links with all their attributes
 * (the kernel sizes dump skbs up to 32 KiB). */
#define FG_NL_BUF_SIZE	32768

/* How often a dump interrupted by a concurrent change is restarted. */
#define FG_NL_DUMP_RETRIES	5

/* <net/if.h> stops at IFF_DYNAMIC and <linux/if.h> clashes with it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP	0x10000
#endif

int fg_nl_open(struct fg_nl *nl, const unsigned int *groups, size_t n_groups)
{
	size_t i;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	for (i = 0; i < n_groups; i++) {
		int group = groups[i];

		if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &group, sizeof(group)) < 0) {
			err = -errno;
			goto out_close;
		}
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* Replies are matched on seq; start somewhere unpredictable so a stale
	 * reply from an earlier socket with the same portid cannot match. */
	nl->seq = (__u32)time(NULL);
	return 0;

out_close:
	mnl_socket_close(nl->sock);
	nl->sock = NULL;
	return err;
}

void fg_nl_close(struct fg_nl *nl)
{
	if (nl && nl->sock) {
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
	}
}

int fg_nl_fd(const struct fg_nl *nl)
{
	return nl && nl->sock ? mnl_socket_get_fd(nl->sock) : -EBADF;
}

struct cb_ctx {
	fg_nl_msg_cb cb;
	void *arg;
	int err;	/* cb's error, or -EINTR for an interrupted dump */
	bool done;	/* cb returned 1: read the rest, do not pass it on */
};

/* Adapts our callback convention to libmnl's. */
static int cb_adapter(const struct nlmsghdr *nlh, void *data)
{
	struct cb_ctx *ctx = data;
	int ret;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR) {
		ctx->err = -EINTR;
		errno = EINTR;
		return MNL_CB_ERROR;
	}
	if (!ctx->cb || ctx->done)
		return MNL_CB_OK;
	ret = ctx->cb(nlh, ctx->arg);
	if (ret < 0) {
		ctx->err = ret;
		errno = -ret;
		return MNL_CB_ERROR;
	}
	/* Keep reading to the end of the dump or the ack, so nothing of
	 * this exchange is left queued for the next request. */
	if (ret > 0)
		ctx->done = true;
	return MNL_CB_OK;
}

/*
 * Run the callbacks over one received batch. libmnl's default control
 * callbacks handle NLMSG_DONE (stop) and NLMSG_ERROR: a zero error is the
 * ack (stop), a negative one sets errno, a truncated nlmsgerr is EBADMSG.
 * Returns 1 to keep reading, 0 when done, -errno on error.
 */
static int run_batch(const void *buf, ssize_t len, __u32 seq, __u32 portid,
		     struct cb_ctx *ctx)
{
	int ret;

	errno = 0;
	ret = mnl_cb_run(buf, len, seq, portid, cb_adapter, ctx);
	if (ret == MNL_CB_ERROR) {
		if (ctx->err)
			return ctx->err;
		return errno ? -errno : -EPROTO;
	}
	return ret == MNL_CB_STOP ? 0 : 1;
}

int fg_nl_request(struct fg_nl *nl, struct nlmsghdr *req, fg_nl_msg_cb cb,
		  void *arg)
{
	struct cb_ctx ctx = { .cb = cb, .arg = arg };
	char *buf;
	__u32 seq;
	int ret;

	if (!nl || !nl->sock || !req)
		return -EINVAL;
	buf = malloc(FG_NL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;

	seq = ++nl->seq;
	req->nlmsg_seq = seq;
	req->nlmsg_pid = 0;
	req->nlmsg_flags |= NLM_F_REQUEST;
	/* A dump ends with NLMSG_DONE; anything else is answered by its ack,
	 * so the loop below always has a definite end. */
	if ((req->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		req->nlmsg_flags |= NLM_F_ACK;

	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, FG_NL_BUF_SIZE);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* ENOSPC: libmnl saw MSG_TRUNC, the reply was cut */
			ret = -errno;
			goto out;
		}
		ret = run_batch(buf, n, seq, nl->portid, &ctx);
		if (ret <= 0)
			goto out;
	}
out:
	free(buf);
	return ret;
}

int fg_nl_recv(struct fg_nl *nl, fg_nl_msg_cb cb, void *arg)
{
	struct cb_ctx ctx = { .cb = cb, .arg = arg };
	ssize_t n;
	char *buf;
	int ret;

	if (!nl || !nl->sock)
		return -EINVAL;
	buf = malloc(FG_NL_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	n = mnl_socket_recvfrom(nl->sock, buf, FG_NL_BUF_SIZE);
	if (n < 0) {
		/* ENOBUFS: notifications were lost; the caller must resync
		 * with a dump */
		ret = -errno;
		goto out;
	}
	/* Notifications carry seq 0 and portid 0: accept any. */
	ret = run_batch(buf, n, 0, 0, &ctx);
	if (ret > 0)
		ret = 0;
out:
	free(buf);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Links                                                                    */
/* ------------------------------------------------------------------------ */

static int link_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;	/* newer than our headers: skip */
	switch (type) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_MTU:
	case IFLA_MAX_MTU:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		break;
	case IFLA_LINKINFO:
	case IFLA_XDP:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		break;
	default:
		break;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static int nested_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	/* Callers size tb for the largest type they read; both nests are
	 * well below 32 attribute types. */
	if (mnl_attr_get_type(a) < 32)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static void parse_xdp(const struct nlattr *nest, struct fg_link *out)
{
	const struct nlattr *tb[32] = { NULL };

	if (mnl_attr_parse_nested(nest, nested_attr_cb, tb) < 0)
		return;
	if (tb[IFLA_XDP_ATTACHED] &&
	    mnl_attr_validate(tb[IFLA_XDP_ATTACHED], MNL_TYPE_U8) == 0)
		out->xdp_attached = mnl_attr_get_u8(tb[IFLA_XDP_ATTACHED]);
	if (tb[IFLA_XDP_PROG_ID] &&
	    mnl_attr_validate(tb[IFLA_XDP_PROG_ID], MNL_TYPE_U32) == 0) {
		out->xdp_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_PROG_ID]);
		return;
	}
	/* XDP_ATTACHED_MULTI (e.g. native + offloaded) has no
	 * IFLA_XDP_PROG_ID, only one id per mode: report the host one. */
	if (tb[IFLA_XDP_DRV_PROG_ID] &&
	    mnl_attr_validate(tb[IFLA_XDP_DRV_PROG_ID], MNL_TYPE_U32) == 0)
		out->xdp_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_DRV_PROG_ID]);
	else if (tb[IFLA_XDP_SKB_PROG_ID] &&
		 mnl_attr_validate(tb[IFLA_XDP_SKB_PROG_ID], MNL_TYPE_U32) == 0)
		out->xdp_prog_id = mnl_attr_get_u32(tb[IFLA_XDP_SKB_PROG_ID]);
}

static void parse_linkinfo(const struct nlattr *nest, struct fg_link *out)
{
	const struct nlattr *tb[32] = { NULL };

	if (mnl_attr_parse_nested(nest, nested_attr_cb, tb) < 0)
		return;
	if (tb[IFLA_INFO_KIND] &&
	    mnl_attr_validate(tb[IFLA_INFO_KIND], MNL_TYPE_STRING) == 0) {
		const char *kind = mnl_attr_get_str(tb[IFLA_INFO_KIND]);
		size_t len = strnlen(kind, mnl_attr_get_payload_len(
						tb[IFLA_INFO_KIND]));

		if (len >= sizeof(out->kind))
			len = sizeof(out->kind) - 1;
		memcpy(out->kind, kind, len);
		out->kind[len] = '\0';
	}
}

int fg_nl_link_parse(const struct nlmsghdr *nlh, struct fg_link *out)
{
	const struct nlattr *tb[IFLA_MAX + 1] = { NULL };
	const struct ifinfomsg *ifi;
	const char *name;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return -EINVAL;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
		return -EBADMSG;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0)
		return -EBADMSG;
	if (!tb[IFLA_IFNAME] || ifi->ifi_index <= 0)
		return -EBADMSG;

	memset(out, 0, sizeof(*out));
	out->ifindex = ifi->ifi_index;
	name = mnl_attr_get_str(tb[IFLA_IFNAME]);
	if (strlen(name) >= sizeof(out->name))
		return -EBADMSG;
	strcpy(out->name, name);
	out->up = !!(ifi->ifi_flags & IFF_UP);
	out->lower_up = !!(ifi->ifi_flags & IFF_LOWER_UP);
	if (tb[IFLA_MTU])
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MAX_MTU])
		out->max_mtu = mnl_attr_get_u32(tb[IFLA_MAX_MTU]);
	if (tb[IFLA_LINKINFO])
		parse_linkinfo(tb[IFLA_LINKINFO], out);
	if (tb[IFLA_XDP])
		parse_xdp(tb[IFLA_XDP], out);
	return 0;
}

static struct nlmsghdr *link_req(char *buf, __u16 flags, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	/* Statistics are most of a link message and we do not read them. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nlh;
}

struct one_link {
	struct fg_link *out;
	bool found;
};

static int one_link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct one_link *o = arg;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	err = fg_nl_link_parse(nlh, o->out);
	if (err)
		return err;
	o->found = true;
	return 0;
}

static int link_get(struct nlmsghdr *req, struct fg_link *out)
{
	struct one_link o = { .out = out };
	struct fg_nl nl;
	int err;

	err = fg_nl_open(&nl, NULL, 0);
	if (err)
		return err;
	err = fg_nl_request(&nl, req, one_link_cb, &o);
	fg_nl_close(&nl);
	if (err)
		return err;
	return o.found ? 0 : -ENODEV;
}

int fg_nl_link_get(const char *name, struct fg_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	size_t len;

	if (!name || !out)
		return -EINVAL;
	len = strlen(name);
	/* The kernel would answer EINVAL for an over-long name; no link can
	 * have such a name, so say so in the caller's terms. */
	if (len == 0 || len >= IF_NAMESIZE)
		return -ENODEV;
	nlh = link_req(buf, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return link_get(nlh, out);
}

int fg_nl_link_get_index(__u32 ifindex, struct fg_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	if (!out)
		return -EINVAL;
	if (ifindex == 0 || ifindex > INT_MAX)
		return -ENODEV;
	return link_get(link_req(buf, 0, (int)ifindex), out);
}

struct link_vec {
	struct fg_link *v;
	size_t n, cap;
};

static int link_list_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct link_vec *vec = arg;
	int err;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 16;
		struct fg_link *v = realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	err = fg_nl_link_parse(nlh, &vec->v[vec->n]);
	if (err)
		return err;
	vec->n++;
	return 0;
}

int fg_nl_link_list(struct fg_link **out, size_t *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct link_vec vec = { 0 };
	struct fg_nl nl;
	int err, tries;

	if (!out || !n)
		return -EINVAL;
	err = fg_nl_open(&nl, NULL, 0);
	if (err)
		return err;
	for (tries = 0; tries < FG_NL_DUMP_RETRIES; tries++) {
		vec.n = 0;
		err = fg_nl_request(&nl, link_req(buf, NLM_F_DUMP, 0),
				    link_list_cb, &vec);
		if (err != -EINTR)
			break;
		/* links changed during the dump: a later dump is consistent.
		 * Replies of the interrupted one may still be queued, so use a
		 * fresh socket rather than sort them out. */
		fg_nl_close(&nl);
		err = fg_nl_open(&nl, NULL, 0);
		if (err)
			break;
	}
	fg_nl_close(&nl);
	if (err) {
		free(vec.v);
		return err;
	}
	*out = vec.v;
	*n = vec.n;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* TC filters                                                               */
/* ------------------------------------------------------------------------ */

static int filter_count_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct tcmsg *tcm;
	int *count = arg;

	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*tcm)))
		return -EBADMSG;
	tcm = mnl_nlmsg_get_payload(nlh);
	/* A dump also lists each classifier instance (handle 0) before its
	 * filters; only the filters count. */
	if (tcm->tcm_handle)
		(*count)++;
	return 0;
}

int fg_nl_tc_filter_count(__u32 ifindex, __u32 parent)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fg_link link;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	struct fg_nl nl;
	int err, count = 0;

	/* The filter dump is silently empty for a missing device. */
	err = fg_nl_link_get_index(ifindex, &link);
	if (err)
		return err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETTFILTER;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;
	tcm->tcm_parent = parent;

	err = fg_nl_open(&nl, NULL, 0);
	if (err)
		return err;
	err = fg_nl_request(&nl, nlh, filter_count_cb, &count);
	fg_nl_close(&nl);
	return err ? err : count;
}

struct qdisc_kind {
	__u32 ifindex;
	__u32 parent;
	char *kind;
	size_t len;
};

static int qdisc_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) == TCA_KIND)
		tb[TCA_KIND] = a;
	return MNL_CB_OK;
}

static int qdisc_kind_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *tb[TCA_MAX + 1] = { NULL };
	struct qdisc_kind *q = arg;
	const struct tcmsg *tcm;

	if (nlh->nlmsg_type != RTM_NEWQDISC)
		return 0;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*tcm)))
		return -EBADMSG;
	tcm = mnl_nlmsg_get_payload(nlh);
	/* older kernels ignore tcm_ifindex in a dump: filter here */
	if ((__u32)tcm->tcm_ifindex != q->ifindex || tcm->tcm_parent != q->parent)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*tcm), qdisc_attr_cb, tb) < 0 ||
	    !tb[TCA_KIND] ||
	    mnl_attr_validate(tb[TCA_KIND], MNL_TYPE_NUL_STRING) < 0)
		return -EBADMSG;
	snprintf(q->kind, q->len, "%s", mnl_attr_get_str(tb[TCA_KIND]));
	return 1;
}

int fg_nl_qdisc_kind(__u32 ifindex, __u32 parent, char *kind, size_t len)
{
	struct qdisc_kind q = { .ifindex = ifindex, .parent = parent,
				.kind = kind, .len = len };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fg_link link;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	struct fg_nl nl;
	int err;

	if (!kind || !len)
		return -EINVAL;
	kind[0] = '\0';
	err = fg_nl_link_get_index(ifindex, &link);
	if (err)
		return err;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = (int)ifindex;

	err = fg_nl_open(&nl, NULL, 0);
	if (err)
		return err;
	err = fg_nl_request(&nl, nlh, qdisc_kind_cb, &q);
	fg_nl_close(&nl);
	return err;
}

/* ---- links the AF_XDP inspector creates (added for issue 4) ---------- */

static int simple_request(struct nlmsghdr *req)
{
	struct fg_nl nl;
	int err;

	err = fg_nl_open(&nl, NULL, 0);
	if (err)
		return err;
	err = fg_nl_request(&nl, req, NULL, NULL);
	fg_nl_close(&nl);
	return err;
}

int fg_nl_veth_add(const char *name, const char *peer, __u32 nqueues)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlattr *info, *data, *pa;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (!name || !peer || strlen(name) >= IF_NAMESIZE ||
	    strlen(peer) >= IF_NAMESIZE || !nqueues)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, nqueues);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, nqueues);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	/* VETH_INFO_PEER (1): an ifinfomsg, then the peer's attributes. */
	pa = mnl_attr_nest_start(nlh, 1);
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, nqueues);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, nqueues);
	mnl_attr_nest_end(nlh, pa);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return simple_request(nlh);
}

/* An RTM_NEWLINK request changing link ifindex; *ifi_out to set flags. */
static struct nlmsghdr *link_change_req(char *buf, __u32 ifindex,
					struct ifinfomsg **ifi_out)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	if (ifi_out)
		*ifi_out = ifi;
	return nlh;
}

int fg_nl_link_set_up(__u32 ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = link_change_req(buf, ifindex, &ifi);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return simple_request(nlh);
}

int fg_nl_link_set_mtu(__u32 ifindex, __u32 mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = link_change_req(buf, ifindex, NULL);
	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return simple_request(nlh);
}

int fg_nl_link_del(__u32 ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_DELLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	return simple_request(nlh);
}
