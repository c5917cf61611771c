/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's side of the data plane: messages to workers and their
 * replies, slow-path packets punted by workers (ARP, ND, ICMP echo; STUN and
 * DTLS are counted until their agents are wired), neighbour resolution,
 * transmission through the control TX queue (or worker 0 when the port has
 * none), and the one-second timers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "session_priv.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_session_logtype, INFO);

enum { PUNT_BURST = 32, REPLY_BURST = 64 };

uint64_t
ctrl_now_ms(const struct wrtc_session_mgr *mgr)
{
	return rte_rdtsc() / (mgr->hz / 1000);
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

static void
retry_all_routes(struct wrtc_session_mgr *mgr)
{
	struct call_list todo = TAILQ_HEAD_INITIALIZER(todo);
	struct wrtc_call *call;

	/* Only the calls waiting for a neighbour; one still waiting goes back
	 * on mgr->routing through call_retry_routes(). */
	TAILQ_CONCAT(&todo, &mgr->routing, route_next);
	TAILQ_FOREACH(call, &todo, route_next)
		call->in_routing = false;
	while ((call = TAILQ_FIRST(&todo)) != NULL) {
		TAILQ_REMOVE(&todo, call, route_next);
		if (call->need_route && !call->removing)
			call_retry_routes(mgr, call);
	}
}

static unsigned int
handle_punts(struct wrtc_session_mgr *mgr, struct wrtc_lcore *w)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned int n;
	bool learned = false;

	n = wrtc_worker_punt_take(w, pkts, PUNT_BURST);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int16_t iface = mgr->dp->iface_of_port[m->port];
		const struct wrtc_net_iface *ifc;
		bool reply = false;
		int rc;

		if (iface < 0) {
			mgr->st.punt_dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		ifc = &mgr->dp->ifc[iface];
		switch (wrtc_punt_kind(m)) {
		case WRTC_PUNT_ARP:
			mgr->st.punt_arp++;
			rc = wrtc_net_arp_input(ifc, m, mgr->neigh[iface], ctrl_now_ms(mgr), &reply);
			learned |= rc > 0;
			break;
		case WRTC_PUNT_ND:
			mgr->st.punt_nd++;
			rc = wrtc_net_nd_input(ifc, m, mgr->neigh[iface], ctrl_now_ms(mgr), &reply);
			learned |= rc > 0;
			break;
		case WRTC_PUNT_ICMP:
			mgr->st.punt_icmp++;
			reply = wrtc_net_icmp_echo_reply(ifc, m) == 0;
			break;
		case WRTC_PUNT_STUN:
			mgr->st.punt_stun++;
			webrtc_punt(mgr, m, WRTC_PUNT_STUN);
			break;
		case WRTC_PUNT_DTLS:
			mgr->st.punt_dtls++;
			webrtc_punt(mgr, m, WRTC_PUNT_DTLS);
			break;
		default:
			mgr->st.punt_dropped++;
			break;
		}
		if (reply)
			ctrl_send(mgr, (uint16_t)iface, m);
		else
			rte_pktmbuf_free(m);
	}
	if (learned)
		retry_all_routes(mgr);
	return n;
}

/* Free the calls whose REMOVEs the workers have applied meanwhile. */
static void
finish_removals(struct wrtc_session_mgr *mgr)
{
	struct wrtc_call *call, *tmp;

	/* Only the calls being removed (mgr->removing), never every call. */
	for (call = TAILQ_FIRST(&mgr->removing); call != NULL; call = tmp) {
		tmp = TAILQ_NEXT(call, rm_next);
		/* -EAGAIN: the worker is still behind, a later tick tries again. */
		if (call_destroy(mgr, call, NULL, 0) != 0)
			CALL_LOG(DEBUG, call, "still removing (worker %u)", call->worker);
	}
}

/* Once a second: neighbour ageing and the calls still being removed. */
static void
timers(struct wrtc_session_mgr *mgr)
{
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++)
		wrtc_net_neigh_age(mgr->neigh[i], ctrl_now_ms(mgr));
	finish_removals(mgr);
	call_memory_trim(mgr);
}

/* The calls whose one-second timer is due (session_timer.c); a call that
 * timed out is freed in this tick if its worker lets go within a moment. */
static unsigned int
call_ticks(struct wrtc_session_mgr *mgr, uint64_t now)
{
	bool pending[WRTC_MAX_WORKERS] = {false}, any = false;
	unsigned int n = call_timers_run(mgr, now, pending);

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		if (!pending[w])
			continue;
		any = true;
		if (ctrl_wait_seq(mgr, w, mgr->ctrlq[w].last_seq, SESS_TIMER_WAIT_US) != 0)
			SESS_LOG(DEBUG, "worker %u is behind: removals finish on a later tick", w);
	}
	if (any)
		finish_removals(mgr);
	return n;
}

unsigned int
wrtc_session_poll(struct wrtc_session_mgr *mgr)
{
	uint64_t now = rte_rdtsc();
	unsigned int n = 0;

	for (uint16_t i = 0; i < mgr->dp->nb_workers; i++)
		n += handle_punts(mgr, mgr->dp->workers[i]);
	n += ctrl_drain_replies(mgr);
	n += telemetry_poll(mgr);
	n += capture_poll(mgr);
	if (sess_timer_next(&mgr->webrtc_timers) <= ctrl_now_us(mgr))
		webrtc_tick(mgr, ctrl_now_us(mgr));
	if (sess_timer_next(&mgr->call_timers) <= now)
		n += call_ticks(mgr, now);
	if (now - mgr->last_route_tsc > mgr->hz / 5) {
		mgr->last_route_tsc = now;
		retry_all_routes(mgr);
	}
	if (now - mgr->last_second_tsc > mgr->hz) {
		mgr->last_second_tsc = now;
		timers(mgr);
	}
	return n;
}

int
policer_prm_split(const struct wrtc_session_mgr *mgr, const struct wrtc_config_policer *cp,
		  unsigned int k, uint32_t max_sources, uint64_t hz, uint64_t now,
		  struct wrtc_policer_prm *prm)
{
	uint16_t nw = mgr->dp->nb_workers;

	if (wrtc_policer_prm_from_config(cp, k, max_sources, hz, now, prm) != 0)
		return -EINVAL;
	prm->rate = RTE_MAX(prm->rate / nw, (uint64_t)1);
	prm->bucket = RTE_MAX(prm->bucket / nw, (uint64_t)1);
	if (prm->priority_rate != 0)
		prm->priority_rate = RTE_MAX(prm->priority_rate / nw, prm->rate);
	if (prm->priority_bucket != 0)
		prm->priority_bucket = RTE_MAX(prm->priority_bucket / nw, (uint64_t)1);
	if (prm->pair_rate != 0)
		prm->pair_rate = RTE_MAX(prm->pair_rate / nw, prm->rate);
	if (prm->pair_bucket != 0)
		prm->pair_bucket = RTE_MAX(prm->pair_bucket / nw, (uint64_t)1);
	return 0;
}

int
sdp_rules_build(const struct wrtc_config *cfg, struct wrtc_sdp_rules *rules[], unsigned int max,
		char *err, size_t errlen)
{
	char why[256];

	for (unsigned int t = 0; t < cfg->n_trunk_groups && t < max; t++) {
		const struct wrtc_config_trunk_group *tg = &cfg->trunk_groups[t];
		struct wrtc_sdp_rule_def defs[WRTC_SDP_MAX_RULES];
		unsigned int n = RTE_MIN(tg->n_sdp_rules, (unsigned int)WRTC_SDP_MAX_RULES);

		rules[t] = NULL;
		if (n == 0)
			continue;
		for (unsigned int r = 0; r < n; r++) {
			const struct wrtc_config_sdp_rule *cr = &tg->sdp_rules[r];

			defs[r].dir = cr->direction == WRTC_CONFIG_SDP_IN ? WRTC_SDP_RULE_IN :
				      cr->direction == WRTC_CONFIG_SDP_OUT ? WRTC_SDP_RULE_OUT :
				      WRTC_SDP_RULE_BOTH;
			defs[r].action = cr->action == WRTC_CONFIG_SDP_DELETE ?
					 WRTC_SDP_RULE_DELETE : WRTC_SDP_RULE_SUBST;
			defs[r].pattern = cr->regex;
			defs[r].replacement = cr->replacement;
		}
		if (wrtc_sdp_rules_compile(defs, n, &rules[t], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "trunk_groups[%u].sdp_rules: %s", t, why);
			for (unsigned int u = 0; u < t; u++) {
				wrtc_sdp_rules_free(rules[u]);
				rules[u] = NULL;
			}
			return -EINVAL;
		}
	}
	return 0;
}

/* Install @p p as worker @p wl's policer of its type (the first of a type wins). */
static void
policer_install(struct wrtc_session_mgr *mgr, struct wrtc_lcore *wl,
		const struct wrtc_config_policer *cp, struct wrtc_policer *p)
{
	struct wrtc_policer **slot = NULL;

	switch (cp->type) {
	case WRTC_CONFIG_POLICER_LINK_DATA:
		for (uint16_t f = 0; f < mgr->dp->nb_ifaces; f++)
			if ((cp->interface < 0 || cp->interface == f) && wl->pol_link[f] == NULL)
				wl->pol_link[f] = p;
		return;
	case WRTC_CONFIG_POLICER_STUN:
		slot = &wl->pol_stun;
		break;
	case WRTC_CONFIG_POLICER_DTLS:
		slot = &wl->pol_dtls;
		break;
	case WRTC_CONFIG_POLICER_ARP:
		slot = &wl->pol_arp;
		break;
	case WRTC_CONFIG_POLICER_ND:
		slot = &wl->pol_nd;
		break;
	case WRTC_CONFIG_POLICER_ICMP:
		slot = &wl->pol_icmp;
		break;
	}
	if (slot != NULL && *slot == NULL)
		*slot = p;
}

/* One instance of each configured policer per worker, installed in the
 * workers before they start. Rates and buckets are split between workers so
 * the configured figures hold for the whole gateway. Every punted class is
 * policed: a class the configuration has no entry for gets the default entry
 * of lib/policer (shown in the `policers` table like a configured one). */
static int
policers_create(struct wrtc_session_mgr *mgr)
{
	static const enum wrtc_config_policer_type punted[] = {
		WRTC_CONFIG_POLICER_STUN, WRTC_CONFIG_POLICER_DTLS, WRTC_CONFIG_POLICER_ARP,
		WRTC_CONFIG_POLICER_ND, WRTC_CONFIG_POLICER_ICMP,
	};
	const struct wrtc_config *cfg = mgr->cfg;
	uint16_t nw = mgr->dp->nb_workers;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint32_t max_calls = RTE_MAX(cfg->control.max_calls, 64u);
	uint32_t max_sources = RTE_MIN(max_calls * 4, 65536u);
	unsigned int n_cfg = RTE_MIN(cfg->n_policers, (unsigned int)WRTC_MAX_POLICERS);

	for (unsigned int k = 0; k < n_cfg; k++)
		mgr->pol_cfg[k] = cfg->policers[k];
	mgr->n_pols = n_cfg;
	for (unsigned int t = 0; t < RTE_DIM(punted); t++) {
		struct wrtc_config_policer *d = &mgr->pol_cfg[mgr->n_pols];
		bool have = false, taken = false;

		for (unsigned int k = 0; k < n_cfg; k++)
			have |= cfg->policers[k].type == punted[t];
		if (have || mgr->n_pols >= RTE_DIM(mgr->pol_cfg) ||
		    wrtc_policer_default_config(punted[t], d) != 0)
			continue;
		/* Names stay unique (telemetry keys rows by name). */
		for (unsigned int k = 0; k < n_cfg; k++)
			taken |= strcmp(cfg->policers[k].name, d->name) == 0;
		if (taken) {
			char name[sizeof(d->name)];

			snprintf(name, sizeof(name), "default-%s", d->name);
			memcpy(d->name, name, sizeof(d->name));
		}
		mgr->n_pols++;
	}
	if (mgr->n_pols == 0)
		return 0;
	mgr->pols = calloc((size_t)nw * mgr->n_pols, sizeof(*mgr->pols));
	if (mgr->pols == NULL)
		return -ENOMEM;
	for (uint16_t w = 0; w < nw; w++) {
		struct wrtc_lcore *wl = mgr->dp->workers[w];

		for (unsigned int k = 0; k < mgr->n_pols; k++) {
			const struct wrtc_config_policer *cp = &mgr->pol_cfg[k];
			struct wrtc_policer_prm prm;
			struct wrtc_policer *p;

			if (policer_prm_split(mgr, cp, k, max_sources, hz, now, &prm) != 0)
				return -EINVAL;
			p = wrtc_policer_create(&prm);
			if (p == NULL) {
				SESS_LOG(ERR, "policers[%u] (%s): %s", k, cp->name, strerror(errno));
				return -EINVAL;
			}
			mgr->pols[(size_t)w * mgr->n_pols + k] = p;
			policer_install(mgr, wl, cp, p);
		}
	}
	return 0;
}

/*
 * A refused offer, answer or delete is logged once, with the call-id and the
 * reason the client got, whichever front end refused it. The lines are rate
 * limited (a token bucket of REJECT_LOG_BURST lines refilled at
 * REJECT_LOG_RATE a second), and the next line that gets through says how
 * many were left out (docs/deployment.md, "Logs").
 */
enum { REJECT_LOG_RATE = 10, REJECT_LOG_BURST = 50 };

void
session_log_reject(struct wrtc_session_mgr *mgr, unsigned int kind, const char *call_id,
		   const char *reason, int code)
{
	static const char *const names[] = {"offer", "answer", "delete"};
	struct reject_log *rl = &mgr->reject_log;
	uint64_t now = rte_rdtsc();
	char more[96] = "";

	if (kind >= RTE_DIM(names))
		return;
	mgr->st.rejected[kind]++;
	if (rl->last_tsc == 0)
		rl->tokens = REJECT_LOG_BURST;
	else if (mgr->hz != 0)
		rl->tokens = RTE_MIN((uint64_t)REJECT_LOG_BURST,
				     rl->tokens + (now - rl->last_tsc) * REJECT_LOG_RATE / mgr->hz);
	if (rl->tokens == 0) {
		rl->suppressed++;
		return;
	}
	rl->last_tsc = now;
	rl->tokens--;
	if (rl->suppressed != 0)
		snprintf(more, sizeof(more), " (%" PRIu64 " rejections not logged before this one)",
			 rl->suppressed);
	SESS_LOG(WARNING, "[%.128s] %s rejected: %s (%d)%s", call_id != NULL ? call_id : "-",
		 names[kind], reason != NULL ? reason : "?", code, more);
	rl->suppressed = 0;
}

json_t *
wrtc_session_policers(struct wrtc_session_mgr *mgr)
{
	if (mgr->n_pols == 0)
		return json_pack("{s:[]}", "policers");
	return wrtc_policer_table_json(mgr->pols, mgr->n_pols, mgr->dp->nb_workers);
}

void
wrtc_session_mgr_shutdown(struct wrtc_session_mgr *mgr)
{
	bool stuck[WRTC_MAX_WORKERS] = {false};
	struct wrtc_call *call;

	if (mgr == NULL)
		return;
	while ((call = TAILQ_FIRST(&mgr->calls)) != NULL) {
		json_t *final = NULL;

		call->end_reason = "shutdown";
		/* A worker that did not answer once is not waited for again. */
		if (call_destroy(mgr, call, &final, stuck[call->worker] ? 0 : SESS_WAIT_US) != 0) {
			stuck[call->worker] = true;
			/* A worker did not answer: leave its streams (never free what it may use). */
			CALL_LOG(ERR, call, "worker %u did not release the streams: left to it",
				 call->worker);
			call_unlink(mgr, call);
		}
		json_decref(final);
	}
	ctrl_drain_replies(mgr);
}

struct wrtc_session_mgr *
wrtc_session_mgr_create(const struct wrtc_session_prm *prm)
{
	struct wrtc_net_neigh_prm np = {
		.capacity = 4096,
		.reachable_time = 300000,
		.retrans_time = 1000,
		.max_probes = 3,
	};
	struct wrtc_session_mgr *mgr;
	char err[256];

	mgr = calloc(1, sizeof(*mgr));
	if (mgr == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	mgr->cfg = prm->cfg;
	mgr->dp = prm->dp;
	mgr->mp = prm->mp;
	mgr->hz = rte_get_tsc_hz();
	mgr->started = time(NULL);
	TAILQ_INIT(&mgr->calls);
	TAILQ_INIT(&mgr->removing);
	TAILQ_INIT(&mgr->routing);
	if (call_index_init(&mgr->index) != 0) {
		free(mgr);
		rte_errno = ENOMEM;
		return NULL;
	}
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++)
		STAILQ_INIT(&mgr->ctrlq[w].backlog);
	TAILQ_INIT(&mgr->capturing);
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		const struct wrtc_config_interface *ci = &mgr->cfg->interfaces[i];

		if (port_pool_init(&mgr->pools[i], ci->media_port_min, ci->media_port_max) != 0)
			goto fail;
		mgr->neigh[i] = wrtc_net_neigh_create(&np);
		mgr->port_map[i] = calloc(65536, sizeof(*mgr->port_map[i]));
		if (mgr->neigh[i] == NULL || mgr->port_map[i] == NULL)
			goto fail;
	}
	if (policers_create(mgr) != 0)
		goto fail;
	if (webrtc_init(mgr, err, sizeof(err)) != 0) {
		SESS_LOG(ERR, "DTLS: %s", err);
		goto fail;
	}
	if (sdp_rules_build(mgr->cfg, mgr->rules, RTE_DIM(mgr->rules), err, sizeof(err)) != 0) {
		SESS_LOG(ERR, "%s", err);
		goto fail;
	}
	mgr->last_second_tsc = rte_rdtsc();
	telemetry_attach(mgr);
	return mgr;
fail:
	wrtc_session_mgr_free(mgr);
	rte_errno = EINVAL;
	return NULL;
}

void
wrtc_session_mgr_free(struct wrtc_session_mgr *mgr)
{
	if (mgr == NULL)
		return;
	telemetry_attach(NULL);
	wrtc_session_mgr_shutdown(mgr);
	/* Workers have stopped (or never started): their policers can go. */
	for (size_t i = 0; mgr->pols != NULL && i < (size_t)mgr->dp->nb_workers * mgr->n_pols; i++)
		wrtc_policer_free(mgr->pols[i]);
	free(mgr->pols);
	for (uint16_t i = 0; i < WRTC_FLOW_MAX_IFACES; i++) {
		port_pool_fini(&mgr->pools[i]);
		wrtc_net_neigh_free(mgr->neigh[i]);
		free(mgr->port_map[i]);
	}
	webrtc_fini(mgr);
	/* Workers have stopped: messages still waiting never reached them. */
	for (unsigned int w = 0; w < RTE_DIM(mgr->ctrlq); w++) {
		struct ctrl_item *it;

		while ((it = STAILQ_FIRST(&mgr->ctrlq[w].backlog)) != NULL) {
			STAILQ_REMOVE_HEAD(&mgr->ctrlq[w].backlog, next);
			free(it);
		}
	}
	for (unsigned int t = 0; t < RTE_DIM(mgr->rules); t++)
		wrtc_sdp_rules_free(mgr->rules[t]);
	call_index_fini(&mgr->index);
	sess_timers_fini(&mgr->call_timers);
	sess_timers_fini(&mgr->webrtc_timers);
	free(mgr);
}
