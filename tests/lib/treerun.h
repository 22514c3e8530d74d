/*
 * treerun: one seed of the random-tree test: maxrss-sc on randtree under a
 * time limit, with the tool options the seed picks, then the checks of
 * treecheck.h and a look for processes left behind.  Shared by the
 * Criterion test (e2e-randtree) and the soak driver (treerun).
 */
#ifndef MAXRSS_TEST_TREERUN_H
#define MAXRSS_TEST_TREERUN_H

#include <stdbool.h>
#include <stdint.h>

#include "treecheck.h"

struct treerun_opts {
	const char *tool;     /* maxrss-sc */
	const char *randtree; /* the workload */
	const char *tmpdir;   /* for the log and the report */
	unsigned limit_s;     /* a run that takes longer is a hang */
	bool sanitized;	      /* the tool is a sanitizer build */
	bool keep;	      /* keep the log and report of a failing seed */
	/* Tool options for every seed, after the seed's own (make soak SOAK_OPTS='-b'). */
	const char *const *extra; /* NULL-terminated, at most TREERUN_MAX_EXTRA; or NULL */
};

#define TREERUN_MAX_EXTRA 8

struct treerun_result {
	int status; /* maxrss-sc's exit status (-1: killed at the limit) */
	double seconds;
	char options[128];	       /* the tool's options for this seed, as one string */
	struct treecheck_result check; /* failures and messages, also of the run itself */
	char kept[512];		       /* "LOG REPORT" when kept */
};

/*
 * The tool options seed picks (at most 4 words into argv, NULL-terminated):
 * the sampling interval (0, 5, 20 or the default 50 ms), one seed in five
 * --exact, and one in four -b (the peak's make-up, read from smaps).
 */
void treerun_options(uint64_t seed, const char **argv);

/* Run and check one seed; returns the number of failures. */
unsigned treerun_seed(const struct treerun_opts *o, uint64_t seed, struct treerun_result *r);

void treerun_result_free(struct treerun_result *r);

#endif
