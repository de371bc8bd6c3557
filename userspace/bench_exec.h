/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bench_exec.h - run a command, or a function, inside a network namespace,
 * with a time limit and bounded output capture.
 *
 * The child enters only the network namespace (setns(CLONE_NEWNET)); it
 * keeps the caller's mount namespace, so bpffs pins stay visible, unlike
 * `ip netns exec`. The child leads its own process group, and on timeout
 * the whole group is killed, so helpers a tool spawns go too.
 */
#ifndef FG_BENCH_EXEC_H
#define FG_BENCH_EXEC_H

#include <stdbool.h>
#include <stddef.h>

struct fg_exec {
	/* In: */
	int netns_fd;		/* network namespace to run in; -1: the caller's */
	const char *in_text;	/* fed as stdin (may be large), or NULL */
	size_t in_len;		/* its length; 0: strlen(in_text) */
	const char *in_path;	/* file fed as stdin, or NULL (not with in_text) */
	double timeout_s;	/* <= 0: no limit */
	char *out;		/* stdout capture, NUL-terminated; NULL: discard */
	size_t out_size;
	char *err;		/* stderr capture, NUL-terminated; NULL: discard */
	size_t err_size;
	/* Out: */
	int status;		/* exit status, or 128 + signal number */
	double elapsed_s;	/* wall time from fork to reap */
	bool out_truncated;	/* output beyond out_size - 1 was dropped */
	bool err_truncated;
};

/* An fg_exec with no namespace, no input and no capture. */
#define FG_EXEC_INIT { .netns_fd = -1 }

/*
 * Run argv[0] (looked up in PATH) with argv. Returns 0 when it exited with
 * status 0; -EIO when it exited otherwise (x->status, x->err say how);
 * -ENOENT when the command does not exist (x->err then says
 * "NAME: command not found"); -ETIMEDOUT when it ran longer than
 * x->timeout_s (its process group was killed); another negative errno when
 * it could not be started (setns, fork, pipe). Does not log.
 */
int fg_exec_run(struct fg_exec *x, char *const argv[]);

/*
 * Call fn(arg) in a forked child inside the network namespace netns_fd
 * (-1: the caller's) and return what it returned: fn returns 0 or a
 * negative errno (-255..0). -ETIMEDOUT when it ran longer than timeout_s
 * (<= 0: no limit). Nothing fn changes reaches the caller's memory.
 */
int fg_exec_fn(int netns_fd, int (*fn)(void *arg), void *arg,
	       double timeout_s);

/* Monotonic clock in seconds. */
double fg_exec_now(void);

#endif /* FG_BENCH_EXEC_H */
