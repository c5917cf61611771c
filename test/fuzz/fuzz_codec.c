/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/codec's transcoder: garbage Opus, G.711 and G.722
 * payloads (and telephone-event / comfort-noise packets) into
 * wrtc_codec_xcoder_input(), with the output drained after every packet.
 *
 * Input: byte 0 picks the input codec (bits 0-1) and the output codec (bits
 * 2-3) from PCMU, PCMA, G722, Opus; bits 4-5 the output ptime (10, 20, 40, 60
 * ms); bit 6 turns Opus FEC on, bit 7 DTX. Then records: a control byte, a
 * length byte and that many payload bytes. The control byte: bits 0-1 the
 * payload type (audio, telephone-event, comfort noise, a stray one), bits 2-4
 * the sequence step (0 repeats, 1 next, 2..6 skip, 7 jumps far), bit 5 a
 * timestamp jump, bit 6 a new SSRC, bit 7 the marker. Time advances by the
 * packet's duration, so concealment and the output timer run.
 *
 * At the end a second transcoder continues the first one's stream (a
 * re-offer's codec change, wrtc_codec_xcoder_continue()) after a pause
 * taken from the last byte, and gets the final packets.
 *
 * Checked: every output packet is a valid RTP packet of the output payload
 * types, no larger than WRTC_CODEC_PKT_MAX, with the configured SSRC.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_codec.h"
#include "wrtc_rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PT_AUDIO_DYN = 111, PT_DTMF = 101, PT_CN = 13, OUT_SSRC = 0x0badcafe };

static const enum wrtc_codec_id codecs[4] = {WRTC_CODEC_PCMU, WRTC_CODEC_PCMA, WRTC_CODEC_G722,
					     WRTC_CODEC_OPUS};
static const uint16_t ptimes[4] = {10, 20, 40, 60};

static uint8_t
audio_pt(enum wrtc_codec_id c)
{
	const struct wrtc_codec_ops *ops = wrtc_codec_ops_get(c);

	return ops->static_pt != 255 ? ops->static_pt : PT_AUDIO_DYN;
}

static void
drain(struct wrtc_codec_xcoder *x, const struct wrtc_codec_xcoder_prm *p, uint64_t now)
{
	static uint8_t buf[WRTC_CODEC_PKT_MAX];
	struct wrtc_rtp_info ri;
	int n;

	while ((n = wrtc_codec_xcoder_output(x, buf, sizeof(buf), now)) > 0) {
		if ((size_t)n > sizeof(buf) || wrtc_rtp_parse(buf, (size_t)n, &ri) < 0)
			__builtin_trap();
		if (ri.ssrc != OUT_SSRC)
			__builtin_trap();
		if (ri.pt != p->out.pt && (int)ri.pt != p->out.dtmf_pt && (int)ri.pt != p->out.cn_pt)
			__builtin_trap();
	}
	if (n < 0)
		__builtin_trap(); /* A full-size buffer is never refused. */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[12 + 256];
	struct wrtc_codec_xcoder_prm p = {0};
	struct wrtc_codec_xcoder *x;
	uint32_t ssrc = 0x1234, ts = 1000, clock;
	uint16_t seq = 100;
	uint64_t now = 0;
	size_t i = 1;

	if (size < 1)
		return 0;
	p.in.codec = codecs[data[0] & 3];
	p.out.codec = codecs[data[0] >> 2 & 3];
	p.in.pt = audio_pt(p.in.codec);
	p.out.pt = audio_pt(p.out.codec);
	p.in.dtmf_pt = PT_DTMF;
	p.out.dtmf_pt = PT_DTMF;
	p.in.cn_pt = PT_CN;
	p.out.cn_pt = (data[0] & 0x80) ? PT_CN : -1;
	p.out.ptime = ptimes[data[0] >> 4 & 3];
	p.out_ssrc = OUT_SSRC;
	p.out_seq = 65530;
	p.out_ts = 0xfffff000u;
	p.enc.complexity = 0; /* Keeps the fuzzer fast; the paths are the same. */
	p.enc.fec = data[0] & 0x40;
	p.enc.dtx = data[0] & 0x80;
	p.enc.loss_pct = 10;
	x = wrtc_codec_xcoder_create(&p);
	if (x == NULL)
		return 0; /* A pair the transcoder does not support (e.g. G.722 <-> G.711). */
	clock = wrtc_codec_ops_get(p.in.codec)->rtp_clock;
	while (i + 2 <= size) {
		int ctl = data[i];
		size_t n = data[i + 1];
		static const uint8_t pts[4] = {0, PT_DTMF, PT_CN, 77};
		uint8_t pt = (ctl & 3) == 0 ? p.in.pt : pts[ctl & 3];
		unsigned int step = (unsigned int)ctl >> 2 & 7;

		i += 2;
		if (n > size - i)
			n = size - i;
		seq = (uint16_t)(seq + (step == 7 ? 30000 : step));
		ts += (ctl & 0x20) ? 0x40000000u : clock / 50 * (step ? step : 1);
		if (ctl & 0x40)
			ssrc = ssrc * 2654435761u + 1;
		pkt[0] = 0x80;
		pkt[1] = (uint8_t)((ctl & 0x80) | pt);
		wrtc_rtp_put16(pkt + 2, seq);
		wrtc_rtp_put32(pkt + 4, ts);
		wrtc_rtp_put32(pkt + 8, ssrc);
		memcpy(pkt + 12, data + i, n);
		i += n;
		/* An exact-size copy, so ASan sees reads past the payload. */
		uint8_t *copy = malloc(12 + n);

		if (copy == NULL)
			abort();
		memcpy(copy, pkt, 12 + n);
		wrtc_codec_xcoder_input(x, copy, 12 + n, now);
		free(copy);
		drain(x, &p, now);
		now += 20000;
		drain(x, &p, now);
	}
	/* A re-offer changed the codec: a new transcoder continues the stream
	 * (same SSRC, wall-clock timestamp jump at its first input). */
	{
		struct wrtc_codec_xcoder *y = wrtc_codec_xcoder_create(&p);

		if (y != NULL) {
			int rc = wrtc_codec_xcoder_continue(y, x);

			if (rc != 0 && rc != -EINVAL)
				__builtin_trap();
			wrtc_codec_xcoder_free(x);
			x = y;
			now += (uint64_t)(data[size - 1]) * 10000;
		}
	}
	/* A long silence after the last packet: concealment, then the output timer. */
	for (int k = 0; k < 5; k++) {
		now += 20000;
		wrtc_codec_xcoder_input(x, pkt, 12, now);
		drain(x, &p, now);
	}
	(void)wrtc_codec_xcoder_stats(x);
	(void)wrtc_codec_xcoder_rate(x);
	wrtc_codec_xcoder_free(x);
	return 0;
}
