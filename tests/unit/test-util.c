/* Unit tests of util: size parsing and formatting, bounded integers, util_grow. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "util.h"

#define TIB (GIB * 1024)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ util_parse_size */

struct size_case {
	const char *in;
	uint64_t want;
};

static const struct size_case good_sizes[] = {
	{ "0", 0 },
	{ "1", 1 },
	{ "512", 512 },
	{ "007", 7 },
	{ "64K", 64 * KIB },
	{ "64k", 64 * KIB },
	{ "64KiB", 64 * KIB },
	{ "3KB", 3 * KIB },
	{ "1.5M", 3 * MIB / 2 },
	{ "1.5m", 3 * MIB / 2 },
	{ "1.25K", 1280 },
	{ "0.5G", GIB / 2 },
	{ "2G", 2 * GIB },
	{ "2g", 2 * GIB },
	{ "2GiB", 2 * GIB },
	{ "2GB", 2 * GIB },
	{ "100MiB", 100 * MIB },
	{ "1T", TIB },
	{ "5B", 5 },
	{ "5b", 5 },
	{ "1.0", 1 },
	/* Largest whole counts that fit for each unit. */
	{ "17179869183G", 17179869183ULL * GIB },
	{ "16777215T", 16777215ULL * TIB },
	{ "18446744073709551609", 18446744073709551609ULL },
};

Test(util_parse_size, accepts_sizes)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_sizes); i++) {
		uint64_t v = 12345;
		int rc = util_parse_size(good_sizes[i].in, &v);

		cr_assert_eq(rc, 0, "\"%s\": rc %d, want 0", good_sizes[i].in, rc);
		cr_assert_eq(v, good_sizes[i].want, "\"%s\": %llu, want %llu", good_sizes[i].in,
			     (unsigned long long)v, (unsigned long long)good_sizes[i].want);
	}
}

static const char *const bad_sizes[] = {
	"",
	"-1",
	"+1",
	"1.5",	/* fractional bytes */
	"0.5",	/* fractional bytes */
	"1.5B", /* fractional bytes, spelled out */
	"1..5M",
	"1.5.5M",
	"1.",
	"1.M",
	".5M",
	"12X",
	"M",
	"K",
	" 5",
	"5 ",
	"5K ",
	"5 K",
	"0x10",
	"5KK",
	"5KiBB",
	"5iB",
	"5BB",
	"1e3",
	"1,5M",
	"1.0000001M", /* more fractional digits than anybody means */
	"99999999999999999999",
	"18446744073709551616",
	"18446744073709551615G",
	"17179869184G", /* exactly 2^64 */
	"16777216T",	/* exactly 2^64 */
	"99999999999999999999K",
};

Test(util_parse_size, rejects_junk)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		uint64_t v = 0;
		int rc = util_parse_size(bad_sizes[i], &v);

		cr_assert_eq(rc, -EINVAL, "\"%s\": rc %d (value %llu), want -EINVAL", bad_sizes[i],
			     rc, (unsigned long long)v);
	}
}

Test(util_parse_size, rejects_null)
{
	uint64_t v;

	cr_assert_eq(util_parse_size(NULL, &v), -EINVAL);
}

/* The largest byte counts fit in a uint64_t and are not an overflow. */
Test(util_parse_size, accepts_uint64_max)
{
	uint64_t v = 0;
	int rc;

	rc = util_parse_size("18446744073709551615", &v);
	cr_assert_eq(rc, 0, "\"18446744073709551615\": rc %d, want 0", rc);
	cr_assert_eq(v, UINT64_MAX);
	rc = util_parse_size("18446744073709551610", &v);
	cr_assert_eq(rc, 0, "\"18446744073709551610\": rc %d, want 0", rc);
	cr_assert_eq(v, UINT64_MAX - 5);
}

/* ----------------------------------------------------------- util_parse_ulong */

Test(util_parse_ulong, accepts_up_to_max)
{
	unsigned long v = 99;

	cr_assert_eq(util_parse_ulong("0", 10, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(util_parse_ulong("0", 0, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(util_parse_ulong("100", 100, &v), 0);
	cr_assert_eq(v, 100);
	cr_assert_eq(util_parse_ulong("0100", 100, &v), 0);
	cr_assert_eq(v, 100);
	cr_assert_eq(util_parse_ulong("3600000", 3600000, &v), 0);
	cr_assert_eq(v, 3600000);
	cr_assert_eq(util_parse_ulong("4294967295", ULONG_MAX, &v), 0);
	cr_assert_eq(v, 4294967295UL);
	if (ULONG_MAX == 18446744073709551615ULL) {
		cr_assert_eq(util_parse_ulong("18446744073709551615", ULONG_MAX, &v), 0);
		cr_assert_eq(v, ULONG_MAX);
	}
}

Test(util_parse_ulong, erange_above_max)
{
	unsigned long v = 99;

	cr_assert_eq(util_parse_ulong("101", 100, &v), -ERANGE);
	cr_assert_eq(util_parse_ulong("110", 100, &v), -ERANGE);
	cr_assert_eq(util_parse_ulong("1000", 100, &v), -ERANGE);
	cr_assert_eq(util_parse_ulong("3600001", 3600000, &v), -ERANGE);
	cr_assert_eq(util_parse_ulong("99999999999999999999999", ULONG_MAX, &v), -ERANGE);
	if (ULONG_MAX == 18446744073709551615ULL) {
		cr_assert_eq(util_parse_ulong("18446744073709551616", ULONG_MAX, &v), -ERANGE);
		cr_assert_eq(util_parse_ulong("18446744073709551620", ULONG_MAX, &v), -ERANGE);
	}
	cr_assert_eq(v, 99, "a refused value must not be stored");
}

/* A single digit above a small max (max - digit would wrap around). */
Test(util_parse_ulong, erange_digit_above_small_max)
{
	unsigned long v = 99;
	int rc;

	rc = util_parse_ulong("7", 5, &v);
	cr_assert_eq(rc, -ERANGE, "(\"7\", max 5): rc %d, value %lu", rc, v);
	rc = util_parse_ulong("1", 0, &v);
	cr_assert_eq(rc, -ERANGE, "(\"1\", max 0): rc %d, value %lu", rc, v);
	rc = util_parse_ulong("9", 8, &v);
	cr_assert_eq(rc, -ERANGE, "(\"9\", max 8): rc %d, value %lu", rc, v);
	rc = util_parse_ulong("8", 8, &v);
	cr_assert_eq(rc, 0);
	cr_assert_eq(v, 8);
}

Test(util_parse_ulong, einval_on_junk)
{
	static const char *const bad[] = { "", "-1", "+1", " 1", "1 ", "1a", "0x1", "1.0", "a" };
	unsigned long v = 99;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		cr_assert_eq(util_parse_ulong(bad[i], 1000, &v), -EINVAL, "\"%s\"", bad[i]);
	cr_assert_eq(util_parse_ulong(NULL, 1000, &v), -EINVAL);
	cr_assert_eq(v, 99);
}

/* ----------------------------------------------------------- util_format_size */

struct format_case {
	uint64_t in;
	const char *want;
};

static const struct format_case formats[] = {
	{ 0, "0 B" },
	{ 1, "1 B" },
	{ 512, "512 B" },
	{ 1023, "1023 B" },
	{ 1024, "1.0 KiB" },
	{ 1075, "1.0 KiB" },
	{ 1126, "1.1 KiB" },
	{ 1536, "1.5 KiB" },
	{ 10 * 1024, "10.0 KiB" },
	{ 1048524, "1023.9 KiB" }, /* 1023.949 KiB: still KiB */
	{ 1048525, "1.0 MiB" },	   /* 1023.950 KiB would print as 1024.0 KiB */
	{ 1048575, "1.0 MiB" },
	{ 1048576, "1.0 MiB" },
	{ 108422758, "103.4 MiB" },
	{ 108947046, "103.9 MiB" },
	{ 107793612, "102.8 MiB" },
	{ 1073741823, "1.0 GiB" },
	{ 1073741824, "1.0 GiB" },
	{ 1610612736, "1.5 GiB" },
	{ 5 * 1073741824ULL, "5.0 GiB" },
	{ 1023 * 1073741824ULL + 536870912ULL, "1023.5 GiB" },
	{ 1099511627776ULL, "1.0 TiB" },
	{ UINT64_MAX, "16.0 EiB" },
};

Test(util_format_size, boundaries)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		char buf[32];
		char *r;

		memset(buf, 'x', sizeof(buf));
		r = util_format_size(formats[i].in, buf, sizeof(buf));
		cr_assert_eq(r, buf);
		cr_assert_str_eq(buf, formats[i].want, "%llu bytes: \"%s\", want \"%s\"",
				 (unsigned long long)formats[i].in, buf, formats[i].want);
	}
}

Test(util_format_size, truncates_to_buffer)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	util_format_size(108422758, buf, 5);
	cr_assert_str_eq(buf, "103.");
	cr_assert_eq(buf[5], 'x', "wrote past len");
	util_format_size(1023, buf, 4);
	cr_assert_str_eq(buf, "102");
}

/* ------------------------------------------------------------------ util_grow */

Test(util_grow, grows_by_doubling_and_keeps_content)
{
	int *a = NULL;
	size_t cap = 0;

	cr_assert_eq(util_grow((void **)&a, &cap, 0, sizeof(*a)), 0);
	cr_assert_null(a, "n = 0 needs no memory");
	cr_assert_eq(cap, 0);

	cr_assert_eq(util_grow((void **)&a, &cap, 1, sizeof(*a)), 0);
	cr_assert_not_null(a);
	cr_assert_eq(cap, 16);
	for (int i = 0; i < 16; i++)
		a[i] = i * 3;

	/* Enough room already: nothing moves. */
	int *before = a;

	cr_assert_eq(util_grow((void **)&a, &cap, 16, sizeof(*a)), 0);
	cr_assert_eq(a, before);
	cr_assert_eq(cap, 16);

	cr_assert_eq(util_grow((void **)&a, &cap, 17, sizeof(*a)), 0);
	cr_assert_eq(cap, 32);
	cr_assert_eq(util_grow((void **)&a, &cap, 100, sizeof(*a)), 0);
	cr_assert_eq(cap, 128);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(a[i], i * 3, "a[%d] = %d after growing", i, a[i]);
	a[127] = 7; /* the whole capacity is usable */
	cr_assert_eq(util_grow((void **)&a, &cap, 1000, sizeof(*a)), 0);
	cr_assert_eq(cap, 1024);
	cr_assert_eq(a[127], 7);
	free(a);
}

Test(util_grow, starts_from_existing_capacity)
{
	char *a = malloc(3);
	size_t cap = 3;

	cr_assert_not_null(a);
	memcpy(a, "abc", 3);
	cr_assert_eq(util_grow((void **)&a, &cap, 4, 1), 0);
	cr_assert_eq(cap, 6);
	cr_assert_eq(memcmp(a, "abc", 3), 0);
	free(a);
}

/* n * size beyond SIZE_MAX must fail cleanly, not wrap into a tiny buffer. */
Test(util_grow, refuses_overflowing_size)
{
	uint64_t *a = NULL;
	size_t cap = 0;
	int rc;

	rc = util_grow((void **)&a, &cap, SIZE_MAX / sizeof(*a) + 1, sizeof(*a));
	cr_assert_eq(rc, -ENOMEM, "n = SIZE_MAX / 8 + 1, size 8: rc %d, cap %zu", rc, cap);
	cr_assert_null(a);
	cr_assert_eq(cap, 0);
	free(a);
}

/* The doubling itself must not wrap around to 0 (and loop forever). */
Test(util_grow, refuses_n_near_size_max, .timeout = 2)
{
	char *a = malloc(16);
	size_t cap = 16;
	int rc;

	cr_assert_not_null(a);
	rc = util_grow((void **)&a, &cap, SIZE_MAX, 1);
	cr_assert_eq(rc, -ENOMEM, "n = SIZE_MAX, size 1: rc %d", rc);
	cr_assert_eq(cap, 16);
	a[15] = 1; /* still ours */
	free(a);
}
