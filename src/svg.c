#include <math.h>
#include <string.h>

#include "escape.h"
#include "svg.h"
#include "units.h"

void svg_begin(FILE *f, int width, int height)
{
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Liberation Sans, Arial, "
		"sans-serif\">\n",
		width, height, width, height);
}

void svg_text(FILE *f, const char *s, size_t max_chars)
{
	escape_xml_text(f, s, strlen(s), max_chars);
}

/* An axis to 27.5 fits data to 25.4 better than one to 30. */
double svg_nice_step(double range, int min_ticks, int max_ticks)
{
	static const double norms[] = { 1, 2, 2.5, 5 };
	double mag = pow(10, floor(log10(range / max_ticks))), best = 0, best_top = INFINITY;

	for (int e = 0; e < 3; e++)
		for (size_t i = 0; i < sizeof(norms) / sizeof(norms[0]); i++) {
			double step = norms[i] * mag * pow(10, e);
			double top = ceil(range / step - 1e-9) * step, ticks = top / step;

			if (ticks > max_ticks + 1e-9 || ticks < min_ticks - 1e-9)
				continue;
			if (top < best_top - 1e-9 * top) {
				best = step;
				best_top = top;
			}
		}
	if (best > 0)
		return best;
	/* No step gives min_ticks under max_ticks: settle for fewer ticks. */
	return min_ticks > 1 ? svg_nice_step(range, 1, max_ticks) : 100 * mag;
}

int svg_decimals(double step)
{
	int d = 0;
	double scaled = step;

	while (d < 3 && fabs(scaled - round(scaled)) > 1e-6 * scaled) {
		d++;
		scaled *= 10;
	}
	return d;
}

void svg_size_axis(struct svg_size_axis *a, double top_bytes, double headroom, int min_ticks,
		   int max_ticks)
{
	double range;

	if (!(top_bytes > 0))
		top_bytes = (double)MIB;
	a->unit_index = 0;
	a->unit = 1;
	while (a->unit_index + 1 < UNITS_COUNT && top_bytes / a->unit >= 1024) {
		a->unit *= 1024;
		a->unit_index++;
	}
	range = top_bytes * headroom / a->unit;
	a->step = svg_nice_step(range, min_ticks, max_ticks);
	/* Ticks are counted from the top: a whole number of steps. */
	a->top = ceil(range / a->step - 1e-9) * a->step;
}
