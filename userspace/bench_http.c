// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_http.c - HTTP/1.1 keep-alive server and load client of
 * `flowgate bench` (see bench_http.h).
 *
 * The server keeps one chunk of the body in memory (at most CHUNK_MAX
 * bytes, repeated for larger bodies) and sends the header and body with
 * sendmsg(), so a response costs no copy in user space. The client reads
 * each body into one large buffer and drops it. One thread per connection
 * on both sides; the server's threads wait in poll() on their socket and
 * an eventfd that stop() signals, and stop() shuts every socket down so a
 * thread blocked in send() returns too.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "bench_exec.h"
#include "bench_http.h"

#define CHUNK_MAX	(1u << 20)	/* body bytes kept in memory */
#define REQ_MAX		8192		/* request head, server side */
#define HEAD_MAX	8192		/* response head, client side */
#define RECV_BUF	(256u << 10)	/* client's body buffer */

/* A socket of `type` in namespace ns_fd (-1: this thread's). The thread
 * goes there and back: a socket stays in the namespace it was made in. */
static int socket_in_ns(int ns_fd, int family, int type)
{
	int orig, fd, err;

	if (ns_fd < 0) {
		fd = socket(family, type | SOCK_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET)) {
		err = -errno;
		close(orig);
		return err;
	}
	fd = socket(family, type | SOCK_CLOEXEC, 0);
	err = fd < 0 ? -errno : 0;
	if (setns(orig, CLONE_NEWNET) && !err) {
		err = -errno;
		close(fd);
	}
	close(orig);
	return err ? err : fd;
}

/* addr (NULL: any) and port into sa; 0, -EINVAL or -EAFNOSUPPORT. */
static int make_addr(int family, const char *addr, __u16 port,
		     struct sockaddr_storage *sa, socklen_t *len)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
	void *ip;

	memset(sa, 0, sizeof(*sa));
	sa->ss_family = family;
	if (family == AF_INET) {
		s4->sin_port = htons(port);
		ip = &s4->sin_addr;
		*len = sizeof(*s4);
	} else if (family == AF_INET6) {
		s6->sin6_port = htons(port);
		ip = &s6->sin6_addr;
		*len = sizeof(*s6);
	} else {
		return -EAFNOSUPPORT;
	}
	return !addr || inet_pton(family, addr, ip) == 1 ? 0 : -EINVAL;
}

/* ---- server ---- */

struct srv_conn {
	struct srv_conn *next;
	struct fg_bench_http_srv *s;
	pthread_t thr;
	int fd;
	bool done;		/* the thread returned: join it */
};

struct fg_bench_http_srv {
	int lfd, stop_fd;
	__u16 port;
	size_t body_len;
	char *chunk;
	size_t chunk_len;
	__u64 requests;
	pthread_t acceptor;
	pthread_mutex_t lock;	/* conns, n_conns, done */
	struct srv_conn *conns;
	int n_conns;
};

/* Send the head, then body_len bytes of the chunk repeated. 0 or -errno. */
static int send_response(const struct fg_bench_http_srv *s, int fd,
			 const char *head, size_t head_len, size_t body_len)
{
	size_t body_off = 0, head_off = 0, chunk_off;
	struct msghdr msg = { 0 };
	struct iovec iov[2];
	ssize_t n;

	while (head_off < head_len || body_off < body_len) {
		msg.msg_iov = iov;
		msg.msg_iovlen = 0;
		if (head_off < head_len) {
			iov[msg.msg_iovlen].iov_base = (char *)head + head_off;
			iov[msg.msg_iovlen++].iov_len = head_len - head_off;
		}
		if (body_off < body_len) {
			chunk_off = body_off % s->chunk_len;
			iov[msg.msg_iovlen].iov_base = s->chunk + chunk_off;
			iov[msg.msg_iovlen].iov_len = s->chunk_len - chunk_off;
			if (iov[msg.msg_iovlen].iov_len > body_len - body_off)
				iov[msg.msg_iovlen].iov_len = body_len - body_off;
			msg.msg_iovlen++;
		}
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (head_off < head_len) {
			size_t h = head_len - head_off;

			if ((size_t)n < h) {
				head_off += n;
				continue;
			}
			head_off = head_len;
			n -= h;
		}
		body_off += n;
	}
	return 0;
}

/* Answer with an error status; the caller closes. Returns 0 for
 * serve_one(): the connection is done either way. */
static int reject(int fd, const char *status)
{
	char head[160];
	int len;

	len = snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nContent-Length: 0"
		       "\r\nConnection: close\r\n\r\n", status);
	send(fd, head, len, MSG_NOSIGNAL);	/* closing anyway */
	return 0;
}

/* Value of header `name` in the head [p, end) (after the request line),
 * or NULL; *vlen its length, surrounding blanks left out. */
static const char *header(const char *p, const char *end, const char *name,
			  size_t *vlen)
{
	size_t nl = strlen(name);
	const char *eol, *v;

	for (; p < end; p = eol + 2) {
		eol = memmem(p, end - p, "\r\n", 2);
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    !strncasecmp(p, name, nl)) {
			v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = eol - v;
			while (*vlen && (v[*vlen - 1] == ' ' ||
					 v[*vlen - 1] == '\t'))
				(*vlen)--;
			return v;
		}
	}
	return NULL;
}

static bool value_is(const char *v, size_t len, const char *word)
{
	return v && len == strlen(word) && !strncasecmp(v, word, len);
}

/*
 * Answer the request whose head is [req, req + len) (ending with the blank
 * line). 1: keep the connection, 0: close it, or -errno.
 */
static int serve_one(struct fg_bench_http_srv *s, int fd, const char *req,
		     size_t len)
{
	const char *end = req + len, *eol, *sp1, *sp2, *v;
	char head[256];
	bool keep;
	size_t vl;
	int hl, err;

	eol = memmem(req, len, "\r\n", 2);
	sp1 = memchr(req, ' ', eol - req);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', eol - sp1 - 1) : NULL;
	if (!sp1 || !sp2 || sp2 == sp1 + 1 || sp1[1] != '/' ||
	    (eol - sp2 != 9) || strncmp(sp2 + 1, "HTTP/1.", 7) ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return reject(fd, "400 Bad Request");
	if (sp1 - req != 3 || strncmp(req, "GET", 3))
		return reject(fd, "405 Method Not Allowed");
	/* No request bodies here: a GET with one would desynchronise us. */
	if (header(eol + 2, end, "Transfer-Encoding", &vl) ||
	    ((v = header(eol + 2, end, "Content-Length", &vl)) &&
	     !value_is(v, vl, "0")))
		return reject(fd, "400 Bad Request");
	keep = sp2[8] == '1';
	if (keep && !header(eol + 2, end, "Host", &vl))
		return reject(fd, "400 Bad Request");
	v = header(eol + 2, end, "Connection", &vl);
	if (value_is(v, vl, "close"))
		keep = false;
	else if (value_is(v, vl, "keep-alive"))
		keep = true;

	hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		      "Content-Type: application/octet-stream\r\n"
		      "Content-Length: %zu\r\n%s\r\n", s->body_len,
		      keep ? "" : "Connection: close\r\n");
	err = send_response(s, fd, head, hl, s->body_len);
	if (err)
		return err;
	__atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
	return keep;
}

/* Wait until fd has input: false once stop() was called (or poll fails). */
static bool wait_input(const struct fg_bench_http_srv *s, int fd)
{
	struct pollfd pfd[2] = {
		{ .fd = fd, .events = POLLIN },
		{ .fd = s->stop_fd, .events = POLLIN },
	};

	for (;;) {
		if (poll(pfd, 2, -1) >= 0)
			return !pfd[1].revents;
		if (errno != EINTR)
			return false;
	}
}

static void *conn_main(void *arg)
{
	struct srv_conn *c = arg;
	struct fg_bench_http_srv *s = c->s;
	char buf[REQ_MAX];
	size_t len = 0, used;
	const char *end;
	ssize_t n;
	int r = 1;

	while (r > 0 && wait_input(s, c->fd)) {
		n = recv(c->fd, buf + len, sizeof(buf) - len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
		/* Every complete request in the buffer (pipelining). */
		while (r > 0 && (end = memmem(buf, len, "\r\n\r\n", 4))) {
			used = end + 4 - buf;
			r = serve_one(s, c->fd, buf, used);
			memmove(buf, buf + used, len - used);
			len -= used;
		}
		if (r > 0 && len == sizeof(buf)) {
			reject(c->fd, "431 Request Header Fields Too Large");
			break;
		}
	}
	/* The peer sees the end now; the fd is closed when the thread is
	 * joined, so stop() never shuts down a number reused meanwhile. */
	shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_lock(&s->lock);
	c->done = true;
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

static void conn_free(struct srv_conn *c)
{
	pthread_join(c->thr, NULL);
	close(c->fd);
	free(c);
}

/* Join the threads of closed connections. Called with s->lock held. */
static void reap_done(struct fg_bench_http_srv *s)
{
	struct srv_conn **pp = &s->conns, *c;

	while ((c = *pp)) {
		if (c->done) {
			*pp = c->next;
			s->n_conns--;
			conn_free(c);
		} else {
			pp = &c->next;
		}
	}
}

static void *accept_main(void *arg)
{
	struct fg_bench_http_srv *s = arg;
	struct srv_conn *c;
	int fd;

	while (wait_input(s, s->lfd)) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;	/* aborted before accepted, EMFILE */
		pthread_mutex_lock(&s->lock);
		reap_done(s);
		c = s->n_conns < FG_BENCH_HTTP_MAX_CONNS ?
		    calloc(1, sizeof(*c)) : NULL;
		if (c) {
			c->s = s;
			c->fd = fd;
			if (pthread_create(&c->thr, NULL, conn_main, c)) {
				free(c);
				c = NULL;
			}
		}
		if (c) {
			c->next = s->conns;
			s->conns = c;
			s->n_conns++;
		} else {
			close(fd);	/* over the limit: the client sees EOF */
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

static void srv_free(struct fg_bench_http_srv *s)
{
	if (s->lfd >= 0)
		close(s->lfd);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	pthread_mutex_destroy(&s->lock);
	free(s->chunk);
	free(s);
}

int fg_bench_http_serve(struct fg_bench_http_srv **out, int ns_fd, int family,
			const char *addr, __u16 port, size_t body_len)
{
	struct fg_bench_http_srv *s;
	struct sockaddr_storage sa;
	socklen_t sl;
	size_t i;
	int one = 1, err;

	*out = NULL;
	err = make_addr(family, addr, port, &sa, &sl);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lfd = s->stop_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->body_len = body_len;
	s->chunk_len = body_len < CHUNK_MAX ? (body_len ?: 1) : CHUNK_MAX;
	s->chunk = malloc(s->chunk_len);
	if (!s->chunk) {
		err = -ENOMEM;
		goto out_free;
	}
	/* Printable, so a body dumped while debugging reads as text. */
	for (i = 0; i < s->chunk_len; i++)
		s->chunk[i] = (char)('a' + i % 26);
	s->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (s->stop_fd < 0) {
		err = -errno;
		goto out_free;
	}
	s->lfd = socket_in_ns(ns_fd, family, SOCK_STREAM);
	if (s->lfd < 0) {
		err = s->lfd;
		goto out_free;
	}
	if (setsockopt(s->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->lfd, (struct sockaddr *)&sa, sl) ||
	    listen(s->lfd, 128) ||
	    getsockname(s->lfd, (struct sockaddr *)&sa, &sl)) {
		err = -errno;
		goto out_free;
	}
	s->port = ntohs(family == AF_INET ?
			((struct sockaddr_in *)&sa)->sin_port :
			((struct sockaddr_in6 *)&sa)->sin6_port);
	err = -pthread_create(&s->acceptor, NULL, accept_main, s);
	if (err)
		goto out_free;
	*out = s;
	return 0;
out_free:
	srv_free(s);
	return err;
}

__u16 fg_bench_http_srv_port(const struct fg_bench_http_srv *s)
{
	return s->port;
}

__u64 fg_bench_http_srv_requests(const struct fg_bench_http_srv *s)
{
	return __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
}

void fg_bench_http_srv_stop(struct fg_bench_http_srv *s)
{
	__u64 one = 1;
	struct srv_conn *c;

	if (!s)
		return;
	/* The eventfd stays readable: every poller wakes and stops. */
	if (write(s->stop_fd, &one, sizeof(one)) < 0)
		shutdown(s->lfd, SHUT_RDWR);
	pthread_join(s->acceptor, NULL);
	pthread_mutex_lock(&s->lock);
	for (c = s->conns; c; c = c->next)
		shutdown(c->fd, SHUT_RDWR);	/* a send() in progress */
	pthread_mutex_unlock(&s->lock);
	while ((c = s->conns)) {
		s->conns = c->next;
		conn_free(c);
	}
	srv_free(s);
}

/* ---- client ---- */

struct load_ctx {
	int ns_fd, family;
	struct sockaddr_storage sa;
	socklen_t sl;
	char req[512];
	size_t req_len;
	double deadline;
};

struct load_worker {
	const struct load_ctx *x;
	pthread_t thr;
	bool started;
	int fd;
	char *buf;
	__u64 requests, bytes, errors;
	int first_err;		/* -errno of the first error */
	char err[128];
};

/* Count an error, keep the first one's message; returns err. */
static int __attribute__((format(printf, 3, 4)))
worker_error(struct load_worker *w, int err, const char *fmt, ...)
{
	va_list ap;

	w->errors++;
	if (w->first_err)
		return err;
	w->first_err = err;
	va_start(ap, fmt);
	vsnprintf(w->err, sizeof(w->err), fmt, ap);
	va_end(ap);
	return err;
}

/* A connected socket with the time limits set, or -errno. */
static int load_connect(const struct load_ctx *x)
{
	struct timeval tv = { .tv_sec = FG_BENCH_HTTP_TIMEOUT_S };
	int fd, one = 1, err;

	fd = socket_in_ns(x->ns_fd, x->family, SOCK_STREAM);
	if (fd < 0)
		return fd;
	/* SO_SNDTIMEO bounds connect() as well. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		goto out_err;
	if (connect(fd, (struct sockaddr *)&x->sa, x->sl))
		goto out_err;
	return fd;
out_err:
	/* A connect() that timed out says EINPROGRESS. */
	err = errno == EINPROGRESS ? -ETIMEDOUT : -errno;
	close(fd);
	return err;
}

/* recv() up to len bytes: how many came (> 0), or -errno with the error
 * recorded as `what`: the server closed, timed out, or failed. */
static ssize_t load_recv(struct load_worker *w, char *buf, size_t len,
			 const char *what)
{
	ssize_t n;
	int e;

	do
		n = recv(w->fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0)
		return n;
	if (n == 0)
		return worker_error(w, -ECONNRESET, "%s: closed by the server",
				    what);
	e = errno;
	if (e == EAGAIN || e == EWOULDBLOCK)
		return worker_error(w, -ETIMEDOUT, "%s: timed out", what);
	return worker_error(w, -e, "%s: %s", what, strerror(e));
}

/*
 * Check a response head [buf, end) (end: its blank line): HTTP/1.x 200
 * with a Content-Length, into *cl; *keep: the connection stays open.
 * 0 or -EPROTO (error recorded).
 */
static int load_head(struct load_worker *w, const char *buf, const char *end,
		     unsigned long long *cl, bool *keep)
{
	const char *eol = memmem(buf, end + 2 - buf, "\r\n", 2), *v;
	char num[24], *e;
	size_t vl;

	if (eol - buf < 12 || (strncmp(buf, "HTTP/1.1 ", 9) &&
			       strncmp(buf, "HTTP/1.0 ", 9)))
		return worker_error(w, -EPROTO, "not an HTTP/1 response: %.40s",
				    buf);
	if (strncmp(buf + 9, "200", 3) || (eol > buf + 12 && buf[12] != ' '))
		return worker_error(w, -EPROTO, "status %.*s",
				    (int)(eol - buf - 9 < 40 ? eol - buf - 9 : 40),
				    buf + 9);
	v = header(eol + 2, end + 2, "Content-Length", &vl);
	if (!v || !vl || vl >= sizeof(num))
		return worker_error(w, -EPROTO, "response without Content-Length");
	memcpy(num, v, vl);
	num[vl] = '\0';
	errno = 0;
	*cl = strtoull(num, &e, 10);
	if (errno || *e || num[0] < '0' || num[0] > '9')
		return worker_error(w, -EPROTO, "bad Content-Length: %s", num);
	v = header(eol + 2, end + 2, "Connection", &vl);
	*keep = !value_is(v, vl, "close") && !strncmp(buf, "HTTP/1.1", 8);
	return 0;
}

/*
 * Send one request and read its response. 1: done, keep the connection;
 * 0: done, the server closes it; -errno: failed (error recorded).
 */
static int load_one(struct load_worker *w)
{
	const struct load_ctx *x = w->x;
	unsigned long long cl = 0;
	size_t len = 0, have;
	const char *end;
	ssize_t n;
	bool keep = false;
	int err;

	n = send(w->fd, x->req, x->req_len, MSG_NOSIGNAL);
	if (n < 0)
		return worker_error(w, -errno, "sending a request: %s",
				    strerror(errno));
	if (n != (ssize_t)x->req_len)
		return worker_error(w, -EIO, "sending a request: short write");
	/* The head; bytes of the body may come with it. */
	do {
		if (len >= HEAD_MAX)
			return worker_error(w, -EPROTO, "response head over "
					    "%d bytes", HEAD_MAX);
		n = load_recv(w, w->buf + len, RECV_BUF - len, "response");
		if (n < 0)
			return n;
		len += n;
		end = memmem(w->buf, len, "\r\n\r\n", 4);
	} while (!end);
	err = load_head(w, w->buf, end, &cl, &keep);
	if (err)
		return err;
	/* One request in flight: nothing may follow the body. */
	have = len - (end + 4 - w->buf);
	if (have > cl)
		return worker_error(w, -EPROTO, "response longer than its "
				    "Content-Length");
	while (have < cl) {
		n = load_recv(w, w->buf, cl - have < RECV_BUF ? cl - have :
			      RECV_BUF, "response body");
		if (n < 0)
			return n;
		have += n;
	}
	w->requests++;
	w->bytes += cl;
	return keep;
}

static void *load_main(void *arg)
{
	struct load_worker *w = arg;
	int r;

	/* At least one request each: no result without an attempt. */
	do {
		if (w->fd < 0) {
			w->fd = load_connect(w->x);
			if (w->fd < 0) {
				/* Not again: a refusing peer would have us
				 * spin until the deadline. */
				worker_error(w, w->fd, "reconnecting: %s",
					     strerror(-w->fd));
				break;
			}
		}
		r = load_one(w);
		if (r <= 0) {
			close(w->fd);
			w->fd = -1;
		}
	} while (fg_exec_now() < w->x->deadline);
	return NULL;
}

/* Host and path go into the request as they are: no blanks or controls. */
static bool token_ok(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int fg_bench_http_load(int ns_fd, int family, const char *addr, __u16 port,
		       const char *host, const char *path, int conns,
		       double duration, struct fg_bench_http_load *out)
{
	struct load_worker *w;
	struct load_ctx x;
	double t0;
	int i, n, err = 0;

	memset(out, 0, sizeof(*out));
	if (conns < 1 || conns > FG_BENCH_HTTP_MAX_CONNS ||
	    !(duration > 0 && isfinite(duration)) || !token_ok(host) ||
	    !token_ok(path) || path[0] != '/' || !addr) {
		snprintf(out->err, sizeof(out->err), "bad load parameters");
		return -EINVAL;
	}
	memset(&x, 0, sizeof(x));
	x.ns_fd = ns_fd;
	x.family = family;
	err = make_addr(family, addr, port, &x.sa, &x.sl);
	if (err) {
		snprintf(out->err, sizeof(out->err), "bad address %s", addr);
		return err;
	}
	n = snprintf(x.req, sizeof(x.req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "User-Agent: flowgate-bench\r\nAccept: */*\r\n\r\n",
		     path, host);
	if (n < 0 || (size_t)n >= sizeof(x.req)) {
		snprintf(out->err, sizeof(out->err), "host or path too long");
		return -EINVAL;
	}
	x.req_len = n;
	w = calloc(conns, sizeof(*w));
	if (!w) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < conns; i++)
		w[i].fd = -1;
	/* Connect every connection first: an unreachable server fails
	 * here, before any thread starts. */
	for (i = 0; i < conns; i++) {
		w[i].x = &x;
		w[i].buf = malloc(RECV_BUF);
		if (!w[i].buf) {
			err = -ENOMEM;
			snprintf(out->err, sizeof(out->err), "out of memory");
			goto out_free;
		}
		w[i].fd = load_connect(&x);
		if (w[i].fd < 0) {
			err = w[i].fd;
			snprintf(out->err, sizeof(out->err), "connect to %s "
				 "port %u: %s", addr, port, strerror(-err));
			goto out_free;
		}
	}
	t0 = fg_exec_now();
	x.deadline = t0 + duration;
	for (i = 0; i < conns; i++) {
		err = -pthread_create(&w[i].thr, NULL, load_main, &w[i]);
		if (err) {
			snprintf(out->err, sizeof(out->err), "thread: %s",
				 strerror(-err));
			x.deadline = 0;	/* those started stop soon */
			break;
		}
		w[i].started = true;
	}
	for (i = 0; i < conns; i++) {
		if (!w[i].started)
			continue;
		pthread_join(w[i].thr, NULL);
		out->requests += w[i].requests;
		out->bytes += w[i].bytes;
		out->errors += w[i].errors;
		if (!out->err[0] && w[i].err[0]) {
			snprintf(out->err, sizeof(out->err), "%s", w[i].err);
			if (!err)
				err = w[i].first_err;
		}
	}
	out->secs = fg_exec_now() - t0;
	/* Some requests went through: errors are counted, not fatal. */
	if (out->requests && err && w[conns - 1].started)
		err = 0;
out_free:
	for (i = 0; i < conns; i++) {
		if (w[i].fd >= 0)
			close(w[i].fd);
		free(w[i].buf);
	}
	free(w);
	return err;
}
