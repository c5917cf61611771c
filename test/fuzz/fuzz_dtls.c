/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/dtls: datagrams fed into an association over memory
 * BIOs, in both roles. The first input byte picks the set-up:
 *
 *   bit 0   role of the association under test (0 passive, 1 active)
 *   bit 1   context without the cookie exchange
 *   bit 2   scripted: a real peer association talks to the one under test
 *           and the rest of the input is a list of operations on the wire
 *           (deliver, mutate, truncate, drop, duplicate, inject, advance the
 *           clock); without it the rest of the input is a list of
 *           length-prefixed datagrams (2 bytes big endian, then the bytes)
 *           from a stranger.
 *
 * Whatever happens the association must stay consistent: a connected one
 * exports keys that build SRTP contexts, a failed one says why, and freeing
 * it releases everything (ASan/LSan check that).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_dtls.h"
#include "wrtc_srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { WIRE_MAX = 32, DGRAM_MAX = 1500, OPS_MAX = 256 };

struct wire {
	uint8_t data[WIRE_MAX][DGRAM_MAX];
	size_t len[WIRE_MAX];
	unsigned int head, n;
};

struct input {
	const uint8_t *p;
	size_t left;
};

static struct wrtc_dtls_ctx *ctxs[2];
static char fingerprint[WRTC_DTLS_FINGERPRINT_MAX];

static void
init_once(void)
{
	static bool done;
	char err[200];

	if (done)
		return;
	for (int i = 0; i < 2; i++) {
		/* OpenSSL checks retransmission timers against the real clock, so
		 * they stay long enough never to fire during one input; the
		 * handshake time-out runs on the input's clock. */
		struct wrtc_dtls_ctx_prm prm = {.no_cookie_exchange = i == 1,
						.initial_rto_us = 1000000,
						.handshake_timeout_us = 2000000};

		ctxs[i] = wrtc_dtls_ctx_create(&prm, err, sizeof(err));
		if (ctxs[i] == NULL)
			abort();
	}
	if (wrtc_dtls_cert_fingerprint(wrtc_dtls_cert_default(), WRTC_DTLS_HASH_SHA256,
				       fingerprint, sizeof(fingerprint)) < 0)
		abort();
	done = true;
}

static void
wire_send(void *arg, const uint8_t *p, size_t n)
{
	struct wire *w = arg;
	unsigned int slot;

	if (w->n == WIRE_MAX || n > DGRAM_MAX)
		return; /* A full wire loses datagrams, as a network would. */
	slot = (w->head + w->n) % WIRE_MAX;
	memcpy(w->data[slot], p, n);
	w->len[slot] = n;
	w->n++;
}

/* Takes the oldest datagram off a wire; false when it is empty. */
static bool
wire_pop(struct wire *w, uint8_t *buf, size_t *len)
{
	if (w->n == 0)
		return false;
	memcpy(buf, w->data[w->head], w->len[w->head]);
	*len = w->len[w->head];
	w->head = (w->head + 1) % WIRE_MAX;
	w->n--;
	return true;
}

static int
take(struct input *in)
{
	if (in->left == 0)
		return -1;
	in->left--;
	return *in->p++;
}

static struct wrtc_dtls *
make(enum wrtc_dtls_role role, int ctx, struct wire *out, const char *fp)
{
	struct wrtc_dtls_prm prm = {.ctx = ctxs[ctx],
				    .role = role,
				    .peer_fingerprint = fp,
				    .peer_addr = "\x7f\x00\x00\x01\x13\x88",
				    .peer_addr_size = 6,
				    .send = wire_send,
				    .send_arg = out};

	return wrtc_dtls_create(&prm);
}

/* What every association must satisfy, whatever it was fed. */
static void
check(struct wrtc_dtls *d)
{
	struct wrtc_dtls_srtp_keys keys;
	struct wrtc_dtls_stats st;
	enum wrtc_dtls_state s = wrtc_dtls_state(d);
	int rc = wrtc_dtls_srtp_keys(d, &keys);

	wrtc_dtls_stats(d, &st);
	if (wrtc_dtls_state_name(s) == NULL)
		__builtin_trap();
	if (s == WRTC_DTLS_FAILED && (wrtc_dtls_reason(d) == NULL || wrtc_dtls_reason(d)[0] == 0))
		__builtin_trap(); /* A failure always says why. */
	if (s == WRTC_DTLS_CONNECTED) {
		struct wrtc_srtp *a, *b;

		if (rc != 0 || keys.suite == WRTC_SRTP_SUITE_NONE)
			__builtin_trap();
		a = wrtc_srtp_create(&keys.local);
		b = wrtc_srtp_create(&keys.remote);
		if (a == NULL || b == NULL)
			__builtin_trap();
		wrtc_srtp_free(a);
		wrtc_srtp_free(b);
		(void)wrtc_dtls_version(d);
	} else if (rc == 0) {
		__builtin_trap(); /* Keys only once connected. */
	}
}

/* A stranger's datagrams straight into the association under test. */
static void
run_raw(struct wrtc_dtls *d, struct input *in)
{
	uint64_t now = 1000000;

	while (in->left >= 2) {
		size_t n = ((size_t)in->p[0] << 8) | in->p[1];

		in->p += 2;
		in->left -= 2;
		if (n > in->left)
			n = in->left;
		if (n > 0)
			wrtc_dtls_input(d, in->p, n, now);
		in->p += n;
		in->left -= n;
		now += 1500;
		wrtc_dtls_handle_timeout(d, now);
	}
}

/* Operations on the two wires between a real peer and the association under test. */
static void
run_scripted(struct wrtc_dtls *t, struct wire *t_out, struct wrtc_dtls *peer,
	     struct wire *p_out, struct input *in)
{
	static uint8_t buf[DGRAM_MAX];
	uint64_t now = 1000000;
	size_t len;
	int op, a, b;

	for (int k = 0; k < OPS_MAX && (op = take(in)) >= 0; k++) {
		switch (op & 7) {
		case 0: /* Peer -> test, as sent. */
			if (wire_pop(p_out, buf, &len))
				wrtc_dtls_input(t, buf, len, now);
			break;
		case 1: /* Test -> peer, as sent. */
			if (wire_pop(t_out, buf, &len))
				wrtc_dtls_input(peer, buf, len, now);
			break;
		case 2: /* Peer -> test with one byte changed. */
			a = take(in);
			b = take(in);
			if (wire_pop(p_out, buf, &len)) {
				if (a >= 0 && b >= 0)
					buf[(size_t)(a | (op >> 3) << 8) % len] ^= (uint8_t)(b | 1);
				wrtc_dtls_input(t, buf, len, now);
			}
			break;
		case 3: /* Peer -> test cut short. */
			a = take(in);
			if (wire_pop(p_out, buf, &len) && a >= 0) {
				len = (size_t)a * len / 256;
				if (len > 0)
					wrtc_dtls_input(t, buf, len, now);
			}
			break;
		case 4: /* Peer -> test twice. */
			if (wire_pop(p_out, buf, &len)) {
				wrtc_dtls_input(t, buf, len, now);
				wrtc_dtls_input(t, buf, len, now);
			}
			break;
		case 5: /* Drop one each way. */
			wire_pop(p_out, buf, &len);
			if (op & 8)
				wire_pop(t_out, buf, &len);
			break;
		case 6: /* Raw bytes from the input, into the test association. */
			a = take(in);
			if (a > 0) {
				len = (size_t)a < in->left ? (size_t)a : in->left;
				if (len > 0)
					wrtc_dtls_input(t, in->p, len, now);
				in->p += len;
				in->left -= len;
			}
			break;
		case 7: /* Time passes. */
			now += (uint64_t)(op >> 3) * 4000 + 1;
			wrtc_dtls_handle_timeout(t, now);
			wrtc_dtls_handle_timeout(peer, now);
			break;
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wire t_out, p_out;
	struct input in = {data, size};
	enum wrtc_dtls_role role;
	struct wrtc_dtls *t, *peer = NULL;
	int mode = take(&in);

	if (mode < 0)
		return 0;
	init_once();
	memset(&t_out, 0, sizeof(t_out));
	memset(&p_out, 0, sizeof(p_out));
	role = (mode & 1) ? WRTC_DTLS_ROLE_ACTIVE : WRTC_DTLS_ROLE_PASSIVE;
	t = make(role, (mode >> 1) & 1, &t_out, fingerprint);
	if (t == NULL)
		abort();
	if (mode & 4) {
		peer = make(role == WRTC_DTLS_ROLE_ACTIVE ? WRTC_DTLS_ROLE_PASSIVE
							  : WRTC_DTLS_ROLE_ACTIVE,
			    (mode >> 1) & 1, &p_out, fingerprint);
		if (peer == NULL)
			abort();
		wrtc_dtls_start(peer, 1000000);
	}
	wrtc_dtls_start(t, 1000000);
	if (peer != NULL)
		run_scripted(t, &t_out, peer, &p_out, &in);
	else
		run_raw(t, &in);
	check(t);
	if (peer != NULL)
		check(peer);
	wrtc_dtls_free(t);
	wrtc_dtls_free(peer);
	return 0;
}
