#include <criterion/criterion.h>

#include "fake-run.h"

struct result *fake_run(char *const *command, uint64_t peak, uint64_t tree_pss, double wall,
			int code, int sig)
{
	struct result *f = result_new(command, 0);
	struct process *p;
	struct rollup r = { 0 };

	cr_assert_not_null(f);
	p = proctable_new_process(&f->pt, 100, 1, false);
	cr_assert_not_null(p);
	cr_assert_not_null(proctable_add_task(&f->pt, 100, p));
	cr_assert_eq(proctable_open_image(&f->pt, p, "prog", 5, "/bin/prog", 0), 0);
	if (peak) {
		r.rss = peak;
		r.pss = tree_pss;
		proctable_record_sample(&f->pt, p->image, &r, NULL);
	}
	f->res.ran = true;
	f->res.exited = sig == 0;
	f->res.exit_code = sig ? -1 : code;
	f->res.signal = sig;
	f->res.status = sig ? 128 + sig : code;
	f->res.wall_ns = (uint64_t)(wall * 1e9);
	f->res.has_ru = true;
	f->res.user_seconds = wall / 2;
	f->res.sys_seconds = wall / 4;
	return f;
}
