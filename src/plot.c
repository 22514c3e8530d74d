#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

	series_add(&c->tree_rss, 0, 0);
	series_add(&c->tree_pss, 0, 0);
	for (size_t i = 0; i < tl->nsums; i++) {
		const struct timeline_sums *p = &tl->sums[i];
		double t = (double)p->t_ns;

		series_add(&c->tree_rss, t, rss);
		series_add(&c->tree_pss, t, pss);
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

/* A horizontal marker across the plot, labelled at its left end. */
static void write_level(FILE *f, const struct chart *c, const char *id, double bytes,
			const char *colour, const char *dash, const char *label)
{
	double y = px_y(c, bytes);

	fprintf(f,
		"<line id=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
		"stroke-width=\"1.5\" stroke-dasharray=\"%s\"/>\n",
		id, AREA_LEFT, y, AREA_RIGHT, y, colour, dash);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"%s\" " HALO ">",
		AREA_LEFT + 6, y - 5, colour);
	svg_text(f, label, 0);
	fputs("</text>\n", f);
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

static void write_markers(FILE *f, const struct chart *c)
{
	const struct image *img = result_peak_image(&c->in->run->pt);
	char size[32], label[320];

	if (img) {
		snprintf(label, sizeof(label), "peak RSS %s (pid %d)",
			 units_format_size(img->peak_rss, size, sizeof(size)), (int)img->pid);
		peak_makeup(img, label, sizeof(label));
		write_level(f, c, "peak-rss", (double)img->peak_rss, COLOUR_PEAK_RSS, "6 4", label);
	}
	if (limit_shown(c)) {
		snprintf(label, sizeof(label), "--fail-above %s",
			 units_format_size(c->in->limit, size, sizeof(size)));
		write_level(f, c, "fail-above", (double)c->in->limit, COLOUR_LIMIT, "10 5", label);
	}
	if (c->has_peak_point && c->peak_v > 0) {
		double x = px_x(c, c->peak_t), y = px_y(c, c->peak_v);
		bool left = x > AREA_RIGHT - 190;

		fprintf(f,
			"<circle id=\"peak\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" "
			"stroke=\"#000000\" stroke-width=\"2\"/>\n",
			x, y);
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"%s\" " HALO
			">tree peak PSS %s</text>\n",
			left ? x - 9 : x + 9, y - 9 < AREA_TOP + 12 ? y + 18 : y - 9,
			left ? "end" : "start",
			units_format_size((uint64_t)c->peak_v, size, sizeof(size)));
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
 * one pid); short_name drops the directories of the program.
 */
static char *image_label(const struct image *img, bool short_name, size_t *len)
{
	size_t cmd_len = 0, from = 0;
	char *cmd = escape_argv_join(img->argv, img->argv_len, img->exe, &cmd_len), *out = NULL;
	FILE *m;

	if (!cmd)
		return NULL;
	/* In the legend, "wl forktree 3" says more than "/tmp/build/tests/w...". */
	if (short_name)
		for (size_t i = 0; i < cmd_len && cmd[i] != ' '; i++)
			if (cmd[i] == '/' && i + 1 < cmd_len && cmd[i + 1] != ' ')
				from = i + 1;
	m = open_memstream(&out, len);
	if (m) {
		fprintf(m, "pid %d ", (int)img->pid);
		fwrite(cmd + from, 1, cmd_len - from, m);
		if (fclose(m)) {
			free(out);
			out = NULL;
		}
	}
	free(cmd);
	return out;
}

static void write_legend(FILE *f, const struct chart *c)
{
	const struct proctable *pt = &c->in->run->pt;
	const struct image *img = result_peak_image(pt);
	char size[32], label[96];
	double y = AREA_TOP + 8;

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
		char *l = image_label(pt->images[c->proc_img[k]], true, &len);

		if (l)
			legend_entry(f, y, process_colours[k], NULL, l, len);
		free(l);
		y += 22;
	}
	if (c->nsampled > c->nproc && c->nproc) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" fill=\"#444444\">"
			"+ %zu more in the tree sums</text>\n",
			LEGEND_X + 32, y + 4, c->nsampled - c->nproc);
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
	for (size_t k = c->nproc; k-- > 0;) {
		char id[32];
		size_t len = 0;
		char *label = image_label(c->in->run->pt.images[c->proc_img[k]], false, &len);

		snprintf(id, sizeof(id), "process-%zu", k + 1);
		write_series(f, c, &c->proc[k], id, process_colours[k], 2, label ? label : "");
		free(label);
	}
	write_series(f, c, &c->tree_rss, "tree-rss", COLOUR_TREE_RSS, 2.5, "tree RSS");
	write_series(f, c, &c->tree_pss, "tree-pss", COLOUR_TREE_PSS, 2.5, "tree PSS");
	if (c->nev == 0)
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"16\" fill=\"#444444\" "
			"text-anchor=\"middle\">no sample was taken</text>\n",
			(AREA_LEFT + AREA_RIGHT) / 2, (AREA_TOP + AREA_BOTTOM) / 2);
	write_markers(f, c);
	write_legend(f, c);
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
