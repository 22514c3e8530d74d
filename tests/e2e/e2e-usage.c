/*
 * e2e-usage: what a new user tripped over (issue 14): the JSON report
 * beside the text one and on standard output (point 2), processes left
 * running after the command (point 3), and series that stop at a failure,
 * run commands around each run and hide the command's output (point 4).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/spawn.h"
#include "e2e.h"

TestSuite(usage, .timeout = 60, .init = e2e_need_tracing);

/* Run "$MAXRSS_SC ARGS..." in directory dir, capturing stdout and stderr. */
static void run_in(struct run_output *o, const char *dir, const char *const *args)
{
	const char *argv[64];
	size_t n = 0;

	argv[n++] = e2e_tool();
	for (; *args; args++) {
		cr_assert(n + 1 < sizeof(argv) / sizeof(argv[0]), "too many arguments");
		argv[n++] = *args;
	}
	argv[n] = NULL;
	cr_assert_eq(chdir(dir), 0, "chdir %s: %s", dir, strerror(errno));
	cr_assert(run_capture((char *const *)argv, NULL, o) == 0, "cannot run %s: %s", argv[0],
		  strerror(errno));
}

/* Parse text as one JSON object (asserted). */
static struct json *need_json(const char *what, const char *text)
{
	char err[256];
	struct json *j = json_parse(text, strlen(text), err, sizeof(err));

	cr_assert_not_null(j, "%s is not one JSON value (%s):\n%s", what, err, text);
	cr_assert_eq(j->type, JSON_OBJECT, "%s is not a JSON object", what);
	return j;
}

/* A JSON file's text, parsed (asserted). */
static struct json *need_json_file(const char *path)
{
	size_t len;
	char *text = e2e_read_file(path, &len);
	struct json *j;

	cr_assert_not_null(text, "%s was not written", path);
	j = need_json(path, text);
	free(text);
	return j;
}

/* ---------------------------------------------------------------- point 2: JSON */

/* "maxrss-sc --json -o - true | jq .": the JSON on standard output, no file "-". */
Test(usage, json_to_stdout_with_dash)
{
	static const char *const spellings[][3] = { { "-o", "-", NULL },
						    { "--output=-", NULL, NULL } };
	char dir[512];
	struct stat st;

	e2e_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < 2; i++) {
		const char *args[8] = { "--json", "-i", "0" };
		size_t n = 3;
		struct run_output o;
		struct json *j;

		for (size_t k = 0; spellings[i][k]; k++)
			args[n++] = spellings[i][k];
		args[n++] = "true";
		args[n] = NULL;
		run_in(&o, dir, args);
		cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
		j = need_json("standard output", o.out);
		cr_assert_eq(e2e_u64(j, "status"), 0);
		cr_assert_str_eq(e2e_str(j, "schema"), "maxrss-sc/1");
		cr_assert_eq(o.err_len, 0, "stderr is not empty: %s", o.err);
		cr_assert_neq(lstat("-", &st), 0, "a file named '-' was created (%s)",
			      spellings[i][0]);
		json_free(j);
		run_free(&o);
	}
	e2e_rmtree(dir);
}

/* The text report where it always goes, the JSON in the --export-json file: one run. */
Test(usage, export_json_beside_the_text)
{
	char dir[512], path[600];
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	run_in(&o, dir, E2E_ARGS("-i", "0", "--export-json", path, "sh", "-c", "exit 3"));
	cr_assert_eq(o.status, 3, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "maxrss-sc: sh -c exit 3 exited 3"), "no text report:\n%s", o.err);
	j = need_json_file(path);
	cr_assert_eq(e2e_u64(j, "status"), 3);
	cr_assert_eq(e2e_u64(j, "exit.code"), 3);
	json_free(j);
	run_free(&o);
	e2e_rmtree(dir);
}

/* The same for --runs (the series' JSON) and a comparison (its JSON). */
Test(usage, export_json_of_a_series_and_a_comparison)
{
	char dir[512], path[600];
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/runs.json", dir);
	run_in(&o, dir, E2E_ARGS("-i", "0", "-r", "2", "--export-json", path, "true"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "2 runs"), "no text report of the series:\n%s", o.err);
	j = need_json_file(path);
	cr_assert_eq(e2e_u64(j, "planned_runs"), 2);
	cr_assert_eq(json_path(j, "runs")->n, 2);
	json_free(j);
	run_free(&o);

	snprintf(path, sizeof(path), "%s/compare.json", dir);
	run_in(&o, dir, E2E_ARGS("-i", "0", "-r", "1", "--export-json", path, "-C", "true", ":"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	j = need_json_file(path);
	cr_assert_str_eq(e2e_str(j, "mode"), "compare");
	json_free(j);
	run_free(&o);
	e2e_rmtree(dir);
}

/* The text report on standard output with -o -; two outputs there are refused. */
Test(usage, text_to_stdout_and_one_output_there)
{
	char dir[512];
	struct run_output o;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir, E2E_ARGS("-i", "0", "-o", "-", "--export-json=json", "true"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.out, "maxrss-sc: true exited 0"), "no text report on stdout:\n%s",
		  o.out);
	run_free(&o);
	run_in(&o, dir, E2E_ARGS("-o", "-", "--export-json=-", "true"));
	cr_assert_eq(o.status, 125, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "standard output"), "%s", o.err);
	run_free(&o);
	e2e_rmtree(dir);
}
