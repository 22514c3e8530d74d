/*
 * Unit tests of timeline: samples and tree sums reach it through the
 * proctable's hooks.
 */

#include <criterion/criterion.h>

#include "proctable.h"
#include "timeline.h"

#define MIB (1024ULL * 1024)
#define MS 1000000ULL
#define T0 (7 * 1000 * MS)

static struct proctable pt;
static struct timeline tl;

static void setup(void)
{
	cr_assert_eq(proctable_init(&pt, T0), 0);
	timeline_init(&tl);
}

static void teardown(void)
{
	timeline_free(&tl);
	proctable_free(&pt);
}

TestSuite(timeline, .init = setup, .fini = teardown);

static struct image *image(pid_t pid, const char *argv, size_t len, const char *exe)
{
	struct process *p = proctable_new_process(&pt, pid, 1, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&pt, pid, p));
	cr_assert_eq(proctable_open_image(&pt, p, argv, len, exe, T0), 0);
	return p->image;
}

static void sample(struct image *img, uint64_t rss, uint64_t pss)
{
	struct rollup r = { .rss = rss, .pss = pss };

	proctable_record_sample(&pt, img, &r, NULL);
}

/* Without the hook, samples go nowhere; with it, each one is recorded once. */
Test(timeline, hook_sees_every_sample)
{
	struct image *a = image(10, "a\0", 2, NULL), *b = image(11, "b\0", 2, NULL);

	sample(a, MIB, MIB / 2);
	cr_assert_eq(tl.n, 0);
	pt.on_sample = timeline_on_sample;
	pt.on_sample_arg = &tl;
	sample(a, 2 * MIB, MIB);
	sample(b, 3 * MIB, 2 * MIB);
	sample(a, 4 * MIB, 3 * MIB);
	cr_assert_eq(tl.n, 3);
	cr_assert_eq(tl.v[0].img, a);
	cr_assert_eq(tl.v[0].rss, 2 * MIB);
	cr_assert_eq(tl.v[0].pss, MIB);
	cr_assert_eq(tl.v[1].img, b);
	cr_assert_eq(tl.v[2].rss, 4 * MIB);
	/* Real clock, relative to the table's time 0, in order. */
	cr_assert(tl.v[0].t_ns <= tl.v[1].t_ns && tl.v[1].t_ns <= tl.v[2].t_ns);
	cr_assert_eq(pt.samples, 4, "the hook must not change what the table records");
}

/*
 * The sums hook records the tree sums as the table takes its peaks from
 * them: after each sample outside a pass, once at the end of a pass, and
 * when an image ends.  A forked copy over its parent's older sample adds
 * only its private pages there, unlike the sum of the samples.
 */
Test(timeline, sums_hook_records_what_the_peaks_come_from)
{
	struct image *a = image(20, "a\0", 2, NULL), *b;
	struct process *pb;

	pt.on_sums = timeline_on_sums;
	pt.on_sample_arg = &tl;
	sample(a, 64 * MIB, 64 * MIB);
	cr_assert_eq(tl.nsums, 1);
	cr_assert_eq(tl.sums[0].pss, 64 * MIB);

	pb = proctable_new_process(&pt, 21, 20, false);
	cr_assert_not_null(pb);
	cr_assert_not_null(proctable_add_task(&pt, 21, pb));
	cr_assert_eq(proctable_open_forked_image(&pt, pb, a, T0 + MS), 0);
	b = pb->image;
	sample(b, 64 * MIB, 32 * MIB); /* uss 0 */
	cr_assert_eq(tl.nsums, 2);
	cr_assert_eq(tl.sums[1].rss, 128 * MIB);
	cr_assert_eq(tl.sums[1].pss, 64 * MIB, "pss %llu", (unsigned long long)tl.sums[1].pss);

	proctable_begin_pass(&pt);
	sample(a, 64 * MIB, 32 * MIB);
	sample(b, 64 * MIB, 32 * MIB);
	cr_assert_eq(tl.nsums, 2, "a sums point in the middle of a pass");
	proctable_end_pass(&pt);
	cr_assert_eq(tl.nsums, 3);
	cr_assert_eq(tl.sums[2].pss, 64 * MIB);

	proctable_close_image(&pt, pb, IMAGE_EXIT, 0, 0, T0 + 2 * MS);
	cr_assert_eq(tl.nsums, 4);
	cr_assert_eq(tl.sums[3].rss, 64 * MIB);
	cr_assert_eq(tl.sums[3].pss, 32 * MIB);
	cr_assert_eq(pt.tree_peak_pss, 64 * MIB);
}
