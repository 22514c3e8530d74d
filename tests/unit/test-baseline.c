/*
 * Unit tests of baseline: the three report shapes read back (one run,
 * --runs, --compare), the refusals, and what counts as grown too much.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "baseline.h"

static char path[] = "/tmp/maxrss-sc-baseline-XXXXXX";
static struct baseline base;
static char err[512];

static void write_file(const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	cr_assert_not_null(f);
	cr_assert(fputs(text, f) >= 0 && fclose(f) == 0);
}

static void teardown(void)
{
	baseline_free(&base);
	unlink(path);
}

TestSuite(baseline, .fini = teardown);

Test(baseline, one_run)
{
	write_file("{\"schema\": \"maxrss-sc/1\", \"command\": [\"./prog\", \"a b\"], "
		   "\"peak_rss_bytes\": 1000, \"tree\": {\"peak_pss_bytes\": 800}}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(base.n, 1);
	cr_assert_str_eq(base.v[0].label, "./prog a b");
	cr_assert(base.v[0].has[BASE_PEAK]);
	cr_assert_eq(base.v[0].stats[BASE_PEAK].n, 1);
	cr_assert_eq(base.v[0].stats[BASE_PEAK].mean, 1000);
	cr_assert_eq(base.v[0].stats[BASE_PSS].mean, 800);
	cr_assert_not_null(baseline_find(&base, "./prog a b"));
	cr_assert_null(baseline_find(&base, "./prog a"));
}

Test(baseline, series)
{
	write_file("{\"schema\": \"maxrss-sc/1\", \"command\": [\"x\"], \"runs\": [{}, {}, {}],"
		   " \"summary\": {\"peak_rss_bytes\": {\"min\": 90, \"median\": 100, "
		   "\"mean\": 100, \"stddev\": 10, \"max\": 110}, \"tree_peak_pss_bytes\": null}}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(base.v[0].stats[BASE_PEAK].n, 3);
	cr_assert_eq(base.v[0].stats[BASE_PEAK].stddev, 10);
	cr_assert(base.v[0].stats[BASE_PEAK].has_stddev);
	cr_assert_not(base.v[0].has[BASE_PSS], "null: unknown");
}

Test(baseline, comparison)
{
	write_file("{\"schema\": \"maxrss-sc/1\", \"mode\": \"compare\", \"commands\": ["
		   "{\"command_line\": \"sort a | uniq\", \"command\": [\"/bin/sh\", \"-c\", "
		   "\"sort a | uniq\"], \"runs\": [{}, {}], \"summary\": {\"peak_rss_bytes\": "
		   "{\"min\": 1, \"mean\": 2, \"stddev\": 1, \"max\": 3}}},"
		   "{\"command\": [\"b\"], \"peak_rss_bytes\": 7}]}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(base.n, 2);
	cr_assert_str_eq(base.v[0].label, "sort a | uniq");
	cr_assert_eq(base.v[0].stats[BASE_PEAK].median, 2, "a missing median is the mean");
	cr_assert_str_eq(base.v[1].label, "b");
}

static void refused(const char *text, const char *words)
{
	write_file(text);
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), -EINVAL, "accepted: %s", text);
	cr_assert(strstr(err, words), "'%s' not in: %s", words, err);
	cr_assert(strstr(err, path), "the message names the file: %s", err);
	unlink(path);
	strcpy(path, "/tmp/maxrss-sc-baseline-XXXXXX");
}

Test(baseline, unreadable_file)
{
	cr_assert_eq(baseline_load(&base, "/nonexistent/base.json", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err,
			 "--baseline: cannot read /nonexistent/base.json: No such file or directory");
	cr_assert_eq(baseline_load(&base, "/", err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--baseline: cannot read /: Is a directory");
}

Test(baseline, refusals)
{
	refused("not json", "is not JSON: ");
	refused("{\"schema\": \"maxrss-sc/1\", \"command\": [",
		"is not JSON: unexpected end of data at byte 38");
	refused("{\"schema\": \"maxrss-sc/1\", \"command\": [\"x\"], \"peak_rss_bytes\": 1} {}",
		"is not JSON: more text after the end, at byte 65");
	refused("null", "is not a report of maxrss-sc (it is JSON null)");
	refused("{\"schema\": \"hyperfine\"}", "not a report of maxrss-sc");
	refused("{\"command\": [\"x\"]}", "schema missing");
	refused("{\"schema\": \"maxrss-sc/1\", \"commands\": {}}", "not an array");
	refused("{\"schema\": \"maxrss-sc/1\", \"commands\": []}", "holds no command");
	refused("{\"schema\": \"maxrss-sc/1\"}", "holds no command");
}

/* 30 against a baseline of 20, single runs: +50 %, beyond any 10 % limit. */
Test(baseline, grew_too_much)
{
	static char label[] = "x";
	struct subject sub = { .label = label };
	struct compared x = { .subject = &sub };
	struct baseline_change ch;

	write_file("{\"schema\": \"maxrss-sc/1\", \"command\": [\"x\"], \"peak_rss_bytes\": 20}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	x.has[FIG_PEAK] = true;
	x.stats[FIG_PEAK] = (struct stats){ .n = 1, .mean = 30, .min = 30, .max = 30, .median = 30 };
	ch = baseline_change(&base, &x, true, 10);
	cr_assert(ch.entry);
	cr_assert(ch.exceeded);
	cr_assert_float_eq(ch.rel[BASE_PEAK].change, 0.5, 1e-12);
	ch = baseline_change(&base, &x, true, 60);
	cr_assert_not(ch.exceeded, "+50 %% is below 60 %%");
	ch = baseline_change(&base, &x, false, 0);
	cr_assert_not(ch.exceeded, "no --max-increase, no gate");
	x.stats[FIG_PEAK].mean = x.stats[FIG_PEAK].min = x.stats[FIG_PEAK].max = 21;
	ch = baseline_change(&base, &x, true, 10);
	cr_assert_not(ch.exceeded, "+5 %%");
}

/*
 * The limit is "more than PERCENT": +50 % against a 50 % limit passes.  A
 * growth within the noise never fails the gate: 115 +- 10 against
 * 100 +- 10 over three runs each is +15 %, but t = 1.84 on 4 degrees of
 * freedom: p is between 0.1 and 0.2 (t(4) = 1.533 and 2.132 there).
 */
Test(baseline, at_the_limit_and_within_the_noise)
{
	static char label[] = "x";
	struct subject sub = { .label = label };
	struct compared x = { .subject = &sub, .has = { [FIG_PEAK] = true } };
	struct baseline_change ch;

	write_file("{\"schema\": \"maxrss-sc/1\", \"command\": [\"x\"], \"runs\": [{}, {}, {}],"
		   " \"summary\": {\"peak_rss_bytes\": {\"min\": 90, \"median\": 100, "
		   "\"mean\": 100, \"stddev\": 10, \"max\": 110}}}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	x.stats[FIG_PEAK] = (struct stats){ .n = 3,
					    .mean = 115,
					    .median = 115,
					    .stddev = 10,
					    .has_stddev = true,
					    .min = 105,
					    .max = 125 };
	ch = baseline_change(&base, &x, true, 10);
	cr_assert_float_eq(ch.rel[BASE_PEAK].change, 0.15, 1e-12);
	cr_assert_eq(ch.rel[BASE_PEAK].test, TEST_WELCH);
	cr_assert_not(ch.rel[BASE_PEAK].beyond_noise, "p = %g", ch.rel[BASE_PEAK].p_value);
	cr_assert_not(ch.exceeded, "within the noise");

	x.stats[FIG_PEAK] = (struct stats){ .n = 3,
					    .mean = 150,
					    .median = 150,
					    .stddev = 1,
					    .has_stddev = true,
					    .min = 149,
					    .max = 151 };
	ch = baseline_change(&base, &x, true, 50);
	cr_assert(ch.rel[BASE_PEAK].beyond_noise, "p = %g", ch.rel[BASE_PEAK].p_value);
	cr_assert_not(ch.exceeded, "+50 %% is not more than 50 %%");
	ch = baseline_change(&base, &x, true, 49);
	cr_assert(ch.exceeded);
}

/* A summary without runs (one run): no spread, whatever stddev says. */
Test(baseline, summary_of_one_run_has_no_spread)
{
	write_file("{\"schema\": \"maxrss-sc/1\", \"command\": [\"x\"], \"summary\": "
		   "{\"peak_rss_bytes\": {\"min\": 5, \"mean\": 5, \"stddev\": 0, \"max\": 5}}}");
	cr_assert_eq(baseline_load(&base, path, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(base.v[0].stats[BASE_PEAK].n, 1);
	cr_assert_not(base.v[0].stats[BASE_PEAK].has_stddev);
}
