/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Session lifecycle tests: the session manager and a real worker (on lcore 1,
 * polling a net_ring port) driven through JSON-RPC lines, with STUN and DTLS
 * frames injected on the port's RX ring.
 *
 * - offer, answer, re-offer (new peer port), re-answer, delete: the worker
 *   holds the same four streams, told the address signalled last;
 * - statistics members and parameter errors;
 * - bad offers (short ice-pwd, no fingerprint, md5 fingerprint, no port for
 *   the second leg) release everything they opened: ports in use stay 4 per
 *   live call, the worker holds no stream of theirs, and STUN/DTLS sent to
 *   every port of the range afterwards touch nothing freed (run it under
 *   ASan: -Db_sanitize=address); 2,500 of them do not exhaust the range;
 * - a stalled worker: offers are refused with the retryable -32005 before
 *   anything is opened, other messages wait (none lost), a delete completes
 *   once the worker is back, and then the worker's table matches the calls;
 * - media_timeout with ICE consent and DTLS as activity, and hold_timeout;
 * - a message the worker rejects marks the call degraded;
 * - a post that finds the message pool empty is lost loudly: degraded call,
 *   ctrl_lost in query and statistics.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "wrtc_config.h"
#include "wrtc_dtls.h"
#include "wrtc_rpc.h"
#include "wrtc_session.h"
#include "wrtc_stun.h"
#include "wrtc_test.h"
#include "wrtc_worker.h"

static struct rte_mempool *mp;
static struct rte_ring *rxr[1], *txr[2];
static struct wrtc_dataplane dp;
static struct wrtc_config *cfg;
static struct wrtc_session_mgr *mgr;
static struct wrtc_rpc_server *srv;
static uint32_t paused, parked, quit;
static int next_id = 1;
static int code_unused;

static const struct rte_ether_addr gw_mac = {{0x02, 0, 0, 0, 0, 0x02}};
static const struct rte_ether_addr peer_mac = {{0x02, 0, 0, 0, 0, 0xa1}};
static struct wrtc_net_addr gw_ip, peer_ip;

/* ------------------------------------------------------------------ harness */

static int
worker_loop(void *arg)
{
	struct wrtc_lcore *w = arg;

	while (!__atomic_load_n(&quit, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&paused, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&parked, 1, __ATOMIC_RELEASE);
			rte_pause();
			continue;
		}
		__atomic_store_n(&parked, 0, __ATOMIC_RELEASE);
		wrtc_worker_poll_once(w);
	}
	return 0;
}

/* Stall the worker (it stops applying messages and reading packets), or resume it. */
static void
worker_pause(bool on)
{
	__atomic_store_n(&paused, on, __ATOMIC_RELEASE);
	while (on && !__atomic_load_n(&parked, __ATOMIC_ACQUIRE))
		rte_pause();
}

static void
drain_tx(void)
{
	void *m;

	for (int i = 0; i < 2; i++)
		while (rte_ring_dequeue(txr[i], &m) == 0)
			rte_pktmbuf_free(m);
}

/* Run the control lcore for @p ms milliseconds. */
static void
run_control(unsigned int ms)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 1000 * ms;

	while (rte_rdtsc() < end) {
		if (wrtc_session_poll(mgr) == 0)
			rte_delay_us_sleep(100);
		drain_tx();
	}
}

static const char cfg_tmpl[] =
	"{\"interfaces\": [{\"name\": \"lab\", \"port\": 0, \"ipv4\": \"10.0.0.2/24\","
	"  \"media_port_min\": %u, \"media_port_max\": %u}],"
	" \"dtls_profiles\": [{\"name\": \"browser\", \"versions\": [\"1.2\"], \"role\": \"auto\","
	"  \"certificate\": \"generated\", \"fingerprint_hash\": \"sha-256\"}],"
	" \"codec_entries\": ["
	"  {\"name\": \"opus\", \"codec\": \"opus\", \"payload_type\": 111, \"ptime\": 20},"
	"  {\"name\": \"pcmu\", \"codec\": \"PCMU\", \"payload_type\": 0, \"ptime\": 20}],"
	" \"packet_service_profiles\": ["
	"  {\"name\": \"webrtc\", \"codecs\": [\"opus\", \"pcmu\"], \"transcode\": true,"
	"   \"rtcp\": true, \"rtcp_mux\": true, \"srtp\": true, \"dtls\": true,"
	"   \"dtls_profile\": \"browser\"},"
	"  {\"name\": \"sip\", \"codecs\": [\"pcmu\"], \"transcode\": true, \"rtcp\": true,"
	"   \"rtcp_mux\": false, \"srtp\": false}],"
	" \"trunk_groups\": ["
	"  {\"name\": \"webrtc\", \"interface\": \"lab\", \"kind\": \"webrtc\", \"ice\": \"lite\","
	"   \"packet_service_profile\": \"webrtc\", \"policing\": true},"
	"  {\"name\": \"sip\", \"interface\": \"lab\", \"kind\": \"sip\", \"ice\": \"none\","
	"   \"packet_service_profile\": \"sip\", \"policing\": true}],"
	" \"policers\": ["
	"  {\"name\": \"stun\", \"type\": \"stun\", \"mode\": \"packet-rate\", \"bucket\": 10000,"
	"   \"rate\": 100000, \"priority_rate\": 200000, \"srflx_prefix_v4\": 32},"
	"  {\"name\": \"dtls\", \"type\": \"dtls\", \"mode\": \"packet-rate\", \"bucket\": 10000,"
	"   \"rate\": 100000, \"priority_rate\": 200000, \"srflx_prefix_v4\": 32}],"
	" \"control\": {\"rpc_tcp\": \"127.0.0.1:0\", \"media_timeout\": %u, \"hold_timeout\": %u,"
	"  \"max_calls\": 100000}}";

/* A session manager over the running worker, with its own configuration. */
static int
mgr_start(unsigned int port_min, unsigned int port_max, unsigned int media_timeout,
	  unsigned int hold_timeout)
{
	char json[sizeof(cfg_tmpl) + 64], err[256];

	snprintf(json, sizeof(json), cfg_tmpl, port_min, port_max, media_timeout, hold_timeout);
	cfg = wrtc_config_load_string(json, strlen(json), ".", err, sizeof(err));
	if (cfg == NULL) {
		fprintf(stderr, "config: %s\n", err);
		return -1;
	}
	mgr = wrtc_session_mgr_create(&(struct wrtc_session_prm){.cfg = cfg, .dp = &dp, .mp = mp});
	srv = wrtc_rpc_server_create(&(struct wrtc_rpc_server_prm){0});
	if (mgr == NULL || srv == NULL || wrtc_session_rpc_register(mgr, srv) != 0)
		return -1;
	return 0;
}

static void
mgr_stop(void)
{
	wrtc_session_mgr_shutdown(mgr);
	/* The manager frees the worker's policer instances: stop the worker first. */
	worker_pause(true);
	wrtc_session_mgr_free(mgr);
	dp.workers[0]->pol_stun = dp.workers[0]->pol_dtls = NULL;
	memset(dp.workers[0]->pol_link, 0, sizeof(dp.workers[0]->pol_link));
	worker_pause(false);
	wrtc_rpc_server_free(srv);
	wrtc_config_free(cfg);
	mgr = NULL;
	srv = NULL;
	cfg = NULL;
}

/* One request; the result (new reference) or NULL with *code set to the error code. */
static json_t *
rpc(const char *method, json_t *params, int *code, char *msg, size_t msgsize)
{
	json_t *req = json_pack("{s:s, s:i, s:s, s:o}", "jsonrpc", "2.0", "id", next_id++,
				"method", method, "params", params);
	char *line = json_dumps(req, JSON_COMPACT), *reply;
	json_t *r, *res = NULL, *e;

	reply = wrtc_rpc_server_handle_line(srv, line, strlen(line));
	free(line);
	json_decref(req);
	*code = -1;
	if (reply == NULL)
		return NULL;
	r = json_loads(reply, 0, NULL);
	free(reply);
	e = json_object_get(r, "error");
	if (e != NULL) {
		*code = (int)json_integer_value(json_object_get(e, "code"));
		if (msg != NULL)
			snprintf(msg, msgsize, "%s",
				 json_string_value(json_object_get(e, "message")));
	} else {
		*code = 0;
		res = json_incref(json_object_get(r, "result"));
	}
	json_decref(r);
	return res;
}

static json_int_t
stat_get(const char *a, const char *b)
{
	json_t *s = wrtc_session_statistics(mgr), *v = json_object_get(s, a);
	json_int_t x;

	if (b != NULL)
		v = json_object_get(v, b);
	x = json_integer_value(v);
	json_decref(s);
	return x;
}

static char *
sip_sdp(uint16_t port, const char *dir)
{
	char *s = NULL;

	if (asprintf(&s, "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
		     "t=0 0\r\nm=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n",
		     port, dir) < 0)
		return NULL;
	return s;
}

/* BAD_PORTS: two m-lines, more port pairs than are left (the last leg finds none). */
enum bad { BAD_NONE, BAD_SHORT_PWD, BAD_NO_FP, BAD_MD5, BAD_PORTS, BAD_MAX };

static const char fp256[] = "a=fingerprint:sha-256 "
	"11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:"
	"11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r\n";
static const char fpmd5[] = "a=fingerprint:md5 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00\r\n";

/* A browser's offer: m-line @p mid is bad in way @p bad (BAD_NONE: good). */
static char *
mline(enum bad bad, uint16_t port, unsigned int mid)
{
	char *s = NULL;

	if (asprintf(&s, "m=audio %u UDP/TLS/RTP/SAVPF 111\r\n"
		     "c=IN IP4 10.0.0.1\r\na=mid:%u\r\na=ice-ufrag:brws\r\na=ice-pwd:%s\r\n%s"
		     "a=setup:actpass\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
		     "a=candidate:1 1 udp 2113937151 10.0.0.1 %u typ host\r\n"
		     "a=end-of-candidates\r\na=sendrecv\r\n", port, mid,
		     bad == BAD_SHORT_PWD ? "short" : "browserpassword0123456789",
		     bad == BAD_NO_FP ? "" : bad == BAD_MD5 ? fpmd5 : fp256, port) < 0)
		return NULL;
	return s;
}

/* One m-line bad in way @p bad, or BAD_PORTS: two good m-lines; @p second: a
 * second m-line, bad in that way, after a good first one (re-offers). */
static char *
web_sdp2(enum bad bad, uint16_t port, bool second)
{
	bool two = bad == BAD_PORTS || second;
	char *m0 = mline(second || bad == BAD_PORTS ? BAD_NONE : bad, port, 0);
	char *m1 = two ? mline(bad == BAD_PORTS ? BAD_NONE : bad, port, 1) : NULL;
	char *s = NULL;

	if (m0 == NULL || (two && m1 == NULL) ||
	    asprintf(&s, "v=0\r\no=- 7 2 IN IP4 10.0.0.1\r\ns=-\r\nt=0 0\r\n%s%s%s",
		     two ? "" : "a=group:BUNDLE 0\r\n", m0, two ? m1 : "") < 0)
		s = NULL;
	free(m0);
	free(m1);
	return s;
}

static char *
web_sdp(enum bad bad, uint16_t port)
{
	return web_sdp2(bad, port, false);
}

static json_t *
offer(const char *id, const char *sdp, const char *in, const char *out, int *code, char *msg,
      size_t msgsize)
{
	return rpc("offer", json_pack("{s:s, s:s, s:s, s:s, s:s}", "call_id", id,
				      "from_tag", "ft", "sdp", sdp, "ingress", in,
				      "egress", out), code, msg, msgsize);
}

static json_t *
answer(const char *id, const char *sdp, int *code)
{
	return rpc("answer", json_pack("{s:s, s:s, s:s, s:s}", "call_id", id, "from_tag", "ft",
				       "to_tag", "tt", "sdp", sdp), code, NULL, 0);
}

/* A WebRTC (ingress) -> SIP call, offered and answered; the answer SDP for
 * the browser. @p active: the browser takes a=setup:active (the gateway waits
 * for its ClientHello). */
static char *
web_call2(const char *id, uint16_t port, bool active)
{
	char *o = web_sdp(BAD_NONE, port), *a = sip_sdp((uint16_t)(port + 1000), "sendrecv");
	char *setup = o != NULL ? strstr(o, "a=setup:actpass") : NULL;
	json_t *r;

	if (active && setup != NULL) {
		/* "actpass" -> "active": one character shorter. */
		memcpy(setup, "a=setup:active", 14);
		memmove(setup + 14, setup + 15, strlen(setup + 15) + 1);
	}
	char *out = NULL;
	int code;

	r = offer(id, o, "webrtc", "sip", &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	json_decref(r);
	r = answer(id, a, &code);
	WRTC_CHECK_EQ(code, 0);
	if (r != NULL)
		out = strdup(json_string_value(json_object_get(r, "sdp")));
	json_decref(r);
	free(o);
	free(a);
	return out;
}

static char *
web_call(const char *id, uint16_t port)
{
	return web_call2(id, port, false);
}

static int
query_code(const char *id)
{
	int code;

	json_decref(rpc("query", json_pack("{s:s}", "call_id", id), &code, NULL, 0));
	return code;
}

static void
del(const char *id)
{
	int code;

	json_decref(rpc("delete", json_pack("{s:s}", "call_id", id), &code, NULL, 0));
	if (code == WRTC_RPC_OVERLOADED) {
		/* The worker did not confirm within the RPC's wait (a loaded
		 * machine): the call is "removing" and goes by itself. */
		uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;

		while (query_code(id) == 0 && rte_rdtsc() < end)
			run_control(20);
		WRTC_CHECK_EQ(query_code(id), WRTC_RPC_NOT_FOUND);
		return;
	}
	WRTC_CHECK_EQ(code, 0);
}

/* A UDP frame from the peer (10.0.0.1:@p sport) to the gateway's @p dport. */
static struct rte_mbuf *
frame(uint16_t sport, uint16_t dport, const uint8_t *payload, uint16_t len)
{
	struct wrtc_net_iface peer = {.mac = peer_mac, .ip4 = peer_ip, .ip4_prefix = 24};
	struct wrtc_net_hdr_tmpl t;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL || wrtc_net_hdr_tmpl_init(&t, &peer, &peer_ip, sport, &gw_ip, dport,
						&gw_mac) != 0)
		return NULL;
	memcpy(rte_pktmbuf_append(m, len), payload, len);
	if (wrtc_net_udp_prepend(m, &t, false) != 0)
		return NULL;
	m->port = dp.ifc[0].port_id;
	return m;
}

/* Hand @p n frames to the worker and run the control lcore until the worker
 * has read them and every punted one has been handled. */
static void
inject(struct rte_mbuf **m, unsigned int n)
{
	struct wrtc_lcore *w = dp.workers[0];
	uint64_t rx = __atomic_load_n(&w->st.rx_pkts, __ATOMIC_RELAXED) + n, it;
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;

	WRTC_CHECK_EQ(rte_ring_enqueue_bulk(rxr[0], (void **)m, n, NULL), n);
	while (__atomic_load_n(&w->st.rx_pkts, __ATOMIC_RELAXED) < rx && rte_rdtsc() < end)
		run_control(1);
	it = __atomic_load_n(&w->st.iterations, __ATOMIC_RELAXED) + 2;
	while (__atomic_load_n(&w->st.iterations, __ATOMIC_RELAXED) < it && rte_rdtsc() < end)
		rte_pause();
	while (rte_ring_count(w->punt) != 0 && rte_rdtsc() < end)
		run_control(1);
	WRTC_CHECK(rte_rdtsc() < end);
}

/* A STUN Binding request and a DTLS ClientHello-like record to every port of
 * [min, max]: whatever a failed offer left behind would be reached. */
static void
probe_ports(uint16_t min, uint16_t max)
{
	static const uint8_t dtls[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12,
				       1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t stun[20] = {0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	struct rte_mbuf *m[64];
	unsigned int n = 0;

	for (uint32_t p = min; p <= max; p++) {
		m[n++] = frame(40000, (uint16_t)p, stun, sizeof(stun));
		m[n++] = frame(40000, (uint16_t)p, dtls, sizeof(dtls));
		if (n == RTE_DIM(m) || p == max) {
			inject(m, n);
			n = 0;
		}
	}
}

/* The worker's table once it has applied every message posted so far, read
 * while it is stalled. */
static uint32_t
worker_streams(void)
{
	struct wrtc_lcore *w = dp.workers[0];
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10, it;
	uint32_t n;

	while ((rte_ring_count(w->ctrl) != 0 || stat_get("control_messages", "waiting") != 0) &&
	       rte_rdtsc() < end)
		run_control(1);
	it = __atomic_load_n(&w->st.iterations, __ATOMIC_RELAXED) + 2;
	while (__atomic_load_n(&w->st.iterations, __ATOMIC_RELAXED) < it && rte_rdtsc() < end)
		rte_pause();
	worker_pause(true);
	n = dp.workers[0]->flows->nb_streams;
	worker_pause(false);
	return n;
}

/* Failed calls a slow worker held back ("removing") are gone and their ports
 * free again: wait until only @p calls calls (4 ports each) are left.
 * @return true if that needed waiting. */
static bool
settle(unsigned int calls)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;
	bool waited = false;

	while ((stat_get("calls_active", NULL) != calls ||
		stat_get("media_ports_in_use", NULL) != 4 * calls) && rte_rdtsc() < end) {
		waited = true;
		run_control(20);
	}
	return waited;
}

/* ------------------------------------------------------------------- cases */

enum { BAD_MIN = 30000, BAD_MAX_PORT = 30013 };

static int
test_bad_offers(void)
{
	static const int expect[] = {[BAD_SHORT_PWD] = WRTC_RPC_INVALID_PARAMS,
				     [BAD_NO_FP] = WRTC_RPC_INVALID_PARAMS,
				     [BAD_MD5] = WRTC_RPC_INVALID_PARAMS,
				     [BAD_PORTS] = WRTC_RPC_NO_RESOURCES};
	char msg[256], id[32];
	unsigned int deferred = 0;
	int code;

	if (mgr_start(BAD_MIN, BAD_MAX_PORT, 60, 3600) != 0)
		return -1;
	/* Seven port pairs: two calls take four; a bad offer with one m-line gets
	 * the two it needs, one with two m-lines finds none for its last leg
	 * (port exhaustion on the second leg). */
	free(web_call("good1", 41000));
	free(web_call("good2", 41002));
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 8);
	for (unsigned int round = 0; round < 2500; round++) {
		enum bad kind = (enum bad)(1 + round % (BAD_MAX - 1));
		char *sdp = web_sdp(kind, 42000);
		json_t *r;

		snprintf(id, sizeof(id), "bad%u", round);
		r = offer(id, sdp, "webrtc", "sip", &code, msg, sizeof(msg));
		json_decref(r);
		/* A worker descheduled for more than the RPC's wait (a loaded
		 * machine) keeps a failed offer's pairs until it confirms their
		 * removal; then the range frees up, and a retry gets its error. */
		if (code != expect[kind] && settle(2)) {
			deferred++;
			r = offer(id, sdp, "webrtc", "sip", &code, msg, sizeof(msg));
			json_decref(r);
		}
		free(sdp);
		if (!WRTC_CHECK_EQ(code, expect[kind]))
			fprintf(stderr, "  round %u kind %d: %s\n", round, kind, msg);
		if (kind == BAD_PORTS && round < BAD_MAX)
			WRTC_CHECK(strstr(msg, "no free media port") != NULL);
		if (round < 2 * BAD_MAX || round % 500 == 0) {
			deferred += settle(2);
			WRTC_CHECK_EQ(query_code(id), WRTC_RPC_NOT_FOUND);
			WRTC_CHECK_EQ(stat_get("calls_active", NULL), 2);
			WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 8);
			WRTC_CHECK_EQ(worker_streams(), 8);
			probe_ports(BAD_MIN, BAD_MAX_PORT);
		}
	}
	printf("  2500 bad offers, %u waited for a slow worker\n", deferred);
	WRTC_CHECK(stat_get("offers_failed", NULL) >= 2500);
	WRTC_CHECK(stat_get("slow_path", "stun") > 0 && stat_get("slow_path", "dtls") > 0);
	/* A re-offer adding a bad m-line: the pairs it opened go, the call stays. */
	for (enum bad k = BAD_SHORT_PWD; k <= BAD_MD5; k++) {
		char *sdp = web_sdp2(k, 41000, true);
		json_t *q;

		json_decref(offer("good1", sdp, "webrtc", "sip", &code, msg, sizeof(msg)));
		free(sdp);
		WRTC_CHECK_EQ(code, WRTC_RPC_INVALID_PARAMS);
		WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 8);
		WRTC_CHECK_EQ(worker_streams(), 8);
		q = rpc("query", json_pack("{s:s}", "call_id", "good1"), &code, NULL, 0);
		WRTC_CHECK_EQ(json_array_size(json_object_get(q, "streams")), 1);
		WRTC_CHECK_STREQ(json_string_value(json_object_get(q, "state")), "answered");
		json_decref(q);
		probe_ports(BAD_MIN, BAD_MAX_PORT);
	}
	/* The range is intact: after a delete, a new call gets ports again. */
	del("good2");
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 4);
	free(web_call("good3", 41004));
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 8);
	probe_ports(BAD_MIN, BAD_MAX_PORT);
	del("good1");
	del("good3");
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	WRTC_CHECK_EQ(worker_streams(), 0);
	probe_ports(BAD_MIN, BAD_MAX_PORT);
	WRTC_CHECK_EQ(stat_get("control_messages", "lost"), 0);
	mgr_stop();
	return 0;
}

enum { STALL_MAX_CALLS = 4000, STALL_CAPTURES = 400 };

/* Does the worker hold exactly the streams of call @p id, in the state we set? */
static void
check_call_in_worker(const char *id, bool capture)
{
	json_t *q;
	int code;

	q = rpc("query", json_pack("{s:s}", "call_id", id), &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	json_t *legs = json_object_get(json_array_get(json_object_get(q, "streams"), 0), "legs");

	WRTC_CHECK_EQ(json_array_size(legs), 2);
	for (size_t l = 0; l < json_array_size(legs); l++) {
		uint16_t port = (uint16_t)json_integer_value(
			json_object_get(json_array_get(legs, l), "port"));

		for (uint16_t k = 0; k < 2; k++) {
			const struct wrtc_stream *s =
				wrtc_flow_lookup(dp.workers[0]->flows, 0, (uint16_t)(port + k));

			if (!WRTC_CHECK(s != NULL))
				continue;
			WRTC_CHECK_EQ(s->capture, capture);
			WRTC_CHECK(s->out_rtp != NULL || k == 1);
		}
	}
	WRTC_CHECK(!json_is_true(json_object_get(q, "degraded")));
	json_decref(q);
}

static int
test_stalled_worker(void)
{
	char msg[256], id[32];
	unsigned int ok = 0;
	int code = 0;
	json_t *r;

	if (mgr_start(20000, 39999, 60, 3600) != 0)
		return -1;
	worker_pause(true);
	/* Offers go on while the control ring has room for all they post, then
	 * are refused, retryably, with nothing opened. */
	for (; ok < STALL_MAX_CALLS; ok++) {
		char *sdp = sip_sdp((uint16_t)(10000 + 2 * (ok % 5000)), "sendrecv");

		snprintf(id, sizeof(id), "s%u", ok);
		r = offer(id, sdp, "sip", "sip", &code, msg, sizeof(msg));
		free(sdp);
		json_decref(r);
		if (code != 0)
			break;
	}
	WRTC_CHECK_EQ(code, WRTC_RPC_OVERLOADED);
	WRTC_CHECK(strstr(msg, "retry") != NULL);
	WRTC_CHECK(ok > 100 && ok < STALL_MAX_CALLS);
	WRTC_CHECK_EQ(query_code(id), WRTC_RPC_NOT_FOUND);
	WRTC_CHECK_EQ(stat_get("calls_active", NULL), ok);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 4 * ok);
	WRTC_CHECK(stat_get("control_messages", "busy_refused") >= 1);
	/* Messages outside offers and answers wait for the worker instead. */
	for (unsigned int i = 0; i < STALL_CAPTURES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%u", i);
		json_decref(rpc("capture", json_pack("{s:s, s:s}", "call_id", name, "action",
						     "start"), &code, NULL, 0));
		WRTC_CHECK_EQ(code, 0);
	}
	WRTC_CHECK(stat_get("control_messages", "waiting") > 0);
	/* A delete cannot complete while the worker holds the streams. */
	json_decref(rpc("delete", json_pack("{s:s}", "call_id", "s500"), &code, msg, sizeof(msg)));
	WRTC_CHECK_EQ(code, WRTC_RPC_OVERLOADED);
	r = rpc("query", json_pack("{s:s}", "call_id", "s500"), &code, NULL, 0);
	WRTC_CHECK_STREQ(json_string_value(json_object_get(r, "state")), "removing");
	json_decref(r);
	{
		char *sdp = sip_sdp(9000, "sendrecv");

		json_decref(offer("s500", sdp, "sip", "sip", &code, NULL, 0));
		WRTC_CHECK_EQ(code, WRTC_RPC_OVERLOADED);
		free(sdp);
	}
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 4 * ok);

	worker_pause(false);
	{
		uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 20;

		while ((stat_get("control_messages", "waiting") != 0 ||
			stat_get("calls_active", NULL) != ok - 1) && rte_rdtsc() < end)
			run_control(50);
	}
	WRTC_CHECK_EQ(stat_get("control_messages", "waiting"), 0);
	WRTC_CHECK_EQ(stat_get("calls_active", NULL), ok - 1);
	WRTC_CHECK_EQ(query_code("s500"), WRTC_RPC_NOT_FOUND);
	run_control(20);
	/* Nothing diverged: the worker holds the streams of every call, in the
	 * state the control lcore gave them, and nothing else. */
	worker_pause(true);
	WRTC_CHECK_EQ(dp.workers[0]->flows->nb_streams, 4 * (ok - 1));
	for (unsigned int i = 0; i < ok; i += 7) {
		snprintf(id, sizeof(id), "s%u", i);
		if (i != 500)
			check_call_in_worker(id, i < STALL_CAPTURES);
	}
	worker_pause(false);
	WRTC_CHECK_EQ(stat_get("control_messages", "lost"), 0);
	WRTC_CHECK_EQ(stat_get("control_messages", "failed"), 0);
	WRTC_CHECK_EQ(stat_get("calls_degraded", NULL), 0);
	/* The refused offer succeeds once the worker is back. */
	snprintf(id, sizeof(id), "s%u", ok);
	{
		char *sdp = sip_sdp(9002, "sendrecv");

		json_decref(offer(id, sdp, "sip", "sip", &code, NULL, 0));
		WRTC_CHECK_EQ(code, 0);
		free(sdp);
	}
	for (unsigned int i = 0; i < STALL_CAPTURES; i++) {
		char name[32];

		snprintf(name, sizeof(name), "s%u", i);
		r = rpc("capture", json_pack("{s:s, s:s}", "call_id", name, "action", "stop"),
			&code, NULL, 0);
		if (r != NULL)
			unlink(json_string_value(json_object_get(r, "file")));
		json_decref(r);
	}
	wrtc_session_mgr_shutdown(mgr);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	WRTC_CHECK_EQ(worker_streams(), 0);
	mgr_stop();
	return 0;
}

static void
sdp_attr(const char *sdp, const char *name, char *out, size_t size)
{
	const char *p = strstr(sdp, name);
	size_t n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(name);
	while (p[n] != '\0' && p[n] != '\r' && p[n] != '\n' && n + 1 < size)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* An authenticated ICE consent check from the browser to the gateway's port. */
static void
consent(const char *gw_ufrag, const char *gw_pwd, uint16_t port)
{
	struct wrtc_stun_key *key = wrtc_stun_key_create(gw_pwd, strlen(gw_pwd));
	uint8_t buf[256], tid[WRTC_STUN_TID_SIZE];
	struct wrtc_stun_builder b;
	char user[64];
	struct rte_mbuf *m;
	int n;

	for (unsigned int i = 0; i < sizeof(tid); i++)
		tid[i] = (uint8_t)rand();
	snprintf(user, sizeof(user), "%s:brws", gw_ufrag);
	wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, tid);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, user, (uint16_t)strlen(user));
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 1845501695);
	wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLING, 42);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	wrtc_stun_builder_add_integrity(&b, key);
	wrtc_stun_builder_add_fingerprint(&b);
	n = wrtc_stun_builder_finish(&b);
	wrtc_stun_key_free(key);
	if (!WRTC_CHECK(n > 0))
		return;
	m = frame(43000, port, buf, (uint16_t)n);
	inject(&m, 1);
}

/* The first flight of a DTLS client (our own lib/dtls, active role). */
static uint8_t hello[1500];
static size_t hello_size;

static void
hello_capture(void *arg, const uint8_t *data, size_t size)
{
	(void)arg;
	if (hello_size == 0 && size <= sizeof(hello)) {
		memcpy(hello, data, size);
		hello_size = size;
	}
}

static int
client_hello(const char *gw_fingerprint)
{
	char err[256];
	struct wrtc_dtls_ctx *ctx = wrtc_dtls_ctx_create(&(struct wrtc_dtls_ctx_prm){0}, err,
							 sizeof(err));
	struct wrtc_dtls *d;

	if (ctx == NULL)
		return -1;
	d = wrtc_dtls_create(&(struct wrtc_dtls_prm){.ctx = ctx, .role = WRTC_DTLS_ROLE_ACTIVE,
			     .peer_fingerprint = gw_fingerprint, .send = hello_capture});
	if (d == NULL || wrtc_dtls_start(d, rte_rdtsc() / (rte_get_tsc_hz() / 1000000)) != 0) {
		wrtc_dtls_free(d);
		wrtc_dtls_ctx_free(ctx);
		return -1;
	}
	wrtc_dtls_free(d);
	wrtc_dtls_ctx_free(ctx);
	return hello_size > 0 ? 0 : -1;
}

static double
timeout_field(const char *id, const char *name)
{
	json_t *q;
	double v = -1;
	int code;

	q = rpc("query", json_pack("{s:s}", "call_id", id), &code, NULL, 0);
	if (q != NULL)
		v = json_number_value(json_object_get(json_object_get(q, "timeouts"), name));
	json_decref(q);
	return v;
}

static int
test_timeouts(void)
{
	char ufrag[64], pwd[64], port[16], dport[16], fp[WRTC_DTLS_FINGERPRINT_MAX];
	double t0, gone_idle = 0, gone_hold = 0, now = 0, at_idle, at_hold, max_gap = 0;
	uint64_t last_sent = 0;
	uint64_t hz = rte_get_tsc_hz(), start, next_consent = 0;
	char *a, *o, *web;
	int code;

	/* Timeouts long enough that a loaded machine's scheduling gaps do not
	 * look like silence; activity every 250 ms. */
	if (mgr_start(40000, 40099, 5, 10) != 0)
		return -1;
	start = rte_rdtsc();
	o = sip_sdp(10000, "sendrecv");
	a = sip_sdp(10002, "sendrecv");
	json_decref(offer("idle", o, "sip", "sip", &code, NULL, 0));
	json_decref(answer("idle", a, &code));
	at_idle = (double)(rte_rdtsc() - start) / (double)hz;
	free(o);
	free(a);
	o = sip_sdp(10004, "sendonly");
	a = sip_sdp(10006, "recvonly");
	json_decref(offer("hold", o, "sip", "sip", &code, NULL, 0));
	json_decref(answer("hold", a, &code));
	at_hold = (double)(rte_rdtsc() - start) / (double)hz;
	free(o);
	free(a);
	web = web_call("web", 41000);
	if (!WRTC_CHECK(web != NULL))
		return -1;
	sdp_attr(web, "a=ice-ufrag:", ufrag, sizeof(ufrag));
	sdp_attr(web, "a=ice-pwd:", pwd, sizeof(pwd));
	sdp_attr(web, "m=audio ", port, sizeof(port));
	free(web);
	/* A second WebRTC call that only ever sends DTLS (its ClientHello, as a
	 * browser retransmits it while the handshake is under way). */
	web = web_call2("dtls", 41002, true);
	if (!WRTC_CHECK(web != NULL))
		return -1;
	sdp_attr(web, "a=fingerprint:", fp, sizeof(fp));
	sdp_attr(web, "m=audio ", dport, sizeof(dport));
	free(web);
	if (!WRTC_CHECK(client_hello(fp) == 0))
		return -1;
	WRTC_CHECK_EQ(timeout_field("idle", "timeout"), 5);
	WRTC_CHECK_EQ(timeout_field("idle", "media_timeout"), 5);
	WRTC_CHECK_EQ(timeout_field("hold", "timeout"), 10);
	WRTC_CHECK_EQ(timeout_field("hold", "hold_timeout"), 10);
	{
		json_t *q = rpc("query", json_pack("{s:s}", "call_id", "hold"), &code, NULL, 0);

		WRTC_CHECK(json_is_true(json_object_get(json_object_get(q, "timeouts"),
							"on_hold")));
		json_decref(q);
	}
	/* The WebRTC leg sends consent checks only: no RTP at all. Times are
	 * measured from each call's answer. */
	t0 = 0;
	while (now < 40 && (gone_hold == 0 || now < 13)) {
		now = (double)(rte_rdtsc() - start) / (double)hz;
		if (now >= t0) {
			if (gone_idle == 0 && query_code("idle") == WRTC_RPC_NOT_FOUND)
				gone_idle = now - at_idle;
			if (gone_hold == 0 && query_code("hold") == WRTC_RPC_NOT_FOUND)
				gone_hold = now - at_hold;
			t0 = now + 0.1;
		}
		if (rte_rdtsc() >= next_consent) {
			struct rte_mbuf *m = frame(44000, (uint16_t)atoi(dport), hello,
						   (uint16_t)hello_size);

			if (last_sent != 0)
				max_gap = RTE_MAX(max_gap, (double)(rte_rdtsc() - last_sent) /
						  (double)hz);
			last_sent = rte_rdtsc();
			consent(ufrag, pwd, (uint16_t)atoi(port));
			inject(&m, 1);
			next_consent = rte_rdtsc() + hz / 4;
		}
		run_control(20);
	}
	printf("  idle call removed after %.1f s, held call after %.1f s; activity every %.2f s "
	       "at worst\n", gone_idle, gone_hold, max_gap);
	WRTC_CHECK(gone_idle >= 4.9 && gone_idle < 12);
	WRTC_CHECK(gone_hold >= 9.9 && gone_hold < 22);
	/* Consent, and DTLS, kept the WebRTC calls for longer than media_timeout. */
	WRTC_CHECK_EQ(query_code("web"), 0);
	WRTC_CHECK(timeout_field("web", "last_activity_age") < 3.0);
	WRTC_CHECK_EQ(query_code("dtls"), 0);
	WRTC_CHECK(timeout_field("dtls", "last_activity_age") < 3.0);
	{
		json_t *q = rpc("query", json_pack("{s:s}", "call_id", "dtls"), &code, NULL, 0);
		json_t *legs = json_object_get(json_array_get(json_object_get(q, "streams"), 0),
					       "legs");
		json_t *dt = json_object_get(json_array_get(legs, 0), "dtls");

		WRTC_CHECK_STREQ(json_string_value(json_object_get(dt, "role")), "passive");
		WRTC_CHECK_STREQ(json_string_value(json_object_get(dt, "state")), "handshaking");
		json_decref(q);
	}
	{
		json_t *q = rpc("query", json_pack("{s:s}", "call_id", "web"), &code, NULL, 0);
		json_t *legs = json_object_get(json_array_get(json_object_get(q, "streams"), 0),
					       "legs");
		json_t *ice = json_object_get(json_array_get(legs, 0), "ice");

		WRTC_CHECK(json_integer_value(json_object_get(ice, "requests")) >= 10);
		json_decref(q);
	}
	/* Without them they go too. */
	start = rte_rdtsc();
	while ((query_code("web") == 0 || query_code("dtls") == 0) &&
	       rte_rdtsc() - start < 20 * hz)
		run_control(50);
	WRTC_CHECK_EQ(query_code("web"), WRTC_RPC_NOT_FOUND);
	WRTC_CHECK_EQ(query_code("dtls"), WRTC_RPC_NOT_FOUND);
	WRTC_CHECK_EQ(stat_get("calls_timed_out", NULL), 4);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	mgr_stop();
	return 0;
}

/* A message the worker rejects (its stream vanished from the worker's table)
 * marks the call degraded, visibly, instead of leaving a silent divergence. */
static int
test_degraded(void)
{
	uint16_t port;
	json_t *q, *r;
	char *o, *a;
	int code;

	if (mgr_start(30000, 30099, 60, 3600) != 0)
		return -1;
	o = sip_sdp(10000, "sendrecv");
	a = sip_sdp(10002, "sendrecv");
	json_decref(offer("d1", o, "sip", "sip", &code, NULL, 0));
	json_decref(answer("d1", a, &code));
	free(o);
	free(a);
	{
		/* Until the worker has applied the INSTALLs. */
		uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;

		while (worker_streams() != 4 && rte_rdtsc() < end)
			run_control(5);
	}
	if (!WRTC_CHECK_EQ(worker_streams(), 4))
		return -1;
	q = rpc("query", json_pack("{s:s}", "call_id", "d1"), &code, NULL, 0);
	WRTC_CHECK(!json_is_true(json_object_get(q, "degraded")));
	port = (uint16_t)json_integer_value(json_object_get(json_array_get(json_object_get(
		json_array_get(json_object_get(q, "streams"), 0), "legs"), 0), "port"));
	json_decref(q);
	worker_pause(true);
	WRTC_CHECK(dp.workers[0]->flows->by_port[0][port] != NULL);
	dp.workers[0]->flows->by_port[0][port] = NULL;
	dp.workers[0]->flows->nb_streams--;
	worker_pause(false);
	r = rpc("capture", json_pack("{s:s, s:s}", "call_id", "d1", "action", "start"), &code,
		NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	json_decref(r);
	{
		uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;

		while (stat_get("control_messages", "failed") == 0 && rte_rdtsc() < end)
			run_control(5);
	}
	WRTC_CHECK_EQ(stat_get("control_messages", "failed"), 1);
	WRTC_CHECK_EQ(stat_get("calls_degraded", NULL), 1);
	WRTC_CHECK_EQ(stat_get("calls_degraded_total", NULL), 1);
	q = rpc("query", json_pack("{s:s}", "call_id", "d1"), &code, NULL, 0);
	WRTC_CHECK(json_is_true(json_object_get(q, "degraded")));
	WRTC_CHECK_EQ(json_integer_value(json_object_get(q, "control_messages_lost")), 1);
	WRTC_CHECK_EQ(json_integer_value(json_object_get(q, "ctrl_lost")), 1);
	json_decref(q);
	r = rpc("capture", json_pack("{s:s, s:s}", "call_id", "d1", "action", "stop"), &code,
		NULL, 0);
	if (r != NULL)
		unlink(json_string_value(json_object_get(r, "file")));
	json_decref(r);
	del("d1");
	WRTC_CHECK_EQ(stat_get("calls_degraded", NULL), 0);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	WRTC_CHECK_EQ(worker_streams(), 0);
	mgr_stop();
	return 0;
}

/* A post that finds the message pool empty (and no reply to recycle: the
 * worker is parked) is lost loudly: the call is degraded, ctrl_lost counts
 * each lost message in query and statistics, and the call still goes. */
static int
test_lost_post(void)
{
	json_t *q, *r;
	char *o, *a;
	int code;

	if (mgr_start(30000, 30099, 60, 3600) != 0)
		return -1;
	o = sip_sdp(10000, "sendrecv");
	a = sip_sdp(10002, "sendrecv");
	json_decref(offer("l1", o, "sip", "sip", &code, NULL, 0));
	json_decref(answer("l1", a, &code));
	free(o);
	free(a);
	{
		uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;

		while (worker_streams() != 4 && rte_rdtsc() < end)
			run_control(5);
	}
	if (!WRTC_CHECK_EQ(worker_streams(), 4))
		return -1;
	worker_pause(true);
	run_control(20); /* read every reply the worker gave back */
	WRTC_CHECK_EQ(stat_get("ctrl_lost", NULL), 0);
	wrtc_session_test_pool_empty(mgr, true);
	r = rpc("capture", json_pack("{s:s, s:s}", "call_id", "l1", "action", "start"), &code,
		NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	json_decref(r);
	/* Four streams: four capture UPDATEs, none posted. */
	WRTC_CHECK_EQ(stat_get("control_messages", "lost"), 4);
	WRTC_CHECK_EQ(stat_get("ctrl_lost", NULL), 4);
	WRTC_CHECK_EQ(stat_get("calls_degraded", NULL), 1);
	q = rpc("query", json_pack("{s:s}", "call_id", "l1"), &code, NULL, 0);
	WRTC_CHECK(json_is_true(json_object_get(q, "degraded")));
	WRTC_CHECK_EQ(json_integer_value(json_object_get(q, "ctrl_lost")), 4);
	json_decref(q);
	wrtc_session_test_pool_empty(mgr, false);
	worker_pause(false);
	r = rpc("capture", json_pack("{s:s, s:s}", "call_id", "l1", "action", "stop"), &code,
		NULL, 0);
	if (r != NULL)
		unlink(json_string_value(json_object_get(r, "file")));
	json_decref(r);
	del("l1");
	WRTC_CHECK_EQ(stat_get("calls_degraded", NULL), 0);
	WRTC_CHECK_EQ(worker_streams(), 0);
	mgr_stop();
	return 0;
}

/* The shape of @p v, member by member in order: "name:t" per member (t: i
 * integer, f real, s string, o object, a array), nested as "a.b", the first
 * element of an array as "a[].b"; the drop list's members are left out. */
static void
shape(json_t *v, const char *path, char *out, size_t size)
{
	const char *k;
	json_t *m;

	json_object_foreach(v, k, m) {
		char sub[128];
		size_t len = strlen(out);
		char t = json_is_integer(m) ? 'i' : json_is_real(m) ? 'f' : json_is_string(m) ? 's' :
			 json_is_object(m) ? 'o' : json_is_array(m) ? 'a' : '?';

		snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] != '\0' ? "." : "", k);
		snprintf(out + len, size - len, "%s:%c ", sub, t);
		if (json_is_object(m) && strcmp(sub, "drops") != 0)
			shape(m, sub, out, size);
		if (json_is_array(m) && json_is_object(json_array_get(m, 0))) {
			strcat(sub, "[]");
			shape(json_array_get(m, 0), sub, out, size);
		}
	}
}

/* statistics has the members docs/rpc.md lists, in this order and of these
 * types, with one drops member per drop reason. */
static int
test_statistics(void)
{
	const char *want =
		"uptime:i calls_active:i calls_created:i calls_deleted:i calls_timed_out:i "
		"offers:i answers:i rx_packets:i tx_packets:i relayed_packets:i "
		"punted_packets:i handoff_packets:i control_tx_packets:i slow_path:o "
		"slow_path.arp:i slow_path.nd:i slow_path.icmp_echo:i slow_path.stun:i "
		"slow_path.dtls:i slow_path.other:i punt_share_full:o punt_share_full.arp:i "
		"punt_share_full.nd:i punt_share_full.icmp:i punt_share_full.stun:i "
		"punt_share_full.dtls:i punt_share_full.priority:i punt_share_full.pair:i "
		"neighbour_requests:i control_tx_dropped:i drops:o workers:a "
		"workers[].worker:i workers[].rx_packets:i workers[].tx_packets:i "
		"workers[].relayed:i workers[].punted:i workers[].handoff_out:i "
		"workers[].busy:f workers[].busy_cycles:i workers[].idle_cycles:i "
		"workers[].sleeps:i workers[].sleep_cycles:i interfaces:a "
		"interfaces[].interface:s interfaces[].device:s interfaces[].steering:s "
		"interfaces[].media_ports_in_use:i interfaces[].media_ports_total:i "
		"media_ports_in_use:i offers_failed:i answers_failed:i calls_degraded:i "
		"calls_degraded_total:i ctrl_lost:i control_messages:o "
		"control_messages.sources_rejected:i control_messages.posted:i "
		"control_messages.waited:i control_messages.waiting:i "
		"control_messages.lost:i control_messages.failed:i "
		"control_messages.busy_refused:i requests_rejected:o "
		"requests_rejected.offer:i requests_rejected.answer:i "
		"requests_rejected.delete:i dtls_handshakes:i dtls_failures:i "
		"transcoders_created:i transcoders_kept:i streams_continued:i media_rx_bytes:i media_tx_bytes:i "
		"control:o control.clients:i control.accepted:i control.refused_source:i "
		"control.refused_full:i control.unauthorized:i ";
	char buf[4096] = "";
	const char *got = buf;
	json_t *s;
	int code;

	if (mgr_start(30000, 30099, 60, 3600) != 0)
		return -1;
	s = rpc("statistics", json_object(), &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	shape(s, "", buf, sizeof(buf));
	if (!WRTC_CHECK_STREQ(got, want))
		fprintf(stderr, "  got  %s\n  want %s\n", got, want);
	WRTC_CHECK_EQ(json_object_size(json_object_get(s, "drops")), WRTC_DROP_MAX - 1);
	WRTC_CHECK_EQ(json_array_size(json_object_get(s, "workers")), 1);
	WRTC_CHECK_EQ(json_integer_value(json_object_get(s, "media_ports_in_use")), 0);
	WRTC_CHECK_EQ(json_integer_value(json_object_get(json_array_get(
		json_object_get(s, "interfaces"), 0), "media_ports_total")), 100);
	json_decref(s);
	mgr_stop();
	return 0;
}

/* Bad params are refused with -32602 and a message naming the parameter
 * (lib/rpc's helpers), before anything is opened. */
static int
test_bad_params(void)
{
	static const struct {
		const char *params; /* JSON */
		const char *msg;    /* start of the error message */
	} bad[] = {
		{"{\"from_tag\": \"f\", \"sdp\": \"v=0\"}", "call_id: missing"},
		{"{\"call_id\": null, \"from_tag\": \"f\", \"sdp\": \"v=0\"}", "call_id: missing"},
		{"{\"call_id\": 7, \"from_tag\": \"f\", \"sdp\": \"v=0\"}", "call_id: must be a string"},
		{"{\"call_id\": \"\", \"from_tag\": \"f\", \"sdp\": \"v=0\"}", "call_id: must not be empty"},
		{"{\"call_id\": \"c\", \"from_tag\": \"f\"}", "sdp: missing"},
		{"{\"call_id\": \"c\", \"from_tag\": \"f\", \"sdp\": [1]}", "sdp: must be a string"},
		{"{\"call_id\": \"c\", \"from_tag\": \"f\", \"sdp\": \"v=0\", \"calling\": 1}",
		 "calling: must be a string"},
		{"{\"call_id\": \"c\", \"from_tag\": \"f\", \"sdp\": \"v=0\", \"ingress\": \"nope\"}",
		 "ingress: no trunk group \"nope\""},
	};
	char msg[256], id[300];
	int code;

	if (mgr_start(30000, 30099, 60, 3600) != 0)
		return -1;
	for (unsigned int i = 0; i < RTE_DIM(bad); i++) {
		json_t *r = rpc("offer", json_loads(bad[i].params, 0, NULL), &code, msg, sizeof(msg));

		WRTC_CHECK(r == NULL);
		WRTC_CHECK_EQ(code, WRTC_RPC_INVALID_PARAMS);
		if (!WRTC_CHECK(strncmp(msg, bad[i].msg, strlen(bad[i].msg)) == 0))
			fprintf(stderr, "  case %u: \"%s\"\n", i, msg);
		json_decref(r);
	}
	/* Call-ids and tags are bounded; the SDP is not. */
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	WRTC_CHECK(rpc("query", json_pack("{s:s}", "call_id", id), &code, msg, sizeof(msg)) == NULL);
	WRTC_CHECK_EQ(code, WRTC_RPC_INVALID_PARAMS);
	WRTC_CHECK(strstr(msg, "call_id: longer than") == msg);
	WRTC_CHECK(rpc("capture", json_pack("{s:s}", "call_id", "c"), &code, msg, sizeof(msg)) ==
		   NULL);
	WRTC_CHECK(strcmp(msg, "action: missing") == 0);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	WRTC_CHECK_EQ(stat_get("requests_rejected", "offer"), RTE_DIM(bad));
	mgr_stop();
	return 0;
}

/* The gateway's port of leg @p l of call @p id (query), 0 if none. */
static uint16_t
leg_port(const char *id, unsigned int l)
{
	json_t *q = rpc("query", json_pack("{s:s}", "call_id", id), &code_unused, NULL, 0);
	json_t *legs = json_object_get(json_array_get(json_object_get(q, "streams"), 0), "legs");
	uint16_t port = (uint16_t)json_integer_value(json_object_get(json_array_get(legs, l),
								     "port"));

	json_decref(q);
	return port;
}

/* Run the control lcore until the worker's stream on @p port was told that
 * the peer signalled @p peer_port (its learning parameters), or 10 s. */
static bool
wait_signalled(uint16_t port, uint16_t peer_port)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() * 10;
	const struct wrtc_stream *s;

	for (;;) {
		worker_pause(true);
		s = wrtc_flow_lookup(dp.workers[0]->flows, 0, port);
		if (s != NULL && s->learn.prm.sig.port == peer_port) {
			worker_pause(false);
			return true;
		}
		worker_pause(false);
		if (rte_rdtsc() > end)
			return false;
		run_control(5);
	}
}

/* Offer, answer, re-offer (the caller moves its port), re-answer, delete:
 * the worker holds the call's four streams throughout, on the same gateway
 * ports, each told the address its peer signalled last; after the delete it
 * holds nothing and no port is in use. */
static int
test_reoffer(void)
{
	char *o = sip_sdp(10000, "sendrecv"), *a = sip_sdp(10002, "sendrecv");
	uint16_t p0, p1;
	int code;

	if (mgr_start(30000, 30099, 60, 3600) != 0)
		return -1;
	json_decref(offer("r1", o, "sip", "sip", &code, NULL, 0));
	WRTC_CHECK_EQ(code, 0);
	json_decref(answer("r1", a, &code));
	WRTC_CHECK_EQ(code, 0);
	free(o);
	free(a);
	p0 = leg_port("r1", 0);
	p1 = leg_port("r1", 1);
	WRTC_CHECK(p0 != 0 && p1 != 0 && p0 != p1);
	WRTC_CHECK(wait_signalled(p0, 10000));
	WRTC_CHECK(wait_signalled(p1, 10002));
	WRTC_CHECK_EQ(worker_streams(), 4);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 4);

	o = sip_sdp(10010, "sendrecv");
	a = sip_sdp(10012, "sendrecv");
	json_decref(offer("r1", o, "sip", "sip", &code, NULL, 0));
	WRTC_CHECK_EQ(code, 0);
	WRTC_CHECK(wait_signalled(p0, 10010));
	json_decref(answer("r1", a, &code));
	WRTC_CHECK_EQ(code, 0);
	free(o);
	free(a);
	WRTC_CHECK(wait_signalled(p1, 10012));
	WRTC_CHECK_EQ(leg_port("r1", 0), p0);
	WRTC_CHECK_EQ(leg_port("r1", 1), p1);
	WRTC_CHECK_EQ(worker_streams(), 4);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 4);
	WRTC_CHECK_EQ(stat_get("offers", NULL), 2);
	WRTC_CHECK_EQ(stat_get("answers", NULL), 2);
	WRTC_CHECK_EQ(stat_get("calls_created", NULL), 1);
	check_call_in_worker("r1", false);

	del("r1");
	WRTC_CHECK_EQ(query_code("r1"), WRTC_RPC_NOT_FOUND);
	WRTC_CHECK_EQ(worker_streams(), 0);
	WRTC_CHECK_EQ(stat_get("media_ports_in_use", NULL), 0);
	WRTC_CHECK_EQ(stat_get("calls_deleted", NULL), 1);
	WRTC_CHECK_EQ(stat_get("control_messages", "lost"), 0);
	WRTC_CHECK_EQ(stat_get("control_messages", "failed"), 0);
	mgr_stop();
	return 0;
}

/* ------------------------------------------------------------------ BUNDLE */

/* Chromium's max-bundle offer: audio (Opus) and video (VP8, rtx) on one
 * transport, MID header extension id 4, a=ssrc per m-line. */
static char *
chrome_av_sdp(uint16_t port, const char *setup)
{
	char *s = NULL;

	if (asprintf(&s, "v=0\r\no=- 9 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		     "a=group:BUNDLE 0 1\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS s\r\n"
		     "m=audio %u UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 10.0.0.1\r\n"
		     "a=candidate:1 1 udp 2113937151 10.0.0.1 %u typ host\r\n"
		     "a=end-of-candidates\r\na=ice-ufrag:brws\r\na=ice-pwd:browserpassword0123456789\r\n"
		     "%sa=setup:%s\r\na=mid:0\r\n"
		     "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendrecv\r\n"
		     "a=msid:s a\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
		     "a=ssrc:1111 cname:x\r\n"
		     "m=video %u UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 10.0.0.1\r\n"
		     "a=ice-ufrag:brws\r\na=ice-pwd:browserpassword0123456789\r\n"
		     "%sa=setup:%s\r\na=mid:1\r\n"
		     "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendrecv\r\n"
		     "a=msid:s v\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 VP8/90000\r\n"
		     "a=rtcp-fb:96 nack pli\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
		     "a=ssrc-group:FID 2222 3333\r\na=ssrc:2222 cname:x\r\na=ssrc:3333 cname:x\r\n",
		     port, port, fp256, setup, port, fp256, setup) < 0)
		return NULL;
	return s;
}

static char *
chrome_av_offer(uint16_t port)
{
	return chrome_av_sdp(port, "actpass");
}

static char *
sip_av_sdp(uint16_t port, uint16_t vport)
{
	char *s = NULL;

	if (asprintf(&s, "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\n"
		     "t=0 0\r\nm=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
		     "m=video %u RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\na=sendrecv\r\n",
		     port, vport) < 0)
		return NULL;
	return s;
}

static unsigned int
count_of(const char *s, const char *what)
{
	unsigned int n = 0;

	for (const char *p = s; p != NULL && (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/* The port of the @p k-th m-line of @p sdp (0 when absent). */
static unsigned int
mline_port(const char *sdp, unsigned int k)
{
	const char *p = sdp;

	for (unsigned int i = 0; i <= k && p != NULL; i++) {
		p = strstr(p, "\nm=");
		if (p != NULL)
			p++;
	}
	if (p == NULL)
		return 0;
	p = strchr(p, ' ');
	return p != NULL ? (unsigned int)strtoul(p + 1, NULL, 10) : 0;
}

static json_t *
query(const char *id)
{
	int code;
	json_t *r = rpc("query", json_pack("{s:s}", "call_id", id), &code, NULL, 0);

	WRTC_CHECK_EQ(code, 0);
	return r;
}

/*
 * A max-bundle browser (audio + video on one transport) calls a SIP peer:
 * the SIP side gets one port per m-line, plain RTP/AVP, without BUNDLE, mid,
 * ssrc, msid or extmap lines; the browser's answer accepts its group with
 * both m-lines on one port; the worker gets the leg's demultiplexing table
 * (MIDs, the MID extension id). Then the same with the SIP side rejecting
 * video: audio alone, video rejected towards the browser.
 */
static int
test_bundle_terminated(void)
{
	char *o = chrome_av_offer(41000), *a = sip_av_sdp(42000, 42002), *sdp;
	const char *txt;
	json_t *r, *q, *b;
	int code;

	if (!WRTC_CHECK(mgr_start(31000, 31099, 60, 60) == 0))
		return -1;
	r = offer("bun1", o, "webrtc", "sip", &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	txt = json_string_value(json_object_get(r, "sdp"));
	if (WRTC_CHECK(txt != NULL)) {
		WRTC_CHECK_EQ(count_of(txt, "m=audio "), 1);
		WRTC_CHECK_EQ(count_of(txt, "m=video "), 1);
		WRTC_CHECK_EQ(count_of(txt, " RTP/AVP "), 2);
		WRTC_CHECK(mline_port(txt, 0) != mline_port(txt, 1));
		WRTC_CHECK(mline_port(txt, 0) != 0 && mline_port(txt, 1) != 0);
		WRTC_CHECK_EQ(count_of(txt, "a=group"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=mid"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=ssrc"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=msid"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=extmap"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=rtpmap:96 VP8/90000"), 1);
	}
	json_decref(r);
	r = answer("bun1", a, &code);
	WRTC_CHECK_EQ(code, 0);
	txt = json_string_value(json_object_get(r, "sdp"));
	if (WRTC_CHECK(txt != NULL)) {
		WRTC_CHECK_EQ(count_of(txt, "a=group:BUNDLE 0 1\r\n"), 1);
		WRTC_CHECK_EQ(mline_port(txt, 0), mline_port(txt, 1));
		WRTC_CHECK_EQ(count_of(txt, "UDP/TLS/RTP/SAVPF"), 2);
		WRTC_CHECK_EQ(count_of(txt, "a=mid:0\r\n"), 1);
		WRTC_CHECK_EQ(count_of(txt, "a=mid:1\r\n"), 1);
	}
	json_decref(r);
	q = query("bun1");
	b = json_object_get(json_array_get(json_object_get(q, "legs"), 0), "bundle");
	if (WRTC_CHECK(b != NULL)) {
		WRTC_CHECK_EQ(json_array_size(json_object_get(b, "mids")), 2);
		WRTC_CHECK_STREQ(json_string_value(json_array_get(json_object_get(b, "mids"), 1)),
				 "1");
		WRTC_CHECK_STREQ(json_string_value(json_object_get(b, "transport_mid")), "0");
		WRTC_CHECK_EQ(json_integer_value(json_object_get(b, "mid_extension_id")), 4);
	}
	/* The SIP leg is not bundled. */
	WRTC_CHECK(json_object_get(json_array_get(json_object_get(q, "legs"), 1), "bundle") ==
		   NULL);
	json_decref(q);
	del("bun1");

	/* The SIP side rejects video: audio alone, nothing to demultiplex. */
	free(a);
	a = sip_av_sdp(42000, 0);
	r = offer("bun2", o, "webrtc", "sip", &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	json_decref(r);
	r = answer("bun2", a, &code);
	WRTC_CHECK_EQ(code, 0);
	txt = json_string_value(json_object_get(r, "sdp"));
	if (WRTC_CHECK(txt != NULL)) {
		WRTC_CHECK_EQ(count_of(txt, "a=group:BUNDLE 0\r\n"), 1);
		WRTC_CHECK_EQ(count_of(txt, "m=video 0 "), 1);
		WRTC_CHECK(mline_port(txt, 0) != 0);
	}
	json_decref(r);
	q = query("bun2");
	WRTC_CHECK(json_object_get(json_array_get(json_object_get(q, "legs"), 0), "bundle") ==
		   NULL);
	WRTC_CHECK_STREQ(json_string_value(json_object_get(
		json_array_get(json_object_get(q, "streams"), 1), "state")), "rejected");
	WRTC_CHECK_STREQ(json_string_value(json_object_get(
		json_array_get(json_object_get(q, "streams"), 0), "state")), "active");
	json_decref(q);
	del("bun2");

	/* A SIP peer offers audio + video to a browser: the gateway's offer
	 * bundles both on one port (mids 0 and 1); the browser's answer keeps
	 * the group and the leg gets its table. */
	r = offer("bun3", a = (free(a), sip_av_sdp(42000, 42002)), "sip", "webrtc", &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	txt = json_string_value(json_object_get(r, "sdp"));
	if (WRTC_CHECK(txt != NULL)) {
		WRTC_CHECK_EQ(count_of(txt, "a=group:BUNDLE 0 1\r\n"), 1);
		WRTC_CHECK_EQ(mline_port(txt, 0), mline_port(txt, 1));
		WRTC_CHECK_EQ(count_of(txt, "a=mid:1\r\n"), 1);
	}
	json_decref(r);
	sdp = chrome_av_sdp(41002, "active");
	r = rpc("answer", json_pack("{s:s, s:s, s:s, s:s}", "call_id", "bun3", "from_tag", "ft",
				    "to_tag", "tt", "sdp", sdp), &code, NULL, 0);
	WRTC_CHECK_EQ(code, 0);
	txt = json_string_value(json_object_get(r, "sdp"));
	if (WRTC_CHECK(txt != NULL)) {
		WRTC_CHECK_EQ(count_of(txt, "a=group"), 0);
		WRTC_CHECK_EQ(count_of(txt, "a=mid"), 0);
		WRTC_CHECK(mline_port(txt, 0) != mline_port(txt, 1));
	}
	json_decref(r);
	q = query("bun3");
	b = json_object_get(json_array_get(json_object_get(q, "legs"), 1), "bundle");
	if (WRTC_CHECK(b != NULL))
		WRTC_CHECK_EQ(json_array_size(json_object_get(b, "mids")), 2);
	WRTC_CHECK(json_object_get(json_array_get(json_object_get(json_array_get(
		json_object_get(q, "streams"), 1), "legs"), 1), "bundled") == json_true());
	json_decref(q);
	del("bun3");
	free(sdp);
	free(o);
	free(a);
	WRTC_CHECK_EQ(worker_streams(), 0);
	mgr_stop();
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"BUNDLE on a terminated WebRTC leg, SIP one port per m-line", test_bundle_terminated},
	{"bad offers release what they opened", test_bad_offers},
	{"stalled worker: refused, waited, nothing diverges", test_stalled_worker},
	{"media_timeout with ICE consent, hold_timeout", test_timeouts},
	{"a message the worker rejects marks the call degraded", test_degraded},
	{"a post that finds no room is lost loudly (degraded, ctrl_lost)", test_lost_post},
	{"statistics: the documented members, in order", test_statistics},
	{"bad params: -32602 naming the parameter", test_bad_params},
	{"offer, answer, re-offer, re-answer, delete: the worker follows", test_reoffer},
};

static int
setup(void)
{
	char *argv[] = {"test_session", "--no-huge", "-m", "256", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0-1", "--log-level", "*:error"};
	char name[32];
	int rc;

	rc = rte_eal_init((int)RTE_DIM(argv), argv);
	if (rc < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("test_mp", 8191, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	rxr[0] = rte_ring_create("srx0", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	for (int i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "stx%d", i);
		txr[i] = rte_ring_create(name, 4096, 0, 0);
	}
	if (mp == NULL || rxr[0] == NULL || txr[0] == NULL || txr[1] == NULL)
		return -1;
	rc = rte_eth_from_rings("net_ring_sess", rxr, 1, txr, 2, 0);
	if (rc < 0)
		return -1;
	memset(dp.iface_of_port, 0xff, sizeof(dp.iface_of_port));
	dp.nb_workers = 1;
	dp.nb_ifaces = 1;
	dp.mp = mp;
	snprintf(name, sizeof(name), "%d", rc);
	if (wrtc_port_open(name, 1, mp, &dp.port[0]) != 0)
		return -1;
	dp.iface_of_port[rc] = 0;
	dp.ifc[0].port_id = (uint16_t)rc;
	dp.ifc[0].mac = gw_mac;
	wrtc_net_addr_parse("10.0.0.2", &gw_ip);
	wrtc_net_addr_parse("10.0.0.1", &peer_ip);
	dp.ifc[0].ip4 = gw_ip;
	dp.ifc[0].ip4_prefix = 24;
	if (wrtc_net_iface_init(&dp.ifc[0]) != 0)
		return -1;
	dp.workers[0] = wrtc_worker_create(&dp, 0, 0);
	if (dp.workers[0] == NULL)
		return -1;
	return rte_eal_remote_launch(worker_loop, dp.workers[0], rte_get_next_lcore(-1, 1, 0));
}

int
main(void)
{
	int rc;

	if (setup() != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	rc = wrtc_test_main(cases, RTE_DIM(cases));
	__atomic_store_n(&quit, 1, __ATOMIC_RELEASE);
	rte_eal_mp_wait_lcore();
	return rc;
}
