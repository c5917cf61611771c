/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * RTCP (RFC 3550, RFC 4585, RFC 5104) compound packet parsing and building.
 *
 * Parsing walks a compound packet with wrtc_rtcp_iter_next(), which checks
 * each packet's header, length and type-specific layout before returning it,
 * so the accessors below (report blocks, NACK, FIR, REMB, SDES items, BYE
 * reason) never read outside the buffer. Nothing is copied; struct
 * wrtc_rtcp_pkt points into the caller's buffer.
 *
 * Building produces SR/RR from a leg's own statistics (struct
 * wrtc_rtp_tx_stats and struct wrtc_rtp_rx_stats), so a transcoding stream
 * reports what it really sent and received, plus SDES CNAME and BYE.
 *
 * EAL-free, no allocation; safe on a worker.
 */
#ifndef WRTC_RTCP_H
#define WRTC_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrtc_rtp.h"

/** RTCP packet types. */
enum wrtc_rtcp_type {
	WRTC_RTCP_SR = 200,     /**< Sender report. */
	WRTC_RTCP_RR = 201,     /**< Receiver report. */
	WRTC_RTCP_SDES = 202,   /**< Source description. */
	WRTC_RTCP_BYE = 203,    /**< Goodbye. */
	WRTC_RTCP_APP = 204,    /**< Application-defined. */
	WRTC_RTCP_RTPFB = 205,  /**< Transport-layer feedback (RFC 4585). */
	WRTC_RTCP_PSFB = 206,   /**< Payload-specific feedback (RFC 4585). */
	WRTC_RTCP_XR = 207,     /**< Extended reports (RFC 3611); not decoded further. */
};

/** Feedback message types (FMT, the count field of RTPFB/PSFB). */
enum {
	WRTC_RTCP_RTPFB_NACK = 1,   /**< Generic NACK (RFC 4585 6.2.1). */
	WRTC_RTCP_PSFB_PLI = 1,     /**< Picture loss indication (RFC 4585 6.3.1). */
	WRTC_RTCP_PSFB_FIR = 4,     /**< Full intra request (RFC 5104 4.3.1). */
	WRTC_RTCP_PSFB_AFB = 15,    /**< Application layer feedback; REMB uses it. */
};

/** SDES item types. */
enum {
	WRTC_RTCP_SDES_END = 0,
	WRTC_RTCP_SDES_CNAME = 1,
};

enum {
	WRTC_RTCP_HDR_SIZE = 4,     /**< Common header. */
	WRTC_RTCP_RB_SIZE = 24,     /**< One report block. */
	WRTC_RTCP_MAX_RB = 31,      /**< Report blocks per SR/RR (5-bit count). */
};

/** One packet of a compound, as returned by wrtc_rtcp_iter_next(). */
struct wrtc_rtcp_pkt {
	uint8_t pt;               /**< Packet type (enum wrtc_rtcp_type or other). */
	uint8_t count;            /**< RC/SC/FMT field (5 bits). */
	bool padding;             /**< P bit. */
	const uint8_t *raw;       /**< Packet start in the caller's buffer. */
	uint32_t size;            /**< Packet size in bytes including header and padding. */
	uint32_t ssrc;            /**< Sender SSRC (SR/RR/APP/FB), first SSRC (BYE) or first
				       chunk SSRC (SDES); 0 if absent. */
	const uint8_t *body;      /**< Type-specific data after the fixed part: report blocks
				       (SR/RR), chunks (SDES), SSRC list (BYE), data (APP),
				       FCI (RTPFB/PSFB), after the header (others). */
	uint32_t body_size;       /**< Bytes at @p body, padding excluded. */
	/* SR only. */
	uint64_t ntp;             /**< SR NTP timestamp. */
	uint32_t rtp_ts;          /**< SR RTP timestamp. */
	uint32_t packets;         /**< SR sender's packet count. */
	uint32_t octets;          /**< SR sender's octet count. */
	/* RTPFB/PSFB only. */
	uint32_t media_ssrc;      /**< SSRC of the media source the feedback is about. */
	/* APP only. */
	char app_name[4];         /**< Four ASCII characters, not terminated. */
};

/** Cursor over a compound RTCP packet. */
struct wrtc_rtcp_iter {
	const uint8_t *buf;   /**< Compound start. */
	size_t size;          /**< Compound size. */
	size_t off;           /**< Offset of the next packet. */
	unsigned int index;   /**< Packets returned so far. */
};

/** Start iterating over @p size bytes at @p buf. */
static inline void
wrtc_rtcp_iter_init(struct wrtc_rtcp_iter *it, const uint8_t *buf, size_t size)
{
	it->buf = buf;
	it->size = size;
	it->off = 0;
	it->index = 0;
}

/**
 * Return the next packet of the compound, fully validated.
 *
 * @return 1 if @p pkt was filled; 0 at the end of the compound;
 *   -EMSGSIZE if a header or the length field overruns the buffer, or a
 *   packet is too short for its type (SR < 28 + 24*RC bytes, RR < 8 + 24*RC,
 *   APP/FB < 12, NACK FCI empty or not a multiple of 4, FIR FCI not a
 *   multiple of 8, REMB shorter than its SSRC list, BYE shorter than its
 *   SSRC list or reason);
 *   -EPROTONOSUPPORT if the version is not 2;
 *   -EBADMSG for a bad padding count, or SDES chunks not ending with an END
 *   item inside the packet.
 *   After an error the iterator stays at the bad packet.
 */
int wrtc_rtcp_iter_next(struct wrtc_rtcp_iter *it, struct wrtc_rtcp_pkt *pkt);

/**
 * Validate a whole compound packet (RFC 3550 A.2 plus per-type checks).
 *
 * @param reduced_size  If true, accept a first packet that is not SR/RR
 *   (RFC 5506 reduced-size RTCP, used with rtcp-rsize).
 * @return the number of packets (>= 1);
 *   -EMSGSIZE / -EPROTONOSUPPORT / -EBADMSG as wrtc_rtcp_iter_next();
 *   -ENOMSG if the compound is empty;
 *   -EPROTO if the first packet is not SR or RR (and @p reduced_size is
 *   false), or a packet other than the last has the padding bit.
 */
int wrtc_rtcp_validate(const uint8_t *buf, size_t size, bool reduced_size);

/** A report block of an SR or RR. */
struct wrtc_rtcp_rb {
	uint32_t ssrc;            /**< Source reported on. */
	uint8_t fraction_lost;    /**< Fraction lost since the last report, /256. */
	int32_t lost;             /**< Cumulative lost (24-bit signed). */
	uint32_t ext_max_seq;     /**< Extended highest sequence number received. */
	uint32_t jitter;          /**< Interarrival jitter in timestamp units. */
	uint32_t lsr;             /**< Last SR timestamp (middle 32 bits of NTP). */
	uint32_t dlsr;            /**< Delay since last SR, 1/65536 s. */
};

/**
 * Read report block @p i of an SR or RR.
 * @return 0; -EINVAL if @p pkt is not SR/RR; -ERANGE if @p i >= pkt->count.
 */
int wrtc_rtcp_rb_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, struct wrtc_rtcp_rb *rb);

/** Number of NACK FCI entries (PID, BLP) of an RTPFB NACK, else 0. */
unsigned int wrtc_rtcp_nack_count(const struct wrtc_rtcp_pkt *pkt);

/**
 * Read NACK entry @p i.
 * @param pid  Packet ID (first lost sequence number).
 * @param blp  Bitmask of following lost packets.
 * @return 0; -EINVAL if not a NACK; -ERANGE if @p i is out of range.
 */
int wrtc_rtcp_nack_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint16_t *pid,
		       uint16_t *blp);

/** True if @p pkt is a PSFB picture loss indication. */
static inline bool
wrtc_rtcp_is_pli(const struct wrtc_rtcp_pkt *pkt)
{
	return pkt->pt == WRTC_RTCP_PSFB && pkt->count == WRTC_RTCP_PSFB_PLI;
}

/** Number of FIR entries of a PSFB FIR, else 0. */
unsigned int wrtc_rtcp_fir_count(const struct wrtc_rtcp_pkt *pkt);

/**
 * Read FIR entry @p i (RFC 5104 4.3.1.1).
 * @return 0; -EINVAL if not a FIR; -ERANGE if @p i is out of range.
 */
int wrtc_rtcp_fir_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint32_t *ssrc,
		      uint8_t *seq);

/** A decoded REMB (draft-alvestrand-rmcat-remb) message. */
struct wrtc_rtcp_remb {
	uint64_t bitrate;         /**< Mantissa << exponent, bits per second. */
	uint8_t n_ssrc;           /**< SSRCs that follow. */
	const uint8_t *ssrcs;     /**< n_ssrc big-endian SSRCs, in the packet. */
};

/**
 * Decode a REMB message.
 * @return 0; -EINVAL if @p pkt is not PSFB/AFB with the "REMB" identifier.
 */
int wrtc_rtcp_remb_get(const struct wrtc_rtcp_pkt *pkt, struct wrtc_rtcp_remb *remb);

/** One SDES item, as produced by wrtc_rtcp_sdes_next(). */
struct wrtc_rtcp_sdes_item {
	uint32_t ssrc;            /**< SSRC/CSRC of the chunk. */
	uint8_t type;             /**< Item type (1 = CNAME ...). */
	uint8_t len;              /**< Item text length. */
	const uint8_t *data;      /**< Item text, not terminated. */
};

/** Position in an SDES packet; zero it before the first wrtc_rtcp_sdes_next(). */
struct wrtc_rtcp_sdes_cursor {
	size_t off;               /**< Next item offset in the body. */
	size_t chunk;             /**< Current chunk offset in the body. */
	unsigned int index;       /**< Chunks entered so far. */
};

/**
 * Iterate over the items of an SDES packet returned by wrtc_rtcp_iter_next().
 * @return 1 with @p item filled; 0 when done; -EINVAL if not SDES.
 */
int wrtc_rtcp_sdes_next(const struct wrtc_rtcp_pkt *pkt, struct wrtc_rtcp_sdes_cursor *cur,
			struct wrtc_rtcp_sdes_item *item);

/**
 * SSRC @p i of a BYE.
 * @return 0; -EINVAL if not BYE; -ERANGE if @p i >= pkt->count.
 */
int wrtc_rtcp_bye_ssrc(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint32_t *ssrc);

/**
 * Reason text of a BYE, if any.
 * @return its length (0 if none, with *@p text NULL), or -EINVAL if not BYE.
 */
int wrtc_rtcp_bye_reason(const struct wrtc_rtcp_pkt *pkt, const uint8_t **text);

/** What an SSRC in an RTCP packet stands for, for wrtc_rtcp_map_ssrc(). */
enum wrtc_rtcp_ssrc_role {
	WRTC_RTCP_SSRC_SENDER,   /**< The sender of the RTCP packet (SR/RR/FB/APP sender,
				      SDES chunk, BYE source). */
	WRTC_RTCP_SSRC_MEDIA,    /**< A media source reported on or asked for (report
				      block, FB media SSRC, FIR entry, REMB SSRC). */
};

/** Maps one SSRC; returns the SSRC to write in its place. */
typedef uint32_t (wrtc_rtcp_ssrc_map_fn)(void *arg, uint32_t ssrc, enum wrtc_rtcp_ssrc_role role);

/**
 * Rewrite, in place, every SSRC of a compound packet through @p fn, for
 * relaying RTCP between legs whose SSRCs differ (e.g. feedback for a stream
 * whose SSRC the gateway rewrote). The compound is validated first; on error
 * nothing is changed. SSRCs inside XR blocks are not rewritten.
 *
 * @return the number of packets; or the error of wrtc_rtcp_iter_next().
 */
int wrtc_rtcp_map_ssrc(uint8_t *buf, size_t size, wrtc_rtcp_ssrc_map_fn *fn, void *arg);

/* ---------------------------------------------------------------------- */
/* Building                                                                */

/** Convert Unix time in microseconds to a 64-bit NTP timestamp. */
uint64_t wrtc_rtcp_ntp_from_unix_us(uint64_t unix_us);

/**
 * Build a Sender Report from what was sent (@p tx) and received (@p rx).
 *
 * The RTP timestamp is @p tx->last_ts advanced by the time since the last
 * packet at @p tx->clock. One report block is written per started source in
 * @p rx (A.3 fraction lost since the previous report, which this updates).
 *
 * @param buf      Output.
 * @param cap      Bytes available.
 * @param tx       Our sending statistics (SSRC, counts).
 * @param ntp      Wall-clock time now, as NTP (wrtc_rtcp_ntp_from_unix_us()).
 * @param now_us   Local time now on the clock of tx->last_us and the rx stats.
 * @param rx       Receive statistics to report on; may be NULL if @p n_rx is 0.
 * @param n_rx     At most WRTC_RTCP_MAX_RB.
 * @return bytes written; -ENOSPC if @p cap is too small; -EINVAL for too many sources.
 */
int wrtc_rtcp_build_sr(uint8_t *buf, size_t cap, const struct wrtc_rtp_tx_stats *tx, uint64_t ntp,
		       uint64_t now_us, struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx);

/**
 * Build a Receiver Report with sender SSRC @p ssrc; see wrtc_rtcp_build_sr().
 * @return bytes written; -ENOSPC; -EINVAL.
 */
int wrtc_rtcp_build_rr(uint8_t *buf, size_t cap, uint32_t ssrc, uint64_t now_us,
		       struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx);

/**
 * Build an SDES packet with one chunk holding a CNAME item.
 * @return bytes written; -ENOSPC; -EINVAL if @p cname is longer than 255.
 */
int wrtc_rtcp_build_sdes_cname(uint8_t *buf, size_t cap, uint32_t ssrc, const char *cname);

/**
 * Build a BYE for @p ssrc with an optional @p reason (NULL for none).
 * @return bytes written; -ENOSPC; -EINVAL if @p reason is longer than 255.
 */
int wrtc_rtcp_build_bye(uint8_t *buf, size_t cap, uint32_t ssrc, const char *reason);

/**
 * Build a compound report: SR if @p tx has sent packets, else RR (with
 * @p tx->ssrc as sender), followed by SDES CNAME.
 * @return bytes written; -ENOSPC; -EINVAL.
 */
int wrtc_rtcp_build_report(uint8_t *buf, size_t cap, const struct wrtc_rtp_tx_stats *tx,
			   const char *cname, uint64_t ntp, uint64_t now_us,
			   struct wrtc_rtp_rx_stats *const *rx, unsigned int n_rx);

/**
 * A MOS estimate (1.0 to 4.5) from what RTCP reports say, by the simplified
 * E-model (docs/ng.md "Call quality"): effective latency
 * rtt/2 + 2 jitter + 10 ms; R = 93.2 - latency/40 (under 160 ms, else
 * 93.2 - (latency - 120)/10) - 2.5 loss; MOS = 1 + 0.035 R +
 * 7e-6 R (R - 60)(100 - R).
 *
 * @param loss_pct   packets lost, percent.
 * @param jitter_ms  interarrival jitter, ms.
 * @param rtt_ms     round-trip time, ms (0 when unknown).
 * @return the MOS times 10, rounded (as rtpengine's `MOS` key carries it).
 */
unsigned int wrtc_rtcp_mos(unsigned int loss_pct, unsigned int jitter_ms, unsigned int rtt_ms);

#endif
