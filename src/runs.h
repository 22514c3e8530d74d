/*
 * runs: the results of repeated runs of one command (--runs) and their
 * statistics.  Pure: main.c adds each run's figures, report.c writes them.
 */
#ifndef MAXRSS_RUNS_H
#define MAXRSS_RUNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"
#include "stats.h"
#include "tracer.h"

/* The figures of one measured run. */
struct run {
	int status;	   /* the status this run alone would give */
	bool exited;	   /* the command exited (else it was killed) */
	int exit_code;	   /* when exited */
	int signal;	   /* when killed */
	bool has_peak;	   /* peak_rss is known */
	uint64_t peak_rss; /* the headline: the largest image peak RSS */
	uint64_t tree_peak_rss, tree_peak_pss;
	double wall_seconds;
	bool has_ru; /* user_seconds, sys_seconds are known */
	double user_seconds, sys_seconds;
	char *json; /* its full JSON report (owned), or NULL */
};

struct runs {
	struct run *v;
	size_t n, cap;
	size_t failed;		/* runs whose status is not 0 */
	int last_failed_status; /* the status of the last of those, 0 when none */
};

/* What runs_stats() summarises. */
enum runs_metric {
	RUNS_PEAK_RSS,
	RUNS_TREE_PEAK_PSS,
	RUNS_WALL,
	RUNS_USER,
	RUNS_SYS,
};

void runs_init(struct runs *rs);
void runs_free(struct runs *rs);

/*
 * Add the run that filled pt and res (res->ran must be true), taking
 * ownership of json (malloc'd, may be NULL).  0 or -ENOMEM (json is then
 * freed).
 */
int runs_add(struct runs *rs, const struct proctable *pt, const struct tracer_result *res,
	     char *json);

/*
 * Statistics of one metric over the runs where it is known.  0, or
 * -ENODATA when no run knows it, -ENOMEM.
 */
int runs_stats(const struct runs *rs, enum runs_metric m, struct stats *out);

/* The largest known peak RSS and the index of its run; false when none is known. */
bool runs_max_peak(const struct runs *rs, uint64_t *peak, size_t *index);

#endif
