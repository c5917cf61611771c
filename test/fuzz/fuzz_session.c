/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/session: JSON-RPC offer / answer / re-offer / delete
 * sequences through the real dispatcher and session manager, with one real
 * worker lcore behind a net_ring port (EAL: -l 0-1, no hugepages). The input
 * is a list of operations; each picks a call (four call-ids), a side, an SDP
 * template (browser offer, SIP offer, SDES offer, IPv6 offer, browser and SIP
 * answers) and a mutation of it (a line dropped, duplicated or replaced by
 * input bytes, the known-bad values: short ice-pwd, no fingerprint, md5
 * fingerprint, unparseable c=, bytes appended). Other operations send raw
 * JSON lines, query/list/statistics, and packets (STUN, DTLS or RTP bytes from
 * the input) from a stranger to every media port the gateway ever answered
 * with, which is what reaches a call the session freed too early.
 *
 * After the input every call is deleted and the gateway must be back where it
 * started: no call, no media port in use, every reply one line of JSON.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "wrtc_config.h"
#include "wrtc_net.h"
#include "wrtc_port.h"
#include "wrtc_rpc.h"
#include "wrtc_session.h"
#include "wrtc_worker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_CALLS = 4, MAX_PORTS = 64, OPS_MAX = 48, SDP_MAX = 8192 };

static const char config_fmt[] =
	"{\"interfaces\": [{\"name\": \"fz\", \"port\": %u, \"ipv4\": \"10.99.0.2/24\","
	" \"ipv6\": \"fd00:99::2/64\", \"media_port_min\": 20000, \"media_port_max\": 20099}],"
	" \"dtls_profiles\": [{\"name\": \"browser\", \"versions\": [\"1.2\"], \"role\": \"auto\","
	"  \"certificate\": \"generated\", \"fingerprint_hash\": \"sha-256\","
	"  \"handshake_timeout\": 20}],"
	" \"codec_entries\": ["
	"  {\"name\": \"opus\", \"codec\": \"opus\", \"payload_type\": 111, \"ptime\": 20,"
	"   \"channels\": 1, \"complexity\": 0},"
	"  {\"name\": \"pcmu\", \"codec\": \"PCMU\", \"payload_type\": 0, \"ptime\": 20},"
	"  {\"name\": \"pcma\", \"codec\": \"PCMA\", \"payload_type\": 8, \"ptime\": 20},"
	"  {\"name\": \"g722\", \"codec\": \"G722\", \"payload_type\": 9, \"ptime\": 20},"
	"  {\"name\": \"te-48k\", \"codec\": \"telephone-event\", \"clock\": 48000,"
	"   \"payload_type\": 126},"
	"  {\"name\": \"te-8k\", \"codec\": \"telephone-event\", \"clock\": 8000,"
	"   \"payload_type\": 101}],"
	" \"packet_service_profiles\": ["
	"  {\"name\": \"webrtc\", \"codecs\": [\"opus\", \"pcmu\", \"pcma\", \"te-48k\", \"te-8k\"],"
	"   \"transcode\": true, \"rtcp\": true, \"rtcp_mux\": true, \"srtp\": true,"
	"   \"dtls\": true, \"dtls_profile\": \"browser\"},"
	"  {\"name\": \"sip\", \"codecs\": [\"pcmu\", \"pcma\", \"g722\", \"te-8k\"],"
	"   \"transcode\": true, \"rtcp\": true, \"rtcp_mux\": false, \"srtp\": false},"
	"  {\"name\": \"sdes\", \"codecs\": [\"pcmu\", \"pcma\", \"te-8k\"],"
	"   \"transcode\": true, \"rtcp\": true, \"srtp\": true, \"sdes\": true}],"
	" \"trunk_groups\": ["
	"  {\"name\": \"webrtc\", \"interface\": \"fz\", \"kind\": \"webrtc\", \"ice\": \"lite\","
	"   \"address_type\": \"match\", \"packet_service_profile\": \"webrtc\","
	"   \"policing\": true},"
	"  {\"name\": \"sip\", \"interface\": \"fz\", \"kind\": \"sip\", \"ice\": \"none\","
	"   \"address_type\": \"match\", \"packet_service_profile\": \"sip\", \"policing\": true},"
	"  {\"name\": \"sdes\", \"interface\": \"fz\", \"kind\": \"sip\", \"ice\": \"none\","
	"   \"address_type\": \"match\", \"packet_service_profile\": \"sdes\"}],"
	" \"control\": {\"rpc_tcp\": \"127.0.0.1:0\", \"media_timeout\": 60, \"max_calls\": 8},"
	" \"workers\": {\"count\": 1}}";

/* The SDP templates. Offers: which trunk group sends them. */
enum kind { K_OFFER, K_ANSWER };
static const struct tmpl {
	enum kind kind;
	const char *tg; /* Trunk group of the side that sends it. */
	const char *sdp;
} tmpls[] = {
	{K_OFFER, "webrtc",
	 "v=0\r\no=- 7513341853229324260 3 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	 "a=group:BUNDLE 0\r\na=msid-semantic: WMS s\r\n"
	 "m=audio 60640 UDP/TLS/RTP/SAVPF 111 9 0 8 13 110 126\r\nc=IN IP4 10.99.0.1\r\n"
	 "a=rtcp:9 IN IP4 0.0.0.0\r\n"
	 "a=candidate:1 1 udp 2122260223 10.99.0.1 60640 typ host generation 0\r\n"
	 "a=candidate:2 1 udp 1686052607 203.0.113.9 61000 typ srflx raddr 10.99.0.1 rport 60640\r\n"
	 "a=ice-ufrag:Zq9x\r\na=ice-pwd:7hGq0P2kLmN4vB8xZ1cR5tYw\r\na=ice-options:trickle\r\n"
	 "a=fingerprint:sha-256 7A:49:1A:D2:68:22:5D:4D:4A:89:D3:96:27:D8:65:37:C9:E3:B8:16:"
	 "46:A2:D5:FF:3E:6F:16:FE:22:2B:A5:5B\r\n"
	 "a=setup:actpass\r\na=mid:0\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
	 "a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n"
	 "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:9 G722/8000\r\n"
	 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:13 CN/8000\r\n"
	 "a=rtpmap:110 telephone-event/48000\r\na=rtpmap:126 telephone-event/8000\r\n"
	 "a=ssrc:663647707 cname:nD4o/CML4uQr3qWV\r\n"},
	{K_OFFER, "sip",
	 "v=0\r\no=pbx 1000 1000 IN IP4 10.99.0.7\r\ns=Asterisk\r\nc=IN IP4 10.99.0.7\r\n"
	 "t=0 0\r\nm=audio 30000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\n"
	 "a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
	 "a=ptime:20\r\na=sendrecv\r\n"},
	{K_OFFER, "sdes",
	 "v=0\r\no=ua 5000 5000 IN IP4 10.99.0.20\r\ns=-\r\nc=IN IP4 10.99.0.20\r\nt=0 0\r\n"
	 "m=audio 16384 RTP/SAVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	 "a=rtcp-mux\r\n"
	 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^31\r\n"
	 "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^31\r\n"
	 "a=ptime:20\r\n"},
	{K_OFFER, "sip",
	 "v=0\r\no=phone 77 77 IN IP6 fd00:99::5\r\ns=-\r\nc=IN IP6 fd00:99::5\r\nt=0 0\r\n"
	 "m=audio 5004 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	 "a=fmtp:101 0-15\r\na=rtcp:5005 IN IP6 fd00:99::5\r\n"},
	{K_ANSWER, "sip",
	 "v=0\r\no=phone 1 2 IN IP4 10.99.0.8\r\ns=-\r\nc=IN IP4 10.99.0.8\r\nt=0 0\r\n"
	 "m=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
	 "a=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\na=sendrecv\r\n"},
	{K_ANSWER, "webrtc",
	 "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
	 "m=audio 9 UDP/TLS/RTP/SAVPF 111 126\r\nc=IN IP4 0.0.0.0\r\n"
	 "a=candidate:1 1 udp 2122260223 10.99.0.1 50000 typ host\r\n"
	 "a=ice-ufrag:Ab12\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
	 "a=fingerprint:sha-256 1B:E2:08:6E:3C:0D:6A:19:94:C8:1D:13:3C:C2:AA:41:42:3B:A8:30:"
	 "DE:5C:9E:3C:F7:6D:B1:08:C4:0A:8A:F1\r\n"
	 "a=setup:active\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
	 "a=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n"},
	{K_ANSWER, "sip",
	 "v=0\r\no=phone 1 3 IN IP4 10.99.0.8\r\ns=-\r\nc=IN IP4 10.99.0.8\r\nt=0 0\r\n"
	 "m=audio 40002 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=sendonly\r\n"},
	{K_ANSWER, "sdes",
	 "v=0\r\no=ua 5000 5001 IN IP4 10.99.0.20\r\ns=-\r\nc=IN IP4 10.99.0.20\r\nt=0 0\r\n"
	 "m=audio 16386 RTP/SAVP 0\r\na=rtcp-mux\r\n"
	 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"},
};
enum { N_TMPLS = sizeof(tmpls) / sizeof(tmpls[0]) };

/* Known-bad replacements for a whole line (the offer-failure paths). */
static const char *const bad_lines[] = {
	"a=ice-pwd:short",
	"a=fingerprint:md5 11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00",
	"c=IN IP4 999.1.1.1",
	"c=IN IP4 0.0.0.0",
	"m=audio 0 RTP/AVP 0",
	"a=setup:holdconn",
	"a=inactive",
	"m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\na=mid:1",
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:short",
	"a=ice-ufrag:",
};
enum { N_BAD = sizeof(bad_lines) / sizeof(bad_lines[0]) };

static struct rte_mempool *mp;
static struct rte_ring *rxr, *txr[2];
static struct wrtc_dataplane dp;
static struct wrtc_config *cfg;
static struct wrtc_session_mgr *mgr;
static struct wrtc_rpc_server *rpc;
static struct wrtc_net_addr gw_ip, x_ip;
static const struct rte_ether_addr x_mac = {{0x02, 0, 0, 0, 0, 0x77}};

/* Media ports the gateway answered with, during this input. */
static uint16_t ports[MAX_PORTS];
static unsigned int n_ports;

struct input {
	const uint8_t *p;
	size_t left;
};

static int
take(struct input *in)
{
	if (in->left == 0)
		return -1;
	in->left--;
	return *in->p++;
}

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_session: set-up failed: %s\n", what);
	abort();
}

static void
init_once(void)
{
	static bool done;
	char *argv[] = {"fuzz_session", "-l", "0-1", "--no-huge", "-m", "256", "--no-pci",
			"--no-shconf", "--no-telemetry", "--log-level", "*:crit"};
	char json[sizeof(config_fmt) + 16], err[WRTC_CONFIG_ERR_SIZE], name[16];
	unsigned int lcore;
	int rc, port_id;

	if (done)
		return;
	done = true;
	if (rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])), argv) < 0)
		die("EAL");
	if (rte_lcore_count() < 2)
		die("needs two lcores");
	mp = rte_pktmbuf_pool_create("fz_mp", 4095, 128, 0, RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	rxr = rte_ring_create("fz_rx", 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	txr[0] = rte_ring_create("fz_tx0", 1024, 0, RING_F_SC_DEQ);
	txr[1] = rte_ring_create("fz_tx1", 1024, 0, RING_F_SC_DEQ);
	if (mp == NULL || rxr == NULL || txr[0] == NULL || txr[1] == NULL)
		die("mempool/rings");
	port_id = rte_eth_from_rings("net_ring_fz", &rxr, 1, txr, 2, 0);
	if (port_id < 0)
		die("net_ring");
	snprintf(json, sizeof(json), config_fmt, (unsigned int)port_id);
	cfg = wrtc_config_load_string(json, strlen(json), ".", err, sizeof(err));
	if (cfg == NULL)
		die(err);
	memset(dp.iface_of_port, 0xff, sizeof(dp.iface_of_port));
	dp.nb_workers = 1;
	dp.nb_ifaces = 1;
	dp.mp = mp;
	snprintf(name, sizeof(name), "%d", port_id);
	if (wrtc_port_open(name, 1, mp, &dp.port[0]) != 0)
		die("port open");
	dp.iface_of_port[port_id] = 0;
	dp.ifc[0].port_id = (uint16_t)port_id;
	/* net_ring ports have no address of their own. */
	dp.ifc[0].mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, 0x02}};
	dp.port[0].mac = dp.ifc[0].mac;
	wrtc_net_addr_set_v4(&dp.ifc[0].ip4, cfg->interfaces[0].ipv4.s_addr);
	dp.ifc[0].ip4_prefix = cfg->interfaces[0].ipv4_prefix;
	wrtc_net_addr_set_v6(&dp.ifc[0].ip6, cfg->interfaces[0].ipv6.s6_addr);
	dp.ifc[0].ip6_prefix = cfg->interfaces[0].ipv6_prefix;
	if (wrtc_net_iface_init(&dp.ifc[0]) != 0)
		die("iface");
	gw_ip = dp.ifc[0].ip4;
	wrtc_net_addr_parse("10.99.0.77", &x_ip);
	dp.workers[0] = wrtc_worker_create(&dp, 0, 0);
	if (dp.workers[0] == NULL)
		die("worker");
	mgr = wrtc_session_mgr_create(&(struct wrtc_session_prm){.cfg = cfg, .dp = &dp, .mp = mp});
	rpc = wrtc_rpc_server_create(&(struct wrtc_rpc_server_prm){0});
	if (mgr == NULL || rpc == NULL)
		die("session manager / rpc");
	rc = wrtc_session_rpc_register(mgr, rpc);
	if (rc != 0)
		die("rpc register");
	lcore = rte_get_next_lcore(-1, 1, 0);
	if (rte_eal_remote_launch(wrtc_worker_main, dp.workers[0], lcore) != 0)
		die("worker launch");
}

/* Frames the gateway sent (ARP requests, STUN replies, relayed media): freed. */
static void
drain_tx(void)
{
	void *m;

	for (int i = 0; i < 2; i++)
		while (rte_ring_dequeue(txr[i], &m) == 0)
			rte_pktmbuf_free(m);
}

/* Runs the control lcore's loop until the worker has taken every injected frame. */
static void
settle(void)
{
	uint64_t end = rte_rdtsc() + rte_get_tsc_hz() / 5;

	do {
		wrtc_session_poll(mgr);
		drain_tx();
	} while (rte_ring_count(rxr) != 0 && rte_rdtsc() < end);
	for (int i = 0; i < 4; i++) {
		wrtc_session_poll(mgr);
		drain_tx();
	}
}

/* One request; the reply must be one line of JSON. Returns the parsed reply. */
static json_t *
call_rpc(const char *line, size_t len)
{
	char *reply = wrtc_rpc_server_handle_line(rpc, line, len);
	json_t *j;

	if (reply == NULL)
		return NULL; /* A notification (no id). */
	j = json_loads(reply, 0, NULL);
	if (j == NULL || strchr(reply, '\n') != NULL)
		__builtin_trap();
	free(reply);
	return j;
}

static json_t *
request(const char *method, json_t *params)
{
	static int id;
	json_t *req = json_pack("{s:s, s:s, s:o, s:i}", "jsonrpc", "2.0", "method", method,
				"params", params, "id", ++id);
	char *line = json_dumps(req, JSON_COMPACT);
	json_t *res;

	if (line == NULL)
		abort();
	res = call_rpc(line, strlen(line));
	free(line);
	json_decref(req);
	return res;
}

/* Remembers each "m=<media> <port>" of an SDP the gateway returned. */
static void
note_ports(json_t *reply)
{
	const char *sdp = json_string_value(json_object_get(json_object_get(reply, "result"),
							    "sdp"));

	for (const char *p = sdp; p != NULL && (p = strstr(p, "\nm=")) != NULL; p++) {
		const char *sp = strchr(p + 1, ' ');
		unsigned long port = sp ? strtoul(sp + 1, NULL, 10) : 0;
		bool known = false;

		for (unsigned int i = 0; i < n_ports; i++)
			known |= ports[i] == port;
		if (port == 0 || port > 65534 || known || n_ports == MAX_PORTS)
			continue;
		ports[n_ports++] = (uint16_t)port;
		ports[n_ports < MAX_PORTS ? n_ports++ : n_ports - 1] = (uint16_t)(port + 1);
	}
}

/*
 * The SDP of template @p t with mutation @p mut applied to line @p at: 0 none,
 * 1 drop it, 2 duplicate it, 3 a known-bad line instead, 4 input bytes instead,
 * 5 input bytes appended, 6 cut the SDP there, 7 every line ending a bare LF.
 */
static void
make_sdp(char *out, const struct tmpl *t, int mut, int at, int arg, struct input *in)
{
	const char *s = t->sdp;
	size_t o = 0;
	int line = 0;

	while (*s != '\0' && o < SDP_MAX - 512) {
		const char *eol = strstr(s, "\r\n");
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		bool here = line++ == at;

		if (here && mut == 6)
			break;
		if (!(here && (mut == 1 || mut == 3 || mut == 4))) {
			memcpy(out + o, s, len);
			o += len;
			o += (size_t)sprintf(out + o, mut == 7 ? "\n" : "\r\n");
		}
		if (here && mut == 2) {
			memcpy(out + o, s, len);
			o += len;
			o += (size_t)sprintf(out + o, "\r\n");
		}
		if (here && mut == 3)
			o += (size_t)sprintf(out + o, "%s\r\n", bad_lines[arg % N_BAD]);
		if (here && (mut == 4 || mut == 5)) {
			size_t n = (size_t)arg < in->left ? (size_t)arg : in->left;

			for (size_t k = 0; k < n; k++) {
				uint8_t c = in->p[k];

				/* JSON strings carry text: NUL and non-ASCII become '?'. */
				out[o++] = (c == 0 || c >= 0x80) ? '?' : (char)c;
			}
			in->p += n;
			in->left -= n;
			o += (size_t)sprintf(out + o, "\r\n");
		}
		s += len + (eol ? 2 : 0);
	}
	out[o] = '\0';
}

static void
op_offer_answer(int op, struct input *in)
{
	static char sdp[SDP_MAX];
	int c = take(in), t = take(in), mut = take(in), at = take(in), arg = take(in);
	char call_id[8];
	const struct tmpl *tp;
	json_t *params, *res;

	if (c < 0 || t < 0 || mut < 0 || at < 0 || arg < 0)
		return;
	c %= N_CALLS;
	snprintf(call_id, sizeof(call_id), "c%d", c);
	tp = &tmpls[t % N_TMPLS];
	make_sdp(sdp, tp, mut & 7, at % 40, arg, in);
	if (op == 0 || op == 2) {
		/* Offer from A (new call or re-offer) or, as a re-INVITE, from B. */
		const struct tmpl *peer = &tmpls[(mut >> 3) % N_TMPLS];
		bool from_b = op == 2 && (mut & 0x80);

		params = json_pack("{s:s, s:s, s:s, s:s, s:s}", "call_id", call_id, "from_tag",
				   from_b ? "tagB" : "tagA", "sdp", sdp, "ingress", tp->tg,
				   "egress", peer->tg);
		res = request("offer", params);
	} else {
		params = json_pack("{s:s, s:s, s:s, s:s}", "call_id", call_id, "from_tag", "tagA",
				   "to_tag", "tagB", "sdp", sdp);
		res = request("answer", params);
	}
	note_ports(res);
	json_decref(res);
}

static void
op_delete(struct input *in)
{
	int c = take(in);
	char call_id[8];

	if (c < 0)
		return;
	snprintf(call_id, sizeof(call_id), "c%d", c % N_CALLS);
	json_decref(request("delete", (c & 0x80) ? json_pack("{s:s, s:s}", "call_id", call_id,
							       "from_tag", "tagB")
						  : json_pack("{s:s}", "call_id", call_id)));
}

static void
op_query(struct input *in)
{
	static const char *const methods[] = {"query", "list", "statistics", "policers"};
	int c = take(in);
	char call_id[8];

	if (c < 0)
		return;
	snprintf(call_id, sizeof(call_id), "c%d", c % N_CALLS);
	json_decref(request(methods[(c >> 2) & 3], json_pack("{s:s}", "call_id", call_id)));
}

/* A raw line of input to the dispatcher. */
static void
op_raw(struct input *in)
{
	const uint8_t *nl = memchr(in->p, '\n', in->left);
	size_t len = nl ? (size_t)(nl - in->p) : in->left;

	json_decref(call_rpc((const char *)in->p, len));
	in->p += len + (nl ? 1 : 0);
	in->left -= len + (nl ? 1 : 0);
}

/* Queues a stranger's datagram to the gateway's media port @p dport. */
static void
send_to(uint16_t dport, const uint8_t *p, size_t len)
{
	struct wrtc_net_iface peer = {.mac = x_mac, .ip4 = x_ip, .ip4_prefix = 24};
	struct wrtc_net_hdr_tmpl t;
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
	char *dst;

	if (m == NULL)
		return;
	dst = rte_pktmbuf_append(m, (uint16_t)len);
	if (dst == NULL ||
	    wrtc_net_hdr_tmpl_init(&t, &peer, &x_ip, 5000, &gw_ip, dport, &dp.ifc[0].mac) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(dst, p, len);
	if (wrtc_net_udp_prepend(m, &t, false) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	m->port = dp.ifc[0].port_id;
	if (rte_ring_enqueue(rxr, m) != 0)
		rte_pktmbuf_free(m);
}

/*
 * A stranger's STUN request and DTLS record to every port of the media range:
 * whatever a call opened, answered or not (a failed offer returns no SDP), and
 * whatever the session freed, must take them as a counted drop.
 */
static void
probe_range(void)
{
	static const uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
	static const uint8_t dtls[13] = {22, 0xfe, 0xfd};
	const struct wrtc_config_interface *ci = &cfg->interfaces[0];

	for (uint32_t port = ci->media_port_min; port <= ci->media_port_max; port++) {
		send_to((uint16_t)port, (port & 1) ? dtls : stun, (port & 1) ? sizeof(dtls)
									: sizeof(stun));
		if (rte_ring_count(rxr) > 512)
			settle();
	}
	settle();
}

/* Input bytes as a datagram to one of the ports the gateway answered with (or
 * a port of its range when it answered none). */
static void
op_packet(struct input *in)
{
	int which = take(in), n = take(in);
	size_t len;

	if (which < 0 || n < 0)
		return;
	len = (size_t)n < in->left ? (size_t)n : in->left;
	send_to(n_ports ? ports[which % n_ports] : (uint16_t)(20000 + which % 100), in->p, len);
	settle();
	in->p += len;
	in->left -= len;
}

/*
 * Every call deleted, the gateway must hold nothing. A delete may be refused
 * as retryable (-32005: the worker has not released the streams yet, the call
 * goes on being removed), so it is repeated, as a controller would, for up to
 * 2 s.
 */
static void
check_clean(void)
{
	uint64_t end = rte_rdtsc() + 2 * rte_get_tsc_hz();
	json_t *st = NULL, *res, *ifc;

	for (;;) {
		for (int c = 0; c < N_CALLS; c++) {
			char call_id[8];

			snprintf(call_id, sizeof(call_id), "c%d", c);
			json_decref(request("delete", json_pack("{s:s}", "call_id", call_id)));
		}
		probe_range();
		json_decref(st);
		st = request("statistics", json_object());
		res = json_object_get(st, "result");
		ifc = json_array_get(json_object_get(res, "interfaces"), 0);
		if ((json_integer_value(json_object_get(res, "calls_active")) == 0 &&
		     json_integer_value(json_object_get(ifc, "media_ports_in_use")) == 0) ||
		    rte_rdtsc() > end)
			break;
		rte_delay_us_sleep(1000);
	}
	if (json_integer_value(json_object_get(res, "calls_active")) != 0) {
		fprintf(stderr, "fuzz_session: calls left after deleting every call\n");
		__builtin_trap();
	}
	if (json_integer_value(json_object_get(ifc, "media_ports_in_use")) != 0) {
		fprintf(stderr, "fuzz_session: %lld media ports still in use with no call\n",
			(long long)json_integer_value(json_object_get(ifc, "media_ports_in_use")));
		__builtin_trap();
	}
	json_decref(st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	int op;

	init_once();
	n_ports = 0;
	for (int k = 0; k < OPS_MAX && (op = take(&in)) >= 0; k++) {
		switch (op % 8) {
		case 0: /* Offer (new call or re-offer from A). */
		case 2: /* Re-offer, from A or B. */
			op_offer_answer(op % 8 == 0 ? 0 : 2, &in);
			break;
		case 1:
			op_offer_answer(1, &in);
			break;
		case 3:
			op_delete(&in);
			break;
		case 4:
			op_query(&in);
			break;
		case 5:
			op_raw(&in);
			break;
		case 6:
		case 7:
			op_packet(&in);
			break;
		}
		wrtc_session_poll(mgr);
	}
	probe_range();
	check_clean();
	return 0;
}
