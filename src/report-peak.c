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

/* ---------------------------------------------------------------- estimated tree peaks */

/* One estimate of a tree peak; figure is "tree RSS", "tree PSS" or both. */
static void estimate_line(FILE *f, const struct result *r, const struct tree_estimate *e,
			  const char *figure, const char *other)
{
	const struct tracer_figures *t = &r->res.tracer;
	/* With --exact the peak is an exact reading, unless io_uring brought VmHWM back. */
	const char *seen = t->exact && !t->exact_hwm_floor ? "an --exact reading" : "VmHWM";
	char p[96], a[32];

	who(e->img, p, sizeof(p));
	fprintf(f, "  estimated  %s%s: ", figure, other);
	if (e->alone)
		fprintf(f, "the peak of %s alone (%s saw it; never sampled with the tree)\n", p,
			seen);
	else
		fprintf(f,
			"%s peaked between samples (%s saw it): the tree at its last sample plus "
			"the %s it grew beyond it, taken as private\n",
			p, seen, units_format_size(e->growth, a, sizeof(a)));
}

void report_estimate_text(FILE *f, const struct result *r)
{
	const struct tree_estimate *rss = &r->pt.rss_estimate, *pss = &r->pt.pss_estimate;

	if (rss->img && pss->img && rss->img == pss->img && !rss->alone) {
		estimate_line(f, r, pss, "tree RSS and PSS", "");
		return;
	}
	if (rss->img)
		estimate_line(f, r, rss, "tree RSS",
			      pss->img ? "" : " (its PSS is a sum of samples)");
	if (pss->img)
		estimate_line(f, r, pss, "tree PSS",
			      rss->img ? "" : " (its RSS is a sum of samples)");
}

static void estimate_json(FILE *f, const struct tree_estimate *e)
{
	if (!e->img) {
		fputs("null", f);
		return;
	}
	fprintf(f, "{\"pid\": %d, \"image\": %u, \"tree_bytes\": ", (int)e->img->pid,
		e->img->index);
	if (e->alone)
		fputs("null", f);
	else
		fprintf(f, "%llu", (unsigned long long)e->base);
	fprintf(f, ", \"growth_bytes\": %llu}", (unsigned long long)e->growth);
}

static const char *estimate_from(const struct tree_estimate *e)
{
	if (!e->img)
		return "samples";
	return e->alone ? "largest_process" : "estimate";
}

void report_estimate_json(FILE *f, const struct proctable *pt)
{
	fprintf(f,
		"\"peak_rss_from\": \"%s\", \"peak_pss_from\": \"%s\", "
		"\"sampled_peak_rss_bytes\": %llu, \"sampled_peak_pss_bytes\": %llu, "
		"\"rss_estimate\": ",
		estimate_from(&pt->rss_estimate), estimate_from(&pt->pss_estimate),
		(unsigned long long)pt->sampled_peak_rss, (unsigned long long)pt->sampled_peak_pss);
	estimate_json(f, &pt->rss_estimate);
	fputs(", \"pss_estimate\": ", f);
	estimate_json(f, &pt->pss_estimate);
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
			"    it is %s the peak by %s, within the error of the kernel's RSS "
			"counter it comes from (up to %s%s%s on this kernel)\n",
			r->below ? "below" : "above", units_format_size(r->bytes, a, sizeof(a)),
			units_format_size(r->bytes2, c, sizeof(c)),
			err->bytes != err->below ? (r->below ? " below" : " above") : "",
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

/* ---------------------------------------------------------------- the make-up of a peak */

/* Groups of a make-up shown in the text; the rest are summed on one line. */
#define BREAKDOWN_TOP 5

void report_group_name(const struct smaps_group *g, bool short_path, char *buf, size_t len)
{
	char raw[4096];

	smaps_group_label(g, short_path, raw, sizeof(raw));
	escape_line_argv(buf, len, raw, strlen(raw), len > 8 ? len - 8 : 1);
}

bool report_breakdown_is_peak(const struct image *img)
{
	return img->breakdown && img->breakdown_of_peak;
}

/* The peak was seen only by VmHWM, between two exact readings. */
static bool counter_peak(const struct image *img)
{
	return img->peak_rss > img->max_exact;
}

void report_breakdown_text(FILE *f, const struct image *img, const char *indent)
{
	const struct smaps *bd = img->breakdown;
	uint64_t rest = 0;
	size_t rest_n = 0;
	char a[32], b[32], at[32], name[NAME_MAX_BYTES * 2 + 32];

	if (!bd)
		return;
	units_format_size(bd->rss, a, sizeof(a));
	units_format_duration((double)img->breakdown_ns / 1e9, at, sizeof(at));
	if (report_breakdown_is_peak(img) && bd->rss < img->peak_rss)
		fprintf(f,
			"%smade of    its peak, read at %s (VmHWM says %s more, within the "
			"counter's error):\n",
			indent, at, units_format_size(img->peak_rss - bd->rss, b, sizeof(b)));
	else if (report_breakdown_is_peak(img))
		fprintf(f, "%smade of    its peak, read at %s:\n", indent, at);
	else if (counter_peak(img))
		fprintf(f,
			"%smade of    a sample of %s at %s; the peak, %s, was seen only by the "
			"kernel's counter (VmHWM), between samples: --exact reads the make-up of the "
			"true peak\n",
			indent, a, at, units_format_size(img->peak_rss, b, sizeof(b)));
	else if (img->breakdown_skipped)
		fprintf(f,
			"%smade of    a sample of %s at %s, its largest being %s (%lu reads were "
			"skipped to keep -b within %d %% of a CPU)\n",
			indent, a, at, units_format_size(img->max_exact, b, sizeof(b)),
			img->breakdown_skipped, 100 / BREAKDOWN_BUDGET);
	else
		fprintf(f,
			"%smade of    a sample of %s at %s, its largest being %s (the make-up is "
			"read again past 1/%d more)\n",
			indent, a, at, units_format_size(img->max_exact, b, sizeof(b)),
			BREAKDOWN_STEP);
	for (size_t i = 0; i < bd->n; i++) {
		const struct smaps_group *g = &bd->v[i];

		if (i >= BREAKDOWN_TOP) {
			rest += g->rss;
			rest_n++;
			continue;
		}
		report_group_name(g, false, name, sizeof(name));
		fprintf(f, "%s  %10s  %s", indent, units_format_size(g->rss, a, sizeof(a)), name);
		if (g->mappings > 1 && g->kind != SMAPS_FILE)
			fprintf(f, " (%u mappings)", g->mappings);
		if (g->swap)
			fprintf(f, ", %s swapped out", units_format_size(g->swap, b, sizeof(b)));
		fputc('\n', f);
	}
	if (rest_n)
		fprintf(f, "%s  %10s  the rest (%zu more group%s)\n", indent,
			units_format_size(rest, a, sizeof(a)), rest_n, rest_n == 1 ? "" : "s");
	fprintf(f, "%s  %10s  page tables, besides (VmPTE)\n", indent,
		units_format_size(img->breakdown_pte, a, sizeof(a)));
}

void report_breakdown_json(FILE *f, const struct image *img)
{
	const struct smaps *bd = img->breakdown;

	if (!bd) {
		fputs("null", f);
		return;
	}
	fprintf(f,
		"{\"rss_bytes\": %llu, \"pss_bytes\": %llu, \"swap_bytes\": %llu, "
		"\"pte_bytes\": %llu, \"seconds\": %.6f, \"of_peak\": %s, \"peak_by_counter\": %s, "
		"\"mappings\": %u, \"reads_skipped\": %lu, \"groups\": [",
		(unsigned long long)bd->rss, (unsigned long long)bd->pss,
		(unsigned long long)bd->swap, (unsigned long long)img->breakdown_pte,
		(double)img->breakdown_ns / 1e9, report_breakdown_is_peak(img) ? "true" : "false",
		counter_peak(img) ? "true" : "false", bd->mappings, img->breakdown_skipped);
	for (size_t i = 0; i < bd->n; i++) {
		const struct smaps_group *g = &bd->v[i];

		fprintf(f, "%s{\"kind\": \"%s\", \"path\": ", i ? ", " : "",
			g->kind == SMAPS_SHMEM ? "shmem" : smaps_kind_name(g->kind));
		escape_json_cstring(f, g->path);
		fprintf(f,
			", \"rss_bytes\": %llu, \"pss_bytes\": %llu, \"anon_bytes\": %llu, "
			"\"swap_bytes\": %llu, \"mappings\": %u}",
			(unsigned long long)g->rss, (unsigned long long)g->pss,
			(unsigned long long)g->anon, (unsigned long long)g->swap, g->mappings);
	}
	fputs("]}", f);
}

/* Groups of a make-up on the one line of -v's table. */
#define BREAKDOWN_LINE_TOP 3

void report_breakdown_line(FILE *f, const struct image *img, const char *indent)
{
	const struct smaps *bd = img->breakdown;
	uint64_t rest = 0;
	char a[32], name[NAME_MAX_BYTES * 2 + 32];

	if (!bd)
		return;
	fprintf(f, "%smade of ", indent);
	for (size_t i = 0; i < bd->n; i++) {
		if (i >= BREAKDOWN_LINE_TOP) {
			rest += bd->v[i].rss;
			continue;
		}
		report_group_name(&bd->v[i], true, name, sizeof(name));
		fprintf(f, "%s%s %s", i ? ", " : "", units_format_size(bd->v[i].rss, a, sizeof(a)),
			name);
	}
	if (rest)
		fprintf(f, "; %s more", units_format_size(rest, a, sizeof(a)));
	if (!report_breakdown_is_peak(img))
		fprintf(f, " (a sample of %s, not the peak)",
			units_format_size(bd->rss, a, sizeof(a)));
	fputc('\n', f);
}
