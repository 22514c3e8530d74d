/*
 * e2e-compare: comparison mode against the workloads' own readings.  Commands
 * of known size compared side by side (their ratios, each command's
 * statistics), a parameter scan (the growth exponent of linear and of
 * quadratic memory), a baseline gate in CI, the exports, and bad input
 * refused before anything runs.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "e2e.h"

TestSuite(compare, .timeout = 120);

/* "WL SUBCOMMAND ARG", one command line of wl, in a buffer of the caller's. */
static const char *wl_line(char *buf, size_t len, const char *sub, const char *arg)
{
	snprintf(buf, len, "%s %s %s", e2e_wl(), sub, arg);
	return buf;
}

/* The object of commands[i] of a comparison report. */
static const struct json *command_at(const struct e2e_run *r, size_t i)
{
	const struct json *c = json_at(json_path(r->json, "commands"), i);

	cr_assert(c, "no commands.%zu in the report:\n%s", i, r->report);
	return c;
}

/*
 * The mean of the workload's own peak readings over the runs of command c
 * (its runs' processes name the pids), and the most that a reported peak of
 * such a run may be above (counter bound, pages after the reading) or below.
 */
static double truth_mean(const struct e2e_run *r, const struct json *c)
{
	const struct json *runs = json_get(c, "runs");
	double sum = 0;
	size_t n = 0;

	for (size_t i = 0; runs && i < runs->n; i++) {
		const struct json *procs = json_get(json_at(runs, i), "processes");

		for (size_t k = 0; procs && k < procs->n; k++) {
			pid_t pid = (pid_t)e2e_u64(json_at(procs, k), "pid");
			const struct truth *t = e2e_truth_of(r, "peak", pid);

			if (t) {
				sum += (double)t->rss;
				n++;
			}
		}
	}
	cr_assert_gt(n, 0, "no truth line for the runs of %s", e2e_str(c, "command_line"));
	return sum / (double)n;
}

/*
 * Three commands holding 10, 20 and 40 MiB: the summary of each is the
 * statistics of its own runs (as a single --runs of it computes them), and
 * the ratios to the least are the ratios of the workloads' own readings,
 * within what each run's peak may differ from its reading (e2e.h).
 */
Test(compare, ratios_of_known_sizes)
{
	char a[4096], b[4096], c[4096];
	const double below = (double)E2E_EXACT_BELOW,
		     above = (double)(e2e_counter_bound() + E2E_AFTER_TRUTH);
	double t10, sum;
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("-C", "-r", "3", "-i", "0", "--show-output"),
		E2E_ARGS(wl_line(a, sizeof(a), "hold-exit", "10"),
			 wl_line(b, sizeof(b), "hold-exit", "20"),
			 wl_line(c, sizeof(c), "hold-exit", "40")),
		NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert_str_eq(e2e_str(r.json, "mode"), "compare");
	cr_assert_eq(e2e_u64(r.json, "least.peak_rss_bytes"), 0, "the 10 MiB one needs least");
	t10 = truth_mean(&r, command_at(&r, 0));
	for (size_t i = 0; i < 3; i++) {
		const struct json *cmd = command_at(&r, i), *runs = json_get(cmd, "runs");
		double t = truth_mean(&r, cmd),
		       ratio = e2e_num(cmd, "relative.peak_rss_bytes.ratio");
		double lo = (t - below) / (t10 + above), hi = (t + above) / (t10 - below);

		/* The summary is its runs' own mean. */
		sum = 0;
		for (size_t k = 0; k < runs->n; k++)
			sum += (double)e2e_u64(json_at(runs, k), "peak_rss_bytes");
		cr_assert_eq(runs->n, 3);
		cr_assert(fabs(e2e_num(cmd, "summary.peak_rss_bytes.mean") - sum / 3) <= 1,
			  "summary mean %f, runs' mean %f",
			  e2e_num(cmd, "summary.peak_rss_bytes.mean"), sum / 3);
		e2e_note("%s: ratio %.4f, readings' ratio %.4f, allowed [%.4f, %.4f]",
			 e2e_str(cmd, "command_line"), ratio, t / t10, lo, hi);
		cr_assert(ratio >= lo && ratio <= hi, "command %zu: ratio %f not in [%f, %f]", i,
			  ratio, lo, hi);
		if (i)
			cr_assert(json_get(json_path(cmd, "relative.peak_rss_bytes"),
					   "beyond_noise")
					  ->boolean,
				  "command %zu: %.0f MiB against 10 MiB within the noise", i,
				  t / (1 << 20));
	}
	/* The text summary names the least one and the others' ratios. */
	e2e_run_free(&r);
}

/* The text report: one block per command, and the summary. */
Test(compare, text_report)
{
	char a[4096], b[4096];
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("-C", "-r", "2", "-i", "0", "--show-output"),
		E2E_ARGS(wl_line(a, sizeof(a), "hold-exit", "20"),
			 wl_line(b, sizeof(b), "hold-exit", "10")),
		NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert(strstr(r.report, "maxrss-sc: 2 commands, 2 runs each, interleaved"), "%s",
		  r.report);
	/* Sorted by peak: the 10 MiB command is [1]. */
	cr_assert(strstr(r.report, "[1] ") && strstr(strstr(r.report, "[1] "), "hold-exit 10"),
		  "%s", r.report);
	cr_assert(strstr(r.report, "times as much, beyond the noise"), "%s", r.report);
	cr_assert(strstr(r.report, "measured under tracing"), "%s", r.report);
	e2e_run_free(&r);
}

/* The growth exponent of a scan: 1 for n MiB, 2 for n * n / 8 MiB, within 0.05. */
static void check_exponent(const char *sub, const char *range, double want)
{
	char line[4096];
	struct e2e_run r;
	double k;

	e2e_run(&r, E2E_ARGS("-r", "1", "-i", "0", "-P", range), E2E_ARGS(e2e_wl(), sub, "{n}"),
		NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	k = e2e_num(r.json, "fits.0.exponent");
	snprintf(line, sizeof(line), "%s over %s", sub, range);
	e2e_note("%s: exponent %.4f (R^2 %.5f, base %.0f bytes), expected %.0f", line, k,
		 e2e_num(r.json, "fits.0.r_squared"), e2e_num(r.json, "fits.0.base_bytes"), want);
	cr_assert(fabs(k - want) <= 0.05, "%s: exponent %f, expected %f +- 0.05", line, k, want);
	cr_assert_eq(e2e_u64(r.json, "fits.0.points"), json_path(r.json, "commands")->n);
	e2e_run_free(&r);
}

Test(compare, scan_linear_growth)
{
	check_exponent("hold-exit", "n=8:128:24", 1);
}

/* MemAvailable of /proc/meminfo in MiB, 0 when unknown. */
static uint64_t mem_available_mib(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib / 1024;
}

/*
 * Its largest run holds HIGH^2/8 MiB: 2 GiB at 128, where the machine has
 * room for it; else (a VM of 2 GiB in check-vm) up to 80, 800 MiB.
 */
Test(compare, scan_quadratic_growth)
{
	uint64_t avail = mem_available_mib();

	e2e_note("MemAvailable: %llu MiB", (unsigned long long)avail);
	check_exponent("hold-square", avail >= 3 * 1024 ? "n=8:128:40" : "n=8:80:24", 2);
}

/*
 * A baseline from a 20 MiB run gates a 30 MiB run of the same command line
 * at --max-increase=10 (status 122), and passes another 20 MiB run.
 */
Test(compare, baseline_gate)
{
	char dir[512], base[600], opt[640];
	struct e2e_run r;
	FILE *f;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(base, sizeof(base), "%s/base.json", dir);
	setenv("WL_MIB", "20", 1);
	e2e_run(&r, NULL, E2E_ARGS(e2e_wl(), "hold-env"), NULL, true);
	cr_assert_eq(r.out.status, 0);
	f = fopen(base, "w");
	cr_assert(f && fwrite(r.report, 1, r.report_len, f) == r.report_len && fclose(f) == 0);
	e2e_run_free(&r);
	snprintf(opt, sizeof(opt), "--baseline=%s", base);

	setenv("WL_MIB", "30", 1);
	e2e_run(&r, E2E_ARGS(opt, "--max-increase=10"), E2E_ARGS(e2e_wl(), "hold-env"), NULL, true);
	e2e_note("30 MiB against a 20 MiB baseline: status %d, stderr %s", r.out.status, r.out.err);
	cr_assert_eq(r.out.status, 122, "status %d: %s", r.out.status, r.out.err);
	cr_assert(json_get(json_path(r.json, "commands.0.baseline"), "exceeded")->boolean);
	cr_assert(strstr(r.out.err, "--max-increase=10"), "%s", r.out.err);
	e2e_run_free(&r);

	setenv("WL_MIB", "20", 1);
	e2e_run(&r, E2E_ARGS(opt, "--max-increase=10"), E2E_ARGS(e2e_wl(), "hold-env"), NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert_not(json_get(json_path(r.json, "commands.0.baseline"), "exceeded")->boolean);
	e2e_run_free(&r);

	/* A command the baseline does not have is reported, not failed. */
	e2e_run(&r, E2E_ARGS(opt, "--max-increase=10"), E2E_ARGS(e2e_wl(), "hold-exit", "30"), NULL,
		false);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert(strstr(r.report, "not in the baseline"), "%s", r.report);
	e2e_run_free(&r);
	unsetenv("WL_MIB");
	e2e_rmtree(dir);
}

/* The Markdown export is a table a Markdown parser renders (cmark-gfm); the CSV has a row each. */
Test(compare, exports)
{
	char dir[512], md[600], csv[600], o1[640], o2[640], a[4096], b[4096], cmd[1400];
	struct e2e_run r;
	size_t len;
	char *text, *html;
	FILE *p;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(md, sizeof(md), "%s/t.md", dir);
	snprintf(csv, sizeof(csv), "%s/t.csv", dir);
	snprintf(o1, sizeof(o1), "--export-markdown=%s", md);
	snprintf(o2, sizeof(o2), "--export-csv=%s", csv);
	e2e_run(&r, E2E_ARGS("-C", "-r", "2", "-i", "0", o1, o2),
		E2E_ARGS(wl_line(a, sizeof(a), "hold-exit", "8"),
			 wl_line(b, sizeof(b), "hold-exit", "16 | cat")),
		NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	text = e2e_read_file(csv, &len);
	cr_assert_eq(e2e_count_lines(text), 3, "CSV: a header and a row per command:\n%s", text);
	cr_assert(strncmp(text, "rank,command,runs,failed_runs,peak_rss_bytes_mean", 49) == 0, "%s",
		  text);
	free(text);
	if (access("/usr/bin/cmark-gfm", X_OK) != 0) {
		e2e_run_free(&r);
		e2e_rmtree(dir);
		cr_skip_test("cmark-gfm is not installed (Debian: apt-get install cmark-gfm)");
	}
	snprintf(cmd, sizeof(cmd), "cmark-gfm -e table '%s'", md);
	p = popen(cmd, "r");
	cr_assert(p);
	html = calloc(1, 65536);
	len = fread(html, 1, 65535, p);
	cr_assert_eq(pclose(p), 0);
	e2e_note("Markdown rendered:\n%.*s", (int)len, html);
	cr_assert(strstr(html, "<table>"), "not a table:\n%s", html);
	/* A header row and one per command; the '|' of a command stays in its cell. */
	cr_assert_eq((size_t)(strstr(html, "</table>") - strstr(html, "<table>")) > 0, 1);
	{
		size_t rows = 0;

		for (const char *s = html; (s = strstr(s, "<tr>")); s++)
			rows++;
		cr_assert_eq(rows, 3, "%zu rows:\n%s", rows, html);
	}
	cr_assert(strstr(html, "16 | cat"), "the pipe of the command line was lost:\n%s", html);
	free(html);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}

/* -N: words, quotes respected, no shell between the tool and the command. */
Test(compare, no_shell_words)
{
	char a[4096];
	struct e2e_run r;

	snprintf(a, sizeof(a), "%s hold-exit '8'", e2e_wl());
	e2e_run(&r, E2E_ARGS("-C", "-N", "-r", "1", "-i", "0"), E2E_ARGS(a), NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert(e2e_argv_equals(json_path(r.json, "commands.0.command"),
				  E2E_ARGS(e2e_wl(), "hold-exit", "8")),
		  "%s", r.report);
	/* Without a shell, the one process of each run is the workload. */
	cr_assert_eq(e2e_u64(r.json, "commands.0.runs.0.tree.processes"), 1);
	e2e_run_free(&r);
}

/* Bad input: one line, status 125, and nothing run (the marker is never made). */
static void check_refused(const char *const *args, const char *words)
{
	char dir[512], marker[600], lines[8][800];
	const char *argv[16];
	struct run_output out;
	struct stat st;
	size_t n = 0;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(marker, sizeof(marker), "%s/ran", dir);
	argv[n++] = e2e_tool();
	/* "CMD..." is the command line that would make the marker. */
	for (; *args; args++) {
		cr_assert_lt(n, 8);
		if (strncmp(*args, "CMD", 3) == 0) {
			snprintf(lines[n], sizeof(lines[n]), "touch %s%s", marker, *args + 3);
			argv[n] = lines[n];
			n++;
		} else {
			argv[n++] = *args;
		}
	}
	argv[n] = NULL;
	cr_assert_eq(run_capture((char *const *)argv, NULL, &out), 0);
	e2e_note("refused: %s", out.err);
	cr_assert_eq(out.status, 125, "status %d, stderr %s", out.status, out.err);
	cr_assert_eq(e2e_count_lines(out.err), 1, "not one line: %s", out.err);
	cr_assert(strstr(out.err, words), "'%s' not in: %s", words, out.err);
	cr_assert(stat(marker, &st) != 0, "the command ran");
	run_free(&out);
	e2e_rmtree(dir);
}

Test(compare, bad_input_is_refused_before_anything_runs)
{
	char dir[512], notjson[600], other[600], o1[640], o2[640];
	FILE *f;

	check_refused(E2E_ARGS("-C", "-L", "n=1", "CMD{n} {x}"), "{x}");
	check_refused(E2E_ARGS("-C", "-L", "n=", "CMD {n}"), "empty");
	check_refused(E2E_ARGS("-C", "-P", "n=1:10:4", "CMD {n}"), "never reach");
	check_refused(E2E_ARGS("-C", "-L", "n=1,2", "CMD"), "no {n}");
	check_refused(E2E_ARGS("-C"), "no command line");
	check_refused(E2E_ARGS("--max-increase=5", "CMD"), "--baseline");
	check_refused(E2E_ARGS("-C", "-N", "CMD 'open"), "quote");
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(notjson, sizeof(notjson), "%s/a.json", dir);
	snprintf(other, sizeof(other), "%s/b.json", dir);
	f = fopen(notjson, "w");
	cr_assert(f && fputs("hello\n", f) >= 0 && fclose(f) == 0);
	f = fopen(other, "w");
	cr_assert(f && fputs("{\"schema\": \"other/2\"}\n", f) >= 0 && fclose(f) == 0);
	snprintf(o1, sizeof(o1), "--baseline=%s", notjson);
	snprintf(o2, sizeof(o2), "--baseline=%s", other);
	check_refused(E2E_ARGS(o1, "-C", "CMD"), "is not JSON: ");
	check_refused(E2E_ARGS(o2, "-C", "CMD"), "not a report of maxrss-sc");
	e2e_rmtree(dir);
}

/* One command's --runs exports a one-row table too. */
Test(compare, export_of_one_series)
{
	char dir[512], csv[600], o[640];
	struct e2e_run r;
	size_t len;
	char *text;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(csv, sizeof(csv), "%s/t.csv", dir);
	snprintf(o, sizeof(o), "--export-csv=%s", csv);
	e2e_run(&r, E2E_ARGS("-r", "2", "-i", "0", o), E2E_ARGS(e2e_wl(), "hold-exit", "4"), NULL,
		true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	/* Not a comparison: the report keeps the --runs form. */
	cr_assert_null(json_get(r.json, "mode"));
	text = e2e_read_file(csv, &len);
	cr_assert_eq(e2e_count_lines(text), 2, "%s", text);
	free(text);
	e2e_run_free(&r);
	e2e_rmtree(dir);
}
