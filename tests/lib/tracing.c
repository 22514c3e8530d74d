/* tracing: can this process trace its children (see tracing.h)? */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tracing.h"

#ifndef PTRACE_EVENT_SECCOMP
#define PTRACE_EVENT_SECCOMP 7
#endif

#if defined(__x86_64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

/* How long the probe waits for its child's stops. */
#define PROBE_MS 5000

/* Is /proc this PID namespace's? */
static int check_proc(char *why, size_t len)
{
	struct statfs sfs;
	char buf[32];
	ssize_t n;

	if (statfs("/proc", &sfs) != 0 || sfs.f_type != PROC_SUPER_MAGIC) {
		snprintf(why, len, "no /proc is mounted");
		return 1;
	}
	n = readlink("/proc/self", buf, sizeof(buf) - 1);
	if (n <= 0 || (buf[n] = '\0', strtol(buf, NULL, 10) != (long)getpid())) {
		snprintf(why, len, "/proc is not of this PID namespace");
		return 1;
	}
	return 0;
}

/* The child: wait for the go, load the filter, make the traced call. */
static __attribute__((noreturn)) void child(int go, int report)
{
	struct sock_filter insns[] = {
#ifdef PROBE_AUDIT_ARCH
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = (unsigned short)(sizeof(insns) / sizeof(insns[0])),
				   .filter = insns };
	char c;
	int err;

	if (read(go, &c, 1) != 1)
		_exit(3);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		err = errno;
		(void)!write(report, &err, sizeof(err));
		_exit(2);
	}
	(void)syscall(SYS_getppid);
	_exit(0);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int tracing_refused(char *why, size_t len)
{
	int go[2], report[2], st, err = 0, refused = 0;
	double end;
	bool stopped = false;
	pid_t pid, r;

	if (check_proc(why, len))
		return 1;
	if (pipe2(go, O_CLOEXEC) || pipe2(report, O_CLOEXEC)) {
		snprintf(why, len, "the probe cannot make a pipe: %s", strerror(errno));
		return 1;
	}
	pid = fork();
	if (pid == 0)
		child(go[0], report[1]);
	close(go[0]);
	close(report[1]);
	if (pid < 0) {
		snprintf(why, len, "the probe cannot fork: %s", strerror(errno));
		close(go[1]);
		close(report[0]);
		return 1;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)(PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) != 0) {
		snprintf(why, len, "ptrace(PTRACE_SEIZE) is refused: %s", strerror(errno));
		refused = 1;
		kill(pid, SIGKILL);
	} else if (write(go[1], "g", 1) != 1) {
		snprintf(why, len, "the probe cannot start its child");
		refused = 1;
		kill(pid, SIGKILL);
	}
	close(go[1]);
	end = now_ms() + PROBE_MS;
	for (;;) {
		r = waitpid(pid, &st, __WALL | WNOHANG);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (r == 0) {
			if (now_ms() > end) {
				kill(pid, SIGKILL);
				end = now_ms() + PROBE_MS;
				if (!refused)
					snprintf(why, len, "the probe's child never reported");
				refused = 1;
			}
			usleep(1000);
			continue;
		}
		if (WIFSTOPPED(st)) {
			if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8)))
				stopped = true;
			ptrace(PTRACE_CONT, pid, 0L,
			       (long)(WSTOPSIG(st) == SIGTRAP || st >> 16 ? 0 : WSTOPSIG(st)));
			continue;
		}
		if (!refused && WIFEXITED(st) && WEXITSTATUS(st) == 2 &&
		    read(report[0], &err, sizeof(err)) == (ssize_t)sizeof(err)) {
			snprintf(why, len, "seccomp filters are refused: %s", strerror(err));
			refused = 1;
		} else if (!refused && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			snprintf(why, len, "the probe's child ended with status 0x%x", (unsigned)st);
			refused = 1;
		} else if (!refused && !stopped) {
			snprintf(why, len, "a traced seccomp filter gives no stop here");
			refused = 1;
		}
		break;
	}
	close(report[0]);
	return refused;
}
