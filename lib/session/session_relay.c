/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * WebRTC <-> WebRTC pass-through (srtp_relay, sctp_relay; docs/configuration.md).
 *
 * When both legs of a call are WebRTC and both legs' packet service profiles
 * ask for srtp_relay, the gateway keeps DTLS end to end: each leg still runs
 * ICE with the gateway's credentials and candidates, but a=fingerprint and
 * a=setup are passed through, no DTLS association or SRTP context is made,
 * and the worker relays DTLS, SRTP and SRTCP between the two selected pairs
 * unchanged (lib/worker, dtls_relay()). The decision is taken once, at the
 * call's first offer, and its reason is kept for `query`.
 */
#include <stdio.h>
#include <string.h>

#include "session_priv.h"

static bool
leg_webrtc(const struct wrtc_call *call, unsigned int l)
{
	return call->leg[l].tgc.kind == WRTC_CONFIG_TRUNK_WEBRTC && call_psp(call, l)->dtls;
}

void
relay_decide(struct wrtc_call *call)
{
	bool want = call_psp(call, 0)->srtp_relay || call_psp(call, 1)->srtp_relay;

	call->e2e = false;
	call->relay_reason[0] = '\0';
	for (unsigned int l = 0; l < 2; l++)
		if (!leg_webrtc(call, l)) {
			if (want)
				snprintf(call->relay_reason, sizeof(call->relay_reason),
					 "srtp_relay ignored: leg %s (trunk group %s) is not a "
					 "WebRTC DTLS-SRTP leg; DTLS terminated", call->leg[l].tag,
					 call->leg[l].tgc.name);
			return;
		}
	for (unsigned int l = 0; l < 2; l++)
		if (!call_psp(call, l)->srtp_relay) {
			if (want)
				snprintf(call->relay_reason, sizeof(call->relay_reason),
					 "srtp_relay ignored: the profile of leg %s has no "
					 "srtp_relay; DTLS terminated", call->leg[l].tag);
			return;
		}
	call->e2e = true;
	snprintf(call->relay_reason, sizeof(call->relay_reason),
		 "both legs WebRTC with srtp_relay: DTLS end to end");
}

bool
relay_media_accepted(const struct wrtc_call *call, const struct wrtc_sdp_media *m, char *why,
		     size_t size)
{
	if (m->port == 0)
		return false;
	if (m->proto != WRTC_SDP_PROTO_UDP_DTLS_SCTP)
		return m->proto != WRTC_SDP_PROTO_OTHER && m->n_codecs > 0;
	/* A data channel: SCTP over DTLS, end to end between two browsers. */
	if (!leg_webrtc(call, 0) || !leg_webrtc(call, 1))
		snprintf(why, size, "data channel rejected: a leg is not WebRTC");
	else if (!call_psp(call, 0)->sctp_relay || !call_psp(call, 1)->sctp_relay)
		snprintf(why, size, "data channel rejected: sctp_relay is off on a leg");
	else
		return true;
	return false;
}

/*
 * Terminated mode (each leg's DTLS ends at the gateway): a data channel's SCTP
 * packets are the application data of one leg's association; they are written,
 * unchanged, into the other leg's association of the same m-line, so SCTP runs
 * end to end between the browsers and the gateway never parses it.
 */
void
relay_dtls_app(void *arg, const uint8_t *data, size_t size)
{
	struct leg_media *lm = arg;
	struct leg_media *peer = &lm->call->media[lm->index].leg[1 - lm->leg];

	if (peer->dtls == NULL || !peer->dtls_connected ||
	    wrtc_dtls_write(peer->dtls, data, size) != 0) {
		/* SCTP retransmits what the other association could not take yet. */
		lm->dc_dropped++;
		return;
	}
	lm->dc_packets++;
	lm->dc_bytes += size;
}

json_t *
relay_status(const struct wrtc_call *call)
{
	/* "none": no leg keys SRTP by DTLS, there is nothing to terminate or relay. */
	return json_pack("{s:s, s:s, s:s}", "mode", call->e2e ? "end_to_end" :
			 leg_webrtc(call, 0) || leg_webrtc(call, 1) ? "terminated" : "none",
			 "reason", call->relay_reason,
			 "data_channel", call->sctp_reason[0] != '\0' ? call->sctp_reason :
			 !call->sctp ? "none" : call->e2e ? "relayed end to end" :
			 "forwarded between the legs' DTLS associations (SCTP end to end)");
}

json_t *
relay_leg_dtls(const struct leg_media *lm)
{
	const struct wrtc_flow_counters *c = &lm->rtp->c;
	uint64_t hs = __atomic_load_n(&c->dtls_handshake, __ATOMIC_RELAXED);
	uint64_t ccs = __atomic_load_n(&c->dtls_ccs, __ATOMIC_RELAXED);
	uint64_t app = __atomic_load_n(&c->dtls_app, __ATOMIC_RELAXED);
	uint64_t alert = __atomic_load_n(&c->dtls_alert, __ATOMIC_RELAXED);

	/* What the gateway sees of a handshake it does not take part in. */
	return json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I}",
			 "state", alert > 0 ? "alert seen" : app > 0 ? "application data seen" :
			 ccs > 0 ? "change_cipher_spec seen" : hs > 0 ? "handshake seen" : "none",
			 "terminated", false,
			 "datagrams", (json_int_t)__atomic_load_n(&c->dtls_pkts, __ATOMIC_RELAXED),
			 "handshake", (json_int_t)hs, "change_cipher_spec", (json_int_t)ccs,
			 "application_data", (json_int_t)app, "alert", (json_int_t)alert);
}

/*
 * Whether the WebRTC legs of this call bundle: always end to end (the bundled
 * transport is relayed whole); when terminated, only with at most one RTP
 * m-line (plus data channels, which ride the transport's DTLS association):
 * RTP of several m-lines is not demultiplexed in that mode.
 */
bool
relay_bundle_ok(const struct wrtc_call *call, const struct wrtc_sdp *sdp)
{
	unsigned int rtp = 0;

	if (call->e2e)
		return true;
	for (unsigned int i = 0; i < sdp->n_media; i++)
		rtp += sdp->media[i].port != 0 && sdp->media[i].n_codecs > 0 &&
		       sdp->media[i].proto != WRTC_SDP_PROTO_OTHER &&
		       sdp->media[i].proto != WRTC_SDP_PROTO_UDP_DTLS_SCTP;
	return rtp <= 1;
}

bool
relay_bundled_away(const struct wrtc_call *call, const struct wrtc_sdp *sdp, unsigned int idx)
{
	/* The first m-line of the group carries the transport (the one the
	 * rewrite puts every bundled m-line's port on). */
	return leg_webrtc(call, 0) && leg_webrtc(call, 1) && relay_bundle_ok(call, sdp) &&
	       wrtc_sdp_bundled_behind(sdp, idx);
}
