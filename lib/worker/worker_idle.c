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
 *
 * The sleep waits on the worker's eventfd: the control lcore, posting a
 * message to a sleeping worker (wrtc_worker_post(), wrtc_worker_ctrl_tx()),
 * writes it, so a call's set-up or removal does not wait for the sleep to
 * end. Lost wake-ups are excluded by the order of the two sides: the worker
 * sets `sleeping`, then looks at its rings; the control lcore enqueues, then
 * looks at `sleeping` (a full barrier between the store and the load on
 * each side).
 */
#include <poll.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>

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

/* Sleep up to @p us or until the control lcore writes wake_fd. */
static void
idle_wait(struct wrtc_lcore *w, uint32_t us)
{
	struct pollfd pfd = {.fd = w->wake_fd, .events = POLLIN};
	struct timespec ts = {.tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000};
	uint64_t v;

	__atomic_store_n(&w->sleeping, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rte_ring_count(w->ctrl) == 0 && rte_ring_count(w->ctrl_tx) == 0 &&
	    ppoll(&pfd, 1, &ts, NULL) > 0)
		/* Reset the counter for the next sleep. Only this thread reads
		 * it, so after ppoll() said readable the read cannot fail; its
		 * one failure, EAGAIN, would mean the counter is zero already. */
		(void)!read(w->wake_fd, &v, sizeof(v));
	__atomic_store_n(&w->sleeping, 0, __ATOMIC_RELAXED);
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
	if (w->wake_fd >= 0)
		idle_wait(w, w->idle_sleep_us);
	else
		rte_delay_us_sleep(w->idle_sleep_us);
	w->st.sleeps++;
	w->st.sleep_cycles += rte_rdtsc() - t0;
}
