/* procfs: read and parse /proc/PID files.  Parsers are pure; readers do the I/O. */
#ifndef MAXRSS_PROCFS_H
#define MAXRSS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Parse "   1234 kB" (the whole rest of a line, [p, end), after a "Key:")
 * into bytes.  Returns the end of the unit, or NULL when malformed or
 * beyond 2^64 bytes.
 */
const char *procfs_parse_kb(const char *p, const char *end, uint64_t *out);

/* From /proc/PID/smaps_rollup, all in bytes.  Exact at the moment of reading. */
struct rollup {
	uint64_t rss;	    /* Rss */
	uint64_t pss;	    /* Pss */
	uint64_t uss;	    /* Private_Clean + Private_Dirty */
	uint64_t anon;	    /* Anonymous */
	uint64_t swap;	    /* Swap */
	uint64_t pss_anon;  /* Pss_Anon (0 where the kernel lacks it) */
	uint64_t pss_file;  /* Pss_File */
	uint64_t pss_shmem; /* Pss_Shmem */
};

/* From /proc/PID/status, in bytes.  VmHWM and VmRSS are counters: see CAVEATS in the man page. */
struct pstatus {
	pid_t tgid;	     /* Tgid */
	pid_t ppid;	     /* PPid: 0 when the parent is outside our pid namespace */
	pid_t tracer;	     /* TracerPid: 0 when not traced */
	bool has_mm;	     /* false for a zombie or kernel thread (no Vm* lines) */
	uint64_t hwm;	     /* VmHWM */
	uint64_t vmrss;	     /* VmRSS */
	uint64_t rss_anon;   /* RssAnon */
	uint64_t rss_file;   /* RssFile */
	uint64_t rss_shmem;  /* RssShmem */
	uint64_t pte;	     /* VmPTE: the page tables */
	int seccomp_filters; /* Seccomp_filters (Linux 5.9): -1 when the kernel does not say */
};

/* From /proc/PID/stat: what the kernel says of a task's state and family. */
struct pstat {
	char state; /* R, S, D, T, t, Z, X, ... */
	pid_t ppid;
	pid_t pgrp;
	pid_t session;
	unsigned long flags; /* the task's PF_* flags */
};

/* PF_SIGNALED: the task is dying of a signal (a group exit, a fatal signal, an exec's de_thread). */
#define PROCFS_PF_SIGNALED 0x00000400UL

/*
 * Parse smaps_rollup text.  Returns 0; -ENODATA for empty text (a process
 * without an mm); -EINVAL when Rss or Pss is missing or a value is malformed.
 */
int procfs_parse_rollup(const char *buf, size_t len, struct rollup *out);

/*
 * Parse status text.  Returns 0 (has_mm false when there are no VmRSS/VmHWM
 * lines), or -EINVAL when Tgid is missing or a used value is malformed.
 */
int procfs_parse_status(const char *buf, size_t len, struct pstatus *out);

/*
 * Parse stat text ("pid (comm) state ppid pgrp session tty tpgid flags ...";
 * comm may hold spaces and parentheses).  0, or -EINVAL when malformed.
 */
int procfs_parse_stat(const char *buf, size_t len, struct pstat *out);

/*
 * Parse /proc/PID/syscall text: the number of the system call the (stopped
 * or blocked) task is in, -1 when it is in none.  0; -EAGAIN for "running"
 * (the kernel cannot tell); -EINVAL when malformed.
 */
int procfs_parse_syscall(const char *buf, size_t len, long *nr);

/* The "Pid:" of a pidfd's /proc/PID/fdinfo/FD text: 0; -ENOENT when absent (not a pidfd). */
int procfs_parse_fdinfo_pid(const char *buf, size_t len, pid_t *pid);

/* Open the /proc directory for the readers below; returns an fd or -errno. */
int procfs_open(void);

/*
 * Is the /proc behind procfd of our own PID namespace?  A process that
 * entered a new one (unshare --pid --fork, a container without its own
 * /proc) sees there the pids of another: every pid of the tree would name
 * some other process.  0 when /proc/self is us; -EXDEV when it is not;
 * -ENOENT when no procfs is mounted there; other -errno when it cannot tell.
 */
int procfs_check_self(int procfd);

/* Yama's kernel.yama.ptrace_scope (0 to 3): 0, or -ENOENT without Yama. */
int procfs_read_yama_scope(int procfd, int *scope);

/*
 * Readers.  Return 0, -ESRCH when the task is gone or has no mm any more
 * (ENOENT, ESRCH, empty file), -EINVAL on unparsable text, other -errno.
 */
int procfs_read_rollup(int procfd, pid_t tid, struct rollup *out);
int procfs_read_status(int procfd, pid_t tid, struct pstatus *out);
int procfs_read_stat(int procfd, pid_t tid, struct pstat *out);
int procfs_read_syscall(int procfd, pid_t tid, long *nr);
/* The process a descriptor of tid refers to, when it is a pidfd. */
int procfs_read_pidfd_pid(int procfd, pid_t tid, int fd, pid_t *pid);

/*
 * Read /proc/PID/cmdline into a malloc'd buffer of NUL-terminated strings
 * (*buf, *len bytes; each argument ends in NUL; 0 bytes for none), and readlink /proc/PID/exe into a
 * malloc'd *exe (NULL when unreadable).  0 or -errno.
 */
int procfs_read_cmdline(int procfd, pid_t pid, char **buf, size_t *len);
int procfs_read_exe(int procfd, pid_t pid, char **exe);

/*
 * Is path missing as task tid sees it, so that an execve of it fails for
 * want of a file?  It is resolved from tid's root (absolute) or working
 * directory (relative), with tid's own symbolic links, and the deepest part
 * of it that exists must not be in procfs (where /proc/self and /dev/fd name
 * the caller's own files, not tid's).  1 when missing; 0 when it exists or
 * when anything is unsure.
 */
int procfs_exec_file_missing(int procfd, pid_t tid, const char *path);

/*
 * Is VmRSS in status an exact sum on this kernel (Linux 6.16 and the stable
 * backports), or the per-CPU counter approximation?  Probes the calling
 * process (touching 21 pages of its own): 1 exact, 0 approximate, -errno
 * when it cannot tell.
 */
int procfs_probe_vmrss_exact(int procfd);

#endif
