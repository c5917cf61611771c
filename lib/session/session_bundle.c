/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BUNDLE on terminated WebRTC legs (RFC 8843, RFC 9143; docs/architecture.md,
 * "BUNDLE and video").
 *
 * A WebRTC leg's bundled m-lines share the transport of the first one: its
 * port, ICE agent, DTLS association and SRTP contexts. The other m-lines keep
 * their port pair and streams (nothing is accepted there: no ICE agent), so
 * each m-line still has its own counters, payload-type map, transcoder and
 * output; the SIP leg has one port pair per m-line as before. Once both
 * sides' SDP are known, bundle_sync() gives the worker a struct
 * wrtc_flow_bundle (lib/flow) naming each m-line's MID, the payload types
 * and SSRCs the browser sends on it and its stream; the worker demultiplexes
 * what arrives on the transport with it and sends what each m-line sends by
 * the transport. A table replaced by a later answer is freed once the worker
 * applied the updates that replaced it.
 *
 * DTLS end to end (srtp_relay, session_relay.c) bundles differently: the
 * transport is relayed whole and nothing is demultiplexed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "session_priv.h"

static const char mid_urn[] = "urn:ietf:params:rtp-hdrext:sdes:mid";

bool
bundle_leg(const struct wrtc_call *call, unsigned int l)
{
	return !call->e2e && call->leg[l].tgc.kind == WRTC_CONFIG_TRUNK_WEBRTC &&
	       call->leg[l].tgc.ice != WRTC_CONFIG_ICE_NONE;
}

void
bundle_plan_offered(struct wrtc_call *call, unsigned int b)
{
	bool first = true;

	if (!bundle_leg(call, b))
		return;
	/* The gateway's offer to leg b puts every active m-line on the first
	 * one's port (lib/sdp rewrite): the others ride its transport. An
	 * m-line that already has its own ICE agent keeps it. */
	for (unsigned int i = 0; i < call->n_media; i++) {
		struct leg_media *lm = &call->media[i].leg[b];

		if (!call->media[i].active || lm->rtp == NULL)
			continue;
		if (first) {
			first = false;
			lm->bundled = false;
			continue;
		}
		if (lm->ice == NULL)
			lm->bundled = true;
	}
}

/* The id the peer gave the MID header extension on m-line @p m, or 0. */
static uint8_t
mid_ext_id(const struct wrtc_sdp_media *m)
{
	for (unsigned int i = 0; i < m->n_lines; i++) {
		const char *v = m->lines[i].value;
		unsigned long id;
		char *end;

		if (m->lines[i].type != 'a' || strncmp(v, "extmap:", 7) != 0)
			continue;
		id = strtoul(v + 7, &end, 10);
		if (end == v + 7 || id == 0 || id > 255)
			continue;
		end += strcspn(end, " ");
		end += strspn(end, " ");
		if (strncmp(end, mid_urn, sizeof(mid_urn) - 1) == 0 &&
		    (end[sizeof(mid_urn) - 1] == '\0' || end[sizeof(mid_urn) - 1] == ' '))
			return (uint8_t)id;
	}
	return 0;
}

/* The payload types of @p m into @p pts (deduplicated). */
static void
add_pts(const struct wrtc_sdp_media *m, uint8_t *pts, unsigned int *n, unsigned int max)
{
	for (unsigned int k = 0; k < m->n_codecs && *n < max; k++) {
		uint8_t pt = (uint8_t)(m->codecs[k].pt & 0x7f);
		bool seen = false;

		for (unsigned int j = 0; j < *n; j++)
			seen |= pts[j] == pt;
		if (!seen)
			pts[(*n)++] = pt;
	}
}

/* The a=ssrc sources of @p m: remote sources of demux m-line @p k. */
static void
add_ssrcs(struct wrtc_rtp_demux *d, const struct wrtc_sdp_media *m, unsigned int k)
{
	for (unsigned int i = 0; i < m->n_lines; i++) {
		const char *v = m->lines[i].value;
		unsigned long long ssrc;
		char *end;

		if (m->lines[i].type != 'a' || strncmp(v, "ssrc:", 5) != 0)
			continue;
		ssrc = strtoull(v + 5, &end, 10);
		if (end == v + 5 || ssrc > UINT32_MAX)
			continue;
		/* A full table only loses SDP hints: SSRCs are learned from MIDs too. */
		(void)wrtc_rtp_demux_add_ssrc(d, (uint32_t)ssrc, k, false);
	}
}

/* Free the replaced tables of leg @p cl the worker has let go of. */
static void
bundle_reap(struct wrtc_session_mgr *mgr, const struct wrtc_call *call, struct call_leg *cl)
{
	unsigned int j = 0;

	for (unsigned int k = 0; k < cl->n_bretired; k++) {
		if (cl->bretired_seq[k] != UINT64_MAX &&
		    ctrl_done(mgr, call->worker, cl->bretired_seq[k])) {
			rte_free(cl->bretired[k]);
			continue;
		}
		cl->bretired[j] = cl->bretired[k];
		cl->bretired_seq[j++] = cl->bretired_seq[k];
	}
	cl->n_bretired = j;
}

/* Build leg @p l's table from its SDP (and, for relayed video, the other
 * leg's payload types, which the gateway's SDP to leg l carries). */
static int
bundle_build(const struct wrtc_call *call, unsigned int l, int t,
	     struct wrtc_flow_bundle *bd, int *idx)
{
	const struct wrtc_sdp *sdp = call->leg[l].sdp, *other = call->leg[1 - l].sdp;
	unsigned int members = 0;

	wrtc_rtp_demux_init(&bd->demux, mid_ext_id(&sdp->media[t]));
	for (unsigned int i = 0; i < call->n_media && i < sdp->n_media; i++) {
		const struct call_media *cm = &call->media[i];
		const struct leg_media *lm = &cm->leg[l];
		uint8_t pts[2 * WRTC_SDP_MAX_CODECS];
		char tmp[16];
		const char *mid = sdp->media[i].mid;
		unsigned int n = 0;
		int k;

		idx[i] = -1;
		if ((int)i != t && (!cm->active || lm->rtp == NULL || !lm->bundled))
			continue;
		if (mid[0] == '\0') {
			snprintf(tmp, sizeof(tmp), "%u", i);
			mid = tmp;
		}
		add_pts(&sdp->media[i], pts, &n, RTE_DIM(pts));
		if (cm->type != WRTC_SDP_MEDIA_AUDIO && other != NULL && i < other->n_media)
			add_pts(&other->media[i], pts, &n, RTE_DIM(pts));
		k = wrtc_rtp_demux_add_mline(&bd->demux, mid, strnlen(mid, WRTC_RTP_DEMUX_MID_SIZE + 1),
					     pts, n);
		if (k < 0) {
			CALL_LOG(WARNING, call, "leg %s m-line %u: not demultiplexed (MID %s: %s)",
				 call->leg[l].tag, i, mid, strerror(-k));
			continue;
		}
		idx[i] = k;
		bd->member[k] = lm->rtp;
		add_ssrcs(&bd->demux, &sdp->media[i], (unsigned int)k);
		members++;
	}
	if (idx[t] < 0)
		return -EINVAL;
	bd->transport_mline = (uint8_t)idx[t];
	return (int)members;
}

int
bundle_sync(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l)
{
	struct call_leg *cl = &call->leg[l];
	struct wrtc_flow_bundle *bd = NULL, *old = cl->bundle;
	int idx[SESS_MAX_MEDIA];
	unsigned int bundled = 0;
	int t = -1, rc = 0;

	for (unsigned int i = 0; i < SESS_MAX_MEDIA; i++)
		idx[i] = -1;
	bundle_reap(mgr, call, cl);
	if (bundle_leg(call, l) && cl->sdp != NULL)
		for (unsigned int i = 0; i < call->n_media && i < cl->sdp->n_media; i++) {
			const struct leg_media *lm = &call->media[i].leg[l];

			if (!call->media[i].active || lm->rtp == NULL)
				continue;
			if (!lm->bundled && t < 0)
				t = (int)i;
			else if (lm->bundled)
				bundled++;
		}
	if (t >= 0 && bundled > 0) {
		bd = rte_zmalloc("wrtc_bundle", sizeof(*bd), RTE_CACHE_LINE_SIZE);
		if (bd == NULL)
			return -ENOMEM;
		if (bundle_build(call, l, t, bd, idx) < 2) {
			rte_free(bd);
			bd = NULL;
		}
	}
	if (bd == NULL && old == NULL)
		return 0;
	if (old != NULL && cl->n_bretired == RTE_DIM(cl->bretired)) {
		if (ctrl_wait(mgr, call->worker, SESS_RPC_WAIT_US) == 0)
			bundle_reap(mgr, call, cl);
		if (cl->n_bretired == RTE_DIM(cl->bretired)) {
			rte_free(bd);
			return -EAGAIN;
		}
	}
	for (unsigned int i = 0; i < call->n_media; i++) {
		struct leg_media *lm = &call->media[i].leg[l];
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_BUNDLE};
		bool member = bd != NULL && idx[i] >= 0;
		int r;

		if (lm->rtp == NULL || (!member && !lm->in_bundle))
			continue;
		if (member) {
			u.bundle = bd;
			u.transport = (int)i == t ? NULL : call->media[t].leg[l].rtp;
			u.bundle_mline = (uint8_t)idx[i];
		}
		r = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
		if (r != 0)
			rc = r;
		lm->in_bundle = member;
	}
	cl->bundle = bd;
	if (old != NULL) {
		/* Lost posts (rc != 0) degrade the call: keep the old table until
		 * the call goes. */
		cl->bretired[cl->n_bretired] = old;
		cl->bretired_seq[cl->n_bretired++] = rc == 0 ? mgr->msg_seq : UINT64_MAX;
	}
	return rc;
}

void
bundle_free(struct call_leg *cl)
{
	rte_free(cl->bundle);
	for (unsigned int k = 0; k < cl->n_bretired; k++)
		rte_free(cl->bretired[k]);
	cl->bundle = NULL;
	cl->n_bretired = 0;
}

json_t *
bundle_status(const struct wrtc_call *call, unsigned int l)
{
	const struct wrtc_flow_bundle *bd = call->leg[l].bundle;
	const struct wrtc_rtp_demux *d;
	json_t *mids;

	if (bd == NULL)
		return NULL;
	d = &bd->demux;
	mids = json_array();
	for (unsigned int k = 0; k < d->n_mlines; k++)
		json_array_append_new(mids, json_stringn(d->mline[k].mid, d->mline[k].mid_size));
	/* Counters the worker writes, read relaxed. */
#define RD(x) (json_int_t)__atomic_load_n(&(x), __ATOMIC_RELAXED)
	return json_pack("{s:o, s:s%, s:i, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:I}",
			 "mids", mids, "transport_mid", d->mline[bd->transport_mline].mid,
			 (size_t)d->mline[bd->transport_mline].mid_size,
			 "mid_extension_id", d->mid_ext_id,
			 "rtp_by", "mid", RD(d->by[WRTC_RTP_DEMUX_BY_MID]),
			 "ssrc", RD(d->by[WRTC_RTP_DEMUX_BY_SSRC]),
			 "payload_type", RD(d->by[WRTC_RTP_DEMUX_BY_PT]),
			 "unknown", RD(d->by[WRTC_RTP_DEMUX_UNKNOWN]),
			 "bad_mid", RD(d->by[WRTC_RTP_DEMUX_BAD_MID]),
			 "rtcp_split", RD(bd->rtcp_split),
			 "rtcp_slices_lost", RD(bd->rtcp_slice_lost),
			 "rtcp_unknown", RD(d->rtcp_unknown));
#undef RD
}
