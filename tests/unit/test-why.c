/*
 * Unit tests of why: each reason that time -v's ru_maxrss differs, on runs
 * built by hand where it does and does not apply, and the counter error of
 * a kernel from its release, CPUs and page size.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "why.h"

#define MIB (1024ull * 1024)
#define T0 1000000000ull

static struct result run;

static void setup(void)
{
	memset(&run, 0, sizeof(run));
	cr_assert_eq(proctable_init(&run.pt, T0), 0);
	run.res.has_ru = true;
	run.res.counter_error = (struct counter_error){ .bytes = 256 * 1024, .below = 256 * 1024 };
}

static void teardown(void)
{
	proctable_free(&run.pt);
}

TestSuite(why, .init = setup, .fini = teardown);

static struct image *image_of(pid_t pid, pid_t ppid, const char *argv, uint64_t rss, uint64_t pss)
{
	struct process *p = proctable_new_process(&run.pt, pid, ppid, false);
	struct rollup r = { .rss = rss, .pss = pss };

	cr_assert_not_null(p);
	cr_assert_eq(proctable_open_image(&run.pt, p, argv, strlen(argv) + 1, NULL, T0), 0);
	proctable_record_sample(&run.pt, p->image, &r, NULL);
	return p->image;
}

static const struct why_reason *find(const struct why *w, enum why_kind k)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].kind == k)
			return &w->v[i];
	return NULL;
}

/* The reason of kind k, asserted there. */
static const struct why_reason *need(const struct why *w, enum why_kind k)
{
	const struct why_reason *r = find(w, k);

	cr_assert_not_null(r, "no reason %s among %zu", why_name(k), w->n);
	return r ? r : &w->v[0];
}

/* Four processes of 40 MiB at once: ru_maxrss is one of them. */
Test(why, largest_process_only)
{
	struct why w;
	const struct why_reason *r;

	for (pid_t p = 10; p < 14; p++)
		image_of(p, 9, "python3", 40 * MIB, 38 * MIB);
	run.res.ru_maxrss_bytes = 40 * MIB;
	cr_assert(why_time_differs(&run, &w));
	r = find(&w, WHY_LARGEST_ONLY);
	cr_assert_not_null(r);
	cr_assert_eq(r->count, 4);
	cr_assert_eq(r->bytes, 4 * 38 * MIB);
	cr_assert_eq(r->bytes2, 4 * 40 * MIB);
	cr_assert_null(find(&w, WHY_PRE_EXEC));
	cr_assert_null(find(&w, WHY_COUNTER), "equal: no counter error to speak of");
	cr_assert_eq(w.n, 1);
}

/* A 12 KiB program under a 1.5 MiB wrapper: ru_maxrss is the wrapper's copy. */
Test(why, pre_exec_copy)
{
	struct why w;

	image_of(10, 9, "./tiny", 12 * 1024, 12 * 1024);
	run.res.ru_maxrss_bytes = 1536 * 1024;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_not_null(find(&w, WHY_PRE_EXEC));
	cr_assert_eq(need(&w, WHY_PRE_EXEC)->bytes, 1536 * 1024);
	cr_assert_null(find(&w, WHY_LARGEST_ONLY), "one process");
	/* Within the counter's error: not the wrapper, the counter. */
	run.res.ru_maxrss_bytes = 12 * 1024 + 200 * 1024;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_null(find(&w, WHY_PRE_EXEC));
	cr_assert_eq(need(&w, WHY_COUNTER)->bytes, 200 * 1024);
	cr_assert_eq(need(&w, WHY_COUNTER)->bytes2, 256 * 1024);
}

/* A 200 MiB parent posix_spawns true: true's own ru_maxrss carries the parent's mark. */
Test(why, inherited_mark)
{
	struct image *big = image_of(10, 9, "./big", 200 * MIB, 200 * MIB);
	struct process *child = proctable_new_process(&run.pt, 11, 10, false);
	struct rollup r = { .rss = 1 * MIB, .pss = 1 * MIB };
	const struct why_reason *reason;
	struct why w;

	proctable_record_hwm(&run.pt, big, 201 * MIB);
	proctable_borrow(child, big);
	cr_assert_eq(proctable_open_image(&run.pt, child, "true", 5, NULL, T0), 0);
	proctable_record_sample(&run.pt, child->image, &r, NULL);
	cr_assert_eq(child->image->lent_by, big);
	cr_assert_eq(child->image->inherited_hwm, 201 * MIB);
	run.res.ru_maxrss_bytes = 201 * MIB;
	cr_assert(why_time_differs(&run, &w));
	reason = find(&w, WHY_INHERITED);
	cr_assert_not_null(reason);
	cr_assert_eq(reason->img, child->image);
	cr_assert_eq(reason->other, big);
	cr_assert_eq(reason->bytes, 201 * MIB);
	cr_assert_eq(reason->bytes2, 1 * MIB);
	cr_assert_null(find(&w, WHY_PRE_EXEC), "the mark is the parent's own peak");
}

/* A forked (not vforked) child inherits nothing: its mm is its own copy. */
Test(why, fork_inherits_nothing)
{
	struct image *big = image_of(10, 9, "./big", 200 * MIB, 200 * MIB);
	struct process *child = proctable_new_process(&run.pt, 11, 10, false);
	struct why w;

	cr_assert_eq(proctable_open_forked_image(&run.pt, child, big, T0), 0);
	cr_assert_null(child->image->lent_by);
	run.res.ru_maxrss_bytes = 200 * MIB;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_null(find(&w, WHY_INHERITED));
}

/* The largest process was an orphan: its parent never waited for it. */
Test(why, not_waited_for)
{
	struct why w;

	image_of(10, 9, "sh", 2 * MIB, 1 * MIB);
	image_of(11, 1, "daemon", 50 * MIB, 50 * MIB);
	run.res.ru_maxrss_bytes = 2 * MIB;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_not_null(find(&w, WHY_UNWAITED));
	cr_assert_eq(need(&w, WHY_UNWAITED)->bytes, 50 * MIB);
}

/*
 * Before Linux 6.2 the counter only lags: ru_maxrss below the peak by 1 MiB
 * is the counter's error (65 faults of 64 KiB per thread), not a process
 * nobody waited for; above it by as much, it is no error of the counter.
 */
Test(why, counter_lags_before_6_2)
{
	const struct why_reason *r;
	struct why w;

	run.res.counter_error = why_counter_error("6.1.0-13-amd64", 2, 4096);
	image_of(10, 9, "./prog", 20 * MIB, 19 * MIB);
	run.res.ru_maxrss_bytes = 19 * MIB;
	cr_assert(why_time_differs(&run, &w));
	r = need(&w, WHY_COUNTER);
	cr_assert(r->below);
	cr_assert_eq(r->bytes, MIB);
	cr_assert_eq(r->bytes2, 65 * 64 * 1024ull, "the bound below");
	cr_assert_null(find(&w, WHY_UNWAITED));
	run.res.ru_maxrss_bytes = 15 * MIB;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_null(find(&w, WHY_COUNTER), "5 MiB is past 65 faults of one thread");
	cr_assert_not_null(find(&w, WHY_UNWAITED));
	run.res.ru_maxrss_bytes = 21 * MIB;
	cr_assert(why_time_differs(&run, &w));
	cr_assert_null(find(&w, WHY_COUNTER), "a lagging counter is not 1 MiB ahead");
	cr_assert_not_null(find(&w, WHY_PRE_EXEC));
	run.res.ru_maxrss_bytes = 20 * MIB + 200 * 1024;
	cr_assert(why_time_differs(&run, &w));
	r = need(&w, WHY_COUNTER);
	cr_assert_not(r->below);
	cr_assert_eq(r->bytes2, 64 * 4096ull, "the bound above");
}

Test(why, nothing_to_compare)
{
	struct why w;

	run.res.has_ru = false;
	image_of(10, 9, "x", MIB, MIB);
	cr_assert_not(why_time_differs(&run, &w));
	run.res.has_ru = true;
	proctable_free(&run.pt);
	cr_assert_eq(proctable_init(&run.pt, T0), 0);
	cr_assert_not(why_time_differs(&run, &w), "no image, no peak");
}

/* measuring.md: about 256 KiB on 2 CPUs, 32 MiB on 64, 512 MiB on 256 (4 KiB pages). */
Test(why, counter_error_of_a_kernel)
{
	struct counter_error e;

	e = why_counter_error("6.18.0-1-amd64", 2, 4096);
	cr_assert_eq(e.bytes, 2 * 32 * 4096ull);
	cr_assert_eq(e.below, e.bytes, "per-CPU counters: either way alike");
	cr_assert_not(e.per_thread);
	cr_assert_eq(why_counter_error("6.2.0", 64, 4096).bytes, 64 * 128 * 4096ull);
	cr_assert_eq(why_counter_error("7.0", 256, 4096).bytes, 256 * 512 * 4096ull);
	/*
	 * Before 6.2: 65 faults unfolded per thread, each mapping up to a 64
	 * KiB fault-around window or one larger page (mm/memory.c of 6.1).
	 */
	e = why_counter_error("6.1.0-13-arm64", 8, 65536);
	cr_assert_eq(e.bytes, 64 * 65536ull);
	cr_assert_eq(e.below, 65 * 65536ull);
	cr_assert(e.per_thread);
	e = why_counter_error("6.1.0-13-amd64", 2, 4096);
	cr_assert_eq(e.bytes, 64 * 4096ull);
	cr_assert_eq(e.below, 65 * 64 * 1024ull, "16 pages a fault, fault-around");
	cr_assert_eq(why_counter_error("6.1.0-13-powerpc64le", 2, 16384).below, 65 * 64 * 1024ull);
	cr_assert(why_counter_error("5.10.0", 2, 4096).per_thread);
	cr_assert(why_counter_error(NULL, 0, 0).per_thread, "unknown: the old rule");
}
