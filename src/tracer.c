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
#include <linux/kcmp.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
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
	struct filter_classes classes; /* which stop is which syscall */
	bool vmrss_exact;	/* status VmRSS is an exact sum on this kernel */
	uint64_t main_exit_ns;	/* when the command itself ended */
	uint64_t period_ns;	/* current timed sampling period, 0 = off */
	struct proctable *pt;
	struct tracer_result *res;
	int procfd;
	pid_t child;		/* the stub, then the command */
	bool exec_seen;		/* the command started */
	bool main_exited;	/* the command itself has ended */
	unsigned nstopped;	/* tasks in a group-stop (PTRACE_LISTEN) */
	unsigned nexiting;	/* tasks past their exit: zombie leaders wait for the rest */
	unsigned settle_round;	/* times settle_stopped() acted */
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
 * Take an exact sample of img through tid's own /proc entry (the leader
 * may be a zombie whose /proc/TGID has no mm any more; a borrower's tid
 * shows the mm it borrows).
 */
static bool sample_image(struct tracer *tr, struct image *img, pid_t tid, bool final)
{
	struct pstatus st;
	struct rollup r;
	int rc_st;
	bool ok = false;

	if (!img)
		return false;
	rc_st = procfs_read_status(tr->procfd, tid, &st);
	if (procfs_read_rollup(tr->procfd, tid, &r) == 0) {
		proctable_record_sample(tr->pt, img, &r, rc_st == 0 ? &st : NULL);
		ok = true;
	} else if (rc_st == 0 && st.has_mm) {
		proctable_record_hwm(tr->pt, img, st.hwm);
	}
	if (final)
		img->final_sampled = true;
	return ok;
}

/* A sample of the image of t's process (none while its mm is borrowed). */
static bool sample(struct tracer *tr, struct task *t, bool final)
{
	return sample_image(tr, t->proc->image, t->tid, final);
}

/* The image whose memory p runs on: its own, or the one it borrows while that lives. */
static struct image *live_mm_image(const struct process *p)
{
	if (p->image)
		return p->image;
	return p->borrowed && p->borrowed->alive ? p->borrowed : NULL;
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
 * p's exec_tid entered execve and has not reported since: mid-exec, /proc
 * may already show the new program's mm, which must not be read as the old
 * image's.  Whether the exec failed only shows at that task's next report,
 * which nothing else may ever bring: ask for one (PTRACE_INTERRUPT stops it
 * on its way back to user space, after the exec event if the exec worked).
 */
static void probe_exec(struct process *p)
{
	if (p->exec_probed)
		return;
	p->exec_probed = true;
	ptrace(PTRACE_INTERRUPT, p->exec_tid, 0L, 0L);
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
	unsigned long pass = ++tr->res->tracer.timed_passes;
	uint64_t start = util_thread_cpu_ns(), cost, want;

	proctable_begin_pass(pt);
	for (size_t b = 0; b < pt->nbuckets; b++)
		for (struct task *t = pt->buckets[b]; t; t = t->next) {
			struct image *img = t->proc->image;

			if (!img || img->pass == pass)
				continue;
			if (t->proc->exec_tid)
				probe_exec(t->proc);
			else if (sample(tr, t, false))
				img->pass = pass;
		}
	proctable_end_pass(pt);
	/*
	 * CPU time, not wall time: the budget is the tracer's CPU, and a pass
	 * that was merely preempted on a busy machine must not stretch the
	 * period past the overlaps it is there to see.
	 */
	cost = util_thread_cpu_ns() - start;
	tr->res->tracer.sampling_ns += cost;
	want = cost * SAMPLING_BUDGET;
	if (want < tr->cfg->interval_ms * 1000000u)
		want = tr->cfg->interval_ms * 1000000u;
	/* Re-arm only on a real change: a new period restarts the count. */
	if (want > tr->period_ns + tr->period_ns / 4 || want < tr->period_ns - tr->period_ns / 4) {
		tr->period_ns = want;
		if (want > tr->res->tracer.max_interval_ns)
			tr->res->tracer.max_interval_ns = want;
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
 * that follows does not carry them: the kernel reports a FORK event for any
 * clone whose exit signal is SIGCHLD and a VFORK event for any CLONE_VFORK,
 * whatever CLONE_VM and CLONE_PARENT say.
 */
static void read_clone_flags(struct task *t, enum filter_id id,
			     const struct __ptrace_syscall_info *info)
{
	unsigned long long flags;
	struct iovec local, remote;

	t->has_clone_flags = false;
	if (id == FILTER_FORK) {
		flags = 0;
	} else if (id == FILTER_VFORK) {
		flags = CLONE_VM | CLONE_VFORK;
	} else if (!info) {
		return;
	} else if (id == FILTER_CLONE) {
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
 * openat2(2) confined to the directory dfd stands for: the task's root or
 * working directory.  -1 with errno (ENOSYS before Linux 5.6).
 */
static int open_confined(int dfd, const char *path, bool in_root)
{
	struct open_how how = { 0 };

	how.flags = O_PATH | O_CLOEXEC;
	/*
	 * As the task resolves it: its absolute symlinks and ".." stay in its
	 * root.  Magic links (/proc/PID/fd/N) are refused, and a relative path
	 * must stay below its working directory: anything else is unsure.
	 */
	how.resolve = RESOLVE_NO_MAGICLINKS | (in_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

/*
 * Will this execve fail for want of a file?  A PATH search (execvp, dash,
 * python's subprocess) tries one directory after another; the entry sample
 * of each failed try would be a full smaps_rollup walk of a process that
 * goes on unchanged.  Only "the file is not there, as the task sees it"
 * counts: anything unsure says no, and the sample is taken.
 *
 * The path is resolved from the task's own root or working directory, and
 * the deepest directory of it that exists must not be in procfs: there
 * /proc/self, /proc/thread-self and /dev/fd (a link to /proc/self/fd) name
 * the tracer's own files, not the task's.
 */
static bool exec_will_fail(struct tracer *tr, struct task *t, enum filter_id id,
			   const struct __ptrace_syscall_info *info)
{
	char path[4096], base[64];
	struct statfs fs;
	uint64_t addr;
	size_t len;
	bool abs, missing = false;
	int dfd, fd = -1;

	if (!info)
		return false;
	addr = id == FILTER_EXECVE ? info->seccomp.args[0] : info->seccomp.args[1];
	if (read_string(t->tid, addr, path, sizeof(path)) || !path[0])
		return false;
	abs = path[0] == '/';
	/* execveat relative to a directory fd: not worth resolving. */
	if (id == FILTER_EXECVEAT && !abs && (int)info->seccomp.args[0] != AT_FDCWD)
		return false;
	snprintf(base, sizeof(base), "/proc/%d/%s", (int)t->tid, abs ? "root" : "cwd");
	dfd = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return false;
	/* The path, then each of its parents, until one exists. */
	for (len = strlen(path);;) {
		path[len] = '\0';
		fd = open_confined(dfd, len ? path : ".", abs);
		if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR))
			break;
		missing = true;
		while (len && path[len - 1] == '/')
			len--;
		while (len && path[len - 1] != '/')
			len--;
	}
	close(dfd);
	if (fd < 0)
		return false;
	if (missing && (fstatfs(fd, &fs) != 0 || fs.f_type == PROC_SUPER_MAGIC))
		missing = false;
	close(fd);
	if (missing)
		tr->res->tracer.exec_samples_skipped++;
	return missing;
}

/*
 * Read img through tid's status alone: its VmHWM, and its RSS where VmRSS
 * is exact (probed with --exact only).
 */
static void read_status_only(struct tracer *tr, struct image *img, pid_t tid)
{
	struct pstatus st;

	if (procfs_read_status(tr->procfd, tid, &st) == 0 && st.has_mm) {
		if (tr->vmrss_exact)
			proctable_record_rss(img, st.vmrss);
		proctable_record_hwm(tr->pt, img, st.hwm);
	}
}

/*
 * --exact: the exact RSS of img (read through tid) now, before a syscall
 * that may lower it: a candidate for the peak that no counter can miss.
 */
static void read_exact_rss(struct tracer *tr, struct image *img, pid_t tid)
{
	if (!img)
		return;
	if (tr->vmrss_exact)
		read_status_only(tr, img, tid);
	else
		sample_image(tr, img, tid, false);
}

/*
 * --exact, at t's stop before a syscall that can lower an RSS: read the
 * process whose pages it releases.  That is the mm t runs on (a CLONE_VM
 * helper's munmap lowers its lender's RSS), or for process_madvise the
 * process its pidfd names.  A file cut short or punched loses its pages in
 * every mapping: only the caller's are read (see CAVEATS).
 */
static void on_release(struct tracer *tr, struct task *t, enum filter_id id,
		       const struct __ptrace_syscall_info *info)
{
	struct image *img = live_mm_image(t->proc);
	pid_t tid = t->tid, target;

	tr->res->tracer.exact_stops++;
	if (id == FILTER_IO_URING_SETUP) {
		/* Its madvise and fallocate bypass seccomp: VmHWM is the floor again. */
		tr->pt->hwm_is_peak = true;
		tr->res->tracer.exact_hwm_floor = true;
		return;
	}
	if (id == FILTER_PROCESS_MADVISE) {
		int pidfd = info ? (int)info->seccomp.args[0] : -1;
		struct task *tt;

		img = NULL;
		if (pidfd >= 0 && procfs_read_pidfd_pid(tr->procfd, t->tid, pidfd, &target) == 0 &&
		    (tt = proctable_find_task(tr->pt, target))) {
			img = live_mm_image(tt->proc);
			tid = target;
		}
	}
	read_exact_rss(tr, img, tid);
}

/*
 * t, a forked copy of its parent's program that never exec'd, is about to
 * exec (the fork + exec of every shell, make, spawn()).  Its pages are
 * mostly its parent's: a smaps_rollup walk would cost as much as one of the
 * parent (17 ms against 6 ms per command spawned by a 512 MiB parent) to add
 * nothing to the tree PSS.  status has its peak (VmHWM) and, where VmRSS is
 * exact, what --exact needs; a timed pass has read its pages if it lived
 * long enough to make its own.  Returns true when a full sample was taken.
 */
static bool sample_forked_copy(struct tracer *tr, struct task *t, enum filter_id id,
			       const struct __ptrace_syscall_info *info)
{
	/* --exact where VmRSS is a counter: the exact reading is a walk. */
	if (tr->cfg->exact && !tr->vmrss_exact && !exec_will_fail(tr, t, id, info))
		return sample(tr, t, false);
	read_status_only(tr, t->proc->image, t->tid);
	return false;
}

/* t will exit alone (exit, or killed alone) or with its group: it no longer runs. */
static void set_exiting(struct tracer *tr, struct task *t)
{
	if (t->in_exit)
		return;
	t->in_exit = true;
	t->proc->nexiting++;
	tr->nexiting++;
}

/* t runs again (it exec'd: a zombie leader's entry now stands for the execing thread). */
static void clear_exiting(struct tracer *tr, struct task *t)
{
	if (!t->in_exit)
		return;
	t->in_exit = false;
	t->proc->nexiting--;
	tr->nexiting--;
}

/*
 * t is at its exit or exit_group stop.  Whatever must be read of its image
 * is read now (or, for a thread that is not the last, by the last one), so
 * its PTRACE_EVENT_EXIT stop would buy nothing: turn it off for this task.
 * A death by a signal still gives every other task its exit event.
 */
static void mark_exiting(struct tracer *tr, struct task *t)
{
	if (t->in_exit)
		return;
	set_exiting(tr, t);
	ptrace(PTRACE_SETOPTIONS, t->tid, 0L, (long)(TRACE_OPTIONS & ~PTRACE_O_TRACEEXIT));
}

/*
 * The execve entry of t: the only moment the old image can be read, since
 * after a successful exec its mm is gone.  The exec may still fail (a PATH
 * search): then this is one more sample and the image goes on.
 */
static void on_execve_entry(struct tracer *tr, struct task *t, enum filter_id id,
			    const struct __ptrace_syscall_info *info)
{
	struct process *p = t->proc;
	struct image *img = p->image;

	p->exec_sampled = false;
	if (img && img->fork_parent) {
		p->exec_sampled = sample_forked_copy(tr, t, id, info);
	} else if (img && !exec_will_fail(tr, t, id, info)) {
		p->exec_sampled = sample(tr, t, false);
	} else if (img) {
		/* If the file appears after all, VmHWM still has the peak. */
		read_status_only(tr, img, t->tid);
	}
	p->exec_tid = t->tid;
	p->exec_nr = info ? (long)info->seccomp.nr : -1;
	p->exec_probed = false;
}

static void on_seccomp(struct tracer *tr, struct task *t)
{
	/*
	 * One call gives the syscall (number, arch: which stop this is) and
	 * the arguments the clone and execve stops need.  The filter's data
	 * is only a fallback where the kernel lacks PTRACE_GET_SYSCALL_INFO
	 * (before 5.3): a filter of the command's own may have set it.
	 */
	struct __ptrace_syscall_info buf = { 0 };
	const struct __ptrace_syscall_info *info = seccomp_info(t->tid, &buf) ? &buf : NULL;
	enum filter_id id;
	struct process *p = t->proc;

	if (info)
		id = filter_classify(&tr->classes, info->arch, (long)info->seccomp.nr);
	else
		id = (enum filter_id)event_msg(t->tid);
	switch (id) {
	case FILTER_EXIT:
		mark_exiting(tr, t);
		/* The last thread leaving: the image ends now, mm intact. */
		if (p->image && !p->image->final_sampled && running_tasks(p) == 0)
			sample(tr, t, true);
		break;
	case FILTER_EXIT_GROUP:
		mark_exiting(tr, t);
		if (p->image && !p->image->final_sampled)
			sample(tr, t, true);
		break;
	case FILTER_EXECVE:
	case FILTER_EXECVEAT:
		on_execve_entry(tr, t, id, info);
		break;
	case FILTER_CLONE:
	case FILTER_CLONE3:
	case FILTER_FORK:
	case FILTER_VFORK:
		read_clone_flags(t, id, info);
		break;
	default:
		if (FILTER_IS_RELEASE(id) && tr->cfg->exact)
			on_release(tr, t, id, info);
		/* Else another filter's RET_TRACE (the command installed its own): not ours. */
		break;
	}
	resume(tr, t->tid, 0);
}

/*
 * Is pid a tracee (or child) of ours that we have not reaped?  A birth
 * event names a child that may already have reported, died and been reaped
 * (wait4 serves the newest tracee first): it must not come back as an
 * entry that no report will ever remove.  WNOWAIT: only a look.
 */
static bool is_ours(pid_t pid)
{
	const int how = WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL;
	siginfo_t si;

	return waitid(P_PID, (id_t)pid, &si, how) == 0 || errno != ECHILD;
}

/* Do a and b run on one mm?  false when the kernel cannot tell (no kcmp). */
static bool same_mm(pid_t a, pid_t b)
{
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0L, 0L) == 0;
}

/* Open proc's next image from what /proc says of tid: argv and exe. */
static int open_image_from_proc(struct tracer *tr, struct process *p, pid_t tid, uint64_t now)
{
	char *argv = NULL, *exe = NULL;
	size_t argv_len = 0;
	int rc;

	if (procfs_read_cmdline(tr->procfd, tid, &argv, &argv_len) != 0) {
		argv = NULL;
		argv_len = 0;
	}
	procfs_read_exe(tr->procfd, tid, &exe);
	rc = proctable_open_image(tr->pt, p, argv ? argv : "", argv ? argv_len : 0, exe, now);
	free(argv);
	free(exe);
	return rc;
}

/*
 * A new process pid whose parent's program is lender's image: a forked
 * copy of it (its first image is that program), or, with shares, a process
 * that runs on lender's mm (vfork, CLONE_VM) and has no image until it
 * execs.  Without a lender, its first image is read from /proc.  NULL on
 * ENOMEM (tr->fatal set).
 */
static struct process *new_process(struct tracer *tr, pid_t pid, pid_t ppid, struct image *lender,
				   bool shares)
{
	struct process *p = proctable_new_process(tr->pt, pid, ppid, false);
	int rc = 0;

	if (!p) {
		tr->fatal = -ENOMEM;
		return NULL;
	}
	if (shares)
		p->borrowed = lender;
	else if (lender)
		rc = proctable_open_forked_image(tr->pt, p, lender, util_now_ns());
	else
		rc = open_image_from_proc(tr, p, pid, util_now_ns());
	if (rc) {
		free(p);
		tr->fatal = -ENOMEM;
		return NULL;
	}
	return p;
}

static struct task *add_task(struct tracer *tr, pid_t tid, struct process *p)
{
	struct task *t = proctable_add_task(tr->pt, tid, p);

	if (!t)
		tr->fatal = -ENOMEM;
	return t;
}

/*
 * The process tgid, which we have not met: from what the kernel says of it
 * (its parent, and whether it runs on its parent's mm).  Its parent, if
 * ours, has already been met: a task runs nothing before its first stop is
 * served.  With CLONE_PARENT the parent named is its creator's parent: the
 * copy is then taken to be of that one's program.
 */
static struct process *meet_process(struct tracer *tr, pid_t tgid, pid_t ppid)
{
	struct task *pt = ppid > 0 ? proctable_find_task(tr->pt, ppid) : NULL;
	struct process *parent = pt ? pt->proc : NULL;
	struct image *lender = NULL;

	if (parent)
		lender = parent->image ? parent->image : parent->borrowed;
	return new_process(tr, tgid, ppid, lender, lender && same_mm(tgid, ppid));
}

/*
 * A task first seen by a stop of its own, not by its creator's event: that
 * event comes later, or never (the creator was killed in its event stop,
 * or cloned with CLONE_UNTRACED|CLONE_PTRACE).  It is identified at once
 * from /proc (Tgid, PPid) and served like any task: no task is ever held
 * waiting for an event that may not come.  kind is the stop it reports.
 */
static struct task *meet_task(struct tracer *tr, pid_t tid, enum event_kind kind)
{
	struct pstatus st;
	struct process *p;
	struct task *leader;

	if (procfs_read_status(tr->procfd, tid, &st) != 0) {
		st.tgid = tid;
		st.ppid = 0;
	}
	if (st.tgid == tid) {
		p = meet_process(tr, tid, st.ppid);
		return p ? add_task(tr, tid, p) : NULL;
	}
	/* A thread. */
	leader = proctable_find_task(tr->pt, st.tgid);
	if (leader) {
		p = leader->proc;
		/*
		 * A thread that runs on: its process goes on even if what we knew
		 * of it had all exited (a thread made with CLONE_UNTRACED|CLONE_PTRACE
		 * is named by no event).
		 */
		if (kind != EVENT_EXIT && p->image)
			p->image->final_sampled = false;
	} else {
		struct pstatus lst;

		p = meet_process(tr, st.tgid,
				 procfs_read_status(tr->procfd, st.tgid, &lst) == 0 ? lst.ppid : 0);
		if (!p)
			return NULL;
		if (is_ours(st.tgid) && !add_task(tr, st.tgid, p))
			return NULL;
	}
	return add_task(tr, tid, p);
}

/* The child named by t's birth event, with the flags its clone stop read. */
static void adopt_child(struct tracer *tr, struct task *t, pid_t child, unsigned long long flags)
{
	struct process *parent = t->proc, *p;
	struct image *lender = parent->image ? parent->image : parent->borrowed;

	if (flags & CLONE_THREAD) {
		add_task(tr, child, parent);
		return;
	}
	p = new_process(tr, child, (flags & CLONE_PARENT) ? parent->ppid : parent->tgid, lender,
			(flags & CLONE_VM) != 0);
	if (p && !add_task(tr, child, p))
		free(p);
}

/* PTRACE_EVENT_FORK / VFORK / CLONE: t made a child. */
static void on_birth(struct tracer *tr, struct task *t)
{
	pid_t child = (pid_t)event_msg(t->tid);

	/*
	 * Met already by a stop of its own: that told all we need.  Reaped
	 * already: nothing to add.
	 */
	if (child > 0 && !proctable_find_task(tr->pt, child) && is_ours(child)) {
		if (t->has_clone_flags)
			adopt_child(tr, t, child, t->clone_flags);
		else
			meet_task(tr, child, EVENT_STOP);
	}
	t->has_clone_flags = false;
	resume(tr, t->tid, 0);
}

/* Forget a task whose tid the kernel no longer reports (reaped, or gone at an exec). */
static void forget_task(struct tracer *tr, struct task *t)
{
	if (t->stopped)
		tr->nstopped--;
	clear_exiting(tr, t);
	proctable_remove_task(tr->pt, t);
}

static void on_exec(struct tracer *tr, struct task *t)
{
	pid_t old_tid = (pid_t)event_msg(t->tid);
	struct process *p = t->proc;
	uint64_t now = util_now_ns();

	/*
	 * Exec from a non-leader thread: the kernel gave that thread the
	 * leader's tid; the leader reports no death of its own.  Keep the
	 * leader's entry for the execing task and drop the old thread's.
	 */
	if (old_tid > 0 && old_tid != t->tid) {
		struct task *old = proctable_find_task(tr->pt, old_tid);

		if (old)
			forget_task(tr, old);
	}
	clear_exiting(tr, t);
	p->exec_tid = 0;
	p->borrowed = NULL;
	if (p->stub) {
		/* maxrss-sc's own stub became the command: time 0 of the report. */
		p->stub = false;
		tr->pt->nprocesses++;
		tr->pt->t0_ns = now;
		tr->exec_seen = true;
	} else if (p->image) {
		proctable_close_image(tr->pt, p, IMAGE_EXEC, 0, 0, now);
	}
	if (open_image_from_proc(tr, p, t->tid, now))
		tr->fatal = -ENOMEM;
	resume(tr, t->tid, 0);
}

/*
 * Is t, stopped at its exit event, still inside the execve it entered?
 * Then it was killed there, maybe past the point of no return, and /proc
 * may show the new program's mm.  A failed exec that went back to the
 * program shows another syscall, or none.
 */
static bool inside_exec(struct tracer *tr, const struct task *t)
{
	long nr;

	return procfs_read_syscall(tr->procfd, t->tid, &nr) == 0 && nr == t->proc->exec_nr;
}

/*
 * Does t, stopped at its exit event without an exit stop of its own, die
 * with its whole thread group?  The kernel marks every task that dies of a
 * signal (a fatal signal, another thread's exit_group or exec) with
 * PF_SIGNALED; a thread killed alone (seccomp's KILL_THREAD) is not, and
 * its process goes on.  Unreadable: taken as the group's end.
 */
static bool dies_with_group(struct tracer *tr, const struct task *t)
{
	struct pstat ps;

	return procfs_read_stat(tr->procfd, t->tid, &ps) != 0 ||
	       (ps.flags & PROCFS_PF_SIGNALED) != 0;
}

/* PTRACE_EVENT_EXIT: the task is about to exit and its mm is still intact. */
static void on_exit_event(struct tracer *tr, struct task *t)
{
	struct process *p = t->proc;
	struct image *img = p->image;

	if (p->exec_tid == t->tid) {
		if (inside_exec(tr, t)) {
			/* Killed inside its exec: the entry sample is the image's last. */
			if (img && p->exec_sampled)
				img->final_sampled = true;
			goto out;
		}
		p->exec_tid = 0;
	}
	/* Killed by another thread's exec: the execve entry sampled, the image goes on. */
	if (p->exec_tid || !img || img->final_sampled)
		goto out;
	if (!t->in_exit && !dies_with_group(tr, t)) {
		/* Killed alone: the image ends only with its last running thread. */
		set_exiting(tr, t);
		if (running_tasks(p) != 0)
			goto out;
	} else if (t->in_exit && running_tasks(p) != 0) {
		goto out;
	}
	sample(tr, t, true);
out:
	resume(tr, t->tid, 0);
}

/* Processes of the tree still alive, other than skip (leaders stand for them). */
static unsigned count_others(const struct proctable *pt, const struct process *skip)
{
	unsigned n = 0;

	for (size_t b = 0; b < pt->nbuckets; b++)
		for (const struct task *t = pt->buckets[b]; t; t = t->next)
			if (t->proc != skip && t->tid == t->proc->tgid)
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
		tr->main_exited = true;
		forward_pid = 0; /* its pid may be reused from now on */
		res->after_exit.processes = count_others(tr->pt, p);
		/*
		 * From now on a SIGTERM or SIGHUP for us is passed on by the
		 * loop, which only sees it when wait4 returns.  One landing just
		 * before wait4 blocks would wait for the next event of an idle
		 * tree: with no sampling timer, a tick bounds that wait.
		 */
		if (!tr->period_ns && res->after_exit.processes)
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
	/* The leader's status is the process's; the kernel reports the leader last. */
	if (t->tid == p->tgid) {
		p->exited_leader = true;
		p->wait_status = status;
	}
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
	forget_task(tr, t);
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
			if (!t->proc->stub && t->tid == t->proc->tgid)
				kill(t->tid, sig);
}

/*
 * The command has ended and every task left of its tree is in a group-stop:
 * nothing in the tree can continue them, and the tree cannot outlive us.
 * Without maxrss-sc in their process group, the kernel would have sent an
 * orphaned process group with stopped members SIGHUP then SIGCONT: do that
 * once for each stopped process.  When all that is left is stopped again
 * after that, stop waiting: kill them (the report says so).
 */
static void settle_stopped(struct tracer *tr)
{
	struct proctable *pt = tr->pt;
	unsigned round = ++tr->settle_round;
	bool all_hupped = true;

	for (size_t b = 0; b < pt->nbuckets; b++)
		for (const struct task *t = pt->buckets[b]; t; t = t->next)
			if (!t->proc->hup_round)
				all_hupped = false;
	for (size_t b = 0; b < pt->nbuckets; b++)
		for (struct task *t = pt->buckets[b]; t; t = t->next) {
			struct process *p = t->proc;
			bool leader = t->tid == p->tgid;

			if (all_hupped) {
				kill(p->tgid, SIGKILL);
				tr->res->after_exit.stopped_killed += leader;
			} else if (!p->hup_round) {
				p->hup_round = round;
				kill(p->tgid, SIGHUP);
				kill(p->tgid, SIGCONT);
				tr->res->after_exit.stopped_woken++;
			} else if (p->hup_round != round) {
				continue; /* woken before: stays stopped, not signalled now */
			}
			/* SIGCONT or SIGKILL ends each task's group-stop with a report. */
			if (t->stopped) {
				t->stopped = false;
				tr->nstopped--;
			}
		}
}

static bool is_stopping_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_stop(struct tracer *tr, struct task *t, int sig)
{
	if (!is_stopping_signal(sig)) {
		/*
		 * SIGTRAP: the first stop of a new task, the end of a group-stop
		 * (SIGCONT), or our PTRACE_INTERRUPT.
		 */
		resume(tr, t->tid, 0);
		return;
	}
	/*
	 * A group-stop (SIGSTOP, Ctrl-Z): stay stopped, as without a tracer,
	 * until SIGCONT.  PTRACE_LISTEN keeps it so and still lets us see the
	 * next event.
	 */
	if (ptrace(PTRACE_LISTEN, t->tid, 0L, 0L) < 0) {
		if (errno != ESRCH)
			warn_errno("ptrace(PTRACE_LISTEN, %d)", (int)t->tid);
		return;
	}
	t->stopped = true;
	tr->nstopped++;
}

static void handle(struct tracer *tr, pid_t tid, int status, const struct rusage *ru)
{
	struct task *t = proctable_find_task(tr->pt, tid);
	int detail;
	enum event_kind kind = event_classify(status, &detail);

	if (kind == EVENT_EXITED || kind == EVENT_KILLED) {
		/* Unknown: an untraced orphan re-parented to us (CLONE_UNTRACED). */
		if (t)
			on_death(tr, t, status, ru);
		return;
	}
	if (!t && !(t = meet_task(tr, tid, kind))) {
		resume(tr, tid, 0);
		return;
	}
	if (t->stopped) {
		t->stopped = false;
		tr->nstopped--;
	}
	/* Any other report of a task that entered execve: it is back, the exec failed. */
	if (t->proc->exec_tid == tid && kind != EVENT_EXEC && kind != EVENT_EXIT)
		t->proc->exec_tid = 0;
	switch (kind) {
	case EVENT_SECCOMP:
		on_seccomp(tr, t);
		break;
	case EVENT_FORK:
	case EVENT_VFORK:
	case EVENT_CLONE:
		on_birth(tr, t);
		break;
	case EVENT_EXEC:
		on_exec(tr, t);
		break;
	case EVENT_EXIT:
		on_exit_event(tr, t);
		break;
	case EVENT_STOP:
		on_stop(tr, t, detail);
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
		res->tracer.rss_bytes = self.hwm;
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
	if (res->after_exit.processes && tr->end_ns > tr->main_exit_ns)
		res->after_exit.ns = tr->end_ns - tr->main_exit_ns;
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
	res->tracer.interval_ms = cfg->interval_ms;
	err[0] = '\0';
	tr.procfd = procfs_open();
	if (tr.procfd < 0) {
		set_err(&tr, -tr.procfd, "cannot open /proc");
		return tr.procfd;
	}
	rc = filter_classes_init(&tr.classes, cfg->exact);
	if (rc) {
		set_err(&tr, -rc, "cannot build the seccomp filter");
		close(tr.procfd);
		return rc;
	}
	if (cfg->exact) {
		/* The cheap exact reading exists only where VmRSS is no longer a counter. */
		tr.vmrss_exact = procfs_probe_vmrss_exact(tr.procfd) == 1;
		res->tracer.exact = true;
		res->tracer.rss_source = tr.vmrss_exact ? "VmRSS" : "smaps_rollup";
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
		/*
		 * Everything left is stopped (or a zombie leader waiting for
		 * those) and no report is pending, such as the end of a
		 * group-stop that a SIGCONT already brought: settle them.
		 */
		if (tr.main_exited && tr.nstopped && tr.nstopped + tr.nexiting == pt->ntasks &&
		    !tr.killing) {
			tid = wait4(-1, &status, __WALL | WNOHANG, &ru);
			if (tid == 0) {
				settle_stopped(&tr);
				continue;
			}
		} else {
			tid = wait4(-1, &status, __WALL, &ru);
		}
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
		res->tracer.stops++;
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
