#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"

struct result *result_new(char *const *command, uint64_t t0_ns)
{
	struct result *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (proctable_init(&r->pt, t0_ns)) {
		free(r);
		return NULL;
	}
	r->command = command;
	timeline_init(&r->tl);
	return r;
}

void result_record_timeline(struct result *r)
{
	r->pt.on_sample = timeline_on_sample;
	r->pt.on_sums = timeline_on_sums;
	r->pt.on_sample_arg = &r->tl;
}

void result_free(struct result *r)
{
	if (!r)
		return;
	proctable_free(&r->pt);
	timeline_free(&r->tl);
	free(r);
}

bool result_image_has_peak(const struct image *img)
{
	return img->samples > 0 || img->has_hwm || img->exact_reads > 0;
}

const struct image *result_peak_image(const struct proctable *pt)
{
	const struct image *peak = proctable_peak_image(pt);

	return peak && result_image_has_peak(peak) ? peak : NULL;
}

char *result_ended(bool exited, int exit_code, int signal, bool signame, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(signal);

	if (exited)
		snprintf(buf, len, "exited %d", exit_code);
	else if (signame)
		snprintf(buf, len, "killed by signal %d (SIG%s)", signal, abbrev ? abbrev : "?");
	else
		snprintf(buf, len, "killed by signal %d", signal);
	return buf;
}

bool result_interrupted(const struct tracer_result *res)
{
	return (!res->exited && (res->signal == SIGINT || res->signal == SIGQUIT ||
				 res->signal == SIGTERM || res->signal == SIGHUP)) ||
	       res->after_exit.ended_by == WAIT_INTERRUPT;
}

int result_exit_status(const struct exit_facts *f)
{
	int status;

	if (f->tool_failed)
		return EXIT_TOOL; /* also when it failed in a warm-up run */
	if (f->runs == 0)
		return f->stop_status; /* no report: why nothing ran */
	if (!f->series)
		status = f->run_status;
	else
		status = f->stop_status ? f->stop_status : f->last_failed_status;
	if (status == 0 && f->exceeded)
		status = EXIT_FAIL_ABOVE;
	return status;
}
