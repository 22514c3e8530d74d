/*
 * Where the peak went, in the report of one run: which processes made the
 * tree peak, and why `time -v` says something else (report-parts.h).
 */
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "report-parts.h"
#include "units.h"
#include "why.h"

/* Program groups named in the text's "at peak" line; the rest are counted. */
#define AT_PEAK_GROUPS 4
/* A program's name on that line is cut to this many bytes. */
#define NAME_MAX_BYTES 40

/* The program of an image: the last part of argv[0], else of exe; "?" without either. */
static const char *program_of(const struct image *img, size_t *len)
{
	const char *s = img->argv_len && img->argv[0] ? img->argv : img->exe;
	const char *slash;

	if (!s || !*s) {
		*len = 1;
		return "?";
	}
	slash = strrchr(s, '/');
	if (slash && slash[1])
		s = slash + 1;
	*len = strlen(s);
	return s;
}

struct program {
	const char *name;
	size_t len;
	size_t count;
	uint64_t pss, min_pss, max_pss;
};

static int by_pss(const void *a, const void *b)
{
	const struct program *x = a, *y = b;

	return (x->pss < y->pss) - (x->pss > y->pss);
}

/*
 * The members of the tree peak grouped by program, largest PSS first, in
 * *out (NULL on ENOMEM); returns how many groups.
 */
static size_t programs_at_peak(const struct proctable *pt, struct program **out)
{
	struct program *v = calloc(pt->n_at_peak ? pt->n_at_peak : 1, sizeof(*v));
	size_t groups = 0;

	for (size_t i = 0; v && i < pt->n_at_peak; i++) {
		const struct tree_member *m = &pt->at_peak[i];
		size_t len, k = 0;
		const char *name = program_of(m->img, &len);

		while (k < groups && (v[k].len != len || memcmp(v[k].name, name, len) != 0))
			k++;
		if (k == groups)
			v[groups++] = (struct program){ name, len, 0, 0, m->pss, m->pss };
		v[k].count++;
		v[k].pss += m->pss;
		v[k].min_pss = m->pss < v[k].min_pss ? m->pss : v[k].min_pss;
		v[k].max_pss = m->pss > v[k].max_pss ? m->pss : v[k].max_pss;
	}
	if (v)
		qsort(v, groups, sizeof(*v), by_pss);
	*out = v;
	return v ? groups : 0;
}

void report_at_peak_text(FILE *f, const struct proctable *pt)
{
	size_t n;
	struct program *v;

	if (pt->n_at_peak < 2)
		return;
	n = programs_at_peak(pt, &v);
	if (!v)
		return;
	fputs("  at peak    ", f);
	for (size_t k = 0; k < n && k < AT_PEAK_GROUPS; k++) {
		char name[NAME_MAX_BYTES + 8], size[32];
		const struct program *p = &v[k];
		/* "each" only where they hold about the same: within a tenth of the mean. */
		bool alike = p->max_pss - p->min_pss <= p->pss / p->count / 10;

		escape_line_argv(name, sizeof(name), p->name, p->len, NAME_MAX_BYTES);
		if (p->count == 1)
			fprintf(f, "%s%s %s PSS", k ? "; " : "", name,
				units_format_size(p->pss, size, sizeof(size)));
		else if (alike)
			fprintf(f, "%s%zu \u00d7 %s %s PSS each", k ? "; " : "", p->count, name,
				units_format_size(p->pss / p->count, size, sizeof(size)));
		else
			fprintf(f, "%s%zu \u00d7 %s %s PSS in all", k ? "; " : "", p->count, name,
				units_format_size(p->pss, size, sizeof(size)));
	}
	if (n > AT_PEAK_GROUPS)
		fprintf(f, "; %zu more program%s", n - AT_PEAK_GROUPS,
			n - AT_PEAK_GROUPS == 1 ? "" : "s");
	fputc('\n', f);
	free(v);
}

static int by_member_pss(const void *a, const void *b)
{
	const struct tree_member *x = *(const struct tree_member *const *)a;
	const struct tree_member *y = *(const struct tree_member *const *)b;

	if (x->pss != y->pss)
		return (x->pss < y->pss) - (x->pss > y->pss);
	return (x->img->pid > y->img->pid) - (x->img->pid < y->img->pid);
}

void report_at_peak_json(FILE *f, const struct proctable *pt)
{
	const struct tree_member **v;

	if (pt->at_peak_lost) {
		fputs("null", f);
		return;
	}
	v = calloc(pt->n_at_peak ? pt->n_at_peak : 1, sizeof(*v));
	if (!v) {
		fputs("null", f);
		return;
	}
	for (size_t i = 0; i < pt->n_at_peak; i++)
		v[i] = &pt->at_peak[i];
	qsort(v, pt->n_at_peak, sizeof(*v), by_member_pss);
	fputc('[', f);
	for (size_t i = 0; i < pt->n_at_peak; i++)
		fprintf(f,
			"%s{\"pid\": %d, \"image\": %u, \"rss_bytes\": %llu, \"pss_bytes\": %llu}",
			i ? ", " : "", (int)v[i]->img->pid, v[i]->img->index,
			(unsigned long long)v[i]->rss, (unsigned long long)v[i]->pss);
	fputc(']', f);
	free(v);
}

/* "python3 (pid 12)" for a reason's line. */
static void who(const struct image *img, char *buf, size_t len)
{
	size_t n;
	const char *name = program_of(img, &n);
	char cut[NAME_MAX_BYTES + 8];

	escape_line_argv(cut, sizeof(cut), name, n, NAME_MAX_BYTES);
	snprintf(buf, len, "%s (pid %d)", cut, (int)img->pid);
}

static void why_line(FILE *f, const struct why *w, const struct why_reason *r,
		     const struct counter_error *err)
{
	char a[32], b[32], c[32], p[96], q[96];

	switch (r->kind) {
	case WHY_LARGEST_ONLY:
		fprintf(f,
			"    it is one process's peak; the tree held %s PSS (%s RSS) at once, in %zu "
			"processes\n",
			units_format_size(r->bytes, a, sizeof(a)),
			units_format_size(r->bytes2, b, sizeof(b)), r->count);
		break;
	case WHY_PRE_EXEC:
		fprintf(f,
			"    it is above every process's own peak (at most %s): the command's first "
			"process counts its wrapper's memory before exec (the copy of maxrss-sc here, "
			"of time under time)\n",
			units_format_size(w->peak->peak_rss, a, sizeof(a)));
		break;
	case WHY_INHERITED:
		who(r->img, p, sizeof(p));
		who(r->other, q, sizeof(q));
		fprintf(f,
			"    %s began on the memory of %s (vfork, posix_spawn): its own ru_maxrss "
			"carries that one's mark of %s, though it never held more than %s\n",
			p, q, units_format_size(r->bytes, a, sizeof(a)),
			units_format_size(r->bytes2, b, sizeof(b)));
		break;
	case WHY_COUNTER:
		fprintf(f,
			"    it differs from the peak by %s, within the error of the kernel's RSS "
			"counter it comes from (up to %s%s on this kernel)\n",
			units_format_size(r->bytes, a, sizeof(a)),
			units_format_size(err->bytes, c, sizeof(c)),
			err->per_thread ? " per thread" : "");
		break;
	case WHY_UNWAITED:
		who(r->img, p, sizeof(p));
		fprintf(f,
			"    it is below the peak of %s (%s): that process was not waited for by the "
			"command's first process (an orphan, reaped by maxrss-sc), so it is not in "
			"ru_maxrss at all\n",
			p, units_format_size(r->bytes, a, sizeof(a)));
		break;
	case WHY_KINDS:
		break;
	}
}

void report_why_text(FILE *f, const struct result *r)
{
	struct why w;
	char a[32];

	if (!why_time_differs(r, &w))
		return;
	fprintf(f, "  time -v    would say %s (ru_maxrss)%s\n",
		units_format_size(w.ru_maxrss, a, sizeof(a)),
		w.n				? ":" :
		w.ru_maxrss == w.peak->peak_rss ? ", as maxrss-sc does" :
						  "");
	for (size_t i = 0; i < w.n; i++)
		why_line(f, &w, &w.v[i], &r->res.counter_error);
	if (w.more_inherited)
		fprintf(f, "    and %zu more processes that began on another's memory\n",
			w.more_inherited);
}

void report_why_json(FILE *f, const struct result *r)
{
	struct why w;
	bool seen[WHY_KINDS] = { false };
	bool first = true;

	if (!why_time_differs(r, &w)) {
		fputs("null", f);
		return;
	}
	fputc('[', f);
	for (size_t i = 0; i < w.n; i++) {
		if (seen[w.v[i].kind])
			continue;
		seen[w.v[i].kind] = true;
		fprintf(f, "%s\"%s\"", first ? "" : ", ", why_name(w.v[i].kind));
		first = false;
	}
	fputc(']', f);
}
