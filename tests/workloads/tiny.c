/*
 * tiny: the smallest program that can report its own memory.
 *
 * Built -static and free of stdio and malloc, it is the "tiny program" of the
 * seed article: a few hundred KiB of RSS, so that any byte of maxrss-sc's own
 * image wrongly charged to it (the ru_maxrss mistake) stands out.
 */
#include "workload.h"

int main(void)
{
	return wl_truth("end") ? 1 : 0;
}
