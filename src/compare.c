#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"

/* ---------------------------------------------------------------- Welch's t-test */

/*
 * The continued fraction of the regularised incomplete beta function
 * I_x(a, b), by the modified Lentz method; converges fast for
 * x < (a + 1) / (a + b + 2).
 */
static double beta_fraction(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, num, delta;

		/* The even step, then the odd one. */
		num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + num * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + num / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		delta = d * c;
		h *= delta;
		if (fabs(delta - 1) < 1e-14)
			break;
	}
	return h;
}

/* The regularised incomplete beta function I_x(a, b), 0 <= x <= 1. */
static double incomplete_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

double compare_welch_p(const struct stats *a, const struct stats *b)
{
	double va = a->stddev * a->stddev / (double)a->n;
	double vb = b->stddev * b->stddev / (double)b->n;
	double t, df;

	if (va + vb <= 0)
		return a->mean == b->mean ? 1 : 0;
	t = (a->mean - b->mean) / sqrt(va + vb);
	/* Welch-Satterthwaite degrees of freedom. */
	df = (va + vb) * (va + vb) / (va * va / (double)(a->n - 1) + vb * vb / (double)(b->n - 1));
	/* P(|T| >= |t|) for Student's t with df degrees of freedom. */
	return incomplete_beta(df / 2, 0.5, df / (df + t * t));
}

/* ---------------------------------------------------------------- relations */

struct relation compare_relate(const struct stats *a, const struct stats *ref)
{
	struct relation r = { .known = true, .p_value = NAN };
	double ea = a->mean > 0 ? a->stddev / a->mean : 0;
	double eb = ref->mean > 0 ? ref->stddev / ref->mean : 0;

	if (ref->mean <= 0) {
		r.known = false;
		return r;
	}
	r.ratio = a->mean / ref->mean;
	/* A single run tells nothing of its spread: no uncertainty, rather than 0. */
	r.uncertainty = a->n < 2 || ref->n < 2 ? NAN : r.ratio * sqrt(ea * ea + eb * eb);
	r.change = (a->mean - ref->mean) / ref->mean;
	if (a->n < 2 || ref->n < 2) {
		r.test = TEST_NO_SPREAD;
		r.beyond_noise = a->mean != ref->mean;
	} else if (a->stddev == 0 && ref->stddev == 0) {
		r.test = TEST_RANGES;
		r.beyond_noise = a->max < ref->min || ref->max < a->min;
	} else {
		r.test = TEST_WELCH;
		r.p_value = compare_welch_p(a, ref);
		r.beyond_noise = r.p_value < COMPARE_ALPHA;
	}
	return r;
}

/* ---------------------------------------------------------------- the fit */

/*
 * For a fixed k, the base and coefficient of y ~ base + coefficient * x^k
 * by least squares of the relative residuals (r_i = (y_i - fit_i) / y_i,
 * so that small and large values weigh alike); returns the sum of r_i^2.
 * With two points or fewer, or without a base, the base stays 0; a base
 * below 0 (no program holds less than nothing) is held at 0, where the
 * least squares under that bound lie, the sum being convex.
 */
static double fit_at(const double *x, const double *y, size_t n, double k, bool with_base,
		     double *base, double *coef)
{
	double s11 = 0, s12 = 0, s22 = 0, t1 = 0, t2 = 0, det, sse = 0;

	for (size_t i = 0; i < n; i++) {
		double w = 1 / (y[i] * y[i]), u = pow(x[i], k);

		s11 += w;
		s12 += w * u;
		s22 += w * u * u;
		t1 += w * y[i];
		t2 += w * u * y[i];
	}
	det = s11 * s22 - s12 * s12;
	if (with_base && det > 1e-12 * s11 * s22 && t1 * s22 - t2 * s12 >= 0) {
		*base = (t1 * s22 - t2 * s12) / det;
		*coef = (s11 * t2 - s12 * t1) / det;
	} else {
		*base = 0;
		*coef = s22 > 0 ? t2 / s22 : 0;
	}
	for (size_t i = 0; i < n; i++) {
		double r = (y[i] - *base - *coef * pow(x[i], k)) / y[i];

		sse += r * r;
	}
	return sse;
}

bool compare_fit_growth(const double *xs, const double *ys, size_t n, struct growth *g)
{
	double x[SUBJECTS_MAX_VALUES], y[SUBJECTS_MAX_VALUES], lo, hi, best = INFINITY, sst = 0,
								       mean = 0, base, coef;
	const double phi = (sqrt(5.0) - 1) / 2;
	bool with_base;
	size_t m = 0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n && m < SUBJECTS_MAX_VALUES; i++)
		if (xs[i] > 0 && ys[i] > 0) {
			x[m] = xs[i];
			y[m++] = ys[i];
		}
	for (size_t i = 1; i < m; i++)
		if (x[i] != x[0])
			break;
		else if (i == m - 1)
			return false;
	if (m < 2)
		return false;
	/* A base needs a third point: two points fit any k. */
	with_base = m >= 3;
	/* The best k on a grid, then golden-section search around it. */
	for (int step = 1; step <= (int)(COMPARE_MAX_EXPONENT * 20); step++) {
		double k = step * 0.05, e = fit_at(x, y, m, k, with_base, &base, &coef);

		if (e < best && coef > 0) {
			best = e;
			g->exponent = k;
		}
	}
	if (!isfinite(best))
		return false;
	lo = fmax(g->exponent - 0.05, 0);
	hi = fmin(g->exponent + 0.05, COMPARE_MAX_EXPONENT);
	for (int it = 0; it < 60; it++) {
		double a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);

		if (fit_at(x, y, m, a, with_base, &base, &coef) <
		    fit_at(x, y, m, b, with_base, &base, &coef))
			hi = b;
		else
			lo = a;
	}
	g->exponent = (lo + hi) / 2;
	best = fit_at(x, y, m, g->exponent, with_base, &g->base, &g->coefficient);
	for (size_t i = 0; i < m; i++)
		mean += y[i] / (double)m;
	for (size_t i = 0; i < m; i++)
		sst += (y[i] - mean) * (y[i] - mean) / (y[i] * y[i]);
	g->r_squared = sst > 0 ? 1 - best / sst : 1;
	g->with_base = with_base;
	return true;
}

/* ---------------------------------------------------------------- building */

static const enum runs_metric metric_of[FIG_COUNT] = {
	[FIG_PEAK] = RUNS_PEAK_RSS_BYTES,
	[FIG_PSS] = RUNS_TREE_PEAK_PSS_BYTES,
	[FIG_WALL] = RUNS_WALL_SECONDS,
};

/* For qsort: the comparison being sorted and its key. */
static const struct comparison *sorting;
static int sort_figure; /* FIG_*, or -1 for the order given */

static int by_key(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct compared *x = &sorting->v[a], *y = &sorting->v[b];

	if (sort_figure >= 0) {
		bool hx = x->has[sort_figure], hy = y->has[sort_figure];
		double mx = x->stats[sort_figure].mean, my = y->stats[sort_figure].mean;

		/* Unknown figures last; equal ones in the order given. */
		if (hx != hy)
			return hx ? -1 : 1;
		if (hx && mx != my)
			return mx < my ? -1 : 1;
	}
	return (a > b) - (a < b);
}

static void sort_order(struct comparison *c, enum options_sort sort)
{
	static const int figure_of[] = {
		[SORT_PEAK] = FIG_PEAK, [SORT_PSS] = FIG_PSS, [SORT_TIME] = FIG_WALL,
		[SORT_COMMAND] = -1,	[SORT_START] = -1,
	};

	for (size_t i = 0; i < c->n; i++)
		c->order[i] = i;
	sorting = c;
	sort_figure = figure_of[sort];
	qsort(c->order, c->n, sizeof(*c->order), by_key);
	sorting = NULL;
}

bool compare_same_group(const struct subjects *s, size_t a, size_t b, size_t p)
{
	if (s->v[a].operand != s->v[b].operand)
		return false;
	for (size_t i = 0; i < s->nparams; i++)
		if (i != p && s->v[a].value[i] != s->v[b].value[i])
			return false;
	return true;
}

/* One fit per scanned parameter and group of commands that differ only in it. */
static int build_fits(struct comparison *c, const struct subjects *s)
{
	size_t size = (c->n ? c->n : 1) * sizeof(double);
	double *x = malloc(size), *y = malloc(size);
	bool *done = calloc(c->n ? c->n : 1, sizeof(*done));
	int rc = x && y && done ? 0 : -ENOMEM;

	for (size_t p = 0; !rc && p < s->nparams; p++) {
		if (!s->params[p].scan)
			continue;
		memset(done, 0, c->n * sizeof(*done));
		for (size_t i = 0; !rc && i < c->n; i++) {
			struct fit *f;
			size_t m = 0;

			if (done[i] || s->v[i].value[p] == SUBJECTS_UNUSED)
				continue;
			f = realloc(c->fits, (c->nfits + 1) * sizeof(*f));
			if (!f) {
				rc = -ENOMEM;
				break;
			}
			c->fits = f;
			f = &c->fits[c->nfits++];
			memset(f, 0, sizeof(*f));
			f->param = p;
			f->first = i;
			f->low = s->params[p].numbers[0];
			f->high = s->params[p].numbers[s->params[p].nvalues - 1];
			for (size_t j = i; j < c->n; j++) {
				if (done[j] || !compare_same_group(s, i, j, p))
					continue;
				done[j] = true;
				if (!c->v[j].has[FIG_PEAK])
					continue;
				x[m] = s->params[p].numbers[s->v[j].value[p]];
				y[m++] = c->v[j].stats[FIG_PEAK].mean;
			}
			f->points = m;
			f->known = compare_fit_growth(x, y, m, &f->growth);
		}
	}
	free(x);
	free(y);
	free(done);
	return rc;
}

int compare_build(struct comparison *c, const struct subjects *s, const struct runs *runs,
		  enum options_sort sort)
{
	memset(c, 0, sizeof(*c));
	c->n = s->n;
	c->v = calloc(c->n ? c->n : 1, sizeof(*c->v));
	c->order = calloc(c->n ? c->n : 1, sizeof(*c->order));
	if (!c->v || !c->order) {
		compare_free(c);
		return -ENOMEM;
	}
	for (size_t i = 0; i < c->n; i++) {
		struct compared *x = &c->v[i];

		x->subject = &s->v[i];
		x->runs = &runs[i];
		for (int f = 0; f < FIG_COUNT; f++) {
			x->has[f] = runs_stats(&runs[i], metric_of[f], &x->stats[f]) == 0;
			if (x->has[f] && (!c->has_least[f] ||
					  x->stats[f].mean < c->v[c->least[f]].stats[f].mean)) {
				c->least[f] = i;
				c->has_least[f] = true;
			}
		}
	}
	for (size_t i = 0; i < c->n; i++)
		for (int f = 0; f < FIG_COUNT; f++)
			if (c->v[i].has[f])
				c->v[i].rel[f] = compare_relate(&c->v[i].stats[f],
								&c->v[c->least[f]].stats[f]);
	sort_order(c, sort);
	if (build_fits(c, s)) {
		compare_free(c);
		return -ENOMEM;
	}
	return 0;
}

void compare_free(struct comparison *c)
{
	free(c->v);
	free(c->order);
	free(c->fits);
	memset(c, 0, sizeof(*c));
}

void compare_format_ratio(const struct relation *r, char *buf, size_t len)
{
	if (isfinite(r->uncertainty))
		snprintf(buf, len, "%.2f \u00b1 %.2f", r->ratio, r->uncertainty);
	else
		snprintf(buf, len, "%.2f", r->ratio);
}
