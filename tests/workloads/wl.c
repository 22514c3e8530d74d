/*
 * wl: a multi-call workload with known memory behaviour, for the e2e tests.
 *
 *	wl touch-free N          touch N MiB, truth peak, munmap, truth end
 *	wl hold-exit N           touch N MiB, truth peak, exit holding it
 *	wl hold-square N         touch N*N/8 MiB, truth peak, exit holding it
 *	wl hold-env              touch $WL_MIB MiB, truth peak, exit holding it
 *	wl grow-exec N PROG ARG.. touch N MiB, truth peak, execv PROG
 *	wl threads K M           K threads hold M MiB each at once, truth peak
 *	wl spawn N PROG ARG..    touch N MiB, posix_spawn PROG, wait, truth peak
 *	wl fork-exec N K PROG ARG..
 *	                         touch N MiB, truth peak, then K times: fork,
 *	                         exec PROG in the child, wait
 *	wl fork-exit N K MS      touch N MiB, truth peak, sleep MS, then K times:
 *	                         fork a child that exits at once, wait
 *	wl forktree K M [MS]     K forked children hold M MiB each at once, then
 *	                         exit (child i MS*i milliseconds after the others)
 *	wl segv N                touch N MiB, truth peak, die of SIGSEGV
 *	wl exit N                exit with code N
 *	wl echo                  copy stdin to stdout, a line to stderr, exit 3
 *	wl sleep MS              sleep MS milliseconds
 *	wl makeup MODE           one process of known make-up: a 40 MiB brk
 *	                         heap, 30 MiB of anonymous mmap, a 20 MiB file
 *	                         mapped and read, a 10 MiB memfd mapped shared,
 *	                         4 threads with 1 MiB of stack each; truths
 *	                         makeup-heap, -anon, -file, -shmem, -stacks (the
 *	                         Rss and Pss of the mappings it made, from its
 *	                         own smaps) and makeup-total (every mapping), at
 *	                         one reading, then peak.  MODE hold: exit holding
 *	                         it all; MODE free: release it all, truth end.
 *	                         $WL_MAKEUP_WAIT: milliseconds to wait after the
 *	                         truths (to read its smaps from outside)
 *
 * Truth lines go to stdout (see workload.h).  Sizes are MiB.  Every memory
 * workload process also prints a last reading, what=final, right before it
 * _exit()s: the code it ran after its peak reading (thread exits, join, the
 * exit path) faults pages in, and the tests bound the peak from above by the
 * largest reading of the image.
 */
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WL_PROG "wl"
#include "workload.h"

extern char **environ;

/* ------------------------------------------------------------ subcommands */

static int cmd_touch_free(int argc, char **argv)
{
	unsigned long mib = arg_num(argv[0]);
	void *m;

	(void)argc;
	/* Fault munmap's code in now, not while the peak is held (see wl_prewarm). */
	(void)munmap(NULL, 0);
	m = touch_mib(mib);
	truth("peak");
	/* The peak is now gone before any lifecycle stop: only VmHWM saw it. */
	if (munmap(m, mib * WL_MIB))
		die("munmap failed");
	truth("end");
	return 0;
}

static int cmd_hold_exit(int argc, char **argv)
{
	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	return 0;
}

/* Quadratic growth for the parameter-scan tests: N*N/8 MiB. */
static int cmd_hold_square(int argc, char **argv)
{
	unsigned long n = arg_num(argv[0]);

	(void)argc;
	touch_mib(n * n / 8);
	truth("peak");
	return 0;
}

/* The size from the environment: one command line, another size (baseline tests). */
static int cmd_hold_env(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	touch_mib(arg_num(getenv("WL_MIB")));
	truth("peak");
	return 0;
}

static int cmd_grow_exec(int argc, char **argv)
{
	static char *const none[] = { NULL };

	(void)argc;
	/* A failing exec faults execv's code in before the peak (see wl_prewarm). */
	(void)execv("", none);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	execv(argv[1], &argv[1]);
	die("execv failed");
}

struct thread_arg {
	unsigned long mib;
	pthread_barrier_t *held;    /* every thread holds its memory */
	pthread_barrier_t *release; /* the main thread has read its truth */
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;

	/* Kept mapped until exit: the whole K*M is still there at exit_group. */
	touch_mib(a->mib);
	pthread_barrier_wait(a->held);
	pthread_barrier_wait(a->release);
	return NULL;
}

static int cmd_threads(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]), i;
	pthread_barrier_t held, release;
	struct thread_arg a = { .mib = arg_num(argv[1]), .held = &held, .release = &release };
	pthread_t tid[64];

	(void)argc;
	if (k < 1 || k > 64)
		die("threads: K must be 1..64");
	if (pthread_barrier_init(&held, NULL, (unsigned)k + 1) ||
	    pthread_barrier_init(&release, NULL, (unsigned)k + 1))
		die("pthread_barrier_init failed");
	for (i = 0; i < k; i++)
		if (pthread_create(&tid[i], NULL, thread_main, &a))
			die("pthread_create failed");
	pthread_barrier_wait(&held);
	truth("peak");
	pthread_barrier_wait(&release);
	for (i = 0; i < k; i++)
		pthread_join(tid[i], NULL);
	return 0;
}

/* Exit status of a child as a shell reports it: code, or 128 + signal. */
static int shell_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

static int cmd_spawn(int argc, char **argv)
{
	pid_t pid;
	int st, err;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	/* glibc's posix_spawn is clone(CLONE_VM|CLONE_VFORK): the child borrows our mm. */
	err = posix_spawn(&pid, argv[1], NULL, NULL, &argv[1], environ);
	if (err) {
		errno = err;
		die("posix_spawn failed");
	}
	if (waitpid(pid, &st, 0) != pid)
		die("waitpid failed");
	truth("peak");
	return shell_status(st);
}

/* fork + exec, as a shell runs every command: the child is a copy of us until its exec. */
static int cmd_fork_exec(int argc, char **argv)
{
	unsigned long k = arg_num(argv[1]);
	int st = 0;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	for (unsigned long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			execv(argv[2], &argv[2]);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid failed");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			return shell_status(st);
	}
	return 0;
}

/* Forked children that never exec: copies of us that share every page. */
static int cmd_fork_exit(int argc, char **argv)
{
	unsigned long k = arg_num(argv[1]);
	int st = 0;

	(void)argc;
	touch_mib(arg_num(argv[0]));
	truth("peak");
	sleep_ms(arg_num(argv[2]));
	for (unsigned long i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid failed");
	}
	return 0;
}

/*
 * One forked child: wait until every sibling exists (so the shared pages'
 * PSS split does not change after the reading), touch, report, say ready,
 * then hold until the parent closes the release pipe.
 */
static __attribute__((noreturn)) void forktree_child(unsigned long mib, unsigned long linger_ms,
						     const int go[2], const int ready[2],
						     const int release[2])
{
	char c;

	close(go[1]);
	close(ready[0]);
	close(release[1]);
	wl_prewarm();
	if (read_full(go[0], &c, 1))
		_exit(1);
	touch_mib(mib);
	truth("child-peak");
	if (wl_write_all(ready[1], "r", 1))
		_exit(1);
	/* EOF on release: the parent has seen all K ready and held 300 ms. */
	while (read(release[0], &c, 1) < 0 && errno == EINTR)
		;
	/* Staggered exits: one by one, each reaped before the next exits. */
	if (linger_ms)
		sleep_ms(linger_ms);
	wl_final_exit(0);
}

static int forktree_wait(unsigned long k)
{
	int rc = 0, st;

	while (k--) {
		if (wait(&st) < 0)
			die("wait failed");
		if (shell_status(st))
			rc = 1;
	}
	return rc;
}

static int cmd_forktree(int argc, char **argv)
{
	unsigned long k = arg_num(argv[0]), mib = arg_num(argv[1]), i;
	unsigned long stagger = argc > 2 ? arg_num(argv[2]) : 0;
	int go[2], ready[2], release[2];
	char buf[256];

	if (k < 1 || k > sizeof(buf))
		die("forktree: K must be 1..256");
	if (pipe(go) || pipe(ready) || pipe(release))
		die("pipe failed");
	for (i = 0; i < k; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0)
			forktree_child(mib, stagger * i, go, ready, release);
	}
	close(go[0]);
	close(ready[1]);
	close(release[0]);
	memset(buf, 'g', k);
	if (wl_write_all(go[1], buf, k))
		die("write failed");
	if (read_full(ready[0], buf, k))
		die("a child did not get ready");
	/* All K hold their memory now; give a sampling tracer time to see it. */
	sleep_ms(300);
	close(release[1]);
	return forktree_wait(k);
}

static int cmd_segv(int argc, char **argv)
{
	struct rlimit no_core = { 0, 0 };

	(void)argc;
	/* A core dump of N MiB would only slow the test down. */
	setrlimit(RLIMIT_CORE, &no_core);
	signal(SIGSEGV, SIG_DFL);
	/* Signal 0 runs raise()'s code without a signal: faulted in before the peak. */
	raise(0);
	touch_mib(arg_num(argv[0]));
	truth("peak");
	raise(SIGSEGV);
	die("survived SIGSEGV");
}

static int cmd_exit(int argc, char **argv)
{
	(void)argc;
	return (int)(arg_num(argv[0]) & 0xff);
}

static int cmd_echo(int argc, char **argv)
{
	static char buf[65536];
	ssize_t n;

	(void)argc;
	(void)argv;
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (wl_write_all(STDOUT_FILENO, buf, (size_t)n))
			return 1;
	}
	wl_puts(STDERR_FILENO, "to-stderr\n");
	return 3;
}

static int cmd_sleep(int argc, char **argv)
{
	(void)argc;
	sleep_ms(arg_num(argv[0]));
	return 0;
}

/* ------------------------------------------------------------- makeup */

/*
 * wl makeup: one process whose memory is made of parts it knows by
 * address, so that a breakdown by mapping can be checked part by part.  Its
 * truths are the Rss and Pss of the mappings that hold each part, from one
 * reading of its own /proc/self/smaps, every other thread holding still.
 *
 * The anonymous parts (the 30 MiB and each thread's stack) have PROT_NONE
 * pages on both sides: the kernel merges neighbouring anonymous mappings of
 * the same flags, and a part must be mappings of its own.  The threads run
 * on stacks mapped here: glibc would keep its own in a cache after join,
 * where `free` could not give them back.  The heap is the kernel's [heap]:
 * it also holds what malloc took with brk before us (pthread_create's
 * calloc of a thread's TLS vector), and makeup-heap is the whole of the
 * [heap] mappings around our range, as any breakdown by mapping sees it.
 * Every other part must be exactly mappings within what it made (checked:
 * the workload dies rather than print a truth it cannot vouch for).
 */
#define MAKEUP_HEAP (40 * WL_MIB)
#define MAKEUP_ANON (30 * WL_MIB)
#define MAKEUP_FILE (20 * WL_MIB)
#define MAKEUP_SHMEM (10 * WL_MIB)
#define MAKEUP_THREADS 4
#define MAKEUP_STACK_TOUCH (1 << 20) /* of its stack, each thread touches */
#define MAKEUP_STACK (2 * WL_MIB)    /* the stack mapped for each thread */

enum makeup_part { MK_HEAP, MK_ANON, MK_FILE, MK_SHMEM, MK_STACKS, MK_PARTS };

static const char *const makeup_label[MK_PARTS] = {
	"makeup-heap", "makeup-anon", "makeup-file", "makeup-shmem", "makeup-stacks",
};

/* [lo, hi): memory of one part. */
struct makeup_range {
	enum makeup_part part;
	uintptr_t lo, hi;
};

struct makeup_thread {
	pthread_t id;
	char *stack;		    /* what pthread_attr_setstack was given */
	uintptr_t lo, hi;	    /* its stack as pthread_getattr_np tells it */
	pthread_barrier_t *held;    /* every thread has touched its stack */
	pthread_barrier_t *release; /* the main thread has read its truths */
};

struct makeup {
	struct makeup_range range[4 + MAKEUP_THREADS];
	size_t nrange;
	char *heap, *anon, *file, *shmem;
	struct makeup_thread thread[MAKEUP_THREADS];
};

/* Its own smaps (some 70 mappings, ~100 KB), in a buffer touched before any reading. */
static char makeup_smaps[512 * 1024];

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* Private anonymous read-write memory between two PROT_NONE pages. */
static char *map_guarded(size_t bytes)
{
	char *m = mmap(NULL, bytes + 2 * page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);

	if (m == MAP_FAILED)
		die("mmap failed");
	if (mprotect(m + page_size(), bytes, PROT_READ | PROT_WRITE))
		die("mprotect failed");
	return m + page_size();
}

static void unmap_guarded(char *p, size_t bytes)
{
	if (munmap(p - page_size(), bytes + 2 * page_size()))
		die("munmap failed");
}

static void touch_bytes(char *m, size_t bytes)
{
	volatile char *p = m;

	for (size_t off = 0; off < bytes; off += page_size())
		p[off] = (char)(off / page_size() + 1);
}

static void makeup_add(struct makeup *mk, enum makeup_part part, const void *p, size_t bytes)
{
	struct makeup_range *r = &mk->range[mk->nrange++];

	r->part = part;
	r->lo = (uintptr_t)p;
	r->hi = r->lo + bytes;
}

/* Read the whole of /proc/self/smaps into makeup_smaps: its length. */
static size_t makeup_read_smaps(void)
{
	int fd = open("/proc/self/smaps", O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0)
		die("cannot open /proc/self/smaps");
	for (;;) {
		ssize_t n;

		if (len == sizeof(makeup_smaps))
			die("/proc/self/smaps is larger than its buffer");
		n = read(fd, makeup_smaps + len, sizeof(makeup_smaps) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("cannot read /proc/self/smaps");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return len;
}

static bool is_hex_digit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static const char *read_hex(const char *p, uintptr_t *v)
{
	*v = 0;
	for (; is_hex_digit(*p); p++)
		*v = *v << 4 | (uintptr_t)(*p <= '9' ? *p - '0' : *p - 'a' + 10);
	return p;
}

/* The kB after "Key:" of a value line, in bytes. */
static uint64_t line_bytes(const char *p)
{
	uint64_t kb = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	while (*p >= '0' && *p <= '9')
		kb = kb * 10 + (uint64_t)(*p++ - '0');
	return kb * 1024;
}

/*
 * Which part a mapping [lo, hi) holds: MK_PARTS for none.  A mapping of
 * two parts, or one reaching beyond what a part made (the heap aside), is
 * a layout this workload cannot vouch for: it dies.
 */
static enum makeup_part makeup_part_of(const struct makeup *mk, uintptr_t lo, uintptr_t hi)
{
	enum makeup_part part = MK_PARTS;

	for (size_t i = 0; i < mk->nrange; i++) {
		const struct makeup_range *r = &mk->range[i];

		if (hi <= r->lo || r->hi <= lo)
			continue;
		if (part != MK_PARTS && part != r->part)
			die("makeup: one mapping holds two parts");
		if (r->part != MK_HEAP && (lo < r->lo || hi > r->hi))
			die("makeup: a part's mapping reaches beyond it");
		part = r->part;
	}
	return part;
}

/*
 * One reading of /proc/self/smaps: Rss and Pss of each part's mappings and
 * of all.  Allocates nothing and touches no new page (run once before, as
 * its own prewarm).
 */
static void makeup_measure(const struct makeup *mk, struct wl_truth part[MK_PARTS],
			   struct wl_truth *total)
{
	size_t len = makeup_read_smaps();
	const char *p = makeup_smaps, *end = makeup_smaps + len;
	enum makeup_part cur = MK_PARTS;

	memset(part, 0, MK_PARTS * sizeof(*part));
	memset(total, 0, sizeof(*total));
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			die("makeup: /proc/self/smaps ends inside a line");
		if (is_hex_digit(*p)) {
			uintptr_t lo, hi;
			const char *q = read_hex(p, &lo);

			if (*q != '-')
				die("makeup: a header without its range");
			read_hex(q + 1, &hi);
			cur = makeup_part_of(mk, lo, hi);
		} else if (strncmp(p, "Rss:", 4) == 0) {
			uint64_t b = line_bytes(p + 4);

			total->rss += b;
			if (cur != MK_PARTS)
				part[cur].rss += b;
		} else if (strncmp(p, "Pss:", 4) == 0) {
			uint64_t b = line_bytes(p + 4);

			total->pss += b;
			if (cur != MK_PARTS)
				part[cur].pss += b;
		}
		p = eol + 1;
	}
}

/* The file: written in TMPDIR, mapped read-only, unlinked, every page read. */
static char *makeup_file(void)
{
	static char block[64 * 1024];
	const char *dir = getenv("TMPDIR");
	char path[4096], *p = path;
	volatile const char *m;
	char *map;
	unsigned sum = 0;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (strlen(dir) > sizeof(path) - 32)
		die("makeup: TMPDIR is too long");
	p = wl_append(p, dir);
	p = wl_append(p, "/wl-makeup-XXXXXX");
	*p = '\0';
	fd = mkstemp(path);
	if (fd < 0)
		die("makeup: cannot create a file in TMPDIR");
	memset(block, 'm', sizeof(block));
	for (size_t done = 0; done < MAKEUP_FILE; done += sizeof(block))
		if (wl_write_all(fd, block, sizeof(block)))
			die("makeup: cannot write the file");
	map = mmap(NULL, MAKEUP_FILE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		die("makeup: cannot map the file");
	/* Gone from the directory now: nothing is left behind, whatever ends us. */
	unlink(path);
	close(fd);
	m = map;
	for (size_t off = 0; off < MAKEUP_FILE; off += page_size())
		sum += (unsigned char)m[off];
	if (sum != (unsigned)'m' * (MAKEUP_FILE / page_size()))
		die("makeup: the file reads back wrong");
	return map;
}

static char *makeup_memfd(void)
{
	int fd = memfd_create("wl-makeup", MFD_CLOEXEC);
	char *m;

	if (fd < 0 || ftruncate(fd, (off_t)MAKEUP_SHMEM))
		die("makeup: memfd_create failed");
	m = mmap(NULL, MAKEUP_SHMEM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("makeup: cannot map the memfd");
	close(fd);
	touch_bytes(m, MAKEUP_SHMEM);
	return m;
}

/* noinline: the array is this frame, on the thread's own stack. */
static __attribute__((noinline)) void touch_stack(void)
{
	volatile char buf[MAKEUP_STACK_TOUCH];

	for (size_t off = 0; off < sizeof(buf); off += 4096)
		buf[off] = 1;
}

static void *makeup_thread_main(void *arg)
{
	struct makeup_thread *t = arg;
	pthread_attr_t attr;
	void *addr;
	size_t size;

	touch_stack();
	if (pthread_getattr_np(pthread_self(), &attr) || pthread_attr_getstack(&attr, &addr, &size))
		die("makeup: pthread_getattr_np failed");
	pthread_attr_destroy(&attr);
	t->lo = (uintptr_t)addr;
	t->hi = t->lo + size;
	pthread_barrier_wait(t->held);
	pthread_barrier_wait(t->release);
	return NULL;
}

static void makeup_threads(struct makeup *mk, pthread_barrier_t *held, pthread_barrier_t *release)
{
	for (int i = 0; i < MAKEUP_THREADS; i++) {
		struct makeup_thread *t = &mk->thread[i];
		pthread_attr_t attr;

		t->stack = map_guarded(MAKEUP_STACK);
		t->held = held;
		t->release = release;
		if (pthread_attr_init(&attr) ||
		    pthread_attr_setstack(&attr, t->stack, MAKEUP_STACK) ||
		    pthread_create(&t->id, &attr, makeup_thread_main, t))
			die("makeup: pthread_create failed");
		pthread_attr_destroy(&attr);
		makeup_add(mk, MK_STACKS, t->stack, MAKEUP_STACK);
	}
}

static int cmd_makeup(int argc, char **argv)
{
	static struct makeup mk;
	struct wl_truth part[MK_PARTS], total;
	pthread_barrier_t held, release;
	const char *wait_env = getenv("WL_MAKEUP_WAIT");
	unsigned long wait_ms = wait_env ? arg_num(wait_env) : 0;
	bool hold = strcmp(argv[0], "hold") == 0;

	(void)argc;
	if (!hold && strcmp(argv[0], "free") != 0)
		die("usage: wl makeup hold|free");
	/* A first reading with no part: faults in its code, its buffer, its stack. */
	memset(makeup_smaps, 0, sizeof(makeup_smaps));
	makeup_measure(&mk, part, &total);
	prewarm_calls();

	/* Threads first: their calloc takes its brk heap below ours. */
	if (pthread_barrier_init(&held, NULL, MAKEUP_THREADS + 1) ||
	    pthread_barrier_init(&release, NULL, MAKEUP_THREADS + 1))
		die("pthread_barrier_init failed");
	makeup_threads(&mk, &held, &release);

	mk.heap = sbrk((intptr_t)MAKEUP_HEAP);
	if (mk.heap == (void *)-1)
		die("makeup: sbrk failed");
	touch_bytes(mk.heap, MAKEUP_HEAP);
	makeup_add(&mk, MK_HEAP, mk.heap, MAKEUP_HEAP);

	mk.anon = map_guarded(MAKEUP_ANON);
	touch_bytes(mk.anon, MAKEUP_ANON);
	makeup_add(&mk, MK_ANON, mk.anon, MAKEUP_ANON);

	mk.file = makeup_file();
	makeup_add(&mk, MK_FILE, mk.file, MAKEUP_FILE);

	mk.shmem = makeup_memfd();
	makeup_add(&mk, MK_SHMEM, mk.shmem, MAKEUP_SHMEM);

	pthread_barrier_wait(&held);
	for (int i = 0; i < MAKEUP_THREADS; i++) {
		const struct makeup_thread *t = &mk.thread[i];

		if (t->lo < (uintptr_t)t->stack || t->hi > (uintptr_t)t->stack + MAKEUP_STACK)
			die("makeup: a thread's stack is not where it was put");
	}

	makeup_measure(&mk, part, &total);
	for (int i = 0; i < MK_PARTS; i++)
		wl_print_truth(makeup_label[i], &part[i]);
	wl_print_truth("makeup-total", &total);
	truth("peak");
	sleep_ms(wait_ms);
	if (hold)
		return 0;

	pthread_barrier_wait(&release);
	for (int i = 0; i < MAKEUP_THREADS; i++) {
		if (pthread_join(mk.thread[i].id, NULL))
			die("makeup: pthread_join failed");
		unmap_guarded(mk.thread[i].stack, MAKEUP_STACK);
	}
	unmap_guarded(mk.anon, MAKEUP_ANON);
	if (munmap(mk.file, MAKEUP_FILE) || munmap(mk.shmem, MAKEUP_SHMEM))
		die("munmap failed");
	/* The break is still where we left it: nothing took brk memory after us. */
	if (sbrk(0) != mk.heap + MAKEUP_HEAP || sbrk(-(intptr_t)MAKEUP_HEAP) == (void *)-1)
		die("makeup: cannot give the heap back");
	truth("end");
	return 0;
}

static const struct wl_subcommand subcommands[] = {
	{ "touch-free", 1, NULL, true, cmd_touch_free },
	{ "hold-exit", 1, NULL, true, cmd_hold_exit },
	{ "hold-square", 1, NULL, true, cmd_hold_square },
	{ "hold-env", 0, NULL, true, cmd_hold_env },
	{ "grow-exec", 2, NULL, true, cmd_grow_exec },
	{ "threads", 2, NULL, true, cmd_threads },
	{ "spawn", 2, NULL, true, cmd_spawn },
	{ "fork-exec", 3, NULL, true, cmd_fork_exec },
	{ "fork-exit", 3, NULL, true, cmd_fork_exit },
	{ "forktree", 2, NULL, true, cmd_forktree },
	{ "segv", 1, NULL, true, cmd_segv },
	{ "exit", 1, NULL, false, cmd_exit },
	{ "echo", 0, NULL, false, cmd_echo },
	{ "sleep", 1, NULL, false, cmd_sleep },
	{ "makeup", 1, "hold|free", true, cmd_makeup },
};

int main(int argc, char **argv)
{
	return wl_dispatch(subcommands, sizeof(subcommands) / sizeof(subcommands[0]), argc, argv);
}
