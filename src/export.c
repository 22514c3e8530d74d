#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "export.h"
#include "units.h"

/* ---------------------------------------------------------------- Markdown */

/*
 * A cell of text as Markdown: in a code span, with '|' escaped (GitHub's
 * tables split on it even there) and backticks fenced by a longer run.
 */
static void md_code(FILE *f, const char *s)
{
	size_t run = 0, longest = 0;

	for (const char *p = s; *p; p++) {
		run = *p == '`' ? run + 1 : 0;
		longest = run > longest ? run : longest;
	}
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
	fputs(longest ? " " : "", f);
	for (const char *p = s; *p; p++) {
		if (*p == '|')
			fputc('\\', f);
		/* A line break would end the table row. */
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
	}
	fputs(longest ? " " : "", f);
	for (size_t i = 0; i <= longest; i++)
		fputc('`', f);
}

/*
 * Plain text in a cell (a parameter's value): the characters that would
 * make Markdown (emphasis, links, HTML, entities) or end the cell are
 * escaped with a backslash, as CommonMark allows for any punctuation.
 */
static void md_text(FILE *f, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (strchr("\\`*_[]<>|~&", *p))
			fputc('\\', f);
		fputc(*p == '\n' || *p == '\r' ? ' ' : *p, f);
	}
}

static void fmt_size(double v, char *buf, size_t len)
{
	units_format_size((uint64_t)llround(v), buf, len);
}

static void fmt_time(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, "%.1f ms", s * 1e3);
	else
		snprintf(buf, len, "%.3f s", s);
}

/* "mean ± σ" of a figure, or "-" when unknown. */
static void md_stat(FILE *f, const struct compared *x, enum compare_figure fig)
{
	char m[32], sd[32];
	void (*fmt)(double, char *, size_t) = fig == FIG_WALL ? fmt_time : fmt_size;

	if (!x->has[fig]) {
		fputs(" - |", f);
		return;
	}
	fmt(x->stats[fig].mean, m, sizeof(m));
	if (!x->stats[fig].has_stddev) {
		fprintf(f, " %s |", m);
		return;
	}
	fmt(x->stats[fig].stddev, sd, sizeof(sd));
	fprintf(f, " %s \u00b1 %s |", m, sd);
}

static void md_relative(FILE *f, const struct compared *x, bool least)
{
	const struct relation *r = &x->rel[FIG_PEAK];
	char ratio[64];

	compare_format_ratio(r, ratio, sizeof(ratio));
	if (!x->has[FIG_PEAK] || !r->known)
		fputs(" - |", f);
	else if (least)
		fputs(" 1.00 |", f);
	else
		fprintf(f, " %s%s |", ratio, r->beyond_noise ? "" : " (noise)");
}

static void md_baseline(FILE *f, const struct baseline_change *b)
{
	char then[32];

	if (!b->entry || !b->rel[BASE_PEAK].known) {
		fputs(" not in the baseline |", f);
		return;
	}
	fmt_size(b->entry->stats[BASE_PEAK].mean, then, sizeof(then));
	fprintf(f, " %s, %+.1f %%%s%s |", then, b->rel[BASE_PEAK].change * 100,
		b->rel[BASE_PEAK].beyond_noise ? "" : " (noise)",
		b->exceeded ? " **too much**" : "");
}

int export_markdown(FILE *f, const struct compare_report *cr)
{
	const struct comparison *c = cr->c;

	fputs("| # | command |", f);
	for (size_t p = 0; p < cr->s->nparams; p++)
		fprintf(f, " %s |", cr->s->params[p].name);
	fputs(" peak RSS | tree peak PSS | wall time (traced) | peak relative |", f);
	fputs(cr->base ? " baseline peak |\n" : "\n", f);
	fputs("|--:|---|", f);
	for (size_t p = 0; p < cr->s->nparams; p++)
		fputs("--:|", f);
	fputs("--:|--:|--:|--:|", f);
	fputs(cr->base ? "--:|\n" : "\n", f);
	for (size_t k = 0; k < c->n; k++) {
		const struct compared *x = &c->v[c->order[k]];

		fprintf(f, "| %zu | ", k + 1);
		md_code(f, x->subject->label);
		fputs(" |", f);
		for (size_t p = 0; p < cr->s->nparams; p++) {
			const char *v = subjects_value(cr->s, x->subject, p);

			fputc(' ', f);
			md_text(f, v ? v : "");
			fputs(" |", f);
		}
		md_stat(f, x, FIG_PEAK);
		md_stat(f, x, FIG_PSS);
		md_stat(f, x, FIG_WALL);
		md_relative(f, x, c->has_least[FIG_PEAK] && c->least[FIG_PEAK] == c->order[k]);
		if (cr->base)
			md_baseline(f, &cr->base[c->order[k]]);
		fputs("\n", f);
	}
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* ---------------------------------------------------------------- CSV */

static const struct {
	const char *name;
	enum runs_metric metric;
} csv_figures[] = {
	{ "peak_rss_bytes", RUNS_PEAK_RSS_BYTES },
	{ "tree_peak_pss_bytes", RUNS_TREE_PEAK_PSS_BYTES },
	{ "wall_seconds", RUNS_WALL_SECONDS },
	{ "user_seconds", RUNS_USER_SECONDS },
	{ "sys_seconds", RUNS_SYS_SECONDS },
};

#define NFIGS (sizeof(csv_figures) / sizeof(csv_figures[0]))

static void csv_number(FILE *f, bool known, double v)
{
	fputc(',', f);
	if (known && isfinite(v))
		fprintf(f, "%.10g", v);
}

static void csv_header(FILE *f, const struct compare_report *cr)
{
	static const char *const stat_names[] = { "mean", "stddev", "median", "min", "max" };

	fputs("rank,command", f);
	for (size_t p = 0; p < cr->s->nparams; p++) {
		fputc(',', f);
		escape_csv_field(f, cr->s->params[p].name, strlen(cr->s->params[p].name));
	}
	fputs(",runs,failed_runs", f);
	for (size_t i = 0; i < NFIGS; i++)
		for (size_t k = 0; k < 5; k++)
			fprintf(f, ",%s_%s", csv_figures[i].name, stat_names[k]);
	fputs(",peak_rss_ratio,peak_rss_ratio_uncertainty,peak_rss_beyond_noise,peak_rss_p_value",
	      f);
	if (cr->base)
		fputs(",baseline_peak_rss_bytes_mean,baseline_peak_rss_change,"
		      "baseline_peak_rss_beyond_noise,baseline_exceeded",
		      f);
	fputs("\n", f);
}

static void csv_row(FILE *f, const struct compare_report *cr, size_t rank, size_t i)
{
	const struct compared *x = &cr->c->v[i];
	const struct relation *r = &x->rel[FIG_PEAK];

	fprintf(f, "%zu,", rank);
	escape_csv_field(f, x->subject->label, strlen(x->subject->label));
	for (size_t p = 0; p < cr->s->nparams; p++) {
		const char *v = subjects_value(cr->s, x->subject, p);

		fputc(',', f);
		if (v)
			escape_csv_field(f, v, strlen(v));
	}
	fprintf(f, ",%zu,%zu", x->runs->n, x->runs->failed_runs);
	for (size_t k = 0; k < NFIGS; k++) {
		struct stats st;
		bool known = runs_stats(x->runs, csv_figures[k].metric, &st) == 0;

		csv_number(f, known, st.mean);
		csv_number(f, known && st.has_stddev, st.stddev);
		csv_number(f, known, st.median);
		csv_number(f, known, st.min);
		csv_number(f, known, st.max);
	}
	csv_number(f, r->known, r->ratio);
	csv_number(f, r->known, r->uncertainty);
	fprintf(f, ",%s", r->known ? (r->beyond_noise ? "true" : "false") : "");
	csv_number(f, r->known, r->p_value);
	if (cr->base) {
		const struct baseline_change *b = &cr->base[i];
		bool known = b->entry && b->rel[BASE_PEAK].known;

		csv_number(f, known, known ? b->entry->stats[BASE_PEAK].mean : 0);
		csv_number(f, known, b->rel[BASE_PEAK].change);
		fprintf(f, ",%s,%s",
			known ? (b->rel[BASE_PEAK].beyond_noise ? "true" : "false") : "",
			b->exceeded ? "true" : "false");
	}
	fputs("\n", f);
}

int export_csv(FILE *f, const struct compare_report *cr)
{
	csv_header(f, cr);
	for (size_t k = 0; k < cr->c->n; k++)
		csv_row(f, cr, k + 1, cr->c->order[k]);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
