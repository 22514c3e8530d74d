/*
 * criterion.h for check-vm: the part of Criterion's API that the test
 * suite uses, on a small runner of our own (tests/vm/crit.c).
 *
 * Debian 12 builds Criterion for amd64, arm64 and i386 only; check-vm
 * compiles the same test sources for every architecture against this
 * header instead, and links them with the runner.  Each test runs in a
 * forked worker, as under Criterion: an assertion ends the worker (after
 * its .fini), cr_expect only marks it failed.  The runner prints TAP.
 *
 * Messages: the format must be a string literal, as everywhere in the
 * suite; an assertion without one prints the failed expression.
 */
#ifndef MAXRSS_VM_CRITERION_H
#define MAXRSS_VM_CRITERION_H

#include <stdbool.h>
#include <stddef.h>
/* What Criterion's own header brings in, and tests rely on. */
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* What Test() and TestSuite() may set, by name, as in Criterion. */
struct crit_test {
	const char *suite;
	const char *name;
	void (*test)(void);
	void (*init)(void);
	void (*fini)(void);
	double timeout; /* seconds; 0: the suite's, else none */
	int exit_code;	/* the worker's expected exit status */
	int signal;	/* the signal expected to end the worker */
	bool disabled;
	const char *description;
};

struct crit_suite {
	const char *name;
	void (*init)(void);
	void (*fini)(void);
	double timeout;
	bool disabled;
	const char *description;
};

void crit_register_test(const struct crit_test *t);
void crit_register_suite(const struct crit_suite *s);

/*
 * A failed check at file:line: crit_abort ends the test (an assertion),
 * crit_fail lets it go on (an expectation).  fmt always starts with one
 * space (see CRIT_MSG), which is dropped; expr is shown when fmt is empty.
 */
void crit_abort(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5), noreturn));
void crit_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void crit_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void crit_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* " " then the caller's message: never an empty format, which -Wformat flags. */
#define CRIT_MSG(...) " " __VA_ARGS__

#define Test(S, N, ...)                                                      \
	static void S##_##N##_test(void);                                    \
	static const struct crit_test S##_##N##_desc = {                     \
		.suite = #S, .name = #N, .test = S##_##N##_test, __VA_ARGS__ \
	};                                                                   \
	__attribute__((constructor)) static void S##_##N##_register(void)    \
	{                                                                    \
		crit_register_test(&S##_##N##_desc);                         \
	}                                                                    \
	static void S##_##N##_test(void)

#define TestSuite(S, ...)                                                            \
	static const struct crit_suite S##_suite_desc = { .name = #S, __VA_ARGS__ }; \
	__attribute__((constructor)) static void S##_suite_register(void)            \
	{                                                                            \
		crit_register_suite(&S##_suite_desc);                                \
	}

#define CRIT_CHECK(how, cond, expr, ...)                                      \
	do {                                                                  \
		if (!(cond))                                                  \
			how(__FILE__, __LINE__, expr, CRIT_MSG(__VA_ARGS__)); \
	} while (0)

#define CRIT_STR_EQ(how, a, b, ...)                                                   \
	do {                                                                          \
		const char *crit_a_ = (a), *crit_b_ = (b);                            \
		if (!crit_a_ || !crit_b_ || strcmp(crit_a_, crit_b_) != 0) {          \
			crit_log("  %s: \"%s\"", #a, crit_a_ ? crit_a_ : "(null)");   \
			crit_log("  %s: \"%s\"", #b, crit_b_ ? crit_b_ : "(null)");   \
			how(__FILE__, __LINE__, #a " == " #b, CRIT_MSG(__VA_ARGS__)); \
		}                                                                     \
	} while (0)

#define CRIT_STR_NEQ(how, a, b, ...)                                                  \
	do {                                                                          \
		const char *crit_a_ = (a), *crit_b_ = (b);                            \
		if (!crit_a_ || !crit_b_ || strcmp(crit_a_, crit_b_) == 0) {          \
			crit_log("  %s: \"%s\"", #a, crit_a_ ? crit_a_ : "(null)");   \
			crit_log("  %s: \"%s\"", #b, crit_b_ ? crit_b_ : "(null)");   \
			how(__FILE__, __LINE__, #a " != " #b, CRIT_MSG(__VA_ARGS__)); \
		}                                                                     \
	} while (0)

#define cr_assert(cond, ...) CRIT_CHECK(crit_abort, cond, #cond, __VA_ARGS__)
#define cr_assert_not(cond, ...) CRIT_CHECK(crit_abort, !(cond), "!(" #cond ")", __VA_ARGS__)
#define cr_assert_null(p, ...) CRIT_CHECK(crit_abort, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) CRIT_CHECK(crit_abort, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_assert_eq(a, b, ...) CRIT_CHECK(crit_abort, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) CRIT_CHECK(crit_abort, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) CRIT_CHECK(crit_abort, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) CRIT_CHECK(crit_abort, (a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) CRIT_CHECK(crit_abort, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) CRIT_CHECK(crit_abort, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_assert_float_eq(a, b, eps, ...) \
	CRIT_CHECK(crit_abort, (a) - (b) <= (eps) && (b) - (a) <= (eps), #a " ~= " #b, __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) CRIT_STR_EQ(crit_abort, a, b, __VA_ARGS__)
#define cr_assert_str_neq(a, b, ...) CRIT_STR_NEQ(crit_abort, a, b, __VA_ARGS__)
#define cr_assert_str_empty(s, ...) CRIT_STR_EQ(crit_abort, s, "", __VA_ARGS__)
#define cr_assert_fail(...) crit_abort(__FILE__, __LINE__, "failed", CRIT_MSG(__VA_ARGS__))

#define cr_expect(cond, ...) CRIT_CHECK(crit_fail, cond, #cond, __VA_ARGS__)
#define cr_expect_not(cond, ...) CRIT_CHECK(crit_fail, !(cond), "!(" #cond ")", __VA_ARGS__)
#define cr_expect_null(p, ...) CRIT_CHECK(crit_fail, (p) == NULL, #p " == NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) CRIT_CHECK(crit_fail, (p) != NULL, #p " != NULL", __VA_ARGS__)
#define cr_expect_eq(a, b, ...) CRIT_CHECK(crit_fail, (a) == (b), #a " == " #b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) CRIT_CHECK(crit_fail, (a) != (b), #a " != " #b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) CRIT_CHECK(crit_fail, (a) < (b), #a " < " #b, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) CRIT_CHECK(crit_fail, (a) <= (b), #a " <= " #b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) CRIT_CHECK(crit_fail, (a) > (b), #a " > " #b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) CRIT_CHECK(crit_fail, (a) >= (b), #a " >= " #b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) CRIT_STR_EQ(crit_fail, a, b, __VA_ARGS__)
#define cr_expect_str_neq(a, b, ...) CRIT_STR_NEQ(crit_fail, a, b, __VA_ARGS__)
#define cr_expect_str_empty(s, ...) CRIT_STR_EQ(crit_fail, s, "", __VA_ARGS__)

#define cr_skip_test(...) crit_skip(__VA_ARGS__)

#endif
