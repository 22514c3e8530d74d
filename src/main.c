/* maxrss-sc: run a command and report the true peak memory of its whole tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "baseline.h"
#include "chart.h"
#include "compare.h"
#include "csv.h"
#include "export.h"
#include "options.h"
#include "plot.h"
#include "report.h"
#include "result.h"
#include "runs.h"
#include "session.h"
#include "subjects.h"
#include "units.h"
#include "util.h"

/* What a session is run for: its commands, the baseline, and the figures that come of it. */
struct job {
	struct options o;
	struct subjects s;
	struct baseline base;
	bool has_base;
	struct runs *rs; /* one series per subject */
	struct comparison c;
	struct baseline_change *change; /* one per subject, with --baseline */
	struct compare_report cr;
};

/* One output file: opened before the command starts, so that errors come first. */
struct output {
	const char *path;
	const char *what; /* "report", "timeline", ... for messages */
	FILE *f;
};

enum { OUT_REPORT, OUT_TIMELINE, OUT_PLOT, OUT_MARKDOWN, OUT_CSV, OUT_COUNT };

/* Close-on-exec: the command does not inherit the file. */
static FILE *open_output(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static int open_outputs(struct output *out, const struct options *o)
{
	const char *paths[OUT_COUNT] = { o->output, o->timeline, o->plot, o->export_markdown,
					 o->export_csv };
	static const char *const whats[OUT_COUNT] = { "report", "timeline", "plot",
						      "Markdown export", "CSV export" };

	for (int i = 0; i < OUT_COUNT; i++) {
		out[i] = (struct output){ .path = paths[i], .what = whats[i] };
		if (paths[i] && !(out[i].f = open_output(paths[i]))) {
			warn_errno("cannot open the %s file '%s'", whats[i], paths[i]);
			return -1;
		}
	}
	if (!out[OUT_REPORT].f)
		out[OUT_REPORT].f = stderr;
	return 0;
}

/* Close an output; rc is how writing it went.  false, with a message, when it failed. */
static bool close_output(struct output *out, int rc)
{
	int err = rc == -ENOMEM ? ENOMEM : EIO;

	if (!out->f)
		return true;
	if (out->f != stderr && fclose(out->f) != 0 && rc == 0) {
		rc = -EIO;
		err = errno;
	}
	out->f = NULL;
	if (rc) {
		errno = err;
		warn_errno("cannot write the %s%s%s", out->what, out->path ? " to " : "",
			   out->path ? out->path : "");
	}
	return rc == 0;
}

/* The report the options ask for: of one run, a series, or a comparison; text or JSON. */
static int write_report(FILE *f, const struct job *j, int status)
{
	const struct options *o = &j->o;
	struct report_view view;

	if (j->s.compare || j->has_base)
		return o->json ? report_write_compare_json(f, &j->cr, status) :
				 report_write_compare_text(f, &j->cr, o->verbose);
	if (o->series && o->json)
		return report_write_runs_json(f, &j->rs[0], status);
	if (o->series)
		return report_write_runs_text(f, &j->rs[0], o->verbose);
	if (o->json)
		return report_write_json(f, runs_last(&j->rs[0]), status);
	view = (struct report_view){ .verbose = o->verbose,
				     .sort = o->sort_set ? o->sort : SORT_START,
				     .top = o->top,
				     .columns = util_columns(fileno(f), REPORT_COLUMNS) };
	return report_write_text(f, runs_last(&j->rs[0]), &view);
}

/* The last run measured: of the last command that has one. */
static const struct result *last_run(const struct job *j)
{
	for (size_t k = j->s.n; k-- > 0;)
		if (j->rs[k].n)
			return runs_last(&j->rs[k]);
	return NULL;
}

/* Every output; false when one could not be written. */
static bool write_outputs(struct output *out, const struct job *j, int status)
{
	const struct result *last = last_run(j);
	struct plot_input plot = { .run = last,
				   .has_limit = j->o.fail_above_set,
				   .limit = j->o.fail_above };
	char note[64];
	bool ok = close_output(&out[OUT_REPORT], write_report(out[OUT_REPORT].f, j, status));

	if (out[OUT_TIMELINE].f && last->tl.dropped)
		warn_msg("out of memory: %zu samples are missing from the timeline",
			 last->tl.dropped);
	if (out[OUT_TIMELINE].f)
		ok &= close_output(&out[OUT_TIMELINE],
				   csv_write_timeline(out[OUT_TIMELINE].f, last));
	/* Comparing: the chart of the comparison, not one run's timeline. */
	if (out[OUT_PLOT].f && (j->s.compare || j->has_base)) {
		ok &= close_output(&out[OUT_PLOT], chart_write_svg(out[OUT_PLOT].f, &j->cr));
	} else if (out[OUT_PLOT].f) {
		if (j->o.series) {
			snprintf(note, sizeof(note), "run %zu of %zu", j->rs[0].n, j->rs[0].n);
			plot.note = note;
		}
		ok &= close_output(&out[OUT_PLOT], plot_write_svg(out[OUT_PLOT].f, &plot));
	}
	if (out[OUT_MARKDOWN].f)
		ok &= close_output(&out[OUT_MARKDOWN],
				   export_markdown(out[OUT_MARKDOWN].f, &j->cr));
	if (out[OUT_CSV].f)
		ok &= close_output(&out[OUT_CSV], export_csv(out[OUT_CSV].f, &j->cr));
	return ok;
}

/* --fail-above: the largest known peak RSS of every run exceeds the limit; say so with say. */
static bool fail_above(const struct job *j, bool say)
{
	char a[32], b[32];

	if (!j->o.fail_above_set)
		return false;
	for (size_t k = 0; k < j->s.n; k++) {
		uint64_t peak;
		size_t run;

		if (!runs_max_peak(&j->rs[k], &peak, &run) || peak <= j->o.fail_above)
			continue;
		if (!say)
			return true;
		units_format_size(peak, a, sizeof(a));
		units_format_size(j->o.fail_above, b, sizeof(b));
		if (j->s.compare)
			warn_msg("peak RSS %s (%s, run %zu) exceeds --fail-above=%s", a,
				 j->s.v[k].label, run + 1, b);
		else if (j->o.series)
			warn_msg("peak RSS %s (run %zu) exceeds --fail-above=%s", a, run + 1, b);
		else
			warn_msg("peak RSS %s exceeds --fail-above=%s", a, b);
		return true;
	}
	return false;
}

/* --max-increase: a command's peak grew too much since the baseline; say so with say. */
static bool grew_too_much(const struct job *j, bool say)
{
	bool any = false;

	for (size_t k = 0; j->change && k < j->s.n; k++)
		if (j->change[k].exceeded && say) {
			warn_msg("peak RSS of '%s' grew by %.1f %% since %s, beyond the noise "
				 "(--max-increase=%g)",
				 j->s.v[k].label, j->change[k].rel[BASE_PEAK].change * 100,
				 j->o.baseline, j->o.max_increase);
			any = true;
		} else if (j->change[k].exceeded) {
			any = true;
		}
	return any;
}

/* The figures of the runs: the comparison, and the changes since the baseline. */
static int analyse(struct job *j)
{
	if (compare_build(&j->c, &j->s, j->rs, j->o.sort))
		return -ENOMEM;
	if (j->has_base) {
		j->change = calloc(j->s.n, sizeof(*j->change));
		if (!j->change)
			return -ENOMEM;
		for (size_t k = 0; k < j->s.n; k++)
			j->change[k] = baseline_change(&j->base, &j->c.v[k], j->o.max_increase_set,
						       j->o.max_increase);
	}
	j->cr = (struct compare_report){ .c = &j->c,
					 .s = &j->s,
					 .base = j->change,
					 .base_path = j->o.baseline,
					 .has_max = j->o.max_increase_set,
					 .max_increase = j->o.max_increase,
					 .sort = j->o.sort,
					 .planned_runs = j->o.runs,
					 .warmup_runs = j->o.warmup };
	return 0;
}

/* Everything that can be refused before a command runs: the commands, the baseline. */
static int prepare(struct job *j)
{
	char err[512];

	if (subjects_build(&j->s, &j->o, err, sizeof(err)) ||
	    (j->o.baseline && baseline_load(&j->base, j->o.baseline, err, sizeof(err)))) {
		warn_msg("%s", err);
		return -1;
	}
	j->has_base = j->o.baseline != NULL;
	j->rs = calloc(j->s.n, sizeof(*j->rs));
	if (!j->rs) {
		warn_msg("out of memory");
		return -1;
	}
	for (size_t k = 0; k < j->s.n; k++)
		runs_init(&j->rs[k], j->s.v[k].argv, j->o.runs, j->o.warmup,
			  j->o.series && j->o.json);
	return 0;
}

static void free_job(struct job *j)
{
	for (size_t k = 0; j->rs && k < j->s.n; k++)
		runs_free(&j->rs[k]);
	free(j->rs);
	free(j->change);
	compare_free(&j->c);
	if (j->has_base)
		baseline_free(&j->base);
	subjects_free(&j->s);
}

int main(int argc, char **argv)
{
	struct job j = { 0 };
	struct output out[OUT_COUNT] = { 0 };
	struct exit_facts facts;
	char err[512];
	int status;

	switch (options_parse(argc, argv, &j.o, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_print_help(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL;
	case OPTIONS_VERSION:
		options_print_version(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL;
	case OPTIONS_ERROR:
		warn_msg("%s", err);
		return EXIT_TOOL;
	case OPTIONS_RUN:
		break;
	}
	if (prepare(&j) || open_outputs(out, &j.o)) {
		for (int i = 0; i < OUT_COUNT; i++)
			if (out[i].f && out[i].f != stderr)
				fclose(out[i].f);
		free_job(&j);
		return EXIT_TOOL;
	}
	session_run(&j.o, &j.s, j.rs, &facts);
	if (facts.runs) {
		if (analyse(&j)) {
			warn_msg("out of memory");
			facts.tool_failed = true;
		} else {
			facts.exceeded = fail_above(&j, false) | grew_too_much(&j, false);
			/* The status before the outputs: the JSON report tells it. */
			if (!write_outputs(out, &j, result_exit_status(&facts)))
				facts.tool_failed = true;
			/* After the report: the last lines a CI log shows. */
			fail_above(&j, true);
			grew_too_much(&j, true);
		}
	}
	status = result_exit_status(&facts);
	for (int i = 0; i < OUT_COUNT; i++)
		if (out[i].f && out[i].f != stderr)
			fclose(out[i].f);
	free_job(&j);
	return status;
}
