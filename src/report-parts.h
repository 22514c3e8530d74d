/*
 * report-parts: what the report's own files (report.c, report-compare.c)
 * share: the block of a series of runs, its JSON body, the time and padding
 * rules of the tables.  Not for other writers.
 */
#ifndef MAXRSS_REPORT_PARTS_H
#define MAXRSS_REPORT_PARTS_H

#include <stdbool.h>
#include <stdio.h>

#include "options.h"
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
 * "warmup_runs", "failed_runs", "runs" (each run's report), "summary",
 * "limits"; no comma or newline after the last.
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

/*
 * Which tree peaks are estimates (proctable_record_hwm), and how each was
 * made, one line each ("  estimated  tree RSS and PSS: ..."); nothing when
 * both are sums of samples.
 */
void report_estimate_text(FILE *f, const struct result *r);

/*
 * The same as members of "tree", each line after a ", ": "peak_rss_from",
 * "peak_pss_from", "sampled_peak_rss_bytes", "sampled_peak_pss_bytes",
 * "rss_estimate", "pss_estimate".
 */
void report_estimate_json(FILE *f, const struct proctable *pt);

/* Why time -v (ru_maxrss) says something else: a line and one line per reason (why.h). */
void report_why_text(FILE *f, const struct result *r);

/* The same as a JSON array of the reasons' names, or null without ru_maxrss. */
void report_why_json(FILE *f, const struct result *r);

/* smaps_group_label() on one terminal line (control bytes as '?', cut to fit buf). */
void report_group_name(const struct smaps_group *g, bool short_path, char *buf, size_t len);

/* Is img's make-up (-b) that of its peak, and not of a smaller sample? */
bool report_breakdown_is_peak(const struct image *img);

/*
 * -b: what img's peak was made of, each line starting with indent: which
 * sample it is (the peak, a sample close to it, or the largest exact one
 * when the peak was seen only by the counter), the largest groups, the
 * rest, and the page tables.  Nothing without a make-up.
 */
void report_breakdown_text(FILE *f, const struct image *img, const char *indent);

/* The same as a JSON object, or null. */
void report_breakdown_json(FILE *f, const struct image *img);

/* The same on one line, for -v's table: the three largest groups and the rest. */
void report_breakdown_line(FILE *f, const struct image *img, const char *indent);

struct cmdfit;
struct report_view;

/*
 * Is copy, a forked copy of its parent's program, shown in the row of
 * next, the program it exec'd?  When it did nothing of its own (the rule
 * is in report-tree.c and the man page, -v).
 */
bool report_copy_folds(const struct image *copy, const struct image *next, uint64_t counter_err);

/* The -v process table of run r, shown as v says, command lines fitted with fit. */
void report_tree_text(FILE *f, const struct result *r, const struct report_view *v,
		      const struct cmdfit *fit);

/* Flush f: 0, or -EIO when something could not be written. */
int report_finish(FILE *f);

#endif
