/*
 * result: what one run of the command leaves, as every writer reads it (the
 * process table, the tracer's figures, the samples), and the rules the
 * writers share about it: which image is the headline peak, how the
 * command ended in words, and maxrss-sc's exit status.  Pure.
 *
 * The tracer fills struct tracer_result (tracer.h includes this header);
 * its members are named after the JSON keys they become, with _ns where
 * the report gives seconds or milliseconds.
 */
#ifndef MAXRSS_RESULT_H
#define MAXRSS_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"
#include "timeline.h"

/* The "tracer" object of the JSON report: what measuring cost, and how it was done. */
struct tracer_figures {
	unsigned long stops;	    /* ptrace stops and deaths served */
	uint64_t rss_bytes;	    /* maxrss-sc's own VmHWM at the end (0: unknown) */
	unsigned long interval_ms;  /* the configured timed sampling period */
	unsigned long timed_passes; /* timed sampling passes over the live tree */
	uint64_t max_interval_ns;   /* longest period the back-off chose (0: never backed off) */
	uint64_t sampling_ns;	    /* tracer CPU time spent in those passes */
	uint64_t cpu_ns;	    /* tracer CPU time of the whole run: stops, samples, passes */
	bool exact;		    /* --exact was in force */
	const char *rss_source;	    /* --exact readings: "VmRSS" or "smaps_rollup" */
	unsigned long exact_stops;  /* stops before release syscalls */
	bool exact_hwm_floor;	    /* --exact fell back to VmHWM as a floor (io_uring) */
	unsigned long exec_samples_skipped; /* execve entries not sampled: file absent */
	unsigned long smaps_reads;	    /* -b: /proc/PID/smaps read */
	unsigned long smaps_skipped;	    /* -b: reads the budget skipped (BREAKDOWN_BUDGET) */
	/* Timed readings: "VmRSS" where status alone may do (TIMED_STEP), else "smaps_rollup". */
	const char *timed_source;
	unsigned long status_reads; /* timed readings that status alone made */
};

/*
 * Where VmRSS is exact (probed), a timed pass reads an image's status
 * (about 10 us, whatever its size) and walks its smaps_rollup (about 10 us
 * per MiB resident) only when the tree sums need a fresh PSS: the RSS moved
 * by more than 1/TIMED_STEP of its last walk, or an image began or ended
 * anywhere in the tree since (a fork, an exit or an exec changes who shares
 * which pages).  The image's peak RSS is exact either way; the tree sums
 * keep its last walk, within 1/TIMED_STEP of its RSS.
 */
#define TIMED_STEP 16

/*
 * ... and only for an image whose last walk was at least this large (a
 * smaller one costs little to walk): VmRSS is probed (at the cost of a few
 * pages of the tracer's own) when the first such image is met.
 */
#define TIMED_STATUS_MIN (64ull << 20)

/*
 * Timed sampling never takes more than 1/SAMPLING_BUDGET of a CPU (the
 * tracer's): the period stretches when reads get costly (the report says
 * by how much).
 */
#define SAMPLING_BUDGET 50

/*
 * -b: when the sampler reads an image's make-up (/proc/PID/smaps) again.
 *  - Its first reading, its end and its exec: always (once per image).
 *  - A release under --exact (the moment before the RSS may fall): when it
 *    exceeds the make-up kept by more than 1/BREAKDOWN_STEP, always; by
 *    less, within the budget.
 *  - Any other sample (a timed pass): past the step, within the budget.
 * The reads past the step are at most about BREAKDOWN_STEP * ln(final /
 * first) (16.5 per factor e: 114 from 4 MiB to 4 GiB), and since a read
 * costs about what the RSS it walks and each walks 17/16 of the one before,
 * all of them cost about 17 reads at the peak; what is kept is within
 * 1/BREAKDOWN_STEP of the largest sample.  The budget: the reads of the run
 * have cost at most 1/BREAKDOWN_BUDGET of a CPU over the run's time (a
 * program that frees at every step, a garbage-collected runtime under
 * --exact, would otherwise be walked at hundreds of releases, and timed
 * passes over a growing image at each of them).  The reads it skipped are
 * counted (smaps_skipped), and the report says when the make-up is not of
 * the peak because of them (doc/benchmarks.md has the cost).
 */
#define BREAKDOWN_STEP 16
#define BREAKDOWN_BUDGET 50

/*
 * The most the kernel's RSS counters (VmHWM, VmRSS, ru_maxrss) can be off
 * (why.h): above the truth, and below it.  Since Linux 6.2 (per-CPU
 * counters) both alike; before, per-thread caches that only lag, so a
 * reading falls below the truth by far more than it could rise above it.
 */
struct counter_error {
	uint64_t bytes;	 /* above the truth (and the margin a difference must pass) */
	uint64_t below;	 /* below the truth */
	bool per_thread; /* before Linux 6.2: per-thread caches, the bounds are per thread */
};

/* Why maxrss-sc stopped waiting for the processes the command left running. */
enum wait_end {
	WAIT_ALL,	/* it did not: every one ended ("wait_ended_by": null) */
	WAIT_INTERRUPT, /* Ctrl-C or Ctrl-\ ("interrupt") */
	WAIT_LIMIT,	/* --wait-orphans=SECONDS ran out ("limit") */
};

/* The "after_exit" object: what was left when the command itself ended. */
struct after_exit {
	unsigned processes;	 /* still running when the command exited */
	uint64_t ns;		 /* how long we waited for them */
	unsigned stopped_woken;	 /* left stopped: sent SIGHUP and SIGCONT */
	unsigned stopped_killed; /* stopped again after that: killed */
	enum wait_end ended_by;	 /* "wait_ended_by" */
	unsigned killed;	 /* still running when the wait ended: killed ("killed") */
};

struct tracer_result {
	bool ran;	  /* the command was executed: a report is due */
	int status;	  /* maxrss-sc's exit status */
	bool exited;	  /* the command exited (else it was killed) */
	int exit_code;	  /* when exited */
	int signal;	  /* when killed */
	uint64_t wall_ns; /* first exec to the end of the last process */
	bool has_ru;
	uint64_t ru_maxrss_bytes;	  /* ru_maxrss of the direct child, from wait4 */
	double user_seconds, sys_seconds; /* rusage of the direct child */
	struct after_exit after_exit;
	struct tracer_figures tracer;
	struct counter_error counter_error; /* of the kernel it ran on */
};

/* One run of the command. */
struct result {
	char *const *command;	  /* the command line, as given (NULL-terminated) */
	struct proctable pt;	  /* its processes, images and tree sums */
	struct tracer_result res; /* how it ended, its times, what measuring cost */
	struct timeline tl;	  /* its samples, once result_record_timeline() asked */
};

/* An empty result for a run of command whose time 0 is t0_ns; NULL on ENOMEM. */
struct result *result_new(char *const *command, uint64_t t0_ns);

/* Keep every sample of the run in r->tl, for --timeline and --plot. */
void result_record_timeline(struct result *r);

void result_free(struct result *r);

/* Is the image's peak RSS known (sampled, or read from VmHWM or VmRSS)? */
bool result_image_has_peak(const struct image *img);

/*
 * The headline peak ("peak_rss_bytes", "peak_pid"): the image with the
 * largest peak RSS, or NULL when there is none or its peak is not known.
 */
const struct image *result_peak_image(const struct proctable *pt);

/*
 * How the command ended, for people: "exited 3", "killed by signal 9", and
 * with signame "killed by signal 9 (SIGKILL)".  Returns buf.
 */
char *result_ended(bool exited, int exit_code, int signal, bool signame, char *buf, size_t len);

/*
 * A run killed as by Ctrl-C, or by a SIGTERM / SIGHUP maxrss-sc passed on,
 * or whose wait for leftovers Ctrl-C ended: the user wants the series to
 * stop there.
 */
bool result_interrupted(const struct tracer_result *res);

/*
 * --fail-above: the command succeeded but its peak RSS exceeded the limit.
 * Not 1 or 2 (every program's failures), not 64-78 (sysexits.h), not 124
 * (timeout(1): a CI job may well run "maxrss-sc --fail-above=1G timeout 60
 * ./test"), 123 (xargs), 125-127 (ours, as env and timeout have them), nor
 * 128 + N (signals).  122 is the nearest code below that block that none of
 * those wrappers uses, and Linux's errno 122 is EDQUOT, "quota exceeded".
 */
#define EXIT_FAIL_ABOVE 122
/* maxrss-sc itself failed. */
#define EXIT_TOOL 125

/* What maxrss-sc's exit status is made of (doc/maxrss-sc.1, EXIT STATUS). */
struct exit_facts {
	bool series;		/* --runs or --warmup: the status of a series */
	size_t runs;		/* measured runs that ended: a report is written when > 0 */
	int run_status;		/* the status of the last of them: its code, 128 + N */
	int last_failed_status; /* the status of the last of them that failed, 0 if none did */
	int stop_status;	/* 126, 127 (a run could not start), EXIT_TOOL (maxrss-sc
				 * failed before a run began), or the status of an
				 * interrupted warm-up run: it ended the runs; else 0 */
	bool exceeded;		/* a known peak RSS exceeded --fail-above */
	bool tool_failed;	/* maxrss-sc failed after a run began (memory, an output) */
};

/*
 * maxrss-sc's exit status.  125 when maxrss-sc failed, even in a warm-up
 * run.  Without a measured run: stop_status.  Else the
 * last run's status (with --runs: stop_status when a run could not start,
 * else the status of the last failure, else 0); 122 for a 0 when a peak
 * exceeded the limit.
 */
int result_exit_status(const struct exit_facts *f);

#endif
