/* run: run a command (the built tool) and capture what it printed. */
#ifndef MAXRSS_TEST_RUN_H
#define MAXRSS_TEST_RUN_H

#include <stddef.h>

struct run_output {
	int status;    /* exit code, or 128 + signal if it was killed */
	char *out;     /* all of stdout, NUL-terminated */
	size_t out_len;
	char *err;     /* all of stderr, NUL-terminated */
	size_t err_len;
};

/*
 * Run argv (argv[0] a path or a name looked up in PATH) with stdin from
 * stdin_text (NULL: /dev/null), wait for it, capture stdout and stderr.
 * Returns 0, or -1 when it could not be started.
 */
int run_capture(char *const argv[], const char *stdin_text, struct run_output *out);
void run_free(struct run_output *out);

/* "$MAXRSS_SC" and "$WORKLOADS/name", as set by make check. */
const char *run_tool(void);
const char *run_workload(const char *name); /* static buffer per call site: copy it */

#endif
