/*
 * Unit tests of chart: the SVG of a hand-built comparison is well-formed
 * XML (tests/lib/xml.c) and draws what the figures say, read back through
 * its own axes (the grid lines and their labels): bars as long as the
 * means, whiskers from min to max, rows in the report's order, labels
 * escaped and cut in the middle; for a scan, the points at their value and
 * mean on log-log axes, and the fitted curve through them.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../lib/xml.h"
#include "chart.h"
#include "compare.h"
#include "report.h"
#include "subjects.h"

#define KIB 1024.0
#define MIB (1024.0 * 1024)
#define GIB (MIB * 1024)
#define FFFD "\xEF\xBF\xBD"
#define MAXN 64

/* ------------------------------------------------------------------ the comparison */

static struct subject subj[MAXN];
static size_t values[MAXN][2];
static struct param params[2];
static char *param_values[2][16];
static double param_numbers[2][16];
static struct subjects S;
static char *lines[MAXN];
static struct compared V[MAXN];
static size_t order[MAXN];
static struct fit fits[MAXN];
static struct comparison C;
static struct baseline_entry base_entries[MAXN];
static struct baseline_change base[MAXN];
static struct compare_report CR;

static void setup(void)
{
	memset(subj, 0, sizeof(subj));
	memset(values, 0, sizeof(values));
	memset(params, 0, sizeof(params));
	memset(&S, 0, sizeof(S));
	memset(V, 0, sizeof(V));
	memset(fits, 0, sizeof(fits));
	memset(&C, 0, sizeof(C));
	memset(base, 0, sizeof(base));
	memset(lines, 0, sizeof(lines));
	S.v = subj;
	S.lines = lines;
	S.params = params;
	S.compare = true;
	C.v = V;
	C.order = order;
	C.fits = fits;
	CR = (struct compare_report){ .c = &C, .s = &S, .planned_runs = 5 };
}

TestSuite(chart, .init = setup);

static struct stats stats_of(double mean, double min, double max, size_t n)
{
	struct stats st = { .n = n, .min = min, .max = max, .mean = mean, .median = mean };

	st.has_stddev = n >= 2;
	st.stddev = n >= 2 ? (max - min) / 4 : 0;
	return st;
}

/*
 * Command i of the comparison: its peak RSS and tree peak PSS (mean, min,
 * max over n runs; a mean of 0 leaves the figure unknown).  In the order
 * given until set_order.
 */
static void command(const char *label, double peak, double peak_min, double peak_max, double pss,
		    double pss_min, double pss_max, size_t n)
{
	size_t i = C.n++;

	cr_assert_lt(i, MAXN);
	subj[i].label = (char *)label;
	subj[i].value = values[i];
	S.n = C.n;
	V[i].subject = &subj[i];
	if (peak > 0) {
		V[i].has[FIG_PEAK] = true;
		V[i].stats[FIG_PEAK] = stats_of(peak, peak_min, peak_max, n);
	}
	if (pss > 0) {
		V[i].has[FIG_PSS] = true;
		V[i].stats[FIG_PSS] = stats_of(pss, pss_min, pss_max, n);
	}
	order[i] = i;
}

/* The least peak, and every ratio to it, as compare.c would set them. */
static void relate(void)
{
	for (size_t i = 0; i < C.n; i++)
		if (V[i].has[FIG_PEAK] &&
		    (!C.has_least[FIG_PEAK] ||
		     V[i].stats[FIG_PEAK].mean < V[C.least[FIG_PEAK]].stats[FIG_PEAK].mean)) {
			C.least[FIG_PEAK] = i;
			C.has_least[FIG_PEAK] = true;
		}
	for (size_t i = 0; i < C.n; i++)
		if (V[i].has[FIG_PEAK])
			V[i].rel[FIG_PEAK] = compare_relate(&V[i].stats[FIG_PEAK],
							    &V[C.least[FIG_PEAK]].stats[FIG_PEAK]);
}

static char *svg_of(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(chart_write_svg(f, &CR), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

static struct xml_node *parse_svg(const char *svg)
{
	char err[256];
	struct xml_node *n = xml_parse(svg, strlen(svg), err, sizeof(err));

	cr_assert_not_null(n, "the SVG is not well-formed XML: %s\n%s", err, svg);
	cr_assert_str_eq(n->name, "svg");
	cr_assert_str_eq(xml_attr(n, "xmlns"), "http://www.w3.org/2000/svg");
	return n;
}

/* ------------------------------------------------------------------ reading the SVG */

static double num_attr(const struct xml_node *n, const char *name)
{
	const char *v = xml_attr(n, name);

	cr_assert_not_null(v, "<%s> has no %s", n->name, name);
	return atof(v);
}

/* The element whose id is printf(fmt, ...), or NULL. */
__attribute__((format(printf, 2, 3))) static const struct xml_node *
by_id(const struct xml_node *svg, const char *fmt, ...)
{
	char id[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(id, sizeof(id), fmt, ap);
	va_end(ap);
	return xml_find_id(svg, id);
}

/* The same, which must be there. */
__attribute__((format(printf, 2, 3))) static const struct xml_node *must(const struct xml_node *svg,
									 const char *fmt, ...)
{
	char id[64];
	const struct xml_node *n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(id, sizeof(id), fmt, ap);
	va_end(ap);
	n = xml_find_id(svg, id);
	cr_assert_not_null(n, "no element %s", id);
	return n;
}

/* The first text element (depth first) whose text starts with prefix. */
static const struct xml_node *text_starting(const struct xml_node *n, const char *prefix)
{
	if (strcmp(n->name, "text") == 0 && n->text &&
	    strncmp(n->text, prefix, strlen(prefix)) == 0)
		return n;
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct xml_node *r = text_starting(n->children[i], prefix);

		if (r)
			return r;
	}
	return NULL;
}

/* A tick label as a number: "16", "1.5 MiB" (sizes in bytes). */
static double label_value(const char *s)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	char unit[16] = "";
	double v;
	int n = sscanf(s, "%lf %15s", &v, unit);

	cr_assert_geq(n, 1, "tick label '%s' is not a number", s);
	if (n == 1)
		return v;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(unit, units[i]) == 0)
			return v * pow(1024, (double)i);
	cr_assert_fail("tick label '%s' has an unknown unit", s);
	return 0;
}

/*
 * An axis read back from the chart: the positions of its grid lines and
 * the values of their labels, linear or log.  Every tick must agree with
 * the line through the first and the last.
 */
struct axis {
	double p0, v0, p1, v1;
	bool log;
};

static double axis_value(const struct axis *a, double px)
{
	double t = (px - a->p0) / (a->p1 - a->p0);

	if (a->log)
		return pow(10, log10(a->v0) + t * (log10(a->v1) - log10(a->v0)));
	return a->v0 + t * (a->v1 - a->v0);
}

static double axis_px(const struct axis *a, double v)
{
	if (a->log)
		return a->p0 +
		       (log10(v) - log10(a->v0)) / (log10(a->v1) - log10(a->v0)) * (a->p1 - a->p0);
	return a->p0 + (v - a->v0) / (a->v1 - a->v0) * (a->p1 - a->p0);
}

static struct axis read_axis(const struct xml_node *svg, const char *id, bool vertical, bool log,
			     double unit)
{
	char gid[64], tid[64];
	const struct xml_node *grid, *ticks;
	struct axis a = { .log = log };

	snprintf(gid, sizeof(gid), "%s-grid", id);
	snprintf(tid, sizeof(tid), "%s-ticks", id);
	grid = xml_find_id(svg, gid);
	ticks = xml_find_id(svg, tid);
	cr_assert(grid && ticks, "no axis %s", id);
	cr_assert_eq(grid->nchildren, ticks->nchildren, "%s: grid lines and labels differ", id);
	cr_assert_geq(grid->nchildren, 2, "%s has %zu ticks", id, grid->nchildren);
	for (size_t i = 0; i < grid->nchildren; i++) {
		double p = num_attr(grid->children[i], vertical ? "x1" : "y1");
		double v = label_value(ticks->children[i]->text) * unit;

		if (i == 0) {
			a.p0 = p;
			a.v0 = v;
		}
		a.p1 = p;
		a.v1 = v;
	}
	for (size_t i = 0; i < grid->nchildren; i++) {
		double p = num_attr(grid->children[i], vertical ? "x1" : "y1");
		double v = label_value(ticks->children[i]->text) * unit;

		cr_assert(fabs(axis_px(&a, v) - p) < 0.11,
			  "%s: tick '%s' at %g, the axis puts it at %g", id,
			  ticks->children[i]->text, p, axis_px(&a, v));
	}
	return a;
}

/* The bars' axis, in bytes: its labels count in the unit its title names. */
static struct axis bars_axis(const struct xml_node *svg)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	const struct xml_node *t = text_starting(svg, "memory (");
	double unit = 0;
	size_t intervals;

	cr_assert_not_null(t, "the bars' axis has no title");
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		char want[32];

		snprintf(want, sizeof(want), "memory (%s)", units[i]);
		if (strcmp(t->text, want) == 0)
			unit = pow(1024, (double)i);
	}
	cr_assert_gt(unit, 0, "axis title '%s'", t->text);
	/* Nice steps: 4 to 8 of them, as on the timeline's memory axis. */
	intervals = xml_find_id(svg, "bars-x-grid")->nchildren - 1;
	cr_assert(intervals >= 4 && intervals <= 8, "the bars' axis has %zu steps", intervals);
	return read_axis(svg, "bars-x", true, false, unit);
}

static void assert_near(double got, double want, double rel, const char *what)
{
	cr_assert(fabs(got - want) <= rel * fabs(want), "%s: %g, want %g", what, got, want);
}

/* Bar K of a figure against the command's statistics. */
static void assert_bar(const struct xml_node *svg, const struct axis *a, const char *key, size_t k,
		       const struct stats *st)
{
	const struct xml_node *bar, *range;
	double x, w, y, h;

	bar = must(svg, "%s-%zu", key, k);
	cr_assert_str_eq(bar->name, "rect");
	x = num_attr(bar, "x");
	w = num_attr(bar, "width");
	y = num_attr(bar, "y");
	h = num_attr(bar, "height");
	cr_assert(fabs(axis_value(a, x)) < 0.001 * st->mean, "%s-%zu does not start at 0", key, k);
	assert_near(axis_value(a, x + w), st->mean, 0.003, "bar end");
	range = by_id(svg, "%s-%zu-range", key, k);
	if (st->n < 2 || st->max == st->min) {
		cr_assert_null(range, "a whisker without spread on %s-%zu", key, k);
		return;
	}
	cr_assert_not_null(range, "no whisker on %s-%zu", key, k);
	cr_assert_eq(range->nchildren, 3, "a whisker is a line and its two caps");
	assert_near(axis_value(a, num_attr(range->children[0], "x1")), st->min, 0.003,
		    "whisker min");
	assert_near(axis_value(a, num_attr(range->children[0], "x2")), st->max, 0.003,
		    "whisker max");
	cr_assert(fabs(num_attr(range->children[0], "y1") - (y + h / 2)) < 0.11,
		  "the whisker is not across the middle of its bar");
	cr_assert_eq(num_attr(range->children[1], "x1"), num_attr(range->children[0], "x1"));
	cr_assert_eq(num_attr(range->children[2], "x1"), num_attr(range->children[0], "x2"));
}

/* ------------------------------------------------------------------ bars */

Test(chart, bars_as_long_as_the_means_whiskers_at_min_max)
{
	struct xml_node *svg;
	struct axis a;
	char *out;

	command("./a 10", 10 * MIB, 9.5 * MIB, 10.25 * MIB, 8 * MIB, 7.5 * MIB, 8.5 * MIB, 5);
	command("./b 20", 20 * MIB, 19 * MIB, 22 * MIB, 16 * MIB, 15 * MIB, 17 * MIB, 5);
	command("./c 40", 40 * MIB, 38 * MIB, 41 * MIB, 32 * MIB, 31 * MIB, 36 * MIB, 5);
	relate();
	out = svg_of();
	svg = parse_svg(out);
	a = bars_axis(svg);
	cr_assert_str_eq(text_starting(svg, "memory (")->text, "memory (MiB)");
	cr_assert_geq(a.v1, 41 * MIB, "the axis ends at %g MiB, before the last whisker",
		      a.v1 / MIB);
	cr_assert_eq(a.v0, 0, "bars start at 0");
	for (size_t k = 1; k <= 3; k++) {
		assert_bar(svg, &a, "peak", k, &V[k - 1].stats[FIG_PEAK]);
		assert_bar(svg, &a, "pss", k, &V[k - 1].stats[FIG_PSS]);
	}
	/* Twice the mean, twice the bar. */
	assert_near(num_attr(must(svg, "peak-2"), "width"),
		    2 * num_attr(must(svg, "peak-1"), "width"), 0.005, "bar 2 against bar 1");
	assert_near(num_attr(must(svg, "peak-3"), "width"),
		    4 * num_attr(must(svg, "peak-1"), "width"), 0.005, "bar 3 against bar 1");
	cr_assert_null(by_id(svg, "peak-4"));
	/* The two bars of a command are one above the other, in its row, and the same height. */
	cr_assert_lt(num_attr(must(svg, "peak-1"), "y"), num_attr(must(svg, "pss-1"), "y"));
	cr_assert_lt(num_attr(must(svg, "pss-1"), "y"), num_attr(must(svg, "peak-2"), "y"));
	cr_assert_eq(num_attr(must(svg, "peak-1"), "height"),
		     num_attr(must(svg, "pss-2"), "height"));
	/* The ratio to the least is written beside the peak. */
	cr_assert(strstr(out, "\u00d74.00"), "no ratio beside the 40 MiB bar");
	cr_assert_null(xml_find_id(svg, "growth-1-area"), "a growth panel without a scan");
	cr_assert_null(xml_find_id(svg, "baseline-1"));
	xml_free(svg);
	free(out);
}

Test(chart, rows_in_the_report_order)
{
	struct xml_node *svg;
	struct axis a;
	char *out;

	command("./small", 10 * MIB, 10 * MIB, 10 * MIB, 9 * MIB, 9 * MIB, 9 * MIB, 3);
	command("./large", 30 * MIB, 29 * MIB, 31 * MIB, 25 * MIB, 24 * MIB, 26 * MIB, 3);
	command("./middle", 20 * MIB, 19 * MIB, 21 * MIB, 15 * MIB, 14 * MIB, 16 * MIB, 3);
	relate();
	/* --sort=pss, say: the report's order, whatever it is, is the chart's. */
	order[0] = 0;
	order[1] = 2;
	order[2] = 1;
	out = svg_of();
	svg = parse_svg(out);
	a = bars_axis(svg);
	assert_bar(svg, &a, "peak", 1, &V[0].stats[FIG_PEAK]);
	assert_bar(svg, &a, "peak", 2, &V[2].stats[FIG_PEAK]);
	assert_bar(svg, &a, "peak", 3, &V[1].stats[FIG_PEAK]);
	assert_bar(svg, &a, "pss", 3, &V[1].stats[FIG_PSS]);
	cr_assert_str_eq(must(svg, "label-1")->text, "[1] ./small");
	cr_assert_str_eq(must(svg, "label-2")->text, "[2] ./middle");
	cr_assert_str_eq(must(svg, "label-3")->text, "[3] ./large");
	cr_assert_str_eq(xml_find(must(svg, "row-3"), "title")->text, "[3] ./large");
	/* No spread (min = max): no whisker. */
	cr_assert_null(xml_find_id(svg, "peak-1-range"));
	xml_free(svg);
	free(out);
}

Test(chart, labels_escaped)
{
	struct xml_node *svg;
	char *out;

	command("<script>&\"' caf\xE9\x01", 5 * MIB, 5 * MIB, 5 * MIB, 4 * MIB, 4 * MIB, 4 * MIB,
		1);
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_str_eq(must(svg, "label-1")->text, "[1] <script>&\"' caf" FFFD FFFD);
	cr_assert_str_eq(xml_find(must(svg, "row-1"), "title")->text,
			 "[1] <script>&\"' caf" FFFD FFFD);
	cr_assert_null(strstr(out, "<script>"), "raw markup from the command line");
	xml_free(svg);
	free(out);
}

/* Characters of UTF-8 text. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

Test(chart, long_labels_cut_in_the_middle)
{
	static const char a[] = "python3 /home/someone/projects/benchmarks/languages/count/"
				"count.py --input /data/words.txt --size 1000000";
	static const char b[] = "python3 /home/someone/projects/benchmarks/languages/count/"
				"count.py --input /data/words.txt --size 2000000";
	struct xml_node *svg;
	const char *la, *lb;
	char *out;

	command(a, 5 * MIB, 5 * MIB, 5 * MIB, 4 * MIB, 4 * MIB, 4 * MIB, 1);
	command(b, 6 * MIB, 6 * MIB, 6 * MIB, 5 * MIB, 5 * MIB, 5 * MIB, 1);
	out = svg_of();
	svg = parse_svg(out);
	la = must(svg, "label-1")->text;
	lb = must(svg, "label-2")->text;
	cr_assert_str_neq(la, lb, "two commands that share their start read the same");
	cr_assert(strstr(la, "\u2026"), "'%s' was not cut", la);
	cr_assert_leq(chars(la), 44, "'%s' is %zu characters", la, chars(la));
	cr_assert(strncmp(la, "[1] python3 /ho", 15) == 0, "'%s' lost its start", la);
	cr_assert(strstr(la, "--size 1000000") && strstr(lb, "--size 2000000"),
		  "'%s' and '%s' lost their ends", la, lb);
	/* The title of the row still has the whole line. */
	cr_assert(strstr(xml_find(must(svg, "row-1"), "title")->text, a));
	xml_free(svg);
	free(out);
}

Test(chart, axis_in_iec_units)
{
	struct xml_node *svg;
	struct axis a;
	char *out;

	command("./big", 3 * GIB, 2.5 * GIB, 3.25 * GIB, 2 * GIB, 1.9 * GIB, 2.1 * GIB, 4);
	command("./small", 700 * MIB, 650 * MIB, 720 * MIB, 600 * MIB, 590 * MIB, 610 * MIB, 4);
	relate();
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_str_eq(text_starting(svg, "memory (")->text, "memory (GiB)");
	a = bars_axis(svg);
	cr_assert_geq(a.v1, 3.25 * GIB);
	cr_assert_leq(a.v1, 4 * GIB, "the axis runs far past the data: %g GiB", a.v1 / GIB);
	assert_bar(svg, &a, "peak", 1, &V[0].stats[FIG_PEAK]);
	assert_bar(svg, &a, "pss", 2, &V[1].stats[FIG_PSS]);
	xml_free(svg);
	free(out);
}

Test(chart, unknown_figure_and_failed_runs)
{
	struct runs rs = { .n = 3, .failed_runs = 3 };
	struct xml_node *svg;
	char *out;

	command("./gone", 5 * MIB, 4 * MIB, 6 * MIB, 0, 0, 0, 3);
	V[0].runs = &rs;
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "peak-1"));
	cr_assert_null(xml_find_id(svg, "pss-1"));
	cr_assert(strstr(out, "tree peak PSS unknown"));
	cr_assert(strstr(out, "3 of 3 runs failed"));
	xml_free(svg);
	free(out);
}

Test(chart, baseline_marked)
{
	struct xml_node *svg;
	struct axis a;
	char *out;

	command("./prog", 20 * MIB, 19 * MIB, 21 * MIB, 18 * MIB, 17 * MIB, 19 * MIB, 5);
	base_entries[0].has[BASE_PEAK] = true;
	base_entries[0].stats[BASE_PEAK] = stats_of(30 * MIB, 29 * MIB, 31 * MIB, 5);
	base[0].entry = &base_entries[0];
	base[0].rel[BASE_PEAK] = compare_relate(&V[0].stats[FIG_PEAK],
						&base_entries[0].stats[BASE_PEAK]);
	CR.base = base;
	CR.base_path = "before.json";
	out = svg_of();
	svg = parse_svg(out);
	a = bars_axis(svg);
	cr_assert_geq(a.v1, 30 * MIB, "the baseline is off the axis");
	assert_near(axis_value(&a, num_attr(must(svg, "baseline-1"), "x1")), 30 * MIB, 0.003,
		    "baseline mark");
	cr_assert(strstr(must(svg, "subtitle")->text, "before.json"));
	cr_assert(strstr(out, "-33.3 % since the baseline"), "the change is not told");
	xml_free(svg);
	free(out);
}

/* ------------------------------------------------------------------ growth */

/* A scan of n over 8 .. 128 (doubling), one parameter. */
static void scan_param(void)
{
	static const char *const v[] = { "8", "16", "32", "64", "128" };

	params[0].name = (char *)"n";
	params[0].scan = true;
	params[0].values = param_values[0];
	params[0].numbers = param_numbers[0];
	params[0].nvalues = 5;
	for (size_t i = 0; i < 5; i++) {
		param_values[0][i] = (char *)v[i];
		param_numbers[0][i] = atof(v[i]);
	}
	S.nparams = 1;
}

static double growth_at(const struct growth *g, double n)
{
	return g->base + g->coefficient * pow(n, g->exponent);
}

/*
 * One fit group: the commands labels[] of operand op (its line as given
 * line), their peaks exactly on base + c * n^k and spread by +-spread of it.
 */
static void scan_group(size_t op, const char *line, const char *const *labels,
		       const struct growth *g, double spread)
{
	struct fit *ft = &fits[C.nfits++];

	lines[op] = (char *)line;
	S.nlines = S.nlines > op + 1 ? S.nlines : op + 1;

	ft->param = 0;
	ft->first = C.n;
	ft->points = 5;
	ft->low = 8;
	ft->high = 128;
	ft->known = true;
	ft->growth = *g;
	for (size_t i = 0; i < 5; i++) {
		double y = growth_at(g, param_numbers[0][i]);

		subj[C.n].operand = op;
		values[C.n][0] = i;
		command(labels[i], y, y * (1 - spread), y * (1 + spread), y * 0.9, y * 0.85,
			y * 0.95, 5);
	}
}

static const char *const linear_labels[] = { "wl hold 8", "wl hold 16", "wl hold 32", "wl hold 64",
					     "wl hold 128" };
static const char *const square_labels[] = { "wl square 8", "wl square 16", "wl square 32",
					     "wl square 64", "wl square 128" };
static const struct growth linear = {
	.exponent = 1, .coefficient = MIB, .base = 2 * MIB, .with_base = true, .r_squared = 1
};
static const struct growth square = {
	.exponent = 2, .coefficient = MIB / 8, .base = MIB, .with_base = true, .r_squared = 0.9987
};

/* The points of a fit: each circle at its command's value and mean, its range at min and max. */
static void assert_points(const struct xml_node *svg, size_t fi, const struct axis *ax,
			  const struct axis *ay)
{
	const struct xml_node *g = must(svg, "fit-%zu-points", fi);
	const struct fit *ft = &fits[fi - 1];
	size_t circles = 0, j = ft->first;

	for (size_t i = 0; i < g->nchildren; i++) {
		const struct xml_node *e = g->children[i];
		const struct stats *st = &V[j].stats[FIG_PEAK];
		double n = param_numbers[0][values[j][0]];

		if (strcmp(e->name, "line") == 0) {
			cr_assert_str_eq(xml_attr(e, "class"), "range");
			cr_assert_eq(num_attr(e, "x1"), num_attr(e, "x2"), "a range is vertical");
			assert_near(axis_value(ax, num_attr(e, "x1")), n, 0.003, "range at n");
			assert_near(axis_value(ay, num_attr(e, "y1")), st->min, 0.003, "range min");
			assert_near(axis_value(ay, num_attr(e, "y2")), st->max, 0.003, "range max");
			continue;
		}
		cr_assert_str_eq(e->name, "circle");
		assert_near(axis_value(ax, num_attr(e, "cx")), n, 0.003, "point at n");
		assert_near(axis_value(ay, num_attr(e, "cy")), st->mean, 0.003,
			    "point at the mean");
		/* On the fitted curve: the mean is what the growth gives at the point's n. */
		assert_near(axis_value(ay, num_attr(e, "cy")),
			    growth_at(&ft->growth, axis_value(ax, num_attr(e, "cx"))), 0.005,
			    "point on the curve");
		circles++;
		j++;
	}
	cr_assert_eq(circles, 5, "fit %zu has %zu points", fi, circles);
}

/* Every vertex of the curve is base + c * n^k of its n, and the curve spans the points. */
static void assert_curve(const struct xml_node *svg, size_t fi, const struct axis *ax,
			 const struct axis *ay)
{
	const struct xml_node *pl = must(svg, "fit-%zu", fi);
	const struct growth *g = &fits[fi - 1].growth;
	const char *s = xml_attr(pl, "points");
	double x, y, lo = INFINITY, hi = 0;
	size_t n = 0;
	int used;

	cr_assert_str_eq(pl->name, "polyline");
	cr_assert_not_null(s);
	while (sscanf(s, " %lf,%lf%n", &x, &y, &used) == 2) {
		double at = axis_value(ax, x);

		assert_near(axis_value(ay, y), growth_at(g, at), 0.005, "curve vertex");
		lo = fmin(lo, at);
		hi = fmax(hi, at);
		n++;
		s += used;
	}
	cr_assert_geq(n, 32, "a curve of %zu points", n);
	assert_near(lo, 8, 0.003, "the curve's start");
	assert_near(hi, 128, 0.003, "the curve's end");
}

Test(chart, scan_points_on_their_fitted_curves)
{
	struct xml_node *svg;
	struct axis ax, ay;
	const struct xml_node *area;
	char *out;

	scan_param();
	scan_group(0, "wl hold {n}", linear_labels, &linear, 0.04);
	scan_group(1, "wl square {n}", square_labels, &square, 0.1);
	relate();
	out = svg_of();
	svg = parse_svg(out);
	area = must(svg, "growth-1-area");
	cr_assert_null(xml_find_id(svg, "growth-2-area"));
	ax = read_axis(svg, "growth-1-x", true, true, 1);
	ay = read_axis(svg, "growth-1-y", false, true, 1);
	/* The axes hold every point and whisker, inside the area. */
	cr_assert_leq(axis_value(&ax, num_attr(area, "x")), 8);
	cr_assert_geq(axis_value(&ax, num_attr(area, "x") + num_attr(area, "width")), 128);
	for (size_t j = 0; j < C.n; j++) {
		cr_assert_leq(axis_value(&ay, num_attr(area, "y") + num_attr(area, "height")),
			      V[j].stats[FIG_PEAK].min);
		cr_assert_geq(axis_value(&ay, num_attr(area, "y")), V[j].stats[FIG_PEAK].max);
	}
	/* A scan of powers of two is labelled with them. */
	{
		const struct xml_node *t = must(svg, "growth-1-x-ticks");

		cr_assert_eq(t->nchildren, 5);
		cr_assert_str_eq(t->children[0]->text, "8");
		cr_assert_str_eq(t->children[4]->text, "128");
	}
	for (size_t fi = 1; fi <= 2; fi++) {
		assert_points(svg, fi, &ax, &ay);
		assert_curve(svg, fi, &ax, &ay);
	}
	/* Each group in its colour, its line with {n}, and the exponent it found. */
	cr_assert_str_neq(xml_attr(must(svg, "fit-1"), "stroke"),
			  xml_attr(must(svg, "fit-2"), "stroke"));
	cr_assert_str_eq(xml_attr(must(svg, "fit-1"), "stroke"),
			 xml_attr(must(svg, "fit-1-points"), "fill"));
	{
		const struct xml_node *l1 = must(svg, "fit-1-legend");
		const struct xml_node *l2 = must(svg, "fit-2-legend");

		cr_assert(text_starting(l1, "wl hold {n}"), "legend 1 does not name its line");
		cr_assert(text_starting(l1, "k = 1.00, base 2.0 MiB, R\u00b2 1.0000"));
		cr_assert(text_starting(l2, "wl square {n}"));
		cr_assert(text_starting(l2, "k = 2.00, base 1.0 MiB, R\u00b2 0.9987"));
	}
	/* The bars are still there, one row per command. */
	cr_assert_not_null(xml_find_id(svg, "peak-10"));
	xml_free(svg);
	free(out);
}

Test(chart, unknown_fit_has_no_curve)
{
	struct xml_node *svg;
	char *out;

	scan_param();
	scan_group(0, "wl hold {n}", linear_labels, &linear, 0.04);
	fits[0].known = false;
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "growth-1-area"));
	cr_assert_null(xml_find_id(svg, "fit-1"));
	cr_assert_not_null(xml_find_id(svg, "fit-1-points"));
	cr_assert(text_starting(must(svg, "fit-1-legend"), "not enough points to fit"));
	xml_free(svg);
	free(out);
}

/*
 * The legend names the line as given, even where a value is also elsewhere
 * in it (no guess from the labels), with the other parameters' values.
 */
Test(chart, legend_names_the_line_as_given)
{
	static const char *const labels[] = { "wl 8 8 a", "wl 16 8 a", "wl 32 8 a", "wl 64 8 a",
					      "wl 128 8 a" };
	static char *kinds[] = { (char *)"a", (char *)"b" };
	struct xml_node *svg;
	char *out;

	scan_param();
	params[1] = (struct param){ .name = (char *)"kind", .values = kinds, .nvalues = 2 };
	S.nparams = 2;
	scan_group(0, "wl {n} 8 {kind}", labels, &linear, 0.04);
	for (size_t j = 0; j < C.n; j++)
		values[j][1] = 0;
	out = svg_of();
	svg = parse_svg(out);
	cr_assert(text_starting(must(svg, "fit-1-legend"), "wl {n} 8 {kind} kind=a"));
	xml_free(svg);
	free(out);
}

Test(chart, crowded_legend_says_how_many_more)
{
	struct xml_node *svg;
	char *out;

	scan_param();
	for (size_t g = 0; g < 12; g++)
		scan_group(g, "wl hold {n}", linear_labels, &linear, 0.04);
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "fit-12"), "every curve is drawn");
	cr_assert_null(xml_find_id(svg, "fit-12-legend"));
	cr_assert(strstr(out, "more in the report"));
	{
		const struct xml_node *area = must(svg, "growth-1-area");
		double bottom = num_attr(area, "y") + num_attr(area, "height") + 60;

		for (size_t fi = 1; fi <= 12; fi++) {
			const struct xml_node *l = by_id(svg, "fit-%zu-legend", fi);

			if (l)
				cr_assert_lt(num_attr(l->children[0], "y1"), bottom,
					     "legend %zu runs into the bars", fi);
		}
	}
	xml_free(svg);
	free(out);
}

/* Nothing measured: still a chart that says so. */
Test(chart, nothing_to_draw_still_a_chart)
{
	struct xml_node *svg;
	char *out;

	out = svg_of();
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "bars-area"));
	cr_assert(strstr(out, "no command was measured"));
	xml_free(svg);
	free(out);

	/* A scan whose peaks are all unknown: its panel, no point, no curve. */
	scan_param();
	scan_group(0, "wl hold {n}", linear_labels, &linear, 0.04);
	for (size_t j = 0; j < C.n; j++)
		V[j].has[FIG_PEAK] = false;
	fits[0].known = false;
	out = svg_of();
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "growth-1-area"));
	cr_assert_eq(must(svg, "fit-1-points")->nchildren, 0);
	cr_assert(strstr(out, "no peak to draw on log scales"));
	cr_assert(strstr(out, "peak RSS unknown"));
	xml_free(svg);
	free(out);
}
