// SPDX-License-Identifier: GPL-2.0-only
/*
 * bench_exec.c - run a command or a function in a network namespace, with a
 * time limit (see bench_exec.h).
 *
 * Input text goes through a memfd rather than a pipe: a tool that exits
 * before reading all of it can neither block us nor raise SIGPIPE here, and
 * a multi-megabyte rule file needs no writer loop. Output is read through
 * pipes with poll() until both reach end of file or the time runs out.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "bench_exec.h"

double fg_exec_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Milliseconds left before deadline (0: none), for poll(); -1: no limit. */
static int ms_left(double deadline)
{
	double left;

	if (deadline <= 0)
		return -1;
	left = deadline - fg_exec_now();
	if (left <= 0)
		return 0;
	return left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
}

/* Wait for pid; *status: its exit status or 128 + signal. Returns 1 if
 * a signal ended it, 0 if it exited, or -errno. */
static int reap(pid_t pid, int *status)
{
	int st;

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (WIFEXITED(st)) {
		*status = WEXITSTATUS(st);
		return 0;
	}
	*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
	return 1;
}

static void kill_group(pid_t pid)
{
	int st;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);	/* in case setpgid had not happened yet */
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Input of the child: a memfd holding in_text, in_path, or /dev/null. */
static int open_input(const struct fg_exec *x)
{
	size_t len, off = 0;
	ssize_t n;
	int fd, err;

	if (x->in_text && x->in_path)
		return -EINVAL;
	if (x->in_path) {
		fd = open(x->in_path, O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (!x->in_text) {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	fd = memfd_create("fg-exec-stdin", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = x->in_len ? x->in_len : strlen(x->in_text);
	while (off < len) {
		n = write(fd, x->in_text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			close(fd);
			return err;
		}
		off += n;
	}
	if (lseek(fd, 0, SEEK_SET) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* The child: never returns. Reports a setup or exec failure through
 * errfd as an errno value, then exits 127. */
static void child(const struct fg_exec *x, char *const argv[], int in,
		  int out, int err, int errfd)
{
	sigset_t none;
	int e;

	setpgid(0, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (x->netns_fd >= 0 && setns(x->netns_fd, CLONE_NEWNET) < 0)
		goto fail;
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

struct sink {
	int fd;
	char *buf;
	size_t size, len;
	bool *truncated;
};

/* Read what is there; returns 1 at end of file, 0 otherwise, or -errno. */
static int drain(struct sink *s)
{
	char scratch[4096];
	size_t room;
	ssize_t n;

	room = s->buf && s->size ? s->size - 1 - s->len : 0;
	if (room)
		n = read(s->fd, s->buf + s->len, room);
	else
		n = read(s->fd, scratch, sizeof(scratch));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return 1;
	if (room) {
		s->len += n;
		s->buf[s->len] = '\0';
	} else if (s->truncated) {
		*s->truncated = true;
	}
	return 0;
}

int fg_exec_run(struct fg_exec *x, char *const argv[])
{
	int in = -1, devnull = -1, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int perrno[2] = { -1, -1 };
	struct sink sinks[2];
	struct pollfd pfd[2];
	int which[2];
	double t0, deadline;
	int ret, rc, e, i, k, nopen;
	ssize_t n;
	pid_t pid;

	if (!x || !argv || !argv[0] || !argv[0][0])
		return -EINVAL;
	x->status = -1;
	x->elapsed_s = 0;
	x->out_truncated = x->err_truncated = false;
	if (x->out && x->out_size)
		x->out[0] = '\0';
	if (x->err && x->err_size)
		x->err[0] = '\0';

	in = open_input(x);
	if (in < 0)
		return in;
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0 || pipe2(pout, O_CLOEXEC) < 0 ||
	    pipe2(perr, O_CLOEXEC) < 0 || pipe2(perrno, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out_close;
	}

	t0 = fg_exec_now();
	deadline = x->timeout_s > 0 ? t0 + x->timeout_s : 0;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		goto out_close;
	}
	if (pid == 0)
		child(x, argv, in, x->out ? pout[1] : devnull,
		      x->err ? perr[1] : devnull, perrno[1]);
	setpgid(pid, pid);	/* also here: no race with kill_group() */
	close_fd(&pout[1]);
	close_fd(&perr[1]);
	close_fd(&perrno[1]);

	/* End of file on perrno: exec succeeded (close-on-exec) or the
	 * child died; four bytes: why it could not start. */
	do {
		n = read(perrno[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	if (n == sizeof(e)) {
		reap(pid, &x->status);
		x->elapsed_s = fg_exec_now() - t0;
		if (e == ENOENT && x->err && x->err_size)
			snprintf(x->err, x->err_size, "%s: command not found",
				 argv[0]);
		ret = -e;
		goto out_close;
	}

	sinks[0] = (struct sink){ pout[0], x->out, x->out_size, 0,
				  &x->out_truncated };
	sinks[1] = (struct sink){ perr[0], x->err, x->err_size, 0,
				  &x->err_truncated };
	for (;;) {
		nopen = 0;
		for (i = 0; i < 2; i++) {
			if (sinks[i].fd < 0)
				continue;
			pfd[nopen].fd = sinks[i].fd;
			pfd[nopen].events = POLLIN;
			pfd[nopen].revents = 0;
			which[nopen++] = i;
		}
		if (!nopen)
			break;
		ret = poll(pfd, nopen, ms_left(deadline));
		if (ret < 0 && errno != EINTR) {
			ret = -errno;
			kill_group(pid);
			goto out_close;
		}
		if (deadline > 0 && fg_exec_now() >= deadline) {
			kill_group(pid);
			x->elapsed_s = fg_exec_now() - t0;
			ret = -ETIMEDOUT;
			goto out_close;
		}
		for (k = 0; ret > 0 && k < nopen; k++) {
			/* Read only a ready pipe: a read never blocks. */
			if (!pfd[k].revents)
				continue;
			i = which[k];
			rc = drain(&sinks[i]);
			if (rc < 0) {
				ret = rc;
				kill_group(pid);
				goto out_close;
			}
			if (rc == 1) {
				if (i == 0)
					close_fd(&pout[0]);
				else
					close_fd(&perr[0]);
				sinks[i].fd = -1;
			}
		}
	}
	/* Both pipes are closed: the command is done or about to be. */
	ret = reap(pid, &x->status);
	x->elapsed_s = fg_exec_now() - t0;
	if (ret >= 0)
		ret = x->status ? -EIO : 0;

out_close:
	close_fd(&in);
	close_fd(&devnull);
	close_fd(&pout[0]);
	close_fd(&pout[1]);
	close_fd(&perr[0]);
	close_fd(&perr[1]);
	close_fd(&perrno[0]);
	close_fd(&perrno[1]);
	return ret;
}

int fg_exec_fn(int netns_fd, int (*fn)(void *arg), void *arg,
	       double timeout_s)
{
	int p[2], ret, status;
	struct pollfd pfd;
	double deadline;
	char c;
	pid_t pid;

	if (!fn)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	deadline = timeout_s > 0 ? fg_exec_now() + timeout_s : 0;
	fflush(NULL);	/* or buffered output would be written twice */
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid == 0) {
		close(p[0]);
		setpgid(0, 0);
		if (netns_fd >= 0 && setns(netns_fd, CLONE_NEWNET) < 0)
			ret = -errno;
		else
			ret = fn(arg);
		fflush(NULL);
		_exit(ret < 0 && ret >= -255 ? -ret : (ret ? 255 : 0));
	}
	setpgid(pid, pid);
	close(p[1]);
	/* The write end closes when the child exits. */
	pfd.fd = p[0];
	pfd.events = POLLIN;
	for (;;) {
		ret = poll(&pfd, 1, ms_left(deadline));
		if (ret > 0) {
			if (read(p[0], &c, 1) <= 0)
				break;
			continue;
		}
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0 || (deadline > 0 && fg_exec_now() >= deadline)) {
			ret = ret < 0 ? -errno : -ETIMEDOUT;
			kill_group(pid);
			close(p[0]);
			return ret;
		}
	}
	close(p[0]);
	ret = reap(pid, &status);
	if (ret < 0)
		return ret;
	return ret ? -ECHILD : -status;	/* killed by a signal: -ECHILD */
}
