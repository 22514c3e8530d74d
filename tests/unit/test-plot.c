/*
 * Unit tests of plot: the SVG of a hand-built run is well-formed XML (read
 * by the strict reader in tests/lib/xml.c, itself tested here), draws the
 * series and markers it promises where the data says, and escapes the
 * command.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../lib/xml.h"
#include "plot.h"
#include "proctable.h"
#include "result.h"
#include "timeline.h"

#define MIB (1024ULL * 1024)
#define MS 1000000ULL
#define T0 (3 * 1000 * MS)
#define FFFD "\xEF\xBF\xBD"

/* ------------------------------------------------------------------ the XML reader */

static bool well_formed(const char *text)
{
	char err[256];
	struct xml_node *n = xml_parse(text, strlen(text), err, sizeof(err));

	xml_free(n);
	return n != NULL;
}

Test(xml_reader, accepts_good_documents)
{
	cr_assert(well_formed("<a/>"));
	cr_assert(well_formed("<?xml version=\"1.0\"?>\n<a x='1' y=\"&amp;&lt;&#65;&#x42;\">t<b/>"
			      "<!-- c --></a>\n"));
	cr_assert(well_formed("<a>caf\xC3\xA9 \xE2\x80\xA6</a>"));
}

Test(xml_reader, rejects_bad_documents)
{
	cr_assert_not(well_formed(""));
	cr_assert_not(well_formed("<a>"));
	cr_assert_not(well_formed("<a></b>"));
	cr_assert_not(well_formed("<a><b></a></b>"));
	cr_assert_not(well_formed("<a x=1/>"));
	cr_assert_not(well_formed("<a x='1' x='2'/>"));
	cr_assert_not(well_formed("<a x='<'/>"));
	cr_assert_not(well_formed("<a>&</a>"));
	cr_assert_not(well_formed("<a>&nbsp;</a>"));
	cr_assert_not(well_formed("<a>a < b</a>"));
	cr_assert_not(well_formed("<a>\x01</a>"));
	cr_assert_not(well_formed("<a>&#1;</a>"));
	cr_assert_not(well_formed("<a>caf\xE9</a>"));
	cr_assert_not(well_formed("<a>\xEF\xBF\xBE</a>")); /* U+FFFE */
	cr_assert_not(well_formed("<a/><b/>"));
	cr_assert_not(well_formed("<a><!-- -- --></a>"));
	cr_assert_not(well_formed("<a x='1'y='2'/>"));
}

Test(xml_reader, decodes_and_finds)
{
	const char *doc = "<svg><g><text id='t' k=\"a&amp;b&quot;\">x &lt; y</text></g><line/>"
			  "<line/></svg>";
	char err[128];
	struct xml_node *n = xml_parse(doc, strlen(doc), err, sizeof(err));
	const struct xml_node *t;

	cr_assert_not_null(n, "%s", err);
	t = xml_find_id(n, "t");
	cr_assert_not_null(t);
	cr_assert_str_eq(t->name, "text");
	cr_assert_str_eq(xml_attr(t, "k"), "a&b\"");
	cr_assert_str_eq(t->text, "x < y");
	cr_assert_eq(xml_count(n, "line"), 2);
	cr_assert_null(xml_find_id(n, "nope"));
	xml_free(n);
}

/* ------------------------------------------------------------------ helpers */

/* The run the chart is drawn from (command: set by svg_of). */
static struct result run;

static void setup(void)
{
	cr_assert_eq(proctable_init(&run.pt, T0), 0);
	timeline_init(&run.tl);
	memset(&run.res, 0, sizeof(run.res));
	run.res.ran = true;
	run.res.exited = true;
	run.res.wall_ns = 1000 * MS;
}

static void teardown(void)
{
	timeline_free(&run.tl);
	proctable_free(&run.pt);
}

TestSuite(plot, .init = setup, .fini = teardown);

static struct process *proc(pid_t pid, const char *argv, size_t len, uint64_t start_ms)
{
	struct process *p = proctable_new_process(&run.pt, pid, 1, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&run.pt, pid, p));
	cr_assert_eq(proctable_open_image(&run.pt, p, argv, len, NULL, T0 + start_ms * MS), 0);
	return p;
}

/* A sample of p's image at t_ms, through the table (sums) and into the timeline. */
static void sample(struct process *p, uint64_t t_ms, uint64_t rss, uint64_t pss)
{
	struct rollup r = { .rss = rss, .pss = pss };

	proctable_record_sample(&run.pt, p->image, &r, NULL);
	cr_assert_eq(timeline_record(&run.tl, &run.pt, p->image, T0 + t_ms * MS), 0);
	/* What the tool's on_sums hook records, at the test's own clock. */
	cr_assert_eq(timeline_record_sums(&run.tl, &run.pt, T0 + t_ms * MS), 0);
}

static void end(struct process *p, uint64_t t_ms)
{
	proctable_close_image(&run.pt, p, IMAGE_EXIT, 0, 0, T0 + t_ms * MS);
	cr_assert_eq(timeline_record_sums(&run.tl, &run.pt, T0 + t_ms * MS), 0);
}

static char *svg_of(char *const *command, bool has_limit, uint64_t limit)
{
	struct plot_input in = {
		.run = &run,
		.has_limit = has_limit,
		.limit = limit,
	};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	run.command = command;
	cr_assert_not_null(f);
	cr_assert_eq(plot_write_svg(f, &in), 0);
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

struct xy {
	double x, y;
};

/* The points of a polyline (at most max). */
static size_t points(const struct xml_node *pl, struct xy *p, size_t max)
{
	const char *s = xml_attr(pl, "points");
	size_t n = 0;
	int used;

	cr_assert_not_null(s, "a polyline without points");
	while (n < max && sscanf(s, " %lf,%lf%n", &p[n].x, &p[n].y, &used) == 2) {
		n++;
		s += used;
	}
	while (*s == ' ')
		s++;
	cr_assert_eq(*s, '\0', "unparsed points: %.40s", s);
	return n;
}

static double num_attr(const struct xml_node *n, const char *name)
{
	const char *v = xml_attr(n, name);

	cr_assert_not_null(v, "<%s> has no %s", n->name, name);
	return atof(v);
}

struct area {
	double x0, y0, x1, y1;
};

static struct area plot_area(const struct xml_node *svg)
{
	const struct xml_node *r = xml_find_id(svg, "plot-area");
	struct area a;

	cr_assert_not_null(r, "no plot-area");
	a.x0 = num_attr(r, "x");
	a.y0 = num_attr(r, "y");
	a.x1 = a.x0 + num_attr(r, "width");
	a.y1 = a.y0 + num_attr(r, "height");
	return a;
}

/* Every point inside the plot area, x never going back. */
static void assert_series_sane(const struct xml_node *svg, const char *id, size_t min_points)
{
	const struct xml_node *pl = xml_find_id(svg, id);
	struct area a = plot_area(svg);
	struct xy p[4096];
	size_t n;

	cr_assert_not_null(pl, "no series %s", id);
	cr_assert_str_eq(pl->name, "polyline");
	n = points(pl, p, 4096);
	cr_assert_geq(n, min_points, "%s has %zu points", id, n);
	for (size_t i = 0; i < n; i++) {
		cr_assert(p[i].x >= a.x0 - 0.05 && p[i].x <= a.x1 + 0.05 && p[i].y >= a.y0 - 0.05 &&
				  p[i].y <= a.y1 + 0.05,
			  "%s point %zu (%g, %g) is outside the plot area", id, i, p[i].x, p[i].y);
		if (i)
			cr_assert_geq(p[i].x, p[i - 1].x - 0.05, "%s goes back in time at %zu", id,
				      i);
	}
}

static double min_y(const struct xml_node *svg, const char *id)
{
	struct xy p[4096];
	size_t n = points(xml_find_id(svg, id), p, 4096);
	double m = INFINITY;

	for (size_t i = 0; i < n; i++)
		m = p[i].y < m ? p[i].y : m;
	return m;
}

static char *const cmd[] = { (char *)"./build", (char *)"-j2", NULL };

/* A parent and two children that overlap: tree PSS peaks at 100 + 40 + 60 MiB at 300 ms. */
static void build_run(void)
{
	struct process *p = proc(100, "./build\0-j2\0", 12, 0);
	struct process *a, *b;

	sample(p, 10, 100 * MIB, 100 * MIB);
	a = proc(101, "cc\0a.c\0", 7, 100);
	sample(a, 150, 40 * MIB, 40 * MIB);
	b = proc(102, "cc\0b.c\0", 7, 200);
	sample(b, 300, 80 * MIB, 60 * MIB);
	sample(a, 400, 10 * MIB, 10 * MIB);
	end(a, 450);
	end(b, 600);
	sample(p, 900, 20 * MIB, 20 * MIB);
	end(p, 1000);
}

/* ------------------------------------------------------------------ tests */

Test(plot, series_markers_and_title)
{
	struct xml_node *svg;
	const struct xml_node *peak, *title;
	char *out;

	build_run();
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);

	assert_series_sane(svg, "tree-pss", 4);
	assert_series_sane(svg, "tree-rss", 4);
	assert_series_sane(svg, "process-1", 3);
	assert_series_sane(svg, "process-2", 3);
	assert_series_sane(svg, "process-3", 3);
	cr_assert_null(xml_find_id(svg, "process-4"), "only three images were sampled");
	cr_assert_null(xml_find_id(svg, "fail-above"));
	cr_assert_eq(run.pt.tree_peak_pss, 200 * MIB, "the hand-built run is not what we think");

	/* The largest image first: the parent (100 MiB), then b (80), then a (40). */
	cr_assert(strstr(xml_find(xml_find_id(svg, "process-1"), "title")->text, "pid 100 "));
	cr_assert(strstr(xml_find(xml_find_id(svg, "process-2"), "title")->text, "pid 102 cc b.c"));
	cr_assert(strstr(xml_find(xml_find_id(svg, "process-3"), "title")->text, "pid 101 cc a.c"));

	/* The peak mark sits on the highest point of the tree PSS line. */
	peak = xml_find_id(svg, "peak");
	cr_assert_not_null(peak);
	cr_assert(fabs(num_attr(peak, "cy") - min_y(svg, "tree-pss")) < 0.11,
		  "peak at y %g, the tree PSS line tops at %g", num_attr(peak, "cy"),
		  min_y(svg, "tree-pss"));
	/* ... at 300 ms of a 1 s axis. */
	{
		struct area a = plot_area(svg);
		double want = a.x0 + 0.3 * (a.x1 - a.x0);

		cr_assert(fabs(num_attr(peak, "cx") - want) < 0.11, "peak at x %g, want %g",
			  num_attr(peak, "cx"), want);
	}
	/* Tree RSS is above tree PSS while b shares pages: its line tops higher. */
	cr_assert_lt(min_y(svg, "tree-rss"), min_y(svg, "tree-pss"));
	/* The headline peak line is at the largest image peak, 100 MiB. */
	{
		const struct xml_node *l = xml_find_id(svg, "peak-rss");

		cr_assert_not_null(l);
		cr_assert(fabs(num_attr(l, "y1") - min_y(svg, "process-1")) < 0.11);
	}
	title = xml_find_id(svg, "title");
	cr_assert_str_eq(title->text, "./build -j2");
	cr_assert(strstr(xml_find(svg, "title")->text, "./build -j2"));
	cr_assert(strstr(out, "memory (MiB)"), "the y axis is not in MiB");
	cr_assert(strstr(out, "time since the command started (s)") ||
			  strstr(out, "time since the command started (ms)"),
		  "no x axis label");
	xml_free(svg);
	free(out);
}

/* The tree line is the step function of the sums the table computed. */
Test(plot, tree_line_matches_table_peak)
{
	struct xml_node *svg;
	const struct xml_node *g;
	double top, unit_px;
	char *out;

	build_run();
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	/* Find the y-axis scale from two tick labels: "0" at the bottom, the top label. */
	{
		struct area a = plot_area(svg);
		double max_label = 0;

		g = svg;
		for (size_t i = 0; i < g->nchildren; i++) {
			const struct xml_node *c = g->children[i];

			if (strcmp(c->name, "g") != 0 || !xml_attr(c, "font-size"))
				continue;
			for (size_t k = 0; k < c->nchildren; k++)
				if (strcmp(xml_attr(c->children[k], "text-anchor"), "end") == 0 &&
				    atof(c->children[k]->text) > max_label)
					max_label = atof(c->children[k]->text);
		}
		cr_assert_gt(max_label, 0, "no y tick labels");
		top = max_label;
		unit_px = (a.y1 - a.y0) / top; /* pixels per MiB */
		cr_assert(fabs((a.y1 - min_y(svg, "tree-pss")) / unit_px - 200) < 0.5,
			  "the tree PSS line tops at %g MiB, the table says 200",
			  (a.y1 - min_y(svg, "tree-pss")) / unit_px);
		cr_assert(fabs((a.y1 - min_y(svg, "tree-rss")) / unit_px -
			       (double)run.pt.tree_peak_rss / MIB) < 0.5,
			  "the tree RSS line tops at %g MiB, the table says %g",
			  (a.y1 - min_y(svg, "tree-rss")) / unit_px,
			  (double)run.pt.tree_peak_rss / MIB);
		cr_assert_geq(top, 220, "no room above the tree RSS peak (220 MiB)");
	}
	xml_free(svg);
	free(out);
}

Test(plot, hostile_command_is_escaped)
{
	char *const bad[] = { (char *)"<script>&\"'", (char *)"caf\xE9\x01\xEF\xBF\xBE\n", NULL };
	struct xml_node *svg;
	struct process *p;
	char *out;

	p = proc(5, "<x>&\0", 5, 0);
	sample(p, 1, MIB, MIB);
	end(p, 2);
	out = svg_of(bad, false, 0);
	svg = parse_svg(out);
	cr_assert_str_eq(xml_find_id(svg, "title")->text, "<script>&\"' caf" FFFD FFFD FFFD " ");
	cr_assert_null(strstr(out, "<script>"), "raw markup from the command");
	xml_free(svg);
	free(out);
}

Test(plot, long_title_is_cut)
{
	char longarg[400];
	char *const c[] = { longarg, NULL };
	struct xml_node *svg;
	char *out;
	const char *t;

	memset(longarg, 'x', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	out = svg_of(c, false, 0);
	svg = parse_svg(out);
	t = xml_find_id(svg, "title")->text;
	cr_assert_lt(strlen(t), 120, "the title was not cut: %zu bytes", strlen(t));
	cr_assert(strstr(t, "\u2026"), "no ellipsis where the title was cut");
	xml_free(svg);
	free(out);
}

Test(plot, no_samples_still_a_chart)
{
	struct xml_node *svg;
	char *out;

	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "plot-area"));
	cr_assert_null(xml_find_id(svg, "peak"));
	cr_assert(strstr(out, "no sample was taken"));
	xml_free(svg);
	free(out);
}

/* One image: no separate process series, it would hide under the tree lines. */
Test(plot, single_image_no_process_series)
{
	struct process *p = proc(7, "prog\0", 5, 0);
	struct xml_node *svg;
	char *out;

	sample(p, 100, 10 * MIB, 8 * MIB);
	sample(p, 200, 30 * MIB, 28 * MIB);
	end(p, 300);
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	assert_series_sane(svg, "tree-pss", 4);
	cr_assert_null(xml_find_id(svg, "process-1"));
	xml_free(svg);
	free(out);
}

Test(plot, at_most_five_process_series)
{
	struct xml_node *svg;
	char *out;

	for (int i = 0; i < 9; i++) {
		struct process *p = proc(200 + i, "w\0", 2, (uint64_t)i * 10);

		sample(p, (uint64_t)i * 10 + 5, (uint64_t)(i + 1) * MIB, MIB);
		end(p, (uint64_t)i * 10 + 8);
	}
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "process-5"));
	cr_assert_null(xml_find_id(svg, "process-6"));
	/* The biggest: pid 208 with 9 MiB. */
	cr_assert(strstr(xml_find(xml_find_id(svg, "process-1"), "title")->text, "pid 208 "));
	cr_assert(strstr(out, "+ 4 more processes<title>"), "%s", out);
	xml_free(svg);
	free(out);
}

Test(plot, fail_above_line_in_range_or_noted)
{
	struct xml_node *svg;
	char *out;

	build_run();
	out = svg_of(cmd, true, 150 * MIB);
	svg = parse_svg(out);
	cr_assert_not_null(xml_find_id(svg, "fail-above"));
	xml_free(svg);
	free(out);

	/* 100 GiB would flatten every line: not drawn, only told in the legend. */
	out = svg_of(cmd, true, 100 * 1024 * MIB);
	svg = parse_svg(out);
	cr_assert_null(xml_find_id(svg, "fail-above"));
	cr_assert(strstr(out, "(far above the chart)"));
	xml_free(svg);
	free(out);
}

/* A long run's samples are thinned to the pixel columns, not written one by one. */
Test(plot, many_samples_thinned)
{
	struct process *p = proc(9, "big\0", 4, 0);
	struct process *q = proc(10, "small\0", 6, 0);
	struct xml_node *svg;
	struct xy pts[4096];
	char *out;

	for (uint64_t i = 0; i < 20000; i++)
		sample(i % 2 ? p : q, i / 20, (i % 97 + 1) * MIB, (i % 89 + 1) * MIB);
	end(p, 1000);
	end(q, 1000);
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	cr_assert_lt(points(xml_find_id(svg, "tree-pss"), pts, 4096), 4096,
		     "more points than four per pixel column");
	/* Thinning keeps the extremes: the line still reaches the peak. */
	cr_assert(fabs(num_attr(xml_find_id(svg, "peak"), "cy") - min_y(svg, "tree-pss")) < 0.11);
	cr_assert_lt(strlen(out), 400000, "the SVG is %zu bytes", strlen(out));
	xml_free(svg);
	free(out);
}

/* ------------------------------------------------------- read at a glance (issue 14) */

/* Nothing is drawn before the first sample: no made-up 0 from time 0 to it. */
Test(plot, no_zero_before_the_first_sample)
{
	struct xml_node *svg;
	struct xy p[4096];
	struct area a;
	char *out;

	build_run();
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	a = plot_area(svg);
	/* The first sample is at 10 ms of a 1 s axis. */
	for (size_t k = 0; k < 2; k++) {
		const char *id = k ? "tree-rss" : "tree-pss";
		size_t n = points(xml_find_id(svg, id), p, 4096);

		cr_assert_geq(n, 2);
		cr_assert(fabs(p[0].x - (a.x0 + 0.01 * (a.x1 - a.x0))) < 0.11,
			  "%s starts at x %g, before the first sample", id, p[0].x);
		for (size_t i = 0; i < n; i++)
			cr_assert(p[i].x > a.x0 + 1 || p[i].y < a.y1 - 1,
				  "%s is drawn at 0 at x %g", id, p[i].x);
	}
	xml_free(svg);
	free(out);
}

/* The legend counts what the report counts: processes, not images. */
Test(plot, legend_counts_processes)
{
	char *out;

	/* Seven processes, each with two sampled images (it exec'd): fourteen images. */
	for (int i = 0; i < 7; i++) {
		struct process *p = proc(300 + i, "sh\0", 3, (uint64_t)i * 10);

		sample(p, (uint64_t)i * 10 + 2, (uint64_t)(i + 1) * MIB, MIB);
		proctable_close_image(&run.pt, p, IMAGE_EXEC, 0, 0,
				      T0 + ((uint64_t)i * 10 + 4) * MS);
		cr_assert_eq(proctable_open_image(&run.pt, p, "w\0", 2, NULL,
						  T0 + ((uint64_t)i * 10 + 4) * MS),
			     0);
		sample(p, (uint64_t)i * 10 + 5, (uint64_t)(i + 1) * MIB / 2, MIB);
		end(p, (uint64_t)i * 10 + 8);
	}
	cr_assert_eq(run.pt.nprocesses, 7);
	out = svg_of(cmd, false, 0);
	/*
	 * Five series, of four processes (306 has two: its sh of 7 MiB and its
	 * w of 3.5 MiB): three more, as "7 processes" in the report.
	 */
	cr_assert(strstr(out, ">+ 3 more processes<title>"), "%s", out);
	free(out);
}

/* The processes are drawn over the tree's lines: one that makes the tree stays visible. */
Test(plot, processes_drawn_over_the_tree)
{
	char *out;

	build_run();
	out = svg_of(cmd, false, 0);
	cr_assert(strstr(out, "id=\"process-1\"") > strstr(out, "id=\"tree-rss\"") &&
			  strstr(out, "id=\"process-1\"") > strstr(out, "id=\"tree-pss\""),
		  "a process series under the tree lines");
	free(out);
}

/* Legend labels say what tells the commands apart: the file each cc1 compiles. */
Test(plot, legend_labels_are_distinctive)
{
	static const char a[] = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1\0-quiet\0-I\0.\0-I\0"
				"./src\0-imultiarch\0x86_64-linux-gnu\0src/alpha.c\0-o\0/tmp/x.s\0";
	static const char b[] = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1\0-quiet\0-I\0.\0-I\0"
				"./src\0-imultiarch\0x86_64-linux-gnu\0src/beta.c\0-o\0/tmp/y.s\0";
	struct process *p = proc(401, a, sizeof(a) - 1, 0), *q = proc(402, b, sizeof(b) - 1, 5);
	char *out;

	sample(p, 10, 40 * MIB, 30 * MIB);
	sample(q, 20, 30 * MIB, 20 * MIB);
	end(p, 500);
	end(q, 600);
	out = svg_of(cmd, false, 0);
	cr_assert(strstr(out, ">pid 401 cc1 \u2026 src/alpha.c \u2026<"), "%s", out);
	cr_assert(strstr(out, ">pid 402 cc1 \u2026 src/beta.c \u2026<"), "%s", out);
	free(out);
}

/*
 * The tree RSS the report gives was seen only by the counter (VmHWM, read
 * at the end: 150 MiB, above every sample): the part above the samples is
 * drawn dashed up to the reported value, which the legend gives.
 */
Test(plot, counter_only_peak_drawn_as_such)
{
	struct xml_node *svg;
	const struct xml_node *l;
	struct process *p = proc(500, "big\0", 4, 0);
	char *out;

	sample(p, 10, 20 * MIB, 20 * MIB);
	sample(p, 500, 30 * MIB, 30 * MIB);
	proctable_record_hwm(&run.pt, p->image, 150 * MIB);
	end(p, 900);
	proctable_finish(&run.pt, 1000 * MS);
	cr_assert_eq(run.pt.tree_peak_rss, 150 * MIB, "the floor is not what we think");
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	l = xml_find_id(svg, "tree-rss-counter");
	cr_assert_not_null(l, "no counter part for the tree RSS:\n%s", out);
	cr_assert(fabs(num_attr(l, "y1") - min_y(svg, "tree-rss")) < 0.11,
		  "it does not start at the top of the samples drawn");
	cr_assert(fabs(num_attr(l, "y2") - num_attr(xml_find_id(svg, "peak-rss"), "y1")) < 0.11,
		  "it does not reach the reported 150 MiB");
	cr_assert(strstr(out, "tree RSS (peak 150.0 MiB)"));
	xml_free(svg);
	free(out);
}

/* A box that a label's text covers, from its anchor (7 px a character, 14 px high). */
static bool label_crosses(const struct xml_node *svg, const struct xml_node *text, const char *id)
{
	double w = 7.0 * (double)strlen(text->text), x = num_attr(text, "x"),
	       y = num_attr(text, "y");
	const char *anchor = xml_attr(text, "text-anchor");
	struct xy p[4096];
	size_t n = points(xml_find_id(svg, id), p, 4096);

	if (anchor && strcmp(anchor, "end") == 0)
		x -= w;
	for (size_t i = 1; i < n; i++)
		if (fmin(p[i - 1].x, p[i].x) <= x + w && x <= fmax(p[i - 1].x, p[i].x) &&
		    fmin(p[i - 1].y, p[i].y) <= y + 2 && y - 11 <= fmax(p[i - 1].y, p[i].y))
			return true;
	return false;
}

/* The peak labels are placed where they cover no line of data. */
Test(plot, labels_do_not_cover_the_data)
{
	static const char *const series[] = { "tree-pss", "tree-rss", "process-1", "process-2",
					      "process-3" };
	static const char *const labels[] = { "peak-rss-label", "peak-label" };
	struct xml_node *svg;
	char *out;

	build_run();
	out = svg_of(cmd, false, 0);
	svg = parse_svg(out);
	for (size_t l = 0; l < 2; l++) {
		const struct xml_node *t = xml_find_id(svg, labels[l]);

		cr_assert_not_null(t, "no %s", labels[l]);
		for (size_t k = 0; k < 5; k++)
			cr_assert(!label_crosses(svg, t, series[k]), "%s \"%s\" covers %s",
				  labels[l], t->text, series[k]);
	}
	xml_free(svg);
	free(out);
}
