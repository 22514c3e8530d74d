/*
 * rollup-cost [MIB]...: the cost of one read of another process's
 * /proc/PID/smaps_rollup and /proc/PID/status, for a process holding MIB
 * MiB of touched anonymous memory (default 1 16 128 512 1024 2048).  This is
 * what one sample costs maxrss-sc.  Prints a markdown table; times are the
 * median of several reads, in microseconds.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define READS 15

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median time of READS full reads of /proc/PID/NAME, in ns. */
static uint64_t time_reads(pid_t pid, const char *name)
{
	static char buf[16384];
	uint64_t t[READS];
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	for (int i = 0; i < READS; i++) {
		uint64_t t0 = now_ns();
		int fd = open(path, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			bench_die("open %s", path);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		t[i] = now_ns() - t0;
	}
	qsort(t, READS, sizeof(t[0]), cmp_u64);
	return t[READS / 2];
}

/* A child that touches mib MiB, then waits for its pipe to close. */
static pid_t holder(size_t mib, int *release)
{
	int ready[2], gate[2];
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(gate))
		bench_die("pipe");
	pid = fork();
	if (pid < 0)
		bench_die("fork");
	if (pid == 0) {
		size_t len = mib << 20;
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		close(ready[0]);
		close(gate[1]);
		if (p == MAP_FAILED)
			_exit(1);
		for (size_t off = 0; off < len; off += 4096)
			p[off] = 1;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		_exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
	}
	close(ready[1]);
	close(gate[0]);
	if (read(ready[0], &c, 1) != 1)
		bench_die("holder of %zu MiB did not start", mib);
	close(ready[0]);
	*release = gate[1];
	return pid;
}

int main(int argc, char **argv)
{
	static const char *const defaults[] = { "1", "16", "128", "512", "1024", "2048" };
	const char *const *sizes = argc > 1 ? (const char *const *)argv + 1 : defaults;
	int nsizes = argc > 1 ? argc - 1 : (int)(sizeof(defaults) / sizeof(defaults[0]));

	printf("| RSS of the read process | smaps_rollup | µs per MiB | status |\n");
	printf("|---:|---:|---:|---:|\n");
	for (int i = 0; i < nsizes; i++) {
		size_t mib = bench_count(sizes[i], 1);
		uint64_t rollup, status;
		int release, st;
		pid_t pid = holder(mib, &release);

		rollup = time_reads(pid, "smaps_rollup");
		status = time_reads(pid, "status");
		close(release);
		if (waitpid(pid, &st, 0) != pid)
			bench_die("waitpid");
		printf("| %zu MiB | %.0f µs | %.1f | %.0f µs |\n", mib, rollup / 1e3,
		       rollup / 1e3 / (double)mib, status / 1e3);
		fflush(stdout);
	}
	return 0;
}
