/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Calls: offer/answer processing, the streams of each leg, and status.
 *
 * Leg a is the side that sent the offer being processed, leg b the other.
 * Every m-line gets a port pair on each leg's interface the first time it is
 * seen; re-offers reuse them. Streams are created here, filled, installed on
 * the call's worker and from then on only changed by messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "wrtc_port.h"
#include "session_priv.h"

static void keep_pt_bindings(struct wrtc_sdp_codec_decision *dec,
			     const struct wrtc_sdp_media *prev);

static const struct wrtc_config_trunk_group *
tg_of(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	RTE_SET_USED(mgr);
	return call_tg(call, leg);
}

static const struct wrtc_config_psp *
psp_of(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	RTE_SET_USED(mgr);
	return call_psp(call, leg);
}

static uint16_t
iface_of(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	return tg_of(mgr, call, leg)->interface;
}

struct wrtc_call *
call_find(struct wrtc_session_mgr *mgr, const char *id)
{
	return call_index_find(&mgr->index, id);
}

/* Take @p call out of every list, index and timer of the manager. */
void
call_unlink(struct wrtc_session_mgr *mgr, struct wrtc_call *call)
{
	TAILQ_REMOVE(&mgr->calls, call, next);
	call_index_del(&mgr->index, call);
	sess_timer_disarm(&mgr->call_timers, &call->tmr);
	for (unsigned int i = 0; i < SESS_MAX_MEDIA; i++)
		for (unsigned int l = 0; l < 2; l++)
			sess_timer_disarm(&mgr->webrtc_timers, &call->media[i].leg[l].tmr);
	if (call->removing)
		TAILQ_REMOVE(&mgr->removing, call, rm_next);
	if (call->in_routing)
		TAILQ_REMOVE(&mgr->routing, call, route_next);
	call->removing = call->in_routing = false;
	mgr->n_calls--;
}

struct wrtc_call *
call_create(struct wrtc_session_mgr *mgr, const char *id, const char *from_tag, int tg_in,
	    int tg_out)
{
	struct wrtc_call *call = calloc(1, sizeof(*call));

	if (call == NULL)
		return NULL;
	snprintf(call->id, sizeof(call->id), "%s", id);
	snprintf(call->leg[0].tag, sizeof(call->leg[0].tag), "%s", from_tag);
	call->leg[0].tg = tg_in;
	call->leg[1].tg = tg_out;
	for (unsigned int l = 0; l < 2; l++) {
		call_profile_base(mgr, call, l);
		if (sess_random(&call->leg[l].sess_id, sizeof(call->leg[l].sess_id)) != 0 ||
		    random_ice_credentials(&call->leg[l]) != 0) {
			free(call);
			errno = EIO;
			return NULL;
		}
		call->leg[l].sess_id &= INT64_MAX >> 1;
		call->leg[l].sess_ver = 1;
		/* Restore (session_ha.c): the credentials the peers know. */
		if (mgr->ha_rec != NULL && l < mgr->ha_rec->n_legs &&
		    mgr->ha_rec->legs[l].n_streams > 0) {
			const struct wrtc_ha_stream *hs = &mgr->ha_rec->legs[l].streams[0];

			if (hs->ice_lufrag[0] != '\0' &&
			    strlen(hs->ice_lufrag) < sizeof(call->leg[l].ice_ufrag) &&
			    strlen(hs->ice_lpwd) < sizeof(call->leg[l].ice_pwd)) {
				snprintf(call->leg[l].ice_ufrag, sizeof(call->leg[l].ice_ufrag),
					 "%s", hs->ice_lufrag);
				snprintf(call->leg[l].ice_pwd, sizeof(call->leg[l].ice_pwd),
					 "%s", hs->ice_lpwd);
			}
		}
	}
	call->worker = mgr->next_worker;
	mgr->next_worker = (uint16_t)((mgr->next_worker + 1) % mgr->dp->nb_workers);
	call->created = time(NULL);
	call->created_tsc = rte_rdtsc();
	TAILQ_INSERT_TAIL(&mgr->calls, call, next);
	call_index_add(&mgr->index, call);
	call_timer_arm(mgr, call, call->created_tsc);
	mgr->n_calls++;
	mgr->st.calls_created++;
	return call;
}

/*
 * Open a port pair on leg @p leg of m-line @p index and install its two
 * streams on the call's worker. From the moment the port is taken, @p lm owns
 * everything opened here, also when this fails half way: leg_post_remove()
 * and leg_free() release exactly that.
 */
static int
stream_pair_open(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int index,
		 unsigned int leg, struct leg_media *lm)
{
	uint16_t iface = iface_of(mgr, call, leg);
	struct wrtc_stream *s[2] = {NULL, NULL};
	uint16_t port;
	int rc;

	/* Restore (session_ha.c): the port the peers send to. */
	if (mgr->ha_rec != NULL && leg < mgr->ha_rec->n_legs &&
	    index < mgr->ha_rec->legs[leg].n_streams &&
	    mgr->ha_rec->legs[leg].streams[index].local_port != 0) {
		port = mgr->ha_rec->legs[leg].streams[index].local_port;
		rc = port_pool_claim(&mgr->pools[iface], port);
	} else {
		rc = port_pool_alloc(&mgr->pools[iface], &port);
	}
	if (rc != 0)
		return rc;
	for (unsigned int k = 0; k < 2; k++) {
		s[k] = rte_zmalloc("wrtc_stream", sizeof(*s[k]), RTE_CACHE_LINE_SIZE);
		if (s[k] == NULL)
			goto fail;
		s[k]->id = ++mgr->next_stream_id;
		s[k]->iface = iface;
		s[k]->local_port = (uint16_t)(port + k);
		s[k]->ifc = &mgr->dp->ifc[iface];
		s[k]->started = true;
		/* Plain RTP: the signalled address, or a source learned by the
		 * trunk group's latch rules (session_latch.c); until the leg's
		 * SDP is applied nothing is accepted. */
		s[k]->remote_mode = WRTC_FLOW_REMOTE_LATCH;
	}
	lm->port = port;
	lm->rtp = s[0];
	lm->rtcp = s[1];
	lm->call = call;
	lm->mgr = mgr;
	lm->leg = (uint8_t)leg;
	lm->index = (uint8_t)index;
	mgr->port_map[iface][port] = lm;
	mgr->port_map[iface][port + 1] = lm;
	for (unsigned int k = 0; k < 2; k++) {
		wrtc_steer_set(&mgr->dp->port[iface], s[k]->local_port, call->worker);
		rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_INSTALL, s[k], NULL);
		if (rc != 0)
			return rc;
		if (k == 0)
			lm->rtp_installed = true;
		else
			lm->rtcp_installed = true;
	}
	return 0;
fail:
	rte_free(s[0]);
	port_pool_release(&mgr->pools[iface], port);
	return -ENOMEM;
}

/*
 * First half of releasing a leg's m-line: its candidate sources leave the
 * worker's policers and its installed streams are removed from the worker.
 * @return 1 when the worker may still hold a stream (wait for a barrier
 * before leg_free()), 0 when it holds none, -ENOMEM when a REMOVE could not be
 * posted (the stream stays installed; try again later).
 */
static int
leg_post_remove(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm)
{
	int rc = 0;

	for (unsigned int k = 0; k < lm->n_sources; k++)
		if (ctrl_post_source(mgr, call->worker, lm->rtp, false, lm->sources[k].family,
				     lm->sources[k].bytes, lm->sources[k].type) != 0)
			CALL_LOG(WARNING, call, "port %u: a policer source stays (no room)",
				 lm->port);
	lm->n_sources = 0;
	if (lm->rtp_installed && !lm->rtp_removed)
		lm->rtp_removed = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_REMOVE, lm->rtp,
					    NULL) == 0;
	if (lm->rtcp_installed && !lm->rtcp_removed)
		lm->rtcp_removed = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_REMOVE, lm->rtcp,
					     NULL) == 0;
	if ((lm->rtp_installed && !lm->rtp_removed) || (lm->rtcp_installed && !lm->rtcp_removed))
		rc = -ENOMEM;
	return rc != 0 ? rc : lm->rtp_installed || lm->rtcp_installed;
}

/*
 * Second half, once the worker holds none of the streams: free the ICE agent,
 * DTLS association, SRTP contexts, transcoders and streams, clear the port
 * map and steering, and give the ports back. @p lm is then empty.
 */
static void
leg_free(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	 unsigned int leg)
{
	uint16_t iface = iface_of(mgr, call, leg);

	if (lm->port == 0)
		return;
	webrtc_leg_free(lm);
	wrtc_codec_xcoder_free(lm->xcoder);
	for (unsigned int k = 0; k < lm->n_xretired; k++)
		wrtc_codec_xcoder_free(lm->xretired[k]);
	for (unsigned int k = 0; k < 2; k++)
		if (mgr->port_map[iface][lm->port + k] == lm)
			mgr->port_map[iface][lm->port + k] = NULL;
	wrtc_steer_clear(&mgr->dp->port[iface], lm->port);
	wrtc_steer_clear(&mgr->dp->port[iface], (uint16_t)(lm->port + 1));
	port_pool_release(&mgr->pools[iface], lm->port);
	rte_free(lm->rtp);
	rte_free(lm->rtcp);
	memset(lm, 0, sizeof(*lm));
}

/* Point a stream at its signalled remote, if the next hop is resolved; with
 * @p lp, also give the worker new endpoint learning parameters. */
static int
stream_route(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct wrtc_stream *s,
	     const struct wrtc_flow_ep *sig, const struct wrtc_flow_learn_prm *lp)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};
	const struct wrtc_net_addr *local;
	struct rte_ether_addr mac;
	int rc;

	u.remote_mode = WRTC_FLOW_REMOTE_LATCH;
	u.remote = *sig;
	if (lp != NULL) {
		u.fields |= WRTC_FLOW_UPD_LEARN;
		u.learn = *lp;
	}
	if (sig->ip.family == 0) {
		/* Nothing signalled: nowhere to send until a source is learned. */
		return ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, s, &u);
	}
	local = sig->ip.family == AF_INET ? &s->ifc->ip4 : &s->ifc->ip6;
	if (local->family == 0)
		return -EAFNOSUPPORT;
	rc = ctrl_resolve(mgr, s->iface, &sig->ip, &mac);
	if (rc == -EINPROGRESS || rc == -EHOSTUNREACH) {
		/* Learning starts now and the route follows (call_retry_routes()); a
		 * stream that moved stops sending to the old address at once. */
		if (lp != NULL) {
			if (!lp->restart)
				u.fields = WRTC_FLOW_UPD_LEARN;
			rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, s, &u);
			if (rc != 0)
				return rc;
		}
		return -EINPROGRESS;
	}
	if (rc != 0)
		return rc;
	rc = wrtc_net_hdr_tmpl_init(&u.tmpl, s->ifc, local, s->local_port, &sig->ip, sig->port,
				    &mac);
	if (rc != 0)
		return rc;
	u.tmpl_valid = true;
	return ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, s, &u);
}

/*
 * Route the streams of a plain RTP leg to its signalled addresses. After SDP
 * from the leg (@p signalled), the worker's endpoint learning follows: a new
 * signalled address restarts it (the stream moves at once, the old address
 * becomes stale); the same address reopens the window of a stream that has
 * fixed nothing yet; hold (no address) keeps what the stream has.
 */
static void
leg_route(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	  bool signalled)
{
	struct wrtc_stream *s[2] = {lm->rtp, lm->mux ? NULL : lm->rtcp};
	const struct wrtc_flow_ep *sig[2] = {&lm->sig_rtp, &lm->sig_rtcp};
	int rc[2] = {0, 0};

	if (lm->ice_on)
		return; /* ICE chooses the remote (webrtc.c). */
	for (unsigned int k = 0; k < 2; k++) {
		struct wrtc_flow_learn_prm lp;
		bool restart;

		if (s[k] == NULL)
			continue;
		if (!wrtc_flow_ep_set(sig[k]) && lm->learn_init[k] &&
		    wrtc_flow_ep_set(&lm->learn_sig[k]))
			continue; /* On hold. */
		if (!signalled) {
			rc[k] = stream_route(mgr, call, s[k], sig[k], NULL);
			continue;
		}
		restart = !lm->learn_init[k] || !wrtc_flow_ep_eq(sig[k], &lm->learn_sig[k]);
		latch_prm(mgr, call, lm->leg, sig[k], restart, &lp);
		rc[k] = stream_route(mgr, call, s[k], sig[k], &lp);
		if (rc[k] == 0 || rc[k] == -EINPROGRESS) {
			lm->learn_sig[k] = *sig[k];
			lm->learn_init[k] = true;
		}
	}
	lm->need_route = rc[0] == -EINPROGRESS || rc[1] == -EINPROGRESS;
	if (lm->need_route)
		call->need_route = true;
	if (lm->need_route && !call->in_routing) {
		TAILQ_INSERT_TAIL(&mgr->routing, call, route_next);
		call->in_routing = true;
	}
	if ((rc[0] != 0 && rc[0] != -EINPROGRESS) || (rc[1] != 0 && rc[1] != -EINPROGRESS))
		CALL_LOG(WARNING, call, "port %u: cannot route to the signalled address: %s",
			 lm->port, strerror(-(rc[0] != 0 ? rc[0] : rc[1])));
}

void
call_retry_routes(struct wrtc_session_mgr *mgr, struct wrtc_call *call)
{
	call->need_route = false;
	if (call->in_routing) {
		TAILQ_REMOVE(&mgr->routing, call, route_next);
		call->in_routing = false;
	}
	for (unsigned int i = 0; i < call->n_media; i++)
		for (unsigned int l = 0; l < 2; l++)
			if (call->media[i].leg[l].need_route)
				leg_route(mgr, call, &call->media[i].leg[l], false);
}

/* Tell each stream where RTP and RTCP received on it go out. */
static int
wire(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct call_media *cm)
{
	for (unsigned int l = 0; l < 2; l++) {
		struct leg_media *src = &cm->leg[l], *dst = &cm->leg[1 - l];
		bool rtcp = psp_of(mgr, call, l)->rtcp && psp_of(mgr, call, 1 - l)->rtcp;
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_OUT};
		int rc;

		if (src->rtp == NULL || dst->rtp == NULL)
			continue;
		u.out_rtp = cm->active ? dst->rtp : NULL;
		u.out_rtcp = cm->active && rtcp ? (dst->mux ? dst->rtp : dst->rtcp) : NULL;
		rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, src->rtp, &u);
		if (rc == 0) {
			u.out_rtp = NULL;
			rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, src->rtcp, &u);
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void
sig_from_sdp(const struct wrtc_sdp *sdp, unsigned int i, struct leg_media *lm)
{
	const struct wrtc_sdp_media *m = &sdp->media[i];
	const struct wrtc_sdp_conn *c = wrtc_sdp_media_conn(sdp, i);
	const struct wrtc_sdp_conn *rc = m->has_rtcp && m->rtcp_conn.present ? &m->rtcp_conn : c;

	memset(&lm->sig_rtp, 0, sizeof(lm->sig_rtp));
	memset(&lm->sig_rtcp, 0, sizeof(lm->sig_rtcp));
	if (c != NULL && c->present && wrtc_net_addr_parse(c->addr.str, &lm->sig_rtp.ip) == 0 &&
	    !wrtc_sdp_media_is_hold(sdp, i)) {
		lm->sig_rtp.port = m->port;
		if (rc != NULL && rc->present &&
		    wrtc_net_addr_parse(rc->addr.str, &lm->sig_rtcp.ip) == 0)
			lm->sig_rtcp.port = m->has_rtcp ? m->rtcp_port : (uint16_t)(m->port + 1);
	} else {
		memset(&lm->sig_rtp.ip, 0, sizeof(lm->sig_rtp.ip));
	}
	if (lm->mux)
		lm->sig_rtcp = lm->sig_rtp;
}

static void
policy_from_psp(const struct wrtc_config *cfg, const struct wrtc_config_psp *psp,
		struct wrtc_sdp_codec_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	for (unsigned int k = 0; k < psp->n_codecs && pol->n < WRTC_SDP_MAX_CODECS; k++) {
		const struct wrtc_config_codec_entry *ce = &cfg->codec_entries[psp->codecs[k]];
		struct wrtc_sdp_codec *c = &pol->codecs[pol->n++];

		snprintf(c->name, sizeof(c->name), "%s", wrtc_config_codec_str(ce->codec));
		c->clock = ce->clock;
		c->channels = ce->channels;
		/* RFC 7587 §7: Opus is always signalled as opus/48000/2, whatever the
		 * number of channels encoded (the codec entry's channels). */
		if (ce->codec == WRTC_CONFIG_CODEC_OPUS)
			c->channels = 2;
		c->pt = ce->payload_type;
		c->ptime = ce->ptime;
	}
}

static void
local_addrs(const struct wrtc_config_interface *ci, char *a4, char *a6, size_t size)
{
	a4[0] = a6[0] = '\0';
	if (ci->has_ipv4)
		inet_ntop(AF_INET, ci->has_advertised_ipv4 ? &ci->advertised_ipv4 : &ci->ipv4, a4,
			  (socklen_t)size);
	if (ci->has_ipv6)
		inet_ntop(AF_INET6, ci->has_advertised_ipv6 ? &ci->advertised_ipv6 : &ci->ipv6, a6,
			  (socklen_t)size);
}

static enum wrtc_sdp_af_pref
af_pref(enum wrtc_config_addr_type t)
{
	switch (t) {
	case WRTC_CONFIG_ADDR_IPV6:
		return WRTC_SDP_AF_IPV6;
	case WRTC_CONFIG_ADDR_MATCH:
		return WRTC_SDP_AF_MATCH;
	case WRTC_CONFIG_ADDR_PREFER_RECEIVED:
		return WRTC_SDP_AF_RECEIVED;
	default:
		return WRTC_SDP_AF_IPV4;
	}
}

/* Write the SDP for leg @p to from @p in. */
static int
rewrite_for(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int to,
	    const struct wrtc_sdp *in, bool is_offer, const struct wrtc_sdp *offer, char **out,
	    char *err, size_t errlen)
{
	const struct wrtc_config_trunk_group *tg = tg_of(mgr, call, to);
	const struct wrtc_config_psp *psp = psp_of(mgr, call, to);
	const struct wrtc_config_interface *ci = &mgr->cfg->interfaces[tg->interface];
	struct wrtc_sdp_rewrite_media rw[SESS_MAX_MEDIA];
	struct wrtc_sdp_local_cand cands[SESS_MAX_MEDIA][4];
	struct wrtc_sdp_crypto crypto[SESS_MAX_MEDIA][4];
	struct wrtc_sdp_rewrite_prm prm;
	char a4[INET6_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];

	char fp_hash[16] = "";
	bool tg_ice_none = false;
	const char *sp;
	int rc;

	memset(&prm, 0, sizeof(prm));
	memset(rw, 0, sizeof(rw));
	local_addrs(ci, a4, a6, sizeof(a4));
	profile_media_address(call, to, a4, a6, sizeof(a4));
	for (unsigned int i = 0; i < in->n_media; i++) {
		struct leg_media *lm = &call->media[i].leg[to];

		if (!call->media[i].active || lm->rtp == NULL)
			continue;
		rc = webrtc_leg_local(mgr, call, lm);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: ICE agent: %s", i, strerror(-rc));
			return rc;
		}
	}
	if (psp->dtls) {
		sp = strchr(mgr->fingerprint, ' ');
		if (sp == NULL || (size_t)(sp - mgr->fingerprint) >= sizeof(fp_hash)) {
			snprintf(err, errlen, "no DTLS certificate fingerprint");
			return -EINVAL;
		}
		memcpy(fp_hash, mgr->fingerprint, (size_t)(sp - mgr->fingerprint));
		prm.fp_hash = fp_hash;
		prm.fp_hex = sp + 1;
		{
			enum wrtc_config_dtls_role r = call_dtls_role(mgr, call, to);

			if (r == WRTC_CONFIG_DTLS_ROLE_ACTIVE)
				prm.setup = WRTC_SDP_SETUP_ACTIVE;
			else if (r == WRTC_CONFIG_DTLS_ROLE_PASSIVE)
				prm.setup = WRTC_SDP_SETUP_PASSIVE;
		}
	}
	for (unsigned int i = 0; i < in->n_media; i++) {
		struct call_media *cm = &call->media[i];

		rw[i].rtp_port = cm->active ? cm->leg[to].port : 0;
		rw[i].rtcp_port = cm->active ? (uint16_t)(cm->leg[to].port + 1) : 0;
		rw[i].codecs = cm->active && cm->type == WRTC_SDP_MEDIA_AUDIO && !call->e2e ?
			       cm->dec : NULL;
		if (tg->ice != WRTC_CONFIG_ICE_NONE && cm->active) {
			rw[i].n_cands = webrtc_sdp_cands(&cm->leg[to], cands[i], RTE_DIM(cands[i]));
			rw[i].cands = cands[i];
		}
		if (psp->sdes && cm->active && cm->leg[to].rtp != NULL) {
			int n = is_offer ?
				sdes_offer_lines(mgr, call, &cm->leg[to], crypto[i], 4, err, errlen) :
				sdes_answer_line(mgr, call, &cm->leg[to], &offer->media[i], crypto[i],
						 err, errlen);

			if (n < 0)
				return n;
			rw[i].crypto = crypto[i];
			rw[i].n_crypto = (unsigned int)n;
		}
	}
	prm.side = tg->kind == WRTC_CONFIG_TRUNK_WEBRTC ? WRTC_SDP_SIDE_WEBRTC : WRTC_SDP_SIDE_SIP;
	{
		/* allow_dtls_fallback: a peer without DTLS-SRTP gets plain RTP/AVP. */
		bool fallback = false, ice = false;

		for (unsigned int i = 0; i < in->n_media; i++) {
			fallback |= call->media[i].leg[to].fallback;
			ice |= call->media[i].leg[to].ice_on;
		}
		if (fallback) {
			prm.side = WRTC_SDP_SIDE_SIP;
			prm.fp_hash = prm.fp_hex = NULL;
			if (!ice) {
				for (unsigned int i = 0; i < in->n_media; i++)
					rw[i].n_cands = 0;
				tg_ice_none = true;
			}
		}
	}
	prm.is_offer = is_offer;
	prm.offer = offer;
	prm.sdes = psp->sdes;
	prm.ice_mode = tg_ice_none ? WRTC_SDP_ICE_NONE :
		       tg->ice == WRTC_CONFIG_ICE_LITE ? WRTC_SDP_ICE_LITE :
		       tg->ice == WRTC_CONFIG_ICE_FULL ? WRTC_SDP_ICE_FULL : WRTC_SDP_ICE_NONE;
	prm.ice_ufrag = call->leg[to].ice_ufrag;
	prm.ice_pwd = call->leg[to].ice_pwd;
	prm.ice_options = webrtc_leg_trickles(call, to) ? "trickle" : NULL;
	prm.rtcp_mux = psp->rtcp_mux;
	{
		unsigned int active = 0;

		/* Data channels ride the bundled transport's DTLS association. */
		for (unsigned int i = 0; i < in->n_media; i++)
			active += call->media[i].active &&
				  call->media[i].type != WRTC_SDP_MEDIA_APPLICATION;
		/* BUNDLE towards a WebRTC leg: terminated legs demultiplex the
		 * transport (session_bundle.c); end to end, the transport is
		 * relayed whole to the other leg's. */
		prm.bundle = tg->kind == WRTC_CONFIG_TRUNK_WEBRTC &&
			     (active == 1 || call->e2e || bundle_leg(call, to));
		prm.dtls_passthrough = call->e2e;
	}
	prm.addr4 = a4[0] != '\0' ? a4 : NULL;
	prm.addr6 = a6[0] != '\0' ? a6 : NULL;
	prm.af_pref = af_pref(tg->address_type);
	prm.sess_id = call->leg[to].sess_id;
	prm.sess_version = call->leg[to].sess_ver++;
	prm.n_media = in->n_media;
	prm.media = rw;
	prm.rules = (unsigned int)call->leg[to].tg < RTE_DIM(mgr->rules) ?
		    mgr->rules[call->leg[to].tg] : NULL;
	return wrtc_sdp_rewrite(in, &prm, out, err, errlen);
}

static int
parse_in(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int from,
	 const char *text, size_t len, struct wrtc_sdp **sdp, char *err, size_t errlen)
{
	const struct wrtc_sdp_rules *rules = (unsigned int)call->leg[from].tg < RTE_DIM(mgr->rules) ?
					     mgr->rules[call->leg[from].tg] : NULL;
	char *t = NULL;
	int rc;

	if (rules != NULL) {
		rc = wrtc_sdp_rules_apply(rules, WRTC_SDP_RULE_IN, text, len, &t);
		if (rc != 0) {
			snprintf(err, errlen, "sdp: manipulation rules failed: %s", strerror(-rc));
			return rc;
		}
		text = t;
		len = strlen(t);
	}
	rc = wrtc_sdp_parse(text, len, sdp, err, errlen);
	free(t);
	return rc;
}

/* What an offer changes in an m-line that already existed, to undo it. */
struct media_save {
	bool active;
	enum wrtc_sdp_media_type type;
	bool mux;
	struct wrtc_flow_ep sig_rtp;
	struct wrtc_flow_ep sig_rtcp;
};

/*
 * An offer failed: release the port pairs it opened (streams removed from the
 * worker first) and put back what it changed in the m-lines that were there.
 * A worker too slow to confirm the removal within the RPC's wait keeps the
 * new pairs owned by the call (they are released with it).
 */
static void
offer_rollback(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int a,
	       unsigned int n, const struct media_save *saved, bool (*opened)[2])
{
	bool wait = false, posted = true;
	uint64_t seq = 0;

	for (unsigned int i = 0; i < n; i++)
		for (unsigned int l = 0; l < 2; l++) {
			int rc;

			if (!opened[i][l])
				continue;
			rc = leg_post_remove(mgr, call, &call->media[i].leg[l]);
			wait |= rc != 0;
			posted &= rc >= 0;
		}
	if (posted && wait && ctrl_barrier(mgr, call->worker, &seq) != 0)
		posted = false;
	if (posted && (!wait || ctrl_wait_seq(mgr, call->worker, seq, SESS_RPC_WAIT_US) == 0)) {
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int l = 0; l < 2; l++)
				if (opened[i][l])
					leg_free(mgr, call, &call->media[i].leg[l], l);
	} else {
		/* The next offer frees them once the worker is done (or the call). */
		for (unsigned int i = 0; i < n; i++)
			for (unsigned int l = 0; l < 2; l++)
				if (opened[i][l])
					call->media[i].leg[l].release_seq = posted ? seq : UINT64_MAX;
		CALL_LOG(WARNING, call, "offer failed and worker %u is behind: its new ports are "
			 "released later", call->worker);
	}
	for (unsigned int i = 0; i < n; i++) {
		struct call_media *cm = &call->media[i];

		cm->active = saved[i].active;
		cm->type = saved[i].type;
		cm->leg[a].mux = saved[i].mux;
		cm->leg[a].sig_rtp = saved[i].sig_rtp;
		cm->leg[a].sig_rtcp = saved[i].sig_rtcp;
	}
}

static bool
media_on_hold(const struct wrtc_call *call)
{
	for (unsigned int i = 0; i < call->n_media; i++) {
		if (!call->media[i].active)
			continue;
		for (unsigned int l = 0; l < 2; l++) {
			const struct wrtc_sdp *sdp = call->leg[l].sdp;

			if (sdp != NULL && i < sdp->n_media && wrtc_sdp_media_is_hold(sdp, i))
				return true;
		}
	}
	return false;
}

int
call_offer(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int a,
	   const char *text, size_t len, bool ice_restart, char **out, char *err, size_t errlen)
{
	const unsigned int b = 1 - a;
	const struct wrtc_config_psp *psp_a = psp_of(mgr, call, a);
	const struct wrtc_config_psp *psp_b = psp_of(mgr, call, b);
	const unsigned int old_n = call->n_media;
	struct media_save saved[SESS_MAX_MEDIA];
	bool opened[SESS_MAX_MEDIA][2];
	struct wrtc_sdp_codec_policy pol;
	struct wrtc_sdp *sdp = NULL;
	int rc;

	rc = parse_in(mgr, call, a, text, len, &sdp, err, errlen);
	if (rc != 0)
		return rc;
	if (sdp->n_media == 0 || sdp->n_media > SESS_MAX_MEDIA) {
		snprintf(err, errlen, "sdp: %u m-lines (1..%u supported)", sdp->n_media,
			 SESS_MAX_MEDIA);
		wrtc_sdp_free(sdp);
		return -EINVAL;
	}
	if (call->n_media > sdp->n_media) {
		snprintf(err, errlen, "sdp: re-offer has %u m-lines, fewer than the %u before",
			 sdp->n_media, call->n_media);
		wrtc_sdp_free(sdp);
		return -EINVAL;
	}
	rc = latch_conn_check(mgr, call, a, sdp, err, errlen);
	if (rc != 0) {
		wrtc_sdp_free(sdp);
		return rc;
	}
	if (ice_restart) {
		bool ice = false;

		for (unsigned int i = 0; i < call->n_media; i++)
			ice |= call->media[i].active && call->media[i].leg[b].ice != NULL;
		if (!ice) {
			/* Refused before anything changed. */
			snprintf(err, errlen, "ice_restart: leg %s runs no ICE", call->leg[b].tag);
			wrtc_sdp_free(sdp);
			mgr->st.offers_failed++;
			return -ENOTSUP;
		}
	}
	/* Everything this offer posts must fit: refuse now rather than half apply. */
	rc = ctrl_reserve(mgr, call->worker, sdp->n_media * SESS_MSGS_PER_MEDIA);
	if (rc != 0) {
		snprintf(err, errlen, "worker %u is behind on control messages: retry",
			 call->worker);
		wrtc_sdp_free(sdp);
		return rc;
	}
	memset(opened, 0, sizeof(opened));
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		const struct call_media *cm = &call->media[i];

		saved[i] = (struct media_save){
			.active = cm->active, .type = cm->type, .mux = cm->leg[a].mux,
			.sig_rtp = cm->leg[a].sig_rtp, .sig_rtcp = cm->leg[a].sig_rtcp,
		};
	}
	policy_from_psp(mgr->cfg, psp_b, &pol);
	if (old_n == 0)
		relay_decide(call);
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		const struct wrtc_sdp_media *m = &sdp->media[i];
		struct call_media *cm = &call->media[i];

		cm->type = m->type;
		cm->active = relay_media_accepted(call, m, call->sctp_reason,
						  sizeof(call->sctp_reason));
		call->sctp |= cm->active && m->proto == WRTC_SDP_PROTO_UDP_DTLS_SCTP;
		if (!cm->active)
			continue;
		for (unsigned int l = 0; l < 2; l++) {
			struct leg_media *lm = &cm->leg[l];

			/* A pair a failed offer left to a slow worker: free it first. */
			if (lm->port != 0 && lm->release_seq != 0) {
				/* Its REMOVE could not be posted then: try again. */
				if (lm->release_seq == UINT64_MAX &&
				    leg_post_remove(mgr, call, lm) >= 0 &&
				    ctrl_barrier(mgr, call->worker, &lm->release_seq) != 0)
					lm->release_seq = UINT64_MAX;
				if (lm->release_seq == UINT64_MAX ||
				    !ctrl_done(mgr, call->worker, lm->release_seq)) {
					snprintf(err, errlen, "media[%u]: worker %u is behind on "
						 "control messages: retry", i, call->worker);
					rc = -EAGAIN;
					goto fail;
				}
				leg_free(mgr, call, lm, l);
			}
			if (lm->port != 0)
				continue;
			rc = stream_pair_open(mgr, call, i, l, lm);
			opened[i][l] = cm->leg[l].port != 0;
			if (rc != 0) {
				if (rc == -ENOSPC)
					snprintf(err, errlen, "media[%u]: no free media port on %s "
						 "(interfaces[].media_port_min/max)", i,
						 mgr->cfg->interfaces[iface_of(mgr, call, l)].name);
				else
					snprintf(err, errlen, "media[%u]: cannot open the streams on "
						 "worker %u: %s", i, call->worker, strerror(-rc));
				goto fail;
			}
		}
		if (call->e2e)
			cm->leg[a].bundled = cm->leg[b].bundled = relay_bundled_away(call, sdp, i);
		else if (cm->leg[a].ice == NULL)
			/* Terminated: the offerer's group says which m-lines ride
			 * its first one's transport (session_bundle.c). */
			cm->leg[a].bundled = bundle_leg(call, a) && wrtc_sdp_bundled_behind(sdp, i);
		cm->leg[a].mux = m->rtcp_mux && psp_a->rtcp_mux;
		sig_from_sdp(sdp, i, &cm->leg[a]);
		rc = webrtc_leg_local(mgr, call, &cm->leg[a]);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: ICE agent: %s", i, strerror(-rc));
			goto fail;
		}
		rc = webrtc_leg_remote(mgr, call, &cm->leg[a], sdp, i, err, errlen);
		if (rc != 0)
			goto fail;
		/* DTLS end to end or a data channel: the payload is not ours to read. */
		if (call->e2e || m->proto == WRTC_SDP_PROTO_UDP_DTLS_SCTP)
			continue;
		if (cm->dec == NULL && (cm->dec = malloc(sizeof(*cm->dec))) == NULL) {
			snprintf(err, errlen, "media[%u]: out of memory", i);
			rc = -ENOMEM;
			goto fail;
		}
		rc = wrtc_sdp_codec_offer(m, &pol, psp_a->transcode && psp_of(mgr, call, b)->transcode,
					  cm->dec);
		if (rc == 0 && call->leg[b].sdp != NULL && i < call->leg[b].sdp->n_media)
			keep_pt_bindings(cm->dec, &call->leg[b].sdp->media[i]);
		if (rc == -ENOENT) {
			cm->active = false;
			continue;
		}
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: codec negotiation failed", i);
			goto fail;
		}
	}
	call->n_media = sdp->n_media;
	if (ice_restart) {
		/* The gateway restarts ICE towards b (new ufrag/pwd in this offer). */
		rc = webrtc_restart_local(mgr, call, b, err, errlen);
		if (rc != 0)
			goto fail;
	}
	bundle_plan_offered(call, b);
	rc = rewrite_for(mgr, call, b, sdp, true, NULL, out, err, errlen);
	if (rc != 0)
		goto fail;
	for (unsigned int i = 0; i < call->n_media; i++) {
		struct call_media *cm = &call->media[i];

		if (cm->leg[a].rtp == NULL)
			continue;
		leg_route(mgr, call, &cm->leg[a], true);
		/* A message that cannot be posted marks the call degraded (session_ctrl.c). */
		if (wire(mgr, call, cm) != 0)
			CALL_LOG(WARNING, call, "media[%u]: wiring not posted", i);
	}
	wrtc_sdp_free(call->leg[a].sdp);
	call->leg[a].sdp = sdp;
	call->offerer = (uint8_t)a;
	if (mgr->ha != NULL) {
		/* The record replays this offer (session_ha.c); a copy that cannot be
		 * made leaves the call unpersisted, with the last record kept. */
		char *copy = strndup(text, len);

		if (copy != NULL) {
			free(call->ha_offer);
			free(call->ha_answer);
			call->ha_offer = copy;
			call->ha_answer = NULL;
			call->ha_offer_leg = (uint8_t)a;
		} else {
			CALL_LOG(WARNING, call, "offer not persisted: out of memory");
		}
	}
	call->on_hold = media_on_hold(call);
	mgr->st.offers++;
	return 0;
fail:
	call->n_media = old_n;
	offer_rollback(mgr, call, a, sdp->n_media, saved, opened);
	wrtc_sdp_free(sdp);
	mgr->st.offers_failed++;
	return rc != 0 ? rc : -EINVAL;
}

/* Encoder settings for @p codec from the codec entries of leg @p leg's profile. */
static void
enc_prm(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int leg,
	const char *codec, struct wrtc_codec_enc_prm *e)
{
	const struct wrtc_config_psp *psp = psp_of(mgr, call, leg);

	memset(e, 0, sizeof(*e));
	e->complexity = -1;
	for (unsigned int k = 0; k < psp->n_codecs; k++) {
		const struct wrtc_config_codec_entry *ce = &mgr->cfg->codec_entries[psp->codecs[k]];

		if (strcasecmp(wrtc_config_codec_str(ce->codec), codec) != 0)
			continue;
		e->complexity = ce->complexity;
		e->bitrate = (int)ce->bitrate;
		e->fec = ce->fec;
		e->dtx = ce->dtx;
		return;
	}
}

static int
side_prm(const struct wrtc_sdp_codec *c, uint32_t ptime, int te_pt, uint32_t te_clock,
	 struct wrtc_codec_side_prm *s)
{
	const struct wrtc_codec_ops *ops = wrtc_codec_ops_find(c->name);

	if (ops == NULL)
		return -ENOTSUP;
	memset(s, 0, sizeof(*s));
	s->codec = ops->id;
	s->pt = (uint8_t)c->pt;
	s->clock = c->clock;
	s->ptime = (uint16_t)(ptime ? ptime : 20);
	/* Opus only packs 10/20/40/60 ms; any Opus packet length is accepted by
	 * receivers, so an odd signalled ptime falls back to 20 ms. */
	if (ops->frame_ok != NULL && !ops->frame_ok(s->ptime))
		s->ptime = 20;
	s->dtmf_pt = te_pt;
	s->dtmf_clock = te_clock;
	s->cn_pt = -1;
	return 0;
}

/* Free the retired transcoders of @p lm the worker has let go of: it applied
 * the update that replaced each (docs/architecture.md, control messages). */
static void
xcoder_reap(struct wrtc_session_mgr *mgr, const struct wrtc_call *call, struct leg_media *lm)
{
	unsigned int j = 0;

	for (unsigned int k = 0; k < lm->n_xretired; k++) {
		if (lm->xretired_seq[k] != UINT64_MAX &&
		    ctrl_done(mgr, call->worker, lm->xretired_seq[k])) {
			wrtc_codec_xcoder_free(lm->xretired[k]);
			continue;
		}
		lm->xretired[j] = lm->xretired[k];
		lm->xretired_seq[j++] = lm->xretired_seq[k];
	}
	lm->n_xretired = j;
}

/* Room to retire one more transcoder of @p lm: what the worker released is
 * freed; if every slot is still held, wait (bounded) for the worker.
 * @return 0, or -EAGAIN (the worker is behind: the caller retries). */
static int
xcoder_retire_room(struct wrtc_session_mgr *mgr, const struct wrtc_call *call,
		   struct leg_media *lm)
{
	xcoder_reap(mgr, call, lm);
	if (lm->n_xretired < RTE_DIM(lm->xretired))
		return 0;
	if (ctrl_wait(mgr, call->worker, SESS_RPC_WAIT_US) == 0)
		xcoder_reap(mgr, call, lm);
	return lm->n_xretired < RTE_DIM(lm->xretired) ? 0 : -EAGAIN;
}

static bool
same_codec(const struct wrtc_sdp_codec *c, const struct wrtc_sdp_codec_desc *d)
{
	return d->name[0] != '\0' && strcasecmp(c->name, d->name) == 0 && c->clock == d->clock &&
	       (c->channels ? c->channels : 1) == (d->channels ? d->channels : 1);
}

/*
 * A re-offer keeps the payload types side b already bound in this session
 * (its last SDP for the m-line; RFC 3264 8.3.2): a codec it had gets its PT
 * back, and a dynamic PT it bound to another codec is not given to a new
 * one (Chromium refuses the answer otherwise).
 */
static void
keep_pt_bindings(struct wrtc_sdp_codec_decision *dec, const struct wrtc_sdp_media *prev)
{
	bool used[128] = {false}, bound[128] = {false};
	int want[WRTC_SDP_MAX_CODECS];

	for (unsigned int k = 0; k < prev->n_codecs; k++)
		bound[prev->codecs[k].pt & 0x7f] = true;
	for (unsigned int i = 0; i < dec->n_b_offer; i++) {
		want[i] = -1;
		for (unsigned int k = 0; k < prev->n_codecs && want[i] < 0; k++)
			if (same_codec(&dec->b_offer[i], &prev->codecs[k]))
				want[i] = prev->codecs[k].pt & 0x7f;
		if (want[i] >= 0 && !used[want[i]])
			used[want[i]] = true;
		else
			want[i] = -1;
	}
	for (unsigned int i = 0; i < dec->n_b_offer; i++) {
		int pt = dec->b_offer[i].pt;

		if (want[i] >= 0) {
			dec->b_offer[i].pt = want[i];
			continue;
		}
		if (pt >= 0 && pt < 128 && !used[pt] && (pt < 96 || !bound[pt])) {
			used[pt] = true;
			continue;
		}
		for (int c = 96; c < 128; c++) {
			if (!used[c] && !bound[c]) {
				dec->b_offer[i].pt = c;
				used[c] = true;
				break;
			}
		}
	}
}

/* @p xp (output SSRC, sequence and timestamp aside) is what @p lm's current
 * transcoder was made with. */
static bool
xcoder_unchanged(const struct leg_media *lm, const struct wrtc_codec_xcoder_prm *xp)
{
	struct wrtc_codec_xcoder_prm x, y;

	if (lm->xcoder == NULL)
		return false;
	memcpy(&x, xp, sizeof(x));
	memcpy(&y, &lm->xprm, sizeof(y));
	x.out_ssrc = y.out_ssrc = 0;
	x.out_seq = y.out_seq = 0;
	x.out_ts = y.out_ts = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

/* The codec decision is complete: transcoders, or the payload-type map of a
 * relayed stream, for both directions. */
static int
media_setup(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct call_media *cm,
	    char *err, size_t errlen)
{
	const unsigned int a = call->offerer, b = 1 - a;
	const struct wrtc_sdp_codec_decision *d = cm->dec;

	for (unsigned int dir = 0; dir < 2; dir++) {
		unsigned int from = dir == 0 ? a : b, to = dir == 0 ? b : a;
		struct leg_media *lm = &cm->leg[from];
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_MEDIA};
		struct wrtc_codec_xcoder *old = NULL;
		int rc;

		if (lm->rtp == NULL)
			continue;
		/* A change of handling continues the outgoing stream (lib/worker). */
		u.keep_ssrc = !psp_of(mgr, call, to)->reoffer_new_ssrc;
		if (d->mode == WRTC_SDP_CODEC_TRANSCODE) {
			struct wrtc_codec_xcoder_prm xp;

			memset(&xp, 0, sizeof(xp));
			rc = side_prm(from == a ? &d->a_codec : &d->b_codec,
				      from == a ? d->a_ptime : d->b_ptime,
				      from == a ? d->a_te_pt : d->b_te_pt,
				      from == a ? d->a_te_clock : d->b_te_clock, &xp.in);
			if (rc == 0)
				rc = side_prm(to == a ? &d->a_codec : &d->b_codec,
					      to == a ? d->a_ptime : d->b_ptime,
					      to == a ? d->a_te_pt : d->b_te_pt,
					      to == a ? d->a_te_clock : d->b_te_clock, &xp.out);
			if (rc != 0) {
				snprintf(err, errlen, "media[%u]: cannot transcode %s to %s", lm->index,
					 d->a_codec.name, d->b_codec.name);
				return rc;
			}
			enc_prm(mgr, call, to, xp.out.codec == WRTC_CODEC_OPUS ? "opus" :
				to == a ? d->a_codec.name : d->b_codec.name, &xp.enc);
			if (xcoder_unchanged(lm, &xp)) {
				/* Same decision (hold, resume, a re-INVITE that changes nothing
				 * here): the transcoder and its output stream go on. */
				u.xcoder = lm->xcoder;
				u.drop_rtcp = true;
				mgr->st.xcoders_kept++;
				goto post;
			}
			if (sess_random(&xp.out_ssrc, sizeof(xp.out_ssrc)) != 0 ||
			    sess_random(&xp.out_seq, sizeof(xp.out_seq)) != 0 ||
			    sess_random(&xp.out_ts, sizeof(xp.out_ts)) != 0) {
				snprintf(err, errlen, "media[%u]: no random bytes for the transcoder",
					 lm->index);
				return -EIO;
			}
			/* A changed codec goes on in the same outgoing stream (the worker
			 * continues it from the old transcoder or the relayed stream:
			 * media_continue() in lib/worker). */
			if (lm->xcoder != NULL && !psp_of(mgr, call, to)->reoffer_new_ssrc)
				xp.out_ssrc = lm->xprm.out_ssrc;
			u.xcoder = wrtc_codec_xcoder_create(&xp);
			if (u.xcoder == NULL) {
				snprintf(err, errlen, "media[%u]: transcoder %s -> %s: %s", lm->index,
					 from == a ? d->a_codec.name : d->b_codec.name,
					 to == a ? d->a_codec.name : d->b_codec.name, strerror(errno));
				return errno == ENOMEM ? -ENOMEM : -EINVAL;
			}
			mgr->st.xcoders_created++;
			memcpy(&lm->xprm, &xp, sizeof(xp));
			lm->rewritten = false;
			/* Relayed RTCP would describe the other codec's stream. */
			u.drop_rtcp = true;
		} else {
			memset(u.pt_map, 0xff, sizeof(u.pt_map));
			for (unsigned int k = 0; k < d->n_map; k++) {
				uint8_t in = from == a ? d->map[k].a_pt : d->map[k].b_pt;
				uint8_t out = from == a ? d->map[k].b_pt : d->map[k].a_pt;

				u.pt_map[in & 0x7f] = out;
				u.pt_remap |= in != out;
			}
			u.clock = d->a_codec.clock;
			/* After a transcoder, the worker rewrites what it relays into the
			 * transcoder's stream; the peer's RTCP describes its own. */
			lm->rewritten = u.keep_ssrc && (lm->xcoder != NULL || lm->rewritten);
			u.drop_rtcp = lm->rewritten;
		}
		if (lm->xcoder != NULL) {
			rc = xcoder_retire_room(mgr, call, lm);
			if (rc != 0) {
				wrtc_codec_xcoder_free(u.xcoder);
				snprintf(err, errlen, "media[%u]: worker %u has not released earlier "
					 "transcoders yet: retry", lm->index, call->worker);
				return rc;
			}
			old = lm->xcoder;
		}
		lm->xcoder = u.xcoder;
post:
		u.rtp_stream = lm->rtp;
		u.rtcp_out = lm->mux ? lm->rtp : lm->rtcp;
		/* Only an allocation failure stops these; it marks the call degraded
		 * (session_ctrl.c) and the transcoder stays ours, freed with the call. */
		rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
		if (old != NULL) {
			/* The old transcoder is the worker's until it applied the update
			 * that replaces it; if that update was not posted, until the end. */
			lm->xretired[lm->n_xretired] = old;
			lm->xretired_seq[lm->n_xretired++] = rc == 0 ? mgr->msg_seq : UINT64_MAX;
			old = NULL;
		}
		u.xcoder = NULL;
		if (rc == 0)
			rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtcp, &u);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: out of memory for a control message",
				 lm->index);
			return rc;
		}
	}
	return 0;
}

int
call_answer(struct wrtc_session_mgr *mgr, struct wrtc_call *call, const char *text, size_t len,
	    char **out, char *err, size_t errlen)
{
	const unsigned int a = call->offerer, b = 1 - a;
	const struct wrtc_config_psp *psp_b = psp_of(mgr, call, b);
	const struct wrtc_sdp *offer = call->leg[a].sdp;
	struct wrtc_sdp *sdp = NULL;
	int rc;

	if (offer == NULL) {
		snprintf(err, errlen, "call_id: no offer to answer");
		return -ENOENT;
	}
	rc = parse_in(mgr, call, b, text, len, &sdp, err, errlen);
	if (rc != 0)
		return rc;
	if (sdp->n_media != offer->n_media) {
		snprintf(err, errlen, "sdp: answer has %u m-lines, the offer had %u", sdp->n_media,
			 offer->n_media);
		wrtc_sdp_free(sdp);
		return -EINVAL;
	}
	rc = latch_conn_check(mgr, call, b, sdp, err, errlen);
	if (rc != 0) {
		wrtc_sdp_free(sdp);
		return rc;
	}
	/* What an answer creates (ICE agent, DTLS association, SRTP contexts,
	 * transcoders) belongs to leg b's m-lines and is freed with them; it only
	 * starts when the worker has room for all its messages. */
	rc = ctrl_reserve(mgr, call->worker, sdp->n_media * SESS_MSGS_PER_MEDIA);
	if (rc != 0) {
		snprintf(err, errlen, "worker %u is behind on control messages: retry",
			 call->worker);
		wrtc_sdp_free(sdp);
		return rc;
	}
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		const struct wrtc_sdp_media *m = &sdp->media[i];
		struct call_media *cm = &call->media[i];

		if (!cm->active)
			continue;
		if (m->port == 0) {
			cm->active = false;
			continue;
		}
		if (cm->type == WRTC_SDP_MEDIA_AUDIO && cm->dec != NULL)
			cm->dec->accept_a_pt = profile_accept_pt(call, b, &offer->media[i]);
		if (cm->type == WRTC_SDP_MEDIA_AUDIO && !call->e2e &&
		    (cm->dec == NULL || wrtc_sdp_codec_answer(cm->dec, &offer->media[i], m) != 0)) {
			cm->active = false;
			continue;
		}
		cm->leg[b].mux = m->rtcp_mux && psp_b->rtcp_mux;
		sig_from_sdp(sdp, i, &cm->leg[b]);
		rc = webrtc_leg_local(mgr, call, &cm->leg[b]);
		if (rc == 0)
			rc = webrtc_leg_remote(mgr, call, &cm->leg[b], sdp, i, err, errlen);
		if (rc == 0 && psp_b->sdes)
			rc = sdes_remote(mgr, call, &cm->leg[b], m, true, err, errlen);
		if (rc == 0 && cm->type == WRTC_SDP_MEDIA_AUDIO && !call->e2e)
			rc = media_setup(mgr, call, cm, err, errlen);
		if (rc != 0) {
			wrtc_sdp_free(sdp);
			mgr->st.answers_failed++;
			return rc;
		}
	}
	rc = rewrite_for(mgr, call, a, sdp, false, offer, out, err, errlen);
	if (rc != 0) {
		wrtc_sdp_free(sdp);
		mgr->st.answers_failed++;
		return rc;
	}
	for (unsigned int i = 0; i < call->n_media; i++) {
		struct call_media *cm = &call->media[i];

		if (cm->leg[b].rtp == NULL)
			continue;
		leg_route(mgr, call, &cm->leg[b], true);
		/* The call starts: the offerer's learning window opens again. */
		if (cm->leg[a].rtp != NULL)
			leg_route(mgr, call, &cm->leg[a], true);
		/* A message that cannot be posted marks the call degraded (session_ctrl.c). */
		if (wire(mgr, call, cm) != 0)
			CALL_LOG(WARNING, call, "media[%u]: wiring not posted", i);
	}
	wrtc_sdp_free(call->leg[b].sdp);
	call->leg[b].sdp = sdp;
	/* Both sides known: the WebRTC legs' demultiplexing tables. */
	for (unsigned int l = 0; l < 2; l++)
		if (bundle_sync(mgr, call, l) != 0)
			CALL_LOG(WARNING, call, "leg %s: BUNDLE table not given to the worker",
				 call->leg[l].tag);
	call->on_hold = media_on_hold(call);
	call->state = CALL_ANSWERED;
	call->answered_tsc = rte_rdtsc();
	mgr->st.answers++;
	if (mgr->ha != NULL && call->ha_offer != NULL) {
		char *copy = strndup(text, len);

		if (copy != NULL) {
			free(call->ha_answer);
			call->ha_answer = copy;
		} else {
			CALL_LOG(WARNING, call, "answer not persisted: out of memory");
		}
	}
	return 0;
}

uint64_t
call_last_activity(const struct wrtc_call *call)
{
	uint64_t last = RTE_MAX(call->created_tsc, call->answered_tsc);

	for (unsigned int i = 0; i < call->n_media; i++)
		for (unsigned int l = 0; l < 2; l++) {
			const struct leg_media *lm = &call->media[i].leg[l];

			if (lm->rtp != NULL)
				last = RTE_MAX(last, __atomic_load_n(&lm->rtp->c.last_rx_tsc,
								     __ATOMIC_RELAXED));
			if (lm->rtcp != NULL)
				last = RTE_MAX(last, __atomic_load_n(&lm->rtcp->c.last_rx_tsc,
								     __ATOMIC_RELAXED));
			/* WebRTC legs: ICE consent and DTLS count too (session_webrtc.c). */
			last = RTE_MAX(last, lm->ctrl_rx_tsc);
		}
	return last;
}

/* Seconds without activity before the call ends: hold_timeout while on hold. */
uint32_t
call_timeout(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call)
{
	return call->on_hold ? mgr->cfg->control.hold_timeout : mgr->cfg->control.media_timeout;
}

static uint64_t
leg_bytes(const struct leg_media *lm, bool rx)
{
	uint64_t n = 0;

	if (lm->rtp != NULL)
		n += rx ? lm->rtp->c.rx_bytes : lm->rtp->c.tx_bytes;
	if (lm->rtcp != NULL)
		n += rx ? lm->rtcp->c.rx_bytes : lm->rtcp->c.tx_bytes;
	return n;
}

void
call_sample(struct wrtc_session_mgr *mgr, struct wrtc_call *call)
{
	for (unsigned int i = 0; i < call->n_media; i++)
		for (unsigned int l = 0; l < 2; l++) {
			struct leg_media *lm = &call->media[i].leg[l];
			uint64_t rx = leg_bytes(lm, true), tx = leg_bytes(lm, false);

			/* The timer runs about once a second; the rate is over that second. */
			lm->rx_kbps = (uint32_t)((rx - lm->prev_rx_bytes) * 8 / 1000);
			lm->tx_kbps = (uint32_t)((tx - lm->prev_tx_bytes) * 8 / 1000);
			mgr->st.media_rx_bytes += rx - lm->prev_rx_bytes;
			mgr->st.media_tx_bytes += tx - lm->prev_tx_bytes;
			lm->prev_rx_bytes = rx;
			lm->prev_tx_bytes = tx;
			if (l == 1)
				quality_sample(call, i);
			/* A latch the worker learned since the last record: write it
			 * (the state is the worker's, read atomically as `query` does). */
			if (mgr->ha != NULL && lm->rtp != NULL &&
			    lm->rtp->remote_mode == WRTC_FLOW_REMOTE_LATCH) {
				uint8_t st = __atomic_load_n(&lm->rtp->learn.state,
							     __ATOMIC_RELAXED) ==
					     WRTC_FLOW_LEARN_LEARNED ? WRTC_HA_LEARN_LATCHED :
					     WRTC_HA_LEARN_SIGNALLED;

				if (st != call->ha_learn[i][l]) {
					call->ha_learn[i][l] = st;
					ha_mark(mgr, call);
				}
			}
			/* SRTP: written again before the stored sequence is too far
			 * behind to give the right ROC on a restore (half of 2^15). */
			if (mgr->ha != NULL)
				for (unsigned int k = 0; k < 2; k++) {
					const struct wrtc_srtp *ctx = k == 0 ? lm->srtp_rx :
									       lm->srtp_tx;
					uint64_t idx;
					uint32_t ssrc, rtcp;

					if (ctx != NULL &&
					    wrtc_srtp_published(ctx, &ssrc, &idx, &rtcp) &&
					    (idx > lm->ha_idx[k] ? idx - lm->ha_idx[k] :
								   lm->ha_idx[k] - idx) >= 16384)
						ha_mark(mgr, call);
				}
		}
}

static json_t *
stream_json(const struct wrtc_session_mgr *mgr, const struct wrtc_stream *s)
{
	const struct wrtc_flow_counters *c = &s->c;
	json_t *o, *drops = json_object();
	char local[WRTC_NET_ADDR_PORT_STRLEN], remote[WRTC_NET_ADDR_PORT_STRLEN];
	struct wrtc_flow_ep ep = {.port = s->local_port};

	ep.ip = s->ifc->ip4.family != 0 ? s->ifc->ip4 : s->ifc->ip6;
	wrtc_flow_ep_str(&ep, local, sizeof(local));
	wrtc_flow_ep_str(&s->remote, remote, sizeof(remote));
	for (unsigned int r = 1; r < WRTC_DROP_MAX; r++)
		if (s->drop_reasons[r] != 0)
			json_object_set_new(drops, wrtc_drop_name(r), json_integer(s->drop_reasons[r]));
	o = json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I}",
		      "local", local, "remote", remote,
		      "latched", c->latched_tsc != 0,
		      "rx_packets", (json_int_t)c->rx_pkts, "rx_bytes", (json_int_t)c->rx_bytes,
		      "tx_packets", (json_int_t)c->tx_pkts, "tx_bytes", (json_int_t)c->tx_bytes,
		      "drops", (json_int_t)c->drops, "rtcp_packets", (json_int_t)c->rtcp_rx);
	json_object_set_new(o, "drop_reasons", drops);
	if (c->rtp_ssrc != 0)
		json_object_set_new(o, "ssrc", json_integer((json_int_t)c->rtp_ssrc));
	if (__atomic_load_n(&c->kf_requests, __ATOMIC_RELAXED) != 0)
		json_object_set_new(o, "keyframe_requests", json_integer((json_int_t)
				    __atomic_load_n(&c->kf_requests, __ATOMIC_RELAXED)));
	if (s->remote_mode == WRTC_FLOW_REMOTE_LATCH)
		json_object_set_new(o, "learning", latch_status(mgr, s));
	return o;
}

static json_t *
codec_json(const struct wrtc_sdp_codec *c)
{
	return json_pack("{s:s, s:i, s:I, s:I}", "name", c->name, "payload_type", c->pt,
			 "clock", (json_int_t)c->clock, "ptime", (json_int_t)c->ptime);
}

json_t *
call_status(struct wrtc_session_mgr *mgr, const struct wrtc_call *call, bool final)
{
	uint64_t now = rte_rdtsc();
	json_t *legs = json_array(), *streams = json_array(), *o;

	for (unsigned int l = 0; l < 2; l++) {
		const struct wrtc_config_trunk_group *tg = tg_of(mgr, call, l);
		json_t *bo = bundle_status(call, l);
		json_t *lo = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			"tag", call->leg[l].tag, "role", l == call->offerer ? "offerer" : "answerer",
			"trunk_group", tg->name, "kind", wrtc_config_trunk_kind_str(tg->kind),
			"ice", wrtc_config_ice_str(tg->ice),
			"security", psp_of(mgr, call, l)->srtp ? "srtp" : "none",
			"interface", mgr->cfg->interfaces[tg->interface].name);

		if (bo != NULL)
			json_object_set_new(lo, "bundle", bo);
		json_array_append_new(legs, lo);
	}
	for (unsigned int i = 0; i < call->n_media; i++) {
		const struct call_media *cm = &call->media[i];
		json_t *sl = json_array(), *so;

		for (unsigned int l = 0; l < 2; l++) {
			const struct leg_media *lm = &cm->leg[l];

			if (lm->rtp == NULL)
				continue;
			json_t *lo = json_pack("{s:s, s:i, s:b, s:b, s:o, s:o, s:i, s:i}",
				"leg", call->leg[l].tag, "port", lm->port, "rtcp_mux", lm->mux,
				"next_hop_pending", lm->need_route,
				"rtp", stream_json(mgr, lm->rtp), "rtcp", stream_json(mgr, lm->rtcp),
				"rx_kbps", lm->rx_kbps, "tx_kbps", lm->tx_kbps);

			json_t *wo = webrtc_leg_status(mgr, lm);

			if (lm->xcoder != NULL) {
				const struct wrtc_codec_xcoder_stats *xs =
					wrtc_codec_xcoder_stats(lm->xcoder);

				json_object_set_new(wo, "transcoder", json_pack(
					"{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
					"in_packets", (json_int_t)xs->in_packets,
					"in_lost", (json_int_t)xs->in_lost,
					"plc_samples", (json_int_t)xs->plc_samples,
					"fec_frames", (json_int_t)xs->fec_frames,
					"dtmf", (json_int_t)xs->dtmf_in,
					"out_packets", (json_int_t)xs->out_packets,
					"encode_errors", (json_int_t)xs->out_encode_err));
			}

			json_object_update(lo, wo);
			json_decref(wo);
			{
				json_t *qo = quality_json(lm);

				if (qo != NULL)
					json_object_set_new(lo, "quality", qo);
			}
			json_object_set_new(lo, "security", json_string(
				call->e2e ? "relayed end to end" :
				lm->fallback ? "none (dtls fallback)" :
				lm->dtls_connected ? "srtp-terminated" :
				lm->dtls_on ? "srtp-pending" :
				lm->sdes_on && lm->srtp_rx != NULL ? "srtp-sdes" :
				lm->sdes_on ? "srtp-sdes-pending" : "none"));
			if (lm->sdes_on && lm->sdes_suite != NULL)
				json_object_set_new(lo, "srtp_suite", json_string(lm->sdes_suite));
			if (lm->bundled)
				json_object_set_new(lo, "bundled", json_true());
			json_object_set_new(lo, "srtp_context", json_boolean(
				lm->srtp_rx != NULL || lm->srtp_tx != NULL));
			if ((cm->type == WRTC_SDP_MEDIA_APPLICATION && !call->e2e &&
			     !lm->bundled) || lm->dc_packets + lm->dc_dropped > 0)
				json_object_set_new(lo, "data_channel", json_pack("{s:I, s:I, s:I}",
					"forwarded_packets", (json_int_t)lm->dc_packets,
					"forwarded_bytes", (json_int_t)lm->dc_bytes,
					"dropped", (json_int_t)lm->dc_dropped));
			json_array_append_new(sl, lo);
		}
		so = json_pack("{s:i, s:s, s:s, s:o}", "index", i,
			       "type", cm->type == WRTC_SDP_MEDIA_AUDIO ? "audio" :
				       cm->type == WRTC_SDP_MEDIA_VIDEO ? "video" : "other",
			       "state", cm->active ? "active" : "rejected", "legs", sl);
		if (cm->type == WRTC_SDP_MEDIA_APPLICATION)
			json_object_set_new(so, "type", json_string("application"));
		if (cm->active && cm->dec != NULL && cm->dec->answered) {
			json_object_set_new(so, "codec_mode",
				json_string(cm->dec->mode == WRTC_SDP_CODEC_RELAY ? "relay" :
					    cm->dec->mode == WRTC_SDP_CODEC_TRANSCODE ? "transcode" :
					    "reject"));
			json_object_set_new(so, "codec_offerer", codec_json(&cm->dec->a_codec));
			json_object_set_new(so, "codec_answerer", codec_json(&cm->dec->b_codec));
		}
		json_array_append_new(streams, so);
	}
	o = json_pack("{s:s, s:s, s:I, s:f, s:i, s:o, s:o}", "call_id", call->id,
		      "state", final ? "deleted" : call->removing ? "removing" :
			       call->state == CALL_ANSWERED ? "answered" : "offered",
		      "created", (json_int_t)call->created,
		      "duration", (double)(now - call->created_tsc) / (double)mgr->hz,
		      "worker", call->worker, "legs", legs, "streams", streams);
	{
		uint64_t last = call_last_activity(call);

		json_object_set_new(o, "timeouts", json_pack("{s:i, s:i, s:b, s:i, s:f}",
			"media_timeout", (int)mgr->cfg->control.media_timeout,
			"hold_timeout", (int)mgr->cfg->control.hold_timeout,
			"on_hold", call->on_hold, "timeout", (int)call_timeout(mgr, call),
			"last_activity_age", last < now ? (double)(now - last) / (double)mgr->hz : 0.0));
	}
	json_object_set_new(o, "degraded", json_boolean(call->lost_msgs != 0));
	json_object_set_new(o, "relay", relay_status(call));
	json_object_set_new(o, "ctrl_lost", json_integer((json_int_t)call->lost_msgs));
	if (call->lost_msgs != 0)
		json_object_set_new(o, "control_messages_lost", json_integer((json_int_t)call->lost_msgs));
	if (call->calling[0] != '\0')
		json_object_set_new(o, "calling", json_string(call->calling));
	if (call->called[0] != '\0')
		json_object_set_new(o, "called", json_string(call->called));
	if (call->capture != NULL)
		json_object_set_new(o, "capture", json_pack("{s:s, s:I}", "file", call->capture_file,
			"packets", (json_int_t)wrtc_capture_packets(call->capture)));
	return o;
}

static const char *
leg_security(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int l)
{
	for (unsigned int i = 0; i < call->n_media; i++) {
		const struct leg_media *lm = &call->media[i].leg[l];

		if (lm->rtp == NULL)
			continue;
		if (call->e2e)
			return "dtls-srtp relayed end to end";
		if (lm->dtls_connected)
			return "dtls-srtp";
		if (lm->fallback)
			return "rtp (dtls fallback)";
		if (lm->sdes_on && lm->sdes_suite != NULL)
			return "sdes-srtp";
	}
	return psp_of(mgr, call, l)->srtp ? "srtp (not keyed)" : "rtp";
}

/*
 * One line per call when it ends, for operators and log pipelines:
 * duration, then per leg: packets received and sent, dropped at the
 * gateway, lost upstream (sequence gaps a transcoder saw), security; and the
 * codec of each leg of the first m-line.
 */
void
call_log_summary(struct wrtc_session_mgr *mgr, const struct wrtc_call *call)
{
	uint64_t rx[2] = {0}, tx[2] = {0}, dropped[2] = {0}, lost[2] = {0};
	const char *codec[2] = {"-", "-"};
	const char *mode = "";
	char legs[2][192];

	for (unsigned int i = 0; i < call->n_media; i++) {
		const struct call_media *cm = &call->media[i];

		for (unsigned int l = 0; l < 2; l++) {
			const struct leg_media *lm = &cm->leg[l];
			const struct wrtc_stream *st[2] = {lm->rtp, lm->rtcp};

			for (unsigned int k = 0; k < 2; k++) {
				if (st[k] == NULL)
					continue;
				rx[l] += st[k]->c.rx_pkts;
				tx[l] += st[k]->c.tx_pkts;
				dropped[l] += st[k]->c.drops;
			}
			/* The transcoder of what leg l sends reads the other leg's input. */
			if (lm->xcoder != NULL)
				lost[1 - l] += wrtc_codec_xcoder_stats(lm->xcoder)->in_lost;
		}
		if (i == 0 && cm->active && cm->dec != NULL && cm->dec->answered) {
			codec[0] = cm->dec->a_codec.name;
			codec[1] = cm->dec->b_codec.name;
			mode = cm->dec->mode == WRTC_SDP_CODEC_TRANSCODE ? " (transcoded)" : "";
		}
	}
	for (unsigned int l = 0; l < 2; l++)
		snprintf(legs[l], sizeof(legs[l]),
			 "%s rx %" PRIu64 " tx %" PRIu64 " dropped %" PRIu64 " lost %" PRIu64
			 " %s %s", call->leg[l].tag[0] ? call->leg[l].tag : "-", rx[l], tx[l],
			 dropped[l], lost[l], leg_security(mgr, call, l), codec[l]);
	CALL_LOG(NOTICE, call, "ended (%s): %.1f s, %s, legs: [%s] [%s]%s", call->end_reason,
		 (double)(rte_rdtsc() - call->created_tsc) / (double)mgr->hz,
		 call->state == CALL_ANSWERED ? "answered" : "never answered", legs[0], legs[1],
		 mode);
}

/*
 * Remove a call: every m-line slot is released (also those a failed offer
 * opened beyond n_media). The worker first lets go of the streams (REMOVE,
 * then a barrier); only then are they, the ports and the port-map entries
 * freed, so nothing the worker or a late slow-path packet can reach points
 * into freed memory. A worker that does not confirm within @p wait_us leaves
 * the call "removing": call_find() callers refuse it, the one-second timer
 * frees it once the worker caught up.
 * @return 0 (freed), -EAGAIN (removing, retry), -ENOMEM (REMOVE not posted).
 */
int
call_destroy(struct wrtc_session_mgr *mgr, struct wrtc_call *call, json_t **final,
	     uint64_t wait_us)
{
	if (!call->removing) {
		bool wait = false;
		int rc = 0;

		/* A shutdown keeps the record: the restarted gateway restores it. */
		ha_forget(mgr, call, call->end_reason != NULL &&
			  strcmp(call->end_reason, "shutdown") == 0);
		capture_stop(mgr, call, NULL);
		for (unsigned int i = 0; i < SESS_MAX_MEDIA; i++)
			for (unsigned int l = 0; l < 2; l++) {
				int r = leg_post_remove(mgr, call, &call->media[i].leg[l]);

				if (r < 0)
					rc = r;
				wait |= r > 0;
			}
		/* A stream whose REMOVE could not be queued is still in the worker's
		 * table: keep the call (a later delete or the timer retries). */
		if (rc != 0)
			return rc;
		call->remove_seq = 0;
		if (wait) {
			rc = ctrl_barrier(mgr, call->worker, &call->remove_seq);
			if (rc != 0)
				return rc;
		}
		call->removing = true;
		TAILQ_INSERT_TAIL(&mgr->removing, call, rm_next);
	}
	if (!ctrl_done(mgr, call->worker, call->remove_seq) &&
	    (wait_us == 0 ||
	     ctrl_wait_seq(mgr, call->worker, call->remove_seq, wait_us) != 0))
		return -EAGAIN;
	/* The worker no longer sees the streams: their counters are final. */
	call_sample(mgr, call);
	if (call->end_reason != NULL)
		call_log_summary(mgr, call);
	if (final != NULL)
		*final = call_status(mgr, call, true);
	for (unsigned int i = 0; i < SESS_MAX_MEDIA; i++)
		for (unsigned int l = 0; l < 2; l++)
			leg_free(mgr, call, &call->media[i].leg[l], l);
	for (unsigned int l = 0; l < 2; l++) {
		wrtc_sdp_free(call->leg[l].sdp);
		bundle_free(&call->leg[l]);
	}
	for (unsigned int i = 0; i < SESS_MAX_MEDIA; i++)
		free(call->media[i].dec);
	free(call->ha_offer);
	free(call->ha_answer);
	if (call->lost_msgs != 0) {
		CALL_LOG(NOTICE, call, "removed; %" PRIu64 " control message(s) had been lost",
			 call->lost_msgs);
		mgr->n_degraded--;
	}
	call_unlink(mgr, call);
	mgr->st.calls_deleted++;
	free(call);
	return 0;
}
