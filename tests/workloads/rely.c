/*
 * rely: workloads for the reliability tests (signals, job control, the
 * tree's fate when the tracer dies, descriptors, scale, fork bombs).
 *
 *	rely catch              handle INT QUIT TERM HUP, say "ready PID", wait
 *	                        for one, say "caught N", exit 100 + N
 *	rely ticker MS [T]      say "ready PID", then T threads (default 1) each
 *	                        write one byte to stdout every MS milliseconds
 *	rely pids K             fork K children that wait forever; say "pid P"
 *	                        for itself and each child, "ready", wait forever
 *	rely orphan MS          fork a child that lives MS milliseconds; say
 *	                        "orphan P" and exit at once
 *	rely fds                say "fd N TARGET" for every open descriptor
 *	rely swarm R K          R rounds of K forked children alive at once;
 *	                        say "round I" after each (all of it reaped) and
 *	                        "swarm forked=N" at the end; exit 1 if a fork
 *	                        failed
 *	rely bomb D MS          a binary fork tree D levels deep whose forks may
 *	                        fail (ulimit -u); every process lives MS
 *	                        milliseconds; say "bomb forked=N failed=M"
 *	rely nodump N           touch N MiB, become non-dumpable (its /proc
 *	                        files then need privilege to read), truth peak
 *	rely ids                say "uid=R euid=E"
 *
 * Lines go to stdout, written with one write(2) each so that a test reading
 * the pipe sees whole lines.
 */
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "rely"
#include "workload.h"

/* One line, one write(2): a reader of the pipe never sees half of it. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char line[4200];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	(void)wl_write_all(STDOUT_FILENO, line, (size_t)n);
}

static __attribute__((noreturn)) void wait_forever(void)
{
	for (;;)
		pause();
}

/* ------------------------------------------------------------ catch */

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught = sig;
}

static int cmd_catch(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;

	(void)argc;
	(void)argv;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaddset(&block, sigs[i]);
		sigaction(sigs[i], &sa, NULL);
	}
	/* Blocked until sigsuspend: a signal sent right after "ready" is not lost. */
	sigprocmask(SIG_BLOCK, &block, &old);
	say("ready %d\n", (int)getpid());
	while (!caught)
		sigsuspend(&old);
	say("caught %d\n", (int)caught);
	return 100 + caught;
}

/* ------------------------------------------------------------ ticker */

static unsigned long tick_ms;

static void *tick_main(void *arg)
{
	(void)arg;
	for (;;) {
		if (wl_write_all(STDOUT_FILENO, "t", 1))
			exit(0);
		sleep_ms(tick_ms);
	}
	return NULL;
}

static int cmd_ticker(int argc, char **argv)
{
	unsigned long nthreads = argc > 1 ? arg_num(argv[1]) : 1;
	pthread_t tid;

	tick_ms = arg_num(argv[0]);
	if (nthreads < 1 || nthreads > 64)
		die("ticker: T must be 1..64");
	say("ready %d\n", (int)getpid());
	for (unsigned long i = 1; i < nthreads; i++)
		if (pthread_create(&tid, NULL, tick_main, NULL))
			die("pthread_create failed");
	tick_main(NULL);
	return 0;
}

/* ------------------------------------------------------------ pids, orphan */

static int cmd_pids(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]);

	(void)argc;
	say("pid %d\n", (int)getpid());
	for (unsigned long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			wait_forever();
		say("pid %d\n", (int)pid);
	}
	say("ready\n");
	wait_forever();
}

static int cmd_orphan(int argc, char **argv)
{
	unsigned long ms = arg_num(argv[0]);
	pid_t pid;

	(void)argc;
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		sleep_ms(ms);
		_exit(0);
	}
	say("orphan %d\n", (int)pid);
	return 0;
}

/* ------------------------------------------------------------ fds */

static int cmd_fds(int argc, char **argv)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	(void)argc;
	(void)argv;
	if (!d)
		die("cannot open /proc/self/fd");
	while ((e = readdir(d))) {
		char path[300], target[4096];
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		say("fd %s %s\n", e->d_name, target);
	}
	closedir(d);
	return 0;
}

/* ------------------------------------------------------------ swarm */

static int cmd_swarm(int argc, char **argv)
{
	unsigned long rounds = arg_num(argv[0]), k = arg_num(argv[1]), forked = 0;
	int rc = 0;

	(void)argc;
	for (unsigned long r = 0; r < rounds; r++) {
		int go[2];
		unsigned long n;
		int st;

		if (pipe(go))
			die("pipe failed");
		for (n = 0; n < k; n++) {
			pid_t pid = fork();
			char c;

			if (pid < 0) {
				rc = 1;
				break;
			}
			if (pid == 0) {
				/* All K alive at once: each waits for the round's go. */
				close(go[1]);
				while (read(go[0], &c, 1) < 0 && errno == EINTR)
					;
				_exit(0);
			}
			forked++;
		}
		close(go[0]);
		close(go[1]);
		while (n--) {
			if (wait(&st) < 0)
				die("wait failed");
			if (!WIFEXITED(st) || WEXITSTATUS(st))
				rc = 1;
		}
		say("round %lu\n", r + 1);
	}
	say("swarm forked=%lu\n", forked);
	return rc;
}

/* ------------------------------------------------------------ bomb */

struct bomb_counts {
	unsigned long forked, failed;
};

static void bomb_node(struct bomb_counts *c, unsigned long depth, unsigned long ms)
{
	pid_t kids[2];
	int n = 0;

	for (int i = 0; depth && i < 2; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			__atomic_add_fetch(&c->failed, 1, __ATOMIC_RELAXED);
			continue;
		}
		if (pid == 0) {
			bomb_node(c, depth - 1, ms);
			_exit(0);
		}
		__atomic_add_fetch(&c->forked, 1, __ATOMIC_RELAXED);
		kids[n++] = pid;
	}
	sleep_ms(ms);
	while (n--)
		while (waitpid(kids[n], NULL, 0) < 0 && errno == EINTR)
			;
}

static int cmd_bomb(int argc, char **argv)
{
	unsigned long depth = arg_num(argv[0]), ms = arg_num(argv[1]);
	struct bomb_counts *c;

	(void)argc;
	if (depth > 20)
		die("bomb: D must be 0..20");
	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED)
		die("mmap failed");
	bomb_node(c, depth, ms);
	say("bomb forked=%lu failed=%lu\n", c->forked, c->failed);
	return 0;
}

/* ------------------------------------------------------------ nodump, ids */

static int cmd_nodump(int argc, char **argv)
{
	(void)argc;
	wl_prewarm();
	if (!wl_touch(arg_num(argv[0]) * WL_MIB))
		die("mmap failed");
	if (prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L))
		die("prctl(PR_SET_DUMPABLE) failed");
	wl_final_exit(0);
}

static int cmd_ids(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	say("uid=%d euid=%d\n", (int)getuid(), (int)geteuid());
	return 0;
}

/* One subcommand a line. */
/* clang-format off */
static const struct wl_subcommand subcommands[] = {
	{ "catch", 0, NULL, false, cmd_catch },
	{ "ticker", 1, NULL, false, cmd_ticker },
	{ "pids", 1, NULL, false, cmd_pids },
	{ "orphan", 1, NULL, false, cmd_orphan },
	{ "fds", 0, NULL, false, cmd_fds },
	{ "swarm", 2, NULL, false, cmd_swarm },
	{ "bomb", 2, NULL, false, cmd_bomb },
	{ "nodump", 1, NULL, false, cmd_nodump },
	{ "ids", 0, NULL, false, cmd_ids },
};
/* clang-format on */

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
