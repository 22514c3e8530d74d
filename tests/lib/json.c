/*
 * json: a small strict JSON reader for the tests (RFC 8259).
 *
 * Strict on purpose: the tests use it to prove that the tool's report is
 * valid JSON, so everything a lenient reader would forgive (leading zeros,
 * raw control characters, lone surrogates, invalid UTF-8, trailing commas,
 * trailing garbage) is an error here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Deep enough for any report; shallow enough that recursion cannot blow the stack. */
#define JSON_MAX_DEPTH 256

struct parser {
	const unsigned char *s;
	size_t len;
	size_t pos;
	char *err;
	size_t errlen;
	int failed;
};

/* Growable byte buffer for decoded strings. */
struct buf {
	char *data;
	size_t len, cap;
};

static struct json *parse_value(struct parser *p, unsigned depth);

__attribute__((format(printf, 2, 3))) static void fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* Keep the first error: it is the one nearest to the cause. */
	if (p->failed)
		return;
	p->failed = 1;
	if (!p->err || !p->errlen)
		return;
	n = snprintf(p->err, p->errlen, "offset %zu: ", p->pos);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static int peek(const struct parser *p)
{
	return p->pos < p->len ? p->s[p->pos] : -1;
}

/* RFC 8259 white space is exactly these four bytes (no \f, no \v). */
static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->s[p->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

static int expect_word(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		fail(p, "invalid literal (expected '%s')", word);
		return -1;
	}
	p->pos += n;
	return 0;
}

static struct json *new_value(struct parser *p, enum json_type type)
{
	struct json *j = calloc(1, sizeof(*j));

	if (!j) {
		fail(p, "out of memory");
		return NULL;
	}
	j->type = type;
	return j;
}

static int buf_put(struct parser *p, struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		char *d;

		while (cap < b->len + n + 1)
			cap *= 2;
		d = realloc(b->data, cap);
		if (!d) {
			fail(p, "out of memory");
			return -1;
		}
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int buf_put_cp(struct parser *p, struct buf *b, uint32_t cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return buf_put(p, b, u, n);
}

/*
 * Length of the valid UTF-8 sequence at s (avail bytes), or 0.  Rejects
 * overlong forms, surrogates (U+D800..DFFF) and code points above U+10FFFF,
 * as RFC 3629 requires.
 */
static size_t utf8_valid(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp, min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static int hex4(struct parser *p, uint32_t *out)
{
	uint32_t v = 0;
	int i;

	if (p->len - p->pos < 4) {
		fail(p, "truncated \\u escape");
		return -1;
	}
	for (i = 0; i < 4; i++) {
		unsigned char c = p->s[p->pos + (size_t)i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			fail(p, "bad hex digit in \\u escape");
			return -1;
		}
	}
	p->pos += 4;
	*out = v;
	return 0;
}

/* After the "\u" of an escape: one code point, pairing surrogates. */
static int unicode_escape(struct parser *p, struct buf *b)
{
	uint32_t hi, lo;

	if (hex4(p, &hi))
		return -1;
	if (hi >= 0xdc00 && hi <= 0xdfff) {
		fail(p, "lone low surrogate \\u%04X", (unsigned)hi);
		return -1;
	}
	if (hi < 0xd800 || hi > 0xdbff)
		return buf_put_cp(p, b, hi);
	/* A high surrogate is only meaningful followed by a low one. */
	if (p->len - p->pos < 2 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
		fail(p, "high surrogate \\u%04X without a low one", (unsigned)hi);
		return -1;
	}
	p->pos += 2;
	if (hex4(p, &lo))
		return -1;
	if (lo < 0xdc00 || lo > 0xdfff) {
		fail(p, "high surrogate followed by \\u%04X", (unsigned)lo);
		return -1;
	}
	return buf_put_cp(p, b, 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00));
}

static int simple_escape(struct parser *p, struct buf *b, unsigned char c)
{
	static const char from[] = "\"\\/bfnrt";
	static const char to[] = "\"\\/\b\f\n\r\t";
	const char *at = c ? strchr(from, c) : NULL;

	if (!at) {
		fail(p, "invalid escape \\%c", c >= 0x20 && c < 0x7f ? c : '?');
		return -1;
	}
	return buf_put(p, b, &to[at - from], 1);
}

/* A string at p->pos (on its opening quote); the decoded bytes go to b. */
static int parse_string_raw(struct parser *p, struct buf *b)
{
	p->pos++;
	for (;;) {
		unsigned char c;
		size_t n;

		if (p->pos >= p->len) {
			fail(p, "unterminated string");
			return -1;
		}
		c = p->s[p->pos];
		if (c == '"') {
			p->pos++;
			/* An empty string still needs a NUL-terminated buffer. */
			return buf_put(p, b, "", 0);
		}
		if (c < 0x20) {
			fail(p, "raw control character 0x%02x in string", c);
			return -1;
		}
		if (c == '\\') {
			if (p->pos + 1 >= p->len) {
				fail(p, "unterminated escape");
				return -1;
			}
			c = p->s[p->pos + 1];
			p->pos += 2;
			if (c == 'u') {
				if (unicode_escape(p, b))
					return -1;
			} else if (simple_escape(p, b, c)) {
				return -1;
			}
			continue;
		}
		n = utf8_valid(p->s + p->pos, p->len - p->pos);
		if (!n) {
			fail(p, "invalid UTF-8 in string");
			return -1;
		}
		if (buf_put(p, b, p->s + p->pos, n))
			return -1;
		p->pos += n;
	}
}

static struct json *parse_string(struct parser *p)
{
	struct buf b = { 0 };
	struct json *j;

	if (parse_string_raw(p, &b)) {
		free(b.data);
		return NULL;
	}
	j = new_value(p, JSON_STRING);
	if (!j) {
		free(b.data);
		return NULL;
	}
	j->string = b.data;
	j->string_len = b.len;
	return j;
}

static size_t skip_digits(struct parser *p)
{
	size_t start = p->pos;

	while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
		p->pos++;
	return p->pos - start;
}

/* number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT ) */
static struct json *parse_number(struct parser *p)
{
	size_t start = p->pos;
	char tmp[512];
	struct json *j;
	char *end;

	if (peek(p) == '-')
		p->pos++;
	if (peek(p) == '0') {
		p->pos++;
		if (peek(p) >= '0' && peek(p) <= '9') {
			fail(p, "leading zero in number");
			return NULL;
		}
	} else if (!skip_digits(p)) {
		fail(p, "digit expected");
		return NULL;
	}
	if (peek(p) == '.') {
		p->pos++;
		if (!skip_digits(p)) {
			fail(p, "digit expected after '.'");
			return NULL;
		}
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!skip_digits(p)) {
			fail(p, "digit expected in exponent");
			return NULL;
		}
	}
	/* The grammar is checked; strtod only converts (text is not NUL-terminated). */
	if (p->pos - start >= sizeof(tmp)) {
		fail(p, "number too long");
		return NULL;
	}
	memcpy(tmp, p->s + start, p->pos - start);
	tmp[p->pos - start] = '\0';
	j = new_value(p, JSON_NUMBER);
	if (!j)
		return NULL;
	j->number = strtod(tmp, &end);
	return j;
}

/* Append one item (and its key, for objects) to a container. */
static int container_add(struct parser *p, struct json *c, char *key, struct json *item)
{
	struct json **items = realloc(c->items, (c->n + 1) * sizeof(*items));

	if (!items) {
		fail(p, "out of memory");
		return -1;
	}
	c->items = items;
	if (c->type == JSON_OBJECT) {
		char **keys = realloc(c->keys, (c->n + 1) * sizeof(*keys));

		if (!keys) {
			fail(p, "out of memory");
			return -1;
		}
		c->keys = keys;
		c->keys[c->n] = key;
	}
	c->items[c->n++] = item;
	return 0;
}

static struct json *parse_array(struct parser *p, unsigned depth)
{
	struct json *a = new_value(p, JSON_ARRAY);

	if (!a)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (peek(p) == ']') {
		p->pos++;
		return a;
	}
	for (;;) {
		struct json *item = parse_value(p, depth + 1);

		if (!item || container_add(p, a, NULL, item)) {
			json_free(item);
			goto err;
		}
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == ']') {
			p->pos++;
			return a;
		}
		fail(p, "',' or ']' expected");
		goto err;
	}
err:
	json_free(a);
	return NULL;
}

static int parse_member(struct parser *p, struct json *o, unsigned depth)
{
	struct buf key = { 0 };
	struct json *item;

	skip_ws(p);
	if (peek(p) != '"') {
		fail(p, "member name (a string) expected");
		return -1;
	}
	if (parse_string_raw(p, &key))
		goto err;
	skip_ws(p);
	if (peek(p) != ':') {
		fail(p, "':' expected");
		goto err;
	}
	p->pos++;
	item = parse_value(p, depth + 1);
	if (!item)
		goto err;
	if (container_add(p, o, key.data, item)) {
		json_free(item);
		goto err;
	}
	return 0;
err:
	free(key.data);
	return -1;
}

static struct json *parse_object(struct parser *p, unsigned depth)
{
	struct json *o = new_value(p, JSON_OBJECT);

	if (!o)
		return NULL;
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return o;
	}
	for (;;) {
		if (parse_member(p, o, depth))
			goto err;
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == '}') {
			p->pos++;
			return o;
		}
		fail(p, "',' or '}' expected");
		goto err;
	}
err:
	json_free(o);
	return NULL;
}

static struct json *parse_literal(struct parser *p)
{
	struct json *j;

	switch (peek(p)) {
	case 't':
		if (expect_word(p, "true"))
			return NULL;
		j = new_value(p, JSON_BOOL);
		if (j)
			j->boolean = true;
		return j;
	case 'f':
		if (expect_word(p, "false"))
			return NULL;
		return new_value(p, JSON_BOOL);
	default:
		if (expect_word(p, "null"))
			return NULL;
		return new_value(p, JSON_NULL);
	}
}

static struct json *parse_value(struct parser *p, unsigned depth)
{
	int c;

	if (depth > JSON_MAX_DEPTH) {
		fail(p, "nesting deeper than %d", JSON_MAX_DEPTH);
		return NULL;
	}
	skip_ws(p);
	c = peek(p);
	switch (c) {
	case '{':
		return parse_object(p, depth);
	case '[':
		return parse_array(p, depth);
	case '"':
		return parse_string(p);
	case 't':
	case 'f':
	case 'n':
		return parse_literal(p);
	case -1:
		fail(p, "unexpected end of input");
		return NULL;
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p);
		fail(p, "unexpected character 0x%02x", (unsigned)c);
		return NULL;
	}
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = {
		.s = (const unsigned char *)text,
		.len = text ? len : 0,
		.err = err,
		.errlen = errlen,
	};
	struct json *j;

	if (err && errlen)
		err[0] = '\0';
	j = parse_value(&p, 0);
	if (!j)
		return NULL;
	skip_ws(&p);
	if (p.pos != p.len) {
		fail(&p, "trailing garbage after the value");
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->string);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT || !key)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const struct json *json_at(const struct json *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->n)
		return NULL;
	return arr->items[i];
}

/* One path component: an array index when the node is an array. */
static const struct json *path_step(const struct json *node, const char *comp)
{
	unsigned long long idx;
	char *end;

	if (node->type == JSON_OBJECT)
		return json_get(node, comp);
	if (node->type != JSON_ARRAY || comp[0] < '0' || comp[0] > '9')
		return NULL;
	errno = 0;
	idx = strtoull(comp, &end, 10);
	if (*end || errno)
		return NULL;
	return json_at(node, (size_t)idx);
}

const struct json *json_path(const struct json *root, const char *path)
{
	const struct json *node = root;
	char comp[256];

	if (!path)
		return NULL;
	while (node) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(comp))
			return NULL;
		memcpy(comp, path, n);
		comp[n] = '\0';
		node = path_step(node, comp);
		if (!dot)
			return node;
		path = dot + 1;
	}
	return NULL;
}
