/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/ha: the call record round-trips and its decoder refuses bad data; the
 * writer talks to a real redis-server (started here on a unix socket in a
 * private directory), counts the writes refused while Redis is down and
 * resyncs when it is back.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wrtc_ha.h"
#include "wrtc_test.h"

static void
fill(struct wrtc_ha_record *r, int n)
{
	struct wrtc_ha_stream *s;

	memset(r, 0, sizeof(*r));
	snprintf(r->call_id, sizeof(r->call_id), "call-%d@example", n);
	strcpy(r->node, "node-a");
	r->updated_ms = 1764684000123ULL;
	r->generation = 7;
	r->sdp_offer = strdup("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");
	r->sdp_answer = NULL;
	r->n_legs = 2;
	strcpy(r->legs[0].tag, "ft");
	strcpy(r->legs[0].trunk_group, "webrtc");
	r->legs[0].flags = 0x80000005;
	r->legs[0].n_streams = 1;
	s = &r->legs[0].streams[0];
	s->local_port = 30000;
	s->iface = 1;
	strcpy(s->remote_addr, "2001:db8::1");
	s->remote_port = 50000;
	s->learn = WRTC_HA_LEARN_LATCHED;
	s->srtp_in.present = true;
	strcpy(s->srtp_in.suite, "AES_CM_128_HMAC_SHA1_80");
	s->srtp_in.key_size = 30;
	for (int i = 0; i < 30; i++)
		s->srtp_in.key[i] = (uint8_t)(i * 7 + n);
	s->srtp_in.roc = 3;
	s->srtp_in.seq = 65535;
	s->srtp_in.srtcp_index = 12;
	s->srtp_out = s->srtp_in;
	s->srtp_out.roc = 0xffffffff;
	/* The SSRC of the state: given on one direction, absent on the other. */
	s->srtp_in.has_ssrc = true;
	s->srtp_in.ssrc = 0xfedcba98;
	strcpy(s->ice_lufrag, "abcd");
	strcpy(s->ice_lpwd, "0123456789012345678901");
	strcpy(s->ice_rufrag, "wxyz");
	strcpy(s->ice_rpwd, "zyxwvutsrqponmlkjihgfedcba");
	s->ice_selected = true;
	strcpy(s->ice_sel_addr, "2001:db8::1");
	s->ice_sel_port = 50000;
	s->dtls_role = WRTC_HA_DTLS_SERVER;
	s->dtls_connected = true;
	strcpy(s->dtls_local_fp, "sha-256 AA:BB");
	strcpy(s->dtls_remote_fp, "sha-256 CC:DD");
	s->dtls_ekm_size = 60;
	for (int i = 0; i < 60; i++)
		s->dtls_ekm[i] = (uint8_t)(255 - i);
	strcpy(s->codec, "opus");
	s->codec_pt = 111;
	s->codec_rate = 48000;
	s->codec_channels = 2;
	strcpy(r->legs[1].trunk_group, "pstn");
	r->legs[1].n_streams = 1;
	r->legs[1].streams[0].local_port = 30002;
	r->legs[1].streams[0].learn = WRTC_HA_LEARN_LEARNING;
}

static bool
same(const struct wrtc_ha_record *a, const struct wrtc_ha_record *b)
{
	struct wrtc_ha_record x = *a, y = *b;

	if ((a->sdp_offer == NULL) != (b->sdp_offer == NULL) ||
	    (a->sdp_offer != NULL && strcmp(a->sdp_offer, b->sdp_offer) != 0) ||
	    (a->sdp_answer == NULL) != (b->sdp_answer == NULL))
		return false;
	x.sdp_offer = y.sdp_offer = NULL;
	x.sdp_answer = y.sdp_answer = NULL;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

static int
test_roundtrip(void)
{
	struct wrtc_ha_record r, d;
	char err[256];
	char *text;

	fill(&r, 1);
	text = wrtc_ha_record_encode(&r);
	WRTC_CHECK(text != NULL);
	if (text == NULL)
		return -1;
	WRTC_CHECK_EQ(wrtc_ha_record_decode(text, strlen(text), &d, err, sizeof(err)), 0);
	WRTC_CHECK(same(&r, &d));
	WRTC_CHECK(strstr(text, "\"v\":1") != NULL);
	wrtc_ha_record_fini(&d);
	wrtc_ha_record_fini(&r);
	free(text);
	return 0;
}

static int
test_reject(void)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{"\"v\":1", "\"v\":2", "version 2"},
		{"\"v\":1", "\"v\":1,\"x\":1", "unknown key \"x\""},
		{"\"roc\":3", "\"roc\":-3", "legs[0].streams[0].srtp_in.roc: must be an integer"},
		{"\"seq\":65535", "\"seq\":65536", "srtp_in.seq: must be an integer 0..65535"},
		{"\"ssrc\":4275878552", "\"ssrc\":4294967296", "srtp_in.ssrc: must be an integer"},
		{"\"learn\":\"latched\"", "\"learn\":\"guessed\"", "unknown value \"guessed\""},
		{"\"role\":\"server\"", "\"role\":\"none\"", "written as no dtls object"},
		{"\"pt\":111", "\"pt\":128", "transcode.pt"},
		{"\"ekm\":\"ff", "\"ekm\":\"FF", "not lower-case hex"},
		{"\"call_id\":\"call-1@example\"", "\"call_id\":\"\"", "call_id is empty"},
		{"\"trunk_group\":\"webrtc\",", "", "missing key \"trunk_group\""},
		{"\"flags\":", "\"flags\":\"", "not JSON"},
	};
	struct wrtc_ha_record r, d;
	char err[256], *text;
	int bad = 0;

	fill(&r, 1);
	text = wrtc_ha_record_encode(&r);
	wrtc_ha_record_fini(&r);
	if (text == NULL)
		return -1;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[8192];
		const char *at = strstr(text, cases[i].from);
		size_t pre;

		if (!WRTC_CHECK(at != NULL))
			continue;
		pre = (size_t)(at - text);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, text, cases[i].to,
			 at + strlen(cases[i].from));
		err[0] = '\0';
		if (wrtc_ha_record_decode(buf, strlen(buf), &d, err, sizeof(err)) != -EINVAL ||
		    strstr(err, cases[i].msg) == NULL) {
			fprintf(stderr, "  case %zu: got \"%s\", want \"%s\"\n", i, err,
				cases[i].msg);
			bad++;
		}
	}
	free(text);
	WRTC_CHECK_EQ(wrtc_ha_record_decode("[1]", 3, &d, err, sizeof(err)), -EINVAL);
	WRTC_CHECK(strstr(err, "must be an object") != NULL);
	WRTC_CHECK_EQ(bad, 0);
	return 0;
}

/* ------------------------------------------------------------ with Redis */

static char dir[64];
static char sock[128];
static pid_t redis_pid = -1;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
redis_start(void)
{
	uint64_t end = now_ms() + 30000;

	redis_pid = fork();
	if (redis_pid < 0)
		return -1;
	if (redis_pid == 0) {
		execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock,
		       "--dir", dir, "--save", "", "--appendonly", "no", "--databases", "4", "--loglevel", "warning",
		       (char *)NULL);
		_exit(127);
	}
	while (now_ms() < end) {
		struct stat st;
		int status;

		if (stat(sock, &st) == 0)
			return 0;
		if (waitpid(redis_pid, &status, WNOHANG) == redis_pid) {
			redis_pid = -1;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

static void
redis_kill(void)
{
	if (redis_pid > 0) {
		kill(redis_pid, SIGKILL);
		waitpid(redis_pid, NULL, 0);
		redis_pid = -1;
		unlink(sock);
	}
}

struct owner {
	struct wrtc_ha_client *cl;
	int calls;       /* Calls this owner "has": call-0 .. call-(calls-1). */
	int resyncs;
};

static int
put_call(struct owner *o, int i)
{
	struct wrtc_ha_record r;
	char *text;
	int rc;

	fill(&r, i);
	text = wrtc_ha_record_encode(&r);
	wrtc_ha_record_fini(&r);
	if (text == NULL)
		return -ENOMEM;
	rc = wrtc_ha_client_put(o->cl, r.call_id, text, strlen(text));
	free(text);
	return rc;
}

static void
resync(void *arg)
{
	struct owner *o = arg;

	o->resyncs++;
	for (int i = 0; i < o->calls; i++)
		put_call(o, i);
}

/* Poll until cond(st) holds or 30 s pass. */
static bool
poll_until(struct wrtc_ha_client *cl, bool (*cond)(const struct wrtc_ha_client_stats *,
						    uint64_t), uint64_t want)
{
	uint64_t end = now_ms() + 30000;
	struct wrtc_ha_client_stats st;

	do {
		wrtc_ha_client_poll(cl, now_ms());
		wrtc_ha_client_stats(cl, &st);
		if (cond(&st, want))
			return true;
		usleep(1000);
	} while (now_ms() < end);
	return false;
}

static bool
is_up(const struct wrtc_ha_client_stats *st, uint64_t w)
{
	return st->connected;
}

static bool
is_down(const struct wrtc_ha_client_stats *st, uint64_t w)
{
	return !st->connected;
}

static bool
acked(const struct wrtc_ha_client_stats *st, uint64_t w)
{
	return st->acked >= w && st->pending == 0;
}

struct loaded {
	int n, bad;
};

static int
on_load(const char *call_id, const char *value, size_t len, void *arg)
{
	struct loaded *l = arg;
	struct wrtc_ha_record r;
	char err[256];

	if (wrtc_ha_record_decode(value, len, &r, err, sizeof(err)) != 0 ||
	    strcmp(r.call_id, call_id) != 0)
		l->bad++;
	else
		l->n++;
	wrtc_ha_record_fini(&r);
	return 0;
}

static int
test_redis(void)
{
	struct owner o = {0};
	struct wrtc_ha_client_prm prm = {
		.unix_path = sock, .db = 2, .prefix = "wrtc:node-a:", .expiry_s = 3600,
		.reconnect_ms = 50, .resync = resync, .arg = &o,
	};
	struct wrtc_ha_client_stats st;
	struct loaded l = {0};
	int rc, refused = 0;

	snprintf(dir, sizeof(dir), "/tmp/wrtc-test-ha.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sock, sizeof(sock), "%s/redis.sock", dir);
	if (redis_start() != 0) {
		fprintf(stderr, "  redis-server did not start (tools/install-deps)\n");
		return -1;
	}
	o.cl = wrtc_ha_client_create(&prm);
	WRTC_CHECK(o.cl != NULL);
	if (o.cl == NULL)
		goto out;
	WRTC_CHECK(poll_until(o.cl, is_up, 0));
	o.calls = 200;
	for (int i = 0; i < o.calls; i++)
		WRTC_CHECK_EQ(put_call(&o, i), 0);
	WRTC_CHECK(poll_until(o.cl, acked, 200));
	WRTC_CHECK_EQ(wrtc_ha_client_load(&prm, 5000, on_load, &l), 0);
	WRTC_CHECK_EQ(l.n, 200);
	WRTC_CHECK_EQ(l.bad, 0);
	/* Another node's database holds none of them. */
	prm.db = 3;
	l.n = 0;
	WRTC_CHECK_EQ(wrtc_ha_client_load(&prm, 5000, on_load, &l), 0);
	WRTC_CHECK_EQ(l.n, 0);
	prm.db = 2;
	/* A delete. */
	WRTC_CHECK_EQ(wrtc_ha_client_del(o.cl, "call-199@example"), 0);
	o.calls = 199;
	WRTC_CHECK(poll_until(o.cl, acked, 201));
	l.n = 0;
	WRTC_CHECK_EQ(wrtc_ha_client_load(&prm, 5000, on_load, &l), 0);
	WRTC_CHECK_EQ(l.n, 199);

	/* Redis goes away (and loses everything): writes are refused and counted. */
	redis_kill();
	WRTC_CHECK(poll_until(o.cl, is_down, 0));
	wrtc_ha_client_stats(o.cl, &st);
	for (int i = 0; i < 10; i++) {
		rc = put_call(&o, i);
		wrtc_ha_client_poll(o.cl, now_ms());
		refused += rc == -ENOTCONN || rc == -ENOBUFS;
	}
	WRTC_CHECK(refused > 0);
	{
		struct wrtc_ha_client_stats st2;

		wrtc_ha_client_stats(o.cl, &st2);
		WRTC_CHECK(st2.failed >= st.failed + (uint64_t)refused);
	}
	WRTC_CHECK(wrtc_ha_client_load(&prm, 1000, on_load, &l) < 0);
	/* Back (empty): the client reconnects and the owner rewrites its calls. */
	WRTC_CHECK_EQ(redis_start(), 0);
	WRTC_CHECK(poll_until(o.cl, is_up, 0));
	wrtc_ha_client_stats(o.cl, &st);
	WRTC_CHECK_EQ(o.resyncs, 1);
	WRTC_CHECK(st.connects >= 2);
	WRTC_CHECK(poll_until(o.cl, acked, st.acked + (st.pending ? 1 : 0)));
	{
		uint64_t end = now_ms() + 30000;

		do {
			wrtc_ha_client_poll(o.cl, now_ms());
			wrtc_ha_client_stats(o.cl, &st);
		} while (st.pending > 0 && now_ms() < end);
	}
	l.n = 0;
	l.bad = 0;
	WRTC_CHECK_EQ(wrtc_ha_client_load(&prm, 5000, on_load, &l), 0);
	WRTC_CHECK_EQ(l.n, 199);
	WRTC_CHECK_EQ(l.bad, 0);
out:
	wrtc_ha_client_free(o.cl);
	redis_kill();
	rmdir(dir);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"record_roundtrip", test_roundtrip},
	{"record_reject", test_reject},
	{"redis_write_outage_resync", test_redis},
};

WRTC_TEST_MAIN(cases)
