/*
 * syscalls N: make N getppid() system calls (default 3000000).  A program
 * bound by system calls: under a seccomp filter each call takes the kernel's
 * slow path; under a tracer that stops at every call, each one is a stop.
 */
#include <sys/syscall.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long n = bench_count(BENCH_ARG(1), 3000000);

	/* syscall(2), not getppid(): no libc may ever cache the answer. */
	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
