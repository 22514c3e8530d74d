/*
 * smaps: what an image's memory is made of, from /proc/PID/smaps, in the
 * groups people ask about: the heap, the main stack, anonymous private
 * memory, shared memory, each mapped file, and the rest.  The parser is
 * pure; smaps_read() does the I/O.
 */
#ifndef MAXRSS_SMAPS_H
#define MAXRSS_SMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum smaps_kind {
	SMAPS_HEAP,  /* [heap]: what brk gave */
	SMAPS_STACK, /* [stack]: the main thread's stack */
	SMAPS_ANON,  /* anonymous private: malloc arenas, large allocations, thread stacks, JIT */
	SMAPS_SHMEM, /* shared memory: memfd, SysV, MAP_SHARED|MAP_ANONYMOUS, tmpfs of /dev/shm */
	SMAPS_FILE,  /* a mapped file: the executable, a library, a data file (one group each) */
	SMAPS_OTHER, /* [vdso], [vvar], [vsyscall], ... */
	SMAPS_KINDS
};

/* One group: the mappings of one kind (and, for files and named shared memory, one path). */
struct smaps_group {
	enum smaps_kind kind;
	char *path; /* as the kernel shows it (" (deleted)" kept), or NULL for a kind without one */
	uint64_t rss, pss, anon, swap; /* bytes: the sums of Rss, Pss, Anonymous, Swap */
	unsigned mappings;
};

struct smaps {
	struct smaps_group *v; /* largest Rss first (ties: by kind, then path) */
	size_t n;
	uint64_t rss, pss, anon, swap; /* the sums over the groups (and so over every mapping) */
	uint64_t uss;		       /* Private_Clean + Private_Dirty, over every mapping */
	unsigned mappings;
};

/*
 * Parse smaps text (len bytes).  0; -ENODATA when it has no mapping (a
 * process without an mm); -EINVAL when a mapping's header or a used value
 * is malformed; -ENOMEM.  On error *out is empty.
 */
int smaps_parse(const char *text, size_t len, struct smaps *out);

/* Read /proc/TID/smaps through procfd and parse it: 0, -ESRCH when gone (or no mm), -errno. */
int smaps_read(int procfd, pid_t tid, struct smaps *out);

void smaps_free(struct smaps *s);

/* The name of a kind in reports: "heap", "stack", "anonymous", "shared memory", "file", "other". */
const char *smaps_kind_name(enum smaps_kind kind);

/*
 * A group in words, in buf (len bytes), as raw text that each writer
 * escapes: "heap", "anonymous", "shared memory /memfd:x (deleted)", or a
 * file's path, its last part only with short_path.
 */
void smaps_group_label(const struct smaps_group *g, bool short_path, char *buf, size_t len);

#endif
