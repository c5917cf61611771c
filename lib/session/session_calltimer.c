/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Each call's one-second timer (session_timer.c heap, TSC): the bandwidth
 * sample and the media-timeout check, one call at a time as its second comes
 * up instead of every call at once (docs/architecture.md, "Control-plane
 * cost").
 */
#include <errno.h>
#include <malloc.h>

#include <rte_common.h>

#include "session_priv.h"

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

/*
 * Called once a second: when the calls have fallen to half of their peak
 * since the last trim (a burst of deletes), give the C heap's free pages
 * back to the system (glibc malloc_trim()), so the gateway's resident memory
 * follows its calls down instead of staying at the high-water mark. Freed
 * call objects are otherwise kept and reused by the next calls.
 */
void
call_memory_trim(struct wrtc_session_mgr *mgr)
{
	if (mgr->n_calls > mgr->calls_peak)
		mgr->calls_peak = mgr->n_calls;
	if (mgr->calls_peak < 1024 || mgr->n_calls > mgr->calls_peak / 2)
		return;
	malloc_trim(0);
	mgr->calls_peak = mgr->n_calls;
}
