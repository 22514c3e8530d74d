/* report: the text and JSON reports of interface.md. */
#ifndef MAXRSS_REPORT_H
#define MAXRSS_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "proctable.h"
#include "tracer.h"

/* The short text block (and with verbose, the process tree).  0 or -EIO. */
int report_write_text(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command, bool verbose);

/* The JSON object of interface.md, one line per process.  0 or -EIO. */
int report_write_json(FILE *f, const struct proctable *pt, const struct tracer_result *res,
		      char *const *command);

/*
 * Write s (len bytes, any bytes) as a JSON string with quotes: escapes quotes,
 * backslashes and control characters, replaces invalid UTF-8 with U+FFFD.
 */
void report_json_string(FILE *f, const char *s, size_t len);

#endif
