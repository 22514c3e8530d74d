/*
 * e2e-signals: signals and job control as time(1) users expect them, and a
 * tracer that never strands its tree (issue 5, points 1 to 3).
 *
 * Every run here is asynchronous: the tool runs in its own process group
 * (as a shell job would), the workload "rely" says "ready PID" once its
 * handlers are in place, and the test then signals the tool, the command or
 * the whole group, as a terminal or a user would.
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
TestSuite(signals, .timeout = 60, .init = e2e_need_tracing);

/* Generous: the machine may be busy; a hang still fails in seconds. */
#define READY_MS 10000
#define END_MS 10000
/* How long a stop or a resume may take to show on a loaded machine. */
#define STOP_MS 5000

struct tool_run {
	struct spawned s;
	char dir[512];
	char report[600];
	int status;
	struct json *json;
	char why[1024]; /* why there is no json: the file's error, or the parser's and the text */
};

/* "$MAXRSS_SC --json -o DIR/report OPTS... CMD..." in its own process group. */
static void tool_start_env(struct tool_run *t, const char *const *env, const char *const *opts,
			   const char *const *cmd)
{
	struct spawn_opts so = { .new_pgrp = true, .keep_fd = -1, .setenv = env };
	const char *argv[32];
	size_t n = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	e2e_tmpdir(t->dir, sizeof(t->dir));
	snprintf(t->report, sizeof(t->report), "%s/report.json", t->dir);
	argv[n++] = e2e_tool();
	argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = t->report;
	for (; opts && *opts; opts++)
		argv[n++] = *opts;
	for (; cmd && *cmd; cmd++) {
		cr_assert(n + 1 < sizeof(argv) / sizeof(argv[0]), "too many arguments");
		argv[n++] = *cmd;
	}
	argv[n] = NULL;
	rc = spawn_start(&t->s, (char *const *)argv, &so);
	cr_assert_eq(rc, 0, "cannot start %s: %s", argv[0], strerror(-rc));
}

static void tool_start(struct tool_run *t, const char *const *opts, const char *const *cmd)
{
	tool_start_env(t, NULL, opts, cmd);
}

/* The pid in the workload's "ready PID" line. */
static pid_t wait_ready(struct tool_run *t)
{
	char line[256];
	int pid;

	cr_assert(spawn_line(&t->s, line, sizeof(line), READY_MS),
		  "the workload did not say ready; stderr:\n%s", t->s.errbuf ? t->s.errbuf : "");
	cr_assert(sscanf(line, "ready %d", &pid) == 1, "unexpected first line '%s'", line);
	return (pid_t)pid;
}

/* Wait for the tool to end (asserted, within ms), and parse its report when there is one. */
static void tool_end(struct tool_run *t, int ms)
{
	char *text;
	size_t len = 0;
	FILE *f;
	char err[256];
	bool ended = spawn_wait(&t->s, ms, &t->status);

	cr_assert(ended, "maxrss-sc did not end within %d ms (killed); stderr:\n%s", ms,
		  t->s.errbuf ? t->s.errbuf : "");
	f = fopen(t->report, "r");
	if (!f) {
		snprintf(t->why, sizeof(t->why), "%s: %s", t->report, strerror(errno));
		return;
	}
	text = calloc(1, 1 << 24);
	cr_assert(text, "out of memory");
	len = fread(text, 1, (1 << 24) - 1, f);
	fclose(f);
	if (len)
		t->json = json_parse(text, len, err, sizeof(err));
	if (!t->json)
		snprintf(t->why, sizeof(t->why), "%zu bytes, %s; it starts: %.300s", len,
			 len ? err : "empty", text);
	free(text);
}

static void tool_free(struct tool_run *t)
{
	spawn_free(&t->s);
	json_free(t->json);
	e2e_rmtree(t->dir);
}

static const char *errtext(const struct tool_run *t)
{
	return t->s.errbuf ? t->s.errbuf : "";
}

/* maxrss-sc exited by itself with code, and wrote a report. */
static void assert_tool_exited(const struct tool_run *t, int code)
{
	cr_assert(!WIFSIGNALED(t->status),
		  "maxrss-sc was killed by signal %d instead of reporting; stderr:\n%s",
		  WTERMSIG(t->status), errtext(t));
	cr_assert(WIFEXITED(t->status) && WEXITSTATUS(t->status) == code,
		  "maxrss-sc exited %d, expected %d; stderr:\n%s", WEXITSTATUS(t->status), code,
		  errtext(t));
	cr_assert(t->json, "no valid JSON report was written (%s); stderr:\n%s", t->why,
		  errtext(t));
}

static void assert_report_signal(const struct tool_run *t, int sig)
{
	bool is_null;
	int64_t got = e2e_int_or_null(t->json, "exit.signal", &is_null);

	cr_assert(!is_null && got == sig, "the report's exit.signal is %s%lld, expected %d",
		  is_null ? "null" : "", (long long)got, sig);
	cr_assert_eq(e2e_u64(t->json, "status"), 128 + (uint64_t)sig, "report status");
}

static void assert_report_code(const struct tool_run *t, int code)
{
	bool is_null;
	int64_t got = e2e_int_or_null(t->json, "exit.code", &is_null);

	cr_assert(!is_null && got == code, "the report's exit.code is %s%lld, expected %d",
		  is_null ? "null" : "", (long long)got, code);
}

/* --------------------------------------------------- signals from a terminal */

/*
 * Ctrl-C sends SIGINT to the whole foreground group.  The command gets it
 * (here it catches it and exits 100 + 2); maxrss-sc stays and reports.
 */
static void group_signal_caught(int sig)
{
	struct tool_run t;
	pid_t cmd;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "catch"));
	cmd = wait_ready(&t);
	cr_assert(cmd != t.s.pid, "the command is the tool itself?");
	cr_assert_eq(kill(-t.s.pid, sig), 0, "kill(-pgid): %s", strerror(errno));
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 100 + sig);
	assert_report_code(&t, 100 + sig);
	tool_free(&t);
}

Test(signals, sigint_to_group_reaches_command_tool_reports)
{
	group_signal_caught(SIGINT);
}

Test(signals, sigquit_to_group_reaches_command_tool_reports)
{
	group_signal_caught(SIGQUIT);
}

/* The same with a command that dies of it: status 128 + N, the report written. */
static void group_signal_kills(int sig)
{
	struct tool_run t;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "ticker", "50"));
	wait_ready(&t);
	cr_assert_eq(kill(-t.s.pid, sig), 0, "kill(-pgid): %s", strerror(errno));
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 128 + sig);
	assert_report_signal(&t, sig);
	tool_free(&t);
}

Test(signals, sigint_to_group_kills_command_status_130)
{
	group_signal_kills(SIGINT);
}

Test(signals, sigquit_to_group_kills_command_status_131)
{
	group_signal_kills(SIGQUIT);
}

/* ------------------------------------------- signals sent to maxrss-sc alone */

static void tool_signal_caught(int sig)
{
	struct tool_run t;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "catch"));
	wait_ready(&t);
	cr_assert_eq(kill(t.s.pid, sig), 0, "kill: %s", strerror(errno));
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 100 + sig);
	tool_free(&t);
}

Test(signals, sigterm_to_tool_forwarded_to_command)
{
	tool_signal_caught(SIGTERM);
}

Test(signals, sighup_to_tool_forwarded_to_command)
{
	tool_signal_caught(SIGHUP);
}

static void tool_signal_kills(int sig)
{
	struct tool_run t;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "ticker", "50"));
	wait_ready(&t);
	cr_assert_eq(kill(t.s.pid, sig), 0, "kill: %s", strerror(errno));
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 128 + sig);
	assert_report_signal(&t, sig);
	tool_free(&t);
}

Test(signals, sigterm_to_tool_kills_command_status_143)
{
	tool_signal_kills(SIGTERM);
}

Test(signals, sighup_to_tool_kills_command_status_129)
{
	tool_signal_kills(SIGHUP);
}

/*
 * The command's direct child is gone but an orphan it left behind still
 * runs (re-parented to maxrss-sc, which waits for it).  SIGTERM to maxrss-sc
 * must still reach what is left of the command, and must never go to the
 * reaped pid of the direct child (by now it may be someone else's).
 */
static void orphan_gets_sigterm(const char *const *opts)
{
	struct tool_run t;
	char line[256];
	int orphan = 0;
	double start, took;

	tool_start(&t, opts, E2E_ARGS(e2e_rely(), "orphan", "30000"));
	cr_assert(spawn_line(&t.s, line, sizeof(line), READY_MS) &&
			  sscanf(line, "orphan %d", &orphan) == 1,
		  "no orphan line; stderr:\n%s", errtext(&t));
	/* Re-parented to maxrss-sc (a subreaper): its parent is gone. */
	for (int i = 0; i < 500 && spawn_proc_ppid(orphan) != t.s.pid; i++)
		usleep(10000);
	cr_assert_eq(spawn_proc_ppid(orphan), t.s.pid, "the orphan was not re-parented");
	start = spawn_now_ms();
	cr_assert_eq(kill(t.s.pid, SIGTERM), 0, "kill: %s", strerror(errno));
	tool_end(&t, 5000);
	took = spawn_now_ms() - start;
	e2e_note("maxrss-sc ended %.0f ms after SIGTERM", took);
	cr_assert(took < 2000, "maxrss-sc took %.0f ms to end after SIGTERM", took);
	assert_tool_exited(&t, 0);
	tool_free(&t);
}

Test(signals, sigterm_after_direct_child_exit_reaches_orphan)
{
	orphan_gets_sigterm(NULL);
}

/* The same without timed sampling: no timer of its own wakes the loop up. */
Test(signals, sigterm_after_direct_child_exit_reaches_orphan_interval_0)
{
	orphan_gets_sigterm(E2E_ARGS("-i", "0"));
}

/* ------------------------------------------------------------- job control */

/* The state letters of every thread of pid: all 't' or 'T' when stopped. */
static bool all_threads_stopped(pid_t pid, char *states, size_t len)
{
	char path[64];
	bool stopped = true;
	size_t n = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	cr_assert(d, "cannot open %s", path);
	while ((e = readdir(d)) && n + 1 < len) {
		char st = spawn_proc_state((pid_t)atoi(e->d_name));

		if (e->d_name[0] == '.')
			continue;
		states[n++] = st ? st : '-';
		if (st != 't' && st != 'T')
			stopped = false;
	}
	states[n] = '\0';
	closedir(d);
	return stopped;
}

/*
 * A stopping signal really stops a traced command (all its threads, and it
 * makes no progress), and SIGCONT resumes it.
 */
static void stop_then_continue(int sig)
{
	struct tool_run t;
	char states[128] = "";
	size_t before, during, after;
	double start;
	pid_t cmd;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "ticker", "5", "3"));
	cmd = wait_ready(&t);
	before = spawn_count_output(&t.s, 200);
	cr_assert(before > 10, "the ticker does not tick (%zu bytes in 200 ms)", before);
	cr_assert_eq(kill(cmd, sig), 0, "kill: %s", strerror(errno));
	/*
	 * Wait until every thread has stopped (each one's stop goes through
	 * the tracer, which a loaded machine may make slow), then drop what
	 * was written before.  From then on nothing may be written.
	 */
	start = spawn_now_ms();
	while (!all_threads_stopped(cmd, states, sizeof(states)) &&
	       spawn_now_ms() - start < STOP_MS)
		spawn_count_output(&t.s, 20);
	cr_assert(all_threads_stopped(cmd, states, sizeof(states)),
		  "not every thread stopped within %d ms: states %s", STOP_MS, states);
	spawn_count_output(&t.s, 50);
	during = spawn_count_output(&t.s, 400);
	e2e_note("signal %d: %zu bytes in 200 ms before, %zu in 400 ms stopped (stopped after "
		 "%.0f ms)",
		 sig, before, during, spawn_now_ms() - start - 450);
	cr_assert_eq(during, 0, "the command made progress while stopped by signal %d", sig);
	cr_assert(all_threads_stopped(cmd, states, sizeof(states)),
		  "not every thread is stopped: states %s", states);
	cr_assert_eq(kill(cmd, SIGCONT), 0, "kill: %s", strerror(errno));
	/* It ticks every 5 ms once resumed: 10 bytes come fast, unless the machine is loaded. */
	start = spawn_now_ms();
	after = 0;
	while (after <= 10 && spawn_now_ms() - start < STOP_MS)
		after += spawn_count_output(&t.s, 100);
	e2e_note("%zu bytes in %.0f ms after SIGCONT", after, spawn_now_ms() - start);
	cr_assert(after > 10, "the command did not resume after SIGCONT (%zu bytes)", after);
	kill(t.s.pid, SIGTERM);
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 128 + SIGTERM);
	tool_free(&t);
}

Test(signals, sigstop_stops_command_sigcont_resumes)
{
	stop_then_continue(SIGSTOP);
}

Test(signals, sigtstp_stops_command_sigcont_resumes)
{
	stop_then_continue(SIGTSTP);
}

/*
 * Stops and continues in quick succession, as a shell or a debugger may
 * send them: the last word must win.  Neither a stop turned into a resume
 * nor a resume lost.
 */
Test(signals, stop_cont_storm_last_word_wins)
{
	struct tool_run t;
	char states[128] = "";
	size_t n;
	pid_t cmd;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "ticker", "2", "3"));
	cmd = wait_ready(&t);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 50; i++) {
			kill(cmd, i % 2 ? SIGTSTP : SIGSTOP);
			kill(cmd, SIGCONT);
		}
		kill(cmd, SIGSTOP);
		spawn_count_output(&t.s, 100);
		n = spawn_count_output(&t.s, 200);
		cr_assert_eq(n, 0, "round %d: progress after the last SIGSTOP (%zu bytes)", round,
			     n);
		cr_assert(all_threads_stopped(cmd, states, sizeof(states)),
			  "round %d: not every thread is stopped: states %s", round, states);
		kill(cmd, SIGCONT);
		n = spawn_count_output(&t.s, 200);
		cr_assert(n > 5, "round %d: no progress after the last SIGCONT (%zu bytes)", round,
			  n);
	}
	kill(t.s.pid, SIGTERM);
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 128 + SIGTERM);
	tool_free(&t);
}

/*
 * Wait (at most 10 s) until pid is in a stop: T, or t for a tracee held
 * at a stop.  Not a fixed time: under load the tracer serves the stop late.
 */
static bool wait_stopped(pid_t pid)
{
	double end = spawn_now_ms() + 10000;
	char st;

	while ((st = spawn_proc_state(pid)) != 'T' && st != 't' && spawn_now_ms() < end)
		usleep(2000);
	return st == 'T' || st == 't';
}

/* A stopped command still ends normally once continued: SIGTERM waits for it. */
Test(signals, sigterm_to_stopped_command_after_sigcont)
{
	struct tool_run t;
	pid_t cmd;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "catch"));
	cmd = wait_ready(&t);
	kill(cmd, SIGSTOP);
	/* Stopped first: a SIGTERM pending with the SIGSTOP would be taken first (15 < 19). */
	cr_assert(wait_stopped(cmd), "the command did not stop");
	kill(t.s.pid, SIGTERM);
	usleep(100000);
	cr_assert(waitpid(t.s.pid, NULL, WNOHANG) == 0,
		  "maxrss-sc ended while its command was stopped");
	kill(cmd, SIGCONT);
	tool_end(&t, END_MS);
	assert_tool_exited(&t, 100 + SIGTERM);
	tool_free(&t);
}

/* ------------------------------------------------------ never strand the tree */

/* Every process of the list is dead (gone or a zombie) within ms. */
static void assert_all_dead(const pid_t *pids, size_t n, int ms)
{
	double end = spawn_now_ms() + ms;

	for (size_t i = 0; i < n; i++) {
		char st;

		while ((st = spawn_proc_state(pids[i])) && st != 'Z' && st != 'X' &&
		       spawn_now_ms() < end)
			usleep(5000);
		cr_assert(!st || st == 'Z' || st == 'X',
			  "process %d of the tree is still alive (state %c) after maxrss-sc died",
			  (int)pids[i], st);
	}
}

/*
 * SIGKILL to maxrss-sc: every process of the tree dies with it
 * (PTRACE_O_EXITKILL), whether it was running, group-stopped or in a
 * ptrace stop at that moment.
 */
static void kill_tool_kills_tree(bool stop_some)
{
	struct tool_run t;
	char line[256];
	pid_t pids[16];
	size_t n = 0;
	int pid, st;

	tool_start(&t, NULL, E2E_ARGS(e2e_rely(), "pids", "6"));
	while (spawn_line(&t.s, line, sizeof(line), READY_MS) && strcmp(line, "ready") != 0) {
		cr_assert(sscanf(line, "pid %d", &pid) == 1 && n < 16, "unexpected line '%s'",
			  line);
		pids[n++] = (pid_t)pid;
	}
	cr_assert_eq(n, 7, "expected 7 pids, got %zu; stderr:\n%s", n, errtext(&t));
	if (stop_some) {
		kill(pids[0], SIGSTOP);
		kill(pids[3], SIGTSTP);
		cr_assert(wait_stopped(pids[0]), "process %d did not stop", pids[0]);
		cr_assert(wait_stopped(pids[3]), "process %d did not stop", pids[3]);
	}
	cr_assert_eq(kill(t.s.pid, SIGKILL), 0, "kill: %s", strerror(errno));
	cr_assert(waitpid(t.s.pid, &st, 0) == t.s.pid, "waitpid");
	assert_all_dead(pids, n, 1000);
	/* Reaped above: tool_end must not wait for it again. */
	t.s.pid = -1;
	tool_free(&t);
}

Test(signals, sigkill_tool_kills_running_tree)
{
	kill_tool_kills_tree(false);
}

Test(signals, sigkill_tool_kills_stopped_tree)
{
	kill_tool_kills_tree(true);
}

/* ------------------------------------------------------- internal errors */

static const char *fault_lib(void)
{
	static char path[4096];
	const char *dir = getenv("HOSTILE");

	cr_assert(dir, "HOSTILE is not set: run the tests through 'make check'");
	snprintf(path, sizeof(path), "LD_PRELOAD=%s/libfault.so", dir);
	return path;
}

static void skip_if_sanitized(void)
{
	/* An LD_PRELOAD malloc cannot stand in front of AddressSanitizer's. */
	if (e2e_sanitized())
		cr_skip_test("fault injection needs a build without sanitizers");
}

/*
 * maxrss-sc fails in the middle of a run (fault injected by libfault.so):
 * it must kill the tree, report what it has, and exit 125 with one line
 * that says so, within a few seconds, leaving no process of the tree alive.
 */
static void internal_error(const char *fault, const char *const *opts, bool want_report)
{
	char spec[64];
	const char *env[3] = { fault_lib(), spec, NULL };
	struct tool_run t;
	pid_t left[16];
	size_t nleft;

	snprintf(spec, sizeof(spec), "MAXRSS_FAULT=%s", fault);
	tool_start_env(&t, env, opts, E2E_ARGS(e2e_rely(), "swarm", "4", "20"));
	tool_end(&t, 5000);
	e2e_note("%s: status 0x%x, stderr: %s", fault, t.status, errtext(&t));
	nleft = spawn_pgrp_members(t.s.pid, left, 16);
	cr_assert_eq(nleft, 0, "%s: %zu processes of the tree are still alive (first %d)", fault,
		     nleft, nleft ? (int)left[0] : 0);
	cr_assert(WIFEXITED(t.status) && WEXITSTATUS(t.status) == 125,
		  "%s: maxrss-sc ended with status 0x%x, expected exit 125; stderr:\n%s", fault,
		  t.status, errtext(&t));
	cr_assert(strstr(errtext(&t), "maxrss-sc: "), "%s: no message; stderr:\n%s", fault,
		  errtext(&t));
	if (want_report) {
		cr_assert(t.json, "%s: no valid JSON report; stderr:\n%s", fault, errtext(&t));
		cr_assert_eq(e2e_u64(t.json, "status"), 125, "%s: report status", fault);
	}
	tool_free(&t);
}

Test(signals, internal_enomem_kills_tree_and_reports)
{
	static const char *const faults[] = { "enomem:3", "enomem:5", "enomem:8", "enomem:20",
					      "enomem:60" };

	skip_if_sanitized();
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		internal_error(faults[i], NULL, true);
}

Test(signals, internal_ptrace_failure_kills_tree_and_reports)
{
	static const char *const faults[] = { "cont-eio:4", "cont-eio:30", "cont-eio:100" };

	skip_if_sanitized();
	/* The first resume is the stub's, at its execve: the command never ran. */
	internal_error("cont-eio:1", NULL, false);
	for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		internal_error(faults[i], NULL, true);
}

/* wait4 itself failing: before the command started, and in the middle of the run. */
Test(signals, internal_wait_failure_no_hang)
{
	skip_if_sanitized();
	internal_error("wait4-einval:1", E2E_ARGS("-i", "0"), false);
	internal_error("wait4-einval:6", E2E_ARGS("-i", "0"), true);
}
