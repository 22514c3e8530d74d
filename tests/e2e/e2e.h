/*
 * e2e: what every end-to-end test needs: run the built tool on a workload,
 * parse its JSON report and the workload's own truth lines, and the
 * tolerances that compare the two.
 */
#ifndef MAXRSS_TEST_E2E_H
#define MAXRSS_TEST_E2E_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../lib/json.h"
#include "../lib/run.h"

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)

/*
 * How far below the workload's own reading a peak may be when that peak was
 * still resident at a lifecycle stop (exit_group, execve entry, exit event):
 * the tracer reads the same exact smaps_rollup there.  The 64 KiB (16 pages)
 * cover what the process itself gives back between its reading and the stop:
 * glibc madvise()s away the unused part of an exited thread's stack.  What
 * is given back is counted in pages: with larger pages (64 KiB on ppc64el,
 * measured: 23 of them after 4 threads' exits) the bound is 32 pages.
 */
#define E2E_EXACT_BELOW e2e_exact_below()
uint64_t e2e_exact_below(void);

/*
 * Pages a workload may touch after its last reading and before the tracer's
 * stop.  Its last reading is "final" right before _exit(), or the one right
 * before execv() / raise(SIGSEGV); the code of those calls was run once
 * before the workload touched its memory (wl_prewarm), so what is left is
 * at most one file fault, which the kernel rounds up to a fault-around
 * window of 64 KiB (fault_around_bytes, 16 pages).
 */
#define E2E_AFTER_TRUTH (64 * KIB)

/* One "truth pid=... what=... rss=... pss=..." line of a workload. */
struct truth {
	pid_t pid;
	char what[32];
	uint64_t rss, pss;
};

#define E2E_MAX_TRUTHS 64

struct e2e_run {
	struct run_output out; /* the tool's status, and the command's stdout/stderr */
	char *report;	       /* the report file's text */
	size_t report_len;
	struct json *json; /* the report parsed, with --json */
	struct truth truths[E2E_MAX_TRUTHS];
	size_t ntruths;
};

/* A NULL-terminated argument list as a compound literal. */
#define E2E_ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/*
 * "$WORKLOADS/wl", ".../tiny", ".../wl3", ".../rely", ".../lifecycle",
 * ".../randtree" (static strings, asserted set).
 */
const char *e2e_wl(void);
const char *e2e_tiny(void);
const char *e2e_wl3(void);
const char *e2e_rely(void);
const char *e2e_lifecycle(void);
const char *e2e_randtree(void);
/*
 * Skip the calling test, with the reason, where this process may not trace
 * its children as maxrss-sc does (tests/lib/tracing.h): a test that needs
 * tracing calls it first, or names it as its suite's .init.  e2e_run and
 * e2e_run_limited call it.  The probe runs once per test binary, before
 * the tests (its answer is passed on to them in MAXRSS_TEST_TRACING).
 */
void e2e_need_tracing(void);

/*
 * Keep only the PATH entries this process may search.  For a test of a
 * command that is not found (127): maxrss-sc, like execvp(3), says 126 when
 * a directory of PATH could not be searched (the command may be there), and
 * a user's PATH may hold another user's directories (sudo, CI runners).
 */
void e2e_searchable_path(void);

/* True in the sanitizer build of the suite (MAXRSS_SANITIZERS set). */
bool e2e_sanitized(void);
/* "$MAXRSS_SC", asserted set. */
const char *e2e_tool(void);

/*
 * Run "$MAXRSS_SC -o TMPFILE OPTS... CMD..." with stdin from stdin_text
 * (NULL: /dev/null), read the report file back, parse the truth lines of
 * the command's stdout and, when json, the report.  Asserts that the tool
 * started and (when json) that its report is valid JSON.
 */
void e2e_run(struct e2e_run *r, const char *const *opts, const char *const *cmd,
	     const char *stdin_text, bool json);

/* e2e_run with "--json" and no stdin: the common case. */
void e2e_run_json(struct e2e_run *r, const char *const *cmd);

void e2e_run_free(struct e2e_run *r);

/* The nth (from 0) truth line with this label, or NULL. */
const struct truth *e2e_truth(const struct e2e_run *r, const char *what, size_t nth);
/* The truth line with this label and pid, or NULL. */
const struct truth *e2e_truth_of(const struct e2e_run *r, const char *what, pid_t pid);
/*
 * The largest Rss reading of pid (its readings are all of one image unless
 * it execs): the best lower estimate of that image's true peak, since every
 * reading is a moment of its life.
 */
uint64_t e2e_truth_max_rss(const struct e2e_run *r, pid_t pid);
/* Same, but asserts that it exists. */
const struct truth *e2e_need_truth(const struct e2e_run *r, const char *what, size_t nth);

/* Parse truth lines from text into t (at most max); returns how many. */
size_t e2e_parse_truths(const char *text, struct truth *t, size_t max);

/*
 * Worst error of the kernel's RSS counters, and so of VmHWM, on the kernel
 * the test runs on: per-CPU counters (Linux >= 6.2), nr_cpus * max(32, 2 *
 * nr_cpus) pages; per-task caches before, 64 pages per thread.  In pages of
 * the running kernel.  See measuring.md.
 */
uint64_t e2e_counter_bound(void);

/*
 * How far below a workload's own reading the peak may be when its threads
 * (threads in all) end before it does.  Where a thread's stack may be a
 * transparent huge page (kernel_thp_stack: Debian 12), glibc gives most of
 * it back as the thread ends, before any stop of the tool: the peak is
 * then VmHWM's, off by the counter's whole error, which before 6.2 lags
 * per thread (kernel_counter_lag_per_thread).  0 where stacks are small
 * pages.
 */
uint64_t e2e_thread_end_bound(unsigned threads);

/* Asserting accessors: the value at path must exist with this type. */
uint64_t e2e_u64(const struct json *root, const char *path);
double e2e_num(const struct json *root, const char *path);
const char *e2e_str(const struct json *root, const char *path);
/* A number that must be a whole number, or JSON null (then *is_null). */
int64_t e2e_int_or_null(const struct json *root, const char *path, bool *is_null);

/* The process entry (image) of pid and index, or NULL. */
const struct json *e2e_image(const struct json *report, pid_t pid, unsigned index);
/* How many process entries have this pid. */
size_t e2e_count_images(const struct json *report, pid_t pid);

/* Does a string array equal args (NULL-terminated)? */
bool e2e_argv_equals(const struct json *arr, const char *const *args);

/*
 * Assert lo <= v <= hi, printing the figures; label names the case.  lo may
 * be computed as truth - tolerance: it saturates at 0 through e2e_sub().
 */
void e2e_assert_within(const char *label, uint64_t v, uint64_t lo, uint64_t hi);
uint64_t e2e_sub(uint64_t a, uint64_t b);

/* The whole of a file, NUL-terminated (malloc'd), its length in *len; NULL when unreadable. */
char *e2e_read_file(const char *path, size_t *len);

/* A fresh temporary directory (asserted), to be removed with e2e_rmtree. */
void e2e_tmpdir(char *buf, size_t len);
void e2e_rmtree(const char *dir);

/*
 * A measured figure: to Criterion's log (shown with --verbose) and to
 * stderr, shown when a test binary is run by hand.  (Under make check,
 * CRITERION_OUTPUTS=tap:- silences the workers: only a failing assertion's
 * message, which repeats the figures, reaches the .log.)
 */
void e2e_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lines in text ('\n'-terminated or not). */
size_t e2e_count_lines(const char *text);

/*
 * e2e_run with a time limit, for trees that could hang the tracer: the tool
 * runs under timeout(1), which kills it (and its tracees, through
 * PTRACE_O_EXITKILL) after limit seconds.  Asserts that it finished in time.
 */
void e2e_run_limited(struct e2e_run *r, unsigned limit, const char *const *opts,
		     const char *const *cmd, bool json);

/* The process entry of pid's image index (asserted to exist). */
const struct json *e2e_need_image(const struct e2e_run *r, pid_t pid, unsigned index);
/* Assert how an image ended: "exit", "exec", "signal" or "lost". */
void e2e_check_end(const struct json *img, const char *end);

#endif
