/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_http.h - HTTP/1.1 load for `flowgate bench`: a keep-alive server
 * that answers every GET with a fixed-size body from memory, and a client
 * that sends GETs back to back on a few keep-alive connections and counts
 * what comes back. A measuring instrument: both ends avoid copies they do
 * not need, so the path between them is the bottleneck, not they.
 *
 * The requests are well-formed HTTP/1.1 (request line, Host, keep-alive),
 * since flowgate's L7 engine parses them; the client checks every
 * response's status line and Content-Length.
 *
 * Sockets are created in the namespace given (setns on the creating thread
 * and back); the calling thread's namespace is the same on return as on
 * entry, on every path. Nothing here logs: errors are returned.
 */
#ifndef FG_BENCH_HTTP_H
#define FG_BENCH_HTTP_H

#include <stddef.h>
#include <linux/types.h>

#define FG_BENCH_HTTP_MAX_CONNS		64	/* client and server */
/* A response not complete after this long, or a connect not answered,
 * counts as an error: a firewall that drops the traffic cannot hang us. */
#define FG_BENCH_HTTP_TIMEOUT_S		2

struct fg_bench_http_srv;

/*
 * HTTP/1.1 server in namespace ns_fd (-1: the caller's), on addr:port of
 * family (AF_INET/AF_INET6; addr NULL: any address, port 0: any port, see
 * fg_bench_http_srv_port()): every GET gets a 200 with a body of body_len
 * bytes, keep-alive. Anything else gets a 400 or 405 and the connection
 * is closed. One thread per connection.
 */
int fg_bench_http_serve(struct fg_bench_http_srv **out, int ns_fd, int family,
			const char *addr, __u16 port, size_t body_len);
/* The port it listens on (host order). */
__u16 fg_bench_http_srv_port(const struct fg_bench_http_srv *s);
/* Requests answered with a 200 so far. */
__u64 fg_bench_http_srv_requests(const struct fg_bench_http_srv *s);
/* Close every socket and join every thread. Safe on NULL. */
void fg_bench_http_srv_stop(struct fg_bench_http_srv *s);

struct fg_bench_http_load {
	__u64 requests;		/* responses 200 with the whole body */
	__u64 bytes;		/* their body bytes */
	__u64 errors;		/* bad or missing responses, failed
				 * (re)connects */
	double secs;		/* from the first request to the last
				 * connection's end */
	char err[128];		/* the first error, "" if none */
};

/*
 * Client: from namespace ns_fd (-1: the caller's), `conns` keep-alive
 * connections to addr:port, each sending GET `path` (Host: host) back to
 * back for `duration` s. A connection that fails counts an error and is
 * reopened. Returns 0 when at least one request succeeded (out->errors
 * may still be non-zero), or -errno: bad arguments (-EINVAL), no
 * connection could be opened, or no request succeeded; out->err says why.
 */
int fg_bench_http_load(int ns_fd, int family, const char *addr, __u16 port,
		       const char *host, const char *path, int conns,
		       double duration, struct fg_bench_http_load *out);

#endif /* FG_BENCH_HTTP_H */
