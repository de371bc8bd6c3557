// SPDX-License-Identifier: GPL-2.0-only
/*
 * ctl.c - control-socket framing, server and client (protocol in ctl.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"

/* ---- requests ---- */

static bool key_valid(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return false;
	return true;
}

static bool cmd_valid(const char *c)
{
	return key_valid(c) && strlen(c) < 32;
}

int fg_ctl_req_init(struct fg_ctl_req *r, const char *cmd)
{
	memset(r, 0, sizeof(*r));
	if (!cmd_valid(cmd))
		return -EINVAL;
	r->cmd = strdup(cmd);
	return r->cmd ? 0 : -ENOMEM;
}

int fg_ctl_req_set(struct fg_ctl_req *r, const char *key, const char *val)
{
	char *k, *v;
	size_t i;

	if (!key_valid(key) || !val)
		return -EINVAL;
	v = strdup(val);
	if (!v)
		return -ENOMEM;
	for (i = 0; i < r->nargs; i++)
		if (!strcmp(r->keys[i], key)) {
			free(r->vals[i]);
			r->vals[i] = v;
			return 0;
		}
	if (r->nargs == FG_CTL_MAX_ARGS) {
		free(v);
		return -E2BIG;
	}
	k = strdup(key);
	if (!k) {
		free(v);
		return -ENOMEM;
	}
	r->keys[r->nargs] = k;
	r->vals[r->nargs] = v;
	r->nargs++;
	return 0;
}

const char *fg_ctl_req_get(const struct fg_ctl_req *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->nargs; i++)
		if (!strcmp(r->keys[i], key))
			return r->vals[i];
	return NULL;
}

void fg_ctl_req_free(struct fg_ctl_req *r)
{
	size_t i;

	free(r->cmd);
	for (i = 0; i < r->nargs; i++) {
		free(r->keys[i]);
		free(r->vals[i]);
	}
	memset(r, 0, sizeof(*r));
}

static void put_be32(char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static uint32_t get_be32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

int fg_ctl_req_encode(const struct fg_ctl_req *r, char **buf, size_t *len)
{
	size_t n = sizeof(FG_CTL_MAGIC_REQ) + strlen(r->cmd) + 1, i;
	char *b, *p;

	for (i = 0; i < r->nargs; i++)
		n += strlen(r->keys[i]) + 1 + strlen(r->vals[i]) + 1;
	if (n > FG_CTL_MAX_REQUEST)
		return -EMSGSIZE;
	b = malloc(4 + n);
	if (!b)
		return -ENOMEM;
	put_be32(b, (uint32_t)n);
	p = b + 4;
	p = stpcpy(p, FG_CTL_MAGIC_REQ) + 1;
	p = stpcpy(p, r->cmd) + 1;
	for (i = 0; i < r->nargs; i++) {
		p = stpcpy(p, r->keys[i]);
		*p++ = '=';
		p = stpcpy(p, r->vals[i]) + 1;
	}
	*buf = b;
	*len = 4 + n;
	return 0;
}

int fg_ctl_req_decode(const char *payload, size_t len, struct fg_ctl_req *r)
{
	const char *p = payload, *end = payload + len;
	int err = -EPROTO;
	bool first = true;

	memset(r, 0, sizeof(*r));
	if (len > FG_CTL_MAX_REQUEST)
		return -EMSGSIZE;
	/* Every field ends with NUL, the last one included. */
	if (!len || payload[len - 1] != '\0')
		return -EPROTO;
	if (strcmp(p, FG_CTL_MAGIC_REQ))
		return -EPROTO;
	p += sizeof(FG_CTL_MAGIC_REQ);
	if (p >= end)
		return -EPROTO;
	while (p < end) {
		size_t flen = strlen(p);

		if (first) {
			if (fg_ctl_req_init(r, p))
				goto fail;
			first = false;
		} else {
			char *eq = strchr(p, '='), *key;
			int e;

			if (!eq)
				goto fail;
			key = strndup(p, eq - p);
			if (!key) {
				err = -ENOMEM;
				goto fail;
			}
			if (fg_ctl_req_get(r, key)) {	/* duplicate key */
				free(key);
				goto fail;
			}
			e = fg_ctl_req_set(r, key, eq + 1);
			free(key);
			if (e) {
				err = e == -ENOMEM ? e : -EPROTO;
				goto fail;
			}
		}
		p += flen + 1;
	}
	return 0;
fail:
	fg_ctl_req_free(r);
	return err;
}

/* ---- responses ---- */

int fg_ctl_resp_encode(int code, const char *out, size_t out_len,
		       const char *err, size_t err_len, char **buf,
		       size_t *len)
{
	char *b;

	if (out_len > FG_CTL_MAX_RESPONSE || err_len > FG_CTL_MAX_RESPONSE ||
	    code < 0 || code > 255)
		return -EMSGSIZE;
	b = malloc(FG_CTL_RESP_HDR_LEN + out_len + err_len);
	if (!b)
		return -ENOMEM;
	memcpy(b, FG_CTL_MAGIC_RESP, 4);
	put_be32(b + 4, (uint32_t)code);
	put_be32(b + 8, (uint32_t)out_len);
	put_be32(b + 12, (uint32_t)err_len);
	if (out_len)
		memcpy(b + FG_CTL_RESP_HDR_LEN, out, out_len);
	if (err_len)
		memcpy(b + FG_CTL_RESP_HDR_LEN + out_len, err, err_len);
	*buf = b;
	*len = FG_CTL_RESP_HDR_LEN + out_len + err_len;
	return 0;
}

int fg_ctl_resp_header_parse(const unsigned char *hdr, int *code,
			     uint32_t *out_len, uint32_t *err_len)
{
	uint32_t c;

	if (memcmp(hdr, FG_CTL_MAGIC_RESP, 4))
		return -EPROTO;
	c = get_be32(hdr + 4);
	*out_len = get_be32(hdr + 8);
	*err_len = get_be32(hdr + 12);
	if (c > 255 || *out_len > FG_CTL_MAX_RESPONSE ||
	    *err_len > FG_CTL_MAX_RESPONSE)
		return -EPROTO;
	*code = (int)c;
	return 0;
}

void fg_ctl_resp_free(struct fg_ctl_resp *r)
{
	free(r->out);
	free(r->err);
	memset(r, 0, sizeof(*r));
}

/* ---- I/O with a deadline ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Wait for fd to be ready for events before deadline (ms, < 0: forever). */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int timeout = -1, n;

	for (;;) {
		if (deadline >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			timeout = left > 1000000 ? 1000000 : (int)left;
		}
		n = poll(&p, 1, timeout);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
}

/* Read exactly len bytes; *got says how many arrived before an error. */
static int read_full(int fd, void *buf, size_t len, long long deadline,
		     size_t *got)
{
	size_t off = 0;
	int err = 0;

	while (off < len) {
		ssize_t n = read(fd, (char *)buf + off, len - off);

		if (n > 0) {
			off += n;
			continue;
		}
		if (n == 0) {
			err = -ECONNRESET;
			break;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			err = -errno;
			break;
		}
		err = wait_fd(fd, POLLIN, deadline);
		if (err)
			break;
	}
	if (got)
		*got = off;
	return err;
}

static int write_full(int fd, const void *buf, size_t len, long long deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, (const char *)buf + off, len - off,
				 MSG_NOSIGNAL);
		int err;

		if (n > 0) {
			off += n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		err = wait_fd(fd, POLLOUT, deadline);
		if (err)
			return err;
	}
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* ---- server ---- */

static int sun_fill(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!*path || strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int fg_ctl_probe(const char *path)
{
	struct sockaddr_un sa;
	int fd, err;

	err = sun_fill(&sa, path);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		err = 1;
	else if (errno == ENOENT || errno == ECONNREFUSED)
		err = 0;
	else
		err = -errno;
	close(fd);
	return err;
}

/* mkdir the socket's directory if it is missing (one level, 0755). */
static int ensure_parent(const char *path)
{
	char *copy = strdup(path), *dir;
	int err = 0;

	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		err = -errno;
	free(copy);
	return err;
}

int fg_ctl_listen(const char *path)
{
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_umask;
	int fd, err;

	err = sun_fill(&sa, path);
	if (err)
		return err;
	err = ensure_parent(path);
	if (err)
		return err;
	err = fg_ctl_probe(path);
	if (err < 0)
		return err;
	if (err > 0)
		return -EADDRINUSE;
	/* Nobody answers: a socket file left there is stale. Anything else
	 * is not ours to delete. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	/* Created 0600 from the start: no window where others can connect. */
	old_umask = umask(0177);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? -errno : 0;
	umask(old_umask);
	if (err)
		goto out_close;
	if (chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		unlink(path);
		goto out_close;
	}
	return fd;
out_close:
	close(fd);
	return err;
}

int fg_ctl_read_request(int fd, struct fg_ctl_req *r)
{
	long long deadline = now_ms() + FG_CTL_READ_TIMEOUT_MS;
	unsigned char hdr[4];
	size_t got = 0;
	uint32_t len;
	char *buf;
	int err;

	err = set_nonblock(fd);
	if (err)
		return err;
	err = read_full(fd, hdr, 4, deadline, &got);
	if (err)
		return err == -ECONNRESET && !got ? -ENODATA : err;
	len = get_be32(hdr);
	if (len > FG_CTL_MAX_REQUEST)
		return -EMSGSIZE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	err = read_full(fd, buf, len, deadline, NULL);
	if (!err)
		err = fg_ctl_req_decode(buf, len, r);
	free(buf);
	return err;
}

int fg_ctl_write_response(int fd, int code, const char *out, size_t out_len,
			  const char *err_txt, size_t err_len)
{
	long long deadline = now_ms() + FG_CTL_WRITE_TIMEOUT_MS;
	size_t len;
	char *buf;
	int err;

	err = fg_ctl_resp_encode(code, out, out_len, err_txt, err_len, &buf,
				 &len);
	if (err)
		return err;
	err = set_nonblock(fd);
	if (!err)
		err = write_full(fd, buf, len, deadline);
	free(buf);
	return err;
}

/* ---- client ---- */

int fg_ctl_call(const char *path, const struct fg_ctl_req *r,
		struct fg_ctl_resp *resp, int timeout_ms)
{
	long long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : -1;
	unsigned char hdr[FG_CTL_RESP_HDR_LEN];
	struct sockaddr_un sa;
	uint32_t out_len, err_len;
	size_t len;
	char *req;
	int fd, err;

	memset(resp, 0, sizeof(*resp));
	err = sun_fill(&sa, path);
	if (err)
		return err;
	err = fg_ctl_req_encode(r, &req, &len);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		goto out_free;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out_close;
	}
	err = set_nonblock(fd);
	if (!err)
		err = write_full(fd, req, len, deadline);
	if (!err)
		err = read_full(fd, hdr, sizeof(hdr), deadline, NULL);
	if (!err)
		err = fg_ctl_resp_header_parse(hdr, &resp->code, &out_len,
					       &err_len);
	if (err)
		goto out_close;
	resp->out = malloc((size_t)out_len + 1);
	resp->err = malloc((size_t)err_len + 1);
	if (!resp->out || !resp->err) {
		err = -ENOMEM;
		goto out_resp;
	}
	err = read_full(fd, resp->out, out_len, deadline, NULL);
	if (!err)
		err = read_full(fd, resp->err, err_len, deadline, NULL);
	if (err)
		goto out_resp;
	resp->out[out_len] = '\0';
	resp->err[err_len] = '\0';
	resp->out_len = out_len;
	resp->err_len = err_len;
	goto out_close;
out_resp:
	fg_ctl_resp_free(resp);
out_close:
	close(fd);
out_free:
	free(req);
	return err;
}
