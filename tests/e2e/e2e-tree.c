/*
 * e2e-tree: processes and images: exec, threads, posix_spawn, fork, signals.
 *
 * Every peak checked here was still resident at a lifecycle stop (execve
 * entry, exit_group, the exit event of a signal death), where the tracer
 * reads the exact smaps_rollup: so the tolerances are E2E_EXACT_BELOW under
 * the truth, and above it the counter bound (the reported peak is also
 * max'ed with VmHWM) plus E2E_AFTER_TRUTH.  See e2e.h.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(tree, .timeout = 60, .init = e2e_need_tracing);

/*
 * Assert an image's peak against its readings: lo, the reading at the peak
 * (still resident at a stop), and hi, the largest reading of the image (a
 * later one may be higher: thread exits, join and exit code fault pages in).
 */
static void check_peak_below(const char *label, const struct json *img, uint64_t lo, uint64_t hi,
			     uint64_t below)
{
	uint64_t peak = e2e_u64(img, "peak_rss_bytes");

	e2e_note("%s: reported peak %" PRIu64 ", truth %" PRIu64 " (diff %+" PRId64
		 "), largest reading %" PRIu64,
		 label, peak, lo, (int64_t)(peak - lo), hi);
	e2e_assert_within(label, peak, e2e_sub(lo, E2E_EXACT_BELOW + below),
			  hi + e2e_counter_bound() + E2E_AFTER_TRUTH);
}

static void check_peak(const char *label, const struct json *img, uint64_t lo, uint64_t hi)
{
	check_peak_below(label, img, lo, hi, 0);
}

/* One pid, two images: the exec closes image 0 with its peak kept. */
Test(tree, grow_then_exec)
{
	const char *wl = e2e_wl(), *tiny = e2e_tiny();
	const struct truth *tp, *te;
	const struct json *img0, *img1;
	struct e2e_run r;
	bool null;

	e2e_run_json(&r, E2E_ARGS(wl, "grow-exec", "48", tiny));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	te = e2e_need_truth(&r, "end", 0);
	cr_assert_eq(tp->pid, te->pid, "workload sanity: exec changed the pid");

	cr_assert_eq(e2e_count_images(r.json, tp->pid), 2, "pid %d has %zu images, expected 2",
		     (int)tp->pid, e2e_count_images(r.json, tp->pid));
	img0 = e2e_need_image(&r, tp->pid, 0);
	img1 = e2e_need_image(&r, tp->pid, 1);
	cr_assert_eq(json_at(json_get(r.json, "processes"), 0), img0,
		     "image 0 is not listed first");
	cr_assert_str_eq(e2e_str(img0, "argv.1"), "grow-exec", "image 0 is not wl grow-exec");
	e2e_check_end(img0, "exec");
	check_peak("grow-exec image 0 (sampled at execve entry)", img0, tp->rss, tp->rss);

	cr_assert_str_eq(e2e_str(img1, "argv.0"), tiny, "image 1 is not tiny");
	e2e_check_end(img1, "exit");
	cr_assert_eq(e2e_int_or_null(img1, "exit_code", &null), 0, "tiny's exit_code");
	cr_assert(!null, "tiny's exit_code is null");
	/* VmHWM restarts at exec: none of image 0's 48 MiB may leak into image 1. */
	check_peak("grow-exec image 1 (tiny after exec)", img1, te->rss, te->rss);

	cr_assert_eq(e2e_u64(r.json, "peak_rss_bytes"), e2e_u64(img0, "peak_rss_bytes"),
		     "the headline is not the largest image peak");
	cr_assert_eq(e2e_u64(r.json, "peak_pid"), (uint64_t)tp->pid, "peak_pid");
	e2e_run_free(&r);
}

/*
 * Threads share one mm: one entry, peak ~ K*M (not K times K*M).  The
 * threads' memory stays mapped to the end, but their stacks need not
 * (e2e_thread_end_bound): arm64 on 6.1 reported 916 KiB and 1452 KiB
 * below the truth, 5 threads, the peak VmHWM's.
 */
Test(tree, threads_one_entry)
{
	const char *wl = e2e_wl();
	const struct truth *tp;
	struct e2e_run r;
	uint64_t hi;

	e2e_run_json(&r, E2E_ARGS(wl, "threads", "4", "12"));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	cr_assert_geq(tp->rss, 48 * MIB, "workload sanity: 4 x 12 MiB gave %" PRIu64, tp->rss);

	cr_assert_eq(json_path(r.json, "processes")->n, 1,
		     "threads are not images: expected 1 entry, got %zu",
		     json_path(r.json, "processes")->n);
	cr_assert_eq(e2e_u64(r.json, "processes.0.pid"), (uint64_t)tp->pid, "the entry's pid");
	e2e_check_end(json_path(r.json, "processes.0"), "exit");
	hi = e2e_truth_max_rss(&r, tp->pid);
	check_peak_below("threads 4x12 MiB peak", json_path(r.json, "processes.0"), tp->rss, hi,
			 e2e_thread_end_bound(5));
	/* The tree sum must count the shared mm once, not once per thread. */
	e2e_note("threads: tree peak RSS %" PRIu64 ", PSS %" PRIu64,
		 e2e_u64(r.json, "tree.peak_rss_bytes"), e2e_u64(r.json, "tree.peak_pss_bytes"));
	e2e_assert_within("threads tree.peak_rss_bytes", e2e_u64(r.json, "tree.peak_rss_bytes"),
			  e2e_sub(tp->rss, E2E_EXACT_BELOW + e2e_thread_end_bound(5)),
			  hi + E2E_AFTER_TRUTH);
	e2e_run_free(&r);
}

/*
 * posix_spawn is clone(CLONE_VM|CLONE_VFORK): the child runs on the
 * parent's 64 MiB mm until its exec.  Its image starts at the exec and must
 * be charged tiny's own few hundred KiB, not the parent's memory.
 */
Test(tree, spawn_child_not_charged_parent)
{
	const char *wl = e2e_wl(), *tiny = e2e_tiny();
	const struct truth *tp, *tc;
	const struct json *parent, *child;
	struct e2e_run r;

	e2e_run_json(&r, E2E_ARGS(wl, "spawn", "64", tiny));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	tc = e2e_need_truth(&r, "end", 0);
	cr_assert_neq(tp->pid, tc->pid, "workload sanity: one pid for parent and child");

	/* The parent's pid has exactly one image, wl itself: no stub of the tool. */
	cr_assert_eq(e2e_count_images(r.json, tp->pid), 1, "parent pid %d has %zu images",
		     (int)tp->pid, e2e_count_images(r.json, tp->pid));
	parent = e2e_need_image(&r, tp->pid, 0);
	cr_assert_str_eq(e2e_str(parent, "argv.0"), wl, "the parent image is not wl");
	cr_assert_str_eq(e2e_str(parent, "argv.1"), "spawn", "the parent image is not wl spawn");
	e2e_check_end(parent, "exit");
	check_peak("spawn parent 64 MiB", parent, tp->rss, e2e_truth_max_rss(&r, tp->pid));

	/* No image for the borrowed mm before exec: the child's image 0 is tiny. */
	cr_assert_eq(e2e_count_images(r.json, tc->pid), 1, "child pid %d has %zu images",
		     (int)tc->pid, e2e_count_images(r.json, tc->pid));
	child = e2e_need_image(&r, tc->pid, 0);
	cr_assert_str_eq(e2e_str(child, "argv.0"), tiny, "the child image is not tiny");
	cr_assert_eq(e2e_u64(child, "ppid"), (uint64_t)tp->pid, "child's ppid");
	e2e_check_end(child, "exit");
	check_peak("spawned tiny (parent holds 64 MiB)", child, tc->rss, tc->rss);

	cr_assert_eq(e2e_u64(r.json, "peak_pid"), (uint64_t)tp->pid, "peak_pid is not the parent");
	e2e_run_free(&r);
}

/*
 * A 64 MiB parent forks and execs tiny 5 times, as a shell runs commands.
 * Each child is a copy of the parent until its exec; the pages they share
 * exist once.  The tree PSS peak is the parent's PSS plus what the children
 * add of their own: tiny's few hundred KiB each, and the handful of pages a
 * child dirties between fork and exec (its stack, libc's data).  It must not
 * add the child's share of the parent's pages to a parent sample that
 * already counts them in full (which reported 80-96 MiB here).
 */
Test(tree, fork_exec_tree_pss_counts_shared_pages_once)
{
	const char *wl = e2e_wl(), *tiny = e2e_tiny();
	const struct truth *tp;
	uint64_t tree_pss, parent_pss = 0, child_pss = 0, lo, hi;
	struct e2e_run r;

	e2e_run_json(&r, E2E_ARGS(wl, "fork-exec", "64", "5", tiny));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	for (size_t i = 0; i < r.ntruths; i++) {
		uint64_t *max = r.truths[i].pid == tp->pid ? &parent_pss : &child_pss;

		if (r.truths[i].pss > *max)
			*max = r.truths[i].pss;
	}
	cr_assert_gt(child_pss, 0, "no reading of tiny");
	tree_pss = e2e_u64(r.json, "tree.peak_pss_bytes");
	/*
	 * One child at a time: at most the parent's largest reading, one
	 * tiny, and 1 MiB for the pages a forked copy makes its own before
	 * its exec (its stack, libc's data: a few dozen pages measured).
	 */
	lo = e2e_sub(tp->pss, E2E_EXACT_BELOW);
	hi = parent_pss + child_pss + 1024 * 1024;
	e2e_note("fork-exec tree.peak_pss_bytes %" PRIu64 ", parent PSS %" PRIu64
		 ", tiny PSS %" PRIu64,
		 tree_pss, tp->pss, child_pss);
	e2e_assert_within("fork-exec tree.peak_pss_bytes", tree_pss, lo, hi);
	e2e_run_free(&r);
}

/*
 * A 64 MiB parent, read by a timed pass while it sleeps 300 ms, then forks
 * 5 children that exit at once (bash's subshells, fork servers).  Each
 * child's exit sample has half of the parent's pages in its PSS; the
 * parent's sample in the sums, older than the fork, counts them all.  The
 * child adds only its private pages, so the tree PSS stays the parent's.
 */
Test(tree, fork_exit_tree_pss_counts_shared_pages_once)
{
	const char *wl = e2e_wl();
	const struct truth *tp;
	uint64_t tree_pss, parent_pss = 0, lo, hi;
	struct e2e_run r;

	e2e_run_json(&r, E2E_ARGS(wl, "fork-exit", "64", "5", "300"));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	for (size_t i = 0; i < r.ntruths; i++)
		if (r.truths[i].pid == tp->pid && r.truths[i].pss > parent_pss)
			parent_pss = r.truths[i].pss;
	cr_assert_eq(e2e_count_images(r.json, tp->pid), 1, "the parent has %zu images",
		     e2e_count_images(r.json, tp->pid));
	cr_assert_geq(e2e_u64(r.json, "tracer.timed_passes"), 1, "no timed pass read the parent");
	tree_pss = e2e_u64(r.json, "tree.peak_pss_bytes");
	/* One child at a time, which dirties a few dozen pages before it exits. */
	lo = e2e_sub(tp->pss, E2E_EXACT_BELOW);
	hi = parent_pss + 1024 * 1024;
	e2e_note("fork-exit tree.peak_pss_bytes %" PRIu64 ", parent PSS %" PRIu64, tree_pss,
		 tp->pss);
	e2e_assert_within("fork-exit tree.peak_pss_bytes", tree_pss, lo, hi);
	e2e_run_free(&r);
}

/*
 * K forked children hold M MiB each at the same time (~300 ms).  The tree
 * PSS peak is the largest sum at one instant, so it must reach the sum of
 * the children's own PSS readings.  Those readings are exact and were taken
 * after every sibling was forked; afterwards a child's PSS can only grow
 * (copy-on-write breaks make pages private, fewer sharers enlarge shares)
 * until the first one exits.  64 KiB per child covers what it gives back
 * before the tracer's stop (E2E_EXACT_BELOW).
 */
Test(tree, forktree_children_and_tree_pss)
{
	const char *wl = e2e_wl();
	enum { K = 3, M = 16 };
	uint64_t sum_pss = 0, sum_rss = 0, tree_pss, tree_rss;
	const struct json *root_img;
	struct e2e_run r;
	pid_t parent;

	e2e_run_json(&r, E2E_ARGS(wl, "forktree", "3", "16"));
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	root_img = json_path(r.json, "processes.0");
	cr_assert(root_img, "no process entry");
	cr_assert_str_eq(e2e_str(root_img, "argv.1"), "forktree",
			 "the first image is not wl forktree");
	parent = (pid_t)e2e_u64(root_img, "pid");

	for (size_t i = 0; i < K; i++) {
		const struct truth *t = e2e_need_truth(&r, "child-peak", i);
		const struct json *img = e2e_need_image(&r, t->pid, 0);
		char label[64];

		cr_assert_eq(e2e_u64(img, "ppid"), (uint64_t)parent, "child %d: ppid", (int)t->pid);
		/* A forked copy runs its parent's program: same argv. */
		cr_assert_str_eq(e2e_str(img, "argv.1"), "forktree", "child %d: argv", (int)t->pid);
		e2e_check_end(img, "exit");
		snprintf(label, sizeof(label), "forktree child %d peak", (int)t->pid);
		check_peak(label, img, t->rss, e2e_truth_max_rss(&r, t->pid));
		sum_pss += t->pss;
		sum_rss += t->rss;
	}
	cr_assert(!e2e_truth(&r, "child-peak", K), "workload sanity: more than %d children", K);

	tree_pss = e2e_u64(r.json, "tree.peak_pss_bytes");
	tree_rss = e2e_u64(r.json, "tree.peak_rss_bytes");
	e2e_note("forktree %dx%d MiB: tree peak PSS %" PRIu64 " vs children's PSS sum %" PRIu64
		 "; tree peak RSS %" PRIu64 " vs children's RSS sum %" PRIu64,
		 K, M, tree_pss, sum_pss, tree_rss, sum_rss);
	cr_assert_geq(tree_pss, e2e_sub(sum_pss, K * E2E_EXACT_BELOW),
		      "tree.peak_pss_bytes %" PRIu64 " < children's own PSS sum %" PRIu64
		      " - %d x 64 KiB: the children were never summed at one instant",
		      tree_pss, sum_pss, K);
	cr_assert_geq(tree_rss, tree_pss, "tree peak RSS %" PRIu64 " < tree peak PSS %" PRIu64,
		      tree_rss, tree_pss);
	e2e_run_free(&r);
}

/* A signal death: status 128+11, image ended by signal 11, peak kept. */
Test(tree, segv_keeps_peak)
{
	const char *wl = e2e_wl();
	const struct truth *tp;
	const struct json *img;
	struct e2e_run r;
	bool null;
	int64_t v;

	e2e_run_json(&r, E2E_ARGS(wl, "segv", "48"));
	cr_assert_eq(r.out.status, 139, "tool status %d, expected 139; stderr: %s", r.out.status,
		     r.out.err);
	cr_assert_eq(e2e_u64(r.json, "status"), 139, "JSON status");
	v = e2e_int_or_null(r.json, "exit.code", &null);
	cr_assert(null, "exit.code is %" PRId64 ", expected null", v);
	cr_assert_eq(e2e_u64(r.json, "exit.signal"), 11, "exit.signal");

	tp = e2e_need_truth(&r, "peak", 0);
	cr_assert_eq(json_path(r.json, "processes")->n, 1, "expected one image");
	img = e2e_need_image(&r, tp->pid, 0);
	e2e_check_end(img, "signal");
	cr_assert_eq(e2e_u64(img, "signal"), 11, "the image's signal");
	v = e2e_int_or_null(img, "exit_code", &null);
	cr_assert(null, "the image's exit_code is %" PRId64 ", expected null", v);
	/* The exit event (before exit_mm) is the only stop of a signal death. */
	check_peak("segv 48 MiB peak (sampled at the exit event)", img, tp->rss, tp->rss);
	e2e_run_free(&r);
}

/* ------------------------------------------------ a tree peak between samples */

/*
 * Big enough that the shells around it are far below the 5 % the figures
 * are compared within, small enough for a fast suite.
 */
#define BETWEEN_MIB 160

/*
 * The largest process of a run peaked between samples (touch, free, exit),
 * so that only VmHWM saw its peak: the tree peak PSS is then no sum of
 * samples but their floor (proctable_record_hwm), and must be close to the
 * process's own peak RSS; the report says how it was obtained.
 *
 * Bounds.  The floor is the tree at the process's last sample plus what it
 * grew beyond that sample: its own PSS at the peak, as its truth line reads
 * it, give or take what VmHWM is off by (the counter bound), the pages it
 * touched after its reading (E2E_AFTER_TRUTH), and, with a shell chain, the
 * shells' PSS.  Within 5 % of its peak RSS whatever the sampling luck; a
 * timed pass may land on the peak itself (then the figure is a sum of
 * samples), but never without the floor at -i 0.
 */
static void check_between_samples(const char *label, const char *const *opts,
				  const char *const *cmd, bool sampled_ok)
{
	uint64_t bound = e2e_counter_bound(), peak, tree_pss, tree_rss, slack;
	const struct truth *tp;
	const struct json *img;
	const char *from;
	struct e2e_run r;

	e2e_run(&r, opts, cmd, NULL, true);
	cr_assert_eq(r.out.status, 0, "%s: status %d, stderr: %s", label, r.out.status, r.out.err);
	tp = e2e_need_truth(&r, "peak", 0);
	cr_assert_geq(tp->rss, BETWEEN_MIB * MIB, "%s: workload sanity: its peak %" PRIu64, label,
		      tp->rss);
	img = e2e_need_image(&r, tp->pid, 0);
	peak = e2e_u64(img, "peak_rss_bytes");
	tree_pss = e2e_u64(r.json, "tree.peak_pss_bytes");
	tree_rss = e2e_u64(r.json, "tree.peak_rss_bytes");
	from = json_path(r.json, "tree.peak_pss_from") ? e2e_str(r.json, "tree.peak_pss_from") :
							 "?";
	e2e_note("%s: tree peak PSS %" PRIu64 " (%s), its peak RSS %" PRIu64 " (%.1f %%), own PSS "
		 "reading %" PRIu64 ", tree RSS %" PRIu64 ", %g timed passes",
		 label, tree_pss, from, peak, 100.0 * (double)tree_pss / (double)peak, tp->pss,
		 tree_rss, e2e_num(r.json, "tracer.timed_passes"));
	/* Within 5 % of its own peak RSS, as the issue asks... */
	e2e_assert_within(label, tree_pss, peak - peak / 20, tree_rss);
	/* ...and near its own PSS then: the shells add up to 1 MiB each at most. */
	slack = bound + E2E_AFTER_TRUTH + 2 * MIB;
	e2e_assert_within(label, tree_pss, e2e_sub(tp->pss, slack), tp->pss + slack);
	if (strcmp(from, "samples") != 0 || !sampled_ok) {
		cr_assert_str_eq(from, "estimate", "%s: tree.peak_pss_from", label);
		cr_assert_eq(e2e_u64(r.json, "tree.pss_estimate.pid"), (uint64_t)tp->pid,
			     "%s: the estimate is not of the process that peaked", label);
		cr_assert_lt(e2e_u64(r.json, "tree.sampled_peak_pss_bytes"), tree_pss,
			     "%s: an estimate below the sums of samples", label);
	}
	e2e_run_free(&r);
}

Test(tree, tree_pss_of_a_peak_between_samples)
{
	const char *wl = e2e_wl();

	check_between_samples("touch-free, default options", E2E_ARGS("--json"),
			      E2E_ARGS(wl, "touch-free", "160"), true);
	check_between_samples("touch-free, -i 0", E2E_ARGS("--json", "-i", "0"),
			      E2E_ARGS(wl, "touch-free", "160"), false);
}

/*
 * The pyenv-shim case: the big process is deep in a chain of shells (each
 * forks, since a command follows).  The floor adds its growth to the tree
 * at its sample, shells included.
 */
Test(tree, tree_pss_of_a_peak_between_samples_deep_in_shells)
{
	char inner[512], outer[1024];

	snprintf(inner, sizeof(inner), "%s touch-free %d; true", e2e_wl(), BETWEEN_MIB);
	snprintf(outer, sizeof(outer), "sh -c '%s'; true", inner);
	check_between_samples("sh -c 'sh -c touch-free', default options", E2E_ARGS("--json"),
			      E2E_ARGS("/bin/sh", "-c", outer), true);
	check_between_samples("sh -c 'sh -c touch-free', -i 0", E2E_ARGS("--json", "-i", "0"),
			      E2E_ARGS("/bin/sh", "-c", outer), false);
}

/* The text says which figures are estimates, and how they were made. */
Test(tree, text_says_the_tree_peak_is_estimated)
{
	struct e2e_run r;
	char want[64];

	e2e_run(&r, E2E_ARGS("-i", "0"), E2E_ARGS(e2e_wl(), "touch-free", "64"), NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
	snprintf(want, sizeof(want), "wl (pid %d) peaked between samples (VmHWM saw it)",
		 (int)e2e_need_truth(&r, "peak", 0)->pid);
	cr_assert(strstr(r.report, "\n  estimated  tree RSS and PSS: "), "%s", r.report);
	cr_assert(strstr(r.report, want), "no \"%s\" in:\n%s", want, r.report);
	e2e_run_free(&r);
}

/*
 * The list-building script of issue 14, under two shells: Python's own
 * allocator gives the list back before exit, between samples.  No truth
 * line: the tree PSS is compared with the process's peak RSS.
 */
Test(tree, python_list_between_samples)
{
	static const char script[] = "/usr/bin/python3 -I -c 'x = list(range(6000000)); del x'";
	char outer[256];
	const char *modes[][4] = { { "--json", NULL }, { "--json", "-i", "0", NULL } };

	if (access("/usr/bin/python3", X_OK) != 0)
		cr_skip_test("/usr/bin/python3 is not installed");
	snprintf(outer, sizeof(outer), "sh -c \"%s; true\"; true", script);
	for (size_t m = 0; m < 2; m++) {
		uint64_t peak, tree_pss, tree_rss;
		struct e2e_run r;

		e2e_run(&r, modes[m], E2E_ARGS("/bin/sh", "-c", outer), NULL, true);
		cr_assert_eq(r.out.status, 0, "status %d, stderr: %s", r.out.status, r.out.err);
		peak = e2e_u64(r.json, "peak_rss_bytes");
		tree_pss = e2e_u64(r.json, "tree.peak_pss_bytes");
		tree_rss = e2e_u64(r.json, "tree.peak_rss_bytes");
		e2e_note("python3 list (%s): peak RSS %" PRIu64 ", tree PSS %" PRIu64 " (%s), tree "
			 "RSS %" PRIu64,
			 m ? "-i 0" : "default", peak, tree_pss,
			 json_path(r.json, "tree.peak_pss_from") ?
				 e2e_str(r.json, "tree.peak_pss_from") :
				 "?",
			 tree_rss);
		cr_assert_geq(peak, 150 * MIB, "workload sanity: python3's peak %" PRIu64, peak);
		e2e_assert_within(m ? "python3 list, -i 0" : "python3 list, default", tree_pss,
				  peak - peak / 20, tree_rss);
		e2e_run_free(&r);
	}
}
