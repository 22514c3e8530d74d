/*
 * seccomp-floor: run a command under a seccomp filter of maxrss-sc's shape,
 * with no tracer at all.  What it costs is the floor of any seccomp-assisted
 * tracer: every system call of a filtered task takes the kernel's syscall
 * slow path.
 *
 *	seccomp-floor [-m allow|log|bpf] COMMAND [ARG]...
 *
 * The filter is built as maxrss-sc builds its own (libseccomp, default ALLOW,
 * bad-arch ALLOW, the i386 and x32 arches, TRACE for exit, exit_group,
 * execve, execveat, clone, clone3, fork and vfork, no forced SSB
 * mitigation), exported as BPF, and then changed so that it can run without
 * a tracer, since a TRACE return with no tracer fails the syscall with
 * ENOSYS.  The modes:
 *
 *   allow  (default) every "return TRACE" becomes "return ALLOW".  Same
 *          program, same length.  The kernel (5.11 and later) finds every
 *          syscall constant-ALLOW and skips the program through its per-arch
 *          bitmap, as it does for all untrapped syscalls of the real filter;
 *          only the 8 trapped syscalls, which stop maxrss-sc anyway, skip a
 *          BPF run they would have had.
 *   log    the same rules with SECCOMP_RET_LOG: the 8 syscalls run the
 *          program and write an audit record each (kernel log noise).
 *   bpf    "allow" with one load of args[0] in front: the kernel's cache
 *          cannot prove anything of such a program, so the BPF program runs
 *          at every syscall.  Shows what the arch/nr-only rule of the design
 *          buys.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

#define MAX_INSNS 4096

enum mode { MODE_ALLOW, MODE_LOG, MODE_BPF };

static const char *const trapped[] = {
	"exit", "exit_group", "execve", "execveat", "clone", "clone3", "fork", "vfork",
};

static const uint32_t extra_arches[] = {
#if defined(__x86_64__)
	SCMP_ARCH_X86,
	SCMP_ARCH_X32,
#elif defined(__aarch64__)
	SCMP_ARCH_ARM,
#endif
};

static void usage(void)
{
	fputs("usage: seccomp-floor [-m allow|log|bpf] COMMAND [ARG]...\n", stderr);
	exit(125);
}

/* Build the filter as maxrss-sc does; log: RET_LOG instead of RET_TRACE. */
static int build(scmp_filter_ctx *out, bool log)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	int rc;

	if (!ctx)
		return -ENOMEM;
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (!rc)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1);
	for (size_t i = 0; !rc && i < sizeof(extra_arches) / sizeof(extra_arches[0]); i++) {
		rc = seccomp_arch_add(ctx, extra_arches[i]);
		if (rc == -EEXIST)
			rc = 0;
	}
	for (size_t i = 0; !rc && i < sizeof(trapped) / sizeof(trapped[0]); i++) {
		int nr = seccomp_syscall_resolve_name(trapped[i]);

		if (nr == __NR_SCMP_ERROR)
			continue;
		rc = seccomp_rule_add(ctx, log ? SCMP_ACT_LOG : SCMP_ACT_TRACE((uint16_t)(i + 1)),
				      nr, 0);
		if (rc == -EDOM || rc == -EOPNOTSUPP)
			rc = 0;
	}
	if (rc) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

/* libseccomp 2.5 exports BPF only to a file descriptor: go through a memfd. */
static int export(scmp_filter_ctx ctx, struct sock_filter *insns, size_t *n)
{
	int fd = (int)syscall(SYS_memfd_create, "seccomp-floor", 0);
	ssize_t got;
	int rc;

	if (fd < 0)
		return -errno;
	rc = seccomp_export_bpf(ctx, fd);
	if (!rc && lseek(fd, 0, SEEK_SET) < 0)
		rc = -errno;
	if (!rc) {
		got = read(fd, insns, MAX_INSNS * sizeof(*insns));
		if (got <= 0 || got % (ssize_t)sizeof(*insns))
			rc = -EINVAL;
		else
			*n = (size_t)got / sizeof(*insns);
	}
	close(fd);
	return rc;
}

static long install(const struct sock_fprog *fprog)
{
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, fprog);
}

/* As maxrss-sc: no_new_privs only when the kernel demands it (no CAP_SYS_ADMIN). */
static long load(const struct sock_fprog *fprog)
{
	if (install(fprog) == 0)
		return 0;
	if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) < 0)
		return -1;
	return install(fprog);
}

int main(int argc, char **argv)
{
	static struct sock_filter insns[MAX_INSNS + 1];
	struct sock_filter *prog = insns + 1;
	struct sock_fprog fprog;
	enum mode mode = MODE_ALLOW;
	scmp_filter_ctx ctx;
	size_t n = 0;
	int opt, rc;

	while ((opt = getopt(argc, argv, "+m:")) != -1) {
		if (opt != 'm')
			usage();
		if (!strcmp(optarg, "allow"))
			mode = MODE_ALLOW;
		else if (!strcmp(optarg, "log"))
			mode = MODE_LOG;
		else if (!strcmp(optarg, "bpf"))
			mode = MODE_BPF;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	rc = build(&ctx, mode == MODE_LOG);
	if (!rc)
		rc = export(ctx, prog, &n);
	if (rc) {
		fprintf(stderr, "seccomp-floor: cannot build the filter: %s\n", strerror(-rc));
		return 125;
	}
	seccomp_release(ctx);
	if (mode != MODE_LOG)
		for (size_t i = 0; i < n; i++)
			if (prog[i].code == (BPF_RET | BPF_K) &&
			    (prog[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)
				prog[i].k = SECCOMP_RET_ALLOW;
	if (mode == MODE_BPF) {
		/* Jumps are relative: a leading instruction moves none of them. */
		prog--;
		n++;
		prog[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						       offsetof(struct seccomp_data, args[0]));
	}
	fprog.len = (unsigned short)n;
	fprog.filter = prog;
	if (load(&fprog) < 0) {
		perror("seccomp-floor: seccomp(SECCOMP_SET_MODE_FILTER)");
		return 125;
	}
	execvp(argv[optind], argv + optind);
	fprintf(stderr, "seccomp-floor: cannot run '%s': %s\n", argv[optind], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
