#include <math.h>
#include <stdio.h>

#include <criterion/criterion.h>

#include "summary.h"

static double num(const struct json *root, const char *path)
{
	const struct json *j = json_path(root, path);

	cr_assert_not_null(j, "no %s", path);
	cr_assert_eq(j->type, JSON_NUMBER, "%s is not a number", path);
	return j->number;
}

static void check(const struct json *root, const char *metric, const char *stat, double want,
		  double tol)
{
	char path[128];

	snprintf(path, sizeof(path), "summary.%s.%s", metric, stat);
	cr_assert(fabs(num(root, path) - want) <= tol, "%s = %.9g, from the runs %.9g", path,
		  num(root, path), want);
}

void summary_check(const struct json *root, const char *metric, const char *run_key, double tol)
{
	const struct json *runs = json_get(root, "runs");
	double v[64], sum = 0, sq = 0, mean, lo, hi;
	char path[128];
	size_t n;

	cr_assert_not_null(runs, "no runs");
	n = runs->n;
	cr_assert(n >= 2 && n <= 64, "%zu runs", n);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "runs.%zu.%s", i, run_key);
		v[i] = num(root, path);
		sum += v[i];
	}
	mean = sum / (double)n;
	lo = hi = v[0];
	for (size_t i = 0; i < n; i++) {
		sq += (v[i] - mean) * (v[i] - mean);
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	/* Median: sort the values (insertion sort, n is small). */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && v[k - 1] > v[k]; k--) {
			double t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	check(root, metric, "mean", mean, tol);
	check(root, metric, "min", lo, tol);
	check(root, metric, "max", hi, tol);
	check(root, metric, "median", n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, tol);
	check(root, metric, "stddev", sqrt(sq / (double)(n - 1)), tol);
}
