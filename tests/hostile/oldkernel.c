/*
 * oldkernel: an LD_PRELOAD library that makes maxrss-sc see a kernel
 * without one feature, as an old kernel (or one built without it) answers
 * its start-up probe.  MAXRSS_OLD_KERNEL names the feature:
 *
 *	seccomp           prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER): EINVAL
 *	subreaper         prctl(PR_GET_CHILD_SUBREAPER): EINVAL
 *	process_vm_readv  process_vm_readv(): ENOSYS
 *	kcmp              syscall(SYS_kcmp): ENOSYS
 *	smaps_rollup      faccessat(".../smaps_rollup"): ENOENT
 *	seize             ptrace(PTRACE_SEIZE): EIO (an option it does not know)
 *	syscall_info      ptrace(PTRACE_GET_SYSCALL_INFO): EIO (an unknown request)
 *
 * Anything else (or nothing): every call goes through.  As with fault.c,
 * only the process that loads the library first is affected: the
 * constructor takes LD_PRELOAD and MAXRSS_OLD_KERNEL out of the environment.
 */
#include <dlfcn.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static char missing[32];
static pid_t old_pid;

__attribute__((constructor)) static void oldkernel_init(void)
{
	const char *f = getenv("MAXRSS_OLD_KERNEL");

	if (!f)
		return;
	strncpy(missing, f, sizeof(missing) - 1);
	old_pid = getpid();
	unsetenv("MAXRSS_OLD_KERNEL");
	unsetenv("LD_PRELOAD");
}

static bool lacks(const char *feature)
{
	return old_pid && getpid() == old_pid && strcmp(missing, feature) == 0;
}

static long refuse(int err)
{
	errno = err;
	return -1;
}

/*
 * The next definition of name.  Variadic ones are called as variadic: on
 * ppc64el such a function may store its arguments in a save area that only
 * a variadic call makes.
 */
#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

int prctl(int option, ...)
{
	unsigned long a[4];
	va_list ap;

	va_start(ap, option);
	for (int i = 0; i < 4; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);
	if ((option == PR_SET_SECCOMP && a[0] == SECCOMP_MODE_FILTER && lacks("seccomp")) ||
	    (option == PR_GET_CHILD_SUBREAPER && lacks("subreaper")))
		return (int)refuse(EINVAL);
	return REAL("prctl", int (*)(int, ...))(option, a[0], a[1], a[2], a[3]);
}

ssize_t process_vm_readv(pid_t pid, const struct iovec *local, unsigned long nlocal,
			 const struct iovec *remote, unsigned long nremote, unsigned long flags)
{
	if (lacks("process_vm_readv"))
		return refuse(ENOSYS);
	return REAL("process_vm_readv",
		    ssize_t(*)(pid_t, const struct iovec *, unsigned long, const struct iovec *,
			       unsigned long, unsigned long))(pid, local, nlocal, remote, nremote,
							      flags);
}

long syscall(long nr, ...)
{
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_kcmp && lacks("kcmp"))
		return refuse(ENOSYS);
	return REAL("syscall", long (*)(long, ...))(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	size_t n = strlen(path), k = strlen("/smaps_rollup");

	if (n >= k && strcmp(path + n - k, "/smaps_rollup") == 0 && lacks("smaps_rollup"))
		return (int)refuse(ENOENT);
	return REAL("faccessat", int (*)(int, const char *, int, int))(dirfd, path, mode, flags);
}

long ptrace(enum __ptrace_request request, ...)
{
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, request);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	if ((request == PTRACE_SEIZE && lacks("seize")) ||
	    ((int)request == PTRACE_GET_SYSCALL_INFO && lacks("syscall_info")))
		return refuse(EIO);
	return REAL("ptrace", long (*)(enum __ptrace_request, ...))(request, pid, addr, data);
}
