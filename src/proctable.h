/*
 * proctable: the processes, threads and images of the traced tree, and the
 * tree sums.  No system calls: the tracer feeds it what it read.
 *
 * An image is one program of one process: from fork (or a successful exec)
 * to the next successful exec or death.  A process whose mm is borrowed (a
 * vfork / CLONE_VM child before it execs, or maxrss-sc's own stub) has no
 * image.  Threads are tasks of one process and share its image.
 */
#ifndef MAXRSS_PROCTABLE_H
#define MAXRSS_PROCTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "procfs.h"
#include "smaps.h"

enum image_end {
	IMAGE_RUNNING = 0,
	IMAGE_EXIT,   /* exited by itself */
	IMAGE_EXEC,   /* replaced by a successful exec */
	IMAGE_SIGNAL, /* killed by a signal, final sample taken */
	IMAGE_LOST,   /* gone without a final sample (SIGKILL, OOM killer) */
};

struct image {
	pid_t pid;
	pid_t ppid;
	unsigned index; /* 0, 1, ... per pid, in the order they ran */
	char *argv;	/* NUL-separated arguments (owned), argv_len bytes */
	size_t argv_len;
	char *exe;	   /* owned, NULL when unknown */
	uint64_t start_ns; /* since proctable t0 */
	uint64_t end_ns;
	enum image_end end;
	int exit_code;	   /* IMAGE_EXIT: the code; else -1 */
	int signal;	   /* IMAGE_SIGNAL / IMAGE_LOST: the signal, 0 if unknown */
	uint64_t peak_rss; /* max(every exact Rss sample, VmHWM) */
	uint64_t peak_pss; /* max(every exact Pss sample): known when has_last */
	uint64_t hwm;	   /* last VmHWM read */
	bool has_hwm;
	struct rollup last;  /* last exact sample */
	uint64_t last_shmem; /* RssShmem read with it */
	bool has_last;
	unsigned samples;
	unsigned exact_reads; /* exact VmRSS readings: --exact releases, steady timed passes */
	bool final_sampled;   /* sampled at exit_group / last exit / exit event */
	bool alive;	      /* still counted in the tree sums */
	unsigned long pass;   /* last timed sampling pass that read it */
	unsigned long members_at_last; /* pt->members when last sampled (sampler.c) */
	/*
	 * A forked copy of its parent's image, and when it was made (in
	 * pt->samples): while the parent's last sample is older than that, the
	 * pages the two share are counted in full in the parent's PSS.
	 */
	struct image *fork_parent;
	unsigned long fork_seq;
	unsigned long sample_seq; /* pt->samples when this one was last sampled */
	uint64_t tree_pss;	  /* what it adds to pt->tree_pss */
	/*
	 * The ancestor whose older sample already counts the pages this one
	 * shares with it (its tree_pss then leaves them out), and how many
	 * images lean on this one so.
	 */
	struct image *covered_by;
	unsigned dependents;
	bool in_sums; /* its last sample is in pt->tree_rss / tree_pss */
	/*
	 * The image whose mm this one's process ran on until it exec'd into
	 * this one (vfork, posix_spawn, CLONE_VM), and that image's high-water
	 * mark then: the kernel carries it into the process's ru_maxrss.
	 */
	const struct image *lent_by;
	uint64_t inherited_hwm;
	/*
	 * -b: what the image was made of at its largest sample read so far
	 * (owned), when (since t0), and its page tables then (VmPTE).
	 */
	struct smaps *breakdown;
	uint64_t breakdown_ns;
	uint64_t breakdown_pte;
	unsigned long breakdown_skipped; /* -b: reads of it the budget skipped */
	bool breakdown_of_peak;		 /* -b: the make-up is of the peak (judged at the end) */
	uint64_t max_exact;		 /* the largest exact RSS reading (sample or --exact) */
	/*
	 * The largest RSS of it that the tree peaks allow for: its samples
	 * (they are in the sums), and the peaks between samples already
	 * estimated (proctable_record_hwm).
	 */
	uint64_t summed_peak;
	struct image *sums_prev, *sums_next; /* the list of images in the sums */
};

/* What one image added to the tree sums at the tree's PSS peak. */
struct tree_member {
	const struct image *img;
	uint64_t rss; /* its last sample's RSS */
	uint64_t pss; /* its share of the tree PSS (its PSS, less what an older sample counts) */
};

/*
 * How a tree peak was obtained when no sum of samples made it: an image's
 * peak between samples (VmHWM, or an --exact reading) added to the tree as
 * it was at that image's last sample.
 */
struct tree_estimate {
	const struct image *img; /* whose peak made the figure; NULL: a sum of samples did */
	uint64_t base;		 /* the tree sum at img's last sample (img's sample included) */
	uint64_t growth;	 /* what img grew beyond that sample to its peak */
	bool alone;		 /* img's peak alone: it was never sampled with the tree */
};

struct task;
/* The tracer's own state of a task and of a process: opaque to the table. */
struct tracee;
struct traced;

struct process {
	pid_t tgid;
	pid_t ppid;
	struct image *image; /* current image; NULL while the mm is borrowed */
	/*
	 * While image is NULL: the image whose mm this process runs on (a
	 * vfork or CLONE_VM child before its exec, and what it forks), or NULL
	 * (maxrss-sc's stub).  Images outlive their processes: it may be closed.
	 */
	struct image *borrowed;
	unsigned nimages;      /* images opened so far: the next one's index */
	unsigned ntasks;       /* tasks of it in the table */
	bool stub;	       /* maxrss-sc's forked child before its first exec */
	struct traced *traced; /* the tracer's, set and freed by it */
};

struct task {
	pid_t tid;
	struct process *proc;
	struct tracee *tracee; /* the tracer's, set and freed by it */
	struct task *next;     /* hash chain */
};

/* A position in an iteration over the tasks (proctable_next_task). */
struct task_iter {
	size_t bucket;
	struct task *next;
};

struct proctable {
	uint64_t t0_ns;	       /* CLOCK_MONOTONIC of time 0 */
	struct image **images; /* every image, in start order */
	size_t nimages, images_cap;
	struct task **buckets; /* tid -> task */
	size_t nbuckets, ntasks;
	size_t nprocesses;		       /* processes ever seen (not counting the stub) */
	uint64_t tree_rss, tree_pss;	       /* current sums over live images */
	uint64_t tree_peak_rss, tree_peak_pss; /* their maxima, with the estimates */
	uint64_t sampled_peak_rss, sampled_peak_pss; /* the maxima of the sums alone */
	/* How tree_peak_rss / tree_peak_pss were obtained when not from the sums. */
	struct tree_estimate rss_estimate, pss_estimate;
	/*
	 * A peak between samples no more than this above a sample of the image
	 * is that sample, within the kernel counter's error: no estimate.
	 */
	uint64_t estimate_above;
	unsigned long snapshots; /* times the sums were updated */
	unsigned long samples;	 /* exact samples recorded */
	unsigned long members;	 /* counts the images opened and closed: the tree's changes */
	bool hwm_is_peak;	 /* VmHWM counts in image peaks (not with --exact) */
	struct image *sums_head; /* the images in the sums, newest first */
	/*
	 * Who made the tree PSS peak: every image in the sums at that moment
	 * (n_at_peak of them), in no order; at_peak_lost when memory ran out
	 * to keep them.
	 */
	struct tree_member *at_peak;
	size_t n_at_peak, at_peak_cap;
	bool at_peak_lost;
	bool in_pass; /* a timed pass is recording: peaks wait for its end */
	/*
	 * Optional observer of every exact sample, called once it is recorded
	 * (img->last holds it): the --timeline recorder.  NULL by default.
	 */
	void (*on_sample)(void *arg, const struct proctable *pt, const struct image *img);
	/*
	 * Optional observer of the tree sums (tree_rss, tree_pss), called at
	 * every moment the tree peaks are taken from (after a sample outside a
	 * timed pass, at the end of a pass) and when an image leaves the sums
	 * at its end.  Gets on_sample_arg.  NULL by default.
	 */
	void (*on_sums)(void *arg, const struct proctable *pt);
	void *on_sample_arg;
};

/* Initialise an empty table; 0 or -ENOMEM. */
int proctable_init(struct proctable *pt, uint64_t t0_ns);
/* Free everything. */
void proctable_free(struct proctable *pt);

/* The task with this tid, or NULL. */
struct task *proctable_find_task(const struct proctable *pt, pid_t tid);

/* Add a task of proc.  NULL on ENOMEM. */
struct task *proctable_add_task(struct proctable *pt, pid_t tid, struct process *proc);

/*
 * Forget a reaped task; its process loses one task and is freed with its last
 * task (its image, if any, must have been closed by then).
 */
void proctable_remove_task(struct proctable *pt, struct task *t);

/*
 * Every task, in no particular order: t = proctable_first_task(pt, &it);
 * t; t = proctable_next_task(&it).  The current task may be removed.
 */
struct task *proctable_first_task(const struct proctable *pt, struct task_iter *it);
struct task *proctable_next_task(const struct proctable *pt, struct task_iter *it);

/* A new process with no image yet (stub or borrowed mm).  NULL on ENOMEM. */
struct process *proctable_new_process(struct proctable *pt, pid_t tgid, pid_t ppid, bool stub);

/* Undo proctable_new_process() for a process that never got a task. */
void proctable_discard_process(struct proctable *pt, struct process *proc);

/*
 * proc runs on lender's mm (vfork, CLONE_VM) and has no image of its own
 * until it execs.
 */
void proctable_borrow(struct process *proc, struct image *lender);

/* The image proc's memory belongs to while that image lives: its own, or its lender's. */
struct image *proctable_live_mm_image(const struct process *proc);

/*
 * maxrss-sc's stub has exec'd the command at now_ns: it becomes a process
 * of the tree, and time 0 of the report.
 */
void proctable_start_command(struct proctable *pt, struct process *stub, uint64_t now_ns);

/*
 * Open a new image for proc at now_ns.  argv (argv_len bytes, NUL-separated)
 * and exe are copied.  0 or -ENOMEM.
 */
int proctable_open_image(struct proctable *pt, struct process *proc, const char *argv,
			 size_t argv_len, const char *exe, uint64_t now_ns);

/*
 * Open the first image of a forked child: a copy of the parent's image
 * (argv, exe), made now.  0 or -ENOMEM.
 */
int proctable_open_forked_image(struct proctable *pt, struct process *proc, struct image *parent,
				uint64_t now_ns);

/*
 * Record an exact sample of an image: updates its peak, its last sample and
 * the tree sums.  st may be NULL when status could not be read.
 *
 * The tree sums add up the last sample of every live image, taken at
 * different times.  Two rules keep a sample of one process from being added
 * to stale ones that already count its pages:
 *  - a forked copy sampled while the sample of its nearest sampled ancestor
 *    in the fork chain predates the fork leaves out the pages it shares, up
 *    to what that sample held (they are counted there); once that ancestor
 *    is sampled again or ends, the copy counts with its own PSS;
 *  - during a timed pass (proctable_begin_pass) the peaks are only compared
 *    at its end, when every image has a sample of the same moment.
 */
void proctable_record_sample(struct proctable *pt, struct image *img, const struct rollup *r,
			     const struct pstatus *st);

/*
 * A timed pass that samples every live image begins / ends (updates the
 * peaks).  At its start, images past their final sample (exit_group) leave
 * the sums: their memory is being freed, and a new sample of a process they
 * shared pages with would count those pages once more.
 */
void proctable_begin_pass(struct proctable *pt);
void proctable_end_pass(struct proctable *pt);

/* Does VmHWM count in image peaks?  Yes by default; not with --exact. */
void proctable_count_hwm(struct proctable *pt, bool count);

/*
 * Mark img as read at its end (final) or, with false, as going on after
 * all (a thread nobody had seen runs on).
 */
void proctable_set_final(struct image *img, bool final);

/*
 * Keep bd (owned from now on) as what img was made of at now_ns, with page
 * tables of pte bytes; the make-up it had before is freed.
 */
void proctable_set_breakdown(const struct proctable *pt, struct image *img, struct smaps *bd,
			     uint64_t now_ns, uint64_t pte);

/*
 * -b, once the run is over: is each image's make-up that of its peak?  Yes
 * when it holds at least the peak; or when the peak was seen only by the
 * kernel's counter (VmHWM), above the largest exact reading that the
 * make-up is, by no more than the counter's error (counter_err bytes):
 * then nothing says the peak was larger than the make-up.
 */
void proctable_judge_breakdowns(struct proctable *pt, uint64_t counter_err);

/*
 * Record a VmHWM reading alone (no exact sample).
 *
 * The tree's floor at a peak between samples.  When an image's peak RSS
 * rises above every sample of it (VmHWM saw it, or an --exact reading did),
 * the tree held at that moment at least what the sums held at the image's
 * last sample, plus what the image grew beyond that sample:
 *
 *	tree peak PSS >= tree PSS at its last sample + (peak - sample's RSS)
 *	tree peak RSS >= tree RSS at its last sample + (peak - sample's RSS)
 *
 * The growth counts in full in the PSS: memory a process makes for itself
 * (heap, anonymous maps, its stack) is private until it forks.  The figure
 * is then an estimate (pt->rss_estimate, pt->pss_estimate), and it can be
 * wrong where that does not hold:
 *  - growth in memory others map too (shared memory, a file mapped by
 *    several processes of the tree) counts in full, not divided: too high;
 *  - the other images count with their samples of that moment, not of the
 *    instant of the peak, which lies somewhere between two samples: an
 *    image that ended or began in between may be counted or missed;
 *  - VmHWM is a counter, off by up to its error (why.h); a peak no more
 *    than pt->estimate_above (that error) above the image's samples is
 *    taken to be one of them, and not estimated.
 * An image never sampled has no "since": it raises only the tree RSS, to
 * its own peak, at the end (proctable_finish).  During a timed pass the
 * estimate waits for the pass's end, like the peaks of the sums.
 */
void proctable_record_hwm(struct proctable *pt, struct image *img, uint64_t hwm);

/*
 * Record an exact RSS reading that is not a full sample (--exact stops); a
 * new peak is added to the tree as proctable_record_hwm says.
 */
void proctable_record_rss(struct proctable *pt, struct image *img, uint64_t rss);

/*
 * Close proc's current image: how it ended, at now_ns.  It leaves the tree
 * sums and proc->image becomes NULL.
 */
void proctable_close_image(struct proctable *pt, struct process *proc, enum image_end end,
			   int exit_code, int signal, uint64_t now_ns);

/* The image with the largest peak RSS, or NULL when there is none. */
const struct image *proctable_peak_image(const struct proctable *pt);

/*
 * The run is over, wall_ns after time 0: the tree held at least what its
 * largest image held at that image's peak (VmHWM saw it even when no
 * sample fell on that instant), and images still open lost their
 * processes without a word from the kernel.
 */
void proctable_finish(struct proctable *pt, uint64_t wall_ns);

#endif
