/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * BUNDLE demultiplexing (RFC 8843 section 9.2, RFC 9143): which m-line of a
 * bundle an incoming RTP or RTCP packet belongs to, and the RFC 8285 header
 * extension reader it needs for the MID extension
 * (`urn:ietf:params:rtp-hdrext:sdes:mid`).
 *
 * Order of the RTP decision, per RFC 8843 9.2: the MID header extension (and
 * the packet's SSRC is then learned for that m-line), else an SSRC learned
 * before or signalled (a=ssrc), else a payload type only one m-line of the
 * bundle uses. RTCP packets of a compound are each given an m-line by their
 * SSRCs: the sender SSRC among the remote (learned) sources, else the media
 * SSRC of feedback or the first report block among the local sources (those
 * the gateway sends on each m-line).
 *
 * EAL-free and allocation-free: a struct wrtc_rtp_demux is a plain
 * fixed-size table, placed by the caller (one per bundle transport, written
 * only by the worker that owns the transport).
 */
#ifndef WRTC_RTP_DEMUX_H
#define WRTC_RTP_DEMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrtc_rtcp.h"
#include "wrtc_rtp.h"

enum {
	WRTC_RTP_DEMUX_MAX_MLINES = 8,	/**< m-lines in one bundle. */
	WRTC_RTP_DEMUX_MAX_SSRC = 32,	/**< Learned + signalled sources, remote and local. */
	WRTC_RTP_DEMUX_MID_SIZE = 16,	/**< Longest MID (16 bytes fit the extension). */
	WRTC_RTP_EXT_ONE_BYTE = 0xbede, /**< RFC 8285 one-byte header profile. */
};

/** How wrtc_rtp_demux_rtp() decided; indexes wrtc_rtp_demux::by. */
enum wrtc_rtp_demux_how {
	WRTC_RTP_DEMUX_BY_MID,	     /**< MID header extension. */
	WRTC_RTP_DEMUX_BY_SSRC,	     /**< Learned or signalled SSRC. */
	WRTC_RTP_DEMUX_BY_PT,	     /**< Payload type unique in the bundle. */
	WRTC_RTP_DEMUX_UNKNOWN,	     /**< No m-line: the caller drops the packet (counted). */
	WRTC_RTP_DEMUX_BAD_MID,	     /**< MID extension naming no m-line of the bundle. */
	WRTC_RTP_DEMUX_TABLE_FULL,   /**< Routed, but the SSRC could not be learned. */
	WRTC_RTP_DEMUX_HOW_MAX
};

/** One source known to the demultiplexer. */
struct wrtc_rtp_demux_src {
	uint32_t ssrc;	/**< SSRC. */
	uint8_t mline;	/**< m-line index (position in the bundle table). */
	bool local;	/**< A source the gateway sends (RTCP feedback target). */
	bool used;	/**< Slot in use. */
};

/** Demultiplexing table of one bundle. */
struct wrtc_rtp_demux {
	uint8_t mid_ext_id;	/**< Negotiated MID extension id (1..255), 0 if none. */
	uint8_t n_mlines;	/**< m-lines added. */
	struct {
		uint8_t mid_size;			/**< Bytes in @p mid. */
		char mid[WRTC_RTP_DEMUX_MID_SIZE];	/**< a=mid value, not terminated. */
	} mline[WRTC_RTP_DEMUX_MAX_MLINES];		/**< Bundle members, by index. */
	int8_t pt_mline[128];	/**< PT -> m-line; -1 unused, -2 used by several m-lines. */
	struct wrtc_rtp_demux_src src[WRTC_RTP_DEMUX_MAX_SSRC]; /**< Known sources. */
	uint64_t by[WRTC_RTP_DEMUX_HOW_MAX]; /**< Decisions by kind (RTP packets). */
	uint64_t rtcp_unknown;	/**< RTCP packets of a compound with no m-line. */
};

/**
 * Find RFC 8285 header extension element @p id in a parsed RTP packet.
 *
 * Handles the one-byte (0xBEDE, ids 1..14) and two-byte (0x100x, ids
 * 1..255) forms, padding bytes and the one-byte form's id 15 (stop).
 *
 * @param buf   Packet start as given to wrtc_rtp_parse().
 * @param ri    Its parse result.
 * @param id    Element id, 1..255.
 * @param data  Set to the element data on success.
 * @param size  Set to the element data size (0 is possible in the two-byte form).
 * @return 0 found; -ENOENT no extension, other profile, or no such element;
 *         -EBADMSG an element overruns the extension block.
 */
int wrtc_rtp_ext_find(const uint8_t *buf, const struct wrtc_rtp_info *ri, uint8_t id,
		      const uint8_t **data, uint8_t *size);

/**
 * Reset @p d to an empty bundle.
 *
 * @param mid_ext_id  Negotiated id of the MID extension, 0 if not negotiated.
 */
void wrtc_rtp_demux_init(struct wrtc_rtp_demux *d, uint8_t mid_ext_id);

/**
 * Add the next m-line of the bundle.
 *
 * @param mid    Its a=mid (1..16 bytes, not necessarily terminated).
 * @param mid_size  Bytes of @p mid.
 * @param pts    Payload types it receives (0..127), may be NULL when @p n_pts is 0.
 * @param n_pts  Number of @p pts.
 * @return the m-line index (>= 0); -ENOSPC the table is full; -EINVAL bad MID or PT;
 *         -EEXIST the MID is already in the bundle.
 */
int wrtc_rtp_demux_add_mline(struct wrtc_rtp_demux *d, const char *mid, size_t mid_size,
			     const uint8_t *pts, unsigned int n_pts);

/**
 * Tie @p ssrc to m-line @p mline: a remote source (a=ssrc in the peer's SDP,
 * @p local false) or one the gateway sends on that m-line (@p local true).
 *
 * @return 0; -EINVAL no such m-line; -ENOSPC table full. A remote source
 *         already known is moved to @p mline (a MID extension wins, RFC 8843 9.2).
 */
int wrtc_rtp_demux_add_ssrc(struct wrtc_rtp_demux *d, uint32_t ssrc, unsigned int mline,
			    bool local);

/**
 * The m-line of an RTP packet; counts the decision in @p d->by.
 *
 * @param buf   Packet start (decrypted or not: the header is in the clear).
 * @param ri    Its wrtc_rtp_parse() result.
 * @return m-line index, or -ENOENT (counted as UNKNOWN or BAD_MID).
 */
int wrtc_rtp_demux_rtp(struct wrtc_rtp_demux *d, const uint8_t *buf,
		       const struct wrtc_rtp_info *ri);

/**
 * The m-line of one RTCP packet of a compound (as given by wrtc_rtcp_iter_next()).
 *
 * @return m-line index, or -ENOENT (not counted: see wrtc_rtp_demux_rtcp_split()).
 */
int wrtc_rtp_demux_rtcp_pkt(const struct wrtc_rtp_demux *d, const struct wrtc_rtcp_pkt *p);

/** One slice of a split compound RTCP packet. */
struct wrtc_rtp_demux_slice {
	uint32_t offset;	/**< First byte in the compound. */
	uint32_t size;		/**< Bytes. */
	int mline;		/**< m-line index, or -ENOENT. */
};

/**
 * Split a compound RTCP packet into runs of consecutive packets of one
 * m-line (each run is a valid compound-packet body for that m-line's
 * stream). Packets with no m-line of their own join the run before them
 * (SDES/BYE after the SR they follow), or the first run if they open the
 * compound; a compound with no m-line at all gives one slice of -ENOENT
 * (counted in rtcp_unknown).
 *
 * @param buf    Compound start (decrypted).
 * @param size   Compound size.
 * @param out    Slices, in buffer order.
 * @param max    Capacity of @p out (at least 1).
 * @return number of slices (>= 1); -EMSGSIZE/-EBADMSG malformed compound;
 *         -ENOSPC more runs than @p max.
 */
int wrtc_rtp_demux_rtcp_split(struct wrtc_rtp_demux *d, const uint8_t *buf, size_t size,
			      struct wrtc_rtp_demux_slice *out, unsigned int max);

#endif
