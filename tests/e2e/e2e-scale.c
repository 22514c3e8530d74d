/*
 * e2e-scale: many processes (400 alive at once, 10 000 over a run) are all
 * measured, the tracer's own memory grows linearly and modestly with them,
 * and a fork bomb stopped by ulimit -u ends with a report (issue 5, point 7).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <criterion/logging.h>

#include "../lib/spawn.h"
#include "e2e.h"

/* Every test here traces: skipped where tracing is refused. */
TestSuite(scale, .timeout = 240, .init = e2e_need_tracing);

/* VmHWM of pid, in bytes (0 when unreadable). */
static uint64_t vm_hwm(pid_t pid)
{
	char path[64], line[256];
	unsigned long long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb * 1024;
}

static struct json *read_report(const char *path)
{
	char err[256], *text;
	struct json *j;
	size_t n;
	FILE *f = fopen(path, "r");

	cr_assert(f, "no report %s", path);
	text = malloc(1 << 24);
	cr_assert(text, "out of memory");
	n = fread(text, 1, (1 << 24) - 1, f);
	fclose(f);
	j = json_parse(text, n, err, sizeof(err));
	free(text);
	cr_assert(j, "the report is not valid JSON: %s", err);
	return j;
}

/*
 * 400 alive at once, 10 000 over the run, all measured.  The tracer keeps
 * every image for the report, so its memory grows with the run: it must do
 * so linearly (no faster per process late in the run than early) and
 * modestly (a few hundred bytes per process, well under a page).  Its
 * VmHWM is read after round 1 and round 5 (the workload says "round I"
 * once the round is reaped, which the tracer has seen first) and at the
 * end (the report's tracer.rss_bytes).
 */
Test(scale, swarm_400_alive_10000_total_tracer_memory_linear)
{
	/* An ASan tracer is several times slower: 400 at once only. */
	unsigned rounds = e2e_sanitized() ? 5 : 25, k = 400, round;
	struct spawn_opts so = { .new_pgrp = true, .keep_fd = -1 };
	char dir[512], report[600], r_arg[16], k_arg[16], line[256], want[64];
	uint64_t hwm1 = 0, hwm5 = 0, end;
	size_t n = (size_t)rounds * k + 1;
	struct spawned sp;
	struct json *j;
	const struct json *procs;
	double s1, s2;
	int status, rc;

	e2e_tmpdir(dir, sizeof(dir));
	snprintf(report, sizeof(report), "%s/r.json", dir);
	snprintf(r_arg, sizeof(r_arg), "%u", rounds);
	snprintf(k_arg, sizeof(k_arg), "%u", k);
	rc = spawn_start(&sp,
			 (char *const *)E2E_ARGS(e2e_tool(), "--json", "-o", report, e2e_rely(),
						 "swarm", r_arg, k_arg),
			 &so);
	cr_assert_eq(rc, 0, "cannot start maxrss-sc: %s", strerror(-rc));
	while (spawn_line(&sp, line, sizeof(line), 120000) &&
	       sscanf(line, "round %u", &round) == 1) {
		if (round == 1)
			hwm1 = vm_hwm(sp.pid);
		if (round == 5)
			hwm5 = vm_hwm(sp.pid);
	}
	snprintf(want, sizeof(want), "swarm forked=%zu", n - 1);
	cr_assert_str_eq(line, want, "the workload's own count");
	cr_assert(spawn_wait(&sp, 60000, &status), "maxrss-sc did not end");
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "status 0x%x; stderr:\n%s", status,
		  sp.errbuf ? sp.errbuf : "");
	spawn_free(&sp);

	j = read_report(report);
	procs = json_get(j, "processes");
	cr_assert_eq(procs->n, n, "%zu images, expected %zu", procs->n, n);
	cr_assert_eq(e2e_u64(j, "tree.processes"), n, "tree.processes");
	/* Every image ended by itself: none lost, none left running. */
	for (size_t i = 0; i < n; i++) {
		const struct json *e = json_get(json_at(procs, i), "end");

		cr_assert(e && e->type == JSON_STRING && strcmp(e->string, "exit") == 0,
			  "image %zu ended '%s'", i, e ? e->string : "?");
	}
	end = e2e_u64(j, "tracer.rss_bytes");
	e2e_note("%zu processes, %llu stops; tracer VmHWM %llu after round 1, %llu after "
		 "round 5, %llu at the end",
		 n, (unsigned long long)e2e_u64(j, "tracer.stops"), (unsigned long long)hwm1,
		 (unsigned long long)hwm5, (unsigned long long)end);
	json_free(j);
	e2e_rmtree(dir);
	if (e2e_sanitized())
		return; /* ASan's redzones and quarantine are not the tracer's own growth. */
	cr_assert(hwm1 && hwm5 >= hwm1 && end >= hwm5, "VmHWM readings out of order");
	s1 = ((double)hwm5 - (double)hwm1) / (4.0 * k);
	s2 = ((double)end - (double)hwm5) / ((double)(rounds - 5) * k);
	e2e_note("tracer growth: %.0f bytes per process in rounds 2-5, %.0f in rounds 6-%u", s1, s2,
		 rounds);
	cr_assert(s1 < 2048 && s2 < 2048,
		  "the tracer grows by %.0f / %.0f bytes per process: not modest", s1, s2);
	cr_assert(s2 < 1.5 * s1 + 512,
		  "the tracer grows faster late in the run (%.0f then %.0f bytes per process)", s1,
		  s2);
}

static bool have_program(const char *name)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

/*
 * A fork bomb stopped by ulimit -u: forks fail with EAGAIN, the tree winds
 * down, and maxrss-sc reports it like any other run.  RLIMIT_NPROC counts
 * every process of a real uid and does not bind root, so the run is made
 * as a uid of its own that no one else uses.
 */
Test(scale, fork_bomb_stopped_by_ulimit_reports)
{
	char dir[512], cmd[16384], tool[600], bin[600], report[600], reuid[32], regid[32];
	const char *argv[16];
	struct run_output o;
	struct json *j;
	char *text;
	size_t len;
	unsigned long forked = 0, failed = 0;
	uid_t uid = 61000 + (uid_t)(getpid() % 3000);
	FILE *f;
	char err[256];

	if (geteuid() != 0)
		cr_skip_test("needs root to run as another user");
	if (!have_program("setpriv") || !have_program("prlimit"))
		cr_skip_test("setpriv or prlimit is not installed");
	e2e_tmpdir(dir, sizeof(dir));
	snprintf(cmd, sizeof(cmd),
		 "set -e; chmod 755 '%s'; cp '%s' '%s' '%s/'; mkdir '%s/out'; chown %u '%s/out'",
		 dir, e2e_tool(), e2e_rely(), dir, dir, (unsigned)uid, dir);
	cr_assert_eq(system(cmd), 0, "cannot prepare %s", dir);
	snprintf(tool, sizeof(tool), "%s/maxrss-sc", dir);
	snprintf(bin, sizeof(bin), "%s/rely", dir);
	snprintf(report, sizeof(report), "%s/out/r.json", dir);
	snprintf(reuid, sizeof(reuid), "--reuid=%u", (unsigned)uid);
	snprintf(regid, sizeof(regid), "--regid=%u", (unsigned)uid);
	{
		const char *v[] = { "prlimit", "--nproc=40", "setpriv",
				    reuid,     regid,	     "--clear-groups",
				    tool,      "--json",     "-o",
				    report,    bin,	     "bomb",
				    "9",       "100",	     NULL };

		memcpy(argv, v, sizeof(v));
	}
	cr_assert(run_capture((char *const *)argv, NULL, &o) == 0, "cannot run prlimit");
	e2e_note("bomb: status %d, stdout %s, stderr %s", o.status, o.out, o.err);
	cr_assert_eq(o.status, 0, "status %d; stderr:\n%s", o.status, o.err);
	cr_assert(sscanf(o.out, "bomb forked=%lu failed=%lu", &forked, &failed) == 2,
		  "no bomb line: %s", o.out);
	cr_assert(failed > 0, "no fork failed: ulimit -u did not stop the bomb (%lu forked)",
		  forked);
	f = fopen(report, "r");
	cr_assert(f, "no report");
	text = calloc(1, 1 << 22);
	cr_assert(text, "out of memory");
	len = fread(text, 1, (1 << 22) - 1, f);
	fclose(f);
	j = json_parse(text, len, err, sizeof(err));
	cr_assert(j, "the report is not valid JSON: %s", err);
	cr_assert_eq(e2e_u64(j, "status"), 0, "report status");
	cr_assert_eq(e2e_u64(j, "tree.processes"), forked + 1,
		     "every process of the bomb is counted");
	json_free(j);
	free(text);
	run_free(&o);
	e2e_rmtree(dir);
}
