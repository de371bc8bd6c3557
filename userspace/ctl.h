/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ctl.h - the control socket between `flowgate run` and the other commands.
 *
 * Transport: a Unix stream socket (default FG_CTL_DEFAULT_SOCKET, mode 0600,
 * its directory created 0755). One request and one response per connection.
 *
 * Request frame:
 *     u32 length (big endian, of the payload, at most FG_CTL_MAX_REQUEST)
 *     payload = "FG1" NUL  command NUL  { key "=" value NUL }
 *   e.g. "FG1\0flows\0json=1\0limit=20\0". Keys are [a-z_]+, values any
 *   bytes but NUL; at most FG_CTL_MAX_ARGS pairs.
 * Response frame:
 *     "FGR1"  u32 exit code  u32 out_len  u32 err_len  (big endian)
 *     out (out_len bytes: what the client prints on stdout, e.g. one JSON
 *          document or a text table; the daemon renders it, so text and
 *          JSON come from one place)
 *     err (err_len bytes: what the client prints on stderr, e.g. policy
 *          diagnostics "FILE:LINE:COL: message" lines, or an error)
 *   The exit code is the command's: 0 success, 1 runtime failure, 2 bad
 *   input. With json=1, an error's text is turned into {"error": ...} by
 *   the client.
 *
 * Commands: status, stats, flows (limit=N), reload (path=ABSOLUTE_FILE, or
 * none for the running policy's file). Common keys: json=1, pretty=1.
 *
 * The server reads a request within FG_CTL_READ_TIMEOUT_MS and writes its
 * response within FG_CTL_WRITE_TIMEOUT_MS, so a stuck client cannot hold
 * the daemon; larger requests are refused.
 */
#ifndef FG_CTL_H
#define FG_CTL_H

#include <stddef.h>
#include <stdint.h>

#define FG_CTL_DEFAULT_SOCKET	"/run/flowgate/flowgate.sock"
#define FG_CTL_MAGIC_REQ	"FG1"
#define FG_CTL_MAGIC_RESP	"FGR1"
#define FG_CTL_MAX_REQUEST	65536
#define FG_CTL_MAX_ARGS		16
#define FG_CTL_MAX_RESPONSE	(1U << 30)
#define FG_CTL_RESP_HDR_LEN	16
#define FG_CTL_READ_TIMEOUT_MS	2000
#define FG_CTL_WRITE_TIMEOUT_MS	5000

struct fg_ctl_req {
	char *cmd;
	size_t nargs;
	char *keys[FG_CTL_MAX_ARGS];
	char *vals[FG_CTL_MAX_ARGS];
};

struct fg_ctl_resp {
	int code;
	char *out;		/* NUL-terminated, out_len bytes before it */
	size_t out_len;
	char *err;
	size_t err_len;
};

/* Building and reading requests. 0 or -errno (-EINVAL: bad key/value,
 * -E2BIG: too many pairs). Setting a key twice replaces its value. */
int fg_ctl_req_init(struct fg_ctl_req *r, const char *cmd);
int fg_ctl_req_set(struct fg_ctl_req *r, const char *key, const char *val);
const char *fg_ctl_req_get(const struct fg_ctl_req *r, const char *key);
void fg_ctl_req_free(struct fg_ctl_req *r);

/* Whole request frame (length prefix included) into a malloc'd buffer. */
int fg_ctl_req_encode(const struct fg_ctl_req *r, char **buf, size_t *len);
/* Payload (after the length prefix) -> request. -EPROTO if malformed. */
int fg_ctl_req_decode(const char *payload, size_t len, struct fg_ctl_req *r);

/* Whole response frame into a malloc'd buffer. */
int fg_ctl_resp_encode(int code, const char *out, size_t out_len,
		       const char *err, size_t err_len, char **buf,
		       size_t *len);
/* The 16-byte header -> code and lengths; -EPROTO if malformed. */
int fg_ctl_resp_header_parse(const unsigned char *hdr, int *code,
			     uint32_t *out_len, uint32_t *err_len);
void fg_ctl_resp_free(struct fg_ctl_resp *r);

/*
 * Is an instance answering on path? 1 yes, 0 no (no file, or a stale
 * socket nobody listens on), -errno if it cannot tell (e.g. -EACCES).
 */
int fg_ctl_probe(const char *path);

/*
 * Create the listening socket: the parent directory if missing (0755),
 * refuse (-EADDRINUSE) if a live instance answers, replace a stale socket
 * file, mode 0600. Non-blocking, close-on-exec. Returns the fd or -errno.
 */
int fg_ctl_listen(const char *path);

/*
 * Server side of one connection (fd from accept): read one request within
 * FG_CTL_READ_TIMEOUT_MS. 0, -ENODATA if the peer closed without sending
 * anything (a probe), -ETIMEDOUT, -EMSGSIZE, -EPROTO or another -errno.
 */
int fg_ctl_read_request(int fd, struct fg_ctl_req *r);
/* Write one response within FG_CTL_WRITE_TIMEOUT_MS. */
int fg_ctl_write_response(int fd, int code, const char *out, size_t out_len,
			  const char *err, size_t err_len);

/* Client: connect, send r, wait up to timeout_ms (<= 0: forever) for the
 * response. 0 or -errno (-ENOENT/-ECONNREFUSED: nothing listens). */
int fg_ctl_call(const char *path, const struct fg_ctl_req *r,
		struct fg_ctl_resp *resp, int timeout_ms);

#endif /* FG_CTL_H */
