/*
 * limit: the --fail-above limits: which figure each one gates (the largest
 * process's peak RSS, the tree's peak RSS or PSS) and how many bytes, as
 * given and as shown.  Pure.
 */
#ifndef MAXRSS_LIMIT_H
#define MAXRSS_LIMIT_H

#include <stddef.h>
#include <stdint.h>

/* The figure a limit gates: "peak-rss" (the default), "tree-rss", "tree-pss". */
enum limit_figure { LIMIT_PEAK_RSS, LIMIT_TREE_RSS, LIMIT_TREE_PSS, LIMIT_FIGURES };

/* How many --fail-above options. */
#define LIMITS_MAX 8

struct limit {
	enum limit_figure figure;
	uint64_t bytes;
};

/*
 * Parse a --fail-above value: SIZE (the largest process's peak RSS), or
 * FIGURE:SIZE with FIGURE one of peak-rss, tree-rss, tree-pss.  0, or
 * -EINVAL for an unknown figure (*bad_figure then true) or a bad size.
 */
int limit_parse(const char *arg, struct limit *out, int *bad_figure);

/* The figure's name in the option and the JSON: "peak-rss", "tree-rss", "tree-pss". */
const char *limit_name(enum limit_figure f);

/* The figure for people: "peak RSS", "tree peak RSS", "tree peak PSS". */
const char *limit_label(enum limit_figure f);

/*
 * The limit as an option, in IEC units: "--fail-above=1.0 GiB" for the
 * default figure, "--fail-above=tree-pss:2.0 GiB" for the others.  Returns buf.
 */
char *limit_format(const struct limit *l, char *buf, size_t len);

#endif
