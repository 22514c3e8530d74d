/* maxrss-sc: run a command and report the true peak memory of its whole tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "chart.h"
#include "compare.h"
#include "csv.h"
#include "escape.h"
#include "export.h"
#include "limit.h"
#include "options.h"
#include "outfile.h"
#include "plot.h"
#include "report.h"
#include "result.h"
#include "runs.h"
#include "session.h"
#include "subjects.h"
#include "units.h"
#include "util.h"

/* Longest command line in a --fail-above line, as in the text report. */
#define LIMIT_CMD_MAX 72

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

/*
 * One output: opened before the command starts, so that errors come first.
 * A file is complete or absent (outfile.h): its writer writes to the
 * file's stream, and only a commit after all was written puts it in place.
 */
struct output {
	const char *path; /* NULL: the report to stderr, or no such output */
	const char *what; /* "report", "timeline", ... for messages */
	FILE *f;	  /* where its writer writes: the file's stream, stderr, or NULL */
	struct outfile file;
	bool open; /* file is open: to be committed, or else aborted */
};

enum { OUT_REPORT, OUT_TIMELINE, OUT_PLOT, OUT_MARKDOWN, OUT_CSV, OUT_JSON, OUT_COUNT };

static int open_outputs(struct output *out, const struct options *o)
{
	const char *paths[OUT_COUNT] = { o->output,	     o->timeline,   o->plot,
					 o->export_markdown, o->export_csv, o->export_json };
	static const char *const whats[OUT_COUNT] = {
		"report", "timeline", "plot", "Markdown export", "CSV export", "JSON export"
	};

	for (int i = 0; i < OUT_COUNT; i++)
		out[i] = (struct output){ .path = paths[i], .what = whats[i] };
	for (int i = 0; i < OUT_COUNT; i++) {
		int rc;

		if (!paths[i])
			continue;
		/* "-": standard output, written as it goes (options allow one such). */
		if (strcmp(paths[i], OPTIONS_STDOUT) == 0) {
			out[i].path = "standard output";
			out[i].f = stdout;
			continue;
		}
		/* Close-on-exec: the command does not inherit the file. */
		rc = outfile_open(&out[i].file, paths[i]);
		if (rc) {
			errno = -rc;
			warn_errno("cannot open the %s file '%s'", whats[i], paths[i]);
			return -1;
		}
		out[i].open = true;
		out[i].f = out[i].file.f;
	}
	if (!out[OUT_REPORT].f)
		out[OUT_REPORT].f = stderr;
	return 0;
}

/* The outputs not written: none of them appears (or the old file stays). */
static void close_outputs(struct output *out)
{
	for (int i = 0; i < OUT_COUNT; i++) {
		if (out[i].open)
			outfile_abort(&out[i].file);
		out[i].open = false;
		out[i].f = NULL;
	}
}

/*
 * Close an output, its file put in place if it was written whole; rc is
 * how writing it went.  false, with a message, when it failed: the message
 * says how the command ended (ended), as the report that would have told
 * it may be missing.
 */
static bool close_output(struct output *out, int rc, const char *ended)
{
	int err = rc == -ENOMEM ? ENOMEM : EIO;

	if (!out->f)
		return true;
	if (out->open) {
		int crc = outfile_commit(&out->file);

		/* The file's own error is the real one (ENOSPC), not the writer's EIO. */
		if (crc)
			rc = crc;
		if (rc)
			err = -rc;
		out->open = false;
	}
	out->f = NULL;
	if (rc) {
		errno = err;
		warn_errno("cannot write the %s%s%s (%s)", out->what, out->path ? " to " : "",
			   out->path ? out->path : "", ended);
	}
	return rc == 0;
}

/*
 * The report the options ask for: of one run, a series, or a comparison;
 * text or JSON (json: -j for the report, always for --export-json).
 */
static int write_report(FILE *f, const struct job *j, int status, bool json)
{
	const struct options *o = &j->o;
	struct report_view view;

	if (j->s.compare || j->has_base)
		return json ? report_write_compare_json(f, &j->cr, status) :
			      report_write_compare_text(f, &j->cr, o->verbose);
	if (o->series && json)
		return report_write_runs_json(f, &j->rs[0], status);
	if (o->series)
		return report_write_runs_text(f, &j->rs[0], o->verbose);
	if (json)
		return report_write_run_json(f, &j->rs[0], status);
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
	struct plot_input plot = { .run = last };
	char note[64], ended[48], said[96];
	bool ok;

	/* Called once a run was measured: there is a last one. */
	if (!last)
		return false;
	/* The chart draws the largest process's limit: its dashed line is that peak's. */
	for (size_t k = j->o.nfail_above; k-- > 0;)
		if (j->o.fail_above[k].figure == LIMIT_PEAK_RSS) {
			plot.has_limit = true;
			plot.limit = j->o.fail_above[k].bytes;
		}
	/* For a message of an output that failed: "the command exited 3". */
	snprintf(said, sizeof(said), "the %s %s", j->s.n > 1 ? "last command run" : "command",
		 result_ended(last->res.exited, last->res.exit_code, last->res.signal, false, ended,
			      sizeof(ended)));
	ok = close_output(&out[OUT_REPORT], write_report(out[OUT_REPORT].f, j, status, j->o.json),
			  said);
	if (out[OUT_JSON].f)
		ok &= close_output(&out[OUT_JSON], write_report(out[OUT_JSON].f, j, status, true),
				   said);
	if (out[OUT_TIMELINE].f && last->tl.dropped)
		warn_msg("out of memory: %zu samples are missing from the timeline",
			 last->tl.dropped);
	if (out[OUT_TIMELINE].f)
		ok &= close_output(&out[OUT_TIMELINE],
				   csv_write_timeline(out[OUT_TIMELINE].f, last), said);
	/* Comparing: the chart of the comparison, not one run's timeline. */
	if (out[OUT_PLOT].f && (j->s.compare || j->has_base)) {
		ok &= close_output(&out[OUT_PLOT], chart_write_svg(out[OUT_PLOT].f, &j->cr), said);
	} else if (out[OUT_PLOT].f) {
		if (j->o.series) {
			snprintf(note, sizeof(note), "run %zu of %zu", j->rs[0].n, j->rs[0].n);
			plot.note = note;
		}
		ok &= close_output(&out[OUT_PLOT], plot_write_svg(out[OUT_PLOT].f, &plot), said);
	}
	if (out[OUT_MARKDOWN].f)
		ok &= close_output(&out[OUT_MARKDOWN], export_markdown(out[OUT_MARKDOWN].f, &j->cr),
				   said);
	if (out[OUT_CSV].f)
		ok &= close_output(&out[OUT_CSV], export_csv(out[OUT_CSV].f, &j->cr), said);
	return ok;
}

/* Where a figure that exceeded its limit comes from: "run 2; pid 12, image 0: cc1 x.c". */
static void exceeded_where(const struct job *j, size_t k, const struct limit_check *c, char *buf,
			   size_t len)
{
	const struct run *r = &j->rs[k].v[c->run];
	char run[4 * LIMIT_CMD_MAX + 32] = "", cmd[LIMIT_CMD_MAX + 8];

	if (j->s.compare) {
		/* The command's label, cut where the commands differ, as the summary does. */
		char *label = subjects_short_label(&j->s, &j->s.v[k], LIMIT_CMD_MAX);

		snprintf(run, sizeof(run), "%s, run %zu; ", label ? label : j->s.v[k].label,
			 c->run + 1);
		free(label);
	} else if (j->o.series)
		snprintf(run, sizeof(run), "run %zu; ", c->run + 1);
	if (c->limit.figure != LIMIT_PEAK_RSS) {
		snprintf(buf, len, "%sthe whole tree, %zu process%s%s", run, r->processes,
			 r->processes == 1 ? "" : "es",
			 (c->limit.figure == LIMIT_TREE_RSS ? r->tree_rss_estimated :
							      r->tree_pss_estimated) ?
				 ", estimated" :
				 "");
		return;
	}
	escape_line_argv(cmd, sizeof(cmd), r->peak_argv, r->peak_argv_len, LIMIT_CMD_MAX);
	snprintf(buf, len, "%spid %d, image %u: %s", run, (int)r->peak_pid, r->peak_image, cmd);
}

/* --fail-above: one line for each limit a command's runs exceeded. */
static void say_exceeded(const struct job *j)
{
	for (size_t k = 0; k < j->s.n; k++)
		for (size_t i = 0; i < j->rs[k].nchecks; i++) {
			const struct limit_check *c = &j->rs[k].checks[i];
			char value[32], limit[64], where[LIMIT_CMD_MAX + 160];

			if (!c->exceeded)
				continue;
			exceeded_where(j, k, c, where, sizeof(where));
			warn_msg("%s %s (%s) exceeds %s", limit_label(c->limit.figure),
				 units_format_size(c->value, value, sizeof(value)), where,
				 limit_format(&c->limit, limit, sizeof(limit)));
		}
}

/* Did a command's runs exceed a --fail-above limit? */
static bool fail_above(const struct job *j)
{
	for (size_t k = 0; k < j->s.n; k++)
		if (runs_exceeded(&j->rs[k]))
			return true;
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
	/* A session has a subject at least (subjects_build refuses none). */
	if (j->s.n == 0)
		return -EINVAL;
	for (size_t k = 0; k < j->s.n; k++)
		if (runs_check_limits(&j->rs[k], j->o.fail_above, j->o.nfail_above))
			return -ENOMEM;
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
			  j->o.series && (j->o.json || j->o.export_json));
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
		close_outputs(out);
		free_job(&j);
		return EXIT_TOOL;
	}
	session_run(&j.o, &j.s, j.rs, &facts);
	if (facts.runs) {
		if (analyse(&j)) {
			warn_msg("out of memory");
			facts.tool_failed = true;
		} else {
			facts.exceeded = fail_above(&j) | grew_too_much(&j, false);
			/* The status before the outputs: the JSON report tells it. */
			if (!write_outputs(out, &j, result_exit_status(&facts)))
				facts.tool_failed = true;
			/* After the report: the last lines a CI log shows. */
			say_exceeded(&j);
			grew_too_much(&j, true);
		}
	}
	status = result_exit_status(&facts);
	/* No run, or no memory to report it: no file appears. */
	close_outputs(out);
	free_job(&j);
	return status;
}
