/* SPDX-License-Identifier: BSD-3-Clause */
/* Private structures of lib/dtls. Everything is written on the control lcore. */
#ifndef WRTC_DTLS_PRIV_H
#define WRTC_DTLS_PRIV_H

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "wrtc_dtls.h"

struct wrtc_dtls_cert {
	X509 *x509;
	EVP_PKEY *pkey;
};

enum {
	DTLS_COOKIE_SECRET = 32,
	DTLS_DEFAULT_MTU = 1200,
	DTLS_MIN_MTU = 256,
};

struct wrtc_dtls_ctx {
	SSL_CTX *ssl_ctx;
	BIO_METHOD *bio_method;              /* Our datagram BIO. */
	uint8_t cookie_secret[DTLS_COOKIE_SECRET]; /* Random, for cookie HMACs. */
	unsigned int mtu;
	uint32_t initial_rto_us;
	uint32_t max_rto_us;
	uint64_t handshake_timeout_us;
	bool cookies;
};

/* One queued outgoing datagram. */
struct dtls_dgram {
	struct dtls_dgram *next;
	size_t size;
	uint8_t data[];
};

struct wrtc_dtls {
	struct wrtc_dtls_ctx *ctx;
	SSL *ssl;
	enum wrtc_dtls_role role;
	enum wrtc_dtls_state state;
	enum wrtc_dtls_hash peer_hash;
	uint8_t peer_md[EVP_MAX_MD_SIZE];  /* Expected peer certificate digest. */
	unsigned int peer_md_size;
	bool fingerprint_ok;               /* The verify callback matched the leaf. */
	const uint8_t *in;                 /* Datagram being fed in (BIO read side). */
	size_t in_size;
	struct dtls_dgram *out_head;       /* Datagrams written by OpenSSL, not yet sent. */
	struct dtls_dgram **out_tail;
	bool out_error;                    /* A queued write failed (no memory). */
	wrtc_dtls_send_fn *send;
	void *send_arg;
	wrtc_dtls_app_fn *app;
	void *app_arg;
	uint8_t peer_addr[64];             /* Cookie input. */
	size_t peer_addr_size;
	uint64_t start_us;
	uint64_t deadline_us;              /* Next retransmission, UINT64_MAX if none. */
	struct wrtc_dtls_srtp_keys keys;
	struct wrtc_dtls_stats stats;
	char alert[64];                    /* Last alert seen, for the reason. */
	char reason[WRTC_DTLS_REASON_MAX];
};

/* Create our datagram BIO method (freed with BIO_meth_free). */
BIO_METHOD *
wrtc_dtls_bio_method(void);

/* DTLS_set_timer_cb() callback: initial_rto, then doubled up to max_rto; counts
 * retransmissions. */
unsigned int
wrtc_dtls_timer_cb(SSL *ssl, unsigned int timer_us);

/* Digest for a hash id, and SDP names. */
const EVP_MD *
wrtc_dtls_hash_md(enum wrtc_dtls_hash hash);
const char *
wrtc_dtls_hash_name(enum wrtc_dtls_hash hash);

#endif
