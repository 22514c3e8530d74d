/*
 * e2e-restricted: where ptrace or seccomp is refused (issue 16, point 2),
 * maxrss-sc says which and exits 125 before anything runs, and the tests
 * that need tracing are skipped with the reason, so that a distribution's
 * build in such a place reports "skipped", not "failed".
 *
 * Each place is made with a real mechanism that affects only the test's
 * own processes, never the machine's settings (Yama's level 3, for one,
 * cannot be undone until a reboot):
 *	a seccomp profile refusing ptrace     sandbox deny-ptrace (EPERM: what
 *	                                      Yama and LSM policies return too)
 *	ptrace not implemented (gVisor)       sandbox nosys-ptrace
 *	a profile refusing seccomp            sandbox deny-seccomp
 *	a kernel without seccomp filters      sandbox nosys-seccomp
 *	filters that leave no room for ours   sandbox full-seccomp
 *	a PID namespace without its /proc     unshare --pid --fork (in a user
 *	                                      namespace of its own when not root)
 *	no /proc at all                       unshare --mount, /proc unmounted
 * For each: the tool's message and 125 (the command not run, no report
 * file); the probe of the test suite (cantrace) says 77 with the reason;
 * a Criterion binary that traces (e2e-memory, test-session) skips every
 * test, naming the reason, and a shell test's helper prints "1..0 # SKIP".
 * Where the tool is not refused (a user namespace, no_new_privs, a PID
 * namespace with its own /proc) it measures.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "e2e.h"

TestSuite(restricted, .timeout = 120);

/* A mechanism: the words that run a program under it. */
struct place {
	const char *name;
	const char *pre[12];	/* NULL-terminated; "%SANDBOX" stands for tests/hostile/sandbox */
	const char *tool_says;	/* in maxrss-sc's message */
	const char *probe_says; /* in the probe's reason */
	bool no_proc;		/* no /proc at all: Criterion finds no tests */
	bool no_lsan;		/* LeakSanitizer cannot stop the world here (no ptrace) */
};

static const char *helper(const char *env, const char *name)
{
	static char path[4][4096];
	static int next;
	const char *dir = getenv(env);
	char *p = path[next++ % 4];

	cr_assert(dir, "%s is not set: run the tests through 'make check'", env);
	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

/* A binary of the suite beside this one: ../e2e/NAME or ../unit/NAME. */
static const char *sibling(const char *subdir, const char *name)
{
	static char path[2][4096];
	static int next;
	char self[4096], *p = path[next++ % 2];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	cr_assert(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	self[n] = '\0';
	snprintf(p, sizeof(path[0]), "%s/../%s/%s", dirname(self), subdir, name);
	return p;
}

static bool works(const char *cmd)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s >/dev/null 2>&1", cmd);
	return system(buf) == 0;
}

/* argv: the place's words, then the program's. */
static void command(const struct place *pl, const char *const *prog, const char **argv)
{
	size_t n = 0;

	for (size_t i = 0; pl->pre[i]; i++)
		argv[n++] = strcmp(pl->pre[i], "%SANDBOX") == 0 ? helper("HOSTILE", "sandbox") :
								  pl->pre[i];
	for (; *prog; prog++)
		argv[n++] = *prog;
	argv[n] = NULL;
}

/* Does this machine let the test make the place?  Else skip with why. */
static void need_place(const struct place *pl)
{
	const char *argv[32];
	struct run_output o;

	command(pl, E2E_ARGS("true"), argv);
	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	if (o.status != 0)
		cr_skip_test("cannot make '%s' here (status %d): %s", pl->name, o.status, o.err);
	run_free(&o);
}

/* The tool: one line naming the cause, 125, the command not run, no report. */
static void check_tool(const struct place *pl)
{
	char dir[512], marker[600], report[600];
	const char *argv[32];
	struct run_output o;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	command(pl, E2E_ARGS(e2e_tool(), "--json", "-o", report, "touch", marker), argv);
	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	e2e_note("%s: maxrss-sc status %d: %s", pl->name, o.status, o.err);
	cr_assert_eq(o.status, 125, "%s: status %d, expected 125; stderr:\n%s", pl->name, o.status,
		     o.err);
	cr_assert(strncmp(o.err, "maxrss-sc: ", 11) == 0 && e2e_count_lines(o.err) == 1,
		  "%s: not one line of maxrss-sc:\n%s", pl->name, o.err);
	cr_assert(strstr(o.err, pl->tool_says), "%s: the message does not say '%s':\n%s", pl->name,
		  pl->tool_says, o.err);
	cr_assert_neq(access(marker, F_OK), 0, "%s: the command ran", pl->name);
	cr_assert_neq(access(report, F_OK), 0, "%s: a report file was left", pl->name);
	run_free(&o);
	e2e_rmtree(dir);
}

/* The suite's probe, its Criterion binaries and its shell tests skip, with the reason. */
static void check_suite_skips(const struct place *pl)
{
	static const char shell_test[] = ". \"$TESTS_SRCDIR/sh/tap.sh\"; skip_unless_tracing; "
					 "echo 1..1; echo ok 1 - traced";
	const char *argv[32];
	struct run_output o;
	char want[256];

	command(pl, E2E_ARGS(helper("HOSTILE", "cantrace")), argv);
	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	e2e_note("%s: cantrace status %d: %s", pl->name, o.status, o.out);
	cr_assert_eq(o.status, 77, "%s: the probe said %d (%s)", pl->name, o.status, o.out);
	cr_assert(strstr(o.out, pl->probe_says), "%s: the probe's reason does not say '%s': %s",
		  pl->name, pl->probe_says, o.out);
	snprintf(want, sizeof(want), "tracing is refused here: %.*s", (int)strcspn(o.out, "\n"),
		 o.out);
	run_free(&o);

	setenv("CRITERION_OUTPUTS", "tap:-", 1);
	/* We run in a Criterion worker: the binary below must start as a runner. */
	unsetenv("BXFI_MAP");
	for (int b = 0; b < 2; b++) {
		const char *bin = b ? sibling("unit", "test-session") :
				      sibling("e2e", "e2e-memory");
		size_t tests = 0, skips = 0;

		command(pl, E2E_ARGS(bin), argv);
		cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
		for (const char *l = o.out; l && *l;
		     l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			if (strncmp(l, "ok ", 3) && strncmp(l, "not ok ", 7))
				continue;
			tests++;
			skips += strncmp(l, "ok ", 3) == 0 && strstr(l, "# SKIP ") &&
				 strstr(l, want) && strstr(l, want) < strchr(l, '\n');
		}
		e2e_note("%s: %s: status %d, %zu tests, %zu skipped", pl->name, bin, o.status,
			 tests, skips);
		cr_assert_eq(o.status, 0, "%s: %s failed (%d):\n%s", pl->name, bin, o.status,
			     o.out);
		/*
		 * Without /proc, Criterion finds no test in its own binary and
		 * plans none: "1..0", which TAP drivers count as a skip too.
		 */
		if (pl->no_proc && tests == 0 && strstr(o.out, "\n1..0\n")) {
			run_free(&o);
			continue;
		}
		cr_assert(tests > 0 && skips == tests, "%s: %s: %zu of %zu skipped with '%s':\n%s",
			  pl->name, bin, skips, tests, want, o.out);
		run_free(&o);
	}

	command(pl, E2E_ARGS("sh", "-c", shell_test), argv);
	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	cr_assert_eq(o.status, 0);
	cr_assert(strncmp(o.out, "1..0 # SKIP ", 12) == 0 && strstr(o.out, want),
		  "%s: the shell test did not skip with '%s':\n%s", pl->name, want, o.out);
	run_free(&o);
}

static void check_refused(const struct place *pl)
{
	/*
	 * A sanitizer build's LeakSanitizer stops the world at exit with
	 * ptrace: where that is refused it fails every process of the build
	 * (the tool, the probe, the test binaries) with status 1.  Leaks are
	 * looked for in the other tests.
	 */
	if (pl->no_lsan && e2e_sanitized())
		setenv("ASAN_OPTIONS", "detect_leaks=0:allocator_may_return_null=1", 1);
	need_place(pl);
	check_tool(pl);
	check_suite_skips(pl);
}

Test(restricted, seccomp_profile_refusing_ptrace)
{
	static const struct place pl = { .name = "a seccomp profile refusing ptrace",
					 .pre = { "%SANDBOX", "deny-ptrace", "--" },
					 .tool_says = "ptrace(PTRACE_SEIZE) is refused here",
					 .probe_says = "ptrace(PTRACE_SEIZE) is refused: ",
					 .no_lsan = true };

	check_refused(&pl);
}

Test(restricted, ptrace_not_implemented)
{
	static const struct place pl = { .name = "ptrace not implemented",
					 .pre = { "%SANDBOX", "nosys-ptrace", "--" },
					 .tool_says = "ptrace is not available here",
					 .probe_says = "ptrace(PTRACE_SEIZE) is refused: ",
					 .no_lsan = true };

	check_refused(&pl);
}

Test(restricted, seccomp_refused)
{
	static const struct place pl = { .name = "a profile refusing seccomp",
					 .pre = { "%SANDBOX", "deny-seccomp", "--" },
					 .tool_says = "seccomp filters are refused here",
					 .probe_says = "seccomp filters are refused: " };

	check_refused(&pl);
}

Test(restricted, kernel_without_seccomp_filters)
{
	static const struct place pl = { .name = "a kernel without seccomp filters",
					 .pre = { "%SANDBOX", "nosys-seccomp", "--" },
					 .tool_says = "cannot install the seccomp filter",
					 .probe_says = "seccomp filters are refused: " };

	check_refused(&pl);
}

Test(restricted, filters_that_leave_no_room)
{
	static const struct place pl = { .name = "filters that leave no room for ours",
					 .pre = { "%SANDBOX", "full-seccomp", "--" },
					 .tool_says = "leave no room for it",
					 .probe_says = "seccomp filters are refused: " };

	check_refused(&pl);
}

/* As root a PID namespace alone; else in a user namespace of its own. */
Test(restricted, pid_namespace_without_its_proc)
{
	static const struct place root = { .name = "a PID namespace without its /proc",
					   .pre = { "unshare", "--pid", "--fork", "--" },
					   .tool_says = "/proc is not of this PID namespace",
					   .probe_says = "/proc is not of this PID namespace" };
	static const struct place user = { .name = "a user and PID namespace without its /proc",
					   .pre = { "unshare", "--user", "--map-root-user", "--pid",
						    "--fork", "--" },
					   .tool_says = "/proc is not of this PID namespace",
					   .probe_says = "/proc is not of this PID namespace" };

	if (!works("command -v unshare"))
		cr_skip_test("unshare is not installed");
	check_refused(geteuid() == 0 ? &root : &user);
}

Test(restricted, no_proc_mounted)
{
	static const struct place pl = { .name = "no /proc mounted",
					 .pre = { "unshare", "--mount", "--propagation", "private",
						  "sh", "-c", "umount -l /proc && exec \"$@\"",
						  "sh" },
					 .tool_says = "no /proc is mounted",
					 .probe_says = "no /proc is mounted",
					 .no_proc = true };

	if (geteuid() != 0 || !works("command -v unshare"))
		cr_skip_test("needs root and unshare to unmount /proc in a namespace of its own");
	/* Not even with detect_leaks=0: without /proc the sanitizers cannot read their options. */
	if (e2e_sanitized())
		cr_skip_test(
			"a sanitizer build cannot run without /proc (its options are read from "
			"/proc/self/environ, and LeakSanitizer reads /proc/PID/task)");
	check_refused(&pl);
}

/* Not refused: the tool measures (a report of the 8 MiB the workload holds). */
static void check_works(const struct place *pl)
{
	char dir[512], report[600], err[256], *text;
	const char *argv[32];
	struct run_output o;
	struct json *j;
	size_t len = 0;
	FILE *f;

	need_place(pl);
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/report.json", dir);
	command(pl, E2E_ARGS(e2e_tool(), "--json", "-o", report, e2e_wl(), "hold-exit", "8"), argv);
	cr_assert_eq(run_capture((char *const *)argv, NULL, &o), 0);
	e2e_note("%s: status %d %s", pl->name, o.status, o.err);
	cr_assert_eq(o.status, 0, "%s: status %d; stderr:\n%s", pl->name, o.status, o.err);
	f = fopen(report, "r");
	cr_assert_not_null(f, "%s: no report", pl->name);
	text = calloc(1, 1 << 20);
	cr_assert_not_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	fclose(f);
	j = json_parse(text, len, err, sizeof(err));
	cr_assert_not_null(j, "%s: the report is not JSON: %s", pl->name, err);
	cr_assert_geq(e2e_u64(j, "peak_rss_bytes"), 8 * MIB, "%s: peak below 8 MiB", pl->name);
	json_free(j);
	free(text);
	run_free(&o);
	e2e_rmtree(dir);
}

Test(restricted, user_namespace_measures)
{
	static const struct place pl = { .name = "a user namespace",
					 .pre = { "unshare", "--user", "--" },
					 .tool_says = "",
					 .probe_says = "" };

	e2e_need_tracing();
	if (!works("command -v unshare"))
		cr_skip_test("unshare is not installed");
	check_works(&pl);
}

Test(restricted, no_new_privs_measures)
{
	static const struct place pl = { .name = "no_new_privs",
					 .pre = { "setpriv", "--no-new-privs", "--" },
					 .tool_says = "",
					 .probe_says = "" };

	e2e_need_tracing();
	if (!works("command -v setpriv"))
		cr_skip_test("setpriv is not installed");
	check_works(&pl);
}

/* maxrss-sc as the PID namespace's init: /proc mounted for it. */
Test(restricted, pid_namespace_with_its_proc_measures)
{
	static const struct place pl = { .name = "a PID namespace with its /proc",
					 .pre = { "unshare", "--user", "--map-root-user", "--pid",
						  "--fork", "--mount-proc", "--" },
					 .tool_says = "",
					 .probe_says = "" };

	e2e_need_tracing();
	if (!works("command -v unshare"))
		cr_skip_test("unshare is not installed");
	check_works(&pl);
}
