/*
 * tracing: can this process trace its children the way maxrss-sc does?
 * The test suite asks before every test that needs it, so that where
 * ptrace or seccomp is refused (a container's seccomp profile, a sandbox,
 * Yama, a PID namespace without its own /proc) those tests are skipped
 * with the reason instead of failing: a distribution's build in such a
 * chroot then reports "skipped".
 *
 * The probe does what the tool needs, on its own: it seizes a child with
 * PTRACE_SEIZE, the child loads a seccomp filter that returns
 * SECCOMP_RET_TRACE for one call and makes it, the probe sees that stop,
 * and /proc must be this PID namespace's.  It does not run maxrss-sc: a
 * broken tool still fails its tests.
 */
#ifndef MAXRSS_TEST_TRACING_H
#define MAXRSS_TEST_TRACING_H

#include <stddef.h>

/* 0 when tracing works here; 1 with the reason in why (one line) when it does not. */
int tracing_refused(char *why, size_t len);

#endif
