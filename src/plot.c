#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmdfit.h"
#include "escape.h"
#include "plot.h"
#include "svg.h"
#include "units.h"
#include "util.h"

/* The axes' box inside the PLOT_WIDTH x PLOT_HEIGHT chart; the legend is on its right. */
#define AREA_LEFT 84.0
#define AREA_RIGHT 740.0
#define AREA_TOP 84.0
#define AREA_BOTTOM 560.0
#define LEGEND_X 762.0

/* Characters kept of the title, and of a legend label (about 210 units at 12 px). */
#define TITLE_CHARS 90
#define LABEL_CHARS 30

#define COLOUR_TREE_PSS SVG_COLOUR_PSS
#define COLOUR_TREE_RSS SVG_COLOUR_RSS
#define COLOUR_PEAK_RSS "#555555"
#define COLOUR_LIMIT SVG_COLOUR_LIMIT
#define HALO SVG_HALO

/* Distinct from the tree's colours and the limit's, so every series can be told apart. */
static const char *const process_colours[PLOT_MAX_PROCESSES] = {
	"#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf",
};

/* ---------------------------------------------------------------- data */

/* A point of a series: nanoseconds since time 0, bytes. */
struct point {
	double t, v;
};

struct series {
	struct point *p;
	size_t n, cap;
	double max;
	int err;
};

static void series_add(struct series *s, double t, double v)
{
	if (s->err || util_grow((void **)&s->p, &s->cap, s->n + 1, sizeof(*s->p))) {
		s->err = -ENOMEM;
		return;
	}
	s->p[s->n].t = t;
	s->p[s->n].v = v;
	s->n++;
	if (v > s->max)
		s->max = v;
}

/* What happened to an image at one time: a sample, or its end. */
struct event {
	uint64_t t_ns;
	bool end;
	size_t order; /* ties: samples before ends, then in the order they came */
	size_t img;   /* index in pt->images */
	uint64_t rss;
};

struct image_state {
	bool sampled; /* it has a sample in the timeline */
	bool ended;
	uint64_t rss;
	uint64_t max_rss; /* its largest sample */
	int slot;	  /* its series, or -1 */
	bool drawn;	  /* its series has a point */
};

struct image_key {
	uintptr_t ptr;
	size_t index;
};

struct chart {
	const struct plot_input *in;
	struct image_state *st;
	struct event *ev;
	size_t nev;
	struct series tree_pss, tree_rss, proc[PLOT_MAX_PROCESSES];
	size_t proc_img[PLOT_MAX_PROCESSES];
	size_t nproc, nsampled;
	double peak_t, peak_v;
	bool has_peak_point;
	double t_end; /* ns, the right end of the data */
	/* Axes. */
	double x_top, x_unit, x_step; /* in x_unit: seconds or milliseconds */
	bool x_ms;
	struct svg_size_axis y;
};

static int cmp_key(const void *a, const void *b)
{
	uintptr_t x = ((const struct image_key *)a)->ptr, y = ((const struct image_key *)b)->ptr;

	return (x > y) - (x < y);
}

static int cmp_event(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	if (x->end != y->end)
		return x->end ? 1 : -1;
	return (x->order > y->order) - (x->order < y->order);
}

static int cmp_by_max_rss(const void *a, const void *b, void *arg)
{
	const struct image_state *st = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (st[x].max_rss != st[y].max_rss)
		return st[x].max_rss > st[y].max_rss ? -1 : 1;
	return (x > y) - (x < y);
}

/* The events of the run, in time order; each sample names its image by index. */
static int collect_events(struct chart *c)
{
	const struct proctable *pt = &c->in->run->pt;
	const struct timeline *tl = &c->in->run->tl;
	struct image_key *keys = malloc((pt->nimages ? pt->nimages : 1) * sizeof(*keys));
	size_t order = 0;

	c->ev = malloc((tl->n + pt->nimages + 1) * sizeof(*c->ev));
	if (!keys || !c->ev) {
		free(keys);
		return -ENOMEM;
	}
	for (size_t i = 0; i < pt->nimages; i++) {
		keys[i].ptr = (uintptr_t)pt->images[i];
		keys[i].index = i;
	}
	qsort(keys, pt->nimages, sizeof(*keys), cmp_key);
	for (size_t i = 0; i < tl->n; i++) {
		struct image_key want = { (uintptr_t)tl->v[i].img, 0 }, *k;
		struct event *e;

		k = bsearch(&want, keys, pt->nimages, sizeof(*keys), cmp_key);
		if (!k)
			continue; /* not an image of this table: nothing to draw */
		e = &c->ev[c->nev++];
		e->t_ns = tl->v[i].t_ns;
		e->end = false;
		e->order = order++;
		e->img = k->index;
		e->rss = tl->v[i].rss;
		if (!c->st[k->index].sampled)
			c->nsampled++;
		c->st[k->index].sampled = true;
		if (e->rss > c->st[k->index].max_rss)
			c->st[k->index].max_rss = e->rss;
	}
	free(keys);
	for (size_t i = 0; i < pt->nimages; i++) {
		const struct image *img = pt->images[i];
		struct event *e;

		if (!c->st[i].sampled || img->end == IMAGE_RUNNING)
			continue;
		e = &c->ev[c->nev++];
		e->t_ns = img->end_ns;
		e->end = true;
		e->order = order++;
		e->img = i;
		e->rss = 0;
	}
	qsort(c->ev, c->nev, sizeof(*c->ev), cmp_event);
	return 0;
}

/* The largest images get a series of their own, when there is more than one image. */
static int choose_processes(struct chart *c)
{
	const struct proctable *pt = &c->in->run->pt;
	size_t *order, n = 0;

	for (size_t i = 0; i < pt->nimages; i++)
		c->st[i].slot = -1;
	if (c->nsampled < 2)
		return 0;
	order = malloc(c->nsampled * sizeof(*order));
	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < pt->nimages; i++)
		if (c->st[i].sampled)
			order[n++] = i;
	qsort_r(order, n, sizeof(*order), cmp_by_max_rss, c->st);
	for (size_t k = 0; k < n && k < PLOT_MAX_PROCESSES; k++) {
		c->st[order[k]].slot = (int)k;
		c->proc_img[k] = order[k];
		c->nproc++;
	}
	free(order);
	return 0;
}

/*
 * The images' own series: each image's latest sample from that sample to
 * its end, step functions.
 */
static void sweep_images(struct chart *c)
{
	for (size_t i = 0; i < c->nev; i++) {
		const struct event *e = &c->ev[i];
		struct image_state *s = &c->st[e->img];
		struct series *own = s->slot >= 0 ? &c->proc[s->slot] : NULL;
		double t = (double)e->t_ns;

		if (s->ended)
			continue; /* a sample after the end leaves the image's series alone */
		if (own && s->drawn)
			series_add(own, t, (double)s->rss);
		if (e->end) {
			s->ended = true;
			if (own)
				series_add(own, t, 0);
		} else {
			s->rss = e->rss;
			if (own) {
				series_add(own, t, (double)s->rss);
				s->drawn = true;
			}
		}
		if (t > c->t_end)
			c->t_end = t;
	}
}

/*
 * The tree sums exactly as the proctable had them when it took its peaks
 * (the timeline's sums points): also step functions.  The highest PSS point
 * is the report's tree peak PSS.
 */
static void sweep_tree(struct chart *c)
{
	const struct timeline *tl = &c->in->run->tl;
	double rss = 0, pss = 0;

	/* Nothing was measured before the first sums: the lines start there, not at a 0. */
	for (size_t i = 0; i < tl->nsums; i++) {
		const struct timeline_sums *p = &tl->sums[i];
		double t = (double)p->t_ns;

		if (i) {
			series_add(&c->tree_rss, t, rss);
			series_add(&c->tree_pss, t, pss);
		}
		rss = (double)p->rss;
		pss = (double)p->pss;
		series_add(&c->tree_rss, t, rss);
		series_add(&c->tree_pss, t, pss);
		if (!c->has_peak_point || pss > c->peak_v) {
			c->peak_t = t;
			c->peak_v = pss;
			c->has_peak_point = true;
		}
		if (t > c->t_end)
			c->t_end = t;
	}
}

static void sweep(struct chart *c)
{
	sweep_images(c);
	sweep_tree(c);
	if ((double)c->in->run->res.wall_ns > c->t_end)
		c->t_end = (double)c->in->run->res.wall_ns;
	series_add(&c->tree_rss, c->t_end, c->tree_rss.n ? c->tree_rss.p[c->tree_rss.n - 1].v : 0);
	series_add(&c->tree_pss, c->t_end, c->tree_pss.n ? c->tree_pss.p[c->tree_pss.n - 1].v : 0);
}

/* ---------------------------------------------------------------- axes */

/* Is the --fail-above line near enough to the data to be drawn without crushing it? */
static bool limit_near(const struct chart *c, double data_max)
{
	return c->in->has_limit && (double)c->in->limit <= 2 * data_max;
}

/* Is it within the axis, once scaled? */
static bool limit_shown(const struct chart *c)
{
	return c->in->has_limit && (double)c->in->limit <= c->y.top * c->y.unit;
}

static void scale_axes(struct chart *c)
{
	const struct image *peak = result_peak_image(&c->in->run->pt);
	double top = c->tree_rss.max, range;

	if (peak && (double)peak->peak_rss > top)
		top = (double)peak->peak_rss;
	for (size_t k = 0; k < c->nproc; k++)
		if (c->proc[k].max > top)
			top = c->proc[k].max;
	if (top <= 0)
		top = (double)MIB; /* nothing measured: an empty 1 MiB axis */
	if (limit_near(c, top) && (double)c->in->limit > top)
		top = (double)c->in->limit;
	/* Headroom above the highest line for the peak's label. */
	svg_size_axis(&c->y, top, 1.12, 4, 8);

	if (c->t_end <= 0)
		c->t_end = 1e6; /* 1 ms: an instant still gets an axis */
	c->x_ms = c->t_end < 1e9;
	c->x_unit = c->x_ms ? 1e6 : 1e9;
	range = c->t_end / c->x_unit;
	c->x_step = svg_nice_step(range, 5, 12);
	c->x_top = ceil(range / c->x_step - 1e-9) * c->x_step;
}

static double px_x(const struct chart *c, double t_ns)
{
	return AREA_LEFT + t_ns / c->x_unit / c->x_top * (AREA_RIGHT - AREA_LEFT);
}

static double px_y(const struct chart *c, double bytes)
{
	return AREA_BOTTOM - bytes / c->y.unit / c->y.top * (AREA_BOTTOM - AREA_TOP);
}

/* ---------------------------------------------------------------- SVG */

/*
 * Points of a polyline, thinned per pixel column: a long run has far more
 * samples than the chart has columns, so each column keeps its first and
 * last point and its extremes, in order, which draws the same envelope.
 */
struct thin {
	FILE *f;
	bool open, written;
	long col;
	double first_x, first_y, last_x, last_y, lo, hi;
	unsigned lo_seq, hi_seq, seq;
	double out_x, out_y; /* the last point written */
};

static void thin_emit(struct thin *th, double x, double y)
{
	if (th->written && fabs(x - th->out_x) < 0.05 && fabs(y - th->out_y) < 0.05)
		return;
	fprintf(th->f, "%s%.1f,%.1f", th->written ? " " : "", x, y);
	th->written = true;
	th->out_x = x;
	th->out_y = y;
}

static void thin_flush(struct thin *th)
{
	if (!th->open)
		return;
	thin_emit(th, th->first_x, th->first_y);
	if (th->lo_seq <= th->hi_seq) {
		thin_emit(th, th->last_x, th->lo);
		thin_emit(th, th->last_x, th->hi);
	} else {
		thin_emit(th, th->last_x, th->hi);
		thin_emit(th, th->last_x, th->lo);
	}
	thin_emit(th, th->last_x, th->last_y);
	th->open = false;
}

static void thin_point(struct thin *th, double x, double y)
{
	long col = (long)floor(x);

	if (th->open && col != th->col)
		thin_flush(th);
	th->seq++;
	if (!th->open) {
		th->open = true;
		th->col = col;
		th->first_x = x;
		th->first_y = y;
		th->lo = th->hi = y;
		th->lo_seq = th->hi_seq = th->seq;
	}
	/* SVG y grows downwards: "lo" is the smallest y, the highest value. */
	if (y < th->lo) {
		th->lo = y;
		th->lo_seq = th->seq;
	}
	if (y > th->hi) {
		th->hi = y;
		th->hi_seq = th->seq;
	}
	th->last_x = x;
	th->last_y = y;
}

static void write_series(FILE *f, const struct chart *c, const struct series *s, const char *id,
			 const char *colour, double width, const char *tooltip)
{
	struct thin th = { .f = f };

	if (s->n < 2)
		return;
	fprintf(f,
		"<polyline id=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" "
		"stroke-linejoin=\"round\" points=\"",
		id, colour, width);
	for (size_t i = 0; i < s->n; i++)
		thin_point(&th, px_x(c, s->p[i].t), px_y(c, s->p[i].v));
	thin_flush(&th);
	fputs("\"><title>", f);
	svg_text(f, tooltip, 0);
	fputs("</title></polyline>\n", f);
}

static void write_axes(FILE *f, const struct chart *c)
{
	int xd = svg_decimals(c->x_step), yd = svg_decimals(c->y.step);
	/* The tops are whole multiples of the steps (scale_axes). */
	long nx = lround(c->x_top / c->x_step), ny = lround(c->y.top / c->y.step);

	fprintf(f,
		"<rect id=\"plot-area\" x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" "
		"fill=\"#ffffff\" stroke=\"none\"/>\n",
		AREA_LEFT, AREA_TOP, AREA_RIGHT - AREA_LEFT, AREA_BOTTOM - AREA_TOP);
	/* Ticks are counted, not summed, so the 3rd of 0.1 prints as 0.3. */
	fputs("<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n", f);
	for (long i = 1; i <= ny; i++) {
		double y = px_y(c, (double)i * c->y.step * c->y.unit);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", AREA_LEFT,
			y, AREA_RIGHT, y);
	}
	for (long i = 1; i <= nx; i++) {
		double x = px_x(c, (double)i * c->x_step * c->x_unit);

		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x, AREA_TOP,
			x, AREA_BOTTOM);
	}
	fputs("</g>\n", f);
	fprintf(f,
		"<path d=\"M%.1f,%.1f V%.1f H%.1f\" fill=\"none\" stroke=\"#222222\" "
		"stroke-width=\"1.5\"/>\n",
		AREA_LEFT, AREA_TOP, AREA_BOTTOM, AREA_RIGHT);

	fputs("<g font-size=\"12\" fill=\"#333333\">\n", f);
	for (long i = 0; i <= ny; i++) {
		double v = (double)i * c->y.step;

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.*f</text>\n",
			AREA_LEFT - 8, px_y(c, v * c->y.unit) + 4, yd, v);
	}
	for (long i = 0; i <= nx; i++) {
		double v = (double)i * c->x_step;

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.*f</text>\n",
			px_x(c, v * c->x_unit), AREA_BOTTOM + 18, xd, v);
	}
	fputs("</g>\n", f);
	fprintf(f,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"13\" text-anchor=\"middle\">"
		"time since the command started (%s)</text>\n",
		(AREA_LEFT + AREA_RIGHT) / 2, AREA_BOTTOM + 44, c->x_ms ? "ms" : "s");
	fprintf(f,
		"<text transform=\"translate(24 %.1f) rotate(-90)\" font-size=\"13\" "
		"text-anchor=\"middle\">memory (%s)</text>\n",
		(AREA_TOP + AREA_BOTTOM) / 2, units_name(c->y.unit_index));
}

static void write_title(FILE *f, const struct chart *c)
{
	const struct tracer_result *res = &c->in->run->res;
	const struct proctable *pt = &c->in->run->pt;
	char ended[64], took[32];

	fprintf(f,
		"<text id=\"title\" x=\"%d\" y=\"32\" font-size=\"18\" font-weight=\"bold\" "
		"text-anchor=\"middle\">",
		PLOT_WIDTH / 2);
	{
		/* The command line as one string, cut as a whole. */
		size_t len = 0;
		char *line = escape_command_join(c->in->run->command, &len);

		if (line)
			escape_xml_text(f, line, len, TITLE_CHARS);
		free(line);
	}
	fputs("</text>\n", f);
	fprintf(f,
		"<text id=\"subtitle\" x=\"%d\" y=\"56\" font-size=\"13\" fill=\"#444444\" "
		"text-anchor=\"middle\">",
		PLOT_WIDTH / 2);
	fprintf(f, "%s after %s",
		result_ended(res->exited, res->exit_code, res->signal, false, ended, sizeof(ended)),
		units_format_duration((double)res->wall_ns / 1e9, took, sizeof(took)));
	fprintf(f, " \u00b7 %zu process%s \u00b7 %zu sample%s", pt->nprocesses,
		pt->nprocesses == 1 ? "" : "es", c->in->run->tl.n,
		c->in->run->tl.n == 1 ? "" : "s");
	if (c->in->note) {
		fputs(" \u00b7 ", f);
		svg_text(f, c->in->note, 0);
	}
	fputs("</text>\n", f);
}

/* ---------------------------------------------------------------- labels */

/* Width of a 12 px label of n characters, a little more than DejaVu Sans needs. */
#define LABEL_PX_PER_CHAR 7.0
#define LABEL_PX_HIGH 14.0

/* The labels placed so far: the next keeps off them too. */
struct placed {
	double x0[4], y0[4], x1[4], y1[4];
	size_t n;
};

static bool crosses(double ax0, double ay0, double ax1, double ay1, double bx0, double by0,
		    double bx1, double by1)
{
	return ax0 <= bx1 && bx0 <= ax1 && ay0 <= by1 && by0 <= ay1;
}

/*
 * How much data a label's box covers: the segments of every series (step
 * functions: horizontal and vertical, so their boxes are them) that cross
 * it, and a hundred for each label already placed there or for leaving the
 * plot area.
 */
static double ink(const struct chart *c, const struct placed *pl, double x0, double y0, double x1,
		  double y1)
{
	const struct series *all[PLOT_MAX_PROCESSES + 2] = { &c->tree_pss, &c->tree_rss };
	double n = 0;

	for (size_t k = 0; k < c->nproc; k++)
		all[2 + k] = &c->proc[k];
	if (x0 < AREA_LEFT || x1 > AREA_RIGHT || y0 < AREA_TOP - 20 || y1 > AREA_BOTTOM)
		n += 100;
	for (size_t i = 0; i < pl->n; i++)
		if (crosses(x0, y0, x1, y1, pl->x0[i], pl->y0[i], pl->x1[i], pl->y1[i]))
			n += 100;
	for (size_t k = 0; k < c->nproc + 2; k++)
		for (size_t i = 1; i < all[k]->n; i++) {
			double ax = px_x(c, all[k]->p[i - 1].t), ay = px_y(c, all[k]->p[i - 1].v);
			double bx = px_x(c, all[k]->p[i].t), by = px_y(c, all[k]->p[i].v);

			if (crosses(x0, y0, x1, y1, fmin(ax, bx), fmin(ay, by), fmax(ax, bx),
				    fmax(ay, by)))
				n++;
		}
	return n;
}

/*
 * Write label (its attributes attrs) at the first of the n candidate
 * anchors (x, baseline y, anchored at its end when end[i]) whose box
 * covers the least data, and keep its box in pl.
 */
static void place_label(FILE *f, const struct chart *c, struct placed *pl, const char *label,
			const char *attrs, const double *x, const double *y, const bool *end,
			size_t n)
{
	double w = (double)escape_utf8_chars(label, strlen(label)) * LABEL_PX_PER_CHAR, best = -1;
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		double x0 = end[i] ? x[i] - w : x[i];
		double v = ink(c, pl, x0, y[i] - LABEL_PX_HIGH + 3, x0 + w, y[i] + 3);

		if (best < 0 || v < best) {
			best = v;
			at = i;
		}
	}
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"%s\" %s " HALO ">",
		x[at], y[at], end[at] ? "end" : "start", attrs);
	svg_text(f, label, 0);
	fputs("</text>\n", f);
	if (pl->n < sizeof(pl->x0) / sizeof(pl->x0[0])) {
		double x0 = end[at] ? x[at] - w : x[at];

		pl->x0[pl->n] = x0;
		pl->x1[pl->n] = x0 + w;
		pl->y0[pl->n] = y[at] - LABEL_PX_HIGH + 3;
		pl->y1[pl->n++] = y[at] + 3;
	}
}

/* A horizontal marker across the plot, its label above or below it where it covers least. */
static void write_level(FILE *f, const struct chart *c, struct placed *pl, const char *id,
			double bytes, const char *colour, const char *dash, const char *label)
{
	double y = px_y(c, bytes), mid = (AREA_LEFT + AREA_RIGHT) / 2;
	const double xs[] = {
		AREA_LEFT + 6, AREA_RIGHT - 6, mid, AREA_LEFT + 6, AREA_RIGHT - 6, mid
	};
	const double ys[] = { y - 5, y - 5, y - 5, y + 15, y + 15, y + 15 };
	const bool ends[] = { false, true, false, false, true, false };
	char attrs[64];

	fprintf(f,
		"<line id=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"1.5\" stroke-dasharray=\"%s\"/>\n",
		id, AREA_LEFT, y, AREA_RIGHT, y, colour, dash);
	snprintf(attrs, sizeof(attrs), "id=\"%s-label\" fill=\"%s\"", id, colour);
	place_label(f, c, pl, label, attrs, xs, ys, ends, sizeof(xs) / sizeof(xs[0]));
}

/* -b: ", of which 34.1 MiB anonymous, 5.1 MiB libpython3.11.so" after label: its two largest groups. */
static void peak_makeup(const struct image *img, char *label, size_t len)
{
	const struct smaps *bd = img->breakdown;
	char size[32];
	size_t used;

	if (!bd)
		return;
	used = strlen(label);
	/* Not of the peak: say of what sample it is (the peak was between samples). */
	if (!img->breakdown_of_peak)
		snprintf(label + used, len - used, "; at a sample of %s",
			 units_format_size(bd->rss, size, sizeof(size)));
	for (size_t i = 0; i < bd->n && i < 2; i++) {
		char name[96];

		used = strlen(label);
		smaps_group_label(&bd->v[i], true, name, sizeof(name));
		snprintf(label + used, len - used, "%s%s %s", i ? ", " : ": ",
			 units_format_size(bd->v[i].rss, size, sizeof(size)), name);
	}
}

/*
 * Where a tree sum's reported peak is above every sum drawn (the counter,
 * VmHWM, saw it between samples, or a floor raised it): a dashed line from
 * the curve up to the reported value at t, so the part no sample saw is
 * drawn as such.
 */
static void counter_part(FILE *f, const struct chart *c, const char *id, double t, double drawn,
			 double reported, const char *colour)
{
	double x = px_x(c, t);

	fprintf(f,
		"<line id=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"2.5\" stroke-dasharray=\"3 3\"><title>seen only by the kernel's "
		"counter (VmHWM), between samples</title></line>\n",
		id, x, px_y(c, drawn), x, px_y(c, reported), colour);
}

/* When the tree RSS series is highest, and how high. */
static void series_top(const struct series *s, double *t, double *v)
{
	*t = 0;
	*v = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].v > *v) {
			*v = s->p[i].v;
			*t = s->p[i].t;
		}
}

static void write_markers(FILE *f, const struct chart *c)
{
	const struct proctable *pt = &c->in->run->pt;
	const struct image *img = result_peak_image(pt);
	char size[32], label[320];
	struct placed pl = { .n = 0 };
	double rss_t, rss_v;

	/* The counter's part of the tree RSS: the report's figure, above the samples drawn. */
	series_top(&c->tree_rss, &rss_t, &rss_v);
	if (c->tree_rss.n && (double)pt->tree_peak_rss > rss_v + 0.5)
		counter_part(f, c, "tree-rss-counter", rss_t, rss_v, (double)pt->tree_peak_rss,
			     COLOUR_TREE_RSS);
	if (img) {
		snprintf(label, sizeof(label), "peak RSS %s (pid %d)",
			 units_format_size(img->peak_rss, size, sizeof(size)), (int)img->pid);
		peak_makeup(img, label, sizeof(label));
		write_level(f, c, &pl, "peak-rss", (double)img->peak_rss, COLOUR_PEAK_RSS, "6 4",
			    label);
	}
	if (limit_shown(c)) {
		snprintf(label, sizeof(label), "--fail-above %s",
			 units_format_size(c->in->limit, size, sizeof(size)));
		write_level(f, c, &pl, "fail-above", (double)c->in->limit, COLOUR_LIMIT, "10 5",
			    label);
	}
	if (c->has_peak_point && pt->tree_peak_pss > 0) {
		/* The mark is at the report's figure; what no sample saw is drawn dashed. */
		double reported = (double)pt->tree_peak_pss > c->peak_v ?
					  (double)pt->tree_peak_pss :
					  c->peak_v;
		double x = px_x(c, c->peak_t), y = px_y(c, reported);
		const double xs[] = { x + 9, x - 9, x + 9, x - 9, x + 9, x - 9 };
		const double ys[] = { y - 9, y - 9, y + 18, y + 18, y - 26, y - 26 };
		const bool ends[] = { false, true, false, true, false, true };

		if (reported > c->peak_v + 0.5)
			counter_part(f, c, "tree-pss-counter", c->peak_t, c->peak_v, reported,
				     COLOUR_TREE_PSS);
		fprintf(f,
			"<circle id=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" "
			"stroke=\"#000000\" stroke-width=\"2\"/>\n",
			x, y);
		snprintf(label, sizeof(label), "tree peak PSS %s%s",
			 units_format_size((uint64_t)reported, size, sizeof(size)),
			 reported > c->peak_v + 0.5 ? " (above the samples: estimated)" : "");
		place_label(f, c, &pl, label, "id=\"peak-label\"", xs, ys, ends,
			    sizeof(xs) / sizeof(xs[0]));
	}
}

static void legend_entry(FILE *f, double y, const char *colour, const char *dash, const char *label,
			 size_t label_len)
{
	fprintf(f,
		"<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"3\"%s%s%s/>\n",
		LEGEND_X, y, LEGEND_X + 24, y, colour, dash ? " stroke-dasharray=\"" : "",
		dash ? dash : "", dash ? "\"" : "");
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", LEGEND_X + 32, y + 4);
	escape_xml_text(f, label, label_len, LABEL_CHARS);
	fputs("</text>\n", f);
}

/*
 * "pid 4242 ./prog arg" for an image (the command tells apart the images of
 * one pid); with fit, fitted to the legend: the program's name and the
 * arguments that tell it from the other lines of that program ("pid 12
 * cc1 … src/util.c …"), not the first 30 characters they all share.
 */
static char *image_label(const struct image *img, const struct cmdfit *fit, size_t *len)
{
	size_t cmd_len = 0;
	char *cmd, *out = NULL, head[32], fitted[LABEL_CHARS * 4 + 8];
	FILE *m;

	snprintf(head, sizeof(head), "pid %d ", (int)img->pid);
	if (fit)
		cmd = strdup(cmdfit_line(fit, img->argv, img->argv_len, img->exe,
					 LABEL_CHARS - strlen(head), fitted, sizeof(fitted)));
	else
		cmd = escape_argv_join(img->argv, img->argv_len, img->exe, &cmd_len);
	if (!cmd)
		return NULL;
	m = open_memstream(&out, len);
	if (m) {
		fputs(head, m);
		fputs(cmd, m);
		if (fclose(m)) {
			free(out);
			out = NULL;
		}
	}
	free(cmd);
	return out;
}

/* The processes of the tree that have no series of their own. */
static size_t processes_not_drawn(const struct chart *c)
{
	size_t drawn = 0;

	for (size_t k = 0; k < c->nproc; k++) {
		bool again = false;

		for (size_t j = 0; j < k; j++)
			again |= c->in->run->pt.images[c->proc_img[j]]->pid ==
				 c->in->run->pt.images[c->proc_img[k]]->pid;
		drawn += !again;
	}
	return c->in->run->pt.nprocesses > drawn ? c->in->run->pt.nprocesses - drawn : 0;
}

static void write_legend(FILE *f, const struct chart *c, const struct cmdfit *fit)
{
	const struct proctable *pt = &c->in->run->pt;
	const struct image *img = result_peak_image(pt);
	char size[32], label[96];
	double y = AREA_TOP + 8;
	size_t more = processes_not_drawn(c);

	snprintf(label, sizeof(label), "tree PSS (peak %s)",
		 units_format_size(pt->tree_peak_pss, size, sizeof(size)));
	legend_entry(f, y, COLOUR_TREE_PSS, NULL, label, strlen(label));
	y += 22;
	snprintf(label, sizeof(label), "tree RSS (peak %s)",
		 units_format_size(pt->tree_peak_rss, size, sizeof(size)));
	legend_entry(f, y, COLOUR_TREE_RSS, NULL, label, strlen(label));
	y += 22;
	for (size_t k = 0; k < c->nproc; k++) {
		size_t len = 0;
		char *l = image_label(pt->images[c->proc_img[k]], fit, &len);

		if (l)
			legend_entry(f, y, process_colours[k], NULL, l, len);
		free(l);
		y += 22;
	}
	/* Counted as the report counts: processes, not images. */
	if (more && c->nproc) {
		fprintf(f,
			"<text id=\"legend-more\" x=\"%.1f\" y=\"%.1f\" font-size=\"12\" "
			"fill=\"#444444\">+ %zu more process%s<title>in the tree sums, without "
			"a line of their own</title></text>\n",
			LEGEND_X + 32, y + 4, more, more == 1 ? "" : "es");
		y += 22;
	}
	y += 8;
	if (img) {
		snprintf(label, sizeof(label), "peak RSS %s",
			 units_format_size(img->peak_rss, size, sizeof(size)));
		legend_entry(f, y, COLOUR_PEAK_RSS, "6 4", label, strlen(label));
		y += 22;
	}
	if (c->in->has_limit) {
		snprintf(label, sizeof(label), "--fail-above %s",
			 units_format_size(c->in->limit, size, sizeof(size)));
		legend_entry(f, y, COLOUR_LIMIT, "10 5", label, strlen(label));
		if (!limit_shown(c))
			fprintf(f,
				"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#444444\">"
				"(far above the chart)</text>\n",
				LEGEND_X + 32, y + 20);
	}
}

static void write_svg(FILE *f, const struct chart *c)
{
	char *const *cmd = c->in->run->command;
	struct cmdfit fit;

	svg_begin(f, PLOT_WIDTH, PLOT_HEIGHT);
	fputs("<title>maxrss-sc:", f);
	for (size_t i = 0; cmd[i]; i++) {
		fputc(' ', f);
		svg_text(f, cmd[i], 0);
	}
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", PLOT_WIDTH,
		PLOT_HEIGHT);
	write_title(f, c);
	write_axes(f, c);
	/*
	 * The tree's lines first, wider: a process that makes most of the tree
	 * (its line on the tree's) stays visible on top of them.
	 */
	write_series(f, c, &c->tree_rss, "tree-rss", COLOUR_TREE_RSS, 3.5, "tree RSS");
	write_series(f, c, &c->tree_pss, "tree-pss", COLOUR_TREE_PSS, 3.5, "tree PSS");
	for (size_t k = c->nproc; k-- > 0;) {
		char id[32];
		size_t len = 0;
		char *label = image_label(c->in->run->pt.images[c->proc_img[k]], NULL, &len);

		snprintf(id, sizeof(id), "process-%zu", k + 1);
		write_series(f, c, &c->proc[k], id, process_colours[k], 2, label ? label : "");
		free(label);
	}
	if (c->nev == 0)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"16\" fill=\"#444444\" "
			"text-anchor=\"middle\">no sample was taken</text>\n",
			(AREA_LEFT + AREA_RIGHT) / 2, (AREA_TOP + AREA_BOTTOM) / 2);
	write_markers(f, c);
	cmdfit_init(&fit);
	cmdfit_add_table(&fit, &c->in->run->pt);
	write_legend(f, c, &fit);
	cmdfit_free(&fit);
	fputs("</svg>\n", f);
}

int plot_write_svg(FILE *f, const struct plot_input *in)
{
	struct chart c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.in = in;
	c.st = calloc(in->run->pt.nimages ? in->run->pt.nimages : 1, sizeof(*c.st));
	rc = c.st ? collect_events(&c) : -ENOMEM;
	if (rc == 0)
		rc = choose_processes(&c);
	if (rc == 0) {
		sweep(&c);
		rc = c.tree_pss.err ? c.tree_pss.err : c.tree_rss.err;
		for (size_t k = 0; k < c.nproc; k++)
			if (c.proc[k].err)
				rc = c.proc[k].err;
	}
	if (rc == 0) {
		scale_axes(&c);
		write_svg(f, &c);
		fflush(f);
		rc = ferror(f) ? -EIO : 0;
	}
	free(c.st);
	free(c.ev);
	free(c.tree_pss.p);
	free(c.tree_rss.p);
	for (size_t k = 0; k < PLOT_MAX_PROCESSES; k++)
		free(c.proc[k].p);
	return rc;
}
