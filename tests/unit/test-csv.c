/*
 * Unit tests of csv: the --timeline file of a hand-built run (header,
 * columns, the command of each image, RFC 4180 quoting).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "csv.h"
#include "proctable.h"
#include "result.h"
#include "timeline.h"

#define MS 1000000ULL
#define T0 (7 * 1000 * MS)

static struct result run;

static void setup(void)
{
	cr_assert_eq(proctable_init(&run.pt, T0), 0);
	timeline_init(&run.tl);
}

static void teardown(void)
{
	timeline_free(&run.tl);
	proctable_free(&run.pt);
}

TestSuite(csv_write_timeline, .init = setup, .fini = teardown);

static struct image *image(pid_t pid, const char *argv, size_t len, const char *exe)
{
	struct process *p = proctable_new_process(&run.pt, pid, 1, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&run.pt, pid, p));
	cr_assert_eq(proctable_open_image(&run.pt, p, argv, len, exe, T0), 0);
	return p->image;
}

static char *csv(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(csv_write_timeline(f, &run), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

Test(csv_write_timeline, rows)
{
	struct image *a = image(4242, "./prog\0arg one\0", 15, "/x/prog");
	struct image *b = image(4243, "", 0, "/usr/bin/env");

	a->last.rss = 1200000;
	a->last.pss = 300000;
	cr_assert_eq(timeline_record(&run.tl, &run.pt, a, T0 + 1500 * MS), 0);
	b->last.rss = 4096;
	b->last.pss = 1024;
	cr_assert_eq(timeline_record(&run.tl, &run.pt, b, T0 + 2 * MS + 3000), 0);
	/* A clock reading before time 0 is time 0, never a huge unsigned number. */
	cr_assert_eq(timeline_record(&run.tl, &run.pt, a, T0 - 5), 0);

	char *out = csv();

	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n"
			      "1.500000,4242,0,1200000,300000,./prog arg one\n"
			      "0.002003,4243,0,4096,1024,/usr/bin/env\n"
			      "0.000000,4242,0,1200000,300000,./prog arg one\n");
	free(out);
}

Test(csv_write_timeline, image_index)
{
	struct process *p = proctable_new_process(&run.pt, 50, 1, false);

	cr_assert_not_null(proctable_add_task(&run.pt, 50, p));
	cr_assert_eq(proctable_open_image(&run.pt, p, "sh\0", 3, NULL, T0), 0);
	p->image->last.rss = 10;
	timeline_record(&run.tl, &run.pt, p->image, T0);
	proctable_close_image(&run.pt, p, IMAGE_EXEC, 0, 0, T0 + MS);
	cr_assert_eq(proctable_open_image(&run.pt, p, "ls\0-l\0", 6, NULL, T0 + MS), 0);
	p->image->last.rss = 20;
	timeline_record(&run.tl, &run.pt, p->image, T0 + MS);

	char *out = csv();

	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n"
			      "0.000000,50,0,10,0,sh\n"
			      "0.001000,50,1,20,0,ls -l\n");
	free(out);
}

Test(csv_write_timeline, header_only_without_samples)
{
	char *out = csv();

	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n");
	free(out);
}

/* A command with every awkward character, read back by a strict RFC 4180 reader. */
Test(csv_write_timeline, round_trip)
{
	static const char argv[] = "sh\0-c\0echo \"a,b\"\nnext\0";
	struct image *a = image(9, argv, sizeof(argv) - 1, NULL);
	char *out, *p, got[128];
	size_t n = 0, commas = 0;

	timeline_record(&run.tl, &run.pt, a, T0);
	out = csv();
	p = strchr(out, '\n') + 1;
	/* Five plain fields, then the quoted command up to the end of the record. */
	while (commas < 5)
		commas += *p++ == ',';
	cr_assert_eq(*p, '"', "the command is not quoted: %s", out);
	for (p++; *p; p++) {
		if (*p == '"' && p[1] == '"') {
			got[n++] = '"';
			p++;
		} else if (*p == '"') {
			break;
		} else {
			got[n++] = *p;
		}
	}
	got[n] = '\0';
	cr_assert_str_eq(got, "sh -c echo \"a,b\"\nnext");
	cr_assert_str_eq(p, "\"\n", "the record does not end after the field");
	free(out);
}
