/* probe: the kernel features maxrss-sc cannot work without, checked at start-up. */
#ifndef MAXRSS_PROBE_H
#define MAXRSS_PROBE_H

#include <stddef.h>

/*
 * Check once per process, cheaply, that the kernel has every feature the
 * tracer needs and that can be missing (too old a kernel, or one built
 * without it): seccomp filters, child subreapers, process_vm_readv, kcmp
 * and /proc/PID/smaps_rollup.  Returns 0, or -ENOSYS with one line in msg
 * naming the first feature missing and the Linux version that brought it.
 * Denials (EPERM: another tracer, a security policy) are not the kernel's
 * age: they pass here, and the tracer reports them where they happen.
 */
int probe_kernel(int procfd, char *msg, size_t len);

/*
 * The ptrace features, checked where the tracer first uses them on the
 * command's stub, before the command runs: the errno of a failed
 * PTRACE_SEIZE with the tracer's options, and of a failed
 * PTRACE_GET_SYSCALL_INFO at a seccomp stop.  -ENOSYS with msg set when it
 * says the kernel lacks the feature, else 0 (a denial, a task gone).
 */
int probe_seize_failed(int err, char *msg, size_t len);
int probe_syscall_info_failed(int err, char *msg, size_t len);

#endif
