/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_topo.h - the namespaces and veth pairs of `flowgate bench`.
 *
 * One generator namespace and one sink namespace; per configuration a DUT
 * namespace (a router) joined to both by a veth pair:
 *
 *   gen ns: g<i>  ==veth==  d<i>i  [DUT ns i, router]  d<i>o  ==veth==  s<i>  :sink ns
 *
 * so every system has its own namespace (nftables, iptables and ipset state
 * is per namespace) and configurations can be interleaved without reloading.
 * All namespaces are anonymous, held only by our file descriptors: the
 * kernel removes them with everything in them when the process exits, even
 * after kill -9.
 */
#ifndef FG_BENCH_TOPO_H
#define FG_BENCH_TOPO_H

#include <linux/types.h>

#define FG_TOPO_MAX_CHAINS	64

/* Addresses of the traffic (both families configured on every chain). */
#define FG_TOPO_SRC4		"172.16.0.0"	/* /12, the initiators */
#define FG_TOPO_SRC4_PLEN	12
#define FG_TOPO_DST4		"10.2.0.2"	/* the sink, behind the router */
#define FG_TOPO_SRC6		"fd00:10::ac10:0"	/* /108 */
#define FG_TOPO_SRC6_PLEN	108
#define FG_TOPO_DST6		"fd00:2::2"
#define FG_TOPO_SRC_BASE	0xac100000u	/* last 32 bits of both */
/* Socket traffic (fg_topo_add_hosts): a client behind the DUT's 10.1.0.1,
 * the server on FG_TOPO_DST4 behind its 10.2.0.1. */
#define FG_TOPO_CLIENT4		"10.1.0.2"

struct fg_topo_chain {
	int dut_fd;			/* DUT namespace */
	char gen_if[16], din[16], dout[16], sink_if[16];
	int gen_ifindex;		/* in the generator namespace */
	int din_ifindex, dout_ifindex;	/* in the DUT namespace */
	int sink_ifindex;		/* in the sink namespace */
	__u8 gen_mac[6], din_mac[6], dout_mac[6], sink_mac[6];
};

struct fg_topo {
	int orig_fd;			/* where we came from */
	int gen_fd, sink_fd;
	unsigned int id;		/* makes names unique per process */
	struct fg_topo_chain chain[FG_TOPO_MAX_CHAINS];
	int n;
};

/* Create the generator and sink namespaces. */
int fg_topo_open(struct fg_topo *t);
/* Add a DUT namespace with both veth pairs, addresses, static neighbours
 * and forwarding on. */
int fg_topo_add_chain(struct fg_topo *t, struct fg_topo_chain **out);
/* Addresses, routes and static neighbours so that sockets in the
 * generator namespace reach FG_TOPO_DST4 in the sink namespace through the
 * chain (IPv4). Once per topology: the addresses are fixed. */
int fg_topo_add_hosts(struct fg_topo *t, const struct fg_topo_chain *c);
/* Move this thread into a namespace / back to the original one. */
int fg_topo_enter(const struct fg_topo *t, int ns_fd);
int fg_topo_leave(const struct fg_topo *t);
/* Close every namespace fd (the kernel frees them). */
void fg_topo_close(struct fg_topo *t);

#endif /* FG_BENCH_TOPO_H */
