/*
 * summary: check the "summary" of a --runs JSON report against what the test
 * computes itself from the per-run values in "runs" (Criterion assertions).
 */
#ifndef MAXRSS_TEST_SUMMARY_H
#define MAXRSS_TEST_SUMMARY_H

#include "json.h"

/*
 * summary.METRIC.{mean,min,max,median,stddev} of root against the values
 * runs.N.RUN_KEY, each within tol (sizes: 0.5 byte; times: the microsecond
 * they are written with).  At most 64 runs.
 */
void summary_check(const struct json *root, const char *metric, const char *run_key, double tol);

#endif
