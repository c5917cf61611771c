/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/ng without calls (no session manager): framing, cookie
 * echo, the reply cache, JSON requests, errors, the UDP socket on IPv4 and
 * IPv6 loopback, and the flags parser against config/default.json.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ng_priv.h"
#include "wrtc_config.h"
#include "wrtc_test.h"

static char out[WRTC_NG_MAX_REPLY];

static int
handle(struct wrtc_ng_server *srv, const char *msg)
{
	return wrtc_ng_server_handle(srv, msg, strlen(msg), out, sizeof(out));
}

static int
test_ping_and_cookie(void)
{
	struct wrtc_ng_server *srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){0});
	int n;

	WRTC_CHECK(srv != NULL);
	if (srv == NULL)
		return -1;
	n = handle(srv, "abc123 d7:command4:pinge");
	WRTC_CHECK_EQ(n, (int)strlen("abc123 d6:result4:ponge"));
	WRTC_CHECK(n > 0 && memcmp(out, "abc123 d6:result4:ponge", (size_t)n) == 0);
	/* Keys in any spelling and order. */
	n = handle(srv, "k2 d1:xi1e7:Command4:pinge");
	WRTC_CHECK(n > 0 && memcmp(out, "k2 d6:result4:ponge", (size_t)n) == 0);
	/* No cookie: nothing to answer with. */
	WRTC_CHECK_EQ(handle(srv, "d7:command4:pinge"), 0);
	WRTC_CHECK_EQ(handle(srv, " d7:command4:pinge"), 0);
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->malformed, 2);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
test_errors(void)
{
	struct wrtc_ng_server *srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){0});
	int n;

	n = handle(srv, "c1 d7:command10:frobnicatee");
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strstr(out, "6:result5:error") != NULL);
	WRTC_CHECK(strstr(out, "Unrecognized command 'frobnicate'") != NULL);
	n = handle(srv, "c2 d7:command4:ping");  /* truncated */
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strncmp(out, "c2 d", 4) == 0 && strstr(out, "malformed request") != NULL);
	n = handle(srv, "c3 li1ee");
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strstr(out, "not a dictionary") != NULL);
	n = handle(srv, "c4 d3:foo3:bare");
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strstr(out, "command: missing") != NULL);
	/* Without calls, an offer is an error, never a crash. */
	n = handle(srv, "c5 d7:command5:offer7:call-id1:x8:from-tag1:a3:sdp3:v=0e");
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strstr(out, "5:error") != NULL);
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->errors, 3);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
test_cache(void)
{
	struct wrtc_ng_server *srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){0});
	char first[256];
	int n, m;

	n = handle(srv, "same d7:command4:xyzze");
	WRTC_CHECK(n > 0 && n < (int)sizeof(first));
	memcpy(first, out, (size_t)n);
	/* A retransmission, even with another body, gets the first reply. */
	m = handle(srv, "same d7:command4:pinge");
	WRTC_CHECK_EQ(m, n);
	WRTC_CHECK(memcmp(first, out, (size_t)n) == 0);
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->retransmissions, 1);
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->errors, 1);
	/* Another cookie is handled. */
	m = handle(srv, "other d7:command4:pinge");
	WRTC_CHECK(m > 0 && strstr(out, "pong") != NULL);
	/* Many cookies: the table keeps working (oldest replaced). */
	for (unsigned int i = 0; i < 3 * WRTC_NG_CACHE_SLOTS; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "k%u d7:command4:pinge", i);
		WRTC_CHECK(handle(srv, msg) > 0);
	}
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->retransmissions, 1);
	/* Too small an output buffer. */
	WRTC_CHECK_EQ(wrtc_ng_server_handle(srv, "z d7:command4:pinge", 19, out, 4), -EMSGSIZE);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
test_json(void)
{
	struct wrtc_ng_server *srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){0});
	int n;

	n = handle(srv, "j1 {\"command\": \"ping\"}");
	WRTC_CHECK(n > 0 && memcmp(out, "j1 {\"result\":\"pong\"}", (size_t)n) == 0);
	n = handle(srv, "j2 {\"command\": ");
	out[n > 0 ? n : 0] = '\0';
	WRTC_CHECK(strstr(out, "malformed request: JSON") != NULL);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
udp_roundtrip(int family, const char *host)
{
	struct wrtc_ng_server *srv = wrtc_ng_server_create(
		&(struct wrtc_ng_server_prm){.host = host, .port = 0});
	struct sockaddr_storage ss = {0};
	struct pollfd pfd;
	char buf[256];
	socklen_t sl;
	ssize_t n;
	int fd, rc = -1;

	WRTC_CHECK(srv != NULL);
	if (srv == NULL)
		return -1;
	WRTC_CHECK(wrtc_ng_server_port(srv) != 0);
	fd = socket(family, SOCK_DGRAM, 0);
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(wrtc_ng_server_port(srv));
		inet_pton(AF_INET, host, &a->sin_addr);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(wrtc_ng_server_port(srv));
		inet_pton(AF_INET6, host, &a->sin6_addr);
		sl = sizeof(*a);
	}
	WRTC_CHECK_EQ(wrtc_ng_server_poll(srv), 0);  /* nothing yet, never blocks */
	WRTC_CHECK(sendto(fd, "u1 d7:command4:pinge", 20, 0, (struct sockaddr *)&ss, sl) == 20);
	/* Wait for the datagram to be readable, then poll the server once. */
	for (int i = 0; i < 200; i++) {
		int got = wrtc_ng_server_poll(srv);

		if (got > 0) {
			rc = 0;
			break;
		}
		pfd = (struct pollfd){.fd = fd, .events = 0};
		poll(&pfd, 1, 10);
	}
	WRTC_CHECK_EQ(rc, 0);
	pfd = (struct pollfd){.fd = fd, .events = POLLIN};
	WRTC_CHECK_EQ(poll(&pfd, 1, 2000), 1);
	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	WRTC_CHECK(n == 19 && memcmp(buf, "u1 d6:result4:ponge", 19) == 0);
	close(fd);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
test_udp(void)
{
	udp_roundtrip(AF_INET, "127.0.0.1");
	udp_roundtrip(AF_INET6, "::1");
	errno = 0;
	WRTC_CHECK(wrtc_ng_server_create(&(struct wrtc_ng_server_prm){.host = "nope"}) == NULL);
	WRTC_CHECK_EQ(errno, EINVAL);
	return 0;
}

/* control.allow_from on the ng socket: other sources get no reply and are counted. */
static int
test_allow_from(void)
{
	struct wrtc_rpc_acl acl = {0};
	struct wrtc_ng_server *srv;
	struct sockaddr_in to = {.sin_family = AF_INET}, me = {.sin_family = AF_INET};
	int in = socket(AF_INET, SOCK_DGRAM, 0), snd = socket(AF_INET, SOCK_DGRAM, 0);
	struct pollfd pfd;
	char buf[64];

	errno = 0;
	WRTC_CHECK(wrtc_ng_server_create(&(struct wrtc_ng_server_prm){.host = "0.0.0.0"}) == NULL);
	WRTC_CHECK_EQ(errno, EPERM);
	WRTC_CHECK_EQ(wrtc_rpc_acl_add(&acl, "127.0.0.2/32"), 0);
	srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){.host = "127.0.0.1",
								  .allow = &acl});
	WRTC_CHECK(srv != NULL);
	if (srv == NULL)
		return -1;
	to.sin_port = htons(wrtc_ng_server_port(srv));
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &me.sin_addr);
	WRTC_CHECK_EQ(bind(in, (struct sockaddr *)&me, sizeof(me)), 0);
	/* From 127.0.0.1 (not listed), then from 127.0.0.2 (listed). */
	WRTC_CHECK(sendto(snd, "a1 d7:command4:pinge", 20, 0, (struct sockaddr *)&to,
			  sizeof(to)) == 20);
	WRTC_CHECK(sendto(in, "a2 d7:command4:pinge", 20, 0, (struct sockaddr *)&to,
			  sizeof(to)) == 20);
	for (int i = 0, got = 0; i < 200 && got < 2; i++) {
		got += wrtc_ng_server_poll(srv);
		pfd = (struct pollfd){.fd = in, .events = 0};
		poll(&pfd, 1, 10);
	}
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->refused_source, 1);
	WRTC_CHECK_EQ(wrtc_ng_server_stats(srv)->requests, 1);
	pfd = (struct pollfd){.fd = in, .events = POLLIN};
	WRTC_CHECK_EQ(poll(&pfd, 1, 2000), 1);
	WRTC_CHECK(recv(in, buf, sizeof(buf), MSG_DONTWAIT) == 19 &&
		   memcmp(buf, "a2 d6:result4:ponge", 19) == 0);
	WRTC_CHECK(recv(snd, buf, sizeof(buf), MSG_DONTWAIT) < 0);
	close(in);
	close(snd);
	wrtc_ng_server_free(srv);
	return 0;
}

static int
test_flags(void)
{
	char err[WRTC_CONFIG_ERR_SIZE];
	struct wrtc_config *cfg = wrtc_config_load_file(WRTC_SOURCE_DIR "/config/default.json",
							err, sizeof(err));
	struct ng_offer_opts o;
	json_error_t je;
	json_t *req;

	WRTC_CHECK(cfg != NULL);
	if (cfg == NULL)
		return -1;
	req = json_loads("{\"command\": \"offer\","
			 " \"transport-protocol\": \"UDP/TLS/RTP/SAVPF\","
			 " \"ice\": \"force\", \"dtls\": \"passive\","
			 " \"rtcp-mux\": [\"demux\", \"accept\"],"
			 " \"replace\": [\"origin\", \"session-connection\"],"
			 " \"direction\": [\"lab\", \"lab\"],"
			 " \"codec\": {\"strip\": [\"PCMA\"], \"transcode\": [\"opus\"],"
			 " \"except\": [\"G722\"]},"
			 " \"supports\": [\"load limit\"],"
			 " \"flags\": [\"trust-address\", \"leftover\", \"ICE restart\"],"
			 " \"rtpp-flags\": \"SDES-off codec-mask-G722 address-family=IP6"
			 " loop-protect frobnicate=1\"}", 0, &je);
	WRTC_CHECK(req != NULL);
	WRTC_CHECK_EQ(ng_flags_parse(req, cfg, &o, err, sizeof(err)), 0);
	WRTC_CHECK_EQ(o.kind[1], WRTC_CONFIG_TRUNK_WEBRTC);
	WRTC_CHECK_EQ(o.kind[0], -1);
	WRTC_CHECK_EQ(o.ice, 1);
	WRTC_CHECK_EQ(o.profile[1].dtls, 1);
	WRTC_CHECK_EQ(o.profile[1].dtls_role, WRTC_CONFIG_DTLS_ROLE_PASSIVE);
	WRTC_CHECK_EQ(o.profile[1].rtcp_mux, 0);
	WRTC_CHECK_EQ(o.profile[0].rtcp_mux, 1);
	WRTC_CHECK_EQ(o.profile[1].sdes, 0);
	WRTC_CHECK_EQ(o.profile[1].address_type, WRTC_CONFIG_ADDR_IPV6);
	WRTC_CHECK_EQ(o.iface[0], 0);
	WRTC_CHECK_EQ(o.iface[1], 0);
	WRTC_CHECK_EQ(o.profile[1].n_strip, 2);
	WRTC_CHECK_STREQ(o.profile[1].strip[0], "PCMA");
	WRTC_CHECK_STREQ(o.profile[1].strip[1], "G722");
	WRTC_CHECK_EQ(o.profile[1].n_add, 1);
	WRTC_CHECK(o.load_limit);
	/* Unknown flags are named, never an error. */
	WRTC_CHECK(strstr(o.warning, "leftover") != NULL);
	WRTC_CHECK(o.loop_protect && strstr(o.warning, "loop-protect") == NULL);
	WRTC_CHECK(strstr(o.warning, "frobnicate=1") != NULL);
	WRTC_CHECK_EQ(o.profile[1].n_keep, 1);
	WRTC_CHECK_STREQ(o.profile[1].keep[0], "G722");
	WRTC_CHECK(strstr(o.warning, "trust-address") == NULL);
	WRTC_CHECK(o.ice_restart && strstr(o.warning, "ICE") == NULL);
	json_decref(req);

	req = json_loads("{\"rtpp-flags\": 7}", 0, &je);
	WRTC_CHECK_EQ(ng_flags_parse(req, cfg, &o, err, sizeof(err)), -EINVAL);
	json_decref(req);
	/* direction repeated in rtpp-flags: one word per leg. */
	req = json_loads("{\"rtpp-flags\": \"direction=nowhere direction=lab\"}", 0, &je);
	WRTC_CHECK_EQ(ng_flags_parse(req, cfg, &o, err, sizeof(err)), 0);
	WRTC_CHECK_EQ(o.iface[0], -1);
	WRTC_CHECK_EQ(o.iface[1], 0);
	WRTC_CHECK(strstr(o.warning, "\"nowhere\": not configured") != NULL);
	json_decref(req);
	req = json_loads("{\"flags\": [\"WebRTC\"], \"to-interface\": \"nowhere\"}", 0, &je);
	WRTC_CHECK_EQ(ng_flags_parse(req, cfg, &o, err, sizeof(err)), 0);
	WRTC_CHECK_EQ(o.kind[1], WRTC_CONFIG_TRUNK_WEBRTC);
	WRTC_CHECK_EQ(o.profile[1].rtcp_mux, 1);
	WRTC_CHECK_EQ(o.iface[1], -1);
	WRTC_CHECK(strstr(o.warning, "nowhere") != NULL);
	json_decref(req);
	wrtc_config_free(cfg);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"ping and cookie", test_ping_and_cookie},
	{"errors", test_errors},
	{"reply cache", test_cache},
	{"JSON dictionaries", test_json},
	{"UDP on IPv4 and IPv6 loopback", test_udp},
	{"control.allow_from", test_allow_from},
	{"flags", test_flags},
};

int
main(void)
{
	return wrtc_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
