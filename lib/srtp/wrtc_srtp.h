/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * SRTP and SRTCP (RFC 3711, RFC 7714) on OpenSSL 3.0, and SDES keys (RFC 4568).
 *
 * A context (struct wrtc_srtp) holds the session keys of one direction of one
 * media stream, derived once from a master key and salt when it is created, plus
 * cached cipher and MAC state so that protecting or unprotecting a packet
 * allocates nothing. Within the context each SSRC has its own rollover counter
 * (ROC), replay window (128 packets) and SRTCP index; a context tracks up to
 * wrtc_srtp_prm::max_ssrcs SSRCs. A receiver forgets the least recently used one
 * when a new SSRC authenticates and the table is full; a sender never forgets one
 * (that could reuse keystream) and refuses a new SSRC with -ENOSPC instead.
 *
 * A context is meant for one direction: either only protect (sender) or only
 * unprotect (receiver). It is created on the control lcore and then used by one
 * worker at a time; the functions are not thread safe for one context.
 *
 * The library is EAL-free: it works on plain buffers. The packet functions
 * transform in place and return 0 or a negative errno:
 *
 * | return       | meaning                                    | worker drop reason  |
 * |--------------|--------------------------------------------|---------------------|
 * | -EINVAL      | malformed or too short packet              | SRTP_OTHER          |
 * | -EBADMSG     | authentication failed (or unknown MKI)     | SRTP_AUTH           |
 * | -EALREADY    | replayed, or older than the replay window  | SRTP_REPLAY         |
 * | -ENOBUFS     | no room for the trailer (protect)          | SRTP_TAILROOM       |
 * | -EKEYEXPIRED | index space exhausted: rekey needed        | SRTP_OTHER          |
 * | -ENOSPC      | sender: SSRC table full (max_ssrcs)        | SRTP_OTHER          |
 * | -EIO         | OpenSSL failed                             | SRTP_OTHER          |
 */
#ifndef WRTC_SRTP_H
#define WRTC_SRTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** SRTP crypto suites (SDES names; DTLS-SRTP profiles map one to one). */
enum wrtc_srtp_suite {
	WRTC_SRTP_SUITE_NONE = 0,          /**< No suite (invalid for create). */
	WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, /**< RFC 3711/4568, 80-bit tag. */
	WRTC_SRTP_AES_CM_128_HMAC_SHA1_32, /**< RFC 3711/4568, 32-bit RTP tag, 80-bit SRTCP tag. */
	WRTC_SRTP_AEAD_AES_128_GCM,        /**< RFC 7714, 128-bit key, 16-byte tag. */
	WRTC_SRTP_AEAD_AES_256_GCM,        /**< RFC 7714, 256-bit key, 16-byte tag. */
	WRTC_SRTP_SUITE_MAX
};

enum {
	WRTC_SRTP_MAX_KEY_SIZE = 32,      /**< Largest master key (AES-256). */
	WRTC_SRTP_MAX_SALT_SIZE = 14,     /**< Largest master salt (AES-CM: 112 bits). */
	WRTC_SRTP_MAX_MKI_SIZE = 4,       /**< Longest MKI we send and expect. */
	WRTC_SRTP_MAX_TRAILER = 24,       /**< Most bytes protect adds (SRTCP, GCM, 4-byte MKI). */
	WRTC_SRTP_REPLAY_WINDOW = 128,    /**< Replay window, in packets (RTP and RTCP). */
	WRTC_SRTP_DEFAULT_SSRCS = 32,     /**< SSRCs tracked when max_ssrcs is 0. */
};

/** Parameters of wrtc_srtp_create(). */
struct wrtc_srtp_prm {
	enum wrtc_srtp_suite suite;                   /**< Crypto suite. */
	uint8_t master_key[WRTC_SRTP_MAX_KEY_SIZE];   /**< Master key (key_size bytes used). */
	uint8_t master_salt[WRTC_SRTP_MAX_SALT_SIZE]; /**< Master salt (salt_size bytes used). */
	unsigned int max_ssrcs;                       /**< SSRCs tracked; 0 = default (32). */
	uint32_t mki;                                 /**< MKI value (low mki_size bytes). */
	unsigned int mki_size; /**< MKI bytes (0..4) sent with and expected on each packet. */
};

/** Opaque SRTP context: one direction of one stream. */
struct wrtc_srtp;

/**
 * Name of a suite as written in SDES and in the RPC (e.g. "AEAD_AES_128_GCM").
 * @return The name, or "NONE" for an unknown value.
 */
const char *
wrtc_srtp_suite_name(enum wrtc_srtp_suite suite);

/**
 * Suite from its SDES name.
 * @param name Characters of the name (need not be NUL-terminated).
 * @param len Number of characters.
 * @return The suite, or WRTC_SRTP_SUITE_NONE if the name is unknown.
 */
enum wrtc_srtp_suite
wrtc_srtp_suite_from_name(const char *name, size_t len);

/** Master key size of a suite in bytes (16 or 32), 0 if unknown. */
size_t
wrtc_srtp_suite_key_size(enum wrtc_srtp_suite suite);

/** Master salt size of a suite in bytes (14 for AES-CM, 12 for GCM), 0 if unknown. */
size_t
wrtc_srtp_suite_salt_size(enum wrtc_srtp_suite suite);

/** Bytes wrtc_srtp_protect() appends to an RTP packet (10, 4 or 16), 0 if unknown. */
size_t
wrtc_srtp_suite_rtp_overhead(enum wrtc_srtp_suite suite);

/** Bytes wrtc_srtp_protect_rtcp() appends to an RTCP packet (14 or 20), 0 if unknown. */
size_t
wrtc_srtp_suite_rtcp_overhead(enum wrtc_srtp_suite suite);

/**
 * Create a context: derives the session keys (RFC 3711 §4.3, key derivation rate 0)
 * and prepares the cipher and MAC state. Runs on the control lcore.
 * @param prm Suite, master key and salt; copied, the caller may wipe it afterwards.
 * @return The context, or NULL with errno set: EINVAL (bad suite, MKI size or
 *   NULL prm), ENOMEM, EIO (OpenSSL failed).
 */
struct wrtc_srtp *
wrtc_srtp_create(const struct wrtc_srtp_prm *prm);

/** Free a context and wipe its keys. NULL does nothing. */
void
wrtc_srtp_free(struct wrtc_srtp *s);

/** Suite of a context. */
enum wrtc_srtp_suite
wrtc_srtp_suite(const struct wrtc_srtp *s);

/** Bytes wrtc_srtp_protect() adds with this context (tag and MKI). */
size_t
wrtc_srtp_rtp_overhead(const struct wrtc_srtp *s);

/** Bytes wrtc_srtp_protect_rtcp() adds with this context (tag, index and MKI). */
size_t
wrtc_srtp_rtcp_overhead(const struct wrtc_srtp *s);

/**
 * Protect an RTP packet in place: encrypt the payload and append the tag.
 * @param s Context (sender side).
 * @param pkt RTP packet (version 2); header, CSRCs and extension stay in the clear.
 * @param len In: RTP length. Out: SRTP length (grows by wrtc_srtp_suite_rtp_overhead()).
 * @param cap Bytes writable at @p pkt.
 * @return 0, -EINVAL (not a valid RTP packet), -ENOBUFS (cap too small), -ENOSPC
 *   (a new SSRC and max_ssrcs already in use),
 *   -EALREADY (this sequence number was already sent or is older than the window:
 *   protecting it again would reuse keystream), -EKEYEXPIRED, -EIO.
 */
int
wrtc_srtp_protect(struct wrtc_srtp *s, uint8_t *pkt, size_t *len, size_t cap);

/**
 * Unprotect an SRTP packet in place: check replay and tag, decrypt, strip the tag.
 * On error the packet must be dropped (with GCM its payload may be overwritten).
 * @param s Context (receiver side).
 * @param pkt SRTP packet.
 * @param len In: SRTP length. Out: RTP length.
 * @return 0, -EINVAL (malformed or shorter than header + tag), -EALREADY (replay),
 *   -EBADMSG (authentication failed, or not our MKI), -EIO.
 */
int
wrtc_srtp_unprotect(struct wrtc_srtp *s, uint8_t *pkt, size_t *len);

/**
 * Protect an RTCP compound packet in place: encrypt everything after the first
 * 8 bytes, append E bit + SRTCP index and the tag. The SRTCP index of each SSRC
 * counts from 1.
 * @param s Context (sender side).
 * @param pkt RTCP packet (version 2, at least 8 bytes).
 * @param len In: RTCP length. Out: SRTCP length (+14 AES-CM, +20 GCM).
 * @param cap Bytes writable at @p pkt.
 * @return 0, -EINVAL, -ENOBUFS, -ENOSPC (SSRC table full), -EKEYEXPIRED (2^31
 *   packets sent), -EIO.
 */
int
wrtc_srtp_protect_rtcp(struct wrtc_srtp *s, uint8_t *pkt, size_t *len, size_t cap);

/**
 * Unprotect an SRTCP packet in place. Packets with the E bit clear (authenticated
 * only) are accepted too.
 * @param s Context (receiver side).
 * @param pkt SRTCP packet.
 * @param len In: SRTCP length. Out: RTCP length.
 * @return 0, -EINVAL, -EALREADY, -EBADMSG, -EIO.
 */
int
wrtc_srtp_unprotect_rtcp(struct wrtc_srtp *s, uint8_t *pkt, size_t *len);

/**
 * Short name of a return code of the packet functions, for counters and logs
 * ("ok", "malformed", "auth-failed", "replay", "no-room", "key-expired", "crypto-error").
 */
const char *
wrtc_srtp_strerror(int rc);

/**
 * Continue a stream's state in a new context (a gateway restored from Redis):
 * @p ssrc starts as if its packet of index @p rtp_index (ROC << 16 | SEQ) had
 * been protected or unprotected, and, when not 0, its SRTCP packet
 * @p rtcp_index: the ROC follows, nothing older than the replay window is
 * accepted (receiver) or reused (sender). Before the context is handed to a
 * worker.
 * @return 0, -EINVAL (index out of range), -ENOSPC (SSRC table full).
 */
int
wrtc_srtp_prime(struct wrtc_srtp *s, uint32_t ssrc, uint64_t rtp_index, uint32_t rtcp_index);

/**
 * What the context's owner last used: the SSRC of the last RTP packet and its
 * index (ROC << 16 | SEQ), and the last SRTCP index (0: none). Safe from
 * another thread than the owner's (relaxed atomics, published per packet);
 * the values may be a packet old.
 * @return false when no RTP packet went through yet.
 */
bool
wrtc_srtp_published(const struct wrtc_srtp *s, uint32_t *ssrc, uint64_t *rtp_index,
		    uint32_t *rtcp_index);

/*
 * SDES (RFC 4568): a=crypto:<tag> <suite> inline:<base64 key||salt>[|lifetime][|MKI:len]
 */

/** One a=crypto attribute. */
struct wrtc_srtp_sdes {
	uint32_t tag;                                 /**< Tag, 1..999999999. */
	enum wrtc_srtp_suite suite;                   /**< Crypto suite. */
	uint8_t master_key[WRTC_SRTP_MAX_KEY_SIZE];   /**< Master key. */
	uint8_t master_salt[WRTC_SRTP_MAX_SALT_SIZE]; /**< Master salt. */
	uint64_t lifetime;                            /**< Key lifetime (packets); 0 = none. */
	uint32_t mki;                                 /**< MKI value (only if mki_size > 0). */
	unsigned int mki_size;                        /**< MKI length in bytes, 0 = no MKI. */
};

enum {
	WRTC_SRTP_SDES_MAX_LEN = 128, /**< Longest value wrtc_srtp_sdes_format() writes. */
};

/**
 * Parse the value of an a=crypto attribute. A leading "a=crypto:" or "crypto:" is
 * skipped, trailing CR/LF ignored. Only the first key-param is used; session
 * parameters UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP, UNAUTHENTICATED_SRTP and a non-zero
 * KDR are refused (not supported), others ignored.
 * @param value Attribute text (need not be NUL-terminated).
 * @param len Characters in @p value.
 * @param out Filled on success.
 * @param err If not NULL, set to a static message naming the bad field on failure.
 * @return 0, -EINVAL (syntax; see @p err), -ENOTSUP (unknown suite or parameter
 *   we do not implement).
 */
int
wrtc_srtp_sdes_parse(const char *value, size_t len, struct wrtc_srtp_sdes *out,
		     const char **err);

/**
 * Format the value of an a=crypto attribute (without "a=crypto:").
 * @param sd Attribute; lifetime written as 2^n when a power of two, MKI when mki_size > 0.
 * @param buf Output, NUL-terminated.
 * @param size Size of @p buf (WRTC_SRTP_SDES_MAX_LEN is always enough).
 * @return Characters written (without NUL), -EINVAL (bad suite or tag), -ENOSPC.
 */
int
wrtc_srtp_sdes_format(const struct wrtc_srtp_sdes *sd, char *buf, size_t size);

/**
 * Fresh random master key and salt (OpenSSL RAND_bytes) for a suite; no lifetime, no MKI.
 * @return 0, -EINVAL (bad suite or tag 0), -EIO (RNG failure).
 */
int
wrtc_srtp_sdes_generate(struct wrtc_srtp_sdes *sd, uint32_t tag, enum wrtc_srtp_suite suite);

/** Fill create parameters (suite, key, salt, MKI) from an SDES attribute; max_ssrcs is 0. */
void
wrtc_srtp_sdes_to_prm(const struct wrtc_srtp_sdes *sd, struct wrtc_srtp_prm *prm);

#ifdef __cplusplus
}
#endif

#endif
