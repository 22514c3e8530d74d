#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runs.h"
#include "util.h"

void runs_init(struct runs *rs, char *const *command, unsigned long planned_runs,
	       unsigned long warmup_runs, bool keep_all)
{
	memset(rs, 0, sizeof(*rs));
	rs->command = command;
	rs->planned_runs = planned_runs;
	rs->warmup_runs = warmup_runs;
	rs->keep_all = keep_all;
}

void runs_free(struct runs *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		result_free(rs->v[i].result);
		free(rs->v[i].peak_argv);
	}
	free(rs->v);
	free(rs->checks);
	memset(rs, 0, sizeof(*rs));
}

/* What no longer needs to be kept of the run before the last one. */
static void let_go(struct runs *rs, struct run *prev)
{
	if (!prev->result)
		return;
	if (rs->keep_all) {
		timeline_free(&prev->result->tl);
	} else {
		result_free(prev->result);
		prev->result = NULL;
	}
}

enum run_verdict runs_judge(const struct tracer_result *res, bool ignore, const int *codes,
			    size_t ncodes)
{
	if (result_interrupted(res))
		return RUN_INTERRUPTED;
	if (res->status == 0)
		return RUN_OK;
	if (ignore && ncodes == 0)
		return RUN_ACCEPTED;
	for (size_t i = 0; ignore && res->exited && i < ncodes; i++)
		if (res->exit_code == codes[i])
			return RUN_ACCEPTED;
	return RUN_FAILED;
}

int runs_add(struct runs *rs, struct result *r)
{
	/* Every run in the statistics, every failure in the status. */
	return runs_add_judged(rs, r, RUN_OK);
}

int runs_add_judged(struct runs *rs, struct result *r, enum run_verdict v)
{
	const struct image *peak = result_peak_image(&r->pt);
	struct run *run;

	char *peak_argv = NULL;

	if (peak && !(peak_argv = malloc(peak->argv_len ? peak->argv_len : 1)))
		return -ENOMEM;
	if (util_grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v))) {
		free(peak_argv);
		return -ENOMEM;
	}
	if (rs->n)
		let_go(rs, &rs->v[rs->n - 1]);
	run = &rs->v[rs->n++];
	memset(run, 0, sizeof(*run));
	run->status = r->res.status;
	run->exited = r->res.exited;
	run->exit_code = r->res.exit_code;
	run->signal = r->res.signal;
	run->has_peak = peak != NULL;
	run->peak_rss_bytes = peak ? peak->peak_rss : 0;
	run->tree_peak_pss_bytes = r->pt.tree_peak_pss;
	run->tree_peak_rss_bytes = r->pt.tree_peak_rss;
	run->tree_rss_estimated = r->pt.rss_estimate.img != NULL;
	run->tree_pss_estimated = r->pt.pss_estimate.img != NULL;
	run->processes = r->pt.nprocesses;
	if (peak) {
		run->peak_pid = peak->pid;
		run->peak_image = peak->index;
		memcpy(peak_argv, peak->argv, peak->argv_len);
		run->peak_argv = peak_argv;
		run->peak_argv_len = peak->argv_len;
	}
	run->wall_seconds = (double)r->res.wall_ns / 1e9;
	run->has_ru = r->res.has_ru;
	run->user_seconds = r->res.user_seconds;
	run->sys_seconds = r->res.sys_seconds;
	run->result = r;
	run->counted = v == RUN_OK || v == RUN_ACCEPTED;
	if (run->status != 0) {
		rs->failed_runs++;
		if (v != RUN_ACCEPTED)
			rs->last_failed_status = run->status;
	}
	if (v == RUN_FAILED || v == RUN_INTERRUPTED) {
		rs->stopped_at = rs->n;
		rs->stopped_by = v;
	}
	return 0;
}

const struct result *runs_last(const struct runs *rs)
{
	return rs->n ? rs->v[rs->n - 1].result : NULL;
}

static bool metric(const struct run *r, enum runs_metric m, double *v)
{
	if (!r->counted)
		return false;
	switch (m) {
	case RUNS_PEAK_RSS_BYTES:
		*v = (double)r->peak_rss_bytes;
		return r->has_peak;
	case RUNS_TREE_PEAK_PSS_BYTES:
		*v = (double)r->tree_peak_pss_bytes;
		return true;
	case RUNS_TREE_PEAK_RSS_BYTES:
		*v = (double)r->tree_peak_rss_bytes;
		return true;
	case RUNS_WALL_SECONDS:
		*v = r->wall_seconds;
		return true;
	case RUNS_USER_SECONDS:
		*v = r->user_seconds;
		return r->has_ru;
	case RUNS_SYS_SECONDS:
		*v = r->sys_seconds;
		return r->has_ru;
	}
	return false;
}

int runs_stats(const struct runs *rs, enum runs_metric m, struct stats *out)
{
	double *v = malloc((rs->n ? rs->n : 1) * sizeof(*v));
	size_t n = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < rs->n; i++)
		if (metric(&rs->v[i], m, &v[n]))
			n++;
	rc = n ? stats_compute(v, n, out) : -ENODATA;
	free(v);
	return rc;
}

bool runs_max_peak(const struct runs *rs, uint64_t *peak, size_t *index)
{
	bool found = false;

	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].has_peak && (!found || rs->v[i].peak_rss_bytes > *peak)) {
			*peak = rs->v[i].peak_rss_bytes;
			*index = i;
			found = true;
		}
	return found;
}

/* The value of a limit's figure in run r; false when the run does not know it. */
static bool figure_of(const struct run *r, enum limit_figure f, uint64_t *v)
{
	switch (f) {
	case LIMIT_PEAK_RSS:
		*v = r->peak_rss_bytes;
		return r->has_peak;
	case LIMIT_TREE_RSS:
		*v = r->tree_peak_rss_bytes;
		return true;
	case LIMIT_TREE_PSS:
		*v = r->tree_peak_pss_bytes;
		return true;
	case LIMIT_FIGURES:
		break;
	}
	return false;
}

int runs_check_limits(struct runs *rs, const struct limit *v, size_t n)
{
	free(rs->checks);
	rs->checks = NULL;
	rs->nchecks = 0;
	if (!n)
		return 0;
	rs->checks = calloc(n, sizeof(*rs->checks));
	if (!rs->checks)
		return -ENOMEM;
	rs->nchecks = n;
	for (size_t k = 0; k < n; k++) {
		struct limit_check *c = &rs->checks[k];

		c->limit = v[k];
		for (size_t i = 0; i < rs->n; i++) {
			uint64_t x;

			if (figure_of(&rs->v[i], v[k].figure, &x) && (!c->known || x > c->value)) {
				c->known = true;
				c->value = x;
				c->run = i;
			}
		}
		c->exceeded = c->known && c->value > c->limit.bytes;
	}
	return 0;
}

bool runs_exceeded(const struct runs *rs)
{
	for (size_t k = 0; k < rs->nchecks; k++)
		if (rs->checks[k].exceeded)
			return true;
	return false;
}
