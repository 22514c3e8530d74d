/*
 * fuzz-rollup: libFuzzer target for procfs_parse_rollup(), the parser of
 * /proc/PID/smaps_rollup.  The input is the file's text, of any bytes and
 * any length, with no terminating NUL: the parser must stay inside it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy: AddressSanitizer then sees any read past the end. */
	char *buf = malloc(size ? size : 1);
	struct rollup r;
	int rc;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	rc = procfs_parse_rollup(buf, size, &r);
	if (rc != 0 && rc != -EINVAL && rc != -ENODATA)
		abort();
	if (rc == -ENODATA && size != 0)
		abort();
	/* Sizes are whole kB, and USS is part of RSS only by the kernel's word. */
	if (rc == 0 &&
	    (r.rss % 1024 || r.pss % 1024 || r.uss % 1024 || r.anon % 1024 || r.swap % 1024))
		abort();
	free(buf);
	return 0;
}
