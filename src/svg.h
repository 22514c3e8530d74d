/*
 * svg: what the SVG writers (plot.c, chart.c) share, so that their charts
 * look alike: the document's head, the palette, XML text, tick steps and
 * the rule of an axis of sizes in IEC units.  Pure.
 */
#ifndef MAXRSS_SVG_H
#define MAXRSS_SVG_H

#include <stddef.h>
#include <stdio.h>

/* PSS is blue and RSS orange in every chart. */
#define SVG_COLOUR_PSS "#1f77b4"
#define SVG_COLOUR_RSS "#ff7f0e"
#define SVG_COLOUR_LIMIT "#d62728"

/* A white outline under a label keeps it readable where it crosses a line. */
#define SVG_HALO "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\""

/*
 * The XML declaration and the opening <svg> element of a width x height
 * chart (user units are CSS pixels), with the fonts every browser has.
 */
void svg_begin(FILE *f, int width, int height);

/* A C string as XML text (escape_xml_text), cut to max_chars (0: no cut). */
void svg_text(FILE *f, const char *s, size_t max_chars);

/*
 * The tick step for an axis from 0 to at least range: 1, 2, 2.5 or 5 times
 * a power of ten, giving min_ticks to max_ticks intervals, and wasting the
 * least room past the data.
 */
double svg_nice_step(double range, int min_ticks, int max_ticks);

/* Decimals that show every multiple of step exactly (at most 3). */
int svg_decimals(double step);

/* An axis of sizes from 0: it counts in unit (1024^unit_index bytes), to top, by step. */
struct svg_size_axis {
	unsigned unit_index;
	double unit; /* bytes */
	double top;  /* in unit: a whole number of steps */
	double step; /* in unit */
};

/*
 * The axis for sizes up to top_bytes (a 1 MiB axis when it is 0) with
 * headroom (1.12: 12 % more room above the data): in the largest unit the
 * top holds once, its labels from 1 to 1024; min_ticks to max_ticks steps.
 */
void svg_size_axis(struct svg_size_axis *a, double top_bytes, double headroom, int min_ticks,
		   int max_ticks);

#endif
