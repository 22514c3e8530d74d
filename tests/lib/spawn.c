/* spawn: a command in the background (see spawn.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spawn.h"

extern char **environ;

double spawn_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: a clean slate, then exec.  Reports errno on fail_fd. */
static __attribute__((noreturn)) void child(char *const argv[], const struct spawn_opts *o, int out,
					    int err, int fail_fd)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t none;
	int in, e, keep = o && o->keep_fd > 2 ? o->keep_fd : -1;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	setrlimit(RLIMIT_CORE, &no_core);
	if (o && o->new_pgrp)
		setpgid(0, 0);
	for (const char *const *v = o ? o->setenv : NULL; v && *v; v++)
		putenv((char *)*v);
	in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		goto fail;
	/* Nothing of the test process reaches the command but keep_fd. */
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep && fd != fail_fd)
			close(fd);
	if (keep >= 0)
		fcntl(keep, F_SETFD, 0);
	execvp(argv[0], argv);
fail:
	e = errno;
	if (write(fail_fd, &e, sizeof(e)) != sizeof(e))
		_exit(127);
	_exit(127);
}

int spawn_start(struct spawned *s, char *const argv[], const struct spawn_opts *o)
{
	int out[2], err[2], fail[2], e = 0;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->out = s->err = -1;
	if (pipe2(out, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		e = -errno;
		goto close_out;
	}
	if (pipe2(fail, O_CLOEXEC)) {
		e = -errno;
		goto close_err;
	}
	s->pid = fork();
	if (s->pid < 0) {
		e = -errno;
		goto close_fail;
	}
	if (s->pid == 0)
		child(argv, o, out[1], err[1], fail[1]);
	/* Both sides: no race with a signal sent to the group at once. */
	if (o && o->new_pgrp)
		setpgid(s->pid, s->pid);
	close(fail[1]);
	do
		n = read(fail[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(fail[0]);
	close(out[1]);
	close(err[1]);
	if (n == (ssize_t)sizeof(e)) {
		waitpid(s->pid, NULL, 0);
		close(out[0]);
		close(err[0]);
		return -e;
	}
	s->out = out[0];
	s->err = err[0];
	fcntl(s->out, F_SETFL, O_NONBLOCK);
	fcntl(s->err, F_SETFL, O_NONBLOCK);
	return 0;

close_fail:
	close(fail[0]);
	close(fail[1]);
close_err:
	close(err[0]);
	close(err[1]);
close_out:
	close(out[0]);
	close(out[1]);
	return e;
}

static void read_err(struct spawned *s)
{
	char buf[4096], *b;
	ssize_t n;

	while (s->err >= 0) {
		n = read(s->err, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_fd(&s->err);
			return;
		}
		b = realloc(s->errbuf, s->errlen + (size_t)n + 1);
		if (!b)
			return;
		memcpy(b + s->errlen, buf, (size_t)n);
		s->errbuf = b;
		s->errlen += (size_t)n;
		s->errbuf[s->errlen] = '\0';
	}
}

/*
 * Wait up to ms for stdout or stderr to have something; stderr is stored.
 * Returns true when stdout is readable (or at EOF).
 */
static bool poll_out(struct spawned *s, int ms)
{
	struct pollfd p[2] = { { .fd = s->out, .events = POLLIN },
			       { .fd = s->err, .events = POLLIN } };

	if (s->out < 0 && s->err < 0)
		return false;
	if (poll(p, 2, ms < 0 ? 0 : ms) <= 0)
		return false;
	if (p[1].revents)
		read_err(s);
	return p[0].revents != 0;
}

bool spawn_line(struct spawned *s, char *buf, size_t len, int timeout_ms)
{
	double end = spawn_now_ms() + timeout_ms;

	for (;;) {
		char *nl = memchr(s->line, '\n', s->linelen);
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - s->line);

			snprintf(buf, len, "%.*s", (int)l, s->line);
			memmove(s->line, nl + 1, s->linelen - l - 1);
			s->linelen -= l + 1;
			return true;
		}
		if (s->out < 0 || s->linelen == sizeof(s->line))
			return false;
		n = read(s->out, s->line + s->linelen, sizeof(s->line) - s->linelen);
		if (n > 0) {
			s->linelen += (size_t)n;
			continue;
		}
		if (n == 0) {
			close_fd(&s->out);
			return false;
		}
		if (errno != EAGAIN && errno != EINTR)
			return false;
		if (spawn_now_ms() >= end)
			return false;
		poll_out(s, (int)(end - spawn_now_ms()) + 1);
	}
}

size_t spawn_count_output(struct spawned *s, int ms)
{
	double end = spawn_now_ms() + ms;
	size_t total = s->linelen;
	char buf[4096];

	s->linelen = 0;
	while (s->out >= 0) {
		ssize_t n = read(s->out, buf, sizeof(buf));
		double left;

		if (n > 0) {
			total += (size_t)n;
			continue;
		}
		if (n == 0) {
			close_fd(&s->out);
			break;
		}
		left = end - spawn_now_ms();
		if (left <= 0)
			break;
		poll_out(s, (int)left + 1);
	}
	return total;
}

bool spawn_wait(struct spawned *s, int timeout_ms, int *status)
{
	double end = spawn_now_ms() + timeout_ms;
	pid_t pgid = getpgid(s->pid);

	for (;;) {
		pid_t r = waitpid(s->pid, status, WNOHANG);

		if (r == s->pid) {
			read_err(s);
			return true;
		}
		if (r < 0 && errno != EINTR)
			return false;
		if (spawn_now_ms() >= end)
			break;
		spawn_count_output(s, 10);
	}
	if (pgid == s->pid)
		kill(-pgid, SIGKILL);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, status, 0);
	read_err(s);
	return false;
}

void spawn_free(struct spawned *s)
{
	close_fd(&s->out);
	close_fd(&s->err);
	free(s->errbuf);
	s->errbuf = NULL;
}

/* Fields of /proc/PID/stat after the command name: state is the first. */
static const char *stat_fields(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;
	size_t n;
	char *rp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' ? rp + 2 : NULL;
}

char spawn_proc_state(pid_t pid)
{
	char buf[1024];
	const char *f = stat_fields(pid, buf, sizeof(buf));

	return f ? f[0] : 0;
}

pid_t spawn_proc_ppid(pid_t pid)
{
	char buf[1024];
	const char *f = stat_fields(pid, buf, sizeof(buf));
	int ppid;

	if (!f || sscanf(f, "%*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

size_t spawn_pgrp_members(pid_t pgid, pid_t *pids, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char buf[1024];
		const char *f;
		char state;
		int ppid, pgrp;
		pid_t pid = (pid_t)atoi(e->d_name);

		if (pid <= 0)
			continue;
		f = stat_fields(pid, buf, sizeof(buf));
		if (!f || sscanf(f, "%c %d %d", &state, &ppid, &pgrp) != 3)
			continue;
		if (pgrp != pgid || state == 'Z' || state == 'X')
			continue;
		if (n < max)
			pids[n] = pid;
		n++;
	}
	closedir(d);
	return n;
}
