/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Streams and the per-worker flow table.
 *
 * A stream is one local UDP port of one leg of a call (RTP, RTCP, or both when
 * rtcp-mux is on). The control lcore creates it, fills it, and posts it to its
 * owner worker with a WRTC_FLOW_MSG_INSTALL message; from then on only that
 * worker writes it, and the control lcore changes it by messages that the
 * worker applies between bursts. Counters are written by the worker and read
 * (relaxed, 64-bit aligned) by the control lcore for `query`/`statistics`.
 *
 * Every message the worker applies goes back on the worker's reply ring, so
 * the control lcore frees what it allocated and the worker never touches the
 * heap. A removed stream comes back in its REMOVE message.
 */
#ifndef WRTC_FLOW_H
#define WRTC_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ring.h>

#include "wrtc_drop.h"
#include "wrtc_net.h"
#include "wrtc_rtp_demux.h"
#include "wrtc_srtp.h"

struct wrtc_codec_xcoder;

enum { WRTC_FLOW_MAX_IFACES = 4 };

/** A transport address as workers keep it. */
struct wrtc_flow_ep {
	struct wrtc_net_addr ip;  /**< Address; family 0 when unset. */
	uint16_t port;            /**< UDP port, host order. */
};

/** How a stream learns and checks its remote address. */
enum wrtc_flow_remote_mode {
	WRTC_FLOW_REMOTE_FIXED,  /**< Signalled address only (control sets it). */
	WRTC_FLOW_REMOTE_LATCH,  /**< Send to the signalled address until the first packet, then
				  *   latch to its source once (NATed SIP phone). */
	WRTC_FLOW_REMOTE_ICE,    /**< Only the ICE-selected pair: nothing is accepted or sent
				  *   until the control lcore sets a verified remote. */
};

/**
 * Endpoint learning on plain RTP legs (remote mode WRTC_FLOW_REMOTE_LATCH): how a
 * source other than the signalled address may become the stream's remote. The
 * modes and their reference are described in docs/configuration.md
 * (trunk_groups[].latch).
 */
enum wrtc_flow_latch {
	WRTC_FLOW_LATCH_OFF,       /**< Only the signalled address is ever accepted. */
	WRTC_FLOW_LATCH_IMMEDIATE, /**< Another source after N consecutive packets. */
	WRTC_FLOW_LATCH_DELAYED,   /**< Likewise, but not before the learning delay. */
	WRTC_FLOW_LATCH_HEURISTIC, /**< Ranked: the signalled IP on another port after N
				    *   packets; other addresses also wait for the delay. */
};

/** Where a latching stream is in its learning (written by the worker). */
enum wrtc_flow_learn_state {
	WRTC_FLOW_LEARN_OPEN,      /**< Nothing fixed yet: the window may be open or closed. */
	WRTC_FLOW_LEARN_SIGNALLED, /**< The signalled address sent: fixed to it. */
	WRTC_FLOW_LEARN_LEARNED,   /**< Another source was learned: fixed to it. */
};

/** Ranks of a learning candidate (heuristic mode; lower is better). */
enum {
	WRTC_FLOW_RANK_SAME_IP = 1,   /**< The signalled IP address, another port. */
	WRTC_FLOW_RANK_SAME_PORT = 2, /**< The signalled port, another address. */
	WRTC_FLOW_RANK_OTHER = 3,     /**< Anything else (and every source outside heuristic). */
};

/** The learning parameters a control UPDATE (WRTC_FLOW_UPD_LEARN) carries. */
struct wrtc_flow_learn_prm {
	enum wrtc_flow_latch mode;   /**< Mode of the leg's trunk group. */
	uint16_t packets;            /**< N: consecutive packets from one source to learn it. */
	uint64_t window_end_tsc;     /**< TSC from which no other source is learned. */
	uint64_t delay_end_tsc;      /**< TSC before which delayed/ranked sources wait. */
	struct wrtc_flow_ep sig;     /**< Signalled address; family 0 when none (c=0.0.0.0). */
	bool restart;                /**< The signalled address moved: forget what was learned,
				      *   and treat the address used so far as stale. */
};

/** Learning state of one stream. */
struct wrtc_flow_learn {
	struct wrtc_flow_learn_prm prm; /**< Control lcore (by UPDATE); the worker reads. */
	enum wrtc_flow_learn_state state; /**< Worker. */
	struct wrtc_flow_ep cand;    /**< Worker: the source being counted (family 0: none). */
	uint16_t cand_count;         /**< Worker: its consecutive packets. */
	uint8_t cand_rank;           /**< Worker: its WRTC_FLOW_RANK_*. */
	struct wrtc_flow_ep prev;    /**< Worker: the remote before the last move (stale). */
};

/**
 * The last RTCP report block received on a stream (docs/ng.md "Call
 * quality"): what the peer behind this stream says about the media it
 * receives. Written by the owner worker; @c seq is odd while it writes, so
 * the control lcore reads a consistent copy with wrtc_flow_report_read().
 */
struct wrtc_flow_report {
	uint32_t seq;           /**< Incremented before and after each write. */
	uint32_t ssrc;          /**< Source the block reports on. */
	uint32_t jitter;        /**< Interarrival jitter, RTP timestamp units. */
	int32_t lost;           /**< Cumulative packets lost. */
	uint32_t rtt_us;        /**< Round trip gateway - peer from LSR/DLSR; UINT32_MAX: none. */
	uint8_t fraction_lost;  /**< Since the peer's previous report, /256. */
};

/** Per-stream counters; written by the owner worker only. */
struct wrtc_flow_counters {
	uint64_t rx_pkts;       /**< Packets received and accepted. */
	uint64_t rx_bytes;      /**< UDP payload bytes of those. */
	uint64_t tx_pkts;       /**< Packets sent out of this stream's port. */
	uint64_t tx_bytes;      /**< UDP payload bytes of those. */
	uint64_t drops;         /**< Packets for this stream dropped (any reason). */
	uint64_t rtcp_rx;       /**< RTCP packets among rx_pkts. */
	uint64_t last_rx_tsc;   /**< TSC of the last accepted packet (0: none yet). */
	uint64_t latched_tsc;   /**< TSC when the remote was latched (0: not latched). */
	uint64_t dtls_pkts;     /**< DTLS pass-through: datagrams relayed (among rx_pkts). */
	uint64_t dtls_handshake; /**< ... of those, starting with a handshake record (22). */
	uint64_t dtls_ccs;      /**< ... starting with change_cipher_spec (20). */
	uint64_t dtls_app;      /**< ... starting with application data (23). */
	uint64_t dtls_alert;    /**< ... starting with an alert (21). */
	uint32_t rtp_ssrc;      /**< SSRC of the last RTP packet accepted (0: none yet). */
	uint64_t kf_requests;   /**< Keyframe requests (PLI) the gateway sent upstream on
				     behalf of this stream's receiver. */
	uint32_t sr_out_lsr;    /**< Middle 32 bits of the NTP time of the last SR sent out of
				     this stream (relayed), for the peer's LSR; 0: none. */
	uint64_t sr_out_us;     /**< Worker time (µs) that SR was relayed. */
	struct wrtc_flow_report report; /**< The peer's last report block. */
};

/**
 * Copy @p src written by a worker into @p dst.
 * @return true if the copy is consistent and there was a report at all.
 */
static inline bool
wrtc_flow_report_read(const volatile struct wrtc_flow_report *src, struct wrtc_flow_report *dst)
{
	uint32_t s0 = src->seq;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	dst->ssrc = src->ssrc;
	dst->jitter = src->jitter;
	dst->lost = src->lost;
	dst->rtt_us = src->rtt_us;
	dst->fraction_lost = src->fraction_lost;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	dst->seq = s0;
	return s0 != 0 && (s0 & 1) == 0 && src->seq == s0;
}

/**
 * The outgoing RTP stream of what a stream relays (worker only): the last
 * packet relayed, and the rewrite that keeps the receiver's stream when a
 * re-offer made a transcoded direction relayed (the relayed packets go on
 * in the transcoder's SSRC, sequence and timestamp space; RFC 7160). No
 * rewrite otherwise: the peer's SSRC, sequence and timestamp pass as they are.
 */
struct wrtc_flow_rtp_out {
	bool sent;          /**< A packet was relayed (the fields below are set). */
	uint32_t ssrc;      /**< SSRC, sequence, timestamp of the last packet relayed */
	uint16_t seq;
	uint32_t ts;
	uint64_t us;        /**< and the worker time (µs) it was. */
	bool rewrite;       /**< Rewrite SSRC, sequence and timestamp. */
	bool anchor;        /**< Take the offsets again at the next packet. */
	uint32_t clock;     /**< RTP clock of the relayed codec (for the timestamp jump). */
	uint32_t in_ssrc;   /**< The peer's SSRC the offsets are for. */
	uint16_t seq_off;   /**< Added to the peer's sequence number, */
	uint32_t ts_off;    /**< and to its timestamp. */
};

/**
 * BUNDLE (RFC 8843, docs/architecture.md "BUNDLE and video"): the m-lines of
 * one WebRTC leg that share one ICE pair, DTLS association and SRTP contexts.
 * The transport m-line's RTP stream receives everything; the worker
 * unprotects a packet once, then hands it to the stream of its m-line by
 * this table. Built by the control lcore and handed over with an UPDATE
 * (WRTC_FLOW_UPD_BUNDLE); from then on the owner worker writes it (learned
 * sources, counters) and the control lcore only reads the counters (relaxed).
 * A replaced table is freed once the worker applied the update that
 * replaced it.
 */
struct wrtc_flow_bundle {
	struct wrtc_rtp_demux demux;   /**< m-lines (MID, payload types), sources, decisions. */
	struct wrtc_stream *member[WRTC_RTP_DEMUX_MAX_MLINES]; /**< Control lcore: the leg's
					 *   RTP stream of each demux m-line (NULL: none). */
	uint8_t transport_mline;       /**< Control lcore: demux m-line of the transport; RTCP
					 *   that names no m-line goes there. */
	uint64_t rtcp_split;           /**< Worker: compounds split over several m-lines. */
	uint64_t rtcp_slice_lost;      /**< Worker: slices not sent (no mbuf, no output). */
	uint64_t unknown;              /**< Worker: packets no m-line took (dropped). */
};

/** One local UDP port of a call leg. */
struct wrtc_stream {
	/* Set by the control lcore before install; the worker only reads these. */
	uint64_t id;                    /**< Unique, for logs and `query`. */
	uint16_t iface;                 /**< Interface index (flow table row). */
	uint16_t local_port;            /**< Local UDP port (flow table column). */
	const struct wrtc_net_iface *ifc; /**< Interface: our addresses and MAC. */
	struct wrtc_stream *out_rtp;    /**< RTP received here leaves by this stream (or NULL). */
	struct wrtc_stream *out_rtcp;   /**< RTCP received here leaves by this stream (or NULL). */
	bool started;                   /**< Both legs known: relay; else count and drop. */

	/* Remote side: set by the control lcore, then by the worker when it latches. */
	enum wrtc_flow_remote_mode remote_mode; /**< See enum. */
	struct wrtc_flow_ep remote;   /**< Where this stream sends; family 0 until known. */
	bool remote_verified;           /**< Only packets from @c remote are accepted. */
	struct wrtc_flow_ep also_from;  /**< ICE restart: media also accepted from here (the
	                                     peer checked it with the new generation); unset
	                                     otherwise. Cleared by a REMOTE update. */
	bool tmpl_valid;                /**< @c tmpl is built (remote MAC known). */
	struct wrtc_net_hdr_tmpl tmpl;  /**< Headers from our address/port to @c remote. */
	struct wrtc_flow_learn learn;   /**< Endpoint learning (WRTC_FLOW_REMOTE_LATCH only). */

	/* Security: set by the control lcore (UPDATE); owned by the control lcore,
	 * which frees a context only after the worker has let go of it. */
	struct wrtc_srtp *srtp_rx;      /**< Unprotects SRTP/SRTCP arriving here, or NULL. */
	struct wrtc_srtp *srtp_tx;      /**< Protects RTP/RTCP leaving here, or NULL. */
	bool secure_only;               /**< Drop media that arrives before srtp_rx is set. */
	bool dtls_relay;                /**< DTLS pass-through (srtp_relay): DTLS records from
					 *   the verified remote leave by out_rtp unchanged,
					 *   like the SRTP/SRTCP they key (lib/worker). */

	/* Media handling of RTP received here (control lcore, by UPDATE). */
	struct wrtc_codec_xcoder *xcoder; /**< Transcode to out_rtp's codec, or NULL: relay. */
	bool pt_remap;                  /**< Relay: rewrite the payload type by @c pt_map. */
	bool drop_rtcp;                 /**< Do not relay RTCP (it would describe the other
					 *   codec's stream when transcoding). */
	uint8_t pt_map[128];            /**< Relay: output PT per input PT; 0xff drops. */
	bool capture;                   /**< Copy packets (decrypted) to the worker's capture ring. */
	struct wrtc_flow_bundle *bundle; /**< BUNDLE member (UPDATE WRTC_FLOW_UPD_BUNDLE): the
					 *   table of its transport; NULL when not bundled. */
	struct wrtc_stream *transport;  /**< A bundled m-line other than the transport: what it
					 *   sends leaves by this stream's ICE pair, headers and
					 *   SRTP context; NULL: by its own. */
	uint8_t bundle_mline;           /**< Its m-line index in @c bundle's demux table. */
	struct wrtc_stream *rtp_stream; /**< The leg's RTP stream (itself, or for an RTCP stream
					 *   the RTP one): whose transcoder terminates RTCP. */
	struct wrtc_stream *rtcp_out;   /**< Where RTCP generated for this leg leaves (this stream
					 *   when the leg muxes, else its RTCP stream). */

	/* Worker only. */
	struct wrtc_flow_rtp_out rtp_out; /**< The RTP stream relayed from here (lib/worker). */
	bool reporting;                 /**< In the worker's list of RTCP report senders. */
	bool pair_policed;              /**< Its selected ICE pair is in the worker's STUN/DTLS
					 *   policers' pair tables (see lib/worker). */
	struct wrtc_flow_ep pair_ep;    /**< The remote added there (removed with it). */
	bool kf_request;                /**< Ask the sender for a keyframe (PLI, by out_rtcp)
					 *   when the next RTP is relayed here (set by
					 *   WRTC_FLOW_UPD_KEYFRAME: the receiver started). */
	uint32_t bundle_tx_ssrc;        /**< BUNDLE: last SSRC sent on this m-line, told to the
					 *   demux as a local source (RTCP feedback routing). */
	bool bundle_tx_known;           /**< bundle_tx_ssrc is set. */
	uint64_t next_report_tsc;       /**< When to send the next SR/RR. */
	struct wrtc_flow_counters c;    /**< Read by the control lcore (relaxed). */
	uint64_t drop_reasons[WRTC_DROP_MAX]; /**< Per-reason drops for this stream. */
} __rte_cache_aligned;

/** Messages from the control lcore to a worker. */
enum wrtc_flow_msg_type {
	WRTC_FLOW_MSG_INSTALL,  /**< Insert @c s into the table at (iface, local_port). */
	WRTC_FLOW_MSG_UPDATE,   /**< Apply @c upd to @c s. */
	WRTC_FLOW_MSG_REMOVE,   /**< Take @c s out of the table; it comes back in the reply. */
	WRTC_FLOW_MSG_BARRIER,  /**< Nothing: its reply proves earlier messages are applied. */
	WRTC_FLOW_MSG_OWNER,    /**< Not for the table: the table's owner (lib/worker) applies
				 *   the message this one is embedded in; left alone here. */
};

/** Which fields of struct wrtc_flow_update to apply. */
enum {
	WRTC_FLOW_UPD_REMOTE = 1u << 0,  /**< remote, remote_mode, remote_verified, tmpl */
	WRTC_FLOW_UPD_OUT = 1u << 1,     /**< out_rtp, out_rtcp */
	WRTC_FLOW_UPD_STARTED = 1u << 2, /**< started */
	WRTC_FLOW_UPD_SRTP = 1u << 3,    /**< srtp_rx, srtp_tx, secure_only */
	WRTC_FLOW_UPD_MEDIA = 1u << 4,   /**< xcoder, pt_remap, pt_map, drop_rtcp (keep_ssrc, clock) */
	WRTC_FLOW_UPD_CAPTURE = 1u << 5, /**< capture */
	WRTC_FLOW_UPD_LEARN = 1u << 6,   /**< learn (applied before WRTC_FLOW_UPD_REMOTE) */
	WRTC_FLOW_UPD_RELAY = 1u << 7,   /**< dtls_relay */
	WRTC_FLOW_UPD_ALSO = 1u << 8,    /**< also_from (applied after WRTC_FLOW_UPD_REMOTE) */
	WRTC_FLOW_UPD_BUNDLE = 1u << 9,  /**< bundle, transport, bundle_mline */
	WRTC_FLOW_UPD_KEYFRAME = 1u << 10, /**< set kf_request (no field) */
};

/** The new values an UPDATE carries (built by the control lcore). */
struct wrtc_flow_update {
	uint32_t fields;                       /**< WRTC_FLOW_UPD_* bits. */
	enum wrtc_flow_remote_mode remote_mode;
	struct wrtc_flow_ep remote;
	bool remote_verified;
	bool tmpl_valid;
	struct wrtc_net_hdr_tmpl tmpl;
	struct wrtc_stream *out_rtp;
	struct wrtc_stream *out_rtcp;
	bool started;
	struct wrtc_srtp *srtp_rx;
	struct wrtc_srtp *srtp_tx;
	bool secure_only;
	bool dtls_relay;
	struct wrtc_codec_xcoder *xcoder;
	bool pt_remap;
	bool drop_rtcp;
	bool keep_ssrc;     /**< MEDIA: a change between transcoding and relaying (or of
			     *   transcoder) continues the outgoing stream (lib/worker). */
	uint32_t clock;     /**< MEDIA, relayed: RTP clock of the relayed codec. */
	uint8_t pt_map[128];
	struct wrtc_stream *rtp_stream;
	struct wrtc_stream *rtcp_out;
	bool capture;
	struct wrtc_flow_learn_prm learn;
	struct wrtc_flow_ep also_from;
	struct wrtc_flow_bundle *bundle;
	struct wrtc_stream *transport;
	uint8_t bundle_mline;
};

/** One control message; allocated and freed by the control lcore. */
struct wrtc_flow_msg {
	enum wrtc_flow_msg_type type;
	struct wrtc_stream *s;
	struct wrtc_flow_update upd;
	int result;             /**< Set by the worker: 0 or -EEXIST/-ENOENT. */
	uint64_t seq;           /**< Control lcore's sequence number. */
};

/** A worker's flow table: direct index by interface and local UDP port. */
struct wrtc_flow_table {
	struct wrtc_stream **by_port[WRTC_FLOW_MAX_IFACES]; /**< [65536] each, NULL: free. */
	uint32_t nb_streams;
};

/**
 * Allocate a flow table on @p socket for @p nb_ifaces interfaces.
 * @return the table, or NULL with rte_errno set (ENOMEM, EINVAL).
 */
struct wrtc_flow_table *wrtc_flow_table_create(unsigned int nb_ifaces, int socket);

/** Free a flow table (not the streams in it); NULL is fine. */
void wrtc_flow_table_free(struct wrtc_flow_table *t);

/**
 * The stream whose ICE pair, headers and SRTP context carry what @p s sends:
 * its BUNDLE transport, or itself. Fast path.
 */
static inline struct wrtc_stream *
wrtc_flow_tx_of(struct wrtc_stream *s)
{
	return s->transport != NULL ? s->transport : s;
}

/** Look up the stream on (iface, port); NULL if none. Fast path. */
static inline struct wrtc_stream *
wrtc_flow_lookup(const struct wrtc_flow_table *t, uint16_t iface, uint16_t port)
{
	if (unlikely(iface >= WRTC_FLOW_MAX_IFACES || t->by_port[iface] == NULL))
		return NULL;
	return t->by_port[iface][port];
}

/**
 * Apply one control message to the table (worker, between bursts). Sets
 * msg->result.
 */
void wrtc_flow_msg_apply(struct wrtc_flow_table *t, struct wrtc_flow_msg *msg);

/** True if @p a and @p b are the same family, address and port. */
static inline bool
wrtc_flow_ep_eq(const struct wrtc_flow_ep *a, const struct wrtc_flow_ep *b)
{
	return a->port == b->port && wrtc_net_addr_eq(&a->ip, &b->ip);
}

/** True if @p e is set (an address family). */
static inline bool
wrtc_flow_ep_set(const struct wrtc_flow_ep *e)
{
	return e->ip.family != 0;
}

/** What wrtc_flow_learn_classify() found for a packet's source. */
enum {
	WRTC_FLOW_SRC_KNOWN = 0,     /**< The fixed remote: accept. */
	WRTC_FLOW_SRC_SIGNALLED = 1, /**< The signalled address, first time: accept and fix. */
	WRTC_FLOW_SRC_CANDIDATE = 2, /**< Another source inside the window: count it
				      *   (wrtc_flow_learn_count()), drop unless learned. */
};

/**
 * Classify the source @p src of a packet for latching stream @p s (fast path,
 * worker). Changes nothing.
 *
 * @return WRTC_FLOW_SRC_KNOWN, _SIGNALLED or _CANDIDATE, or minus a drop reason:
 *   WRTC_DROP_SOURCE_STALE (the address the stream moved away from, at any
 *   time), WRTC_DROP_SOURCE (fixed to another address, or mode off),
 *   WRTC_DROP_SOURCE_WINDOW (nothing fixed and the learning window has closed).
 */
static inline int
wrtc_flow_learn_classify(const struct wrtc_stream *s, const struct wrtc_flow_ep *src,
			 uint64_t now_tsc)
{
	const struct wrtc_flow_learn *l = &s->learn;

	if (l->state != WRTC_FLOW_LEARN_OPEN) {
		if (wrtc_flow_ep_eq(src, &s->remote))
			return WRTC_FLOW_SRC_KNOWN;
		return wrtc_flow_ep_set(&l->prev) && wrtc_flow_ep_eq(src, &l->prev) ?
		       -(int)WRTC_DROP_SOURCE_STALE : -(int)WRTC_DROP_SOURCE;
	}
	if (wrtc_flow_ep_set(&l->prm.sig) && wrtc_flow_ep_eq(src, &l->prm.sig))
		return WRTC_FLOW_SRC_SIGNALLED;
	if (wrtc_flow_ep_set(&l->prev) && wrtc_flow_ep_eq(src, &l->prev))
		return -(int)WRTC_DROP_SOURCE_STALE;
	if (l->prm.mode == WRTC_FLOW_LATCH_OFF)
		return -(int)WRTC_DROP_SOURCE;
	if (now_tsc >= l->prm.window_end_tsc)
		return -(int)WRTC_DROP_SOURCE_WINDOW;
	return WRTC_FLOW_SRC_CANDIDATE;
}

/** Rank of @p src against the signalled address @p sig (WRTC_FLOW_RANK_*). */
static inline uint8_t
wrtc_flow_learn_rank(const struct wrtc_flow_ep *sig, const struct wrtc_flow_ep *src)
{
	if (!wrtc_flow_ep_set(sig))
		return WRTC_FLOW_RANK_OTHER;
	if (wrtc_net_addr_eq(&src->ip, &sig->ip))
		return WRTC_FLOW_RANK_SAME_IP;
	if (src->port == sig->port)
		return WRTC_FLOW_RANK_SAME_PORT;
	return WRTC_FLOW_RANK_OTHER;
}

/**
 * Count one (authenticated, where the leg is SRTP) packet from candidate @p src
 * of stream @p s (after wrtc_flow_learn_classify() said _CANDIDATE). A source of
 * a better or equal rank replaces the current candidate; a worse one leaves it
 * alone. The candidate is learned once it has sent prm.packets packets in a row
 * and, where its rank must wait, the delay has passed.
 *
 * @return true if @p src is now learned (state WRTC_FLOW_LEARN_LEARNED; the
 *   caller latches the stream to it), false if the packet is to be dropped.
 */
static inline bool
wrtc_flow_learn_count(struct wrtc_stream *s, const struct wrtc_flow_ep *src, uint64_t now_tsc)
{
	struct wrtc_flow_learn *l = &s->learn;
	uint8_t rank = l->prm.mode == WRTC_FLOW_LATCH_HEURISTIC ?
		       wrtc_flow_learn_rank(&l->prm.sig, src) : WRTC_FLOW_RANK_OTHER;
	bool wait;

	if (wrtc_flow_ep_set(&l->cand) && wrtc_flow_ep_eq(src, &l->cand)) {
		if (l->cand_count < UINT16_MAX)
			l->cand_count++;
	} else if (!wrtc_flow_ep_set(&l->cand) || rank <= l->cand_rank) {
		l->cand = *src;
		l->cand_count = 1;
		l->cand_rank = rank;
	} else {
		return false;
	}
	wait = l->prm.mode == WRTC_FLOW_LATCH_DELAYED ||
	       (l->prm.mode == WRTC_FLOW_LATCH_HEURISTIC && rank != WRTC_FLOW_RANK_SAME_IP);
	if (l->cand_count < l->prm.packets || (wait && now_tsc < l->prm.delay_end_tsc))
		return false;
	l->state = WRTC_FLOW_LEARN_LEARNED;
	return true;
}

/** @return "off", "immediate", "delayed" or "heuristic". */
const char *wrtc_flow_latch_name(enum wrtc_flow_latch mode);

/** @return "open", "signalled" or "learned". */
const char *wrtc_flow_learn_state_name(enum wrtc_flow_learn_state state);

/** Format an endpoint as "1.2.3.4:5" or "[::1]:5" ("-" when unset) into @p buf. */
const char *wrtc_flow_ep_str(const struct wrtc_flow_ep *e, char *buf, size_t size);

#endif
