/*
 * run: run a command and capture everything it printed.
 *
 * stdout and stderr are drained together with poll(): reading one to the end
 * before the other deadlocks as soon as the child fills the other pipe
 * (64 KiB), and a tracer's report can be longer than that.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct sink {
	int fd;
	char *data;
	size_t len, cap;
};

/* The pipes of one run; -1 where closed. */
struct pipes {
	int in[2], out[2], err[2], exec_err[2];
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void pipes_close(struct pipes *p)
{
	int i;

	for (i = 0; i < 2; i++) {
		close_fd(&p->in[i]);
		close_fd(&p->out[i]);
		close_fd(&p->err[i]);
		close_fd(&p->exec_err[i]);
	}
}

static int pipes_open(struct pipes *p, bool want_stdin)
{
	memset(p, -1, sizeof(*p));
	/* CLOEXEC everywhere: the child dup2()s what it needs, nothing leaks. */
	if ((want_stdin && pipe2(p->in, O_CLOEXEC)) || pipe2(p->out, O_CLOEXEC) ||
	    pipe2(p->err, O_CLOEXEC) || pipe2(p->exec_err, O_CLOEXEC)) {
		pipes_close(p);
		return -1;
	}
	return 0;
}

/* In the child: wire up fds 0-2 and exec; report errno on exec_err if that fails. */
static __attribute__((noreturn)) void child(char *const argv[], struct pipes *p)
{
	int in, e;

	/*
	 * The test process ignores SIGPIPE while it writes stdin, and ignored
	 * signals survive exec: give the command the default back.
	 */
	signal(SIGPIPE, SIG_DFL);
	in = p->in[0] >= 0 ? p->in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(p->out[1], STDOUT_FILENO) < 0 ||
	    dup2(p->err[1], STDERR_FILENO) < 0)
		goto fail;
	/* Criterion's own descriptors are no business of the command (best effort). */
	(void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(p->exec_err[1], &e, sizeof(e)) != sizeof(e))
		_exit(127);
	_exit(127);
}

static int sink_read(struct sink *s)
{
	ssize_t n;

	if (s->cap - s->len < 4096 + 1) {
		size_t cap = s->cap ? s->cap * 2 : 16384;
		char *d = realloc(s->data, cap);

		if (!d)
			return -1;
		s->data = d;
		s->cap = cap;
	}
	n = read(s->fd, s->data + s->len, s->cap - s->len - 1);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0) {
		close_fd(&s->fd);
		return 0;
	}
	s->len += (size_t)n;
	return 0;
}

/* Feed stdin and drain stdout/stderr until both are at EOF. */
static int pump(int in_fd, const char *text, struct sink *out, struct sink *err)
{
	size_t left = text ? strlen(text) : 0;
	int rc = 0;

	if (in_fd >= 0 && !left)
		close_fd(&in_fd);
	while (out->fd >= 0 || err->fd >= 0) {
		struct pollfd pfd[3] = {
			{ .fd = out->fd, .events = POLLIN },
			{ .fd = err->fd, .events = POLLIN },
			{ .fd = in_fd, .events = POLLOUT },
		};

		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = -1;
			break;
		}
		if (pfd[0].revents && sink_read(out)) {
			rc = -1;
			close_fd(&out->fd);
		}
		if (pfd[1].revents && sink_read(err)) {
			rc = -1;
			close_fd(&err->fd);
		}
		if (pfd[2].revents) {
			ssize_t n = write(in_fd, text, left);

			/* EPIPE: the command did not want (all of) its input; fine. */
			if (n > 0) {
				text += n;
				left -= (size_t)n;
			}
			if ((n < 0 && errno != EINTR && errno != EAGAIN) || !left)
				close_fd(&in_fd);
		}
	}
	close_fd(&in_fd);
	return rc;
}

/* Terminate a capture buffer, allocating an empty one if nothing came. */
static char *sink_finish(struct sink *s, size_t *len)
{
	if (!s->data)
		s->data = calloc(1, 1);
	else
		s->data[s->len] = '\0';
	*len = s->len;
	return s->data;
}

static int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + WTERMSIG(st);
}

/* errno of a failed exec, or 0 when the exec succeeded (the pipe closed on exec). */
static int exec_error(int fd)
{
	int e;
	ssize_t n;

	do
		n = read(fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(e) ? e : 0;
}

int run_capture(char *const argv[], const char *stdin_text, struct run_output *out)
{
	struct sink so = { .fd = -1 }, se = { .fd = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	struct pipes p;
	pid_t pid;
	int e, rc;

	memset(out, 0, sizeof(*out));
	if (pipes_open(&p, stdin_text != NULL))
		return -1;
	pid = fork();
	if (pid < 0) {
		pipes_close(&p);
		return -1;
	}
	if (pid == 0)
		child(argv, &p);
	close_fd(&p.in[0]);
	close_fd(&p.out[1]);
	close_fd(&p.err[1]);
	close_fd(&p.exec_err[1]);
	e = exec_error(p.exec_err[0]);
	if (e) {
		wait_status(pid);
		pipes_close(&p);
		errno = e;
		return -1;
	}
	so.fd = p.out[0];
	se.fd = p.err[0];
	p.out[0] = p.err[0] = -1;
	/*
	 * Non-blocking stdin, so that a large text cannot block us in write()
	 * while the command blocks writing a full stdout pipe.  And a command
	 * that exits without reading stdin must not kill us with SIGPIPE.
	 */
	if (p.in[1] >= 0)
		fcntl(p.in[1], F_SETFL, O_NONBLOCK);
	sigaction(SIGPIPE, &ign, &old);
	rc = pump(p.in[1], stdin_text, &so, &se);
	p.in[1] = -1; /* pump closed it */
	sigaction(SIGPIPE, &old, NULL);
	close_fd(&so.fd);
	close_fd(&se.fd);
	pipes_close(&p);
	out->status = wait_status(pid);
	out->out = sink_finish(&so, &out->out_len);
	out->err = sink_finish(&se, &out->err_len);
	if (rc || out->status < 0 || !out->out || !out->err) {
		run_free(out);
		return -1;
	}
	return 0;
}

void run_free(struct run_output *out)
{
	free(out->out);
	free(out->err);
	memset(out, 0, sizeof(*out));
}

const char *run_tool(void)
{
	return getenv("MAXRSS_SC");
}

const char *run_workload(const char *name)
{
	static char path[4096];
	const char *dir = getenv("WORKLOADS");

	if (!dir)
		return NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return NULL;
	return path;
}
