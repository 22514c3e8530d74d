/* maxrss-sc: run a command and report the true peak memory of its whole tree. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "proctable.h"
#include "report.h"
#include "tracer.h"
#include "util.h"

#define EXIT_TOOL 125

/* Options the parser knows but this version cannot carry out yet. */
static const char *unsupported(const struct options *o)
{
	if (o->runs > 1)
		return "--runs above 1";
	if (o->warmup > 0)
		return "--warmup";
	if (o->timeline)
		return "--timeline";
	if (o->plot)
		return "--plot";
	if (o->fail_above_set)
		return "--fail-above";
	return NULL;
}

/* The report file is opened before the command starts, close-on-exec. */
static FILE *open_report(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct proctable pt;
	struct tracer_config cfg;
	struct tracer_result res;
	char err[512];
	FILE *out = stderr;
	const char *missing;
	int rc, status;

	switch (options_parse(argc, argv, &opts, err, sizeof(err))) {
	case OPTIONS_HELP:
		options_print_help(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL;
	case OPTIONS_VERSION:
		options_print_version(stdout);
		return fflush(stdout) == 0 ? 0 : EXIT_TOOL;
	case OPTIONS_ERROR:
		warn_msg("%s", err);
		return EXIT_TOOL;
	case OPTIONS_RUN:
		break;
	}
	missing = unsupported(&opts);
	if (missing) {
		warn_msg("%s is not supported in this version", missing);
		return EXIT_TOOL;
	}
	if (opts.output) {
		out = open_report(opts.output);
		if (!out) {
			warn_errno("cannot open the report file '%s'", opts.output);
			return EXIT_TOOL;
		}
	}
	if (proctable_init(&pt, util_now_ns())) {
		warn_msg("out of memory");
		return EXIT_TOOL;
	}
	cfg.interval_ms = opts.interval_ms;
	cfg.exact = opts.exact;
	rc = tracer_run(opts.command, &cfg, &pt, &res, err, sizeof(err));
	if (err[0])
		warn_msg("%s", err);
	status = rc < 0 ? EXIT_TOOL : res.status;
	if (res.ran) {
		if (opts.json)
			rc = report_write_json(out, &pt, &res, opts.command);
		else
			rc = report_write_text(out, &pt, &res, opts.command, opts.verbose);
		if (rc || (out != stderr && fclose(out) != 0)) {
			warn_errno("cannot write the report%s%s", opts.output ? " to " : "",
				   opts.output ? opts.output : "");
			status = EXIT_TOOL;
		}
	} else if (out != stderr) {
		fclose(out);
	}
	proctable_free(&pt);
	return status;
}
