/*
 * crowd: many processes, for the scale tests (issue 16, point 5).
 *
 *	crowd alive K MIB HOLD_MS
 *	        K children alive at once, each an exec'd image (posix_spawn of
 *	        "crowd member") that touches MIB MiB, says its truth, is read
 *	        in full by the tracer (an execve of /etc/passwd, which fails
 *	        with EACCES) and holds its memory until all K are ready; then
 *	        they hold HOLD_MS milliseconds more, are released together
 *	        and exit 0.  Says "crowd alive=K" once all hold, and
 *	        "crowd done" after reaping them; exit 1 if one failed.
 *	crowd churn N P
 *	        N short-lived children in all (fork, _exit(0)), at most P alive
 *	        at once, each reaped at once; says "crowd churned=N failed=F".
 *	crowd member MIB
 *	        (internal) a member: its ready pipe is descriptor 3, its
 *	        release pipe descriptor 4.
 *
 * Truth lines go to stdout (see workload.h), one write(2) each.
 */
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WL_PROG "crowd"
#include "workload.h"

extern char **environ;

#define READY_FD 3
#define RELEASE_FD 4

/* One line on stdout, one write(2). */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)wl_write_all(STDOUT_FILENO, line,
				   (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

/* A member: touch, tell the truth, be read, say ready, hold until released. */
static int cmd_member(int argc, char **argv)
{
	static char *const none[] = { NULL };
	char c = 'r';

	(void)argc;
	wl_prewarm();
	touch_mib(arg_num(argv[0]));
	truth("hold");
	/* An execve that fails with EACCES: the tracer reads the whole image at its entry. */
	if (execve("/etc/passwd", none, environ) == 0 || errno != EACCES)
		die("execve(/etc/passwd) did not fail with EACCES");
	if (wl_write_all(READY_FD, &c, 1))
		die("cannot say ready");
	close(READY_FD);
	wait_eof(RELEASE_FD);
	return 0;
}

/* A close-on-exec pipe above the descriptors a member is given (3, 4). */
static int pipe_above(int p[2])
{
	int q[2];

	if (pipe2(q, O_CLOEXEC))
		return -1;
	for (int i = 0; i < 2; i++) {
		p[i] = fcntl(q[i], F_DUPFD_CLOEXEC, 10);
		close(q[i]);
		if (p[i] < 0)
			return -1;
	}
	return 0;
}

static int cmd_alive(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]), ready = 0, failed = 0;
	char self[4096], *args[4];
	int rp[2], lp[2];
	pid_t *pids;
	ssize_t n;

	(void)argc;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || pipe_above(rp) || pipe_above(lp))
		die("readlink or pipe failed");
	self[n] = '\0';
	args[0] = self;
	args[1] = (char *)"member";
	args[2] = argv[1];
	args[3] = NULL;
	pids = calloc(k, sizeof(*pids));
	if (!pids)
		die("out of memory");
	for (unsigned long i = 0; i < k; i++) {
		posix_spawn_file_actions_t fa;

		/* The member's descriptors 3 and 4 (dup2 clears close-on-exec); nothing else. */
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, rp[1], READY_FD);
		posix_spawn_file_actions_adddup2(&fa, lp[0], RELEASE_FD);
		if (posix_spawn(&pids[i], self, &fa, NULL, args, environ))
			die("posix_spawn failed");
		posix_spawn_file_actions_destroy(&fa);
	}
	close(rp[1]);
	close(lp[0]);
	for (char c; ready < k && read_full(rp[0], &c, 1) == 0;)
		ready++;
	if (ready != k)
		die("a member never got ready");
	say("crowd alive=%lu\n", k);
	sleep_ms(arg_num(argv[2]));
	close(lp[1]);
	for (unsigned long i = 0; i < k; i++) {
		int st;

		while (waitpid(pids[i], &st, 0) < 0)
			if (errno != EINTR)
				die("waitpid failed");
		failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	say("crowd done\n");
	free(pids);
	return failed ? 1 : 0;
}

static int cmd_churn(int argc, char **argv)
{
	unsigned long n = arg_num(argv[0]), p = arg_num(argv[1]), started = 0, failed = 0;
	unsigned long alive = 0;

	(void)argc;
	if (!p)
		die("churn: P must be at least 1");
	while (started < n || alive) {
		int st;

		while (started < n && alive < p) {
			pid_t pid = fork();

			if (pid == 0)
				_exit(0);
			if (pid < 0) {
				failed++;
				break;
			}
			started++;
			alive++;
		}
		if (!alive)
			break;
		if (wait(&st) > 0) {
			alive--;
			failed += !(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		} else if (errno != EINTR) {
			die("wait failed");
		}
	}
	say("crowd churned=%lu failed=%lu\n", started, failed);
	return failed ? 1 : 0;
}

/* clang-format off */
static const struct wl_subcommand subcommands[] = {
	{ "alive", 3, "K MIB HOLD_MS", false, cmd_alive },
	{ "churn", 2, "N P", false, cmd_churn },
	{ "member", 1, "MIB", false, cmd_member },
};
/* clang-format on */

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
