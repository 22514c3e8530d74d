/*
 * wl: a multi-call workload with known memory behaviour, for the e2e tests.
 *
 *	wl touch-free N          touch N MiB, truth peak, munmap, truth end
 *	wl hold-exit N           touch N MiB, truth peak, exit holding it
 *	wl hold-square N         touch N*N/8 MiB, truth peak, exit holding it
 *	wl hold-env              touch $WL_MIB MiB, truth peak, exit holding it
 *	wl grow-exec N PROG ARG.. touch N MiB, truth peak, execv PROG
 *	wl threads K M           K threads hold M MiB each at once, truth peak
 *	wl spawn N PROG ARG..    touch N MiB, posix_spawn PROG, wait, truth peak
 *	wl fork-exec N K PROG ARG..
 *	                         touch N MiB, truth peak, then K times: fork,
 *	                         exec PROG in the child, wait
 *	wl fork-exit N K MS      touch N MiB, truth peak, sleep MS, then K times:
 *	                         fork a child that exits at once, wait
 *	wl forktree K M [MS]     K forked children hold M MiB each at once, then
 *	                         exit (child i MS*i milliseconds after the others)
 *	wl segv N                touch N MiB, truth peak, die of SIGSEGV
 *	wl exit N                exit with code N
 *	wl echo                  copy stdin to stdout, a line to stderr, exit 3
 *	wl sleep MS              sleep MS milliseconds
 *
 * Truth lines go to stdout (see workload.h).  Sizes are MiB.  Every memory
 * workload process also prints a last reading, what=final, right before it
 * _exit()s: the code it ran after its peak reading (thread exits, join, the
 * exit path) faults pages in, and the tests bound the peak from above by the
 * largest reading of the image.
 */
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "wl"
#include "workload.h"

extern char **environ;

/* ------------------------------------------------------------ subcommands */

static int cmd_touch_free(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]);
	void *m;

	(void)argc;
	/* Fault munmap's code in now, not while the peak is held (see wl_prewarm). */
	(void)munmap(NULL, 0);
	m = touch_mib(mib);
	truth("peak");
	/* The peak is now gone before any lifecycle stop: only VmHWM saw it. */
	if (munmap(m, mib * WL_MIB))
		die("munmap failed");
	truth("end");
	return 0;
}

static int cmd_hold_exit(int argc, char **argv)
{
	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	return 0;
}

/* Quadratic growth for the parameter-scan tests: N*N/8 MiB. */
static int cmd_hold_square(int argc, char **argv)
{
	unsigned long n = arg_num(argv[0]);

	(void)argc;
	touch_mib(n * n / 8);
	truth("peak");
	return 0;
}

/* The size from the environment: one command line, another size (baseline tests). */
static int cmd_hold_env(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	touch_mib(arg_num(getenv("WL_MIB")));
	truth("peak");
	return 0;
}

static int cmd_grow_exec(int argc, char **argv)
{
	static char *const none[] = { NULL };

	(void)argc;
	/* A failing exec faults execv's code in before the peak (see wl_prewarm). */
	(void)execv("", none);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	execv(argv[1], &argv[1]);
	die("execv failed");
}

struct thread_arg {
	unsigned long mib;
	pthread_barrier_t *held;    /* every thread holds its memory */
	pthread_barrier_t *release; /* the main thread has read its truth */
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;

	/* Kept mapped until exit: the whole K*M is still there at exit_group. */
	touch_mib(a->mib);
	pthread_barrier_wait(a->held);
	pthread_barrier_wait(a->release);
	return NULL;
}

static int cmd_threads(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]), i;
	pthread_barrier_t held, release;
	struct thread_arg a = { .mib = arg_num(argv[1]), .held = &held, .release = &release };
	pthread_t tid[64];

	(void)argc;
	if (k < 1 || k > 64)
		die("threads: K must be 1..64");
	if (pthread_barrier_init(&held, NULL, (unsigned)k + 1) ||
	    pthread_barrier_init(&release, NULL, (unsigned)k + 1))
		die("pthread_barrier_init failed");
	for (i = 0; i < k; i++)
		if (pthread_create(&tid[i], NULL, thread_main, &a))
			die("pthread_create failed");
	pthread_barrier_wait(&held);
	truth("peak");
	pthread_barrier_wait(&release);
	for (i = 0; i < k; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

/* Exit status of a child as a shell reports it: code, or 128 + signal. */
static int shell_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

static int cmd_spawn(int argc, char **argv)
{
	pid_t pid;
	int st, err;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	/* glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK): the child borrows our mm. */
	err = posix_spawn(&pid, argv[1], NULL, NULL, &argv[1], environ);
	if (err) {
		errno = err;
		die("posix_spawn failed");
	}
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid failed");
	truth("peak");
	return shell_status(st);
}

/* fork + exec, as a shell runs every command: the child is a copy of us until its exec. */
static int cmd_fork_exec(int argc, char **argv)
{
	unsigned long k = arg_num(argv[1]);
	int st = 0;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	for (unsigned long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			execv(argv[2], &argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid failed");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return shell_status(st);
	}
	return 0;
}

/* Forked children that never exec: copies of us that share every page. */
static int cmd_fork_exit(int argc, char **argv)
{
	unsigned long k = arg_num(argv[1]);
	int st = 0;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	sleep_ms(arg_num(argv[2]));
	for (unsigned long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid failed");
	}
	return 0;
}

/*
 * One forked child: wait until every sibling exists (so the shared pages'
 * PSS split does not change after the reading), touch, report, say ready,
 * then hold until the parent closes the release pipe.
 */
static __attribute__((noreturn)) void forktree_child(unsigned long mib, unsigned long linger_ms,
						     const int go[2], const int ready[2],
						     const int release[2])
{
	char c;

	close(go[1]);
	close(ready[0]);
	close(release[1]);
	wl_prewarm();
	if (read_full(go[0], &c, 1))
		_exit(1);
	touch_mib(mib);
	truth("child-peak");
	if (wl_write_all(ready[1], "r", 1))
		_exit(1);
	/* EOF on release: the parent has seen all K ready and held 300 ms. */
	while (read(release[0], &c, 1) < 0 && errno == EINTR)
		;
	/* Staggered exits: one by one, each reaped before the next exits. */
	if (linger_ms)
		sleep_ms(linger_ms);
	wl_final_exit(0);
}

static int forktree_wait(unsigned long k)
{
	int rc = 0, st;

	while (k--) {
		if (wait(&st) < 0)
			die("wait failed");
		if (shell_status(st))
			rc = 1;
	}
	return rc;
}

static int cmd_forktree(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]), mib = arg_num(argv[1]), i;
	unsigned long stagger = argc > 2 ? arg_num(argv[2]) : 0;
	int go[2], ready[2], release[2];
	char buf[256];

	if (k < 1 || k > sizeof(buf))
		die("forktree: K must be 1..256");
	if (pipe(go) || pipe(ready) || pipe(release))
		die("pipe failed");
	for (i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			forktree_child(mib, stagger * i, go, ready, release);
	}
	close(go[0]);
	close(ready[1]);
	close(release[0]);
	memset(buf, 'g', k);
	if (wl_write_all(go[1], buf, k))
		die("write failed");
	if (read_full(ready[0], buf, k))
		die("a child did not get ready");
	/* All K hold their memory now; give a sampling tracer time to see it. */
	sleep_ms(300);
	close(release[1]);
	return forktree_wait(k);
}

static int cmd_segv(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };

	(void)argc;
	/* A core dump of N MiB would only slow the test down. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGSEGV, SIG_DFL);
	/* Signal 0 runs raise()'s code without a signal: faulted in before the peak. */
	raise(0);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	raise(SIGSEGV);
	die("survived SIGSEGV");
}

static int cmd_exit(int argc, char **argv)
{
	(void)argc;
	return (int)(arg_num(argv[0]) & 0xff);
}

static int cmd_echo(int argc, char **argv)
{
	static char buf[65536];
	ssize_t n;

	(void)argc;
	(void)argv;
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (wl_write_all(STDOUT_FILENO, buf, (size_t)n))
			return 1;
	}
	wl_puts(STDERR_FILENO, "to-stderr\n");
	return 3;
}

static int cmd_sleep(int argc, char **argv)
{
	(void)argc;
	sleep_ms(arg_num(argv[0]));
	return 0;
}

static const struct wl_subcommand subcommands[] = {
	{ "touch-free", 1, NULL, true, cmd_touch_free },
	{ "hold-exit", 1, NULL, true, cmd_hold_exit },
	{ "hold-square", 1, NULL, true, cmd_hold_square },
	{ "hold-env", 0, NULL, true, cmd_hold_env },
	{ "grow-exec", 2, NULL, true, cmd_grow_exec },
	{ "threads", 2, NULL, true, cmd_threads },
	{ "spawn", 2, NULL, true, cmd_spawn },
	{ "fork-exec", 3, NULL, true, cmd_fork_exec },
	{ "fork-exit", 3, NULL, true, cmd_fork_exit },
	{ "forktree", 2, NULL, true, cmd_forktree },
	{ "segv", 1, NULL, true, cmd_segv },
	{ "exit", 1, NULL, false, cmd_exit },
	{ "echo", 0, NULL, false, cmd_echo },
	{ "sleep", 1, NULL, false, cmd_sleep },
};

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
