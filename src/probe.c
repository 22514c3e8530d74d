/*
 * probe: what the kernel must have, checked before the first run.  Each
 * check calls the feature the way the tracer will, with arguments that make
 * a kernel that has it fail harmlessly (or succeed on ourselves), so that a
 * kernel without it answers differently: no version numbers, which
 * backports and configurations make unreliable.  The man page (KERNEL)
 * lists the same features with the version that brought each.
 */
#include <errno.h>
#include <linux/kcmp.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

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
 * The ptrace features are checked on the command's own stub, not on a child
 * forked for the purpose (a fork, a seize, a stop and a kill: 0.2 to 0.5 ms
 * of every start-up): the tracer seizes the stub with its options, and asks
 * for the syscall info at the stub's first stop, its execve, before the
 * command runs.  What their failures say of the kernel:
 */
int probe_seize_failed(int err, char *msg, size_t len)
{
	/* ESRCH: an unknown request on a task we do not trace; EIO, EINVAL: an unknown option. */
	if (err == ESRCH || err == EIO || err == EINVAL)
		return missing(msg, len, "PTRACE_SEIZE with PTRACE_O_EXITKILL", "3.8");
	return 0;
}

int probe_syscall_info_failed(int err, char *msg, size_t len)
{
	if (err == EIO)
		return missing(msg, len, "PTRACE_GET_SYSCALL_INFO", "5.3");
	return 0;
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
			checked = 0;
	}
	if (checked)
		snprintf(msg, len, "%s", checked_msg);
	return checked;
}
