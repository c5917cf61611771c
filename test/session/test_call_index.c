/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call index (lib/session/session_index.c) on its own: 100,000 calls are
 * added, each is found by its id, ids never added are not found, half are
 * removed in an order unlike the insertion order, the other half are still
 * found and the table grew to keep its load factor at or under one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "session_priv.h"
#include "wrtc_test.h"

enum { N = 100000 };

static int
test_index(void)
{
	struct call_index ix;
	/* Anonymous pages, touched only where the index writes: not calloc(), which
	 * MALLOC_PERTURB_ (meson test) makes fill every byte of every call. */
	size_t size = (size_t)N * sizeof(struct wrtc_call);
	struct wrtc_call *calls = mmap(NULL, size, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char id[64];

	WRTC_CHECK(calls != MAP_FAILED);
	if (calls == MAP_FAILED)
		return -1;
	WRTC_CHECK_EQ(call_index_init(&ix), 0);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(calls[i].id, sizeof(calls[i].id), "call-%u@bench.example", i);
		call_index_add(&ix, &calls[i]);
	}
	WRTC_CHECK_EQ(ix.n, (size_t)N);
	WRTC_CHECK(ix.mask + 1 >= N);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "call-%u@bench.example", i);
		WRTC_CHECK(call_index_find(&ix, id) == &calls[i]);
	}
	WRTC_CHECK(call_index_find(&ix, "call-100000@bench.example") == NULL);
	WRTC_CHECK(call_index_find(&ix, "") == NULL);
	/* Remove every odd call, walking backwards by a stride prime to N. */
	for (unsigned int k = 0, i = 0; k < N; k++, i = (i + 7919) % N)
		if (i % 2 == 1)
			call_index_del(&ix, &calls[i]);
	WRTC_CHECK_EQ(ix.n, (size_t)N / 2);
	for (unsigned int i = 0; i < N; i++) {
		snprintf(id, sizeof(id), "call-%u@bench.example", i);
		WRTC_CHECK(call_index_find(&ix, id) == (i % 2 == 0 ? &calls[i] : NULL));
	}
	/* A removed call comes back (an id reused after its delete). */
	call_index_add(&ix, &calls[1]);
	WRTC_CHECK(call_index_find(&ix, "call-1@bench.example") == &calls[1]);
	call_index_fini(&ix);
	munmap(calls, size);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"index", test_index},
};

WRTC_TEST_MAIN(cases)
