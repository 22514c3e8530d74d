/*
 * escape: bytes as text for each format the writers produce (a JSON string,
 * a CSV field, XML text, one terminal line).  Pure.
 *
 * What is escaped may hold any bytes: the arguments of a process and the
 * path of its program are whatever execve(2) was given, not always UTF-8.
 * Invalid UTF-8 becomes U+FFFD in JSON, CSV and XML, which must be UTF-8.
 */
#ifndef MAXRSS_ESCAPE_H
#define MAXRSS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Characters in len bytes of s, each invalid byte counting as one. */
size_t escape_utf8_chars(const char *s, size_t len);

/* The bytes of the first chars characters of s (len bytes; at most len), counted alike. */
size_t escape_utf8_prefix(const char *s, size_t len, size_t chars);

/*
 * The arguments of a NUL-separated buffer (as /proc/PID/cmdline has them:
 * each argument ends in NUL, so "a\0\0" holds "a" and "") joined by
 * spaces, or fallback (may be NULL) when the buffer is empty.  The bytes
 * are kept as they are: the caller escapes them for its format.  malloc'd
 * and NUL-terminated, its length in *len; NULL on ENOMEM.
 */
char *escape_argv_join(const char *argv, size_t argv_len, const char *fallback, size_t *len);

/* The same for a NULL-terminated array of strings (a command line). */
char *escape_command_join(char *const *command, size_t *len);

/*
 * len bytes of s as a JSON string with its quotes (RFC 8259): quotes,
 * backslashes and control characters escaped, invalid UTF-8 as U+FFFD.
 */
void escape_json_string(FILE *f, const char *s, size_t len);

/* A C string as a JSON string, or null when s is NULL. */
void escape_json_cstring(FILE *f, const char *s);

/* The arguments of a NUL-separated buffer as a JSON array of strings. */
void escape_json_argv(FILE *f, const char *argv, size_t argv_len);

/* A NULL-terminated array of strings (a command line) as a JSON array. */
void escape_json_command(FILE *f, char *const *command);

/*
 * len bytes of s as one CSV field: quoted as RFC 4180 asks when it holds a
 * comma, a quote or a line break (a quote inside is doubled), invalid UTF-8
 * as U+FFFD.
 */
void escape_csv_field(FILE *f, const char *s, size_t len);

/*
 * len bytes of s as XML character data or attribute text: markup characters
 * as entities; invalid UTF-8, control characters and the non-characters
 * U+FFFE/U+FFFF (which XML forbids) as U+FFFD; line breaks and tabs as
 * spaces.  At most max_chars characters, the last one then "…" (0: no cut).
 */
void escape_xml_text(FILE *f, const char *s, size_t len, size_t max_chars);

/*
 * The arguments of a NUL-separated buffer on one terminal line in buf (size
 * bytes): separated by spaces, control bytes as '?' so that none can move
 * the cursor or end the line, and cut to max bytes (less than size) with
 * "..." on a UTF-8 boundary.
 */
void escape_line_argv(char *buf, size_t size, const char *argv, size_t argv_len, size_t max);

/* The same for a NULL-terminated array of strings (a command line). */
void escape_line_command(char *buf, size_t size, char *const *command, size_t max);

#endif
