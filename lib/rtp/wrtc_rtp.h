/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * RTP (RFC 3550) header parsing, in-place rewriting, building, and the
 * per-source reception statistics of RFC 3550 appendix A.1/A.3/A.8.
 *
 * EAL-free: everything works on a plain byte buffer, so a worker passes
 * `rte_pktmbuf_mtod()` and the data length, and tests or fuzzers pass arrays.
 * The parse and rewrite helpers are inline; nothing here allocates.
 *
 * RTCP lives in wrtc_rtcp.h.
 */
#ifndef WRTC_RTP_H
#define WRTC_RTP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	WRTC_RTP_VERSION = 2,      /**< The only RTP version accepted. */
	WRTC_RTP_HDR_SIZE = 12,    /**< Fixed header, without CSRCs or extension. */
	WRTC_RTP_MAX_CSRC = 15,    /**< CC is four bits. */
};

/** What wrtc_rtp_parse() found in a packet. Offsets are from the buffer start. */
struct wrtc_rtp_info {
	uint8_t version;          /**< Always 2 after a successful parse. */
	bool padding;             /**< P bit. */
	bool extension;           /**< X bit. */
	uint8_t cc;               /**< CSRC count. */
	bool marker;              /**< M bit. */
	uint8_t pt;               /**< Payload type, 0..127. */
	uint16_t seq;             /**< Sequence number. */
	uint32_t ts;              /**< Timestamp. */
	uint32_t ssrc;            /**< Synchronisation source. */
	uint16_t ext_profile;     /**< Extension profile (0xBEDE, 0x100x), 0 if none. */
	uint16_t ext_offset;      /**< Offset of the extension data (after its 4-byte header). */
	uint32_t ext_size;        /**< Extension data size in bytes (length field * 4). */
	uint32_t hdr_size;        /**< Header size: fixed + CSRCs + extension. */
	uint8_t pad_size;         /**< Padding bytes at the end (last byte), 0 if none. */
	uint32_t payload_offset;  /**< Equal to hdr_size. */
	uint32_t payload_size;    /**< Bytes between header and padding. */
};

static inline uint16_t
wrtc_rtp_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
wrtc_rtp_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
wrtc_rtp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wrtc_rtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/**
 * Parse and validate an RTP header against the buffer length.
 *
 * @param buf   Packet start (the UDP payload).
 * @param size  Bytes available at @p buf.
 * @param ri    Filled on success; unspecified on error.
 * @return 0 on success;
 *   -EMSGSIZE if @p size is below 12 bytes or the CSRC list or extension
 *   overruns the buffer;
 *   -EPROTONOSUPPORT if the version is not 2;
 *   -EBADMSG if the padding count is 0 or exceeds the bytes after the header.
 */
static inline int
wrtc_rtp_parse(const uint8_t *buf, size_t size, struct wrtc_rtp_info *ri)
{
	size_t off;

	if (size < WRTC_RTP_HDR_SIZE)
		return -EMSGSIZE;
	ri->version = buf[0] >> 6;
	if (ri->version != WRTC_RTP_VERSION)
		return -EPROTONOSUPPORT;
	ri->padding = (buf[0] & 0x20) != 0;
	ri->extension = (buf[0] & 0x10) != 0;
	ri->cc = buf[0] & 0x0f;
	ri->marker = (buf[1] & 0x80) != 0;
	ri->pt = buf[1] & 0x7f;
	ri->seq = wrtc_rtp_get16(buf + 2);
	ri->ts = wrtc_rtp_get32(buf + 4);
	ri->ssrc = wrtc_rtp_get32(buf + 8);
	off = WRTC_RTP_HDR_SIZE + 4u * ri->cc;
	ri->ext_profile = 0;
	ri->ext_offset = 0;
	ri->ext_size = 0;
	if (ri->extension) {
		if (size < off + 4)
			return -EMSGSIZE;
		ri->ext_profile = wrtc_rtp_get16(buf + off);
		ri->ext_size = wrtc_rtp_get16(buf + off + 2) * 4u;
		ri->ext_offset = (uint16_t)(off + 4);
		off += 4u + ri->ext_size;
	}
	if (size < off)
		return -EMSGSIZE;
	ri->pad_size = 0;
	if (ri->padding) {
		ri->pad_size = buf[size - 1];
		if (ri->pad_size == 0 || ri->pad_size > size - off)
			return -EBADMSG;
	}
	ri->hdr_size = (uint32_t)off;
	ri->payload_offset = (uint32_t)off;
	ri->payload_size = (uint32_t)(size - off - ri->pad_size);
	return 0;
}

/** Set the payload type, keeping the marker bit. @p pt must be below 128. */
static inline void
wrtc_rtp_set_pt(uint8_t *buf, uint8_t pt)
{
	buf[1] = (uint8_t)((buf[1] & 0x80) | (pt & 0x7f));
}

/** Set or clear the marker bit. */
static inline void
wrtc_rtp_set_marker(uint8_t *buf, bool m)
{
	buf[1] = (uint8_t)((buf[1] & 0x7f) | (m ? 0x80 : 0));
}

/** Rewrite the sequence number in place. */
static inline void
wrtc_rtp_set_seq(uint8_t *buf, uint16_t seq)
{
	wrtc_rtp_put16(buf + 2, seq);
}

/** Rewrite the timestamp in place. */
static inline void
wrtc_rtp_set_ts(uint8_t *buf, uint32_t ts)
{
	wrtc_rtp_put32(buf + 4, ts);
}

/** Rewrite the SSRC in place. */
static inline void
wrtc_rtp_set_ssrc(uint8_t *buf, uint32_t ssrc)
{
	wrtc_rtp_put32(buf + 8, ssrc);
}

/**
 * Write a fixed 12-byte RTP header (V=2, no padding, extension or CSRC).
 *
 * @return 12, or -ENOSPC if @p cap is below 12.
 */
static inline int
wrtc_rtp_hdr_write(uint8_t *buf, size_t cap, bool marker, uint8_t pt, uint16_t seq, uint32_t ts,
		   uint32_t ssrc)
{
	if (cap < WRTC_RTP_HDR_SIZE)
		return -ENOSPC;
	buf[0] = WRTC_RTP_VERSION << 6;
	buf[1] = (uint8_t)((marker ? 0x80 : 0) | (pt & 0x7f));
	wrtc_rtp_put16(buf + 2, seq);
	wrtc_rtp_put32(buf + 4, ts);
	wrtc_rtp_put32(buf + 8, ssrc);
	return WRTC_RTP_HDR_SIZE;
}

/**
 * Signed distance from sequence number @p a to @p b modulo 2^16
 * (positive when @p b is after @p a).
 */
static inline int16_t
wrtc_rtp_seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(b - a);
}

/* ---------------------------------------------------------------------- */
/* Reception statistics (RFC 3550 A.1, A.3, A.8)                           */

enum {
	WRTC_RTP_MAX_DROPOUT = 3000,    /**< A.1 MAX_DROPOUT. */
	WRTC_RTP_MAX_MISORDER = 100,    /**< A.1 MAX_MISORDER. */
	WRTC_RTP_SEQ_MOD = 1 << 16,     /**< A.1 RTP_SEQ_MOD. */
};

/** Result of wrtc_rtp_rx_update(). */
enum wrtc_rtp_seq_result {
	WRTC_RTP_SEQ_VALID = 0,     /**< Counted; the source is valid. */
	WRTC_RTP_SEQ_PROBATION,     /**< Source still on probation (A.1 MIN_SEQUENTIAL). */
	WRTC_RTP_SEQ_BAD,           /**< Large jump; remembered, resync if the next follows. */
	WRTC_RTP_SEQ_RESTART,       /**< Two sequential packets after a jump: restarted. */
	WRTC_RTP_SEQ_DUPLICATE,     /**< Duplicate or reordered (counted as received, per A.1). */
};

/**
 * Receive-side statistics for one source, per RFC 3550 A.1/A.3/A.8.
 *
 * Owned and written by the one thread that receives the stream (a worker);
 * callers read the fields, and only wrtc_rtp_rx_*() writes them. Zero it (or
 * call wrtc_rtp_rx_init()) before use; the first packet initialises it.
 */
struct wrtc_rtp_rx_stats {
	uint32_t ssrc;            /**< Source being tracked (from the first packet). */
	uint32_t clock;           /**< RTP clock rate in Hz, for jitter; set by init. */
	uint16_t max_seq;         /**< Highest sequence number seen. */
	uint32_t cycles;          /**< Shifted count of seq number cycles (<< 16). */
	uint32_t base_seq;        /**< First sequence number (of the current run). */
	uint32_t bad_seq;         /**< Last 'bad' seq + 1, A.1. */
	uint32_t probation;       /**< Sequential packets still needed to validate. */
	uint32_t min_sequential;  /**< Probation length used at (re)start. */
	uint32_t received;        /**< Packets received (valid ones). */
	uint64_t octets;          /**< Payload octets received. */
	uint32_t expected_prior;  /**< A.3: expected at the last report. */
	uint32_t received_prior;  /**< A.3: received at the last report. */
	uint32_t transit;         /**< A.8: relative transit time of the previous packet. */
	uint32_t jitter;          /**< A.8: jitter estimate, scaled by 16. */
	bool started;             /**< Set after the first packet. */
	bool have_transit;        /**< Transit of a previous packet is known. */
	uint32_t lsr;             /**< Middle 32 bits of the NTP time of the last SR from it. */
	uint64_t lsr_arrival_us;  /**< Local time (µs) that SR arrived; 0 if none. */
};

/**
 * Reset @p s for a source with RTP clock @p clock Hz.
 *
 * @param min_sequential  Sequential packets needed before the source is
 *   valid (RFC 3550 A.1 uses 2; 0 or 1 accepts the first packet).
 */
void wrtc_rtp_rx_init(struct wrtc_rtp_rx_stats *s, uint32_t clock, uint32_t min_sequential);

/**
 * Account one received RTP packet.
 *
 * @param s         Statistics of the source.
 * @param ri        Parsed header (seq, ts, ssrc, payload_size are used).
 * @param now_us    Local arrival time in microseconds (any monotonic origin).
 * @return an enum wrtc_rtp_seq_result.
 */
enum wrtc_rtp_seq_result wrtc_rtp_rx_update(struct wrtc_rtp_rx_stats *s,
					    const struct wrtc_rtp_info *ri, uint64_t now_us);

/** Extended highest sequence number received (cycles + max_seq). */
static inline uint32_t
wrtc_rtp_rx_ext_max(const struct wrtc_rtp_rx_stats *s)
{
	return s->cycles + s->max_seq;
}

/** Packets expected so far (A.3). */
static inline uint32_t
wrtc_rtp_rx_expected(const struct wrtc_rtp_rx_stats *s)
{
	return s->started && s->probation == 0 ? wrtc_rtp_rx_ext_max(s) - s->base_seq + 1 : 0;
}

/** Cumulative packets lost (A.3), clamped to the 24-bit signed range of a report block. */
int32_t wrtc_rtp_rx_lost(const struct wrtc_rtp_rx_stats *s);

/** Interarrival jitter in RTP timestamp units (A.8). */
static inline uint32_t
wrtc_rtp_rx_jitter(const struct wrtc_rtp_rx_stats *s)
{
	return s->jitter >> 4;
}

/**
 * Remember a Sender Report received from this source, for LSR/DLSR.
 *
 * @param ntp     The SR's 64-bit NTP timestamp.
 * @param now_us  Local arrival time (same clock as wrtc_rtp_rx_update()).
 */
void wrtc_rtp_rx_sr_received(struct wrtc_rtp_rx_stats *s, uint64_t ntp, uint64_t now_us);

/**
 * Send-side statistics of one outgoing RTP stream (what goes into an SR).
 * Written by the thread that sends the stream.
 */
struct wrtc_rtp_tx_stats {
	uint32_t ssrc;            /**< Our SSRC. */
	uint32_t clock;           /**< RTP clock rate in Hz. */
	uint32_t packets;         /**< Packets sent (SR sender's packet count). */
	uint32_t octets;          /**< Payload octets sent (SR sender's octet count). */
	uint32_t last_ts;         /**< RTP timestamp of the last packet sent. */
	uint64_t last_us;         /**< Local time of the last packet sent; 0 if none. */
};

/** Account one sent packet with payload @p payload_size and timestamp @p ts at @p now_us. */
static inline void
wrtc_rtp_tx_update(struct wrtc_rtp_tx_stats *t, uint32_t ts, size_t payload_size, uint64_t now_us)
{
	t->packets++;
	t->octets += (uint32_t)payload_size;
	t->last_ts = ts;
	t->last_us = now_us;
}

#endif
