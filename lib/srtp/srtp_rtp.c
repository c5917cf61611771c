/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP (RTP) protect and unprotect: AES-CM + HMAC-SHA1 (RFC 3711) and AES-GCM
 * (RFC 7714). Runs on workers: no allocation, no locks, no logging.
 */
#include "srtp_priv.h" /* First: it sets OPENSSL_SUPPRESS_DEPRECATED. */

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>


/* Length of the RTP header with CSRCs and extension, or -EINVAL. */
static int
rtp_header_size(const uint8_t *pkt, size_t len)
{
	size_t h;

	if (len < 12 || (pkt[0] >> 6) != 2)
		return -EINVAL;
	h = 12 + 4 * (size_t)(pkt[0] & 0x0f);
	if (pkt[0] & 0x10) {
		if (len < h + 4)
			return -EINVAL;
		h += 4 + 4 * (size_t)srtp_be16(pkt + h + 2);
	}
	if (h > len)
		return -EINVAL;
	return (int)h;
}

/*
 * RFC 3711 Appendix A: the index closest to the highest one seen. Returns
 * -EALREADY when the guess would be before index 0.
 */
static int
estimate_index(const struct srtp_ssrc *st, uint16_t seq, uint64_t *idx)
{
	uint64_t roc, s_l;

	if (!st->rtp_seen) {
		*idx = seq;
		return 0;
	}
	roc = st->rtp_hi >> 16;
	s_l = st->rtp_hi & 0xffff;
	if (s_l < 32768) {
		if ((int)seq - (int)s_l > 32768) {
			if (roc == 0)
				return -EALREADY;
			roc--;
		}
	} else if (s_l - 32768 > seq) {
		roc++;
	}
	if (roc > UINT32_MAX)
		return -EKEYEXPIRED;
	*idx = roc << 16 | seq;
	return 0;
}

void
wrtc_srtp_cm_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t idx)
{
	memcpy(iv, salt, 14);
	iv[14] = 0;
	iv[15] = 0;
	iv[4] ^= ssrc >> 24;
	iv[5] ^= ssrc >> 16;
	iv[6] ^= ssrc >> 8;
	iv[7] ^= ssrc;
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(idx >> (40 - 8 * i));
}

static void
gcm_rtp_iv(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint64_t idx)
{
	uint8_t b[12];

	b[0] = 0;
	b[1] = 0;
	srtp_put_be32(b + 2, ssrc);
	srtp_put_be32(b + 6, (uint32_t)(idx >> 16));
	b[10] = (uint8_t)(idx >> 8);
	b[11] = (uint8_t)idx;
	for (int i = 0; i < 12; i++)
		iv[i] = salt[i] ^ b[i];
}

/* AES-CTR in place with a new IV on the cached context. */
int
wrtc_srtp_ctr_crypt(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *p, size_t n)
{
	int outl;

	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return -EIO;
	if (n && EVP_EncryptUpdate(c, p, &outl, p, (int)n) != 1)
		return -EIO;
	return 0;
}

/* AES-GCM seal in place; the tag is written at p + n. */
int
wrtc_srtp_gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
	 const uint8_t *aad2, size_t aad2_len, uint8_t *p, size_t n)
{
	int outl;

	if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
	    (aad2_len && EVP_EncryptUpdate(c, NULL, &outl, aad2, (int)aad2_len) != 1) ||
	    (n && EVP_EncryptUpdate(c, p, &outl, p, (int)n) != 1) ||
	    EVP_EncryptFinal_ex(c, p + n, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, SRTP_GCM_TAG_SIZE, p + n) != 1)
		return -EIO;
	return 0;
}

/* AES-GCM open in place; the tag is read from tag. */
int
wrtc_srtp_gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aad_len,
	 const uint8_t *aad2, size_t aad2_len, uint8_t *p, size_t n, uint8_t *tag)
{
	int outl;

	if (EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 0) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aad_len) != 1 ||
	    (aad2_len && EVP_DecryptUpdate(c, NULL, &outl, aad2, (int)aad2_len) != 1) ||
	    (n && EVP_DecryptUpdate(c, p, &outl, p, (int)n) != 1) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, SRTP_GCM_TAG_SIZE, tag) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(c, p + n, &outl) != 1)
		return -EBADMSG;
	return 0;
}

int
wrtc_srtp_protect(struct wrtc_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	uint8_t iv[16], md[SHA_DIGEST_LENGTH], roc[4];
	struct srtp_ssrc *st;
	size_t n = *len;
	uint64_t idx;
	uint32_t ssrc;
	int hdr, rc;

	hdr = rtp_header_size(pkt, n);
	if (hdr < 0)
		return hdr;
	if (cap < n || cap - n < s->rtp_tag + s->mki_size)
		return -ENOBUFS;
	ssrc = srtp_be32(pkt + 8);
	st = wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_ADD);
	if (st == NULL)
		return -ENOSPC;
	rc = estimate_index(st, srtp_be16(pkt + 2), &idx);
	if (rc == 0)
		rc = srtp_replay_check(st->rtp_seen, st->rtp_hi, st->rtp_win, idx);
	if (rc != 0)
		return rc;
	if (s->aead) {
		gcm_rtp_iv(iv, s->rtp.salt, ssrc, idx);
		rc = wrtc_srtp_gcm_seal(s->rtp.cipher, iv, pkt, hdr, NULL, 0, pkt + hdr, n - hdr);
		/* header | ciphertext | tag | MKI */
		memcpy(pkt + n + s->rtp_tag, s->mki, s->mki_size);
	} else {
		wrtc_srtp_cm_iv(iv, s->rtp.salt, ssrc, idx);
		rc = wrtc_srtp_ctr_crypt(s->rtp.cipher, iv, pkt + hdr, n - hdr);
		if (rc == 0) {
			srtp_put_be32(roc, (uint32_t)(idx >> 16));
			srtp_hmac(&s->rtp, pkt, n, roc, sizeof(roc), md);
			/* header | ciphertext | MKI | tag; the MKI is not authenticated. */
			memcpy(pkt + n, s->mki, s->mki_size);
			memcpy(pkt + n + s->mki_size, md, s->rtp_tag);
		}
	}
	if (rc != 0)
		return rc;
	srtp_replay_add(&st->rtp_seen, &st->rtp_hi, st->rtp_win, idx);
	srtp_publish_rtp(s, st);
	*len = n + s->rtp_tag + s->mki_size;
	return 0;
}

int
wrtc_srtp_unprotect(struct wrtc_srtp *s, uint8_t *pkt, size_t *len)
{
	static const struct srtp_ssrc fresh;
	uint8_t iv[16], md[SHA_DIGEST_LENGTH], roc[4];
	const struct srtp_ssrc *st;
	struct srtp_ssrc *w;
	size_t n = *len, body, tag_at;
	uint64_t idx;
	uint32_t ssrc;
	int hdr, rc;

	hdr = rtp_header_size(pkt, n);
	if (hdr < 0)
		return hdr;
	if (n - hdr < s->rtp_tag + s->mki_size)
		return -EINVAL;
	body = n - s->rtp_tag - s->mki_size;
	/* GCM: ciphertext | tag | MKI; AES-CM: ciphertext | MKI | tag. */
	tag_at = s->aead ? body : body + s->mki_size;
	if (s->mki_size &&
	    memcmp(pkt + (s->aead ? body + s->rtp_tag : body), s->mki, s->mki_size) != 0)
		return -EBADMSG;
	ssrc = srtp_be32(pkt + 8);
	/* A new SSRC only takes a slot once a packet of it authenticates. */
	st = wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_FIND);
	if (st == NULL)
		st = &fresh;
	rc = estimate_index(st, srtp_be16(pkt + 2), &idx);
	if (rc == 0)
		rc = srtp_replay_check(st->rtp_seen, st->rtp_hi, st->rtp_win, idx);
	if (rc != 0)
		return rc;
	if (s->aead) {
		gcm_rtp_iv(iv, s->rtp.salt, ssrc, idx);
		rc = wrtc_srtp_gcm_open(s->rtp.cipher, iv, pkt, hdr, NULL, 0, pkt + hdr,
					body - hdr, pkt + tag_at);
	} else {
		srtp_put_be32(roc, (uint32_t)(idx >> 16));
		srtp_hmac(&s->rtp, pkt, body, roc, sizeof(roc), md);
		if (CRYPTO_memcmp(md, pkt + tag_at, s->rtp_tag) != 0)
			return -EBADMSG;
		wrtc_srtp_cm_iv(iv, s->rtp.salt, ssrc, idx);
		rc = wrtc_srtp_ctr_crypt(s->rtp.cipher, iv, pkt + hdr, body - hdr);
	}
	if (rc != 0)
		return rc;
	w = st == &fresh ? wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_EVICT) : (struct srtp_ssrc *)st;
	srtp_replay_add(&w->rtp_seen, &w->rtp_hi, w->rtp_win, idx);
	srtp_publish_rtp(s, w);
	*len = body;
	return 0;
}
