#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "filter.h"
#include "launch.h"

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
#define NO_SANITIZE __attribute__((no_sanitize("address", "undefined")))
#endif
#endif
#ifndef NO_SANITIZE
#define NO_SANITIZE
#endif

/* glibc's execvp default when PATH is unset (confstr _CS_PATH). */
#define DEFAULT_PATH "/bin:/usr/bin"

int launch_resolve(const char *name, const char *path_env, char **out)
{
	size_t nlen = strlen(name);
	const char *dir;
	bool denied = false;

	*out = NULL;
	if (nlen == 0)
		return -ENOENT;
	if (strchr(name, '/')) {
		*out = strdup(name);
		return *out ? 0 : -ENOMEM;
	}
	if (!path_env)
		path_env = DEFAULT_PATH;
	for (dir = path_env;; dir++) {
		const char *end = strchrnul(dir, ':');
		size_t dlen = (size_t)(end - dir);
		char *cand = malloc(dlen + nlen + 3);
		struct stat st;

		if (!cand)
			return -ENOMEM;
		/* An empty entry means the current directory, as for execvp. */
		if (dlen == 0)
			memcpy(cand, "./", 2);
		else {
			memcpy(cand, dir, dlen);
			cand[dlen] = '/';
		}
		memcpy(cand + (dlen ? dlen + 1 : 2), name, nlen + 1);
		/* errno only where stat failed: a directory of that name is no answer. */
		if (stat(cand, &st) != 0) {
			denied |= errno == EACCES;
		} else if (S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			denied = true;
		}
		free(cand);
		if (*end == '\0')
			break;
		dir = end;
	}
	return denied ? -EACCES : -ENOENT;
}

/*
 * The stub makes raw system calls: until its exec it shares the tracer's
 * memory, errno included (same thread pointer), so a libc wrapper that
 * failed would write the tracer's errno under it.  Returns -errno on failure.
 */
#if defined(__x86_64__)
#define LAUNCH_SHARED_VM 1
static inline __attribute__((always_inline)) NO_SANITIZE long
raw_call(long nr, long a1, long a2, long a3, long a4, long a5)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8)
			 : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define LAUNCH_SHARED_VM 1
static inline __attribute__((always_inline)) NO_SANITIZE long
raw_call(long nr, long a1, long a2, long a3, long a4, long a5)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a1;
	register long x1 __asm__("x1") = a2;
	register long x2 __asm__("x2") = a3;
	register long x3 __asm__("x3") = a4;
	register long x4 __asm__("x4") = a5;

	__asm__ volatile("svc 0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4)
			 : "memory");
	return x0;
}
#else
/* Elsewhere the stub is forked: its errno is its own. */
#define LAUNCH_SHARED_VM 0
static inline __attribute__((always_inline)) NO_SANITIZE long
raw_call(long nr, long a1, long a2, long a3, long a4, long a5)
{
	long r = syscall(nr, a1, a2, a3, a4, a5);

	return r < 0 ? -errno : r;
}
#endif

/* Every argument is passed, unused ones as 0: prctl checks that they are. */
#define CALL(nr, a1, a2, a3) raw_call((nr), (long)(a1), (long)(a2), (long)(a3), 0, 0)
#define CALL5(nr, a1, a2, a3, a4, a5)                                                      \
	raw_call((nr), (long)(a1), (long)(a2), (long)(a3), (long)(a4), (long)(a5))

/* The kernel's sigset_t: glibc's is larger, the kernel reads the first _NSIG - 1 bits. */
#define KERNEL_SIGSET_SIZE ((_NSIG - 1) / 8)

static void __attribute__((noreturn)) NO_SANITIZE stub_fail(const struct launch_args *a,
							     int stage, long err, int status)
{
	struct launch_error e = { stage, (int)-err };

	CALL(SYS_write, a->err_fd, &e, sizeof(e));
	for (;;)
		CALL(SYS_exit_group, status, 0, 0);
}

/* Load the exported filter: one seccomp(2), no library code. */
static long NO_SANITIZE stub_load_filter(const struct filter_prog *f)
{
	struct sock_fprog fprog = { .len = f->len, .filter = f->insns };
	long rc;

	if (f->set_nnp) {
		rc = CALL5(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		if (rc < 0)
			return rc;
	}
	/* No forced speculation mitigations on the measured program (Linux 4.17+). */
	rc = CALL(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &fprog);
	if (rc == -EINVAL)
		rc = CALL(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog);
	/* No seccomp(2) (before Linux 3.17, or valgrind): the prctl does the same. */
	if (rc == -ENOSYS)
		rc = CALL5(SYS_prctl, PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
	return rc;
}

/*
 * The stub: only raw calls, no stack-hungry code, nothing written to memory
 * the tracer uses.  Sanitizers stay out of it and of its helpers: they run on
 * a stack ASan does not know, and its per-thread state is the tracer's.
 */
static int __attribute__((noreturn)) NO_SANITIZE stub_main(void *arg)
{
	const struct launch_args *a = arg;
	char c;
	long rc;

	CALL5(SYS_rt_sigprocmask, SIG_SETMASK, &a->mask, 0, KERNEL_SIGSET_SIZE, 0);
	/* The tracer has seized us (or gave up) when this returns. */
	if (CALL(SYS_read, a->go_fd, &c, 1) != 1)
		for (;;)
			CALL(SYS_exit_group, 125, 0, 0);
	CALL(SYS_close, a->go_fd, 0, 0);
	/* Output hidden (a series): dup3 clears close-on-exec on the copies only. */
	if (a->out_fd >= 0 && (CALL(SYS_dup3, a->out_fd, 1, 0) < 0 ||
			       CALL(SYS_dup3, a->out_fd, 2, 0) < 0))
		for (;;)
			CALL(SYS_exit_group, 125, 0, 0);
	rc = stub_load_filter(a->filter);
	if (rc < 0)
		stub_fail(a, LAUNCH_SECCOMP, rc, 125);
	rc = CALL(SYS_execve, a->path, a->argv, a->envp);
	/* A script without "#!": execvp runs it with /bin/sh; so do we. */
	if (rc == -ENOEXEC && a->sh_argv &&
	    CALL(SYS_execve, "/bin/sh", a->sh_argv, a->envp) < 0)
		rc = -ENOEXEC;
	stub_fail(a, LAUNCH_EXEC, rc, rc == -ENOENT || rc == -ENOTDIR ? 127 : 126);
}

int launch_untraced(const char *line, bool hide)
{
	static const int sigs[] = { SIGINT, SIGQUIT };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old[2];
	char *const argv[] = { (char *)"sh", (char *)"-c", (char *)line, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t dfl;
	int rc, st = 0;
	pid_t pid;

	sigemptyset(&dfl);
	for (int i = 0; i < 2; i++) {
		sigaction(sigs[i], &ign, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaddset(&dfl, sigs[i]);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* Its dispositions are ours as they were before we ignored them. */
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
	if (hide) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}
	fflush(NULL);
	rc = -posix_spawn(&pid, "/bin/sh", &fa, &attr, argv, environ);
	while (rc == 0 && waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			rc = -errno;
			break;
		}
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	for (int i = 0; i < 2; i++)
		sigaction(sigs[i], &old[i], NULL);
	return rc ? rc : st;
}

char **launch_sh_argv(const char *path, char *const *argv)
{
	size_t argc = 0;
	char **sh;

	while (argv[argc])
		argc++;
	sh = calloc(argc + 2, sizeof(*sh));
	if (!sh)
		return NULL;
	sh[0] = (char *)"sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i <= argc; i++)
		sh[i + 1] = argv[i];
	return sh;
}

pid_t launch_start(const struct launch_args *a)
{
	pid_t pid;

#if LAUNCH_SHARED_VM
	/*
	 * Its own stack, in the shared memory: the stub only ever needs a
	 * few hundred bytes of it.  One stub at a time (runs are sequential).
	 */
	static char stack[16384] __attribute__((aligned(64)));

	/* valgrind gives up on CLONE_VM without CLONE_THREAD: fork there. */
	if (!RUNNING_ON_VALGRIND) {
		pid = clone(stub_main, stack + sizeof(stack), CLONE_VM | SIGCHLD, (void *)a);
		return pid >= 0 ? pid : -errno;
	}
#endif
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		stub_main((void *)a);
	return pid;
}
