/* launch: find the command like execvp(3), and start the stub that runs it. */
#ifndef MAXRSS_LAUNCH_H
#define MAXRSS_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "filter.h"

/* What the stub tells the tracer through its close-on-exec pipe when it fails. */
enum launch_stage { LAUNCH_SECCOMP = 1, LAUNCH_EXEC };
struct launch_error {
	int stage;
	int err;
};

/*
 * Find name the way execvp(3) would, but in the tracer, before the fork: a
 * PATH search in the traced stub costs one seccomp stop per directory.  A
 * name with a '/' is taken as it is.  Returns 0 and a malloc'd *path, or
 * -ENOENT (not found: status 127), -EACCES (found, not executable: 126),
 * -ENOMEM.
 */
int launch_resolve(const char *name, const char *path_env, char **path);

/* What the stub needs; everything is prepared by the tracer before it starts. */
struct launch_args {
	const char *path;		/* resolved by launch_resolve() */
	char *const *argv;
	char **sh_argv;			/* "sh", path, argv[1]...: for a script without "#!" */
	char *const *envp;
	const struct filter_prog *filter;
	int go_fd;			/* read end: one byte once the tracer has seized us */
	int err_fd;			/* write end, close-on-exec: a struct launch_error */
	sigset_t mask;			/* the signal mask the command starts with */
	int out_fd;			/* made the command's stdout and stderr, or -1 */
};

/*
 * Start the stub: a child that sets a->mask, waits for the go byte, loads the
 * filter and execs (the caller blocks what must not reach it before).  It shares the tracer's memory until the
 * exec (clone(CLONE_VM), no page tables to copy) where this build knows how
 * to make raw system calls, and is a plain fork() elsewhere and under
 * valgrind.  Returns its pid, or -errno.  a must
 * stay untouched until the stub has exec'd or died.
 */
pid_t launch_start(const struct launch_args *a);

/*
 * Run line by /bin/sh -c, untraced, and wait for it (--prepare, --conclude);
 * with hide, its stdout and stderr go to /dev/null.  SIGINT and SIGQUIT
 * reach it, not us, meanwhile (as system(3) does).  Returns its wait
 * status, or -errno when it could not be started.
 */
int launch_untraced(const char *line, bool hide);

/* "sh", path, argv[1]...: malloc'd (the strings are not copied), NULL on ENOMEM. */
char **launch_sh_argv(const char *path, char *const *argv);

#endif
