/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared context (SSL_CTX) and the callbacks OpenSSL calls: our datagram BIO,
 * cookie generation and check, peer certificate check, retransmission timer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>

#include "dtls_priv.h"

/*
 * Our BIO keeps datagram boundaries: a read returns the one datagram being fed
 * in, whole, then "retry"; each write is one datagram, queued until the
 * association flushes it to the send callback (after OpenSSL returns, so that a
 * callback feeding another association in-process never recurses into OpenSSL).
 */
static int
bio_write(BIO *b, const char *data, int len)
{
	struct wrtc_dtls *d = BIO_get_data(b);
	struct dtls_dgram *g;

	BIO_clear_retry_flags(b);
	if (len <= 0)
		return 0;
	g = malloc(sizeof(*g) + (size_t)len);
	if (g == NULL) {
		d->out_error = true;
		return -1;
	}
	g->next = NULL;
	g->size = (size_t)len;
	memcpy(g->data, data, (size_t)len);
	*d->out_tail = g;
	d->out_tail = &g->next;
	return len;
}

static int
bio_read(BIO *b, char *buf, int len)
{
	struct wrtc_dtls *d = BIO_get_data(b);
	size_t n;

	BIO_clear_retry_flags(b);
	if (d->in == NULL) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* A datagram longer than the buffer is truncated, as recv() would do. */
	n = d->in_size < (size_t)len ? d->in_size : (size_t)len;
	memcpy(buf, d->in, n);
	d->in = NULL;
	d->in_size = 0;
	return (int)n;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct wrtc_dtls *d = BIO_get_data(b);

	switch (cmd) {
	case BIO_CTRL_FLUSH:
	case BIO_CTRL_DGRAM_SET_NEXT_TIMEOUT:
		return 1;
	case BIO_CTRL_PENDING:
		return d && d->in ? (long)d->in_size : 0;
	case BIO_CTRL_WPENDING:
		return 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_FALLBACK_MTU:
		return d ? (long)d->ctx->mtu : DTLS_DEFAULT_MTU;
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 28; /* IPv4 + UDP; the configured MTU is already for the payload. */
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

BIO_METHOD *
wrtc_dtls_bio_method(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "wrtc-dgram");

	if (m == NULL)
		return NULL;
	if (BIO_meth_set_write(m, bio_write) != 1 || BIO_meth_set_read(m, bio_read) != 1 ||
	    BIO_meth_set_ctrl(m, bio_ctrl) != 1 || BIO_meth_set_create(m, bio_create) != 1) {
		BIO_meth_free(m);
		return NULL;
	}
	return m;
}

/* Cookie = HMAC-SHA256(secret, peer address) (RFC 6347 §4.2.1). */
static int
cookie_compute(SSL *ssl, uint8_t *out, unsigned int *len)
{
	struct wrtc_dtls *d = SSL_get_app_data(ssl);

	if (d == NULL ||
	    HMAC(EVP_sha256(), d->ctx->cookie_secret, DTLS_COOKIE_SECRET, d->peer_addr,
		 d->peer_addr_size, out, len) == NULL)
		return 0;
	return 1;
}

static int
cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	return cookie_compute(ssl, cookie, len);
}

static int
cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	uint8_t exp[EVP_MAX_MD_SIZE];
	unsigned int n;

	if (!cookie_compute(ssl, exp, &n))
		return 0;
	return n == len && CRYPTO_memcmp(exp, cookie, n) == 0;
}

/*
 * The peer's certificate is self-signed: there is no chain to build or check.
 * What counts is that the leaf matches the fingerprint signalled in SDP, so this
 * replaces X509_verify_cert() entirely (which would only add chain building and
 * store lookups); a mismatch aborts the handshake with a bad_certificate alert.
 */
static int
verify_peer(X509_STORE_CTX *store, void *arg)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct wrtc_dtls *d = ssl ? SSL_get_app_data(ssl) : NULL;
	X509 *leaf = X509_STORE_CTX_get0_cert(store);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (d == NULL || leaf == NULL) {
		X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
		return 0;
	}
	if (X509_digest(leaf, wrtc_dtls_hash_md(d->peer_hash), md, &n) != 1 ||
	    n != d->peer_md_size || CRYPTO_memcmp(md, d->peer_md, n) != 0) {
		d->fingerprint_ok = false;
		snprintf(d->reason, sizeof(d->reason), "peer fingerprint mismatch");
		X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	d->fingerprint_ok = true;
	X509_STORE_CTX_set_error(store, X509_V_OK);
	return 1;
}

/* Retransmission timer: initial_rto, doubled on each timeout up to max_rto. */
unsigned int
wrtc_dtls_timer_cb(SSL *ssl, unsigned int timer_us)
{
	struct wrtc_dtls *d = SSL_get_app_data(ssl);
	uint64_t next;

	if (d == NULL)
		return 1000000;
	if (timer_us == 0)
		return d->ctx->initial_rto_us;
	/* A non-zero timer is being backed off: OpenSSL is retransmitting, either from
	 * wrtc_dtls_handle_timeout() or while reading when the timer had expired. */
	d->stats.retransmits++;
	next = (uint64_t)timer_us * 2;
	return next > d->ctx->max_rto_us ? d->ctx->max_rto_us : (unsigned int)next;
}

static const char *
profile_name(enum wrtc_srtp_suite s)
{
	switch (s) {
	case WRTC_SRTP_AES_CM_128_HMAC_SHA1_80:
		return "SRTP_AES128_CM_SHA1_80";
	case WRTC_SRTP_AES_CM_128_HMAC_SHA1_32:
		return "SRTP_AES128_CM_SHA1_32";
	case WRTC_SRTP_AEAD_AES_128_GCM:
		return "SRTP_AEAD_AES_128_GCM";
	case WRTC_SRTP_AEAD_AES_256_GCM:
		return "SRTP_AEAD_AES_256_GCM";
	default:
		return NULL;
	}
}

void
wrtc_dtls_ctx_free(struct wrtc_dtls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl_ctx);
	BIO_meth_free(ctx->bio_method);
	OPENSSL_cleanse(ctx->cookie_secret, sizeof(ctx->cookie_secret));
	free(ctx);
}

static struct wrtc_dtls_ctx *
ctx_fail(struct wrtc_dtls_ctx *ctx, int e, char *err, size_t err_size, const char *what)
{
	unsigned long oe = ERR_peek_last_error();
	char detail[120] = "";

	if (oe)
		ERR_error_string_n(oe, detail, sizeof(detail));
	if (err && err_size)
		snprintf(err, err_size, "%s%s%s", what, oe ? ": " : "", detail);
	ERR_clear_error();
	wrtc_dtls_ctx_free(ctx);
	errno = e;
	return NULL;
}

struct wrtc_dtls_ctx *
wrtc_dtls_ctx_create(const struct wrtc_dtls_ctx_prm *prm, char *err, size_t err_size)
{
	static const enum wrtc_srtp_suite dflt[] = {
		WRTC_SRTP_AEAD_AES_128_GCM, WRTC_SRTP_AES_CM_128_HMAC_SHA1_80,
		WRTC_SRTP_AEAD_AES_256_GCM, WRTC_SRTP_AES_CM_128_HMAC_SHA1_32};
	static const struct wrtc_dtls_ctx_prm zero;
	const struct wrtc_dtls_cert *cert;
	struct wrtc_dtls_ctx *ctx;
	char profiles[128] = "";
	size_t o = 0;

	ERR_clear_error();
	if (prm == NULL)
		prm = &zero;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL)
		return ctx_fail(NULL, ENOMEM, err, err_size, "dtls: out of memory");
	ctx->mtu = prm->mtu ? prm->mtu : DTLS_DEFAULT_MTU;
	if (ctx->mtu < DTLS_MIN_MTU)
		return ctx_fail(ctx, EINVAL, err, err_size, "dtls: mtu below 256");
	ctx->initial_rto_us = prm->initial_rto_us ? prm->initial_rto_us : 1000000;
	ctx->max_rto_us = prm->max_rto_us ? prm->max_rto_us : 60000000;
	if (ctx->max_rto_us < ctx->initial_rto_us)
		ctx->max_rto_us = ctx->initial_rto_us;
	ctx->handshake_timeout_us = prm->handshake_timeout_us ? prm->handshake_timeout_us
							      : 30000000;
	ctx->cookies = !prm->no_cookie_exchange;

	for (size_t i = 0; i < WRTC_SRTP_SUITE_MAX && prm->profiles[i] != WRTC_SRTP_SUITE_NONE;
	     i++) {
		const char *n = profile_name(prm->profiles[i]);

		if (n == NULL)
			return ctx_fail(ctx, EINVAL, err, err_size,
					"dtls: profiles: unknown SRTP suite");
		o += (size_t)snprintf(profiles + o, sizeof(profiles) - o, "%s%s", o ? ":" : "", n);
	}
	for (size_t i = 0; o == 0 && i < sizeof(dflt) / sizeof(dflt[0]); i++)
		o += (size_t)snprintf(profiles + o, sizeof(profiles) - o, "%s%s", i ? ":" : "",
				      profile_name(dflt[i]));

	cert = prm->cert ? prm->cert : wrtc_dtls_cert_default();
	if (cert == NULL)
		return ctx_fail(ctx, EIO, err, err_size, "dtls: no certificate");
	if (RAND_bytes(ctx->cookie_secret, sizeof(ctx->cookie_secret)) != 1)
		return ctx_fail(ctx, EIO, err, err_size, "dtls: RAND_bytes");
	ctx->bio_method = wrtc_dtls_bio_method();
	ctx->ssl_ctx = SSL_CTX_new(DTLS_method());
	if (ctx->bio_method == NULL || ctx->ssl_ctx == NULL)
		return ctx_fail(ctx, ENOMEM, err, err_size, "dtls: SSL_CTX_new");
	SSL_CTX *c = ctx->ssl_ctx;

	if (prm->allow_dtls10)
		/* DTLS 1.0 signs with SHA-1/MD5: needs security level 0 in OpenSSL 3. */
		SSL_CTX_set_security_level(c, 0);
	if (SSL_CTX_set_min_proto_version(c, prm->allow_dtls10 ? DTLS1_VERSION
							       : DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(c, DTLS1_2_VERSION) != 1)
		return ctx_fail(ctx, EIO, err, err_size, "dtls: protocol versions");
	if (SSL_CTX_use_certificate(c, cert->x509) != 1 ||
	    SSL_CTX_use_PrivateKey(c, cert->pkey) != 1 || SSL_CTX_check_private_key(c) != 1)
		return ctx_fail(ctx, EINVAL, err, err_size, "dtls: certificate rejected");
	if (SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
				       "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
				       "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
				       "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:"
				       "ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA") != 1 ||
	    SSL_CTX_set1_groups_list(c, "X25519:P-256:P-384") != 1)
		return ctx_fail(ctx, EIO, err, err_size, "dtls: cipher list");
	/* Note: SSL_CTX_set_tlsext_use_srtp() returns 0 on success. */
	if (SSL_CTX_set_tlsext_use_srtp(c, profiles) != 0)
		return ctx_fail(ctx, EINVAL, err, err_size, "dtls: use_srtp profiles");
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	SSL_CTX_set_cert_verify_callback(c, verify_peer, NULL);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(c, SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU);
	SSL_CTX_set_read_ahead(c, 1);
	SSL_CTX_set_cookie_generate_cb(c, cookie_generate);
	SSL_CTX_set_cookie_verify_cb(c, cookie_verify);
	return ctx;
}
