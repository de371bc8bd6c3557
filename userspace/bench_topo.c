// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_topo.c - namespaces and veth pairs of `flowgate bench` (see
 * bench_topo.h): veths over rtnetlink (libmnl), addresses and neighbours
 * with `ip -batch` inside the namespace (bench_exec.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "bench_exec.h"
#include "bench_topo.h"

static int nl_request(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int portid, seq = (unsigned int)time(NULL);
	struct mnl_socket *nl;
	ssize_t n;
	int err = 0;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		err = -errno;
		goto out_close;
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0) {
		err = -errno;
		goto out_close;
	}
	/* An NLMSG_ERROR with a non-zero code makes mnl_cb_run fail with
	 * errno set to that code. */
	if (mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL) < 0)
		err = -errno;
out_close:
	mnl_socket_close(nl);
	return err;
}

/* veth a (here, MAC ma) with peer b (MAC mb) created in namespace peer_fd. */
static int veth_add(const char *a, const __u8 *ma, const char *b,
		    const __u8 *mb, int peer_fd)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo, *data, *peer;
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, a);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, ma);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	peer = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* VETH_INFO_PEER carries an ifinfomsg, then the peer's attributes. */
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, b);
	mnl_attr_put(nlh, IFLA_ADDRESS, 6, mb);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (__u32)peer_fd);
	mnl_attr_nest_end(nlh, peer);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nl_request(nlh);
}

/* /proc/sys/net shows the network namespace of the thread opening it. */
static int sysctl_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int fg_topo_enter(const struct fg_topo *t, int ns_fd)
{
	return setns(ns_fd, CLONE_NEWNET) ? -errno : 0;
}

int fg_topo_leave(const struct fg_topo *t)
{
	return setns(t->orig_fd, CLONE_NEWNET) ? -errno : 0;
}

/* A fresh namespace, returned as an fd; this thread stays where it was. */
static int ns_new(const struct fg_topo *t, bool no_ipv6)
{
	int fd, err;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : 0;
	/* The generator and sink sides need no IPv6: no router
	 * solicitations or MLD reports reach the DUT's counters. */
	if (!err && no_ipv6)
		sysctl_write("/proc/sys/net/ipv6/conf/default/disable_ipv6",
			     "1");
	if (fg_topo_leave(t) && !err)
		err = -errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

int fg_topo_open(struct fg_topo *t)
{
	int err;

	memset(t, 0, sizeof(*t));
	t->gen_fd = t->sink_fd = -1;
	t->id = (unsigned int)getpid() % 100000;
	t->orig_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (t->orig_fd < 0)
		return -errno;
	t->gen_fd = ns_new(t, true);
	if (t->gen_fd < 0) {
		err = t->gen_fd;
		goto out_close;
	}
	t->sink_fd = ns_new(t, true);
	if (t->sink_fd < 0) {
		err = t->sink_fd;
		goto out_close;
	}
	return 0;
out_close:
	fg_topo_close(t);
	return err;
}

/* Locally administered MACs: 02:fb:<pid>:<chain>:<role>. */
static void mac(__u8 *m, const struct fg_topo *t, int chain, int role)
{
	m[0] = 0x02;
	m[1] = 0xfb;
	m[2] = (__u8)(t->id >> 8);
	m[3] = (__u8)t->id;
	m[4] = (__u8)chain;
	m[5] = (__u8)role;
}

static int ip_batch(int ns_fd, const char *cmds, char *err, size_t errlen)
{
	char *const argv[] = { "ip", "-batch", "-", NULL };
	struct fg_exec x = FG_EXEC_INIT;

	x.netns_fd = ns_fd;
	x.in_text = cmds;
	x.timeout_s = 10;
	x.err = err;
	x.err_size = errlen;
	return fg_exec_run(&x, argv);
}

/* Runs inside the chain's DUT namespace. */
static int dut_config(struct fg_topo *t, struct fg_topo_chain *c)
{
	static const char *const sysctls[][2] = {
		{ "/proc/sys/net/ipv4/ip_forward", "1" },
		{ "/proc/sys/net/ipv6/conf/all/forwarding", "1" },
		{ "/proc/sys/net/ipv4/conf/all/rp_filter", "0" },
		{ "/proc/sys/net/ipv4/conf/default/rp_filter", "0" },
	};
	char cmds[1024], msg[512] = "", path[96];
	const __u8 *m = c->sink_mac;
	size_t i;
	int err;

	for (i = 0; i < sizeof(sysctls) / sizeof(sysctls[0]); i++) {
		err = sysctl_write(sysctls[i][0], sysctls[i][1]);
		if (err)
			return err;
	}
	/* Created before the defaults above changed: the DUT interfaces may
	 * carry the host's reverse-path filter, and the generator's sources
	 * have no route back. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/rp_filter",
		 c->din);
	err = sysctl_write(path, "0");
	if (err)
		return err;
	c->din_ifindex = (int)if_nametoindex(c->din);
	c->dout_ifindex = (int)if_nametoindex(c->dout);
	if (!c->din_ifindex || !c->dout_ifindex)
		return -ENODEV;
	snprintf(cmds, sizeof(cmds),
		 "link set lo up\nlink set %1$s up\nlink set %2$s up\n"
		 "addr add 10.1.0.1/24 dev %1$s\n"
		 "addr add 10.2.0.1/24 dev %2$s\n"
		 "addr add fd00:1::1/64 dev %1$s nodad\n"
		 "addr add fd00:2::1/64 dev %2$s nodad\n"
		 "neigh replace %3$s lladdr %5$02x:%6$02x:%7$02x:%8$02x:%9$02x:%10$02x dev %2$s nud permanent\n"
		 "neigh replace %4$s lladdr %5$02x:%6$02x:%7$02x:%8$02x:%9$02x:%10$02x dev %2$s nud permanent\n",
		 c->din, c->dout, FG_TOPO_DST4, FG_TOPO_DST6,
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	err = ip_batch(c->dut_fd, cmds, msg, sizeof(msg));
	if (err) {
		fprintf(stderr, "flowgate bench: ip -batch in %s's "
			"namespace: %s\n", c->din, msg);
		return err;
	}
	return 0;
}

static int link_up(int ns_fd, const char *ifname)
{
	char cmds[64];

	snprintf(cmds, sizeof(cmds), "link set %s up\n", ifname);
	return ip_batch(ns_fd, cmds, NULL, 0);
}

int fg_topo_add_chain(struct fg_topo *t, struct fg_topo_chain **out)
{
	struct fg_topo_chain *c;
	int i = t->n, err, left;
	unsigned int id, k;

	if (t->n >= FG_TOPO_MAX_CHAINS)
		return -ENOSPC;
	c = &t->chain[i];
	memset(c, 0, sizeof(*c));
	c->dut_fd = ns_new(t, false);
	if (c->dut_fd < 0)
		return c->dut_fd;
	t->n++;		/* from here on fg_topo_close() frees it */
	/* id < 100000 and i < 64: at most 12 characters. */
	id = t->id % 100000u;
	k = (unsigned int)i % 64u;
	snprintf(c->gen_if, sizeof(c->gen_if), "fgb%ug%u", id, k);
	snprintf(c->din, sizeof(c->din), "fgb%ud%ui", id, k);
	snprintf(c->dout, sizeof(c->dout), "fgb%ud%uo", id, k);
	snprintf(c->sink_if, sizeof(c->sink_if), "fgb%us%u", id, k);
	mac(c->gen_mac, t, i, 1);
	mac(c->din_mac, t, i, 2);
	mac(c->dout_mac, t, i, 3);
	mac(c->sink_mac, t, i, 4);

	err = fg_topo_enter(t, t->gen_fd);
	if (err)
		return err;
	err = veth_add(c->gen_if, c->gen_mac, c->din, c->din_mac, c->dut_fd);
	c->gen_ifindex = err ? 0 : (int)if_nametoindex(c->gen_if);
	left = fg_topo_leave(t);
	if (!err && !c->gen_ifindex)
		err = -ENODEV;
	if (err || left)
		return err ? err : left;

	err = fg_topo_enter(t, c->dut_fd);
	if (err)
		return err;
	err = veth_add(c->dout, c->dout_mac, c->sink_if, c->sink_mac,
		       t->sink_fd);
	if (!err)
		err = dut_config(t, c);
	left = fg_topo_leave(t);
	if (err || left)
		return err ? err : left;

	err = fg_topo_enter(t, t->sink_fd);
	if (err)
		return err;
	c->sink_ifindex = (int)if_nametoindex(c->sink_if);
	left = fg_topo_leave(t);
	if (!c->sink_ifindex)
		return -ENODEV;
	if (left)
		return left;
	err = link_up(t->gen_fd, c->gen_if);
	if (!err)
		err = link_up(t->sink_fd, c->sink_if);
	if (err)
		return err;
	*out = c;
	return 0;
}

static void mac_str(char *buf, size_t len, const __u8 *m)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		 m[3], m[4], m[5]);
}

int fg_topo_add_hosts(struct fg_topo *t, const struct fg_topo_chain *c)
{
	char cmds[768], msg[512] = "", gm[18], dim[18], dom[18];
	int err;

	mac_str(gm, sizeof(gm), c->gen_mac);
	mac_str(dim, sizeof(dim), c->din_mac);
	mac_str(dom, sizeof(dom), c->dout_mac);
	/* Static neighbours everywhere: no ARP during a run. */
	snprintf(cmds, sizeof(cmds),
		 "addr add %s/24 dev %s\n"
		 "neigh replace 10.1.0.1 lladdr %s dev %s nud permanent\n"
		 "route add 10.2.0.0/24 via 10.1.0.1 dev %s\n",
		 FG_TOPO_CLIENT4, c->gen_if, dim, c->gen_if, c->gen_if);
	err = ip_batch(t->gen_fd, cmds, msg, sizeof(msg));
	if (!err) {
		snprintf(cmds, sizeof(cmds),
			 "addr add %s/24 dev %s\n"
			 "neigh replace 10.2.0.1 lladdr %s dev %s "
			 "nud permanent\n"
			 "route add 10.1.0.0/24 via 10.2.0.1 dev %s\n",
			 FG_TOPO_DST4, c->sink_if, dom, c->sink_if,
			 c->sink_if);
		err = ip_batch(t->sink_fd, cmds, msg, sizeof(msg));
	}
	if (!err) {
		snprintf(cmds, sizeof(cmds),
			 "neigh replace %s lladdr %s dev %s nud permanent\n",
			 FG_TOPO_CLIENT4, gm, c->din);
		err = ip_batch(c->dut_fd, cmds, msg, sizeof(msg));
	}
	if (err)
		fprintf(stderr, "flowgate bench: addresses for %s: %s\n",
			c->gen_if, msg);
	return err;
}

void fg_topo_close(struct fg_topo *t)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (t->chain[i].dut_fd >= 0)
			close(t->chain[i].dut_fd);
	t->n = 0;
	if (t->gen_fd >= 0)
		close(t->gen_fd);
	if (t->sink_fd >= 0)
		close(t->sink_fd);
	if (t->orig_fd > 0) {
		/* Never leave the thread in a namespace about to vanish. */
		setns(t->orig_fd, CLONE_NEWNET);
		close(t->orig_fd);
	}
	t->gen_fd = t->sink_fd = t->orig_fd = -1;
}
