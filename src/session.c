#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "escape.h"
#include "launch.h"
#include "session.h"
#include "tracer.h"
#include "units.h"
#include "util.h"

/* ---------------------------------------------------------------- progress */

/* What the progress line tells of the runs so far. */
struct progress {
	bool tty;	  /* stderr is a terminal (not TERM=dumb): lines may be redrawn */
	bool on;	  /* that, and there is more than one run */
	bool shown;	  /* a line is on the screen */
	bool wait_shown;  /* it is the line of a wait for leftovers */
	uint64_t last_ns; /* when it was last drawn */
	size_t runs;	  /* measured runs */
	size_t n;	  /* of those, runs with a known peak */
	uint64_t peak_min, peak_max;
	double peak_sum, wall_sum;
};

/* Redraw at most this often: a series of fast runs must not flood the terminal. */
#define PROGRESS_EVERY_NS 100000000ULL

static bool stderr_is_terminal(void)
{
	const char *term = getenv("TERM");

	return isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

static void progress_add(struct progress *p, const struct run *r)
{
	p->runs++;
	p->wall_sum += r->wall_seconds;
	if (!r->has_peak)
		return;
	if (p->n == 0 || r->peak_rss_bytes < p->peak_min)
		p->peak_min = r->peak_rss_bytes;
	if (p->n == 0 || r->peak_rss_bytes > p->peak_max)
		p->peak_max = r->peak_rss_bytes;
	p->peak_sum += (double)r->peak_rss_bytes;
	p->n++;
}

/*
 * The line before run i (warm-up runs first) of the command labelled
 * label, the k-th of n in a comparison; at most len bytes.
 */
static void progress_line(const struct progress *p, const struct options *o, unsigned long i,
			  const char *label, size_t k, size_t n, char *line, size_t len)
{
	char a[32], b[32], c[32], t[32], cmd[128];
	char *const words[] = { (char *)label, NULL };
	int w;

	if (i < o->warmup)
		w = snprintf(line, len, "maxrss-sc: warm-up %s %lu of %lu", n > 1 ? "round" : "run",
			     i + 1, o->warmup);
	else
		w = snprintf(line, len, "maxrss-sc: %s %lu of %lu", n > 1 ? "round" : "run",
			     i + 1 - o->warmup, o->runs);
	if (w > 0 && (size_t)w < len && n > 1) {
		/* On one line: a command line of several lines, or with control bytes, stays one. */
		escape_line_command(cmd, sizeof(cmd), words, sizeof(cmd) - 1);
		w += snprintf(line + w, len - (size_t)w, ", command %zu of %zu: %s", k + 1, n, cmd);
	}
	if (w > 0 && (size_t)w < len && p->n && n == 1)
		snprintf(line + w, len - (size_t)w, ", so far: peak RSS %s (%s .. %s), %s a run",
			 units_format_size((uint64_t)(p->peak_sum / (double)p->n), a, sizeof(a)),
			 units_format_size(p->peak_min, b, sizeof(b)),
			 units_format_size(p->peak_max, c, sizeof(c)),
			 units_format_duration(p->wall_sum / (double)p->runs, t, sizeof(t)));
}

/*
 * The progress line of a series on a terminal: rewritten in place before
 * each run ("\r" and erase to the end of the line), erased at the end.
 * Cut to the terminal's width, since a wrapped line could not be erased.
 */
/* line in place of the one shown, cut to the terminal's width. */
static void draw(struct progress *p, char *line, uint64_t now)
{
	struct winsize ws;
	size_t width = 80;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	if (strlen(line) > width - 1)
		line[width - 1] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	p->shown = true;
	p->last_ns = now;
}

static void show_progress(struct progress *p, const struct options *o, unsigned long i,
			  const char *label, size_t k, size_t n)
{
	char line[256];
	uint64_t now = util_now_ns();

	if (!p->on || (p->shown && now - p->last_ns < PROGRESS_EVERY_NS))
		return;
	progress_line(p, o, i, label, k, n, line, sizeof(line));
	draw(p, line, now);
}

static void erase_progress(struct progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
	p->wait_shown = false;
}

/* A wait for leftovers is shown once it lasted this long, then redrawn this often. */
#define WAIT_SHOW_NS 1000000000ULL
#define WAIT_EVERY_NS 1000000000ULL

/*
 * The tracer waits for processes the command left running: on a terminal,
 * a line says which, how many, for how long, and how to stop waiting.
 * The reports are not touched: it is erased once the wait is over.
 */
static void show_wait(const struct tracer_wait *w, void *ctx)
{
	struct progress *p = ctx;
	char line[256], cmd[64], limit[48] = "", more[32] = "";
	uint64_t now = util_now_ns();
	int n;

	if (!p->tty || w->waited_ns < WAIT_SHOW_NS ||
	    (p->wait_shown && now - p->last_ns < WAIT_EVERY_NS))
		return;
	if (w->limited)
		snprintf(limit, sizeof(limit), " of %g s", (double)w->limit_ns / 1e9);
	/* What matters first: a line cut to the terminal's width keeps it. */
	n = snprintf(line, sizeof(line),
		     "maxrss-sc: waiting %llu s%s for %u process%s left running%s",
		     (unsigned long long)(w->waited_ns / 1000000000u), limit, w->processes,
		     w->processes == 1 ? "" : "es", w->interruptible ? " (Ctrl-C stops)" : "");
	if (w->first && n > 0 && (size_t)n < sizeof(line)) {
		escape_line_argv(cmd, sizeof(cmd), w->first->argv, w->first->argv_len,
				 sizeof(cmd) - 1);
		if (w->processes > 1)
			snprintf(more, sizeof(more), ", and %u more", w->processes - 1);
		snprintf(line + n, sizeof(line) - (size_t)n, ": pid %d %s%s", (int)w->first->pid,
			 cmd, more);
	}
	draw(p, line, now);
	p->wait_shown = true;
}

/* A message on a line of its own, not after the progress line. */
static void say(struct progress *p, const char *msg)
{
	erase_progress(p);
	warn_msg("%s", msg);
}

/*
 * A COMMAND of one word that is a shell line was not found: it needs a
 * shell.  The line in single quotes (a quote as '\\''), on one line.
 */
static void shell_line_hint(struct progress *p, const char *line)
{
	char *q = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&q, &len);

	if (!m)
		return;
	fputc('\'', m);
	for (const char *c = line; *c; c++)
		if (*c == '\'')
			fputs("'\\''", m);
		else
			fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, m);
	fputc('\'', m);
	if (fclose(m) == 0) {
		erase_progress(p);
		warn_msg("hint: that is a shell command line in one word; to run it through a "
			 "shell: maxrss-sc sh -c %s (or compare lines with -C)",
			 q);
	}
	free(q);
}

/* ---------------------------------------------------------------- runs */

/* "run 3 of 10", "warm-up run 1 of 2", with the command when comparing ("of [2] CMD"). */
static void run_name(const struct options *o, unsigned long i, const char *label, size_t n,
		     char *buf, size_t len)
{
	char cmd[96];
	char *const words[] = { (char *)label, NULL };
	int w;

	if (i < o->warmup)
		w = snprintf(buf, len, "warm-up run %lu of %lu", i + 1, o->warmup);
	else
		w = snprintf(buf, len, "run %lu of %lu", i + 1 - o->warmup, o->runs);
	if (n > 1 && w > 0 && (size_t)w < len) {
		escape_line_command(cmd, sizeof(cmd), words, sizeof(cmd) - 1);
		snprintf(buf + w, len - (size_t)w, " of '%s'", cmd);
	}
}

/*
 * --prepare or --conclude (what) around run i: 0, or 1 when the session
 * ends here (it failed: 125; Ctrl-C killed it: its status), with a message.
 */
static int around(struct progress *p, const struct options *o, const char *what, const char *line,
		  unsigned long i, const char *label, size_t n, struct exit_facts *facts)
{
	char name[160], ended[64], msg[320];
	int st = launch_untraced(line, o->series && !o->show_output);

	if (st == 0)
		return 0;
	run_name(o, i, label, n, name, sizeof(name));
	if (st < 0) {
		snprintf(msg, sizeof(msg), "cannot run the %s command (%s): %s", what, name,
			 strerror(-st));
		facts->stop_status = EXIT_TOOL;
	} else if (WIFSIGNALED(st) && (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGQUIT)) {
		snprintf(msg, sizeof(msg),
			 "the %s command (%s) was interrupted: the runs stop here", what, name);
		facts->stop_status = 128 + WTERMSIG(st);
	} else {
		snprintf(msg, sizeof(msg), "the %s command (%s) %s: the runs stop here", what, name,
			 result_ended(WIFEXITED(st), WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				      WIFSIGNALED(st) ? WTERMSIG(st) : 0, true, ended,
				      sizeof(ended)));
		facts->stop_status = EXIT_TOOL;
	}
	say(p, msg);
	return 1;
}

/* A run failed and the series stops there: say which and why. */
static void say_failed(struct progress *p, const struct options *o, unsigned long i,
		       const char *label, size_t n, const struct tracer_result *res)
{
	char name[160], ended[64], msg[512];

	run_name(o, i, label, n, name, sizeof(name));
	snprintf(msg, sizeof(msg), "%s %s: the runs stop here (--ignore-failure goes on%s)", name,
		 result_ended(res->exited, res->exit_code, res->signal, true, ended, sizeof(ended)),
		 o->show_output ? "" : "; --show-output shows what it printed");
	say(p, msg);
}

/*
 * Run i of the session (warm-up runs first) of subject k of n, into rs.
 * 0 when the session goes on; 1 when it ends here (an interrupted run, a
 * failure not accepted, a --prepare or --conclude that failed); -1 when
 * the command could not start or maxrss-sc failed (facts say which).
 */
static int run_one(const struct options *o, const struct subject *sub, size_t n, struct runs *rs,
		   struct exit_facts *facts, struct progress *prog, unsigned long i)
{
	char *const *argv = sub->argv;
	struct tracer_config cfg = { .interval_ms = o->interval_ms,
				     .exact = o->exact,
				     .breakdown = o->breakdown,
				     .limit_wait = o->wait_orphans_set,
				     .wait_ns = o->wait_orphans_ns,
				     /* A series shows figures, not the command's output. */
				     .hide_output = o->series && !o->show_output,
				     .waiting = show_wait,
				     .ctx = prog };
	bool measured = i >= o->warmup;
	enum run_verdict v = RUN_OK;
	struct result *r;
	char err[512];
	int rc, stop;

	if (o->prepare && around(prog, o, "--prepare", o->prepare, i, sub->label, n, facts))
		return 1;
	r = result_new(argv, util_now_ns());
	if (!r) {
		say(prog, "out of memory");
		facts->stop_status = EXIT_TOOL;
		return -1;
	}
	if (measured && (o->timeline || o->plot))
		result_record_timeline(r);
	rc = tracer_run(argv, &cfg, &r->pt, &r->res, err, sizeof(err));
	if (prog->wait_shown)
		erase_progress(prog);
	if (err[0])
		say(prog, err);
	if (!r->res.ran && r->res.status == 127 && !argv[1] && !o->compare &&
	    subjects_looks_like_shell_line(argv[0]))
		shell_line_hint(prog, argv[0]);
	if (!r->res.ran) {
		/* Not started (126, 127) or maxrss-sc failed: no run can follow. */
		facts->stop_status = rc < 0 ? EXIT_TOOL : r->res.status;
		result_free(r);
		return -1;
	}
	if (o->series && rc == 0)
		v = runs_judge(&r->res, o->ignore_failure, o->ignore_codes, o->nignore_codes);
	if (v == RUN_FAILED)
		say_failed(prog, o, i, sub->label, n, &r->res);
	if (!measured) {
		/* A warm-up run that stops the series: no report, but its status. */
		if (v == RUN_FAILED || v == RUN_INTERRUPTED)
			facts->stop_status = r->res.status;
		result_free(r);
	} else if (runs_add_judged(rs, r, v)) {
		say(prog, "out of memory");
		result_free(r);
		rc = -ENOMEM;
	} else {
		progress_add(prog, &rs->v[rs->n - 1]);
	}
	if (rc < 0) {
		facts->tool_failed = true;
		return -1;
	}
	stop = v == RUN_FAILED || v == RUN_INTERRUPTED;
	if (o->conclude && around(prog, o, "--conclude", o->conclude, i, sub->label, n, facts))
		stop = 1;
	return stop;
}

void session_run(const struct options *o, const struct subjects *s, struct runs *rs,
		 struct exit_facts *facts)
{
	struct progress prog = { .tty = stderr_is_terminal() };
	unsigned long total = o->warmup + o->runs;
	int stop = 0;

	memset(facts, 0, sizeof(*facts));
	prog.on = prog.tty && o->series && total > 1;
	/*
	 * In rounds, every command once per round (A B C A B C ...): a drift
	 * of the machine weighs on all of them alike.
	 */
	for (unsigned long i = 0; i < total && !stop; i++)
		for (size_t k = 0; k < s->n && !stop; k++) {
			show_progress(&prog, o, i, s->v[k].label, k, s->n);
			stop = run_one(o, &s->v[k], s->n, &rs[k], facts, &prog, i);
		}
	erase_progress(&prog);
	facts->series = o->series;
	for (size_t k = 0; k < s->n; k++) {
		facts->runs += rs[k].n;
		if (rs[k].last_failed_status)
			facts->last_failed_status = rs[k].last_failed_status;
	}
	/* The last run measured: of the last command that has one. */
	for (size_t k = s->n; k-- > 0;)
		if (rs[k].n) {
			facts->run_status = rs[k].v[rs[k].n - 1].status;
			break;
		}
}
