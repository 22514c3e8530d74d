/*
 * crit: the runner of check-vm's stand-in for Criterion (criterion/criterion.h).
 *
 *	TEST-PROGRAM [-j N] [-r N] [PATTERN]...
 *
 * Runs each registered test in a forked worker, N at a time (default 1), in
 * the order of suite and name, and prints TAP on standard output as each
 * one ends: "ok K - suite::name", "not ok K - ..." followed by the worker's
 * output as "# " lines, "ok K - ... # SKIP reason"; the plan comes last.
 * A PATTERN (fnmatch, "suite::name") keeps only the tests it matches; a
 * PATTERN that starts with '!' leaves out those it matches, which are shown
 * as skipped.
 * CRIT_TIMEOUT_SCALE multiplies every timeout: an emulated machine is
 * slower than the one the timeouts were set for.  With -r N a failed test
 * runs again, up to N more times; one that then passes is "ok", its line
 * says "passed on try K" and the first failure follows as "# " lines, so
 * that a test bound to wall-clock timing that an emulated CPU missed once is
 * told from one that fails every time.  Exit status 0 when no
 * test failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "criterion/criterion.h"
#include "criterion/hooks.h"

#define MAX_TESTS 1024
#define MAX_SUITES 64
#define MAX_JOBS 16
/* Lines of a failed worker's output shown: a serial console is slow. */
#define MAX_SHOWN_LINES 80

static const struct crit_test *tests[MAX_TESTS];
static size_t ntests;
static const struct crit_suite *suites[MAX_SUITES];
static size_t nsuites;
#define MAX_HOOKS 8
static void (*pre_all[MAX_HOOKS])(struct criterion_test_set *);
static size_t npre_all;

/* ---------------------------------------------------------------- registration */

void crit_register_test(const struct crit_test *t)
{
	if (ntests < MAX_TESTS)
		tests[ntests++] = t;
}

void crit_register_suite(const struct crit_suite *s)
{
	if (nsuites < MAX_SUITES)
		suites[nsuites++] = s;
}

/* ReportHook(PRE_ALL): called by the runner before the first test. */
void crit_register_hook(const char *kind, void (*hook)(struct criterion_test_set *))
{
	if (strcmp(kind, "PRE_ALL") == 0 && npre_all < MAX_HOOKS)
		pre_all[npre_all++] = hook;
}

static const struct crit_suite *suite_of(const struct crit_test *t)
{
	for (size_t i = 0; i < nsuites; i++)
		if (strcmp(suites[i]->name, t->suite) == 0)
			return suites[i];
	return NULL;
}

static int by_name(const void *a, const void *b)
{
	const struct crit_test *x = *(const struct crit_test *const *)a;
	const struct crit_test *y = *(const struct crit_test *const *)b;
	int c = strcmp(x->suite, y->suite);

	return c ? c : strcmp(x->name, y->name);
}

/* ---------------------------------------------------------------- the worker */

static pid_t worker_pid;
static int result_fd = -1; /* 'F': a check failed; 'S' and a reason: skipped */
static jmp_buf abort_test;
static bool in_test; /* abort_test leads to the .fini; from the .fini, nowhere */

static void result(const char *s, size_t len)
{
	if (result_fd >= 0 && write(result_fd, s, len) < 0)
		perror("crit: result pipe");
}

void crit_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Tell a failed check; the worker's result becomes a failure. */
static void report(const char *file, int line, const char *what, const char *expr, const char *fmt,
		   va_list ap)
{
	fprintf(stderr, "%s:%d: %s: ", file, line, what);
	if (fmt[1])
		vfprintf(stderr, fmt + 1, ap);
	else
		fputs(expr, stderr);
	fputc('\n', stderr);
	fflush(NULL);
	result("F", 1);
	/* In a process the test forked, there is no test to go back to. */
	if (getpid() != worker_pid)
		_exit(1);
}

void crit_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, "Expectation failed", expr, fmt, ap);
	va_end(ap);
}

void crit_abort(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(file, line, "Assertion failed", expr, fmt, ap);
	va_end(ap);
	if (!in_test)
		_exit(1);
	longjmp(abort_test, 1);
}

void crit_skip(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	buf[0] = 'S';
	va_start(ap, fmt);
	n = vsnprintf(buf + 1, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	result(buf, 1 + ((size_t)n < sizeof(buf) - 1 ? (size_t)n : sizeof(buf) - 2));
	fflush(NULL);
	_exit(0);
}

static void __attribute__((noreturn))
run_worker(const struct crit_test *t, const struct crit_suite *s)
{
	void (*init)(void) = t->init ? t->init : s ? s->init : NULL;
	void (*fini)(void) = t->fini ? t->fini : s ? s->fini : NULL;

	worker_pid = getpid();
	in_test = true;
	if (setjmp(abort_test) == 0) {
		if (init)
			init();
		t->test();
	}
	in_test = false;
	if (fini)
		fini();
	fflush(NULL);
	exit(0);
}

/* ---------------------------------------------------------------- the runner */

struct job {
	pid_t pid;
	const struct crit_test *test;
	FILE *out;    /* the worker's stdout and stderr */
	int res;      /* read end of its result pipe */
	double limit; /* seconds, 0: none */
	struct timespec start;
	unsigned attempt; /* 0 for the first try */
	char first[4096]; /* the first try's failure, when it is tried again */
};

static unsigned done, failed, retries;

static double since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static double scale(void)
{
	const char *s = getenv("CRIT_TIMEOUT_SCALE");
	double v = s ? strtod(s, NULL) : 1.0;

	return v > 0 ? v : 1.0;
}

static int start(struct job *j, const struct crit_test *t)
{
	const struct crit_suite *s = suite_of(t);
	int p[2];

	j->test = t;
	j->limit = (t->timeout > 0 ? t->timeout : s ? s->timeout : 0) * scale();
	j->out = tmpfile();
	if (!j->out || pipe2(p, O_CLOEXEC) != 0) {
		perror("crit: cannot start a worker");
		return -1;
	}
	fflush(NULL);
	clock_gettime(CLOCK_MONOTONIC, &j->start);
	j->pid = fork();
	if (j->pid < 0) {
		perror("crit: fork");
		return -1;
	}
	if (j->pid == 0) {
		close(p[0]);
		result_fd = p[1];
		dup2(fileno(j->out), STDOUT_FILENO);
		dup2(fileno(j->out), STDERR_FILENO);
		run_worker(t, s);
	}
	close(p[1]);
	j->res = p[0];
	fcntl(j->res, F_SETFL, O_NONBLOCK);
	return 0;
}

/* The worker's output as TAP comments. */
static void show_output(FILE *out)
{
	char line[1024];
	unsigned n = 0;

	rewind(out);
	while (fgets(line, sizeof(line), out)) {
		if (++n > MAX_SHOWN_LINES) {
			printf("# (more output cut)\n");
			break;
		}
		line[strcspn(line, "\n")] = '\0';
		printf("# %s\n", line);
	}
}

/*
 * What to show of the worker's output for a failure tried again: its first
 * lines, then its assertion messages wherever they are (a test that notes
 * much before it fails would otherwise show only its notes).
 */
static void keep_output(struct job *j, const char *why)
{
	size_t n = 0;
	char line[256];

	rewind(j->out);
	for (int i = 0; n < sizeof(j->first) && fgets(line, sizeof(line), j->out); i++) {
		if (i >= 4 && !strstr(line, "Assertion failed") && !strstr(line, "failures"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		n += (size_t)snprintf(j->first + n, sizeof(j->first) - n, "# try 1: %s\n", line);
	}
	if (why[0] && n < sizeof(j->first))
		snprintf(j->first + n, sizeof(j->first) - n, "# try 1: %s\n", why);
}

/*
 * The worker ended (status) or timed out (status < 0): its TAP line, and
 * true; or false when it is to be tried again (the job is free).
 */
static bool finish(struct job *j, int status)
{
	char res[512];
	ssize_t n = read(j->res, res, sizeof(res) - 1);
	const struct crit_test *t = j->test;
	bool ok, fail_seen;
	char why[96] = "";

	res[n > 0 ? n : 0] = '\0';
	fail_seen = strchr(res, 'F') != NULL;
	if (n > 0 && res[0] == 'S') {
		printf("ok %u - %s::%s # SKIP %s\n", ++done, t->suite, t->name, res + 1);
		goto out;
	}
	if (status < 0) {
		ok = false;
		snprintf(why, sizeof(why), "timed out after %.0f s", j->limit);
	} else if (WIFSIGNALED(status)) {
		ok = WTERMSIG(status) == t->signal;
		if (!ok)
			snprintf(why, sizeof(why), "killed by signal %d", WTERMSIG(status));
	} else {
		ok = !fail_seen && !t->signal && WEXITSTATUS(status) == t->exit_code;
		if (!ok && !fail_seen)
			snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(status));
	}
	if (!ok && j->attempt < retries) {
		if (j->attempt == 0)
			keep_output(j, why);
		fclose(j->out);
		close(j->res);
		j->pid = 0;
		return false;
	}
	done++;
	if (ok && j->attempt > 0)
		printf("ok %u - %s::%s passed on try %u\n%s", done, t->suite, t->name,
		       j->attempt + 1, j->first);
	else
		printf("%s %u - %s::%s\n", ok ? "ok" : "not ok", done, t->suite, t->name);
	if (!ok) {
		failed++;
		show_output(j->out);
		if (why[0])
			printf("# %s::%s: %s\n", t->suite, t->name, why);
	}
out:
	fflush(stdout);
	fclose(j->out);
	close(j->res);
	j->pid = 0;
	return true;
}

/* 1: run t; 0: not asked for; -1: left out by a '!' pattern. */
static int selected(const struct crit_test *t, char **patterns, int npatterns)
{
	bool any = false, match = false;
	char full[256];

	snprintf(full, sizeof(full), "%s::%s", t->suite, t->name);
	for (int i = 0; i < npatterns; i++) {
		if (patterns[i][0] == '!') {
			if (fnmatch(patterns[i] + 1, full, 0) == 0)
				return -1;
			continue;
		}
		any = true;
		match |= fnmatch(patterns[i], full, 0) == 0;
	}
	return !any || match;
}

int main(int argc, char **argv)
{
	struct job jobs[MAX_JOBS] = { { 0 } };
	const struct timespec tick = { 0, 5000000 };
	size_t next = 0, running = 0;
	long njobs = 1;
	int opt;

	while ((opt = getopt(argc, argv, "j:r:")) != -1) {
		long v = strtol(optarg, NULL, 10);

		if (opt == 'j' && v >= 1 && v <= MAX_JOBS)
			njobs = v;
		else if (opt == 'r' && v >= 0 && v <= 9)
			retries = (unsigned)v;
		else {
			fprintf(stderr, "usage: %s [-j 1..%d] [-r 0..9] [PATTERN]...\n", argv[0],
				MAX_JOBS);
			return 2;
		}
	}
	qsort(tests, ntests, sizeof(tests[0]), by_name);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < npre_all; i++)
		pre_all[i](NULL);
	for (;;) {
		while (running < (size_t)njobs && next < ntests) {
			const struct crit_test *t = tests[next++];
			const struct crit_suite *s = suite_of(t);
			int sel = selected(t, argv + optind, argc - optind);
			size_t k = 0;

			if (sel == 0)
				continue;
			if (sel < 0) {
				printf("ok %u - %s::%s # SKIP left out of this run\n", ++done,
				       t->suite, t->name);
				continue;
			}
			if (t->disabled || (s && s->disabled)) {
				printf("ok %u - %s::%s # SKIP disabled\n", ++done, t->suite,
				       t->name);
				continue;
			}
			while (jobs[k].pid)
				k++;
			jobs[k].attempt = 0;
			jobs[k].first[0] = '\0';
			if (start(&jobs[k], t) != 0)
				return 1;
			running++;
		}
		if (!running)
			break;
		for (size_t k = 0; k < (size_t)njobs; k++) {
			int status;
			pid_t r;

			if (!jobs[k].pid)
				continue;
			r = waitpid(jobs[k].pid, &status, WNOHANG);
			if (r == 0 && jobs[k].limit > 0 && since(&jobs[k].start) > jobs[k].limit) {
				kill(jobs[k].pid, SIGKILL);
				waitpid(jobs[k].pid, &status, 0);
				status = -1;
				r = jobs[k].pid;
			}
			if (r != jobs[k].pid && !(r < 0 && errno == ECHILD))
				continue;
			if (finish(&jobs[k], r < 0 ? -1 : status)) {
				running--;
			} else {
				/* Tried again in the same slot. */
				jobs[k].attempt++;
				if (start(&jobs[k], jobs[k].test) != 0)
					return 1;
			}
		}
		nanosleep(&tick, NULL);
	}
	printf("1..%u\n", done);
	return failed ? 1 : 0;
}
