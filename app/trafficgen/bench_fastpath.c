/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrtc-bench-fastpath: per-worker-core capacity of the gateway's own fast
 * path with zero-cost I/O.
 *
 * The dataplane is built exactly as the gateway builds it (wrtc_port_open()
 * on a net_ring port, wrtc_worker_create(), streams installed by control
 * messages), but the port's RX ring is filled and its TX ring drained by this
 * program, which emulates N calls (two legs each, 50 packets/s per direction):
 *
 *   leg A (WebRTC side)  peer 10.0.0.1:(1024+2i) <-> gw 10.0.0.2:(1024+2i)
 *   leg B (SIP side)     peer 10.0.0.3:(1025+2i) <-> gw 10.0.0.2:(1025+2i)
 *
 * Modes (-m):
 *   relay     plain RTP both ways (172-byte RTP, PCMU).
 *   srtp-cm   leg A SRTP AES_CM_128_HMAC_SHA1_80, leg B plain RTP.
 *   srtp-gcm  leg A SRTP AEAD_AES_128_GCM, leg B plain RTP.
 *   xcode     leg A Opus over SRTP (AES-CM), leg B PCMU: the worker decrypts,
 *             transcodes both ways (real transcoder objects) and encrypts.
 *   passthrough  WebRTC <-> WebRTC with srtp_relay: both peers send SRTP
 *             (AES-CM) with keys the gateway does not have, and one packet in
 *             50 is a DTLS application-data record (SCTP of a data channel);
 *             the worker relays both byte for byte (streams with dtls_relay).
 *             Each output is unprotected by the receiving peer's context.
 *
 * Throughput (default): the generator fills the RX ring with a batch, then
 * the worker runs wrtc_worker_poll_once() until it is empty; only the
 * worker's time is counted (thread CPU time, and TSC), so the figure is what
 * one worker core does when I/O costs nothing. Every output frame is checked
 * (destination, size; SRTP output is unprotected by the peer's context).
 *
 * Paced (-P seconds): the worker runs on its own lcore (wrtc_worker_main());
 * the main lcore sends each call's packets at 50 pps, call phases spread over
 * the 20 ms, reads the TX ring and reports loss and the added latency
 * (scheduled send time to the frame's appearance on the TX ring) p50/p99.
 *
 * Also: -S prints TSC cycles per packet of each stage of the relay/SRTP fast
 * path, run on bursts of 32 through the same library calls the worker makes;
 * -M prints the memory one call costs on the data plane.
 *
 * Output: one "RESULT key=value ..." line per measurement (tools/bench/run-all
 * parses them), preceded by human-readable lines.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <opus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wrtc_codec.h"
#include "wrtc_rtp.h"
#include "wrtc_srtp.h"
#include "wrtc_worker.h"

enum {
	MAX_CALLS = 32000,
	BATCH = 2048,          /* Frames per throughput batch (RX ring holds 4095). */
	RING = 4096,
	RTP_PAYLOAD = 160,     /* 20 ms of G.711. */
	OPUS_PKTS = 250,       /* 5 s of distinct Opus input, replayed. */
	PT_PCMU = 0,
	PT_OPUS = 111,
	STAGE_BURST = 32,
};

enum mode { M_RELAY, M_SRTP_CM, M_SRTP_GCM, M_XCODE, M_E2E };
static const char *const mode_name[] = {"relay", "srtp-cm", "srtp-gcm", "xcode", "passthrough"};

enum { DTLS_EVERY = 50, DTLS_SIZE = 120 };

struct call {
	struct wrtc_stream *s[2];       /* Gateway streams of leg A and leg B. */
	struct wrtc_srtp *peer_tx;      /* The browser's sender (leg A). */
	struct wrtc_srtp *peer_rx;      /* The browser's receiver (leg A). */
	struct wrtc_srtp *b_tx;         /* passthrough: the other browser's sender (leg B). */
	struct wrtc_srtp *b_rx;         /* passthrough: its receiver (leg B). */
	struct wrtc_net_hdr_tmpl to_gw[2]; /* Peer -> gateway headers per leg. */
	uint16_t seq[2];
	uint32_t ts[2];
	uint32_t n[2];
	uint64_t sched[2];              /* Scheduled TSC of the last packet sent (paced). */
};

static struct {
	enum mode mode;
	unsigned int calls;
	unsigned long packets;
	unsigned int runs;
	int complexity;
	double paced_s;
	bool stages;
	bool memory;
	bool quiet;
} opt = {.mode = M_RELAY, .calls = 1000, .packets = 1000000, .runs = 5, .complexity = 10};

static struct rte_mempool *mp;
static struct rte_ring *rxr, *txr[2];
static struct wrtc_dataplane dp;
static struct wrtc_lcore *wk;
static struct call *calls;
static struct wrtc_net_iface peer_a, peer_b;
static struct wrtc_net_addr gw_ip, a_ip, b_ip;
static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr a_mac = {{0x02, 0, 0, 0, 0, 0xa1}};
static const struct rte_ether_addr b_mac = {{0x02, 0, 0, 0, 0, 0xb1}};

static uint8_t opus_pkt[OPUS_PKTS][400];
static uint16_t opus_size[OPUS_PKTS];
static uint8_t pcmu_pkt[OPUS_PKTS][RTP_PAYLOAD];
static uint64_t bad_out;

static double
cpu_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
a_is_srtp(void)
{
	return opt.mode != M_RELAY && opt.mode != M_E2E;
}

static enum wrtc_srtp_suite
suite(void)
{
	return opt.mode == M_SRTP_GCM ? WRTC_SRTP_AEAD_AES_128_GCM :
					WRTC_SRTP_AES_CM_128_HMAC_SHA1_80;
}

/* A synthetic voiced signal (harmonics of a gliding pitch, syllable envelope). */
static double
voice(uint64_t n, double rate)
{
	double t = n / rate, f0 = 140 + 40 * sin(2 * M_PI * 0.7 * t), s = 0;

	for (int h = 1; h <= 20 && h * f0 < rate / 2; h++)
		s += (exp(-pow((h * f0 - 700) / 400, 2)) + 0.5 * exp(-pow((h * f0 - 1800) / 500, 2))) *
		     sin(2 * M_PI * h * f0 * t + h) / h;
	return 6000 * (0.5 + 0.5 * sin(2 * M_PI * 4 * t)) * s;
}

/* Browser-like Opus (48 kHz, 32 kbit/s) and PCMU payloads of the same signal. */
static int
prepare_audio(void)
{
	OpusEncoder *e = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, NULL);
	int16_t pcm[960];

	if (e == NULL)
		return -1;
	opus_encoder_ctl(e, OPUS_SET_BITRATE(32000));
	for (unsigned int i = 0; i < OPUS_PKTS; i++) {
		int n;

		for (unsigned int k = 0; k < 960; k++)
			pcm[k] = (int16_t)lrint(voice(i * 960ull + k, 48000));
		n = opus_encode(e, pcm, 960, opus_pkt[i], sizeof(opus_pkt[i]));
		if (n <= 0) {
			opus_encoder_destroy(e);
			return -1;
		}
		opus_size[i] = (uint16_t)n;
		for (unsigned int k = 0; k < RTP_PAYLOAD; k++)
			pcmu_pkt[i][k] = wrtc_codec_ulaw_from_linear(
				(int16_t)lrint(voice(i * 160ull + k, 8000)));
	}
	opus_encoder_destroy(e);
	return 0;
}

static void
keys(struct wrtc_srtp_prm *p, unsigned int call, unsigned int dir)
{
	memset(p, 0, sizeof(*p));
	p->suite = suite();
	for (unsigned int k = 0; k < sizeof(p->master_key); k++)
		p->master_key[k] = (uint8_t)(call * 7 + dir * 131 + k);
	for (unsigned int k = 0; k < sizeof(p->master_salt); k++)
		p->master_salt[k] = (uint8_t)(call * 3 + dir * 17 + 0x40 + k);
}

static int
setup_dataplane(void)
{
	char name[32];
	uint16_t port_id;
	int rc;

	mp = rte_pktmbuf_pool_create("bench_mp", 16383, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				     rte_socket_id());
	rxr = rte_ring_create("bench_rx", RING, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr[0] = rte_ring_create("bench_tx0", RING, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr[1] = rte_ring_create("bench_tx1", RING, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (mp == NULL || rxr == NULL || txr[0] == NULL || txr[1] == NULL) {
		fprintf(stderr, "mempool/rings: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	rc = rte_eth_from_rings("net_ring_bench", &rxr, 1, txr, 2, rte_socket_id());
	if (rc < 0) {
		fprintf(stderr, "net_ring: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	port_id = (uint16_t)rc;
	memset(dp.iface_of_port, 0xff, sizeof(dp.iface_of_port));
	dp.nb_workers = 1;
	dp.nb_ifaces = 1;
	snprintf(name, sizeof(name), "%u", port_id);
	rc = wrtc_port_open(name, 1, mp, &dp.port[0]);
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
	dp.ifc[0].ip4 = gw_ip;
	dp.ifc[0].ip4_prefix = 24;
	if (wrtc_net_iface_init(&dp.ifc[0]) != 0)
		return -1;
	peer_a = (struct wrtc_net_iface){.mac = a_mac, .ip4 = a_ip, .ip4_prefix = 24};
	peer_b = (struct wrtc_net_iface){.mac = b_mac, .ip4 = b_ip, .ip4_prefix = 24};
	wk = wrtc_worker_create(&dp, 0, rte_socket_id());
	if (wk == NULL) {
		fprintf(stderr, "worker: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	dp.workers[0] = wk;
	return 0;
}

static void
drain_replies(void)
{
	void *msg;

	while (rte_ring_dequeue(wk->reply, &msg) == 0)
		free(msg);
}

/* Post one message; the worker is driven by hand, so poll it when the ring is full. */
static int
post(enum wrtc_flow_msg_type type, struct wrtc_stream *s)
{
	struct wrtc_flow_msg *msg = calloc(1, sizeof(*msg));

	if (msg == NULL)
		return -ENOMEM;
	msg->type = type;
	msg->s = s;
	while (rte_ring_enqueue(wk->ctrl, msg) != 0) {
		wrtc_worker_poll_once(wk);
		drain_replies();
	}
	return 0;
}

static uint16_t
gw_port(unsigned int call, unsigned int leg)
{
	return (uint16_t)(1024 + 2 * call + leg);
}

/* Build the call's two streams, filled before install as the control lcore does. */
static int
call_create(unsigned int i)
{
	struct call *c = &calls[i];
	struct wrtc_srtp_prm p;

	for (unsigned int leg = 0; leg < 2; leg++) {
		struct wrtc_stream *s = rte_zmalloc("bench_stream", sizeof(*s), RTE_CACHE_LINE_SIZE);
		const struct wrtc_net_iface *peer = leg == 0 ? &peer_a : &peer_b;

		if (s == NULL)
			return -ENOMEM;
		s->id = 2ull * i + leg;
		s->iface = 0;
		s->local_port = gw_port(i, leg);
		s->ifc = &dp.ifc[0];
		s->started = true;
		s->remote_mode = WRTC_FLOW_REMOTE_FIXED;
		s->remote.ip = peer->ip4;
		s->remote.port = gw_port(i, leg);
		s->remote_verified = true;
		if (wrtc_net_hdr_tmpl_init(&s->tmpl, &dp.ifc[0], &gw_ip, s->local_port, &peer->ip4,
					   s->remote.port, &peer->mac) != 0)
			return -EINVAL;
		s->tmpl_valid = true;
		if (wrtc_net_hdr_tmpl_init(&c->to_gw[leg], peer, &peer->ip4, s->remote.port, &gw_ip,
					   s->local_port, &gw_mac) != 0)
			return -EINVAL;
		c->s[leg] = s;
		c->seq[leg] = (uint16_t)(i * 13 + leg);
		c->ts[leg] = i * 1000u;
	}
	c->s[0]->out_rtp = c->s[0]->out_rtcp = c->s[1];
	c->s[1]->out_rtp = c->s[1]->out_rtcp = c->s[0];
	if (a_is_srtp()) {
		keys(&p, i, 0);
		c->peer_tx = wrtc_srtp_create(&p);
		c->s[0]->srtp_rx = wrtc_srtp_create(&p);
		keys(&p, i, 1);
		c->peer_rx = wrtc_srtp_create(&p);
		c->s[0]->srtp_tx = wrtc_srtp_create(&p);
		if (!c->peer_tx || !c->peer_rx || !c->s[0]->srtp_rx || !c->s[0]->srtp_tx)
			return -ENOMEM;
		c->s[0]->secure_only = true;
	}
	if (opt.mode == M_E2E) {
		/* The two browsers key each other; the gateway only relays. */
		keys(&p, i, 0);
		c->peer_tx = wrtc_srtp_create(&p);
		c->b_rx = wrtc_srtp_create(&p);
		keys(&p, i, 1);
		c->b_tx = wrtc_srtp_create(&p);
		c->peer_rx = wrtc_srtp_create(&p);
		if (!c->peer_tx || !c->peer_rx || !c->b_tx || !c->b_rx)
			return -ENOMEM;
		c->s[0]->dtls_relay = c->s[1]->dtls_relay = true;
	}
	if (opt.mode == M_XCODE) {
		struct wrtc_codec_xcoder_prm ab = {
			.in = {.codec = WRTC_CODEC_OPUS, .pt = PT_OPUS, .ptime = 20, .dtmf_pt = -1,
			       .cn_pt = -1},
			.out = {.codec = WRTC_CODEC_PCMU, .pt = PT_PCMU, .ptime = 20, .dtmf_pt = -1,
				.cn_pt = -1},
			.out_ssrc = 0x10000 + i, .enc = {.complexity = -1},
		};
		struct wrtc_codec_xcoder_prm ba = {
			.in = {.codec = WRTC_CODEC_PCMU, .pt = PT_PCMU, .ptime = 20, .dtmf_pt = -1,
			       .cn_pt = -1},
			.out = {.codec = WRTC_CODEC_OPUS, .pt = PT_OPUS, .ptime = 20, .dtmf_pt = -1,
				.cn_pt = -1},
			.out_ssrc = 0x20000 + i,
			.enc = {.complexity = opt.complexity, .fec = true, .loss_pct = 5},
		};

		c->s[0]->xcoder = wrtc_codec_xcoder_create(&ab);
		c->s[1]->xcoder = wrtc_codec_xcoder_create(&ba);
		if (c->s[0]->xcoder == NULL || c->s[1]->xcoder == NULL)
			return -errno;
		c->s[0]->drop_rtcp = c->s[1]->drop_rtcp = true;
	}
	wrtc_steer_set(&dp.port[0], gw_port(i, 0), 0);
	wrtc_steer_set(&dp.port[0], gw_port(i, 1), 0);
	if (post(WRTC_FLOW_MSG_INSTALL, c->s[0]) != 0 || post(WRTC_FLOW_MSG_INSTALL, c->s[1]) != 0)
		return -ENOMEM;
	return 0;
}

static void
call_free(unsigned int i)
{
	struct call *c = &calls[i];

	wrtc_srtp_free(c->peer_tx);
	wrtc_srtp_free(c->peer_rx);
	wrtc_srtp_free(c->b_tx);
	wrtc_srtp_free(c->b_rx);
	for (unsigned int leg = 0; leg < 2; leg++) {
		if (c->s[leg] == NULL)
			continue;
		wrtc_srtp_free(c->s[leg]->srtp_rx);
		wrtc_srtp_free(c->s[leg]->srtp_tx);
		wrtc_codec_xcoder_free(c->s[leg]->xcoder);
		rte_free(c->s[leg]);
	}
	memset(c, 0, sizeof(*c));
}

static int
calls_setup(unsigned int n)
{
	calls = calloc(n, sizeof(*calls));
	if (calls == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		int rc = call_create(i);

		if (rc != 0) {
			fprintf(stderr, "call %u: %s\n", i, strerror(-rc));
			return rc;
		}
	}
	while (rte_ring_count(wk->ctrl) != 0)
		wrtc_worker_poll_once(wk);
	drain_replies();
	return wk->flows->nb_streams == 2 * n ? 0 : -EEXIST;
}

static void
calls_teardown(unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		post(WRTC_FLOW_MSG_REMOVE, calls[i].s[0]);
		post(WRTC_FLOW_MSG_REMOVE, calls[i].s[1]);
	}
	while (rte_ring_count(wk->ctrl) != 0)
		wrtc_worker_poll_once(wk);
	drain_replies();
	for (unsigned int i = 0; i < n; i++)
		call_free(i);
	free(calls);
	calls = NULL;
}

/* The next packet of call @p i on leg @p leg, as a frame from the peer. */
static struct rte_mbuf *
gen_frame(unsigned int i, unsigned int leg)
{
	struct call *c = &calls[i];
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	unsigned int k = c->n[leg] % OPUS_PKTS;
	bool opus = opt.mode == M_XCODE && leg == 0;
	uint16_t plen = opus ? opus_size[k] : RTP_PAYLOAD;
	uint8_t *p;

	if (m == NULL)
		return NULL;
	if (opt.mode == M_E2E && c->n[leg] % DTLS_EVERY == DTLS_EVERY - 1) {
		/* A DTLS 1.2 application-data record (type 23, epoch 1). */
		p = (uint8_t *)rte_pktmbuf_append(m, DTLS_SIZE);
		if (p == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		memset(p, 0x5a, DTLS_SIZE);
		p[0] = 23;
		p[1] = 0xfe;
		p[2] = 0xfd;
		p[3] = 0;
		p[4] = 1;
		p[11] = 0;
		p[12] = DTLS_SIZE - 13;
		c->n[leg]++;
		goto headers;
	}
	p = (uint8_t *)rte_pktmbuf_append(m, WRTC_RTP_HDR_SIZE + plen);
	wrtc_rtp_hdr_write(p, WRTC_RTP_HDR_SIZE, false, opus ? PT_OPUS : PT_PCMU, c->seq[leg],
			   c->ts[leg], 0x1000u + 2 * i + leg);
	memcpy(p + WRTC_RTP_HDR_SIZE, opus ? opus_pkt[k] : pcmu_pkt[k], plen);
	c->seq[leg]++;
	c->ts[leg] += opus ? 960 : 160;
	c->n[leg]++;
	if (leg == 0 && a_is_srtp()) {
		size_t len = WRTC_RTP_HDR_SIZE + plen;

		if (wrtc_srtp_protect(c->peer_tx, p, &len,
				      len + rte_pktmbuf_tailroom(m)) != 0) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		rte_pktmbuf_append(m, (uint16_t)(len - WRTC_RTP_HDR_SIZE - plen));
	}
	if (opt.mode == M_E2E) {
		size_t len = WRTC_RTP_HDR_SIZE + plen;

		if (wrtc_srtp_protect(leg == 0 ? c->peer_tx : c->b_tx, p, &len,
				      len + rte_pktmbuf_tailroom(m)) != 0) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		rte_pktmbuf_append(m, (uint16_t)(len - WRTC_RTP_HDR_SIZE - plen));
	}
headers:
	if (wrtc_net_udp_prepend(m, &c->to_gw[leg], false) != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->port = dp.ifc[0].port_id;
	return m;
}

/*
 * Check one transmitted frame and return the (call, leg it left on), or -1.
 * Leg A output is SRTP when leg A is secure: the peer's receiver must accept it.
 */
static int
check_out(struct rte_mbuf *m, unsigned int *leg_out)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	const struct rte_ipv4_hdr *ih = (const void *)(p + 14);
	const struct rte_udp_hdr *uh = (const void *)(p + 34);
	uint16_t dport = rte_be_to_cpu_16(uh->dst_port);
	unsigned int i = (dport - 1024u) / 2, leg = (dport - 1024u) % 2;
	size_t len = rte_pktmbuf_data_len(m) - 42u;

	if (rte_pktmbuf_data_len(m) < 42 + WRTC_RTP_HDR_SIZE || dport < 1024 || i >= opt.calls)
		return -1;
	if (ih->dst_addr != (leg == 0 ? a_ip.v4 : b_ip.v4))
		return -1;
	if (leg == 0 && a_is_srtp()) {
		if (wrtc_srtp_unprotect(calls[i].peer_rx, p + 42, &len) != 0)
			return -1;
	}
	if (opt.mode == M_E2E) {
		/* The peer on leg @c leg receives what the other peer protected. */
		if (p[42] == 23) {
			if (len != DTLS_SIZE)
				return -1;
			*leg_out = leg;
			return (int)i;
		}
		if (wrtc_srtp_unprotect(leg == 0 ? calls[i].peer_rx : calls[i].b_rx, p + 42,
					&len) != 0)
			return -1;
	}
	if (opt.mode != M_XCODE && len != WRTC_RTP_HDR_SIZE + RTP_PAYLOAD)
		return -1;
	if (opt.mode == M_XCODE && leg == 1 && len != WRTC_RTP_HDR_SIZE + RTP_PAYLOAD)
		return -1;
	*leg_out = leg;
	return (int)i;
}

static unsigned int
drain_tx(uint64_t now, uint64_t *lat, unsigned long *nb_lat, unsigned long max_lat)
{
	struct rte_mbuf *out[64];
	unsigned int n, total = 0;

	while ((n = rte_ring_dequeue_burst(txr[0], (void **)out, RTE_DIM(out), NULL)) != 0) {
		for (unsigned int k = 0; k < n; k++) {
			unsigned int leg;
			int i = check_out(out[k], &leg);

			if (i < 0) {
				bad_out++;
			} else if (lat != NULL && *nb_lat < max_lat) {
				/* Leaving on leg B: it came in on leg A, and vice versa. */
				lat[(*nb_lat)++] = now - calls[i].sched[1 - leg];
			}
		}
		rte_pktmbuf_free_bulk(out, n);
		total += n;
	}
	return total;
}

/* One throughput run: returns worker packets per CPU second (and per TSC second). */
static int
run_throughput(unsigned long packets, double *pps_cpu, double *pps_tsc, double *out_ratio)
{
	struct rte_mbuf *batch[BATCH];
	unsigned long sent = 0, outs = 0;
	unsigned int i = 0, leg = 0;
	double cpu = 0;
	uint64_t tsc = 0;

	bad_out = 0;
	while (sent < packets) {
		unsigned int n = 0;
		double c0;
		uint64_t t0;

		while (n < BATCH && sent + n < packets) {
			batch[n] = gen_frame(i, leg);
			if (batch[n] == NULL)
				return -ENOMEM;
			n++;
			if (++leg == 2) {
				leg = 0;
				i = (i + 1) % opt.calls;
			}
		}
		if (rte_ring_enqueue_bulk(rxr, (void **)batch, n, NULL) != n)
			return -ENOBUFS;
		c0 = cpu_s();
		t0 = rte_rdtsc();
		while (rte_ring_count(rxr) != 0)
			wrtc_worker_poll_once(wk);
		tsc += rte_rdtsc() - t0;
		cpu += cpu_s() - c0;
		outs += drain_tx(0, NULL, NULL, 0);
		sent += n;
	}
	*pps_cpu = sent / cpu;
	*pps_tsc = sent / ((double)tsc / rte_get_tsc_hz());
	*out_ratio = (double)outs / sent;
	return 0;
}

/* One transcoding run: each tick every call sends one packet each way. Returns
 * worker CPU µs per call tick (both directions of one call). */
static int
run_xcode(unsigned int ticks, double *us_per_call, double *out_ratio)
{
	static struct rte_mbuf *batch[RING];
	unsigned long sent = 0, outs = 0;
	double cpu = 0;

	bad_out = 0;
	for (unsigned int t = 0; t < ticks; t++) {
		unsigned int n = 0;
		double c0;

		for (unsigned int i = 0; i < opt.calls; i++) {
			for (unsigned int leg = 0; leg < 2; leg++) {
				batch[n] = gen_frame(i, leg);
				if (batch[n++] == NULL)
					return -ENOMEM;
			}
		}
		if (rte_ring_enqueue_bulk(rxr, (void **)batch, n, NULL) != n)
			return -ENOBUFS;
		c0 = cpu_s();
		while (rte_ring_count(rxr) != 0)
			wrtc_worker_poll_once(wk);
		cpu += cpu_s() - c0;
		outs += drain_tx(0, NULL, NULL, 0);
		sent += n;
	}
	*us_per_call = cpu * 1e6 / ((double)ticks * opt.calls);
	*out_ratio = (double)outs / sent;
	return 0;
}

static uint64_t
worker_drops(void)
{
	uint64_t d = 0;

	for (unsigned int r = 0; r < WRTC_DROP_MAX; r++)
		d += wk->st.drops[r];
	return d;
}

static double worker_cpu_s;

/* The worker loop, with the CPU time its thread actually got. */
static int
paced_worker(void *arg)
{
	double c0 = cpu_s();

	wrtc_worker_main(arg);
	worker_cpu_s = cpu_s() - c0;
	return 0;
}

/* Paced run: the worker on its own lcore, the calls at 50 pps each. */
static int
run_paced(double seconds)
{
	const uint64_t hz = rte_get_tsc_hz(), tick = hz / 50;
	const unsigned long max_lat = 4000000;
	uint64_t *lat = malloc(max_lat * sizeof(*lat));
	unsigned long nb_lat = 0, sent = 0, lost_in = 0, outs = 0;
	uint64_t start, end, drops0 = worker_drops(), next, t_launch = rte_rdtsc();
	unsigned int worker_lcore = rte_get_next_lcore(-1, 1, 0);
	unsigned long slot = 0, total_slots;

	if (lat == NULL)
		return -ENOMEM;
	bool inline_worker = worker_lcore >= RTE_MAX_LCORE;

	/* With one lcore the worker is polled inline, between sends. */
	bad_out = 0;
	__atomic_store_n(&dp.quit, 0, __ATOMIC_RELEASE);
	if (!inline_worker)
		rte_eal_remote_launch(paced_worker, wk, worker_lcore);
	/* 2N sending slots per 20 ms, call i leg l at offset (2i + l) / 2N of the tick. */
	total_slots = (unsigned long)(seconds * 50) * 2 * opt.calls;
	start = rte_rdtsc() + hz / 100;
	while ((next = start + (uint64_t)((double)slot * tick / (2.0 * opt.calls))),
	       slot < total_slots) {
		uint64_t now = rte_rdtsc();

		if (now >= next) {
			unsigned int i = (unsigned int)((slot / 2) % opt.calls), leg = slot % 2;
			struct rte_mbuf *m = gen_frame(i, leg);

			calls[i].sched[leg] = next;
			if (m == NULL || rte_ring_enqueue(rxr, m) != 0) {
				rte_pktmbuf_free(m);
				lost_in++;
			}
			sent++;
			slot++;
			continue;
		}
		if (inline_worker)
			wrtc_worker_poll_once(wk);
		outs += drain_tx(rte_rdtsc(), lat, &nb_lat, max_lat);
	}
	end = rte_rdtsc() + hz / 5;
	while (rte_rdtsc() < end) {
		if (inline_worker)
			wrtc_worker_poll_once(wk);
		outs += drain_tx(rte_rdtsc(), lat, &nb_lat, max_lat);
	}
	__atomic_store_n(&dp.quit, 1, __ATOMIC_RELEASE);
	if (!inline_worker)
		rte_eal_wait_lcore(worker_lcore);
	/* A polling worker uses all the CPU it gets: on a shared machine, the share
	 * of a core it got explains loss and latency. */
	double share = inline_worker ? 0 : worker_cpu_s / ((double)(rte_rdtsc() - t_launch) / hz);
	outs += drain_tx(rte_rdtsc(), NULL, NULL, 0);
	qsort(lat, nb_lat, sizeof(*lat), cmp_u64);
	{
		double us = 1e6 / hz;
		double p50 = nb_lat ? lat[nb_lat / 2] * us : 0;
		double p99 = nb_lat ? lat[nb_lat * 99 / 100] * us : 0;
		double p999 = nb_lat ? lat[nb_lat * 999 / 1000] * us : 0;
		double loss = sent ? 100.0 * (double)(sent - RTE_MIN(outs, sent)) / sent : 0;

		printf("paced %s (worker %s): %u calls x 100 pps for %.1f s: sent %lu received %lu "
		       "lost %.4f %% (ring full %lu, worker drops %lu, bad %lu) latency p50 %.1f us p99 %.1f us "
		       "p99.9 %.1f us; the worker thread got %.0f %% of a core\n", mode_name[opt.mode],
		       inline_worker ? "inline on the same lcore" : "on its own lcore", opt.calls,
		       seconds, sent, outs, loss, lost_in, (unsigned long)(worker_drops() - drops0),
		       (unsigned long)bad_out, p50, p99, p999, 100 * share);
		printf("RESULT test=paced worker=%s mode=%s complexity=%d calls=%u seconds=%.1f sent=%lu "
		       "received=%lu loss_pct=%.4f ring_full=%lu bad=%lu lat_p50_us=%.1f "
		       "lat_p99_us=%.1f lat_p999_us=%.1f worker_core_share=%.2f\n",
		       inline_worker ? "inline" : "lcore",
		       mode_name[opt.mode],
		       opt.mode == M_XCODE ? opt.complexity : -1, opt.calls, seconds, sent, outs,
		       loss, lost_in, (unsigned long)bad_out, p50, p99, p999, share);
	}
	free(lat);
	return 0;
}

static uint64_t
median_u64(uint64_t *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

/*
 * Cycles per packet of each fast-path stage, through the same library calls
 * the worker makes, one stage at a time over a burst of 32 (this harness, not
 * hooks inside lib/worker). Half of each burst goes A->B (SRTP unprotect when
 * leg A is secure), half B->A (protect), as in the throughput runs, so an
 * SRTP stage's figure is per packet of that mix. Then the same kind of burst
 * through the whole wrtc_worker_poll_once(). Medians over bursts, so a burst
 * in which the thread was preempted does not count.
 */
static int
run_stages(unsigned int bursts)
{
	enum { S_RX, S_PARSE, S_LOOKUP, S_UNPROTECT, S_STRIP, S_PROTECT, S_PREPEND, S_TX,
	       S_WHOLE, S_MAX };
	static const char *const sname[S_MAX] = {"rx_burst", "parse", "flow_lookup",
		"srtp_unprotect", "udp_strip", "srtp_protect", "udp_prepend", "tx_burst",
		"worker_total"};
	uint64_t *cyc[S_MAX];
	uint16_t port_id = dp.port[0].port_id;
	struct rte_mbuf *m[STAGE_BURST];
	struct wrtc_net_pkt pi[STAGE_BURST];
	struct wrtc_stream *s[STAGE_BURST];
	uint64_t med[S_MAX], sum = 0;
	int rc = 0;

	for (unsigned int k = 0; k < S_MAX; k++) {
		cyc[k] = calloc(bursts, sizeof(uint64_t));
		if (cyc[k] == NULL)
			rc = -ENOMEM;
	}
	for (unsigned int b = 0; b < bursts && rc == 0; b++) {
		unsigned int base = (b * STAGE_BURST / 2) % opt.calls;
		uint16_t n;
		uint64_t t;

		for (unsigned int k = 0; k < STAGE_BURST; k++) {
			m[k] = gen_frame((base + k / 2) % opt.calls, k % 2);
			if (m[k] == NULL) {
				rc = -ENOMEM;
				goto out;
			}
		}
		rte_ring_enqueue_bulk(rxr, (void **)m, STAGE_BURST, NULL);
		t = rte_rdtsc();
		n = rte_eth_rx_burst(port_id, 0, m, STAGE_BURST);
		cyc[S_RX][b] = rte_rdtsc() - t;
		if (n != STAGE_BURST) {
			rc = -EIO;
			goto out;
		}
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++)
			if (wrtc_net_parse(&dp.ifc[0], m[k], &pi[k]) != WRTC_NET_CLASS_UDP)
				rc = -EPROTO;
		cyc[S_PARSE][b] = rte_rdtsc() - t;
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++)
			s[k] = wrtc_flow_lookup(wk->flows, 0, pi[k].dst_port);
		cyc[S_LOOKUP][b] = rte_rdtsc() - t;
		for (unsigned int k = 0; k < n; k++) {
			if (s[k] == NULL) {
				rc = -ENOENT;
				goto out;
			}
		}
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++) {
			size_t len = pi[k].payload_len;

			if (s[k]->srtp_rx != NULL &&
			    wrtc_srtp_unprotect(s[k]->srtp_rx,
						rte_pktmbuf_mtod_offset(m[k], uint8_t *,
									pi[k].payload_off),
						&len) != 0)
				rc = -EBADMSG;
			pi[k].payload_len = (uint16_t)len;
		}
		cyc[S_UNPROTECT][b] = rte_rdtsc() - t;
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++)
			if (wrtc_net_udp_strip(m[k], &pi[k]) != 0)
				rc = -EPROTO;
		cyc[S_STRIP][b] = rte_rdtsc() - t;
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++) {
			struct wrtc_stream *out = s[k]->out_rtp;
			size_t len = rte_pktmbuf_data_len(m[k]);

			if (out->srtp_tx == NULL)
				continue;
			if (wrtc_srtp_protect(out->srtp_tx, rte_pktmbuf_mtod(m[k], uint8_t *), &len,
					      len + rte_pktmbuf_tailroom(m[k])) != 0)
				rc = -EBADMSG;
			rte_pktmbuf_append(m[k], (uint16_t)(len - rte_pktmbuf_data_len(m[k])));
		}
		cyc[S_PROTECT][b] = rte_rdtsc() - t;
		t = rte_rdtsc();
		for (unsigned int k = 0; k < n; k++)
			if (wrtc_net_udp_prepend(m[k], &s[k]->out_rtp->tmpl, false) != 0)
				rc = -EPROTO;
		cyc[S_PREPEND][b] = rte_rdtsc() - t;
		t = rte_rdtsc();
		if (rte_eth_tx_burst(port_id, 0, m, n) != n)
			rc = -ENOBUFS;
		cyc[S_TX][b] = rte_rdtsc() - t;
		drain_tx(0, NULL, NULL, 0);
		/* The same kind of traffic through the worker itself, on other calls, so
		 * that both passes find the per-call state equally cold. */
		for (unsigned int k = 0; k < STAGE_BURST; k++) {
			m[k] = gen_frame((base + opt.calls / 2 + k / 2) % opt.calls, k % 2);
			if (m[k] == NULL) {
				rc = -ENOMEM;
				goto out;
			}
		}
		rte_ring_enqueue_bulk(rxr, (void **)m, STAGE_BURST, NULL);
		t = rte_rdtsc();
		wrtc_worker_poll_once(wk);
		cyc[S_WHOLE][b] = rte_rdtsc() - t;
		if (drain_tx(0, NULL, NULL, 0) != STAGE_BURST || bad_out != 0)
			rc = -EPROTO;
	}
	if (rc == 0) {
		for (unsigned int k = 0; k < S_MAX; k++) {
			med[k] = median_u64(cyc[k], bursts);
			if (k != S_WHOLE)
				sum += med[k];
		}
		printf("stages %s (TSC cycles per packet, median of %u bursts of %u, TSC %.0f MHz):",
		       mode_name[opt.mode], bursts, STAGE_BURST, rte_get_tsc_hz() / 1e6);
		for (unsigned int k = 0; k < S_MAX; k++)
			printf(" %s %.1f", sname[k], (double)med[k] / STAGE_BURST);
		printf(" (sum of the stages %.1f)\n", (double)sum / STAGE_BURST);
		printf("RESULT test=stages mode=%s", mode_name[opt.mode]);
		for (unsigned int k = 0; k < S_MAX; k++)
			printf(" %s=%.1f", sname[k], (double)med[k] / STAGE_BURST);
		printf(" stage_sum=%.1f\n", (double)sum / STAGE_BURST);
	}
out:
	for (unsigned int k = 0; k < S_MAX; k++)
		free(cyc[k]);
	return rc;
}

/* Data-plane memory of one call: streams, flow-table slots, SRTP contexts and
 * transcoders (C heap measured with mallinfo2 around their creation). */
static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static int
run_memory(void)
{
	static const enum mode modes[] = {M_RELAY, M_SRTP_CM, M_SRTP_GCM, M_XCODE};
	enum mode saved = opt.mode;
	const unsigned int n = 50;

	for (unsigned int k = 0; k < RTE_DIM(modes); k++) {
		struct wrtc_srtp_prm p;
		size_t h0, srtp = 0, xc = 0;

		opt.mode = modes[k];
		if (a_is_srtp()) {
			/* The first context of a suite makes OpenSSL load its tables: not per call. */
			keys(&p, 999, 0);
			wrtc_srtp_free(wrtc_srtp_create(&p));
			struct wrtc_srtp *v[2 * 50];

			h0 = heap_used();
			for (unsigned int i = 0; i < n; i++) {
				keys(&p, i, 0);
				v[2 * i] = wrtc_srtp_create(&p);
				v[2 * i + 1] = wrtc_srtp_create(&p);
			}
			srtp = (heap_used() - h0) / n;
			for (unsigned int i = 0; i < 2 * n; i++)
				wrtc_srtp_free(v[i]);
		}
		if (opt.mode == M_XCODE) {
			unsigned int saved_calls = opt.calls;

			opt.calls = n;
			calls = calloc(n, sizeof(*calls));
			h0 = heap_used();
			for (unsigned int i = 0; i < n; i++)
				if (call_create(i) != 0)
					return -ENOMEM;
			/* Less the 4 SRTP contexts (2 gateway, 2 peer) per call. */
			xc = (heap_used() - h0) / n - 4 * srtp - 2 * sizeof(struct wrtc_flow_msg);
			calls_teardown(n);
			opt.calls = saved_calls;
		}
		printf("memory %s: 2 streams %zu B + 2 flow slots %zu B + SRTP contexts %zu B + "
		       "transcoders %zu B = %zu B per call\n", mode_name[opt.mode],
		       2 * sizeof(struct wrtc_stream), 2 * sizeof(void *), 2 * srtp, xc,
		       2 * sizeof(struct wrtc_stream) + 2 * sizeof(void *) + 2 * srtp + xc);
		printf("RESULT test=memory mode=%s stream_bytes=%zu srtp_ctx_bytes=%zu "
		       "xcoder_pair_bytes=%zu per_call_bytes=%zu\n", mode_name[opt.mode],
		       sizeof(struct wrtc_stream), srtp, xc,
		       2 * sizeof(struct wrtc_stream) + 2 * sizeof(void *) + 2 * srtp + xc);
	}
	printf("memory fixed per worker: flow table %zu B per interface, struct wrtc_lcore %zu B, "
	       "5 rings of %u slots\n", (size_t)65536 * sizeof(void *), sizeof(struct wrtc_lcore),
	       (unsigned int)WRTC_RING_SIZE);
	opt.mode = saved;
	return 0;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: wrtc-bench-fastpath [EAL args] -- [-m relay|srtp-cm|srtp-gcm|xcode]\n"
		"         [-n calls] [-p packets per run] [-r runs] [-c opus complexity]\n"
		"         [-P paced seconds] [-S (stage cycles)] [-M (memory per call)]\n");
}

static int
parse_args(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "m:n:p:r:c:P:SMh")) != -1) {
		switch (c) {
		case 'm': {
			unsigned int k;

			for (k = 0; k < RTE_DIM(mode_name); k++)
				if (strcmp(optarg, mode_name[k]) == 0)
					break;
			if (k == RTE_DIM(mode_name)) {
				fprintf(stderr, "-m: unknown mode '%s'\n", optarg);
				return -1;
			}
			opt.mode = (enum mode)k;
			break;
		}
		case 'n':
			opt.calls = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'p':
			opt.packets = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			opt.runs = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			opt.complexity = atoi(optarg);
			break;
		case 'P':
			opt.paced_s = atof(optarg);
			break;
		case 'S':
			opt.stages = true;
			break;
		case 'M':
			opt.memory = true;
			break;
		default:
			usage();
			return -1;
		}
	}
	if (opt.calls == 0 || opt.calls > MAX_CALLS || opt.runs == 0 || opt.runs > 100 ||
	    opt.complexity < 0 || opt.complexity > 10 || opt.packets == 0) {
		fprintf(stderr, "-n must be 1..%u, -r 1..100, -c 0..10, -p > 0\n", MAX_CALLS);
		return -1;
	}
	if (opt.mode == M_XCODE && 2 * opt.calls >= RING) {
		fprintf(stderr, "-n: at most %u transcoded calls per run\n", RING / 2 - 1);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int n = rte_eal_init(argc, argv);
	double v[100], w[100], r[100];
	int rc = 0;

	if (n < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	argc -= n;
	argv += n;
	if (parse_args(argc, argv) != 0)
		return 2;
	if (setup_dataplane() != 0 || prepare_audio() != 0)
		return 1;
	if (opt.memory)
		return run_memory() == 0 ? 0 : 1;
	if (calls_setup(opt.calls) != 0) {
		fprintf(stderr, "call set-up failed\n");
		return 1;
	}
	if (opt.stages) {
		rc = run_stages((unsigned int)RTE_MAX(opt.packets / STAGE_BURST, 1ul));
	} else if (opt.paced_s > 0) {
		rc = run_paced(opt.paced_s);
	} else if (opt.mode == M_XCODE) {
		unsigned int ticks = (unsigned int)RTE_MAX(opt.packets / (2ul * opt.calls), 1ul);

		for (unsigned int k = 0; k < opt.runs && rc == 0; k++) {
			rc = run_xcode(ticks, &v[k], &r[k]);
			if (rc == 0 && !opt.quiet)
				printf("run %u: %.1f us CPU per call tick, %.0f calls per core, "
				       "out/in %.4f, bad %lu\n", k + 1, v[k], 20000 / v[k], r[k],
				       (unsigned long)bad_out);
			/* Both sides use 20 ms packets: one packet out per packet in. */
			if (bad_out != 0 || (rc == 0 && r[k] != 1.0))
				rc = -EPROTO;
		}
		if (rc == 0) {
			double med = median(v, opt.runs), ratio = median(r, opt.runs);

			printf("xcode complexity %d: median %.1f us per call tick (%u runs of %u ticks x "
			       "%u calls) -> %.0f transcoded calls per worker core; out/in %.4f\n",
			       opt.complexity, med, opt.runs, ticks, opt.calls, 20000 / med, ratio);
			printf("RESULT test=xcode complexity=%d calls=%u runs=%u us_per_call_tick=%.1f "
			       "calls_per_core=%.0f out_in=%.4f\n", opt.complexity, opt.calls,
			       opt.runs, med, 20000 / med, ratio);
		}
	} else {
		for (unsigned int k = 0; k < opt.runs && rc == 0; k++) {
			rc = run_throughput(opt.packets, &v[k], &w[k], &r[k]);
			if (rc == 0 && !opt.quiet)
				printf("run %u: %.0f pkt/s per CPU second (%.0f per TSC second), "
				       "out/in %.4f, bad %lu\n", k + 1, v[k], w[k], r[k],
				       (unsigned long)bad_out);
			if (bad_out != 0 || (rc == 0 && r[k] != 1.0))
				rc = -EPROTO;
		}
		if (rc == 0) {
			double med = median(v, opt.runs), medt = median(w, opt.runs);

			printf("%s: median %.0f packets/s per worker core (%u runs of %lu packets, %u "
			       "calls; TSC-based %.0f) = %.0f calls at 2 x 50 pps\n", mode_name[opt.mode],
			       med, opt.runs, opt.packets, opt.calls, medt, med / 100);
			printf("RESULT test=throughput mode=%s calls=%u runs=%u pps=%.0f pps_tsc=%.0f "
			       "ns_per_pkt=%.1f\n", mode_name[opt.mode], opt.calls, opt.runs, med, medt,
			       1e9 / med);
		}
	}
	if (rc != 0)
		fprintf(stderr, "benchmark failed: %s\n", strerror(-rc));
	calls_teardown(opt.calls);
	return rc == 0 ? 0 : 1;
}
