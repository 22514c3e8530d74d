/*
 * e2e-hostile: bad input, hostile environments, unprivileged use and the
 * command's hygiene (issue 5, points 4 to 7).
 *
 * The environments are made without touching the machine: "sandbox" runs
 * maxrss-sc inside a seccomp filter of its own (ptrace or seccomp refused),
 * strace traces it, setpriv drops to an unprivileged user.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
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

TestSuite(hostile, .timeout = 60);

#define END_MS 10000

struct result {
	int status;	 /* raw wait status */
	double ms;	 /* how long it ran */
	char out[16384]; /* stdout */
	const char *err; /* stderr (owned by s) */
	struct spawned s;
};

/*
 * For a run where maxrss-sc itself is traced (strace, or under another
 * maxrss-sc): LeakSanitizer stops the world with ptrace, which a traced
 * process cannot do.  Harmless without sanitizers.
 */
static const char *const traced_env[] = { "ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1",
					  NULL };

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

static const char *sandbox(void)
{
	return helper("HOSTILE", "sandbox");
}

/* Run argv to its end (asserted within END_MS), collecting stdout and stderr. */
static void run(struct result *r, const char *const *argv, const char *const *env, int keep_fd)
{
	struct spawn_opts o = { .new_pgrp = true, .keep_fd = keep_fd, .setenv = env };
	char line[4096];
	size_t used = 0;
	double start = spawn_now_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	rc = spawn_start(&r->s, (char *const *)argv, &o);
	cr_assert_eq(rc, 0, "cannot start %s: %s", argv[0], strerror(-rc));
	while (spawn_line(&r->s, line, sizeof(line), END_MS)) {
		int n = snprintf(r->out + used, sizeof(r->out) - used, "%s\n", line);

		if (n > 0 && (size_t)n < sizeof(r->out) - used)
			used += (size_t)n;
	}
	cr_assert(spawn_wait(&r->s, END_MS, &r->status), "%s did not end within %d ms; stderr:\n%s",
		  argv[0], END_MS, r->s.errbuf ? r->s.errbuf : "");
	r->ms = spawn_now_ms() - start;
	r->err = r->s.errbuf ? r->s.errbuf : "";
}

static void result_free(struct result *r)
{
	spawn_free(&r->s);
}

static int exit_code(const struct result *r)
{
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128 + WTERMSIG(r->status);
}

/* One line on stderr, "maxrss-sc: ..." (after any lines of other programs). */
static void assert_tool_message(const char *what, const struct result *r, const char *needle)
{
	const char *m = strstr(r->err, "maxrss-sc: ");

	cr_assert(m, "%s: no maxrss-sc message; stderr:\n%s", what, r->err);
	cr_assert(strchr(m, '\n') && strchr(m, '\n')[1] == '\0',
		  "%s: the message is more than one line:\n%s", what, m);
	if (needle)
		cr_assert(strcasestr(m, needle), "%s: the message does not say '%s': %s", what,
			  needle, m);
}

static struct json *read_json(const char *path)
{
	static char text[1 << 22];
	char err[256];
	struct json *j;
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert(f, "no report file %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	j = json_parse(text, n, err, sizeof(err));
	cr_assert(j, "the report %s is not valid JSON: %s", path, err);
	return j;
}

/* ---------------------------------------------------------------- bad input */

/*
 * Every bad command line: status 125, one line that names maxrss-sc,
 * nothing on stdout, and the command (which would leave a marker) not run.
 */
Test(hostile, bad_input_one_line_125_before_the_command)
{
	static const char *const bad[][3] = {
		{ "--no-such-option" },
		{ "-x" },
		{ "--json=yes" },
		{ "--verbose=1" },
		{ "-i", "-5" },
		{ "-i", "1e3" },
		{ "-i", "" },
		{ "-i", " 5" },
		{ "-i", "0x10" },
		{ "-i", "3600001" },
		{ "-i", "99999999999999999999999999" },
		{ "--interval=-0" },
		{ "-r", "0" },
		{ "-r", "-1" },
		{ "--runs=1000001" },
		{ "--warmup=-1" },
		{ "--fail-above=-1M" },
		{ "--fail-above=1Q" },
		{ "--fail-above=" },
		{ "--fail-above=99999999999G" },
		{ "-o", "" },
		{ "-o", "/nonexistent/dir/report" },
		{ "-o", "/etc/passwd/report" },
		{ "-o", "/" },
		{ "--timeline=" },
		{ "--plot=" },
		/* Found by fuzz-options: a quoted newline made the message two lines. */
		{ "--no\nsuch-option" },
		{ "-i", "5\n6" },
	};
	char dir[512], marker[600];

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[8];
		char what[128];
		struct result r;
		size_t n = 0;

		argv[n++] = e2e_tool();
		for (size_t k = 0; k < 3 && bad[i][k]; k++)
			argv[n++] = bad[i][k];
		argv[n++] = "touch";
		argv[n++] = marker;
		argv[n] = NULL;
		snprintf(what, sizeof(what), "'%s%s%s'", bad[i][0], bad[i][1] ? " " : "",
			 bad[i][1] ? bad[i][1] : "");
		run(&r, argv, NULL, -1);
		e2e_note("%s: status %d, %s", what, exit_code(&r), r.err);
		cr_assert_eq(exit_code(&r), 125, "%s: status %d, expected 125; stderr:\n%s", what,
			     exit_code(&r), r.err);
		cr_assert(strncmp(r.err, "maxrss-sc: ", 11) == 0 && e2e_count_lines(r.err) == 1,
			  "%s: expected one 'maxrss-sc: ' line on stderr, got:\n%s", what, r.err);
		cr_assert_eq(r.out[0], '\0', "%s: something on stdout: %s", what, r.out);
		cr_assert_neq(access(marker, F_OK), 0, "%s: the command ran anyway", what);
		result_free(&r);
	}
	e2e_rmtree(dir);
}

/* No command at all: the same one line and 125. */
Test(hostile, no_command_one_line_125)
{
	static const char *const bad[][3] = { { NULL }, { "-j" }, { "--" }, { "-j", "--" } };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *argv[5] = { e2e_tool(), bad[i][0], bad[i][0] ? bad[i][1] : NULL, NULL };
		struct result r;

		run(&r, argv, NULL, -1);
		cr_assert_eq(exit_code(&r), 125, "case %zu: status %d; stderr:\n%s", i,
			     exit_code(&r), r.err);
		cr_assert(strncmp(r.err, "maxrss-sc: ", 11) == 0 && e2e_count_lines(r.err) == 1,
			  "case %zu: expected one line on stderr, got:\n%s", i, r.err);
		result_free(&r);
	}
}

/* ------------------------------------------------------ hostile environments */

/*
 * Each hostile case either works or fails within a second, status 125, with
 * a message that names the cause; the command never runs half-traced.
 */
static void refused_fast(const char *what, const char *const *pre, const char *needle)
{
	char dir[512], marker[600];
	const char *argv[16];
	struct result r;
	size_t n = 0;

	/* Here, each refusal must be the sandbox's own. */
	e2e_need_tracing();
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	for (; *pre; pre++)
		argv[n++] = *pre;
	argv[n++] = e2e_tool();
	argv[n++] = "touch";
	argv[n++] = marker;
	argv[n] = NULL;
	run(&r, argv, traced_env, -1);
	e2e_note("%s: status %d after %.0f ms: %s", what, exit_code(&r), r.ms, r.err);
	cr_assert_eq(exit_code(&r), 125, "%s: status %d, expected 125; stderr:\n%s", what,
		     exit_code(&r), r.err);
	cr_assert(r.ms < 1000, "%s: took %.0f ms to fail", what, r.ms);
	assert_tool_message(what, &r, needle);
	cr_assert_neq(access(marker, F_OK), 0, "%s: the command ran anyway", what);
	result_free(&r);
	e2e_rmtree(dir);
}

Test(hostile, ptrace_forbidden_fails_fast_naming_ptrace)
{
	refused_fast("ptrace refused", E2E_ARGS(sandbox(), "deny-ptrace", "--"), "ptrace");
}

/*
 * Decided: no fallback to plain ptrace events without seccomp.  Without
 * the execve-entry stop the old image cannot be read before it is gone,
 * and stopping at every system call instead would slow the command ~300x.
 */
Test(hostile, seccomp_unavailable_fails_fast_naming_seccomp)
{
	refused_fast("seccomp refused (EINVAL)", E2E_ARGS(sandbox(), "deny-seccomp", "--"),
		     "seccomp");
	refused_fast("seccomp missing (ENOSYS)", E2E_ARGS(sandbox(), "nosys-seccomp", "--"),
		     "seccomp");
}

static bool have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/*
 * strace -f attaches to maxrss-sc's child before maxrss-sc can: a process
 * has one tracer.  maxrss-sc must say that it is the other tracer, fast.
 */
Test(hostile, under_strace_f_fails_fast_naming_the_other_tracer)
{
	if (!have_program("strace"))
		cr_skip_test("strace is not installed");
	refused_fast("strace -f", E2E_ARGS("strace", "-f", "-o", "/dev/null"), "already traced");
}

/*
 * Run argv, a maxrss-sc writing its JSON report to report and measuring a
 * workload that holds at least 8 MiB: status 0, and that peak in the report.
 * Returns the report, for more checks (json_free it).
 */
static struct json *run_measures_8_mib(const char *const *argv, const char *const *env,
				       const char *report)
{
	struct result r;
	struct json *j;

	e2e_need_tracing();
	run(&r, argv, env, -1);
	cr_assert_eq(exit_code(&r), 0, "status %d; stderr:\n%s", exit_code(&r), r.err);
	j = read_json(report);
	cr_assert(e2e_u64(j, "peak_rss_bytes") >= 8 * MIB, "peak below 8 MiB");
	result_free(&r);
	return j;
}

/* strace without -f follows maxrss-sc alone: everything works. */
Test(hostile, under_strace_without_f_works)
{
	char dir[512], report[600];

	if (!have_program("strace"))
		cr_skip_test("strace is not installed");
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	json_free(run_measures_8_mib(E2E_ARGS("strace", "-o", "/dev/null", e2e_tool(), "--json",
					      "-o", report, e2e_wl(), "hold-exit", "8"),
				     traced_env, report));
	e2e_rmtree(dir);
}

/* A seccomp filter already in place (a container, systemd): ours stacks on it. */
Test(hostile, inside_an_existing_seccomp_filter_works)
{
	char dir[512], report[600];

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	json_free(run_measures_8_mib(E2E_ARGS(sandbox(), "allow", "--", e2e_tool(), "--json", "-o",
					      report, e2e_wl(), "hold-exit", "8"),
				     NULL, report));
	e2e_rmtree(dir);
}

/* The command installs its own filters: measured as usual, its filters intact. */
Test(hostile, command_with_its_own_seccomp_filter_works)
{
	char dir[512], report[600];

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	/* Its ptrace refused: the sandbox's rule holds for the command only. */
	json_free(run_measures_8_mib(E2E_ARGS(e2e_tool(), "--json", "-o", report, sandbox(),
					      "deny-ptrace", "--", e2e_wl(), "hold-exit", "8"),
				     NULL, report));
	e2e_rmtree(dir);
}

/*
 * maxrss-sc under maxrss-sc: the inner one cannot trace (its child is the
 * outer one's tracee).  It must fail fast with its message; the outer one
 * reports the inner one's 125.
 */
Test(hostile, nested_maxrss_sc_fails_fast)
{
	char dir[512], report[600];
	struct result r;
	struct json *j;

	e2e_need_tracing();
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	/* The inner one is traced: LeakSanitizer cannot run there. */
	run(&r, E2E_ARGS(e2e_tool(), "--json", "-o", report, e2e_tool(), "true"), traced_env, -1);
	e2e_note("nested: status %d after %.0f ms: %s", exit_code(&r), r.ms, r.err);
	cr_assert_eq(exit_code(&r), 125, "status %d; stderr:\n%s", exit_code(&r), r.err);
	cr_assert(r.ms < 2000, "took %.0f ms", r.ms);
	assert_tool_message("nested", &r, "trace");
	j = read_json(report);
	cr_assert_eq(e2e_u64(j, "status"), 125, "the outer report's status");
	json_free(j);
	result_free(&r);
	e2e_rmtree(dir);
}

/* ------------------------------------------------------- unprivileged use */

/*
 * A directory every user can read, holding copies of the tool and the
 * workloads (the build tree may sit under a private home), and an output
 * directory owned by uid.  Skips unless root with setpriv.
 */
static void unpriv_setup(char *dir, size_t len, uid_t uid)
{
	char cmd[2048];

	e2e_need_tracing();
	if (geteuid() != 0)
		cr_skip_test("needs root to drop privileges");
	if (!have_program("setpriv"))
		cr_skip_test("setpriv is not installed");
	e2e_tmpdir(dir, len);
	snprintf(cmd, sizeof(cmd),
		 "set -e; chmod 755 '%s'; cp '%s' '%s' '%s' '%s/'; mkdir '%s/out'; "
		 "chown %u '%s/out'",
		 dir, e2e_tool(), e2e_wl(), e2e_rely(), dir, dir, (unsigned)uid, dir);
	cr_assert_eq(system(cmd), 0, "cannot prepare %s", dir);
}

static uid_t nobody_uid(void)
{
	struct passwd *pw = getpwnam("nobody");

	if (!pw)
		cr_skip_test("no user 'nobody'");
	return pw->pw_uid;
}

#define AS_NOBODY "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"

Test(hostile, unprivileged_user_measures)
{
	char dir[512], tool[600], wl[600], report[600];
	struct json *j;

	unpriv_setup(dir, sizeof(dir), nobody_uid());
	snprintf(tool, sizeof(tool), "%s/maxrss-sc", dir);
	snprintf(wl, sizeof(wl), "%s/wl", dir);
	snprintf(report, sizeof(report), "%s/out/r.json", dir);
	j = run_measures_8_mib(
		E2E_ARGS(AS_NOBODY, tool, "--json", "-o", report, wl, "forktree", "2", "8"), NULL,
		report);
	cr_assert_eq(e2e_u64(j, "tree.processes"), 3, "processes");
	json_free(j);
	e2e_rmtree(dir);
}

/*
 * A setuid program in the tree runs without its privilege, as under any
 * tracer (and no_new_privs, which an unprivileged maxrss-sc must set).
 */
Test(hostile, setuid_program_runs_without_privilege)
{
	char dir[512], tool[600], suid[600], report[600], cmd[4096];
	struct result r;
	uid_t nobody = nobody_uid();
	char want[64];

	unpriv_setup(dir, sizeof(dir), nobody);
	snprintf(tool, sizeof(tool), "%s/maxrss-sc", dir);
	snprintf(suid, sizeof(suid), "%s/rely-suid", dir);
	snprintf(report, sizeof(report), "%s/out/r.json", dir);
	snprintf(cmd, sizeof(cmd), "set -e; cp '%s/rely' '%s'; chown 0:0 '%s'; chmod 4755 '%s'",
		 dir, suid, suid, suid);
	cr_assert_eq(system(cmd), 0, "cannot make %s setuid", suid);

	/* Without maxrss-sc it gains root: else this file system ignores setuid. */
	run(&r, E2E_ARGS(AS_NOBODY, suid, "ids"), NULL, -1);
	if (!strstr(r.out, "euid=0\n"))
		cr_skip_test("setuid has no effect here (nosuid?): %s", r.out);
	result_free(&r);

	run(&r, E2E_ARGS(AS_NOBODY, tool, "--json", "-o", report, suid, "ids"), NULL, -1);
	snprintf(want, sizeof(want), "uid=%u euid=%u\n", (unsigned)nobody, (unsigned)nobody);
	e2e_note("under maxrss-sc: %s", r.out);
	cr_assert_eq(exit_code(&r), 0, "status %d; stderr:\n%s", exit_code(&r), r.err);
	cr_assert_str_eq(r.out, want, "the setuid program ran with privilege");
	json_free(read_json(report));
	result_free(&r);
	e2e_rmtree(dir);
}

/*
 * A process that made itself non-dumpable (ssh-agent, gpg-agent do): an
 * unprivileged tracer may not read its smaps_rollup.  That is "gone", not
 * an error: the run ends normally with what could be read (VmHWM).
 */
Test(hostile, unreadable_proc_files_are_not_errors)
{
	char dir[512], tool[600], r_bin[600], report[600];
	struct result r;
	struct json *j;

	unpriv_setup(dir, sizeof(dir), nobody_uid());
	snprintf(tool, sizeof(tool), "%s/maxrss-sc", dir);
	snprintf(r_bin, sizeof(r_bin), "%s/rely", dir);
	snprintf(report, sizeof(report), "%s/out/r.json", dir);
	run(&r, E2E_ARGS(AS_NOBODY, tool, "--json", "-o", report, r_bin, "nodump", "16"), NULL, -1);
	e2e_note("nodump: status %d: %s", exit_code(&r), r.err);
	cr_assert_eq(exit_code(&r), 0, "status %d; stderr:\n%s", exit_code(&r), r.err);
	cr_assert_eq(r.err[0], '\0', "messages on stderr:\n%s", r.err);
	j = read_json(report);
	cr_assert_eq(e2e_u64(j, "status"), 0, "report status");
	/* VmHWM alone: the kernel's counters may lag (e2e_counter_bound). */
	cr_assert(e2e_u64(j, "peak_rss_bytes") >= e2e_sub(16 * MIB, e2e_counter_bound()),
		  "peak %llu below 16 MiB less the counter bound",
		  (unsigned long long)e2e_u64(j, "peak_rss_bytes"));
	json_free(j);
	result_free(&r);
	e2e_rmtree(dir);
}

/* -------------------------------------------------------------- hygiene */

/*
 * The command inherits no descriptor of maxrss-sc (its /proc directory,
 * its pipes, the report file), but keeps the ones it was given.
 */
Test(hostile, command_inherits_no_tool_descriptor)
{
	char dir[512], report[600], timeline[640], plot[640], expect[64];
	struct result r;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	e2e_need_tracing();
	cr_assert(fd > 2, "cannot open /dev/null");
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	snprintf(timeline, sizeof(timeline), "--timeline=%s/t.csv", dir);
	snprintf(plot, sizeof(plot), "--plot=%s/p.svg", dir);
	/* Every file the tool opens for itself: the report, the timeline, the plot. */
	run(&r,
	    E2E_ARGS(e2e_tool(), "--json", "-o", report, timeline, plot, "-i", "10", e2e_rely(), "fds"),
	    NULL, fd);
	e2e_note("descriptors of the command (fd %d passed on):\n%s", fd, r.out);
	cr_assert_eq(exit_code(&r), 0, "status %d; stderr:\n%s", exit_code(&r), r.err);
	/* 0: /dev/null, 1 and 2: our pipes, fd: passed on. */
	snprintf(expect, sizeof(expect), "fd %d /dev/null\n", fd);
	cr_assert(strstr(r.out, expect), "fd %d was not passed on:\n%s", fd, r.out);
	for (const char *l = r.out; *l; l = strchr(l, '\n') + 1) {
		int n = -1;

		cr_assert(sscanf(l, "fd %d", &n) == 1, "bad line in:\n%s", r.out);
		cr_assert(n <= 2 || n == fd, "the command inherited fd %d:\n%s", n, r.out);
	}
	close(fd);
	json_free(read_json(report));
	result_free(&r);
	e2e_rmtree(dir);
}

/* Is s valid UTF-8 with at least one U+FFFD?  (The parser already checked validity.) */
static bool has_replacement(const char *s)
{
	return strstr(s, "\xef\xbf\xbd") != NULL;
}

/*
 * Arguments and paths may hold any bytes: the JSON must stay valid (the
 * strict parser refuses raw control characters and invalid UTF-8), keep
 * what is valid and replace what is not with U+FFFD.
 */
Test(hostile, json_valid_for_any_bytes_in_argv_and_paths)
{
	static const char *const valid[] = {
		"a\x01"
		"b\x1f\x7f",		    /* control characters, DEL */
		"quote\"back\\slash/",	    /* JSON specials */
		"tab\tnl\ncr\r",	    /* escapes with short forms */
		"caf\xc3\xa9 \xe2\x82\xac", /* 2- and 3-byte UTF-8 */
		"\xf0\x9f\x98\x80",	    /* 4-byte UTF-8 */
		"",			    /* empty */
	};
	static const char *const invalid[] = {
		"\xff\xfe",	    /* never valid */
		"x\xc3\x28y",	    /* a broken 2-byte sequence */
		"\xc0\xaf",	    /* overlong '/' */
		"\xed\xa0\x80",	    /* an encoded surrogate */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"cut\xe2\x82",	    /* truncated at the end */
	};
	char dir[512], bindir[600], prog[700], report[800], cmd[2048];
	const char *argv[32];
	struct result r;
	struct json *j;
	const struct json *jc, *exe;
	size_t n = 0, k;

	e2e_need_tracing();
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(bindir, sizeof(bindir), "%s/bin\x01\xff\"\\", dir);
	cr_assert_eq(mkdir(bindir, 0755), 0, "mkdir: %s", strerror(errno));
	snprintf(prog, sizeof(prog), "%s/rely\x1b[31m\xc3", bindir);
	snprintf(cmd, sizeof(cmd), "cp '%s' \"$DST\"", e2e_rely());
	setenv("DST", prog, 1);
	cr_assert_eq(system(cmd), 0, "cannot copy rely");
	snprintf(report, sizeof(report), "%s/r.json", dir);

	argv[n++] = e2e_tool();
	argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = report;
	argv[n++] = prog;
	argv[n++] = "ids";
	for (k = 0; k < sizeof(valid) / sizeof(valid[0]); k++)
		argv[n++] = valid[k];
	for (k = 0; k < sizeof(invalid) / sizeof(invalid[0]); k++)
		argv[n++] = invalid[k];
	argv[n] = NULL;
	run(&r, argv, NULL, -1);
	cr_assert_eq(exit_code(&r), 0, "status %d; stderr:\n%s", exit_code(&r), r.err);
	j = read_json(report);

	jc = json_get(j, "command");
	cr_assert(jc && jc->type == JSON_ARRAY && jc->n == n - 4, "command has %zu items",
		  jc ? jc->n : 0);
	for (k = 0; k < sizeof(valid) / sizeof(valid[0]); k++) {
		const struct json *s = json_at(jc, 2 + k);

		cr_assert(s && s->type == JSON_STRING && s->string_len == strlen(valid[k]) &&
				  memcmp(s->string, valid[k], s->string_len) == 0,
			  "valid argument %zu did not come back as it was", k);
	}
	for (k = 0; k < sizeof(invalid) / sizeof(invalid[0]); k++) {
		const struct json *s = json_at(jc, 2 + sizeof(valid) / sizeof(valid[0]) + k);

		cr_assert(s && s->type == JSON_STRING && has_replacement(s->string),
			  "invalid argument %zu has no U+FFFD: '%s'", k, s ? s->string : "");
	}
	jc = json_at(jc, 2 + sizeof(valid) / sizeof(valid[0]) + 1);
	cr_assert(jc->string[0] == 'x' && jc->string[jc->string_len - 1] == 'y',
		  "the valid bytes around an invalid one were lost: '%s'", jc->string);
	/* The command's own image: its argv and its exe path. */
	exe = json_path(j, "processes.0.exe");
	cr_assert(exe && exe->type == JSON_STRING, "processes.0.exe is not a string");
	cr_assert(strstr(exe->string, "bin\x01") && has_replacement(exe->string) &&
			  strstr(exe->string, "\x1b[31m"),
		  "exe is not the path with its bytes escaped or replaced: '%s'", exe->string);
	cr_assert_eq(json_path(j, "processes.0.argv")->n, n - 4, "processes.0.argv length");
	json_free(j);
	result_free(&r);
	e2e_rmtree(dir);
}
