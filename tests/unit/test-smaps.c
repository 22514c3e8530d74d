/*
 * Unit tests of smaps: the parser on /proc/PID/smaps text captured from a
 * Linux 6.18 machine (tests/unit/fixtures), on text built to the kernel's
 * format for what this machine cannot show (its kernel has no
 * CONFIG_ANON_VMA_NAME, so no "[anon:...]"), on damaged and generated text,
 * and the reader on the live system.
 *
 * The fixtures:
 *  smaps-python3  /usr/bin/python3 -c 'import sys, json, collections;
 *                 sys.stdin.read()', blocked on its stdin; smaps-python3-rollup
 *                 is its smaps_rollup, read right after.
 *  smaps-shmem    a C program (two threads holding 200 KB of stack each; a
 *                 malloc'd 1.5 MiB, mmap'd by malloc, and a 100 KB one on the
 *                 brk heap; a memfd "probe memfd" mapped shared (2 MiB
 *                 touched) and private (512 KiB written); SysV key 0x1234abcd
 *                 (3 MiB, removed, still attached); "/dev/shm/probe shm file"
 *                 (1 MiB); shared anonymous 4 MiB and 256 KiB; /dev/zero
 *                 mapped private (1 MiB) and shared (512 KiB); a file "a file
 *                 with spaces" mapped shared and unlinked (256 KiB read); a
 *                 file "kept data" mapped private (64 KiB read)), blocked on
 *                 its stdin; smaps-shmem-rollup likewise.
 *
 * The expected groups were computed apart from the parser: awk summing the
 * Rss, Pss, Anonymous and Swap lines (kB) of each header's name and share
 * letter, then grouped by hand by the rules of smaps.c:
 *
 *	/^[0-9a-f]+-[0-9a-f]+ / { name = $0;
 *		sub(/^[^ ]+ [^ ]+ [^ ]+ [^ ]+ [^ ]+/, "", name); sub(/^ +/, "", name);
 *		key = substr($2, 4, 1) "|" name; n[key]++; next }
 *	/^Rss:/ { rss[key] += $2 }  (likewise Pss, Anonymous, Swap)
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "procfs.h"
#include "smaps.h"

#define K 1024ULL

/* ---------------------------------------------------------------- helpers */

/* The whole of fixtures/NAME in a malloc'd buffer of exactly its size (+1 for a NUL). */
static char *load(const char *name, size_t *len)
{
	const char *dir = getenv("FIXTURES");
	char path[PATH_MAX];
	struct stat sb;
	char *buf;
	FILE *f;

	cr_assert_not_null(dir, "FIXTURES is not set (make check sets it)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fstat(fileno(f), &sb), 0);
	buf = malloc((size_t)sb.st_size + 1);
	cr_assert_not_null(buf);
	*len = fread(buf, 1, (size_t)sb.st_size, f);
	cr_assert_eq(*len, (size_t)sb.st_size, "%s: short read", path);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* A copy of the first len bytes, in a buffer of exactly len bytes (no NUL after it). */
static char *prefix(const char *buf, size_t len)
{
	char *p = malloc(len ? len : 1);

	cr_assert_not_null(p);
	memcpy(p, buf, len);
	return p;
}

static int parse_str(const char *s, struct smaps *out)
{
	/* Exactly strlen bytes, no NUL after them: an over-read shows under ASan. */
	char *p = prefix(s, strlen(s));
	int rc = smaps_parse(p, strlen(s), out);

	free(p);
	return rc;
}

static void assert_empty(const struct smaps *s, const char *what)
{
	cr_assert(s->v == NULL && s->n == 0 && s->rss == 0 && s->pss == 0 && s->anon == 0 &&
			  s->swap == 0 && s->mappings == 0,
		  "%s: *out not empty after an error", what);
}

/* What a group should be: kB, as the fixtures count. */
struct want {
	enum smaps_kind kind;
	const char *path;
	uint64_t rss, pss, anon, swap; /* kB */
	unsigned mappings;
};

static void assert_groups(const char *what, const struct smaps *s, const struct want *w, size_t n)
{
	cr_assert_eq(s->n, n, "%s: %zu groups, want %zu", what, s->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct smaps_group *g = &s->v[i];
		const char *gp = g->path ? g->path : "(none)",
			   *wp = w[i].path ? w[i].path : "(none)";

		cr_assert_eq(g->kind, w[i].kind, "%s: group %zu (%s) is %s, want %s", what, i, gp,
			     smaps_kind_name(g->kind), smaps_kind_name(w[i].kind));
		cr_assert_str_eq(gp, wp, "%s: group %zu path \"%s\", want \"%s\"", what, i, gp, wp);
		cr_assert_eq(g->rss, w[i].rss * K, "%s: %s rss %llu, want %llu kB", what, wp,
			     (unsigned long long)g->rss, (unsigned long long)w[i].rss);
		cr_assert_eq(g->pss, w[i].pss * K, "%s: %s pss %llu, want %llu kB", what, wp,
			     (unsigned long long)g->pss, (unsigned long long)w[i].pss);
		cr_assert_eq(g->anon, w[i].anon * K, "%s: %s anon %llu, want %llu kB", what, wp,
			     (unsigned long long)g->anon, (unsigned long long)w[i].anon);
		cr_assert_eq(g->swap, w[i].swap * K, "%s: %s swap", what, wp);
		cr_assert_eq(g->mappings, w[i].mappings, "%s: %s %u mappings, want %u", what, wp,
			     g->mappings, w[i].mappings);
	}
}

/* The totals are the sums over the groups, and the groups are in order. */
static void assert_consistent(const char *what, const struct smaps *s)
{
	uint64_t rss = 0, pss = 0, anon = 0, swap = 0;
	unsigned mappings = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct smaps_group *g = &s->v[i];

		rss += g->rss;
		pss += g->pss;
		anon += g->anon;
		swap += g->swap;
		mappings += g->mappings;
		cr_assert_geq(g->mappings, 1, "%s: an empty group", what);
		if (i > 0) {
			const struct smaps_group *p = &s->v[i - 1];

			cr_assert(p->rss > g->rss ||
					  (p->rss == g->rss &&
					   (p->kind < g->kind ||
					    (p->kind == g->kind && g->path &&
					     (!p->path || strcmp(p->path, g->path) < 0)))),
				  "%s: groups %zu and %zu out of order", what, i - 1, i);
		}
	}
	cr_assert_eq(s->rss, rss, "%s: rss", what);
	cr_assert_eq(s->pss, pss, "%s: pss", what);
	cr_assert_eq(s->anon, anon, "%s: anon", what);
	cr_assert_eq(s->swap, swap, "%s: swap", what);
	cr_assert_eq(s->mappings, mappings, "%s: mappings", what);
}

/* The sum of every "Key:" line's kB and the number of headers, counted apart from the parser. */
static uint64_t sum_lines(const char *text, const char *key, unsigned *headers)
{
	size_t klen = strlen(key);
	uint64_t kb = 0;

	*headers = 0;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0)
			kb += strtoull(p + klen, NULL, 10);
		else if (*p >= '0' && *p <= '9')
			++*headers;
		else if (*p >= 'a' && *p <= 'f')
			++*headers;
	}
	return kb * K;
}

/* ------------------------------------------------------ captured files */

static const struct want python3[] = {
	{ SMAPS_FILE, "/usr/bin/python3.11", 4340, 4340, 1176, 0, 5 },
	{ SMAPS_ANON, NULL, 1700, 1700, 1700, 0, 6 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/libc.so.6", 1456, 67, 24, 0, 5 },
	{ SMAPS_HEAP, NULL, 812, 812, 812, 0, 1 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/libm.so.6", 380, 174, 8, 0, 5 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 208, 21, 16, 0, 5 },
	{ SMAPS_FILE, "/usr/lib/locale/C.utf8/LC_CTYPE", 128, 5, 0, 0, 1 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10", 88, 88, 12, 0, 5 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", 84, 22, 8, 0, 5 },
	{ SMAPS_FILE, "/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so", 52,
	  52, 8, 0, 5 },
	{ SMAPS_STACK, NULL, 40, 40, 40, 0, 1 },
	/* Mapped MAP_SHARED read-only ("r--s"), but a file like any other. */
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache", 28, 1, 0, 0, 1 },
	/* [vdso] 4 kB; [vvar], [vvar_vclock], [vsyscall] nothing resident. */
	{ SMAPS_OTHER, NULL, 4, 0, 0, 0, 4 },
};

static const struct want shmem[] = {
	/* Shared anonymous: the 4 MiB, the 256 KiB and /dev/zero mapped shared. */
	{ SMAPS_SHMEM, NULL, 4864, 4864, 0, 0, 3 },
	{ SMAPS_SHMEM, "/SYSV1234abcd (deleted)", 3072, 3072, 0, 0, 1 },
	/* Private anonymous: the threads' stacks, malloc's mmap, and /dev/zero mapped private. */
	{ SMAPS_ANON, NULL, 2988, 2988, 2988, 0, 9 },
	/* The memfd's shared and private mappings: one group, the copies written anonymous. */
	{ SMAPS_SHMEM, "/memfd:probe memfd (deleted)", 2560, 2560, 512, 0, 2 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/libc.so.6", 1348, 70, 24, 0, 5 },
	{ SMAPS_SHMEM, "/dev/shm/probe shm file", 1024, 1024, 0, 0, 1 },
	{ SMAPS_FILE, "/tmp/smaps-probe/a file with spaces (deleted)", 256, 256, 0, 0, 1 },
	{ SMAPS_FILE, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 212, 22, 16, 0, 5 },
	{ SMAPS_HEAP, NULL, 108, 108, 108, 0, 1 },
	{ SMAPS_FILE, "/tmp/smaps-probe/kept data", 64, 64, 0, 0, 1 },
	{ SMAPS_FILE, "/tmp/smaps-probe/probe", 20, 20, 8, 0, 5 },
	{ SMAPS_STACK, NULL, 16, 16, 16, 0, 1 },
	{ SMAPS_OTHER, NULL, 4, 0, 0, 0, 4 },
};

struct fixture {
	const char *name, *rollup;
	const struct want *groups;
	size_t ngroups;
};

static const struct fixture fixtures[] = {
	{ "smaps-python3", "smaps-python3-rollup", python3, sizeof(python3) / sizeof(python3[0]) },
	{ "smaps-shmem", "smaps-shmem-rollup", shmem, sizeof(shmem) / sizeof(shmem[0]) },
};

Test(smaps_parse, captured_files)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		size_t len;
		char *buf = load(f->name, &len);
		struct smaps s;
		int rc = smaps_parse(buf, len, &s);

		cr_assert_eq(rc, 0, "%s: rc %d", f->name, rc);
		assert_groups(f->name, &s, f->groups, f->ngroups);
		assert_consistent(f->name, &s);
		smaps_free(&s);
		free(buf);
	}
}

/*
 * The totals against the file: Rss, Anonymous, Swap, Private_Clean +
 * Private_Dirty (uss) and the mapping count exactly the sums of every line;
 * Rss, Anonymous and uss also smaps_rollup's, read at the same
 * moment.  Pss lines are rounded down per mapping, so their sum is at most
 * the rollup's Pss, by less than 1 kB per mapping.
 */
Test(smaps_parse, totals_are_every_line)
{
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		size_t len, rlen;
		char *buf = load(f->name, &len), *rbuf = load(f->rollup, &rlen);
		struct smaps s;
		struct rollup r;
		unsigned headers;

		cr_assert_eq(smaps_parse(buf, len, &s), 0);
		cr_assert_eq(procfs_parse_rollup(rbuf, rlen, &r), 0);
		cr_assert_eq(s.rss, sum_lines(buf, "Rss:", &headers), "%s", f->name);
		cr_assert_eq(s.mappings, headers, "%s: %u mappings, %u headers", f->name,
			     s.mappings, headers);
		cr_assert_eq(s.pss, sum_lines(buf, "Pss:", &headers), "%s", f->name);
		cr_assert_eq(s.anon, sum_lines(buf, "Anonymous:", &headers), "%s", f->name);
		cr_assert_eq(s.swap, sum_lines(buf, "Swap:", &headers), "%s", f->name);
		cr_assert_eq(s.rss, r.rss, "%s: rss %llu, rollup %llu", f->name,
			     (unsigned long long)s.rss, (unsigned long long)r.rss);
		cr_assert_eq(s.anon, r.anon, "%s", f->name);
		cr_assert_eq(s.uss,
			     sum_lines(buf, "Private_Clean:", &headers) +
				     sum_lines(buf, "Private_Dirty:", &headers),
			     "%s", f->name);
		cr_assert_eq(s.uss, r.uss, "%s: uss %llu, rollup %llu", f->name,
			     (unsigned long long)s.uss, (unsigned long long)r.uss);
		cr_assert_leq(s.pss, r.pss, "%s", f->name);
		cr_assert_lt(r.pss - s.pss, s.mappings * K, "%s", f->name);
		smaps_free(&s);
		free(buf);
		free(rbuf);
	}
}

/* Without the final newline the file still parses to the same groups. */
Test(smaps_parse, no_final_newline)
{
	size_t len;
	char *buf = load("smaps-shmem", &len);
	struct smaps s;

	cr_assert_eq(buf[len - 1], '\n');
	cr_assert_eq(smaps_parse(buf, len - 1, &s), 0);
	assert_groups("smaps-shmem without its newline", &s, shmem,
		      sizeof(shmem) / sizeof(shmem[0]));
	smaps_free(&s);
	free(buf);
}

/*
 * Cut the file at every byte: never a crash or an over-read (the copy has
 * no slack), 0 or -EINVAL only, and a parse that succeeds is consistent and
 * takes no more than the whole file.  A cut right after a header (a mapping
 * without values yet) is a mapping of zeros; a cut inside a value line we
 * use ("Rss:   4 k") is -EINVAL.
 */
Test(smaps_parse, every_truncation)
{
	size_t len;
	char *buf = load("smaps-shmem", &len);
	struct smaps full;

	cr_assert_eq(smaps_parse(buf, len, &full), 0);
	for (size_t cut = 0; cut <= len; cut++) {
		char *p = prefix(buf, cut);
		struct smaps s;
		int rc = smaps_parse(p, cut, &s);

		free(p);
		if (cut == 0) {
			cr_assert_eq(rc, -ENODATA, "cut at 0: rc %d", rc);
			continue;
		}
		cr_assert(rc == 0 || rc == -EINVAL, "cut at %zu: rc %d", cut, rc);
		if (rc) {
			assert_empty(&s, "a cut");
			continue;
		}
		assert_consistent("a cut", &s);
		cr_assert_leq(s.rss, full.rss, "cut at %zu", cut);
		cr_assert_leq(s.mappings, full.mappings, "cut at %zu", cut);
		smaps_free(&s);
	}
	smaps_free(&full);
	free(buf);
}

/* The offset of the line after the one holding offset at (the text goes on). */
static size_t next_line(const char *buf, size_t at)
{
	const char *nl = strchr(buf + at, '\n');

	cr_assert_not_null(nl);
	return (size_t)(nl - buf) + 1;
}

Test(smaps_parse, cut_after_a_header_and_inside_a_value)
{
	size_t len, at = 0;
	char *buf = load("smaps-shmem", &len), *p;
	struct smaps s;

	/* The first mapping whole, the second its header only: zeros for it. */
	do
		at = next_line(buf, at);
	while (!(buf[at] >= '0' && buf[at] <= '9') && !(buf[at] >= 'a' && buf[at] <= 'f'));
	at = next_line(buf, at);
	p = prefix(buf, at);
	cr_assert_eq(smaps_parse(p, at, &s), 0);
	cr_assert_eq(s.mappings, 2);
	cr_assert_eq(s.n, 1, "both are /tmp/smaps-probe/probe");
	cr_assert_str_eq(s.v[0].path, "/tmp/smaps-probe/probe");
	cr_assert_eq(s.v[0].mappings, 2);
	cr_assert_eq(s.rss, 4 * K, "the first mapping's Rss only");
	smaps_free(&s);
	free(p);

	/* "Rss:  4 k" and "Rss: " with no value: an error, not 0 or 4 kB. */
	at = (size_t)(strstr(buf, "\nRss:") - buf) + 1;
	at = (size_t)(strstr(buf + at, " kB") - buf) + 2;
	p = prefix(buf, at);
	cr_assert_eq(smaps_parse(p, at, &s), -EINVAL);
	assert_empty(&s, "cut in Rss");
	free(p);
	at = (size_t)(strstr(buf, "\nRss:") - buf) + 6;
	p = prefix(buf, at);
	cr_assert_eq(smaps_parse(p, at, &s), -EINVAL);
	free(p);
	free(buf);
}

/* --------------------------------------------------- names and groups */

/* One mapping's text: a header with NAME (none when NULL) and perms, Rss/Pss/Anonymous kB. */
static char *mapping_text(char *dst, uint64_t start, const char *perms, const char *name,
			  unsigned rss, unsigned anon, const char *vmflags)
{
	/* 64-bit addresses on every host: the parser reads them as uint64_t. */
	dst += sprintf(dst, "%012" PRIx64 "-%012" PRIx64 " %s 00000000 00:01 %lu", start,
		       start + 0x100000, perms, name ? 12345UL : 0UL);
	if (name)
		dst += sprintf(dst, "                   %s\n", name);
	else
		dst += sprintf(dst, " \n");
	dst += sprintf(dst,
		       "Size:               1024 kB\nKernelPageSize:        4 kB\n"
		       "Rss:                %4u kB\nPss:                %4u kB\n"
		       "Pss_Dirty:          %4u kB\nAnonymous:          %4u kB\n"
		       "Swap:                  0 kB\nSwapPss:               0 kB\n"
		       "THPeligible:           0\nProtectionKey:         0\nVmFlags: %s\n",
		       rss, rss, rss, anon, vmflags);
	return dst;
}

/* What the kernel shows on other kernels and configurations (see smaps.c). */
Test(smaps_parse, names_of_every_kind)
{
	static const struct {
		const char *perms, *name, *vmflags;
		enum smaps_kind kind;
		const char *path; /* the group's */
	} m[] = {
		{ "rw-p", "[anon:libc_malloc]", "rd wr mr mw me ac", SMAPS_ANON, NULL },
		{ "rw-p", "[anon:dalvik-main space]", "rd wr mr mw me ac", SMAPS_ANON, NULL },
		{ "rw-p", "[stack:4242]", "rd wr mr mw me ac", SMAPS_ANON, NULL },
		{ "rw-p", NULL, "rd wr mr mw me ac", SMAPS_ANON, NULL },
		{ "rw-p", "/dev/zero", "rd wr mr mw me", SMAPS_ANON, NULL },
		{ "rw-p", "/anon_hugepage (deleted)", "rd wr mr mw me ht", SMAPS_ANON, NULL },
		{ "rw-s", "[anon_shmem:wayland]", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "[anon_shmem:wayland]" },
		{ "rw-s", "/dev/zero (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM, NULL },
		{ "rw-s", "/anon_hugepage (deleted)", "rd wr sh mr mw me ms ht", SMAPS_SHMEM,
		  NULL },
		/* Shared read-only: VM_MAYSHARE ("s", "ms") without VM_SHARED ("sh"). */
		{ "r--s", NULL, "rd mr me ms", SMAPS_SHMEM, NULL },
		{ "r--s", "/anon_hugepage (deleted)", "rd mr me ms ht", SMAPS_SHMEM, NULL },
		/* A driver's shared mapping without a file: known by "sh". */
		{ "rw-p", NULL, "rd wr sh mr mw me ms", SMAPS_SHMEM, NULL },
		{ "rw-s", "/memfd:wayland-shm (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/memfd:wayland-shm (deleted)" },
		{ "rw-s", "/memfd: (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/memfd: (deleted)" },
		{ "rw-s", "/SYSV00000000 (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/SYSV00000000 (deleted)" },
		{ "rw-s", "/dev/shm/pulse-shm-1234", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/dev/shm/pulse-shm-1234" },
		{ "rw-s", "/dev/shm/gone (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/dev/shm/gone (deleted)" },
		{ "rw-s", "/secretmem (deleted)", "rd wr sh mr mw me ms", SMAPS_SHMEM,
		  "/secretmem (deleted)" },
		/* Not SysV: files at the root whose names only start like one. */
		{ "r--p", "/SYSVtab", "rd mr mw me", SMAPS_FILE, "/SYSVtab" },
		{ "r--p", "/SYSV0000abcd.bak", "rd mr mw me", SMAPS_FILE, "/SYSV0000abcd.bak" },
		{ "r--p", "/SYSV0000abcd", "rd mr mw me", SMAPS_SHMEM, "/SYSV0000abcd" },
		{ "r--p", "/dev/shmem.conf", "rd mr mw me", SMAPS_FILE, "/dev/shmem.conf" },
		{ "rw-s", "anon_inode:[io_uring]", "rd wr sh mr mw me ms", SMAPS_FILE,
		  "anon_inode:[io_uring]" },
		{ "rw-s", "socket:[48213]", "rd wr sh mr mw me ms", SMAPS_FILE, "socket:[48213]" },
		{ "r--p", "/data/with\\012newline", "rd mr mw me", SMAPS_FILE,
		  "/data/with\\012newline" },
		{ "r--p", "/data/trailing blank ", "rd mr mw me", SMAPS_FILE,
		  "/data/trailing blank " },
		{ "r-xp", "[uprobes]", "rd ex mr me", SMAPS_OTHER, NULL },
		{ "r-xp", "[sigpage]", "rd ex mr me", SMAPS_OTHER, NULL },
		{ "rw-p", "[heap]", "rd wr mr mw me ac", SMAPS_HEAP, NULL },
		{ "rw-p", "[stack]", "rd wr mr mw me gd ac", SMAPS_STACK, NULL },
	};
	size_t n = sizeof(m) / sizeof(m[0]);
	char *text = malloc(n * 1024), *p = text;
	struct smaps s;

	/* Each alone: its kind and path. */
	for (size_t i = 0; i < n; i++) {
		mapping_text(text, UINT64_C(0x7f0000000000), m[i].perms, m[i].name, 8, 0,
			     m[i].vmflags);
		cr_assert_eq(parse_str(text, &s), 0, "%s", m[i].name);
		cr_assert_eq(s.n, 1);
		cr_assert_eq(s.v[0].kind, m[i].kind, "%s is %s, want %s",
			     m[i].name ? m[i].name : "(none)", smaps_kind_name(s.v[0].kind),
			     smaps_kind_name(m[i].kind));
		if (m[i].path)
			cr_assert_str_eq(s.v[0].path, m[i].path);
		else
			cr_assert_null(s.v[0].path, "%s has path %s", m[i].name, s.v[0].path);
		cr_assert_eq(s.v[0].rss, 8 * K);
		smaps_free(&s);
	}

	/* All together: one group per kind for the pathless ones. */
	for (size_t i = 0; i < n; i++)
		p = mapping_text(p, UINT64_C(0x7f0000000000) + i * 0x200000, m[i].perms, m[i].name,
				 (unsigned)i + 1, 0, m[i].vmflags);
	cr_assert_eq(parse_str(text, &s), 0);
	assert_consistent("all kinds", &s);
	cr_assert_eq(s.mappings, n);
	cr_assert_eq(s.rss, n * (n + 1) / 2 * K);
	for (size_t k = 0; k < SMAPS_KINDS; k++) {
		uint64_t want = 0;
		unsigned mappings = 0;

		for (size_t i = 0; i < n; i++)
			if (m[i].kind == k && !m[i].path) {
				want += (i + 1) * K;
				mappings++;
			}
		for (size_t g = 0; g < s.n; g++)
			if (s.v[g].kind == k && !s.v[g].path) {
				cr_assert_eq(s.v[g].rss, want, "%s without a path",
					     smaps_kind_name((enum smaps_kind)k));
				cr_assert_eq(s.v[g].mappings, mappings);
				want = 0;
				mappings = 0;
			}
		cr_assert_eq(mappings, 0, "no pathless %s group",
			     smaps_kind_name((enum smaps_kind)k));
	}
	smaps_free(&s);
	free(text);
}

/* One group per path, however the mappings of a path are interleaved with others. */
Test(smaps_parse, one_group_per_path)
{
	char text[16384], *p = text;
	struct smaps s;

	for (int i = 0; i < 6; i++) {
		p = mapping_text(p, 0x10000000UL * (unsigned long)(i + 1), "r--p",
				 i % 2 ? "/lib/b b.so" : "/lib/a.so", 4, 0, "rd");
		p = mapping_text(p, 0x10000000UL * (unsigned long)(i + 1) + 0x200000, "rw-p", NULL,
				 1, 1, "rd wr");
	}
	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.n, 3);
	/* 12 kB each, in the order of their paths; then 6 kB of anonymous. */
	cr_assert_str_eq(s.v[0].path, "/lib/a.so");
	cr_assert_str_eq(s.v[1].path, "/lib/b b.so");
	cr_assert_eq(s.v[0].rss, 12 * K);
	cr_assert_eq(s.v[0].mappings, 3);
	cr_assert_eq(s.v[1].rss, 12 * K);
	cr_assert_eq(s.v[1].mappings, 3);
	cr_assert_eq(s.v[2].kind, SMAPS_ANON);
	cr_assert_eq(s.v[2].rss, 6 * K);
	cr_assert_eq(s.v[2].anon, 6 * K);
	cr_assert_eq(s.v[2].mappings, 6);
	smaps_free(&s);
}

/*
 * Paths that are prefixes of one another are groups of their own.  (Telling
 * them apart once read past the shorter one: fuzz-smaps found it, and under
 * AddressSanitizer every_truncation, thousands_of_mappings and
 * smaps_read/self catch it.)
 */
Test(smaps_parse, paths_that_are_prefixes)
{
	char *text = malloc(200 * 1024), *p = text, path[128] = "/";
	struct smaps s;

	cr_assert_not_null(text);
	for (unsigned i = 0; i < 100; i++) {
		path[i + 1] = 'a';
		path[i + 2] = '\0';
		p = mapping_text(p, 0x10000000UL + i * 0x200000UL, "r--p", path, i + 1, 0, "rd");
	}
	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.n, 100);
	for (unsigned i = 0; i < 100; i++) {
		cr_assert_eq(strlen(s.v[i].path), 101 - i);
		cr_assert_eq(s.v[i].rss, (100 - i) * K);
	}
	smaps_free(&s);
	free(text);
}

/* Ties of Rss: by kind, then by path, the pathless group of a kind first. */
Test(smaps_parse, order_of_ties)
{
	char text[16384], *p = text;
	struct smaps s;

	p = mapping_text(p, 0x10000000UL, "r--p", "/z", 4, 0, "rd");
	p = mapping_text(p, 0x20000000UL, "rw-s", "/memfd:b (deleted)", 4, 0, "rd wr sh");
	p = mapping_text(p, 0x30000000UL, "rw-s", "/dev/zero (deleted)", 4, 0, "rd wr sh");
	p = mapping_text(p, 0x40000000UL, "rw-s", "/memfd:a (deleted)", 4, 0, "rd wr sh");
	p = mapping_text(p, 0x50000000UL, "r--p", "/a", 4, 0, "rd");
	p = mapping_text(p, 0x60000000UL, "r--p", "[vdso]", 4, 0, "rd");
	p = mapping_text(p, 0x70000000UL, "rw-p", "[heap]", 4, 4, "rd wr");
	p = mapping_text(p, 0x80000000UL, "rw-p", "[stack]", 8, 8, "rd wr");
	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.n, 8);
	cr_assert_eq(s.v[0].kind, SMAPS_STACK);
	cr_assert_eq(s.v[1].kind, SMAPS_HEAP);
	cr_assert_eq(s.v[2].kind, SMAPS_SHMEM);
	cr_assert_null(s.v[2].path);
	cr_assert_str_eq(s.v[3].path, "/memfd:a (deleted)");
	cr_assert_str_eq(s.v[4].path, "/memfd:b (deleted)");
	cr_assert_str_eq(s.v[5].path, "/a");
	cr_assert_str_eq(s.v[6].path, "/z");
	cr_assert_eq(s.v[7].kind, SMAPS_OTHER);
	smaps_free(&s);
}

/* Swap: the sums of the Swap lines, per group and in all. */
Test(smaps_parse, swap)
{
	const char *text =
		"00400000-00500000 rw-p 00000000 00:00 0 \n"
		"Rss:                 8 kB\nAnonymous:           8 kB\n"
		"Swap:              100 kB\n"
		"00600000-00700000 rw-s 00000000 00:01 77                 /memfd:x (deleted)\n"
		"Rss:                 4 kB\nSwap:               20 kB\n"
		"00800000-00900000 rw-p 00000000 00:00 0 \n"
		"Swap:                 1 kB\n";
	struct smaps s;

	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.swap, 121 * K);
	cr_assert_eq(s.n, 2);
	cr_assert_eq(s.v[0].kind, SMAPS_ANON);
	cr_assert_eq(s.v[0].swap, 101 * K);
	cr_assert_eq(s.v[0].mappings, 2);
	cr_assert_eq(s.v[1].swap, 20 * K);
	cr_assert_eq(s.rss, 12 * K);
	cr_assert_eq(s.pss, 0, "no Pss lines: 0");
	smaps_free(&s);
}

/* 32-bit kernels print 8-digit addresses; older kernels no trailing blank. */
Test(smaps_parse, header_forms)
{
	const char *text = "08048000-080bc000 r-xp 00000000 03:02 13130      /bin/bash\n"
			   "Rss:                 892 kB\n"
			   "aff35000-aff4a000 rw-p 00000000 00:00 0\n"
			   "Rss:                 12 kB\n"
			   "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0"
			   "                  [vsyscall]\n"
			   "Rss:                 0 kB\n"
			   "7f0000000000-7f0000001000 rw-s 00000000 103:1f 18446744073709551615 /x\n"
			   "Rss:                 4 kB\n";
	struct smaps s;

	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.mappings, 4);
	cr_assert_eq(s.rss, 908 * K);
	cr_assert_str_eq(s.v[0].path, "/bin/bash");
	cr_assert_eq(s.v[1].kind, SMAPS_ANON);
	smaps_free(&s);
}

/* --------------------------------------------------------- bad input */

Test(smaps_parse, empty_is_enodata)
{
	struct smaps s;

	cr_assert_eq(smaps_parse("", 0, &s), -ENODATA);
	assert_empty(&s, "empty");
	cr_assert_eq(parse_str("\n\n", &s), -ENODATA);
	assert_empty(&s, "blank lines");
}

Test(smaps_parse, malformed)
{
	static const char *const bad[] = {
		/* headers */
		"garbage\n",
		"00400000 r-xp 00000000 00:00 0\nRss: 4 kB\n",
		"00400000-00500000\n",
		"00400000-00500000 r-xp\n",
		"00400000-00500000 r-xq 00000000 00:00 0\n",
		"00400000-00500000 rwxpp 00000000 00:00 0\n",
		"00400000-00500000 r-xp 00000000 0000 0\n",
		"00400000-00500000 r-xp 00000000 00:00\n",
		"00400000-00500000 r-xp 00000000 00:00 x /bin\n",
		"00400000-00500000 r-xp 00000000 00:00 12x /bin\n",
		"00400000-00500000 r-xp 00000000 00:00 123456789012345678901 /bin\n",
		"00500000-00400000 r-xp 00000000 00:00 0\n",
		"00400000-00400000 r-xp 00000000 00:00 0\n",
		"0040000G-00500000 r-xp 00000000 00:00 0\n",
		"0040000A-00500000 r-xp 00000000 00:00 0\n",
		"00400000-00500000 r-xp 0000000A 00:00 0\n",
		"00400000-00500000 r-xp 00000000 00:00 0\n-\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nnot a line\n",
		"00400000-00500000 r-xp 00000000 00:00 0\n Rss: 4 kB\n",
		"00400000-00500000 R-XP 00000000 00:00 0\n",
		"00400000A-00500000 r-xp 00000000 00:00 0\n",
		"100000000000000000-100000000000000001 r-xp 00000000 00:00 0\n",
		/* a value before any header */
		"Rss: 4 kB\n00400000-00500000 r-xp 00000000 00:00 0\n",
		/* values we use */
		"00400000-00500000 r-xp 00000000 00:00 0\nRss: 4\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nRss: 4 MB\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nRss: kB\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nPss: -4 kB\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nAnonymous: 4 kB extra\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nSwap: 0x10 kB\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nRss: 18014398509481984 kB\n",
		"00400000-00500000 r-xp 00000000 00:00 0\nRss:\n",
	};
	struct smaps s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse_str(bad[i], &s);

		cr_assert_eq(rc, -EINVAL, "rc %d for:\n%s", rc, bad[i]);
		assert_empty(&s, bad[i]);
	}
}

/* Values we do not use may be anything; a line we use must be whole. */
Test(smaps_parse, values_not_used)
{
	const char *text = "00400000-00500000 rw-p 00000000 00:00 0 \n"
			   "THPeligible:    0\nProtectionKey:         0\nVmFlags: \n"
			   "Locked:  lots\nName:   [anon:not here]\nRss:    4 kB\n"
			   "Rss_Extra:  x\nPss_Dirty: ?\n";
	struct smaps s;

	cr_assert_eq(parse_str(text, &s), 0);
	cr_assert_eq(s.rss, 4 * K);
	cr_assert_eq(s.v[0].kind, SMAPS_ANON);
	smaps_free(&s);
}

/* The kernel writes no NUL byte: one is malformed text, not the end of a path. */
Test(smaps_parse, nul_byte)
{
	const char text[] = "00400000-00500000 r--p 00000000 00:00 7 /a\0b\nRss: 4 kB\n";
	struct smaps s;

	cr_assert_eq(smaps_parse(text, sizeof(text) - 1, &s), -EINVAL);
	assert_empty(&s, "NUL");
}

/* Sums that no machine can hold are refused, not wrapped. */
Test(smaps_parse, overflowing_sums)
{
	const char *text = "00400000-00500000 rw-p 00000000 00:00 0 \n"
			   "Rss: 10000000000000000 kB\n"
			   "00600000-00700000 rw-p 00000000 00:00 0 \n"
			   "Rss: 10000000000000000 kB\n";
	struct smaps s;

	/* Each alone is a value (10^16 kB < 2^64 bytes), the two together are not. */
	cr_assert_eq(smaps_parse(text, strlen(text) / 2, &s), 0);
	cr_assert_eq(s.rss, 10000000000000000ULL * K);
	smaps_free(&s);
	cr_assert_eq(parse_str(text, &s), -EINVAL);
	assert_empty(&s, "overflow");
}

/* ------------------------------------------------- many mappings, fast */

/*
 * A browser or a JVM has thousands of mappings, of thousands of files: the
 * grouping must not compare each with all.  201000 mappings of 100000
 * paths take ~0.2 s (x3 under ASan); comparing each with every group before
 * it would take a minute.
 */
Test(smaps_parse, thousands_of_mappings, .timeout = 60)
{
	const unsigned files = 100000, n = 2 * files + 1000;
	size_t cap = (size_t)n * 200;
	char *text = malloc(cap), *p = text;
	struct smaps s;
	clock_t t0;
	double secs;

	cr_assert_not_null(text);
	for (unsigned i = 0; i < n; i++) {
		unsigned long start = 0x10000000UL + (unsigned long)i * 0x2000;

		p += sprintf(p, "%012lx-%012lx r--p 00000000 fe:00 %u", start, start + 0x1000, i);
		if (i < 2 * files)
			p += sprintf(p, "    /usr/lib/lib%u.so\n", i % files);
		else
			p += sprintf(p, " \n");
		p += sprintf(p, "Rss:  %u kB\nPss:  4 kB\nAnonymous: 0 kB\nVmFlags: rd mr\n",
			     i < 2 * files ? 4 + 4 * (i % files) : 0);
	}
	t0 = clock();
	cr_assert_eq(smaps_parse(text, (size_t)(p - text), &s), 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	cr_assert_lt(secs, 3.0, "%u mappings took %.1f s: quadratic?", n, secs);
	cr_assert_eq(s.mappings, n);
	cr_assert_eq(s.n, files + 1);
	assert_consistent("generated", &s);
	/* lib99999.so: 2 mappings of 400000 kB; then the others in order of their number. */
	cr_assert_str_eq(s.v[0].path, "/usr/lib/lib99999.so");
	cr_assert_eq(s.v[0].rss, 2 * 400000 * K);
	cr_assert_eq(s.v[0].mappings, 2);
	cr_assert_str_eq(s.v[files - 1].path, "/usr/lib/lib0.so");
	cr_assert_eq(s.v[files - 1].rss, 8 * K);
	for (unsigned i = 1; i < files; i++)
		cr_assert_eq(s.v[i].rss, s.v[i - 1].rss - 8 * K, "group %u", i);
	cr_assert_eq(s.v[files].kind, SMAPS_ANON, "the anonymous ones (0 kB) last");
	cr_assert_eq(s.v[files].mappings, 1000);
	smaps_free(&s);
	free(text);
}

/* --------------------------------------------------------------- names */

Test(smaps_kind_name, every_kind)
{
	cr_assert_str_eq(smaps_kind_name(SMAPS_HEAP), "heap");
	cr_assert_str_eq(smaps_kind_name(SMAPS_STACK), "stack");
	cr_assert_str_eq(smaps_kind_name(SMAPS_ANON), "anonymous");
	cr_assert_str_eq(smaps_kind_name(SMAPS_SHMEM), "shared memory");
	cr_assert_str_eq(smaps_kind_name(SMAPS_FILE), "file");
	cr_assert_str_eq(smaps_kind_name(SMAPS_OTHER), "other");
	cr_assert_str_eq(smaps_kind_name(SMAPS_KINDS), "unknown");
}

Test(smaps_free, empty_and_twice)
{
	struct smaps s = { 0 };

	smaps_free(&s);
	cr_assert_eq(parse_str("00400000-00500000 rw-p 00000000 00:00 0 \nRss: 4 kB\n", &s), 0);
	smaps_free(&s);
	assert_empty(&s, "freed");
	smaps_free(&s);
}

/* ------------------------------------------------------- live readings */

static int open_proc(void)
{
	int fd = procfs_open();

	cr_assert_geq(fd, 0, "procfs_open: %s", strerror(-fd));
	return fd;
}

static const struct smaps_group *find(const struct smaps *s, enum smaps_kind kind, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == kind &&
		    (path ? s->v[i].path && !strcmp(s->v[i].path, path) : !s->v[i].path))
			return &s->v[i];
	return NULL;
}

/*
 * Our own smaps, with a memfd of 3 MiB touched and 3000 mappings more (far
 * beyond the first buffer: the reader must grow it): the memfd's group is
 * exact, and the whole agrees with smaps_rollup read just before (within
 * what reading smaps itself faults in).
 */
Test(smaps_read, self)
{
	const size_t memfd_size = 3u << 20, page = (size_t)sysconf(_SC_PAGESIZE);
	int fd = open_proc(), mfd = memfd_create("test smaps", 0);
	struct rollup r;
	struct smaps s;
	const struct smaps_group *g;
	volatile char *m;
	char *many;
	int rc;

	cr_assert_geq(mfd, 0);
	cr_assert_eq(ftruncate(mfd, (off_t)memfd_size), 0);
	m = mmap(NULL, memfd_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	cr_assert_neq((void *)m, MAP_FAILED);
	for (size_t i = 0; i < memfd_size; i += page)
		m[i] = 1;
	/* Alternate protections, so that no two of them merge into one mapping. */
	many = mmap(NULL, 6000 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(many, MAP_FAILED);
	for (size_t i = 0; i < 6000; i += 2)
		cr_assert_eq(mprotect(many + i * page, page, PROT_NONE), 0);

	cr_assert_eq(procfs_read_rollup(fd, getpid(), &r), 0);
	rc = smaps_read(fd, getpid(), &s);
	cr_assert_eq(rc, 0, "smaps_read: %s", strerror(-rc));
	assert_consistent("self", &s);
	cr_assert_geq(s.mappings, 6000);
	g = find(&s, SMAPS_SHMEM, "/memfd:test smaps (deleted)");
	cr_assert_not_null(g, "no group for the memfd");
	cr_assert_eq(g->rss, memfd_size);
	cr_assert_eq(g->mappings, 1);
	cr_assert_not_null(find(&s, SMAPS_STACK, NULL));
	cr_assert_leq(r.rss, s.rss + 16 * page);
	/* smaps' own buffer (~7 MB of text) is the difference. */
	cr_assert_leq(s.rss, r.rss + (32u << 20), "smaps %llu, rollup %llu",
		      (unsigned long long)s.rss, (unsigned long long)r.rss);
	smaps_free(&s);
	munmap(many, 6000 * page);
	munmap((void *)m, memfd_size);
	close(mfd);
	close(fd);
}

Test(smaps_read, reaped_pid_is_esrch)
{
	int fd = open_proc(), status;
	struct smaps s;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(smaps_read(fd, pid, &s), -ESRCH);
	assert_empty(&s, "reaped");
	close(fd);
}

/* A zombie's smaps is there but empty (no mm): gone, like its rollup. */
Test(smaps_read, zombie_is_esrch)
{
	int fd = open_proc();
	struct smaps s;
	siginfo_t si;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(4);
	memset(&si, 0, sizeof(si));
	cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	cr_assert_eq(smaps_read(fd, pid, &s), -ESRCH);
	assert_empty(&s, "zombie");
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	close(fd);
}

/* One "truth pid=... what=LABEL rss=N pss=N" line's rss of a workload's output. */
static uint64_t truth_rss(const char *out, const char *label)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), " what=%s rss=", label);
	p = strstr(out, key);
	cr_assert_not_null(p, "no truth %s in:\n%s", label, out);
	return strtoull(p + strlen(key), NULL, 10);
}

/*
 * The workload of known make-up (wl makeup), read from outside while it
 * waits after its own reading: each part it made is the group the parser
 * puts it in, to the byte, and the whole is its own total.
 */
Test(smaps_read, workload_of_known_makeup, .timeout = 60)
{
	const char *dir = getenv("WORKLOADS");
	char wl[PATH_MAX], out[4096];
	size_t len = 0;
	int fd = open_proc(), pipefd[2], rc;
	struct smaps s;
	const struct smaps_group *g;
	uint64_t file = 0;
	pid_t pid;

	cr_assert_not_null(dir, "WORKLOADS is not set (make check sets it)");
	snprintf(wl, sizeof(wl), "%s/wl", dir);
	cr_assert_eq(pipe(pipefd), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		setenv("WL_MAKEUP_WAIT", "30000", 1);
		execl(wl, wl, "makeup", "hold", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	/* Its truths end with "peak": then it waits, holding everything. */
	while (!strstr(out, "what=peak ") || !strchr(strstr(out, "what=peak "), '\n')) {
		ssize_t n = read(pipefd[0], out + len, sizeof(out) - 1 - len);

		cr_assert_gt(n, 0, "wl makeup ended early:\n%.*s", (int)len, out);
		len += (size_t)n;
		out[len] = '\0';
	}
	rc = smaps_read(fd, pid, &s);
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	close(pipefd[0]);
	cr_assert_eq(rc, 0, "smaps_read: %s", strerror(-rc));
	assert_consistent("wl makeup", &s);

	g = find(&s, SMAPS_HEAP, NULL);
	cr_assert_not_null(g);
	cr_assert_eq(g->rss, truth_rss(out, "makeup-heap"));
	cr_assert_geq(g->rss, 40u << 20);
	g = find(&s, SMAPS_SHMEM, "/memfd:wl-makeup (deleted)");
	cr_assert_not_null(g, "no group for its memfd");
	cr_assert_eq(g->rss, truth_rss(out, "makeup-shmem"));
	cr_assert_eq(g->rss, 10u << 20);
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].path && strstr(s.v[i].path, "/wl-makeup-"))
			file = s.v[i].rss;
	cr_assert_eq(file, truth_rss(out, "makeup-file"));
	cr_assert_eq(file, 20u << 20);
	g = find(&s, SMAPS_ANON, NULL);
	cr_assert_not_null(g);
	cr_assert_geq(g->rss, truth_rss(out, "makeup-anon") + truth_rss(out, "makeup-stacks"));
	cr_assert_eq(truth_rss(out, "makeup-anon"), 30u << 20);
	cr_assert_geq(truth_rss(out, "makeup-stacks"), 4u << 20);
	/* It sleeps in code it ran before its reading: nothing new is resident. */
	cr_assert_eq(s.rss, truth_rss(out, "makeup-total"), "smaps %llu, its own %llu",
		     (unsigned long long)s.rss, (unsigned long long)truth_rss(out, "makeup-total"));
	smaps_free(&s);
	close(fd);
}
