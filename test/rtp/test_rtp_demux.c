/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BUNDLE demultiplexer tests: RFC 8285 one- and two-byte header extension
 * elements (padding, stop id, overruns), RTP routed by MID then learned SSRC
 * then unique PT (with the decisions counted), and compound RTCP split per
 * m-line by SSRC. Packets are assembled by hand from the RFC layouts.
 */
#include <string.h>

#include "wrtc_rtp_demux.h"
#include "wrtc_test.h"

/* 12-byte header (PT, SSRC) followed by the extension block @p ext of
 * @p ext_size bytes (a multiple of 4) with @p profile, then 4 payload bytes. */
static size_t
build(uint8_t *b, uint8_t pt, uint32_t ssrc, uint16_t profile, const uint8_t *ext,
      size_t ext_size)
{
	size_t off = 12;

	memset(b, 0, 64);
	b[0] = ext != NULL ? 0x90 : 0x80;
	b[1] = pt;
	wrtc_rtp_put32(b + 8, ssrc);
	if (ext != NULL) {
		wrtc_rtp_put16(b + 12, profile);
		wrtc_rtp_put16(b + 14, (uint16_t)(ext_size / 4));
		memcpy(b + 16, ext, ext_size);
		off = 16 + ext_size;
	}
	memset(b + off, 0xaa, 4);
	return off + 4;
}

static int
test_ext_find(void)
{
	/* One-byte: id 1 len 2 "ab", a padding byte, id 3 len 1 "v", padding. */
	static const uint8_t one[] = {0x11, 'a', 'b', 0x00, 0x30, 'v', 0x00, 0x00};
	/* Two-byte: id 1 len 0, id 200 len 3 "xyz", padding. */
	static const uint8_t two[] = {0x01, 0x00, 0xc8, 0x03, 'x', 'y', 'z', 0x00};
	/* One-byte with the stop id before id 2. */
	static const uint8_t stop[] = {0xf0, 0x20, 'q', 0x00};
	/* Element overruns the block. */
	static const uint8_t over[] = {0x00, 0x00, 0x00, 0x1f};
	struct wrtc_rtp_info ri;
	const uint8_t *d;
	uint8_t b[64], sz;
	size_t n;

	n = build(b, 96, 1, WRTC_RTP_EXT_ONE_BYTE, one, sizeof(one));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 1, &d, &sz), 0);
	WRTC_CHECK_EQ(sz, 2);
	WRTC_CHECK(memcmp(d, "ab", 2) == 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 3, &d, &sz), 0);
	WRTC_CHECK_EQ(sz, 1);
	WRTC_CHECK_EQ(d[0], 'v');
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 2, &d, &sz), -ENOENT);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 15, &d, &sz), -ENOENT);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 0, &d, &sz), -ENOENT);

	n = build(b, 96, 1, 0x1000, two, sizeof(two));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 1, &d, &sz), 0);
	WRTC_CHECK_EQ(sz, 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 200, &d, &sz), 0);
	WRTC_CHECK_EQ(sz, 3);
	WRTC_CHECK(memcmp(d, "xyz", 3) == 0);

	n = build(b, 96, 1, WRTC_RTP_EXT_ONE_BYTE, stop, sizeof(stop));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 2, &d, &sz), -ENOENT);

	n = build(b, 96, 1, WRTC_RTP_EXT_ONE_BYTE, over, sizeof(over));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 1, &d, &sz), -EBADMSG);
	n = build(b, 96, 1, 0x1000, (const uint8_t[]){0x05, 0x09, 0, 0}, 4);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 5, &d, &sz), -EBADMSG);

	/* Other profile, or no extension at all. */
	n = build(b, 96, 1, 0xabcd, one, sizeof(one));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 1, &d, &sz), -ENOENT);
	n = build(b, 96, 1, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_ext_find(b, &ri, 1, &d, &sz), -ENOENT);
	return 0;
}

/* Bundle "0" audio (111, 0), "1" video (96, 97, 0), MID extension id 4. */
static int
setup(struct wrtc_rtp_demux *d)
{
	static const uint8_t apt[] = {111, 0};
	static const uint8_t vpt[] = {96, 97, 0};

	wrtc_rtp_demux_init(d, 4);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(d, "0", 1, apt, 2), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(d, "1", 1, vpt, 3), 1);
	return 0;
}

static int
test_demux_rtp(void)
{
	static const uint8_t mid1[] = {0x40, '1', 0x00, 0x00};
	static const uint8_t mid0[] = {0x40, '0', 0x00, 0x00};
	static const uint8_t mid9[] = {0x40, '9', 0x00, 0x00};
	struct wrtc_rtp_demux d;
	struct wrtc_rtp_info ri;
	uint8_t b[64];
	size_t n;

	if (setup(&d) != 0)
		return -1;
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "1", 1, NULL, 0), -EEXIST);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "", 0, NULL, 0), -EINVAL);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "x", 1, (const uint8_t[]){128}, 1), -EINVAL);
	/* Unique PT: 111 is audio, 96 video; 0 is in both: unknown. */
	n = build(b, 111, 0x1111, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 0);
	n = build(b, 96, 0x2222, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 1);
	n = build(b, 0, 0x3333, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), -ENOENT);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_BY_PT], 2);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_UNKNOWN], 1);

	/* MID "1" on the PT-0 source: learned for video, then routed by SSRC. */
	n = build(b, 0, 0x3333, WRTC_RTP_EXT_ONE_BYTE, mid1, sizeof(mid1));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 1);
	n = build(b, 0, 0x3333, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 1);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_BY_MID], 1);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_BY_SSRC], 1);
	/* The MID wins over the learned SSRC and over the PT. */
	n = build(b, 96, 0x3333, WRTC_RTP_EXT_ONE_BYTE, mid0, sizeof(mid0));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 0);
	n = build(b, 96, 0x3333, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 0);
	/* A MID outside the bundle is dropped even if the PT would match. */
	n = build(b, 96, 0x4444, WRTC_RTP_EXT_ONE_BYTE, mid9, sizeof(mid9));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), -ENOENT);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_BAD_MID], 1);

	/* Without a negotiated MID id the extension is ignored: PT decides. */
	wrtc_rtp_demux_init(&d, 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "0", 1, (const uint8_t[]){111}, 1), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "1", 1, (const uint8_t[]){96}, 1), 1);
	n = build(b, 111, 0x5555, WRTC_RTP_EXT_ONE_BYTE, mid1, sizeof(mid1));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 0);

	/* Signalled SSRCs; a full table is reported, the packet still routed. */
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 7, 2, false), -EINVAL);
	for (uint32_t i = 0; i < WRTC_RTP_DEMUX_MAX_SSRC; i++)
		WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 100 + i, i & 1, false), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 7, 1, false), -ENOSPC);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 101, 0, false), 0); /* moved, no new slot */
	n = build(b, 0, 101, 0, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 0);
	wrtc_rtp_demux_init(&d, 4);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "0", 1, NULL, 0), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&d, "1", 1, NULL, 0), 1);
	for (uint32_t i = 0; i < WRTC_RTP_DEMUX_MAX_SSRC; i++)
		WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 100 + i, 0, true), 0);
	n = build(b, 0, 0x6666, WRTC_RTP_EXT_ONE_BYTE, mid1, sizeof(mid1));
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, n, &ri), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtp(&d, b, &ri), 1);
	WRTC_CHECK_EQ(d.by[WRTC_RTP_DEMUX_TABLE_FULL], 1);
	return 0;
}

/* Append an RTCP packet: header (pt, count, sender), then @p words body words. */
static size_t
rtcp(uint8_t *b, uint8_t pt, uint8_t count, uint32_t sender, const uint32_t *words,
     unsigned int n_words)
{
	b[0] = (uint8_t)(0x80 | count);
	b[1] = pt;
	wrtc_rtp_put16(b + 2, (uint16_t)(1 + n_words));
	wrtc_rtp_put32(b + 4, sender);
	for (unsigned int i = 0; i < n_words; i++)
		wrtc_rtp_put32(b + 8 + 4 * i, words[i]);
	return 8 + 4u * n_words;
}

static int
test_demux_rtcp(void)
{
	/* RR block about local 0xa0 (audio), PLI on local 0xb0 (video), FIR on
	 * 0xb0, NACK on audio local, SDES of remote 0x1111 (audio source). */
	static const uint32_t rb_audio[6] = {0xa0};
	static const uint32_t pli_video[1] = {0xb0};
	static const uint32_t fir_video[3] = {0, 0xb0, 0x01000000};
	static const uint32_t nack_audio[2] = {0xa0, 0x00050000};
	struct wrtc_rtp_demux d;
	struct wrtc_rtp_demux_slice s[4];
	struct wrtc_rtcp_pkt p;
	struct wrtc_rtcp_iter it;
	uint8_t b[256];
	size_t n = 0, rr_size;

	if (setup(&d) != 0)
		return -1;
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 0xa0, 0, true), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 0xb0, 1, true), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_ssrc(&d, 0x2222, 1, false), 0);

	/* RR (unknown sender 0x9999, block on audio), SDES-less; then PLI,
	 * FIR for video; then a NACK for audio. */
	n += rtcp(b + n, WRTC_RTCP_RR, 1, 0x9999, rb_audio, 6);
	rr_size = n;
	n += rtcp(b + n, WRTC_RTCP_PSFB, WRTC_RTCP_PSFB_PLI, 0x9999, pli_video, 1);
	n += rtcp(b + n, WRTC_RTCP_PSFB, WRTC_RTCP_PSFB_FIR, 0x9999, fir_video, 3);
	n += rtcp(b + n, WRTC_RTCP_RTPFB, WRTC_RTCP_RTPFB_NACK, 0x9999, nack_audio, 2);
	wrtc_rtcp_iter_init(&it, b, n);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_pkt(&d, &p), 0);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_pkt(&d, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_pkt(&d, &p), 1);

	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n, s, 4), 3);
	WRTC_CHECK_EQ(s[0].mline, 0);
	WRTC_CHECK_EQ(s[0].offset, 0);
	WRTC_CHECK_EQ(s[0].size, rr_size);
	WRTC_CHECK_EQ(s[1].mline, 1);
	WRTC_CHECK_EQ(s[1].offset, rr_size);
	WRTC_CHECK_EQ(s[1].size, 12 + 20);
	WRTC_CHECK_EQ(s[2].mline, 0);
	WRTC_CHECK_EQ(s[2].offset, rr_size + 32);
	WRTC_CHECK_EQ(s[2].size, 16);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n, s, 2), -ENOSPC);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n - 2, s, 4), -EMSGSIZE);

	/* An SR from the remote video source followed by a BYE of an unknown
	 * source: one video run. A leading packet with no m-line joins the next. */
	n = rtcp(b, WRTC_RTCP_SR, 0, 0x2222, (const uint32_t[5]){0}, 5);
	n += rtcp(b + n, WRTC_RTCP_BYE, 1, 0x7777, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n, s, 4), 1);
	WRTC_CHECK_EQ(s[0].mline, 1);
	WRTC_CHECK_EQ(s[0].size, n);
	n = rtcp(b, WRTC_RTCP_BYE, 1, 0x7777, NULL, 0);
	n += rtcp(b + n, WRTC_RTCP_PSFB, WRTC_RTCP_PSFB_PLI, 0x9999, pli_video, 1);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n, s, 4), 1);
	WRTC_CHECK_EQ(s[0].mline, 1);
	WRTC_CHECK_EQ(s[0].size, n);
	/* Nothing known: one unknown slice, counted. */
	n = rtcp(b, WRTC_RTCP_BYE, 1, 0x7777, NULL, 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_rtcp_split(&d, b, n, s, 4), 1);
	WRTC_CHECK_EQ(s[0].mline, -ENOENT);
	WRTC_CHECK_EQ(d.rtcp_unknown, 1);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"ext_find", test_ext_find},
	{"demux_rtp", test_demux_rtp},
	{"demux_rtcp", test_demux_rtcp},
};

WRTC_TEST_MAIN(cases)
