/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/codec: waveform PLC for G.711 and G.722 (codec_plc.c). */
#ifndef CODEC_PLC_H
#define CODEC_PLC_H

#include <stdint.h>

enum { WRTC_PLC_HIST_MAX = 3 * 16000 / 66 };

struct wrtc_plc {
	uint32_t rate;            /* PCM rate. */
	unsigned int pmin, pmax;  /* Pitch search range in samples. */
	unsigned int hist_len;    /* Samples of history kept (3 * pmax). */
	unsigned int ms10;        /* Samples in 10 ms. */
	unsigned int missing;     /* Samples concealed in the current gap, 0 if none. */
	unsigned int pitch;       /* Period being repeated. */
	unsigned int pos;         /* Position in it. */
	int16_t hist[WRTC_PLC_HIST_MAX];
};

void wrtc_plc_init(struct wrtc_plc *p, uint32_t rate);
/* Record n good samples (cross-fades them in place after a loss). */
void wrtc_plc_rx(struct wrtc_plc *p, int16_t *pcm, unsigned int n);
/* Produce n concealment samples. */
void wrtc_plc_fillin(struct wrtc_plc *p, int16_t *pcm, unsigned int n);

#endif
