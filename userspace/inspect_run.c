// SPDX-License-Identifier: GPL-2.0-only
/*
 * inspect_run.c - set up and tear down the AF_XDP inspector: the internal
 * veths (capture: fgc0 -> fgc1, re-injection: fgi0 -> fgi1), their BPF
 * programs, the XSKMAP entries, one worker thread per (interface, rx queue)
 * plus one for the capture veth, the veths' MTUs and the frame lengths
 * the kernel may redirect (fg_ctl.insp_len_max), and the heartbeat the
 * kernel checks (fg_ctl.inspector). Teardown clears the heartbeat first,
 * so the kernel applies inspect_failure from then on instead of
 * redirecting into sockets that are going away.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <sys/socket.h>

#include "datapath.h"
#include "insp_overload.h"
#include "inspect.h"
#include "log.h"
#include "netlink.h"
#include "xsk_worker.h"
#include "flowgate_tc.skel.h"

#define CAP_DEV		"fgc0"	/* TC hooks redirect here */
#define CAP_PEER	"fgc1"	/* fg_insp_capture, capture worker's XSK */
#define INJ_DEV		"fgi0"	/* workers transmit here */
#define INJ_PEER	"fgi1"	/* fg_insp_reinject */

struct insp_thread {
	struct fg_inspector *in;
	struct fg_xsk_worker w;
	char device[IF_NAMESIZE];
	__u32 queue;
	__u32 key;		/* fg_xsks key */
	struct fg_insp_flag busy;	/* its word in fg_insp_busy */
	int cpu_asked;		/* --inspect-cpu's choice, -1: none */
	int cpu;		/* pinned to it, -1: not pinned */
	pthread_t thr;
	bool started;
	/* Hung-worker check, the heartbeat thread's own. */
	__u64 seen_progress;	/* w.progress at its last change */
	__u64 seen_ns;		/* when, or when the ring was last empty */
	bool stalled;
};

/* The namespace lock (see ns_lock). */
struct ns_lock {
	int fd;			/* -1: not held */
	char path[64];
};

struct fg_inspector {
	struct fg_datapath *dp;
	struct fg_insp_opts o;
	struct fg_insp_engine engine;
	__u32 cap_dev, cap_peer, inj_dev, inj_peer;	/* ifindexes, 0: none */
	__u32 frame_size;	/* every worker's UMEM frames */
	struct insp_thread *t;
	size_t n_t;
	volatile int stop;
	pthread_t beat;
	bool beat_started;
	struct fg_insp_flag flag;	/* the beat word (no overload bit:
					 * that is per queue, in busy) */
	__u32 *busy;		/* fg_insp_busy, mmapped */
	struct ns_lock lock;	/* one inspector per network namespace */
};

/* Bytes of the fg_insp_busy mapping. */
static size_t busy_map_size(void)
{
	return fg_dp_mmap_len(FG_XSK_ENTRIES * sizeof(__u32));
}

static __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

void fg_insp_set_failure_open(struct fg_datapath *dp, bool open)
{
	if (open)
		__atomic_or_fetch(&dp->ctl->flags, FG_CTL_F_INSPECT_OPEN,
				  __ATOMIC_RELEASE);
	else
		__atomic_and_fetch(&dp->ctl->flags, ~FG_CTL_F_INSPECT_OPEN,
				   __ATOMIC_RELEASE);
}

/*
 * A worker loops at least every FG_INSP_BEAT_PERIOD_MS (its poll timeout).
 * One that made no progress for two periods while frames wait in its ring
 * is hung (e.g. stuck in the engine): the heartbeat thread holds a
 * reference on its queue's busy word until it moves again. The beat goes
 * on, so the kernel applies inspect_failure at once instead of after
 * FG_INSP_BEAT_TIMEOUT.
 */
#define STALL_NS	(2ULL * FG_INSP_BEAT_PERIOD_MS * 1000 * 1000)

static void stall_check(struct fg_inspector *in, struct insp_thread *t,
			__u64 now)
{
	__u64 p = __atomic_load_n(&t->w.progress, __ATOMIC_RELAXED);

	if (p != t->seen_progress || !fg_xsk_worker_rx_queued(&t->w)) {
		t->seen_progress = p;
		t->seen_ns = now;
		if (t->stalled) {
			t->stalled = false;
			fg_insp_flag_put(&t->busy);
		}
		return;
	}
	if (now - t->seen_ns > STALL_NS && !t->stalled) {
		t->stalled = true;
		t->w.st.stalls++;
		fg_insp_flag_get(&t->busy);
	}
}

/* The heartbeat: alive. Overload is per queue (fg_insp_busy): workers
 * set and clear their own word, stall_check() a hung worker's. */
static void *beat_main(void *arg)
{
	struct fg_inspector *in = arg;

	while (!in->stop) {
		__u64 now = mono_ns();
		size_t i;

		for (i = 0; i < in->n_t; i++)
			stall_check(in, &in->t[i], now);
		fg_insp_flag_beat(&in->flag, FG_INSP_BEAT(now));
		usleep(FG_INSP_BEAT_PERIOD_MS * 1000 / 2);
	}
	return NULL;
}

static void *worker_main(void *arg)
{
	struct insp_thread *t = arg;

	fg_xsk_worker_loop(&t->w, &t->in->stop);
	return NULL;
}

/* The CPUs this process may run on (online ones only: the kernel masks
 * the affinity with the active CPUs). NULL on failure. */
#define CPUS_MAX	4096

static cpu_set_t *cpus_allowed(void)
{
	cpu_set_t *set = CPU_ALLOC(CPUS_MAX);

	if (set && sched_getaffinity(0, CPU_ALLOC_SIZE(CPUS_MAX), set)) {
		CPU_FREE(set);
		return NULL;
	}
	return set;
}

static bool cpu_allowed(int cpu)
{
	cpu_set_t *set = cpus_allowed();
	bool ok;

	if (!set)
		return false;
	ok = cpu >= 0 && cpu < CPUS_MAX &&
	     CPU_ISSET_S(cpu, CPU_ALLOC_SIZE(CPUS_MAX), set);
	CPU_FREE(set);
	return ok;
}

int fg_insp_cpu_check(int cpu, char *eb, size_t el)
{
	size_t sz = CPU_ALLOC_SIZE(CPUS_MAX), len = 0;
	cpu_set_t *set = cpus_allowed();
	int c, first = -1;

	if (!set) {
		snprintf(eb, el, "CPU %d: reading this process's CPUs: %s",
			 cpu, strerror(errno));
		return -EINVAL;
	}
	if (cpu >= 0 && cpu < CPUS_MAX && CPU_ISSET_S(cpu, sz, set)) {
		CPU_FREE(set);
		return 0;
	}
	len = snprintf(eb, el, "CPU %d is not online or not allowed for this "
		       "process (allowed:", cpu);
	/* The allowed set as ranges: " 0-3 6". */
	for (c = 0; c <= CPUS_MAX && len < el; c++) {
		bool in = c < CPUS_MAX && CPU_ISSET_S(c, sz, set);

		if (in && first < 0)
			first = c;
		if (in || first < 0)
			continue;
		len += first == c - 1 ?
		       snprintf(eb + len, el - len, " %d", first) :
		       snprintf(eb + len, el - len, " %d-%d", first, c - 1);
		first = -1;
	}
	if (len < el)
		snprintf(eb + len, el - len, ")");
	CPU_FREE(set);
	return -EINVAL;
}

/* Start t's thread, on its CPU if it has one that is available; else
 * unpinned (t->cpu -1: the queue stats say so, `run` logs it). */
static int worker_create(struct insp_thread *t)
{
	pthread_attr_t attr;
	cpu_set_t set;

	t->cpu = -1;
	if (t->cpu_asked >= 0 && t->cpu_asked < CPU_SETSIZE &&
	    cpu_allowed(t->cpu_asked) && !pthread_attr_init(&attr)) {
		int err;

		CPU_ZERO(&set);
		CPU_SET(t->cpu_asked, &set);
		err = pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
		if (!err)
			err = pthread_create(&t->thr, &attr, worker_main, t);
		pthread_attr_destroy(&attr);
		if (!err) {
			t->cpu = t->cpu_asked;
			return 0;
		}
	}
	return -pthread_create(&t->thr, NULL, worker_main, t);
}

/* Rx queues in use as the driver reports them (ethtool channels), 0 if it
 * does not. Asked through a socket, so in this process's network
 * namespace, where /sys may be another's (nsenter keeps the host's). */
static __u32 rx_channels(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	int fd, err;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	err = ioctl(fd, SIOCETHTOOL, &ifr);
	close(fd);
	return err ? 0 : ch.rx_count + ch.combined_count;
}

/* Number of rx queues of a device, at least 1: ethtool's channels, else
 * sysfs. */
static __u32 rx_queues(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	struct dirent *de;
	__u32 n = rx_channels(ifname);
	DIR *d;

	if (n)
		return n;
	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "rx-", 3))
			n++;
	closedir(d);
	return n ? n : 1;
}

/* Internal links carry no traffic of their own: no IPv6 autoconf chatter
 * into the capture socket. Best effort. */
static void no_ipv6(const char *ifname)
{
	char path[64 + IF_NAMESIZE];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 ifname);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return;
	/* Failure: IPv6 is off in this kernel, nothing to do. */
	(void)!write(fd, "1", 1);
	close(fd);
}

/*
 * The internal veths have fixed names, so one inspector per network
 * namespace: an flock on a file named after the namespace says whether
 * another live process owns them (then fail) or they are leftovers of a
 * killed one (then replace them). The kernel drops the lock with its
 * owner; a clean exit also removes the file (ns_unlock), a killed owner's
 * is reused by the next one.
 *
 * NS_LOCK_TRIES bounds ns_lock's retries: each one means that another
 * process removed the file between our open and our flock, which a lock
 * holder does once.
 */
#define NS_LOCK_TRIES	8

/*
 * Take the namespace's lock: l->fd holds it, 0 returned. -EBUSY: a live
 * process holds it. -ENOENT: no file and !create. The file we lock must be
 * the one the path names: a holder unlinks it before closing, so a process
 * that opened the old file and got the lock only then would otherwise
 * hold a lock nobody else can see.
 */
static int ns_lock(bool create, struct ns_lock *l)
{
	struct stat ns, fst, pst;
	int fd, err, i;

	l->fd = -1;
	if (stat("/proc/self/ns/net", &ns))
		return -errno;
	snprintf(l->path, sizeof(l->path), "/run/flowgate-inspector.%llu.lock",
		 (unsigned long long)ns.st_ino);
	for (i = 0; i < NS_LOCK_TRIES; i++) {
		fd = open(l->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
			  0600);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			err = errno == EWOULDBLOCK ? -EBUSY : -errno;
			goto out_close;
		}
		if (fstat(fd, &fst)) {
			err = -errno;
			goto out_close;
		}
		if (!stat(l->path, &pst) && pst.st_dev == fst.st_dev &&
		    pst.st_ino == fst.st_ino) {
			l->fd = fd;
			return 0;
		}
		/* Unlinked (and maybe recreated) since we opened it. */
		close(fd);
		if (!create)
			return -ENOENT;
	}
	return -EAGAIN;

out_close:
	close(fd);
	return err;
}

/* Remove the file while still holding the lock, then release it: whoever
 * opened it meanwhile finds it gone from the path (ns_lock retries). */
static void ns_unlock(struct ns_lock *l)
{
	if (l->fd < 0)
		return;
	unlink(l->path);
	close(l->fd);
	l->fd = -1;
}

static int veth_create(const char *a, const char *b, __u32 nq, __u32 *ia,
		       __u32 *ib)
{
	struct fg_link l;
	int err;

	/* A leftover pair from an instance that was killed. */
	if (!fg_nl_link_get(a, &l))
		fg_nl_link_del(l.ifindex);
	err = fg_nl_veth_add(a, b, nq);
	if (err)
		return err;
	err = fg_nl_link_get(a, &l);
	if (err)
		return err;
	*ia = l.ifindex;
	err = fg_nl_link_get(b, &l);
	if (err)
		return err;
	*ib = l.ifindex;
	no_ipv6(a);
	no_ipv6(b);
	err = fg_nl_link_set_up(*ia);
	if (!err)
		err = fg_nl_link_set_up(*ib);
	return err;
}

static int attach_progs(struct fg_inspector *in, char *eb, size_t el)
{
	struct flowgate_tc_bpf *skel = in->dp->tc;
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)in->inj_peer,
			    .attach_point = BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = FG_TC_HANDLE,
			    .priority = FG_TC_PRIORITY,
			    .prog_fd = bpf_program__fd(skel->progs.fg_insp_reinject));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		snprintf(eb, el, "%s: clsact: %s", INJ_PEER, strerror(-err));
		return err;
	}
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		snprintf(eb, el, "%s: attaching %s: %s", INJ_PEER,
			 FG_BPF_PROG_REINJECT, strerror(-err));
		return err;
	}
	err = bpf_xdp_attach((int)in->cap_peer,
			     bpf_program__fd(skel->progs.fg_insp_capture),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		snprintf(eb, el, "%s: attaching %s: %s", CAP_PEER,
			 FG_BPF_PROG_CAPTURE, strerror(-err));
		return err;
	}
	return 0;
}

/* Both ends of a veth pair get the same MTU. */
static int pair_mtu(__u32 a, __u32 b, __u32 mtu, const char *name, char *eb,
		    size_t el)
{
	int err = fg_nl_link_set_mtu(a, mtu);

	if (!err)
		err = fg_nl_link_set_mtu(b, mtu);
	if (err)
		snprintf(eb, el, "%s: MTU %u: %s", name, mtu, strerror(-err));
	return err;
}

/*
 * UMEM frame size: the small one when every interface's longest frame
 * (MTU, Ethernet, FG_VLAN_MAX_DEPTH tags) fits it, for half the memory;
 * else the large one. An MTU raised later meets inspect_oversize.
 */
static __u32 frame_size_for(const struct fg_datapath *dp)
{
	struct fg_link l;
	__u32 i;

	for (i = 0; i < dp->n_ifaces; i++)
		if (fg_nl_link_get_index(dp->iface_ifindex[i], &l) ||
		    l.mtu + ETH_HLEN + 4 * FG_VLAN_MAX_DEPTH >
		    FG_XSK_FRAME_ROOM(FG_XSK_FRAME_SMALL))
			return FG_XSK_FRAME_LARGE;
	return FG_XSK_FRAME_SMALL;
}

/*
 * Size the internal veths for the longest frame a worker takes
 * (FG_XSK_FRAME_ROOM) and tell the kernel what each path carries, so it
 * refuses longer frames (inspect_oversize) instead of redirecting them to
 * be lost. Capture: the veth checks each frame against its MTU plus
 * Ethernet and one VLAN header, which our tag is; the frame with the tag
 * must fit a UMEM frame; and the XDP program on fgc1 (no frags) caps the
 * MTU (the kernel reports it as fgc0's max_mtu once attached).
 * Re-injection: a frame of either path plus the tag.
 */
static int size_links(struct fg_inspector *in, char *eb, size_t el)
{
	__u32 room = FG_XSK_FRAME_ROOM(in->frame_size);
	__u32 cap_mtu = room - ETH_HLEN - 4;
	struct fg_link l;
	int err;

	err = fg_nl_link_get_index(in->cap_dev, &l);
	if (err) {
		snprintf(eb, el, "%s: %s", CAP_DEV, strerror(-err));
		return err;
	}
	if (l.max_mtu && l.max_mtu < cap_mtu)
		cap_mtu = l.max_mtu;
	err = pair_mtu(in->cap_dev, in->cap_peer, cap_mtu, CAP_DEV, eb, el);
	if (!err)
		err = pair_mtu(in->inj_dev, in->inj_peer,
			       room - ETH_HLEN, INJ_DEV, eb, el);
	if (err)
		return err;
	/* Before any socket is registered: no frame is redirected before
	 * the kernel knows the limits. */
	in->dp->ctl->insp_len_max[FG_INSP_PATH_XSK] = room;
	in->dp->ctl->insp_len_max[FG_INSP_PATH_CAPTURE] = cap_mtu + ETH_HLEN;
	return 0;
}

/* Once at start: interfaces whose MTU allows frames the inspector cannot
 * take (the shorter of the two paths: XDP ingress, TC egress). */
static void warn_oversize(const struct fg_inspector *in,
			  char names[][IF_NAMESIZE])
{
	const __u32 *max = in->dp->ctl->insp_len_max;
	__u32 lim = max[FG_INSP_PATH_XSK] < max[FG_INSP_PATH_CAPTURE] ?
		    max[FG_INSP_PATH_XSK] : max[FG_INSP_PATH_CAPTURE];
	struct fg_link l;
	__u32 i;

	for (i = 0; i < in->dp->n_ifaces; i++) {
		if (fg_nl_link_get_index(in->dp->iface_ifindex[i], &l) ||
		    l.mtu + ETH_HLEN <= lim)
			continue;
		fg_warn("inspector: %s: MTU %u allows frames longer than the "
			"%u bytes it can inspect: their payload in inspected "
			"flows meets inspect_failure (drop reason "
			"inspect_oversize)", names[i], l.mtu, lim);
	}
}

static int thread_open(struct fg_inspector *in, struct insp_thread *t,
		       const char *ifname, __u32 q, __u32 tx_q, __u32 key,
		       __u16 vid, char *eb, size_t el)
{
	int fd, err;

	t->in = in;
	t->key = key;
	snprintf(t->device, sizeof(t->device), "%s", ifname);
	t->queue = q;
	t->cpu_asked = in->o.cpu_base >= 0 ? in->o.cpu_base + (int)tx_q : -1;
	t->cpu = -1;
	t->w.engine = &in->engine;
	t->w.dp = in->dp;
	t->w.vid = vid;
	t->w.frame_size = in->frame_size;
	t->w.busy_poll = in->o.busy_poll;
	t->w.bare = in->o.bare;
	/* Overload is per queue: only this socket's payload then meets
	 * inspect_failure. */
	t->busy.word = &in->busy[key];
	t->busy.queue = true;
	__atomic_store_n(t->busy.word, 0, __ATOMIC_SEQ_CST);
	t->w.flag = &t->busy;
	err = fg_xsk_worker_open(&t->w, ifname, q, INJ_DEV, tx_q);
	if (err) {
		snprintf(eb, el, "%s queue %u: %s: %s", ifname, q,
			 t->w.what ? t->w.what : "AF_XDP socket",
			 strerror(-err));
		return err;
	}
	fd = fg_xsk_worker_rx_fd(&t->w);
	if (bpf_map_update_elem(bpf_map__fd(in->dp->tc->maps.fg_xsks), &key,
				&fd, BPF_ANY)) {
		err = -errno;
		snprintf(eb, el, "%s queue %u: registering the socket: %s",
			 ifname, q, strerror(-err));
		return err;
	}
	return 0;
}

int fg_insp_start(struct fg_datapath *dp, const struct fg_insp_opts *o,
		  struct fg_inspector **out, char *eb, size_t el)
{
	int ifaces_fd = bpf_map__fd(dp->tc->maps.fg_insp_ifaces);
	__u32 nq[FG_MAX_IFACES], total = 1, i, q, k;
	char names[FG_MAX_IFACES][IF_NAMESIZE];
	struct fg_inspector *in;
	int err;

	*out = NULL;
	eb[0] = '\0';
	if (!o->engine || !o->engine->decide)
		return -EINVAL;
	in = calloc(1, sizeof(*in));
	if (!in)
		return -ENOMEM;
	in->dp = dp;
	in->o = *o;
	in->engine = *o->engine;
	in->lock.fd = -1;
	in->flag.word = &dp->ctl->inspector;
	in->busy = mmap(NULL, busy_map_size(), PROT_READ | PROT_WRITE,
			MAP_SHARED, bpf_map__fd(dp->tc->maps.fg_insp_busy), 0);
	if (in->busy == MAP_FAILED) {
		in->busy = NULL;
		err = -errno;
		snprintf(eb, el, "fg_insp_busy: %s", strerror(-err));
		goto fail;
	}
	err = ns_lock(true, &in->lock);
	if (err) {
		snprintf(eb, el, err == -EBUSY ?
			 "another flowgate inspector runs in this network namespace" :
			 "inspector lock: %s", strerror(-err));
		goto fail;
	}

	for (i = 0; i < dp->n_ifaces; i++) {
		if (!if_indextoname(dp->iface_ifindex[i], names[i])) {
			err = -errno;
			snprintf(eb, el, "ifindex %u: %s", dp->iface_ifindex[i],
				 strerror(-err));
			goto fail;
		}
		nq[i] = o->queues ? o->queues : rx_queues(names[i]);
		if (nq[i] > FG_XSK_QMAX)
			nq[i] = FG_XSK_QMAX;
		total += nq[i];
	}
	in->t = calloc(total, sizeof(*in->t));
	if (!in->t) {
		err = -ENOMEM;
		goto fail;
	}

	err = veth_create(INJ_DEV, INJ_PEER, total, &in->inj_dev,
			  &in->inj_peer);
	if (!err)
		err = veth_create(CAP_DEV, CAP_PEER, 1, &in->cap_dev,
				  &in->cap_peer);
	if (err) {
		snprintf(eb, el, "creating the internal veths: %s",
			 strerror(-err));
		goto fail;
	}
	in->frame_size = frame_size_for(dp);
	err = attach_progs(in, eb, el);
	if (!err)
		err = size_links(in, eb, el);
	if (err)
		goto fail;
	warn_oversize(in, names);

	/* Sockets: one per (interface, queue), then the capture veth's. */
	k = 0;
	for (i = 0; i < dp->n_ifaces; i++)
		for (q = 0; q < nq[i]; q++, k++) {
			err = thread_open(in, &in->t[k], names[i], q, k,
					  i * FG_XSK_QMAX + q,
					  FG_INSP_VID(i, FG_HOOK_INGRESS),
					  eb, el);
			in->n_t = k + 1;
			if (err)
				goto fail;
		}
	err = thread_open(in, &in->t[k], CAP_PEER, 0, k, FG_XSK_CAPTURE_BASE,
			  0, eb, el);
	in->n_t = k + 1;
	if (err)
		goto fail;

	/* Re-injection targets, then the capture target for TC hooks. */
	for (i = 0; i < dp->n_ifaces; i++)
		if (bpf_map_update_elem(ifaces_fd, &i, &dp->iface_ifindex[i],
					BPF_ANY))
			goto fail_map;
	i = FG_INSP_CAPTURE_IDX;
	if (bpf_map_update_elem(ifaces_fd, &i, &in->cap_dev, BPF_ANY))
		goto fail_map;

	for (k = 0; k < in->n_t; k++) {
		err = worker_create(&in->t[k]);
		if (err) {
			snprintf(eb, el, "worker thread: %s", strerror(-err));
			goto fail;
		}
		in->t[k].started = true;
	}
	err = -pthread_create(&in->beat, NULL, beat_main, in);
	if (err) {
		snprintf(eb, el, "heartbeat thread: %s", strerror(-err));
		goto fail;
	}
	in->beat_started = true;
	*out = in;
	return 0;

fail_map:
	err = -errno;
	snprintf(eb, el, "fg_insp_ifaces: %s", strerror(-err));
fail:
	fg_insp_stop(in);
	return err;
}

void fg_insp_stop(struct fg_inspector *in)
{
	__u32 zero = 0, i;
	size_t k;
	int fd;

	if (!in)
		return;
	/* Absent first: from here the kernel applies inspect_failure. */
	in->stop = 1;
	if (in->beat_started)
		pthread_join(in->beat, NULL);
	__atomic_store_n(&in->dp->ctl->inspector, 0, __ATOMIC_RELEASE);
	fd = bpf_map__fd(in->dp->tc->maps.fg_insp_ifaces);
	i = FG_INSP_CAPTURE_IDX;
	bpf_map_update_elem(fd, &i, &zero, BPF_ANY);
	for (k = 0; k < in->n_t; k++) {
		struct insp_thread *t = &in->t[k];

		bpf_map_delete_elem(bpf_map__fd(in->dp->tc->maps.fg_xsks),
				    &t->key);
		if (t->started)
			pthread_join(t->thr, NULL);
		fg_xsk_worker_close(&t->w);
	}
	/* Deleting one end removes the pair and the programs on it. */
	if (in->cap_dev)
		fg_nl_link_del(in->cap_dev);
	if (in->inj_dev)
		fg_nl_link_del(in->inj_dev);
	if (in->busy)
		munmap(in->busy, busy_map_size());
	ns_unlock(&in->lock);
	free(in->t);
	free(in);
}

/* The kernel's counters of a worker's RX socket, into its stats. */
static void kernel_stats(struct insp_thread *t)
{
	struct xdp_statistics xs;

	if (fg_xsk_worker_xdp_stats(&t->w, &xs))
		return;
	t->w.st.k_rx_dropped = xs.rx_dropped;
	t->w.st.k_rx_ring_full = xs.rx_ring_full;
	t->w.st.k_fill_empty = xs.rx_fill_ring_empty_descs;
	t->w.st.k_rx_invalid = xs.rx_invalid_descs;
}

/* Counters are read while workers write them: each is one aligned 64-bit
 * word with one writer, so a read sees an old or a new value. */
int fg_insp_stats(struct fg_inspector *in, struct fg_insp_stats *sum)
{
	size_t k;

	memset(sum, 0, sizeof(*sum));
	if (!in)
		return 0;
	for (k = 0; k < in->n_t; k++) {
		const struct fg_insp_stats *st = &in->t[k].w.st;

		kernel_stats(&in->t[k]);
#define FG_X_INSP_SUM(f, name) sum->f += st->f;
		FG_INSP_STATS(FG_X_INSP_SUM)
#undef FG_X_INSP_SUM
	}
	return (int)in->n_t;
}

void fg_insp_latency(struct fg_inspector *in, struct fg_insp_latency *out)
{
	__u64 n = 0, acc = 0;
	size_t k, b;

	memset(out, 0, sizeof(*out));
	if (!in)
		return;
	for (k = 0; k < in->n_t; k++)
		for (b = 0; b < FG_INSP_LAT_BUCKETS; b++)
			n += in->t[k].w.lat_hist[b];
	out->samples = n;
	if (!n)
		return;
	for (b = 0; b < FG_INSP_LAT_BUCKETS; b++) {
		__u64 prev = acc;

		for (k = 0; k < in->n_t; k++)
			acc += in->t[k].w.lat_hist[b];
		/* Bucket b holds [b, b + 1) us: report its upper edge. */
		if (prev * 2 < n && acc * 2 >= n)
			out->p50_us = (__u32)b + 1;
		if (prev * 100 < n * 99 && acc * 100 >= n * 99)
			out->p99_us = (__u32)b + 1;
	}
}

void fg_insp_latency_reset(struct fg_inspector *in)
{
	size_t k;

	for (k = 0; in && k < in->n_t; k++)
		memset(in->t[k].w.lat_hist, 0, sizeof(in->t[k].w.lat_hist));
}

int fg_insp_queue_stats(struct fg_inspector *in,
			struct fg_insp_queue_stats *out, size_t n)
{
	size_t k;

	if (!in)
		return 0;
	for (k = 0; k < in->n_t && k < n; k++) {
		kernel_stats(&in->t[k]);
		snprintf(out[k].device, sizeof(out[k].device), "%s",
			 in->t[k].device);
		out[k].queue = in->t[k].queue;
		out[k].frames = FG_XSK_FRAMES;
		out[k].cpu = in->t[k].cpu;
		out[k].cpu_asked = in->t[k].cpu_asked;
		out[k].st = in->t[k].w.st;
	}
	return (int)in->n_t;
}

int fg_insp_remove_leftovers(FILE *report)
{
	static const char *const pair[2][2] = {
		{ INJ_DEV, INJ_PEER }, { CAP_DEV, CAP_PEER },
	};
	struct ns_lock lock;
	struct fg_link l[2];
	bool found[2];
	int err, ret, n = 0, i;

	for (i = 0; i < 2; i++) {
		ret = fg_nl_link_get(pair[i][0], &l[i]);
		if (ret && ret != -ENODEV)
			return ret;
		/* Someone else's device of that name is not ours to delete. */
		found[i] = !ret && !strcmp(l[i].kind, "veth");
	}
	/* Held while deleting: no inspector can start on the pairs then.
	 * Without pairs, only a lock file a killed inspector left may remain
	 * (never one that a live or starting inspector holds). */
	err = ns_lock(found[0] || found[1], &lock);
	if (!found[0] && !found[1]) {
		ns_unlock(&lock);
		return err == -EBUSY || err == -ENOENT ? 0 : err;
	}
	if (err == -EBUSY && report) {
		fprintf(report, "kept inspector veths");
		for (i = 0; i < 2; i++)
			if (found[i])
				fprintf(report, " %s/%s", pair[i][0], pair[i][1]);
		fprintf(report, ": a live flowgate inspector runs in this "
			"network namespace\n");
	}
	if (err)
		return err;
	for (i = 0; i < 2; i++) {
		if (!found[i])
			continue;
		/* Deleting one end removes the pair and its programs. */
		ret = fg_nl_link_del(l[i].ifindex);
		if (ret == -ENODEV)
			continue;
		if (ret) {
			if (!err)
				err = ret;
			continue;
		}
		n++;
		if (report)
			fprintf(report, "removed inspector veths %s/%s, left by "
				"a killed inspector\n", pair[i][0], pair[i][1]);
	}
	ns_unlock(&lock);
	return err ? err : n;
}
