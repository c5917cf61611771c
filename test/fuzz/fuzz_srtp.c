/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/srtp: SRTP and SRTCP unprotect with keys set, every
 * suite, with and without an MKI. The first input byte picks the set-up:
 *
 *   bits 0-1  suite (AES_CM_128_HMAC_SHA1_80, _32, AEAD_AES_128_GCM, _256_GCM)
 *   bits 2-4  MKI size (0..4)
 *   bit 5     track only two SSRCs (exercises a full table)
 *
 * The rest is a list of records: an operation byte, a length byte, then that
 * many bytes. Operation & 3: 0 unprotect the bytes as SRTP, 1 as SRTCP,
 * 2 protect them as RTP with the sender's context then unprotect the result
 * with the receiver's, 3 the same for RTCP. With bit 2 set, one byte of the
 * protected packet is changed in between (bits 3-7 and the first data byte
 * say which), so unprotect must refuse it.
 *
 * Checked: unprotect never reads or writes outside the packet, never grows it,
 * refuses every altered packet, and while nothing was lost between sender and
 * receiver, gives back exactly what was protected.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PKT_MAX = 512 };

static const enum wrtc_srtp_suite suites[4] = {
	WRTC_SRTP_AES_CM_128_HMAC_SHA1_80,
	WRTC_SRTP_AES_CM_128_HMAC_SHA1_32,
	WRTC_SRTP_AEAD_AES_128_GCM,
	WRTC_SRTP_AEAD_AES_256_GCM,
};

static void
make_prm(struct wrtc_srtp_prm *prm, int mode)
{
	memset(prm, 0, sizeof(*prm));
	prm->suite = suites[mode & 3];
	for (size_t i = 0; i < sizeof(prm->master_key); i++)
		prm->master_key[i] = (uint8_t)(0x10 + i * 7);
	for (size_t i = 0; i < sizeof(prm->master_salt); i++)
		prm->master_salt[i] = (uint8_t)(0xa0 ^ i * 13);
	prm->mki_size = ((unsigned int)mode >> 2 & 7) % 5;
	prm->mki = 0x01020304u & (prm->mki_size == 4 ? 0xffffffffu
						     : (1u << (8 * prm->mki_size)) - 1);
	prm->max_ssrcs = (mode & 0x20) ? 2 : 0;
}

/* Unprotect a copy of exactly @p n bytes, so ASan sees any access past it. */
static int
unprotect(struct wrtc_srtp *rx, bool rtcp, const uint8_t *in, size_t n, uint8_t *out,
	  size_t *out_len)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t len = n;
	int rc;

	if (p == NULL)
		abort();
	memcpy(p, in, n);
	rc = rtcp ? wrtc_srtp_unprotect_rtcp(rx, p, &len) : wrtc_srtp_unprotect(rx, p, &len);
	if (rc == 0) {
		if (len > n)
			__builtin_trap();
		if (out != NULL)
			memcpy(out, p, len);
		*out_len = len;
	} else if (wrtc_srtp_strerror(rc) == NULL) {
		__builtin_trap();
	}
	free(p);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[PKT_MAX + WRTC_SRTP_MAX_TRAILER], clear[PKT_MAX + WRTC_SRTP_MAX_TRAILER];
	struct wrtc_srtp *tx, *rx;
	struct wrtc_srtp_prm prm;
	bool diverged = false;
	size_t i = 1;

	if (size < 1)
		return 0;
	make_prm(&prm, data[0]);
	tx = wrtc_srtp_create(&prm);
	rx = wrtc_srtp_create(&prm);
	if (tx == NULL || rx == NULL)
		abort();
	while (i + 2 <= size) {
		int op = data[i];
		size_t n = data[i + 1], len, out_len = 0;
		bool rtcp = op & 1;
		int rc;

		i += 2;
		if (n > size - i)
			n = size - i;
		if (!(op & 2)) {
			if (unprotect(rx, rtcp, data + i, n, NULL, &out_len) == 0)
				diverged = true; /* The receiver moved on its own. */
			i += n;
			continue;
		}
		memcpy(pkt, data + i, n);
		len = n;
		rc = rtcp ? wrtc_srtp_protect_rtcp(tx, pkt, &len, sizeof(pkt))
			  : wrtc_srtp_protect(tx, pkt, &len, sizeof(pkt));
		if (rc != 0) {
			i += n;
			continue;
		}
		if (len > sizeof(pkt) || len < n)
			__builtin_trap();
		if (op & 4) {
			size_t at = (((size_t)op >> 3) * 256 + (n ? data[i] : 0)) % len;

			pkt[at] ^= 0x5a;
			if (unprotect(rx, rtcp, pkt, len, NULL, &out_len) == 0)
				__builtin_trap(); /* An altered packet was accepted. */
			diverged = true;
		} else {
			rc = unprotect(rx, rtcp, pkt, len, clear, &out_len);
			if (!diverged && (rc != 0 || out_len != n || memcmp(clear, data + i, n) != 0))
				__builtin_trap(); /* Round trip lost or changed the packet. */
			if (rc != 0)
				diverged = true;
		}
		i += n;
	}
	wrtc_srtp_free(tx);
	wrtc_srtp_free(rx);
	return 0;
}
