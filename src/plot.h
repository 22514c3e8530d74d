/*
 * plot: a self-contained SVG chart of one run's memory over time (--plot):
 * the tree's PSS and RSS sums, the largest images as their own series, the
 * peaks marked.  Pure: it writes to a FILE what the timeline and the
 * proctable hold.
 */
#ifndef MAXRSS_PLOT_H
#define MAXRSS_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "proctable.h"
#include "timeline.h"
#include "tracer.h"

/* Images drawn as their own series, the largest first. */
#define PLOT_MAX_PROCESSES 5

/* The size of the chart, in SVG user units (CSS pixels). */
#define PLOT_WIDTH 1000
#define PLOT_HEIGHT 640

struct plot_input {
	const struct timeline *tl;  /* the samples of the run */
	const struct proctable *pt; /* its images (start, end, peak, argv) */
	const struct tracer_result *res;
	char *const *command; /* the title */
	bool has_limit;	      /* --fail-above was given: draw it when in range */
	uint64_t limit;
	const char *note; /* appended to the subtitle, or NULL */
};

/*
 * Write the chart.  Its elements carry ids for tests and styling:
 * "plot-area" (the rect of the axes), "tree-pss", "tree-rss" and
 * "process-1".. (polylines, step functions of the samples), "peak" (a
 * circle on the highest tree PSS point), "peak-rss" (a line at the
 * headline peak RSS), "fail-above" (a line at the limit).  0, -ENOMEM or
 * -EIO.
 */
int plot_write_svg(FILE *f, const struct plot_input *in);

#endif
