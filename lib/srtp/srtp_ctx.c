/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Context creation: suite table, key derivation (RFC 3711 §4.3), cipher and MAC
 * state, per-SSRC table.
 */
#include "srtp_priv.h" /* First: it sets OPENSSL_SUPPRESS_DEPRECATED. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>


struct suite_info {
	const char *name;
	size_t key_size;
	size_t salt_size;
	size_t rtp_tag;
	size_t rtcp_tag;
	bool aead;
};

static const struct suite_info suites[WRTC_SRTP_SUITE_MAX] = {
	[WRTC_SRTP_AES_CM_128_HMAC_SHA1_80] = {"AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, false},
	[WRTC_SRTP_AES_CM_128_HMAC_SHA1_32] = {"AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, false},
	[WRTC_SRTP_AEAD_AES_128_GCM] = {"AEAD_AES_128_GCM", 16, 12, 16, 16, true},
	[WRTC_SRTP_AEAD_AES_256_GCM] = {"AEAD_AES_256_GCM", 32, 12, 16, 16, true},
};

static const struct suite_info *
suite_get(enum wrtc_srtp_suite suite)
{
	if (suite <= WRTC_SRTP_SUITE_NONE || suite >= WRTC_SRTP_SUITE_MAX)
		return NULL;
	return &suites[suite];
}

const char *
wrtc_srtp_suite_name(enum wrtc_srtp_suite suite)
{
	const struct suite_info *si = suite_get(suite);

	return si ? si->name : "NONE";
}

enum wrtc_srtp_suite
wrtc_srtp_suite_from_name(const char *name, size_t len)
{
	for (int i = WRTC_SRTP_SUITE_NONE + 1; i < WRTC_SRTP_SUITE_MAX; i++)
		if (strlen(suites[i].name) == len && memcmp(suites[i].name, name, len) == 0)
			return (enum wrtc_srtp_suite)i;
	return WRTC_SRTP_SUITE_NONE;
}

size_t
wrtc_srtp_suite_key_size(enum wrtc_srtp_suite suite)
{
	const struct suite_info *si = suite_get(suite);

	return si ? si->key_size : 0;
}

size_t
wrtc_srtp_suite_salt_size(enum wrtc_srtp_suite suite)
{
	const struct suite_info *si = suite_get(suite);

	return si ? si->salt_size : 0;
}

size_t
wrtc_srtp_suite_rtp_overhead(enum wrtc_srtp_suite suite)
{
	const struct suite_info *si = suite_get(suite);

	return si ? si->rtp_tag : 0;
}

size_t
wrtc_srtp_suite_rtcp_overhead(enum wrtc_srtp_suite suite)
{
	const struct suite_info *si = suite_get(suite);

	return si ? si->rtcp_tag + SRTCP_INDEX_SIZE : 0;
}

enum wrtc_srtp_suite
wrtc_srtp_suite(const struct wrtc_srtp *s)
{
	return s->suite;
}

size_t
wrtc_srtp_rtp_overhead(const struct wrtc_srtp *s)
{
	return s->rtp_tag + s->mki_size;
}

size_t
wrtc_srtp_rtcp_overhead(const struct wrtc_srtp *s)
{
	return s->rtcp_tag + SRTCP_INDEX_SIZE + s->mki_size;
}

const char *
wrtc_srtp_strerror(int rc)
{
	switch (rc) {
	case 0:
		return "ok";
	case -EINVAL:
		return "malformed";
	case -EBADMSG:
		return "auth-failed";
	case -EALREADY:
		return "replay";
	case -ENOBUFS:
		return "no-room";
	case -EKEYEXPIRED:
		return "key-expired";
	case -EIO:
		return "crypto-error";
	case -ENOSPC:
		return "too-many-ssrcs";
	default:
		return "error";
	}
}

static const EVP_CIPHER *
ctr_cipher(size_t key_size)
{
	return key_size == 32 ? EVP_aes_256_ctr() : EVP_aes_128_ctr();
}

int
wrtc_srtp_aes_cm_keystream(const uint8_t *key, size_t key_size, const uint8_t iv[16],
			   uint8_t *out, size_t n)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl, rc = -EIO;

	if (c == NULL)
		return -ENOMEM;
	memset(out, 0, n);
	if (EVP_EncryptInit_ex(c, ctr_cipher(key_size), NULL, key, iv) == 1 &&
	    EVP_EncryptUpdate(c, out, &outl, out, (int)n) == 1)
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
wrtc_srtp_kdf(const uint8_t *master_key, size_t key_size, const uint8_t salt[14], uint8_t label,
	      uint8_t *out, size_t n)
{
	uint8_t iv[16] = {0};

	/* x = key_id XOR master_salt, key_id = label || r (48 bits, 0 with kdr 0);
	 * the counter starts at x * 2^16. */
	memcpy(iv, salt, 14);
	iv[7] ^= label;
	return wrtc_srtp_aes_cm_keystream(master_key, key_size, iv, out, n);
}

/* The HMAC pad states, once per key (SHA1_*: see the top of srtp_priv.h). */
static void
hmac_prepare(struct srtp_keyset *ks, const uint8_t key[SRTP_AUTH_KEY_SIZE])
{
	uint8_t pad[64];

	memset(pad, 0x36, sizeof(pad));
	for (int i = 0; i < SRTP_AUTH_KEY_SIZE; i++)
		pad[i] ^= key[i];
	SHA1_Init(&ks->hmac_inner);
	SHA1_Update(&ks->hmac_inner, pad, sizeof(pad));
	memset(pad, 0x5c, sizeof(pad));
	for (int i = 0; i < SRTP_AUTH_KEY_SIZE; i++)
		pad[i] ^= key[i];
	SHA1_Init(&ks->hmac_outer);
	SHA1_Update(&ks->hmac_outer, pad, sizeof(pad));
	OPENSSL_cleanse(pad, sizeof(pad));
}

static int
keyset_init(struct srtp_keyset *ks, const struct suite_info *si, const uint8_t *key,
	    const uint8_t *auth, const uint8_t *salt)
{
	const EVP_CIPHER *c;

	if (si->aead)
		c = si->key_size == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
	else
		c = ctr_cipher(si->key_size);
	ks->cipher = EVP_CIPHER_CTX_new();
	if (ks->cipher == NULL)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(ks->cipher, c, NULL, key, NULL) != 1)
		return -EIO;
	if (si->aead && EVP_CIPHER_CTX_ctrl(ks->cipher, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) != 1)
		return -EIO;
	if (!si->aead)
		hmac_prepare(ks, auth);
	memcpy(ks->salt, salt, si->salt_size);
	return 0;
}

void
wrtc_srtp_free(struct wrtc_srtp *s)
{
	if (s == NULL)
		return;
	EVP_CIPHER_CTX_free(s->rtp.cipher);
	EVP_CIPHER_CTX_free(s->rtcp.cipher);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

struct wrtc_srtp *
wrtc_srtp_create_session(enum wrtc_srtp_suite suite, const struct srtp_session_keys *k,
			 unsigned int max_ssrcs)
{
	const struct suite_info *si = suite_get(suite);
	struct wrtc_srtp *s;
	int rc;

	if (si == NULL || k == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (max_ssrcs == 0)
		max_ssrcs = WRTC_SRTP_DEFAULT_SSRCS;
	s = calloc(1, sizeof(*s) + max_ssrcs * sizeof(s->ssrcs[0]));
	if (s == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	s->suite = suite;
	s->aead = si->aead;
	s->rtp_tag = si->rtp_tag;
	s->rtcp_tag = si->rtcp_tag;
	s->max_ssrcs = max_ssrcs;
	rc = keyset_init(&s->rtp, si, k->rtp_key, k->rtp_auth, k->rtp_salt);
	if (rc == 0)
		rc = keyset_init(&s->rtcp, si, k->rtcp_key, k->rtcp_auth, k->rtcp_salt);
	if (rc != 0) {
		wrtc_srtp_free(s);
		errno = -rc;
		return NULL;
	}
	return s;
}

struct wrtc_srtp *
wrtc_srtp_create(const struct wrtc_srtp_prm *prm)
{
	const struct suite_info *si = prm ? suite_get(prm->suite) : NULL;
	struct srtp_session_keys k;
	struct wrtc_srtp *s;
	uint8_t salt[14] = {0};
	int rc = 0;

	if (si == NULL || prm->mki_size > WRTC_SRTP_MAX_MKI_SIZE ||
	    (prm->mki_size < 4 && (prm->mki >> (8 * prm->mki_size)) != 0)) {
		errno = EINVAL;
		return NULL;
	}
	memcpy(salt, prm->master_salt, si->salt_size);
	memset(&k, 0, sizeof(k));
	rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTP_ENC, k.rtp_key,
			    si->key_size);
	rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTP_SALT, k.rtp_salt,
			    si->salt_size);
	rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTCP_ENC, k.rtcp_key,
			    si->key_size);
	rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTCP_SALT,
			    k.rtcp_salt, si->salt_size);
	if (!si->aead) {
		rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTP_AUTH,
				    k.rtp_auth, SRTP_AUTH_KEY_SIZE);
		rc |= wrtc_srtp_kdf(prm->master_key, si->key_size, salt, SRTP_LABEL_RTCP_AUTH,
				    k.rtcp_auth, SRTP_AUTH_KEY_SIZE);
	}
	if (rc != 0) {
		OPENSSL_cleanse(&k, sizeof(k));
		errno = EIO;
		return NULL;
	}
	s = wrtc_srtp_create_session(prm->suite, &k, prm->max_ssrcs);
	if (s != NULL) {
		s->mki_size = prm->mki_size;
		for (unsigned int i = 0; i < prm->mki_size; i++)
			s->mki[i] = (uint8_t)(prm->mki >> (8 * (prm->mki_size - 1 - i)));
	}
	OPENSSL_cleanse(&k, sizeof(k));
	OPENSSL_cleanse(salt, sizeof(salt));
	return s;
}

struct srtp_ssrc *
wrtc_srtp_ssrc_get(struct wrtc_srtp *s, uint32_t ssrc, enum srtp_ssrc_mode mode)
{
	struct srtp_ssrc *victim = NULL;

	s->clock++;
	for (unsigned int i = 0; i < s->max_ssrcs; i++) {
		struct srtp_ssrc *st = &s->ssrcs[i];

		if (st->used && st->ssrc == ssrc) {
			st->last_use = s->clock;
			return st;
		}
		if (!st->used) {
			if (victim == NULL || victim->used)
				victim = st;
		} else if (victim == NULL || (victim->used && st->last_use < victim->last_use)) {
			victim = st;
		}
	}
	if (mode == SRTP_SSRC_FIND || (mode == SRTP_SSRC_ADD && victim->used))
		return NULL;
	memset(victim, 0, sizeof(*victim));
	victim->used = true;
	victim->ssrc = ssrc;
	victim->last_use = s->clock;
	return victim;
}

int
wrtc_srtp_prime(struct wrtc_srtp *s, uint32_t ssrc, uint64_t rtp_index, uint32_t rtcp_index)
{
	struct srtp_ssrc *st;

	if (rtp_index >= (uint64_t)1 << 48 || rtcp_index > 0x7fffffff)
		return -EINVAL;
	st = wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_ADD);
	if (st == NULL)
		return -ENOSPC;
	/* As if the packet of that index had been seen (nothing older than the
	 * window, nor that one, again). */
	st->rtp_seen = false;
	srtp_replay_add(&st->rtp_seen, &st->rtp_hi, st->rtp_win, rtp_index);
	srtp_publish_rtp(s, st);
	if (rtcp_index != 0) {
		st->rtcp_seen = false;
		srtp_replay_add(&st->rtcp_seen, &st->rtcp_hi, st->rtcp_win, rtcp_index);
		srtp_publish_rtcp(s, st);
	}
	return 0;
}

bool
wrtc_srtp_published(const struct wrtc_srtp *s, uint32_t *ssrc, uint64_t *rtp_index,
		    uint32_t *rtcp_index)
{
	uint64_t r, c;
	uint32_t a, b;

	/* The SSRC read on both sides of the index: a pair from one packet. */
	do {
		a = __atomic_load_n(&s->pub_ssrc, __ATOMIC_RELAXED);
		r = __atomic_load_n(&s->pub_rtp, __ATOMIC_ACQUIRE);
		b = __atomic_load_n(&s->pub_ssrc, __ATOMIC_RELAXED);
	} while (a != b);
	c = __atomic_load_n(&s->pub_rtcp, __ATOMIC_RELAXED);
	if (r == 0)
		return false;
	*ssrc = a;
	*rtp_index = r - 1;
	*rtcp_index = c != 0 ? (uint32_t)(c - 1) : 0;
	return true;
}
