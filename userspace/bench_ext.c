// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_ext.c - other firewalls as systems under test of `flowgate bench`:
 * nftables (linear rules, set lookup), iptables (linear rules, ipset; the
 * nf_tables backend Debian installs as `iptables`, and iptables-legacy) and
 * xdp-filter from xdp-tools. The policy is described in bench_ext.h.
 *
 * Each system is driven through its own command-line tool, run inside the
 * DUT namespace (bench_exec.c); rule sets are loaded in one transaction
 * where the tool has one (nft -f, iptables-restore, ipset restore), and the
 * load time measured is that of the tool doing it. Counters are read from
 * the kernel directly (nfnetlink, xdp-filter's pinned map): the tools list
 * the whole rule set first, seconds with 100,000 rules.
 *
 * What the deciding rule counts is both "matched" and "dropped" (it drops
 * what it matches); when !cfg->deny it matches nothing, so both stay 0.
 *
 * Ownership, so teardown removes exactly what setup added: everything is
 * created under a name unique to this process and DUT (nft table, iptables
 * chain, ipset), plus the jump into it from PREROUTING; iptables' nf_tables
 * backend creates the "raw" table on first use, so it is removed again if
 * it did not exist before and holds no rule. xdp-filter keeps global state
 * in bpffs, so it is used only if that state does not exist yet, and its
 * directory is removed even if `xdp-filter unload` cannot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <endian.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench_dut.h"
#include "bench_exec.h"
#include "bench_ext.h"
#include "log.h"

#define FILLER_BASE4		0xc6120000u	/* 198.18.0.0 (RFC 2544) */
#define ERR_LEN			4096
#define OUT_LEN			16384
#define PROBE_TIMEOUT_S		10.0
/* Removing a large rule set can take as long as loading it did. */
#define UNDO_TIMEOUT_MIN_S	60.0
/* xdp-filter's map value: match flags in the low bits, hits above. */
#define XDPF_FLAG_SRC		(1u << 0)
#define XDPF_COUNTER_SHIFT	6

enum ext_kind {
	EXT_NFT_LINEAR,
	EXT_NFT_SET,
	EXT_IPT_LINEAR,
	EXT_IPT_LEGACY_LINEAR,
	EXT_IPT_IPSET,
	EXT_XDP_FILTER,
};

struct ext_priv {
	enum ext_kind kind;
	int netns_fd;			/* our dup of cfg->netns_fd */
	char ifname[IF_NAMESIZE];
	int ifindex;
	int family;
	__u32 rules;
	__u16 port;			/* of the deciding rule */
	char name[32];			/* table / chain / ipset name */
	char file[4096];		/* rule file in workdir, "" if none */
	char file2[4096];		/* second file (ipset input) */
	double undo_timeout_s;
	const char *ipt;		/* iptables binaries for the family */
	const char *ipt_restore;
	bool nft_table;			/* our nft table may exist */
	bool ipt_chain;			/* our chain and jump may exist */
	bool nft_backend;		/* iptables is iptables-nft */
	__u64 last_handle;		/* nf_tables handle of the last rule */
	bool raw_was_absent;		/* nf_tables "raw" table did not exist */
	bool ipset;			/* our ipset may exist */
	bool xdpf;			/* xdp-filter was loaded by us */
	int xdpf_ports_fd;		/* its pinned port map */
};

/* ------------------------------------------------------------------------ */
/* Policy text                                                              */
/* ------------------------------------------------------------------------ */

int fg_ext_check_cfg(const struct fg_bench_dut_cfg *cfg)
{
	const struct fg_bench_traffic *t;

	if (!cfg || !cfg->t || !cfg->ifname || !cfg->ifname[0] ||
	    strlen(cfg->ifname) >= IF_NAMESIZE || !cfg->rules)
		return -EINVAL;
	t = cfg->t;
	if (t->family != AF_INET && t->family != AF_INET6)
		return -EINVAL;
	if (t->proto != IPPROTO_UDP && t->proto != IPPROTO_TCP)
		return -EINVAL;
	if (t->src_plen > (t->family == AF_INET ? 32 : 128) || !t->dport)
		return -EINVAL;
	return 0;
}

__u16 fg_ext_rule_port(const struct fg_bench_dut_cfg *cfg)
{
	if (cfg->deny)
		return cfg->t->dport;
	/* Any other port: the next one, skipping 0. */
	return cfg->t->dport == 65535 ? 1 : cfg->t->dport + 1;
}

static unsigned __int128 addr_to_u128(const __u8 *a, int family)
{
	unsigned __int128 v = 0;
	int i, n = family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		v = (v << 8) | a[i];
	return v;
}

static void u128_to_addr(unsigned __int128 v, __u8 *a, int family)
{
	int i, n = family == AF_INET ? 4 : 16;

	for (i = n - 1; i >= 0; i--) {
		a[i] = (__u8)v;
		v >>= 8;
	}
}

int fg_ext_filler(const struct fg_bench_traffic *t, __u32 i, __u8 addr[16])
{
	/* Two IPv6 /64s that differ in their first bit: any prefix but ::/0
	 * leaves at least one of them whole. */
	static const __u8 base6[2][8] = {
		{ 0xfd, 0x00, 0xfb, 0x00, 0xfb, 0x00, 0xfb, 0x00 },
		{ 0x20, 0x01, 0x0d, 0xb8, 0xfb, 0x00, 0xfb, 0x00 },
	};
	unsigned __int128 p, pstart, pend, start, cand, max;
	int bits = t->family == AF_INET ? 32 : 128;
	__u8 base[16] = {};
	int b;

	memset(addr, 0, 16);
	if (t->src_plen > bits || !t->src_plen)
		return -ERANGE;
	p = addr_to_u128(t->src, t->family);
	if (t->src_plen < bits)
		p &= ~(((unsigned __int128)1 << (bits - t->src_plen)) - 1);
	pstart = p;
	pend = p | (t->src_plen < bits ?
		    (((unsigned __int128)1 << (bits - t->src_plen)) - 1) : 0);

	if (t->family == AF_INET) {
		start = FILLER_BASE4;
		max = 0xffffffffu;
	} else {
		for (b = 0; b < 2; b++) {
			memcpy(base, base6[b], 8);
			start = addr_to_u128(base, AF_INET6);
			/* This /64 lies wholly outside the prefix, or the
			 * prefix is inside it (then skipped below). */
			if (start > pend || start + UINT64_MAX < pstart ||
			    (pstart >= start && pend <= start + UINT64_MAX))
				break;
		}
		if (b == 2)
			return -ERANGE;
		start += 1;	/* not the subnet-router anycast address */
		max = start + UINT64_MAX - 1;
	}
	/* Count up from start, jumping over the prefix. */
	if (start >= pstart && start <= pend) {
		if (pend >= max)
			return -ERANGE;
		start = pend + 1;
	}
	cand = start + i;
	if (pstart > start && cand >= pstart)
		cand += pend - pstart + 1;
	if (cand > max)
		return -ERANGE;
	u128_to_addr(cand, addr, t->family);
	return 0;
}

static const char *ntop(int family, const __u8 *a, char *buf, size_t len)
{
	if (!inet_ntop(family, a, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* The traffic's prefix, host bits cleared (tools differ in accepting
 * them), as "addr/plen". */
static const char *prefix_str(const struct fg_bench_traffic *t, char *buf,
			      size_t len)
{
	int bits = t->family == AF_INET ? 32 : 128;
	unsigned __int128 p = addr_to_u128(t->src, t->family);
	char a[INET6_ADDRSTRLEN];
	__u8 m[16] = {};

	if (t->src_plen < bits)
		p &= ~(((unsigned __int128)1 << (bits - t->src_plen)) - 1);
	u128_to_addr(p, m, t->family);
	snprintf(buf, len, "%s/%u", ntop(t->family, m, a, sizeof(a)),
		 t->src_plen);
	return buf;
}

static const char *proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : "udp";
}

/* The N-1 fillers, each written as pre + address + post. */
static int write_fillers(FILE *f, const struct fg_bench_dut_cfg *cfg,
			 const char *pre, const char *post)
{
	char a[INET6_ADDRSTRLEN];
	__u8 addr[16];
	__u32 i;
	int ret;

	for (i = 0; i + 1 < cfg->rules; i++) {
		ret = fg_ext_filler(cfg->t, i, addr);
		if (ret)
			return ret;
		fprintf(f, "%s%s%s", pre, ntop(cfg->t->family, addr, a,
						sizeof(a)), post);
	}
	return 0;
}

int fg_ext_write_nft(FILE *f, const struct fg_bench_dut_cfg *cfg,
		     const char *table, bool set)
{
	const char *ip = cfg->t->family == AF_INET ? "ip" : "ip6";
	const char *l4 = proto_name(cfg->t->proto);
	__u16 port = fg_ext_rule_port(cfg);
	char pfx[INET6_ADDRSTRLEN + 8];
	char pre[64], post[64];
	int ret;

	if (fg_ext_check_cfg(cfg) || !table || !table[0])
		return -EINVAL;
	prefix_str(cfg->t, pfx, sizeof(pfx));
	fprintf(f, "table netdev %s {\n", table);
	fprintf(f, "\tcounter %s { }\n", FG_EXT_NFT_COUNTER);
	if (set) {
		fprintf(f, "\tset src {\n\t\ttype %s_addr\n\t\tflags interval\n"
			"\t\telements = {\n",
			cfg->t->family == AF_INET ? "ipv4" : "ipv6");
		ret = write_fillers(f, cfg, "\t\t\t", ",\n");
		if (ret)
			return ret;
		fprintf(f, "\t\t\t%s\n\t\t}\n\t}\n", pfx);
	}
	fprintf(f, "\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"%s\" priority 0; "
		"policy accept;\n", cfg->ifname);
	if (set) {
		fprintf(f, "\t\t%s saddr @src %s dport %u counter name \"%s\" drop\n",
			ip, l4, port, FG_EXT_NFT_COUNTER);
	} else {
		snprintf(pre, sizeof(pre), "\t\t%s saddr ", ip);
		snprintf(post, sizeof(post), " %s dport %u drop\n", l4, port);
		ret = write_fillers(f, cfg, pre, post);
		if (ret)
			return ret;
		fprintf(f, "\t\t%s saddr %s %s dport %u counter name \"%s\" drop\n",
			ip, pfx, l4, port, FG_EXT_NFT_COUNTER);
	}
	fprintf(f, "\t}\n}\n");
	return ferror(f) ? -EIO : 0;
}

int fg_ext_write_ipt(FILE *f, const struct fg_bench_dut_cfg *cfg,
		     const char *chain, const char *ipset)
{
	const char *l4 = proto_name(cfg->t->proto);
	__u16 port = fg_ext_rule_port(cfg);
	char pfx[INET6_ADDRSTRLEN + 8], post[96];
	int ret;

	if (fg_ext_check_cfg(cfg) || !chain || !chain[0])
		return -EINVAL;
	fprintf(f, "*raw\n:%s - [0:0]\n", chain);
	if (ipset) {
		fprintf(f, "-A %s -p %s -m set --match-set %s src -m %s --dport %u -j DROP\n",
			chain, l4, ipset, l4, port);
	} else {
		char pre[64];

		snprintf(pre, sizeof(pre), "-A %s -s ", chain);
		snprintf(post, sizeof(post), "/%d -p %s -m %s --dport %u -j DROP\n",
			 cfg->t->family == AF_INET ? 32 : 128, l4, l4, port);
		ret = write_fillers(f, cfg, pre, post);
		if (ret)
			return ret;
		fprintf(f, "-A %s -s %s -p %s -m %s --dport %u -j DROP\n", chain,
			prefix_str(cfg->t, pfx, sizeof(pfx)), l4, l4, port);
	}
	fprintf(f, "-A PREROUTING -i %s -j %s\nCOMMIT\n", cfg->ifname, chain);
	return ferror(f) ? -EIO : 0;
}

int fg_ext_write_ipt_undo(FILE *f, const char *ifname, const char *chain)
{
	fprintf(f, "*raw\n-D PREROUTING -i %s -j %s\n-F %s\n-X %s\nCOMMIT\n",
		ifname, chain, chain, chain);
	return ferror(f) ? -EIO : 0;
}

int fg_ext_write_ipset(FILE *f, const struct fg_bench_dut_cfg *cfg,
		       const char *set)
{
	char pfx[INET6_ADDRSTRLEN + 8], pre[64];
	__u32 maxelem;
	int ret;

	if (fg_ext_check_cfg(cfg) || !set || !set[0])
		return -EINVAL;
	/* ipset's default limit is 65536 elements. */
	maxelem = cfg->rules > 65536 ? cfg->rules : 65536;
	fprintf(f, "create %s hash:net family %s hashsize 1024 maxelem %u\n",
		set, cfg->t->family == AF_INET ? "inet" : "inet6", maxelem);
	snprintf(pre, sizeof(pre), "add %s ", set);
	ret = write_fillers(f, cfg, pre, "\n");
	if (ret)
		return ret;
	fprintf(f, "add %s %s\n", set, prefix_str(cfg->t, pfx, sizeof(pfx)));
	return ferror(f) ? -EIO : 0;
}

/* Copy the strings into buf and point argv at them. */
static int fill_argv(char *buf, size_t len, char *argv[], int max,
		     const char *const *words, int n)
{
	size_t off = 0, l;
	int i;

	if (n + 1 > max)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		l = strlen(words[i]) + 1;
		if (off + l > len)
			return -E2BIG;
		memcpy(buf + off, words[i], l);
		argv[i] = buf + off;
		off += l;
	}
	argv[n] = NULL;
	return 0;
}

int fg_ext_xdpf_load_argv(const struct fg_bench_dut_cfg *cfg, char *buf,
			  size_t len, char *argv[], int max)
{
	char feat[32];
	const char *w[8];

	if (fg_ext_check_cfg(cfg))
		return -EINVAL;
	/* Port lookups only for one rule; the address fillers need the
	 * address features (xdp-filter then picks its full program). */
	snprintf(feat, sizeof(feat), "%s%s", proto_name(cfg->t->proto),
		 cfg->rules == 1 ? "" :
		 cfg->t->family == AF_INET ? ",ipv4" : ",ipv6");
	w[0] = "xdp-filter";
	w[1] = "load";
	w[2] = "--mode";
	w[3] = "native";
	w[4] = "--features";
	w[5] = feat;
	w[6] = cfg->ifname;
	return fill_argv(buf, len, argv, max, w, 7);
}

int fg_ext_xdpf_port_argv(const struct fg_bench_dut_cfg *cfg, char *buf,
			  size_t len, char *argv[], int max)
{
	char port[8];
	const char *w[7];

	if (fg_ext_check_cfg(cfg))
		return -EINVAL;
	snprintf(port, sizeof(port), "%u", fg_ext_rule_port(cfg));
	w[0] = "xdp-filter";
	w[1] = "port";
	w[2] = "--mode";
	w[3] = "dst";
	w[4] = "--proto";
	w[5] = proto_name(cfg->t->proto);
	w[6] = port;
	return fill_argv(buf, len, argv, max, w, 7);
}

/* ------------------------------------------------------------------------ */
/* Running the tools                                                        */
/* ------------------------------------------------------------------------ */

/* 0 if name is an executable in PATH (or /usr/sbin, /sbin: sudo and
 * minimal environments may leave them out). */
static int find_tool(const char *name)
{
	const char *path = getenv("PATH");
	char dirs[4096], file[4096], *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin",
		 path && path[0] ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", dir, name);
		if (!access(file, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* Last non-empty line of a tool's message, for one-line errors. */
static const char *last_line(char *s)
{
	size_t n = strlen(s);
	char *p;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	p = strrchr(s, '\n');
	return p ? p + 1 : s;
}

static void argv_str(char *const argv[], char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i] && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "",
				argv[i]);
}

/*
 * Run argv in the DUT namespace. deadline: absolute fg_exec_now() time, or
 * 0 for timeout_s. Logs the failure once unless quiet; out may be NULL.
 */
static int run(const struct ext_priv *p, char *const argv[],
	       const char *in_path, const char *in_text, char *out,
	       size_t out_len, double deadline, double timeout_s, bool quiet)
{
	struct fg_exec x = FG_EXEC_INIT;
	char err[ERR_LEN], cmd[160];
	int ret;

	x.netns_fd = p ? p->netns_fd : -1;
	x.in_path = in_path;
	x.in_text = in_text;
	x.out = out;
	x.out_size = out_len;
	x.err = err;
	x.err_size = sizeof(err);
	x.timeout_s = timeout_s;
	err[0] = '\0';
	if (deadline > 0)
		x.timeout_s = deadline - fg_exec_now();
	if (deadline > 0 && x.timeout_s <= 0)
		ret = -ETIMEDOUT;	/* the load time is used up */
	else
		ret = fg_exec_run(&x, argv);
	if (!ret || quiet)
		return ret;
	argv_str(argv, cmd, sizeof(cmd));
	if (ret == -ETIMEDOUT && !x.elapsed_s)
		fg_err("%s: not started, the time allowed is used up", cmd);
	else if (ret == -ETIMEDOUT)
		fg_err("%s: gave up after %.1f s", cmd, x.elapsed_s);
	else if (ret == -EIO)
		fg_err("%s: exit status %d: %s", cmd, x.status, last_line(err));
	else if (ret == -ENOENT)
		fg_err("%s", err[0] ? err : "command not found");
	else
		fg_err("%s: %s", cmd, strerror(-ret));
	return ret;
}

/* "v1.2.3" or "version 1.2.3" in a tool's --version output (stdout, or
 * stderr where xdp-tools print it) -> "1.2.3". */
static void tool_version(char *const argv[], char *buf, size_t len)
{
	struct fg_exec x = FG_EXEC_INIT;
	char out[512], err[512], *s, *e, *text;
	int i;

	snprintf(buf, len, "?");
	x.out = out;
	x.out_size = sizeof(out);
	x.err = err;
	x.err_size = sizeof(err);
	x.timeout_s = PROBE_TIMEOUT_S;
	/* xdp-filter exits 1 after printing its version. */
	i = fg_exec_run(&x, argv);
	if (i && i != -EIO)
		return;
	for (i = 0; i < 2; i++) {
		text = i ? err : out;
		s = strstr(text, " v");
		if (s && s[2] >= '0' && s[2] <= '9') {
			s += 2;
		} else {
			s = strstr(text, "version ");
			if (!s)
				continue;
			s += strlen("version ");
		}
		e = s + strspn(s, "0123456789.");
		if (e > s) {
			snprintf(buf, len, "%.*s", (int)(e - s), s);
			return;
		}
	}
}

/* A file in workdir for a generated input, or "" (then: in memory). */
static FILE *open_input(const struct fg_bench_dut_cfg *cfg, const char *name,
			const char *ext, char *path, size_t path_len,
			char **mem, size_t *mem_len)
{
	FILE *f;

	path[0] = '\0';
	if (cfg->workdir && cfg->workdir[0]) {
		snprintf(path, path_len, "%s/%s.%s", cfg->workdir, name, ext);
		f = fopen(path, "we");
		if (!f)
			path[0] = '\0';
		return f;
	}
	return open_memstream(mem, mem_len);
}

/* Close an input from open_input(); 0 or -errno. */
static int close_input(FILE *f, int ret)
{
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

static unsigned int name_seq;

static void make_name(struct ext_priv *p, const char *prefix)
{
	snprintf(p->name, sizeof(p->name), "%s%d_%u", prefix, (int)getpid(),
		 __atomic_add_fetch(&name_seq, 1, __ATOMIC_RELAXED));
}

/* ------------------------------------------------------------------------ */
/* nftables                                                                 */
/* ------------------------------------------------------------------------ */

static int nft_setup(struct ext_priv *p, const struct fg_bench_dut_cfg *cfg,
		     double deadline, char *detail, size_t dlen)
{
	char *argv[] = { "nft", "-f", NULL, NULL };
	char *const ver_argv[] = { "nft", "--version", NULL };
	char *mem = NULL, ver[32];
	size_t mem_len = 0;
	bool set = p->kind == EXT_NFT_SET;
	FILE *f;
	int ret;

	make_name(p, "fgbench_");
	f = open_input(cfg, p->name, "nft", p->file, sizeof(p->file), &mem,
		       &mem_len);
	if (!f) {
		ret = -errno;
		fg_err("%s: rule file: %s", p->name, strerror(-ret));
		return ret;
	}
	ret = close_input(f, fg_ext_write_nft(f, cfg, p->name, set));
	if (ret) {
		fg_err("%s: writing the rules: %s", p->name, strerror(-ret));
		goto out;
	}
	argv[2] = p->file[0] ? p->file : "/dev/stdin";
	p->nft_table = true;
	ret = run(p, argv, NULL, p->file[0] ? NULL : mem, NULL, 0, deadline, 0,
		  false);
	if (ret)
		goto out;
	tool_version(ver_argv, ver, sizeof(ver));
	if (set)
		snprintf(detail, dlen, "nft %s, interval set of %u, netdev ingress",
			 ver, p->rules);
	else
		snprintf(detail, dlen, "nft %s, %u linear rules, netdev ingress",
			 ver, p->rules);
out:
	free(mem);
	return ret;
}

/*
 * Counters read over nfnetlink in the DUT namespace: the named counter of
 * an nft table (NFT_MSG_GETOBJ), or the counter of the last rule of a
 * chain (NFT_MSG_GETRULE dump; iptables' nf_tables backend gives every
 * rule a counter). The tools would first fetch the whole rule set: `nft
 * list counter` took over 5 s, `iptables -L CHAIN N` 3.4 s with 100,000
 * rules here. Runs in a child (fg_exec_fn); q lives in shared memory so
 * the child can hand the count back.
 */
struct nft_q {
	int family;		/* NFPROTO_* */
	char table[64];
	char chain[64];		/* "": the named counter of the table */
	__u64 handle;		/* of the last rule; 0: not known yet */
	__u64 packets;
	int found;
};

struct nft_attrs {
	const struct nlattr **tb;
	int max;
};

static int nft_attr_cb(const struct nlattr *a, void *data)
{
	const struct nft_attrs *at = data;
	int type = mnl_attr_get_type(a);

	if (type <= at->max)
		at->tb[type] = a;
	return MNL_CB_OK;
}

/* The packets of a counter's NFTA_*_DATA (NFTA_COUNTER_* attributes). */
static int nft_counter_packets(const struct nlattr *data, __u64 *packets)
{
	const struct nlattr *tb[NFTA_COUNTER_MAX + 1] = {};
	struct nft_attrs at = { tb, NFTA_COUNTER_MAX };

	if (mnl_attr_parse_nested(data, nft_attr_cb, &at) < 0 ||
	    !tb[NFTA_COUNTER_PACKETS] ||
	    mnl_attr_validate(tb[NFTA_COUNTER_PACKETS], MNL_TYPE_U64) < 0)
		return -EPROTO;
	*packets = be64toh(mnl_attr_get_u64(tb[NFTA_COUNTER_PACKETS]));
	return 0;
}

static int nft_obj_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_OBJ_MAX + 1] = {};
	struct nft_attrs at = { tb, NFTA_OBJ_MAX };
	struct nft_q *q = data;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nft_attr_cb, &at) >= 0 &&
	    tb[NFTA_OBJ_DATA] &&
	    !nft_counter_packets(tb[NFTA_OBJ_DATA], &q->packets))
		q->found = 1;
	return MNL_CB_OK;
}

/* One rule of the dump: the rules come in chain order, so the last one
 * seen is the last rule; its counter expression is kept. */
static int nft_rule_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_RULE_MAX + 1] = {};
	struct nft_attrs at = { tb, NFTA_RULE_MAX };
	struct nft_q *q = data;
	const struct nlattr *elem;

	q->found = 0;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), nft_attr_cb, &at) < 0 ||
	    !tb[NFTA_RULE_EXPRESSIONS] || !tb[NFTA_RULE_HANDLE] ||
	    mnl_attr_validate(tb[NFTA_RULE_HANDLE], MNL_TYPE_U64) < 0)
		return MNL_CB_OK;
	q->handle = be64toh(mnl_attr_get_u64(tb[NFTA_RULE_HANDLE]));
	mnl_attr_for_each_nested(elem, tb[NFTA_RULE_EXPRESSIONS]) {
		const struct nlattr *e[NFTA_EXPR_MAX + 1] = {};
		struct nft_attrs eat = { e, NFTA_EXPR_MAX };

		if (mnl_attr_parse_nested(elem, nft_attr_cb, &eat) < 0 ||
		    !e[NFTA_EXPR_NAME] || !e[NFTA_EXPR_DATA] ||
		    strcmp(mnl_attr_get_str(e[NFTA_EXPR_NAME]), "counter"))
			continue;
		if (!nft_counter_packets(e[NFTA_EXPR_DATA], &q->packets))
			q->found = 1;
	}
	return MNL_CB_OK;
}

static int nft_read(void *arg)
{
	struct nft_q *q = arg;
	bool rule = q->chain[0];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned int portid, seq = 1;
	size_t len = 65536;
	char *buf;
	ssize_t n;
	int ret;

	buf = malloc(len);
	if (!buf)
		return -ENOMEM;
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl) {
		ret = -errno;
		goto out_free;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) |
			  (rule ? NFT_MSG_GETRULE : NFT_MSG_GETOBJ);
	/* A dump of a chain resumes by walking it from the start, so
	 * it grows with the square of its length (3.4 s for 100,000
	 * rules): done once, then the last rule is asked for by handle. */
	nlh->nlmsg_flags = NLM_F_REQUEST |
			   (rule && !q->handle ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = q->family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (rule) {
		mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, q->table);
		mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, q->chain);
		if (q->handle)
			mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE,
					 htobe64(q->handle));
	} else {
		mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, q->table);
		mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, FG_EXT_NFT_COUNTER);
		mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_COUNTER));
	}
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	/* Until the acknowledgement or the end of the dump (MNL_CB_STOP). */
	do {
		n = mnl_socket_recvfrom(nl, buf, len);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, n, seq, portid,
				 rule ? nft_rule_cb : nft_obj_cb, q);
	} while (ret > MNL_CB_STOP);
	ret = ret < 0 ? -errno : q->found ? 0 : -ENOENT;
out:
	mnl_socket_close(nl);
out_free:
	free(buf);
	return ret;
}

/* Packets counted by table's named counter, or by chain's last rule
 * (*handle: that rule's handle, learnt on the first call). */
static int nft_packets(const struct ext_priv *p, int family, const char *table,
		       const char *chain, __u64 *handle, __u64 *packets)
{
	struct nft_q *q;
	int ret;

	q = mmap(NULL, sizeof(*q), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (q == MAP_FAILED)
		return -errno;
	q->family = family;
	snprintf(q->table, sizeof(q->table), "%s", table);
	snprintf(q->chain, sizeof(q->chain), "%s", chain ? chain : "");
	q->handle = handle ? *handle : 0;
	ret = fg_exec_fn(p->netns_fd, nft_read, q, PROBE_TIMEOUT_S * 6);
	if (!ret) {
		*packets = q->packets;
		if (handle)
			*handle = q->handle;
	}
	munmap(q, sizeof(*q));
	return ret;
}

static int nft_count(struct ext_priv *p, struct fg_bench_dut_count *c)
{
	__u64 n;
	int ret;

	ret = nft_packets(p, NFPROTO_NETDEV, p->name, NULL, NULL, &n);
	if (ret) {
		fg_err("nft: reading counter %s of table netdev %s: %s",
		       FG_EXT_NFT_COUNTER, p->name, strerror(-ret));
		return ret;
	}
	c->matched = c->dropped = n;
	return 0;
}

static void nft_teardown(struct ext_priv *p)
{
	char *argv[] = { "nft", "-f", "/dev/stdin", NULL };
	char text[128];

	if (!p->nft_table)
		return;
	/* "add" first: one transaction that succeeds whether or not a
	 * failed setup left the table (nft 1.0.6 has no "destroy"). */
	snprintf(text, sizeof(text), "add table netdev %s\ndelete table netdev %s\n",
		 p->name, p->name);
	if (!run(p, argv, NULL, text, NULL, 0, 0, p->undo_timeout_s, false))
		p->nft_table = false;
}

/* ------------------------------------------------------------------------ */
/* iptables and ipset                                                       */
/* ------------------------------------------------------------------------ */

static void ipt_tools(struct ext_priv *p)
{
	bool v4 = p->family == AF_INET;

	if (p->kind == EXT_IPT_LEGACY_LINEAR) {
		p->ipt = v4 ? "iptables-legacy" : "ip6tables-legacy";
		p->ipt_restore = v4 ? "iptables-legacy-restore" :
				      "ip6tables-legacy-restore";
	} else {
		p->ipt = v4 ? "iptables" : "ip6tables";
		p->ipt_restore = v4 ? "iptables-restore" : "ip6tables-restore";
	}
}

/* "iptables v1.8.9 (nf_tables)" -> version and backend. */
static void ipt_version(const struct ext_priv *p, char *ver, size_t vlen,
			char *backend, size_t blen)
{
	char *argv[] = { (char *)p->ipt, "--version", NULL };
	char out[256], *s, *e;

	tool_version(argv, ver, vlen);
	snprintf(backend, blen, "?");
	if (run(NULL, argv, NULL, NULL, out, sizeof(out), 0, PROBE_TIMEOUT_S,
		true))
		return;
	s = strchr(out, '(');
	e = s ? strchr(s, ')') : NULL;
	if (s && e)
		snprintf(backend, blen, "%.*s", (int)(e - s - 1), s + 1);
}

/* Does the nf_tables table "ip raw" / "ip6 raw" exist in the namespace? */
static int raw_table_state(const struct ext_priv *p, bool *exists,
			   bool *has_rules)
{
	char *argv[] = { "nft", "-j", "list", "table",
			 p->family == AF_INET ? "ip" : "ip6", "raw", NULL };
	char out[OUT_LEN];
	struct fg_exec x = FG_EXEC_INIT;
	int ret;

	x.netns_fd = p->netns_fd;
	x.out = out;
	x.out_size = sizeof(out);
	x.timeout_s = PROBE_TIMEOUT_S;
	ret = fg_exec_run(&x, argv);
	if (ret && ret != -EIO)
		return ret;
	*exists = !ret;
	*has_rules = !ret && (strstr(out, "\"rule\"") || x.out_truncated);
	return 0;
}

static int ipt_setup(struct ext_priv *p, const struct fg_bench_dut_cfg *cfg,
		     double deadline, char *detail, size_t dlen)
{
	char *argv[] = { (char *)p->ipt_restore, "-w", "--noflush", NULL };
	char *ipset_argv[] = { "ipset", "restore", NULL };
	char *const ipset_ver[] = { "ipset", "--version", NULL };
	char *mem = NULL, *mem2 = NULL, ver[32], backend[32], iver[32];
	size_t mem_len = 0, mem2_len = 0;
	bool with_ipset = p->kind == EXT_IPT_IPSET, exists, rules;
	FILE *f;
	int ret;

	make_name(p, with_ipset ? "fgbs_" : "fgbl_");
	ipt_version(p, ver, sizeof(ver), backend, sizeof(backend));
	p->nft_backend = !strcmp(backend, "nf_tables");
	if (p->nft_backend && !find_tool("nft") &&
	    !raw_table_state(p, &exists, &rules))
		p->raw_was_absent = !exists;

	if (with_ipset) {
		f = open_input(cfg, p->name, "ipset", p->file2,
			       sizeof(p->file2), &mem2, &mem2_len);
		if (!f) {
			ret = -errno;
			fg_err("%s: ipset file: %s", p->name, strerror(-ret));
			goto out;
		}
		ret = close_input(f, fg_ext_write_ipset(f, cfg, p->name));
		if (ret) {
			fg_err("%s: writing the ipset: %s", p->name,
			       strerror(-ret));
			goto out;
		}
		p->ipset = true;
		ret = run(p, ipset_argv, p->file2[0] ? p->file2 : NULL,
			  p->file2[0] ? NULL : mem2, NULL, 0, deadline, 0, false);
		if (ret)
			goto out;
	}

	f = open_input(cfg, p->name, "rules", p->file, sizeof(p->file), &mem,
		       &mem_len);
	if (!f) {
		ret = -errno;
		fg_err("%s: rule file: %s", p->name, strerror(-ret));
		goto out;
	}
	ret = close_input(f, fg_ext_write_ipt(f, cfg, p->name,
					      with_ipset ? p->name : NULL));
	if (ret) {
		fg_err("%s: writing the rules: %s", p->name, strerror(-ret));
		goto out;
	}
	p->ipt_chain = true;
	ret = run(p, argv, p->file[0] ? p->file : NULL, p->file[0] ? NULL : mem,
		  NULL, 0, deadline, 0, false);
	if (ret)
		goto out;

	if (with_ipset) {
		tool_version(ipset_ver, iver, sizeof(iver));
		snprintf(detail, dlen, "%s %s (%s) + ipset %s, hash:net of %u, raw PREROUTING",
			 p->ipt, ver, backend, iver, p->rules);
	} else {
		snprintf(detail, dlen, "%s %s (%s), %u linear rules, raw PREROUTING",
			 p->ipt, ver, backend, p->rules);
	}
out:
	free(mem);
	free(mem2);
	return ret;
}

static int ipt_count(struct ext_priv *p, struct fg_bench_dut_count *c)
{
	char rule[16];
	char *argv[] = { (char *)p->ipt, "-w", "-t", "raw", "-L", p->name,
			 rule, "-v", "-x", "-n", NULL };
	char out[OUT_LEN], *s, *end;
	__u64 n;
	int ret;

	/* The deciding rule is the chain's last. nf_tables backend: its
	 * counter straight from the kernel. */
	if (p->nft_backend) {
		ret = nft_packets(p, p->family == AF_INET ? NFPROTO_IPV4 :
				  NFPROTO_IPV6, "raw", p->name, &p->last_handle,
				  &n);
		if (ret) {
			fg_err("%s: reading the counter of chain %s: %s",
			       p->ipt, p->name, strerror(-ret));
			return ret;
		}
		c->matched = c->dropped = n;
		return 0;
	}
	/* legacy: list that rule only, fast there */
	snprintf(rule, sizeof(rule), "%u",
		 p->kind == EXT_IPT_IPSET ? 1 : p->rules);
	ret = run(p, argv, NULL, NULL, out, sizeof(out), 0, PROBE_TIMEOUT_S * 6,
		  false);
	if (ret)
		return ret;
	s = out + strspn(out, " \t");
	n = strtoull(s, &end, 10);
	if (end == s) {
		fg_err("%s: no packet count in '%s'", p->ipt, last_line(out));
		return -EPROTO;
	}
	c->matched = c->dropped = n;
	return 0;
}

static void ipt_teardown(struct ext_priv *p)
{
	char *argv[] = { (char *)p->ipt_restore, "-w", "--noflush", NULL };
	char *probe[] = { (char *)p->ipt, "-w", "-t", "raw", "-S", p->name,
			  NULL };
	char *flush[] = { "nft", "flush", "chain",
			  p->family == AF_INET ? "ip" : "ip6", "raw", p->name,
			  NULL };
	char *ipset_probe[] = { "ipset", "list", "-n", p->name, NULL };
	char *ipset_del[] = { "ipset", "destroy", p->name, NULL };
	char *raw_del[] = { "nft", "delete", "table",
			    p->family == AF_INET ? "ip" : "ip6", "raw", NULL };
	char text[256];
	bool exists, rules;
	FILE *f;

	/* restore is atomic: after a failed setup the chain exists whole
	 * or not at all; only then is there something to remove. */
	if (p->ipt_chain) {
		/* nf_tables backend: empty the chain with nft first, as
		 * iptables reads every rule before it changes one (7 s
		 * for 100,000 here, 0.1 s this way). */
		if (p->nft_backend)
			run(p, flush, NULL, NULL, NULL, 0, 0, p->undo_timeout_s,
			    true);
		if (run(p, probe, NULL, NULL, NULL, 0, 0, p->undo_timeout_s,
			true)) {
			p->ipt_chain = false;
		} else {
			f = fmemopen(text, sizeof(text), "w");
			if (f) {
				fg_ext_write_ipt_undo(f, p->ifname, p->name);
				fclose(f);
				if (!run(p, argv, NULL, text, NULL, 0, 0,
					 p->undo_timeout_s, false))
					p->ipt_chain = false;
			}
		}
	}
	/* The set can go only once no rule refers to it. */
	if (p->ipset && !p->ipt_chain) {
		if (run(p, ipset_probe, NULL, NULL, NULL, 0, 0, PROBE_TIMEOUT_S,
			true) ||
		    !run(p, ipset_del, NULL, NULL, NULL, 0, 0, p->undo_timeout_s,
			 false))
			p->ipset = false;
	}
	if (p->raw_was_absent && !p->ipt_chain &&
	    !raw_table_state(p, &exists, &rules) && exists && !rules &&
	    !run(p, raw_del, NULL, NULL, NULL, 0, 0, PROBE_TIMEOUT_S, false))
		p->raw_was_absent = false;
}

/* ------------------------------------------------------------------------ */
/* xdp-filter                                                               */
/* ------------------------------------------------------------------------ */

static int bpffs_mounted(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) || st.f_type != BPF_FS_MAGIC)
		return -EOPNOTSUPP;
	return 0;
}

/* Write the N-1 fillers into xdp-filter's source address map. Per-CPU
 * map: the flag goes into every CPU's slot, as xdp-filter does. */
static int xdpf_fillers(struct ext_priv *p, const struct fg_bench_dut_cfg *cfg,
			double deadline)
{
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	char path[256];
	__u64 *vals = NULL;
	__u8 addr[16];
	int fd, ncpu, ret, i;
	__u32 n;

	snprintf(path, sizeof(path), "%s/%s", FG_EXT_XDPF_PIN_DIR,
		 p->family == AF_INET ? "filter_ipv4" : "filter_ipv6");
	fd = bpf_obj_get(path);
	if (fd < 0) {
		ret = -errno;
		fg_err("xdp-filter: %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (ret) {
		ret = -errno;
		fg_err("xdp-filter: %s: %s", path, strerror(-ret));
		goto out;
	}
	if (cfg->rules - 1 > info.max_entries) {
		fg_err("xdp-filter holds at most %u addresses, %u rules need %u",
		       info.max_entries, cfg->rules, cfg->rules - 1);
		ret = -E2BIG;
		goto out;
	}
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		ret = ncpu ? ncpu : -EINVAL;
		fg_err("xdp-filter: number of CPUs: %s", strerror(-ret));
		goto out;
	}
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ncpu; i++)
		vals[i] = XDPF_FLAG_SRC;
	for (n = 0; n + 1 < cfg->rules; n++) {
		ret = fg_ext_filler(cfg->t, n, addr);
		if (ret) {
			fg_err("xdp-filter: no filler address %u", n);
			goto out;
		}
		if (bpf_map_update_elem(fd, addr, vals, BPF_ANY)) {
			ret = -errno;
			fg_err("xdp-filter: adding address %u: %s", n,
			       strerror(-ret));
			goto out;
		}
		if (deadline > 0 && !(n & 1023) && fg_exec_now() > deadline) {
			fg_err("xdp-filter: gave up after %u of %u addresses",
			       n, cfg->rules - 1);
			ret = -ETIMEDOUT;
			goto out;
		}
	}
	ret = 0;
out:
	free(vals);
	close(fd);
	return ret;
}

/* Name of the program xdp-filter pinned for the interface. */
static void xdpf_prog_name(const struct ext_priv *p, char *buf, size_t len)
{
	char path[256];
	struct dirent *de;
	DIR *dir;

	snprintf(buf, len, "?");
	snprintf(path, sizeof(path), "%s/programs/%s", FG_EXT_XDPF_PIN_DIR,
		 p->ifname);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] != '.') {
			snprintf(buf, len, "%.40s", de->d_name);
			break;
		}
	}
	closedir(dir);
}

static int xdpf_setup(struct ext_priv *p, const struct fg_bench_dut_cfg *cfg,
		      double deadline, char *detail, size_t dlen)
{
	char *load[8], *port[8], lbuf[128], pbuf[128], ver[32], prog[64];
	char *const ver_argv[] = { "xdp-filter", "load", "--version", NULL };
	char path[256];
	int ret;

	if (bpffs_mounted()) {
		fg_err("xdp-filter needs bpffs mounted at /sys/fs/bpf");
		return -EOPNOTSUPP;
	}
	if (!access(FG_EXT_XDPF_PIN_DIR, F_OK)) {
		fg_err("xdp-filter is in use elsewhere (%s exists); its state is global, so it is not shared",
		       FG_EXT_XDPF_PIN_DIR);
		return -EBUSY;
	}
	ret = fg_ext_xdpf_load_argv(cfg, lbuf, sizeof(lbuf), load, 8);
	if (!ret)
		ret = fg_ext_xdpf_port_argv(cfg, pbuf, sizeof(pbuf), port, 8);
	if (ret)
		return ret;
	p->xdpf = true;
	ret = run(p, load, NULL, NULL, NULL, 0, deadline, 0, false);
	if (!ret)
		ret = run(p, port, NULL, NULL, NULL, 0, deadline, 0, false);
	if (!ret && cfg->rules > 1)
		ret = xdpf_fillers(p, cfg, deadline);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/filter_ports", FG_EXT_XDPF_PIN_DIR);
	p->xdpf_ports_fd = bpf_obj_get(path);
	if (p->xdpf_ports_fd < 0) {
		ret = -errno;
		fg_err("xdp-filter: %s: %s", path, strerror(-ret));
		return ret;
	}
	tool_version(ver_argv, ver, sizeof(ver));
	xdpf_prog_name(p, prog, sizeof(prog));
	if (cfg->rules > 1)
		snprintf(detail, dlen, "xdp-filter %.16s, %u source addresses + port %u, native XDP (%.40s)",
			 ver, cfg->rules - 1, p->port, prog);
	else
		snprintf(detail, dlen, "xdp-filter %.16s, port %u, native XDP (%.40s)",
			 ver, p->port, prog);
	return 0;
}

static int xdpf_count(struct ext_priv *p, struct fg_bench_dut_count *c)
{
	__u32 key = htons(p->port);	/* xdp-filter's key: network order */
	__u64 *vals, n = 0;
	int ncpu, i, ret;

	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	if (bpf_map_lookup_elem(p->xdpf_ports_fd, &key, vals)) {
		ret = -errno;
		fg_err("xdp-filter: reading the hits of port %u: %s", p->port,
		       strerror(-ret));
		free(vals);
		return ret;
	}
	for (i = 0; i < ncpu; i++)
		n += vals[i] >> XDPF_COUNTER_SHIFT;
	free(vals);
	c->matched = c->dropped = n;
	return 0;
}

/* In the DUT namespace: take an xdp-filter program off the interface if
 * `xdp-filter unload` left one there (never another program). */
static int xdpf_detach_left(void *arg)
{
	const struct ext_priv *p = arg;
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), id;
	int fd, mode;

	if (bpf_xdp_query(p->ifindex, 0, &q))
		return -errno;
	for (mode = 0; mode < 2; mode++) {
		id = mode ? q.skb_prog_id : q.drv_prog_id;
		if (!id)
			continue;
		fd = bpf_prog_get_fd_by_id(id);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strncmp(info.name, "xdpfilt_", 8))
			bpf_xdp_detach(p->ifindex, mode ? XDP_FLAGS_SKB_MODE :
				       XDP_FLAGS_DRV_MODE, NULL);
		close(fd);
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void xdpf_teardown(struct ext_priv *p)
{
	char *argv[] = { "xdp-filter", "unload", p->ifname, NULL };

	if (p->xdpf_ports_fd >= 0) {
		close(p->xdpf_ports_fd);
		p->xdpf_ports_fd = -1;
	}
	if (!p->xdpf)
		return;
	run(p, argv, NULL, NULL, NULL, 0, 0, p->undo_timeout_s, true);
	fg_exec_fn(p->netns_fd, xdpf_detach_left, p, PROBE_TIMEOUT_S);
	/* The directory did not exist before setup: all of it is ours. */
	if (!access(FG_EXT_XDPF_PIN_DIR, F_OK) &&
	    nftw(FG_EXT_XDPF_PIN_DIR, rm_entry, 16, FTW_DEPTH | FTW_PHYS))
		fg_warn("xdp-filter: could not remove %s: %s",
			FG_EXT_XDPF_PIN_DIR, strerror(errno));
	else
		p->xdpf = false;
}

/* ------------------------------------------------------------------------ */
/* The ops                                                                  */
/* ------------------------------------------------------------------------ */

static const char *const kind_names[] = {
	[EXT_NFT_LINEAR] = "nft-linear",
	[EXT_NFT_SET] = "nft-set",
	[EXT_IPT_LINEAR] = "iptables-linear",
	[EXT_IPT_LEGACY_LINEAR] = "iptables-legacy-linear",
	[EXT_IPT_IPSET] = "iptables-ipset",
	[EXT_XDP_FILTER] = "xdp-filter",
};

static int need_tools(char *why, size_t len, const char *const *tools)
{
	for (; *tools; tools++) {
		if (find_tool(*tools)) {
			snprintf(why, len, "%s not found (Debian package: %s)",
				 *tools, !strncmp(*tools, "nft", 3) ? "nftables" :
				 !strncmp(*tools, "ipset", 5) ? "ipset" :
				 !strncmp(*tools, "xdp", 3) ? "xdp-tools" :
				 "iptables");
			return -ENOENT;
		}
	}
	return 0;
}

static int ext_available(enum ext_kind kind, char *why, size_t len)
{
	static const char *const nft[] = { "nft", NULL };
	static const char *const ipt[] = { "iptables", "iptables-restore",
					   "ip6tables", "ip6tables-restore",
					   NULL };
	static const char *const legacy[] = { "iptables-legacy",
					      "iptables-legacy-restore",
					      "ip6tables-legacy",
					      "ip6tables-legacy-restore", NULL };
	static const char *const ipset[] = { "ipset", "iptables",
					     "iptables-restore", "ip6tables",
					     "ip6tables-restore", NULL };
	static const char *const xdpf[] = { "xdp-filter", NULL };
	char dummy[8];
	int ret;

	if (!why) {
		why = dummy;
		len = sizeof(dummy);
	}
	why[0] = '\0';
	if (geteuid()) {
		snprintf(why, len, "needs root");
		return -EPERM;
	}
	switch (kind) {
	case EXT_NFT_LINEAR:
	case EXT_NFT_SET:
		return need_tools(why, len, nft);
	case EXT_IPT_LINEAR:
		return need_tools(why, len, ipt);
	case EXT_IPT_LEGACY_LINEAR:
		return need_tools(why, len, legacy);
	case EXT_IPT_IPSET:
		return need_tools(why, len, ipset);
	case EXT_XDP_FILTER:
		ret = need_tools(why, len, xdpf);
		if (ret)
			return ret;
		if (bpffs_mounted()) {
			snprintf(why, len, "bpffs is not mounted at /sys/fs/bpf");
			return -EOPNOTSUPP;
		}
		if (!access(FG_EXT_XDPF_PIN_DIR, F_OK)) {
			snprintf(why, len, "xdp-filter is in use elsewhere (%s exists)",
				 FG_EXT_XDPF_PIN_DIR);
			return -EBUSY;
		}
		return 0;
	}
	return -EINVAL;
}

static void ext_undo(struct ext_priv *p)
{
	switch (p->kind) {
	case EXT_NFT_LINEAR:
	case EXT_NFT_SET:
		nft_teardown(p);
		break;
	case EXT_IPT_LINEAR:
	case EXT_IPT_LEGACY_LINEAR:
	case EXT_IPT_IPSET:
		ipt_teardown(p);
		break;
	case EXT_XDP_FILTER:
		xdpf_teardown(p);
		break;
	}
}

static void ext_free(struct ext_priv *p)
{
	if (p->file[0])
		unlink(p->file);
	if (p->file2[0])
		unlink(p->file2);
	if (p->xdpf_ports_fd >= 0)
		close(p->xdpf_ports_fd);
	if (p->netns_fd >= 0)
		close(p->netns_fd);
	free(p);
}

static int ext_setup(enum ext_kind kind, struct fg_bench_dut *d,
		     const struct fg_bench_dut_cfg *cfg)
{
	struct ext_priv *p;
	double t0, deadline;
	int ret;

	if (!d)
		return -EINVAL;
	d->priv = NULL;
	d->load_s = 0;
	d->detail[0] = '\0';
	ret = fg_ext_check_cfg(cfg);
	if (ret) {
		fg_err("%s: invalid configuration (interface, rule count, family or protocol)",
		       kind_names[kind]);
		return ret;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->kind = kind;
	p->xdpf_ports_fd = -1;
	p->netns_fd = -1;
	if (cfg->netns_fd >= 0) {
		p->netns_fd = fcntl(cfg->netns_fd, F_DUPFD_CLOEXEC, 3);
		if (p->netns_fd < 0) {
			ret = -errno;
			fg_err("%s: network namespace: %s", kind_names[kind],
			       strerror(-ret));
			free(p);
			return ret;
		}
	}
	snprintf(p->ifname, sizeof(p->ifname), "%s", cfg->ifname);
	p->ifindex = cfg->ifindex;
	p->family = cfg->t->family;
	p->rules = cfg->rules;
	p->port = fg_ext_rule_port(cfg);
	p->undo_timeout_s = cfg->load_timeout_s * 2 > UNDO_TIMEOUT_MIN_S ?
			    cfg->load_timeout_s * 2 : UNDO_TIMEOUT_MIN_S;
	ipt_tools(p);

	t0 = fg_exec_now();
	deadline = cfg->load_timeout_s > 0 ? t0 + cfg->load_timeout_s : 0;
	switch (kind) {
	case EXT_NFT_LINEAR:
	case EXT_NFT_SET:
		ret = nft_setup(p, cfg, deadline, d->detail, sizeof(d->detail));
		break;
	case EXT_IPT_LINEAR:
	case EXT_IPT_LEGACY_LINEAR:
	case EXT_IPT_IPSET:
		ret = ipt_setup(p, cfg, deadline, d->detail, sizeof(d->detail));
		break;
	case EXT_XDP_FILTER:
		ret = xdpf_setup(p, cfg, deadline, d->detail, sizeof(d->detail));
		break;
	default:
		ret = -EINVAL;
	}
	d->load_s = fg_exec_now() - t0;
	if (!ret && p->nft_backend) {
		struct fg_bench_dut_count c;

		/* Learn where the deciding rule is now, outside load_s, so
		 * that every count() is quick (see nft_read()). */
		ret = ipt_count(p, &c);
	}
	if (ret) {
		ext_undo(p);
		ext_free(p);
		d->detail[0] = '\0';
		return ret;
	}
	d->priv = p;
	return 0;
}

static int ext_count(struct fg_bench_dut *d, struct fg_bench_dut_count *c)
{
	struct ext_priv *p = d ? d->priv : NULL;

	if (!p || !c)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	switch (p->kind) {
	case EXT_NFT_LINEAR:
	case EXT_NFT_SET:
		return nft_count(p, c);
	case EXT_IPT_LINEAR:
	case EXT_IPT_LEGACY_LINEAR:
	case EXT_IPT_IPSET:
		return ipt_count(p, c);
	case EXT_XDP_FILTER:
		return xdpf_count(p, c);
	}
	return -EINVAL;
}

static void ext_teardown(struct fg_bench_dut *d)
{
	if (!d || !d->priv)
		return;
	ext_undo(d->priv);
	ext_free(d->priv);
	d->priv = NULL;
}

#define EXT_OPS(sym, kind, name_, label_, xdp_)				\
static int sym##_available(char *why, size_t len)			\
{									\
	return ext_available(kind, why, len);				\
}									\
static int sym##_setup(struct fg_bench_dut *d,				\
		       const struct fg_bench_dut_cfg *cfg)		\
{									\
	return ext_setup(kind, d, cfg);					\
}									\
const struct fg_bench_dut_ops sym = {					\
	.name = name_,							\
	.label = label_,						\
	.xdp = xdp_,							\
	.available = sym##_available,					\
	.setup = sym##_setup,						\
	.count = ext_count,						\
	.teardown = ext_teardown,					\
}

EXT_OPS(fg_bench_nft_linear, EXT_NFT_LINEAR, "nft-linear",
	"nftables, linear rules", false);
EXT_OPS(fg_bench_nft_set, EXT_NFT_SET, "nft-set",
	"nftables, set lookup", false);
EXT_OPS(fg_bench_ipt_linear, EXT_IPT_LINEAR, "iptables-linear",
	"iptables, linear rules", false);
EXT_OPS(fg_bench_ipt_legacy_linear, EXT_IPT_LEGACY_LINEAR,
	"iptables-legacy-linear", "iptables-legacy, linear rules", false);
EXT_OPS(fg_bench_ipt_ipset, EXT_IPT_IPSET, "iptables-ipset",
	"iptables + ipset", false);
EXT_OPS(fg_bench_xdp_filter, EXT_XDP_FILTER, "xdp-filter",
	"xdp-filter (xdp-tools)", true);
