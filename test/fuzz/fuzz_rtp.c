/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/rtp: the input is parsed as an RTP packet (and, if
 * valid, rewritten in a copy and fed to the reception statistics) and as an
 * RTCP compound packet, whose every packet is run through all accessors.
 * Both also go through the BUNDLE demultiplexer (header extension elements,
 * MID/SSRC/PT routing, compound RTCP split, whose slices must tile the
 * compound). Any read outside the buffer shows up under ASan.
 */
#include <stdlib.h>
#include <string.h>

#include "wrtc_rtcp.h"
#include "wrtc_rtp.h"
#include "wrtc_rtp_demux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t
map_flip(void *arg, uint32_t ssrc, enum wrtc_rtcp_ssrc_role role)
{
	return role == WRTC_RTCP_SSRC_SENDER ? ~ssrc : ssrc + 1;
}

static void
fuzz_rtcp(const uint8_t *data, size_t size)
{
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	volatile uint32_t sink = 0;

	(void)wrtc_rtcp_validate(data, size, false);
	(void)wrtc_rtcp_validate(data, size, true);
	wrtc_rtcp_iter_init(&it, data, size);
	while (wrtc_rtcp_iter_next(&it, &p) == 1) {
		struct wrtc_rtcp_rb rb;
		struct wrtc_rtcp_remb remb;
		struct wrtc_rtcp_sdes_cursor cur = {0};
		struct wrtc_rtcp_sdes_item item;
		const uint8_t *reason;
		uint16_t pid, blp;
		uint32_t ssrc;
		uint8_t seq;
		int n;

		for (unsigned int i = 0; wrtc_rtcp_rb_get(&p, i, &rb) == 0; i++)
			sink += rb.ssrc + rb.jitter;
		for (unsigned int i = 0; wrtc_rtcp_nack_get(&p, i, &pid, &blp) == 0; i++)
			sink += pid + blp;
		for (unsigned int i = 0; wrtc_rtcp_fir_get(&p, i, &ssrc, &seq) == 0; i++)
			sink += ssrc + seq;
		if (wrtc_rtcp_remb_get(&p, &remb) == 0)
			for (unsigned int i = 0; i < remb.n_ssrc; i++)
				sink += wrtc_rtp_get32(remb.ssrcs + 4 * i);
		while (wrtc_rtcp_sdes_next(&p, &cur, &item) == 1)
			for (unsigned int i = 0; i < item.len; i++)
				sink += item.data[i];
		for (unsigned int i = 0; wrtc_rtcp_bye_ssrc(&p, i, &ssrc) == 0; i++)
			sink += ssrc;
		n = wrtc_rtcp_bye_reason(&p, &reason);
		for (int i = 0; i < n; i++)
			sink += reason[i];
		for (uint32_t i = 0; i < p.body_size; i++)
			sink += p.body[i];
		sink += wrtc_rtcp_is_pli(&p);
	}
	{
		uint8_t *copy = malloc(size ? size : 1);
		int n1, n2;

		if (copy == NULL)
			return;
		memcpy(copy, data, size);
		n1 = wrtc_rtcp_map_ssrc(copy, size, map_flip, NULL);
		/* Mapping only rewrites SSRCs: the compound must stay as valid. */
		n2 = wrtc_rtcp_validate(copy, size, true);
		if (n1 >= 0 && n2 != wrtc_rtcp_validate(data, size, true))
			abort();
		if (n1 < 0 && memcmp(copy, data, size) != 0)
			abort();
		free(copy);
	}
}

static void
fuzz_rtp(const uint8_t *data, size_t size)
{
	static struct wrtc_rtp_rx_stats rx;
	struct wrtc_rtp_info ri;
	volatile uint32_t sink = 0;
	uint8_t *copy;

	if (wrtc_rtp_parse(data, size, &ri) != 0)
		return;
	for (uint32_t i = 0; i < ri.payload_size; i++)
		sink += data[ri.payload_offset + i];
	for (uint32_t i = 0; i < ri.ext_size; i++)
		sink += data[ri.ext_offset + i];
	if (!rx.started)
		wrtc_rtp_rx_init(&rx, 48000, 2);
	(void)wrtc_rtp_rx_update(&rx, &ri, (uint64_t)ri.ts * 21);
	sink += (uint32_t)wrtc_rtp_rx_lost(&rx) + wrtc_rtp_rx_jitter(&rx);
	copy = malloc(size);
	if (copy == NULL)
		return;
	memcpy(copy, data, size);
	wrtc_rtp_set_pt(copy, ri.pt ^ 1);
	wrtc_rtp_set_seq(copy, (uint16_t)(ri.seq + 1));
	wrtc_rtp_set_ts(copy, ri.ts + 960);
	wrtc_rtp_set_ssrc(copy, ~ri.ssrc);
	wrtc_rtp_set_marker(copy, !ri.marker);
	if (wrtc_rtp_parse(copy, size, &ri) != 0)
		abort(); /* Rewriting the fixed header must keep it valid. */
	free(copy);
}

/* A two-m-line bundle whose SSRCs and PTs overlap the input's likely values. */
static void
demux_setup(struct wrtc_rtp_demux *d, uint8_t ext_id)
{
	static const uint8_t apt[] = {0, 111, 8};
	static const uint8_t vpt[] = {0, 96, 97};

	wrtc_rtp_demux_init(d, ext_id);
	(void)wrtc_rtp_demux_add_mline(d, "0", 1, apt, 3);
	(void)wrtc_rtp_demux_add_mline(d, "1", 1, vpt, 3);
	(void)wrtc_rtp_demux_add_ssrc(d, 0x01020304, 0, true);
	(void)wrtc_rtp_demux_add_ssrc(d, 0x05060708, 1, true);
}

static void
fuzz_demux(const uint8_t *data, size_t size)
{
	struct wrtc_rtp_demux_slice s[8];
	struct wrtc_rtp_demux d;
	struct wrtc_rtp_info ri;
	volatile uint32_t sink = 0;
	uint32_t end = 0;
	int n;

	if (wrtc_rtp_parse(data, size, &ri) == 0) {
		const uint8_t *e;
		uint8_t esize;

		for (unsigned int id = 1; id < 256; id++)
			if (wrtc_rtp_ext_find(data, &ri, (uint8_t)id, &e, &esize) == 0)
				for (unsigned int i = 0; i < esize; i++)
					sink += e[i];
		demux_setup(&d, size > 0 ? (uint8_t)(data[size - 1] % 16) : 1);
		for (int k = 0; k < 2; k++) {
			int idx = wrtc_rtp_demux_rtp(&d, data, &ri);

			if (idx >= (int)d.n_mlines)
				abort();
		}
	}
	demux_setup(&d, 1);
	n = wrtc_rtp_demux_rtcp_split(&d, data, size, s, 8);
	for (int i = 0; i < n; i++) {
		/* Slices tile the compound, in order. */
		if (s[i].offset != end || s[i].size == 0 || s[i].mline >= (int)d.n_mlines)
			abort();
		end += s[i].size;
	}
	if (n > 0 && end != size)
		abort();

	/* The worker also learns, as local sources, the SSRCs each m-line of a
	 * bundle sends (lib/worker, bundle_tx_source()): any value may become
	 * one, moved between m-lines, and the table may fill up. The split
	 * must still tile the compound and name only m-lines of the bundle. */
	demux_setup(&d, 1);
	for (size_t off = 0; off + 5 <= size && off < 40 * 5; off += 5) {
		uint32_t ssrc = (uint32_t)data[off] << 24 | (uint32_t)data[off + 1] << 16 |
				(uint32_t)data[off + 2] << 8 | data[off + 3];

		(void)wrtc_rtp_demux_add_ssrc(&d, ssrc, data[off + 4] % d.n_mlines,
					      (data[off + 4] & 0x80) == 0);
	}
	end = 0;
	n = wrtc_rtp_demux_rtcp_split(&d, data, size, s, 8);
	for (int i = 0; i < n; i++) {
		if (s[i].offset != end || s[i].size == 0 || s[i].mline >= (int)d.n_mlines)
			abort();
		end += s[i].size;
	}
	if (n > 0 && end != size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rtp(data, size);
	fuzz_demux(data, size);
	fuzz_rtcp(data, size);
	return 0;
}
