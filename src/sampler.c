#include "sampler.h"
#include "util.h"

void sampler_init(struct sampler *s, const struct sysops *sys, struct proctable *pt,
		  struct tracer_figures *fig, unsigned long interval_ms, bool exact)
{
	*s = (struct sampler){ .sys = sys, .pt = pt, .fig = fig, .exact = exact };
	s->interval_ns = (uint64_t)interval_ms * 1000000u;
	s->period_ns = s->interval_ns;
	fig->interval_ms = interval_ms;
	if (!exact)
		return;
	/* The cheap exact reading exists only where VmRSS is no longer a counter. */
	s->vmrss_exact = procfs_probe_vmrss_exact(sys->procfd) == 1;
	fig->exact = true;
	fig->rss_source = s->vmrss_exact ? "VmRSS" : "smaps_rollup";
	proctable_count_hwm(pt, false);
}

bool sampler_read(struct sampler *s, struct image *img, pid_t tid, bool final)
{
	struct pstatus st;
	struct rollup r;
	int rc_st;
	bool ok = false;

	if (!img)
		return false;
	rc_st = s->sys->read_status(s->sys, tid, &st);
	if (s->sys->read_rollup(s->sys, tid, &r) == 0) {
		proctable_record_sample(s->pt, img, &r, rc_st == 0 ? &st : NULL);
		ok = true;
	} else if (rc_st == 0 && st.has_mm) {
		proctable_record_hwm(s->pt, img, st.hwm);
	}
	if (final)
		proctable_set_final(img, true);
	return ok;
}

/*
 * img through tid's status alone: its VmHWM, and its RSS where VmRSS is
 * exact (probed with --exact only).
 */
static void read_status_only(struct sampler *s, struct image *img, pid_t tid)
{
	struct pstatus st;

	if (s->sys->read_status(s->sys, tid, &st) == 0 && st.has_mm) {
		if (s->vmrss_exact)
			proctable_record_rss(img, st.vmrss);
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
		read_status_only(s, img, tid);
		return false;
	}
	if (will_fail(s, tid, path)) {
		/* If the file appears after all, VmHWM still has the peak. */
		read_status_only(s, img, tid);
		return false;
	}
	return sampler_read(s, img, tid, false);
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
		read_status_only(s, img, tid);
	else
		sampler_read(s, img, tid, false);
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

void sampler_pass_read(struct sampler *s, struct image *img, pid_t tid)
{
	if (img && img->pass != s->pass && sampler_read(s, img, tid, false))
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
