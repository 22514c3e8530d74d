#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int stats_compute(const double *v, size_t n, struct stats *out)
{
	double *sorted, sum = 0, sq = 0;

	memset(out, 0, sizeof(*out));
	if (n == 0)
		return -EINVAL;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);

	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	out->mean = sum / (double)n;
	/*
	 * Two passes (sum of squared deviations from the mean) rather than
	 * sum(x^2) - n*mean^2: byte counts near 2^30 squared lose every
	 * digit of a small spread in the one-pass formula.
	 */
	for (size_t i = 0; i < n; i++)
		sq += (sorted[i] - out->mean) * (sorted[i] - out->mean);
	if (n > 1) {
		out->stddev = sqrt(sq / (double)(n - 1));
		out->has_stddev = true;
	}
	free(sorted);
	return 0;
}
