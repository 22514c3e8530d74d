#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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

size_t util_columns(int fd, size_t fallback)
{
	const char *env = getenv("COLUMNS");
	unsigned long n;
	struct winsize ws;

	if (env && util_parse_ulong(env, 100000, &n) == 0 && n > 0)
		return n;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return fallback;
}
