/*
 * cmdfit: a command line fitted to a width, for the -v table and the
 * plot's legend.  When the whole line does not fit, it keeps the program's
 * name (argv[0] without its directories) and the arguments that tell this
 * line apart from the other lines of the same program in the tree (the
 * file a cc1 compiles, not the -I options every cc1 has), and shows what
 * it leaves out as "…".  Pure.
 *
 * An argument is "common" when every command line of that program in the
 * tree has it (and the program ran more than once).  The others are
 * ranked: operands (not starting with '-') before options, those not the
 * value of an option before those that are ("-o x.o"), names of files
 * (with '/' or '.') before other words, and the first before the later.
 */
#ifndef MAXRSS_CMDFIT_H
#define MAXRSS_CMDFIT_H

#include <stddef.h>

#include "proctable.h"

/* The arguments each program's command lines share. */
struct cmdfit_group;
struct cmdfit {
	struct cmdfit_group *g;
	size_t n, cap;
	int err; /* -ENOMEM once memory ran out: then no argument is common */
};

/* An empty set of programs. */
void cmdfit_init(struct cmdfit *c);
void cmdfit_free(struct cmdfit *c);

/* One command line of the tree (NUL-separated, as /proc/PID/cmdline). */
void cmdfit_add(struct cmdfit *c, const char *argv, size_t argv_len);

/*
 * Every command line of pt but those of forked copies before their exec
 * (a copy's is its parent's: it would make every argument common).
 */
void cmdfit_add_table(struct cmdfit *c, const struct proctable *pt);

/*
 * argv on one line of at most width characters in buf (size bytes): as it
 * is when it fits, else shortened as above; control characters as '?'.
 * fallback (may be NULL) stands for an empty argv.  c may be NULL: then
 * no argument is common.  Returns buf.
 */
char *cmdfit_line(const struct cmdfit *c, const char *argv, size_t argv_len, const char *fallback,
		  size_t width, char *buf, size_t size);

#endif
