#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procfs.h"

/* smaps_rollup is ~1 KiB and status ~1.5 KiB today; 8 KiB leaves room. */
#define PROCFS_BUF 8192

const char *procfs_parse_kb(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (v > (UINT64_MAX / 1024 - 9) / 10)
			return NULL;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (!digits)
		return NULL;
	while (p < end && *p == ' ')
		p++;
	if (p + 2 != end || p[0] != 'k' || p[1] != 'B')
		return NULL;
	*out = v * 1024;
	return p + 2;
}

/* Does the line [p, end) start with key followed by ':'?  Returns past the ':'. */
static const char *match_key(const char *p, const char *end, const char *key)
{
	size_t n = strlen(key);

	if ((size_t)(end - p) <= n || memcmp(p, key, n) != 0 || p[n] != ':')
		return NULL;
	return p + n + 1;
}

int procfs_parse_rollup(const char *buf, size_t len, struct rollup *out)
{
	const char *p = buf, *end = buf + len;
	uint64_t priv_clean = 0, priv_dirty = 0;
	bool have_rss = false, have_pss = false;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -ENODATA;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;
		uint64_t *dst = NULL;
		bool *seen = NULL;

		if (!eol)
			eol = end;
		if ((v = match_key(p, eol, "Rss")))
			dst = &out->rss, seen = &have_rss;
		else if ((v = match_key(p, eol, "Pss")))
			dst = &out->pss, seen = &have_pss;
		else if ((v = match_key(p, eol, "Private_Clean")))
			dst = &priv_clean;
		else if ((v = match_key(p, eol, "Private_Dirty")))
			dst = &priv_dirty;
		else if ((v = match_key(p, eol, "Anonymous")))
			dst = &out->anon;
		else if ((v = match_key(p, eol, "Swap")))
			dst = &out->swap;
		else if ((v = match_key(p, eol, "Pss_Anon")))
			dst = &out->pss_anon;
		else if ((v = match_key(p, eol, "Pss_File")))
			dst = &out->pss_file;
		else if ((v = match_key(p, eol, "Pss_Shmem")))
			dst = &out->pss_shmem;
		if (dst) {
			if (!procfs_parse_kb(v, eol, dst))
				return -EINVAL;
			if (seen)
				*seen = true;
		}
		p = eol + 1;
	}
	if (!have_rss || !have_pss)
		return -EINVAL;
	out->uss = priv_clean + priv_dirty;
	return 0;
}

/* A pid field's value (blanks, then digits up to eol), or -1 when it is not one. */
static long parse_pid(const char *v, const char *eol)
{
	long t = 0;
	int digits = 0;

	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	for (; v < eol && *v >= '0' && *v <= '9' && t < 100000000; v++, digits++)
		t = t * 10 + (*v - '0');
	return digits && v == eol ? t : -1;
}

int procfs_parse_status(const char *buf, size_t len, struct pstatus *out)
{
	const char *p = buf, *end = buf + len;
	bool have_tgid = false, have_rss = false;

	memset(out, 0, sizeof(*out));
	out->seccomp_filters = -1;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;
		uint64_t *dst = NULL;

		if (!eol)
			eol = end;
		if ((v = match_key(p, eol, "Tgid"))) {
			long t = parse_pid(v, eol);

			/* A line cut short (no newline) may hold a cut number. */
			if (t <= 0 || eol == end)
				return -EINVAL;
			out->tgid = (pid_t)t;
			have_tgid = true;
		} else if ((v = match_key(p, eol, "PPid"))) {
			long t = parse_pid(v, eol);

			out->ppid = t > 0 ? (pid_t)t : 0;
		} else if ((v = match_key(p, eol, "TracerPid"))) {
			long t = parse_pid(v, eol);

			out->tracer = t > 0 ? (pid_t)t : 0;
		} else if ((v = match_key(p, eol, "VmHWM"))) {
			dst = &out->hwm;
		} else if ((v = match_key(p, eol, "VmRSS"))) {
			dst = &out->vmrss;
			have_rss = true;
		} else if ((v = match_key(p, eol, "RssAnon"))) {
			dst = &out->rss_anon;
		} else if ((v = match_key(p, eol, "RssFile"))) {
			dst = &out->rss_file;
		} else if ((v = match_key(p, eol, "RssShmem"))) {
			dst = &out->rss_shmem;
		} else if ((v = match_key(p, eol, "VmPTE"))) {
			dst = &out->pte;
		} else if ((v = match_key(p, eol, "Seccomp_filters"))) {
			long t = parse_pid(v, eol);

			out->seccomp_filters = t >= 0 ? (int)t : -1;
		}
		if (dst && !procfs_parse_kb(v, eol, dst))
			return -EINVAL;
		p = eol + 1;
	}
	if (!have_tgid)
		return -EINVAL;
	out->has_mm = have_rss;
	return 0;
}

/* A decimal number (optionally negative) at *p, then one blank or the end. */
static bool parse_long(const char **pp, const char *end, long *out)
{
	const char *p = *pp;
	bool neg = false;
	long v = 0;
	int digits = 0;

	if (p < end && *p == '-') {
		neg = true;
		p++;
	}
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (v > (LONG_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (!digits || (p < end && *p != ' ' && *p != '\n'))
		return false;
	*out = neg ? -v : v;
	*pp = p < end ? p + 1 : p;
	return true;
}

int procfs_parse_stat(const char *buf, size_t len, struct pstat *out)
{
	const char *end = buf + len, *p = NULL;
	long v[6];

	memset(out, 0, sizeof(*out));
	/* comm is whatever is between the first '(' and the last ')'. */
	for (const char *q = buf; q < end; q++)
		if (*q == ')')
			p = q;
	if (!p || end - p < 4 || p[1] != ' ' || p[3] != ' ')
		return -EINVAL;
	out->state = p[2];
	p += 4;
	/* ppid pgrp session tty_nr tpgid flags */
	for (int i = 0; i < 6; i++)
		if (!parse_long(&p, end, &v[i]))
			return -EINVAL;
	out->ppid = (pid_t)v[0];
	out->pgrp = (pid_t)v[1];
	out->session = (pid_t)v[2];
	out->flags = (unsigned long)v[5];
	return 0;
}

int procfs_parse_syscall(const char *buf, size_t len, long *nr)
{
	const char *p = buf, *end = buf + len;

	if (len >= 7 && memcmp(buf, "running", 7) == 0)
		return -EAGAIN;
	return parse_long(&p, end, nr) ? 0 : -EINVAL;
}

int procfs_parse_fdinfo_pid(const char *buf, size_t len, pid_t *pid)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *v;

		if (!eol)
			eol = end;
		if ((v = match_key(p, eol, "Pid"))) {
			long t = parse_pid(v, eol);

			if (t <= 0)
				return -ENOENT; /* -1: the process is gone; 0: not in our namespace */
			*pid = (pid_t)t;
			return 0;
		}
		p = eol + 1;
	}
	return -ENOENT;
}

int procfs_open(void)
{
	int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int procfs_check_self(int procfd)
{
	char buf[32];
	struct statfs sfs;
	ssize_t n;
	long pid;

	/* The directory alone, no procfs mounted on it. */
	if (fstatfs(procfd, &sfs) == 0 && sfs.f_type != PROC_SUPER_MAGIC)
		return -ENOENT;
	n = readlinkat(procfd, "self", buf, sizeof(buf) - 1);

	/* No "self" at all: a /proc of a namespace we are not in. */
	if (n < 0)
		return errno == ENOENT ? -EXDEV : -errno;
	buf[n] = '\0';
	pid = parse_pid(buf, buf + n);
	if (pid < 0)
		return -EINVAL;
	/* The pid of another namespace's /proc, or none (0: not in its namespace). */
	return pid == (long)getpid() ? 0 : -EXDEV;
}

int procfs_read_yama_scope(int procfd, int *scope)
{
	char buf[16];
	ssize_t n;
	long v;
	int fd = openat(procfd, "sys/kernel/yama/ptrace_scope", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	if (buf[n - 1] == '\n')
		n--;
	v = parse_pid(buf, buf + n);
	if (v < 0)
		return -EINVAL;
	*scope = (int)v;
	return 0;
}

/* A vanished task shows as ENOENT or ESRCH, depending on the moment. */
static int gone_or(int err)
{
	return (err == ENOENT || err == ESRCH) ? -ESRCH : -err;
}

/*
 * Read /proc/TID/NAME into buf (a static buffer: the tracer is single-threaded
 * and every caller parses before the next read).  Returns the length or -errno.
 *
 * status and smaps_rollup are generated whole for a read from offset 0
 * (seq_file, single_open): one read into a buffer larger than they are gets
 * all of it, and the read that would return 0 is not made (one system call
 * per reading fewer).
 */
static ssize_t read_small(int procfd, pid_t tid, const char *name, char *buf, size_t cap)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%d/%s", (int)tid, name);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gone_or(errno);
	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = gone_or(errno);
	close(fd);
	return n;
}

int procfs_read_rollup(int procfd, pid_t tid, struct rollup *out)
{
	static char buf[PROCFS_BUF];
	ssize_t n = read_small(procfd, tid, "smaps_rollup", buf, sizeof(buf));
	int rc;

	if (n < 0)
		return (int)n;
	rc = procfs_parse_rollup(buf, (size_t)n, out);
	return rc == -ENODATA ? -ESRCH : rc;
}

int procfs_read_status(int procfd, pid_t tid, struct pstatus *out)
{
	static char buf[PROCFS_BUF];
	ssize_t n = read_small(procfd, tid, "status", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ESRCH;
	return procfs_parse_status(buf, (size_t)n, out);
}

int procfs_read_stat(int procfd, pid_t tid, struct pstat *out)
{
	static char buf[1024];
	ssize_t n = read_small(procfd, tid, "stat", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return procfs_parse_stat(buf, (size_t)n, out);
}

int procfs_read_syscall(int procfd, pid_t tid, long *nr)
{
	static char buf[256];
	ssize_t n = read_small(procfd, tid, "syscall", buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	return procfs_parse_syscall(buf, (size_t)n, nr);
}

int procfs_read_pidfd_pid(int procfd, pid_t tid, int fd, pid_t *pid)
{
	static char buf[512];
	char name[40];
	ssize_t n;

	snprintf(name, sizeof(name), "fdinfo/%d", fd);
	n = read_small(procfd, tid, name, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return procfs_parse_fdinfo_pid(buf, (size_t)n, pid);
}

int procfs_read_cmdline(int procfd, pid_t pid, char **bufp, size_t *lenp)
{
	char path[64];
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap), *nbuf;
	ssize_t n;
	int fd, rc = 0;

	if (!buf)
		return -ENOMEM;
	snprintf(path, sizeof(path), "%d/cmdline", (int)pid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return gone_or(errno);
	}
	for (;;) {
		if (len + 1 >= cap) {
			nbuf = realloc(buf, cap * 2);
			if (!nbuf) {
				rc = -ENOMEM;
				break;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = gone_or(errno);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (rc) {
		free(buf);
		return rc;
	}
	/* Every argument ends in NUL; an empty file (zombie, kernel thread) has none. */
	if (len > 0 && buf[len - 1] != '\0')
		buf[len++] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int procfs_read_exe(int procfd, pid_t pid, char **exe)
{
	char path[64], target[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/exe", (int)pid);
	n = readlinkat(procfd, path, target, sizeof(target) - 1);
	if (n < 0) {
		*exe = NULL;
		return gone_or(errno);
	}
	target[n] = '\0';
	*exe = strdup(target);
	return *exe ? 0 : -ENOMEM;
}

/*
 * openat2(2) below dfd (the task's root or working directory), as the task
 * resolves it: absolute symlinks and ".." stay in its root; magic links
 * (/proc/PID/fd/N) are refused, and a relative path must stay below its
 * working directory.  -1 with errno (ENOSYS before Linux 5.6).
 */
static int open_confined(int dfd, const char *path, bool in_root)
{
	struct open_how how = { 0 };

	how.flags = O_PATH | O_CLOEXEC;
	how.resolve = RESOLVE_NO_MAGICLINKS | (in_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
	return (int)syscall(SYS_openat2, dfd, path, &how, sizeof(how));
}

int procfs_exec_file_missing(int procfd, pid_t tid, const char *path)
{
	char buf[4096], base[64];
	bool abs = path[0] == '/', missing = false;
	struct statfs fs;
	size_t len = strlen(path);
	int dfd, fd = -1;

	if (!len || len >= sizeof(buf))
		return 0;
	memcpy(buf, path, len + 1);
	snprintf(base, sizeof(base), "%d/%s", (int)tid, abs ? "root" : "cwd");
	dfd = openat(procfd, base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return 0;
	/* The path, then each of its parents, until one exists. */
	for (;;) {
		buf[len] = '\0';
		fd = open_confined(dfd, len ? buf : ".", abs);
		if (fd >= 0 || (errno != ENOENT && errno != ENOTDIR))
			break;
		missing = true;
		while (len && buf[len - 1] == '/')
			len--;
		while (len && buf[len - 1] != '/')
			len--;
	}
	close(dfd);
	if (fd < 0)
		return 0;
	if (missing && (fstatfs(fd, &fs) != 0 || fs.f_type == PROC_SUPER_MAGIC))
		missing = false;
	close(fd);
	return missing;
}

int procfs_probe_vmrss_exact(int procfd)
{
	/*
	 * Counts that leave a per-CPU (or per-task: 64 events) delta unfolded
	 * when inexact: a fold at one read (by luck, at a batch's boundary)
	 * cannot come again within the next 7 or 9 pages.  Few pages: the probe
	 * raises the tracer's own VmHWM, which its report gives.
	 */
	static const size_t steps[] = { 5, 12, 21 };
	const size_t page = (size_t)sysconf(_SC_PAGESIZE), npages = 21;
	pid_t self = getpid();
	struct pstatus st;
	struct rollup r;
	volatile char *mem;
	size_t touched = 0;
	int rc = 1;

	mem = mmap(NULL, npages * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return -errno;
	/* First reads fault in the readers' own buffers: not during the probe. */
	if (procfs_read_status(procfd, self, &st) || procfs_read_rollup(procfd, self, &r)) {
		rc = -EIO;
		goto out;
	}
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && rc == 1; i++) {
		for (; touched < steps[i] && touched < npages; touched++)
			mem[touched * page] = 1;
		if (procfs_read_rollup(procfd, self, &r) || procfs_read_status(procfd, self, &st))
			rc = -EIO;
		else if (st.vmrss != r.rss)
			rc = 0;
	}
out:
	munmap((void *)mem, npages * page);
	return rc;
}
