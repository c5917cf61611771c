/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A small table-driven unit-test runner shared by every test/<lib>/ program.
 *
 * A test file defines functions `static int test_x(void)` that return 0 on
 * success, a table `static const struct wrtc_test_case cases[]`, and calls
 * wrtc_test_main(). WRTC_CHECK() records a failure with file and line and
 * lets the function go on; the function returns wrtc_test_result() at the end.
 */
#ifndef WRTC_TEST_H
#define WRTC_TEST_H

#include <stdio.h>
#include <string.h>
#include <stdbool.h>

struct wrtc_test_case {
	const char *name;       /**< Printed in the result line. */
	int (*fn)(void);        /**< Returns 0 on success. */
};

static int wrtc_test_failures;

static inline bool
wrtc_test_check(bool ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		fprintf(stderr, "  FAIL %s:%d: %s\n", file, line, expr);
		wrtc_test_failures++;
	}
	return ok;
}

/** Record a failure if @p c is false; evaluates to @p c. */
#define WRTC_CHECK(c) wrtc_test_check(!!(c), #c, __FILE__, __LINE__)
/** Compare two integers and print both on mismatch. */
#define WRTC_CHECK_EQ(a, b) \
	((long long)(a) == (long long)(b) ? true : \
	 (fprintf(stderr, "  FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, \
		  #a, #b, (long long)(a), (long long)(b)), wrtc_test_failures++, false))
/** Compare two C strings and print both on mismatch. */
#define WRTC_CHECK_STREQ(a, b) \
	(((a) != NULL && (b) != NULL && strcmp((a), (b)) == 0) ? true : \
	 (fprintf(stderr, "  FAIL %s:%d: %s == %s (\"%s\" != \"%s\")\n", __FILE__, __LINE__, \
		  #a, #b, (a) ? (a) : "(null)", (b) ? (b) : "(null)"), wrtc_test_failures++, false))

/** Runs every case, prints one line per case and a summary; returns the exit code. */
static inline int
wrtc_test_main(const struct wrtc_test_case *cases, unsigned int n)
{
	unsigned int passed = 0, failed = 0;

	for (unsigned int i = 0; i < n; i++) {
		int before = wrtc_test_failures;
		int rc = cases[i].fn();

		if (rc == 0 && wrtc_test_failures == before) {
			printf("ok   %s\n", cases[i].name);
			passed++;
		} else {
			printf("FAIL %s\n", cases[i].name);
			failed++;
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}

#define WRTC_TEST_MAIN(cases) \
	int main(void) { return wrtc_test_main(cases, sizeof(cases) / sizeof(cases[0])); }

#endif
