/* csv: the --timeline file, every sample of a run as CSV (doc/maxrss-sc.1, Timeline). */
#ifndef MAXRSS_CSV_H
#define MAXRSS_CSV_H

#include <stdio.h>

#include "result.h"

/*
 * Write the samples of r->tl: a header "seconds,pid,image,rss_bytes,
 * pss_bytes,command" and one line per sample; the command is the image's
 * argv joined by spaces (its exe when it has none), quoted as RFC 4180
 * asks when it holds a comma, a quote or a line break, invalid UTF-8
 * replaced with U+FFFD.  Lines end in LF.  0, -ENOMEM or -EIO.
 */
int csv_write_timeline(FILE *f, const struct result *r);

#endif
