/*
 * Unit tests of launch_resolve: the PATH search of execvp(3), done in the
 * tracer.  Each test runs in a fresh temporary directory (its current one)
 * holding a small tree of commands, with PATH entries relative to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "launch.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static char tmp[4096];

/* The tree: a file per entry with its mode, or a directory (mode 0). */
static const struct {
	const char *path;
	mode_t mode;
} tree[] = {
	{ "a", 0 },
	{ "b", 0 },
	{ "a/both", 0755 },
	{ "b/both", 0755 },
	{ "b/second", 0755 },
	{ "a/data", 0644 },	  /* found nowhere else, not executable */
	{ "a/later", 0644 },	  /* not executable here... */
	{ "b/later", 0755 },	  /* ... but here */
	{ "a/dir", 0 },		  /* a directory named like a command... */
	{ "b/dir", 0755 },	  /* ... and the command */
	{ "a/onlydir", 0 },	  /* a directory and nothing else */
	{ "here", 0755 },	  /* in the current directory only */
	{ "a/exec-bit-u", 0100 }, /* executable by its owner only */
};

static void make_tree(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp, sizeof(tmp), "%s/maxrss-sc-launch-XXXXXX", base && *base ? base : "/tmp");
	cr_assert_not_null(mkdtemp(tmp), "mkdtemp %s: %s", tmp, strerror(errno));
	cr_assert_eq(chdir(tmp), 0);
	for (size_t i = 0; i < ARRAY_SIZE(tree); i++) {
		int fd;

		if (tree[i].mode == 0) {
			cr_assert_eq(mkdir(tree[i].path, 0755), 0, "mkdir %s", tree[i].path);
			continue;
		}
		fd = open(tree[i].path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		cr_assert_geq(fd, 0, "create %s", tree[i].path);
		cr_assert_eq(write(fd, "#!/bin/sh\n", 10), 10);
		close(fd);
		/* chmod, not open's mode: the umask must not take bits away. */
		cr_assert_eq(chmod(tree[i].path, tree[i].mode), 0);
	}
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_tree(void)
{
	chmod("a", 0755); /* unsearchable_directory's */
	if (chdir("/") == 0 && *tmp)
		nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(launch_resolve, .init = make_tree, .fini = remove_tree);

/* What launch_resolve(name, path_env) must give: a path, or -errno. */
struct resolve_case {
	const char *what;
	const char *name;
	const char *path_env;
	int rc;
	const char *path;
};

static const struct resolve_case cases[] = {
	{ "in the first directory", "both", "a:b", 0, "a/both" },
	{ "in the second directory", "second", "a:b", 0, "b/second" },
	{ "the first of two wins", "both", "b:a", 0, "b/both" },
	{ "an absolute entry", "second", "/nonexistent:b", 0, "b/second" },
	{ "not found", "absent", "a:b", -ENOENT, NULL },
	{ "found, not executable", "data", "a:b", -EACCES, NULL },
	{ "not executable, then executable", "later", "a:b", 0, "b/later" },
	{ "executable, then not", "later", "b:a", 0, "b/later" },
	{ "executable by its owner", "exec-bit-u", "a", 0, "a/exec-bit-u" },
	/* An empty entry is the current directory, wherever it is. */
	{ "empty entry first", "here", ":b", 0, "./here" },
	{ "empty entry last", "here", "b:", 0, "./here" },
	{ "empty entry between", "here", "a::b", 0, "./here" },
	{ "empty PATH", "here", "", 0, "./here" },
	{ "empty entry after a match", "both", "a:", 0, "a/both" },
	{ "no empty entry, no current directory", "here", "a:b", -ENOENT, NULL },
	/* Entries that are not directories are passed over. */
	{ "a missing directory", "second", "nonexistent:b", 0, "b/second" },
	{ "a file as a directory (ENOTDIR)", "second", "a/both:b", 0, "b/second" },
	{ "a trailing slash is kept", "both", "a/:b", 0, "a//both" },
	/* A directory named like the command is no command. */
	{ "a directory, then the command", "dir", "a:b", 0, "b/dir" },
	{ "only a directory", "onlydir", "a:b", -ENOENT, NULL },
	/* A name with a slash is taken as it is, without a look. */
	{ "relative name with a slash", "a/data", "b", 0, "a/data" },
	{ "./name", "./here", "a", 0, "./here" },
	{ "absolute name", "/nonexistent/cmd", "a:b", 0, "/nonexistent/cmd" },
	{ "name ending in a slash", "a/", "a", 0, "a/" },
	{ "empty name", "", "a:b::", -ENOENT, NULL },
};

static void check(const struct resolve_case *c)
{
	char *path = (char *)"unchanged";
	int rc = launch_resolve(c->name, c->path_env, &path);

	cr_expect_eq(rc, c->rc, "%s: launch_resolve(\"%s\", \"%s\") = %d (%s), want %d", c->what,
		     c->name, c->path_env, rc, rc < 0 ? strerror(-rc) : path, c->rc);
	if (c->path && rc == 0)
		cr_expect_str_eq(path, c->path, "%s", c->what);
	if (rc != 0)
		cr_expect_null(path, "%s: *path on failure", c->what);
	if (rc == 0)
		free(path);
}

Test(launch_resolve, table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check(&cases[i]);
}

/* No PATH: glibc's default, /bin:/usr/bin; never the current directory. */
Test(launch_resolve, unset_path_is_bin_and_usr_bin)
{
	const char *want = access("/bin/sh", X_OK) == 0 ? "/bin/sh" : "/usr/bin/sh";
	const struct resolve_case sh = { "sh without PATH", "sh", NULL, 0, want };
	const struct resolve_case here = { "current directory without PATH", "here", NULL, -ENOENT,
					   NULL };

	if (access(want, X_OK) != 0) {
		remove_tree(); /* Criterion runs no .fini after a skip */
		cr_skip_test("neither /bin/sh nor /usr/bin/sh");
	}
	check(&sh);
	check(&here);
}

/* A directory without search permission makes the command unreachable: EACCES. */
Test(launch_resolve, unsearchable_directory)
{
	const struct resolve_case c = { "a/ without x", "both", "a", -EACCES, NULL };
	const struct resolve_case later = { "a/ without x, then b", "both", "a:b", 0, "b/both" };

	cr_assert_eq(chmod("a", 0600), 0);
	if (access("a/both", F_OK) == 0) {
		remove_tree();
		cr_skip_test("permissions do not apply (root, CAP_DAC_OVERRIDE)");
	}
	check(&c);
	check(&later);
}

/*
 * errno before the call is no input: when stat() succeeds on a directory
 * named like the command, an EACCES left in errno by an earlier call must
 * not turn "not found" (127) into "not executable" (126).
 */
Test(launch_resolve, errno_before_the_call_is_no_input)
{
	const struct resolve_case c = { "only a directory, errno 0 before", "onlydir", "a:b",
					-ENOENT, NULL };
	char *path;
	int rc;

	errno = 0;
	check(&c);
	errno = EACCES;
	rc = launch_resolve(c.name, c.path_env, &path);
	if (rc == 0)
		free(path);
	cr_assert_eq(rc, c.rc, "with errno EACCES before the call, %d instead of %d", rc, c.rc);
}
