/*
 * kernel: what the kernel the tests run on does to RSS figures, from its
 * release and /sys, for tolerances that follow the kernel and not a
 * constant (measuring.md).
 */
#ifndef TESTS_KERNEL_H
#define TESTS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

/* Linux before 6.2: RSS counters are per-task caches, not per-CPU counters. */
bool kernel_per_task_counters(void);

/*
 * How far a per-task cache may lag, per thread: 65 faults unfolded, each
 * mapping up to a 64 KiB fault-around window (one page where pages are
 * larger); mm/memory.c of 6.1, as why_counter_error() says.  0 from 6.2.
 */
uint64_t kernel_counter_lag_per_thread(void);

/*
 * Where a thread's stack may be one transparent huge page, its size: THP
 * "always" (Debian 12's kernels) before Linux 6.7, which marks MAP_STACK
 * mappings VM_NOHUGEPAGE.  glibc gives most of it back (madvise) when the
 * thread ends, before the thread's exit.  0 where it cannot happen.
 */
uint64_t kernel_thp_stack(void);

#endif
