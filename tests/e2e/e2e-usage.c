/*
 * e2e-usage: what a new user tripped over (issue 14): the JSON report
 * beside the text one and on standard output (point 2), processes left
 * running after the command (point 3), and series that stop at a failure,
 * run commands around each run and hide the command's output (point 4).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/spawn.h"
#include "e2e.h"

/*
 * The commands here are interrupted as from a terminal: SIGINT and SIGQUIT
 * at their defaults, whatever the test was started with (a background job
 * of a script, as CI may be, has them ignored, and the tool passes that on).
 */
static void setup(void)
{
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	e2e_need_tracing();
}

TestSuite(usage, .timeout = 60, .init = setup);

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

/* ---------------------------------------------------------------- point 3: leftovers */

/* A command that leaves a sleep running and prints its pid at once. */
#define LEAVES_SLEEP "sleep 30 & echo $!"

/* The pid the command printed (its first stdout line), within READY_MS. */
#define READY_MS 10000
static pid_t leftover_pid(struct spawned *s)
{
	char line[256];

	cr_assert(spawn_line(s, line, sizeof(line), READY_MS), "the command printed no pid");
	return (pid_t)atoi(line);
}

/* Until the command itself is gone: the leftover is then maxrss-sc's (a subreaper). */
static void wait_orphaned(pid_t leftover, pid_t tool)
{
	double until = spawn_now_ms() + READY_MS;

	while (spawn_proc_ppid(leftover) != tool) {
		cr_assert(spawn_now_ms() < until, "pid %d never became maxrss-sc's child",
			  (int)leftover);
		usleep(10000);
	}
}

/* Does pid catch sig (its SigCgt in /proc/PID/status)? */
static bool catches(pid_t pid, int sig)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigCgt: %llx", &mask) == 1;
	fclose(f);
	return found && (mask >> (sig - 1) & 1);
}

/*
 * The tool catches Ctrl-C only once it knows the command has ended (a state,
 * not a time): a SIGINT sent before that is ignored, as while the command
 * runs.
 */
static void wait_catching(pid_t tool)
{
	double until = spawn_now_ms() + READY_MS;

	while (!catches(tool, SIGINT)) {
		cr_assert(spawn_now_ms() < until, "maxrss-sc never caught SIGINT");
		usleep(10000);
	}
}

/*
 * "maxrss-sc sh -c 'sleep 30 & ...'": the command exits at once, and Ctrl-C
 * (SIGINT to the whole job, as a terminal sends it; the background sleep
 * ignores it) ends the wait: the sleep is killed, the report says so, and
 * the status is the command's.
 */
Test(usage, ctrl_c_ends_the_wait_for_leftovers)
{
	struct spawn_opts so = { .new_pgrp = true, .keep_fd = -1 };
	char dir[512], path[600];
	struct spawned s;
	struct json *j;
	pid_t leftover;
	int status;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/report.json", dir);
	cr_assert_eq(spawn_start(&s,
				 (char *const *)E2E_ARGS(e2e_tool(), "--json", "-o", path, "sh",
							 "-c", LEAVES_SLEEP),
				 &so),
		     0);
	leftover = leftover_pid(&s);
	wait_orphaned(leftover, s.pid);
	wait_catching(s.pid);
	kill(-s.pid, SIGINT);
	cr_assert(spawn_wait(&s, 5000, &status),
		  "maxrss-sc still waits for the leftover 5 s after Ctrl-C");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x: %s", status,
		  s.errbuf ? s.errbuf : "");
	cr_assert_eq(spawn_proc_state(leftover), 0, "the leftover %d still runs", (int)leftover);
	j = need_json_file(path);
	cr_assert_str_eq(e2e_str(j, "after_exit.wait_ended_by"), "interrupt");
	cr_assert_eq(e2e_u64(j, "after_exit.killed"), 1);
	cr_assert_eq(e2e_u64(j, "after_exit.processes"), 1);
	cr_assert_eq(e2e_u64(j, "exit.code"), 0);
	json_free(j);
	spawn_free(&s);
	e2e_rmtree(dir);
}

/* --wait-orphans=SECONDS: the wait ends there (0: at once); the default waits for all. */
Test(usage, wait_orphans_limits_the_wait)
{
	static const char *const limits[] = { "--wait-orphans=0.5", "--wait-orphans=0" };
	char dir[512];

	e2e_tmpdir(dir, sizeof(dir));
	for (size_t i = 0; i < 2; i++) {
		struct run_output o;
		double t0 = spawn_now_ms(), took;
		struct json *j;

		run_in(&o, dir, E2E_ARGS("--json", "-o", "-", limits[i], "sh", "-c", "sleep 30 &"));
		took = spawn_now_ms() - t0;
		cr_assert_eq(o.status, 0, "%s: status %d: %s", limits[i], o.status, o.err);
		cr_assert_lt(took, 10000, "%s: took %.0f ms", limits[i], took);
		j = need_json(limits[i], o.out);
		cr_assert_str_eq(e2e_str(j, "after_exit.wait_ended_by"), "limit");
		cr_assert_eq(e2e_u64(j, "after_exit.killed"), 1);
		if (i == 0)
			cr_assert_geq(e2e_num(j, "after_exit.seconds"), 0.45);
		else
			cr_assert_lt(e2e_num(j, "after_exit.seconds"), 0.45);
		json_free(j);
		run_free(&o);
	}
	e2e_rmtree(dir);
}

Test(usage, default_waits_for_every_leftover)
{
	char dir[512];
	struct run_output o;
	struct json *j;
	bool is_null = false;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir, E2E_ARGS("--json", "-o", "-", "-i", "0", "sh", "-c", "sleep 0.6 &"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	j = need_json("standard output", o.out);
	cr_assert_geq(e2e_num(j, "after_exit.seconds"), 0.5);
	e2e_int_or_null(j, "after_exit.wait_ended_by", &is_null);
	cr_assert(is_null, "wait_ended_by is not null");
	cr_assert_eq(e2e_u64(j, "after_exit.killed"), 0);
	cr_assert_eq(e2e_count_lines(o.err), 0, "a line on stderr, not a terminal: %s", o.err);
	json_free(j);
	run_free(&o);
	e2e_rmtree(dir);
}

/* Everything the pty's master reads until needle shows (true) or until_ms passes. */
static bool read_until(int master, char *buf, size_t len, size_t *used, const char *needle,
		       double until_ms)
{
	while (!strstr(buf, needle) && spawn_now_ms() < until_ms && *used + 1 < len) {
		struct timeval tv = { 0, 50000 };
		fd_set rd;
		ssize_t n;

		FD_ZERO(&rd);
		FD_SET(master, &rd);
		if (select(master + 1, &rd, NULL, NULL, &tv) <= 0)
			continue;
		n = read(master, buf + *used, len - 1 - *used);
		if (n <= 0)
			break;
		*used += (size_t)n;
		buf[*used] = '\0';
	}
	return strstr(buf, needle) != NULL;
}

/*
 * In a terminal: a line says what is waited for and that Ctrl-C stops it;
 * a Ctrl-C typed there ends the wait and the report follows.
 */
Test(usage, terminal_line_and_ctrl_c_while_waiting)
{
	static char out[65536];
	struct winsize ws = { .ws_row = 40, .ws_col = 160 };
	size_t used = 0;
	int master = posix_openpt(O_RDWR | O_NOCTTY), status = -1;
	double until;
	pid_t pid;

	cr_assert_geq(master, 0, "posix_openpt: %s", strerror(errno));
	cr_assert(grantpt(master) == 0 && unlockpt(master) == 0);
	cr_assert_eq(ioctl(master, TIOCSWINSZ, &ws), 0, "TIOCSWINSZ: %s", strerror(errno));
	out[0] = '\0';
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *slave = ptsname(master);
		int fd;

		setsid();
		fd = slave ? open(slave, O_RDWR) : -1; /* our controlling terminal */
		if (fd < 0)
			_exit(99);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		setenv("TERM", "xterm", 1);
		execl(e2e_tool(), "maxrss-sc", "-i", "0", "sh", "-c", "sleep 30 & echo started",
		      (char *)NULL);
		_exit(98);
	}
	until = spawn_now_ms() + READY_MS;
	cr_assert(read_until(master, out, sizeof(out), &used, "(Ctrl-C stops)", until),
		  "no line about the wait:\n%s", out);
	cr_assert(strstr(out, "waiting") && strstr(out, "1 process left running") &&
			  strstr(out, "sleep 30"),
		  "the line does not say what is waited for:\n%s", out);
	cr_assert_eq(write(master, "\003", 1), 1); /* Ctrl-C, through the line discipline */
	cr_assert(read_until(master, out, sizeof(out), &used, "ended the wait", until),
		  "no report after Ctrl-C:\n%s", out);
	until = spawn_now_ms() + 5000;
	while (waitpid(pid, &status, WNOHANG) == 0 && spawn_now_ms() < until)
		usleep(10000);
	if (!WIFEXITED(status))
		kill(pid, SIGKILL);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x", status);
	cr_assert(strstr(out, "killed     1 process still running when Ctrl-C ended the wait"),
		  "%s", out);
	close(master);
}

/* ---------------------------------------------------------------- point 4: honest series */

/* How many times needle occurs in text. */
static size_t count_of(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* The man page's example with a missing input: the first (warm-up) run fails, nothing is averaged. */
Test(usage, series_stops_at_the_first_failure)
{
	char dir[512];
	struct run_output o;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir,
	       E2E_ARGS("-r", "10", "--warmup=1", "-i", "0", "sh", "-c", "cat missing-input"));
	cr_assert_eq(o.status, 1, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "warm-up run 1 of 1 exited 1"), "which run failed, and how:\n%s",
		  o.err);
	cr_assert_null(strstr(o.err, "peak RSS"), "figures of failed runs:\n%s", o.err);
	cr_assert_null(strstr(o.err, "missing-input"), "the command's stderr is not hidden:\n%s",
		       o.err);
	run_free(&o);
	e2e_rmtree(dir);
}

/* The third run fails: the series stops there, that run is out of the summary. */
#define FAILS_THIRD "n=$(cat count 2>/dev/null || echo 0); echo $((n + 1)) >count; [ $n -lt 2 ]"
Test(usage, failure_mid_series_is_left_out)
{
	char dir[512];
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir,
	       E2E_ARGS("-r", "5", "-i", "0", "--json", "-o", "-", "sh", "-c", FAILS_THIRD));
	cr_assert_eq(o.status, 1, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "run 3 of 5 exited 1"), "%s", o.err);
	j = need_json("standard output", o.out);
	cr_assert_eq(json_path(j, "runs")->n, 3);
	cr_assert_eq(e2e_u64(j, "stopped_at"), 3);
	cr_assert_str_eq(e2e_str(j, "stopped_by"), "failure");
	cr_assert_eq(e2e_u64(j, "failed_runs"), 1);
	json_free(j);
	run_free(&o);
	e2e_rmtree(dir);
}

/* --ignore-failure goes on, status 0; =CODES only for those codes. */
Test(usage, ignore_failure_and_codes)
{
	char dir[512];
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir,
	       E2E_ARGS("-r", "3", "-i", "0", "--ignore-failure", "--json", "-o", "-", "sh", "-c",
			"exit 3"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	j = need_json("standard output", o.out);
	cr_assert_eq(json_path(j, "runs")->n, 3);
	cr_assert_eq(e2e_u64(j, "failed_runs"), 3);
	cr_assert_eq(e2e_u64(j, "runs.0.status"), 3, "each run keeps its status");
	cr_assert_eq(json_path(j, "summary.peak_rss_bytes")->type, JSON_OBJECT);
	json_free(j);
	run_free(&o);
	run_in(&o, dir,
	       E2E_ARGS("-r", "3", "-i", "0", "--ignore-failure=3,4", "sh", "-c", "exit 3"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	run_free(&o);
	run_in(&o, dir,
	       E2E_ARGS("-r", "3", "-i", "0", "--ignore-failure=1,2", "sh", "-c", "exit 3"));
	cr_assert_eq(o.status, 3, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "run 1 of 3 exited 3"), "%s", o.err);
	run_free(&o);
	e2e_rmtree(dir);
}

/* A run Ctrl-C ended is never in the statistics. */
Test(usage, interrupted_run_not_in_the_figures)
{
	char dir[512];
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir,
	       E2E_ARGS("-r", "3", "-i", "0", "--json", "-o", "-", "sh", "-c", "kill -INT $$"));
	cr_assert_eq(o.status, 128 + SIGINT, "status %d: %s", o.status, o.err);
	j = need_json("standard output", o.out);
	cr_assert_eq(json_path(j, "runs")->n, 1);
	cr_assert_str_eq(e2e_str(j, "stopped_by"), "interrupt");
	cr_assert_eq(json_path(j, "summary.peak_rss_bytes")->type, JSON_NULL,
		     "the interrupted run is in the summary");
	json_free(j);
	run_free(&o);
	e2e_rmtree(dir);
}

/* --prepare and --conclude run around each run (warm-up too), untraced. */
Test(usage, prepare_and_conclude)
{
	char dir[512], *log;
	size_t len;
	struct run_output o;
	struct json *j;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir,
	       E2E_ARGS("-r", "2", "--warmup=1", "-i", "0", "--json", "-o", "-",
			"--prepare=echo prepare >>log", "--conclude=echo conclude >>log", "sh",
			"-c", "echo run >>log"));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	log = e2e_read_file("log", &len);
	cr_assert_not_null(log);
	cr_assert_str_eq(log, "prepare\nrun\nconclude\nprepare\nrun\nconclude\nprepare\nrun\n"
			      "conclude\n");
	j = need_json("standard output", o.out);
	cr_assert_eq(e2e_u64(j, "runs.0.tree.processes"), 1, "--prepare was traced");
	json_free(j);
	free(log);
	run_free(&o);
	run_in(&o, dir, E2E_ARGS("-r", "2", "--prepare=exit 4", "true"));
	cr_assert_eq(o.status, 125, "status %d: %s", o.status, o.err);
	cr_assert(strstr(o.err, "--prepare command (run 1 of 2) exited 4"), "%s", o.err);
	run_free(&o);
	e2e_rmtree(dir);
}

/* The command's output is hidden in a series unless --show-output; a single run shows it. */
#define PRINTS "echo out-$((40 + 2)); echo err-$((40 + 2)) >&2"
Test(usage, output_hidden_in_a_series)
{
	char dir[512];
	struct run_output o;

	e2e_tmpdir(dir, sizeof(dir));
	run_in(&o, dir, E2E_ARGS("-r", "2", "-i", "0", "sh", "-c", PRINTS));
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	cr_assert_eq(count_of(o.out, "out-42") + count_of(o.err, "err-42"), 0,
		     "stdout:\n%s\nstderr:\n%s", o.out, o.err);
	run_free(&o);
	run_in(&o, dir, E2E_ARGS("-r", "2", "-i", "0", "--show-output", "sh", "-c", PRINTS));
	cr_assert_eq(count_of(o.out, "out-42"), 2, "%s", o.out);
	cr_assert_eq(count_of(o.err, "err-42"), 2, "%s", o.err);
	run_free(&o);
	run_in(&o, dir, E2E_ARGS("-C", "-r", "1", "-i", "0", "echo out-$((40 + 2))", "true"));
	cr_assert_eq(count_of(o.out, "out-42"), 0, "a comparison shows output:\n%s", o.out);
	run_free(&o);
	run_in(&o, dir, E2E_ARGS("-i", "0", "sh", "-c", "echo out-$((40 + 2))"));
	cr_assert_eq(count_of(o.out, "out-42"), 1, "a single run hides output:\n%s", o.out);
	run_free(&o);
	e2e_rmtree(dir);
}
