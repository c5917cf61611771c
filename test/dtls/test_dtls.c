/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/dtls unit tests: two associations in one thread exchange datagrams through
 * in-memory queues that can drop, duplicate and reorder them. Timers run on the
 * real monotonic clock with a 20 ms initial retransmission timeout.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pkcs12.h>

#include "dtls_priv.h"
#include "wrtc_dtls.h"
#include "wrtc_srtp.h"
#include "wrtc_test.h"

enum { WIRE_MAX = 64, DGRAM_MAX = 1500 };

struct wire {
	uint8_t data[WIRE_MAX][DGRAM_MAX];
	size_t len[WIRE_MAX];
	int n;
	size_t largest;    /* Largest datagram ever sent on this wire. */
	int sent;          /* Datagrams ever sent on this wire. */
	uint8_t first[32]; /* Start of the first datagram ever sent. */
};

struct ep {
	struct wrtc_dtls *d;
	struct wire out;
};

static void
send_cb(void *arg, const uint8_t *p, size_t n)
{
	struct wire *w = arg;

	if (w->sent == 0)
		memcpy(w->first, p, n < sizeof(w->first) ? n : sizeof(w->first));
	w->sent++;
	if (n > w->largest)
		w->largest = n;
	if (w->n < WIRE_MAX && n <= DGRAM_MAX) {
		memcpy(w->data[w->n], p, n);
		w->len[w->n++] = n;
	}
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* What happens to datagram number k (counted per direction): 0 drop, 1 deliver,
 * 2 deliver twice. */
typedef int(filter_fn)(int dir, int k, const uint8_t *p, size_t n);

static int
pass_all(int dir, int k, const uint8_t *p, size_t n)
{
	return 1;
}

static bool
settled(const struct ep *e)
{
	enum wrtc_dtls_state s = wrtc_dtls_state(e->d);

	return s == WRTC_DTLS_CONNECTED || s == WRTC_DTLS_FAILED;
}

/*
 * Deliver datagrams both ways until both ends are connected or failed, or
 * limit_ms passed. With reverse, each batch is delivered last-first.
 */
static void
pump(struct ep *a, struct ep *b, filter_fn *filter, bool reverse, int limit_ms)
{
	uint64_t end = now_us() + (uint64_t)limit_ms * 1000;
	int count[2] = {0, 0};

	while (now_us() < end) {
		bool moved = false;

		for (int dir = 0; dir < 2; dir++) {
			struct ep *src = dir ? b : a, *dst = dir ? a : b;
			static struct wire batch;

			batch = src->out;
			src->out.n = 0;
			for (int j = 0; j < batch.n; j++) {
				int i = reverse ? batch.n - 1 - j : j;
				int act = filter(dir, count[dir]++, batch.data[i], batch.len[i]);

				for (int r = 0; r < act; r++)
					wrtc_dtls_input(dst->d, batch.data[i], batch.len[i],
							now_us());
				moved = true;
			}
		}
		if (moved)
			continue;
		if (settled(a) && settled(b))
			return;
		uint64_t t = wrtc_dtls_next_timeout(a->d), tb = wrtc_dtls_next_timeout(b->d);

		if (tb < t)
			t = tb;
		if (t == UINT64_MAX)
			return; /* Nothing in flight and no timer: stuck. */
		uint64_t now = now_us();

		if (t > now)
			usleep((useconds_t)(t - now < 2000 ? t - now : 2000));
		wrtc_dtls_handle_timeout(a->d, now_us());
		wrtc_dtls_handle_timeout(b->d, now_us());
	}
}

static struct wrtc_dtls_ctx *
make_ctx(const enum wrtc_srtp_suite *profiles, size_t n, const struct wrtc_dtls_cert *cert,
	 bool no_cookies, uint64_t hs_timeout_us)
{
	struct wrtc_dtls_ctx_prm prm = {.cert = cert,
					.initial_rto_us = 20000,
					.max_rto_us = 200000,
					.no_cookie_exchange = no_cookies,
					.handshake_timeout_us = hs_timeout_us};
	char err[200] = "";
	struct wrtc_dtls_ctx *c;

	for (size_t i = 0; i < n; i++)
		prm.profiles[i] = profiles[i];
	c = wrtc_dtls_ctx_create(&prm, err, sizeof(err));
	if (c == NULL)
		fprintf(stderr, "  ctx: %s\n", err);
	return c;
}

static const char *
fp_of(const struct wrtc_dtls_cert *c, enum wrtc_dtls_hash h)
{
	static char buf[4][WRTC_DTLS_FINGERPRINT_MAX];
	static int i;

	i = (i + 1) % 4;
	if (wrtc_dtls_cert_fingerprint(c, h, buf[i], sizeof(buf[i])) < 0)
		return "";
	return buf[i];
}

static struct wrtc_dtls *
make_conn(struct wrtc_dtls_ctx *ctx, enum wrtc_dtls_role role, const char *peer_fp,
	  struct wire *w)
{
	static const uint8_t addr[6] = {192, 0, 2, 1, 0x13, 0x88};
	struct wrtc_dtls_prm prm = {.ctx = ctx,
				    .role = role,
				    .peer_fingerprint = peer_fp,
				    .peer_addr = addr,
				    .peer_addr_size = sizeof(addr),
				    .send = send_cb,
				    .send_arg = w};

	return wrtc_dtls_create(&prm);
}

/* Both directions of SRTP built from the exported keys interoperate. */
static int
check_srtp(const struct wrtc_dtls *x, const struct wrtc_dtls *y, enum wrtc_srtp_suite suite)
{
	struct wrtc_dtls_srtp_keys kx, ky;

	WRTC_CHECK_EQ(wrtc_dtls_srtp_keys(x, &kx), 0);
	WRTC_CHECK_EQ(wrtc_dtls_srtp_keys(y, &ky), 0);
	WRTC_CHECK_EQ(kx.suite, suite);
	WRTC_CHECK_EQ(ky.suite, suite);
	WRTC_CHECK(memcmp(&kx.local, &ky.remote, sizeof(kx.local)) == 0);
	WRTC_CHECK(memcmp(&kx.remote, &ky.local, sizeof(kx.remote)) == 0);
	WRTC_CHECK(memcmp(kx.local.master_key, kx.remote.master_key, 16) != 0);

	/* RFC 5764 §4.2 layout, read straight from OpenSSL: client key | server key |
	 * client salt | server salt; the client (active side) sends with the client's. */
	const struct wrtc_dtls *client = x->role == WRTC_DTLS_ROLE_ACTIVE ? x : y;
	const struct wrtc_dtls_srtp_keys *kc = client == x ? &kx : &ky;
	size_t ks = wrtc_srtp_suite_key_size(suite), ss = wrtc_srtp_suite_salt_size(suite);
	uint8_t km[2 * (32 + 14)];

	WRTC_CHECK_EQ(SSL_export_keying_material(client->ssl, km, 2 * (ks + ss),
						 "EXTRACTOR-dtls_srtp", 19, NULL, 0, 0),
		      1);
	WRTC_CHECK(memcmp(kc->local.master_key, km, ks) == 0);
	WRTC_CHECK(memcmp(kc->remote.master_key, km + ks, ks) == 0);
	WRTC_CHECK(memcmp(kc->local.master_salt, km + 2 * ks, ss) == 0);
	WRTC_CHECK(memcmp(kc->remote.master_salt, km + 2 * ks + ss, ss) == 0);
	for (int dir = 0; dir < 2; dir++) {
		struct wrtc_srtp *tx = wrtc_srtp_create(dir ? &ky.local : &kx.local);
		struct wrtc_srtp *rx = wrtc_srtp_create(dir ? &kx.remote : &ky.remote);
		struct wrtc_srtp *wrong = wrtc_srtp_create(dir ? &kx.local : &ky.local);
		uint8_t p[200] = {0x80, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, q[200];
		size_t n = 60, qn;

		memset(p + 12, 0x5a, 48);
		WRTC_CHECK(tx && rx && wrong);
		WRTC_CHECK_EQ(wrtc_srtp_protect(tx, p, &n, sizeof(p)), 0);
		memcpy(q, p, n);
		qn = n;
		WRTC_CHECK_EQ(wrtc_srtp_unprotect(rx, p, &n), 0);
		WRTC_CHECK_EQ(n, 60);
		WRTC_CHECK(p[12] == 0x5a && p[59] == 0x5a);
		/* The other direction's key does not open it. */
		WRTC_CHECK_EQ(wrtc_srtp_unprotect(wrong, q, &qn), -EBADMSG);
		wrtc_srtp_free(tx);
		wrtc_srtp_free(rx);
		wrtc_srtp_free(wrong);
	}
	return 0;
}

static const enum wrtc_srtp_suite suites[] = {
	WRTC_SRTP_AES_CM_128_HMAC_SHA1_80, WRTC_SRTP_AES_CM_128_HMAC_SHA1_32,
	WRTC_SRTP_AEAD_AES_128_GCM, WRTC_SRTP_AEAD_AES_256_GCM};

/* Every profile, both roles, fingerprints in sha-256 and sha-1. */
static int
test_handshake_profiles_roles(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();

	WRTC_CHECK(cert != NULL);
	WRTC_CHECK(cert == wrtc_dtls_cert_default());
	for (size_t si = 0; si < 4; si++) {
		for (int r = 0; r < 2; r++) {
			static struct ep a, b;
			struct wrtc_dtls_ctx *ctx = make_ctx(&suites[si], 1, NULL, false, 0);
			enum wrtc_dtls_hash h = r ? WRTC_DTLS_HASH_SHA1 : WRTC_DTLS_HASH_SHA256;

			memset(&a, 0, sizeof(a));
			memset(&b, 0, sizeof(b));
			a.d = make_conn(ctx, r ? WRTC_DTLS_ROLE_PASSIVE : WRTC_DTLS_ROLE_ACTIVE,
					fp_of(cert, h), &a.out);
			b.d = make_conn(ctx, r ? WRTC_DTLS_ROLE_ACTIVE : WRTC_DTLS_ROLE_PASSIVE,
					fp_of(cert, h), &b.out);
			WRTC_CHECK(a.d && b.d);
			WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_NONE);
			WRTC_CHECK_EQ(wrtc_dtls_start(a.d, now_us()), 0);
			WRTC_CHECK_EQ(wrtc_dtls_start(b.d, now_us()), 0);
			WRTC_CHECK_EQ(wrtc_dtls_start(b.d, now_us()), -EALREADY);
			pump(&a, &b, pass_all, false, 3000);
			if (!WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED) ||
			    !WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED))
				fprintf(stderr, "  %s / %s\n", wrtc_dtls_reason(a.d),
					wrtc_dtls_reason(b.d));
			WRTC_CHECK_STREQ(wrtc_dtls_version(a.d), "DTLSv1.2");
			WRTC_CHECK_STREQ(wrtc_dtls_reason(a.d), "");
			WRTC_CHECK_EQ(wrtc_dtls_next_timeout(a.d), UINT64_MAX);
			check_srtp(a.d, b.d, suites[si]);
			wrtc_dtls_free(a.d);
			wrtc_dtls_free(b.d);
			wrtc_dtls_ctx_free(ctx);
		}
	}
	return 0;
}

/* The passive side picks its most preferred profile that the active side offers;
 * with none in common the association fails. */
static int
test_profile_negotiation(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	static const enum wrtc_srtp_suite offer[] = {WRTC_SRTP_AEAD_AES_128_GCM,
						     WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	static const enum wrtc_srtp_suite answer[] = {WRTC_SRTP_AEAD_AES_256_GCM,
						      WRTC_SRTP_AES_CM_128_HMAC_SHA1_80,
						      WRTC_SRTP_AEAD_AES_128_GCM};
	static const enum wrtc_srtp_suite other[] = {WRTC_SRTP_AES_CM_128_HMAC_SHA1_32};
	static struct ep a, b;
	struct wrtc_dtls_ctx *ca = make_ctx(offer, 2, NULL, false, 0);
	struct wrtc_dtls_ctx *cb = make_ctx(answer, 3, NULL, false, 0);
	struct wrtc_dtls_ctx *cc = make_ctx(other, 1, NULL, false, 0);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(ca, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
	b.d = make_conn(cb, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
	wrtc_dtls_start(a.d, now_us());
	pump(&a, &b, pass_all, false, 3000);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
	check_srtp(a.d, b.d, WRTC_SRTP_AES_CM_128_HMAC_SHA1_80);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(cc, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
	b.d = make_conn(ca, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
	wrtc_dtls_start(a.d, now_us());
	pump(&a, &b, pass_all, false, 3000);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_FAILED);
	WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_FAILED);
	WRTC_CHECK(strstr(wrtc_dtls_reason(a.d), "SRTP") != NULL);
	struct wrtc_dtls_srtp_keys k;

	WRTC_CHECK_EQ(wrtc_dtls_srtp_keys(a.d, &k), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_dtls_input(a.d, (const uint8_t *)"x", 1, now_us()), -ESHUTDOWN);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(ca);
	wrtc_dtls_ctx_free(cb);
	wrtc_dtls_ctx_free(cc);
	return 0;
}

/* A certificate that does not match the SDP fingerprint fails the handshake, on
 * whichever side checks it, and the other side fails from the alert. */
static int
test_fingerprint_mismatch(void)
{
	struct wrtc_dtls_cert *other = wrtc_dtls_cert_generate();
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx *ctx = make_ctx(NULL, 0, NULL, false, 0);

	WRTC_CHECK(other != NULL);
	for (int side = 0; side < 2; side++) {
		static struct ep a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		/* side 0: the passive end expects another certificate; side 1: the active. */
		a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(side ? other : cert, 0), &a.out);
		b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(side ? cert : other, 0), &b.out);
		wrtc_dtls_start(a.d, now_us());
		pump(&a, &b, pass_all, false, 3000);
		WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_FAILED);
		WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_FAILED);
		struct ep *checker = side ? &a : &b, *peer = side ? &b : &a;

		WRTC_CHECK_STREQ(wrtc_dtls_reason(checker->d), "peer fingerprint mismatch");
		if (!WRTC_CHECK(strstr(wrtc_dtls_reason(peer->d), "alert") != NULL))
			fprintf(stderr, "  reason: %s\n", wrtc_dtls_reason(peer->d));
		wrtc_dtls_free(a.d);
		wrtc_dtls_free(b.d);
	}
	/* Malformed fingerprints are refused at creation. */
	static struct wire w;
	const char *bad[] = {"sha-256", "md5 AA:BB", "sha-256 AA:BB", "sha-256 zz", ""};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		WRTC_CHECK(make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, bad[i], &w) == NULL);
		WRTC_CHECK_EQ(errno, EINVAL);
	}
	/* Lower case is fine. */
	char lower[WRTC_DTLS_FINGERPRINT_MAX];

	snprintf(lower, sizeof(lower), "%s", fp_of(cert, 0));
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	struct wrtc_dtls *d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, lower, &w);

	WRTC_CHECK(d != NULL);
	wrtc_dtls_free(d);
	wrtc_dtls_cert_free(other);
	wrtc_dtls_ctx_free(ctx);
	return 0;
}

static int drop_mask[2];

/* Drop the datagrams whose bit is set in drop_mask[dir] (first 32 per direction),
 * duplicate every third one. */
static int
lossy(int dir, int k, const uint8_t *p, size_t n)
{
	if (k < 32 && (drop_mask[dir] >> k) & 1)
		return 0;
	return k % 3 == 2 ? 2 : 1;
}

/* Lost, duplicated and reordered records are recovered by retransmission. */
static int
test_loss_reorder_duplicate(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx *ctx = make_ctx(NULL, 0, NULL, false, 0);
	static const struct {
		int a_drop, b_drop;
		bool reverse;
	} cases[] = {
		{0x1, 0x0, false},  /* First ClientHello lost. */
		{0x0, 0x1, false},  /* HelloVerifyRequest lost. */
		{0x0, 0x2, false},  /* Server's first flight lost. */
		{0x6, 0x0, false},  /* Second ClientHello (with the cookie) lost twice. */
		/* Server's flight lost; OpenSSL packs a first flight in one datagram but
		 * retransmits one record per datagram: these arrive in reverse order. */
		{0x0, 0x2, true},
		{0x0, 0x4, false},  /* Server's last flight (CCS, Finished) lost. */
		{0x0, 0x0, true},   /* Every batch delivered in reverse order. */
		{0x5, 0x5, true},   /* Both, with losses. */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		static struct ep a, b;
		struct wrtc_dtls_stats sa, sb;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		drop_mask[0] = cases[i].a_drop;
		drop_mask[1] = cases[i].b_drop;
		a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
		b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
		wrtc_dtls_start(a.d, now_us());
		wrtc_dtls_start(b.d, now_us());
		pump(&a, &b, lossy, cases[i].reverse, 5000);
		if (!WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED) ||
		    !WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED))
			fprintf(stderr, "  case %zu: %s / %s\n", i, wrtc_dtls_reason(a.d),
				wrtc_dtls_reason(b.d));
		wrtc_dtls_stats(a.d, &sa);
		wrtc_dtls_stats(b.d, &sb);
		if (cases[i].a_drop || cases[i].b_drop)
			WRTC_CHECK(sa.retransmits + sb.retransmits > 0);
		check_srtp(a.d, b.d, WRTC_SRTP_AEAD_AES_128_GCM);
		wrtc_dtls_free(a.d);
		wrtc_dtls_free(b.d);
	}
	wrtc_dtls_ctx_free(ctx);
	return 0;
}

static int
drop_all(int dir, int k, const uint8_t *p, size_t n)
{
	return 0;
}

/* With nothing getting through, the handshake fails at handshake_timeout_us with
 * retransmissions along the way; the timer backs off. */
static int
test_handshake_timeout(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx *ctx = make_ctx(NULL, 0, NULL, false, 300000);
	static struct ep a, b;
	struct wrtc_dtls_stats st;
	uint64_t t0 = now_us(), t1;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
	b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
	wrtc_dtls_start(a.d, t0);
	wrtc_dtls_start(b.d, t0);
	t1 = wrtc_dtls_next_timeout(a.d);
	WRTC_CHECK(t1 > t0 && t1 <= t0 + 20000);
	/* Calling early does nothing. */
	WRTC_CHECK_EQ(wrtc_dtls_handle_timeout(a.d, t0), 0);
	pump(&a, &b, drop_all, false, 2000);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_FAILED);
	WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_FAILED);
	WRTC_CHECK(strstr(wrtc_dtls_reason(a.d), "timed out") != NULL);
	WRTC_CHECK(now_us() - t0 >= 300000);
	wrtc_dtls_stats(a.d, &st);
	/* 20+40+80+160 ms fit in 300 ms: 3 or 4 retransmissions (fewer if this
	 * process is descheduled), not dozens. */
	WRTC_CHECK(st.retransmits >= 2 && st.retransmits <= 5);
	WRTC_CHECK_EQ(a.out.sent, 1 + (int)st.retransmits);
	WRTC_CHECK_EQ(wrtc_dtls_handle_timeout(a.d, now_us()), -ESHUTDOWN);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(ctx);
	return 0;
}

/* The passive side answers the first ClientHello with a HelloVerifyRequest (handshake
 * type 3), unless cookies are off (ServerHello, type 2). */
static int
test_cookie_exchange(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();

	for (int off = 0; off < 2; off++) {
		struct wrtc_dtls_ctx *ctx = make_ctx(NULL, 0, NULL, off, 0);
		static struct ep a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
		b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
		wrtc_dtls_start(a.d, now_us());
		pump(&a, &b, pass_all, false, 3000);
		WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
		/* DTLS record header is 13 bytes; then the handshake message type. */
		WRTC_CHECK_EQ(b.out.first[0], 22);
		WRTC_CHECK_EQ(b.out.first[13], off ? 2 : 3);
		wrtc_dtls_free(a.d);
		wrtc_dtls_free(b.d);
		wrtc_dtls_ctx_free(ctx);
	}
	return 0;
}

/* Garbage datagrams are ignored without harm; the handshake still completes. */
static int
test_garbage(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx *ctx = make_ctx(NULL, 0, NULL, false, 0);
	static struct ep a, b;
	uint64_t x = 88172645463325252ull;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
	b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
	WRTC_CHECK_EQ(wrtc_dtls_input(b.d, NULL, 0, now_us()), -EINVAL);
	for (int i = 0; i < 300; i++) {
		uint8_t g[300];
		size_t n = 1 + (size_t)(i % 299);

		for (size_t j = 0; j < n; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			g[j] = (uint8_t)x;
		}
		if (i % 2)
			g[0] = 22; /* Looks like a handshake record. */
		wrtc_dtls_input(b.d, g, n, now_us());
	}
	WRTC_CHECK(wrtc_dtls_state(b.d) != WRTC_DTLS_CONNECTED);
	b.out.n = 0;
	if (wrtc_dtls_state(b.d) == WRTC_DTLS_FAILED) {
		/* A fatal alert on garbage is acceptable; start over. */
		wrtc_dtls_free(b.d);
		b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
	}
	wrtc_dtls_start(a.d, now_us());
	pump(&a, &b, pass_all, false, 3000);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
	WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED);
	/* After the handshake, garbage does not break the association either. */
	uint8_t g[40] = {23, 0xfe, 0xfd};

	WRTC_CHECK_EQ(wrtc_dtls_input(a.d, g, sizeof(g), now_us()), 0);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(ctx);
	return 0;
}

/* PKCS#12: load with the passphrase, refuse a wrong one, and use the certificate. */
static int
test_pkcs12(void)
{
	struct wrtc_dtls_cert *gen = wrtc_dtls_cert_generate(), *loaded, *nopass;
	char path[] = "/tmp/wrtc_test_dtls_XXXXXX", err[200];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	PKCS12 *p12;

	WRTC_CHECK(gen != NULL && f != NULL);
	if (gen == NULL || f == NULL)
		return -1;
	p12 = PKCS12_create("s3cret", "wrtcgw", gen->pkey, gen->x509, NULL, 0, 0, 0, 0, 0);
	WRTC_CHECK(p12 != NULL && i2d_PKCS12_fp(f, p12) == 1);
	fclose(f);
	PKCS12_free(p12);

	loaded = wrtc_dtls_cert_load_pkcs12(path, "s3cret", err, sizeof(err));
	WRTC_CHECK(loaded != NULL);
	WRTC_CHECK_STREQ(fp_of(loaded, WRTC_DTLS_HASH_SHA256), fp_of(gen, WRTC_DTLS_HASH_SHA256));
	WRTC_CHECK_EQ(strlen(fp_of(loaded, WRTC_DTLS_HASH_SHA256)), 8 + 32 * 3 - 1);
	WRTC_CHECK_EQ(strlen(fp_of(loaded, WRTC_DTLS_HASH_SHA1)), 6 + 20 * 3 - 1);
	WRTC_CHECK(strncmp(fp_of(loaded, WRTC_DTLS_HASH_SHA1), "sha-1 ", 6) == 0);

	err[0] = '\0';
	errno = 0;
	nopass = wrtc_dtls_cert_load_pkcs12(path, "wrong", err, sizeof(err));
	WRTC_CHECK(nopass == NULL);
	WRTC_CHECK_EQ(errno, EINVAL);
	WRTC_CHECK(strstr(err, "passphrase") != NULL);
	WRTC_CHECK(wrtc_dtls_cert_load_pkcs12("/nonexistent/x.p12", "", err, sizeof(err)) == NULL);
	WRTC_CHECK_EQ(errno, ENOENT);
	WRTC_CHECK(strstr(err, "/nonexistent/x.p12") != NULL);
	/* A file that is not PKCS#12. */
	WRTC_CHECK(wrtc_dtls_cert_load_pkcs12("/etc/hostname", "", err, sizeof(err)) == NULL);
	WRTC_CHECK(strstr(err, "not a PKCS#12") != NULL);
	unlink(path);

	/* Handshake: the active side uses the loaded certificate. */
	struct wrtc_dtls_ctx *ca = make_ctx(NULL, 0, loaded, false, 0);
	struct wrtc_dtls_ctx *cb = make_ctx(NULL, 0, NULL, false, 0);
	static struct ep a, b;

	wrtc_dtls_cert_free(loaded); /* The context keeps its own reference. */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(ca, WRTC_DTLS_ROLE_ACTIVE, fp_of(wrtc_dtls_cert_default(), 0), &a.out);
	b.d = make_conn(cb, WRTC_DTLS_ROLE_PASSIVE, fp_of(gen, 0), &b.out);
	wrtc_dtls_start(a.d, now_us());
	pump(&a, &b, pass_all, false, 3000);
	WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
	WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(ca);
	wrtc_dtls_ctx_free(cb);
	wrtc_dtls_cert_free(gen);
	wrtc_dtls_cert_free(NULL);
	wrtc_dtls_ctx_free(NULL);
	wrtc_dtls_free(NULL);
	return 0;
}

/* DTLS 1.0 only when allowed: a peer limited to DTLS 1.0 connects to a context with
 * allow_dtls10 and is refused by one without. */
static int
test_dtls10(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx_prm prm = {.initial_rto_us = 20000, .allow_dtls10 = true};
	char err[200] = "";
	struct wrtc_dtls_ctx *old = wrtc_dtls_ctx_create(&prm, err, sizeof(err));
	struct wrtc_dtls_ctx *ok = wrtc_dtls_ctx_create(&prm, err, sizeof(err));
	struct wrtc_dtls_ctx *strict = make_ctx(NULL, 0, NULL, false, 0);

	WRTC_CHECK(old && ok && strict);
	if (!old || !ok || !strict)
		return -1;
	/* The peer speaks DTLS 1.0 at most (reaching into the private SSL_CTX). */
	WRTC_CHECK_EQ(SSL_CTX_set_max_proto_version(old->ssl_ctx, DTLS1_VERSION), 1);
	for (int allowed = 1; allowed >= 0; allowed--) {
		static struct ep a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.d = make_conn(old, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
		b.d = make_conn(allowed ? ok : strict, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0),
				&b.out);
		wrtc_dtls_start(a.d, now_us());
		pump(&a, &b, pass_all, false, 3000);
		if (allowed) {
			if (!WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED))
				fprintf(stderr, "  %s / %s\n", wrtc_dtls_reason(a.d),
					wrtc_dtls_reason(b.d));
			WRTC_CHECK_STREQ(wrtc_dtls_version(b.d), "DTLSv1");
			check_srtp(a.d, b.d, WRTC_SRTP_AEAD_AES_128_GCM);
		} else {
			WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_FAILED);
			WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_FAILED);
		}
		wrtc_dtls_free(a.d);
		wrtc_dtls_free(b.d);
	}
	wrtc_dtls_ctx_free(old);
	wrtc_dtls_ctx_free(ok);
	wrtc_dtls_ctx_free(strict);
	return 0;
}

/* With a small MTU, handshake messages are fragmented and no datagram exceeds it;
 * with the default (1200) nothing does either. */
static int
test_mtu(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	unsigned int mtus[] = {300, 0};

	for (size_t i = 0; i < 2; i++) {
		struct wrtc_dtls_ctx_prm prm = {.initial_rto_us = 20000, .mtu = mtus[i]};
		struct wrtc_dtls_ctx *ctx = wrtc_dtls_ctx_create(&prm, NULL, 0);
		static struct ep a, b;

		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, 0), &a.out);
		b.d = make_conn(ctx, WRTC_DTLS_ROLE_PASSIVE, fp_of(cert, 0), &b.out);
		wrtc_dtls_start(a.d, now_us());
		pump(&a, &b, pass_all, false, 3000);
		WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED);
		WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED);
		size_t limit = mtus[i] ? mtus[i] : 1200;

		if (!WRTC_CHECK(a.out.largest <= limit && b.out.largest <= limit))
			fprintf(stderr, "  mtu %zu: largest %zu / %zu\n", limit, a.out.largest,
				b.out.largest);
		if (mtus[i])
			WRTC_CHECK(b.out.sent > 3); /* The server flight was split. */
		wrtc_dtls_free(a.d);
		wrtc_dtls_free(b.d);
		wrtc_dtls_ctx_free(ctx);
	}
	return 0;
}

/* An operator's PKCS#12 with an RSA key (no passphrase): loads, and the handshake
 * runs with an ECDHE-RSA suite, the peer checking its fingerprint. */
static int
test_pkcs12_rsa(void)
{
	EVP_PKEY *pkey = EVP_RSA_gen(2048);
	X509 *x = X509_new();
	X509_NAME *name = X509_get_subject_name(x);
	char path[] = "/tmp/wrtc_test_dtls_rsa_XXXXXX", err[200] = "";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	struct wrtc_dtls_cert *rsa;
	PKCS12 *p12;

	WRTC_CHECK(pkey && x && f);
	if (!pkey || !x || !f)
		return -1;
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sbc", -1, -1,
				   0);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, pkey);
	WRTC_CHECK(X509_sign(x, pkey, EVP_sha256()) > 0);
	p12 = PKCS12_create(NULL, "sbc", pkey, x, NULL, 0, 0, 0, 0, 0);
	WRTC_CHECK(p12 != NULL && i2d_PKCS12_fp(f, p12) == 1);
	fclose(f);
	PKCS12_free(p12);
	rsa = wrtc_dtls_cert_load_pkcs12(path, NULL, err, sizeof(err));
	unlink(path);
	if (!WRTC_CHECK(rsa != NULL)) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	struct wrtc_dtls_ctx *cr = make_ctx(NULL, 0, rsa, false, 0);
	struct wrtc_dtls_ctx *ce = make_ctx(NULL, 0, NULL, false, 0);
	static struct ep a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.d = make_conn(ce, WRTC_DTLS_ROLE_ACTIVE, fp_of(rsa, WRTC_DTLS_HASH_SHA256), &a.out);
	b.d = make_conn(cr, WRTC_DTLS_ROLE_PASSIVE, fp_of(wrtc_dtls_cert_default(), 0), &b.out);
	wrtc_dtls_start(a.d, now_us());
	pump(&a, &b, pass_all, false, 3000);
	if (!WRTC_CHECK_EQ(wrtc_dtls_state(a.d), WRTC_DTLS_CONNECTED) ||
	    !WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED))
		fprintf(stderr, "  %s / %s\n", wrtc_dtls_reason(a.d), wrtc_dtls_reason(b.d));
	WRTC_CHECK(strstr(SSL_get_cipher_name(b.d->ssl), "RSA") != NULL);
	check_srtp(a.d, b.d, WRTC_SRTP_AEAD_AES_128_GCM);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(cr);
	wrtc_dtls_ctx_free(ce);
	wrtc_dtls_cert_free(rsa);
	X509_free(x);
	EVP_PKEY_free(pkey);
	return 0;
}

static int
test_setup_roles(void)
{
	enum wrtc_dtls_role r = WRTC_DTLS_ROLE_ACTIVE;

	WRTC_CHECK_EQ(wrtc_dtls_role_from_setup("active", 6, &r), 0);
	WRTC_CHECK_EQ(r, WRTC_DTLS_ROLE_PASSIVE);
	WRTC_CHECK_EQ(wrtc_dtls_role_from_setup("passive\r\n", 9, &r), 0);
	WRTC_CHECK_EQ(r, WRTC_DTLS_ROLE_ACTIVE);
	r = WRTC_DTLS_ROLE_PASSIVE;
	WRTC_CHECK_EQ(wrtc_dtls_role_from_setup("actpass", 7, &r), 0);
	WRTC_CHECK_EQ(r, WRTC_DTLS_ROLE_ACTIVE);
	WRTC_CHECK_EQ(wrtc_dtls_role_from_setup("holdconn", 8, &r), -EINVAL);
	WRTC_CHECK_EQ(wrtc_dtls_role_from_setup("act", 3, &r), -EINVAL);
	WRTC_CHECK_STREQ(wrtc_dtls_role_setup(WRTC_DTLS_ROLE_PASSIVE), "passive");
	WRTC_CHECK_STREQ(wrtc_dtls_state_name(WRTC_DTLS_FAILED), "failed");

	/* Bad context parameters. */
	struct wrtc_dtls_ctx_prm prm = {.profiles = {WRTC_SRTP_SUITE_MAX}};
	char err[200] = "";

	WRTC_CHECK(wrtc_dtls_ctx_create(&prm, err, sizeof(err)) == NULL);
	WRTC_CHECK(strstr(err, "profiles") != NULL);
	prm.profiles[0] = WRTC_SRTP_SUITE_NONE;
	prm.mtu = 100;
	WRTC_CHECK(wrtc_dtls_ctx_create(&prm, err, sizeof(err)) == NULL);
	WRTC_CHECK(strstr(err, "mtu") != NULL);
	return 0;
}

/* Application data (a data channel's SCTP, forwarded between two associations
 * by the session layer): written on one end, handed to the other's callback. */
static uint8_t app_got[2000];
static size_t app_got_size;
static int app_calls;

static void
app_cb(void *arg, const uint8_t *p, size_t n)
{
	(void)arg;
	app_calls++;
	app_got_size = n < sizeof(app_got) ? n : sizeof(app_got);
	memcpy(app_got, p, app_got_size);
}

static int
test_app_data(void)
{
	const struct wrtc_dtls_cert *cert = wrtc_dtls_cert_default();
	struct wrtc_dtls_ctx *ctx = make_ctx(&suites[0], 1, NULL, false, 0);
	static const uint8_t addr[6] = {192, 0, 2, 1, 0x13, 0x88};
	struct wrtc_dtls_prm prm = {.ctx = ctx, .role = WRTC_DTLS_ROLE_PASSIVE,
				    .peer_fingerprint = fp_of(cert, WRTC_DTLS_HASH_SHA256),
				    .peer_addr = addr, .peer_addr_size = sizeof(addr),
				    .send = send_cb, .app = app_cb};
	static struct ep a, b;
	struct wrtc_dtls_stats st;
	uint8_t msg[1200];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 3);
	a.d = make_conn(ctx, WRTC_DTLS_ROLE_ACTIVE, fp_of(cert, WRTC_DTLS_HASH_SHA256), &a.out);
	prm.send_arg = &b.out;
	b.d = wrtc_dtls_create(&prm);
	WRTC_CHECK(a.d && b.d);
	WRTC_CHECK_EQ(wrtc_dtls_write(a.d, msg, sizeof(msg)), -ENOTCONN);
	WRTC_CHECK_EQ(wrtc_dtls_start(a.d, now_us()), 0);
	pump(&a, &b, pass_all, false, 3000);
	WRTC_CHECK_EQ(wrtc_dtls_state(b.d), WRTC_DTLS_CONNECTED);
	WRTC_CHECK_EQ(wrtc_dtls_write(a.d, msg, 0), -EINVAL);
	WRTC_CHECK_EQ(wrtc_dtls_write(a.d, msg, 20000), -EMSGSIZE);
	WRTC_CHECK_EQ(wrtc_dtls_write(a.d, msg, sizeof(msg)), 0);
	WRTC_CHECK_EQ(a.out.n, 1);
	WRTC_CHECK_EQ(a.out.data[0][0], 23); /* one application-data record */
	WRTC_CHECK_EQ(wrtc_dtls_input(b.d, a.out.data[0], a.out.len[0], now_us()), 0);
	WRTC_CHECK_EQ(app_calls, 1);
	WRTC_CHECK_EQ(app_got_size, sizeof(msg));
	WRTC_CHECK(memcmp(app_got, msg, sizeof(msg)) == 0);
	wrtc_dtls_stats(b.d, &st);
	WRTC_CHECK_EQ(st.rx_app_bytes, sizeof(msg));
	/* A tampered record is not delivered. */
	a.out.n = 0;
	WRTC_CHECK_EQ(wrtc_dtls_write(a.d, msg, 100), 0);
	a.out.data[0][a.out.len[0] - 1] ^= 1;
	wrtc_dtls_input(b.d, a.out.data[0], a.out.len[0], now_us());
	WRTC_CHECK_EQ(app_calls, 1);
	wrtc_dtls_free(a.d);
	wrtc_dtls_free(b.d);
	wrtc_dtls_ctx_free(ctx);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"app_data", test_app_data},
	{"handshake_profiles_roles", test_handshake_profiles_roles},
	{"profile_negotiation", test_profile_negotiation},
	{"fingerprint_mismatch", test_fingerprint_mismatch},
	{"loss_reorder_duplicate", test_loss_reorder_duplicate},
	{"handshake_timeout", test_handshake_timeout},
	{"cookie_exchange", test_cookie_exchange},
	{"garbage", test_garbage},
	{"pkcs12", test_pkcs12},
	{"pkcs12_rsa", test_pkcs12_rsa},
	{"dtls10", test_dtls10},
	{"mtu", test_mtu},
	{"setup_roles", test_setup_roles},
};

WRTC_TEST_MAIN(cases)
