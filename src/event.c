#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "event.h"

enum event_kind event_classify(int status, int *detail)
{
	int sig;

	*detail = 0;
	if (WIFEXITED(status)) {
		*detail = WEXITSTATUS(status);
		return EVENT_EXITED;
	}
	if (WIFSIGNALED(status)) {
		*detail = WTERMSIG(status);
		return EVENT_KILLED;
	}
	if (!WIFSTOPPED(status))
		return EVENT_UNKNOWN;
	sig = WSTOPSIG(status);
	/* A ptrace event stop is SIGTRAP | event << 8 (PTRACE_EVENT_STOP: any signal). */
	switch ((unsigned)status >> 16) {
	case 0:
		break;
	case PTRACE_EVENT_SECCOMP:
		return sig == SIGTRAP ? EVENT_SECCOMP : EVENT_UNKNOWN;
	case PTRACE_EVENT_FORK:
		return sig == SIGTRAP ? EVENT_FORK : EVENT_UNKNOWN;
	case PTRACE_EVENT_VFORK:
		return sig == SIGTRAP ? EVENT_VFORK : EVENT_UNKNOWN;
	case PTRACE_EVENT_CLONE:
		return sig == SIGTRAP ? EVENT_CLONE : EVENT_UNKNOWN;
	case PTRACE_EVENT_EXEC:
		return sig == SIGTRAP ? EVENT_EXEC : EVENT_UNKNOWN;
	case PTRACE_EVENT_EXIT:
		return sig == SIGTRAP ? EVENT_EXIT : EVENT_UNKNOWN;
	case PTRACE_EVENT_STOP:
		*detail = sig;
		return EVENT_STOP;
	default:
		return EVENT_UNKNOWN;
	}
	/* SIGTRAP | 0x80 is a syscall-stop (PTRACE_O_TRACESYSGOOD), never asked for. */
	if (sig == (SIGTRAP | 0x80))
		return EVENT_UNKNOWN;
	*detail = sig;
	return EVENT_SIGNAL;
}

const char *event_name(enum event_kind kind)
{
	switch (kind) {
	case EVENT_EXITED:
		return "exited";
	case EVENT_KILLED:
		return "killed";
	case EVENT_SECCOMP:
		return "seccomp";
	case EVENT_FORK:
		return "fork";
	case EVENT_VFORK:
		return "vfork";
	case EVENT_CLONE:
		return "clone";
	case EVENT_EXEC:
		return "exec";
	case EVENT_EXIT:
		return "exit";
	case EVENT_STOP:
		return "stop";
	case EVENT_SIGNAL:
		return "signal";
	case EVENT_UNKNOWN:
		break;
	}
	return "unknown";
}
