/*
 * threads N: create and join N threads (default 2000), one after the other.
 * Thread churn: each thread is a clone and an exit for a tracer, with no
 * exec and no new memory image.
 */
#include <pthread.h>

#include "bench.h"

static void *idle(void *arg)
{
	return arg;
}

int main(int argc, char **argv)
{
	unsigned long n = bench_count(BENCH_ARG(1), 2000);

	for (unsigned long i = 0; i < n; i++) {
		pthread_t th;
		int rc = pthread_create(&th, NULL, idle, NULL);

		if (rc) {
			errno = rc;
			bench_die("pthread_create");
		}
		pthread_join(th, NULL);
	}
	return 0;
}
