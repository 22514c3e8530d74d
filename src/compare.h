/*
 * compare: the figures of a comparison of several commands, from their
 * runs: each command's statistics, how many times more than the least one
 * it needed (with the uncertainty propagated from both spreads) and
 * whether the difference is beyond the noise, the order of the report,
 * and for a parameter scan how the peak grows with the parameter.  Pure.
 */
#ifndef MAXRSS_COMPARE_H
#define MAXRSS_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"
#include "runs.h"
#include "stats.h"
#include "subjects.h"

/* A difference is beyond the noise when Welch's t-test gives p below this. */
#define COMPARE_ALPHA 0.05

/* What decided whether a difference is beyond the noise. */
enum compare_test {
	TEST_WELCH,	/* Welch's t-test, two-sided, p < COMPARE_ALPHA */
	TEST_RANGES,	/* no spread on either side: disjoint min ... max ranges */
	TEST_NO_SPREAD, /* one run on a side: no noise to tell apart, any difference counts */
};

/* One figure of a command against the same figure of a reference. */
struct relation {
	bool known;	    /* both sides have the figure */
	double ratio;	    /* mean / the reference's mean */
	double uncertainty; /* ratio * sqrt((sd/mean)^2 + (sd_ref/mean_ref)^2); NaN for a single run */
	double change;	    /* (mean - reference) / reference, as a fraction */
	bool beyond_noise;
	enum compare_test test;
	double p_value; /* TEST_WELCH only; else NaN */
};

/* The figures a comparison compares. */
enum compare_figure { FIG_PEAK, FIG_PSS, FIG_WALL, FIG_COUNT };

struct compared {
	const struct subject *subject;
	const struct runs *runs;
	bool has[FIG_COUNT];
	struct stats stats[FIG_COUNT];
	struct relation rel[FIG_COUNT]; /* against the command with the least of each */
};

/* The largest growth exponent a fit looks for. */
#define COMPARE_MAX_EXPONENT 4.0

/*
 * peak ~ base + coefficient * n^exponent: the base (the program's own
 * memory, whatever n) is fitted with the rest, so that the exponent is how
 * the part that depends on n grows: 1 linear, 2 quadratic.
 */
struct growth {
	double exponent;
	double coefficient; /* bytes */
	double base;	    /* bytes; 0 without a third point */
	bool with_base;
	double r_squared; /* of the relative residuals */
};

/* How the peak grows with a scanned parameter, for one command line and values of the others. */
struct fit {
	size_t param;	  /* the scanned parameter */
	size_t first;	  /* a command of the group (its label names the group) */
	size_t points;	  /* commands with a known peak in it */
	double low, high; /* the parameter's range */
	bool known;	  /* points >= 2 and distinct values */
	struct growth growth;
};

struct comparison {
	struct compared *v; /* in the order of the subjects */
	size_t n;
	size_t *order;		 /* the report's order (--sort) */
	size_t least[FIG_COUNT]; /* the command with the least of each figure */
	bool has_least[FIG_COUNT];
	struct fit *fits;
	size_t nfits;
};

/*
 * The comparison of the n subjects of s, measured as runs[0..n-1], in the
 * order sort asks.  0 or -ENOMEM.
 */
int compare_build(struct comparison *c, const struct subjects *s, const struct runs *runs,
		  enum options_sort sort);
void compare_free(struct comparison *c);

/* a against ref: ratio, uncertainty, and the test that says whether it is beyond the noise. */
struct relation compare_relate(const struct stats *a, const struct stats *ref);

/*
 * Are subjects a and b of one fit group for parameter p: the same command
 * line, the same values of every other parameter?
 */
bool compare_same_group(const struct subjects *s, size_t a, size_t b, size_t p);

/* The ratio of r as "1.23 \u00b1 0.04", or "1.23" without an uncertainty. */
void compare_format_ratio(const struct relation *r, char *buf, size_t len);

/*
 * Welch's t-test of two samples given by their statistics (n >= 2 each,
 * some spread): the two-sided p-value of "same mean".
 */
double compare_welch_p(const struct stats *a, const struct stats *b);

/*
 * Fit y ~ base + coefficient * x^exponent (exponent in 0 .. 4) over the
 * points with x, y > 0, by least squares of the relative residuals; the
 * base only with three points or more.  false when fewer than two such
 * points or a single x.
 */
bool compare_fit_growth(const double *x, const double *y, size_t n, struct growth *g);

#endif
