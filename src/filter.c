#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
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

const char *filter_id_name(int id)
{
	for (size_t i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++)
		if ((int)trapped[i].id == id)
			return trapped[i].name;
	return "unknown";
}

bool filter_privileged(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0, 0, 0 } };

	if (syscall(SYS_capget, &hdr, data) != 0)
		return false;
	return (data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective & CAP_TO_MASK(CAP_SYS_ADMIN)) != 0;
}

int filter_build(scmp_filter_ctx *out, bool set_nnp)
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
	if (rc)
		goto fail;
	for (size_t i = 0; i < sizeof(extra_arches) / sizeof(extra_arches[0]); i++) {
		rc = seccomp_arch_add(ctx, extra_arches[i]);
		if (rc && rc != -EEXIST)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(trapped) / sizeof(trapped[0]); i++) {
		/*
		 * By name, not SCMP_SYS(): clone3 may be newer than the build's
		 * headers.  A syscall no arch has (fork on aarch64) resolves to a
		 * negative pseudo number; libseccomp then skips the arches that
		 * lack it, and refuses only when none has it.
		 */
		int nr = seccomp_syscall_resolve_name(trapped[i].name);

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(trapped[i].id), nr, 0);
		if (rc == -EDOM || rc == -EOPNOTSUPP)
			continue;
		if (rc)
			goto fail;
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return rc < 0 ? rc : -EINVAL;
}

int filter_load(scmp_filter_ctx ctx)
{
	return seccomp_load(ctx);
}

void filter_release(scmp_filter_ctx ctx)
{
	if (ctx)
		seccomp_release(ctx);
}
