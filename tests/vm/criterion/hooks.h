/*
 * hooks.h for check-vm: Criterion's ReportHook, PRE_ALL only (what the
 * suite uses: e2e.c asks once, in the runner, whether tracing works).  The
 * runner calls the PRE_ALL hooks before the first test; the workers inherit
 * what they set.  Hooks of any other kind are not called.
 */
#ifndef MAXRSS_VM_CRITERION_HOOKS_H
#define MAXRSS_VM_CRITERION_HOOKS_H

#include <string.h>

#include "criterion.h"

struct criterion_test_set;

void crit_register_hook(const char *kind, void (*hook)(struct criterion_test_set *));

#define CRIT_HOOK_(Kind, L)                                                            \
	static void crit_hook_##Kind##_##L(struct criterion_test_set *);               \
	__attribute__((constructor)) static void crit_hook_register_##Kind##_##L(void) \
	{                                                                              \
		crit_register_hook(#Kind, crit_hook_##Kind##_##L);                     \
	}                                                                              \
	static void crit_hook_##Kind##_##L
#define CRIT_HOOK(Kind, L) CRIT_HOOK_(Kind, L)
#define ReportHook(Kind) CRIT_HOOK(Kind, __LINE__)

#endif
