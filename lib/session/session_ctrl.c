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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <openssl/rand.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pause.h>

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

int
sess_random(void *buf, size_t len)
{
	if (len > INT_MAX || RAND_bytes(buf, (int)len) != 1) {
		SESS_LOG(ERR, "no random bytes from the OpenSSL generator");
		return -EIO;
	}
	return 0;
}


/*
 * Control -> worker messages (docs/architecture.md, "Control messages").
 *
 * A message goes into the worker's control ring, or, while the ring (with the
 * replies not yet read) is full, into a per-worker backlog that ctrl_flush()
 * moves on in order as the worker catches up: a stalled worker delays
 * messages, it never loses them. RPCs that post many messages first ask
 * ctrl_reserve() for room and are refused with a retryable error instead of
 * being half applied.
 *
 * Messages come from one pool allocated with the manager, SESS_MSG_POOL_PER_WORKER
 * per worker (a full control ring and as many waiting behind it). The one
 * retry policy of every post: when the pool is empty, the replies of the
 * worker posted to are read (which frees their messages) and the allocation
 * is tried once more. A message that still finds no room is lost: the post
 * returns -ENOBUFS (every caller checks it), the call of its stream is marked
 * degraded and the loss counted (statistics ctrl_lost, query ctrl_lost).
 */
struct ctrl_item {
	STAILQ_ENTRY(ctrl_item) next;
	struct wrtc_worker_msg msg;
};

static unsigned int drain_worker(struct wrtc_session_mgr *mgr, uint16_t worker);

static struct ctrl_item *
pool_get(struct wrtc_session_mgr *mgr)
{
	struct ctrl_item *it = STAILQ_FIRST(&mgr->msg_free);

	if (it != NULL) {
		STAILQ_REMOVE_HEAD(&mgr->msg_free, next);
		return it;
	}
	/* Never used yet: taken in order, so creating the manager touches none. */
	if (mgr->msg_pool_used < mgr->msg_pool_size)
		return &mgr->msg_pool[mgr->msg_pool_used++];
	return NULL;
}

static struct wrtc_worker_msg *
msg_alloc(struct wrtc_session_mgr *mgr, uint16_t worker)
{
	struct ctrl_item *it = pool_get(mgr);

	if (it == NULL) {
		drain_worker(mgr, worker);
		it = pool_get(mgr);
	}
	if (it == NULL)
		return NULL;
	memset(it, 0, sizeof(*it));
	return &it->msg;
}

void
wrtc_session_test_pool_empty(struct wrtc_session_mgr *mgr, bool empty)
{
	struct ctrl_item *it;

	if (empty && mgr->msg_held_size == 0) {
		while ((it = STAILQ_FIRST(&mgr->msg_free)) != NULL) {
			STAILQ_REMOVE_HEAD(&mgr->msg_free, next);
			STAILQ_INSERT_HEAD(&mgr->msg_held, it, next);
		}
		mgr->msg_held_size = mgr->msg_pool_size;
		mgr->msg_pool_size = mgr->msg_pool_used;
	} else if (!empty && mgr->msg_held_size != 0) {
		while ((it = STAILQ_FIRST(&mgr->msg_held)) != NULL) {
			STAILQ_REMOVE_HEAD(&mgr->msg_held, next);
			STAILQ_INSERT_HEAD(&mgr->msg_free, it, next);
		}
		mgr->msg_pool_size = mgr->msg_held_size;
		mgr->msg_held_size = 0;
	}
}

static void
msg_free(struct wrtc_session_mgr *mgr, struct wrtc_worker_msg *msg)
{
	STAILQ_INSERT_HEAD(&mgr->msg_free, container_of(msg, struct ctrl_item, msg), next);
}

/* A message to a worker was lost: the call of @p s no longer matches its
 * worker's copy. */
static void mark_degraded(struct wrtc_session_mgr *mgr, const struct wrtc_stream *s,
			  const char *why);

static int
msg_lost(struct wrtc_session_mgr *mgr, const struct wrtc_stream *s)
{
	mgr->st.msgs_lost++;
	mark_degraded(mgr, s, "no room for a control message");
	return -ENOBUFS;
}

int
ctrl_init(struct wrtc_session_mgr *mgr)
{
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++)
		STAILQ_INIT(&mgr->ctrlq[w].backlog);
	STAILQ_INIT(&mgr->msg_free);
	STAILQ_INIT(&mgr->msg_held);
	mgr->msg_pool_size = (uint32_t)RTE_MAX(mgr->dp->nb_workers, 1) * SESS_MSG_POOL_PER_WORKER;
	mgr->msg_pool_used = 0;
	mgr->msg_pool = calloc(mgr->msg_pool_size, sizeof(*mgr->msg_pool));
	return mgr->msg_pool != NULL ? 0 : -ENOMEM;
}

/* Workers have stopped: messages still waiting, or never given back, are no
 * longer anyone's (the pool goes as a whole). */
void
ctrl_fini(struct wrtc_session_mgr *mgr)
{
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++) {
		STAILQ_INIT(&mgr->ctrlq[w].backlog);
		mgr->ctrlq[w].n_backlog = 0;
	}
	STAILQ_INIT(&mgr->msg_free);
	STAILQ_INIT(&mgr->msg_held);
	free(mgr->msg_pool);
	mgr->msg_pool = NULL;
	mgr->msg_pool_size = mgr->msg_pool_used = 0;
}


/* Messages in flight to @p w: not yet applied, or applied and not yet read.
 * The two counts are read while the worker may hold a burst between its
 * rings; room_for() keeps a burst's margin for that. */
static unsigned int
in_flight(const struct wrtc_lcore *w)
{
	return wrtc_worker_in_flight(w);
}

/* Can @p n more messages be in flight to @p w without the reply ring filling? */
static bool
room_for(const struct wrtc_lcore *w, unsigned int n)
{
	return in_flight(w) + n + WRTC_BURST <= wrtc_worker_msg_capacity(w);
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
	mgr->st.ctrl_lost++;
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
		if (!room_for(w, 1) || wrtc_worker_post(w, &it->msg) != 0)
			return;
		STAILQ_REMOVE_HEAD(&q->backlog, next);
		q->n_backlog--;
	}
}

/* Post @p msg (from msg_alloc(), filled but for its sequence number). */
static int
post_msg(struct wrtc_session_mgr *mgr, uint16_t worker, struct wrtc_worker_msg *msg)
{
	struct ctrl_queue *q = &mgr->ctrlq[worker];
	struct wrtc_lcore *w = mgr->dp->workers[worker];

	msg->flow.seq = ++mgr->msg_seq;
	q->last_seq = msg->flow.seq;
	mgr->st.msgs_posted++;
	if (q->n_backlog == 0 && room_for(w, 1) && wrtc_worker_post(w, msg) == 0)
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
	struct wrtc_worker_msg *msg = msg_alloc(mgr, worker);

	if (msg == NULL)
		return msg_lost(mgr, s);
	msg->type = WRTC_WORKER_MSG_FLOW;
	msg->flow.type = type;
	msg->flow.s = s;
	if (upd != NULL)
		msg->flow.upd = *upd;
	return post_msg(mgr, worker, msg);
}

int
ctrl_post_source(struct wrtc_session_mgr *mgr, uint16_t worker, const struct wrtc_stream *s,
		 bool add, uint8_t family, const uint8_t bytes[16], uint8_t cand_type)
{
	struct wrtc_worker_msg *msg = msg_alloc(mgr, worker);

	if (msg == NULL)
		return msg_lost(mgr, s);
	msg->flow.type = WRTC_FLOW_MSG_OWNER;
	msg->type = add ? WRTC_WORKER_MSG_SOURCE_ADD : WRTC_WORKER_MSG_SOURCE_DEL;
	msg->src.family = family;
	memcpy(msg->src.bytes, bytes, sizeof(msg->src.bytes));
	msg->src.cand_type = cand_type;
	return post_msg(mgr, worker, msg);
}

int
ctrl_post_policer_rate(struct wrtc_session_mgr *mgr, uint16_t worker, struct wrtc_policer *p,
		       const struct wrtc_policer_prm *prm)
{
	struct wrtc_worker_msg *msg = msg_alloc(mgr, worker);

	if (msg == NULL)
		return msg_lost(mgr, NULL);
	msg->flow.type = WRTC_FLOW_MSG_OWNER;
	msg->type = WRTC_WORKER_MSG_POLICER_RATE;
	msg->pol.p = p;
	msg->pol.bucket = prm->bucket;
	msg->pol.rate = prm->rate;
	msg->pol.priority_rate = prm->priority_rate;
	msg->pol.priority_bucket = prm->priority_bucket;
	msg->pol.pair_rate = prm->pair_rate;
	msg->pol.pair_bucket = prm->pair_bucket;
	return post_msg(mgr, worker, msg);
}

static unsigned int
drain_worker(struct wrtc_session_mgr *mgr, uint16_t worker)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	struct ctrl_queue *q = &mgr->ctrlq[worker];
	struct wrtc_worker_msg *msgs[REPLY_BURST];
	unsigned int n;

	n = wrtc_worker_replies_take(w, msgs, REPLY_BURST);
	for (unsigned int i = 0; i < n; i++) {
		struct wrtc_worker_msg *wm = msgs[i];
		struct wrtc_flow_msg *m = &wm->flow;

		/* A REMOVE of a stream whose INSTALL never reached the worker is
		 * harmless; anything else that failed leaves the worker's stream
		 * different from ours. */
		if (m->result != 0 && m->type == WRTC_FLOW_MSG_OWNER &&
		    (wm->type == WRTC_WORKER_MSG_SOURCE_ADD ||
		     wm->type == WRTC_WORKER_MSG_SOURCE_DEL)) {
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
		msg_free(mgr, wm);
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

/* How long ctrl_wait_seq() spins before it sleeps between looks, us. */
enum { CTRL_WAIT_SPIN_US = 10 };

int
ctrl_wait_seq(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t seq, uint64_t wait_us)
{
	uint64_t start = rte_rdtsc(), deadline = start + mgr->hz / 1000000 * wait_us;
	uint64_t spin_end = start + mgr->hz / 1000000 * CTRL_WAIT_SPIN_US;

	for (;;) {
		uint64_t now;

		drain_worker(mgr, worker);
		if (ctrl_done(mgr, worker, seq))
			return 0;
		now = rte_rdtsc();
		if (now >= deadline)
			return -ETIMEDOUT;
		/* Workers apply messages between bursts (microseconds; a sleeping
		 * worker is woken by the post): spin that long, then yield the CPU
		 * in case the worker shares it (labs, CI). */
		if (now < spin_end)
			rte_pause();
		else
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
	} else if (wrtc_worker_ctrl_tx(mgr->dp->workers[0], m) == 0) {
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
