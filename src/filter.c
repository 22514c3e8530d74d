#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter.h"

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
/* Linux 5.18; absent from older headers. */
#define MADV_DONTNEED_LOCKED_ 24

/*
 * The argument check of a rule, if any: arg != value, or (arg & mask) ==
 * value.  The advice of madvise is compared on its low 32 bits only (mask
 * LOW32): the kernel reads it as an int, so (1 << 32) | MADV_DONTNEED
 * releases pages as MADV_DONTNEED does.
 */
enum arg_op { ARG_ANY, ARG_NE, ARG_MASKED };
#define LOW32 0xffffffffu

/*
 * s390 and s390x pass mmap's and mmap2's arguments in memory, as one pointer
 * to a struct, where no filter can read the flags: there every mmap stops
 * with --exact.
 */
#if defined(__s390x__)
#define MMAP_FLAGS_OP ARG_ANY
#else
#define MMAP_FLAGS_OP ARG_MASKED
#endif

/*
 * One rule of the filter: TRACE(id) for the syscall called name, where
 * argument arg passes the check.  The same table makes the filter and tells
 * the stops apart (filter_classes_init), so the two cannot disagree.
 */
struct rule {
	const char *name;
	enum filter_id id;
	bool exact; /* only with --exact */
	enum arg_op op;
	unsigned arg;
	scmp_datum_t mask;
	scmp_datum_t value;
};

#ifndef CLONE_VM
#define CLONE_VM 0x00000100
#endif
#ifndef CLONE_VFORK
#define CLONE_VFORK 0x00004000
#endif
#ifndef CLONE_PARENT
#define CLONE_PARENT 0x00008000
#endif
#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

/*
 * clone(2)'s flags: its second argument where the kernel has
 * CONFIG_CLONE_BACKWARDS2 (s390x and its 31-bit s390 ABI, the only pair a
 * filter of this build covers together), its first elsewhere.
 */
#if defined(__s390__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

/* clang-format off */
static const struct rule rules[] = {
	/* Every birth, exec and exit of the tree. */
	{ "exit", FILTER_EXIT, false, ARG_ANY, 0, 0, 0 },
	{ "exit_group", FILTER_EXIT_GROUP, false, ARG_ANY, 0, 0, 0 },
	{ "execve", FILTER_EXECVE, false, ARG_ANY, 0, 0, 0 },
	{ "execveat", FILTER_EXECVEAT, false, ARG_ANY, 0, 0, 0 },
	/*
	 * A birth is not trapped: its ptrace event stops the creator anyway,
	 * and the child's own first stop follows.  Where the event and the
	 * child's mm (kcmp) and thread group (tgkill) tell what the child is
	 * (a fork, a vfork, a thread), the tracer learns it there (fork, vfork,
	 * clone3, and clone with those flags).  Two clone shapes stop at their
	 * entry, to have their flags read before the child can be met: a
	 * CLONE_VM child that is neither a thread nor a vfork (it runs on its
	 * creator's memory while the creator runs on), and CLONE_PARENT (the
	 * child's parent is not its creator, and its first stop would name
	 * the wrong one).  clone3's flags are in memory, where no filter
	 * reads: see the man page's CAVEATS.
	 */
	{ "clone", FILTER_CLONE, false, ARG_MASKED, CLONE_FLAGS_ARG,
	  CLONE_VM | CLONE_VFORK | CLONE_THREAD, CLONE_VM },
	{ "clone", FILTER_CLONE, false, ARG_MASKED, CLONE_FLAGS_ARG, CLONE_PARENT, CLONE_PARENT },
	/*
	 * --exact: every syscall through which the RSS of a process can go
	 * down.  Argument checks keep the common growing calls (mmap without
	 * MAP_FIXED, madvise hints, fallocate of new blocks) off the tracer;
	 * they cost those syscalls the kernel's always-allow cache, which is
	 * why this is opt-in.
	 */
	{ "munmap", FILTER_MUNMAP, true, ARG_ANY, 0, 0, 0 },
	{ "mremap", FILTER_MREMAP, true, ARG_ANY, 0, 0, 0 },
	{ "brk", FILTER_BRK, true, ARG_ANY, 0, 0, 0 },
	{ "shmdt", FILTER_SHMDT, true, ARG_ANY, 0, 0, 0 },
	{ "remap_file_pages", FILTER_REMAP_FILE_PAGES, true, ARG_ANY, 0, 0, 0 },
	/* A mapped file cut short or punched loses its pages in every mapping. */
	{ "ftruncate", FILTER_FTRUNCATE, true, ARG_ANY, 0, 0, 0 },
	{ "ftruncate64", FILTER_FTRUNCATE, true, ARG_ANY, 0, 0, 0 }, /* 32-bit ABIs */
	{ "truncate", FILTER_TRUNCATE, true, ARG_ANY, 0, 0, 0 },
	{ "truncate64", FILTER_TRUNCATE, true, ARG_ANY, 0, 0, 0 },
	{ "fallocate", FILTER_FALLOCATE, true, ARG_NE, 1, 0, 0 },
	/* madvise(addr, len, advice): the advice values that drop pages. */
	{ "madvise", FILTER_MADVISE, true, ARG_MASKED, 2, LOW32, MADV_DONTNEED },
	{ "madvise", FILTER_MADVISE, true, ARG_MASKED, 2, LOW32, MADV_REMOVE },
	{ "madvise", FILTER_MADVISE, true, ARG_MASKED, 2, LOW32, MADV_FREE },
	{ "madvise", FILTER_MADVISE, true, ARG_MASKED, 2, LOW32, MADV_PAGEOUT },
	{ "madvise", FILTER_MADVISE, true, ARG_MASKED, 2, LOW32, MADV_DONTNEED_LOCKED_ },
	/* process_madvise(pidfd, iov, vlen, advice, flags): another process's pages. */
	{ "process_madvise", FILTER_PROCESS_MADVISE, true, ARG_MASKED, 3, LOW32, MADV_PAGEOUT },
	/* mmap(addr, len, prot, flags, ...): MAP_FIXED replaces what was mapped. */
	{ "mmap", FILTER_MMAP_FIXED, true, MMAP_FLAGS_OP, 3, MAP_FIXED, MAP_FIXED },
	{ "mmap2", FILTER_MMAP_FIXED, true, MMAP_FLAGS_OP, 3, MAP_FIXED, MAP_FIXED },
	/* io_uring's madvise and fallocate never pass through seccomp. */
	{ "io_uring_setup", FILTER_IO_URING_SETUP, true, ARG_ANY, 0, 0, 0 },
};
/* clang-format on */

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/*
 * Where a multiplexed syscall's own number is looked for: the block of 1000
 * that holds the multiplexer's number (MIPS numbers o32 from 4000, n64 from
 * 5000, n32 from 6000; the others from 0), up to the largest numbers there
 * (~460 today).
 */
#define NR_BLOCK 1000

/*
 * The architectures a process of this tree can run as, beside the native
 * one: the compat ABIs a 64-bit kernel runs.  On x86_64 a 64-bit program
 * can still enter the kernel as i386 (int 0x80) or x32; a filter that left
 * them out would let their exits and execs pass unseen.  arm64 runs 32-bit
 * arm programs, s390x 31-bit s390 ones, and a mips64el kernel the n32 and
 * o32 ABIs.  ppc64el kernels run no 32-bit programs; 32-bit hosts have none.
 */
static const uint32_t extra_arches[] = {
#if defined(__x86_64__)
	SCMP_ARCH_X86, SCMP_ARCH_X32,
#elif defined(__aarch64__)
	SCMP_ARCH_ARM,
#elif defined(__s390x__)
	SCMP_ARCH_S390,
#elif defined(__mips__) && defined(__MIPSEL__) && _MIPS_SIM == _ABI64
	SCMP_ARCH_MIPSEL64N32, SCMP_ARCH_MIPSEL,
#endif
	0 /* the end: never empty, so no always-false loop test where there is none */
};

/*
 * Add TRACE(id) for one rule.  A syscall that no arch of the filter has is
 * skipped, not an error.
 */
static int add_rule(scmp_filter_ctx ctx, const struct rule *r)
{
	int nr = seccomp_syscall_resolve_name(r->name), rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	switch (r->op) {
	case ARG_NE:
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(r->id), nr, 1,
				      SCMP_CMP(r->arg, SCMP_CMP_NE, r->value));
		break;
	case ARG_MASKED:
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(r->id), nr, 1,
				      SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, r->mask, r->value));
		break;
	default:
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(r->id), nr, 0);
		break;
	}
	/* -EDOM / -EOPNOTSUPP: not on this arch; "fork" on aarch64, say. */
	if (rc == -EDOM || rc == -EOPNOTSUPP)
		return 0;
	return rc;
}

/* What the kernel reports as the arch of a syscall made through arch. */
static uint32_t reported_arch(uint32_t arch)
{
#ifdef SCMP_ARCH_X32
	/* x32 syscalls are x86_64 ones with __X32_SYSCALL_BIT in the number. */
	if (arch == SCMP_ARCH_X32)
		return SCMP_ARCH_X86_64;
#endif
	return arch;
}

static int add_class(struct filter_classes *cls, uint32_t arch, int nr, enum filter_id id)
{
	for (size_t i = 0; i < cls->n; i++)
		if (cls->c[i].arch == arch && cls->c[i].nr == nr)
			return 0; /* madvise: one class for its several rules */
	if (cls->n == FILTER_MAX_CLASSES)
		return -E2BIG;
	cls->c[cls->n].arch = arch;
	cls->c[cls->n].nr = nr;
	cls->c[cls->n].id = id;
	cls->n++;
	return 0;
}

/*
 * The numbers through which rule r's syscall enters the kernel on arch.
 * Most have one.  A negative one is a pseudo number: the syscall is not on
 * that arch, or is multiplexed there (i386 shmdt goes through ipc(2), and
 * since Linux 5.1 also has a number of its own), and libseccomp traces it
 * through both: the multiplexer's number, and the number whose name it is.
 */
static int add_rule_classes(struct filter_classes *cls, uint32_t arch, const struct rule *r)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, r->name), base, rc;

	if (nr >= 0)
		return add_class(cls, reported_arch(arch), nr, r->id);
	nr = seccomp_syscall_resolve_name_rewrite(arch, r->name);
	if (nr < 0)
		return 0; /* not on this arch */
	rc = add_class(cls, reported_arch(arch), nr, r->id);
	base = nr - nr % NR_BLOCK;
	for (int n = base; !rc && n < base + NR_BLOCK; n++) {
		char *name = seccomp_syscall_resolve_num_arch(arch, n);

		if (name && strcmp(name, r->name) == 0)
			rc = add_class(cls, reported_arch(arch), n, r->id);
		free(name);
	}
	return rc;
}

int filter_classes_init(struct filter_classes *cls, bool exact)
{
	int rc = 0;

	cls->n = 0;
	/* The native arch first, then the extra ones up to their 0. */
	for (const uint32_t *a = NULL; !rc; a = a ? a + 1 : extra_arches) {
		uint32_t arch = a ? *a : seccomp_arch_native();

		if (!arch)
			break;
		for (size_t i = 0; i < NRULES && !rc; i++)
			if (!rules[i].exact || exact)
				rc = add_rule_classes(cls, arch, &rules[i]);
	}
	return rc;
}

enum filter_id filter_classify(const struct filter_classes *cls, uint32_t arch, long nr)
{
	for (size_t i = 0; i < cls->n; i++)
		if (cls->c[i].nr == nr && cls->c[i].arch == arch)
			return cls->c[i].id;
	return FILTER_NONE;
}

unsigned filter_clone_flags_arg(uint32_t arch)
{
	/* The kernel's CONFIG_CLONE_BACKWARDS2: clone(stack, flags, ...). */
	return arch == SCMP_ARCH_S390X || arch == SCMP_ARCH_S390 ? 1 : 0;
}

bool filter_privileged(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0, 0, 0 } };

	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

int filter_build(scmp_filter_ctx *out, bool set_nnp, bool exact)
{
	scmp_filter_ctx ctx;
	int rc;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	/*
	 * The filter outlives every exec of the tree: an unknown arch must be
	 * allowed, not killed.  Arches go in before the rules, because
	 * libseccomp does not copy earlier rules to arches added later.
	 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (rc)
		goto fail;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, set_nnp ? 1 : 0);
	if (rc)
		goto fail;
	/*
	 * Without this, kernels before 5.16 force speculative-store-bypass
	 * and STIBP mitigations on every filtered task: the measured program
	 * would run slower than it does alone.
	 */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	/*
	 * EOPNOTSUPP: no SPEC_ALLOW before Linux 4.17 (and no forced
	 * mitigation either), or libseccomp cannot probe seccomp(2) at all
	 * (valgrind does not know that system call).
	 */
	if (rc && rc != -EOPNOTSUPP)
		goto fail;
	for (const uint32_t *a = extra_arches; *a; a++) {
		rc = seccomp_arch_add(ctx, *a);
		if (rc && rc != -EEXIST)
			goto fail;
	}
	/*
	 * By name, not SCMP_SYS(): clone3 may be newer than the build's
	 * headers.  A syscall some arch lacks (fork on aarch64) resolves to a
	 * negative pseudo number, which libseccomp skips on that arch.
	 */
	for (size_t i = 0; i < NRULES; i++) {
		if (rules[i].exact && !exact)
			continue;
		rc = add_rule(ctx, &rules[i]);
		if (rc)
			goto fail;
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return rc < 0 ? rc : -EINVAL;
}

/* A filter of this shape is a few hundred instructions; the kernel takes 4096. */
#define MAX_INSNS 4096

int filter_export(scmp_filter_ctx ctx, bool set_nnp, struct filter_prog *out)
{
	/* libseccomp 2.5 exports only to a file descriptor. */
	int fd = (int)syscall(SYS_memfd_create, "maxrss-sc-filter", MFD_CLOEXEC);
	struct sock_filter *insns = NULL;
	off_t size;
	int rc;

	out->insns = NULL;
	out->len = 0;
	out->set_nnp = set_nnp;
	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (rc)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(*insns) ||
	    size > (off_t)(MAX_INSNS * sizeof(*insns))) {
		rc = size < 0 ? -errno : -E2BIG;
		goto out;
	}
	insns = malloc((size_t)size);
	if (!insns) {
		rc = -ENOMEM;
		goto out;
	}
	if (pread(fd, insns, (size_t)size, 0) != (ssize_t)size) {
		rc = -EIO;
		goto out;
	}
	out->insns = insns;
	out->len = (unsigned short)((size_t)size / sizeof(*insns));
	insns = NULL;
out:
	free(insns);
	close(fd);
	return rc;
}

void filter_prog_free(struct filter_prog *prog)
{
	free(prog->insns);
	prog->insns = NULL;
	prog->len = 0;
}

void filter_release(scmp_filter_ctx ctx)
{
	if (ctx)
		seccomp_release(ctx);
}
