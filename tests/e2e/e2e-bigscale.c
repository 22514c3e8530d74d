/*
 * e2e-bigscale: scale (issue 16, point 5), run by `make scale`, not by
 * make check (the two runs take minutes):
 *  - 2,000 processes alive at once, each holding 1 MiB: every one measured
 *    with its peak, the tree sums at least the 2,000 MiB they held at once;
 *  - 200,000 short-lived processes in one run: every one in the report,
 *    each ended by exit with a sample.
 * Each notes the tracer's own memory (its VmHWM, tracer.rss_bytes) and CPU
 * time (read from its /proc stat once it has exited, before it is reaped:
 * its own, without the tree's) per process, and checks that nothing of the
 * tree is left behind.  SCALE_ALIVE and SCALE_CHURN change the counts.
 */
#include <errno.h>
#include <inttypes.h>
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

TestSuite(bigscale, .init = e2e_need_tracing, .timeout = 3600);

static const char *crowd(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/crowd", getenv("WORKLOADS") ? getenv("WORKLOADS") : ".");
	return path;
}

static unsigned long count_from(const char *env, unsigned long dflt)
{
	const char *v = getenv(env);

	return v && *v ? strtoul(v, NULL, 10) : dflt;
}

/* Run the tool; stdout lines kept; its own CPU seconds read once it has exited. */
struct big_run {
	struct spawned sp;
	char *out;
	size_t out_len;
	int status;
	double cpu_s, wall_s;
};

static void big_run(struct big_run *b, const char *const *argv)
{
	struct spawn_opts so = { .new_pgrp = true, .keep_fd = -1 };
	char line[512], path[64], stat[1024], *p;
	unsigned long long utime = 0, stime = 0;
	double t0 = spawn_now_ms();
	siginfo_t si;
	FILE *f;
	pid_t left[4];
	int rc;

	memset(b, 0, sizeof(*b));
	rc = spawn_start(&b->sp, (char *const *)argv, &so);
	cr_assert_eq(rc, 0, "cannot start maxrss-sc: %s", strerror(-rc));
	while (spawn_line(&b->sp, line, sizeof(line), 3600 * 1000)) {
		size_t n = strlen(line);

		b->out = realloc(b->out, b->out_len + n + 2);
		cr_assert_not_null(b->out);
		memcpy(b->out + b->out_len, line, n);
		b->out_len += n;
		b->out[b->out_len++] = '\n';
		b->out[b->out_len] = '\0';
	}
	/* Exited, not yet reaped: its /proc stat has its own times (fields 14, 15). */
	cr_assert_eq(waitid(P_PID, (id_t)b->sp.pid, &si, WEXITED | WNOWAIT), 0, "waitid: %s",
		     strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)b->sp.pid);
	f = fopen(path, "r");
	if (f) {
		size_t n = fread(stat, 1, sizeof(stat) - 1, f);

		stat[n] = '\0';
		fclose(f);
		p = strrchr(stat, ')');
		if (p)
			sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			       &utime, &stime);
	}
	b->cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	cr_assert(spawn_wait(&b->sp, 10000, &b->status), "maxrss-sc did not end");
	b->wall_s = (spawn_now_ms() - t0) / 1e3;
	/* Nothing of the tree is left: its process group is empty. */
	cr_assert_eq(spawn_pgrp_members(b->sp.pid, left, 4), 0,
		     "processes of the tree outlived maxrss-sc (pid %d, ...)", (int)left[0]);
}

static void big_free(struct big_run *b)
{
	spawn_free(&b->sp);
	free(b->out);
}

/* The tracer's VmHWM on a tree of two processes: its own base, before any growth. */
static uint64_t tracer_base(void)
{
	struct e2e_run r;
	uint64_t rss;

	e2e_run_json(&r, E2E_ARGS(crowd(), "churn", "1", "1"));
	cr_assert_eq(r.out.status, 0, "the baseline run failed: %s", r.out.err);
	rss = e2e_u64(r.json, "tracer.rss_bytes");
	e2e_run_free(&r);
	return rss;
}

static struct json *read_report(const char *path)
{
	char err[256], *text;
	struct json *j;
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert(f, "no report %s", path);
	text = malloc(1 << 26);
	cr_assert(text, "out of memory");
	n = fread(text, 1, (1 << 26) - 1, f);
	fclose(f);
	j = json_parse(text, n, err, sizeof(err));
	free(text);
	cr_assert(j, "the report is not valid JSON: %s", err);
	return j;
}

Test(bigscale, alive_2000_each_holding_memory)
{
	unsigned long k = count_from("SCALE_ALIVE", 2000), mib = 1;
	char dir[512], report[600], k_arg[24], want[64];
	const struct json *procs;
	uint64_t rss;
	struct big_run b;
	struct json *j;
	size_t members = 0;
	uint64_t base = tracer_base();

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	snprintf(k_arg, sizeof(k_arg), "%lu", k);
	big_run(&b,
		E2E_ARGS(e2e_tool(), "--json", "-o", report, crowd(), "alive", k_arg, "1", "500"));
	cr_assert(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 0, "status 0x%x; stderr:\n%s",
		  b.status, b.sp.errbuf ? b.sp.errbuf : "");
	snprintf(want, sizeof(want), "crowd alive=%lu\n", k);
	cr_assert(strstr(b.out, want) && strstr(b.out, "crowd done\n"),
		  "the workload said:\n%.2000s", b.out);

	j = read_report(report);
	procs = json_get(j, "processes");
	cr_assert_eq(procs->n, k + 1, "%zu images, expected %lu", procs->n, k + 1);
	cr_assert_eq(e2e_u64(j, "tree.processes"), k + 1, "tree.processes");
	/* Every member: its own image, ended by exit 0, its peak at least what it held. */
	for (const char *l = b.out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		struct truth t;
		const struct json *img;
		uint64_t peak;

		/* This line only: the parser would go on to the next truth line. */
		if (strncmp(l, "truth ", 6) != 0 || e2e_parse_truths(l, &t, 1) != 1 ||
		    strcmp(t.what, "hold") != 0)
			continue;
		members++;
		img = e2e_image(j, t.pid, 0);
		cr_assert_not_null(img, "member %d has no image in the report", (int)t.pid);
		e2e_check_end(img, "exit");
		peak = e2e_u64(img, "peak_rss_bytes");
		cr_assert(peak >= e2e_sub(t.rss, E2E_EXACT_BELOW),
			  "member %d: peak %" PRIu64 " below its reading %" PRIu64, (int)t.pid,
			  peak, t.rss);
	}
	cr_assert_eq(members, k, "%zu members told their truth, expected %lu", members, k);
	/* All held their MiB at once, each read while holding it: the sums saw it. */
	e2e_assert_within("tree.peak_pss_bytes", e2e_u64(j, "tree.peak_pss_bytes"), k * mib * MIB,
			  UINT64_MAX);
	e2e_assert_within("tree.peak_rss_bytes", e2e_u64(j, "tree.peak_rss_bytes"), k * mib * MIB,
			  UINT64_MAX);
	rss = e2e_u64(j, "tracer.rss_bytes");
	e2e_note("%lu alive at once: %.1f s; tracer VmHWM %.1f MiB, %.0f bytes per process over "
		 "its base of %.1f MiB; CPU %.2f s, %.0f us per process; %" PRIu64
		 " stops, %" PRIu64 " timed passes; tree peak PSS %.1f MiB",
		 k, b.wall_s, (double)rss / MIB, (double)e2e_sub(rss, base) / (double)(k + 1),
		 (double)base / MIB, b.cpu_s, b.cpu_s * 1e6 / (double)(k + 1),
		 e2e_u64(j, "tracer.stops"), e2e_u64(j, "tracer.timed_passes"),
		 (double)e2e_u64(j, "tree.peak_pss_bytes") / MIB);
	if (!e2e_sanitized())
		cr_assert_lt(rss, 64 * MIB, "the tracer's VmHWM %" PRIu64 " for %lu processes", rss,
			     k);
	json_free(j);
	big_free(&b);
	e2e_rmtree(dir);
}

/* The number after "key": in line, or -1. */
static long long number_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

Test(bigscale, churn_200000_short_lived)
{
	unsigned long n = count_from("SCALE_CHURN", 200000);
	char dir[512], report[600], n_arg[24], want[64], *line = NULL;
	long long tree_processes = -1, rss = -1, stops = -1, status = -1;
	size_t cap = 0, images = 0, exited = 0, sampled = 0;
	struct big_run b;
	uint64_t base = tracer_base();
	FILE *f;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	snprintf(n_arg, sizeof(n_arg), "%lu", n);
	big_run(&b, E2E_ARGS(e2e_tool(), "--json", "-o", report, crowd(), "churn", n_arg, "2"));
	cr_assert(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 0, "status 0x%x; stderr:\n%s",
		  b.status, b.sp.errbuf ? b.sp.errbuf : "");
	snprintf(want, sizeof(want), "crowd churned=%lu failed=0\n", n);
	cr_assert_str_eq(b.out, want);

	/* The report has one line per image: read it as lines, not as one tree. */
	f = fopen(report, "r");
	cr_assert_not_null(f, "no report");
	while (getline(&line, &cap, f) > 0) {
		if (strncmp(line, "    {\"pid\": ", 12) == 0) {
			images++;
			exited += strstr(line, "\"end\": \"exit\", \"exit_code\": 0,") != NULL;
			sampled += number_after(line, "\"samples\": ") >= 1 &&
				   !strstr(line, "\"peak_rss_bytes\": null");
		} else if (strncmp(line, "  \"tree\": ", 10) == 0) {
			tree_processes = number_after(line, "\"processes\": ");
		} else if (strncmp(line, "  \"tracer\": ", 12) == 0) {
			rss = number_after(line, "\"rss_bytes\": ");
			stops = number_after(line, "\"stops\": ");
		} else if (strncmp(line, "  \"status\": ", 12) == 0) {
			status = number_after(line, "\"status\": ");
		}
	}
	free(line);
	fclose(f);
	e2e_note("%lu short-lived processes: %.1f s; %zu images; tracer VmHWM %.1f MiB, %.0f bytes "
		 "per process over its base of %.1f MiB; CPU %.2f s, %.0f us per process; %lld "
		 "stops",
		 n, b.wall_s, images, (double)rss / MIB,
		 (double)e2e_sub((uint64_t)rss, base) / (double)(n + 1), (double)base / MIB,
		 b.cpu_s, b.cpu_s * 1e6 / (double)(n + 1), stops);
	cr_assert_eq(status, 0, "the report's status");
	cr_assert_eq(images, n + 1, "%zu images, expected %lu", images, n + 1);
	cr_assert_eq(tree_processes, (long long)n + 1, "tree.processes");
	cr_assert_eq(exited, n + 1, "%zu images ended by exit 0 of %lu", exited, n + 1);
	cr_assert_eq(sampled, n + 1, "%zu images were measured of %lu", sampled, n + 1);
	/* Every image is kept for the report: a few hundred bytes each. */
	if (!e2e_sanitized())
		cr_assert_lt((double)e2e_sub((uint64_t)rss, base) / (double)(n + 1), 2048.0,
			     "the tracer keeps %.0f bytes per process",
			     (double)e2e_sub((uint64_t)rss, base) / (double)(n + 1));
	big_free(&b);
	e2e_rmtree(dir);
}
