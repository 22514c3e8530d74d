/*
 * smaps: /proc/PID/smaps in the groups of struct smaps.
 *
 * How the kernel names a mapping (fs/proc/task_mmu.c: show_map_vma(),
 * whose naming moved into get_vma_name() in 6.11; read for 5.3 and 6.x),
 * and the group each name goes to here:
 *
 *  - A mapping with a file shows the file's path (seq_file_path(): "\n" in
 *    it escaped as "\012", spaces as they are), with " (deleted)" when the
 *    dentry is unlinked.  Kernel-internal files are unlinked from birth, so
 *    their names always end in " (deleted)":
 *      "/memfd:NAME (deleted)"    memfd_create(NAME) (mm/memfd.c, "memfd:")
 *      "/SYSV%08x (deleted)"      SysV segment of that key (ipc/shm.c newseg)
 *      "/dev/zero (deleted)"      MAP_SHARED|MAP_ANONYMOUS, and MAP_SHARED of
 *                                 /dev/zero: shmem_zero_setup() puts a shmem
 *                                 file named "dev/zero" behind the mapping
 *      "/anon_hugepage (deleted)" MAP_HUGETLB|MAP_ANONYMOUS, shared or private
 *      "/secretmem (deleted)"     memfd_secret() (5.14; MAP_SHARED only)
 *    A MAP_PRIVATE mapping of /dev/zero keeps /dev/zero itself as its file
 *    (mmap_zero() only makes it anonymous): "/dev/zero", perms "p", and
 *    anonymous memory (all seen on 6.18).  POSIX shared memory is a tmpfs
 *    file under "/dev/shm/".  Pseudo files of other kinds have names with no
 *    "/" ("anon_inode:[io_uring]", "socket:[N]"): files here, one group each.
 *  - Since 6.2 a MAP_SHARED|MAP_ANONYMOUS mapping named with
 *    prctl(PR_SET_VMA_ANON_NAME) shows "[anon_shmem:NAME]" instead of
 *    "/dev/zero (deleted)" (CONFIG_ANON_VMA_NAME; before 6.2 the prctl
 *    refuses shared mappings).
 *  - Without a file: vm_ops->name() ("[vdso]", "[vvar]", "[vvar_vclock]"
 *    on 6.18, "[uprobes]", "[sigpage]"...), arch_vma_name() ("[vsyscall]"),
 *    then "[heap]" (any mapping that overlaps start_brk..brk, so mprotect
 *    can make several), "[stack]" (the one holding mm->start_stack: thread
 *    stacks are plain anonymous mappings since 4.5, which dropped
 *    "[stack:TID]"), then "[anon:NAME]" for a private anonymous mapping
 *    named by prctl (5.17, CONFIG_ANON_VMA_NAME), else no name at all.
 *  - A header's perms end in 's' for VM_MAYSHARE; VmFlags (since 3.8) has
 *    "sh" for VM_SHARED.  A MAP_SHARED|MAP_ANONYMOUS mapping always has the
 *    shmem file above, so a nameless shared mapping would be a driver's;
 *    it counts as shared memory all the same.
 *
 * So: "[heap]" heap; "[stack]" stack; nameless private, "[anon:...]",
 * "[stack:...]", private "/dev/zero" and private "/anon_hugepage (deleted)"
 * anonymous (one group); "/memfd:...", "/SYSV<8 hex>", "/dev/shm/...",
 * "/secretmem (deleted)" and "[anon_shmem:...]" shared memory, one group per
 * name; "/dev/zero (deleted)", shared "/anon_hugepage (deleted)" and a
 * nameless shared mapping shared memory, one group without a path; any
 * other "[...]" other (one group); any other name a file (one group each).
 *
 * Values: Rss, Pss, Anonymous and Swap of each mapping, in kB.  hugetlbfs
 * pages are in none of them (Shared_Hugetlb/Private_Hugetlb), as in
 * smaps_rollup.  The Rss lines add up to smaps_rollup's Rss, but each Pss
 * line is rounded down to a kB: their sum is below smaps_rollup's Pss by
 * less than 1 kB per mapping (7322 against 7327 kB for a python3 here).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "smaps.h"

/* Enough for most processes in one go (a python3 is ~40 KiB); doubled as needed. */
#define SMAPS_BUF_START ((size_t)128 << 10)

/* The mapping being read: its header, then its values as they come. */
struct mapping {
	const char *name; /* into the text; NULL when the header has none */
	size_t name_len;
	bool may_share; /* perms "s": VM_MAYSHARE */
	bool shared;	/* VmFlags "sh": VM_SHARED */
	uint64_t rss, pss, anon, swap;
	uint64_t priv; /* Private_Clean + Private_Dirty */
};

/* The groups so far, and an open-addressing index of them by (kind, path). */
struct builder {
	struct smaps_group *v;
	size_t n, cap;
	size_t *slot; /* group index + 1; 0 is a free slot */
	size_t nslot; /* a power of two, more than twice n */
	unsigned mappings;
	uint64_t uss; /* the sum of every mapping's priv */
};

/* ------------------------------------------------------------- lexing */

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* Lowercase hex digits (as the kernel prints them), 1 to 16 of them. */
static const char *parse_hex(const char *p, const char *end, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	for (; p < end && is_hex(*p); p++, digits++) {
		if (digits == 16)
			return NULL;
		v = v << 4 | (uint64_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	}
	if (!digits)
		return NULL;
	*out = v;
	return p;
}

/*
 * A value line, "Key:..." with Key of letters, digits and '_': the key's
 * length, and *value just past the ':'.  0 when the line is not one (a
 * header starts with hex digits and a '-').
 */
static size_t value_key(const char *p, const char *eol, const char **value)
{
	const char *k = p;

	while (k < eol && ((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') ||
			   (*k >= '0' && *k <= '9') || *k == '_'))
		k++;
	if (k == p || k == eol || *k != ':')
		return 0;
	*value = k + 1;
	return (size_t)(k - p);
}

static bool key_is(const char *p, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(p, key, len) == 0;
}

/* Is "sh" one of the two-letter flags of a VmFlags value? */
static bool vmflags_shared(const char *p, const char *eol)
{
	while (p < eol) {
		const char *t;

		while (p < eol && *p == ' ')
			p++;
		t = p;
		while (p < eol && *p != ' ')
			p++;
		if (p - t == 2 && t[0] == 's' && t[1] == 'h')
			return true;
	}
	return false;
}

/*
 * "start-end perms offset major:minor inode[ name]": the name (padded by
 * blanks from the inode; the rest of the line, blanks inside it kept) and
 * the sharing bit of the perms.  0 or -EINVAL.
 */
static int parse_header(const char *p, const char *eol, struct mapping *m)
{
	uint64_t start, end, skip;
	int digits = 0;

	memset(m, 0, sizeof(*m));
	if (!(p = parse_hex(p, eol, &start)) || p == eol || *p++ != '-')
		return -EINVAL;
	if (!(p = parse_hex(p, eol, &end)) || end <= start || p == eol || *p++ != ' ')
		return -EINVAL;
	if (eol - p < 5 || (p[0] != 'r' && p[0] != '-') || (p[1] != 'w' && p[1] != '-') ||
	    (p[2] != 'x' && p[2] != '-') || (p[3] != 's' && p[3] != 'p') || p[4] != ' ')
		return -EINVAL;
	m->may_share = p[3] == 's';
	p += 5;
	if (!(p = parse_hex(p, eol, &skip)) || p == eol || *p++ != ' ')
		return -EINVAL;
	if (!(p = parse_hex(p, eol, &skip)) || p == eol || *p++ != ':')
		return -EINVAL;
	if (!(p = parse_hex(p, eol, &skip)) || p == eol || *p++ != ' ')
		return -EINVAL;
	for (; p < eol && *p >= '0' && *p <= '9'; p++)
		if (++digits > 20)
			return -EINVAL;
	if (!digits || (p < eol && *p != ' '))
		return -EINVAL;
	while (p < eol && *p == ' ')
		p++;
	if (p < eol) {
		m->name = p;
		m->name_len = (size_t)(eol - p);
	}
	return 0;
}

/* ----------------------------------------------------------- grouping */

static bool name_is(const struct mapping *m, const char *s)
{
	return m->name && key_is(m->name, m->name_len, s);
}

static bool name_starts(const struct mapping *m, const char *s)
{
	size_t n = strlen(s);

	return m->name && m->name_len >= n && memcmp(m->name, s, n) == 0;
}

/* "/SYSV" and the key in 8 hex digits, then the end or " (deleted)". */
static bool name_is_sysv(const struct mapping *m)
{
	const char *p = m->name + 5, *end = m->name + m->name_len;

	if (!name_starts(m, "/SYSV") || end - p < 8)
		return false;
	for (int i = 0; i < 8; i++)
		if (!is_hex(p[i]))
			return false;
	p += 8;
	return p == end || ((size_t)(end - p) == strlen(" (deleted)") &&
			    memcmp(p, " (deleted)", (size_t)(end - p)) == 0);
}

/* The group of a mapping (see the top of the file); *path NULL for a pathless group. */
static enum smaps_kind classify(const struct mapping *m, const char **path, size_t *len)
{
	bool shared = m->shared || m->may_share;

	*path = NULL;
	*len = 0;
	if (!m->name)
		return shared ? SMAPS_SHMEM : SMAPS_ANON;
	if (m->name[0] == '[') {
		if (name_is(m, "[heap]"))
			return SMAPS_HEAP;
		if (name_is(m, "[stack]"))
			return SMAPS_STACK;
		if (name_starts(m, "[anon:") || name_starts(m, "[stack:"))
			return SMAPS_ANON;
		if (!name_starts(m, "[anon_shmem:"))
			return SMAPS_OTHER;
	} else if (name_is(m, "/dev/zero (deleted)")) {
		return SMAPS_SHMEM;
	} else if (name_is(m, "/anon_hugepage (deleted)") || name_is(m, "/dev/zero")) {
		/* A shared "/dev/zero" cannot be: shmem_zero_setup() renames it. */
		return shared ? SMAPS_SHMEM : SMAPS_ANON;
	} else if (!name_starts(m, "/memfd:") && !name_starts(m, "/dev/shm/") && !name_is_sysv(m) &&
		   !name_is(m, "/secretmem (deleted)")) {
		*path = m->name;
		*len = m->name_len;
		return SMAPS_FILE;
	}
	*path = m->name;
	*len = m->name_len;
	return SMAPS_SHMEM;
}

/* FNV-1a of the kind and the path. */
static size_t hash_key(enum smaps_kind kind, const char *path, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = (h ^ (uint64_t)kind) * 0x100000001b3ULL;
	h = (h ^ (path ? 1U : 0U)) * 0x100000001b3ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)path[i]) * 0x100000001b3ULL;
	return (size_t)h;
}

/*
 * Is g the group of (kind, path)?  strncmp, not memcmp: a stored path
 * shorter than the key must not be read past its end.  The text holds no
 * NUL (smaps_parse refuses it), so equal means the stored one ends at len.
 */
static bool group_is(const struct smaps_group *g, enum smaps_kind kind, const char *path,
		     size_t len)
{
	if (g->kind != kind || !g->path != !path)
		return false;
	return !path || (strncmp(g->path, path, len) == 0 && g->path[len] == '\0');
}

static int rehash(struct builder *b, size_t nslot)
{
	size_t *slot = calloc(nslot, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const struct smaps_group *g = &b->v[i];
		size_t j = hash_key(g->kind, g->path, g->path ? strlen(g->path) : 0);

		while (slot[j & (nslot - 1)])
			j++;
		slot[j & (nslot - 1)] = i + 1;
	}
	free(b->slot);
	b->slot = slot;
	b->nslot = nslot;
	return 0;
}

/* The group of (kind, path), made when new; NULL when out of memory. */
static struct smaps_group *find_group(struct builder *b, enum smaps_kind kind, const char *path,
				      size_t len)
{
	struct smaps_group *g;
	size_t j;

	if ((b->n + 1) * 2 > b->nslot && rehash(b, b->nslot ? b->nslot * 2 : 64))
		return NULL;
	for (j = hash_key(kind, path, len);; j++) {
		size_t i = b->slot[j & (b->nslot - 1)];

		if (!i)
			break;
		if (group_is(&b->v[i - 1], kind, path, len))
			return &b->v[i - 1];
	}
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 32;
		struct smaps_group *v = realloc(b->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		b->v = v;
		b->cap = cap;
	}
	g = &b->v[b->n];
	memset(g, 0, sizeof(*g));
	g->kind = kind;
	if (path) {
		g->path = malloc(len + 1);
		if (!g->path)
			return NULL;
		memcpy(g->path, path, len);
		g->path[len] = '\0';
	}
	b->slot[j & (b->nslot - 1)] = ++b->n;
	return g;
}

/* *acc += v; false when that overflows (no real process comes near). */
static bool add(uint64_t *acc, uint64_t v)
{
	return !__builtin_add_overflow(*acc, v, acc);
}

static int close_mapping(struct builder *b, const struct mapping *m)
{
	const char *path;
	size_t len;
	enum smaps_kind kind = classify(m, &path, &len);
	struct smaps_group *g = find_group(b, kind, path, len);

	if (!g)
		return -ENOMEM;
	if (!add(&g->rss, m->rss) || !add(&g->pss, m->pss) || !add(&g->anon, m->anon) ||
	    !add(&g->swap, m->swap) || !add(&b->uss, m->priv))
		return -EINVAL;
	g->mappings++;
	b->mappings++;
	return 0;
}

/* Largest Rss first; then by kind, then path (none first): a total order. */
static int group_cmp(const void *pa, const void *pb)
{
	const struct smaps_group *a = pa, *b = pb;

	if (a->rss != b->rss)
		return a->rss > b->rss ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (!a->path || !b->path)
		return !b->path - !a->path;
	return strcmp(a->path, b->path);
}

static void builder_free(struct builder *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].path);
	free(b->v);
	free(b->slot);
}

/* One line of a mapping's values: the ones we use must be "N kB". */
static int value_line(struct mapping *m, const char *key, size_t klen, const char *v,
		      const char *eol)
{
	uint64_t *dst = NULL, priv;

	if (key_is(key, klen, "Private_Clean") || key_is(key, klen, "Private_Dirty")) {
		if (!procfs_parse_kb(v, eol, &priv) || !add(&m->priv, priv))
			return -EINVAL;
		return 0;
	}
	if (key_is(key, klen, "Rss"))
		dst = &m->rss;
	else if (key_is(key, klen, "Pss"))
		dst = &m->pss;
	else if (key_is(key, klen, "Anonymous"))
		dst = &m->anon;
	else if (key_is(key, klen, "Swap"))
		dst = &m->swap;
	else if (key_is(key, klen, "VmFlags"))
		m->shared = vmflags_shared(v, eol);
	if (dst && !procfs_parse_kb(v, eol, dst))
		return -EINVAL;
	return 0;
}

static int parse(const char *text, size_t len, struct builder *b)
{
	const char *p = text, *end = text + len;
	struct mapping m;
	bool open = false;
	int rc;

	/* The kernel writes no NUL; one would cut a path short. */
	if (memchr(text, '\0', len))
		return -EINVAL;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *v;
		size_t klen;

		if (!eol)
			eol = end;
		if (eol == p) {
			p++;
			continue;
		}
		if ((klen = value_key(p, eol, &v))) {
			if (!open)
				return -EINVAL;
			if ((rc = value_line(&m, p, klen, v, eol)))
				return rc;
		} else {
			if (open && (rc = close_mapping(b, &m)))
				return rc;
			if ((rc = parse_header(p, eol, &m)))
				return rc;
			open = true;
		}
		p = eol + 1;
	}
	if (open && (rc = close_mapping(b, &m)))
		return rc;
	return b->mappings ? 0 : -ENODATA;
}

int smaps_parse(const char *text, size_t len, struct smaps *out)
{
	struct builder b = { 0 };
	struct smaps s = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return -ENODATA;
	rc = parse(text, len, &b);
	for (size_t i = 0; !rc && i < b.n; i++) {
		const struct smaps_group *g = &b.v[i];

		if (!add(&s.rss, g->rss) || !add(&s.pss, g->pss) || !add(&s.anon, g->anon) ||
		    !add(&s.swap, g->swap))
			rc = -EINVAL;
	}
	if (rc) {
		builder_free(&b);
		return rc;
	}
	free(b.slot);
	if (b.n > 1)
		qsort(b.v, b.n, sizeof(*b.v), group_cmp);
	s.v = b.v;
	s.n = b.n;
	s.mappings = b.mappings;
	s.uss = b.uss;
	*out = s;
	return 0;
}

/* A vanished task shows as ENOENT or ESRCH, depending on the moment. */
static int gone_or(int err)
{
	return (err == ENOENT || err == ESRCH) ? -ESRCH : -err;
}

/*
 * smaps is a seq_file: each read() returns about a page of whole records,
 * and the kernel takes and drops the mmap lock around each one.  So the text
 * is one reading of every mapping but no snapshot of the whole while other
 * threads change the address space (at a ptrace stop only the stopped thread
 * stands still).  A process that dies during the reading ends the text early
 * at a record's end (EOF): the caller tells that from the task's state.
 */
int smaps_read(int procfd, pid_t tid, struct smaps *out)
{
	char path[64];
	size_t cap = SMAPS_BUF_START, len = 0;
	char *buf;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%d/smaps", (int)tid);
	fd = openat(procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return gone_or(errno);
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nbuf = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;

			if (!nbuf) {
				rc = -ENOMEM;
				break;
			}
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = gone_or(errno);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!rc) {
		rc = smaps_parse(buf, len, out);
		if (rc == -ENODATA)
			rc = -ESRCH;
	}
	free(buf);
	return rc;
}

void smaps_free(struct smaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

const char *smaps_kind_name(enum smaps_kind kind)
{
	switch (kind) {
	case SMAPS_HEAP:
		return "heap";
	case SMAPS_STACK:
		return "stack";
	case SMAPS_ANON:
		return "anonymous";
	case SMAPS_SHMEM:
		return "shared memory";
	case SMAPS_FILE:
		return "file";
	case SMAPS_OTHER:
		return "other";
	case SMAPS_KINDS:
		break;
	}
	return "unknown";
}

void smaps_group_label(const struct smaps_group *g, bool short_path, char *buf, size_t len)
{
	const char *path = g->path;
	const char *slash = path ? strrchr(path, '/') : NULL;

	if (path && short_path && slash && slash[1])
		path = slash + 1;
	if (g->kind == SMAPS_FILE && path)
		snprintf(buf, len, "%s", path);
	else if (path)
		snprintf(buf, len, "%s %s", smaps_kind_name(g->kind), path);
	else
		snprintf(buf, len, "%s", smaps_kind_name(g->kind));
}
