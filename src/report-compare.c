/*
 * The comparison report (report.h): text and JSON of several commands
 * measured side by side.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report-parts.h"
#include "report.h"
#include "units.h"

/* Command lines in the summary lines are cut to this many characters. */
#define SUMMARY_CMD_MAX 40

static const char *const figure_title[FIG_COUNT] = {
	[FIG_PEAK] = "peak RSS",
	[FIG_PSS] = "tree peak PSS",
	[FIG_WALL] = "wall time",
};

static const char *const figure_key[FIG_COUNT] = {
	[FIG_PEAK] = "peak_rss_bytes",
	[FIG_PSS] = "tree_peak_pss_bytes",
	[FIG_WALL] = "wall_seconds",
};

static const char *const sort_name[] = { "peak", "pss", "time", "command", "start" };

/* A figure's value for people: a size, or a time. */
static void figure_value(enum compare_figure fig, double v, char *buf, size_t len)
{
	if (fig == FIG_WALL)
		report_time(v, buf, len);
	else
		units_format_size((uint64_t)llround(v), buf, len);
}

/* What decided "beyond the noise", in words. */
static void noise_words(const struct relation *r, char *buf, size_t len)
{
	const char *verdict = r->beyond_noise ? "beyond the noise" : "within the noise";

	switch (r->test) {
	case TEST_WELCH:
		if (r->p_value < 0.001)
			snprintf(buf, len, "%s (p < 0.001)", verdict);
		else
			snprintf(buf, len, "%s (p = %.3f)", verdict, r->p_value);
		break;
	case TEST_RANGES:
		snprintf(buf, len, "%s (no spread: ranges %s)", verdict,
			 r->beyond_noise ? "apart" : "overlap");
		break;
	case TEST_NO_SPREAD:
		snprintf(buf, len, "%s (one run: no spread to tell noise by)", verdict);
		break;
	}
}

/*
 * The command line of operand j, its start (where command lines of a
 * comparison differ), then the values of the parameters of sub but skip,
 * on one line of about SUMMARY_CMD_MAX characters.
 */
static void line_and_values(const struct compare_report *cr, const struct subject *sub, size_t skip,
			    char *buf, size_t len)
{
	char values[SUMMARY_CMD_MAX * 2], line[(size_t)SUMMARY_CMD_MAX * 4 + 8];
	char *const words[] = { cr->s->lines[sub->operand], NULL };
	char *const value_words[] = { values, NULL };
	size_t room;

	subjects_values_text(cr->s, sub, skip, values, sizeof(values));
	room = strlen(values) + 16 < SUMMARY_CMD_MAX ? SUMMARY_CMD_MAX - strlen(values) - 1 : 16;
	escape_line_command(buf, len, words, room < len ? room : len - 1);
	if (!values[0])
		return;
	escape_line_command(line, sizeof(line), value_words, SUMMARY_CMD_MAX);
	snprintf(buf + strlen(buf), len - strlen(buf), " %s", line);
}

/* The label of command i for a summary line: its number in the report, then subjects_short_label. */
static void short_label(const struct compare_report *cr, size_t i, char *buf, size_t len)
{
	char *label = subjects_short_label(cr->s, cr->c->v[i].subject, SUMMARY_CMD_MAX);
	char *const words[] = { label ? label : cr->c->v[i].subject->label, NULL };
	size_t rank = 0;

	while (rank < cr->c->n && cr->c->order[rank] != i)
		rank++;
	snprintf(buf, len, "[%zu] ", rank + 1);
	escape_line_command(buf + strlen(buf), len - strlen(buf), words, len - strlen(buf) - 1);
	free(label);
}

/* "Least peak RSS: CMD, 12.3 MiB"; then each other: "CMD  2.41 ± 0.03 x  beyond the noise". */
static void summary_of(FILE *f, const struct compare_report *cr, enum compare_figure fig)
{
	const struct comparison *c = cr->c;
	char cmd[(size_t)SUMMARY_CMD_MAX * 4 + 16], val[32], noise[96], ratio[64];

	if (!c->has_least[fig])
		return;
	short_label(cr, c->least[fig], cmd, sizeof(cmd));
	figure_value(fig, c->v[c->least[fig]].stats[fig].mean, val, sizeof(val));
	fprintf(f, "  %s: least for %s (%s)%s\n", figure_title[fig], cmd, val,
		fig == FIG_WALL ? ", measured under tracing" : "");
	for (size_t k = 0; k < c->n; k++) {
		const struct compared *x = &c->v[c->order[k]];
		const struct relation *r = &x->rel[fig];

		if (c->order[k] == c->least[fig] || !x->has[fig] || !r->known)
			continue;
		short_label(cr, c->order[k], cmd, sizeof(cmd));
		noise_words(r, noise, sizeof(noise));
		fprintf(f, "    ");
		report_pad(f, cmd, SUMMARY_CMD_MAX + 7);
		compare_format_ratio(r, ratio, sizeof(ratio));
		fprintf(f, "%s times as much, %s\n", ratio, noise);
	}
}

static void fits_text(FILE *f, const struct compare_report *cr)
{
	for (size_t i = 0; i < cr->c->nfits; i++) {
		const struct fit *ft = &cr->c->fits[i];
		const struct param *p = &cr->s->params[ft->param];
		char cmd[(size_t)SUMMARY_CMD_MAX * 4 + 16], base[32];

		line_and_values(cr, cr->c->v[ft->first].subject, ft->param, cmd, sizeof(cmd));
		if (!ft->known) {
			fprintf(f, "  %s: not enough points to fit the peak RSS against %s\n", cmd,
				p->name);
			continue;
		}
		units_format_size((uint64_t)llround(ft->growth.base), base, sizeof(base));
		fprintf(f,
			"  %s: peak RSS grows as %s^%.2f (fit of base + c \u00b7 %s^k over %zu "
			"points, %s = %s .. %s: base %s, R\u00b2 %.4f)\n",
			cmd, p->name, ft->growth.exponent, p->name, ft->points, p->name,
			p->values[0], p->values[p->nvalues - 1], base, ft->growth.r_squared);
	}
}

static void baseline_text(FILE *f, const struct compare_report *cr)
{
	char cmd[(size_t)SUMMARY_CMD_MAX * 4 + 16], then[32], now[32], noise[96];

	fprintf(f, "Against the baseline %s:\n", cr->base_path);
	for (size_t k = 0; k < cr->c->n; k++) {
		size_t i = cr->c->order[k];
		const struct baseline_change *b = &cr->base[i];

		short_label(cr, i, cmd, sizeof(cmd));
		if (!b->entry) {
			fprintf(f, "  %s: not in the baseline\n", cmd);
			continue;
		}
		for (int fig = 0; fig < BASE_COUNT; fig++) {
			const struct relation *r = &b->rel[fig];
			enum compare_figure cf = fig == BASE_PEAK ? FIG_PEAK : FIG_PSS;

			if (!r->known)
				continue;
			units_format_size((uint64_t)llround(b->entry->stats[fig].mean), then,
					  sizeof(then));
			units_format_size((uint64_t)llround(cr->c->v[i].stats[cf].mean), now,
					  sizeof(now));
			noise_words(r, noise, sizeof(noise));
			fprintf(f, "  %s: %s %s -> %s, %+.1f %%, %s%s\n", cmd, figure_title[cf],
				then, now, r->change * 100, noise,
				fig == BASE_PEAK && b->exceeded ? "; above --max-increase" : "");
		}
	}
}

int report_write_compare_text(FILE *f, const struct compare_report *cr, bool verbose)
{
	const struct comparison *c = cr->c;
	char label[32];

	fprintf(f, "maxrss-sc: %zu command%s, %lu run%s each", c->n, c->n == 1 ? "" : "s",
		cr->planned_runs, cr->planned_runs == 1 ? "" : "s");
	if (cr->warmup_runs)
		fprintf(f, " after %lu warm-up round%s", cr->warmup_runs,
			cr->warmup_runs == 1 ? "" : "s");
	fprintf(f, ", interleaved; in order of %s\n", sort_name[cr->sort]);
	for (size_t k = 0; k < c->n; k++) {
		size_t i = c->order[k];
		char cmd[(size_t)SUMMARY_CMD_MAX * 8 + 8];
		char *const words[] = { c->v[i].subject->label, NULL };

		escape_line_command(cmd, sizeof(cmd), words, (size_t)SUMMARY_CMD_MAX * 2);
		snprintf(label, sizeof(label), "[%zu]", k + 1);
		fprintf(f, "%s ", label);
		report_runs_block(f, c->v[i].runs, cmd, verbose);
	}
	if (c->n > 1) {
		fputs("Summary: how many times as much as the least (mean \u00b1 propagated \u03c3; "
		      "beyond the noise: Welch's t-test, p < 0.05):\n",
		      f);
		for (int fig = 0; fig < FIG_COUNT; fig++)
			summary_of(f, cr, fig);
	}
	fits_text(f, cr);
	if (cr->base)
		baseline_text(f, cr);
	return report_finish(f);
}

/* ---------------------------------------------------------------- JSON */

static void json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static void json_relation(FILE *f, const struct relation *r)
{
	static const char *const test_name[] = {
		[TEST_WELCH] = "welch", [TEST_RANGES] = "ranges", [TEST_NO_SPREAD] = "no_spread"
	};

	if (!r->known) {
		fputs("null", f);
		return;
	}
	fputs("{\"ratio\": ", f);
	json_number(f, r->ratio);
	fputs(", \"uncertainty\": ", f);
	json_number(f, r->uncertainty);
	fputs(", \"change\": ", f);
	json_number(f, r->change);
	fprintf(f, ", \"beyond_noise\": %s, \"test\": \"%s\", \"p_value\": ",
		r->beyond_noise ? "true" : "false", test_name[r->test]);
	json_number(f, r->p_value);
	fputs("}", f);
}

/* The parameters of sub (but skip, SIZE_MAX: none) and their values; null where unnamed. */
static void json_parameters(FILE *f, const struct subjects *s, const struct subject *sub,
			    size_t skip)
{
	bool first = true;

	fputs("{", f);
	for (size_t p = 0; p < s->nparams; p++) {
		if (p == skip)
			continue;
		fputs(first ? "" : ", ", f);
		first = false;
		escape_json_cstring(f, s->params[p].name);
		fputs(": ", f);
		if (subjects_value(s, sub, p))
			escape_json_cstring(f, subjects_value(s, sub, p));
		else
			fputs("null", f);
	}
	fputs("}", f);
}

static void json_baseline_change(FILE *f, const struct baseline_change *b)
{
	if (!b->entry) {
		fputs("null", f);
		return;
	}
	fputs("{\"peak_rss_bytes\": ", f);
	json_relation(f, &b->rel[BASE_PEAK]);
	fputs(", \"tree_peak_pss_bytes\": ", f);
	json_relation(f, &b->rel[BASE_PSS]);
	fprintf(f, ", \"exceeded\": %s}", b->exceeded ? "true" : "false");
}

static void json_command(FILE *f, const struct compare_report *cr, size_t i)
{
	const struct compared *x = &cr->c->v[i];

	fputs("    {\"command_line\": ", f);
	escape_json_cstring(f, x->subject->label);
	fputs(", \"command\": ", f);
	escape_json_command(f, x->subject->argv);
	fputs(",\n     \"parameters\": ", f);
	json_parameters(f, cr->s, x->subject, SIZE_MAX);
	fputs(",\n     \"relative\": {", f);
	for (int fig = 0; fig < FIG_COUNT; fig++) {
		fprintf(f, "%s\"%s\": ", fig ? ", " : "", figure_key[fig]);
		if (x->has[fig])
			json_relation(f, &x->rel[fig]);
		else
			fputs("null", f);
	}
	fputs("},\n", f);
	if (cr->base) {
		fputs("     \"baseline\": ", f);
		json_baseline_change(f, &cr->base[i]);
		fputs(",\n", f);
	}
	report_json_runs_body(f, x->runs, "     ");
	fputs("}", f);
}

static void json_fits(FILE *f, const struct compare_report *cr)
{
	fputs("  \"fits\": [", f);
	for (size_t i = 0; i < cr->c->nfits; i++) {
		const struct fit *ft = &cr->c->fits[i];

		fputs(i ? ",\n    " : "\n    ", f);
		fputs("{\"parameter\": ", f);
		escape_json_cstring(f, cr->s->params[ft->param].name);
		fputs(", \"template\": ", f);
		escape_json_cstring(f, cr->s->lines[cr->c->v[ft->first].subject->operand]);
		fputs(", \"parameters\": ", f);
		json_parameters(f, cr->s, cr->c->v[ft->first].subject, ft->param);
		fputs(", \"command_line\": ", f);
		escape_json_cstring(f, cr->c->v[ft->first].subject->label);
		fprintf(f, ", \"points\": %zu, \"low\": ", ft->points);
		json_number(f, ft->low);
		fputs(", \"high\": ", f);
		json_number(f, ft->high);
		fputs(", \"exponent\": ", f);
		json_number(f, ft->known ? ft->growth.exponent : NAN);
		fputs(", \"coefficient_bytes\": ", f);
		json_number(f, ft->known ? ft->growth.coefficient : NAN);
		fputs(", \"base_bytes\": ", f);
		json_number(f, ft->known ? ft->growth.base : NAN);
		fputs(", \"r_squared\": ", f);
		json_number(f, ft->known ? ft->growth.r_squared : NAN);
		fputs("}", f);
	}
	fputs(cr->c->nfits ? "\n  ],\n" : "],\n", f);
}

static void json_least(FILE *f, const struct comparison *c)
{
	fputs("  \"least\": {", f);
	for (int fig = 0; fig < FIG_COUNT; fig++) {
		fprintf(f, "%s\"%s\": ", fig ? ", " : "", figure_key[fig]);
		if (c->has_least[fig])
			fprintf(f, "%zu", c->least[fig]);
		else
			fputs("null", f);
	}
	fputs("},\n  \"order\": [", f);
	for (size_t k = 0; k < c->n; k++)
		fprintf(f, "%s%zu", k ? ", " : "", c->order[k]);
	fputs("],\n", f);
}

int report_write_compare_json(FILE *f, const struct compare_report *cr, int status)
{
	fprintf(f,
		"{\n  \"schema\": \"maxrss-sc/1\",\n  \"mode\": \"compare\",\n  \"status\": %d,\n",
		status);
	fprintf(f, "  \"sort\": \"%s\", \"planned_runs\": %lu, \"warmup_runs\": %lu,\n",
		sort_name[cr->sort], cr->planned_runs, cr->warmup_runs);
	json_least(f, cr->c);
	json_fits(f, cr);
	if (cr->base) {
		fputs("  \"baseline\": {\"file\": ", f);
		escape_json_cstring(f, cr->base_path);
		fputs(", \"max_increase_percent\": ", f);
		json_number(f, cr->has_max ? cr->max_increase : NAN);
		fputs("},\n", f);
	}
	fputs("  \"commands\": [\n", f);
	for (size_t i = 0; i < cr->c->n; i++) {
		json_command(f, cr, i);
		fputs(i + 1 < cr->c->n ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return report_finish(f);
}
