/*
 * Unit tests of outfile: an output file is complete or absent.  Nothing
 * shows beside the target while it is written, the old file stays until
 * the commit, an abort or a failed write leaves it as it was, and the
 * targets that are no regular files are written in place.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "outfile.h"

static char dir[256];

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/test-outfile-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void teardown(void)
{
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

TestSuite(outfile, .init = setup, .fini = teardown);

static const char *in_dir(const char *name)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	return p;
}

/* Names in the test directory, sorted, joined by spaces ("" when empty). */
static const char *listing(void)
{
	static char buf[1024];
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? " " : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return buf;
}

static const char *contents(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void check_way(enum outfile_way way)
{
	struct outfile of;
	const char *target = in_dir("report.json");

	cr_assert_eq(outfile_open_as(&of, target, way), 0);
	cr_assert_str_empty(listing(), "before the commit: %s", listing());
	fputs("{\"complete\": true}\n", of.f);
	fflush(of.f);
	cr_assert_null(contents(target), "the target appeared before the commit");
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_str_eq(listing(), "report.json");
	cr_assert_str_eq(contents(target), "{\"complete\": true}\n");
}

Test(outfile, unnamed_file_appears_at_the_commit)
{
	check_way(OUTFILE_TMPFILE);
}

/* Where O_TMPFILE is missing: the temporary is made at the first write only. */
Test(outfile, named_file_appears_at_the_commit)
{
	struct outfile of;

	cr_assert_eq(outfile_open_as(&of, in_dir("r"), OUTFILE_NAMED), 0);
	cr_assert_str_empty(listing(), "a file made before the first write: %s", listing());
	fputs("x", of.f);
	fflush(of.f);
	cr_assert_eq(listing()[0], '.', "the temporary is hidden: %s", listing());
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_str_eq(listing(), "r");
	unlink(in_dir("r"));
	check_way(OUTFILE_NAMED);
}

Test(outfile, old_file_stays_until_the_commit_and_keeps_its_mode)
{
	const char *target = in_dir("r.txt");
	struct outfile of;
	struct stat st;

	write_file(target, "old\n", 0640);
	cr_assert_eq(outfile_open(&of, target), 0);
	fputs("new\n", of.f);
	fflush(of.f);
	cr_assert_str_eq(contents(target), "old\n");
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_str_eq(contents(target), "new\n");
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_eq(st.st_mode & 07777, 0640, "mode %o", (unsigned)(st.st_mode & 07777));
	cr_assert_str_eq(listing(), "r.txt");
}

Test(outfile, abort_leaves_the_target_as_it_was)
{
	const char *target = in_dir("r.txt");
	struct outfile of;

	cr_assert_eq(outfile_open(&of, target), 0);
	fputs("half", of.f);
	outfile_abort(&of);
	cr_assert_str_empty(listing(), "an aborted new file left: %s", listing());
	write_file(target, "old\n", 0644);
	for (int way = OUTFILE_ANY; way <= OUTFILE_NAMED; way++) {
		cr_assert_eq(outfile_open_as(&of, target, (enum outfile_way)way), 0);
		fputs("half", of.f);
		fflush(of.f);
		outfile_abort(&of);
		cr_assert_str_eq(contents(target), "old\n");
		cr_assert_str_eq(listing(), "r.txt");
	}
	outfile_abort(&of); /* closed already: nothing happens */
}

/* A full device: the commit says ENOSPC (the write's own error, not EIO). */
Test(outfile, full_device_fails_with_enospc)
{
	struct outfile of;

	if (access("/dev/full", W_OK) != 0) {
		teardown();
		cr_skip_test("no /dev/full here");
	}
	cr_assert_eq(outfile_open(&of, "/dev/full"), 0);
	cr_assert_eq(of.way, OUTFILE_DIRECT);
	fputs("anything\n", of.f);
	cr_assert_eq(outfile_commit(&of), -ENOSPC);
}

Test(outfile, devices_and_descriptor_names_are_written_in_place)
{
	struct outfile of;
	int p[2];
	char name[64], buf[16] = "";

	cr_assert_eq(outfile_open(&of, "/dev/null"), 0);
	cr_assert_eq(of.way, OUTFILE_DIRECT);
	fputs("gone\n", of.f);
	cr_assert_eq(outfile_commit(&of), 0);

	/* /dev/fd/N of a pipe: in place, not a file made beside it. */
	cr_assert_eq(pipe(p), 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", p[1]);
	cr_assert_eq(outfile_open(&of, name), 0);
	cr_assert_eq(of.way, OUTFILE_DIRECT);
	fputs("piped", of.f);
	cr_assert_eq(outfile_commit(&of), 0);
	close(p[1]);
	cr_assert_eq(read(p[0], buf, sizeof(buf) - 1), 5);
	cr_assert_str_eq(buf, "piped");
	close(p[0]);
}

/* A link to a regular file: the file replaced, the link kept. */
Test(outfile, symbolic_link_is_followed)
{
	const char *target = in_dir("real.json"), *link = in_dir("latest.json");
	struct outfile of;
	struct stat st;

	write_file(target, "old\n", 0644);
	cr_assert_eq(symlink("real.json", link), 0);
	cr_assert_eq(outfile_open(&of, link), 0);
	fputs("new\n", of.f);
	cr_assert_eq(outfile_commit(&of), 0);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the link was replaced by a file");
	cr_assert_str_eq(contents(target), "new\n");
}

/* What open(2) refused before stays refused, at once, with its errno. */
Test(outfile, bad_paths_are_refused)
{
	static const struct {
		const char *path;
		int err;
	} bad[] = {
		{ "", ENOENT },
		{ "/nonexistent/dir/report", ENOENT },
		{ "/etc/passwd/report", ENOTDIR },
		{ "/", EISDIR },
		{ "/tmp/", EISDIR },
	};
	struct outfile of;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = outfile_open(&of, bad[i].path);

		cr_assert_eq(rc, -bad[i].err, "'%s': %d (%s), expected %s", bad[i].path, rc,
			     strerror(-rc), strerror(bad[i].err));
		cr_assert_null(of.f);
	}
}

/* A file that may not be written is refused, even where its directory may be. */
Test(outfile, unwritable_file_is_refused)
{
	const char *target = in_dir("ro.json");
	struct outfile of;

	if (geteuid() == 0) {
		teardown(); /* a skipped test's .fini does not run */
		cr_skip_test("permissions do not apply (root, CAP_DAC_OVERRIDE)");
	}
	write_file(target, "old\n", 0444);
	cr_assert_eq(outfile_open(&of, target), -EACCES);
	cr_assert_str_eq(contents(target), "old\n");
}

/* The command inherits none of its descriptors. */
Test(outfile, descriptors_are_close_on_exec)
{
	struct outfile of;

	cr_assert_eq(outfile_open(&of, in_dir("r")), 0);
	cr_assert_geq(of.fd, 0);
	cr_assert(fcntl(of.fd, F_GETFD) & FD_CLOEXEC);
	cr_assert(fcntl(of.dirfd, F_GETFD) & FD_CLOEXEC);
	outfile_abort(&of);
}
