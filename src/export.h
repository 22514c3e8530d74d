/*
 * export: the summary of a comparison (or of one command's --runs) as a
 * Markdown table a person pastes into a README or a pull request
 * (--export-markdown), and as CSV, one row per command (--export-csv).
 * Writers: they only read the comparison.
 */
#ifndef MAXRSS_EXPORT_H
#define MAXRSS_EXPORT_H

#include <stdio.h>

#include "report.h"

/* 0 or -EIO. */
int export_markdown(FILE *f, const struct compare_report *cr);
int export_csv(FILE *f, const struct compare_report *cr);

#endif
