// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bench_ext.c - the other firewalls of `flowgate bench` (bench_ext.c)
 * and the command runner under them (bench_exec.c).
 *
 * Without privileges: the exact rule files and argv each system gets (N = 1
 * and 3, IPv4 and IPv6, deny and allow), the filler addresses, and the
 * runner (exit status, capture limits, stdin, missing command, timeout
 * killing the process group).
 *
 * As root, per installed system: a throwaway pair of namespaces joined by a
 * veth (fgbx<pid>d / fgbx<pid>p), setup on the DUT side, real UDP and TCP
 * packets from the peer, the DUT's counters must count them (deny) or the
 * packets must arrive (allow), and after teardown the namespace, the host
 * and bpffs must look exactly as before. Cases are skipped, with the
 * reason, when not root or when the tool is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <dirent.h>
#include <cmocka.h>

#include "bench_dut.h"
#include "bench_exec.h"
#include "bench_ext.h"

#define PORT	5001

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static struct fg_bench_traffic traffic(int family, __u8 proto)
{
	struct fg_bench_traffic t = { .family = family, .proto = proto,
				      .dport = PORT };

	if (family == AF_INET) {
		inet_pton(AF_INET, "10.77.0.0", t.src);
		inet_pton(AF_INET, "10.77.0.2", t.dst);
		t.src_plen = 24;
	} else {
		inet_pton(AF_INET6, "fd00:77::", t.src);
		inet_pton(AF_INET6, "fd00:77::2", t.dst);
		t.src_plen = 64;
	}
	return t;
}

static struct fg_bench_dut_cfg config(const struct fg_bench_traffic *t,
				      __u32 rules, bool deny)
{
	struct fg_bench_dut_cfg cfg = {
		.netns_fd = -1, .ifname = "dut0", .ifindex = 2,
		.rules = rules, .deny = deny, .t = t, .load_timeout_s = 30,
	};

	return cfg;
}

/* What a writer produced, as a string (freed by the caller). */
static char *text_of(int (*fn)(FILE *, const struct fg_bench_dut_cfg *,
			       const char *, bool),
		     const struct fg_bench_dut_cfg *cfg, const char *name,
		     bool flag, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = fn(f, cfg, name, flag);
	fclose(f);
	return buf;
}

static int ipt_linear(FILE *f, const struct fg_bench_dut_cfg *cfg,
		      const char *name, bool flag)
{
	return fg_ext_write_ipt(f, cfg, name, flag ? name : NULL);
}

static int ipset_text(FILE *f, const struct fg_bench_dut_cfg *cfg,
		      const char *name, bool flag)
{
	return fg_ext_write_ipset(f, cfg, name);
}

static void expect_text(int (*fn)(FILE *, const struct fg_bench_dut_cfg *,
				  const char *, bool),
			const struct fg_bench_dut_cfg *cfg, const char *name,
			bool flag, const char *want)
{
	int ret;
	char *got = text_of(fn, cfg, name, flag, &ret);

	assert_int_equal(ret, 0);
	assert_string_equal(got, want);
	free(got);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ------------------------------------------------------------------------ */
/* Policy text (no privileges)                                              */
/* ------------------------------------------------------------------------ */

static void test_check_cfg(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);
	struct fg_bench_dut d = {};

	assert_int_equal(fg_ext_check_cfg(&cfg), 0);
	assert_int_equal(fg_ext_check_cfg(NULL), -EINVAL);
	cfg.rules = 0;
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	cfg.rules = 1;
	cfg.ifname = "an-interface-name-too-long";
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	cfg.ifname = NULL;
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	cfg.ifname = "dut0";
	t.proto = IPPROTO_ICMP;
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	t.proto = IPPROTO_UDP;
	t.src_plen = 33;
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	t.src_plen = 24;
	t.family = AF_UNIX;
	assert_int_equal(fg_ext_check_cfg(&cfg), -EINVAL);
	/* setup refuses it before running anything */
	assert_int_equal(fg_bench_nft_linear.setup(&d, &cfg), -EINVAL);
	assert_null(d.priv);
}

static void test_rule_port(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);

	assert_int_equal(fg_ext_rule_port(&cfg), PORT);
	cfg.deny = false;
	assert_int_equal(fg_ext_rule_port(&cfg), PORT + 1);
	t.dport = 65535;
	assert_int_equal(fg_ext_rule_port(&cfg), 1);
}

static void filler_str(const struct fg_bench_traffic *t, __u32 i, char *buf)
{
	__u8 a[16];

	assert_int_equal(fg_ext_filler(t, i, a), 0);
	inet_ntop(t->family, a, buf, INET6_ADDRSTRLEN);
}

static void test_filler_v4(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	char s[INET6_ADDRSTRLEN];
	__u8 a[16];

	filler_str(&t, 0, s);
	assert_string_equal(s, "198.18.0.0");
	filler_str(&t, 99999, s);
	assert_string_equal(s, "198.19.134.159");
	/* a prefix where the fillers start: counted around */
	inet_pton(AF_INET, "198.18.0.0", t.src);
	filler_str(&t, 0, s);
	assert_string_equal(s, "198.18.1.0");
	inet_pton(AF_INET, "198.18.0.128", t.src);
	t.src_plen = 25;
	filler_str(&t, 127, s);
	assert_string_equal(s, "198.18.0.127");
	filler_str(&t, 128, s);
	assert_string_equal(s, "198.18.1.0");
	/* host bits in the prefix do not matter */
	inet_pton(AF_INET, "198.18.0.200", t.src);
	filler_str(&t, 128, s);
	assert_string_equal(s, "198.18.1.0");
	/* nothing lies outside 0.0.0.0/0 */
	t.src_plen = 0;
	assert_int_equal(fg_ext_filler(&t, 0, a), -ERANGE);
	/* the end of the address space */
	t.src_plen = 32;
	inet_pton(AF_INET, "1.1.1.1", t.src);
	assert_int_equal(fg_ext_filler(&t, 0xffffffffu - 0xc6120000u, a), 0);
	assert_int_equal(fg_ext_filler(&t, 0xffffffffu - 0xc6120000u + 1, a),
			 -ERANGE);
}

static void test_filler_v6(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET6, IPPROTO_TCP);
	char s[INET6_ADDRSTRLEN];
	__u8 a[16];

	filler_str(&t, 0, s);
	assert_string_equal(s, "fd00:fb00:fb00:fb00::1");
	filler_str(&t, 65535, s);
	assert_string_equal(s, "fd00:fb00:fb00:fb00::1:0");
	/* a prefix covering the first /64: the second one */
	inet_pton(AF_INET6, "fd00::", t.src);
	t.src_plen = 8;
	filler_str(&t, 0, s);
	assert_string_equal(s, "2001:db8:fb00:fb00::1");
	/* a prefix inside the /64: jumped over */
	inet_pton(AF_INET6, "fd00:fb00:fb00:fb00::", t.src);
	t.src_plen = 120;
	filler_str(&t, 0, s);
	assert_string_equal(s, "fd00:fb00:fb00:fb00::100");
	t.src_plen = 0;
	assert_int_equal(fg_ext_filler(&t, 0, a), -ERANGE);
}

static void test_filler_distinct(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	__u8 a[16], prev[16] = {};
	__u32 i;

	inet_pton(AF_INET, "198.18.4.0", t.src);
	t.src_plen = 22;
	for (i = 0; i < 5000; i++) {
		assert_int_equal(fg_ext_filler(&t, i, a), 0);
		/* strictly increasing, and never inside 198.18.4.0/22 */
		if (i)
			assert_true(memcmp(a, prev, 4) > 0);
		assert_false(a[0] == 198 && a[1] == 18 && a[2] >= 4 &&
			     a[2] <= 7);
		memcpy(prev, a, 4);
	}
}

static void test_nft_linear(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);

	expect_text(fg_ext_write_nft, &cfg, "T", false,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip saddr 10.77.0.0/24 udp dport 5001 counter name \"hits\" drop\n"
		"\t}\n}\n");
	cfg.rules = 3;
	expect_text(fg_ext_write_nft, &cfg, "T", false,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip saddr 198.18.0.0 udp dport 5001 drop\n"
		"\t\tip saddr 198.18.0.1 udp dport 5001 drop\n"
		"\t\tip saddr 10.77.0.0/24 udp dport 5001 counter name \"hits\" drop\n"
		"\t}\n}\n");
	/* allow: the same rules, the last one for another port */
	cfg.deny = false;
	expect_text(fg_ext_write_nft, &cfg, "T", false,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip saddr 198.18.0.0 udp dport 5002 drop\n"
		"\t\tip saddr 198.18.0.1 udp dport 5002 drop\n"
		"\t\tip saddr 10.77.0.0/24 udp dport 5002 counter name \"hits\" drop\n"
		"\t}\n}\n");
}

static void test_nft_v6(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET6, IPPROTO_TCP);
	struct fg_bench_dut_cfg cfg = config(&t, 3, true);

	expect_text(fg_ext_write_nft, &cfg, "T", false,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip6 saddr fd00:fb00:fb00:fb00::1 tcp dport 5001 drop\n"
		"\t\tip6 saddr fd00:fb00:fb00:fb00::2 tcp dport 5001 drop\n"
		"\t\tip6 saddr fd00:77::/64 tcp dport 5001 counter name \"hits\" drop\n"
		"\t}\n}\n");
	expect_text(fg_ext_write_nft, &cfg, "T", true,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tset src {\n"
		"\t\ttype ipv6_addr\n"
		"\t\tflags interval\n"
		"\t\telements = {\n"
		"\t\t\tfd00:fb00:fb00:fb00::1,\n"
		"\t\t\tfd00:fb00:fb00:fb00::2,\n"
		"\t\t\tfd00:77::/64\n"
		"\t\t}\n"
		"\t}\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip6 saddr @src tcp dport 5001 counter name \"hits\" drop\n"
		"\t}\n}\n");
}

static void test_nft_set_v4(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);
	char *got;
	int ret;

	expect_text(fg_ext_write_nft, &cfg, "T", true,
		"table netdev T {\n"
		"\tcounter hits { }\n"
		"\tset src {\n"
		"\t\ttype ipv4_addr\n"
		"\t\tflags interval\n"
		"\t\telements = {\n"
		"\t\t\t10.77.0.0/24\n"
		"\t\t}\n"
		"\t}\n"
		"\tchain ingress {\n"
		"\t\ttype filter hook ingress device \"dut0\" priority 0; policy accept;\n"
		"\t\tip saddr @src udp dport 5001 counter name \"hits\" drop\n"
		"\t}\n}\n");
	/* 100,000 rules: one element per line, one rule */
	cfg.rules = 100000;
	got = text_of(fg_ext_write_nft, &cfg, "T", true, &ret);
	assert_int_equal(ret, 0);
	assert_int_equal(count_lines(got), 100000 + 13);
	assert_non_null(strstr(got, "\t\t\t198.19.134.158,\n\t\t\t10.77.0.0/24\n"));
	free(got);
}

static void test_ipt(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);

	expect_text(ipt_linear, &cfg, "C", false,
		"*raw\n:C - [0:0]\n"
		"-A C -s 10.77.0.0/24 -p udp -m udp --dport 5001 -j DROP\n"
		"-A PREROUTING -i dut0 -j C\nCOMMIT\n");
	cfg.rules = 3;
	expect_text(ipt_linear, &cfg, "C", false,
		"*raw\n:C - [0:0]\n"
		"-A C -s 198.18.0.0/32 -p udp -m udp --dport 5001 -j DROP\n"
		"-A C -s 198.18.0.1/32 -p udp -m udp --dport 5001 -j DROP\n"
		"-A C -s 10.77.0.0/24 -p udp -m udp --dport 5001 -j DROP\n"
		"-A PREROUTING -i dut0 -j C\nCOMMIT\n");
	/* with an ipset: one rule whatever N is */
	expect_text(ipt_linear, &cfg, "C", true,
		"*raw\n:C - [0:0]\n"
		"-A C -p udp -m set --match-set C src -m udp --dport 5001 -j DROP\n"
		"-A PREROUTING -i dut0 -j C\nCOMMIT\n");
}

static void test_ipt_v6(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET6, IPPROTO_TCP);
	struct fg_bench_dut_cfg cfg = config(&t, 3, false);
	char buf[256];
	FILE *f;

	expect_text(ipt_linear, &cfg, "C", false,
		"*raw\n:C - [0:0]\n"
		"-A C -s fd00:fb00:fb00:fb00::1/128 -p tcp -m tcp --dport 5002 -j DROP\n"
		"-A C -s fd00:fb00:fb00:fb00::2/128 -p tcp -m tcp --dport 5002 -j DROP\n"
		"-A C -s fd00:77::/64 -p tcp -m tcp --dport 5002 -j DROP\n"
		"-A PREROUTING -i dut0 -j C\nCOMMIT\n");
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(fg_ext_write_ipt_undo(f, "dut0", "C"), 0);
	fclose(f);
	assert_string_equal(buf, "*raw\n-D PREROUTING -i dut0 -j C\n-F C\n-X C\nCOMMIT\n");
}

static void test_ipset(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_traffic t6 = traffic(AF_INET6, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);
	char *got;
	int ret;

	expect_text(ipset_text, &cfg, "S", false,
		"create S hash:net family inet hashsize 1024 maxelem 65536\n"
		"add S 10.77.0.0/24\n");
	cfg.t = &t6;
	cfg.rules = 3;
	expect_text(ipset_text, &cfg, "S", false,
		"create S hash:net family inet6 hashsize 1024 maxelem 65536\n"
		"add S fd00:fb00:fb00:fb00::1\n"
		"add S fd00:fb00:fb00:fb00::2\n"
		"add S fd00:77::/64\n");
	/* beyond ipset's default limit the set is made big enough */
	cfg.rules = 100000;
	got = text_of(ipset_text, &cfg, "S", false, &ret);
	assert_int_equal(ret, 0);
	assert_non_null(strstr(got, "maxelem 100000\n"));
	assert_int_equal(count_lines(got), 100001);
	free(got);
}

static void join(char *const argv[], char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; argv[i]; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? " " : "",
				argv[i]);
}

static void test_xdpf_argv(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_traffic t6 = traffic(AF_INET6, IPPROTO_TCP);
	struct fg_bench_dut_cfg cfg = config(&t, 1, true);
	char buf[128], s[256], *argv[8];

	assert_int_equal(fg_ext_xdpf_load_argv(&cfg, buf, sizeof(buf), argv, 8), 0);
	join(argv, s, sizeof(s));
	assert_string_equal(s, "xdp-filter load --mode native --features udp dut0");
	assert_int_equal(fg_ext_xdpf_port_argv(&cfg, buf, sizeof(buf), argv, 8), 0);
	join(argv, s, sizeof(s));
	assert_string_equal(s, "xdp-filter port --mode dst --proto udp 5001");

	cfg.t = &t6;
	cfg.rules = 3;
	cfg.deny = false;
	assert_int_equal(fg_ext_xdpf_load_argv(&cfg, buf, sizeof(buf), argv, 8), 0);
	join(argv, s, sizeof(s));
	assert_string_equal(s, "xdp-filter load --mode native --features tcp,ipv6 dut0");
	assert_int_equal(fg_ext_xdpf_port_argv(&cfg, buf, sizeof(buf), argv, 8), 0);
	join(argv, s, sizeof(s));
	assert_string_equal(s, "xdp-filter port --mode dst --proto tcp 5002");
	cfg.t = &t;
	assert_int_equal(fg_ext_xdpf_load_argv(&cfg, buf, sizeof(buf), argv, 8), 0);
	join(argv, s, sizeof(s));
	assert_string_equal(s, "xdp-filter load --mode native --features udp,ipv4 dut0");

	/* too small: an error, not a cut argv */
	assert_int_equal(fg_ext_xdpf_load_argv(&cfg, buf, 20, argv, 8), -E2BIG);
	assert_int_equal(fg_ext_xdpf_port_argv(&cfg, buf, sizeof(buf), argv, 5),
			 -E2BIG);
}

static void test_ops_table(void **state)
{
	const struct fg_bench_dut_ops *all[] = {
		&fg_bench_nft_linear, &fg_bench_nft_set, &fg_bench_ipt_linear,
		&fg_bench_ipt_legacy_linear, &fg_bench_ipt_ipset,
		&fg_bench_xdp_filter,
	};
	const char *names[] = { "nft-linear", "nft-set", "iptables-linear",
				"iptables-legacy-linear", "iptables-ipset",
				"xdp-filter" };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_string_equal(all[i]->name, names[i]);
		assert_non_null(all[i]->label);
		assert_non_null(all[i]->available);
		assert_non_null(all[i]->setup);
		assert_non_null(all[i]->count);
		assert_non_null(all[i]->teardown);
		assert_int_equal(all[i]->xdp, i == 5);
	}
}

/* ------------------------------------------------------------------------ */
/* The runner (no privileges)                                               */
/* ------------------------------------------------------------------------ */

static void test_exec_status(void **state)
{
	char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3", NULL };
	char *ok[] = { "true", NULL };
	struct fg_exec x = FG_EXEC_INIT;
	char out[64], err[64];

	x.out = out;
	x.out_size = sizeof(out);
	x.err = err;
	x.err_size = sizeof(err);
	assert_int_equal(fg_exec_run(&x, argv), -EIO);
	assert_int_equal(x.status, 3);
	assert_string_equal(out, "out\n");
	assert_string_equal(err, "err\n");
	assert_int_equal(fg_exec_run(&x, ok), 0);
	assert_int_equal(x.status, 0);
	assert_string_equal(out, "");
	assert_int_equal(fg_exec_run(&x, NULL), -EINVAL);
}

static void test_exec_missing(void **state)
{
	char *argv[] = { "fg-no-such-command", "x", NULL };
	struct fg_exec x = FG_EXEC_INIT;
	char err[128];

	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	/* A PATH with directories we may not search (root's, run as
	 * another user) would make it -EACCES. */
	setenv("PATH", "/usr/bin:/bin", 1);
	x.err = err;
	x.err_size = sizeof(err);
	assert_int_equal(fg_exec_run(&x, argv), -ENOENT);
	assert_string_equal(err, "fg-no-such-command: command not found");
	if (path)
		setenv("PATH", path, 1);
	free(path);
}

static void test_exec_stdin(void **state)
{
	char *argv[] = { "cat", NULL };
	char *wc[] = { "wc", "-c", NULL };
	struct fg_exec x = FG_EXEC_INIT;
	char out[32], path[] = "/tmp/fg-exec-test.XXXXXX";
	size_t big = 4 << 20;
	char *text = malloc(big + 1);
	int fd;

	assert_non_null(text);
	memset(text, 'a', big);
	text[big] = '\0';
	/* 4 MiB through stdin, output capped at 31 bytes, rest drained */
	x.in_text = text;
	x.out = out;
	x.out_size = sizeof(out);
	assert_int_equal(fg_exec_run(&x, argv), 0);
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_true(x.out_truncated);
	assert_int_equal(fg_exec_run(&x, wc), 0);
	assert_int_equal(strtoul(out, NULL, 10), big);
	assert_false(x.out_truncated);
	free(text);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "from a file\n", 12), 12);
	close(fd);
	x.in_text = NULL;
	x.in_path = path;
	assert_int_equal(fg_exec_run(&x, argv), 0);
	assert_string_equal(out, "from a file\n");
	/* both at once is a caller error */
	x.in_text = "x";
	assert_int_equal(fg_exec_run(&x, argv), -EINVAL);
	unlink(path);
}

static bool pid_gone(pid_t pid)
{
	char path[64], buf[256], *s;
	int i, fd;
	ssize_t n;

	for (i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			return true;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		s = strrchr(buf, ')');
		if (s && s[1] == ' ' && s[2] == 'Z')
			return true;	/* dead, waiting for init to reap */
		usleep(10000);
	}
	return false;
}

static void test_exec_timeout(void **state)
{
	/* The grandchild must die with the child: the group is killed. */
	char *argv[] = { "sh", "-c", "sleep 30 & echo $!; wait", NULL };
	struct fg_exec x = FG_EXEC_INIT;
	char out[32];
	double t0 = fg_exec_now();

	x.out = out;
	x.out_size = sizeof(out);
	x.timeout_s = 0.3;
	assert_int_equal(fg_exec_run(&x, argv), -ETIMEDOUT);
	assert_true(fg_exec_now() - t0 < 5);
	assert_true(atoi(out) > 0);
	assert_true(pid_gone(atoi(out)));
}

static int fn_fail(void *arg)
{
	*(int *)arg = 42;	/* in the child only */
	return -EADDRINUSE;
}

static int fn_sleep(void *arg)
{
	sleep(30);
	return 0;
}

static void test_exec_fn(void **state)
{
	int v = 1;

	assert_int_equal(fg_exec_fn(-1, fn_fail, &v, 5), -EADDRINUSE);
	assert_int_equal(v, 1);
	assert_int_equal(fg_exec_fn(-1, fn_sleep, NULL, 0.2), -ETIMEDOUT);
	assert_int_equal(fg_exec_fn(-1, NULL, NULL, 0), -EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Live, as root                                                            */
/* ------------------------------------------------------------------------ */

static char ns_dut[32], ns_peer[32], if_dut[IF_NAMESIZE], if_peer[IF_NAMESIZE];
static char workdir[64];
static int dut_fd = -1, peer_fd = -1, host_fd = -1, dut_ifindex;
static bool live;
static char live_why[128];

/* Run a shell command (in the host namespace); 0 on success. */
static int sh(const char *fmt, ...)
{
	char cmd[512];
	char *argv[] = { "sh", "-c", cmd, NULL };
	struct fg_exec x = FG_EXEC_INIT;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	x.timeout_s = 30;
	return fg_exec_run(&x, argv);
}

/* Output of a shell command run in namespace fd (-1: host). */
static void capture(int fd, char *out, size_t len, const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };
	struct fg_exec x = FG_EXEC_INIT;

	x.netns_fd = fd;
	x.out = out;
	x.out_size = len;
	x.timeout_s = 30;
	fg_exec_run(&x, argv);
}

/*
 * Everything a DUT could leave behind, in the DUT namespace and on the
 * host: rule sets (counter values and comments stripped), ipsets, XDP on
 * the interface, xdp-filter's pins.
 */
static void snapshot(char *buf, size_t len)
{
	static const char *const cmd =
		"{ nft list ruleset; iptables-save; ip6tables-save;"
		"  iptables-legacy-save; ip6tables-legacy-save; ipset list -n;"
		"  ip -o link show; } 2>&1 | grep -v '^#' |"
		" sed -e 's/\\[[0-9]*:[0-9]*\\]//' -e 's/packets [0-9]* bytes [0-9]*//'";
	size_t n;

	capture(dut_fd, buf, len / 2, cmd);
	n = strlen(buf);
	capture(-1, buf + n, len - n - 64, "{ nft list ruleset; ipset list -n; } 2>&1");
	n = strlen(buf);
	snprintf(buf + n, len - n, "pins:%d",
		 access(FG_EXT_XDPF_PIN_DIR, F_OK) == 0);
}

static int open_ns(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static int live_setup(void **state)
{
	int id = (int)getpid();

	if (geteuid()) {
		snprintf(live_why, sizeof(live_why), "needs root");
		return 0;
	}
	snprintf(ns_dut, sizeof(ns_dut), "fgbx%dd", id);
	snprintf(ns_peer, sizeof(ns_peer), "fgbx%dp", id);
	snprintf(if_dut, sizeof(if_dut), "fgbx%dd", id);
	snprintf(if_peer, sizeof(if_peer), "fgbx%dp", id);
	if (sh("ip netns add %s && ip netns add %s", ns_dut, ns_peer) ||
	    sh("ip -n %s link add %s type veth peer name %s netns %s",
	       ns_dut, if_dut, if_peer, ns_peer) ||
	    sh("ip -n %s addr add 10.77.0.2/24 dev %s && "
	       "ip -n %s addr add fd00:77::2/64 dev %s nodad && "
	       "ip -n %s link set %s up && ip -n %s link set lo up",
	       ns_dut, if_dut, ns_dut, if_dut, ns_dut, if_dut, ns_dut) ||
	    sh("ip -n %s addr add 10.77.0.1/24 dev %s && "
	       "ip -n %s addr add fd00:77::1/64 dev %s nodad && "
	       "ip -n %s link set %s up",
	       ns_peer, if_peer, ns_peer, if_peer, ns_peer, if_peer)) {
		snprintf(live_why, sizeof(live_why), "could not build the namespaces");
		return 0;
	}
	dut_fd = open_ns(ns_dut);
	peer_fd = open_ns(ns_peer);
	host_fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(workdir, sizeof(workdir), "/tmp/fgbx%d.XXXXXX", id);
	if (dut_fd < 0 || peer_fd < 0 || host_fd < 0 || !mkdtemp(workdir)) {
		snprintf(live_why, sizeof(live_why), "namespace files: %s",
			 strerror(errno));
		return 0;
	}
	/* the interface index inside the DUT namespace */
	if (setns(dut_fd, CLONE_NEWNET) == 0) {
		dut_ifindex = (int)if_nametoindex(if_dut);
		setns(host_fd, CLONE_NEWNET);
	}
	/* iptables-legacy's built-in tables come into being when first
	 * listed and stay: make them exist before the snapshots. */
	sh("ip netns exec %s sh -c 'iptables-legacy -t raw -S; "
	   "ip6tables-legacy -t raw -S' >/dev/null 2>&1", ns_dut);
	live = dut_ifindex > 0;
	return 0;
}

static int live_teardown(void **state)
{
	if (dut_fd >= 0)
		close(dut_fd);
	if (peer_fd >= 0)
		close(peer_fd);
	if (host_fd >= 0)
		close(host_fd);
	if (ns_dut[0])
		sh("ip netns del %s; ip netns del %s", ns_dut, ns_peer);
	if (workdir[0] && !strchr(workdir, 'X'))
		rmdir(workdir);
	return 0;
}

/* A socket of the given namespace (the test process goes there and
 * back: sockets keep the namespace they were made in). */
static int socket_in(int ns_fd, int family, int type)
{
	int fd;

	assert_int_equal(setns(ns_fd, CLONE_NEWNET), 0);
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	assert_int_equal(setns(host_fd, CLONE_NEWNET), 0);
	assert_true(fd >= 0);
	return fd;
}

static socklen_t sockaddr_of(const struct fg_bench_traffic *t, __u16 port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (t->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, t->dst, 4);
		return sizeof(*a);
	}
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	a6->sin6_family = AF_INET6;
	a6->sin6_port = htons(port);
	memcpy(&a6->sin6_addr, t->dst, 16);
	return sizeof(*a6);
}

/* Send n packets of the traffic from the peer: UDP datagrams, or TCP
 * connection attempts (one SYN each, non-blocking). Returns the number
 * of datagrams a UDP receiver in the DUT namespace got. */
static int send_traffic(const struct fg_bench_traffic *t, int n)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_of(t, PORT, &ss);
	struct timeval tv = { .tv_sec = 0, .tv_usec = 300000 };
	int rx = -1, i, got = 0, s, one = 1;
	char buf[64];

	if (t->proto == IPPROTO_UDP) {
		rx = socket_in(dut_fd, t->family, SOCK_DGRAM);
		setsockopt(rx, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		assert_int_equal(bind(rx, (struct sockaddr *)&ss, sl), 0);
		setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		s = socket_in(peer_fd, t->family, SOCK_DGRAM);
		for (i = 0; i < n; i++)
			assert_int_equal(sendto(s, "fgbx", 4, 0,
						(struct sockaddr *)&ss, sl), 4);
		close(s);
		while (recv(rx, buf, sizeof(buf), 0) > 0)
			got++;
		close(rx);
		return got;
	}
	for (i = 0; i < n; i++) {
		s = socket_in(peer_fd, t->family, SOCK_STREAM | SOCK_NONBLOCK);
		connect(s, (struct sockaddr *)&ss, sl);
		usleep(20000);	/* the SYN leaves before the close */
		close(s);
	}
	return 0;
}

/* Wait until the DUT has counted at least n (counters are read through
 * the tools; the packets may still be in flight). */
static struct fg_bench_dut_count wait_count(const struct fg_bench_dut_ops *o,
					    struct fg_bench_dut *d, __u64 n)
{
	struct fg_bench_dut_count c = {};
	int i;

	for (i = 0; i < 20; i++) {
		assert_int_equal(o->count(d, &c), 0);
		if (c.matched >= n)
			break;
		usleep(50000);
	}
	return c;
}

static bool dir_empty(const char *path)
{
	struct dirent *de;
	DIR *dir = opendir(path);
	bool empty = true;

	if (!dir)
		return false;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			empty = false;
	closedir(dir);
	return empty;
}

static void live_case(const struct fg_bench_dut_ops *o, int family,
		      __u8 proto, __u32 rules, bool deny)
{
	struct fg_bench_traffic t = traffic(family, proto);
	struct fg_bench_dut_cfg cfg = config(&t, rules, deny);
	struct fg_bench_dut d = { .ops = o };
	struct fg_bench_dut_count c;
	static char before[65536], after[65536];
	const int n = 10;
	int got;

	cfg.netns_fd = dut_fd;
	cfg.ifname = if_dut;
	cfg.ifindex = dut_ifindex;
	cfg.workdir = workdir;
	snapshot(before, sizeof(before));

	assert_int_equal(o->setup(&d, &cfg), 0);
	assert_non_null(d.priv);
	assert_true(d.load_s > 0 && d.load_s < cfg.load_timeout_s);
	assert_true(strlen(d.detail) > 10);
	print_message("  %s: %s, loaded in %.3f s\n", o->name, d.detail,
		      d.load_s);
	assert_int_equal(o->count(&d, &c), 0);
	assert_int_equal(c.matched, 0);

	got = send_traffic(&t, n);
	if (deny) {
		c = wait_count(o, &d, n);
		assert_int_equal(got, 0);	/* dropped, never delivered */
		if (proto == IPPROTO_UDP)
			assert_int_equal(c.matched, n);
		else	/* a SYN may be retransmitted */
			assert_true(c.matched >= (__u64)n);
		assert_int_equal(c.dropped, c.matched);
	} else {
		assert_int_equal(got, n);	/* passed to the stack */
		assert_int_equal(o->count(&d, &c), 0);
		assert_int_equal(c.matched, 0);
		assert_int_equal(c.dropped, 0);
	}

	o->teardown(&d);
	assert_null(d.priv);
	snapshot(after, sizeof(after));
	assert_string_equal(before, after);
	assert_true(dir_empty(workdir));
}

static bool live_ready(const struct fg_bench_dut_ops *o)
{
	char why[128];

	if (!live) {
		print_message("skipped: %s\n", live_why);
		return false;
	}
	if (o->available(why, sizeof(why))) {
		print_message("skipped: %s: %s\n", o->name, why);
		return false;
	}
	return true;
}

#define LIVE_TEST(fn, ops)						\
static void fn(void **state)						\
{									\
	if (!live_ready(&ops))						\
		skip();							\
	live_case(&ops, AF_INET, IPPROTO_UDP, 3, true);			\
	live_case(&ops, AF_INET6, IPPROTO_TCP, 3, true);			\
	live_case(&ops, AF_INET, IPPROTO_UDP, 3, false);			\
	live_case(&ops, AF_INET6, IPPROTO_UDP, 1, true);			\
}

LIVE_TEST(test_live_nft_linear, fg_bench_nft_linear)
LIVE_TEST(test_live_nft_set, fg_bench_nft_set)
LIVE_TEST(test_live_ipt_linear, fg_bench_ipt_linear)
LIVE_TEST(test_live_ipt_legacy_linear, fg_bench_ipt_legacy_linear)
LIVE_TEST(test_live_ipt_ipset, fg_bench_ipt_ipset)
LIVE_TEST(test_live_xdp_filter, fg_bench_xdp_filter)

/* A setup that fails half-way leaves nothing behind. */
static void test_live_failed_setup(void **state)
{
	struct fg_bench_traffic t = traffic(AF_INET, IPPROTO_UDP);
	struct fg_bench_dut_cfg cfg = config(&t, 20000, true);
	static char before[65536], after[65536];
	struct fg_bench_dut d = {};

	if (!live_ready(&fg_bench_xdp_filter) ||
	    !live_ready(&fg_bench_nft_linear))
		skip();
	cfg.netns_fd = dut_fd;
	cfg.ifname = if_dut;
	cfg.ifindex = dut_ifindex;
	cfg.workdir = workdir;
	snapshot(before, sizeof(before));

	/* xdp-filter's address map holds 10,000: loaded, then undone */
	assert_int_equal(fg_bench_xdp_filter.setup(&d, &cfg), -E2BIG);
	assert_null(d.priv);
	snapshot(after, sizeof(after));
	assert_string_equal(before, after);

	/* 100,000 nft rules in 0.3 s: nft is started, then killed (it
	 * takes about 2.5 s here) */
	cfg.rules = 100000;
	cfg.load_timeout_s = 0.3;
	assert_int_equal(fg_bench_nft_linear.setup(&d, &cfg), -ETIMEDOUT);
	assert_null(d.priv);
	snapshot(after, sizeof(after));
	assert_string_equal(before, after);
	assert_true(dir_empty(workdir));
}

static int fn_ifindex(void *arg)
{
	return if_nametoindex(arg) ? 0 : -ENODEV;
}

static void test_live_exec_netns(void **state)
{
	char *argv[] = { "ip", "-o", "link", "show", if_dut, NULL };
	struct fg_exec x = FG_EXEC_INIT;
	char out[512];

	if (!live) {
		print_message("skipped: %s\n", live_why);
		skip();
	}
	/* the DUT interface exists in the DUT namespace only */
	assert_int_not_equal(fg_exec_run(&x, argv), 0);
	x.netns_fd = dut_fd;
	x.out = out;
	x.out_size = sizeof(out);
	assert_int_equal(fg_exec_run(&x, argv), 0);
	assert_non_null(strstr(out, if_dut));
	assert_int_equal(fg_exec_fn(dut_fd, fn_ifindex, if_dut, 5), 0);
	assert_int_equal(fg_exec_fn(-1, fn_ifindex, if_dut, 5), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest pure[] = {
		cmocka_unit_test(test_check_cfg),
		cmocka_unit_test(test_rule_port),
		cmocka_unit_test(test_filler_v4),
		cmocka_unit_test(test_filler_v6),
		cmocka_unit_test(test_filler_distinct),
		cmocka_unit_test(test_nft_linear),
		cmocka_unit_test(test_nft_v6),
		cmocka_unit_test(test_nft_set_v4),
		cmocka_unit_test(test_ipt),
		cmocka_unit_test(test_ipt_v6),
		cmocka_unit_test(test_ipset),
		cmocka_unit_test(test_xdpf_argv),
		cmocka_unit_test(test_ops_table),
		cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_exec_missing),
		cmocka_unit_test(test_exec_stdin),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_exec_fn),
	};
	const struct CMUnitTest root[] = {
		cmocka_unit_test(test_live_exec_netns),
		cmocka_unit_test(test_live_nft_linear),
		cmocka_unit_test(test_live_nft_set),
		cmocka_unit_test(test_live_ipt_linear),
		cmocka_unit_test(test_live_ipt_legacy_linear),
		cmocka_unit_test(test_live_ipt_ipset),
		cmocka_unit_test(test_live_xdp_filter),
		cmocka_unit_test(test_live_failed_setup),
	};
	int failed;

	failed = cmocka_run_group_tests_name("bench_ext", pure, NULL, NULL);
	failed += cmocka_run_group_tests_name("bench_ext_live", root,
					      live_setup, live_teardown);
	return failed ? 1 : 0;
}
