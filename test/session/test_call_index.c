/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call index (lib/session/session_index.c) and the timer heap
 * (session_timer.c) on their own, without EAL.
 *
 * - index: 100,000 calls are added, each is found by its id, ids never added
 *   are not found, half are removed in an order unlike the insertion order,
 *   the other half are still found and the table grew to keep its load
 *   factor at or under one;
 * - timers: 20,000 timers armed, moved earlier and later and disarmed at
 *   random against a plain array as the reference; expiry pops exactly the
 *   timers due, earliest first, at every step of a clock run.
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

enum { NT = 20000 };

/* xorshift: the same sequence every run. */
static uint64_t
rnd(void)
{
	static uint64_t x = 88172645463325252ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

static int
test_timers(void)
{
	static struct sess_timer t[NT];
	static uint64_t ref[NT];     /* due time, or UINT64_MAX: not armed */
	struct sess_timers ts = {0};
	uint64_t now = 0;
	unsigned int armed = 0, bad_order = 0, missed = 0, early = 0;

	for (unsigned int i = 0; i < NT; i++)
		ref[i] = UINT64_MAX;
	for (unsigned int step = 0; step < 200; step++) {
		/* Random arm / re-arm / disarm of a fifth of the timers. */
		for (unsigned int k = 0; k < NT / 5; k++) {
			unsigned int i = (unsigned int)(rnd() % NT);

			if (rnd() % 4 == 0) {
				sess_timer_disarm(&ts, &t[i]);
				armed -= ref[i] != UINT64_MAX;
				ref[i] = UINT64_MAX;
			} else {
				uint64_t due = now + rnd() % 100000;

				WRTC_CHECK_EQ(sess_timer_arm(&ts, &t[i], due), 0);
				armed += ref[i] == UINT64_MAX;
				ref[i] = due;
			}
		}
		WRTC_CHECK_EQ(ts.n, armed);
		now += 500;
		/* Pop what is due: earliest first, every due one, none early. */
		{
			uint64_t last = 0;
			struct sess_timer *x;

			WRTC_CHECK(sess_timer_next(&ts) == UINT64_MAX || ts.n != 0);
			while ((x = sess_timer_expired(&ts, now)) != NULL) {
				unsigned int i = (unsigned int)(x - t);

				bad_order += x->due < last;
				early += ref[i] > now;
				last = x->due;
				WRTC_CHECK_EQ(x->pos, 0);
				ref[i] = UINT64_MAX;
				armed--;
			}
			for (unsigned int i = 0; i < NT; i++)
				missed += ref[i] <= now;
			WRTC_CHECK(sess_timer_next(&ts) > now);
		}
	}
	WRTC_CHECK_EQ(bad_order, 0);
	WRTC_CHECK_EQ(early, 0);
	WRTC_CHECK_EQ(missed, 0);
	/* Drain: everything left comes out in order. */
	{
		uint64_t last = 0;
		struct sess_timer *x;
		unsigned int n = 0;

		while ((x = sess_timer_expired(&ts, UINT64_MAX - 1)) != NULL) {
			WRTC_CHECK(x->due >= last);
			last = x->due;
			n++;
		}
		WRTC_CHECK_EQ(n, armed);
		WRTC_CHECK_EQ(ts.n, 0);
	}
	sess_timers_fini(&ts);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"index", test_index},
	{"timer heap", test_timers},
};

WRTC_TEST_MAIN(cases)
