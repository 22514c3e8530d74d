/*
 * sysops: every system call the tracer makes on the processes it traces
 * (ptrace, signals, waitid, kcmp, their memory and their /proc files),
 * behind one table of functions: the real one for a run, synthetic ones
 * for unit tests that serve the wait loop's handlers made-up stops.
 */
#ifndef MAXRSS_SYSOPS_H
#define MAXRSS_SYSOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/types.h>

#include "procfs.h"
#include "smaps.h"

/*
 * Each function takes the table itself first (a test's table embeds it to
 * find its own state).  Calls on a task that is gone return -ESRCH (or
 * false, or 0 for event_msg): never an error of the tracer's.
 */
struct sysops {
	/* ptrace on a stopped tracee; 0 or -errno */
	int (*cont)(const struct sysops *o, pid_t tid, int sig);
	int (*listen)(const struct sysops *o, pid_t tid);
	/* let a stopped tracee go: no report of it comes any more */
	int (*detach)(const struct sysops *o, pid_t tid);
	int (*interrupt)(const struct sysops *o, pid_t tid);
	int (*set_options)(const struct sysops *o, pid_t tid, long options);
	unsigned long (*event_msg)(const struct sysops *o, pid_t tid);
	/* At a seccomp stop: its syscall (arch, nr, arguments); false when unknown. */
	bool (*syscall_info)(const struct sysops *o, pid_t tid, struct __ptrace_syscall_info *info);
	/* A NUL-terminated string at addr, at most len bytes with the NUL; 0 or -1 */
	int (*read_string)(const struct sysops *o, pid_t tid, uint64_t addr, char *buf, size_t len);

	int (*kill)(const struct sysops *o, pid_t pid, int sig);
	/* Is pid a tracee or child of ours not yet reaped?  (waitid WNOWAIT) */
	bool (*is_ours)(const struct sysops *o, pid_t pid);
	/* Do a and b run on one mm?  false when the kernel cannot tell. */
	bool (*same_mm)(const struct sysops *o, pid_t a, pid_t b);
	/* Is tid a thread of process tgid?  (tgkill with no signal) */
	bool (*in_group)(const struct sysops *o, pid_t tgid, pid_t tid);

	/* /proc of a task: the procfs readers' contracts */
	int (*read_status)(const struct sysops *o, pid_t tid, struct pstatus *st);
	int (*read_stat)(const struct sysops *o, pid_t tid, struct pstat *st);
	int (*read_syscall)(const struct sysops *o, pid_t tid, long *nr);
	int (*read_rollup)(const struct sysops *o, pid_t tid, struct rollup *r);
	int (*read_smaps)(const struct sysops *o, pid_t tid, struct smaps *s);
	int (*read_cmdline)(const struct sysops *o, pid_t tid, char **buf, size_t *len);
	int (*read_exe)(const struct sysops *o, pid_t tid, char **exe);
	int (*read_pidfd_pid)(const struct sysops *o, pid_t tid, int fd, pid_t *pid);
	int (*exec_file_missing)(const struct sysops *o, pid_t tid, const char *path);

	int procfd; /* the real table reads /proc through it */
};

/* The real system: fill o and open /proc.  0 or -errno. */
int sysops_open(struct sysops *o);

/* Close what sysops_open() opened. */
void sysops_close(struct sysops *o);

#endif
