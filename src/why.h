/*
 * why: why `time -v` (ru_maxrss) says something else than maxrss-sc, one
 * reason at a time, each computed from the run and not canned.  Pure: the
 * kernel's counter error comes in from why_counter_error().
 *
 * ru_maxrss of the command's direct process, as wait4 gives it, is the
 * largest high-water mark among that process and the descendants it waited
 * for.  It differs from the true peak because:
 *  - it is one process's peak, while the tree may hold more at once;
 *  - a child counts its parent's memory before exec (the kernel keeps the
 *    old mm's mark at exec), so the wrapper's own copy is in it;
 *  - for the same reason a process started by vfork or posix_spawn from a
 *    large parent carries that parent's mark;
 *  - it is read from the mm's RSS counter, which is approximate;
 *  - a process its parent did not wait for (an orphan, which maxrss-sc
 *    reaps as subreaper) is not in it at all.
 */
#ifndef MAXRSS_WHY_H
#define MAXRSS_WHY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result.h"

enum why_kind {
	WHY_LARGEST_ONLY, /* the tree held more at once than its largest process */
	WHY_PRE_EXEC,	  /* ru_maxrss is above every process's peak: a wrapper's copy */
	WHY_INHERITED,	  /* img began on other's mm, and carries other's mark */
	WHY_COUNTER,	  /* ru_maxrss and the peak differ within the counter's error */
	WHY_UNWAITED,	  /* ru_maxrss is below the peak: the largest was not waited for */
	WHY_KINDS
};

struct why_reason {
	enum why_kind kind;
	const struct image *img;   /* WHY_INHERITED: the process that carries the mark */
	const struct image *other; /* WHY_INHERITED: the image it inherited it from */
	uint64_t bytes;	 /* tree peak PSS; ru_maxrss; the mark; the difference; the peak */
	uint64_t bytes2; /* tree peak RSS; -; img's own peak; the error bound; - */
	size_t count;	 /* WHY_LARGEST_ONLY: processes at the tree peak */
	bool below;	 /* WHY_COUNTER: ru_maxrss is below the peak */
};

/* At most this many reasons of the kind WHY_INHERITED are listed. */
#define WHY_MAX_INHERITED 3
#define WHY_MAX (WHY_KINDS + WHY_MAX_INHERITED)

struct why {
	uint64_t ru_maxrss;	  /* what time -v says, in bytes */
	const struct image *peak; /* maxrss-sc's headline: the largest image */
	struct why_reason v[WHY_MAX];
	size_t n;
	size_t more_inherited; /* WHY_INHERITED reasons left out */
};

/*
 * The reasons that apply to run r (its res.counter_error is the kernel's).
 * false (out empty) when there is no ru_maxrss or no known peak to compare
 * it with.
 */
bool why_time_differs(const struct result *r, struct why *out);

/*
 * The counter error of the running kernel, from release (uname -r), the
 * number of CPUs and the page size.  From Linux 6.2 (per-CPU counters):
 * nr_cpus * max(32, 2 * nr_cpus) pages either way.  Before, per-task
 * caches of the counts, folded into the mm when a page fault finds 65
 * faults unfolded (mm/memory.c, check_sync_rss_stat) and at the task's
 * exit: a cache only ever adds pages (a fault that replaces a page counts
 * -1 and +1), so a reading lags, per thread, by up to 65 faults of up to a
 * fault-around window each (64 KiB, or one page where pages are larger):
 * about 4 MiB below the truth.  Above it, 64 pages per thread are allowed.
 */
struct counter_error why_counter_error(const char *release, long cpus, long page_size);

/* The JSON name of a reason: "largest_process_only", "pre_exec_copy", ... */
const char *why_name(enum why_kind kind);

#endif
