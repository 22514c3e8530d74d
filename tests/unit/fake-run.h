/*
 * fake-run: a made-up measured run for the tests of runs and of the --runs
 * reports: one image of a given peak, a given end, wall and CPU times.
 */
#ifndef MAXRSS_TEST_FAKE_RUN_H
#define MAXRSS_TEST_FAKE_RUN_H

#include <stdint.h>

#include "result.h"

/*
 * A run of command: one image sampled once at peak RSS and tree_pss PSS
 * (not sampled when peak is 0: its peak is unknown), that exited with code,
 * or was killed by sig when sig is not 0; user and sys times are a half and
 * a quarter of wall.  Asserts on failure.
 */
struct result *fake_run(char *const *command, uint64_t peak, uint64_t tree_pss, double wall,
			int code, int sig);

#endif
