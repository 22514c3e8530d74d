#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "subjects.h"
#include "util.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	/* It quotes what the user typed: control bytes would break the one line. */
	for (char *p = err; errlen && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

/* ---------------------------------------------------------------- words */

int subjects_split_words(const char *line, char ***argv, char *err, size_t errlen)
{
	size_t len = strlen(line), nwords = 0;
	/* Words hold at most the line's bytes, plus a NUL each. */
	char *buf = malloc(2 * len + 2), *out = buf, *word = NULL;
	char **v;
	char quote = 0;

	if (!buf)
		return -ENOMEM;
	for (const char *p = line;; p++) {
		char c = *p;

		if (!c && quote) {
			free(buf);
			return fail(err, errlen, "--no-shell: a %s quote is left open in '%s'",
				    quote == '\'' ? "single" : "double", line);
		}
		if (!c || (!quote && (c == ' ' || c == '\t' || c == '\n'))) {
			if (word) {
				*out++ = '\0';
				nwords++;
				word = NULL;
			}
			if (!c)
				break;
			continue;
		}
		if (!word)
			word = out;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				*out++ = c;
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
			else if (c == '\\' && p[1] && strchr("\"\\$`", p[1]))
				*out++ = *++p;
			else
				*out++ = c;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '\\' && p[1]) {
			*out++ = *++p;
		} else {
			*out++ = c;
		}
	}
	if (!nwords) {
		free(buf);
		return fail(err, errlen, "--no-shell: '%s' has no word to run", line);
	}
	/* The pointers, then the words they point into, in one block. */
	v = malloc((nwords + 1) * sizeof(*v) + (size_t)(out - buf));
	if (!v) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(v + nwords + 1, buf, (size_t)(out - buf));
	word = (char *)(v + nwords + 1);
	for (size_t i = 0; i < nwords; i++) {
		v[i] = word;
		word += strlen(word) + 1;
	}
	v[nwords] = NULL;
	free(buf);
	*argv = v;
	return 0;
}

/* ---------------------------------------------------------------- parameters */

static bool is_name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       (!first && c >= '0' && c <= '9');
}

/* The length of the NAME at s (0 when s starts no NAME). */
static size_t name_len(const char *s)
{
	size_t n = 0;

	while (is_name_char(s[n], n == 0))
		n++;
	return n;
}

static int add_value(struct param *p, const char *s, size_t len)
{
	char **v = realloc(p->values, (p->nvalues + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	p->values = v;
	v[p->nvalues] = strndup(s, len);
	if (!v[p->nvalues])
		return -ENOMEM;
	p->nvalues++;
	return 0;
}

/* -L NAME=V1,V2,...: the values as given, commas between them. */
static int parse_list(struct param *p, const char *values, char *err, size_t errlen)
{
	const char *v = values;

	if (!*values)
		return fail(err, errlen, "-L %s: the list of values is empty", p->name);
	for (;;) {
		const char *comma = strchr(v, ',');
		size_t len = comma ? (size_t)(comma - v) : strlen(v);
		int rc = add_value(p, v, len);

		if (rc)
			return rc;
		if (!comma)
			return 0;
		v = comma + 1;
	}
}

/* A number of a scan: decimal, with an optional fraction. */
static int parse_number(const char *s, const char *end, double *out)
{
	char buf[64], *e;
	size_t len = (size_t)(end - s);

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*out = strtod(buf, &e);
	return *e || errno || e == buf || !isfinite(*out) || strpbrk(buf, "xXpPnN") ? -1 : 0;
}

/* How a value of a scan is written: as an integer when it is one. */
static void format_number(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.10g", v);
}

/* -P NAME=LOW:HIGH[:STEP]: LOW, LOW+STEP, ... HIGH, which a whole number of steps must reach. */
static int parse_scan(struct param *p, const char *range, char *err, size_t errlen)
{
	const char *c1 = strchr(range, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	const char *end = range + strlen(range);
	double low, high, step = 1, steps;
	char buf[64];

	if (!c1 || parse_number(range, c1, &low) || parse_number(c1 + 1, c2 ? c2 : end, &high) ||
	    (c2 && parse_number(c2 + 1, end, &step)))
		return fail(err, errlen, "-P %s: '%s' is not LOW:HIGH[:STEP] (e.g. 8:128:8)",
			    p->name, range);
	if (step <= 0 || high < low)
		return fail(err, errlen, "-P %s: '%s' needs LOW <= HIGH and a STEP above 0",
			    p->name, range);
	steps = (high - low) / step;
	if (fabs(steps - round(steps)) > 1e-9 * (steps > 1 ? steps : 1))
		return fail(err, errlen, "-P %s: steps of %g from %g never reach %g", p->name, step,
			    low, high);
	if (steps + 1 > SUBJECTS_MAX_VALUES)
		return fail(err, errlen, "-P %s: '%s' gives more than %d values", p->name, range,
			    SUBJECTS_MAX_VALUES);
	p->numbers = malloc(((size_t)round(steps) + 1) * sizeof(*p->numbers));
	if (!p->numbers)
		return -ENOMEM;
	for (size_t i = 0; i <= (size_t)round(steps); i++) {
		double v = i == (size_t)round(steps) ? high : low + (double)i * step;
		int rc;

		p->numbers[i] = v;
		format_number(v, buf, sizeof(buf));
		rc = add_value(p, buf, strlen(buf));
		if (rc)
			return rc;
	}
	return 0;
}

int subjects_parse_param(const struct param_spec *spec, struct param *p, char *err, size_t errlen)
{
	const char *opt = spec->scan ? "-P" : "-L", *eq = strchr(spec->spec, '=');
	size_t n = name_len(spec->spec);

	memset(p, 0, sizeof(*p));
	p->scan = spec->scan;
	if (!n || spec->spec + n != eq)
		return fail(err, errlen, "%s: '%s' is not NAME=%s (NAME: letters, digits, _)", opt,
			    spec->spec, spec->scan ? "LOW:HIGH[:STEP]" : "V1,V2,...");
	p->name = strndup(spec->spec, n);
	if (!p->name)
		return -ENOMEM;
	return spec->scan ? parse_scan(p, eq + 1, err, errlen) : parse_list(p, eq + 1, err, errlen);
}

static void free_param(struct param *p)
{
	for (size_t i = 0; i < p->nvalues; i++)
		free(p->values[i]);
	free(p->values);
	free(p->numbers);
	free(p->name);
}

/* ---------------------------------------------------------------- substitution */

/* The parameter called name (len bytes), or -1. */
static int find_param(const struct subjects *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nparams; i++)
		if (s->params[i].name && strlen(s->params[i].name) == len &&
		    memcmp(s->params[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * Check the {NAME}s of text: each must be a parameter (a shell's ${NAME} is
 * the shell's, not ours, and "{{" is a brace of the command's own: awk's
 * '{{print}}'); mark which parameters are used.
 */
static int check_names(const struct subjects *s, const char *text, bool *used, char *err,
		       size_t errlen)
{
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		size_t n = name_len(p + 1);
		int i;

		if (p[1] == '{') { /* "{{": a brace of the command's own */
			p++;
			continue;
		}
		if (!n || p[1 + n] != '}' || (p > text && p[-1] == '$'))
			continue;
		i = find_param(s, p + 1, n);
		if (i < 0)
			return fail(err, errlen,
				    "{%.*s} in '%s' is no parameter (give -L or -P %.*s=...)",
				    (int)n, p + 1, text, (int)n, p + 1);
		used[i] = true;
	}
	return 0;
}

/* text with every {NAME} replaced by the value the subject has; NULL on ENOMEM. */
static char *substitute(const struct subjects *s, const char *text, const size_t *value)
{
	size_t len = 0, cap = strlen(text) + 1;
	char *out = malloc(cap);

	for (const char *p = text; out && *p;) {
		size_t n = *p == '{' ? name_len(p + 1) : 0;
		int i = n && p[1 + n] == '}' && !(p > text && p[-1] == '$') ?
				find_param(s, p + 1, n) :
				-1;
		const char *add = i >= 0 ? s->params[i].values[value[i]] : p;
		size_t add_len = i >= 0 ? strlen(add) : 1;

		/* "{{" and "}}" are a brace of the command's own, with parameters. */
		if (i < 0 && s->nparams && (p[0] == '{' || p[0] == '}') && p[1] == p[0])
			p++;

		if (util_grow((void **)&out, &cap, len + add_len + 1, 1)) {
			free(out);
			return NULL;
		}
		memcpy(out + len, add, add_len);
		len += add_len;
		p += i >= 0 ? n + 2 : 1;
	}
	if (out)
		out[len] = '\0';
	return out;
}

/* ---------------------------------------------------------------- building */

/* The argv of one subject: sh -c LINE, its words, or COMMAND's words substituted. */
static int make_argv(struct subject *sub, const struct subjects *s, const struct options *o,
		     char *err, size_t errlen)
{
	if (o->compare && o->no_shell) {
		sub->words = true;
		return subjects_split_words(sub->label, &sub->argv, err, errlen);
	}
	if (o->compare) {
		sub->argv = calloc(4, sizeof(*sub->argv));
		if (!sub->argv || !(sub->argv[0] = strdup("/bin/sh")) ||
		    !(sub->argv[1] = strdup("-c")) || !(sub->argv[2] = strdup(sub->label)))
			return -ENOMEM;
		return 0;
	}
	sub->argv = calloc((size_t)o->command_argc + 1, sizeof(*sub->argv));
	if (!sub->argv)
		return -ENOMEM;
	for (int i = 0; i < o->command_argc; i++)
		if (!(sub->argv[i] = substitute(s, o->command[i], sub->value)))
			return -ENOMEM;
	return 0;
}

static void free_argv(char **argv, bool one_block)
{
	if (!argv || one_block) {
		free(argv);
		return;
	}
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/*
 * Subject k: operand j with combination c of the values of the parameters
 * it names (uses), the last parameter varying fastest.
 */
static int make_subject(struct subjects *s, size_t k, size_t j, size_t c, const bool *uses,
			const struct options *o, char *err, size_t errlen)
{
	struct subject *sub = &s->v[k];
	size_t len;
	char *label;
	int rc;

	sub->operand = j;
	sub->value = calloc(s->nparams ? s->nparams : 1, sizeof(*sub->value));
	if (!sub->value)
		return -ENOMEM;
	for (size_t i = s->nparams; i-- > 0;) {
		if (!uses[i]) {
			sub->value[i] = SUBJECTS_UNUSED;
			continue;
		}
		sub->value[i] = c % s->params[i].nvalues;
		c /= s->params[i].nvalues;
	}
	if (o->compare) {
		sub->label = substitute(s, o->command[sub->operand], sub->value);
		if (!sub->label)
			return -ENOMEM;
		return make_argv(sub, s, o, err, errlen);
	}
	rc = make_argv(sub, s, o, err, errlen);
	if (rc)
		return rc;
	label = escape_command_join(sub->argv, &len);
	if (!label)
		return -ENOMEM;
	sub->label = label;
	return 0;
}

/*
 * Parse the parameters and check that the command lines use them, and only
 * them; uses[j] says which ones operand j names (all the words of COMMAND
 * are operand 0 without --compare).
 */
static int build_params(struct subjects *s, const struct options *o,
			bool (*uses)[OPTIONS_MAX_PARAMS], char *err, size_t errlen)
{
	int rc;

	s->params = calloc(o->nparams ? o->nparams : 1, sizeof(*s->params));
	if (!s->params)
		return -ENOMEM;
	for (size_t i = 0; i < o->nparams; i++) {
		rc = subjects_parse_param(&o->params[i], &s->params[s->nparams], err, errlen);
		s->nparams++;
		if (rc)
			return rc;
		if (find_param(s, s->params[i].name, strlen(s->params[i].name)) != (int)i)
			return fail(err, errlen, "parameter %s is given twice", s->params[i].name);
	}
	if (!s->nparams)
		return 0;
	for (int i = 0; i < o->command_argc; i++) {
		rc = check_names(s, o->command[i], uses[o->compare ? i : 0], err, errlen);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < s->nparams; i++) {
		bool named = false;

		for (int j = 0; j < (o->compare ? o->command_argc : 1); j++)
			named = named || uses[j][i];
		if (!named)
			return fail(err, errlen, "parameter %s: no {%s} in any command line",
				    s->params[i].name, s->params[i].name);
	}
	return 0;
}

/* How many subjects each operand gives (combos[j]); 0 or -EINVAL past SUBJECTS_MAX. */
static int count_subjects(const struct subjects *s, size_t operands,
			  bool (*uses)[OPTIONS_MAX_PARAMS], size_t *combos, char *err,
			  size_t errlen)
{
	size_t total = 0;

	for (size_t j = 0; j < operands; j++) {
		combos[j] = 1;
		for (size_t i = 0; i < s->nparams; i++)
			if (uses[j][i] && (combos[j] *= s->params[i].nvalues) > SUBJECTS_MAX)
				break;
		total += combos[j];
		if (total > SUBJECTS_MAX)
			return fail(err, errlen, "more than %d commands to compare", SUBJECTS_MAX);
	}
	return 0;
}

/* Keep each operand's command line as given: with --compare each operand, else the words joined. */
static int keep_lines(struct subjects *s, const struct options *o, size_t operands)
{
	size_t len;

	s->lines = calloc(operands, sizeof(*s->lines));
	if (!s->lines)
		return -ENOMEM;
	for (size_t j = 0; j < operands; j++) {
		s->lines[j] = o->compare ? strdup(o->command[j]) :
					   escape_command_join(o->command, &len);
		if (!s->lines[j])
			return -ENOMEM;
		s->nlines++;
	}
	return 0;
}

int subjects_build(struct subjects *s, const struct options *o, char *err, size_t errlen)
{
	size_t operands = o->compare ? (size_t)o->command_argc : 1, total = 0, k = 0;
	bool(*uses)[OPTIONS_MAX_PARAMS] = calloc(operands, sizeof(*uses));
	size_t *combos = calloc(operands, sizeof(*combos));
	int rc = uses && combos ? 0 : -ENOMEM;

	memset(s, 0, sizeof(*s));
	err[0] = '\0';
	if (!rc)
		rc = build_params(s, o, uses, err, errlen);
	if (!rc)
		rc = count_subjects(s, operands, uses, combos, err, errlen);
	for (size_t j = 0; !rc && j < operands; j++)
		total += combos[j];
	if (!rc && !(s->v = calloc(total + 1, sizeof(*s->v))))
		rc = -ENOMEM;
	if (!rc)
		rc = keep_lines(s, o, operands);
	for (size_t j = 0; !rc && j < operands; j++)
		for (size_t c = 0; !rc && c < combos[j]; c++) {
			s->n++;
			rc = make_subject(s, k++, j, c, uses[j], o, err, errlen);
		}
	free(uses);
	free(combos);
	if (rc) {
		if (rc == -ENOMEM && !err[0])
			snprintf(err, errlen, "out of memory");
		subjects_free(s);
		return rc;
	}
	s->compare = o->compare || s->nparams;
	return 0;
}

const char *subjects_value(const struct subjects *s, const struct subject *sub, size_t p)
{
	return sub->value[p] == SUBJECTS_UNUSED ? NULL : s->params[p].values[sub->value[p]];
}

void subjects_free(struct subjects *s)
{
	for (size_t i = 0; s->v && i < s->n; i++) {
		free(s->v[i].label);
		free_argv(s->v[i].argv, s->v[i].words);
		free(s->v[i].value);
	}
	free(s->v);
	for (size_t i = 0; s->params && i < s->nparams; i++)
		free_param(&s->params[i]);
	free(s->params);
	for (size_t j = 0; s->lines && j < s->nlines; j++)
		free(s->lines[j]);
	free(s->lines);
	memset(s, 0, sizeof(*s));
}

void subjects_values_text(const struct subjects *s, const struct subject *sub, size_t skip,
			  char *buf, size_t len)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t p = 0; p < s->nparams && pos + 1 < len; p++) {
		const char *v = subjects_value(s, sub, p);
		int n;

		if (p == skip || !v)
			continue;
		n = snprintf(buf + pos, len - pos, "%s%s=%s", pos ? " " : "", s->params[p].name, v);
		if (n < 0)
			break;
		pos += (size_t)n;
	}
}

char *subjects_short_label(const struct subjects *s, const struct subject *sub, size_t max)
{
	const char *label = sub->label, *line = s->lines ? s->lines[sub->operand] : label;
	size_t len = strlen(label), n = escape_utf8_chars(label, len), vn, head, tail;
	char values[128], *out = NULL;

	if (n <= max)
		return strdup(label);
	subjects_values_text(s, sub, SIZE_MAX, values, sizeof(values));
	vn = escape_utf8_chars(values, strlen(values));
	if (values[0] && vn + 10 <= max) {
		/* "start of the line… values" */
		head = escape_utf8_prefix(line, strlen(line), max - vn - 2);
		if (asprintf(&out, "%.*s\u2026 %s", (int)head, line, values) < 0)
			return NULL;
		return out;
	}
	head = escape_utf8_prefix(label, len, (max - 1) / 3);
	tail = escape_utf8_prefix(label, len, n - (max - 1 - (max - 1) / 3));
	if (asprintf(&out, "%.*s\u2026%s", (int)head, label, label + tail) < 0)
		return NULL;
	return out;
}

bool subjects_looks_like_shell_line(const char *name)
{
	/* Blanks, and what sh(1) treats as an operator, a quote, an expansion or a glob. */
	return name[strcspn(name, " \t\n|&;<>()$`\\\"'*?[~")] != '\0';
}
