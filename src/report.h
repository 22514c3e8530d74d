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

/*
 * Write s (len bytes, any bytes) as a JSON string with quotes: escapes quotes,
 * backslashes and control characters, replaces invalid UTF-8 with U+FFFD.
 */
void report_json_string(FILE *f, const char *s, size_t len);

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when the
 * byte at s does not start one (overlong forms, surrogates and code points
 * above U+10FFFF are invalid).
 */
size_t report_utf8_len(const char *s, size_t n);

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
