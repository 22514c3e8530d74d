/*
 * Unit tests of lifecycle: the wait loop's handlers served synthetic stops.
 * A fake struct sysops plays the kernel: it answers what /proc and ptrace
 * would say of each task, and records every call the handlers make on a
 * task (resume, listen, interrupt, signals), so that each rule of the task
 * lifecycle is checked without a process: no task is held, unknown first
 * stops are identified at once, the clone flags decide, stops that are not
 * the tool's are resumed untouched, an image ends only when its process
 * does, and stopped leftovers are settled.
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <criterion/criterion.h>

#include "lifecycle.h"

#define MIB (1024ULL * 1024)

/* Wait statuses as the kernel builds them (see test-event.c). */
#define ST_EXITED(code) (((code)&0xff) << 8)
#define ST_KILLED(sig) (sig)
#define ST_STOPPED(sig) (((sig) << 8) | 0x7f)
#define ST_EVENT(ev) ((((SIGTRAP) | ((ev) << 8)) << 8) | 0x7f)
#define ST_GROUP_STOP(sig) ((((sig) | (PTRACE_EVENT_STOP << 8)) << 8) | 0x7f)

#define MAX_TASKS 16
#define MAX_CALLS 64

enum call_kind { CALL_CONT, CALL_LISTEN, CALL_INTERRUPT, CALL_KILL, CALL_DETACH };

struct call {
	enum call_kind kind;
	pid_t tid;
	int sig;
};

/* What the fake kernel knows of one task. */
struct fake_task {
	pid_t tid, tgid, ppid;
	bool ours;			   /* a tracee not yet reaped */
	struct __ptrace_syscall_info info; /* at its seccomp stop (op 0: none) */
	unsigned long event_msg;
	long syscall_nr;       /* /proc/TID/syscall */
	unsigned long flags;   /* /proc/TID/stat */
	uint64_t rss;	       /* what smaps_rollup says */
	int mm;		       /* tasks with one mm share a number (0: none, a zombie) */
	const char *exec_file; /* what its execve names (read_string) */
	bool gone;	       /* /proc/TID/cmdline no longer readable */
};

struct fake {
	struct sysops ops; /* first: the handlers get &fake.ops */
	struct fake_task tasks[MAX_TASKS];
	size_t ntasks;
	struct call calls[MAX_CALLS];
	size_t ncalls;
	unsigned rollups; /* smaps_rollup reads */
	bool same_mm;
};

static struct fake fk;
static struct proctable pt;
static struct sampler sampler;
static struct tracer_result res;
static struct lifecycle lc;

static struct fake *of(const struct sysops *o)
{
	/* ops is fake's first member: through void *, as -Wcast-align wants on 32-bit ARM. */
	return (struct fake *)(void *)o;
}

static struct fake_task *task_of(const struct sysops *o, pid_t tid)
{
	for (size_t i = 0; i < of(o)->ntasks; i++)
		if (of(o)->tasks[i].tid == tid)
			return &of(o)->tasks[i];
	return NULL;
}

static int record(const struct sysops *o, enum call_kind kind, pid_t tid, int sig)
{
	struct fake *f = of(o);

	cr_assert_lt(f->ncalls, MAX_CALLS);
	f->calls[f->ncalls++] = (struct call){ kind, tid, sig };
	return task_of(o, tid) ? 0 : -ESRCH;
}

static int f_cont(const struct sysops *o, pid_t tid, int sig)
{
	return record(o, CALL_CONT, tid, sig);
}

static int f_listen(const struct sysops *o, pid_t tid)
{
	return record(o, CALL_LISTEN, tid, 0);
}

static int f_detach(const struct sysops *o, pid_t tid)
{
	return record(o, CALL_DETACH, tid, 0);
}

static int f_interrupt(const struct sysops *o, pid_t tid)
{
	return record(o, CALL_INTERRUPT, tid, 0);
}

static int f_set_options(const struct sysops *o, pid_t tid, long options)
{
	(void)o;
	(void)tid;
	(void)options;
	return 0;
}

static unsigned long f_event_msg(const struct sysops *o, pid_t tid)
{
	struct fake_task *t = task_of(o, tid);

	return t ? t->event_msg : 0;
}

static bool f_syscall_info(const struct sysops *o, pid_t tid, struct __ptrace_syscall_info *info)
{
	struct fake_task *t = task_of(o, tid);

	if (!t || t->info.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return false;
	*info = t->info;
	return true;
}

/* The tracee's memory holds one string: the file its execve names, if the test set one. */
static int f_read_string(const struct sysops *o, pid_t tid, uint64_t addr, char *buf, size_t len)
{
	struct fake_task *t = task_of(o, tid);

	(void)addr;
	if (!t || !t->exec_file || strlen(t->exec_file) >= len)
		return -1;
	strcpy(buf, t->exec_file);
	return 0;
}

static int f_kill(const struct sysops *o, pid_t pid, int sig)
{
	return record(o, CALL_KILL, pid, sig);
}

static bool f_is_ours(const struct sysops *o, pid_t pid)
{
	struct fake_task *t = task_of(o, pid);

	return t && t->ours;
}

/* kcmp(KCMP_VM): by the tasks' mm numbers when the test gave them, else fk.same_mm. */
static bool f_same_mm(const struct sysops *o, pid_t a, pid_t b)
{
	struct fake_task *ta = task_of(o, a), *tb = task_of(o, b);

	if (ta && tb && (ta->mm || tb->mm))
		return ta->mm && ta->mm == tb->mm;
	return of(o)->same_mm;
}

static bool f_in_group(const struct sysops *o, pid_t tgid, pid_t tid)
{
	struct fake_task *t = task_of(o, tid);

	return t && t->tgid == tgid;
}

static int f_read_status(const struct sysops *o, pid_t tid, struct pstatus *st)
{
	struct fake_task *t = task_of(o, tid);

	if (!t)
		return -ESRCH;
	*st = (struct pstatus){
		.tgid = t->tgid, .ppid = t->ppid, .has_mm = true, .hwm = t->rss, .vmrss = t->rss
	};
	return 0;
}

static int f_read_stat(const struct sysops *o, pid_t tid, struct pstat *st)
{
	struct fake_task *t = task_of(o, tid);

	if (!t)
		return -ESRCH;
	*st = (struct pstat){ .state = 't', .ppid = t->ppid, .flags = t->flags };
	return 0;
}

static int f_read_syscall(const struct sysops *o, pid_t tid, long *nr)
{
	struct fake_task *t = task_of(o, tid);

	if (!t)
		return -ESRCH;
	*nr = t->syscall_nr;
	return 0;
}

static int f_read_rollup(const struct sysops *o, pid_t tid, struct rollup *r)
{
	struct fake_task *t = task_of(o, tid);

	if (!t)
		return -ESRCH;
	of(o)->rollups++;
	*r = (struct rollup){ .rss = t->rss, .pss = t->rss, .uss = t->rss };
	return 0;
}

static int f_read_cmdline(const struct sysops *o, pid_t tid, char **buf, size_t *len)
{
	struct fake_task *t = task_of(o, tid);

	if (t && t->gone)
		return -ESRCH;
	*buf = strdup("prog");
	*len = 5;
	return *buf ? 0 : -ENOMEM;
}

static int f_read_exe(const struct sysops *o, pid_t tid, char **exe)
{
	(void)o;
	(void)tid;
	*exe = NULL;
	return -ENOENT;
}

static int f_read_pidfd_pid(const struct sysops *o, pid_t tid, int fd, pid_t *pid)
{
	(void)o;
	(void)tid;
	(void)fd;
	(void)pid;
	return -ENOENT;
}

static int f_exec_file_missing(const struct sysops *o, pid_t tid, const char *path)
{
	(void)o;
	(void)tid;
	(void)path;
	return 0;
}

/* A task the fake kernel knows: tid of process tgid, child of ppid. */
static struct fake_task *kernel_task(pid_t tid, pid_t tgid, pid_t ppid, uint64_t rss)
{
	struct fake_task *t = &fk.tasks[fk.ntasks++];

	cr_assert_leq(fk.ntasks, MAX_TASKS);
	*t = (struct fake_task){
		.tid = tid, .tgid = tgid, .ppid = ppid, .ours = true, .syscall_nr = -1, .rss = rss
	};
	return t;
}

/*
 * The stop of t at the entry of syscall name (on this host's arch), with
 * its first argument a0: for clone, its flags, wherever the arch puts them.
 */
static void at_syscall(struct fake_task *t, const char *name, uint64_t a0)
{
	int nr = seccomp_syscall_resolve_name(name);
	unsigned arg = 0;

	cr_assert_geq(nr, 0, "%s", name);
	memset(&t->info, 0, sizeof(t->info));
	t->info.op = PTRACE_SYSCALL_INFO_SECCOMP;
	t->info.arch = seccomp_arch_native();
	t->info.seccomp.nr = (uint64_t)nr;
	if (strcmp(name, "clone") == 0)
		arg = filter_clone_flags_arg(t->info.arch);
	t->info.seccomp.args[arg] = a0;
}

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
	fk.ops = (struct sysops){
		.cont = f_cont,
		.listen = f_listen,
		.interrupt = f_interrupt,
		.set_options = f_set_options,
		.event_msg = f_event_msg,
		.syscall_info = f_syscall_info,
		.detach = f_detach,
		.read_string = f_read_string,
		.kill = f_kill,
		.is_ours = f_is_ours,
		.same_mm = f_same_mm,
		.in_group = f_in_group,
		.read_status = f_read_status,
		.read_stat = f_read_stat,
		.read_syscall = f_read_syscall,
		.read_rollup = f_read_rollup,
		.read_cmdline = f_read_cmdline,
		.read_exe = f_read_exe,
		.read_pidfd_pid = f_read_pidfd_pid,
		.exec_file_missing = f_exec_file_missing,
		.procfd = -1,
	};
	memset(&res, 0, sizeof(res));
	cr_assert_eq(proctable_init(&pt, 1), 0);
	sampler_init(&sampler, &fk.ops, &pt, &res.tracer, 0, false);
	cr_assert_eq(lifecycle_init(&lc, &fk.ops, &pt, &sampler, &res, false), 0);
}

static void teardown(void)
{
	lifecycle_free(&lc);
	proctable_free(&pt);
}

TestSuite(lifecycle, .init = setup, .fini = teardown);

static void stop(pid_t tid, int status)
{
	fk.ncalls = 0;
	lifecycle_dispatch(&lc, tid, status, NULL);
}

/* The calls the last stop made: exactly one resume of tid with sig, and nothing else. */
static void assert_resumed_only(pid_t tid, int sig)
{
	cr_assert_eq(fk.ncalls, 1, "%zu calls, expected one resume of %d", fk.ncalls, (int)tid);
	cr_assert_eq(fk.calls[0].kind, CALL_CONT, "call %d, expected PTRACE_CONT",
		     (int)fk.calls[0].kind);
	cr_assert_eq(fk.calls[0].tid, tid);
	cr_assert_eq(fk.calls[0].sig, sig);
}

/* The command (pid 100, already exec'd, 64 MiB), as every test starts. */
static struct fake_task *command(void)
{
	struct fake_task *k = kernel_task(100, 100, 1, 64 * MIB);

	cr_assert_eq(lifecycle_add_stub(&lc, 100), 0);
	stop(100, ST_EVENT(PTRACE_EVENT_EXEC));
	assert_resumed_only(100, 0);
	cr_assert(lc.exec_seen);
	return k;
}

static struct process *proc_of(pid_t tid)
{
	struct task *t = proctable_find_task(&pt, tid);

	cr_assert_not_null(t, "task %d is not in the table", (int)tid);
	return t->proc;
}

/*
 * A new task's first stop comes before its creator's event, or without one
 * (creator killed in its event stop, CLONE_UNTRACED|CLONE_PTRACE): it is
 * identified at once and resumed, never held; the late event adds nothing.
 */
Test(lifecycle, unknown_first_stop_is_identified_and_resumed)
{
	struct fake_task *parent = command();
	struct process *p;

	kernel_task(200, 200, 100, 64 * MIB);
	stop(200, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(200, 0);
	p = proc_of(200);
	cr_assert_eq(p->tgid, 200);
	cr_assert_eq(p->ppid, 100);
	cr_assert_not_null(p->image, "a forked copy has an image: its parent's program");
	cr_assert_eq(p->image->fork_parent, proc_of(100)->image);

	parent->event_msg = 200;
	stop(100, ST_EVENT(PTRACE_EVENT_FORK));
	assert_resumed_only(100, 0);
	cr_assert_eq(proc_of(200), p, "the late event made a second entry");
	cr_assert_eq(pt.nprocesses, 2);
}

/* A thread first seen by its own stop joins its process. */
Test(lifecycle, unknown_thread_joins_its_process)
{
	command();
	kernel_task(101, 100, 1, 64 * MIB);
	stop(101, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(101, 0);
	cr_assert_eq(proc_of(101), proc_of(100));
	cr_assert_eq(proc_of(100)->ntasks, 2);
	cr_assert_eq(pt.nprocesses, 1);
}

/*
 * The FORK event says nothing of CLONE_VM: clone(CLONE_VM|SIGCHLD) is
 * reported as a fork.  The flags read at the clone stop decide: the child
 * runs on the parent's memory and has no image of its own.
 */
Test(lifecycle, clone_flags_decide_a_fork_event)
{
	struct fake_task *parent = command();
	struct process *c;

	at_syscall(parent, "clone", CLONE_VM | SIGCHLD);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	assert_resumed_only(100, 0);
	kernel_task(201, 201, 100, 64 * MIB);
	parent->event_msg = 201;
	stop(100, ST_EVENT(PTRACE_EVENT_FORK));
	assert_resumed_only(100, 0);
	c = proc_of(201);
	cr_assert_null(c->image, "a CLONE_VM child has no image until it execs");
	cr_assert_eq(c->borrowed, proc_of(100)->image, "it runs on its parent's image");
	stop(201, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(201, 0);
}

/* CLONE_PARENT: the child's parent is its creator's parent. */
Test(lifecycle, clone_parent_gives_the_grandparent)
{
	struct fake_task *parent = command();

	at_syscall(parent, "clone", CLONE_PARENT | SIGCHLD);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	kernel_task(202, 202, proc_of(100)->ppid, 64 * MIB);
	parent->event_msg = 202;
	stop(100, ST_EVENT(PTRACE_EVENT_FORK));
	cr_assert_eq(proc_of(202)->ppid, proc_of(100)->ppid, "the creator's parent");
	cr_assert_neq(proc_of(202)->ppid, 100);
	cr_assert_not_null(proc_of(202)->image);
}

/*
 * CLONE_PARENT from a process that was re-parented to us (its parent
 * exited): the child's parent is the kernel's, maxrss-sc, not the dead
 * parent the table remembers.  Found by randtree seed 238.
 */
Test(lifecycle, clone_parent_of_an_orphan_gives_the_kernels_parent)
{
	struct fake_task *creator;

	command();
	creator = kernel_task(300, 300, 100, 64 * MIB);
	stop(300, ST_GROUP_STOP(SIGTRAP));
	cr_assert_eq(proc_of(300)->ppid, 100);
	creator->ppid = 50; /* 100 exited: 300 is ours now (50 stands for maxrss-sc) */
	at_syscall(creator, "clone", CLONE_PARENT | SIGCHLD);
	stop(300, ST_EVENT(PTRACE_EVENT_SECCOMP));
	kernel_task(301, 301, 50, 64 * MIB);
	creator->event_msg = 301;
	stop(300, ST_EVENT(PTRACE_EVENT_FORK));
	cr_assert_eq(proc_of(301)->ppid, 50, "ppid %d, the kernel says 50",
		     (int)proc_of(301)->ppid);
}

/*
 * A CLONE_VM | CLONE_PARENT child whose first stop comes before its
 * creator's event: /proc names its grandparent, whose memory it does not
 * share.  The creator, inside its clone, is found: the child borrows the
 * creator's image, it is no forked copy of the grandparent.  Found by
 * randtree seed 69.
 */
Test(lifecycle, clone_parent_vm_child_met_first_borrows_from_its_creator)
{
	struct fake_task *cmd = command(), *creator, *child;
	struct process *c;

	cmd->mm = 1;
	creator = kernel_task(300, 300, 100, 64 * MIB);
	creator->mm = 2;
	stop(300, ST_GROUP_STOP(SIGTRAP));
	at_syscall(creator, "clone", CLONE_VM | CLONE_PARENT | SIGCHLD);
	stop(300, ST_EVENT(PTRACE_EVENT_SECCOMP));
	child = kernel_task(301, 301, 100, 64 * MIB);
	child->mm = 2;
	stop(301, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(301, 0);
	c = proc_of(301);
	cr_assert_eq(c->ppid, 100, "the kernel's parent: the creator's parent");
	cr_assert_null(c->image, "a CLONE_VM child has no image until it execs");
	cr_assert_eq(c->borrowed, proc_of(300)->image, "it runs on its creator's image");
	creator->event_msg = 301;
	stop(300, ST_EVENT(PTRACE_EVENT_FORK));
	assert_resumed_only(300, 0);
	cr_assert_eq(proc_of(301), c, "the late event made a second entry");
}

/* The same without CLONE_VM: a forked copy of the creator's image, not the grandparent's. */
Test(lifecycle, clone_parent_child_met_first_copies_its_creator)
{
	struct fake_task *cmd = command(), *creator, *child;

	cmd->mm = 1;
	creator = kernel_task(300, 300, 100, 64 * MIB);
	creator->mm = 2;
	stop(300, ST_GROUP_STOP(SIGTRAP));
	at_syscall(creator, "clone", CLONE_PARENT | SIGCHLD);
	stop(300, ST_EVENT(PTRACE_EVENT_SECCOMP));
	child = kernel_task(301, 301, 100, 64 * MIB);
	child->mm = 3;
	stop(301, ST_GROUP_STOP(SIGTRAP));
	cr_assert_not_null(proc_of(301)->image);
	cr_assert_eq(proc_of(301)->image->fork_parent, proc_of(300)->image,
		     "a copy of its creator's image");
}

/*
 * A vfork from a thread whose leader has exited (pthread_exit), the
 * child's first stop before the vfork event: its mm is compared with a
 * task of the parent that has one, not with the zombie leader, which has
 * none.  The child borrows; it is no forked copy.  Found by randtree seed
 * 39.
 */
Test(lifecycle, vfork_from_a_thread_of_an_exited_leader)
{
	struct fake_task *leader = command(), *thread, *child;
	struct process *c;

	leader->mm = 1;
	thread = kernel_task(101, 100, 1, 64 * MIB);
	thread->mm = 1;
	stop(101, ST_GROUP_STOP(SIGTRAP));
	at_syscall(leader, "exit", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	leader->mm = 0; /* a zombie now */
	/* The creator's clone stop is not seen (its flags unread): /proc alone decides. */
	child = kernel_task(200, 200, 100, 64 * MIB);
	child->mm = 1;
	stop(200, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(200, 0);
	c = proc_of(200);
	cr_assert_null(c->image, "a vfork child has no image until it execs");
	cr_assert_eq(c->borrowed, proc_of(101)->image);
}

/*
 * Births no clone stop saw (fork, vfork, clone3, a thread's clone: the
 * filter lets them pass), their event served before the child's first
 * stop: the kernel tells what the child is.  A fork is a copy of its
 * creator's image, with its creator as parent.
 */
Test(lifecycle, untrapped_fork_is_a_copy_of_its_creator)
{
	struct fake_task *parent = command(), *child;

	parent->mm = 1;
	child = kernel_task(201, 201, 100, 64 * MIB);
	child->mm = 2;
	parent->event_msg = 201;
	stop(100, ST_EVENT(PTRACE_EVENT_FORK));
	assert_resumed_only(100, 0);
	cr_assert_eq(proc_of(201)->ppid, 100);
	cr_assert_not_null(proc_of(201)->image);
	cr_assert_eq(proc_of(201)->image->fork_parent, proc_of(100)->image);
	stop(201, ST_GROUP_STOP(SIGTRAP));
	assert_resumed_only(201, 0);
	cr_assert_eq(pt.nprocesses, 2);
}

/* A vfork (or posix_spawn's clone3): the child runs on its creator's image. */
Test(lifecycle, untrapped_vfork_borrows)
{
	struct fake_task *parent = command(), *child;

	parent->mm = 1;
	child = kernel_task(201, 201, 100, 64 * MIB);
	child->mm = 1;
	parent->event_msg = 201;
	stop(100, ST_EVENT(PTRACE_EVENT_VFORK));
	assert_resumed_only(100, 0);
	cr_assert_null(proc_of(201)->image);
	cr_assert_eq(proc_of(201)->borrowed, proc_of(100)->image);
}

/* A thread: same mm, same thread group; no process is made. */
Test(lifecycle, untrapped_thread_joins_its_creator)
{
	struct fake_task *parent = command(), *thread;

	parent->mm = 1;
	thread = kernel_task(101, 100, 1, 64 * MIB);
	thread->mm = 1;
	parent->event_msg = 101;
	stop(100, ST_EVENT(PTRACE_EVENT_CLONE));
	assert_resumed_only(100, 0);
	cr_assert_eq(proc_of(101), proc_of(100));
	cr_assert_eq(pt.nprocesses, 1);
	cr_assert_eq(proc_of(100)->ntasks, 2);
}

/*
 * clone3(CLONE_PARENT), which no filter can see: the child's parent is the
 * kernel's (its creator's parent), its image a copy of its creator's.
 */
Test(lifecycle, untrapped_clone_parent_gives_the_kernels_parent)
{
	struct fake_task *creator, *child;

	command()->mm = 1;
	creator = kernel_task(300, 300, 100, 64 * MIB);
	creator->mm = 2;
	stop(300, ST_GROUP_STOP(SIGTRAP));
	child = kernel_task(301, 301, 100, 64 * MIB);
	child->mm = 3;
	creator->event_msg = 301;
	stop(300, ST_EVENT(PTRACE_EVENT_FORK));
	cr_assert_eq(proc_of(301)->ppid, 100);
	cr_assert_eq(proc_of(301)->image->fork_parent, proc_of(300)->image);
}

/*
 * A thread that is not the leader, at its exit stop, is let go (no death
 * report to serve): forgotten at once.  The last one running reads the
 * image's end first; the leader is kept, its death is the process's.
 */
Test(lifecycle, exiting_threads_are_let_go)
{
	struct fake_task *k = command(), *th1 = kernel_task(101, 100, 1, 64 * MIB),
			 *th2 = kernel_task(102, 100, 1, 64 * MIB);

	stop(101, ST_GROUP_STOP(SIGTRAP));
	stop(102, ST_GROUP_STOP(SIGTRAP));
	at_syscall(th1, "exit", 0);
	stop(101, ST_EVENT(PTRACE_EVENT_SECCOMP));
	cr_assert_eq(fk.ncalls, 1);
	cr_assert_eq(fk.calls[0].kind, CALL_DETACH);
	cr_assert_eq(fk.calls[0].tid, 101);
	cr_assert_null(proctable_find_task(&pt, 101));
	cr_assert_eq(fk.rollups, 0, "not the last thread: the image goes on");
	at_syscall(k, "exit", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	assert_resumed_only(100, 0);
	cr_assert_not_null(proctable_find_task(&pt, 100), "the leader is kept");
	th2->rss = 80 * MIB; /* what /proc/102/smaps_rollup says of the process */
	at_syscall(th2, "exit", 0);
	stop(102, ST_EVENT(PTRACE_EVENT_SECCOMP));
	cr_assert_eq(fk.calls[0].kind, CALL_DETACH);
	cr_assert_eq(fk.rollups, 1, "the last thread running reads the end");
	cr_assert(proc_of(100)->image->final_sampled);
	cr_assert_eq(proc_of(100)->image->peak_rss, 80 * MIB);
	stop(100, ST_EXITED(0));
	cr_assert_eq(pt.images[0]->end, IMAGE_EXIT);
	cr_assert_eq(pt.ntasks, 0);
}

/*
 * The new program runs on while its name is read at its exec event: killed
 * at once, it has no cmdline any more, and its image is named by the file
 * its execve named.
 */
Test(lifecycle, exec_of_a_task_gone_at_once_is_named_by_its_file)
{
	struct fake_task *k = command();

	k->exec_file = "/usr/bin/gone";
	at_syscall(k, "execve", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	k->gone = true;
	stop(100, ST_EVENT(PTRACE_EVENT_EXEC));
	assert_resumed_only(100, 0);
	cr_assert_str_eq(proc_of(100)->image->argv, "/usr/bin/gone");
	cr_assert_eq(proc_of(100)->image->argv_len, strlen("/usr/bin/gone") + 1);
	k->gone = false;
	k->exec_file = NULL;
	at_syscall(k, "execve", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	stop(100, ST_EVENT(PTRACE_EVENT_EXEC));
	cr_assert_str_eq(proc_of(100)->image->argv, "prog", "its cmdline when there is one");
}

/* A birth event naming a child already reaped adds no entry that would never go. */
Test(lifecycle, birth_of_a_reaped_child_adds_nothing)
{
	struct fake_task *parent = command();

	/* arm64 has no fork(2): a clone with fork's flags there. */
	if (seccomp_syscall_resolve_name("fork") >= 0)
		at_syscall(parent, "fork", 0);
	else
		at_syscall(parent, "clone", SIGCHLD);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	parent->event_msg = 203; /* not a task the kernel knows any more */
	stop(100, ST_EVENT(PTRACE_EVENT_FORK));
	assert_resumed_only(100, 0);
	cr_assert_null(proctable_find_task(&pt, 203));
	cr_assert_eq(pt.ntasks, 1);
}

/*
 * A stop of the command's own filter (RET_TRACE|2 on getppid, 2 being the
 * tool's id for exit_group) is told by its syscall number: resumed as it
 * is, nothing read, the image goes on.
 */
Test(lifecycle, stop_of_another_filter_is_resumed_untouched)
{
	struct fake_task *k = command();

	at_syscall(k, "getppid", 0);
	k->info.seccomp.ret_data = FILTER_EXIT_GROUP;
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	assert_resumed_only(100, 0);
	cr_assert_eq(fk.rollups, 0, "a stop that is not ours read the image");
	cr_assert(!proc_of(100)->image->final_sampled);
}

/* exit_group: one final sample, read with the memory still mapped. */
Test(lifecycle, exit_group_reads_the_end_once)
{
	struct fake_task *k = command();

	at_syscall(k, "exit_group", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	assert_resumed_only(100, 0);
	cr_assert_eq(fk.rollups, 1);
	cr_assert(proc_of(100)->image->final_sampled);
	cr_assert_eq(proc_of(100)->image->peak_rss, 64 * MIB);
	stop(100, ST_EXITED(3));
	cr_assert_eq(fk.ncalls, 0, "a death is not resumed");
	cr_assert_eq(pt.images[0]->end, IMAGE_EXIT);
	cr_assert_eq(pt.images[0]->exit_code, 3);
	cr_assert(lc.main_exited);
	cr_assert_eq(res.exit_code, 3);
}

/*
 * A thread killed alone (seccomp's KILL_THREAD: no PF_SIGNALED) does not
 * end its image; the process then grows, and its real end is read.
 */
Test(lifecycle, thread_killed_alone_does_not_end_the_image)
{
	struct fake_task *k = command(), *th = kernel_task(101, 100, 1, 64 * MIB);

	stop(101, ST_GROUP_STOP(SIGTRAP));
	th->flags = 0;
	stop(101, ST_EVENT(PTRACE_EVENT_EXIT));
	assert_resumed_only(101, 0);
	cr_assert_eq(fk.rollups, 0, "a thread dying alone read the image as ended");
	cr_assert(!proc_of(100)->image->final_sampled);
	stop(101, ST_EXITED(0));
	k->rss = 150 * MIB;
	at_syscall(k, "exit_group", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	cr_assert_eq(proc_of(100)->image->peak_rss, 150 * MIB);
}

/* A death by a signal (PF_SIGNALED on every thread): the first exit event reads it, once. */
Test(lifecycle, group_death_reads_the_end_once)
{
	struct fake_task *k = command(), *th = kernel_task(101, 100, 1, 64 * MIB);

	stop(101, ST_GROUP_STOP(SIGTRAP));
	k->flags = th->flags = PROCFS_PF_SIGNALED;
	stop(101, ST_EVENT(PTRACE_EVENT_EXIT));
	assert_resumed_only(101, 0);
	cr_assert_eq(fk.rollups, 1);
	cr_assert(proc_of(100)->image->final_sampled);
	stop(100, ST_EVENT(PTRACE_EVENT_EXIT));
	assert_resumed_only(100, 0);
	cr_assert_eq(fk.rollups, 1, "the group's end was read twice");
}

/*
 * Killed inside its execve (the exit event finds it in that syscall): no
 * sample there, /proc may show the new program; the entry sample is last.
 */
Test(lifecycle, killed_inside_exec_keeps_the_entry_sample)
{
	struct fake_task *k = command();

	at_syscall(k, "execve", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	cr_assert_eq(fk.rollups, 1, "the execve entry reads the old image");
	k->syscall_nr = (long)k->info.seccomp.nr;
	k->rss = 12 * 1024; /* the new program's memory */
	k->flags = PROCFS_PF_SIGNALED;
	stop(100, ST_EVENT(PTRACE_EVENT_EXIT));
	assert_resumed_only(100, 0);
	cr_assert_eq(fk.rollups, 1, "the new program's memory was read as the old image's");
	cr_assert(proc_of(100)->image->final_sampled);
	cr_assert_eq(proc_of(100)->image->last.rss, 64 * MIB);
	stop(100, ST_KILLED(SIGKILL));
	cr_assert_eq(pt.images[0]->end, IMAGE_SIGNAL);
}

/*
 * A failed execve leaves the task mid-exec for the tracer until it reports
 * again: a timed pass does not read the image, but asks the task to report
 * (once); its next report ends that state, and the next pass reads it.
 */
Test(lifecycle, timed_pass_probes_a_task_mid_exec)
{
	struct fake_task *k = command();

	at_syscall(k, "execve", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	fk.ncalls = 0;
	fk.rollups = 0;
	lifecycle_timed_pass(&lc);
	cr_assert_eq(fk.rollups, 0, "an image mid-exec was read");
	cr_assert_eq(fk.ncalls, 1);
	cr_assert_eq(fk.calls[0].kind, CALL_INTERRUPT);
	fk.ncalls = 0;
	lifecycle_timed_pass(&lc);
	cr_assert_eq(fk.ncalls, 0, "the task was asked twice");
	stop(100, ST_GROUP_STOP(SIGTRAP)); /* the interrupt's stop: the exec failed */
	assert_resumed_only(100, 0);
	lifecycle_timed_pass(&lc);
	cr_assert_eq(fk.rollups, 1, "timed sampling stayed off after a failed exec");
}

/* A group-stop is listened to, not resumed; a signal-delivery stop delivers the signal. */
Test(lifecycle, group_stop_and_signals)
{
	command();
	stop(100, ST_GROUP_STOP(SIGTSTP));
	cr_assert_eq(fk.ncalls, 1);
	cr_assert_eq(fk.calls[0].kind, CALL_LISTEN);
	cr_assert_eq(lc.nstopped, 1);
	stop(100, ST_GROUP_STOP(SIGTRAP)); /* SIGCONT ended it */
	assert_resumed_only(100, 0);
	cr_assert_eq(lc.nstopped, 0);
	stop(100, ST_STOPPED(SIGUSR1));
	assert_resumed_only(100, SIGUSR1);
}

/*
 * The command has ended and all that is left is stopped: SIGHUP and
 * SIGCONT once, as for an orphaned process group; stopped again, killed.
 */
Test(lifecycle, stopped_leftovers_are_settled)
{
	struct fake_task *k = command();

	kernel_task(300, 300, 100, MIB);
	stop(300, ST_GROUP_STOP(SIGTRAP));
	at_syscall(k, "exit_group", 0);
	stop(100, ST_EVENT(PTRACE_EVENT_SECCOMP));
	stop(100, ST_EXITED(0));
	cr_assert(lc.main_exited);
	stop(300, ST_GROUP_STOP(SIGSTOP));
	cr_assert(lifecycle_all_stopped(&lc));
	fk.ncalls = 0;
	lifecycle_settle(&lc);
	cr_assert_eq(fk.ncalls, 2);
	cr_assert(fk.calls[0].kind == CALL_KILL && fk.calls[0].sig == SIGHUP);
	cr_assert(fk.calls[1].kind == CALL_KILL && fk.calls[1].sig == SIGCONT);
	cr_assert(!lifecycle_all_stopped(&lc), "waiting for the SIGCONT's report");
	cr_assert_eq(res.after_exit.stopped_woken, 1);
	stop(300, ST_GROUP_STOP(SIGTRAP));
	stop(300, ST_GROUP_STOP(SIGSTOP));
	fk.ncalls = 0;
	lifecycle_settle(&lc);
	cr_assert_eq(fk.ncalls, 1);
	cr_assert(fk.calls[0].kind == CALL_KILL && fk.calls[0].sig == SIGKILL);
	cr_assert_eq(res.after_exit.stopped_killed, 1);
}
