/*
 * End-to-end tests of where the peak went (issue 13): who made the tree
 * peak (tree.at_peak and the text's "at peak" line), and why time -v says
 * something else (ru_maxrss_differs and the verbose lines), on workloads
 * whose memory is known from their own readings.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(peak, .timeout = 120, .init = e2e_need_tracing);

/* The member of tree.at_peak with this pid, or NULL. */
static const struct json *member(const struct e2e_run *r, pid_t pid)
{
	const struct json *v = json_path(r->json, "tree.at_peak");

	cr_assert(v && v->type == JSON_ARRAY, "no tree.at_peak array:\n%s", r->report);
	for (size_t i = 0; i < v->n; i++)
		if ((pid_t)e2e_u64(json_at(v, i), "pid") == pid)
			return json_at(v, i);
	return NULL;
}

static bool differs_by(const struct e2e_run *r, const char *reason)
{
	const struct json *v = json_path(r->json, "ru_maxrss_differs");

	cr_assert(v && v->type == JSON_ARRAY, "no ru_maxrss_differs array:\n%s", r->report);
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(json_at(v, i)->string, reason) == 0)
			return true;
	return false;
}

/*
 * Four forked children of 16 MiB each alive at once: all four are in
 * tree.at_peak, each with a PSS of at least the 16 MiB it touched
 * privately (private pages count in full in PSS) and at most its own RSS.
 */
Test(peak, four_children_at_the_tree_peak)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--json", "-i", "10"), E2E_ARGS(e2e_wl(), "forktree", "4", "16"), NULL,
		true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	for (size_t i = 0; i < 4; i++) {
		const struct truth *t = e2e_need_truth(&r, "child-peak", i);
		const struct json *m = member(&r, t->pid);
		uint64_t pss;

		cr_assert(m, "child %d is not in tree.at_peak:\n%s", (int)t->pid, r.report);
		pss = e2e_u64(m, "pss_bytes");
		e2e_note("child %d at the tree peak: PSS %" PRIu64 ", its own reading PSS %" PRIu64
			 " RSS %" PRIu64,
			 (int)t->pid, pss, t->pss, t->rss);
		cr_assert_geq(pss, 16 * MIB, "child %d: PSS %" PRIu64 " below its 16 MiB",
			      (int)t->pid, pss);
		cr_assert_leq(pss, t->rss + E2E_AFTER_TRUTH,
			      "child %d: PSS %" PRIu64 " above its RSS", (int)t->pid, pss);
		cr_assert_leq(e2e_u64(m, "pss_bytes"), e2e_u64(m, "rss_bytes"));
	}
	e2e_run_free(&r);
}

/* The text names the members by program: five wl (the parent and its four children). */
Test(peak, at_peak_line_by_program)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("-i", "10"), E2E_ARGS(e2e_wl(), "forktree", "4", "16"), NULL, false);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert(strstr(r.report, "\n  at peak    5 \u00d7 wl "), "%s", r.report);
	e2e_run_free(&r);
}

/*
 * A pipeline: the stages alive at the tree peak are its members.  The
 * second stage starts its 20 MiB 100 ms after the first (a sleeper) began,
 * so a timed pass has read the sleeper by then.
 */
Test(peak, pipeline_stages_at_the_peak)
{
	char line[4096];
	const struct json *procs;
	const struct truth *t;
	pid_t sleeper = 0;
	struct e2e_run r;

	snprintf(line, sizeof(line), "%s sleep 400 | { %s sleep 100; %s hold-exit 20; }", e2e_wl(),
		 e2e_wl(), e2e_wl());
	e2e_run(&r, E2E_ARGS("--json", "-i", "10"), E2E_ARGS("/bin/sh", "-c", line), NULL, true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	t = e2e_need_truth(&r, "peak", 0);
	procs = json_path(r.json, "processes");
	for (size_t i = 0; procs && i < procs->n; i++) {
		const struct json *a = json_path(json_at(procs, i), "argv.2");

		if (a && a->type == JSON_STRING && strcmp(a->string, "400") == 0)
			sleeper = (pid_t)e2e_u64(json_at(procs, i), "pid");
	}
	cr_assert(sleeper, "no image of the sleeper:\n%s", r.report);
	cr_assert(member(&r, t->pid), "the 20 MiB stage is not at the peak:\n%s", r.report);
	cr_assert(member(&r, sleeper), "the sleeping stage is not at the peak:\n%s", r.report);
	cr_assert_geq(e2e_u64(member(&r, t->pid), "rss_bytes"), 20 * MIB);
	e2e_run_free(&r);
}

/* Whether two figures are apart by more than any counter error of this kernel. */
static bool apart(uint64_t above, uint64_t below)
{
	uint64_t err = e2e_counter_bound();
	uint64_t per_thread = 64 * (uint64_t)sysconf(_SC_PAGESIZE);

	if (per_thread > err)
		err = per_thread;
	return above > below + err;
}

/*
 * A static program of a few pages: ru_maxrss is the tool's own copy before
 * exec, far above the program's peak; the reason says so.
 */
Test(peak, pre_exec_copy_of_a_tiny_program)
{
	struct e2e_run r;
	uint64_t ru, peak;

	e2e_run(&r, E2E_ARGS("--json"), E2E_ARGS(e2e_tiny()), NULL, true);
	ru = e2e_u64(r.json, "ru_maxrss_bytes");
	peak = e2e_u64(r.json, "peak_rss_bytes");
	e2e_note("tiny: ru_maxrss %" PRIu64 ", peak %" PRIu64, ru, peak);
	if (apart(ru, peak))
		cr_assert(differs_by(&r, "pre_exec_copy"), "%s", r.report);
	else
		cr_skip_test("ru_maxrss %" PRIu64 " is within the counter error of the peak here",
			     ru);
	cr_assert_not(differs_by(&r, "largest_process_only"), "one process");
	e2e_run_free(&r);
}

/* Four processes of 16 MiB at once: ru_maxrss is one of them. */
Test(peak, largest_process_only_in_a_tree)
{
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--json", "-i", "10", "-v"), E2E_ARGS(e2e_wl(), "forktree", "4", "16"),
		NULL, true);
	cr_assert(apart(e2e_u64(r.json, "tree.peak_rss_bytes"), e2e_u64(r.json, "peak_rss_bytes")));
	cr_assert(differs_by(&r, "largest_process_only"), "%s", r.report);
	e2e_run_free(&r);
	e2e_run(&r, E2E_ARGS("-i", "10", "-v"), E2E_ARGS(e2e_wl(), "forktree", "4", "16"), NULL,
		false);
	cr_assert(strstr(r.report, "\n  time -v    would say "), "%s", r.report);
	cr_assert(strstr(r.report, "\n    it is one process's peak; the tree held "), "%s",
		  r.report);
	e2e_run_free(&r);
}

/*
 * A 200 MiB process posix_spawns true: true began on its memory (vfork)
 * and carries its mark in its own ru_maxrss, though it never held more
 * than a few hundred KiB.
 */
Test(peak, inherited_mark_of_posix_spawn)
{
	char expect[128];
	const struct truth *t;
	struct e2e_run r;

	e2e_run(&r, E2E_ARGS("--json"), E2E_ARGS(e2e_wl(), "spawn", "200", "/bin/true"), NULL,
		true);
	cr_assert_eq(r.out.status, 0, "status %d: %s", r.out.status, r.out.err);
	cr_assert(differs_by(&r, "inherited_mark"), "%s", r.report);
	e2e_run_free(&r);
	e2e_run(&r, E2E_ARGS("-v"), E2E_ARGS(e2e_wl(), "spawn", "200", "/bin/true"), NULL, false);
	t = e2e_need_truth(&r, "peak", 0);
	snprintf(expect, sizeof(expect), "began on the memory of wl (pid %d) (vfork, posix_spawn)",
		 (int)t->pid);
	cr_assert(strstr(r.report, "\n    true (pid "), "%s", r.report);
	cr_assert(strstr(r.report, expect), "no '%s' in:\n%s", expect, r.report);
	e2e_run_free(&r);
}
