/* report: the text and JSON reports of interface.md. */
#ifndef MAXRSS_REPORT_H
#define MAXRSS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "proctable.h"
#include "tracer.h"

/* The short text block (and with verbose, the process tree).  0 or -EIO. */
int report_write_text(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command, bool verbose);

/* The JSON object of interface.md, one line per process.  0 or -EIO. */
int report_write_json(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command);

/* Is the image's peak RSS known (sampled, or read from VmHWM or VmRSS)? */
bool report_image_has_peak(const struct image *img);

struct runs;

/*
 * The --runs text report: for the peak RSS, the tree peak PSS and the wall
 * time, "mean ± σ" and "min … max" over the runs, and how many failed;
 * verbose adds one line per run.  planned is the --runs value (more than
 * rs->n when the series was cut short).  0 or -EIO.
 */
int report_write_runs_text(FILE *f, const struct runs *rs, char *const *command, size_t planned,
			   unsigned long warmup, bool verbose);

/*
 * The --runs JSON object: {"schema", "command", "status", ..., "runs": [the
 * JSON report of each run], "summary": {metric: {"min", "median", "mean",
 * "stddev", "max"}}}.  status is maxrss-sc's own exit status.  0 or -EIO.
 */
int report_write_runs_json(FILE *f, const struct runs *rs, char *const *command, int status,
			   size_t planned, unsigned long warmup);

#endif
