/*
 * tree N [ALIVE]: create N child processes (default 1000) that each exit at
 * once.  With ALIVE (default 1), up to ALIVE children are kept alive at the
 * same time: they wait on a pipe until ALIVE of them exist, are released
 * together, and the next batch starts.  Sizes the tracer's own memory for a
 * big tree: every process and image it keeps, every task it tracks at once.
 */
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

int main(int argc, char **argv)
{
	unsigned long n = bench_count(BENCH_ARG(1), 1000);
	unsigned long alive = bench_count(BENCH_ARG(2), 1);

	for (unsigned long done = 0; done < n;) {
		unsigned long batch = n - done < alive ? n - done : alive;
		int gate[2];
		char c;

		if (pipe(gate))
			bench_die("pipe");
		for (unsigned long i = 0; i < batch; i++) {
			pid_t pid = fork();

			if (pid < 0)
				bench_die("fork");
			if (pid == 0) {
				close(gate[1]);
				/* Returns 0 (end of file) once the parent closes its end. */
				_exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
			}
		}
		close(gate[0]);
		close(gate[1]);
		for (unsigned long i = 0; i < batch; i++) {
			int st;

			if (wait(&st) < 0)
				bench_die("wait");
			if (!WIFEXITED(st) || WEXITSTATUS(st)) {
				errno = 0;
				bench_die("tree: a child failed (status %#x)", st);
			}
		}
		done += batch;
	}
	return 0;
}
