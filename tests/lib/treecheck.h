/*
 * treecheck: compare the log of a random tree (tests/workloads/randtree.c)
 * with maxrss-sc's JSON report of the same run: every image present with
 * the right end and status, every peak within the tolerances of its own
 * readings, the tree PSS at least the largest concurrent sum the log
 * proves, the command's status passed through, the tracer's memory bounded.
 */
#ifndef MAXRSS_TEST_TREECHECK_H
#define MAXRSS_TEST_TREECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "json.h"

/* The tolerances (tests/e2e/e2e.h explains each) and what the run was. */
struct treecheck_opts {
	bool exact;		   /* the tool ran with --exact */
	bool sanitized;		   /* a sanitizer build: the tracer's memory is not bounded */
	uint64_t exact_below;	   /* E2E_EXACT_BELOW */
	uint64_t after_truth;	   /* E2E_AFTER_TRUTH */
	uint64_t counter_bound;	   /* e2e_counter_bound() with per-CPU counters (Linux 6.2) */
	uint64_t counter_per_task; /* before 6.2: per task of an image (65 faults) */
	uint64_t per_thread;	   /* RSS a live thread may add that no reading saw */
	uint64_t tracer_base;	   /* the tracer's own memory: base + per_image each */
	uint64_t tracer_per_image;
};

/* What a check found and measured. */
struct treecheck_result {
	unsigned failures;
	char *messages; /* one line per failure (malloc'd, or NULL) */
	size_t msg_len;
	size_t processes, images; /* in the log */
	size_t holds, proofs;	  /* sampled holds, ends they cover */
	uint64_t proven_pss;	  /* the largest concurrent sum the log proves */
	uint64_t tree_pss;	  /* the report's tree.peak_pss_bytes */
	bool pid_reused;	  /* a pid came twice: the identity checks were skipped */
};

/* The defaults of e2e.h for this machine. */
void treecheck_default_opts(struct treecheck_opts *o);

/*
 * Check the report (parsed) and the tool's exit status against the log
 * text.  Returns the number of failures (also in res->failures).
 */
unsigned treecheck(const char *log, size_t log_len, const struct json *report, int tool_status,
		   const struct treecheck_opts *o, struct treecheck_result *res);

/*
 * Processes of the log still alive (the same pid with the same start
 * time): after maxrss-sc has ended there must be none.  Their pids go to
 * left (at most max); returns how many there are.
 */
size_t treecheck_leftovers(const char *log, size_t log_len, pid_t *left, size_t max);

/* Free what a result holds. */
void treecheck_result_free(struct treecheck_result *res);

#endif
