/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * wrtc-trafficgen: emulates N calls against a running media relay (wrtcgw or
 * rtpengine) through ordinary UDP sockets, for end-to-end tests in a veth lab.
 *
 * Every call has two legs: the A side sends from A_ADDR to the relay's port
 * for leg A, the B side from B_ADDR to the relay's port for leg B, each at
 * 50 packets/s (20 ms ptime), the 2N streams spread evenly over the 20 ms.
 * All calls share the two local sockets (the relay sends every leg back to
 * the signalled address), and a received packet is attributed to its call by
 * the relay port it comes from.
 *
 * Media (-m):
 *   relay   PCMU (PT 0), 160-byte payload both ways; the payload carries the
 *           send time, so the latency of each packet is exact, and the SSRC
 *           and sequence number are checked.
 *   xcode   the A side sends Opus (PT 111, 48 kHz clock, browser-like 32
 *           kbit/s frames of a voiced signal), the B side PCMU; the relay
 *           transcodes. Latency is measured from the last packet sent the
 *           other way on that call (exact while it stays under 20 ms).
 *
 * It uses sendmmsg/recvmmsg and sleeps in ppoll() until the next send slot,
 * so it needs far less than a core for a few thousand calls; it reports how
 * late its own sends were, so a generator that cannot keep up is visible.
 *
 * Usage: wrtc-trafficgen -A ip:port -B ip:port -c CALLS_FILE [-m relay|xcode]
 *                        [-d seconds] [-w warm-up seconds] [-l linger seconds]
 *                        [-o PER_CALL_FILE]
 * The warm-up (1 s by default) runs the same traffic first and is not
 * counted, so the relays' set-up on the first packets (latching, codec
 * start) is not reported as loss. PER_CALL_FILE gets one line per call:
 * "index sent_a received_b sent_b received_a".
 * CALLS_FILE: one line per call, "RELAY_IP A_PORT B_PORT" (the relay's
 * address and ports for leg A and leg B, from the rewritten SDPs).
 * Prints one JSON object with sent/received/lost/latency.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <netinet/in.h>
#include <opus.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	MAX_CALLS = 20000,
	BURST = 64,
	PAYLOAD = 160,
	OPUS_PKTS = 250,
	PT_PCMU = 0,
	PT_OPUS = 111,
	MAGIC = 0x77677267, /* "wgrg" */
};

struct call {
	struct sockaddr_in relay[2]; /* Relay address for leg A, leg B. */
	uint16_t seq[2];
	uint32_t ts[2];
	uint64_t sent[2], received[2]; /* received[l]: arrived on leg l's socket. */
	uint64_t last_send_ns[2];
	uint16_t last_rx_seq[2];
	bool rx_any[2];
};

static struct call *calls;
static unsigned int nb_calls;
static int port_call[2][65536]; /* relay port -> call + 1, per leg */
static uint8_t opus_pkt[OPUS_PKTS][400];
static uint16_t opus_size[OPUS_PKTS];
static uint8_t pcmu[OPUS_PKTS][PAYLOAD];
static bool xcode;
static uint64_t phase_start_ns; /* Packets sent before this (warm-up) are not counted. */
static uint64_t *lat;
static size_t nb_lat, max_lat;
static uint64_t bad, reorder, dup_or_late;

#define MIN_U64(a, b) ((a) < (b) ? (a) : (b))

static uint64_t
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static int
parse_ep(const char *s, struct sockaddr_in *a)
{
	char host[64];
	const char *c = strrchr(s, ':');

	if (c == NULL || (size_t)(c - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(c - s));
	host[c - s] = 0;
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_port = htons((uint16_t)atoi(c + 1));
	return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
}

static double
voice(uint64_t n, double rate)
{
	double t = n / rate, f0 = 140 + 40 * sin(2 * M_PI * 0.7 * t), s = 0;

	for (int h = 1; h <= 20 && h * f0 < rate / 2; h++)
		s += (exp(-pow((h * f0 - 700) / 400, 2)) + 0.5 * exp(-pow((h * f0 - 1800) / 500, 2))) *
		     sin(2 * M_PI * h * f0 * t + h) / h;
	return 6000 * (0.5 + 0.5 * sin(2 * M_PI * 4 * t)) * s;
}

static uint8_t
ulaw(int16_t pcm)
{
	int sign = pcm < 0 ? 0x80 : 0, x = pcm < 0 ? -(int)pcm : pcm, exp = 7;

	x = (x > 32635 ? 32635 : x) + 0x84;
	for (int mask = 0x4000; (x & mask) == 0 && exp > 0; mask >>= 1)
		exp--;
	return (uint8_t)~(sign | exp << 4 | ((x >> (exp + 3)) & 0x0f));
}

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
		if (n <= 0)
			break;
		opus_size[i] = (uint16_t)n;
		for (unsigned int k = 0; k < PAYLOAD; k++)
			pcmu[i][k] = ulaw((int16_t)lrint(voice(i * 160ull + k, 8000)));
	}
	opus_encoder_destroy(e);
	return 0;
}

static int
load_calls(const char *path)
{
	FILE *f = fopen(path, "r");
	char ip[64];
	unsigned int pa, pb, line = 0;

	if (f == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	calls = calloc(MAX_CALLS, sizeof(*calls));
	while (calls != NULL && fscanf(f, "%63s %u %u", ip, &pa, &pb) == 3) {
		struct call *c = &calls[nb_calls];

		line++;
		if (nb_calls == MAX_CALLS || pa == 0 || pa > 65535 || pb == 0 || pb > 65535) {
			fprintf(stderr, "%s:%u: too many calls or bad port\n", path, line);
			fclose(f);
			return -1;
		}
		for (unsigned int l = 0; l < 2; l++) {
			c->relay[l].sin_family = AF_INET;
			c->relay[l].sin_port = htons((uint16_t)(l == 0 ? pa : pb));
			if (inet_pton(AF_INET, ip, &c->relay[l].sin_addr) != 1) {
				fprintf(stderr, "%s:%u: bad address '%s'\n", path, line, ip);
				fclose(f);
				return -1;
			}
			c->seq[l] = (uint16_t)(nb_calls * 31 + l * 7);
			c->ts[l] = nb_calls * 1000u;
		}
		port_call[0][pa] = (int)nb_calls + 1;
		port_call[1][pb] = (int)nb_calls + 1;
		nb_calls++;
	}
	fclose(f);
	if (nb_calls == 0) {
		fprintf(stderr, "%s: no calls\n", path);
		return -1;
	}
	return 0;
}

/* The next packet of call @p i on leg @p leg into @p buf; returns its size. */
static size_t
build(unsigned int i, unsigned int leg, uint8_t *buf, uint64_t t)
{
	struct call *c = &calls[i];
	bool opus = xcode && leg == 0;
	unsigned int k = c->seq[leg] % OPUS_PKTS;
	uint32_t ssrc = htonl(0x5000000u + 2 * i + leg), ts = htonl(c->ts[leg]);
	uint16_t seq = htons(c->seq[leg]);
	size_t n;

	buf[0] = 0x80;
	buf[1] = opus ? PT_OPUS : PT_PCMU;
	memcpy(buf + 2, &seq, 2);
	memcpy(buf + 4, &ts, 4);
	memcpy(buf + 8, &ssrc, 4);
	if (opus) {
		memcpy(buf + 12, opus_pkt[k], opus_size[k]);
		n = 12u + opus_size[k];
	} else {
		uint32_t magic = MAGIC;

		memcpy(buf + 12, pcmu[k], PAYLOAD);
		if (!xcode) {
			/* Relay: the payload carries the send time for exact latency. */
			memcpy(buf + 12, &magic, 4);
			memcpy(buf + 16, &t, 8);
		}
		n = 12u + PAYLOAD;
	}
	c->seq[leg]++;
	c->ts[leg] += opus ? 960 : 160;
	c->sent[leg]++;
	c->last_send_ns[leg] = t;
	return n;
}

static void
on_rx(unsigned int leg, const struct sockaddr_in *from, const uint8_t *p, size_t n, uint64_t t)
{
	int ci = port_call[leg][ntohs(from->sin_port)] - 1;
	struct call *c;
	uint16_t seq;

	if (ci < 0 || n < 12 || (p[0] & 0xc0) != 0x80) {
		bad++;
		return;
	}
	c = &calls[ci];
	if (!xcode && n >= 24) {
		uint64_t st;

		memcpy(&st, p + 16, 8);
		if (st < phase_start_ns)
			return; /* A warm-up packet that arrived late. */
	}
	seq = (uint16_t)(p[2] << 8 | p[3]);
	if (c->rx_any[leg] && (int16_t)(seq - c->last_rx_seq[leg]) <= 0) {
		dup_or_late++;
	} else {
		if (c->rx_any[leg] && seq != (uint16_t)(c->last_rx_seq[leg] + 1))
			reorder++;
		c->last_rx_seq[leg] = seq;
	}
	c->rx_any[leg] = true;
	c->received[leg]++;
	if (!xcode) {
		uint32_t magic, ssrc;
		uint64_t st;

		memcpy(&ssrc, p + 8, 4);
		memcpy(&magic, p + 12, 4);
		memcpy(&st, p + 16, 8);
		if (n != 12 + PAYLOAD || magic != MAGIC || ntohl(ssrc) != 0x5000000u + 2 * ci + 1 - leg) {
			bad++;
			return;
		}
		if (nb_lat < max_lat)
			lat[nb_lat++] = t - st;
	} else {
		/* Transcoded: PCMU towards B, Opus towards A. */
		if ((leg == 1 && ((p[1] & 0x7f) != PT_PCMU || n != 12 + PAYLOAD)) ||
		    (leg == 0 && (p[1] & 0x7f) != PT_OPUS)) {
			bad++;
			return;
		}
		if (nb_lat < max_lat)
			lat[nb_lat++] = t - c->last_send_ns[1 - leg];
	}
}

static void
drain(int fd, unsigned int leg)
{
	static uint8_t buf[BURST][1600];
	struct mmsghdr msgs[BURST];
	struct iovec iov[BURST];
	struct sockaddr_in from[BURST];
	int n;

	for (;;) {
		for (unsigned int k = 0; k < BURST; k++) {
			iov[k] = (struct iovec){buf[k], sizeof(buf[k])};
			msgs[k].msg_hdr = (struct msghdr){.msg_name = &from[k],
				.msg_namelen = sizeof(from[k]), .msg_iov = &iov[k], .msg_iovlen = 1};
		}
		n = recvmmsg(fd, msgs, BURST, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		uint64_t t = now_ns();

		for (int k = 0; k < n; k++)
			on_rx(leg, &from[k], buf[k], msgs[k].msg_len, t);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
open_sock(const struct sockaddr_in *a)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), sz = 16 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	if (bind(fd, (const struct sockaddr *)a, sizeof(*a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint64_t late_max, late_sum, send_err, total_slots;

static void
linger_drain(const int fd[2], double seconds)
{
	uint64_t end = now_ns() + (uint64_t)(seconds * 1e9);

	while (now_ns() < end) {
		struct pollfd pfd[2] = {{fd[0], POLLIN, 0}, {fd[1], POLLIN, 0}};

		poll(pfd, 2, 10);
		drain(fd[0], 0);
		drain(fd[1], 1);
	}
}

/* Send every call's packets for @p duration seconds, reading replies as they come. */
static void
run_phase(const int fd[2], double duration)
{
	uint64_t start, slot_ns, slot = 0;

	/* 2N slots per 20 ms: call i leg l sends at (2i + l) / 2N of each period. */
	slot_ns = 20000000ull / (2ull * nb_calls);
	total_slots = (uint64_t)(duration * 50) * 2ull * nb_calls;
	start = now_ns() + 10000000ull;
	phase_start_ns = start;
	while (slot < total_slots) {
		static uint8_t buf[2][BURST][1600];
		struct mmsghdr msgs[2][BURST];
		struct iovec iov[2][BURST];
		unsigned int nb[2] = {0, 0};
		uint64_t t = now_ns();
		struct pollfd pfd[2] = {{fd[0], POLLIN, 0}, {fd[1], POLLIN, 0}};

		while (slot < total_slots && start + slot * slot_ns <= t && nb[0] < BURST &&
		       nb[1] < BURST) {
			unsigned int i = (unsigned int)((slot / 2) % nb_calls), l = slot % 2;
			uint64_t late = t - (start + slot * slot_ns);
			size_t n = build(i, l, buf[l][nb[l]], t);

			late_sum += late;
			late_max = late > late_max ? late : late_max;
			iov[l][nb[l]] = (struct iovec){buf[l][nb[l]], n};
			msgs[l][nb[l]].msg_hdr = (struct msghdr){.msg_name = &calls[i].relay[l],
				.msg_namelen = sizeof(calls[i].relay[l]), .msg_iov = &iov[l][nb[l]],
				.msg_iovlen = 1};
			nb[l]++;
			slot++;
		}
		for (unsigned int l = 0; l < 2; l++) {
			unsigned int done = 0;

			while (done < nb[l]) {
				int r = sendmmsg(fd[l], msgs[l] + done, nb[l] - done, 0);

				if (r <= 0) {
					if (errno == EAGAIN || errno == ENOBUFS) {
						struct pollfd w = {fd[l], POLLOUT, 0};

						poll(&w, 1, 1);
						continue;
					}
					send_err += nb[l] - done;
					break;
				}
				done += (unsigned int)r;
			}
		}
		drain(fd[0], 0);
		drain(fd[1], 1);
		if (slot < total_slots) {
			int64_t wait = (int64_t)(start + slot * slot_ns) - (int64_t)now_ns();

			if (wait > 20000) {
				struct timespec ts = {0, wait - 10000};

				ppoll(pfd, 2, &ts, NULL);
			}
		}
	}
}

/* Forget what the warm-up counted (sequence numbers go on). */
static void
reset_counters(void)
{
	for (unsigned int i = 0; i < nb_calls; i++) {
		memset(calls[i].sent, 0, sizeof(calls[i].sent));
		memset(calls[i].received, 0, sizeof(calls[i].received));
	}
	nb_lat = 0;
	bad = reorder = dup_or_late = 0;
	late_max = late_sum = send_err = 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in local[2] = {0};
	const char *calls_path = NULL;
	double duration = 10, linger = 1, warmup = 1;
	const char *per_call = NULL;
	int fd[2], c;

	while ((c = getopt(argc, argv, "A:B:c:m:d:l:w:o:")) != -1) {
		switch (c) {
		case 'A':
		case 'B':
			if (parse_ep(optarg, &local[c == 'B']) != 0) {
				fprintf(stderr, "-%c: expected IPv4:port, got '%s'\n", c, optarg);
				return 2;
			}
			break;
		case 'c':
			calls_path = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "relay") != 0 && strcmp(optarg, "xcode") != 0) {
				fprintf(stderr, "-m: relay or xcode, got '%s'\n", optarg);
				return 2;
			}
			xcode = strcmp(optarg, "xcode") == 0;
			break;
		case 'd':
			duration = atof(optarg);
			break;
		case 'l':
			linger = atof(optarg);
			break;
		case 'w':
			warmup = atof(optarg);
			break;
		case 'o':
			per_call = optarg;
			break;
		default:
			fprintf(stderr, "usage: wrtc-trafficgen -A ip:port -B ip:port -c CALLS_FILE "
					"[-m relay|xcode] [-d seconds] [-w warm-up s] [-l linger s] "
					"[-o per-call file]\n");
			return 2;
		}
	}
	if (calls_path == NULL || local[0].sin_port == 0 || local[1].sin_port == 0 ||
	    duration <= 0 || duration > 3600) {
		fprintf(stderr, "need -A, -B, -c; -d in (0, 3600]\n");
		return 2;
	}
	if (load_calls(calls_path) != 0 || prepare_audio() != 0)
		return 1;
	fd[0] = open_sock(&local[0]);
	fd[1] = open_sock(&local[1]);
	if (fd[0] < 0 || fd[1] < 0) {
		fprintf(stderr, "socket/bind: %s\n", strerror(errno));
		return 1;
	}
	max_lat = (size_t)(duration * 100 * nb_calls) + 1024;
	lat = malloc(max_lat * sizeof(*lat));
	if (lat == NULL)
		return 1;
	if (warmup > 0) {
		run_phase(fd, warmup);
		linger_drain(fd, 1);
		reset_counters();
	}
	run_phase(fd, duration);
	linger_drain(fd, linger);
	if (per_call != NULL) {
		FILE *f = fopen(per_call, "w");

		for (unsigned int i = 0; f != NULL && i < nb_calls; i++)
			fprintf(f, "%u %llu %llu %llu %llu\n", i, (unsigned long long)calls[i].sent[0],
				(unsigned long long)MIN_U64(calls[i].received[1], calls[i].sent[0]),
				(unsigned long long)calls[i].sent[1],
				(unsigned long long)MIN_U64(calls[i].received[0], calls[i].sent[1]));
		if (f == NULL || fclose(f) != 0)
			fprintf(stderr, "%s: %s\n", per_call, strerror(errno));
	}
	{
		uint64_t sent = 0, recv = 0, sent_ab = 0, recv_ab = 0, calls_loss = 0;
		double us = 1e-3;

		for (unsigned int i = 0; i < nb_calls; i++) {
			/* A transcoded warm-up packet that arrives after the reset cannot be
			 * told apart: never count more than was sent in a direction. */
			uint64_t r_ab = MIN_U64(calls[i].received[1], calls[i].sent[0]);
			uint64_t r_ba = MIN_U64(calls[i].received[0], calls[i].sent[1]);

			sent += calls[i].sent[0] + calls[i].sent[1];
			recv += r_ab + r_ba;
			sent_ab += calls[i].sent[0];
			recv_ab += r_ab;
			calls_loss += calls[i].received[0] < calls[i].sent[1] ||
				      calls[i].received[1] < calls[i].sent[0];
		}
		qsort(lat, nb_lat, sizeof(*lat), cmp_u64);
		printf("{\"calls\": %u, \"media\": \"%s\", \"seconds\": %.1f, \"sent\": %llu, "
		       "\"received\": %llu, \"lost\": %lld, \"loss_pct\": %.4f, \"sent_a_to_b\": %llu, "
		       "\"received_a_to_b\": %llu, \"calls_with_loss\": %llu, \"bad\": %llu, "
		       "\"reordered\": %llu, \"dup_or_late\": %llu, \"send_errors\": %llu, "
		       "\"lat_p50_us\": %.1f, \"lat_p99_us\": %.1f, \"lat_p999_us\": %.1f, "
		       "\"lat_max_us\": %.1f, \"gen_late_mean_us\": %.1f, \"gen_late_max_us\": %.1f}\n",
		       nb_calls, xcode ? "xcode" : "relay", duration, (unsigned long long)sent,
		       (unsigned long long)recv, (long long)sent - (long long)recv,
		       sent ? 100.0 * ((double)sent - (double)recv) / (double)sent : 0.0,
		       (unsigned long long)sent_ab, (unsigned long long)recv_ab,
		       (unsigned long long)calls_loss, (unsigned long long)bad,
		       (unsigned long long)reorder, (unsigned long long)dup_or_late,
		       (unsigned long long)send_err,
		       nb_lat ? lat[nb_lat / 2] * us : 0, nb_lat ? lat[nb_lat * 99 / 100] * us : 0,
		       nb_lat ? lat[nb_lat * 999 / 1000] * us : 0, nb_lat ? lat[nb_lat - 1] * us : 0,
		       total_slots ? (double)late_sum / (double)total_slots * us : 0,
		       (double)late_max * us);
	}
	return 0;
}
