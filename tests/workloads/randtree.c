/*
 * randtree: a random process tree, built from a seed, that logs its own
 * truth (issue 16).  The checker (tests/lib/treecheck.c) compares the log
 * with maxrss-sc's JSON report of the same run.
 *
 *	randtree LOG SEED               the root of a new tree
 *	randtree LOG node SEED DEPTH IMAGE
 *	                                an image exec'd by the tree (internal)
 *
 * From its seed every image draws a few actions and an end.  The actions:
 * memory touched and freed at random sizes and times; fork; vfork + exec;
 * posix_spawn; clone() with every combination of CLONE_VM, CLONE_VFORK and
 * CLONE_PARENT (a CLONE_VM child may exec, fork a grandchild, free its
 * lender's memory, or end without an image); threads that touch memory,
 * create threads, exec while others create threads, outlive their leader,
 * or die alone by their own seccomp filter; seccomp filters of the tree's
 * own (RET_TRACE with misleading data, RET_ERRNO, RET_KILL_PROCESS); exec
 * chains with failed execs (ENOENT, EACCES) through execve and execveat; a
 * child SIGKILLed while it forks in a loop; a child that ignores SIGTERM;
 * children killed by SIGTERM, SIGKILL, SIGSEGV; double-forked orphans that
 * may outlive the root; children reaped at once, late or never.  The ends:
 * exit with a random code, SIGSEGV, SIGTERM, SIGKILL, SIGSYS (its own
 * filter), exec, exit_group while threads are being created.
 *
 * The log: LOG is opened O_APPEND by every image, and every line is one
 * write(2), so the file's order is an order of events:
 *
 *	t=NS pid=P img=I ev=EVENT [kind=K] [key=N]...
 *
 * img is the image's index as maxrss-sc numbers them (-1 for a process
 * that has no image yet: a vfork, posix_spawn or CLONE_VM child before its
 * exec).  Events:
 *	proc    a process's first line: creator= ppid= (getppid()) st= (its
 *	        start time in clock ticks, to tell it from a later process with
 *	        the same pid) kind=root|fork|vfork|spawn|clone
 *	        declared= (CLONE_PARENT: the parent its creator expects)
 *	start   an image begins: kind=root|fork|clone|exec
 *	read    rss= pss= uss= (bytes): /proc/self/smaps_rollup, read after
 *	        every change of the image's memory and before its end
 *	threads n=: the most tasks this image will run at once (an upper bound)
 *	exec    an exec is tried (errno= when it failed: execfail)
 *	hold    the image was sampled (an execve that failed with EACCES: the
 *	        tracer reads the whole image at its entry) holding uss=; it
 *	        frees nothing until unhold
 *	unhold  the hold is over
 *	reaped  pid= code= sig= (the status of a child this image waited for)
 *	kill    pid= sig= (sent)
 *	end     how=exit code= | how=signal sig= | how=await sig= (it waits to
 *	        be killed by that signal) | how=noimage code= (a CLONE_VM
 *	        child that exits without an image)
 *	bad     what= (the tree saw something wrong: e.g. a syscall result)
 *
 * A child that shares its parent's memory (CLONE_VM, vfork) runs on a stack
 * of its own and makes system calls only: no stdio, no malloc, no write to
 * anything its parent owns.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "randtree"
#include "workload.h"

#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif
#ifndef SECCOMP_RET_KILL_THREAD
#define SECCOMP_RET_KILL_THREAD 0x00000000U
#endif
#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

extern char **environ;

/* The shape of a tree: how deep, how many children, how much memory. */
#define MAX_DEPTH 3
#define MAX_REGIONS 16
#define MAX_TOUCH_MIB 12
#define STACK_BYTES ((size_t)128 * 1024)
/* A forker forks at most this many children before it waits to be killed. */
#define FORKER_MAX 24

/* ------------------------------------------------------------ state of the image */

/*
 * Written by the image's own main line only (never by a CLONE_VM child or a
 * thread without the lock): a CLONE_VM child reads them, its parent's.
 */
static int logfd = -1;
static char logpath[4096];
static char self[4096];
static int depth;
static int image;     /* this image's index */
static bool forkcopy; /* a forked copy of its parent's image: its exec is not read in full */
static uint64_t rng;  /* this image's random sequence */
static int maxthreads = 1;

struct region {
	void *p;
	size_t len;
};
static struct region regions[MAX_REGIONS];
static int nregions;

/* Threads of this image touch and read under it. */
static pthread_mutex_t mem_lock = PTHREAD_MUTEX_INITIALIZER;

/* ------------------------------------------------------------ random */

static uint64_t splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n) from s. */
static unsigned long below(uint64_t *s, unsigned long n)
{
	return n ? (unsigned long)(splitmix(s) % n) : 0;
}

static bool chance(uint64_t *s, unsigned percent)
{
	return below(s, 100) < percent;
}

/* ------------------------------------------------------------ time */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A raw sleep: usable in a child that shares its parent's memory. */
static void sleep_us(unsigned long us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000L };

	while (syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

/* ------------------------------------------------------------ the log */

/*
 * One line: "t= pid= img= ev=EVENT [kind=KIND]" then pairs (const char *key,
 * long value) ended by a NULL key.  One write(2), a buffer on the stack.
 */
static void say(int img, const char *ev, const char *kind, ...)
{
	char line[512], *p = line, *end = line + sizeof(line) - 48;
	const char *key;
	va_list ap;

	p = wl_append(p, "t=");
	p = wl_append_u(p, now_ns());
	p = wl_append(p, " pid=");
	p = wl_append_u(p, (uint64_t)syscall(SYS_getpid));
	p = wl_append(p, " img=");
	if (img < 0)
		p = wl_append(p, "-1");
	else
		p = wl_append_u(p, (uint64_t)img);
	p = wl_append(p, " ev=");
	p = wl_append(p, ev);
	if (kind) {
		p = wl_append(p, " kind=");
		p = wl_append(p, kind);
	}
	va_start(ap, kind);
	while ((key = va_arg(ap, const char *)) && p + strlen(key) < end) {
		long v = va_arg(ap, long);

		*p++ = ' ';
		p = wl_append(p, key);
		*p++ = '=';
		if (v < 0) {
			*p++ = '-';
			v = -v;
		}
		p = wl_append_u(p, (uint64_t)v);
	}
	va_end(ap);
	*p++ = '\n';
	(void)wl_write_all(logfd, line, (size_t)(p - line));
}

#define END NULL

/* Field 22 of /proc/self/stat: the start time, in clock ticks.  Stack only. */
static long start_ticks(void)
{
	char buf[1024], *p;
	long n;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After ") ": state is field 3, starttime field 22. */
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/* The first line of a process. */
static void say_proc(int img, const char *kind, long creator, long declared)
{
	say(img, "proc", kind, "creator", creator, "ppid", (long)syscall(SYS_getppid), "st",
	    start_ticks(), "declared", declared, END);
}

/* ------------------------------------------------------------ readings */

/* Rss, Pss and the private pages (USS) of this process, in bytes. */
struct reading {
	uint64_t rss, pss, uss;
};

static int read_rollup(struct reading *r)
{
	static char buf[4096];
	size_t len = 0;
	/* thread-self: once the leader has exited, /proc/self shows no mm. */
	int fd = open("/proc/thread-self/smaps_rollup", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	r->rss = wl_rollup_field(buf, "Rss");
	r->pss = wl_rollup_field(buf, "Pss");
	r->uss = wl_rollup_field(buf, "Private_Clean") + wl_rollup_field(buf, "Private_Dirty");
	return r->rss ? 0 : -1;
}

/* Read and log; the caller holds mem_lock when threads may be running. */
static struct reading reading(void)
{
	struct reading r = { 0, 0, 0 };

	if (read_rollup(&r) == 0)
		say(image, "read", NULL, "rss", (long)r.rss, "pss", (long)r.pss, "uss", (long)r.uss,
		    END);
	return r;
}

/* ------------------------------------------------------------ memory */

static void touch_region(uint64_t *s)
{
	size_t bytes = (1 + below(s, MAX_TOUCH_MIB)) * WL_MIB / (chance(s, 30) ? 4 : 1);
	void *m;

	if (nregions >= MAX_REGIONS)
		return;
	m = wl_touch(bytes);
	if (!m)
		die("mmap failed");
	regions[nregions].p = m;
	regions[nregions].len = bytes;
	nregions++;
	(void)reading();
}

static void free_region(uint64_t *s)
{
	unsigned long i;

	if (!nregions)
		return;
	i = below(s, (unsigned long)nregions);
	if (munmap(regions[i].p, regions[i].len))
		die("munmap failed");
	regions[i] = regions[--nregions];
	(void)reading();
}

/* ------------------------------------------------------------ exec */

/* The arguments of the exec'd image: randtree LOG node SEED DEPTH IMAGE. */
struct exec_args {
	char seed[24], depth[24], img[24];
	char *argv[8];
};

static void make_args(struct exec_args *a, uint64_t seed, int d, int img)
{
	char *p;

	p = wl_utoa(seed, a->seed + sizeof(a->seed));
	memmove(a->seed, p, strlen(p) + 1);
	p = wl_utoa((uint64_t)d, a->depth + sizeof(a->depth));
	memmove(a->depth, p, strlen(p) + 1);
	p = wl_utoa((uint64_t)img, a->img + sizeof(a->img));
	memmove(a->img, p, strlen(p) + 1);
	a->argv[0] = self;
	a->argv[1] = logpath;
	a->argv[2] = (char *)"node";
	a->argv[3] = a->seed;
	a->argv[4] = a->depth;
	a->argv[5] = a->img;
	a->argv[6] = NULL;
}

/*
 * Exec the next image (index next_img, from seed) of this process, after 0
 * to 2 failed execs (ENOENT, EACCES: LOG is no program), through execve or
 * execveat.  Only system calls: a vfork or CLONE_VM child calls it.
 * Returns only when the real exec failed.
 */
static void exec_next(int cur_img, uint64_t seed, int d, int next_img, unsigned fails, bool via_fd)
{
	struct exec_args a;
	static char *const none[] = { NULL };
	long rc;

	make_args(&a, seed, d, next_img);
	for (unsigned i = 0; i < fails; i++) {
		const char *path = (i + seed) % 2 ? "/nonexistent/randtree" : logpath;

		say(cur_img, "exec", NULL, "fail", 1L, END);
		rc = syscall(SYS_execve, path, none, environ);
		say(cur_img, "execfail", NULL, "errno", rc < 0 ? (long)errno : 0L, END);
	}
	say(cur_img, "exec", NULL, "fail", 0L, END);
	if (via_fd) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, self, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			syscall(SYS_execveat, fd, "", a.argv, environ, AT_EMPTY_PATH);
	}
	syscall(SYS_execve, self, a.argv, environ);
	say(cur_img, "bad", "exec", "errno", (long)errno, END);
}

/* ------------------------------------------------------------ ends */

static void prewarm(void)
{
	struct reading r;

	(void)read_rollup(&r);
	(void)kill(getpid(), 0);
	(void)munmap(NULL, 0);
	sleep_us(0);
}

/* The last reading, then the end: nothing in between touches new pages. */
static __attribute__((noreturn)) void end_exit(int code)
{
	say(image, "end", "exit", "code", (long)code, END);
	(void)reading();
	syscall(SYS_exit_group, code);
	_exit(code);
}

/* NULL, but the compiler may not know it: the SIGSEGV of end_signal. */
static int *volatile nowhere;

static __attribute__((noreturn)) void end_signal(int sig)
{
	say(image, "end", "signal", "sig", (long)sig, END);
	(void)reading();
	if (sig == SIGSEGV)
		*nowhere = 0; /* a real fault, not a kill */
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), sig);
	for (;;)
		pause();
}

/* ------------------------------------------------------------ seccomp of the tree's own */

static void load_filter(long nr, unsigned int action, bool thread_only)
{
	struct sock_filter insns[] = {
#ifdef NATIVE_AUDIT_ARCH
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = (unsigned short)(sizeof(insns) / sizeof(insns[0])),
				   .filter = insns };

	(void)thread_only; /* no TSYNC: a filter is the calling thread's and its children's */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("cannot load a seccomp filter");
}

/*
 * A filter of the tree's own, kept by every later image and child: RET_TRACE
 * with data that are maxrss-sc's own ids for other syscalls, RET_ERRNO, or
 * a plain ALLOW.  The calls they catch must still behave.
 */
static void own_filter(uint64_t *s)
{
	static const long traced[] = { SYS_getppid,    SYS_wait4, SYS_execve,
				       SYS_exit_group, SYS_clone, SYS_getpid };
	unsigned kind = (unsigned)below(s, 4);

	if (kind == 0) {
		long nr = traced[below(s, sizeof(traced) / sizeof(traced[0]))];
		unsigned data = (unsigned)below(s, 16);

		say(image, "filter", "trace", "nr", nr, "data", (long)data, END);
		load_filter(nr, SECCOMP_RET_TRACE | data, false);
	} else if (kind == 1) {
		say(image, "filter", "errno", END);
		load_filter(SYS_acct, SECCOMP_RET_ERRNO | EPERM, false);
		errno = 0;
		if (syscall(SYS_acct, NULL) != -1 || errno != EPERM)
			say(image, "bad", "acct-errno", "errno", (long)errno, END);
	} else if (kind == 2) {
		say(image, "filter", "allow", END);
		load_filter(SYS_acct, SECCOMP_RET_ALLOW, false);
	} else {
		pid_t want = getppid(), got;

		say(image, "filter", "trace-getppid", END);
		load_filter(SYS_getppid, SECCOMP_RET_TRACE | 2, false);
		got = (pid_t)syscall(SYS_getppid);
		/* Re-parented meanwhile: the subreaper.  Anything else is wrong. */
		if (got != want && got != getppid())
			say(image, "bad", "getppid", "got", (long)got, "want", (long)want, END);
	}
	(void)reading();
}

/* ------------------------------------------------------------ children */

static void node_run(void) __attribute__((noreturn));
static void reap_all(bool log);

/* A forked child: a full node one level down, its first image a copy of ours. */
static void become_fork_child(uint64_t seed, long creator, const char *kind)
{
	depth++;
	image = 0;
	forkcopy = true;
	rng = seed;
	maxthreads = 1;
	say_proc(0, kind, creator, 0);
	say(0, "start", kind, END);
	prewarm();
	(void)reading();
}

/* Wait for pid: log its status.  false when it is not ours (or gone). */
static bool reap(pid_t pid, int flags)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL | flags);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return false;
	if (WIFEXITED(st))
		say(image, "reaped", NULL, "pid", (long)r, "code", (long)WEXITSTATUS(st), "sig", 0L,
		    END);
	else
		say(image, "reaped", NULL, "pid", (long)r, "code", -1L, "sig", (long)WTERMSIG(st),
		    END);
	return true;
}

/* Children not yet waited for, so that they may be reaped late or never. */
static pid_t pending[64];
static int npending;

static void later(pid_t pid)
{
	if (npending < (int)(sizeof(pending) / sizeof(pending[0])))
		pending[npending++] = pid;
}

static void reap_some(uint64_t *s)
{
	while (npending && chance(s, 50))
		reap(pending[--npending], 0);
}

/* The start handshake: the child says it has logged its first line. */
static void wait_started(int fd)
{
	char c;

	while (read(fd, &c, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

static void started(int fd)
{
	(void)!write(fd, "s", 1);
	close(fd);
}

static void action_fork(uint64_t *s)
{
	uint64_t seed = splitmix(s);
	long me = getpid();
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(p[0]);
		npending = 0;
		become_fork_child(seed, me, "fork");
		started(p[1]);
		node_run();
	}
	close(p[1]);
	wait_started(p[0]);
	if (chance(s, 40))
		reap(pid, 0);
	else
		later(pid);
}

/* vfork, maybe a failed exec or two, then the exec of a node (image 0). */
static void action_vfork(uint64_t *s)
{
	uint64_t seed = splitmix(s);
	unsigned fails = (unsigned)below(s, 3);
	bool via_fd = chance(s, 30);
	int d = depth + 1;
	long me = getpid();
	pid_t pid;

	pid = vfork();
	if (pid == 0) {
		say_proc(-1, "vfork", me, 0);
		exec_next(-1, seed, d, 0, fails, via_fd);
		_exit(127);
	}
	if (pid < 0)
		die("vfork failed");
	if (chance(s, 40))
		reap(pid, 0);
	else
		later(pid);
}

/*
 * posix_spawn (glibc: clone(CLONE_VM | CLONE_VFORK)).  Its child logs
 * nothing before its exec: the exec'd image says "proc" for it.
 */
static void action_spawn(uint64_t *s)
{
	struct exec_args a;
	pid_t pid;

	make_args(&a, splitmix(s), depth + 1, 0);
	a.argv[2] = (char *)"spawned";
	if (posix_spawn(&pid, self, NULL, NULL, a.argv, environ))
		die("posix_spawn failed");
	say(image, "child", "spawn", "pid", (long)pid, END);
	if (chance(s, 40))
		reap(pid, 0);
	else
		later(pid);
}

/* ------------------------------------------------------------ clone */

struct clone_job {
	int flags;
	int what; /* CJ_* */
	uint64_t seed;
	long creator;
	long declared; /* CLONE_PARENT: the parent expected */
	int done;      /* write end: closed by exec or exit */
	int code;
	void *unmap; /* CJ_UNMAP: the lender's region */
	size_t unmap_len;
	int d;
};

enum { CJ_EXIT, CJ_EXEC, CJ_FORK, CJ_UNMAP, CJ_GROW };

static char *clone_stack;

/*
 * A clone child.  With CLONE_VM it runs on our memory: system calls only,
 * its own stack, and it writes nothing of ours.  Without, it is a copy (its
 * first image a copy of ours) that still makes system calls only: a clone
 * that is not fork() leaves libc's locks as another thread held them.
 */
static int clone_child(void *arg)
{
	struct clone_job j = *(struct clone_job *)arg;
	bool vm = j.flags & CLONE_VM;
	const char *kind = "clone";
	int img = vm ? -1 : 0;

	say_proc(img, kind, j.creator, j.declared);
	if (!vm) {
		/* Our own copy: our own statics from now on. */
		depth = j.d;
		image = 0;
		forkcopy = true;
		say(0, "start", kind, END);
	}
	switch (j.what) {
	case CJ_EXEC:
		if (!vm)
			(void)reading();
		exec_next(img, j.seed, j.d, img + 1, (unsigned)(j.seed % 3), j.seed % 5 == 0);
		syscall(SYS_exit_group, 127);
		break;
	case CJ_FORK: {
		/* A grandchild: a copy of the image we run on (ours, or our lender's). */
#ifdef SYS_fork
		long me = syscall(SYS_getpid), gc = syscall(SYS_fork);
#else
		/* No fork(2) on arm64 and other new ABIs: clone with fork's flags there. */
		long me = syscall(SYS_getpid), gc = syscall(SYS_clone, SIGCHLD, 0L, 0L, 0L, 0L);
#endif

		if (gc == 0) {
			syscall(SYS_close, j.done);
			depth = j.d + 1;
			image = 0;
			forkcopy = true;
			nregions = 0; /* the regions stay mapped; this copy keeps no list */
			say_proc(0, "fork", me, 0);
			say(0, "start", "fork", END);
			prewarm();
			(void)reading();
			if (!wl_touch((1 + j.seed % 6) * WL_MIB))
				_exit(1);
			(void)reading();
			end_exit((int)(j.seed % 50));
		}
		if (gc > 0 && j.seed % 2) {
			int st;

			syscall(SYS_wait4, gc, &st, __WALL, NULL);
		}
		break;
	}
	case CJ_UNMAP:
		if (vm && j.unmap)
			syscall(SYS_munmap, j.unmap, j.unmap_len);
		break;
	case CJ_GROW:
		if (!vm) {
			prewarm();
			if (!wl_touch((1 + j.seed % 8) * WL_MIB))
				_exit(1);
			(void)reading();
			end_exit(j.code);
		}
		break;
	default:
		break;
	}
	if (vm)
		say(-1, "end", "noimage", "code", (long)j.code, END);
	else
		end_exit(j.code);
	syscall(SYS_exit_group, j.code);
	return 0;
}

/*
 * clone() with a random combination of CLONE_VM, CLONE_VFORK and
 * CLONE_PARENT, exit signal SIGCHLD or none.  We wait until the child has
 * exec'd or exited (its copy of the pipe closes) before going on: its stack
 * is ours to reuse then.
 */
static void action_clone(uint64_t *s)
{
	static const int combos[] = { 0,
				      CLONE_VM,
				      CLONE_VFORK,
				      CLONE_PARENT,
				      CLONE_VM | CLONE_VFORK,
				      CLONE_VM | CLONE_PARENT,
				      CLONE_VFORK | CLONE_PARENT,
				      CLONE_VM | CLONE_VFORK | CLONE_PARENT };
	static struct clone_job job;
	int flags = combos[below(s, 8)];
	bool sigchld = (flags & CLONE_PARENT) || chance(s, 70);
	int p[2];
	pid_t pid;
	char c;

	if (!clone_stack) {
		clone_stack = wl_touch(STACK_BYTES);
		if (!clone_stack)
			die("mmap failed");
		(void)reading();
	}
	if (pipe2(p, O_CLOEXEC))
		die("pipe failed");
	memset(&job, 0, sizeof(job));
	job.flags = flags;
	job.seed = splitmix(s);
	job.creator = getpid();
	job.declared = (flags & CLONE_PARENT) ? (long)getppid() : 0;
	job.done = p[1];
	job.code = (int)below(s, 100);
	job.d = depth + 1;
	job.what = (int)below(s, 5);
	if (job.what == CJ_UNMAP && (flags & CLONE_VM) && nregions) {
		/* The lender's memory, freed by the helper: ours no longer. */
		job.unmap = regions[nregions - 1].p;
		job.unmap_len = regions[nregions - 1].len;
		nregions--;
	}
	say(image, "clone", NULL, "flags", (long)flags, "what", (long)job.what, END);
	pid = clone(clone_child, clone_stack + STACK_BYTES, flags | (sigchld ? SIGCHLD : 0), &job);
	if (pid < 0)
		die("clone failed");
	close(p[1]);
	/* EOF: the child has exec'd or exited (errno: a CLONE_VM child shares ours). */
	for (;;) {
		ssize_t n = read(p[0], &c, 1);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(p[0]);
	if (job.unmap)
		(void)reading();
	say(image, "child", "clone", "pid", (long)pid, END);
	if (!(flags & CLONE_PARENT)) {
		if (chance(s, 50))
			reap(pid, 0);
		else
			later(pid);
	}
}

/* ------------------------------------------------------------ signals */

/* A child holding memory that waits to be killed by sig, which we send. */
static void action_victim(uint64_t *s)
{
	static const int sigs[] = { SIGKILL, SIGTERM, SIGSEGV, SIGKILL };
	int sig = sigs[below(s, 4)], p[2];
	uint64_t seed = splitmix(s);
	long me = getpid();
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(p[0]);
		npending = 0;
		become_fork_child(seed, me, "fork");
		touch_region(&rng);
		say(image, "end", "await", "sig", (long)sig, END);
		(void)reading();
		started(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	wait_started(p[0]);
	sleep_us(below(s, 3000));
	if (kill(pid, sig))
		die("kill failed");
	say(image, "kill", NULL, "pid", (long)pid, "sig", (long)sig, END);
	if (chance(s, 60))
		reap(pid, 0);
	else
		later(pid);
}

/* A child that ignores SIGTERM: it is sent one, then told to exit. */
static void action_ignore_term(uint64_t *s)
{
	int p[2], go[2];
	uint64_t seed = splitmix(s);
	int code = (int)below(s, 100);
	long me = getpid();
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(p[0]);
		close(go[1]);
		npending = 0;
		signal(SIGTERM, SIG_IGN);
		become_fork_child(seed, me, "fork");
		say(image, "ignoreterm", NULL, END);
		started(p[1]);
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		end_exit(code);
	}
	close(p[1]);
	close(go[0]);
	wait_started(p[0]);
	kill(pid, SIGTERM);
	say(image, "kill", NULL, "pid", (long)pid, "sig", (long)SIGTERM, END);
	sleep_us(below(s, 2000));
	close(go[1]);
	if (chance(s, 50))
		reap(pid, 0);
	else
		later(pid);
}

/*
 * A child that forks in a loop (its children exit at once) is SIGKILLed by
 * us at a random moment: it may die in its fork, its last child may be
 * half made.
 */
static void action_kill_forker(uint64_t *s)
{
	uint64_t seed = splitmix(s);
	long me = getpid();
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		long forker;

		close(p[0]);
		npending = 0;
		become_fork_child(seed, me, "fork");
		say(image, "end", "await", "sig", (long)SIGKILL, END);
		(void)reading();
		started(p[1]);
		forker = getpid();
		for (int i = 0; i < FORKER_MAX; i++) {
			pid_t c = fork();

			if (c == 0) {
				depth++;
				say_proc(0, "fork", forker, 0);
				say(0, "start", "fork", END);
				end_exit(0);
			}
			if (c > 0)
				(void)waitpid(c, NULL, 0);
		}
		for (;;)
			pause();
	}
	close(p[1]);
	wait_started(p[0]);
	sleep_us(below(s, 4000));
	kill(pid, SIGKILL);
	say(image, "kill", NULL, "pid", (long)pid, "sig", (long)SIGKILL, END);
	reap(pid, 0);
}

/*
 * Double fork: the middle child exits (or crashes) once the grandchild has
 * logged its first line; the grandchild, re-parented to the subreaper,
 * holds memory for a while, maybe after the root has ended.
 */
static void action_orphan(uint64_t *s)
{
	uint64_t seed = splitmix(s), gseed = splitmix(s);
	unsigned long hold_us = below(s, 60000);
	int code = (int)below(s, 100);
	long me = getpid();
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		int q[2];
		long mid;
		pid_t g;

		close(p[0]);
		npending = 0;
		become_fork_child(seed, me, "fork");
		started(p[1]);
		mid = getpid();
		if (pipe2(q, O_CLOEXEC))
			die("pipe failed");
		g = fork();
		if (g == 0) {
			close(q[0]);
			become_fork_child(gseed, mid, "fork");
			started(q[1]);
			touch_region(&rng);
			sleep_us(hold_us);
			if (chance(&rng, 50))
				free_region(&rng);
			end_exit((int)below(&rng, 100));
		}
		close(q[1]);
		wait_started(q[0]);
		/* A crashed parent, one in four (from code: no draw, every seed's tree stays). */
		if (code % 4 == 0)
			end_signal(SIGSEGV);
		end_exit(code);
	}
	close(p[1]);
	wait_started(p[0]);
	if (chance(s, 50))
		reap(pid, 0);
	else
		later(pid);
}

/*
 * The proof of a concurrent sum: we hold memory and are read in full (an
 * execve that fails with EACCES: the tracer reads the image at its entry),
 * then a child of ours lives and ends; we free nothing until we have
 * reaped it.  Only an image that is not a forked copy is read in full at
 * an execve.  The memory held is MADV_DONTFORK: no child shares it, so
 * every later reading of ours, a timed pass too, counts all of it in our
 * PSS (a page shared with children that have since ended would count only
 * its share of the time it was read: the tree sums use the latest sample).
 */
static void action_hold(uint64_t *s)
{
	static char *const none[] = { NULL };
	size_t bytes = (1 + below(s, MAX_TOUCH_MIB)) * WL_MIB, page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *v;
	void *m;

	if (forkcopy)
		return;
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || madvise(m, bytes, MADV_DONTFORK))
		die("mmap or madvise failed");
	v = m;
	for (size_t off = 0; off < bytes; off += page)
		v[off] = (char)(off / page + 1);
	(void)reading();
	say(image, "exec", NULL, "fail", 1L, END);
	if (execve(logpath, none, environ) == 0 || errno != EACCES) {
		say(image, "bad", "hold-exec", "errno", (long)errno, END);
		munmap(m, bytes);
		return;
	}
	say(image, "execfail", NULL, "errno", (long)EACCES, END);
	say(image, "hold", NULL, "uss", (long)bytes, END);
	switch (below(s, 3)) {
	case 0: {
		uint64_t seed = splitmix(s);
		long me = getpid();
		int p[2];
		pid_t pid;

		if (pipe2(p, O_CLOEXEC))
			die("pipe failed");
		pid = fork();
		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			close(p[0]);
			npending = 0;
			become_fork_child(seed, me, "fork");
			started(p[1]);
			touch_region(&rng);
			node_run();
		}
		close(p[1]);
		wait_started(p[0]);
		reap(pid, 0);
		break;
	}
	case 1: {
		struct exec_args a;
		pid_t pid;

		make_args(&a, splitmix(s), depth + 1, 0);
		a.argv[2] = (char *)"spawned";
		if (posix_spawn(&pid, self, NULL, NULL, a.argv, environ))
			die("posix_spawn failed");
		say(image, "child", "spawn", "pid", (long)pid, END);
		reap(pid, 0);
		break;
	}
	default:
		action_victim(s);
		reap_all(true);
		break;
	}
	say(image, "unhold", NULL, END);
	munmap(m, bytes);
	(void)reading();
}

/* ------------------------------------------------------------ threads */

struct worker {
	uint64_t seed;
	pthread_t t;
};

static void *trivial(void *arg)
{
	return arg;
}

/* Creates and joins threads until the process ends. */
static void *churn(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_t t;

		if (pthread_create(&t, NULL, trivial, NULL) == 0)
			pthread_join(t, NULL);
	}
	return NULL;
}

static void start_churn(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, churn, NULL))
			die("pthread_create failed");
	}
}

/* A worker: touches and frees memory of its own under the lock, maybe starts a thread. */
static void *work(void *arg)
{
	struct worker *w = arg;
	uint64_t s = w->seed;
	void *mine[3];
	size_t len[3];
	int n = 0;

	for (unsigned k = (unsigned)below(&s, 4); k; k--) {
		pthread_mutex_lock(&mem_lock);
		if (n && chance(&s, 40)) {
			n--;
			munmap(mine[n], len[n]);
		} else if (n < 3) {
			len[n] = (1 + below(&s, 6)) * WL_MIB;
			mine[n] = wl_touch(len[n]);
			if (mine[n])
				n++;
		}
		(void)reading();
		pthread_mutex_unlock(&mem_lock);
		if (chance(&s, 30)) {
			pthread_t t;

			if (pthread_create(&t, NULL, trivial, NULL) == 0)
				pthread_join(t, NULL);
		}
		sleep_us(below(&s, 2000));
	}
	/* What is left stays mapped: this image's memory, in its later readings. */
	return NULL;
}

static void *kill_myself(void *arg)
{
	(void)arg;
	load_filter(SYS_acct, SECCOMP_RET_KILL_THREAD, true);
	(void)syscall(SYS_acct, NULL);
	return (void *)1; /* not reached */
}

struct exec_later {
	unsigned long delay_us;
	uint64_t seed;
};

static void *exec_thread(void *arg)
{
	struct exec_later *e = arg;

	sleep_us(e->delay_us);
	(void)reading(); /* the churners change no memory of their own */
	exec_next(image, e->seed, depth, image + 1, (unsigned)(e->seed % 2), e->seed % 3 == 0);
	die("exec failed");
}

/* The leader leaves (pthread_exit); the last thread goes on with the node. */
static void *successor(void *arg)
{
	(void)arg;
	/* pthread_create faulted libc code in (about 1 MiB in a forked copy): read it. */
	(void)reading();
	sleep_us(below(&rng, 3000));
	node_run();
}

/*
 * Threads: workers with memory (joined), a thread killed alone by its own
 * filter, an exec from a thread while two others create threads, exit_group
 * while threads are created, or a leader that leaves first.  The last three
 * end this image or hand it on.
 */
static void action_threads(uint64_t *s, bool may_end)
{
	unsigned kind = may_end ? (unsigned)below(s, 5) : (unsigned)below(s, 2);

	if (kind == 0) {
		struct worker w[3];
		int n = 1 + (int)below(s, 3);

		maxthreads += 2 * n;
		say(image, "threads", NULL, "n", (long)maxthreads, END);
		for (int i = 0; i < n; i++) {
			w[i].seed = splitmix(s);
			if (pthread_create(&w[i].t, NULL, work, &w[i]))
				die("pthread_create failed");
		}
		for (int i = 0; i < n; i++)
			pthread_join(w[i].t, NULL);
		pthread_mutex_lock(&mem_lock);
		(void)reading();
		pthread_mutex_unlock(&mem_lock);
	} else if (kind == 1) {
		pthread_t t;
		void *ret = NULL;

		maxthreads += 1;
		say(image, "threads", NULL, "n", (long)maxthreads, END);
		if (pthread_create(&t, NULL, kill_myself, NULL) || pthread_join(t, &ret) || ret)
			say(image, "bad", "kill-thread", END);
		(void)reading();
	} else if (kind == 2) {
		static struct exec_later e;
		pthread_t t;

		maxthreads += 8;
		say(image, "threads", NULL, "n", (long)maxthreads, END);
		e.delay_us = 500 + below(s, 8000);
		e.seed = splitmix(s);
		start_churn(2);
		if (pthread_create(&t, NULL, exec_thread, &e))
			die("pthread_create failed");
		pthread_join(t, NULL);
		die("the exec thread returned");
	} else if (kind == 3) {
		unsigned long delay = 500 + below(s, 8000);
		int code = (int)below(s, 100);

		maxthreads += 8;
		say(image, "threads", NULL, "n", (long)maxthreads, END);
		start_churn(2);
		sleep_us(delay);
		pthread_mutex_lock(&mem_lock);
		end_exit(code);
	} else {
		pthread_t t;

		maxthreads += 1;
		say(image, "threads", NULL, "n", (long)maxthreads, END);
		if (pthread_create(&t, NULL, successor, NULL))
			die("pthread_create failed");
		pthread_exit(NULL);
	}
}

/* ------------------------------------------------------------ the node */

static void reap_all(bool log)
{
	while (npending)
		reap(pending[--npending], 0);
	/* Children of CLONE_PARENT made by ours, and anything else left. */
	while (log && reap(-1, WNOHANG))
		;
}

/* How many children an image at this depth may make. */
static unsigned child_budget(void)
{
	static const unsigned budget[MAX_DEPTH + 1] = { 5, 3, 2, 0 };

	return depth <= MAX_DEPTH ? budget[depth] : 0;
}

static void node_run(void)
{
	uint64_t *s = &rng;
	unsigned kids = 0, budget = child_budget();
	unsigned nact = 1 + (unsigned)below(s, 5);
	unsigned how;

	for (unsigned i = 0; i < nact; i++) {
		unsigned a = (unsigned)below(s, 100);

		if (a < 18) {
			touch_region(s);
		} else if (a < 28) {
			free_region(s);
		} else if (a < 33) {
			sleep_us(below(s, 5000));
		} else if (a < 37) {
			own_filter(s);
		} else if (a < 45) {
			action_threads(s, false);
		} else if (kids >= budget) {
			touch_region(s);
		} else {
			kids++;
			switch (below(s, 10)) {
			case 0:
				action_fork(s);
				break;
			case 1:
				action_vfork(s);
				break;
			case 2:
				action_spawn(s);
				break;
			case 3:
				action_clone(s);
				break;
			case 4:
				action_victim(s);
				break;
			case 5:
				action_ignore_term(s);
				break;
			case 6:
				action_kill_forker(s);
				break;
			case 7:
				action_orphan(s);
				break;
			case 8:
				action_hold(s);
				break;
			default:
				action_clone(s);
				break;
			}
		}
		reap_some(s);
		/* What the action ran (libc code a forked copy faults anew) is in the truth. */
		(void)reading();
	}
	if (chance(s, 60))
		reap_all(chance(s, 50));
	how = (unsigned)below(s, 100);
	if (how < 45)
		end_exit((int)below(s, 100));
	if (how < 55)
		end_signal(SIGSEGV);
	if (how < 62)
		end_signal(SIGTERM);
	if (how < 67)
		end_signal(SIGKILL);
	if (how < 72) {
		/* Killed by its own filter (SIGSYS). */
		say(image, "end", "signal", "sig", (long)SIGSYS, END);
		(void)reading();
		load_filter(SYS_acct, SECCOMP_RET_KILL_PROCESS, false);
		(void)syscall(SYS_acct, NULL);
		die("not killed by its own filter");
	}
	if (how < 82)
		action_threads(s, true);
	if (image < 6) {
		(void)reading();
		exec_next(image, splitmix(s), depth, image + 1, (unsigned)below(s, 3),
			  chance(s, 30));
		die("exec failed");
	}
	end_exit((int)below(s, 100));
}

/* ------------------------------------------------------------ main */

static void init_image(const char *log)
{
	ssize_t n;

	if (strlen(log) >= sizeof(logpath))
		die("LOG path too long");
	strcpy(logpath, log);
	logfd = open(logpath, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (logfd < 0)
		die("cannot open LOG");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		die("readlink /proc/self/exe failed");
	self[n] = '\0';
}

int main(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };

	if (argc == 3) {
		/* The root: no core files from the deaths to come. */
		init_image(argv[1]);
		setrlimit(RLIMIT_CORE, &no_core);
		rng = arg_num(argv[2]);
		depth = 0;
		image = 0;
		say_proc(0, "root", 0, 0);
		say(0, "start", "root", "seed", (long)rng, END);
	} else if (argc == 6 && (strcmp(argv[2], "node") == 0 || strcmp(argv[2], "spawned") == 0)) {
		init_image(argv[1]);
		rng = arg_num(argv[3]);
		depth = (int)arg_num(argv[4]);
		image = (int)arg_num(argv[5]);
		/* A posix_spawn child logged nothing before: this is its first line. */
		if (argv[2][0] == 's')
			say_proc(-1, "spawn", (long)getppid(), 0);
		say(image, "start", "exec", END);
	} else {
		wl_puts(STDERR_FILENO, "usage: randtree LOG SEED\n");
		return WL_EXIT_USAGE;
	}
	prewarm();
	(void)reading();
	node_run();
}
