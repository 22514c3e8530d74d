/* event: classify a wait status of a traced task into one documented event. */
#ifndef MAXRSS_EVENT_H
#define MAXRSS_EVENT_H

enum event_kind {
	EVENT_EXITED,  /* WIFEXITED: the task is gone; detail = exit code */
	EVENT_KILLED,  /* WIFSIGNALED: the task is gone; detail = signal */
	EVENT_SECCOMP, /* seccomp stop at a trapped syscall's entry (PTRACE_EVENT_SECCOMP) */
	EVENT_FORK,    /* PTRACE_EVENT_FORK in the parent: new pid in GETEVENTMSG */
	EVENT_VFORK,   /* PTRACE_EVENT_VFORK: the child borrows the parent's mm */
	EVENT_CLONE,   /* PTRACE_EVENT_CLONE: a thread, or a process with clone flags */
	EVENT_EXEC,    /* PTRACE_EVENT_EXEC: exec succeeded; old tid in GETEVENTMSG */
	EVENT_EXIT,    /* PTRACE_EVENT_EXIT: about to exit, mm still intact */
	EVENT_STOP,    /* PTRACE_EVENT_STOP: initial stop of a new tracee, group-stop
			  (detail = stopping signal) or PTRACE_INTERRUPT (SIGTRAP) */
	EVENT_SIGNAL,  /* signal-delivery stop: detail = the signal to re-inject */
	EVENT_UNKNOWN, /* anything else (e.g. a syscall-stop we never ask for) */
};

/* Classify status as returned by waitpid(..., __WALL) for a PTRACE_SEIZEd task. */
enum event_kind event_classify(int status, int *detail);

/* A short name for logs and tests: "exited", "seccomp", ... */
const char *event_name(enum event_kind kind);

#endif
