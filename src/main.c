/* maxrss-sc: run a command and report the true peak memory of its whole tree. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "options.h"
#include "plot.h"
#include "proctable.h"
#include "report.h"
#include "runs.h"
#include "timeline.h"
#include "tracer.h"
#include "units.h"
#include "util.h"

#define EXIT_TOOL 125

/*
 * --fail-above: the command succeeded but its peak RSS exceeded the limit.
 * Not 1 or 2 (every program's failures), not 64-78 (sysexits.h), not 124
 * (timeout(1): a CI job may well run "maxrss-sc --fail-above=1G timeout 60
 * ./test"), 123 (xargs), 125-127 (ours, as env and timeout have them), nor
 * 128 + N (signals).  122 is the nearest code below that block that none of
 * those wrappers uses, and Linux's errno 122 is EDQUOT, "quota exceeded".
 */
#define EXIT_FAIL_ABOVE 122

/* The file is opened before the command starts, close-on-exec. */
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

/* What one run leaves: its table, its result and its samples. */
struct slot {
	struct proctable pt;
	struct tracer_result res;
	struct timeline tl;
	bool valid; /* pt holds a finished run */
};

/* ---------------------------------------------------------------- progress */

/* What the progress line tells of the runs so far. */
struct progress {
	bool on;	  /* stderr is a terminal and there is more than one run */
	bool shown;	  /* a line is on the screen */
	uint64_t last_ns; /* when it was last drawn */
	size_t runs;	  /* measured runs */
	size_t n;	  /* of those, runs with a known peak */
	uint64_t peak_min, peak_max;
	double peak_sum, wall_sum;
};

/* Redraw at most this often: a series of fast runs must not flood the terminal. */
#define PROGRESS_EVERY_NS 100000000ULL

static void progress_add(struct progress *p, const struct run *r)
{
	p->runs++;
	p->wall_sum += r->wall_seconds;
	if (!r->has_peak)
		return;
	if (p->n == 0 || r->peak_rss < p->peak_min)
		p->peak_min = r->peak_rss;
	if (p->n == 0 || r->peak_rss > p->peak_max)
		p->peak_max = r->peak_rss;
	p->peak_sum += (double)r->peak_rss;
	p->n++;
}

/*
 * The progress line of a series on a terminal: rewritten in place before
 * each run ("\r" and erase to the end of the line), erased at the end.
 * Cut to the terminal's width, since a wrapped line could not be erased.
 */
static void show_progress(struct progress *p, const struct options *o, unsigned long i)
{
	struct winsize ws;
	char line[256];
	size_t width = 80;
	uint64_t now = util_now_ns();

	if (p->shown && now - p->last_ns < PROGRESS_EVERY_NS)
		return;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	if (i < o->warmup) {
		snprintf(line, sizeof(line), "maxrss-sc: warm-up run %lu of %lu", i + 1, o->warmup);
	} else {
		int n = snprintf(line, sizeof(line), "maxrss-sc: run %lu of %lu", i + 1 - o->warmup,
				 o->runs);

		if (n > 0 && p->n) {
			char a[32], b[32], c[32];

			snprintf(line + n, sizeof(line) - (size_t)n,
				 ", so far: peak RSS %s (%s .. %s), %.2f s a run",
				 units_format_size((uint64_t)(p->peak_sum / (double)p->n), a,
						  sizeof(a)),
				 units_format_size(p->peak_min, b, sizeof(b)),
				 units_format_size(p->peak_max, c, sizeof(c)),
				 p->wall_sum / (double)p->runs);
		}
	}
	if (strlen(line) > width - 1)
		line[width - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->shown = true;
	p->last_ns = now;
}

static void erase_progress(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}

static bool want_progress(const struct options *o)
{
	const char *term = getenv("TERM");

	return o->series && o->warmup + o->runs > 1 && isatty(STDERR_FILENO) &&
	       !(term && strcmp(term, "dumb") == 0);
}

/* ---------------------------------------------------------------- outputs */

/* One run's full JSON report, for the "runs" array; NULL on ENOMEM. */
static char *run_json(const struct slot *s, char *const *command)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	if (report_write_json(m, &s->pt, &s->res, command) || fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A run killed as by Ctrl-C, or by a SIGTERM / SIGHUP we passed on, ends the series. */
static bool interrupted(const struct tracer_result *res)
{
	return !res->exited && (res->signal == SIGINT || res->signal == SIGQUIT ||
				res->signal == SIGTERM || res->signal == SIGHUP);
}

static int close_output(FILE *f, int rc, const char *what, const char *path)
{
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
	if (rc) {
		errno = rc == -ENOMEM ? ENOMEM : EIO;
		warn_errno("cannot write the %s to %s", what, path);
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct tracer_config cfg;
	struct slot slots[2];
	struct runs rs;
	struct plot_input plot;
	char err[512], note[64];
	FILE *out = stderr, *tlf = NULL, *plotf = NULL;
	struct progress prog;
	bool tool_failed = false, exceeded = false;
	unsigned long total;
	int cur = 0, kept = -1, status = 0, rc;
	uint64_t peak = 0;
	size_t peak_run = 0;

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
	/* Every output file is opened before the command starts: errors come first. */
	if (opts.output && !(out = open_output(opts.output))) {
		warn_errno("cannot open the report file '%s'", opts.output);
		return EXIT_TOOL;
	}
	if (opts.timeline && !(tlf = open_output(opts.timeline))) {
		warn_errno("cannot open the timeline file '%s'", opts.timeline);
		status = EXIT_TOOL;
		goto close_files;
	}
	if (opts.plot && !(plotf = open_output(opts.plot))) {
		warn_errno("cannot open the plot file '%s'", opts.plot);
		status = EXIT_TOOL;
		goto close_files;
	}

	memset(&cfg, 0, sizeof(cfg));
	cfg.interval_ms = opts.interval_ms;
	cfg.exact = opts.exact;
	memset(slots, 0, sizeof(slots));
	timeline_init(&slots[0].tl);
	timeline_init(&slots[1].tl);
	runs_init(&rs);
	memset(&prog, 0, sizeof(prog));
	prog.on = want_progress(&opts);
	total = opts.warmup + opts.runs;

	for (unsigned long i = 0; i < total; i++) {
		struct slot *s = &slots[cur];
		bool measured = i >= opts.warmup;

		if (prog.on)
			show_progress(&prog, &opts, i);
		if (proctable_init(&s->pt, util_now_ns())) {
			erase_progress(&prog);
			warn_msg("out of memory");
			status = EXIT_TOOL;
			break;
		}
		timeline_clear(&s->tl);
		if (measured && (tlf || plotf)) {
			s->pt.on_sample = timeline_on_sample;
			s->pt.on_sums = timeline_on_sums;
			s->pt.on_sample_arg = &s->tl;
		}
		rc = tracer_run(opts.command, &cfg, &s->pt, &s->res, err, sizeof(err));
		if (err[0]) {
			erase_progress(&prog);
			warn_msg("%s", err);
		}
		if (!s->res.ran) {
			/* Not started (126, 127) or maxrss-sc failed: no run can follow. */
			status = rc < 0 ? EXIT_TOOL : s->res.status;
			proctable_free(&s->pt);
			break;
		}
		if (measured) {
			if (opts.series && runs_add(&rs, &s->pt, &s->res,
						    opts.json ? run_json(s, opts.command) : NULL)) {
				erase_progress(&prog);
				warn_msg("out of memory");
				rc = -ENOMEM;
			} else if (opts.series) {
				progress_add(&prog, &rs.v[rs.n - 1]);
			}
			/* Keep this run for the report, the timeline and the plot. */
			if (kept >= 0)
				proctable_free(&slots[kept].pt);
			s->valid = true;
			kept = cur;
			cur = 1 - cur;
			slots[cur].valid = false;
		} else {
			proctable_free(&s->pt);
		}
		if (rc < 0) {
			tool_failed = true;
			break;
		}
		if (opts.series && interrupted(&s->res))
			break;
	}
	erase_progress(&prog);
	if (kept < 0)
		goto free_runs; /* nothing ran to the end: nothing to report */

	/* The exit status, before the reports, since the JSON tells it. */
	if (!opts.series)
		status = slots[kept].res.status;
	else if (status == 0)
		status = rs.last_failed_status;
	if (opts.fail_above_set) {
		struct slot *k = &slots[kept];
		const struct image *img = proctable_peak_image(&k->pt);

		if (opts.series && runs_max_peak(&rs, &peak, &peak_run)) {
			exceeded = peak > opts.fail_above;
		} else if (!opts.series && img && report_image_has_peak(img)) {
			peak = img->peak_rss;
			exceeded = peak > opts.fail_above;
		}
		if (exceeded && status == 0)
			status = EXIT_FAIL_ABOVE;
	}
	if (tool_failed)
		status = EXIT_TOOL;
	if (!opts.series)
		slots[kept].res.status = status;

	if (opts.series && opts.json)
		rc = report_write_runs_json(out, &rs, opts.command, status, opts.runs, opts.warmup);
	else if (opts.series)
		rc = report_write_runs_text(out, &rs, opts.command, opts.runs, opts.warmup,
					    opts.verbose);
	else if (opts.json)
		rc = report_write_json(out, &slots[kept].pt, &slots[kept].res, opts.command);
	else
		rc = report_write_text(out, &slots[kept].pt, &slots[kept].res, opts.command,
				       opts.verbose);
	if (rc || (out != stderr && fclose(out) != 0)) {
		warn_errno("cannot write the report%s%s", opts.output ? " to " : "",
			   opts.output ? opts.output : "");
		status = EXIT_TOOL;
	}
	out = stderr;
	if (tlf) {
		if (slots[kept].tl.dropped)
			warn_msg("out of memory: %zu samples are missing from the timeline",
				 slots[kept].tl.dropped);
		if (close_output(tlf, timeline_write_csv(tlf, &slots[kept].tl), "timeline",
				 opts.timeline))
			status = EXIT_TOOL;
		tlf = NULL;
	}
	if (plotf) {
		memset(&plot, 0, sizeof(plot));
		plot.tl = &slots[kept].tl;
		plot.pt = &slots[kept].pt;
		plot.res = &slots[kept].res;
		plot.command = opts.command;
		plot.has_limit = opts.fail_above_set;
		plot.limit = opts.fail_above;
		if (opts.series) {
			snprintf(note, sizeof(note), "run %zu of %zu", rs.n, rs.n);
			plot.note = note;
		}
		if (close_output(plotf, plot_write_svg(plotf, &plot), "plot", opts.plot))
			status = EXIT_TOOL;
		plotf = NULL;
	}
	if (exceeded) {
		char a[32], b[32];

		if (opts.series)
			warn_msg("peak RSS %s (run %zu) exceeds --fail-above=%s",
				 units_format_size(peak, a, sizeof(a)), peak_run + 1,
				 units_format_size(opts.fail_above, b, sizeof(b)));
		else
			warn_msg("peak RSS %s exceeds --fail-above=%s",
				 units_format_size(peak, a, sizeof(a)),
				 units_format_size(opts.fail_above, b, sizeof(b)));
	}

free_runs:
	for (int k = 0; k < 2; k++) {
		if (slots[k].valid)
			proctable_free(&slots[k].pt);
		timeline_free(&slots[k].tl);
	}
	runs_free(&rs);
close_files:
	if (out != stderr)
		fclose(out);
	if (tlf)
		fclose(tlf);
	if (plotf)
		fclose(plotf);
	return status;
}
