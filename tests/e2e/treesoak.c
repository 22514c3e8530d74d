/*
 * treesoak: run random trees (tests/workloads/randtree) under maxrss-sc,
 * seed after seed, and check each report against the tree's own log
 * (tests/lib/treecheck.c).  `make soak` runs it; a failing seed is printed
 * with the command that replays it.
 *
 *	treesoak [--seed=N] [--count=N] [--seconds=S] [--jobs=J] [--limit=S]
 *	         [--keep] [--verbose] [--opt=WORD]...
 *
 * Seeds are N, N+1, ... (N from the clock by default), shared out among J
 * workers (default: the CPUs).  It stops after --count seeds, or once
 * --seconds have passed (the seeds begun then are finished), whichever
 * comes first.  Each --opt=WORD is one more word of the tool's options for
 * every seed, after those the seed picks (--opt=-b: the peak's make-up).
 * The environment of make check names the tool and the
 * workloads: MAXRSS_SC, WORKLOADS, MAXRSS_SANITIZERS.  Exit status 1 if any
 * seed failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../lib/treerun.h"

struct totals {
	unsigned long seeds, failed, images, processes, proofs, hangs;
	/*
	 * The next seed to run, as an offset from the first: a word, whose
	 * atomics every host has without libatomic (mipsel has none of 8 bytes).
	 */
	unsigned long next;
};

static void usage(void)
{
	fprintf(stderr, "usage: treesoak [--seed=N] [--count=N] [--seconds=S] [--jobs=J] "
			"[--limit=S] [--keep] [--verbose] [--opt=WORD]...\n");
	exit(2);
}

static unsigned long long number(const char *arg, const char *name)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end) {
		fprintf(stderr, "treesoak: bad %s '%s'\n", name, arg);
		exit(2);
	}
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long long seed0 = (unsigned long long)time(NULL) * 1000ull, count = 0, secs = 0;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	bool verbose = false;
	struct treerun_opts o = { .limit_s = 60 };
	const char *extra[TREERUN_MAX_EXTRA + 1] = { NULL };
	size_t nextra = 0;
	char opt_args[512] = "", make_opts[512] = "";
	const char *wl = getenv("WORKLOADS"), *tmp = getenv("TMPDIR"), *san;
	char randtree[4096];
	struct totals *t;
	double start = now_s(), deadline;

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--seed=", 7) == 0)
			seed0 = number(argv[i] + 7, "seed");
		else if (strncmp(argv[i], "--count=", 8) == 0)
			count = number(argv[i] + 8, "count");
		else if (strncmp(argv[i], "--seconds=", 10) == 0)
			secs = number(argv[i] + 10, "seconds");
		else if (strncmp(argv[i], "--jobs=", 7) == 0)
			jobs = (long)number(argv[i] + 7, "jobs");
		else if (strncmp(argv[i], "--limit=", 8) == 0)
			o.limit_s = (unsigned)number(argv[i] + 8, "limit");
		else if (strcmp(argv[i], "--keep") == 0)
			o.keep = true;
		else if (strcmp(argv[i], "--verbose") == 0)
			verbose = true;
		else if (strncmp(argv[i], "--opt=", 6) == 0 && argv[i][6] &&
			 nextra < TREERUN_MAX_EXTRA)
			extra[nextra++] = argv[i] + 6;
		else
			usage();
	}
	if (!count && !secs)
		count = 100;
	if (jobs < 1)
		jobs = 1;
	o.extra = extra;
	o.tool = getenv("MAXRSS_SC");
	if (!o.tool || !wl) {
		fprintf(stderr, "treesoak: set MAXRSS_SC and WORKLOADS (make soak does)\n");
		return 2;
	}
	snprintf(randtree, sizeof(randtree), "%s/randtree", wl);
	o.randtree = randtree;
	o.tmpdir = tmp && *tmp ? tmp : "/tmp";
	san = getenv("MAXRSS_SANITIZERS");
	o.sanitized = san && *san;
	deadline = secs ? start + (double)secs : 0;

	/* Shared by the workers: the next seed to run, and the totals. */
	t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t == MAP_FAILED) {
		perror("treesoak: mmap");
		return 2;
	}
	memset(t, 0, sizeof(*t));
	/* For the replay of a failing seed: " --opt=-b" and " SOAK_OPTS='-b'". */
	for (size_t i = 0; i < nextra; i++) {
		snprintf(opt_args + strlen(opt_args), sizeof(opt_args) - strlen(opt_args),
			 " --opt=%s", extra[i]);
		snprintf(make_opts + strlen(make_opts), sizeof(make_opts) - strlen(make_opts),
			 "%s%s", i ? " " : " SOAK_OPTS='", extra[i]);
	}
	if (nextra)
		snprintf(make_opts + strlen(make_opts), sizeof(make_opts) - strlen(make_opts), "'");
	printf("treesoak: %s on %s, seeds from %llu, %s%llu%s, %ld jobs, limit %u s%s%s%s\n",
	       o.tool, randtree, seed0, count ? "" : "for ", count ? count : secs,
	       count ? " seeds" : " s", jobs, o.limit_s, o.sanitized ? " (sanitizers)" : "",
	       nextra ? ", every seed with" : "", opt_args);
	fflush(stdout);
	for (long w = 0; w < jobs; w++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("treesoak: fork");
			break;
		}
		if (pid)
			continue;
		for (;;) {
			unsigned long long i = __atomic_fetch_add(&t->next, 1, __ATOMIC_SEQ_CST),
					   seed;
			struct treerun_result r;

			if ((count && i >= count) || (deadline && now_s() >= deadline))
				_exit(0);
			seed = seed0 + i;
			treerun_seed(&o, seed, &r);
			__atomic_add_fetch(&t->seeds, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&t->images, r.check.images, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&t->processes, r.check.processes, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(&t->proofs, r.check.proofs, __ATOMIC_SEQ_CST);
			if (r.status < 0)
				__atomic_add_fetch(&t->hangs, 1, __ATOMIC_SEQ_CST);
			if (r.check.failures) {
				__atomic_add_fetch(&t->failed, 1, __ATOMIC_SEQ_CST);
				printf("FAIL seed %llu (options: %s; status %d, %.2f s)%s%s\n%s"
				       "  replay: treesoak --seed=%llu --count=1 --keep%s "
				       "(make soak SOAK_SEED=%llu SOAK_COUNT=1%s)\n",
				       seed, r.options[0] ? r.options : "none", r.status, r.seconds,
				       r.kept[0] ? "; kept in " : "", r.kept, r.check.messages,
				       seed, opt_args, seed, make_opts);
			} else if (verbose) {
				printf("ok seed %llu (%s) %.2f s, %zu processes, %zu images, "
				       "%zu proofs, proven %llu <= tree PSS %llu\n",
				       seed, r.options, r.seconds, r.check.processes,
				       r.check.images, r.check.proofs,
				       (unsigned long long)r.check.proven_pss,
				       (unsigned long long)r.check.tree_pss);
			}
			fflush(stdout);
			treerun_result_free(&r);
		}
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	printf("treesoak: %lu seeds in %.0f s, %lu failed (%lu hangs); %lu processes, %lu "
	       "images, %lu concurrent sums proven\n",
	       t->seeds, now_s() - start, t->failed, t->hangs, t->processes, t->images, t->proofs);
	return t->failed ? 1 : 0;
}
