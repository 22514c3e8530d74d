#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmdfit.h"
#include "escape.h"
#include "util.h"

/* Arguments weighed in a line; past them a line is only "…". */
#define MAX_ARGS 256

#define ELLIPSIS "\u2026"

struct arg {
	const char *s;
	size_t len;
};

struct cmdfit_group {
	char *line; /* the program's first line (owned): name and common point into it */
	struct arg name;
	size_t lines;
	struct arg *common;
	size_t ncommon;
};

/* The arguments of argv (at most max); *more when some were left. */
static size_t split(const char *argv, size_t len, struct arg *v, size_t max, bool *more)
{
	size_t n = 0, at = 0;

	while (at < len && n < max) {
		const char *end = memchr(argv + at, '\0', len - at);
		size_t l = end ? (size_t)(end - (argv + at)) : len - at;

		v[n].s = argv + at;
		v[n++].len = l;
		at += l + 1;
	}
	*more = at < len;
	return n;
}

/* argv[0] without its directories ("/usr/lib/gcc/.../cc1" is "cc1"). */
static struct arg base_name(struct arg a)
{
	size_t from = 0;

	for (size_t i = 0; i + 1 < a.len; i++)
		if (a.s[i] == '/')
			from = i + 1;
	return (struct arg){ a.s + from, a.len - from };
}

static bool same(struct arg a, struct arg b)
{
	return a.len == b.len && memcmp(a.s, b.s, a.len) == 0;
}

void cmdfit_init(struct cmdfit *c)
{
	memset(c, 0, sizeof(*c));
}

void cmdfit_free(struct cmdfit *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->g[i].line);
		free(c->g[i].common);
	}
	free(c->g);
	memset(c, 0, sizeof(*c));
}

static bool holds(const struct arg *v, size_t n, struct arg a)
{
	for (size_t i = 1; i < n; i++)
		if (same(v[i], a))
			return true;
	return false;
}

/* Open the group of a program with its first line: every argument is common so far. */
static int new_group(struct cmdfit *c, const char *argv, size_t argv_len)
{
	struct cmdfit_group *g;
	struct arg v[MAX_ARGS];
	bool more;
	size_t n;

	if (util_grow((void **)&c->g, &c->cap, c->n + 1, sizeof(*c->g)))
		return -ENOMEM;
	g = &c->g[c->n];
	memset(g, 0, sizeof(*g));
	g->line = malloc(argv_len ? argv_len : 1);
	g->common = calloc(MAX_ARGS + 1, sizeof(*g->common));
	if (!g->line || !g->common) {
		free(g->line);
		free(g->common);
		return -ENOMEM;
	}
	memcpy(g->line, argv, argv_len);
	n = split(g->line, argv_len, v, MAX_ARGS, &more);
	g->name = base_name(v[0]);
	g->lines = 1;
	/* Like an argv, the list starts at 1 (holds() searches from there). */
	g->common[0] = g->name;
	for (size_t i = 1; i < n; i++)
		if (!holds(g->common, g->ncommon + 1, v[i]))
			g->common[++g->ncommon] = v[i];
	c->n++;
	return 0;
}

static struct cmdfit_group *find(const struct cmdfit *c, struct arg name)
{
	for (size_t i = 0; c && !c->err && i < c->n; i++)
		if (same(c->g[i].name, name))
			return &c->g[i];
	return NULL;
}

void cmdfit_add(struct cmdfit *c, const char *argv, size_t argv_len)
{
	struct arg v[MAX_ARGS];
	struct cmdfit_group *g;
	size_t n, kept = 1;
	bool more;

	if (c->err || argv_len == 0)
		return;
	n = split(argv, argv_len, v, MAX_ARGS, &more);
	g = find(c, base_name(v[0]));
	if (!g) {
		c->err = new_group(c, argv, argv_len);
		return;
	}
	g->lines++;
	/* What this line lacks is not common. */
	for (size_t k = 1; k <= g->ncommon; k++)
		if (holds(v, n, g->common[k]))
			g->common[kept++] = g->common[k];
	g->ncommon = kept - 1;
}

void cmdfit_add_table(struct cmdfit *c, const struct proctable *pt)
{
	for (size_t i = 0; i < pt->nimages; i++)
		if (!pt->images[i]->fork_parent)
			cmdfit_add(c, pt->images[i]->argv, pt->images[i]->argv_len);
}

/* ---------------------------------------------------------------- the line */

/* Characters of len bytes of s as shown (UTF-8 continuation bytes add none). */
static size_t chars(const char *s, size_t len)
{
	return escape_utf8_chars(s, len);
}

struct out {
	char *buf;
	size_t size, pos;
};

static void put(struct out *o, const char *s, size_t len)
{
	for (size_t i = 0; i < len && o->pos + 1 < o->size; i++)
		o->buf[o->pos++] = (char)((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i]);
	o->buf[o->pos] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Is this argument common to every line of its program? */
static bool common(const struct cmdfit_group *g, struct arg a)
{
	return g && g->lines > 1 && holds(g->common, g->ncommon + 1, a);
}

/* How much argument i tells its line apart (see cmdfit.h). */
static int score(const struct cmdfit_group *g, const struct arg *v, size_t i)
{
	struct arg a = v[i], prev = v[i - 1];
	bool option = a.len && a.s[0] == '-';
	int s = 0;

	if (!common(g, a))
		s += 8;
	if (a.len && !option)
		s += 4;
	/* "-o x.o": the value of an option that takes one says less than an operand. */
	if (i > 1 && !option && prev.len > 1 && prev.s[0] == '-' && !memchr(prev.s, '=', prev.len))
		s -= 2;
	if (memchr(a.s, '/', a.len) || memchr(a.s, '.', a.len))
		s += 1;
	return s;
}

/* The width of the program and the kept arguments, with " …" for each run left out. */
static size_t width_of(size_t prog, const size_t *w, const bool *keep, size_t n, bool more)
{
	size_t total = prog;
	bool gap = false;

	for (size_t i = 1; i < n; i++) {
		if (!keep[i]) {
			gap = true;
			continue;
		}
		total += (gap ? 2 : 0) + 1 + w[i];
		gap = false;
	}
	return total + (gap || more ? 2 : 0);
}

static void render(struct out *o, struct arg prog, const struct arg *v, const bool *keep, size_t n,
		   bool more)
{
	bool gap = false;

	put(o, prog.s, prog.len);
	for (size_t i = 1; i < n; i++) {
		if (!keep[i]) {
			gap = true;
			continue;
		}
		if (gap)
			puts_(o, " " ELLIPSIS);
		puts_(o, " ");
		put(o, v[i].s, v[i].len);
		gap = false;
	}
	if (gap || more)
		puts_(o, " " ELLIPSIS);
}

/* The bytes of the last k characters of s. */
static size_t tail_bytes(const char *s, size_t len, size_t k)
{
	size_t i = len;

	while (i > 0 && k > 0) {
		i--;
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			k--;
	}
	return len - i;
}

/* a cut in its middle to width characters: "head…tail". */
static void middle(struct out *o, struct arg a, size_t width)
{
	size_t head = width > 1 ? (width - 1) / 2 : 0, tail = width > 1 ? width - 1 - head : 0;

	put(o, a.s, escape_utf8_prefix(a.s, a.len, head));
	puts_(o, ELLIPSIS);
	put(o, a.s + a.len - tail_bytes(a.s, a.len, tail), tail_bytes(a.s, a.len, tail));
}

/* A file's path, cut at its start: it has a '/' and no blank. */
static bool is_path(struct arg a)
{
	return a.len && memchr(a.s, '/', a.len) && !memchr(a.s, ' ', a.len);
}

/* a cut to width characters: a path keeps its end from a '/', other text its two ends. */
static void cut(struct out *o, struct arg a, size_t width)
{
	size_t tb;
	const char *slash;

	if (!a.s || !a.len)
		return;
	if (!is_path(a) || width < 2) {
		middle(o, a, width);
		return;
	}
	tb = tail_bytes(a.s, a.len, width - 1);
	slash = memchr(a.s + a.len - tb, '/', tb);
	/* "…/project/data.csv", not "…me/project/data.csv". */
	if (slash && slash + 1 < a.s + a.len)
		tb = (size_t)(a.s + a.len - slash);
	puts_(o, ELLIPSIS);
	put(o, a.s + a.len - tb, tb);
}

/*
 * The program and its most telling argument, best, which does not fit
 * whole: cut to the room left (room: width less the program's), "…" for
 * the rest; or the program alone when too little is left.
 */
static void fit_one(struct out *o, struct arg prog, const struct arg *v, size_t n, bool more,
		    size_t best, size_t room)
{
	size_t before = best > 1 ? 2 : 0, after = best + 1 < n || more ? 2 : 0;

	put(o, prog.s, prog.len);
	if (room < before + 1 + 8 + after) {
		if (room >= 2)
			puts_(o, " " ELLIPSIS);
		return;
	}
	/* A path's cut starts with "…" already: "ar …/libmaxrss.a", not "ar … …/libmaxrss.a". */
	if (before && !is_path(v[best]))
		puts_(o, " " ELLIPSIS);
	puts_(o, " ");
	cut(o, v[best], room - before - 1 - after);
	if (after)
		puts_(o, " " ELLIPSIS);
}

static int by_score(const void *pa, const void *pb, void *arg)
{
	const int *sc = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	if (sc[a] != sc[b])
		return sc[a] > sc[b] ? -1 : 1;
	return (a > b) - (a < b);
}

char *cmdfit_line(const struct cmdfit *c, const char *argv, size_t argv_len, const char *fallback,
		  size_t width, char *buf, size_t size)
{
	struct arg v[MAX_ARGS] = { { NULL, 0 } }, prog;
	size_t w[MAX_ARGS], order[MAX_ARGS], n, full = 0, pw;
	int sc[MAX_ARGS];
	bool keep[MAX_ARGS] = { false }, more;
	const struct cmdfit_group *g;
	struct out o = { buf, size, 0 };

	buf[0] = '\0';
	n = split(argv, argv_len, v, MAX_ARGS, &more);
	if (n == 0 && fallback) {
		v[0] = (struct arg){ fallback, strlen(fallback) };
		n = 1;
	}
	if (n == 0)
		return buf;
	for (size_t i = 0; i < n; i++) {
		w[i] = chars(v[i].s, v[i].len);
		full += w[i] + (i ? 1 : 0);
	}
	if (!more && full <= width) {
		for (size_t i = 0; i < n; i++) {
			put(&o, " ", i ? 1 : 0);
			put(&o, v[i].s, v[i].len);
		}
		return buf;
	}
	prog = base_name(v[0]);
	pw = chars(prog.s, prog.len);
	if (pw > width) {
		middle(&o, prog, width);
		return buf;
	}
	g = find(c, prog);
	/* Lines that are all alike: then the line is what tells it, as if it ran once. */
	for (size_t i = 1; g && i < n && common(g, v[i]); i++)
		if (i + 1 == n)
			g = NULL;
	for (size_t i = 1; i < n; i++) {
		sc[i] = score(g, v, i);
		order[i - 1] = i;
	}
	qsort_r(order, n - 1, sizeof(*order), by_score, sc);
	if (n > 1 && !common(g, v[order[0]])) {
		keep[order[0]] = true;
		if (width_of(pw, w, keep, n, more) > width) {
			fit_one(&o, prog, v, n, more, order[0], width - pw);
			return buf;
		}
	}
	for (size_t k = 1; k + 1 < n; k++) {
		/* What every line of the program has says nothing here: "…" says it. */
		if (common(g, v[order[k]]))
			break;
		keep[order[k]] = true;
		if (width_of(pw, w, keep, n, more) > width)
			keep[order[k]] = false;
	}
	if (width_of(pw, w, keep, n, more) > width) {
		put(&o, prog.s, prog.len);
		return buf;
	}
	render(&o, prog, v, keep, n, more);
	return buf;
}
