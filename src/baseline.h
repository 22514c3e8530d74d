/*
 * baseline: the figures of an earlier run, read from its JSON report
 * (--baseline), and how a command's figures changed since.  A report of
 * one run, of --runs or of --compare: each command it holds, by its command
 * line, with the statistics of its peak RSS and tree peak PSS.
 */
#ifndef MAXRSS_BASELINE_H
#define MAXRSS_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "compare.h"
#include "stats.h"

/* The figures of the baseline that a change is told for. */
enum baseline_figure { BASE_PEAK, BASE_PSS, BASE_COUNT };

struct baseline_entry {
	char *label; /* the command line, as a report of this tool names it */
	bool has[BASE_COUNT];
	struct stats stats[BASE_COUNT];
};

struct baseline {
	const char *path;
	struct baseline_entry *v;
	size_t n;
};

/* How a command's figures changed since the baseline. */
struct baseline_change {
	const struct baseline_entry *entry; /* NULL: the command is not in the baseline */
	struct relation rel[BASE_COUNT];    /* now against then */
	bool exceeded; /* peak RSS grew by more than --max-increase, beyond the noise */
};

/*
 * Read path, a JSON report of maxrss-sc (schema "maxrss-sc/1").  0; or
 * -EINVAL with a one-line message naming the file and what is wrong (not
 * JSON, another schema, no command), -errno when it cannot be read.
 */
int baseline_load(struct baseline *b, const char *path, char *err, size_t errlen);

void baseline_free(struct baseline *b);

/* The entry for the command labelled label, or NULL. */
const struct baseline_entry *baseline_find(const struct baseline *b, const char *label);

/*
 * What changed for command x of a comparison against b; with has_max, a
 * peak that grew by more than max_increase percent beyond the noise is
 * exceeded.
 */
struct baseline_change baseline_change(const struct baseline *b, const struct compared *x,
				       bool has_max, double max_increase);

#endif
