/*
 * fault: an LD_PRELOAD library that makes maxrss-sc fail in the middle of a
 * run, to test its internal-error paths.  MAXRSS_FAULT chooses the fault:
 *
 *	enomem:N       from the Nth return of wait4() on, every malloc, calloc
 *	               and realloc fails, until wait4() says there is no child
 *	               left (so the report can still be written)
 *	cont-eio:N     the Nth ptrace(PTRACE_CONT) fails with EIO, undone
 *	wait4-einval:N the Nth wait4() fails with EINVAL
 *
 * Only the process that loads the library first (maxrss-sc) is faulty: the
 * constructor takes LD_PRELOAD and MAXRSS_FAULT out of the environment, so
 * the command runs without them.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);

enum fault { FAULT_NONE, FAULT_ENOMEM, FAULT_CONT_EIO, FAULT_WAIT4_EINVAL };

static enum fault fault;
static unsigned long fault_at;
static pid_t faulty_pid;
static unsigned long waits, conts;
static bool no_memory;

__attribute__((constructor)) static void fault_init(void)
{
	const char *spec = getenv("MAXRSS_FAULT");
	const char *colon;

	if (!spec)
		return;
	colon = strchr(spec, ':');
	if (colon) {
		fault_at = strtoul(colon + 1, NULL, 10);
		if (strncmp(spec, "enomem:", 7) == 0)
			fault = FAULT_ENOMEM;
		else if (strncmp(spec, "cont-eio:", 9) == 0)
			fault = FAULT_CONT_EIO;
		else if (strncmp(spec, "wait4-einval:", 13) == 0)
			fault = FAULT_WAIT4_EINVAL;
	}
	faulty_pid = getpid();
	unsetenv("MAXRSS_FAULT");
	unsetenv("LD_PRELOAD");
}

static bool active(void)
{
	return fault != FAULT_NONE && getpid() == faulty_pid;
}

void *malloc(size_t size)
{
	if (no_memory && active()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (no_memory && active()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	if (no_memory && active()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, size);
}

pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	static pid_t (*real)(pid_t, int *, int, struct rusage *);
	pid_t rc;

	if (!real)
		real = (pid_t(*)(pid_t, int *, int, struct rusage *))dlsym(RTLD_NEXT, "wait4");
	if (active() && fault == FAULT_WAIT4_EINVAL && ++waits == fault_at) {
		errno = EINVAL;
		return -1;
	}
	rc = real(pid, status, options, ru);
	if (active() && fault == FAULT_ENOMEM) {
		if (rc > 0 && ++waits >= fault_at)
			no_memory = true;
		if (rc < 0 && errno == ECHILD)
			no_memory = false;
	}
	return rc;
}

long ptrace(enum __ptrace_request request, ...)
{
	static long (*real)(enum __ptrace_request, ...);
	va_list ap;
	pid_t pid;
	void *addr, *data;

	va_start(ap, request);
	pid = va_arg(ap, pid_t);
	addr = va_arg(ap, void *);
	data = va_arg(ap, void *);
	va_end(ap);
	/*
	 * Called as what it is, variadic: on ppc64el a variadic function may
	 * store its arguments in a save area that only a variadic call makes.
	 */
	if (!real)
		real = (long (*)(enum __ptrace_request, ...))dlsym(RTLD_NEXT, "ptrace");
	if (active() && fault == FAULT_CONT_EIO && request == PTRACE_CONT && ++conts == fault_at) {
		errno = EIO;
		return -1;
	}
	return real(request, pid, addr, data);
}
