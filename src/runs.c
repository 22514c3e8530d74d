#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "runs.h"
#include "util.h"

void runs_init(struct runs *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void runs_free(struct runs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->v[i].json);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

int runs_add(struct runs *rs, const struct proctable *pt, const struct tracer_result *res,
	     char *json)
{
	const struct image *peak = proctable_peak_image(pt);
	struct run *r;

	if (util_grow((void **)&rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v))) {
		free(json);
		return -ENOMEM;
	}
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	r->status = res->status;
	r->exited = res->exited;
	r->exit_code = res->exit_code;
	r->signal = res->signal;
	r->has_peak = peak && report_image_has_peak(peak);
	r->peak_rss = r->has_peak ? peak->peak_rss : 0;
	r->tree_peak_rss = pt->tree_peak_rss;
	r->tree_peak_pss = pt->tree_peak_pss;
	r->wall_seconds = (double)res->wall_ns / 1e9;
	r->has_ru = res->has_ru;
	r->user_seconds = res->user_seconds;
	r->sys_seconds = res->sys_seconds;
	r->json = json;
	if (r->status != 0) {
		rs->failed++;
		rs->last_failed_status = r->status;
	}
	return 0;
}

static bool metric(const struct run *r, enum runs_metric m, double *v)
{
	switch (m) {
	case RUNS_PEAK_RSS:
		*v = (double)r->peak_rss;
		return r->has_peak;
	case RUNS_TREE_PEAK_PSS:
		*v = (double)r->tree_peak_pss;
		return true;
	case RUNS_WALL:
		*v = r->wall_seconds;
		return true;
	case RUNS_USER:
		*v = r->user_seconds;
		return r->has_ru;
	case RUNS_SYS:
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
		if (rs->v[i].has_peak && (!found || rs->v[i].peak_rss > *peak)) {
			*peak = rs->v[i].peak_rss;
			*index = i;
			found = true;
		}
	return found;
}
