/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/flow alone: the direct-indexed flow table (create, install, lookup,
 * remove, a full interface, conflicts) and the control messages a worker
 * applies (INSTALL/UPDATE/REMOVE results, BARRIER and OWNER left alone, each
 * WRTC_FLOW_UPD_* bit applying its fields only, learning restarts).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include "wrtc_flow.h"
#include "wrtc_test.h"

static struct wrtc_stream *
stream_new(uint16_t iface, uint16_t port)
{
	struct wrtc_stream *s = rte_zmalloc("test_stream", sizeof(*s), RTE_CACHE_LINE_SIZE);

	if (s != NULL) {
		s->iface = iface;
		s->local_port = port;
	}
	return s;
}

/* Apply one message of @p type for @p s; its result. */
static int
apply(struct wrtc_flow_table *t, enum wrtc_flow_msg_type type, struct wrtc_stream *s,
      const struct wrtc_flow_update *u)
{
	struct wrtc_flow_msg m = {.type = type, .s = s, .result = 12345};

	if (u != NULL)
		m.upd = *u;
	wrtc_flow_msg_apply(t, &m);
	return m.result;
}

static struct wrtc_flow_ep
ep(const char *ip, uint16_t port)
{
	struct wrtc_flow_ep e = {.port = port};

	wrtc_net_addr_parse(ip, &e.ip);
	return e;
}

static int
test_create(void)
{
	struct wrtc_flow_table *t;

	rte_errno = 0;
	WRTC_CHECK(wrtc_flow_table_create(0, SOCKET_ID_ANY) == NULL);
	WRTC_CHECK_EQ(rte_errno, EINVAL);
	rte_errno = 0;
	WRTC_CHECK(wrtc_flow_table_create(WRTC_FLOW_MAX_IFACES + 1, SOCKET_ID_ANY) == NULL);
	WRTC_CHECK_EQ(rte_errno, EINVAL);
	t = wrtc_flow_table_create(WRTC_FLOW_MAX_IFACES, SOCKET_ID_ANY);
	if (!WRTC_CHECK(t != NULL))
		return -1;
	WRTC_CHECK_EQ(t->nb_streams, 0);
	for (uint16_t i = 0; i < WRTC_FLOW_MAX_IFACES; i++)
		WRTC_CHECK(t->by_port[i] != NULL && wrtc_flow_lookup(t, i, 65535) == NULL);
	wrtc_flow_table_free(t);
	wrtc_flow_table_free(NULL);
	return 0;
}

static int
test_install_lookup_remove(void)
{
	struct wrtc_flow_table *t = wrtc_flow_table_create(2, SOCKET_ID_ANY);
	struct wrtc_stream *a = stream_new(0, 5000), *b = stream_new(1, 5000);
	struct wrtc_stream *c = stream_new(0, 5000), *d = stream_new(2, 7000);

	if (!WRTC_CHECK(t != NULL && a != NULL && b != NULL && c != NULL && d != NULL))
		return -1;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, a, NULL), 0);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, b, NULL), 0);
	WRTC_CHECK_EQ(t->nb_streams, 2);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 5000) == a);
	WRTC_CHECK(wrtc_flow_lookup(t, 1, 5000) == b);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 5001) == NULL);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 4999) == NULL);
	/* An interface the table was not made for, or beyond the limit. */
	WRTC_CHECK(wrtc_flow_lookup(t, 2, 5000) == NULL);
	WRTC_CHECK(wrtc_flow_lookup(t, WRTC_FLOW_MAX_IFACES, 5000) == NULL);
	WRTC_CHECK(wrtc_flow_lookup(t, UINT16_MAX, 5000) == NULL);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, d, NULL), -EINVAL);
	d->iface = WRTC_FLOW_MAX_IFACES;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, d, NULL), -EINVAL);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, NULL, NULL), -EINVAL);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, NULL, NULL), -EINVAL);
	/* A taken slot: another stream on the same port is refused, and the
	 * first one stays; UPDATE and REMOVE of the other are -ENOENT. */
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, c, NULL), -EEXIST);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, a, NULL), -EEXIST);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, c,
			    &(struct wrtc_flow_update){.fields = WRTC_FLOW_UPD_STARTED,
						       .started = true}), -ENOENT);
	WRTC_CHECK(!c->started);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, c, NULL), -ENOENT);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 5000) == a);
	WRTC_CHECK_EQ(t->nb_streams, 2);
	/* Remove: the slot is free again, for any stream. */
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, a, NULL), 0);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 5000) == NULL);
	WRTC_CHECK_EQ(t->nb_streams, 1);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, a, NULL), -ENOENT);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, a,
			    &(struct wrtc_flow_update){.fields = WRTC_FLOW_UPD_STARTED}), -ENOENT);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, c, NULL), 0);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 5000) == c);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, c, NULL), 0);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, b, NULL), 0);
	WRTC_CHECK_EQ(t->nb_streams, 0);
	wrtc_flow_table_free(t);
	rte_free(a);
	rte_free(b);
	rte_free(c);
	rte_free(d);
	return 0;
}

/* Every port of an interface taken: each install there is refused, the other
 * interface is untouched, and removing one port frees exactly that one. The
 * table holds pointers only, so one stream object moved from port to port
 * stands for 65,536 streams. */
static int
test_full(void)
{
	struct wrtc_flow_table *t = wrtc_flow_table_create(2, SOCKET_ID_ANY);
	struct wrtc_stream *s = stream_new(0, 0), *x = stream_new(0, 0);
	unsigned int refused = 0, ok = 0;

	if (!WRTC_CHECK(t != NULL && s != NULL && x != NULL))
		return -1;
	for (uint32_t p = 0; p <= UINT16_MAX; p++) {
		s->local_port = (uint16_t)p;
		ok += apply(t, WRTC_FLOW_MSG_INSTALL, s, NULL) == 0;
	}
	WRTC_CHECK_EQ(ok, 65536);
	WRTC_CHECK_EQ(t->nb_streams, 65536);
	for (uint32_t p = 0; p <= UINT16_MAX; p++) {
		x->local_port = (uint16_t)p;
		refused += apply(t, WRTC_FLOW_MSG_INSTALL, x, NULL) == -EEXIST;
		if (wrtc_flow_lookup(t, 0, (uint16_t)p) != s || wrtc_flow_lookup(t, 1, (uint16_t)p))
			break;
	}
	WRTC_CHECK_EQ(refused, 65536);
	WRTC_CHECK_EQ(t->nb_streams, 65536);
	s->local_port = 40000;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, s, NULL), 0);
	x->local_port = 40000;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, x, NULL), 0);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 39999) == s && wrtc_flow_lookup(t, 0, 40000) == x);
	x->local_port = 40001;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, x, NULL), -EEXIST);
	WRTC_CHECK_EQ(t->nb_streams, 65536);
	wrtc_flow_table_free(t);
	rte_free(s);
	rte_free(x);
	return 0;
}

/* BARRIER and OWNER carry nothing for the table: result 0, nothing changes,
 * whatever their stream; an unknown type is -EINVAL. */
static int
test_barrier_owner(void)
{
	struct wrtc_flow_table *t = wrtc_flow_table_create(1, SOCKET_ID_ANY);
	struct wrtc_stream *s = stream_new(0, 6000);

	if (!WRTC_CHECK(t != NULL && s != NULL))
		return -1;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_BARRIER, NULL, NULL), 0);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_OWNER, NULL, NULL), 0);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_OWNER, s,
			    &(struct wrtc_flow_update){.fields = WRTC_FLOW_UPD_STARTED,
						       .started = true}), 0);
	WRTC_CHECK(!s->started);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 6000) == NULL);
	WRTC_CHECK_EQ(apply(t, (enum wrtc_flow_msg_type)99, s, NULL), -EINVAL);
	WRTC_CHECK(wrtc_flow_lookup(t, 0, 6000) == NULL);
	WRTC_CHECK_EQ(t->nb_streams, 0);
	wrtc_flow_table_free(t);
	rte_free(s);
	return 0;
}

/* Each WRTC_FLOW_UPD_* bit applies its own fields and no other. */
static int
test_update_fields(void)
{
	struct wrtc_flow_table *t = wrtc_flow_table_create(1, SOCKET_ID_ANY);
	struct wrtc_stream *s = stream_new(0, 6000), *o = stream_new(0, 6002), *before;
	struct wrtc_srtp *k = (struct wrtc_srtp *)(uintptr_t)0x1000;
	struct wrtc_codec_xcoder *xc = (struct wrtc_codec_xcoder *)(uintptr_t)0x2000;
	struct wrtc_flow_update u;

	before = rte_zmalloc("test_stream", sizeof(*before), RTE_CACHE_LINE_SIZE);
	if (!WRTC_CHECK(t != NULL && s != NULL && o != NULL && before != NULL))
		return -1;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, s, NULL), 0);
	/* No bit: nothing changes. */
	memset(&u, 0xff, sizeof(u));
	u.fields = 0;
	*before = *s;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(memcmp(before, s, sizeof(*s)) == 0);

	memset(&u, 0, sizeof(u));
	u.fields = WRTC_FLOW_UPD_OUT;
	u.out_rtp = o;
	u.out_rtcp = o;
	u.started = true;
	u.srtp_rx = k;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->out_rtp == o && s->out_rtcp == o);
	WRTC_CHECK(!s->started && s->srtp_rx == NULL);

	u.fields = WRTC_FLOW_UPD_STARTED | WRTC_FLOW_UPD_SRTP;
	u.srtp_tx = k;
	u.secure_only = true;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->started && s->srtp_rx == k && s->srtp_tx == k && s->secure_only);

	memset(&u, 0, sizeof(u));
	u.fields = WRTC_FLOW_UPD_MEDIA;
	u.xcoder = xc;
	u.pt_remap = true;
	u.drop_rtcp = true;
	memset(u.pt_map, 0xff, sizeof(u.pt_map));
	u.pt_map[0] = 8;
	u.rtp_stream = s;
	u.rtcp_out = o;
	u.capture = true;
	u.dtls_relay = true;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->xcoder == xc && s->pt_remap && s->drop_rtcp && s->pt_map[0] == 8 &&
		   s->pt_map[127] == 0xff && s->rtp_stream == s && s->rtcp_out == o);
	WRTC_CHECK(!s->capture && !s->dtls_relay);
	WRTC_CHECK(s->started && s->srtp_rx == k);  /* earlier fields stay */

	u.fields = WRTC_FLOW_UPD_CAPTURE;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->capture && !s->dtls_relay);
	u.fields = WRTC_FLOW_UPD_RELAY;
	u.capture = false;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->capture && s->dtls_relay);

	/* REMOTE then ALSO in one message: also_from survives; REMOTE alone clears it. */
	memset(&u, 0, sizeof(u));
	u.fields = WRTC_FLOW_UPD_REMOTE | WRTC_FLOW_UPD_ALSO;
	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	u.remote = ep("192.0.2.1", 4000);
	u.remote_verified = true;
	u.also_from = ep("192.0.2.9", 4009);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(s->remote_mode == WRTC_FLOW_REMOTE_ICE && s->remote_verified);
	WRTC_CHECK(wrtc_flow_ep_eq(&s->remote, &u.remote));
	WRTC_CHECK(wrtc_flow_ep_eq(&s->also_from, &u.also_from));
	u.fields = WRTC_FLOW_UPD_REMOTE;
	u.remote = ep("192.0.2.2", 4002);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(wrtc_flow_ep_eq(&s->remote, &u.remote));
	WRTC_CHECK(!wrtc_flow_ep_set(&s->also_from));
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, s, NULL), 0);
	wrtc_flow_table_free(t);
	rte_free(s);
	rte_free(o);
	rte_free(before);
	return 0;
}

/* Learning: a learned remote survives a REMOTE update of a latching stream
 * (a route resolved later), and a new signalled address (LEARN, applied
 * before REMOTE) restarts learning and marks the old remote stale. */
static int
test_update_learn(void)
{
	struct wrtc_flow_table *t = wrtc_flow_table_create(1, SOCKET_ID_ANY);
	struct wrtc_stream *s = stream_new(0, 6000);
	struct wrtc_flow_ep sig = ep("198.51.100.1", 5004), nat = ep("203.0.113.7", 61000);
	struct wrtc_flow_update u = {0};

	if (!WRTC_CHECK(t != NULL && s != NULL))
		return -1;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_INSTALL, s, NULL), 0);
	u.fields = WRTC_FLOW_UPD_LEARN | WRTC_FLOW_UPD_REMOTE;
	u.learn.mode = WRTC_FLOW_LATCH_IMMEDIATE;
	u.learn.packets = 2;
	u.learn.sig = sig;
	u.remote_mode = WRTC_FLOW_REMOTE_LATCH;
	u.remote = sig;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK_EQ(s->learn.state, WRTC_FLOW_LEARN_OPEN);
	WRTC_CHECK(wrtc_flow_ep_eq(&s->remote, &sig) && wrtc_flow_ep_eq(&s->learn.prm.sig, &sig));
	/* What the worker does when it learns the NATed source. */
	s->learn.state = WRTC_FLOW_LEARN_LEARNED;
	s->remote = nat;
	s->remote_verified = true;
	u.fields = WRTC_FLOW_UPD_REMOTE;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK(wrtc_flow_ep_eq(&s->remote, &nat) && s->remote_verified);
	/* Same signalled address, new parameters: no restart. */
	u.fields = WRTC_FLOW_UPD_LEARN;
	u.learn.packets = 5;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK_EQ(s->learn.state, WRTC_FLOW_LEARN_LEARNED);
	WRTC_CHECK_EQ(s->learn.prm.packets, 5);
	/* The signalled address moved: learning restarts, the NAT address is stale. */
	u.fields = WRTC_FLOW_UPD_LEARN | WRTC_FLOW_UPD_REMOTE;
	u.learn.sig = ep("198.51.100.2", 5004);
	u.remote = u.learn.sig;
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_UPDATE, s, &u), 0);
	WRTC_CHECK_EQ(s->learn.state, WRTC_FLOW_LEARN_OPEN);
	WRTC_CHECK(!s->remote_verified);
	WRTC_CHECK(wrtc_flow_ep_eq(&s->remote, &u.learn.sig));
	WRTC_CHECK(wrtc_flow_ep_eq(&s->learn.prev, &nat));
	WRTC_CHECK(!s->learn.prm.restart);
	WRTC_CHECK_EQ(apply(t, WRTC_FLOW_MSG_REMOVE, s, NULL), 0);
	wrtc_flow_table_free(t);
	rte_free(s);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"create: interface count checked", test_create},
	{"install, lookup, remove, conflicts", test_install_lookup_remove},
	{"a full interface: every install refused, one remove frees one port", test_full},
	{"barrier and owner messages leave the table alone", test_barrier_owner},
	{"update: each field bit applies its own fields", test_update_fields},
	{"update: learned remote kept, new signalled address restarts", test_update_learn},
};

int
main(void)
{
	char *argv[] = {"test_flow", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "*:error"};

	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	return wrtc_test_main(cases, RTE_DIM(cases));
}
