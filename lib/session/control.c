/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control lcore's side of the data plane: messages to workers and their
 * replies, slow-path packets punted by workers (ARP, ND, ICMP echo; STUN and
 * DTLS are counted until their agents are wired), neighbour resolution,
 * transmission through the control TX queue (or worker 0 when the port has
 * none), and the one-second timers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

int
ctrl_post(struct wrtc_session_mgr *mgr, uint16_t worker, enum wrtc_flow_msg_type type,
	  struct wrtc_stream *s, const struct wrtc_flow_update *upd)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	struct wrtc_flow_msg *msg = calloc(1, sizeof(*msg));
	uint64_t deadline = rte_rdtsc() + mgr->hz / 10;

	if (msg == NULL)
		return -ENOMEM;
	msg->type = type;
	msg->s = s;
	if (upd != NULL)
		msg->upd = *upd;
	msg->seq = ++mgr->msg_seq;
	/* The ring only fills if the worker stopped; free replies while waiting. */
	while (rte_ring_enqueue(w->ctrl, msg) != 0) {
		ctrl_drain_replies(mgr);
		if (rte_rdtsc() > deadline) {
			SESS_LOG(ERR, "worker %u: control ring full for 100 ms, message type %d "
				 "not delivered", worker, type);
			free(msg);
			return -EBUSY;
		}
	}
	return 0;
}

int
ctrl_post_source(struct wrtc_session_mgr *mgr, uint16_t worker, bool add, uint8_t family,
		 const uint8_t bytes[16], uint8_t cand_type)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	struct wrtc_flow_msg *msg = calloc(1, sizeof(*msg));

	if (msg == NULL)
		return -ENOMEM;
	msg->type = add ? WRTC_FLOW_MSG_SOURCE_ADD : WRTC_FLOW_MSG_SOURCE_DEL;
	msg->src.family = family;
	memcpy(msg->src.bytes, bytes, sizeof(msg->src.bytes));
	msg->src.cand_type = cand_type;
	msg->seq = ++mgr->msg_seq;
	if (rte_ring_enqueue(w->ctrl, msg) != 0) {
		free(msg);
		return -EBUSY;
	}
	return 0;
}

static int
drain_worker(struct wrtc_session_mgr *mgr, struct wrtc_lcore *w, uint64_t until_seq)
{
	struct wrtc_flow_msg *msgs[REPLY_BURST];
	unsigned int n;
	int found = 0;

	n = rte_ring_dequeue_burst(w->reply, (void **)msgs, REPLY_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		if (msgs[i]->result != 0)
			SESS_LOG(WARNING, "worker %u: message %" PRIu64 " type %d failed: %s", w->id,
				 msgs[i]->seq, msgs[i]->type, strerror(-msgs[i]->result));
		if (until_seq != 0 && msgs[i]->seq == until_seq)
			found = 1;
		free(msgs[i]);
	}
	return found ? -1 : (int)n;
}

unsigned int
ctrl_drain_replies(struct wrtc_session_mgr *mgr)
{
	unsigned int total = 0;

	for (uint16_t i = 0; i < mgr->dp->nb_workers; i++) {
		int n = drain_worker(mgr, mgr->dp->workers[i], 0);

		total += n > 0 ? (unsigned int)n : 0;
	}
	return total;
}

/* Post a barrier and wait until the worker has applied everything before it. */
int
ctrl_wait(struct wrtc_session_mgr *mgr, uint16_t worker)
{
	struct wrtc_lcore *w = mgr->dp->workers[worker];
	uint64_t deadline;
	uint64_t seq;
	int rc;

	rc = ctrl_post(mgr, worker, WRTC_FLOW_MSG_BARRIER, NULL, NULL);
	if (rc != 0)
		return rc;
	seq = mgr->msg_seq;
	deadline = rte_rdtsc() + mgr->hz / 1000000 * SESS_WAIT_US;
	while (rte_rdtsc() < deadline) {
		if (drain_worker(mgr, w, seq) < 0)
			return 0;
		/* Workers apply messages between bursts (microseconds); yield the
		 * CPU meanwhile in case the worker shares it (labs, CI). */
		rte_delay_us_sleep(20);
	}
	SESS_LOG(ERR, "worker %u did not apply messages within %u ms", worker,
		 SESS_WAIT_US / 1000);
	return -ETIMEDOUT;
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
	struct wrtc_call *call;

	TAILQ_FOREACH(call, &mgr->calls, next)
		if (call->need_route)
			call_retry_routes(mgr, call);
}

static unsigned int
handle_punts(struct wrtc_session_mgr *mgr, struct wrtc_lcore *w)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned int n;
	bool learned = false;

	n = rte_ring_dequeue_burst(w->punt, (void **)pkts, PUNT_BURST, NULL);
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
		switch (m->hash.usr) {
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

static void
timers(struct wrtc_session_mgr *mgr, uint64_t now)
{
	uint64_t timeout = (uint64_t)mgr->cfg->control.media_timeout * mgr->hz;
	struct wrtc_call *call, *tmp;

	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++)
		wrtc_net_neigh_age(mgr->neigh[i], ctrl_now_ms(mgr));
	for (call = TAILQ_FIRST(&mgr->calls); call != NULL; call = tmp) {
		tmp = TAILQ_NEXT(call, next);
		uint64_t last = call_last_activity(call);

		call_sample(mgr, call);
		/* A worker may have stamped a packet after @p now was read. */
		if (timeout != 0 && last < now && now - last > timeout) {
			json_t *final = NULL;

			CALL_LOG(NOTICE, call, "no media for %u s: call removed",
				 mgr->cfg->control.media_timeout);
			mgr->st.calls_timed_out++;
			call_destroy(mgr, call, &final);
			json_decref(final);
		}
	}
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
	if (now - mgr->last_webrtc_tick > mgr->hz / 500) {
		mgr->last_webrtc_tick = now;
		webrtc_tick(mgr, ctrl_now_us(mgr));
	}
	if (now - mgr->last_route_tsc > mgr->hz / 5) {
		mgr->last_route_tsc = now;
		retry_all_routes(mgr);
	}
	if (now - mgr->last_second_tsc > mgr->hz) {
		mgr->last_second_tsc = now;
		timers(mgr, now);
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

/* One instance of each configured policer per worker, installed in the
 * workers before they start. Rates and buckets are split between workers so
 * the configured figures hold for the whole gateway. */
static int
policers_create(struct wrtc_session_mgr *mgr)
{
	const struct wrtc_config *cfg = mgr->cfg;
	uint16_t nw = mgr->dp->nb_workers;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint32_t max_calls = RTE_MAX(cfg->control.max_calls, 64u);
	uint32_t max_sources = RTE_MIN(max_calls * 4, 65536u);

	mgr->n_pols = RTE_MIN(cfg->n_policers, (unsigned int)WRTC_MAX_POLICERS);
	if (mgr->n_pols == 0)
		return 0;
	mgr->pols = calloc((size_t)nw * mgr->n_pols, sizeof(*mgr->pols));
	if (mgr->pols == NULL)
		return -ENOMEM;
	for (uint16_t w = 0; w < nw; w++) {
		struct wrtc_lcore *wl = mgr->dp->workers[w];

		for (unsigned int k = 0; k < mgr->n_pols; k++) {
			const struct wrtc_config_policer *cp = &cfg->policers[k];
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
			switch (cp->type) {
			case WRTC_CONFIG_POLICER_LINK_DATA:
				for (uint16_t f = 0; f < mgr->dp->nb_ifaces; f++)
					if ((cp->interface < 0 || cp->interface == f) &&
					    wl->pol_link[f] == NULL)
						wl->pol_link[f] = p;
				break;
			case WRTC_CONFIG_POLICER_STUN:
				if (wl->pol_stun == NULL)
					wl->pol_stun = p;
				break;
			case WRTC_CONFIG_POLICER_DTLS:
				if (wl->pol_dtls == NULL)
					wl->pol_dtls = p;
				break;
			}
		}
	}
	return 0;
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
	struct wrtc_call *call;

	if (mgr == NULL)
		return;
	while ((call = TAILQ_FIRST(&mgr->calls)) != NULL) {
		json_t *final = NULL;

		if (call_destroy(mgr, call, &final) != 0) {
			/* A worker did not answer: leave its streams (never free what it may use). */
			TAILQ_REMOVE(&mgr->calls, call, next);
			mgr->n_calls--;
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
	for (unsigned int t = 0; t < RTE_DIM(mgr->rules); t++)
		wrtc_sdp_rules_free(mgr->rules[t]);
	free(mgr);
}
