#include <errno.h>
#include <stdio.h>

#include "units.h"

static const char *const names[UNITS_COUNT] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };

const char *units_name(unsigned u)
{
	return names[u < UNITS_COUNT ? u : UNITS_COUNT - 1];
}

double units_bytes(unsigned u)
{
	double d = 1;

	while (u--)
		d *= 1024;
	return d;
}

unsigned units_pick(double bytes)
{
	unsigned u = 0;

	/* One decimal: from 1023.95 up the value would round to 1024.0. */
	while (u + 1 < UNITS_COUNT && bytes / units_bytes(u) >= 1023.95)
		u++;
	return u;
}

char *units_format_duration(double seconds, char *buf, size_t len)
{
	if (seconds < 0.01)
		snprintf(buf, len, "%.2f ms", seconds * 1e3);
	else if (seconds < 1.0)
		snprintf(buf, len, "%.1f ms", seconds * 1e3);
	else
		snprintf(buf, len, "%.3f s", seconds);
	return buf;
}

char *units_format_in(double bytes, unsigned u, char *buf, size_t len)
{
	if (u == 0)
		snprintf(buf, len, "%.0f B", bytes);
	else
		snprintf(buf, len, "%.1f %s", bytes / units_bytes(u), units_name(u));
	return buf;
}

char *units_format_size(uint64_t bytes, char *buf, size_t len)
{
	return units_format_in((double)bytes, units_pick((double)bytes), buf, len);
}

/* The multiplier of a unit letter, 1 for a bare "B", 0 for anything else. */
static uint64_t suffix(char c)
{
	switch (c) {
	case 'k':
	case 'K':
		return KIB;
	case 'm':
	case 'M':
		return MIB;
	case 'g':
	case 'G':
		return GIB;
	case 't':
	case 'T':
		return TIB;
	case 'b':
	case 'B':
		return 1;
	default:
		return 0;
	}
}

int units_parse_size(const char *s, uint64_t *out)
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
	if (*p) {
		mult = suffix(*p);
		if (mult == 0)
			return -EINVAL;
		if (mult > 1)
			p++;
	}
	/* Accept "K", "KiB", "KB" (all IEC here), and a bare "B" for bytes. */
	if (*p == 'i')
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
