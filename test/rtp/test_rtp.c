/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/rtp tests: RTP header parsing against hand-assembled packets, in-place
 * rewriting, RFC 3550 A.1/A.3/A.8 statistics with known answers, RTCP
 * compound parsing of every supported type (bytes written out by hand from
 * the RFC layouts), length validation, and SR/RR building round-tripped
 * through the parser.
 */
#include <string.h>

#include "wrtc_rtcp.h"
#include "wrtc_rtp.h"
#include "wrtc_test.h"

/* V=2 P=1 X=1 CC=2, M=1 PT=111, seq 0x1234, ts 0xdeadbeef, ssrc 0x01020304,
 * CSRCs 0xaaaaaaaa 0xbbbbbbbb, one-byte-header extension (0xBEDE, 1 word),
 * 3 payload bytes, 4 padding bytes (count 4). */
static const uint8_t rtp_full[] = {
	0xb2, 0xef, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
	0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb,
	0xbe, 0xde, 0x00, 0x01, 0x10, 0xff, 0x00, 0x00,
	0x01, 0x02, 0x03,
	0x00, 0x00, 0x00, 0x04,
};

static int
test_rtp_parse(void)
{
	struct wrtc_rtp_info ri;

	WRTC_CHECK_EQ(wrtc_rtp_parse(rtp_full, sizeof(rtp_full), &ri), 0);
	WRTC_CHECK_EQ(ri.version, 2);
	WRTC_CHECK(ri.padding && ri.extension && ri.marker);
	WRTC_CHECK_EQ(ri.cc, 2);
	WRTC_CHECK_EQ(ri.pt, 111);
	WRTC_CHECK_EQ(ri.seq, 0x1234);
	WRTC_CHECK_EQ(ri.ts, 0xdeadbeef);
	WRTC_CHECK_EQ(ri.ssrc, 0x01020304);
	WRTC_CHECK_EQ(ri.ext_profile, 0xbede);
	WRTC_CHECK_EQ(ri.ext_offset, 24);
	WRTC_CHECK_EQ(ri.ext_size, 4);
	WRTC_CHECK_EQ(ri.hdr_size, 28);
	WRTC_CHECK_EQ(ri.payload_offset, 28);
	WRTC_CHECK_EQ(ri.payload_size, 3);
	WRTC_CHECK_EQ(ri.pad_size, 4);
	return 0;
}

static int
test_rtp_parse_errors(void)
{
	struct wrtc_rtp_info ri;
	uint8_t b[sizeof(rtp_full)];

	WRTC_CHECK_EQ(wrtc_rtp_parse(rtp_full, 11, &ri), -EMSGSIZE);
	/* CSRC list overruns: 12 + 8 needed. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(rtp_full, 19, &ri), -EMSGSIZE);
	/* Extension header present but its data is cut. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(rtp_full, 26, &ri), -EMSGSIZE);
	memcpy(b, rtp_full, sizeof(b));
	b[0] = (b[0] & 0x3f) | 0x40; /* Version 1. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), -EPROTONOSUPPORT);
	memcpy(b, rtp_full, sizeof(b));
	b[sizeof(b) - 1] = 0; /* Padding count 0. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), -EBADMSG);
	b[sizeof(b) - 1] = 8; /* 8 > 3 payload + 4 padding bytes after the header. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), -EBADMSG);
	b[sizeof(b) - 1] = 7; /* Exactly everything after the header: empty payload. */
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), 0);
	WRTC_CHECK_EQ(ri.payload_size, 0);
	/* Extension length 0x4000 words overruns. */
	memcpy(b, rtp_full, sizeof(b));
	b[22] = 0x40;
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), -EMSGSIZE);
	return 0;
}

static int
test_rtp_rewrite(void)
{
	uint8_t b[sizeof(rtp_full)];
	struct wrtc_rtp_info ri;
	uint8_t hdr[12];

	memcpy(b, rtp_full, sizeof(b));
	wrtc_rtp_set_pt(b, 0);
	wrtc_rtp_set_seq(b, 0xfffe);
	wrtc_rtp_set_ts(b, 160);
	wrtc_rtp_set_ssrc(b, 0xcafebabe);
	WRTC_CHECK_EQ(wrtc_rtp_parse(b, sizeof(b), &ri), 0);
	WRTC_CHECK(ri.marker);
	WRTC_CHECK_EQ(ri.pt, 0);
	WRTC_CHECK_EQ(ri.seq, 0xfffe);
	WRTC_CHECK_EQ(ri.ts, 160);
	WRTC_CHECK_EQ(ri.ssrc, 0xcafebabe);
	WRTC_CHECK(memcmp(b + 12, rtp_full + 12, sizeof(b) - 12) == 0);
	wrtc_rtp_set_marker(b, false);
	WRTC_CHECK_EQ(b[1], 0x00);
	WRTC_CHECK_EQ(wrtc_rtp_hdr_write(hdr, 11, true, 8, 1, 2, 3), -ENOSPC);
	WRTC_CHECK_EQ(wrtc_rtp_hdr_write(hdr, 12, true, 8, 0x0102, 0x03040506, 0x0708090a), 12);
	{
		static const uint8_t want[12] = {0x80, 0x88, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

		WRTC_CHECK(memcmp(hdr, want, 12) == 0);
	}
	WRTC_CHECK_EQ(wrtc_rtp_seq_diff(65535, 1), 2);
	WRTC_CHECK_EQ(wrtc_rtp_seq_diff(1, 65535), -2);
	return 0;
}

static void
rx_feed(struct wrtc_rtp_rx_stats *s, uint16_t seq, uint32_t ts, uint64_t now_us,
	enum wrtc_rtp_seq_result want)
{
	struct wrtc_rtp_info ri = {.seq = seq, .ts = ts, .ssrc = 42, .payload_size = 160};

	WRTC_CHECK_EQ(wrtc_rtp_rx_update(s, &ri, now_us), want);
}

static int
test_rx_stats_seq(void)
{
	struct wrtc_rtp_rx_stats s;

	/* RFC 3550 A.1 probation with MIN_SEQUENTIAL = 2. */
	wrtc_rtp_rx_init(&s, 8000, 2);
	rx_feed(&s, 65533, 0, 0, WRTC_RTP_SEQ_PROBATION);
	WRTC_CHECK_EQ(wrtc_rtp_rx_expected(&s), 0);
	rx_feed(&s, 65534, 160, 20000, WRTC_RTP_SEQ_VALID);
	rx_feed(&s, 65535, 320, 40000, WRTC_RTP_SEQ_VALID);
	/* 0 and 1 lost, wrap. */
	rx_feed(&s, 2, 800, 100000, WRTC_RTP_SEQ_VALID);
	WRTC_CHECK_EQ(s.cycles, 65536);
	WRTC_CHECK_EQ(wrtc_rtp_rx_ext_max(&s), 65536 + 2);
	WRTC_CHECK_EQ(wrtc_rtp_rx_expected(&s), 5);
	WRTC_CHECK_EQ(s.received, 3);
	WRTC_CHECK_EQ(wrtc_rtp_rx_lost(&s), 2);
	/* A late duplicate is counted as received, per A.1, making loss 1. */
	rx_feed(&s, 0, 480, 110000, WRTC_RTP_SEQ_DUPLICATE);
	WRTC_CHECK_EQ(wrtc_rtp_rx_lost(&s), 1);
	/* A jump of 5000 is bad once, then a restart if the next follows. */
	rx_feed(&s, 5002, 0, 120000, WRTC_RTP_SEQ_BAD);
	WRTC_CHECK_EQ(wrtc_rtp_rx_ext_max(&s), 65536 + 2);
	rx_feed(&s, 5003, 160, 140000, WRTC_RTP_SEQ_RESTART);
	WRTC_CHECK_EQ(s.base_seq, 5003);
	WRTC_CHECK_EQ(wrtc_rtp_rx_expected(&s), 1);
	WRTC_CHECK_EQ(s.received, 1);
	return 0;
}

static int
test_rx_stats_jitter(void)
{
	struct wrtc_rtp_rx_stats s;

	/* Packets every 20 ms, exact: jitter 0. */
	wrtc_rtp_rx_init(&s, 8000, 1);
	for (unsigned int i = 0; i < 50; i++)
		rx_feed(&s, (uint16_t)i, i * 160, 1000000 + i * 20000ull, WRTC_RTP_SEQ_VALID);
	WRTC_CHECK_EQ(wrtc_rtp_rx_jitter(&s), 0);
	/* Alternating 0 / +10 ms arrival: |D| = 80 units each time; J converges to
	 * 80 (J += (|D| - J) / 16). After many packets J*16 is within 1 unit. */
	wrtc_rtp_rx_init(&s, 8000, 1);
	for (unsigned int i = 0; i < 400; i++)
		rx_feed(&s, (uint16_t)i, i * 160, i * 20000ull + (i % 2 ? 10000 : 0),
			WRTC_RTP_SEQ_VALID);
	WRTC_CHECK(wrtc_rtp_rx_jitter(&s) >= 79 && wrtc_rtp_rx_jitter(&s) <= 80);
	/* A timestamp jump that makes the transit difference exactly 2^31 (found
	 * by fuzz_codec; undefined behaviour when negated as int32_t). */
	wrtc_rtp_rx_init(&s, 8000, 1);
	rx_feed(&s, 0, 0, 1000000, WRTC_RTP_SEQ_VALID);
	rx_feed(&s, 1, 0x80000000u + 160, 1020000, WRTC_RTP_SEQ_VALID);
	WRTC_CHECK_EQ(wrtc_rtp_rx_jitter(&s), 0x80000000u / 16);
	return 0;
}

/* SR (2 report blocks) + SDES (CNAME, 2 chunks) + BYE (reason), built by hand. */
static const uint8_t rtcp_compound[] = {
	/* SR: V=2 RC=2 PT=200 length = (28 + 48) / 4 - 1 = 18 */
	0x82, 200, 0x00, 18,
	0x11, 0x11, 0x11, 0x11,                         /* sender SSRC */
	0xe7, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00, /* NTP */
	0x00, 0x00, 0x03, 0x20,                         /* RTP ts 800 */
	0x00, 0x00, 0x00, 0x05,                         /* packets */
	0x00, 0x00, 0x03, 0x20,                         /* octets */
	0x22, 0x22, 0x22, 0x22, 0x40, 0xff, 0xff, 0xfe, /* fraction 64, lost -2 */
	0x00, 0x01, 0x00, 0x10, 0x00, 0x00, 0x00, 0x07, /* ext max, jitter */
	0x12, 0x34, 0x56, 0x78, 0x00, 0x01, 0x00, 0x00, /* LSR, DLSR */
	0x33, 0x33, 0x33, 0x33, 0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* SDES: 2 chunks. Chunk 1: SSRC, CNAME "ab", END (+pad) = 4+4+4 -> 8 bytes
	 * after SSRC... laid out: ssrc(4) 01 02 'a' 'b' 00 pad pad pad; chunk 2:
	 * ssrc(4) 01 01 'z' 00 (END). Length = (4 + 12 + 8) / 4 - 1 = 5 */
	0x82, 202, 0x00, 5,
	0x11, 0x11, 0x11, 0x11, 0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x00, 0x00,
	0x44, 0x44, 0x44, 0x44, 0x01, 0x01, 'z', 0x00,
	/* BYE: 1 SSRC, reason "bye" (len 3) = 4 + 4 + 4 -> length 2 */
	0x81, 203, 0x00, 2,
	0x11, 0x11, 0x11, 0x11, 0x03, 'b', 'y', 'e',
};

static int
test_rtcp_compound(void)
{
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	struct wrtc_rtcp_rb rb;
	struct wrtc_rtcp_sdes_cursor cur = {0};
	struct wrtc_rtcp_sdes_item item;
	const uint8_t *reason;
	uint32_t ssrc;

	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound, sizeof(rtcp_compound), false), 3);
	wrtc_rtcp_iter_init(&it, rtcp_compound, sizeof(rtcp_compound));
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(p.pt, WRTC_RTCP_SR);
	WRTC_CHECK_EQ(p.count, 2);
	WRTC_CHECK_EQ(p.ssrc, 0x11111111);
	WRTC_CHECK(p.ntp == 0xe700000180000000ull);
	WRTC_CHECK_EQ(p.rtp_ts, 800);
	WRTC_CHECK_EQ(p.packets, 5);
	WRTC_CHECK_EQ(p.octets, 800);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 0, &rb), 0);
	WRTC_CHECK_EQ(rb.ssrc, 0x22222222);
	WRTC_CHECK_EQ(rb.fraction_lost, 64);
	WRTC_CHECK_EQ(rb.lost, -2);
	WRTC_CHECK_EQ(rb.ext_max_seq, 0x10010);
	WRTC_CHECK_EQ(rb.jitter, 7);
	WRTC_CHECK_EQ(rb.lsr, 0x12345678);
	WRTC_CHECK_EQ(rb.dlsr, 0x10000);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 1, &rb), 0);
	WRTC_CHECK_EQ(rb.lost, 3);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 2, &rb), -ERANGE);

	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(p.pt, WRTC_RTCP_SDES);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 0, &rb), -EINVAL);
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 1);
	WRTC_CHECK(item.ssrc == 0x11111111 && item.type == 1 && item.len == 2 &&
		   memcmp(item.data, "ab", 2) == 0);
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 1);
	WRTC_CHECK(item.ssrc == 0x44444444 && item.type == 1 && item.len == 1 &&
		   item.data[0] == 'z');
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 0);

	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(p.pt, WRTC_RTCP_BYE);
	WRTC_CHECK_EQ(wrtc_rtcp_bye_ssrc(&p, 0, &ssrc), 0);
	WRTC_CHECK_EQ(ssrc, 0x11111111);
	WRTC_CHECK_EQ(wrtc_rtcp_bye_ssrc(&p, 1, &ssrc), -ERANGE);
	WRTC_CHECK_EQ(wrtc_rtcp_bye_reason(&p, &reason), 3);
	WRTC_CHECK(memcmp(reason, "bye", 3) == 0);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 0);
	return 0;
}

static uint32_t
map_test(void *arg, uint32_t ssrc, enum wrtc_rtcp_ssrc_role role)
{
	(*(unsigned int *)arg)++;
	return role == WRTC_RTCP_SSRC_SENDER ? ssrc + 1 : ssrc ^ 0xff000000u;
}

static int
test_rtcp_feedback(void)
{
	static const uint8_t fb[] = {
		/* RR, no blocks */
		0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		/* NACK: FMT 1, PT 205, 2 FCI */
		0x81, 205, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x64, 0x00, 0x05, 0xff, 0xff, 0x80, 0x00,
		/* PLI: FMT 1, PT 206 */
		0x81, 206, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
		/* FIR: FMT 4, PT 206, 1 entry */
		0x84, 206, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x00,
		/* REMB: FMT 15, 1 SSRC, exp 3, mantissa 0x3e8 = 1000 -> 8000 bit/s */
		0x8f, 206, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		'R', 'E', 'M', 'B', 0x01, 0x0c, 0x03, 0xe8, 0x00, 0x00, 0x00, 0x02,
		/* APP: subtype 3, name "TEST", 4 data bytes */
		0x83, 204, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 'T', 'E', 'S', 'T',
		0xde, 0xad, 0xbe, 0xef,
	};
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	struct wrtc_rtcp_remb remb;
	uint16_t pid, blp;
	uint32_t ssrc;
	uint8_t fseq;

	WRTC_CHECK_EQ(wrtc_rtcp_validate(fb, sizeof(fb), false), 6);
	wrtc_rtcp_iter_init(&it, fb, sizeof(fb));
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK(p.pt == WRTC_RTCP_RR && p.count == 0 && p.ssrc == 1);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_nack_count(&p), 2);
	WRTC_CHECK_EQ(p.media_ssrc, 2);
	WRTC_CHECK_EQ(wrtc_rtcp_nack_get(&p, 0, &pid, &blp), 0);
	WRTC_CHECK(pid == 100 && blp == 5);
	WRTC_CHECK_EQ(wrtc_rtcp_nack_get(&p, 1, &pid, &blp), 0);
	WRTC_CHECK(pid == 0xffff && blp == 0x8000);
	WRTC_CHECK_EQ(wrtc_rtcp_nack_get(&p, 2, &pid, &blp), -ERANGE);
	WRTC_CHECK(!wrtc_rtcp_is_pli(&p));
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK(wrtc_rtcp_is_pli(&p));
	WRTC_CHECK_EQ(wrtc_rtcp_nack_count(&p), 0);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_fir_count(&p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_fir_get(&p, 0, &ssrc, &fseq), 0);
	WRTC_CHECK(ssrc == 2 && fseq == 7);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_remb_get(&p, &remb), 0);
	WRTC_CHECK_EQ(remb.bitrate, 8000);
	WRTC_CHECK_EQ(remb.n_ssrc, 1);
	WRTC_CHECK_EQ(wrtc_rtp_get32(remb.ssrcs), 2);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK(p.pt == WRTC_RTCP_APP && p.count == 3 && memcmp(p.app_name, "TEST", 4) == 0);
	WRTC_CHECK(p.body_size == 4 && p.body[0] == 0xde);
	WRTC_CHECK_EQ(wrtc_rtcp_remb_get(&p, &remb), -EINVAL);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 0);

	/* SSRC mapping reaches media SSRCs, FIR entries and the REMB list. */
	{
		uint8_t b[sizeof(fb)];
		unsigned int calls = 0;

		memcpy(b, fb, sizeof(b));
		WRTC_CHECK_EQ(wrtc_rtcp_map_ssrc(b, sizeof(b), map_test, &calls), 6);
		/* RR 1, NACK 2, PLI 2, FIR 3, REMB 3, APP 1. */
		WRTC_CHECK_EQ(calls, 12);
		wrtc_rtcp_iter_init(&it, b, sizeof(b));
		WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
		WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
		WRTC_CHECK(p.ssrc == 2 && p.media_ssrc == 0xff000002);
		WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
		WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
		WRTC_CHECK_EQ(wrtc_rtcp_fir_get(&p, 0, &ssrc, &fseq), 0);
		WRTC_CHECK_EQ(ssrc, 0xff000002);
		WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
		WRTC_CHECK_EQ(wrtc_rtcp_remb_get(&p, &remb), 0);
		WRTC_CHECK_EQ(wrtc_rtp_get32(remb.ssrcs), 0xff000002);
	}
	return 0;
}

static int
test_rtcp_errors(void)
{
	uint8_t b[sizeof(rtcp_compound)];
	/* NACK with an empty FCI. */
	static const uint8_t nack0[] = {0x81, 205, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
	/* REMB claiming 2 SSRCs with room for 1. */
	static const uint8_t remb[] = {0x8f, 206, 0x00, 0x05, 0, 0, 0, 1, 0, 0, 0, 0,
				       'R', 'E', 'M', 'B', 0x02, 0x0c, 0x03, 0xe8, 0, 0, 0, 2};
	/* SDES item running past the packet. */
	static const uint8_t sdes[] = {0x81, 202, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x09, 'a', 'b'};
	/* RR with padding (count 4) then SR: padding only allowed in the last. */
	static const uint8_t padfirst[] = {0xa0, 201, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 4,
					   0x80, 201, 0x00, 0x01, 0, 0, 0, 1};
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;

	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound, 3, false), -EMSGSIZE);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound, sizeof(rtcp_compound) - 4, false),
		      -EMSGSIZE);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound, 0, false), -ENOMSG);
	memcpy(b, rtcp_compound, sizeof(b));
	b[0] = 0x42;
	WRTC_CHECK_EQ(wrtc_rtcp_validate(b, sizeof(b), false), -EPROTONOSUPPORT);
	memcpy(b, rtcp_compound, sizeof(b));
	b[0] = 0x83; /* RC 3: blocks overrun the SR. */
	WRTC_CHECK_EQ(wrtc_rtcp_validate(b, sizeof(b), false), -EMSGSIZE);
	/* Starting with SDES is only fine in reduced-size mode. */
	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound + 76, sizeof(rtcp_compound) - 76, false),
		      -EPROTO);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(rtcp_compound + 76, sizeof(rtcp_compound) - 76, true), 2);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(nack0, sizeof(nack0), true), -EMSGSIZE);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(remb, sizeof(remb), true), -EMSGSIZE);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(sdes, sizeof(sdes), true), -EBADMSG);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(padfirst, sizeof(padfirst), false), -EPROTO);
	/* The iterator stays on a bad packet. */
	wrtc_rtcp_iter_init(&it, sdes, sizeof(sdes));
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), -EBADMSG);
	WRTC_CHECK_EQ(it.off, 0);
	return 0;
}

static int
test_rtcp_build_roundtrip(void)
{
	struct wrtc_rtp_rx_stats rx;
	struct wrtc_rtp_rx_stats *rxs[1] = {&rx};
	struct wrtc_rtp_tx_stats tx = {.ssrc = 0xabcd, .clock = 48000};
	uint8_t buf[256];
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	struct wrtc_rtcp_rb rb;
	struct wrtc_rtcp_sdes_cursor cur = {0};
	struct wrtc_rtcp_sdes_item item;
	uint64_t ntp = wrtc_rtcp_ntp_from_unix_us(1700000000ull * 1000000 + 500000);
	int n;

	/* NTP of a known instant: 1700000000.5 s Unix. */
	WRTC_CHECK(ntp == ((1700000000ull + 2208988800ull) << 32 | 0x80000000ull));

	/* Receive 100 packets with 10 missing (seq 40..49). */
	wrtc_rtp_rx_init(&rx, 8000, 1);
	for (unsigned int i = 0; i < 100; i++)
		if (i < 40 || i >= 50)
			rx_feed(&rx, (uint16_t)(1000 + i), i * 160, i * 20000ull,
				WRTC_RTP_SEQ_VALID);
	wrtc_rtp_rx_sr_received(&rx, 0x0000123456780000ull, 1000000);

	/* Nothing sent yet: an RR + SDES. */
	n = wrtc_rtcp_build_report(buf, sizeof(buf), &tx, "gw@example", ntp, 1500000, rxs, 1);
	WRTC_CHECK_EQ(n, 8 + 24 + 24);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(buf, (size_t)n, false), 2);
	wrtc_rtcp_iter_init(&it, buf, (size_t)n);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK(p.pt == WRTC_RTCP_RR && p.ssrc == 0xabcd && p.count == 1);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 0, &rb), 0);
	WRTC_CHECK_EQ(rb.ssrc, 42);
	WRTC_CHECK_EQ(rb.lost, 10);
	WRTC_CHECK_EQ(rb.fraction_lost, 10 * 256 / 100);
	WRTC_CHECK_EQ(rb.ext_max_seq, 1099);
	WRTC_CHECK_EQ(rb.jitter, 0);
	WRTC_CHECK_EQ(rb.lsr, 0x12345678);
	WRTC_CHECK_EQ(rb.dlsr, 32768); /* 0.5 s in 1/65536 s. */
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 1);
	WRTC_CHECK(item.type == WRTC_RTCP_SDES_CNAME && item.len == 10 &&
		   memcmp(item.data, "gw@example", 10) == 0);

	/* 20 more packets without loss: fraction lost of the interval is 0, the
	 * cumulative loss stays 10. Then we have sent 3 packets: an SR. */
	for (unsigned int i = 100; i < 120; i++)
		rx_feed(&rx, (uint16_t)(1000 + i), i * 160, i * 20000ull, WRTC_RTP_SEQ_VALID);
	wrtc_rtp_tx_update(&tx, 960, 100, 2000000);
	wrtc_rtp_tx_update(&tx, 1920, 100, 2020000);
	wrtc_rtp_tx_update(&tx, 2880, 120, 2040000);
	n = wrtc_rtcp_build_report(buf, sizeof(buf), &tx, "gw@example", ntp, 2060000, rxs, 1);
	WRTC_CHECK_EQ(n, 28 + 24 + 24);
	wrtc_rtcp_iter_init(&it, buf, (size_t)n);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK(p.pt == WRTC_RTCP_SR && p.ssrc == 0xabcd);
	WRTC_CHECK(p.ntp == ntp);
	WRTC_CHECK_EQ(p.rtp_ts, 2880 + 960); /* 20 ms after the last packet at 48 kHz. */
	WRTC_CHECK_EQ(p.packets, 3);
	WRTC_CHECK_EQ(p.octets, 320);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 0, &rb), 0);
	WRTC_CHECK_EQ(rb.fraction_lost, 0);
	WRTC_CHECK_EQ(rb.lost, 10);
	WRTC_CHECK_EQ(rb.ext_max_seq, 1119);

	WRTC_CHECK_EQ(wrtc_rtcp_build_report(buf, 60, &tx, "gw@example", ntp, 0, rxs, 1), -ENOSPC);
	n = wrtc_rtcp_build_bye(buf, sizeof(buf), 0xabcd, "done");
	WRTC_CHECK_EQ(n, 16);
	WRTC_CHECK_EQ(wrtc_rtcp_validate(buf, (size_t)n, true), 1);
	return 0;
}

static int
test_rtcp_map_ssrc(void)
{
	uint8_t b[sizeof(rtcp_compound)];
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	struct wrtc_rtcp_rb rb;
	struct wrtc_rtcp_sdes_cursor cur = {0};
	struct wrtc_rtcp_sdes_item item;
	unsigned int calls = 0;
	uint32_t ssrc;

	memcpy(b, rtcp_compound, sizeof(b));
	WRTC_CHECK_EQ(wrtc_rtcp_map_ssrc(b, sizeof(b), map_test, &calls), 3);
	/* SR sender + 2 blocks, 2 SDES chunks, 1 BYE source. */
	WRTC_CHECK_EQ(calls, 6);
	wrtc_rtcp_iter_init(&it, b, sizeof(b));
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(p.ssrc, 0x11111112);
	WRTC_CHECK_EQ(wrtc_rtcp_rb_get(&p, 1, &rb), 0);
	WRTC_CHECK_EQ(rb.ssrc, 0xcc333333);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_sdes_next(&p, &cur, &item), 1);
	WRTC_CHECK_EQ(item.ssrc, 0x44444445);
	WRTC_CHECK_EQ(wrtc_rtcp_iter_next(&it, &p), 1);
	WRTC_CHECK_EQ(wrtc_rtcp_bye_ssrc(&p, 0, &ssrc), 0);
	WRTC_CHECK_EQ(ssrc, 0x11111112);
	/* A bad compound is left alone. */
	memcpy(b, rtcp_compound, sizeof(b));
	calls = 0;
	WRTC_CHECK_EQ(wrtc_rtcp_map_ssrc(b, sizeof(b) - 4, map_test, &calls), -EMSGSIZE);
	WRTC_CHECK_EQ(calls, 0);
	WRTC_CHECK(memcmp(b, rtcp_compound, sizeof(b)) == 0);
	return 0;
}

static int
test_rtcp_mos(void)
{
	/* Values of the formula in docs/ng.md "Call quality", worked by hand. */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(0, 0, 0), 44);       /* R 92.95: 4.40 */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(10, 0, 0), 35);      /* R 67.95: 3.50 */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(0, 0, 400), 42);     /* latency 210 ms, R 84.2: 4.17 */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(0, 20, 0), 44);      /* latency 50 ms, R 91.95: 4.38 */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(50, 0, 0), 10);      /* R below 0: 1.0 */
	WRTC_CHECK_EQ(wrtc_rtcp_mos(1000, 5000, 100000), 10);
	WRTC_CHECK(wrtc_rtcp_mos(20, 0, 0) < wrtc_rtcp_mos(10, 0, 0));
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"rtp_parse", test_rtp_parse},
	{"rtp_parse_errors", test_rtp_parse_errors},
	{"rtp_rewrite", test_rtp_rewrite},
	{"rx_stats_seq", test_rx_stats_seq},
	{"rx_stats_jitter", test_rx_stats_jitter},
	{"rtcp_compound", test_rtcp_compound},
	{"rtcp_feedback", test_rtcp_feedback},
	{"rtcp_errors", test_rtcp_errors},
	{"rtcp_build_roundtrip", test_rtcp_build_roundtrip},
	{"rtcp_map_ssrc", test_rtcp_map_ssrc},
	{"rtcp_mos", test_rtcp_mos},
};

WRTC_TEST_MAIN(cases)
