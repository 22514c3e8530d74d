/* Unit tests of proctable: tasks, processes, images and tree sums, with no process at all. */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "proctable.h"

#define MIB (1024ULL * 1024)
#define T0 1000000000ULL /* proctable time 0, in CLOCK_MONOTONIC ns */

static struct proctable pt;

static void setup(void)
{
	cr_assert_eq(proctable_init(&pt, T0), 0);
}

static void teardown(void)
{
	proctable_free(&pt);
}

TestSuite(proctable, .init = setup, .fini = teardown);

static struct process *new_proc(pid_t tgid, pid_t ppid)
{
	struct process *p = proctable_new_process(&pt, tgid, ppid, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&pt, tgid, p));
	return p;
}

static struct image *open_image(struct process *p, const char *argv, size_t argv_len,
				const char *exe, uint64_t now)
{
	cr_assert_eq(proctable_open_image(&pt, p, argv, argv_len, exe, now), 0);
	cr_assert_not_null(p->image);
	return p->image;
}

static void sample(struct image *img, uint64_t rss, uint64_t pss)
{
	struct rollup r = { .rss = rss, .pss = pss };

	proctable_record_sample(&pt, img, &r, NULL);
}

#define ASSERT_TREE(rss, pss, peak_rss, peak_pss)                                           \
	do {                                                                                \
		cr_assert_eq(pt.tree_rss, (rss), "tree_rss %llu, want %llu",                \
			     (unsigned long long)pt.tree_rss, (unsigned long long)(rss));   \
		cr_assert_eq(pt.tree_pss, (pss), "tree_pss %llu, want %llu",                \
			     (unsigned long long)pt.tree_pss, (unsigned long long)(pss));   \
		cr_assert_eq(pt.tree_peak_rss, (peak_rss), "tree_peak_rss %llu, want %llu", \
			     (unsigned long long)pt.tree_peak_rss,                          \
			     (unsigned long long)(peak_rss));                               \
		cr_assert_eq(pt.tree_peak_pss, (peak_pss), "tree_peak_pss %llu, want %llu", \
			     (unsigned long long)pt.tree_peak_pss,                          \
			     (unsigned long long)(peak_pss));                               \
	} while (0)

/* -------------------------------------------------------------------- tasks */

Test(proctable, starts_empty)
{
	cr_assert_eq(pt.t0_ns, T0);
	cr_assert_eq(pt.ntasks, 0);
	cr_assert_eq(pt.nimages, 0);
	cr_assert_eq(pt.nprocesses, 0);
	cr_assert_eq(pt.tree_rss, 0);
	cr_assert_eq(pt.tree_peak_rss, 0);
	cr_assert_eq(pt.snapshots, 0);
	cr_assert_eq(pt.samples, 0);
	cr_assert_null(proctable_find_task(&pt, 1));
	cr_assert_null(proctable_find_task(&pt, 0));
	cr_assert_null(proctable_peak_image(&pt));
}

Test(proctable, add_and_find)
{
	struct process *p = proctable_new_process(&pt, 100, 1, false);
	struct task *a, *b, *early;

	cr_assert_not_null(p);
	a = proctable_add_task(&pt, 100, p);
	b = proctable_add_task(&pt, 101, p);
	early = proctable_add_task(&pt, 200, NULL);
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_not_null(early);
	cr_assert_eq(a->tid, 100);
	cr_assert_eq(a->proc, p);
	cr_assert_eq(b->proc, p);
	cr_assert_null(early->proc);
	cr_assert_eq(p->ntasks, 2);
	cr_assert_eq(pt.ntasks, 3);
	cr_assert_eq(proctable_find_task(&pt, 100), a);
	cr_assert_eq(proctable_find_task(&pt, 101), b);
	cr_assert_eq(proctable_find_task(&pt, 200), early);
	cr_assert_null(proctable_find_task(&pt, 102));
	/* tids that share a bucket with 100 in small tables */
	cr_assert_null(proctable_find_task(&pt, 100 + 256));
	cr_assert_null(proctable_find_task(&pt, 100 + 4096));
}

/* Enough tids to rehash several times (past 512, 1024 and 2048 tasks). */
#define MANY 5000

static pid_t many_tid(int i)
{
	/* Spread like real tids: clustered runs and a few far apart. */
	return i % 7 == 0 ? 4194304 - i : 300 + i * 3;
}

Test(proctable, many_tasks_rehash)
{
	static struct task *tasks[MANY];
	size_t buckets0 = pt.nbuckets;

	for (int i = 0; i < MANY; i++) {
		tasks[i] = proctable_add_task(&pt, many_tid(i), NULL);
		cr_assert_not_null(tasks[i]);
		/* Right after crossing 512 tasks, every one is still found. */
		if (i == 511 || i == 512 || i == 513) {
			for (int j = 0; j <= i; j++)
				cr_assert_eq(proctable_find_task(&pt, many_tid(j)), tasks[j],
					     "tid %d lost at %d tasks", many_tid(j), i + 1);
		}
	}
	cr_assert_eq(pt.ntasks, MANY);
	cr_assert_gt(pt.nbuckets, buckets0, "no rehash after %d tasks", MANY);
	cr_assert_lt(pt.ntasks, pt.nbuckets * 2, "%zu tasks in %zu buckets", pt.ntasks,
		     pt.nbuckets);
	for (int i = 0; i < MANY; i++) {
		struct task *t = proctable_find_task(&pt, many_tid(i));

		cr_assert_eq(t, tasks[i], "tid %d", many_tid(i));
		cr_assert_eq(t->tid, many_tid(i));
	}
	cr_assert_null(proctable_find_task(&pt, 301));
	cr_assert_null(proctable_find_task(&pt, 299));

	/* Remove every other one; the rest stay. */
	for (int i = 0; i < MANY; i += 2)
		proctable_remove_task(&pt, tasks[i]);
	cr_assert_eq(pt.ntasks, MANY / 2);
	for (int i = 0; i < MANY; i++) {
		struct task *t = proctable_find_task(&pt, many_tid(i));

		if (i % 2)
			cr_assert_eq(t, tasks[i], "tid %d lost", many_tid(i));
		else
			cr_assert_null(t, "tid %d still found after removal", many_tid(i));
	}
	for (int i = 1; i < MANY; i += 2)
		proctable_remove_task(&pt, tasks[i]);
	cr_assert_eq(pt.ntasks, 0);
	cr_assert_null(proctable_find_task(&pt, many_tid(1)));
}

Test(proctable, remove_from_chain_middle)
{
	struct task *t[4];

	/* Same bucket in a 256-bucket table: tids 256 apart. */
	for (int i = 0; i < 4; i++)
		t[i] = proctable_add_task(&pt, 7 + 256 * i, NULL);
	proctable_remove_task(&pt, t[1]);
	proctable_remove_task(&pt, t[2]);
	cr_assert_eq(proctable_find_task(&pt, 7), t[0]);
	cr_assert_null(proctable_find_task(&pt, 7 + 256));
	cr_assert_null(proctable_find_task(&pt, 7 + 512));
	cr_assert_eq(proctable_find_task(&pt, 7 + 768), t[3]);
	cr_assert_eq(pt.ntasks, 2);
}

/*
 * A process lives as long as its tasks: it counts them down and goes with the
 * last (leak checkers see it if it does not; a double free aborts here).
 */
Test(proctable, process_goes_with_last_task)
{
	struct process *p = proctable_new_process(&pt, 900, 1, false);
	struct task *a = proctable_add_task(&pt, 900, p);
	struct task *b = proctable_add_task(&pt, 901, p);
	struct task *c = proctable_add_task(&pt, 902, p);

	cr_assert_eq(p->ntasks, 3);
	proctable_remove_task(&pt, c);
	cr_assert_eq(p->ntasks, 2);
	proctable_remove_task(&pt, a);
	cr_assert_eq(p->ntasks, 1);
	cr_assert_eq(proctable_find_task(&pt, 901), b);
	cr_assert_eq(b->proc, p);
	proctable_remove_task(&pt, b);
	cr_assert_eq(pt.ntasks, 0);
	cr_assert_null(proctable_find_task(&pt, 901));
	/* teardown frees the table: nothing of p may be freed twice */
}

Test(proctable, nprocesses_counts_all_but_the_stub)
{
	struct process *stub = proctable_new_process(&pt, 10, 1, true);

	cr_assert_not_null(stub);
	cr_assert_eq(stub->stub, true);
	cr_assert_null(stub->image);
	cr_assert_eq(pt.nprocesses, 0);
	proctable_add_task(&pt, 10, stub);
	new_proc(11, 10);
	new_proc(12, 11);
	cr_assert_eq(pt.nprocesses, 2);
}

/* ------------------------------------------------------------------- images */

Test(proctable, open_image_copies_and_numbers)
{
	static const char argv[] = "./prog\0arg\0";
	char exe[] = "/home/u/prog";
	struct process *p = new_proc(4242, 4241);
	struct image *img = open_image(p, argv, sizeof(argv) - 1, exe, T0 + 5000);

	cr_assert_eq(pt.nimages, 1);
	cr_assert_eq(pt.images[0], img);
	cr_assert_eq(img->pid, 4242);
	cr_assert_eq(img->ppid, 4241);
	cr_assert_eq(img->index, 0);
	cr_assert_eq(img->argv_len, sizeof(argv) - 1);
	cr_assert_neq(img->argv, argv, "argv must be copied");
	cr_assert_eq(memcmp(img->argv, argv, sizeof(argv) - 1), 0);
	cr_assert_neq(img->exe, exe, "exe must be copied");
	exe[0] = 'X';
	cr_assert_str_eq(img->exe, "/home/u/prog");
	cr_assert_eq(img->start_ns, 5000);
	cr_assert_eq(img->end, IMAGE_RUNNING);
	cr_assert_eq(img->exit_code, -1);
	cr_assert_eq(img->alive, true);
	cr_assert_eq(img->samples, 0);
	cr_assert_eq(img->peak_rss, 0);
	cr_assert_eq(img->has_last, false);
	cr_assert_eq(img->has_hwm, false);
}

Test(proctable, open_image_without_exe_or_argv)
{
	struct process *p = new_proc(7, 1);
	struct image *img = open_image(p, "", 0, NULL, T0 - 10);

	cr_assert_null(img->exe);
	cr_assert_eq(img->argv_len, 0);
	cr_assert_eq(img->start_ns, 0, "a time before t0 is 0");
}

Test(proctable, images_numbered_per_pid)
{
	struct process *a = new_proc(100, 1);
	struct process *b = new_proc(200, 100);
	struct image *a0, *b0, *a1, *a2, *b1;

	a0 = open_image(a, "a0", 3, NULL, T0 + 1);
	b0 = open_image(b, "b0", 3, NULL, T0 + 2);
	proctable_close_image(&pt, a, IMAGE_EXEC, 0, 0, T0 + 3);
	a1 = open_image(a, "a1", 3, NULL, T0 + 3);
	proctable_close_image(&pt, a, IMAGE_EXEC, 0, 0, T0 + 4);
	a2 = open_image(a, "a2", 3, "/bin/a2", T0 + 4);
	proctable_close_image(&pt, b, IMAGE_EXEC, 0, 0, T0 + 5);
	b1 = open_image(b, "b1", 3, NULL, T0 + 5);

	cr_assert_eq(a0->index, 0);
	cr_assert_eq(b0->index, 0);
	cr_assert_eq(a1->index, 1);
	cr_assert_eq(a2->index, 2);
	cr_assert_eq(b1->index, 1);
	/* In start order. */
	cr_assert_eq(pt.nimages, 5);
	cr_assert_eq(pt.images[0], a0);
	cr_assert_eq(pt.images[1], b0);
	cr_assert_eq(pt.images[2], a1);
	cr_assert_eq(pt.images[3], a2);
	cr_assert_eq(pt.images[4], b1);
	cr_assert_eq(a->image, a2);
	cr_assert_eq(b->image, b1);
}

/* Many images: the image array grows without losing any. */
Test(proctable, many_images)
{
	struct process *p = new_proc(300, 1);

	for (unsigned i = 0; i < 200; i++) {
		open_image(p, "x", 2, NULL, T0 + i);
		proctable_close_image(&pt, p, IMAGE_EXEC, 0, 0, T0 + i + 1);
	}
	cr_assert_eq(pt.nimages, 200);
	for (unsigned i = 0; i < 200; i++) {
		cr_assert_eq(pt.images[i]->index, i);
		cr_assert_eq(pt.images[i]->start_ns, i);
		cr_assert_eq(pt.images[i]->end_ns, i + 1);
	}
}

Test(proctable, close_image_records_the_end)
{
	struct process *p1 = new_proc(1001, 1), *p2 = new_proc(1002, 1), *p3 = new_proc(1003, 1),
		       *p4 = new_proc(1004, 1);
	struct image *i1 = open_image(p1, "a", 2, NULL, T0);
	struct image *i2 = open_image(p2, "b", 2, NULL, T0);
	struct image *i3 = open_image(p3, "c", 2, NULL, T0);
	struct image *i4 = open_image(p4, "d", 2, NULL, T0);

	proctable_close_image(&pt, p1, IMAGE_EXIT, 3, 0, T0 + 1200000000);
	cr_assert_null(p1->image);
	cr_assert_eq(i1->end, IMAGE_EXIT);
	cr_assert_eq(i1->exit_code, 3);
	cr_assert_eq(i1->signal, 0);
	cr_assert_eq(i1->end_ns, 1200000000);
	cr_assert_eq(i1->alive, false);

	proctable_close_image(&pt, p2, IMAGE_SIGNAL, 99, 11, T0 + 7);
	cr_assert_eq(i2->end, IMAGE_SIGNAL);
	cr_assert_eq(i2->exit_code, -1, "no exit code for a signal death");
	cr_assert_eq(i2->signal, 11);

	proctable_close_image(&pt, p3, IMAGE_LOST, 0, 9, T0 + 8);
	cr_assert_eq(i3->end, IMAGE_LOST);
	cr_assert_eq(i3->exit_code, -1);
	cr_assert_eq(i3->signal, 9);

	proctable_close_image(&pt, p4, IMAGE_EXEC, 5, 6, T0 + 9);
	cr_assert_eq(i4->end, IMAGE_EXEC);
	cr_assert_eq(i4->exit_code, -1);
	cr_assert_eq(i4->signal, 0);

	/* Closing again (no image) changes nothing. */
	proctable_close_image(&pt, p1, IMAGE_LOST, 0, 9, T0 + 99);
	cr_assert_eq(i1->end, IMAGE_EXIT);
	cr_assert_eq(i1->end_ns, 1200000000);
}

/* ------------------------------------------------------------------ samples */

Test(proctable, record_sample_peak_and_last)
{
	struct process *p = new_proc(50, 1);
	struct image *img = open_image(p, "x", 2, NULL, T0);
	struct rollup r = { .rss = 10 * MIB, .pss = 5 * MIB, .uss = 4 * MIB, .anon = 3 * MIB };

	proctable_record_sample(&pt, img, &r, NULL);
	r.rss = 30 * MIB;
	proctable_record_sample(&pt, img, &r, NULL);
	r.rss = 20 * MIB;
	r.uss = 2 * MIB;
	proctable_record_sample(&pt, img, &r, NULL);

	cr_assert_eq(img->peak_rss, 30 * MIB);
	cr_assert_eq(img->samples, 3);
	cr_assert_eq(pt.samples, 3);
	cr_assert_eq(img->has_last, true);
	cr_assert_eq(img->last.rss, 20 * MIB, "last is the latest sample, not the largest");
	cr_assert_eq(img->last.uss, 2 * MIB);
	cr_assert_eq(img->last.anon, 3 * MIB);
	cr_assert_eq(img->has_hwm, false, "no status given");
}

Test(proctable, record_sample_with_status)
{
	struct process *p = new_proc(51, 1);
	struct image *img = open_image(p, "x", 2, NULL, T0);
	struct rollup r = { .rss = 10 * MIB, .pss = 5 * MIB };
	struct pstatus st = {
		.tgid = 51, .has_mm = true, .hwm = 40 * MIB, .vmrss = 10 * MIB, .rss_shmem = 1 * MIB
	};

	/* VmHWM above every Rss sample: it is the peak. */
	proctable_record_sample(&pt, img, &r, &st);
	cr_assert_eq(img->peak_rss, 40 * MIB);
	cr_assert_eq(img->has_hwm, true);
	cr_assert_eq(img->hwm, 40 * MIB);
	cr_assert_eq(img->last_shmem, 1 * MIB);

	/* An Rss sample above VmHWM (counter error): the sample is the peak. */
	r.rss = 45 * MIB;
	st.hwm = 41 * MIB;
	st.rss_shmem = 2 * MIB;
	proctable_record_sample(&pt, img, &r, &st);
	cr_assert_eq(img->peak_rss, 45 * MIB);
	cr_assert_eq(img->hwm, 41 * MIB);
	cr_assert_eq(img->last_shmem, 2 * MIB);

	/* A status without an mm says nothing about memory. */
	r.rss = 1 * MIB;
	st.has_mm = false;
	st.hwm = 99 * MIB;
	st.rss_shmem = 0;
	proctable_record_sample(&pt, img, &r, &st);
	cr_assert_eq(img->peak_rss, 45 * MIB);
	cr_assert_eq(img->hwm, 41 * MIB);
	cr_assert_eq(img->last_shmem, 2 * MIB);
	cr_assert_eq(img->samples, 3);
}

Test(proctable, record_hwm_alone)
{
	struct process *p = new_proc(52, 1);
	struct image *img = open_image(p, "x", 2, NULL, T0);

	sample(img, 8 * MIB, 8 * MIB);
	proctable_record_hwm(&pt, img, 12 * MIB);
	cr_assert_eq(img->peak_rss, 12 * MIB);
	cr_assert_eq(img->hwm, 12 * MIB);
	cr_assert_eq(img->has_hwm, true);
	/* A lower reading is kept as the last one but never lowers the peak. */
	proctable_record_hwm(&pt, img, 6 * MIB);
	cr_assert_eq(img->hwm, 6 * MIB);
	cr_assert_eq(img->peak_rss, 12 * MIB);
	cr_assert_eq(img->samples, 1, "a VmHWM reading is not a sample");
	cr_assert_eq(pt.samples, 1);
}

/* ---------------------------------------------------------------- tree sums */

Test(proctable, tree_sums)
{
	struct process *a = new_proc(60, 1), *b = new_proc(61, 60);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample(ia, 10 * MIB, 5 * MIB);
	ASSERT_TREE(10 * MIB, 5 * MIB, 10 * MIB, 5 * MIB);
	cr_assert_eq(pt.snapshots, 1);

	/* Two live images: the sums add. */
	sample(ib, 20 * MIB, 8 * MIB);
	ASSERT_TREE(30 * MIB, 13 * MIB, 30 * MIB, 13 * MIB);

	/* A new sample of one replaces its old contribution. */
	sample(ia, 4 * MIB, 2 * MIB);
	ASSERT_TREE(24 * MIB, 10 * MIB, 30 * MIB, 13 * MIB);
	sample(ib, 50 * MIB, 30 * MIB);
	ASSERT_TREE(54 * MIB, 32 * MIB, 54 * MIB, 32 * MIB);
	sample(ib, 50 * MIB, 30 * MIB);
	ASSERT_TREE(54 * MIB, 32 * MIB, 54 * MIB, 32 * MIB);
	cr_assert_eq(pt.snapshots, 5);

	/* Closing an image takes it out of the current sums; the peaks stay. */
	proctable_close_image(&pt, a, IMAGE_EXIT, 0, 0, T0 + 1);
	ASSERT_TREE(50 * MIB, 30 * MIB, 54 * MIB, 32 * MIB);

	/* A late sample of a closed image feeds its own peak, not the tree. */
	sample(ia, 100 * MIB, 90 * MIB);
	ASSERT_TREE(50 * MIB, 30 * MIB, 54 * MIB, 32 * MIB);
	cr_assert_eq(ia->peak_rss, 100 * MIB);
	cr_assert_eq(pt.snapshots, 5, "no snapshot for a closed image");
	cr_assert_eq(pt.samples, 6);

	proctable_close_image(&pt, b, IMAGE_SIGNAL, 0, 15, T0 + 2);
	ASSERT_TREE(0, 0, 54 * MIB, 32 * MIB);
}

/* PSS and RSS peaks are separate maxima: they may come from different instants. */
Test(proctable, tree_peaks_independent)
{
	struct process *a = new_proc(70, 1), *b = new_proc(71, 70);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample(ia, 100 * MIB, 10 * MIB); /* shared pages: high RSS, low PSS */
	sample(ib, 100 * MIB, 10 * MIB);
	ASSERT_TREE(200 * MIB, 20 * MIB, 200 * MIB, 20 * MIB);
	sample(ia, 40 * MIB, 35 * MIB); /* a unshares and frees */
	ASSERT_TREE(140 * MIB, 45 * MIB, 200 * MIB, 45 * MIB);
}

/* The member of the tree peak that is img (asserted there). */
static const struct tree_member *at_peak(const struct image *img)
{
	for (size_t i = 0; i < pt.n_at_peak; i++)
		if (pt.at_peak[i].img == img)
			return &pt.at_peak[i];
	cr_assert_fail("image %d is not among the %zu of the tree peak", (int)img->pid,
		       pt.n_at_peak);
	abort();
}

static bool is_at_peak(const struct image *img)
{
	for (size_t i = 0; i < pt.n_at_peak; i++)
		if (pt.at_peak[i].img == img)
			return true;
	return false;
}

/*
 * Who made the tree PSS peak: the images in the sums at that moment, each
 * with its RSS and its share of the PSS; kept as they were when the tree
 * shrinks, replaced when it peaks again; a closed image no longer counts.
 */
Test(proctable, members_of_the_tree_peak)
{
	struct process *a = new_proc(90, 1), *b = new_proc(91, 90), *c = new_proc(92, 90);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);
	struct image *ic = open_image(c, "c", 2, NULL, T0);

	sample(ia, 10 * MIB, 6 * MIB);
	sample(ib, 20 * MIB, 12 * MIB);
	sample(ic, 30 * MIB, 18 * MIB);
	cr_assert_eq(pt.n_at_peak, 3);
	cr_assert_eq(at_peak(ib)->rss, 20 * MIB);
	cr_assert_eq(at_peak(ib)->pss, 12 * MIB);
	cr_assert_eq(at_peak(ic)->pss, 18 * MIB);

	/* Lower: the members stay those of the peak, with their figures then. */
	sample(ic, 2 * MIB, 1 * MIB);
	cr_assert_eq(pt.n_at_peak, 3);
	cr_assert_eq(at_peak(ic)->pss, 18 * MIB);

	/* c ends, a and b grow past the old peak (36 MiB): two members. */
	proctable_close_image(&pt, c, IMAGE_EXIT, 0, 0, T0 + 1);
	sample(ia, 10 * MIB, 10 * MIB);
	sample(ib, 40 * MIB, 30 * MIB);
	ASSERT_TREE(50 * MIB, 40 * MIB, 60 * MIB, 40 * MIB);
	cr_assert_eq(pt.n_at_peak, 2);
	cr_assert_not(is_at_peak(ic));
	cr_assert_eq(at_peak(ia)->pss, 10 * MIB);
	cr_assert_eq(at_peak(ib)->pss, 30 * MIB);
	cr_assert_not(pt.at_peak_lost);
}

/* An image opened after an exec starts from nothing in the sums. */
Test(proctable, exec_replaces_contribution)
{
	struct process *a = new_proc(80, 1);
	struct image *old = open_image(a, "old", 4, NULL, T0), *new;

	sample(old, 300 * MIB, 300 * MIB);
	proctable_close_image(&pt, a, IMAGE_EXEC, 0, 0, T0 + 1);
	ASSERT_TREE(0, 0, 300 * MIB, 300 * MIB);
	new = open_image(a, "new", 4, NULL, T0 + 1);
	sample(new, 2 * MIB, 1 * MIB);
	ASSERT_TREE(2 * MIB, 1 * MIB, 300 * MIB, 300 * MIB);
	cr_assert_eq(new->index, 1);
	cr_assert_eq(new->peak_rss, 2 * MIB);
	cr_assert_eq(old->peak_rss, 300 * MIB);
}

static void sample_uss(struct image *img, uint64_t rss, uint64_t pss, uint64_t uss)
{
	struct rollup r = { .rss = rss, .pss = pss, .uss = uss };

	proctable_record_sample(&pt, img, &r, NULL);
}

/* A forked copy of pid tgid's image, opened now. */
static struct image *fork_copy(pid_t tgid, pid_t ppid, struct image *parent)
{
	struct process *p = new_proc(tgid, ppid);

	cr_assert_eq(proctable_open_forked_image(&pt, p, parent, T0 + 1), 0);
	cr_assert_eq(p->image->fork_parent, parent);
	return p->image;
}

/*
 * A forked copy shares its parent's pages.  While the parent's sample in the
 * sums predates the fork, it counts those pages in full: the copy adds only
 * its private pages.  Once the parent is sampled again (its PSS now has
 * half of them), the copy counts with its own PSS.
 */
Test(proctable, forked_copy_adds_private_pages_over_a_stale_parent)
{
	struct process *a = new_proc(90, 1);
	struct image *ia = open_image(a, "sh", 3, "/bin/sh", T0), *ib;

	sample_uss(ia, 64 * MIB, 64 * MIB, 64 * MIB);
	ib = fork_copy(91, 90, ia);
	cr_assert_str_eq(ib->exe, "/bin/sh");
	cr_assert_eq(ib->argv_len, 3);

	sample_uss(ib, 64 * MIB, 33 * MIB, 1 * MIB);
	ASSERT_TREE(128 * MIB, 65 * MIB, 128 * MIB, 65 * MIB);
	sample_uss(ib, 66 * MIB, 35 * MIB, 3 * MIB);
	ASSERT_TREE(130 * MIB, 67 * MIB, 130 * MIB, 67 * MIB);

	/* The parent sampled after the fork: both PSS are of the same sharing. */
	sample_uss(ia, 64 * MIB, 32 * MIB, 0);
	ASSERT_TREE(130 * MIB, 67 * MIB, 130 * MIB, 67 * MIB);
	cr_assert_null(ib->covered_by);
	cr_assert_eq(ia->dependents, 0);
	sample_uss(ib, 66 * MIB, 35 * MIB, 3 * MIB);
	ASSERT_TREE(130 * MIB, 67 * MIB, 130 * MIB, 67 * MIB);
}

/*
 * The parent's old sample holds only what it had then: a parent sampled
 * at 10 MiB that grew to 1 GiB before forking.  The copy adds what the old
 * sample cannot hold.
 */
Test(proctable, forked_copy_of_a_parent_that_grew_since_its_sample)
{
	struct process *a = new_proc(96, 1);
	struct image *ia = open_image(a, "p", 2, NULL, T0), *ib;

	sample_uss(ia, 10 * MIB, 10 * MIB, 10 * MIB);
	ib = fork_copy(97, 96, ia);
	sample_uss(ib, 1024 * MIB, 512 * MIB, 0);
	ASSERT_TREE(1034 * MIB, 1024 * MIB, 1034 * MIB, 1024 * MIB);
}

/* When the parent ends, the pages it counted fall to the copy: its PSS. */
Test(proctable, forked_copy_counts_its_pss_once_the_parent_ends)
{
	struct process *a = new_proc(92, 1);
	struct image *ia = open_image(a, "p", 2, NULL, T0), *ib;

	sample_uss(ia, 64 * MIB, 64 * MIB, 64 * MIB);
	ib = fork_copy(93, 92, ia);
	sample_uss(ib, 64 * MIB, 32 * MIB, 0);
	ASSERT_TREE(128 * MIB, 64 * MIB, 128 * MIB, 64 * MIB);
	cr_assert_eq(ib->covered_by, ia);
	proctable_close_image(&pt, a, IMAGE_EXIT, 0, 0, T0 + 2);
	ASSERT_TREE(64 * MIB, 32 * MIB, 128 * MIB, 64 * MIB);
	cr_assert_null(ib->covered_by);

	/* A copy of a parent already gone counts with its PSS from the start. */
	{
		struct process *c = new_proc(98, 1);
		struct image *ic = open_image(c, "q", 2, NULL, T0), *id;

		sample_uss(ic, 8 * MIB, 8 * MIB, 8 * MIB);
		id = fork_copy(99, 98, ic);
		proctable_close_image(&pt, c, IMAGE_EXIT, 0, 0, T0 + 3);
		sample_uss(id, 8 * MIB, 8 * MIB, 8 * MIB);
		cr_assert_null(id->covered_by);
		ASSERT_TREE(72 * MIB, 40 * MIB, 128 * MIB, 64 * MIB);
	}
}

/*
 * A copy of a copy that was never sampled: the grandparent's old sample
 * counts the pages all three share.
 */
Test(proctable, forked_copy_of_an_unsampled_copy)
{
	struct process *a = new_proc(100, 1);
	struct image *ia = open_image(a, "sh", 3, NULL, T0), *ib, *ic;

	sample_uss(ia, 64 * MIB, 64 * MIB, 64 * MIB);
	ib = fork_copy(101, 100, ia);
	ic = fork_copy(102, 101, ib);
	sample_uss(ic, 64 * MIB, 22 * MIB, 1 * MIB);
	cr_assert_eq(ic->covered_by, ia);
	ASSERT_TREE(128 * MIB, 65 * MIB, 128 * MIB, 65 * MIB);
}

/*
 * In a pass the copy may be read before its parent: it leans on the
 * parent's old sample until the parent's new one comes, then counts with
 * its PSS.  The peak is compared once, at the end.
 */
Test(proctable, pass_reads_copy_before_parent)
{
	struct process *a = new_proc(103, 1);
	struct image *ia = open_image(a, "p", 2, NULL, T0), *ib;

	sample_uss(ia, 64 * MIB, 64 * MIB, 64 * MIB);
	ib = fork_copy(104, 103, ia);
	proctable_begin_pass(&pt);
	sample_uss(ib, 64 * MIB, 32 * MIB, 0);
	sample_uss(ia, 64 * MIB, 32 * MIB, 0);
	proctable_end_pass(&pt);
	ASSERT_TREE(128 * MIB, 64 * MIB, 128 * MIB, 64 * MIB);
	cr_assert_null(ib->covered_by);
}

/*
 * A child read at its exit_group (its final sample, PSS half of what it
 * shares) is freeing its memory: the next pass takes it out of the sums
 * before it reads the parent, whose PSS then has those pages in full again.
 */
Test(proctable, pass_drops_images_past_their_final_sample)
{
	struct process *a = new_proc(105, 1);
	struct image *ia = open_image(a, "p", 2, NULL, T0), *ib;

	ib = fork_copy(106, 105, ia);
	proctable_begin_pass(&pt);
	sample_uss(ia, 64 * MIB, 32 * MIB, 0);
	sample_uss(ib, 64 * MIB, 32 * MIB, 0);
	proctable_end_pass(&pt);
	ASSERT_TREE(128 * MIB, 64 * MIB, 128 * MIB, 64 * MIB);
	sample_uss(ib, 64 * MIB, 32 * MIB, 0);
	ib->final_sampled = true;
	proctable_begin_pass(&pt);
	ASSERT_TREE(64 * MIB, 32 * MIB, 128 * MIB, 64 * MIB);
	sample_uss(ia, 64 * MIB, 64 * MIB, 64 * MIB);
	proctable_end_pass(&pt);
	ASSERT_TREE(64 * MIB, 64 * MIB, 128 * MIB, 64 * MIB);
	proctable_close_image(&pt, proctable_find_task(&pt, 106)->proc, IMAGE_EXIT, 0, 0, T0 + 2);
	ASSERT_TREE(64 * MIB, 64 * MIB, 128 * MIB, 64 * MIB);
}

/*
 * A timed pass samples one image after the other: the sums in between mix
 * new and old samples.  The peaks are compared once, at the end.
 */
Test(proctable, pass_compares_peaks_at_its_end)
{
	struct process *a = new_proc(94, 1), *b = new_proc(95, 94);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample(ia, 10 * MIB, 10 * MIB);
	sample(ib, 10 * MIB, 10 * MIB);
	ASSERT_TREE(20 * MIB, 20 * MIB, 20 * MIB, 20 * MIB);
	cr_assert_eq(pt.snapshots, 2);

	/* b handed 8 MiB over to a between the two samples of the pass. */
	proctable_begin_pass(&pt);
	sample(ia, 18 * MIB, 18 * MIB);
	ASSERT_TREE(28 * MIB, 28 * MIB, 20 * MIB, 20 * MIB);
	sample(ib, 2 * MIB, 2 * MIB);
	proctable_end_pass(&pt);
	ASSERT_TREE(20 * MIB, 20 * MIB, 20 * MIB, 20 * MIB);
	cr_assert_eq(pt.snapshots, 3, "one snapshot per pass");

	/* A pass that raised the sum raises the peak, at its end. */
	proctable_begin_pass(&pt);
	sample(ia, 30 * MIB, 30 * MIB);
	sample(ib, 2 * MIB, 2 * MIB);
	proctable_end_pass(&pt);
	ASSERT_TREE(32 * MIB, 32 * MIB, 32 * MIB, 32 * MIB);
}

/* ------------------------------------------------- peaks between samples */

/* A sample with a VmHWM read with it, as the sampler takes one. */
static void sample_hwm(struct image *img, uint64_t rss, uint64_t pss, uint64_t hwm)
{
	struct rollup r = { .rss = rss, .pss = pss, .uss = pss };
	struct pstatus st = { .tgid = img->pid, .has_mm = true, .hwm = hwm, .vmrss = rss };

	proctable_record_sample(&pt, img, &r, &st);
}

static void assert_estimate(const struct tree_estimate *e, const struct image *img, uint64_t base,
			    uint64_t growth)
{
	cr_assert_eq(e->img, img, "estimated from image %d, want %d", e->img ? e->img->pid : 0,
		     img ? img->pid : 0);
	cr_assert_eq(e->base, base, "base %llu, want %llu", (unsigned long long)e->base,
		     (unsigned long long)base);
	cr_assert_eq(e->growth, growth, "growth %llu, want %llu", (unsigned long long)e->growth,
		     (unsigned long long)growth);
	cr_assert_not(e->alone);
}

/*
 * The issue-14 case: one process touches 400 MiB and frees it between two
 * samples; its only sample (at exit_group) holds 1 MiB, VmHWM 401 MiB.  The
 * tree held at least the sums at that sample plus the 400 MiB of growth.
 */
Test(proctable, counter_peak_gets_a_floor_from_the_last_sample)
{
	struct process *a = new_proc(110, 1);
	struct image *ia = open_image(a, "wl", 3, NULL, T0);

	sample_hwm(ia, 1 * MIB, MIB / 4, 401 * MIB);
	cr_assert_eq(ia->peak_rss, 401 * MIB);
	ASSERT_TREE(1 * MIB, MIB / 4, 401 * MIB, 400 * MIB + MIB / 4);
	cr_assert_eq(pt.sampled_peak_rss, 1 * MIB, "the sums alone never saw it");
	cr_assert_eq(pt.sampled_peak_pss, MIB / 4);
	assert_estimate(&pt.pss_estimate, ia, MIB / 4, 400 * MIB);
	assert_estimate(&pt.rss_estimate, ia, 1 * MIB, 400 * MIB);
	/* It is in the members of the peak at its peak, not at its sample. */
	cr_assert_eq(pt.n_at_peak, 1);
	cr_assert_eq(at_peak(ia)->rss, 401 * MIB);
	cr_assert_eq(at_peak(ia)->pss, 400 * MIB + MIB / 4);
	/* The same VmHWM read again is no new peak: nothing more is added. */
	sample_hwm(ia, 1 * MIB, MIB / 4, 401 * MIB);
	ASSERT_TREE(1 * MIB, MIB / 4, 401 * MIB, 400 * MIB + MIB / 4);
}

/*
 * The pyenv case: the big process is deep in a chain of shells that hold a
 * little each.  The floor is the tree at its sample (the shells included)
 * plus its growth.
 */
Test(proctable, counter_peak_adds_to_the_rest_of_the_tree)
{
	struct process *a = new_proc(111, 1), *b = new_proc(112, 111), *c = new_proc(113, 112);
	struct image *ia = open_image(a, "sh", 3, NULL, T0);
	struct image *ib = open_image(b, "sh", 3, NULL, T0);
	struct image *ic = open_image(c, "python3", 8, NULL, T0);

	sample(ia, 2 * MIB, 1 * MIB);
	sample(ib, 2 * MIB, 1 * MIB);
	sample_hwm(ic, 10 * MIB, 8 * MIB, 10 * MIB);
	ASSERT_TREE(14 * MIB, 10 * MIB, 14 * MIB, 10 * MIB);
	cr_assert_null(pt.pss_estimate.img, "a peak that a sample saw is no estimate");
	/* It built a list and freed it before exit_group. */
	sample_hwm(ic, 12 * MIB, 9 * MIB, 400 * MIB);
	ASSERT_TREE(16 * MIB, 11 * MIB, 404 * MIB, 399 * MIB);
	assert_estimate(&pt.pss_estimate, ic, 11 * MIB, 388 * MIB);
	cr_assert_eq(pt.sampled_peak_pss, 11 * MIB);
}

/* A sum of samples that exceeds the estimate replaces it: the figure is sampled again. */
Test(proctable, a_larger_sum_of_samples_replaces_the_estimate)
{
	struct process *a = new_proc(114, 1), *b = new_proc(115, 114);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample_hwm(ia, 1 * MIB, 1 * MIB, 50 * MIB);
	cr_assert_eq(pt.tree_peak_pss, 50 * MIB);
	cr_assert_not_null(pt.pss_estimate.img);
	sample(ib, 60 * MIB, 60 * MIB);
	ASSERT_TREE(61 * MIB, 61 * MIB, 61 * MIB, 61 * MIB);
	cr_assert_null(pt.pss_estimate.img);
	cr_assert_null(pt.rss_estimate.img);
}

/*
 * VmHWM a little above the sample, within the kernel counter's error, is
 * that sample: no estimate, the figures stay sums of samples.
 */
Test(proctable, counter_peak_within_the_error_is_no_estimate)
{
	struct process *a = new_proc(116, 1);
	struct image *ia = open_image(a, "a", 2, NULL, T0);

	pt.estimate_above = 256 * 1024;
	sample_hwm(ia, 100 * MIB, 99 * MIB, 100 * MIB + 200 * 1024);
	ASSERT_TREE(100 * MIB, 99 * MIB, 100 * MIB, 99 * MIB);
	cr_assert_null(pt.pss_estimate.img);
	cr_assert_eq(ia->peak_rss, 100 * MIB + 200 * 1024, "the image's own peak is VmHWM");
	/* Past the error it is one. */
	sample_hwm(ia, 100 * MIB, 99 * MIB, 101 * MIB);
	ASSERT_TREE(100 * MIB, 99 * MIB, 101 * MIB, 100 * MIB);
	assert_estimate(&pt.pss_estimate, ia, 99 * MIB, 1 * MIB);
}

/*
 * A VmHWM read alone (an exec entry, a vfork child's lender) counts on the
 * image's last sample; an image never sampled has no floor in the sums and
 * raises only the tree RSS, alone, at the end.
 */
Test(proctable, counter_peak_read_alone)
{
	struct process *a = new_proc(117, 1), *b = new_proc(118, 117);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample(ia, 4 * MIB, 3 * MIB);
	proctable_record_hwm(&pt, ia, 24 * MIB);
	ASSERT_TREE(4 * MIB, 3 * MIB, 24 * MIB, 23 * MIB);
	assert_estimate(&pt.pss_estimate, ia, 3 * MIB, 20 * MIB);

	proctable_record_hwm(&pt, ib, 40 * MIB);
	ASSERT_TREE(4 * MIB, 3 * MIB, 24 * MIB, 23 * MIB);
	proctable_finish(&pt, 5);
	cr_assert_eq(pt.tree_peak_rss, 40 * MIB);
	cr_assert_eq(pt.tree_peak_pss, 23 * MIB, "no PSS is made up for an unsampled image");
	cr_assert_eq(pt.rss_estimate.img, ib);
	cr_assert(pt.rss_estimate.alone);
	cr_assert_eq(pt.pss_estimate.img, ia);
}

/* During a timed pass the estimate waits for its end, on the sums of that moment. */
Test(proctable, counter_peak_in_a_pass_waits_for_its_end)
{
	struct process *a = new_proc(119, 1), *b = new_proc(120, 119);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);

	sample(ia, 10 * MIB, 10 * MIB);
	sample(ib, 10 * MIB, 10 * MIB);
	proctable_begin_pass(&pt);
	sample_hwm(ia, 2 * MIB, 2 * MIB, 30 * MIB);
	ASSERT_TREE(12 * MIB, 12 * MIB, 20 * MIB, 20 * MIB);
	sample(ib, 4 * MIB, 4 * MIB);
	proctable_end_pass(&pt);
	ASSERT_TREE(6 * MIB, 6 * MIB, 34 * MIB, 34 * MIB);
	assert_estimate(&pt.pss_estimate, ia, 6 * MIB, 28 * MIB);
}

/* --exact: a reading before a release, above the last sample, is the same kind of peak. */
Test(proctable, exact_reading_above_the_sample_gets_a_floor)
{
	struct process *a = new_proc(121, 1);
	struct image *ia = open_image(a, "a", 2, NULL, T0);

	pt.hwm_is_peak = false;
	sample(ia, 1 * MIB, 1 * MIB);
	proctable_record_rss(&pt, ia, 201 * MIB);
	ASSERT_TREE(1 * MIB, 1 * MIB, 201 * MIB, 201 * MIB);
	assert_estimate(&pt.pss_estimate, ia, 1 * MIB, 200 * MIB);
}

/* ----------------------------------------------------------------- peak image */

Test(proctable, peak_image)
{
	struct process *a = new_proc(90, 1), *b = new_proc(91, 90), *c = new_proc(92, 90);
	struct image *ia = open_image(a, "a", 2, NULL, T0);
	struct image *ib = open_image(b, "b", 2, NULL, T0);
	struct image *ic;

	cr_assert_eq(proctable_peak_image(&pt), ia, "no samples yet: the first image");
	sample(ia, 10 * MIB, 1);
	sample(ib, 30 * MIB, 1);
	sample(ib, 5 * MIB, 1);
	cr_assert_eq(proctable_peak_image(&pt), ib);
	/* Closed images count: the peak is over the whole run. */
	proctable_close_image(&pt, b, IMAGE_EXIT, 0, 0, T0 + 1);
	cr_assert_eq(proctable_peak_image(&pt), ib);
	/* VmHWM counts too. */
	ic = open_image(c, "c", 2, NULL, T0 + 2);
	sample(ic, 1 * MIB, 1);
	proctable_record_hwm(&pt, ic, 31 * MIB);
	cr_assert_eq(proctable_peak_image(&pt), ic);
	/* A tie keeps the earlier image. */
	proctable_record_hwm(&pt, ia, 31 * MIB);
	cr_assert_eq(proctable_peak_image(&pt), ia);
}

Test(proctable, exact_mode_peak_ignores_hwm)
{
	struct process *p = new_proc(53, 1);
	struct image *img = open_image(p, "x", 2, NULL, T0);

	/* With --exact the counter is only a witness, never the peak. */
	pt.hwm_is_peak = false;
	sample(img, 8 * MIB, 8 * MIB);
	proctable_record_hwm(&pt, img, 12 * MIB);
	cr_assert_eq(img->peak_rss, 8 * MIB);
	cr_assert_eq(img->hwm, 12 * MIB);
	proctable_record_rss(&pt, img, 10 * MIB);
	cr_assert_eq(img->peak_rss, 10 * MIB);
	cr_assert_eq(img->exact_reads, 1);
	proctable_record_rss(&pt, img, 9 * MIB);
	cr_assert_eq(img->peak_rss, 10 * MIB);
	cr_assert_eq(img->exact_reads, 2);
}
