/*
 * timeline: every exact sample of one run, in the order they were taken,
 * and the tree sums the peaks were taken from, for --timeline (csv.c) and
 * --plot (plot.c).  Filled through the proctable's on_sample and on_sums
 * hooks; the samples point at the proctable's images, so the proctable
 * must outlive the timeline's use.
 */
#ifndef MAXRSS_TIMELINE_H
#define MAXRSS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"

struct timeline_sample {
	uint64_t t_ns;		 /* since the proctable's time 0 (the command's exec) */
	const struct image *img; /* the image sampled */
	uint64_t rss, pss;	 /* the sample */
};

/* The tree sums at a moment the proctable took its peaks from (on_sums). */
struct timeline_sums {
	uint64_t t_ns; /* since the proctable's time 0 */
	uint64_t rss, pss;
};

struct timeline {
	struct timeline_sample *v;
	size_t n, cap;
	size_t dropped; /* samples and sums lost for lack of memory */
	struct timeline_sums *sums;
	size_t nsums, sums_cap;
};

void timeline_init(struct timeline *tl);
void timeline_free(struct timeline *tl);

/*
 * Record img's latest sample (img->last) as taken at now_ns (CLOCK_MONOTONIC).
 * 0, or -ENOMEM (counted in dropped).
 */
int timeline_record(struct timeline *tl, const struct proctable *pt, const struct image *img,
		    uint64_t now_ns);

/* The proctable's on_sample hook: timeline_record at the current time; arg is the timeline. */
void timeline_on_sample(void *arg, const struct proctable *pt, const struct image *img);

/* Record the tree sums of pt as they are at now_ns.  0, or -ENOMEM (counted in dropped). */
int timeline_record_sums(struct timeline *tl, const struct proctable *pt, uint64_t now_ns);

/* The proctable's on_sums hook: timeline_record_sums at the current time. */
void timeline_on_sums(void *arg, const struct proctable *pt);

#endif
