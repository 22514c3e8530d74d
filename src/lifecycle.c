#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "event.h"
#include "lifecycle.h"
#include "util.h"

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

/* The ptrace protocol's state of a task, private to the tracer. */
struct tracee {
	bool in_exit;	      /* passed its exit / exit_group stop (or exits alone) */
	bool stopped;	      /* in a group-stop we listen to, since its last report */
	bool has_clone_flags; /* clone flags read at its clone stop, for the birth event */
	unsigned long long clone_flags;
};

/* ... and of a process. */
struct traced {
	unsigned nexiting; /* its tasks past their exit */
	/*
	 * The task inside execve since its entry stop, or 0: cleared by its
	 * exec event, or by any other report of that task (the exec failed).
	 */
	pid_t exec_tid;
	long exec_nr;	    /* that execve(at)'s number, as /proc/TID/syscall shows it */
	bool exec_sampled;  /* a full sample was taken at that entry stop */
	bool exec_probed;   /* a PTRACE_INTERRUPT asks that task to report */
	char *exec_path;    /* the file that execve named, when it could be read */
	unsigned hup_round; /* when it was sent SIGHUP + SIGCONT as a stopped leftover */
	bool exited_leader; /* the leader's death status was seen */
	int wait_status;    /* that status */
};

#define TE(t) ((t)->tracee)
#define TP(p) ((p)->traced)

/* ---------------------------------------------------------------- records */

static void fail(struct lifecycle *lc, int err)
{
	if (!lc->fatal)
		lc->fatal = err;
}

static struct process *new_process(struct lifecycle *lc, pid_t pid, pid_t ppid, bool stub)
{
	struct process *p = proctable_new_process(lc->pt, pid, ppid, stub);

	if (p && !(p->traced = calloc(1, sizeof(*p->traced)))) {
		proctable_discard_process(lc->pt, p);
		p = NULL;
	}
	if (!p)
		fail(lc, -ENOMEM);
	return p;
}

/* A process that never got a task: give it back. */
static void drop_process(struct lifecycle *lc, struct process *p)
{
	free(p->traced->exec_path);
	free(p->traced);
	proctable_discard_process(lc->pt, p);
}

static struct task *add_task(struct lifecycle *lc, pid_t tid, struct process *p)
{
	struct tracee *te = calloc(1, sizeof(*te));
	struct task *t = te ? proctable_add_task(lc->pt, tid, p) : NULL;

	if (!t) {
		free(te);
		fail(lc, -ENOMEM);
		return NULL;
	}
	t->tracee = te;
	return t;
}

/* t will exit alone (exit, or killed alone) or with its group: it no longer runs. */
static void set_exiting(struct lifecycle *lc, struct task *t)
{
	if (TE(t)->in_exit)
		return;
	TE(t)->in_exit = true;
	TP(t->proc)->nexiting++;
	lc->nexiting++;
}

/* t runs again (it exec'd: a zombie leader's entry now stands for the execing thread). */
static void clear_exiting(struct lifecycle *lc, struct task *t)
{
	if (!TE(t)->in_exit)
		return;
	TE(t)->in_exit = false;
	TP(t->proc)->nexiting--;
	lc->nexiting--;
}

/* t is inside a clone whose flags its clone stop read (on), or no longer (off). */
static void set_cloning(struct lifecycle *lc, struct task *t, bool on)
{
	if (TE(t)->has_clone_flags == on)
		return;
	TE(t)->has_clone_flags = on;
	if (on)
		lc->ncloning++;
	else
		lc->ncloning--;
}

static void clear_stopped(struct lifecycle *lc, struct task *t)
{
	if (!TE(t)->stopped)
		return;
	TE(t)->stopped = false;
	lc->nstopped--;
}

/* Forget a task whose tid the kernel no longer reports (reaped, or gone at an exec). */
static void forget_task(struct lifecycle *lc, struct task *t)
{
	struct process *p = t->proc;

	clear_stopped(lc, t);
	clear_exiting(lc, t);
	set_cloning(lc, t, false);
	free(t->tracee);
	/* The table frees a process with its last task. */
	if (p->ntasks == 1) {
		free(p->traced->exec_path);
		free(p->traced);
	}
	proctable_remove_task(lc->pt, t);
}

/* Count the tasks of p that have not passed their exit. */
static unsigned running_tasks(const struct process *p)
{
	return p->ntasks - TP(p)->nexiting;
}

/* Resume a stopped task.  ESRCH: it is gone (killed meanwhile), not an error. */
static void resume(struct lifecycle *lc, pid_t tid, int sig)
{
	int rc = lc->sys->cont(lc->sys, tid, sig);

	if (rc && rc != -ESRCH)
		fail(lc, rc);
}

/* ---------------------------------------------------------------- births */

/*
 * Open p's next image from what /proc says of tid: argv and exe.  A task
 * gone meanwhile (killed at once after its exec) has neither: its argv is
 * then the file its execve named, when known.
 */
static int open_image_from_proc(struct lifecycle *lc, struct process *p, pid_t tid, uint64_t now)
{
	const char *named = TP(p)->exec_path;
	char *argv = NULL, *exe = NULL;
	size_t argv_len = 0;
	int rc;

	if (lc->sys->read_cmdline(lc->sys, tid, &argv, &argv_len) != 0 || !argv_len) {
		free(argv);
		argv = named ? strdup(named) : NULL;
		argv_len = argv ? strlen(argv) + 1 : 0;
	}
	lc->sys->read_exe(lc->sys, tid, &exe);
	rc = proctable_open_image(lc->pt, p, argv ? argv : "", argv ? argv_len : 0, exe, now);
	free(argv);
	free(exe);
	return rc;
}

/*
 * A new process pid whose parent's program is lender's image: a forked
 * copy of it (its first image is that program), or, with shares, a process
 * that runs on lender's mm (vfork, CLONE_VM) and has no image until it
 * execs.  Without a lender, its first image is read from /proc.
 */
static struct process *new_child(struct lifecycle *lc, pid_t pid, pid_t ppid, struct image *lender,
				 bool shares)
{
	struct process *p = new_process(lc, pid, ppid, false);
	int rc = 0;

	if (!p)
		return NULL;
	if (shares)
		proctable_borrow(p, lender);
	else if (lender)
		rc = proctable_open_forked_image(lc->pt, p, lender, util_now_ns());
	else
		rc = open_image_from_proc(lc, p, pid, util_now_ns());
	if (rc) {
		drop_process(lc, p);
		fail(lc, -ENOMEM);
		return NULL;
	}
	return p;
}

/* The image a child of p copies or borrows: p's own, or the one p borrows. */
static struct image *lender_of(const struct process *p)
{
	return p->image ? p->image : p->borrowed;
}

/*
 * A task of p that still has its mm: the leader, unless it has passed its
 * exit (a zombie leader has no mm; its threads run on), else any other
 * task of p that has not.
 */
static pid_t task_with_mm(const struct lifecycle *lc, const struct task *leader)
{
	const struct process *p = leader->proc;
	struct task_iter it;

	if (!TE(leader)->in_exit || running_tasks(p) == 0)
		return leader->tid;
	for (const struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it))
		if (t->proc == p && !TE(t)->in_exit)
			return t->tid;
	return leader->tid;
}

/*
 * The task whose clone made the new process tgid (ppid: its parent, as the
 * kernel says), when that task is still between its clone stop and its
 * birth event, as it is when tgid's first stop is served first: a task
 * inside a clone that made no thread, of process ppid, or with
 * CLONE_PARENT a child of ppid (or re-parented to us).  With CLONE_VM the
 * mm tells which; without, two such tasks of one process copy one image,
 * and among children of one parent cloning with CLONE_PARENT at once the
 * first is taken.
 */
static struct task *find_creator(struct lifecycle *lc, pid_t tgid, pid_t ppid)
{
	struct task *plain = NULL;
	struct task_iter it;

	if (!lc->ncloning)
		return NULL;
	for (struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it)) {
		unsigned long long flags = TE(t)->clone_flags;

		if (!TE(t)->has_clone_flags || (flags & CLONE_THREAD))
			continue;
		if ((flags & CLONE_PARENT) ? (t->proc->ppid != ppid && ppid != getpid()) :
					     t->proc->tgid != ppid)
			continue;
		if (!(flags & CLONE_VM)) {
			if (!plain)
				plain = t;
		} else if (lc->sys->same_mm(lc->sys, tgid, t->tid)) {
			return t;
		}
	}
	return plain;
}

/*
 * The process tgid, which we have not met: from what the kernel says of it
 * (its parent, and whether it runs on its parent's mm).  Its parent, if
 * ours, has already been met: a task runs nothing before its first stop is
 * served.  Its creator, when still inside its clone, tells the rest (with
 * CLONE_PARENT the parent is the creator's parent).  Else the mm is
 * compared with a task of the parent that has one: a vfork from a thread
 * whose leader has exited is no forked copy.
 */
static struct process *meet_process(struct lifecycle *lc, pid_t tgid, pid_t ppid)
{
	struct task *pt = find_creator(lc, tgid, ppid);
	struct image *lender;

	if (pt)
		return new_child(lc, tgid, ppid, lender_of(pt->proc),
				 (TE(pt)->clone_flags & CLONE_VM) != 0);
	pt = ppid > 0 ? proctable_find_task(lc->pt, ppid) : NULL;
	lender = pt ? lender_of(pt->proc) : NULL;
	return new_child(lc, tgid, ppid, lender,
			 lender && lc->sys->same_mm(lc->sys, tgid, task_with_mm(lc, pt)));
}

/* The thread tid of process tgid, which we have not met either. */
static struct task *meet_thread(struct lifecycle *lc, pid_t tid, pid_t tgid, enum event_kind kind)
{
	struct task *leader = proctable_find_task(lc->pt, tgid);
	struct process *p;
	struct pstatus lst;

	if (leader) {
		p = leader->proc;
		/*
		 * A thread that runs on: its process goes on even if what we knew
		 * of it had all exited (a thread made with CLONE_UNTRACED|CLONE_PTRACE
		 * is named by no event).
		 */
		if (kind != EVENT_EXIT && p->image)
			proctable_set_final(p->image, false);
		return add_task(lc, tid, p);
	}
	p = meet_process(lc, tgid, lc->sys->read_status(lc->sys, tgid, &lst) == 0 ? lst.ppid : 0);
	if (!p)
		return NULL;
	if (lc->sys->is_ours(lc->sys, tgid) && !add_task(lc, tgid, p))
		return NULL;
	return add_task(lc, tid, p);
}

/*
 * A task first seen by a stop of its own, not by its creator's event: that
 * event comes later, or never (the creator was killed in its event stop,
 * or cloned with CLONE_UNTRACED|CLONE_PTRACE).  It is identified at once
 * from /proc (Tgid, PPid) and served like any task.  kind is its stop.
 */
static struct task *meet_task(struct lifecycle *lc, pid_t tid, enum event_kind kind)
{
	struct pstatus st;
	struct process *p;

	if (lc->sys->read_status(lc->sys, tid, &st) != 0) {
		st.tgid = tid;
		st.ppid = 0;
	}
	if (st.tgid != tid)
		return meet_thread(lc, tid, st.tgid, kind);
	p = meet_process(lc, tid, st.ppid);
	return p ? add_task(lc, tid, p) : NULL;
}

/* The child named by t's birth event, with the flags its clone stop read. */
static void adopt_child(struct lifecycle *lc, struct task *t, pid_t child, unsigned long long flags)
{
	struct process *parent = t->proc, *p;
	pid_t ppid = parent->tgid;
	struct pstatus st;

	if (flags & CLONE_THREAD) {
		add_task(lc, child, parent);
		return;
	}
	/*
	 * CLONE_PARENT: the creator's parent, as the kernel has it now (the
	 * table's is the one at the creator's birth: it may have been
	 * re-parented to us since).
	 */
	if (flags & CLONE_PARENT)
		ppid = lc->sys->read_status(lc->sys, child, &st) == 0 ? st.ppid : parent->ppid;
	p = new_child(lc, child, ppid, lender_of(parent), (flags & CLONE_VM) != 0);
	if (p && !add_task(lc, child, p))
		drop_process(lc, p);
}

/*
 * The child named by t's birth event when no clone stop read its flags
 * (filter.c stops only some clones): the kernel tells what it is.  A thread
 * shares t's mm and thread group (kcmp, tgkill: no /proc to read); else it
 * is a process on t's mm (vfork, CLONE_VM) or a forked copy of t's image,
 * and its parent is t's process unless clone3's CLONE_PARENT made it t's
 * parent's child: /proc says which.  The child waits in its first stop
 * meanwhile; t, in its event stop, can neither exec nor die unseen.
 */
static void adopt_untrapped(struct lifecycle *lc, struct task *t, pid_t child)
{
	struct process *parent = t->proc, *p;
	bool shares = lc->sys->same_mm(lc->sys, child, t->tid);
	pid_t ppid = parent->tgid;
	struct pstatus st;

	if (shares && lc->sys->in_group(lc->sys, parent->tgid, child)) {
		add_task(lc, child, parent);
		return;
	}
	if (lc->sys->read_status(lc->sys, child, &st) == 0)
		ppid = st.ppid;
	p = new_child(lc, child, ppid, lender_of(parent), shares);
	if (p && !add_task(lc, child, p))
		drop_process(lc, p);
}

/* PTRACE_EVENT_FORK / VFORK / CLONE: t made a child. */
static void on_birth(struct lifecycle *lc, struct task *t)
{
	pid_t child = (pid_t)lc->sys->event_msg(lc->sys, t->tid);

	/*
	 * Met already by a stop of its own: that told all we need.  Reaped
	 * already (wait4 serves the newest tracee first, so a child can
	 * report, die and be reaped before its creator's event is served):
	 * nothing to add, and no entry that no report would ever remove.
	 */
	if (child > 0 && !proctable_find_task(lc->pt, child) && lc->sys->is_ours(lc->sys, child)) {
		if (TE(t)->has_clone_flags)
			adopt_child(lc, t, child, TE(t)->clone_flags);
		else
			adopt_untrapped(lc, t, child);
	}
	set_cloning(lc, t, false);
	resume(lc, t->tid, 0);
}

/* ---------------------------------------------------------------- seccomp stops */

/*
 * Clone flags of the clone t is stopped at (the filter stops only the
 * shapes whose child no event tells: filter.c), read now because the birth
 * event that follows does not carry them: the kernel reports a FORK event
 * for any clone whose exit signal is SIGCHLD and a VFORK event for any
 * CLONE_VFORK, whatever CLONE_VM and CLONE_PARENT say.
 */
static void read_clone_flags(struct lifecycle *lc, struct task *t,
			     const struct __ptrace_syscall_info *info)
{
	set_cloning(lc, t, false);
	if (!info)
		return;
	TE(t)->clone_flags = info->seccomp.args[filter_clone_flags_arg(info->arch)];
	set_cloning(lc, t, true);
}

/*
 * t is at its exit or exit_group stop.  Whatever must be read of its image
 * is read now (or, for a thread that is not the last, by the last one), so
 * its PTRACE_EVENT_EXIT stop would buy nothing: turn it off for this task.
 * A death by a signal still gives every other task its exit event.
 */
static void mark_exiting(struct lifecycle *lc, struct task *t)
{
	if (TE(t)->in_exit)
		return;
	set_exiting(lc, t);
	lc->sys->set_options(lc->sys, t->tid, LIFECYCLE_OPTIONS & ~PTRACE_O_TRACEEXIT);
}

/*
 * The execve entry of t: the only moment the old image can be read, since
 * after a successful exec its mm is gone.  The exec may still fail (a PATH
 * search): then this is one more sample and the image goes on.
 */
static void on_execve_entry(struct lifecycle *lc, struct task *t, enum filter_id id,
			    const struct __ptrace_syscall_info *info)
{
	struct traced *tp = TP(t->proc);
	char path[4096];
	const char *known = NULL;

	/* The file, as the task names it; execveat from a directory fd is not resolved. */
	if (info) {
		uint64_t addr = id == FILTER_EXECVE ? info->seccomp.args[0] : info->seccomp.args[1];

		if (lc->sys->read_string(lc->sys, t->tid, addr, path, sizeof(path)) == 0 &&
		    (id == FILTER_EXECVE || path[0] == '/' ||
		     (int)info->seccomp.args[0] == AT_FDCWD))
			known = path;
	}
	free(tp->exec_path);
	tp->exec_path = known ? strdup(known) : NULL;
	tp->exec_sampled = sampler_exec_entry(lc->sampler, t->proc->image, t->tid, known);
	if (!t->proc->image)
		sampler_lender_hwm(lc->sampler, proctable_live_mm_image(t->proc), t->tid);
	tp->exec_tid = t->tid;
	tp->exec_nr = info ? (long)info->seccomp.nr : -1;
	tp->exec_probed = false;
}

/*
 * --exact, before a syscall that can lower an RSS: read the process whose
 * pages it releases.  That is the mm t runs on (a CLONE_VM helper's munmap
 * lowers its lender's RSS), or for process_madvise the process its pidfd
 * names.  A file cut short or punched loses its pages in every mapping:
 * only the caller's are read (see CAVEATS in the man page).
 */
static void on_release(struct lifecycle *lc, struct task *t, enum filter_id id,
		       const struct __ptrace_syscall_info *info)
{
	struct image *img = proctable_live_mm_image(t->proc);
	pid_t tid = t->tid, target;

	lc->res->tracer.exact_stops++;
	if (id == FILTER_IO_URING_SETUP) {
		/* Its madvise and fallocate bypass seccomp: VmHWM is the floor again. */
		sampler_hwm_floor(lc->sampler);
		return;
	}
	if (id == FILTER_PROCESS_MADVISE) {
		int pidfd = info ? (int)info->seccomp.args[0] : -1;
		struct task *tt;

		img = NULL;
		if (pidfd >= 0 && lc->sys->read_pidfd_pid(lc->sys, t->tid, pidfd, &target) == 0 &&
		    (tt = proctable_find_task(lc->pt, target))) {
			img = proctable_live_mm_image(tt->proc);
			tid = target;
		}
	}
	sampler_release(lc->sampler, img, tid);
}

/*
 * A thread that is not its process's leader, at its exit stop: the last to
 * run reads the image's end.  Then it is let go, as nothing more is to be
 * learnt of it: no exit event, no death report to serve (the kernel reaps
 * such a thread itself).  The leader stays: its death is the process's.
 * Killed meanwhile (the detach fails): its reports come, and are served.
 */
static void on_thread_exit(struct lifecycle *lc, struct task *t)
{
	struct process *p = t->proc;

	set_exiting(lc, t);
	if (p->image && !p->image->final_sampled && running_tasks(p) == 0)
		sampler_read(lc->sampler, p->image, t->tid, true);
	if (lc->sys->detach(lc->sys, t->tid) == 0)
		forget_task(lc, t);
}

static void on_seccomp(struct lifecycle *lc, struct task *t)
{
	/*
	 * One call gives the syscall (number and arch: which stop this is) and
	 * the arguments the clone and execve stops need.  The filter's data
	 * is only a fallback where the kernel lacks PTRACE_GET_SYSCALL_INFO
	 * (before 5.3): a filter of the command's own may have set it.
	 */
	struct __ptrace_syscall_info buf = { 0 };
	const struct __ptrace_syscall_info *info = lc->sys->syscall_info(lc->sys, t->tid, &buf) ?
							   &buf :
							   NULL;
	struct process *p = t->proc;
	enum filter_id id;

	if (info)
		id = filter_classify(&lc->classes, info->arch, (long)info->seccomp.nr);
	else
		id = (enum filter_id)lc->sys->event_msg(lc->sys, t->tid);
	switch (id) {
	case FILTER_EXIT:
		if (t->tid != p->tgid) {
			on_thread_exit(lc, t);
			return;
		}
		mark_exiting(lc, t);
		/* The last thread leaving: the image ends now, mm intact. */
		if (p->image && !p->image->final_sampled && running_tasks(p) == 0)
			sampler_read(lc->sampler, p->image, t->tid, true);
		break;
	case FILTER_EXIT_GROUP:
		mark_exiting(lc, t);
		if (p->image && !p->image->final_sampled)
			sampler_read(lc->sampler, p->image, t->tid, true);
		break;
	case FILTER_EXECVE:
	case FILTER_EXECVEAT:
		on_execve_entry(lc, t, id, info);
		break;
	case FILTER_CLONE:
		read_clone_flags(lc, t, info);
		break;
	default:
		if (FILTER_IS_RELEASE(id) && lc->exact)
			on_release(lc, t, id, info);
		/* Else another filter's RET_TRACE (the command installed its own): not ours. */
		break;
	}
	resume(lc, t->tid, 0);
}

/* ---------------------------------------------------------------- exec, exit, death */

static void on_exec(struct lifecycle *lc, struct task *t)
{
	pid_t old_tid = (pid_t)lc->sys->event_msg(lc->sys, t->tid);
	struct process *p = t->proc;
	uint64_t now = util_now_ns();

	/*
	 * Exec from a non-leader thread: the kernel gave that thread the
	 * leader's tid; the leader reports no death of its own.  Keep the
	 * leader's entry for the execing task and drop the old thread's.
	 */
	if (old_tid > 0 && old_tid != t->tid) {
		struct task *old = proctable_find_task(lc->pt, old_tid);

		if (old)
			forget_task(lc, old);
	}
	clear_exiting(lc, t);
	TP(p)->exec_tid = 0;
	if (p->stub) {
		/* maxrss-sc's own stub became the command: time 0 of the report. */
		proctable_start_command(lc->pt, p, now);
		lc->exec_seen = true;
	} else if (p->image) {
		proctable_close_image(lc->pt, p, IMAGE_EXEC, 0, 0, now);
	}
	/*
	 * The new program runs while its name is read: whatever it does next
	 * that matters (an exec, an exit, a death) stops it before its mm
	 * changes, and this stop is served first.
	 */
	resume(lc, t->tid, 0);
	/* The new image learns what mm its process ran on until now (why.h), then has its own. */
	if (open_image_from_proc(lc, p, t->tid, now))
		fail(lc, -ENOMEM);
	proctable_borrow(p, NULL);
}

/*
 * Is t, stopped at its exit event, still inside the execve it entered?
 * Then it was killed there, maybe past the point of no return, and /proc
 * may show the new program's mm.  A failed exec that went back to the
 * program shows another syscall, or none.
 */
static bool inside_exec(struct lifecycle *lc, const struct task *t)
{
	long nr;

	return lc->sys->read_syscall(lc->sys, t->tid, &nr) == 0 && nr == TP(t->proc)->exec_nr;
}

/*
 * Does t, stopped at its exit event without an exit stop of its own, die
 * with its whole thread group?  The kernel marks every task that dies of a
 * signal (a fatal signal, another thread's exit_group or exec) with
 * PF_SIGNALED; a thread killed alone (seccomp's KILL_THREAD) is not, and
 * its process goes on.  Unreadable: taken as the group's end.
 */
static bool dies_with_group(struct lifecycle *lc, const struct task *t)
{
	struct pstat ps;

	return lc->sys->read_stat(lc->sys, t->tid, &ps) != 0 ||
	       (ps.flags & PROCFS_PF_SIGNALED) != 0;
}

/* PTRACE_EVENT_EXIT: the task is about to exit and its mm is still intact. */
static void on_exit_event(struct lifecycle *lc, struct task *t)
{
	struct process *p = t->proc;
	struct traced *tp = TP(p);
	struct image *img = p->image;

	if (tp->exec_tid == t->tid) {
		if (inside_exec(lc, t)) {
			/* Killed inside its exec: the entry sample is the image's last. */
			if (img && tp->exec_sampled)
				proctable_set_final(img, true);
			goto out;
		}
		tp->exec_tid = 0;
	}
	/* Killed by another thread's exec: the execve entry sampled, the image goes on. */
	if (tp->exec_tid || !img || img->final_sampled)
		goto out;
	if (!TE(t)->in_exit && !dies_with_group(lc, t)) {
		/* Killed alone: the image ends only with its last running thread. */
		set_exiting(lc, t);
		if (running_tasks(p) != 0)
			goto out;
	} else if (TE(t)->in_exit && running_tasks(p) != 0) {
		goto out;
	}
	sampler_read(lc->sampler, img, t->tid, true);
out:
	resume(lc, t->tid, 0);
}

/* Processes of the tree still alive, other than skip (leaders stand for them). */
static unsigned count_others(const struct proctable *pt, const struct process *skip)
{
	struct task_iter it;
	unsigned n = 0;

	for (const struct task *t = proctable_first_task(pt, &it); t;
	     t = proctable_next_task(pt, &it))
		if (t->proc != skip && t->tid == t->proc->tgid)
			n++;
	return n;
}

/* The command itself has ended with status (ru: its rusage). */
static void on_command_end(struct lifecycle *lc, struct process *p, int status,
			   const struct rusage *ru)
{
	struct tracer_result *res = lc->res;

	lc->main_exit_ns = lc->end_ns;
	lc->main_exited = true;
	res->after_exit.processes = count_others(lc->pt, p);
	res->exited = WIFEXITED(status);
	res->exit_code = res->exited ? WEXITSTATUS(status) : -1;
	res->signal = res->exited ? 0 : WTERMSIG(status);
	if (ru) {
		res->has_ru = true;
		res->ru_maxrss_bytes = (uint64_t)ru->ru_maxrss * 1024;
		res->user_seconds = (double)ru->ru_utime.tv_sec +
				    (double)ru->ru_utime.tv_usec / 1e6;
		res->sys_seconds = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
	}
}

static void on_death(struct lifecycle *lc, struct task *t, int status, const struct rusage *ru)
{
	struct process *p = t->proc;
	struct traced *tp = TP(p);

	lc->end_ns = util_now_ns();
	if (t->tid == lc->child)
		on_command_end(lc, p, status, ru);
	/* The leader's status is the process's; the kernel reports the leader last. */
	if (t->tid == p->tgid) {
		tp->exited_leader = true;
		tp->wait_status = status;
	}
	if (tp->exec_tid == t->tid)
		tp->exec_tid = 0;
	if (p->ntasks == 1 && p->image) {
		int st = tp->exited_leader ? tp->wait_status : status;

		if (WIFEXITED(st))
			proctable_close_image(lc->pt, p, IMAGE_EXIT, WEXITSTATUS(st), 0,
					      lc->end_ns);
		else
			proctable_close_image(lc->pt, p,
					      p->image->final_sampled ? IMAGE_SIGNAL : IMAGE_LOST,
					      -1, WTERMSIG(st), lc->end_ns);
	}
	forget_task(lc, t);
}

/* ---------------------------------------------------------------- group-stops */

static bool is_stopping_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void on_stop(struct lifecycle *lc, struct task *t, int sig)
{
	int rc;

	if (!is_stopping_signal(sig)) {
		/*
		 * SIGTRAP: the first stop of a new task, the end of a group-stop
		 * (SIGCONT), or our PTRACE_INTERRUPT.
		 */
		resume(lc, t->tid, 0);
		return;
	}
	/*
	 * A group-stop (SIGSTOP, Ctrl-Z): stay stopped, as without a tracer,
	 * until SIGCONT.  PTRACE_LISTEN keeps it so and still lets us see the
	 * next event.
	 */
	rc = lc->sys->listen(lc->sys, t->tid);
	if (rc == -ESRCH)
		return;
	if (rc) {
		/* Never hold a task: better running than stopped for good. */
		errno = -rc;
		warn_errno("ptrace(PTRACE_LISTEN, %d)", (int)t->tid);
		resume(lc, t->tid, 0);
		return;
	}
	TE(t)->stopped = true;
	lc->nstopped++;
}

bool lifecycle_all_stopped(const struct lifecycle *lc)
{
	return lc->main_exited && lc->nstopped && lc->nstopped + lc->nexiting == lc->pt->ntasks;
}

/* Have all the tasks left been sent SIGHUP + SIGCONT already? */
static bool all_hupped(const struct lifecycle *lc)
{
	struct task_iter it;

	for (const struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it))
		if (!TP(t->proc)->hup_round)
			return false;
	return true;
}

void lifecycle_settle(struct lifecycle *lc)
{
	unsigned round = ++lc->settle_round;
	bool kill_them = all_hupped(lc);
	struct task_iter it;

	for (struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it)) {
		struct traced *tp = TP(t->proc);
		pid_t pid = t->proc->tgid;

		if (kill_them) {
			lc->sys->kill(lc->sys, pid, SIGKILL);
			lc->res->after_exit.stopped_killed += t->tid == pid;
		} else if (!tp->hup_round) {
			tp->hup_round = round;
			lc->sys->kill(lc->sys, pid, SIGHUP);
			lc->sys->kill(lc->sys, pid, SIGCONT);
			lc->res->after_exit.stopped_woken++;
		} else if (tp->hup_round != round) {
			continue; /* woken before: stays stopped, not signalled now */
		}
		/* SIGCONT or SIGKILL ends each task's group-stop with a report. */
		clear_stopped(lc, t);
	}
}

/* ---------------------------------------------------------------- the tree */

void lifecycle_timed_pass(struct lifecycle *lc)
{
	struct task_iter it;

	sampler_pass_begin(lc->sampler);
	for (struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it)) {
		struct traced *tp = TP(t->proc);

		if (!t->proc->image)
			continue;
		if (!tp->exec_tid) {
			sampler_pass_read(lc->sampler, t->proc->image, t->tid);
		} else if (!tp->exec_probed) {
			/*
			 * Mid-exec, /proc may already show the new program's mm:
			 * not to be read.  Whether the exec failed shows only at
			 * the task's next report: ask for one.
			 */
			tp->exec_probed = true;
			lc->sys->interrupt(lc->sys, tp->exec_tid);
		}
	}
	sampler_pass_end(lc->sampler);
}

bool lifecycle_child_gone(const struct lifecycle *lc)
{
	return !proctable_find_task(lc->pt, lc->child);
}

unsigned lifecycle_leftovers(const struct lifecycle *lc, const struct image **first)
{
	struct task_iter it;
	unsigned n = 0;

	*first = NULL;
	for (const struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it)) {
		const struct image *img;

		if (t->proc->stub || t->tid != t->proc->tgid)
			continue;
		n++;
		img = proctable_live_mm_image(t->proc);
		if (img && (!*first || img->start_ns < (*first)->start_ns))
			*first = img;
	}
	return n;
}

void lifecycle_forward(const struct lifecycle *lc, int sig)
{
	struct task_iter it;

	for (const struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it))
		if (!t->proc->stub && t->tid == t->proc->tgid)
			lc->sys->kill(lc->sys, t->tid, sig);
}

void lifecycle_kill_all(const struct lifecycle *lc)
{
	struct task_iter it;

	for (const struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it))
		lc->sys->kill(lc->sys, t->tid, SIGKILL);
}

/* ---------------------------------------------------------------- dispatch */

int lifecycle_init(struct lifecycle *lc, const struct sysops *sys, struct proctable *pt,
		   struct sampler *sampler, struct tracer_result *res, bool exact)
{
	*lc = (struct lifecycle){
		.sys = sys, .pt = pt, .sampler = sampler, .res = res, .exact = exact
	};
	return filter_classes_init(&lc->classes, exact);
}

void lifecycle_free(struct lifecycle *lc)
{
	struct task_iter it;

	for (struct task *t = proctable_first_task(lc->pt, &it); t;
	     t = proctable_next_task(lc->pt, &it))
		forget_task(lc, t);
}

int lifecycle_add_stub(struct lifecycle *lc, pid_t pid)
{
	struct process *stub = new_process(lc, pid, getpid(), true);

	if (!stub)
		return -ENOMEM;
	if (!add_task(lc, pid, stub)) {
		drop_process(lc, stub);
		return -ENOMEM;
	}
	lc->child = pid;
	return 0;
}

void lifecycle_dispatch(struct lifecycle *lc, pid_t tid, int status, const struct rusage *ru)
{
	struct task *t = proctable_find_task(lc->pt, tid);
	int detail;
	enum event_kind kind = event_classify(status, &detail);

	if (kind == EVENT_EXITED || kind == EVENT_KILLED) {
		/* Unknown: an untraced orphan re-parented to us (CLONE_UNTRACED). */
		if (t)
			on_death(lc, t, status, ru);
		return;
	}
	if (!t && !(t = meet_task(lc, tid, kind))) {
		resume(lc, tid, 0);
		return;
	}
	clear_stopped(lc, t);
	/*
	 * After a clone stop the task's next report is its birth event, or
	 * the clone failed (or is restarted after a signal: a new clone stop).
	 */
	if (kind != EVENT_FORK && kind != EVENT_VFORK && kind != EVENT_CLONE)
		set_cloning(lc, t, false);
	/* Any other report of a task that entered execve: it is back, the exec failed. */
	if (TP(t->proc)->exec_tid == tid && kind != EVENT_EXEC && kind != EVENT_EXIT)
		TP(t->proc)->exec_tid = 0;
	switch (kind) {
	case EVENT_SECCOMP:
		on_seccomp(lc, t);
		break;
	case EVENT_FORK:
	case EVENT_VFORK:
	case EVENT_CLONE:
		on_birth(lc, t);
		break;
	case EVENT_EXEC:
		on_exec(lc, t);
		break;
	case EVENT_EXIT:
		on_exit_event(lc, t);
		break;
	case EVENT_STOP:
		on_stop(lc, t, detail);
		break;
	case EVENT_SIGNAL:
		/* Deliver the signal the task was about to receive. */
		resume(lc, tid, detail);
		break;
	case EVENT_EXITED:
	case EVENT_KILLED:
	case EVENT_UNKNOWN:
		resume(lc, tid, 0);
		break;
	}
}
