/*
 * Unit tests of stats (mean, median, sample standard deviation, min, max)
 * and of runs: a series of hand-made runs, its statistics, its exit status,
 * and the --runs reports checked against the per-run values.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../lib/json.h"
#include "../lib/summary.h"
#include "report.h"
#include "runs.h"
#include "stats.h"

#define MIB (1024ULL * 1024)
#define SEC 1000000000ULL

#define ASSERT_NEAR(got, want, tol)                                                            \
	cr_assert(fabs((double)(got) - (double)(want)) <= (tol), "%s = %.9g, want %.9g", #got, \
		  (double)(got), (double)(want))

/* ------------------------------------------------------------------ stats */

Test(stats, known_values)
{
	/* mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /7 */
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 8, &st), 0);
	cr_assert_eq(st.n, 8);
	ASSERT_NEAR(st.mean, 5, 1e-12);
	ASSERT_NEAR(st.min, 2, 0);
	ASSERT_NEAR(st.max, 9, 0);
	ASSERT_NEAR(st.median, 4.5, 1e-12); /* even n: the mean of 4 and 5 */
	cr_assert(st.has_stddev);
	ASSERT_NEAR(st.stddev, sqrt(32.0 / 7.0), 1e-12);
}

Test(stats, odd_count_median_is_middle_value_unsorted_input)
{
	const double v[] = { 9, 1, 7, 3, 5 };
	double copy[5];
	struct stats st;

	memcpy(copy, v, sizeof(copy));
	cr_assert_eq(stats_compute(copy, 5, &st), 0);
	ASSERT_NEAR(st.median, 5, 0);
	ASSERT_NEAR(st.min, 1, 0);
	ASSERT_NEAR(st.max, 9, 0);
	ASSERT_NEAR(st.mean, 5, 1e-12);
	ASSERT_NEAR(st.stddev, sqrt(10.0), 1e-12); /* (16+16+4+4+0)/4 */
	cr_assert_eq(memcmp(copy, v, sizeof(copy)), 0, "the input was reordered");
}

Test(stats, one_value_has_no_stddev)
{
	const double v[] = { 42 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 1, &st), 0);
	ASSERT_NEAR(st.mean, 42, 0);
	ASSERT_NEAR(st.median, 42, 0);
	ASSERT_NEAR(st.min, 42, 0);
	ASSERT_NEAR(st.max, 42, 0);
	cr_assert_not(st.has_stddev);
}

Test(stats, no_values_is_an_error)
{
	struct stats st;

	cr_assert_eq(stats_compute(NULL, 0, &st), -EINVAL);
}

Test(stats, equal_values_have_zero_spread)
{
	const double v[] = { 7, 7, 7, 7 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 4, &st), 0);
	cr_assert(st.has_stddev);
	ASSERT_NEAR(st.stddev, 0, 0);
}

/* Byte counts near 1 GiB with a spread of a few KiB keep their spread. */
Test(stats, large_values_small_spread)
{
	double v[3] = { 1073741824.0 + 4096, 1073741824.0, 1073741824.0 + 8192 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 3, &st), 0);
	ASSERT_NEAR(st.mean, 1073741824.0 + 4096, 1e-6);
	ASSERT_NEAR(st.stddev, 4096, 1e-6);
	ASSERT_NEAR(st.median, 1073741824.0 + 4096, 0);
}

/* ------------------------------------------------------------------ runs */

/* A fake run: a table with one image of the given peak, and a result. */
struct fake {
	struct proctable pt;
	struct tracer_result res;
};

static void fake_run(struct fake *f, uint64_t peak, uint64_t tree_pss, double wall, int code,
		     int sig)
{
	struct process *p;
	struct rollup r = { 0 };

	cr_assert_eq(proctable_init(&f->pt, 0), 0);
	memset(&f->res, 0, sizeof(f->res));
	p = proctable_new_process(&f->pt, 100, 1, false);
	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&f->pt, 100, p));
	cr_assert_eq(proctable_open_image(&f->pt, p, "prog", 5, "/bin/prog", 0), 0);
	if (peak) {
		r.rss = peak;
		r.pss = tree_pss;
		proctable_record_sample(&f->pt, p->image, &r, NULL);
	}
	f->res.ran = true;
	f->res.exited = sig == 0;
	f->res.exit_code = sig ? -1 : code;
	f->res.signal = sig;
	f->res.status = sig ? 128 + sig : code;
	f->res.wall_ns = (uint64_t)(wall * 1e9);
	f->res.has_ru = true;
	f->res.user_seconds = wall / 2;
	f->res.sys_seconds = wall / 4;
}

static void add(struct runs *rs, uint64_t peak, uint64_t pss, double wall, int code, int sig,
		char *json)
{
	struct fake f;

	fake_run(&f, peak, pss, wall, code, sig);
	cr_assert_eq(runs_add(rs, &f.pt, &f.res, json), 0);
	proctable_free(&f.pt);
}

Test(runs, figures_and_failures)
{
	struct runs rs;
	struct stats st;
	uint64_t peak = 0;
	size_t at = 99;

	runs_init(&rs);
	add(&rs, 10 * MIB, 5 * MIB, 1.0, 0, 0, NULL);
	add(&rs, 30 * MIB, 6 * MIB, 2.0, 3, 0, NULL);
	add(&rs, 20 * MIB, 7 * MIB, 3.0, 0, 9, NULL);
	add(&rs, 40 * MIB, 8 * MIB, 4.0, 0, 0, NULL);
	cr_assert_eq(rs.n, 4);
	cr_assert_eq(rs.failed, 2);
	cr_assert_eq(rs.last_failed_status, 137, "the last failed run was killed by SIGKILL");
	cr_assert_eq(rs.v[1].status, 3);
	cr_assert(rs.v[2].has_peak);
	cr_assert_not(rs.v[2].exited);
	cr_assert_eq(rs.v[2].signal, 9);

	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS, &st), 0);
	ASSERT_NEAR(st.mean, 25.0 * MIB, 0.5);
	ASSERT_NEAR(st.median, 25.0 * MIB, 0.5);
	ASSERT_NEAR(st.min, 10.0 * MIB, 0);
	ASSERT_NEAR(st.max, 40.0 * MIB, 0);
	cr_assert_eq(runs_stats(&rs, RUNS_TREE_PEAK_PSS, &st), 0);
	ASSERT_NEAR(st.mean, 6.5 * MIB, 0.5);
	cr_assert_eq(runs_stats(&rs, RUNS_WALL, &st), 0);
	ASSERT_NEAR(st.mean, 2.5, 1e-9);
	ASSERT_NEAR(st.stddev, sqrt(5.0 / 3.0), 1e-9);
	cr_assert_eq(runs_stats(&rs, RUNS_USER, &st), 0);
	ASSERT_NEAR(st.mean, 1.25, 1e-9);
	cr_assert_eq(runs_stats(&rs, RUNS_SYS, &st), 0);
	ASSERT_NEAR(st.max, 1.0, 1e-9);

	cr_assert(runs_max_peak(&rs, &peak, &at));
	cr_assert_eq(peak, 40 * MIB);
	cr_assert_eq(at, 3);
	runs_free(&rs);
}

Test(runs, no_failure_status_zero)
{
	struct runs rs;

	runs_init(&rs);
	add(&rs, MIB, MIB, 0.1, 0, 0, NULL);
	add(&rs, MIB, MIB, 0.1, 0, 0, NULL);
	cr_assert_eq(rs.failed, 0);
	cr_assert_eq(rs.last_failed_status, 0);
	runs_free(&rs);
}

/* A run whose peak was never read leaves the peak statistics, not the others. */
Test(runs, unknown_peak_is_left_out)
{
	struct runs rs;
	struct stats st;
	uint64_t peak = 0;
	size_t at = 0;

	runs_init(&rs);
	add(&rs, 0, 0, 1.0, 0, 0, NULL);
	cr_assert_not(rs.v[0].has_peak);
	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS, &st), -ENODATA);
	cr_assert_not(runs_max_peak(&rs, &peak, &at));
	add(&rs, 8 * MIB, MIB, 3.0, 0, 0, NULL);
	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS, &st), 0);
	cr_assert_eq(st.n, 1);
	ASSERT_NEAR(st.mean, 8.0 * MIB, 0);
	cr_assert_eq(runs_stats(&rs, RUNS_WALL, &st), 0);
	cr_assert_eq(st.n, 2);
	runs_free(&rs);
}

/* ------------------------------------------------------------------ reports */

static char *const command[] = { (char *)"./prog", (char *)"a\"b", NULL };

static char *capture_runs(const struct runs *rs, bool json, int status, size_t planned,
			  unsigned long warmup, bool verbose)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	if (json)
		cr_assert_eq(report_write_runs_json(f, rs, command, status, planned, warmup), 0);
	else
		cr_assert_eq(report_write_runs_text(f, rs, command, planned, warmup, verbose), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

static struct json *parse(const char *text)
{
	char err[256] = "";
	struct json *j = json_parse(text, strlen(text), err, sizeof(err));

	cr_assert_not_null(j, "invalid JSON (%s):\n%s", err, text);
	return j;
}

static double num(const struct json *root, const char *path)
{
	const struct json *j = json_path(root, path);

	cr_assert_not_null(j, "no %s", path);
	cr_assert_eq(j->type, JSON_NUMBER, "%s is not a number", path);
	return j->number;
}

static void add_with_json(struct runs *rs, uint64_t peak, uint64_t pss, double wall, int code)
{
	struct fake f;
	char *json = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&json, &len);

	fake_run(&f, peak, pss, wall, code, 0);
	cr_assert_eq(report_write_json(m, &f.pt, &f.res, command), 0);
	cr_assert_eq(fclose(m), 0);
	cr_assert_eq(runs_add(rs, &f.pt, &f.res, json), 0);
	proctable_free(&f.pt);
}

Test(runs_report, json_summary_matches_runs)
{
	struct runs rs;
	struct json *j;
	char *out;

	runs_init(&rs);
	add_with_json(&rs, 10 * MIB + 1, 3 * MIB, 0.25, 0);
	add_with_json(&rs, 14 * MIB + 7, 4 * MIB + 3, 0.5, 2);
	add_with_json(&rs, 11 * MIB, 5 * MIB, 0.125, 0);
	out = capture_runs(&rs, true, 2, 3, 1, false);
	j = parse(out);

	cr_assert_str_eq(json_path(j, "schema")->string, "maxrss-sc/1");
	cr_assert_str_eq(json_path(j, "command.1")->string, "a\"b");
	ASSERT_NEAR(num(j, "status"), 2, 0);
	ASSERT_NEAR(num(j, "planned_runs"), 3, 0);
	ASSERT_NEAR(num(j, "warmup_runs"), 1, 0);
	ASSERT_NEAR(num(j, "failed_runs"), 1, 0);
	cr_assert_eq(json_get(j, "runs")->n, 3);
	/* Each run is its own full report. */
	cr_assert_str_eq(json_path(j, "runs.0.schema")->string, "maxrss-sc/1");
	ASSERT_NEAR(num(j, "runs.1.status"), 2, 0);
	ASSERT_NEAR(num(j, "runs.1.peak_rss_bytes"), 14 * MIB + 7, 0);

	summary_check(j, "peak_rss_bytes", "peak_rss_bytes", 0.5);
	summary_check(j, "tree_peak_pss_bytes", "tree.peak_pss_bytes", 0.5);
	summary_check(j, "wall_seconds", "wall_seconds", 1e-6);
	summary_check(j, "user_seconds", "user_seconds", 1e-6);
	summary_check(j, "sys_seconds", "sys_seconds", 1e-6);
	json_free(j);
	free(out);
	runs_free(&rs);
}

Test(runs_report, json_one_run_stddev_null)
{
	struct runs rs;
	struct json *j;
	char *out;

	runs_init(&rs);
	add_with_json(&rs, 10 * MIB, 3 * MIB, 0.25, 0);
	out = capture_runs(&rs, true, 0, 1, 0, false);
	j = parse(out);
	cr_assert_eq(json_path(j, "summary.peak_rss_bytes.stddev")->type, JSON_NULL);
	ASSERT_NEAR(num(j, "summary.peak_rss_bytes.mean"), 10 * MIB, 0);
	ASSERT_NEAR(num(j, "summary.peak_rss_bytes.median"), 10 * MIB, 0);
	json_free(j);
	free(out);
	runs_free(&rs);
}

/* Without any known peak, the metric is null rather than a made-up 0. */
Test(runs_report, json_unknown_metric_is_null)
{
	struct runs rs;
	struct json *j;
	char *out;

	runs_init(&rs);
	add(&rs, 0, 0, 1.0, 0, 0, NULL);
	add(&rs, 0, 0, 2.0, 0, 0, NULL);
	out = capture_runs(&rs, true, 0, 2, 0, false);
	j = parse(out);
	cr_assert_eq(json_path(j, "summary.peak_rss_bytes")->type, JSON_NULL);
	cr_assert_eq(json_path(j, "summary.wall_seconds")->type, JSON_OBJECT);
	/* Runs added without their JSON are null entries, not missing ones. */
	cr_assert_eq(json_get(j, "runs")->n, 2);
	cr_assert_eq(json_path(j, "runs.0")->type, JSON_NULL);
	json_free(j);
	free(out);
	runs_free(&rs);
}

/* The line of a text report that starts (after its indent) with label. */
static const char *line_of(const char *text, const char *label)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, "  ", 2) == 0 && strncmp(l + 2, label, strlen(label)) == 0)
			return l;
	return NULL;
}

static void assert_line(const char *text, const char *label, const char *want)
{
	const char *l = line_of(text, label);
	size_t n;

	cr_assert_not_null(l, "no '%s' line in:\n%s", label, text);
	n = strcspn(l, "\n");
	cr_assert(strlen(want) == n && strncmp(l, want, n) == 0, "line\n[%.*s]\nwant\n[%s]", (int)n,
		  l, want);
}

Test(runs_report, text_mean_sd_min_max)
{
	struct runs rs;
	char *out;

	runs_init(&rs);
	/* Peaks 10, 12, 14 MiB: mean 12, sd 2; PSS 1, 2, 3 MiB: mean 2, sd 1. */
	add(&rs, 10 * MIB, 1 * MIB, 1.0, 0, 0, NULL);
	add(&rs, 12 * MIB, 2 * MIB, 1.5, 0, 0, NULL);
	add(&rs, 14 * MIB, 3 * MIB, 2.0, 4, 0, NULL);
	out = capture_runs(&rs, false, 0, 3, 2, false);
	cr_assert(strncmp(out,
			  "maxrss-sc: ./prog a\"b: 3 runs after 2 warm-up runs, 1 failed "
			  "(last: run 3 exited 4)\n",
			  strlen("maxrss-sc: ./prog a\"b: 3 runs after 2 warm-up runs, 1 failed "
				 "(last: run 3 exited 4)\n")) == 0,
		  "first line:\n%s", out);
	assert_line(out, "peak RSS",
		    "  peak RSS       12.0 MiB \u00b1 2.0 MiB      10.0 MiB \u2026 14.0 MiB");
	assert_line(out, "tree peak PSS",
		    "  tree peak PSS  2.0 MiB \u00b1 1.0 MiB       1.0 MiB \u2026 3.0 MiB");
	assert_line(out, "wall time",
		    "  wall time      1.500 s \u00b1 0.500 s       1.000 s \u2026 2.000 s");
	assert_line(out, "user, sys", "  user, sys      750.0 ms, 375.0 ms (mean)");
	cr_assert_null(line_of(out, "  run"), "a per-run table without --verbose");
	free(out);
	runs_free(&rs);
}

/* A spread too small for the mean's unit is shown in its own unit. */
Test(runs_report, text_small_spread_own_unit)
{
	struct runs rs;
	char *out;

	runs_init(&rs);
	add(&rs, 100 * MIB, MIB, 1.0, 0, 0, NULL);
	add(&rs, 100 * MIB + 8192, MIB, 1.0, 0, 0, NULL);
	add(&rs, 100 * MIB + 16384, MIB, 1.0, 0, 0, NULL);
	out = capture_runs(&rs, false, 0, 3, 0, false);
	assert_line(out, "peak RSS",
		    "  peak RSS       100.0 MiB \u00b1 8.0 KiB     100.0 MiB \u2026 100.0 MiB");
	free(out);
	runs_free(&rs);
}

Test(runs_report, text_verbose_table_and_cut_short)
{
	struct runs rs;
	char *out;

	runs_init(&rs);
	add(&rs, 10 * MIB, MIB, 0.5, 0, 0, NULL);
	add(&rs, 11 * MIB, MIB, 0.25, 0, 2, NULL);
	out = capture_runs(&rs, false, 0, 10, 0, true);
	cr_assert(strstr(out, ": 2 of 10 runs (cut short), 1 failed (last: run 2 killed by "
			      "signal 2)\n"),
		  "%s", out);
	cr_assert(strstr(out,
			 "\n      1  exited 0                  10.0 MiB     1.0 MiB    500.0 ms\n"),
		  "%s", out);
	cr_assert(strstr(out,
			 "\n      2  killed by signal 2        11.0 MiB     1.0 MiB    250.0 ms\n"),
		  "%s", out);
	free(out);
	runs_free(&rs);
}
