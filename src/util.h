/* util: small helpers shared by every module (errors, clocks, sizes). */
#ifndef MAXRSS_UTIL_H
#define MAXRSS_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* Print "maxrss-sc: MESSAGE" on stderr; warn_errno appends ": strerror(errno)". */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Monotonic clock in nanoseconds. */
uint64_t util_now_ns(void);

/* CPU time of the calling thread in nanoseconds. */
uint64_t util_thread_cpu_ns(void);

/*
 * Parse a size such as "512", "64K", "1.5M", "2GiB" (IEC: K = 1024) into bytes.
 * Returns 0, or -EINVAL for anything else (empty, negative, junk, overflow).
 */
int util_parse_size(const char *s, uint64_t *out);

/* Parse a decimal unsigned integer no larger than max.  0 or -EINVAL / -ERANGE. */
int util_parse_ulong(const char *s, unsigned long max, unsigned long *out);

/*
 * Format bytes for people, IEC with one decimal: "512 B", "1.5 KiB", "103.4 MiB".
 * Returns buf.
 */
char *util_format_size(uint64_t bytes, char *buf, size_t len);

/* realloc that doubles *cap until n elements of size fit; 0 or -ENOMEM. */
int util_grow(void **array, size_t *cap, size_t n, size_t size);

#endif
