/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/sdp: parse arbitrary bytes; when they parse, check that
 * serialise -> parse succeeds with the same lines, and run the accessors, the
 * codec negotiation, the re-offer comparison, the rewrite to both sides and a
 * manipulation rule set over the result. Any crash, leak or failed invariant
 * (abort) is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_sdp.h"

enum { MAX_M = 16 };

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
policy_add(struct wrtc_sdp_codec_policy *p, const char *name, uint32_t clock, uint8_t ch, int pt)
{
	struct wrtc_sdp_codec *c = &p->codecs[p->n++];

	memset(c, 0, sizeof(*c));
	strcpy(c->name, name);
	c->clock = clock;
	c->channels = ch;
	c->pt = pt;
	c->ptime = 20;
}

static void
exercise_rewrite(const struct wrtc_sdp *sdp, const struct wrtc_sdp_codec_policy *pol,
		 enum wrtc_sdp_side side, const struct wrtc_sdp_rules *rules, bool passthrough)
{
	struct wrtc_sdp_codec_decision dec[MAX_M];
	struct wrtc_sdp_rewrite_media media[MAX_M];
	struct wrtc_sdp_local_cand cand = {.family = 2,
					   .addr = "203.0.113.10",
					   .port = 40000,
					   .component = 1,
					   .priority = 2130706431,
					   .foundation = "1"};
	struct wrtc_sdp_crypto crypto = {.tag = 1,
					 .suite = "AES_CM_128_HMAC_SHA1_80",
					 .key_params =
					     "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"};
	struct wrtc_sdp_rewrite_prm prm = {0};
	struct wrtc_sdp *back = NULL;
	char err[256], *out = NULL;

	if (sdp->n_media > MAX_M)
		return;
	memset(media, 0, sizeof(media));
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		wrtc_sdp_codec_offer(&sdp->media[i], pol, true, &dec[i]);
		media[i].rtp_port = (uint16_t)(40000 + 2 * i);
		/* srtp_relay: the payload is untouched, no codec decision. */
		media[i].codecs = passthrough ? NULL : &dec[i];
		media[i].n_cands = 1;
		media[i].cands = &cand;
		media[i].n_crypto = 1;
		media[i].crypto = &crypto;
	}
	prm.side = side;
	prm.is_offer = true;
	prm.sdes = side == WRTC_SDP_SIDE_SIP;
	prm.ice_mode = side == WRTC_SDP_SIDE_WEBRTC ? WRTC_SDP_ICE_LITE : WRTC_SDP_ICE_NONE;
	prm.ice_ufrag = "Gw1a";
	prm.ice_pwd = "gatewaypassword000000001";
	prm.fp_hash = "sha-256";
	prm.fp_hex = "0F:1E";
	prm.bundle = true;
	prm.dtls_passthrough = passthrough;
	prm.addr4 = "203.0.113.10";
	prm.addr6 = "2001:db8::10";
	prm.af_pref = WRTC_SDP_AF_RECEIVED;
	prm.sess_id = 1;
	prm.sess_version = 1;
	prm.n_media = sdp->n_media;
	prm.media = media;
	prm.rules = rules;
	if (wrtc_sdp_rewrite(sdp, &prm, &out, err, sizeof(err)) == 0) {
		/* What the gateway sends must parse again (user rules may break it). */
		if (wrtc_sdp_parse(out, strlen(out), &back, err, sizeof(err)) != 0) {
			check(rules != NULL);
			free(out);
			return;
		}
		check(back->n_media == sdp->n_media);
		/* And answering this offer with itself must work as an answer. */
		for (unsigned int i = 0; i < sdp->n_media; i++)
			if (dec[i].mode != WRTC_SDP_CODEC_REJECT)
				wrtc_sdp_codec_answer(&dec[i], &sdp->media[i], &back->media[i]);
		prm.is_offer = false;
		prm.offer = sdp;
		free(out);
		out = NULL;
		if (wrtc_sdp_rewrite(back, &prm, &out, err, sizeof(err)) == 0) {
			struct wrtc_sdp *ans = NULL;

			check(wrtc_sdp_parse(out, strlen(out), &ans, err, sizeof(err)) == 0 ||
			      rules != NULL);
			wrtc_sdp_free(ans);
		}
	}
	free(out);
	wrtc_sdp_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wrtc_sdp_rule_def defs[] = {
	    {WRTC_SDP_RULE_OUT, WRTC_SDP_RULE_DELETE, "^a=ptime:", NULL},
	    {WRTC_SDP_RULE_BOTH, WRTC_SDP_RULE_SUBST, "([0-9]+)x*", "<\\1>"},
	};
	struct wrtc_sdp *sdp = NULL, *again = NULL;
	struct wrtc_sdp_codec_policy sip = {0}, web = {0};
	struct wrtc_sdp_rules *rules = NULL;
	struct wrtc_sdp_diff diff;
	char err[256], *text = NULL, *ruled = NULL;
	size_t len = 0;

	check(wrtc_sdp_rules_compile(defs, 2, &rules, err, sizeof(err)) == 0);
	if (wrtc_sdp_rules_apply(rules, WRTC_SDP_RULE_IN, (const char *)data, size, &ruled) == 0)
		free(ruled);
	if (wrtc_sdp_parse((const char *)data, size, &sdp, err, sizeof(err)) != 0) {
		check(sdp == NULL && strncmp(err, "line ", 5) == 0);
		wrtc_sdp_rules_free(rules);
		return 0;
	}
	check(wrtc_sdp_serialize(sdp, &text, &len) == 0);
	check(wrtc_sdp_parse(text, len, &again, err, sizeof(err)) == 0);
	check(again->n_media == sdp->n_media && again->n_lines == sdp->n_lines);
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		check(again->media[i].n_lines == sdp->media[i].n_lines);
		check(again->media[i].n_codecs == sdp->media[i].n_codecs);
		check(again->media[i].n_cands == sdp->media[i].n_cands);
		(void)wrtc_sdp_media_conn(sdp, i);
		(void)wrtc_sdp_media_ice(sdp, i);
		(void)wrtc_sdp_media_fingerprint(sdp, i);
		(void)wrtc_sdp_media_is_hold(sdp, i);
		(void)wrtc_sdp_group_find(sdp, "BUNDLE", sdp->media[i].mid);
	}
	check(wrtc_sdp_compare(sdp, again, &diff) == 0 && diff.all == 0);

	policy_add(&sip, "PCMU", 8000, 1, 0);
	policy_add(&sip, "PCMA", 8000, 1, 8);
	policy_add(&sip, "telephone-event", 8000, 1, 101);
	policy_add(&sip, "H264", 90000, 0, -1);
	policy_add(&web, "opus", 48000, 2, 111);
	policy_add(&web, "telephone-event", 48000, 1, 110);
	policy_add(&web, "VP8", 90000, 0, 96);
	policy_add(&web, "rtx", 90000, 0, -1);
	exercise_rewrite(sdp, &sip, WRTC_SDP_SIDE_SIP, rules, false);
	exercise_rewrite(sdp, &web, WRTC_SDP_SIDE_WEBRTC, NULL, false);
	exercise_rewrite(sdp, &web, WRTC_SDP_SIDE_WEBRTC, NULL, true);

	free(text);
	wrtc_sdp_free(sdp);
	wrtc_sdp_free(again);
	wrtc_sdp_rules_free(rules);
	return 0;
}
