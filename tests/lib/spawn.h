/*
 * spawn: start a command in the background and talk to it while it runs
 * (read its output line by line, signal it, wait for it with a deadline).
 * For the tests of signals, job control and hostile environments.
 */
#ifndef MAXRSS_TEST_SPAWN_H
#define MAXRSS_TEST_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct spawn_opts {
	bool new_pgrp;		   /* run in a new process group (its pgid = its pid) */
	int keep_fd;		   /* a descriptor to pass on as it is, or -1 (or 0: none) */
	const char *const *setenv; /* "NAME=VALUE" strings to add, NULL-terminated, or NULL */
};

struct spawned {
	pid_t pid;
	int out;      /* the read end of its stdout, -1 once at EOF */
	int err;      /* the read end of its stderr, -1 once at EOF */
	char *errbuf; /* stderr read so far, NUL-terminated */
	size_t errlen;
	char line[4096]; /* partial stdout line */
	size_t linelen;
};

/*
 * Start argv (argv[0] a path or a name in PATH) with stdin from /dev/null,
 * default signal dispositions, an empty signal mask and no core dumps.
 * Returns 0, or -errno when it could not be started.
 */
int spawn_start(struct spawned *s, char *const argv[], const struct spawn_opts *o);

/*
 * Read the next whole line of stdout (without its newline) within
 * timeout_ms.  Returns true, or false on timeout or EOF.
 */
bool spawn_line(struct spawned *s, char *buf, size_t len, int timeout_ms);

/* Bytes of stdout that arrive during the next ms milliseconds (discarded). */
size_t spawn_count_output(struct spawned *s, int ms);

/*
 * Wait at most timeout_ms for it to end; stdout is drained meanwhile.
 * Returns true with its raw wait status in *status, or false after killing
 * its process group (new_pgrp) or it with SIGKILL and reaping it.
 */
bool spawn_wait(struct spawned *s, int timeout_ms, int *status);

/* Close the pipes and free what spawn_start took. */
void spawn_free(struct spawned *s);

/* Monotonic milliseconds. */
double spawn_now_ms(void);

/* A process's state letter from /proc/PID/stat ('R', 'S', 'T', 't', 'Z'...), or 0 if gone. */
char spawn_proc_state(pid_t pid);

/* The parent pid from /proc/PID/stat, or -1 if gone. */
pid_t spawn_proc_ppid(pid_t pid);

/*
 * Live (not zombie) processes in process group pgid, at most max of them
 * stored in pids.  Returns their count.
 */
size_t spawn_pgrp_members(pid_t pgid, pid_t *pids, size_t max);

#endif
