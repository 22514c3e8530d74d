/*
 * Unit tests of timeline: samples reach it through the proctable's hook,
 * and its CSV (header, columns, RFC 4180 quoting, UTF-8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "proctable.h"
#include "timeline.h"

#define MIB (1024ULL * 1024)
#define MS 1000000ULL
#define T0 (7 * 1000 * MS)

static struct proctable pt;
static struct timeline tl;

static void setup(void)
{
	cr_assert_eq(proctable_init(&pt, T0), 0);
	timeline_init(&tl);
}

static void teardown(void)
{
	timeline_free(&tl);
	proctable_free(&pt);
}

TestSuite(timeline, .init = setup, .fini = teardown);

static struct image *image(pid_t pid, const char *argv, size_t len, const char *exe)
{
	struct process *p = proctable_new_process(&pt, pid, 1, false);

	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&pt, pid, p));
	cr_assert_eq(proctable_open_image(&pt, p, argv, len, exe, T0), 0);
	return p->image;
}

static void sample(struct image *img, uint64_t rss, uint64_t pss)
{
	struct rollup r = { .rss = rss, .pss = pss };

	proctable_record_sample(&pt, img, &r, NULL);
}

static char *csv(void)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	cr_assert_eq(timeline_write_csv(f, &tl), 0);
	cr_assert_eq(fclose(f), 0);
	return out;
}

/* Without the hook, samples go nowhere; with it, each one is recorded once. */
Test(timeline, hook_sees_every_sample)
{
	struct image *a = image(10, "a\0", 2, NULL), *b = image(11, "b\0", 2, NULL);

	sample(a, MIB, MIB / 2);
	cr_assert_eq(tl.n, 0);
	pt.on_sample = timeline_on_sample;
	pt.on_sample_arg = &tl;
	sample(a, 2 * MIB, MIB);
	sample(b, 3 * MIB, 2 * MIB);
	sample(a, 4 * MIB, 3 * MIB);
	cr_assert_eq(tl.n, 3);
	cr_assert_eq(tl.v[0].img, a);
	cr_assert_eq(tl.v[0].rss, 2 * MIB);
	cr_assert_eq(tl.v[0].pss, MIB);
	cr_assert_eq(tl.v[1].img, b);
	cr_assert_eq(tl.v[2].rss, 4 * MIB);
	/* Real clock, relative to the table's time 0, in order. */
	cr_assert(tl.v[0].t_ns <= tl.v[1].t_ns && tl.v[1].t_ns <= tl.v[2].t_ns);
	cr_assert_eq(pt.samples, 4, "the hook must not change what the table records");
}

/*
 * The sums hook records the tree sums as the table takes its peaks from
 * them: after each sample outside a pass, once at the end of a pass, and
 * when an image ends.  A forked copy over its parent's older sample adds
 * only its private pages there, unlike the sum of the samples.
 */
Test(timeline, sums_hook_records_what_the_peaks_come_from)
{
	struct image *a = image(20, "a\0", 2, NULL), *b;
	struct process *pb;

	pt.on_sums = timeline_on_sums;
	pt.on_sample_arg = &tl;
	sample(a, 64 * MIB, 64 * MIB);
	cr_assert_eq(tl.nsums, 1);
	cr_assert_eq(tl.sums[0].pss, 64 * MIB);

	pb = proctable_new_process(&pt, 21, 20, false);
	cr_assert_not_null(pb);
	cr_assert_not_null(proctable_add_task(&pt, 21, pb));
	cr_assert_eq(proctable_open_forked_image(&pt, pb, a, T0 + MS), 0);
	b = pb->image;
	sample(b, 64 * MIB, 32 * MIB); /* uss 0 */
	cr_assert_eq(tl.nsums, 2);
	cr_assert_eq(tl.sums[1].rss, 128 * MIB);
	cr_assert_eq(tl.sums[1].pss, 64 * MIB, "pss %llu", (unsigned long long)tl.sums[1].pss);

	proctable_begin_pass(&pt);
	sample(a, 64 * MIB, 32 * MIB);
	sample(b, 64 * MIB, 32 * MIB);
	cr_assert_eq(tl.nsums, 2, "a sums point in the middle of a pass");
	proctable_end_pass(&pt);
	cr_assert_eq(tl.nsums, 3);
	cr_assert_eq(tl.sums[2].pss, 64 * MIB);

	proctable_close_image(&pt, pb, IMAGE_EXIT, 0, 0, T0 + 2 * MS);
	cr_assert_eq(tl.nsums, 4);
	cr_assert_eq(tl.sums[3].rss, 64 * MIB);
	cr_assert_eq(tl.sums[3].pss, 32 * MIB);
	cr_assert_eq(pt.tree_peak_pss, 64 * MIB);

	timeline_clear(&tl);
	cr_assert_eq(tl.nsums, 0);
}

Test(timeline, csv_rows)
{
	struct image *a = image(4242, "./prog\0arg one\0", 15, "/x/prog");
	struct image *b = image(4243, "", 0, "/usr/bin/env");

	a->last.rss = 1200000;
	a->last.pss = 300000;
	cr_assert_eq(timeline_record(&tl, &pt, a, T0 + 1500 * MS), 0);
	b->last.rss = 4096;
	b->last.pss = 1024;
	cr_assert_eq(timeline_record(&tl, &pt, b, T0 + 2 * MS + 3000), 0);
	/* A clock reading before time 0 is time 0, never a huge unsigned number. */
	cr_assert_eq(timeline_record(&tl, &pt, a, T0 - 5), 0);

	char *out = csv();

	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n"
			      "1.500000,4242,0,1200000,300000,./prog arg one\n"
			      "0.002003,4243,0,4096,1024,/usr/bin/env\n"
			      "0.000000,4242,0,1200000,300000,./prog arg one\n");
	free(out);
}

Test(timeline, csv_image_index_and_clear)
{
	struct process *p = proctable_new_process(&pt, 50, 1, false);

	cr_assert_not_null(proctable_add_task(&pt, 50, p));
	cr_assert_eq(proctable_open_image(&pt, p, "sh\0", 3, NULL, T0), 0);
	p->image->last.rss = 10;
	timeline_record(&tl, &pt, p->image, T0);
	proctable_close_image(&pt, p, IMAGE_EXEC, 0, 0, T0 + MS);
	cr_assert_eq(proctable_open_image(&pt, p, "ls\0-l\0", 6, NULL, T0 + MS), 0);
	p->image->last.rss = 20;
	timeline_record(&tl, &pt, p->image, T0 + MS);

	char *out = csv();

	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n"
			      "0.000000,50,0,10,0,sh\n"
			      "0.001000,50,1,20,0,ls -l\n");
	free(out);
	timeline_clear(&tl);
	out = csv();
	cr_assert_str_eq(out, "seconds,pid,image,rss_bytes,pss_bytes,command\n");
	free(out);
}

/* A command with every awkward character, read back by a strict RFC 4180 reader. */
Test(timeline, csv_round_trip)
{
	static const char argv[] = "sh\0-c\0echo \"a,b\"\nnext\0";
	struct image *a = image(9, argv, sizeof(argv) - 1, NULL);
	char *out, *p, got[128];
	size_t n = 0, commas = 0;

	timeline_record(&tl, &pt, a, T0);
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
