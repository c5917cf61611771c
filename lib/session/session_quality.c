/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Call quality from RTCP (docs/ng.md "Call quality"): each second the call
 * timer takes the last report block each leg's peer sent (the worker keeps
 * it per stream, struct wrtc_flow_report) into that leg's figures: a MOS
 * estimate (wrtc_rtcp_mos()) from the block's loss fraction and jitter and
 * the round trips measured from LSR/DLSR, with average, lowest and highest.
 * A leg's figures describe the media the gateway sends to that leg, i.e. the
 * other leg's source (the SSRC the block reports on).
 */
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "session_priv.h"
#include "wrtc_rtcp.h"

/* RTP clock of what the gateway sends to leg @p l of media @p cm. */
static uint32_t
leg_clock(const struct wrtc_call *call, const struct call_media *cm, unsigned int l)
{
	const struct wrtc_sdp_codec *c;

	if (cm->dec == NULL || !cm->dec->answered)
		return 8000;
	c = l == call->offerer ? &cm->dec->a_codec : &cm->dec->b_codec;
	return c->clock != 0 ? c->clock : 8000;
}

static void
take(struct leg_quality *q, const struct wrtc_flow_report *r, uint32_t clock,
     uint32_t other_rtt_us)
{
	struct quality_sample s;

	if (r->rtt_us != UINT32_MAX && r->rtt_us != 0)
		q->rtt_leg_us = r->rtt_us;
	s.loss_pct = ((uint32_t)r->fraction_lost * 100 + 128) / 256;
	s.jitter_ms = (uint32_t)((uint64_t)r->jitter * 1000 / clock);
	s.rtt_leg_us = q->rtt_leg_us;
	s.rtt_us = q->rtt_leg_us + other_rtt_us;
	s.mos10 = wrtc_rtcp_mos(s.loss_pct, s.jitter_ms, s.rtt_us / 1000);
	s.at = time(NULL);
	if (q->samples == 0 || r->ssrc != q->ssrc) {
		/* A new source: its figures start again. */
		memset(&q->sum_mos10, 0, sizeof(*q) - offsetof(struct leg_quality, sum_mos10));
		q->samples = 0;
		q->ssrc = r->ssrc;
		q->lowest = s;
		q->highest = s;
	}
	q->samples++;
	q->sum_mos10 += s.mos10;
	q->sum_loss += s.loss_pct;
	q->sum_jitter += s.jitter_ms;
	q->sum_rtt += s.rtt_us;
	q->sum_rtt_leg += s.rtt_leg_us;
	if (s.mos10 < q->lowest.mos10)
		q->lowest = s;
	if (s.mos10 > q->highest.mos10)
		q->highest = s;
	q->last = s;
}

void
quality_sample(struct wrtc_call *call, unsigned int media)
{
	struct call_media *cm = &call->media[media];

	for (unsigned int l = 0; l < 2; l++) {
		struct leg_media *lm = &cm->leg[l];
		struct wrtc_stream *st[2] = {lm->rtp, lm->rtcp};

		for (unsigned int k = 0; k < 2; k++) {
			struct wrtc_flow_report r;

			if (st[k] == NULL || !wrtc_flow_report_read(&st[k]->c.report, &r) ||
			    r.seq == lm->q.seq_seen[k])
				continue;
			lm->q.seq_seen[k] = r.seq;
			take(&lm->q, &r, leg_clock(call, cm, l), cm->leg[1 - l].q.rtt_leg_us);
		}
	}
}

static json_t *
sample_json(const struct quality_sample *s)
{
	return json_pack("{s:f, s:i, s:i, s:I, s:I, s:I}", "mos", s->mos10 / 10.0,
			 "packet_loss", (int)s->loss_pct, "jitter_ms", (int)s->jitter_ms,
			 "rtt_us", (json_int_t)s->rtt_us, "rtt_leg_us", (json_int_t)s->rtt_leg_us,
			 "at", (json_int_t)s->at);
}

json_t *
quality_json(const struct leg_media *lm)
{
	const struct leg_quality *q = &lm->q;
	uint64_t n = q->samples;

	if (n == 0)
		return NULL;
	return json_pack("{s:I, s:I, s:{s:f, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
		"ssrc", (json_int_t)q->ssrc, "samples", (json_int_t)n,
		"average", "mos", (double)(q->sum_mos10 / n) / 10.0,
		"packet_loss", (json_int_t)(q->sum_loss / n), "jitter_ms",
		(json_int_t)(q->sum_jitter / n), "rtt_us", (json_int_t)(q->sum_rtt / n),
		"rtt_leg_us", (json_int_t)(q->sum_rtt_leg / n), "at", (json_int_t)q->last.at,
		"lowest", sample_json(&q->lowest), "highest", sample_json(&q->highest));
}
