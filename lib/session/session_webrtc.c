/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The WebRTC side of a call on the control lcore: one ICE agent and one
 * DTLS-SRTP association per m-line of a WebRTC leg. STUN and DTLS packets
 * punted by the workers reach them here; the ICE-selected pair becomes the
 * stream's only remote, and the DTLS keys become the stream's SRTP contexts,
 * both pushed to the worker with UPDATE messages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "session_priv.h"

static void keyframe_ask(struct leg_media *lm);

static const struct wrtc_config_psp *
leg_psp(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	RTE_SET_USED(mgr);
	return call_psp(call, leg);
}

static const struct wrtc_config_trunk_group *
leg_tg(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	RTE_SET_USED(mgr);
	return call_tg(call, leg);
}

static int
random_token(char *buf, size_t len)
{
	static const char alphabet[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
	unsigned char rnd[64];

	if (len > sizeof(rnd) || sess_random(rnd, len) != 0)
		return -EIO;
	for (size_t i = 0; i < len; i++)
		buf[i] = alphabet[rnd[i] % 64];
	buf[len] = '\0';
	return 0;
}

int
random_ice_credentials(struct call_leg *leg)
{
	int rc = random_token(leg->ice_ufrag, 4);

	return rc != 0 ? rc : random_token(leg->ice_pwd, 24);
}

/*
 * Gateway-initiated ICE restart towards @p leg (RFC 8445 9.1.1): new local
 * credentials for the leg, and every m-line agent of it restarts with them;
 * the offer being written carries them. The old pair keeps carrying media
 * until the new generation nominates; the answer's credentials are the new
 * generation's (leg_remote()). -ENOTSUP when the leg runs no ICE.
 */
int
webrtc_restart_local(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int leg,
		     char *err, size_t errlen)
{
	struct call_leg *cl = &call->leg[leg];
	uint64_t now = ctrl_now_us(mgr);
	unsigned int n = 0;
	int rc;

	for (unsigned int i = 0; i < call->n_media; i++)
		n += call->media[i].active && call->media[i].leg[leg].ice != NULL;
	if (n == 0) {
		snprintf(err, errlen, "ice_restart: leg %s runs no ICE", cl->tag);
		return -ENOTSUP;
	}
	rc = random_ice_credentials(cl);
	if (rc != 0) {
		snprintf(err, errlen, "ice_restart: no random bytes for the credentials");
		return rc;
	}
	for (unsigned int i = 0; i < call->n_media; i++) {
		struct leg_media *lm = &call->media[i].leg[leg];

		if (!call->media[i].active || lm->ice == NULL)
			continue;
		rc = wrtc_ice_agent_restart(lm->ice, cl->ice_ufrag, cl->ice_pwd, now);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: ICE restart failed: %s", i,
				 strerror(-rc));
			return rc;
		}
		lm->local_restart = true;
		lm->ice_restarts++;
		webrtc_leg_rearm(lm);
		CALL_LOG(INFO, call, "leg %s m-line %u: ICE restart by the gateway (ufrag %s)",
			 cl->tag, i, cl->ice_ufrag);
	}
	return 0;
}

int
webrtc_init(struct wrtc_session_mgr *mgr, char *err, size_t errlen)
{
	const struct wrtc_config *cfg = mgr->cfg;
	const struct wrtc_dtls_cert *cert = NULL;
	struct wrtc_dtls_cert *loaded = NULL;
	bool need = false;

	for (unsigned int p = 0; p < cfg->n_psps; p++)
		need |= cfg->psps[p].dtls;
	if (!need)
		return 0;
	for (unsigned int p = 0; p < cfg->n_psps && p < RTE_DIM(mgr->dtls_ctx); p++) {
		const struct wrtc_config_psp *psp = &cfg->psps[p];
		struct wrtc_dtls_ctx_prm prm;
		const struct wrtc_config_dtls_profile *dp;

		if (!psp->dtls)
			continue;
		memset(&prm, 0, sizeof(prm));
		dp = psp->dtls_profile >= 0 ? &cfg->dtls_profiles[psp->dtls_profile] : NULL;
		if (dp != NULL && !dp->generated_certificate) {
			loaded = wrtc_dtls_cert_load_pkcs12(dp->pkcs12, dp->passphrase, err, errlen);
			if (loaded == NULL)
				return -EINVAL;
			cert = loaded;
		} else {
			cert = wrtc_dtls_cert_default();
			if (cert == NULL) {
				snprintf(err, errlen, "cannot generate the DTLS certificate");
				return -EIO;
			}
		}
		prm.cert = cert;
		if (psp->crypto_suite_profile >= 0) {
			const struct wrtc_config_crypto_profile *cp =
				&cfg->crypto_profiles[psp->crypto_suite_profile];

			for (unsigned int s = 0; s < cp->n_suites && s + 1 < WRTC_SRTP_SUITE_MAX; s++)
				prm.profiles[s] = (enum wrtc_srtp_suite)(cp->suites[s] + 1);
		}
		if (dp != NULL) {
			prm.allow_dtls10 = (dp->versions & WRTC_CONFIG_DTLS_1_0) != 0;
			prm.handshake_timeout_us = (uint64_t)dp->handshake_timeout * 1000000;
		}
		mgr->dtls_ctx[p] = wrtc_dtls_ctx_create(&prm, err, errlen);
		if (mgr->dtls_ctx[p] == NULL)
			return -EINVAL;
		if (mgr->fingerprint[0] == '\0')
			wrtc_dtls_cert_fingerprint(cert,
				dp != NULL && dp->fingerprint_hash == WRTC_CONFIG_HASH_SHA1 ?
				WRTC_DTLS_HASH_SHA1 : WRTC_DTLS_HASH_SHA256,
				mgr->fingerprint, sizeof(mgr->fingerprint));
	}
	/* A loaded certificate is referenced by the contexts; it lives as long as
	 * the process (one per profile at start). */
	return 0;
}

void
webrtc_fini(struct wrtc_session_mgr *mgr)
{
	for (unsigned int p = 0; p < RTE_DIM(mgr->dtls_ctx); p++) {
		wrtc_dtls_ctx_free(mgr->dtls_ctx[p]);
		mgr->dtls_ctx[p] = NULL;
	}
}

static void
ep_to_ss(const struct wrtc_flow_ep *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->ip.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = e->ip.v4;
		s4->sin_port = htons(e->port);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, e->ip.v6, 16);
		s6->sin6_port = htons(e->port);
	}
}

static int
ss_to_ep(const struct sockaddr_storage *ss, struct wrtc_flow_ep *e)
{
	memset(e, 0, sizeof(*e));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		wrtc_net_addr_set_v4(&e->ip, s4->sin_addr.s_addr);
		e->port = ntohs(s4->sin_port);
		return 0;
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		wrtc_net_addr_set_v6(&e->ip, s6->sin6_addr.s6_addr);
		e->port = ntohs(s6->sin6_port);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* The MAC to reach @p to: the last slow-path source's if it is that address. */
static const struct rte_ether_addr *
mac_hint(const struct leg_media *lm, const struct wrtc_flow_ep *to)
{
	return lm->have_src && wrtc_flow_ep_eq(&lm->last_src, to) ? &lm->last_src_mac : NULL;
}

static int
ice_send(void *opaque, const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	 const uint8_t *buf, size_t len)
{
	struct leg_media *lm = opaque;
	struct wrtc_flow_ep to;

	(void)local; /* Every local candidate's base is this stream's port. */
	if (ss_to_ep(remote, &to) != 0)
		return -EAFNOSUPPORT;
	return ctrl_send_udp(lm->mgr, lm->rtp->iface, lm->port, &to, mac_hint(lm, &to), buf, len);
}

static void
dtls_send(void *arg, const uint8_t *data, size_t size)
{
	struct leg_media *lm = arg;
	const struct wrtc_flow_ep *to = lm->selected ? &lm->sel_remote :
					lm->have_src ? &lm->last_src : NULL;

	if (to == NULL)
		return; /* Nowhere to send yet: the DTLS timer retransmits. */
	ctrl_send_udp(lm->mgr, lm->rtp->iface, lm->port, to, mac_hint(lm, to), data, size);
}

/* Point the worker's stream at the ICE-selected remote, or at nothing. */
static void
push_selected(struct leg_media *lm, const struct wrtc_flow_ep *remote)
{
	struct wrtc_session_mgr *mgr = lm->mgr;
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};
	const struct rte_ether_addr *hint;
	struct rte_ether_addr mac;
	const struct wrtc_net_addr *local;

	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	if (remote != NULL) {
		local = remote->ip.family == AF_INET ? &lm->rtp->ifc->ip4 : &lm->rtp->ifc->ip6;
		hint = mac_hint(lm, remote);
		if (hint != NULL)
			mac = *hint;
		else if (ctrl_resolve(mgr, lm->rtp->iface, &remote->ip, &mac) != 0)
			hint = NULL;
		if ((hint != NULL || wrtc_net_neigh_lookup(mgr->neigh[lm->rtp->iface],
							   &remote->ip, &mac) == 0) &&
		    wrtc_net_hdr_tmpl_init(&u.tmpl, lm->rtp->ifc, local, lm->port, &remote->ip,
					   remote->port, &mac) == 0) {
			u.tmpl_valid = true;
			u.remote = *remote;
			u.remote_verified = true;
		}
	}
	if (ctrl_post(mgr, lm->call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u) != 0)
		CALL_LOG(WARNING, lm->call, "port %u: ICE pair not given to the worker", lm->port);
}

/* Media is also accepted from the pair the peer last checked off the
 * selected one (an ICE restart's new generation), until it nominates one:
 * the peer may move its media first. */
static void
restart_also_from(struct leg_media *lm)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_ALSO};
	struct sockaddr_storage ss;

	if (!lm->selected || wrtc_ice_agent_restart_remote(lm->ice, &ss) != 0 ||
	    ss_to_ep(&ss, &u.also_from) != 0 || wrtc_flow_ep_eq(&u.also_from, &lm->also_from) ||
	    wrtc_flow_ep_eq(&u.also_from, &lm->sel_remote))
		return;
	if (ctrl_post(lm->mgr, lm->call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u) == 0)
		lm->also_from = u.also_from;
}

static void
dtls_maybe_start(struct leg_media *lm)
{
	/* A restored association (dtls_restore()) keeps its keys: no handshake. */
	if (lm->dtls != NULL && lm->dtls_role == WRTC_DTLS_ROLE_ACTIVE && lm->selected &&
	    !lm->dtls_connected && wrtc_dtls_state(lm->dtls) == WRTC_DTLS_NONE)
		wrtc_dtls_start(lm->dtls, ctrl_now_us(lm->mgr));
}

static void
ice_event(void *opaque, const struct wrtc_ice_event *ev)
{
	struct leg_media *lm = opaque;
	char buf[WRTC_NET_ADDR_PORT_STRLEN];
	struct wrtc_flow_ep r;

	switch (ev->type) {
	case WRTC_ICE_EVENT_SELECTED_PAIR:
		if (ev->remote == NULL || ss_to_ep(ev->remote, &r) != 0)
			return;
		lm->selected = true;
		lm->sel_remote = r;
		ha_mark(lm->mgr, lm->call);
		memset(&lm->also_from, 0, sizeof(lm->also_from));
		push_selected(lm, &r);
		/* A new pair after an ICE restart: the receiver may have lost
		 * what was in flight. (The first pair waits for DTLS.) */
		if (lm->dtls_connected || lm->srtp_tx != NULL)
			keyframe_ask(lm);
		CALL_LOG(INFO, lm->call, "leg %s m-line %u: ICE selected %s",
			 lm->call->leg[lm->leg].tag, lm->index, wrtc_flow_ep_str(&r, buf, sizeof(buf)));
		dtls_maybe_start(lm);
		break;
	case WRTC_ICE_EVENT_CONSENT_LOST:
		lm->selected = false;
		memset(&lm->also_from, 0, sizeof(lm->also_from));
		push_selected(lm, NULL);
		CALL_LOG(NOTICE, lm->call, "leg %s m-line %u: ICE consent expired, media stopped",
			 lm->call->leg[lm->leg].tag, lm->index);
		break;
	case WRTC_ICE_EVENT_STATE:
		CALL_LOG(DEBUG, lm->call, "leg %s m-line %u: ICE %s", lm->call->leg[lm->leg].tag,
			 lm->index, wrtc_ice_state_name(ev->state));
		break;
	default:
		break;
	}
}

/* The video receivers this transport carries (its own m-line and the
 * m-lines bundled on it) can decode from now on: each asks its sender for a
 * keyframe with the next packet relayed to it (lib/worker, PLI). */
static void
keyframe_ask(struct leg_media *lm)
{
	struct wrtc_call *call = lm->call;
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_KEYFRAME};

	for (unsigned int i = 0; i < call->n_media; i++) {
		struct leg_media *o = &call->media[i].leg[lm->leg];

		if (call->media[i].type != WRTC_SDP_MEDIA_VIDEO || !call->media[i].active ||
		    o->rtp == NULL || (o != lm && !o->bundled))
			continue;
		if (ctrl_post(lm->mgr, call->worker, WRTC_FLOW_MSG_UPDATE, o->rtp, &u) != 0)
			CALL_LOG(WARNING, call, "leg %s m-line %u: keyframe request not posted",
				 call->leg[lm->leg].tag, i);
	}
}

/* Our side is about to be published to this leg (offer or answer): make
 * sure the ICE agent exists with our credentials and candidates. */
static int
leg_local(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm)
{
	const struct wrtc_config_trunk_group *tg = leg_tg(mgr, call, lm->leg);
	const struct wrtc_net_iface *ifc = lm->rtp->ifc;
	struct wrtc_ice_cand cands[2];
	struct wrtc_ice_agent_prm prm;
	struct wrtc_flow_ep e = {.port = lm->port};
	unsigned int n = 0;

	if (lm->fallback)
		return 0;
	lm->ice_on = tg->ice != WRTC_CONFIG_ICE_NONE;
	lm->dtls_on = leg_psp(mgr, call, lm->leg)->dtls;
	if (!lm->ice_on || lm->ice != NULL)
		return 0;
	if (lm->bundled) {
		/* srtp_relay with BUNDLE: the transport is the first bundled m-line's;
		 * this port is never signalled and accepts nothing. */
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};

		u.remote_mode = WRTC_FLOW_REMOTE_ICE;
		return ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
	}
	memset(cands, 0, sizeof(cands));
	{
		const struct wrtc_config_interface *ci = &mgr->cfg->interfaces[lm->rtp->iface];

		/* One candidate per family. With a 1:1 NAT (advertised address) it is
		 * server-reflexive, its base the interface address (RFC 8445 5.1.1). */
		if (ifc->ip4.family != 0) {
			e.ip = ifc->ip4;
			ep_to_ss(&e, &cands[n].base);
			cands[n].addr = cands[n].base;
			cands[n].type = WRTC_ICE_CAND_HOST;
			if (ci->has_advertised_ipv4) {
				((struct sockaddr_in *)&cands[n].addr)->sin_addr = ci->advertised_ipv4;
				cands[n].type = WRTC_ICE_CAND_SRFLX;
			}
			n++;
		}
		if (ifc->ip6.family != 0) {
			e.ip = ifc->ip6;
			ep_to_ss(&e, &cands[n].base);
			cands[n].addr = cands[n].base;
			cands[n].type = WRTC_ICE_CAND_HOST;
			if (ci->has_advertised_ipv6) {
				((struct sockaddr_in6 *)&cands[n].addr)->sin6_addr = ci->advertised_ipv6;
				cands[n].type = WRTC_ICE_CAND_SRFLX;
			}
			n++;
		}
	}
	memset(&prm, 0, sizeof(prm));
	prm.mode = tg->ice == WRTC_CONFIG_ICE_LITE ? WRTC_ICE_MODE_LITE : WRTC_ICE_MODE_FULL;
	/* RFC 8445 6.1.1: the offerer's full agent controls. */
	prm.role = lm->leg == call->offerer ? WRTC_ICE_ROLE_CONTROLLED : WRTC_ICE_ROLE_CONTROLLING;
	if (prm.mode == WRTC_ICE_MODE_LITE)
		prm.role = WRTC_ICE_ROLE_CONTROLLED;
	prm.ufrag = call->leg[lm->leg].ice_ufrag;
	prm.pwd = call->leg[lm->leg].ice_pwd;
	if (sess_random(&prm.tie_breaker, sizeof(prm.tie_breaker)) != 0)
		return -EIO;
	prm.local = cands;
	prm.n_local = n;
	prm.send = ice_send;
	prm.event = ice_event;
	prm.opaque = lm;
	lm->ice = wrtc_ice_agent_create(&prm);
	if (lm->ice == NULL)
		return -errno;
	/* No media before a pair is nominated (RFC 8445 12), none in clear text
	 * on a DTLS-SRTP leg. */
	{
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE | WRTC_FLOW_UPD_SRTP};

		u.remote_mode = WRTC_FLOW_REMOTE_ICE;
		u.secure_only = lm->dtls_on && !call->e2e;
		if (call->e2e) {
			/* srtp_relay: DTLS and SRTP go through untouched (session_relay.c). */
			u.fields |= WRTC_FLOW_UPD_RELAY;
			u.dtls_relay = true;
		}
		if (ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u) != 0)
			CALL_LOG(WARNING, call, "port %u: ICE mode not given to the worker",
				 lm->port);
	}
	return 0;
}

static void
fp_string(const struct wrtc_sdp_fingerprint *fp, char *buf, size_t size)
{
	size_t off = (size_t)snprintf(buf, size, "%s ", fp->hash);

	for (size_t i = 0; i < fp->size && off + 4 < size; i++)
		off += (size_t)snprintf(buf + off, size - off, i ? ":%02X" : "%02X", fp->bytes[i]);
}

/* A signalled candidate gets the priority rate in the worker's STUN and DTLS
 * policers (remembered, to be removed with the call). */
static void
source_add(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	   const struct sockaddr_storage *ss, enum wrtc_sdp_cand_type type)
{
	static const uint8_t types[] = {
		[WRTC_SDP_CAND_HOST] = WRTC_POLICER_CAND_HOST,
		[WRTC_SDP_CAND_SRFLX] = WRTC_POLICER_CAND_SRFLX,
		[WRTC_SDP_CAND_PRFLX] = WRTC_POLICER_CAND_PRFLX,
		[WRTC_SDP_CAND_RELAY] = WRTC_POLICER_CAND_RELAY,
	};
	unsigned int n = lm->n_sources;

	if (mgr->n_pols == 0 || n >= SESS_MAX_SOURCES)
		return;
	if (lm->sources == NULL &&
	    (lm->sources = calloc(SESS_MAX_SOURCES, sizeof(*lm->sources))) == NULL) {
		mgr->st.sources_rejected++; /* policing without the candidate's class */
		return;
	}
	memset(&lm->sources[n], 0, sizeof(lm->sources[n]));
	if (ss->ss_family == AF_INET) {
		lm->sources[n].family = AF_INET;
		memcpy(lm->sources[n].bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		lm->sources[n].family = AF_INET6;
		memcpy(lm->sources[n].bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else {
		return;
	}
	lm->sources[n].type = types[type];
	if (ctrl_post_source(mgr, call->worker, lm->rtp, true, lm->sources[n].family,
			     lm->sources[n].bytes, lm->sources[n].type) == 0)
		lm->n_sources++;
}

/* The agent's own candidates (address, priority, foundation) for the SDP, so
 * what is signalled is exactly what the agent checks with. */
unsigned int
webrtc_sdp_cands(const struct leg_media *lm, struct wrtc_sdp_local_cand *out, unsigned int max)
{
	static const enum wrtc_sdp_cand_type types[] = {
		[WRTC_ICE_CAND_HOST] = WRTC_SDP_CAND_HOST,
		[WRTC_ICE_CAND_SRFLX] = WRTC_SDP_CAND_SRFLX,
		[WRTC_ICE_CAND_PRFLX] = WRTC_SDP_CAND_PRFLX,
		[WRTC_ICE_CAND_RELAY] = WRTC_SDP_CAND_RELAY,
	};
	struct wrtc_ice_cand ic[WRTC_ICE_MAX_LOCAL];
	int n;

	if (lm->ice == NULL)
		return 0;
	n = wrtc_ice_agent_local_candidates(lm->ice, ic, RTE_DIM(ic));
	if (n < 0)
		return 0;
	if (max > RTE_DIM(ic))
		max = RTE_DIM(ic);
	if (n > (int)max)
		n = (int)max;
	for (int i = 0; i < n; i++) {
		struct wrtc_sdp_local_cand *c = &out[i];
		const void *a = ic[i].addr.ss_family == AF_INET ?
			(const void *)&((const struct sockaddr_in *)&ic[i].addr)->sin_addr :
			(const void *)&((const struct sockaddr_in6 *)&ic[i].addr)->sin6_addr;

		memset(c, 0, sizeof(*c));
		c->family = ic[i].addr.ss_family;
		inet_ntop(c->family, a, c->addr, sizeof(c->addr));
		c->port = lm->port;
		c->component = 1;
		c->type = types[ic[i].type];
		c->priority = ic[i].priority;
		snprintf(c->foundation, sizeof(c->foundation), "%s", ic[i].foundation);
		if (ic[i].type == WRTC_ICE_CAND_SRFLX) {
			const void *b = ic[i].base.ss_family == AF_INET ?
				(const void *)&((const struct sockaddr_in *)&ic[i].base)->sin_addr :
				(const void *)&((const struct sockaddr_in6 *)&ic[i].base)->sin6_addr;

			inet_ntop(c->family, b, c->raddr, sizeof(c->raddr));
			c->rport = lm->port;
		}
	}
	return (unsigned int)n;
}

/* The leg's SDP (offer or answer) arrived: remote ICE credentials and
 * candidates, and the DTLS association with its fingerprint and role. */
/* Give the ICE agent (and the policers) the UDP RTP candidates of @p m.
 * @return the number added. */
static unsigned int
remote_cands(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	     const struct wrtc_sdp_media *m)
{
	static const enum wrtc_ice_cand_type types[] = {
		[WRTC_SDP_CAND_HOST] = WRTC_ICE_CAND_HOST,
		[WRTC_SDP_CAND_SRFLX] = WRTC_ICE_CAND_SRFLX,
		[WRTC_SDP_CAND_PRFLX] = WRTC_ICE_CAND_PRFLX,
		[WRTC_SDP_CAND_RELAY] = WRTC_ICE_CAND_RELAY,
	};
	unsigned int n = 0;

	for (unsigned int c = 0; c < m->n_cands; c++) {
		const struct wrtc_sdp_candidate *sc = &m->cands[c];
		struct wrtc_ice_cand ic;

		if (sc->transport != WRTC_SDP_CAND_UDP || sc->component != 1 ||
		    sc->addr.family == 0)
			continue;
		memset(&ic, 0, sizeof(ic));
		ic.type = types[sc->type];
		ic.addr = sc->addr.ss;
		ic.priority = sc->priority;
		snprintf(ic.foundation, sizeof(ic.foundation), "%.*s", WRTC_ICE_FOUNDATION_MAX,
			 sc->foundation);
		if (wrtc_ice_agent_add_remote_candidate(lm->ice, &ic) == 0)
			n++;
		if (leg_tg(mgr, call, lm->leg)->policing)
			source_add(mgr, call, lm, &sc->addr.ss, sc->type);
	}
	return n;
}

/* Does leg @p l take trickled candidates (RFC 8838)? Its profile says so
 * (ng's trickle-ICE flag), or its last SDP had a=ice-options:trickle. The
 * gateway then says a=ice-options:trickle to it (docs/ng.md "Trickle ICE"):
 * its own candidates are all in that SDP, followed by a=end-of-candidates. */
bool
webrtc_leg_trickles(const struct wrtc_call *call, unsigned int l)
{
	const struct call_leg *cl = &call->leg[l];

	if (cl->has_prof && cl->prof.trickle != WRTC_SESSION_KEEP)
		return cl->prof.trickle == 1;
	if (cl->sdp == NULL)
		return false;
	for (unsigned int i = 0; i < cl->sdp->n_media; i++)
		if (strstr(wrtc_sdp_media_ice(cl->sdp, i).options, "trickle") != NULL)
			return true;
	return false;
}

int
webrtc_leg_trickle(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		   const struct wrtc_sdp_media *m, const char *ufrag)
{
	unsigned int n;

	if (lm->ice == NULL)
		return -ENOTSUP;
	/* Candidates of another ICE generation (RFC 8838 4.4) are not ours to use. */
	if (ufrag != NULL && ufrag[0] != '\0' && lm->remote_ufrag != NULL &&
	    strcmp(ufrag, lm->remote_ufrag) != 0)
		return -ESTALE;
	n = remote_cands(mgr, call, lm, m);
	if (m->end_of_candidates)
		wrtc_ice_agent_end_of_candidates(lm->ice);
	CALL_LOG(INFO, call, "leg %s m-line %u: %u trickled candidate(s)%s",
		 call->leg[lm->leg].tag, lm->index, n,
		 m->end_of_candidates ? ", end of candidates" : "");
	webrtc_leg_rearm(lm);
	return (int)n;
}

/* SRTP parameters of one direction of a restored record. */
static int
ha_srtp_prm(const struct wrtc_ha_srtp_dir *d, struct wrtc_srtp_prm *p)
{
	enum wrtc_srtp_suite suite = wrtc_srtp_suite_from_name(d->suite, strlen(d->suite));
	size_t ks = wrtc_srtp_suite_key_size(suite), ss = wrtc_srtp_suite_salt_size(suite);

	if (!d->present || suite == WRTC_SRTP_SUITE_NONE || d->key_size != ks + ss)
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->suite = suite;
	memcpy(p->master_key, d->key, ks);
	memcpy(p->master_salt, d->key + ks, ss);
	return 0;
}

/*
 * A call restored from Redis (session_ha.c): the DTLS association of the
 * record is not handshaken again; its exported SRTP keys go to the worker as
 * dtls_connected() would have put them, and the ICE pair it had is taken
 * again on the peer's first authenticated check from that address.
 */
static void
ha_restore_leg(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm)
{
	const struct wrtc_ha_record *r = mgr->ha_rec;
	const struct wrtc_ha_stream *hs;
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	struct wrtc_srtp_prm rxp, txp;
	struct wrtc_srtp *rx, *tx;

	if (r == NULL || lm->leg >= r->n_legs || lm->index >= r->legs[lm->leg].n_streams)
		return;
	hs = &r->legs[lm->leg].streams[lm->index];
	if (lm->ice != NULL && hs->ice_selected &&
	    wrtc_net_addr_parse(hs->ice_sel_addr, &lm->ha_sel.ip) == 0) {
		lm->ha_sel.port = hs->ice_sel_port;
		lm->ha_sel_pending = true;
	}
	if (lm->dtls == NULL || lm->dtls_connected || !hs->dtls_connected ||
	    ha_srtp_prm(&hs->srtp_in, &rxp) != 0 || ha_srtp_prm(&hs->srtp_out, &txp) != 0)
		return;
	rx = wrtc_srtp_create(&rxp);
	tx = wrtc_srtp_create(&txp);
	ha_prime(rx, &hs->srtp_in);
	ha_prime(tx, &hs->srtp_out);
	if (rx == NULL || tx == NULL || lm->srtp_rx != NULL) {
		wrtc_srtp_free(rx);
		wrtc_srtp_free(tx);
		CALL_LOG(WARNING, call, "leg %s m-line %u: restored SRTP keys not used: a new "
			 "DTLS handshake is needed", call->leg[lm->leg].tag, lm->index);
		return;
	}
	lm->srtp_rx = rx;
	lm->srtp_tx = tx;
	u.srtp_rx = rx;
	u.srtp_tx = tx;
	u.secure_only = true;
	/* From here the contexts are the leg's (freed with it), posted or not. */
	if (ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u) != 0)
		CALL_LOG(ERR, call, "leg %s: restored SRTP keys not given to the worker",
			 call->leg[lm->leg].tag);
	lm->dtls_connected = true;
	lm->dtls_suite = wrtc_srtp_suite_name(rxp.suite);
	CALL_LOG(INFO, call, "leg %s m-line %u: DTLS-SRTP %s restored without a handshake",
		 call->leg[lm->leg].tag, lm->index, lm->dtls_suite);
}

static int
leg_remote(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	   const struct wrtc_sdp *sdp, unsigned int idx, char *err, size_t errlen)
{
	const struct wrtc_sdp_media *m = &sdp->media[idx];
	struct wrtc_sdp_ice ice = wrtc_sdp_media_ice(sdp, idx);
	const struct wrtc_sdp_fingerprint *fp = wrtc_sdp_media_fingerprint(sdp, idx);
	enum wrtc_sdp_setup setup = wrtc_sdp_media_setup(sdp, idx);
	uint64_t now = ctrl_now_us(mgr);
	int rc;

	if (lm->dtls_on && !call->e2e && (fp == NULL || !fp->present) &&
	    leg_psp(mgr, call, lm->leg)->allow_dtls_fallback) {
		/* The peer has no DTLS-SRTP: plain RTP on this leg (and, without ICE
		 * credentials, no ICE either: symmetric RTP latching instead). */
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};

		lm->fallback = true;
		lm->dtls_on = false;
		u.secure_only = false;
		if (ice.ufrag[0] == '\0' && lm->ice != NULL) {
			wrtc_ice_agent_free(lm->ice);
			lm->ice = NULL;
			lm->ice_on = false;
			u.fields |= WRTC_FLOW_UPD_REMOTE;
			u.remote_mode = WRTC_FLOW_REMOTE_LATCH;
		}
		if (ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u) != 0)
			CALL_LOG(WARNING, call, "port %u: plain RTP mode not given to the worker",
				 lm->port);
		CALL_LOG(NOTICE, call, "leg %s m-line %u: no DTLS-SRTP offered/answered: plain RTP%s "
			 "(allow_dtls_fallback)", call->leg[lm->leg].tag, idx,
			 lm->ice_on ? "" : " without ICE");
	}

	if (lm->ice != NULL && ice.ufrag[0] != '\0' && lm->local_restart) {
		/* Our offer restarted ICE: these are the new generation's remote
		 * credentials (the peer should have changed them too, RFC 8445 9). */
		lm->local_restart = false;
		CALL_LOG(INFO, call, "leg %s m-line %u: ICE restart answered (peer ufrag %s -> %s)",
			 call->leg[lm->leg].tag, idx, lm->remote_ufrag ? lm->remote_ufrag : "-",
			 ice.ufrag);
	} else if (lm->ice != NULL && ice.ufrag[0] != '\0' && lm->remote_ufrag != NULL &&
	    (strcmp(ice.ufrag, lm->remote_ufrag) != 0 || strcmp(ice.pwd, lm->remote_pwd) != 0)) {
		/* ICE restart (RFC 8445 9): new credentials on both sides; media stays
		 * on the old pair until the new generation nominates one. */
		struct call_leg *cl = &call->leg[lm->leg];

		rc = random_ice_credentials(cl);
		if (rc == 0)
			rc = wrtc_ice_agent_restart(lm->ice, cl->ice_ufrag, cl->ice_pwd, now);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: ICE restart failed: %s", idx, strerror(-rc));
			return rc;
		}
		lm->ice_restarts++;
		CALL_LOG(INFO, call, "leg %s m-line %u: ICE restart (peer ufrag %s -> %s)",
			 cl->tag, idx, lm->remote_ufrag, ice.ufrag);
	}
	if (lm->ice != NULL && ice.ufrag[0] != '\0') {
		char *u = strdup(ice.ufrag), *p = strdup(ice.pwd);

		if (u == NULL || p == NULL) {
			free(u);
			free(p);
			snprintf(err, errlen, "media[%u]: out of memory", idx);
			return -ENOMEM;
		}
		free(lm->remote_ufrag);
		free(lm->remote_pwd);
		lm->remote_ufrag = u;
		lm->remote_pwd = p;
		rc = wrtc_ice_agent_set_remote_credentials(lm->ice, ice.ufrag, ice.pwd,
							   sdp->ice_lite);
		if (rc != 0) {
			snprintf(err, errlen, "media[%u]: ice-ufrag/ice-pwd rejected", idx);
			return rc;
		}
		remote_cands(mgr, call, lm, m);
		if (m->end_of_candidates || strstr(ice.options, "trickle") == NULL)
			wrtc_ice_agent_end_of_candidates(lm->ice);
	}
	if (!lm->dtls_on) {
		ha_restore_leg(mgr, call, lm);
		return 0;
	}
	if (fp == NULL || !fp->present) {
		snprintf(err, errlen, "media[%u]: a=fingerprint missing on a DTLS-SRTP leg", idx);
		return -EINVAL;
	}
	/* DTLS end to end: the fingerprint is passed on, checked by the other peer.
	 * A bundled m-line uses the transport m-line's association. */
	if (call->e2e || lm->bundled) {
		ha_restore_leg(mgr, call, lm);
		return 0;
	}
	if (lm->dtls == NULL) {
		enum wrtc_config_dtls_role role = call_dtls_role(mgr, call, lm->leg);
		const char *setup_name = wrtc_sdp_setup_name(setup);
		struct wrtc_dtls_prm prm;
		char fps[WRTC_DTLS_FINGERPRINT_MAX];

		if (role == WRTC_CONFIG_DTLS_ROLE_ACTIVE)
			lm->dtls_role = WRTC_DTLS_ROLE_ACTIVE;
		else if (role == WRTC_CONFIG_DTLS_ROLE_PASSIVE)
			lm->dtls_role = WRTC_DTLS_ROLE_PASSIVE;
		else if (wrtc_dtls_role_from_setup(setup_name, strlen(setup_name),
						   &lm->dtls_role) != 0)
			lm->dtls_role = WRTC_DTLS_ROLE_ACTIVE; /* no a=setup: RFC 4145 default */
		fp_string(fp, fps, sizeof(fps));
		memset(&prm, 0, sizeof(prm));
		prm.ctx = mgr->dtls_ctx[call->leg[lm->leg].ctx_psp];
		prm.role = lm->dtls_role;
		prm.peer_fingerprint = fps;
		prm.send = dtls_send;
		prm.send_arg = lm;
		/* Data-channel SCTP, on its own m-line's association or on the
		 * bundled transport's: forwarded to the other leg (session_relay.c). */
		prm.app = relay_dtls_app;
		prm.app_arg = lm;
		lm->dtls = wrtc_dtls_create(&prm);
		if (lm->dtls == NULL) {
			snprintf(err, errlen, "media[%u]: a=fingerprint: %s", idx, strerror(errno));
			return -EINVAL;
		}
		ha_restore_leg(mgr, call, lm);
		dtls_maybe_start(lm);
	} else {
		ha_restore_leg(mgr, call, lm);
	}
	return 0;
}

int
webrtc_leg_local(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm)
{
	int rc = leg_local(mgr, call, lm);

	webrtc_leg_rearm(lm);
	return rc;
}

int
webrtc_leg_remote(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		  const struct wrtc_sdp *sdp, unsigned int idx, char *err, size_t errlen)
{
	int rc = leg_remote(mgr, call, lm, sdp, idx, err, errlen);

	webrtc_leg_rearm(lm);
	return rc;
}

void
webrtc_leg_free(struct leg_media *lm)
{
	if (lm->mgr != NULL)
		sess_timer_disarm(&lm->mgr->webrtc_timers, &lm->tmr);
	wrtc_ice_agent_free(lm->ice);
	wrtc_dtls_free(lm->dtls);
	wrtc_srtp_free(lm->srtp_rx);
	wrtc_srtp_free(lm->srtp_tx);
	for (unsigned int i = 0; i < lm->n_retired; i++)
		wrtc_srtp_free(lm->retired[i]);
	free(lm->remote_ufrag);
	free(lm->remote_pwd);
	free(lm->sdes_local);
	free(lm->sources);
	lm->sources = NULL;
	lm->n_sources = 0;
	lm->remote_ufrag = lm->remote_pwd = NULL;
	lm->sdes_local = NULL;
	lm->n_sdes_local = 0;
	lm->sdes_peer_set = false;
	lm->ice = NULL;
	lm->dtls = NULL;
	lm->srtp_rx = lm->srtp_tx = NULL;
	lm->n_retired = 0;
}

/* Free the retired SRTP contexts of @p lm the worker has let go of: it
 * applied the update that replaced each (as for transcoders). */
static void
srtp_reap(struct wrtc_session_mgr *mgr, const struct wrtc_call *call, struct leg_media *lm)
{
	unsigned int j = 0;

	for (unsigned int k = 0; k < lm->n_retired; k++) {
		if (lm->retired_seq[k] != UINT64_MAX &&
		    ctrl_done(mgr, call->worker, lm->retired_seq[k])) {
			wrtc_srtp_free(lm->retired[k]);
			continue;
		}
		lm->retired[j] = lm->retired[k];
		lm->retired_seq[j++] = lm->retired_seq[k];
	}
	lm->n_retired = j;
}

/* Room to retire @p n more contexts: what the worker released is freed; if
 * the slots are still held, wait (bounded) for the worker.
 * @return 0, or -EAGAIN (the worker is behind: the caller retries). */
int
srtp_retire_room(struct wrtc_session_mgr *mgr, const struct wrtc_call *call,
		 struct leg_media *lm, unsigned int n)
{
	srtp_reap(mgr, call, lm);
	if (lm->n_retired + n <= RTE_DIM(lm->retired))
		return 0;
	if (ctrl_wait(mgr, call->worker, SESS_RPC_WAIT_US) == 0)
		srtp_reap(mgr, call, lm);
	return lm->n_retired + n <= RTE_DIM(lm->retired) ? 0 : -EAGAIN;
}

/* @p s is the worker's until it applied message @p seq (UINT64_MAX: until
 * the call's streams are removed). The caller made room. */
void
srtp_retire(struct leg_media *lm, struct wrtc_srtp *s, uint64_t seq)
{
	if (s == NULL || lm->n_retired >= RTE_DIM(lm->retired))
		return;
	lm->retired[lm->n_retired] = s;
	lm->retired_seq[lm->n_retired++] = seq;
}

/* DTLS just connected: build the SRTP contexts and hand them to the worker. */
static void
dtls_connected(struct leg_media *lm)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	struct wrtc_dtls_srtp_keys keys;
	struct wrtc_srtp *rx, *tx, *old_rx = lm->srtp_rx, *old_tx = lm->srtp_tx;
	int rc;

	if (wrtc_dtls_srtp_keys(lm->dtls, &keys) != 0)
		return;
	if (old_rx != NULL && srtp_retire_room(lm->mgr, lm->call, lm, 2) != 0) {
		CALL_LOG(ERR, lm->call, "leg %s: worker %u holds the earlier SRTP contexts: "
			 "keys not replaced", lm->call->leg[lm->leg].tag, lm->call->worker);
		return;
	}
	rx = wrtc_srtp_create(&keys.remote);
	tx = wrtc_srtp_create(&keys.local);
	if (rx == NULL || tx == NULL) {
		wrtc_srtp_free(rx);
		wrtc_srtp_free(tx);
		CALL_LOG(ERR, lm->call, "leg %s: cannot create SRTP contexts",
			 lm->call->leg[lm->leg].tag);
		return;
	}
	lm->srtp_rx = rx;
	lm->srtp_tx = tx;
	u.srtp_rx = rx;
	u.srtp_tx = tx;
	u.secure_only = true;
	rc = ctrl_post(lm->mgr, lm->call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
	srtp_retire(lm, old_rx, rc == 0 ? lm->mgr->msg_seq : UINT64_MAX);
	srtp_retire(lm, old_tx, rc == 0 ? lm->mgr->msg_seq : UINT64_MAX);
	if (rc != 0)
		CALL_LOG(ERR, lm->call, "leg %s: SRTP keys not given to the worker",
			 lm->call->leg[lm->leg].tag);
	lm->dtls_connected = true;
	lm->mgr->st.dtls_handshakes++;
	ha_mark(lm->mgr, lm->call);
	keyframe_ask(lm);
	lm->dtls_suite = wrtc_srtp_suite_name(keys.suite);
	CALL_LOG(INFO, lm->call, "leg %s m-line %u: DTLS %s connected, SRTP %s",
		 lm->call->leg[lm->leg].tag, lm->index, wrtc_dtls_version(lm->dtls),
		 lm->dtls_suite);
}

static void
dtls_check(struct leg_media *lm, enum wrtc_dtls_state before)
{
	enum wrtc_dtls_state st = wrtc_dtls_state(lm->dtls);

	if (st == before)
		return;
	if (st == WRTC_DTLS_CONNECTED && !lm->dtls_connected)
		dtls_connected(lm);
	else if (st == WRTC_DTLS_FAILED && ++lm->mgr->st.dtls_failures != 0)
		CALL_LOG(WARNING, lm->call, "leg %s m-line %u: DTLS failed: %s",
			 lm->call->leg[lm->leg].tag, lm->index, wrtc_dtls_reason(lm->dtls));
}

void
webrtc_punt(struct wrtc_session_mgr *mgr, struct rte_mbuf *m, unsigned int kind)
{
	int16_t iface = mgr->dp->iface_of_port[m->port];
	struct wrtc_net_pkt pi;
	struct leg_media *lm;
	const uint8_t *payload;
	uint64_t now = ctrl_now_us(mgr);

	if (iface < 0 || wrtc_net_parse(&mgr->dp->ifc[iface], m, &pi) != WRTC_NET_CLASS_UDP)
		return;
	lm = mgr->port_map[iface] != NULL ? mgr->port_map[iface][pi.dst_port] : NULL;
	/* A call being removed answers nothing (its streams are leaving the worker). */
	if (lm == NULL || pi.dst_port != lm->port || lm->call->removing) {
		mgr->st.punt_dropped++;
		return;
	}
	payload = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.payload_off);
	lm->have_src = true;
	lm->last_src.ip = pi.src;
	lm->last_src.port = pi.src_port;
	lm->last_src_mac = pi.src_mac;
	if (kind == WRTC_PUNT_STUN) {
		struct sockaddr_storage local, remote;
		struct wrtc_flow_ep l = {.ip = pi.dst, .port = pi.dst_port};

		if (lm->ice == NULL) {
			mgr->st.punt_dropped++;
			return;
		}
		ep_to_ss(&l, &local);
		ep_to_ss(&lm->last_src, &remote);
		/* A check or response that authenticated is ICE consent: activity
		 * for the media timeout (a stranger's STUN is not). */
		if (wrtc_ice_agent_handle_stun(lm->ice, &local, &remote, payload, pi.payload_len,
					       now) == 0) {
			lm->ctrl_rx_tsc = rte_rdtsc();
			/* Restored call: the pair of the record, now that its peer
			 * is known to be there (and its MAC with it). */
			if (lm->ha_sel_pending && wrtc_flow_ep_eq(&lm->ha_sel, &lm->last_src)) {
				lm->ha_sel_pending = false;
				if (!lm->selected &&
				    wrtc_ice_agent_restore_selected(lm->ice, &local, &remote,
								    now) != 0)
					CALL_LOG(WARNING, lm->call, "port %u: restored ICE pair "
						 "not taken", lm->port);
			}
		}
		restart_also_from(lm);
	} else if (kind == WRTC_PUNT_DTLS) {
		enum wrtc_dtls_state before;

		if (lm->dtls == NULL) {
			mgr->st.punt_dropped++;
			return;
		}
		/* DTLS is only accepted from the ICE-selected remote once there is one. */
		if (lm->ice != NULL && lm->selected && !wrtc_flow_ep_eq(&lm->sel_remote, &lm->last_src)) {
			mgr->st.punt_dropped++;
			return;
		}
		before = wrtc_dtls_state(lm->dtls);
		/* A record the association took is activity for the media timeout. */
		if (wrtc_dtls_input(lm->dtls, payload, pi.payload_len, now) == 0 &&
		    wrtc_dtls_state(lm->dtls) != WRTC_DTLS_FAILED)
			lm->ctrl_rx_tsc = rte_rdtsc();
		dtls_check(lm, before);
	}
	webrtc_leg_rearm(lm);
}

/* Put @p lm's earliest ICE or DTLS deadline on the WebRTC timer heap (or take
 * it off when it has none). Called after anything that can move a deadline:
 * agent creation, remote description, trickle, a punted packet, a tick. */
void
webrtc_leg_rearm(struct leg_media *lm)
{
	struct wrtc_session_mgr *mgr = lm->mgr;
	uint64_t due = UINT64_MAX;

	if (lm->ice != NULL)
		due = wrtc_ice_agent_next_tick(lm->ice);
	if (lm->dtls != NULL)
		due = RTE_MIN(due, wrtc_dtls_next_timeout(lm->dtls));
	if (due == UINT64_MAX || lm->call->removing) {
		sess_timer_disarm(&mgr->webrtc_timers, &lm->tmr);
		return;
	}
	if (sess_timer_arm(&mgr->webrtc_timers, &lm->tmr, due) != 0)
		CALL_LOG(ERR, lm->call, "leg %s m-line %u: out of memory for the ICE/DTLS timer",
			 lm->call->leg[lm->leg].tag, lm->index);
}

/* Only the legs whose deadline has come: no walk over the calls. */
void
webrtc_tick(struct wrtc_session_mgr *mgr, uint64_t now)
{
	struct sess_timer *t;

	while ((t = sess_timer_expired(&mgr->webrtc_timers, now)) != NULL) {
		struct leg_media *lm = container_of(t, struct leg_media, tmr);

		if (lm->call->removing)
			continue;
		if (lm->ice != NULL && wrtc_ice_agent_next_tick(lm->ice) <= now)
			wrtc_ice_agent_tick(lm->ice, now);
		if (lm->dtls != NULL && wrtc_dtls_next_timeout(lm->dtls) <= now) {
			enum wrtc_dtls_state before = wrtc_dtls_state(lm->dtls);

			wrtc_dtls_handle_timeout(lm->dtls, now);
			dtls_check(lm, before);
		}
		webrtc_leg_rearm(lm);
	}
}

json_t *
webrtc_leg_status(struct wrtc_session_mgr *mgr, const struct leg_media *lm)
{
	json_t *o = json_object();

	if (lm->ice != NULL) {
		struct wrtc_ice_status st;
		char sel[WRTC_NET_ADDR_PORT_STRLEN] = "-";

		wrtc_ice_agent_status(lm->ice, ctrl_now_us(mgr), &st);
		if (st.has_selected) {
			struct wrtc_flow_ep e;

			ss_to_ep(&st.selected_remote, &e);
			wrtc_flow_ep_str(&e, sel, sizeof(sel));
		}
		json_object_set_new(o, "ice", json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:f, s:i, s:i, s:I, s:i, s:b, s:I, s:I}",
			"state", wrtc_ice_state_name(st.state),
			"local_mode", wrtc_ice_mode_name(st.local_mode),
			"remote_mode", wrtc_ice_mode_name(st.remote_mode),
			"role", wrtc_ice_role_name(st.role),
			"selected_remote", sel, "consent", st.consent,
			"consent_age", (double)st.consent_age_us / 1e6,
			"generation", st.generation, "restarts", (int)lm->ice_restarts,
			"requests", (json_int_t)st.counters.rx_requests,
			"remote_candidates", st.n_remote, "restarting", st.restarting,
			"new_gen_prev_key", (json_int_t)st.counters.rx_new_gen_prev_key,
			"stale_gen", (json_int_t)st.counters.rx_stale_gen));
	}
	if (lm->call->e2e) {
		json_object_set_new(o, "dtls", relay_leg_dtls(lm));
	} else if (lm->dtls != NULL) {
		json_object_set_new(o, "dtls", json_pack("{s:s, s:s, s:s, s:s, s:s}",
			"state", wrtc_dtls_state_name(wrtc_dtls_state(lm->dtls)),
			"role", wrtc_dtls_role_setup(lm->dtls_role),
			"version", wrtc_dtls_version(lm->dtls),
			"srtp_suite", lm->dtls_suite != NULL ? lm->dtls_suite : "",
			"reason", wrtc_dtls_reason(lm->dtls)));
	} else if (lm->dtls_on) {
		json_object_set_new(o, "dtls", json_pack("{s:s}", "state", "none"));
	}
	return o;
}
