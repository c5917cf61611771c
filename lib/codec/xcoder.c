/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-stream, per-direction transcoder.
 *
 * Decoded audio goes into a FIFO of PCM samples at one rate (8 kHz, or
 * 16 kHz when G.722 is involved). The FIFO sits on a timeline counted in PCM
 * samples from the first packet: `tl` is the position of fifo[0], and every
 * output packet's timestamp is derived from the position of its first
 * sample, so output timestamps stay continuous across loss (concealed
 * samples fill the gap), advance over silence (DTX, silence suppression), and
 * change clock (48000 <-> 8000) without drift. Whenever the FIFO holds a
 * complete output frame it is encoded at once into a queue of complete RTP
 * packets, which wrtc_codec_xcoder_output() hands out in order; telephone-
 * event and comfort-noise packets join that queue in arrival order.
 *
 * Ownership: wrtc_codec_xcoder_create() runs on the control lcore and
 * allocates everything. After that, every field below is written only by the
 * one worker that owns the stream; the control lcore may not touch it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "codec_priv.h"

enum {
	QUEUE_SLOTS = 32,          /* Output packets queued between drains. */
	FIFO_SAMPLES = 4000,       /* 250 ms at 16 kHz. */
	PLC_MAX_MS = 120,          /* Longest gap concealed; the rest is silence. */
	DTMF_SIZE = 4,             /* One RFC 4733 event block. */
};

struct pkt_slot {
	uint16_t size;
	uint8_t data[WRTC_CODEC_PKT_MAX];
};

struct wrtc_codec_xcoder {
	/* Set by the control lcore at create time, read-only afterwards. */
	struct wrtc_codec_xcoder_prm prm;
	const struct wrtc_codec_ops *in_ops;
	const struct wrtc_codec_ops *out_ops;
	void *dec;
	void *enc;
	uint32_t rate;              /* PCM rate of the FIFO. */
	uint32_t in_clock;
	uint32_t out_clock;
	uint32_t in_dtmf_clock;
	uint32_t out_dtmf_clock;
	unsigned int out_frame;     /* Samples per output packet. */
	unsigned int plc_max;       /* Samples concealed at most per gap. */
	unsigned int quantum;       /* Concealment granularity (2.5 ms for Opus). */
	bool out_dtx;               /* The output encoder may skip frames. */

	/* Written by the owning worker. */
	bool in_started;            /* A packet has been accepted. */
	uint32_t in_ssrc;           /* SSRC of the input source. */
	uint16_t in_seq;            /* Last accepted input sequence number. */
	uint32_t in_next_ts;        /* Input timestamp of the next expected audio sample. */
	unsigned int in_frame;      /* Samples of the last decoded packet. */
	unsigned int pending_lost;  /* Losses seen on DTMF/CN packets, for the next audio. */
	bool cn_sent;               /* A CN packet went out for the current silence. */
	uint8_t level;              /* Level (-dBov) of the last audio, for CN packets. */
	bool marker;                /* Next audio packet starts a talkspurt. */
	bool continued;             /* Took over a replaced transcoder's output stream. */
	bool cont_pending;          /* ... and its first timestamp waits for the first input. */
	uint32_t cont_ts;           /* The stream's last timestamp before the switch, */
	uint64_t cont_us;           /* sent at this time (µs). */
	uint16_t out_seq;           /* Next output sequence number. */
	uint64_t tl;                /* Timeline position of fifo[0]. */
	unsigned int fifo_len;
	unsigned int q_head;
	unsigned int q_n;
	struct wrtc_rtp_rx_stats rx;
	struct wrtc_rtp_tx_stats tx;
	struct wrtc_codec_xcoder_stats st;
	int16_t fifo[FIFO_SAMPLES];
	int16_t scratch[WRTC_CODEC_PCM_MAX];
	struct pkt_slot q[QUEUE_SLOTS];
};

static uint32_t
out_ts_at(const struct wrtc_codec_xcoder *x, uint64_t pos)
{
	return x->prm.out_ts + (uint32_t)(pos * x->out_clock / x->rate);
}

static struct pkt_slot *
q_push(struct wrtc_codec_xcoder *x)
{
	struct pkt_slot *s;

	if (x->q_n == QUEUE_SLOTS) {
		x->st.out_overflow++;
		return NULL;
	}
	s = &x->q[(x->q_head + x->q_n) % QUEUE_SLOTS];
	x->q_n++;
	return s;
}

static void
q_unpush(struct wrtc_codec_xcoder *x)
{
	x->q_n--;
}

/* Level in -dBov (RFC 3389) of a frame, 0..127. */
static uint8_t
frame_level(const int16_t *pcm, unsigned int n)
{
	double sum = 0, db;

	for (unsigned int i = 0; i < n; i++)
		sum += (double)pcm[i] * pcm[i];
	if (sum <= 0)
		return 127;
	db = -10.0 * log10(sum / n / (32768.0 * 32768.0));
	if (db < 0)
		db = 0;
	return db > 127 ? 127 : (uint8_t)db;
}

static void
encode_frame(struct wrtc_codec_xcoder *x, const int16_t *pcm)
{
	struct pkt_slot *s = q_push(x);
	int rc;

	if (x->prm.out.cn_pt >= 0)
		x->level = frame_level(pcm, x->out_frame);
	if (s == NULL)
		return;
	rc = x->out_ops->encode(x->enc, pcm, x->out_frame, s->data + WRTC_RTP_HDR_SIZE,
				sizeof(s->data) - WRTC_RTP_HDR_SIZE);
	if (rc < 0) {
		x->st.out_encode_err++;
		q_unpush(x);
		return;
	}
	if (x->out_dtx && rc <= 2) {
		/* libopus: a packet of 2 bytes or less need not be sent. */
		x->st.out_dtx++;
		x->marker = true;
		q_unpush(x);
		return;
	}
	wrtc_rtp_hdr_write(s->data, WRTC_RTP_HDR_SIZE, x->marker, x->prm.out.pt, x->out_seq++,
			   out_ts_at(x, x->tl), x->prm.out_ssrc);
	x->marker = false;
	s->size = (uint16_t)(WRTC_RTP_HDR_SIZE + rc);
}

/* Encode every complete frame of the FIFO. */
static void
emit_frames(struct wrtc_codec_xcoder *x)
{
	unsigned int off = 0;

	while (x->fifo_len - off >= x->out_frame) {
		encode_frame(x, x->fifo + off);
		off += x->out_frame;
		x->tl += x->out_frame;
	}
	if (off) {
		x->fifo_len -= off;
		memmove(x->fifo, x->fifo + off, x->fifo_len * sizeof(x->fifo[0]));
	}
}

/* Append samples (NULL for silence) and encode what is complete. */
static void
append(struct wrtc_codec_xcoder *x, const int16_t *pcm, unsigned int n)
{
	while (n) {
		unsigned int k = FIFO_SAMPLES - x->fifo_len;

		if (k > n)
			k = n;
		if (pcm != NULL) {
			memcpy(x->fifo + x->fifo_len, pcm, k * sizeof(*pcm));
			pcm += k;
		} else {
			memset(x->fifo + x->fifo_len, 0, k * sizeof(x->fifo[0]));
		}
		x->fifo_len += k;
		n -= k;
		emit_frames(x);
	}
}

static void
emit_cn(struct wrtc_codec_xcoder *x)
{
	struct pkt_slot *s;

	if (x->prm.out.cn_pt < 0 || x->cn_sent)
		return;
	s = q_push(x);
	if (s == NULL)
		return;
	wrtc_rtp_hdr_write(s->data, WRTC_RTP_HDR_SIZE, false, (uint8_t)x->prm.out.cn_pt,
			   x->out_seq++, out_ts_at(x, x->tl + x->fifo_len), x->prm.out_ssrc);
	s->data[WRTC_RTP_HDR_SIZE] = x->level;
	s->size = WRTC_RTP_HDR_SIZE + 1;
	x->cn_sent = true;
}

/* Complete a partial output frame with silence, so what follows may jump. */
static void
flush_partial(struct wrtc_codec_xcoder *x)
{
	if (x->fifo_len)
		append(x, NULL, x->out_frame - x->fifo_len);
}

/* A silence of n samples in the input (DTX, silence suppression, long loss). */
static void
skip(struct wrtc_codec_xcoder *x, uint64_t n)
{
	if (n == 0)
		return;
	if (x->fifo_len) {
		unsigned int pad = x->out_frame - x->fifo_len;

		if (n <= pad) {
			append(x, NULL, (unsigned int)n);
			return;
		}
		append(x, NULL, pad);
		n -= pad;
	}
	emit_cn(x);
	x->tl += n;
	x->marker = true;
}

static void
conceal(struct wrtc_codec_xcoder *x, unsigned int n)
{
	while (n) {
		unsigned int k = x->in_frame ? x->in_frame : n;
		int rc;

		if (k > n)
			k = n;
		if (k > WRTC_CODEC_PCM_MAX)
			k = WRTC_CODEC_PCM_MAX;
		rc = x->in_ops->conceal(x->dec, x->scratch, k);
		if (rc <= 0) {
			append(x, NULL, k);
		} else {
			k = (unsigned int)rc;
			append(x, x->scratch, k);
		}
		x->st.plc_samples += k;
		n -= k;
	}
}

/* Fill a gap of `gap` samples that contains lost packets, then decode. */
static void
fill_loss(struct wrtc_codec_xcoder *x, uint64_t gap, const uint8_t *pl, size_t psize)
{
	uint64_t plc = gap < x->plc_max ? gap : x->plc_max;
	unsigned int fec = 0;
	int rc;

	plc -= plc % x->quantum;
	if (x->in_ops->decode_fec != NULL && x->in_frame &&
	    plc >= x->in_frame && x->in_frame % x->quantum == 0)
		fec = x->in_frame;
	/* Concealment fades out; what is left of a long gap is silence. The
	 * frame recovered by FEC is the one just before this packet, so it
	 * comes last. */
	conceal(x, (unsigned int)plc - fec);
	skip(x, gap - plc);
	if (fec) {
		rc = x->in_ops->decode_fec(x->dec, pl, psize, x->scratch, fec);
		if (rc > 0) {
			append(x, x->scratch, (unsigned int)rc);
			x->st.fec_frames++;
		} else {
			conceal(x, fec);
		}
	}
}

static void
dtmf_forward(struct wrtc_codec_xcoder *x, const struct wrtc_rtp_info *ri, const uint8_t *pl)
{
	struct pkt_slot *s;
	int64_t pos;
	int32_t delta;
	uint64_t dur;
	size_t size = ri->payload_size;

	if (x->prm.out.dtmf_pt < 0 || size < DTMF_SIZE ||
	    size > sizeof(s->data) - WRTC_RTP_HDR_SIZE) {
		x->st.dtmf_dropped++;
		return;
	}
	s = q_push(x);
	if (s == NULL) {
		x->st.dtmf_dropped++;
		return;
	}
	/* The event's timestamp is on the stream's timeline: place it relative to
	 * the next expected audio sample, then map it to the output clock. */
	delta = (int32_t)(ri->ts - x->in_next_ts);
	pos = (int64_t)(x->tl + x->fifo_len) + (int64_t)delta * x->rate / x->in_clock;
	if (pos < 0)
		pos = 0;
	wrtc_rtp_hdr_write(s->data, WRTC_RTP_HDR_SIZE, ri->marker, (uint8_t)x->prm.out.dtmf_pt,
			   x->out_seq++, out_ts_at(x, (uint64_t)pos), x->prm.out_ssrc);
	memcpy(s->data + WRTC_RTP_HDR_SIZE, pl, size);
	dur = (uint64_t)wrtc_rtp_get16(pl + 2) * x->out_dtmf_clock / x->in_dtmf_clock;
	wrtc_rtp_put16(s->data + WRTC_RTP_HDR_SIZE + 2, dur > 0xffff ? 0xffff : (uint16_t)dur);
	s->size = (uint16_t)(WRTC_RTP_HDR_SIZE + size);
}

/* The first input after a continuation: the output timeline starts where the
 * wall clock says the old stream would be now, at least one frame on. */
static void
cont_anchor(struct wrtc_codec_xcoder *x, uint64_t now_us)
{
	uint64_t el = now_us > x->cont_us ? now_us - x->cont_us : 0;
	uint64_t jump = el * x->out_clock / 1000000;
	uint64_t frame = (uint64_t)x->out_frame * x->out_clock / x->rate;

	if (jump < frame)
		jump = frame;
	x->prm.out_ts = x->cont_ts + (uint32_t)jump -
			(uint32_t)((x->tl + x->fifo_len) * x->out_clock / x->rate);
	x->cont_pending = false;
}

int
wrtc_codec_xcoder_input(struct wrtc_codec_xcoder *x, const uint8_t *rtp, size_t size,
			uint64_t now_us)
{
	struct wrtc_rtp_info ri;
	const uint8_t *pl;
	unsigned int lost;
	int32_t gap_ts;
	uint64_t gap;
	int16_t d;
	int n;

	if (wrtc_rtp_parse(rtp, size, &ri) < 0) {
		x->st.in_bad++;
		return -EBADMSG;
	}
	if (ri.pt != x->prm.in.pt && (int)ri.pt != x->prm.in.dtmf_pt &&
	    (int)ri.pt != x->prm.in.cn_pt) {
		x->st.in_bad_pt++;
		return -ENOMSG;
	}
	pl = rtp + ri.payload_offset;
	if (x->cont_pending)
		cont_anchor(x, now_us);
	if (!x->in_started) {
		x->in_started = true;
		x->in_ssrc = ri.ssrc;
		x->in_seq = (uint16_t)(ri.seq - 1);
		x->in_next_ts = ri.ts;
	} else if (ri.ssrc != x->in_ssrc) {
		/* A new source (the peer re-created its sender): its sequence and
		 * timestamp spaces are new; our output just continues. */
		x->st.in_resync++;
		flush_partial(x);
		x->in_ssrc = ri.ssrc;
		x->in_seq = (uint16_t)(ri.seq - 1);
		x->in_next_ts = ri.ts;
		x->pending_lost = 0;
		x->marker = true;
		wrtc_rtp_rx_init(&x->rx, x->in_clock, 1);
	}
	d = wrtc_rtp_seq_diff(x->in_seq, ri.seq);
	if (d == 0 && (int)ri.pt == x->prm.in.dtmf_pt && ri.payload_size >= DTMF_SIZE &&
	    (pl[1] & 0x80)) {
		/* Some senders repeat the final packet of an event with the same
		 * sequence number (RFC 4733 2.5.1.4 asks for three): pass it on. */
		x->st.in_packets++;
		x->st.in_bytes += ri.payload_size;
		x->st.dtmf_in++;
		dtmf_forward(x, &ri, pl);
		return 0;
	}
	if (d <= 0 && d > -WRTC_RTP_MAX_MISORDER) {
		x->st.in_late++;
		return -EALREADY;
	}
	if (d <= 0 || d > WRTC_RTP_MAX_DROPOUT) {
		/* The sender restarted: keep our timeline, start a new talkspurt. */
		x->st.in_resync++;
		flush_partial(x);
		x->in_next_ts = ri.ts;
		x->marker = true;
		d = 1;
	}
	wrtc_rtp_rx_update(&x->rx, &ri, now_us);
	x->st.in_packets++;
	x->st.in_bytes += ri.payload_size;
	lost = (unsigned int)(d - 1);
	x->in_seq = ri.seq;

	if ((int)ri.pt == x->prm.in.dtmf_pt && ri.pt != x->prm.in.pt) {
		x->pending_lost += lost;
		x->st.dtmf_in++;
		dtmf_forward(x, &ri, pl);
		return 0;
	}
	if ((int)ri.pt == x->prm.in.cn_pt && ri.pt != x->prm.in.pt) {
		/* RFC 3389: silence starts here; the next audio's timestamp jump
		 * becomes a gap in the output timeline. */
		x->pending_lost += lost;
		x->st.in_cn++;
		if (ri.payload_size >= 1)
			x->level = pl[0] & 0x7f;
		flush_partial(x);
		emit_cn(x);
		return 0;
	}

	lost += x->pending_lost;
	x->pending_lost = 0;
	if (ri.marker)
		x->marker = true;
	n = x->in_ops->samples(pl, ri.payload_size, x->rate);
	if (n <= 0 || n > WRTC_CODEC_PCM_MAX) {
		x->st.in_decode_err++;
		return -EPROTO;
	}
	gap_ts = (int32_t)(ri.ts - x->in_next_ts);
	if (gap_ts < 0) {
		x->st.in_resync++;
		gap_ts = 0;
	}
	gap = (uint64_t)gap_ts * x->rate / x->in_clock;
	if (lost) {
		x->st.in_lost += lost;
		if (gap == 0)
			gap = (uint64_t)lost * (x->in_frame ? x->in_frame : (unsigned int)n);
		fill_loss(x, gap, pl, ri.payload_size);
	} else if (gap) {
		x->st.in_silence++;
		skip(x, gap);
	}
	x->in_next_ts = ri.ts + (uint32_t)((uint64_t)n * x->in_clock / x->rate);
	n = x->in_ops->decode(x->dec, pl, ri.payload_size, x->scratch, WRTC_CODEC_PCM_MAX);
	if (n < 0) {
		x->st.in_decode_err++;
		conceal(x, (unsigned int)(x->in_next_ts - ri.ts) * x->rate / x->in_clock);
		return -EPROTO;
	}
	x->cn_sent = false;
	x->in_frame = (unsigned int)n;
	append(x, x->scratch, (unsigned int)n);
	return 0;
}

int
wrtc_codec_xcoder_output(struct wrtc_codec_xcoder *x, uint8_t *buf, size_t cap, uint64_t now_us)
{
	const struct pkt_slot *s;
	uint8_t pt;

	if (x->q_n == 0)
		return 0;
	s = &x->q[x->q_head];
	if (cap < s->size)
		return -ENOSPC;
	memcpy(buf, s->data, s->size);
	x->q_head = (x->q_head + 1) % QUEUE_SLOTS;
	x->q_n--;
	pt = buf[1] & 0x7f;
	x->st.out_packets++;
	x->st.out_bytes += s->size - WRTC_RTP_HDR_SIZE;
	if ((int)pt == x->prm.out.dtmf_pt)
		x->st.out_dtmf++;
	else if ((int)pt == x->prm.out.cn_pt)
		x->st.out_cn++;
	wrtc_rtp_tx_update(&x->tx, wrtc_rtp_get32(buf + 4), s->size - WRTC_RTP_HDR_SIZE, now_us);
	return s->size;
}

static int
side_check(struct wrtc_codec_side_prm *p, const struct wrtc_codec_ops *ops)
{
	if (p->clock == 0)
		p->clock = ops->rtp_clock;
	if (p->clock != ops->rtp_clock || p->pt > 127 || p->dtmf_pt < -1 || p->dtmf_pt > 127 ||
	    p->cn_pt < -1 || p->cn_pt > 127)
		return -EINVAL;
	if (p->ptime == 0)
		p->ptime = 20;
	if (p->dtmf_clock == 0)
		p->dtmf_clock = p->clock;
	return 0;
}

struct wrtc_codec_xcoder *
wrtc_codec_xcoder_create(const struct wrtc_codec_xcoder_prm *prm)
{
	const struct wrtc_codec_ops *in_ops, *out_ops;
	struct wrtc_codec_xcoder *x;
	uint32_t rate;

	if (prm == NULL) {
		errno = EINVAL;
		return NULL;
	}
	in_ops = wrtc_codec_ops_get(prm->in.codec);
	out_ops = wrtc_codec_ops_get(prm->out.codec);
	if (in_ops == NULL || out_ops == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (in_ops->pcm_rate == 0 && out_ops->pcm_rate == 0) {
		errno = ENOTSUP;
		return NULL;
	}
	rate = in_ops->pcm_rate > out_ops->pcm_rate ? in_ops->pcm_rate : out_ops->pcm_rate;
	if ((in_ops->pcm_rate && in_ops->pcm_rate != rate) ||
	    (out_ops->pcm_rate && out_ops->pcm_rate != rate)) {
		errno = ENOTSUP;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->prm = *prm;
	if (side_check(&x->prm.in, in_ops) < 0 || side_check(&x->prm.out, out_ops) < 0 ||
	    !out_ops->frame_ok(x->prm.out.ptime) || x->prm.in.ptime > 120) {
		free(x);
		errno = EINVAL;
		return NULL;
	}
	x->in_ops = in_ops;
	x->out_ops = out_ops;
	x->rate = rate;
	x->in_clock = x->prm.in.clock;
	x->out_clock = x->prm.out.clock;
	x->in_dtmf_clock = x->prm.in.dtmf_clock;
	x->out_dtmf_clock = x->prm.out.dtmf_clock;
	x->out_frame = x->prm.out.ptime * rate / 1000;
	x->plc_max = PLC_MAX_MS * rate / 1000;
	x->quantum = in_ops->id == WRTC_CODEC_OPUS ? rate / 400 : 1;
	x->out_dtx = out_ops->id == WRTC_CODEC_OPUS && prm->enc.dtx;
	x->in_frame = x->prm.in.ptime * rate / 1000;
	x->in_frame -= x->in_frame % x->quantum;
	x->out_seq = prm->out_seq;
	x->marker = true;
	x->level = 127;
	wrtc_rtp_rx_init(&x->rx, x->in_clock, 1);
	x->tx.ssrc = prm->out_ssrc;
	x->tx.clock = x->out_clock;

	x->dec = in_ops->dec_create(rate);
	if (x->dec == NULL)
		goto fail;
	x->enc = out_ops->enc_create(rate, &prm->enc);
	if (x->enc == NULL)
		goto fail_dec;
	return x;

fail_dec:
	in_ops->dec_free(x->dec);
fail:
	free(x);
	if (errno == 0)
		errno = ENOMEM;
	return NULL;
}

void
wrtc_codec_xcoder_outpos(const struct wrtc_codec_xcoder *x, struct wrtc_codec_outpos *p)
{
	p->ssrc = x->prm.out_ssrc;
	p->next_seq = x->out_seq;
	p->last_ts = x->tx.last_ts;
	p->last_us = x->tx.last_us;
	p->sent = x->tx.packets != 0;
}

int
wrtc_codec_xcoder_continue_from(struct wrtc_codec_xcoder *x, const struct wrtc_codec_outpos *p)
{
	if (x == NULL || p == NULL || !p->sent)
		return -EINVAL;
	if (x->continued || x->st.out_packets != 0 || x->in_started)
		return -EALREADY;
	x->prm.out_ssrc = p->ssrc;
	x->tx.ssrc = p->ssrc;
	x->out_seq = p->next_seq;
	x->cont_ts = p->last_ts;
	x->cont_us = p->last_us;
	x->cont_pending = true;
	x->marker = true;
	x->continued = true;
	return 0;
}

int
wrtc_codec_xcoder_continue(struct wrtc_codec_xcoder *x, const struct wrtc_codec_xcoder *prev)
{
	struct wrtc_codec_outpos p;
	int rc;

	if (x == NULL || prev == NULL || x == prev)
		return -EINVAL;
	wrtc_codec_xcoder_outpos(prev, &p);
	rc = wrtc_codec_xcoder_continue_from(x, &p);
	if (rc != 0)
		return rc;
	x->tx.packets = prev->tx.packets;
	x->tx.octets = prev->tx.octets;
	return 0;
}

void
wrtc_codec_xcoder_free(struct wrtc_codec_xcoder *x)
{
	if (x == NULL)
		return;
	x->out_ops->enc_free(x->enc);
	x->in_ops->dec_free(x->dec);
	free(x);
}

const struct wrtc_codec_xcoder_stats *
wrtc_codec_xcoder_stats(const struct wrtc_codec_xcoder *x)
{
	return &x->st;
}

struct wrtc_rtp_rx_stats *
wrtc_codec_xcoder_rx_stats(struct wrtc_codec_xcoder *x)
{
	return &x->rx;
}

const struct wrtc_rtp_tx_stats *
wrtc_codec_xcoder_tx_stats(const struct wrtc_codec_xcoder *x)
{
	return &x->tx;
}

uint32_t
wrtc_codec_xcoder_rate(const struct wrtc_codec_xcoder *x)
{
	return x->rate;
}
