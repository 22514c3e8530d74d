/* Unit tests of units: size parsing and formatting, the unit of a figure. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "units.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ----------------------------------------------------------- units_parse_size */

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

Test(units_parse_size, accepts_sizes)
{
	for (size_t i = 0; i < ARRAY_SIZE(good_sizes); i++) {
		uint64_t v = 12345;
		int rc = units_parse_size(good_sizes[i].in, &v);

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

Test(units_parse_size, rejects_junk)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		uint64_t v = 0;
		int rc = units_parse_size(bad_sizes[i], &v);

		cr_assert_eq(rc, -EINVAL, "\"%s\": rc %d (value %llu), want -EINVAL", bad_sizes[i],
			     rc, (unsigned long long)v);
	}
}

Test(units_parse_size, rejects_null)
{
	uint64_t v;

	cr_assert_eq(units_parse_size(NULL, &v), -EINVAL);
}

/* The largest byte counts fit in a uint64_t and are not an overflow. */
Test(units_parse_size, accepts_uint64_max)
{
	uint64_t v = 0;
	int rc;

	rc = units_parse_size("18446744073709551615", &v);
	cr_assert_eq(rc, 0, "\"18446744073709551615\": rc %d, want 0", rc);
	cr_assert_eq(v, UINT64_MAX);
	rc = units_parse_size("18446744073709551610", &v);
	cr_assert_eq(rc, 0, "\"18446744073709551610\": rc %d, want 0", rc);
	cr_assert_eq(v, UINT64_MAX - 5);
}

/* ---------------------------------------------------------- units_format_size */

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

Test(units_format_size, boundaries)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		char buf[32];
		char *r;

		memset(buf, 'x', sizeof(buf));
		r = units_format_size(formats[i].in, buf, sizeof(buf));
		cr_assert_eq(r, buf);
		cr_assert_str_eq(buf, formats[i].want, "%llu bytes: \"%s\", want \"%s\"",
				 (unsigned long long)formats[i].in, buf, formats[i].want);
	}
}

/* Durations: milliseconds under a second, so nothing short reads "0.00 s" (issue 14). */
Test(units_format_duration, milliseconds_under_a_second)
{
	static const struct {
		double s;
		const char *want;
	} v[] = {
		{ 0, "0.00 ms" },	 { 0.00061, "0.61 ms" }, { 0.0049, "4.90 ms" },
		{ 0.0123, "12.3 ms" },	 { 0.8123, "812.3 ms" }, { 1.0, "1.000 s" },
		{ 12.3456, "12.346 s" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char buf[32];

		cr_assert_str_eq(units_format_duration(v[i].s, buf, sizeof(buf)), v[i].want,
				 "%g s: \"%s\"", v[i].s, buf);
	}
}

Test(units_format_size, truncates_to_buffer)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	units_format_size(108422758, buf, 5);
	cr_assert_str_eq(buf, "103.");
	cr_assert_eq(buf[5], 'x', "wrote past len");
	units_format_size(1023, buf, 4);
	cr_assert_str_eq(buf, "102");
}

/* ---------------------------------------------------------- units_pick, units_format_in */

/* The unit of a mean is picked as units_format_size picks it, also below 1 KiB. */
Test(units_pick, as_format_size)
{
	cr_assert_eq(units_pick(0), 0);
	cr_assert_eq(units_pick(1023.9), 0);
	cr_assert_eq(units_pick(1023.95), 1, "1023.95 B would print as 1024 B");
	cr_assert_eq(units_pick(1048524.0), 1);
	cr_assert_eq(units_pick(1048525.0), 2);
	cr_assert_eq(units_pick(1e30), UNITS_COUNT - 1, "no unit past the last one");
}

Test(units_format_in, whole_bytes_or_one_decimal)
{
	char buf[32];

	cr_assert_str_eq(units_format_in(512.4, 0, buf, sizeof(buf)), "512 B");
	cr_assert_str_eq(units_format_in(1536, 1, buf, sizeof(buf)), "1.5 KiB");
	cr_assert_str_eq(units_format_in(8192, 2, buf, sizeof(buf)), "0.0 MiB");
	cr_assert_str_eq(units_format_in(3 * (double)GIB, 3, buf, sizeof(buf)), "3.0 GiB");
}

Test(units_name, names_and_bytes)
{
	static const char *const want[UNITS_COUNT] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};

	for (unsigned u = 0; u < UNITS_COUNT; u++) {
		cr_assert_str_eq(units_name(u), want[u]);
		cr_assert_eq(units_bytes(u), u ? 1024 * units_bytes(u - 1) : 1);
	}
}
