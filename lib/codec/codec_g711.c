/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.711 µ-law and A-law (ITU-T G.711) on 16-bit linear samples, with
 * spandsp's linear_to_ulaw()/ulaw_to_linear()/linear_to_alaw()/alaw_to_linear()
 * (inline bit arithmetic in <spandsp/g711.h>), bit-exact with the tables
 * this file used to have. `wrtc-bench-codec -g` (docs/benchmarks.md, "codec:
 * G.711") measures both: encoding costs the same (about 2.3 ns per sample),
 * table decoding was faster (0.6-1.2 against 2 ns per sample), which is about
 * 0.2 µs per 20 ms frame, 0.1 % of a transcoded call tick (131 µs). Too little
 * to keep our own copy of what the linked library does.
 *
 * Loss concealment is the G.711 Appendix I style PLC of codec_plc.c (why not
 * spandsp's plc_*: see there).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>

#include "codec_plc.h"
#include "codec_priv.h"

uint8_t
wrtc_codec_ulaw_from_linear(int16_t x)
{
	return linear_to_ulaw(x);
}

int16_t
wrtc_codec_ulaw_to_linear(uint8_t u)
{
	return ulaw_to_linear(u);
}

uint8_t
wrtc_codec_alaw_from_linear(int16_t x)
{
	return linear_to_alaw(x);
}

int16_t
wrtc_codec_alaw_to_linear(uint8_t a)
{
	return alaw_to_linear(a);
}

/* The decoder state: the law and the concealment history. (Static names
 * avoid spandsp's g711_ prefix.) */
struct law_dec {
	struct wrtc_plc plc;
	bool alaw;
};

/* G.711 encoding keeps no state; every encoder is this one object. */
static const int law_enc_token;

static bool
law_frame_ok(unsigned int ms)
{
	return ms >= 10 && ms <= WRTC_CODEC_PTIME_MAX && ms % 10 == 0;
}

static void *
law_enc_create(uint32_t rate, const struct wrtc_codec_enc_prm *prm)
{
	if (rate != 8000) {
		errno = EINVAL;
		return NULL;
	}
	return (void *)&law_enc_token;
}

static void
law_enc_free(void *enc)
{
}

static int
ulaw_encode(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	if (cap < n)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		out[i] = linear_to_ulaw(pcm[i]);
	return (int)n;
}

static int
alaw_encode(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	if (cap < n)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		out[i] = linear_to_alaw(pcm[i]);
	return (int)n;
}

static void *
law_dec_create(bool alaw, uint32_t rate)
{
	struct law_dec *d;

	if (rate != 8000) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	wrtc_plc_init(&d->plc, rate);
	d->alaw = alaw;
	return d;
}

static void *
ulaw_dec_create(uint32_t rate)
{
	return law_dec_create(false, rate);
}

static void *
alaw_dec_create(uint32_t rate)
{
	return law_dec_create(true, rate);
}

static void
law_dec_free(void *dec)
{
	struct law_dec *d = dec;

	if (d == NULL)
		return;
	free(d);
}

static int
law_decode(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int max)
{
	struct law_dec *d = dec;

	if (size > max)
		return -EMSGSIZE;
	if (d->alaw)
		for (size_t i = 0; i < size; i++)
			pcm[i] = alaw_to_linear(in[i]);
	else
		for (size_t i = 0; i < size; i++)
			pcm[i] = ulaw_to_linear(in[i]);
	wrtc_plc_rx(&d->plc, pcm, (unsigned int)size);
	return (int)size;
}

static int
law_conceal(void *dec, int16_t *pcm, unsigned int n)
{
	struct law_dec *d = dec;

	wrtc_plc_fillin(&d->plc, pcm, n);
	return (int)n;
}

static int
law_samples(const uint8_t *in, size_t size, uint32_t rate)
{
	return rate == 8000 ? (int)size : -EINVAL;
}

const struct wrtc_codec_ops wrtc_codec_pcmu_ops = {
	.api_version = WRTC_CODEC_OPS_API,
	.name = "PCMU",
	.id = WRTC_CODEC_PCMU,
	.static_pt = 0,
	.rtp_clock = 8000,
	.pcm_rate = 8000,
	.frame_ms_min = 10,
	.frame_ms_max = WRTC_CODEC_PTIME_MAX,
	.frame_ok = law_frame_ok,
	.enc_create = law_enc_create,
	.enc_free = law_enc_free,
	.encode = ulaw_encode,
	.dec_create = ulaw_dec_create,
	.dec_free = law_dec_free,
	.decode = law_decode,
	.conceal = law_conceal,
	.decode_fec = NULL,
	.samples = law_samples,
};

const struct wrtc_codec_ops wrtc_codec_pcma_ops = {
	.api_version = WRTC_CODEC_OPS_API,
	.name = "PCMA",
	.id = WRTC_CODEC_PCMA,
	.static_pt = 8,
	.rtp_clock = 8000,
	.pcm_rate = 8000,
	.frame_ms_min = 10,
	.frame_ms_max = WRTC_CODEC_PTIME_MAX,
	.frame_ok = law_frame_ok,
	.enc_create = law_enc_create,
	.enc_free = law_enc_free,
	.encode = alaw_encode,
	.dec_create = alaw_dec_create,
	.dec_free = law_dec_free,
	.decode = law_decode,
	.conceal = law_conceal,
	.decode_fec = NULL,
	.samples = law_samples,
};
