/*
 * chart: a comparison as a self-contained SVG (--plot when comparing):
 * for a parameter scan, the peak RSS against the parameter on log-log axes
 * with the fitted curve of each group; then every command's mean peak RSS
 * and tree peak PSS as bars with min … max whiskers, in the report's order.
 * A writer: it only reads the comparison.
 */
#ifndef MAXRSS_CHART_H
#define MAXRSS_CHART_H

#include <stdio.h>

#include "report.h"

/* The width of the chart in SVG user units (CSS pixels); its height grows with the commands. */
#define CHART_WIDTH 1000

/*
 * Write the chart of cr.  Its elements carry ids for tests and styling.
 * The bars: "bars-area" (the rect of their axes), "bars-x-grid" and
 * "bars-x-ticks" (groups of the grid lines and of their labels, in the
 * same order), and for the K-th command of the report's order (from 1)
 * "row-K" (a group: its title is the whole command line), "label-K",
 * "peak-K" and "pss-K" (rects from 0 to the mean), "peak-K-range" and
 * "pss-K-range" (groups of lines: the first from min to max, then its
 * caps; only when the runs spread), "baseline-K" (a line at the
 * baseline's mean peak RSS).  The growth of a scan, for the P-th scanned
 * parameter that has fits (from 1): "growth-P-area", "growth-P-x-grid",
 * "growth-P-x-ticks", "growth-P-y-grid", "growth-P-y-ticks"; for fit F
 * (c->fits[F - 1]): "fit-F" (the polyline of the fitted curve, when the
 * fit is known), "fit-F-points" (a group of a line class="range" from min
 * to max and a circle at the mean, for each command), "fit-F-legend".
 * 0, -ENOMEM or -EIO.
 */
int chart_write_svg(FILE *f, const struct compare_report *cr);

#endif
