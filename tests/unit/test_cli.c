// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cli.c - the CLI's pure parts: JSON writing and escaping, argument
 * parsing and command prefixes, control-socket framing (and one real
 * socket round trip), formatting, event lines and command output.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "ctl.h"
#include "events.h"
#include "format.h"
#include "json.h"
#include "render.h"

/* Run fn(f, arg) into a memory stream and return what it wrote. */
static char *capture(void (*fn)(FILE *f, const void *arg), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f, arg);
	fclose(f);
	return buf;
}

/* ---- JSON ---- */

static void esc(FILE *f, const void *s) { fg_json_escape(f, s); }

static void check_escape(const char *in, const char *want)
{
	char *got = capture(esc, in);

	assert_string_equal(got, want);
	free(got);
}

static void test_json_escape(void **state)
{
	check_escape("plain", "\"plain\"");
	check_escape("", "\"\"");
	check_escape("a\"b\\c", "\"a\\\"b\\\\c\"");
	check_escape("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"");
	check_escape("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	check_escape("/", "\"/\"");
	/* Valid UTF-8 passes through: é, €, U+1F600. */
	check_escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
		     "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* Invalid: lone continuation, truncated, overlong, surrogate,
	 * beyond U+10FFFF. Each bad byte becomes U+FFFD. */
	check_escape("a\x80z", "\"a\\ufffdz\"");
	check_escape("\xc3", "\"\\ufffd\"");
	check_escape("\xc0\xaf", "\"\\ufffd\\ufffd\"");
	check_escape("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
	check_escape("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void write_doc(FILE *f, const void *arg)
{
	bool pretty = *(const bool *)arg;
	struct fg_json j;

	fg_json_init(&j, f, pretty);
	fg_json_obj_open(&j);
	fg_json_kstr(&j, "s", "x\"y");
	fg_json_ku64(&j, "u", UINT64_MAX);
	fg_json_ki64(&j, "i", -5);
	fg_json_kbool(&j, "b", true);
	fg_json_knull(&j, "n");
	fg_json_kstr(&j, "ns", NULL);
	fg_json_karr_open(&j, "a");
	fg_json_u64(&j, 1);
	fg_json_obj_open(&j);
	fg_json_obj_close(&j);
	fg_json_arr_open(&j);
	fg_json_arr_close(&j);
	fg_json_double(&j, 1.5, 2);
	fg_json_arr_close(&j);
	fg_json_kobj_open(&j, "o");
	fg_json_kbool(&j, "f", false);
	fg_json_obj_close(&j);
	fg_json_obj_close(&j);
	fg_json_end(&j);
}

static void test_json_writer(void **state)
{
	bool pretty = false;
	char *got = capture(write_doc, &pretty);

	assert_string_equal(got,
		"{\"s\":\"x\\\"y\",\"u\":18446744073709551615,\"i\":-5,"
		"\"b\":true,\"n\":null,\"ns\":null,\"a\":[1,{},[],1.50],"
		"\"o\":{\"f\":false}}\n");
	free(got);

	pretty = true;
	got = capture(write_doc, &pretty);
	assert_string_equal(got,
		"{\n  \"s\": \"x\\\"y\",\n  \"u\": 18446744073709551615,\n"
		"  \"i\": -5,\n  \"b\": true,\n  \"n\": null,\n  \"ns\": null,\n"
		"  \"a\": [\n    1,\n    {},\n    [],\n    1.50\n  ],\n"
		"  \"o\": {\n    \"f\": false\n  }\n}\n");
	free(got);
}

static void err_doc(FILE *f, const void *arg) { fg_json_error(f, arg); }

static void test_json_error(void **state)
{
	char *got = capture(err_doc, "bad \"x\"\n");

	assert_string_equal(got, "{\"error\":\"bad \\\"x\\\"\\n\"}\n");
	free(got);
}

/* ---- argument parsing ---- */

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ __VA_ARGS__ }) / sizeof(char *)))
#define PARSE_RUN(o, err, ...) \
	fg_cli_parse_run(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), o, err, sizeof(err))
#define PARSE_CMD(allowed, o, err, ...) \
	fg_cli_parse_cmd(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), allowed, o, err, sizeof(err))

static void test_parse_run(void **state)
{
	struct fg_run_opts o;
	char err[256];

	assert_int_equal(PARSE_RUN(&o, err, "run", "--iface", "eth0", "--policy", "p.yaml"), 0);
	assert_int_equal(o.n_ifaces, 1);
	assert_string_equal(o.ifaces[0], "eth0");
	assert_string_equal(o.policy, "p.yaml");
	assert_int_equal(o.xdp_mode, FG_XDP_AUTO);
	assert_string_equal(o.socket, FG_CTL_DEFAULT_SOCKET);
	assert_null(o.events);
	assert_int_equal(o.flows, FG_FLOWS_DEFAULT);
	assert_int_equal(o.max_rules, FG_MAX_RULES_DEFAULT);
	assert_false(o.help);

	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "a", "--iface=b", "-P", "p",
				   "--xdp-mode", "none", "--events", "-",
				   "--socket", "/tmp/s", "--flows", "4096",
				   "--max-rules", "10", "--event-rate", "5", "-v"), 0);
	assert_int_equal(o.n_ifaces, 2);
	assert_string_equal(o.ifaces[1], "b");
	assert_int_equal(o.xdp_mode, FG_XDP_NONE);
	assert_string_equal(o.events, "-");
	assert_string_equal(o.socket, "/tmp/s");
	assert_int_equal(o.flows, 4096);
	assert_int_equal(o.max_rules, 10);
	assert_int_equal(o.event_rate, 5);
	assert_true(o.verbose);

	/* Unique prefixes of long options work (getopt_long). */
	assert_int_equal(PARSE_RUN(&o, err, "run", "--if", "x", "--pol", "p", "--xdp", "generic"), 0);
	assert_int_equal(o.xdp_mode, FG_XDP_GENERIC);

	assert_int_equal(PARSE_RUN(&o, err, "run", "--help"), 0);
	assert_true(o.help);

	assert_int_equal(PARSE_RUN(&o, err, "run", "--policy", "p"), -EINVAL);
	assert_non_null(strstr(err, "--iface is required"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "--iface", "x"), -EINVAL);
	assert_non_null(strstr(err, "--policy is required"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-i", "x", "-P", "p"), -EINVAL);
	assert_non_null(strstr(err, "twice"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--xdp-mode", "fast"), -EINVAL);
	assert_non_null(strstr(err, "'fast'"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--flows", "12abc"), -EINVAL);
	assert_non_null(strstr(err, "not a number"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--flows", "10"), -EINVAL);
	assert_non_null(strstr(err, "out of range"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--max-rules", "-1"), -EINVAL);
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--bogus"), -EINVAL);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "-z"), -EINVAL);
	assert_non_null(strstr(err, "-z"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-P", "p", "--iface"), -EINVAL);
	assert_non_null(strstr(err, "needs an argument"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "extra"), -EINVAL);
	assert_non_null(strstr(err, "'extra'"));
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "0123456789abcdef", "-P", "p"), -EINVAL);
	assert_int_equal(PARSE_RUN(&o, err, "run", "-i", "x", "-P", "p", "--socket", ""), -EINVAL);
}

static void test_parse_cmd(void **state)
{
	unsigned int client = FG_OPT_SOCKET | FG_OPT_JSON;
	struct fg_cmd_opts o;
	char err[256];

	assert_int_equal(PARSE_CMD(client, &o, err, "status"), 0);
	assert_false(o.json);
	assert_int_equal(o.limit, -1);
	assert_string_equal(o.socket, FG_CTL_DEFAULT_SOCKET);
	assert_int_equal(PARSE_CMD(client, &o, err, "status", "-j", "--socket", "/x"), 0);
	assert_true(o.json);
	assert_string_equal(o.socket, "/x");
	assert_int_equal(PARSE_CMD(client, &o, err, "stats", "--pretty"), 0);
	assert_true(o.json && o.pretty);
	/* An option this command does not take is unknown to it. */
	assert_int_equal(PARSE_CMD(client, &o, err, "status", "--limit", "3"), -EINVAL);
	assert_int_equal(PARSE_CMD(client, &o, err, "status", "FILE"), -EINVAL);
	assert_non_null(strstr(err, "unexpected argument 'FILE'"));

	assert_int_equal(PARSE_CMD(client | FG_OPT_LIMIT, &o, err, "flows", "--limit", "7", "--json"), 0);
	assert_int_equal(o.limit, 7);
	assert_int_equal(PARSE_CMD(client | FG_OPT_LIMIT, &o, err, "flows", "--limit", "0"), 0);
	assert_int_equal(o.limit, 0);
	assert_int_equal(PARSE_CMD(client | FG_OPT_LIMIT, &o, err, "flows", "--limit", "x"), -EINVAL);
	assert_int_equal(PARSE_CMD(client | FG_OPT_LIMIT, &o, err, "flows", "--limit", "99999999999"), -EINVAL);

	assert_int_equal(PARSE_CMD(client | FG_OPT_FILE, &o, err, "reload"), 0);
	assert_null(o.file);
	assert_int_equal(PARSE_CMD(client | FG_OPT_FILE, &o, err, "reload", "p.yaml", "--socket", "/s"), 0);
	assert_string_equal(o.file, "p.yaml");
	assert_int_equal(PARSE_CMD(client | FG_OPT_FILE, &o, err, "reload", "a", "b"), -EINVAL);

	assert_int_equal(PARSE_CMD(FG_OPT_FILE_REQ, &o, err, "check"), -EINVAL);
	assert_non_null(strstr(err, "FILE is required"));
	assert_int_equal(PARSE_CMD(FG_OPT_FILE_REQ, &o, err, "check", "p.yaml"), 0);
	assert_int_equal(PARSE_CMD(FG_OPT_FILE_REQ, &o, err, "check", "--json", "p"), -EINVAL);

	assert_int_equal(PARSE_CMD(FG_OPT_DETACH, &o, err, "detach"), -EINVAL);
	assert_non_null(strstr(err, "exactly one"));
	assert_int_equal(PARSE_CMD(FG_OPT_DETACH, &o, err, "detach", "--all", "--iface", "x"), -EINVAL);
	assert_int_equal(PARSE_CMD(FG_OPT_DETACH, &o, err, "detach", "--all"), 0);
	assert_true(o.all);
	assert_int_equal(PARSE_CMD(FG_OPT_DETACH, &o, err, "detach", "-i", "eth1"), 0);
	assert_string_equal(o.iface, "eth1");

	assert_int_equal(PARSE_CMD(client, &o, err, "status", "--help"), 0);
	assert_true(o.help);
}

static void test_match(void **state)
{
	static const char *const names[] = {
		"run", "check", "reload", "status", "stats", "flows", "detach", "help",
	};
	const char *a = NULL, *b = NULL;
	size_t n = sizeof(names) / sizeof(names[0]);

	assert_int_equal(fg_cli_match("run", names, n, NULL, NULL), 0);
	assert_int_equal(fg_cli_match("r", names, n, &a, &b), -EEXIST);
	assert_string_equal(a, "run");
	assert_string_equal(b, "reload");
	assert_int_equal(fg_cli_match("re", names, n, NULL, NULL), 2);
	assert_int_equal(fg_cli_match("stat", names, n, NULL, NULL), -EEXIST);
	assert_int_equal(fg_cli_match("statu", names, n, NULL, NULL), 3);
	assert_int_equal(fg_cli_match("stats", names, n, NULL, NULL), 4);
	assert_int_equal(fg_cli_match("fl", names, n, NULL, NULL), 5);
	assert_int_equal(fg_cli_match("flowsx", names, n, NULL, NULL), -ENOENT);
	assert_int_equal(fg_cli_match("x", names, n, NULL, NULL), -ENOENT);
	assert_int_equal(fg_cli_match("", names, n, NULL, NULL), -ENOENT);
	/* Every command has help. */
	for (size_t i = 0; i < n; i++)
		assert_non_null(fg_cli_help(names[i]));
}

static void test_parse_u32(void **state)
{
	__u32 v = 0;

	assert_int_equal(fg_cli_parse_u32("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(fg_cli_parse_u32("4294967295", 0, UINT32_MAX, &v), 0);
	assert_int_equal(v, UINT32_MAX);
	assert_int_equal(fg_cli_parse_u32("4294967296", 0, UINT32_MAX, &v), -ERANGE);
	assert_int_equal(fg_cli_parse_u32("99999999999999999999999", 0, UINT32_MAX, &v), -ERANGE);
	assert_int_equal(fg_cli_parse_u32("11", 0, 10, &v), -ERANGE);
	assert_int_equal(fg_cli_parse_u32("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(fg_cli_parse_u32(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(fg_cli_parse_u32("1 ", 0, 10, &v), -EINVAL);
	assert_int_equal(fg_cli_parse_u32("", 0, 10, &v), -EINVAL);
	assert_int_equal(fg_cli_parse_u32("0x10", 0, 100, &v), -EINVAL);
}

/* ---- control-socket framing ---- */

static void test_ctl_request(void **state)
{
	struct fg_ctl_req r, d;
	size_t len;
	char *buf;

	assert_int_equal(fg_ctl_req_init(&r, "flows"), 0);
	assert_int_equal(fg_ctl_req_set(&r, "json", "1"), 0);
	assert_int_equal(fg_ctl_req_set(&r, "limit", "20"), 0);
	assert_int_equal(fg_ctl_req_set(&r, "path", "/a b=c/ü.yaml"), 0);
	assert_int_equal(fg_ctl_req_set(&r, "limit", "5"), 0);	/* replaces */
	assert_int_equal(r.nargs, 3);
	assert_int_equal(fg_ctl_req_set(&r, "Bad", "1"), -EINVAL);
	assert_int_equal(fg_ctl_req_set(&r, "a=b", "1"), -EINVAL);
	assert_int_equal(fg_ctl_req_encode(&r, &buf, &len), 0);

	static const char want[] = "FG1\0flows\0json=1\0limit=5\0path=/a b=c/\xc3\xbc.yaml";
	assert_int_equal(len, 4 + sizeof(want));
	assert_int_equal(ntohl(*(uint32_t *)buf), sizeof(want));
	assert_memory_equal(buf + 4, want, sizeof(want));

	assert_int_equal(fg_ctl_req_decode(buf + 4, len - 4, &d), 0);
	assert_string_equal(d.cmd, "flows");
	assert_string_equal(fg_ctl_req_get(&d, "limit"), "5");
	assert_string_equal(fg_ctl_req_get(&d, "path"), "/a b=c/\xc3\xbc.yaml");
	assert_null(fg_ctl_req_get(&d, "pretty"));
	fg_ctl_req_free(&d);

	/* A truncated payload (last NUL missing) is refused. */
	assert_int_equal(fg_ctl_req_decode(buf + 4, len - 5, &d), -EPROTO);
	free(buf);
	fg_ctl_req_free(&r);

	/* Too many pairs. */
	assert_int_equal(fg_ctl_req_init(&r, "status"), 0);
	for (int i = 0; i < FG_CTL_MAX_ARGS; i++) {
		char k[8] = "k_";

		k[2] = 'a' + i;
		assert_int_equal(fg_ctl_req_set(&r, k, "v"), 0);
	}
	assert_int_equal(fg_ctl_req_set(&r, "one_more", "v"), -E2BIG);
	fg_ctl_req_free(&r);
	assert_int_equal(fg_ctl_req_init(&r, "Status"), -EINVAL);
}

static void test_ctl_request_malformed(void **state)
{
	static const struct { const char *p; size_t len; } bad[] = {
		{ "", 0 },
		{ "FG2\0status\0", 11 },		/* wrong magic */
		{ "FG1\0", 4 },				/* no command */
		{ "FG1\0STATUS\0", 11 },		/* bad command */
		{ "FG1\0status\0json", 15 },		/* no final NUL */
		{ "FG1\0status\0json\0", 16 },		/* pair without '=' */
		{ "FG1\0status\0=1\0", 14 },		/* empty key */
		{ "FG1\0status\0a=1\0a=2\0", 19 },	/* duplicate key */
		{ "FG1\0status\0\0", 12 },		/* empty field */
	};
	struct fg_ctl_req r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int e = fg_ctl_req_decode(bad[i].p, bad[i].len, &r);

		if (e != -EPROTO)
			fail_msg("case %zu: got %d, want -EPROTO", i, e);
	}
	assert_int_equal(fg_ctl_req_decode("FG1", FG_CTL_MAX_REQUEST + 1, &r), -EMSGSIZE);
}

static void test_ctl_response(void **state)
{
	uint32_t ol, el;
	size_t len;
	char *buf;
	int code;

	assert_int_equal(fg_ctl_resp_encode(2, "out\n", 4, "f.yaml:1:2: bad", 15, &buf, &len), 0);
	assert_int_equal(len, FG_CTL_RESP_HDR_LEN + 19);
	assert_int_equal(fg_ctl_resp_header_parse((unsigned char *)buf, &code, &ol, &el), 0);
	assert_int_equal(code, 2);
	assert_int_equal(ol, 4);
	assert_int_equal(el, 15);
	assert_memory_equal(buf + FG_CTL_RESP_HDR_LEN, "out\nf.yaml:1:2: bad", 19);
	buf[0] = 'X';
	assert_int_equal(fg_ctl_resp_header_parse((unsigned char *)buf, &code, &ol, &el), -EPROTO);
	free(buf);

	/* An exit code beyond 255 or a huge length is not ours. */
	assert_int_equal(fg_ctl_resp_header_parse((const unsigned char *)
		"FGR1\0\0\1\0\0\0\0\0\0\0\0\0", &code, &ol, &el), -EPROTO);
	assert_int_equal(fg_ctl_resp_header_parse((const unsigned char *)
		"FGR1\0\0\0\0\xff\xff\xff\xff\0\0\0\0", &code, &ol, &el), -EPROTO);
	assert_int_equal(fg_ctl_resp_encode(256, NULL, 0, NULL, 0, &buf, &len), -EMSGSIZE);
}

/* A real listening socket: 0600, probe, refusal of a second instance,
 * replacement of a stale socket, one request/response, a stuck client. */
static void test_ctl_socket(void **state)
{
	char dir[] = "/tmp/fgtest.XXXXXX", path[128], other[128];
	struct fg_ctl_resp resp;
	struct fg_ctl_req req;
	struct stat st;
	pid_t pid;
	int fd, st_w, c;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/sock", dir);
	assert_int_equal(fg_ctl_probe(path), 0);

	fd = fg_ctl_listen(path);
	assert_true(fd >= 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(other, sizeof(other), "%s/sub", dir);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(fg_ctl_probe(path), 1);
	assert_int_equal(fg_ctl_listen(path), -EADDRINUSE);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* Server: answer one request with what it asked for. */
		struct fg_ctl_req r;
		int cfd, e;
		char out[256];

		alarm(10);
		do {	/* skip the probe connections made above */
			cfd = -1;
			while (cfd < 0)
				cfd = accept(fd, NULL, NULL);
			e = fg_ctl_read_request(cfd, &r);
			if (e == -ENODATA)
				close(cfd);
		} while (e == -ENODATA);
		if (e)
			_exit(3);
		snprintf(out, sizeof(out), "%s limit=%s", r.cmd,
			 fg_ctl_req_get(&r, "limit"));
		e = fg_ctl_write_response(cfd, 2, out, strlen(out), "err", 3);
		_exit(e ? 4 : 0);
	}
	assert_int_equal(fg_ctl_req_init(&req, "flows"), 0);
	assert_int_equal(fg_ctl_req_set(&req, "limit", "3"), 0);
	assert_int_equal(fg_ctl_call(path, &req, &resp, 5000), 0);
	assert_int_equal(resp.code, 2);
	assert_string_equal(resp.out, "flows limit=3");
	assert_string_equal(resp.err, "err");
	fg_ctl_resp_free(&resp);
	fg_ctl_req_free(&req);
	assert_int_equal(waitpid(pid, &st_w, 0), pid);
	assert_true(WIFEXITED(st_w));
	assert_int_equal(WEXITSTATUS(st_w), 0);

	/* A client that sends half a request is cut off by the timeout. */
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int cfd = -1;

		strcpy(sa.sun_path, path);
		assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(write(c, "\0\0\0\x20" "FG1", 7), 7);
		while (cfd < 0)
			cfd = accept(fd, NULL, NULL);
		assert_int_equal(fg_ctl_read_request(cfd, &req), -ETIMEDOUT);
		close(cfd);
		/* An oversized request is refused without reading it. */
		close(c);
		c = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(c, (struct sockaddr *)&sa, sizeof(sa)), 0);
		assert_int_equal(write(c, "\x7f\0\0\0", 4), 4);
		cfd = -1;
		while (cfd < 0)
			cfd = accept(fd, NULL, NULL);
		assert_int_equal(fg_ctl_read_request(cfd, &req), -EMSGSIZE);
		close(cfd);
		close(c);
	}

	/* Stale: the socket file stays but nobody listens. */
	close(fd);
	assert_int_equal(fg_ctl_probe(path), 0);
	fd = fg_ctl_listen(path);
	assert_true(fd >= 0);
	assert_int_equal(fg_ctl_probe(path), 1);
	close(fd);
	unlink(path);

	/* Not a socket: not ours to delete. */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	assert_int_equal(fg_ctl_listen(path), -EEXIST);
	unlink(path);
	rmdir(other);
	rmdir(dir);
}

/* ---- formatting ---- */

static void test_format(void **state)
{
	__u8 a4[16] = { 10, 0, 0, 1 }, a6[16] = { 0xfd, 0, [15] = 1 };
	char b[64];

	assert_string_equal(fg_fmt_addr(AF_INET, a4, b, sizeof(b)), "10.0.0.1");
	assert_string_equal(fg_fmt_addr(AF_INET6, a6, b, sizeof(b)), "fd00::1");
	assert_string_equal(fg_fmt_addr(0, a6, b, sizeof(b)), "?");
	assert_string_equal(fg_fmt_endpoint(AF_INET, a4, 80, true, b, sizeof(b)), "10.0.0.1:80");
	assert_string_equal(fg_fmt_endpoint(AF_INET6, a6, 443, true, b, sizeof(b)), "[fd00::1]:443");
	assert_string_equal(fg_fmt_endpoint(AF_INET6, a6, 443, false, b, sizeof(b)), "fd00::1");
	assert_string_equal(fg_fmt_proto(6, b, sizeof(b)), "tcp");
	assert_string_equal(fg_fmt_proto(58, b, sizeof(b)), "icmpv6");
	assert_string_equal(fg_fmt_proto(253, b, sizeof(b)), "253");
	assert_true(fg_proto_has_ports(17));
	assert_false(fg_proto_has_ports(1));

	assert_string_equal(fg_fmt_duration(0, b, sizeof(b)), "0s");
	assert_string_equal(fg_fmt_duration(59999999999ULL, b, sizeof(b)), "59s");
	assert_string_equal(fg_fmt_duration(125000000000ULL, b, sizeof(b)), "2m05s");
	assert_string_equal(fg_fmt_duration(3600ULL * 1000000000ULL * 3 + 7 * 60000000000ULL, b, sizeof(b)), "3h07m");
	assert_string_equal(fg_fmt_duration(86400ULL * 1000000000ULL * 2 + 4 * 3600000000000ULL, b, sizeof(b)), "2d04h");

	assert_string_equal(fg_fmt_rfc3339(0, b, sizeof(b)), "1970-01-01T00:00:00.000000Z");
	assert_string_equal(fg_fmt_rfc3339(1796215110123456789ULL, b, sizeof(b)),
			    "2026-12-02T12:38:30.123456Z");
	assert_string_equal(fg_fmt_hex((const __u8 *)"\x00\xab\xff", 3, b), "00abff");

	/* Names come from flowgate.h's X-macros. */
	assert_string_equal(fg_drop_name(FG_DROP_POLICY), "policy");
	assert_string_equal(fg_drop_name(FG_DROP_INTERNAL), "internal");
	assert_string_equal(fg_drop_name(FG_DROP_MAX), "?");
	assert_string_equal(fg_verdict_name(FG_VERDICT_MALFORMED), "malformed");
	assert_string_equal(fg_state_name(FG_STATE_ESTABLISHED), "established");
	assert_string_equal(fg_counter_name(FG_CNT_FLOW_NEW), "flow_new");
	assert_string_equal(fg_action_name(FG_ACTION_ALLOW), "allow");
	assert_null(fg_event_type_name(99));
}

static void print_table(FILE *f, const void *arg)
{
	static const char *const hdr[] = { "name", ">packets", "note" };
	static const char *const r1[] = { "a", "1", "x" };
	static const char *const r2[] = { "longer", "12345", NULL };
	struct fg_table t;

	assert_int_equal(fg_table_init(&t, 3, hdr), 0);
	fg_table_add(&t, r1);
	fg_table_add(&t, r2);
	fg_table_print(&t, f, "  ");
	fg_table_free(&t);
}

static void test_table(void **state)
{
	char *got = capture(print_table, NULL);

	assert_string_equal(got,
		"  name    packets  note\n"
		"  a             1  x\n"
		"  longer    12345  -\n");
	free(got);
}

/* ---- events ---- */

static const char *t_rule(void *arg, __u32 gen, __u32 rule)
{
	return gen == 3 && rule == 5 ? "no-\"telnet\"" : NULL;
}

static const char *t_ifname(void *arg, __u32 ifindex)
{
	return ifindex == 7 ? "veth0" : NULL;
}

struct ev_case { const struct fg_event *e; size_t size; int ret; };

static void write_event(FILE *f, const void *arg)
{
	const struct fg_event_names n = { t_rule, t_ifname, NULL };
	struct ev_case *c = (struct ev_case *)arg;

	/* offset: monotonic 1 s is 2026-12-02T12:38:30Z */
	c->ret = fg_event_write_json(f, c->e, c->size,
				     1796215110000000000LL - 1000000000LL, &n);
}

static void test_event_json(void **state)
{
	struct fg_event e = {
		.ts_ns = 1000000000ULL + 123456789ULL,
		.ifindex = 7, .rule = 5, .gen = 3, .type = FG_EV_DENY,
		.hook = FG_HOOK_INGRESS, .family = AF_INET, .proto = 6,
		.action = FG_ACTION_DENY, .reason = FG_DROP_POLICY,
		.sport = htons(40000), .dport = htons(23),
		.src = { 10, 99, 1, 1 }, .dst = { 10, 99, 1, 2 },
	};
	struct ev_case c = { &e, sizeof(e), 1 };
	char *got = capture(write_event, &c);

	assert_int_equal(c.ret, 0);
	assert_string_equal(got,
		"{\"ts\":\"2026-12-02T12:38:30.123456Z\",\"type\":\"deny\","
		"\"iface\":\"veth0\",\"ifindex\":7,\"hook\":\"ingress\","
		"\"family\":\"ipv4\",\"src\":\"10.99.1.1\",\"dst\":\"10.99.1.2\","
		"\"sport\":40000,\"dport\":23,\"proto\":\"tcp\","
		"\"rule\":\"no-\\\"telnet\\\"\",\"generation\":3,"
		"\"verdict\":\"deny\",\"reason\":\"policy\"}\n");
	free(got);

	/* The same denial in monitor mode: delivered, "would_deny". */
	e.flags = FG_EV_F_MONITOR;
	got = capture(write_event, &c);
	assert_int_equal(c.ret, 0);
	assert_non_null(strstr(got, "\"generation\":3,"
			       "\"verdict\":\"would_deny\",\"reason\":\"policy\"}\n"));
	free(got);

	/* A malformed non-IP frame: no addresses, no rule, unknown iface. */
	memset(&e, 0, sizeof(e));
	e.ts_ns = 1000000000ULL;
	e.ifindex = 9;
	e.rule = ~0U;
	e.type = FG_EV_MALFORMED;
	e.hook = FG_HOOK_EGRESS;
	e.reason = FG_DROP_L2_TRUNC;
	got = capture(write_event, &c);
	assert_int_equal(c.ret, 0);
	assert_string_equal(got,
		"{\"ts\":\"2026-12-02T12:38:30.000000Z\",\"type\":\"malformed\","
		"\"iface\":null,\"ifindex\":9,\"hook\":\"egress\",\"family\":null,"
		"\"src\":null,\"dst\":null,\"sport\":null,\"dport\":null,"
		"\"proto\":null,\"rule\":null,\"generation\":0,"
		"\"verdict\":\"deny\",\"reason\":\"l2_truncated\"}\n");
	free(got);

	/* A record of the wrong size is refused, nothing written. */
	c.size = sizeof(e) - 1;
	got = capture(write_event, &c);
	assert_int_equal(c.ret, -EINVAL);
	assert_string_equal(got, "");
	free(got);
}

/* ---- command output ---- */

static void test_evicted(void **state)
{
	assert_int_equal(fg_flows_evicted(100, 30, 50), 20);
	assert_int_equal(fg_flows_evicted(100, 30, 70), 0);
	assert_int_equal(fg_flows_evicted(100, 60, 70), 0);	/* racy count */
	assert_int_equal(fg_flows_evicted(100, 0, -1), 100);	/* count failed */
}

static void render_stats_json(FILE *f, const void *arg)
{
	fg_render_stats(f, arg, true, false);
}

static void test_stats_json(void **state)
{
	struct fg_stats_rule rules[] = {
		{ "http", "allow", false, false, 10, 1000 },
		{ "default", "deny", true, false, 3, 180 },
	};
	struct fg_stats_iface ifs[] = { { .name = "veth0", .ifindex = 4 } };
	struct fg_stats_snap s = {
		.generation = 2, .rules = rules, .n_rules = 2, .ifaces = ifs,
		.n_ifaces = 1, .flow_entries = 5, .flow_size = 1024,
		.gc_deleted = 2,
	};
	char *got, want[256];

	s.cnt.verdict[FG_VERDICT_ALLOW] = 10;
	s.cnt.drop[FG_DROP_POLICY] = 3;
	s.cnt.cnt[FG_CNT_FLOW_NEW] = 9;
	s.cnt.cnt[FG_CNT_FLOW_PICKUP] = 1;
	s.cnt.cnt[FG_CNT_FLOW_DELETE] = 1;
	ifs[0].c.packets[FG_HOOK_EGRESS] = 6;
	got = capture(render_stats_json, &s);
	assert_non_null(strstr(got, "{\"generation\":2,\"rules\":[{\"name\":\"http\","
				    "\"action\":\"allow\",\"default\":false,\"failsafe\":false,"
				    "\"packets\":10,\"bytes\":1000},{\"name\":\"default\""));
	assert_non_null(strstr(got, "\"verdicts\":{\"allow\":10,\"deny\":0,"));
	assert_non_null(strstr(got, "\"drops\":{\"policy\":3,\"flow_denied\":0,"));
	/* every reason, up to the last one appended */
	snprintf(want, sizeof(want), "\"%s\":0}", fg_drop_name(FG_DROP_MAX - 1));
	assert_non_null(strstr(got, want));
	assert_non_null(strstr(got, "\"egress\":{\"packets\":6,\"bytes\":0,\"dropped\":0}"));
	/* inserted 10, deleted 1 + 2, present 5: 2 evicted */
	snprintf(want, sizeof(want), "\"flows\":{\"entries\":5,\"size\":1024,"
		 "\"inserted\":10,\"deleted\":3,\"evicted\":2}}\n");
	assert_non_null(strstr(got, want));
	free(got);
}

static void render_flows(FILE *f, const void *arg)
{
	const struct fg_flows_snap *s = arg;

	fg_render_flows(f, s, s->total == 99, false);
}

static void test_flows_output(void **state)
{
	struct fg_flow_row row = { 0 };
	struct fg_flows_snap s = { &row, 1, 99, 10000000000ULL };
	char *got;

	/* Key: lo = 10.0.0.1:7000 (responder), hi = 10.0.0.2:40000 (initiator). */
	row.k.family = AF_INET;
	row.k.proto = 6;
	memcpy(row.k.addr_lo, "\x0a\x00\x00\x01", 4);
	memcpy(row.k.addr_hi, "\x0a\x00\x00\x02", 4);
	row.k.port_lo = htons(7000);
	row.k.port_hi = htons(40000);
	row.f.flags = 0;	/* initiator is the hi side */
	row.f.state = FG_STATE_ESTABLISHED;
	row.f.action = FG_ACTION_ALLOW;
	row.f.created_ns = 4000000000ULL;
	row.f.last_ns = 9000000000ULL;
	row.f.packets[0] = 3;
	row.f.packets[1] = 2;
	row.f.bytes[0] = 300;
	row.f.bytes[1] = 200;
	row.f.gen = 1;
	row.rule = "echo";
	got = capture(render_flows, &s);
	assert_string_equal(got,
		"[{\"family\":\"ipv4\",\"proto\":\"tcp\","
		"\"initiator\":{\"addr\":\"10.0.0.2\",\"port\":40000},"
		"\"responder\":{\"addr\":\"10.0.0.1\",\"port\":7000},"
		"\"state\":\"established\",\"verdict\":\"allow\",\"rule\":\"echo\","
		"\"app\":null,\"inspect\":\"none\",\"generation\":1,\"iface\":null,\"pickup\":false,\"monitor\":false,"
		"\"packets\":{\"orig\":3,\"reply\":2},\"bytes\":{\"orig\":300,\"reply\":200},"
		"\"age_seconds\":6.000,\"idle_seconds\":1.000}]\n");
	free(got);

	/* Text: initiator from the INIT_LO flag, truncation said. */
	row.f.flags = FG_FLOW_F_INIT_LO;
	s.total = 2;
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "proto  initiator      responder       state"));
	assert_non_null(strstr(got, "tcp    10.0.0.1:7000  10.0.0.2:40000  established  allow    echo  "));
	assert_non_null(strstr(got, "rule  app  inspect"));
	assert_non_null(strstr(got, "echo  -    -      "));	/* never inspected */
	assert_non_null(strstr(got, "3/2"));
	assert_non_null(strstr(got, "1 of 2 flows shown"));
	free(got);

	/* A flow that monitor mode allowed: the text shows would_deny, the
	 * JSON keeps its verdict and says monitor. */
	row.f.flags |= FG_FLOW_F_MONITOR;
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "established  would_deny  echo"));
	free(got);
	s.total = 99;
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "\"verdict\":\"allow\""));
	assert_non_null(strstr(got, "\"pickup\":false,\"monitor\":true,"));
	free(got);
	row.f.flags &= ~FG_FLOW_F_MONITOR;
	s.total = 2;

	/* Inspected: the app the inspector identified and its state; one
	 * still pending and not identified is "unknown". */
	row.f.action = FG_ACTION_INSPECT;
	row.f.inspect_state = FG_INSPECT_PENDING;
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "inspect  echo  unknown  pending"));
	free(got);
	row.f.action = FG_ACTION_ALLOW;
	row.f.inspect_state = FG_INSPECT_DONE;
	row.f.app_id = FG_APP_HTTP;
	s.total = 99;
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "\"rule\":\"echo\",\"app\":\"http\",\"inspect\":\"done\","));
	free(got);
	row.f.inspect_state = 7;	/* out of range: shown, not trusted */
	got = capture(render_flows, &s);
	assert_non_null(strstr(got, "\"inspect\":\"?\""));
	free(got);
}

static void render_status_json(FILE *f, const void *arg)
{
	fg_render_status(f, arg, true, false);
}

static void test_status_json(void **state)
{
	struct fg_status_iface ifs[] = { {
		.name = "veth0", .ifindex = 4, .xdp_mode = "native",
		.xdp_dispatcher = true, .xdp_prog_id = 42, .tc_egress_prog_id = 43,
	} };
	struct fg_status_snap s = {
		.pid = 123, .socket = "/s", .policy_file = "/p.yaml",
		.policy_hash = "abcdef0123456789", .default_action = "deny",
		.rules = 6, .compiled_rules = 7, .generation = 2, .reloads = 1,
		.flow_entries = 256, .flow_size = 1024, .max_rules = 100,
		.ifaces = ifs, .n_ifaces = 1,
	};
	char *got = capture(render_status_json, &s);

	assert_non_null(strstr(got, "\"generation\":2,"));
	assert_non_null(strstr(got, "\"policy\":{\"file\":\"/p.yaml\",\"hash\":\"abcdef0123456789\","
				    "\"hash_algorithm\":\"sha256\",\"rules\":6,\"compiled_rules\":7,"
				    "\"default\":\"deny\"}"));
	assert_non_null(strstr(got, "\"flow_entries\":256,\"flow_table_size\":1024,"
				    "\"flow_fill_percent\":25.00"));
	assert_non_null(strstr(got, "\"interfaces\":[{\"name\":\"veth0\",\"ifindex\":4,"
				    "\"xdp_mode\":\"native\",\"xdp_dispatcher\":true,"
				    "\"xdp_prog_id\":42,\"tc_ingress_prog_id\":null,"
				    "\"tc_egress_prog_id\":43}]}\n"));
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_json_error),
		cmocka_unit_test(test_parse_run),
		cmocka_unit_test(test_parse_cmd),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_ctl_request),
		cmocka_unit_test(test_ctl_request_malformed),
		cmocka_unit_test(test_ctl_response),
		cmocka_unit_test(test_ctl_socket),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_event_json),
		cmocka_unit_test(test_evicted),
		cmocka_unit_test(test_stats_json),
		cmocka_unit_test(test_flows_output),
		cmocka_unit_test(test_status_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
