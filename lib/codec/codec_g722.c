/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.722 at 64 kbit/s through spandsp: 16 kHz PCM, two samples per octet,
 * RTP clock 8000 (RFC 3551 4.5.2). Loss concealment uses our waveform PLC on
 * the 16 kHz signal (codec_plc.c).
 */
#include <errno.h>
#include <stdlib.h>

#include "codec_plc.h"
#include "codec_priv.h"

struct g722_dec {
	g722_decode_state_t *st;
	struct wrtc_plc plc;
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
	wrtc_plc_init(&d->plc, rate);
	if (d->st == NULL) {
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
	wrtc_plc_rx(&d->plc, pcm, (unsigned int)n);
	return n;
}

static int
g722_conceal(void *dec, int16_t *pcm, unsigned int n)
{
	struct g722_dec *d = dec;

	wrtc_plc_fillin(&d->plc, pcm, n);
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
