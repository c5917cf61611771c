/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrtc-bench-codec: the CPU cost of one transcoded call tick.
 *
 * A tick is 20 ms of audio in both directions of one Opus <-> PCMU call
 * (by default):
 *   browser -> SIP: Opus packet in, Opus decode at 8 kHz, PCMU encode, RTP out;
 *   SIP -> browser: PCMU packet in, G.711 decode, Opus encode at 8 kHz, RTP out.
 * Both go through the real transcoder objects (wrtc_codec_xcoder_input() and
 * _output()), so header parsing, the FIFO and packetisation are included.
 * The Opus input comes from a 48 kHz libopus encoder at 32 kbit/s (like a
 * browser) fed with a synthetic voiced signal (harmonics of a gliding pitch,
 * syllable-rate envelope, some noise), the PCMU input from the same signal.
 *
 * With -s G722 (or PCMA) the SIP side is that codec instead; for G.722 the
 * Opus side runs at 16 kHz.
 *
 * Usage: wrtc-bench-codec [-n ticks] [-r runs] [-c complexity[,...]] [-s PCMU|PCMA|G722]
 * Prints, per complexity, the median over runs of the thread CPU µs per tick
 * (with min, max and the wall-clock median) and the implied number of calls
 * one core can carry (20000 / µs per tick).
 *
 * wrtc-bench-codec -g [-n frames] [-r runs]: G.711 and its loss concealment,
 * in thread CPU ns per sample: µ-law and A-law encode and decode, the
 * table-driven code lib/codec had (below) against the inline bit arithmetic
 * of <spandsp/g711.h> that it uses now; and concealing one lost 20 ms frame in
 * ten, lib/codec's PLC (the PCMU decoder's conceal op) against spandsp's
 * plc_rx()/plc_fillin(). It checks that both G.711 implementations give the
 * same codes and samples for every input. docs/benchmarks.md ("codec: G.711") has the figures.
 */
#include <math.h>
#include <opus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spandsp/telephony.h>
#include <spandsp/bit_operations.h>
#include <spandsp/g711.h>
#include <spandsp/plc.h>

#include "wrtc_codec.h"

enum {
	PT_OPUS = 111,
	PKTS = 500,          /* 10 s of distinct input, replayed with new seq/ts. */
};

static uint8_t opus_pkt[PKTS][1500];
static size_t opus_size[PKTS];
/* SIP-side packets: 160 bytes of PCMU (8 kHz) or G.722 (16 kHz). */
static uint8_t sip_pkt[PKTS][WRTC_RTP_HDR_SIZE + 160];
static enum wrtc_codec_id sip_codec = WRTC_CODEC_PCMU;

/* CPU time of this thread: on a shared machine, time spent descheduled by
 * other processes is not counted (wall time is reported alongside). */
static double
cpu_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double
wall_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static double
voice(uint64_t n, double rate, unsigned int *seed)
{
	double t = n / rate;
	double f0 = 140 + 40 * sin(2 * M_PI * 0.7 * t);
	double env = 0.5 + 0.5 * sin(2 * M_PI * 4 * t);
	double s = 0;

	for (int h = 1; h <= 20; h++) {
		double f = h * f0;
		double formant = exp(-pow((f - 700) / 400, 2)) +
				 0.5 * exp(-pow((f - 1800) / 500, 2));

		if (f > rate / 2)
			break;
		s += formant * sin(2 * M_PI * f * t + h) / h;
	}
	*seed = *seed * 1103515245u + 12345u;
	return 6000 * env * s + 200.0 * ((double)(*seed >> 16 & 0x7fff) / 16384.0 - 1.0);
}

static int
prepare(void)
{
	OpusEncoder *e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, NULL);
	const struct wrtc_codec_ops *ops = wrtc_codec_ops_get(sip_codec);
	uint32_t rate = sip_codec == WRTC_CODEC_G722 ? 16000 : 8000;
	void *enc = ops->enc_create(rate, &(struct wrtc_codec_enc_prm){.complexity = -1});
	unsigned int s48 = 1, s8 = 1;
	int16_t pcm[960];

	if (e == NULL || enc == NULL)
		return -1;
	opus_encoder_ctl(e, OPUS_SET_BITRATE(32000));
	for (unsigned int i = 0; i < PKTS; i++) {
		int n;

		for (unsigned int k = 0; k < 960; k++)
			pcm[k] = (int16_t)lrint(voice(i * 960ull + k, 48000, &s48));
		n = opus_encode(e, pcm, 960, opus_pkt[i] + WRTC_RTP_HDR_SIZE,
				sizeof(opus_pkt[i]) - WRTC_RTP_HDR_SIZE);
		if (n <= 0)
			return -1;
		wrtc_rtp_hdr_write(opus_pkt[i], WRTC_RTP_HDR_SIZE, false, PT_OPUS, 0, 0, 1);
		opus_size[i] = WRTC_RTP_HDR_SIZE + (size_t)n;
		for (unsigned int k = 0; k < rate / 50; k++)
			pcm[k] = (int16_t)lrint(voice(i * (rate / 50ull) + k, rate, &s8));
		wrtc_rtp_hdr_write(sip_pkt[i], WRTC_RTP_HDR_SIZE, false, ops->static_pt, 0, 0, 2);
		if (ops->encode(enc, pcm, rate / 50, sip_pkt[i] + WRTC_RTP_HDR_SIZE, 160) != 160)
			return -1;
	}
	ops->enc_free(enc);
	opus_encoder_destroy(e);
	return 0;
}

/* Runs `ticks` call ticks at `complexity`; returns CPU µs per tick (and wall
 * µs per tick in *wall), < 0 on error. */
static double
run(unsigned int ticks, int complexity, double *wall)
{
	struct wrtc_codec_xcoder_prm down = {
		.in = { .codec = WRTC_CODEC_OPUS, .pt = PT_OPUS, .dtmf_pt = -1, .cn_pt = -1 },
		.out = { .codec = sip_codec, .pt = wrtc_codec_ops_get(sip_codec)->static_pt,
			 .dtmf_pt = -1, .cn_pt = -1 },
		.out_ssrc = 3,
		.enc = { .complexity = -1 },
	};
	struct wrtc_codec_xcoder_prm up = {
		.in = { .codec = sip_codec, .pt = wrtc_codec_ops_get(sip_codec)->static_pt,
			.dtmf_pt = -1, .cn_pt = -1 },
		.out = { .codec = WRTC_CODEC_OPUS, .pt = PT_OPUS, .dtmf_pt = -1, .cn_pt = -1 },
		.out_ssrc = 4,
		.enc = { .complexity = complexity, .bitrate = 0, .fec = true, .loss_pct = 5 },
	};
	struct wrtc_codec_xcoder *a = wrtc_codec_xcoder_create(&down);
	struct wrtc_codec_xcoder *b = wrtc_codec_xcoder_create(&up);
	uint8_t out[WRTC_CODEC_PKT_MAX];
	unsigned long outs = 0;
	double t0, t1, w0, w1;
	int rc = 0;

	if (a == NULL || b == NULL) {
		wrtc_codec_xcoder_free(a);
		wrtc_codec_xcoder_free(b);
		return -1;
	}
	w0 = wall_us();
	t0 = cpu_us();
	for (unsigned int i = 0; i < ticks && rc >= 0; i++) {
		unsigned int k = i % PKTS;

		wrtc_rtp_set_seq(opus_pkt[k], (uint16_t)i);
		wrtc_rtp_set_ts(opus_pkt[k], i * 960u);
		wrtc_rtp_set_seq(sip_pkt[k], (uint16_t)i);
		wrtc_rtp_set_ts(sip_pkt[k], i * 160u);
		rc = wrtc_codec_xcoder_input(a, opus_pkt[k], opus_size[k], i * 20000ull);
		while (rc >= 0 && wrtc_codec_xcoder_output(a, out, sizeof(out), 0) > 0)
			outs++;
		if (rc >= 0)
			rc = wrtc_codec_xcoder_input(b, sip_pkt[k], sizeof(sip_pkt[k]),
						     i * 20000ull);
		while (rc >= 0 && wrtc_codec_xcoder_output(b, out, sizeof(out), 0) > 0)
			outs++;
	}
	t1 = cpu_us();
	w1 = wall_us();
	wrtc_codec_xcoder_free(a);
	wrtc_codec_xcoder_free(b);
	if (rc < 0 || outs != 2ul * ticks)
		return -1;
	*wall = (w1 - w0) / ticks;
	return (t1 - t0) / ticks;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * The table-driven G.711 that lib/codec used before it switched to spandsp's
 * (kept here as the comparison): decoding is a 256-entry table per law;
 * encoding finds the segment with a 128-entry table indexed by the biased
 * magnitude >> 8, then takes the four quantisation bits below the segment's
 * leading one.
 */
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

static uint8_t
tab_ulaw_from_linear(int16_t x)
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

static int16_t
tab_ulaw_to_linear(uint8_t u)
{
	return ulaw_dec[u];
}

static uint8_t
tab_alaw_from_linear(int16_t x)
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

static int16_t
tab_alaw_to_linear(uint8_t a)
{
	return alaw_dec[a];
}

enum { G_FRAME = 160, G_FRAMES = 500 };
static int16_t g_pcm[G_FRAMES][G_FRAME];
static uint8_t g_ulaw[G_FRAMES][G_FRAME], g_alaw[G_FRAMES][G_FRAME];
static volatile uint32_t g_sink;

enum g_case { G_ULAW_ENC, G_ULAW_DEC, G_ALAW_ENC, G_ALAW_DEC, G_PLC, G_CASES };

/* One pass over @p frames frames; returns thread CPU ns per sample. */
static double
g711_pass(enum g_case c, bool ours, unsigned int frames, void *dec, plc_state_t *plc)
{
	const struct wrtc_codec_ops *pcmu = wrtc_codec_ops_get(WRTC_CODEC_PCMU);
	int16_t out[G_FRAME];
	uint32_t sum = 0;
	double t0 = thread_ns();

	for (unsigned int f = 0; f < frames; f++) {
		unsigned int k = f % G_FRAMES;

		switch (c) {
		case G_ULAW_ENC:
			for (int i = 0; i < G_FRAME; i++)
				sum += ours ? tab_ulaw_from_linear(g_pcm[k][i]) :
					      linear_to_ulaw(g_pcm[k][i]);
			break;
		case G_ULAW_DEC:
			for (int i = 0; i < G_FRAME; i++)
				sum += (uint16_t)(ours ? tab_ulaw_to_linear(g_ulaw[k][i]) :
						  ulaw_to_linear(g_ulaw[k][i]));
			break;
		case G_ALAW_ENC:
			for (int i = 0; i < G_FRAME; i++)
				sum += ours ? tab_alaw_from_linear(g_pcm[k][i]) :
					      linear_to_alaw(g_pcm[k][i]);
			break;
		case G_ALAW_DEC:
			for (int i = 0; i < G_FRAME; i++)
				sum += (uint16_t)(ours ? tab_alaw_to_linear(g_alaw[k][i]) :
						  alaw_to_linear(g_alaw[k][i]));
			break;
		default:
			/* Nine frames received, the tenth concealed. */
			if (f % 10 == 9) {
				if (ours)
					pcmu->conceal(dec, out, G_FRAME);
				else
					plc_fillin(plc, out, G_FRAME);
			} else if (ours) {
				pcmu->decode(dec, g_ulaw[k], G_FRAME, out, G_FRAME);
			} else {
				for (int i = 0; i < G_FRAME; i++)
					out[i] = ulaw_to_linear(g_ulaw[k][i]);
				plc_rx(plc, out, G_FRAME);
			}
			sum += (uint16_t)out[G_FRAME / 2];
			break;
		}
	}
	g_sink += sum;
	return (thread_ns() - t0) / ((double)frames * G_FRAME);
}

static int
g711_bench(unsigned int frames, unsigned int runs)
{
	static const char *const names[G_CASES] = {
		"ulaw_encode", "ulaw_decode", "alaw_encode", "alaw_decode", "plc_1_in_10",
	};
	const struct wrtc_codec_ops *pcmu = wrtc_codec_ops_get(WRTC_CODEC_PCMU);
	double r[2][64];
	plc_state_t *plc;
	void *dec;

	/* The voiced test signal, and a bit-exactness check on it and on every value. */
	for (unsigned int f = 0; f < G_FRAMES; f++)
		for (int i = 0; i < G_FRAME; i++) {
			double t = (f * G_FRAME + i) / 8000.0;
			double v = 9000 * sin(2 * M_PI * 180 * t) + 4000 * sin(2 * M_PI * 540 * t) +
				   2000 * sin(2 * M_PI * 1230 * t);

			g_pcm[f][i] = (int16_t)(v * (0.6 + 0.4 * sin(2 * M_PI * 4 * t)));
			g_ulaw[f][i] = wrtc_codec_ulaw_from_linear(g_pcm[f][i]);
			g_alaw[f][i] = wrtc_codec_alaw_from_linear(g_pcm[f][i]);
		}
	for (int x = -32768; x <= 32767; x++)
		if (tab_ulaw_from_linear((int16_t)x) != linear_to_ulaw(x) ||
		    tab_alaw_from_linear((int16_t)x) != linear_to_alaw(x)) {
			fprintf(stderr, "bench-codec: G.711 encode differs from spandsp at %d\n",
				x);
			return 1;
		}
	for (int u = 0; u < 256; u++)
		if (tab_ulaw_to_linear((uint8_t)u) != ulaw_to_linear((uint8_t)u) ||
		    tab_alaw_to_linear((uint8_t)u) != alaw_to_linear((uint8_t)u)) {
			fprintf(stderr, "bench-codec: G.711 decode differs from spandsp at %d\n",
				u);
			return 1;
		}
	dec = pcmu->dec_create(8000);
	plc = plc_init(NULL);
	if (dec == NULL || plc == NULL) {
		fprintf(stderr, "bench-codec: cannot create the decoders\n");
		return 1;
	}
	printf("# G.711: tables (lib/codec's former code) vs spandsp (<spandsp/g711.h>, what "
	       "lib/codec uses); PLC: lib/codec (codec_plc.c) vs spandsp plc_*\n");
	printf("# %u frames of 160 samples per run, median of %u runs, thread CPU ns per sample; "
	       "bit-exact on all inputs\n", frames, runs);
	printf("%-12s %10s %12s %13s\n", "case", "ours_ns", "spandsp_ns", "ours/spandsp");
	for (int c = 0; c < G_CASES; c++) {
		double med[2];

		for (int who = 0; who < 2; who++) {
			(void)g711_pass((enum g_case)c, who == 0, frames / 10 + 1, dec, plc);
			for (unsigned int k = 0; k < runs; k++)
				r[who][k] = g711_pass((enum g_case)c, who == 0, frames, dec, plc);
			qsort(r[who], runs, sizeof(r[who][0]), cmp_double);
			med[who] = r[who][runs / 2];
		}
		printf("%-12s %10.2f %12.2f %13.2f\n", names[c], med[0], med[1], med[0] / med[1]);
	}
	pcmu->dec_free(dec);
	plc_free(plc);
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned int ticks = 1500, runs = 7;
	int cx[11] = {10, 5, 0}, ncx = 3;
	double res[64], wall[64];
	bool g711 = false, n_given = false;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:c:s:gh")) != -1) {
		char *s, *tok;

		switch (opt) {
		case 'n':
			ticks = (unsigned int)strtoul(optarg, NULL, 0);
			n_given = true;
			break;
		case 'g':
			g711 = true;
			break;
		case 'r':
			runs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 's':
			if (wrtc_codec_ops_find(optarg) == NULL ||
			    (wrtc_codec_ops_find(optarg)->id != WRTC_CODEC_PCMU &&
			     wrtc_codec_ops_find(optarg)->id != WRTC_CODEC_PCMA &&
			     wrtc_codec_ops_find(optarg)->id != WRTC_CODEC_G722)) {
				fprintf(stderr, "bench-codec: -s takes PCMU, PCMA or G722\n");
				return 2;
			}
			sip_codec = wrtc_codec_ops_find(optarg)->id;
			break;
		case 'c':
			ncx = 0;
			s = optarg;
			while ((tok = strsep(&s, ",")) != NULL && ncx < 11)
				cx[ncx++] = atoi(tok);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-n ticks] [-r runs] [-c c1,c2,...]"
				" [-s PCMU|PCMA|G722]\n       %s -g [-n frames] [-r runs]\n",
				argv[0], argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (ticks == 0 || runs == 0 || runs > 64) {
		fprintf(stderr, "bench-codec: -n must be > 0 and -r in 1..64\n");
		return 2;
	}
	if (g711)
		return g711_bench(n_given ? ticks : 20000, runs);
	if (prepare() < 0) {
		fprintf(stderr, "bench-codec: cannot prepare the input packets\n");
		return 1;
	}
	printf("# one tick = 20 ms both ways: Opus dec + %s enc, %s dec + Opus enc (%s kHz)\n",
	       wrtc_codec_ops_get(sip_codec)->name, wrtc_codec_ops_get(sip_codec)->name,
	       sip_codec == WRTC_CODEC_G722 ? "16" : "8");
	printf("# %u ticks per run, median of %u runs, libopus %s\n", ticks, runs,
	       opus_get_version_string());
	printf("# us = thread CPU time per tick; wall = wall-clock median\n");
	printf("%-10s %10s %10s %10s %10s %14s\n", "complexity", "median_us", "min_us", "max_us",
	       "wall_us", "calls_per_core");
	for (int c = 0; c < ncx; c++) {
		double med, wmed, w;

		(void)run(ticks / 10 + 1, cx[c], &w); /* Warm-up. */
		for (unsigned int r = 0; r < runs; r++) {
			res[r] = run(ticks, cx[c], &wall[r]);
			if (res[r] < 0) {
				fprintf(stderr,
					"bench-codec: transcoding failed at complexity %d\n",
					cx[c]);
				return 1;
			}
		}
		qsort(res, runs, sizeof(res[0]), cmp_double);
		qsort(wall, runs, sizeof(wall[0]), cmp_double);
		med = runs % 2 ? res[runs / 2] : (res[runs / 2 - 1] + res[runs / 2]) / 2;
		wmed = runs % 2 ? wall[runs / 2] : (wall[runs / 2 - 1] + wall[runs / 2]) / 2;
		printf("%-10d %10.1f %10.1f %10.1f %10.1f %14.0f\n", cx[c], med, res[0],
		       res[runs - 1], wmed, 20000.0 / med);
	}
	return 0;
}
