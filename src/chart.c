#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "escape.h"
#include "svg.h"
#include "units.h"

/* The title and the subtitle. */
#define HEAD_HEIGHT 76.0

/* A panel of growth: its axes' box (y from the panel's top), the legend on its right. */
#define GROWTH_HEIGHT 484.0
#define GROWTH_LEFT 96.0
#define GROWTH_RIGHT 680.0
#define GROWTH_TOP 48.0
#define GROWTH_BOTTOM 408.0
#define LEGEND_X 704.0
#define LEGEND_ENTRY 40.0
#define LEGEND_CHARS 38

/* The bars: a row per command under their legend, its label on the left. */
#define BARS_LEFT 330.0
#define BARS_RIGHT 860.0
#define BARS_TOP 64.0
#define BARS_BELOW 64.0
#define ROW 36.0
#define BAR 12.0
#define ROW_LABEL_CHARS 44

#define MAX_TICKS 16

#define COLOUR_PEAK SVG_COLOUR_RSS
#define COLOUR_PSS SVG_COLOUR_PSS
#define COLOUR_WHISKER "#222222"
#define COLOUR_BASELINE SVG_COLOUR_LIMIT
#define COLOUR_STRIPE "#f4f4f4"
#define COLOUR_GRID "#e4e4e4"

/* The fit groups of a scan; neither PSS blue nor RSS orange, which the bars use. */
static const char *const group_colours[] = {
	"#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#d62728", "#7f7f7f",
};

#define NCOLOURS (sizeof(group_colours) / sizeof(group_colours[0]))

struct chart {
	FILE *f;
	const struct compare_report *cr;
	const struct comparison *c;
	const struct subjects *s;
	size_t *rank; /* rank[i]: where command i is in the report's order, from 1 */
};

/* ---------------------------------------------------------------- text */

/*
 * s as XML text of at most max characters: when longer, its start and its
 * end with "…" between them.  The command lines of a comparison often
 * share their start (the interpreter, a path) and differ at the end.
 */
static void text_middle(FILE *f, const char *s, size_t max)
{
	size_t len = strlen(s), n = escape_utf8_chars(s, len), head, tail;

	if (n <= max) {
		escape_xml_text(f, s, len, 0);
		return;
	}
	head = (max - 1) / 3;
	tail = max - 1 - head;
	escape_xml_text(f, s, escape_utf8_prefix(s, len, head), 0);
	fputs("\u2026", f);
	head = escape_utf8_prefix(s, len, n - tail);
	escape_xml_text(f, s + head, len - head, 0);
}

static void size_text(double bytes, char *buf, size_t len)
{
	units_format_size(bytes > 0 ? (uint64_t)llround(bytes) : 0, buf, len);
}

/* A parameter's value on an axis: whole numbers without decimals or an exponent. */
static void number_text(double v, int decimals, char *buf, size_t len)
{
	if (decimals < 0 && v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else if (decimals < 0)
		snprintf(buf, len, "%g", v);
	else
		snprintf(buf, len, "%.*f", decimals, v);
}

/* ---------------------------------------------------------------- axes */

struct tick {
	double v;
	char label[32];
};

struct ticks {
	struct tick t[MAX_TICKS];
	size_t n;
};

/*
 * Ticks at m * base^e inside [lo, hi] for each multiplier m, every
 * stride-th power; false when there would be more than max.
 */
static bool power_ticks(struct ticks *tk, double lo, double hi, double base, const double *mult,
			size_t nmult, int stride, size_t max)
{
	int e0 = (int)floor(log(lo) / log(base)) - 1, e1 = (int)ceil(log(hi) / log(base)) + 1;

	tk->n = 0;
	for (int e = e0; e <= e1; e++) {
		if (((e % stride) + stride) % stride)
			continue;
		for (size_t i = 0; i < nmult; i++) {
			double v = mult[i] * pow(base, e);

			if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
				continue;
			if (tk->n == max)
				return false;
			tk->t[tk->n++].v = v;
		}
	}
	return true;
}

/* Powers of base in [lo, hi], every stride-th so that there are at most max; how many. */
static size_t strided_powers(struct ticks *tk, double lo, double hi, double base, size_t max)
{
	static const double one[] = { 1 };

	for (int stride = 1; stride < 64; stride++)
		if (power_ticks(tk, lo, hi, base, one, 1, stride, max))
			return tk->n;
	tk->n = 0;
	return 0;
}

/* Ticks 3 to 6 nice steps apart inside [lo, hi]; their step. */
static double linear_ticks(struct ticks *tk, double lo, double hi)
{
	double step = svg_nice_step(hi - lo, 3, 6);

	tk->n = 0;
	/* Counted, not summed, so that the 3rd of 0.1 is 0.3. */
	for (long i = (long)ceil(lo / step - 1e-9); tk->n < MAX_TICKS; i++) {
		double v = (double)i * step;

		if (v > hi * (1 + 1e-12))
			break;
		tk->t[tk->n++].v = v;
	}
	return step;
}

/*
 * The ticks of a parameter on a log axis: 1, 2 and 5 times powers of ten
 * (or every few powers of ten), or powers of two when they give more (a
 * scan of 8 .. 128 reads better on 8, 16, 32, 64, 128 than on 10, 20, 50,
 * 100); linear steps when the range holds fewer than three.
 */
static void number_ticks(struct ticks *tk, double lo, double hi)
{
	static const double one_two_five[] = { 1, 2, 5 }, one[] = { 1 };
	struct ticks twos;
	int decimals = -1;

	if (!power_ticks(tk, lo, hi, 10, one_two_five, 3, 1, 10))
		strided_powers(tk, lo, hi, 10, 10);
	if (power_ticks(&twos, lo, hi, 2, one, 1, 1, 10) && twos.n > tk->n)
		*tk = twos;
	if (tk->n < 3)
		decimals = svg_decimals(linear_ticks(tk, lo, hi));
	for (size_t i = 0; i < tk->n; i++)
		number_text(tk->t[i].v, decimals, tk->t[i].label, sizeof(tk->t[i].label));
}

/* The ticks of sizes on a log axis: powers of two (1 MiB, 2 MiB...), else linear in one unit. */
static void size_ticks(struct ticks *tk, double lo, double hi)
{
	if (strided_powers(tk, lo, hi, 2, 10) >= 3) {
		for (size_t i = 0; i < tk->n; i++) {
			unsigned u = units_pick(tk->t[i].v);

			snprintf(tk->t[i].label, sizeof(tk->t[i].label), "%g %s",
				 tk->t[i].v / units_bytes(u), units_name(u));
		}
		return;
	}
	{
		unsigned u = units_pick(hi);
		double unit = units_bytes(u);
		int d = svg_decimals(linear_ticks(tk, lo / unit, hi / unit));

		for (size_t i = 0; i < tk->n; i++) {
			snprintf(tk->t[i].label, sizeof(tk->t[i].label), "%.*f %s", d, tk->t[i].v,
				 units_name(u));
			tk->t[i].v *= unit;
		}
	}
}

/* A log axis from 10^lo to 10^hi, drawn from px0 to px1. */
struct log_axis {
	double lo, hi;
	double px0, px1;
};

static double log_px(const struct log_axis *a, double v)
{
	return a->px0 + (log10(v) - a->lo) / (a->hi - a->lo) * (a->px1 - a->px0);
}

/* The axis over [min, max] (> 0) with a margin of frac of its span, at least min_pad decades. */
static void log_axis_fit(struct log_axis *a, double min, double max, double frac, double min_pad)
{
	double lo = log10(min), hi = log10(max), pad = (hi - lo) * frac;

	if (pad < min_pad)
		pad = min_pad;
	a->lo = lo - pad;
	a->hi = hi + pad;
}

/* The grid lines and their labels of one axis, in two groups of the same order. */
static void write_grid(FILE *f, const char *id, const struct ticks *tk, const double *px,
		       bool vertical, double from, double to, double label_at)
{
	fprintf(f, "<g id=\"%s-grid\" stroke=\"" COLOUR_GRID "\" stroke-width=\"1\">\n", id);
	for (size_t i = 0; i < tk->n; i++)
		if (vertical)
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
				px[i], from, px[i], to);
		else
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
				from, px[i], to, px[i]);
	fputs("</g>\n", f);
	fprintf(f, "<g id=\"%s-ticks\" font-size=\"12\" fill=\"#333333\">\n", id);
	for (size_t i = 0; i < tk->n; i++) {
		if (vertical)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", px[i],
				label_at);
		else
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", label_at,
				px[i] + 4);
		svg_text(f, tk->t[i].label, 0);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
}

/* The axis lines of a box: left and bottom. */
static void write_axis_lines(FILE *f, double left, double top, double right, double bottom)
{
	fprintf(f,
		"<path d=\"M%.1f,%.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#222222\" "
		"stroke-width=\"1.5\"/>\n",
		left, top, bottom, right);
}

/* ---------------------------------------------------------------- growth */

/* Command j as a point of a scan over p: its value and peak, false when off a log scale. */
static bool scan_point(const struct chart *ch, size_t j, size_t p, double *x)
{
	const struct compared *v = &ch->c->v[j];

	*x = ch->s->params[p].numbers[ch->s->v[j].value[p]];
	return *x > 0 && v->has[FIG_PEAK] && v->stats[FIG_PEAK].min > 0;
}

/*
 * The command line of a fit's group as given, {NAME} for the scanned
 * value, and the values of the other parameters that make the group;
 * malloc'd, or NULL.
 */
static char *group_line(const struct chart *ch, const struct fit *ft)
{
	const struct subject *sub = ch->c->v[ft->first].subject;
	char values[256], *line;

	subjects_values_text(ch->s, sub, ft->param, values, sizeof(values));
	if (asprintf(&line, "%s%s%s", ch->s->lines[sub->operand], values[0] ? " " : "", values) < 0)
		return NULL;
	return line;
}

/* The legend of fit fi at y: its colour, its command line, the exponent it found. */
static void write_fit_legend(const struct chart *ch, size_t fi, const char *colour, double y)
{
	FILE *f = ch->f;
	const struct fit *ft = &ch->c->fits[fi];
	char *line = group_line(ch, ft), base[32];

	fprintf(f, "<g id=\"fit-%zu-legend\">\n", fi + 1);
	fprintf(f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"2.5\"/>\n",
		LEGEND_X, y, LEGEND_X + 24, y, colour);
	fprintf(f,
		"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" stroke=\"#ffffff\" "
		"stroke-width=\"1.5\"/>\n",
		LEGEND_X + 12, y, colour);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", LEGEND_X + 32, y + 4);
	text_middle(f, line ? line : ch->c->v[ft->first].subject->label, LEGEND_CHARS);
	fputs("</text>\n", f);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444444\">", LEGEND_X + 32,
		y + 19);
	if (ft->known) {
		size_text(ft->growth.base, base, sizeof(base));
		fprintf(f, "k = %.2f, base %s, R\u00b2 %.4f", ft->growth.exponent, base,
			ft->growth.r_squared);
	} else {
		fputs("not enough points to fit", f);
	}
	fputs("</text>\n</g>\n", f);
	free(line);
}

/* The fitted curve over the group's values, sampled evenly on the log axis. */
static void write_fit_curve(const struct chart *ch, size_t fi, const struct log_axis *ax,
			    const struct log_axis *ay, double xmin, double xmax, const char *colour,
			    const char *clip)
{
	FILE *f = ch->f;
	const struct fit *ft = &ch->c->fits[fi];
	const struct growth *g = &ft->growth;
	const int samples = 96;
	bool first = true;

	fprintf(f,
		"<polyline id=\"fit-%zu\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
		"stroke-linejoin=\"round\" clip-path=\"url(#%s)\" points=\"",
		fi + 1, colour, clip);
	for (int i = 0; i <= samples; i++) {
		double n = xmin * pow(xmax / xmin, (double)i / samples);
		double y = g->base + g->coefficient * pow(n, g->exponent);

		/* A negative base can take the curve below 0, off a log scale. */
		if (!(y > 0))
			continue;
		fprintf(f, "%s%.1f,%.1f", first ? "" : " ", log_px(ax, n), log_px(ay, y));
		first = false;
	}
	fprintf(f, "\"><title>peak \u2248 base + c \u00b7 %s^%.2f</title></polyline>\n",
		ch->s->params[ft->param].name, g->exponent);
}

/* Each command of the group: a circle at its mean peak, a line from its min to its max. */
static void write_fit_points(const struct chart *ch, size_t fi, const struct log_axis *ax,
			     const struct log_axis *ay, const char *colour)
{
	FILE *f = ch->f;
	const struct fit *ft = &ch->c->fits[fi];

	fprintf(f, "<g id=\"fit-%zu-points\" fill=\"%s\">\n", fi + 1, colour);
	for (size_t j = ft->first; j < ch->c->n; j++) {
		const struct stats *st = &ch->c->v[j].stats[FIG_PEAK];
		char mean[32], lo[32], hi[32];
		double x, px;

		if (!compare_same_group(ch->s, ft->first, j, ft->param) ||
		    !scan_point(ch, j, ft->param, &x))
			continue;
		px = log_px(ax, x);
		fprintf(f,
			"<line class=\"range\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"%s\" stroke-width=\"1.5\"/>\n",
			px, log_px(ay, st->min), px, log_px(ay, st->max), colour);
		size_text(st->mean, mean, sizeof(mean));
		size_text(st->min, lo, sizeof(lo));
		size_text(st->max, hi, sizeof(hi));
		fprintf(f,
			"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.5\" stroke=\"#ffffff\" "
			"stroke-width=\"1.5\"><title>[%zu] ",
			px, log_px(ay, st->mean), ch->rank[j]);
		svg_text(f, ch->c->v[j].subject->label, 0);
		fprintf(f, ": peak RSS %s (%s \u2026 %s)</title></circle>\n", mean, lo, hi);
	}
	fputs("</g>\n", f);
}

/* The range of the points of a scan over p: false when none can be drawn. */
static bool scan_range(const struct chart *ch, size_t p, double *x0, double *x1, double *y0,
		       double *y1)
{
	bool any = false;

	for (size_t i = 0; i < ch->c->nfits; i++) {
		const struct fit *ft = &ch->c->fits[i];

		if (ft->param != p)
			continue;
		for (size_t j = ft->first; j < ch->c->n; j++) {
			const struct stats *st = &ch->c->v[j].stats[FIG_PEAK];
			double x;

			if (!compare_same_group(ch->s, ft->first, j, p) ||
			    !scan_point(ch, j, p, &x))
				continue;
			if (!any || x < *x0)
				*x0 = x;
			if (!any || x > *x1)
				*x1 = x;
			if (!any || st->min < *y0)
				*y0 = st->min;
			if (!any || st->max > *y1)
				*y1 = st->max;
			any = true;
		}
	}
	return any;
}

/* The extent of a fit's points on the x axis; false when it has none. */
static bool fit_extent(const struct chart *ch, size_t fi, double *lo, double *hi)
{
	const struct fit *ft = &ch->c->fits[fi];
	bool any = false;

	for (size_t j = ft->first; j < ch->c->n; j++) {
		double x;

		if (!compare_same_group(ch->s, ft->first, j, ft->param) ||
		    !scan_point(ch, j, ft->param, &x))
			continue;
		if (!any || x < *lo)
			*lo = x;
		if (!any || x > *hi)
			*hi = x;
		any = true;
	}
	return any;
}

/* The panel of the panel-th scanned parameter p, from y0 down. */
static void write_growth(const struct chart *ch, size_t p, size_t panel, double y0)
{
	FILE *f = ch->f;
	const char *name = ch->s->params[p].name;
	struct log_axis ax = { .px0 = GROWTH_LEFT, .px1 = GROWTH_RIGHT };
	struct log_axis ay = { .px0 = y0 + GROWTH_BOTTOM, .px1 = y0 + GROWTH_TOP };
	double x0 = 1, x1 = 10, b0 = (double)MIB, b1 = 2 * (double)MIB, px[MAX_TICKS];
	double top = y0 + GROWTH_TOP, bottom = y0 + GROWTH_BOTTOM, legend_y = top + 8;
	struct ticks tk;
	char id[48], clip[48];
	bool any = scan_range(ch, p, &x0, &x1, &b0, &b1);
	/* The legend runs down to the panel's end; the last entry may say how many more. */
	size_t room = (size_t)((GROWTH_HEIGHT - GROWTH_TOP - 16) / LEGEND_ENTRY), nfits = 0, k = 0;

	for (size_t i = 0; i < ch->c->nfits; i++)
		nfits += ch->c->fits[i].param == p;
	if (nfits > room)
		room--;

	fprintf(f, "<text x=\"16\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\">", y0 + 22);
	fputs("Peak RSS against ", f);
	svg_text(f, name, 0);
	fputs(", log-log; curves: base + c \u00b7 ", f);
	svg_text(f, name, 0);
	fputs("^k fitted to the means</text>\n", f);
	fprintf(f,
		"<rect id=\"growth-%zu-area\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#ffffff\" stroke=\"none\"/>\n",
		panel, GROWTH_LEFT, top, GROWTH_RIGHT - GROWTH_LEFT, bottom - top);
	snprintf(clip, sizeof(clip), "growth-%zu-clip", panel);
	fprintf(f,
		"<clipPath id=\"%s\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\"/>"
		"</clipPath>\n",
		clip, GROWTH_LEFT, top, GROWTH_RIGHT - GROWTH_LEFT, bottom - top);
	log_axis_fit(&ax, x0, x1, 0.05, 0.1);
	log_axis_fit(&ay, b0, b1, 0.08, 0.04);

	number_ticks(&tk, pow(10, ax.lo), pow(10, ax.hi));
	for (size_t i = 0; i < tk.n; i++)
		px[i] = log_px(&ax, tk.t[i].v);
	snprintf(id, sizeof(id), "growth-%zu-x", panel);
	write_grid(f, id, &tk, px, true, top, bottom, bottom + 18);
	size_ticks(&tk, pow(10, ay.lo), pow(10, ay.hi));
	for (size_t i = 0; i < tk.n; i++)
		px[i] = log_px(&ay, tk.t[i].v);
	snprintf(id, sizeof(id), "growth-%zu-y", panel);
	write_grid(f, id, &tk, px, false, GROWTH_LEFT, GROWTH_RIGHT, GROWTH_LEFT - 8);
	write_axis_lines(f, GROWTH_LEFT, top, GROWTH_RIGHT, bottom);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">",
		(GROWTH_LEFT + GROWTH_RIGHT) / 2, bottom + 44);
	svg_text(f, name, 0);
	fputs(" (log scale)</text>\n", f);
	fprintf(f,
		"<text transform=\"translate(20 %.1f) rotate(-90)\" font-size=\"13\" "
		"text-anchor=\"middle\">peak RSS (log scale)</text>\n",
		(top + bottom) / 2);
	if (!any)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"16\" fill=\"#444444\" "
			"text-anchor=\"middle\">no peak to draw on log scales</text>\n",
			(GROWTH_LEFT + GROWTH_RIGHT) / 2, (top + bottom) / 2);

	/* The curves first: no curve hides another group's points. */
	for (size_t i = 0; i < ch->c->nfits; i++) {
		double lo, hi;

		if (ch->c->fits[i].param != p)
			continue;
		if (ch->c->fits[i].known && fit_extent(ch, i, &lo, &hi) && hi > lo)
			write_fit_curve(ch, i, &ax, &ay, lo, hi, group_colours[k % NCOLOURS], clip);
		k++;
	}
	k = 0;
	for (size_t i = 0; i < ch->c->nfits; i++) {
		const char *colour = group_colours[k % NCOLOURS];

		if (ch->c->fits[i].param != p)
			continue;
		k++;
		write_fit_points(ch, i, &ax, &ay, colour);
		if (k <= room) {
			write_fit_legend(ch, i, colour, legend_y);
			legend_y += LEGEND_ENTRY;
		}
	}
	if (nfits > room)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#444444\">"
			"+ %zu more in the report</text>\n",
			LEGEND_X + 32, legend_y + 4, nfits - room);
}

/* ---------------------------------------------------------------- bars */

/* The size axis of the bars: from 0 past every whisker and baseline mark. */
static void bars_axis(const struct chart *ch, struct svg_size_axis *a)
{
	double top = 0;

	for (size_t i = 0; i < ch->c->n; i++) {
		const struct compared *x = &ch->c->v[i];
		const struct baseline_change *b = ch->cr->base ? &ch->cr->base[i] : NULL;

		for (int fig = FIG_PEAK; fig <= FIG_PSS; fig++)
			if (x->has[fig] && x->stats[fig].max > top)
				top = x->stats[fig].max;
		if (b && b->entry && b->entry->has[BASE_PEAK] &&
		    b->entry->stats[BASE_PEAK].mean > top)
			top = b->entry->stats[BASE_PEAK].mean;
	}
	svg_size_axis(a, top, 1.0, 4, 8);
}

static double bar_px(const struct svg_size_axis *a, double bytes)
{
	double v = bytes > 0 ? bytes : 0;

	return BARS_LEFT + v / a->unit / a->top * (BARS_RIGHT - BARS_LEFT);
}

/* One figure of a command: a bar to its mean, the whisker of its runs, its value. */
static void write_bar(const struct chart *ch, size_t i, enum compare_figure fig,
		      const struct svg_size_axis *a, double y)
{
	FILE *f = ch->f;
	const struct compared *x = &ch->c->v[i];
	const struct stats *st = &x->stats[fig];
	const char *key = fig == FIG_PEAK ? "peak" : "pss";
	const char *what = fig == FIG_PEAK ? "peak RSS" : "tree peak PSS";
	char mean[32], sd[32], lo[32], hi[32];
	double mid = y + BAR / 2, end;
	size_t k = ch->rank[i];

	if (!x->has[fig]) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444444\">%s unknown"
			"</text>\n",
			BARS_LEFT + 6, mid + 4, what);
		return;
	}
	size_text(st->mean, mean, sizeof(mean));
	size_text(st->stddev, sd, sizeof(sd));
	size_text(st->min, lo, sizeof(lo));
	size_text(st->max, hi, sizeof(hi));
	fprintf(f,
		"<rect id=\"%s-%zu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		"fill=\"%s\" shape-rendering=\"crispEdges\"><title>%s: mean %s",
		key, k, BARS_LEFT, y, bar_px(a, st->mean) - BARS_LEFT, BAR,
		fig == FIG_PEAK ? COLOUR_PEAK : COLOUR_PSS, what, mean);
	if (st->has_stddev)
		fprintf(f, " \u00b1 %s", sd);
	fprintf(f, ", %s \u2026 %s over %zu run%s</title></rect>\n", lo, hi, st->n,
		st->n == 1 ? "" : "s");
	end = bar_px(a, st->mean);
	if (st->n >= 2 && st->max > st->min) {
		double x0 = bar_px(a, st->min), x1 = bar_px(a, st->max);

		fprintf(f,
			"<g id=\"%s-%zu-range\" stroke=\"" COLOUR_WHISKER
			"\" stroke-width=\"1.5\">\n"
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n</g>\n",
			key, k, x0, mid, x1, mid, x0, mid - 4, x0, mid + 4, x1, mid - 4, x1,
			mid + 4);
		if (x1 > end)
			end = x1;
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" " SVG_HALO ">%s", end + 6, mid + 4,
		mean);
	if (fig == FIG_PEAK && x->rel[fig].known && ch->c->has_least[fig] && ch->c->least[fig] != i)
		fprintf(f, " \u00b7 \u00d7%.2f", x->rel[fig].ratio);
	if (fig == FIG_PEAK && ch->cr->base && ch->cr->base[i].entry &&
	    ch->cr->base[i].rel[BASE_PEAK].known)
		fprintf(f, " \u00b7 %+.1f %% since the baseline",
			ch->cr->base[i].rel[BASE_PEAK].change * 100);
	fputs("</text>\n", f);
}

/* The mark of the baseline's mean peak RSS across the command's peak bar. */
static void write_baseline_mark(const struct chart *ch, size_t i, const struct svg_size_axis *a,
				double y)
{
	const struct baseline_change *b = ch->cr->base ? &ch->cr->base[i] : NULL;
	char then[32];
	double x;

	if (!b || !b->entry || !b->entry->has[BASE_PEAK])
		return;
	x = bar_px(a, b->entry->stats[BASE_PEAK].mean);
	size_text(b->entry->stats[BASE_PEAK].mean, then, sizeof(then));
	fprintf(ch->f,
		"<line id=\"baseline-%zu\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		"stroke=\"" COLOUR_BASELINE "\" stroke-width=\"2.5\"><title>baseline peak RSS %s"
		"</title></line>\n",
		ch->rank[i], x, y - 3, x, y + BAR + 3, then);
}

static void legend_swatch(FILE *f, double x, double y, const char *colour, const char *label)
{
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"12\" fill=\"%s\"/>\n"
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%s</text>\n",
		x, y - 6, colour, x + 20, y + 4, label);
}

static void write_bars_legend(const struct chart *ch, double y)
{
	FILE *f = ch->f;

	legend_swatch(f, BARS_LEFT, y, COLOUR_PEAK, "peak RSS (mean)");
	legend_swatch(f, BARS_LEFT + 140, y, COLOUR_PSS, "tree peak PSS (mean)");
	fprintf(f,
		"<g stroke=\"" COLOUR_WHISKER "\" stroke-width=\"1.5\">"
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>\n"
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">min \u2026 max of the runs</text>\n",
		BARS_LEFT + 310, y, BARS_LEFT + 334, y, BARS_LEFT + 310, y - 4, BARS_LEFT + 310,
		y + 4, BARS_LEFT + 334, y - 4, BARS_LEFT + 334, y + 4, BARS_LEFT + 340, y + 4);
	if (ch->cr->base)
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			"stroke=\"" COLOUR_BASELINE "\" stroke-width=\"2.5\"/>\n"
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">baseline peak RSS</text>\n",
			BARS_LEFT + 500, y - 8, BARS_LEFT + 500, y + 8, BARS_LEFT + 508, y + 4);
}

/*
 * The label of a row: "[K] " and the command line, cut when long
 * (subjects_short_label); under it, how many runs failed, when some did (their figures are
 * in the bars all the same, as in the report).
 */
static void write_row_label(const struct chart *ch, size_t i, double y)
{
	FILE *f = ch->f;
	const struct runs *rs = ch->c->v[i].runs;
	bool failed = rs && rs->failed_runs;
	size_t k = ch->rank[i];
	char num[32], *label;

	snprintf(num, sizeof(num), "[%zu] ", k);
	fprintf(f,
		"<text id=\"label-%zu\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
		"text-anchor=\"end\">%s",
		k, BARS_LEFT - 10, y + (failed ? 16 : ROW / 2 + 4), num);
	label = subjects_short_label(ch->s, ch->c->v[i].subject, ROW_LABEL_CHARS - strlen(num));
	text_middle(f, label ? label : ch->c->v[i].subject->label, ROW_LABEL_CHARS - strlen(num));
	free(label);
	fputs("</text>\n", f);
	if (failed)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"" SVG_COLOUR_LIMIT
			"\" text-anchor=\"end\">%zu of %zu run%s failed</text>\n",
			BARS_LEFT - 10, y + 29, rs->failed_runs, rs->n, rs->n == 1 ? "" : "s");
}

static double bars_height(const struct comparison *c)
{
	return BARS_TOP + (double)(c->n ? c->n : 1) * ROW + BARS_BELOW;
}

static void write_bars(const struct chart *ch, double y0)
{
	FILE *f = ch->f;
	const struct comparison *c = ch->c;
	double top = y0 + BARS_TOP, bottom = top + (double)(c->n ? c->n : 1) * ROW;
	double px[MAX_TICKS];
	struct svg_size_axis a;
	struct ticks tk = { .n = 0 };
	long nt;
	int d;

	bars_axis(ch, &a);
	fprintf(f,
		"<text x=\"16\" y=\"%.1f\" font-size=\"15\" font-weight=\"bold\">"
		"Peak RSS and tree peak PSS of each command</text>\n",
		y0 + 22);
	write_bars_legend(ch, y0 + 44);
	fprintf(f,
		"<rect id=\"bars-area\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#ffffff\" stroke=\"none\"/>\n",
		BARS_LEFT, top, BARS_RIGHT - BARS_LEFT, bottom - top);
	for (size_t k = 1; k < c->n; k += 2)
		fprintf(f,
			"<rect x=\"8\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"" COLOUR_STRIPE
			"\"/>\n",
			top + (double)k * ROW, CHART_WIDTH - 16, ROW);

	/* Ticks are counted, not summed, so the 3rd of 0.1 prints as 0.3. */
	nt = lround(a.top / a.step);
	d = svg_decimals(a.step);
	for (long i = 0; i <= nt && tk.n < MAX_TICKS; i++) {
		struct tick *t = &tk.t[tk.n];

		t->v = (double)i * a.step;
		snprintf(t->label, sizeof(t->label), "%.*f", d, t->v);
		px[tk.n++] = bar_px(&a, t->v * a.unit);
	}
	write_grid(f, "bars-x", &tk, px, true, top, bottom, bottom + 18);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">"
		"memory (%s)</text>\n",
		(BARS_LEFT + BARS_RIGHT) / 2, bottom + 44, units_name(a.unit_index));

	for (size_t k = 0; k < c->n; k++) {
		size_t i = c->order[k];
		double y = top + (double)k * ROW;

		fprintf(f, "<g id=\"row-%zu\">\n<title>[%zu] ", k + 1, k + 1);
		svg_text(f, c->v[i].subject->label, 0);
		fputs("</title>\n", f);
		write_row_label(ch, i, y);
		write_bar(ch, i, FIG_PEAK, &a, y + 5);
		write_bar(ch, i, FIG_PSS, &a, y + 7 + BAR);
		write_baseline_mark(ch, i, &a, y + 5);
		fputs("</g>\n", f);
	}
	if (c->n == 0)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" fill=\"#444444\" "
			"text-anchor=\"middle\">no command was measured</text>\n",
			(BARS_LEFT + BARS_RIGHT) / 2, top + ROW / 2 + 5);
	write_axis_lines(f, BARS_LEFT, top, BARS_RIGHT, bottom);
}

/* ---------------------------------------------------------------- the chart */

/* Is p a scanned parameter with a fit, that gets a panel of its own? */
static bool has_panel(const struct comparison *c, const struct subjects *s, size_t p)
{
	if (!s->params[p].scan)
		return false;
	for (size_t i = 0; i < c->nfits; i++)
		if (c->fits[i].param == p)
			return true;
	return false;
}

static void write_head(const struct chart *ch)
{
	FILE *f = ch->f;
	const struct compare_report *cr = ch->cr;
	size_t n = ch->c->n;

	fprintf(f,
		"<text id=\"title\" x=\"%d\" y=\"32\" font-size=\"18\" font-weight=\"bold\" "
		"text-anchor=\"middle\">maxrss-sc: the peak memory of %zu command%s</text>\n",
		CHART_WIDTH / 2, n, n == 1 ? "" : "s");
	fprintf(f,
		"<text id=\"subtitle\" x=\"%d\" y=\"56\" font-size=\"13\" fill=\"#444444\" "
		"text-anchor=\"middle\">%lu run%s each",
		CHART_WIDTH / 2, cr->planned_runs, cr->planned_runs == 1 ? "" : "s");
	if (cr->warmup_runs)
		fprintf(f, " after %lu warm-up round%s", cr->warmup_runs,
			cr->warmup_runs == 1 ? "" : "s");
	fputs(n > 1 ? ", interleaved" : "", f);
	fputs(" \u00b7 bars: the mean, whiskers: min \u2026 max", f);
	if (cr->base && cr->base_path) {
		fputs(" \u00b7 against ", f);
		svg_text(f, cr->base_path, 40);
	}
	fputs("</text>\n", f);
}

int chart_write_svg(FILE *f, const struct compare_report *cr)
{
	struct chart ch = { .f = f, .cr = cr, .c = cr->c, .s = cr->s };
	double height = HEAD_HEIGHT, y;
	size_t panel = 0;

	ch.rank = calloc(ch.c->n ? ch.c->n : 1, sizeof(*ch.rank));
	if (!ch.rank)
		return -ENOMEM;
	for (size_t k = 0; k < ch.c->n; k++)
		ch.rank[ch.c->order[k]] = k + 1;
	for (size_t p = 0; p < ch.s->nparams; p++)
		if (has_panel(ch.c, ch.s, p))
			height += GROWTH_HEIGHT;
	height += bars_height(ch.c) + 8;

	svg_begin(f, CHART_WIDTH, (int)height);
	fprintf(f, "<title>maxrss-sc: the peak memory of %zu command%s</title>\n", ch.c->n,
		ch.c->n == 1 ? "" : "s");
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", CHART_WIDTH,
		(int)height);
	write_head(&ch);
	y = HEAD_HEIGHT;
	for (size_t p = 0; p < ch.s->nparams; p++)
		if (has_panel(ch.c, ch.s, p)) {
			write_growth(&ch, p, ++panel, y);
			y += GROWTH_HEIGHT;
		}
	write_bars(&ch, y);
	fputs("</svg>\n", f);
	free(ch.rank);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
