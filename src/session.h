/*
 * session: the runs the options ask for (the warm-up runs, then the
 * measured ones), one after the other under the tracer, with a progress
 * line when a series runs on a terminal.
 */
#ifndef MAXRSS_SESSION_H
#define MAXRSS_SESSION_H

#include "options.h"
#include "result.h"
#include "runs.h"
#include "subjects.h"

/*
 * Run the subjects of s as o asks, in rounds (every command once a round);
 * each measured run of s->v[k] that ran to its end is added to rs[k]
 * (runs_init'ed by the caller).  Messages go to stderr.  Fills every fact of
 * the exit status but "exceeded" and the failures of the outputs.  A run
 * that could not start, a failure of maxrss-sc, or a run interrupted as by
 * Ctrl-C ends the session early.
 */
void session_run(const struct options *o, const struct subjects *s, struct runs *rs,
		 struct exit_facts *facts);

#endif
