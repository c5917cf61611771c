/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * G.711 µ-law and A-law (ITU-T G.711) on 16-bit linear samples.
 *
 * Decoding is a 256-entry table per law. Encoding finds the segment with a
 * 128-entry table indexed by the biased magnitude >> 8, then takes the four
 * quantisation bits below the segment's leading one. Both match spandsp's
 * linear_to_ulaw()/ulaw_to_linear()/linear_to_alaw()/alaw_to_linear() for
 * every input; test/codec checks all 65536 linear values and all 256 codes.
 *
 * Loss concealment is the G.711 Appendix I style PLC of codec_plc.c.
 */
#include <errno.h>
#include <stdlib.h>

#include "codec_plc.h"
#include "codec_priv.h"

static const int16_t ulaw_dec[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
	-11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
	-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140,
	-5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
	-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004,
	-2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
	-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436,
	-1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
	-876, -844, -812, -780, -748, -716, -684, -652,
	-620, -588, -556, -524, -492, -460, -428, -396,
	-372, -356, -340, -324, -308, -292, -276, -260,
	-244, -228, -212, -196, -180, -164, -148, -132,
	-120, -112, -104, -96, -88, -80, -72, -64,
	-56, -48, -40, -32, -24, -16, -8, 0,
	32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956,
	23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
	15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412,
	11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
	7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140,
	5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
	3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004,
	2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
	1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436,
	1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
	876, 844, 812, 780, 748, 716, 684, 652,
	620, 588, 556, 524, 492, 460, 428, 396,
	372, 356, 340, 324, 308, 292, 276, 260,
	244, 228, 212, 196, 180, 164, 148, 132,
	120, 112, 104, 96, 88, 80, 72, 64,
	56, 48, 40, 32, 24, 16, 8, 0,
};

static const int16_t alaw_dec[256] = {
	-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736,
	-7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
	-2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368,
	-3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944,
	-30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
	-11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472,
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
	-344, -328, -376, -360, -280, -264, -312, -296,
	-472, -456, -504, -488, -408, -392, -440, -424,
	-88, -72, -120, -104, -24, -8, -56, -40,
	-216, -200, -248, -232, -152, -136, -184, -168,
	-1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184,
	-1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
	-688, -656, -752, -720, -560, -528, -624, -592,
	-944, -912, -1008, -976, -816, -784, -880, -848,
	5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736,
	7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
	2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368,
	3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
	22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944,
	30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
	11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472,
	15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
	344, 328, 376, 360, 280, 264, 312, 296,
	472, 456, 504, 488, 408, 392, 440, 424,
	88, 72, 120, 104, 24, 8, 56, 40,
	216, 200, 248, 232, 152, 136, 184, 168,
	1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184,
	1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
	688, 656, 752, 720, 560, 528, 624, 592,
	944, 912, 1008, 976, 816, 784, 880, 848,
};

/* Segment of a 15-bit magnitude, indexed by magnitude >> 8. */
static const uint8_t seg_of[128] = {
	0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
};

enum {
	ULAW_BIAS = 0x84,
	ALAW_AMI = 0x55,
};

uint8_t
wrtc_codec_ulaw_from_linear(int16_t x)
{
	int v, mask, seg;

	if (x >= 0) {
		v = ULAW_BIAS + x;
		mask = 0xff;
	} else {
		v = ULAW_BIAS - x;
		mask = 0x7f;
	}
	if (v >= 0x8000)
		return (uint8_t)(0x7f ^ mask);
	seg = seg_of[v >> 8];
	return (uint8_t)(((seg << 4) | ((v >> (seg + 3)) & 0x0f)) ^ mask);
}

int16_t
wrtc_codec_ulaw_to_linear(uint8_t u)
{
	return ulaw_dec[u];
}

uint8_t
wrtc_codec_alaw_from_linear(int16_t x)
{
	int v, mask, seg;

	if (x >= 0) {
		v = x;
		mask = ALAW_AMI | 0x80;
	} else {
		v = -x - 1;
		mask = ALAW_AMI;
	}
	seg = seg_of[v >> 8];
	return (uint8_t)(((seg << 4) | ((v >> (seg ? seg + 3 : 4)) & 0x0f)) ^ mask);
}

int16_t
wrtc_codec_alaw_to_linear(uint8_t a)
{
	return alaw_dec[a];
}

/* The decoder state: only the concealment history. */
struct g711_dec {
	struct wrtc_plc plc;
	const int16_t *table;
};

/* G.711 encoding keeps no state; every encoder is this one object. */
static const int g711_enc_token;

static bool
g711_frame_ok(unsigned int ms)
{
	return ms >= 10 && ms <= WRTC_CODEC_PTIME_MAX && ms % 10 == 0;
}

static void *
g711_enc_create(uint32_t rate, const struct wrtc_codec_enc_prm *prm)
{
	if (rate != 8000) {
		errno = EINVAL;
		return NULL;
	}
	return (void *)&g711_enc_token;
}

static void
g711_enc_free(void *enc)
{
}

static int
ulaw_encode(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	if (cap < n)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		out[i] = wrtc_codec_ulaw_from_linear(pcm[i]);
	return (int)n;
}

static int
alaw_encode(void *enc, const int16_t *pcm, unsigned int n, uint8_t *out, size_t cap)
{
	if (cap < n)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++)
		out[i] = wrtc_codec_alaw_from_linear(pcm[i]);
	return (int)n;
}

static void *
g711_dec_create(const int16_t *table, uint32_t rate)
{
	struct g711_dec *d;

	if (rate != 8000) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return NULL;
	wrtc_plc_init(&d->plc, rate);
	d->table = table;
	return d;
}

static void *
ulaw_dec_create(uint32_t rate)
{
	return g711_dec_create(ulaw_dec, rate);
}

static void *
alaw_dec_create(uint32_t rate)
{
	return g711_dec_create(alaw_dec, rate);
}

static void
g711_dec_free(void *dec)
{
	struct g711_dec *d = dec;

	if (d == NULL)
		return;
	free(d);
}

static int
g711_decode(void *dec, const uint8_t *in, size_t size, int16_t *pcm, unsigned int max)
{
	struct g711_dec *d = dec;

	if (size > max)
		return -EMSGSIZE;
	for (size_t i = 0; i < size; i++)
		pcm[i] = d->table[in[i]];
	wrtc_plc_rx(&d->plc, pcm, (unsigned int)size);
	return (int)size;
}

static int
g711_conceal(void *dec, int16_t *pcm, unsigned int n)
{
	struct g711_dec *d = dec;

	wrtc_plc_fillin(&d->plc, pcm, n);
	return (int)n;
}

static int
g711_samples(const uint8_t *in, size_t size, uint32_t rate)
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
	.frame_ok = g711_frame_ok,
	.enc_create = g711_enc_create,
	.enc_free = g711_enc_free,
	.encode = ulaw_encode,
	.dec_create = ulaw_dec_create,
	.dec_free = g711_dec_free,
	.decode = g711_decode,
	.conceal = g711_conceal,
	.decode_fec = NULL,
	.samples = g711_samples,
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
	.frame_ok = g711_frame_ok,
	.enc_create = g711_enc_create,
	.enc_free = g711_enc_free,
	.encode = alaw_encode,
	.dec_create = alaw_dec_create,
	.dec_free = g711_dec_free,
	.decode = g711_decode,
	.conceal = g711_conceal,
	.decode_fec = NULL,
	.samples = g711_samples,
};
