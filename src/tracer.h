/* tracer: spawn the command under ptrace + seccomp and run the wait loop. */
#ifndef MAXRSS_TRACER_H
#define MAXRSS_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proctable.h"

struct tracer_config {
	unsigned long interval_ms; /* timed sampling period; 0 = lifecycle stops only */
	bool exact;		   /* also stop before every syscall that can lower RSS */
};

/* The "tracer" object of the JSON report: what measuring cost, and how it was done. */
struct tracer_figures {
	unsigned long stops;	      /* ptrace stops and deaths served */
	uint64_t rss_bytes;	      /* maxrss-sc's own VmHWM at the end (0: unknown) */
	unsigned long interval_ms;    /* the configured timed sampling period */
	unsigned long timed_passes;   /* timed sampling passes over the live tree */
	uint64_t max_interval_ns;     /* longest period the back-off chose (0: never backed off) */
	uint64_t sampling_ns;	      /* tracer CPU time spent in those passes */
	bool exact;		      /* --exact was in force */
	const char *rss_source;	      /* --exact readings: "VmRSS" or "smaps_rollup" */
	unsigned long exact_stops;    /* stops before release syscalls */
	bool exact_hwm_floor;	      /* --exact fell back to VmHWM as a floor (io_uring) */
	unsigned long exec_samples_skipped; /* execve entries not sampled: file absent */
};

/* The "after_exit" object: what was left when the command itself ended. */
struct after_exit {
	unsigned processes;	/* still running when the command exited */
	uint64_t ns;		/* how long we waited for them */
	unsigned stopped_woken;	/* left stopped: sent SIGHUP and SIGCONT */
	unsigned stopped_killed; /* stopped again after that: killed */
};

struct tracer_result {
	bool ran;		/* the command was executed: a report is due */
	int status;		/* maxrss-sc's exit status */
	bool exited;		/* the command exited (else it was killed) */
	int exit_code;		/* when exited */
	int signal;		/* when killed */
	uint64_t wall_ns;	/* first exec to the end of the last process */
	bool has_ru;
	uint64_t ru_maxrss_bytes; /* ru_maxrss of the direct child, from wait4 */
	double user_seconds, sys_seconds; /* rusage of the direct child */
	struct after_exit after_exit;
	struct tracer_figures tracer;
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
