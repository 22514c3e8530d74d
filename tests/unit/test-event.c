/*
 * Unit tests of event: wait statuses built the way the kernel builds them
 * (kernel/exit.c, kernel/ptrace.c), then a few real ones from a traced child.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "../lib/tracing.h"
#include "event.h"

/* exit(code): the code in bits 8-15. */
#define ST_EXITED(code) (((code)&0xff) << 8)
/* Killed by sig; 0x80 when a core was dumped. */
#define ST_KILLED(sig) (sig)
#define ST_KILLED_CORE(sig) ((sig) | 0x80)
/* Stopped: signal in bits 8-15, 0x7f below; a ptrace event in bits 16-23. */
#define ST_STOPPED(sig) (((sig) << 8) | 0x7f)
#define ST_EVENT(sig, ev) ((((sig) | ((ev) << 8)) << 8) | 0x7f)

static enum event_kind classify(int status, int *detail)
{
	*detail = -12345;
	return event_classify(status, detail);
}

#define ASSERT_EVENT(status, kind, want_detail)                                        \
	do {                                                                           \
		int d_;                                                                \
		enum event_kind k_ = classify(status, &d_);                            \
		cr_assert_eq(k_, kind, "status 0x%x: %s, want %s", (unsigned)(status), \
			     event_name(k_), event_name(kind));                        \
		cr_assert_eq(d_, want_detail, "status 0x%x: detail %d, want %d",       \
			     (unsigned)(status), d_, want_detail);                     \
	} while (0)

Test(event_classify, exited)
{
	ASSERT_EVENT(ST_EXITED(0), EVENT_EXITED, 0);
	ASSERT_EVENT(ST_EXITED(1), EVENT_EXITED, 1);
	ASSERT_EVENT(ST_EXITED(42), EVENT_EXITED, 42);
	ASSERT_EVENT(ST_EXITED(127), EVENT_EXITED, 127);
	ASSERT_EVENT(ST_EXITED(255), EVENT_EXITED, 255);
}

Test(event_classify, killed)
{
	ASSERT_EVENT(ST_KILLED(SIGKILL), EVENT_KILLED, SIGKILL);
	ASSERT_EVENT(ST_KILLED(SIGTERM), EVENT_KILLED, SIGTERM);
	ASSERT_EVENT(ST_KILLED(SIGHUP), EVENT_KILLED, SIGHUP);
	ASSERT_EVENT(ST_KILLED(SIGRTMAX), EVENT_KILLED, SIGRTMAX);
}

Test(event_classify, killed_with_core)
{
	ASSERT_EVENT(ST_KILLED_CORE(SIGSEGV), EVENT_KILLED, SIGSEGV);
	ASSERT_EVENT(ST_KILLED_CORE(SIGABRT), EVENT_KILLED, SIGABRT);
	ASSERT_EVENT(ST_KILLED_CORE(SIGQUIT), EVENT_KILLED, SIGQUIT);
}

Test(event_classify, signal_delivery_stop)
{
	ASSERT_EVENT(ST_STOPPED(SIGUSR1), EVENT_SIGNAL, SIGUSR1);
	ASSERT_EVENT(ST_STOPPED(SIGSEGV), EVENT_SIGNAL, SIGSEGV);
	ASSERT_EVENT(ST_STOPPED(SIGCHLD), EVENT_SIGNAL, SIGCHLD);
	ASSERT_EVENT(ST_STOPPED(SIGSTOP), EVENT_SIGNAL, SIGSTOP);
	ASSERT_EVENT(ST_STOPPED(SIGTERM), EVENT_SIGNAL, SIGTERM);
	ASSERT_EVENT(ST_STOPPED(SIGRTMIN), EVENT_SIGNAL, SIGRTMIN);
	/* A real SIGTRAP (int3, raise) is a signal to re-inject. */
	ASSERT_EVENT(ST_STOPPED(SIGTRAP), EVENT_SIGNAL, SIGTRAP);
}

Test(event_classify, ptrace_events)
{
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_SECCOMP), EVENT_SECCOMP, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_FORK), EVENT_FORK, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_VFORK), EVENT_VFORK, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_CLONE), EVENT_CLONE, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_EXEC), EVENT_EXEC, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_EXIT), EVENT_EXIT, 0);
}

/* PTRACE_EVENT_STOP: the stopping signal of a group-stop, or SIGTRAP (interrupt, new tracee). */
Test(event_classify, ptrace_event_stop)
{
	ASSERT_EVENT(ST_EVENT(SIGSTOP, PTRACE_EVENT_STOP), EVENT_STOP, SIGSTOP);
	ASSERT_EVENT(ST_EVENT(SIGTSTP, PTRACE_EVENT_STOP), EVENT_STOP, SIGTSTP);
	ASSERT_EVENT(ST_EVENT(SIGTTIN, PTRACE_EVENT_STOP), EVENT_STOP, SIGTTIN);
	ASSERT_EVENT(ST_EVENT(SIGTTOU, PTRACE_EVENT_STOP), EVENT_STOP, SIGTTOU);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, PTRACE_EVENT_STOP), EVENT_STOP, SIGTRAP);
}

/* PTRACE_O_TRACESYSGOOD syscall-stops: never asked for, never a signal to inject. */
Test(event_classify, syscall_stop_is_unknown)
{
	ASSERT_EVENT(ST_STOPPED(SIGTRAP | 0x80), EVENT_UNKNOWN, 0);
}

/* Only SIGTRAP accompanies these events; anything else is not one of them. */
Test(event_classify, event_with_other_signal_is_unknown)
{
	static const int events[] = {
		PTRACE_EVENT_SECCOMP, PTRACE_EVENT_FORK, PTRACE_EVENT_VFORK,
		PTRACE_EVENT_CLONE,   PTRACE_EVENT_EXEC, PTRACE_EVENT_EXIT,
	};
	static const int sigs[] = { SIGSTOP, SIGUSR1, SIGCHLD, SIGTRAP | 0x80 };

	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		for (size_t j = 0; j < sizeof(sigs) / sizeof(sigs[0]); j++)
			ASSERT_EVENT(ST_EVENT(sigs[j], events[i]), EVENT_UNKNOWN, 0);
}

Test(event_classify, unknown_event_number)
{
	ASSERT_EVENT(ST_EVENT(SIGTRAP, 9), EVENT_UNKNOWN, 0); /* PTRACE_EVENT_VFORK_DONE-like gap */
	ASSERT_EVENT(ST_EVENT(SIGTRAP, 127), EVENT_UNKNOWN, 0);
	ASSERT_EVENT(ST_EVENT(SIGTRAP, 0xff), EVENT_UNKNOWN, 0);
}

/* WIFCONTINUED (0xffff) is not a stop, an exit or a death. */
Test(event_classify, continued_is_unknown)
{
	ASSERT_EVENT(0xffff, EVENT_UNKNOWN, 0);
}

Test(event_name, every_kind)
{
	static const struct {
		enum event_kind kind;
		const char *name;
	} names[] = {
		{ EVENT_EXITED, "exited" },   { EVENT_KILLED, "killed" },
		{ EVENT_SECCOMP, "seccomp" }, { EVENT_FORK, "fork" },
		{ EVENT_VFORK, "vfork" },     { EVENT_CLONE, "clone" },
		{ EVENT_EXEC, "exec" },	      { EVENT_EXIT, "exit" },
		{ EVENT_STOP, "stop" },	      { EVENT_SIGNAL, "signal" },
		{ EVENT_UNKNOWN, "unknown" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_str_eq(event_name(names[i].kind), names[i].name);
	cr_assert_str_eq(event_name((enum event_kind)99), "unknown");
	cr_assert_str_eq(event_name((enum event_kind) - 1), "unknown");
}

/* ------------------------------------------------ statuses from the real kernel */

static int wait_status(pid_t pid)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL);
	while (r < 0 && errno == EINTR);
	cr_assert_eq(r, pid, "waitpid: %s", strerror(errno));
	return st;
}

Test(event_live, exit_and_kill)
{
	pid_t pid;
	int d;

	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(3);
	cr_assert_eq(event_classify(wait_status(pid), &d), EVENT_EXITED);
	cr_assert_eq(d, 3);

	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	cr_assert_eq(event_classify(wait_status(pid), &d), EVENT_KILLED);
	cr_assert_eq(d, SIGKILL);
}

/*
 * A seized child that forks and exits: the parent's fork event, the new
 * child's attach stop, both exit events and both exits.
 */
Test(event_live, seized_child_fork_and_exit)
{
	int go[2], st, d, exits = 0, forks = 0, stops = 0, exited = 0;
	pid_t pid, r;
	char c = 'x', why[256];

	if (tracing_refused(why, sizeof(why)))
		cr_skip_test("tracing is refused here: %s", why);
	cr_assert_eq(pipe(go), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		pid_t g;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(90);
		g = fork();
		if (g == 0)
			_exit(5);
		_exit(g > 0 ? 7 : 91);
	}
	close(go[0]);
	cr_assert_eq(ptrace(PTRACE_SEIZE, pid, 0L,
			    (long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)),
		     0, "PTRACE_SEIZE: %s", strerror(errno));
	cr_assert_eq(write(go[1], &c, 1), 1);
	close(go[1]);

	while (exited < 2) {
		enum event_kind k;

		do
			r = waitpid(-1, &st, __WALL);
		while (r < 0 && errno == EINTR);
		cr_assert_gt(r, 0, "waitpid: %s", strerror(errno));
		k = event_classify(st, &d);
		switch (k) {
		case EVENT_FORK:
			cr_assert_eq(r, pid);
			forks++;
			break;
		case EVENT_STOP:
			cr_assert_neq(r, pid, "only the new child has an attach stop");
			stops++;
			break;
		case EVENT_EXIT:
			exits++;
			break;
		case EVENT_EXITED:
			cr_assert_eq(d, r == pid ? 7 : 5);
			exited++;
			continue;
		case EVENT_SIGNAL:
			/* SIGCHLD of the grandchild: re-inject it. */
			cr_assert_eq(d, SIGCHLD);
			cr_assert_eq(ptrace(PTRACE_CONT, r, 0L, (long)d), 0);
			continue;
		default:
			cr_assert_fail("unexpected %s (status 0x%x) from %d", event_name(k),
				       (unsigned)st, (int)r);
		}
		cr_assert_eq(ptrace(PTRACE_CONT, r, 0L, 0L), 0, "PTRACE_CONT: %s", strerror(errno));
	}
	cr_assert_eq(forks, 1);
	cr_assert_eq(stops, 1);
	cr_assert_eq(exits, 2);
}
