/*
 * Unit tests of runs: a series of made-up runs, the figures kept of each,
 * their statistics, the status of the last failure, and which results are
 * kept whole.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "fake-run.h"
#include "runs.h"

#define MIB (1024ULL * 1024)

#define ASSERT_NEAR(got, want, tol)                                                            \
	cr_assert(fabs((double)(got) - (double)(want)) <= (tol), "%s = %.9g, want %.9g", #got, \
		  (double)(got), (double)(want))

static char *const command[] = { (char *)"./prog", NULL };

static void add(struct runs *rs, uint64_t peak, uint64_t pss, double wall, int code, int sig)
{
	cr_assert_eq(runs_add(rs, fake_run(command, peak, pss, wall, code, sig)), 0);
}

Test(runs, figures_and_failures)
{
	struct runs rs;
	struct stats st;
	uint64_t peak = 0;
	size_t at = 99;

	runs_init(&rs, command, 0, 0, false);
	add(&rs, 10 * MIB, 5 * MIB, 1.0, 0, 0);
	add(&rs, 30 * MIB, 6 * MIB, 2.0, 3, 0);
	add(&rs, 20 * MIB, 7 * MIB, 3.0, 0, 9);
	add(&rs, 40 * MIB, 8 * MIB, 4.0, 0, 0);
	cr_assert_eq(rs.n, 4);
	cr_assert_eq(rs.failed_runs, 2);
	cr_assert_eq(rs.last_failed_status, 137, "the last failed run was killed by SIGKILL");
	cr_assert_eq(rs.v[1].status, 3);
	cr_assert(rs.v[2].has_peak);
	cr_assert_not(rs.v[2].exited);
	cr_assert_eq(rs.v[2].signal, 9);

	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS_BYTES, &st), 0);
	ASSERT_NEAR(st.mean, 25.0 * MIB, 0.5);
	ASSERT_NEAR(st.median, 25.0 * MIB, 0.5);
	ASSERT_NEAR(st.min, 10.0 * MIB, 0);
	ASSERT_NEAR(st.max, 40.0 * MIB, 0);
	cr_assert_eq(runs_stats(&rs, RUNS_TREE_PEAK_PSS_BYTES, &st), 0);
	ASSERT_NEAR(st.mean, 6.5 * MIB, 0.5);
	cr_assert_eq(runs_stats(&rs, RUNS_WALL_SECONDS, &st), 0);
	ASSERT_NEAR(st.mean, 2.5, 1e-9);
	ASSERT_NEAR(st.stddev, sqrt(5.0 / 3.0), 1e-9);
	cr_assert_eq(runs_stats(&rs, RUNS_USER_SECONDS, &st), 0);
	ASSERT_NEAR(st.mean, 1.25, 1e-9);
	cr_assert_eq(runs_stats(&rs, RUNS_SYS_SECONDS, &st), 0);
	ASSERT_NEAR(st.max, 1.0, 1e-9);

	cr_assert(runs_max_peak(&rs, &peak, &at));
	cr_assert_eq(peak, 40 * MIB);
	cr_assert_eq(at, 3);
	runs_free(&rs);
}

Test(runs, no_failure_status_zero)
{
	struct runs rs;

	runs_init(&rs, command, 0, 0, false);
	add(&rs, MIB, MIB, 0.1, 0, 0);
	add(&rs, MIB, MIB, 0.1, 0, 0);
	cr_assert_eq(rs.failed_runs, 0);
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

	runs_init(&rs, command, 0, 0, false);
	add(&rs, 0, 0, 1.0, 0, 0);
	cr_assert_not(rs.v[0].has_peak);
	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS_BYTES, &st), -ENODATA);
	cr_assert_not(runs_max_peak(&rs, &peak, &at));
	add(&rs, 8 * MIB, MIB, 3.0, 0, 0);
	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS_BYTES, &st), 0);
	cr_assert_eq(st.n, 1);
	ASSERT_NEAR(st.mean, 8.0 * MIB, 0);
	cr_assert_eq(runs_stats(&rs, RUNS_WALL_SECONDS, &st), 0);
	cr_assert_eq(st.n, 2);
	runs_free(&rs);
}

/* Without keep_all, only the last run is kept whole: the reports of one run show it. */
Test(runs, keeps_the_last_result)
{
	struct runs rs;

	runs_init(&rs, command, 3, 0, false);
	cr_assert_null(runs_last(&rs));
	add(&rs, MIB, MIB, 0.1, 0, 0);
	add(&rs, 2 * MIB, MIB, 0.1, 0, 0);
	add(&rs, 3 * MIB, MIB, 0.1, 0, 0);
	cr_assert_null(rs.v[0].result);
	cr_assert_null(rs.v[1].result);
	cr_assert_not_null(rs.v[2].result);
	cr_assert_eq(runs_last(&rs), rs.v[2].result);
	cr_assert_eq(result_peak_image(&runs_last(&rs)->pt)->peak_rss, 3 * MIB);
	/* The figures of the runs let go stay. */
	cr_assert_eq(rs.v[0].peak_rss_bytes, MIB);
	runs_free(&rs);
}

/* With keep_all (the JSON report has every run), every result stays, with the last samples only. */
Test(runs, keep_all_keeps_every_result)
{
	struct runs rs;

	runs_init(&rs, command, 2, 1, true);
	for (int i = 0; i < 2; i++) {
		struct result *r = fake_run(command, MIB, MIB, 0.1, 0, 0);

		cr_assert_eq(timeline_record(&r->tl, &r->pt, r->pt.images[0], 0), 0);
		cr_assert_eq(runs_add(&rs, r), 0);
	}
	cr_assert_not_null(rs.v[0].result);
	cr_assert_not_null(rs.v[1].result);
	cr_assert_eq(rs.v[0].result->tl.n, 0, "the samples of a run before the last were kept");
	cr_assert_eq(rs.v[1].result->tl.n, 1);
	cr_assert_eq(rs.planned_runs, 2);
	cr_assert_eq(rs.warmup_runs, 1);
	cr_assert_eq(rs.command, command);
	runs_free(&rs);
}

/* The figures of a run are those of its result: its headline peak, tree PSS, end, times. */
Test(runs, figures_of_a_run)
{
	struct runs rs;
	const struct run *r;

	runs_init(&rs, command, 1, 0, false);
	add(&rs, 5 * MIB, 2 * MIB, 1.5, 0, 15);
	r = &rs.v[0];
	cr_assert(r->has_peak);
	cr_assert_eq(r->peak_rss_bytes, 5 * MIB);
	cr_assert_eq(r->tree_peak_pss_bytes, 2 * MIB);
	cr_assert_not(r->exited);
	cr_assert_eq(r->signal, 15);
	cr_assert_eq(r->status, 143);
	ASSERT_NEAR(r->wall_seconds, 1.5, 1e-9);
	cr_assert(r->has_ru);
	ASSERT_NEAR(r->user_seconds, 0.75, 1e-9);
	ASSERT_NEAR(r->sys_seconds, 0.375, 1e-9);
	runs_free(&rs);
}

/*
 * --fail-above over a series: each figure's largest value and its run; a
 * tree limit judges the tree's sum, not the largest process; the image of
 * the headline peak is kept for the failure line even once its run's
 * result is let go.
 */
Test(runs, limits_judged_over_the_runs)
{
	struct runs rs;
	const struct limit limits[] = {
		{ LIMIT_PEAK_RSS, 35 * MIB },
		{ LIMIT_TREE_RSS, 50 * MIB },
		{ LIMIT_TREE_PSS, 7 * MIB },
		{ LIMIT_TREE_PSS, 8 * MIB },
	};

	runs_init(&rs, command, 0, 0, false);
	add(&rs, 10 * MIB, 5 * MIB, 1.0, 0, 0);
	add(&rs, 30 * MIB, 9 * MIB, 2.0, 0, 0);
	add(&rs, 20 * MIB, 7 * MIB, 3.0, 0, 0);
	cr_assert_eq(runs_check_limits(&rs, limits, 4), 0);
	cr_assert_eq(rs.nchecks, 4);
	cr_assert_not(rs.checks[0].exceeded, "peak RSS 30 MiB is not above 35 MiB");
	cr_assert_eq(rs.checks[0].value, 30 * MIB);
	cr_assert_eq(rs.checks[0].run, 1);
	cr_assert(rs.checks[0].known);
	/* One image per fake run: its tree RSS is its peak. */
	cr_assert_eq(rs.checks[1].value, 30 * MIB);
	cr_assert_not(rs.checks[1].exceeded);
	cr_assert(rs.checks[2].exceeded, "tree PSS 9 MiB is above 7 MiB");
	cr_assert_eq(rs.checks[2].value, 9 * MIB);
	cr_assert_eq(rs.checks[2].run, 1);
	cr_assert(rs.checks[3].exceeded);
	cr_assert(runs_exceeded(&rs));
	/* The peak's image, kept for the line after its result was let go. */
	cr_assert_null(rs.v[1].result);
	cr_assert_eq(rs.v[1].peak_image, 0);
	cr_assert_gt(rs.v[1].peak_pid, 0);
	cr_assert_str_eq(rs.v[1].peak_argv, "prog");

	/* No limit: nothing exceeded. */
	cr_assert_eq(runs_check_limits(&rs, NULL, 0), 0);
	cr_assert_eq(rs.nchecks, 0);
	cr_assert_not(runs_exceeded(&rs));
	runs_free(&rs);
}

/* A run whose peak is unknown says nothing about the peak-rss limit. */
Test(runs, limit_of_an_unknown_peak)
{
	struct runs rs;
	const struct limit l = { LIMIT_PEAK_RSS, 0 };

	runs_init(&rs, command, 0, 0, false);
	add(&rs, 0, 0, 1.0, 0, 0);
	cr_assert_eq(runs_check_limits(&rs, &l, 1), 0);
	cr_assert_not(rs.checks[0].known);
	cr_assert_not(rs.checks[0].exceeded);
	runs_free(&rs);
}

/* What a run is to its series (issue 14): --ignore-failure, its codes, Ctrl-C. */
Test(runs, judge)
{
	static const int codes[] = { 1, 3 };
	struct tracer_result res = { .ran = true, .exited = true };

	cr_assert_eq(runs_judge(&res, false, NULL, 0), RUN_OK);
	res.exit_code = res.status = 3;
	cr_assert_eq(runs_judge(&res, false, NULL, 0), RUN_FAILED);
	cr_assert_eq(runs_judge(&res, true, NULL, 0), RUN_ACCEPTED);
	cr_assert_eq(runs_judge(&res, true, codes, 2), RUN_ACCEPTED);
	res.exit_code = res.status = 2;
	cr_assert_eq(runs_judge(&res, true, codes, 2), RUN_FAILED);
	/* Codes are exit codes: a signal is not one of them. */
	res = (struct tracer_result){ .ran = true, .signal = 9, .status = 137 };
	cr_assert_eq(runs_judge(&res, true, codes, 2), RUN_FAILED);
	cr_assert_eq(runs_judge(&res, true, NULL, 0), RUN_ACCEPTED);
	/* Ctrl-C is never accepted: the user asked to stop. */
	res = (struct tracer_result){ .ran = true, .signal = 2, .status = 130 };
	cr_assert_eq(runs_judge(&res, true, NULL, 0), RUN_INTERRUPTED);
	res = (struct tracer_result){ .ran = true, .exited = true };
	res.after_exit.ended_by = WAIT_INTERRUPT;
	cr_assert_eq(runs_judge(&res, false, NULL, 0), RUN_INTERRUPTED);
}

/* A run that stopped the series is out of the figures; an accepted failure not in the status. */
Test(runs, judged_runs_in_the_figures)
{
	struct runs rs;
	struct stats st;

	runs_init(&rs, command, 4, 0, false);
	cr_assert_eq(runs_add_judged(&rs, fake_run(command, 10 * MIB, MIB, 1, 0, 0), RUN_OK), 0);
	cr_assert_eq(runs_add_judged(&rs, fake_run(command, 20 * MIB, MIB, 1, 3, 0), RUN_ACCEPTED),
		     0);
	cr_assert_eq(rs.last_failed_status, 0);
	cr_assert_eq(runs_add_judged(&rs, fake_run(command, 90 * MIB, MIB, 1, 4, 0), RUN_FAILED),
		     0);
	cr_assert_eq(rs.failed_runs, 2);
	cr_assert_eq(rs.last_failed_status, 4);
	cr_assert_eq(rs.stopped_at, 3);
	cr_assert_eq(rs.stopped_by, RUN_FAILED);
	cr_assert_eq(runs_stats(&rs, RUNS_PEAK_RSS_BYTES, &st), 0);
	cr_assert_eq(st.n, 2);
	cr_assert_eq(st.max, 20.0 * MIB);
	runs_free(&rs);
}
