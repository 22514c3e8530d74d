#include <errno.h>
#include <linux/kcmp.h>
#include <signal.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysops.h"

static int err_or_zero(long rc)
{
	return rc < 0 ? -errno : 0;
}

static int sys_cont(const struct sysops *o, pid_t tid, int sig)
{
	(void)o;
	return err_or_zero(ptrace(PTRACE_CONT, tid, 0L, (long)sig));
}

static int sys_listen(const struct sysops *o, pid_t tid)
{
	(void)o;
	return err_or_zero(ptrace(PTRACE_LISTEN, tid, 0L, 0L));
}

static int sys_interrupt(const struct sysops *o, pid_t tid)
{
	(void)o;
	return err_or_zero(ptrace(PTRACE_INTERRUPT, tid, 0L, 0L));
}

static int sys_set_options(const struct sysops *o, pid_t tid, long options)
{
	(void)o;
	return err_or_zero(ptrace(PTRACE_SETOPTIONS, tid, 0L, options));
}

static unsigned long sys_event_msg(const struct sysops *o, pid_t tid)
{
	unsigned long msg = 0;

	(void)o;
	if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &msg) < 0)
		return 0;
	return msg;
}

static bool sys_syscall_info(const struct sysops *o, pid_t tid, struct __ptrace_syscall_info *info)
{
	(void)o;
	return ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(*info), info) > 0 &&
	       info->op == PTRACE_SYSCALL_INFO_SECCOMP;
}

static int sys_detach(const struct sysops *o, pid_t tid)
{
	(void)o;
	return err_or_zero(ptrace(PTRACE_DETACH, tid, 0L, 0L));
}

/*
 * Page by page: a read that crossed into an unmapped page would fail as a
 * whole, though the string ends before it.
 */
static int sys_read_string(const struct sysops *o, pid_t tid, uint64_t addr, char *buf, size_t len)
{
	const size_t page = 4096;
	size_t got = 0;

	(void)o;
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

static int sys_kill(const struct sysops *o, pid_t pid, int sig)
{
	(void)o;
	return err_or_zero(kill(pid, sig));
}

static bool sys_is_ours(const struct sysops *o, pid_t pid)
{
	const int how = WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL;
	siginfo_t si;

	(void)o;
	return waitid(P_PID, (id_t)pid, &si, how) == 0 || errno != ECHILD;
}

static bool sys_same_mm(const struct sysops *o, pid_t a, pid_t b)
{
	(void)o;
	return syscall(SYS_kcmp, a, b, KCMP_VM, 0L, 0L) == 0;
}

static bool sys_in_group(const struct sysops *o, pid_t tgid, pid_t tid)
{
	(void)o;
	return syscall(SYS_tgkill, tgid, tid, 0) == 0;
}

static int sys_read_status(const struct sysops *o, pid_t tid, struct pstatus *st)
{
	return procfs_read_status(o->procfd, tid, st);
}

static int sys_read_stat(const struct sysops *o, pid_t tid, struct pstat *st)
{
	return procfs_read_stat(o->procfd, tid, st);
}

static int sys_read_syscall(const struct sysops *o, pid_t tid, long *nr)
{
	return procfs_read_syscall(o->procfd, tid, nr);
}

static int sys_read_rollup(const struct sysops *o, pid_t tid, struct rollup *r)
{
	return procfs_read_rollup(o->procfd, tid, r);
}

static int sys_read_smaps(const struct sysops *o, pid_t tid, struct smaps *s)
{
	return smaps_read(o->procfd, tid, s);
}

static int sys_read_cmdline(const struct sysops *o, pid_t tid, char **buf, size_t *len)
{
	return procfs_read_cmdline(o->procfd, tid, buf, len);
}

static int sys_read_exe(const struct sysops *o, pid_t tid, char **exe)
{
	return procfs_read_exe(o->procfd, tid, exe);
}

static int sys_read_pidfd_pid(const struct sysops *o, pid_t tid, int fd, pid_t *pid)
{
	return procfs_read_pidfd_pid(o->procfd, tid, fd, pid);
}

static int sys_exec_file_missing(const struct sysops *o, pid_t tid, const char *path)
{
	return procfs_exec_file_missing(o->procfd, tid, path);
}

int sysops_open(struct sysops *o)
{
	int fd = procfs_open();

	if (fd < 0)
		return fd;
	*o = (struct sysops){
		.cont = sys_cont,
		.listen = sys_listen,
		.interrupt = sys_interrupt,
		.set_options = sys_set_options,
		.event_msg = sys_event_msg,
		.syscall_info = sys_syscall_info,
		.detach = sys_detach,
		.read_string = sys_read_string,
		.kill = sys_kill,
		.is_ours = sys_is_ours,
		.same_mm = sys_same_mm,
		.in_group = sys_in_group,
		.read_status = sys_read_status,
		.read_stat = sys_read_stat,
		.read_syscall = sys_read_syscall,
		.read_rollup = sys_read_rollup,
		.read_smaps = sys_read_smaps,
		.read_cmdline = sys_read_cmdline,
		.read_exe = sys_read_exe,
		.read_pidfd_pid = sys_read_pidfd_pid,
		.exec_file_missing = sys_exec_file_missing,
		.procfd = fd,
	};
	return 0;
}

void sysops_close(struct sysops *o)
{
	if (o->procfd >= 0)
		close(o->procfd);
	o->procfd = -1;
}
