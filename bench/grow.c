/*
 * grow MIB [STEP [HOLD_MS]]: grow to MIB MiB of touched anonymous memory
 * (default 2048) in steps of STEP MiB (default 64), hold it HOLD_MS
 * milliseconds (default 0), then exit.  Sampling bound: each smaps_rollup
 * read walks every resident page, so a tracer that samples a big process
 * pays for its size; the hold shows what watching a steady one costs.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	size_t total = bench_count(BENCH_ARG(1), 2048) << 20;
	size_t step = bench_count(BENCH_ARG(2), 64) << 20;
	unsigned long hold_ms = bench_count(BENCH_ARG(3), 0);
	long page = sysconf(_SC_PAGESIZE);

	for (size_t done = 0; done < total; done += step) {
		size_t len = step < total - done ? step : total - done;
		volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			bench_die("mmap %zu MiB", len >> 20);
		/* One write per page: the compiler may not drop a volatile store. */
		for (size_t off = 0; off < len; off += (size_t)page)
			p[off] = 1;
	}
	if (hold_ms) {
		struct timespec ts = { (time_t)(hold_ms / 1000),
				       (long)(hold_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) != 0)
			;
	}
	return 0;
}
