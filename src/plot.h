/*
 * plot: a self-contained SVG chart of one run's memory over time (--plot):
 * the tree's PSS and RSS sums, the largest images as their own series, the
 * peaks marked.  Pure: it writes to a FILE what the run's result holds.
 */
#ifndef MAXRSS_PLOT_H
#define MAXRSS_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "result.h"

/* Images drawn as their own series, the largest first. */
#define PLOT_MAX_PROCESSES 5

/* The size of the chart, in SVG user units (CSS pixels). */
#define PLOT_WIDTH 1000
#define PLOT_HEIGHT 640

struct plot_input {
	const struct result *run; /* its samples (run->tl), images, command (the title) */
	bool has_limit;		  /* --fail-above was given: draw it when in range */
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
