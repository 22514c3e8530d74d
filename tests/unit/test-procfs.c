/*
 * Unit tests of procfs: the parsers on /proc text captured from a Linux 6.18
 * machine (tests/unit/fixtures), on damaged copies of it, and the readers on
 * the live system.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "procfs.h"

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

/* The offset just past the first occurrence of needle in buf. */
static size_t offset_after(const char *buf, const char *needle)
{
	const char *p = strstr(buf, needle);

	cr_assert_not_null(p, "fixture has no \"%s\"", needle);
	return (size_t)(p - buf) + strlen(needle);
}

static int parse_rollup_str(const char *s, struct rollup *r)
{
	return procfs_parse_rollup(s, strlen(s), r);
}

static int parse_status_str(const char *s, struct pstatus *st)
{
	return procfs_parse_status(s, strlen(s), st);
}

/* ------------------------------------------------------- rollup, captured */

struct rollup_fixture {
	const char *name;
	struct rollup want;
};

/* Hand-computed from the files: kB * 1024; uss = Private_Clean + Private_Dirty. */
static const struct rollup_fixture rollups[] = {
	{ "rollup-self",
	  { .rss = 1740 * K,
	    .pss = 324 * K,
	    .uss = (40 + 112) * K,
	    .anon = 112 * K,
	    .swap = 0,
	    .pss_anon = 112 * K,
	    .pss_file = 212 * K,
	    .pss_shmem = 0 } },
	{ "rollup-threaded",
	  { .rss = 6612 * K,
	    .pss = 5515 * K,
	    .uss = (4 + 5264) * K,
	    .anon = 5252 * K,
	    .swap = 0,
	    .pss_anon = 5252 * K,
	    .pss_file = 263 * K,
	    .pss_shmem = 0 } },
	{ "rollup-shmem",
	  { .rss = 4408 * K,
	    .pss = 1836 * K,
	    .uss = (0 + 68) * K,
	    .anon = 104 * K,
	    .swap = 0,
	    .pss_anon = 84 * K,
	    .pss_file = 216 * K,
	    .pss_shmem = 1536 * K } },
};

static void assert_rollup_eq(const char *what, const struct rollup *got, const struct rollup *want)
{
#define FIELD(f)                                                          \
	cr_assert_eq(got->f, want->f, "%s: " #f " %llu, want %llu", what, \
		     (unsigned long long)got->f, (unsigned long long)want->f)
	FIELD(rss);
	FIELD(pss);
	FIELD(uss);
	FIELD(anon);
	FIELD(swap);
	FIELD(pss_anon);
	FIELD(pss_file);
	FIELD(pss_shmem);
#undef FIELD
}

Test(procfs_parse_rollup, captured_files)
{
	for (size_t i = 0; i < sizeof(rollups) / sizeof(rollups[0]); i++) {
		struct rollup r;
		size_t len;
		char *buf = load(rollups[i].name, &len);
		int rc = procfs_parse_rollup(buf, len, &r);

		cr_assert_eq(rc, 0, "%s: rc %d", rollups[i].name, rc);
		assert_rollup_eq(rollups[i].name, &r, &rollups[i].want);
		free(buf);
	}
}

/* Without the final newline (a reader that dropped it) the file still parses. */
Test(procfs_parse_rollup, no_final_newline)
{
	struct rollup r;
	size_t len;
	char *buf = load("rollup-self", &len);

	cr_assert_eq(buf[len - 1], '\n');
	cr_assert_eq(procfs_parse_rollup(buf, len - 1, &r), 0);
	assert_rollup_eq("rollup-self without its newline", &r, &rollups[0].want);
	free(buf);
}

/*
 * Cut the file at every byte: never a crash or an over-read (the copy has no
 * slack), never a partial number taken as a value.  A cut parses (0) only when
 * Rss and Pss are complete, and every field is then its full value or absent (0).
 */
Test(procfs_parse_rollup, every_truncation)
{
	for (size_t f = 0; f < sizeof(rollups) / sizeof(rollups[0]); f++) {
		const struct rollup *w = &rollups[f].want;
		size_t len, pss_end;
		char *buf = load(rollups[f].name, &len);

		pss_end = offset_after(buf, "\nPss:");
		pss_end = (size_t)(strchr(buf + pss_end, '\n') - buf);
		for (size_t cut = 0; cut <= len; cut++) {
			char *p = prefix(buf, cut);
			struct rollup r;
			int rc = procfs_parse_rollup(p, cut, &r);

			free(p);
			if (cut == 0) {
				cr_assert_eq(rc, -ENODATA, "%s cut at 0: rc %d", rollups[f].name,
					     rc);
				continue;
			}
			cr_assert(rc == 0 || rc == -EINVAL, "%s cut at %zu: rc %d", rollups[f].name,
				  cut, rc);
			if (cut < pss_end) {
				cr_assert_eq(rc, -EINVAL,
					     "%s cut at %zu (before the end of Pss): rc %d",
					     rollups[f].name, cut, rc);
				continue;
			}
			if (rc)
				continue;
#define FULL_OR_ZERO(fld)                                                                        \
	cr_assert(r.fld == w->fld || r.fld == 0, "%s cut at %zu: " #fld " %llu, want %llu or 0", \
		  rollups[f].name, cut, (unsigned long long)r.fld, (unsigned long long)w->fld)
			cr_assert_eq(r.rss, w->rss, "%s cut at %zu", rollups[f].name, cut);
			cr_assert_eq(r.pss, w->pss, "%s cut at %zu", rollups[f].name, cut);
			FULL_OR_ZERO(anon);
			FULL_OR_ZERO(swap);
			FULL_OR_ZERO(pss_anon);
			FULL_OR_ZERO(pss_file);
			FULL_OR_ZERO(pss_shmem);
#undef FULL_OR_ZERO
		}
		free(buf);
	}
}

Test(procfs_parse_rollup, cut_mid_line_and_mid_number)
{
	struct rollup r;
	size_t len, at;
	char *buf = load("rollup-self", &len);

	/* "Rss:" and nothing more */
	at = offset_after(buf, "\nRss:");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut after \"Rss:\"");
	/* "Rss:                17" */
	at = offset_after(buf, "\nRss:                17");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut inside Rss's number");
	/* "Rss:                1740 k" */
	at = offset_after(buf, "\nRss:                1740 k");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut inside Rss's unit");
	/* "Pss:                 32" */
	at = offset_after(buf, "\nPss:                 32");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut inside Pss's number");
	/* "Private_Dirty:       1" */
	at = offset_after(buf, "\nPrivate_Dirty:       1");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut inside Private_Dirty");
	/* "Anonymous:           11" */
	at = offset_after(buf, "\nAnonymous:           11");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "cut inside Anonymous");
	/* A cut inside the name of a line we do not use loses nothing. */
	at = offset_after(buf, "\nRefer");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), 0);
	cr_assert_eq(r.rss, 1740 * K);
	cr_assert_eq(r.uss, 152 * K);
	cr_assert_eq(r.pss_file, 212 * K);
	/* The header line alone has no Rss. */
	at = offset_after(buf, "[rollup]\n");
	cr_assert_eq(procfs_parse_rollup(buf, at, &r), -EINVAL, "header only");
	free(buf);
}

/* ------------------------------------------------------- rollup, synthetic */

Test(procfs_parse_rollup, empty_is_enodata)
{
	struct rollup r;

	cr_assert_eq(procfs_parse_rollup("", 0, &r), -ENODATA);
	/* The length rules, not the NUL: a buffer holding text but len 0 is empty. */
	cr_assert_eq(procfs_parse_rollup("Rss: 1 kB\nPss: 1 kB\n", 0, &r), -ENODATA);
}

Test(procfs_parse_rollup, garbage)
{
	static const char bin[] = { '\0', '\x01', '\xff', 'R', 's', 's', '\0', ':', '\n' };
	struct rollup r;

	cr_assert_eq(parse_rollup_str("garbage", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("\n\n\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str(":::: kB\n", &r), -EINVAL);
	cr_assert_eq(procfs_parse_rollup(bin, sizeof(bin), &r), -EINVAL);
}

Test(procfs_parse_rollup, minimal)
{
	struct rollup r;

	memset(&r, 0x55, sizeof(r));
	cr_assert_eq(parse_rollup_str("Rss: 5 kB\nPss: 3 kB\n", &r), 0);
	cr_assert_eq(r.rss, 5 * K);
	cr_assert_eq(r.pss, 3 * K);
	cr_assert_eq(r.uss, 0, "fields not in the text are 0");
	cr_assert_eq(r.anon, 0);
	cr_assert_eq(r.swap, 0);
	cr_assert_eq(r.pss_anon, 0);
	cr_assert_eq(r.pss_file, 0);
	cr_assert_eq(r.pss_shmem, 0);
	cr_assert_eq(parse_rollup_str("Pss:\t0 kB\nRss:\t0 kB", &r), 0);
	cr_assert_eq(r.rss, 0);
	cr_assert_eq(r.pss, 0);
}

Test(procfs_parse_rollup, missing_rss_or_pss)
{
	struct rollup r;

	cr_assert_eq(parse_rollup_str("Rss: 5 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Pss: 5 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Pss: 5 kB\nPrivate_Dirty: 5 kB\nAnonymous: 5 kB\n", &r),
		     -EINVAL);
	/* Look-alikes are not Rss / Pss. */
	cr_assert_eq(parse_rollup_str("RssAnon: 5 kB\nPss: 5 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Rss: 5 kB\nPss_Anon: 5 kB\nSwapPss: 1 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str(" Rss: 5 kB\nPss: 5 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("rss: 5 kB\nPss: 5 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Rss 5 kB\nPss: 5 kB\n", &r), -EINVAL);
}

/* Keys that are prefixes of others: Rss / RssAnon, Pss / Pss_Anon, Swap / SwapPss. */
Test(procfs_parse_rollup, prefix_keys)
{
	struct rollup r;

	cr_assert_eq(parse_rollup_str("Rss: 5 kB\n"
				      "RssAnon: 7 kB\n"
				      "Pss: 3 kB\n"
				      "Pss_Anon: 9 kB\n"
				      "Pss_Dirty: 11 kB\n"
				      "Pss_File: 1 kB\n"
				      "Pss_Shmem: 2 kB\n"
				      "Swap: 12 kB\n"
				      "SwapPss: 4 kB\n"
				      "Anonymous: 6 kB\n"
				      "AnonHugePages: 100 kB\n",
				      &r),
		     0);
	cr_assert_eq(r.rss, 5 * K);
	cr_assert_eq(r.pss, 3 * K);
	cr_assert_eq(r.pss_anon, 9 * K);
	cr_assert_eq(r.pss_file, 1 * K);
	cr_assert_eq(r.pss_shmem, 2 * K);
	cr_assert_eq(r.swap, 12 * K);
	cr_assert_eq(r.anon, 6 * K);

	/* The longer keys first: they must not land in the shorter ones. */
	cr_assert_eq(parse_rollup_str("SwapPss: 4 kB\n"
				      "Pss_Anon: 9 kB\n"
				      "RssAnon: 7 kB\n"
				      "Rss: 5 kB\n"
				      "Pss: 3 kB\n",
				      &r),
		     0);
	cr_assert_eq(r.rss, 5 * K);
	cr_assert_eq(r.pss, 3 * K);
	cr_assert_eq(r.pss_anon, 9 * K);
	cr_assert_eq(r.swap, 0);

	/* ...nor after them. */
	cr_assert_eq(parse_rollup_str("Rss: 5 kB\n"
				      "Pss: 3 kB\n"
				      "RssAnon: 7 kB\n"
				      "Pss_Anon: 9 kB\n"
				      "SwapPss: 4 kB\n"
				      "AnonHugePages: 100 kB\n",
				      &r),
		     0);
	cr_assert_eq(r.rss, 5 * K);
	cr_assert_eq(r.pss, 3 * K);
	cr_assert_eq(r.swap, 0);
	cr_assert_eq(r.anon, 0);
}

Test(procfs_parse_rollup, swap)
{
	struct rollup r;

	cr_assert_eq(parse_rollup_str("Rss: 8 kB\nPss: 4 kB\nSwap: 2048 kB\nSwapPss: 1024 kB\n",
				      &r),
		     0);
	cr_assert_eq(r.swap, 2048 * K);
}

/* Kernels before 5.8 have no Pss_Anon / Pss_File / Pss_Shmem lines. */
Test(procfs_parse_rollup, old_kernel_format)
{
	struct rollup r;

	cr_assert_eq(parse_rollup_str("00400000-7fff0000 ---p 00000000 00:00 0 [rollup]\n"
				      "Rss:                1672 kB\n"
				      "Pss:                 469 kB\n"
				      "Shared_Clean:       1476 kB\n"
				      "Shared_Dirty:          0 kB\n"
				      "Private_Clean:        84 kB\n"
				      "Private_Dirty:       112 kB\n"
				      "Referenced:         1672 kB\n"
				      "Anonymous:           112 kB\n"
				      "Swap:                  0 kB\n",
				      &r),
		     0);
	cr_assert_eq(r.rss, 1672 * K);
	cr_assert_eq(r.pss, 469 * K);
	cr_assert_eq(r.uss, 196 * K);
	cr_assert_eq(r.anon, 112 * K);
	cr_assert_eq(r.pss_anon, 0);
	cr_assert_eq(r.pss_file, 0);
	cr_assert_eq(r.pss_shmem, 0);
}

Test(procfs_parse_rollup, malformed_values)
{
	static const char *const bad[] = {
		"Rss: 12 MB\nPss: 1 kB\n",
		"Rss: 12 kb\nPss: 1 kB\n",
		"Rss: 12\nPss: 1 kB\n",
		"Rss: kB\nPss: 1 kB\n",
		"Rss: -12 kB\nPss: 1 kB\n",
		"Rss: 1 2 kB\nPss: 1 kB\n",
		"Rss: 0x10 kB\nPss: 1 kB\n",
		"Rss: 12 B\nPss: 1 kB\n",
		"Rss:\nPss: 1 kB\n",
		"Rss: 1 kB\nPss: 12 MB\n",
		"Rss: 1 kB\nPss: 1.5 kB\n",
		"Rss: 1 kB\nPss: 1 kB\nSwap: x kB\n",
		"Rss: 1 kB\nPss: 1 kB\nPrivate_Dirty: 3 pages\n",
		"Rss: 1 kB\nPss: 1 kB\nPss_Anon:\n",
	};
	struct rollup r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_rollup_str(bad[i], &r), -EINVAL, "\"%s\"", bad[i]);
}

Test(procfs_parse_rollup, huge_numbers)
{
	struct rollup r;

	/* 2^44 kB = 16 PiB: large but representable. */
	cr_assert_eq(parse_rollup_str("Rss: 17179869184 kB\nPss: 1 kB\n", &r), 0);
	cr_assert_eq(r.rss, 17179869184ULL * K);
	/* Bytes would overflow 64 bits. */
	cr_assert_eq(parse_rollup_str("Rss: 18014398509481984 kB\nPss: 1 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Rss: 99999999999999999999 kB\nPss: 1 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Rss: 1 kB\nPss: 184467440737095516150 kB\n", &r), -EINVAL);
	cr_assert_eq(parse_rollup_str("Rss: 1 kB\nPss: 1 kB\nAnonymous: 99999999999999999999 kB\n",
				      &r),
		     -EINVAL);
}

/* ------------------------------------------------------- status, captured */

struct status_fixture {
	const char *name;
	struct pstatus want;
};

static const struct status_fixture statuses[] = {
	{ "status-self",
	  { .tgid = 4360,
	    .has_mm = true,
	    .hwm = 1760 * K,
	    .vmrss = 1760 * K,
	    .rss_anon = 112 * K,
	    .rss_file = 1648 * K,
	    .rss_shmem = 0 } },
	{ "status-threaded-leader",
	  { .tgid = 4245,
	    .has_mm = true,
	    .hwm = 6612 * K,
	    .vmrss = 6612 * K,
	    .rss_anon = 5252 * K,
	    .rss_file = 1360 * K,
	    .rss_shmem = 0 } },
	/* A non-leader thread (Pid 4248): Tgid names its process. */
	{ "status-thread",
	  { .tgid = 4245,
	    .has_mm = true,
	    .hwm = 6608 * K,
	    .vmrss = 6608 * K,
	    .rss_anon = 5248 * K,
	    .rss_file = 1360 * K,
	    .rss_shmem = 0 } },
	{ "status-shmem",
	  { .tgid = 4278,
	    .has_mm = true,
	    .hwm = 4412 * K,
	    .vmrss = 4412 * K,
	    .rss_anon = 108 * K,
	    .rss_file = 1232 * K,
	    .rss_shmem = 3072 * K } },
	/* kthreadd: no Vm* lines. */
	{ "status-kthread", { .tgid = 2, .has_mm = false } },
	/* A zombie: its mm is gone, so are the Vm* lines. */
	{ "status-zombie", { .tgid = 4249, .has_mm = false } },
};

static void assert_status_eq(const char *what, const struct pstatus *got,
			     const struct pstatus *want)
{
	cr_assert_eq(got->tgid, want->tgid, "%s: tgid %d, want %d", what, (int)got->tgid,
		     (int)want->tgid);
	cr_assert_eq(got->has_mm, want->has_mm, "%s: has_mm %d", what, got->has_mm);
#define FIELD(f)                                                          \
	cr_assert_eq(got->f, want->f, "%s: " #f " %llu, want %llu", what, \
		     (unsigned long long)got->f, (unsigned long long)want->f)
	FIELD(hwm);
	FIELD(vmrss);
	FIELD(rss_anon);
	FIELD(rss_file);
	FIELD(rss_shmem);
#undef FIELD
}

Test(procfs_parse_status, captured_files)
{
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		struct pstatus st;
		size_t len;
		char *buf = load(statuses[i].name, &len);
		int rc = procfs_parse_status(buf, len, &st);

		cr_assert_eq(rc, 0, "%s: rc %d", statuses[i].name, rc);
		assert_status_eq(statuses[i].name, &st, &statuses[i].want);
		free(buf);
	}
}

/* A cut inside the Tgid number must not yield a smaller pid. */
Test(procfs_parse_status, cut_inside_tgid)
{
	struct pstatus st;
	size_t len, at;
	char *buf = load("status-self", &len);
	char *p;
	int rc;

	at = offset_after(buf, "\nTgid:\t43");
	p = prefix(buf, at);
	rc = procfs_parse_status(p, at, &st);
	cr_assert_eq(rc, -EINVAL, "status-self cut after \"Tgid:\\t43\": rc %d, tgid %d", rc,
		     (int)st.tgid);
	free(p);
	free(buf);
}

/*
 * Every cut of every status file: 0 or -EINVAL, never a partial number.  (Cuts
 * inside the Tgid digits are the test above.)
 */
Test(procfs_parse_status, every_truncation)
{
	for (size_t f = 0; f < sizeof(statuses) / sizeof(statuses[0]); f++) {
		const struct pstatus *w = &statuses[f].want;
		size_t len, tgid_start, tgid_end;
		char *buf = load(statuses[f].name, &len);

		tgid_start = offset_after(buf, "\nTgid:\t");
		tgid_end = (size_t)(strchr(buf + tgid_start, '\n') - buf);
		for (size_t cut = 0; cut <= len; cut++) {
			char *p = prefix(buf, cut);
			struct pstatus st;
			int rc = procfs_parse_status(p, cut, &st);

			free(p);
			cr_assert(rc == 0 || rc == -EINVAL, "%s cut at %zu: rc %d",
				  statuses[f].name, cut, rc);
			if (cut <= tgid_start) {
				cr_assert_eq(rc, -EINVAL, "%s cut at %zu (no Tgid yet): rc %d",
					     statuses[f].name, cut, rc);
				continue;
			}
			if (cut < tgid_end || rc)
				continue;
			cr_assert_eq(st.tgid, w->tgid, "%s cut at %zu", statuses[f].name, cut);
#define FULL_OR_ZERO(fld)                                                                          \
	cr_assert(st.fld == w->fld || st.fld == 0, "%s cut at %zu: " #fld " %llu, want %llu or 0", \
		  statuses[f].name, cut, (unsigned long long)st.fld, (unsigned long long)w->fld)
			FULL_OR_ZERO(hwm);
			FULL_OR_ZERO(vmrss);
			FULL_OR_ZERO(rss_anon);
			FULL_OR_ZERO(rss_file);
			FULL_OR_ZERO(rss_shmem);
#undef FULL_OR_ZERO
			if (st.has_mm)
				cr_assert_eq(st.vmrss, w->vmrss,
					     "%s cut at %zu: has_mm without VmRSS",
					     statuses[f].name, cut);
			else
				cr_assert_eq(st.vmrss, 0);
		}
		free(buf);
	}
}

Test(procfs_parse_status, cut_mid_number)
{
	struct pstatus st;
	size_t len, at;
	char *buf = load("status-self", &len);

	at = offset_after(buf, "\nVmHWM:\t    17");
	cr_assert_eq(procfs_parse_status(buf, at, &st), -EINVAL, "cut inside VmHWM");
	at = offset_after(buf, "\nVmRSS:\t    1760 k");
	cr_assert_eq(procfs_parse_status(buf, at, &st), -EINVAL, "cut inside VmRSS's unit");
	at = offset_after(buf, "\nRssFile:\t    16");
	cr_assert_eq(procfs_parse_status(buf, at, &st), -EINVAL, "cut inside RssFile");
	/* Cut before VmRSS: Tgid is there, the mm is not (yet). */
	at = offset_after(buf, "\nVmPeak:");
	cr_assert_eq(procfs_parse_status(buf, at, &st), 0);
	cr_assert_eq(st.tgid, 4360);
	cr_assert_eq(st.has_mm, false);
	free(buf);
}

/* ------------------------------------------------------- status, synthetic */

Test(procfs_parse_status, tgid_only)
{
	struct pstatus st;

	memset(&st, 0x55, sizeof(st));
	cr_assert_eq(parse_status_str("Name:\tx\nTgid:\t77\nPid:\t78\n", &st), 0);
	cr_assert_eq(st.tgid, 77);
	cr_assert_eq(st.has_mm, false);
	cr_assert_eq(st.hwm, 0);
	cr_assert_eq(st.vmrss, 0);
	cr_assert_eq(st.rss_anon, 0);
	cr_assert_eq(st.rss_file, 0);
	cr_assert_eq(st.rss_shmem, 0);
	/* The largest pid Linux hands out (PID_MAX_LIMIT). */
	cr_assert_eq(parse_status_str("Tgid:\t4194304\n", &st), 0);
	cr_assert_eq(st.tgid, 4194304);
}

/* TracerPid: who traces it, 0 for nobody (or for a value that is not a pid). */
Test(procfs_parse_status, tracer_pid)
{
	struct pstatus st;

	cr_assert_eq(parse_status_str("Tgid:\t5\nTracerPid:\t0\n", &st), 0);
	cr_assert_eq(st.tracer, 0);
	cr_assert_eq(parse_status_str("Tgid:\t5\nTracerPid:\t4321\n", &st), 0);
	cr_assert_eq(st.tracer, 4321);
	cr_assert_eq(parse_status_str("Tgid:\t5\n", &st), 0);
	cr_assert_eq(st.tracer, 0);
	cr_assert_eq(parse_status_str("Tgid:\t5\nTracerPid:\t12x\n", &st), 0);
	cr_assert_eq(st.tracer, 0);
}

/* PPid: the parent's tgid, 0 when it is outside our pid namespace. */
Test(procfs_parse_status, ppid)
{
	size_t len;
	char *buf = load("status-self", &len);
	struct pstatus st;

	cr_assert_eq(procfs_parse_status(buf, len, &st), 0);
	cr_assert_eq(st.ppid, 4356, "the fixture's PPid:\t4356");
	free(buf);
	cr_assert_eq(parse_status_str("Tgid:\t5\nPPid:\t0\n", &st), 0);
	cr_assert_eq(st.ppid, 0);
	cr_assert_eq(parse_status_str("Tgid:\t5\nPPid:\t1\n", &st), 0);
	cr_assert_eq(st.ppid, 1);
	cr_assert_eq(parse_status_str("Tgid:\t5\n", &st), 0);
	cr_assert_eq(st.ppid, 0);
}

/* Seccomp_filters (Linux 5.9): how many filters the task runs under; -1 when not said. */
Test(procfs_parse_status, seccomp_filters)
{
	size_t len;
	char *buf = load("status-self", &len);
	struct pstatus st;

	cr_assert_eq(procfs_parse_status(buf, len, &st), 0);
	cr_assert_eq(st.seccomp_filters, 0, "the fixture's Seccomp_filters:\t0");
	free(buf);
	cr_assert_eq(parse_status_str("Tgid:\t5\nSeccomp:\t2\nSeccomp_filters:\t14\n", &st), 0);
	cr_assert_eq(st.seccomp_filters, 14);
	cr_assert_eq(parse_status_str("Tgid:\t5\nSeccomp:\t0\n", &st), 0);
	cr_assert_eq(st.seccomp_filters, -1, "a kernel before 5.9 does not say");
	cr_assert_eq(parse_status_str("Tgid:\t5\nSeccomp_filters:\tx\n", &st), 0);
	cr_assert_eq(st.seccomp_filters, -1);
}

Test(procfs_parse_status, bad_tgid)
{
	static const char *const bad[] = {
		"",
		"Name:\tx\nPid:\t5\n",
		"Tgid:\n",
		"Tgid:\t\n",
		"Tgid:\t0\n",
		"Tgid:\t-5\n",
		"Tgid:\tabc\n",
		"Tgid:\t12x\n",
		"Tgid:\t12 3\n",
		"Tgid:\t99999999999999999999\n",
		"Tgid:\t123456789012\n",
		"TgidX:\t5\n",
		"Ngid:\t5\n",
	};
	struct pstatus st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_status_str(bad[i], &st), -EINVAL, "\"%s\"", bad[i]);
}

Test(procfs_parse_status, bad_memory_values)
{
	static const char *const bad[] = {
		"Tgid:\t5\nVmRSS:\t    12 MB\n",
		"Tgid:\t5\nVmHWM:\t    12\n",
		"Tgid:\t5\nVmHWM:\t    99999999999999999999 kB\n",
		"Tgid:\t5\nRssAnon:\t    x kB\n",
		"Tgid:\t5\nRssFile:\n",
		"Tgid:\t5\nRssShmem:\t    -1 kB\n",
	};
	struct pstatus st;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_status_str(bad[i], &st), -EINVAL, "\"%s\"", bad[i]);
}

/* Unused lines may hold anything; look-alike keys are not ours. */
Test(procfs_parse_status, ignores_other_lines)
{
	struct pstatus st;

	cr_assert_eq(parse_status_str("Tgid:\t9\n"
				      "VmPeak:\tnot a number\n"
				      "VmRSSx:\t    1 kB\n"
				      "VmRSS:\t    4 kB\n"
				      "VmHWMfoo:\t    2 kB\n"
				      "VmHWM:\t    8 kB\n"
				      "RssAnonymous:\t    3 kB\n"
				      "Rss:\t    5 kB\n"
				      "Mems_allowed:\t00000001\n",
				      &st),
		     0);
	cr_assert_eq(st.tgid, 9);
	cr_assert_eq(st.has_mm, true);
	cr_assert_eq(st.vmrss, 4 * K);
	cr_assert_eq(st.hwm, 8 * K);
	cr_assert_eq(st.rss_anon, 0);
}

/* ------------------------------------------------------------- count_args */

/* --------------------------------------------------------------- readers, live */

/* Arguments in a NUL-separated cmdline of len bytes (each ends in NUL). */
static size_t count_args(const char *buf, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	return n;
}

static int open_proc(void)
{
	int fd = procfs_open();

	cr_assert_geq(fd, 0, "procfs_open: %s", strerror(-fd));
	return fd;
}

Test(procfs_open, is_a_cloexec_directory)
{
	int fd = open_proc();
	struct stat sb;

	cr_assert_eq(fstat(fd, &sb), 0);
	cr_assert(S_ISDIR(sb.st_mode));
	cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "the tracee must not inherit it");
	cr_assert_eq(faccessat(fd, "self/status", R_OK, 0), 0, "not /proc");
	close(fd);
}

/* Our /proc is ours; a directory without procfs on it is none. */
Test(procfs_open, check_self)
{
	int fd = open_proc(), dir;
	char tmp[] = "/tmp/test-procfs-XXXXXX";

	cr_assert_eq(procfs_check_self(fd), 0);
	close(fd);
	cr_assert_not_null(mkdtemp(tmp));
	dir = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(dir, 0);
	cr_assert_eq(procfs_check_self(dir), -ENOENT, "a plain directory");
	close(dir);
	rmdir(tmp);
}

/* Yama's scope, where the kernel has Yama: 0 to 3. */
Test(procfs_open, yama_scope)
{
	int fd = open_proc(), scope = -1, rc = procfs_read_yama_scope(fd, &scope);

	close(fd);
	if (rc == -ENOENT)
		cr_skip_test("no Yama in this kernel");
	cr_assert_eq(rc, 0, "%s", strerror(-rc));
	cr_assert(scope >= 0 && scope <= 3, "scope %d", scope);
}

/* 8 MiB touched one byte per page through a volatile pointer. */
#define TOUCHED (8u << 20)

static volatile char *touch_memory(void)
{
	volatile char *m = malloc(TOUCHED);

	cr_assert_not_null(m);
	for (size_t i = 0; i < TOUCHED; i += 4096)
		m[i] = (char)i | 1;
	return m;
}

Test(procfs_read, rollup_of_self)
{
	volatile char *m = touch_memory();
	int fd = open_proc();
	struct rollup r;
	int rc = procfs_read_rollup(fd, getpid(), &r);

	cr_assert_eq(rc, 0, "rc %d", rc);
	cr_assert_geq(r.rss, TOUCHED, "rss %llu", (unsigned long long)r.rss);
	cr_assert_geq(r.anon, TOUCHED, "anon %llu", (unsigned long long)r.anon);
	cr_assert_geq(r.uss, TOUCHED, "uss %llu", (unsigned long long)r.uss);
	cr_assert_gt(r.pss, 0);
	cr_assert_leq(r.pss, r.rss);
	cr_assert_leq(r.uss, r.pss);
	cr_assert_eq(r.rss % 4096, 0);
	free((void *)m);
	close(fd);
}

/* The larger of the two schemes' errors, in this kernel's pages. */
static uint64_t counter_lag(void)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE);
	long per_cpu = cpus * (2 * cpus > 32 ? 2 * cpus : 32);

	return (uint64_t)(per_cpu > 64 ? per_cpu : 64) * (uint64_t)page;
}

Test(procfs_read, status_of_self)
{
	volatile char *m = touch_memory();
	int fd = open_proc();
	struct pstatus st;
	int rc = procfs_read_status(fd, getpid(), &st);

	cr_assert_eq(rc, 0, "rc %d", rc);
	cr_assert_eq(st.tgid, getpid());
	cr_assert_eq(st.has_mm, true);
	/*
	 * VmRSS is the kernel's counters, which may lag: per-CPU ones (Linux
	 * 6.2) by up to nr_cpus * max(32, 2 * nr_cpus) pages, per-task ones
	 * (before) by up to 64 pages of this thread.
	 */
	cr_assert_geq(st.vmrss + counter_lag(), TOUCHED, "VmRSS %llu", (unsigned long long)st.vmrss);
	cr_assert_geq(st.hwm, st.vmrss);
	cr_assert_geq(st.rss_anon + counter_lag(), TOUCHED);
	free((void *)m);
	close(fd);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pid_t thread_tid;
static bool thread_done;

static void *thread_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	thread_tid = gettid();
	pthread_cond_broadcast(&cond);
	while (!thread_done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* /proc/TID of a non-leader thread: the same mm, Tgid the process. */
Test(procfs_read, status_and_rollup_of_a_thread)
{
	int fd = open_proc();
	struct pstatus st;
	struct rollup r;
	pthread_t t;
	int rc;

	cr_assert_eq(pthread_create(&t, NULL, thread_main, NULL), 0);
	pthread_mutex_lock(&lock);
	while (!thread_tid)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	cr_assert_neq(thread_tid, getpid());

	rc = procfs_read_status(fd, thread_tid, &st);
	cr_assert_eq(rc, 0, "rc %d", rc);
	cr_assert_eq(st.tgid, getpid());
	cr_assert_eq(st.has_mm, true);
	rc = procfs_read_rollup(fd, thread_tid, &r);
	cr_assert_eq(rc, 0, "rc %d", rc);
	cr_assert_gt(r.rss, 0);

	pthread_mutex_lock(&lock);
	thread_done = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	close(fd);
}

Test(procfs_read, reaped_pid_is_esrch)
{
	int fd = open_proc(), status;
	struct rollup r;
	struct pstatus st;
	char *buf = NULL, *exe = NULL;
	size_t len = 77;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(0);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(procfs_read_rollup(fd, pid, &r), -ESRCH);
	cr_assert_eq(procfs_read_status(fd, pid, &st), -ESRCH);
	cr_assert_eq(procfs_read_cmdline(fd, pid, &buf, &len), -ESRCH);
	cr_assert_eq(procfs_read_exe(fd, pid, &exe), -ESRCH);
	cr_assert_null(exe);
	close(fd);
}

/* A zombie has a status (Tgid, no mm) but no rollup. */
Test(procfs_read, zombie)
{
	int fd = open_proc();
	struct rollup r;
	struct pstatus st;
	siginfo_t si;
	pid_t pid = fork();
	int rc;

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(4);
	/* Wait for the death but leave the zombie in place. */
	memset(&si, 0, sizeof(si));
	cr_assert_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	cr_assert_eq(si.si_pid, pid);

	rc = procfs_read_rollup(fd, pid, &r);
	cr_assert_eq(rc, -ESRCH, "rollup of a zombie: rc %d", rc);
	rc = procfs_read_status(fd, pid, &st);
	cr_assert_eq(rc, 0, "status of a zombie: rc %d", rc);
	cr_assert_eq(st.tgid, pid);
	cr_assert_eq(st.has_mm, false);

	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	close(fd);
}

/*
 * A child running /bin/sh with known arguments, blocked on its stdin until we
 * have read it.  Returns its pid; *in is the write end of its stdin.
 */
static pid_t spawn_sh(char *const argv[], int *in)
{
	int p[2];
	pid_t pid;

	if (access("/bin/sh", X_OK) != 0)
		cr_skip_test("no /bin/sh");
	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(p[0], 0);
		close(p[0]);
		close(p[1]);
		execv("/bin/sh", argv);
		_exit(127);
	}
	close(p[0]);
	*in = p[1];
	return pid;
}

/* Wait until the child runs /bin/sh (its exe changed); returns that exe. */
static char *wait_for_exec(int fd, pid_t pid)
{
	char want[PATH_MAX];
	char *exe = NULL;

	cr_assert_not_null(realpath("/bin/sh", want));
	for (int i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int rc = procfs_read_exe(fd, pid, &exe);

		cr_assert_eq(rc, 0, "procfs_read_exe: rc %d", rc);
		if (!strcmp(exe, want))
			return exe;
		free(exe);
		nanosleep(&ts, NULL);
	}
	cr_assert_fail("the child did not exec /bin/sh");
	return NULL;
}

/*
 * The exe link changes before exec has set up the new argument pages: until
 * then cmdline reads as empty.  Read it once it is there.
 */
static int read_cmdline_settled(int fd, pid_t pid, char **buf, size_t *len)
{
	for (int i = 0; i < 500; i++) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int rc = procfs_read_cmdline(fd, pid, buf, len);

		if (rc || *len > 1)
			return rc;
		free(*buf);
		nanosleep(&ts, NULL);
	}
	return procfs_read_cmdline(fd, pid, buf, len);
}

static void finish_sh(pid_t pid, int in)
{
	int status;

	close(in); /* EOF: "read x" returns */
	cr_assert_eq(waitpid(pid, &status, 0), pid);
}

Test(procfs_read, cmdline_and_exe_of_child)
{
	static const char want[] = "sh\0-c\0read x\0name\0a b\0\0c\tz\0";
	char *const argv[] = {
		(char *)"sh",  (char *)"-c", (char *)"read x", (char *)"name",
		(char *)"a b", (char *)"",   (char *)"c\tz",   NULL,
	};
	int fd = open_proc(), in;
	pid_t pid = spawn_sh(argv, &in);
	char *exe = wait_for_exec(fd, pid), *buf = NULL;
	char sh_path[PATH_MAX];
	size_t len = 0;
	int rc;

	cr_assert_not_null(realpath("/bin/sh", sh_path));
	cr_assert_str_eq(exe, sh_path);
	free(exe);

	rc = read_cmdline_settled(fd, pid, &buf, &len);
	cr_assert_eq(rc, 0, "rc %d", rc);
	cr_assert_eq(len, sizeof(want) - 1, "len %zu", len);
	cr_assert_eq(memcmp(buf, want, len), 0);
	cr_assert_eq(count_args(buf, len), 7);
	free(buf);
	finish_sh(pid, in);
	close(fd);
}

/* A command line longer than the reader's first buffer. */
Test(procfs_read, long_cmdline)
{
	static char big[20000];
	char *const argv[] = { (char *)"sh", (char *)"-c", (char *)"read x", big, NULL };
	int fd = open_proc(), in;
	pid_t pid;
	char *buf = NULL;
	size_t len = 0;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	pid = spawn_sh(argv, &in);
	free(wait_for_exec(fd, pid));
	cr_assert_eq(read_cmdline_settled(fd, pid, &buf, &len), 0);
	cr_assert_eq(len, 3 + 3 + 7 + sizeof(big), "len %zu", len);
	cr_assert_eq(memcmp(buf, "sh\0-c\0read x\0", 13), 0);
	cr_assert_eq(memcmp(buf + 13, big, sizeof(big)), 0);
	cr_assert_eq(count_args(buf, len), 4);
	free(buf);
	finish_sh(pid, in);
	close(fd);
}

Test(procfs_read, exe_of_self)
{
	char want[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", want, sizeof(want) - 1);
	int fd = open_proc();
	char *exe = NULL;

	cr_assert_gt(n, 0);
	want[n] = '\0';
	cr_assert_eq(procfs_read_exe(fd, getpid(), &exe), 0);
	cr_assert_str_eq(exe, want);
	free(exe);
	close(fd);
}

/* ------------------------------------------------------------ stat, syscall */

static int parse_stat_str(const char *s, struct pstat *ps)
{
	return procfs_parse_stat(s, strlen(s), ps);
}

/* Captured from a shell (Linux 6.18): state, ppid, pgrp, session, flags. */
Test(procfs_parse_stat, captured_line)
{
	struct pstat ps;

	cr_assert_eq(parse_stat_str("18540 (cat) R 18536 18536 1220 0 -1 4194304 99 0 0 0 0 "
				    "0 0 0 20 0 1 0 60088 3133440 412\n",
				    &ps),
		     0);
	cr_assert_eq(ps.state, 'R');
	cr_assert_eq(ps.ppid, 18536);
	cr_assert_eq(ps.pgrp, 18536);
	cr_assert_eq(ps.session, 1220);
	cr_assert_eq(ps.flags, 4194304);
	cr_assert_eq(ps.flags & PROCFS_PF_SIGNALED, 0);
}

/* comm is any 15 bytes: spaces and parentheses too; the last ')' ends it. */
Test(procfs_parse_stat, comm_with_parentheses)
{
	struct pstat ps;

	cr_assert_eq(parse_stat_str("7 (a) b (c)) t 1 7 7 0 -1 1077937216 0", &ps), 0);
	cr_assert_eq(ps.state, 't');
	cr_assert_eq(ps.ppid, 1);
	cr_assert_eq(ps.flags, 0x40400440UL);
	cr_assert_neq(ps.flags & PROCFS_PF_SIGNALED, 0, "0x40400440 has PF_SIGNALED");
}

Test(procfs_parse_stat, malformed)
{
	static const char *const bad[] = {
		"",
		"7 (x",
		"7 (x) R",
		"7 (x) R 1 2 3 0 -1",	    /* cut before flags */
		"7 (x) R 1 2 3 0 -1 12x 0", /* not a number */
		"7 (x)R 1 2 3 0 -1 0 0",    /* no blank after comm */
	};
	struct pstat ps;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_stat_str(bad[i], &ps), -EINVAL, "\"%s\"", bad[i]);
}

Test(procfs_parse_syscall, forms)
{
	long nr = 12345;

	cr_assert_eq(procfs_parse_syscall("59 0x55d 0x7ffc 0x7ffd 0x0 0x0 0x0 0x7ffc 0x7f1\n", 46,
					  &nr),
		     0);
	cr_assert_eq(nr, 59);
	cr_assert_eq(procfs_parse_syscall("-1 0x7ffc8 0x401000\n", 21, &nr), 0);
	cr_assert_eq(nr, -1);
	cr_assert_eq(procfs_parse_syscall("running\n", 8, &nr), -EAGAIN);
	cr_assert_eq(procfs_parse_syscall("", 0, &nr), -EINVAL);
	cr_assert_eq(procfs_parse_syscall("x1 0", 4, &nr), -EINVAL);
	/* An x32 number keeps its high bit. */
	cr_assert_eq(procfs_parse_syscall("1073742344 0x1", 14, &nr), 0);
	cr_assert_eq(nr, 1073742344L);
}

Test(procfs_parse_fdinfo_pid, forms)
{
	static const char pidfd[] = "pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1054\n"
				    "Pid:\t4242\nNSpid:\t4242\n";
	static const char file[] = "pos:\t0\nflags:\t0100000\nmnt_id:\t25\nino:\t131\n";
	pid_t pid = 0;

	cr_assert_eq(procfs_parse_fdinfo_pid(pidfd, sizeof(pidfd) - 1, &pid), 0);
	cr_assert_eq(pid, 4242);
	cr_assert_eq(procfs_parse_fdinfo_pid(file, sizeof(file) - 1, &pid), -ENOENT);
	/* The process of the pidfd has been reaped: Pid: -1. */
	cr_assert_eq(procfs_parse_fdinfo_pid("Pid:\t-1\n", 8, &pid), -ENOENT);
}

/* The readers on live tasks: a stopped child's state, and the syscall it sleeps in. */
Test(procfs_read, stat_and_syscall_of_child)
{
	int fd = open_proc(), p[2];
	struct pstat ps;
	long nr = -2;
	pid_t pid;
	char c;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close(p[1]);
		(void)!read(p[0], &c, 1); /* sleeps in read(2) */
		_exit(0);
	}
	close(p[0]);
	/* Wait until it sleeps (state S) inside read. */
	for (int i = 0; i < 5000; i++) {
		cr_assert_eq(procfs_read_stat(fd, pid, &ps), 0);
		if (ps.state == 'S' && procfs_read_syscall(fd, pid, &nr) == 0 && nr == SYS_read)
			break;
		usleep(1000);
	}
	cr_assert_eq(ps.ppid, getpid());
	cr_assert_eq(ps.pgrp, getpgrp());
	cr_assert_eq(nr, SYS_read, "a child blocked in read(2) shows syscall %ld", nr);
	close(p[1]);
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_assert_eq(procfs_read_stat(fd, pid, &ps), -ESRCH);
	close(fd);
}

/* A pidfd of ours names its process through fdinfo. */
Test(procfs_read, pidfd_pid)
{
	int fd = open_proc();
	int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	pid_t pid = 0;

	if (pfd < 0)
		cr_skip_test("no pidfd_open (Linux < 5.3)");
	cr_assert_eq(procfs_read_pidfd_pid(fd, getpid(), pfd, &pid), 0);
	cr_assert_eq(pid, getpid());
	cr_assert_eq(procfs_read_pidfd_pid(fd, getpid(), fd, &pid), -ENOENT, "/proc is no pidfd");
	close(pfd);
	close(fd);
}
