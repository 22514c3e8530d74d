#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"
#include "util.h"

void timeline_init(struct timeline *tl)
{
	memset(tl, 0, sizeof(*tl));
}

void timeline_free(struct timeline *tl)
{
	free(tl->v);
	free(tl->sums);
	memset(tl, 0, sizeof(*tl));
}

int timeline_record_sums(struct timeline *tl, const struct proctable *pt, uint64_t now_ns)
{
	struct timeline_sums *s;

	if (util_grow((void **)&tl->sums, &tl->sums_cap, tl->nsums + 1, sizeof(*tl->sums))) {
		tl->dropped++;
		return -ENOMEM;
	}
	s = &tl->sums[tl->nsums++];
	s->t_ns = now_ns > pt->t0_ns ? now_ns - pt->t0_ns : 0;
	s->rss = pt->tree_rss;
	s->pss = pt->tree_pss;
	return 0;
}

void timeline_on_sums(void *arg, const struct proctable *pt)
{
	timeline_record_sums(arg, pt, util_now_ns());
}

int timeline_record(struct timeline *tl, const struct proctable *pt, const struct image *img,
		    uint64_t now_ns)
{
	struct timeline_sample *s;

	if (util_grow((void **)&tl->v, &tl->cap, tl->n + 1, sizeof(*tl->v))) {
		tl->dropped++;
		return -ENOMEM;
	}
	s = &tl->v[tl->n++];
	s->t_ns = now_ns > pt->t0_ns ? now_ns - pt->t0_ns : 0;
	s->img = img;
	s->rss = img->last.rss;
	s->pss = img->last.pss;
	return 0;
}

void timeline_on_sample(void *arg, const struct proctable *pt, const struct image *img)
{
	timeline_record(arg, pt, img, util_now_ns());
}
