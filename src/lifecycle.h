/*
 * lifecycle: what each stop of the traced tree means, and what the tracer
 * does about it.  The wait loop (tracer.c) hands every wait status to
 * lifecycle_dispatch(), which classifies it (event.c), keeps the tree's
 * tasks, processes and images in the table, tells the sampler when an image
 * must be read, and resumes the task.  Every call on a task goes through a
 * struct sysops, so unit tests can serve it synthetic stops.
 *
 * The rule it is built on: no task is ever held waiting for an event that
 * may not come.  A task first seen by a stop of its own is identified at
 * once from what the kernel says of it; every handler ends by resuming the
 * task, but for a group-stop, which is the task's own state.
 */
#ifndef MAXRSS_LIFECYCLE_H
#define MAXRSS_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "filter.h"
#include "proctable.h"
#include "result.h"
#include "sampler.h"
#include "sysops.h"

/* What every traced task reports: the ptrace options, built in one place. */
#define LIFECYCLE_OPTIONS                                                                       \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEEXIT | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | \
	 PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL)

struct lifecycle {
	const struct sysops *sys;
	struct proctable *pt;
	struct sampler *sampler;
	struct tracer_result *res;
	struct filter_classes classes; /* which stop is which syscall */
	bool exact;		       /* --exact: the release stops are read */
	pid_t child;		       /* the stub, then the command */
	bool exec_seen;		       /* the command started */
	bool main_exited;	       /* the command itself has ended */
	uint64_t main_exit_ns;	       /* when */
	uint64_t end_ns;	       /* time of the last death */
	unsigned nstopped;	       /* tasks in a group-stop (PTRACE_LISTEN) */
	unsigned nexiting;	       /* tasks past their exit: zombie leaders wait for the rest */
	unsigned ncloning;	       /* tasks between a clone stop and its birth event */
	unsigned settle_round;	       /* times lifecycle_settle() acted */
	int fatal;		       /* -errno of an internal failure: the tree must go */
};

/* Set lc up for one run; 0 or -errno (the filter's classes). */
int lifecycle_init(struct lifecycle *lc, const struct sysops *sys, struct proctable *pt,
		   struct sampler *sampler, struct tracer_result *res, bool exact);

/* Free the tracer's state of every task still in the table. */
void lifecycle_free(struct lifecycle *lc);

/* The seized stub, pid: the first task of the tree.  0 or -ENOMEM. */
int lifecycle_add_stub(struct lifecycle *lc, pid_t pid);

/* One wait status of tid (ru: its rusage, NULL when unknown). */
void lifecycle_dispatch(struct lifecycle *lc, pid_t tid, int status, const struct rusage *ru);

/*
 * A timed pass: every live image read once, but those mid-exec, whose task
 * is asked to report instead (PTRACE_INTERRUPT): if its exec failed,
 * nothing else may ever bring a report.
 */
void lifecycle_timed_pass(struct lifecycle *lc);

/*
 * Is the command over and all that is left of its tree stopped (or a
 * zombie leader waiting for those)?  Then lifecycle_settle() does what the
 * kernel does for an orphaned process group with stopped members (SIGHUP,
 * SIGCONT), once for each process; if all that is left is stopped again,
 * it kills them.  The caller settles only when no report is pending.
 */
bool lifecycle_all_stopped(const struct lifecycle *lc);
void lifecycle_settle(struct lifecycle *lc);

/* Has the direct child been reaped (or has the stub not been seized)? */
bool lifecycle_child_gone(const struct lifecycle *lc);

/*
 * The processes still alive once the command is gone: how many, and in
 * *first the image of the one that started first (NULL when none).
 */
unsigned lifecycle_leftovers(const struct lifecycle *lc, const struct image **first);

/* sig to every process still alive (the command itself is gone). */
void lifecycle_forward(const struct lifecycle *lc, int sig);

/* SIGKILL every traced task: the tree must not outlive a failed tracer. */
void lifecycle_kill_all(const struct lifecycle *lc);

#endif
