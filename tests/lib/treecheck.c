/* treecheck: a random tree's log against maxrss-sc's report (see treecheck.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel.h"
#include "treecheck.h"

#define KIB ((uint64_t)1024)

/* ------------------------------------------------------------ the log */

#define MAX_KV 8

/* One line: t= pid= img= ev= [kind=] key=value... */
struct line {
	size_t idx;
	pid_t pid;
	int img;
	char ev[16];
	char kind[24];
	int nkv;
	struct {
		char k[16];
		long long v;
	} kv[MAX_KV];
};

static bool parse_line(const char *s, const char *end, struct line *l)
{
	memset(l, 0, sizeof(*l));
	l->img = -2;
	l->pid = -1;
	while (s < end) {
		const char *sp = memchr(s, ' ', (size_t)(end - s)), *eq;
		size_t klen;

		if (!sp)
			sp = end;
		eq = memchr(s, '=', (size_t)(sp - s));
		if (!eq)
			return false;
		klen = (size_t)(eq - s);
		if (klen == 2 && memcmp(s, "ev", 2) == 0) {
			snprintf(l->ev, sizeof(l->ev), "%.*s", (int)(sp - eq - 1), eq + 1);
		} else if (klen == 4 && memcmp(s, "kind", 4) == 0) {
			snprintf(l->kind, sizeof(l->kind), "%.*s", (int)(sp - eq - 1), eq + 1);
		} else {
			long long v = strtoll(eq + 1, NULL, 10);

			if (klen == 3 && memcmp(s, "pid", 3) == 0 && l->pid < 0)
				l->pid = (pid_t)v;
			else if (klen == 3 && memcmp(s, "img", 3) == 0)
				l->img = (int)v;
			else if (klen == 1 && *s == 't')
				; /* the time: the file's order is the order of events */
			else if (l->nkv < MAX_KV && klen < sizeof(l->kv[0].k)) {
				memcpy(l->kv[l->nkv].k, s, klen);
				l->kv[l->nkv].k[klen] = '\0';
				l->kv[l->nkv].v = v;
				l->nkv++;
			}
		}
		s = sp + 1;
	}
	return l->ev[0] && l->pid > 0 && l->img >= -1;
}

static long long kv(const struct line *l, const char *key, long long dflt)
{
	for (int i = 0; i < l->nkv; i++)
		if (strcmp(l->kv[i].k, key) == 0)
			return l->kv[i].v;
	return dflt;
}

/* ------------------------------------------------------------ the model of the log */

enum end_how { END_NONE, END_EXIT, END_SIGNAL, END_AWAIT };

struct tproc {
	pid_t pid;
	char kind[24];
	long creator, ppid, declared, st;
	bool noimage; /* ended without ever having an image */
	int nimages;
};

struct timg {
	pid_t pid;
	int img;
	bool forkcopy;
	size_t start_idx, last_idx;
	bool has_read;
	uint64_t max_rss, last_rss, last_uss;
	int maxthreads;
	enum end_how end;
	int code, sig;
	bool exec_next; /* the next image of its pid started */
	bool reaped;
	int reaped_code, reaped_sig;
	size_t reaped_idx;
	bool sampled_end; /* its last line is followed by a full sample (exit, signal) */
};

struct thold {
	pid_t pid;
	uint64_t uss;
	size_t sample_after, a, b; /* the sample lies in (sample_after, a); frees after b */
};

struct model {
	struct tproc *procs;
	size_t nprocs;
	struct timg *imgs;
	size_t nimgs;
	struct thold *holds;
	size_t nholds;
	struct {
		pid_t pid, creator;
	} * spawns; /* "child kind=spawn" lines */
	size_t nspawns;
	size_t nlines;
	bool pid_reused;
};

static void *grow(void *v, size_t n, size_t size)
{
	void *p = realloc(v, (n + 1) * size);

	if (!p) {
		fprintf(stderr, "treecheck: out of memory\n");
		abort();
	}
	return p;
}

static struct tproc *find_proc(struct model *m, pid_t pid)
{
	for (size_t i = m->nprocs; i-- > 0;)
		if (m->procs[i].pid == pid)
			return &m->procs[i];
	return NULL;
}

static struct timg *find_img(struct model *m, pid_t pid, int img)
{
	for (size_t i = m->nimgs; i-- > 0;)
		if (m->imgs[i].pid == pid && m->imgs[i].img == img)
			return &m->imgs[i];
	return NULL;
}

/* The newest image of pid (the one a "reaped" or "kill" line is about). */
static struct timg *last_img(struct model *m, pid_t pid)
{
	struct timg *best = NULL;

	for (size_t i = 0; i < m->nimgs; i++)
		if (m->imgs[i].pid == pid && (!best || m->imgs[i].img > best->img))
			best = &m->imgs[i];
	return best;
}

struct out {
	struct treecheck_result *res;
};

static void failf(struct treecheck_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(struct treecheck_result *res, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	res->messages = grow(res->messages, res->msg_len + (size_t)n, 1);
	memcpy(res->messages + res->msg_len, buf, (size_t)n);
	res->msg_len += (size_t)n;
	res->messages[res->msg_len] = '\0';
	res->failures++;
}

static void on_line(struct model *m, const struct line *l, struct treecheck_result *res)
{
	struct timg *im = l->img >= 0 ? find_img(m, l->pid, l->img) : NULL;

	if (im)
		im->last_idx = l->idx;
	if (strcmp(l->ev, "proc") == 0) {
		struct tproc *p;

		if (find_proc(m, l->pid))
			m->pid_reused = true;
		m->procs = grow(m->procs, m->nprocs, sizeof(*m->procs));
		p = &m->procs[m->nprocs++];
		memset(p, 0, sizeof(*p));
		p->pid = l->pid;
		snprintf(p->kind, sizeof(p->kind), "%s", l->kind);
		p->creator = (long)kv(l, "creator", 0);
		p->ppid = (long)kv(l, "ppid", 0);
		p->declared = (long)kv(l, "declared", 0);
		p->st = (long)kv(l, "st", -1);
	} else if (strcmp(l->ev, "start") == 0) {
		struct timg *prev = l->img > 0 ? find_img(m, l->pid, l->img - 1) : NULL;
		struct tproc *p;

		if (prev)
			prev->exec_next = true;
		if (find_img(m, l->pid, l->img))
			m->pid_reused = true;
		m->imgs = grow(m->imgs, m->nimgs, sizeof(*m->imgs));
		im = &m->imgs[m->nimgs++];
		memset(im, 0, sizeof(*im));
		im->pid = l->pid;
		im->img = l->img;
		im->forkcopy = strcmp(l->kind, "fork") == 0 || strcmp(l->kind, "clone") == 0;
		im->start_idx = im->last_idx = l->idx;
		im->maxthreads = 1;
		p = find_proc(m, l->pid);
		if (p)
			p->nimages++;
	} else if (strcmp(l->ev, "read") == 0 && im) {
		uint64_t rss = (uint64_t)kv(l, "rss", 0);

		im->has_read = true;
		if (rss > im->max_rss)
			im->max_rss = rss;
		im->last_rss = rss;
		im->last_uss = (uint64_t)kv(l, "uss", 0);
	} else if (strcmp(l->ev, "threads") == 0 && im) {
		im->maxthreads = (int)kv(l, "n", 1);
	} else if (strcmp(l->ev, "end") == 0) {
		if (strcmp(l->kind, "noimage") == 0) {
			struct tproc *p = find_proc(m, l->pid);

			if (p)
				p->noimage = true;
		} else if (im) {
			if (strcmp(l->kind, "exit") == 0)
				im->end = END_EXIT;
			else if (strcmp(l->kind, "signal") == 0)
				im->end = END_SIGNAL;
			else
				im->end = END_AWAIT;
			im->code = (int)kv(l, "code", -1);
			im->sig = (int)kv(l, "sig", 0);
		}
	} else if (strcmp(l->ev, "reaped") == 0) {
		struct timg *c = last_img(m, (pid_t)kv(l, "pid", 0));

		if (c && !c->reaped) {
			c->reaped = true;
			c->reaped_code = (int)kv(l, "code", -1);
			c->reaped_sig = (int)kv(l, "sig", 0);
			c->reaped_idx = l->idx;
		}
	} else if (strcmp(l->ev, "child") == 0 && strcmp(l->kind, "spawn") == 0) {
		/*
		 * Its "proc" line comes from its exec'd image, after this one:
		 * getppid() there is late if we have exited meanwhile.
		 */
		m->spawns = grow(m->spawns, m->nspawns, sizeof(*m->spawns));
		m->spawns[m->nspawns].pid = (pid_t)kv(l, "pid", 0);
		m->spawns[m->nspawns++].creator = l->pid;
	} else if (strcmp(l->ev, "hold") == 0) {
		struct thold *h;

		m->holds = grow(m->holds, m->nholds, sizeof(*m->holds));
		h = &m->holds[m->nholds++];
		h->pid = l->pid;
		h->uss = (uint64_t)kv(l, "uss", 0);
		/* Lines: exec (the sample follows it), execfail, hold. */
		h->sample_after = l->idx >= 2 ? l->idx - 2 : 0;
		h->a = l->idx;
		h->b = (size_t)-1;
	} else if (strcmp(l->ev, "unhold") == 0) {
		for (size_t i = m->nholds; i-- > 0;)
			if (m->holds[i].pid == l->pid && m->holds[i].b == (size_t)-1) {
				m->holds[i].b = l->idx;
				break;
			}
	} else if (strcmp(l->ev, "bad") == 0) {
		failf(res, "pid %d image %d: the tree saw something wrong: %s (%lld, %lld)",
		      (int)l->pid, l->img, l->kind, l->nkv > 0 ? l->kv[0].v : 0,
		      l->nkv > 1 ? l->kv[1].v : 0);
	}
}

static void build(struct model *m, const char *log, size_t len, struct treecheck_result *res)
{
	const char *s = log, *end = log + len;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		struct line l;

		if (!nl)
			break; /* a line cut short: a process killed inside write(2)? never seen */
		if (parse_line(s, nl, &l)) {
			l.idx = m->nlines;
			on_line(m, &l, res);
		} else {
			failf(res, "log line %zu does not parse: %.*s", m->nlines, (int)(nl - s),
			      s);
		}
		m->nlines++;
		s = nl + 1;
	}
	for (size_t i = 0; i < m->nspawns; i++) {
		struct tproc *p = find_proc(m, m->spawns[i].pid);

		if (p)
			p->creator = m->spawns[i].creator;
	}
	/* An image that ended by exit or a signal got a full sample after its last line. */
	for (size_t i = 0; i < m->nimgs; i++) {
		struct timg *im = &m->imgs[i];

		im->sampled_end = !im->exec_next && im->end != END_NONE;
	}
}

static void model_free(struct model *m)
{
	free(m->procs);
	free(m->imgs);
	free(m->holds);
	free(m->spawns);
}

/* ------------------------------------------------------------ the report */

static const struct json *report_image(const struct json *report, pid_t pid, int img)
{
	const struct json *procs = json_get(report, "processes");

	for (size_t i = 0; procs && i < procs->n; i++) {
		const struct json *p = json_at(procs, i), *jp = json_get(p, "pid"),
				  *ji = json_get(p, "image");

		if (jp && ji && jp->type == JSON_NUMBER && ji->type == JSON_NUMBER &&
		    (pid_t)jp->number == pid && (int)ji->number == img)
			return p;
	}
	return NULL;
}

static double num(const struct json *o, const char *key, double dflt)
{
	const struct json *j = json_path(o, key);

	return j && j->type == JSON_NUMBER ? j->number : dflt;
}

static const char *str(const struct json *o, const char *key)
{
	const struct json *j = json_get(o, key);

	return j && j->type == JSON_STRING ? j->string : "?";
}

static uint64_t sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* ------------------------------------------------------------ the checks */

static void check_end(const struct timg *im, const struct json *rj, struct treecheck_result *res)
{
	const char *end = str(rj, "end");
	int code = (int)num(rj, "exit_code", -1), sig = (int)num(rj, "signal", 0);

	if (im->exec_next) {
		if (strcmp(end, "exec") != 0)
			failf(res, "pid %d image %d: ended '%s', the log says exec", (int)im->pid,
			      im->img, end);
		return;
	}
	switch (im->end) {
	case END_EXIT:
		if (strcmp(end, "exit") != 0 || code != im->code)
			failf(res, "pid %d image %d: ended '%s' code %d, the log says exit %d",
			      (int)im->pid, im->img, end, code, im->code);
		break;
	case END_SIGNAL:
	case END_AWAIT:
		/* SIGKILL may skip the exit stop: "lost" (measuring.md). */
		if (!(strcmp(end, "signal") == 0 && sig == im->sig) &&
		    !(im->sig == 9 && strcmp(end, "lost") == 0))
			failf(res, "pid %d image %d: ended '%s' signal %d, the log says signal %d",
			      (int)im->pid, im->img, end, sig, im->sig);
		break;
	case END_NONE:
		failf(res, "pid %d image %d: the log has no end for it (the workload's fault?)",
		      (int)im->pid, im->img);
		break;
	}
	if (im->reaped && !im->exec_next) {
		bool same = im->reaped_sig ? (strcmp(end, "exit") != 0 && sig == im->reaped_sig) :
					     (strcmp(end, "exit") == 0 && code == im->reaped_code);

		if (!same)
			failf(res,
			      "pid %d image %d: ended '%s' %d/%d, its parent reaped code %d signal %d",
			      (int)im->pid, im->img, end, code, sig, im->reaped_code,
			      im->reaped_sig);
	}
}

static void check_peak(const struct timg *im, const struct json *rj, const struct treecheck_opts *o,
		       struct treecheck_result *res)
{
	uint64_t peak = (uint64_t)num(rj, "peak_rss_bytes", 0), lo, hi, counter, others;
	bool lost = strcmp(str(rj, "end"), "lost") == 0;
	/* A forked copy's exec is read through status alone (VmHWM, VmRSS). */
	bool full_end = im->sampled_end || (im->exec_next && !im->forkcopy);

	if (!im->has_read)
		return;
	counter = o->counter_bound +
		  o->counter_per_task * (uint64_t)(im->maxthreads > 1 ? im->maxthreads : 1);
	/* What the image's threads but the one that read may add, or give back, unseen. */
	others = o->per_thread * (uint64_t)(im->maxthreads > 1 ? im->maxthreads - 1 : 0);
	hi = im->max_rss + counter + o->after_truth + others;
	if (lost)
		lo = 0;
	else if (o->exact)
		lo = sub(im->max_rss, o->exact_below);
	else {
		/*
		 * A sampled end holds the last reading, less what other threads
		 * gave back between that reading and the exit_group stop (a
		 * churner's join lets glibc unmap a cached stack: its top pages).
		 * Without an exact reading of the peak, VmHWM brings it within
		 * the counter's error, which before 6.2 lags per thread.
		 */
		lo = sub(im->max_rss, o->exact_below + counter);
		if (full_end && sub(im->last_rss, o->exact_below + others) > lo)
			lo = sub(im->last_rss, o->exact_below + others);
	}
	if (peak < lo || peak > hi)
		failf(res,
		      "pid %d image %d: peak_rss_bytes %llu outside [%llu, %llu] (readings: max %llu, "
		      "last %llu; %s end, %d threads)",
		      (int)im->pid, im->img, (unsigned long long)peak, (unsigned long long)lo,
		      (unsigned long long)hi, (unsigned long long)im->max_rss,
		      (unsigned long long)im->last_rss, full_end ? "sampled" : "status-read",
		      im->maxthreads);
}

/*
 * The kernel's parent at creation: the creator, or for CLONE_PARENT the
 * creator's parent (declared by the creator, or read by the child itself:
 * either may be late if that one died meanwhile).
 */
/*
 * A child whose creator died in its fork (SIGKILLed in the fork event stop)
 * is re-parented to maxrss-sc (tool_pid) before it runs: no event names its
 * creator then, and /proc says maxrss-sc.  It saw that itself (getppid()).
 */
static void check_ppid(const struct tproc *p, const struct json *rj, struct treecheck_result *res,
		       int img, long tool_pid)
{
	long ppid = (long)num(rj, "ppid", -1);
	bool ok;

	if (strcmp(p->kind, "root") == 0)
		ok = ppid == p->ppid;
	else if (p->declared)
		ok = ppid == p->declared || ppid == p->ppid;
	else
		ok = ppid == p->creator || (ppid == tool_pid && p->ppid == tool_pid);
	if (!ok)
		failf(res,
		      "pid %d image %d (%s): ppid %ld, expected %ld (declared %ld, getppid %ld)",
		      (int)p->pid, img, p->kind, ppid, p->declared ? p->declared : p->creator,
		      p->declared, p->ppid);
}

/*
 * The largest sum the log proves: an end sampled in full (exit, signal) of
 * image I, after its last line and before the line of the parent that
 * reaped it, while other processes hold memory they were sampled with
 * (their hold began before I's last line and ended after that reaping);
 * or one hold's own sample inside another's.  Each counts its private
 * pages (USS): whatever the tool's rules for shared pages, PSS is no less.
 */
static uint64_t proven_sum(const struct model *m, size_t *members, size_t *proofs, char *who,
			   size_t wholen)
{
	uint64_t best = 0;

	*members = 0;
	*proofs = 0;
	who[0] = '\0';
	for (size_t i = 0; i < m->nimgs + m->nholds; i++) {
		const struct timg *im = i < m->nimgs ? &m->imgs[i] : NULL;
		const struct thold *in = im ? NULL : &m->holds[i - m->nimgs];
		/* The moment of the sample lies after line from, before line to. */
		size_t from = im ? im->last_idx : in->sample_after,
		       to = im ? im->reaped_idx : in->a;
		pid_t pid = im ? im->pid : in->pid;
		uint64_t sum = im ? im->last_uss : in->uss;
		size_t n = 1;
		char names[256];

		if (im && (!im->sampled_end || !im->reaped || !im->has_read))
			continue;
		snprintf(names, sizeof(names), "%s %d (%llu)", im ? "end of" : "hold of", (int)pid,
			 (unsigned long long)sum);
		for (size_t k = 0; k < m->nholds; k++) {
			const struct thold *h = &m->holds[k];
			size_t len = strlen(names);

			if (h->pid == pid || h->a >= from || h->b <= to || h->b == (size_t)-1)
				continue;
			sum += h->uss;
			n++;
			snprintf(names + len, sizeof(names) - len,
				 " + hold of %d (%llu, lines %zu-%zu)", (int)h->pid,
				 (unsigned long long)h->uss, h->a + 1, h->b + 1);
		}
		if (n > 1)
			(*proofs)++;
		if (n > 1 && sum > best) {
			best = sum;
			*members = n;
			snprintf(who, wholen, "%s, at lines %zu-%zu", names, from + 1, to + 1);
		}
	}
	return best;
}

/*
 * The tolerances, each from e2e.h, but two of this check's own:
 *  - per_thread: a thread that runs between two readings of its image adds
 *    pages no reading saw (its stack's top pages, its TLS, the libc code a
 *    forked copy faults anew for pthread_create); the tree's churners keep
 *    two or three of them alive at once.  64 KiB each, one fault-around
 *    window, on top of the image's largest reading (two pages where pages
 *    are larger: its stack's top and its TLS).  As much may go after the
 *    image's last reading, before the end the tool samples: a churner
 *    joins a thread and glibc unmaps a cached stack (arm64 on 6.1: 132 KiB
 *    below the last reading at the exit_group stop, 9 threads).  Where a
 *    stack may be a transparent huge page (kernel.h), a whole one: arm64
 *    on 6.1 read an image at 1.5 MiB that ended at 416 KiB, 9 threads.
 * The others follow the kernel it runs on as e2e.h's do: the page size,
 * and before Linux 6.2 the per-task counters (65 faults per thread of up to
 * a 64 KiB fault-around window each).
 *  - the tracer's memory: 8 MiB and 8 KiB per image.  Measured here, the
 *    tracer's VmHWM is 2.2 MiB on every tree randtree makes (up to 40
 *    images); an image costs it a few hundred bytes and its argv (e2e-scale
 *    measures the growth per process on thousands).
 */
void treecheck_default_opts(struct treecheck_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE), per_cpu;
	uint64_t thp;

	memset(o, 0, sizeof(*o));
	if (cpus < 1)
		cpus = 1;
	if (page < 4096)
		page = 4096;
	per_cpu = 2 * cpus > 32 ? 2 * cpus : 32;
	/*
	 * Before Linux 6.2, per-task caches instead of per-CPU counters, synced
	 * once per 64 page faults (checked before a fault: 65 unsynced), and a
	 * file fault maps its whole fault-around window (64 KiB, or one page
	 * where pages are larger).  Measured on 6.1: a forked copy's exec read
	 * 104 pages below its own smaps_rollup, its libc faulted back in.
	 */
	if (kernel_per_task_counters())
		o->counter_per_task = kernel_counter_lag_per_thread();
	else
		o->counter_bound = 2 * (uint64_t)cpus * (uint64_t)per_cpu * (uint64_t)page;
	/* In pages where they are larger than 4 KiB (e2e_exact_below). */
	o->exact_below = page <= 4096 ? 64 * KIB : 32 * (uint64_t)page;
	o->after_truth = 64 * KIB > (uint64_t)page ? 64 * KIB : (uint64_t)page;
	o->per_thread = 64 * KIB > 2 * (uint64_t)page ? 64 * KIB : 2 * (uint64_t)page;
	thp = kernel_thp_stack();
	if (thp > o->per_thread)
		o->per_thread = thp;
	o->tracer_base = 8 * 1024 * KIB;
	o->tracer_per_image = 8 * KIB;
}

unsigned treecheck(const char *log, size_t log_len, const struct json *report, int tool_status,
		   const struct treecheck_opts *o, struct treecheck_result *res)
{
	struct model m = { 0 };
	const struct json *procs = json_get(report, "processes");
	const struct tproc *root = NULL;
	const struct timg *root_last = NULL;
	size_t members = 0;
	char who[512];
	int want;

	memset(res, 0, sizeof(*res));
	build(&m, log, log_len, res);
	res->processes = m.nprocs;
	res->images = m.nimgs;
	res->holds = m.nholds;
	res->pid_reused = m.pid_reused;
	if (!procs || procs->type != JSON_ARRAY) {
		failf(res, "the report has no processes array");
		goto out;
	}
	for (size_t i = 0; i < m.nprocs; i++)
		if (strcmp(m.procs[i].kind, "root") == 0)
			root = &m.procs[i];
	if (!root) {
		failf(res, "the log has no root: did the tree start?");
		goto out;
	}

	/* The status passed through. */
	root_last = last_img(&m, root->pid);
	if (!root_last || root_last->end == END_NONE || root_last->end == END_AWAIT) {
		failf(res, "the root's end is not in the log");
	} else {
		want = root_last->end == END_EXIT ? root_last->code : 128 + root_last->sig;
		if (tool_status != want)
			failf(res, "maxrss-sc exited %d, the command's status was %d", tool_status,
			      want);
		if ((int)num(report, "status", -1) != want)
			failf(res, "the report's status is %d, the command's status was %d",
			      (int)num(report, "status", -1), want);
	}
	if (m.pid_reused)
		goto sums; /* two processes had one pid: (pid, image) names no image */

	/* Every image of the log in the report, as it ended, its peak in bounds. */
	for (size_t i = 0; i < m.nimgs; i++) {
		const struct timg *im = &m.imgs[i];
		const struct json *rj = report_image(report, im->pid, im->img);
		const struct tproc *p = find_proc(&m, im->pid);

		if (!rj) {
			failf(res, "pid %d image %d: not in the report", (int)im->pid, im->img);
			continue;
		}
		check_end(im, rj, res);
		check_peak(im, rj, o, res);
		if (p)
			check_ppid(p, rj, res, im->img, root->ppid);
	}
	/* ... and nothing else. */
	for (size_t i = 0; i < procs->n; i++) {
		const struct json *rj = json_at(procs, i);
		pid_t pid = (pid_t)num(rj, "pid", -1);
		int img = (int)num(rj, "image", -1);

		if (!find_img(&m, pid, img)) {
			const struct tproc *p = find_proc(&m, pid);

			failf(res, "pid %d image %d: in the report (end '%s'), not in the log%s",
			      (int)pid, img, str(rj, "end"),
			      p && p->noimage ? " (a process that never had an image)" :
			      p		      ? "" :
						" (no process of the tree)");
		}
	}
	if ((size_t)num(report, "tree.processes", -1) != m.nprocs)
		failf(res, "tree.processes is %.0f, the log has %zu processes",
		      num(report, "tree.processes", -1), m.nprocs);

sums:
	res->proven_pss = proven_sum(&m, &members, &res->proofs, who, sizeof(who));
	res->tree_pss = (uint64_t)num(report, "tree.peak_pss_bytes", 0);
	if (res->proven_pss &&
	    res->tree_pss < sub(res->proven_pss, (uint64_t)members * o->exact_below))
		failf(res,
		      "tree.peak_pss_bytes %llu is below the %llu bytes that %zu processes "
		      "provably held at once (private pages: %s)",
		      (unsigned long long)res->tree_pss, (unsigned long long)res->proven_pss,
		      members, who);

	/* The tracer's own memory. */
	if (!o->sanitized) {
		uint64_t rss = (uint64_t)num(report, "tracer.rss_bytes", 0),
			 cap = o->tracer_base + o->tracer_per_image * (uint64_t)procs->n;

		if (rss > cap)
			failf(res, "tracer.rss_bytes %llu above %llu for %zu images",
			      (unsigned long long)rss, (unsigned long long)cap, procs->n);
	}
out:
	model_free(&m);
	return res->failures;
}

/* ------------------------------------------------------------ left behind */

/* Field 22 of /proc/PID/stat, or -1 when there is no such process. */
static long start_ticks_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

size_t treecheck_leftovers(const char *log, size_t log_len, pid_t *left, size_t max)
{
	struct treecheck_result scratch = { 0 };
	struct model m = { 0 };
	size_t n = 0;

	build(&m, log, log_len, &scratch);
	for (size_t i = 0; i < m.nprocs; i++) {
		const struct tproc *p = &m.procs[i];

		if (p->st >= 0 && start_ticks_of(p->pid) == p->st) {
			if (n < max)
				left[n] = p->pid;
			n++;
		}
	}
	model_free(&m);
	treecheck_result_free(&scratch);
	return n;
}

void treecheck_result_free(struct treecheck_result *res)
{
	free(res->messages);
	res->messages = NULL;
	res->msg_len = 0;
}
