/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker fast-path tests on a real ethdev: a net_ring port whose RX rings
 * the test fills with frames and whose TX rings it reads back. Two workers,
 * so the software hand-off path runs too (net_ring cannot steer).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <rte_cycles.h>
#include <rte_icmp.h>

#include "wrtc_codec.h"
#include "wrtc_policer.h"
#include "wrtc_rtp.h"
#include "wrtc_test.h"
#include "wrtc_worker.h"

enum { NB_WORKERS = 2 };

static struct rte_mempool *mp;
static struct rte_ring *rxr[NB_WORKERS], *txr[NB_WORKERS + 1];
static struct wrtc_dataplane dp;

static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr a_mac = {{0x02, 0, 0, 0, 0, 0xa1}};
static const struct rte_ether_addr b_mac = {{0x02, 0, 0, 0, 0, 0xb1}};
static struct wrtc_net_addr gw_ip, a_ip, b_ip, x_ip;

static int
setup(void)
{
	char *argv[] = {"test_worker", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level", "*:warning"};
	char name[32];
	uint16_t port_id;
	int rc;

	rc = rte_eal_init((int)RTE_DIM(argv), argv);
	if (rc < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("test_mp", 4095, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (mp == NULL)
		return -1;
	for (int i = 0; i < NB_WORKERS + 1; i++) {
		snprintf(name, sizeof(name), "trx%d", i);
		if (i < NB_WORKERS)
			rxr[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "ttx%d", i);
		txr[i] = rte_ring_create(name, 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	rc = rte_eth_from_rings("net_ring_test", rxr, NB_WORKERS, txr, NB_WORKERS + 1, 0);
	if (rc < 0)
		return -1;
	port_id = (uint16_t)rc;
	memset(dp.iface_of_port, 0xff, sizeof(dp.iface_of_port));
	dp.nb_workers = NB_WORKERS;
	dp.nb_ifaces = 1;
	snprintf(name, sizeof(name), "%u", port_id);
	rc = wrtc_port_open(name, NB_WORKERS, mp, &dp.port[0]);
	if (rc != 0) {
		fprintf(stderr, "port open: %s\n", strerror(-rc));
		return -1;
	}
	dp.iface_of_port[port_id] = 0;
	dp.ifc[0].port_id = port_id;
	dp.ifc[0].mac = gw_mac;
	wrtc_net_addr_parse("10.0.0.2", &gw_ip);
	wrtc_net_addr_parse("10.0.0.1", &a_ip);
	wrtc_net_addr_parse("10.0.0.3", &b_ip);
	wrtc_net_addr_parse("10.0.0.9", &x_ip);
	dp.ifc[0].ip4 = gw_ip;
	dp.ifc[0].ip4_prefix = 24;
	wrtc_net_addr_parse("fd00::2", &dp.ifc[0].ip6);
	dp.ifc[0].ip6_prefix = 64;
	if (wrtc_net_iface_init(&dp.ifc[0]) != 0)
		return -1;
	for (uint16_t w = 0; w < NB_WORKERS; w++) {
		dp.workers[w] = wrtc_worker_create(&dp, w, 0);
		if (dp.workers[w] == NULL)
			return -1;
	}
	return 0;
}

/* A UDP frame from (mac, ip, port) to the gateway's (port) with @p payload. */
static struct rte_mbuf *
frame(const struct rte_ether_addr *mac, const struct wrtc_net_addr *ip, uint16_t sport,
      uint16_t dport, const uint8_t *payload, uint16_t len)
{
	struct wrtc_net_iface peer = {.mac = *mac, .ip4 = *ip, .ip4_prefix = 24};
	struct wrtc_net_hdr_tmpl t;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL || wrtc_net_hdr_tmpl_init(&t, &peer, ip, sport, &gw_ip, dport, &gw_mac) != 0)
		return NULL;
	memcpy(rte_pktmbuf_append(m, len), payload, len);
	if (wrtc_net_udp_prepend(m, &t, false) != 0)
		return NULL;
	m->port = dp.ifc[0].port_id;
	return m;
}

static void
rtp_payload(uint8_t *p, uint16_t seq, uint16_t len)
{
	memset(p, 0, len);
	p[0] = 0x80;
	p[1] = 0;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	for (uint16_t i = 12; i < len; i++)
		p[i] = (uint8_t)(i * 3 + seq);
}

static void
inject(int q, struct rte_mbuf *m)
{
	rte_ring_enqueue(rxr[q], m);
}

static void
poll_all(int rounds)
{
	for (int r = 0; r < rounds; r++)
		for (int w = 0; w < NB_WORKERS; w++)
			wrtc_worker_poll_once(dp.workers[w]);
}

static void
drain_replies(void)
{
	void *msg;

	for (int w = 0; w < NB_WORKERS; w++)
		while (rte_ring_dequeue(dp.workers[w]->reply, &msg) == 0)
			free(msg);
}

static void
post(uint16_t w, enum wrtc_flow_msg_type type, struct wrtc_stream *s,
     const struct wrtc_flow_update *u)
{
	struct wrtc_flow_msg *msg = calloc(1, sizeof(*msg));

	msg->type = type;
	msg->s = s;
	if (u != NULL)
		msg->upd = *u;
	rte_ring_enqueue(dp.workers[w]->ctrl, msg);
}

static struct wrtc_stream *
stream(uint16_t port)
{
	struct wrtc_stream *s = rte_zmalloc(NULL, sizeof(*s), RTE_CACHE_LINE_SIZE);

	s->iface = 0;
	s->local_port = port;
	s->ifc = &dp.ifc[0];
	s->started = true;
	s->remote_mode = WRTC_FLOW_REMOTE_LATCH;
	return s;
}

static uint64_t
ms_from_now(int64_t ms)
{
	return (uint64_t)((int64_t)rte_rdtsc() + ms * (int64_t)rte_get_tsc_hz() / 1000);
}

/* What the control lcore sends for a plain RTP leg's SDP: the signalled
 * address (route resolved when @p mac is given) and the learning rules. */
static void
learn(uint16_t w, struct wrtc_stream *s, enum wrtc_flow_latch mode, uint16_t n, int64_t window_ms,
      int64_t delay_ms, const struct wrtc_net_addr *ip, uint16_t port,
      const struct rte_ether_addr *mac, bool restart)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE | WRTC_FLOW_UPD_LEARN};

	u.remote_mode = WRTC_FLOW_REMOTE_LATCH;
	if (ip != NULL) {
		u.remote.ip = *ip;
		u.remote.port = port;
	}
	if (ip != NULL && mac != NULL) {
		wrtc_net_hdr_tmpl_init(&u.tmpl, &dp.ifc[0], &gw_ip, s->local_port, ip, port, mac);
		u.tmpl_valid = true;
	}
	u.learn.mode = mode;
	u.learn.packets = n;
	u.learn.window_end_tsc = ms_from_now(window_ms);
	u.learn.delay_end_tsc = ms_from_now(delay_ms);
	u.learn.sig = u.remote;
	u.learn.restart = restart;
	post(w, WRTC_FLOW_MSG_UPDATE, s, &u);
}

static void
set_remote(uint16_t w, struct wrtc_stream *s, const struct wrtc_net_addr *ip, uint16_t port,
	   const struct rte_ether_addr *mac)
{
	learn(w, s, WRTC_FLOW_LATCH_HEURISTIC, 4, 10000, 1000, ip, port, mac, true);
}

static void
wire_pair(uint16_t w, struct wrtc_stream *x, struct wrtc_stream *y)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_OUT};

	u.out_rtp = y;
	u.out_rtcp = y;
	post(w, WRTC_FLOW_MSG_UPDATE, x, &u);
	u.out_rtp = x;
	u.out_rtcp = x;
	post(w, WRTC_FLOW_MSG_UPDATE, y, &u);
}

/* Independent check of a transmitted frame: addresses, ports, checksums, payload. */
static bool
check_out(struct rte_mbuf *m, const struct rte_ether_addr *dmac, const struct wrtc_net_addr *dip,
	  uint16_t sport, uint16_t dport, const uint8_t *payload, uint16_t len)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct rte_ether_hdr *eh = (const void *)p;
	const struct rte_ipv4_hdr *ih = (const void *)(p + 14);
	const struct rte_udp_hdr *uh = (const void *)(p + 34);
	bool ok = true;

	ok &= WRTC_CHECK(rte_pktmbuf_data_len(m) == 42u + len);
	ok &= WRTC_CHECK(rte_is_same_ether_addr(&eh->dst_addr, dmac));
	ok &= WRTC_CHECK(rte_is_same_ether_addr(&eh->src_addr, &gw_mac));
	ok &= WRTC_CHECK(ih->src_addr == gw_ip.v4 && ih->dst_addr == dip->v4);
	ok &= WRTC_CHECK(rte_ipv4_cksum(ih) == 0 || rte_raw_cksum(ih, 20) == 0xffff);
	ok &= WRTC_CHECK(rte_be_to_cpu_16(uh->src_port) == sport);
	ok &= WRTC_CHECK(rte_be_to_cpu_16(uh->dst_port) == dport);
	ok &= WRTC_CHECK(rte_ipv4_udptcp_cksum_verify(ih, uh) == 0);
	ok &= WRTC_CHECK(memcmp(p + 42, payload, len) == 0);
	return ok;
}

static struct wrtc_stream *sa, *sb;

/* A at 10.0.0.1:4000 <-> gw:20000 | gw:20002 <-> B at 10.0.0.3:5000, on worker 0. */
static int
test_relay(void)
{
	uint8_t pl[172];
	struct rte_mbuf *out;

	sa = stream(20000);
	sb = stream(20002);
	wrtc_steer_set(&dp.port[0], 20000, 0);
	wrtc_steer_set(&dp.port[0], 20002, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, sa, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, sb, NULL);
	set_remote(0, sa, &a_ip, 4000, &a_mac);
	set_remote(0, sb, &b_ip, 5000, &b_mac);
	wire_pair(0, sa, sb);
	poll_all(1);
	drain_replies();

	rtp_payload(pl, 1, sizeof(pl));
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 1);
	if (rte_ring_dequeue(txr[0], (void **)&out) == 0) {
		check_out(out, &b_mac, &b_ip, 20002, 5000, pl, sizeof(pl));
		rte_pktmbuf_free(out);
	}
	rtp_payload(pl, 2, sizeof(pl));
	inject(0, frame(&b_mac, &b_ip, 5000, 20002, pl, 100));
	poll_all(1);
	if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
		check_out(out, &a_mac, &a_ip, 20000, 4000, pl, 100);
		rte_pktmbuf_free(out);
	}
	WRTC_CHECK_EQ(sa->c.rx_pkts, 1);
	WRTC_CHECK_EQ(sa->c.rx_bytes, 172);
	WRTC_CHECK_EQ(sb->c.tx_pkts, 1);
	WRTC_CHECK_EQ(sb->c.rx_pkts, 1);
	WRTC_CHECK_EQ(sa->c.tx_pkts, 1);
	WRTC_CHECK(sa->c.latched_tsc != 0);
	WRTC_CHECK_EQ(sa->learn.state, WRTC_FLOW_LEARN_SIGNALLED);
	return 0;
}

/* After latching, only the latched source is accepted. */
static int
test_source_check(void)
{
	uint8_t pl[60];
	uint64_t before = dp.workers[0]->st.drops[WRTC_DROP_SOURCE];

	rtp_payload(pl, 3, sizeof(pl));
	inject(0, frame(&a_mac, &x_ip, 4000, 20000, pl, sizeof(pl)));
	inject(0, frame(&a_mac, &a_ip, 4001, 20000, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(dp.workers[0]->st.drops[WRTC_DROP_SOURCE] - before, 2);
	WRTC_CHECK_EQ(sa->drop_reasons[WRTC_DROP_SOURCE], 2);
	return 0;
}

/* Unknown port, bad payload class, short RTP, STUN and ARP punts. */
static int
test_classes(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	uint8_t pl[40] = {0};
	struct rte_mbuf *m;
	uint64_t noflow = w->st.drops[WRTC_DROP_NO_FLOW];
	uint64_t cls = w->st.drops[WRTC_DROP_PAYLOAD_CLASS];
	uint64_t shortrtp = w->st.drops[WRTC_DROP_RTP_HEADER];
	uint64_t punted = w->st.punted;

	rtp_payload(pl, 9, sizeof(pl));
	inject(0, frame(&a_mac, &a_ip, 4000, 21000, pl, sizeof(pl)));    /* no stream */
	pl[0] = 70;
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, sizeof(pl)));    /* not RFC 7983 */
	pl[0] = 0x80;
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, 8));             /* short RTP */
	pl[0] = 0x00;
	pl[1] = 0x01;
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, 20));            /* STUN */
	pl[0] = 22;
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, 30));            /* DTLS */
	poll_all(1);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_NO_FLOW] - noflow, 1);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_PAYLOAD_CLASS] - cls, 1);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_RTP_HEADER] - shortrtp, 1);
	WRTC_CHECK_EQ(w->st.punted - punted, 2);
	if (WRTC_CHECK(wrtc_worker_punt_take(w, &m, 1) == 1)) {
		WRTC_CHECK_EQ(wrtc_punt_kind(m), WRTC_PUNT_STUN);
		WRTC_CHECK_EQ(wrtc_punt_class(m), WRTC_PUNT_CLASS_STUN);
		rte_pktmbuf_free(m);
	}
	if (WRTC_CHECK(wrtc_worker_punt_take(w, &m, 1) == 1)) {
		WRTC_CHECK_EQ(wrtc_punt_kind(m), WRTC_PUNT_DTLS);
		WRTC_CHECK_EQ(wrtc_punt_class(m), WRTC_PUNT_CLASS_DTLS);
		rte_pktmbuf_free(m);
	}
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	return 0;
}

/* A stream owned by worker 1 receives through worker 0's queue: hand-off. */
static int
test_handoff(void)
{
	struct wrtc_stream *sc = stream(22000), *sd = stream(22002);
	uint8_t pl[80];
	struct rte_mbuf *out;

	WRTC_CHECK_EQ(dp.port[0].steer, WRTC_STEER_SOFTWARE);
	wrtc_steer_set(&dp.port[0], 22000, 1);
	wrtc_steer_set(&dp.port[0], 22002, 1);
	post(1, WRTC_FLOW_MSG_INSTALL, sc, NULL);
	post(1, WRTC_FLOW_MSG_INSTALL, sd, NULL);
	set_remote(1, sc, &a_ip, 4500, &a_mac);
	set_remote(1, sd, &b_ip, 6000, &b_mac);
	wire_pair(1, sc, sd);
	poll_all(1);
	drain_replies();
	rtp_payload(pl, 5, sizeof(pl));
	inject(0, frame(&a_mac, &a_ip, 4500, 22000, pl, sizeof(pl)));
	{
		/* Busy vs idle cycles: an iteration that moved a packet is busy, an
		 * empty one idle. */
		const struct wrtc_worker_stats *st = &dp.workers[0]->st;
		uint64_t busy = st->busy_cycles, idle = st->idle_cycles;

		wrtc_worker_poll_once(dp.workers[0]);
		WRTC_CHECK(st->busy_cycles > busy);
		WRTC_CHECK_EQ(st->idle_cycles, idle);
		busy = st->busy_cycles;
		wrtc_worker_poll_once(dp.workers[0]);
		WRTC_CHECK(st->idle_cycles > idle);
		WRTC_CHECK_EQ(st->busy_cycles, busy);
	}
	WRTC_CHECK_EQ(dp.workers[0]->st.handoff_out, 1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]) + rte_ring_count(txr[1]), 0);
	wrtc_worker_poll_once(dp.workers[1]);
	WRTC_CHECK_EQ(dp.workers[1]->st.handoff_in, 1);
	WRTC_CHECK_EQ(rte_ring_count(txr[1]), 1);
	if (WRTC_CHECK(rte_ring_dequeue(txr[1], (void **)&out) == 0)) {
		check_out(out, &b_mac, &b_ip, 22002, 6000, pl, sizeof(pl));
		rte_pktmbuf_free(out);
	}
	WRTC_CHECK_EQ(sc->c.rx_pkts, 1);
	return 0;
}

/* REMOVE takes a stream out; its packets then count as no-stream drops. */
static int
test_remove(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	uint64_t noflow = w->st.drops[WRTC_DROP_NO_FLOW];
	struct wrtc_flow_msg *msg;
	uint8_t pl[40];

	post(0, WRTC_FLOW_MSG_REMOVE, sa, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, sa, NULL);
	poll_all(1);
	if (WRTC_CHECK(rte_ring_dequeue(w->reply, (void **)&msg) == 0)) {
		WRTC_CHECK_EQ(msg->result, 0);
		WRTC_CHECK(msg->s == sa);
		free(msg);
	}
	if (WRTC_CHECK(rte_ring_dequeue(w->reply, (void **)&msg) == 0)) {
		WRTC_CHECK_EQ(msg->result, -ENOENT);
		free(msg);
	}
	rtp_payload(pl, 7, sizeof(pl));
	inject(0, frame(&a_mac, &a_ip, 4000, 20000, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_NO_FLOW] - noflow, 1);
	return 0;
}

/* WebRTC leg A speaks SRTP, leg B plain RTP: decrypt on the way in, encrypt on the way out. */
static int
test_srtp_interworking(void)
{
	struct wrtc_stream *se = stream(23000), *sf = stream(23002);
	struct wrtc_srtp_prm k1 = {.suite = WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	struct wrtc_srtp_prm k2 = {.suite = WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	struct wrtc_srtp *a_tx, *a_rx, *gw_rx, *gw_tx;
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	uint8_t pl[200], enc[200], orig[172];
	struct rte_mbuf *out;
	size_t len;

	for (unsigned int i = 0; i < sizeof(k1.master_key); i++) {
		k1.master_key[i] = (uint8_t)i;
		k2.master_key[i] = (uint8_t)(0x80 + i);
	}
	for (unsigned int i = 0; i < sizeof(k1.master_salt); i++) {
		k1.master_salt[i] = (uint8_t)(0x40 + i);
		k2.master_salt[i] = (uint8_t)(0xc0 + i);
	}
	a_tx = wrtc_srtp_create(&k1);   /* browser protects with k1 */
	gw_rx = wrtc_srtp_create(&k1);  /* gateway unprotects with k1 */
	gw_tx = wrtc_srtp_create(&k2);  /* gateway protects with k2 */
	a_rx = wrtc_srtp_create(&k2);   /* browser unprotects with k2 */
	if (!WRTC_CHECK(a_tx && gw_rx && gw_tx && a_rx))
		return -1;
	wrtc_steer_set(&dp.port[0], 23000, 0);
	wrtc_steer_set(&dp.port[0], 23002, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, se, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, sf, NULL);
	set_remote(0, se, &a_ip, 7000, &a_mac);
	set_remote(0, sf, &b_ip, 7002, &b_mac);
	wire_pair(0, se, sf);
	u.srtp_rx = gw_rx;
	u.srtp_tx = gw_tx;
	u.secure_only = true;
	post(0, WRTC_FLOW_MSG_UPDATE, se, &u);
	poll_all(1);
	drain_replies();

	/* A -> B: SRTP in, plain RTP out, byte-exact. */
	rtp_payload(orig, 11, sizeof(orig));
	memcpy(enc, orig, sizeof(orig));
	len = sizeof(orig);
	WRTC_CHECK_EQ(wrtc_srtp_protect(a_tx, enc, &len, sizeof(enc)), 0);
	WRTC_CHECK_EQ(len, 182);
	inject(0, frame(&a_mac, &a_ip, 7000, 23000, enc, (uint16_t)len));
	/* The same packet again is a replay; a tampered one fails authentication;
	 * plain RTP on a secure stream fails authentication too. */
	inject(0, frame(&a_mac, &a_ip, 7000, 23000, enc, (uint16_t)len));
	rtp_payload(pl, 13, sizeof(orig));
	len = sizeof(orig);
	WRTC_CHECK_EQ(wrtc_srtp_protect(a_tx, pl, &len, sizeof(pl)), 0);
	pl[20] ^= 1;
	inject(0, frame(&a_mac, &a_ip, 7000, 23000, pl, (uint16_t)len));
	rtp_payload(pl, 14, sizeof(orig));
	inject(0, frame(&a_mac, &a_ip, 7000, 23000, pl, sizeof(orig)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 1);
	if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
		check_out(out, &b_mac, &b_ip, 23002, 7002, orig, sizeof(orig));
		rte_pktmbuf_free(out);
	}
	WRTC_CHECK_EQ(se->drop_reasons[WRTC_DROP_SRTP_REPLAY], 1);
	WRTC_CHECK_EQ(se->drop_reasons[WRTC_DROP_SRTP_AUTH], 2);

	/* B -> A: plain in, SRTP out that the browser can unprotect. */
	rtp_payload(pl, 12, 172);
	inject(0, frame(&b_mac, &b_ip, 7002, 23002, pl, 172));
	poll_all(1);
	if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
		uint8_t *p = rte_pktmbuf_mtod_offset(out, uint8_t *, 42);

		len = rte_pktmbuf_data_len(out) - 42;
		WRTC_CHECK_EQ(len, 182);
		WRTC_CHECK_EQ(wrtc_srtp_unprotect(a_rx, p, &len), 0);
		WRTC_CHECK_EQ(len, 172);
		WRTC_CHECK(memcmp(p, pl, 172) == 0);
		rte_pktmbuf_free(out);
	}
	WRTC_CHECK_EQ(se->c.tx_bytes, 182);
	/* The streams leave the table before the contexts they use are freed,
	 * as the session layer does. */
	post(0, WRTC_FLOW_MSG_REMOVE, se, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, sf, NULL);
	poll_all(1);
	drain_replies();
	wrtc_srtp_free(gw_rx);
	wrtc_srtp_free(gw_tx);
	wrtc_srtp_free(a_tx);
	wrtc_srtp_free(a_rx);
	return 0;
}


/* ----------------------------------------------------------- endpoint learning */

static struct wrtc_stream *la, *lb;

/* A fresh pair on worker 0: phone A at a_ip:4000 signalled (and fixed by its
 * first packet), leg B set by the case. */
static void
learn_pair(uint16_t port)
{
	la = stream(port);
	lb = stream((uint16_t)(port + 2));
	wrtc_steer_set(&dp.port[0], port, 0);
	wrtc_steer_set(&dp.port[0], (uint16_t)(port + 2), 0);
	post(0, WRTC_FLOW_MSG_INSTALL, la, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, lb, NULL);
	set_remote(0, la, &a_ip, 4000, &a_mac);
	wire_pair(0, la, lb);
}

/* Send @p n RTP packets from (ip, sport) to the gateway's @p dport. */
static void
send_from(const struct wrtc_net_addr *ip, uint16_t sport, uint16_t dport, int n)
{
	static uint16_t seq;
	uint8_t pl[60];

	for (int i = 0; i < n; i++) {
		rtp_payload(pl, seq++, sizeof(pl));
		inject(0, frame(&b_mac, ip, sport, dport, pl, sizeof(pl)));
	}
	poll_all(1);
}

/* Take every transmitted frame; count them and check each goes to (ip, port). */
static unsigned int
sent_to(const struct wrtc_net_addr *ip, uint16_t port)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(txr[0], (void **)&m) == 0) {
		const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
		const struct rte_ipv4_hdr *ih = (const void *)(p + 14);
		const struct rte_udp_hdr *uh = (const void *)(p + 34);

		WRTC_CHECK(ih->dst_addr == ip->v4);
		WRTC_CHECK_EQ(rte_be_to_cpu_16(uh->dst_port), port);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static bool
remote_is(const struct wrtc_stream *s, const struct wrtc_net_addr *ip, uint16_t port)
{
	struct wrtc_flow_ep e = {.ip = *ip, .port = port};

	return wrtc_flow_ep_eq(&s->remote, &e);
}

/* A stranger who sends first gets nothing and does not move the stream; the
 * signalled phone then works, and the stranger stays out. */
static int
test_learn_stranger_first(void)
{
	learn_pair(24000);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&x_ip, 6666, 24002, 10);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_LEARNING], 10);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_OPEN);
	WRTC_CHECK(remote_is(lb, &b_ip, 5000));
	send_from(&b_ip, 5000, 24002, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 2);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_SIGNALLED);
	send_from(&x_ip, 6666, 24002, 5);
	send_from(&x_ip, 5000, 24002, 5);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE], 10);
	WRTC_CHECK(remote_is(lb, &b_ip, 5000));
	/* A -> B still goes to the phone. */
	send_from(&a_ip, 4000, 24000, 1);
	WRTC_CHECK_EQ(sent_to(&b_ip, 5000), 1);
	return 0;
}

/* Heuristic: the signalled IP on another port (port-translating NAT) is
 * learned after N packets in a row without the delay; the first N-1 are
 * dropped; then even the signalled port cannot take the stream back. */
static int
test_learn_nat_same_ip(void)
{
	learn_pair(24010);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 5300, 24012, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->learn.cand_count, 2);
	send_from(&b_ip, 5300, 24012, 3);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 3);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_LEARNED);
	WRTC_CHECK(remote_is(lb, &b_ip, 5300));
	WRTC_CHECK(lb->c.latched_tsc != 0);
	send_from(&a_ip, 4000, 24010, 1);
	WRTC_CHECK_EQ(sent_to(&b_ip, 5300), 1);
	send_from(&b_ip, 5000, 24012, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE], 2);
	/* A route to the signalled address resolved later keeps the learned one. */
	{
		struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};

		u.remote_mode = WRTC_FLOW_REMOTE_LATCH;
		u.remote.ip = b_ip;
		u.remote.port = 5000;
		wrtc_net_hdr_tmpl_init(&u.tmpl, &dp.ifc[0], &gw_ip, 24012, &b_ip, 5000, &b_mac);
		u.tmpl_valid = true;
		post(0, WRTC_FLOW_MSG_UPDATE, lb, &u);
		poll_all(1);
		drain_replies();
	}
	WRTC_CHECK(remote_is(lb, &b_ip, 5300));
	send_from(&a_ip, 4000, 24010, 1);
	WRTC_CHECK_EQ(sent_to(&b_ip, 5300), 1);
	return 0;
}

/* Heuristic: another address waits for the delay (its count goes on); a
 * worse-ranked source does not reset a better candidate. */
static int
test_learn_delay_and_rank(void)
{
	learn_pair(24020);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&x_ip, 7000, 24022, 4);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->learn.cand_count, 4);
	WRTC_CHECK_EQ(lb->learn.cand_rank, WRTC_FLOW_RANK_OTHER);
	/* The same IP outranks it; the other address then cannot reset it. */
	send_from(&b_ip, 5100, 24022, 2);
	send_from(&x_ip, 7000, 24022, 2);
	WRTC_CHECK(remote_is(lb, &b_ip, 5000));
	WRTC_CHECK_EQ(lb->learn.cand_count, 2);
	WRTC_CHECK_EQ(lb->learn.cand_rank, WRTC_FLOW_RANK_SAME_IP);
	send_from(&b_ip, 5100, 24022, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK(remote_is(lb, &b_ip, 5100));
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_LEARNING], 8);

	/* Another pair: the other address is learned once the delay is over
	 * (a later answer's update without restart keeps its count). */
	learn_pair(24030);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&x_ip, 7000, 24032, 3);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_OPEN);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, -1, &b_ip, 5000, &b_mac, false);
	poll_all(1);
	drain_replies();
	WRTC_CHECK_EQ(lb->learn.cand_count, 3);
	send_from(&x_ip, 7000, 24032, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 2);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_LEARNED);
	WRTC_CHECK(remote_is(lb, &x_ip, 7000));
	return 0;
}

/* Immediate: any source after N in a row, another source resets the count.
 * Delayed: even the signalled IP waits for the delay. */
static int
test_learn_immediate_delayed(void)
{
	learn_pair(24040);
	learn(0, lb, WRTC_FLOW_LATCH_IMMEDIATE, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&x_ip, 7000, 24042, 2);
	send_from(&b_ip, 5100, 24042, 1);
	send_from(&x_ip, 7000, 24042, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	send_from(&x_ip, 7000, 24042, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK(remote_is(lb, &x_ip, 7000));

	learn_pair(24050);
	learn(0, lb, WRTC_FLOW_LATCH_DELAYED, 2, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 5100, 24052, 5);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_OPEN);
	learn(0, lb, WRTC_FLOW_LATCH_DELAYED, 2, 10000, -1, &b_ip, 5000, &b_mac, false);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 5100, 24052, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK(remote_is(lb, &b_ip, 5100));
	return 0;
}

/* Off: only the signalled address. A closed window: a silent leg cannot be
 * taken over, but the signalled address is still accepted. */
static int
test_learn_off_and_window(void)
{
	learn_pair(24060);
	learn(0, lb, WRTC_FLOW_LATCH_OFF, 1, 10000, 0, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 5100, 24062, 5);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE], 5);
	send_from(&b_ip, 5000, 24062, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);

	learn_pair(24070);
	learn(0, lb, WRTC_FLOW_LATCH_IMMEDIATE, 1, -1, 0, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&x_ip, 7000, 24072, 20);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_WINDOW], 20);
	WRTC_CHECK(remote_is(lb, &b_ip, 5000));
	send_from(&a_ip, 4000, 24070, 1);
	WRTC_CHECK_EQ(sent_to(&b_ip, 5000), 1);
	send_from(&b_ip, 5000, 24072, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_SIGNALLED);
	return 0;
}

/* A re-offer to a new port moves the stream at once; late packets from the
 * old port are dropped as stale and cannot be learned, the new one is. */
static int
test_learn_reoffer_move(void)
{
	learn_pair(24080);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 2, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 5000, 24082, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 2);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 2, 10000, 5000, &b_ip, 5002, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&a_ip, 4000, 24080, 1);
	WRTC_CHECK_EQ(sent_to(&b_ip, 5002), 1);
	send_from(&b_ip, 5000, 24082, 6);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_STALE], 6);
	WRTC_CHECK(remote_is(lb, &b_ip, 5002));
	send_from(&b_ip, 5002, 24082, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 2);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_SIGNALLED);
	send_from(&b_ip, 5000, 24082, 1);
	send_from(&x_ip, 5000, 24082, 1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_STALE], 7);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE], 1);

	/* From a learned NAT address: the learned one becomes stale. */
	learn_pair(24090);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 2, 10000, 5000, &b_ip, 5000, &b_mac, true);
	poll_all(1);
	drain_replies();
	send_from(&b_ip, 6000, 24092, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 2, 10000, 5000, &b_ip, 5002, NULL, true);
	poll_all(1);
	drain_replies();
	WRTC_CHECK(!lb->tmpl_valid);
	send_from(&b_ip, 6000, 24092, 4);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SOURCE_STALE], 4);
	send_from(&b_ip, 6002, 24092, 2);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK(remote_is(lb, &b_ip, 6002));
	return 0;
}

/* SDES-SRTP leg: only packets that authenticate count towards learning, so
 * forged packets from a NAT-like source neither count nor reset. */
static int
test_learn_srtp_counts_authenticated(void)
{
	struct wrtc_srtp_prm k = {.suite = WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	struct wrtc_srtp *phone_tx, *gw_rx;
	uint8_t pl[200];
	size_t len;

	for (unsigned int i = 0; i < sizeof(k.master_key); i++)
		k.master_key[i] = (uint8_t)(0x11 + i);
	for (unsigned int i = 0; i < sizeof(k.master_salt); i++)
		k.master_salt[i] = (uint8_t)(0x22 + i);
	phone_tx = wrtc_srtp_create(&k);
	gw_rx = wrtc_srtp_create(&k);
	if (!WRTC_CHECK(phone_tx != NULL && gw_rx != NULL))
		return -1;
	learn_pair(24100);
	learn(0, lb, WRTC_FLOW_LATCH_HEURISTIC, 3, 10000, 5000, &b_ip, 5000, &b_mac, true);
	u.srtp_rx = gw_rx;
	u.secure_only = true;
	post(0, WRTC_FLOW_MSG_UPDATE, lb, &u);
	poll_all(1);
	drain_replies();
	/* Forged: plain RTP and SRTP with a wrong tag, from b_ip:5100. */
	send_from(&b_ip, 5100, 24102, 4);
	for (uint16_t q = 0; q < 4; q++) {
		rtp_payload(pl, (uint16_t)(100 + q), 60);
		len = 60;
		WRTC_CHECK_EQ(wrtc_srtp_protect(phone_tx, pl, &len, sizeof(pl)), 0);
		pl[len - 1] ^= 0x5a;
		inject(0, frame(&b_mac, &b_ip, 5100, 24102, pl, (uint16_t)len));
	}
	poll_all(1);
	WRTC_CHECK_EQ(lb->drop_reasons[WRTC_DROP_SRTP_AUTH], 8);
	WRTC_CHECK_EQ(lb->learn.cand_count, 0);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 0);
	/* The phone's real packets from there: learned at the third. */
	for (uint16_t q = 0; q < 3; q++) {
		rtp_payload(pl, (uint16_t)(200 + q), 60);
		len = 60;
		WRTC_CHECK_EQ(wrtc_srtp_protect(phone_tx, pl, &len, sizeof(pl)), 0);
		inject(0, frame(&b_mac, &b_ip, 5100, 24102, pl, (uint16_t)len));
		if (q == 0) {
			/* A forged one in between does not reset the count. */
			rtp_payload(pl, 300, 60);
			inject(0, frame(&b_mac, &b_ip, 5100, 24102, pl, 60));
		}
	}
	poll_all(1);
	WRTC_CHECK_EQ(sent_to(&a_ip, 4000), 1);
	WRTC_CHECK_EQ(lb->learn.state, WRTC_FLOW_LEARN_LEARNED);
	WRTC_CHECK(remote_is(lb, &b_ip, 5100));
	/* The stream lets go of the context before it is freed, as the session
	 * layer does. */
	u.srtp_rx = NULL;
	u.secure_only = false;
	post(0, WRTC_FLOW_MSG_UPDATE, lb, &u);
	poll_all(1);
	drain_replies();
	WRTC_CHECK(lb->srtp_rx == NULL);
	wrtc_srtp_free(gw_rx);
	wrtc_srtp_free(phone_tx);
	return 0;
}


/* An ARP request from A for the gateway's address. */
static struct rte_mbuf *
arp_frame(void)
{
	struct wrtc_net_iface peer = {.mac = a_mac, .ip4 = a_ip, .ip4_prefix = 24};
	struct rte_mbuf *m = wrtc_net_arp_request(mp, &peer, gw_ip.v4);

	if (m != NULL)
		m->port = dp.ifc[0].port_id;
	return m;
}

/* A neighbour solicitation from A (fd00::1) for the gateway's IPv6 address. */
static struct rte_mbuf *
ns_frame(void)
{
	struct wrtc_net_iface peer = {.mac = a_mac, .ip6_prefix = 64};
	struct rte_mbuf *m;

	wrtc_net_addr_parse("fd00::1", &peer.ip6);
	if (wrtc_net_iface_init(&peer) != 0)
		return NULL;
	m = wrtc_net_nd_solicit(mp, &peer, dp.ifc[0].ip6.v6);
	if (m != NULL)
		m->port = dp.ifc[0].port_id;
	return m;
}

/* An ICMP echo request from A to the gateway. */
static struct rte_mbuf *
echo_frame(uint16_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	struct rte_ether_hdr *eh;
	struct rte_ipv4_hdr *ih;
	struct rte_icmp_hdr *ic;
	uint8_t *p;

	if (m == NULL || rte_pktmbuf_append(m, 14 + 20 + 8 + 16) == NULL)
		return NULL;
	p = rte_pktmbuf_mtod(m, uint8_t *);
	memset(p, 0, 14 + 20 + 8 + 16);
	eh = (struct rte_ether_hdr *)p;
	ih = (struct rte_ipv4_hdr *)(p + 14);
	ic = (struct rte_icmp_hdr *)(p + 34);
	eh->dst_addr = gw_mac;
	eh->src_addr = a_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ih->version_ihl = 0x45;
	ih->total_length = rte_cpu_to_be_16(20 + 8 + 16);
	ih->time_to_live = 64;
	ih->next_proto_id = IPPROTO_ICMP;
	ih->src_addr = a_ip.v4;
	ih->dst_addr = gw_ip.v4;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(7);
	ic->icmp_seq_nb = rte_cpu_to_be_16(seq);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, 8 + 16);
	m->port = dp.ifc[0].port_id;
	return m;
}

static struct rte_mbuf *
stun_frame(const struct wrtc_net_addr *ip, uint16_t sport, uint16_t dport)
{
	uint8_t pl[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};

	return frame(&a_mac, ip, sport, dport, pl, sizeof(pl));
}

/* Inject @p n frames made by @p mk on queue 0 and poll until they are read. */
static void
inject_n(unsigned int n, struct rte_mbuf *(*mk)(void))
{
	while (n > 0) {
		unsigned int k = RTE_MIN(n, 512u);

		for (unsigned int i = 0; i < k; i++)
			inject(0, mk());
		while (rte_ring_count(rxr[0]) != 0)
			poll_all(1);
		n -= k;
	}
}

static struct rte_mbuf *
flood_stun(void)
{
	return stun_frame(&x_ip, 9000, 26000);
}

/* Take every punted packet of worker @p w; count them per class. */
static unsigned int
take_all(struct wrtc_lcore *w, unsigned int per_class[WRTC_PUNT_CLASS_MAX],
	 unsigned int per_kind[WRTC_PUNT_DTLS + 1])
{
	struct rte_mbuf *pkts[32];
	unsigned int n, total = 0;

	while ((n = wrtc_worker_punt_take(w, pkts, RTE_DIM(pkts))) != 0) {
		for (unsigned int i = 0; i < n; i++) {
			if (per_class != NULL && wrtc_punt_class(pkts[i]) < WRTC_PUNT_CLASS_MAX)
				per_class[wrtc_punt_class(pkts[i])]++;
			if (per_kind != NULL && wrtc_punt_kind(pkts[i]) <= WRTC_PUNT_DTLS)
				per_kind[wrtc_punt_kind(pkts[i])]++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

/* ARP, ICMP echo and ND have buckets of their own before the punt ring. */
static int
test_punt_policed(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	/* One token per second: nothing refills while the test runs. */
	struct wrtc_policer_prm pa = {.name = "arp", .type = WRTC_POLICER_ARP, .bucket = 4,
				      .rate = 1, .hz = hz, .now = now};
	struct wrtc_policer_prm pc = {.name = "icmp", .type = WRTC_POLICER_ICMP, .bucket = 3,
				      .rate = 1, .hz = hz, .now = now};
	struct wrtc_policer_prm pn = {.name = "nd", .type = WRTC_POLICER_ND, .bucket = 2,
				      .rate = 1, .hz = hz, .now = now};
	unsigned int kinds[WRTC_PUNT_DTLS + 1] = {0}, classes[WRTC_PUNT_CLASS_MAX] = {0};
	uint64_t punted = w->st.punted, policed = w->st.drops[WRTC_DROP_POLICER];
	struct wrtc_policer_status st;
	unsigned int n;

	take_all(w, NULL, NULL);
	w->pol_arp = wrtc_policer_create(&pa);
	w->pol_icmp = wrtc_policer_create(&pc);
	w->pol_nd = wrtc_policer_create(&pn);
	if (!WRTC_CHECK(w->pol_arp != NULL && w->pol_icmp != NULL && w->pol_nd != NULL))
		return -1;
	for (uint16_t i = 0; i < 10; i++) {
		inject(0, arp_frame());
		inject(0, echo_frame(i));
		inject(0, ns_frame());
	}
	while (rte_ring_count(rxr[0]) != 0)
		poll_all(1);
	WRTC_CHECK_EQ(w->st.punted - punted, 4 + 3 + 2);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_POLICER] - policed, 6 + 7 + 8);
	n = take_all(w, classes, kinds);
	WRTC_CHECK_EQ(n, 9);
	WRTC_CHECK_EQ(kinds[WRTC_PUNT_ND], 2);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_ND], 2);
	WRTC_CHECK_EQ(kinds[WRTC_PUNT_ARP], 4);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_ARP], 4);
	WRTC_CHECK_EQ(kinds[WRTC_PUNT_ICMP], 3);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_ICMP], 3);
	wrtc_policer_status_get(w->pol_arp, &st);
	WRTC_CHECK_EQ(st.accepted, 4);
	WRTC_CHECK_EQ(st.discarded, 6);
	wrtc_policer_status_get(w->pol_icmp, &st);
	WRTC_CHECK_EQ(st.accepted, 3);
	WRTC_CHECK_EQ(st.discarded, 7);
	wrtc_policer_free(w->pol_arp);
	wrtc_policer_free(w->pol_icmp);
	wrtc_policer_free(w->pol_nd);
	w->pol_arp = w->pol_icmp = w->pol_nd = NULL;
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	return 0;
}

static void
ice_remote(struct wrtc_stream *s, const struct wrtc_net_addr *ip, uint16_t port, bool verified)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};

	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	if (verified) {
		u.remote.ip = *ip;
		u.remote.port = port;
		u.remote_verified = true;
		wrtc_net_hdr_tmpl_init(&u.tmpl, &dp.ifc[0], &gw_ip, s->local_port, ip, port, &a_mac);
		u.tmpl_valid = true;
	}
	post(0, WRTC_FLOW_MSG_UPDATE, s, &u);
	poll_all(1);
	drain_replies();
}

static uint32_t
pairs_of(const struct wrtc_policer *p)
{
	struct wrtc_policer_status st;

	wrtc_policer_status_get(p, &st);
	return st.pairs;
}

/*
 * A STUN flood fills only its share of the punt ring while the control lcore
 * does not read: the selected pair's consent check and an ARP request are
 * still punted. The worker keeps the selected pair (set by the UPDATE that
 * verifies an ICE stream's remote) in its STUN policer's pair table.
 */
static int
test_punt_shares(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	struct wrtc_policer_prm prm = {.name = "stun", .type = WRTC_POLICER_STUN,
				       .bucket = 1u << 20, .rate = 1u << 20,
				       .pair_rate = 1u << 20, .max_pairs = 8,
				       .hz = rte_get_tsc_hz(), .now = rte_rdtsc()};
	unsigned int classes[WRTC_PUNT_CLASS_MAX] = {0};
	struct wrtc_stream *si = stream(26000);
	uint64_t punted, share = w->st.drops[WRTC_DROP_PUNT_SHARE];
	uint64_t share_stun = w->st.punt_share_full[WRTC_PUNT_CLASS_STUN];
	unsigned int n;

	take_all(w, NULL, NULL);
	w->pol_stun = wrtc_policer_create(&prm);
	if (!WRTC_CHECK(w->pol_stun != NULL))
		return -1;
	si->remote_mode = WRTC_FLOW_REMOTE_ICE;
	post(0, WRTC_FLOW_MSG_INSTALL, si, NULL);
	poll_all(1);
	drain_replies();
	WRTC_CHECK_EQ(pairs_of(w->pol_stun), 0);
	ice_remote(si, &a_ip, 7100, true);
	WRTC_CHECK_EQ(pairs_of(w->pol_stun), 1);
	WRTC_CHECK(si->pair_policed);
	WRTC_CHECK_EQ(wrtc_policer_classify(w->pol_stun, &(struct wrtc_policer_addr){
		.family = AF_INET, .bytes = {10, 0, 0, 1}}, 7100, 26000), WRTC_POLICER_CLASS_PAIR);

	punted = w->st.punted;
	inject_n(WRTC_PUNT_SHARE_STUN + 77, flood_stun);
	WRTC_CHECK_EQ(w->st.punted - punted, WRTC_PUNT_SHARE_STUN);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_PUNT_SHARE] - share, 77);
	WRTC_CHECK_EQ(w->st.punt_share_full[WRTC_PUNT_CLASS_STUN] - share_stun, 77);
	/* The pair, an ARP request: punted; A on another port: the full STUN share. */
	inject(0, stun_frame(&a_ip, 7100, 26000));
	inject(0, stun_frame(&a_ip, 7101, 26000));
	inject(0, arp_frame());
	poll_all(1);
	WRTC_CHECK_EQ(w->st.punted - punted, WRTC_PUNT_SHARE_STUN + 2);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_PUNT_SHARE] - share, 78);
	n = take_all(w, classes, NULL);
	WRTC_CHECK_EQ(n, WRTC_PUNT_SHARE_STUN + 2);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_STUN], WRTC_PUNT_SHARE_STUN);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_PAIR], 1);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_ARP], 1);
	/* Taken packets give their share back. */
	inject(0, flood_stun());
	poll_all(1);
	WRTC_CHECK_EQ(w->st.punted - punted, WRTC_PUNT_SHARE_STUN + 3);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_PUNT_SHARE] - share, 78);
	memset(classes, 0, sizeof(classes));
	n = take_all(w, classes, NULL);
	WRTC_CHECK_EQ(n, 1);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_STUN], 1);

	/* Consent lost (no verified remote): the pair leaves the table; a new
	 * pair replaces it; REMOVE takes it out. */
	ice_remote(si, NULL, 0, false);
	WRTC_CHECK_EQ(pairs_of(w->pol_stun), 0);
	WRTC_CHECK(!si->pair_policed);
	ice_remote(si, &a_ip, 7200, true);
	ice_remote(si, &a_ip, 7300, true);
	WRTC_CHECK_EQ(pairs_of(w->pol_stun), 1);
	inject(0, stun_frame(&a_ip, 7200, 26000));
	inject(0, stun_frame(&a_ip, 7300, 26000));
	poll_all(1);
	memset(classes, 0, sizeof(classes));
	n = take_all(w, classes, NULL);
	WRTC_CHECK_EQ(n, 2);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_STUN], 1);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_PAIR], 1);
	post(0, WRTC_FLOW_MSG_REMOVE, si, NULL);
	poll_all(1);
	drain_replies();
	WRTC_CHECK_EQ(pairs_of(w->pol_stun), 0);
	wrtc_policer_free(w->pol_stun);
	w->pol_stun = NULL;
	rte_free(si);
	return 0;
}

/* Software steering: STUN for a port of worker 1 arriving on worker 0's queue
 * is policed by worker 1, whose tables hold the stream's selected pair. */
static int
test_punt_owner(void)
{
	struct wrtc_lcore *w0 = dp.workers[0], *w1 = dp.workers[1];
	struct wrtc_policer_prm prm = {.name = "stun", .type = WRTC_POLICER_STUN,
				       .bucket = 100, .rate = 100, .pair_rate = 100, .max_pairs = 8,
				       .hz = rte_get_tsc_hz(), .now = rte_rdtsc()};
	unsigned int classes[WRTC_PUNT_CLASS_MAX] = {0};
	struct wrtc_stream *si = stream(22004);
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};
	uint64_t out0 = w0->st.handoff_out;
	struct wrtc_policer_status st;
	unsigned int n;

	take_all(w0, NULL, NULL);
	take_all(w1, NULL, NULL);
	w1->pol_stun = wrtc_policer_create(&prm);
	if (!WRTC_CHECK(w1->pol_stun != NULL))
		return -1;
	wrtc_steer_set(&dp.port[0], 22004, 1);
	si->remote_mode = WRTC_FLOW_REMOTE_ICE;
	post(1, WRTC_FLOW_MSG_INSTALL, si, NULL);
	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	u.remote.ip = a_ip;
	u.remote.port = 7400;
	u.remote_verified = true;
	post(1, WRTC_FLOW_MSG_UPDATE, si, &u);
	poll_all(1);
	drain_replies();
	WRTC_CHECK_EQ(pairs_of(w1->pol_stun), 1);
	inject(0, stun_frame(&a_ip, 7400, 22004));
	inject(0, stun_frame(&x_ip, 7400, 22004));
	wrtc_worker_poll_once(w0);
	WRTC_CHECK_EQ(w0->st.handoff_out - out0, 2);
	WRTC_CHECK_EQ(rte_ring_count(w0->punt), 0);
	wrtc_worker_poll_once(w1);
	n = take_all(w1, classes, NULL);
	WRTC_CHECK_EQ(n, 2);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_PAIR], 1);
	WRTC_CHECK_EQ(classes[WRTC_PUNT_CLASS_STUN], 1);
	wrtc_policer_status_get(w1->pol_stun, &st);
	WRTC_CHECK_EQ(st.pair_accepted, 1);
	WRTC_CHECK_EQ(st.accepted, 2);
	post(1, WRTC_FLOW_MSG_REMOVE, si, NULL);
	poll_all(1);
	drain_replies();
	WRTC_CHECK_EQ(pairs_of(w1->pol_stun), 0);
	wrtc_policer_free(w1->pol_stun);
	w1->pol_stun = NULL;
	rte_free(si);
	return 0;
}

/* ICE restart: media from the pair the peer checked with the new generation
 * is accepted besides the selected one (also_from) until a REMOTE update. */
static int
test_ice_also_from(void)
{
	struct wrtc_stream *si = stream(22010), *so = stream(22012);
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE};
	uint64_t before = dp.workers[0]->st.drops[WRTC_DROP_SOURCE];
	struct rte_mbuf *out;
	uint8_t pl[60];

	wrtc_steer_set(&dp.port[0], 22010, 0);
	wrtc_steer_set(&dp.port[0], 22012, 0);
	si->remote_mode = WRTC_FLOW_REMOTE_ICE;
	si->started = so->started = true;
	post(0, WRTC_FLOW_MSG_INSTALL, si, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, so, NULL);
	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	u.remote.ip = a_ip;
	u.remote.port = 7400;
	u.remote_verified = true;
	post(0, WRTC_FLOW_MSG_UPDATE, si, &u);
	set_remote(0, so, &b_ip, 5010, &b_mac);
	wire_pair(0, si, so);
	poll_all(1);
	drain_replies();
	rtp_payload(pl, 4, sizeof(pl));
	/* The peer's new port: dropped until the control lcore says otherwise. */
	inject(0, frame(&a_mac, &a_ip, 7402, 22010, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(dp.workers[0]->st.drops[WRTC_DROP_SOURCE] - before, 1);
	u.fields = WRTC_FLOW_UPD_ALSO;
	u.also_from.ip = a_ip;
	u.also_from.port = 7402;
	post(0, WRTC_FLOW_MSG_UPDATE, si, &u);
	poll_all(1);
	drain_replies();
	inject(0, frame(&a_mac, &a_ip, 7402, 22010, pl, sizeof(pl)));
	inject(0, frame(&a_mac, &a_ip, 7400, 22010, pl, sizeof(pl)));
	inject(0, frame(&a_mac, &x_ip, 7402, 22010, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 2);
	while (rte_ring_dequeue(txr[0], (void **)&out) == 0) {
		check_out(out, &b_mac, &b_ip, 22012, 5010, pl, sizeof(pl));
		rte_pktmbuf_free(out);
	}
	WRTC_CHECK_EQ(dp.workers[0]->st.drops[WRTC_DROP_SOURCE] - before, 2);
	/* The nomination (a REMOTE update) ends it. */
	u.fields = WRTC_FLOW_UPD_REMOTE;
	u.remote.port = 7404;
	post(0, WRTC_FLOW_MSG_UPDATE, si, &u);
	poll_all(1);
	drain_replies();
	inject(0, frame(&a_mac, &a_ip, 7402, 22010, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(dp.workers[0]->st.drops[WRTC_DROP_SOURCE] - before, 3);
	post(0, WRTC_FLOW_MSG_REMOVE, si, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, so, NULL);
	poll_all(1);
	drain_replies();
	rte_free(si);
	rte_free(so);
	return 0;
}

/* An ICE leg whose selected pair is @p ip:port (what push_selected() posts). */
static void
set_selected(uint16_t w, struct wrtc_stream *s, const struct wrtc_net_addr *ip, uint16_t port,
	     const struct rte_ether_addr *mac)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_REMOTE | WRTC_FLOW_UPD_RELAY};

	u.remote_mode = WRTC_FLOW_REMOTE_ICE;
	u.dtls_relay = true;
	if (ip != NULL) {
		u.remote.ip = *ip;
		u.remote.port = port;
		u.remote_verified = true;
		wrtc_net_hdr_tmpl_init(&u.tmpl, &dp.ifc[0], &gw_ip, s->local_port, ip, port, mac);
		u.tmpl_valid = true;
	}
	post(w, WRTC_FLOW_MSG_UPDATE, s, &u);
}

/* srtp_relay: DTLS records and SRTP leave by the other leg unchanged, only from
 * the selected pair; a stranger's DTLS is dropped, not punted. */
static int
test_dtls_relay(void)
{
	struct wrtc_stream *da = stream(21000), *db = stream(21002);
	uint8_t hs[90], app[300], srtp[182];
	uint64_t punted = dp.workers[0]->st.punted;
	struct rte_mbuf *out;

	memset(hs, 0x33, sizeof(hs));
	hs[0] = 22; /* handshake */
	hs[1] = 0xfe;
	hs[2] = 0xfd;
	memset(app, 0x44, sizeof(app));
	app[0] = 23; /* application data (SCTP) */
	rtp_payload(srtp, 9, sizeof(srtp));
	wrtc_steer_set(&dp.port[0], 21000, 0);
	wrtc_steer_set(&dp.port[0], 21002, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, da, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, db, NULL);
	set_selected(0, da, &a_ip, 4100, &a_mac);
	set_selected(0, db, NULL, 0, NULL);
	wire_pair(0, da, db);
	poll_all(1);
	drain_replies();

	/* B's pair is not selected yet: A's ClientHello has nowhere to go. */
	inject(0, frame(&a_mac, &a_ip, 4100, 21000, hs, sizeof(hs)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(db->drop_reasons[WRTC_DROP_NO_ICE_PAIR], 1);
	set_selected(0, db, &b_ip, 5100, &b_mac);
	poll_all(1);
	drain_replies();

	inject(0, frame(&a_mac, &a_ip, 4100, 21000, hs, sizeof(hs)));
	poll_all(1);
	if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
		check_out(out, &b_mac, &b_ip, 21002, 5100, hs, sizeof(hs));
		rte_pktmbuf_free(out);
	}
	inject(0, frame(&b_mac, &b_ip, 5100, 21002, app, sizeof(app)));
	inject(0, frame(&b_mac, &b_ip, 5100, 21002, srtp, sizeof(srtp)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 2);
	for (int k = 0; k < 2 && rte_ring_dequeue(txr[0], (void **)&out) == 0; k++) {
		if (k == 0)
			check_out(out, &a_mac, &a_ip, 21000, 4100, app, sizeof(app));
		else
			check_out(out, &a_mac, &a_ip, 21000, 4100, srtp, sizeof(srtp));
		rte_pktmbuf_free(out);
	}
	/* A stranger's records, and the selected address from another port. */
	inject(0, frame(&a_mac, &x_ip, 4100, 21000, hs, sizeof(hs)));
	inject(0, frame(&a_mac, &a_ip, 4101, 21000, app, sizeof(app)));
	poll_all(1);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(da->drop_reasons[WRTC_DROP_SOURCE], 2);
	WRTC_CHECK_EQ(dp.workers[0]->st.punted, punted);
	WRTC_CHECK_EQ(da->c.dtls_pkts, 2);
	WRTC_CHECK_EQ(da->c.dtls_handshake, 2);
	WRTC_CHECK_EQ(db->c.dtls_pkts, 1);
	WRTC_CHECK_EQ(db->c.dtls_app, 1);
	WRTC_CHECK_EQ(db->c.rx_pkts, 2);
	WRTC_CHECK_EQ(da->c.tx_pkts, 2);
	post(0, WRTC_FLOW_MSG_REMOVE, da, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, db, NULL);
	poll_all(1);
	drain_replies();
	rte_free(da);
	rte_free(db);
	return 0;
}

/* One RTP packet (PCMU 160 bytes) from A to gw:20100; what B receives. */
static bool
reoffer_send(uint16_t seq, uint32_t ts, uint32_t ssrc, struct wrtc_rtp_info *ri)
{
	uint8_t pl[172];
	struct rte_mbuf *out;
	bool ok;

	memset(pl, 0xff, sizeof(pl));
	pl[0] = 0x80;
	pl[1] = 0;
	wrtc_rtp_put16(pl + 2, seq);
	wrtc_rtp_put32(pl + 4, ts);
	wrtc_rtp_put32(pl + 8, ssrc);
	inject(0, frame(&a_mac, &a_ip, 4100, 20100, pl, sizeof(pl)));
	poll_all(1);
	if (rte_ring_dequeue(txr[0], (void **)&out) != 0)
		return false;
	ok = wrtc_rtp_parse(rte_pktmbuf_mtod_offset(out, const uint8_t *, 42),
			    rte_pktmbuf_data_len(out) - 42u, ri) == 0;
	rte_pktmbuf_free(out);
	return ok;
}

static struct wrtc_codec_xcoder *
reoffer_xcoder(uint32_t ssrc)
{
	struct wrtc_codec_xcoder_prm p = {0};

	p.in.codec = WRTC_CODEC_PCMU;
	p.in.pt = 0;
	p.in.dtmf_pt = p.in.cn_pt = p.out.dtmf_pt = p.out.cn_pt = -1;
	p.out.codec = WRTC_CODEC_PCMA;
	p.out.pt = 8;
	p.out.ptime = 20;
	p.out_ssrc = ssrc;
	p.out_seq = 1000;
	p.out_ts = 50000;
	p.enc.complexity = -1;
	return wrtc_codec_xcoder_create(&p);
}

static void
reoffer_media(struct wrtc_stream *s, struct wrtc_codec_xcoder *x, bool keep)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_MEDIA};

	u.xcoder = x;
	u.keep_ssrc = keep;
	u.clock = 8000;
	u.drop_rtcp = true;
	memset(u.pt_map, 0xff, sizeof(u.pt_map));
	u.pt_map[0] = 0;
	u.rtp_stream = s;
	post(0, WRTC_FLOW_MSG_UPDATE, s, &u);
	poll_all(1);
	drain_replies();
}

/* Re-offers switch A->B between transcoding and relaying: B sees one SSRC
 * (the first transcoder's), consecutive sequence numbers, the marker bit
 * and a timestamp that never goes back at every switch, also when A's SSRC
 * changes while relayed; without keep_ssrc the relayed packets are A's. */
static int
test_reoffer_stream_continues(void)
{
	struct wrtc_stream *a = stream(20100), *b = stream(20102);
	struct wrtc_codec_xcoder *x1 = reoffer_xcoder(0xC0FFEE), *x2 = reoffer_xcoder(0xBAD);
	uint64_t cont0 = dp.workers[0]->st.streams_continued;
	struct wrtc_rtp_info ri;
	uint16_t seq = 0, aseq = 7;
	uint32_t ts = 0, ats = 3000, assrc = 0x1234;

	if (!WRTC_CHECK(x1 != NULL && x2 != NULL))
		return -1;
	wrtc_steer_set(&dp.port[0], 20100, 0);
	wrtc_steer_set(&dp.port[0], 20102, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, a, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, b, NULL);
	set_remote(0, a, &a_ip, 4100, &a_mac);
	set_remote(0, b, &b_ip, 5100, &b_mac);
	wire_pair(0, a, b);
	poll_all(1);
	drain_replies();
	reoffer_media(a, x1, true);
	for (int i = 0; i < 5; i++, aseq++, ats += 160) {
		if (!WRTC_CHECK(reoffer_send(aseq, ats, assrc, &ri)))
			return -1;
		WRTC_CHECK_EQ(ri.ssrc, 0xC0FFEE);
		WRTC_CHECK_EQ(ri.pt, 8);
		WRTC_CHECK(i == 0 || (ri.seq == (uint16_t)(seq + 1) && ri.ts == ts + 160));
		seq = ri.seq;
		ts = ri.ts;
	}
	/* Both sides got PCMU: relayed, in the transcoder's stream. */
	reoffer_media(a, NULL, true);
	for (int i = 0; i < 5; i++, aseq++, ats += 160) {
		if (i == 3)
			assrc = 0x5678;   /* A restarted its sender: new offsets */
		if (!WRTC_CHECK(reoffer_send(aseq, ats, assrc, &ri)))
			return -1;
		WRTC_CHECK_EQ(ri.ssrc, 0xC0FFEE);
		WRTC_CHECK_EQ(ri.pt, 0);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(seq + 1));
		WRTC_CHECK_EQ(ri.marker, i == 0 || i == 3);
		/* At least 10 ms on at a switch, the sender's step otherwise. */
		WRTC_CHECK((i == 0 || i == 3) ? (int32_t)(ri.ts - ts) >= 80 : ri.ts == ts + 160);
		seq = ri.seq;
		ts = ri.ts;
	}
	/* Back to transcoding with a transcoder made with another SSRC. */
	reoffer_media(a, x2, true);
	for (int i = 0; i < 3; i++, aseq++, ats += 160) {
		if (!WRTC_CHECK(reoffer_send(aseq, ats, assrc, &ri)))
			return -1;
		WRTC_CHECK_EQ(ri.ssrc, 0xC0FFEE);
		WRTC_CHECK_EQ(ri.pt, 8);
		WRTC_CHECK_EQ(ri.seq, (uint16_t)(seq + 1));
		WRTC_CHECK_EQ(ri.marker, i == 0);
		WRTC_CHECK(i == 0 ? (int32_t)(ri.ts - ts) >= 160 : ri.ts == ts + 160);
		seq = ri.seq;
		ts = ri.ts;
	}
	WRTC_CHECK_EQ(dp.workers[0]->st.streams_continued - cont0, 2);
	/* reoffer_new_ssrc: relayed as A sends it. */
	reoffer_media(a, NULL, false);
	if (WRTC_CHECK(reoffer_send(aseq, ats, assrc, &ri))) {
		WRTC_CHECK_EQ(ri.ssrc, assrc);
		WRTC_CHECK_EQ(ri.seq, aseq);
		WRTC_CHECK_EQ(ri.ts, ats);
	}
	post(0, WRTC_FLOW_MSG_REMOVE, a, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, b, NULL);
	poll_all(1);
	drain_replies();
	wrtc_codec_xcoder_free(x1);
	wrtc_codec_xcoder_free(x2);
	rte_free(a);
	rte_free(b);
	return 0;
}

/* Every frame on TX queue @p q, freed; how many. */
static unsigned int
drain_tx(int q)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(txr[q], (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* Per-call capture on a relayed stream: the packet still goes out, and a copy
 * of the frame as received (headers and payload) reaches the control lcore,
 * tagged with the stream's id; capture off: no copy. */
static int
test_capture(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	struct wrtc_stream *x = stream(20020), *y = stream(20022);
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_CAPTURE, .capture = true};
	uint64_t captured = w->st.captured;
	struct rte_mbuf *in, *c[4];
	uint8_t pl[120], want[42 + sizeof(pl)];
	unsigned int n;

	x->id = 0x5eed;
	wrtc_steer_set(&dp.port[0], 20020, 0);
	wrtc_steer_set(&dp.port[0], 20022, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, x, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, y, NULL);
	set_remote(0, x, &a_ip, 4020, &a_mac);
	set_remote(0, y, &b_ip, 5020, &b_mac);
	wire_pair(0, x, y);
	post(0, WRTC_FLOW_MSG_UPDATE, x, &u);
	poll_all(1);
	drain_replies();
	WRTC_CHECK(x->capture && !y->capture);

	rtp_payload(pl, 1, sizeof(pl));
	in = frame(&a_mac, &a_ip, 4020, 20020, pl, sizeof(pl));
	memcpy(want, rte_pktmbuf_mtod(in, const void *), sizeof(want));
	inject(0, in);
	poll_all(1);
	WRTC_CHECK_EQ(drain_tx(0), 1);
	n = wrtc_worker_capture_take(w, c, RTE_DIM(c));
	WRTC_CHECK_EQ(n, 1);
	WRTC_CHECK_EQ(w->st.captured - captured, 1);
	if (n == 1) {
		WRTC_CHECK_EQ(rte_pktmbuf_pkt_len(c[0]), sizeof(want));
		WRTC_CHECK(memcmp(rte_pktmbuf_mtod(c[0], const void *), want, sizeof(want)) == 0);
		WRTC_CHECK_EQ(c[0]->hash.usr, 0x5eed);
	}
	rte_pktmbuf_free_bulk(c, n);
	/* The other way, and after capture off: relayed, not copied. */
	inject(0, frame(&b_mac, &b_ip, 5020, 20022, pl, sizeof(pl)));
	u.capture = false;
	post(0, WRTC_FLOW_MSG_UPDATE, x, &u);
	poll_all(1);
	drain_replies();
	inject(0, frame(&a_mac, &a_ip, 4020, 20020, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(drain_tx(0), 2);
	WRTC_CHECK_EQ(wrtc_worker_capture_take(w, c, RTE_DIM(c)), 0);
	WRTC_CHECK_EQ(w->st.captured - captured, 1);
	post(0, WRTC_FLOW_MSG_REMOVE, x, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, y, NULL);
	poll_all(1);
	drain_replies();
	rte_free(x);
	rte_free(y);
	return 0;
}

/* A transcoded leg: PCMU in on x, PCMA out by y (G.711 both ways is exact
 * through linear PCM), with the output's own SSRC; the RTCP of the
 * transcoded leg is terminated (counted, not relayed), and the transcoder's
 * output is what a capture of y sees, with its headers. */
static int
test_transcode_rtcp_terminate(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	struct wrtc_codec_xcoder_prm xp = {
		.in = {.codec = WRTC_CODEC_PCMU, .pt = 0, .ptime = 20, .dtmf_pt = -1, .cn_pt = -1},
		.out = {.codec = WRTC_CODEC_PCMA, .pt = 8, .ptime = 20, .dtmf_pt = -1, .cn_pt = -1},
		.out_ssrc = 0xabcd0123, .out_seq = 100, .out_ts = 8000,
	};
	struct wrtc_codec_xcoder *xc = wrtc_codec_xcoder_create(&xp);
	struct wrtc_stream *x = stream(20030), *y = stream(20032);
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_MEDIA};
	uint64_t terminated = w->st.rtcp_terminated, captured = w->st.captured;
	/* RTCP SR (PT 200), no report block: 28 bytes. */
	uint8_t sr[28] = {0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44};
	uint8_t pl[12 + 160];
	struct rte_mbuf *out, *c[4];
	unsigned int got = 0, n;

	if (!WRTC_CHECK(xc != NULL))
		return -1;
	wrtc_steer_set(&dp.port[0], 20030, 0);
	wrtc_steer_set(&dp.port[0], 20032, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, x, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, y, NULL);
	set_remote(0, x, &a_ip, 4030, &a_mac);
	set_remote(0, y, &b_ip, 5030, &b_mac);
	wire_pair(0, x, y);
	u.xcoder = xc;
	u.drop_rtcp = true;
	u.rtp_stream = x;
	u.rtcp_out = x;
	memset(u.pt_map, 0xff, sizeof(u.pt_map));
	post(0, WRTC_FLOW_MSG_UPDATE, x, &u);
	post(0, WRTC_FLOW_MSG_UPDATE, y, &(struct wrtc_flow_update){
		.fields = WRTC_FLOW_UPD_CAPTURE, .capture = true});
	poll_all(1);
	drain_replies();

	for (uint16_t k = 0; k < 3; k++) {
		uint32_t ts = rte_cpu_to_be_32(160u * k);

		rtp_payload(pl, (uint16_t)(7 + k), sizeof(pl));
		memcpy(&pl[4], &ts, 4);
		memcpy(&pl[8], "\x00\x00\x00\x42", 4);
		for (unsigned int i = 12; i < sizeof(pl); i++)
			pl[i] = (uint8_t)(0x10 + i + k);
		inject(0, frame(&a_mac, &a_ip, 4030, 20030, pl, sizeof(pl)));
		poll_all(1);
		while (rte_ring_dequeue(txr[0], (void **)&out) == 0) {
			const uint8_t *p = rte_pktmbuf_mtod(out, const uint8_t *);
			const uint8_t *r = p + 42;
			uint32_t ssrc;
			bool same = true;

			memcpy(&ssrc, r + 8, 4);
			WRTC_CHECK_EQ(rte_pktmbuf_data_len(out), 42 + 12 + 160);
			WRTC_CHECK_EQ(rte_be_to_cpu_16(((const struct rte_udp_hdr *)(p + 34))->src_port),
				      20032);
			WRTC_CHECK_EQ(r[1] & 0x7f, 8);
			WRTC_CHECK_EQ(rte_be_to_cpu_32(ssrc), 0xabcd0123);
			/* The frame of input packet 0 (the transcoder may hold one back). */
			for (unsigned int i = 0; got == 0 && i < 160; i++)
				same &= r[12 + i] == wrtc_codec_alaw_from_linear(
					wrtc_codec_ulaw_to_linear((uint8_t)(0x10 + 12 + i)));
			WRTC_CHECK(same);
			got++;
			rte_pktmbuf_free(out);
		}
	}
	WRTC_CHECK(got >= 2);
	WRTC_CHECK_EQ(x->c.rx_pkts, 3);
	/* y's capture holds what the transcoder sent, before SRTP, with headers. */
	n = wrtc_worker_capture_take(w, c, RTE_DIM(c));
	WRTC_CHECK_EQ(n, got);
	WRTC_CHECK_EQ(w->st.captured - captured, got);
	for (unsigned int i = 0; i < n; i++)
		WRTC_CHECK_EQ(rte_pktmbuf_pkt_len(c[i]), 42 + 12 + 160);
	rte_pktmbuf_free_bulk(c, n);

	/* RTCP of the transcoded leg: counted, terminated, never relayed. */
	inject(0, frame(&a_mac, &a_ip, 4030, 20030, sr, sizeof(sr)));
	poll_all(1);
	WRTC_CHECK_EQ(w->st.rtcp_terminated - terminated, 1);
	WRTC_CHECK_EQ(x->c.rtcp_rx, 1);
	WRTC_CHECK_EQ(drain_tx(0), 0);
	/* A payload type the transcoder does not expect is a counted drop. */
	pl[1] = 9;
	inject(0, frame(&a_mac, &a_ip, 4030, 20030, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(x->drop_reasons[WRTC_DROP_PAYLOAD_TYPE], 1);
	WRTC_CHECK_EQ(drain_tx(0), 0);

	post(0, WRTC_FLOW_MSG_REMOVE, x, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, y, NULL);
	poll_all(1);
	drain_replies();
	wrtc_codec_xcoder_free(xc);
	rte_free(x);
	rte_free(y);
	return 0;
}

/* The interface's link policer runs before anything else: past its bucket,
 * media is dropped as policed, and nothing is relayed. */
static int
test_link_policer(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	struct wrtc_policer_prm pp = {.name = "link", .type = WRTC_POLICER_LINK_DATA, .bucket = 3,
				      .rate = 1, .hz = rte_get_tsc_hz(), .now = rte_rdtsc()};
	struct wrtc_policer *pol = wrtc_policer_create(&pp);
	struct wrtc_stream *x = stream(20040), *y = stream(20042);
	uint64_t policed = w->st.drops[WRTC_DROP_POLICER];
	uint8_t pl[60];

	if (!WRTC_CHECK(pol != NULL))
		return -1;
	wrtc_steer_set(&dp.port[0], 20040, 0);
	wrtc_steer_set(&dp.port[0], 20042, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, x, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, y, NULL);
	set_remote(0, x, &a_ip, 4040, &a_mac);
	set_remote(0, y, &b_ip, 5040, &b_mac);
	wire_pair(0, x, y);
	poll_all(1);
	drain_replies();
	wrtc_worker_policer_install(w, WRTC_WORKER_POL_LINK, 0, pol);
	for (uint16_t k = 0; k < 8; k++) {
		rtp_payload(pl, k, sizeof(pl));
		inject(0, frame(&a_mac, &a_ip, 4040, 20040, pl, sizeof(pl)));
	}
	poll_all(1);
	WRTC_CHECK_EQ(drain_tx(0), 3);
	WRTC_CHECK_EQ(w->st.drops[WRTC_DROP_POLICER] - policed, 5);
	WRTC_CHECK_EQ(x->c.rx_pkts, 3);
	/* The test owns the worker (polled by hand): take the policer back. */
	w->pol_link[0] = NULL;
	inject(0, frame(&a_mac, &a_ip, 4040, 20040, pl, sizeof(pl)));
	poll_all(1);
	WRTC_CHECK_EQ(drain_tx(0), 1);
	wrtc_policer_free(pol);
	post(0, WRTC_FLOW_MSG_REMOVE, x, NULL);
	post(0, WRTC_FLOW_MSG_REMOVE, y, NULL);
	poll_all(1);
	drain_replies();
	rte_free(x);
	rte_free(y);
	return 0;
}

/* ------------------------------------------------------------------ BUNDLE */

/* One SRTP(/SRTCP) packet from the browser at a_ip:8000 to the transport port. */
static void
bundle_send(struct wrtc_srtp *tx, const uint8_t *pl, size_t len, bool rtcp)
{
	uint8_t enc[400];
	size_t n = len;

	memcpy(enc, pl, len);
	if (rtcp)
		WRTC_CHECK_EQ(wrtc_srtp_protect_rtcp(tx, enc, &n, sizeof(enc)), 0);
	else
		WRTC_CHECK_EQ(wrtc_srtp_protect(tx, enc, &n, sizeof(enc)), 0);
	inject(0, frame(&a_mac, &a_ip, 8000, 24000, enc, (uint16_t)n));
	poll_all(1);
}

/* The next transmitted frame goes to b_ip:@p dport and carries @p pl. */
static void
bundle_expect_sip(uint16_t sport, uint16_t dport, const uint8_t *pl, uint16_t len)
{
	struct rte_mbuf *out;

	if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
		check_out(out, &b_mac, &b_ip, sport, dport, pl, len);
		rte_pktmbuf_free(out);
	}
}

static void
rtp_pkt(uint8_t *p, uint8_t pt, uint16_t seq, uint32_t ssrc, uint16_t len)
{
	rtp_payload(p, seq, len);
	p[1] = pt;
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
}

/*
 * A WebRTC leg with audio (mid 0, Opus 111) and video (mid 1, VP8 96) on one
 * transport (gw:24000, SRTP) and a SIP leg with a port per m-line (audio
 * gw:24004 <-> b:8100, video gw:24006 <-> b:8102). RTP from the browser is
 * unprotected once and dispatched by PT, by the MID extension (which teaches
 * the SSRC), then by that SSRC; an unknown one is dropped and counted. SIP
 * video leaves by the transport's port and SRTP context; a compound RTCP
 * (RR about the audio source + PLI for the video source) is split.
 */
static int
test_bundle_demux(void)
{
	struct wrtc_stream *t = stream(24000), *v = stream(24002);
	struct wrtc_stream *sa_ = stream(24004), *sv = stream(24006);
	struct wrtc_srtp_prm k1 = {.suite = WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	struct wrtc_srtp_prm k2 = {.suite = WRTC_SRTP_AES_CM_128_HMAC_SHA1_80};
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_SRTP};
	struct wrtc_flow_bundle *bd = rte_zmalloc(NULL, sizeof(*bd), 0);
	struct wrtc_srtp *a_tx, *a_rx, *gw_rx, *gw_tx;
	static const uint8_t pt_audio[] = {111}, pt_video[] = {96};
	uint64_t unknown0 = dp.workers[0]->st.drops[WRTC_DROP_BUNDLE_UNKNOWN];
	uint8_t pl[300], ext[300];
	struct rte_mbuf *out;
	size_t len;

	for (unsigned int i = 0; i < sizeof(k1.master_key); i++) {
		k1.master_key[i] = (uint8_t)(3 * i);
		k2.master_key[i] = (uint8_t)(0x90 + i);
	}
	for (unsigned int i = 0; i < sizeof(k1.master_salt); i++) {
		k1.master_salt[i] = (uint8_t)(0x20 + i);
		k2.master_salt[i] = (uint8_t)(0xd0 + i);
	}
	a_tx = wrtc_srtp_create(&k1);
	gw_rx = wrtc_srtp_create(&k1);
	gw_tx = wrtc_srtp_create(&k2);
	a_rx = wrtc_srtp_create(&k2);
	if (!WRTC_CHECK(a_tx && gw_rx && gw_tx && a_rx && bd))
		return -1;
	wrtc_rtp_demux_init(&bd->demux, 1);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&bd->demux, "0", 1, pt_audio, 1), 0);
	WRTC_CHECK_EQ(wrtc_rtp_demux_add_mline(&bd->demux, "1", 1, pt_video, 1), 1);
	bd->member[0] = t;
	bd->member[1] = v;
	bd->transport_mline = 0;
	for (uint16_t p = 24000; p <= 24006; p += 2)
		wrtc_steer_set(&dp.port[0], p, 0);
	post(0, WRTC_FLOW_MSG_INSTALL, t, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, v, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, sa_, NULL);
	post(0, WRTC_FLOW_MSG_INSTALL, sv, NULL);
	set_remote(0, t, &a_ip, 8000, &a_mac);
	set_remote(0, sa_, &b_ip, 8100, &b_mac);
	set_remote(0, sv, &b_ip, 8102, &b_mac);
	wire_pair(0, t, sa_);
	wire_pair(0, v, sv);
	u.srtp_rx = gw_rx;
	u.srtp_tx = gw_tx;
	u.secure_only = true;
	post(0, WRTC_FLOW_MSG_UPDATE, t, &u);
	u = (struct wrtc_flow_update){.fields = WRTC_FLOW_UPD_BUNDLE, .bundle = bd};
	post(0, WRTC_FLOW_MSG_UPDATE, t, &u);
	u.transport = t;
	u.bundle_mline = 1;
	post(0, WRTC_FLOW_MSG_UPDATE, v, &u);
	poll_all(1);
	drain_replies();

	/* By payload type: VP8 to the SIP video port, Opus to the audio one. */
	rtp_pkt(pl, 96, 1, 0x1000, 200);
	bundle_send(a_tx, pl, 200, false);
	bundle_expect_sip(24006, 8102, pl, 200);
	rtp_pkt(pl, 111, 2, 0x2000, 100);
	bundle_send(a_tx, pl, 100, false);
	bundle_expect_sip(24004, 8100, pl, 100);
	WRTC_CHECK_EQ(bd->demux.by[WRTC_RTP_DEMUX_BY_PT], 2);
	WRTC_CHECK_EQ(v->c.rx_pkts, 1);
	WRTC_CHECK_EQ(t->c.rx_pkts, 1);

	/* The MID extension (one-byte form, id 1, "1") wins over the PT and
	 * teaches SSRC 0x3000; then the SSRC alone routes a PT nobody has. */
	rtp_pkt(ext, 111, 3, 0x3000, 12);
	ext[0] |= 0x10;
	memcpy(ext + 12, (const uint8_t[]){0xbe, 0xde, 0, 1, 0x10, '1', 0, 0}, 8);
	memset(ext + 20, 0x5a, 80);
	bundle_send(a_tx, ext, 100, false);
	bundle_expect_sip(24006, 8102, ext, 100);
	rtp_pkt(pl, 50, 4, 0x3000, 80);
	bundle_send(a_tx, pl, 80, false);
	bundle_expect_sip(24006, 8102, pl, 80);
	WRTC_CHECK_EQ(bd->demux.by[WRTC_RTP_DEMUX_BY_MID], 1);
	WRTC_CHECK_EQ(bd->demux.by[WRTC_RTP_DEMUX_BY_SSRC], 1);
	/* Neither: dropped and counted. */
	rtp_pkt(pl, 50, 5, 0x4000, 80);
	bundle_send(a_tx, pl, 80, false);
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(dp.workers[0]->st.drops[WRTC_DROP_BUNDLE_UNKNOWN], unknown0 + 1);
	WRTC_CHECK_EQ(t->drop_reasons[WRTC_DROP_BUNDLE_UNKNOWN], 1);
	WRTC_CHECK_EQ(bd->unknown, 1);

	/* SIP audio (SSRC 0xa0) and video (SSRC 0xb0) leave by the transport's
	 * port to the browser, protected with its context, counted per m-line.
	 * The video receiver has just started: the first video packet relayed
	 * to it makes the gateway ask the SIP sender for a keyframe (PLI by the
	 * m-line's RTCP path, media SSRC 0xb0, sender the browser's 0x3000). */
	u = (struct wrtc_flow_update){.fields = WRTC_FLOW_UPD_KEYFRAME};
	post(0, WRTC_FLOW_MSG_UPDATE, v, &u);
	poll_all(1);
	drain_replies();
	for (unsigned int k = 0; k < 2; k++) {
		rtp_pkt(pl, k == 0 ? 0 : 96, (uint16_t)(10 + k), k == 0 ? 0xa0 : 0xb0, 160);
		inject(0, frame(&b_mac, &b_ip, k == 0 ? 8100 : 8102, k == 0 ? 24004 : 24006, pl,
				160));
		poll_all(1);
		if (WRTC_CHECK(rte_ring_dequeue(txr[0], (void **)&out) == 0)) {
			uint8_t *p = rte_pktmbuf_mtod_offset(out, uint8_t *, 42);
			const struct rte_udp_hdr *uh =
			    rte_pktmbuf_mtod_offset(out, const struct rte_udp_hdr *, 34);

			WRTC_CHECK_EQ(rte_be_to_cpu_16(uh->src_port), 24000);
			WRTC_CHECK_EQ(rte_be_to_cpu_16(uh->dst_port), 8000);
			len = rte_pktmbuf_data_len(out) - 42;
			WRTC_CHECK_EQ(wrtc_srtp_unprotect(a_rx, p, &len), 0);
			WRTC_CHECK_EQ(len, 160);
			WRTC_CHECK(memcmp(p, pl, 160) == 0);
			rte_pktmbuf_free(out);
		}
		if (k == 1) {
			static const uint8_t pli[12] = {0x81, 206, 0, 2, 0, 0, 0x30, 0,
							0, 0, 0, 0xb0};

			bundle_expect_sip(24006, 8102, pli, sizeof(pli));
		}
	}
	WRTC_CHECK_EQ(rte_ring_count(txr[0]), 0);
	WRTC_CHECK_EQ(v->c.kf_requests, 1);
	WRTC_CHECK(!v->kf_request);
	WRTC_CHECK_EQ(t->c.kf_requests, 0);
	WRTC_CHECK_EQ(t->c.tx_pkts, 1);
	WRTC_CHECK_EQ(v->c.tx_pkts, 1);

	/* RR about the audio source the gateway sends + PLI for the video one,
	 * from a sender SSRC the demux does not know: split in two. */
	{
		uint8_t rtcp[44] = {
		    0x81, 201, 0, 7, 0xab, 0xcd, 0xef, 0x01, /* RR, 1 block */
		    0, 0, 0, 0xa0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0x81, 206, 0, 2, 0xab, 0xcd, 0xef, 0x01, 0, 0, 0, 0xb0, /* PLI */
		};

		bundle_send(a_tx, rtcp, sizeof(rtcp), true);
		WRTC_CHECK_EQ(rte_ring_count(txr[0]), 2);
		/* The copied slice is emitted first, during the split. */
		bundle_expect_sip(24006, 8102, rtcp + 32, 12);
		bundle_expect_sip(24004, 8100, rtcp, 32);
		WRTC_CHECK_EQ(bd->rtcp_split, 1);
		WRTC_CHECK_EQ(v->c.rtcp_rx, 1);
		WRTC_CHECK_EQ(t->c.rtcp_rx, 1);
	}

	for (struct wrtc_stream **x = (struct wrtc_stream *[]){t, v, sa_, sv, NULL}; *x; x++)
		post(0, WRTC_FLOW_MSG_REMOVE, *x, NULL);
	poll_all(1);
	drain_replies();
	wrtc_srtp_free(gw_rx);
	wrtc_srtp_free(gw_tx);
	wrtc_srtp_free(a_tx);
	wrtc_srtp_free(a_rx);
	rte_free(bd);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"dtls_relay (srtp_relay pass-through)", test_dtls_relay},
	{"BUNDLE: demux by PT, MID, SSRC; one transport out; RTCP split", test_bundle_demux},
	{"srtp_interworking", test_srtp_interworking},
	{"relay_both_ways", test_relay},
	{"source_check_after_latch", test_source_check},
	{"classes_and_punts", test_classes},
	{"software_handoff", test_handoff},
	{"remove", test_remove},
	{"learn_stranger_first", test_learn_stranger_first},
	{"learn_nat_same_ip", test_learn_nat_same_ip},
	{"learn_delay_and_rank", test_learn_delay_and_rank},
	{"learn_immediate_delayed", test_learn_immediate_delayed},
	{"learn_off_and_window", test_learn_off_and_window},
	{"learn_reoffer_move", test_learn_reoffer_move},
	{"learn_srtp_counts_authenticated", test_learn_srtp_counts_authenticated},
	{"arp, nd and icmp echo policed before the punt ring", test_punt_policed},
	{"punt ring shares and the selected pair's class", test_punt_shares},
	{"STUN policed by the owner of its port", test_punt_owner},
	{"ICE restart: media also from the new pair", test_ice_also_from},
	{"re-offers: transcoded <-> relayed, one outgoing stream", test_reoffer_stream_continues},
	{"capture: a copy of the frame as received, relayed too", test_capture},
	{"transcode PCMU -> PCMA, RTCP terminated, output captured", test_transcode_rtcp_terminate},
	{"link policer before the media stage", test_link_policer},
};

int
main(void)
{
	if (setup() != 0) {
		fprintf(stderr, "setup failed\n");
		printf("0 passed, 1 failed\n");
		return 1;
	}
	return wrtc_test_main(cases, RTE_DIM(cases));
}
