// SPDX-License-Identifier: GPL-2.0-only
/*
 * datapath.c - load the BPF objects, own their maps, install compiled
 * policies into the inactive slot and publish them with one generation
 * store, read counters and flows back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "flowgate_tc.skel.h"
#include "flowgate_xdp.skel.h"

#define FG_EVENT_RATE_DEFAULT	100
#define FG_EVENT_BURST_DEFAULT	200
#define FG_ENOTSUPP		524	/* kernel-internal "not supported" */

size_t fg_dp_mmap_len(size_t bytes)
{
	long page = sysconf(_SC_PAGESIZE);

	if (page <= 0)
		page = 4096;
	return (bytes + page - 1) / page * page;
}

static size_t ctl_map_size(void)
{
	return fg_dp_mmap_len(sizeof(struct fg_ctl));
}

int fg_dp_open(struct fg_datapath *dp, const struct fg_dp_opts *opts)
{
	struct fg_dp_opts o = {};
	struct flowgate_tc_bpf *skel;
	__u32 rows;
	void *ctl;
	int err;

	memset(dp, 0, sizeof(*dp));
	if (opts)
		o = *opts;
	if (!o.max_rules)
		o.max_rules = FG_MAX_RULES_DEFAULT;
	if (!o.flow_entries)
		o.flow_entries = FG_FLOWS_DEFAULT;
	if (!o.frag_entries)
		o.frag_entries = FG_FRAGS_DEFAULT;
	if (!o.event_rate)
		o.event_rate = FG_EVENT_RATE_DEFAULT;
	if (!o.event_burst)
		o.event_burst = FG_EVENT_BURST_DEFAULT;
	/* Rule ids index bitmap words the kernel scans at most FG_MAX_WORDS
	 * of; row counts must fit a u32 map size. */
	if (o.max_rules > FG_MAX_WORDS * 64u - 1)
		return -E2BIG;
	rows = 2 * (o.max_rules + 1);

	dp->nr_cpus = libbpf_num_possible_cpus();
	if (dp->nr_cpus <= 0)
		return dp->nr_cpus ? dp->nr_cpus : -EINVAL;

	skel = flowgate_tc_bpf__open();
	if (!skel)
		return errno ? -errno : -EINVAL;

	/* Each family's table holds flow_entries (dp->flow_entries). */
	err = bpf_map__set_max_entries(skel->maps.fg_flows, o.flow_entries);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.fg_flows4,
					       o.flow_entries);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.fg_frags,
					       o.frag_entries);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.fg_rules, rows);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.fg_rule_cnt, rows);
	if (err)
		goto out_destroy;

	err = flowgate_tc_bpf__load(skel);
	if (err)
		goto out_destroy;

	ctl = mmap(NULL, ctl_map_size(), PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(skel->maps.fg_ctl), 0);
	if (ctl == MAP_FAILED) {
		err = -errno;
		goto out_destroy;
	}
	dp->tc = skel;
	dp->ctl = ctl;
	dp->max_rules = o.max_rules;
	dp->flow_entries = o.flow_entries;

	/* Fresh map: generation 0 (no policy, fail closed). */
	dp->ctl->max_rules = o.max_rules;
	dp->ctl->event_rate = o.event_rate;
	dp->ctl->event_burst = o.event_burst;
	return 0;

out_destroy:
	flowgate_tc_bpf__destroy(skel);
	return err;
}

void fg_dp_close(struct fg_datapath *dp)
{
	if (!dp)
		return;
	if (dp->ctl)
		munmap(dp->ctl, ctl_map_size());
	flowgate_tc_bpf__destroy(dp->tc);
	memset(dp, 0, sizeof(*dp));
}

int fg_dp_xdp_open(struct fg_datapath *dp, struct flowgate_xdp_bpf **out)
{
	struct flowgate_xdp_bpf *skel;
	struct bpf_map *map, *owner;
	int err;

	*out = NULL;
	if (!dp->tc)
		return -EINVAL;
	skel = flowgate_xdp_bpf__open();
	if (!skel)
		return errno ? -errno : -EINVAL;

	bpf_object__for_each_map(map, skel->obj) {
		const char *name = bpf_map__name(map);

		/* libbpf's internal maps (.rodata, .bss...) have a dot; we
		 * have none, but they would not be shared anyway. */
		if (strchr(name, '.'))
			continue;
		owner = bpf_object__find_map_by_name(dp->tc->obj, name);
		if (!owner) {
			err = -ENOENT;
			goto out_destroy;
		}
		err = bpf_map__reuse_fd(map, bpf_map__fd(owner));
		if (err)
			goto out_destroy;
	}
	*out = skel;
	return 0;

out_destroy:
	flowgate_xdp_bpf__destroy(skel);
	return err;
}

int fg_dp_xdp_load(struct flowgate_xdp_bpf *skel)
{
	return flowgate_xdp_bpf__load(skel);
}

void fg_dp_xdp_close(struct flowgate_xdp_bpf *skel)
{
	flowgate_xdp_bpf__destroy(skel);
}

int fg_dp_tc_ingress_fd(const struct fg_datapath *dp)
{
	return bpf_program__fd(dp->tc->progs.fg_tc_ingress);
}

int fg_dp_tc_egress_fd(const struct fg_datapath *dp)
{
	return bpf_program__fd(dp->tc->progs.fg_tc_egress);
}

__u32 fg_dp_generation(const struct fg_datapath *dp)
{
	return __atomic_load_n(&dp->ctl->generation, __ATOMIC_ACQUIRE);
}

/* Update n consecutive array rows starting at `first` from `vals` (value
 * stride vsz). Batched: one syscall per 64k rows instead of one per row. */
static int array_fill(int fd, __u32 first, const void *vals, size_t vsz,
		      __u32 n)
{
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
	const __u32 chunk = 65536;
	__u32 *keys, done = 0, i;
	int err = 0;

	keys = malloc(sizeof(*keys) * (n < chunk ? (n ? n : 1) : chunk));
	if (!keys)
		return -ENOMEM;
	while (done < n) {
		__u32 cnt = n - done < chunk ? n - done : chunk;

		for (i = 0; i < cnt; i++)
			keys[i] = first + done + i;
		err = bpf_map_update_batch(fd, keys,
					   (const char *)vals + (size_t)done * vsz,
					   &cnt, &opts);
		if (err == -EOPNOTSUPP || err == -FG_ENOTSUPP) {
			/* Kernels without batch ops on this map type. */
			for (i = 0; i < cnt; i++) {
				err = bpf_map_update_elem(fd, &keys[i],
					(const char *)vals +
					(size_t)(done + i) * vsz, BPF_ANY);
				if (err)
					break;
			}
		}
		if (err)
			break;
		done += cnt;
	}
	free(keys);
	return err;
}

static int trie_fill(int fd, const struct fg_compiled *c)
{
	size_t i;

	/* LPM tries have no batch update: one syscall per entry. */
	for (i = 0; i < c->n_entries; i++) {
		if (bpf_map_update_elem(fd, &c->keys[i], &c->classes[i],
					BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The pool is an mmapable array: one memcpy instead of millions of
 * element updates (tens of millions of words for 100k-rule policies). */
static int pool_fill(int fd, const struct fg_compiled *c)
{
	size_t len = (size_t)c->pool_words * sizeof(__u64);
	size_t maplen = fg_dp_mmap_len(len);
	void *m;

	m = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		return -errno;
	memcpy(m, c->pool, len);
	munmap(m, maplen);
	return 0;
}

static int check_compiled(const struct fg_datapath *dp,
			  const struct fg_compiled *c)
{
	size_t i;

	if (!c || !c->meta || !c->pool || c->pool_words == 0)
		return -EINVAL;
	if (c->n_entries && (!c->keys || !c->classes))
		return -EINVAL;
	if (c->n_rules > dp->max_rules)
		return -E2BIG;
	if (c->n_entries > UINT32_MAX)
		return -E2BIG;
	/* A class pointing outside the pool would make the kernel fail
	 * lookups (INTERNAL drops) for every packet that hits it. */
	for (i = 0; i < c->n_entries; i++) {
		const struct fg_class *k = &c->classes[i];

		if (k->lo > k->hi)
			continue;
		if (k->hi - k->lo >= FG_MAX_WORDS ||
		    (__u64)k->off + (k->hi - k->lo) >= c->pool_words)
			return -EINVAL;
	}
	return 0;
}

int fg_dp_install(struct fg_datapath *dp, const struct fg_compiled *c)
{
	DECLARE_LIBBPF_OPTS(bpf_map_create_opts, trie_opts,
			    .map_flags = BPF_F_NO_PREALLOC);
	DECLARE_LIBBPF_OPTS(bpf_map_create_opts, pool_opts,
			    .map_flags = BPF_F_INNER_MAP | BPF_F_MMAPABLE);
	struct fg_rule_counters *zero = NULL;
	struct fg_slot_cfg cfg;
	__u32 gen, next, slot, base, rows;
	int trie_fd, pool_fd, err;

	err = check_compiled(dp, c);
	if (err)
		return err;

	gen = fg_dp_generation(dp);
	next = gen + 1;
	if (next == 0)		/* 0 means "no policy" */
		next = 1;
	slot = next & 1;
	/* Skipping 0 on wrap keeps the slots alternating only if the wrap
	 * lands on an odd value; 0xffffffff -> 1 would reuse slot 1. */
	if (slot == (gen & 1) && gen != 0)
		next++;
	slot = next & 1;
	base = slot * (dp->max_rules + 1);
	rows = c->n_rules + 1;

	trie_fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, "fg_cls_trie_in",
				 sizeof(struct fg_lpm_key),
				 sizeof(struct fg_class),
				 c->n_entries ? (__u32)c->n_entries : 1,
				 &trie_opts);
	if (trie_fd < 0)
		return -errno;
	pool_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "fg_cls_pool_in",
				 sizeof(__u32), sizeof(__u64), c->pool_words,
				 &pool_opts);
	if (pool_fd < 0) {
		err = -errno;
		goto out_close_trie;
	}

	err = trie_fill(trie_fd, c);
	if (err)
		goto out_close_pool;
	err = pool_fill(pool_fd, c);
	if (err)
		goto out_close_pool;

	/* Rule metadata and zeroed counters for the slot's rows. */
	err = array_fill(bpf_map__fd(dp->tc->maps.fg_rules), base, c->meta,
			 sizeof(struct fg_rule_meta), rows);
	if (err)
		goto out_close_pool;
	zero = calloc((size_t)rows * dp->nr_cpus, sizeof(*zero));
	if (!zero) {
		err = -ENOMEM;
		goto out_close_pool;
	}
	err = array_fill(bpf_map__fd(dp->tc->maps.fg_rule_cnt), base, zero,
			 sizeof(*zero) * dp->nr_cpus, rows);
	if (err)
		goto out_free;

	cfg = c->cfg;
	cfg.n_rules = c->n_rules;
	cfg.pool_words = c->pool_words;
	dp->ctl->slot[slot] = cfg;

	if (bpf_map_update_elem(bpf_map__fd(dp->tc->maps.fg_cls_trie), &slot,
				&trie_fd, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(dp->tc->maps.fg_cls_pool), &slot,
				&pool_fd, BPF_ANY)) {
		err = -errno;
		goto out_free;
	}

	/* Publish: packets read the generation once and use its slot. The
	 * release orders every write above before it. */
	__atomic_store_n(&dp->ctl->generation, next, __ATOMIC_RELEASE);
	err = (int)next;

out_free:
	free(zero);
out_close_pool:
	/* The outer maps hold their own references. */
	close(pool_fd);
out_close_trie:
	close(trie_fd);
	return err;
}

int fg_dp_read_counters(const struct fg_datapath *dp, struct fg_counters *out)
{
	struct fg_counters *per;
	__u32 zero = 0;
	int cpu, i, err = 0;

	per = calloc(dp->nr_cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(dp->tc->maps.fg_stats), &zero,
				per)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	for (cpu = 0; cpu < dp->nr_cpus; cpu++) {
		for (i = 0; i < FG_VERDICT_MAX; i++)
			out->verdict[i] += per[cpu].verdict[i];
		for (i = 0; i < FG_DROP_MAX; i++)
			out->drop[i] += per[cpu].drop[i];
		for (i = 0; i < FG_CNT_MAX; i++)
			out->cnt[i] += per[cpu].cnt[i];
	}
out:
	free(per);
	return err;
}

int fg_dp_read_rule_counters(const struct fg_datapath *dp, __u32 gen,
			     __u32 n_rules, struct fg_rule_counters *out)
{
	int fd = bpf_map__fd(dp->tc->maps.fg_rule_cnt);
	struct fg_rule_counters *per;
	__u32 base, id, cpu;
	int err = 0;

	if (n_rules > dp->max_rules)
		return -EINVAL;
	base = (gen & 1) * (dp->max_rules + 1);
	per = calloc(dp->nr_cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	for (id = 0; id <= n_rules; id++) {
		__u32 key = base + id;

		if (bpf_map_lookup_elem(fd, &key, per)) {
			err = -errno;
			break;
		}
		out[id].packets = 0;
		out[id].bytes = 0;
		for (cpu = 0; cpu < (__u32)dp->nr_cpus; cpu++) {
			out[id].packets += per[cpu].packets;
			out[id].bytes += per[cpu].bytes;
		}
	}
	free(per);
	return err;
}

static int iface_slot(const struct fg_datapath *dp, __u32 ifindex)
{
	__u32 i;

	for (i = 0; i < dp->n_ifaces; i++)
		if (dp->iface_ifindex[i] == ifindex)
			return i;
	return -ENOENT;
}

int fg_dp_read_iface_counters(const struct fg_datapath *dp, __u32 ifindex,
			      struct fg_iface_counters *out)
{
	struct fg_iface_counters *per;
	int slot, cpu, d, err = 0;
	__u32 key;

	slot = iface_slot(dp, ifindex);
	if (slot < 0)
		return slot;
	key = slot;
	per = calloc(dp->nr_cpus, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(dp->tc->maps.fg_iface_stats),
				&key, per)) {
		err = -errno;
		goto out;
	}
	memset(out, 0, sizeof(*out));
	for (cpu = 0; cpu < dp->nr_cpus; cpu++) {
		for (d = 0; d < 2; d++) {
			out->packets[d] += per[cpu].packets[d];
			out->bytes[d] += per[cpu].bytes[d];
			out->dropped[d] += per[cpu].dropped[d];
		}
	}
out:
	free(per);
	return err;
}

int fg_dp_add_iface(struct fg_datapath *dp, __u32 ifindex)
{
	struct bpf_map *idx = dp->tc->maps.fg_iface_idx;
	struct fg_iface_counters *zero;
	int slot, err = 0;
	__u32 key, val;

	if (!ifindex)
		return -EINVAL;
	slot = iface_slot(dp, ifindex);
	if (slot < 0) {
		if (dp->n_ifaces >= FG_MAX_IFACES)
			return -ENOSPC;
		slot = dp->n_ifaces;
	}
	zero = calloc(dp->nr_cpus, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	/* Zero the counters first, then make the slot visible. */
	key = slot;
	if (bpf_map_update_elem(bpf_map__fd(dp->tc->maps.fg_iface_stats),
				&key, zero, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	val = slot + 1;
	if (ifindex >= bpf_map__max_entries(idx))
		idx = dp->tc->maps.fg_iface_idx_big;
	if (bpf_map_update_elem(bpf_map__fd(idx), &ifindex, &val, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	if ((__u32)slot == dp->n_ifaces)
		dp->iface_ifindex[dp->n_ifaces++] = ifindex;
out:
	free(zero);
	return err;
}

/* IPv4 entries are stored with the compact key; callers see the wide one. */
static void flow_key_widen(const struct fg_flow_key4 *k4,
			   struct fg_flow_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->addr_lo, &k4->addr_lo, 4);
	memcpy(k->addr_hi, &k4->addr_hi, 4);
	k->port_lo = k4->port_lo;
	k->port_hi = k4->port_hi;
	k->proto = k4->proto;
	k->family = AF_INET;
}

static void flow_key_narrow(const struct fg_flow_key *k,
			    struct fg_flow_key4 *k4)
{
	memset(k4, 0, sizeof(*k4));
	memcpy(&k4->addr_lo, k->addr_lo, 4);
	memcpy(&k4->addr_hi, k->addr_hi, 4);
	k4->port_lo = k->port_lo;
	k4->port_hi = k->port_hi;
	k4->proto = k->proto;
}

static int flows4_walk(const struct fg_datapath *dp, fg_flow_cb cb,
		       void *arg)
{
	int fd = bpf_map__fd(dp->tc->maps.fg_flows4);
	struct fg_flow_key4 key, next;
	struct fg_flow_key wide;
	struct fg_flow val;
	void *prev = NULL;
	int ret;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		/* Gone since get_next_key (LRU eviction): skip it. */
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		flow_key_widen(&key, &wide);
		ret = cb(&wide, &val, arg);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

int fg_dp_flows_walk(const struct fg_datapath *dp, fg_flow_cb cb, void *arg)
{
	int fd = bpf_map__fd(dp->tc->maps.fg_flows);
	struct fg_flow_key key, next;
	struct fg_flow val;
	void *prev = NULL;
	int ret;

	ret = flows4_walk(dp, cb, arg);
	if (ret)
		return ret;
	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		ret = cb(&key, &val, arg);
		if (ret)
			return ret;
	}
	return errno == ENOENT ? 0 : -errno;
}

int fg_dp_flow_lookup(const struct fg_datapath *dp,
		      const struct fg_flow_key *k, struct fg_flow *out)
{
	struct fg_flow_key4 k4;
	int err;

	if (k->family == AF_INET) {
		flow_key_narrow(k, &k4);
		err = bpf_map_lookup_elem(bpf_map__fd(dp->tc->maps.fg_flows4),
					  &k4, out);
	} else if (k->family == AF_INET6) {
		err = bpf_map_lookup_elem(bpf_map__fd(dp->tc->maps.fg_flows),
					  k, out);
	} else {
		return -EAFNOSUPPORT;
	}
	return err ? -errno : 0;
}

int fg_dp_flow_update(const struct fg_datapath *dp,
		      const struct fg_flow_key *k, const struct fg_flow *f,
		      __u64 flags)
{
	struct fg_flow_key4 k4;
	int err;

	if (k->family == AF_INET) {
		flow_key_narrow(k, &k4);
		err = bpf_map_update_elem(bpf_map__fd(dp->tc->maps.fg_flows4),
					  &k4, f, flags);
	} else if (k->family == AF_INET6) {
		err = bpf_map_update_elem(bpf_map__fd(dp->tc->maps.fg_flows),
					  k, f, flags);
	} else {
		return -EAFNOSUPPORT;
	}
	return err ? -errno : 0;
}

static int count_cb(const struct fg_flow_key *k, const struct fg_flow *f,
		    void *arg)
{
	(*(long *)arg)++;
	return 0;
}

long fg_dp_flows_count(const struct fg_datapath *dp)
{
	long n = 0;
	int err = fg_dp_flows_walk(dp, count_cb, &n);

	return err < 0 ? err : n;
}

struct gc_list {
	void *keys;
	size_t n, cap, ksz;
};

static int gc_push(struct gc_list *l, const void *key)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		void *p = realloc(l->keys, cap * l->ksz);

		if (!p)
			return -ENOMEM;
		l->keys = p;
		l->cap = cap;
	}
	memcpy((char *)l->keys + l->n * l->ksz, key, l->ksz);
	l->n++;
	return 0;
}

struct flow_gc_ctx {
	struct fg_slot_cfg cfg;
	__u64 now;
	struct gc_list list;
};

static int flow_gc_cb(const struct fg_flow_key *k, const struct fg_flow *f,
		      void *arg)
{
	struct flow_gc_ctx *g = arg;

	if (g->now > f->last_ns &&
	    g->now - f->last_ns > fg_flow_timeout(&g->cfg, k->family, k->proto,
						 f->state))
		return gc_push(&g->list, k);
	return 0;
}

/* Delete collected keys; entries already gone do not count. */
static long gc_delete(int fd, struct gc_list *l)
{
	long deleted = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (bpf_map_delete_elem(fd, (char *)l->keys + i * l->ksz) == 0)
			deleted++;
	return deleted;
}

/* Delete collected (wide) flow keys from the table of their family. */
static long flows_gc_delete(const struct fg_datapath *dp,
			    const struct gc_list *l)
{
	int fd4 = bpf_map__fd(dp->tc->maps.fg_flows4);
	int fd6 = bpf_map__fd(dp->tc->maps.fg_flows);
	long deleted = 0;
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct fg_flow_key *k =
			(const struct fg_flow_key *)l->keys + i;
		struct fg_flow_key4 k4;
		int err;

		if (k->family == AF_INET) {
			flow_key_narrow(k, &k4);
			err = bpf_map_delete_elem(fd4, &k4);
		} else {
			err = bpf_map_delete_elem(fd6, k);
		}
		if (!err)
			deleted++;
	}
	return deleted;
}

static long frags_gc(const struct fg_datapath *dp, __u64 now_ns)
{
	int fd = bpf_map__fd(dp->tc->maps.fg_frags);
	struct gc_list l = { .ksz = sizeof(struct fg_frag_key) };
	struct fg_frag_key key, next;
	struct fg_frag val;
	void *prev = NULL;
	long ret;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		if (now_ns > val.last_ns &&
		    now_ns - val.last_ns > FG_FRAG_TIMEOUT_NS &&
		    gc_push(&l, &key)) {
			free(l.keys);
			return -ENOMEM;
		}
	}
	ret = gc_delete(fd, &l);
	free(l.keys);
	return ret;
}

long fg_dp_flows_gc(struct fg_datapath *dp, __u64 now_ns)
{
	struct flow_gc_ctx g = {
		.now = now_ns,
		.list = { .ksz = sizeof(struct fg_flow_key) },
	};
	__u32 gen = fg_dp_generation(dp);
	long deleted = 0, frags;
	int err;

	/* Without a policy no timeouts are configured; packets are dropped
	 * before any flow lookup anyway. */
	if (gen) {
		g.cfg = dp->ctl->slot[gen & 1];
		err = fg_dp_flows_walk(dp, flow_gc_cb, &g);
		if (err) {
			free(g.list.keys);
			return err;
		}
		deleted = flows_gc_delete(dp, &g.list);
		free(g.list.keys);
	}
	frags = frags_gc(dp, now_ns);
	if (frags < 0)
		return frags;
	return deleted;
}

int fg_dp_events_fd(const struct fg_datapath *dp)
{
	return bpf_map__fd(dp->tc->maps.fg_events);
}
