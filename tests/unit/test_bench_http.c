// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_bench_http.c - the HTTP load server and client of `flowgate bench`
 * (bench_http.c) over loopback: requests and body bytes counted on both
 * sides, IPv4 and IPv6, bodies of 0 bytes and larger than the server's
 * in-memory chunk, pipelining, rejected requests, and every way a client
 * must fail quickly instead of hanging (refused, no answer, bad status).
 * One case runs the server in a fresh network namespace (root only,
 * skipped otherwise) and checks the caller's namespace is kept.
 *
 * `test_bench_http --measure [SECS]` does no test: it prints the loopback
 * throughput of the pair, the ceiling of the instrument on this machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "bench_exec.h"
#include "bench_http.h"

/* Serve body_len bytes on 127.0.0.1 (or ::1), any port. */
static struct fg_bench_http_srv *serve(int family, size_t body_len)
{
	struct fg_bench_http_srv *s = NULL;

	assert_int_equal(fg_bench_http_serve(&s, -1, family,
					     family == AF_INET ? "127.0.0.1" : "::1",
					     0, body_len), 0);
	assert_non_null(s);
	assert_int_not_equal(fg_bench_http_srv_port(s), 0);
	return s;
}

/* Load, stop, and check both sides counted the same requests. */
static void load_and_check(int family, size_t body_len, int conns)
{
	struct fg_bench_http_srv *s = serve(family, body_len);
	struct fg_bench_http_load l;
	int rc;

	rc = fg_bench_http_load(-1, family, family == AF_INET ? "127.0.0.1" :
				"::1", fg_bench_http_srv_port(s), "bench.test",
				"/file", conns, 0.3, &l);
	fg_bench_http_srv_stop(s);
	if (rc)
		fail_msg("load: %s (%d)", l.err, rc);
	assert_int_equal(l.errors, 0);
	assert_string_equal(l.err, "");
	assert_true(l.requests >= (__u64)conns);
	assert_true(l.bytes == l.requests * body_len);
	assert_true(l.secs >= 0.3 && l.secs < 0.3 + FG_BENCH_HTTP_TIMEOUT_S);
}

static void test_ipv4(void **state)
{
	load_and_check(AF_INET, 100000, 2);
}

static void test_ipv6(void **state)
{
	load_and_check(AF_INET6, 1000, 1);
}

static void test_empty_body(void **state)
{
	load_and_check(AF_INET, 0, 1);
}

/* Larger than the 1 MiB the server keeps: the chunk is sent repeatedly. */
static void test_large_body(void **state)
{
	load_and_check(AF_INET, (3u << 20) + 7, 2);
}

/* Both sides count the same requests. */
static void test_server_count(void **state)
{
	struct fg_bench_http_srv *s = serve(AF_INET, 5000);
	struct fg_bench_http_load l;
	double t0;

	assert_int_equal(fg_bench_http_srv_requests(s), 0);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1",
					    fg_bench_http_srv_port(s), "h",
					    "/", 3, 0.2, &l), 0);
	assert_true(l.requests > 0);
	/* The client has read every body it counted, so the server's sends
	 * have returned; only the increment after each may still be due. */
	t0 = fg_exec_now();
	while (fg_bench_http_srv_requests(s) < l.requests &&
	       fg_exec_now() - t0 < 2)
		usleep(1000);
	assert_int_equal(fg_bench_http_srv_requests(s), l.requests);
	fg_bench_http_srv_stop(s);
}

/* A free port: bound, read back, closed (nothing listens there after). */
static __u16 free_port(int *lfd_out, int listen_backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, al), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	if (listen_backlog)
		assert_int_equal(listen(fd, listen_backlog), 0);
	if (lfd_out)
		*lfd_out = fd;
	else
		close(fd);
	return ntohs(a.sin_port);
}

static void test_refused(void **state)
{
	struct fg_bench_http_load l;
	__u16 port = free_port(NULL, 0);
	double t0 = fg_exec_now();

	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", port,
					    "h", "/", 2, 5, &l),
			 -ECONNREFUSED);
	assert_true(fg_exec_now() - t0 < 1);
	assert_non_null(strstr(l.err, "connect to 127.0.0.1"));
	assert_int_equal(l.requests, 0);
}

/* The kernel completes the handshake but nobody ever answers: the client
 * gives up after its timeout instead of hanging. */
static void test_no_answer(void **state)
{
	struct fg_bench_http_load l;
	int lfd;
	__u16 port = free_port(&lfd, 16);
	double t0 = fg_exec_now(), dt;

	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", port,
					    "h", "/", 1, 0.1, &l),
			 -ETIMEDOUT);
	dt = fg_exec_now() - t0;
	close(lfd);
	assert_true(dt >= FG_BENCH_HTTP_TIMEOUT_S - 0.1);
	assert_true(dt < FG_BENCH_HTTP_TIMEOUT_S + 1);
	assert_true(l.errors >= 1);
	assert_non_null(strstr(l.err, "timed out"));
}

struct bad_server {
	int lfd;
	const char *answer;
};

/* Accept one connection, stop listening, read the request, answer. */
static void *bad_server_main(void *arg)
{
	struct bad_server *b = arg;
	char buf[1024];
	int fd = accept(b->lfd, NULL, NULL);

	close(b->lfd);
	if (fd < 0)
		return NULL;
	if (recv(fd, buf, sizeof(buf), 0) > 0)
		send(fd, b->answer, strlen(b->answer), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

/* One answer of a misbehaving server: the load fails with `expect`. */
static void bad_answer(const char *answer, const char *expect)
{
	struct bad_server b = { .answer = answer };
	struct fg_bench_http_load l;
	__u16 port = free_port(&b.lfd, 4);
	pthread_t thr;
	int rc;

	assert_int_equal(pthread_create(&thr, NULL, bad_server_main, &b), 0);
	rc = fg_bench_http_load(-1, AF_INET, "127.0.0.1", port, "h", "/",
				1, 0.1, &l);
	pthread_join(thr, NULL);
	assert_true(rc < 0);
	assert_int_equal(l.requests, 0);
	assert_true(l.errors >= 1);
	if (!strstr(l.err, expect))
		fail_msg("error \"%s\", expected \"%s\"", l.err, expect);
}

static void test_bad_responses(void **state)
{
	bad_answer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		   "status 404");
	bad_answer("HTTP/1.1 200 OK\r\n\r\n", "without Content-Length");
	bad_answer("HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n",
		   "bad Content-Length");
	bad_answer("SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP/1 response");
	bad_answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		   "response body: closed by the server");
	bad_answer("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nabc",
		   "longer than its Content-Length");
	bad_answer("", "response: closed by the server");
}

static void test_bad_params(void **state)
{
	struct fg_bench_http_load l;

	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80, "h",
					    "/", 0, 1, &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80, "h",
					    "/", FG_BENCH_HTTP_MAX_CONNS + 1, 1,
					    &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80, "h",
					    "x", 1, 1, &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80,
					    "a b", "/", 1, 1, &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80, "h",
					    "/a\r\nX: y", 1, 1, &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1", 80, "h",
					    "/", 1, 0, &l), -EINVAL);
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "::1", 80, "h",
					    "/", 1, 1, &l), -EINVAL);
	assert_string_not_equal(l.err, "");
}

/* Send `req` on a fresh connection, shut our side, collect the answer. */
static size_t raw_exchange(__u16 port, const char *req, char *out,
			   size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 2 };
	size_t len = 0;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	shutdown(fd, SHUT_WR);
	while (len < size - 1 &&
	       (n = recv(fd, out + len, size - 1 - len, 0)) > 0)
		len += n;
	out[len] = '\0';
	close(fd);
	return len;
}

static void test_server_requests(void **state)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n"
		"Content-Type: application/octet-stream\r\n"
		"Content-Length: 30\r\n\r\n";
	struct fg_bench_http_srv *s = serve(AF_INET, 30);
	__u16 port = fg_bench_http_srv_port(s);
	char out[1024];
	size_t len;

	len = raw_exchange(port, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", out,
			   sizeof(out));
	assert_int_equal(len, strlen(head) + 30);
	assert_memory_equal(out, head, strlen(head));
	assert_memory_equal(out + strlen(head), "abcdefghijklmnopqrstuvwxyzabcd",
			    30);
	/* Two pipelined requests, the second one closing. */
	len = raw_exchange(port, "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
			   "GET /b HTTP/1.1\r\nhost: h\r\nConnection: close\r\n\r\n",
			   out, sizeof(out));
	assert_non_null(strstr(out + strlen(head) + 30,
			       "Connection: close\r\n"));
	assert_int_equal(len, 2 * (strlen(head) + 30) +
			 strlen("Connection: close\r\n"));
	raw_exchange(port, "POST / HTTP/1.1\r\nHost: h\r\n\r\n", out,
		     sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 405 "));
	raw_exchange(port, "GET / HTTP/1.1\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	raw_exchange(port, "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5"
		     "\r\n\r\nhello", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	raw_exchange(port, "hello\r\n\r\n", out, sizeof(out));
	assert_non_null(strstr(out, "HTTP/1.1 400 "));
	assert_int_equal(fg_bench_http_srv_requests(s), 3);
	fg_bench_http_srv_stop(s);
}

/* A client that asked for a big body and reads nothing: the server
 * thread is blocked in send(), and stop() still returns at once. */
static void test_stop_while_sending(void **state)
{
	struct fg_bench_http_srv *s = serve(AF_INET, 256u << 20);
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(fg_bench_http_srv_port(s)) };
	const char *req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	double t0;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	usleep(200000);		/* the socket buffers fill up */
	t0 = fg_exec_now();
	fg_bench_http_srv_stop(s);
	assert_true(fg_exec_now() - t0 < 1);
	close(fd);
}

/* ---- in another network namespace (root) ---- */

/* Runs on its own thread: the unshare() does not move the test's. */
static void *new_netns(void *arg)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int *fd = arg, s;

	*fd = -1;
	if (unshare(CLONE_NEWNET))
		return NULL;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		return NULL;
	ifr.ifr_flags |= IFF_UP;
	if (!ioctl(s, SIOCSIFFLAGS, &ifr))
		*fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	close(s);
	return NULL;
}

static ino_t my_netns(void)
{
	struct stat st;

	assert_int_equal(stat("/proc/thread-self/ns/net", &st), 0);
	return st.st_ino;
}

static void test_other_netns(void **state)
{
	struct fg_bench_http_srv *s = NULL;
	struct fg_bench_http_load l;
	ino_t here = my_netns();
	pthread_t thr;
	int ns = -1;

	if (geteuid()) {
		skip();
		return;
	}
	assert_int_equal(pthread_create(&thr, NULL, new_netns, &ns), 0);
	pthread_join(thr, NULL);
	if (ns < 0)
		fail_msg("could not create a network namespace as root");
	assert_int_equal(fg_bench_http_serve(&s, ns, AF_INET, "127.0.0.1", 0,
					     1000), 0);
	assert_true(my_netns() == here);
	assert_int_equal(fg_bench_http_load(ns, AF_INET, "127.0.0.1",
					    fg_bench_http_srv_port(s), "h",
					    "/", 2, 0.1, &l), 0);
	assert_true(my_netns() == here);
	assert_true(l.requests > 0 && l.errors == 0);
	/* From here the port is someone else's loopback: nothing there. */
	assert_int_equal(fg_bench_http_load(-1, AF_INET, "127.0.0.1",
					    fg_bench_http_srv_port(s), "h",
					    "/", 1, 0.1, &l), -ECONNREFUSED);
	fg_bench_http_srv_stop(s);
	/* A namespace fd that is not one: refused, and we stay here. */
	assert_true(fg_bench_http_load(0, AF_INET, "127.0.0.1", 80, "h", "/",
				       1, 0.1, &l) < 0);
	assert_true(my_netns() == here);
	close(ns);
}

/* ---- --measure ---- */

static int measure(double secs)
{
	static const struct { size_t body; int conns; } runs[] = {
		{ 1024, 1 }, { 1024, 2 }, { 100 << 10, 1 }, { 10 << 20, 1 },
		{ 10 << 20, 2 },
	};
	struct fg_bench_http_srv *s;
	struct fg_bench_http_load l;
	size_t i;
	int err;

	printf("loopback, %.1f s each: body bytes, connections, requests/s, "
	       "body GB/s\n", secs);
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		err = fg_bench_http_serve(&s, -1, AF_INET, "127.0.0.1", 0,
					  runs[i].body);
		if (err) {
			fprintf(stderr, "serve: %s\n", strerror(-err));
			return 1;
		}
		err = fg_bench_http_load(-1, AF_INET, "127.0.0.1",
					 fg_bench_http_srv_port(s), "bench",
					 "/", runs[i].conns, secs, &l);
		fg_bench_http_srv_stop(s);
		if (err) {
			fprintf(stderr, "load: %s\n", l.err);
			return 1;
		}
		printf("%9zu %d %10.0f %7.2f  (errors %llu)\n", runs[i].body,
		       runs[i].conns, l.requests / l.secs, l.bytes / l.secs / 1e9,
		       (unsigned long long)l.errors);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_empty_body),
		cmocka_unit_test(test_large_body),
		cmocka_unit_test(test_server_count),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_answer),
		cmocka_unit_test(test_bad_responses),
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_server_requests),
		cmocka_unit_test(test_stop_while_sending),
		cmocka_unit_test(test_other_netns),
	};

	if (argc > 1 && !strcmp(argv[1], "--measure"))
		return measure(argc > 2 ? atof(argv[2]) : 3);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
