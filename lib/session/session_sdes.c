/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDES-SRTP (RFC 4568) towards SIP legs whose packet service profile asks for
 * it: a=crypto lines with fresh keys in our offers and answers, the peer's key
 * taken from its SDP, and both SRTP contexts handed to the worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"

static const struct wrtc_config_crypto_profile *
crypto_profile(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	const struct wrtc_config_psp *psp = call_psp(call, leg);

	if (call->leg[leg].own_suites)
		return &call->leg[leg].suites;
	return psp->crypto_suite_profile >= 0 ? &mgr->cfg->crypto_profiles[psp->crypto_suite_profile] :
						NULL;
}

static int
to_crypto(const struct wrtc_srtp_sdes *sd, struct wrtc_sdp_crypto *out)
{
	char line[WRTC_SRTP_SDES_MAX_LEN];
	const char *sp1, *sp2;

	if (wrtc_srtp_sdes_format(sd, line, sizeof(line)) < 0)
		return -EINVAL;
	/* "<tag> <suite> <key-params>" */
	sp1 = strchr(line, ' ');
	sp2 = sp1 != NULL ? strchr(sp1 + 1, ' ') : NULL;
	if (sp2 == NULL)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->tag = sd->tag;
	snprintf(out->suite, sizeof(out->suite), "%.*s", (int)(sp2 - sp1 - 1), sp1 + 1);
	snprintf(out->key_params, sizeof(out->key_params), "%s", sp2 + 1);
	return 0;
}

static bool
suite_allowed(const struct wrtc_config_crypto_profile *cp, enum wrtc_srtp_suite s)
{
	for (unsigned int i = 0; cp != NULL && i < cp->n_suites; i++)
		if ((enum wrtc_srtp_suite)(cp->suites[i] + 1) == s)
			return true;
	return false;
}

/* Hand the contexts for (peer key, our key) to the worker, on both streams. */
static int
sdes_apply(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	   const struct wrtc_srtp_sdes *peer, const struct wrtc_srtp_sdes *ours)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	struct wrtc_srtp_prm prm;
	struct wrtc_srtp *rx, *tx, *old_rx = lm->srtp_rx, *old_tx = lm->srtp_tx;
	uint64_t seq;
	int rc;

	/* The replaced contexts are freed once the worker applied both updates
	 * (never dropped: every re-INVITE brings new keys). */
	if (old_rx != NULL) {
		rc = srtp_retire_room(mgr, call, lm, 2);
		if (rc != 0)
			return rc;
	}
	wrtc_srtp_sdes_to_prm(peer, &prm);
	rx = wrtc_srtp_create(&prm);
	wrtc_srtp_sdes_to_prm(ours, &prm);
	tx = wrtc_srtp_create(&prm);
	if (rx == NULL || tx == NULL) {
		wrtc_srtp_free(rx);
		wrtc_srtp_free(tx);
		return -ENOMEM;
	}
	/* Restore (session_ha.c): the ROC and sequence go on. */
	if (ha_rec_stream(mgr, lm) != NULL) {
		ha_prime(rx, &ha_rec_stream(mgr, lm)->srtp_in);
		ha_prime(tx, &ha_rec_stream(mgr, lm)->srtp_out);
	}
	lm->srtp_rx = rx;
	lm->srtp_tx = tx;
	u.srtp_rx = rx;
	u.srtp_tx = tx;
	u.secure_only = true;
	lm->sdes_suite = wrtc_srtp_suite_name(ours->suite);
	/* The peer's key, for the record (session_ha.c). */
	lm->sdes_local[SESS_SDES_LOCAL] = *peer;
	lm->sdes_peer_set = true;
	rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
	/* SRTCP on the RTCP port uses the same master keys (RFC 3711 §3.4). */
	if (rc == 0)
		rc = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtcp, &u);
	seq = rc == 0 ? mgr->msg_seq : UINT64_MAX;
	srtp_retire(lm, old_rx, seq);
	srtp_retire(lm, old_tx, seq);
	return rc;
}

/*
 * A key of ours for @p lm: fresh, or, while a call is restored (session_ha.c),
 * the one its record says the peer was given for that suite.
 */
static int
sdes_key(const struct wrtc_session_mgr *mgr, const struct leg_media *lm,
	 struct wrtc_srtp_sdes *sd, uint32_t tag, enum wrtc_srtp_suite suite)
{
	const struct wrtc_ha_record *r = mgr->ha_rec;
	const struct wrtc_ha_srtp_dir *d;
	size_t ks, ss;
	int rc = wrtc_srtp_sdes_generate(sd, tag, suite);

	if (rc != 0 || r == NULL || lm->leg >= r->n_legs ||
	    lm->index >= r->legs[lm->leg].n_streams)
		return rc;
	d = &r->legs[lm->leg].streams[lm->index].srtp_out;
	ks = wrtc_srtp_suite_key_size(suite);
	ss = wrtc_srtp_suite_salt_size(suite);
	if (!d->present || strcmp(d->suite, wrtc_srtp_suite_name(suite)) != 0 ||
	    d->key_size != ks + ss)
		return 0;
	memcpy(sd->master_key, d->key, ks);
	memcpy(sd->master_salt, d->key + ks, ss);
	return 0;
}

/* Our SDES keys of @p lm live on the heap, only on legs that use SDES. */
static int
sdes_keys_alloc(struct leg_media *lm)
{
	if (lm->sdes_local == NULL)
		lm->sdes_local = calloc(SESS_SDES_LOCAL + 1, sizeof(*lm->sdes_local));
	return lm->sdes_local != NULL ? 0 : -ENOMEM;
}

int
sdes_offer_lines(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		 struct wrtc_sdp_crypto *out, unsigned int max, char *err, size_t errlen)
{
	const struct wrtc_config_crypto_profile *cp = crypto_profile(mgr, call, lm->leg);
	unsigned int n = 0;

	if (sdes_keys_alloc(lm) != 0) {
		snprintf(err, errlen, "media[%u]: out of memory", lm->index);
		return -ENOMEM;
	}
	lm->sdes_on = true;
	/* Keep the keys of an earlier offer on a re-offer (no re-keying). */
	if (lm->n_sdes_local == 0) {
		for (unsigned int i = 0; cp != NULL && i < cp->n_suites && i < SESS_SDES_LOCAL;
		     i++) {
			if (sdes_key(mgr, lm, &lm->sdes_local[i], i + 1,
				     (enum wrtc_srtp_suite)(cp->suites[i] + 1)) != 0) {
				snprintf(err, errlen, "media[%u]: cannot generate SDES keys", lm->index);
				return -EIO;
			}
			lm->n_sdes_local++;
		}
	}
	for (unsigned int i = 0; i < lm->n_sdes_local && n < max; i++)
		if (to_crypto(&lm->sdes_local[i], &out[n]) == 0)
			n++;
	return (int)n;
}

int
sdes_answer_line(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		 const struct wrtc_sdp_media *offer_m, struct wrtc_sdp_crypto *out,
		 char *err, size_t errlen)
{
	const struct wrtc_config_crypto_profile *cp = crypto_profile(mgr, call, lm->leg);

	if (sdes_keys_alloc(lm) != 0) {
		snprintf(err, errlen, "media[%u]: out of memory", lm->index);
		return -ENOMEM;
	}
	lm->sdes_on = true;
	for (unsigned int i = 0; i < offer_m->n_crypto; i++) {
		const struct wrtc_sdp_crypto *c = &offer_m->crypto[i];
		struct wrtc_srtp_sdes peer;
		char line[512];
		int rc;

		snprintf(line, sizeof(line), "%u %s %s", c->tag, c->suite, c->key_params);
		if (wrtc_srtp_sdes_parse(line, strlen(line), &peer, NULL) != 0 ||
		    !suite_allowed(cp, peer.suite))
			continue;
		/* Answer with the offered tag and suite and a key of our own. */
		if (sdes_key(mgr, lm, &lm->sdes_local[0], peer.tag, peer.suite) != 0)
			return -EIO;
		lm->n_sdes_local = 1;
		rc = to_crypto(&lm->sdes_local[0], out);
		if (rc == 0)
			rc = sdes_apply(mgr, call, lm, &peer, &lm->sdes_local[0]);
		return rc == 0 ? 1 : rc;
	}
	snprintf(err, errlen, "media[%u]: no acceptable a=crypto line (suites allowed by the "
		 "crypto_suite_profile)", lm->index);
	return -EINVAL;
}

int
sdes_remote(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
	    const struct wrtc_sdp_media *m, bool is_answer, char *err, size_t errlen)
{
	if (!is_answer)
		return 0; /* An offer's keys are taken when we answer it. */
	for (unsigned int i = 0; i < m->n_crypto; i++) {
		const struct wrtc_sdp_crypto *c = &m->crypto[i];
		struct wrtc_srtp_sdes peer;
		char line[512];

		snprintf(line, sizeof(line), "%u %s %s", c->tag, c->suite, c->key_params);
		if (wrtc_srtp_sdes_parse(line, strlen(line), &peer, NULL) != 0)
			continue;
		for (unsigned int k = 0; k < lm->n_sdes_local; k++)
			if (lm->sdes_local[k].tag == peer.tag && lm->sdes_local[k].suite == peer.suite)
				return sdes_apply(mgr, call, lm, &peer, &lm->sdes_local[k]);
	}
	snprintf(err, errlen, "media[%u]: the answer's a=crypto matches none of the offered tags",
		 lm->index);
	return -EINVAL;
}
