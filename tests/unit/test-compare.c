/*
 * Unit tests of compare: Welch's t-test against values of Student's t
 * distribution, the ratio and its propagated uncertainty, the rules for
 * samples without spread, the growth fit, and a comparison built from runs.
 */
#include <math.h>

#include <criterion/criterion.h>

#include "compare.h"
#include "fake-run.h"

static struct stats st(size_t n, double mean, double sd, double min, double max)
{
	return (struct stats){ .n = n,
			       .mean = mean,
			       .median = mean,
			       .stddev = sd,
			       .has_stddev = n > 1,
			       .min = min,
			       .max = max };
}

/*
 * Equal sizes and variances: Welch's test is Student's, df = 2n - 2.  With
 * n = 10 and sd = 1, t = d / sqrt(0.2); t(18) = 2.100922 at p = 0.05 and
 * 2.878440 at p = 0.01 (two-sided).
 */
Test(compare, welch_matches_student)
{
	struct stats a = st(10, 0, 1, -2, 2), b;

	b = st(10, 2.100922 * sqrt(0.2), 1, 0, 3);
	cr_assert(fabs(compare_welch_p(&a, &b) - 0.05) < 1e-5, "p %f", compare_welch_p(&a, &b));
	b = st(10, 2.878440 * sqrt(0.2), 1, 0, 3);
	cr_assert(fabs(compare_welch_p(&a, &b) - 0.01) < 1e-5, "p %f", compare_welch_p(&a, &b));
	cr_assert(fabs(compare_welch_p(&b, &a) - 0.01) < 1e-5, "symmetric");
	b = st(10, 0, 3, -5, 5);
	cr_assert(fabs(compare_welch_p(&a, &b) - 1) < 1e-12, "same means: p = 1");
}

/* Unequal variances: Welch-Satterthwaite degrees of freedom (here 9.9 ~ t(10)). */
Test(compare, welch_unequal_variances)
{
	struct stats a = st(10, 0, 1, -2, 2), b = st(10, 3, 10, -10, 20);
	/* t = 3 / sqrt(0.1 + 10) = 0.94399, df = 10.1^2 / (0.01/9 + 100/9) = 9.178 */
	double p = compare_welch_p(&a, &b);

	cr_assert(p > 0.36 && p < 0.38, "p %f (t 0.944, df 9.18: about 0.37)", p);
}

Test(compare, ratio_and_uncertainty)
{
	struct stats ref = st(5, 100, 10, 90, 110), x = st(5, 200, 10, 190, 210);
	struct relation r = compare_relate(&x, &ref);

	cr_assert(r.known);
	cr_assert_float_eq(r.ratio, 2.0, 1e-12);
	cr_assert_float_eq(r.uncertainty, 2.0 * sqrt(0.01 + 0.0025), 1e-12);
	cr_assert_float_eq(r.change, 1.0, 1e-12);
	cr_assert_eq(r.test, TEST_WELCH);
	cr_assert(r.beyond_noise);
	r = compare_relate(&ref, &ref);
	cr_assert_not(r.beyond_noise, "a command is within the noise of itself");
}

Test(compare, without_spread)
{
	struct stats a = st(3, 100, 0, 100, 100), b = st(3, 101, 0, 101, 101);
	struct relation r = compare_relate(&b, &a);

	cr_assert_eq(r.test, TEST_RANGES);
	cr_assert(r.beyond_noise, "ranges apart");
	cr_assert(isnan(r.p_value));
	r = compare_relate(&a, &a);
	cr_assert_not(r.beyond_noise);
	a = st(1, 100, 0, 100, 100);
	b = st(1, 130, 0, 130, 130);
	r = compare_relate(&b, &a);
	cr_assert_eq(r.test, TEST_NO_SPREAD);
	cr_assert(r.beyond_noise, "one run each: any difference counts");
	cr_assert_float_eq(r.change, 0.3, 1e-12);
	b = st(1, 0, 0, 0, 0);
	r = compare_relate(&a, &b);
	cr_assert_not(r.known, "no ratio to a zero");
}

Test(compare, fit_of_growth)
{
	double x[] = { 8, 16, 32, 64, 128 }, lin[5], sq[5];
	struct growth g;

	for (size_t i = 0; i < 5; i++) {
		lin[i] = 1.5e6 + 1048576.0 * x[i];
		sq[i] = 1.5e6 + 131072.0 * x[i] * x[i];
	}
	cr_assert(compare_fit_growth(x, lin, 5, &g));
	cr_assert(fabs(g.exponent - 1) < 0.005, "linear: %f", g.exponent);
	cr_assert(fabs(g.base - 1.5e6) < 1.5e4, "base %f", g.base);
	cr_assert(g.r_squared > 0.9999);
	cr_assert(compare_fit_growth(x, sq, 5, &g));
	cr_assert(fabs(g.exponent - 2) < 0.005, "quadratic: %f", g.exponent);
	/* Two points: a pure power, no base. */
	{
		double y2[] = { 3 * 8.0 * 8.0, 3 * 16.0 * 16.0 };

		cr_assert(compare_fit_growth(x, y2, 2, &g));
		cr_assert(fabs(g.exponent - 2) < 0.005);
		cr_assert_not(g.with_base);
		cr_assert_float_eq(g.base, 0, 1e-9);
	}
	/* One x only, or no positive point: no fit. */
	cr_assert_not(compare_fit_growth((double[]){ 4, 4 }, (double[]){ 1, 2 }, 2, &g));
	cr_assert_not(compare_fit_growth((double[]){ 0, -1 }, (double[]){ 1, 2 }, 2, &g));
}

/* Three commands of 10, 40 and 20 "MiB": least, ratios, and the orders of --sort. */
Test(compare, build_from_runs)
{
	static char *cmd[] = { (char *)"x", NULL };
	static char label0[] = "a", label1[] = "b", label2[] = "c";
	struct subject sv[3] = { { .label = label0 }, { .label = label1 }, { .label = label2 } };
	struct subjects s = { .v = sv, .n = 3, .compare = true };
	const uint64_t peaks[3] = { 10 << 20, 40 << 20, 20 << 20 };
	const double walls[3] = { 3, 1, 2 };
	struct runs rs[3];
	struct comparison c;

	for (size_t i = 0; i < 3; i++) {
		runs_init(&rs[i], cmd, 3, 0, false);
		for (int k = 0; k < 3; k++)
			cr_assert_eq(runs_add(&rs[i],
					      fake_run(cmd, peaks[i] + (uint64_t)k * 4096,
						       peaks[i] / 2, walls[i] + k * 0.01, 0, 0)),
				     0);
	}
	cr_assert_eq(compare_build(&c, &s, rs, SORT_PEAK), 0);
	cr_assert_eq(c.least[FIG_PEAK], 0);
	cr_assert_eq(c.least[FIG_WALL], 1);
	cr_assert(fabs(c.v[1].rel[FIG_PEAK].ratio - 4) < 0.01);
	cr_assert(c.v[1].rel[FIG_PEAK].beyond_noise);
	cr_assert_eq(c.order[0], 0);
	cr_assert_eq(c.order[1], 2);
	cr_assert_eq(c.order[2], 1);
	compare_free(&c);
	cr_assert_eq(compare_build(&c, &s, rs, SORT_TIME), 0);
	cr_assert_eq(c.order[0], 1);
	cr_assert_eq(c.order[2], 0);
	compare_free(&c);
	cr_assert_eq(compare_build(&c, &s, rs, SORT_COMMAND), 0);
	cr_assert_eq(c.order[1], 1);
	cr_assert_eq(c.nfits, 0);
	compare_free(&c);
	for (size_t i = 0; i < 3; i++)
		runs_free(&rs[i]);
}

/* A command whose peak is unknown sorts after those with one, whatever its place. */
Test(compare, unknown_figure_sorts_last)
{
	static char *cmd[] = { (char *)"x", NULL };
	static char label0[] = "a", label1[] = "b", label2[] = "c";
	struct subject sv[3] = { { .label = label0 }, { .label = label1 }, { .label = label2 } };
	struct subjects s = { .v = sv, .n = 3, .compare = true };
	const uint64_t peaks[3] = { 0, 40 << 20, 20 << 20 };
	struct runs rs[3];
	struct comparison c;

	for (size_t i = 0; i < 3; i++) {
		runs_init(&rs[i], cmd, 2, 0, false);
		for (int k = 0; k < 2; k++)
			cr_assert_eq(runs_add(&rs[i], fake_run(cmd, peaks[i], 1 << 20, 1, 0, 0)),
				     0);
	}
	cr_assert_eq(compare_build(&c, &s, rs, SORT_PEAK), 0);
	cr_assert_not(c.v[0].has[FIG_PEAK]);
	cr_assert_eq(c.least[FIG_PEAK], 2);
	cr_assert_eq(c.order[0], 2);
	cr_assert_eq(c.order[1], 1);
	cr_assert_eq(c.order[2], 0);
	compare_free(&c);
	for (size_t i = 0; i < 3; i++)
		runs_free(&rs[i]);
}

/*
 * -P n 1 3 with -L kind a,b: two groups (one per kind), each fitted on its
 * own: kind a grows as n (exponent 1), kind b as n^2.  Two command lines
 * split groups as two values of a parameter do.
 */
Test(compare, one_fit_per_group)
{
	static char *cmd[] = { (char *)"x", NULL };
	static char *nvals[] = { (char *)"1", (char *)"2", (char *)"3" };
	static char *kvals[] = { (char *)"a", (char *)"b" };
	static double nnum[] = { 1, 2, 3 };
	struct param params[2] = {
		{ .name = (char *)"n",
		  .values = nvals,
		  .numbers = nnum,
		  .nvalues = 3,
		  .scan = true },
		{ .name = (char *)"kind", .values = kvals, .nvalues = 2 },
	};
	static size_t val[6][2] = { { 0, 0 }, { 1, 0 }, { 2, 0 }, { 0, 1 }, { 1, 1 }, { 2, 1 } };
	static char label[] = "x";
	struct subject sv[6];
	struct subjects s = { .params = params, .nparams = 2, .v = sv, .n = 6, .compare = true };
	struct runs rs[6];
	struct comparison c;

	for (size_t i = 0; i < 6; i++) {
		double n = nnum[val[i][0]];
		uint64_t peak = (uint64_t)((val[i][1] ? n * n : n) * (8 << 20)) + (4 << 20);

		sv[i] = (struct subject){ .label = label, .value = val[i] };
		runs_init(&rs[i], cmd, 1, 0, false);
		cr_assert_eq(runs_add(&rs[i], fake_run(cmd, peak, 1 << 20, 1, 0, 0)), 0);
	}
	cr_assert_eq(compare_build(&c, &s, rs, SORT_COMMAND), 0);
	cr_assert_eq(c.nfits, 2);
	cr_assert_eq(c.fits[0].first, 0);
	cr_assert_eq(c.fits[0].points, 3);
	cr_assert_float_eq(c.fits[0].growth.exponent, 1, 0.01);
	cr_assert_eq(c.fits[1].first, 3);
	cr_assert_eq(c.fits[1].points, 3);
	cr_assert_float_eq(c.fits[1].growth.exponent, 2, 0.01);
	compare_free(&c);

	/* The same, the two kinds being two command lines instead of -L. */
	s.nparams = 1;
	for (size_t i = 0; i < 6; i++)
		sv[i].operand = val[i][1];
	cr_assert_eq(compare_build(&c, &s, rs, SORT_COMMAND), 0);
	cr_assert_eq(c.nfits, 2);
	cr_assert_eq(c.fits[0].points, 3);
	cr_assert_float_eq(c.fits[0].growth.exponent, 1, 0.01);
	cr_assert_eq(c.fits[1].points, 3);
	cr_assert_float_eq(c.fits[1].growth.exponent, 2, 0.01);
	compare_free(&c);
	for (size_t i = 0; i < 6; i++)
		runs_free(&rs[i]);
}

/*
 * Growth a little below linear (awk's arrays, measured: 89.8, 177.2 and
 * 262.7 MiB at 1, 2 and 3 million): the unbounded fit wants a base below
 * 0; no program holds less than nothing, so the base is 0 and the
 * exponent takes the curvature.  Growth faster than n^4 stops at 4.
 */
Test(compare, fit_bounds)
{
	double x[] = { 1e6, 2e6, 3e6 }, awk[] = { 89.8 * 1048576, 177.2 * 1048576, 262.7 * 1048576 };
	double fast[3];
	struct growth g;

	cr_assert(compare_fit_growth(x, awk, 3, &g));
	cr_assert_geq(g.base, 0);
	cr_assert(g.exponent > 0.9 && g.exponent < 1, "%f", g.exponent);
	cr_assert(g.r_squared > 0.999, "%f", g.r_squared);
	for (size_t i = 0; i < 3; i++)
		fast[i] = pow(x[i] / 1e6, 6) * 1048576;
	cr_assert(compare_fit_growth(x, fast, 3, &g));
	cr_assert_leq(g.exponent, COMPARE_MAX_EXPONENT);
	cr_assert_float_eq(g.exponent, COMPARE_MAX_EXPONENT, 1e-6);
}
