/*
 * report: the text and JSON reports of one run and of a series of runs
 * (doc/maxrss-sc.1, OUTPUT).  They only read the result and runs models.
 */
#ifndef MAXRSS_REPORT_H
#define MAXRSS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "baseline.h"
#include "compare.h"
#include "options.h"
#include "result.h"
#include "runs.h"
#include "subjects.h"

/* A row of the text report when the width of its stream is not known (not a terminal). */
#define REPORT_COLUMNS 100

/* How the text report of one run is shown. */
struct report_view {
	bool verbose;		/* -v: why time -v differs, and the process table */
	enum options_sort sort; /* the table's order: SORT_START (the tree) or the largest first */
	size_t top;		/* rows of the table: the largest so many; 0 = all */
	size_t columns;		/* the width of a row, in characters */
};

/*
 * The short text block of one run (and with v->verbose, the process
 * table, doc/maxrss-sc.1).  0 or -EIO.
 */
int report_write_text(FILE *f, const struct result *r, const struct report_view *v);

/*
 * The JSON report of one run, one line per image; status is maxrss-sc's
 * exit status ("status").  0 or -EIO.
 */
int report_write_json(FILE *f, const struct result *r, int status);

/*
 * The JSON report of a single run, rs's only one, with the --fail-above
 * limits judged over it (rs->checks: "limits", see report_write_runs_json).
 * 0 or -EIO.
 */
int report_write_run_json(FILE *f, const struct runs *rs, int status);

/*
 * The --runs text report: for the peak RSS, the tree peak PSS and the wall
 * time, "mean ± σ" and "min … max" over the runs, and how many failed;
 * verbose adds one line per run.  0 or -EIO.
 */
int report_write_runs_text(FILE *f, const struct runs *rs, bool verbose);

/*
 * The --runs JSON report: {"schema", "command", "status", "planned_runs",
 * "warmup_runs", "failed_runs", "runs": [the JSON report of each run, null
 * for a run whose result was not kept], "summary": {metric: {"min",
 * "median", "mean", "stddev", "max"}}, "limits": [{"figure", "limit_bytes",
 * "value_bytes", "exceeded", "run", "pid", "image"}: each --fail-above
 * limit, the largest value of its figure over the runs, and of which run
 * and image]}.  status is maxrss-sc's exit status.  0 or -EIO.
 */
int report_write_runs_json(FILE *f, const struct runs *rs, int status);

/* What a comparison report is made of. */
struct compare_report {
	const struct comparison *c;
	const struct subjects *s;
	const struct baseline_change *base; /* one per command, or NULL without --baseline */
	const char *base_path;
	bool has_max;	     /* --max-increase */
	double max_increase; /* percent */
	enum options_sort sort;
	unsigned long planned_runs, warmup_runs;
};

/*
 * The comparison in text: one block per command (as --runs), in the order
 * of --sort, then how many times more than the least each needed (ratio,
 * uncertainty, beyond the noise or not and what decided it), the fits of
 * a parameter scan, the changes since --baseline.  0 or -EIO.
 */
int report_write_compare_text(FILE *f, const struct compare_report *cr, bool verbose);

/* The same as one JSON object ("commands": one per command, in the order given). */
int report_write_compare_json(FILE *f, const struct compare_report *cr, int status);

#endif
