/* treerun: one seed of the random-tree test (see treerun.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "treerun.h"

static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void treerun_options(uint64_t seed, const char **argv)
{
	static const char *const intervals[] = { "0", "5", "20", NULL };
	uint64_t h = mix(seed ^ 0x5eed0f7ee5ULL);
	const char *interval = intervals[h % 4];
	size_t n = 0;

	if (interval) {
		argv[n++] = "-i";
		argv[n++] = interval;
	}
	if ((h >> 8) % 5 == 0)
		argv[n++] = "--exact";
	/* Bits of their own: the seeds' other picks stay as they were before -b. */
	if ((h >> 16) % 4 == 0)
		argv[n++] = "-b";
	argv[n] = NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (cap - *len < 65536) {
			char *b = realloc(buf, (cap = cap ? cap * 2 : 262144) + 1);

			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* Wait for pid at most limit seconds; then SIGKILL it.  Its status, -1 when killed so. */
static int wait_limited(pid_t pid, unsigned limit)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0), st = 0;
	double end = now_s() + limit;
	bool killed = false;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (now_s() >= end && !killed) {
			kill(pid, SIGKILL);
			killed = true;
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			(void)poll(&p, 1, killed ? 1000 : (int)((end - now_s()) * 1000) + 1);
		} else {
			usleep(2000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (killed)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Append text to the messages of r. */
static void append(struct treerun_result *r, const char *text, size_t n)
{
	r->check.messages = realloc(r->check.messages, r->check.msg_len + n + 1);
	if (!r->check.messages)
		abort();
	memcpy(r->check.messages + r->check.msg_len, text, n);
	r->check.msg_len += n;
	r->check.messages[r->check.msg_len] = '\0';
}

/* One failure of the run itself, one line. */
static void note(struct treerun_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void note(struct treerun_result *r, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	strcat(buf, "\n");
	append(r, buf, strlen(buf));
	r->check.failures++;
}

unsigned treerun_seed(const struct treerun_opts *o, uint64_t seed, struct treerun_result *r)
{
	char dir[512], log[600], report[600], errpath[600], seedarg[32];
	const char *argv[16 + TREERUN_MAX_EXTRA], *opts[5 + TREERUN_MAX_EXTRA];
	struct treecheck_opts co;
	struct treecheck_result check;
	char *logtext = NULL, *reptext = NULL, *errtext = NULL, err[256];
	size_t loglen = 0, replen = 0, errlen = 0, n = 0;
	struct json *j = NULL;
	pid_t pid, left[8];
	size_t nleft;
	int fd;
	double t0;

	memset(r, 0, sizeof(*r));
	treerun_options(seed, opts);
	/* The options asked for every seed, after the seed's own. */
	for (size_t i = 0, k = 0; o->extra && o->extra[i] && i < TREERUN_MAX_EXTRA; i++) {
		while (opts[k])
			k++;
		opts[k++] = o->extra[i];
		opts[k] = NULL;
	}
	for (size_t i = 0; opts[i]; i++)
		snprintf(r->options + strlen(r->options), sizeof(r->options) - strlen(r->options),
			 "%s%s", i ? " " : "", opts[i]);
	snprintf(dir, sizeof(dir), "%s/maxrss-sc-tree-XXXXXX", o->tmpdir);
	if (!mkdtemp(dir)) {
		note(r, "cannot make a directory in %s: %s", o->tmpdir, strerror(errno));
		return r->check.failures;
	}
	snprintf(log, sizeof(log), "%s/log", dir);
	snprintf(report, sizeof(report), "%s/report.json", dir);
	snprintf(errpath, sizeof(errpath), "%s/stderr", dir);
	/* Not executable: the tree's failed execs with EACCES use it. */
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		note(r, "cannot create %s: %s", log, strerror(errno));
		goto out;
	}
	close(fd);
	snprintf(seedarg, sizeof(seedarg), "%llu", (unsigned long long)seed);
	argv[n++] = o->tool;
	argv[n++] = "--json";
	argv[n++] = "-o";
	argv[n++] = report;
	for (size_t i = 0; opts[i]; i++)
		argv[n++] = opts[i];
	argv[n++] = o->randtree;
	argv[n++] = log;
	argv[n++] = seedarg;
	argv[n] = NULL;

	t0 = now_s();
	pid = fork();
	if (pid == 0) {
		int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int null = open("/dev/null", O_RDWR);

		if (e < 0 || null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execv(o->tool, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0) {
		note(r, "fork: %s", strerror(errno));
		goto out;
	}
	r->status = wait_limited(pid, o->limit_s);
	r->seconds = now_s() - t0;
	logtext = slurp(log, &loglen);
	errtext = slurp(errpath, &errlen);
	if (!logtext) {
		note(r, "no log %s", log);
		goto out;
	}
	/* Right away: maxrss-sc has ended, so must every process of the tree. */
	nleft = treecheck_leftovers(logtext, loglen, left, 8);
	if (nleft) {
		char pids[128] = "";

		for (size_t i = 0; i < nleft && i < 8; i++) {
			snprintf(pids + strlen(pids), sizeof(pids) - strlen(pids), " %d",
				 (int)left[i]);
			kill(left[i], SIGKILL);
		}
		note(r, "processes of the tree outlived maxrss-sc:%s", pids);
	}
	if (r->status < 0) {
		note(r, "maxrss-sc did not end within %u s: a hang", o->limit_s);
		goto out;
	}
	if (errtext && errlen)
		note(r, "maxrss-sc or the tree wrote on stderr: %.1500s", errtext);
	reptext = slurp(report, &replen);
	if (!reptext || !replen) {
		note(r, "no report (status %d)", r->status);
		goto out;
	}
	j = json_parse(reptext, replen, err, sizeof(err));
	if (!j) {
		note(r, "the report is not valid JSON: %s", err);
		goto out;
	}
	treecheck_default_opts(&co);
	co.exact = strstr(r->options, "--exact") != NULL;
	co.sanitized = o->sanitized;
	treecheck(logtext, loglen, j, r->status, &co, &check);
	/* The run's own notes first, then the checker's. */
	if (check.messages)
		append(r, check.messages, check.msg_len);
	r->check.failures += check.failures;
	r->check.processes = check.processes;
	r->check.images = check.images;
	r->check.holds = check.holds;
	r->check.proofs = check.proofs;
	r->check.proven_pss = check.proven_pss;
	r->check.tree_pss = check.tree_pss;
	r->check.pid_reused = check.pid_reused;
	treecheck_result_free(&check);
out:
	json_free(j);
	free(logtext);
	free(reptext);
	free(errtext);
	if (r->check.failures && o->keep) {
		snprintf(r->kept, sizeof(r->kept), "%s", dir);
	} else {
		unlink(log);
		unlink(report);
		unlink(errpath);
		rmdir(dir);
	}
	return r->check.failures;
}

void treerun_result_free(struct treerun_result *r)
{
	treecheck_result_free(&r->check);
}
