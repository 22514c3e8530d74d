#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util.h"

static void vwarn(const char *fmt, va_list ap, int err)
{
	fputs("maxrss-sc: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
}

void warn_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap, 0);
	va_end(ap);
}

void warn_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap, err);
	va_end(ap);
	errno = err;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t util_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t util_thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

int util_parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned long d = (unsigned long)(*s - '0');

		if (*s < '0' || *s > '9')
			return -EINVAL;
		if (v > max / 10 || (v == max / 10 && d > max % 10)) {
			/* Still refuse junk after an overlong number as junk. */
			while (*s >= '0' && *s <= '9')
				s++;
			return *s ? -EINVAL : -ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int util_parse_size(const char *s, uint64_t *out)
{
	uint64_t whole = 0, frac = 0, frac_div = 1, mult = 1;
	const char *p = s;

	if (!s || *p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t d = (uint64_t)(*p - '0');

		if (whole > UINT64_MAX / 10 || (whole == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return -EINVAL;
		whole = whole * 10 + d;
	}
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		/* Up to 6 fractional digits are kept; more are a typo, not precision. */
		for (; *p >= '0' && *p <= '9'; p++) {
			if (frac_div >= 1000000)
				return -EINVAL;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_div *= 10;
		}
	}
	switch (*p) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mult = KIB;
		p++;
		break;
	case 'm':
	case 'M':
		mult = MIB;
		p++;
		break;
	case 'g':
	case 'G':
		mult = GIB;
		p++;
		break;
	case 't':
	case 'T':
		mult = GIB * 1024;
		p++;
		break;
	case 'b':
	case 'B':
		break;
	default:
		return -EINVAL;
	}
	/* Accept "K", "KiB", "KB" (all IEC here), and a bare "B" for bytes. */
	if (mult > 1 && *p == 'i')
		p++;
	if (*p == 'B' || (*p == 'b' && mult == 1))
		p++;
	if (*p)
		return -EINVAL;
	if (frac && mult == 1)
		return -EINVAL; /* fractional bytes */
	if (whole > UINT64_MAX / mult || whole * mult > UINT64_MAX - frac * mult / frac_div)
		return -EINVAL;
	*out = whole * mult + frac * mult / frac_div;
	return 0;
}

char *util_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t div = KIB;

	if (bytes < KIB) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	/* Move up while the value would print as 1024.0 or more. */
	while (u + 1 < sizeof(units) / sizeof(units[0]) &&
	       (double)bytes / (double)div >= 1023.95)
		div *= 1024, u++;
	snprintf(buf, len, "%.1f %s", (double)bytes / (double)div, units[u]);
	return buf;
}

int util_grow(void **array, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	if (n <= *cap)
		return 0;
	if (size == 0 || n > SIZE_MAX / size)
		return -ENOMEM;
	while (ncap < n)
		ncap = ncap > SIZE_MAX / 2 ? n : ncap * 2;
	if (ncap > SIZE_MAX / size)
		ncap = n;
	p = realloc(*array, ncap * size);
	if (!p)
		return -ENOMEM;
	*array = p;
	*cap = ncap;
	return 0;
}
