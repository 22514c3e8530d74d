/*
 * stops KIND N: make N calls of one system call that the maxrss-sc filter
 * traps but that fails at once, so a run costs N tracer stops and almost
 * nothing else.  Natively the calls cost well under a microsecond each.
 *
 *   clone   clone(CLONE_PARENT | CLONE_SIGHAND) without CLONE_VM: EINVAL.
 *           One seccomp stop (the filter traps CLONE_PARENT); maxrss-sc
 *           reads the clone flags there.
 *   execve  execve("/nonexistent/...") : ENOENT.  One seccomp stop;
 *           maxrss-sc samples the image there (a PATH search miss).
 */
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long n = bench_count(BENCH_ARG(2), 10000);
	static char arg0[] = "x";
	char *const args[] = { arg0, NULL };
	int clone_kind;

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "clone"))
		clone_kind = 1;
	else if (!strcmp(argv[1], "execve"))
		clone_kind = 0;
	else
		goto usage;
	for (unsigned long i = 0; i < n; i++) {
		long rc;

		if (clone_kind)
			rc = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | CLONE_SIGHAND), 0L,
				     0L, 0L, 0L);
		else
			rc = syscall(SYS_execve, "/nonexistent/x", args, args + 1);
		if (rc != -1 || errno != (clone_kind ? EINVAL : ENOENT))
			bench_die("stops: %s did not fail as expected (%ld)", argv[1], rc);
	}
	return 0;
usage:
	fputs("usage: stops clone|execve [N]\n", stderr);
	return 2;
}
