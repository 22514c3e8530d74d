/*
 * Unit tests of result: maxrss-sc's exit status, one test per rule over a
 * table of cases; which run ends a series; the headline peak; how the
 * command ended in words; a result recording its samples.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "result.h"

#define MIB (1024ULL * 1024)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ result_exit_status */

struct status_case {
	const char *rule; /* the rule of the man page's EXIT STATUS the case is for */
	struct exit_facts facts;
	int want;
};

#define SINGLE(status) .series = false, .runs = 1, .run_status = (status)
#define SERIES(n, last, failed) \
	.series = true, .runs = (n), .run_status = (last), .last_failed_status = (failed)

static const struct status_case status_cases[] = {
	/* A single run: the command's own status, its code or 128 + N. */
	{ "command", { SINGLE(0) }, 0 },
	{ "command", { SINGLE(3) }, 3 },
	{ "command", { SINGLE(137) }, 137 },
	{ "command", { SINGLE(255) }, 255 },

	/* --fail-above: 122 when the command succeeded but the peak exceeded the limit. */
	{ "fail_above", { SINGLE(0), .exceeded = true }, EXIT_FAIL_ABOVE },
	{ "fail_above", { SERIES(3, 0, 0), .exceeded = true }, EXIT_FAIL_ABOVE },
	{ "fail_above", { SINGLE(0), .exceeded = false }, 0 },

	/* ... but a command that failed keeps its own status. */
	{ "failure_beats_limit", { SINGLE(3), .exceeded = true }, 3 },
	{ "failure_beats_limit", { SINGLE(137), .exceeded = true }, 137 },
	{ "failure_beats_limit", { SERIES(3, 0, 2), .exceeded = true }, 2 },

	/* --runs: the status of the last run that failed, else 0. */
	{ "series", { SERIES(3, 0, 0) }, 0 },
	{ "series", { SERIES(3, 0, 2) }, 2 }, /* a run before the last failed */
	{ "series", { SERIES(3, 137, 137) }, 137 },
	{ "series", { SERIES(1, 5, 5) }, 5 },

	/* The command could not start (126, 127), or maxrss-sc failed before a run began (125). */
	{ "not_started", { .runs = 0, .stop_status = 127 }, 127 },
	{ "not_started", { .runs = 0, .stop_status = 126 }, 126 },
	{ "not_started", { .runs = 0, .stop_status = EXIT_TOOL }, EXIT_TOOL },
	{ "not_started", { .series = true, .runs = 0, .stop_status = 127 }, 127 },
	/* A warm-up run interrupted (Ctrl-C): its status, no report. */
	{ "not_started", { .series = true, .runs = 0, .stop_status = 128 + 2 }, 128 + 2 },
	/* A run of a series that could not start ends it, with its status. */
	{ "not_started", { SERIES(2, 0, 0), .stop_status = 127 }, 127 },
	{ "not_started", { SERIES(2, 3, 3), .stop_status = EXIT_TOOL }, EXIT_TOOL },

	/* maxrss-sc failed once a run had ended (memory, an output it could not write): 125. */
	{ "tool_failed", { SINGLE(0), .tool_failed = true }, EXIT_TOOL },
	{ "tool_failed", { SINGLE(3), .tool_failed = true }, EXIT_TOOL },
	{ "tool_failed", { SINGLE(0), .exceeded = true, .tool_failed = true }, EXIT_TOOL },
	{ "tool_failed", { SERIES(2, 0, 2), .tool_failed = true }, EXIT_TOOL },
	/* In a warm-up run: no measured run, still maxrss-sc's failure. */
	{ "tool_failed", { .series = true, .runs = 0, .tool_failed = true }, EXIT_TOOL },
};

static void check_rule(const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < ARRAY_SIZE(status_cases); i++) {
		const struct status_case *c = &status_cases[i];
		int got;

		if (strcmp(c->rule, rule) != 0)
			continue;
		got = result_exit_status(&c->facts);
		cr_expect_eq(got, c->want, "%s, case %zu: status %d, want %d", rule, i, got,
			     c->want);
		n++;
	}
	cr_assert_gt(n, 0, "no case for the rule %s", rule);
}

Test(result_exit_status, command)
{
	check_rule("command");
}

Test(result_exit_status, fail_above)
{
	check_rule("fail_above");
}

Test(result_exit_status, failure_beats_limit)
{
	check_rule("failure_beats_limit");
}

Test(result_exit_status, series)
{
	check_rule("series");
}

Test(result_exit_status, not_started)
{
	check_rule("not_started");
}

Test(result_exit_status, tool_failed)
{
	check_rule("tool_failed");
}

/* ------------------------------------------------------------ result_interrupted */

struct end_case {
	bool exited;
	int code, signal;
	bool interrupted;
};

static const struct end_case end_cases[] = {
	{ false, -1, SIGINT, true },   /* Ctrl-C */
	{ false, -1, SIGQUIT, true },  /* Ctrl-\ */
	{ false, -1, SIGTERM, true },  /* passed on by maxrss-sc */
	{ false, -1, SIGHUP, true },   /* passed on by maxrss-sc */
	{ false, -1, SIGKILL, false }, /* the command's own business */
	{ false, -1, SIGSEGV, false },
	{ true, 130, 0, false }, /* a shell that caught SIGINT exits 130 */
	{ true, 0, 0, false },
};

Test(result_interrupted, ctrl_c_and_forwarded_signals)
{
	for (size_t i = 0; i < ARRAY_SIZE(end_cases); i++) {
		struct tracer_result res = { .ran = true };

		res.exited = end_cases[i].exited;
		res.exit_code = end_cases[i].code;
		res.signal = end_cases[i].signal;
		cr_expect_eq(result_interrupted(&res), end_cases[i].interrupted, "case %zu", i);
	}
}

/* ------------------------------------------------------------ result_ended */

Test(result_ended, words)
{
	char buf[64];

	cr_assert_str_eq(result_ended(true, 0, 0, false, buf, sizeof(buf)), "exited 0");
	cr_assert_str_eq(result_ended(true, 3, 0, true, buf, sizeof(buf)), "exited 3");
	cr_assert_str_eq(result_ended(false, -1, 9, false, buf, sizeof(buf)), "killed by signal 9");
	cr_assert_str_eq(result_ended(false, -1, 9, true, buf, sizeof(buf)),
			 "killed by signal 9 (SIGKILL)");
	cr_assert_str_eq(result_ended(false, -1, 11, true, buf, sizeof(buf)),
			 "killed by signal 11 (SIGSEGV)");
	cr_assert_str_eq(result_ended(false, -1, 99, true, buf, sizeof(buf)),
			 "killed by signal 99 (SIG?)");
}

/* ------------------------------------------------------------ the headline peak */

static struct result *run;

static void setup(void)
{
	static char *const cmd[] = { (char *)"prog", NULL };

	run = result_new(cmd, 1000);
	cr_assert_not_null(run);
}

static void teardown(void)
{
	result_free(run);
}

static struct image *image(pid_t pid)
{
	struct process *p = proctable_new_process(&run->pt, pid, 1, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&run->pt, pid, p));
	cr_assert_eq(proctable_open_image(&run->pt, p, "prog\0", 5, NULL, 1000), 0);
	return p->image;
}

static void sample(struct image *img, uint64_t rss)
{
	struct rollup r = { .rss = rss, .pss = rss / 2 };

	proctable_record_sample(&run->pt, img, &r, NULL);
}

TestSuite(result_peak_image, .init = setup, .fini = teardown);

Test(result_peak_image, none_without_images)
{
	cr_assert_null(result_peak_image(&run->pt));
}

Test(result_peak_image, the_largest_image_peak)
{
	struct image *a = image(10), *b = image(11), *c = image(12);

	sample(a, 10 * MIB);
	sample(b, 30 * MIB);
	sample(c, 20 * MIB);
	sample(b, 5 * MIB); /* its peak stays */
	cr_assert_eq(result_peak_image(&run->pt), b);
}

/* Never a made-up 0: an image without any reading has no known peak. */
Test(result_peak_image, unknown_without_a_reading)
{
	struct image *a = image(10);

	cr_assert_not(result_image_has_peak(a));
	cr_assert_null(result_peak_image(&run->pt));
}

/* A peak read from VmHWM alone, or from --exact readings alone, is known. */
Test(result_peak_image, known_from_vmhwm_or_exact_readings)
{
	struct image *a = image(10), *b = image(11);

	proctable_record_hwm(&run->pt, a, 8 * MIB);
	cr_assert(result_image_has_peak(a));
	cr_assert_eq(result_peak_image(&run->pt), a);
	proctable_record_rss(&run->pt, b, 9 * MIB);
	cr_assert(result_image_has_peak(b));
	cr_assert_eq(result_peak_image(&run->pt), b);
}

/* ------------------------------------------------------------ a result */

TestSuite(result_new, .init = setup, .fini = teardown);

Test(result_new, empty_then_records_its_samples)
{
	struct image *a;

	cr_assert_eq(run->pt.t0_ns, 1000);
	cr_assert_str_eq(run->command[0], "prog");
	a = image(10);
	sample(a, MIB);
	cr_assert_eq(run->tl.n, 0, "samples recorded before result_record_timeline");
	result_record_timeline(run);
	sample(a, 2 * MIB);
	cr_assert_eq(run->tl.n, 1);
	cr_assert_eq(run->tl.v[0].rss, 2 * MIB);
	cr_assert_eq(run->tl.nsums, 1);
}
