/*
 * sampler: what is read of an image, when, and how it becomes a sample: at
 * the lifecycle stops the tracer serves (exec entries, exits), before the
 * releases --exact traps, and in timed passes over the live tree whose
 * period backs off when reading gets costly.  It reads /proc through the
 * tracer's sysops and records into the process table; it never stops,
 * resumes or signals a task.
 */
#ifndef MAXRSS_SAMPLER_H
#define MAXRSS_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "proctable.h"
#include "result.h"
#include "sysops.h"

struct sampler {
	const struct sysops *sys;
	struct proctable *pt;
	struct tracer_figures *fig; /* counts what sampling did and cost */
	uint64_t interval_ns;	    /* the configured period; 0: no timed passes */
	uint64_t period_ns;	    /* the period now (backed off from interval_ns) */
	bool exact;		    /* --exact */
	bool vmrss_exact;	    /* status VmRSS is an exact sum on this kernel */
	bool vmrss_probed;	    /* vmrss_exact is known */
	bool breakdown;		    /* -b: read smaps where a sample may be an image's peak */
	unsigned long pass;	    /* the timed pass in progress */
	uint64_t pass_cpu_ns;	    /* the tracer's CPU time when it began */
	uint64_t start_ns;	    /* -b: when the run began (wall clock) */
	uint64_t smaps_cpu_ns;	    /* -b: the tracer's CPU time spent reading smaps */
	uint64_t (*now_ns)(void);   /* the wall clock (a test's own in unit tests) */
	uint64_t (*cpu_ns)(void);   /* the tracer's CPU clock (likewise) */
};

/*
 * Set s up for one run; with exact, probe whether VmRSS is an exact sum
 * here (the cheap exact reading) and keep VmHWM out of the image peaks.
 */
void sampler_init(struct sampler *s, const struct sysops *sys, struct proctable *pt,
		  struct tracer_figures *fig, unsigned long interval_ms, bool exact);

/* -b: keep the make-up of each image's largest sample (see BREAKDOWN_STEP). */
void sampler_keep_breakdowns(struct sampler *s);

/*
 * One exact sample of img read through tid's /proc (smaps_rollup and
 * status); final marks the image's end (exit_group, the last thread's exit,
 * a death by a signal).  False when nothing exact could be read (VmHWM is
 * still recorded where status was readable).
 */
bool sampler_read(struct sampler *s, struct image *img, pid_t tid, bool final);

/*
 * The entry of an execve of tid, running img: the last moment img can be
 * read.  path is the file to exec when known (NULL: unknown).  Returns true
 * when a full sample was taken.
 */
bool sampler_exec_entry(struct sampler *s, struct image *img, pid_t tid, const char *path);

/*
 * The entry of an execve of tid, which runs on lender's mm (vfork,
 * posix_spawn): the lender's high-water mark, which the kernel keeps in
 * tid's ru_maxrss across the exec.  status only: the lender's pages are not
 * the child's to walk.
 */
void sampler_lender_hwm(struct sampler *s, struct image *lender, pid_t tid);

/* --exact: img's exact RSS through tid, before a syscall that may lower it. */
void sampler_release(struct sampler *s, struct image *img, pid_t tid);

/* From now on releases may go unseen (io_uring): VmHWM counts in the peaks again. */
void sampler_hwm_floor(struct sampler *s);

/*
 * A timed pass: begin, read each live image once through any of its tasks
 * (sampler_pass_read skips one already read in this pass), end.  The end
 * compares the tree peaks and returns true when the period changed (the
 * caller re-arms its timer to s->period_ns).
 */
void sampler_pass_begin(struct sampler *s);
void sampler_pass_read(struct sampler *s, struct image *img, pid_t tid);
bool sampler_pass_end(struct sampler *s);

#endif
