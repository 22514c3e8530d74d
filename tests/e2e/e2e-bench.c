/*
 * e2e-bench: the benchmarking workflow end to end: --runs and --warmup
 * (statistics against the per-run reports, exit status, the progress line
 * on a terminal), --timeline (CSV against the JSON report), --plot (a
 * well-formed SVG with its series) and --fail-above (status 122).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/summary.h"
#include "../lib/xml.h"
#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(bench, .timeout = 120, .init = e2e_need_tracing);

/* The status --fail-above gives (interface: README, man page). */
#define STATUS_FAIL_ABOVE 122

/* ------------------------------------------------------------------ helpers */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	FILE *m;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &n);
	cr_assert_not_null(m);
	for (int c; (c = fgetc(f)) != EOF;)
		fputc(c, m);
	fclose(f);
	cr_assert_eq(fclose(m), 0);
	if (len)
		*len = n;
	return buf;
}

static double num(const struct json *root, const char *path)
{
	return e2e_num(root, path);
}

/* An "a,b"-free counter script: it exits 3 on its 2nd run and 5 on its 4th. */
#define COUNTER_SCRIPT                                                        \
	"n=$(( $(cat \"$1\" 2>/dev/null || echo 0) + 1 )); echo $n >\"$1\"; " \
	"case $n in 2) exit 3;; 4) exit 5;; esac"

static void counter_path(char *dir, size_t dlen, char *path, size_t plen)
{
	e2e_tmpdir(dir, dlen);
	snprintf(path, plen, "%s/count", dir);
}

static long read_counter(const char *path)
{
	char *s = slurp(path, NULL);
	long n;

	cr_assert_not_null(s, "the workload never ran");
	n = atol(s);
	free(s);
	return n;
}

/* ------------------------------------------------------------------ --runs */

Test(bench, runs_json_summary_matches_each_run)
{
	const char *wl = e2e_wl();
	uint64_t bound = e2e_counter_bound();
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("-r", "5", "--warmup=1", "--show-output"),
		E2E_ARGS(wl, "hold-exit", "12"), NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	cr_assert_str_eq(e2e_str(r.json, "schema"), "maxrss-sc/1");
	cr_assert(e2e_argv_equals(json_get(r.json, "command"), E2E_ARGS(wl, "hold-exit", "12")));
	cr_assert_eq(e2e_u64(r.json, "status"), 0);
	cr_assert_eq(e2e_u64(r.json, "planned_runs"), 5);
	cr_assert_eq(e2e_u64(r.json, "warmup_runs"), 1);
	cr_assert_eq(e2e_u64(r.json, "failed_runs"), 0);
	cr_assert_eq(json_get(r.json, "runs")->n, 5, "five measured runs, the warm-up left out");

	/* Each run is a full report, measured as a single run is: 6 truths, the last 5 measured. */
	cr_assert_eq(r.ntruths / 2, 6, "the workload ran %zu times", r.ntruths / 2);
	for (size_t i = 0; i < 5; i++) {
		const struct truth *tp = e2e_need_truth(&r, "peak", i + 1);
		char path[64];
		uint64_t peak;

		snprintf(path, sizeof(path), "runs.%zu.schema", i);
		cr_assert_str_eq(e2e_str(r.json, path), "maxrss-sc/1");
		snprintf(path, sizeof(path), "runs.%zu.peak_pid", i);
		cr_assert_eq(e2e_u64(r.json, path), (uint64_t)tp->pid,
			     "run %zu is not the %zu-th workload run", i + 1, i + 2);
		snprintf(path, sizeof(path), "runs.%zu.peak_rss_bytes", i);
		peak = e2e_u64(r.json, path);
		e2e_assert_within("run peak", peak, e2e_sub(tp->rss, E2E_EXACT_BELOW),
				  e2e_truth_max_rss(&r, tp->pid) + bound + E2E_AFTER_TRUTH);
	}
	summary_check(r.json, "peak_rss_bytes", "peak_rss_bytes", 0.5);
	summary_check(r.json, "tree_peak_pss_bytes", "tree.peak_pss_bytes", 0.5);
	summary_check(r.json, "wall_seconds", "wall_seconds", 1.5e-6);
	summary_check(r.json, "user_seconds", "user_seconds", 1.5e-6);
	summary_check(r.json, "sys_seconds", "sys_seconds", 1.5e-6);
	e2e_run_free(&r);
}

/* --runs=1 is still a series: scripts get one shape whatever N they pass. */
Test(bench, runs_one_is_a_series_plain_run_is_not)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--runs=1"), E2E_ARGS(e2e_wl(), "exit", "0"), NULL, true);
	cr_assert_eq(json_get(r.json, "runs")->n, 1);
	cr_assert_eq(json_path(r.json, "summary.peak_rss_bytes.stddev")->type, JSON_NULL,
		     "one run has no standard deviation");
	cr_assert_eq(num(r.json, "summary.peak_rss_bytes.min"),
		     num(r.json, "runs.0.peak_rss_bytes"));
	e2e_run_free(&r);

	e2e_run_json(&r, E2E_ARGS(e2e_wl(), "exit", "0"));
	cr_assert_null(json_get(r.json, "runs"), "a plain run reported as a series");
	cr_assert_not_null(json_get(r.json, "processes"));
	e2e_run_free(&r);
}

Test(bench, runs_status_is_last_failed_run)
{
	char dir[512], count[600];
	struct e2e_run r;

	/* --ignore-failure: the runs go on; the status is no accepted failure's. */
	counter_path(dir, sizeof(dir), count, sizeof(count));
	e2e_run(&r, E2E_ARGS("-r", "5", "--ignore-failure"),
		E2E_ARGS("sh", "-c", COUNTER_SCRIPT, "sh", count), NULL, true);
	cr_assert_eq(read_counter(count), 5);
	cr_assert_eq(r.out.status, 0, "status %d, failures accepted", r.out.status);
	cr_assert_eq(e2e_u64(r.json, "status"), 0);
	cr_assert_eq(e2e_u64(r.json, "failed_runs"), 2);
	cr_assert_eq(e2e_u64(r.json, "runs.0.status"), 0);
	cr_assert_eq(e2e_u64(r.json, "runs.1.status"), 3);
	cr_assert_eq(e2e_u64(r.json, "runs.1.exit.code"), 3);
	cr_assert_eq(e2e_u64(r.json, "runs.3.status"), 5);
	cr_assert_eq(e2e_u64(r.json, "runs.4.status"), 0);
	e2e_run_free(&r);

	/* Without it, the series stops at the 2nd run, which failed: its status. */
	unlink(count);
	e2e_run(&r, E2E_ARGS("-r", "5"), E2E_ARGS("sh", "-c", COUNTER_SCRIPT, "sh", count), NULL,
		true);
	cr_assert_eq(read_counter(count), 2);
	cr_assert_eq(r.out.status, 3, "status %d, want the 2nd run's 3", r.out.status);
	cr_assert_eq(e2e_u64(r.json, "failed_runs"), 1);
	cr_assert_eq(e2e_u64(r.json, "stopped_at"), 2);
	e2e_run_free(&r);

	/* Three runs, the 2nd failed: the text says which, and that it stopped there. */
	unlink(count);
	e2e_run(&r, E2E_ARGS("-r", "3"), E2E_ARGS("sh", "-c", COUNTER_SCRIPT, "sh", count), NULL,
		false);
	cr_assert_eq(r.out.status, 3, "status %d", r.out.status);
	cr_assert(strstr(r.report, ": 2 of 3 runs (cut short), 1 failed; run 2 exited 3 and "
				   "stopped the series: not in the figures\n"),
		  "%s", r.report);
	e2e_run_free(&r);
	unlink(count);
	e2e_run(&r, E2E_ARGS("-r", "3", "--ignore-failure"),
		E2E_ARGS("sh", "-c", COUNTER_SCRIPT, "sh", count), NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d", r.out.status);
	cr_assert(strstr(r.report, ": 3 runs, 1 failed (last: run 2 exited 3)\n"), "%s", r.report);
	e2e_run_free(&r);

	/* Two warm-up runs are run (the counter says 4) but not reported. */
	unlink(count);
	e2e_run(&r, E2E_ARGS("--warmup", "2", "-r", "2", "--ignore-failure"),
		E2E_ARGS("sh", "-c", COUNTER_SCRIPT, "sh", count), NULL, true);
	cr_assert_eq(read_counter(count), 4);
	cr_assert_eq(json_get(r.json, "runs")->n, 2);
	cr_assert_eq(e2e_u64(r.json, "runs.0.status"), 0, "the 3rd run is the first measured");
	cr_assert_eq(e2e_u64(r.json, "runs.1.status"), 5);
	cr_assert_eq(e2e_u64(r.json, "failed_runs"), 1, "the warm-up's failure counted");
	cr_assert_eq(r.out.status, 0, "failures accepted");
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

/* A run killed by SIGTERM (as when maxrss-sc's own SIGTERM is passed on) ends the series. */
Test(bench, runs_interrupted_series_stops)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("-r", "5"), E2E_ARGS("sh", "-c", "kill -TERM $$"), NULL, true);
	cr_assert_eq(r.out.status, 128 + 15, "status %d", r.out.status);
	cr_assert_eq(json_get(r.json, "runs")->n, 1, "the series went on after SIGTERM");
	cr_assert_eq(e2e_u64(r.json, "planned_runs"), 5);
	cr_assert_eq(e2e_u64(r.json, "runs.0.exit.signal"), 15);
	e2e_run_free(&r);
}

Test(bench, runs_command_not_found_once)
{
	struct e2e_run r;

	e2e_searchable_path();
	e2e_run(&r, E2E_ARGS("-r", "3", "--warmup=2"), E2E_ARGS("maxrss-sc-e2e-no-such-command"),
		NULL, false);
	cr_assert_eq(r.out.status, 127, "status %d", r.out.status);
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one message, not one per run:\n%s", r.out.err);
	cr_assert_eq(r.report_len, 0, "a report for a command that never ran:\n%s", r.report);
	e2e_run_free(&r);
}

/* The line of the text report that starts with "  LABEL ". */
static const char *text_line(const char *text, const char *label)
{
	size_t n = strlen(label);

	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "  ", 2) == 0 && strncmp(l + 2, label, n) == 0 && l[2 + n] == ' ')
			return l;
	return NULL;
}

/*
 * The text report: mean ± σ and min … max per figure.  Its min and max of
 * the peak RSS are the smallest and largest of the per-run table.
 */
Test(bench, runs_text_report_matches_its_table)
{
	double mean, sd, lo, hi, tmin = INFINITY, tmax = 0;
	size_t rows = 0;
	struct e2e_run r;
	const char *l;

	e2e_run(&r, E2E_ARGS("-r", "3", "-v"), E2E_ARGS(e2e_wl(), "hold-exit", "10"), NULL, false);
	cr_assert_eq(r.out.status, 0);
	e2e_note("report:\n%s", r.report);
	cr_assert(strstr(r.report, ": 3 runs, 0 failed\n"), "%s", r.report);
	cr_assert(strstr(r.report, "mean \u00b1 \u03c3"), "no header:\n%s", r.report);

	l = text_line(r.report, "peak RSS");
	cr_assert_not_null(l, "%s", r.report);
	cr_assert_eq(sscanf(l, "  peak RSS %lf MiB \u00b1 %lf %*s %lf MiB \u2026 %lf MiB", &mean,
			    &sd, &lo, &hi),
		     4, "cannot read: %.80s", l);
	/* The per-run table: "      1  exited 0    10.9 MiB ..." */
	for (const char *row = r.report; row;
	     row = strchr(row, '\n') ? strchr(row, '\n') + 1 : NULL) {
		int idx;
		double val;

		if (sscanf(row, " %d exited 0 %lf MiB", &idx, &val) != 2)
			continue;
		cr_assert(idx >= 1 && idx <= 3 && rows == (size_t)idx - 1, "row %d out of order",
			  idx);
		rows++;
		tmin = fmin(tmin, val);
		tmax = fmax(tmax, val);
	}
	cr_assert_eq(rows, 3, "%zu table rows:\n%s", rows, r.report);
	cr_assert_float_eq(lo, tmin, 1e-9, "min %g, table min %g", lo, tmin);
	cr_assert_float_eq(hi, tmax, 1e-9, "max %g, table max %g", hi, tmax);
	cr_assert(mean >= lo - 0.05 && mean <= hi + 0.05, "mean %g outside [%g, %g]", mean, lo, hi);
	cr_assert_not_null(text_line(r.report, "tree peak RSS"));
	cr_assert_not_null(text_line(r.report, "tree peak PSS"));
	cr_assert_not_null(text_line(r.report, "wall (traced)"));
	e2e_run_free(&r);
}

/* ------------------------------------------------------------------ progress line */

Test(bench, no_progress_line_when_stderr_is_not_a_terminal)
{
	struct run_output o;
	const char *argv[] = { e2e_tool(), "-r", "3", e2e_wl(), "exit", "0", NULL };

	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	cr_assert_eq(o.status, 0);
	cr_assert_null(strchr(o.err, '\r'), "a carriage return on a pipe:\n%s", o.err);
	cr_assert_null(strchr(o.err, '\033'), "an escape sequence on a pipe:\n%s", o.err);
	cr_assert(strncmp(o.err, "maxrss-sc: ", 11) == 0, "the report does not come first:\n%s",
		  o.err);
	run_free(&o);
}

/* Run the tool on a pseudo-terminal with TERM=term; what it wrote there, NUL-terminated. */
static char *run_on_pty(const char *term, const char *const *args, int *status)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 200 };
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	int master;
	pid_t pid;

	cr_assert_not_null(m);
	pid = forkpty(&master, NULL, NULL, &ws);
	cr_assert_geq(pid, 0, "forkpty: %s", strerror(errno));
	if (pid == 0) {
		setenv("TERM", term, 1);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	for (;;) {
		char buf[4096];
		ssize_t n = read(master, buf, sizeof(buf));

		if (n > 0) {
			fwrite(buf, 1, (size_t)n, m);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		break; /* EIO: the last process on the terminal is gone */
	}
	close(master);
	cr_assert_eq(waitpid(pid, status, 0), pid);
	cr_assert_eq(fclose(m), 0);
	return out;
}

Test(bench, progress_line_on_a_terminal_then_erased)
{
	char dir[512], path[600], *shown, *report;
	const char *last;
	int status;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/report", dir);
	{
		const char *args[] = { e2e_tool(), "--warmup=1", "-r",	  "3",	 "-o",
				       path,	   e2e_wl(),	 "sleep", "150", NULL };

		shown = run_on_pty("xterm", args, &status);
	}
	e2e_note("on the terminal: %s", shown);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	cr_assert(strstr(shown, "\r\033[Kmaxrss-sc: warm-up run 1 of 1"), "%s", shown);
	cr_assert(strstr(shown, "\r\033[Kmaxrss-sc: run 1 of 3"), "%s", shown);
	cr_assert(strstr(shown, "\r\033[Kmaxrss-sc: run 3 of 3, so far: peak RSS "),
		  "no estimate so far in:\n%s", shown);
	/* Erased at the end: nothing follows the last erase. */
	last = strrchr(shown, '\r');
	cr_assert_not_null(last);
	cr_assert_str_eq(last, "\r\033[K", "the progress line was left on the screen: %s", last);
	report = slurp(path, NULL);
	cr_assert(report && strstr(report, ": 3 runs after 1 warm-up run, 0 failed"), "%s",
		  report ? report : "(no report)");
	cr_assert_null(strchr(report, '\033'), "the progress line went into the report");
	free(report);
	free(shown);

	/* A terminal that cannot erase a line gets none. */
	{
		const char *args[] = { e2e_tool(), "-r",   "2", "-o", path,
				       e2e_wl(),   "exit", "0", NULL };

		shown = run_on_pty("dumb", args, &status);
	}
	cr_assert_null(strstr(shown, "run 1 of 2"), "progress on TERM=dumb: %s", shown);
	free(shown);
	e2e_rmtree(dir);
}

/* Comparing: the line names the round and the command, kept on one line. */
Test(bench, progress_line_of_a_comparison)
{
	char dir[512], path[600], line1[4096], line2[4096], *shown;
	int status;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/report", dir);
	snprintf(line1, sizeof(line1), "%s sleep 150", e2e_wl());
	snprintf(line2, sizeof(line2), "%s sleep 150 &&\n%s exit 0", e2e_wl(), e2e_wl());
	{
		const char *args[] = { e2e_tool(), "-C", "-r", "2", "-o", path, line1, line2, NULL };

		shown = run_on_pty("xterm", args, &status);
	}
	e2e_note("on the terminal: %s", shown);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status %d", status);
	cr_assert(strstr(shown, "\r\033[Kmaxrss-sc: round 1 of 2, command 1 of 2: "), "%s", shown);
	cr_assert(strstr(shown, "\r\033[Kmaxrss-sc: round 2 of 2, command 2 of 2: "), "%s", shown);
	cr_assert(strstr(shown, "sleep 150 &&?"), "the newline not kept off the line: %s", shown);
	cr_assert_null(strchr(shown, '\n'), "a line break on the terminal: %s", shown);
	cr_assert_str_eq(strrchr(shown, '\r'), "\r\033[K", "left on the screen: %s", shown);
	free(shown);
	e2e_rmtree(dir);
}

/* ------------------------------------------------------------------ --timeline */

/* One CSV record (RFC 4180) from *p into fields; advances *p.  Returns the field count. */
static size_t csv_record(const char **p, char fields[][512], size_t max)
{
	const char *s = *p;
	size_t n = 0, k = 0;
	bool quoted = false;

	if (!*s)
		return 0;
	fields[0][0] = '\0';
	for (;; s++) {
		if (quoted) {
			cr_assert(*s, "unterminated quoted field");
			if (*s == '"' && s[1] == '"') {
				fields[n][k++] = '"';
				s++;
			} else if (*s == '"') {
				quoted = false;
			} else {
				fields[n][k++] = *s;
			}
		} else if (*s == '"' && k == 0) {
			quoted = true;
		} else if (*s == ',' || *s == '\n' || !*s) {
			fields[n][k] = '\0';
			n++;
			k = 0;
			if (*s != ',') {
				*p = *s ? s + 1 : s;
				return n;
			}
			cr_assert_lt(n, max, "too many fields");
		} else {
			cr_assert(*s != '"', "a quote inside an unquoted field");
			fields[n][k++] = *s;
		}
		cr_assert_lt(k, 511, "field too long");
	}
}

/* The argv of a JSON process entry joined by spaces. */
static void joined_argv(const struct json *proc, char *buf, size_t len)
{
	const struct json *argv = json_get(proc, "argv");
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; argv && i < argv->n; i++)
		pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", i ? " " : "",
					json_at(argv, i)->string);
}

/*
 * Every sample the report counts is a CSV row: per image, as many rows as its
 * "samples", the last one its end_rss/end_pss, none above its peak, its argv
 * as the command; time never goes back and stays within the run.
 */
Test(bench, timeline_csv_matches_report)
{
	char dir[512], path[600], opt[640], fields[8][512], *csv;
	const struct json *procs;
	struct e2e_run r;
	const char *p;
	double last_t = 0, wall;
	size_t rows = 0, counts[64] = { 0 };
	uint64_t last_rss[64] = { 0 }, last_pss[64] = { 0 }, max_rss[64] = { 0 };

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	snprintf(opt, sizeof(opt), "--timeline=%s", path);
	e2e_run(&r, E2E_ARGS("-i", "10", opt), E2E_ARGS(e2e_wl(), "forktree", "3", "8", "60"), NULL,
		true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	csv = slurp(path, NULL);
	cr_assert_not_null(csv, "no timeline file");
	procs = json_get(r.json, "processes");
	cr_assert(procs && procs->n == 4 && procs->n <= 64);
	wall = num(r.json, "wall_seconds");

	p = csv;
	cr_assert_eq(csv_record(&p, fields, 8), 6);
	cr_assert_str_eq(fields[0], "seconds");
	cr_assert_str_eq(fields[1], "pid");
	cr_assert_str_eq(fields[2], "image");
	cr_assert_str_eq(fields[3], "rss_bytes");
	cr_assert_str_eq(fields[4], "pss_bytes");
	cr_assert_str_eq(fields[5], "command");
	for (size_t n; (n = csv_record(&p, fields, 8)) > 0; rows++) {
		double t = atof(fields[0]);
		long pid = atol(fields[1]), image = atol(fields[2]);
		size_t k;
		char want[512];

		cr_assert_eq(n, 6, "row %zu has %zu fields", rows + 1, n);
		cr_assert(t >= last_t && t <= wall + 1e-6, "row %zu: time %g after %g (wall %g)",
			  rows + 1, t, last_t, wall);
		last_t = t;
		for (k = 0; k < procs->n; k++)
			if (num(json_at(procs, k), "pid") == (double)pid &&
			    num(json_at(procs, k), "image") == (double)image)
				break;
		cr_assert_lt(k, procs->n, "row %zu: pid %ld image %ld is not in the report",
			     rows + 1, pid, image);
		counts[k]++;
		last_rss[k] = strtoull(fields[3], NULL, 10);
		last_pss[k] = strtoull(fields[4], NULL, 10);
		max_rss[k] = last_rss[k] > max_rss[k] ? last_rss[k] : max_rss[k];
		joined_argv(json_at(procs, k), want, sizeof(want));
		cr_assert_str_eq(fields[5], want, "row %zu: command", rows + 1);
	}
	for (size_t k = 0; k < procs->n; k++) {
		const struct json *pr = json_at(procs, k);

		cr_assert_eq(counts[k], e2e_u64(pr, "samples"),
			     "image %zu: %zu rows, %" PRIu64 " samples", k, counts[k],
			     e2e_u64(pr, "samples"));
		cr_assert_eq(last_rss[k], e2e_u64(pr, "end_rss_bytes"), "image %zu: last row", k);
		cr_assert_eq(last_pss[k], e2e_u64(pr, "end_pss_bytes"), "image %zu: last row", k);
		cr_assert_leq(max_rss[k], e2e_u64(pr, "peak_rss_bytes"));
	}
	cr_assert_eq(rows, e2e_u64(r.json, "tracer.samples"));
	cr_assert_gt(rows, 8, "timed sampling every 10 ms gave only %zu samples", rows);
	free(csv);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

Test(bench, timeline_quotes_the_command)
{
	char dir[512], path[600], opt[640], *csv;
	struct e2e_run r;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	snprintf(opt, sizeof(opt), "--timeline=%s", path);
	e2e_run(&r, E2E_ARGS(opt), E2E_ARGS("sh", "-c", "exit 0", "a,b\"c"), NULL, false);
	csv = slurp(path, NULL);
	cr_assert_not_null(csv);
	cr_assert(strstr(csv, ",\"sh -c exit 0 a,b\"\"c\"\n"), "not quoted per RFC 4180:\n%s", csv);
	free(csv);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

/* With --runs, the timeline is the last run's: its pids are those of runs[N-1]. */
Test(bench, timeline_of_last_run)
{
	char dir[512], path[600], opt[640], fields[8][512], *csv;
	const struct json *procs;
	struct e2e_run r;
	const char *p;
	size_t rows = 0;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/t.csv", dir);
	snprintf(opt, sizeof(opt), "--timeline=%s", path);
	e2e_run(&r, E2E_ARGS("-r", "2", opt), E2E_ARGS("sh", "-c", "true; true"), NULL, true);
	procs = json_path(r.json, "runs.1.processes");
	cr_assert_not_null(procs);
	csv = slurp(path, NULL);
	p = csv;
	csv_record(&p, fields, 8);
	for (; csv_record(&p, fields, 8) > 0; rows++) {
		bool found = false;

		for (size_t k = 0; k < procs->n; k++)
			found |= num(json_at(procs, k), "pid") == atof(fields[1]);
		cr_assert(found, "pid %s is not of the last run", fields[1]);
	}
	cr_assert_eq(rows, e2e_u64(r.json, "runs.1.tracer.samples"));
	free(csv);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

/* An output that cannot be created is an error before the command runs. */
static void check_unwritable(const char *option)
{
	char dir[512], marker[600], opt[700], script[700];
	struct e2e_run r;
	struct stat st;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	snprintf(opt, sizeof(opt), "%s=%s/no/such/dir/f", option, dir);
	snprintf(script, sizeof(script), "touch '%s'", marker);
	e2e_run(&r, E2E_ARGS(opt), E2E_ARGS("sh", "-c", script), NULL, false);
	cr_assert_eq(r.out.status, 125, "%s: status %d", option, r.out.status);
	cr_assert_neq(stat(marker, &st), 0, "%s: the command ran", option);
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "%s: %s", option, r.out.err);
	cr_assert(strstr(r.out.err, "no/such/dir/f"), "%s: the message names no file: %s", option,
		  r.out.err);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

Test(bench, unwritable_timeline_or_plot_125_before_running)
{
	check_unwritable("--timeline");
	check_unwritable("--plot");
}

/* ------------------------------------------------------------------ --plot */

/*
 * The chart's title is the command line, cut where it is long (escape.h:
 * at most TITLE_CHARS characters, the last one then "…").  The command
 * holds the build directory's path, of any length: a build in a deep
 * directory gets a cut title, which must be a prefix of the command.
 */
#define TITLE_CHARS 90

/* Characters of UTF-8 text (len bytes): the bytes that do not continue one. */
static size_t utf8_chars_n(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

static size_t utf8_chars(const char *s)
{
	return utf8_chars_n(s, strlen(s));
}

static void check_title(const char *got, const char *want)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026, one character */
	size_t glen = strlen(got), elen = strlen(ellipsis);

	if (utf8_chars(want) <= TITLE_CHARS) {
		cr_assert_str_eq(got, want);
		return;
	}
	cr_assert(glen > elen && strcmp(got + glen - elen, ellipsis) == 0,
		  "a long title is not cut with an ellipsis: '%s'", got);
	cr_assert_eq(utf8_chars(got), TITLE_CHARS, "the cut title '%s' is not %d characters", got,
		     TITLE_CHARS);
	cr_assert(strncmp(got, want, glen - elen) == 0, "the title '%s' is no cut of '%s'", got,
		  want);
}

Test(bench, plot_is_well_formed_with_its_series)
{
	char dir[512], path[600], opt[640], err[256], *svg, title[512];
	const struct xml_node *peak, *area;
	struct xml_node *root;
	struct e2e_run r;
	size_t len;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/p.svg", dir);
	snprintf(opt, sizeof(opt), "--plot=%s", path);
	e2e_run(&r, E2E_ARGS("-i", "10", opt), E2E_ARGS(e2e_wl(), "forktree", "3", "8", "60"), NULL,
		true);
	cr_assert_eq(r.out.status, 0);
	svg = slurp(path, &len);
	cr_assert_not_null(svg, "no plot file");
	root = xml_parse(svg, len, err, sizeof(err));
	cr_assert_not_null(root, "the SVG is not well-formed: %s", err);
	cr_assert_str_eq(root->name, "svg");

	snprintf(title, sizeof(title), "%s forktree 3 8 60", e2e_wl());
	check_title(xml_find_id(root, "title")->text, title);
	cr_assert_not_null(xml_find_id(root, "tree-pss"));
	cr_assert_not_null(xml_find_id(root, "tree-rss"));
	/* Four images (the parent and three children): four process series. */
	cr_assert_not_null(xml_find_id(root, "process-4"));
	cr_assert_null(xml_find_id(root, "process-5"));
	cr_assert_not_null(xml_find_id(root, "peak-rss"));
	peak = xml_find_id(root, "peak");
	area = xml_find_id(root, "plot-area");
	cr_assert_not_null(peak);
	cr_assert_not_null(area);
	cr_assert(atof(xml_attr(peak, "cy")) >= atof(xml_attr(area, "y")) &&
			  atof(xml_attr(peak, "cy")) <=
				  atof(xml_attr(area, "y")) + atof(xml_attr(area, "height")),
		  "the peak mark is outside the plot area");
	cr_assert(strstr(xml_find_id(root, "subtitle")->text, "4 processes"), "%s",
		  xml_find_id(root, "subtitle")->text);
	xml_free(root);
	free(svg);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

/* ------------------------------------------------------------------ --fail-above */

static const char *last_line(const char *text)
{
	size_t n = strlen(text);
	const char *l;

	while (n && text[n - 1] == '\n')
		n--;
	for (l = text + n; l > text && l[-1] != '\n'; l--)
		;
	return l;
}

Test(bench, fail_above_exceeded_122)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--fail-above=1M"), E2E_ARGS(e2e_wl(), "hold-exit", "8"), NULL, true);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	cr_assert_eq(e2e_u64(r.json, "status"), STATUS_FAIL_ABOVE, "the JSON status");
	cr_assert_eq(e2e_u64(r.json, "exit.code"), 0, "the command's own code");
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one line:\n%s", r.out.err);
	cr_assert(strncmp(r.out.err, "maxrss-sc: peak RSS ", 20) == 0 &&
			  strstr(r.out.err, " exceeds --fail-above=1.0 MiB\n"),
		  "%s", r.out.err);
	e2e_run_free(&r);
}

Test(bench, fail_above_not_exceeded_0)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--fail-above=1G"), E2E_ARGS(e2e_wl(), "hold-exit", "8"), NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d", r.out.status);
	cr_assert_null(strstr(r.out.err, "exceeds"), "%s", r.out.err);
	e2e_run_free(&r);
}

/* A failing command keeps its own status; the line still says the peak was too high. */
Test(bench, fail_above_command_failure_wins)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--fail-above=1K"), E2E_ARGS(e2e_wl(), "exit", "7"), NULL, false);
	cr_assert_eq(r.out.status, 7, "status %d", r.out.status);
	cr_assert(strstr(last_line(r.out.err), "exceeds --fail-above=1.0 KiB"), "%s", r.out.err);
	e2e_run_free(&r);
}

/* With --runs the largest peak of the series is judged, and the text report comes first. */
Test(bench, fail_above_with_runs)
{
	struct run_output o;
	const char *argv[] = { e2e_tool(), "-r",	"3", "--fail-above=2M",
			       e2e_wl(),   "hold-exit", "6", NULL };

	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	cr_assert_eq(o.status, STATUS_FAIL_ABOVE, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, ": 3 runs, 0 failed\n"), "%s", o.err);
	cr_assert(strncmp(last_line(o.err), "maxrss-sc: peak RSS ", 20) == 0 &&
			  strstr(last_line(o.err), ") exceeds --fail-above=2.0 MiB"),
		  "%s", o.err);
	run_free(&o);
}

/* ------------------------------------------------------------------ a tree gate */

/* Three forked children hold 24 MiB each at once: no process above 48 MiB, the tree is. */
#define GATE_ARGS(wl) E2E_ARGS(wl, "forktree", "3", "24")

/* The limit entry k of a JSON "limits" array at path. */
static const struct json *limit_at(const struct json *root, const char *path, size_t k)
{
	const struct json *arr = json_path(root, path), *l;

	cr_assert(arr && arr->type == JSON_ARRAY, "no array %s", path);
	l = json_at(arr, k);
	cr_assert_not_null(l, "%s has no entry %zu", path, k);
	return l;
}

static bool exceeded(const struct json *l)
{
	const struct json *e = json_path(l, "exceeded");

	cr_assert(e && e->type == JSON_BOOL, "no \"exceeded\"");
	return e->boolean;
}

/*
 * The make -j2 case of issue 14: the largest process stays under the limit
 * while the tree goes over it.  --fail-above=tree-pss gates the tree; the
 * line names the figure, the tree and the limit; the JSON records every
 * limit and which was exceeded.
 */
Test(bench, fail_above_tree_pss_gates_the_tree)
{
	struct e2e_run r;
	const struct json *l;
	char want[128];

	e2e_run(&r, E2E_ARGS("--json", "--fail-above=48M", "--fail-above=tree-pss:48M"),
		GATE_ARGS(e2e_wl()), NULL, true);
	e2e_note("tree gate: peak RSS %" PRIu64 ", tree PSS %" PRIu64 "; stderr: %s",
		 e2e_u64(r.json, "peak_rss_bytes"), e2e_u64(r.json, "tree.peak_pss_bytes"),
		 r.out.err);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	cr_assert_eq(e2e_u64(r.json, "status"), STATUS_FAIL_ABOVE, "the JSON status");
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one line:\n%s", r.out.err);
	snprintf(want, sizeof(want), "(the whole tree, %" PRIu64 " processes",
		 e2e_u64(r.json, "tree.processes"));
	cr_assert(strncmp(r.out.err, "maxrss-sc: tree peak PSS ", 25) == 0 &&
			  strstr(r.out.err, want) &&
			  strstr(r.out.err, " exceeds --fail-above=tree-pss:48.0 MiB\n"),
		  "%s", r.out.err);

	l = limit_at(r.json, "limits", 0);
	cr_assert_str_eq(e2e_str(l, "figure"), "peak-rss");
	cr_assert_eq(e2e_u64(l, "limit_bytes"), 48 * MIB);
	cr_assert_eq(e2e_u64(l, "value_bytes"), e2e_u64(r.json, "peak_rss_bytes"));
	cr_assert_eq(e2e_u64(l, "pid"), e2e_u64(r.json, "peak_pid"));
	cr_assert_not(exceeded(l), "the largest process is under 48 MiB");
	l = limit_at(r.json, "limits", 1);
	cr_assert_str_eq(e2e_str(l, "figure"), "tree-pss");
	cr_assert_eq(e2e_u64(l, "value_bytes"), e2e_u64(r.json, "tree.peak_pss_bytes"));
	cr_assert(exceeded(l), "the tree is over 48 MiB");
	cr_assert_eq(json_path(l, "pid")->type, JSON_NULL, "a tree limit names no process");
	e2e_run_free(&r);
}

/*
 * The limit line names the command in at most LIMIT_CMD_COLS columns: a
 * longer one (a deep build directory's workload path) is its first
 * LIMIT_CMD_COLS - 3 bytes and "...".
 */
#define LIMIT_CMD_COLS 72

static void check_cut_name(const char *got, size_t len, const char *want)
{
	size_t wlen = strlen(want);

	if (wlen <= LIMIT_CMD_COLS) {
		cr_assert(len == wlen && strncmp(got, want, len) == 0, "'%.*s' is not '%s'",
			  (int)len, got, want);
		return;
	}
	cr_assert(len == LIMIT_CMD_COLS && strncmp(got, want, len - 3) == 0 &&
			  strncmp(got + len - 3, "...", 3) == 0,
		  "'%.*s' is no cut of '%s' to %d columns", (int)len, got, want, LIMIT_CMD_COLS);
}

/* The largest-process limit names the process: pid, image, command. */
Test(bench, fail_above_names_the_process)
{
	struct e2e_run r;
	const struct truth *t;
	const struct json *l;
	const char *name, *end;
	char want[512];

	e2e_run(&r, E2E_ARGS("--json", "--fail-above=8M", "--fail-above=tree-rss:1G"),
		E2E_ARGS(e2e_wl(), "hold-exit", "16"), NULL, true);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	t = e2e_need_truth(&r, "peak", 0);
	snprintf(want, sizeof(want), " (pid %d, image 0: ", (int)t->pid);
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one line:\n%s", r.out.err);
	cr_assert(strncmp(r.out.err, "maxrss-sc: peak RSS ", 20) == 0 && strstr(r.out.err, want),
		  "no \"%s\" in:\n%s", want, r.out.err);
	name = strstr(r.out.err, want) + strlen(want);
	end = strstr(name, ") exceeds --fail-above=8.0 MiB\n");
	cr_assert_not_null(end, "no limit after the name in:\n%s", r.out.err);
	snprintf(want, sizeof(want), "%s hold-exit 16", e2e_wl());
	check_cut_name(name, (size_t)(end - name), want);
	l = limit_at(r.json, "limits", 0);
	cr_assert(exceeded(l));
	cr_assert_eq(e2e_u64(l, "pid"), (uint64_t)t->pid);
	cr_assert_eq(e2e_u64(l, "image"), 0);
	cr_assert_not(exceeded(limit_at(r.json, "limits", 1)));
	e2e_run_free(&r);
}

/*
 * Comparing long command lines: the line names the command by its label cut
 * to LIMIT_CMD_COLS characters where the commands differ (its end kept), and
 * the rest of the line stays whole.
 */
Test(bench, fail_above_when_comparing_long_command_lines)
{
	char pad[120], tree[1024], small[1024];
	const char *name, *end;
	struct e2e_run r;

	memset(pad, 'x', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	snprintf(tree, sizeof(tree), ": %s; %s forktree 3 24", pad, e2e_wl());
	snprintf(small, sizeof(small), ": %s; %s hold-exit 8", pad, e2e_wl());
	e2e_run(&r, E2E_ARGS("-r", "1", "--fail-above=tree-pss:48M"), E2E_ARGS("-C", tree, small),
		NULL, true);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one line:\n%s", r.out.err);
	name = strstr(r.out.err, " (");
	end = strstr(r.out.err, ", run 1; the whole tree, ");
	cr_assert(name && end && name < end, "no command and run in:\n%s", r.out.err);
	name += 2;
	cr_assert(utf8_chars_n(name, (size_t)(end - name)) <= LIMIT_CMD_COLS,
		  "the command is not cut to %d characters:\n%s", LIMIT_CMD_COLS, r.out.err);
	cr_assert(strncmp(end - strlen(" forktree 3 24"), " forktree 3 24", 14) == 0,
		  "the end where the commands differ is lost:\n%s", r.out.err);
	cr_assert(strstr(end, " exceeds --fail-above=tree-pss:48.0 MiB\n"), "%s", r.out.err);
	e2e_run_free(&r);
}

/* With --runs the tree's largest figure over the runs is judged, and its run named. */
Test(bench, fail_above_tree_rss_with_runs)
{
	struct e2e_run r;
	const struct json *l;
	char want[64];

	e2e_run(&r, E2E_ARGS("--json", "-r", "2", "--fail-above=tree-rss:48M"), GATE_ARGS(e2e_wl()),
		NULL, true);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	l = limit_at(r.json, "limits", 0);
	cr_assert(exceeded(l));
	cr_assert_str_eq(e2e_str(l, "figure"), "tree-rss");
	snprintf(want, sizeof(want), "(run %" PRIu64 "; the whole tree, ", e2e_u64(l, "run"));
	cr_assert(strncmp(r.out.err, "maxrss-sc: tree peak RSS ", 25) == 0 &&
			  strstr(r.out.err, want) &&
			  strstr(r.out.err, " exceeds --fail-above=tree-rss:48.0 MiB\n"),
		  "no \"%s\" in:\n%s", want, r.out.err);
	e2e_run_free(&r);
}

/* Comparing: each command is judged on its own; the line names the one over the limit. */
Test(bench, fail_above_tree_pss_when_comparing)
{
	char tree[512], small[512];
	struct e2e_run r;

	snprintf(tree, sizeof(tree), "%s forktree 3 24", e2e_wl());
	snprintf(small, sizeof(small), "%s hold-exit 8", e2e_wl());
	e2e_run(&r, E2E_ARGS("--json", "-r", "1", "--fail-above=tree-pss:48M"),
		E2E_ARGS("-C", tree, small), NULL, true);
	cr_assert_eq(r.out.status, STATUS_FAIL_ABOVE, "status %d, stderr: %s", r.out.status,
		     r.out.err);
	cr_assert_eq(e2e_count_lines(r.out.err), 1, "one line:\n%s", r.out.err);
	cr_assert(strstr(r.out.err, "forktree 3 24, run 1; the whole tree, ") &&
			  strstr(r.out.err, " exceeds --fail-above=tree-pss:48.0 MiB\n"),
		  "%s", r.out.err);
	cr_assert(exceeded(limit_at(r.json, "commands.0.limits", 0)));
	cr_assert_not(exceeded(limit_at(r.json, "commands.1.limits", 0)));
	e2e_run_free(&r);
}
