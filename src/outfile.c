/* outfile: output files that are complete or absent (see outfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "outfile.h"

#ifndef O_TMPFILE
#define O_TMPFILE (020000000 | O_DIRECTORY) /* Linux 3.11; headers may lack it */
#endif

/* ---------------------------------------------------------------- the stream */

/* A write(2) of all of buf; 0, or -1 with errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int make_named(struct outfile *of);

/*
 * The stream's write: through to the file, keeping the first error's errno
 * (stdio keeps only a flag).  A NAMED temporary is made here, at the first
 * write: during the run nothing shows beside the target.
 */
static ssize_t cookie_write(void *cookie, const char *buf, size_t len)
{
	struct outfile *of = cookie;

	if (of->discard)
		return (ssize_t)len;
	if (of->err) {
		errno = of->err;
		return -1;
	}
	if (of->fd < 0 && make_named(of) < 0) {
		of->err = errno;
		return -1;
	}
	if (write_all(of->fd, buf, len) < 0) {
		of->err = errno;
		return -1;
	}
	return (ssize_t)len;
}

static int cookie_close(void *cookie)
{
	(void)cookie;
	return 0;
}

static int make_stream(struct outfile *of)
{
	cookie_io_functions_t io = { .write = cookie_write, .close = cookie_close };

	of->f = fopencookie(of, "w", io);
	return of->f ? 0 : -ENOMEM;
}

/* ---------------------------------------------------------------- opening */

/* A hidden name beside the target: ".NAME.XXXXXX" with a random tail. */
static void temp_name(const char *name, char *buf, size_t len)
{
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec ts;
	uint64_t r;
	char tail[7];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 20 ^ (uint64_t)ts.tv_sec;
	for (int i = 0; i < 6; i++, r /= 36)
		tail[i] = digits[r % 36];
	tail[6] = '\0';
	snprintf(buf, len, ".%.200s.%s", name, tail);
}

/* Create a new hidden temporary beside the target; its fd, or -1 with errno. */
static int create_named(struct outfile *of, char **tmpname)
{
	char buf[256];

	for (int tries = 0; tries < 100; tries++) {
		int fd;

		temp_name(of->name, buf, sizeof(buf));
		fd = openat(of->dirfd, buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
			    0666);
		if (fd >= 0) {
			*tmpname = strdup(buf);
			if (*tmpname)
				return fd;
			unlinkat(of->dirfd, buf, 0);
			close(fd);
			errno = ENOMEM;
			return -1;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

static int make_named(struct outfile *of)
{
	of->fd = create_named(of, &of->tmpname);
	return of->fd;
}

/* The descriptor names (/dev/stdout, /dev/fd/N, /proc/self/fd/N): write in place. */
static bool names_a_descriptor(const char *path)
{
	return strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0;
}

/* Split path into its directory (opened into of->dirfd) and its name. */
static int open_dir(struct outfile *of, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (!slash) {
		dir = strdup(".");
		of->name = strdup(path);
	} else {
		dir = strndup(path, slash == path ? 1 : (size_t)(slash - path));
		of->name = strdup(slash + 1);
	}
	if (!dir || !of->name) {
		free(dir);
		return -ENOMEM;
	}
	if (!of->name[0] || strcmp(of->name, ".") == 0 || strcmp(of->name, "..") == 0) {
		free(dir);
		return -EISDIR;
	}
	of->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return of->dirfd < 0 ? -errno : 0;
}

/* In place, as before this module: the target opened (and created) now. */
static int open_direct(struct outfile *of, const char *path, bool truncate)
{
	of->way = OUTFILE_DIRECT;
	of->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (truncate ? O_TRUNC : 0),
		      0666);
	return of->fd < 0 ? -errno : 0;
}

/*
 * Can a file be made beside the target?  The unnamed one is made now (it
 * shows nowhere); a named one is only tried (made and removed), and made
 * for good at the first write.
 */
static int open_beside(struct outfile *of, enum outfile_way way)
{
	char *probe = NULL;
	int fd;

	if (way == OUTFILE_ANY || way == OUTFILE_TMPFILE) {
		of->fd = openat(of->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
		if (of->fd >= 0) {
			of->way = OUTFILE_TMPFILE;
			return 0;
		}
		/* No O_TMPFILE on this file system (NFS, FUSE) or kernel. */
		if (way == OUTFILE_TMPFILE ||
		    (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOENT))
			return -errno;
	}
	fd = create_named(of, &probe);
	if (fd < 0)
		return -errno;
	unlinkat(of->dirfd, probe, 0);
	close(fd);
	free(probe);
	of->way = OUTFILE_NAMED;
	of->fd = -1;
	return 0;
}

int outfile_open_as(struct outfile *of, const char *path, enum outfile_way way)
{
	char *resolved = NULL;
	const char *real = path;
	struct stat st;
	int rc;

	memset(of, 0, sizeof(*of));
	of->fd = of->dirfd = -1;
	of->path = strdup(path);
	if (!of->path)
		return -ENOMEM;
	if (!path[0]) {
		rc = -ENOENT;
		goto fail;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* A link is followed; a dangling one, or a descriptor's name, written through. */
		resolved = names_a_descriptor(path) ? NULL : realpath(path, NULL);
		if (!resolved)
			way = OUTFILE_DIRECT;
		else
			real = resolved;
	}
	if (stat(real, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			rc = -EISDIR;
			goto fail;
		}
		if (!S_ISREG(st.st_mode))
			way = OUTFILE_DIRECT;
		else if (faccessat(AT_FDCWD, real, W_OK, AT_EACCESS) != 0) {
			rc = -errno; /* as open(2) would: a file we may not write */
			goto fail;
		} else {
			of->had_target = true;
			of->target = st;
		}
	}
	if (way == OUTFILE_DIRECT) {
		rc = open_direct(of, path, true);
	} else {
		rc = open_dir(of, real);
		if (rc == 0)
			rc = open_beside(of, way);
		/* A directory we may not write, a file we may: rewrite it in place. */
		if (rc == -EACCES && of->had_target && way == OUTFILE_ANY)
			rc = open_direct(of, real, false);
	}
	if (rc == 0)
		rc = make_stream(of);
	if (rc)
		goto fail;
	free(resolved);
	return 0;
fail:
	free(resolved);
	outfile_abort(of);
	return rc;
}

int outfile_open(struct outfile *of, const char *path)
{
	return outfile_open_as(of, path, OUTFILE_ANY);
}

/* ---------------------------------------------------------------- closing */

static void close_all(struct outfile *of)
{
	if (of->f) {
		of->discard = true;
		fclose(of->f);
		of->f = NULL;
	}
	if (of->fd >= 0)
		close(of->fd);
	if (of->tmpname && of->dirfd >= 0)
		unlinkat(of->dirfd, of->tmpname, 0);
	if (of->dirfd >= 0)
		close(of->dirfd);
	free(of->tmpname);
	free(of->name);
	free(of->path);
	of->fd = of->dirfd = -1;
	of->tmpname = of->name = of->path = NULL;
}

void outfile_abort(struct outfile *of)
{
	close_all(of);
}

/* The old file's mode (and owner, where we may) for the new one. */
static void keep_mode(const struct outfile *of)
{
	if (!of->had_target)
		return;
	(void)fchmod(of->fd, of->target.st_mode & 07777);
	if (of->target.st_uid != geteuid() || of->target.st_gid != getegid())
		(void)!fchown(of->fd, of->target.st_uid, of->target.st_gid);
}

/*
 * An unnamed file gets the target's name: straight, when there is none
 * yet; else under a temporary name renamed over it (link(2) does not
 * replace).
 */
static int link_in(struct outfile *of)
{
	char proc[64], *tmp = NULL;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", of->fd);
	if (linkat(AT_FDCWD, proc, of->dirfd, of->name, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	/* A free name to link to: made and removed, the small window is ours. */
	fd = create_named(of, &tmp);
	if (fd < 0)
		return -errno;
	close(fd);
	unlinkat(of->dirfd, tmp, 0);
	if (linkat(AT_FDCWD, proc, of->dirfd, tmp, AT_SYMLINK_FOLLOW) != 0 ||
	    renameat(of->dirfd, tmp, of->dirfd, of->name) != 0) {
		int err = errno;

		unlinkat(of->dirfd, tmp, 0);
		free(tmp);
		return -err;
	}
	free(tmp);
	return 0;
}

int outfile_commit(struct outfile *of)
{
	int rc = 0;
	off_t end;

	if (!of->f)
		return -EBADF;
	if (fflush(of->f) != 0 && !of->err)
		of->err = errno ? errno : EIO;
	if (!of->err && of->fd < 0 && make_named(of) < 0)
		of->err = errno; /* nothing was written: an empty file all the same */
	if (of->err) {
		rc = -of->err;
		goto out;
	}
	if (of->way == OUTFILE_DIRECT) {
		/* Rewritten in place (not truncated at the start): cut what is left of the old. */
		end = lseek(of->fd, 0, SEEK_CUR);
		if (end >= 0 && of->had_target)
			(void)!ftruncate(of->fd, end);
		goto out;
	}
	keep_mode(of);
	if (fsync(of->fd) != 0) {
		rc = -errno;
		goto out;
	}
	if (of->way == OUTFILE_TMPFILE) {
		rc = link_in(of);
	} else if (renameat(of->dirfd, of->tmpname, of->dirfd, of->name) != 0) {
		rc = -errno;
	} else {
		free(of->tmpname);
		of->tmpname = NULL;
	}
out:
	close_all(of);
	return rc;
}
