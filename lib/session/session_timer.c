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
 * check (TSC, below), spread over the second by when each call was created
 * instead of done for every call at once.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>

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

/* Arm @p call's one-second timer (sample and media-timeout check). */
void
call_timer_arm(struct wrtc_session_mgr *mgr, struct wrtc_call *call, uint64_t now)
{
	if (sess_timer_arm(&mgr->call_timers, &call->tmr, now + mgr->hz) != 0)
		/* No room to grow the heap: the call is still deleted by its client. */
		CALL_LOG(ERR, call, "out of memory for its timer: no media timeout");
}

/* The calls whose second is up: sample their counters and end those without
 * media for their timeout. @return the calls visited. */
unsigned int
call_timers_run(struct wrtc_session_mgr *mgr, uint64_t now, bool *pending)
{
	struct sess_timer *t;
	unsigned int n = 0;

	while ((t = sess_timer_expired(&mgr->call_timers, now)) != NULL) {
		struct wrtc_call *call = container_of(t, struct wrtc_call, tmr);
		uint64_t last = call_last_activity(call);
		uint32_t secs = call_timeout(mgr, call);
		uint64_t timeout = (uint64_t)secs * mgr->hz;

		n++;
		if (call->removing)
			continue;
		call_sample(mgr, call);
		/* A worker may have stamped a packet after @p now was read. */
		if (timeout != 0 && last < now && now - last > timeout) {
			json_t *final = NULL;

			CALL_LOG(NOTICE, call, "no media for %u s%s: call removed", secs,
				 call->on_hold ? " (on hold: control.hold_timeout)" : "");
			mgr->st.calls_timed_out++;
			call->end_reason = "media timeout";
			/* Never blocks here: REMOVEs and a barrier are posted, the call
			 * is freed by finish_removals() once the worker applied them. */
			if (call_destroy(mgr, call, &final, 0) == -EAGAIN)
				pending[call->worker] = true;
			json_decref(final);
			continue;
		}
		call_timer_arm(mgr, call, now);
	}
	return n;
}
