/*
 * e2e-randtree: random process trees against their own truth (issue 16).
 *
 * randtree builds a tree from a seed (every shape it has: fork, vfork,
 * posix_spawn, clone with every combination of CLONE_VM, CLONE_VFORK and
 * CLONE_PARENT, threads that exec or outlive their leader, exec chains
 * with failed execs, filters of its own, signal deaths, orphans, children
 * reaped late or never) and logs the truth of every image; treecheck
 * compares the report with that log (tests/lib/treecheck.h says what is
 * checked and within which tolerances).  Each seed also picks the tool's
 * options (treerun_options).
 *
 * Here: a fixed set of seeds, the same on every run, and the seeds that
 * found defects, run several times where what they found depends on the
 * order in which the kernel reports two stops.  `make soak` runs new seeds
 * for as long as asked (tests/e2e/treesoak.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/treerun.h"
#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(randtree, .timeout = 300, .init = e2e_need_tracing);

/* Seeds per test: the suite's seeds are 1 .. GROUPS * PER_GROUP. */
#define GROUPS 6
#define PER_GROUP 8

/* A run that takes longer is a hang (one takes 0.2 s here, ten times that under ASan). */
#define LIMIT_S 60

static void run_seed(uint64_t seed, unsigned times)
{
	struct treerun_opts o = { .limit_s = LIMIT_S };
	const char *tmp = getenv("TMPDIR");

	o.tool = e2e_tool();
	o.randtree = e2e_randtree();
	o.tmpdir = tmp && *tmp ? tmp : "/tmp";
	o.sanitized = e2e_sanitized();
	for (unsigned i = 0; i < times; i++) {
		struct treerun_result r;

		treerun_seed(&o, seed, &r);
		e2e_note("seed %llu (%s): status %d, %.2f s, %zu processes, %zu images, %zu "
			 "concurrent sums proven (largest %llu, tree PSS %llu)",
			 (unsigned long long)seed, r.options[0] ? r.options : "no options",
			 r.status, r.seconds, r.check.processes, r.check.images, r.check.proofs,
			 (unsigned long long)r.check.proven_pss,
			 (unsigned long long)r.check.tree_pss);
		cr_assert_eq(r.check.failures, 0,
			     "seed %llu (options: %s), run %u of %u: %u failures (replay: make soak "
			     "SOAK_SEED=%llu SOAK_COUNT=1)\n%s",
			     (unsigned long long)seed, r.options[0] ? r.options : "none", i + 1,
			     times, r.check.failures, (unsigned long long)seed,
			     r.check.messages ? r.check.messages : "");
		treerun_result_free(&r);
	}
}

static void run_group(unsigned g)
{
	for (unsigned i = 1; i <= PER_GROUP; i++)
		run_seed((uint64_t)(g * PER_GROUP + i), 1);
}

Test(randtree, seeds_1_to_8)
{
	run_group(0);
}

Test(randtree, seeds_9_to_16)
{
	run_group(1);
}

Test(randtree, seeds_17_to_24)
{
	run_group(2);
}

Test(randtree, seeds_25_to_32)
{
	run_group(3);
}

Test(randtree, seeds_33_to_40)
{
	run_group(4);
}

Test(randtree, seeds_41_to_48)
{
	run_group(5);
}

/*
 * The seeds that found defects (the commits that fixed them name them;
 * test-lifecycle.c serves the same stops without a race).  The first two
 * depend on which of two stops the kernel reports first, so each runs ten
 * times: the unfixed tool failed 6, 5, 4 and 3 of 10 runs of them, never
 * all 10 passing in 40 tries.
 */

/*
 * A vfork (from posix_spawn or vfork()) by a thread whose leader has
 * exited, its first stop before the vfork event: it was compared with the
 * zombie leader, which has no mm, and became a forked copy that ended
 * "exec" with its parent's memory as its peak.
 */
Test(randtree, regression_vfork_from_a_thread_of_an_exited_leader)
{
	run_seed(86, 10);
	run_seed(226, 10);
}

/*
 * A clone(CLONE_VM | CLONE_PARENT) child met by its own first stop: /proc
 * names its grandparent, whose memory it does not share, so it became a
 * forked copy of the grandparent with an image it never had.
 */
Test(randtree, regression_clone_vm_parent_child_met_first)
{
	run_seed(292, 10);
	run_seed(18, 10);
}

/*
 * clone(CLONE_PARENT) by a process re-parented to maxrss-sc: the child's
 * parent is maxrss-sc (the kernel's), not the creator's dead parent.  The
 * unfixed tool failed every run of these.
 */
Test(randtree, regression_clone_parent_of_an_orphan)
{
	run_seed(98, 2);
	run_seed(238, 2);
}
