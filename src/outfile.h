/*
 * outfile: an output file (-o, --timeline, --plot, the exports) that is
 * complete or absent.  It is opened before the command runs, so that a bad
 * path is refused first; what the writers write goes to a file of its own
 * in the target's directory (unnamed where the file system allows it,
 * O_TMPFILE), and only a commit after everything was written puts it in
 * the target's place, whole.  A failed write, an abort or a death of
 * maxrss-sc leaves the target as it was (absent, or its old contents).
 *
 * Targets that are not regular files are written in place: a device
 * (/dev/null, /dev/full), a FIFO, and the names of descriptors (/dev/stdout,
 * /dev/fd/N, /proc/.../fd/N).  A symbolic link to a regular file is
 * followed, and the file it names replaced.
 */
#ifndef MAXRSS_OUTFILE_H
#define MAXRSS_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/* How the bytes reach the target. */
enum outfile_way {
	OUTFILE_ANY,	 /* the best the file system allows (outfile_open) */
	OUTFILE_TMPFILE, /* an unnamed file (O_TMPFILE), linked in at the commit */
	OUTFILE_NAMED,	 /* a hidden ".NAME.XXXXXX" beside the target, made at the first
			    write and renamed over it at the commit */
	OUTFILE_DIRECT,	 /* the target itself, written in place */
};

struct outfile {
	FILE *f;    /* where the writers write; NULL when not open */
	char *path; /* the target as given (for messages) */
	enum outfile_way way;
	int dirfd;	    /* the target's directory (not DIRECT) */
	char *name;	    /* the target's name in it */
	char *tmpname;	    /* OUTFILE_NAMED: the temporary's name, once made */
	int fd;		    /* where the bytes go, -1 before the first write (NAMED) */
	int err;	    /* the first error of a write, an errno; 0 if none */
	bool discard;	    /* aborting: writes go nowhere */
	bool had_target;    /* a regular file was there: its mode is kept */
	struct stat target; /* what it was */
};

/*
 * Open path for writing: 0, or -errno when it cannot be written (a
 * missing directory, a directory, a file or directory we may not write).
 * The file descriptors are close-on-exec.
 */
int outfile_open(struct outfile *of, const char *path);

/* The same, the way asked for (OUTFILE_ANY: the best); for the tests. */
int outfile_open_as(struct outfile *of, const char *path, enum outfile_way way);

/*
 * Everything was written: flush, sync, and put the file in the target's
 * place.  0, or -errno (the first write's error, ENOSPC on a full file
 * system); the target is then untouched (or, written in place, as far as
 * it got).  The outfile is closed either way.
 */
int outfile_commit(struct outfile *of);

/* Nothing is to appear: drop what was written.  Closed; safe on a closed outfile. */
void outfile_abort(struct outfile *of);

#endif
