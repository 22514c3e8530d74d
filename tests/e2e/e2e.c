/* e2e: shared helpers of the end-to-end tests (see e2e.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <criterion/logging.h>

#include "../lib/kernel.h"
#include "../lib/tracing.h"
#include "e2e.h"

/* The probe's answer for the tests: "" when tracing works, else the reason. */
#define TRACING_ENV "MAXRSS_TEST_TRACING"

/* Once, in the runner, before any test: the workers inherit its answer. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	char why[256] = "";

	(void)set;
	if (!tracing_refused(why, sizeof(why)))
		why[0] = '\0';
	setenv(TRACING_ENV, why, 1);
}

void e2e_need_tracing(void)
{
	const char *why = getenv(TRACING_ENV);
	char buf[256];

	/* Run alone (the hook did not): ask now. */
	if (!why) {
		why = tracing_refused(buf, sizeof(buf)) ? buf : "";
		setenv(TRACING_ENV, why, 1);
	}
	if (*why)
		cr_skip_test("tracing is refused here: %s", why);
}

#define E2E_MAX_ARGS 64

static const char *need_env(const char *path, const char *name)
{
	cr_assert(path, "%s is not set: run the e2e tests through 'make check'", name);
	return path;
}

const char *e2e_tool(void)
{
	return need_env(run_tool(), "MAXRSS_SC");
}

/* "$WORKLOADS/name" into buf. */
static const char *workload(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s", need_env(run_workload(name), "WORKLOADS"));
	return buf;
}

/* Each its own buffer: several go into one command line. */
#define WORKLOAD_PATH(fn, name)                            \
	const char *fn(void)                               \
	{                                                  \
		static char path[4096];                    \
                                                           \
		return workload(path, sizeof(path), name); \
	}

WORKLOAD_PATH(e2e_wl, "wl")
WORKLOAD_PATH(e2e_tiny, "tiny")
WORKLOAD_PATH(e2e_wl3, "wl3")
WORKLOAD_PATH(e2e_rely, "rely")
WORKLOAD_PATH(e2e_lifecycle, "lifecycle")
WORKLOAD_PATH(e2e_randtree, "randtree")

void e2e_searchable_path(void)
{
	const char *path = getenv("PATH");
	char *keep, *copy, *dir, *save = NULL;
	size_t n = 0;

	if (!path)
		return;
	keep = calloc(1, strlen(path) + 1);
	copy = strdup(path);
	cr_assert(keep && copy, "out of memory");
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		if (access(dir, X_OK) != 0)
			continue;
		n += (size_t)sprintf(keep + n, "%s%s", n ? ":" : "", dir);
	}
	setenv("PATH", n ? keep : "/usr/bin:/bin", 1);
	free(keep);
	free(copy);
}

bool e2e_sanitized(void)
{
	const char *s = getenv("MAXRSS_SANITIZERS");

	return s && *s;
}

static size_t add_args(const char **argv, size_t n, const char *const *args)
{
	for (; args && *args; args++) {
		cr_assert(n + 1 < E2E_MAX_ARGS, "too many arguments for e2e_run");
		argv[n++] = *args;
	}
	return n;
}

char *e2e_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (cap - *len < 4096) {
			char *b;

			cap = cap ? cap * 2 : 16384;
			b = realloc(buf, cap + 1);
			cr_assert(b, "out of memory");
			buf = b;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	if (!buf)
		buf = malloc(1);
	cr_assert(buf, "out of memory");
	buf[*len] = '\0';
	return buf;
}

/* Temporary file for the report; its name goes to path. */
static void report_path(char *path, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/maxrss-sc-e2e-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	cr_assert(fd >= 0, "mkstemp(%s): %s", path, strerror(errno));
	close(fd);
}

void e2e_run(struct e2e_run *r, const char *const *opts, const char *const *cmd,
	     const char *stdin_text, bool json)
{
	const char *argv[E2E_MAX_ARGS];
	char path[4096], err[256];
	size_t n = 0;

	e2e_need_tracing();
	memset(r, 0, sizeof(*r));
	report_path(path, sizeof(path));
	argv[n++] = e2e_tool();
	if (json)
		argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = path;
	n = add_args(argv, n, opts);
	n = add_args(argv, n, cmd);
	argv[n] = NULL;

	cr_assert(run_capture((char *const *)argv, stdin_text, &r->out) == 0, "cannot run %s: %s",
		  argv[0], strerror(errno));
	r->report = e2e_read_file(path, &r->report_len);
	unlink(path);
	cr_assert(r->report, "no report file");
	r->ntruths = e2e_parse_truths(r->out.out, r->truths, E2E_MAX_TRUTHS);
	if (!json)
		return;
	r->json = json_parse(r->report, r->report_len, err, sizeof(err));
	cr_assert(r->json, "the report is not valid JSON (%s); status %d, stderr:\n%s\nreport:\n%s",
		  err, r->out.status, r->out.err, r->report);
	cr_assert(r->json->type == JSON_OBJECT, "the report is not a JSON object");
}

void e2e_run_json(struct e2e_run *r, const char *const *cmd)
{
	e2e_run(r, NULL, cmd, NULL, true);
}

void e2e_run_free(struct e2e_run *r)
{
	run_free(&r->out);
	json_free(r->json);
	free(r->report);
	memset(r, 0, sizeof(*r));
}

/* One line, already known to start with "truth "; 0 when it parsed. */
static int parse_truth_line(const char *line, struct truth *t)
{
	unsigned long long rss, pss;
	int pid, used = 0;

	if (sscanf(line, "truth pid=%d what=%31s rss=%llu pss=%llu%n", &pid, t->what, &rss, &pss,
		   &used) != 4 ||
	    (line[used] != '\n' && line[used] != '\0'))
		return -1;
	t->pid = (pid_t)pid;
	t->rss = rss;
	t->pss = pss;
	return 0;
}

size_t e2e_parse_truths(const char *text, struct truth *t, size_t max)
{
	size_t n = 0;

	while (text && *text && n < max) {
		const char *nl = strchr(text, '\n');

		if (strncmp(text, "truth ", 6) == 0 && parse_truth_line(text, &t[n]) == 0)
			n++;
		text = nl ? nl + 1 : NULL;
	}
	return n;
}

const struct truth *e2e_truth(const struct e2e_run *r, const char *what, size_t nth)
{
	for (size_t i = 0; i < r->ntruths; i++)
		if (strcmp(r->truths[i].what, what) == 0 && nth-- == 0)
			return &r->truths[i];
	return NULL;
}

const struct truth *e2e_truth_of(const struct e2e_run *r, const char *what, pid_t pid)
{
	for (size_t i = 0; i < r->ntruths; i++)
		if (strcmp(r->truths[i].what, what) == 0 && r->truths[i].pid == pid)
			return &r->truths[i];
	return NULL;
}

uint64_t e2e_truth_max_rss(const struct e2e_run *r, pid_t pid)
{
	uint64_t max = 0;

	for (size_t i = 0; i < r->ntruths; i++)
		if (r->truths[i].pid == pid && r->truths[i].rss > max)
			max = r->truths[i].rss;
	return max;
}

const struct truth *e2e_need_truth(const struct e2e_run *r, const char *what, size_t nth)
{
	const struct truth *t = e2e_truth(r, what, nth);

	cr_assert(t, "the workload printed no truth what=%s (#%zu); its stdout:\n%s", what, nth,
		  r->out.out);
	return t;
}

uint64_t e2e_exact_below(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page <= 4096 ? 64 * KIB : 32 * (uint64_t)page;
}

/*
 * Before Linux 6.2 the RSS counters were per-task caches instead, folded
 * into the mm when a fault finds 65 faults unfolded and when the task
 * exits.  A file fault may map a whole 64 KiB fault-around window, so the
 * tool allows 65 of those per thread below the truth (why.h).  The
 * workloads here fault the memory a test checks in anonymously, a page a
 * fault, long after the file faults of their start-up were folded: 64
 * pages per thread (for E2E_MAX_THREADS; fewer threads leave the slack of
 * the 65th).  No counter tells which scheme the kernel runs, so its
 * release does.
 */
/* Threads of one workload that touch memory: at most wl threads 4, and main. */
#define E2E_MAX_THREADS 5

uint64_t e2e_counter_bound(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE);
	long per_cpu;

	if (kernel_per_task_counters())
		return E2E_MAX_THREADS * 64 * (uint64_t)page;
	if (cpus < 1)
		cpus = 1;
	per_cpu = 2 * cpus > 32 ? 2 * cpus : 32;
	/*
	 * VmHWM follows get_mm_rss(), the sum of three per-CPU counters (anon,
	 * file, shmem), each off by up to cpus * batch pages.  The workloads
	 * change anon and file pages (shmem stays put), so two counters' worth
	 * (measured here: up to 225 KiB low against one counter's 256 KiB).
	 */
	return 2 * (uint64_t)cpus * (uint64_t)per_cpu * (uint64_t)page;
}

uint64_t e2e_thread_end_bound(unsigned threads)
{
	if (!kernel_thp_stack())
		return 0;
	if (kernel_per_task_counters())
		return (uint64_t)threads * kernel_counter_lag_per_thread();
	return e2e_counter_bound();
}

static const struct json *need(const struct json *root, const char *path, enum json_type type)
{
	const struct json *j = json_path(root, path);

	cr_assert(j, "report: no key %s", path);
	cr_assert(j->type == type, "report: %s has JSON type %d, expected %d", path, j->type, type);
	return j;
}

/* 2^53: above it a double no longer holds every integer. */
#define EXACT_DOUBLE_MAX 9007199254740992.0

uint64_t e2e_u64(const struct json *root, const char *path)
{
	double v = need(root, path, JSON_NUMBER)->number;

	cr_assert(v >= 0 && v <= EXACT_DOUBLE_MAX && (double)(uint64_t)v == v,
		  "report: %s = %g is not a non-negative integer", path, v);
	return (uint64_t)v;
}

double e2e_num(const struct json *root, const char *path)
{
	return need(root, path, JSON_NUMBER)->number;
}

const char *e2e_str(const struct json *root, const char *path)
{
	return need(root, path, JSON_STRING)->string;
}

int64_t e2e_int_or_null(const struct json *root, const char *path, bool *is_null)
{
	const struct json *j = json_path(root, path);

	cr_assert(j, "report: no key %s", path);
	*is_null = j->type == JSON_NULL;
	if (*is_null)
		return 0;
	cr_assert(j->type == JSON_NUMBER && j->number >= -EXACT_DOUBLE_MAX &&
			  j->number <= EXACT_DOUBLE_MAX && (double)(int64_t)j->number == j->number,
		  "report: %s is neither an integer nor null", path);
	return (int64_t)j->number;
}

const struct json *e2e_image(const struct json *report, pid_t pid, unsigned index)
{
	const struct json *procs = json_get(report, "processes");

	for (size_t i = 0; procs && i < procs->n; i++) {
		const struct json *p = json_at(procs, i), *jp = json_get(p, "pid"),
				  *ji = json_get(p, "image");

		if (jp && ji && jp->type == JSON_NUMBER && ji->type == JSON_NUMBER &&
		    (pid_t)jp->number == pid && (unsigned)ji->number == index)
			return p;
	}
	return NULL;
}

size_t e2e_count_images(const struct json *report, pid_t pid)
{
	const struct json *procs = json_get(report, "processes");
	size_t n = 0;

	for (size_t i = 0; procs && i < procs->n; i++) {
		const struct json *jp = json_get(json_at(procs, i), "pid");

		if (jp && jp->type == JSON_NUMBER && (pid_t)jp->number == pid)
			n++;
	}
	return n;
}

bool e2e_argv_equals(const struct json *arr, const char *const *args)
{
	size_t i;

	if (!arr || arr->type != JSON_ARRAY)
		return false;
	for (i = 0; args[i]; i++) {
		const struct json *s = json_at(arr, i);

		if (!s || s->type != JSON_STRING || strcmp(s->string, args[i]) != 0)
			return false;
	}
	return i == arr->n;
}

uint64_t e2e_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void e2e_assert_within(const char *label, uint64_t v, uint64_t lo, uint64_t hi)
{
	e2e_note("%s: %" PRIu64 " in [%" PRIu64 ", %" PRIu64 "]", label, v, lo, hi);
	cr_assert(v >= lo && v <= hi,
		  "%s: reported %" PRIu64 " bytes, allowed [%" PRIu64 ", %" PRIu64 "] (%" PRId64
		  " bytes %s the range)",
		  label, v, lo, hi, v < lo ? (int64_t)(lo - v) : (int64_t)(v - hi),
		  v < lo ? "below" : "above");
}

void e2e_tmpdir(char *buf, size_t len)
{
	const char *dir = getenv("TMPDIR");

	snprintf(buf, len, "%s/maxrss-sc-e2e-XXXXXX", dir && *dir ? dir : "/tmp");
	cr_assert(mkdtemp(buf), "mkdtemp(%s): %s", buf, strerror(errno));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void e2e_rmtree(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void e2e_note(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cr_log_info("%s", buf);
	fprintf(stderr, "# %s\n", buf);
}

size_t e2e_count_lines(const char *text)
{
	size_t n = 0;

	for (; text && *text; text++)
		if (*text == '\n' || text[1] == '\0')
			n++;
	return n;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void e2e_run_limited(struct e2e_run *r, unsigned limit, const char *const *opts,
		     const char *const *cmd, bool json)
{
	const char *argv[E2E_MAX_ARGS];
	char path[4096], secs[16], err[256];
	double start, took;
	size_t n = 0;

	e2e_need_tracing();
	memset(r, 0, sizeof(*r));
	report_path(path, sizeof(path));
	snprintf(secs, sizeof(secs), "%u", limit);
	/* TERM first (the tool may still write its report), KILL 2 s later. */
	argv[n++] = "timeout";
	argv[n++] = "-k";
	argv[n++] = "2";
	argv[n++] = secs;
	argv[n++] = e2e_tool();
	if (json)
		argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = path;
	n = add_args(argv, n, opts);
	n = add_args(argv, n, cmd);
	argv[n] = NULL;

	start = now_seconds();
	cr_assert(run_capture((char *const *)argv, NULL, &r->out) == 0, "cannot run timeout(1): %s",
		  strerror(errno));
	took = now_seconds() - start;
	r->report = e2e_read_file(path, &r->report_len);
	unlink(path);
	/* timeout(1) says 124 (or 137 after its KILL): tell that from the tool's own. */
	cr_assert(took < limit,
		  "maxrss-sc did not finish within %u s (status %d): a hang; stderr:\n%s", limit,
		  r->out.status, r->out.err);
	cr_assert(r->report, "no report file");
	r->ntruths = e2e_parse_truths(r->out.out, r->truths, E2E_MAX_TRUTHS);
	if (!json)
		return;
	r->json = json_parse(r->report, r->report_len, err, sizeof(err));
	cr_assert(r->json, "the report is not valid JSON (%s); status %d, stderr:\n%s\nreport:\n%s",
		  err, r->out.status, r->out.err, r->report);
	cr_assert(r->json->type == JSON_OBJECT, "the report is not a JSON object");
}

const struct json *e2e_need_image(const struct e2e_run *r, pid_t pid, unsigned index)
{
	const struct json *img = e2e_image(r->json, pid, index);

	cr_assert(img, "no process entry for pid %d image %u; report:\n%s", (int)pid, index,
		  r->report);
	return img;
}

void e2e_check_end(const struct json *img, const char *end)
{
	cr_assert_str_eq(e2e_str(img, "end"), end, "pid %d image %d ended '%s', expected '%s'",
			 (int)e2e_u64(img, "pid"), (int)e2e_u64(img, "image"), e2e_str(img, "end"),
			 end);
}
