/*
 * subjects: the commands a session measures.  One COMMAND; or with
 * --compare every operand, a whole command line run by /bin/sh -c (or split
 * into words with --no-shell); each with every combination of the values of
 * the parameters (-L, -P) it names substituted for {NAME} (a command line
 * that names none is measured once, not once per value).  Pure: it parses and
 * builds, and says in one line what is wrong with the input.
 */
#ifndef MAXRSS_SUBJECTS_H
#define MAXRSS_SUBJECTS_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

/* Values a -P scan may produce. */
#define SUBJECTS_MAX_VALUES 1000
/* Commands a session may compare (all operands times all parameter values). */
#define SUBJECTS_MAX 10000
/* The value index of a parameter the subject's command line does not name. */
#define SUBJECTS_UNUSED ((size_t)-1)

/* A parameter: its name and values, in the order given. */
struct param {
	char *name;
	char **values;	 /* as substituted; for -P, numbers */
	double *numbers; /* -P only: the values as numbers, for the fit */
	size_t nvalues;
	bool scan; /* -P */
};

/* One command to measure. */
struct subject {
	char *label;	/* the command line, values substituted: reports, baselines */
	char **argv;	/* what runs, NULL-terminated */
	bool words;	/* argv is one block (subjects_split_words) */
	size_t operand; /* which operand it comes from */
	size_t *value;	/* for each parameter, the index of its value, or SUBJECTS_UNUSED */
};

struct subjects {
	struct param *params;
	size_t nparams;
	char **lines; /* each operand's command line as given, {NAME}s left in (labels of groups) */
	size_t nlines;
	struct subject *v;
	size_t n;
	bool compare; /* more than one command, or parameters: a comparison */
};

/*
 * Build the subjects o asks for.  0; or -EINVAL with a one-line message in
 * err (an unknown {NAME}, an empty list, a scan whose step never reaches
 * HIGH, a parameter no command line uses, a quote left open...), -ENOMEM.
 */
int subjects_build(struct subjects *s, const struct options *o, char *err, size_t errlen);

void subjects_free(struct subjects *s);

/* The value of parameter p in sub, or NULL when sub's command line does not name it. */
const char *subjects_value(const struct subjects *s, const struct subject *sub, size_t p);

/*
 * sub's label in at most max characters (max >= 8): whole when it fits;
 * with parameters, the start of its line as given, "\u2026" and the values
 * ("python3 -c \"a = list(ra\u2026 n=1000"); else its start, "\u2026" and its
 * end, where command lines of a comparison differ.  malloc'd, or NULL.
 */
char *subjects_short_label(const struct subjects *s, const struct subject *sub, size_t max);

/*
 * "n=8 impl=b": the parameters sub's command line names, but skip
 * (SIZE_MAX: none), with their values, in buf (len bytes, cut to fit).
 */
void subjects_values_text(const struct subjects *s, const struct subject *sub, size_t skip,
			  char *buf, size_t len);

/*
 * Split a command line into words as a shell would without expanding
 * anything: blanks separate words, '...' is literal, "..." keeps \" \\ \$
 * \` as the character, a backslash outside quotes takes the next one as it
 * is.  0 and a NULL-terminated *argv (one allocation); -EINVAL with a
 * message for a quote left open or an empty line; -ENOMEM.
 */
int subjects_split_words(const char *line, char ***argv, char *err, size_t errlen);

/*
 * Parse one -L or -P spec into p.  0, or -EINVAL with a message, -ENOMEM.
 */
int subjects_parse_param(const struct param_spec *spec, struct param *p, char *err, size_t errlen);

/*
 * Does name (a COMMAND that was not found) look like a whole shell command
 * line given as one word ("sort big.txt | uniq -c"): does it hold
 * whitespace or a character the shell would have acted on?
 */
bool subjects_looks_like_shell_line(const char *name);

#endif
