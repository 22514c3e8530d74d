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
	for (size_t i = 0; i < rs->n; i++)
		result_free(rs->v[i].result);
	free(rs->v);
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

int runs_add(struct runs *rs, struct result *r)
{
	const struct image *peak = result_peak_image(&r->pt);
	struct run *run;

	if (util_grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v)))
		return -ENOMEM;
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
	run->wall_seconds = (double)r->res.wall_ns / 1e9;
	run->has_ru = r->res.has_ru;
	run->user_seconds = r->res.user_seconds;
	run->sys_seconds = r->res.sys_seconds;
	run->result = r;
	if (run->status != 0) {
		rs->failed_runs++;
		rs->last_failed_status = run->status;
	}
	return 0;
}

const struct result *runs_last(const struct runs *rs)
{
	return rs->n ? rs->v[rs->n - 1].result : NULL;
}

static bool metric(const struct run *r, enum runs_metric m, double *v)
{
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
