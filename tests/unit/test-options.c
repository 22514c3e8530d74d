/* Unit tests of options: every option, both spellings, and every refusal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "options.h"

#define MAX_ARGS 32

/* A private, writable copy of the arguments, as main() would get them. */
static char arg_store[MAX_ARGS][128];
static char *argv_buf[MAX_ARGS + 1];
static int argc_buf;
static char err[256];
static struct options opts;

static enum options_result parse(const char *const *args)
{
	argc_buf = 0;
	for (; *args; args++) {
		cr_assert_lt(argc_buf, MAX_ARGS);
		cr_assert_lt(strlen(*args), sizeof(arg_store[0]));
		strcpy(arg_store[argc_buf], *args);
		argv_buf[argc_buf] = arg_store[argc_buf];
		argc_buf++;
	}
	argv_buf[argc_buf] = NULL;
	memset(err, 0, sizeof(err));
	return options_parse(argc_buf, argv_buf, &opts, err, sizeof(err));
}

#define PARSE(...) parse((const char *const[]){ "maxrss-sc", __VA_ARGS__, NULL })

/* Parse, expect OPTIONS_RUN with command "cmd" alone. */
#define PARSE_RUN(...)                                                           \
	do {                                                                     \
		enum options_result r_ = PARSE(__VA_ARGS__, "cmd");              \
		cr_assert_eq(r_, OPTIONS_RUN, "result %d, err \"%s\"", r_, err); \
		cr_assert_eq(opts.command_argc, 1);                              \
		cr_assert_str_eq(opts.command[0], "cmd");                        \
		cr_assert_null(opts.command[1]);                                 \
	} while (0)

/* Parse, expect OPTIONS_ERROR with a message holding both strings. */
#define PARSE_ERR(what, value, ...)                                                             \
	do {                                                                                    \
		enum options_result r_ = PARSE(__VA_ARGS__);                                    \
		cr_assert_eq(r_, OPTIONS_ERROR, "result %d, want OPTIONS_ERROR", r_);           \
		cr_assert_not_null(strstr(err, what), "message \"%s\" does not name %s", err,   \
				   what);                                                       \
		cr_assert_not_null(strstr(err, value), "message \"%s\" does not name value %s", \
				   err, value);                                                 \
		cr_assert_null(strchr(err, '\n'), "message \"%s\" has a newline", err);         \
	} while (0)

/* ------------------------------------------------------------------ defaults */

Test(options, defaults)
{
	cr_assert_eq(PARSE("cmd"), OPTIONS_RUN);
	cr_assert_null(opts.output);
	cr_assert_eq(opts.json, false);
	cr_assert_eq(opts.verbose, false);
	cr_assert_eq(opts.interval_ms, OPTIONS_DEFAULT_INTERVAL_MS);
	cr_assert_eq(opts.exact, false);
	cr_assert_eq(opts.runs, 1);
	cr_assert_eq(opts.warmup, 0);
	cr_assert_null(opts.timeline);
	cr_assert_null(opts.plot);
	cr_assert_eq(opts.nfail_above, 0);
	cr_assert_eq(opts.command_argc, 1);
	cr_assert_eq(opts.command, argv_buf + 1, "command points into argv");
	cr_assert_null(opts.command[1]);
}

/* --------------------------------------------------------- each option, both ways */

Test(options, output)
{
	PARSE_RUN("-o", "r.txt");
	cr_assert_str_eq(opts.output, "r.txt");
	PARSE_RUN("-or2.txt");
	cr_assert_str_eq(opts.output, "r2.txt");
	PARSE_RUN("--output", "r3.txt");
	cr_assert_str_eq(opts.output, "r3.txt");
	PARSE_RUN("--output=r4.txt");
	cr_assert_str_eq(opts.output, "r4.txt");
	/* A value that looks like an option is still the value. */
	PARSE_RUN("-o", "-j");
	cr_assert_str_eq(opts.output, "-j");
	cr_assert_eq(opts.json, false);
}

Test(options, output_empty_refused)
{
	PARSE_ERR("--output", "empty", "--output=", "cmd");
	PARSE_ERR("--output", "empty", "-o", "", "cmd");
}

Test(options, json)
{
	PARSE_RUN("-j");
	cr_assert_eq(opts.json, true);
	PARSE_RUN("--json");
	cr_assert_eq(opts.json, true);
	cr_assert_eq(opts.verbose, false);
}

Test(options, verbose)
{
	PARSE_RUN("-v");
	cr_assert_eq(opts.verbose, true);
	PARSE_RUN("--verbose");
	cr_assert_eq(opts.verbose, true);
	cr_assert_eq(opts.json, false);
}

Test(options, clustered_short_options)
{
	PARSE_RUN("-jv");
	cr_assert_eq(opts.json, true);
	cr_assert_eq(opts.verbose, true);
	PARSE_RUN("-vjo", "out");
	cr_assert_eq(opts.json, true);
	cr_assert_eq(opts.verbose, true);
	cr_assert_str_eq(opts.output, "out");
	PARSE_RUN("-ji250");
	cr_assert_eq(opts.json, true);
	cr_assert_eq(opts.interval_ms, 250);
}

Test(options, unique_abbreviation)
{
	PARSE_RUN("--js");
	cr_assert_eq(opts.json, true);
	PARSE_RUN("--verb");
	cr_assert_eq(opts.verbose, true);
	PARSE_RUN("--fail=1K");
	cr_assert_eq(opts.fail_above[0].bytes, 1024);
}

Test(options, ambiguous_abbreviation)
{
	/* --verbose or --version */
	PARSE_ERR("--ver", "", "--ver", "cmd");
}

Test(options, interval)
{
	PARSE_RUN("-i", "250");
	cr_assert_eq(opts.interval_ms, 250);
	PARSE_RUN("-i10");
	cr_assert_eq(opts.interval_ms, 10);
	PARSE_RUN("--interval", "0");
	cr_assert_eq(opts.interval_ms, 0);
	PARSE_RUN("--interval=3600000");
	cr_assert_eq(opts.interval_ms, OPTIONS_MAX_INTERVAL_MS);
}

Test(options, interval_refused)
{
	PARSE_ERR("--interval", "'-5'", "-i", "-5", "cmd");
	PARSE_ERR("--interval", "'abc'", "--interval=abc", "cmd");
	PARSE_ERR("--interval", "'10ms'", "--interval", "10ms", "cmd");
	PARSE_ERR("--interval", "'1.5'", "-i", "1.5", "cmd");
	PARSE_ERR("--interval", "'3600001'", "--interval=3600001", "cmd");
	PARSE_ERR("--interval", "'99999999999999999999999'", "-i", "99999999999999999999999",
		  "cmd");
	PARSE_ERR("--interval", "''", "--interval=", "cmd");
}

Test(options, exact)
{
	PARSE_RUN("--exact");
	cr_assert_eq(opts.exact, true);
}

Test(options, runs)
{
	PARSE_RUN("-r", "5");
	cr_assert_eq(opts.runs, 5);
	PARSE_RUN("-r7");
	cr_assert_eq(opts.runs, 7);
	PARSE_RUN("--runs", "1");
	cr_assert_eq(opts.runs, 1);
	PARSE_RUN("--runs=1000000");
	cr_assert_eq(opts.runs, OPTIONS_MAX_RUNS);
}

Test(options, runs_refused)
{
	PARSE_ERR("--runs", "'0'", "-r", "0", "cmd");
	PARSE_ERR("--runs", "'-2'", "--runs=-2", "cmd");
	PARSE_ERR("--runs", "'x'", "--runs", "x", "cmd");
	PARSE_ERR("--runs", "'1000001'", "-r", "1000001", "cmd");
}

Test(options, warmup)
{
	PARSE_RUN("--warmup=3");
	cr_assert_eq(opts.warmup, 3);
	PARSE_RUN("--warmup", "0");
	cr_assert_eq(opts.warmup, 0);
	PARSE_RUN("--warmup=1000000", "-r", "2");
	cr_assert_eq(opts.warmup, OPTIONS_MAX_RUNS);
	cr_assert_eq(opts.runs, 2);
}

Test(options, warmup_refused)
{
	PARSE_ERR("--warmup", "'-1'", "--warmup=-1", "cmd");
	PARSE_ERR("--warmup", "'two'", "--warmup", "two", "cmd");
	PARSE_ERR("--warmup", "'1000001'", "--warmup=1000001", "cmd");
}

Test(options, timeline_and_plot)
{
	PARSE_RUN("--timeline=t.csv", "--plot", "p.svg");
	cr_assert_str_eq(opts.timeline, "t.csv");
	cr_assert_str_eq(opts.plot, "p.svg");
	PARSE_RUN("--timeline", "u.csv", "--plot=q.svg");
	cr_assert_str_eq(opts.timeline, "u.csv");
	cr_assert_str_eq(opts.plot, "q.svg");
}

Test(options, timeline_and_plot_empty_refused)
{
	PARSE_ERR("--timeline", "empty", "--timeline=", "cmd");
	PARSE_ERR("--plot", "empty", "--plot=", "cmd");
}

/* The one limit parsed: its figure and bytes. */
#define ASSERT_LIMIT(k, fig, b)                                                                 \
	do {                                                                                    \
		cr_assert_eq(opts.fail_above[k].figure, (fig), "limit %d: figure %d", (int)(k), \
			     (int)opts.fail_above[k].figure);                                   \
		cr_assert_eq(opts.fail_above[k].bytes, (uint64_t)(b), "limit %d: %llu bytes",   \
			     (int)(k), (unsigned long long)opts.fail_above[k].bytes);           \
	} while (0)

Test(options, fail_above)
{
	PARSE_RUN("--fail-above=512M");
	cr_assert_eq(opts.nfail_above, 1);
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 512ULL << 20);
	PARSE_RUN("--fail-above", "2G");
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 2ULL << 30);
	PARSE_RUN("--fail-above=1.5K");
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 1536);
	PARSE_RUN("--fail-above=4096");
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 4096);
	PARSE_RUN("--fail-above=0");
	cr_assert_eq(opts.nfail_above, 1);
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 0);
}

/* FIGURE:SIZE gates the tree (or names the default); the option repeats. */
Test(options, fail_above_figures)
{
	PARSE_RUN("--fail-above=tree-rss:3G");
	cr_assert_eq(opts.nfail_above, 1);
	ASSERT_LIMIT(0, LIMIT_TREE_RSS, 3ULL << 30);
	PARSE_RUN("--fail-above", "tree-pss:1.5G");
	ASSERT_LIMIT(0, LIMIT_TREE_PSS, 3ULL << 29);
	PARSE_RUN("--fail-above=peak-rss:64M");
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 64ULL << 20);
	PARSE_RUN("--fail-above=2G", "--fail-above=tree-rss:3G", "--fail-above=tree-pss:2G");
	cr_assert_eq(opts.nfail_above, 3);
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 2ULL << 30);
	ASSERT_LIMIT(1, LIMIT_TREE_RSS, 3ULL << 30);
	ASSERT_LIMIT(2, LIMIT_TREE_PSS, 2ULL << 30);
	/* The same figure twice: both are kept, and both are checked. */
	PARSE_RUN("--fail-above=tree-pss:1G", "--fail-above=tree-pss:2G");
	cr_assert_eq(opts.nfail_above, 2);
	ASSERT_LIMIT(1, LIMIT_TREE_PSS, 2ULL << 30);
}

Test(options, fail_above_figures_refused)
{
	PARSE_ERR("--fail-above", "'tree:1G'", "--fail-above=tree:1G", "cmd");
	PARSE_ERR("gates no known figure", "'TREE-RSS:1G'", "--fail-above=TREE-RSS:1G", "cmd");
	PARSE_ERR("peak-rss, tree-rss, tree-pss", "':1G'", "--fail-above=:1G", "cmd");
	PARSE_ERR("is not a size", "'tree-rss:'", "--fail-above=tree-rss:", "cmd");
	PARSE_ERR("is not a size", "'tree-pss:1G:2G'", "--fail-above=tree-pss:1G:2G", "cmd");
	PARSE_ERR("is not a size", "'tree-rss:-1'", "--fail-above=tree-rss:-1", "cmd");
	PARSE_ERR("at most 8 limits", "--fail-above", "--fail-above=1", "--fail-above=2",
		  "--fail-above=3", "--fail-above=4", "--fail-above=5", "--fail-above=6",
		  "--fail-above=7", "--fail-above=8", "--fail-above=9", "cmd");
}

Test(options, fail_above_refused)
{
	PARSE_ERR("--fail-above", "'12X'", "--fail-above=12X", "cmd");
	PARSE_ERR("--fail-above", "'-1'", "--fail-above", "-1", "cmd");
	PARSE_ERR("--fail-above", "'1.5'", "--fail-above=1.5", "cmd");
	PARSE_ERR("--fail-above", "''", "--fail-above=", "cmd");
	PARSE_ERR("--fail-above", "'99999999999999999999'", "--fail-above=99999999999999999999",
		  "cmd");
}

Test(options, all_together)
{
	cr_assert_eq(PARSE("-o", "o", "-j", "-v", "-i", "5", "--exact", "-r", "3", "--warmup=2",
			   "--timeline=t", "--plot=p", "--fail-above=1M", "--", "prog", "a", "b"),
		     OPTIONS_RUN, "err \"%s\"", err);
	cr_assert_str_eq(opts.output, "o");
	cr_assert(opts.json && opts.verbose && opts.exact);
	cr_assert_eq(opts.interval_ms, 5);
	cr_assert_eq(opts.runs, 3);
	cr_assert_eq(opts.warmup, 2);
	cr_assert_str_eq(opts.timeline, "t");
	cr_assert_str_eq(opts.plot, "p");
	ASSERT_LIMIT(0, LIMIT_PEAK_RSS, 1 << 20);
	cr_assert_eq(opts.command_argc, 3);
	cr_assert_str_eq(opts.command[0], "prog");
	cr_assert_str_eq(opts.command[1], "a");
	cr_assert_str_eq(opts.command[2], "b");
	cr_assert_null(opts.command[3]);
}

Test(options, help_and_version)
{
	cr_assert_eq(PARSE("-h"), OPTIONS_HELP);
	cr_assert_eq(PARSE("--help"), OPTIONS_HELP);
	cr_assert_eq(PARSE("-V"), OPTIONS_VERSION);
	cr_assert_eq(PARSE("--version"), OPTIONS_VERSION);
	/* Without a command, and after other options. */
	cr_assert_eq(PARSE("-j", "--help", "cmd"), OPTIONS_HELP);
	cr_assert_eq(PARSE("-v", "-V"), OPTIONS_VERSION);
}

/* ------------------------------------------------------- where options stop */

Test(options, stop_at_first_non_option)
{
	cr_assert_eq(PARSE("ls", "-l"), OPTIONS_RUN);
	cr_assert_eq(opts.command_argc, 2);
	cr_assert_str_eq(opts.command[0], "ls");
	cr_assert_str_eq(opts.command[1], "-l");
	cr_assert_null(opts.command[2]);

	/* The command's options are its own, even ours. */
	cr_assert_eq(PARSE("-j", "ls", "-v", "--help", "-o", "x"), OPTIONS_RUN);
	cr_assert_eq(opts.json, true);
	cr_assert_eq(opts.verbose, false);
	cr_assert_null(opts.output);
	cr_assert_eq(opts.command_argc, 5);
	cr_assert_str_eq(opts.command[0], "ls");
	cr_assert_str_eq(opts.command[2], "--help");
	cr_assert_str_eq(opts.command[4], "x");
}

/* With -C every operand is a whole command line: options may follow them, as in hyperfine. */
Test(options, compare_takes_options_after_the_command_lines)
{
	cr_assert_eq(PARSE("-C", "sort a", "--export-markdown=t.md", "wc b", "-r", "3"),
		     OPTIONS_RUN);
	cr_assert_str_eq(opts.export_markdown, "t.md");
	cr_assert_eq(opts.runs, 3);
	cr_assert_eq(opts.command_argc, 2);
	cr_assert_str_eq(opts.command[0], "sort a");
	cr_assert_str_eq(opts.command[1], "wc b");
	cr_assert_null(opts.command[2]);

	/* After "--", wherever it is, every word is a command line. */
	cr_assert_eq(PARSE("-C", "a", "--", "-r", "b"), OPTIONS_RUN);
	cr_assert_eq(opts.runs, 10);
	cr_assert_eq(opts.command_argc, 3);
	cr_assert_str_eq(opts.command[1], "-r");
	cr_assert_eq(PARSE("-C", "--", "a", "-r", "2"), OPTIONS_RUN);
	cr_assert_eq(opts.command_argc, 3);

	/* Refusals after the command lines name the option as before. */
	cr_assert_eq(PARSE("-C", "a", "--bogus"), OPTIONS_ERROR);
	cr_assert_str_eq(err, "unknown option '--bogus' (see --help)");
	cr_assert_eq(PARSE("-C", "a", "-r"), OPTIONS_ERROR);
	cr_assert_str_eq(err, "--runs needs a value");
}

/* --sort=start and --top=N order and cut the -v table (issue 14); --top asks for it. */
Test(options, sort_start_and_top)
{
	PARSE_RUN("--sort=start");
	cr_assert(opts.sort_set);
	cr_assert_eq(opts.sort, SORT_START);
	PARSE_RUN("--top=5");
	cr_assert_eq(opts.top, 5);
	cr_assert(opts.verbose, "--top shows the table");
	PARSE_ERR("--top", "0", "--top=0", "cmd");
	PARSE_ERR("--top", "x", "--top=x", "cmd");
	PARSE_ERR("--top", "--runs", "--top=3", "-r", "2", "cmd");
	PARSE_ERR("--top", "comparison", "-C", "--top=3", "a", "b");
	/* In a comparison, start is the order given, as command is. */
	cr_assert_eq(PARSE("-C", "--sort=start", "a", "b"), OPTIONS_RUN);
	cr_assert_eq(opts.sort, SORT_COMMAND);
	PARSE_RUN("-v");
	cr_assert_not(opts.sort_set);
}

/* --export-json (issue 14): the JSON report beside the one -o and -j ask for. */
Test(options, export_json)
{
	PARSE_RUN("--export-json=r.json");
	cr_assert_str_eq(opts.export_json, "r.json");
	cr_assert_not(opts.json, "the report itself stays text");
	PARSE_RUN("--export-json", "r.json", "-o", "-");
	cr_assert_str_eq(opts.output, OPTIONS_STDOUT);
	PARSE_ERR("--export-json", "empty", "--export-json=", "cmd");
}

/* "-" is standard output, for one output only (issue 14). */
Test(options, one_output_on_stdout)
{
	PARSE_RUN("--output=-");
	cr_assert_str_eq(opts.output, "-");
	PARSE_RUN("--timeline=-", "-o", "report");
	PARSE_ERR("standard output", "'-'", "-o", "-", "--export-json=-", "cmd");
	PARSE_ERR("standard output", "'-'", "--plot=-", "--export-csv=-", "cmd");
}

/* --wait-orphans=SECONDS (issue 14): how long leftovers are waited for; 0: not at all. */
Test(options, wait_orphans)
{
	PARSE_RUN("-i", "0");
	cr_assert_not(opts.wait_orphans_set, "the default waits for every leftover");
	PARSE_RUN("--wait-orphans=0");
	cr_assert(opts.wait_orphans_set);
	cr_assert_eq(opts.wait_orphans_ns, 0);
	PARSE_RUN("--wait-orphans", "2.5");
	cr_assert_eq(opts.wait_orphans_ns, 2500000000ULL);
	PARSE_ERR("--wait-orphans", "-1", "--wait-orphans=-1", "cmd");
	PARSE_ERR("--wait-orphans", "5s", "--wait-orphans=5s", "cmd");
	PARSE_ERR("--wait-orphans", "nan", "--wait-orphans=nan", "cmd");
	PARSE_ERR("--wait-orphans", "1e9", "--wait-orphans=1e9", "cmd");
}

/* Honest series (issue 14): --ignore-failure[=CODES], --show-output, --prepare, --conclude. */
Test(options, series_options)
{
	PARSE_RUN("-r", "3", "--ignore-failure");
	cr_assert(opts.ignore_failure);
	cr_assert_eq(opts.nignore_codes, 0, "no codes: every failure");
	PARSE_RUN("-r", "3", "--ignore-failure=1,2,255");
	cr_assert_eq(opts.nignore_codes, 3);
	cr_assert_eq(opts.ignore_codes[0], 1);
	cr_assert_eq(opts.ignore_codes[2], 255);
	cr_assert_eq(PARSE("-C", "--ignore-failure", "a", "b"), OPTIONS_RUN);
	PARSE_ERR("--ignore-failure", "256", "-r", "2", "--ignore-failure=256", "cmd");
	PARSE_ERR("--ignore-failure", "1,,2", "-r", "2", "--ignore-failure=1,,2", "cmd");
	PARSE_ERR("--ignore-failure", "x", "-r", "2", "--ignore-failure=x", "cmd");
	PARSE_ERR("--ignore-failure", "--runs", "--ignore-failure", "cmd");
	/* Long form only: -i is the interval. */
	PARSE_ERR("--interval", "--ignore-failure", "-i", "--ignore-failure", "cmd");
	PARSE_RUN("--show-output", "--prepare=make clean", "--conclude", "rm -f x");
	cr_assert(opts.show_output);
	cr_assert_str_eq(opts.prepare, "make clean");
	cr_assert_str_eq(opts.conclude, "rm -f x");
	PARSE_ERR("--prepare", "empty", "--prepare=", "cmd");
}

/* A prefix of two long options is ambiguous, and the message names both (issue 14). */
Test(options, ambiguous_prefix)
{
	cr_assert_eq(PARSE("--ver", "cmd"), OPTIONS_ERROR);
	cr_assert_str_eq(err, "option '--ver' is ambiguous (--verbose, --version)");
	cr_assert_eq(PARSE("--b=x", "cmd"), OPTIONS_ERROR);
	cr_assert_str_eq(err, "option '--b' is ambiguous (--breakdown, --baseline)");
	/* A prefix of one option is that option, and a prefix of none is unknown. */
	PARSE_RUN("--verb");
	cr_assert(opts.verbose);
	cr_assert_eq(PARSE("--vex", "cmd"), OPTIONS_ERROR);
	cr_assert_str_eq(err, "unknown option '--vex' (see --help)");
}

Test(options, double_dash)
{
	cr_assert_eq(PARSE("--", "-x"), OPTIONS_RUN);
	cr_assert_eq(opts.command_argc, 1);
	cr_assert_str_eq(opts.command[0], "-x");

	cr_assert_eq(PARSE("-v", "--", "--", "y"), OPTIONS_RUN);
	cr_assert_eq(opts.verbose, true);
	cr_assert_eq(opts.command_argc, 2);
	cr_assert_str_eq(opts.command[0], "--");
	cr_assert_str_eq(opts.command[1], "y");
}

/* A lone "-" is not an option: it is the command (as with any getopt tool). */
Test(options, lone_dash_is_command)
{
	cr_assert_eq(PARSE("-", "a"), OPTIONS_RUN);
	cr_assert_eq(opts.command_argc, 2);
	cr_assert_str_eq(opts.command[0], "-");
}

/* --------------------------------------------------------------- refusals */

Test(options, missing_value)
{
	static const struct {
		const char *arg, *name;
	} cases[] = {
		{ "-o", "output" },	    { "--output", "--output" },
		{ "-i", "interval" },	    { "--interval", "--interval" },
		{ "-r", "runs" },	    { "--runs", "--runs" },
		{ "--warmup", "--warmup" }, { "--timeline", "--timeline" },
		{ "--plot", "--plot" },	    { "--fail-above", "--fail-above" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum options_result r = PARSE("-j", cases[i].arg);

		cr_assert_eq(r, OPTIONS_ERROR, "\"%s\" at the end: result %d", cases[i].arg, r);
		cr_assert_not_null(strstr(err, cases[i].name),
				   "\"%s\" at the end: message \"%s\" does not name it",
				   cases[i].arg, err);
		cr_assert_not_null(strstr(err, "value"), "message \"%s\"", err);
	}
}

Test(options, unknown_short_option)
{
	PARSE_ERR("unknown", "'-x'", "-x", "cmd");
	/* In a cluster, after a good one. */
	PARSE_ERR("unknown", "'-q'", "-jq", "cmd");
}

Test(options, unknown_long_option)
{
	PARSE_ERR("unknown", "--bogus", "--bogus", "cmd");
	PARSE_ERR("unknown", "--bogus", "--bogus=1", "cmd");
	PARSE_ERR("unknown", "--jsonx", "--jsonx", "cmd");
}

/* "--json=yes": the option exists but takes no value; say so about --json. */
Test(options, value_given_to_flag)
{
	static const char *const cases[][2] = {
		{ "--json=yes", "json" },
		{ "--verbose=1", "verbose" },
		{ "--exact=1", "exact" },
		{ "--help=x", "help" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum options_result r = PARSE(cases[i][0], "cmd");

		cr_assert_eq(r, OPTIONS_ERROR, "\"%s\": result %d", cases[i][0], r);
		cr_assert_not_null(strstr(err, cases[i][1]),
				   "\"%s\": message \"%s\" does not name --%s", cases[i][0], err,
				   cases[i][1]);
	}
}

Test(options, missing_command)
{
	PARSE_ERR("command", "", "-j");
	cr_assert_eq(parse((const char *const[]){ "maxrss-sc", NULL }), OPTIONS_ERROR);
	cr_assert_not_null(strstr(err, "command"), "message \"%s\"", err);
	PARSE_ERR("command", "", "--");
	PARSE_ERR("command", "", "-o", "file");
}

Test(options, message_fits_small_buffer)
{
	char small[12];
	const char *const args[] = { "maxrss-sc", "--interval=abcdefghijklmnop", "cmd" };

	for (int i = 0; i < 3; i++) {
		strcpy(arg_store[i], args[i]);
		argv_buf[i] = arg_store[i];
	}
	argv_buf[3] = NULL;
	memset(small, 'x', sizeof(small));
	cr_assert_eq(options_parse(3, argv_buf, &opts, small, 8), OPTIONS_ERROR);
	cr_assert_eq(strlen(small), 7, "message not cut to the buffer: \"%.12s\"", small);
	cr_assert_eq(small[8], 'x', "wrote past errlen");
}

/* ----------------------------------------------------------- parsing again */

Test(options, parse_twice)
{
	cr_assert_eq(PARSE("-j", "-o", "a", "one"), OPTIONS_RUN);
	cr_assert_eq(opts.json, true);
	cr_assert_eq(PARSE("-v", "two", "x"), OPTIONS_RUN);
	cr_assert_eq(opts.json, false, "state of the first parse leaked");
	cr_assert_null(opts.output, "state of the first parse leaked");
	cr_assert_eq(opts.verbose, true);
	cr_assert_eq(opts.command_argc, 2);
	cr_assert_str_eq(opts.command[0], "two");
}

/* An error in the middle of a cluster leaves getopt mid-word: the next parse starts clean. */
Test(options, parse_after_error_mid_cluster)
{
	cr_assert_eq(PARSE("-jxv", "cmd"), OPTIONS_ERROR);
	cr_assert_eq(PARSE("-v", "two"), OPTIONS_RUN, "err \"%s\"", err);
	cr_assert_eq(opts.verbose, true);
	cr_assert_eq(opts.json, false);
	cr_assert_str_eq(opts.command[0], "two");

	cr_assert_eq(PARSE("-r", "0", "cmd"), OPTIONS_ERROR);
	cr_assert_eq(PARSE("-r", "4", "three"), OPTIONS_RUN, "err \"%s\"", err);
	cr_assert_eq(opts.runs, 4);
	cr_assert_str_eq(opts.command[0], "three");
}

/* --------------------------------------------------------- help and version */

static char *capture(void (*print)(FILE *))
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	print(f);
	cr_assert_eq(fclose(f), 0);
	cr_assert_eq(strlen(text), len, "NUL in the text");
	return text;
}

Test(options, help_mentions_every_option)
{
	static const char *const names[] = {
		"-o, --output=FILE", "-j, --json",
		"-v, --verbose",     "-i, --interval=MS",
		"--exact",	     "-r, --runs=N",
		"--warmup=N",	     "--timeline=FILE",
		"--plot=FILE",	     "--fail-above=[FIGURE:]SIZE",
		"-h, --help",	     "-V, --version",
		"Usage: maxrss-sc",
	};
	char *text = capture(options_print_help);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cr_assert_not_null(strstr(text, names[i]), "--help does not mention \"%s\"",
				   names[i]);
	cr_assert_eq(text[strlen(text) - 1], '\n');
	free(text);
}

/* --help ends with what its words mean and where the manual is (issue 14). */
Test(options, help_ends_with_words_and_manual)
{
	char *text = capture(options_print_help), *last;

	cr_assert(strstr(text, "\nImage: one program of one process"), "%s", text);
	cr_assert(strstr(text, "Tree peak:") && strstr(text, "PSS: RSS with each shared page"),
		  "%s", text);
	text[strlen(text) - 1] = '\0';
	last = strrchr(text, '\n');
	cr_assert(last && strstr(last, "man maxrss-sc"), "last line: %s", last ? last : text);
	free(text);
}

Test(options, version_text)
{
	char *text = capture(options_print_version);

	cr_assert_eq(strncmp(text, "maxrss-sc " PACKAGE_VERSION "\n",
			     strlen("maxrss-sc " PACKAGE_VERSION "\n")),
		     0, "first line of --version: \"%s\"", text);
	free(text);
}
