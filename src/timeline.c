#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
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

void timeline_clear(struct timeline *tl)
{
	tl->n = 0;
	tl->nsums = 0;
	tl->dropped = 0;
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

int timeline_write_csv(FILE *f, const struct timeline *tl)
{
	const struct image *cached = NULL;
	char *cmd = NULL;
	size_t cmd_len = 0;

	fputs("seconds,pid,image,rss_bytes,pss_bytes,command\n", f);
	for (size_t i = 0; i < tl->n; i++) {
		const struct timeline_sample *s = &tl->v[i];

		if (!cmd || s->img != cached) {
			free(cmd);
			cmd = escape_argv_join(s->img->argv, s->img->argv_len, s->img->exe,
					       &cmd_len);
			if (!cmd) {
				cached = NULL;
				return -ENOMEM;
			}
			cached = s->img;
		}
		fprintf(f, "%.6f,%d,%u,%llu,%llu,", (double)s->t_ns / 1e9, (int)s->img->pid,
			s->img->index, (unsigned long long)s->rss, (unsigned long long)s->pss);
		escape_csv_field(f, cmd, cmd_len);
		fputc('\n', f);
	}
	free(cmd);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
