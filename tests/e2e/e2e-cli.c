/*
 * e2e-cli: the command line contract of interface.md: exit statuses, the
 * command's stdio, the report file, the JSON schema and the text report.
 */
#include <errno.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "e2e.h"

TestSuite(cli, .timeout = 60);

/* Run "$MAXRSS_SC ARGS..." with no -o: the report goes to stderr. */
static void run_plain(struct run_output *o, const char *const *args, const char *stdin_text)
{
	const char *argv[64];
	size_t n = 0;

	e2e_need_tracing();
	argv[n++] = e2e_tool();
	for (; *args; args++) {
		cr_assert(n + 1 < sizeof(argv) / sizeof(argv[0]), "too many arguments");
		argv[n++] = *args;
	}
	argv[n] = NULL;
	cr_assert(run_capture((char *const *)argv, stdin_text, o) == 0, "cannot run %s: %s",
		  argv[0], strerror(errno));
}

/* A message from maxrss-sc itself: exactly one line, naming the tool. */
static void assert_one_line(const char *what, const char *err)
{
	size_t len = strlen(err);

	cr_assert(len > 0 && err[len - 1] == '\n' && e2e_count_lines(err) == 1,
		  "%s: expected one line on stderr, got:\n%s", what, err);
	cr_assert(strstr(err, "maxrss-sc"), "%s: the message does not name maxrss-sc: %s", what,
		  err);
}

static bool matches(const char *re, const char *line)
{
	regex_t rx;
	bool ok;

	cr_assert_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0, "bad regex %s", re);
	ok = regexec(&rx, line, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/* Line i (from 0) of text into buf, without its newline; false past the end. */
static bool nth_line(const char *text, size_t i, char *buf, size_t len)
{
	const char *nl;
	size_t n;

	while (i--) {
		text = strchr(text, '\n');
		if (!text)
			return false;
		text++;
	}
	if (!*text)
		return false;
	nl = strchr(text, '\n');
	n = nl ? (size_t)(nl - text) : strlen(text);
	if (n >= len)
		n = len - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	return true;
}

/* Does text hold number as a whole token (not inside a longer number)? */
static bool has_number_token(const char *line, long number)
{
	char tok[32];
	size_t n = (size_t)snprintf(tok, sizeof(tok), "%ld", number);

	for (const char *p = strstr(line, tok); p; p = strstr(p + 1, tok)) {
		bool left = p == line || p[-1] < '0' || p[-1] > '9';
		bool right = p[n] < '0' || p[n] > '9';

		if (left && right)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- exit status */

static void check_exit_code(const char *code)
{
	struct e2e_run r;
	int want = atoi(code);

	e2e_run_json(&r, E2E_ARGS(e2e_wl(), "exit", code));
	e2e_note("wl exit %s: tool status %d", code, r.out.status);
	cr_assert_eq(r.out.status, want, "wl exit %s: tool status %d", code, r.out.status);
	cr_assert_eq(e2e_u64(r.json, "status"), (uint64_t)want, "JSON status");
	cr_assert_eq(e2e_u64(r.json, "exit.code"), (uint64_t)want, "JSON exit.code");
	cr_assert_eq(e2e_u64(r.json, "processes.0.exit_code"), (uint64_t)want,
		     "the image's exit_code");
	e2e_run_free(&r);
}

Test(cli, exit_code_0)
{
	check_exit_code("0");
}

Test(cli, exit_code_7)
{
	check_exit_code("7");
}

Test(cli, missing_command_127)
{
	struct e2e_run r;

	e2e_searchable_path();
	/* With -o, the report file must stay empty: nothing ran, nothing to report. */
	e2e_run(&r, E2E_ARGS("--json"), E2E_ARGS("maxrss-sc-e2e-no-such-command", "x"), NULL,
		false);
	e2e_note("missing command: status %d, stderr: %s", r.out.status, r.out.err);
	cr_assert_eq(r.out.status, 127, "status %d, expected 127", r.out.status);
	assert_one_line("missing command", r.out.err);
	cr_assert_eq(r.report_len, 0, "a report was written for a command that never ran:\n%s",
		     r.report);
	e2e_run_free(&r);
}

Test(cli, missing_command_127_no_text_report)
{
	struct run_output o;

	e2e_searchable_path();
	run_plain(&o, E2E_ARGS("maxrss-sc-e2e-no-such-command"), NULL);
	cr_assert_eq(o.status, 127, "status %d, expected 127", o.status);
	assert_one_line("missing command, text mode", o.err);
	cr_assert(!strstr(o.err, "largest process"), "a text report for a command that never ran");
	run_free(&o);
}

/*
 * -v on a shell line whose children are forked copies of the shell that
 * exec (issue 14): one row per program, no row for the copies, peak PSS
 * beside peak RSS, and at COLUMNS=60 no row wider than 60 characters.
 */
Test(cli, verbose_table_folds_copies_and_fits_60_columns)
{
	const char *tiny = e2e_tiny();
	char script[1024], line[1024];
	struct run_output o;
	size_t rows = 0, heading = 0;

	snprintf(script, sizeof(script), "%s; %s | cat; exit 0", tiny, tiny);
	cr_assert_eq(setenv("COLUMNS", "60", 1), 0);
	run_plain(&o, E2E_ARGS("-v", "sh", "-c", script), NULL);
	cr_assert_eq(o.status, 0, "status %d, stderr: %s", o.status, o.err);
	e2e_note("-v at 60 columns:\n%s", o.err);
	for (size_t i = 0; nth_line(o.err, i, line, sizeof(line)); i++) {
		size_t chars = 0;
		int pid;

		if (matches("^ +pid +peak RSS +peak PSS +end +command", line))
			heading = i;
		if (!heading || i == heading || sscanf(line, "%d", &pid) != 1 ||
		    strstr(line, "forked cop"))
			continue;
		rows++;
		for (const char *p = line; *p; p++)
			chars += ((unsigned char)*p & 0xC0) != 0x80;
		cr_assert_leq(chars, 60, "a row of %zu characters at COLUMNS=60: '%s'", chars,
			      line);
		cr_assert(!matches(" exec +sh ", line), "a row for a copy of sh: '%s'", line);
	}
	cr_assert(heading, "no table heading with peak PSS:\n%s", o.err);
	/* sh, tiny, tiny, cat: four processes, four rows. */
	cr_assert_eq(rows, 4, "%zu rows:\n%s", rows, o.err);
	cr_assert(strstr(o.err, "forked copies before exec shown in the row of what they exec'd"),
		  "%s", o.err);
	run_free(&o);
}

/*
 * A shell line quoted as one word is not a command (issue 14): 127 as
 * before, and a hint to run it with sh -c, quoted so it can be pasted;
 * none for a plain name that is not found.
 */
Test(cli, shell_line_in_one_word_hints_sh_c)
{
	struct run_output o;

	run_plain(&o, E2E_ARGS("sort big.txt | uniq -c"), NULL);
	e2e_note("shell line: status %d, stderr: %s", o.status, o.err);
	cr_assert_eq(o.status, 127, "status %d, expected 127", o.status);
	cr_assert(strstr(o.err, "maxrss-sc: cannot run 'sort big.txt | uniq -c'"), "%s", o.err);
	cr_assert(strstr(o.err, "hint:") &&
			  strstr(o.err, "maxrss-sc sh -c 'sort big.txt | uniq -c'"),
		  "no sh -c hint:\n%s", o.err);
	cr_assert(strstr(o.err, "-C"), "no mention of comparison mode:\n%s", o.err);
	run_free(&o);

	run_plain(&o, E2E_ARGS("it's | here"), NULL);
	cr_assert(strstr(o.err, "sh -c 'it'\\''s | here'"), "quote not escaped:\n%s", o.err);
	run_free(&o);

	run_plain(&o, E2E_ARGS("maxrss-sc-e2e-no-such-command"), NULL);
	cr_assert_null(strstr(o.err, "hint"), "a hint for a plain name:\n%s", o.err);
	run_free(&o);
}

Test(cli, not_executable_126)
{
	char dir[512], path[600];
	struct run_output o;
	FILE *f;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/not-executable", dir);
	f = fopen(path, "w");
	cr_assert(f, "cannot create %s", path);
	fputs("#!/bin/sh\necho should not run\n", f);
	fclose(f);
	cr_assert_eq(chmod(path, 0644), 0, "chmod");

	run_plain(&o, E2E_ARGS(path), NULL);
	e2e_note("non-executable: status %d, stderr: %s", o.status, o.err);
	cr_assert_eq(o.status, 126, "status %d, expected 126", o.status);
	assert_one_line("non-executable", o.err);
	cr_assert_eq(o.out_len, 0, "the file ran: %s", o.out);
	run_free(&o);
	e2e_rmtree(dir);
}

/* ---------------------------------------------------------------- stdio */

/* Larger than a pipe buffer, so that a tool holding stdio back would show. */
static char *make_text(size_t lines)
{
	char *text = malloc(lines * 32 + 1), *p = text;

	cr_assert(text, "out of memory");
	for (size_t i = 0; i < lines; i++)
		p += sprintf(p, "line %zu of the stdin text\n", i);
	*p = '\0';
	return text;
}

Test(cli, stdio_untouched)
{
	char *text = make_text(5000);
	struct run_output o;

	run_plain(&o, E2E_ARGS(e2e_wl(), "echo"), text);
	cr_assert_eq(o.status, 3, "status %d, expected wl echo's 3", o.status);
	cr_assert_eq(o.out_len, strlen(text), "stdout has %zu bytes, stdin had %zu", o.out_len,
		     strlen(text));
	cr_assert(memcmp(o.out, text, o.out_len) == 0, "stdout differs from stdin");
	cr_assert(strstr(o.err, "to-stderr\n"), "the command's stderr is lost:\n%s", o.err);
	/* The report follows the command's own stderr on the same stream. */
	cr_assert(strstr(o.err, "maxrss-sc: "), "no text report on stderr:\n%s", o.err);
	run_free(&o);
	free(text);
}

/*
 * The SigIgn mask the command reports of itself when run under the tool;
 * its blocked mask must be empty (the tool blocks SIGINT and SIGQUIT around
 * the start of the command).
 */
static unsigned long long command_sigign(void)
{
	struct run_output o;
	unsigned long long mask = 0, blocked = ~0ULL;
	const char *line;

	run_plain(&o,
		  E2E_ARGS("-o", "/dev/null", "grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"),
		  NULL);
	cr_assert_eq(o.status, 0, "status %d: %s", o.status, o.err);
	line = strstr(o.out, "SigIgn:");
	cr_assert(line && sscanf(line, "SigIgn: %llx", &mask) == 1, "no SigIgn in: %s", o.out);
	line = strstr(o.out, "SigBlk:");
	cr_assert(line && sscanf(line, "SigBlk: %llx", &blocked) == 1, "no SigBlk in: %s", o.out);
	cr_assert_eq(blocked, 0, "the command starts with signals blocked: SigBlk %llx", blocked);
	run_free(&o);
	return mask;
}

#define SIGBIT(sig) (1ULL << ((sig)-1))

/*
 * Signals ignored when the tool starts (nohup, a background job of a script)
 * stay ignored in the command, as they would without the tool; the ones it
 * handles for itself (SIGINT, SIGQUIT, SIGTERM, SIGHUP) are not left ignored
 * or handled in the command when they were not ignored before.
 */
Test(cli, signal_dispositions_pass_through)
{
	const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP };
	unsigned long long all = 0, mask;
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		all |= SIGBIT(sigs[i]);
		sigaction(sigs[i], &dfl, NULL);
	}
	mask = command_sigign();
	cr_assert_eq(mask & all, 0, "default in the tool, ignored in the command: SigIgn %llx",
		     mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &ign, NULL);
	mask = command_sigign();
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &dfl, NULL);
	cr_assert_eq(mask & all, all, "ignored in the tool, not in the command: SigIgn %llx", mask);
}

/* ---------------------------------------------------------------- -o */

Test(cli, output_file_text_nothing_on_stderr)
{
	struct e2e_run r;

	e2e_run(&r, NULL, E2E_ARGS(e2e_wl(), "exit", "0"), NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d", r.out.status);
	cr_assert_eq(r.out.err_len, 0, "with -o, stderr must stay empty; got:\n%s", r.out.err);
	cr_assert(strncmp(r.report, "maxrss-sc: ", 11) == 0, "the file holds no text report:\n%s",
		  r.report);
	cr_assert(strstr(r.report, "largest process"), "no 'largest process' line in the file:\n%s",
		  r.report);
	e2e_run_free(&r);
}

/* A command that would leave a marker: proof that it did not run. */
static void check_refused(const char *what, const char *const *opts)
{
	char dir[512], marker[600];
	const char *argv[16];
	struct run_output o;
	size_t n = 0;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/marker", dir);
	for (; *opts; opts++)
		argv[n++] = *opts;
	argv[n++] = "touch";
	argv[n++] = marker;
	argv[n] = NULL;

	run_plain(&o, argv, NULL);
	e2e_note("%s: status %d, stderr: %s", what, o.status, o.err);
	cr_assert_eq(o.status, 125, "%s: status %d, expected 125", what, o.status);
	assert_one_line(what, o.err);
	cr_assert_neq(access(marker, F_OK), 0, "%s: the command ran anyway", what);
	run_free(&o);
	e2e_rmtree(dir);
}

Test(cli, output_unwritable_125_command_not_run)
{
	check_refused("-o /nonexistent/dir/x", E2E_ARGS("-o", "/nonexistent/dir/x"));
}

Test(cli, bad_option_125)
{
	check_refused("--no-such-option", E2E_ARGS("--no-such-option"));
}

Test(cli, bad_option_value_125)
{
	check_refused("--runs=x", E2E_ARGS("--runs=x"));
}

/* ---------------------------------------------------------------- JSON schema */

static const char *const end_values[] = { "exit", "exec", "signal", "lost" };

static void check_nullable_u64(const struct json *p, const char *key)
{
	bool null;
	int64_t v = e2e_int_or_null(p, key, &null);

	cr_assert(null || v >= 0, "%s is negative", key);
}

static void check_process_keys(const struct json *p)
{
	static const char *const sizes[] = { "hwm_bytes",	"end_rss_bytes",  "end_pss_bytes",
					     "end_uss_bytes",	"end_anon_bytes", "end_file_bytes",
					     "end_shmem_bytes", "end_swap_bytes" };
	const struct json *argv = json_get(p, "argv"), *exe = json_get(p, "exe");
	const char *end = e2e_str(p, "end");
	bool null, known = false;
	int64_t code, sig;

	e2e_u64(p, "pid");
	e2e_u64(p, "ppid");
	e2e_u64(p, "image");
	cr_assert(argv && argv->type == JSON_ARRAY && argv->n > 0, "argv is not a non-empty array");
	for (size_t i = 0; i < argv->n; i++)
		cr_assert_eq(argv->items[i]->type, JSON_STRING, "argv.%zu is not a string", i);
	cr_assert(exe && (exe->type == JSON_STRING || exe->type == JSON_NULL),
		  "exe is neither a string nor null");
	cr_assert_geq(e2e_num(p, "end_seconds"), e2e_num(p, "start_seconds"),
		      "ends before it starts");
	cr_assert_geq(e2e_num(p, "start_seconds"), 0, "start_seconds < 0");
	for (size_t i = 0; i < sizeof(end_values) / sizeof(end_values[0]); i++)
		known |= strcmp(end, end_values[i]) == 0;
	cr_assert(known, "end '%s' is not one of exit, exec, signal, lost", end);
	code = e2e_int_or_null(p, "exit_code", &null);
	if (strcmp(end, "exit") == 0)
		cr_assert(!null && code >= 0 && code <= 255, "end exit without an exit_code");
	sig = e2e_int_or_null(p, "signal", &null);
	if (strcmp(end, "signal") == 0)
		cr_assert(!null && sig > 0, "end signal without a signal");
	e2e_u64(p, "peak_rss_bytes");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_nullable_u64(p, sizes[i]);
	e2e_u64(p, "samples");
}

static void check_top_keys(const struct json *j, const char *const *cmd)
{
	bool null;
	int64_t v;

	cr_assert_str_eq(e2e_str(j, "schema"), "maxrss-sc/1", "schema");
	cr_assert(e2e_argv_equals(json_get(j, "command"), cmd), "command is not the argv given");
	cr_assert_eq(e2e_u64(j, "status"), 0, "status");
	cr_assert_eq(json_path(j, "exit")->type, JSON_OBJECT, "exit is not an object");
	cr_assert_eq(e2e_u64(j, "exit.code"), 0, "exit.code");
	v = e2e_int_or_null(j, "exit.signal", &null);
	cr_assert(null, "exit.signal is %" PRId64 " for an exit", v);
	cr_assert_geq(e2e_num(j, "wall_seconds"), 0, "wall_seconds");
	e2e_u64(j, "peak_rss_bytes");
	e2e_u64(j, "peak_pid");
	e2e_u64(j, "tree.peak_rss_bytes");
	e2e_u64(j, "tree.peak_pss_bytes");
	e2e_u64(j, "tree.snapshots");
	check_nullable_u64(j, "ru_maxrss_bytes");
	e2e_u64(j, "tracer.stops");
	e2e_u64(j, "tracer.samples");
	check_nullable_u64(j, "tracer.rss_bytes");
	cr_assert_eq(json_path(j, "processes")->type, JSON_ARRAY, "processes is not an array");
}

/*
 * Processes in start order, images of one pid numbered 0, 1, ... in order,
 * a new image of a pid starting when the previous one ended by exec.
 */
static void check_process_order(const struct json *procs)
{
	double last_start = 0;

	for (size_t i = 0; i < procs->n; i++) {
		const struct json *p = procs->items[i];
		pid_t pid = (pid_t)e2e_u64(p, "pid");
		uint64_t index = e2e_u64(p, "image"), seen = 0;
		const struct json *prev = NULL;

		cr_assert_geq(e2e_num(p, "start_seconds"), last_start,
			      "processes.%zu starts before processes.%zu", i, i - 1);
		last_start = e2e_num(p, "start_seconds");
		for (size_t k = 0; k < i; k++)
			if ((pid_t)e2e_u64(procs->items[k], "pid") == pid) {
				seen++;
				prev = procs->items[k];
			}
		cr_assert_eq(index, seen, "pid %d: image %" PRIu64 " listed as its #%" PRIu64,
			     (int)pid, index, seen);
		if (prev)
			cr_assert_str_eq(e2e_str(prev, "end"), "exec",
					 "pid %d image %" PRIu64
					 " follows an image that did not exec",
					 (int)pid, index);
	}
}

static void check_headline(const struct json *j)
{
	const struct json *procs = json_get(j, "processes");
	uint64_t best = 0, peak = e2e_u64(j, "peak_rss_bytes");
	bool found = false;

	for (size_t i = 0; i < procs->n; i++)
		best = e2e_u64(procs->items[i], "peak_rss_bytes") > best ?
			       e2e_u64(procs->items[i], "peak_rss_bytes") :
			       best;
	cr_assert_eq(peak, best,
		     "peak_rss_bytes %" PRIu64 " is not the largest image peak %" PRIu64, peak,
		     best);
	for (size_t i = 0; i < procs->n; i++)
		found |= e2e_u64(procs->items[i], "pid") == e2e_u64(j, "peak_pid") &&
			 e2e_u64(procs->items[i], "peak_rss_bytes") == peak;
	cr_assert(found, "peak_pid names no image with the peak");
}

/* spawn -> (vfork child) wl grow-exec -> exec wl forktree -> 2 forked children. */
Test(cli, json_report_key_by_key)
{
	const char *wl = e2e_wl();
	const char *const *cmd = E2E_ARGS(wl, "spawn", "1", wl, "grow-exec", "1", wl, "forktree",
					  "2", "1");
	const struct json *procs, *c0, *c1;
	const struct truth *tp, *tg;
	struct e2e_run r;
	pid_t root;

	e2e_run_json(&r, cmd);
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	check_top_keys(r.json, cmd);
	procs = json_get(r.json, "processes");
	e2e_note("json: %zu process entries", procs->n);
	cr_assert_eq(procs->n, 5,
		     "expected 5 images (wl spawn, wl grow-exec, wl forktree, "
		     "2 children), got %zu:\n%s",
		     procs->n, r.report);
	for (size_t i = 0; i < procs->n; i++)
		check_process_keys(procs->items[i]);
	check_process_order(procs);
	check_headline(r.json);

	/* The first image is the command itself, never a stub of the tool. */
	cr_assert(e2e_argv_equals(json_get(procs->items[0], "argv"), cmd),
		  "processes.0 is not the command");
	/* Two "peak" lines: grow-exec's (before its exec) and spawn's (last). */
	root = (pid_t)e2e_u64(procs->items[0], "pid");
	tp = e2e_truth_of(&r, "peak", root);
	cr_assert(tp, "no truth from the spawning parent %d", (int)root);
	tg = e2e_need_truth(&r, "peak", 0);
	cr_assert_neq(tg->pid, root, "workload sanity: grow-exec printed after spawn");
	/* The spawned child: image 0 is grow-exec (no image for the borrowed mm). */
	c0 = e2e_image(r.json, tg->pid, 0);
	cr_assert(c0, "no image 0 for the spawned child %d", (int)tg->pid);
	c1 = e2e_image(r.json, tg->pid, 1);
	cr_assert(c1, "grow-exec's exec gave no image 1");
	cr_assert_str_eq(e2e_str(c0, "argv.1"), "grow-exec", "child image 0");
	cr_assert_str_eq(e2e_str(c1, "argv.1"), "forktree", "child image 1");
	cr_assert_eq(e2e_u64(c0, "ppid"), (uint64_t)tp->pid, "child's ppid");
	e2e_run_free(&r);
}

/* ---------------------------------------------------------------- text report */

/* An IEC size with one decimal, as interface.md shows it. */
#define SIZE_RE "[0-9]+(\\.[0-9])? (B|KiB|MiB|GiB)"

/* The shown command: the argv joined, or its beginning cut with "...". */
static void check_shown_command(const char *line, const char *const *cmd)
{
	char joined[4096] = "", shown[512];
	const char *start = line + strlen("maxrss-sc: "), *tail = strstr(line, " exited 0 after ");
	size_t n;

	for (; *cmd; cmd++) {
		if (joined[0])
			strcat(joined, " ");
		strcat(joined, *cmd);
	}
	cr_assert(tail && tail > start, "no command in: %s", line);
	n = (size_t)(tail - start);
	cr_assert_lt(n, sizeof(shown), "command too long in: %s", line);
	memcpy(shown, start, n);
	shown[n] = '\0';
	if (strcmp(shown, joined) == 0)
		return;
	cr_assert(n > 3 && strcmp(shown + n - 3, "...") == 0 && strncmp(shown, joined, n - 3) == 0,
		  "shown command '%s' is neither '%s' nor its beginning with '...'", shown, joined);
}

Test(cli, text_report_default)
{
	const char *const *cmd = E2E_ARGS(e2e_wl(), "hold-exit", "32");
	char line[1024], unit[8];
	const struct truth *tp;
	struct truth truths[4];
	struct run_output o;
	bool stretched;
	size_t nlines;
	double shown;

	run_plain(&o, cmd, NULL);
	cr_assert_eq(o.status, 0, "status %d, stderr: %s", o.status, o.err);
	e2e_note("text report:\n%s", o.err);
	/*
	 * A 3-line block; 4 where the sampler's back-off stretched its period
	 * (a slow or busy machine, an emulated one): its 'sampled' line then
	 * follows the tree's; 5 where VmRSS is not exact besides (Linux before
	 * 6.2), which a line under it says.
	 */
	nlines = e2e_count_lines(o.err);
	stretched = nlines >= 4;
	cr_assert(nlines >= 3 && nlines <= 5, "expected a 3-line block, got:\n%s", o.err);

	cr_assert(nth_line(o.err, 0, line, sizeof(line)));
	cr_assert(matches("^maxrss-sc: .+ exited 0 after [0-9]+\\.[0-9]+ m?s \\(timed under tracing\\)$",
			  line),
		  "first line: '%s'", line);
	check_shown_command(line, cmd);

	cr_assert(nth_line(o.err, 1, line, sizeof(line)));
	cr_assert(matches("^  whole tree at its peak +" SIZE_RE " RSS, " SIZE_RE " PSS, 1 process$",
			  line),
		  "tree line: '%s'", line);

	if (stretched) {
		cr_assert(nth_line(o.err, 2, line, sizeof(line)));
		cr_assert(matches("^  sampled +every [0-9.]+ m?s on average, not 50 ms: ", line),
			  "a fourth line that is not the stretched sampling: '%s'", line);
	}
	if (nlines == 5) {
		cr_assert(nth_line(o.err, 3, line, sizeof(line)));
		cr_assert(matches("^ +\\(VmRSS is not exact on this kernel: ", line),
			  "a fifth line that is not the VmRSS note: '%s'", line);
	}
	cr_assert(nth_line(o.err, nlines - 1, line, sizeof(line)));
	cr_assert(matches("^  largest process +" SIZE_RE
			  " RSS, pid [0-9]+ .+(hold-exit 32|\\.\\.\\.)$",
			  line),
		  "largest process line: '%s'", line);
	/* The figure itself: the 32 MiB held at exit, to the shown decimal. */
	cr_assert_geq(e2e_parse_truths(o.out, truths, 4), 1, "no truth on stdout: %s", o.out);
	tp = &truths[0];
	cr_assert_str_eq(tp->what, "peak", "workload sanity: first truth is %s", tp->what);
	cr_assert(has_number_token(line, (long)tp->pid), "largest process line lacks pid %d: '%s'",
		  (int)tp->pid, line);
	cr_assert_eq(sscanf(strstr(line, "process") + 7, "%lf %7s", &shown, unit), 2, "'%s'", line);
	cr_assert_str_eq(unit, "MiB", "'%s'", line);
	e2e_note("text: shown %.1f MiB, truth %.3f MiB", shown, (double)tp->rss / MIB);
	cr_assert(shown >= (double)tp->rss / MIB - 0.1 &&
			  shown <= (double)(tp->rss + e2e_counter_bound() + E2E_AFTER_TRUTH) / MIB +
					   0.05,
		  "shown %.1f MiB, truth %.3f MiB", shown, (double)tp->rss / MIB);
	run_free(&o);
}

/* -v: one line per image, with its pid and how it ended, under the block. */
Test(cli, text_report_verbose_tree)
{
	const char *tiny = e2e_tiny();
	struct truth truths[4];
	struct run_output o, plain;
	const struct truth *tp = NULL, *tc = NULL;
	size_t parent_line = 0, child_line = 0, n;
	char line[1024];

	run_plain(&plain, E2E_ARGS(e2e_wl(), "spawn", "1", tiny), NULL);
	run_plain(&o, E2E_ARGS("-v", e2e_wl(), "spawn", "1", tiny), NULL);
	cr_assert_eq(o.status, 0, "status %d, stderr: %s", o.status, o.err);
	e2e_note("verbose report:\n%s", o.err);
	n = e2e_parse_truths(o.out, truths, 4);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(truths[i].what, "peak") == 0)
			tp = &truths[i];
		else if (strcmp(truths[i].what, "end") == 0)
			tc = &truths[i];
	}
	cr_assert(tp && tc, "workload sanity: no truths on stdout: %s", o.out);
	cr_assert_geq(e2e_count_lines(o.err), e2e_count_lines(plain.err) + 2,
		      "-v added fewer than 2 lines (2 images):\n%s", o.err);
	for (size_t i = 3; nth_line(o.err, i, line, sizeof(line)); i++) {
		/* Cut to fit: "..." at the end, or an ellipsis where arguments were left out. */
		bool cut = matches("\\.\\.\\.$", line) || strstr(line, "\u2026");

		if (has_number_token(line, (long)tp->pid) && strstr(line, "exit") &&
		    (strstr(line, "spawn") || cut))
			parent_line = i;
		if (has_number_token(line, (long)tc->pid) && strstr(line, "exit") &&
		    (strstr(line, "tiny") || cut))
			child_line = i;
	}
	cr_assert(parent_line, "no tree line for the parent pid %d:\n%s", (int)tp->pid, o.err);
	cr_assert(child_line, "no tree line for the child pid %d:\n%s", (int)tc->pid, o.err);
	cr_assert_gt(child_line, parent_line, "the child is not listed under its parent:\n%s",
		     o.err);
	run_free(&o);
	run_free(&plain);
}
