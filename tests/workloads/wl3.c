/*
 * wl3: workloads for the whole-tree tests (e2e-whole): memory held by
 * several processes at once, orphans, exec from a thread, SIGKILL, PATH
 * searches, allocate/free loops for --exact.
 *
 *	wl3 overlap N MS          parent and one forked child each touch N MiB,
 *	                          truth hold, hold it together MS milliseconds,
 *	                          munmap it (truth freed), then exit
 *	wl3 orphan N MS           fork a child that forks a grandchild and exits
 *	                          at once; the grandchild waits until the main
 *	                          process has exited, touches N MiB, truth
 *	                          orphan-peak, holds MS milliseconds, exits
 *	wl3 thread-exec N PROG ARG..
 *	                          touch N MiB, truth peak, then a second thread
 *	                          (not the leader) execv's PROG
 *	wl3 kill-self N MS        touch N MiB, truth peak, hold MS milliseconds,
 *	                          SIGKILL itself
 *	wl3 kill-child N MS       a forked child touches N MiB, truth
 *	                          child-peak, waits; the parent SIGKILLs it MS
 *	                          milliseconds later, exits 0 if it died of it
 *	wl3 pathexec N PATH PROG ARG..
 *	                          touch N MiB, truth peak, execvp PROG searched
 *	                          in PATH (one failed execve per earlier entry)
 *	wl3 alloc-loop ITER M     ITER rounds of mmap, touch, munmap of 1..8
 *	                          pages; round 2*ITER/3 maps M MiB instead and
 *	                          reads its truth peak just before the munmap
 *	wl3 brk-loop ITER M       the same with malloc/free of 16..23 pages on
 *	                          the brk heap (mallopt: no mmap below 32 MiB,
 *	                          trim at every free)
 *
 * Truth lines go to stdout (see workload.h); sizes are MiB.  Like wl, every
 * process that exits by itself prints a last reading, what=final, right
 * before _exit().
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "wl3"
#include "workload.h"

/* ------------------------------------------------------------ subcommands */

/*
 * Both processes hold N MiB at once for MS ms and free it before exit: no
 * lifecycle stop sees the overlap, only timed sampling can.  The child
 * reads its truth first and the parent after it has heard "ready", so that
 * every shared file page is mapped by both before either reading (the PSS
 * split then stays put until the frees).
 */
static int cmd_overlap(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]), ms = arg_num(argv[1]);
	int ready[2], release[2], st;
	void *m;
	pid_t pid;
	char c;

	(void)argc;
	prewarm_calls();
	if (pipe(ready) || pipe(release))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		wl_prewarm();
		prewarm_calls();
		m = touch_mib(mib);
		truth("hold");
		if (wl_write_all(ready[1], "r", 1))
			_exit(1);
		wait_eof(release[0]);
		if (munmap(m, mib * WL_MIB))
			die("munmap failed");
		truth("freed");
		wl_final_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	m = touch_mib(mib);
	if (read_full(ready[0], &c, 1))
		die("the child did not get ready");
	truth("hold");
	/* Both hold their N MiB now. */
	sleep_ms(ms);
	close(release[1]);
	if (munmap(m, mib * WL_MIB))
		die("munmap failed");
	truth("freed");
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid failed");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

/*
 * main -> middle -> grandchild; middle exits at once, so the grandchild is
 * re-parented (to the nearest child subreaper: maxrss-sc).  The grandchild
 * starts its work only at EOF on a pipe whose last writer is the main
 * process: it then surely outlives the command.
 */
static int cmd_orphan(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]), ms = arg_num(argv[1]);
	int gone[2], st;
	pid_t middle, grandchild;

	(void)argc;
	if (pipe(gone))
		die("pipe failed");
	middle = fork();
	if (middle < 0)
		die("fork failed");
	if (middle == 0) {
		grandchild = fork();
		if (grandchild < 0)
			_exit(1);
		if (grandchild > 0)
			_exit(0);
		close(gone[1]);
		wl_prewarm();
		prewarm_calls();
		wait_eof(gone[0]);
		touch_mib(mib);
		truth("orphan-peak");
		sleep_ms(ms);
		wl_final_exit(0);
	}
	close(gone[0]);
	if (waitpid(middle, &st, 0) != middle)
		die("waitpid failed");
	/* Returning closes gone[1] at exit: the grandchild goes on. */
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

struct exec_arg {
	int go;	   /* read end: a byte means "exec now" */
	int ready; /* write end: the thread is up and waiting */
	char **argv;
};

static void *exec_thread(void *p)
{
	struct exec_arg *a = p;
	char c;

	if (wl_write_all(a->ready, "r", 1) || read_full(a->go, &c, 1))
		die("exec thread: pipe failed");
	execv(a->argv[0], a->argv);
	die("execv failed");
}

/*
 * The thread is created and parked before the memory is touched, so that
 * its stack is already resident at the reading; it then execs while the
 * leader sleeps in pause(): the kernel kills the leader and the thread
 * takes over the thread group id.
 */
static int cmd_thread_exec(int argc, char **argv)
{
	static char *const none[] = { NULL };
	int go[2], ready[2];
	struct exec_arg a;
	pthread_t tid;
	char c;

	(void)argc;
	/* A failing exec faults execv's code in before the peak. */
	(void)execv("", none);
	if (pipe(go) || pipe(ready))
		die("pipe failed");
	a.go = go[0];
	a.ready = ready[1];
	a.argv = &argv[1];
	if (pthread_create(&tid, NULL, exec_thread, &a))
		die("pthread_create failed");
	if (read_full(ready[0], &c, 1))
		die("the exec thread did not start");
	touch_mib(arg_num(argv[0]));
	truth("peak");
	if (wl_write_all(go[1], "g", 1))
		die("write failed");
	for (;;)
		pause();
}

static int cmd_kill_self(int argc, char **argv)
{
	(void)argc;
	prewarm_calls();
	touch_mib(arg_num(argv[0]));
	truth("peak");
	sleep_ms(arg_num(argv[1]));
	kill(getpid(), SIGKILL);
	die("survived SIGKILL");
}

static int cmd_kill_child(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]), ms = arg_num(argv[1]);
	int ready[2], st;
	pid_t pid;
	char c;

	(void)argc;
	if (pipe(ready))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(ready[0]);
		wl_prewarm();
		touch_mib(mib);
		truth("child-peak");
		if (wl_write_all(ready[1], "r", 1))
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read_full(ready[0], &c, 1))
		die("the child did not get ready");
	sleep_ms(ms);
	if (kill(pid, SIGKILL))
		die("kill failed");
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid failed");
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ? 0 : 1;
}

static int cmd_pathexec(int argc, char **argv)
{
	static char *const none[] = { NULL };

	(void)argc;
	if (setenv("PATH", argv[1], 1))
		die("setenv failed");
	/* A name with a slash is one failed execve: execvp's code, faulted in. */
	(void)execvp("/nonexistent/wl3-prewarm", none);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	execvp(argv[2], &argv[2]);
	die("execvp failed");
}

static bool peak_round(unsigned long i, unsigned long iter)
{
	return i == iter * 2 / 3;
}

/* Round i of a loop of iter: base..base+7 pages, or peak_mib in the peak round. */
static size_t round_bytes(unsigned long i, unsigned long iter, unsigned long peak_mib,
			  unsigned long base)
{
	if (peak_round(i, iter))
		return peak_mib * WL_MIB;
	return (base + (i * 37) % 8) * (size_t)sysconf(_SC_PAGESIZE);
}

static void check_loop_args(unsigned long iter, unsigned long peak_mib)
{
	if (iter < 1 || peak_mib < 1)
		die("ITER and M must be at least 1");
}

/*
 * The truth is read with the peak round's memory touched and nothing freed
 * since: the exact RSS at the image's peak.  Hundreds of rounds after it
 * free again, so only an exact reading taken right before a munmap can find
 * the peak later.  Rounds are small (this VM takes ~25 us per page fault).
 */
static int cmd_alloc_loop(int argc, char **argv)
{
	unsigned long iter = arg_num(argv[0]), peak_mib = arg_num(argv[1]), i;

	(void)argc;
	check_loop_args(iter, peak_mib);
	(void)munmap(NULL, 0);
	for (i = 0; i < iter; i++) {
		size_t bytes = round_bytes(i, iter, peak_mib, 1);
		void *m = wl_touch(bytes);

		if (!m)
			die("mmap failed");
		if (peak_round(i, iter))
			truth("peak");
		if (munmap(m, bytes))
			die("munmap failed");
	}
	return 0;
}

/*
 * malloc from the brk heap only (mmap threshold at its 32 MiB maximum on
 * 64-bit), and every free() gives the heap top back with brk() at once: no
 * top pad, a one-page trim threshold, and blocks of 16..23 pages (glibc
 * considers trimming only after freeing 64 KiB or more).  So each round is
 * one growing and one shrinking brk, and the RSS falls only through brk.
 */
static int cmd_brk_loop(int argc, char **argv)
{
	unsigned long iter = arg_num(argv[0]), peak_mib = arg_num(argv[1]), i;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	(void)argc;
	check_loop_args(iter, peak_mib);
	if (peak_mib >= 32)
		die("brk-loop: M must be below 32 (the largest mmap threshold)");
	if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, (int)page) ||
	    !mallopt(M_TOP_PAD, 0))
		die("mallopt failed");
	for (i = 0; i < iter; i++) {
		size_t bytes = round_bytes(i, iter, peak_mib, 16), off;
		volatile char *p = malloc(bytes);

		if (!p)
			die("malloc failed");
		for (off = 0; off < bytes; off += page)
			p[off] = (char)(i + 1);
		if (peak_round(i, iter))
			truth("peak");
		free((void *)p);
	}
	return 0;
}

static const struct wl_subcommand subcommands[] = {
	{ "overlap", 2, "N MS", true, cmd_overlap },
	{ "orphan", 2, "N MS", true, cmd_orphan },
	{ "thread-exec", 2, "N PROG [ARG]...", true, cmd_thread_exec },
	{ "kill-self", 2, "N MS", true, cmd_kill_self },
	{ "kill-child", 2, "N MS", true, cmd_kill_child },
	{ "pathexec", 3, "N PATH PROG [ARG]...", true, cmd_pathexec },
	{ "alloc-loop", 2, "ITER M", true, cmd_alloc_loop },
	{ "brk-loop", 2, "ITER M", true, cmd_brk_loop },
};

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
