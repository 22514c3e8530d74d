/*
 * Unit tests of filter: which stop is which syscall, and what the exported
 * program does with each call.  A seccomp stop is told by the architecture
 * and number the kernel reports (PTRACE_GET_SYSCALL_INFO), never by the
 * filter's data alone, which a filter of the command's own can set.
 * Numbers come from libseccomp's tables, so the tests hold on every
 * architecture.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <criterion/criterion.h>

#include "filter.h"

static struct filter_classes cls;

/* The number of name on arch (asserted to exist there). */
static long nr_of(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	cr_assert_geq(nr, 0, "%s has no number on arch 0x%x", name, arch);
	return nr;
}

static void init(bool exact)
{
	cr_assert_eq(filter_classes_init(&cls, exact), 0);
}

Test(filter_classify, lifecycle_syscalls_of_the_native_arch)
{
	uint32_t arch = seccomp_arch_native();

	init(false);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "exit")), FILTER_EXIT);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "exit_group")), FILTER_EXIT_GROUP);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "execve")), FILTER_EXECVE);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "execveat")), FILTER_EXECVEAT);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "clone")), FILTER_CLONE);
	/* Births the events tell: never a stop of ours (filter.c). */
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "clone3")), FILTER_NONE);
	if (seccomp_syscall_resolve_name_arch(arch, "fork") >= 0)
		cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "fork")), FILTER_NONE);
}

/*
 * What a filter of the command's own may trace (getppid with data 2, the id
 * of exit_group) is not a stop of ours, whatever its data says.
 */
Test(filter_classify, other_syscalls_are_not_ours)
{
	uint32_t arch = seccomp_arch_native();

	init(false);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "getppid")), FILTER_NONE);
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "read")), FILTER_NONE);
	cr_assert_eq(filter_classify(&cls, arch, -1), FILTER_NONE);
	/* The right number on an architecture the filter does not cover. */
	cr_assert_eq(filter_classify(&cls, 0x12345678, nr_of(arch, "exit_group")), FILTER_NONE);
}

/* Without --exact the release syscalls are no stops of ours; with it they are. */
Test(filter_classify, exact_adds_the_release_syscalls)
{
	uint32_t arch = seccomp_arch_native();
	static const struct {
		const char *name;
		enum filter_id id;
	} rel[] = {
		{ "munmap", FILTER_MUNMAP },
		{ "mremap", FILTER_MREMAP },
		{ "madvise", FILTER_MADVISE },
		{ "brk", FILTER_BRK },
		{ "ftruncate", FILTER_FTRUNCATE },
		{ "truncate", FILTER_TRUNCATE },
		{ "fallocate", FILTER_FALLOCATE },
		{ "process_madvise", FILTER_PROCESS_MADVISE },
		{ "io_uring_setup", FILTER_IO_URING_SETUP },
	};

	init(false);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, rel[i].name)), FILTER_NONE,
			     "%s without --exact", rel[i].name);
	init(true);
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, rel[i].name)), rel[i].id,
			     "%s with --exact", rel[i].name);
		cr_assert(FILTER_IS_RELEASE(rel[i].id));
	}
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "exit_group")), FILTER_EXIT_GROUP);
}

/* clone(2)'s flags: its second argument on s390 and s390x, its first elsewhere. */
Test(filter_classify, clone_flags_argument)
{
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_S390X), 1);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_S390), 1);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_X86_64), 0);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_X86), 0);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_AARCH64), 0);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_ARM), 0);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_PPC64LE), 0);
	cr_assert_eq(filter_clone_flags_arg(SCMP_ARCH_MIPSEL64), 0);
}

/* One class per syscall, however many rules (madvise has one per advice). */
Test(filter_classify, one_class_per_syscall)
{
	init(true);
	for (size_t i = 0; i < cls.n; i++)
		for (size_t j = i + 1; j < cls.n; j++)
			cr_assert(cls.c[i].arch != cls.c[j].arch || cls.c[i].nr != cls.c[j].nr,
				  "class %zu and %zu are both 0x%x/%d", i, j, cls.c[i].arch,
				  cls.c[i].nr);
}

#if defined(__x86_64__)
/*
 * i386 programs (int 0x80) report AUDIT_ARCH_I386 and its numbers; x32 ones
 * report AUDIT_ARCH_X86_64 with __X32_SYSCALL_BIT in the number.
 */
Test(filter_classify, compat_abis_of_x86_64)
{
	init(false);
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 252), FILTER_EXIT_GROUP,
		     "i386 exit_group");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 11), FILTER_EXECVE, "i386 execve");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 120), FILTER_CLONE, "i386 clone");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 2), FILTER_NONE, "i386 fork");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 20), FILTER_NONE, "i386 getpid");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86_64, 0x40000000L | 520), FILTER_EXECVE,
		     "x32 execve");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86_64, 0x40000000L | 231), FILTER_EXIT_GROUP,
		     "x32 exit_group");
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86_64, 231), FILTER_EXIT_GROUP);
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86_64, 11), FILTER_NONE,
		     "x86_64's 11 is munmap, not i386's execve");
}
#endif

/*
 * The filter as the kernel runs it: filter_export()'s classic BPF program,
 * interpreted here over a struct seccomp_data per row of a table of
 * (architecture, syscall, arguments) -> the action the kernel would take.
 *
 * The interpreter knows what libseccomp 2.5's gen_bpf.c emits (LD W ABS,
 * ALU AND K, JEQ/JGT/JGE K, JA, RET K) and JSET K; the kernel's checker
 * allows more (LD IMM and MEM, ST, MISC, ALU with X...).  Anything else is
 * refused before the program runs, so a libseccomp that starts emitting it
 * fails here by name instead of being run wrongly.
 */
#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef FALLOC_FL_COLLAPSE_RANGE
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

/* x32 numbers carry this bit; the kernel reports them as AUDIT_ARCH_X86_64. */
#define X32_BIT 0x40000000L

/* NULL when prog is a program bpf_run() can run; else why not, at insns[*at]. */
static const char *bpf_check(const struct sock_filter *insns, size_t len, size_t *at)
{
	*at = 0;
	if (len == 0 || len > BPF_MAXINSNS)
		return "no program, or longer than the kernel takes";
	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];
		size_t left = len - pc - 1; /* the longest jump that stays inside */

		*at = pc;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			/* The kernel's seccomp_check_filter: aligned, inside seccomp_data. */
			if (f->k >= sizeof(struct seccomp_data) || f->k % 4)
				return "LD ABS outside struct seccomp_data or unaligned";
			break;
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_RET | BPF_K:
			break;
		case BPF_JMP | BPF_JA:
			if (f->k >= left)
				return "JA out of the program";
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_K:
			if (f->jt >= left || f->jf >= left)
				return "conditional jump out of the program";
			break;
		default:
			return "an instruction this interpreter does not know";
		}
	}
	*at = len - 1;
	if (insns[len - 1].code != (BPF_RET | BPF_K))
		return "the last instruction is not RET K";
	return NULL;
}

/* What bpf_run() saw of an instruction, over all its runs. */
#define RAN 1
#define JUMPED 2 /* a conditional jump that went to jt */
#define FELL 4	 /* ... and to jf */
#define HIGH 8	 /* ... on the high word of an argument */

/* Is offset k the high 32 bits of one of seccomp_data's 64-bit args? */
static bool high_word(uint32_t k)
{
	size_t args = offsetof(struct seccomp_data, args);
	size_t high = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 4 : 0;

	return k >= args && (k - args) % 8 == high;
}

/* A conditional jump on A, loaded from offset from: mark what it did, and go. */
static size_t branch(uint8_t *seen, size_t pc, const struct sock_filter *f, uint32_t from,
		     bool cond)
{
	if (seen)
		seen[pc] |= (cond ? JUMPED : FELL) | (high_word(from) ? HIGH : 0);
	return pc + (cond ? f->jt : f->jf);
}

/*
 * Run a checked program over d and return its RET value, as the kernel does
 * (every jump goes forward: it ends).  seen, when not NULL, gathers RAN,
 * JUMPED, FELL and HIGH for each instruction.
 */
static uint32_t bpf_run(const struct sock_filter *insns, size_t len, const struct seccomp_data *d,
			uint8_t *seen)
{
	uint32_t a = 0, from = 0; /* A, and the offset it was loaded from */

	for (size_t pc = 0; pc < len; pc++) {
		const struct sock_filter *f = &insns[pc];

		if (seen)
			seen[pc] |= RAN;
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			memcpy(&a, (const char *)d + f->k, sizeof(a));
			from = f->k;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc = branch(seen, pc, f, from, a == f->k);
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc = branch(seen, pc, f, from, a > f->k);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc = branch(seen, pc, f, from, a >= f->k);
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc = branch(seen, pc, f, from, (a & f->k) != 0);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			cr_assert_fail("instruction %zu: code 0x%04x passed bpf_check", pc,
				       f->code);
		}
	}
	cr_assert_fail("ran off the end of the program");
	return 0;
}

/* The offset of args[1]'s low 32 bits: its first word on a little-endian machine. */
#define ARG1_LOW                                  \
	(offsetof(struct seccomp_data, args[1]) + \
	 (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 0 : 4))

/* The interpreter on its own: each jump and ALU kind, on a hand-made program. */
Test(filter_bpf, interpreter_runs_each_instruction_kind)
{
	static const struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, 100, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 1), /* nr > 100 */
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 50, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 2), /* 50 <= nr <= 100 */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG1_LOW),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x4, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 3), /* args[1] & 4 */
		BPF_STMT(BPF_ALU | BPF_AND | BPF_K, 0x3),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x3, 0, 2),
		BPF_STMT(BPF_JMP | BPF_JA, 2),
		BPF_STMT(BPF_RET | BPF_K, 4), /* never: jumped over */
		BPF_STMT(BPF_RET | BPF_K, 5), /* (args[1] & 3) != 3 */
		BPF_STMT(BPF_RET | BPF_K, 6), /* (args[1] & 3) == 3 */
	};
	static const struct {
		int nr;
		uint64_t arg1;
		uint32_t want;
	} cases[] = {
		{ 101, 0, 1 },
		{ 100, 0, 2 },
		{ 50, 0, 2 },
		{ 49, 4, 3 },
		{ 49, 0xff, 3 },
		{ 49, 3, 6 },
		{ 49, 0x1b, 6 },
		{ 49, 1, 5 },
		{ 0, 0, 5 },
		/* The high word of args[1] is another LD ABS offset: not read. */
		{ 0, 0x300000000ULL, 5 },
	};
	size_t n = sizeof(prog) / sizeof(prog[0]), at;

	cr_assert_null(bpf_check(prog, n, &at), "%s", bpf_check(prog, n, &at));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct seccomp_data d = { .nr = cases[i].nr };

		d.args[1] = cases[i].arg1;
		cr_expect_eq(bpf_run(prog, n, &d, NULL), cases[i].want, "case %zu", i);
	}
}

/* What the interpreter does not know, or the kernel would refuse, is refused. */
Test(filter_bpf, interpreter_refuses_the_rest)
{
	static const struct {
		struct sock_filter insn;
		const char *what;
	} bad[] = {
		{ BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), "LD IND" },
		{ BPF_STMT(BPF_LD | BPF_IMM, 1), "LD IMM" },
		{ BPF_STMT(BPF_LD | BPF_MEM, 0), "LD MEM" },
		{ BPF_STMT(BPF_LDX | BPF_W | BPF_MEM, 0), "LDX MEM" },
		{ BPF_STMT(BPF_ST, 0), "ST" },
		{ BPF_STMT(BPF_MISC | BPF_TAX, 0), "TAX" },
		{ BPF_STMT(BPF_ALU | BPF_ADD | BPF_K, 1), "ALU ADD" },
		{ BPF_STMT(BPF_ALU | BPF_AND | BPF_X, 0), "ALU AND X" },
		{ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_X, 0, 0, 0), "JEQ X" },
		{ BPF_STMT(BPF_RET | BPF_A, 0), "RET A" },
		{ BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), "LD H ABS" },
		{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), "LD ABS unaligned" },
		{ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, sizeof(struct seccomp_data)),
		  "LD ABS past seccomp_data" },
		{ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0), "JEQ past the end" },
		{ BPF_STMT(BPF_JMP | BPF_JA, 1), "JA past the end" },
	};
	static const struct sock_filter no_ret[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	};
	size_t at;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The instruction, then RET: only the instruction can be wrong. */
		struct sock_filter prog[2] = { bad[i].insn, BPF_STMT(BPF_RET | BPF_K, 0) };

		cr_expect_not_null(bpf_check(prog, 2, &at), "%s was accepted", bad[i].what);
		cr_expect_eq(at, 0, "%s refused at %zu", bad[i].what, at);
	}
	cr_expect_not_null(bpf_check(no_ret, 1, &at), "a program without RET");
	cr_expect_not_null(bpf_check(no_ret, 0, &at), "an empty program");
}

/* A built, exported and checked filter, with the classes of the same rules. */
struct built {
	bool exact;
	struct filter_prog prog;
	struct filter_classes cls;
	uint8_t *seen; /* per instruction: RAN, JUMPED, FELL over all calls */
	bool quiet;    /* only run, expect nothing */
};

static void build(struct built *b, bool exact)
{
	scmp_filter_ctx ctx;
	const char *why;
	size_t at;

	b->exact = exact;
	b->quiet = false;
	cr_assert_eq(filter_build(&ctx, false, exact), 0);
	cr_assert_eq(filter_export(ctx, false, &b->prog), 0);
	filter_release(ctx);
	why = bpf_check(b->prog.insns, b->prog.len, &at);
	cr_assert_null(why, "%s filter, instruction %zu of %u (code 0x%04x k 0x%x): %s",
		       exact ? "--exact" : "normal", at, b->prog.len, b->prog.insns[at].code,
		       b->prog.insns[at].k, why);
	cr_assert_eq(filter_classes_init(&b->cls, exact), 0);
	b->seen = calloc(b->prog.len, sizeof(*b->seen));
	cr_assert_not_null(b->seen);
}

static void unbuild(struct built *b)
{
	filter_prog_free(&b->prog);
	free(b->seen);
	b->seen = NULL;
}

/* The arch the kernel reports for a syscall made through abi (0: the native one). */
static uint32_t reported(uint32_t abi)
{
	if (abi == SCMP_ARCH_NATIVE)
		return seccomp_arch_native();
	return abi == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : abi;
}

static const char *abi_name(uint32_t abi)
{
	switch (abi) {
	case SCMP_ARCH_NATIVE:
		return "native";
	case SCMP_ARCH_X86_64:
		return "x86_64";
	case SCMP_ARCH_X86:
		return "i386";
	case SCMP_ARCH_X32:
		return "x32";
	case SCMP_ARCH_AARCH64:
		return "aarch64";
	case SCMP_ARCH_ARM:
		return "arm";
	case SCMP_ARCH_S390:
		return "s390";
	case SCMP_ARCH_MIPSEL:
		return "mips o32";
	case SCMP_ARCH_MIPSEL64N32:
		return "mips n32";
	default:
		return "other";
	}
}

/*
 * Run b over (arch, nr, args) and expect TRACE(want), or ALLOW for
 * FILTER_NONE.  A traced call must also be what filter_classify() says the
 * stop is.
 */
static void expect(struct built *b, const char *what, uint32_t arch, long nr,
		   const uint64_t args[6], enum filter_id want)
{
	struct seccomp_data d = { .nr = (int)nr, .arch = arch, .instruction_pointer = 0x401000 };
	uint32_t got, expected = want ? SECCOMP_RET_TRACE | want : SECCOMP_RET_ALLOW;
	const char *mode = b->exact ? "--exact" : "normal";

	memcpy(d.args, args, sizeof(d.args));
	got = bpf_run(b->prog.insns, b->prog.len, &d, b->seen);
	if (b->quiet)
		return;
	cr_expect_eq(got, expected,
		     "%s filter, %s (arch 0x%x nr %ld args 0x%llx 0x%llx 0x%llx 0x%llx): "
		     "0x%08x, want 0x%08x",
		     mode, what, arch, nr, (unsigned long long)args[0], (unsigned long long)args[1],
		     (unsigned long long)args[2], (unsigned long long)args[3], got, expected);
	if ((got & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_TRACE)
		return;
	cr_expect_eq(filter_classify(&b->cls, arch, nr), got & SECCOMP_RET_DATA,
		     "%s filter, %s: filter_classify says %d, the filter's data is %u", mode, what,
		     filter_classify(&b->cls, arch, nr), got & SECCOMP_RET_DATA);
}

/* The ABIs a process of the tree can use, and so the filter covers. */
static const struct abi {
	uint32_t scmp;
	bool complete; /* every lifecycle syscall exists there */
} abis[] = {
#if defined(__x86_64__)
	{ SCMP_ARCH_X86_64, true },
	{ SCMP_ARCH_X86, true },
	{ SCMP_ARCH_X32, true },
#elif defined(__aarch64__)
	{ SCMP_ARCH_AARCH64, false }, /* no fork, no vfork */
	{ SCMP_ARCH_ARM, true },
#elif defined(__s390x__)
	{ SCMP_ARCH_S390X, true },
	{ SCMP_ARCH_S390, true },
#elif defined(__mips__) && defined(__MIPSEL__) && _MIPS_SIM == _ABI64
	{ SCMP_ARCH_MIPSEL64, false }, /* no vfork */
	{ SCMP_ARCH_MIPSEL64N32, false },
	{ SCMP_ARCH_MIPSEL, false },
#else
	{ SCMP_ARCH_NATIVE, false },
#endif
};

#define NABIS (sizeof(abis) / sizeof(abis[0]))

static const uint64_t no_args[6];

/* Traced by both filters wherever they exist. */
static const struct {
	const char *name;
	enum filter_id id;
} lifecycle[] = {
	{ "exit", FILTER_EXIT },
	{ "exit_group", FILTER_EXIT_GROUP },
	{ "execve", FILTER_EXECVE },
	{ "execveat", FILTER_EXECVEAT },
};

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/*
 * Births: a stop only for the clones whose child no event tells, by their
 * flags (filter.c); the rest, and clone3, fork and vfork, never.
 */
#define THREAD_FLAGS                                                                        \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM | \
	 CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
static const struct {
	const char *name;
	uint64_t flags;
	bool stops;
} births[] = {
	{ "clone", SIGCHLD, false },
	{ "clone", SIGCHLD | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, false }, /* fork() */
	{ "clone", CLONE_VM | CLONE_VFORK | SIGCHLD, false },			 /* vfork() */
	{ "clone", THREAD_FLAGS, false },					 /* a thread */
	{ "clone", CLONE_NEWTIME | CLONE_NEWNS | SIGCHLD, false },
	{ "clone", CLONE_VM | SIGCHLD, true },
	{ "clone", CLONE_VM, true },
	{ "clone", CLONE_VM | CLONE_FILES | CLONE_SIGHAND | SIGCHLD, true },
	{ "clone", CLONE_PARENT | SIGCHLD, true },
	{ "clone", CLONE_PARENT, true },
	{ "clone", CLONE_PARENT | CLONE_VM | CLONE_VFORK, true },
	{ "clone", CLONE_PARENT | THREAD_FLAGS, true }, /* EINVAL, but stopped all the same */
	{ "clone3", 0, false },
	{ "fork", 0, false },
	{ "vfork", 0, false },
};

/* With --exact, traced whatever their arguments. */
static const struct {
	const char *name;
	enum filter_id id;
} releases[] = {
	{ "munmap", FILTER_MUNMAP },
	{ "mremap", FILTER_MREMAP },
	{ "brk", FILTER_BRK },
	{ "shmdt", FILTER_SHMDT }, /* i386: only by number and through ipc (rows) */
	{ "remap_file_pages", FILTER_REMAP_FILE_PAGES },
	{ "ftruncate", FILTER_FTRUNCATE },
	{ "truncate", FILTER_TRUNCATE },
	{ "io_uring_setup", FILTER_IO_URING_SETUP },
};

static void run_lifecycle(struct built *b)
{
	for (size_t a = 0; a < NABIS; a++) {
		for (size_t i = 0; i < sizeof(lifecycle) / sizeof(lifecycle[0]); i++) {
			int nr = seccomp_syscall_resolve_name_arch(abis[a].scmp, lifecycle[i].name);
			char what[64];

			if (nr < 0) {
				cr_expect(!abis[a].complete, "%s has no %s", abi_name(abis[a].scmp),
					  lifecycle[i].name);
				continue;
			}
			if (abis[a].scmp == SCMP_ARCH_X32)
				cr_expect(nr & X32_BIT, "x32 %s is %d", lifecycle[i].name, nr);
			snprintf(what, sizeof(what), "%s %s", abi_name(abis[a].scmp),
				 lifecycle[i].name);
			expect(b, what, reported(abis[a].scmp), nr, no_args, lifecycle[i].id);
		}
	}
}

static void run_births(struct built *b)
{
	for (size_t a = 0; a < NABIS; a++) {
		for (size_t i = 0; i < sizeof(births) / sizeof(births[0]); i++) {
			int nr = seccomp_syscall_resolve_name_arch(abis[a].scmp, births[i].name);
			uint64_t args[6] = { 0 };
			char what[96];

			if (nr < 0)
				continue;
			args[filter_clone_flags_arg(reported(abis[a].scmp))] = births[i].flags;
			snprintf(what, sizeof(what), "%s %s(%#llx)", abi_name(abis[a].scmp),
				 births[i].name, (unsigned long long)births[i].flags);
			expect(b, what, reported(abis[a].scmp), nr, args,
			       births[i].stops ? FILTER_CLONE : FILTER_NONE);
		}
	}
}

static void run_releases(struct built *b)
{
	for (size_t a = 0; a < NABIS; a++) {
		for (size_t i = 0; i < sizeof(releases) / sizeof(releases[0]); i++) {
			int nr = seccomp_syscall_resolve_name_arch(abis[a].scmp, releases[i].name);
			char what[64];

			if (nr < 0)
				continue;
			snprintf(what, sizeof(what), "%s %s", abi_name(abis[a].scmp),
				 releases[i].name);
			expect(b, what, reported(abis[a].scmp), nr, no_args,
			       b->exact ? releases[i].id : FILTER_NONE);
		}
	}
}

/*
 * One call: through abi (SCMP_ARCH_*, 0 for the native one), the syscall
 * called name there (or the number nr when name is NULL), reported as arch
 * when that is set (an arch the filter does not know), with args.  normal
 * and exact: what each filter returns, TRACE(id) or ALLOW (FILTER_NONE).
 */
struct row {
	uint32_t abi;
	const char *name;
	long nr;
	uint32_t arch;
	uint64_t args[6];
	enum filter_id normal, exact;
};
#define IPC_SHMDT 22
#define IPC_SHMAT 21

/* clang-format off */
static const struct row rows[] = {
	/* Never traced. */
	{ .name = "read" },
	{ .name = "getppid" },
	{ .name = "mprotect", .args = { 0, 4096, PROT_READ } },
	{ .name = "wait4" },
	{ .nr = -1 },
	{ .nr = 0xffff },
	/* madvise(addr, len, advice): the advice values that drop pages. */
	{ .name = "madvise", .args = { [2] = MADV_DONTNEED }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = MADV_REMOVE }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = MADV_FREE }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = MADV_PAGEOUT }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = MADV_DONTNEED_LOCKED }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = MADV_NORMAL } },
	{ .name = "madvise", .args = { [2] = MADV_WILLNEED } },
	{ .name = "madvise", .args = { [2] = MADV_SEQUENTIAL } },
	{ .name = "madvise", .args = { [2] = MADV_COLD } },
	{ .name = "madvise", .args = { [2] = MADV_HUGEPAGE } },
	/* The kernel reads the advice as an int: high bits do not hide it. */
	{ .name = "madvise", .args = { [2] = (1ULL << 32) | MADV_DONTNEED }, .exact = FILTER_MADVISE },
	{ .name = "madvise", .args = { [2] = (1ULL << 32) | MADV_WILLNEED } },
	/* The advice is the third argument, not any. */
	{ .name = "madvise", .args = { MADV_DONTNEED, MADV_DONTNEED, MADV_WILLNEED } },
	/* mmap(addr, len, prot, flags, ...): MAP_FIXED replaces what was mapped. */
#if defined(__s390x__)
	/* Its mmap takes a pointer to its arguments: every one stops with --exact. */
	{ .name = "mmap", .args = { 0x1000 }, .exact = FILTER_MMAP_FIXED },
	{ .name = "mmap", .args = { 0x1000, [3] = MAP_FIXED }, .exact = FILTER_MMAP_FIXED },
#else
	{ .name = "mmap", .args = { [3] = MAP_PRIVATE | MAP_ANONYMOUS } },
	{ .name = "mmap", .args = { [3] = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED },
	  .exact = FILTER_MMAP_FIXED },
	{ .name = "mmap", .args = { [3] = MAP_SHARED | MAP_FIXED }, .exact = FILTER_MMAP_FIXED },
	{ .name = "mmap", .args = { [3] = MAP_PRIVATE | MAP_FIXED_NOREPLACE } },
	{ .name = "mmap", .args = { [2] = MAP_FIXED, [3] = MAP_PRIVATE } },
#endif
	/* fallocate(fd, mode, offset, len): mode 0 only allocates. */
	{ .name = "fallocate", .args = { 3, 0, 0, 1 << 20 } },
	{ .name = "fallocate", .args = { 3, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, 4096 },
	  .exact = FILTER_FALLOCATE },
	{ .name = "fallocate", .args = { 3, FALLOC_FL_ZERO_RANGE }, .exact = FILTER_FALLOCATE },
	{ .name = "fallocate", .args = { 3, FALLOC_FL_COLLAPSE_RANGE }, .exact = FILTER_FALLOCATE },
	{ .name = "fallocate", .args = { 3, FALLOC_FL_KEEP_SIZE }, .exact = FILTER_FALLOCATE },
	/* process_madvise(pidfd, iov, vlen, advice, flags): only PAGEOUT drops pages. */
	{ .name = "process_madvise", .args = { 3, 0, 1, MADV_PAGEOUT }, .exact = FILTER_PROCESS_MADVISE },
	{ .name = "process_madvise", .args = { 3, 0, 1, MADV_COLD } },
	{ .name = "process_madvise", .args = { 3, 0, 1, MADV_WILLNEED } },
	{ .name = "process_madvise", .args = { 3, 0, MADV_PAGEOUT, 0 } },
#if defined(__x86_64__)
	/* i386 (int 0x80): its own numbers, arguments as 32-bit values. */
	{ .abi = SCMP_ARCH_X86, .name = "madvise", .args = { [2] = MADV_DONTNEED },
	  .exact = FILTER_MADVISE },
	{ .abi = SCMP_ARCH_X86, .name = "madvise", .args = { [2] = MADV_FREE },
	  .exact = FILTER_MADVISE },
	{ .abi = SCMP_ARCH_X86, .name = "madvise", .args = { [2] = MADV_WILLNEED } },
	{ .abi = SCMP_ARCH_X86, .name = "mmap2", .args = { [3] = MAP_PRIVATE | MAP_FIXED },
	  .exact = FILTER_MMAP_FIXED },
	{ .abi = SCMP_ARCH_X86, .name = "mmap2", .args = { [3] = MAP_PRIVATE } },
	/*
	 * The old mmap(struct mmap_arg_struct *): its flags are in memory,
	 * where no filter reads; the rule reads the fourth register.  libc
	 * uses mmap2.
	 */
	{ .abi = SCMP_ARCH_X86, .name = "mmap", .args = { 0x8000000 } },
	{ .abi = SCMP_ARCH_X86, .name = "mmap", .args = { 0x8000000, [3] = MAP_FIXED },
	  .exact = FILTER_MMAP_FIXED },
	/* fallocate(fd, mode, offset_lo, offset_hi, len_lo, len_hi) */
	{ .abi = SCMP_ARCH_X86, .name = "fallocate", .args = { 3, 0, 0, 0, 4096 } },
	{ .abi = SCMP_ARCH_X86, .name = "fallocate",
	  .args = { 3, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE }, .exact = FILTER_FALLOCATE },
	{ .abi = SCMP_ARCH_X86, .name = "process_madvise", .args = { 3, 0, 1, MADV_PAGEOUT },
	  .exact = FILTER_PROCESS_MADVISE },
	{ .abi = SCMP_ARCH_X86, .name = "process_madvise", .args = { 3, 0, 1, MADV_COLD } },
	{ .abi = SCMP_ARCH_X86, .name = "getpid" },
	{ .abi = SCMP_ARCH_X86, .nr = 11, .normal = FILTER_EXECVE, .exact = FILTER_EXECVE },
	/* shmdt: its own number (Linux 5.1), and through ipc(SHMDT, ...). */
	{ .abi = SCMP_ARCH_X86, .nr = 398, .exact = FILTER_SHMDT },
	{ .abi = SCMP_ARCH_X86, .name = "ipc", .args = { IPC_SHMDT }, .exact = FILTER_SHMDT },
	/* 32-bit ABIs cut files with their 64-bit-offset calls. */
	{ .abi = SCMP_ARCH_X86, .name = "ftruncate64", .exact = FILTER_FTRUNCATE },
	{ .abi = SCMP_ARCH_X86, .name = "truncate64", .exact = FILTER_TRUNCATE },
	{ .abi = SCMP_ARCH_X86, .name = "ipc", .args = { IPC_SHMAT } },
	/* x32: x86_64's arguments, numbers with __X32_SYSCALL_BIT. */
	{ .abi = SCMP_ARCH_X32, .name = "madvise", .args = { [2] = MADV_DONTNEED },
	  .exact = FILTER_MADVISE },
	{ .abi = SCMP_ARCH_X32, .name = "madvise", .args = { [2] = MADV_WILLNEED } },
	{ .abi = SCMP_ARCH_X32, .name = "mmap", .args = { [3] = MAP_PRIVATE | MAP_FIXED },
	  .exact = FILTER_MMAP_FIXED },
	{ .abi = SCMP_ARCH_X32, .name = "mmap", .args = { [3] = MAP_PRIVATE } },
	{ .abi = SCMP_ARCH_X32, .name = "fallocate", .args = { 3, 0 } },
	{ .abi = SCMP_ARCH_X32, .name = "fallocate", .args = { 3, FALLOC_FL_PUNCH_HOLE },
	  .exact = FILTER_FALLOCATE },
	{ .abi = SCMP_ARCH_X32, .name = "process_madvise", .args = { 3, 0, 1, MADV_PAGEOUT },
	  .exact = FILTER_PROCESS_MADVISE },
	{ .abi = SCMP_ARCH_X32, .name = "process_madvise", .args = { 3, 0, 1, MADV_COLD } },
	{ .abi = SCMP_ARCH_X32, .name = "getpid" },
	/* The same number is another syscall, or none, under another ABI. */
	{ .abi = SCMP_ARCH_X86_64, .nr = 11, .exact = FILTER_MUNMAP },
	{ .abi = SCMP_ARCH_X86_64, .nr = 520 },	/* x32's execve without its bit */
	{ .abi = SCMP_ARCH_X86_64, .nr = X32_BIT | 39 },	/* x32 getpid */
	/* Other architectures: ALLOW, the bad-arch action. */
	{ .abi = SCMP_ARCH_AARCH64, .name = "exit_group" },
	{ .abi = SCMP_ARCH_AARCH64, .name = "execve" },
	{ .abi = SCMP_ARCH_ARM, .name = "execve" },
	/* libseccomp's x32 token is no arch the kernel reports. */
	{ .name = "execve", .arch = SCMP_ARCH_X32 },
#elif defined(__aarch64__)
	/* 32-bit arm: its own numbers, 32-bit arguments, mmap2 only. */
	{ .abi = SCMP_ARCH_ARM, .name = "madvise", .args = { [2] = MADV_DONTNEED },
	  .exact = FILTER_MADVISE },
	{ .abi = SCMP_ARCH_ARM, .name = "madvise", .args = { [2] = MADV_WILLNEED } },
	{ .abi = SCMP_ARCH_ARM, .name = "mmap2", .args = { [3] = MAP_PRIVATE | MAP_FIXED },
	  .exact = FILTER_MMAP_FIXED },
	{ .abi = SCMP_ARCH_ARM, .name = "mmap2", .args = { [3] = MAP_PRIVATE } },
	{ .abi = SCMP_ARCH_ARM, .name = "fallocate", .args = { 3, 0 } },
	{ .abi = SCMP_ARCH_ARM, .name = "fallocate", .args = { 3, FALLOC_FL_PUNCH_HOLE },
	  .exact = FILTER_FALLOCATE },
	{ .abi = SCMP_ARCH_ARM, .name = "process_madvise", .args = { 3, 0, 1, MADV_PAGEOUT },
	  .exact = FILTER_PROCESS_MADVISE },
	{ .abi = SCMP_ARCH_ARM, .name = "process_madvise", .args = { 3, 0, 1, MADV_COLD } },
	{ .abi = SCMP_ARCH_ARM, .name = "ftruncate64", .exact = FILTER_FTRUNCATE },
	{ .abi = SCMP_ARCH_ARM, .name = "truncate64", .exact = FILTER_TRUNCATE },
	{ .abi = SCMP_ARCH_ARM, .name = "getpid" },
	/* Other architectures: ALLOW, the bad-arch action. */
	{ .abi = SCMP_ARCH_X86_64, .name = "exit_group" },
	{ .abi = SCMP_ARCH_X86, .name = "execve" },
#elif defined(__s390x__)
	/* 31-bit s390: its own numbers, 32-bit arguments. */
	{ .abi = SCMP_ARCH_S390, .name = "madvise", .args = { [2] = MADV_DONTNEED },
	  .exact = FILTER_MADVISE },
	{ .abi = SCMP_ARCH_S390, .name = "madvise", .args = { [2] = MADV_WILLNEED } },
	{ .abi = SCMP_ARCH_S390, .name = "mmap2", .args = { 0x1000 }, .exact = FILTER_MMAP_FIXED },
	{ .abi = SCMP_ARCH_S390, .name = "mmap", .args = { 0x1000 }, .exact = FILTER_MMAP_FIXED },
	{ .abi = SCMP_ARCH_S390, .name = "fallocate", .args = { 3, 0 } },
	{ .abi = SCMP_ARCH_S390, .name = "fallocate", .args = { 3, FALLOC_FL_PUNCH_HOLE },
	  .exact = FILTER_FALLOCATE },
	{ .abi = SCMP_ARCH_S390, .name = "process_madvise", .args = { 3, 0, 1, MADV_PAGEOUT },
	  .exact = FILTER_PROCESS_MADVISE },
	{ .abi = SCMP_ARCH_S390, .name = "process_madvise", .args = { 3, 0, 1, MADV_COLD } },
	{ .abi = SCMP_ARCH_S390, .name = "ftruncate64", .exact = FILTER_FTRUNCATE },
	{ .abi = SCMP_ARCH_S390, .name = "truncate64", .exact = FILTER_TRUNCATE },
	{ .abi = SCMP_ARCH_S390, .name = "getpid" },
	/* Other architectures: ALLOW, the bad-arch action. */
	{ .abi = SCMP_ARCH_X86_64, .name = "exit_group" },
#endif
	{ .name = "exit_group", .arch = 0x12345678 },
	{ .name = "execve", .arch = 0x12345678 },
	{ .name = "munmap", .arch = 0x12345678 },
};
/* clang-format on */

static void run_rows(struct built *b)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		long nr = r->nr;
		char what[96];

		if (r->name) {
			nr = seccomp_syscall_resolve_name_arch(r->abi, r->name);
			cr_assert_geq(nr, 0, "row %zu: %s has no %s", i, abi_name(r->abi), r->name);
		}
		snprintf(what, sizeof(what), "row %zu, %s %s", i, abi_name(r->abi),
			 r->name ? r->name : "syscall");
		expect(b, what, r->arch ? r->arch : reported(r->abi), nr, r->args,
		       b->exact ? r->exact : r->normal);
	}
}

/*
 * shmdt where the ABI multiplexes it through ipc(2) (i386, s390, ppc64,
 * mips o32): ipc(SHMDT, ...) is a release stop, ipc's other calls are not,
 * and so is the number of its own that shmdt has since Linux 5.1, found as
 * filter.c finds it, in the multiplexer's block of 1000 numbers.
 */
static void run_multiplexed(struct built *b)
{
	static const uint64_t shmdt[6] = { IPC_SHMDT }, shmat[6] = { IPC_SHMAT };

	for (size_t a = 0; a < NABIS; a++) {
		uint32_t abi = abis[a].scmp;
		int ipc = seccomp_syscall_resolve_name_rewrite(abi, "shmdt"), base;
		enum filter_id want = b->exact ? FILTER_SHMDT : FILTER_NONE;
		char what[64];

		if (seccomp_syscall_resolve_name_arch(abi, "shmdt") >= 0 || ipc < 0)
			continue;
		snprintf(what, sizeof(what), "%s ipc(SHMDT)", abi_name(abi));
		expect(b, what, reported(abi), ipc, shmdt, want);
		snprintf(what, sizeof(what), "%s ipc(SHMAT)", abi_name(abi));
		expect(b, what, reported(abi), ipc, shmat, FILTER_NONE);
		base = ipc - ipc % 1000;
		for (int n = base; n < base + 1000; n++) {
			char *name = seccomp_syscall_resolve_num_arch(abi, n);

			snprintf(what, sizeof(what), "%s shmdt's own number %d", abi_name(abi), n);
			if (name && strcmp(name, "shmdt") == 0)
				expect(b, what, reported(abi), n, no_args, want);
			free(name);
		}
	}
}

static void run_all(bool exact, void (*run)(struct built *))
{
	struct built b;

	build(&b, exact);
	run(&b);
	unbuild(&b);
}

Test(filter_bpf, lifecycle_syscalls_on_every_arch)
{
	run_all(false, run_lifecycle);
	run_all(true, run_lifecycle);
}

Test(filter_bpf, births_stop_only_where_no_event_tells)
{
	run_all(false, run_births);
	run_all(true, run_births);
}

Test(filter_bpf, release_syscalls_only_with_exact)
{
	run_all(false, run_releases);
	run_all(true, run_releases);
}

Test(filter_bpf, multiplexed_shmdt)
{
	run_all(false, run_multiplexed);
	run_all(true, run_multiplexed);
}

Test(filter_bpf, table_of_calls)
{
	run_all(false, run_rows);
	run_all(true, run_rows);
}

/*
 * Every instruction of the program runs for some call of the tables above,
 * and every conditional jump goes both ways: each rule is matched by some
 * row (a rule added to filter.c without its rows fails here) and each
 * argument check is seen to pass and to fail.  The actions themselves are
 * the other tests' business.
 *
 * Jumps on the high word of an argument only have to run.  The checked
 * arguments are ints (advice, mode, flags) that libc passes with a zero high
 * word; the kernel drops that word, the filter compares all 64 bits, so a
 * call with a high bit set is judged on a value the kernel never sees.  No
 * row pretends that is right or wrong.
 */
Test(filter_bpf, tables_cover_every_branch)
{
	for (int exact = 0; exact <= 1; exact++) {
		const char *mode = exact ? "--exact" : "normal";
		struct built b;

		build(&b, exact);
		b.quiet = true;
		run_lifecycle(&b);
		run_births(&b);
		run_releases(&b);
		run_rows(&b);
		run_multiplexed(&b);
		for (size_t pc = 0; pc < b.prog.len; pc++) {
			const struct sock_filter *f = &b.prog.insns[pc];
			bool cond = BPF_CLASS(f->code) == BPF_JMP && BPF_OP(f->code) != BPF_JA;

			cr_expect(b.seen[pc] & RAN,
				  "%s filter: instruction %zu (0x%04x k 0x%x) never runs", mode, pc,
				  f->code, f->k);
			if (cond && f->jt != f->jf && !(b.seen[pc] & HIGH))
				cr_expect((b.seen[pc] & (JUMPED | FELL)) == (JUMPED | FELL),
					  "%s filter: jump %zu (0x%04x k 0x%x) only ever %s", mode,
					  pc, f->code, f->k,
					  b.seen[pc] & JUMPED ? "jumps" : "falls through");
		}
		unbuild(&b);
	}
}

/*
 * Stops the filter traces but filter_classify() does not know: the tracer
 * would take them for another filter's and not sample.  Skipped (and so
 * visible) while the gap lasts; passes once filter.c closes it.
 */
