/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SDP engine: parse, serialise, negotiate codecs and rewrite SDP between the
 * WebRTC side (UDP/TLS/RTP/SAVPF, ICE, DTLS, BUNDLE, rtcp-mux) and the SIP side
 * (RTP/AVP or RTP/SAVP with SDES, one port per m-line, separate RTCP).
 *
 * The library is EAL-free and runs on the control lcore only. Nothing here is
 * thread-safe by itself: a parsed description belongs to the caller that
 * parsed it. Nothing prints; every failure comes back as -errno plus, where a
 * text buffer is given, a message naming the line and the problem.
 *
 * The parsed model (struct wrtc_sdp) is a plain struct that callers read
 * directly. Every line of the input is kept in order (the session lines in
 * wrtc_sdp.lines, each m-line's lines in wrtc_sdp_media.lines), so unknown
 * lines survive a parse/serialise round trip; the known lines are also parsed
 * into the typed fields. Treat the model as read-only: wrtc_sdp_serialize()
 * writes the kept lines, not the typed fields.
 *
 * A typical offer/answer through the gateway, side A offering to side B:
 *  1. wrtc_sdp_parse() A's offer.
 *  2. Per m-line, wrtc_sdp_codec_offer() with side B's codec policy; keep the
 *     struct wrtc_sdp_codec_decision in the stream.
 *  3. wrtc_sdp_rewrite() A's offer into B's offer (is_offer = true).
 *  4. wrtc_sdp_parse() B's answer; wrtc_sdp_codec_answer() per m-line.
 *  5. wrtc_sdp_rewrite() B's answer into A's answer (is_offer = false,
 *     offer = A's parsed offer).
 */
#ifndef WRTC_SDP_H
#define WRTC_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Sizes of the fixed text fields (including the terminating NUL). */
enum {
	WRTC_SDP_ADDR_LEN = 256,  /**< An address or FQDN (mDNS names included). */
	WRTC_SDP_TOKEN_LEN = 64,  /**< Codec names, mids, hash names, suites, foundations. */
	WRTC_SDP_ICE_LEN = 257,	  /**< ice-ufrag / ice-pwd (RFC 8839: up to 256 chars). */
	WRTC_SDP_FP_MAX = 64,	  /**< Fingerprint bytes (sha-512). */
	WRTC_SDP_PROTO_LEN = 32,  /**< The proto field of an m-line. */
	WRTC_SDP_FMTP_LEN = 256,  /**< An fmtp parameter string in a codec policy/decision. */
	WRTC_SDP_MAX_CODECS = 32, /**< Codecs in a policy or a decision list. */
	WRTC_SDP_MAX_RULES = 64,  /**< Manipulation rules in one rule set. */
};

/** Media type of an m-line. */
enum wrtc_sdp_media_type {
	WRTC_SDP_MEDIA_OTHER = 0,   /**< Anything else (see wrtc_sdp_media.media). */
	WRTC_SDP_MEDIA_AUDIO,	    /**< audio */
	WRTC_SDP_MEDIA_VIDEO,	    /**< video */
	WRTC_SDP_MEDIA_APPLICATION, /**< application (e.g. webrtc-datachannel) */
	WRTC_SDP_MEDIA_TEXT,	    /**< text */
	WRTC_SDP_MEDIA_MESSAGE,	    /**< message */
};

/** Transport protocol of an m-line. */
enum wrtc_sdp_proto {
	WRTC_SDP_PROTO_OTHER = 0,	  /**< Not recognised; see wrtc_sdp_media.proto. */
	WRTC_SDP_PROTO_RTP_AVP,		  /**< RTP/AVP */
	WRTC_SDP_PROTO_RTP_AVPF,	  /**< RTP/AVPF */
	WRTC_SDP_PROTO_RTP_SAVP,	  /**< RTP/SAVP (SDES) */
	WRTC_SDP_PROTO_RTP_SAVPF,	  /**< RTP/SAVPF (SDES) */
	WRTC_SDP_PROTO_UDP_TLS_RTP_SAVP,  /**< UDP/TLS/RTP/SAVP (DTLS-SRTP) */
	WRTC_SDP_PROTO_UDP_TLS_RTP_SAVPF, /**< UDP/TLS/RTP/SAVPF (WebRTC) */
	WRTC_SDP_PROTO_UDP_DTLS_SCTP,	  /**< UDP/DTLS/SCTP or DTLS/SCTP (data channel) */
};

/** Media direction attribute. */
enum wrtc_sdp_dir {
	WRTC_SDP_DIR_NONE = 0, /**< Not signalled (means sendrecv, or "copy" in a rewrite). */
	WRTC_SDP_DIR_SENDRECV, /**< a=sendrecv */
	WRTC_SDP_DIR_SENDONLY, /**< a=sendonly */
	WRTC_SDP_DIR_RECVONLY, /**< a=recvonly */
	WRTC_SDP_DIR_INACTIVE, /**< a=inactive */
};

/** DTLS a=setup role (RFC 4145 / 5763). */
enum wrtc_sdp_setup {
	WRTC_SDP_SETUP_NONE = 0, /**< Not signalled. */
	WRTC_SDP_SETUP_ACTPASS,	 /**< actpass */
	WRTC_SDP_SETUP_ACTIVE,	 /**< active */
	WRTC_SDP_SETUP_PASSIVE,	 /**< passive */
	WRTC_SDP_SETUP_HOLDCONN, /**< holdconn */
};

/** ICE candidate transport. */
enum wrtc_sdp_cand_transport {
	WRTC_SDP_CAND_UDP = 0, /**< udp */
	WRTC_SDP_CAND_TCP,     /**< tcp (see tcptype) */
};

/** ICE candidate type. */
enum wrtc_sdp_cand_type {
	WRTC_SDP_CAND_HOST = 0, /**< host */
	WRTC_SDP_CAND_SRFLX,	/**< srflx */
	WRTC_SDP_CAND_PRFLX,	/**< prflx */
	WRTC_SDP_CAND_RELAY,	/**< relay */
};

/** ICE TCP candidate type (RFC 6544). */
enum wrtc_sdp_tcptype {
	WRTC_SDP_TCPTYPE_NONE = 0, /**< Not given (UDP candidates). */
	WRTC_SDP_TCPTYPE_ACTIVE,   /**< active */
	WRTC_SDP_TCPTYPE_PASSIVE,  /**< passive */
	WRTC_SDP_TCPTYPE_SO,	   /**< so (simultaneous-open) */
};

/** One kept line: its type letter and the text after "x=". */
struct wrtc_sdp_line {
	char type;   /**< 'v', 'o', 'a', ... */
	char *value; /**< NUL-terminated, without the line ending. */
};

/** An address as written, with its numeric form when it is an IP literal. */
struct wrtc_sdp_addr {
	char str[WRTC_SDP_ADDR_LEN]; /**< As written (an IP literal or a name). */
	int family;		     /**< AF_INET/AF_INET6 if @ref str is an IP literal, else 0. */
	struct sockaddr_storage ss;  /**< Numeric form (port set where one is known). */
};

/** A c= line (or the address part of a=rtcp). */
struct wrtc_sdp_conn {
	bool present;		   /**< A c= line was seen at this level. */
	int addrtype;		   /**< AF_INET for IP4, AF_INET6 for IP6, 0 for other. */
	struct wrtc_sdp_addr addr; /**< The connection address (TTL/count suffix removed). */
	unsigned int line_no;	   /**< 1-based line of the c= (or a=rtcp) line, for errors. */
};

/** An o= line. */
struct wrtc_sdp_origin {
	char username[WRTC_SDP_TOKEN_LEN];     /**< Usually "-". */
	char sess_id[WRTC_SDP_TOKEN_LEN];      /**< Digits, as written. */
	char sess_version[WRTC_SDP_TOKEN_LEN]; /**< Digits, as written. */
	int addrtype;			       /**< AF_INET / AF_INET6 / 0. */
	struct wrtc_sdp_addr addr;	       /**< Unicast address. */
};

/** Payload type description: from a=rtpmap, or the RFC 3551 static table. */
struct wrtc_sdp_codec_desc {
	uint8_t pt;		       /**< Payload type 0..127. */
	bool has_rtpmap;	       /**< True if an a=rtpmap line described it. */
	char name[WRTC_SDP_TOKEN_LEN]; /**< Encoding name ("" if unknown dynamic PT). */
	uint32_t clock;		       /**< Clock rate in Hz (0 if unknown). */
	uint8_t channels;	       /**< Channels (1 if not given). */
	char *fmtp;		       /**< a=fmtp parameters, or NULL. */
};

/** A parsed a=candidate line. */
struct wrtc_sdp_candidate {
	char foundation[WRTC_SDP_TOKEN_LEN];	/**< 1-32 ice-chars. */
	uint16_t component;			/**< 1 = RTP, 2 = RTCP. */
	enum wrtc_sdp_cand_transport transport; /**< udp or tcp. */
	uint32_t priority;			/**< Candidate priority. */
	struct wrtc_sdp_addr addr;		/**< Connection address; ss carries the port. */
	uint16_t port;				/**< Port. */
	enum wrtc_sdp_cand_type type;		/**< host/srflx/prflx/relay. */
	bool has_raddr;				/**< raddr/rport present. */
	struct wrtc_sdp_addr raddr;		/**< Related address. */
	uint16_t rport;				/**< Related port. */
	enum wrtc_sdp_tcptype tcptype;		/**< TCP candidate type. */
};

/** A parsed a=fingerprint line (the first one at a level; later ones are checked and kept). */
struct wrtc_sdp_fingerprint {
	bool present;			/**< Seen at this level. */
	char hash[WRTC_SDP_TOKEN_LEN];	/**< Lower-case hash name: "sha-256", "sha-1", ... */
	uint8_t bytes[WRTC_SDP_FP_MAX]; /**< Decoded fingerprint. */
	size_t size;			/**< Bytes used in @ref bytes. */
};

/** A parsed a=crypto line (RFC 4568). */
struct wrtc_sdp_crypto {
	uint32_t tag;			    /**< Tag (1..999999999). */
	char suite[WRTC_SDP_TOKEN_LEN];	    /**< e.g. "AES_CM_128_HMAC_SHA1_80". */
	char key_params[WRTC_SDP_ADDR_LEN]; /**< e.g. "inline:BASE64|2^20|1:32" (all of them). */
	char session_params[WRTC_SDP_ADDR_LEN]; /**< The rest of the line, or "". */
	char key_b64[WRTC_SDP_ADDR_LEN];	/**< Base64 key||salt of the first inline key. */
};

/** ICE credentials and options at one level. */
struct wrtc_sdp_ice {
	char ufrag[WRTC_SDP_ICE_LEN];	 /**< a=ice-ufrag, "" if absent. */
	char pwd[WRTC_SDP_ICE_LEN];	 /**< a=ice-pwd, "" if absent. */
	char options[WRTC_SDP_ADDR_LEN]; /**< a=ice-options, "" if absent (e.g. "trickle ice2"). */
};

/** An a=group line. */
struct wrtc_sdp_group {
	char semantics[WRTC_SDP_TOKEN_LEN]; /**< "BUNDLE", "LS", ... */
	unsigned int n_mids;		    /**< Number of identification tags. */
	char (*mids)[WRTC_SDP_TOKEN_LEN];   /**< The tags, in order. */
};

/** One m-line and its media-level lines. */
struct wrtc_sdp_media {
	enum wrtc_sdp_media_type type;	    /**< Media type. */
	char media[WRTC_SDP_TOKEN_LEN];	    /**< As written ("audio", ...). */
	uint16_t port;			    /**< 0 means rejected/disabled. */
	uint16_t n_ports;		    /**< The "/<n>" suffix, 1 if absent. */
	enum wrtc_sdp_proto proto;	    /**< Parsed proto. */
	char proto_str[WRTC_SDP_PROTO_LEN]; /**< As written. */
	unsigned int n_fmts;		    /**< Formats on the m-line. */
	char **fmts;			    /**< Format tokens as written. */
	unsigned int n_codecs; /**< RTP protos only: one per format, in m-line order. */
	struct wrtc_sdp_codec_desc *codecs; /**< Payload types, with rtpmap/fmtp. */
	struct wrtc_sdp_conn conn;	    /**< Media-level c= (see wrtc_sdp_media_conn()). */
	uint32_t bw_as;			    /**< b=AS in kbit/s, 0 if absent. */
	uint32_t bw_tias;		    /**< b=TIAS in bit/s, 0 if absent. */
	uint32_t ptime;			    /**< a=ptime in ms, 0 if absent. */
	uint32_t maxptime;		    /**< a=maxptime in ms, 0 if absent. */
	enum wrtc_sdp_dir dir;		  /**< Media-level direction (see wrtc_sdp_media_dir()). */
	bool has_rtcp;			  /**< a=rtcp present. */
	uint16_t rtcp_port;		  /**< a=rtcp port. */
	struct wrtc_sdp_conn rtcp_conn;	  /**< a=rtcp address, present=false if not given. */
	bool rtcp_mux;			  /**< a=rtcp-mux */
	bool rtcp_rsize;		  /**< a=rtcp-rsize */
	char mid[WRTC_SDP_TOKEN_LEN];	  /**< a=mid, "" if absent. */
	struct wrtc_sdp_ice ice;	  /**< Media-level ICE (see wrtc_sdp_media_ice()). */
	unsigned int n_cands;		  /**< Candidates. */
	struct wrtc_sdp_candidate *cands; /**< Parsed a=candidate lines, in order. */
	bool end_of_candidates; /**< a=end-of-candidates on this m-line or at session level. */
	struct wrtc_sdp_fingerprint fp; /**< Media-level fingerprint. */
	enum wrtc_sdp_setup setup;	/**< Media-level setup. */
	unsigned int n_crypto;		/**< SDES crypto lines. */
	struct wrtc_sdp_crypto *crypto; /**< Parsed a=crypto lines. */
	unsigned int line_no;		/**< 1-based line number of the m= line in the input. */
	unsigned int n_lines;		/**< Kept lines, starting with the m= line. */
	struct wrtc_sdp_line *lines;	/**< The m= line and every line up to the next m=. */
};

/** A parsed session description. */
struct wrtc_sdp {
	struct wrtc_sdp_origin origin; /**< o= */
	struct wrtc_sdp_conn conn;     /**< Session-level c=. */
	uint32_t bw_as;		       /**< Session b=AS, 0 if absent. */
	uint32_t bw_tias;	       /**< Session b=TIAS, 0 if absent. */
	enum wrtc_sdp_dir dir;	       /**< Session-level direction. */
	bool ice_lite;		       /**< a=ice-lite */
	bool
	    end_of_candidates; /**< Session-level a=end-of-candidates (also set on every m-line). */
	struct wrtc_sdp_ice ice;	/**< Session-level ICE. */
	struct wrtc_sdp_fingerprint fp; /**< Session-level fingerprint. */
	enum wrtc_sdp_setup setup;	/**< Session-level setup. */
	unsigned int n_groups;		/**< a=group lines. */
	struct wrtc_sdp_group *groups;	/**< Groups in order. */
	unsigned int n_media;		/**< m-lines. */
	struct wrtc_sdp_media *media;	/**< m-lines in order. */
	unsigned int n_lines;		/**< Session-level kept lines (v= first). */
	struct wrtc_sdp_line *lines;	/**< Every line before the first m=. */
};

/**
 * Parse a session description. CRLF and LF line endings are accepted, empty
 * lines are skipped, every other line is kept. The checks cover the lines
 * the gateway reads (v, o, c, m, b and the rtpmap, fmtp, rtcp, ptime,
 * maxptime, direction, mid, group, ice-*, candidate, fingerprint, setup,
 * crypto attributes); other lines need only the "x=" form.
 *
 * @param text    The SDP (need not be NUL-terminated; a NUL byte is an error).
 * @param len     Bytes in @p text.
 * @param[out] out  On success, the new description; free with wrtc_sdp_free().
 * @param err     Buffer for an error such as "line 7: m=: bad port \"x\"", or NULL.
 * @param errlen  Size of @p err.
 * @return 0, -EINVAL on malformed input, -ENOMEM.
 */
int wrtc_sdp_parse(const char *text, size_t len, struct wrtc_sdp **out, char *err, size_t errlen);

/**
 * Free a description. NULL is allowed.
 * @param sdp  The description.
 */
void wrtc_sdp_free(struct wrtc_sdp *sdp);

/**
 * Write the kept lines with CRLF endings.
 * @param sdp  The description.
 * @param[out] out  A malloc'd NUL-terminated string; the caller frees it.
 * @param[out] len  If not NULL, its length.
 * @return 0 or -ENOMEM.
 */
int wrtc_sdp_serialize(const struct wrtc_sdp *sdp, char **out, size_t *len);

/** @return m-line @p idx's c= line, or the session's; NULL if neither exists. */
const struct wrtc_sdp_conn *wrtc_sdp_media_conn(const struct wrtc_sdp *sdp, unsigned int idx);

/** @return the effective direction of m-line @p idx (media, then session, then sendrecv). */
enum wrtc_sdp_dir wrtc_sdp_media_dir(const struct wrtc_sdp *sdp, unsigned int idx);

/** @return the effective ufrag/pwd/options of m-line @p idx (each field media, then session). */
struct wrtc_sdp_ice wrtc_sdp_media_ice(const struct wrtc_sdp *sdp, unsigned int idx);

/** @return the effective fingerprint of m-line @p idx, or NULL if none. */
const struct wrtc_sdp_fingerprint *wrtc_sdp_media_fingerprint(const struct wrtc_sdp *sdp,
							      unsigned int idx);

/** @return the effective a=setup of m-line @p idx. */
enum wrtc_sdp_setup wrtc_sdp_media_setup(const struct wrtc_sdp *sdp, unsigned int idx);

/** @return the codec with payload type @p pt on m-line @p m, or NULL. */
const struct wrtc_sdp_codec_desc *wrtc_sdp_media_codec(const struct wrtc_sdp_media *m,
						       unsigned int pt);

/** @return the first a=group with @p semantics (e.g. "BUNDLE") containing @p mid, or NULL. */
const struct wrtc_sdp_group *wrtc_sdp_group_find(const struct wrtc_sdp *sdp, const char *semantics,
						 const char *mid);

/**
 * Whether m-line @p idx rides another m-line's transport under BUNDLE
 * (RFC 8843): it is in a BUNDLE group and an earlier m-line of a BUNDLE
 * group has a port (that first one carries the transport).
 * @return false also when @p idx is out of range.
 */
bool wrtc_sdp_bundled_behind(const struct wrtc_sdp *sdp, unsigned int idx);

/**
 * Whether m-line @p idx puts the call on hold from the sender's point of
 * view: direction sendonly or inactive, or (without ICE) c=0.0.0.0 / c=::.
 * @return true if on hold.
 */
bool wrtc_sdp_media_is_hold(const struct wrtc_sdp *sdp, unsigned int idx);

/** @return the name of a value ("sendrecv", "actpass", "host", "UDP/TLS/RTP/SAVPF", ...). */
const char *wrtc_sdp_dir_name(enum wrtc_sdp_dir dir);
/** @copydoc wrtc_sdp_dir_name */
const char *wrtc_sdp_setup_name(enum wrtc_sdp_setup setup);
/** @copydoc wrtc_sdp_dir_name */
const char *wrtc_sdp_cand_type_name(enum wrtc_sdp_cand_type type);
/** @copydoc wrtc_sdp_dir_name */
const char *wrtc_sdp_proto_name(enum wrtc_sdp_proto proto);

/* ------------------------------------------------------------------------ */
/* Codec negotiation                                                          */
/* ------------------------------------------------------------------------ */

/** A codec: a policy entry (what a side allows) or an entry of a decision. */
struct wrtc_sdp_codec {
	char name[WRTC_SDP_TOKEN_LEN]; /**< Encoding name, compared case-insensitively. */
	uint32_t clock;		       /**< Clock rate; 0 in a policy matches any. */
	uint8_t channels;	       /**< Channels; 0 in a policy matches any (1 assumed). */
	int pt;		/**< Policy: preferred PT, -1 = keep the offerer's/any free. */
	uint32_t ptime; /**< Packet time in ms, 0 = not signalled. */
	char fmtp[WRTC_SDP_FMTP_LEN]; /**< fmtp parameters to signal, "" = none/keep. */
};

/** The codecs one side may use (from its packet service profile), in preference order. */
struct wrtc_sdp_codec_policy {
	unsigned int n; /**< Entries in @ref codecs; 0 = relay whatever is offered. */
	struct wrtc_sdp_codec
	    codecs[WRTC_SDP_MAX_CODECS]; /**< Include "telephone-event" to allow DTMF. */
};

/** Relay or transcode, per stream. */
enum wrtc_sdp_codec_mode {
	WRTC_SDP_CODEC_RELAY = 0, /**< Same codec both sides, only the PT may change. */
	WRTC_SDP_CODEC_TRANSCODE, /**< Different codecs: decode and re-encode. */
	WRTC_SDP_CODEC_REJECT,	  /**< No usable codec: the m-line is rejected (port 0). */
};

/** PT on the offerer's side (a) and on the other side (b) for one relayed format. */
struct wrtc_sdp_pt_map {
	uint8_t a_pt; /**< PT used by the offerer's side. */
	uint8_t b_pt; /**< PT used by the answerer's side. */
};

/**
 * The codec decision of one stream (m-line). Side "a" is the side that sent
 * the offer, side "b" the other one. wrtc_sdp_codec_offer() fills the offer
 * part, wrtc_sdp_codec_answer() the answer part. Plain data: the session keeps
 * it per stream and hands it to wrtc_sdp_rewrite().
 */
struct wrtc_sdp_codec_decision {
	enum wrtc_sdp_media_type media; /**< Media type of the m-line. */
	bool transcode_allowed;		/**< Copied from the negotiation input. */
	/* Offer part. */
	unsigned int n_b_offer;				    /**< Codecs to offer on side b. */
	struct wrtc_sdp_codec b_offer[WRTC_SDP_MAX_CODECS]; /**< With PT (always >= 0). */
	int a_offer_pt[WRTC_SDP_MAX_CODECS]; /**< Per b_offer entry: the a-side PT it relays, -1 =
						transcoded. */
	/* Answer part (valid once answered is true). */
	bool answered;		       /**< wrtc_sdp_codec_answer() succeeded. */
	enum wrtc_sdp_codec_mode mode; /**< Relay, transcode or reject. */
	struct wrtc_sdp_codec a_codec; /**< Chosen codec on side a (PT, ptime, fmtp). */
	struct wrtc_sdp_codec b_codec; /**< Chosen codec on side b. */
	unsigned int n_map;	       /**< Relayed PT pairs (the chosen codec, telephone-event when
					    relayed, CN, and for video every common format). */
	struct wrtc_sdp_pt_map map[WRTC_SDP_MAX_CODECS]; /**< PT map a <-> b. */
	int a_te_pt;	     /**< telephone-event PT on side a, -1 = none. */
	uint32_t a_te_clock; /**< Its clock rate. */
	int b_te_pt;	     /**< telephone-event PT on side b, -1 = none. */
	uint32_t b_te_clock; /**< Its clock rate. */
	uint32_t a_ptime;    /**< ptime side a (ms), 0 = not signalled (codec default). */
	uint32_t b_ptime;    /**< ptime side b (ms). */
	int accept_a_pt;     /**< Set by the caller before wrtc_sdp_codec_answer(): a PT of
				  side a's offer kept towards side a when side b answers
				  another transcodable codec, which is then transcoded (ng's
				  codec accept); -1 (set by wrtc_sdp_codec_offer()) = none. */
};

/**
 * Decide what to offer on side b for one m-line of side a's offer. For each
 * policy codec in order: offered by a (name, clock, channels match) -> relay
 * it; else, when @p transcode is set and the codec can be transcoded
 * (opus, PCMU, PCMA, G722 audio) and a offered one of those, offer it for
 * transcoding. telephone-event is offered at the clock the policy names when a
 * offered telephone-event (at any clock). An empty policy relays every format
 * a offered. PTs: the policy's preferred PT if free, else a's PT if free, else
 * a free dynamic PT (96..127).
 *
 * @param m          The m-line of a's offer.
 * @param policy_b   Codecs allowed on side b.
 * @param transcode  Transcoding allowed for this stream.
 * @param[out] dec   Filled (offer part); mode is REJECT if nothing is left.
 * @return 0, -EINVAL on NULL arguments, -ENOENT if no codec can be offered
 *         (dec->mode is then WRTC_SDP_CODEC_REJECT).
 */
int wrtc_sdp_codec_offer(const struct wrtc_sdp_media *m,
			 const struct wrtc_sdp_codec_policy *policy_b, bool transcode,
			 struct wrtc_sdp_codec_decision *dec);

/**
 * Complete the decision with side b's answer: the first non-DTMF, non-CN codec
 * of the answer is b's codec; if it relays one of a's formats the mode is
 * RELAY, else a's most preferred transcodable codec is chosen and the mode is
 * TRANSCODE. telephone-event PTs and ptimes of both sides are recorded.
 *
 * @param dec       A decision filled by wrtc_sdp_codec_offer().
 * @param offer_a   The same m-line of a's offer that was given to wrtc_sdp_codec_offer().
 * @param answer_b  The m-line of b's answer.
 * @return 0, -EINVAL on NULL arguments, -ENOENT if the answer rejects the stream
 *         or picks nothing that was offered (mode is then REJECT).
 */
int wrtc_sdp_codec_answer(struct wrtc_sdp_codec_decision *dec, const struct wrtc_sdp_media *offer_a,
			  const struct wrtc_sdp_media *answer_b);

/* ------------------------------------------------------------------------ */
/* Manipulation rules                                                         */
/* ------------------------------------------------------------------------ */

/** Which SDP a rule applies to. */
enum wrtc_sdp_rule_dir {
	WRTC_SDP_RULE_IN = 1,	/**< SDP received from this trunk group (before parsing). */
	WRTC_SDP_RULE_OUT = 2,	/**< SDP sent to this trunk group (after rewriting). */
	WRTC_SDP_RULE_BOTH = 3, /**< Both. */
};

/** What a rule does. */
enum wrtc_sdp_rule_action {
	WRTC_SDP_RULE_SUBST = 0, /**< Replace every match in a line (\\0..\\9 refer to groups). */
	WRTC_SDP_RULE_DELETE,	 /**< Delete every line that matches. */
};

/** A rule as configured (the caller's strings are copied by the compile step). */
struct wrtc_sdp_rule_def {
	enum wrtc_sdp_rule_dir dir;	  /**< Direction. */
	enum wrtc_sdp_rule_action action; /**< Substitute or delete. */
	const char *pattern; /**< POSIX extended regex, matched against one line without CRLF. */
	const char *replacement; /**< SUBST only. */
};

/** A compiled rule set (opaque). */
struct wrtc_sdp_rules;

/**
 * Compile rules. Rules run in the order given, line by line.
 * @param defs     Rule definitions.
 * @param n        Number of rules (at most WRTC_SDP_MAX_RULES).
 * @param[out] out The compiled set; free with wrtc_sdp_rules_free().
 * @param err      Gets e.g. "rules[2].pattern: Unmatched ( or \\(".
 * @param errlen   Size of @p err.
 * @return 0, -EINVAL (bad regex or argument), -ENOMEM.
 */
int wrtc_sdp_rules_compile(const struct wrtc_sdp_rule_def *defs, unsigned int n,
			   struct wrtc_sdp_rules **out, char *err, size_t errlen);

/** Free a rule set. NULL is allowed. */
void wrtc_sdp_rules_free(struct wrtc_sdp_rules *rules);

/**
 * Apply the rules of one direction to SDP text. Lines may end in CRLF or LF;
 * the output uses CRLF. A NULL rule set copies the text.
 * @param rules  Compiled rules, or NULL.
 * @param dir    WRTC_SDP_RULE_IN or WRTC_SDP_RULE_OUT.
 * @param text   Input text.
 * @param len    Its length.
 * @param[out] out  malloc'd NUL-terminated result.
 * @return 0 or -ENOMEM, -EINVAL.
 */
int wrtc_sdp_rules_apply(const struct wrtc_sdp_rules *rules, enum wrtc_sdp_rule_dir dir,
			 const char *text, size_t len, char **out);

/* ------------------------------------------------------------------------ */
/* Rewrite                                                                    */
/* ------------------------------------------------------------------------ */

/** The kind of side an SDP is written for. */
enum wrtc_sdp_side {
	WRTC_SDP_SIDE_WEBRTC = 0, /**< UDP/TLS/RTP/SAVPF, ICE, DTLS, BUNDLE, rtcp-mux. */
	WRTC_SDP_SIDE_SIP,	  /**< RTP/AVP, or RTP/SAVP with a=crypto; one port per m-line. */
};

/** The ICE role the gateway plays toward a side. */
enum wrtc_sdp_ice_mode {
	WRTC_SDP_ICE_NONE = 0, /**< No ICE lines at all. */
	WRTC_SDP_ICE_LITE,     /**< ICE lite: a=ice-lite, credentials, host candidates. */
	WRTC_SDP_ICE_FULL,     /**< ICE full agent. */
};

/** How the c= family is chosen. */
enum wrtc_sdp_af_pref {
	WRTC_SDP_AF_IPV4 = 0, /**< IPv4 (IPv6 if no local IPv4). */
	WRTC_SDP_AF_IPV6,     /**< IPv6 (IPv4 if no local IPv6). */
	WRTC_SDP_AF_MATCH,    /**< The family of the received c= (effective, per m-line). */
	WRTC_SDP_AF_RECEIVED, /**< The family the peer prefers: its highest-priority
				   candidate, else its c=; answers use the offer's. */
};

/** A local ICE candidate of the gateway. */
struct wrtc_sdp_local_cand {
	int family;		      /**< AF_INET or AF_INET6. */
	char addr[WRTC_SDP_ADDR_LEN]; /**< Address literal. */
	uint16_t port;		      /**< Port. */
	uint16_t component;	      /**< 1 (RTP) or 2 (RTCP); 0 means 1. */
	enum wrtc_sdp_cand_type type; /**< Usually host (or srflx for an advertised address). */
	uint32_t priority;	      /**< Priority (RFC 8445 5.1.2). */
	char foundation[WRTC_SDP_TOKEN_LEN]; /**< Foundation. */
	char raddr[WRTC_SDP_ADDR_LEN];	     /**< Related address for srflx/relay, "" = none. */
	uint16_t rport;			     /**< Related port. */
};

/** Per m-line input of a rewrite (index = m-line index). */
struct wrtc_sdp_rewrite_media {
	uint16_t rtp_port;    /**< Local RTP port; 0 rejects the m-line. */
	uint16_t rtcp_port;   /**< Local RTCP port when not muxed; 0 = rtp_port + 1. */
	unsigned int n_cands; /**< Local candidates (ICE sides). */
	const struct wrtc_sdp_local_cand *cands;      /**< Candidates for this m-line. */
	const struct wrtc_sdp_codec_decision *codecs; /**< Decision, or NULL to copy the formats. */
	unsigned int n_crypto; /**< SDES lines to write (SIP side, RTP/SAVP). */
	const struct wrtc_sdp_crypto
	    *crypto;	       /**< Tag, suite, key_params (session_params optional). */
	enum wrtc_sdp_dir dir; /**< Direction to write; NONE = derived from the input. */
};

/** Everything a rewrite needs besides the input SDP. The session fills it. */
struct wrtc_sdp_rewrite_prm {
	enum wrtc_sdp_side side;	 /**< The side the output is for. */
	bool is_offer;			 /**< Output is an offer (else an answer to @ref offer). */
	const struct wrtc_sdp *offer;	 /**< Answers: the offer being answered (from the output's
					  side; gives mids, BUNDLE, protos). NULL for offers. */
	bool sdes;			 /**< SIP side: RTP/SAVP with a=crypto (else RTP/AVP). */
	enum wrtc_sdp_ice_mode ice_mode; /**< ICE lines and a=ice-lite. */
	const char *ice_ufrag;		 /**< Local ufrag (ICE modes). */
	const char *ice_pwd;		 /**< Local password (ICE modes). */
	const char *ice_options;	 /**< e.g. "ice2" or "trickle", NULL = none. */
	const char *fp_hash;	   /**< Fingerprint hash name, e.g. "sha-256" (WebRTC side). */
	const char *fp_hex;	   /**< Fingerprint, colon-separated upper-case hex. */
	enum wrtc_sdp_setup setup; /**< a=setup; NONE = actpass in offers, the opposite of the
				       offer's role in answers (active for actpass). */
	bool rtcp_mux;		   /**< Offer rtcp-mux / accept it in answers when offered. */
	bool dtls_passthrough;	   /**< WebRTC side, DTLS end to end (srtp_relay):
					a=fingerprint and a=setup copied from the input m-line
					(fp_hash, fp_hex and setup unused); the peer's ssrc,
					ssrc-group, msid, extmap, rid and simulcast lines kept. */
	bool bundle;		   /**< WebRTC side: BUNDLE all accepted m-lines on m-line 0's port
					(answers: only when the offer has a BUNDLE group). */
	const char *addr4;	   /**< Local IPv4 address, or NULL. */
	const char *addr6;	   /**< Local IPv6 address, or NULL. */
	enum wrtc_sdp_af_pref af_pref; /**< c= family choice. */
	const char *o_username;	       /**< o= username; NULL = "-". */
	uint64_t sess_id;	       /**< The gateway's o= session id for this leg. */
	uint64_t sess_version; /**< o= version; the session increments it on each new SDP. */
	const char *s_name;    /**< s= value; NULL = "-". */
	unsigned int n_media;  /**< Entries in @ref media; must equal the input's m-lines. */
	const struct wrtc_sdp_rewrite_media *media; /**< Per m-line settings. */
	const struct wrtc_sdp_rules *rules; /**< Manipulation rules (direction OUT), or NULL. */
};

/**
 * Produce the SDP for the other side from a parsed SDP. Kept from the input:
 * media types, m-line order, codecs (through the decision), direction, b=,
 * and unknown attributes; everything transport-related is the gateway's own.
 * On the SIP side rtcp-fb, ssrc, ssrc-group, extmap, msid, ICE (unless
 * ice_mode), fingerprint, setup, mid, group and candidates are dropped. An
 * accepted UDP/DTLS/SCTP (data channel) m-line keeps its sctp-port,
 * max-message-size and sctpmap lines: SCTP runs end to end.
 *
 * @param in     The received SDP.
 * @param prm    Rewrite parameters.
 * @param[out] out  malloc'd CRLF text (manipulation rules applied).
 * @param err    Error text, e.g. "media[1]: no local address for IPv6", or NULL.
 * @param errlen Size of @p err.
 * @return 0, -EINVAL (inconsistent parameters), -ENOMEM.
 */
int wrtc_sdp_rewrite(const struct wrtc_sdp *in, const struct wrtc_sdp_rewrite_prm *prm, char **out,
		     char *err, size_t errlen);

/* ------------------------------------------------------------------------ */
/* Re-offer comparison                                                        */
/* ------------------------------------------------------------------------ */

/** What changed in one m-line between two SDPs from the same side (bit flags). */
enum wrtc_sdp_change_flag {
	WRTC_SDP_CHG_ICE_RESTART = 1u << 0, /**< ice-ufrag or ice-pwd changed. */
	WRTC_SDP_CHG_CODECS = 1u << 1,	    /**< Formats, rtpmap or fmtp changed. */
	WRTC_SDP_CHG_HOLD = 1u << 2,	    /**< Went on hold. */
	WRTC_SDP_CHG_RESUME = 1u << 3,	    /**< Came off hold. */
	WRTC_SDP_CHG_DIR = 1u << 4,	    /**< Direction changed (also set with HOLD/RESUME). */
	WRTC_SDP_CHG_ADDR = 1u << 5,	    /**< Connection address or port changed. */
	WRTC_SDP_CHG_CRYPTO = 1u << 6,	    /**< Fingerprint, setup or a=crypto changed. */
	WRTC_SDP_CHG_ADDED = 1u << 7,	    /**< m-line added. */
	WRTC_SDP_CHG_REMOVED = 1u << 8,	    /**< m-line removed or rejected (port 0). */
	WRTC_SDP_CHG_PTIME = 1u << 9,	    /**< ptime changed. */
};

/** The result of a comparison. */
struct wrtc_sdp_diff {
	uint32_t all;		  /**< OR of every m-line's flags. */
	bool same_origin_version; /**< o= session id and version unchanged (RFC 3264 8: no change).
				   */
	unsigned int n_media;	  /**< Entries used in @ref media (max of both counts, capped). */
	uint32_t media[WRTC_SDP_MAX_CODECS]; /**< Flags per m-line index. */
};

/**
 * Compare a re-offer with the previous SDP of the same side.
 * @param old_sdp  The previous SDP.
 * @param new_sdp  The new one.
 * @param[out] diff  The changes.
 * @return 0 or -EINVAL.
 */
int wrtc_sdp_compare(const struct wrtc_sdp *old_sdp, const struct wrtc_sdp *new_sdp,
		     struct wrtc_sdp_diff *diff);

/** @return true if any m-line restarted ICE (ufrag or pwd changed). */
bool wrtc_sdp_is_ice_restart(const struct wrtc_sdp *old_sdp, const struct wrtc_sdp *new_sdp);

#ifdef __cplusplus
}
#endif

#endif
