/*
 * Unit tests of the sampler's rules: -b's (BREAKDOWN_STEP, BREAKDOWN_BUDGET),
 * and which timed readings walk smaps_rollup (TIMED_STEP):
 * when an image's make-up is read again, which one is kept, and what it
 * costs in reads, on a fake /proc whose RSS the test sets and fake clocks
 * that the test moves.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "sampler.h"

#define MIB (1024ull * 1024)

static struct {
	struct sysops ops;
	uint64_t rss;	      /* what every reading says now */
	uint64_t smaps_drift; /* what a smaps read adds to it (it comes a moment later) */
	unsigned smaps_reads;
	unsigned rollups;	 /* smaps_rollup reads */
	unsigned statuses;	 /* status reads */
	uint64_t now_ns, cpu_ns; /* the fake clocks */
	uint64_t smaps_cost_ns;	 /* the CPU time a smaps read takes */
} fk;

static struct proctable pt;
static struct tracer_figures fig;
static struct sampler s;
static struct image *img;

static int f_status(const struct sysops *o, pid_t tid, struct pstatus *st)
{
	(void)o;
	fk.statuses++;
	*st = (struct pstatus){
		.tgid = tid, .has_mm = true, .hwm = fk.rss, .vmrss = fk.rss, .pte = 64 * 1024
	};
	return 0;
}

static int f_rollup(const struct sysops *o, pid_t tid, struct rollup *r)
{
	(void)o;
	(void)tid;
	fk.rollups++;
	*r = (struct rollup){ .rss = fk.rss, .pss = fk.rss, .uss = fk.rss };
	return 0;
}

/* One anonymous group of the current RSS (plus the drift). */
static int f_smaps(const struct sysops *o, pid_t tid, struct smaps *out)
{
	(void)o;
	(void)tid;
	fk.smaps_reads++;
	fk.cpu_ns += fk.smaps_cost_ns;
	memset(out, 0, sizeof(*out));
	out->v = calloc(1, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->n = 1;
	out->rss = out->v[0].rss = fk.rss + fk.smaps_drift;
	out->v[0].kind = SMAPS_ANON;
	out->mappings = out->v[0].mappings = 1;
	return 0;
}

static uint64_t f_now(void)
{
	return fk.now_ns;
}

static uint64_t f_cpu(void)
{
	return fk.cpu_ns;
}

static void setup(void)
{
	struct process *p;

	memset(&fk, 0, sizeof(fk));
	fk.ops = (struct sysops){ .read_status = f_status,
				  .read_rollup = f_rollup,
				  .read_smaps = f_smaps,
				  .procfd = -1 };
	memset(&fig, 0, sizeof(fig));
	cr_assert_eq(proctable_init(&pt, 1), 0);
	p = proctable_new_process(&pt, 100, 1, false);
	cr_assert_not_null(p);
	cr_assert_eq(proctable_open_image(&pt, p, "prog", 5, NULL, 1), 0);
	img = p->image;
	sampler_init(&s, &fk.ops, &pt, &fig, 0, false);
	s.now_ns = f_now;
	s.cpu_ns = f_cpu;
	fk.now_ns = 1000000000;
	sampler_keep_breakdowns(&s);
}

static void teardown(void)
{
	proctable_free(&pt);
}

TestSuite(sampler, .init = setup, .fini = teardown);

static uint64_t kept(void)
{
	return img->breakdown ? img->breakdown->rss : 0;
}

/* The first sample is read; then only a growth of more than 1/16 of what is kept. */
Test(sampler, step_of_one_sixteenth)
{
	fk.rss = 16 * MIB;
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 1);
	cr_assert_eq(kept(), 16 * MIB);

	fk.rss = 17 * MIB; /* exactly 1/16 more: not enough */
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 1);
	fk.rss = 17 * MIB + 4096; /* more than 1/16 */
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 2);
	cr_assert_eq(kept(), 17 * MIB + 4096);

	/* Smaller samples never replace it, nor cost a read. */
	fk.rss = 8 * MIB;
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 2);
	cr_assert_eq(kept(), 17 * MIB + 4096);
	cr_assert_eq(fig.smaps_reads, 2);
	cr_assert_eq(img->breakdown_pte, 64 * 1024);
}

/* At a moment that may be the peak (the end), any growth is read. */
Test(sampler, any_growth_at_the_end)
{
	fk.rss = 16 * MIB;
	sampler_read(&s, img, 100, false);
	fk.rss = 16 * MIB + 4096;
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 1, "within the step");
	sampler_read(&s, img, 100, true);
	cr_assert_eq(fk.smaps_reads, 2, "the final sample");
	cr_assert_eq(kept(), 16 * MIB + 4096);
	cr_assert(img->breakdown->rss >= img->peak_rss, "the make-up is of the peak");
}

/* A growing image: reads grow with the log of its growth, about 16.5 per factor e. */
Test(sampler, reads_of_a_growing_image)
{
	for (fk.rss = 4 * MIB; fk.rss <= 4096 * MIB; fk.rss += fk.rss / 64)
		sampler_read(&s, img, 100, false);
	cr_assert_leq(fk.smaps_reads, 120, "%u reads from 4 MiB to 4 GiB", fk.smaps_reads);
	cr_assert_geq(fk.smaps_reads, 100, "%u reads from 4 MiB to 4 GiB", fk.smaps_reads);
	/* What is kept is within 1/16 of the largest sample. */
	cr_assert_geq(kept() + kept() / 16, img->max_exact);
}

/* A smaps read a moment later sees more: it is an exact reading, and raises the peak. */
Test(sampler, later_read_raises_the_peak)
{
	fk.rss = 16 * MIB;
	fk.smaps_drift = 8192;
	sampler_read(&s, img, 100, true);
	cr_assert_eq(kept(), 16 * MIB + 8192);
	cr_assert_eq(img->peak_rss, 16 * MIB + 8192);
	cr_assert_eq(img->max_exact, 16 * MIB + 8192);
}

/* A forked copy not yet sampled on its own holds its parent's pages: not walked. */
Test(sampler, fork_copy_at_exec_is_not_walked)
{
	struct process *child = proctable_new_process(&pt, 101, 100, false);

	cr_assert_eq(proctable_open_forked_image(&pt, child, img, 1), 0);
	fk.rss = 100 * MIB;
	sampler_exec_entry(&s, child->image, 101, NULL);
	cr_assert_eq(fk.smaps_reads, 0);
	cr_assert_null(child->image->breakdown);
}

/* Without -b nothing is read. */
Test(sampler, off_without_the_option)
{
	sampler_init(&s, &fk.ops, &pt, &fig, 0, false);
	fk.rss = 16 * MIB;
	sampler_read(&s, img, 100, true);
	cr_assert_eq(fk.smaps_reads, 0);
	cr_assert_null(img->breakdown);
}

/*
 * The budget: reads that cost 1 ms each, samples 10 ms apart, each 1/8
 * more than the last.  Reads may take 1/50 of the run's time: after the
 * first, one per 50 ms at most, and the skipped ones are counted.  The end
 * is read whatever the budget says.
 */
Test(sampler, budget_of_one_fiftieth)
{
	unsigned samples = 0;

	fk.smaps_cost_ns = 1000000;
	for (fk.rss = 16 * MIB; fk.rss < 1024 * MIB; fk.rss += fk.rss / 8, samples++) {
		sampler_read(&s, img, 100, false);
		fk.now_ns += 10000000;
	}
	/* (samples - 1) * 10 ms of run: one read per 50 ms, the first one free. */
	cr_assert_leq(fk.smaps_reads, 2 + (samples - 1) * 10 / 50, "%u reads of %u samples",
		      fk.smaps_reads, samples);
	cr_assert_geq(fk.smaps_reads, (samples - 1) * 10 / 50, "%u reads of %u samples",
		      fk.smaps_reads, samples);
	cr_assert_eq(fig.smaps_skipped + fk.smaps_reads, samples);
	cr_assert_leq(fk.cpu_ns, 1000000 + (fk.now_ns - 1000000000) / 50,
		      "the reads took %" PRIu64 " ns", fk.cpu_ns);
	sampler_read(&s, img, 100, true);
	cr_assert(img->breakdown->rss >= img->peak_rss, "the end is read");
}

/* Within the budget, a release reads any growth; past it, none. */
Test(sampler, release_within_the_budget)
{
	fk.rss = 16 * MIB;
	sampler_read(&s, img, 100, false);
	fk.rss += 4096;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 2, "any growth at a release");
	fk.smaps_cost_ns = 1000000;
	fk.rss += 4096;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 3, "the budget was not spent yet");
	fk.rss += 4096;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 3, "1 ms of reads in no time is past the budget");
	cr_assert_eq(fig.smaps_skipped, 1);
	fk.now_ns += 50000000;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 4, "50 ms later it is not");
}

/*
 * Past the budget, a release still reads a growth of more than 1/16: those
 * reads are as few as the step makes them, and the make-up of a program
 * that frees at every step stays within 1/16 of its peak.
 */
Test(sampler, release_past_the_step_whatever_the_budget)
{
	fk.rss = 16 * MIB;
	sampler_read(&s, img, 100, false);
	fk.smaps_cost_ns = 1000000000;
	fk.rss = 17 * MIB + 4096;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 2);
	fk.rss += 4096;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 2, "within the step, past the budget");
	fk.rss = 32 * MIB;
	sampler_release(&s, img, 100);
	cr_assert_eq(fk.smaps_reads, 3);
	cr_assert_eq(kept(), 32 * MIB);
	fk.rss = 64 * MIB;
	sampler_read(&s, img, 100, false);
	cr_assert_eq(fk.smaps_reads, 3, "a timed sample past the budget");
}

/* One timed pass over img. */
static void pass(void)
{
	sampler_pass_begin(&s);
	sampler_pass_read(&s, img, 100);
	sampler_pass_end(&s);
}

/*
 * Timed passes where VmRSS is exact (TIMED_STEP): status alone while the RSS
 * stays within 1/16 of the last walk and no image began or ended; a walk of
 * smaps_rollup past the step, or after a change in the tree.
 */
Test(sampler, steady_timed_reads_use_status)
{
	struct process *p;

	s.vmrss_probed = s.vmrss_exact = true;
	fk.rss = 1024 * MIB;
	pass();
	cr_assert_eq(fk.rollups, 1, "the first reading is a walk");
	fk.rss = 1088 * MIB; /* exactly 1/16 more */
	pass();
	cr_assert_str_eq(fig.timed_source, "VmRSS");
	cr_assert_eq(fk.rollups, 1, "within the step: status only");
	cr_assert_eq(fig.status_reads, 1);
	cr_assert_eq(img->peak_rss, 1088 * MIB, "the peak is VmRSS's, exact here");
	cr_assert_eq(img->last.rss, 1024 * MIB, "the sums keep the last walk");
	fk.rss = 960 * MIB; /* exactly 1/16 less */
	pass();
	cr_assert_eq(fk.rollups, 1);
	fk.rss = 1088 * MIB + 4096; /* past the step */
	fk.statuses = 0;
	pass();
	cr_assert_eq(fk.rollups, 2, "past the step: a walk");
	cr_assert_eq(fk.statuses, 1, "the walk uses the status read that found the step passed");
	cr_assert_eq(img->last.rss, 1088 * MIB + 4096);
	pass();
	cr_assert_eq(fk.rollups, 2);
	/* A process starts: who shares which pages may have changed. */
	p = proctable_new_process(&pt, 101, 100, false);
	cr_assert_eq(proctable_open_forked_image(&pt, p, img, 1), 0);
	pass();
	cr_assert_eq(fk.rollups, 3, "an image began: a walk");
	pass();
	cr_assert_eq(fk.rollups, 3);
	proctable_close_image(&pt, p, IMAGE_EXIT, 0, 0, 2);
	pass();
	cr_assert_eq(fk.rollups, 4, "an image ended: a walk");
	cr_assert_eq(fig.status_reads, 4);
}

/* Where VmRSS is a counter, every timed reading walks: as before, and the report says so. */
Test(sampler, timed_reads_walk_where_vmrss_is_approximate)
{
	s.vmrss_probed = true;
	s.vmrss_exact = false;
	fk.rss = 64 * MIB;
	pass();
	pass();
	pass();
	cr_assert_eq(fk.rollups, 3);
	cr_assert_eq(fig.status_reads, 0);
	cr_assert_str_eq(fig.timed_source, "smaps_rollup");
}

/* A small image costs little to walk: always walked, and VmRSS is not probed for it. */
Test(sampler, small_images_are_walked)
{
	fk.rss = 64 * MIB - 4096;
	pass();
	pass();
	pass();
	cr_assert_eq(fk.rollups, 3);
	cr_assert_not(s.vmrss_probed, "probed for an image below TIMED_STATUS_MIN");
	cr_assert_null(fig.timed_source);
}

/* An image read at its end is tearing its memory down: no timed pass reads it again. */
Test(sampler, ended_images_are_not_read_by_timed_passes)
{
	unsigned walks;

	fk.rss = 256 * MIB;
	sampler_read(&s, img, 100, true);
	walks = fk.rollups + fk.smaps_reads;
	cr_assert_eq(walks, 1);
	fk.rss = 8 * MIB; /* what a walk of the teardown would see */
	pass();
	pass();
	cr_assert_eq(fk.rollups + fk.smaps_reads, walks, "a timed pass read an ended image");
	cr_assert_eq(fig.status_reads, 0);
	cr_assert_eq(img->last.rss, 256 * MIB, "the end sample stays the image's last");
}
