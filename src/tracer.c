/*
 * tracer: run the command under PTRACE_SEIZE with the seccomp filter, and
 * serve every stop of the tree until the last process is gone.
 *
 * The run has four parts: start (the filter, the stub, the seize), next
 * stop (wait4, with what the timer and forwarded signals ask for in
 * between), dispatch (lifecycle.c: what the stop means), and finish (the
 * result).  The tracer only wakes at the trapped syscalls (exit,
 * exit_group, execve(at), clone(3), fork, vfork) and at ptrace events;
 * everything else the tree does runs at native speed.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filter.h"
#include "launch.h"
#include "lifecycle.h"
#include "probe.h"
#include "procfs.h"
#include "sampler.h"
#include "sysops.h"
#include "tracer.h"
#include "util.h"
#include "why.h"

/* With -i 0, how often the loop wakes up once only leftovers are alive. */
#define WAKE_TICK_NS 100000000u

struct tracer {
	const struct tracer_config *cfg;
	struct tracer_result *res;
	struct sysops sys;
	struct sampler sampler;
	struct lifecycle lc;
	char *const *command;
	pid_t child;  /* the stub, then the command */
	bool ticking; /* the wake-up tick is armed (-i 0, or a long period and --wait-orphans) */
	uint64_t last_pass_ns; /* when the last timed pass ran */
	bool killing; /* after a failure, or once the wait for leftovers ended: kill what stops */
	bool info_checked; /* PTRACE_GET_SYSCALL_INFO worked at the stub's first seccomp stop */
	uint64_t cpu0_ns;  /* the tracer's CPU clock when the run began */
	int err_fd;	   /* the stub's launch errors (read end) */
	int rc;		   /* the first failure, -errno: the one error channel */
	char *err;	   /* and its message */
	size_t errlen;
	/* What start() changed, for finish() to restore. */
	struct sigaction old_int, old_quit, old_term, old_hup, old_alrm;
	bool ignoring;	 /* SIGINT, SIGQUIT ignored */
	bool forwarding; /* SIGTERM, SIGHUP forwarded, SIGALRM caught */
	bool waiting;	 /* the command is gone, its leftovers waited for */
	bool catching;	 /* SIGINT, SIGQUIT caught: they end that wait */
};

/* ---------------------------------------------------------------- signals */

/* The direct child while it lives, for the forwarding handler. */
static volatile sig_atomic_t forward_pid;
/* A SIGTERM / SIGHUP that came after the command ended: for the rest of the tree. */
static volatile sig_atomic_t pending_forward;
/* Set by SIGALRM: a timed sampling pass is due. */
static volatile sig_atomic_t sample_due;
/* Set by SIGINT / SIGQUIT while the leftovers are waited for: stop waiting. */
static volatile sig_atomic_t stop_waiting;

static void on_interrupt(int sig)
{
	stop_waiting = sig;
}

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

/* ---------------------------------------------------------------- errors */

static void fail(struct tracer *tr, int rc, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Record a failure: rc (-errno) for the caller, and a message with
 * strerror(err) when err is not 0.  The first failure is the one to tell.
 */
static void fail(struct tracer *tr, int rc, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (!tr->rc)
		tr->rc = rc;
	if (tr->err[0])
		return;
	va_start(ap, fmt);
	vsnprintf(tr->err, tr->errlen, fmt, ap);
	va_end(ap);
	n = strlen(tr->err);
	if (err && n < tr->errlen)
		snprintf(tr->err + n, tr->errlen - n, ": %s", strerror(err));
}

/* ---------------------------------------------------------------- start */

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

/*
 * Like time(1): Ctrl-C and Ctrl-\ go to the whole foreground group, so the
 * command gets them; we stay to write the report.  The stub starts with
 * our dispositions and sets the mask it is given: blocked until we ignore
 * them, those two cannot end us in between.
 */
static pid_t start_stub(struct tracer *tr, struct launch_args *la)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t stop_int;
	pid_t pid;

	sigemptyset(&stop_int);
	sigaddset(&stop_int, SIGINT);
	sigaddset(&stop_int, SIGQUIT);
	sigprocmask(SIG_BLOCK, &stop_int, &la->mask);
	pid = launch_start(la);
	sigaction(SIGINT, &ign, &tr->old_int);
	sigaction(SIGQUIT, &ign, &tr->old_quit);
	sigprocmask(SIG_SETMASK, &la->mask, NULL);
	tr->ignoring = true;
	return pid;
}

/* SIGTERM and SIGHUP sent to us alone are passed on to the command. */
static void forward_signals(struct tracer *tr, pid_t pid)
{
	struct sigaction fwd = { .sa_handler = forward_signal };
	/* No SA_RESTART: the alarm must interrupt a blocked wait4. */
	struct sigaction alarm_act = { .sa_handler = on_alarm };

	forward_pid = pid;
	pending_forward = 0;
	sample_due = 0;
	stop_waiting = 0;
	sigaction(SIGTERM, &fwd, &tr->old_term);
	sigaction(SIGHUP, &fwd, &tr->old_hup);
	sigaction(SIGALRM, &alarm_act, &tr->old_alrm);
	tr->forwarding = true;
}

/*
 * What may refuse ptrace or seccomp to us, as far as /proc tells: the
 * seccomp filters we run under (a container's profile, a sandbox) and
 * Yama's ptrace_scope.  "" when it tells nothing.
 */
static void refusal_hint(const struct tracer *tr, bool yama, char *buf, size_t len)
{
	struct pstatus self;
	int n = 0, scope;

	buf[0] = '\0';
	if (procfs_read_status(tr->sys.procfd, getpid(), &self) == 0 && self.seccomp_filters > 0)
		n = snprintf(buf, len, "%d seccomp filter%s around maxrss-sc", self.seccomp_filters,
			     self.seccomp_filters > 1 ? "s" : "");
	if (yama && n >= 0 && (size_t)n < len &&
	    procfs_read_yama_scope(tr->sys.procfd, &scope) == 0 && scope > 0)
		snprintf(buf + n, len - (size_t)n, "%skernel.yama.ptrace_scope %d", n ? ", " : "",
			 scope);
}

/* Seize the stub; it then loads the filter and execs when told to go. */
static int seize(struct tracer *tr, pid_t pid)
{
	struct pstatus who;
	char hint[128];
	int err;

	/* Options are set by the seize itself: no stop is needed to set them. */
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)LIFECYCLE_OPTIONS) == 0)
		return 0;
	err = errno;
	/* An old kernel: refused before anything runs (probe.h). */
	if (probe_seize_failed(err, hint, sizeof(hint)))
		return fail(tr, -ENOSYS, 0, "%s", hint), -ENOSYS;
	refusal_hint(tr, true, hint, sizeof(hint));
	/* strace -f or gdb above us took the child first: say so. */
	if (err == EPERM && procfs_read_status(tr->sys.procfd, pid, &who) == 0 && who.tracer)
		fail(tr, -err, 0,
		     "cannot trace the command: it is already traced by process %d "
		     "(is maxrss-sc itself running under strace -f or a debugger?)",
		     (int)who.tracer);
	else if (err == EPERM || err == EACCES)
		fail(tr, -err, err,
		     "cannot trace the command: ptrace(PTRACE_SEIZE) is refused here%s%s%s",
		     hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
	else if (err == ENOSYS)
		fail(tr, -err, err, "cannot trace the command: ptrace is not available here");
	else
		fail(tr, -err, err, "cannot trace the command (ptrace PTRACE_SEIZE)");
	return -err;
}

/*
 * Start the command: the filter, the stub, the seize, the go.  0 when the
 * loop is to run; otherwise tr->rc says why not (0 with a status of 126 or
 * 127 for a command that cannot be run).
 */
static int start(struct tracer *tr, struct launch_args *la, struct filter_prog *filter)
{
	int go[2] = { -1, -1 }, errp[2] = { -1, -1 }, rc;
	char why[160];
	pid_t pid;

	la->out_fd = -1;
	/* An old kernel is refused here, before anything runs. */
	rc = probe_kernel(tr->sys.procfd, why, sizeof(why));
	if (rc)
		return fail(tr, rc, 0, "%s", why), -1;
	rc = launch_resolve(tr->command[0], getenv("PATH"), (char **)&la->path);
	if (rc == -ENOENT || rc == -EACCES) {
		/* Not found or not executable: like the shell, 127 or 126, no report. */
		tr->res->status = rc == -ENOENT ? 127 : 126;
		fail(tr, 0, -rc, "cannot run '%s'", tr->command[0]);
		return -1;
	}
	if (rc)
		return fail(tr, rc, -rc, "cannot look up '%s'", tr->command[0]), -1;
	rc = make_filter(tr->cfg->exact, filter);
	if (rc)
		return fail(tr, rc, -rc, "cannot build the seccomp filter"), -1;
	la->argv = tr->command;
	la->envp = environ;
	la->filter = filter;
	la->sh_argv = launch_sh_argv(la->path, tr->command);
	if (!la->sh_argv)
		return fail(tr, -ENOMEM, ENOMEM, "out of memory"), -1;
	/* The error pipe is read once at the end: it must never block there. */
	if (pipe2(go, O_CLOEXEC) || pipe2(errp, O_CLOEXEC) ||
	    fcntl(errp[0], F_SETFL, O_NONBLOCK) < 0) {
		fail(tr, -errno, errno, "pipe");
		goto out;
	}
	/* Orphans of the tree come back to us, so they are still waited for. */
	prctl(PR_SET_CHILD_SUBREAPER, 1L, 0L, 0L, 0L);
	la->go_fd = go[0];
	la->err_fd = errp[1];
	if (tr->cfg->hide_output) {
		la->out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (la->out_fd < 0) {
			fail(tr, -errno, errno, "cannot open /dev/null");
			goto out;
		}
	}
	pid = start_stub(tr, la);
	if (pid < 0) {
		fail(tr, pid, -pid, "cannot start the command (clone)");
		goto out;
	}
	tr->child = pid;
	forward_signals(tr, pid);
	if (seize(tr, pid) == 0 && lifecycle_add_stub(&tr->lc, pid))
		fail(tr, -ENOMEM, ENOMEM, "out of memory");
	if (!tr->rc && write(go[1], "g", 1) != 1)
		fail(tr, -errno, errno, "cannot start the command");
	if (tr->rc) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
	}
out:
	for (int i = 0; i < 2; i++)
		if (go[i] >= 0)
			close(go[i]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (la->out_fd >= 0)
		close(la->out_fd);
	tr->err_fd = errp[0];
	return tr->rc ? -1 : 0;
}

/* ---------------------------------------------------------------- next stop */

/*
 * With -i 0, once the command is gone: a SIGTERM or SIGHUP for us is then
 * passed on by the loop, which only sees it when wait4 returns.  One
 * landing just before wait4 blocks would wait for the next event of an
 * idle tree: with no sampling timer, a tick bounds that wait.
 */
static void tick_if_idle(struct tracer *tr)
{
	/* The tick also bounds how late --wait-orphans ends the wait. */
	if (tr->ticking || tr->sampler.interval_ns || !tr->lc.main_exited ||
	    !tr->res->after_exit.processes)
		return;
	tr->ticking = true;
	arm_timer(WAKE_TICK_NS);
}

/* ---------------------------------------------------------------- leftovers */

/*
 * Stop waiting for the leftovers: they are killed, as our exit would kill
 * them (PTRACE_O_EXITKILL); detached, their traced system calls would fail.
 * Whatever of the tree still stops from now on is killed too.
 */
static void end_wait(struct tracer *tr, enum wait_end why)
{
	struct after_exit *a = &tr->res->after_exit;
	const struct image *first;

	if (a->ended_by != WAIT_ALL || tr->killing)
		return;
	a->ended_by = why;
	a->killed = lifecycle_leftovers(&tr->lc, &first);
	lifecycle_kill_all(&tr->lc);
	tr->killing = true;
}

/*
 * The command has just ended, and processes it started still run.  Ctrl-C
 * and Ctrl-\ went to the command while it ran; now they end the wait (not
 * when maxrss-sc was started with them ignored, as a background job of a
 * shell without job control is).  One that killed the command itself
 * already said so: Ctrl-C in a build that left a daemon.
 */
static void start_wait(struct tracer *tr)
{
	struct sigaction catch = { .sa_handler = on_interrupt }; /* no SA_RESTART: wake wait4 */
	const struct tracer_result *res = tr->res;

	tr->waiting = true;
	if (!res->exited && (res->signal == SIGINT || res->signal == SIGQUIT)) {
		end_wait(tr, WAIT_INTERRUPT);
		return;
	}
	if (tr->cfg->limit_wait && tr->cfg->wait_ns == 0) {
		end_wait(tr, WAIT_LIMIT);
		return;
	}
	/* The limit is checked between stops: wake up often enough for it. */
	if (tr->cfg->limit_wait && !tr->ticking && tr->sampler.period_ns > WAKE_TICK_NS) {
		tr->ticking = true;
		arm_timer(WAKE_TICK_NS);
	}
	if (tr->ignoring && tr->old_int.sa_handler != SIG_IGN) {
		sigaction(SIGINT, &catch, NULL);
		tr->catching = true;
	}
	if (tr->ignoring && tr->old_quit.sa_handler != SIG_IGN) {
		sigaction(SIGQUIT, &catch, NULL);
		tr->catching = true;
	}
}

/* While the leftovers are waited for: Ctrl-C, the limit, and what to tell. */
static void wait_leftovers(struct tracer *tr)
{
	struct tracer_wait w = { .limited = tr->cfg->limit_wait,
				 .limit_ns = tr->cfg->wait_ns,
				 .interruptible = tr->catching };
	uint64_t now = util_now_ns();

	if (!tr->waiting && tr->lc.main_exited && tr->res->after_exit.processes)
		start_wait(tr);
	if (!tr->waiting || tr->killing)
		return;
	w.waited_ns = now > tr->lc.main_exit_ns ? now - tr->lc.main_exit_ns : 0;
	if (stop_waiting)
		end_wait(tr, WAIT_INTERRUPT);
	else if (w.limited && w.waited_ns >= w.limit_ns)
		end_wait(tr, WAIT_LIMIT);
	if (tr->killing || !tr->cfg->waiting)
		return;
	w.processes = lifecycle_leftovers(&tr->lc, &w.first);
	if (w.processes)
		tr->cfg->waiting(&w, tr->cfg->ctx);
}

/*
 * What the alarm and a forwarded signal ask for, between two stops.
 * Checked after every stop too: a busy tree may never let wait4 block long
 * enough to be interrupted by the alarm.
 */
static void between_stops(struct tracer *tr)
{
	int sig = pending_forward;

	if (sample_due) {
		uint64_t now = util_now_ns();

		sample_due = 0;
		/* Ticking for --wait-orphans: a pass only when the period is over. */
		if (tr->lc.exec_seen && !tr->killing && tr->sampler.interval_ns &&
		    (!tr->ticking || now - tr->last_pass_ns >= tr->sampler.period_ns)) {
			uint64_t period = tr->sampler.period_ns;

			lifecycle_timed_pass(&tr->lc);
			tr->last_pass_ns = now;
			if (tr->sampler.period_ns != period && !tr->ticking)
				arm_timer(tr->sampler.period_ns);
		}
	}
	if (sig) {
		siginfo_t si = { 0 };

		pending_forward = 0;
		/*
		 * The handler gave it to the direct child if alive; if it had
		 * already exited (a zombie, reaped or not), the signal is for the
		 * rest of the tree.  WNOWAIT: only a look.
		 */
		if (lifecycle_child_gone(&tr->lc) ||
		    (waitid(P_PID, (id_t)tr->child, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) ==
			     0 &&
		     si.si_pid == tr->child))
			lifecycle_forward(&tr->lc, sig);
	}
	wait_leftovers(tr);
}

/*
 * After a failure when wait4 itself fails: reap what we can for up to a
 * second, so that nothing of the tree is left behind when we return.  Tasks
 * that were never named to us die with us (PTRACE_O_EXITKILL).
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

/*
 * The next report of the tree: its tid, or 0 to look again, or -1 when no
 * tracee is left (or wait4 failed: then the tree has been killed).
 */
static pid_t next_stop(struct tracer *tr, int *status, struct rusage *ru)
{
	pid_t tid;

	between_stops(tr);
	/*
	 * Everything left is stopped (or a zombie leader waiting for those)
	 * and no report is pending, such as the end of a group-stop that a
	 * SIGCONT already brought: settle them.
	 */
	if (lifecycle_all_stopped(&tr->lc) && !tr->killing) {
		tid = wait4(-1, status, __WALL | WNOHANG, ru);
		if (tid == 0)
			lifecycle_settle(&tr->lc);
	} else {
		tid = wait4(-1, status, __WALL, ru);
	}
	if (tid > 0)
		return tid;
	if (tid == 0 || errno == EINTR)
		return 0;
	if (errno != ECHILD) {
		/* We can no longer wait: kill the tree and go. */
		fail(tr, -errno, errno, "wait4");
		lifecycle_kill_all(&tr->lc);
		reap_killed();
	}
	return -1;
}

/*
 * The first seccomp stop of the run is the stub's, at the execve of the
 * command, which has not run yet: where PTRACE_GET_SYSCALL_INFO fails
 * there, the kernel is too old (probe.h) and the run ends before it starts.
 */
static void check_syscall_info(struct tracer *tr, pid_t tid, int status)
{
	struct __ptrace_syscall_info info;
	char why[160];

	if (tr->info_checked || !WIFSTOPPED(status) || status >> 16 != PTRACE_EVENT_SECCOMP)
		return;
	tr->info_checked = true;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) > 0 ||
	    !probe_syscall_info_failed(errno, why, sizeof(why)))
		return;
	fail(tr, -ENOSYS, 0, "%s", why);
	lifecycle_kill_all(&tr->lc);
	tr->killing = true;
}

/* Serve every stop until no tracee is left. */
static void serve(struct tracer *tr)
{
	for (;;) {
		struct rusage ru;
		int status;
		pid_t tid = next_stop(tr, &status, &ru);

		if (tid < 0)
			return;
		if (!tid)
			continue;
		tr->res->tracer.stops++;
		check_syscall_info(tr, tid, status);
		if (tr->killing) {
			/* Whatever still stops (a new child too) is killed, then let go. */
			if (WIFSTOPPED(status)) {
				kill(tid, SIGKILL);
				ptrace(PTRACE_CONT, tid, 0L, 0L);
				continue;
			}
		}
		lifecycle_dispatch(&tr->lc, tid, status, &ru);
		if (tr->lc.main_exited)
			forward_pid = 0; /* its pid may be reused from now on */
		if (tr->lc.fatal && !tr->killing) {
			/* Never strand the tree: without us its traced syscalls would fail. */
			fail(tr, tr->lc.fatal, -tr->lc.fatal,
			     "internal error, stopping the command");
			lifecycle_kill_all(&tr->lc);
			tr->killing = true;
		}
		tick_if_idle(tr);
	}
}

/* ---------------------------------------------------------------- finish */

/* The command never started: why, from the stub's error pipe. */
static void never_started(struct tracer *tr)
{
	struct launch_error e = { 0, 0 };
	ssize_t n = read(tr->err_fd, &e, sizeof(e));
	struct tracer_result *res = tr->res;

	res->ran = false;
	if (n == (ssize_t)sizeof(e) && e.stage == LAUNCH_EXEC) {
		res->status = (e.err == ENOENT || e.err == ENOTDIR) ? 127 : 126;
		fail(tr, 0, e.err, "cannot run '%s'", tr->command[0]);
	} else if (n == (ssize_t)sizeof(e) && e.stage == LAUNCH_SECCOMP) {
		char hint[128];

		refusal_hint(tr, false, hint, sizeof(hint));
		if (e.err == ENOMEM && hint[0])
			/* seccomp(2): the filters of one task hold 32768 instructions at most. */
			fail(tr, -e.err, e.err,
			     "cannot install the seccomp filter: the %s leave no room for it",
			     hint);
		else if (e.err == ENOSYS)
			fail(tr, -e.err, e.err,
			     "cannot install the seccomp filter: this kernel has no seccomp filters");
		else
			fail(tr, -e.err, e.err,
			     "cannot install the seccomp filter: seccomp filters are refused here%s%s%s",
			     hint[0] ? " (" : "", hint, hint[0] ? ")" : "");
	} else {
		fail(tr, -ECHILD, 0, "the command did not start (its launcher %s)",
		     res->exited ? "exited" : "was killed");
	}
}

/* The result, once the loop is over. */
static void finish(struct tracer *tr, struct proctable *pt)
{
	struct tracer_result *res = tr->res;
	struct lifecycle *lc = &tr->lc;
	struct pstatus self;

	if (procfs_read_status(tr->sys.procfd, getpid(), &self) == 0)
		res->tracer.rss_bytes = self.hwm;
	res->tracer.cpu_ns = util_thread_cpu_ns() - tr->cpu0_ns;
	proctable_judge_breakdowns(pt, res->counter_error.bytes);
	if (!lc->exec_seen) {
		never_started(tr);
	} else {
		res->ran = true;
		res->wall_ns = lc->end_ns > pt->t0_ns ? lc->end_ns - pt->t0_ns : 0;
		if (res->after_exit.processes && lc->end_ns > lc->main_exit_ns)
			res->after_exit.ns = lc->end_ns - lc->main_exit_ns;
		res->status = res->exited ? res->exit_code : 128 + res->signal;
		proctable_finish(pt, res->wall_ns);
	}
	if (tr->rc)
		res->status = 125;
}

/* Put back what start() changed. */
static void restore(struct tracer *tr)
{
	arm_timer(0);
	forward_pid = 0;
	if (tr->forwarding) {
		sigaction(SIGALRM, &tr->old_alrm, NULL);
		sigaction(SIGTERM, &tr->old_term, NULL);
		sigaction(SIGHUP, &tr->old_hup, NULL);
	}
	if (tr->ignoring || tr->catching) {
		sigaction(SIGINT, &tr->old_int, NULL);
		sigaction(SIGQUIT, &tr->old_quit, NULL);
	}
}

int tracer_run(char *const *command, const struct tracer_config *cfg, struct proctable *pt,
	       struct tracer_result *res, char *err, size_t errlen)
{
	struct tracer tr = { .cfg = cfg,
			     .res = res,
			     .command = command,
			     .err_fd = -1,
			     .err = err,
			     .errlen = errlen };
	struct filter_prog filter = { 0 };
	struct launch_args la = { 0 };
	struct utsname u;
	int rc;

	memset(res, 0, sizeof(*res));
	err[0] = '\0';
	tr.cpu0_ns = util_thread_cpu_ns();
	res->counter_error = why_counter_error(uname(&u) == 0 ? u.release : NULL,
					       sysconf(_SC_NPROCESSORS_ONLN),
					       sysconf(_SC_PAGESIZE));
	/* A peak between samples within the counter's error of a sample is that sample. */
	pt->estimate_above = res->counter_error.bytes;
	rc = sysops_open(&tr.sys);
	if (rc)
		return fail(&tr, rc, -rc, "cannot open /proc (is it mounted?)"), rc;
	/* Before anything runs: every pid of the tree would name another process. */
	rc = procfs_check_self(tr.sys.procfd);
	if (rc == -ENOENT) {
		fail(&tr, rc, 0, "cannot read the command's processes: no /proc is mounted");
	} else if (rc) {
		fail(&tr, rc, rc == -EXDEV ? 0 : -rc,
		     "cannot read the command's processes: /proc is not of this PID namespace "
		     "(mount one, e.g. unshare --pid --fork --mount-proc)");
	}
	if (rc) {
		sysops_close(&tr.sys);
		return rc;
	}
	sampler_init(&tr.sampler, &tr.sys, pt, &res->tracer, cfg->interval_ms, cfg->exact);
	if (cfg->breakdown)
		sampler_keep_breakdowns(&tr.sampler);
	rc = lifecycle_init(&tr.lc, &tr.sys, pt, &tr.sampler, res, cfg->exact);
	if (rc)
		fail(&tr, rc, -rc, "cannot build the seccomp filter");
	else if (start(&tr, &la, &filter) == 0) {
		arm_timer(tr.sampler.period_ns);
		serve(&tr);
		finish(&tr, pt);
	} else if (tr.child > 0) {
		finish(&tr, pt);
	}
	restore(&tr);
	lifecycle_free(&tr.lc);
	if (tr.err_fd >= 0)
		close(tr.err_fd);
	filter_prog_free(&filter);
	free(la.sh_argv);
	free((char *)la.path);
	sysops_close(&tr.sys);
	return tr.rc;
}
