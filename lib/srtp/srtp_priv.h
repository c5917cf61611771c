/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private structures of lib/srtp. Only the library's .c files and its unit test
 * include this header.
 */
#ifndef WRTC_SRTP_PRIV_H
#define WRTC_SRTP_PRIV_H

/*
 * Why the deprecated low-level SHA1_* calls and not EVP_MAC/EVP_Q_mac/HMAC():
 * HMAC-SHA1 here starts from SHA-1 states precomputed once per key (after
 * key ^ ipad and key ^ opad), kept as plain SHA_CTX structs that a packet
 * copies onto its stack (srtp_hmac() below). OpenSSL 3.0's supported APIs
 * cannot do that without the heap: EVP_MAC_init() on a cached EVP_MAC_CTX
 * re-derives from the key by duplicating a provider digest context (an
 * allocation per packet, which the fast path forbids), EVP_MAC_CTX_dup()
 * allocates, and EVP_Q_mac()/HMAC() redo the key schedule and allocate each
 * call. docs/benchmarks.md ("srtp") measures it: the same AES-CTR +
 * HMAC-SHA1 through a cached EVP_MAC_CTX costs 406 ns a packet against 315 ns
 * here (wrtc-bench-srtp, the `evp-floor` column). The calls are deprecated
 * in OpenSSL 3.0 but present; OPENSSL_SUPPRESS_DEPRECATED keeps them quiet.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "wrtc_srtp.h"

enum {
	SRTP_LABEL_RTP_ENC = 0,
	SRTP_LABEL_RTP_AUTH = 1,
	SRTP_LABEL_RTP_SALT = 2,
	SRTP_LABEL_RTCP_ENC = 3,
	SRTP_LABEL_RTCP_AUTH = 4,
	SRTP_LABEL_RTCP_SALT = 5,
	SRTP_AUTH_KEY_SIZE = 20,
	SRTP_HMAC_TAG_SIZE = 10,
	SRTP_GCM_TAG_SIZE = 16,
	SRTCP_INDEX_SIZE = 4,
	SRTCP_INDEX_MAX = 0x7fffffff,
};

/* Session keys of one context (RTP and RTCP), as derived by the KDF. */
struct srtp_session_keys {
	uint8_t rtp_key[WRTC_SRTP_MAX_KEY_SIZE];
	uint8_t rtp_auth[SRTP_AUTH_KEY_SIZE];
	uint8_t rtp_salt[WRTC_SRTP_MAX_SALT_SIZE];
	uint8_t rtcp_key[WRTC_SRTP_MAX_KEY_SIZE];
	uint8_t rtcp_auth[SRTP_AUTH_KEY_SIZE];
	uint8_t rtcp_salt[WRTC_SRTP_MAX_SALT_SIZE];
};

/* Cipher and MAC state of one of RTP or RTCP; written at creation only. */
struct srtp_keyset {
	EVP_CIPHER_CTX *cipher; /* AES-CTR or AES-GCM with the session key loaded. */
	SHA_CTX hmac_inner;     /* SHA-1 state after (auth key ^ ipad); AES-CM only. */
	SHA_CTX hmac_outer;     /* SHA-1 state after (auth key ^ opad); AES-CM only. */
	uint8_t salt[WRTC_SRTP_MAX_SALT_SIZE];
};

/* Per-SSRC state; written by the worker that uses the context. */
struct srtp_ssrc {
	uint32_t ssrc;
	bool used;
	bool rtp_seen;      /* rtp_hi and rtp_win are valid. */
	bool rtcp_seen;     /* rtcp_hi and rtcp_win are valid. */
	uint64_t last_use;  /* For least-recently-used eviction. */
	uint64_t rtp_hi;    /* Highest 48-bit packet index (ROC << 16 | SEQ). */
	uint64_t rtp_win[2]; /* Bit k: index rtp_hi - k was seen. */
	uint64_t rtcp_hi;   /* Highest SRTCP index received, or last sent. */
	uint64_t rtcp_win[2];
};

/* A context: everything is written at creation on the control lcore, except clock
 * and ssrcs[], which the owner worker writes per packet. */
struct wrtc_srtp {
	enum wrtc_srtp_suite suite;
	bool aead;                /* GCM (RFC 7714) rather than AES-CM + HMAC-SHA1. */
	unsigned int rtp_tag;     /* Tag bytes appended to RTP. */
	unsigned int rtcp_tag;    /* Tag bytes appended to RTCP (without the index). */
	unsigned int mki_size;    /* MKI bytes on each packet, 0..4. */
	uint8_t mki[WRTC_SRTP_MAX_MKI_SIZE]; /* MKI as sent, big endian. */
	struct srtp_keyset rtp;
	struct srtp_keyset rtcp;
	uint64_t clock;           /* Packet counter for LRU. */
	/* What the owner last used, for a reader on another thread (relaxed
	 * atomics; wrtc_srtp_published()): SSRC, RTP index + 1, SRTCP index + 1. */
	uint32_t pub_ssrc;
	uint64_t pub_rtp;
	uint64_t pub_rtcp;
	unsigned int max_ssrcs;
	struct srtp_ssrc ssrcs[];
};

/* AES-CM keystream (RFC 3711 §4.1.1): n bytes from a 16-byte initial counter. */
int
wrtc_srtp_aes_cm_keystream(const uint8_t *key, size_t key_size, const uint8_t iv[16],
			   uint8_t *out, size_t n);

/* RFC 3711 §4.3.1 KDF with key derivation rate 0; salt is 14 bytes (GCM salts
 * zero padded). */
int
wrtc_srtp_kdf(const uint8_t *master_key, size_t key_size, const uint8_t salt[14], uint8_t label,
	      uint8_t *out, size_t n);

/* Create a context straight from session keys (the KDF bypassed), for test vectors
 * stated in session keys. */
struct wrtc_srtp *
wrtc_srtp_create_session(enum wrtc_srtp_suite suite, const struct srtp_session_keys *k,
			 unsigned int max_ssrcs);

/* Publish the state of @p st after a packet (one relaxed store each). */
static inline void
srtp_publish_rtp(struct wrtc_srtp *s, const struct srtp_ssrc *st)
{
	__atomic_store_n(&s->pub_ssrc, st->ssrc, __ATOMIC_RELAXED);
	__atomic_store_n(&s->pub_rtp, st->rtp_hi + 1, __ATOMIC_RELAXED);
}

static inline void
srtp_publish_rtcp(struct wrtc_srtp *s, const struct srtp_ssrc *st)
{
	__atomic_store_n(&s->pub_rtcp, st->rtcp_hi + 1, __ATOMIC_RELAXED);
}

/* How wrtc_srtp_ssrc_get() treats an SSRC it does not know. */
enum srtp_ssrc_mode {
	SRTP_SSRC_FIND,   /* Return NULL. */
	SRTP_SSRC_ADD,    /* Take a free slot; NULL if none (sender: forgetting an SSRC's
			   * ROC/index could make it reuse keystream). */
	SRTP_SSRC_EVICT,  /* Take a free or the least recently used slot (receiver). */
};

/* Find the state of an SSRC, adding it as mode says. */
struct srtp_ssrc *
wrtc_srtp_ssrc_get(struct wrtc_srtp *s, uint32_t ssrc, enum srtp_ssrc_mode mode);

/* AES-CM IV (RFC 3711 §4.1.1): salt * 2^16 ^ SSRC * 2^64 ^ index * 2^16. */
void
wrtc_srtp_cm_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t idx);

/* AES-CTR in place with a new IV on the cached context. */
int
wrtc_srtp_ctr_crypt(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *p, size_t n);

/* AES-GCM seal in place (AAD = aad || aad2); the tag is written at p + n. */
int
wrtc_srtp_gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		   const uint8_t *aad2, size_t aad2_len, uint8_t *p, size_t n);

/* AES-GCM open in place; -EBADMSG if the tag does not match. */
int
wrtc_srtp_gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
		   const uint8_t *aad2, size_t aad2_len, uint8_t *p, size_t n, uint8_t *tag);

/* HMAC-SHA1 of a || b with precomputed pad states; writes 20 bytes. SHA1_*
 * rather than EVP_MAC: see the top of this file. */
static inline void
srtp_hmac(const struct srtp_keyset *ks, const uint8_t *a, size_t alen, const uint8_t *b,
	  size_t blen, uint8_t md[SHA_DIGEST_LENGTH])
{
	SHA_CTX c = ks->hmac_inner;

	SHA1_Update(&c, a, alen);
	if (blen)
		SHA1_Update(&c, b, blen);
	SHA1_Final(md, &c);
	c = ks->hmac_outer;
	SHA1_Update(&c, md, SHA_DIGEST_LENGTH);
	SHA1_Final(md, &c);
}

static inline uint16_t
srtp_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
srtp_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
srtp_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* Replay window over 64-bit indexes: 0 if idx is new, -EALREADY otherwise. */
static inline int
srtp_replay_check(bool seen, uint64_t hi, const uint64_t win[2], uint64_t idx)
{
	uint64_t delta;

	if (!seen || idx > hi)
		return 0;
	delta = hi - idx;
	if (delta >= WRTC_SRTP_REPLAY_WINDOW)
		return -EALREADY;
	if ((win[delta >> 6] >> (delta & 63)) & 1)
		return -EALREADY;
	return 0;
}

static inline void
srtp_replay_add(bool *seen, uint64_t *hi, uint64_t win[2], uint64_t idx)
{
	uint64_t d;

	if (!*seen) {
		*seen = true;
		*hi = idx;
		win[0] = 1;
		win[1] = 0;
		return;
	}
	if (idx > *hi) {
		d = idx - *hi;
		if (d >= 128) {
			win[0] = 0;
			win[1] = 0;
		} else if (d >= 64) {
			win[1] = win[0] << (d - 64);
			win[0] = 0;
		} else {
			win[1] = (win[1] << d) | (win[0] >> (64 - d));
			win[0] <<= d;
		}
		win[0] |= 1;
		*hi = idx;
		return;
	}
	d = *hi - idx;
	if (d < 128)
		win[d >> 6] |= (uint64_t)1 << (d & 63);
}

#endif
