/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the ICE agent state machine. The input is a program of
 * operations on one agent (full controlling, full controlled or lite, chosen
 * by the first byte): raw datagrams, authenticated requests the harness signs
 * with the agent's password (any flags, role, tie-breaker, source), answers
 * to the checks the agent sent (success or any error code, signed with the
 * peer's password, from any source), time steps, restarts, candidates,
 * credentials. After every operation the agent's invariants are checked:
 * the selected pair is a remote the agent allows only with consent, every
 * datagram it sends parses, the state is a known one, and after a tick the
 * next timer is in the future.
 *
 * Built with test/fuzz/standalone.c it replays test/ice/corpus/ as a unit
 * test; with -Dlibfuzzer=true it is a libFuzzer target.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "wrtc_ice.h"
#include "wrtc_stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NADDR = 8, NSENT = 16 };

static const char *const lufrag = "LOCAL", *const lpwd = "localpassword0123456789";
static const char *const rufrag = "PEER", *const rpwd = "peerpassword01234567890";

struct sent {
	uint8_t tid[12];
	struct sockaddr_storage local, remote;
};

struct harness {
	struct sent sent[NSENT];
	unsigned int n_sent;
	char cur_lufrag[8], cur_lpwd[32];
	char cur_rufrag[8], cur_rpwd[32];
};

static struct harness h;

static struct sockaddr_storage
addr(unsigned int i)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	i %= NADDR;
	if (i < 6) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)(1000 + i % 3));
		s4->sin_addr.s_addr = htonl(0x0a000000u + 1 + i / 3);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)(2000 + i));
		s6->sin6_addr.s6_addr[0] = 0x20;
		s6->sin6_addr.s6_addr[15] = (uint8_t)i;
	}
	return ss;
}

static int
on_send(void *opaque, const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	const uint8_t *buf, size_t len)
{
	struct wrtc_stun_msg m;

	(void)opaque;
	if (wrtc_stun_msg_parse(&m, buf, len, NULL) != 0)
		abort();
	if (m.cls == WRTC_STUN_REQUEST) {
		struct sent *s = &h.sent[h.n_sent++ % NSENT];

		memcpy(s->tid, m.tid, 12);
		s->local = *local;
		s->remote = *remote;
	}
	return 0;
}

static void
on_event(void *opaque, const struct wrtc_ice_event *ev)
{
	(void)opaque;
	if ((unsigned int)ev->state > WRTC_ICE_STATE_DISCONNECTED)
		abort();
}

static size_t
take(const uint8_t **d, size_t *n, void *out, size_t want)
{
	size_t k = want < *n ? want : *n;

	memset(out, 0, want);
	memcpy(out, *d, k);
	*d += k;
	*n -= k;
	return k;
}

static void
signed_request(struct wrtc_ice_agent *ag, const uint8_t **d, size_t *n, uint64_t now)
{
	uint8_t f[16], buf[512];
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k;
	struct sockaddr_storage l, r;
	char user[32];
	int len;

	take(d, n, f, sizeof(f));
	l = addr(f[1] & 1 ? 0 : f[1] >> 1);
	r = addr(f[2]);
	/* Mostly our current username, sometimes the old generation's or junk. */
	snprintf(user, sizeof(user), "%s:%s", f[3] & 0x80 ? lufrag : h.cur_lufrag, rufrag);
	k = wrtc_stun_key_create(f[3] & 0x40 ? lpwd : h.cur_lpwd,
				 strlen(f[3] & 0x40 ? lpwd : h.cur_lpwd));
	wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, f + 4);
	if (!(f[0] & 1))
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, user,
					   (uint16_t)strlen(user));
	if (f[0] & 2)
		wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, (uint32_t)f[3] << 24 | f[1]);
	if (f[0] & 4)
		wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLING, f[14]);
	else if (f[0] & 8)
		wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLED, f[14]);
	if (f[0] & 16)
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	if (f[0] & 32)
		wrtc_stun_builder_add_attr(&b, (uint16_t)(f[15] & 0x7f), NULL, 0);
	if (!(f[0] & 64) && k != NULL)
		wrtc_stun_builder_add_integrity(&b, k);
	if (!(f[0] & 128))
		wrtc_stun_builder_add_fingerprint(&b);
	wrtc_stun_key_free(k);
	len = wrtc_stun_builder_finish(&b);
	if (len > 0)
		wrtc_ice_agent_handle_stun(ag, &l, &r, buf, (size_t)len, now);
}

static void
answer(struct wrtc_ice_agent *ag, const uint8_t **d, size_t *n, uint64_t now)
{
	uint8_t f[4], buf[256];
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k;
	const struct sent *s;
	struct sockaddr_storage from, to;
	int len;

	take(d, n, f, sizeof(f));
	if (h.n_sent == 0)
		return;
	s = &h.sent[f[0] % (h.n_sent < NSENT ? h.n_sent : NSENT)];
	from = f[2] & 1 ? addr(f[2] >> 1) : s->remote;
	to = f[2] & 2 ? addr(f[3]) : s->local;
	k = wrtc_stun_key_create(f[1] & 0x80 ? rpwd : h.cur_rpwd,
				 strlen(f[1] & 0x80 ? rpwd : h.cur_rpwd));
	if (f[1] & 1) {
		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_ERROR,
				       s->tid);
		wrtc_stun_builder_add_error_code(&b, f[1] & 2 ? 487 : 300 + f[3] % 400, NULL);
	} else {
		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_SUCCESS,
				       s->tid);
		wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, &to);
	}
	if (!(f[1] & 4) && k != NULL)
		wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	wrtc_stun_key_free(k);
	len = wrtc_stun_builder_finish(&b);
	if (len > 0)
		wrtc_ice_agent_handle_stun(ag, &to, &from, buf, (size_t)len, now);
}

static void
check_invariants(struct wrtc_ice_agent *ag, uint64_t now)
{
	struct wrtc_ice_status st;
	struct sockaddr_storage l, r;

	if (wrtc_ice_agent_status(ag, now, &st) != 0)
		abort();
	if ((unsigned int)st.state > WRTC_ICE_STATE_DISCONNECTED)
		abort();
	if (st.n_remote > WRTC_ICE_MAX_REMOTE || st.n_pairs > WRTC_ICE_MAX_PAIRS ||
	    st.n_valid > st.n_pairs)
		abort();
	if (wrtc_ice_agent_selected_pair(ag, &l, &r) == 0) {
		if (wrtc_ice_agent_is_remote_allowed(ag, &r) != st.consent)
			abort();
	} else if (st.has_selected) {
		abort();
	}
	if (st.local_mode == WRTC_ICE_MODE_LITE && st.counters.tx_checks != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrtc_ice_cand local[3];
	struct wrtc_ice_agent_prm prm;
	struct wrtc_ice_agent *ag;
	uint64_t now = 1000000;
	unsigned int gen = 0;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	memset(&h, 0, sizeof(h));
	snprintf(h.cur_lufrag, sizeof(h.cur_lufrag), "%s", lufrag);
	snprintf(h.cur_lpwd, sizeof(h.cur_lpwd), "%s", lpwd);
	snprintf(h.cur_rufrag, sizeof(h.cur_rufrag), "%s", rufrag);
	snprintf(h.cur_rpwd, sizeof(h.cur_rpwd), "%s", rpwd);
	memset(local, 0, sizeof(local));
	local[0].type = WRTC_ICE_CAND_HOST;
	local[0].addr = addr(0);
	local[1].type = WRTC_ICE_CAND_SRFLX;
	local[1].addr = addr(5);
	local[1].base = addr(0);
	local[2].type = WRTC_ICE_CAND_HOST;
	local[2].addr = addr(6);
	memset(&prm, 0, sizeof(prm));
	prm.mode = mode % 3 == 2 ? WRTC_ICE_MODE_LITE : WRTC_ICE_MODE_FULL;
	prm.role = mode % 3 == 0 ? WRTC_ICE_ROLE_CONTROLLING : WRTC_ICE_ROLE_CONTROLLED;
	prm.ufrag = lufrag;
	prm.pwd = lpwd;
	prm.tie_breaker = 0x80;
	prm.local = local;
	prm.n_local = 3;
	prm.send = on_send;
	prm.event = on_event;
	ag = wrtc_ice_agent_create(&prm);
	if (ag == NULL)
		abort();
	if (mode & 0x10)
		wrtc_ice_agent_set_remote_credentials(ag, rufrag, rpwd, mode & 0x20);

	while (size > 0) {
		uint8_t op = data[0], len;
		uint8_t raw[256];
		struct wrtc_ice_cand c;
		struct sockaddr_storage l, r;

		data++;
		size--;
		switch (op % 9) {
		case 0: /* Raw datagram. */
			len = 0;
			take(&data, &size, &len, 1);
			take(&data, &size, raw, len);
			l = addr(op >> 4);
			r = addr(op >> 1);
			wrtc_ice_agent_handle_stun(ag, &l, &r, raw, len, now);
			break;
		case 1:
			signed_request(ag, &data, &size, now);
			break;
		case 2:
			answer(ag, &data, &size, now);
			break;
		case 3: /* Time passes: up to ~16 s per step. */
			len = 0;
			take(&data, &size, &len, 1);
			now += (uint64_t)len * (op & 0x80 ? 64000 : 1000);
			break;
		case 4:
			gen++;
			snprintf(h.cur_lufrag, sizeof(h.cur_lufrag), "L%04u", gen % 10000);
			snprintf(h.cur_lpwd, sizeof(h.cur_lpwd), "localpassword%010u", gen);
			if (wrtc_ice_agent_restart(ag, h.cur_lufrag, h.cur_lpwd, now) != 0)
				abort();
			break;
		case 5:
			memset(&c, 0, sizeof(c));
			c.type = (enum wrtc_ice_cand_type)((op >> 4) & 3);
			c.addr = addr(op >> 6 | (op & 8) >> 1);
			c.priority = op & 0x80 ? 0 : 1000u * op;
			wrtc_ice_agent_add_remote_candidate(ag, &c);
			break;
		case 6:
			snprintf(h.cur_rufrag, sizeof(h.cur_rufrag), "P%04u", gen % 10000);
			snprintf(h.cur_rpwd, sizeof(h.cur_rpwd), "peerpassword%011u", gen);
			wrtc_ice_agent_set_remote_credentials(ag, h.cur_rufrag, h.cur_rpwd,
							      op & 0x10);
			break;
		case 7:
			wrtc_ice_agent_end_of_candidates(ag);
			break;
		default:
			break;
		}
		if (wrtc_ice_agent_next_tick(ag) <= now || (op & 0x40)) {
			wrtc_ice_agent_tick(ag, now);
			/* A timer left in the past would make the caller spin. */
			if (wrtc_ice_agent_next_tick(ag) <= now)
				abort();
		}
		check_invariants(ag, now);
	}
	wrtc_ice_agent_free(ag);
	return 0;
}
