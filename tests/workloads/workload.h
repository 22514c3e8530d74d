/*
 * workload: helpers shared by the test workloads (wl, tiny).
 *
 * A workload reports its own truth, read from /proc/self/smaps_rollup at the
 * moment that matters, as one line on stdout:
 *
 *	truth pid=<pid> what=<label> rss=<bytes> pss=<bytes>
 *
 * Everything here uses raw system calls and static buffers only, never
 * malloc or stdio: the act of reporting must not move the RSS it reports,
 * and tiny links statically and should stay as small as a C program can be.
 */
#ifndef MAXRSS_WORKLOAD_H
#define MAXRSS_WORKLOAD_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define WL_MIB ((size_t)1 << 20)

struct wl_truth {
	uint64_t rss; /* bytes */
	uint64_t pss; /* bytes */
};

/* Write all of buf (a pipe may take it in pieces); 0 or -1. */
static inline int wl_write_all(int fd, const char *buf, size_t len)
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

static inline void wl_puts(int fd, const char *s)
{
	(void)wl_write_all(fd, s, strlen(s));
}

/* The "<Key>: <n> kB" line of an smaps_rollup text, in bytes; 0 if absent. */
static inline uint64_t wl_rollup_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		/* The key is matched with its colon so "Pss:" never matches "Pss_Anon:". */
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *p = line + klen + 1;
			uint64_t kb = 0;

			while (*p == ' ' || *p == '\t')
				p++;
			while (*p >= '0' && *p <= '9')
				kb = kb * 10 + (uint64_t)(*p++ - '0');
			return kb * 1024;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return 0;
}

/*
 * Read this process's exact Rss and Pss.  The buffer is static so that the
 * read touches no new heap page; smaps_rollup is a few hundred bytes.
 */
static inline int wl_read_truth(struct wl_truth *t)
{
	static char buf[4096];
	size_t len = 0;
	int fd;

	fd = open("/proc/self/smaps_rollup", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < sizeof(buf) - 1) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	t->rss = wl_rollup_field(buf, "Rss");
	t->pss = wl_rollup_field(buf, "Pss");
	return t->rss ? 0 : -1;
}

/* Decimal digits of v at the end of a small buffer; returns the first digit. */
static inline char *wl_utoa(uint64_t v, char *end)
{
	*--end = '\0';
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static inline char *wl_append(char *dst, const char *s)
{
	size_t n = strlen(s);

	memcpy(dst, s, n);
	return dst + n;
}

static inline char *wl_append_u(char *dst, uint64_t v)
{
	char digits[24];

	return wl_append(dst, wl_utoa(v, digits + sizeof(digits)));
}

/* Build a truth line by hand into a static buffer; returns its length. */
static inline size_t wl_format_truth(const char *what, const struct wl_truth *t, char **out)
{
	static char line[256];
	char *p = line;

	p = wl_append(p, "truth pid=");
	p = wl_append_u(p, (uint64_t)getpid());
	p = wl_append(p, " what=");
	p = wl_append(p, what);
	p = wl_append(p, " rss=");
	p = wl_append_u(p, t->rss);
	p = wl_append(p, " pss=");
	p = wl_append_u(p, t->pss);
	p = wl_append(p, "\n");
	*out = line;
	return (size_t)(p - line);
}

/* Print a truth line: no stdio buffer appears after the reading. */
static inline void wl_print_truth(const char *what, const struct wl_truth *t)
{
	char *line;
	size_t len = wl_format_truth(what, t, &line);

	(void)wl_write_all(STDOUT_FILENO, line, len);
}

/* Read the truth now and report it; 0 or -1. */
static inline int wl_truth(const char *what)
{
	struct wl_truth t;

	if (wl_read_truth(&t)) {
		wl_puts(STDERR_FILENO, "workload: cannot read /proc/self/smaps_rollup\n");
		return -1;
	}
	wl_print_truth(what, &t);
	return 0;
}

/*
 * Run the reporting code once, printing nothing, before any memory is
 * touched.  The first call of a libc function faults its code in, and the
 * kernel then maps a whole fault-around window (fault_around_bytes, 64 KiB)
 * of file pages: done after a reading, that would grow the RSS the reading
 * claims to be the peak.  A forked child must do it again: fork() does not
 * copy the page tables of file mappings, so the child faults its code anew.
 */
static inline void wl_prewarm(void)
{
	struct wl_truth t = { 0, 0 };
	char *line;

	(void)wl_read_truth(&t);
	(void)!write(STDOUT_FILENO, "", 0);
	(void)wl_format_truth("prewarm", &t, &line);
}

/*
 * The last reading of an image, then _exit at once: the tracer's exit_group
 * sample comes right after it, with only _exit's own code in between.
 */
static inline __attribute__((noreturn)) void wl_final_exit(int code)
{
	(void)wl_truth("final");
	_exit(code);
}

/*
 * Map and touch bytes of private anonymous memory, one byte per page.
 * mmap, not malloc: munmap really gives the pages back, where free() might
 * keep them in the heap.  The volatile pointer keeps gcc -O2 from deleting
 * stores it can prove are never read.  NULL on failure.
 */
static inline void *wl_touch(size_t bytes)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	volatile char *p;
	void *m;
	size_t off;

	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	p = m;
	for (off = 0; off < bytes; off += page)
		p[off] = (char)(off / page + 1);
	return m;
}

#ifdef WL_PROG
/*
 * Command-line helpers of the multi-call workloads (wl, wl3, rely); each
 * defines WL_PROG, its name for messages, before including this file.
 */
#include <signal.h>
#include <stdlib.h>
#include <time.h>

static inline __attribute__((noreturn)) void die(const char *what)
{
	wl_puts(STDERR_FILENO, WL_PROG ": ");
	wl_puts(STDERR_FILENO, what);
	wl_puts(STDERR_FILENO, "\n");
	_exit(1);
}

/* A strict non-negative decimal: the tests never pass anything else. */
static inline unsigned long arg_num(const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		die("bad number argument");
	v = strtoul(s, &end, 10);
	if (*end || errno)
		die("bad number argument");
	return v;
}

static inline void *touch_mib(unsigned long mib)
{
	void *m = wl_touch(mib * WL_MIB);

	if (!m)
		die("mmap failed");
	return m;
}

static inline void truth(const char *what)
{
	if (wl_truth(what))
		_exit(1);
}

static inline void sleep_ms(unsigned long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Read exactly len bytes (a pipe may give them in pieces); 0, or -1 at EOF or error. */
static inline int read_full(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Block until every writer of fd has closed it. */
static inline void wait_eof(int fd)
{
	ssize_t n;
	char c;

	do
		n = read(fd, &c, 1);
	while (n > 0 || (n < 0 && errno == EINTR));
}

/*
 * Fault in now the code a workload runs between its peak reading and the
 * stop that must see that peak (see wl_prewarm): munmap, nanosleep, kill.
 */
static inline void prewarm_calls(void)
{
	(void)munmap(NULL, 0);
	sleep_ms(0);
	(void)kill(getpid(), 0);
}

/* Bad command line: distinct from every status a test expects. */
#define WL_EXIT_USAGE 2

/* One subcommand of a multi-call workload (wl, wl3, rely). */
struct wl_subcommand {
	const char *name;
	int min_args;	   /* after the subcommand name */
	const char *usage; /* its arguments, for the message of a bad call; NULL: none */
	bool final;	   /* a memory workload: prewarm, last reading "final", then _exit */
	int (*run)(int argc, char **argv);
};

/* Run the subcommand named by argv[1]: its status, or WL_EXIT_USAGE. */
static inline int wl_dispatch(const struct wl_subcommand *cmds, size_t n, int argc, char **argv)
{
	if (argc < 2) {
		wl_puts(STDERR_FILENO, "usage: " WL_PROG " SUBCOMMAND [ARG]...\n");
		return WL_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		const struct wl_subcommand *s = &cmds[i];

		if (strcmp(argv[1], s->name) != 0)
			continue;
		if (argc - 2 < s->min_args) {
			if (s->usage) {
				wl_puts(STDERR_FILENO, "usage: " WL_PROG " ");
				wl_puts(STDERR_FILENO, s->name);
				wl_puts(STDERR_FILENO, " ");
				wl_puts(STDERR_FILENO, s->usage);
				wl_puts(STDERR_FILENO, "\n");
			} else {
				wl_puts(STDERR_FILENO, WL_PROG ": missing arguments\n");
			}
			return WL_EXIT_USAGE;
		}
		if (!s->final)
			return s->run(argc - 2, argv + 2);
		wl_prewarm();
		wl_final_exit(s->run(argc - 2, argv + 2));
	}
	wl_puts(STDERR_FILENO, WL_PROG ": unknown subcommand\n");
	return WL_EXIT_USAGE;
}
#endif

#endif
