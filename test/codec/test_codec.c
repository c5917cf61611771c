/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/codec tests. They assert on the audio that comes out: G.711 is checked
 * bit-exact against spandsp; a 1 kHz tone at -10 dBFS sent through each
 * transcoding direction is decoded by an independent decoder (libopus at
 * 48 kHz as a browser would, spandsp G.711/G.722 as a phone would) and must
 * have its strongest DFT bin at 1 kHz and a level within 1.5 dB. Packets are
 * checked for continuous sequence numbers and timestamps on the new clock.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <opus.h>
#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/g722.h>

#include "wrtc_codec.h"
#include "wrtc_rtcp.h"
#include "wrtc_test.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum {
	PT_OPUS = 111,
	PT_TE48 = 126,
	PT_TE8 = 101,
	TONE_HZ = 1000,
	MAX_OUT = 1200,     /* Output packets collected per test. */
};

static const double tone_dbfs = -10.0;

/* ---- signal helpers ---- */

static void
tone(int16_t *pcm, unsigned int n, uint32_t rate, uint64_t start, double hz, double dbfs)
{
	double amp = 32767.0 * pow(10.0, dbfs / 20.0);

	for (unsigned int i = 0; i < n; i++)
		pcm[i] = (int16_t)lrint(amp * sin(2 * M_PI * hz * (double)(start + i) / rate));
}

/* Level of a sine in dBFS from its RMS (a full-scale sine is 0 dBFS). */
static double
level_dbfs(const int16_t *pcm, unsigned int n)
{
	double s = 0;

	for (unsigned int i = 0; i < n; i++)
		s += (double)pcm[i] * pcm[i];
	if (s == 0)
		return -200;
	return 20.0 * log10(sqrt(2.0 * s / n) / 32767.0);
}

/* Power at frequency hz (Goertzel). */
static double
goertzel(const int16_t *pcm, unsigned int n, uint32_t rate, double hz)
{
	double w = 2 * M_PI * hz / rate, c = 2 * cos(w), s1 = 0, s2 = 0;

	for (unsigned int i = 0; i < n; i++) {
		double s0 = pcm[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* Frequency of the strongest 50 Hz bin between 100 Hz and rate/2 - 100. */
static double
dominant_hz(const int16_t *pcm, unsigned int n, uint32_t rate)
{
	double best = 0, best_hz = 0;

	for (double hz = 100; hz < rate / 2.0 - 100; hz += 50) {
		double p = goertzel(pcm, n, rate, hz);

		if (p > best) {
			best = p;
			best_hz = hz;
		}
	}
	return best_hz;
}

/* True if a 1 kHz tone at tone_dbfs: dominant bin and level within 1.5 dB. */
static bool
check_tone(const int16_t *pcm, unsigned int n, uint32_t rate)
{
	double hz = dominant_hz(pcm, n, rate), lvl = level_dbfs(pcm, n);
	bool ok = hz == TONE_HZ && fabs(lvl - tone_dbfs) <= 1.5;

	if (!ok)
		fprintf(stderr, "  tone: dominant %.0f Hz, level %.2f dBFS (want %d Hz, %.1f)\n",
			hz, lvl, TONE_HZ, tone_dbfs);
	return ok;
}

/* ---- RTP helpers ---- */

struct out_pkts {
	unsigned int n;
	uint16_t size[MAX_OUT];
	uint8_t data[MAX_OUT][WRTC_CODEC_PKT_MAX];
};

static struct out_pkts outp;

static size_t
rtp_make(uint8_t *buf, bool marker, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
	 const uint8_t *pl, size_t size)
{
	wrtc_rtp_hdr_write(buf, WRTC_RTP_HDR_SIZE, marker, pt, seq, ts, ssrc);
	memcpy(buf + WRTC_RTP_HDR_SIZE, pl, size);
	return WRTC_RTP_HDR_SIZE + size;
}

static void
drain(struct wrtc_codec_xcoder *x, uint64_t now)
{
	int rc;

	while (outp.n < MAX_OUT &&
	       (rc = wrtc_codec_xcoder_output(x, outp.data[outp.n], WRTC_CODEC_PKT_MAX, now)) > 0)
		outp.size[outp.n++] = (uint16_t)rc;
}

/* Checks that the collected packets of payload type pt have consecutive
 * sequence numbers from seq0 and timestamps stepping by step from ts0, for
 * all packets (including other payload types for the sequence). */
static bool
check_continuous(uint16_t seq0, uint8_t pt, uint32_t ts0, uint32_t step, uint32_t ssrc)
{
	uint32_t ts = ts0;
	bool ok = true;

	for (unsigned int i = 0; i < outp.n; i++) {
		struct wrtc_rtp_info ri;

		if (!WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[i], outp.size[i], &ri), 0))
			return false;
		ok &= WRTC_CHECK_EQ(ri.seq, (uint16_t)(seq0 + i));
		ok &= WRTC_CHECK_EQ(ri.ssrc, ssrc);
		if (ri.pt != pt)
			continue;
		ok &= WRTC_CHECK_EQ(ri.ts, ts);
		ts += step;
		if (!ok)
			return false;
	}
	return ok;
}

static struct wrtc_codec_xcoder_prm
prm_make(enum wrtc_codec_id in, uint8_t in_pt, unsigned int in_ptime, enum wrtc_codec_id out,
	 uint8_t out_pt, unsigned int out_ptime)
{
	struct wrtc_codec_xcoder_prm p = {
		.in = { .codec = in, .pt = in_pt, .ptime = (uint16_t)in_ptime,
			.dtmf_pt = -1, .cn_pt = -1 },
		.out = { .codec = out, .pt = out_pt, .ptime = (uint16_t)out_ptime,
			 .dtmf_pt = -1, .cn_pt = -1 },
		.out_ssrc = 0x11223344,
		.out_seq = 65500,              /* Wraps during the tests. */
		.out_ts = 0xfffff000u,         /* Wraps too. */
		.enc = { .complexity = 5, .bitrate = 0, .fec = false, .dtx = false },
	};
	return p;
}

/* Decode collected Opus packets at 48 kHz into pcm; returns samples. */
static unsigned int
opus_decode_all(int16_t *pcm, unsigned int max, uint8_t pt)
{
	OpusDecoder *d = opus_decoder_create(48000, 1, NULL);
	unsigned int n = 0;

	for (unsigned int i = 0; i < outp.n && d != NULL; i++) {
		struct wrtc_rtp_info ri;
		int k;

		if (wrtc_rtp_parse(outp.data[i], outp.size[i], &ri) < 0 || ri.pt != pt)
			continue;
		k = opus_decode(d, outp.data[i] + ri.payload_offset, (opus_int32)ri.payload_size,
				pcm + n, (int)(max - n), 0);
		if (k < 0) {
			fprintf(stderr, "  opus_decode: %s\n", opus_strerror(k));
			break;
		}
		n += (unsigned int)k;
	}
	opus_decoder_destroy(d);
	return n;
}

/* Payload bytes of all collected packets of type pt, concatenated. */
static size_t
payloads(uint8_t *buf, size_t cap, uint8_t pt)
{
	size_t n = 0;

	for (unsigned int i = 0; i < outp.n; i++) {
		struct wrtc_rtp_info ri;

		if (wrtc_rtp_parse(outp.data[i], outp.size[i], &ri) < 0 || ri.pt != pt)
			continue;
		if (n + ri.payload_size > cap)
			break;
		memcpy(buf + n, outp.data[i] + ri.payload_offset, ri.payload_size);
		n += ri.payload_size;
	}
	return n;
}

static int16_t pcm_a[48000 * 2];
static uint8_t bytes[48000 * 2];

/* ---- G.711 ---- */

static int
test_g711_exact(void)
{
	unsigned int bad_u = 0, bad_a = 0;

	for (int v = -32768; v <= 32767; v++) {
		bad_u += wrtc_codec_ulaw_from_linear((int16_t)v) != linear_to_ulaw(v);
		bad_a += wrtc_codec_alaw_from_linear((int16_t)v) != linear_to_alaw(v);
	}
	for (int c = 0; c < 256; c++) {
		bad_u += wrtc_codec_ulaw_to_linear((uint8_t)c) != ulaw_to_linear((uint8_t)c);
		bad_a += wrtc_codec_alaw_to_linear((uint8_t)c) != alaw_to_linear((uint8_t)c);
	}
	WRTC_CHECK_EQ(bad_u, 0);
	WRTC_CHECK_EQ(bad_a, 0);
	/* A few G.711 anchors, independent of spandsp. */
	WRTC_CHECK_EQ(wrtc_codec_ulaw_from_linear(0), 0xff);
	WRTC_CHECK_EQ(wrtc_codec_ulaw_from_linear(32767), 0x80);
	WRTC_CHECK_EQ(wrtc_codec_ulaw_from_linear(-32768), 0x00);
	WRTC_CHECK_EQ(wrtc_codec_alaw_from_linear(0), 0xd5);
	WRTC_CHECK_EQ(wrtc_codec_alaw_from_linear(-1), 0x55);
	WRTC_CHECK_EQ(wrtc_codec_ulaw_to_linear(0x00), -32124);
	WRTC_CHECK_EQ(wrtc_codec_alaw_to_linear(0xd5), 8);
	return 0;
}

static int
test_ops_table(void)
{
	const struct wrtc_codec_ops *o = wrtc_codec_ops_find("opus");

	WRTC_CHECK(o != NULL && o->rtp_clock == 48000 && o->id == WRTC_CODEC_OPUS);
	WRTC_CHECK(wrtc_codec_ops_find("pcmu") == wrtc_codec_ops_get(WRTC_CODEC_PCMU));
	WRTC_CHECK(wrtc_codec_ops_find("G722")->pcm_rate == 16000);
	WRTC_CHECK(wrtc_codec_ops_find("iLBC") == NULL);
	WRTC_CHECK(wrtc_codec_ops_get(WRTC_CODEC_MAX) == NULL);
	WRTC_CHECK(o->frame_ok(20) && !o->frame_ok(30));
	WRTC_CHECK(wrtc_codec_ops_get(WRTC_CODEC_PCMA)->frame_ok(30));
	return 0;
}

/* Waveform PLC through the ops table: after 100 ms of a 1 kHz tone, the first
 * 10 ms of concealment continue the tone exactly (its period divides the
 * pitch found), then fade out, silent from 60 ms; G.722 at 16 kHz likewise. */
static int
test_plc_waveform(void)
{
	const struct wrtc_codec_ops *u = wrtc_codec_ops_get(WRTC_CODEC_PCMU);
	const struct wrtc_codec_ops *g = wrtc_codec_ops_get(WRTC_CODEC_G722);
	void *d = u->dec_create(8000);
	void *gd = g->dec_create(16000);
	g722_encode_state_t *ge = g722_encode_init(NULL, 64000, 0);
	int16_t pcm[1600], want[880], got[880];
	uint8_t code[1600];
	unsigned int exact = 0, tail_zero = 0;

	if (!WRTC_CHECK(d != NULL && gd != NULL && ge != NULL))
		return -1;
	tone(pcm, 800, 8000, 0, TONE_HZ, tone_dbfs);
	for (unsigned int i = 0; i < 800; i++)
		code[i] = linear_to_ulaw(pcm[i]);
	WRTC_CHECK_EQ(u->decode(d, code, 800, pcm, 1600), 800);
	tone(want, 80, 8000, 800, TONE_HZ, tone_dbfs);
	WRTC_CHECK_EQ(u->conceal(d, got, 480), 480);
	WRTC_CHECK_EQ(u->conceal(d, got + 480, 80), 80);
	for (unsigned int i = 0; i < 80; i++)
		exact += got[i] == ulaw_to_linear(linear_to_ulaw(want[i]));
	for (unsigned int i = 480; i < 560; i++)
		tail_zero += got[i] == 0;
	WRTC_CHECK_EQ(exact, 80);
	WRTC_CHECK_EQ(tail_zero, 80);
	WRTC_CHECK(level_dbfs(got + 240, 80) < tone_dbfs - 3); /* Fading at 30-40 ms. */
	WRTC_CHECK(level_dbfs(got + 240, 80) > tone_dbfs - 12);

	tone(pcm, 1600, 16000, 0, TONE_HZ, tone_dbfs);
	WRTC_CHECK_EQ(g722_encode(ge, code, pcm, 1600), 800);
	WRTC_CHECK_EQ(g->decode(gd, code, 800, pcm, 1600), 1600);
	WRTC_CHECK_EQ(g->conceal(gd, got, 160), 160);
	WRTC_CHECK(check_tone(got, 160, 16000));
	g722_encode_free(ge);
	u->dec_free(d);
	g->dec_free(gd);
	return 0;
}

static int
test_create_errors(void)
{
	struct wrtc_codec_xcoder_prm p;

	p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_G722, 9, 20);
	errno = 0;
	WRTC_CHECK(wrtc_codec_xcoder_create(&p) == NULL && errno == ENOTSUP);
	p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_OPUS, PT_OPUS, 20);
	errno = 0;
	WRTC_CHECK(wrtc_codec_xcoder_create(&p) == NULL && errno == ENOTSUP);
	p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS, PT_OPUS, 30);
	errno = 0;
	WRTC_CHECK(wrtc_codec_xcoder_create(&p) == NULL && errno == EINVAL);
	p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS, PT_OPUS, 20);
	p.out.clock = 8000;
	errno = 0;
	WRTC_CHECK(wrtc_codec_xcoder_create(&p) == NULL && errno == EINVAL);
	p = prm_make(WRTC_CODEC_PCMU, 200, 20, WRTC_CODEC_OPUS, PT_OPUS, 20);
	errno = 0;
	WRTC_CHECK(wrtc_codec_xcoder_create(&p) == NULL && errno == EINVAL);
	wrtc_codec_xcoder_free(NULL);
	return 0;
}

/* ---- tone through the transcoder ---- */

/* Send `ms` of tone as G.711/G.722 packets of ptime into x; drop seqs in [lo, hi). */
static void
send_tone_narrow(struct wrtc_codec_xcoder *x, enum wrtc_codec_id codec, uint8_t pt,
		 unsigned int ptime, unsigned int ms, uint16_t seq0, uint32_t ts0, unsigned int lo,
		 unsigned int hi)
{
	uint32_t rate = codec == WRTC_CODEC_G722 ? 16000 : 8000;
	unsigned int spp = ptime * rate / 1000;
	g722_encode_state_t *g = g722_encode_init(NULL, 64000, 0);
	uint8_t pkt[1500], pl[1500];
	int16_t pcm[960];

	for (unsigned int i = 0; i < ms / ptime; i++) {
		size_t size = 0;

		tone(pcm, spp, rate, (uint64_t)i * spp, TONE_HZ, tone_dbfs);
		if (codec == WRTC_CODEC_G722) {
			size = (size_t)g722_encode(g, pl, pcm, (int)spp);
		} else {
			for (unsigned int k = 0; k < spp; k++)
				pl[k] = codec == WRTC_CODEC_PCMU ? linear_to_ulaw(pcm[k]) :
								   linear_to_alaw(pcm[k]);
			size = spp;
		}
		if (i >= lo && i < hi)
			continue;
		size = rtp_make(pkt, i == 0, pt, (uint16_t)(seq0 + i),
				ts0 + i * ptime * 8 /* Both clocks are 8000. */, 0xabcdef01, pl,
				size);
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, (uint64_t)i * ptime * 1000), 0);
		drain(x, (uint64_t)i * ptime * 1000);
	}
	g722_encode_free(g);
}

/* The Opus payloads last sent by send_tone_opus(), lost ones included. */
static uint8_t opus_pl[100][1500];
static int opus_size[100];

/* Send `ms` of tone as Opus packets (48 kHz encoder, like a browser). */
static void
send_tone_opus(struct wrtc_codec_xcoder *x, unsigned int ms, uint16_t seq0, uint32_t ts0,
	       unsigned int lo, unsigned int hi, bool fec)
{
	OpusEncoder *e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, NULL);
	uint8_t pkt[1500], pl[1500];
	int16_t pcm[960];

	opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(fec ? 1 : 0));
	opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(fec ? 20 : 0));
	if (fec)
		opus_encoder_ctl(e, OPUS_SET_BITRATE(24000));
	for (unsigned int i = 0; i < ms / 20; i++) {
		int size;

		tone(pcm, 960, 48000, (uint64_t)i * 960, TONE_HZ, tone_dbfs);
		size = opus_encode(e, pcm, 960, pl, sizeof(pl));
		WRTC_CHECK(size > 0);
		if (i < 100 && size > 0) {
			memcpy(opus_pl[i], pl, (size_t)size);
			opus_size[i] = size;
		}
		if (i >= lo && i < hi)
			continue;
		size = (int)rtp_make(pkt, i == 0, PT_OPUS, (uint16_t)(seq0 + i), ts0 + i * 960,
				     0x5eed, pl, (size_t)size);
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, (size_t)size, i * 20000ull), 0);
		drain(x, i * 20000ull);
	}
	opus_encoder_destroy(e);
}

static int
narrow_to_opus(enum wrtc_codec_id codec, uint8_t pt)
{
	struct wrtc_codec_xcoder_prm p = prm_make(codec, pt, 20, WRTC_CODEC_OPUS, PT_OPUS, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	unsigned int n;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_narrow(x, codec, pt, 20, 1000, 1000, 5000, 0, 0);
	WRTC_CHECK_EQ(outp.n, 50);
	WRTC_CHECK(check_continuous(p.out_seq, PT_OPUS, p.out_ts, 960, p.out_ssrc));
	n = opus_decode_all(pcm_a, sizeof(pcm_a) / 2, PT_OPUS);
	WRTC_CHECK_EQ(n, 48000);
	/* Skip the first 200 ms (encoder start-up and the codec delay). */
	WRTC_CHECK(check_tone(pcm_a + 9600, n - 9600, 48000));
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_packets, 50);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->out_packets, 50);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_tx_stats(x)->packets, 50);
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_pcmu_to_opus_tone(void)
{
	return narrow_to_opus(WRTC_CODEC_PCMU, 0);
}

static int
test_pcma_to_opus_tone(void)
{
	return narrow_to_opus(WRTC_CODEC_PCMA, 8);
}

static int
test_g722_to_opus_tone(void)
{
	return narrow_to_opus(WRTC_CODEC_G722, 9);
}

static int
opus_to_narrow(enum wrtc_codec_id codec, uint8_t pt)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, codec, pt, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	uint32_t rate = codec == WRTC_CODEC_G722 ? 16000 : 8000;
	size_t nb;
	unsigned int n = 0;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_opus(x, 1000, 7, 123456, 0, 0, false);
	WRTC_CHECK_EQ(outp.n, 50);
	WRTC_CHECK(check_continuous(p.out_seq, pt, p.out_ts, 160, p.out_ssrc));
	nb = payloads(bytes, sizeof(bytes), pt);
	if (codec == WRTC_CODEC_G722) {
		g722_decode_state_t *g = g722_decode_init(NULL, 64000, 0);

		n = (unsigned int)g722_decode(g, pcm_a, bytes, (int)nb);
		g722_decode_free(g);
	} else {
		for (size_t i = 0; i < nb; i++)
			pcm_a[n++] = codec == WRTC_CODEC_PCMU ? ulaw_to_linear(bytes[i]) :
								 alaw_to_linear(bytes[i]);
	}
	WRTC_CHECK_EQ(n, rate);
	WRTC_CHECK(check_tone(pcm_a + rate / 5, n - rate / 5, rate));
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_opus_to_pcmu_tone(void)
{
	return opus_to_narrow(WRTC_CODEC_PCMU, 0);
}

static int
test_opus_to_g722_tone(void)
{
	return opus_to_narrow(WRTC_CODEC_G722, 9);
}

/* ---- loss ---- */

static int
test_loss_pcmu_to_opus(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS,
						  PT_OPUS, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	unsigned int n;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	/* Packets 20, 21 and 22 (400..460 ms) are lost. */
	send_tone_narrow(x, WRTC_CODEC_PCMU, 0, 20, 1000, 65530, 4000, 20, 23);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_lost, 3);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->plc_samples, 3 * 160);
	WRTC_CHECK_EQ(outp.n, 50);
	WRTC_CHECK(check_continuous(p.out_seq, PT_OPUS, p.out_ts, 960, p.out_ssrc));
	n = opus_decode_all(pcm_a, sizeof(pcm_a) / 2, PT_OPUS);
	WRTC_CHECK_EQ(n, 48000);
	/* The concealed 60 ms is not silence: the PLC repeats the pitch period
	 * (fading after 10 ms), and it is still the tone. */
	WRTC_CHECK(level_dbfs(pcm_a + 20 * 960 + 480, 2 * 960) > tone_dbfs - 10);
	WRTC_CHECK(check_tone(pcm_a + 30 * 960, 20 * 960, 48000));
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
loss_opus_to_pcmu(bool fec)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_PCMU, 0,
						  20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	const struct wrtc_codec_xcoder_stats *st;
	size_t nb;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	st = wrtc_codec_xcoder_stats(x);
	outp.n = 0;
	/* Packets 25 and 26 are lost, 65535 -> 0 wraps on the way. */
	send_tone_opus(x, 1000, 65520, 0xfffff000u, 25, 27, fec);
	WRTC_CHECK_EQ(st->in_lost, 2);
	WRTC_CHECK_EQ(outp.n, 50);
	WRTC_CHECK(check_continuous(p.out_seq, 0, p.out_ts, 160, p.out_ssrc));
	nb = payloads(bytes, sizeof(bytes), 0);
	WRTC_CHECK_EQ(nb, 8000);
	for (size_t i = 0; i < nb; i++)
		pcm_a[i] = ulaw_to_linear(bytes[i]);
	/* Reference: what a receiver decoding at 8 kHz gets with PLC for frame 25
	 * and frame 26 recovered with FEC from packet 27 (refA), or PLC for both
	 * (refB). The transcoder must match refA sample for sample. */
	{
		static int16_t ref_a[8000], ref_b[8000];
		OpusDecoder *da = opus_decoder_create(8000, 1, NULL);
		OpusDecoder *db = opus_decoder_create(8000, 1, NULL);
		unsigned int same = 0, diff26 = 0, good = 0;

		for (int f = 0; f < 50; f++) {
			int16_t *a = ref_a + f * 160, *b = ref_b + f * 160;

			if (f == 25) {
				good += opus_decode(da, NULL, 0, a, 160, 0) == 160;
				good += opus_decode(db, NULL, 0, b, 160, 0) == 160;
			} else if (f == 26) {
				good += opus_decode(da, opus_pl[27], opus_size[27], a, 160, 1) ==
					160;
				good += opus_decode(db, NULL, 0, b, 160, 0) == 160;
			} else {
				good += opus_decode(da, opus_pl[f], opus_size[f], a, 160, 0) == 160;
				good += opus_decode(db, opus_pl[f], opus_size[f], b, 160, 0) == 160;
			}
		}
		for (int i = 0; i < 8000; i++)
			same += bytes[i] == linear_to_ulaw(ref_a[i]);
		for (int i = 26 * 160; i < 27 * 160; i++)
			diff26 += ref_a[i] != ref_b[i];
		WRTC_CHECK_EQ(good, 100);
		WRTC_CHECK_EQ(same, 8000);
		/* With LBRR in packet 27, FEC differs from plain PLC; without, it is PLC. */
		if (fec)
			WRTC_CHECK(diff26 > 80);
		else
			WRTC_CHECK_EQ(diff26, 0);
		opus_decoder_destroy(da);
		opus_decoder_destroy(db);
	}
	WRTC_CHECK_EQ(st->fec_frames, 1);
	WRTC_CHECK_EQ(st->plc_samples, 160);
	/* Opus PLC continues the tone over the gap. */
	WRTC_CHECK(level_dbfs(pcm_a + 25 * 160, 320) > tone_dbfs - 10);
	WRTC_CHECK(check_tone(pcm_a + 30 * 160, 20 * 160, 8000));
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_loss_opus_to_pcmu(void)
{
	return loss_opus_to_pcmu(false);
}

static int
test_loss_opus_fec(void)
{
	return loss_opus_to_pcmu(true);
}

/* The leg reports (RTCP) come from what the transcoder really received and
 * sent: after 50 PCMU packets with 3 lost, the RR for the SIP leg says 3 lost
 * of 50, and the SR for the WebRTC leg counts the Opus packets and bytes sent,
 * with the RTP timestamp of the last one. */
static int
test_rtcp_from_xcoder(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS,
						  PT_OPUS, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	struct wrtc_rtp_rx_stats *rx;
	const struct wrtc_rtp_tx_stats *tx;
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt pkt;
	struct wrtc_rtcp_rb rb;
	uint8_t buf[200];
	uint32_t octets = 0;
	int n;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_narrow(x, WRTC_CODEC_PCMU, 0, 20, 1000, 100, 0, 10, 13);
	rx = wrtc_codec_xcoder_rx_stats(x);
	tx = wrtc_codec_xcoder_tx_stats(x);
	for (unsigned int i = 0; i < outp.n; i++)
		octets += outp.size[i] - WRTC_RTP_HDR_SIZE;

	/* RR on the SIP leg, from the PCMU -> Opus direction's reception. */
	n = wrtc_rtcp_build_rr(buf, sizeof(buf), 0x5150, 1000000, &rx, 1);
	WRTC_CHECK_EQ(n, 32);
	wrtc_rtcp_iter_init(&it, buf, (size_t)n);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &pkt), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&pkt, 0, &rb), 0);
	WRTC_CHECK_EQ(rb.ssrc, 0xabcdef01);
	WRTC_CHECK_EQ(rb.lost, 3);
	WRTC_CHECK_EQ(rb.ext_max_seq, 149);
	WRTC_CHECK_EQ(rb.fraction_lost, 3 * 256 / 50);

	/* SR on the WebRTC leg, from the same direction's sending. */
	n = wrtc_rtcp_build_sr(buf, sizeof(buf), tx, 0, 980000, NULL, 0);
	WRTC_CHECK_EQ(n, 28);
	wrtc_rtcp_iter_init(&it, buf, (size_t)n);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &pkt), 1);
	WRTC_CHECK_EQ(pkt.ssrc, p.out_ssrc);
	WRTC_CHECK_EQ(pkt.packets, 50);
	WRTC_CHECK_EQ(pkt.octets, octets);
	WRTC_CHECK_EQ(pkt.rtp_ts, p.out_ts + 49 * 960);
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* The peer changes SSRC (new sender, new seq and ts spaces): the output
 * stream goes on with continuous sequence numbers and a marker bit, and the
 * reception statistics follow the new source. */
static int
test_input_ssrc_change(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_PCMA, 8, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	uint8_t pkt[200], pl[160];
	struct wrtc_rtp_info ri;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	memset(pl, 0xff, sizeof(pl));
	outp.n = 0;
	for (unsigned int i = 0; i < 20; i++) {
		size_t size = i < 10 ? rtp_make(pkt, false, 0, (uint16_t)(10 + i), 5000 + i * 160,
						0xa, pl, 160) :
				       rtp_make(pkt, false, 0, (uint16_t)(40000 + i), 99 + i * 160,
						0xb, pl, 160);

		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
		drain(x, 0);
	}
	WRTC_CHECK_EQ(outp.n, 20);
	WRTC_CHECK(check_continuous(p.out_seq, 8, p.out_ts, 160, p.out_ssrc));
	WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[10], outp.size[10], &ri), 0);
	WRTC_CHECK(ri.marker);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_resync, 1);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_lost, 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_rx_stats(x)->ssrc, 0xb);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_rx_stats(x)->received, 10);
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* A re-offer changes the codec (PCMU -> PCMA towards the peer): the new
 * transcoder continues the old one's stream: same SSRC, next sequence
 * number, a timestamp that jumps by the wall-clock time since the old
 * stream's last packet (here the input paused 500 ms), marker bit, even
 * when it was made with another SSRC; nothing is taken over from a
 * transcoder that sent nothing. */
static int
test_xcoder_continue(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMA, 8, 20, WRTC_CODEC_PCMU, 0, 20);
	struct wrtc_codec_xcoder_prm q = prm_make(WRTC_CODEC_PCMA, 8, 20, WRTC_CODEC_PCMA, 8, 20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p), *y, *z;
	uint8_t pkt[200], pl[160];
	struct wrtc_rtp_info ri;

	q.out_seq = 7;
	q.out_ts = 12345;
	y = wrtc_codec_xcoder_create(&q);
	q.out_ssrc = 0x55667788;
	z = wrtc_codec_xcoder_create(&q);
	if (!WRTC_CHECK(x != NULL && y != NULL && z != NULL))
		return -1;
	memset(pl, 0xd5, sizeof(pl));
	outp.n = 0;
	for (unsigned int i = 0; i < 10; i++) {
		size_t size = rtp_make(pkt, false, 8, (uint16_t)(10 + i), 5000 + i * 160, 0xa, pl,
				       160);

		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, i * 20000), 0);
		drain(x, i * 20000);
	}
	WRTC_CHECK_EQ(outp.n, 10);
	WRTC_CHECK(check_continuous(p.out_seq, 0, p.out_ts, 160, p.out_ssrc));
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(z, y), -EINVAL);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(x, x), -EINVAL);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(z, x), 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(y, x), 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(y, x), -EALREADY);
	for (unsigned int i = 10; i < 20; i++) {
		size_t size = rtp_make(pkt, false, 8, (uint16_t)(10 + i), 5000 + i * 160, 0xa, pl,
				       160);

		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(y, pkt, size, 500000 + i * 20000), 0);
		drain(y, 500000 + i * 20000);
	}
	WRTC_CHECK_EQ(outp.n, 20);
	for (unsigned int i = 0; i < 20; i++) {
		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[i], outp.size[i], &ri), 0);
		WRTC_CHECK_EQ(ri.ssrc, p.out_ssrc);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(p.out_seq + i));
		WRTC_CHECK_EQ(ri.pt, i < 10 ? 0 : 8);
		/* At the switch the timestamp jumps by the 520 ms from the old
		 * stream's last packet (180 ms) to the new one's first input
		 * (700 ms): 4160 at 8 kHz; none elsewhere. */
		WRTC_CHECK_EQ(ri.ts, p.out_ts + 160 * i + (i < 10 ? 0 : 4160 - 160));
		WRTC_CHECK_EQ(ri.marker, i == 0 || i == 10);
	}
	WRTC_CHECK_EQ(wrtc_codec_xcoder_tx_stats(y)->packets, 20);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_tx_stats(y)->ssrc, p.out_ssrc);
	/* Once the new one sent, nothing more is taken over. */
	WRTC_CHECK_EQ(wrtc_codec_xcoder_continue(y, x), -EALREADY);
	wrtc_codec_xcoder_free(x);
	wrtc_codec_xcoder_free(y);
	wrtc_codec_xcoder_free(z);
	return 0;
}

/* A 200 ms loss: 120 ms are concealed (the last 20 ms of it from the next
 * packet's FEC), the remaining 80 ms become a timestamp gap with the marker
 * bit; sequence numbers stay continuous. */
static int
test_long_loss(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_PCMU, 0,
						  20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	const struct wrtc_codec_xcoder_stats *st;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	st = wrtc_codec_xcoder_stats(x);
	outp.n = 0;
	send_tone_opus(x, 1000, 1, 0, 20, 30, true);
	WRTC_CHECK_EQ(st->in_lost, 10);
	WRTC_CHECK_EQ(st->plc_samples, 5 * 160);
	WRTC_CHECK_EQ(st->fec_frames, 1);
	WRTC_CHECK_EQ(outp.n, 46);
	for (unsigned int i = 0; i < outp.n; i++) {
		struct wrtc_rtp_info ri;
		/* Frames 0-25 (20 received, 6 concealed or recovered), then a
		 * 4-frame gap, then frames 30-49. */
		unsigned int frame = i < 25 ? i : i + 4;

		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[i], outp.size[i], &ri), 0);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(p.out_seq + i));
		WRTC_CHECK_EQ(ri.ts, p.out_ts + frame * 160);
		WRTC_CHECK_EQ(ri.marker, i == 0 || i == 25);
	}
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* ---- re-packetisation ---- */

static int
test_repacketise_20_to_30(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_PCMU, 0, 30);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	uint8_t in[8000];
	size_t nb;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_narrow(x, WRTC_CODEC_PCMU, 0, 20, 900, 1, 0, 0, 0);
	WRTC_CHECK_EQ(outp.n, 30);
	WRTC_CHECK(check_continuous(p.out_seq, 0, p.out_ts, 240, p.out_ssrc));
	for (unsigned int i = 0; i < outp.n; i++)
		WRTC_CHECK_EQ(outp.size[i], WRTC_RTP_HDR_SIZE + 240);
	/* G.711 -> linear -> G.711 is lossless: the bytes must be identical. */
	for (unsigned int i = 0; i < 7200; i++) {
		int16_t s;

		tone(&s, 1, 8000, i, TONE_HZ, tone_dbfs);
		in[i] = linear_to_ulaw(s);
	}
	nb = payloads(bytes, sizeof(bytes), 0);
	WRTC_CHECK_EQ(nb, 7200);
	WRTC_CHECK(memcmp(bytes, in, 7200) == 0);
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_repacketise_opus20_to_pcmu30(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_PCMU, 0,
						  30);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	size_t nb;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_opus(x, 1200, 100, 0, 0, 0, false);
	WRTC_CHECK_EQ(outp.n, 40);
	WRTC_CHECK(check_continuous(p.out_seq, 0, p.out_ts, 240, p.out_ssrc));
	nb = payloads(bytes, sizeof(bytes), 0);
	for (size_t i = 0; i < nb; i++)
		pcm_a[i] = ulaw_to_linear(bytes[i]);
	WRTC_CHECK(check_tone(pcm_a + 1600, (unsigned int)nb - 1600, 8000));
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_repacketise_pcmu30_to_opus20(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 30, WRTC_CODEC_OPUS, PT_OPUS,
						  20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	unsigned int n;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	send_tone_narrow(x, WRTC_CODEC_PCMU, 0, 30, 1200, 9, 77, 0, 0);
	WRTC_CHECK_EQ(outp.n, 60);
	WRTC_CHECK(check_continuous(p.out_seq, PT_OPUS, p.out_ts, 960, p.out_ssrc));
	n = opus_decode_all(pcm_a, sizeof(pcm_a) / 2, PT_OPUS);
	WRTC_CHECK(check_tone(pcm_a + 9600, n - 9600, 48000));
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* ---- DTX / silence ---- */

static int
test_silence_gap(void)
{
	/* PCMU with silence suppression: 200 ms without packets, seq continuous. */
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS, PT_OPUS,
						  20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	uint8_t pkt[200], pl[160];
	struct wrtc_rtp_info ri;

	if (!WRTC_CHECK(x != NULL))
		return -1;
	memset(pl, 0xff, sizeof(pl));
	outp.n = 0;
	/* A buffer too small for the packet is refused and the packet kept. */
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, rtp_make(pkt, false, 0, 49, 1000 - 160, 1,
							       pl, 160), 0), 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_output(x, outp.data[0], 12, 0), -ENOSPC);
	WRTC_CHECK(wrtc_codec_xcoder_output(x, outp.data[0], WRTC_CODEC_PKT_MAX, 0) > 12);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_output(x, outp.data[0], WRTC_CODEC_PKT_MAX, 0), 0);
	p.out_seq++;
	p.out_ts += 960;
	for (unsigned int i = 0; i < 10; i++) {
		uint32_t ts = 1000 + i * 160 + (i >= 5 ? 1600 : 0);
		size_t size = rtp_make(pkt, i == 5, 0, (uint16_t)(50 + i), ts, 1, pl, 160);

		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
		drain(x, 0);
	}
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_silence, 1);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_lost, 0);
	WRTC_CHECK_EQ(outp.n, 10);
	for (unsigned int i = 0; i < outp.n; i++) {
		uint32_t want = p.out_ts + i * 960 + (i >= 5 ? 9600 : 0);

		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[i], outp.size[i], &ri), 0);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(p.out_seq + i));
		WRTC_CHECK_EQ(ri.ts, want);
		WRTC_CHECK_EQ(ri.marker, i == 5);
	}
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_opus_dtx_output(void)
{
	/* PCMU silence into an Opus encoder with DTX: most frames are not sent, and
	 * speech afterwards resumes with the marker bit and the right timestamp. */
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS, PT_OPUS,
						  20);
	struct wrtc_codec_xcoder *x;
	uint8_t pkt[200], pl[160];
	int16_t pcm[160];
	struct wrtc_rtp_info ri;

	p.enc.dtx = true;
	x = wrtc_codec_xcoder_create(&p);
	if (!WRTC_CHECK(x != NULL))
		return -1;
	outp.n = 0;
	for (unsigned int i = 0; i < 100; i++) {
		size_t size;

		tone(pcm, 160, 8000, i * 160u, TONE_HZ, i < 80 ? -200 : tone_dbfs);
		for (unsigned int k = 0; k < 160; k++)
			pl[k] = linear_to_ulaw(pcm[k]);
		size = rtp_make(pkt, false, 0, (uint16_t)i, i * 160u, 1, pl, 160);
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
		drain(x, 0);
	}
	WRTC_CHECK(wrtc_codec_xcoder_stats(x)->out_dtx > 50);
	WRTC_CHECK(outp.n < 50);
	for (unsigned int i = 0; i < outp.n; i++)
		WRTC_CHECK_EQ(wrtc_rtp_get16(outp.data[i] + 2), (uint16_t)(p.out_seq + i));
	/* The last packet is speech frame 99. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[outp.n - 1], outp.size[outp.n - 1], &ri), 0);
	WRTC_CHECK_EQ(ri.ts, p.out_ts + 99 * 960);
	WRTC_CHECK_EQ(ri.seq, (uint16_t)(p.out_seq + outp.n - 1));
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_cn_passthrough(void)
{
	/* PCMU with CN (RFC 3389) to PCMA with CN: CN packet mapped, silence gap kept. */
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_PCMA, 8, 20);
	struct wrtc_codec_xcoder *x;
	uint8_t pkt[200], pl[160], lvl = 60;
	struct wrtc_rtp_info ri;

	p.in.cn_pt = 13;
	p.out.cn_pt = 13;
	x = wrtc_codec_xcoder_create(&p);
	if (!WRTC_CHECK(x != NULL))
		return -1;
	memset(pl, 0xff, sizeof(pl));
	outp.n = 0;
	for (unsigned int i = 0; i < 3; i++) {
		size_t size = rtp_make(pkt, false, 0, (uint16_t)i, i * 160u, 1, pl, 160);

		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
	}
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, rtp_make(pkt, false, 13, 3, 480, 1, &lvl, 1),
					      0), 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, rtp_make(pkt, true, 0, 4, 8000, 1, pl, 160),
					      0), 0);
	drain(x, 0);
	WRTC_CHECK_EQ(outp.n, 5);
	WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[3], outp.size[3], &ri), 0);
	WRTC_CHECK(ri.pt == 13 && ri.payload_size == 1 && outp.data[3][12] == lvl);
	WRTC_CHECK_EQ(ri.ts, p.out_ts + 480);
	WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[4], outp.size[4], &ri), 0);
	WRTC_CHECK(ri.pt == 8 && ri.marker && ri.seq == (uint16_t)(p.out_seq + 4));
	WRTC_CHECK_EQ(ri.ts, p.out_ts + 8000);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_cn, 1);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->out_cn, 1);
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* ---- DTMF ---- */

/* Sends 10 audio packets, then a 3-packet event (start, update, end) sharing
 * the stream's sequence numbers, then 5 more audio packets. */
static int
dtmf_case(bool from_opus)
{
	struct wrtc_codec_xcoder_prm p =
		from_opus ? prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_PCMU, 0, 20) :
			    prm_make(WRTC_CODEC_PCMU, 0, 20, WRTC_CODEC_OPUS, PT_OPUS, 20);
	uint32_t in_step = from_opus ? 960 : 160, out_step = from_opus ? 160 : 960;
	uint8_t in_te = from_opus ? PT_TE48 : PT_TE8, out_te = from_opus ? PT_TE8 : PT_TE48;
	struct wrtc_codec_xcoder *x;
	OpusEncoder *e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, NULL);
	uint8_t pkt[1500], pl[1500];
	int16_t pcm[960];
	uint16_t seq = 300;
	uint32_t ts0 = 777777, ev_ts = 0;
	unsigned int ndtmf = 0;

	p.in.dtmf_pt = in_te;
	p.out.dtmf_pt = out_te;
	x = wrtc_codec_xcoder_create(&p);
	if (!WRTC_CHECK(x != NULL && e != NULL))
		return -1;
	outp.n = 0;
	for (unsigned int i = 0; i < 18; i++) {
		size_t size;

		if (i >= 10 && i < 13) {
			/* Event 5, volume 10, durations 1, 2, 3 frames; end bit on the last. */
			uint16_t dur = (uint16_t)((i - 9) * in_step);

			ev_ts = ts0 + 10 * in_step;
			pl[0] = 5;
			pl[1] = (uint8_t)((i == 12 ? 0x80 : 0) | 10);
			pl[2] = (uint8_t)(dur >> 8);
			pl[3] = (uint8_t)dur;
			size = rtp_make(pkt, i == 10, in_te, seq++, ev_ts, 9, pl, 4);
		} else {
			uint32_t ts = ts0 + i * in_step;
			int k;

			if (from_opus) {
				tone(pcm, 960, 48000, i * 960u, TONE_HZ, tone_dbfs);
				k = opus_encode(e, pcm, 960, pl, sizeof(pl));
			} else {
				tone(pcm, 160, 8000, i * 160u, TONE_HZ, tone_dbfs);
				for (k = 0; k < 160; k++)
					pl[k] = linear_to_ulaw(pcm[k]);
			}
			size = rtp_make(pkt, false, from_opus ? PT_OPUS : 0, seq++, ts, 9, pl,
					(size_t)k);
		}
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
		drain(x, 0);
	}
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->in_lost, 0);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->dtmf_in, 3);
	for (unsigned int i = 0; i < outp.n; i++) {
		struct wrtc_rtp_info ri;
		const uint8_t *d = outp.data[i] + WRTC_RTP_HDR_SIZE;

		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[i], outp.size[i], &ri), 0);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(p.out_seq + i));
		if (ri.pt != out_te)
			continue;
		/* The event started where audio frame 10 would have: same output
		 * timestamp as that frame, durations rescaled to the new clock. */
		WRTC_CHECK_EQ(ri.ts, p.out_ts + 10 * out_step);
		WRTC_CHECK_EQ(d[0], 5);
		WRTC_CHECK_EQ(d[1] & 0x3f, 10);
		WRTC_CHECK_EQ((d[1] & 0x80) != 0, ndtmf == 2);
		WRTC_CHECK_EQ(wrtc_rtp_get16(d + 2), (ndtmf + 1) * out_step);
		WRTC_CHECK_EQ(ri.marker, ndtmf == 0);
		ndtmf++;
	}
	WRTC_CHECK_EQ(ndtmf, 3);
	WRTC_CHECK_EQ(outp.n, 18);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_stats(x)->out_dtmf, 3);
	/* A repeat of the last end packet with the same sequence number (some
	 * senders do this) is passed on with a new one; an audio duplicate is not. */
	{
		struct wrtc_rtp_info ri;
		size_t size;

		pl[0] = 5;
		pl[1] = 0x80 | 10;
		pl[2] = 0;
		pl[3] = 0;
		size = rtp_make(pkt, false, in_te, (uint16_t)(seq - 1), ev_ts, 9, pl, 4);
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), 0);
		pl[1] = 10;
		size = rtp_make(pkt, false, in_te, (uint16_t)(seq - 1), ev_ts, 9, pl, 4);
		WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, size, 0), -EALREADY);
		drain(x, 0);
		WRTC_CHECK_EQ(outp.n, 19);
		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[18], outp.size[18], &ri), 0);
		WRTC_CHECK(ri.pt == out_te && ri.seq == (uint16_t)(p.out_seq + 18));
		WRTC_CHECK_EQ(ri.ts, p.out_ts + 10 * out_step);
	}
	/* Audio after the event keeps its place on the timeline. */
	{
		struct wrtc_rtp_info ri;

		WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[17], outp.size[17], &ri), 0);
		WRTC_CHECK_EQ(ri.ts, p.out_ts + 17 * out_step);
	}
	opus_encoder_destroy(e);
	wrtc_codec_xcoder_free(x);
	return 0;
}

static int
test_dtmf_opus_to_pcmu(void)
{
	return dtmf_case(true);
}

static int
test_dtmf_pcmu_to_opus(void)
{
	return dtmf_case(false);
}

static int
test_bad_input(void)
{
	struct wrtc_codec_xcoder_prm p = prm_make(WRTC_CODEC_OPUS, PT_OPUS, 20, WRTC_CODEC_PCMU, 0,
						  20);
	struct wrtc_codec_xcoder *x = wrtc_codec_xcoder_create(&p);
	const struct wrtc_codec_xcoder_stats *st;
	uint8_t pkt[64] = {0x80, PT_OPUS, 0, 1};
	uint8_t small[4];

	if (!WRTC_CHECK(x != NULL))
		return -1;
	st = wrtc_codec_xcoder_stats(x);
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, 8, 0), -EBADMSG);
	pkt[1] = 96;
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, 20, 0), -ENOMSG);
	pkt[1] = PT_OPUS;
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, 12, 0), -EPROTO); /* Empty payload. */
	pkt[3] = 2;
	pkt[12] = 0xff;                                                 /* Code 3, no count. */
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, 13, 0), -EPROTO);
	pkt[3] = 0;
	WRTC_CHECK_EQ(wrtc_codec_xcoder_input(x, pkt, 20, 0), -EALREADY);
	WRTC_CHECK_EQ(st->in_bad, 1);
	WRTC_CHECK_EQ(st->in_bad_pt, 1);
	WRTC_CHECK_EQ(st->in_late, 1);
	WRTC_CHECK(st->in_decode_err >= 2);
	/* Nothing was decoded, so nothing is queued. */
	WRTC_CHECK_EQ(wrtc_codec_xcoder_output(x, small, sizeof(small), 0), 0);
	wrtc_codec_xcoder_free(x);
	return 0;
}

/* Random packets (valid headers, random payloads, random seq/ts jumps) into
 * every input codec: nothing crashes, every packet is either accepted or
 * counted under one drop reason, and output stays well-formed. */
static int
test_random_input(void)
{
	static const enum wrtc_codec_id in[] = {WRTC_CODEC_OPUS, WRTC_CODEC_G722, WRTC_CODEC_PCMA};
	static const enum wrtc_codec_id out[] = {WRTC_CODEC_PCMU, WRTC_CODEC_OPUS, WRTC_CODEC_OPUS};
	unsigned int seed = 12345;

	for (unsigned int c = 0; c < 3; c++) {
		struct wrtc_codec_xcoder_prm p = prm_make(in[c], 96, 20, out[c], 97, 20);
		struct wrtc_codec_xcoder *x;
		const struct wrtc_codec_xcoder_stats *st;
		uint8_t pkt[400];
		uint16_t seq = 0;
		uint32_t ts = 0;
		uint64_t accepted = 0, dropped = 0;

		p.in.dtmf_pt = 101;
		p.out.dtmf_pt = 102;
		p.in.cn_pt = 13;
		x = wrtc_codec_xcoder_create(&p);
		if (!WRTC_CHECK(x != NULL))
			return -1;
		st = wrtc_codec_xcoder_stats(x);
		for (unsigned int i = 0; i < 3000; i++) {
			size_t size;
			uint8_t pt;
			int rc;

			seed = seed * 1103515245u + 12345u;
			size = 12 + (seed >> 8) % 300;
			for (size_t k = 12; k < size; k++) {
				seed = seed * 1103515245u + 12345u;
				pkt[k] = (uint8_t)(seed >> 16);
			}
			seq = (uint16_t)(seq + 1 + ((seed >> 4) % 16 == 0 ? (seed >> 9) % 40 : 0));
			ts += 160 + ((seed >> 3) % 32 == 0 ? (seed >> 11) % 100000 : 0);
			pt = (seed >> 20) % 8 == 0 ? 101 : (seed >> 20) % 8 == 1 ? 13 : 96;
			wrtc_rtp_hdr_write(pkt, 12, (seed & 1) != 0, pt, seq, ts, 1);
			rc = wrtc_codec_xcoder_input(x, pkt, size, i * 20000ull);
			if (rc == 0)
				accepted++;
			else
				dropped++;
			while ((rc = wrtc_codec_xcoder_output(x, outp.data[0], WRTC_CODEC_PKT_MAX,
							      0)) > 0) {
				struct wrtc_rtp_info ri;

				WRTC_CHECK_EQ(wrtc_rtp_parse(outp.data[0], (size_t)rc, &ri), 0);
				WRTC_CHECK(ri.pt == 97 || ri.pt == 102);
			}
		}
		WRTC_CHECK_EQ(accepted + dropped, 3000);
		WRTC_CHECK_EQ(st->in_packets, accepted + st->in_decode_err);
		WRTC_CHECK(st->out_packets > 100);
		wrtc_codec_xcoder_free(x);
	}
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"g711_bit_exact_vs_spandsp", test_g711_exact},
	{"ops_table", test_ops_table},
	{"plc_waveform", test_plc_waveform},
	{"create_errors", test_create_errors},
	{"pcmu_to_opus_tone", test_pcmu_to_opus_tone},
	{"pcma_to_opus_tone", test_pcma_to_opus_tone},
	{"g722_to_opus_tone", test_g722_to_opus_tone},
	{"opus_to_pcmu_tone", test_opus_to_pcmu_tone},
	{"opus_to_g722_tone", test_opus_to_g722_tone},
	{"loss_pcmu_to_opus", test_loss_pcmu_to_opus},
	{"loss_opus_to_pcmu", test_loss_opus_to_pcmu},
	{"loss_opus_fec", test_loss_opus_fec},
	{"long_loss", test_long_loss},
	{"rtcp_from_xcoder", test_rtcp_from_xcoder},
	{"input_ssrc_change", test_input_ssrc_change},
	{"a re-offer's new transcoder continues the stream", test_xcoder_continue},
	{"repacketise_pcmu_20_to_30", test_repacketise_20_to_30},
	{"repacketise_opus20_to_pcmu30", test_repacketise_opus20_to_pcmu30},
	{"repacketise_pcmu30_to_opus20", test_repacketise_pcmu30_to_opus20},
	{"silence_gap", test_silence_gap},
	{"opus_dtx_output", test_opus_dtx_output},
	{"cn_passthrough", test_cn_passthrough},
	{"dtmf_opus_to_pcmu", test_dtmf_opus_to_pcmu},
	{"dtmf_pcmu_to_opus", test_dtmf_pcmu_to_opus},
	{"bad_input", test_bad_input},
	{"random_input", test_random_input},
};

WRTC_TEST_MAIN(cases)
