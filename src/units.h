/*
 * units: sizes for people and from people, in IEC units (1 KiB = 1024
 * bytes): one table of unit names for every writer.  Pure.
 */
#ifndef MAXRSS_UNITS_H
#define MAXRSS_UNITS_H

#include <stddef.h>
#include <stdint.h>

#define KIB ((uint64_t)1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)
#define TIB (GIB * 1024)

/* B, KiB, MiB, GiB, TiB, PiB, EiB: enough for any uint64_t. */
#define UNITS_COUNT 7

/* The name of unit u ("B", "KiB", ...; u < UNITS_COUNT). */
const char *units_name(unsigned u);

/* How many bytes unit u is: 1024^u. */
double units_bytes(unsigned u);

/*
 * The unit a size is shown in: the largest in which it would not print as
 * "1024.0" or more (1023.95 KiB is "1.0 MiB", not "1024.0 KiB").
 */
unsigned units_pick(double bytes);

/* bytes in unit u: "512 B" (whole bytes), "1.5 KiB" (one decimal).  Returns buf. */
char *units_format_in(double bytes, unsigned u, char *buf, size_t len);

/* bytes in the unit it is shown in: "512 B", "1.5 KiB", "103.4 MiB".  Returns buf. */
char *units_format_size(uint64_t bytes, char *buf, size_t len);

/*
 * A duration for people, in buf: milliseconds under a second ("0.61 ms",
 * "812.3 ms"), else seconds ("1.234 s"): never "0.00 s".  Returns buf.
 */
char *units_format_duration(double seconds, char *buf, size_t len);

/*
 * Parse a size such as "512", "64K", "1.5M", "2GiB" (IEC: K = 1024) into bytes.
 * Returns 0, or -EINVAL for anything else (empty, negative, junk, overflow).
 */
int units_parse_size(const char *s, uint64_t *out);

#endif
