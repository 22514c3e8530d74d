/* filter: the seccomp filter of the design card (which syscalls stop the tracer). */
#ifndef MAXRSS_FILTER_H
#define MAXRSS_FILTER_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>

/*
 * The SECCOMP_RET_TRACE data of each trapped syscall; PTRACE_GETEVENTMSG at the
 * seccomp stop returns it, so the tracer never reads registers to know which one.
 * 0 is never used (it is what a filter of somebody else's could return).
 */
enum filter_id {
	FILTER_EXIT = 1,
	FILTER_EXIT_GROUP,
	FILTER_EXECVE,
	FILTER_EXECVEAT,
	FILTER_CLONE,
	FILTER_CLONE3,
	FILTER_FORK,
	FILTER_VFORK,
	/* --exact: the syscalls that can lower RSS. */
	FILTER_MUNMAP,
	FILTER_MREMAP,
	FILTER_MADVISE,
	FILTER_BRK,
	FILTER_SHMDT,
	FILTER_MMAP_FIXED,
	FILTER_ID_MAX = FILTER_MMAP_FIXED,
};

/* True for the ids that --exact adds. */
#define FILTER_IS_RELEASE(id) ((id) >= FILTER_MUNMAP && (id) <= FILTER_ID_MAX)

/*
 * Build (not load) the filter: TRACE(id) for the lifecycle syscalls on every
 * architecture this build can meet (with exact, also for the release
 * syscalls), ALLOW for everything else, bad-arch ALLOW, no forced SSB
 * mitigation, no_new_privs only when set_nnp.  Returns 0 and *out, or -errno.
 */
int filter_build(scmp_filter_ctx *out, bool set_nnp, bool exact);

/*
 * A built filter as classic BPF: what seccomp(2) takes.  Exported in the
 * tracer, so that the stub loads it with one system call and no library code
 * (it runs in the tracer's address space until its exec).
 */
struct filter_prog {
	struct sock_filter *insns;	/* malloc'd */
	unsigned short len;
	bool set_nnp;			/* set no_new_privs before loading it */
};

/* Export a built filter; 0 or -errno.  Free with filter_prog_free(). */
int filter_export(scmp_filter_ctx ctx, bool set_nnp, struct filter_prog *out);

/* Free what filter_export() made (a zeroed prog is fine). */
void filter_prog_free(struct filter_prog *prog);

/* Free a built filter (NULL is fine). */
void filter_release(scmp_filter_ctx ctx);

/* "exit_group", ...; "unknown" for ids out of range. */
const char *filter_id_name(int id);

/* True when the caller may load a filter without no_new_privs (CAP_SYS_ADMIN). */
bool filter_privileged(void);

#endif
