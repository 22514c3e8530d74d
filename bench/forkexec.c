/*
 * forkexec N [PROGRAM [MIB]]: fork and exec PROGRAM (default /bin/true) N
 * times (default 300), one after the other, waiting for each.  Process
 * creation bound: every child is a fork stop, an exec and an exit for a
 * tracer.  With MIB, the parent first touches MIB MiB of memory: each forked
 * child then starts as a copy of that much RSS (the case of a big build tool
 * or test runner spawning commands).
 */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long n = bench_count(BENCH_ARG(1), 300);
	const char *prog = argc > 2 ? argv[2] : "/bin/true";
	size_t big = argc > 3 ? bench_count(argv[3], 0) << 20 : 0;

	if (big) {
		volatile char *p = mmap(NULL, big, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			bench_die("mmap");
		for (size_t off = 0; off < big; off += 4096)
			p[off] = 1;
	}

	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid < 0)
			bench_die("fork");
		if (pid == 0) {
			execl(prog, prog, (char *)NULL);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid)
			bench_die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			errno = 0;
			bench_die("forkexec: %s failed (status %#x)", prog, st);
		}
	}
	return 0;
}
