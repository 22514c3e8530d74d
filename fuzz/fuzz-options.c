/*
 * fuzz-options: libFuzzer target for options_parse().  The input is an
 * argument list: arguments separated by NUL bytes (at most 32), after an
 * argv[0] of "maxrss-sc".  Whatever the arguments, the parser must return
 * one of its results, an error message of one non-empty line, and on
 * success a command taken from the arguments with values in their ranges.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 2], *copy, *p, *end;
	struct options o;
	char err[256];
	int argc = 0;

	/* Each argument its own allocation, so that a read past one is seen. */
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[argc++] = strdup("maxrss-sc");
	for (p = copy, end = copy + size; argc <= MAX_ARGS && p <= end; p += strlen(p) + 1)
		argv[argc++] = strdup(p);
	argv[argc] = NULL;
	memset(err, 0x55, sizeof(err));
	switch (options_parse(argc, argv, &o, err, sizeof(err))) {
	case OPTIONS_RUN:
		if (!o.command || o.command_argc < 1 || o.command < argv + 1 ||
		    o.command + o.command_argc != argv + argc || o.command[o.command_argc])
			abort();
		if (o.interval_ms > OPTIONS_MAX_INTERVAL_MS || o.runs < 1 ||
		    o.runs > OPTIONS_MAX_RUNS || o.warmup > OPTIONS_MAX_RUNS)
			abort();
		if ((o.output && !*o.output) || (o.timeline && !*o.timeline) ||
		    (o.plot && !*o.plot))
			abort();
		break;
	case OPTIONS_ERROR:
		if (!memchr(err, '\0', sizeof(err)) || !err[0] || strchr(err, '\n'))
			abort();
		break;
	case OPTIONS_HELP:
	case OPTIONS_VERSION:
		break;
	default:
		abort();
	}
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(copy);
	return 0;
}
