/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/ice: two agents wired back to back through an in-memory
 * network with 1 ms latency, optional loss, blocking, a NAT and a TURN-like
 * relay address, driven by a simulated clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "wrtc_ice.h"
#include "wrtc_stun.h"
#include "wrtc_test.h"

enum { MAXQ = 512, MAXADDR = 4, LATENCY = 1000, MAXBLOCK = 4 };

struct pkt {
	struct sockaddr_storage src, dst;
	uint64_t at;
	size_t len;
	uint8_t buf[1500];
};

struct net;

struct side {
	struct net *net;
	int idx;
	struct wrtc_ice_agent *ag;
	struct sockaddr_storage addr[MAXADDR];   /* Local bases that receive. */
	unsigned int n_addr;
	bool nat;                                /* Source NAT priv -> pub. */
	struct sockaddr_storage nat_priv, nat_pub;
	bool mute;                               /* Drop everything this side sends. */
	/* Event log. */
	enum wrtc_ice_state state;
	unsigned int n_state_events;
	unsigned int n_selected;
	unsigned int n_consent_lost;
	unsigned int n_role;
	bool saw_disconnected;
	struct sockaddr_storage last_selected_remote;
};

struct net {
	uint64_t now;
	struct pkt q[MAXQ];
	unsigned int n;
	struct side s[2];
	unsigned int loss_pct;                   /* Random loss, percent. */
	uint32_t rng;                            /* LCG state for the loss. */
	unsigned int sent;
	unsigned int dropped;
	struct sockaddr_storage blocked[MAXBLOCK]; /* Unreachable addresses (either direction). */
	unsigned int n_blocked;
	struct sockaddr_storage slow;            /* Extra latency to and from this address. */
	uint64_t slow_extra;
	/* The last datagram an agent sent to an address no side owns (probe replies). */
	uint8_t probe_reply[1500];
	size_t probe_len;
	struct sockaddr_storage probe_addr;
};

static struct sockaddr_storage
sa(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
	}
	return ss;
}

static bool
eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return memcmp(a, b, sizeof(struct sockaddr_in)) == 0;
	return memcmp(a, b, sizeof(struct sockaddr_in6)) == 0;
}

static bool
blocked(const struct net *n, const struct sockaddr_storage *a)
{
	for (unsigned int i = 0; i < n->n_blocked; i++)
		if (eq(&n->blocked[i], a))
			return true;
	return false;
}

static uint32_t
lcg(struct net *n)
{
	n->rng = n->rng * 1103515245u + 12345u;
	return (n->rng >> 16) & 0x7fff;
}

static int
net_send(void *opaque, const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	 const uint8_t *buf, size_t len)
{
	struct side *s = opaque;
	struct net *n = s->net;
	struct pkt *p;

	n->sent++;
	if (s->mute || blocked(n, local) || blocked(n, remote) ||
	    (n->loss_pct != 0 && lcg(n) % 100 < n->loss_pct)) {
		n->dropped++;
		return 0;
	}
	if (n->n >= MAXQ || len > sizeof(p->buf))
		return -ENOBUFS;
	p = &n->q[n->n++];
	p->src = *local;
	if (s->nat && eq(local, &s->nat_priv))
		p->src = s->nat_pub;
	p->dst = *remote;
	p->at = n->now + LATENCY;
	if (n->slow_extra != 0 && (eq(local, &n->slow) || eq(remote, &n->slow)))
		p->at += n->slow_extra;
	p->len = len;
	memcpy(p->buf, buf, len);
	return 0;
}

static void
on_event(void *opaque, const struct wrtc_ice_event *ev)
{
	struct side *s = opaque;

	switch (ev->type) {
	case WRTC_ICE_EVENT_STATE:
		s->state = ev->state;
		s->n_state_events++;
		if (ev->state == WRTC_ICE_STATE_DISCONNECTED)
			s->saw_disconnected = true;
		break;
	case WRTC_ICE_EVENT_SELECTED_PAIR:
		s->n_selected++;
		s->last_selected_remote = *ev->remote;
		break;
	case WRTC_ICE_EVENT_CONSENT_LOST:
		s->n_consent_lost++;
		break;
	case WRTC_ICE_EVENT_ROLE:
		s->n_role++;
		break;
	}
}

/* Which side owns @p dst (after undoing the NAT), or -1. */
static int
owner(struct net *n, struct sockaddr_storage *dst)
{
	for (int i = 0; i < 2; i++) {
		if (n->s[i].nat && eq(dst, &n->s[i].nat_pub)) {
			*dst = n->s[i].nat_priv;
			return i;
		}
		/* A private address behind a NAT is not routable from outside. */
		if (n->s[i].nat && eq(dst, &n->s[i].nat_priv))
			return -1;
		for (unsigned int a = 0; a < n->s[i].n_addr; a++)
			if (eq(dst, &n->s[i].addr[a]))
				return i;
	}
	return -1;
}

static void
deliver(struct net *n)
{
	unsigned int keep = 0;
	unsigned int cnt = n->n;
	static struct pkt batch[MAXQ];
	unsigned int nb = 0;

	/* Take the due packets out first: handling them may queue more. */
	for (unsigned int i = 0; i < cnt; i++) {
		if (n->q[i].at <= n->now)
			batch[nb++] = n->q[i];
		else
			n->q[keep++] = n->q[i];
	}
	for (unsigned int i = cnt; i < n->n; i++)
		n->q[keep++] = n->q[i];
	n->n = keep;
	for (unsigned int i = 0; i < nb; i++) {
		struct pkt *p = &batch[i];
		int o = owner(n, &p->dst);

		if (o < 0) {
			memcpy(n->probe_reply, p->buf, p->len);
			n->probe_len = p->len;
			n->probe_addr = p->dst;
			continue;
		}
		if (n->s[o].ag != NULL)
			wrtc_ice_agent_handle_stun(n->s[o].ag, &p->dst, &p->src, p->buf, p->len,
						   n->now);
	}
}

static void
run(struct net *n, uint64_t duration, uint64_t step)
{
	uint64_t end = n->now + duration;

	while (n->now < end) {
		deliver(n);
		for (int i = 0; i < 2; i++)
			if (n->s[i].ag != NULL)
				wrtc_ice_agent_tick(n->s[i].ag, n->now);
		n->now += step;
	}
}

/* Advance to the earliest next_tick() or delivery only (event-driven timers). */
static void
run_events(struct net *n, uint64_t duration, unsigned int *wakeups)
{
	uint64_t end = n->now + duration;

	while (n->now < end) {
		uint64_t t = end;

		for (int i = 0; i < 2; i++) {
			uint64_t x = wrtc_ice_agent_next_tick(n->s[i].ag);

			if (x < t)
				t = x;
		}
		for (unsigned int i = 0; i < n->n; i++)
			if (n->q[i].at < t)
				t = n->q[i].at;
		if (t > n->now)
			n->now = t;
		deliver(n);
		for (int i = 0; i < 2; i++)
			wrtc_ice_agent_tick(n->s[i].ag, n->now);
		if (++(*wakeups) > 100000)
			break; /* A timer that never advances: the test fails on the count. */
	}
}

static const char *const ufrag[2] = {"aUfr", "bUfr"};
static const char *const pwd[2] = {"aPassword0123456789abcdef", "bPassword0123456789abcdef"};
/* Credentials after a restart. */
static const char *const ufrag2[2] = {"aUf2", "bUf2"};
static const char *const pwd2[2] = {"aPassword2x0123456789abcd", "bPassword2x0123456789abcd"};

struct side_cfg {
	enum wrtc_ice_mode mode;
	enum wrtc_ice_role role;
	uint64_t tie;
	struct wrtc_ice_cand cand[MAXADDR];
	unsigned int n_cand;
};

static struct wrtc_ice_cand
cand(enum wrtc_ice_cand_type type, const char *ip, uint16_t port)
{
	struct wrtc_ice_cand c;

	memset(&c, 0, sizeof(c));
	c.type = type;
	c.addr = sa(ip, port);
	return c;
}

static void
net_init(struct net *n, struct side_cfg *cfg, uint64_t consent_interval)
{
	memset(n, 0, sizeof(*n));
	/* Priorities as the SDP would carry them: earlier candidates preferred. */
	for (int i = 0; i < 2; i++)
		for (unsigned int c = 0; c < cfg[i].n_cand; c++)
			if (cfg[i].cand[c].priority == 0)
				cfg[i].cand[c].priority = wrtc_ice_priority(
					cfg[i].cand[c].type, (uint16_t)(65535 - c), 1);
	n->now = 1000000;
	for (int i = 0; i < 2; i++) {
		struct side *s = &n->s[i];
		struct wrtc_ice_agent_prm prm = {
			.mode = cfg[i].mode,
			.role = cfg[i].role,
			.ufrag = ufrag[i],
			.pwd = pwd[i],
			.tie_breaker = cfg[i].tie,
			.local = cfg[i].cand,
			.n_local = cfg[i].n_cand,
			.send = net_send,
			.event = on_event,
			.opaque = s,
			.consent_interval_us = consent_interval,
		};

		s->net = n;
		s->idx = i;
		for (unsigned int c = 0; c < cfg[i].n_cand; c++) {
			const struct wrtc_ice_cand *lc = &cfg[i].cand[c];

			s->addr[s->n_addr++] = lc->base.ss_family != 0 ? lc->base : lc->addr;
		}
		s->ag = wrtc_ice_agent_create(&prm);
	}
}

static void
net_fini(struct net *n)
{
	for (int i = 0; i < 2; i++)
		wrtc_ice_agent_free(n->s[i].ag);
}

/* Signalling: each side learns the other's credentials and SDP candidates. */
static void
exchange(struct net *n, const struct side_cfg *cfg, int skip_cand_of)
{
	for (int i = 0; i < 2; i++) {
		int o = !i;

		wrtc_ice_agent_set_remote_credentials(n->s[i].ag, ufrag[o], pwd[o],
						      cfg[o].mode == WRTC_ICE_MODE_LITE);
		if (o != skip_cand_of)
			for (unsigned int c = 0; c < cfg[o].n_cand; c++)
				wrtc_ice_agent_add_remote_candidate(n->s[i].ag, &cfg[o].cand[c]);
		wrtc_ice_agent_end_of_candidates(n->s[i].ag);
	}
}

static bool
selected_is(struct wrtc_ice_agent *ag, const char *lip, uint16_t lport, const char *rip,
	    uint16_t rport)
{
	struct sockaddr_storage l, r, wl = sa(lip, lport), wr = sa(rip, rport);

	return wrtc_ice_agent_selected_pair(ag, &l, &r) == 0 && eq(&l, &wl) && eq(&r, &wr);
}

static int
test_full_controlling_lite(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_LITE, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;
	struct sockaddr_storage other = sa("10.0.0.9", 2000), peer = sa("10.0.0.2", 2000);

	net_init(&n, cfg, 0);
	WRTC_CHECK(n.s[0].ag != NULL && n.s[1].ag != NULL);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_NEW);
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &peer));
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(n.s[0].state, WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	WRTC_CHECK_EQ(n.s[0].n_selected, 1);
	WRTC_CHECK_EQ(n.s[1].n_selected, 1);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &peer));
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &other));
	WRTC_CHECK_EQ(wrtc_ice_agent_role(n.s[0].ag), WRTC_ICE_ROLE_CONTROLLING);
	WRTC_CHECK_EQ(wrtc_ice_agent_role(n.s[1].ag), WRTC_ICE_ROLE_CONTROLLED);

	wrtc_ice_agent_status(n.s[1].ag, n.now, &st);
	WRTC_CHECK_EQ(st.local_mode, WRTC_ICE_MODE_LITE);
	WRTC_CHECK_EQ(st.remote_mode, WRTC_ICE_MODE_FULL);
	WRTC_CHECK_EQ(st.counters.tx_checks, 0);     /* Lite never checks. */
	WRTC_CHECK(st.counters.rx_requests >= 2);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.remote_mode, WRTC_ICE_MODE_LITE);
	WRTC_CHECK_STREQ(wrtc_ice_state_name(st.state), "completed");
	WRTC_CHECK_STREQ(wrtc_ice_mode_name(st.local_mode), "full");

	/* A minute later consent is still fresh on both sides. */
	run(&n, 60000000, 5000);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.state, WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(st.consent);
	WRTC_CHECK(st.consent_age_us < 7000000);
	/* 60 s at one check per 4..6 s. */
	WRTC_CHECK(st.counters.tx_consent >= 10 && st.counters.tx_consent <= 16);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	wrtc_ice_agent_status(n.s[1].ag, n.now, &st);
	WRTC_CHECK(st.consent_age_us < 7000000);
	WRTC_CHECK_EQ(n.s[0].n_consent_lost + n.s[1].n_consent_lost, 0);
	net_fini(&n);
	return 0;
}

/* A lite agent made again with the same credentials (a gateway restored from
 * Redis) takes the stored pair: the full peer's consent checks keep passing,
 * nothing is nominated again. */
static int
test_lite_restored_pair(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_LITE, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;
	struct sockaddr_storage base = sa("10.0.0.2", 2000), other = sa("10.0.0.9", 2000);
	struct sockaddr_storage peer = sa("10.0.0.1", 1000);
	struct wrtc_ice_agent_prm prm;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(n.s[1].n_selected, 1);
	wrtc_ice_agent_free(n.s[1].ag);
	memset(&prm, 0, sizeof(prm));
	prm.mode = WRTC_ICE_MODE_LITE;
	prm.role = WRTC_ICE_ROLE_CONTROLLED;
	prm.ufrag = ufrag[1];
	prm.pwd = pwd[1];
	prm.tie_breaker = 11;
	prm.local = cfg[1].cand;
	prm.n_local = 1;
	prm.send = net_send;
	prm.event = on_event;
	prm.opaque = &n.s[1];
	n.s[1].ag = wrtc_ice_agent_create(&prm);
	WRTC_CHECK(n.s[1].ag != NULL);
	WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(n.s[1].ag, ufrag[0], pwd[0], false), 0);
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &peer));
	WRTC_CHECK_EQ(wrtc_ice_agent_restore_selected(n.s[1].ag, &other, &peer, n.now), -ENOENT);
	WRTC_CHECK_EQ(wrtc_ice_agent_restore_selected(n.s[1].ag, &base, &peer, n.now), 0);
	WRTC_CHECK_EQ(n.s[1].n_selected, 2);
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &peer));
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	run(&n, 60000000, 5000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(n.s[0].n_selected, 1);
	WRTC_CHECK_EQ(n.s[0].n_consent_lost + n.s[1].n_consent_lost, 0);
	wrtc_ice_agent_status(n.s[1].ag, n.now, &st);
	WRTC_CHECK(st.consent && st.consent_age_us < 7000000);
	WRTC_CHECK(st.counters.rx_requests >= 10);
	net_fini(&n);
	return 0;
}

static int
test_full_full(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000),
		  cand(WRTC_ICE_CAND_HOST, "2001:db8::1", 1000)}, 2},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000),
		  cand(WRTC_ICE_CAND_HOST, "2001:db8::2", 2000)}, 2},
	};
	static struct net n;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 3000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	/* The first-listed (highest local preference) candidates on both sides. */
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.n_pairs, 2);   /* v4-v4 and v6-v6 only. */
	WRTC_CHECK_EQ(st.remote_mode, WRTC_ICE_MODE_FULL);
	WRTC_CHECK_EQ(st.counters.rx_bad_integrity + st.counters.rx_unknown_user, 0);
	WRTC_CHECK_EQ(st.counters.role_conflicts, 0);
	WRTC_CHECK_EQ(n.s[0].n_selected, 1);
	WRTC_CHECK_EQ(n.s[1].n_selected, 1);
	net_fini(&n);
	return 0;
}

static int
test_ipv6_only(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 7,
		 {cand(WRTC_ICE_CAND_HOST, "2001:db8::1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 9,
		 {cand(WRTC_ICE_CAND_HOST, "2001:db8::2", 2000)}, 1},
	};
	static struct net n;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "2001:db8::1", 1000, "2001:db8::2", 2000));
	net_fini(&n);
	return 0;
}

static int
role_conflict_case(enum wrtc_ice_role role)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, role, 1000, {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, role, 50, {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status a, b;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 3000000, 1000);
	/* The larger tie-breaker ends up controlling (RFC 8445 7.3.1.1). */
	WRTC_CHECK_EQ(wrtc_ice_agent_role(n.s[0].ag), WRTC_ICE_ROLE_CONTROLLING);
	WRTC_CHECK_EQ(wrtc_ice_agent_role(n.s[1].ag), WRTC_ICE_ROLE_CONTROLLED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &a);
	wrtc_ice_agent_status(n.s[1].ag, n.now, &b);
	WRTC_CHECK(a.counters.role_conflicts + b.counters.role_conflicts >= 1);
	/* Exactly one side switched, once. */
	WRTC_CHECK_EQ(n.s[0].n_role + n.s[1].n_role, 1);
	WRTC_CHECK_EQ(role == WRTC_ICE_ROLE_CONTROLLING ? n.s[1].n_role : n.s[0].n_role, 1);
	net_fini(&n);
	return 0;
}

static int
test_role_conflict_both_controlling(void)
{
	return role_conflict_case(WRTC_ICE_ROLE_CONTROLLING);
}

static int
test_role_conflict_both_controlled(void)
{
	return role_conflict_case(WRTC_ICE_ROLE_CONTROLLED);
}

static int
test_lost_packets(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status a, b;

	net_init(&n, cfg, 0);
	n.loss_pct = 40; /* 40 % of all datagrams are lost, both ways. */
	n.rng = 12345;
	exchange(&n, cfg, -1);
	run(&n, 20000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &a);
	wrtc_ice_agent_status(n.s[1].ag, n.now, &b);
	WRTC_CHECK(n.dropped > 0);
	WRTC_CHECK(a.counters.tx_retransmits + b.counters.tx_retransmits > 0);
	net_fini(&n);
	return 0;
}

static int
test_check_failure(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	n.blocked[n.n_blocked++] = sa("10.0.0.2", 2000);
	exchange(&n, cfg, -1);
	run(&n, 5000000, 1000);
	/* 7 transmissions with RTO 0.5, 1, 1.6 ... s take about 9.5 s. */
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_CHECKING);
	run(&n, 6000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_FAILED);
	WRTC_CHECK_EQ(n.s[0].state, WRTC_ICE_STATE_FAILED);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.counters.tx_checks, 1);
	WRTC_CHECK_EQ(st.counters.tx_retransmits, 6);
	WRTC_CHECK_EQ(st.counters.timeouts, 1);
	WRTC_CHECK(!st.has_selected);
	net_fini(&n);
	return 0;
}

static int
test_restart_keeps_old_pair(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.3", 3000),
		  cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 2},
	};
	static struct net n;
	struct sockaddr_storage old_r = sa("10.0.0.2", 2000), new_r = sa("10.0.0.3", 3000);
	struct wrtc_ice_status st;
	bool switched = false, gap = false, early = false;

	net_init(&n, cfg, 0);
	/* B's preferred address is unreachable at first, and A is not told of it. */
	n.blocked[n.n_blocked++] = new_r;
	exchange(&n, cfg, -1);
	wrtc_ice_agent_free(n.s[0].ag);
	{
		struct wrtc_ice_agent_prm prm = {
			.mode = WRTC_ICE_MODE_FULL, .role = WRTC_ICE_ROLE_CONTROLLING,
			.ufrag = ufrag[0], .pwd = pwd[0], .tie_breaker = 7,
			.local = cfg[0].cand, .n_local = 1, .send = net_send, .event = on_event,
			.opaque = &n.s[0],
		};
		n.s[0].ag = wrtc_ice_agent_create(&prm);
		wrtc_ice_agent_set_remote_credentials(n.s[0].ag, ufrag[1], pwd[1], false);
		wrtc_ice_agent_add_remote_candidate(n.s[0].ag, &cfg[1].cand[1]);
		wrtc_ice_agent_end_of_candidates(n.s[0].ag);
	}
	run(&n, 3000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));

	/* A restarts first (its re-offer); B has not answered yet: old pair, old creds. */
	WRTC_CHECK_EQ(wrtc_ice_agent_restart(n.s[0].ag, ufrag2[0], pwd2[0], n.now), 0);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_CONNECTED);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &old_r));
	run(&n, 40000000, 5000);
	/* 40 s later consent still holds both ways with the old credentials. */
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_CONNECTED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &old_r));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK(st.restarting);
	WRTC_CHECK(st.consent && st.consent_age_us < 7000000);
	WRTC_CHECK_EQ(st.generation, 1);

	/* B answers: it restarts too; its new address is reachable and signalled. */
	n.n_blocked = 0;
	WRTC_CHECK_EQ(wrtc_ice_agent_restart(n.s[1].ag, ufrag2[1], pwd2[1], n.now), 0);
	wrtc_ice_agent_set_remote_credentials(n.s[1].ag, ufrag2[0], pwd2[0], false);
	wrtc_ice_agent_add_remote_candidate(n.s[1].ag, &cfg[0].cand[0]);
	wrtc_ice_agent_end_of_candidates(n.s[1].ag);
	wrtc_ice_agent_set_remote_credentials(n.s[0].ag, ufrag2[1], pwd2[1], false);
	wrtc_ice_agent_add_remote_candidate(n.s[0].ag, &cfg[1].cand[0]);
	wrtc_ice_agent_add_remote_candidate(n.s[0].ag, &cfg[1].cand[1]);
	wrtc_ice_agent_end_of_candidates(n.s[0].ag);
	WRTC_CHECK_EQ(n.s[0].n_selected, 1);
	for (int i = 0; i < 3000; i++) {
		run(&n, 1000, 1000);
		if (!switched) {
			/* Until the new nomination: media still on the old pair. */
			if (n.s[0].n_selected == 2)
				switched = true;
			else if (!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &old_r))
				early = true;
		}
		if (wrtc_ice_agent_selected_pair(n.s[0].ag, NULL, NULL) != 0)
			gap = true;
	}
	WRTC_CHECK(switched);
	WRTC_CHECK(!early);
	WRTC_CHECK(!gap);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.3", 3000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.3", 3000, "10.0.0.1", 1000));
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &new_r));
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &old_r));
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK(!st.restarting);
	/* The old credentials are gone now. */
	{
		uint8_t buf[256];
		struct wrtc_stun_builder b;
		struct wrtc_stun_key *k = wrtc_stun_key_create(pwd[0], strlen(pwd[0]));
		const uint8_t tid[12] = {1};
		struct sockaddr_storage a = sa("10.0.0.1", 1000);
		int len;

		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST,
				       tid);
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, "aUfr:bUfr", 9);
		wrtc_stun_builder_add_integrity(&b, k);
		len = wrtc_stun_builder_finish(&b);
		WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(n.s[0].ag, &a, &old_r, buf, (size_t)len,
							 n.now), -EACCES);
		wrtc_stun_key_free(k);
	}
	net_fini(&n);
	return 0;
}

static int
test_lite_restart(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_LITE, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct sockaddr_storage a_addr = sa("10.0.0.1", 1000);

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	/* The gateway (lite, B) restarts on a re-offer; A's consent checks keep working. */
	wrtc_ice_agent_restart(n.s[1].ag, ufrag2[1], pwd2[1], n.now);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_CONNECTED);
	run(&n, 10000000, 5000);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &a_addr));
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_CONNECTED);
	WRTC_CHECK_EQ(n.s[1].n_selected, 1);
	/* A restarts as well and learns B's new credentials; it nominates again. */
	wrtc_ice_agent_restart(n.s[0].ag, ufrag2[0], pwd2[0], n.now);
	wrtc_ice_agent_set_remote_credentials(n.s[0].ag, ufrag2[1], pwd2[1], true);
	wrtc_ice_agent_add_remote_candidate(n.s[0].ag, &cfg[1].cand[0]);
	wrtc_ice_agent_set_remote_credentials(n.s[1].ag, ufrag2[0], pwd2[0], false);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &a_addr));
	net_fini(&n);
	return 0;
}

static int
test_consent_expiry_full(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct sockaddr_storage b_addr = sa("10.0.0.2", 2000);
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	/* B goes silent: it neither answers nor checks. */
	n.s[1].mute = true;
	run(&n, 20000000, 5000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_DISCONNECTED);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &b_addr));
	WRTC_CHECK_EQ(n.s[0].n_consent_lost, 0);
	run(&n, 11000000, 5000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_FAILED);
	WRTC_CHECK_EQ(n.s[0].n_consent_lost, 1);
	WRTC_CHECK(n.s[0].saw_disconnected);
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &b_addr));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK(st.has_selected && !st.consent);
	WRTC_CHECK(st.consent_age_us >= 30000000);
	/* No more consent checks after expiry. */
	{
		uint64_t sent = st.counters.tx_consent;

		run(&n, 20000000, 5000);
		wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
		WRTC_CHECK_EQ(st.counters.tx_consent, sent);
		WRTC_CHECK_EQ(n.s[0].n_consent_lost, 1);
	}
	net_fini(&n);
	return 0;
}

static int
test_consent_expiry_lite(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_LITE, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct sockaddr_storage a_addr = sa("10.0.0.1", 1000);

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	n.s[0].mute = true;
	run(&n, 25000000, 5000);
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &a_addr));
	run(&n, 7000000, 5000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_FAILED);
	WRTC_CHECK_EQ(n.s[1].n_consent_lost, 1);
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[1].ag, &a_addr));
	/* The full side lost consent as well: its checks went unanswered. */
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_FAILED);
	net_fini(&n);
	return 0;
}

static int
test_prflx_behind_nat(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "192.168.1.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;
	struct sockaddr_storage pub = sa("203.0.113.5", 40000), priv = sa("192.168.1.2", 2000);

	net_init(&n, cfg, 0);
	/* B sits behind a NAT: its host candidate is unreachable from A. */
	n.s[1].nat = true;
	n.s[1].nat_priv = priv;
	n.s[1].nat_pub = pub;
	exchange(&n, cfg, -1);
	run(&n, 3000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	/* A learned B's NAT binding from B's check and nominated it. */
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "203.0.113.5", 40000));
	WRTC_CHECK(selected_is(n.s[1].ag, "192.168.1.2", 2000, "10.0.0.1", 1000));
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &pub));
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &priv));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.counters.prflx_learned, 1);
	WRTC_CHECK_EQ(st.n_remote, 2);
	WRTC_CHECK_EQ(st.n_pairs, 2);
	net_fini(&n);
	return 0;
}

static struct wrtc_ice_agent *
probe_agent(struct net *n, enum wrtc_ice_mode mode)
{
	struct wrtc_ice_cand c[2] = {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000),
				     cand(WRTC_ICE_CAND_HOST, "10.0.1.2", 2000)};
	struct wrtc_ice_agent_prm prm = {
		.mode = mode, .role = WRTC_ICE_ROLE_CONTROLLED, .ufrag = ufrag[1], .pwd = pwd[1],
		.tie_breaker = 9, .local = c, .n_local = 2, .send = net_send, .event = on_event,
		.opaque = &n->s[1],
	};

	memset(n, 0, sizeof(*n));
	n->now = 1000000;
	n->s[1].net = n;
	n->s[1].idx = 1;
	n->s[1].addr[0] = c[0].addr;
	n->s[1].addr[1] = c[1].addr;
	n->s[1].n_addr = 2;
	n->s[1].ag = wrtc_ice_agent_create(&prm);
	return n->s[1].ag;
}

/*
 * Sends a crafted request to B from 10.0.0.1:1000; returns the answer's error
 * code (0 = success, -1 = no answer, < -1 = malformed answer).
 */
static int
probe(struct net *n, const char *user, const char *key_pwd, bool mi, uint16_t extra_attr,
      int *rc_out, bool *answer_has_mi)
{
	uint8_t buf[512];
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k = wrtc_stun_key_create(key_pwd, strlen(key_pwd));
	struct wrtc_stun_msg m;
	const uint8_t tid[12] = {0xaa, 0xbb, 0xcc, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct sockaddr_storage from = sa("10.0.0.1", 1000), to = sa("10.0.0.2", 2000);
	int len, code = -1;

	wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, tid);
	if (user != NULL)
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, user,
					   (uint16_t)strlen(user));
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 0x6e7f1eff);
	wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLING, 0x1234);
	if (extra_attr != 0)
		wrtc_stun_builder_add_attr(&b, extra_attr, "abcd", 4);
	if (mi)
		wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	len = wrtc_stun_builder_finish(&b);
	wrtc_stun_key_free(k);
	n->probe_len = 0;
	*rc_out = wrtc_ice_agent_handle_stun(n->s[1].ag, &to, &from, buf, (size_t)len, n->now);
	n->now += 2 * LATENCY;
	deliver(n);
	if (n->probe_len == 0)
		return -1;
	if (wrtc_stun_msg_parse(&m, n->probe_reply, n->probe_len, NULL) != 0 ||
	    memcmp(m.tid, tid, 12) != 0)
		return -2;
	*answer_has_mi = m.integrity_off != 0;
	if (m.cls == WRTC_STUN_SUCCESS) {
		struct sockaddr_storage x;

		if (wrtc_stun_msg_get_addr(&m, &m.xor_mapped, true, &x) != 0 || !eq(&x, &from))
			return -3;
		return 0;
	}
	if (wrtc_stun_msg_get_error_code(&m, &code) != 0)
		return -4;
	if (code == 420 && (m.n_unknown != 0 || m.error_code.val == NULL))
		return -5;
	return code;
}

static int
bad_requests_case(enum wrtc_ice_mode mode)
{
	static struct net n;
	struct wrtc_ice_agent *ag = probe_agent(&n, mode);
	struct wrtc_ice_status st;
	bool has_mi = false;
	int rc = 0;
	unsigned int nerr = 0;
	const uint64_t *errs;
	static const uint8_t garbage[] = {0x00, 0x01, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3,
					  4, 5, 6, 7, 8, 9, 10, 11, 12, 0x00, 0x24, 0x00, 0x08};
	struct sockaddr_storage from = sa("10.0.0.1", 1000), to = sa("10.0.0.2", 2000);

	WRTC_CHECK(ag != NULL);
	/* Wrong password. */
	WRTC_CHECK_EQ(probe(&n, "bUfr:aUfr", "notTheRightPassword1234", true, 0, &rc, &has_mi),
		      401);
	WRTC_CHECK_EQ(rc, -EACCES);
	WRTC_CHECK(!has_mi);
	/* Unknown username. */
	WRTC_CHECK_EQ(probe(&n, "zzzz:aUfr", pwd[1], true, 0, &rc, &has_mi), 401);
	WRTC_CHECK_EQ(rc, -EACCES);
	WRTC_CHECK_EQ(probe(&n, "bUfraUfr", pwd[1], true, 0, &rc, &has_mi), 401);
	/* No MESSAGE-INTEGRITY, no USERNAME. */
	WRTC_CHECK_EQ(probe(&n, "bUfr:aUfr", pwd[1], false, 0, &rc, &has_mi), 400);
	WRTC_CHECK_EQ(rc, -EPROTO);
	WRTC_CHECK_EQ(probe(&n, NULL, pwd[1], true, 0, &rc, &has_mi), 400);
	/* Unknown comprehension-required attribute: 420, authenticated. */
	WRTC_CHECK_EQ(probe(&n, "bUfr:aUfr", pwd[1], true, 0x0031, &rc, &has_mi), 420);
	WRTC_CHECK(has_mi);
	/* Unknown comprehension-optional attribute: ignored, success. */
	WRTC_CHECK_EQ(probe(&n, "bUfr:aUfr", pwd[1], true, 0x8031, &rc, &has_mi), 0);
	WRTC_CHECK_EQ(rc, 0);
	WRTC_CHECK(has_mi);
	/* Garbage is dropped without an answer. */
	n.probe_len = 0;
	WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(ag, &to, &from, garbage, sizeof(garbage), n.now),
		      -EBADMSG);
	WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(ag, &to, &from, garbage, 7, n.now), -EBADMSG);
	/* A response nobody asked for, and a request to an address that is not ours. */
	{
		uint8_t buf[128];
		struct wrtc_stun_builder b;
		const uint8_t tid[12] = {5};
		struct sockaddr_storage wrong = sa("10.0.0.2", 2001);
		int len;

		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_SUCCESS,
				       tid);
		wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, &from);
		len = wrtc_stun_builder_finish(&b);
		WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(ag, &to, &from, buf, (size_t)len, n.now),
			      -ENOENT);
		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST,
				       tid);
		len = wrtc_stun_builder_finish(&b);
		WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(ag, &wrong, &from, buf, (size_t)len,
							 n.now), -EADDRNOTAVAIL);
		wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING,
				       WRTC_STUN_INDICATION, tid);
		len = wrtc_stun_builder_finish(&b);
		WRTC_CHECK_EQ(wrtc_ice_agent_handle_stun(ag, &to, &from, buf, (size_t)len, n.now),
			      -EOPNOTSUPP);
	}
	deliver(&n);
	WRTC_CHECK_EQ(n.probe_len, 0);
	wrtc_ice_agent_status(ag, n.now, &st);
	WRTC_CHECK_EQ(st.counters.rx_bad_integrity, 1);
	WRTC_CHECK_EQ(st.counters.rx_unknown_user, 2);
	WRTC_CHECK_EQ(st.counters.rx_bad_request, 2);
	WRTC_CHECK_EQ(st.counters.rx_unknown_attr, 1);
	WRTC_CHECK_EQ(st.counters.rx_requests, 1);
	WRTC_CHECK_EQ(st.counters.rx_malformed, 2);
	WRTC_CHECK_EQ(st.counters.rx_unknown_txn, 1);
	WRTC_CHECK_EQ(st.counters.rx_unknown_local, 1);
	WRTC_CHECK_EQ(st.counters.rx_other, 1);
	WRTC_CHECK_EQ(st.counters.tx_errors, 6);
	WRTC_CHECK_EQ(st.counters.tx_responses, 1);
	errs = wrtc_ice_agent_stun_errors(ag, &nerr);
	WRTC_CHECK_EQ(nerr, WRTC_STUN_E_MAX);
	WRTC_CHECK_EQ(errs[WRTC_STUN_E_BAD_INTEGRITY], 1);
	WRTC_CHECK_EQ(errs[WRTC_STUN_E_ATTR_TRUNCATED], 1);
	WRTC_CHECK_EQ(errs[WRTC_STUN_E_TRUNCATED], 1);
	/* Only the request that was answered with success taught us a candidate. */
	WRTC_CHECK_EQ(st.counters.prflx_learned, 1);
	WRTC_CHECK_EQ(st.n_remote, 1);
	/* Paired with the local address that received it, not with 10.0.1.2 too. */
	WRTC_CHECK_EQ(st.n_pairs, 1);
	wrtc_ice_agent_free(ag);
	return 0;
}

static int
test_bad_requests_full(void)
{
	return bad_requests_case(WRTC_ICE_MODE_FULL);
}

static int
test_bad_requests_lite(void)
{
	return bad_requests_case(WRTC_ICE_MODE_LITE);
}

/* A signed Binding request to B's 10.0.0.2:2000, as a controlling peer would send it. */
static int
peer_request(struct net *n, const char *ip, uint16_t port, uint32_t prio, bool use_cand)
{
	uint8_t buf[256], tid[12];
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd[1], strlen(pwd[1]));
	struct sockaddr_storage from = sa(ip, port), to = sa("10.0.0.2", 2000);
	int len, rc;

	for (int i = 0; i < 12; i++)
		tid[i] = (uint8_t)(lcg(n) + port);
	wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, tid);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, "bUfr:aUfr", 9);
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, prio);
	wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLING, 77);
	if (use_cand)
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	len = wrtc_stun_builder_finish(&b);
	wrtc_stun_key_free(k);
	rc = wrtc_ice_agent_handle_stun(n->s[1].ag, &to, &from, buf, (size_t)len, n->now);
	n->now += 2 * LATENCY;
	deliver(n);
	return rc;
}

static int
test_lite_several_nominations(void)
{
	static struct net n;
	struct wrtc_ice_agent *ag = probe_agent(&n, WRTC_ICE_MODE_LITE);
	struct sockaddr_storage x = sa("10.0.0.1", 1000), y = sa("10.0.0.5", 1000);
	uint32_t low = wrtc_ice_priority(WRTC_ICE_CAND_PRFLX, 100, 1);
	uint32_t high = wrtc_ice_priority(WRTC_ICE_CAND_PRFLX, 60000, 1);

	WRTC_CHECK(ag != NULL);
	/* A check without USE-CANDIDATE: answered, nothing selected. */
	WRTC_CHECK_EQ(peer_request(&n, "10.0.0.1", 1000, low, false), 0);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(ag), WRTC_ICE_STATE_CHECKING);
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(ag, &x));
	/* Aggressive nomination of the lower pair first, then of the higher one. */
	WRTC_CHECK_EQ(peer_request(&n, "10.0.0.1", 1000, low, true), 0);
	WRTC_CHECK(selected_is(ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	WRTC_CHECK_EQ(wrtc_ice_agent_state(ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(peer_request(&n, "10.0.0.5", 1000, high, true), 0);
	WRTC_CHECK(selected_is(ag, "10.0.0.2", 2000, "10.0.0.5", 1000));
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(ag, &y));
	WRTC_CHECK(!wrtc_ice_agent_is_remote_allowed(ag, &x));
	/* A later nomination of the lower pair does not take media back there. */
	WRTC_CHECK_EQ(peer_request(&n, "10.0.0.1", 1000, low, true), 0);
	WRTC_CHECK(selected_is(ag, "10.0.0.2", 2000, "10.0.0.5", 1000));
	WRTC_CHECK_EQ(n.s[1].n_selected, 2);
	wrtc_ice_agent_free(ag);
	return 0;
}

static int
test_long_credentials(void)
{
	/* RFC 8839 allows 256-character ufrag and pwd: a 513-byte USERNAME. */
	static char lu[2][257], lp[2][257];
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	for (int i = 0; i < 2; i++) {
		memset(lu[i], i ? 'B' : 'A', 256);
		memset(lp[i], i ? 'q' : 'p', 256);
		WRTC_CHECK_EQ(wrtc_ice_agent_restart(n.s[i].ag, lu[i], lp[i], n.now), 0);
	}
	for (int i = 0; i < 2; i++) {
		WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(n.s[i].ag, lu[!i], lp[!i],
								    false),
			      0);
		WRTC_CHECK_EQ(wrtc_ice_agent_add_remote_candidate(n.s[i].ag, &cfg[!i].cand[0]), 0);
		wrtc_ice_agent_end_of_candidates(n.s[i].ag);
	}
	n.loss_pct = 30; /* Retransmissions are rebuilt: they must authenticate too. */
	n.rng = 7;
	run(&n, 10000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	wrtc_ice_agent_status(n.s[1].ag, n.now, &st);
	WRTC_CHECK_EQ(st.counters.rx_bad_integrity + st.counters.rx_unknown_user, 0);
	{
		uint64_t retx = st.counters.tx_retransmits;

		wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
		WRTC_CHECK_EQ(st.counters.rx_bad_integrity + st.counters.rx_unknown_user, 0);
		WRTC_CHECK(st.counters.tx_retransmits + retx > 0);
	}
	net_fini(&n);
	return 0;
}

static int
test_relay_candidate(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		/* B's only candidate is a TURN relay allocation. */
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_RELAY, "198.51.100.7", 50000)}, 1},
	};
	static struct net n;
	struct sockaddr_storage relay = sa("198.51.100.7", 50000);
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	run(&n, 3000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "198.51.100.7", 50000));
	WRTC_CHECK(wrtc_ice_agent_is_remote_allowed(n.s[0].ag, &relay));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.counters.prflx_learned, 0);
	WRTC_CHECK_EQ(st.n_remote, 1);
	net_fini(&n);
	return 0;
}

static int
test_advertised_address_lite(void)
{
	/* The gateway (A, lite) is behind a 1:1 NAT and advertises its public address. */
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_LITE, WRTC_ICE_ROLE_CONTROLLED, 7,
		 {cand(WRTC_ICE_CAND_SRFLX, "198.51.100.10", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct sockaddr_storage adv = sa("198.51.100.10", 1000), base = sa("10.0.0.1", 1000);
	struct wrtc_ice_status st;

	cfg[0].cand[0].base = base;
	net_init(&n, cfg, 0);
	WRTC_CHECK(n.s[0].ag != NULL);
	n.s[0].nat = true;
	n.s[0].nat_priv = base;
	n.s[0].nat_pub = adv;
	exchange(&n, cfg, -1);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	/* The gateway sends from its base; the peer sees the advertised address. */
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "198.51.100.10", 1000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.local_mode, WRTC_ICE_MODE_LITE);
	WRTC_CHECK_EQ(st.remote_mode, WRTC_ICE_MODE_FULL);
	net_fini(&n);
	return 0;
}

static int
test_checks_before_answer(void)
{
	/*
	 * The peer (B, controlling) gets our answer and checks at once; we (A)
	 * learn its credentials and candidates later: its early check must be
	 * answered, and our triggered check sent once the credentials arrive.
	 */
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000)}, 1},
	};
	static struct net n;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	wrtc_ice_agent_set_remote_credentials(n.s[1].ag, ufrag[0], pwd[0], false);
	wrtc_ice_agent_add_remote_candidate(n.s[1].ag, &cfg[0].cand[0]);
	wrtc_ice_agent_end_of_candidates(n.s[1].ag);
	run(&n, 200000, 1000);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK(st.counters.rx_requests >= 1);
	WRTC_CHECK_EQ(st.counters.tx_checks, 0);
	WRTC_CHECK_EQ(st.counters.prflx_learned, 1);
	WRTC_CHECK_EQ(st.state, WRTC_ICE_STATE_CHECKING);
	WRTC_CHECK_EQ(st.remote_mode, WRTC_ICE_MODE_NONE);
	/* Now the signalling catches up; the SDP candidate replaces the prflx one. */
	wrtc_ice_agent_set_remote_credentials(n.s[0].ag, ufrag[1], pwd[1], false);
	wrtc_ice_agent_add_remote_candidate(n.s[0].ag, &cfg[1].cand[0]);
	run(&n, 2000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.n_remote, 1);
	WRTC_CHECK(st.counters.tx_checks >= 1);
	net_fini(&n);
	return 0;
}

static int
test_nomination_waits_for_better_pair(void)
{
	/*
	 * The relay pair answers in 2 ms, the better host pair in 100 ms: the
	 * controlling agent waits (up to nomination_delay_us) for the host pair.
	 */
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000)}, 1},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000),
		  cand(WRTC_ICE_CAND_RELAY, "198.51.100.7", 50000)}, 2},
	};
	static struct net n;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	n.slow = sa("10.0.0.2", 2000);
	n.slow_extra = 50000;
	exchange(&n, cfg, -1);
	run(&n, 3000000, 1000);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	WRTC_CHECK(selected_is(n.s[1].ag, "10.0.0.2", 2000, "10.0.0.1", 1000));
	WRTC_CHECK_EQ(n.s[0].n_selected, 1);
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK_EQ(st.n_valid, 2);
	net_fini(&n);
	return 0;
}

static int
test_event_driven_timers(void)
{
	struct side_cfg cfg[2] = {
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLING, 7,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000),
		  cand(WRTC_ICE_CAND_HOST, "10.0.1.1", 1000)}, 2},
		{WRTC_ICE_MODE_FULL, WRTC_ICE_ROLE_CONTROLLED, 9,
		 {cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000),
		  cand(WRTC_ICE_CAND_HOST, "10.0.1.2", 2000)}, 2},
	};
	static struct net n;
	unsigned int wakeups = 0;
	struct wrtc_ice_status st;

	net_init(&n, cfg, 0);
	exchange(&n, cfg, -1);
	WRTC_CHECK(wrtc_ice_agent_next_tick(n.s[0].ag) <= n.now);
	run_events(&n, 62000000, &wakeups);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[0].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK_EQ(wrtc_ice_agent_state(n.s[1].ag), WRTC_ICE_STATE_COMPLETED);
	WRTC_CHECK(selected_is(n.s[0].ag, "10.0.0.1", 1000, "10.0.0.2", 2000));
	wrtc_ice_agent_status(n.s[0].ag, n.now, &st);
	WRTC_CHECK(st.consent && st.consent_age_us < 7000000);
	/* Timers, not polling: a few hundred wake-ups for a minute. */
	WRTC_CHECK(wakeups < 400);
	net_fini(&n);
	return 0;
}

static int
test_api_errors(void)
{
	struct wrtc_ice_cand c = cand(WRTC_ICE_CAND_HOST, "10.0.0.1", 1000);
	struct wrtc_ice_agent_prm prm = {
		.mode = WRTC_ICE_MODE_FULL, .ufrag = "abcd", .pwd = "0123456789012345678901",
		.local = &c, .n_local = 1, .send = net_send,
	};
	struct wrtc_ice_agent *ag;
	struct wrtc_ice_cand bad = c;

	prm.ufrag = "ab";
	errno = 0;
	WRTC_CHECK(wrtc_ice_agent_create(&prm) == NULL && errno == EINVAL);
	prm.ufrag = "ab:d";
	WRTC_CHECK(wrtc_ice_agent_create(&prm) == NULL);
	prm.ufrag = "abcd";
	prm.pwd = "short";
	WRTC_CHECK(wrtc_ice_agent_create(&prm) == NULL);
	prm.pwd = "0123456789012345678901";
	prm.send = NULL;
	WRTC_CHECK(wrtc_ice_agent_create(&prm) == NULL);
	prm.send = net_send;
	prm.mode = WRTC_ICE_MODE_NONE;
	WRTC_CHECK(wrtc_ice_agent_create(&prm) == NULL);
	prm.mode = WRTC_ICE_MODE_LITE;
	prm.role = WRTC_ICE_ROLE_CONTROLLING;
	ag = wrtc_ice_agent_create(&prm);
	WRTC_CHECK(ag != NULL);
	WRTC_CHECK_EQ(wrtc_ice_agent_role(ag), WRTC_ICE_ROLE_CONTROLLED);
	bad.addr.ss_family = AF_UNIX;
	WRTC_CHECK_EQ(wrtc_ice_agent_add_remote_candidate(ag, &bad), -EAFNOSUPPORT);
	WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(ag, "x", "0123456789012345678901",
							    false),
		      -EINVAL);
	WRTC_CHECK_EQ(wrtc_ice_agent_restart(ag, "abcd", "short", 0), -EINVAL);
	WRTC_CHECK_EQ(wrtc_ice_agent_selected_pair(ag, NULL, NULL), -ENOENT);
	for (int i = 0; i < WRTC_ICE_MAX_REMOTE; i++) {
		struct wrtc_ice_cand r = cand(WRTC_ICE_CAND_HOST, "10.9.0.1", (uint16_t)(1000 + i));

		WRTC_CHECK_EQ(wrtc_ice_agent_add_remote_candidate(ag, &r), 0);
	}
	{
		struct wrtc_ice_cand r = cand(WRTC_ICE_CAND_HOST, "10.9.0.2", 1);

		WRTC_CHECK_EQ(wrtc_ice_agent_add_remote_candidate(ag, &r), -ENOSPC);
	}
	WRTC_CHECK_EQ(wrtc_ice_agent_next_tick(ag), UINT64_MAX);
	{
		struct wrtc_ice_cand out[2];

		WRTC_CHECK_EQ(wrtc_ice_agent_local_candidates(ag, out, 2), 1);
		WRTC_CHECK_EQ(out[0].priority, 0x7effffff);
		WRTC_CHECK(eq(&out[0].base, &c.addr));
		WRTC_CHECK(out[0].foundation[0] != '\0');
		WRTC_CHECK_EQ(wrtc_ice_agent_local_candidates(ag, NULL, 0), 1);
	}
	wrtc_ice_agent_free(ag);
	wrtc_ice_agent_free(NULL);
	WRTC_CHECK_STREQ(wrtc_ice_state_name(WRTC_ICE_STATE_DISCONNECTED), "disconnected");
	WRTC_CHECK_STREQ(wrtc_ice_role_name(WRTC_ICE_ROLE_CONTROLLING), "controlling");
	WRTC_CHECK_STREQ(wrtc_ice_cand_type_name(WRTC_ICE_CAND_RELAY), "relay");
	WRTC_CHECK_EQ(wrtc_ice_priority(WRTC_ICE_CAND_HOST, 65535, 1), 0x7effffff);
	WRTC_CHECK_EQ(wrtc_ice_priority(WRTC_ICE_CAND_RELAY, 0, 1), 255);
	return 0;
}

/*
 * A browser emulated by hand against one gateway agent (lite, or full and
 * controlled), to reproduce the orderings of a real ICE restart: Chromium
 * checks its new generation right after setLocalDescription(offer), with the
 * gateway's *old* ufrag and password (USERNAME "gwOld:brNew"), nominates the
 * first pair that answers and keeps using those credentials on it.
 */
struct brw {
	struct wrtc_ice_agent *gw;
	uint64_t now;
	bool mute;                      /* Drop what the gateway sends (consent failing). */
	/* The gateway's last response to one of our requests. */
	bool got;
	int cls;
	int code;
	bool resp_auth_ok;              /* Its integrity verified with the key we signed with. */
	struct wrtc_stun_key *sent_key;
	uint8_t tid[12];
	/* Browser credentials, by generation (ours to answer the gateway's checks). */
	char ufrag[16][8];
	char pwd[16][32];
	unsigned int n_gen;
	struct sockaddr_storage gw_addr;
	unsigned int answered;          /* Gateway checks we answered. */
	unsigned int tid_seq;
	struct pkt q[8];                /* Our answers to the gateway's checks, in flight. */
	unsigned int n_q;
};

static int
brw_send(void *opaque, const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	 const uint8_t *buf, size_t len)
{
	struct brw *b = opaque;
	struct wrtc_stun_stats stats;
	struct wrtc_stun_msg m;

	memset(&stats, 0, sizeof(stats));
	if (b->mute || wrtc_stun_msg_parse(&m, buf, len, &stats) != 0)
		return 0;
	if (m.cls == WRTC_STUN_REQUEST) {
		/* A check (full gateway) or consent: answer it with the credentials it names. */
		const uint8_t *colon = memchr(m.username.val, ':', m.username.len);
		size_t n = colon != NULL ? (size_t)(colon - m.username.val) : 0;

		for (unsigned int g = 0; g < b->n_gen; g++) {
			uint8_t out[256];
			struct wrtc_stun_builder bd;
			struct wrtc_stun_key *k;
			int l;

			if (strlen(b->ufrag[g]) != n || memcmp(b->ufrag[g], m.username.val, n) != 0)
				continue;
			k = wrtc_stun_key_create(b->pwd[g], strlen(b->pwd[g]));
			wrtc_stun_builder_init(&bd, out, sizeof(out), WRTC_STUN_BINDING,
					       WRTC_STUN_SUCCESS, m.tid);
			wrtc_stun_builder_add_xor_addr(&bd, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS,
						       local);
			wrtc_stun_builder_add_integrity(&bd, k);
			wrtc_stun_builder_add_fingerprint(&bd);
			l = wrtc_stun_builder_finish(&bd);
			wrtc_stun_key_free(k);
			/* Delivered on the next brw_run() step, not from inside the callback. */
			if (b->n_q < 8 && l > 0) {
				memcpy(b->q[b->n_q].buf, out, (size_t)l);
				b->q[b->n_q].len = (size_t)l;
				b->q[b->n_q].src = *remote;
				b->q[b->n_q].dst = *local;
				b->n_q++;
			}
			return 0;
		}
		return 0;
	}
	if (memcmp(m.tid, b->tid, 12) != 0)
		return 0;
	b->got = true;
	b->cls = m.cls;
	b->code = 0;
	if (m.cls == WRTC_STUN_ERROR)
		wrtc_stun_msg_get_error_code(&m, &b->code);
	b->resp_auth_ok = b->sent_key != NULL && m.integrity_off != 0 &&
			  wrtc_stun_msg_check_integrity(&m, b->sent_key) == 0;
	return 0;
}

/*
 * The browser sends one check from @p port: USERNAME "gw_ufrag:br_ufrag",
 * signed with @p gw_pwd. Returns the response class (-1: none), code in b->code.
 */
static int
brw_check(struct brw *b, uint16_t port, const char *gw_ufrag, const char *gw_pwd,
	  const char *br_ufrag, bool use_cand)
{
	uint8_t buf[256];
	char user[64];
	struct wrtc_stun_builder bd;
	struct sockaddr_storage src = sa("10.0.0.1", port);
	int len;

	snprintf(user, sizeof(user), "%s:%s", gw_ufrag, br_ufrag);
	b->sent_key = wrtc_stun_key_create(gw_pwd, strlen(gw_pwd));
	b->tid_seq++;
	memset(b->tid, 0, sizeof(b->tid));
	memcpy(b->tid, &b->tid_seq, sizeof(b->tid_seq));
	b->tid[11] = (uint8_t)port;
	wrtc_stun_builder_init(&bd, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, b->tid);
	wrtc_stun_builder_add_attr(&bd, WRTC_STUN_ATTR_USERNAME, user, strlen(user));
	wrtc_stun_builder_add_u32(&bd, WRTC_STUN_ATTR_PRIORITY,
				  wrtc_ice_priority(WRTC_ICE_CAND_PRFLX, 65535, 1));
	wrtc_stun_builder_add_u64(&bd, WRTC_STUN_ATTR_ICE_CONTROLLING, 0x1234);
	if (use_cand)
		wrtc_stun_builder_add_attr(&bd, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	wrtc_stun_builder_add_integrity(&bd, b->sent_key);
	wrtc_stun_builder_add_fingerprint(&bd);
	len = wrtc_stun_builder_finish(&bd);
	b->got = false;
	wrtc_ice_agent_handle_stun(b->gw, &b->gw_addr, &src, buf, (size_t)len, b->now);
	wrtc_stun_key_free(b->sent_key);
	b->sent_key = NULL;
	if (!b->got)
		return -1;
	return b->cls;
}

/* Let the gateway's timers run (a full gateway's triggered checks get answered). */
static void
brw_run(struct brw *b, uint64_t duration)
{
	uint64_t end = b->now + duration;

	while (b->now < end) {
		unsigned int n = b->n_q;

		b->n_q = 0;
		for (unsigned int i = 0; i < n; i++) {
			struct pkt p = b->q[i];

			b->answered++;
			wrtc_ice_agent_handle_stun(b->gw, &p.dst, &p.src, p.buf, p.len, b->now);
		}
		wrtc_ice_agent_tick(b->gw, b->now);
		b->now += 5000;
	}
}

static bool
brw_selected(struct brw *b, uint16_t port)
{
	struct sockaddr_storage r = sa("10.0.0.1", port);

	return wrtc_ice_agent_is_remote_allowed(b->gw, &r);
}

static void
brw_gen(struct brw *b, unsigned int g)
{
	snprintf(b->ufrag[g], sizeof(b->ufrag[g]), "br%02u", g);
	snprintf(b->pwd[g], sizeof(b->pwd[g]), "brPassword%02u0123456789abcdef", g);
	if (g + 1 > b->n_gen)
		b->n_gen = g + 1;
}

static void
gw_cred(unsigned int g, char *u, size_t ul, char *p, size_t pl)
{
	snprintf(u, ul, "gw%02u", g);
	snprintf(p, pl, "gwPassword%02u0123456789abcdef", g);
}

/* The browser's check on a pair nominates it: a full gateway first checks it back. */
static bool
brw_nominate(struct brw *b, uint16_t port, const char *gu, const char *gp, const char *bu)
{
	for (int i = 0; i < 20 && (i == 0 || !brw_selected(b, port)); i++) {
		if (brw_check(b, port, gu, gp, bu, true) != WRTC_STUN_SUCCESS || !b->resp_auth_ok)
			return false;
		brw_run(b, 100000);
	}
	return brw_selected(b, port);
}

static int
restart_chromium_order(enum wrtc_ice_mode mode)
{
	struct wrtc_ice_cand lc = cand(WRTC_ICE_CAND_HOST, "10.0.0.2", 2000);
	static struct brw b;
	char gu[8], gp[32], gu1[8], gp1[32];
	struct wrtc_ice_agent_prm prm = {
		.mode = mode, .role = WRTC_ICE_ROLE_CONTROLLED, .tie_breaker = 9,
		.local = &lc, .n_local = 1, .send = brw_send, .opaque = &b,
	};
	struct wrtc_ice_status st;
	uint16_t port = 1000;

	memset(&b, 0, sizeof(b));
	b.now = 1000000;
	b.gw_addr = lc.addr;
	gw_cred(0, gu, sizeof(gu), gp, sizeof(gp));
	prm.ufrag = gu;
	prm.pwd = gp;
	b.gw = wrtc_ice_agent_create(&prm);
	WRTC_CHECK(b.gw != NULL);
	brw_gen(&b, 0);
	WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(b.gw, b.ufrag[0], b.pwd[0], false), 0);
	WRTC_CHECK(brw_nominate(&b, port, gu, gp, b.ufrag[0]));

	for (unsigned int g = 1; g <= 12; g++) {
		uint16_t old_port = port;
		unsigned int kind = g % 4;
		const bool from_gw = kind == 3;
		const bool consent_failed = g == 6 || g == 12;

		port = (uint16_t)(1000 + g);
		brw_gen(&b, g);
		snprintf(gu1, sizeof(gu1), "%s", gu);
		snprintf(gp1, sizeof(gp1), "%s", gp);
		gw_cred(g, gu, sizeof(gu), gp, sizeof(gp));
		if (consent_failed) {
			/* Nothing comes through for longer than the consent timeout. */
			b.mute = true;
			brw_run(&b, 31000000);
			b.mute = false;
			WRTC_CHECK_EQ(wrtc_ice_agent_state(b.gw), WRTC_ICE_STATE_FAILED);
			WRTC_CHECK(!brw_selected(&b, old_port));
		}
		if (from_gw) {
			/* The gateway re-offers with new credentials; the browser has not
			 * answered: its old-generation checks keep the old pair alive. */
			WRTC_CHECK_EQ(wrtc_ice_agent_restart(b.gw, gu, gp, b.now), 0);
			if (!consent_failed) {
				WRTC_CHECK_EQ(brw_check(&b, old_port, gu1, gp1, b.ufrag[g - 1], true),
					      WRTC_STUN_SUCCESS);
				WRTC_CHECK(brw_selected(&b, old_port));
			}
			/* Its answer: new credentials both ways, checks with the new ones. */
			WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(b.gw, b.ufrag[g],
									    b.pwd[g], false), 0);
			WRTC_CHECK(brw_nominate(&b, port, gu, gp, b.ufrag[g]));
		} else {
			if (kind == 1) {
				/* The early check reaches the gateway before the re-offer does. */
				WRTC_CHECK(brw_nominate(&b, port, gu1, gp1, b.ufrag[g]));
			}
			/* The browser's re-offer: the gateway restarts and answers. */
			WRTC_CHECK_EQ(wrtc_ice_agent_restart(b.gw, gu, gp, b.now), 0);
			WRTC_CHECK_EQ(wrtc_ice_agent_set_remote_credentials(b.gw, b.ufrag[g],
									    b.pwd[g], false), 0);
			if (kind != 1 && !consent_failed) {
				/* The old pair still carries media; its keep-alive with the old
				 * credentials is answered... */
				WRTC_CHECK(brw_selected(&b, old_port));
				WRTC_CHECK_EQ(brw_check(&b, old_port, gu1, gp1, b.ufrag[g - 1], true),
					      WRTC_STUN_SUCCESS);
				/* ...but an old-generation check on another pair is refused now
				 * that the new generation is signalled (no silent success). */
				WRTC_CHECK_EQ(brw_check(&b, (uint16_t)(port + 100), gu1, gp1,
							b.ufrag[g - 1], true),
					      WRTC_STUN_ERROR);
				WRTC_CHECK_EQ(b.code, WRTC_STUN_ERR_UNAUTHORIZED);
				WRTC_CHECK(brw_selected(&b, old_port));
			}
			if (kind != 1 && !consent_failed) {
				/* Chromium's first check on its new pair carries no
				 * USE-CANDIDATE: media may follow it before the nomination. */
				struct sockaddr_storage rr, want = sa("10.0.0.1", port);

				WRTC_CHECK_EQ(brw_check(&b, port, gu1, gp1, b.ufrag[g], false),
					      WRTC_STUN_SUCCESS);
				WRTC_CHECK(b.resp_auth_ok);
				WRTC_CHECK(brw_selected(&b, old_port));
				WRTC_CHECK_EQ(wrtc_ice_agent_restart_remote(b.gw, &rr), 0);
				WRTC_CHECK(eq(&rr, &want));
			}
			/* Chromium's order: the gateway's old credentials, its new ufrag. */
			WRTC_CHECK(brw_nominate(&b, port, gu1, gp1, b.ufrag[g]));
			{
				struct sockaddr_storage rr;

				WRTC_CHECK_EQ(wrtc_ice_agent_restart_remote(b.gw, &rr), -ENOENT);
			}
		}
		WRTC_CHECK(brw_selected(&b, port));
		WRTC_CHECK(!brw_selected(&b, old_port));
		wrtc_ice_agent_status(b.gw, b.now, &st);
		WRTC_CHECK(!st.restarting);
		WRTC_CHECK_EQ(st.generation, g);
		WRTC_CHECK_EQ(wrtc_ice_agent_state(b.gw), WRTC_ICE_STATE_COMPLETED);
		/* 40 s of consent on the pair, with the credentials the browser found it
		 * with (Chromium keeps them): media stays on it. */
		for (int i = 0; i < 16; i++) {
			const bool prev_key = !from_gw;

			WRTC_CHECK_EQ(brw_check(&b, port, prev_key ? gu1 : gu, prev_key ? gp1 : gp,
						b.ufrag[g], true),
				      WRTC_STUN_SUCCESS);
			brw_run(&b, 2500000);
			WRTC_CHECK(brw_selected(&b, port));
		}
		WRTC_CHECK_EQ(wrtc_ice_agent_state(b.gw), WRTC_ICE_STATE_COMPLETED);
		/* The previous generation's own checks are over. */
		WRTC_CHECK_EQ(brw_check(&b, old_port, gu1, gp1, b.ufrag[g - 1], true),
			      WRTC_STUN_ERROR);
		WRTC_CHECK_EQ(b.code, WRTC_STUN_ERR_UNAUTHORIZED);
		WRTC_CHECK(brw_selected(&b, port));
	}
	wrtc_ice_agent_status(b.gw, b.now, &st);
	WRTC_CHECK(st.counters.rx_new_gen_prev_key > 0);
	WRTC_CHECK(st.counters.rx_stale_gen > 0);
	WRTC_CHECK(mode == WRTC_ICE_MODE_LITE || b.answered > 0);
	/* Two generations back is not accepted, even naming the current peer ufrag. */
	gw_cred(10, gu1, sizeof(gu1), gp1, sizeof(gp1));
	WRTC_CHECK_EQ(brw_check(&b, port, gu1, gp1, b.ufrag[12], true), WRTC_STUN_ERROR);
	WRTC_CHECK_EQ(b.code, WRTC_STUN_ERR_UNAUTHORIZED);
	wrtc_ice_agent_free(b.gw);
	return 0;
}

static int
test_restart_chromium_order_lite(void)
{
	return restart_chromium_order(WRTC_ICE_MODE_LITE);
}

static int
test_restart_chromium_order_full(void)
{
	return restart_chromium_order(WRTC_ICE_MODE_FULL);
}

static const struct wrtc_test_case cases[] = {
	{"full controlling <-> lite", test_full_controlling_lite},
	{"lite agent made again takes the restored pair", test_lite_restored_pair},
	{"full <-> full, v4 and v6", test_full_full},
	{"ipv6 only", test_ipv6_only},
	{"role conflict, both controlling", test_role_conflict_both_controlling},
	{"role conflict, both controlled", test_role_conflict_both_controlled},
	{"40 % packet loss", test_lost_packets},
	{"unreachable peer fails", test_check_failure},
	{"restart keeps the old pair until nominated", test_restart_keeps_old_pair},
	{"lite restart", test_lite_restart},
	{"restart in Chromium's order, lite", test_restart_chromium_order_lite},
	{"restart in Chromium's order, full", test_restart_chromium_order_full},
	{"consent expiry, full", test_consent_expiry_full},
	{"consent expiry, lite", test_consent_expiry_lite},
	{"peer-reflexive behind NAT", test_prflx_behind_nat},
	{"bad requests, full", test_bad_requests_full},
	{"bad requests, lite", test_bad_requests_lite},
	{"lite: several nominations, highest wins", test_lite_several_nominations},
	{"256-character credentials", test_long_credentials},
	{"relay candidate", test_relay_candidate},
	{"advertised address (1:1 NAT), lite", test_advertised_address_lite},
	{"checks before the answer", test_checks_before_answer},
	{"nomination waits for a better pair", test_nomination_waits_for_better_pair},
	{"event-driven timers", test_event_driven_timers},
	{"api errors", test_api_errors},
};

WRTC_TEST_MAIN(cases)
