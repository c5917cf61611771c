/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The floor of lib/session: the control lcore's channel to the data plane.
 * Messages to workers and their replies (post, reserve, barrier, wait,
 * drain), transmission through the control TX queue (or worker 0 when the
 * port has none), neighbour resolution, and the clocks. Every other file of
 * the library calls into this one; it calls none of them
 * (docs/lib/session.rst, "Layers").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "session_priv.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_session_logtype, INFO);

enum { REPLY_BURST = 64 };

uint64_t
ctrl_now_ms(const struct wrtc_session_mgr *mgr)
{
	return rte_rdtsc() / (mgr->hz / 1000);
}

uint64_t
ctrl_now_us(const struct wrtc_session_mgr *mgr)
{
	return rte_rdtsc() / (mgr->hz / 1000000);
}


/*
 * Control -> worker messages (docs/architecture.md, "Control messages").
 *
 * A message goes into the worker's control ring, or, while the ring (with the
 * replies not yet read) is full, into a per-worker backlog that ctrl_flush()
 * moves on in order as the worker catches up: a stalled worker delays
 * messages, it never loses them. RPCs that post many messages first ask
 * ctrl_reserve() for room and are refused with a retryable error instead of
 * being half applied. The only message that can be lost is one that cannot
 * be allocated; its call is then marked degraded and counted.
 */
struct ctrl_item {
	STAILQ_ENTRY(ctrl_item) next;
	struct wrtc_flow_msg msg;
};

struct wrtc_flow_msg *
ctrl_msg_alloc(void)
{
	struct ctrl_item *it = calloc(1, sizeof(*it));

	return it != NULL ? &it->msg : NULL;
}

static void
msg_free(struct wrtc_flow_msg *msg)
{
	free(container_of(msg, struct ctrl_item, msg));
}

void
ctrl_init(struct wrtc_session_mgr *mgr)
{
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++)
		STAILQ_INIT(&mgr->ctrlq[w].backlog);
}

/* Workers have stopped: messages still waiting never reached them. */
void
ctrl_fini(struct wrtc_session_mgr *mgr)
{
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++) {
		struct ctrl_item *it;

		while ((it = STAILQ_FIRST(&mgr->ctrlq[w].backlog)) != NULL) {
			STAILQ_REMOVE_HEAD(&mgr->ctrlq[w].backlog, next);
			free(it);
		}
	}
}


/* Messages in flight to @p w: not yet applied, or applied and not yet read.
 * The two counts are read while the worker may hold a burst between its
 * rings; room_for() keeps a burst's margin for that. */
static unsigned int
in_flight(const struct wrtc_lcore *w)
{
	return rte_ring_count(w->ctrl) + rte_ring_count(w->reply);
}

/* Can @p n more messages be in flight to @p w without the reply ring filling? */
static bool
room_for(const struct wrtc_lcore *w, unsigned int n)
{
	return in_flight(w) + n + WRTC_BURST <= rte_ring_get_capacity(w->reply);
}

/* The call that owns stream @p s (its port pair is in the port map). */
struct wrtc_call *
call_owning_stream(struct wrtc_session_mgr *mgr, const struct wrtc_stream *s)
{
	struct leg_media *lm;

	if (s == NULL || s->iface >= WRTC_FLOW_MAX_IFACES || mgr->port_map[s->iface] == NULL)
		return NULL;
	lm = mgr->port_map[s->iface][s->local_port];
	return lm != NULL && (lm->rtp == s || lm->rtcp == s) ? lm->call : NULL;
}

/* The worker's copy of @p s no longer matches ours. */
static void
mark_degraded(struct wrtc_session_mgr *mgr, const struct wrtc_stream *s, const char *why)
{
	struct wrtc_call *call = call_owning_stream(mgr, s);

	/* A call being removed no longer has streams in the worker to agree with. */
	if (call == NULL || call->removing)
		return;
	if (call->lost_msgs++ == 0) {
		mgr->st.calls_degraded++;
		mgr->n_degraded++;
		CALL_LOG(ERR, call, "port %u: worker state diverged (%s): call degraded",
			 s->local_port, why);
	}
}

void
ctrl_flush(struct wrtc_session_mgr *mgr, uint16_t worker)
{
	struct ctrl_queue *q = &mgr->ctrlq[worker];
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	struct ctrl_item *it;

	while ((it = STAILQ_FIRST(&q->backlog)) != NULL) {
		if (!room_for(w, 1) || rte_ring_enqueue(w->ctrl, &it->msg) != 0)
			return;
		STAILQ_REMOVE_HEAD(&q->backlog, next);
		q->n_backlog--;
	}
}

/* Post @p msg (from ctrl_msg_alloc(), filled but for its sequence number). */
int
ctrl_post_msg(struct wrtc_session_mgr *mgr, uint16_t worker, struct wrtc_flow_msg *msg)
{
	struct ctrl_queue *q = &mgr->ctrlq[worker];
	struct wrtc_lcore *w = mgr->dp->workers[worker];

	msg->seq = ++mgr->msg_seq;
	q->last_seq = msg->seq;
	mgr->st.msgs_posted++;
	if (q->n_backlog == 0 && room_for(w, 1) && rte_ring_enqueue(w->ctrl, msg) == 0)
		return 0;
	STAILQ_INSERT_TAIL(&q->backlog, container_of(msg, struct ctrl_item, msg), next);
	q->n_backlog++;
	mgr->st.msgs_backlogged++;
	if (q->n_backlog == 1)
		SESS_LOG(WARNING, "worker %u is behind: control messages wait for ring room",
			 worker);
	return 0;
}

int
ctrl_post(struct wrtc_session_mgr *mgr, uint16_t worker, enum wrtc_flow_msg_type type,
	  struct wrtc_stream *s, const struct wrtc_flow_update *upd)
{
	struct wrtc_flow_msg *msg = ctrl_msg_alloc();

	if (msg == NULL) {
		mgr->st.msgs_lost++;
		mark_degraded(mgr, s, "out of memory for a control message");
		return -ENOMEM;
	}
	msg->type = type;
	msg->s = s;
	if (upd != NULL)
		msg->upd = *upd;
	return ctrl_post_msg(mgr, worker, msg);
}

int
ctrl_post_source(struct wrtc_session_mgr *mgr, uint16_t worker, bool add, uint8_t family,
		 const uint8_t bytes[16], uint8_t cand_type)
{
	struct wrtc_flow_msg *msg = ctrl_msg_alloc();

	if (msg == NULL) {
		mgr->st.msgs_lost++;
		return -ENOMEM;
	}
	msg->type = add ? WRTC_FLOW_MSG_SOURCE_ADD : WRTC_FLOW_MSG_SOURCE_DEL;
	msg->src.family = family;
	memcpy(msg->src.bytes, bytes, sizeof(msg->src.bytes));
	msg->src.cand_type = cand_type;
	return ctrl_post_msg(mgr, worker, msg);
}

static unsigned int
drain_worker(struct wrtc_session_mgr *mgr, uint16_t worker)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	struct ctrl_queue *q = &mgr->ctrlq[worker];
	struct wrtc_flow_msg *msgs[REPLY_BURST];
	unsigned int n;

	n = rte_ring_dequeue_burst(w->reply, (void **)msgs, REPLY_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct wrtc_flow_msg *m = msgs[i];

		/* A REMOVE of a stream whose INSTALL never reached the worker is
		 * harmless; anything else that failed leaves the worker's stream
		 * different from ours. */
		if (m->result != 0 && (m->type == WRTC_FLOW_MSG_SOURCE_ADD ||
				       m->type == WRTC_FLOW_MSG_SOURCE_DEL)) {
			/* A policer without a priority class (or with a full source
			 * table) takes no candidate: policing only, no stream state. */
			mgr->st.sources_rejected++;
		} else if (m->result != 0 && m->type != WRTC_FLOW_MSG_REMOVE) {
			mgr->st.msgs_failed++;
			SESS_LOG(WARNING, "worker %u: message %" PRIu64 " type %d failed: %s", w->id,
				 m->seq, m->type, strerror(-m->result));
			if (m->type == WRTC_FLOW_MSG_INSTALL || m->type == WRTC_FLOW_MSG_UPDATE)
				mark_degraded(mgr, m->s, "message failed in the worker");
		}
		if (m->seq > q->done_seq)
			q->done_seq = m->seq;
		msg_free(m);
	}
	if (q->n_backlog != 0)
		ctrl_flush(mgr, worker);
	return n;
}

unsigned int
ctrl_drain_replies(struct wrtc_session_mgr *mgr)
{
	unsigned int total = 0;

	for (uint16_t i = 0; i < mgr->dp->nb_workers; i++)
		total += drain_worker(mgr, i);
	return total;
}

/* Room for @p n more messages to @p worker, besides the headroom kept for
 * asynchronous ones (ICE, DTLS, timers)? -EAGAIN when the worker is behind. */
int
ctrl_reserve(struct wrtc_session_mgr *mgr, uint16_t worker, unsigned int n)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];

	drain_worker(mgr, worker);
	if (mgr->ctrlq[worker].n_backlog == 0 && room_for(w, n + SESS_CTRL_HEADROOM))
		return 0;
	mgr->st.busy_refused++;
	return -EAGAIN;
}

int
ctrl_barrier(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t *seq)
{
	int rc = ctrl_post(mgr, worker, WRTC_FLOW_MSG_BARRIER, NULL, NULL);

	if (rc == 0)
		*seq = mgr->msg_seq;
	return rc;
}

/* Has the worker applied every message up to @p seq? */
bool
ctrl_done(const struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t seq)
{
	return mgr->ctrlq[worker].done_seq >= seq;
}

int
ctrl_wait_seq(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t seq, uint64_t wait_us)
{
	uint64_t deadline = rte_rdtsc() + mgr->hz / 1000000 * wait_us;

	for (;;) {
		drain_worker(mgr, worker);
		if (ctrl_done(mgr, worker, seq))
			return 0;
		if (rte_rdtsc() >= deadline)
			return -ETIMEDOUT;
		/* Workers apply messages between bursts (microseconds); yield the
		 * CPU meanwhile in case the worker shares it (labs, CI). */
		rte_delay_us_sleep(20);
	}
}

/* Post a barrier and wait until the worker has applied everything before it. */
int
ctrl_wait(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t wait_us)
{
	uint64_t seq;
	int rc;

	rc = ctrl_barrier(mgr, worker, &seq);
	if (rc != 0)
		return rc;
	rc = ctrl_wait_seq(mgr, worker, seq, wait_us);
	if (rc != 0)
		SESS_LOG(WARNING, "worker %u did not apply messages within %" PRIu64 " ms", worker,
			 wait_us / 1000);
	return rc;
}

int
ctrl_send(struct wrtc_session_mgr *mgr, uint16_t iface, struct rte_mbuf *m)
{
	const struct wrtc_port *p = &mgr->dp->port[iface];

	m->port = p->port_id;
	if (p->ctrl_txq != WRTC_PORT_NO_TXQ) {
		if (rte_eth_tx_burst(p->port_id, p->ctrl_txq, &m, 1) == 1) {
			mgr->st.ctrl_tx++;
			return 0;
		}
	} else if (rte_ring_enqueue(mgr->dp->workers[0]->ctrl_tx, m) == 0) {
		mgr->st.ctrl_tx++;
		return 0;
	}
	mgr->st.ctrl_tx_dropped++;
	rte_pktmbuf_free(m);
	return -ENOBUFS;
}

int
ctrl_send_udp(struct wrtc_session_mgr *mgr, uint16_t iface, uint16_t local_port,
	      const struct wrtc_flow_ep *remote, const struct rte_ether_addr *mac,
	      const uint8_t *buf, size_t len)
{
	const struct wrtc_net_iface *ifc = &mgr->dp->ifc[iface];
	const struct wrtc_net_addr *local = remote->ip.family == AF_INET ? &ifc->ip4 : &ifc->ip6;
	struct wrtc_net_hdr_tmpl t;
	struct rte_ether_addr resolved;
	struct rte_mbuf *m;
	char *p;
	int rc;

	if (local->family == 0)
		return -EAFNOSUPPORT;
	if (mac == NULL) {
		rc = ctrl_resolve(mgr, iface, &remote->ip, &resolved);
		if (rc != 0)
			return rc;
		mac = &resolved;
	}
	rc = wrtc_net_hdr_tmpl_init(&t, ifc, local, local_port, &remote->ip, remote->port, mac);
	if (rc != 0)
		return rc;
	m = rte_pktmbuf_alloc(mgr->mp);
	if (m == NULL)
		return -ENOBUFS;
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL || len > UINT16_MAX) {
		rte_pktmbuf_free(m);
		return -EMSGSIZE;
	}
	memcpy(p, buf, len);
	rc = wrtc_net_udp_prepend(m, &t, ifc->tx_cksum_offload);
	if (rc != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return ctrl_send(mgr, iface, m);
}

int
ctrl_resolve(struct wrtc_session_mgr *mgr, uint16_t iface, const struct wrtc_net_addr *ip,
	     struct rte_ether_addr *mac)
{
	const struct wrtc_net_iface *ifc = &mgr->dp->ifc[iface];
	struct wrtc_net_addr nh;
	struct rte_mbuf *m;
	int rc;

	rc = wrtc_net_nexthop(ifc, ip, &nh);
	if (rc != 0)
		return rc;
	rc = wrtc_net_neigh_resolve(mgr->neigh[iface], &nh, ctrl_now_ms(mgr), mac);
	if (rc != -EAGAIN)
		return rc;
	m = wrtc_net_solicit(mgr->mp, ifc, &nh);
	if (m != NULL) {
		mgr->st.neigh_requests++;
		ctrl_send(mgr, iface, m);
	}
	return -EINPROGRESS;
}
