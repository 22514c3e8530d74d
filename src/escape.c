#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* U+FFFD REPLACEMENT CHARACTER, for one byte that is not UTF-8. */
#define REPLACEMENT "\xEF\xBF\xBD"

/* ---------------------------------------------------------------- UTF-8 */

static size_t utf8_valid(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		len = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		len = 4;
	else
		return 0;
	/* The second byte's range is what rules out overlong forms, surrogates and > U+10FFFF. */
	if (c == 0xE0)
		lo = 0xA0;
	else if (c == 0xED)
		hi = 0x9F;
	else if (c == 0xF0)
		lo = 0x90;
	else if (c == 0xF4)
		hi = 0x8F;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it is not one. */
static size_t utf8_len(const char *s, size_t n)
{
	return n ? utf8_valid((const unsigned char *)s, n) : 0;
}

size_t escape_utf8_prefix(const char *s, size_t len, size_t chars)
{
	size_t i = 0;

	while (chars-- > 0 && i < len) {
		size_t k = utf8_len(s + i, len - i);

		i += k ? k : 1;
	}
	return i;
}

size_t escape_utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++) {
		size_t k = utf8_len(s + i, len - i);

		i += k ? k : 1;
	}
	return n;
}

/* ---------------------------------------------------------------- arguments */

/*
 * The next argument of a NUL-separated buffer (as /proc/PID/cmdline has
 * them): *pos starts at 0; each call sets *arg and *len and moves *pos past
 * it.  false after the last one.  Each argument ends in NUL, so "a\0\0"
 * holds "a" and "", and "a\0b" (cut short) "a" and "b".
 */
static bool argv_next(const char *argv, size_t argv_len, size_t *pos, const char **arg, size_t *len)
{
	if (*pos >= argv_len)
		return false;
	*arg = argv + *pos;
	*len = strnlen(*arg, argv_len - *pos);
	*pos += *len + 1;
	return true;
}

char *escape_argv_join(const char *argv, size_t argv_len, const char *fallback, size_t *len)
{
	const char *arg;
	size_t pos = 0, n, out = 0;
	char *buf;

	if (argv_len == 0 && fallback) {
		argv = fallback;
		argv_len = strlen(fallback);
	}
	/* The spaces take the places of the NULs: the join is never longer. */
	buf = malloc(argv_len + 1);
	if (!buf)
		return NULL;
	while (argv_next(argv, argv_len, &pos, &arg, &n)) {
		if (arg != argv)
			buf[out++] = ' ';
		memcpy(buf + out, arg, n);
		out += n;
	}
	buf[out] = '\0';
	*len = out;
	return buf;
}

char *escape_command_join(char *const *command, size_t *len)
{
	size_t total = 0, out = 0;
	char *buf;

	for (size_t i = 0; command[i]; i++)
		total += strlen(command[i]) + 1;
	buf = malloc(total + 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; command[i]; i++) {
		size_t n = strlen(command[i]);

		if (i)
			buf[out++] = ' ';
		memcpy(buf + out, command[i], n);
		out += n;
	}
	buf[out] = '\0';
	*len = out;
	return buf;
}

/* ---------------------------------------------------------------- JSON */

/* The escape of a byte that JSON does not allow raw in a string, or NULL. */
static const char *json_escape(unsigned char c)
{
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	default:
		return NULL;
	}
}

void escape_json_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		const char *e = json_escape(s[i]);
		size_t n;

		if (e) {
			fputs(e, f);
			i++;
		} else if (s[i] < 0x20) {
			fprintf(f, "\\u%04x", s[i]);
			i++;
		} else if ((n = utf8_valid(s + i, len - i)) == 0) {
			fputs(REPLACEMENT, f);
			i++;
		} else {
			fwrite(s + i, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}

void escape_json_cstring(FILE *f, const char *s)
{
	if (s)
		escape_json_string(f, s, strlen(s));
	else
		fputs("null", f);
}

void escape_json_argv(FILE *f, const char *argv, size_t argv_len)
{
	const char *arg;
	size_t pos = 0, n;

	fputc('[', f);
	while (argv_next(argv, argv_len, &pos, &arg, &n)) {
		if (arg != argv)
			fputs(", ", f);
		escape_json_string(f, arg, n);
	}
	fputc(']', f);
}

void escape_json_command(FILE *f, char *const *command)
{
	fputc('[', f);
	for (size_t i = 0; command[i]; i++) {
		if (i)
			fputs(", ", f);
		escape_json_cstring(f, command[i]);
	}
	fputc(']', f);
}

/* ---------------------------------------------------------------- CSV */

static bool csv_needs_quotes(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			return true;
	return false;
}

void escape_csv_field(FILE *f, const char *s, size_t len)
{
	bool quote = csv_needs_quotes(s, len);

	if (quote)
		fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);

		if (n == 0) {
			fputs(REPLACEMENT, f);
			i++;
			continue;
		}
		if (s[i] == '"')
			fputc('"', f); /* a quote inside a quoted field is doubled */
		fwrite(s + i, 1, n, f);
		i += n;
	}
	if (quote)
		fputc('"', f);
}

/* ---------------------------------------------------------------- XML */

/* The entity or the stand-in for an ASCII byte that XML text cannot hold as it is, or NULL. */
static const char *xml_escape(unsigned char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	case '\t':
	case '\n':
	case '\r':
		return " ";
	default:
		return NULL;
	}
}

/*
 * XML 1.0 has no way to write the other C0 controls, not even as &#N;, nor
 * U+FFFE / U+FFFF; C1 controls and DEL are allowed but "discouraged" and
 * draw as boxes.  s holds a valid sequence of n bytes.
 */
static bool xml_forbidden(const unsigned char *s, size_t n)
{
	return s[0] < 0x20 || s[0] == 0x7f || (s[0] == 0xC2 && s[1] < 0xA0) ||
	       (n == 3 && s[0] == 0xEF && s[1] == 0xBF && s[2] >= 0xBE);
}

void escape_xml_text(FILE *f, const char *str, size_t len, size_t max_chars)
{
	const unsigned char *s = (const unsigned char *)str;
	bool cut = max_chars && escape_utf8_chars(str, len) > max_chars;

	for (size_t i = 0, shown = 0; i < len; shown++) {
		size_t n = utf8_valid(s + i, len - i);
		const char *e = xml_escape(s[i]);

		if (cut && shown == max_chars - 1) {
			fputs("\u2026", f);
			return;
		}
		if (n == 0) {
			fputs(REPLACEMENT, f);
			i++;
			continue;
		}
		if (e)
			fputs(e, f);
		else if (xml_forbidden(s + i, n))
			fputs(REPLACEMENT, f);
		else
			fwrite(s + i, 1, n, f);
		i += n;
	}
}

/* ---------------------------------------------------------------- a terminal line */

/* Append one argument at pos, after a space unless it is the first text. */
static size_t line_append(char *buf, size_t size, size_t pos, const char *arg, size_t n)
{
	if (pos && pos + 1 < size)
		buf[pos++] = ' ';
	for (size_t i = 0; i < n && pos + 1 < size; i++)
		buf[pos++] = (char)((unsigned char)arg[i] < 0x20 || arg[i] == 0x7f ? '?' : arg[i]);
	buf[pos] = '\0';
	return pos;
}

static void line_cut(char *buf, size_t max)
{
	size_t cut = max - 3;

	if (strlen(buf) <= max)
		return;
	/* strlen(buf) > cut: buf[cut] is in the string, which the analyzer cannot tell. */
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	while (cut > 0 && ((unsigned char)buf[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(buf + cut, "...", 4);
}

void escape_line_argv(char *buf, size_t size, const char *argv, size_t argv_len, size_t max)
{
	const char *arg;
	size_t pos = 0, at = 0, n;

	buf[0] = '\0';
	while (argv_next(argv, argv_len, &at, &arg, &n))
		pos = line_append(buf, size, pos, arg, n);
	line_cut(buf, max);
}

void escape_line_command(char *buf, size_t size, char *const *command, size_t max)
{
	size_t pos = 0;

	buf[0] = '\0';
	for (size_t i = 0; command[i]; i++)
		pos = line_append(buf, size, pos, command[i], strlen(command[i]));
	line_cut(buf, max);
}
