/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Opus through libopus, mono. The encoder and decoder run at the PCM rate of
 * the other side (8 kHz for G.711, 16 kHz for G.722), which libopus supports
 * natively, so no resampler is needed; the RTP clock stays 48000 (RFC 7587).
 * Concealment is libopus PLC (decode with no data); FEC decodes the LBRR
 * copy of the previous frame carried in the next packet.
 */
#include <errno.h>
#include <opus.h>

#include "codec_priv.h"

static bool
opus_frame_ok(unsigned int ms)
{
	return ms == 10 || ms == 20 || ms == 40 || ms == 60;
}

static bool
rate_ok(uint32_t rate)
{
	return rate == 8000 || rate == 16000;
}

static void *
opus_enc_create(uint32_t rate, const struct wrtc_codec_enc_prm *prm)
{
	OpusEncoder *e;
	int err;

	if (!rate_ok(rate) || prm->complexity > 10 || prm->bitrate < 0 || prm->loss_pct < 0 ||
	    prm->loss_pct > 100) {
		errno = EINVAL;
		return NULL;
	}
	e = opus_encoder_create((opus_int32)rate, 1, OPUS_APPLICATION_VOIP, &err);
	if (e == NULL) {
		errno = err == OPUS_ALLOC_FAIL ? ENOMEM : EINVAL;
		return NULL;
	}
	if ((prm->complexity >= 0 &&
	     opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(prm->complexity)) != OPUS_OK) ||
	    opus_encoder_ctl(e, OPUS_SET_BITRATE(prm->bitrate ? prm->bitrate : OPUS_AUTO)) !=
		    OPUS_OK ||
	    opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(prm->fec ? 1 : 0)) != OPUS_OK ||
	    opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(prm->loss_pct)) != OPUS_OK ||
	    opus_encoder_ctl(e, OPUS_SET_DTX(prm->dtx ? 1 : 0)) != OPUS_OK ||
	    opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)) != OPUS_OK) {
		opus_encoder_destroy(e);
		errno = EINVAL;
		return NULL;
	}
	return e;
}

static void
opus_enc_free(void *enc)
{
	if (enc != NULL)
		opus_encoder_destroy(enc);
}

static int
opus_enc(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	int rc = opus_encode(enc, pcm, (int)n, out, (opus_int32)(cap > 1275 * 3 ? 1275 * 3 : cap));

	return rc < 0 ? -EPROTO : rc;
}

static void *
opus_dec_create(uint32_t rate)
{
	OpusDecoder *d;
	int err;

	if (!rate_ok(rate)) {
		errno = EINVAL;
		return NULL;
	}
	d = opus_decoder_create((opus_int32)rate, 1, &err);
	if (d == NULL)
		errno = err == OPUS_ALLOC_FAIL ? ENOMEM : EINVAL;
	return d;
}

static void
opus_dec_free(void *dec)
{
	if (dec != NULL)
		opus_decoder_destroy(dec);
}

static int
opus_dec(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int max)
{
	int n;

	if (size == 0)
		return -EPROTO;
	n = opus_decode(dec, in, (opus_int32)size, pcm, (int)max, 0);
	return n < 0 ? -EPROTO : n;
}

static int
opus_conceal(void *dec, int16_t *pcm, unsigned int n)
{
	int rc = opus_decode(dec, NULL, 0, pcm, (int)n, 0);

	return rc < 0 ? -EPROTO : rc;
}

static int
opus_dec_fec(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int n)
{
	int rc = opus_decode(dec, in, (opus_int32)size, pcm, (int)n, 1);

	return rc < 0 ? -EPROTO : rc;
}

static int
opus_samples(const uint8_t *in, size_t size, uint32_t rate)
{
	int n;

	if (size == 0)
		return -EINVAL;
	n = opus_packet_get_nb_samples(in, (opus_int32)size, (opus_int32)rate);
	return n < 0 ? -EINVAL : n;
}

const struct wrtc_codec_ops wrtc_codec_opus_ops = {
	.api_version = WRTC_CODEC_OPS_API,
	.name = "opus",
	.id = WRTC_CODEC_OPUS,
	.static_pt = 255,
	.rtp_clock = 48000,
	.pcm_rate = 0,
	.frame_ms_min = 10,
	.frame_ms_max = 60,
	.frame_ok = opus_frame_ok,
	.enc_create = opus_enc_create,
	.enc_free = opus_enc_free,
	.encode = opus_enc,
	.dec_create = opus_dec_create,
	.dec_free = opus_dec_free,
	.decode = opus_dec,
	.conceal = opus_conceal,
	.decode_fec = opus_dec_fec,
	.samples = opus_samples,
};
