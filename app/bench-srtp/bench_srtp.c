/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SRTP benchmark: nanoseconds per protect and per unprotect of a 172-byte RTP
 * packet (12-byte header, 160-byte payload) for each suite, for lib/srtp, for
 * libsrtp2, and for the raw OpenSSL EVP floor (AES-CTR + HMAC-SHA1, or AES-GCM, of
 * the same bytes with cached contexts). Prints the median of several runs, in
 * process CPU time (the machine is shared), with the ratio to the floor.
 *
 * Usage: wrtc-bench-srtp [runs (default 7)] [packets per run (default 200000)]
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <srtp2/srtp.h>

#include "wrtc_srtp.h"

enum { PKT = 172, HDR = 12, SLOT = 256, MAX_RUNS = 31 };

static double
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void
make_rtp(uint8_t *p, uint16_t seq)
{
	p[0] = 0x80;
	p[1] = 111;
	p[2] = seq >> 8;
	p[3] = (uint8_t)seq;
	memset(p + 4, 0x11, 4);
	p[8] = 0xca;
	p[9] = 0xfe;
	p[10] = 0xba;
	p[11] = 0xbe;
	for (int i = HDR; i < PKT; i++)
		p[i] = (uint8_t)(i * 7);
}

struct impl {
	const char *name;
	void *tx, *rx;
	int (*protect)(void *s, uint8_t *p, size_t *len);
	int (*unprotect)(void *s, uint8_t *p, size_t *len);
};

static int
our_protect(void *s, uint8_t *p, size_t *len)
{
	return wrtc_srtp_protect(s, p, len, SLOT);
}

static int
our_unprotect(void *s, uint8_t *p, size_t *len)
{
	return wrtc_srtp_unprotect(s, p, len);
}

static int
lib_protect(void *s, uint8_t *p, size_t *len)
{
	int n = (int)*len;
	int rc = srtp_protect(s, p, &n);

	*len = (size_t)n;
	return rc == srtp_err_status_ok ? 0 : -EIO;
}

static int
lib_unprotect(void *s, uint8_t *p, size_t *len)
{
	int n = (int)*len;
	int rc = srtp_unprotect(s, p, &n);

	*len = (size_t)n;
	return rc == srtp_err_status_ok ? 0 : -EIO;
}

/* The floor: what one packet costs in OpenSSL itself, with cached contexts. */
struct floor_ctx {
	bool gcm;
	EVP_CIPHER_CTX *cipher;
	EVP_MAC_CTX *mac;
	unsigned int tag;
};

static int
floor_protect(void *v, uint8_t *p, size_t *len)
{
	struct floor_ctx *f = v;
	uint8_t iv[16] = {0}, md[20];
	size_t mdlen;
	int outl;

	memcpy(iv + 4, p + 8, 4);
	memcpy(iv + 12, p + 2, 2);
	if (f->gcm) {
		if (EVP_EncryptInit_ex(f->cipher, NULL, NULL, NULL, iv) != 1 ||
		    EVP_EncryptUpdate(f->cipher, NULL, &outl, p, HDR) != 1 ||
		    EVP_EncryptUpdate(f->cipher, p + HDR, &outl, p + HDR, (int)*len - HDR) != 1 ||
		    EVP_EncryptFinal_ex(f->cipher, p + *len, &outl) != 1 ||
		    EVP_CIPHER_CTX_ctrl(f->cipher, EVP_CTRL_GCM_GET_TAG, 16, p + *len) != 1)
			return -EIO;
		*len += 16;
		return 0;
	}
	if (EVP_EncryptInit_ex(f->cipher, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(f->cipher, p + HDR, &outl, p + HDR, (int)*len - HDR) != 1 ||
	    EVP_MAC_init(f->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(f->mac, p, *len) != 1 ||
	    EVP_MAC_update(f->mac, iv, 4) != 1 ||
	    EVP_MAC_final(f->mac, md, &mdlen, sizeof(md)) != 1)
		return -EIO;
	memcpy(p + *len, md, f->tag);
	*len += f->tag;
	return 0;
}

static struct floor_ctx *
floor_create(enum wrtc_srtp_suite suite)
{
	struct floor_ctx *f = calloc(1, sizeof(*f));
	uint8_t key[32], ak[20];
	const EVP_CIPHER *c;
	EVP_MAC *mac;
	OSSL_PARAM params[2];

	RAND_bytes(key, sizeof(key));
	RAND_bytes(ak, sizeof(ak));
	f->gcm = suite == WRTC_SRTP_AEAD_AES_128_GCM || suite == WRTC_SRTP_AEAD_AES_256_GCM;
	f->tag = (unsigned int)wrtc_srtp_suite_rtp_overhead(suite);
	c = suite == WRTC_SRTP_AEAD_AES_256_GCM ? EVP_aes_256_gcm()
	    : f->gcm			       ? EVP_aes_128_gcm()
						       : EVP_aes_128_ctr();
	f->cipher = EVP_CIPHER_CTX_new();
	EVP_EncryptInit_ex(f->cipher, c, NULL, key, NULL);
	if (f->gcm) {
		EVP_CIPHER_CTX_ctrl(f->cipher, EVP_CTRL_GCM_SET_IVLEN, 12, NULL);
		return f;
	}
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	f->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	EVP_MAC_init(f->mac, ak, sizeof(ak), params);
	return f;
}

static void
floor_free(struct floor_ctx *f)
{
	EVP_CIPHER_CTX_free(f->cipher);
	EVP_MAC_CTX_free(f->mac);
	free(f);
}

static int
libsrtp_policy(enum wrtc_srtp_suite suite, srtp_policy_t *pol, uint8_t *keysalt, bool out)
{
	memset(pol, 0, sizeof(*pol));
	switch (suite) {
	case WRTC_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case WRTC_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol->rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
		break;
	case WRTC_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
		break;
	case WRTC_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
		break;
	default:
		return -1;
	}
	pol->ssrc.type = out ? ssrc_any_outbound : ssrc_any_inbound;
	pol->key = keysalt;
	pol->window_size = 128;
	return 0;
}

/* Create the sender and receiver of one implementation, fresh for each run. */
static int
impl_open(struct impl *im, int which, enum wrtc_srtp_suite suite, uint8_t *keysalt)
{
	size_t ksz = wrtc_srtp_suite_key_size(suite);

	memset(im, 0, sizeof(*im));
	if (which == 0) {
		struct wrtc_srtp_prm prm = {.suite = suite};

		memcpy(prm.master_key, keysalt, ksz);
		memcpy(prm.master_salt, keysalt + ksz, wrtc_srtp_suite_salt_size(suite));
		im->name = "wrtc_srtp";
		im->tx = wrtc_srtp_create(&prm);
		im->rx = wrtc_srtp_create(&prm);
		im->protect = our_protect;
		im->unprotect = our_unprotect;
	} else if (which == 1) {
		srtp_policy_t pol;
		srtp_t tx = NULL, rx = NULL;

		libsrtp_policy(suite, &pol, keysalt, true);
		srtp_create(&tx, &pol);
		libsrtp_policy(suite, &pol, keysalt, false);
		srtp_create(&rx, &pol);
		im->name = "libsrtp2";
		im->tx = tx;
		im->rx = rx;
		im->protect = lib_protect;
		im->unprotect = lib_unprotect;
	} else {
		im->name = "evp-floor";
		im->tx = floor_create(suite);
		im->protect = floor_protect;
	}
	return im->tx != NULL ? 0 : -1;
}

static void
impl_close(struct impl *im, int which)
{
	if (which == 0) {
		wrtc_srtp_free(im->tx);
		wrtc_srtp_free(im->rx);
	} else if (which == 1) {
		srtp_dealloc(im->tx);
		srtp_dealloc(im->rx);
	} else {
		floor_free(im->tx);
	}
}

int
main(int argc, char **argv)
{
	static const enum wrtc_srtp_suite suites[] = {
		WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, WRTC_SRTP_AES_CM_128_HMAC_SHA1_32,
		WRTC_SRTP_AEAD_AES_128_GCM, WRTC_SRTP_AEAD_AES_256_GCM};
	int runs = argc > 1 ? atoi(argv[1]) : 7;
	int n = argc > 2 ? atoi(argv[2]) : 200000;
	uint8_t *pk, keysalt[64], plain[SLOT];
	size_t *len;

	if (runs < 1 || runs > MAX_RUNS || n < 1000 || n > 1000000) {
		fprintf(stderr, "usage: %s [runs 1..%d] [packets 1000..1000000]\n", argv[0],
			MAX_RUNS);
		return 2;
	}
	if (srtp_init() != srtp_err_status_ok)
		return 1;
	pk = malloc((size_t)n * SLOT);
	len = malloc((size_t)n * sizeof(*len));
	if (pk == NULL || len == NULL)
		return 1;
	printf("# %d-byte RTP, %d packets per run, median of %d runs, CPU ns per packet\n", PKT, n,
	       runs);
	printf("# implementations interleaved within each run, so load changes hit all alike\n");
	printf("%-24s %-10s %10s %10s %8s\n", "suite", "impl", "protect", "unprotect", "vs floor");
	for (size_t si = 0; si < sizeof(suites) / sizeof(suites[0]); si++) {
		static double tp[3][MAX_RUNS], tu[3][MAX_RUNS];
		const char *names[3] = {"", "", ""};
		double med_p[3];

		for (int r = 0; r < runs; r++) {
			for (int which = 0; which < 3; which++) {
				struct impl im;
				double t0;

				RAND_bytes(keysalt, sizeof(keysalt));
				if (impl_open(&im, which, suites[si], keysalt) != 0)
					return 1;
				names[which] = im.name;
				/* Protect: copy the clear packet into its slot, then protect. */
				t0 = cpu_ns();
				for (int i = 0; i < n; i++) {
					uint8_t *p = pk + (size_t)i * SLOT;

					make_rtp(plain, (uint16_t)i);
					memcpy(p, plain, PKT);
					len[i] = PKT;
					if (im.protect(im.tx, p, &len[i]) != 0) {
						fprintf(stderr, "%s: protect failed\n", im.name);
						return 1;
					}
				}
				tp[which][r] = (cpu_ns() - t0) / n;
				/* Unprotect the packets just protected, in order. */
				tu[which][r] = 0;
				if (im.unprotect) {
					t0 = cpu_ns();
					for (int i = 0; i < n; i++) {
						uint8_t *p = pk + (size_t)i * SLOT;

						if (im.unprotect(im.rx, p, &len[i]) != 0) {
							fprintf(stderr, "%s: unprotect failed\n",
								im.name);
							return 1;
						}
					}
					tu[which][r] = (cpu_ns() - t0) / n;
				}
				impl_close(&im, which);
			}
		}
		for (int which = 0; which < 3; which++)
			med_p[which] = median(tp[which], runs);
		for (int which = 0; which < 3; which++) {
			printf("%-24s %-10s %10.0f", wrtc_srtp_suite_name(suites[si]), names[which],
			       med_p[which]);
			if (which < 2)
				printf(" %10.0f", median(tu[which], runs));
			else
				printf(" %10s", "-");
			printf(" %7.2fx\n", med_p[which] / med_p[2]);
		}
	}
	/* Context creation (KDF + cipher setup), both directions of one suite. */
	double t0 = cpu_ns();
	int creates = 200;

	for (int i = 0; i < creates; i++) {
		struct impl im;

		impl_open(&im, 0, WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, keysalt);
		impl_close(&im, 0);
	}
	printf("create wrtc_srtp (tx+rx): %.1f CPU us\n", (cpu_ns() - t0) / creates / 1e3);
	t0 = cpu_ns();
	for (int i = 0; i < creates; i++) {
		struct impl im;

		impl_open(&im, 1, WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, keysalt);
		impl_close(&im, 1);
	}
	printf("create libsrtp2  (tx+rx): %.1f CPU us\n", (cpu_ns() - t0) / creates / 1e3);
	free(pk);
	free(len);
	return 0;
}
