/* tracer: spawn the command under ptrace + seccomp and run the wait loop. */
#ifndef MAXRSS_TRACER_H
#define MAXRSS_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"
#include "result.h"

/* What the tracer tells while it waits for processes the command left running. */
struct tracer_wait {
	unsigned processes;	   /* still running */
	const struct image *first; /* the one that started first, or NULL */
	uint64_t waited_ns;	   /* since the command exited */
	bool limited;		   /* --wait-orphans: it waits limit_ns at most */
	uint64_t limit_ns;
	bool interruptible; /* Ctrl-C ends the wait (maxrss-sc did not start with SIGINT ignored) */
};

struct tracer_config {
	unsigned long interval_ms; /* timed sampling period; 0 = lifecycle stops only */
	bool exact;		   /* also stop before every syscall that can lower RSS */
	bool breakdown;		   /* -b: keep the make-up of each image's peak */
	bool limit_wait;	   /* --wait-orphans: wait at most wait_ns for leftovers */
	uint64_t wait_ns;
	bool hide_output; /* the command's stdout and stderr go to /dev/null */
	/*
	 * Called between stops while the tracer waits for leftovers (often: the
	 * callee decides when to show something), with ctx; NULL: nothing.
	 */
	void (*waiting)(const struct tracer_wait *w, void *ctx);
	void *ctx;
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
