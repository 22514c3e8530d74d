#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "launch.h"

/* glibc's execvp default when PATH is unset (confstr _CS_PATH). */
#define DEFAULT_PATH "/bin:/usr/bin"

int launch_resolve(const char *name, const char *path_env, char **out)
{
	size_t nlen = strlen(name);
	const char *dir;
	bool denied = false;

	*out = NULL;
	if (nlen == 0)
		return -ENOENT;
	if (strchr(name, '/')) {
		*out = strdup(name);
		return *out ? 0 : -ENOMEM;
	}
	if (!path_env)
		path_env = DEFAULT_PATH;
	for (dir = path_env;; dir++) {
		const char *end = strchrnul(dir, ':');
		size_t dlen = (size_t)(end - dir);
		char *cand = malloc(dlen + nlen + 3);
		struct stat st;

		if (!cand)
			return -ENOMEM;
		/* An empty entry means the current directory, as for execvp. */
		if (dlen == 0)
			memcpy(cand, "./", 2);
		else {
			memcpy(cand, dir, dlen);
			cand[dlen] = '/';
		}
		memcpy(cand + (dlen ? dlen + 1 : 2), name, nlen + 1);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*out = cand;
				return 0;
			}
			denied = true;
		} else if (errno == EACCES) {
			denied = true;
		}
		free(cand);
		if (*end == '\0')
			break;
		dir = end;
	}
	return denied ? -EACCES : -ENOENT;
}

static void __attribute__((noreturn)) fail(int err_fd, int stage, int err, int status)
{
	struct launch_error e = { stage, err };

	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(status);
	_exit(status);
}

void launch_stub(const char *path, char *const *argv, scmp_filter_ctx filter, int go_fd,
		int err_fd, const struct sigaction *old_int, const struct sigaction *old_quit)
{
	size_t argc = 0;
	char c;
	int rc;

	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGQUIT, old_quit, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	/* The tracer has seized us (or gave up) when this returns. */
	if (read(go_fd, &c, 1) != 1)
		_exit(125);
	close(go_fd);
	rc = filter_load(filter);
	if (rc)
		fail(err_fd, LAUNCH_SECCOMP, -rc, 125);
	execv(path, argv);
	if (errno == ENOEXEC) {
		/* A script without "#!": execvp runs it with /bin/sh; so do we. */
		while (argv[argc])
			argc++;
		char **sh = calloc(argc + 2, sizeof(*sh));

		if (sh) {
			sh[0] = (char *)"sh";
			sh[1] = (char *)path;
			for (size_t i = 1; i <= argc; i++)
				sh[i + 1] = argv[i];
			execv("/bin/sh", sh);
		}
		errno = ENOEXEC;
	}
	fail(err_fd, LAUNCH_EXEC, errno, errno == ENOENT || errno == ENOTDIR ? 127 : 126);
}
