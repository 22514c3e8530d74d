/* filter: the seccomp filter (which syscalls stop the tracer, and which stop is which). */
#ifndef MAXRSS_FILTER_H
#define MAXRSS_FILTER_H

#include <linux/filter.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * What each trapped syscall is to the tracer.  The filter returns the id as
 * its SECCOMP_RET_TRACE data, but a stop is told by its syscall number and
 * architecture (filter_classify): when the command installs a filter of its
 * own that also returns TRACE, the newest filter's data is what the stop
 * carries.  0 is never an id: "not one of ours".
 */
enum filter_id {
	FILTER_NONE = 0,
	FILTER_EXIT,
	FILTER_EXIT_GROUP,
	FILTER_EXECVE,
	FILTER_EXECVEAT,
	FILTER_CLONE, /* only the clones whose child no event tells (filter.c) */
	/* --exact: the syscalls that can lower RSS. */
	FILTER_MUNMAP,
	FILTER_MREMAP,
	FILTER_MADVISE,
	FILTER_BRK,
	FILTER_SHMDT,
	FILTER_MMAP_FIXED,
	FILTER_FTRUNCATE, /* a mapped file (a memfd) cut short */
	FILTER_TRUNCATE,
	FILTER_FALLOCATE,	 /* any mode but plain allocation: punch, collapse, zero */
	FILTER_REMAP_FILE_PAGES, /* an mmap over the range, in the kernel */
	FILTER_PROCESS_MADVISE,	 /* releases pages of the process of a pidfd */
	FILTER_IO_URING_SETUP,	 /* from now on releases can bypass seccomp */
	FILTER_ID_MAX = FILTER_IO_URING_SETUP,
};

/* True for the ids that --exact adds. */
#define FILTER_IS_RELEASE(id) ((id) >= FILTER_MUNMAP && (id) <= FILTER_ID_MAX)

/*
 * The tool's stops by architecture and number, made from the same rules as
 * the filter (filter_classes_init): what the kernel reports at a seccomp stop
 * (PTRACE_GET_SYSCALL_INFO's arch and nr) says which one it is.
 */
struct filter_class {
	uint32_t arch; /* AUDIT_ARCH_* as the kernel reports it (x32 as x86_64) */
	int nr;	       /* x32 numbers keep their __X32_SYSCALL_BIT */
	enum filter_id id;
};

#define FILTER_MAX_CLASSES 96

struct filter_classes {
	struct filter_class c[FILTER_MAX_CLASSES];
	size_t n;
};

/* Fill cls for the filter of filter_build(..., exact).  0 or -errno. */
int filter_classes_init(struct filter_classes *cls, bool exact);

/* The id of the syscall (arch, nr), or FILTER_NONE when it is not one the filter traps. */
enum filter_id filter_classify(const struct filter_classes *cls, uint32_t arch, long nr);

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
	struct sock_filter *insns; /* malloc'd */
	unsigned short len;
	bool set_nnp; /* set no_new_privs before loading it */
};

/* Export a built filter; 0 or -errno.  Free with filter_prog_free(). */
int filter_export(scmp_filter_ctx ctx, bool set_nnp, struct filter_prog *out);

/* Free what filter_export() made (a zeroed prog is fine). */
void filter_prog_free(struct filter_prog *prog);

/* Free a built filter (NULL is fine). */
void filter_release(scmp_filter_ctx ctx);

/*
 * Which argument of clone(2) holds its flags for a syscall made through arch
 * (AUDIT_ARCH_*, as PTRACE_GET_SYSCALL_INFO reports it): the second on s390
 * and s390x, whose clone takes the stack first, the first everywhere else.
 */
unsigned filter_clone_flags_arg(uint32_t arch);

/* True when the caller may load a filter without no_new_privs (CAP_SYS_ADMIN). */
bool filter_privileged(void);

#endif
