/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's side of a worker (wrtc_worker.h, "Control lcore
 * API"): its rings and its policer slots. Runs on the control lcore only.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <rte_ring.h>

#include "wrtc_worker.h"

/* After an enqueue: end the worker's adaptive sleep if it is in one
 * (worker_idle.c explains the order). */
static void
wake(struct wrtc_lcore *w)
{
	uint64_t one = 1;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (w->wake_fd < 0 || __atomic_load_n(&w->sleeping, __ATOMIC_RELAXED) == 0)
		return;
	/* The one failure of a non-blocking eventfd write is EAGAIN, the
	 * counter being full: then it is readable already and the sleep ends
	 * anyway, so the result needs no action. */
	(void)!write(w->wake_fd, &one, sizeof(one));
}

int
wrtc_worker_post(struct wrtc_lcore *w, struct wrtc_worker_msg *m)
{
	if (rte_ring_enqueue(w->ctrl, &m->flow) != 0)
		return -ENOBUFS;
	wake(w);
	return 0;
}

unsigned int
wrtc_worker_in_flight(const struct wrtc_lcore *w)
{
	return rte_ring_count(w->ctrl) + rte_ring_count(w->reply);
}

unsigned int
wrtc_worker_msg_capacity(const struct wrtc_lcore *w)
{
	return rte_ring_get_capacity(w->reply);
}

unsigned int
wrtc_worker_replies_take(struct wrtc_lcore *w, struct wrtc_worker_msg **msgs, unsigned int max)
{
	struct wrtc_flow_msg *m[WRTC_BURST * 2];
	unsigned int n;

	if (max > RTE_DIM(m))
		max = RTE_DIM(m);
	n = rte_ring_dequeue_burst(w->reply, (void **)m, max, NULL);
	for (unsigned int i = 0; i < n; i++)
		msgs[i] = wrtc_worker_msg_of(m[i]);
	return n;
}

unsigned int
wrtc_worker_capture_take(struct wrtc_lcore *w, struct rte_mbuf **pkts, unsigned int max)
{
	return rte_ring_dequeue_burst(w->capture, (void **)pkts, max, NULL);
}

int
wrtc_worker_ctrl_tx(struct wrtc_lcore *w, struct rte_mbuf *m)
{
	if (rte_ring_enqueue(w->ctrl_tx, m) != 0)
		return -ENOBUFS;
	wake(w);
	return 0;
}

void
wrtc_worker_policer_install(struct wrtc_lcore *w, enum wrtc_worker_policer kind, int iface,
			    struct wrtc_policer *p)
{
	struct wrtc_policer **slot = NULL;

	switch (kind) {
	case WRTC_WORKER_POL_LINK:
		for (uint16_t f = 0; f < w->dp->nb_ifaces; f++)
			if ((iface < 0 || iface == f) && w->pol_link[f] == NULL)
				w->pol_link[f] = p;
		return;
	case WRTC_WORKER_POL_STUN:
		slot = &w->pol_stun;
		break;
	case WRTC_WORKER_POL_DTLS:
		slot = &w->pol_dtls;
		break;
	case WRTC_WORKER_POL_ARP:
		slot = &w->pol_arp;
		break;
	case WRTC_WORKER_POL_ND:
		slot = &w->pol_nd;
		break;
	case WRTC_WORKER_POL_ICMP:
		slot = &w->pol_icmp;
		break;
	}
	if (slot != NULL && *slot == NULL)
		*slot = p;
}

uint32_t
wrtc_worker_nb_streams(const struct wrtc_lcore *w)
{
	return __atomic_load_n(&w->flows->nb_streams, __ATOMIC_RELAXED);
}
