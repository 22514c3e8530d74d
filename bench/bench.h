/*
 * bench: helpers shared by the benchmark workloads.  A workload that fails
 * must exit non-zero, so that the harness never times a broken run.
 */
#ifndef MAXRSS_BENCH_H
#define MAXRSS_BENCH_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Print the message (and errno's text when set), exit 1. */
static inline void __attribute__((noreturn, format(printf, 1, 2))) bench_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	exit(1);
}

/* arg as a positive count, or def when arg is NULL (not given). */
static inline unsigned long bench_count(const char *arg, unsigned long def)
{
	unsigned long v;
	char *end;

	if (!arg)
		return def;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || !*arg || *end || v == 0 || *arg == '-') {
		errno = 0;
		bench_die("'%s' is not a positive count", arg);
	}
	return v;
}

/* The i-th argument, or NULL when there are fewer. */
#define BENCH_ARG(i) (argc > (i) ? argv[(i)] : NULL)

#endif
