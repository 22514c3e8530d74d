/* util: small helpers shared by every module (errors, clocks, numbers, arrays). */
#ifndef MAXRSS_UTIL_H
#define MAXRSS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Print "maxrss-sc: MESSAGE" on stderr; warn_errno appends ": strerror(errno)". */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic clock in nanoseconds. */
uint64_t util_now_ns(void);

/* CPU time of the calling thread in nanoseconds. */
uint64_t util_thread_cpu_ns(void);

/* Parse a decimal unsigned integer no larger than max.  0 or -EINVAL / -ERANGE. */
int util_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/* realloc that doubles *cap until n elements of size fit; 0 or -ENOMEM. */
int util_grow(void **array, size_t *cap, size_t n, size_t size);

/*
 * The width of the terminal that fd is, in columns: $COLUMNS when it is a
 * number (the user's word first, as ls(1) takes it), else the terminal's
 * (TIOCGWINSZ), else fallback (a pipe, a file).
 */
size_t util_columns(int fd, size_t fallback);

#endif
