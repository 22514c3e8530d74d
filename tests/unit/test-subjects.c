/*
 * Unit tests of subjects: the commands of a comparison from the options:
 * parameters (-L lists, -P scans), {NAME} substitution and its refusals,
 * --no-shell word splitting, and the order of the product of parameters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "options.h"
#include "subjects.h"

static struct options opts;
static struct subjects subj;
static char err[512];

static void teardown(void)
{
	subjects_free(&subj);
}

TestSuite(subjects, .fini = teardown);

/* Parse args (after "maxrss-sc") and build the subjects; returns subjects_build's result. */
static int build(const char *const *args)
{
	static char *argv[32];
	size_t n = 0;

	argv[n++] = (char *)"maxrss-sc";
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	cr_assert_eq(options_parse((int)n, argv, &opts, err, sizeof(err)), OPTIONS_RUN, "%s", err);
	return subjects_build(&subj, &opts, err, sizeof(err));
}

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void assert_argv(char **argv, const char *const *want)
{
	size_t i = 0;

	for (; want[i]; i++) {
		cr_assert_not_null(argv[i], "word %zu missing, want '%s'", i, want[i]);
		cr_assert_str_eq(argv[i], want[i], "word %zu", i);
	}
	cr_assert_null(argv[i], "extra word '%s'", argv[i]);
}

/* A shell line given as one word (issue 14): the hint is for those, not for plain names. */
Test(subjects, looks_like_shell_line)
{
	cr_assert(subjects_looks_like_shell_line("sort big.txt | uniq -c"));
	cr_assert(subjects_looks_like_shell_line("echo hi"));
	cr_assert(subjects_looks_like_shell_line("make>log"));
	cr_assert(subjects_looks_like_shell_line("ls *.c"));
	cr_assert(subjects_looks_like_shell_line("a;b"));
	cr_assert_not(subjects_looks_like_shell_line("no-such-command"));
	cr_assert_not(subjects_looks_like_shell_line("./build/prog_v2.1"));
	cr_assert_not(subjects_looks_like_shell_line("/usr/bin/x86_64-linux-gnu-gcc-12"));
}

Test(subjects, one_command_is_no_comparison)
{
	cr_assert_eq(build(ARGS("ls", "-l")), 0, "%s", err);
	cr_assert_eq(subj.n, 1);
	cr_assert_not(subj.compare);
	assert_argv(subj.v[0].argv, ARGS("ls", "-l"));
	cr_assert_str_eq(subj.v[0].label, "ls -l");
}

Test(subjects, compare_runs_each_line_through_sh)
{
	cr_assert_eq(build(ARGS("-C", "sort a | uniq", "wc -l b")), 0, "%s", err);
	cr_assert(subj.compare);
	cr_assert_eq(subj.n, 2);
	assert_argv(subj.v[0].argv, ARGS("/bin/sh", "-c", "sort a | uniq"));
	cr_assert_str_eq(subj.v[1].label, "wc -l b");
	cr_assert_eq(subj.v[1].operand, 1);
	cr_assert_eq(opts.runs, 10, "10 runs by default when comparing");
}

Test(subjects, product_of_parameters_last_varies_fastest)
{
	cr_assert_eq(build(ARGS("-C", "-L", "a=x,y", "-P", "n=1:3", "p {a} {n}", "q {n}")), 0, "%s",
		     err);
	cr_assert_eq(subj.n, 9, "2 x 3 for the first line, 3 for the second (no {a} in it)");
	cr_assert_str_eq(subj.v[0].label, "p x 1");
	cr_assert_str_eq(subj.v[1].label, "p x 2");
	cr_assert_str_eq(subj.v[3].label, "p y 1");
	cr_assert_str_eq(subj.v[6].label, "q 1");
	cr_assert_str_eq(subj.v[8].label, "q 3");
	cr_assert_eq(subj.v[6].operand, 1);
	cr_assert_eq(subj.v[5].value[0], 1);
	cr_assert_eq(subj.v[5].value[1], 2);
	cr_assert_eq(subj.v[7].value[0], SUBJECTS_UNUSED);
	cr_assert_null(subjects_value(&subj, &subj.v[7], 0));
	cr_assert_str_eq(subjects_value(&subj, &subj.v[7], 1), "2");
	cr_assert(subj.params[1].scan);
	cr_assert_eq(subj.params[1].numbers[2], 3.0);
}

/* A fixed reference among variants is measured once, not once per value. */
Test(subjects, line_without_parameters_runs_once)
{
	cr_assert_eq(build(ARGS("-C", "-L", "n=1,2,3", "ref", "x {n}")), 0, "%s", err);
	cr_assert_eq(subj.n, 4);
	cr_assert_str_eq(subj.v[0].label, "ref");
	cr_assert_eq(subj.v[0].value[0], SUBJECTS_UNUSED);
	cr_assert_str_eq(subj.v[3].label, "x 3");
	cr_assert_eq(subj.v[3].operand, 1);
}

Test(subjects, parameters_without_compare_substitute_the_words)
{
	cr_assert_eq(build(ARGS("-L", "n=8,16", "wl", "hold-exit", "{n}")), 0, "%s", err);
	cr_assert(subj.compare, "variants are compared");
	cr_assert_eq(subj.n, 2);
	assert_argv(subj.v[1].argv, ARGS("wl", "hold-exit", "16"));
	cr_assert_str_eq(subj.v[1].label, "wl hold-exit 16");
}

Test(subjects, shell_braces_are_left_alone)
{
	cr_assert_eq(build(ARGS("-C", "-L", "n=1", "echo ${HOME} {n} {{print}}")), 0, "%s", err);
	cr_assert_str_eq(subj.v[0].label, "echo ${HOME} 1 {print}");
	subjects_free(&subj);
	/* Without parameters nothing is substituted, nor refused. */
	cr_assert_eq(build(ARGS("-C", "awk '{print}' f")), 0, "%s", err);
	cr_assert_str_eq(subj.v[0].label, "awk '{print}' f");
}

Test(subjects, scans_of_decimals_and_steps)
{
	struct param p;
	struct param_spec spec = { true, "x=0.5:1.5:0.25" };

	cr_assert_eq(subjects_parse_param(&spec, &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.nvalues, 5);
	cr_assert_str_eq(p.values[1], "0.75");
	cr_assert_str_eq(p.values[4], "1.5");
	cr_assert_eq(p.numbers[4], 1.5);
	for (size_t i = 0; i < p.nvalues; i++)
		free(p.values[i]);
	free(p.values);
	free(p.numbers);
	free(p.name);
}

static void refused(const char *const *args, const char *words)
{
	int rc = build(args);

	cr_assert_eq(rc, -EINVAL, "accepted; want an error with '%s'", words);
	cr_assert(strstr(err, words), "'%s' not in: %s", words, err);
	cr_assert_null(strchr(err, '\n'), "one line: %s", err);
}

Test(subjects, bad_input)
{
	refused(ARGS("-C", "-L", "n=1", "x {n} {m}"), "{m} in 'x {n} {m}' is no parameter");
	refused(ARGS("-C", "-L", "n=", "x {n}"), "empty");
	refused(ARGS("-C", "-P", "n=1:10:4", "x {n}"), "never reach 10");
	refused(ARGS("-C", "-P", "n=5:1", "x {n}"), "LOW <= HIGH");
	refused(ARGS("-C", "-P", "n=1:5:0", "x {n}"), "STEP above 0");
	refused(ARGS("-C", "-P", "n=a:b", "x {n}"), "not LOW:HIGH");
	refused(ARGS("-C", "-P", "n=1:100000", "x {n}"), "more than");
	refused(ARGS("-C", "-L", "1n=2", "x"), "not NAME=");
	refused(ARGS("-C", "-L", "n=1", "-L", "n=2", "x {n}"), "given twice");
	refused(ARGS("-C", "-L", "n=1,2", "x"), "no {n} in any command line");
	refused(ARGS("-C", "-N", "x 'open"), "single quote is left open");
	refused(ARGS("-C", "-N", "   "), "no word");
}

Test(subjects, split_words)
{
	char **argv;

	cr_assert_eq(subjects_split_words("a  'b c' \"d \\\"e\\\" $f\" g\\ h\\'", &argv, err,
					  sizeof(err)),
		     0, "%s", err);
	assert_argv(argv, ARGS("a", "b c", "d \"e\" $f", "g h'"));
	free(argv);
	cr_assert_eq(subjects_split_words("''", &argv, err, sizeof(err)), 0);
	assert_argv(argv, ARGS(""));
	free(argv);
	cr_assert_eq(subjects_split_words("\"a\\nb\"", &argv, err, sizeof(err)), 0);
	assert_argv(argv, ARGS("a\\nb"));
	free(argv);
}

/* The limits are inclusive: 1..1000 is 1000 values; 1..1001 is one too many. */
Test(subjects, limits_are_inclusive)
{
	struct param p;
	struct param_spec at = { true, "n=1:1000" }, over = { true, "n=1:1001" };

	cr_assert_eq(subjects_parse_param(&at, &p, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(p.nvalues, SUBJECTS_MAX_VALUES);
	cr_assert_str_eq(p.values[SUBJECTS_MAX_VALUES - 1], "1000");
	for (size_t i = 0; i < p.nvalues; i++)
		free(p.values[i]);
	free(p.values);
	free(p.numbers);
	free(p.name);
	cr_assert_eq(subjects_parse_param(&over, &p, err, sizeof(err)), -EINVAL);
	cr_assert(strstr(err, "more than 1000 values"), "%s", err);
}

Test(subjects, product_limit_is_inclusive)
{
	cr_assert_eq(build(ARGS("-C", "-P", "a=1:100", "-P", "b=1:100", "x {a} {b}")), 0, "%s",
		     err);
	cr_assert_eq(subj.n, SUBJECTS_MAX);
	cr_assert_str_eq(subj.v[SUBJECTS_MAX - 1].label, "x 100 100");
	subjects_free(&subj);
	refused(ARGS("-C", "-P", "a=1:100", "-P", "b=1:101", "x {a} {b}"),
		"more than 10000 commands to compare");
}

/* Short labels: whole when they fit; the start of the line and the values; both ends. */
Test(subjects, short_labels)
{
	char *l;

	cr_assert_eq(build(ARGS("-C", "-L", "n=1000000", "python3 -c 'print(sum(range({n})))'",
				"sort -n /usr/share/dict/words | uniq -c | head -1", "ls")),
		     0, "%s", err);
	l = subjects_short_label(&subj, &subj.v[0], 24);
	cr_assert_str_eq(l, "python3 -c 'p\u2026 n=1000000",
			 "13 characters of the line as given, then n");
	free(l);
	l = subjects_short_label(&subj, &subj.v[1], 24);
	cr_assert_str_eq(l, "sort -n\u2026niq -c | head -1",
			 "7 of 23 characters, then 16 of the end");
	free(l);
	l = subjects_short_label(&subj, &subj.v[2], 24);
	cr_assert_str_eq(l, "ls");
	free(l);
	subjects_free(&subj);

	/* Counted in characters, cut between them, never inside one. */
	cr_assert_eq(build(ARGS("-C",
				"echo \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 "
				"\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8",
				"true")),
		     0, "%s", err);
	l = subjects_short_label(&subj, &subj.v[0], 16);
	cr_assert_str_eq(l,
			 "echo \u2026\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8\u00e8",
			 "%s", l);
	free(l);
}
