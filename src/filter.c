#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "filter.h"

static const struct {
	const char *name;
	enum filter_id id;
} trapped[] = {
	{ "exit", FILTER_EXIT },
	{ "exit_group", FILTER_EXIT_GROUP },
	{ "execve", FILTER_EXECVE },
	{ "execveat", FILTER_EXECVEAT },
	{ "clone", FILTER_CLONE },
	{ "clone3", FILTER_CLONE3 },
	{ "fork", FILTER_FORK },
	{ "vfork", FILTER_VFORK },
};

/* --exact: syscalls that always may lower RSS, trapped on their number alone. */
static const struct {
	const char *name;
	enum filter_id id;
} released[] = {
	{ "munmap", FILTER_MUNMAP },
	{ "mremap", FILTER_MREMAP },
	{ "brk", FILTER_BRK },
	{ "shmdt", FILTER_SHMDT },
};

/* madvise advice values that drop pages from the RSS. */
static const int release_advice[] = {
	MADV_DONTNEED,
	MADV_REMOVE,
	MADV_FREE,
	MADV_PAGEOUT,
	24, /* MADV_DONTNEED_LOCKED (Linux 5.18), absent from older headers */
};

/*
 * The architectures a process of this tree can run as.  On x86_64 a 64-bit
 * program can still enter the kernel as i386 (int 0x80) or x32; a filter that
 * left them out would let their exits and execs pass unseen.
 */
static const uint32_t extra_arches[] = {
#if defined(__x86_64__)
	SCMP_ARCH_X86,
	SCMP_ARCH_X32,
#elif defined(__aarch64__)
	SCMP_ARCH_ARM,
#endif
};

#ifndef MADV_FREE
#define MADV_FREE 8
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

const char *filter_id_name(int id)
{
	for (size_t i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++)
		if ((int)trapped[i].id == id)
			return trapped[i].name;
	for (size_t i = 0; i < sizeof(released) / sizeof(released[0]); i++)
		if ((int)released[i].id == id)
			return released[i].name;
	if (id == FILTER_MADVISE)
		return "madvise";
	if (id == FILTER_MMAP_FIXED)
		return "mmap";
	return "unknown";
}

/*
 * Add TRACE(id) for the syscall called name, with up to one argument check.
 * A syscall that no arch of the filter has is skipped, not an error.
 */
static int add_rule(scmp_filter_ctx ctx, const char *name, enum filter_id id, unsigned nargs,
		    struct scmp_arg_cmp cmp)
{
	int nr = seccomp_syscall_resolve_name(name), rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	if (nargs)
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(id), nr, 1, cmp);
	else
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(id), nr, 0);
	/* -EDOM / -EOPNOTSUPP: not on this arch; "fork" on aarch64, say. */
	if (rc == -EDOM || rc == -EOPNOTSUPP)
		return 0;
	return rc;
}

/*
 * The --exact rules.  Argument checks keep the common growing calls (mmap
 * without MAP_FIXED, madvise hints) off the tracer; they cost those two
 * syscalls the kernel's always-allow cache, which is why this is opt-in.
 */
static int add_release_rules(scmp_filter_ctx ctx)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < sizeof(released) / sizeof(released[0]); i++)
		rc = add_rule(ctx, released[i].name, released[i].id, 0, SCMP_A0(SCMP_CMP_EQ, 0));
	for (size_t i = 0; !rc && i < sizeof(release_advice) / sizeof(release_advice[0]); i++)
		rc = add_rule(ctx, "madvise", FILTER_MADVISE, 1,
			      SCMP_A2(SCMP_CMP_EQ, (scmp_datum_t)release_advice[i]));
	/* mmap(addr, len, prot, flags, ...): MAP_FIXED replaces what was mapped. */
	if (!rc)
		rc = add_rule(ctx, "mmap", FILTER_MMAP_FIXED, 1,
			      SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_FIXED, MAP_FIXED));
	if (!rc)
		rc = add_rule(ctx, "mmap2", FILTER_MMAP_FIXED, 1,
			      SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_FIXED, MAP_FIXED));
	return rc;
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
	for (size_t i = 0; i < sizeof(extra_arches) / sizeof(extra_arches[0]); i++) {
		rc = seccomp_arch_add(ctx, extra_arches[i]);
		if (rc && rc != -EEXIST)
			goto fail;
	}
	/*
	 * By name, not SCMP_SYS(): clone3 may be newer than the build's
	 * headers.  A syscall some arch lacks (fork on aarch64) resolves to a
	 * negative pseudo number, which libseccomp skips on that arch.
	 */
	for (size_t i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++) {
		rc = add_rule(ctx, trapped[i].name, trapped[i].id, 0, SCMP_A0(SCMP_CMP_EQ, 0));
		if (rc)
			goto fail;
	}
	if (exact) {
		rc = add_release_rules(ctx);
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
