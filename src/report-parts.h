/*
 * report-parts: what the report's own files (report.c, report-compare.c)
 * share: the block of a series of runs, its JSON body, the time and padding
 * rules of the tables.  Not for other writers.
 */
#ifndef MAXRSS_REPORT_PARTS_H
#define MAXRSS_REPORT_PARTS_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"
#include "runs.h"

/* s (our own text), then spaces up to width characters. */
void report_pad(FILE *f, const char *s, size_t width);

/* A time in the unit of the --runs rows: "812.3 ms", "1.234 s". */
void report_time(double seconds, char *buf, size_t len);

/*
 * The block of a series: its headline (label instead of "maxrss-sc:
 * COMMAND" when not NULL), the rows of peak RSS, tree peak PSS, wall time,
 * user and sys time, and with verbose one line per run.
 */
void report_runs_block(FILE *f, const struct runs *rs, const char *label, bool verbose);

/*
 * The members of a series in JSON, each line indented by in: "planned_runs",
 * "warmup_runs", "failed_runs", "runs" (each run's report), "summary"; no
 * comma or newline after the last.
 */
void report_json_runs_body(FILE *f, const struct runs *rs, const char *in);

/*
 * Which processes made the tree PSS peak, grouped by program, on one line
 * ("  at peak    4 \u00d7 python3 67.7 MiB PSS each; sh 0.6 MiB PSS"); nothing
 * for fewer than two.
 */
void report_at_peak_text(FILE *f, const struct proctable *pt);

/* The same as a JSON array of {pid, image, rss_bytes, pss_bytes}, largest PSS first. */
void report_at_peak_json(FILE *f, const struct proctable *pt);

/* Why time -v (ru_maxrss) says something else: a line and one line per reason (why.h). */
void report_why_text(FILE *f, const struct result *r);

/* The same as a JSON array of the reasons' names, or null without ru_maxrss. */
void report_why_json(FILE *f, const struct result *r);

/* Flush f: 0, or -EIO when something could not be written. */
int report_finish(FILE *f);

#endif
