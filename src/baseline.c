#include <errno.h>
#include <json.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "escape.h"
#include "util.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	for (char *p = err; errlen && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

static json_object *member(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static bool number(json_object *o, double *out)
{
	if (!o ||
	    !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
		return false;
	*out = json_object_get_double(o);
	return isfinite(*out);
}

/*
 * "command": ["argv", ...] joined by spaces, as the reports of one command
 * name it; NULL when there is none (or no memory: then the message says
 * "no command", which is rare enough).
 */
static char *argv_label(json_object *cmd)
{
	size_t n = cmd && json_object_is_type(cmd, json_type_array) ?
			   json_object_array_length(cmd) :
			   0;
	char **v, *label;
	size_t len;

	if (!n)
		return NULL;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		json_object *a = json_object_array_get_idx(cmd, i);

		if (!json_object_is_type(a, json_type_string)) {
			free(v);
			return NULL;
		}
		v[i] = (char *)json_object_get_string(a);
	}
	label = escape_command_join(v, &len);
	free(v);
	return label;
}

/* A "summary" figure {"min", "median", "mean", "stddev", "max"} of n runs. */
static bool summary_stats(json_object *s, size_t n, struct stats *st)
{
	double sd;

	memset(st, 0, sizeof(*st));
	if (!number(member(s, "mean"), &st->mean) || !number(member(s, "min"), &st->min) ||
	    !number(member(s, "max"), &st->max))
		return false;
	if (!number(member(s, "median"), &st->median))
		st->median = st->mean;
	st->n = n ? n : 1;
	st->has_stddev = number(member(s, "stddev"), &sd) && st->n > 1;
	st->stddev = st->has_stddev ? sd : 0;
	return true;
}

/* One run's figure: a sample of one. */
static bool one_value(json_object *v, struct stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!number(v, &st->mean))
		return false;
	st->n = 1;
	st->min = st->max = st->median = st->mean;
	return true;
}

/* The figures of one command: of its "summary" (a series) or of its one run. */
static void read_figures(json_object *o, struct baseline_entry *e)
{
	json_object *summary = member(o, "summary"), *runs = member(o, "runs");
	size_t n = runs && json_object_is_type(runs, json_type_array) ?
			   json_object_array_length(runs) :
			   0;

	if (summary) {
		e->has[BASE_PEAK] = summary_stats(member(summary, "peak_rss_bytes"), n,
						  &e->stats[BASE_PEAK]);
		e->has[BASE_PSS] = summary_stats(member(summary, "tree_peak_pss_bytes"), n,
						 &e->stats[BASE_PSS]);
		return;
	}
	e->has[BASE_PEAK] = one_value(member(o, "peak_rss_bytes"), &e->stats[BASE_PEAK]);
	e->has[BASE_PSS] = one_value(member(member(o, "tree"), "peak_pss_bytes"),
				     &e->stats[BASE_PSS]);
}

/* Add the command of o, labelled label (NULL: o names no command). */
static int add_entry(struct baseline *b, json_object *o, char *label)
{
	struct baseline_entry *v;

	if (!label)
		return -ENODATA;
	v = realloc(b->v, (b->n + 1) * sizeof(*v));
	if (!v) {
		free(label);
		return -ENOMEM;
	}
	b->v = v;
	memset(&v[b->n], 0, sizeof(v[b->n]));
	v[b->n].label = label;
	read_figures(o, &v[b->n]);
	b->n++;
	return 0;
}

/* The commands of a report: those of a comparison, or the one of a run or a series. */
static int read_report(struct baseline *b, json_object *root)
{
	json_object *commands = member(root, "commands");
	int rc = 0;

	if (!commands)
		return add_entry(b, root, argv_label(member(root, "command")));
	for (size_t i = 0; !rc && i < json_object_array_length(commands); i++) {
		json_object *c = json_object_array_get_idx(commands, i);
		json_object *line = member(c, "command_line");

		rc = add_entry(b, c,
			       line && json_object_is_type(line, json_type_string) ?
				       strdup(json_object_get_string(line)) :
				       argv_label(member(c, "command")));
	}
	return rc;
}

/*
 * The JSON document of file path, or NULL with a one-line message in err:
 * the file's error, or what json-c found wrong and at which byte.
 */
static json_object *read_json(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0, len = 0, got;
	json_tokener *tok;
	json_object *root = NULL;
	enum json_tokener_error e;

	if (!f) {
		fail(err, errlen, "--baseline: cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (util_grow((void **)&text, &cap, len + 65536 + 1, 1)) {
			fclose(f);
			free(text);
			snprintf(err, errlen, "--baseline: out of memory reading %s", path);
			return NULL;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f)) {
		fail(err, errlen, "--baseline: cannot read %s: %s", path, strerror(errno));
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	tok = len < INT_MAX ? json_tokener_new() : NULL;
	if (!tok) {
		free(text);
		snprintf(err, errlen, "--baseline: %s: too large, or out of memory", path);
		return NULL;
	}
	/* With its NUL, as json_tokener_parse does: a document that is a bare "null" or 12 ends there. */
	text[len] = '\0';
	root = json_tokener_parse_ex(tok, text, (int)len + 1);
	e = json_tokener_get_error(tok);
	if (root && e == json_tokener_success)
		for (size_t at = json_tokener_get_parse_end(tok); at < len; at++)
			if (!strchr(" \t\r\n", text[at])) {
				fail(err, errlen,
				     "--baseline: %s is not JSON: more text after the end, at byte %zu",
				     path, at);
				json_object_put(root);
				root = NULL;
				break;
			}
	if (!root && e != json_tokener_success)
		fail(err, errlen, "--baseline: %s is not JSON: %s at byte %zu", path,
		     json_tokener_error_desc(e), json_tokener_get_parse_end(tok));
	else if (!root && e == json_tokener_success && !err[0])
		fail(err, errlen, "--baseline: %s is not a report of maxrss-sc (it is JSON null)",
		     path);
	json_tokener_free(tok);
	free(text);
	return root;
}

int baseline_load(struct baseline *b, const char *path, char *err, size_t errlen)
{
	json_object *root, *schema, *commands;
	int rc;

	memset(b, 0, sizeof(*b));
	b->path = path;
	err[0] = '\0';
	root = read_json(path, err, errlen);
	if (!root)
		return -EINVAL;
	schema = member(root, "schema");
	commands = member(root, "commands");
	if (!schema || !json_object_is_type(schema, json_type_string) ||
	    strcmp(json_object_get_string(schema), "maxrss-sc/1") != 0)
		rc = fail(err, errlen, "--baseline: %s is not a report of maxrss-sc (schema %s)",
			  path, schema ? json_object_get_string(schema) : "missing");
	else if (commands && !json_object_is_type(commands, json_type_array))
		rc = fail(err, errlen, "--baseline: %s: \"commands\" is not an array", path);
	else
		rc = read_report(b, root);
	if ((!rc && !b->n) || rc == -ENODATA)
		rc = fail(err, errlen, "--baseline: %s holds no command", path);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "--baseline: out of memory reading %s", path);
	json_object_put(root);
	if (rc)
		baseline_free(b);
	return rc;
}

void baseline_free(struct baseline *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].label);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

const struct baseline_entry *baseline_find(const struct baseline *b, const char *label)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->v[i].label, label) == 0)
			return &b->v[i];
	return NULL;
}

struct baseline_change baseline_change(const struct baseline *b, const struct compared *x,
				       bool has_max, double max_increase)
{
	static const enum compare_figure figure_of[BASE_COUNT] = { FIG_PEAK, FIG_PSS };
	struct baseline_change c = { .entry = baseline_find(b, x->subject->label) };

	if (!c.entry)
		return c;
	for (int f = 0; f < BASE_COUNT; f++)
		if (c.entry->has[f] && x->has[figure_of[f]])
			c.rel[f] = compare_relate(&x->stats[figure_of[f]], &c.entry->stats[f]);
	c.exceeded = has_max && c.rel[BASE_PEAK].known && c.rel[BASE_PEAK].beyond_noise &&
		     c.rel[BASE_PEAK].change * 100 > max_increase;
	return c;
}
