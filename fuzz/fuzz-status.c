/*
 * fuzz-status: libFuzzer target for procfs_parse_status(), the parser of
 * /proc/PID/status.  The input is the file's text, any bytes, no NUL.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct pstatus st;
	int rc;

	if (!buf)
		return 0;
	if (size)
		memcpy(buf, data, size);
	rc = procfs_parse_status(buf, size, &st);
	if (rc != 0 && rc != -EINVAL)
		abort();
	if (rc == 0 && (st.tgid <= 0 || st.tracer < 0 || st.hwm % 1024 || st.vmrss % 1024))
		abort();
	/* A process without VmRSS has no mm: nothing else may be claimed. */
	if (rc == 0 && !st.has_mm && st.vmrss)
		abort();
	free(buf);
	return 0;
}
