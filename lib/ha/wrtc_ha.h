/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * High availability: call state kept in Redis (EAL-free).
 *
 * Two parts. The call record (wrtc_ha_record_*) is a versioned JSON
 * serialization of what a restarted gateway needs to rebuild a call: the SDPs,
 * the trunk groups and flags, and per stream the local port, the remote
 * address and its learning state, the SRTP keys with ROC and highest sequence
 * per direction, the ICE credentials and selected pair, the DTLS role,
 * fingerprints and exported keying material, and the transcoder
 * configuration. The decoder is strict: unknown keys, wrong types, bad hex,
 * out-of-range numbers and a wrong version are refused with a message.
 *
 * The client (wrtc_ha_client_*) writes records with hiredis' asynchronous
 * API, driven from the control lcore's poll: wrtc_ha_client_poll() never
 * blocks (poll(2) with a zero timeout), at most max_pending commands are in
 * flight (further writes are refused and counted), a lost connection is
 * retried every reconnect interval, and when it comes back the resync
 * callback asks the owner to write every call again. Only
 * wrtc_ha_client_load() (start-up restore) blocks, with a timeout.
 *
 * Threads: everything here runs on the control lcore. docs/lib/ha.rst.
 */
#ifndef WRTC_HA_H
#define WRTC_HA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Version written into every record; the decoder refuses any other. */
#define WRTC_HA_RECORD_VERSION 1

enum {
	WRTC_HA_MAX_LEGS = 2,        /**< Offer side and answer side. */
	WRTC_HA_MAX_STREAMS = 8,     /**< Media sections per leg. */
	WRTC_HA_ID_SIZE = 256,       /**< Call-id / tag / trunk group name. */
	WRTC_HA_ADDR_SIZE = 64,      /**< "ip" text. */
	WRTC_HA_KEY_SIZE = 64,       /**< SRTP master key + salt, bytes. */
	WRTC_HA_ICE_SIZE = 257,      /**< ufrag / pwd text (RFC 8445: <= 256). */
	WRTC_HA_FP_SIZE = 128,       /**< "sha-256 AB:CD:..." text. */
	WRTC_HA_NAME_SIZE = 32,      /**< Suite / codec name. */
	WRTC_HA_MAX_SDP = 65536,     /**< Longest SDP kept. */
};

/** Learning state of a stream's remote address. */
enum wrtc_ha_learn {
	WRTC_HA_LEARN_SIGNALLED = 0, /**< From the SDP, not yet confirmed. */
	WRTC_HA_LEARN_LEARNING,      /**< Waiting for the first packet. */
	WRTC_HA_LEARN_LATCHED,       /**< Latched on a received packet. */
};

/** DTLS role of the gateway on a stream. */
enum wrtc_ha_dtls_role {
	WRTC_HA_DTLS_NONE = 0,       /**< No DTLS (RTP or SDES). */
	WRTC_HA_DTLS_CLIENT,         /**< a=setup:active on our side. */
	WRTC_HA_DTLS_SERVER,         /**< a=setup:passive on our side. */
};

/** SRTP state of one direction. */
struct wrtc_ha_srtp_dir {
	bool present;                      /**< Direction keyed. */
	char suite[WRTC_HA_NAME_SIZE];     /**< e.g. "AES_CM_128_HMAC_SHA1_80". */
	uint8_t key[WRTC_HA_KEY_SIZE];     /**< Master key then salt. */
	uint8_t key_size;                  /**< Bytes used in key[]. */
	uint32_t roc;                      /**< Rollover counter. */
	uint16_t seq;                      /**< Highest sequence number seen/sent. */
	uint32_t srtcp_index;              /**< SRTCP index. */
	bool has_ssrc;                     /**< roc/seq/srtcp_index are those of @c ssrc. */
	uint32_t ssrc;                     /**< SSRC of the last packet ("ssrc", optional). */
};

/** One media stream of a leg. */
struct wrtc_ha_stream {
	uint16_t local_port;               /**< Gateway's media port. */
	uint8_t iface;                     /**< Interface index. */
	char remote_addr[WRTC_HA_ADDR_SIZE]; /**< Current remote IP ("" none). */
	uint16_t remote_port;              /**< Current remote port. */
	enum wrtc_ha_learn learn;          /**< How remote_addr was obtained. */
	struct wrtc_ha_srtp_dir srtp_in;   /**< Decrypting direction. */
	struct wrtc_ha_srtp_dir srtp_out;  /**< Encrypting direction. */
	char ice_lufrag[WRTC_HA_ICE_SIZE]; /**< Local ICE ufrag ("" no ICE). */
	char ice_lpwd[WRTC_HA_ICE_SIZE];   /**< Local ICE password. */
	char ice_rufrag[WRTC_HA_ICE_SIZE]; /**< Remote ICE ufrag. */
	char ice_rpwd[WRTC_HA_ICE_SIZE];   /**< Remote ICE password. */
	bool ice_selected;                 /**< A pair was selected. */
	char ice_sel_addr[WRTC_HA_ADDR_SIZE]; /**< Selected pair's remote IP. */
	uint16_t ice_sel_port;             /**< Selected pair's remote port. */
	enum wrtc_ha_dtls_role dtls_role;  /**< Our DTLS role. */
	bool dtls_connected;               /**< Handshake done, keys exported. */
	char dtls_local_fp[WRTC_HA_FP_SIZE];  /**< Our fingerprint line. */
	char dtls_remote_fp[WRTC_HA_FP_SIZE]; /**< The peer's fingerprint line. */
	uint8_t dtls_ekm[2 * WRTC_HA_KEY_SIZE]; /**< Exported keying material. */
	uint8_t dtls_ekm_size;             /**< Bytes used in dtls_ekm[]. */
	char codec[WRTC_HA_NAME_SIZE];     /**< Transcoder target ("" relay). */
	uint8_t codec_pt;                  /**< Its payload type. */
	uint32_t codec_rate;               /**< Its clock rate. */
	uint8_t codec_channels;            /**< Its channels. */
};

/** One leg (the offerer's or the answerer's side). */
struct wrtc_ha_leg {
	char tag[WRTC_HA_ID_SIZE];         /**< From/To tag ("" none). */
	char trunk_group[WRTC_HA_ID_SIZE]; /**< Trunk group name. */
	uint32_t flags;                    /**< Session flags of the leg. */
	unsigned int n_streams;            /**< Entries in streams[]. */
	struct wrtc_ha_stream streams[WRTC_HA_MAX_STREAMS]; /**< Media sections. */
};

/** A call as stored in Redis. */
struct wrtc_ha_record {
	char call_id[WRTC_HA_ID_SIZE];     /**< Key (after the prefix). */
	char node[WRTC_HA_ID_SIZE];        /**< Node id of the writer. */
	uint64_t updated_ms;               /**< Wall clock of the write (ms). */
	uint32_t generation;               /**< Bumped on each write. */
	char *sdp_offer;                   /**< Heap; NULL none. */
	char *sdp_answer;                  /**< Heap; NULL none. */
	unsigned int n_legs;               /**< Entries in legs[]. */
	struct wrtc_ha_leg legs[WRTC_HA_MAX_LEGS]; /**< The legs. */
};

/**
 * Serialize a record.
 * @param r  the record.
 * @return a heap string (free() it), or NULL: out of memory.
 */
char *
wrtc_ha_record_encode(const struct wrtc_ha_record *r);

/**
 * Parse a record strictly. On success @p r owns its SDP strings
 * (wrtc_ha_record_fini()); on failure nothing is left to free.
 * @param text  JSON text, @p len bytes (need not be NUL terminated).
 * @param r  receives the record.
 * @param err  receives a one-line reason, "path: reason"; may be NULL.
 * @param err_size  size of @p err.
 * @return 0, -EINVAL (bad record), -ENOMEM.
 */
int
wrtc_ha_record_decode(const char *text, size_t len, struct wrtc_ha_record *r,
		      char *err, size_t err_size);

/** Free the SDP strings of a record (NULL is allowed). */
void
wrtc_ha_record_fini(struct wrtc_ha_record *r);

/** Parameters of wrtc_ha_client_create(). */
struct wrtc_ha_client_prm {
	const char *unix_path;     /**< Redis unix socket, or NULL to use host/port. */
	const char *host;          /**< Redis host (IP) when unix_path is NULL. */
	uint16_t port;             /**< Redis TCP port. */
	unsigned int db;           /**< Database (SELECT) of this node. */
	const char *prefix;        /**< Key prefix, e.g. "wrtc:". */
	unsigned int expiry_s;     /**< Key expiry in seconds (0: none). */
	unsigned int max_pending;  /**< Commands in flight at most (0: 4096). */
	unsigned int reconnect_ms; /**< Retry interval (0: 1000). */
	/** Called after a (re)connection that followed a loss or refused writes:
	 * the owner writes every call again. May be NULL. */
	void (*resync)(void *arg);
	void *arg;                 /**< For resync. */
};

/** Client counters (control lcore). */
struct wrtc_ha_client_stats {
	uint64_t writes;           /**< put/del accepted into the pipeline. */
	uint64_t acked;            /**< Replies with no error. */
	uint64_t failed;           /**< Refused (down, full) or error/lost replies. */
	uint64_t connects;         /**< Successful connections. */
	uint64_t disconnects;      /**< Connections lost or failed. */
	uint64_t resyncs;          /**< resync callbacks made. */
	unsigned int pending;      /**< In flight now. */
	bool connected;            /**< Link up now. */
};

struct wrtc_ha_client;

/**
 * Create a client; the connection is started by wrtc_ha_client_poll().
 * @return the client, or NULL with errno: EINVAL (parameters), ENOMEM.
 */
struct wrtc_ha_client *
wrtc_ha_client_create(const struct wrtc_ha_client_prm *prm);

/** Close and free (NULL is allowed). Replies still in flight are dropped. */
void
wrtc_ha_client_free(struct wrtc_ha_client *cl);

/**
 * Queue "SET prefix+call_id value [EX expiry]". Never blocks.
 * @return 0; -ENOTCONN (down) or -ENOBUFS (max_pending in flight): counted as
 *   failed, and a resync follows the next connection; -EINVAL; -ENOMEM.
 */
int
wrtc_ha_client_put(struct wrtc_ha_client *cl, const char *call_id, const char *value,
		   size_t len);

/** Queue "DEL prefix+call_id"; errors as wrtc_ha_client_put(). */
int
wrtc_ha_client_del(struct wrtc_ha_client *cl, const char *call_id);

/**
 * Drive the connection: (re)connect when due, write and read what the socket
 * allows, run reply and resync callbacks. Never blocks.
 * @param now_ms  a monotonic clock in milliseconds.
 */
void
wrtc_ha_client_poll(struct wrtc_ha_client *cl, uint64_t now_ms);

/** Read the counters. */
void
wrtc_ha_client_stats(const struct wrtc_ha_client *cl, struct wrtc_ha_client_stats *st);

/**
 * Read every record of this node (start-up restore), blocking up to
 * @p timeout_ms per Redis operation on its own connection.
 * @param fn  called per key: call id (without prefix), value, its length.
 *   A non-zero return stops the load and is returned.
 * @return 0, fn's value, -ETIMEDOUT/-ECONNREFUSED/-EIO (Redis), -ENOMEM.
 */
int
wrtc_ha_client_load(const struct wrtc_ha_client_prm *prm, unsigned int timeout_ms,
		    int (*fn)(const char *call_id, const char *value, size_t len, void *arg),
		    void *arg);

#endif /* WRTC_HA_H */
