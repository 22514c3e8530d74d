/*
 * probe: what the kernel must have, checked before the first run.  Each
 * check calls the feature the way the tracer will, with arguments that make
 * a kernel that has it fail harmlessly (or succeed on ourselves), so that a
 * kernel without it answers differently: no version numbers, which
 * backports and configurations make unreliable.  The man page (KERNEL)
 * lists the same features with the version that brought each.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lifecycle.h"
#include "probe.h"

/* Each failed check: the feature, and the version of Linux that brought it. */
static int missing(char *msg, size_t len, const char *feature, const char *since)
{
	snprintf(msg, len, "this kernel lacks %s (Linux %s and later have it)", feature, since);
	return -ENOSYS;
}

/*
 * A NULL filter: EFAULT where filters exist (the program is read first),
 * EINVAL where the kernel has no SECCOMP_MODE_FILTER.  A process already
 * under a filter (PR_GET_SECCOMP says 2: a container's profile, systemd)
 * is on a kernel that has them: EINVAL there is the profile's refusal,
 * which the tracer reports when it installs its own filter.
 */
static bool have_seccomp_filter(void)
{
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, 0L, 0L, 0L) == 0 || errno != EINVAL ||
	       prctl(PR_GET_SECCOMP, 0L, 0L, 0L, 0L) == SECCOMP_MODE_FILTER;
}

static bool have_subreaper(void)
{
	int on = 0;

	return prctl(PR_GET_CHILD_SUBREAPER, &on, 0L, 0L, 0L) == 0 || errno != EINVAL;
}

/* One byte of our own memory: ENOSYS without CONFIG_CROSS_MEMORY_ATTACH. */
static bool have_process_vm_readv(void)
{
	static const char src = 'm';
	char dst = 0;
	struct iovec local = { &dst, 1 }, remote = { (void *)&src, 1 };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == 1 || errno != ENOSYS;
}

/* Ourselves against ourselves: ENOSYS without CONFIG_KCMP (or CHECKPOINT_RESTORE). */
static bool have_kcmp(void)
{
	pid_t self = getpid();

	return syscall(SYS_kcmp, self, self, KCMP_VM, 0L, 0L) == 0 || errno != ENOSYS;
}

static bool have_smaps_rollup(int procfd)
{
	return faccessat(procfd, "self/smaps_rollup", R_OK, 0) == 0 || errno != ENOENT;
}

/*
 * Seize a child of our own with the tracer's options, stop it, and ask for
 * its syscall info.  A kernel without PTRACE_SEIZE or one of the options
 * refuses the seize (ESRCH: an unknown request on a task we do not trace;
 * EIO: an unknown option); without PTRACE_GET_SYSCALL_INFO the request
 * fails with EIO.  EPERM (another tracer, Yama, a policy) says nothing of
 * the kernel: the tracer tells it when it seizes the command.
 */
static int probe_ptrace(char *msg, size_t len)
{
	struct __ptrace_syscall_info info;
	int hold[2], st, rc = 0;
	pid_t pid;

	if (pipe2(hold, O_CLOEXEC))
		return 0;
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		char c;

		/* Until we are killed, or our parent is gone. */
		close(hold[1]);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	/* All but TRACEEXIT (Linux 2.5.60): a killed tracee would stop at its exit. */
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)(LIFECYCLE_OPTIONS & ~PTRACE_O_TRACEEXIT)) != 0) {
		if (errno == ESRCH || errno == EIO || errno == EINVAL)
			rc = missing(msg, len, "PTRACE_SEIZE with PTRACE_O_EXITKILL", "3.8");
		goto kill;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0L, 0L) != 0 || waitpid(pid, &st, __WALL) != pid ||
	    !WIFSTOPPED(st))
		goto kill;
	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) <= 0 && errno == EIO)
		rc = missing(msg, len, "PTRACE_GET_SYSCALL_INFO", "5.3");
kill:
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
out:
	close(hold[0]);
	close(hold[1]);
	return rc;
}

/* Checked once per process: the kernel does not change between runs. */
static int checked = 1; /* 1: not yet */
static char checked_msg[160];

int probe_kernel(int procfd, char *msg, size_t len)
{
	if (checked == 1) {
		char *m = checked_msg;
		size_t n = sizeof(checked_msg);

		if (!have_seccomp_filter())
			checked = missing(m, n, "seccomp filters (SECCOMP_MODE_FILTER)", "3.5");
		else if (!have_subreaper())
			checked = missing(m, n, "child subreapers (PR_SET_CHILD_SUBREAPER)", "3.4");
		else if (!have_process_vm_readv())
			checked = missing(m, n, "process_vm_readv(2)", "3.2");
		else if (!have_kcmp())
			checked = missing(m, n, "kcmp(2)", "3.5");
		else if (!have_smaps_rollup(procfd))
			checked = missing(m, n, "/proc/PID/smaps_rollup", "4.14");
		else
			checked = probe_ptrace(m, n);
	}
	if (checked)
		snprintf(msg, len, "%s", checked_msg);
	return checked;
}
