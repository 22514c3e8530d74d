/*
 * Unit tests of filter: which stop is which syscall.  A seccomp stop is told
 * by the architecture and number the kernel reports (PTRACE_GET_SYSCALL_INFO),
 * never by the filter's data alone, which a filter of the command's own can
 * set.  Numbers come from libseccomp's tables, so the tests hold on every
 * architecture.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdlib.h>

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
	cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "clone3")), FILTER_CLONE3);
	if (seccomp_syscall_resolve_name_arch(arch, "fork") >= 0)
		cr_assert_eq(filter_classify(&cls, arch, nr_of(arch, "fork")), FILTER_FORK);
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
	cr_assert_eq(filter_classify(&cls, SCMP_ARCH_X86, 2), FILTER_FORK, "i386 fork");
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
