/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet loss concealment for the waveform codecs (G.711, G.722), in the
 * manner of ITU-T G.711 Appendix I: keep a short history; on a loss, find
 * the pitch period by the smallest average magnitude difference, repeat the
 * last period, attenuate by 20 % per 10 ms after the first 10 ms (silent
 * after 60 ms), and cross-fade into the first good samples after the loss.
 * Works at 8 and 16 kHz (the pitch range scales with the rate). No
 * allocation after wrtc_plc_init(); the state lives inside the decoder.
 *
 * Why not spandsp's plc_rx()/plc_fillin(), which the build links: spandsp's
 * PLC is written for 8 kHz only (its pitch search and history lengths are
 * fixed sample counts), and G.722 is concealed here on its 16 kHz signal;
 * one PLC keeps G.711 and G.722 losses sounding alike. spandsp's is cheaper:
 * `wrtc-bench-codec -g` measures concealing one 20 ms frame in ten at 2.6
 * against 4.6 ns per sample (docs/benchmarks.md, "codec: G.711"), i.e. 0.3 µs
 * per concealed frame: too little to give up 16 kHz support for.
 */
#include <string.h>

#include "codec_plc.h"

void
wrtc_plc_init(struct wrtc_plc *p, uint32_t rate)
{
	memset(p, 0, sizeof(*p));
	p->rate = rate;
	p->pmin = rate / 200;            /* 200 Hz */
	p->pmax = rate / 66;             /* 66 Hz */
	p->hist_len = 3 * p->pmax;
	p->ms10 = rate / 100;
}

static void
hist_push(struct wrtc_plc *p, const int16_t *pcm, unsigned int n)
{
	if (n >= p->hist_len) {
		memcpy(p->hist, pcm + n - p->hist_len, p->hist_len * sizeof(*pcm));
		return;
	}
	memmove(p->hist, p->hist + n, (p->hist_len - n) * sizeof(*pcm));
	memcpy(p->hist + p->hist_len - n, pcm, n * sizeof(*pcm));
}

/* The lag in [pmin, pmax] whose last pmax samples match best (AMDF). */
static unsigned int
find_pitch(const struct wrtc_plc *p)
{
	const int16_t *ref = p->hist + p->hist_len - p->pmin;
	unsigned int best_lag = p->pmax;
	uint64_t best = UINT64_MAX;

	for (unsigned int lag = p->pmin; lag <= p->pmax; lag++) {
		uint64_t d = 0;

		for (unsigned int i = 0; i < p->pmin; i++) {
			int v = ref[i] - ref[(int)i - (int)lag];

			d += (uint64_t)(v < 0 ? -v : v);
		}
		if (d < best) {
			best = d;
			best_lag = lag;
		}
	}
	return best_lag;
}

/* Next synthetic sample of the repeated period, with the attenuation. */
static int16_t
synth(struct wrtc_plc *p)
{
	const int16_t *period = p->hist + p->hist_len - p->pitch;
	int32_t gain, v;

	/* Gain in 1/1024: 1 for 10 ms, then -20 % per 10 ms, 0 from 60 ms. */
	if (p->missing < p->ms10)
		gain = 1024;
	else if (p->missing >= 6 * p->ms10)
		gain = 0;
	else
		gain = 1024 - (int32_t)((p->missing - p->ms10) * 1024 / (5 * p->ms10));
	v = period[p->pos] * gain / 1024;
	if (++p->pos == p->pitch)
		p->pos = 0;
	p->missing++;
	return (int16_t)v;
}

void
wrtc_plc_rx(struct wrtc_plc *p, int16_t *pcm, unsigned int n)
{
	if (p->missing) {
		/* Cross-fade from the concealment into the real signal. */
		unsigned int ov = p->pitch / 4 + 1;

		if (ov > n)
			ov = n;
		for (unsigned int i = 0; i < ov; i++) {
			int32_t s = synth(p);

			pcm[i] = (int16_t)((pcm[i] * (int32_t)(i + 1) + s * (int32_t)(ov - i)) /
					   (int32_t)(ov + 1));
		}
		p->missing = 0;
	}
	hist_push(p, pcm, n);
}

void
wrtc_plc_fillin(struct wrtc_plc *p, int16_t *pcm, unsigned int n)
{
	if (p->missing == 0) {
		p->pitch = find_pitch(p);
		p->pos = 0;
	}
	for (unsigned int i = 0; i < n; i++)
		pcm[i] = synth(p);
	/* The history keeps the last good signal, so the repeated period stays
	 * the same through a long loss (as in G.711 Appendix I's first stage). */
}
