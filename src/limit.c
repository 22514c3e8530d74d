#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "limit.h"
#include "units.h"

static const char *const names[LIMIT_FIGURES] = { "peak-rss", "tree-rss", "tree-pss" };
static const char *const labels[LIMIT_FIGURES] = { "peak RSS", "tree peak RSS", "tree peak PSS" };

int limit_parse(const char *arg, struct limit *out, int *bad_figure)
{
	const char *colon = strchr(arg, ':');
	enum limit_figure f = LIMIT_PEAK_RSS;

	*bad_figure = 0;
	if (colon) {
		size_t n = (size_t)(colon - arg);
		int k = 0;

		while (k < LIMIT_FIGURES &&
		       (strlen(names[k]) != n || strncmp(arg, names[k], n) != 0))
			k++;
		if (k == LIMIT_FIGURES) {
			*bad_figure = 1;
			return -EINVAL;
		}
		f = (enum limit_figure)k;
		arg = colon + 1;
	}
	if (units_parse_size(arg, &out->bytes))
		return -EINVAL;
	out->figure = f;
	return 0;
}

const char *limit_name(enum limit_figure f)
{
	return f < LIMIT_FIGURES ? names[f] : "?";
}

const char *limit_label(enum limit_figure f)
{
	return f < LIMIT_FIGURES ? labels[f] : "?";
}

char *limit_format(const struct limit *l, char *buf, size_t len)
{
	char size[32];

	units_format_size(l->bytes, size, sizeof(size));
	if (l->figure == LIMIT_PEAK_RSS)
		snprintf(buf, len, "--fail-above=%s", size);
	else
		snprintf(buf, len, "--fail-above=%s:%s", limit_name(l->figure), size);
	return buf;
}
