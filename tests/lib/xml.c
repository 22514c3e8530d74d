/* xml: a small strict XML reader for the tests (see xml.h). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"

/* Deep enough for any SVG we write; a bound keeps a broken input off the C stack. */
#define MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t errlen;
	bool failed;
};

/* A growing byte buffer. */
struct buf {
	char *p;
	size_t n, cap;
};

static void fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return;
	p->failed = true;
	n = snprintf(p->err, p->errlen, "at byte %zu: ", p->pos);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *q;

		while (cap < b->n + n + 1)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			abort();
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static char *buf_take(struct buf *b)
{
	char *p = b->p;

	if (!p) {
		p = calloc(1, 1);
		if (!p)
			abort();
	}
	memset(b, 0, sizeof(*b));
	return p;
}

static bool at_end(const struct parser *p)
{
	return p->pos >= p->len;
}

static char peek(const struct parser *p)
{
	return at_end(p) ? '\0' : p->s[p->pos];
}

static bool starts(const struct parser *p, const char *lit)
{
	size_t n = strlen(lit);

	return p->len - p->pos >= n && memcmp(p->s + p->pos, lit, n) == 0;
}

/* Decode one UTF-8 character at pos into *cp; 0 when it is not valid. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3F);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
	    (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* XML 1.0 Char. */
static bool xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

/* The next character, checked; advances. */
static uint32_t next_char(struct parser *p)
{
	uint32_t cp = 0;
	size_t n;

	if (at_end(p)) {
		fail(p, "unexpected end of document");
		return 0;
	}
	n = utf8_decode((const unsigned char *)p->s + p->pos, p->len - p->pos, &cp);
	if (n == 0) {
		fail(p, "invalid UTF-8");
		return 0;
	}
	if (!xml_char(cp)) {
		fail(p, "character U+%04X is not allowed in XML", (unsigned)cp);
		return 0;
	}
	p->pos += n;
	return cp;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_space(struct parser *p)
{
	while (!at_end(p) && is_space(peek(p)))
		p->pos++;
}

/* Names: ASCII letters, digits, '_', ':', '-', '.' (and any non-ASCII) is enough here. */
static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (unsigned char)c >= 0x80;
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static char *parse_name(struct parser *p)
{
	size_t start = p->pos;
	struct buf b = { 0 };

	if (!name_start(peek(p))) {
		fail(p, "a name was expected");
		return NULL;
	}
	while (!at_end(p) && name_char(peek(p)))
		p->pos++;
	buf_add(&b, p->s + start, p->pos - start);
	return buf_take(&b);
}

static void put_utf8(struct buf *b, uint32_t cp)
{
	char out[4];
	size_t n;

	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | cp >> 18);
		out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	buf_add(b, out, n);
}

/* After '&': one of the five entities or a character reference. */
static void parse_reference(struct parser *p, struct buf *b)
{
	static const struct {
		const char *name, *text;
	} entities[] = {
		{ "amp;", "&" },   { "lt;", "<" },   { "gt;", ">" },
		{ "quot;", "\"" }, { "apos;", "'" },
	};
	uint32_t cp = 0;
	bool hex, digits = false;

	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++)
		if (starts(p, entities[i].name)) {
			p->pos += strlen(entities[i].name);
			buf_add(b, entities[i].text, 1);
			return;
		}
	if (peek(p) != '#') {
		fail(p, "unknown entity (a raw '&'?)");
		return;
	}
	p->pos++;
	hex = peek(p) == 'x';
	if (hex)
		p->pos++;
	for (; !at_end(p) && peek(p) != ';'; p->pos++) {
		char c = peek(p);
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (hex && c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (hex && c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			break;
		cp = cp * (hex ? 16 : 10) + d;
		digits = true;
		if (cp > 0x10FFFF)
			break;
	}
	if (!digits || peek(p) != ';' || !xml_char(cp)) {
		fail(p, "bad character reference");
		return;
	}
	p->pos++;
	put_utf8(b, cp);
}

static char *parse_attr_value(struct parser *p)
{
	struct buf b = { 0 };
	char quote = peek(p);

	if (quote != '"' && quote != '\'') {
		fail(p, "attribute value without quotes");
		return NULL;
	}
	p->pos++;
	while (!p->failed) {
		size_t start = p->pos;
		uint32_t c;

		if (at_end(p)) {
			fail(p, "unterminated attribute value");
			break;
		}
		if (peek(p) == quote) {
			p->pos++;
			return buf_take(&b);
		}
		if (peek(p) == '<') {
			fail(p, "'<' in an attribute value");
			break;
		}
		if (peek(p) == '&') {
			p->pos++;
			parse_reference(p, &b);
			continue;
		}
		c = next_char(p);
		(void)c;
		buf_add(&b, p->s + start, p->pos - start);
	}
	free(b.p);
	return NULL;
}

static void skip_comment(struct parser *p)
{
	p->pos += 4; /* "<!--" */
	while (!p->failed) {
		if (starts(p, "--")) {
			if (!starts(p, "-->"))
				fail(p, "'--' inside a comment");
			else
				p->pos += 3;
			return;
		}
		next_char(p);
	}
}

static void add_child(struct xml_node *parent, struct xml_node *child)
{
	struct xml_node **c = realloc(parent->children,
				      (parent->nchildren + 1) * sizeof(*parent->children));

	if (!c)
		abort();
	parent->children = c;
	c[parent->nchildren++] = child;
}

static void add_attr(struct xml_node *n, char *name, char *value)
{
	char **a = realloc(n->attr_names, (n->nattrs + 1) * sizeof(*a));
	char **v;

	if (!a)
		abort();
	n->attr_names = a;
	v = realloc(n->attr_values, (n->nattrs + 1) * sizeof(*v));
	if (!v)
		abort();
	n->attr_values = v;
	a[n->nattrs] = name;
	v[n->nattrs] = value;
	n->nattrs++;
}

/* At '<' of a start tag. */
static struct xml_node *parse_element(struct parser *p, unsigned depth)
{
	struct xml_node *n = calloc(1, sizeof(*n));
	struct buf text = { 0 };

	if (!n)
		abort();
	if (depth > MAX_DEPTH) {
		fail(p, "elements nested too deeply");
		return n;
	}
	p->pos++;
	n->name = parse_name(p);
	if (p->failed)
		return n;
	for (;;) {
		bool space = is_space(peek(p));
		char *name, *value;

		skip_space(p);
		if (starts(p, "/>")) {
			p->pos += 2;
			n->text = buf_take(&text);
			return n;
		}
		if (peek(p) == '>') {
			p->pos++;
			break;
		}
		if (!space) {
			fail(p, "attributes must be separated by white space");
			return n;
		}
		name = parse_name(p);
		if (p->failed)
			return n;
		skip_space(p);
		if (peek(p) != '=') {
			fail(p, "'=' expected after attribute %s", name);
			free(name);
			return n;
		}
		p->pos++;
		skip_space(p);
		value = parse_attr_value(p);
		if (!value) {
			free(name);
			return n;
		}
		if (xml_attr(n, name)) {
			fail(p, "attribute %s given twice", name);
			free(name);
			free(value);
			return n;
		}
		add_attr(n, name, value);
	}
	/* Content: text, references, comments, child elements, until the end tag. */
	while (!p->failed) {
		if (at_end(p)) {
			fail(p, "element <%s> is not closed", n->name);
			break;
		}
		if (starts(p, "</")) {
			char *end;

			p->pos += 2;
			end = parse_name(p);
			if (p->failed)
				break;
			skip_space(p);
			if (strcmp(end, n->name) != 0)
				fail(p, "</%s> closes <%s>", end, n->name);
			else if (peek(p) != '>')
				fail(p, "'>' expected");
			else
				p->pos++;
			free(end);
			break;
		}
		if (starts(p, "<!--")) {
			skip_comment(p);
		} else if (peek(p) == '<') {
			add_child(n, parse_element(p, depth + 1));
		} else if (peek(p) == '&') {
			p->pos++;
			parse_reference(p, &text);
		} else if (starts(p, "]]>")) {
			fail(p, "']]>' in character data");
		} else {
			size_t start = p->pos;

			next_char(p);
			buf_add(&text, p->s + start, p->pos - start);
		}
	}
	n->text = buf_take(&text);
	return n;
}

struct xml_node *xml_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = { .s = text, .len = len, .err = err, .errlen = errlen };
	struct xml_node *root = NULL;

	if (errlen)
		err[0] = '\0';
	if (starts(&p, "\xEF\xBB\xBF"))
		p.pos += 3;
	if (starts(&p, "<?xml")) {
		while (!p.failed && !starts(&p, "?>"))
			next_char(&p);
		p.pos += 2;
	}
	while (!p.failed) {
		skip_space(&p);
		if (at_end(&p))
			break;
		if (starts(&p, "<!--")) {
			skip_comment(&p);
		} else if (peek(&p) == '<' && !root) {
			root = parse_element(&p, 0);
		} else {
			fail(&p, root ? "content after the root element" :
					"a root element was expected");
		}
	}
	if (!p.failed && !root)
		fail(&p, "no root element");
	if (p.failed) {
		xml_free(root);
		return NULL;
	}
	return root;
}

void xml_free(struct xml_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nattrs; i++) {
		free(n->attr_names[i]);
		free(n->attr_values[i]);
	}
	for (size_t i = 0; i < n->nchildren; i++)
		xml_free(n->children[i]);
	free(n->attr_names);
	free(n->attr_values);
	free(n->children);
	free(n->name);
	free(n->text);
	free(n);
}

const char *xml_attr(const struct xml_node *n, const char *name)
{
	for (size_t i = 0; n && i < n->nattrs; i++)
		if (strcmp(n->attr_names[i], name) == 0)
			return n->attr_values[i];
	return NULL;
}

const struct xml_node *xml_find_id(const struct xml_node *n, const char *id)
{
	const char *v = xml_attr(n, "id");

	if (!n)
		return NULL;
	if (v && strcmp(v, id) == 0)
		return n;
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct xml_node *r = xml_find_id(n->children[i], id);

		if (r)
			return r;
	}
	return NULL;
}

const struct xml_node *xml_find(const struct xml_node *n, const char *name)
{
	if (!n)
		return NULL;
	if (n->name && strcmp(n->name, name) == 0)
		return n;
	for (size_t i = 0; i < n->nchildren; i++) {
		const struct xml_node *r = xml_find(n->children[i], name);

		if (r)
			return r;
	}
	return NULL;
}

size_t xml_count(const struct xml_node *n, const char *name)
{
	size_t c = 0;

	if (!n)
		return 0;
	if (n->name && strcmp(n->name, name) == 0)
		c++;
	for (size_t i = 0; i < n->nchildren; i++)
		c += xml_count(n->children[i], name);
	return c;
}
