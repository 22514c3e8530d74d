/* Unit tests of util: bounded integers, util_grow. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "util.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

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
