#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
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

static bool needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

void timeline_csv_field(FILE *f, const char *s, size_t len)
{
	bool quote = needs_quotes(s, len);

	if (quote)
		fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = report_utf8_len(s + i, len - i);

		if (n == 0) {
			fputs("\xEF\xBF\xBD", f); /* U+FFFD for one bad byte */
			i++;
			continue;
		}
		if (s[i] == '"')
			fputc('"', f); /* a quote inside a quoted field is doubled */
		fwrite(s + i, 1, n, f);
		i += n;
	}
	if (quote)
		fputc('"', f);
}

char *timeline_image_command(const struct image *img, size_t *len)
{
	const char *src = img->argv;
	size_t n = img->argv_len;
	char *buf;

	if (n == 0 && img->exe) {
		src = img->exe;
		n = strlen(img->exe);
	}
	buf = malloc(n + 1);
	if (!buf)
		return NULL;
	memcpy(buf, src, n);
	/* Each argument ends in NUL: the last one goes, the others become spaces. */
	if (n && buf[n - 1] == '\0')
		n--;
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	*len = n;
	return buf;
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
			cmd = timeline_image_command(s->img, &cmd_len);
			if (!cmd) {
				cached = NULL;
				return -ENOMEM;
			}
			cached = s->img;
		}
		fprintf(f, "%.6f,%d,%u,%llu,%llu,", (double)s->t_ns / 1e9, (int)s->img->pid,
			s->img->index, (unsigned long long)s->rss, (unsigned long long)s->pss);
		timeline_csv_field(f, cmd, cmd_len);
		fputc('\n', f);
	}
	free(cmd);
	fflush(f);
	return ferror(f) ? -EIO : 0;
}
