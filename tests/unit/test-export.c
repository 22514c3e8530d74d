/*
 * Unit tests of export: the Markdown table (its columns, the least one's
 * relative 1.00, command lines kept whole in their cell: '|' escaped,
 * backticks fenced) and the CSV (a header, a row per command, the figures).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "compare.h"
#include "export.h"
#include "fake-run.h"

static char *cmd[] = { (char *)"x", NULL };
static char label0[] = "wl 10 | cat", label1[] = "echo `a`";
static struct subject sv[2] = { { .label = label0, .argv = cmd },
				{ .label = label1, .argv = cmd } };
static struct subjects subj = { .v = sv, .n = 2, .compare = true };
static struct runs rs[2];
static struct comparison cmp;
static struct compare_report cr;

static void setup(void)
{
	const uint64_t peaks[2] = { 20 << 20, 10 << 20 };

	for (size_t i = 0; i < 2; i++) {
		runs_init(&rs[i], cmd, 2, 0, false);
		for (int k = 0; k < 2; k++)
			cr_assert_eq(runs_add(&rs[i], fake_run(cmd, peaks[i] + (uint64_t)k * 8192,
							       peaks[i] / 2, 0.5, 0, 0)),
				     0);
	}
	cr_assert_eq(compare_build(&cmp, &subj, rs, SORT_PEAK), 0);
	cr = (struct compare_report){ .c = &cmp, .s = &subj, .planned_runs = 2 };
}

static void teardown(void)
{
	compare_free(&cmp);
	for (size_t i = 0; i < 2; i++)
		runs_free(&rs[i]);
}

TestSuite(export, .init = setup, .fini = teardown);

static char *capture(int (*fn)(FILE *, const struct compare_report *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(fn(f, &cr), 0);
	fclose(f);
	return buf;
}

Test(export, markdown_table)
{
	char *md = capture(export_markdown), *line2, *line3, *line4;

	cr_assert(strncmp(md,
			  "| # | command | peak RSS | tree peak PSS | wall time (traced) | "
			  "peak relative |\n|--:|---|--:|--:|--:|--:|\n",
			  97) == 0,
		  "%s", md);
	line2 = strchr(strchr(md, '\n') + 1, '\n') + 1;
	line3 = strchr(line2, '\n') + 1;
	line4 = strchr(line3, '\n') + 1;
	cr_assert_eq(*line4, '\0', "two rows: %s", md);
	/* The least first, with relative 1.00; backticks fenced by a longer run. */
	cr_assert(strncmp(line2, "| 1 | `` echo `a` `` | 10.0 MiB \u00b1 ",
			  strlen("| 1 | `` echo `a` `` | 10.0 MiB \u00b1 ")) == 0,
		  "%s", line2);
	cr_assert(strstr(line2, "| 1.00 |\n"), "%s", line2);
	cr_assert(strncmp(line3, "| 2 | `wl 10 \\| cat` | 20.0 MiB", 30) == 0, "%s", line3);
	cr_assert(strstr(line3, "| 2.00 \u00b1 0.00 |\n"), "%s", line3);
	free(md);
}

Test(export, csv_rows)
{
	char *csv = capture(export_csv), *row;

	cr_assert(strncmp(csv, "rank,command,runs,failed_runs,peak_rss_bytes_mean,", 50) == 0, "%s",
		  csv);
	row = strchr(csv, '\n') + 1;
	cr_assert(strncmp(row, "1,echo `a`,2,0,10489856,", 24) == 0, "%s", row);
	row = strchr(row, '\n') + 1;
	cr_assert(strncmp(row, "2,wl 10 | cat,2,0,20975616,", 27) == 0, "%s", row);
	cr_assert(strstr(row, ",1.9996"), "the ratio (20 MiB + 4 KiB over 10 MiB + 4 KiB): %s",
		  row);
	cr_assert_eq(*(strchr(row, '\n') + 1), '\0');
	free(csv);
}

/* A parameter's value is a column of its own, kept whole: in Markdown, '|' and '*' escaped. */
Test(export, parameter_values_stay_in_their_cell)
{
	static char *vals[] = { (char *)"a|b", (char *)"*x*,y" };
	static struct param p = { .name = (char *)"impl", .values = vals, .nvalues = 2 };
	static size_t v0 = 0, v1 = 1;
	char *md, *csv;

	subj.params = &p;
	subj.nparams = 1;
	sv[0].value = &v0;
	sv[1].value = &v1;
	md = capture(export_markdown);
	cr_assert(strncmp(md, "| # | command | impl | peak RSS |", 32) == 0, "%s", md);
	cr_assert(strstr(md, "|--:|---|--:|--:|"), "%s", md);
	cr_assert(strstr(md, "| `` echo `a` `` | \\*x\\*,y | 10.0 MiB"), "%s", md);
	cr_assert(strstr(md, "| `wl 10 \\| cat` | a\\|b | 20.0 MiB"), "%s", md);
	csv = capture(export_csv);
	cr_assert(strncmp(csv, "rank,command,impl,runs,", 23) == 0, "%s", csv);
	cr_assert(strstr(csv, "\n1,echo `a`,\"*x*,y\",2,0,"), "%s", csv);
	cr_assert(strstr(csv, "\n2,wl 10 | cat,a|b,2,0,"), "%s", csv);
	free(md);
	free(csv);
	subj.params = NULL;
	subj.nparams = 0;
}

/* Rebuild the comparison from runs of the given peaks (MiB; 0 ends a command's list). */
static void remeasure(const double peaks[2][3])
{
	teardown();
	for (size_t i = 0; i < 2; i++) {
		runs_init(&rs[i], cmd, 3, 0, false);
		for (int k = 0; k < 3 && peaks[i][k] > 0; k++)
			cr_assert_eq(runs_add(&rs[i],
					      fake_run(cmd, (uint64_t)(peaks[i][k] * 1048576),
						       1 << 20, 0.5, 0, 0)),
				     0);
	}
	cr_assert_eq(compare_build(&cmp, &subj, rs, SORT_PEAK), 0);
}

/* 11 +- 1 against 11 +- 0.5 MiB: a ratio within the noise says so. */
Test(export, within_the_noise)
{
	static const double peaks[2][3] = { { 10, 11, 12 }, { 10.5, 11, 11.5 } };
	char *md, *csv, *row;

	remeasure(peaks);
	md = capture(export_markdown);
	cr_assert(strstr(md, " (noise) |"), "%s", md);
	csv = capture(export_csv);
	row = strchr(strchr(csv, '\n') + 1, '\n') + 1;
	cr_assert(strstr(row, ",false,"), "not beyond the noise: %s", row);
	free(md);
	free(csv);
}

/* Single runs: no standard deviation and no p-value, empty fields rather than 0 or nan. */
Test(export, single_runs_leave_the_spread_empty)
{
	static const double peaks[2][3] = { { 20, 0, 0 }, { 10, 0, 0 } };
	char *csv, *row;

	remeasure(peaks);
	csv = capture(export_csv);
	row = strchr(csv, '\n') + 1;
	cr_assert(strncmp(row, "1,echo `a`,1,0,10485760,,10485760,10485760,10485760,", 52) == 0,
		  "%s", row);
	cr_assert_null(strstr(csv, "nan"), "%s", csv);
	row = strchr(row, '\n') + 1;
	cr_assert(strstr(row, ",2,,true,\n"), "ratio 2, no uncertainty, beyond, no p: %s", row);
	free(csv);
	csv = capture(export_markdown);
	cr_assert(strstr(csv, "| 20.0 MiB | 1.0 MiB | 500.0 ms | 2.00 |\n"), "%s", csv);
	free(csv);
}
