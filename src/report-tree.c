/*
 * The process table of the text report (-v): one row per image, in the
 * tree's start order or the largest first (--sort), the largest N only
 * (--top), each row fitted to the width of the report's stream.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cmdfit.h"
#include "report-parts.h"
#include "report.h"
#include "units.h"

/*
 * A forked copy of its parent's program that execs is shown in the row of
 * the program it exec'd, unless it did something of its own: ran longer
 * than FOLD_MAX_NS, held more than FOLD_OWN_BYTES (or the counter's error,
 * if larger) of its own at a sample (USS), or reached a peak RSS above its
 * parent's by that much (a copy starts with at most what its parent held).
 */
#define FOLD_MAX_NS (100 * 1000000ULL)
#define FOLD_OWN_BYTES (1024 * 1024ULL)

/*
 * The command column: indentation gives way before it gets narrower than
 * ROOM_CMD; it gets narrower than MIN_CMD only past the stream's width.
 */
#define ROOM_CMD 20
#define MIN_CMD 12

bool report_copy_folds(const struct image *copy, const struct image *next, uint64_t counter_err)
{
	uint64_t own = counter_err > FOLD_OWN_BYTES ? counter_err : FOLD_OWN_BYTES;

	if (!copy->fork_parent || copy->end != IMAGE_EXEC || !next || next->pid != copy->pid ||
	    next->index != copy->index + 1)
		return false;
	if (copy->end_ns - copy->start_ns > FOLD_MAX_NS)
		return false;
	if (copy->has_last && copy->last.uss > own)
		return false;
	return !(result_image_has_peak(copy) && copy->peak_rss > copy->fork_parent->peak_rss + own);
}

/* How an image ended, in the "end" column. */
static void describe_end(const struct image *img, char *buf, size_t len)
{
	switch (img->end) {
	case IMAGE_EXIT:
		snprintf(buf, len, "exit %d", img->exit_code);
		break;
	case IMAGE_EXEC:
		snprintf(buf, len, "exec");
		break;
	case IMAGE_SIGNAL:
		snprintf(buf, len, "signal %d", img->signal);
		break;
	case IMAGE_LOST:
		if (img->signal)
			snprintf(buf, len, "lost (signal %d)", img->signal);
		else
			snprintf(buf, len, "lost");
		break;
	case IMAGE_RUNNING:
		snprintf(buf, len, "running");
		break;
	}
}

/*
 * A process is its images (index 0, 1, ... of one pid), drawn under the
 * process that was its parent when it started.
 */
struct node {
	size_t first;	/* index of its image 0 in pt->images */
	ssize_t parent; /* node index, -1 for a root */
	unsigned depth;
};

/* The newest node of pid among the first n, or -1. */
static ssize_t find_node(const struct proctable *pt, const struct node *nodes, size_t n, pid_t pid)
{
	for (size_t k = n; k-- > 0;)
		if (pt->images[nodes[k].first]->pid == pid)
			return (ssize_t)k;
	return -1;
}

/* Group the images into nodes (node_of[i]: the node of image i); returns how many. */
static size_t tree_nodes(const struct proctable *pt, struct node *nodes, size_t *node_of)
{
	size_t nnodes = 0;

	for (size_t i = 0; i < pt->nimages; i++) {
		const struct image *img = pt->images[i];
		ssize_t found = find_node(pt, nodes, nnodes, img->pid), parent;

		/* Later images join their pid's newest process; image 0 opens one. */
		if (img->index > 0 && found >= 0) {
			node_of[i] = (size_t)found;
			continue;
		}
		parent = find_node(pt, nodes, nnodes, img->ppid);
		nodes[nnodes].first = i;
		nodes[nnodes].parent = parent;
		nodes[nnodes].depth = parent >= 0 ? nodes[parent].depth + 1 : 0;
		node_of[i] = nnodes++;
	}
	return nnodes;
}

/* One row: an image, with the forked copy folded into it. */
struct row {
	const struct image *img;
	const struct image *copy; /* the forked copy it began as, or NULL */
	unsigned depth;
	bool shown; /* kept by --top */
};

struct table {
	const struct proctable *pt;
	const struct report_view *v;
	struct row *rows;
	size_t n, folded;
};

/* The images of node cur as rows, a forked copy folded into the image it exec'd. */
static void node_rows(struct table *t, const struct node *node, const size_t *node_of, size_t cur,
		      uint64_t counter_err)
{
	const struct proctable *pt = t->pt;
	const struct image *copy = NULL;

	for (size_t i = node->first; i < pt->nimages; i++) {
		const struct image *img = pt->images[i], *next = NULL;

		if (node_of[i] != cur)
			continue;
		for (size_t k = i + 1; k < pt->nimages && !next; k++)
			if (node_of[k] == cur)
				next = pt->images[k];
		if (report_copy_folds(img, next, counter_err)) {
			copy = img;
			t->folded++;
			continue;
		}
		t->rows[t->n++] = (struct row){ img, copy, node->depth, true };
		copy = NULL;
	}
}

/* The rows in the tree's order: depth-first, children in start order. */
static int tree_rows(struct table *t, uint64_t counter_err)
{
	const struct proctable *pt = t->pt;
	size_t cap = pt->nimages ? pt->nimages : 1, nnodes;
	struct node *nodes = calloc(cap, sizeof(*nodes));
	size_t *node_of = calloc(cap, sizeof(*node_of));
	/* An explicit stack of node indices keeps deep trees off the C stack. */
	size_t *stack = calloc(cap, sizeof(*stack));
	int rc = -1;

	t->rows = calloc(cap, sizeof(*t->rows));
	if (!nodes || !node_of || !stack || !t->rows)
		goto out;
	nnodes = tree_nodes(pt, nodes, node_of);
	for (size_t root = 0; root < nnodes; root++) {
		size_t sp = 0;

		if (nodes[root].parent >= 0)
			continue;
		stack[sp++] = root;
		while (sp) {
			size_t cur = stack[--sp];

			node_rows(t, &nodes[cur], node_of, cur, counter_err);
			/* Push children in reverse so the first-started comes out first. */
			for (size_t k = nnodes; k-- > cur + 1;)
				if (nodes[k].parent == (ssize_t)cur)
					stack[sp++] = k;
		}
	}
	rc = 0;
out:
	free(stack);
	free(nodes);
	free(node_of);
	return rc;
}

/* ---------------------------------------------------------------- order */

static uint64_t row_start(const struct row *r)
{
	return r->copy ? r->copy->start_ns : r->img->start_ns;
}

static uint64_t row_time(const struct row *r)
{
	return r->img->end_ns > row_start(r) ? r->img->end_ns - row_start(r) : 0;
}

/* The row's value for key, and whether it is known. */
static bool row_key(const struct row *r, enum options_sort key, uint64_t *v)
{
	switch (key) {
	case SORT_PSS:
		*v = r->img->peak_pss;
		return r->img->has_last;
	case SORT_TIME:
		*v = row_time(r);
		return r->img->end != IMAGE_RUNNING;
	case SORT_PEAK:
	case SORT_COMMAND:
	case SORT_START:
		break;
	}
	*v = r->img->peak_rss;
	return result_image_has_peak(r->img);
}

/* The key the rows are ranked by: --sort, or the peak RSS for the tree's order. */
static enum options_sort rank_key(const struct report_view *v)
{
	return v->sort == SORT_PSS || v->sort == SORT_TIME ? v->sort : SORT_PEAK;
}

static bool tree_order(const struct report_view *v)
{
	return v->sort == SORT_START || v->sort == SORT_COMMAND;
}

/* The largest first, unknown last, ties in the tree's order. */
static int by_rank(const void *pa, const void *pb, void *arg)
{
	const struct row *a = pa, *b = pb;
	enum options_sort key = *(const enum options_sort *)arg;
	uint64_t x = 0, y = 0;
	bool hx = row_key(a, key, &x), hy = row_key(b, key, &y);

	if (hx != hy)
		return hx ? -1 : 1;
	if (x != y)
		return x > y ? -1 : 1;
	return (row_start(a) > row_start(b)) - (row_start(a) < row_start(b));
}

/* --top: keep the top rows by the rank key; *below gets the largest left out. */
static void keep_top(struct table *t, uint64_t *below)
{
	enum options_sort key = rank_key(t->v);
	struct row *ranked;

	*below = 0;
	if (!t->v->top || t->v->top >= t->n)
		return;
	if (!tree_order(t->v)) {
		for (size_t i = t->v->top; i < t->n; i++)
			t->rows[i].shown = false;
		row_key(&t->rows[t->v->top], key, below);
		return;
	}
	ranked = malloc(t->n * sizeof(*ranked));
	if (!ranked)
		return; /* every row, then */
	memcpy(ranked, t->rows, t->n * sizeof(*ranked));
	qsort_r(ranked, t->n, sizeof(*ranked), by_rank, &key);
	row_key(&ranked[t->v->top], key, below);
	for (size_t i = 0; i < t->n; i++) {
		/* Shown: among the first top of the ranking. */
		t->rows[i].shown = false;
		for (size_t k = 0; k < t->v->top; k++)
			if (ranked[k].img == t->rows[i].img)
				t->rows[i].shown = true;
	}
	free(ranked);
}

/* ---------------------------------------------------------------- rows */

struct widths {
	int pid, rss, pss, end;
	size_t sep, prefix;
};

static void cells(const struct row *r, char *rss, char *pss, char *end, size_t len)
{
	if (result_image_has_peak(r->img))
		units_format_size(r->img->peak_rss, rss, len);
	else
		snprintf(rss, len, "-");
	if (r->img->has_last)
		units_format_size(r->img->peak_pss, pss, len);
	else
		snprintf(pss, len, "-");
	describe_end(r->img, end, len);
}

static struct widths measure(const struct table *t)
{
	struct widths w = { 3, 8, 8, 3, t->v->columns >= 100 ? 2 : 1, 0 };

	for (size_t i = 0; i < t->n; i++) {
		char rss[32], pss[32], end[32], pid[16];

		if (!t->rows[i].shown)
			continue;
		cells(&t->rows[i], rss, pss, end, sizeof(rss));
		snprintf(pid, sizeof(pid), "%d", (int)t->rows[i].img->pid);
		w.pid = (int)strlen(pid) > w.pid ? (int)strlen(pid) : w.pid;
		w.rss = (int)strlen(rss) > w.rss ? (int)strlen(rss) : w.rss;
		w.pss = (int)strlen(pss) > w.pss ? (int)strlen(pss) : w.pss;
		w.end = (int)strlen(end) > w.end ? (int)strlen(end) : w.end;
	}
	w.prefix = 2 + (size_t)(w.pid + w.rss + w.pss + w.end) + 4 * w.sep;
	return w;
}

static void write_row(FILE *f, const struct table *t, const struct row *r, const struct widths *w,
		      const struct cmdfit *fit)
{
	char rss[32], pss[32], end[32], cmd[1024];
	size_t avail = t->v->columns > w->prefix ? t->v->columns - w->prefix : 0;
	size_t indent = tree_order(t->v) ? 2 * (size_t)r->depth : 0, cmdw;
	int sep = (int)w->sep;

	/* Deep trees give up indentation before the command gets narrower than ROOM_CMD. */
	if (indent + ROOM_CMD > avail)
		indent = avail > ROOM_CMD ? avail - ROOM_CMD : 0;
	cmdw = avail > indent + MIN_CMD ? avail - indent : MIN_CMD;
	cells(r, rss, pss, end, sizeof(rss));
	cmdfit_line(fit, r->img->argv, r->img->argv_len, r->img->exe, cmdw, cmd, sizeof(cmd));
	fprintf(f, "  %*d%*s%*s%*s%*s%*s%-*s%*s%*s%s\n", w->pid, (int)r->img->pid, sep, "", w->rss,
		rss, sep, "", w->pss, pss, sep, "", w->end, end, sep, "", (int)indent, "", cmd);
	/* -b: the make-up of every image that held 1 % of the tree peak, the headline's above. */
	if (r->img->breakdown && r->img != result_peak_image(t->pt) &&
	    r->img->peak_rss >= t->pt->tree_peak_rss / 100) {
		char in[160];

		snprintf(in, sizeof(in), "%*s", (int)(w->prefix + (indent < 16 ? indent : 16)), "");
		report_breakdown_line(f, r->img, in);
	}
}

/* What the order is, in the command column's heading. */
static const char *order_said(const struct report_view *v)
{
	switch (v->sort) {
	case SORT_PEAK:
		return "command (largest peak RSS first)";
	case SORT_PSS:
		return "command (largest peak PSS first)";
	case SORT_TIME:
		return "command (longest running first)";
	case SORT_COMMAND:
	case SORT_START:
		break;
	}
	return "command (indented under its parent)";
}

void report_tree_text(FILE *f, const struct result *r, const struct report_view *v,
		      const struct cmdfit *fit)
{
	struct table t = { .pt = &r->pt, .v = v };
	enum options_sort key = rank_key(v);
	struct widths w;
	size_t shown = 0;
	uint64_t below = 0;
	const char *title;

	if (tree_rows(&t, r->res.counter_error.bytes)) {
		free(t.rows);
		fputs("  (out of memory: no process table)\n", f);
		return;
	}
	if (!tree_order(v))
		qsort_r(t.rows, t.n, sizeof(*t.rows), by_rank, &key);
	keep_top(&t, &below);
	w = measure(&t);
	title = order_said(v);
	if (w.prefix + strlen(title) > v->columns)
		title = "command";
	fprintf(f, "  %*s%*s%*s%*s%*s%*s%-*s%*s%s\n", w.pid, "pid", (int)w.sep, "", w.rss,
		"peak RSS", (int)w.sep, "", w.pss, "peak PSS", (int)w.sep, "", w.end, "end",
		(int)w.sep, "", title);
	for (size_t i = 0; i < t.n; i++)
		if (t.rows[i].shown) {
			write_row(f, &t, &t.rows[i], &w, fit);
			shown++;
		}
	if (shown < t.n) {
		char size[32];

		if (key == SORT_TIME)
			report_time((double)below / 1e9, size, sizeof(size));
		else
			units_format_size(below, size, sizeof(size));
		fprintf(f, "  %zu of %zu rows (--top=%zu); the others: at most %s%s each\n", shown,
			t.n, v->top, size,
			key == SORT_TIME ? "" :
			key == SORT_PSS	 ? " peak PSS" :
					   " peak RSS");
	}
	if (t.folded)
		fprintf(f,
			"  %zu forked cop%s before exec shown in the row of what %s exec'd (--json "
			"lists every image)\n",
			t.folded, t.folded == 1 ? "y" : "ies", t.folded == 1 ? "it" : "they");
	free(t.rows);
}
