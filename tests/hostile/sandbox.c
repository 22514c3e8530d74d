/*
 * sandbox: run a program inside a seccomp filter of our own, to make the
 * hostile environments maxrss-sc must survive without changing the machine.
 *
 *	sandbox RULE... -- PROG [ARG]...
 *
 *	allow          a filter that allows everything: a process that already
 *	               has a filter (a container runtime, systemd, a browser)
 *	deny-ptrace    ptrace(2) fails with EPERM: Yama ptrace_scope 3, or a
 *	               container policy without ptrace
 *	nosys-ptrace   ptrace(2) fails with ENOSYS: a sandbox that does not
 *	               implement it (gVisor)
 *	deny-seccomp   seccomp(2) and prctl(PR_SET_SECCOMP) fail with EINVAL
 *	nosys-seccomp  seccomp(2) fails with ENOSYS and prctl(PR_SET_SECCOMP)
 *	               with EINVAL: a kernel built without seccomp filters
 *	full-seccomp   filters that use up the kernel's budget of instructions
 *	               (32768 for the filters of a task): no filter fits any more,
 *	               a new one fails with ENOMEM (a very large profile)
 *
 * The filter is inherited by PROG and everything it starts, and cannot be
 * removed.  Exit status 120 when the sandbox itself cannot be set up.
 */
#include <errno.h>
#include <stdbool.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SANDBOX_FAIL 120

static int add_rule(scmp_filter_ctx ctx, const char *rule)
{
	int nr_seccomp = seccomp_syscall_resolve_name("seccomp");
	int rc;

	if (strcmp(rule, "allow") == 0)
		return 0;
	if (strcmp(rule, "deny-ptrace") == 0)
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ptrace), 0);
	if (strcmp(rule, "nosys-ptrace") == 0)
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(ptrace), 0);
	if (strcmp(rule, "full-seccomp") == 0)
		return 0; /* after the rules: see fill_budget */
	if (strcmp(rule, "deny-seccomp") == 0 || strcmp(rule, "nosys-seccomp") == 0) {
		int err = rule[0] == 'n' ? ENOSYS : EINVAL;

		rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned)err), nr_seccomp, 0);
		if (rc)
			return rc;
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1,
					SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP));
	}
	fprintf(stderr, "sandbox: unknown rule '%s'\n", rule);
	return -EINVAL;
}

/*
 * Load filters that allow everything until not even one instruction more
 * fits: the largest first (BPF_MAXINSNS), then halves.  The kernel caches
 * "always allowed" per syscall for such filters: they cost nothing.
 */
static int fill_budget(void)
{
	static struct sock_filter insns[BPF_MAXINSNS];
	unsigned short n = BPF_MAXINSNS;
	int loaded = 0;

	for (unsigned i = 0; i < BPF_MAXINSNS; i++)
		insns[i] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
	while (n) {
		struct sock_fprog prog = { .len = n, .filter = insns };

		insns[n - 1] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0) {
			loaded++;
			continue;
		}
		if (errno != ENOMEM)
			return -errno;
		insns[n - 1] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
		n /= 2;
	}
	return loaded ? 0 : -ENOMEM;
}

int main(int argc, char **argv)
{
	bool fill = false;
	scmp_filter_ctx ctx;
	int i, rc;

	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		fprintf(stderr, "sandbox: seccomp_init failed\n");
		return SANDBOX_FAIL;
	}
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		fill |= strcmp(argv[i], "full-seccomp") == 0;
		rc = add_rule(ctx, argv[i]);
		if (rc) {
			fprintf(stderr, "sandbox: rule '%s': %s\n", argv[i], strerror(-rc));
			return SANDBOX_FAIL;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "usage: sandbox RULE... -- PROG [ARG]...\n");
		return SANDBOX_FAIL;
	}
	rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc) {
		fprintf(stderr, "sandbox: seccomp_load: %s\n", strerror(-rc));
		return SANDBOX_FAIL;
	}
	if (fill && (rc = fill_budget()) != 0) {
		fprintf(stderr, "sandbox: cannot fill the filters' budget: %s\n", strerror(-rc));
		return SANDBOX_FAIL;
	}
	execvp(argv[i + 1], &argv[i + 1]);
	fprintf(stderr, "sandbox: cannot run %s: %s\n", argv[i + 1], strerror(errno));
	return SANDBOX_FAIL;
}
