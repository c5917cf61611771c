/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Codec negotiation: a pure function of the offer, the other side's codec
 * policy and the answer. Runs on the control lcore; the result is plain data
 * the session keeps per stream.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "sdp_priv.h"

static bool
is_te(const char *name)
{
	return sdp_name_eq(name, "telephone-event");
}

/* Formats that never carry the media itself. */
static bool
is_aux(const char *name)
{
	return is_te(name) || sdp_name_eq(name, "CN") || sdp_name_eq(name, "rtx") ||
	       sdp_name_eq(name, "red") || sdp_name_eq(name, "ulpfec") ||
	       sdp_name_eq(name, "flexfec-03");
}

/* The audio codecs the codec library can decode and encode. */
static bool
is_transcodable(const char *name, uint32_t clock)
{
	return (sdp_name_eq(name, "opus") && clock == 48000) ||
	       (sdp_name_eq(name, "PCMU") && clock == 8000) ||
	       (sdp_name_eq(name, "PCMA") && clock == 8000) ||
	       (sdp_name_eq(name, "G722") && clock == 8000);
}

static enum wrtc_sdp_media_type
codec_media(const char *name, uint32_t clock)
{
	static const char *const video[] = {"VP8",  "VP9",	 "H264", "H265",   "AV1",
					    "H263", "H263-1998", "H261", "ulpfec", "flexfec-03"};

	if (clock == 90000)
		return WRTC_SDP_MEDIA_VIDEO;
	for (size_t i = 0; i < sizeof(video) / sizeof(video[0]); i++)
		if (sdp_name_eq(name, video[i]))
			return WRTC_SDP_MEDIA_VIDEO;
	return WRTC_SDP_MEDIA_AUDIO;
}

static bool
policy_matches(const struct wrtc_sdp_codec *p, const struct wrtc_sdp_codec_desc *c)
{
	if (c->name[0] == '\0' || !sdp_name_eq(p->name, c->name))
		return false;
	if (p->clock != 0 && p->clock != c->clock)
		return false;
	if (p->channels != 0 && p->channels != (c->channels ? c->channels : 1))
		return false;
	return true;
}

static const struct wrtc_sdp_codec_desc *
find_codec(const struct wrtc_sdp_media *m, const struct wrtc_sdp_codec *p)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (policy_matches(p, &m->codecs[i]))
			return &m->codecs[i];
	return NULL;
}

static const struct wrtc_sdp_codec_desc *
find_te(const struct wrtc_sdp_media *m, uint32_t clock)
{
	const struct wrtc_sdp_codec_desc *any = NULL;

	for (unsigned int i = 0; i < m->n_codecs; i++) {
		if (!is_te(m->codecs[i].name))
			continue;
		if (m->codecs[i].clock == clock)
			return &m->codecs[i];
		if (any == NULL)
			any = &m->codecs[i];
	}
	return any;
}

/* a's rtx format whose fmtp says apt=<pt>. */
static const struct wrtc_sdp_codec_desc *
find_rtx(const struct wrtc_sdp_media *m, int pt)
{
	char want[16];

	snprintf(want, sizeof(want), "apt=%d", pt);
	for (unsigned int i = 0; i < m->n_codecs; i++) {
		const struct wrtc_sdp_codec_desc *c = &m->codecs[i];

		if (sdp_name_eq(c->name, "rtx") && c->fmtp != NULL && strcmp(c->fmtp, want) == 0)
			return c;
	}
	return NULL;
}

static void
desc_to_codec(const struct wrtc_sdp_codec_desc *d, struct wrtc_sdp_codec *c)
{
	memset(c, 0, sizeof(*c));
	sdp_strlcpy(c->name, d->name, sizeof(c->name));
	c->clock = d->clock;
	c->channels = d->channels ? d->channels : 1;
	c->pt = d->pt;
	if (d->fmtp != NULL)
		sdp_strlcpy(c->fmtp, d->fmtp, sizeof(c->fmtp));
}

static int
static_pt_of(const char *name, uint32_t clock)
{
	for (unsigned int pt = 0; pt < 35; pt++) {
		const char *n;
		uint32_t clk;
		uint8_t ch;

		if (sdp_static_pt(pt, &n, &clk, &ch) && sdp_name_eq(n, name) && clk == clock)
			return (int)pt;
	}
	return -1;
}

/* Give every b_offer entry a PT: wanted[] first, then the offerer's, then a free dynamic one. */
static void
assign_pts(struct wrtc_sdp_codec_decision *dec, const int *wanted)
{
	bool used[128] = {false};

	for (unsigned int i = 0; i < dec->n_b_offer; i++) {
		int w = wanted[i];

		dec->b_offer[i].pt = -1;
		if (w >= 0 && w < 128 && !used[w]) {
			dec->b_offer[i].pt = w;
			used[w] = true;
		}
	}
	for (unsigned int i = 0; i < dec->n_b_offer; i++) {
		int a = dec->a_offer_pt[i];

		if (dec->b_offer[i].pt >= 0)
			continue;
		if (a >= 96 && a < 128 && !used[a]) {
			dec->b_offer[i].pt = a;
			used[a] = true;
			continue;
		}
		for (int pt = 96; pt < 128 + 29; pt++) {
			int cand = pt < 128 ? pt : pt - 128 + 35; /* 96..127, then 35..63 */

			if (!used[cand]) {
				dec->b_offer[i].pt = cand;
				used[cand] = true;
				break;
			}
		}
	}
}

static void
add_offer(struct wrtc_sdp_codec_decision *dec, int *wanted, const struct wrtc_sdp_codec *c,
	  int a_pt, int want, bool dedup)
{
	if (dec->n_b_offer == WRTC_SDP_MAX_CODECS)
		return;
	for (unsigned int i = 0; dedup && i < dec->n_b_offer; i++)
		if (sdp_name_eq(dec->b_offer[i].name, c->name) &&
		    dec->b_offer[i].clock == c->clock && dec->b_offer[i].channels == c->channels)
			return; /* Listed twice in the policy. */
	dec->b_offer[dec->n_b_offer] = *c;
	dec->a_offer_pt[dec->n_b_offer] = a_pt;
	wanted[dec->n_b_offer] = want;
	dec->n_b_offer++;
}

static bool
has_transcodable(const struct wrtc_sdp_media *m)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (is_transcodable(m->codecs[i].name, m->codecs[i].clock))
			return true;
	return false;
}

int
wrtc_sdp_codec_offer(const struct wrtc_sdp_media *m, const struct wrtc_sdp_codec_policy *policy_b,
		     bool transcode, struct wrtc_sdp_codec_decision *dec)
{
	int wanted[WRTC_SDP_MAX_CODECS];
	int rtx_of[WRTC_SDP_MAX_CODECS]; /* b_offer index an rtx entry repairs, -1 if none. */
	unsigned int n_policy = 0, n_main = 0;

	if (m == NULL || policy_b == NULL || dec == NULL || policy_b->n > WRTC_SDP_MAX_CODECS)
		return -EINVAL;
	memset(dec, 0, sizeof(*dec));
	for (unsigned int i = 0; i < WRTC_SDP_MAX_CODECS; i++)
		rtx_of[i] = -1;
	dec->media = m->type;
	dec->transcode_allowed = transcode;
	dec->a_te_pt = dec->b_te_pt = -1;
	dec->accept_a_pt = -1;
	dec->mode = WRTC_SDP_CODEC_REJECT;
	if (m->port == 0 || m->n_codecs == 0)
		return -ENOENT;
	for (unsigned int i = 0; i < policy_b->n; i++)
		if (codec_media(policy_b->codecs[i].name, policy_b->codecs[i].clock) == m->type)
			n_policy++;

	if (n_policy == 0) {
		/* No policy for this media type: relay every format as offered. */
		for (unsigned int i = 0; i < m->n_codecs; i++) {
			struct wrtc_sdp_codec c;

			desc_to_codec(&m->codecs[i], &c);
			c.ptime = m->ptime;
			add_offer(dec, wanted, &c, m->codecs[i].pt, m->codecs[i].pt, false);
		}
	} else {
		for (unsigned int i = 0; i < policy_b->n; i++) {
			const struct wrtc_sdp_codec *p = &policy_b->codecs[i];
			const struct wrtc_sdp_codec_desc *d;
			struct wrtc_sdp_codec c;

			if (codec_media(p->name, p->clock) != m->type)
				continue;
			if (is_te(p->name) || sdp_name_eq(p->name, "rtx"))
				continue;
			d = find_codec(m, p);
			if (d != NULL) {
				desc_to_codec(d, &c);
				c.ptime = p->ptime;
				if (p->fmtp[0] != '\0')
					memcpy(c.fmtp, p->fmtp, sizeof(c.fmtp));
				add_offer(dec, wanted, &c, d->pt,
					  d->pt < 96 ? d->pt : (p->pt >= 0 ? p->pt : d->pt), true);
			} else if (transcode && m->type == WRTC_SDP_MEDIA_AUDIO &&
				   is_transcodable(p->name, p->clock) && has_transcodable(m)) {
				c = *p;
				if (c.channels == 0)
					c.channels = sdp_name_eq(p->name, "opus") ? 2 : 1;
				c.pt = -1;
				add_offer(dec, wanted, &c, -1,
					  p->pt >= 0 ? p->pt : static_pt_of(p->name, p->clock),
					  true);
			}
		}
	}
	for (unsigned int i = 0; i < dec->n_b_offer; i++)
		if (!is_aux(dec->b_offer[i].name))
			n_main++;
	if (n_main == 0) {
		dec->n_b_offer = 0;
		return -ENOENT;
	}
	/*
	 * rtx (RFC 4588): when the policy lists it, a's retransmission format of
	 * each relayed video codec, its apt= pointing at the codec's b-side PT.
	 */
	for (unsigned int i = 0; m->type == WRTC_SDP_MEDIA_VIDEO && i < policy_b->n; i++) {
		unsigned int n_main_video = dec->n_b_offer;

		if (!sdp_name_eq(policy_b->codecs[i].name, "rtx"))
			continue;
		for (unsigned int j = 0; j < n_main_video; j++) {
			const struct wrtc_sdp_codec_desc *r;
			struct wrtc_sdp_codec c;

			if (is_aux(dec->b_offer[j].name) || dec->a_offer_pt[j] < 0)
				continue;
			r = find_rtx(m, dec->a_offer_pt[j]);
			if (r == NULL || dec->n_b_offer == WRTC_SDP_MAX_CODECS)
				continue;
			desc_to_codec(r, &c);
			rtx_of[dec->n_b_offer] = (int)j;
			add_offer(dec, wanted, &c, r->pt, r->pt, false);
		}
		break;
	}
	/*
	 * telephone-event: each policy entry whose clock matches a main codec on
	 * side b, when a offered events at all. A different clock than a's
	 * events needs the transcoder to re-clock them.
	 */
	for (unsigned int i = 0; n_policy > 0 && i < policy_b->n; i++) {
		const struct wrtc_sdp_codec *p = &policy_b->codecs[i];
		uint32_t clock = p->clock ? p->clock : 8000;
		const struct wrtc_sdp_codec_desc *a_te;
		struct wrtc_sdp_codec c;
		bool clock_used = false;
		int a_pt;

		if (!is_te(p->name))
			continue;
		for (unsigned int j = 0; j < dec->n_b_offer; j++)
			if (!is_aux(dec->b_offer[j].name) && dec->b_offer[j].clock == clock)
				clock_used = true;
		a_te = find_te(m, clock);
		if (!clock_used || a_te == NULL)
			continue;
		a_pt = a_te->clock == clock ? a_te->pt : -1;
		if (a_pt < 0 && !transcode)
			continue;
		c = *p;
		c.clock = clock;
		c.channels = 1;
		if (c.fmtp[0] == '\0')
			sdp_strlcpy(c.fmtp, a_te->fmtp ? a_te->fmtp : "0-16", sizeof(c.fmtp));
		add_offer(dec, wanted, &c, a_pt, p->pt >= 0 ? p->pt : a_pt, true);
	}
	assign_pts(dec, wanted);
	for (unsigned int i = 0; i < dec->n_b_offer; i++)
		if (rtx_of[i] >= 0)
			snprintf(dec->b_offer[i].fmtp, sizeof(dec->b_offer[i].fmtp), "apt=%d",
				 dec->b_offer[rtx_of[i]].pt);
	dec->mode = WRTC_SDP_CODEC_RELAY;
	return 0;
}

static void
add_map(struct wrtc_sdp_codec_decision *dec, int a_pt, int b_pt)
{
	if (a_pt < 0 || b_pt < 0 || dec->n_map == WRTC_SDP_MAX_CODECS)
		return;
	for (unsigned int i = 0; i < dec->n_map; i++)
		if (dec->map[i].a_pt == a_pt || dec->map[i].b_pt == b_pt)
			return;
	dec->map[dec->n_map].a_pt = (uint8_t)a_pt;
	dec->map[dec->n_map].b_pt = (uint8_t)b_pt;
	dec->n_map++;
}

/* The b_offer entry an answer format refers to: same PT and name, else same name/clock. */
static int
offer_index(const struct wrtc_sdp_codec_decision *dec, const struct wrtc_sdp_codec_desc *d)
{
	for (unsigned int i = 0; i < dec->n_b_offer; i++)
		if (dec->b_offer[i].pt == d->pt &&
		    (d->name[0] == '\0' || sdp_name_eq(dec->b_offer[i].name, d->name)))
			return (int)i;
	for (unsigned int i = 0; i < dec->n_b_offer; i++) {
		const struct wrtc_sdp_codec *o = &dec->b_offer[i];

		if (sdp_name_eq(o->name, d->name) && o->clock == d->clock &&
		    o->channels == (d->channels ? d->channels : 1))
			return (int)i;
	}
	return -1;
}

int
wrtc_sdp_codec_answer(struct wrtc_sdp_codec_decision *dec, const struct wrtc_sdp_media *offer_a,
		      const struct wrtc_sdp_media *answer_b)
{
	const struct wrtc_sdp_codec_desc *b = NULL, *a = NULL, *b_te, *a_te;
	int k = -1;

	if (dec == NULL || offer_a == NULL || answer_b == NULL)
		return -EINVAL;
	dec->answered = false;
	dec->n_map = 0;
	dec->a_te_pt = dec->b_te_pt = -1;
	dec->a_te_clock = dec->b_te_clock = 0;
	dec->mode = WRTC_SDP_CODEC_REJECT;
	if (answer_b->port == 0 || answer_b->n_codecs == 0 || dec->n_b_offer == 0)
		return -ENOENT;
	for (unsigned int i = 0; i < answer_b->n_codecs && b == NULL; i++) {
		const struct wrtc_sdp_codec_desc *d = &answer_b->codecs[i];
		int idx;

		if (is_aux(d->name))
			continue;
		idx = offer_index(dec, d);
		if (idx >= 0) {
			b = d;
			k = idx;
		}
	}
	if (b == NULL)
		return -ENOENT;
	desc_to_codec(b, &dec->b_codec);
	if (b->name[0] == '\0') {
		/* A dynamic PT answered without rtpmap: it is the offered codec. */
		dec->b_codec = dec->b_offer[k];
		dec->b_codec.pt = b->pt;
	}
	if (dec->a_offer_pt[k] >= 0) {
		a = wrtc_sdp_media_codec(offer_a, (unsigned int)dec->a_offer_pt[k]);
		dec->mode = WRTC_SDP_CODEC_RELAY;
	} else {
		for (unsigned int i = 0; i < offer_a->n_codecs && a == NULL; i++)
			if (is_transcodable(offer_a->codecs[i].name, offer_a->codecs[i].clock))
				a = &offer_a->codecs[i];
		dec->mode = WRTC_SDP_CODEC_TRANSCODE;
	}
	if (a == NULL) {
		dec->mode = WRTC_SDP_CODEC_REJECT;
		return -ENOENT;
	}
	if (dec->accept_a_pt >= 0 && a->pt != dec->accept_a_pt &&
	    is_transcodable(b->name, b->clock)) {
		/* Side a keeps the codec accepted for it; b's choice is transcoded. */
		const struct wrtc_sdp_codec_desc *acc =
		    wrtc_sdp_media_codec(offer_a, (unsigned int)dec->accept_a_pt);

		if (acc != NULL && is_transcodable(acc->name, acc->clock)) {
			a = acc;
			dec->mode = WRTC_SDP_CODEC_TRANSCODE;
		}
	}
	desc_to_codec(a, &dec->a_codec);
	add_map(dec, dec->mode == WRTC_SDP_CODEC_RELAY ? a->pt : -1, b->pt);

	/* Every other relayed format the answer kept (video alternatives, CN, rtx). */
	for (unsigned int i = 0; i < answer_b->n_codecs; i++) {
		const struct wrtc_sdp_codec_desc *d = &answer_b->codecs[i];
		int idx;

		if (is_te(d->name) || d == b)
			continue;
		if (dec->mode == WRTC_SDP_CODEC_TRANSCODE && !sdp_name_eq(d->name, "CN"))
			continue;
		idx = offer_index(dec, d);
		if (idx >= 0 && dec->a_offer_pt[idx] >= 0)
			add_map(dec, dec->a_offer_pt[idx], d->pt);
	}

	b_te = find_te(answer_b, dec->b_codec.clock);
	a_te = find_te(offer_a, dec->a_codec.clock);
	if (b_te != NULL && a_te != NULL) {
		int idx = offer_index(dec, b_te);

		dec->b_te_pt = b_te->pt;
		dec->b_te_clock = b_te->clock;
		/* The a-side event PT is the one the offer relays, else one at a's codec clock. */
		if (idx >= 0 && dec->a_offer_pt[idx] >= 0) {
			const struct wrtc_sdp_codec_desc *r =
			    wrtc_sdp_media_codec(offer_a, (unsigned int)dec->a_offer_pt[idx]);

			if (r != NULL &&
			    (r->clock == dec->a_codec.clock || dec->mode == WRTC_SDP_CODEC_RELAY))
				a_te = r;
		}
		dec->a_te_pt = a_te->pt;
		dec->a_te_clock = a_te->clock;
		if (a_te->clock == b_te->clock)
			add_map(dec, a_te->pt, b_te->pt);
	}
	dec->a_ptime = offer_a->ptime;
	dec->b_ptime = answer_b->ptime ? answer_b->ptime : dec->b_offer[k].ptime;
	if (dec->mode == WRTC_SDP_CODEC_RELAY && dec->a_ptime == 0)
		dec->a_ptime = answer_b->ptime;
	dec->a_codec.ptime = dec->a_ptime;
	dec->b_codec.ptime = dec->b_ptime;
	dec->answered = true;
	return 0;
}
