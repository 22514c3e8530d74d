/*
 * Unit tests of cmdfit: command lines fitted to a width keep the program's
 * name and what tells them apart (issue 14: all 15 cc1 rows read the same).
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cmdfit.h"

#define ARGV(s) s, sizeof(s) - 1

/* Two cc1 lines of `make -j2` of this project (gcc 12), cut after the file compiled. */
static const char cc1_a[] = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1\0-quiet\0-I\0.\0-I\0./src\0"
			    "-imultiarch\0x86_64-linux-gnu\0-MD\0src/libmaxrss_a-util.d\0-MF\0"
			    "src/.deps/libmaxrss_a-util.Tpo\0-D\0HAVE_CONFIG_H\0-include\0"
			    "./config.h\0src/util.c\0-quiet\0-dumpbase\0libmaxrss_a-util.c\0-g\0"
			    "-O2\0-Wall\0-o\0/tmp/ccRxrIkf.s\0";
static const char cc1_b[] = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1\0-quiet\0-I\0.\0-I\0./src\0"
			    "-imultiarch\0x86_64-linux-gnu\0-MD\0src/libmaxrss_a-plot.d\0-MF\0"
			    "src/.deps/libmaxrss_a-plot.Tpo\0-D\0HAVE_CONFIG_H\0-include\0"
			    "./config.h\0src/plot.c\0-quiet\0-dumpbase\0libmaxrss_a-plot.c\0-g\0"
			    "-O2\0-Wall\0-o\0/tmp/ccAbCdEf.s\0";

static struct cmdfit c;

static void two_cc1(void)
{
	cmdfit_init(&c);
	cmdfit_add(&c, ARGV(cc1_a));
	cmdfit_add(&c, ARGV(cc1_b));
	cmdfit_add(&c, ARGV("make\0-j2\0"));
}

static void done(void)
{
	cmdfit_free(&c);
}

Test(cmdfit, fits_as_it_is)
{
	char buf[256];

	cr_assert_str_eq(cmdfit_line(NULL, ARGV("ls\0-l\0/usr\0"), NULL, 20, buf, sizeof(buf)),
			 "ls -l /usr");
	cr_assert_str_eq(cmdfit_line(NULL, "", 0, "/bin/true", 20, buf, sizeof(buf)), "/bin/true");
	/* Control characters never reach the terminal. */
	cr_assert_str_eq(cmdfit_line(NULL, ARGV("a\nb\0\x1b[1m\0"), NULL, 20, buf, sizeof(buf)),
			 "a?b ?[1m");
}

/* The file each cc1 compiles is what its row shows, whatever the width. */
Test(cmdfit, cc1_shows_the_file_it_compiles, .init = two_cc1, .fini = done)
{
	char buf[512];

	for (size_t width = 20; width <= 120; width += 10) {
		cmdfit_line(&c, ARGV(cc1_a), NULL, width, buf, sizeof(buf));
		cr_assert(strncmp(buf, "cc1 ", 4) == 0, "width %zu: %s", width, buf);
		cr_assert(strstr(buf, "src/util.c"), "width %zu: %s", width, buf);
		cmdfit_line(&c, ARGV(cc1_b), NULL, width, buf, sizeof(buf));
		cr_assert(strstr(buf, "src/plot.c"), "width %zu: %s", width, buf);
	}
	cr_assert_str_eq(cmdfit_line(&c, ARGV(cc1_a), NULL, 20, buf, sizeof(buf)),
			 "cc1 \u2026 src/util.c \u2026");
}

/* Every line is at most width characters ("…" is one). */
Test(cmdfit, never_wider_than_asked, .init = two_cc1, .fini = done)
{
	char buf[512];

	for (size_t width = 1; width <= 200; width++) {
		size_t n;

		cmdfit_line(&c, ARGV(cc1_a), NULL, width, buf, sizeof(buf));
		n = 0;
		for (const char *p = buf; *p; p++)
			n += ((unsigned char)*p & 0xC0) != 0x80;
		cr_assert_leq(n, width, "width %zu: \"%s\" is %zu characters", width, buf, n);
	}
}

/* Without another line of the program, operands still come before options. */
Test(cmdfit, operands_first)
{
	char buf[256];

	cr_assert_str_eq(cmdfit_line(NULL,
				     ARGV("/usr/bin/python3\0-X\0importtime\0-W\0ignore\0train.py\0"
					  "--epochs\0003\0"),
				     NULL, 21, buf, sizeof(buf)),
			 "python3 \u2026 train.py \u2026");
	/* A single long argument: its end, where a path says most. */
	cr_assert_str_eq(cmdfit_line(NULL,
				     ARGV("cat\0/very/long/directory/name/of/some/project/data.csv\0"),
				     NULL, 24, buf, sizeof(buf)),
			 "cat \u2026/project/data.csv");
}

/* Lines all alike (four python3 -c of one script): the script is what tells them. */
Test(cmdfit, lines_all_alike_keep_their_arguments)
{
	static const char py[] = "/usr/bin/python3\0-c\0b = bytearray(64 << 20); import time\0";
	char buf[256];

	cmdfit_init(&c);
	for (int i = 0; i < 4; i++)
		cmdfit_add(&c, ARGV(py));
	cr_assert_str_eq(cmdfit_line(&c, ARGV(py), NULL, 50, buf, sizeof(buf)),
			 "python3 -c b = bytearray(64 << 20); import time");
	cr_assert_str_eq(cmdfit_line(&c, ARGV(py), NULL, 40, buf, sizeof(buf)),
			 "python3 \u2026 b = bytearray(\u20260); import time");
	cmdfit_free(&c);
}
