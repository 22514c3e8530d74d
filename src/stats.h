/* stats: summary statistics of a series of measurements (pure). */
#ifndef MAXRSS_STATS_H
#define MAXRSS_STATS_H

#include <stdbool.h>
#include <stddef.h>

struct stats {
	size_t n; /* how many values */
	double min, max;
	double mean;
	double median;	 /* the middle value, or the mean of the two middle ones */
	double stddev;	 /* sample standard deviation (divides by n - 1) */
	bool has_stddev; /* false when n < 2: one value has no spread to estimate */
};

/*
 * The statistics of v[0..n-1] (left unchanged).  0, -EINVAL when n is 0,
 * -ENOMEM when the sorted copy the median needs cannot be made.
 */
int stats_compute(const double *v, size_t n, struct stats *out);

#endif
