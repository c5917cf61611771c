/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adaptive polling (workers.idle = "adaptive", docs/configuration.md): a
 * worker whose loop iterations keep finding nothing to do (no packet on its
 * RX queues or rings, no control message) sleeps between them, the sleep
 * growing with the run of empty iterations up to idle_max_us; the first
 * iteration that finds work ends the run. A packet waits at most about
 * idle_max_us (plus the kernel's wake-up) in the RX ring: the queue must hold
 * that long a burst of traffic (rx_desc). The PMDs this gateway runs on in
 * labs (net_af_packet, net_ring) have no RX interrupts, so this is the
 * OVS pmd-sleep-max / VPP adaptive kind of back-off, not interrupt mode.
 */
#include <sys/prctl.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "wrtc_worker.h"

/* Empty iterations spun before the first sleep: a burst gap stays a spin. */
enum { IDLE_SPIN = 128 };

void
wrtc_worker_idle_init(struct wrtc_lcore *w)
{
	/* Sleeps of a few microseconds mean something only with a small timer
	 * slack (the default 50 us rounds every sleep up to it). */
	if (w->idle_max_us != 0)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
}

void
wrtc_worker_idle(struct wrtc_lcore *w, unsigned int moved)
{
	uint64_t t0;

	if (moved != 0 || w->idle_max_us == 0) {
		w->idle_run = 0;
		w->idle_sleep_us = 0;
		return;
	}
	if (++w->idle_run < IDLE_SPIN)
		return;
	w->idle_sleep_us = w->idle_sleep_us == 0 ? 1 :
			   RTE_MIN(w->idle_sleep_us * 2, w->idle_max_us);
	t0 = rte_rdtsc();
	rte_delay_us_sleep(w->idle_sleep_us);
	w->st.sleeps++;
	w->st.sleep_cycles += rte_rdtsc() - t0;
}
