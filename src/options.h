/* options: the command line (pure; no I/O but --help / --version text). */
#ifndef MAXRSS_OPTIONS_H
#define MAXRSS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "limit.h"

/*
 * Default --interval: two chances to see a 100 ms overlap of two processes.
 * What a pass costs is in doc/maxrss-sc.1 (Timed sampling).
 */
#define OPTIONS_DEFAULT_INTERVAL_MS 50UL
/* Largest accepted --interval, in milliseconds (one hour). */
#define OPTIONS_MAX_INTERVAL_MS 3600000UL
/* Largest accepted --runs / --warmup. */
#define OPTIONS_MAX_RUNS 1000000UL
/* --runs when comparing and -r is not given. */
#define OPTIONS_COMPARE_RUNS 10UL
/* Largest accepted --wait-orphans, in seconds (a year). */
#define OPTIONS_MAX_WAIT_S 31536000.0
/* How many exit codes --ignore-failure=CODES takes. */
#define OPTIONS_MAX_CODES 32
/* Largest accepted --top. */
#define OPTIONS_MAX_TOP 1000000UL
/* How many -L / -P options. */
#define OPTIONS_MAX_PARAMS 8

/*
 * --sort: the order of a comparison (the least first; command and start:
 * the order given) and of the -v process table (the largest first; start
 * and command: the tree in start order).
 */
enum options_sort { SORT_PEAK, SORT_PSS, SORT_TIME, SORT_COMMAND, SORT_START };

/* One -L NAME=V1,V2,... or -P NAME=LOW:HIGH[:STEP], as given (parsed by subjects.c). */
struct param_spec {
	bool scan;	  /* -P */
	const char *spec; /* what follows the option */
};

/* A FILE of "-" given to an output option: standard output. */
#define OPTIONS_STDOUT "-"

struct options {
	const char *output;	     /* -o FILE, or NULL for stderr */
	const char *timeline;	     /* --timeline FILE */
	const char *plot;	     /* --plot FILE */
	const char *export_markdown; /* --export-markdown FILE */
	const char *export_csv;	     /* --export-csv FILE */
	const char *export_json;     /* --export-json FILE: the JSON report, beside -o's */
	const char *baseline;	     /* --baseline FILE */
	char **command;		     /* COMMAND [ARG]... or the command lines, NULL-terminated
				      * (points into argv) */
	unsigned long interval_ms;   /* -i MS; 0 = lifecycle stops only */
	unsigned long runs;	     /* -r N, >= 1 */
	unsigned long warmup;	     /* --warmup N */
	struct limit fail_above[LIMITS_MAX]; /* --fail-above [FIGURE:]SIZE, in their order */
	size_t nfail_above;
	double max_increase;  /* --max-increase PERCENT */
	const char *prepare;  /* --prepare CMD: run by /bin/sh -c before each run */
	const char *conclude; /* --conclude CMD: after each run */
	bool ignore_failure;  /* --ignore-failure[=CODES]: failed runs do not stop a series */
	int ignore_codes[OPTIONS_MAX_CODES]; /* CODES: only these exit codes (none: any failure) */
	size_t nignore_codes;
	bool show_output;	  /* --show-output: the command's output in a series */
	bool wait_orphans_set;	  /* --wait-orphans given: leftovers are waited for */
	uint64_t wait_orphans_ns; /* at most this long (0: not at all) */
	struct param_spec params[OPTIONS_MAX_PARAMS]; /* -L, -P in their order */
	size_t nparams;
	enum options_sort sort; /* --sort */
	bool sort_set;		/* --sort was given (the defaults differ) */
	unsigned long top;	/* --top N: rows of the -v table; 0 = all */
	int command_argc;
	bool json;	/* -j */
	bool verbose;	/* -v */
	bool exact;	/* --exact */
	bool breakdown; /* -b: the make-up of each image's peak */
	bool series;	/* -r or --warmup given: the report is of a series of runs */
	bool compare;	/* -C: every operand is a whole command line */
	bool no_shell;	/* -N: split them into words instead of /bin/sh -c */
	bool max_increase_set;
};

enum options_result {
	OPTIONS_RUN,	 /* run opts->command */
	OPTIONS_HELP,	 /* -h: print help, exit 0 */
	OPTIONS_VERSION, /* -V: print version, exit 0 */
	OPTIONS_ERROR,	 /* err holds a one-line message; exit 125 */
};

/*
 * Parse argv into *opts.  Options stop at the first non-option (so
 * "maxrss-sc ls -l" needs no "--").  On OPTIONS_ERROR, err (errlen bytes)
 * holds a message without the "maxrss-sc: " prefix or newline.
 * May be called more than once in one process.
 */
enum options_result options_parse(int argc, char **argv, struct options *opts, char *err,
				  size_t errlen);

/* The --help text. */
void options_print_help(FILE *f);

/* The --version text. */
void options_print_version(FILE *f);

#endif
