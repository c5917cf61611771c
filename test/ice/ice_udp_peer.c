/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An ICE agent of lib/ice on a real UDP socket, for interoperability tests
 * against an independent implementation (test/ice/interop_aioice.py).
 *
 * Usage: ice_udp_peer lite|full controlling|controlled BIND_IP PORT SECONDS [CONSENT_S]
 *
 * CONSENT_S, if given, shortens consent freshness: checks every CONSENT_S/3
 * seconds, expiry after CONSENT_S, disconnected after CONSENT_S/2.
 *
 * Prints "LOCAL <ufrag> <pwd> <ip> <port>" and reads one line
 * "REMOTE <ufrag> <pwd> <lite 0|1> <ip> <port> [<ip> <port> ...]" on stdin.
 * Then it runs the agent for SECONDS: STUN goes to the agent, any other
 * datagram is echoed ("echo:" prefix) if the agent allows its source, else
 * counted as dropped. Events are printed as "EVENT ..." lines and a final
 * "STATUS key=value ..." line sums up.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wrtc_ice.h"
#include "wrtc_stun.h"

static int sock = -1;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const char *
fmt(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";
	unsigned int port = 0;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		port = ntohs(s4->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		port = ntohs(s6->sin6_port);
	}
	snprintf(buf, size, "%s:%u", ip, port);
	return buf;
}

static int
parse_addr(const char *ip, const char *port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(ip, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		return inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons((uint16_t)atoi(port));
	return inet_pton(AF_INET, ip, &s4->sin_addr) == 1 ? 0 : -1;
}

static socklen_t
sslen(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static int
on_send(void *opaque, const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	const uint8_t *buf, size_t len)
{
	(void)opaque;
	(void)local;
	if (sendto(sock, buf, len, 0, (const struct sockaddr *)remote, sslen(remote)) < 0)
		return -errno;
	return 0;
}

static void
on_event(void *opaque, const struct wrtc_ice_event *ev)
{
	char a[80];

	(void)opaque;
	switch (ev->type) {
	case WRTC_ICE_EVENT_STATE:
		printf("EVENT state %s\n", wrtc_ice_state_name(ev->state));
		break;
	case WRTC_ICE_EVENT_SELECTED_PAIR:
		printf("EVENT selected %s\n", fmt(ev->remote, a, sizeof(a)));
		break;
	case WRTC_ICE_EVENT_CONSENT_LOST:
		printf("EVENT consent-lost %s\n", fmt(ev->remote, a, sizeof(a)));
		break;
	case WRTC_ICE_EVENT_ROLE:
		printf("EVENT role %s\n", wrtc_ice_role_name(ev->role));
		break;
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct wrtc_ice_agent_prm prm = {0};
	struct wrtc_ice_cand local = {0};
	struct wrtc_ice_agent *ag;
	struct wrtc_ice_status st;
	char line[1024], ufrag[64], pwd[64], a[80];
	char *tok[40];
	int ntok = 0, lite;
	uint64_t end, echoed = 0, dropped = 0;

	if (argc != 6 && argc != 7) {
		fprintf(stderr,
			"usage: %s lite|full controlling|controlled IP PORT SECONDS [CONSENT_S]\n",
			argv[0]);
		return 2;
	}
	if (parse_addr(argv[3], argv[4], &local.addr) != 0)
		return 2;
	local.type = WRTC_ICE_CAND_HOST;
	sock = socket(local.addr.ss_family, SOCK_DGRAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&local.addr, sslen(&local.addr)) != 0) {
		perror("bind");
		return 1;
	}
	snprintf(ufrag, sizeof(ufrag), "wrtc%04x", (unsigned int)(now_us() & 0xffff));
	snprintf(pwd, sizeof(pwd), "wrtcpassword%016llx", (unsigned long long)now_us());
	prm.mode = strcmp(argv[1], "lite") == 0 ? WRTC_ICE_MODE_LITE : WRTC_ICE_MODE_FULL;
	prm.role = strcmp(argv[2], "controlling") == 0 ? WRTC_ICE_ROLE_CONTROLLING :
							 WRTC_ICE_ROLE_CONTROLLED;
	prm.ufrag = ufrag;
	prm.pwd = pwd;
	prm.tie_breaker = now_us() * 2654435761u;
	prm.local = &local;
	prm.n_local = 1;
	prm.send = on_send;
	prm.event = on_event;
	if (argc == 7) {
		uint64_t c = (uint64_t)atoi(argv[6]) * 1000000u;

		prm.consent_timeout_us = c;
		prm.consent_interval_us = c / 3;
		prm.disconnected_us = c / 2;
	}
	ag = wrtc_ice_agent_create(&prm);
	if (ag == NULL) {
		perror("wrtc_ice_agent_create");
		return 1;
	}
	printf("LOCAL %s %s %s %s\n", ufrag, pwd, argv[3], argv[4]);
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 1;
	for (char *p = strtok(line, " \n"); p != NULL && ntok < 40; p = strtok(NULL, " \n"))
		tok[ntok++] = p;
	if (ntok < 6 || strcmp(tok[0], "REMOTE") != 0) {
		fprintf(stderr, "bad REMOTE line\n");
		return 1;
	}
	lite = atoi(tok[3]);
	if (wrtc_ice_agent_set_remote_credentials(ag, tok[1], tok[2], lite) != 0) {
		fprintf(stderr, "bad remote credentials\n");
		return 1;
	}
	for (int i = 4; i + 1 < ntok; i += 2) {
		struct wrtc_ice_cand c = {.type = WRTC_ICE_CAND_HOST};

		if (parse_addr(tok[i], tok[i + 1], &c.addr) == 0)
			wrtc_ice_agent_add_remote_candidate(ag, &c);
	}
	wrtc_ice_agent_end_of_candidates(ag);

	end = now_us() + (uint64_t)atoi(argv[5]) * 1000000u;
	for (;;) {
		uint64_t now = now_us(), next = wrtc_ice_agent_next_tick(ag);
		struct pollfd pfd = {.fd = sock, .events = POLLIN};
		int timeout;

		if (now >= end)
			break;
		if (next > end)
			next = end;
		timeout = next > now ? (int)((next - now + 999) / 1000) : 0;
		if (poll(&pfd, 1, timeout) > 0) {
			uint8_t buf[2048], out[2100];
			struct sockaddr_storage from;
			socklen_t flen = sizeof(from);
			ssize_t n = recvfrom(sock, buf, sizeof(buf), 0, (struct sockaddr *)&from,
					     &flen);

			if (n > 0 && wrtc_stun_is_stun(buf, (size_t)n)) {
				wrtc_ice_agent_handle_stun(ag, &local.addr, &from, buf, (size_t)n,
							   now_us());
			} else if (n > 0 && wrtc_ice_agent_is_remote_allowed(ag, &from)) {
				memcpy(out, "echo:", 5);
				memcpy(out + 5, buf, (size_t)n);
				sendto(sock, out, (size_t)n + 5, 0, (struct sockaddr *)&from, flen);
				echoed++;
			} else if (n > 0) {
				dropped++;
			}
		}
		wrtc_ice_agent_tick(ag, now_us());
	}
	wrtc_ice_agent_status(ag, now_us(), &st);
	printf("STATUS state=%s local=%s remote=%s role=%s selected=%s consent=%d age_ms=%llu "
	       "echoed=%llu dropped=%llu rx_requests=%llu tx_checks=%llu tx_consent=%llu "
	       "bad_integrity=%llu role_conflicts=%llu\n",
	       wrtc_ice_state_name(st.state), wrtc_ice_mode_name(st.local_mode),
	       wrtc_ice_mode_name(st.remote_mode), wrtc_ice_role_name(st.role),
	       st.has_selected ? fmt(&st.selected_remote, a, sizeof(a)) : "-", st.consent,
	       (unsigned long long)(st.consent_age_us / 1000), (unsigned long long)echoed,
	       (unsigned long long)dropped, (unsigned long long)st.counters.rx_requests,
	       (unsigned long long)st.counters.tx_checks,
	       (unsigned long long)st.counters.tx_consent,
	       (unsigned long long)st.counters.rx_bad_integrity,
	       (unsigned long long)st.counters.role_conflicts);
	fflush(stdout);
	wrtc_ice_agent_free(ag);
	close(sock);
	return 0;
}
