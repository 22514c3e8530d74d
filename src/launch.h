/* launch: find the command like execvp(3), and the forked stub that runs it. */
#ifndef MAXRSS_LAUNCH_H
#define MAXRSS_LAUNCH_H

#include <seccomp.h>
#include <signal.h>

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

/*
 * In the forked child: restore the signal dispositions the tracer changed,
 * wait for the tracer's go byte on go_fd, load the filter, exec path with
 * argv.  Failures are written to err_fd as a struct launch_error.
 */
void launch_stub(const char *path, char *const *argv, scmp_filter_ctx filter, int go_fd,
		int err_fd, const struct sigaction *old_int, const struct sigaction *old_quit)
	__attribute__((noreturn));

#endif
