/* tracer: spawn the command under ptrace + seccomp and run the wait loop. */
#ifndef MAXRSS_TRACER_H
#define MAXRSS_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"
#include "result.h"

struct tracer_config {
	unsigned long interval_ms; /* timed sampling period; 0 = lifecycle stops only */
	bool exact;		   /* also stop before every syscall that can lower RSS */
	bool breakdown;		   /* -b: keep the make-up of each image's peak */
};

/*
 * Run command (NULL-terminated argv, looked up in PATH) under the tracer and
 * fill pt and res.  Returns 0 when the wait loop ran to the end (res->status
 * says how the command ended: its code, 128+N, 126, 127); -errno with a
 * message in err when maxrss-sc itself failed (exit status 125).
 */
int tracer_run(char *const *command, const struct tracer_config *cfg, struct proctable *pt,
	       struct tracer_result *res, char *err, size_t errlen);

#endif
