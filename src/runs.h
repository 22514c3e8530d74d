/*
 * runs: the measured runs of one command, as the reports read them: each
 * run's figures, the statistics of the --runs "summary", and the whole
 * results the reports are written from.  A single run is a series of one.
 * Pure.
 */
#ifndef MAXRSS_RUNS_H
#define MAXRSS_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "limit.h"
#include "result.h"
#include "stats.h"

/* The figures of one measured run: what the statistics are made of. */
struct run {
	int status;		      /* the status this run alone would give */
	bool exited;		      /* the command exited (else it was killed) */
	int exit_code;		      /* when exited */
	int signal;		      /* when killed */
	bool has_peak;		      /* peak_rss_bytes is known */
	uint64_t peak_rss_bytes;      /* the headline peak (result_peak_image) */
	uint64_t tree_peak_pss_bytes; /* "tree": {"peak_pss_bytes"} */
	uint64_t tree_peak_rss_bytes; /* "tree": {"peak_rss_bytes"} */
	bool tree_rss_estimated;      /* those two are estimates, not sums of samples */
	bool tree_pss_estimated;
	size_t processes; /* processes seen */
	/* The image of the headline peak: pid, index, arguments (owned, NUL-separated). */
	pid_t peak_pid;
	unsigned peak_image;
	char *peak_argv;
	size_t peak_argv_len;
	double wall_seconds;
	bool has_ru; /* user_seconds, sys_seconds are known */
	double user_seconds, sys_seconds;
	bool counted;	       /* in the statistics (not a failure that stopped the series,
				* nor a run Ctrl-C ended) */
	struct result *result; /* the whole run (owned), or NULL once it was let go */
};

/* What a run is to its series (runs_judge). */
enum run_verdict {
	RUN_OK,		 /* it succeeded */
	RUN_ACCEPTED,	 /* it failed, and --ignore-failure accepts that: the series goes on */
	RUN_FAILED,	 /* it failed: the series stops there */
	RUN_INTERRUPTED, /* Ctrl-C (or a SIGTERM passed on) ended it: the series stops there */
};

/* A --fail-above limit judged over a series: the largest value of its figure. */
struct limit_check {
	struct limit limit;
	bool known;	/* a run measured the figure */
	uint64_t value; /* the largest, in bytes */
	size_t run;	/* the index of the run it is of */
	bool exceeded;	/* value > limit.bytes */
};

struct runs {
	char *const *command;
	unsigned long planned_runs; /* --runs: more than n when the series was cut short */
	unsigned long warmup_runs;  /* --warmup */
	bool keep_all;		    /* keep every run's result (its report is in the JSON) */
	struct run *v;
	size_t n, cap;
	size_t failed_runs;	     /* runs whose status is not 0 */
	int last_failed_status;	     /* the status of the last of those not accepted, 0 if none */
	size_t stopped_at;	     /* 1 + the index of the run that stopped the series, or 0 */
	enum run_verdict stopped_by; /* RUN_FAILED or RUN_INTERRUPTED, with stopped_at */
	struct limit_check *checks;  /* the --fail-above limits, judged (runs_check_limits) */
	size_t nchecks;
};

/* What runs_stats() summarises: the keys of the --runs "summary". */
enum runs_metric {
	RUNS_PEAK_RSS_BYTES,
	RUNS_TREE_PEAK_PSS_BYTES,
	RUNS_WALL_SECONDS,
	RUNS_USER_SECONDS,
	RUNS_SYS_SECONDS,
	RUNS_TREE_PEAK_RSS_BYTES,
};

/*
 * An empty series of planned_runs runs of command after warmup_runs.
 * Without keep_all only the last run's result is kept whole: the text
 * report, the timeline and the plot show the last run alone.
 */
void runs_init(struct runs *rs, char *const *command, unsigned long planned_runs,
	       unsigned long warmup_runs, bool keep_all);
void runs_free(struct runs *rs);

/*
 * Add a measured run (r->res.ran is true) and take r.  Only the last run's
 * samples are kept.  0 or -ENOMEM (r is then still the caller's).
 */
int runs_add(struct runs *rs, struct result *r);

/*
 * The same, with what the run is to the series: a failure not accepted and
 * an interrupted run stop it (stopped_at), and are left out of the
 * statistics; an accepted failure does not make the status.
 */
int runs_add_judged(struct runs *rs, struct result *r, enum run_verdict v);

/*
 * What a run that ended (res) is to a series, under --ignore-failure
 * (ignore), which accepts every failure, or only exits with one of the
 * ncodes codes when ncodes > 0.  Pure.
 */
enum run_verdict runs_judge(const struct tracer_result *res, bool ignore, const int *codes,
			    size_t ncodes);

/* The last run added, whole; NULL when there is none. */
const struct result *runs_last(const struct runs *rs);

/*
 * Statistics of one metric over the runs where it is known.  0, or
 * -ENODATA when no run knows it, -ENOMEM.
 */
int runs_stats(const struct runs *rs, enum runs_metric m, struct stats *out);

/* The largest known peak RSS and the index of its run; false when none is known. */
bool runs_max_peak(const struct runs *rs, uint64_t *peak, size_t *index);

/*
 * Judge the n limits over the runs (rs->checks, in their order): each
 * figure's largest value, of which run, and whether it exceeds the limit.
 * 0 or -ENOMEM.
 */
int runs_check_limits(struct runs *rs, const struct limit *v, size_t n);

/* Did a known figure of the runs exceed one of the limits? */
bool runs_exceeded(const struct runs *rs);

#endif
