/* maxrss-sc: run a command and report the true peak memory of its whole tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "csv.h"
#include "options.h"
#include "outfile.h"
#include "plot.h"
#include "report.h"
#include "result.h"
#include "runs.h"
#include "session.h"
#include "units.h"
#include "util.h"

/* Where the outputs go: opened before the command starts, so that errors come first. */
struct outputs {
	FILE *report;	/* stderr unless --output */
	FILE *timeline; /* --timeline, or NULL */
	FILE *plot;	/* --plot, or NULL */
	/* Their files, complete or absent (outfile.h): each FILE is one's stream. */
	struct outfile files[8];
	size_t nfiles;
	char status[64]; /* "the command exited 3", for a message of an output that failed */
};

/* Close-on-exec: the command does not inherit the file.  NULL with errno. */
static FILE *open_output(struct outputs *out, const char *path)
{
	int rc;

	if (out->nfiles == sizeof(out->files) / sizeof(out->files[0])) {
		errno = EMFILE;
		return NULL;
	}
	rc = outfile_open(&out->files[out->nfiles], path);
	if (rc) {
		errno = -rc;
		return NULL;
	}
	return out->files[out->nfiles++].f;
}

/* Put an output in its place, now complete: 0 or -errno (and it is closed). */
static int commit_output(struct outputs *out, FILE *f)
{
	for (size_t i = 0; i < out->nfiles; i++)
		if (out->files[i].f == f)
			return outfile_commit(&out->files[i]);
	return fclose(f) == 0 ? 0 : -EIO;
}

static int open_outputs(struct outputs *out, const struct options *o)
{
	out->report = stderr;
	out->timeline = out->plot = NULL;
	out->nfiles = 0;
	out->status[0] = '\0';
	if (o->output && !(out->report = open_output(out, o->output))) {
		out->report = stderr;
		warn_errno("cannot open the report file '%s'", o->output);
		return -1;
	}
	if (o->timeline && !(out->timeline = open_output(out, o->timeline))) {
		warn_errno("cannot open the timeline file '%s'", o->timeline);
		return -1;
	}
	if (o->plot && !(out->plot = open_output(out, o->plot))) {
		warn_errno("cannot open the plot file '%s'", o->plot);
		return -1;
	}
	return 0;
}

/* The outputs not written: none of them appears (or the old file stays). */
static void close_outputs(struct outputs *out)
{
	for (size_t i = 0; i < out->nfiles; i++)
		outfile_abort(&out->files[i]);
	out->nfiles = 0;
}

/*
 * Close an output that was written (rc: how that went); false, with a
 * message, when it failed.  The message says how the command ended: the
 * report that would have told it is missing.
 */
static bool close_output(struct outputs *out, FILE **f, int rc, const char *what,
			 const char *path)
{
	int crc = commit_output(out, *f);

	/* The file's own error is the real one (ENOSPC), not the writer's EIO. */
	if (crc)
		rc = crc;
	*f = NULL;
	if (rc) {
		errno = -rc;
		warn_errno("cannot write the %s to %s (%s)", what, path, out->status);
	}
	return rc == 0;
}

/* The report the options ask for: of one run or of a series, text or JSON. */
static int report_as_asked(FILE *f, const struct options *o, const struct runs *rs, int status)
{
	if (o->series && o->json)
		return report_write_runs_json(f, rs, status);
	if (o->series)
		return report_write_runs_text(f, rs, o->verbose);
	if (o->json)
		return report_write_json(f, runs_last(rs), status);
	return report_write_text(f, runs_last(rs), o->verbose);
}

/* The report, then its file closed; false, with a message, when it could not be written. */
static bool write_report(struct outputs *out, const struct options *o, const struct runs *rs,
			 int status)
{
	int rc = report_as_asked(out->report, o, rs, status);
	int err = errno; /* why it could not be written */

	if (out->report != stderr) {
		int crc = commit_output(out, out->report);

		/* The file's own error is the real one (ENOSPC), not the writer's EIO. */
		if (crc) {
			rc = crc;
			err = -crc;
		}
		out->report = stderr;
	}
	if (rc) {
		errno = err;
		warn_errno("cannot write the report%s%s (%s)", o->output ? " to " : "",
			   o->output ? o->output : "", out->status);
	}
	return rc == 0;
}

/* The report, then the timeline and the plot of the last run; false when one failed. */
static bool write_outputs(struct outputs *out, const struct options *o, const struct runs *rs,
			  int status)
{
	const struct result *last = runs_last(rs);
	struct plot_input plot = { .run = last,
				   .has_limit = o->fail_above_set,
				   .limit = o->fail_above };
	char note[64], ended[48];
	bool ok;

	snprintf(out->status, sizeof(out->status), "the command %s",
		 result_ended(last->res.exited, last->res.exit_code, last->res.signal, false, ended,
			      sizeof(ended)));
	ok = write_report(out, o, rs, status);

	if (out->timeline) {
		if (last->tl.dropped)
			warn_msg("out of memory: %zu samples are missing from the timeline",
				 last->tl.dropped);
		if (!close_output(out, &out->timeline, csv_write_timeline(out->timeline, last),
				  "timeline", o->timeline))
			ok = false;
	}
	if (out->plot) {
		if (o->series) {
			snprintf(note, sizeof(note), "run %zu of %zu", rs->n, rs->n);
			plot.note = note;
		}
		if (!close_output(out, &out->plot, plot_write_svg(out->plot, &plot), "plot", o->plot))
			ok = false;
	}
	return ok;
}

/* --fail-above: the largest known peak RSS, and its run, when it exceeds the limit. */
static bool exceeded(const struct options *o, const struct runs *rs, uint64_t *peak, size_t *run)
{
	return o->fail_above_set && runs_max_peak(rs, peak, run) && *peak > o->fail_above;
}

static void warn_exceeded(const struct options *o, uint64_t peak, size_t run)
{
	char a[32], b[32];

	units_format_size(peak, a, sizeof(a));
	units_format_size(o->fail_above, b, sizeof(b));
	if (o->series)
		warn_msg("peak RSS %s (run %zu) exceeds --fail-above=%s", a, run + 1, b);
	else
		warn_msg("peak RSS %s exceeds --fail-above=%s", a, b);
}

int main(int argc, char **argv)
{
	struct options opts;
	struct outputs out;
	struct exit_facts facts;
	struct runs rs;
	char err[512];
	int status;

	switch (options_parse(argc, argv, &opts, err, sizeof(err))) {
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
	if (open_outputs(&out, &opts)) {
		close_outputs(&out);
		return EXIT_TOOL;
	}
	runs_init(&rs, opts.command, opts.runs, opts.warmup, opts.series && opts.json);
	session_run(&opts, &rs, &facts);
	if (rs.n) {
		uint64_t peak = 0;
		size_t run = 0;

		facts.exceeded = exceeded(&opts, &rs, &peak, &run);
		/* The status before the outputs: the JSON report tells it. */
		if (!write_outputs(&out, &opts, &rs, result_exit_status(&facts)))
			facts.tool_failed = true;
		if (facts.exceeded)
			warn_exceeded(&opts, peak, run);
	}
	status = result_exit_status(&facts);
	runs_free(&rs);
	close_outputs(&out);
	return status;
}
