/*
 * Unit tests of session: real runs of small shell commands under the
 * tracer, as the options ask for them: which runs are measured and kept,
 * what ends a series early, the facts of the exit status it fills.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../lib/tracing.h"
#include "options.h"
#include "runs.h"
#include "session.h"
#include "subjects.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct options opts;
static struct runs rs;
static struct exit_facts facts;
static struct subjects subj;

/* Parse args (after "maxrss-sc") as the command line, then run the session. */
static void run_session(const char *const *args, size_t n)
{
	/* Kept past the call: opts.command points into it. */
	static char *argv[16];
	char err[256];

	cr_assert_lt(n + 1, ARRAY_SIZE(argv));
	argv[0] = (char *)"maxrss-sc";
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	argv[n + 1] = NULL;
	cr_assert_eq(options_parse((int)n + 1, argv, &opts, err, sizeof(err)), OPTIONS_RUN, "%s",
		     err);
	cr_assert_eq(subjects_build(&subj, &opts, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(subj.n, 1, "one command, not a comparison");
	runs_init(&rs, subj.v[0].argv, opts.runs, opts.warmup, opts.series && opts.json);
	session_run(&opts, &subj, &rs, &facts);
}

#define RUN_SESSION(...)                               \
	do {                                           \
		const char *args_[] = { __VA_ARGS__ }; \
		run_session(args_, ARRAY_SIZE(args_)); \
	} while (0)

static void teardown(void)
{
	runs_free(&rs);
	subjects_free(&subj);
}

/*
 * The runs are real: skipped where this process may not trace (tests/lib/
 * tracing.h).  The command inherits our signal dispositions and mask (as
 * it must: maxrss-sc passes them on), and a test that kills it with SIGINT
 * needs SIGINT's default: a suite started in the background by a
 * non-interactive shell (a CI job, nohup make check &) ignores SIGINT and
 * SIGQUIT.
 */
static void setup(void)
{
	char why[256];
	sigset_t set;

	if (tracing_refused(why, sizeof(why)))
		cr_skip_test("tracing is refused here: %s", why);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

TestSuite(session, .init = setup, .fini = teardown, .timeout = 30);

Test(session, one_run)
{
	RUN_SESSION("-i", "0", "/bin/sh", "-c", "exit 3");
	cr_assert_eq(rs.n, 1);
	cr_assert_not_null(runs_last(&rs));
	cr_assert_not(facts.series);
	cr_assert_eq(facts.runs, 1);
	cr_assert_eq(facts.run_status, 3);
	cr_assert_eq(facts.stop_status, 0);
	cr_assert_not(facts.tool_failed);
}

/* Warm-up runs are run but not measured. */
Test(session, warmup_runs_are_not_measured)
{
	RUN_SESSION("--warmup", "2", "-r", "3", "-i", "0", "/bin/true");
	cr_assert_eq(rs.n, 3);
	cr_assert(facts.series);
	cr_assert_eq(facts.runs, 3);
	cr_assert_eq(facts.last_failed_status, 0);
}

/* A failure stops the series there (issue 14), and is left out of the figures. */
Test(session, failures_of_a_series)
{
	RUN_SESSION("-r", "2", "-i", "0", "/bin/sh", "-c", "exit 4");
	cr_assert_eq(rs.n, 1);
	cr_assert_eq(rs.failed_runs, 1);
	cr_assert_eq(rs.stopped_at, 1);
	cr_assert_eq(rs.stopped_by, RUN_FAILED);
	cr_assert_not(rs.v[0].counted);
	cr_assert_eq(facts.last_failed_status, 4);
	cr_assert_eq(result_exit_status(&facts), 4);
}

/* --ignore-failure: every run, in the figures; the status is 0. */
Test(session, ignored_failures_of_a_series)
{
	RUN_SESSION("-r", "2", "-i", "0", "--ignore-failure", "/bin/sh", "-c", "exit 4");
	cr_assert_eq(rs.n, 2);
	cr_assert_eq(rs.failed_runs, 2);
	cr_assert_eq(rs.stopped_at, 0);
	cr_assert(rs.v[0].counted && rs.v[1].counted);
	cr_assert_eq(result_exit_status(&facts), 0);
}

/* A failed warm-up run ends the session with its status, nothing measured. */
Test(session, failed_warmup_gives_its_status)
{
	RUN_SESSION("--warmup", "1", "-r", "3", "-i", "0", "/bin/sh", "-c", "exit 6");
	cr_assert_eq(rs.n, 0);
	cr_assert_eq(facts.stop_status, 6);
	cr_assert_eq(result_exit_status(&facts), 6);
}

/* A run killed as by Ctrl-C ends the series: the user asked to stop. */
Test(session, interrupted_run_ends_the_series)
{
	RUN_SESSION("-r", "3", "-i", "0", "/bin/sh", "-c", "kill -INT $$");
	cr_assert_eq(rs.n, 1, "%zu runs", rs.n);
	cr_assert_not(rs.v[0].counted, "an interrupted run in the figures");
	cr_assert_eq(rs.stopped_by, RUN_INTERRUPTED);
	cr_assert_eq(facts.last_failed_status, 128 + SIGINT);
}

/* Ctrl-C in a warm-up run ends the session with that run's status, nothing measured. */
Test(session, interrupted_warmup_gives_its_status)
{
	RUN_SESSION("--warmup", "2", "-r", "3", "-i", "0", "/bin/sh", "-c", "kill -INT $$");
	cr_assert_eq(rs.n, 0, "%zu runs", rs.n);
	cr_assert_eq(facts.stop_status, 128 + SIGINT);
	cr_assert_eq(result_exit_status(&facts), 128 + SIGINT);
}

/* A command that cannot start ends the session with its status; nothing is measured. */
Test(session, command_not_found)
{
	RUN_SESSION("-r", "2", "/nonexistent/maxrss-sc-test");
	cr_assert_eq(rs.n, 0);
	cr_assert_eq(facts.runs, 0);
	cr_assert_eq(facts.stop_status, 127);
}

/* The samples are kept for --timeline and --plot, of the last run only. */
Test(session, samples_of_the_last_run)
{
	RUN_SESSION("-r", "2", "-i", "0", "--plot", "/dev/null", "/bin/true");
	cr_assert_eq(rs.n, 2);
	cr_assert_null(rs.v[0].result, "a run before the last was kept whole");
	cr_assert_gt(runs_last(&rs)->tl.n, 0, "no sample recorded");
}

Test(session, no_samples_unless_asked)
{
	RUN_SESSION("-i", "0", "/bin/true");
	cr_assert_eq(runs_last(&rs)->tl.n, 0);
}

/* With the --runs JSON report, every run is kept whole. */
Test(session, json_series_keeps_every_run)
{
	RUN_SESSION("-r", "2", "-j", "-i", "0", "/bin/true");
	cr_assert_eq(rs.n, 2);
	cr_assert_not_null(rs.v[0].result);
	cr_assert_not_null(rs.v[1].result);
}
