#include <stdlib.h>
#include <string.h>

#include "why.h"

static const char *const names[WHY_KINDS] = {
	[WHY_LARGEST_ONLY] = "largest_process_only", [WHY_PRE_EXEC] = "pre_exec_copy",
	[WHY_INHERITED] = "inherited_mark",	     [WHY_COUNTER] = "counter_error",
	[WHY_UNWAITED] = "not_waited_for",
};

/*
 * Before Linux 6.2: the faults a task's cache may hold before a fault folds
 * it into the mm, and the most one fault maps (fault_around_bytes, its
 * default; a larger page is mapped alone).
 */
#define FAULTS_UNFOLDED 65
#define FAULT_AROUND ((uint64_t)64 * 1024)

const char *why_name(enum why_kind kind)
{
	return kind < WHY_KINDS ? names[kind] : "?";
}

struct counter_error why_counter_error(const char *release, long cpus, long page_size)
{
	long major = 0, minor = 0;
	char *end = NULL;
	uint64_t pages, fault;

	if (cpus < 1)
		cpus = 1;
	if (page_size < 1)
		page_size = 4096;
	/* "6.1.0-13-amd64": the major and minor numbers; anything else is an old kernel. */
	if (release) {
		major = strtol(release, &end, 10);
		if (end != release && *end == '.')
			minor = strtol(end + 1, NULL, 10);
		else
			major = 0;
	}
	if (major > 6 || (major == 6 && minor >= 2)) {
		pages = (uint64_t)cpus * (uint64_t)(2 * cpus > 32 ? 2 * cpus : 32);
		return (struct counter_error){ pages * (uint64_t)page_size,
					       pages * (uint64_t)page_size, false };
	}
	fault = (uint64_t)page_size > FAULT_AROUND ? (uint64_t)page_size : FAULT_AROUND;
	return (struct counter_error){ 64 * (uint64_t)page_size, FAULTS_UNFOLDED * fault, true };
}

static uint64_t gap(uint64_t a, uint64_t b)
{
	return a > b ? a - b : b - a;
}

static void add(struct why *w, struct why_reason r)
{
	if (w->n < WHY_MAX)
		w->v[w->n++] = r;
}

/* Processes that began on another's mm and carry its mark, well above their own peak. */
static void inherited(const struct proctable *pt, uint64_t err, struct why *w)
{
	size_t listed = 0;

	for (size_t i = 0; i < pt->nimages; i++) {
		const struct image *img = pt->images[i];

		if (!img->lent_by || img->inherited_hwm <= img->peak_rss + err)
			continue;
		if (listed++ == WHY_MAX_INHERITED) {
			w->more_inherited++;
			listed--;
			continue;
		}
		add(w, (struct why_reason){ .kind = WHY_INHERITED,
					    .img = img,
					    .other = img->lent_by,
					    .bytes = img->inherited_hwm,
					    .bytes2 = img->peak_rss });
	}
}

bool why_time_differs(const struct result *r, struct why *out)
{
	const struct proctable *pt = &r->pt;
	struct counter_error err = r->res.counter_error;
	uint64_t peak, bound;

	memset(out, 0, sizeof(*out));
	out->peak = result_peak_image(pt);
	if (!r->res.has_ru || !out->peak)
		return false;
	out->ru_maxrss = r->res.ru_maxrss_bytes;
	peak = out->peak->peak_rss;
	if (pt->n_at_peak >= 2 && pt->tree_peak_rss > peak + err.bytes)
		add(out, (struct why_reason){ .kind = WHY_LARGEST_ONLY,
					      .bytes = pt->tree_peak_pss,
					      .bytes2 = pt->tree_peak_rss,
					      .count = pt->n_at_peak });
	if (out->ru_maxrss > peak + err.bytes)
		add(out, (struct why_reason){ .kind = WHY_PRE_EXEC, .bytes = out->ru_maxrss });
	inherited(pt, err.bytes, out);
	/* Above the peak by its error above, or below by its error below. */
	bound = out->ru_maxrss > peak ? err.bytes : err.below;
	if (out->ru_maxrss != peak && gap(out->ru_maxrss, peak) <= bound)
		add(out, (struct why_reason){ .kind = WHY_COUNTER,
					      .bytes = gap(out->ru_maxrss, peak),
					      .bytes2 = bound,
					      .below = out->ru_maxrss < peak });
	if (out->ru_maxrss + err.below < peak)
		add(out,
		    (struct why_reason){ .kind = WHY_UNWAITED, .img = out->peak, .bytes = peak });
	return true;
}
