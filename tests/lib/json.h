/* json: a small strict JSON reader for the tests (not part of the tool). */
#ifndef MAXRSS_TEST_JSON_H
#define MAXRSS_TEST_JSON_H

#include <stdbool.h>
#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
	enum json_type type;
	bool boolean;	     /* JSON_BOOL */
	double number;	     /* JSON_NUMBER */
	char *string;	     /* JSON_STRING: decoded UTF-8, NUL-terminated */
	size_t string_len;   /* its length in bytes (it may hold U+0000) */
	struct json **items; /* JSON_ARRAY items / JSON_OBJECT values */
	char **keys;	     /* JSON_OBJECT keys, parallel to items */
	size_t n;	     /* number of items / members */
};

/*
 * Parse exactly one JSON value (RFC 8259, strict: valid UTF-8 only, no
 * trailing garbage but white space).  NULL on error, with a message in err.
 */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);

/* Member of an object, or NULL (also when obj is NULL or not an object). */
const struct json *json_get(const struct json *obj, const char *key);
/* Item i of an array, or NULL. */
const struct json *json_at(const struct json *arr, size_t i);
/* Dotted path, numbers index arrays: "tree.peak_rss_bytes", "processes.0.argv.1". */
const struct json *json_path(const struct json *root, const char *path);

#endif
