/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * DTLS-SRTP (RFC 5763, RFC 5764) on OpenSSL 3.0, for the control lcore.
 *
 * No sockets and no clock: the caller feeds each received DTLS datagram to
 * wrtc_dtls_input(), outgoing datagrams leave through the send callback, and the
 * caller passes the current time (microseconds, any monotonic origin) and asks
 * wrtc_dtls_next_timeout() when to call wrtc_dtls_handle_timeout() for
 * retransmission. Datagram boundaries are kept by a BIO of our own.
 *
 * Objects:
 * - struct wrtc_dtls_cert: a certificate and key (PKCS#12 file, or a generated
 *   ECDSA P-256 self-signed one) and their SDP fingerprints.
 * - struct wrtc_dtls_ctx: what many connections share (certificate, SRTP
 *   profiles, versions, MTU, timers, cookie secret); e.g. one per dtls_profile.
 * - struct wrtc_dtls: one DTLS association (one per ICE component/transport).
 *
 * On success (state WRTC_DTLS_CONNECTED) wrtc_dtls_srtp_keys() gives the negotiated
 * SRTP suite and ready wrtc_srtp_prm for both directions (RFC 5764 §4.2 exporter).
 *
 * Nothing here is thread safe; everything runs on the control lcore. The library
 * never prints: errors come back as return codes and reason strings.
 */
#ifndef WRTC_DTLS_H
#define WRTC_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrtc_srtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Our DTLS role. */
enum wrtc_dtls_role {
	WRTC_DTLS_ROLE_ACTIVE = 0, /**< DTLS client: sends the ClientHello (a=setup:active). */
	WRTC_DTLS_ROLE_PASSIVE,    /**< DTLS server: waits for it (a=setup:passive). */
};

/** State of an association, as reported by `query`. */
enum wrtc_dtls_state {
	WRTC_DTLS_NONE = 0,    /**< Created, not started. */
	WRTC_DTLS_HANDSHAKING, /**< Started, handshake under way. */
	WRTC_DTLS_CONNECTED,   /**< Handshake done, fingerprint checked, SRTP keys ready. */
	WRTC_DTLS_FAILED,      /**< Failed; wrtc_dtls_reason() says why. Final. */
};

/** Fingerprint hash functions (SDP names "sha-1", "sha-256", ...). */
enum wrtc_dtls_hash {
	WRTC_DTLS_HASH_SHA256 = 0, /**< "sha-256" (what browsers use). */
	WRTC_DTLS_HASH_SHA1,       /**< "sha-1". */
	WRTC_DTLS_HASH_SHA224,     /**< "sha-224". */
	WRTC_DTLS_HASH_SHA384,     /**< "sha-384". */
	WRTC_DTLS_HASH_SHA512,     /**< "sha-512". */
	WRTC_DTLS_HASH_MAX
};

enum {
	/** Longest fingerprint string: "sha-512 " + 64 * "XX:" (no final ':') + NUL. */
	WRTC_DTLS_FINGERPRINT_MAX = 8 + 64 * 3,
	WRTC_DTLS_REASON_MAX = 160, /**< Longest reason string, with NUL. */
};

/** Certificate and private key. */
struct wrtc_dtls_cert;

/**
 * Load a certificate and key from a PKCS#12 file.
 * @param path File name.
 * @param passphrase Passphrase (NULL or "" for none).
 * @param err If not NULL, receives a message on failure (file, passphrase, content).
 * @param err_size Size of @p err.
 * @return The certificate, or NULL with errno set: ENOENT, EACCES (cannot open),
 *   EINVAL (not PKCS#12, wrong passphrase, no key or certificate, key mismatch), ENOMEM.
 */
struct wrtc_dtls_cert *
wrtc_dtls_cert_load_pkcs12(const char *path, const char *passphrase, char *err, size_t err_size);

/**
 * Generate a fresh self-signed ECDSA P-256 certificate (CN=wrtcgw, valid 365 days).
 * @return The certificate, or NULL with errno set (ENOMEM, EIO).
 */
struct wrtc_dtls_cert *
wrtc_dtls_cert_generate(void);

/**
 * The process-wide default certificate: generated on the first call, then the same
 * one every time. Call it once at start on the control lcore (not thread safe).
 * @return Borrowed pointer (do not free), or NULL with errno set.
 */
const struct wrtc_dtls_cert *
wrtc_dtls_cert_default(void);

/** Free a certificate. NULL does nothing. Contexts made from it keep their own reference. */
void
wrtc_dtls_cert_free(struct wrtc_dtls_cert *cert);

/**
 * Fingerprint of a certificate as the value of an SDP a=fingerprint attribute,
 * e.g. "sha-256 4A:AD:...".
 * @return Characters written (without NUL), -EINVAL, -ENOSPC.
 */
int
wrtc_dtls_cert_fingerprint(const struct wrtc_dtls_cert *cert, enum wrtc_dtls_hash hash,
			   char *buf, size_t size);

/** Parameters of wrtc_dtls_ctx_create(). Zero values mean the defaults. */
struct wrtc_dtls_ctx_prm {
	const struct wrtc_dtls_cert *cert; /**< NULL: wrtc_dtls_cert_default(). */
	/** SRTP profiles offered/accepted, in preference order, ending at the first
	 * WRTC_SRTP_SUITE_NONE. All NONE: AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80,
	 * AEAD_AES_256_GCM, AES_CM_128_HMAC_SHA1_32. */
	enum wrtc_srtp_suite profiles[WRTC_SRTP_SUITE_MAX];
	bool allow_dtls10;           /**< Accept DTLS 1.0 too (default: DTLS 1.2 only). */
	bool no_cookie_exchange;     /**< Passive side: skip HelloVerifyRequest cookies. */
	unsigned int mtu;            /**< Largest datagram we send (default 1200). */
	uint32_t initial_rto_us;     /**< First retransmission timeout (default 1 s). */
	uint32_t max_rto_us;         /**< Retransmission timeout cap (default 60 s). */
	uint64_t handshake_timeout_us; /**< Give up after this long (default 30 s). */
};

/** Shared DTLS configuration (an SSL_CTX). */
struct wrtc_dtls_ctx;

/**
 * Create a shared context.
 * @param prm Parameters (copied; the certificate is referenced).
 * @param err If not NULL, receives a message on failure.
 * @param err_size Size of @p err.
 * @return The context, or NULL with errno set: EINVAL (bad profile list,
 *   certificate rejected), ENOMEM, EIO.
 */
struct wrtc_dtls_ctx *
wrtc_dtls_ctx_create(const struct wrtc_dtls_ctx_prm *prm, char *err, size_t err_size);

/** Free a context; connections made from it must be freed first. NULL does nothing. */
void
wrtc_dtls_ctx_free(struct wrtc_dtls_ctx *ctx);

/**
 * Called for each outgoing datagram, from inside wrtc_dtls_start(),
 * wrtc_dtls_input() and wrtc_dtls_handle_timeout(). It must not call back into the
 * same association.
 */
typedef void(wrtc_dtls_send_fn)(void *arg, const uint8_t *data, size_t size);

/**
 * Called for each application-data record received once connected (e.g. SCTP
 * of a data channel, which the session layer forwards to another association
 * with wrtc_dtls_write()), from inside wrtc_dtls_input(). It must not call
 * back into the same association.
 */
typedef void(wrtc_dtls_app_fn)(void *arg, const uint8_t *data, size_t size);

/** Parameters of wrtc_dtls_create(). */
struct wrtc_dtls_prm {
	struct wrtc_dtls_ctx *ctx;       /**< Shared context. */
	enum wrtc_dtls_role role;        /**< Our role (see wrtc_dtls_role_from_setup()). */
	/** Peer's SDP a=fingerprint value, e.g. "sha-256 AB:CD:...": the peer
	 * certificate must match it or the handshake fails. Required. */
	const char *peer_fingerprint;
	const void *peer_addr;           /**< Peer transport address bytes, for cookies. */
	size_t peer_addr_size;           /**< Size of @p peer_addr (0 allowed). */
	wrtc_dtls_send_fn *send;         /**< Outgoing datagrams. Required. */
	void *send_arg;                  /**< First argument of @p send. */
	wrtc_dtls_app_fn *app;           /**< Application data received, or NULL: discarded. */
	void *app_arg;                   /**< First argument of @p app. */
};

/** One DTLS association. */
struct wrtc_dtls;

/**
 * Create an association (state NONE).
 * @return The association, or NULL with errno set: EINVAL (missing ctx, send or
 *   fingerprint, or fingerprint not "<hash> XX:XX:..."), ENOMEM, EIO.
 */
struct wrtc_dtls *
wrtc_dtls_create(const struct wrtc_dtls_prm *prm);

/** Free an association. NULL does nothing. */
void
wrtc_dtls_free(struct wrtc_dtls *d);

/**
 * Start the handshake (state HANDSHAKING): the active side sends its ClientHello,
 * the passive side waits. The handshake timeout counts from here.
 * @param now_us Current time.
 * @return 0, -EALREADY (already started), or -EPROTO if it failed at once.
 */
int
wrtc_dtls_start(struct wrtc_dtls *d, uint64_t now_us);

/**
 * Feed one received DTLS datagram. An association that was not started is started
 * by its first datagram (normally the passive side receiving a ClientHello). After
 * the handshake, records are still processed (retransmitted Finished, alerts);
 * application data goes to the @c app callback, or is discarded.
 * @return 0 (look at wrtc_dtls_state()), -EPROTO (the association failed now),
 *   -EINVAL (empty datagram), -ESHUTDOWN (already failed).
 */
int
wrtc_dtls_input(struct wrtc_dtls *d, const uint8_t *data, size_t size, uint64_t now_us);

/**
 * Send @p size bytes of application data as one record (connected only).
 * @return 0, -ENOTCONN (not connected), -EMSGSIZE (larger than a record may
 *   carry), -EINVAL (empty), -EIO (OpenSSL refused it).
 */
int
wrtc_dtls_write(struct wrtc_dtls *d, const uint8_t *data, size_t size);

/**
 * When wrtc_dtls_handle_timeout() should be called next.
 * @return Absolute time in microseconds, or UINT64_MAX if no timer runs.
 */
uint64_t
wrtc_dtls_next_timeout(const struct wrtc_dtls *d);

/**
 * Run the timers: retransmit the last flight if its timer expired, fail the
 * association if the handshake took longer than handshake_timeout_us. Harmless to
 * call early.
 * @return 0, -EPROTO (failed now: timeout), -ESHUTDOWN (already failed).
 */
int
wrtc_dtls_handle_timeout(struct wrtc_dtls *d, uint64_t now_us);

/** Current state. */
enum wrtc_dtls_state
wrtc_dtls_state(const struct wrtc_dtls *d);

/** Name of a state: "none", "handshaking", "connected", "failed". */
const char *
wrtc_dtls_state_name(enum wrtc_dtls_state state);

/** Why the association failed ("" otherwise), e.g. "peer fingerprint mismatch". */
const char *
wrtc_dtls_reason(const struct wrtc_dtls *d);

/** Negotiated protocol version ("DTLSv1.2", "DTLSv1"), or "" before connected. */
const char *
wrtc_dtls_version(const struct wrtc_dtls *d);

/** SRTP keys of a connected association. */
struct wrtc_dtls_srtp_keys {
	enum wrtc_srtp_suite suite;  /**< Negotiated profile. */
	struct wrtc_srtp_prm local;  /**< For the context that protects what we send. */
	struct wrtc_srtp_prm remote; /**< For the context that unprotects what we receive. */
};

/**
 * SRTP suite and master keys (RFC 5764 §4.2: "EXTRACTOR-dtls_srtp", split into
 * client key, server key, client salt, server salt; the client's keys protect what
 * the client sends).
 * @return 0, -EAGAIN (not connected).
 */
int
wrtc_dtls_srtp_keys(const struct wrtc_dtls *d, struct wrtc_dtls_srtp_keys *out);

/** Counters of an association. */
struct wrtc_dtls_stats {
	uint64_t rx_datagrams;   /**< Datagrams fed in. */
	uint64_t tx_datagrams;   /**< Datagrams sent. */
	uint64_t retransmits;    /**< Flights retransmitted on timeout. */
	uint64_t rx_app_bytes;   /**< Application data received (handed to @c app or
				  *   discarded). */
	uint64_t tx_app_bytes;   /**< Application data sent by wrtc_dtls_write(). */
};

/** Copy the counters. */
void
wrtc_dtls_stats(const struct wrtc_dtls *d, struct wrtc_dtls_stats *out);

/**
 * Our role from the peer's a=setup value (RFC 5763 §5): "active" -> passive,
 * "passive" -> active, "actpass" -> active (we answer).
 * @return 0, -EINVAL (unknown value or "holdconn").
 */
int
wrtc_dtls_role_from_setup(const char *peer_setup, size_t len, enum wrtc_dtls_role *role);

/** SDP a=setup value for our role in an answer: "active" or "passive". */
const char *
wrtc_dtls_role_setup(enum wrtc_dtls_role role);

#ifdef __cplusplus
}
#endif

#endif
