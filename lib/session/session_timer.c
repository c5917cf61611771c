/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control-lcore timers: a binary min-heap of armed timers, each embedded in
 * the object it times (a call, a WebRTC leg). Arming, moving and disarming
 * cost O(log n); finding whether anything is due costs one comparison, so
 * the poll loop does no work for calls that have nothing due
 * (docs/architecture.md, "Control-plane cost").
 *
 * Two heaps use it: the WebRTC legs' ICE and DTLS deadlines (microseconds,
 * session_webrtc.c) and the calls' once-a-second sample and media-timeout
 * check (TSC, session_calltimer.c), spread over the second by when each call
 * was created instead of done for every call at once. This file needs no EAL
 * (test/session/test_call_index.c runs it alone).
 */
#include <errno.h>
#include <stdlib.h>


#include "session_priv.h"

static void
place(struct sess_timers *ts, struct sess_timer *t, uint32_t i)
{
	ts->h[i] = t;
	t->pos = i + 1;
}

static void
sift_up(struct sess_timers *ts, uint32_t i)
{
	struct sess_timer *t = ts->h[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (ts->h[p]->due <= t->due)
			break;
		place(ts, ts->h[p], i);
		i = p;
	}
	place(ts, t, i);
}

static void
sift_down(struct sess_timers *ts, uint32_t i)
{
	struct sess_timer *t = ts->h[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= ts->n)
			break;
		if (c + 1 < ts->n && ts->h[c + 1]->due < ts->h[c]->due)
			c++;
		if (t->due <= ts->h[c]->due)
			break;
		place(ts, ts->h[c], i);
		i = c;
	}
	place(ts, t, i);
}

int
sess_timer_arm(struct sess_timers *ts, struct sess_timer *t, uint64_t due)
{
	if (t->pos != 0) {
		uint64_t old = t->due;

		t->due = due;
		if (due < old)
			sift_up(ts, t->pos - 1);
		else
			sift_down(ts, t->pos - 1);
		return 0;
	}
	if (ts->n == ts->cap) {
		uint32_t cap = ts->cap != 0 ? ts->cap * 2 : 256;
		struct sess_timer **h = realloc(ts->h, (size_t)cap * sizeof(*h));

		if (h == NULL)
			return -ENOMEM;
		ts->h = h;
		ts->cap = cap;
	}
	t->due = due;
	ts->h[ts->n] = t;
	t->pos = ++ts->n;
	sift_up(ts, ts->n - 1);
	return 0;
}

void
sess_timer_disarm(struct sess_timers *ts, struct sess_timer *t)
{
	uint32_t i;
	struct sess_timer *last;

	if (t->pos == 0)
		return;
	i = t->pos - 1;
	t->pos = 0;
	last = ts->h[--ts->n];
	if (i == ts->n)
		return;
	place(ts, last, i);
	sift_down(ts, i);
	if (last->pos - 1 == i)
		sift_up(ts, i);
}

struct sess_timer *
sess_timer_expired(struct sess_timers *ts, uint64_t now)
{
	struct sess_timer *t;

	if (ts->n == 0 || ts->h[0]->due > now)
		return NULL;
	t = ts->h[0];
	sess_timer_disarm(ts, t);
	return t;
}

uint64_t
sess_timer_next(const struct sess_timers *ts)
{
	return ts->n != 0 ? ts->h[0]->due : UINT64_MAX;
}

void
sess_timers_fini(struct sess_timers *ts)
{
	free(ts->h);
	ts->h = NULL;
	ts->n = ts->cap = 0;
}
