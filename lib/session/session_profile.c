/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-leg profiles: a leg runs a copy of its trunk group and packet service
 * profile (struct call_leg), which a front end may change when the call is
 * created. The ng front end derives these changes from rtpengine's flags
 * (docs/ng.md "Profiles"); JSON-RPC uses the trunk groups unchanged.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "session_priv.h"

void
wrtc_session_profile_init(struct wrtc_session_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->kind = p->ice = p->dtls = p->dtls_role = p->sdes = p->rtcp_mux = WRTC_SESSION_KEEP;
	p->address_type = p->transcode = p->trickle = p->latch = WRTC_SESSION_KEEP;
}

/* Does codec entry @p ce answer to @p name (its entry name or encoding name)? */
static bool
codec_is(const struct wrtc_config_codec_entry *ce, const char *name)
{
	return strcasecmp(ce->name, name) == 0 ||
	       strcasecmp(wrtc_config_codec_str(ce->codec), name) == 0;
}

/* Left alone by a strip of "all": telephone-event and the except list. */
static bool
kept(const struct wrtc_config_codec_entry *ce, const struct wrtc_session_profile *p)
{
	if (ce->codec == WRTC_CONFIG_CODEC_TELEPHONE_EVENT)
		return true;
	for (unsigned int k = 0; k < p->n_keep; k++)
		if (codec_is(ce, p->keep[k]))
			return true;
	return false;
}

static bool
psp_has(const struct wrtc_config *cfg, const struct wrtc_config_psp *psp, uint16_t idx)
{
	for (unsigned int k = 0; k < psp->n_codecs; k++)
		if (psp->codecs[k] == idx)
			return true;
	return false;
}

static int
edit_codecs(const struct wrtc_config *cfg, struct wrtc_config_psp *psp,
	    const struct wrtc_session_profile *p, char *err, size_t errlen)
{
	for (unsigned int s = 0; s < p->n_strip; s++) {
		unsigned int j = 0;

		for (unsigned int k = 0; k < psp->n_codecs; k++) {
			const struct wrtc_config_codec_entry *ce =
				&cfg->codec_entries[psp->codecs[k]];
			bool drop = strcasecmp(p->strip[s], "all") == 0 ? !kept(ce, p) :
				    codec_is(ce, p->strip[s]);

			if (drop)
				continue;
			psp->codecs[j++] = psp->codecs[k];
		}
		psp->n_codecs = j;
	}
	for (unsigned int a = 0; a < p->n_add; a++) {
		bool found = false;

		for (unsigned int e = 0; e < cfg->n_codec_entries; e++) {
			if (!codec_is(&cfg->codec_entries[e], p->add[a]))
				continue;
			found = true;
			if (psp_has(cfg, psp, (uint16_t)e))
				break;
			if (psp->n_codecs >= WRTC_CONFIG_MAX_CODECS) {
				snprintf(err, errlen, "codec: more than %d codecs on one leg",
					 WRTC_CONFIG_MAX_CODECS);
				return -EINVAL;
			}
			psp->codecs[psp->n_codecs++] = (uint16_t)e;
			break;
		}
		if (!found) {
			snprintf(err, errlen, "codec: \"%s\" is not in codec_entries", p->add[a]);
			return -EINVAL;
		}
	}
	if (psp->n_codecs == 0) {
		snprintf(err, errlen, "codec: every codec of the leg was stripped");
		return -EINVAL;
	}
	return 0;
}

/* Give a leg that now keys by DTLS a DTLS context: its own profile's, else the
 * first profile that has one (its DTLS and crypto suite profiles with it). */
static int
borrow_dtls(struct wrtc_session_mgr *mgr, struct call_leg *leg, char *err, size_t errlen)
{
	const struct wrtc_config *cfg = mgr->cfg;

	if (leg->tgc.psp < RTE_DIM(mgr->dtls_ctx) && mgr->dtls_ctx[leg->tgc.psp] != NULL) {
		leg->ctx_psp = leg->tgc.psp;
		return 0;
	}
	for (unsigned int p = 0; p < cfg->n_psps && p < RTE_DIM(mgr->dtls_ctx); p++) {
		if (mgr->dtls_ctx[p] == NULL)
			continue;
		leg->ctx_psp = (uint16_t)p;
		if (leg->pspc.dtls_profile < 0)
			leg->pspc.dtls_profile = cfg->psps[p].dtls_profile;
		if (leg->pspc.crypto_suite_profile < 0)
			leg->pspc.crypto_suite_profile = cfg->psps[p].crypto_suite_profile;
		return 0;
	}
	snprintf(err, errlen, "DTLS: no packet service profile has DTLS-SRTP configured");
	return -EINVAL;
}

/* The leg's trunk group and packet service profile as configured. */
void
call_profile_base(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l)
{
	struct call_leg *leg = &call->leg[l];

	leg->tgc = mgr->cfg->trunk_groups[leg->tg];
	leg->pspc = mgr->cfg->psps[leg->tgc.psp];
	leg->ctx_psp = leg->tgc.psp;
	leg->dtls_role = -1;
	leg->own_suites = false;
}

static int profile_apply(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l,
			 const struct wrtc_session_profile *p, char *err, size_t errlen);

int
call_profile_apply(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l,
		   const struct wrtc_session_profile *p, char *err, size_t errlen)
{
	call->leg[l].prof = *p;
	call->leg[l].has_prof = true;
	return profile_apply(mgr, call, l, p, err, errlen);
}

/* After a reload (mgr->cfg is the new configuration): every leg runs its
 * trunk group as now configured, with its front end's changes again. */
void
call_profiles_refresh(struct wrtc_session_mgr *mgr)
{
	struct wrtc_call *call;

	TAILQ_FOREACH(call, &mgr->calls, next)
		for (unsigned int l = 0; l < 2; l++) {
			char err[WRTC_SESSION_ERR_SIZE];

			call_profile_base(mgr, call, l);
			if (call->leg[l].has_prof &&
			    profile_apply(mgr, call, l, &call->leg[l].prof, err, sizeof(err)) != 0)
				CALL_LOG(WARNING, call, "leg %s: after the reload: %s; the trunk "
					 "group's profile applies", call->leg[l].tag, err);
		}
}

static int
profile_apply(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l,
		   const struct wrtc_session_profile *p, char *err, size_t errlen)
{
	struct call_leg *leg = &call->leg[l];
	struct wrtc_config_trunk_group *tg = &leg->tgc;
	struct wrtc_config_psp *psp = &leg->pspc;
	int rc;

	if (p->kind != WRTC_SESSION_KEEP) {
		tg->kind = (enum wrtc_config_trunk_kind)p->kind;
		if (tg->kind == WRTC_CONFIG_TRUNK_WEBRTC) {
			/* A WebRTC side: ICE, DTLS-SRTP, rtcp-mux unless a flag says otherwise. */
			if (tg->ice == WRTC_CONFIG_ICE_NONE)
				tg->ice = WRTC_CONFIG_ICE_LITE;
			psp->dtls = psp->srtp = psp->rtcp_mux = true;
			psp->sdes = false;
		} else {
			tg->ice = WRTC_CONFIG_ICE_NONE;
			psp->dtls = psp->srtp = psp->sdes = false;
			psp->allow_dtls_fallback = false;
		}
	}
	if (p->ice != WRTC_SESSION_KEEP)
		tg->ice = (enum wrtc_config_ice)p->ice;
	if (p->sdes == 1) {
		psp->sdes = psp->srtp = true;
		psp->dtls = false;
	} else if (p->sdes == 0) {
		psp->sdes = false;
	}
	if (p->dtls == 1) {
		psp->dtls = psp->srtp = true;
		psp->sdes = false;
	} else if (p->dtls == 0) {
		psp->dtls = false;
	}
	if (!psp->dtls && !psp->sdes)
		psp->srtp = false;
	if (psp->sdes && psp->crypto_suite_profile < 0) {
		if (mgr->cfg->n_crypto_profiles == 0) {
			snprintf(err, errlen, "SDES: no crypto_suite_profiles configured");
			return -EINVAL;
		}
		psp->crypto_suite_profile = 0;
	}
	if ((p->sdes_no != 0 || p->sdes_only != 0) && psp->crypto_suite_profile >= 0) {
		const struct wrtc_config_crypto_profile *cp =
			&mgr->cfg->crypto_profiles[psp->crypto_suite_profile];
		unsigned int n = 0;

		/* SDES-no-X / SDES-only-X: this leg's own copy of the suite list. */
		leg->suites = *cp;
		for (unsigned int i = 0; i < cp->n_suites; i++) {
			uint32_t bit = 1u << cp->suites[i];

			if ((p->sdes_no & bit) != 0 ||
			    (p->sdes_only != 0 && (p->sdes_only & bit) == 0))
				continue;
			leg->suites.suites[n++] = cp->suites[i];
		}
		leg->suites.n_suites = n;
		leg->own_suites = true;
		if (n == 0 && psp->sdes) {
			snprintf(err, errlen, "SDES: every suite of crypto_suite_profile \"%s\" "
				 "excluded", cp->name);
			return -EINVAL;
		}
	}
	if (p->dtls_role != WRTC_SESSION_KEEP)
		leg->dtls_role = p->dtls_role;
	if (p->rtcp_mux != WRTC_SESSION_KEEP)
		psp->rtcp_mux = p->rtcp_mux != 0;
	if (p->address_type != WRTC_SESSION_KEEP)
		tg->address_type = (enum wrtc_config_addr_type)p->address_type;
	if (p->transcode != WRTC_SESSION_KEEP)
		psp->transcode = p->transcode != 0;
	if (p->latch != WRTC_SESSION_KEEP)
		tg->latch = (enum wrtc_config_latch)p->latch;
	rc = edit_codecs(mgr->cfg, psp, p, err, errlen);
	if (rc != 0)
		return rc;
	if (psp->dtls)
		return borrow_dtls(mgr, leg, err, errlen);
	return 0;
}

/* The profile's media-address (ng) replaces the interface's address of its
 * family in the SDP written to leg @p l. */
void
profile_media_address(const struct wrtc_call *call, unsigned int l, char *a4, char *a6,
		      size_t size)
{
	const struct call_leg *cl = &call->leg[l];
	uint8_t buf[16];

	if (!cl->has_prof || cl->prof.media_address[0] == '\0')
		return;
	if (inet_pton(AF_INET, cl->prof.media_address, buf) == 1)
		snprintf(a4, size, "%s", cl->prof.media_address);
	else if (inet_pton(AF_INET6, cl->prof.media_address, buf) == 1)
		snprintf(a6, size, "%s", cl->prof.media_address);
}

/* The PT of @p offer (the other leg's) that leg @p l's profile accepts
 * (ng codec accept): the first offered codec it names; -1 = none. */
int
profile_accept_pt(const struct wrtc_call *call, unsigned int l, const struct wrtc_sdp_media *offer)
{
	const struct call_leg *cl = &call->leg[l];

	if (!cl->has_prof || cl->prof.n_accept == 0)
		return -1;
	for (unsigned int i = 0; i < offer->n_codecs; i++) {
		const char *name = offer->codecs[i].name;

		if (strcasecmp(name, "telephone-event") == 0 || strcasecmp(name, "CN") == 0)
			continue;
		for (unsigned int k = 0; k < cl->prof.n_accept; k++)
			if (strcasecmp(cl->prof.accept[k], name) == 0 ||
			    strcasecmp(cl->prof.accept[k], "all") == 0 ||
			    strcasecmp(cl->prof.accept[k], "any") == 0)
				return offer->codecs[i].pt;
	}
	return -1;
}
