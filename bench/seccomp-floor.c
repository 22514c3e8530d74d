/*
 * seccomp-floor: run a command under a seccomp filter of maxrss-sc's shape,
 * with no tracer at all.  What it costs is the floor of any seccomp-assisted
 * tracer: every system call of a filtered task takes the kernel's syscall
 * slow path.
 *
 *	seccomp-floor [-m allow|log|bpf] COMMAND [ARG]...
 *
 * The filter is maxrss-sc's own, built and exported by its filter module
 * (src/filter.c: libseccomp, default ALLOW, bad-arch ALLOW, the i386 and x32
 * arches, TRACE for exit, exit_group, execve, execveat, clone, clone3, fork
 * and vfork, no forced SSB mitigation), then changed so that it can run
 * without a tracer, since a TRACE return with no tracer fails the syscall
 * with ENOSYS.  The modes:
 *
 *   allow  (default) every "return TRACE" becomes "return ALLOW".  Same
 *          program, same length.  The kernel (5.11 and later) finds every
 *          syscall constant-ALLOW and skips the program through its per-arch
 *          bitmap, as it does for all untrapped syscalls of the real filter;
 *          only the 8 trapped syscalls, which stop maxrss-sc anyway, skip a
 *          BPF run they would have had.
 *   log    every "return TRACE" becomes "return LOG": the 8 syscalls run
 *          the program and write an audit record each (kernel log noise).
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

#include "filter.h"

#ifndef SECCOMP_FILTER_FLAG_SPEC_ALLOW
#define SECCOMP_FILTER_FLAG_SPEC_ALLOW (1UL << 2)
#endif

enum mode { MODE_ALLOW, MODE_LOG, MODE_BPF };

static void usage(void)
{
	fputs("usage: seccomp-floor [-m allow|log|bpf] COMMAND [ARG]...\n", stderr);
	exit(125);
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
	struct filter_prog f = { 0 };
	struct sock_filter *prog;
	struct sock_fprog fprog;
	enum mode mode = MODE_ALLOW;
	scmp_filter_ctx ctx;
	size_t n;
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
	rc = filter_build(&ctx, false, false);
	if (!rc) {
		rc = filter_export(ctx, false, &f);
		filter_release(ctx);
	}
	/* One free slot in front, for the load of -m bpf. */
	prog = rc ? NULL : calloc((size_t)f.len + 1, sizeof(*prog));
	if (rc || !prog) {
		fprintf(stderr, "seccomp-floor: cannot build the filter: %s\n",
			strerror(rc ? -rc : ENOMEM));
		return 125;
	}
	n = f.len;
	memcpy(prog + 1, f.insns, n * sizeof(*prog));
	filter_prog_free(&f);
	for (size_t i = 1; i <= n; i++)
		if (prog[i].code == (BPF_RET | BPF_K) &&
		    (prog[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_TRACE)
			prog[i].k = mode == MODE_LOG ? SECCOMP_RET_LOG : SECCOMP_RET_ALLOW;
	if (mode == MODE_BPF) {
		/* Jumps are relative: a leading instruction moves none of them. */
		prog[0] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						       offsetof(struct seccomp_data, args[0]));
		n++;
	} else {
		prog++;
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
