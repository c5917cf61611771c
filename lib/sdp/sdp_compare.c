/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Re-offer comparison: what a re-INVITE changes (ICE restart, codecs, hold,
 * addresses, keys). Control lcore only.
 */
#include <errno.h>
#include <string.h>

#include "sdp_priv.h"

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
codecs_differ(const struct wrtc_sdp_media *a, const struct wrtc_sdp_media *b)
{
	if (a->n_codecs != b->n_codecs || a->n_fmts != b->n_fmts)
		return true;
	for (unsigned int i = 0; i < a->n_codecs; i++) {
		const struct wrtc_sdp_codec_desc *x = &a->codecs[i], *y = &b->codecs[i];

		if (x->pt != y->pt || x->clock != y->clock || x->channels != y->channels ||
		    !sdp_name_eq(x->name, y->name) || !str_eq(x->fmtp, y->fmtp))
			return true;
	}
	for (unsigned int i = 0; i < a->n_fmts; i++)
		if (strcmp(a->fmts[i], b->fmts[i]) != 0)
			return true;
	return false;
}

static bool
fp_differ(const struct wrtc_sdp_fingerprint *a, const struct wrtc_sdp_fingerprint *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return a->size != b->size || strcmp(a->hash, b->hash) != 0 ||
	       memcmp(a->bytes, b->bytes, a->size) != 0;
}

static bool
crypto_differ(const struct wrtc_sdp_media *a, const struct wrtc_sdp_media *b)
{
	if (a->n_crypto != b->n_crypto)
		return true;
	for (unsigned int i = 0; i < a->n_crypto; i++)
		if (a->crypto[i].tag != b->crypto[i].tag ||
		    strcmp(a->crypto[i].suite, b->crypto[i].suite) != 0 ||
		    strcmp(a->crypto[i].key_params, b->crypto[i].key_params) != 0)
			return true;
	return false;
}

static uint32_t
compare_media(const struct wrtc_sdp *o, const struct wrtc_sdp *n, unsigned int i)
{
	const struct wrtc_sdp_media *a = &o->media[i], *b = &n->media[i];
	const struct wrtc_sdp_conn *ca = wrtc_sdp_media_conn(o, i), *cb = wrtc_sdp_media_conn(n, i);
	struct wrtc_sdp_ice ia = wrtc_sdp_media_ice(o, i), ib = wrtc_sdp_media_ice(n, i);
	bool ha = wrtc_sdp_media_is_hold(o, i), hb = wrtc_sdp_media_is_hold(n, i);
	uint32_t f = 0;

	if (a->port != 0 && b->port == 0)
		return WRTC_SDP_CHG_REMOVED;
	if (a->port == 0 && b->port != 0)
		f |= WRTC_SDP_CHG_ADDED;
	if (ia.ufrag[0] != '\0' && (strcmp(ia.ufrag, ib.ufrag) != 0 || strcmp(ia.pwd, ib.pwd) != 0))
		f |= WRTC_SDP_CHG_ICE_RESTART;
	if (codecs_differ(a, b))
		f |= WRTC_SDP_CHG_CODECS;
	if (wrtc_sdp_media_dir(o, i) != wrtc_sdp_media_dir(n, i) || ha != hb)
		f |= WRTC_SDP_CHG_DIR;
	if (!ha && hb)
		f |= WRTC_SDP_CHG_HOLD;
	if (ha && !hb)
		f |= WRTC_SDP_CHG_RESUME;
	if (a->port != b->port || (ca == NULL) != (cb == NULL) ||
	    (ca != NULL && cb != NULL && strcmp(ca->addr.str, cb->addr.str) != 0))
		f |= WRTC_SDP_CHG_ADDR;
	if (fp_differ(wrtc_sdp_media_fingerprint(o, i), wrtc_sdp_media_fingerprint(n, i)) ||
	    wrtc_sdp_media_setup(o, i) != wrtc_sdp_media_setup(n, i) || crypto_differ(a, b))
		f |= WRTC_SDP_CHG_CRYPTO;
	if (a->ptime != b->ptime)
		f |= WRTC_SDP_CHG_PTIME;
	return f;
}

int
wrtc_sdp_compare(const struct wrtc_sdp *old_sdp, const struct wrtc_sdp *new_sdp,
		 struct wrtc_sdp_diff *diff)
{
	unsigned int n;

	if (old_sdp == NULL || new_sdp == NULL || diff == NULL)
		return -EINVAL;
	memset(diff, 0, sizeof(*diff));
	diff->same_origin_version =
	    strcmp(old_sdp->origin.sess_id, new_sdp->origin.sess_id) == 0 &&
	    strcmp(old_sdp->origin.sess_version, new_sdp->origin.sess_version) == 0;
	n = old_sdp->n_media > new_sdp->n_media ? old_sdp->n_media : new_sdp->n_media;
	if (n > WRTC_SDP_MAX_CODECS)
		n = WRTC_SDP_MAX_CODECS;
	diff->n_media = n;
	for (unsigned int i = 0; i < n; i++) {
		if (i >= old_sdp->n_media)
			diff->media[i] = WRTC_SDP_CHG_ADDED;
		else if (i >= new_sdp->n_media)
			diff->media[i] = WRTC_SDP_CHG_REMOVED;
		else
			diff->media[i] = compare_media(old_sdp, new_sdp, i);
		diff->all |= diff->media[i];
	}
	return 0;
}

bool
wrtc_sdp_is_ice_restart(const struct wrtc_sdp *old_sdp, const struct wrtc_sdp *new_sdp)
{
	struct wrtc_sdp_diff d;

	return wrtc_sdp_compare(old_sdp, new_sdp, &d) == 0 && (d.all & WRTC_SDP_CHG_ICE_RESTART);
}
