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
 */
#include <math.h>
#include <opus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int
main(int argc, char **argv)
{
	unsigned int ticks = 1500, runs = 7;
	int cx[11] = {10, 5, 0}, ncx = 3;
	double res[64], wall[64];
	int opt;

	while ((opt = getopt(argc, argv, "n:r:c:s:h")) != -1) {
		char *s, *tok;

		switch (opt) {
		case 'n':
			ticks = (unsigned int)strtoul(optarg, NULL, 0);
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
				" [-s PCMU|PCMA|G722]\n", argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (ticks == 0 || runs == 0 || runs > 64) {
		fprintf(stderr, "bench-codec: -n must be > 0 and -r in 1..64\n");
		return 2;
	}
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
