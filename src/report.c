#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report.h"
#include "runs.h"
#include "units.h"

/* Longest command line shown in the text report before it is cut with "...". */
#define TEXT_CMD_MAX 72

/* ---------------------------------------------------------------- JSON */

static void json_u64_or_null(FILE *f, bool known, uint64_t v)
{
	if (known)
		fprintf(f, "%llu", (unsigned long long)v);
	else
		fputs("null", f);
}

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

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

static bool has_peak(const struct image *img)
{
	return img->samples > 0 || img->has_hwm || img->exact_reads > 0;
}

bool report_image_has_peak(const struct image *img)
{
	return has_peak(img);
}

/* end_anon/file/shmem split Rss exactly: shmem is the status counter, capped. */
static void image_split(const struct image *img, uint64_t *anon, uint64_t *file, uint64_t *shmem)
{
	uint64_t rest = img->last.rss > img->last.anon ? img->last.rss - img->last.anon : 0;

	*anon = img->last.anon > img->last.rss ? img->last.rss : img->last.anon;
	*shmem = img->last_shmem < rest ? img->last_shmem : rest;
	*file = rest - *shmem;
}

static void json_process(FILE *f, const struct image *img)
{
	bool s = img->has_last;
	uint64_t anon = 0, file = 0, shmem = 0;

	if (s)
		image_split(img, &anon, &file, &shmem);
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
	if (img->end == IMAGE_EXIT)
		fprintf(f, "%d", img->exit_code);
	else
		fputs("null", f);
	fputs(", \"signal\": ", f);
	if (img->signal > 0)
		fprintf(f, "%d", img->signal);
	else
		fputs("null", f);
	fputs(", \"peak_rss_bytes\": ", f);
	json_u64_or_null(f, has_peak(img), img->peak_rss);
	fputs(", \"hwm_bytes\": ", f);
	json_u64_or_null(f, img->has_hwm, img->hwm);
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
	fprintf(f, ", \"samples\": %u}", img->samples);
}

int report_write_json(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command)
{
	const struct image *peak = proctable_peak_image(pt);
	bool known_peak = peak && has_peak(peak);

	fputs("{\n  \"schema\": \"maxrss-sc/1\",\n  \"command\": ", f);
	escape_json_command(f, command);
	fprintf(f, ",\n  \"status\": %d,\n  \"exit\": {\"code\": ", res->status);
	if (res->exited)
		fprintf(f, "%d, \"signal\": null}", res->exit_code);
	else
		fprintf(f, "null, \"signal\": %d}", res->signal);
	fprintf(f, ",\n  \"wall_seconds\": %.6f,\n", seconds(res->wall_ns));
	if (res->has_ru)
		fprintf(f, "  \"user_seconds\": %.6f,\n  \"sys_seconds\": %.6f,\n",
			res->user_seconds, res->sys_seconds);
	else
		fputs("  \"user_seconds\": null,\n  \"sys_seconds\": null,\n", f);
	fputs("  \"peak_rss_bytes\": ", f);
	json_u64_or_null(f, known_peak, known_peak ? peak->peak_rss : 0);
	fputs(",\n  \"peak_pid\": ", f);
	if (known_peak)
		fprintf(f, "%d", (int)peak->pid);
	else
		fputs("null", f);
	fprintf(f,
		",\n  \"tree\": {\"peak_rss_bytes\": %llu, \"peak_pss_bytes\": %llu, "
		"\"snapshots\": %lu, \"processes\": %zu},\n",
		(unsigned long long)pt->tree_peak_rss, (unsigned long long)pt->tree_peak_pss,
		pt->snapshots, pt->nprocesses);
	fprintf(f,
		"  \"after_exit\": {\"processes\": %u, \"seconds\": %.6f, "
		"\"stopped_woken\": %u, \"stopped_killed\": %u},\n",
		res->after_exit.processes, seconds(res->after_exit.ns), res->after_exit.stopped_woken,
		res->after_exit.stopped_killed);
	fputs("  \"ru_maxrss_bytes\": ", f);
	json_u64_or_null(f, res->has_ru, res->ru_maxrss_bytes);
	fputs(",\n  \"processes\": [\n", f);
	for (size_t i = 0; i < pt->nimages; i++) {
		json_process(f, pt->images[i]);
		fputs(i + 1 < pt->nimages ? ",\n" : "\n", f);
	}
	fprintf(f, "  ],\n  \"tracer\": {\"stops\": %lu, \"samples\": %lu, \"rss_bytes\": ",
		res->tracer.stops, pt->samples);
	json_u64_or_null(f, res->tracer.rss_bytes > 0, res->tracer.rss_bytes);
	fprintf(f,
		", \"interval_ms\": %lu, \"timed_passes\": %lu, \"mean_interval_ms\": ",
		res->tracer.interval_ms, res->tracer.timed_passes);
	if (res->tracer.timed_passes)
		fprintf(f, "%.3f", (double)res->wall_ns / 1e6 / (double)res->tracer.timed_passes);
	else
		fputs("null", f);
	fprintf(f, ", \"max_interval_ms\": %.3f, \"sampling_seconds\": %.6f",
		(double)(res->tracer.max_interval_ns ? res->tracer.max_interval_ns : res->tracer.interval_ms * 1000000u) /
			1e6,
		(double)res->tracer.sampling_ns / 1e9);
	fprintf(f, ", \"exact\": %s, \"rss_source\": ", res->tracer.exact ? "true" : "false");
	escape_json_cstring(f, res->tracer.exact ? res->tracer.rss_source : NULL);
	fprintf(f,
		", \"exact_stops\": %lu, \"exact_hwm_floor\": %s, \"exec_samples_skipped\": %lu}\n}\n",
		res->tracer.exact_stops, res->tracer.exact_hwm_floor ? "true" : "false",
		res->tracer.exec_samples_skipped);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* ---------------------------------------------------------------- text */

static void show_command(char *const *command, char *buf, size_t len)
{
	escape_line_command(buf, len, command, TEXT_CMD_MAX);
}

/* An image's arguments, or its program when it has none. */
static void show_argv_buf(const struct image *img, char *buf, size_t len)
{
	escape_line_argv(buf, len, img->argv, img->argv_len, TEXT_CMD_MAX);
	if (!buf[0] && img->exe)
		escape_line_argv(buf, len, img->exe, strlen(img->exe), TEXT_CMD_MAX);
}

static void describe_end(const struct image *img, char *buf, size_t len)
{
	switch (img->end) {
	case IMAGE_EXIT:
		snprintf(buf, len, "exit %d", img->exit_code);
		break;
	case IMAGE_EXEC:
		snprintf(buf, len, "exec");
		break;
	case IMAGE_SIGNAL:
		snprintf(buf, len, "signal %d", img->signal);
		break;
	case IMAGE_LOST:
		if (img->signal)
			snprintf(buf, len, "lost (signal %d)", img->signal);
		else
			snprintf(buf, len, "lost");
		break;
	case IMAGE_RUNNING:
		snprintf(buf, len, "running");
		break;
	}
}

/*
 * The process tree: a process is its images (index 0, 1, ... of one pid),
 * drawn under the process that was its parent when it started.
 */
struct node {
	size_t first;	 /* index of its image 0 in pt->images */
	ssize_t parent;	 /* node index, -1 for a root */
	unsigned depth;
};

static void write_tree(FILE *f, const struct proctable *pt)
{
	struct node *nodes = calloc(pt->nimages ? pt->nimages : 1, sizeof(*nodes));
	size_t *node_of = calloc(pt->nimages ? pt->nimages : 1, sizeof(*node_of));
	size_t nnodes = 0;
	char size[32], pss[32], end[32], cmd[TEXT_CMD_MAX + 8];

	if (!nodes || !node_of) {
		free(nodes);
		free(node_of);
		return;
	}
	for (size_t i = 0; i < pt->nimages; i++) {
		const struct image *img = pt->images[i];
		ssize_t found = -1;

		/* Later images join their pid's newest process; image 0 opens one. */
		for (size_t k = nnodes; k-- > 0;)
			if (pt->images[nodes[k].first]->pid == img->pid) {
				found = (ssize_t)k;
				break;
			}
		if (img->index > 0 && found >= 0) {
			node_of[i] = (size_t)found;
			continue;
		}
		nodes[nnodes].first = i;
		nodes[nnodes].parent = -1;
		for (size_t k = nnodes; k-- > 0;)
			if (pt->images[nodes[k].first]->pid == img->ppid) {
				nodes[nnodes].parent = (ssize_t)k;
				nodes[nnodes].depth = nodes[k].depth + 1;
				break;
			}
		node_of[i] = nnodes++;
	}
	fprintf(f, "  %7s  %10s  %10s  %-12s %s\n", "pid", "peak RSS", "end PSS", "end",
		"command (indented under its parent)");
	/* Depth-first: a node, then its children, in start order. */
	for (size_t n = 0; n < nnodes; n++) {
		if (nodes[n].parent >= 0)
			continue;
		/* An explicit stack of node indices keeps deep trees off the C stack. */
		size_t *stack = malloc(nnodes * sizeof(*stack)), sp = 0;

		if (!stack)
			break;
		stack[sp++] = n;
		while (sp) {
			size_t cur = stack[--sp];

			for (size_t i = nodes[cur].first; i < pt->nimages; i++) {
				const struct image *img = pt->images[i];

				if (node_of[i] != cur)
					continue;
				units_format_size(img->peak_rss, size, sizeof(size));
				if (img->has_last)
					units_format_size(img->last.pss, pss, sizeof(pss));
				else
					snprintf(pss, sizeof(pss), "-");
				describe_end(img, end, sizeof(end));
				show_argv_buf(img, cmd, sizeof(cmd));
				fprintf(f, "  %7d  %10s  %10s  %-12s %*s%s\n", (int)img->pid,
					has_peak(img) ? size : "-", pss, end,
					(int)(2 * nodes[cur].depth), "", cmd);
			}
			/* Push children in reverse so the first-started comes out first. */
			for (size_t k = nnodes; k-- > cur + 1;)
				if (nodes[k].parent == (ssize_t)cur)
					stack[sp++] = k;
		}
		free(stack);
	}
	free(nodes);
	free(node_of);
}

int report_write_text(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command, bool verbose)
{
	const struct image *peak = proctable_peak_image(pt);
	char cmd[TEXT_CMD_MAX + 8], a[32], b[32];

	show_command(command, cmd, sizeof(cmd));
	if (res->exited)
		fprintf(f, "maxrss-sc: %s exited %d after %.2f s\n", cmd, res->exit_code,
			seconds(res->wall_ns));
	else
		fprintf(f, "maxrss-sc: %s killed by signal %d (SIG%s) after %.2f s\n", cmd,
			res->signal, sigabbrev_np(res->signal) ? sigabbrev_np(res->signal) : "?",
			seconds(res->wall_ns));
	if (peak && has_peak(peak)) {
		show_argv_buf(peak, cmd, sizeof(cmd));
		fprintf(f, "  peak RSS   %s   pid %d %s\n",
			units_format_size(peak->peak_rss, a, sizeof(a)), (int)peak->pid, cmd);
	} else {
		fputs("  peak RSS   unknown (no sample could be taken)\n", f);
	}
	fprintf(f, "  tree peak  %s RSS, %s PSS, %zu process%s\n",
		units_format_size(pt->tree_peak_rss, a, sizeof(a)),
		units_format_size(pt->tree_peak_pss, b, sizeof(b)), pt->nprocesses,
		pt->nprocesses == 1 ? "" : "es");
	if (res->after_exit.processes)
		fprintf(f, "  waited     %.2f s after the command exited, for %u process%s still running\n",
			seconds(res->after_exit.ns), res->after_exit.processes,
			res->after_exit.processes == 1 ? "" : "es");
	if (res->after_exit.stopped_woken)
		fprintf(f,
			"  stopped    %u process%s left stopped: sent SIGHUP and SIGCONT, "
			"as the kernel does to an orphaned process group%s\n",
			res->after_exit.stopped_woken, res->after_exit.stopped_woken == 1 ? "" : "es",
			res->after_exit.stopped_killed ? "; stopped again: killed" : "");
	if (res->tracer.exact_hwm_floor)
		fputs("  --exact    io_uring in use: its releases bypass seccomp, VmHWM counts in the peaks\n",
		      f);
	if (verbose)
		write_tree(f, pt);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* ---------------------------------------------------------------- repeated runs */

/* Width of the first column of the --runs table, and of its "mean ± σ" column. */
#define RUNS_LABEL_WIDTH 15
#define RUNS_MEAN_WIDTH 24

static void pad(FILE *f, const char *s, size_t width)
{
	size_t w = escape_utf8_chars(s, strlen(s)); /* our own text: its width on a terminal */

	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

/*
 * One row shows every figure in the unit of its mean, as hyperfine does, so
 * that "103.4 MiB ± 0.2 MiB" reads at a glance.
 */
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

static void runs_row(FILE *f, const char *label, const struct runs *rs, enum runs_metric m,
		     bool size)
{
	char mean[32], sd[32], lo[32], hi[32], cell[96];
	struct stats st;

	fputs("  ", f);
	pad(f, label, RUNS_LABEL_WIDTH);
	if (runs_stats(rs, m, &st)) {
		fputs("unknown (no run measured it)\n", f);
		return;
	}
	if (size) {
		unsigned u = units_pick(st.mean);

		units_format_in(st.mean, u, mean, sizeof(mean));
		units_format_in(st.min, u, lo, sizeof(lo));
		units_format_in(st.max, u, hi, sizeof(hi));
		/* A spread too small for the mean's unit is shown in its own ("12.0 KiB"). */
		if (st.stddev >= 0.05 * units_bytes(u))
			units_format_in(st.stddev, u, sd, sizeof(sd));
		else
			units_format_in(st.stddev, units_pick(st.stddev), sd, sizeof(sd));
	} else {
		struct time_unit u = time_unit(st.mean);

		in_time_unit(st.mean, u, mean, sizeof(mean));
		in_time_unit(st.stddev, u, sd, sizeof(sd));
		in_time_unit(st.min, u, lo, sizeof(lo));
		in_time_unit(st.max, u, hi, sizeof(hi));
	}
	snprintf(cell, sizeof(cell), "%s \u00b1 %s", mean, st.has_stddev ? sd : "-");
	pad(f, cell, RUNS_MEAN_WIDTH);
	fprintf(f, "%s \u2026 %s\n", lo, hi);
}

static void describe_run_end(const struct run *r, char *buf, size_t len)
{
	if (r->exited)
		snprintf(buf, len, "exited %d", r->exit_code);
	else
		snprintf(buf, len, "killed by signal %d", r->signal);
}

static void runs_table(FILE *f, const struct runs *rs)
{
	char peak[32], pss[32], wall[32], end[32];

	fprintf(f, "  %5s  %-22s  %10s  %10s  %10s\n", "run", "ended", "peak RSS", "tree PSS",
		"wall time");
	for (size_t i = 0; i < rs->n; i++) {
		const struct run *r = &rs->v[i];

		describe_run_end(r, end, sizeof(end));
		if (r->has_peak)
			units_format_size(r->peak_rss, peak, sizeof(peak));
		else
			snprintf(peak, sizeof(peak), "-");
		units_format_size(r->tree_peak_pss, pss, sizeof(pss));
		in_time_unit(r->wall_seconds, time_unit(r->wall_seconds), wall, sizeof(wall));
		fprintf(f, "  %5zu  %-22s  %10s  %10s  %10s\n", i + 1, end, peak, pss, wall);
	}
}

int report_write_runs_text(FILE *f, const struct runs *rs, char *const *command, size_t planned,
			   unsigned long warmup, bool verbose)
{
	char cmd[TEXT_CMD_MAX + 8], end[32];
	struct stats user, sys;

	show_command(command, cmd, sizeof(cmd));
	fprintf(f, "maxrss-sc: %s: ", cmd);
	if (rs->n < planned)
		fprintf(f, "%zu of %zu runs (cut short)", rs->n, planned);
	else
		fprintf(f, "%zu run%s", rs->n, rs->n == 1 ? "" : "s");
	if (warmup)
		fprintf(f, " after %lu warm-up run%s", warmup, warmup == 1 ? "" : "s");
	fprintf(f, ", %zu failed", rs->failed);
	for (size_t i = rs->n; rs->failed && i-- > 0;)
		if (rs->v[i].status != 0) {
			describe_run_end(&rs->v[i], end, sizeof(end));
			fprintf(f, " (last: run %zu %s)", i + 1, end);
			break;
		}
	fputs("\n", f);
	fputs("  ", f);
	pad(f, "", RUNS_LABEL_WIDTH);
	pad(f, "mean \u00b1 \u03c3", RUNS_MEAN_WIDTH);
	fputs("min \u2026 max\n", f);
	runs_row(f, "peak RSS", rs, RUNS_PEAK_RSS, true);
	runs_row(f, "tree peak PSS", rs, RUNS_TREE_PEAK_PSS, true);
	runs_row(f, "wall time", rs, RUNS_WALL, false);
	if (runs_stats(rs, RUNS_USER, &user) == 0 && runs_stats(rs, RUNS_SYS, &sys) == 0) {
		char a[32], b[32];

		fputs("  ", f);
		pad(f, "user, sys", RUNS_LABEL_WIDTH);
		in_time_unit(user.mean, time_unit(user.mean), a, sizeof(a));
		in_time_unit(sys.mean, time_unit(sys.mean), b, sizeof(b));
		fprintf(f, "%s, %s (mean)\n", a, b);
	}
	if (verbose)
		runs_table(f, rs);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}

/* A size as whole bytes, a time as seconds with microseconds. */
static void json_stat_value(FILE *f, double v, bool size)
{
	if (size)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.6f", v);
}

/* {"min", "median", "mean", "stddev", "max"}, or null when no run knows it. */
static void json_stats(FILE *f, const char *key, const struct runs *rs, enum runs_metric m,
		       bool size)
{
	struct stats st;

	fprintf(f, "    \"%s\": ", key);
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

int report_write_runs_json(FILE *f, const struct runs *rs, char *const *command, int status,
			   size_t planned, unsigned long warmup)
{
	fputs("{\n  \"schema\": \"maxrss-sc/1\",\n  \"command\": ", f);
	escape_json_command(f, command);
	fprintf(f, ",\n  \"status\": %d,\n", status);
	fprintf(f, "  \"planned_runs\": %zu, \"warmup_runs\": %lu, \"failed_runs\": %zu,\n",
		planned, warmup, rs->failed);
	fputs("  \"runs\": [\n", f);
	for (size_t i = 0; i < rs->n; i++) {
		const char *j = rs->v[i].json ? rs->v[i].json : "null";
		size_t len = strlen(j);

		while (len && (j[len - 1] == '\n' || j[len - 1] == ' '))
			len--;
		fwrite(j, 1, len, f);
		fputs(i + 1 < rs->n ? ",\n" : "\n", f);
	}
	fputs("  ],\n  \"summary\": {\n", f);
	json_stats(f, "peak_rss_bytes", rs, RUNS_PEAK_RSS, true);
	fputs(",\n", f);
	json_stats(f, "tree_peak_pss_bytes", rs, RUNS_TREE_PEAK_PSS, true);
	fputs(",\n", f);
	json_stats(f, "wall_seconds", rs, RUNS_WALL, false);
	fputs(",\n", f);
	json_stats(f, "user_seconds", rs, RUNS_USER, false);
	fputs(",\n", f);
	json_stats(f, "sys_seconds", rs, RUNS_SYS, false);
	fputs("\n  }\n}\n", f);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
