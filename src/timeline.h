/*
 * timeline: every exact sample of one run, in the order they were taken,
 * for --timeline (CSV) and --plot.  Filled through the proctable's
 * on_sample hook; the samples point at the proctable's images, so the
 * proctable must outlive the timeline's use.
 */
#ifndef MAXRSS_TIMELINE_H
#define MAXRSS_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* Forget the samples, keep the memory: the next run starts afresh. */
void timeline_clear(struct timeline *tl);

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

/*
 * Write the CSV: a header "seconds,pid,image,rss_bytes,pss_bytes,command"
 * and one line per sample; the command is the image's argv joined by
 * spaces, quoted as RFC 4180 asks when it holds a comma, a quote or a line
 * break, invalid UTF-8 replaced with U+FFFD.  Lines end in LF.  0 or -EIO.
 */
int timeline_write_csv(FILE *f, const struct timeline *tl);

#endif
