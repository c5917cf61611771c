/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reception statistics of one RTP source, following the algorithms of
 * RFC 3550 appendix A.1 (sequence number validity and the extended highest
 * sequence number), A.3 (packets lost) and A.8 (interarrival jitter).
 *
 * All fields of struct wrtc_rtp_rx_stats are written only here, by the thread
 * that receives the stream.
 */
#include "wrtc_rtp.h"

static void
seq_restart(struct wrtc_rtp_rx_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = WRTC_RTP_SEQ_MOD + 1; /* So that seq == bad_seq is false. */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void
wrtc_rtp_rx_init(struct wrtc_rtp_rx_stats *s, uint32_t clock, uint32_t min_sequential)
{
	*s = (struct wrtc_rtp_rx_stats){0};
	s->clock = clock;
	s->min_sequential = min_sequential ? min_sequential : 1;
}

static enum wrtc_rtp_seq_result
seq_update(struct wrtc_rtp_rx_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				seq_restart(s, seq);
				s->received++;
				return WRTC_RTP_SEQ_VALID;
			}
		} else {
			s->probation = s->min_sequential - 1;
			s->max_seq = seq;
		}
		return WRTC_RTP_SEQ_PROBATION;
	}
	if (udelta < WRTC_RTP_MAX_DROPOUT) {
		/* In order, with a permissible gap. */
		if (seq < s->max_seq)
			s->cycles += WRTC_RTP_SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= WRTC_RTP_SEQ_MOD - WRTC_RTP_MAX_MISORDER) {
		/* A very large jump: believe it only if the next packet follows. */
		if (seq == s->bad_seq) {
			seq_restart(s, seq);
			s->received++;
			return WRTC_RTP_SEQ_RESTART;
		}
		s->bad_seq = (uint32_t)((seq + 1) & (WRTC_RTP_SEQ_MOD - 1));
		return WRTC_RTP_SEQ_BAD;
	} else {
		/* Duplicate or reordered packet: counted, as A.1 does. */
		s->received++;
		return WRTC_RTP_SEQ_DUPLICATE;
	}
	s->received++;
	return WRTC_RTP_SEQ_VALID;
}

static void
jitter_update(struct wrtc_rtp_rx_stats *s, uint32_t ts, uint64_t now_us)
{
	uint32_t arrival = (uint32_t)(now_us * s->clock / 1000000u);
	uint32_t transit = arrival - ts;
	uint32_t d;

	if (!s->have_transit) {
		s->transit = transit;
		s->have_transit = true;
		return;
	}
	/* |D| of RFC 3550 A.8 in unsigned arithmetic: a difference of exactly
	 * 2^31 (a timestamp jump) has no positive int32_t. */
	d = transit - s->transit;
	s->transit = transit;
	if (d & 0x80000000u)
		d = 0u - d;
	s->jitter += d - ((s->jitter + 8) >> 4);
}

enum wrtc_rtp_seq_result
wrtc_rtp_rx_update(struct wrtc_rtp_rx_stats *s, const struct wrtc_rtp_info *ri, uint64_t now_us)
{
	enum wrtc_rtp_seq_result r;

	if (!s->started) {
		if (s->min_sequential == 0)
			s->min_sequential = 1;
		seq_restart(s, ri->seq);
		s->max_seq = (uint16_t)(ri->seq - 1);
		s->probation = s->min_sequential;
		s->ssrc = ri->ssrc;
		s->started = true;
	}
	r = seq_update(s, ri->seq);
	if (r == WRTC_RTP_SEQ_VALID || r == WRTC_RTP_SEQ_RESTART) {
		s->octets += ri->payload_size;
		if (s->clock)
			jitter_update(s, ri->ts, now_us);
	} else if (r == WRTC_RTP_SEQ_DUPLICATE) {
		s->octets += ri->payload_size;
	}
	return r;
}

int32_t
wrtc_rtp_rx_lost(const struct wrtc_rtp_rx_stats *s)
{
	int64_t lost = (int64_t)wrtc_rtp_rx_expected(s) - (int64_t)s->received;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	return (int32_t)lost;
}

void
wrtc_rtp_rx_sr_received(struct wrtc_rtp_rx_stats *s, uint64_t ntp, uint64_t now_us)
{
	s->lsr = (uint32_t)(ntp >> 16);
	s->lsr_arrival_us = now_us ? now_us : 1;
}
