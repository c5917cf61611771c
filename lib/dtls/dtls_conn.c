/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One DTLS-SRTP association: handshake driving, timers, fingerprint check, SRTP
 * key export (RFC 5764 §4.2).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>

#include <openssl/err.h>
#include <openssl/srtp.h>

#include "dtls_priv.h"

static void
fail(struct wrtc_dtls *d, const char *fmt, ...)
{
	va_list ap;

	if (d->state == WRTC_DTLS_FAILED)
		return;
	d->state = WRTC_DTLS_FAILED;
	d->deadline_us = UINT64_MAX;
	/* The verify callback may already have said why (fingerprint mismatch). */
	if (d->reason[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
		va_end(ap);
	}
}

/* Reason from OpenSSL's error queue and the last alert. */
static void
fail_ssl(struct wrtc_dtls *d, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	char detail[120] = "";

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	fail(d, "%s%s%s%s%s", what, d->alert[0] ? ": " : "", d->alert, detail[0] ? ": " : "",
	     detail);
	ERR_clear_error();
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct wrtc_dtls *d = SSL_get_app_data(ssl);

	if (d == NULL || !(where & SSL_CB_ALERT))
		return;
	snprintf(d->alert, sizeof(d->alert), "%s alert %s", (where & SSL_CB_READ) ? "received"
										  : "sent",
		 SSL_alert_desc_string_long(ret));
}

static void
flush(struct wrtc_dtls *d)
{
	struct dtls_dgram *g = d->out_head, *next;

	d->out_head = NULL;
	d->out_tail = &d->out_head;
	for (; g != NULL; g = next) {
		next = g->next;
		d->stats.tx_datagrams++;
		d->send(d->send_arg, g->data, g->size);
		free(g);
	}
}

static void
update_deadline(struct wrtc_dtls *d, uint64_t now)
{
	struct timeval tv;

	d->deadline_us = UINT64_MAX;
	if (d->state != WRTC_DTLS_HANDSHAKING)
		return;
	if (DTLSv1_get_timeout(d->ssl, &tv) == 1)
		d->deadline_us = now + (uint64_t)tv.tv_sec * 1000000 + (uint64_t)tv.tv_usec;
}

static enum wrtc_srtp_suite
suite_of_profile(unsigned long id)
{
	switch (id) {
	case SRTP_AES128_CM_SHA1_80:
		return WRTC_SRTP_AES_CM_128_HMAC_SHA1_80;
	case SRTP_AES128_CM_SHA1_32:
		return WRTC_SRTP_AES_CM_128_HMAC_SHA1_32;
	case SRTP_AEAD_AES_128_GCM:
		return WRTC_SRTP_AEAD_AES_128_GCM;
	case SRTP_AEAD_AES_256_GCM:
		return WRTC_SRTP_AEAD_AES_256_GCM;
	default:
		return WRTC_SRTP_SUITE_NONE;
	}
}

/* Handshake finished: check the peer certificate and export the SRTP keys. */
static void
on_handshake_done(struct wrtc_dtls *d)
{
	SRTP_PROTECTION_PROFILE *p = SSL_get_selected_srtp_profile(d->ssl);
	uint8_t km[2 * (WRTC_SRTP_MAX_KEY_SIZE + WRTC_SRTP_MAX_SALT_SIZE)];
	static const char label[] = "EXTRACTOR-dtls_srtp";
	struct wrtc_srtp_prm *client, *server;
	enum wrtc_srtp_suite suite;
	size_t ks, ss;

	if (SSL_get0_peer_certificate(d->ssl) == NULL || !d->fingerprint_ok) {
		fail(d, "peer certificate missing or fingerprint not checked");
		return;
	}
	suite = p ? suite_of_profile(p->id) : WRTC_SRTP_SUITE_NONE;
	if (suite == WRTC_SRTP_SUITE_NONE) {
		fail(d, "no SRTP profile negotiated (use_srtp)");
		return;
	}
	ks = wrtc_srtp_suite_key_size(suite);
	ss = wrtc_srtp_suite_salt_size(suite);
	if (SSL_export_keying_material(d->ssl, km, 2 * (ks + ss), label, sizeof(label) - 1, NULL,
				       0, 0) != 1) {
		fail_ssl(d, "keying material export failed");
		return;
	}
	memset(&d->keys, 0, sizeof(d->keys));
	d->keys.suite = suite;
	client = d->role == WRTC_DTLS_ROLE_ACTIVE ? &d->keys.local : &d->keys.remote;
	server = d->role == WRTC_DTLS_ROLE_ACTIVE ? &d->keys.remote : &d->keys.local;
	client->suite = suite;
	server->suite = suite;
	/* client key | server key | client salt | server salt */
	memcpy(client->master_key, km, ks);
	memcpy(server->master_key, km + ks, ks);
	memcpy(client->master_salt, km + 2 * ks, ss);
	memcpy(server->master_salt, km + 2 * ks + ss, ss);
	OPENSSL_cleanse(km, sizeof(km));
	d->state = WRTC_DTLS_CONNECTED;
}

/* Let OpenSSL process whatever is fed in, then send what it wrote. */
static void
drive(struct wrtc_dtls *d, uint64_t now)
{
	int rc, err;

	ERR_clear_error();
	if (d->state == WRTC_DTLS_HANDSHAKING) {
		rc = SSL_do_handshake(d->ssl);
		if (rc == 1) {
			on_handshake_done(d);
		} else {
			err = SSL_get_error(d->ssl, rc);
			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
				fail_ssl(d, "handshake failed");
		}
	}
	/* After the handshake (possibly just now): retransmitted Finished, alerts, and
	 * application data (for the app callback, if any). */
	while (d->state == WRTC_DTLS_CONNECTED) {
		uint8_t buf[16384];

		rc = SSL_read(d->ssl, buf, sizeof(buf));
		if (rc > 0) {
			d->stats.rx_app_bytes += (uint64_t)rc;
			if (d->app != NULL)
				d->app(d->app_arg, buf, (size_t)rc);
			continue;
		}
		err = SSL_get_error(d->ssl, rc);
		if (err == SSL_ERROR_SSL)
			fail_ssl(d, "DTLS error after handshake");
		/* ZERO_RETURN (close_notify) leaves the SRTP keys valid: stay connected. */
		break;
	}
	ERR_clear_error();
	if (d->out_error) {
		d->out_error = false;
		fail(d, "out of memory queueing a datagram");
	}
	flush(d);
	update_deadline(d, now);
}

/* Parse "sha-256 AB:CD:..." into a hash id and digest bytes. */
static int
parse_fingerprint(struct wrtc_dtls *d, const char *fp)
{
	const char *sp = strchr(fp, ' ');
	size_t n;
	int h;

	if (sp == NULL)
		return -EINVAL;
	for (h = 0; h < WRTC_DTLS_HASH_MAX; h++) {
		const char *name = wrtc_dtls_hash_name((enum wrtc_dtls_hash)h);
		size_t nlen = (size_t)(sp - fp);

		if (strlen(name) == nlen && strncasecmp(fp, name, nlen) == 0)
			break;
	}
	if (h == WRTC_DTLS_HASH_MAX)
		return -EINVAL;
	while (*sp == ' ')
		sp++;
	for (n = 0; n < EVP_MAX_MD_SIZE; n++) {
		unsigned int v;
		char c1 = sp[0], c2 = c1 ? sp[1] : 0;

		if (!isxdigit((unsigned char)c1) || !isxdigit((unsigned char)c2) ||
		    sscanf(sp, "%2x", &v) != 1)
			return -EINVAL;
		d->peer_md[n] = (uint8_t)v;
		sp += 2;
		if (*sp != ':')
			break;
		sp++;
	}
	while (*sp == ' ' || *sp == '\r' || *sp == '\n')
		sp++;
	if (*sp != '\0' || n >= EVP_MAX_MD_SIZE)
		return -EINVAL;
	d->peer_hash = (enum wrtc_dtls_hash)h;
	d->peer_md_size = (unsigned int)n + 1;
	if ((int)d->peer_md_size != EVP_MD_get_size(wrtc_dtls_hash_md(d->peer_hash)))
		return -EINVAL;
	return 0;
}

void
wrtc_dtls_free(struct wrtc_dtls *d)
{
	struct dtls_dgram *g, *next;

	if (d == NULL)
		return;
	SSL_free(d->ssl);
	for (g = d->out_head; g != NULL; g = next) {
		next = g->next;
		free(g);
	}
	OPENSSL_cleanse(&d->keys, sizeof(d->keys));
	free(d);
}

struct wrtc_dtls *
wrtc_dtls_create(const struct wrtc_dtls_prm *prm)
{
	struct wrtc_dtls *d;
	BIO *bio;

	if (prm == NULL || prm->ctx == NULL || prm->send == NULL || prm->peer_fingerprint == NULL ||
	    (prm->role != WRTC_DTLS_ROLE_ACTIVE && prm->role != WRTC_DTLS_ROLE_PASSIVE)) {
		errno = EINVAL;
		return NULL;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->ctx = prm->ctx;
	d->role = prm->role;
	d->send = prm->send;
	d->send_arg = prm->send_arg;
	d->app = prm->app;
	d->app_arg = prm->app_arg;
	d->out_tail = &d->out_head;
	d->deadline_us = UINT64_MAX;
	d->peer_addr_size = prm->peer_addr_size < sizeof(d->peer_addr) ? prm->peer_addr_size
								       : sizeof(d->peer_addr);
	if (prm->peer_addr && d->peer_addr_size)
		memcpy(d->peer_addr, prm->peer_addr, d->peer_addr_size);
	if (parse_fingerprint(d, prm->peer_fingerprint) != 0) {
		free(d);
		errno = EINVAL;
		return NULL;
	}
	d->ssl = SSL_new(prm->ctx->ssl_ctx);
	bio = d->ssl ? BIO_new(prm->ctx->bio_method) : NULL;
	if (bio == NULL) {
		wrtc_dtls_free(d);
		ERR_clear_error();
		errno = ENOMEM;
		return NULL;
	}
	BIO_set_data(bio, d);
	SSL_set_bio(d->ssl, bio, bio);
	SSL_set_app_data(d->ssl, d);
	SSL_set_info_callback(d->ssl, info_cb);
	DTLS_set_timer_cb(d->ssl, wrtc_dtls_timer_cb);
	SSL_set_mtu(d->ssl, d->ctx->mtu);
	if (d->role == WRTC_DTLS_ROLE_ACTIVE) {
		SSL_set_connect_state(d->ssl);
	} else {
		SSL_set_accept_state(d->ssl);
		if (d->ctx->cookies)
			SSL_set_options(d->ssl, SSL_OP_COOKIE_EXCHANGE);
	}
	return d;
}

int
wrtc_dtls_start(struct wrtc_dtls *d, uint64_t now_us)
{
	if (d->state != WRTC_DTLS_NONE)
		return -EALREADY;
	d->state = WRTC_DTLS_HANDSHAKING;
	d->start_us = now_us;
	if (d->role == WRTC_DTLS_ROLE_ACTIVE)
		drive(d, now_us);
	return d->state == WRTC_DTLS_FAILED ? -EPROTO : 0;
}

int
wrtc_dtls_input(struct wrtc_dtls *d, const uint8_t *data, size_t size, uint64_t now_us)
{
	if (d->state == WRTC_DTLS_FAILED)
		return -ESHUTDOWN;
	if (data == NULL || size == 0)
		return -EINVAL;
	if (d->state == WRTC_DTLS_NONE) {
		d->state = WRTC_DTLS_HANDSHAKING;
		d->start_us = now_us;
	}
	d->stats.rx_datagrams++;
	d->in = data;
	d->in_size = size;
	drive(d, now_us);
	/* Whatever OpenSSL did not read is dropped, never kept past this call. */
	d->in = NULL;
	d->in_size = 0;
	return d->state == WRTC_DTLS_FAILED ? -EPROTO : 0;
}

uint64_t
wrtc_dtls_next_timeout(const struct wrtc_dtls *d)
{
	uint64_t limit;

	if (d->state != WRTC_DTLS_HANDSHAKING)
		return UINT64_MAX;
	limit = d->start_us + d->ctx->handshake_timeout_us;
	return d->deadline_us < limit ? d->deadline_us : limit;
}

int
wrtc_dtls_write(struct wrtc_dtls *d, const uint8_t *data, size_t size)
{
	int rc;

	if (size == 0)
		return -EINVAL;
	if (d->state != WRTC_DTLS_CONNECTED)
		return -ENOTCONN;
	if (size > SSL3_RT_MAX_PLAIN_LENGTH)
		return -EMSGSIZE;
	ERR_clear_error();
	rc = SSL_write(d->ssl, data, (int)size);
	ERR_clear_error();
	if (rc != (int)size) {
		flush(d);
		return -EIO;
	}
	d->stats.tx_app_bytes += size;
	flush(d);
	if (d->out_error) {
		d->out_error = false;
		return -EIO;
	}
	return 0;
}

int
wrtc_dtls_handle_timeout(struct wrtc_dtls *d, uint64_t now_us)
{
	int rc;

	if (d->state == WRTC_DTLS_FAILED)
		return -ESHUTDOWN;
	if (d->state != WRTC_DTLS_HANDSHAKING)
		return 0;
	if (now_us - d->start_us >= d->ctx->handshake_timeout_us) {
		fail(d, "handshake timed out after %llu retransmissions",
		     (unsigned long long)d->stats.retransmits);
		return -EPROTO;
	}
	if (now_us < d->deadline_us)
		return 0;
	ERR_clear_error();
	rc = DTLSv1_handle_timeout(d->ssl);
	if (rc < 0)
		fail_ssl(d, "retransmission failed");
	ERR_clear_error();
	flush(d);
	update_deadline(d, now_us);
	return d->state == WRTC_DTLS_FAILED ? -EPROTO : 0;
}

enum wrtc_dtls_state
wrtc_dtls_state(const struct wrtc_dtls *d)
{
	return d->state;
}

const char *
wrtc_dtls_state_name(enum wrtc_dtls_state state)
{
	switch (state) {
	case WRTC_DTLS_NONE:
		return "none";
	case WRTC_DTLS_HANDSHAKING:
		return "handshaking";
	case WRTC_DTLS_CONNECTED:
		return "connected";
	case WRTC_DTLS_FAILED:
		return "failed";
	}
	return "unknown";
}

const char *
wrtc_dtls_reason(const struct wrtc_dtls *d)
{
	return d->state == WRTC_DTLS_FAILED ? d->reason : "";
}

const char *
wrtc_dtls_version(const struct wrtc_dtls *d)
{
	return d->state == WRTC_DTLS_CONNECTED ? SSL_get_version(d->ssl) : "";
}

int
wrtc_dtls_srtp_keys(const struct wrtc_dtls *d, struct wrtc_dtls_srtp_keys *out)
{
	if (d->state != WRTC_DTLS_CONNECTED)
		return -EAGAIN;
	*out = d->keys;
	return 0;
}

void
wrtc_dtls_stats(const struct wrtc_dtls *d, struct wrtc_dtls_stats *out)
{
	*out = d->stats;
}

int
wrtc_dtls_role_from_setup(const char *peer_setup, size_t len, enum wrtc_dtls_role *role)
{
	while (len > 0 && (peer_setup[len - 1] == '\r' || peer_setup[len - 1] == '\n' ||
			   peer_setup[len - 1] == ' '))
		len--;
	if (len == 6 && strncasecmp(peer_setup, "active", 6) == 0)
		*role = WRTC_DTLS_ROLE_PASSIVE;
	else if (len == 7 && strncasecmp(peer_setup, "passive", 7) == 0)
		*role = WRTC_DTLS_ROLE_ACTIVE;
	else if (len == 7 && strncasecmp(peer_setup, "actpass", 7) == 0)
		*role = WRTC_DTLS_ROLE_ACTIVE;
	else
		return -EINVAL;
	return 0;
}

const char *
wrtc_dtls_role_setup(enum wrtc_dtls_role role)
{
	return role == WRTC_DTLS_ROLE_PASSIVE ? "passive" : "active";
}
