/*
 * Unit tests of escape: JSON strings byte by byte (read back by the strict
 * reader in tests/lib/json.c), CSV fields, XML text, one terminal line, and
 * the walk and join of NUL-separated arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <criterion/criterion.h>

#include "../lib/json.h"
#include "escape.h"

#define FFFD "\xEF\xBF\xBD"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ helpers */

/* A stream in memory, for the writers that take a FILE. */
struct mem {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *mem_open(struct mem *m)
{
	m->buf = NULL;
	m->len = 0;
	m->f = open_memstream(&m->buf, &m->len);
	cr_assert_not_null(m->f);
	return m->f;
}

/* What was written, NUL-terminated (malloc'd). */
static char *mem_text(struct mem *m)
{
	cr_assert_eq(fclose(m->f), 0);
	return m->buf;
}

/* What escape_json_string writes for len bytes of s, NUL-terminated (malloc'd). */
static char *json_str(const char *s, size_t len)
{
	struct mem m;
	char *out;

	escape_json_string(mem_open(&m), s, len);
	out = mem_text(&m);
	cr_assert_eq(strlen(out), m.len, "a raw NUL in the output");
	return out;
}

/* Parse text with the strict test reader; fail the test with its message if invalid. */
static struct json *parse(const char *text, size_t len)
{
	char err[256] = "";
	struct json *j = json_parse(text, len, err, sizeof(err));

	cr_assert_not_null(j, "invalid JSON (%s):\n%s", err, text);
	return j;
}

/* The escaped string, parsed back: the bytes a JSON reader sees. */
static struct json *round_trip(const char *s, size_t len)
{
	char *out = json_str(s, len);
	struct json *j = parse(out, strlen(out));

	cr_assert_eq(j->type, JSON_STRING, "not a string: %s", out);
	free(out);
	return j;
}

#define ASSERT_JSON_STR(in, want)                                                 \
	do {                                                                      \
		char *o_ = json_str(in, sizeof(in) - 1);                          \
		cr_assert_str_eq(o_, want, "escaped: [%s], want [%s]", o_, want); \
		free(o_);                                                         \
	} while (0)

/* One of two spellings (an escape may be short or \u00XX), hex digits in either case. */
#define ASSERT_JSON_STR2(in, want1, want2)                                       \
	do {                                                                     \
		char *o_ = json_str(in, sizeof(in) - 1);                         \
		cr_assert(!strcasecmp(o_, want1) || !strcasecmp(o_, want2),      \
			  "escaped: [%s], want [%s] or [%s]", o_, want1, want2); \
		free(o_);                                                        \
	} while (0)

/* --------------------------------------------------------- escape_json_string */

Test(escape_json_string, plain_ascii)
{
	ASSERT_JSON_STR("", "\"\"");
	ASSERT_JSON_STR("abc", "\"abc\"");
	ASSERT_JSON_STR("./prog --x=1 'y' /tmp/z", "\"./prog --x=1 'y' /tmp/z\"");
}

Test(escape_json_string, quote_and_backslash)
{
	ASSERT_JSON_STR("a\"b", "\"a\\\"b\"");
	ASSERT_JSON_STR("a\\b", "\"a\\\\b\"");
	ASSERT_JSON_STR("\\\"", "\"\\\\\\\"\"");
	ASSERT_JSON_STR("\\u0041", "\"\\\\u0041\""); /* not an escape: a backslash and text */
}

Test(escape_json_string, newline_and_tab)
{
	ASSERT_JSON_STR("a\nb", "\"a\\nb\"");
	ASSERT_JSON_STR("a\tb", "\"a\\tb\"");
	ASSERT_JSON_STR("\n\n", "\"\\n\\n\"");
}

Test(escape_json_string, other_controls_as_u00xx)
{
	ASSERT_JSON_STR2("\x01", "\"\\u0001\"", "\"\\u0001\"");
	ASSERT_JSON_STR2("\x1b[0m", "\"\\u001b[0m\"", "\"\\u001B[0m\"");
	ASSERT_JSON_STR2("\x1f", "\"\\u001f\"", "\"\\u001F\"");
	ASSERT_JSON_STR2("\x0b", "\"\\u000b\"", "\"\\u000B\"");
	/* These have short forms too; either is JSON. */
	ASSERT_JSON_STR2("\r", "\"\\r\"", "\"\\u000d\"");
	ASSERT_JSON_STR2("\b", "\"\\b\"", "\"\\u0008\"");
	ASSERT_JSON_STR2("\f", "\"\\f\"", "\"\\u000c\"");
}

/* argv may hold a NUL only inside a buffer we were given a length for. */
Test(escape_json_string, embedded_nul)
{
	char *o = json_str("a\0b", 3);
	struct json *j;

	cr_assert_str_eq(o, "\"a\\u0000b\"");
	free(o);
	j = round_trip("a\0b", 3);
	cr_assert_eq(j->string_len, 3);
	cr_assert_eq(memcmp(j->string, "a\0b", 3), 0);
	json_free(j);
}

/* DEL is not a JSON control character: raw or escaped, it must come back as DEL. */
Test(escape_json_string, del)
{
	ASSERT_JSON_STR2("\x7f", "\"\x7f\"", "\"\\u007f\"");
	struct json *j = round_trip("a\x7f", 2);

	cr_assert_eq(j->string_len, 2);
	cr_assert_str_eq(j->string, "a\x7f");
	json_free(j);
}

/* Every ASCII byte, control or not, comes back exactly. */
Test(escape_json_string, every_ascii_byte_round_trips)
{
	char all[128];

	for (int i = 0; i < 128; i++)
		all[i] = (char)i;
	struct json *j = round_trip(all, sizeof(all));

	cr_assert_eq(j->string_len, sizeof(all));
	cr_assert_eq(memcmp(j->string, all, sizeof(all)), 0);
	json_free(j);

	/* Printable ASCII but '"' and '\\' stands for itself. */
	for (int c = 0x20; c < 0x7f; c++) {
		char in[2] = { (char)c, 0 }, want[4] = { '"', (char)c, '"', 0 };
		char *o;

		if (c == '"' || c == '\\')
			continue;
		o = json_str(in, 1);
		cr_assert_str_eq(o, want, "byte 0x%02x", c);
		free(o);
	}
}

Test(escape_json_string, valid_utf8_passes_through)
{
	ASSERT_JSON_STR("\xC2\x80", "\"\xC2\x80\"");		 /* U+0080 */
	ASSERT_JSON_STR("caf\xC3\xA9", "\"caf\xC3\xA9\"");	 /* é */
	ASSERT_JSON_STR("\xDF\xBF", "\"\xDF\xBF\"");		 /* U+07FF */
	ASSERT_JSON_STR("\xE0\xA0\x80", "\"\xE0\xA0\x80\"");	 /* U+0800 */
	ASSERT_JSON_STR("\xE2\x82\xAC 5", "\"\xE2\x82\xAC 5\""); /* € */
	ASSERT_JSON_STR("\xED\x9F\xBF", "\"\xED\x9F\xBF\"");	 /* U+D7FF, below the surrogates */
	ASSERT_JSON_STR("\xEE\x80\x80", "\"\xEE\x80\x80\"");	 /* U+E000, above them */
	ASSERT_JSON_STR(FFFD, "\"" FFFD "\"");			 /* U+FFFD itself */
	ASSERT_JSON_STR("\xF0\x90\x80\x80", "\"\xF0\x90\x80\x80\"");		     /* U+10000 */
	ASSERT_JSON_STR("\xF0\x9F\x98\x80!", "\"\xF0\x9F\x98\x80!\"");		     /* 😀 */
	ASSERT_JSON_STR("\xF4\x8F\xBF\xBF", "\"\xF4\x8F\xBF\xBF\"");		     /* U+10FFFF */
	ASSERT_JSON_STR("\xE6\x97\xA5\xE6\x9C\xAC", "\"\xE6\x97\xA5\xE6\x9C\xAC\""); /* 日本 */
}

/* A lone bad byte is one U+FFFD; the bytes around it are kept. */
Test(escape_json_string, invalid_byte_is_fffd)
{
	ASSERT_JSON_STR("\xff", "\"" FFFD "\"");
	ASSERT_JSON_STR("\xfe", "\"" FFFD "\"");
	ASSERT_JSON_STR("\x80", "\"" FFFD "\""); /* a continuation byte with no lead */
	ASSERT_JSON_STR("a\xBF"
			"b",
			"\"a" FFFD "b\"");
	ASSERT_JSON_STR("\xC3", "\"" FFFD "\""); /* a lead byte at the very end */
	ASSERT_JSON_STR("x\xC3", "\"x" FFFD "\"");
	/* A lead byte then ASCII: the ASCII is not swallowed. */
	ASSERT_JSON_STR("\xC3(", "\"" FFFD "(\"");
	ASSERT_JSON_STR("\xC3\"", "\"" FFFD "\\\"\"");
	ASSERT_JSON_STR("\xE2\n", "\"" FFFD "\\n\"");
	/* Latin-1 text, as old file names have it. */
	ASSERT_JSON_STR("caf\xE9", "\"caf" FFFD "\"");
}

/*
 * "x" BAD "y" must come out as "x", one or more U+FFFD, "y": how many
 * replacements a sequence gets is a policy; that nothing else survives is not.
 */
static void assert_replaced(const char *bad, size_t badlen)
{
	char in[32];
	struct json *j;
	const char *s;
	size_t n = 0;

	cr_assert_lt(badlen + 2, sizeof(in));
	in[0] = 'x';
	memcpy(in + 1, bad, badlen);
	in[badlen + 1] = 'y';
	j = round_trip(in, badlen + 2);
	s = j->string;
	cr_assert_eq(s[0], 'x');
	cr_assert_eq(s[j->string_len - 1], 'y', "the byte after the bad sequence was lost");
	for (size_t i = 1; i + 1 < j->string_len; i += 3, n++)
		cr_assert_eq(memcmp(s + i, FFFD, 3), 0,
			     "byte %zu of the decoded string is 0x%02x, not U+FFFD", i,
			     (unsigned char)s[i]);
	cr_assert_eq((j->string_len - 2) % 3, 0);
	cr_assert_geq(n, 1);
	cr_assert_leq(n, badlen);
	json_free(j);
}

#define ASSERT_REPLACED(bad) assert_replaced(bad, sizeof(bad) - 1)

Test(escape_json_string, overlong_is_fffd)
{
	ASSERT_REPLACED("\xC0\xAF");	     /* '/' in two bytes */
	ASSERT_REPLACED("\xC1\xBF");	     /* U+007F in two bytes */
	ASSERT_REPLACED("\xC0\x80");	     /* "modified UTF-8" NUL */
	ASSERT_REPLACED("\xE0\x80\xAF");     /* '/' in three bytes */
	ASSERT_REPLACED("\xE0\x9F\xBF");     /* U+07FF in three bytes */
	ASSERT_REPLACED("\xF0\x80\x80\xAF"); /* '/' in four bytes */
	ASSERT_REPLACED("\xF0\x8F\xBF\xBF"); /* U+FFFF in four bytes */
}

Test(escape_json_string, surrogates_are_fffd)
{
	ASSERT_REPLACED("\xED\xA0\x80"); /* U+D800 */
	ASSERT_REPLACED("\xED\xAF\xBF"); /* U+DBFF */
	ASSERT_REPLACED("\xED\xB0\x80"); /* U+DC00 */
	ASSERT_REPLACED("\xED\xBF\xBF"); /* U+DFFF */
	/* A CESU-8 pair for U+1F600. */
	ASSERT_REPLACED("\xED\xA0\xBD\xED\xB8\x80");
}

Test(escape_json_string, beyond_unicode_is_fffd)
{
	ASSERT_REPLACED("\xF4\x90\x80\x80"); /* U+110000 */
	ASSERT_REPLACED("\xF5\x80\x80\x80");
	ASSERT_REPLACED("\xF7\xBF\xBF\xBF");
	ASSERT_REPLACED("\xF8\x88\x80\x80\x80"); /* old five-byte form */
	ASSERT_REPLACED("\xFC\x84\x80\x80\x80\x80");
}

Test(escape_json_string, truncated_sequences)
{
	/* In the middle of the text... */
	ASSERT_REPLACED("\xE2\x82");	 /* € without its last byte */
	ASSERT_REPLACED("\xF0\x9F\x98"); /* 😀 without its last byte */
	ASSERT_REPLACED("\xF0\x9F");
	ASSERT_REPLACED("\xC3\xC3");
	/* ...and at its very end. */
	static const char *const ends[] = { "\xE2\x82", "\xF0\x9F\x98", "\xF0", "\xE2" };

	for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		char in[8];
		size_t n = strlen(ends[i]);
		struct json *j;

		in[0] = 'x';
		memcpy(in + 1, ends[i], n);
		j = round_trip(in, n + 1);
		cr_assert_eq(j->string[0], 'x');
		cr_assert_geq(j->string_len, 4);
		cr_assert_eq((j->string_len - 1) % 3, 0);
		for (size_t k = 1; k < j->string_len; k += 3)
			cr_assert_eq(memcmp(j->string + k, FFFD, 3), 0, "case %zu", i);
		json_free(j);
	}
}

/* Any bytes at all: the output is strict JSON (valid UTF-8, escaped controls). */
Test(escape_json_string, random_bytes_are_valid_json)
{
	static const unsigned char alphabet[] = {
		0x00, 0x01, 0x09, 0x0a, 0x1f, 0x20, '"',  '\\', 'a',  0x7f, 0x80,
		0xbf, 0xc0, 0xc2, 0xc3, 0xa9, 0xdf, 0xe0, 0xe2, 0x82, 0xac, 0xed,
		0xa0, 0x9f, 0xef, 0xf0, 0x90, 0x9f, 0xf4, 0x8f, 0xf5, 0xff,
	};
	unsigned seed = 12345;

	for (int n = 0; n < 3000; n++) {
		unsigned char in[24];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % sizeof(in);
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			in[i] = alphabet[(seed >> 16) % sizeof(alphabet)];
		}
		json_free(round_trip((const char *)in, len));
	}
}

/* ------------------------------------------------------------ escape_csv_field */

static char *field(const char *s, size_t len)
{
	struct mem m;

	escape_csv_field(mem_open(&m), s, len);
	return mem_text(&m);
}

#define ASSERT_FIELD(in, want)                                                              \
	do {                                                                                \
		char *o_ = field(in, sizeof(in) - 1);                                       \
		cr_assert_str_eq(o_, want, "field of [%s]: [%s], want [%s]", in, o_, want); \
		free(o_);                                                                   \
	} while (0)

Test(escape_csv_field, quoting_rfc4180)
{
	ASSERT_FIELD("plain text", "plain text");
	ASSERT_FIELD("", "");
	ASSERT_FIELD("a,b", "\"a,b\"");
	ASSERT_FIELD("say \"hi\"", "\"say \"\"hi\"\"\"");
	ASSERT_FIELD("\"", "\"\"\"\"");
	ASSERT_FIELD("two\nlines", "\"two\nlines\"");
	ASSERT_FIELD("cr\rhere", "\"cr\rhere\"");
	/* Neither a quote nor a separator: left alone. */
	ASSERT_FIELD("it's; a\ttab", "it's; a\ttab");
	ASSERT_FIELD("caf\xC3\xA9", "caf\xC3\xA9");
}

Test(escape_csv_field, invalid_utf8_replaced)
{
	ASSERT_FIELD("caf\xE9", "caf" FFFD);
	ASSERT_FIELD("\xFF,", "\"" FFFD ",\"");
	ASSERT_FIELD("\xC3", FFFD);
}

/* ------------------------------------------------------------ escape_utf8_chars */

/*
 * A valid UTF-8 sequence is one character; each byte of an invalid one
 * counts alone (it becomes one U+FFFD), so the count tells which sequences
 * are valid.
 */
struct utf8_case {
	const char *s;
	size_t n;     /* bytes given */
	size_t chars; /* characters counted */
};

static const struct utf8_case utf8_cases[] = {
	{ "a", 1, 1 },
	{ "\x7f", 1, 1 },
	{ "\xC2\x80", 2, 1 },
	{ "\xDF\xBF", 2, 1 },
	{ "\xE0\xA0\x80", 3, 1 },
	{ "\xED\x9F\xBF", 3, 1 }, /* U+D7FF, below the surrogates */
	{ "\xEF\xBF\xBF", 3, 1 }, /* U+FFFF is UTF-8 (XML refuses it, not UTF-8) */
	{ "\xF0\x90\x80\x80", 4, 1 },
	{ "\xF4\x8F\xBF\xBF", 4, 1 }, /* U+10FFFF */
	{ "\xE2\x82\xACx", 4, 2 },
	{ "caf\xC3\xA9", 5, 4 },
	{ "\x80", 1, 1 },     /* a continuation byte with no lead */
	{ "\xC0\xAF", 2, 2 }, /* overlong */
	{ "\xC1\xBF", 2, 2 },
	{ "\xE0\x9F\xBF", 3, 3 },
	{ "\xF0\x8F\xBF\xBF", 4, 4 },
	{ "\xED\xA0\x80", 3, 3 },     /* a surrogate */
	{ "\xF4\x90\x80\x80", 4, 4 }, /* above U+10FFFF */
	{ "\xF5\x80\x80\x80", 4, 4 },
	{ "\xFF\xFE", 2, 2 },
	{ "\xE2\x82\xAC", 2, 2 }, /* cut short */
	{ "\xC3(", 2, 2 },	  /* a lead byte then ASCII */
	{ "a", 0, 0 },		  /* nothing given */
};

Test(escape_utf8_chars, table)
{
	for (size_t i = 0; i < ARRAY_SIZE(utf8_cases); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		size_t got = escape_utf8_chars(c->s, c->n);

		cr_expect_eq(got, c->chars, "case %zu: %zu characters, want %zu", i, got, c->chars);
	}
}

/* ------------------------------------------------------------ arguments */

#define ASSERT_JSON_ARGV(argv, want)                                            \
	do {                                                                    \
		struct mem m_;                                                  \
		char *o_;                                                       \
		escape_json_argv(mem_open(&m_), argv, sizeof(argv) - 1);        \
		o_ = mem_text(&m_);                                             \
		cr_assert_str_eq(o_, want, "%s: %s, want %s", #argv, o_, want); \
		free(o_);                                                       \
	} while (0)

/* Each argument ends in NUL: the walk of every writer of arguments. */
Test(escape_json_argv, each_argument_ends_in_nul)
{
	ASSERT_JSON_ARGV("", "[]");
	ASSERT_JSON_ARGV("a\0", "[\"a\"]");
	ASSERT_JSON_ARGV("./prog\0arg one\0", "[\"./prog\", \"arg one\"]");
	ASSERT_JSON_ARGV("a\0\0", "[\"a\", \"\"]");
	ASSERT_JSON_ARGV("\0", "[\"\"]");
	ASSERT_JSON_ARGV("\0a\0", "[\"\", \"a\"]");
	ASSERT_JSON_ARGV("a\0\0x\0", "[\"a\", \"\", \"x\"]");
	/* The last one without its NUL (a cmdline read in part). */
	ASSERT_JSON_ARGV("a\0b", "[\"a\", \"b\"]");
}

#define ASSERT_JOIN(argv, fallback, want)                                                       \
	do {                                                                                    \
		size_t n_ = 99;                                                                 \
		char *o_ = escape_argv_join(argv, sizeof(argv) - 1, fallback, &n_);             \
		cr_assert_not_null(o_);                                                         \
		cr_assert_eq(n_, sizeof(want) - 1, "join of %s: length %zu", #argv, n_);        \
		cr_assert_eq(memcmp(o_, want, n_ + 1), 0, "join of %s: [%s], want [%s]", #argv, \
			     o_, want);                                                         \
		free(o_);                                                                       \
	} while (0)

Test(escape_argv_join, spaces_between_arguments)
{
	ASSERT_JOIN("./prog\0arg one\0", NULL, "./prog arg one");
	ASSERT_JOIN("a\0\0", NULL, "a ");
	ASSERT_JOIN("\0a\0", NULL, " a");
	ASSERT_JOIN("a\0b", NULL, "a b");
	ASSERT_JOIN("\0", "/bin/x", "");
	/* Any bytes but NUL are kept for the caller to escape. */
	ASSERT_JOIN("sh\0-c\0echo \"a,b\"\nnext\0", NULL, "sh -c echo \"a,b\"\nnext");
}

Test(escape_argv_join, fallback_when_empty)
{
	ASSERT_JOIN("", "/usr/bin/env", "/usr/bin/env");
	ASSERT_JOIN("", NULL, "");
}

Test(escape_command_join, spaces_between_words)
{
	char *const cmd[] = { (char *)"./build", (char *)"", (char *)"-j 2", NULL };
	size_t n = 0;
	char *o = escape_command_join(cmd, &n);

	cr_assert_str_eq(o, "./build  -j 2");
	cr_assert_eq(n, strlen(o));
	free(o);
}

/* ------------------------------------------------------------ JSON arrays */

Test(escape_json_argv, arguments_as_strings)
{
	static const char argv[] = "prog\0\0x\"y\0\xff\0";
	struct mem m;

	escape_json_argv(mem_open(&m), argv, sizeof(argv) - 1);
	char *o = mem_text(&m);

	cr_assert_str_eq(o, "[\"prog\", \"\", \"x\\\"y\", \"" FFFD "\"]");
	free(o);
	escape_json_argv(mem_open(&m), "", 0);
	o = mem_text(&m);
	cr_assert_str_eq(o, "[]");
	free(o);
}

Test(escape_json_command, words_as_strings)
{
	char *const cmd[] = { (char *)"./prog", (char *)"a\\b", (char *)"\n", NULL };
	struct mem m;

	escape_json_command(mem_open(&m), cmd);
	char *o = mem_text(&m);

	cr_assert_str_eq(o, "[\"./prog\", \"a\\\\b\", \"\\n\"]");
	free(o);
}

Test(escape_json_cstring, null_for_none)
{
	struct mem m;

	escape_json_cstring(mem_open(&m), NULL);
	char *o = mem_text(&m);

	cr_assert_str_eq(o, "null");
	free(o);
	escape_json_cstring(mem_open(&m), "x");
	o = mem_text(&m);
	cr_assert_str_eq(o, "\"x\"");
	free(o);
}

/* ------------------------------------------------------------ escape_xml_text */

static char *xml(const char *s, size_t len, size_t max_chars)
{
	struct mem m;

	escape_xml_text(mem_open(&m), s, len, max_chars);
	return mem_text(&m);
}

#define ASSERT_XML(in, max, want)                                                        \
	do {                                                                             \
		char *o_ = xml(in, sizeof(in) - 1, max);                                 \
		cr_assert_str_eq(o_, want, "xml of %s: [%s], want [%s]", #in, o_, want); \
		free(o_);                                                                \
	} while (0)

Test(escape_xml_text, markup_as_entities)
{
	ASSERT_XML("a < b & c > \"d\" 'e'", 0, "a &lt; b &amp; c &gt; &quot;d&quot; &apos;e&apos;");
	ASSERT_XML("caf\xC3\xA9 \xE2\x80\xA6", 0, "caf\xC3\xA9 \xE2\x80\xA6");
}

Test(escape_xml_text, breaks_and_tabs_as_spaces)
{
	ASSERT_XML("a\tb\nc\rd", 0, "a b c d");
}

/* What XML 1.0 cannot hold, and what draws as boxes, is U+FFFD. */
Test(escape_xml_text, forbidden_characters_replaced)
{
	ASSERT_XML("\x01"
		   "a\x1b\x7f",
		   0, FFFD "a" FFFD FFFD);
	ASSERT_XML("\xC2\x80\xC2\x9F", 0, FFFD FFFD);	      /* C1 controls */
	ASSERT_XML("\xC2\xA0", 0, "\xC2\xA0");		      /* U+00A0 is text */
	ASSERT_XML("\xEF\xBF\xBE\xEF\xBF\xBF", 0, FFFD FFFD); /* U+FFFE, U+FFFF */
	ASSERT_XML("\xEF\xBF\xBD", 0, FFFD);		      /* U+FFFD itself */
	ASSERT_XML("caf\xE9", 0, "caf" FFFD);		      /* not UTF-8 */
	ASSERT_XML("\xE2\x82", 0, FFFD FFFD);
}

Test(escape_xml_text, cut_with_an_ellipsis)
{
	ASSERT_XML("abcdefgh", 5, "abcd\xE2\x80\xA6");
	ASSERT_XML("abcde", 5, "abcde"); /* it fits: no cut */
	ASSERT_XML("\xC3\xA9\xC3\xA9\xC3\xA9", 2,
		   "\xC3\xA9\xE2\x80\xA6"); /* characters, not bytes */
	ASSERT_XML("&&&&", 3, "&amp;&amp;\xE2\x80\xA6");
}

/* ------------------------------------------------------------ a terminal line */

#define LINE_MAX_TEST 20

static void assert_line_argv(const char *argv, size_t len, const char *want)
{
	char buf[LINE_MAX_TEST + 8];

	memset(buf, 'x', sizeof(buf));
	escape_line_argv(buf, sizeof(buf), argv, len, LINE_MAX_TEST);
	cr_assert_str_eq(buf, want, "line: [%s], want [%s]", buf, want);
}

#define ASSERT_LINE(argv, want) assert_line_argv(argv, sizeof(argv) - 1, want)

Test(escape_line_argv, controls_as_question_marks)
{
	ASSERT_LINE("sh\0-c\0echo \"hi\"\tx\0", "sh -c echo \"hi\"?x");
	ASSERT_LINE("a\nb\x1b[31m\x7f\0", "a?b?[31m?");
	/* Bytes that are not UTF-8 are left to the terminal. */
	ASSERT_LINE("caf\xE9\0", "caf\xE9");
}

Test(escape_line_argv, cut_to_max_with_dots)
{
	ASSERT_LINE("12345678901234567890\0", "12345678901234567890");
	ASSERT_LINE("123456789012345678901\0", "12345678901234567...");
	ASSERT_LINE("1234567890\0"
		    "1234567890\0",
		    "1234567890 123456...");
	/* Never in the middle of a character: é is 2 bytes at 16..17. */
	ASSERT_LINE("1234567890123456\xC3\xA9xyz\0", "1234567890123456...");
}

/* An empty argument before any text adds no space; after text it does. */
Test(escape_line_argv, empty_arguments)
{
	ASSERT_LINE("\0a\0", "a");
	ASSERT_LINE("a\0\0", "a ");
	ASSERT_LINE("", "");
}

Test(escape_line_command, words_on_one_line)
{
	char *const cmd[] = { (char *)"./a\nb", (char *)"c d", NULL };
	char buf[LINE_MAX_TEST + 8];

	escape_line_command(buf, sizeof(buf), cmd, LINE_MAX_TEST);
	cr_assert_str_eq(buf, "./a?b c d");
}

/* A buffer smaller than the line: cut there, always terminated. */
Test(escape_line_command, small_buffer)
{
	char *const cmd[] = { (char *)"abcdef", (char *)"gh", NULL };
	char buf[8];

	escape_line_command(buf, 5, cmd, 4);
	cr_assert_str_eq(buf, "abcd");
}
