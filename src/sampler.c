#include <stdlib.h>

#include "sampler.h"
#include "util.h"

/* What moment a reading is, for -b (maybe_breakdown). */
enum moment {
	AT_SAMPLE,  /* a timed pass, a lifecycle sample that is not an end */
	AT_RELEASE, /* --exact: before a syscall that may lower the RSS; an exec that will fail */
	AT_END,	    /* the image's end or exec: its last reading */
};

void sampler_init(struct sampler *s, const struct sysops *sys, struct proctable *pt,
		  struct tracer_figures *fig, unsigned long interval_ms, bool exact)
{
	*s = (struct sampler){ .sys = sys,
			       .pt = pt,
			       .fig = fig,
			       .exact = exact,
			       .now_ns = util_now_ns,
			       .cpu_ns = util_thread_cpu_ns };
	s->interval_ns = (uint64_t)interval_ms * 1000000u;
	s->period_ns = s->interval_ns;
	fig->interval_ms = interval_ms;
	if (!exact)
		return;
	/* The cheap exact reading exists only where VmRSS is no longer a counter. */
	s->vmrss_exact = procfs_probe_vmrss_exact(sys->procfd) == 1;
	s->vmrss_probed = true;
	fig->exact = true;
	fig->rss_source = s->vmrss_exact ? "VmRSS" : "smaps_rollup";
	proctable_count_hwm(pt, false);
}

void sampler_keep_breakdowns(struct sampler *s)
{
	s->breakdown = true;
	s->start_ns = s->now_ns();
}

/* -b: /proc/TID/smaps now, counted and timed for the budget; NULL when unreadable. */
static struct smaps *read_smaps(struct sampler *s, pid_t tid)
{
	struct smaps *bd = calloc(1, sizeof(*bd));
	uint64_t cpu = s->cpu_ns();
	int rc;

	if (!bd)
		return NULL;
	s->fig->smaps_reads++;
	rc = s->sys->read_smaps(s->sys, tid, bd);
	s->smaps_cpu_ns += s->cpu_ns() - cpu;
	if (rc == 0)
		return bd;
	free(bd);
	return NULL;
}

/* Keep bd as img's make-up if it is larger than the one kept; else free it. */
static void keep_breakdown(struct sampler *s, struct image *img, struct smaps *bd, uint64_t pte)
{
	if (!img->breakdown || bd->rss > img->breakdown->rss) {
		proctable_set_breakdown(s->pt, img, bd, s->now_ns(), pte);
		return;
	}
	smaps_free(bd);
	free(bd);
}

/*
 * -b: a reading of rss bytes was just taken of img through tid; read what
 * img is made of if that may be its peak (BREAKDOWN_STEP), within the
 * budget (BREAKDOWN_BUDGET) unless it is the image's first or its end.
 */
static void maybe_breakdown(struct sampler *s, struct image *img, pid_t tid, uint64_t rss,
			    uint64_t pte, enum moment when)
{
	uint64_t kept = img->breakdown ? img->breakdown->rss : 0;
	struct smaps *bd;

	if (!s->breakdown || !s->sys->read_smaps || rss <= kept)
		return;
	/*
	 * A forked copy not yet sampled on its own (the fork of a fork + exec)
	 * holds its parent's pages: a walk would cost what the parent's does,
	 * to say what the parent's make-up says.
	 */
	if (img->fork_parent && !img->has_last)
		return;
	if (img->breakdown && when != AT_END) {
		bool step = rss - kept > kept / BREAKDOWN_STEP;

		if (when == AT_SAMPLE && !step)
			return;
		if (!(when == AT_RELEASE && step) &&
		    s->smaps_cpu_ns > (s->now_ns() - s->start_ns) / BREAKDOWN_BUDGET) {
			s->fig->smaps_skipped++;
			img->breakdown_skipped++;
			return;
		}
	}
	bd = read_smaps(s, tid);
	/* Read a moment later than the sample: keep it only if it is still the larger. */
	if (bd)
		keep_breakdown(s, img, bd, pte);
}

/* A sample of img whose status was read already (rc_st: how that went). */
static bool sample_with_status(struct sampler *s, struct image *img, pid_t tid, bool final,
			       enum moment when, int rc_st, const struct pstatus *stp)
{
	struct rollup r;
	struct smaps *bd;
	bool ok = false;

	/*
	 * -b at an image's end, where its make-up is read whatever the
	 * sample says: one walk gives both.  smaps has every figure of a
	 * sample but its Pss, rounded down to a kB per mapping.
	 */
	if (s->breakdown && s->sys->read_smaps && (final || when == AT_END) &&
	    (bd = read_smaps(s, tid))) {
		r = (struct rollup){ .rss = bd->rss,
				     .pss = bd->pss,
				     .uss = bd->uss,
				     .anon = bd->anon,
				     .swap = bd->swap };
		proctable_record_sample(s->pt, img, &r, rc_st == 0 ? stp : NULL);
		keep_breakdown(s, img, bd, rc_st == 0 && stp->has_mm ? stp->pte : 0);
		ok = true;
	} else if (s->sys->read_rollup(s->sys, tid, &r) == 0) {
		proctable_record_sample(s->pt, img, &r, rc_st == 0 ? stp : NULL);
		maybe_breakdown(s, img, tid, r.rss, rc_st == 0 && stp->has_mm ? stp->pte : 0,
				final ? AT_END : when);
		ok = true;
	} else if (rc_st == 0 && stp->has_mm) {
		proctable_record_hwm(s->pt, img, stp->hwm);
	}
	if (final)
		proctable_set_final(img, true);
	return ok;
}

/* sampler_read, telling what moment it is (maybe_breakdown). */
static bool read_sample(struct sampler *s, struct image *img, pid_t tid, bool final,
			enum moment when)
{
	struct pstatus st;
	int rc_st;

	if (!img)
		return false;
	rc_st = s->sys->read_status(s->sys, tid, &st);
	return sample_with_status(s, img, tid, final, when, rc_st, &st);
}

bool sampler_read(struct sampler *s, struct image *img, pid_t tid, bool final)
{
	return read_sample(s, img, tid, final, AT_SAMPLE);
}

/*
 * img through tid's status alone: its VmHWM, and its RSS where VmRSS is
 * exact (probed with --exact only).
 */
static void read_status_only(struct sampler *s, struct image *img, pid_t tid, enum moment when)
{
	struct pstatus st;

	if (s->sys->read_status(s->sys, tid, &st) == 0 && st.has_mm) {
		if (s->vmrss_exact) {
			proctable_record_rss(s->pt, img, st.vmrss);
			/* Only --exact probes vmrss_exact: this is a release or an exec. */
			maybe_breakdown(s, img, tid, st.vmrss, st.pte, when);
		}
		proctable_record_hwm(s->pt, img, st.hwm);
	}
}

/*
 * Will this execve fail for want of a file?  A PATH search (execvp, dash,
 * python's subprocess) tries one directory after another; the entry sample
 * of each failed try would be a full smaps_rollup walk of a process that
 * goes on unchanged.  Only "the file is not there, as the task sees it"
 * counts: anything unsure says no, and the sample is taken.
 */
static bool will_fail(struct sampler *s, pid_t tid, const char *path)
{
	if (!path || s->sys->exec_file_missing(s->sys, tid, path) != 1)
		return false;
	s->fig->exec_samples_skipped++;
	return true;
}

bool sampler_exec_entry(struct sampler *s, struct image *img, pid_t tid, const char *path)
{
	if (!img)
		return false;
	/*
	 * A forked copy of its parent's program that never exec'd (the fork +
	 * exec of every shell, make, spawn()): its pages are mostly its
	 * parent's, and a walk would cost as much as one of the parent to add
	 * nothing to the tree PSS.  status has its peak (VmHWM) and, where
	 * VmRSS is exact, what --exact needs; a timed pass has read its pages
	 * if it lived long enough to make its own.  With --exact where VmRSS
	 * is a counter, the exact reading is a walk.
	 */
	if (img->fork_parent && !(s->exact && !s->vmrss_exact)) {
		read_status_only(s, img, tid, AT_END);
		return false;
	}
	if (will_fail(s, tid, path)) {
		/* If the file appears after all, VmHWM still has the peak. */
		read_status_only(s, img, tid, AT_RELEASE);
		return false;
	}
	return read_sample(s, img, tid, false, AT_END);
}

void sampler_lender_hwm(struct sampler *s, struct image *lender, pid_t tid)
{
	struct pstatus st;

	if (lender && s->sys->read_status(s->sys, tid, &st) == 0 && st.has_mm)
		proctable_record_hwm(s->pt, lender, st.hwm);
}

void sampler_release(struct sampler *s, struct image *img, pid_t tid)
{
	if (!img)
		return;
	if (s->vmrss_exact)
		read_status_only(s, img, tid, AT_RELEASE);
	else
		read_sample(s, img, tid, false, AT_RELEASE);
}

void sampler_hwm_floor(struct sampler *s)
{
	proctable_count_hwm(s->pt, true);
	s->fig->exact_hwm_floor = true;
}

void sampler_pass_begin(struct sampler *s)
{
	s->pass = ++s->fig->timed_passes;
	s->pass_cpu_ns = util_thread_cpu_ns();
	proctable_begin_pass(s->pt);
}

/*
 * Timed: can status alone read img (TIMED_STEP)?  Its last walk is in the
 * tree sums and large enough to cost (TIMED_STATUS_MIN), no image has begun
 * or ended since, and VmRSS, exact here, is within the step of that walk's
 * RSS: then VmRSS and VmHWM are recorded and the walk is spared.  When
 * it read status (*read) and the walk is due, the walk uses that reading.
 */
static bool steady(struct sampler *s, struct image *img, pid_t tid, struct pstatus *st, int *rc_st,
		   bool *read)
{
	uint64_t last;

	if (!img->has_last || !img->alive || img->last.rss < TIMED_STATUS_MIN)
		return false;
	if (!s->vmrss_probed) {
		/* Probed when it first matters, not at start-up: a small tree never pays it. */
		s->vmrss_exact = procfs_probe_vmrss_exact(s->sys->procfd) == 1;
		s->vmrss_probed = true;
	}
	s->fig->timed_source = s->vmrss_exact ? "VmRSS" : "smaps_rollup";
	if (!s->vmrss_exact || img->members_at_last != s->pt->members)
		return false;
	*rc_st = s->sys->read_status(s->sys, tid, st);
	*read = true;
	if (*rc_st != 0 || !st->has_mm)
		return false;
	last = img->last.rss;
	if ((st->vmrss > last ? st->vmrss - last : last - st->vmrss) > last / TIMED_STEP)
		return false;
	proctable_record_rss(s->pt, img, st->vmrss);
	proctable_record_hwm(s->pt, img, st->hwm);
	s->fig->status_reads++;
	return true;
}

/*
 * An image read at its end (exit_group, the last exit) is not read again:
 * its process is tearing its memory down, which a walk would take for the
 * image's figures (and put back in the tree sums), and which makes a walk
 * slow (386 ms of CPU for a 4 GiB process, against 45 ms before its exit).
 */
void sampler_pass_read(struct sampler *s, struct image *img, pid_t tid)
{
	struct pstatus st;
	int rc_st = 0;
	bool read = false;

	if (!img || img->final_sampled || img->pass == s->pass)
		return;
	if (steady(s, img, tid, &st, &rc_st, &read) ||
	    (read ? sample_with_status(s, img, tid, false, AT_SAMPLE, rc_st, &st) :
		    read_sample(s, img, tid, false, AT_SAMPLE)))
		img->pass = s->pass;
}

/*
 * Reads cost about as much as the memory they walk: when a pass gets slow,
 * the period stretches so that sampling never takes more than
 * 1/SAMPLING_BUDGET of a CPU, and it shrinks back when reads get cheap.
 */
bool sampler_pass_end(struct sampler *s)
{
	uint64_t cost, want;

	proctable_end_pass(s->pt);
	/*
	 * CPU time, not wall time: the budget is the tracer's CPU, and a pass
	 * that was merely preempted on a busy machine must not stretch the
	 * period past the overlaps it is there to see.
	 */
	cost = util_thread_cpu_ns() - s->pass_cpu_ns;
	s->fig->sampling_ns += cost;
	want = cost * SAMPLING_BUDGET;
	if (want < s->interval_ns)
		want = s->interval_ns;
	/* A real change only: a new period restarts the count. */
	if (want <= s->period_ns + s->period_ns / 4 && want >= s->period_ns - s->period_ns / 4)
		return false;
	s->period_ns = want;
	if (want > s->fig->max_interval_ns)
		s->fig->max_interval_ns = want;
	return true;
}
