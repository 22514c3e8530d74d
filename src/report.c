#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cmdfit.h"
#include "escape.h"
#include "report-parts.h"
#include "report.h"
#include "units.h"

/* Longest command line shown in the text report before it is cut with "...". */
#define TEXT_CMD_MAX 72

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* ---------------------------------------------------------------- JSON */

static void json_u64_or_null(FILE *f, bool known, uint64_t v)
{
	if (known)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static void json_int_or_null(FILE *f, bool known, int v)
{
	if (known)
		fprintf(f, "%d", v);
	else
		fputs("null", f);
}

/* The "end" of an image. */
static const char *end_name(enum image_end end)
{
	switch (end) {
	case IMAGE_EXIT:
		return "exit";
	case IMAGE_EXEC:
		return "exec";
	case IMAGE_SIGNAL:
		return "signal";
	case IMAGE_LOST:
		return "lost";
	case IMAGE_RUNNING:
		break;
	}
	return "running";
}

/* end_anon/file/shmem split Rss exactly: shmem is the status counter, capped. */
static void image_split(const struct image *img, uint64_t *anon, uint64_t *file, uint64_t *shmem)
{
	uint64_t rest = img->last.rss > img->last.anon ? img->last.rss - img->last.anon : 0;

	*anon = img->last.anon > img->last.rss ? img->last.rss : img->last.anon;
	*shmem = img->last_shmem < rest ? img->last_shmem : rest;
	*file = rest - *shmem;
}

/* The "end_*_bytes" of an image: its last exact sample, null without one. */
static void json_image_end(FILE *f, const struct image *img)
{
	bool s = img->has_last;
	uint64_t anon = 0, file = 0, shmem = 0;

	if (s)
		image_split(img, &anon, &file, &shmem);
	fputs(", \"end_rss_bytes\": ", f);
	json_u64_or_null(f, s, img->last.rss);
	fputs(", \"end_pss_bytes\": ", f);
	json_u64_or_null(f, s, img->last.pss);
	fputs(", \"end_uss_bytes\": ", f);
	json_u64_or_null(f, s, img->last.uss);
	fputs(", \"end_anon_bytes\": ", f);
	json_u64_or_null(f, s, anon);
	fputs(", \"end_file_bytes\": ", f);
	json_u64_or_null(f, s, file);
	fputs(", \"end_shmem_bytes\": ", f);
	json_u64_or_null(f, s, shmem);
	fputs(", \"end_swap_bytes\": ", f);
	json_u64_or_null(f, s, img->last.swap);
}

/* One entry of "processes": an image, on one line. */
static void json_image(FILE *f, const struct image *img)
{
	fprintf(f, "    {\"pid\": %d, \"ppid\": %d, \"image\": %u, \"argv\": ", (int)img->pid,
		(int)img->ppid, img->index);
	escape_json_argv(f, img->argv, img->argv_len);
	fputs(", \"exe\": ", f);
	escape_json_cstring(f, img->exe);
	fprintf(f, ", \"start_seconds\": %.6f, \"end_seconds\": ", seconds(img->start_ns));
	if (img->end == IMAGE_RUNNING)
		fputs("null", f);
	else
		fprintf(f, "%.6f", seconds(img->end_ns));
	fprintf(f, ", \"end\": \"%s\", \"exit_code\": ", end_name(img->end));
	json_int_or_null(f, img->end == IMAGE_EXIT, img->exit_code);
	fputs(", \"signal\": ", f);
	json_int_or_null(f, img->signal > 0, img->signal);
	fputs(", \"peak_rss_bytes\": ", f);
	json_u64_or_null(f, result_image_has_peak(img), img->peak_rss);
	fputs(", \"peak_pss_bytes\": ", f);
	json_u64_or_null(f, img->has_last, img->peak_pss);
	fputs(", \"hwm_bytes\": ", f);
	json_u64_or_null(f, img->has_hwm, img->hwm);
	json_image_end(f, img);
	fprintf(f, ", \"samples\": %u, \"breakdown\": ", img->samples);
	report_breakdown_json(f, img);
	fputc('}', f);
}

/* Did the back-off lengthen the timed sampling period beyond the one asked for? */
static bool stretched(const struct tracer_figures *t)
{
	return t->max_interval_ns > (uint64_t)t->interval_ms * 1000000u;
}

/* The "tracer" object: what measuring cost, and how it was done. */
static void json_tracer(FILE *f, const struct result *r)
{
	const struct tracer_figures *t = &r->res.tracer;
	/* Until the back-off first lengthens the period, the period is the one asked for. */
	uint64_t max_interval_ns = t->max_interval_ns ? t->max_interval_ns :
							t->interval_ms * 1000000u;

	fprintf(f, "  \"tracer\": {\"stops\": %lu, \"samples\": %lu, \"rss_bytes\": ", t->stops,
		r->pt.samples);
	json_u64_or_null(f, t->rss_bytes > 0, t->rss_bytes);
	fprintf(f, ", \"interval_ms\": %lu, \"timed_passes\": %lu, \"mean_interval_ms\": ",
		t->interval_ms, t->timed_passes);
	if (t->timed_passes)
		fprintf(f, "%.3f", (double)r->res.wall_ns / 1e6 / (double)t->timed_passes);
	else
		fputs("null", f);
	fprintf(f,
		", \"max_interval_ms\": %.3f, \"interval_stretched\": %s, "
		"\"sampling_seconds\": %.6f, \"cpu_seconds\": %.6f",
		(double)max_interval_ns / 1e6, stretched(t) ? "true" : "false",
		seconds(t->sampling_ns), seconds(t->cpu_ns));
	fprintf(f, ", \"exact\": %s, \"rss_source\": ", t->exact ? "true" : "false");
	escape_json_cstring(f, t->exact ? t->rss_source : NULL);
	fprintf(f,
		", \"exact_stops\": %lu, \"exact_hwm_floor\": %s, \"exec_samples_skipped\": %lu, "
		"\"smaps_reads\": %lu, \"smaps_skipped\": %lu, \"timed_rss_source\": ",
		t->exact_stops, t->exact_hwm_floor ? "true" : "false", t->exec_samples_skipped,
		t->smaps_reads, t->smaps_skipped);
	escape_json_cstring(f, t->timed_source);
	fprintf(f, ", \"status_reads\": %lu}", t->status_reads);
}

/* The header every JSON report starts with. */
static void json_head(FILE *f, char *const *command, int status)
{
	fputs("{\n  \"schema\": \"maxrss-sc/1\",\n  \"command\": ", f);
	escape_json_command(f, command);
	fprintf(f, ",\n  \"status\": %d,\n", status);
}

/*
 * "limits": each --fail-above limit of rs judged over its runs, on one
 * line, after in.
 */
static void json_limits(FILE *f, const struct runs *rs, const char *in)
{
	fprintf(f, "%s\"limits\": [", in);
	for (size_t k = 0; k < rs->nchecks; k++) {
		const struct limit_check *c = &rs->checks[k];
		const struct run *r = c->known ? &rs->v[c->run] : NULL;
		bool img = r && c->limit.figure == LIMIT_PEAK_RSS;

		fprintf(f, "%s{\"figure\": \"%s\", \"limit_bytes\": %llu, \"value_bytes\": ",
			k ? ", " : "", limit_name(c->limit.figure),
			(unsigned long long)c->limit.bytes);
		json_u64_or_null(f, c->known, c->value);
		fprintf(f, ", \"exceeded\": %s, \"run\": ", c->exceeded ? "true" : "false");
		json_u64_or_null(f, c->known, c->run + 1);
		fputs(", \"pid\": ", f);
		json_int_or_null(f, img, img ? (int)r->peak_pid : 0);
		fputs(", \"image\": ", f);
		json_u64_or_null(f, img, img ? r->peak_image : 0);
		fputc('}', f);
	}
	fputc(']', f);
}

/* "wait_ended_by": why maxrss-sc stopped waiting for leftovers, null when it did not. */
static void json_wait_end(FILE *f, enum wait_end e)
{
	static const char *const names[] = {
		[WAIT_INTERRUPT] = "interrupt", [WAIT_LIMIT] = "limit"
	};

	if (e == WAIT_ALL)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", names[e]);
}

/* The report of one run, from its "{" to its "}"; with rs, its limits too. */
static void json_run(FILE *f, const struct result *r, int status, const struct runs *rs)
{
	const struct tracer_result *res = &r->res;
	const struct proctable *pt = &r->pt;
	const struct image *peak = result_peak_image(pt);

	json_head(f, r->command, status);
	fputs("  \"exit\": {\"code\": ", f);
	json_int_or_null(f, res->exited, res->exit_code);
	fputs(", \"signal\": ", f);
	json_int_or_null(f, !res->exited, res->signal);
	fprintf(f, "},\n  \"wall_seconds\": %.6f,\n", seconds(res->wall_ns));
	if (res->has_ru)
		fprintf(f, "  \"user_seconds\": %.6f,\n  \"sys_seconds\": %.6f,\n",
			res->user_seconds, res->sys_seconds);
	else
		fputs("  \"user_seconds\": null,\n  \"sys_seconds\": null,\n", f);
	fputs("  \"peak_rss_bytes\": ", f);
	json_u64_or_null(f, peak, peak ? peak->peak_rss : 0);
	fputs(",\n  \"peak_pid\": ", f);
	json_int_or_null(f, peak, peak ? (int)peak->pid : 0);
	/* The pid alone is ambiguous when the process exec'd: which of its images. */
	fputs(",\n  \"peak_image\": ", f);
	json_int_or_null(f, peak, peak ? (int)peak->index : 0);
	fprintf(f,
		",\n  \"tree\": {\"peak_rss_bytes\": %llu, \"peak_pss_bytes\": %llu, "
		"\"snapshots\": %lu, \"processes\": %zu, \"at_peak\": ",
		(unsigned long long)pt->tree_peak_rss, (unsigned long long)pt->tree_peak_pss,
		pt->snapshots, pt->nprocesses);
	report_at_peak_json(f, pt);
	fputs(", ", f);
	report_estimate_json(f, pt);
	fputs("},\n", f);
	fprintf(f,
		"  \"after_exit\": {\"processes\": %u, \"seconds\": %.6f, "
		"\"stopped_woken\": %u, \"stopped_killed\": %u, \"wait_ended_by\": ",
		res->after_exit.processes, seconds(res->after_exit.ns),
		res->after_exit.stopped_woken, res->after_exit.stopped_killed);
	json_wait_end(f, res->after_exit.ended_by);
	fprintf(f, ", \"killed\": %u},\n", res->after_exit.killed);
	fputs("  \"ru_maxrss_bytes\": ", f);
	json_u64_or_null(f, res->has_ru, res->ru_maxrss_bytes);
	fputs(",\n  \"ru_maxrss_differs\": ", f);
	report_why_json(f, r);
	fputs(",\n  \"processes\": [\n", f);
	for (size_t i = 0; i < pt->nimages; i++) {
		json_image(f, pt->images[i]);
		fputs(i + 1 < pt->nimages ? ",\n" : "\n", f);
	}
	fputs("  ],\n", f);
	json_tracer(f, r);
	if (rs) {
		fputs(",\n", f);
		json_limits(f, rs, "  ");
	}
	fputs("\n}", f);
}

int report_finish(FILE *f)
{
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

int report_write_json(FILE *f, const struct result *r, int status)
{
	json_run(f, r, status, NULL);
	fputc('\n', f);
	return report_finish(f);
}

int report_write_run_json(FILE *f, const struct runs *rs, int status)
{
	json_run(f, runs_last(rs), status, rs);
	fputc('\n', f);
	return report_finish(f);
}

/* ---------------------------------------------------------------- text */

/* The room for a command after used columns of width: at least 20 characters. */
static size_t fitted(size_t width, size_t used)
{
	return width > used + 20 ? width - used : 20;
}

/* The real mean period of timed sampling, when the back-off stretched it. */
static void write_sampling(FILE *f, const struct tracer_result *res)
{
	const struct tracer_figures *t = &res->tracer;
	char mean[32], max[32];

	if (!stretched(t) || !t->timed_passes)
		return;
	report_time((double)res->wall_ns / 1e9 / (double)t->timed_passes, mean, sizeof(mean));
	report_time((double)t->max_interval_ns / 1e9, max, sizeof(max));
	fprintf(f,
		"  sampled    every %s on average, not %lu ms: the period stretches to keep "
		"reading the tree under %d %% of a CPU (up to %s here)\n",
		mean, t->interval_ms, 100 / SAMPLING_BUDGET, max);
	if (t->timed_source && strcmp(t->timed_source, "smaps_rollup") == 0)
		fputs("             (VmRSS is not exact on this kernel: each reading walks the "
		      "pages of a process)\n",
		      f);
}

/* What was done about processes left behind, when anything was. */
static void write_after_exit(FILE *f, const struct after_exit *a)
{
	char t[32];

	if (a->processes)
		fprintf(f,
			"  waited     %s after the command exited, for %u process%s still running\n",
			units_format_duration(seconds(a->ns), t, sizeof(t)), a->processes,
			a->processes == 1 ? "" : "es");
	if (a->ended_by != WAIT_ALL)
		fprintf(f, "  killed     %u process%s still running when %s ended the wait\n",
			a->killed, a->killed == 1 ? "" : "es",
			a->ended_by == WAIT_INTERRUPT ? "Ctrl-C" : "--wait-orphans");
	if (a->stopped_woken)
		fprintf(f,
			"  stopped    %u process%s left stopped: sent SIGHUP and SIGCONT, "
			"as the kernel does to an orphaned process group%s\n",
			a->stopped_woken, a->stopped_woken == 1 ? "" : "es",
			a->stopped_killed ? "; stopped again: killed" : "");
}

int report_write_text(FILE *f, const struct result *r, const struct report_view *v)
{
	const struct tracer_result *res = &r->res;
	const struct proctable *pt = &r->pt;
	const struct image *peak = result_peak_image(pt);
	char cmd[1024], ended[64], a[32], b[32];
	struct cmdfit fit;
	int rc;

	escape_line_command(cmd, sizeof(cmd), r->command, TEXT_CMD_MAX);
	result_ended(res->exited, res->exit_code, res->signal, true, ended, sizeof(ended));
	/* Tracing slows what it stops (every exec, exit and fork): say the time is not native. */
	fprintf(f, "maxrss-sc: %s %s after %s (timed under tracing)\n", cmd, ended,
		units_format_duration(seconds(res->wall_ns), a, sizeof(a)));
	/*
	 * "How much did it need" is the tree's answer; the largest process is
	 * what ru_maxrss means to answer.  Each line says which it is.
	 */
	fprintf(f, "  whole tree at its peak  %s RSS, %s PSS, %zu process%s\n",
		units_format_size(pt->tree_peak_rss, a, sizeof(a)),
		units_format_size(pt->tree_peak_pss, b, sizeof(b)), pt->nprocesses,
		pt->nprocesses == 1 ? "" : "es");
	report_at_peak_text(f, pt);
	report_estimate_text(f, r);
	write_sampling(f, res);
	cmdfit_init(&fit);
	cmdfit_add_table(&fit, pt);
	if (peak) {
		int w = snprintf(b, sizeof(b), "%d", (int)peak->pid);

		units_format_size(peak->peak_rss, a, sizeof(a));
		/* The line fits the stream: what is left after "  largest process  X RSS, pid N ". */
		cmdfit_line(&fit, peak->argv, peak->argv_len, peak->exe,
			    fitted(v->columns, 35 + strlen(a) + (size_t)w), cmd, sizeof(cmd));
		fprintf(f, "  largest process         %s RSS, pid %s %s\n", a, b, cmd);
		report_breakdown_text(f, peak, "  ");
	} else {
		fputs("  largest process         unknown (no sample could be taken)\n", f);
	}
	write_after_exit(f, &res->after_exit);
	if (res->tracer.exact_hwm_floor)
		fputs("  --exact    io_uring in use: its releases bypass seccomp, VmHWM counts in the peaks\n",
		      f);
	if (v->verbose) {
		report_why_text(f, r);
		report_tree_text(f, r, v, &fit);
	}
	rc = report_finish(f);
	cmdfit_free(&fit);
	return rc;
}

/* ---------------------------------------------------------------- repeated runs, text */

/* Width of the first column of the --runs table, and of its "mean ± σ" column. */
#define RUNS_LABEL_WIDTH 15
#define RUNS_MEAN_WIDTH 24

/* s (our own text, so its characters are its width on a terminal), then spaces to width. */
void report_pad(FILE *f, const char *s, size_t width)
{
	fputs(s, f);
	for (size_t w = escape_utf8_chars(s, strlen(s)); w < width; w++)
		fputc(' ', f);
}

/* A time unit for a row: seconds from one second up, else milliseconds. */
struct time_unit {
	bool ms;
	int decimals;
};

static struct time_unit time_unit(double s)
{
	struct time_unit u = { s < 1.0, 3 };

	if (u.ms)
		u.decimals = s < 0.01 ? 2 : 1;
	return u;
}

static const char *in_time_unit(double s, struct time_unit u, char *buf, size_t len)
{
	if (u.ms)
		snprintf(buf, len, "%.*f ms", u.decimals, s * 1e3);
	else
		snprintf(buf, len, "%.*f s", u.decimals, s);
	return buf;
}

/* The cells of a row of sizes, each in the unit of the mean. */
static void size_cells(const struct stats *st, char *mean, char *sd, char *lo, char *hi, size_t len)
{
	unsigned u = units_pick(st->mean);

	units_format_in(st->mean, u, mean, len);
	units_format_in(st->min, u, lo, len);
	units_format_in(st->max, u, hi, len);
	/* A spread too small for the mean's unit is shown in its own ("12.0 KiB"). */
	if (st->stddev >= 0.05 * units_bytes(u))
		units_format_in(st->stddev, u, sd, len);
	else
		units_format_in(st->stddev, units_pick(st->stddev), sd, len);
}

static void time_cells(const struct stats *st, char *mean, char *sd, char *lo, char *hi, size_t len)
{
	struct time_unit u = time_unit(st->mean);

	in_time_unit(st->mean, u, mean, len);
	in_time_unit(st->stddev, u, sd, len);
	in_time_unit(st->min, u, lo, len);
	in_time_unit(st->max, u, hi, len);
}

/*
 * One row shows every figure in the unit of its mean, as hyperfine does, so
 * that "103.4 MiB ± 0.2 MiB" reads at a glance.
 */
static void runs_row(FILE *f, const char *label, const struct runs *rs, enum runs_metric m,
		     bool size)
{
	char mean[32], sd[32], lo[32], hi[32], cell[96];
	struct stats st;

	fputs("  ", f);
	report_pad(f, label, RUNS_LABEL_WIDTH);
	if (runs_stats(rs, m, &st)) {
		fputs("unknown (no run measured it)\n", f);
		return;
	}
	if (size)
		size_cells(&st, mean, sd, lo, hi, sizeof(mean));
	else
		time_cells(&st, mean, sd, lo, hi, sizeof(mean));
	snprintf(cell, sizeof(cell), "%s \u00b1 %s", mean, st.has_stddev ? sd : "-");
	report_pad(f, cell, RUNS_MEAN_WIDTH);
	fprintf(f, "%s \u2026 %s\n", lo, hi);
}

static const char *run_ended(const struct run *r, char *buf, size_t len)
{
	return result_ended(r->exited, r->exit_code, r->signal, false, buf, len);
}

static void runs_table(FILE *f, const struct runs *rs)
{
	char peak[32], rss[32], pss[32], wall[32], end[32];

	fprintf(f, "  %5s  %-22s  %10s  %10s  %10s  %10s\n", "run", "ended", "peak RSS", "tree RSS",
		"tree PSS", "wall time");
	for (size_t i = 0; i < rs->n; i++) {
		const struct run *r = &rs->v[i];

		if (r->has_peak)
			units_format_size(r->peak_rss_bytes, peak, sizeof(peak));
		else
			snprintf(peak, sizeof(peak), "-");
		units_format_size(r->tree_peak_rss_bytes, rss, sizeof(rss));
		units_format_size(r->tree_peak_pss_bytes, pss, sizeof(pss));
		in_time_unit(r->wall_seconds, time_unit(r->wall_seconds), wall, sizeof(wall));
		fprintf(f, "  %5zu  %-22s  %10s  %10s  %10s  %10s\n", i + 1,
			run_ended(r, end, sizeof(end)), peak, rss, pss, wall);
	}
}

/*
 * "maxrss-sc: COMMAND: 3 runs after 1 warm-up run, 1 failed (last: run 2
 * exited 3)"; with a label ("[2] python3 x.py"), that instead of
 * "maxrss-sc: COMMAND".
 */
static void runs_headline(FILE *f, const struct runs *rs, const char *label)
{
	char cmd[TEXT_CMD_MAX + 8], end[32];

	if (label) {
		fprintf(f, "%s: ", label);
	} else {
		escape_line_command(cmd, sizeof(cmd), rs->command, TEXT_CMD_MAX);
		fprintf(f, "maxrss-sc: %s: ", cmd);
	}
	if (rs->n < rs->planned_runs)
		fprintf(f, "%zu of %lu runs (cut short)", rs->n, rs->planned_runs);
	else
		fprintf(f, "%zu run%s", rs->n, rs->n == 1 ? "" : "s");
	if (rs->warmup_runs)
		fprintf(f, " after %lu warm-up run%s", rs->warmup_runs,
			rs->warmup_runs == 1 ? "" : "s");
	fprintf(f, ", %zu failed", rs->failed_runs);
	for (size_t i = rs->n; rs->failed_runs && !rs->stopped_at && i-- > 0;)
		if (rs->v[i].status != 0) {
			fprintf(f, " (last: run %zu %s)", i + 1,
				run_ended(&rs->v[i], end, sizeof(end)));
			break;
		}
	/* Left out of the figures below: a failure, or a run Ctrl-C ended. */
	if (rs->stopped_at)
		fprintf(f, "; run %zu %s and stopped the series: not in the figures",
			rs->stopped_at,
			rs->stopped_by == RUN_INTERRUPTED ?
				"was interrupted" :
				run_ended(&rs->v[rs->stopped_at - 1], end, sizeof(end)));
	fputs("\n", f);
}

void report_runs_block(FILE *f, const struct runs *rs, const char *label, bool verbose)
{
	struct stats user, sys;

	runs_headline(f, rs, label);
	fputs("  ", f);
	report_pad(f, "", RUNS_LABEL_WIDTH);
	report_pad(f, "mean \u00b1 \u03c3", RUNS_MEAN_WIDTH);
	fputs("min \u2026 max\n", f);
	runs_row(f, "peak RSS", rs, RUNS_PEAK_RSS_BYTES, true);
	runs_row(f, "tree peak RSS", rs, RUNS_TREE_PEAK_RSS_BYTES, true);
	runs_row(f, "tree peak PSS", rs, RUNS_TREE_PEAK_PSS_BYTES, true);
	runs_row(f, "wall (traced)", rs, RUNS_WALL_SECONDS, false);
	if (runs_stats(rs, RUNS_USER_SECONDS, &user) == 0 &&
	    runs_stats(rs, RUNS_SYS_SECONDS, &sys) == 0) {
		char a[32], b[32];

		fputs("  ", f);
		report_pad(f, "user, sys", RUNS_LABEL_WIDTH);
		in_time_unit(user.mean, time_unit(user.mean), a, sizeof(a));
		in_time_unit(sys.mean, time_unit(sys.mean), b, sizeof(b));
		fprintf(f, "%s, %s (mean)\n", a, b);
	}
	if (verbose)
		runs_table(f, rs);
}

int report_write_runs_text(FILE *f, const struct runs *rs, bool verbose)
{
	report_runs_block(f, rs, NULL, verbose);
	return report_finish(f);
}

void report_time(double s, char *buf, size_t len)
{
	units_format_duration(s, buf, len);
}

/* ---------------------------------------------------------------- repeated runs, JSON */

/* The keys of "summary", what they summarise, and whether it is a size (else seconds). */
static const struct {
	const char *key;
	enum runs_metric metric;
	bool size;
} summary_keys[] = {
	{ "peak_rss_bytes", RUNS_PEAK_RSS_BYTES, true },
	{ "tree_peak_pss_bytes", RUNS_TREE_PEAK_PSS_BYTES, true },
	{ "tree_peak_rss_bytes", RUNS_TREE_PEAK_RSS_BYTES, true },
	{ "wall_seconds", RUNS_WALL_SECONDS, false },
	{ "user_seconds", RUNS_USER_SECONDS, false },
	{ "sys_seconds", RUNS_SYS_SECONDS, false },
};

/* A size as whole bytes, a time as seconds with microseconds. */
static void json_stat_value(FILE *f, double v, bool size)
{
	if (size)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6f", v);
}

/* {"min", "median", "mean", "stddev", "max"}, or null when no run knows it. */
static void json_stats(FILE *f, const struct runs *rs, enum runs_metric m, bool size)
{
	struct stats st;

	if (runs_stats(rs, m, &st)) {
		fputs("null", f);
		return;
	}
	fputs("{\"min\": ", f);
	json_stat_value(f, st.min, size);
	fputs(", \"median\": ", f);
	json_stat_value(f, st.median, size);
	fputs(", \"mean\": ", f);
	json_stat_value(f, st.mean, size);
	fputs(", \"stddev\": ", f);
	if (st.has_stddev)
		json_stat_value(f, st.stddev, size);
	else
		fputs("null", f);
	fputs(", \"max\": ", f);
	json_stat_value(f, st.max, size);
	fputs("}", f);
}

void report_json_runs_body(FILE *f, const struct runs *rs, const char *in)
{
	size_t nkeys = sizeof(summary_keys) / sizeof(summary_keys[0]);

	fprintf(f, "%s\"planned_runs\": %lu, \"warmup_runs\": %lu, \"failed_runs\": %zu,\n", in,
		rs->planned_runs, rs->warmup_runs, rs->failed_runs);
	/* The run that stopped the series: it is not in the summary. */
	fprintf(f, "%s\"stopped_at\": ", in);
	json_int_or_null(f, rs->stopped_at, (int)rs->stopped_at);
	fprintf(f, ", \"stopped_by\": %s,\n",
		!rs->stopped_at			  ? "null" :
		rs->stopped_by == RUN_INTERRUPTED ? "\"interrupt\"" :
						    "\"failure\"");
	fprintf(f, "%s\"runs\": [\n", in);
	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = rs->v[i].result;

		/* Each run's report says that run's own status. */
		if (r)
			json_run(f, r, r->res.status, NULL);
		else
			fputs("null", f);
		fputs(i + 1 < rs->n ? ",\n" : "\n", f);
	}
	fprintf(f, "%s],\n%s\"summary\": {\n", in, in);
	for (size_t k = 0; k < nkeys; k++) {
		fprintf(f, "%s  \"%s\": ", in, summary_keys[k].key);
		json_stats(f, rs, summary_keys[k].metric, summary_keys[k].size);
		fputs(k + 1 < nkeys ? ",\n" : "\n", f);
	}
	fprintf(f, "%s},\n", in);
	json_limits(f, rs, in);
}

int report_write_runs_json(FILE *f, const struct runs *rs, int status)
{
	json_head(f, rs->command, status);
	report_json_runs_body(f, rs, "  ");
	fputs("\n}\n", f);
	return report_finish(f);
}
