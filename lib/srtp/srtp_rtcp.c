/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTCP protect and unprotect (RFC 3711 §3.4, RFC 7714 §9). Runs on workers: no
 * allocation, no locks, no logging.
 */
#include "srtp_priv.h" /* First: it sets OPENSSL_SUPPRESS_DEPRECATED. */

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>


enum {
	RTCP_HEADER = 8, /* First header + sender SSRC: always in the clear. */
	SRTCP_E_BIT = 0x80000000u,
};

static void
gcm_rtcp_iv(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint32_t idx)
{
	uint8_t b[12] = {0};

	srtp_put_be32(b + 2, ssrc);
	srtp_put_be32(b + 8, idx);
	for (int i = 0; i < 12; i++)
		iv[i] = salt[i] ^ b[i];
}

int
wrtc_srtp_protect_rtcp(struct wrtc_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	uint8_t iv[16], md[SHA_DIGEST_LENGTH];
	size_t n = *len, extra = s->rtcp_tag + SRTCP_INDEX_SIZE + s->mki_size;
	struct srtp_ssrc *st;
	uint32_t ssrc, idx;
	int rc;

	if (n < RTCP_HEADER || (pkt[0] >> 6) != 2)
		return -EINVAL;
	if (cap < n || cap - n < extra)
		return -ENOBUFS;
	ssrc = srtp_be32(pkt + 4);
	st = wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_ADD);
	if (st == NULL)
		return -ENOSPC;
	idx = st->rtcp_seen ? (uint32_t)st->rtcp_hi + 1 : 1;
	if (idx > SRTCP_INDEX_MAX)
		return -EKEYEXPIRED;
	if (s->aead) {
		/* header | ciphertext | tag | E+index | MKI; AAD = header | E+index. */
		uint8_t ei[4];

		srtp_put_be32(ei, SRTCP_E_BIT | idx);
		gcm_rtcp_iv(iv, s->rtcp.salt, ssrc, idx);
		rc = wrtc_srtp_gcm_seal(s->rtcp.cipher, iv, pkt, RTCP_HEADER, ei, sizeof(ei),
					pkt + RTCP_HEADER, n - RTCP_HEADER);
		if (rc != 0)
			return rc;
		memcpy(pkt + n + SRTP_GCM_TAG_SIZE, ei, sizeof(ei));
		memcpy(pkt + n + SRTP_GCM_TAG_SIZE + sizeof(ei), s->mki, s->mki_size);
	} else {
		/* header | ciphertext | E+index | MKI | tag; the tag covers all before the
		 * MKI. */
		wrtc_srtp_cm_iv(iv, s->rtcp.salt, ssrc, idx);
		rc = wrtc_srtp_ctr_crypt(s->rtcp.cipher, iv, pkt + RTCP_HEADER, n - RTCP_HEADER);
		if (rc != 0)
			return rc;
		srtp_put_be32(pkt + n, SRTCP_E_BIT | idx);
		srtp_hmac(&s->rtcp, pkt, n + SRTCP_INDEX_SIZE, NULL, 0, md);
		memcpy(pkt + n + SRTCP_INDEX_SIZE, s->mki, s->mki_size);
		memcpy(pkt + n + SRTCP_INDEX_SIZE + s->mki_size, md, s->rtcp_tag);
	}
	st->rtcp_seen = true;
	st->rtcp_hi = idx;
	srtp_publish_rtcp(s, st);
	*len = n + extra;
	return 0;
}

int
wrtc_srtp_unprotect_rtcp(struct wrtc_srtp *s, uint8_t *pkt, size_t *len)
{
	static const struct srtp_ssrc fresh;
	uint8_t iv[16], md[SHA_DIGEST_LENGTH];
	size_t n = *len, extra = s->rtcp_tag + SRTCP_INDEX_SIZE + s->mki_size, body;
	const struct srtp_ssrc *st;
	struct srtp_ssrc *w;
	uint32_t ssrc, ei, idx;
	uint8_t *ei_p;
	bool enc;
	int rc;

	if (n < RTCP_HEADER + extra || (pkt[0] >> 6) != 2)
		return -EINVAL;
	body = n - extra;
	/* GCM: body | tag | E+index | MKI; AES-CM: body | E+index | MKI | tag. */
	ei_p = s->aead ? pkt + body + s->rtcp_tag : pkt + body;
	if (s->mki_size && memcmp(ei_p + SRTCP_INDEX_SIZE, s->mki, s->mki_size) != 0)
		return -EBADMSG;
	ssrc = srtp_be32(pkt + 4);
	ei = srtp_be32(ei_p);
	enc = (ei & SRTCP_E_BIT) != 0;
	idx = ei & SRTCP_INDEX_MAX;
	st = wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_FIND);
	if (st == NULL)
		st = &fresh;
	rc = srtp_replay_check(st->rtcp_seen, st->rtcp_hi, st->rtcp_win, idx);
	if (rc != 0)
		return rc;
	if (s->aead) {
		gcm_rtcp_iv(iv, s->rtcp.salt, ssrc, idx);
		if (enc)
			rc = wrtc_srtp_gcm_open(s->rtcp.cipher, iv, pkt, RTCP_HEADER, ei_p,
						SRTCP_INDEX_SIZE, pkt + RTCP_HEADER,
						body - RTCP_HEADER, pkt + body);
		else
			rc = wrtc_srtp_gcm_open(s->rtcp.cipher, iv, pkt, body, ei_p,
						SRTCP_INDEX_SIZE, pkt + body, 0, pkt + body);
	} else {
		srtp_hmac(&s->rtcp, pkt, body + SRTCP_INDEX_SIZE, NULL, 0, md);
		if (CRYPTO_memcmp(md, ei_p + SRTCP_INDEX_SIZE + s->mki_size, s->rtcp_tag) != 0)
			return -EBADMSG;
		wrtc_srtp_cm_iv(iv, s->rtcp.salt, ssrc, idx);
		rc = enc ? wrtc_srtp_ctr_crypt(s->rtcp.cipher, iv, pkt + RTCP_HEADER,
					       body - RTCP_HEADER)
			 : 0;
	}
	if (rc != 0)
		return rc;
	w = st == &fresh ? wrtc_srtp_ssrc_get(s, ssrc, SRTP_SSRC_EVICT) : (struct srtp_ssrc *)st;
	srtp_replay_add(&w->rtcp_seen, &w->rtcp_hi, w->rtcp_win, idx);
	srtp_publish_rtcp(s, w);
	*len = body;
	return 0;
}
