/*
 * fuzz-smaps: libFuzzer target for smaps_parse(), the parser of
 * /proc/PID/smaps.  The input is the file's text, any bytes, no NUL
 * terminator: the parser must stay inside it, and what it returns must
 * hold together (the promises of smaps.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Is the text only newlines (no line to parse)? */
static int blank(const char *buf, size_t size)
{
	for (size_t i = 0; i < size; i++)
		if (buf[i] != '\n')
			return 0;
	return 1;
}

static void check(const struct smaps *s)
{
	uint64_t rss = 0, pss = 0, anon = 0, swap = 0;
	unsigned mappings = 0;

	if (s->n == 0 || !s->v || s->mappings == 0)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		const struct smaps_group *g = &s->v[i];

		if ((unsigned)g->kind >= SMAPS_KINDS || g->mappings == 0)
			abort();
		if (g->rss % 1024 || g->pss % 1024 || g->anon % 1024 || g->swap % 1024)
			abort();
		/* Only files and named shared memory have a path, and files always. */
		if (g->path && g->kind != SMAPS_FILE && g->kind != SMAPS_SHMEM)
			abort();
		if (!g->path && g->kind == SMAPS_FILE)
			abort();
		if (g->path && (!g->path[0] || strchr(g->path, '\n')))
			abort();
		/* Largest Rss first, then kind, then path (none first); no two alike. */
		if (i > 0) {
			const struct smaps_group *p = &s->v[i - 1];

			if (p->rss < g->rss)
				abort();
			if (p->rss == g->rss && p->kind > g->kind)
				abort();
			if (p->rss == g->rss && p->kind == g->kind &&
			    (!g->path || (p->path && strcmp(p->path, g->path) >= 0)))
				abort();
		}
		for (size_t j = 0; j < i && s->n <= 256; j++) {
			const struct smaps_group *o = &s->v[j];

			if (o->kind == g->kind && !o->path == !g->path &&
			    (!g->path || strcmp(o->path, g->path) == 0))
				abort();
		}
		rss += g->rss;
		pss += g->pss;
		anon += g->anon;
		swap += g->swap;
		mappings += g->mappings;
	}
	if (rss != s->rss || pss != s->pss || anon != s->anon || swap != s->swap ||
	    mappings != s->mappings)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: AddressSanitizer then sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	struct smaps s;
	int rc;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	rc = smaps_parse(buf, size, &s);
	if (rc != 0 && rc != -EINVAL && rc != -ENODATA && rc != -ENOMEM)
		abort();
	/* No mapping (-ENODATA) exactly when the text has no line. */
	if ((rc == -ENODATA) != blank(buf, size))
		abort();
	if (rc) {
		if (s.v || s.n || s.rss || s.pss || s.anon || s.swap || s.mappings)
			abort();
	} else {
		check(&s);
	}
	smaps_free(&s);
	free(buf);
	return 0;
}
