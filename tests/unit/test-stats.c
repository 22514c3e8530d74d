/* Unit tests of stats: mean, median, sample standard deviation, min, max. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <criterion/criterion.h>

#include "stats.h"

#define ASSERT_NEAR(got, want, tol)                                                            \
	cr_assert(fabs((double)(got) - (double)(want)) <= (tol), "%s = %.9g, want %.9g", #got, \
		  (double)(got), (double)(want))

/* ------------------------------------------------------------------ stats */

Test(stats, known_values)
{
	/* mean 5, squared deviations 9+1+1+1+0+0+4+16 = 32, /7 */
	const double v[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 8, &st), 0);
	cr_assert_eq(st.n, 8);
	ASSERT_NEAR(st.mean, 5, 1e-12);
	ASSERT_NEAR(st.min, 2, 0);
	ASSERT_NEAR(st.max, 9, 0);
	ASSERT_NEAR(st.median, 4.5, 1e-12); /* even n: the mean of 4 and 5 */
	cr_assert(st.has_stddev);
	ASSERT_NEAR(st.stddev, sqrt(32.0 / 7.0), 1e-12);
}

Test(stats, odd_count_median_is_middle_value_unsorted_input)
{
	const double v[] = { 9, 1, 7, 3, 5 };
	double copy[5];
	struct stats st;

	memcpy(copy, v, sizeof(copy));
	cr_assert_eq(stats_compute(copy, 5, &st), 0);
	ASSERT_NEAR(st.median, 5, 0);
	ASSERT_NEAR(st.min, 1, 0);
	ASSERT_NEAR(st.max, 9, 0);
	ASSERT_NEAR(st.mean, 5, 1e-12);
	ASSERT_NEAR(st.stddev, sqrt(10.0), 1e-12); /* (16+16+4+4+0)/4 */
	cr_assert_eq(memcmp(copy, v, sizeof(copy)), 0, "the input was reordered");
}

Test(stats, one_value_has_no_stddev)
{
	const double v[] = { 42 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 1, &st), 0);
	ASSERT_NEAR(st.mean, 42, 0);
	ASSERT_NEAR(st.median, 42, 0);
	ASSERT_NEAR(st.min, 42, 0);
	ASSERT_NEAR(st.max, 42, 0);
	cr_assert_not(st.has_stddev);
}

Test(stats, no_values_is_an_error)
{
	struct stats st;

	cr_assert_eq(stats_compute(NULL, 0, &st), -EINVAL);
}

Test(stats, equal_values_have_zero_spread)
{
	const double v[] = { 7, 7, 7, 7 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 4, &st), 0);
	cr_assert(st.has_stddev);
	ASSERT_NEAR(st.stddev, 0, 0);
}

/* Byte counts near 1 GiB with a spread of a few KiB keep their spread. */
Test(stats, large_values_small_spread)
{
	double v[3] = { 1073741824.0 + 4096, 1073741824.0, 1073741824.0 + 8192 };
	struct stats st;

	cr_assert_eq(stats_compute(v, 3, &st), 0);
	ASSERT_NEAR(st.mean, 1073741824.0 + 4096, 1e-6);
	ASSERT_NEAR(st.stddev, 4096, 1e-6);
	ASSERT_NEAR(st.median, 1073741824.0 + 4096, 0);
}
