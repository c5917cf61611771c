/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.722 at 64 kbit/s through spandsp: 16 kHz PCM, two samples per octet,
 * RTP clock 8000 (RFC 3551 4.5.2). Loss concealment uses spandsp's PLC on
 * the 16 kHz signal.
 */
#include <errno.h>
#include <stdlib.h>

#include "codec_priv.h"

struct g722_dec {
	g722_decode_state_t *st;
	plc_state_t *plc;
};

static bool
g722_frame_ok(unsigned int ms)
{
	return ms >= 10 && ms <= WRTC_CODEC_PTIME_MAX && ms % 10 == 0;
}

static void *
g722_enc_create(uint32_t rate, const struct wrtc_codec_enc_prm *prm)
{
	g722_encode_state_t *e;

	if (rate != 16000) {
		errno = EINVAL;
		return NULL;
	}
	e = g722_encode_init(NULL, 64000, 0);
	if (e == NULL)
		errno = ENOMEM;
	return e;
}

static void
g722_enc_free(void *enc)
{
	if (enc != NULL)
		g722_encode_free(enc);
}

static int
g722_enc(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	if (cap < n / 2 || n % 2)
		return -ENOSPC;
	return g722_encode(enc, out, pcm, (int)n);
}

static void *
g722_dec_create(uint32_t rate)
{
	struct g722_dec *d;

	if (rate != 16000) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	d->st = g722_decode_init(NULL, 64000, 0);
	d->plc = plc_init(NULL);
	if (d->st == NULL || d->plc == NULL) {
		if (d->st != NULL)
			g722_decode_free(d->st);
		if (d->plc != NULL)
			plc_free(d->plc);
		free(d);
		errno = ENOMEM;
		return NULL;
	}
	return d;
}

static void
g722_dec_free(void *dec)
{
	struct g722_dec *d = dec;

	if (d == NULL)
		return;
	g722_decode_free(d->st);
	plc_free(d->plc);
	free(d);
}

static int
g722_dec(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int max)
{
	struct g722_dec *d = dec;
	int n;

	if (size * 2 > max)
		return -EMSGSIZE;
	n = g722_decode(d->st, pcm, in, (int)size);
	if (n < 0)
		return -EPROTO;
	plc_rx(d->plc, pcm, n);
	return n;
}

static int
g722_conceal(void *dec, int16_t *pcm, unsigned int n)
{
	struct g722_dec *d = dec;

	plc_fillin(d->plc, pcm, (int)n);
	return (int)n;
}

static int
g722_samples(const uint8_t *in, size_t size, uint32_t rate)
{
	return rate == 16000 ? (int)(size * 2) : -EINVAL;
}

const struct wrtc_codec_ops wrtc_codec_g722_ops = {
	.api_version = WRTC_CODEC_OPS_API,
	.name = "G722",
	.id = WRTC_CODEC_G722,
	.static_pt = 9,
	.rtp_clock = 8000,
	.pcm_rate = 16000,
	.frame_ms_min = 10,
	.frame_ms_max = WRTC_CODEC_PTIME_MAX,
	.frame_ok = g722_frame_ok,
	.enc_create = g722_enc_create,
	.enc_free = g722_enc_free,
	.encode = g722_enc,
	.dec_create = g722_dec_create,
	.dec_free = g722_dec_free,
	.decode = g722_dec,
	.conceal = g722_conceal,
	.decode_fec = NULL,
	.samples = g722_samples,
};
