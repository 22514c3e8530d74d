/*
 * cantrace: may this process trace its children as maxrss-sc does?
 * Exit 0 when it may; else the reason on stdout and exit 77, automake's
 * status of a skipped test.  For the shell tests (tests/lib/tracing.h).
 */
#include <stdio.h>

#include "../lib/tracing.h"

int main(void)
{
	char why[256];

	if (!tracing_refused(why, sizeof(why)))
		return 0;
	printf("%s\n", why);
	return 77;
}
