#include <errno.h>
#include <stdlib.h>

#include "csv.h"
#include "escape.h"

int csv_write_timeline(FILE *f, const struct result *r)
{
	const struct timeline *tl = &r->tl;
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
			if (!cmd)
				return -ENOMEM;
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
