/*
 * tracer: spawn the command under PTRACE_SEIZE with the seccomp filter, then
 * serve every stop of the tree until the last process is gone.
 *
 * The wait loop first classifies a wait status (event.c), then one handler
 * per event acts on the process table.  The tracer only wakes at the trapped
 * syscalls (exit, exit_group, execve(at), clone(3), fork, vfork) and at ptrace
 * events; everything else the tree does runs at native speed.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "filter.h"
#include "procfs.h"
#include "launch.h"
#include "tracer.h"
#include "util.h"

#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif
#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

/* Built in one place: what every traced task reports. */
#define TRACE_OPTIONS                                                                      \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC |                 \
	 PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)


struct tracer {
	const struct tracer_config *cfg;
	bool vmrss_exact;	/* status VmRSS is an exact sum on this kernel */
	uint64_t main_exit_ns;	/* when the command itself ended */
	uint64_t period_ns;	/* current timed sampling period, 0 = off */
	struct proctable *pt;
	struct tracer_result *res;
	int procfd;
	pid_t child;		/* the stub, then the command */
	bool exec_seen;		/* the command started */
	uint64_t end_ns;	/* time of the last death */
	char *err;
	size_t errlen;
	int fatal;		/* -errno of an internal failure, stops the loop */
	bool killing;		/* after an internal failure: kill whatever stops */
};

/* With -i 0, how often the loop wakes up once only orphans are left. */
#define WAKE_TICK_NS 100000000u

/* The direct child while it lives, for the forwarding handler. */
static volatile sig_atomic_t forward_pid;
/* A SIGTERM / SIGHUP that came after the command ended: for the rest of the tree. */
static volatile sig_atomic_t pending_forward;
/* Set by SIGALRM: a timed sampling pass is due. */
static volatile sig_atomic_t sample_due;

static void on_alarm(int sig)
{
	(void)sig;
	sample_due = 1;
}

static void forward_signal(int sig)
{
	int saved = errno; /* the interrupted code may be about to read it */

	if (forward_pid > 0)
		kill((pid_t)forward_pid, sig);
	errno = saved;
	/* Also when the kill found it a zombie not yet reaped: the loop checks. */
	pending_forward = sig;
}

static void set_err(struct tracer *tr, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(struct tracer *tr, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (tr->err[0])
		return; /* the first failure is the one to tell */
	va_start(ap, fmt);
	vsnprintf(tr->err, tr->errlen, fmt, ap);
	va_end(ap);
	n = strlen(tr->err);
	if (err && n < tr->errlen)
		snprintf(tr->err + n, tr->errlen - n, ": %s", strerror(err));
}

/*
 * Resume a stopped task.  ESRCH means it is gone (killed meanwhile): not an
 * error.  Anything else leaves it stopped for good: an internal error.
 */
static void resume(struct tracer *tr, pid_t tid, int sig)
{
	if (ptrace(PTRACE_CONT, tid, 0L, (long)sig) < 0 && errno != ESRCH && !tr->fatal) {
		tr->fatal = -errno;
		set_err(tr, errno, "cannot resume process %d (ptrace PTRACE_CONT)", (int)tid);
	}
}

static unsigned long event_msg(pid_t tid)
{
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &msg) < 0)
		return 0;
	return msg;
}

/*
 * Take an exact sample of the image of t's process through t's own /proc
 * entry (the leader may be a zombie whose /proc/TGID has no mm any more).
 */
static bool sample(struct tracer *tr, struct task *t, bool final)
{
	struct image *img = t->proc->image;
	struct pstatus st;
	struct rollup r;
	int rc_st;
	bool ok = false;

	if (!img)
		return false;
	rc_st = procfs_read_status(tr->procfd, t->tid, &st);
	if (procfs_read_rollup(tr->procfd, t->tid, &r) == 0) {
		proctable_record_sample(tr->pt, img, &r, rc_st == 0 ? &st : NULL);
		ok = true;
	} else if (rc_st == 0 && st.has_mm) {
		proctable_record_hwm(tr->pt, img, st.hwm);
	}
	if (final)
		img->final_sampled = true;
	return ok;
}

/* (Re)start the periodic SIGALRM that asks for timed sampling passes. */
static void arm_timer(uint64_t period_ns)
{
	struct itimerval it;

	it.it_interval.tv_sec = (time_t)(period_ns / 1000000000u);
	it.it_interval.tv_usec = (suseconds_t)(period_ns % 1000000000u / 1000u);
	if (period_ns && !it.it_interval.tv_sec && !it.it_interval.tv_usec)
		it.it_interval.tv_usec = 1;
	it.it_value = it.it_interval;
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A timed pass: one exact sample of every live image, read through any of
 * its tasks (running processes need no stop to be read), so the tree sums
 * see processes that hold memory at the same time.  Reads cost about 10 us
 * per MiB resident; when a pass gets slow the period stretches so that
 * sampling never takes more than 1/SAMPLING_BUDGET of a CPU.
 */
static void sample_tree(struct tracer *tr)
{
	struct proctable *pt = tr->pt;
	unsigned long pass = ++tr->res->passes;
	uint64_t start = util_thread_cpu_ns(), cost, want;

	proctable_begin_pass(pt);
	for (size_t b = 0; b < pt->nbuckets; b++)
		for (struct task *t = pt->buckets[b]; t; t = t->next) {
			struct image *img = t->proc ? t->proc->image : NULL;

			/*
			 * Mid-exec, /proc may already show the new program's mm:
			 * it must not be read as the old image's.
			 */
			if (img && t->proc->exec_tid)
				continue;
			if (img && img->pass != pass && sample(tr, t, false))
				img->pass = pass;
		}
	proctable_end_pass(pt);
	/*
	 * CPU time, not wall time: the budget is the tracer's CPU, and a pass
	 * that was merely preempted on a busy machine must not stretch the
	 * period past the overlaps it is there to see.
	 */
	cost = util_thread_cpu_ns() - start;
	tr->res->sampling_ns += cost;
	want = cost * SAMPLING_BUDGET;
	if (want < tr->cfg->interval_ms * 1000000u)
		want = tr->cfg->interval_ms * 1000000u;
	/* Re-arm only on a real change: a new period restarts the count. */
	if (want > tr->period_ns + tr->period_ns / 4 || want < tr->period_ns - tr->period_ns / 4) {
		tr->period_ns = want;
		if (want > tr->res->max_period_ns)
			tr->res->max_period_ns = want;
		arm_timer(want);
	}
}

/* Count the tasks of p that have not passed their exit stop. */
static unsigned running_tasks(const struct process *p)
{
	return p->ntasks - p->nexiting;
}

/* The syscall number and arguments of tid, stopped at a seccomp stop. */
static bool seccomp_info(pid_t tid, struct __ptrace_syscall_info *info)
{
	return ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info) > 0 &&
	       info->op == PTRACE_SYSCALL_INFO_SECCOMP;
}

/*
 * Clone flags of the syscall t is stopped at (clone or clone3 entry; info
 * is its syscall info, NULL when unknown), read now because the fork event
 * that follows does not carry them.
 */
static void read_clone_flags(struct task *t, int id, const struct __ptrace_syscall_info *info)
{
	unsigned long long flags;
	struct iovec local, remote;

	t->has_clone_flags = false;
	if (!info)
		return;
	if (id == FILTER_CLONE) {
		flags = info->seccomp.args[0];
	} else {
		/* clone3(struct clone_args *, size): flags is its first u64. */
		local.iov_base = &flags;
		local.iov_len = sizeof(flags);
		remote.iov_base = (void *)(uintptr_t)info->seccomp.args[0];
		remote.iov_len = sizeof(flags);
		if (process_vm_readv(t->tid, &local, 1, &remote, 1, 0) != sizeof(flags))
			return;
	}
	t->clone_flags = flags;
	t->has_clone_flags = true;
}

/*
 * Read a NUL-terminated string of the stopped task at addr into buf (len
 * bytes).  Reads page by page: a read that crossed into an unmapped page
 * would fail as a whole.  0, or -1 when unreadable or too long.
 */
static int read_string(pid_t tid, uint64_t addr, char *buf, size_t len)
{
	const size_t page = 4096;
	size_t got = 0;

	while (got < len) {
		size_t chunk = page - (size_t)((addr + got) % page);
		struct iovec local, remote;
		ssize_t n;

		if (chunk > len - got)
			chunk = len - got;
		local.iov_base = buf + got;
		local.iov_len = chunk;
		remote.iov_base = (void *)(uintptr_t)(addr + got);
		remote.iov_len = chunk;
		n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
		if (n <= 0)
			return -1;
		if (memchr(buf + got, '\0', (size_t)n))
			return 0;
		got += (size_t)n;
	}
	return -1;
}

/*
 * Will this execve fail for want of a file?  A PATH search (execvp, dash,
 * python's subprocess) tries one directory after another; the entry sample
 * of each failed try would be a full smaps_rollup walk of a process that
 * goes on unchanged.  Only "the file is not there" counts: anything unsure
 * says no, and the sample is taken.
 */
static bool exec_will_fail(struct tracer *tr, struct task *t, int id,
			   const struct __ptrace_syscall_info *info)
{
	char path[4096], full[4200];
	uint64_t addr;

	if (!info)
		return false;
	addr = id == FILTER_EXECVE ? info->seccomp.args[0] : info->seccomp.args[1];
	if (read_string(t->tid, addr, path, sizeof(path)) || !path[0])
		return false;
	/* execveat relative to a directory fd: not worth resolving. */
	if (id == FILTER_EXECVEAT && path[0] != '/' && (int)info->seccomp.args[0] != AT_FDCWD)
		return false;
	/* Resolve in the task's own root and working directory. */
	snprintf(full, sizeof(full), "/proc/%d/%s/%s", (int)t->tid, path[0] == '/' ? "root" : "cwd",
		 path);
	if (faccessat(AT_FDCWD, full, F_OK, 0) == 0)
		return false;
	if (errno != ENOENT && errno != ENOTDIR)
		return false;
	tr->res->exec_checks_skipped++;
	return true;
}

/*
 * Read t's image through status alone: its VmHWM, and its RSS where VmRSS
 * is exact (probed with --exact only).
 */
static void read_status_only(struct tracer *tr, struct task *t)
{
	struct image *img = t->proc->image;
	struct pstatus st;

	if (procfs_read_status(tr->procfd, t->tid, &st) == 0 && st.has_mm) {
		if (tr->vmrss_exact)
			proctable_record_rss(img, st.vmrss);
		proctable_record_hwm(tr->pt, img, st.hwm);
	}
}

/*
 * --exact: RSS can only go down through the syscall t is stopped at, so the
 * exact RSS now is a candidate for the peak that no counter can miss.
 */
static void read_exact_rss(struct tracer *tr, struct task *t)
{
	tr->res->exact_stops++;
	if (!t->proc->image)
		return;
	if (tr->vmrss_exact)
		read_status_only(tr, t);
	else
		sample(tr, t, false);
}

/*
 * t, a forked copy of its parent's program that never exec'd, is about to
 * exec (the fork + exec of every shell, make, spawn()).  Its pages are
 * mostly its parent's: a smaps_rollup walk would cost as much as one of the
 * parent (17 ms against 6 ms per command spawned by a 512 MiB parent) to add
 * nothing to the tree PSS.  status has its peak (VmHWM) and, where VmRSS is
 * exact, what --exact needs; a timed pass has read its pages if it lived
 * long enough to make its own.
 */
static void sample_forked_copy(struct tracer *tr, struct task *t, int id,
			       const struct __ptrace_syscall_info *info)
{
	/* --exact where VmRSS is a counter: the exact reading is a walk. */
	if (tr->cfg->exact && !tr->vmrss_exact) {
		if (!exec_will_fail(tr, t, id, info))
			sample(tr, t, false);
		return;
	}
	read_status_only(tr, t);
}

/*
 * t is at its exit or exit_group stop.  Whatever must be read of its image
 * is read now (or, for a thread that is not the last, by the last one), so
 * its PTRACE_EVENT_EXIT stop would buy nothing: turn it off for this task.
 * A death by a signal still gives every other task its exit event.
 */
static void mark_exiting(struct task *t)
{
	if (t->in_exit)
		return;
	t->in_exit = true;
	t->proc->nexiting++;
	ptrace(PTRACE_SETOPTIONS, t->tid, 0L, (long)(TRACE_OPTIONS & ~PTRACE_O_TRACEEXIT));
}

static void on_seccomp(struct tracer *tr, struct task *t)
{
	/*
	 * One call gives the filter's data (the id, as PTRACE_GETEVENTMSG
	 * would) and the arguments the clone and execve stops need.
	 */
	struct __ptrace_syscall_info buf = { 0 };
	const struct __ptrace_syscall_info *info = seccomp_info(t->tid, &buf) ? &buf : NULL;
	int id = info ? (int)info->seccomp.ret_data : (int)event_msg(t->tid);
	struct process *p = t->proc;

	/* Its execve returned (it failed): this task is past it. */
	if (p->exec_tid == t->tid)
		p->exec_tid = 0;
	switch (id) {
	case FILTER_EXIT:
		mark_exiting(t);
		/* The last thread leaving: the image ends now, mm intact. */
		if (p->image && !p->image->final_sampled && running_tasks(p) == 0)
			sample(tr, t, true);
		break;
	case FILTER_EXIT_GROUP:
		mark_exiting(t);
		if (p->image && !p->image->final_sampled)
			sample(tr, t, true);
		break;
	case FILTER_EXECVE:
	case FILTER_EXECVEAT:
		/*
		 * The only moment the old image can be read: after a successful
		 * exec its mm is gone.  The exec may still fail (a PATH search):
		 * then this is just one more sample and the image goes on.
		 */
		if (p->image && p->image->fork_parent)
			sample_forked_copy(tr, t, id, info); /* as cheap as the check below */
		else if (p->image && !exec_will_fail(tr, t, id, info))
			sample(tr, t, false);
		p->exec_tid = t->tid;
		break;
	case FILTER_CLONE:
	case FILTER_CLONE3:
		read_clone_flags(t, id, info);
		break;
	case FILTER_FORK:
		t->clone_flags = 0;
		t->has_clone_flags = true;
		break;
	case FILTER_VFORK:
		t->clone_flags = CLONE_VM | CLONE_VFORK;
		t->has_clone_flags = true;
		break;
	default:
		if (FILTER_IS_RELEASE(id))
			read_exact_rss(tr, t);
		/* Else another filter's RET_TRACE (the command installed its own). */
		break;
	}
	resume(tr, t->tid, 0);
}

static void handle(struct tracer *tr, pid_t tid, int status, const struct rusage *ru);

/* A task named by its parent's event: attach it, replay an early stop. */
static void adopt_task(struct tracer *tr, pid_t tid, struct process *proc)
{
	struct task *t = proctable_find_task(tr->pt, tid);

	if (t && t->early) {
		t->early = false;
		t->proc = proc;
		proc->ntasks++;
		t->want_initial_stop = true;
		handle(tr, tid, t->early_status, NULL);
		return;
	}
	if (t) /* a stale entry for a reused tid cannot be: tids are reaped first */
		return;
	t = proctable_add_task(tr->pt, tid, proc);
	if (!t) {
		tr->fatal = -ENOMEM;
		return;
	}
	t->want_initial_stop = true;
}

static void on_new_task(struct tracer *tr, struct task *t, enum event_kind kind)
{
	pid_t child = (pid_t)event_msg(t->tid);
	struct process *parent = t->proc, *proc;
	unsigned long long flags;
	pid_t ppid;

	if (child <= 0) {
		resume(tr, t->tid, 0);
		return;
	}
	if (kind == EVENT_FORK)
		flags = 0;
	else if (kind == EVENT_VFORK)
		flags = CLONE_VM | CLONE_VFORK;
	else if (t->has_clone_flags)
		flags = t->clone_flags;
	else {
		/* No flags from the stop: ask /proc whether it is a thread. */
		struct pstatus st;

		flags = 0;
		if (procfs_read_status(tr->procfd, child, &st) == 0 && st.tgid == parent->tgid)
			flags = CLONE_THREAD | CLONE_VM;
	}
	t->has_clone_flags = false;

	if (flags & CLONE_THREAD) {
		adopt_task(tr, child, parent);
		resume(tr, t->tid, 0);
		return;
	}
	ppid = (flags & CLONE_PARENT) ? parent->ppid : parent->tgid;
	proc = proctable_new_process(tr->pt, child, ppid, false);
	if (!proc) {
		tr->fatal = -ENOMEM;
		return;
	}
	/*
	 * A forked child owns a copy of its parent's mm: its first image is
	 * the parent's program.  A CLONE_VM child (vfork, posix_spawn) borrows
	 * the parent's mm and has no image until it execs.
	 */
	if (!(flags & CLONE_VM) && parent->image) {
		if (proctable_open_forked_image(tr->pt, proc, parent->image, util_now_ns())) {
			free(proc);
			tr->fatal = -ENOMEM;
			return;
		}
	}
	adopt_task(tr, child, proc);
	resume(tr, t->tid, 0);
}

static void on_exec(struct tracer *tr, struct task *t)
{
	pid_t old_tid = (pid_t)event_msg(t->tid);
	struct process *p = t->proc;
	uint64_t now = util_now_ns();
	char *argv = NULL, *exe = NULL;
	size_t argv_len = 0;

	/*
	 * Exec from a non-leader thread: the kernel gave that thread the
	 * leader's tid; the leader reports no death of its own.  Keep the
	 * leader's entry for the execing task and drop the old thread's.
	 */
	if (old_tid > 0 && old_tid != t->tid) {
		struct task *old = proctable_find_task(tr->pt, old_tid);

		if (old) {
			if (old->in_exit)
				p->nexiting--;
			proctable_remove_task(tr->pt, old);
		}
	}
	if (t->in_exit) {
		t->in_exit = false;
		p->nexiting--;
	}
	p->exec_tid = 0;
	if (p->stub) {
		/* maxrss-sc's own stub became the command: time 0 of the report. */
		p->stub = false;
		tr->pt->nprocesses++;
		tr->pt->t0_ns = now;
		tr->exec_seen = true;
	} else if (p->image) {
		proctable_close_image(tr->pt, p, IMAGE_EXEC, 0, 0, now);
	}
	if (procfs_read_cmdline(tr->procfd, t->tid, &argv, &argv_len) != 0) {
		argv = NULL;
		argv_len = 0;
	}
	procfs_read_exe(tr->procfd, t->tid, &exe);
	if (proctable_open_image(tr->pt, p, argv ? argv : "", argv ? argv_len : 0, exe, now))
		tr->fatal = -ENOMEM;
	free(argv);
	free(exe);
	resume(tr, t->tid, 0);
}

/* PTRACE_EVENT_EXIT: the task is about to exit and its mm is still intact. */
static void on_exit_event(struct tracer *tr, struct task *t)
{
	struct process *p = t->proc;

	/*
	 * A task that did not pass an exit stop of its own dies of a signal
	 * (the only stop a SIGSEGV or abort gives), or because another thread
	 * called exit_group (then that one sampled) or exec (then the execve
	 * entry sampled and the image goes on in the new program).
	 */
	if (p->exec_tid && p->exec_tid != t->tid) {
		resume(tr, t->tid, 0);
		return;
	}
	if (p->image && !p->image->final_sampled &&
	    (!t->in_exit || running_tasks(p) == 0))
		sample(tr, t, true);
	resume(tr, t->tid, 0);
}

/* Processes of the tree still alive, other than skip (leaders stand for them). */
static unsigned count_others(const struct proctable *pt, const struct process *skip)
{
	unsigned n = 0;

	for (size_t b = 0; b < pt->nbuckets; b++)
		for (const struct task *t = pt->buckets[b]; t; t = t->next)
			if (t->proc && t->proc != skip && t->tid == t->proc->tgid)
				n++;
	return n;
}

static void on_death(struct tracer *tr, struct task *t, int status, const struct rusage *ru)
{
	struct process *p = t->proc;

	tr->end_ns = util_now_ns();
	if (t->tid == tr->child) {
		struct tracer_result *res = tr->res;

		tr->main_exit_ns = tr->end_ns;
		forward_pid = 0; /* its pid may be reused from now on */
		res->after_exit_processes = count_others(tr->pt, p);
		/*
		 * From now on a SIGTERM or SIGHUP for us is passed on by the
		 * loop, which only sees it when wait4 returns.  One landing just
		 * before wait4 blocks would wait for the next event of an idle
		 * tree: with no sampling timer, a tick bounds that wait.
		 */
		if (!tr->period_ns && res->after_exit_processes)
			arm_timer(WAKE_TICK_NS);

		res->exited = WIFEXITED(status);
		res->exit_code = res->exited ? WEXITSTATUS(status) : -1;
		res->signal = res->exited ? 0 : WTERMSIG(status);
		if (ru) {
			res->has_ru = true;
			res->ru_maxrss_bytes = (uint64_t)ru->ru_maxrss * 1024;
			res->user_seconds = (double)ru->ru_utime.tv_sec +
					    (double)ru->ru_utime.tv_usec / 1e6;
			res->sys_seconds = (double)ru->ru_stime.tv_sec +
					   (double)ru->ru_stime.tv_usec / 1e6;
		}
	}
	if (!p) {
		proctable_remove_task(tr->pt, t);
		return;
	}
	/* The leader's status is the process's; the kernel reports the leader last. */
	if (t->tid == p->tgid) {
		p->exited_leader = true;
		p->wait_status = status;
	}
	if (t->in_exit)
		p->nexiting--;
	if (p->exec_tid == t->tid)
		p->exec_tid = 0;
	if (p->ntasks == 1 && p->image) {
		int st = p->exited_leader ? p->wait_status : status;
		struct image *img = p->image;

		if (WIFEXITED(st))
			proctable_close_image(tr->pt, p, IMAGE_EXIT, WEXITSTATUS(st), 0,
					      tr->end_ns);
		else
			proctable_close_image(tr->pt, p,
					      img->final_sampled ? IMAGE_SIGNAL : IMAGE_LOST, -1,
					      WTERMSIG(st), tr->end_ns);
	}
	proctable_remove_task(tr->pt, t);
}

/* SIGKILL every traced task: the tree must not outlive a failed tracer. */
static void kill_tree(const struct proctable *pt)
{
	for (size_t b = 0; b < pt->nbuckets; b++)
		for (const struct task *t = pt->buckets[b]; t; t = t->next)
			kill(t->tid, SIGKILL);
}

/*
 * After kill_tree() when wait4 failed: reap what we can for up to a second,
 * so that nothing of the tree is left behind when we return.  Tasks that
 * were never named to us die with us (PTRACE_O_EXITKILL).
 */
static void reap_killed(void)
{
	for (int i = 0; i < 1000; i++) {
		int st;
		pid_t r = waitpid(-1, &st, __WALL | WNOHANG);

		if (r < 0 && errno != EINTR)
			return;
		if (r == 0)
			usleep(1000);
		else if (r > 0 && WIFSTOPPED(st)) {
			kill(r, SIGKILL);
			ptrace(PTRACE_CONT, r, 0L, 0L);
		}
	}
}

/* Pass sig on to every process still alive (the command itself is gone). */
static void forward_to_tree(const struct proctable *pt, int sig)
{
	for (size_t b = 0; b < pt->nbuckets; b++)
		for (const struct task *t = pt->buckets[b]; t; t = t->next)
			if (t->proc && !t->proc->stub && t->tid == t->proc->tgid)
				kill(t->tid, sig);
}

static bool is_stopping_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void handle(struct tracer *tr, pid_t tid, int status, const struct rusage *ru)
{
	struct task *t = proctable_find_task(tr->pt, tid);
	int detail;
	enum event_kind kind = event_classify(status, &detail);

	if (!t) {
		if (kind == EVENT_EXITED || kind == EVENT_KILLED) {
			/* An untraced orphan re-parented to us (CLONE_UNTRACED). */
			return;
		}
		/*
		 * A new task can report its first stop before its parent's
		 * fork event names it: keep it stopped until then.
		 */
		t = proctable_add_task(tr->pt, tid, NULL);
		if (!t) {
			tr->fatal = -ENOMEM;
			return;
		}
		t->early = true;
		t->early_status = status;
		return;
	}
	if (kind == EVENT_EXITED || kind == EVENT_KILLED) {
		on_death(tr, t, status, ru);
		return;
	}
	if (!t->proc) {
		/* Another stop of an early task: keep the first, it is replayed. */
		return;
	}
	switch (kind) {
	case EVENT_SECCOMP:
		on_seccomp(tr, t);
		break;
	case EVENT_FORK:
	case EVENT_VFORK:
	case EVENT_CLONE:
		on_new_task(tr, t, kind);
		break;
	case EVENT_EXEC:
		on_exec(tr, t);
		break;
	case EVENT_EXIT:
		on_exit_event(tr, t);
		break;
	case EVENT_STOP:
		if (t->want_initial_stop) {
			t->want_initial_stop = false;
			resume(tr, tid, 0);
		} else if (is_stopping_signal(detail)) {
			/*
			 * A group-stop (SIGSTOP, Ctrl-Z): stay stopped, as without
			 * a tracer, until SIGCONT.  PTRACE_LISTEN keeps it so and
			 * still lets us see the next event.
			 */
			if (ptrace(PTRACE_LISTEN, tid, 0L, 0L) < 0 && errno != ESRCH)
				warn_errno("ptrace(PTRACE_LISTEN, %d)", (int)tid);
		} else {
			resume(tr, tid, 0);
		}
		break;
	case EVENT_SIGNAL:
		/* Deliver the signal the task was about to receive. */
		resume(tr, tid, detail);
		break;
	case EVENT_EXITED:
	case EVENT_KILLED:
	case EVENT_UNKNOWN:
		resume(tr, tid, 0);
		break;
	}
}

/* Set the result's status once the loop is over. */
static int finish(struct tracer *tr, int err_fd, char *const *command)
{
	struct tracer_result *res = tr->res;
	struct launch_error e = { 0, 0 };
	const struct image *peak;
	struct pstatus self;

	if (procfs_read_status(tr->procfd, getpid(), &self) == 0)
		res->tracer_rss = self.hwm;
	if (!tr->exec_seen) {
		ssize_t n = read(err_fd, &e, sizeof(e));

		res->ran = false;
		if (n == (ssize_t)sizeof(e) && e.stage == LAUNCH_EXEC) {
			res->status = (e.err == ENOENT || e.err == ENOTDIR) ? 127 : 126;
			set_err(tr, e.err, "cannot run '%s'", command[0]);
			return 0;
		}
		if (n == (ssize_t)sizeof(e) && e.stage == LAUNCH_SECCOMP) {
			set_err(tr, e.err, "cannot install the seccomp filter");
			return -e.err;
		}
		set_err(tr, 0, "the command did not start (its launcher %s)",
			res->exited ? "exited" : "was killed");
		return -ECHILD;
	}
	res->ran = true;
	res->wall_ns = tr->end_ns > tr->pt->t0_ns ? tr->end_ns - tr->pt->t0_ns : 0;
	if (res->after_exit_processes && tr->end_ns > tr->main_exit_ns)
		res->after_exit_ns = tr->end_ns - tr->main_exit_ns;
	res->status = res->exited ? res->exit_code : 128 + res->signal;
	/*
	 * The tree held at least what its largest image held at that image's
	 * peak, even when no sample fell on that instant (VmHWM saw it).
	 */
	peak = proctable_peak_image(tr->pt);
	if (peak && peak->peak_rss > tr->pt->tree_peak_rss)
		tr->pt->tree_peak_rss = peak->peak_rss;
	/* Images still open now lost their processes without a word from the kernel. */
	for (size_t i = 0; i < tr->pt->nimages; i++) {
		struct image *img = tr->pt->images[i];

		if (img->end == IMAGE_RUNNING) {
			img->end = IMAGE_LOST;
			img->alive = false;
			img->end_ns = res->wall_ns;
		}
	}
	return 0;
}

/* Build and export the filter of this run. */
static int make_filter(bool exact, struct filter_prog *prog)
{
	bool nnp = !filter_privileged();
	scmp_filter_ctx ctx;
	int rc = filter_build(&ctx, nnp, exact);

	if (rc)
		return rc;
	rc = filter_export(ctx, nnp, prog);
	filter_release(ctx);
	return rc;
}

int tracer_run(char *const *command, const struct tracer_config *cfg, struct proctable *pt,
	       struct tracer_result *res, char *err, size_t errlen)
{
	struct tracer tr = { .cfg = cfg, .pt = pt, .res = res, .err = err, .errlen = errlen };
	struct sigaction ign = { .sa_handler = SIG_IGN }, fwd = { .sa_handler = forward_signal };
	/* No SA_RESTART: the alarm must interrupt a blocked wait4. */
	struct sigaction alarm_act = { .sa_handler = on_alarm };
	struct sigaction old_int, old_quit, old_term, old_hup, old_alrm;
	struct filter_prog filter = { 0 };
	struct launch_args la = { 0 };
	sigset_t stop_int;
	char *path = NULL;
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 };
	struct process *stub;
	struct task *t;
	int rc;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->interval_ms = cfg->interval_ms;
	err[0] = '\0';
	tr.procfd = procfs_open();
	if (tr.procfd < 0) {
		set_err(&tr, -tr.procfd, "cannot open /proc");
		return tr.procfd;
	}
	if (cfg->exact) {
		/* The cheap exact reading exists only where VmRSS is no longer a counter. */
		tr.vmrss_exact = procfs_probe_vmrss_exact(tr.procfd) == 1;
		res->exact = true;
		res->rss_source = tr.vmrss_exact ? "VmRSS" : "smaps_rollup";
		pt->hwm_is_peak = false;
	}
	rc = launch_resolve(command[0], getenv("PATH"), &path);
	if (rc == -ENOENT || rc == -EACCES) {
		/* Not found or not executable: like the shell, 127 or 126, no report. */
		res->status = rc == -ENOENT ? 127 : 126;
		set_err(&tr, -rc, "cannot run '%s'", command[0]);
		rc = 0;
		goto out;
	}
	if (rc) {
		set_err(&tr, -rc, "cannot look up '%s'", command[0]);
		goto out;
	}
	rc = make_filter(cfg->exact, &filter);
	if (rc) {
		set_err(&tr, -rc, "cannot build the seccomp filter");
		goto out;
	}
	la.path = path;
	la.argv = command;
	la.envp = environ;
	la.filter = &filter;
	la.sh_argv = launch_sh_argv(path, command);
	if (!la.sh_argv) {
		rc = -ENOMEM;
		set_err(&tr, ENOMEM, "out of memory");
		goto out;
	}
	/* The error pipe is read once at the end: it must never block there. */
	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    fcntl(errp[0], F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		set_err(&tr, errno, "pipe");
		goto out;
	}
	/* Orphans of the tree come back to us, so they are still waited for. */
	prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
	/*
	 * Like time(1): Ctrl-C and Ctrl-\ go to the whole foreground group,
	 * so the command gets them; we stay to write the report.  SIGTERM
	 * and SIGHUP sent to us alone are passed on to the command.  The
	 * stub starts with our dispositions and sets the mask it is given:
	 * blocked until we ignore them, those two cannot end us in between.
	 */
	sigemptyset(&stop_int);
	sigaddset(&stop_int, SIGINT);
	sigaddset(&stop_int, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop_int, &la.mask);
	la.go_fd = go[0];
	la.err_fd = errp[1];
	pid = launch_start(&la);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	sigprocmask(SIG_SETMASK, &la.mask, NULL);
	if (pid < 0) {
		rc = pid;
		set_err(&tr, -rc, "cannot start the command (clone)");
		goto restore;
	}
	close(go[0]);
	close(errp[1]);
	go[0] = errp[1] = -1;
	tr.child = pid;
	forward_pid = pid;
	sigaction(SIGTERM, &fwd, &old_term);
	sigaction(SIGHUP, &fwd, &old_hup);

	/* Options are set by the seize itself: no stop is needed to set them. */
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)TRACE_OPTIONS) < 0) {
		struct pstatus who;

		rc = -errno;
		/* strace -f or gdb above us took the child first: say so. */
		if (rc == -EPERM && procfs_read_status(tr.procfd, pid, &who) == 0 && who.tracer)
			set_err(&tr, 0,
				"cannot trace the command: it is already traced by process %d "
				"(is maxrss-sc itself running under strace -f or a debugger?)",
				(int)who.tracer);
		else
			set_err(&tr, errno, "cannot trace the command (ptrace PTRACE_SEIZE)");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto restore_all;
	}
	stub = proctable_new_process(pt, pid, getpid(), true);
	t = stub ? proctable_add_task(pt, pid, stub) : NULL;
	if (!t) {
		free(stub);
		rc = -ENOMEM;
		set_err(&tr, ENOMEM, "out of memory");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto restore_all;
	}
	if (write(go[1], "g", 1) != 1) {
		rc = -errno;
		set_err(&tr, errno, "cannot start the command");
		kill(pid, SIGKILL);
	}
	close(go[1]);
	go[1] = -1;
	sample_due = 0;
	sigaction(SIGALRM, &alarm_act, &old_alrm);
	tr.period_ns = cfg->interval_ms * 1000000u;
	arm_timer(tr.period_ns);

	for (;;) {
		struct rusage ru;
		int status;
		pid_t tid;

		/*
		 * Checked after every event too: a busy tree may never let
		 * wait4 block long enough to be interrupted by the alarm.
		 */
		if (sample_due) {
			sample_due = 0;
			if (tr.exec_seen && !tr.killing && cfg->interval_ms)
				sample_tree(&tr);
		}
		if (pending_forward) {
			siginfo_t si = { 0 };

			/*
			 * The handler gave it to the direct child if alive; if it
			 * had already exited (a zombie, reaped or not), the signal
			 * is for the rest of the tree.  WNOWAIT: only a look.
			 */
			if (!proctable_find_task(pt, tr.child) ||
			    (waitid(P_PID, (id_t)tr.child, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
			     si.si_pid == tr.child))
				forward_to_tree(pt, pending_forward);
			pending_forward = 0;
		}
		tid = wait4(-1, &status, __WALL, &ru);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			/*
			 * We can no longer wait: kill the tree and go, the kernel
			 * reaps it (PTRACE_O_EXITKILL covers what we missed).
			 */
			rc = rc ? rc : -errno;
			set_err(&tr, errno, "wait4");
			kill_tree(pt);
			reap_killed();
			break;
		}
		res->stops++;
		if (tr.killing && WIFSTOPPED(status)) {
			/* Whatever still stops (a new child too) is killed, then let go. */
			kill(tid, SIGKILL);
			ptrace(PTRACE_CONT, tid, 0L, 0L);
			continue;
		}
		handle(&tr, tid, status, &ru);
		if (tr.fatal && !tr.killing) {
			/* Never strand the tree: without us its traced syscalls would fail. */
			rc = tr.fatal;
			set_err(&tr, -rc, "internal error, stopping the command");
			kill_tree(pt);
			tr.killing = true;
		}
	}
	if (rc == 0) {
		rc = finish(&tr, errp[0], command);
	} else {
		finish(&tr, errp[0], command); /* keeps the first message */
		res->status = 125;
	}
	arm_timer(0);
	sigaction(SIGALRM, &old_alrm, NULL);
restore_all:
	forward_pid = 0;
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
out:
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	filter_prog_free(&filter);
	free(la.sh_argv);
	free(path);
	close(tr.procfd);
	return rc;
}
