/*
 * e2e-outfile: no lost report (issue 16, point 3).  The files of -o,
 * --timeline, --plot and the exports (--export-markdown, --export-csv) are
 * complete or absent, with -b's make-up in the report: the old file stays whole
 * while the command runs and when maxrss-sc is killed, a full device or
 * file system gives one line that names the file and the command's status
 * and exit status 125, and a run that never starts leaves no file.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/spawn.h"
#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(outfile, .timeout = 120, .init = e2e_need_tracing);

#define END_MS 20000

/* Names in dir, sorted, joined by spaces. */
static void listing(const char *dir, char *buf, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "",
				 names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	cr_assert_not_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

/* A JSON report, whole: it parses, and says status. */
static void assert_complete_json(const char *path, int status)
{
	char *text = slurp(path), err[256];
	struct json *j;

	cr_assert_not_null(text, "no report %s", path);
	j = json_parse(text, strlen(text), err, sizeof(err));
	cr_assert_not_null(j, "%s is not whole JSON (%s):\n%s", path, err, text);
	cr_assert_eq(e2e_u64(j, "status"), (uint64_t)status, "the report's status");
	json_free(j);
	free(text);
}

static int status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The outputs of start_catch: the report, the timeline, the plot, the two exports. */
#define NOUT 5
#define ALL_FILES "c.csv m.md p.svg r.json t.csv"

/*
 * maxrss-sc -b writing a JSON report, a timeline, a plot and both exports
 * into dir, over old files, measuring `rely catch` (it says "ready", then
 * waits for a signal): until the command has ended, every old file is as
 * it was and nothing else is in dir.  Returns the spawned tool, the
 * command ready.
 */
static void start_catch(struct spawned *sp, const char *dir, char paths[NOUT][600])
{
	static const char *const names[NOUT] = { "r.json", "t.csv", "p.svg", "m.md", "c.csv" };
	static const char *const opts[NOUT] = { "-o", "--timeline=", "--plot=",
						"--export-markdown=", "--export-csv=" };
	struct spawn_opts so = { .new_pgrp = true, .keep_fd = -1 };
	char args[NOUT][640], line[256], listed[512];
	int rc;

	for (int i = 0; i < NOUT; i++) {
		snprintf(paths[i], 600, "%s/%s", dir, names[i]);
		write_text(paths[i], "old\n");
		snprintf(args[i], sizeof(args[i]), "%s%s", i ? opts[i] : "", paths[i]);
	}
	rc = spawn_start(sp,
			 (char *const *)E2E_ARGS(e2e_tool(), "--json", "-b", "-o", args[0], args[1],
						 args[2], args[3], args[4], e2e_rely(), "catch"),
			 &so);
	cr_assert_eq(rc, 0, "cannot start maxrss-sc: %s", strerror(-rc));
	cr_assert(spawn_line(sp, line, sizeof(line), END_MS), "the command never said ready");
	cr_assert(strncmp(line, "ready", 5) == 0, "unexpected line '%s'", line);
	for (int i = 0; i < NOUT; i++) {
		char *t = slurp(paths[i]);

		cr_assert_str_eq(t, "old\n", "%s changed while the command runs", paths[i]);
		free(t);
	}
	listing(dir, listed, sizeof(listed));
	cr_assert_str_eq(listed, ALL_FILES, "while the command runs: %s", listed);
}

/*
 * SIGTERM to maxrss-sc alone in the middle of the run: it passes it on,
 * the command ends (rely catch exits 100 + 15), and every file is written
 * whole, in its place, with the command's status (and -b's make-up).
 */
Test(outfile, sigterm_mid_run_writes_every_file_whole)
{
	char dir[512], paths[NOUT][600], names[512], *t;
	struct spawned sp;
	int st;

	e2e_tmpdir(dir, sizeof(dir));
	start_catch(&sp, dir, paths);
	kill(sp.pid, SIGTERM);
	cr_assert(spawn_wait(&sp, END_MS, &st), "maxrss-sc did not end");
	cr_assert_eq(status_of(st), 115, "status %d; stderr:\n%s", status_of(st),
		     sp.errbuf ? sp.errbuf : "");
	assert_complete_json(paths[0], 115);
	t = slurp(paths[1]);
	cr_assert(t && strncmp(t, "seconds,pid,image,", 18) == 0, "the timeline: %s", t);
	free(t);
	t = slurp(paths[2]);
	cr_assert(t && strstr(t, "</svg>"), "the plot is not whole");
	free(t);
	t = slurp(paths[3]);
	cr_assert(t && strncmp(t, "| # | command |", 15) == 0 && strstr(t, "catch`"),
		  "the Markdown export: %s", t);
	free(t);
	t = slurp(paths[4]);
	cr_assert(t && strncmp(t, "rank,command,", 13) == 0 && strstr(t, "\n1,"),
		  "the CSV export: %s", t);
	free(t);
	t = slurp(paths[0]);
	cr_assert(t && strstr(t, "\"breakdown\": {\"rss_bytes\""),
		  "-b: no breakdown in the report");
	free(t);
	listing(dir, names, sizeof(names));
	cr_assert_str_eq(names, ALL_FILES, "left in the directory: %s", names);
	spawn_free(&sp);
	e2e_rmtree(dir);
}

/*
 * SIGKILL to maxrss-sc in the middle of the run: nothing can be written;
 * the old files are whole and nothing else is left in the directory.
 */
Test(outfile, sigkill_mid_run_leaves_the_old_files)
{
	char dir[512], paths[NOUT][600], names[512];
	struct spawned sp;
	int st;

	e2e_tmpdir(dir, sizeof(dir));
	start_catch(&sp, dir, paths);
	kill(sp.pid, SIGKILL);
	cr_assert(spawn_wait(&sp, END_MS, &st), "maxrss-sc did not end");
	cr_assert_eq(status_of(st), 137);
	for (int i = 0; i < NOUT; i++) {
		char *t = slurp(paths[i]);

		cr_assert_str_eq(t, "old\n", "%s is not the old file", paths[i]);
		free(t);
	}
	listing(dir, names, sizeof(names));
	cr_assert_str_eq(names, ALL_FILES, "left in the directory: %s", names);
	spawn_free(&sp);
	e2e_rmtree(dir);
}

/*
 * One line on stderr: "maxrss-sc: cannot write the WHAT to FILE (the
 * command exited 3): No space left on device", and status 125.
 */
static void assert_one_line(const struct run_output *o, const char *what, const char *file)
{
	char want[256];

	cr_assert_eq(o->status, 125, "status %d; stderr:\n%s", o->status, o->err);
	cr_assert_eq(e2e_count_lines(o->err), 1, "not one line on stderr:\n%s", o->err);
	snprintf(want, sizeof(want), "cannot write the %s to %s", what, file);
	cr_assert(strstr(o->err, want), "stderr does not say '%s':\n%s", want, o->err);
	cr_assert(strstr(o->err, "the command exited 3"), "the command's status is lost:\n%s",
		  o->err);
	cr_assert(strstr(o->err, strerror(ENOSPC)), "stderr does not say why:\n%s", o->err);
}

/* /dev/full for each output: its line, 125; the other outputs are whole. */
Test(outfile, full_device_one_line_and_status_125)
{
	static const char *const others[][2] = {
		{ "--timeline", "timeline" },
		{ "--plot", "plot" },
		{ "--export-markdown", "Markdown export" },
		{ "--export-csv", "CSV export" },
	};
	char dir[512], report[600], arg[640];
	struct run_output o;

	if (access("/dev/full", W_OK) != 0)
		cr_skip_test("no /dev/full here");
	cr_assert_eq(run_capture((char *const *)E2E_ARGS(e2e_tool(), "-o", "/dev/full", "sh", "-c",
							 "exit 3"),
				 NULL, &o),
		     0);
	e2e_note("-o /dev/full: status %d, %s", o.status, o.err);
	assert_one_line(&o, "report", "/dev/full");
	run_free(&o);

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		snprintf(arg, sizeof(arg), "%s=/dev/full", others[i][0]);
		/* -b: the report with its make-up is written whole all the same. */
		cr_assert_eq(run_capture((char *const *)E2E_ARGS(e2e_tool(), "--json", "-b", "-o",
								 report, arg, "sh", "-c", "exit 3"),
					 NULL, &o),
			     0);
		e2e_note("%s: status %d, %s", arg, o.status, o.err);
		assert_one_line(&o, others[i][1], "/dev/full");
		/* The report was written first: the command's status in it. */
		assert_complete_json(report, 3);
		run_free(&o);
	}
	/* Comparing: the line tells how the last command run ended. */
	cr_assert_eq(run_capture((char *const *)E2E_ARGS(e2e_tool(), "-C", "--ignore-failure", "-o",
							 report, "--export-csv=/dev/full", "true",
							 "exit 3"),
				 NULL, &o),
		     0);
	e2e_note("-C --export-csv=/dev/full: status %d, %s", o.status, o.err);
	cr_assert_eq(o.status, 125, "status %d; stderr:\n%s", o.status, o.err);
	cr_assert_eq(e2e_count_lines(o.err), 1, "not one line on stderr:\n%s", o.err);
	cr_assert(strstr(o.err, "cannot write the CSV export to /dev/full (the last command run "
				"exited 3): "),
		  "stderr:\n%s", o.err);
	run_free(&o);
	e2e_rmtree(dir);
}

static bool have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/*
 * A full file system: a small tmpfs, mounted in a mount namespace of the
 * test's own (unshare --mount: the machine's mounts are never touched),
 * filled up.  For each output: one line, status 125, the old file whole,
 * no new file, nothing left beside it.
 */
Test(outfile, full_file_system_one_line_status_125_nothing_left)
{
	static const char script[] =
		"set -e; d=$1; tool=$2; opt=$3; what=$4\n"
		"mount -t tmpfs -o size=64k,mode=0755 maxrss-sc-test \"$d\"\n"
		"echo old > \"$d/old.json\"\n"
		"dd if=/dev/zero of=\"$d/fill\" bs=4096 2>/dev/null || true\n"
		"set +e\n"
		"case $what in\n"
		"report) \"$tool\" --json -o \"$d/old.json\" sh -c 'exit 3' ;;\n"
		"new) \"$tool\" --json -o \"$d/new.json\" sh -c 'exit 3' ;;\n"
		"*) \"$tool\" --json -o /dev/null \"$opt=$d/old.json\" sh -c 'exit 3' ;;\n"
		"esac\n"
		"st=$?\n"
		"echo \"old: $(cat \"$d/old.json\")\" >\"$d.out\"\n"
		"echo \"files: $(ls -A \"$d\" | tr '\\n' ' ')\" >>\"$d.out\"\n"
		"exit $st\n";
	static const char *const cases[][3] = {
		{ "report", "report", "" },
		{ "new", "report", "" },
		{ "timeline", "timeline", "--timeline" },
		{ "plot", "plot", "--plot" },
		{ "markdown", "Markdown export", "--export-markdown" },
		{ "csv", "CSV export", "--export-csv" },
	};
	char dir[512], shfile[600];
	struct run_output o;

	if (geteuid() != 0 || !have_program("unshare") ||
	    system("unshare --mount --propagation private true 2>/dev/null") != 0)
		cr_skip_test("no mount namespace of our own (needs root and unshare)");
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(shfile, sizeof(shfile), "%s.sh", dir);
	write_text(shfile, script);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char target[600], outfile[600], cmd[2048], *seen;

		snprintf(target, sizeof(target), "%s/%s", dir,
			 strcmp(cases[i][0], "new") == 0 ? "new.json" : "old.json");
		/* What the script saw in the namespace, before its tmpfs went away. */
		snprintf(outfile, sizeof(outfile), "%s.out", dir);
		snprintf(cmd, sizeof(cmd),
			 "unshare --mount --propagation private sh '%s' '%s' '%s' '%s' '%s'",
			 shfile, dir, e2e_tool(), cases[i][2], cases[i][0]);
		cr_assert_eq(run_capture((char *const *)E2E_ARGS("sh", "-c", cmd), NULL, &o), 0);
		seen = slurp(outfile);
		unlink(outfile);
		cr_assert_not_null(seen, "the script said nothing; stderr:\n%s", o.err);
		e2e_note("full tmpfs, %s: status %d, stderr %s%s", cases[i][0], o.status, o.err,
			 seen);
		assert_one_line(&o, cases[i][1], target);
		cr_assert(strstr(seen, "old: old\n"), "the old file changed:\n%s", seen);
		cr_assert(strstr(seen, "files: fill old.json \n"), "left on the file system:\n%s",
			  seen);
		free(seen);
		run_free(&o);
	}
	unlink(shfile);
	e2e_rmtree(dir);
}

/*
 * No report is due when the command never ran: not found (127), or
 * maxrss-sc cannot trace (125).  No file appears; an old one stays.
 */
Test(outfile, run_that_never_starts_leaves_no_file)
{
	char dir[512], fresh[600], old[600], names[512];
	struct run_output o;
	char *t;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(fresh, sizeof(fresh), "%s/new.json", dir);
	snprintf(old, sizeof(old), "%s/old.json", dir);
	write_text(old, "old\n");
	cr_assert_eq(run_capture((char *const *)E2E_ARGS(e2e_tool(), "-o", fresh,
							 "/nonexistent/command"),
				 NULL, &o),
		     0);
	cr_assert_eq(o.status, 127, "status %d: %s", o.status, o.err);
	run_free(&o);
	cr_assert_eq(run_capture((char *const *)E2E_ARGS(e2e_tool(), "-o", old,
							 "/nonexistent/command"),
				 NULL, &o),
		     0);
	run_free(&o);
	listing(dir, names, sizeof(names));
	cr_assert_str_eq(names, "old.json", "after runs that never started: %s", names);
	t = slurp(old);
	cr_assert_str_eq(t, "old\n");
	free(t);
	e2e_rmtree(dir);
}
