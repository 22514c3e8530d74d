#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proctable.h"
#include "util.h"

#define INITIAL_BUCKETS 256

static size_t bucket_of(const struct proctable *pt, pid_t tid)
{
	return ((size_t)(unsigned)tid * 2654435761u) & (pt->nbuckets - 1);
}

int proctable_init(struct proctable *pt, uint64_t t0_ns)
{
	memset(pt, 0, sizeof(*pt));
	pt->t0_ns = t0_ns;
	pt->hwm_is_peak = true;
	pt->nbuckets = INITIAL_BUCKETS;
	pt->buckets = calloc(pt->nbuckets, sizeof(*pt->buckets));
	return pt->buckets ? 0 : -ENOMEM;
}

static void free_breakdown(struct image *img)
{
	if (img->breakdown) {
		smaps_free(img->breakdown);
		free(img->breakdown);
		img->breakdown = NULL;
	}
}

static void free_image(struct image *img)
{
	free_breakdown(img);
	free(img->argv);
	free(img->exe);
	free(img);
}

void proctable_free(struct proctable *pt)
{
	for (size_t b = 0; b < pt->nbuckets; b++) {
		struct task *t = pt->buckets[b], *next;

		for (; t; t = next) {
			next = t->next;
			if (t->proc && --t->proc->ntasks == 0)
				free(t->proc);
			free(t);
		}
	}
	for (size_t i = 0; i < pt->nimages; i++)
		free_image(pt->images[i]);
	free(pt->images);
	free(pt->buckets);
	free(pt->at_peak);
	memset(pt, 0, sizeof(*pt));
}

struct task *proctable_find_task(const struct proctable *pt, pid_t tid)
{
	struct task *t = pt->buckets[bucket_of(pt, tid)];

	while (t && t->tid != tid)
		t = t->next;
	return t;
}

static void link_task(struct proctable *pt, struct task *t)
{
	size_t b = bucket_of(pt, t->tid);

	t->next = pt->buckets[b];
	pt->buckets[b] = t;
}

static void unlink_task(struct proctable *pt, struct task *t)
{
	struct task **pp = &pt->buckets[bucket_of(pt, t->tid)];

	while (*pp && *pp != t)
		pp = &(*pp)->next;
	if (*pp)
		*pp = t->next;
}

/* Keep chains short: double the buckets when there are twice as many tasks. */
static void maybe_rehash(struct proctable *pt)
{
	struct task **old = pt->buckets;
	size_t oldn = pt->nbuckets;
	struct task **nb;

	if (pt->ntasks < pt->nbuckets * 2)
		return;
	nb = calloc(oldn * 2, sizeof(*nb));
	if (!nb)
		return; /* longer chains, still correct */
	pt->buckets = nb;
	pt->nbuckets = oldn * 2;
	for (size_t b = 0; b < oldn; b++) {
		struct task *t = old[b], *next;

		for (; t; t = next) {
			next = t->next;
			link_task(pt, t);
		}
	}
	free(old);
}

struct task *proctable_add_task(struct proctable *pt, pid_t tid, struct process *proc)
{
	struct task *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->tid = tid;
	t->proc = proc;
	if (proc)
		proc->ntasks++;
	link_task(pt, t);
	pt->ntasks++;
	maybe_rehash(pt);
	return t;
}

void proctable_remove_task(struct proctable *pt, struct task *t)
{
	struct process *p = t->proc;

	unlink_task(pt, t);
	pt->ntasks--;
	if (p && --p->ntasks == 0)
		free(p);
	free(t);
}

struct task *proctable_next_task(const struct proctable *pt, struct task_iter *it)
{
	struct task *t = it->next;

	while (!t && it->bucket < pt->nbuckets)
		t = pt->buckets[it->bucket++];
	it->next = t ? t->next : NULL;
	return t;
}

struct task *proctable_first_task(const struct proctable *pt, struct task_iter *it)
{
	it->bucket = 0;
	it->next = NULL;
	return proctable_next_task(pt, it);
}

struct process *proctable_new_process(struct proctable *pt, pid_t tgid, pid_t ppid, bool stub)
{
	struct process *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->tgid = tgid;
	p->ppid = ppid;
	p->stub = stub;
	if (!stub)
		pt->nprocesses++;
	return p;
}

void proctable_discard_process(struct proctable *pt, struct process *proc)
{
	if (!proc)
		return;
	if (!proc->stub)
		pt->nprocesses--;
	free(proc);
}

void proctable_borrow(struct process *proc, struct image *lender)
{
	proc->borrowed = lender;
}

struct image *proctable_live_mm_image(const struct process *proc)
{
	if (proc->image)
		return proc->image;
	return proc->borrowed && proc->borrowed->alive ? proc->borrowed : NULL;
}

void proctable_start_command(struct proctable *pt, struct process *stub, uint64_t now_ns)
{
	if (!stub->stub)
		return;
	stub->stub = false;
	pt->nprocesses++;
	pt->t0_ns = now_ns;
}

int proctable_open_image(struct proctable *pt, struct process *proc, const char *argv,
			 size_t argv_len, const char *exe, uint64_t now_ns)
{
	struct image *img;

	if (util_grow((void **)&pt->images, &pt->images_cap, pt->nimages + 1, sizeof(*pt->images)))
		return -ENOMEM;
	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->argv = malloc(argv_len ? argv_len : 1);
	img->exe = exe ? strdup(exe) : NULL;
	if (!img->argv || (exe && !img->exe)) {
		free_image(img);
		return -ENOMEM;
	}
	memcpy(img->argv, argv, argv_len);
	img->argv_len = argv_len;
	img->pid = proc->tgid;
	img->ppid = proc->ppid;
	img->index = proc->nimages++;
	img->start_ns = now_ns > pt->t0_ns ? now_ns - pt->t0_ns : 0;
	img->exit_code = -1;
	img->alive = true;
	if (!proc->image && proc->borrowed) {
		/* exec_mmap() keeps the old mm's high-water mark in the process's maxrss. */
		img->lent_by = proc->borrowed;
		img->inherited_hwm = proc->borrowed->hwm > proc->borrowed->peak_rss ?
					     proc->borrowed->hwm :
					     proc->borrowed->peak_rss;
	}
	pt->images[pt->nimages++] = img;
	pt->members++;
	proc->image = img;
	return 0;
}

int proctable_open_forked_image(struct proctable *pt, struct process *proc, struct image *parent,
				uint64_t now_ns)
{
	int rc = proctable_open_image(pt, proc, parent->argv, parent->argv_len, parent->exe,
				      now_ns);

	if (rc)
		return rc;
	proc->image->fork_parent = parent;
	proc->image->fork_seq = pt->samples;
	return 0;
}

static void notify_sums(const struct proctable *pt)
{
	if (pt->on_sums)
		pt->on_sums(pt->on_sample_arg, pt);
}

/* Keep who is in the sums now: the tree PSS has just peaked. */
static void keep_at_peak(struct proctable *pt)
{
	size_t n = 0;

	for (const struct image *i = pt->sums_head; i; i = i->sums_next)
		n++;
	if (util_grow((void **)&pt->at_peak, &pt->at_peak_cap, n, sizeof(*pt->at_peak))) {
		pt->n_at_peak = 0;
		pt->at_peak_lost = true;
		return;
	}
	n = 0;
	for (const struct image *i = pt->sums_head; i; i = i->sums_next)
		pt->at_peak[n++] = (struct tree_member){ i, i->last.rss, i->tree_pss };
	pt->n_at_peak = n;
	pt->at_peak_lost = false;
}

static void update_tree(struct proctable *pt)
{
	pt->snapshots++;
	if (pt->tree_rss > pt->sampled_peak_rss)
		pt->sampled_peak_rss = pt->tree_rss;
	if (pt->tree_pss > pt->sampled_peak_pss)
		pt->sampled_peak_pss = pt->tree_pss;
	if (pt->tree_rss > pt->tree_peak_rss) {
		pt->tree_peak_rss = pt->tree_rss;
		pt->rss_estimate = (struct tree_estimate){ 0 };
	}
	if (pt->tree_pss > pt->tree_peak_pss) {
		pt->tree_peak_pss = pt->tree_pss;
		pt->pss_estimate = (struct tree_estimate){ 0 };
		keep_at_peak(pt);
	}
	notify_sums(pt);
}

/*
 * img's peak rose above its samples, between them: the tree held at least
 * the sums with img's last sample, plus what img grew beyond it (the rule
 * and where it can be wrong: proctable_record_hwm).  During a timed pass it
 * waits for the pass's end.
 */
static void estimate_peak(struct proctable *pt, struct image *img)
{
	uint64_t growth;

	if (!img->in_sums || pt->in_pass || img->peak_rss <= img->summed_peak + pt->estimate_above)
		return;
	img->summed_peak = img->peak_rss;
	growth = img->peak_rss - img->last.rss;
	if (pt->tree_rss + growth > pt->tree_peak_rss) {
		pt->tree_peak_rss = pt->tree_rss + growth;
		pt->rss_estimate = (struct tree_estimate){ img, pt->tree_rss, growth, false };
	}
	if (pt->tree_pss + growth > pt->tree_peak_pss) {
		pt->tree_peak_pss = pt->tree_pss + growth;
		pt->pss_estimate = (struct tree_estimate){ img, pt->tree_pss, growth, false };
		keep_at_peak(pt);
		/* img is at its peak among them. */
		for (size_t i = 0; i < pt->n_at_peak; i++)
			if (pt->at_peak[i].img == img) {
				pt->at_peak[i].rss += growth;
				pt->at_peak[i].pss += growth;
			}
	}
}

void proctable_count_hwm(struct proctable *pt, bool count)
{
	pt->hwm_is_peak = count;
}

void proctable_set_final(struct image *img, bool final)
{
	img->final_sampled = final;
}

static void record_hwm(const struct proctable *pt, struct image *img, uint64_t hwm)
{
	img->hwm = hwm;
	img->has_hwm = true;
	if (pt->hwm_is_peak && hwm > img->peak_rss)
		img->peak_rss = hwm;
}

void proctable_record_hwm(struct proctable *pt, struct image *img, uint64_t hwm)
{
	record_hwm(pt, img, hwm);
	estimate_peak(pt, img);
}

void proctable_record_rss(struct proctable *pt, struct image *img, uint64_t rss)
{
	img->exact_reads++;
	if (rss > img->peak_rss)
		img->peak_rss = rss;
	if (rss > img->max_exact)
		img->max_exact = rss;
	estimate_peak(pt, img);
}

void proctable_set_breakdown(const struct proctable *pt, struct image *img, struct smaps *bd,
			     uint64_t now_ns, uint64_t pte)
{
	free_breakdown(img);
	img->breakdown = bd;
	img->breakdown_ns = now_ns > pt->t0_ns ? now_ns - pt->t0_ns : 0;
	img->breakdown_pte = pte;
	/* Its Rss lines are an exact reading too. */
	if (bd->rss > img->max_exact)
		img->max_exact = bd->rss;
	if (bd->rss > img->peak_rss)
		img->peak_rss = bd->rss;
}

static void set_share(struct proctable *pt, struct image *img, uint64_t share)
{
	pt->tree_pss -= img->tree_pss;
	img->tree_pss = share;
	pt->tree_pss += share;
}

/* Take img's last sample out of the tree sums. */
static void leave_sums(struct proctable *pt, struct image *img)
{
	if (!img->in_sums)
		return;
	pt->tree_rss -= img->last.rss;
	set_share(pt, img, 0);
	img->in_sums = false;
	if (img->sums_prev)
		img->sums_prev->sums_next = img->sums_next;
	else
		pt->sums_head = img->sums_next;
	if (img->sums_next)
		img->sums_next->sums_prev = img->sums_prev;
	img->sums_prev = img->sums_next = NULL;
}

static void enter_sums(struct proctable *pt, struct image *img)
{
	img->in_sums = true;
	img->sums_next = pt->sums_head;
	if (pt->sums_head)
		pt->sums_head->sums_prev = img;
	pt->sums_head = img;
}

void proctable_begin_pass(struct proctable *pt)
{
	pt->in_pass = true;
	for (size_t i = 0; i < pt->nimages; i++)
		if (pt->images[i]->final_sampled)
			leave_sums(pt, pt->images[i]);
}

void proctable_end_pass(struct proctable *pt)
{
	pt->in_pass = false;
	update_tree(pt);
	/* The peaks between samples that the pass saw, each on the sums of this moment. */
	for (struct image *i = pt->sums_head; i; i = i->sums_next)
		estimate_peak(pt, i);
}

/*
 * The nearest sampled, live ancestor of img in its fork chain whose sample
 * is older than the fork that led to img, or NULL.  Unsampled copies in
 * between are skipped: they count nothing yet.
 */
static struct image *stale_cover(const struct image *img)
{
	unsigned long link = img->fork_seq;

	for (struct image *p = img->fork_parent; p; p = p->fork_parent) {
		if (!p->alive)
			return NULL;
		if (p->has_last)
			return p->sample_seq <= link ? p : NULL;
		link = p->fork_seq;
	}
	return NULL;
}

static void uncover(struct image *img)
{
	if (img->covered_by) {
		img->covered_by->dependents--;
		img->covered_by = NULL;
	}
}

/*
 * img was sampled again or ended: the copies that left out what its old
 * sample counted now count with their own PSS.  Not one whose last sample
 * was its final one (exit_group): its pages are going or gone, and its PSS
 * then, half of what it shared, would come on top of img's new sample.
 * Returns true if any share changed.
 */
static bool release_dependents(struct proctable *pt, struct image *img)
{
	bool any = false;

	for (size_t i = 0; img->dependents && i < pt->nimages; i++) {
		struct image *d = pt->images[i];

		if (d->covered_by != img)
			continue;
		uncover(d);
		if (d->alive && !d->final_sampled) {
			set_share(pt, d, d->last.pss);
			any = true;
		}
	}
	return any;
}

/* What a sample of img adds to the tree PSS (see proctable_record_sample). */
static uint64_t tree_share(struct image *img, const struct rollup *r)
{
	struct image *cover = stale_cover(img);
	uint64_t shared = r->rss > r->uss ? r->rss - r->uss : 0;

	uncover(img);
	if (!cover)
		return r->pss;
	img->covered_by = cover;
	cover->dependents++;
	/* The old sample holds at most its own RSS of what the two share. */
	return r->uss + (shared > cover->last.rss ? shared - cover->last.rss : 0);
}

void proctable_record_sample(struct proctable *pt, struct image *img, const struct rollup *r,
			     const struct pstatus *st)
{
	if (img->alive) {
		leave_sums(pt, img);
		pt->tree_rss += r->rss;
		set_share(pt, img, tree_share(img, r));
		enter_sums(pt, img);
	}
	img->last = *r;
	img->has_last = true;
	img->members_at_last = pt->members;
	img->samples++;
	img->sample_seq = ++pt->samples;
	if (img->alive)
		release_dependents(pt, img);
	if (r->rss > img->peak_rss)
		img->peak_rss = r->rss;
	if (r->pss > img->peak_pss)
		img->peak_pss = r->pss;
	if (r->rss > img->max_exact)
		img->max_exact = r->rss;
	if (r->rss > img->summed_peak)
		img->summed_peak = r->rss;
	if (st && st->has_mm) {
		img->last_shmem = st->rss_shmem;
		record_hwm(pt, img, st->hwm);
	}
	if (img->alive && !pt->in_pass)
		update_tree(pt);
	/* A peak read before this first sample, or VmHWM with it. */
	estimate_peak(pt, img);
	if (pt->on_sample)
		pt->on_sample(pt->on_sample_arg, pt, img);
}

void proctable_close_image(struct proctable *pt, struct process *proc, enum image_end end,
			   int exit_code, int signal, uint64_t now_ns)
{
	struct image *img = proc->image;

	if (!img)
		return;
	leave_sums(pt, img);
	uncover(img);
	img->alive = false;
	pt->members++;
	/* What its pages were counted for now falls to the copies that share them. */
	if (release_dependents(pt, img) && !pt->in_pass)
		update_tree(pt);
	else if (!pt->in_pass)
		notify_sums(pt);
	img->end = end;
	img->exit_code = end == IMAGE_EXIT ? exit_code : -1;
	img->signal = (end == IMAGE_SIGNAL || end == IMAGE_LOST) ? signal : 0;
	img->end_ns = now_ns > pt->t0_ns ? now_ns - pt->t0_ns : 0;
	proc->image = NULL;
}

const struct image *proctable_peak_image(const struct proctable *pt)
{
	const struct image *best = NULL;

	for (size_t i = 0; i < pt->nimages; i++)
		if (!best || pt->images[i]->peak_rss > best->peak_rss)
			best = pt->images[i];
	return best;
}

void proctable_finish(struct proctable *pt, uint64_t wall_ns)
{
	for (size_t i = 0; i < pt->nimages; i++) {
		struct image *img = pt->images[i];

		/*
		 * Its peak alone, never in the sums at a moment that allowed
		 * for it; an estimate past the counter's error of the sums.
		 */
		if (img->peak_rss > pt->tree_peak_rss + pt->estimate_above)
			pt->rss_estimate = (struct tree_estimate){ img, 0, img->peak_rss, true };
		if (img->peak_rss > pt->tree_peak_rss)
			pt->tree_peak_rss = img->peak_rss;
		if (img->end == IMAGE_RUNNING) {
			img->end = IMAGE_LOST;
			img->alive = false;
			img->end_ns = wall_ns;
		}
	}
}

void proctable_judge_breakdowns(struct proctable *pt, uint64_t counter_err)
{
	for (size_t i = 0; i < pt->nimages; i++) {
		struct image *img = pt->images[i];
		const struct smaps *bd = img->breakdown;

		img->breakdown_of_peak = bd && (bd->rss >= img->peak_rss ||
						(bd->rss >= img->max_exact &&
						 img->peak_rss - bd->rss <= counter_err));
	}
}
