#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

enum {
	OPT_EXACT = 256,
	OPT_WARMUP,
	OPT_TIMELINE,
	OPT_PLOT,
	OPT_FAIL_ABOVE,
	OPT_SORT,
	OPT_TOP,
	OPT_EXPORT_MARKDOWN,
	OPT_EXPORT_CSV,
	OPT_EXPORT_JSON,
	OPT_BASELINE,
	OPT_MAX_INCREASE,
	OPT_WAIT_ORPHANS,
	OPT_IGNORE_FAILURE,
	OPT_SHOW_OUTPUT,
	OPT_PREPARE,
	OPT_CONCLUDE,
};

static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "interval", required_argument, NULL, 'i' },
	{ "exact", no_argument, NULL, OPT_EXACT },
	{ "breakdown", no_argument, NULL, 'b' },
	{ "runs", required_argument, NULL, 'r' },
	{ "warmup", required_argument, NULL, OPT_WARMUP },
	{ "timeline", required_argument, NULL, OPT_TIMELINE },
	{ "plot", required_argument, NULL, OPT_PLOT },
	{ "fail-above", required_argument, NULL, OPT_FAIL_ABOVE },
	{ "compare", no_argument, NULL, 'C' },
	{ "no-shell", no_argument, NULL, 'N' },
	{ "parameter-list", required_argument, NULL, 'L' },
	{ "parameter-scan", required_argument, NULL, 'P' },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "export-markdown", required_argument, NULL, OPT_EXPORT_MARKDOWN },
	{ "export-csv", required_argument, NULL, OPT_EXPORT_CSV },
	{ "export-json", required_argument, NULL, OPT_EXPORT_JSON },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "max-increase", required_argument, NULL, OPT_MAX_INCREASE },
	{ "wait-orphans", required_argument, NULL, OPT_WAIT_ORPHANS },
	{ "ignore-failure", optional_argument, NULL, OPT_IGNORE_FAILURE },
	{ "show-output", no_argument, NULL, OPT_SHOW_OUTPUT },
	{ "prepare", required_argument, NULL, OPT_PREPARE },
	{ "conclude", required_argument, NULL, OPT_CONCLUDE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* "+" stops at the first non-option; ":" reports a missing argument as ':'. */
static const char short_options[] = "+:o:jvi:br:CNL:P:hV";

static enum options_result fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum options_result fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* It quotes what the user typed: control bytes would break the one line. */
	for (char *p = err; errlen && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return OPTIONS_ERROR;
}

/* The name of the option being parsed, as the user wrote it, for messages. */
static const char *option_name(int c, char *buf, size_t len)
{
	for (const struct option *o = long_options; o->name; o++)
		if (o->val == c) {
			snprintf(buf, len, "--%s", o->name);
			return buf;
		}
	snprintf(buf, len, "-%c", c);
	return buf;
}

/*
 * getopt_long refuses a prefix of two long options ("--ver") as it refuses
 * an unknown one: say which it could be.  true when arg is such a prefix.
 */
static bool ambiguous(const char *arg, char *err, size_t errlen)
{
	char list[256] = "";
	size_t len, used = 0, n = 0;

	if (strncmp(arg, "--", 2) != 0)
		return false;
	arg += 2;
	len = strcspn(arg, "=");
	for (const struct option *o = long_options; len && o->name; o++)
		if (strncmp(o->name, arg, len) == 0 && used < sizeof(list)) {
			int w = snprintf(list + used, sizeof(list) - used, "%s--%s", n ? ", " : "",
					 o->name);

			used += w > 0 ? (size_t)w : 0;
			n++;
		}
	if (n < 2)
		return false;
	fail(err, errlen, "option '--%.*s' is ambiguous (%s)", (int)len, arg, list);
	return true;
}

/* What getopt_long refused: a missing value, a value given to a flag, an unknown option. */
static enum options_result refused(int c, char **argv, char *err, size_t errlen)
{
	char name[32];

	if (c == ':')
		return fail(err, errlen, "%s needs a value",
			    optopt ? option_name(optopt, name, sizeof(name)) : argv[optind - 1]);
	/* A known long option given a value it does not take: "--json=yes". */
	if (optopt && strncmp(argv[optind - 1], "--", 2) == 0)
		return fail(err, errlen, "%s takes no value",
			    option_name(optopt, name, sizeof(name)));
	if (optopt)
		return fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
	if (ambiguous(argv[optind - 1], err, errlen))
		return OPTIONS_ERROR;
	return fail(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
}

/* --sort=peak|pss|time|command|start: 0, or -1 for another word. */
static int parse_sort(const char *arg, enum options_sort *sort)
{
	static const char *const names[] = { "peak", "pss", "time", "command", "start" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0) {
			*sort = (enum options_sort)i;
			return 0;
		}
	return -1;
}

/* --max-increase=PERCENT: a number from 0 (a trailing '%' allowed); 0 or -1. */
static int parse_percent(const char *arg, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || errno || v < 0 || v != v || v > 1e9)
		return -1;
	if (*end == '%')
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

/* How many output options name standard output ("-"). */
static size_t to_stdout(const struct options *o)
{
	const char *const paths[] = { o->output,	  o->timeline,	 o->plot,
				      o->export_markdown, o->export_csv, o->export_json };
	size_t n = 0;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		n += paths[i] && strcmp(paths[i], OPTIONS_STDOUT) == 0;
	return n;
}

/* --wait-orphans=SECONDS: a number from 0 (decimals allowed), as nanoseconds; 0 or -1. */
static int parse_seconds(const char *arg, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end || errno || !(v >= 0 && v <= OPTIONS_MAX_WAIT_S))
		return -1;
	*ns = (uint64_t)(v * 1e9 + 0.5);
	return 0;
}

/* --ignore-failure=CODES: exit codes from 0 to 255, comma-separated; 0 or -1. */
static int parse_codes(const char *arg, struct options *opts)
{
	const char *p = arg;

	opts->nignore_codes = 0;
	for (;;) {
		char word[16];
		size_t len = strcspn(p, ",");
		unsigned long v;

		if (len == 0 || len >= sizeof(word) || opts->nignore_codes == OPTIONS_MAX_CODES)
			return -1;
		memcpy(word, p, len);
		word[len] = '\0';
		if (util_parse_ulong(word, 255, &v))
			return -1;
		opts->ignore_codes[opts->nignore_codes++] = (int)v;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* What the options say together that none says alone. */
static enum options_result check_together(struct options *opts, char *err, size_t errlen)
{
	if (to_stdout(opts) > 1)
		return fail(err, errlen,
			    "only one output may go to standard output ('-'): the others would "
			    "be mixed into it");
	if (opts->no_shell && !opts->compare)
		return fail(err, errlen,
			    "--no-shell splits the command lines of --compare: give -C");
	if (opts->max_increase_set && !opts->baseline)
		return fail(err, errlen, "--max-increase needs --baseline=FILE to compare with");
	if (opts->ignore_failure && !(opts->series || opts->compare || opts->nparams))
		return fail(err, errlen,
			    "--ignore-failure lets a series go on after a failed run: give --runs, "
			    "--warmup or a comparison");
	if (opts->top && (opts->series || opts->compare || opts->nparams))
		return fail(err, errlen,
			    "--top keeps the largest rows of the process table of one run: "
			    "not with --runs, --warmup or a comparison");
	/* In a comparison, start is the order the commands were given, as command is. */
	if (opts->sort == SORT_START && (opts->compare || opts->nparams))
		opts->sort = SORT_COMMAND;
	if (opts->compare || opts->nparams) {
		/* A comparison is a series: 10 runs of each unless -r says otherwise. */
		if (!opts->series)
			opts->runs = OPTIONS_COMPARE_RUNS;
		opts->series = true;
	}
	return OPTIONS_RUN;
}

/* A file name option: false when it is empty. */
static bool file_name(const char **dst, const char *arg)
{
	*dst = arg;
	return *arg != '\0';
}

/* Apply option c of argv (its value in optarg): OPTIONS_RUN to go on, else what to return. */
static enum options_result apply(int c, char **argv, struct options *opts, char *err, size_t errlen)
{
	switch (c) {
	case 'o':
		if (!file_name(&opts->output, optarg))
			return fail(err, errlen, "--output: empty file name");
		break;
	case 'j':
		opts->json = true;
		break;
	case 'v':
		opts->verbose = true;
		break;
	case 'i':
		if (util_parse_ulong(optarg, OPTIONS_MAX_INTERVAL_MS, &opts->interval_ms))
			return fail(err, errlen,
				    "--interval: '%s' is not a number of milliseconds from 0 to %lu",
				    optarg, OPTIONS_MAX_INTERVAL_MS);
		break;
	case OPT_EXACT:
		opts->exact = true;
		break;
	case 'b':
		opts->breakdown = true;
		break;
	case 'r':
		if (util_parse_ulong(optarg, OPTIONS_MAX_RUNS, &opts->runs) || opts->runs == 0)
			return fail(err, errlen, "--runs: '%s' is not a whole number from 1 to %lu",
				    optarg, OPTIONS_MAX_RUNS);
		opts->series = true;
		break;
	case OPT_WARMUP:
		if (util_parse_ulong(optarg, OPTIONS_MAX_RUNS, &opts->warmup))
			return fail(err, errlen,
				    "--warmup: '%s' is not a whole number from 0 to %lu", optarg,
				    OPTIONS_MAX_RUNS);
		opts->series = true;
		break;
	case OPT_TIMELINE:
		if (!file_name(&opts->timeline, optarg))
			return fail(err, errlen, "--timeline: empty file name");
		break;
	case OPT_PLOT:
		if (!file_name(&opts->plot, optarg))
			return fail(err, errlen, "--plot: empty file name");
		break;
	case OPT_FAIL_ABOVE: {
		int bad_figure;

		if (opts->nfail_above == LIMITS_MAX)
			return fail(err, errlen, "at most %d limits (--fail-above)", LIMITS_MAX);
		if (limit_parse(optarg, &opts->fail_above[opts->nfail_above], &bad_figure))
			return fail(err, errlen,
				    bad_figure ?
					    "--fail-above: '%s' gates no known figure "
					    "(peak-rss, tree-rss, tree-pss: e.g. tree-pss:2G)" :
					    "--fail-above: '%s' is not a size (e.g. 512M, 2G, "
					    "tree-rss:3G)",
				    optarg);
		opts->nfail_above++;
		break;
	}
	case 'C':
		opts->compare = true;
		break;
	case 'N':
		opts->no_shell = true;
		break;
	case 'L':
	case 'P':
		if (opts->nparams == OPTIONS_MAX_PARAMS)
			return fail(err, errlen, "at most %d parameters (-L, -P)",
				    OPTIONS_MAX_PARAMS);
		opts->params[opts->nparams].scan = c == 'P';
		opts->params[opts->nparams++].spec = optarg;
		break;
	case OPT_SORT:
		if (parse_sort(optarg, &opts->sort))
			return fail(err, errlen,
				    "--sort: '%s' is not one of peak, pss, time, command, start",
				    optarg);
		opts->sort_set = true;
		break;
	case OPT_TOP:
		if (util_parse_ulong(optarg, OPTIONS_MAX_TOP, &opts->top) || opts->top == 0)
			return fail(err, errlen, "--top: '%s' is not a whole number from 1 to %lu",
				    optarg, OPTIONS_MAX_TOP);
		/* The rows of the process table: it asks for the table. */
		opts->verbose = true;
		break;
	case OPT_EXPORT_MARKDOWN:
		if (!file_name(&opts->export_markdown, optarg))
			return fail(err, errlen, "--export-markdown: empty file name");
		break;
	case OPT_EXPORT_CSV:
		if (!file_name(&opts->export_csv, optarg))
			return fail(err, errlen, "--export-csv: empty file name");
		break;
	case OPT_EXPORT_JSON:
		if (!file_name(&opts->export_json, optarg))
			return fail(err, errlen, "--export-json: empty file name");
		break;
	case OPT_BASELINE:
		if (!file_name(&opts->baseline, optarg))
			return fail(err, errlen, "--baseline: empty file name");
		break;
	case OPT_MAX_INCREASE:
		if (parse_percent(optarg, &opts->max_increase))
			return fail(err, errlen,
				    "--max-increase: '%s' is not a percentage (e.g. 10)", optarg);
		opts->max_increase_set = true;
		break;
	case OPT_WAIT_ORPHANS:
		if (parse_seconds(optarg, &opts->wait_orphans_ns))
			return fail(err, errlen,
				    "--wait-orphans: '%s' is not a number of seconds from 0 to %.0f",
				    optarg, OPTIONS_MAX_WAIT_S);
		opts->wait_orphans_set = true;
		break;
	case OPT_IGNORE_FAILURE:
		opts->ignore_failure = true;
		opts->nignore_codes = 0;
		if (optarg && parse_codes(optarg, opts))
			return fail(err, errlen,
				    "--ignore-failure: '%s' is not a list of exit codes from 0 to 255 "
				    "(e.g. 1,2)",
				    optarg);
		break;
	case OPT_SHOW_OUTPUT:
		opts->show_output = true;
		break;
	case OPT_PREPARE:
	case OPT_CONCLUDE:
		if (!*optarg)
			return fail(err, errlen, "--%s: empty command",
				    c == OPT_PREPARE ? "prepare" : "conclude");
		*(c == OPT_PREPARE ? &opts->prepare : &opts->conclude) = optarg;
		break;
	case 'h':
		return OPTIONS_HELP;
	case 'V':
		return OPTIONS_VERSION;
	default:
		return refused(c, argv, err, errlen);
	}
	return OPTIONS_RUN;
}

/*
 * The options of argv[1..argc-1], in order: up to the first operand (with
 * "+"), or all of them, the operands moved after them.  *dashes tells
 * whether the options ended at "--".
 */
static enum options_result parse_options(int argc, char **argv, const char *shortopts,
					 struct options *opts, bool *dashes, char *err,
					 size_t errlen)
{
	int c, before;

	optind = 0; /* glibc: full re-initialisation, so tests may parse again */
	opterr = 0;
	for (;;) {
		enum options_result r;

		before = optind ? optind : 1;
		c = getopt_long(argc, argv, shortopts, long_options, NULL);
		if (c == -1)
			break;
		r = apply(c, argv, opts, err, errlen);
		if (r != OPTIONS_RUN)
			return r;
	}
	*dashes = optind > before && strcmp(argv[optind - 1], "--") == 0;
	return OPTIONS_RUN;
}

enum options_result options_parse(int argc, char **argv, struct options *opts, char *err,
				  size_t errlen)
{
	enum options_result r;
	bool dashes;

	memset(opts, 0, sizeof(*opts));
	opts->runs = 1;
	opts->interval_ms = OPTIONS_DEFAULT_INTERVAL_MS;
	r = parse_options(argc, argv, short_options, opts, &dashes, err, errlen);
	if (r != OPTIONS_RUN)
		return r;
	/*
	 * With -C every operand is a whole command line, so options may also
	 * follow them (as hyperfine allows): parse what is left again, the
	 * element before it standing for the program's name.
	 */
	if (opts->compare && !dashes && optind < argc) {
		int first = optind - 1;

		r = parse_options(argc - first, argv + first, short_options + 1, opts, &dashes, err,
				  errlen);
		if (r != OPTIONS_RUN)
			return r;
		optind += first;
	}
	if (optind >= argc && opts->compare)
		return fail(
			err, errlen,
			"--compare: no command line given (usage: maxrss-sc -C 'CMD 1' 'CMD 2'...)");
	if (optind >= argc)
		return fail(err, errlen,
			    "no command given (usage: maxrss-sc [OPTION]... COMMAND [ARG]...)");
	opts->command = argv + optind;
	opts->command_argc = argc - optind;
	return check_together(opts, err, errlen);
}

void options_print_help(FILE *f)
{
	fputs("Usage: maxrss-sc [OPTION]... [--] COMMAND [ARG]...\n"
	      "  or:  maxrss-sc -C [OPTION]... [--] 'COMMAND LINE'...\n"
	      "Run COMMAND and report the true peak memory of it and of every process it starts.\n"
	      "\n"
	      "  -o, --output=FILE     write the report to FILE instead of standard error\n"
	      "                          (a FILE of - is standard output, for every option)\n"
	      "  -j, --json            write the report as JSON\n"
	      "      --export-json=FILE  also write the report as JSON to FILE, the text\n"
	      "                          report going where -o says\n"
	      "  -v, --verbose         add the process tree to the text report\n"
	      "  -i, --interval=MS     also sample every live process every MS milliseconds\n"
	      "                          (default 50; 0: only at exec and exit)\n"
	      "      --exact           also stop before every syscall that can lower RSS\n"
	      "  -b, --breakdown       keep what each image's peak was made of (heap, stack,\n"
	      "                          anonymous, shared memory, each file; /proc/PID/smaps)\n"
	      "  -r, --runs=N          run COMMAND N times and report statistics\n"
	      "      --warmup=N        run COMMAND N times first, left out of the report\n"
	      "      --ignore-failure[=CODES]\n"
	      "                        go on after a run that failed (only one that exited\n"
	      "                          with one of CODES, e.g. 1,2): a series stops at the\n"
	      "                          first failure otherwise\n"
	      "      --prepare=CMD     run CMD (by /bin/sh -c, untraced) before each run\n"
	      "      --conclude=CMD    run CMD (likewise) after each run\n"
	      "      --show-output     show COMMAND's output during --runs and comparisons\n"
	      "                          (hidden otherwise, its exit status kept)\n"
	      "      --timeline=FILE   write every sample to FILE as CSV\n"
	      "      --plot=FILE       write an SVG chart of memory over time to FILE\n"
	      "      --fail-above=[FIGURE:]SIZE\n"
	      "                        exit with status 122 when FIGURE exceeds SIZE: peak-rss\n"
	      "                          (the largest process, the default), tree-rss or\n"
	      "                          tree-pss (the whole tree at its peak); repeatable\n"
	      "      --top=N           show the N largest processes in the -v table (implies -v)\n"
	      "      --wait-orphans=SECONDS\n"
	      "                        wait at most SECONDS (0: not at all) for processes\n"
	      "                          still running when COMMAND exits, then kill them\n"
	      "                          (default: wait for them; Ctrl-C stops waiting)\n"
	      "\n"
	      "Comparing commands:\n"
	      "  -C, --compare         every operand is a whole command line (run by /bin/sh -c);\n"
	      "                          measure each --runs times (default 10), interleaved\n"
	      "  -N, --no-shell        split the command lines into words instead of sh -c\n"
	      "  -L, --parameter-list=NAME=V1,V2,...\n"
	      "                        run once for each value, substituted for {NAME}\n"
	      "  -P, --parameter-scan=NAME=LOW:HIGH[:STEP]\n"
	      "                        the same for LOW, LOW+STEP, ... HIGH; fit how the peak grows\n"
	      "      --sort=KEY        order of the comparison: peak (default), pss, time,\n"
	      "                          command (as given), start (the same); of the -v table:\n"
	      "                          start (the tree, default), peak, pss, time\n"
	      "      --export-markdown=FILE  write the summary table as Markdown to FILE\n"
	      "      --export-csv=FILE write the summary figures as CSV to FILE\n"
	      "      --baseline=FILE   compare with the JSON report of an earlier run\n"
	      "      --max-increase=PERCENT\n"
	      "                        exit with status 122 when a peak grew by more than\n"
	      "                          PERCENT, beyond the noise, against --baseline\n"
	      "\n"
	      "  -h, --help            show this help and exit\n"
	      "  -V, --version         show the version and exit\n"
	      "\n"
	      "SIZE takes K, M, G suffixes (powers of 1024).  With --runs, the report\n"
	      "gives mean, standard deviation, min and max; --timeline and --plot show\n"
	      "the last run.  When comparing, --plot draws the comparison.\n"
	      "\n"
	      "Exit status: COMMAND's own (with --runs: that of the run that failed and\n"
	      "stopped them, else 0); 128+N if it was killed by signal N; 122 if it\n"
	      "succeeded but a figure exceeded --fail-above or the peak grew beyond\n"
	      "--max-increase; 125 if maxrss-sc failed (also for bad input, before anything\n"
	      "runs, and a --prepare or --conclude that failed); 126 if COMMAND cannot be\n"
	      "executed; 127 if not found.\n"
	      "\n"
	      "Image: one program of one process (fork or exec to exec or exit).  Tree peak:\n"
	      "the most the whole tree held at one instant.  PSS: RSS with each shared page\n"
	      "split among its sharers.  Full manual: man maxrss-sc\n",
	      f);
}

void options_print_version(FILE *f)
{
	fputs("maxrss-sc " PACKAGE_VERSION "\n"
	      "Copyright (C) 2026 the maxrss-sc authors.\n"
	      "License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n"
	      "This is free software: you are free to change and redistribute it.\n"
	      "There is NO WARRANTY, to the extent permitted by law.\n",
	      f);
}
