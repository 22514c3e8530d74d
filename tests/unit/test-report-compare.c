/*
 * Unit tests of the comparison report (report-compare.c): the text report
 * (blocks in the order of --sort, the summary of ratios and what decided
 * the noise, the labels of parameterised command lines, the fit of a scan)
 * and the JSON report read back with json-c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-c/json.h>

#include "compare.h"
#include "fake-run.h"
#include "report.h"
#include "subjects.h"

static struct options opts;
static struct subjects subj;
static struct runs rs[8];
static struct comparison cmp;
static struct compare_report cr;
static char err[256];

/*
 * maxrss-sc -C -P n=1:3 ARGS... (without -P unless scan): three runs of
 * each command, its peak peak_of(label) bytes, give or take 4 KiB from run
 * to run.
 */
static void measure(const char *const *args, uint64_t (*peak_of)(const char *), bool scan)
{
	static char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"maxrss-sc";
	argv[argc++] = (char *)"-C";
	argv[argc++] = (char *)"-r";
	argv[argc++] = (char *)"3";
	if (scan) {
		argv[argc++] = (char *)"-P";
		argv[argc++] = (char *)"n=1:3";
	}
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	cr_assert_eq(options_parse(argc, argv, &opts, err, sizeof(err)), OPTIONS_RUN, "%s", err);
	cr_assert_eq(subjects_build(&subj, &opts, err, sizeof(err)), 0, "%s", err);
	cr_assert_leq(subj.n, 8);
	for (size_t i = 0; i < subj.n; i++) {
		uint64_t peak = peak_of(subj.v[i].label);

		runs_init(&rs[i], subj.v[i].argv, 3, 0, false);
		for (int k = 0; k < 3; k++)
			cr_assert_eq(runs_add(&rs[i],
					      fake_run(subj.v[i].argv, peak + (uint64_t)k * 4096,
						       peak / 2, 0.5 + k * 0.01, 0, 0)),
				     0);
	}
	cr_assert_eq(compare_build(&cmp, &subj, rs, SORT_PEAK), 0);
	cr = (struct compare_report){ .c = &cmp, .s = &subj, .sort = SORT_PEAK, .planned_runs = 3 };
}

static void teardown(void)
{
	for (size_t i = 0; i < subj.n; i++)
		runs_free(&rs[i]);
	compare_free(&cmp);
	subjects_free(&subj);
}

TestSuite(report_compare, .fini = teardown);

static char *capture_text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(report_write_compare_text(f, &cr, false), 0);
	fclose(f);
	return buf;
}

static json_object *capture_json(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *root;

	cr_assert_not_null(f);
	cr_assert_eq(report_write_compare_json(f, &cr, 0), 0);
	fclose(f);
	root = json_tokener_parse(buf);
	cr_assert_not_null(root, "not JSON: %s", buf);
	free(buf);
	return root;
}

static json_object *at(json_object *o, const char *key)
{
	json_object *v = NULL;

	cr_assert(json_object_object_get_ex(o, key, &v), "no key %s", key);
	return v;
}

/* "x N": 4 MiB + 8 MiB * N; "ref": 10 MiB. */
static uint64_t short_peaks(const char *label)
{
	return strcmp(label, "ref") == 0 ? 10 << 20 :
					   (4u << 20) + (8u << 20) * (uint64_t)atoi(label + 2);
}

Test(report_compare, text_blocks_summary_and_fit)
{
	char *text, *summary;

	measure((const char *const[]){ "x {n}", "ref", NULL }, short_peaks, true);
	cr_assert_eq(subj.n, 4, "ref runs once, not once per n");
	text = capture_text();
	cr_assert(strncmp(text,
			  "maxrss-sc: 4 commands, 3 runs each, interleaved; in order of peak\n",
			  66) == 0,
		  "%s", text);
	/* Peaks 12, 10, 20 and 28 MiB: ref first. */
	cr_assert(strstr(text, "\n[1] ref: 3 runs, 0 failed\n"), "%s", text);
	cr_assert(strstr(text, "\n[2] x 1: 3 runs"), "%s", text);
	cr_assert(strstr(text, "\n[4] x 3: 3 runs"), "%s", text);
	summary = strstr(text, "\nSummary: ");
	cr_assert_not_null(summary, "%s", text);
	cr_assert(strstr(summary, "  peak RSS: least for [1] ref (10.0 MiB)\n"), "%s", summary);
	/* 28 MiB + 4 KiB over 10 MiB + 4 KiB, beyond any noise of 4 KiB. */
	cr_assert(strstr(summary, "    [4] x 3"), "%s", summary);
	cr_assert(strstr(summary, "2.80 \u00b1 0.00 times as much, beyond the noise (p < 0.001)\n"),
		  "%s", summary);
	cr_assert(strstr(summary, "  wall time: least for "), "%s", summary);
	cr_assert(strstr(summary, "within the noise (p = 1.000)"), "equal times: %s", summary);
	cr_assert(strstr(summary,
			 "  x {n}: peak RSS grows as n^1.00 (fit of base + c \u00b7 n^k over "
			 "3 points, n = 1 .. 3: base 4.0 MiB, R\u00b2 1.0000)\n"),
		  "%s", summary);
	free(text);
}

/* Long command lines: the start of the line as given, then the values. */
static uint64_t long_peaks(const char *label)
{
	return (uint64_t)(strstr(label, "((")[2] - '0') << 20;
}

Test(report_compare, long_lines_are_labelled_by_their_values)
{
	char *text;

	measure((const char *const[]){ "python3 -c 'a = bytearray(({n}) << 20); print(len(a))'",
				       NULL },
		long_peaks, true);
	text = capture_text();
	cr_assert(strstr(text,
			 "  peak RSS: least for [1] python3 -c 'a = bytearray(({n}) << \u2026 n=1 "
			 "(1.0 MiB)\n"),
		  "%s", text);
	cr_assert(strstr(text, "    [3] python3 -c 'a = bytearray(({n}) << \u2026 n=3   2.99"),
		  "%s", text);
	free(text);
}

Test(report_compare, json_commands_and_fits)
{
	json_object *root, *commands, *fit, *rel;

	measure((const char *const[]){ "x {n}", "ref", NULL }, short_peaks, true);
	root = capture_json();
	cr_assert_str_eq(json_object_get_string(at(root, "schema")), "maxrss-sc/1");
	commands = at(root, "commands");
	cr_assert_eq(json_object_array_length(commands), 4);
	/* In the order given: x 1, x 2, x 3, ref. */
	cr_assert_str_eq(json_object_get_string(
				 at(json_object_array_get_idx(commands, 1), "command_line")),
			 "x 2");
	cr_assert_str_eq(json_object_get_string(
				 at(at(json_object_array_get_idx(commands, 1), "parameters"), "n")),
			 "2");
	cr_assert(json_object_is_type(at(at(json_object_array_get_idx(commands, 3), "parameters"),
					 "n"),
				      json_type_null));
	rel = at(at(json_object_array_get_idx(commands, 2), "relative"), "peak_rss_bytes");
	cr_assert_float_eq(json_object_get_double(at(rel, "ratio")),
			   (28.0 * 1048576 + 4096) / (10.0 * 1048576 + 4096), 1e-5);
	cr_assert_str_eq(json_object_get_string(at(rel, "test")), "welch");
	fit = json_object_array_get_idx(at(root, "fits"), 0);
	cr_assert_not_null(fit);
	cr_assert_eq(json_object_array_length(at(root, "fits")), 1);
	cr_assert_str_eq(json_object_get_string(at(fit, "template")), "x {n}");
	cr_assert_eq(json_object_object_length(at(fit, "parameters")), 0);
	cr_assert_eq(json_object_get_int(at(fit, "points")), 3);
	cr_assert_float_eq(json_object_get_double(at(fit, "exponent")), 1, 0.01);
	cr_assert_float_eq(json_object_get_double(at(fit, "base_bytes")), 4 << 20, 1 << 16);
	json_object_put(root);
}

/* "sort -n ... | head -N": N MiB. */
static uint64_t tail_peaks(const char *label)
{
	return (uint64_t)atoi(strrchr(label, '-') + 1) << 20;
}

/* Long command lines without parameters differ at their end: the middle is left out. */
Test(report_compare, long_lines_without_parameters_keep_both_ends)
{
	char *text;

	measure((const char *const[]){ "sort -n /usr/share/dict/words | uniq -c | head -2",
				       "sort -n /usr/share/dict/words | uniq -c | head -1", NULL },
		tail_peaks, false);
	text = capture_text();
	cr_assert(strstr(text,
			 "  peak RSS: least for [1] sort -n /usr/\u2026/words | uniq -c | head -1 "
			 "(1.0 MiB)\n"),
		  "%s", text);
	free(text);
}
