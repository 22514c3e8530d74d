/*
 * lifecycle: workloads for the task-lifecycle tests (e2e-lifecycle) and for
 * `make stress`: clone flags the tracer must read for itself, children of
 * processes without an image, exec through a descriptor, failed execs,
 * threads that die alone, the command's own seccomp filter, memory that
 * falls where --exact cannot see it, stopped orphans, and the races of
 * exit, SIGKILL and exec against thread and process creation.
 *
 *	lifecycle untraced-ptrace N
 *	        a clone(CLONE_UNTRACED | CLONE_PTRACE | SIGCHLD) child touches
 *	        N MiB, truth peak, exits 5; the parent waits and exits with the
 *	        child's code
 *	lifecycle clone-vm N MS
 *	        touch N MiB, truth peak; a clone(CLONE_VM | SIGCHLD) child sleeps
 *	        MS milliseconds and exits; say "clone-vm child=PID"
 *	lifecycle clone-vfork-novm N
 *	        a clone(CLONE_VFORK | SIGCHLD) child (no CLONE_VM: its own copy of
 *	        the memory) touches N MiB, truth peak, exits 8; exit 0 if it did
 *	lifecycle clone-parent
 *	        a clone(CLONE_PARENT | SIGCHLD) child says "clone-parent
 *	        child=PID ppid=P" with P its getppid(); the parent says
 *	        "clone-parent parent=PID" and waits for the child's end
 *	lifecycle borrower-fork clone-vm|vfork N
 *	        a clone(CLONE_VM) helper, or a vfork() child, forks a
 *	        grandchild that touches N MiB, truth peak, exits 7; the helper
 *	        waits for it; exit 0 if the grandchild exited 7
 *	lifecycle exec-fd proc|dev N PROG
 *	        touch N MiB, truth peak, then execve("/proc/self/fd/200") (or
 *	        "/dev/fd/200") of PROG opened as descriptor 200
 *	lifecycle failed-exec-pair N MS
 *	        parent and a forked child hold N MiB each at the same time for MS
 *	        milliseconds (truth hold each), the child after a failed
 *	        execve("/nonexistent/x"); both free it (truth freed) and exit
 *	lifecycle kill-thread N
 *	        a thread installs its own seccomp filter (that thread only) that
 *	        kills it at its next acct(2); it calls acct and dies alone; the
 *	        main thread joins it, then touches N MiB
 *	lifecycle own-filter N
 *	        install a filter returning SECCOMP_RET_TRACE | 2 for getppid,
 *	        call it, say "own-filter getppid=R expected=P", touch N MiB
 *	lifecycle memfd-shrink truncate|punch N
 *	        map N MiB of a memfd MAP_SHARED and touch it (truth peak), then
 *	        ftruncate it to 0 or punch it out (truth after)
 *	lifecycle helper-unmap N
 *	        touch N MiB (truth peak); a clone(CLONE_VM) helper munmaps it
 *	        (truth after)
 *	lifecycle stopped-orphan [ignore-hup]
 *	        fork a child, say "stopped-orphan child=PID", exit 0 at once; the
 *	        child (stdout and stderr on /dev/null) waits until it has been
 *	        re-parented, stops itself with SIGSTOP, exits 0 if continued;
 *	        with ignore-hup it ignores SIGHUP and stops itself again and again
 *	lifecycle exec-kill N SEED PROG
 *	        a child (lifecycle exec-kill-child N FD PROG, exec'd) touches N
 *	        MiB, truth peak, says so on descriptor FD and execs PROG; the
 *	        parent SIGKILLs it a random 0..1000 us after its mm has shrunk
 *	        (the exec is past its point of no return); say "exec-kill
 *	        delay_us=D child=PID seen_pages=P killed=0|1"
 *	lifecycle exit-churn SEED
 *	        two threads create and join threads in a loop; the main thread
 *	        calls exit(0) after a random 1..20 ms
 *	lifecycle sibling-kill SEED
 *	        child A forks children that exit at once and reaps them, in a
 *	        loop; its sibling B SIGKILLs A after a random 1..20 ms; exit 0
 *	lifecycle exec-churn SEED PROG
 *	        two threads create and join threads in a loop; a third thread
 *	        execs PROG after a random 1..20 ms
 *
 * Truth lines go to stdout (see workload.h), other lines as "NAME key=V..",
 * one write(2) each.  Sizes are MiB.  Every random delay comes from SEED, so
 * a run that went wrong can be run again as it was.
 *
 * A child that shares its parent's memory (CLONE_VM, vfork) runs on a stack
 * of its own and makes raw system calls only: no stdio, no malloc, nothing
 * that would change the parent's state under it.
 */
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "lifecycle"
#include "workload.h"

#ifndef SECCOMP_RET_KILL_THREAD
#define SECCOMP_RET_KILL_THREAD 0x00000000U /* SECCOMP_RET_KILL before Linux 4.14 */
#endif

#if defined(__x86_64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define NATIVE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

extern char **environ;

/* A clone() child's stack: plenty for the few calls a child makes. */
#define STACK_BYTES ((size_t)256 * 1024)

/*
 * A helper that shares its parent's memory: CLONE_VM, exit signal 0.  Not
 * SIGCHLD on purpose: the kernel then reports PTRACE_EVENT_CLONE, whose
 * flags a tracer reads at the clone stop, so the helper is known as a
 * borrower even by a tracer that ignores the flags of fork events (defect 2
 * of issue 10, which clone-vm tests on its own).  Waited for with __WALL.
 */
#define HELPER_FLAGS CLONE_VM

/*
 * exec-fd's descriptor: a number the tracer is unlikely to have open.  A
 * low one (3, 4) is open in maxrss-sc too, so a resolver that wrongly
 * stands in the tracer still finds "a" file there and gets it right by
 * chance.
 */
#define EXEC_FD 200

/*
 * The random delays of the racy cases: 1..20 ms, so that the threads or
 * the forking child are surely at work when the delay ends.
 */
#define RACE_MIN_US 1000
#define RACE_MAX_US 20000

/* ------------------------------------------------------------ helpers */

/*
 * One line "NAME key=value ...", written with one write(2); the arguments
 * after name are pairs (const char *key, long value), ended by a NULL key.
 * No stdio, no malloc, a buffer on the caller's stack: usable in a child
 * that shares its parent's memory while the parent waits.
 */
static void say(const char *name, ...)
{
	char line[256], *p = line, *end = line + sizeof(line) - 40;
	const char *key;
	va_list ap;

	p = wl_append(p, name);
	va_start(ap, name);
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
	(void)wl_write_all(STDOUT_FILENO, line, (size_t)(p - line));
}

/*
 * The stack of clone() children: made resident once, before any reading
 * (prewarm_calls), and shared by children that never run at the same time.
 * A child without CLONE_VM runs on its own copy of it.
 */
static void *child_stack(void)
{
	static char *top;

	if (!top) {
		char *m = wl_touch(STACK_BYTES);

		if (!m)
			die("mmap failed");
		top = m + STACK_BYTES;
	}
	return top;
}

/* clone(fn, the child stack, flags, arg); dies when it fails. */
static pid_t start_clone(int (*fn)(void *), int flags, void *arg)
{
	pid_t pid = clone(fn, child_stack(), flags, arg);

	if (pid < 0)
		die("clone failed");
	return pid;
}

/* Wait for pid (a clone child too): its wait status (dies when waitpid fails). */
static int wait_for(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) != pid)
		if (errno != EINTR)
			die("waitpid failed");
	return st;
}

static bool exited_with(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* splitmix64: one seed, one reproducible sequence. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [lo, hi] drawn from seed. */
static unsigned long random_between(unsigned long seed, unsigned long lo, unsigned long hi)
{
	uint64_t state = seed;

	return lo + (unsigned long)(next_random(&state) % (hi - lo + 1));
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Busy-wait: a sleep would overshoot a delay of a few microseconds. */
static void spin_us(unsigned long us)
{
	uint64_t end = now_ns() + (uint64_t)us * 1000u;

	while (now_ns() < end)
		;
}

static void sleep_us(unsigned long us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000),
			       .tv_nsec = (long)(us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* A raw sleep for a child that shares its parent's memory. */
static void raw_sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	(void)syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL);
}

/*
 * Fault in now the code run between a reading and the stop that must see
 * it (see wl_prewarm): munmap, nanosleep, kill, fork/clone and wait.
 */
static int do_nothing(void *arg)
{
	(void)arg;
	return 0;
}

/* prewarm_calls, and the clone and wait of a CLONE_VM helper. */
static void prewarm_helper_calls(void)
{
	prewarm_calls();
	(void)wait_for(start_clone(do_nothing, HELPER_FLAGS, NULL));
}

/*
 * Load a seccomp filter for the calling thread only (no TSYNC): nr gives
 * action, everything else is allowed.  Needs no_new_privs (or privilege).
 */
static void install_filter(long nr, unsigned int action)
{
	struct sock_filter insns[] = {
#ifdef NATIVE_AUDIT_ARCH
		/* if (arch != native) return ALLOW; */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
		/* if (nr == target) return action; */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned int)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, action),
		/* return ALLOW; */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = (unsigned short)(sizeof(insns) / sizeof(insns[0])),
				   .filter = insns };

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		die("seccomp(SECCOMP_SET_MODE_FILTER) failed");
}

static void set_no_new_privs(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L))
		die("prctl(PR_SET_NO_NEW_PRIVS) failed");
}

/* ------------------------------------------------------------ clone flags */

/* A forked copy (no CLONE_VM): its own memory, so the usual helpers. */
static __attribute__((noreturn)) void grow_and_exit(unsigned long mib, int code)
{
	wl_prewarm();
	touch_mib(mib);
	truth("peak");
	wl_final_exit(code);
}

static int untraced_child(void *arg)
{
	grow_and_exit(*(unsigned long *)arg, 5);
}

/*
 * CLONE_PTRACE makes the child a tracee of our tracer, CLONE_UNTRACED keeps
 * the kernel from reporting its creation: the tracer first hears of it at
 * its first stop, and no PTRACE_EVENT_FORK ever names it.
 */
static int cmd_untraced_ptrace(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]);
	pid_t pid;
	int st;

	(void)argc;
	pid = start_clone(untraced_child, CLONE_UNTRACED | CLONE_PTRACE | SIGCHLD, &mib);
	st = wait_for(pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int vm_sleeper(void *arg)
{
	raw_sleep_ms(*(unsigned long *)arg);
	return 0;
}

/*
 * The kernel reports PTRACE_EVENT_FORK for this child (its exit signal is
 * SIGCHLD), yet it shares the parent's memory.  It sleeps through several
 * timed passes while the parent's N MiB are resident.
 */
static int cmd_clone_vm(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]), ms = arg_num(argv[1]);
	pid_t pid;
	int st;

	(void)argc;
	prewarm_helper_calls();
	touch_mib(mib);
	truth("peak");
	pid = start_clone(vm_sleeper, CLONE_VM | SIGCHLD, &ms);
	st = wait_for(pid);
	say("clone-vm", "child", (long)pid, (char *)NULL);
	return exited_with(st, 0) ? 0 : 1;
}

static int vfork_novm_child(void *arg)
{
	grow_and_exit(*(unsigned long *)arg, 8);
}

/* PTRACE_EVENT_VFORK, but no CLONE_VM: the child has its own memory. */
static int cmd_clone_vfork_novm(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]);
	pid_t pid;

	(void)argc;
	pid = start_clone(vfork_novm_child, CLONE_VFORK | SIGCHLD, &mib);
	return exited_with(wait_for(pid), 8) ? 0 : 1;
}

static int parent_clone_child(void *arg)
{
	int *done = arg;

	say("clone-parent", "child", (long)getpid(), "ppid", (long)getppid(), (char *)NULL);
	close(done[1]);
	_exit(0);
}

/*
 * CLONE_PARENT: the child is its grandparent's child (the tracer's, under
 * maxrss-sc), so this process cannot wait for it: its end closes a pipe.
 */
static int cmd_clone_parent(int argc, char **argv)
{
	int done[2];

	(void)argc;
	(void)argv;
	if (pipe(done))
		die("pipe failed");
	say("clone-parent", "parent", (long)getpid(), (char *)NULL);
	(void)start_clone(parent_clone_child, CLONE_PARENT | SIGCHLD, done);
	close(done[1]);
	wait_eof(done[0]);
	return 0;
}

/* ------------------------------------------------------------ borrowers that fork */

/*
 * In a process that borrows its parent's memory: fork a grandchild that
 * grows to mib and exits 7, wait for it.  Raw system calls only until the
 * fork; the grandchild has a memory of its own and may use anything.
 */
static int borrower_body(unsigned long mib)
{
#ifdef SYS_fork
	long gc = syscall(SYS_fork);
#else
	/* No fork(2) on arm64 and other new ABIs: clone with flags first there. */
	long gc = syscall(SYS_clone, SIGCHLD, 0L, 0L, 0L, 0L);
#endif
	int st = 0;

	if (gc == 0)
		grow_and_exit(mib, 7);
	if (gc < 0 || syscall(SYS_wait4, gc, &st, 0, NULL) != gc)
		return 1;
	return exited_with(st, 7) ? 0 : 1;
}

static int clone_vm_borrower(void *arg)
{
	return borrower_body(*(unsigned long *)arg);
}

static int cmd_borrower_fork(int argc, char **argv)
{
	static unsigned long mib;
	pid_t pid;

	(void)argc;
	mib = arg_num(argv[1]);
	if (strcmp(argv[0], "clone-vm") == 0) {
		pid = start_clone(clone_vm_borrower, HELPER_FLAGS, &mib);
	} else if (strcmp(argv[0], "vfork") == 0) {
		/* mib is static: nothing the vfork child reads lives in this frame. */
		pid = vfork();
		if (pid == 0)
			_exit(borrower_body(mib));
		if (pid < 0)
			die("vfork failed");
	} else {
		die("borrower-fork: MODE is clone-vm or vfork");
	}
	return exited_with(wait_for(pid), 0) ? 0 : 1;
}

/* ------------------------------------------------------------ exec through a descriptor */

/*
 * The path "/proc/self/fd/K" (or "/dev/fd/K") means this process's K: only
 * a resolver that stands in this process finds the file.
 */
static int cmd_exec_fd(int argc, char **argv)
{
	static char *const none[] = { NULL };
	char path[64], *p = path;
	char *args[] = { argv[2], NULL };
	int fd;

	(void)argc;
	if (strcmp(argv[0], "proc") == 0)
		p = wl_append(p, "/proc/self/fd/");
	else if (strcmp(argv[0], "dev") == 0)
		p = wl_append(p, "/dev/fd/");
	else
		die("exec-fd: MODE is proc or dev");
	/* No O_CLOEXEC: the kernel opens the program after the exec's close. */
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || dup2(fd, EXEC_FD) != EXEC_FD)
		die("cannot open PROG");
	close(fd);
	fd = EXEC_FD;
	p = wl_append_u(p, (uint64_t)fd);
	*p = '\0';
	/* A failing exec faults execve's code in before the peak. */
	(void)execve("", none, environ);
	touch_mib(arg_num(argv[1]));
	truth("peak");
	execve(path, args, environ);
	die("execve through the descriptor failed");
}

/* ------------------------------------------------------------ failed exec */

/*
 * Both hold N MiB at once for MS ms and free it before exit: only timed
 * sampling sees the overlap (as wl3 overlap).  The child's first trapped
 * syscall is an execve that fails; its next one is its exit_group.  The
 * child reads its truth first and the parent after hearing "ready", so both
 * readings fall inside the window.
 */
static int cmd_failed_exec_pair(int argc, char **argv)
{
	static char *const none[] = { NULL };
	unsigned long mib = arg_num(argv[0]), ms = arg_num(argv[1]);
	int ready[2], release[2];
	void *m;
	pid_t pid;
	char c;

	(void)argc;
	prewarm_helper_calls();
	if (pipe(ready) || pipe(release))
		die("pipe failed");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		wl_prewarm();
		prewarm_helper_calls();
		if (execve("/nonexistent/x", none, environ) == 0 || errno != ENOENT)
			die("execve(\"/nonexistent/x\") did not fail with ENOENT");
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
	sleep_ms(ms);
	close(release[1]);
	if (munmap(m, mib * WL_MIB))
		die("munmap failed");
	truth("freed");
	return exited_with(wait_for(pid), 0) ? 0 : 1;
}

/* ------------------------------------------------------------ seccomp of the command's own */

static void *doomed_thread(void *arg)
{
	(void)arg;
	install_filter(SYS_acct, SECCOMP_RET_KILL_THREAD);
	(void)syscall(SYS_acct, NULL);
	return (void *)1; /* not reached: the kernel killed this thread */
}

/*
 * SECCOMP_RET_KILL_THREAD kills the calling thread only (do_exit with
 * SIGSYS, while other threads live): an exit event of a task that passed no
 * exit stop, yet its process goes on and only then grows.
 */
static int cmd_kill_thread(int argc, char **argv)
{
	pthread_t tid;
	void *ret = NULL;

	(void)argc;
	set_no_new_privs();
	if (pthread_create(&tid, NULL, doomed_thread, NULL))
		die("pthread_create failed");
	if (pthread_join(tid, &ret))
		die("pthread_join failed");
	if (ret)
		die("the thread survived its filter");
	touch_mib(arg_num(argv[0]));
	return 0;
}

/*
 * The command's own filter returns SECCOMP_RET_TRACE for getppid, with data
 * 2: maxrss-sc's filter returns ALLOW for getppid, so the kernel reports
 * this filter's TRACE, and 2 is also the data maxrss-sc's filter gives
 * exit_group (FILTER_EXIT_GROUP).  A tracer must resume the call as it is.
 */
#define OWN_FILTER_DATA 2

static int cmd_own_filter(int argc, char **argv)
{
	long expected = (long)getppid(), got;

	(void)argc;
	set_no_new_privs();
	install_filter(SYS_getppid, SECCOMP_RET_TRACE | OWN_FILTER_DATA);
	got = syscall(SYS_getppid);
	say("own-filter", "getppid", got, "expected", expected, (char *)NULL);
	touch_mib(arg_num(argv[0]));
	return 0;
}

/* ------------------------------------------------------------ memory --exact cannot see fall */

/*
 * Shared memory of a memfd falls through ftruncate or a punched hole, two
 * system calls that also serve plain files: no filter can trap them by
 * number alone.
 */
static int cmd_memfd_shrink(int argc, char **argv)
{
	size_t bytes = arg_num(argv[1]) * WL_MIB, page = (size_t)sysconf(_SC_PAGESIZE), off;
	bool punch = strcmp(argv[0], "punch") == 0;
	volatile char *p;
	void *m;
	int fd;

	(void)argc;
	if (!punch && strcmp(argv[0], "truncate") != 0)
		die("memfd-shrink: MODE is truncate or punch");
	fd = memfd_create("lifecycle", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)bytes))
		die("memfd_create/ftruncate failed");
	/* Fault in fallocate's code: punching an untouched page frees nothing. */
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)page))
		die("fallocate failed");
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap failed");
	p = m;
	for (off = 0; off < bytes; off += page)
		p[off] = (char)(off / page + 1);
	truth("peak");
	if (punch ? fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, (off_t)bytes) :
		    ftruncate(fd, 0))
		die("shrinking the memfd failed");
	truth("after");
	return 0;
}

struct unmap_arg {
	void *addr;
	size_t len;
};

/* A CLONE_VM helper: one raw munmap of its parent's memory. */
static int unmapper(void *arg)
{
	struct unmap_arg *a = arg;

	return syscall(SYS_munmap, a->addr, a->len) ? 1 : 0;
}

/* The munmap is trapped under --exact, but made by a task without an image. */
static int cmd_helper_unmap(int argc, char **argv)
{
	struct unmap_arg a;

	(void)argc;
	prewarm_helper_calls();
	a.len = arg_num(argv[0]) * WL_MIB;
	a.addr = touch_mib(arg_num(argv[0]));
	truth("peak");
	if (!exited_with(wait_for(start_clone(unmapper, HELPER_FLAGS, &a)), 0))
		die("the helper's munmap failed");
	truth("after");
	return 0;
}

/* ------------------------------------------------------------ stopped orphan */

/* How long the child waits to be re-parented (1 ms polls): 10 s. */
#define REPARENT_POLLS 10000

/*
 * The child stops only after its re-parenting, which is not the order in
 * which the kernel would SIGHUP + SIGCONT an orphaned process group: that
 * happens only to a group with a stopped member at the moment it becomes
 * orphaned.  It leaves the test's pipes first: if a tool leaves it stopped,
 * the test's reader must still see EOF.
 */
static int cmd_stopped_orphan(int argc, char **argv)
{
	bool again = argc > 0 && strcmp(argv[0], "ignore-hup") == 0;
	pid_t parent = getpid(), pid;

	if (argc > 0 && !again)
		die("stopped-orphan: the only option is ignore-hup");
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null < 0 || dup2(null, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
			_exit(1);
		for (int i = 0; getppid() == parent; i++) {
			if (i >= REPARENT_POLLS)
				_exit(3);
			sleep_ms(1);
		}
		if (again)
			signal(SIGHUP, SIG_IGN);
		do
			raise(SIGSTOP);
		while (again);
		_exit(0);
	}
	say("stopped-orphan", "child", (long)pid, (char *)NULL);
	return 0;
}

/* ------------------------------------------------------------ SIGKILL inside exec */

/* Pages of pid's mm (the first field of /proc/PID/statm); -1 when unreadable. */
static long statm_pages(pid_t pid)
{
	char path[64], buf[128], *p = path;
	ssize_t n;
	int fd;

	p = wl_append(p, "/proc/");
	p = wl_append_u(p, (uint64_t)pid);
	p = wl_append(p, "/statm");
	*p = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* How long the parent watches for the child's exec: 5 s. */
#define EXEC_WATCH_NS 5000000000ull

/*
 * The kill must land inside the exec, past its point of no return: the
 * child's mm is then the new program's, and the old one is being torn down
 * (munmap of 100 MiB took 7 ms on the project's 2-CPU VM).  A delay counted
 * from the child's last word would land there only by luck: first comes the
 * tracer's sample at the execve stop (1.1 ms for 100 MiB), and its length
 * varies.  So the parent watches the size of the child's mm and, once it
 * has fallen under half the N MiB (the new mm is in place), waits a random
 * 0..1000 us from SEED and kills.  Most kills land in the teardown; a late
 * one finds the new program running, which is as good a case.
 */
static int cmd_exec_kill(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]), delay = random_between(arg_num(argv[1]), 0, 1000);
	long half = (long)(mib * WL_MIB / 2 / (size_t)sysconf(_SC_PAGESIZE)), pages = 0;
	static char sub[] = "exec-kill-child";
	char self[4096], fd[24], *args[6];
	uint64_t until;
	int ready[2], st;
	ssize_t n;
	pid_t pid;
	char c;

	(void)argc;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || pipe(ready))
		die("readlink(/proc/self/exe) or pipe failed");
	self[n] = '\0';
	args[0] = self;
	args[1] = sub;
	args[2] = argv[0];
	args[3] = wl_utoa((uint64_t)ready[1], fd + sizeof(fd));
	args[4] = argv[2];
	args[5] = NULL;
	pid = fork();
	if (pid < 0)
		die("fork failed");
	if (pid == 0) {
		close(ready[0]);
		execve(self, args, environ);
		_exit(127);
	}
	close(ready[1]);
	if (read_full(ready[0], &c, 1))
		die("the child did not get ready");
	until = now_ns() + EXEC_WATCH_NS;
	do
		pages = statm_pages(pid);
	while (pages >= half && now_ns() < until);
	spin_us(delay);
	if (kill(pid, SIGKILL))
		die("kill failed");
	st = wait_for(pid);
	say("exec-kill", "delay_us", (long)delay, "child", (long)pid, "seen_pages", pages, "killed",
	    (long)(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL), (char *)NULL);
	return 0;
}

/*
 * exec-kill's child, exec'd rather than forked so that its N MiB are an
 * image of their own, whose execve the tracer samples in full: a forked
 * copy's exec is read through status alone (sample_forked_copy in the
 * tracer), and its last exact sample may then be a timed pass from the
 * middle of the touching.  Tells the parent on descriptor FD, then execs.
 */
static int cmd_exec_kill_child(int argc, char **argv)
{
	static char *const none[] = { NULL };
	char *args[] = { argv[2], NULL };
	int ready = (int)arg_num(argv[1]);

	(void)argc;
	(void)execve("", none, environ);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	if (wl_write_all(ready, "r", 1))
		_exit(1);
	execve(args[0], args, environ);
	_exit(127);
}

/* ------------------------------------------------------------ races */

static void *trivial(void *arg)
{
	return arg;
}

/* Create and join threads for ever (a failed create is simply tried again). */
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

static void start_churners(int n)
{
	for (int i = 0; i < n; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, churn, NULL))
			die("pthread_create failed");
	}
}

/* exit_group while threads are being created: some are in their clone stop. */
static int cmd_exit_churn(int argc, char **argv)
{
	unsigned long delay = random_between(arg_num(argv[0]), RACE_MIN_US, RACE_MAX_US);

	(void)argc;
	start_churners(2);
	sleep_us(delay);
	exit(0);
}

/* SIGKILL of a process that forks in a loop: it may die in its fork stop. */
static int cmd_sibling_kill(int argc, char **argv)
{
	unsigned long delay = random_between(arg_num(argv[0]), RACE_MIN_US, RACE_MAX_US);
	pid_t a, b;
	int sa, sb;

	(void)argc;
	a = fork();
	if (a < 0)
		die("fork failed");
	if (a == 0) {
		for (;;) {
			pid_t c = fork();

			if (c == 0)
				_exit(0);
			if (c > 0)
				(void)waitpid(c, NULL, 0);
		}
	}
	b = fork();
	if (b < 0) {
		kill(a, SIGKILL);
		die("fork failed");
	}
	if (b == 0) {
		sleep_us(delay);
		_exit(kill(a, SIGKILL) ? 1 : 0);
	}
	sa = wait_for(a);
	sb = wait_for(b);
	return WIFSIGNALED(sa) && WTERMSIG(sa) == SIGKILL && exited_with(sb, 0) ? 0 : 1;
}

struct exec_later {
	unsigned long delay_us;
	char **argv;
};

static void *exec_after(void *arg)
{
	struct exec_later *e = arg;

	sleep_us(e->delay_us);
	execve(e->argv[0], e->argv, environ);
	die("execve failed");
}

/* An exec from a thread while others create threads: de_thread kills them. */
static int cmd_exec_churn(int argc, char **argv)
{
	static struct exec_later e;
	static char *args[2];
	pthread_t tid;

	(void)argc;
	e.delay_us = random_between(arg_num(argv[0]), RACE_MIN_US, RACE_MAX_US);
	args[0] = argv[1];
	e.argv = args;
	start_churners(2);
	if (pthread_create(&tid, NULL, exec_after, &e))
		die("pthread_create failed");
	pthread_join(tid, NULL);
	die("the exec thread returned");
}

/* One subcommand a line. */
/* clang-format off */
static const struct wl_subcommand subcommands[] = {
	{ "untraced-ptrace", 1, "N", true, cmd_untraced_ptrace },
	{ "clone-vm", 2, "N MS", true, cmd_clone_vm },
	{ "clone-vfork-novm", 1, "N", true, cmd_clone_vfork_novm },
	{ "clone-parent", 0, NULL, false, cmd_clone_parent },
	{ "borrower-fork", 2, "clone-vm|vfork N", true, cmd_borrower_fork },
	{ "exec-fd", 3, "proc|dev N PROG", true, cmd_exec_fd },
	{ "failed-exec-pair", 2, "N MS", true, cmd_failed_exec_pair },
	{ "kill-thread", 1, "N", true, cmd_kill_thread },
	{ "own-filter", 1, "N", true, cmd_own_filter },
	{ "memfd-shrink", 2, "truncate|punch N", true, cmd_memfd_shrink },
	{ "helper-unmap", 1, "N", true, cmd_helper_unmap },
	{ "stopped-orphan", 0, NULL, false, cmd_stopped_orphan },
	{ "exec-kill", 3, "N SEED PROG", false, cmd_exec_kill },
	{ "exec-kill-child", 3, "N FD PROG", true, cmd_exec_kill_child },
	{ "exit-churn", 1, "SEED", false, cmd_exit_churn },
	{ "sibling-kill", 1, "SEED", false, cmd_sibling_kill },
	{ "exec-churn", 2, "SEED PROG", false, cmd_exec_churn },
};
/* clang-format on */

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
