#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel.h"

/* Major and minor of the running kernel; 0.0 when uname cannot tell. */
static void release(unsigned *major, unsigned *minor)
{
	struct utsname u;

	if (uname(&u) != 0 || sscanf(u.release, "%u.%u", major, minor) != 2)
		*major = *minor = 0;
}

static bool before(unsigned major, unsigned minor)
{
	unsigned ma, mi;

	release(&ma, &mi);
	return ma < major || (ma == major && mi < minor);
}

bool kernel_per_task_counters(void)
{
	return before(6, 2);
}

uint64_t kernel_counter_lag_per_thread(void)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!kernel_per_task_counters())
		return 0;
	if (page < 4096)
		page = 4096;
	return 65 * (64 * 1024 > (uint64_t)page ? 64 * 1024 : (uint64_t)page);
}

/* The first line of a small file under /sys, or "" (sysfs gone, no THP). */
static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)len, f))
			buf[0] = '\0';
		fclose(f);
	}
}

uint64_t kernel_thp_stack(void)
{
	char line[256];

	if (!before(6, 7))
		return 0;
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", line, sizeof(line));
	if (!strstr(line, "[always]"))
		return 0;
	read_line("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", line, sizeof(line));
	return strtoull(line, NULL, 10);
}
