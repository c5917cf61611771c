/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/net against the Linux kernel: a net_tap port in a private network
 * namespace, the kernel on the other end of the tap. The kernel resolves us
 * with ARP and ND (so it must accept our ARP replies and neighbour
 * advertisements), pings us over IPv4 and IPv6, sends UDP datagrams that
 * wrtc_net_parse() must accept, and receives our replies through ordinary
 * sockets (so it must accept our IP and UDP checksums, in software and
 * offload modes). We also resolve the kernel with our own ARP requests and
 * neighbour solicitations.
 *
 * Needs root (CAP_NET_ADMIN for unshare(CLONE_NEWNET)), /dev/net/tun and
 * iproute2; exits 77 (skipped) without them. Nothing leaves the namespace.
 */
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "wrtc_net.h"
#include "wrtc_test.h"

#define TAP_IF "wrtctap0"

enum { SKIP = 77, MAX_HELD = 16 };

static struct rte_mempool *pool;
static struct wrtc_net_iface ifc;
static struct wrtc_net_neigh *neigh;
static struct rte_ether_addr kernel_mac;
static uint16_t port;
static unsigned int drops[WRTC_DROP_MAX];

/* UDP datagrams received by pump(), kept for the test to look at. */
static struct rte_mbuf *held[MAX_HELD];
static struct wrtc_net_pkt held_pi[MAX_HELD];
static unsigned int n_held;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
tx(struct rte_mbuf *m)
{
	if (rte_eth_tx_burst(port, 0, &m, 1) != 1)
		rte_pktmbuf_free(m);
}

/* Polls the port for @p ms, answering ARP/ND/ping and holding UDP, until @p want_udp held. */
static void
pump(uint64_t ms, unsigned int want_udp)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end && n_held < want_udp) {
		struct rte_mbuf *pkts[32];
		uint16_t n = rte_eth_rx_burst(port, 0, pkts, 32);

		for (uint16_t i = 0; i < n; i++) {
			struct rte_mbuf *m = pkts[i];
			struct wrtc_net_pkt pi;
			bool reply = false;
			int rc = wrtc_net_parse(&ifc, m, &pi);

			switch (rc) {
			case WRTC_NET_CLASS_UDP:
				if (n_held < MAX_HELD) {
					held_pi[n_held] = pi;
					held[n_held++] = m;
					continue;
				}
				break;
			case WRTC_NET_CLASS_ARP:
				rc = wrtc_net_arp_input(&ifc, m, neigh, now_ms(), &reply);
				break;
			case WRTC_NET_CLASS_ND_NS:
			case WRTC_NET_CLASS_ND_NA:
				rc = wrtc_net_nd_input(&ifc, m, neigh, now_ms(), &reply);
				break;
			case WRTC_NET_CLASS_ICMP4_ECHO:
			case WRTC_NET_CLASS_ICMP6_ECHO:
				rc = wrtc_net_icmp_echo_reply(&ifc, m);
				reply = rc == 0;
				break;
			default:
				break;
			}
			if (rc < 0 && -rc < WRTC_DROP_MAX)
				drops[-rc]++;
			if (reply)
				tx(m);
			else
				rte_pktmbuf_free(m);
		}
		if (n == 0)
			usleep(1000);
	}
}

static void
release_held(void)
{
	for (unsigned int i = 0; i < n_held; i++)
		rte_pktmbuf_free(held[i]);
	n_held = 0;
}

static int
udp_socket(int family, const char *addr, uint16_t p)
{
	struct sockaddr_storage ss;
	struct timeval tv = {.tv_sec = 2};
	socklen_t len;
	int fd = socket(family, SOCK_DGRAM, 0);

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
send_to(int fd, int family, const char *addr, uint16_t p, const void *buf, size_t n)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		inet_pton(AF_INET, addr, &s4->sin_addr);
		len = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		inet_pton(AF_INET6, addr, &s6->sin6_addr);
		len = sizeof(*s6);
	}
	return sendto(fd, buf, n, 0, (struct sockaddr *)&ss, len) == (ssize_t)n ? 0 : -1;
}

/*
 * The kernel sends a datagram from kaddr:6000 to our addr:5000 (resolving us
 * first); we answer it twice, with software and with offloaded checksums,
 * and the kernel's socket must receive both replies intact.
 */
static int
udp_exchange(int family, const char *kaddr, const char *our)
{
	static const char hello[] = "hello from the kernel";      /* 21 bytes: odd. */
	static const char pong[] = "pong!";
	char buf[256];
	struct wrtc_net_hdr_tmpl t;
	struct wrtc_net_addr want_src;
	struct sockaddr_storage from;
	struct rte_mbuf *copy;
	socklen_t flen;
	int fd = udp_socket(family, kaddr, 6000);
	ssize_t r;

	WRTC_CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	release_held();
	WRTC_CHECK_EQ(send_to(fd, family, our, 5000, hello, strlen(hello)), 0);
	pump(3000, 1);
	WRTC_CHECK_EQ(n_held, 1);
	if (n_held != 1) {
		close(fd);
		return 1;
	}
	WRTC_CHECK_EQ(wrtc_net_addr_parse(kaddr, &want_src), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&held_pi[0].src, &want_src));
	WRTC_CHECK_EQ(held_pi[0].src_port, 6000);
	WRTC_CHECK_EQ(held_pi[0].dst_port, 5000);
	WRTC_CHECK(rte_is_same_ether_addr(&held_pi[0].src_mac, &kernel_mac));

	copy = rte_pktmbuf_copy(held[0], pool, 0, UINT32_MAX);
	WRTC_CHECK(copy != NULL);
	for (int offload = 0; offload < 2; offload++) {
		struct rte_mbuf *m = offload ? copy : held[0];
		struct wrtc_net_pkt pi = held_pi[0];

		if (m == NULL)
			break;
		WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_reply(&t, &ifc, &pi), 0);
		WRTC_CHECK_EQ(wrtc_net_udp_strip(m, &pi), 0);
		WRTC_CHECK_EQ(rte_pktmbuf_data_len(m), strlen(hello));
		WRTC_CHECK(memcmp(rte_pktmbuf_mtod(m, char *), hello, strlen(hello)) == 0);
		rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m));
		memcpy(rte_pktmbuf_append(m, (uint16_t)strlen(pong)), pong, strlen(pong));
		WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, offload && ifc.tx_cksum_offload), 0);
		tx(m);

		flen = sizeof(from);
		r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		if (!WRTC_CHECK_EQ(r, (ssize_t)strlen(pong)))
			fprintf(stderr, "  no reply received (offload %d): %s\n", offload,
				r < 0 ? strerror(errno) : "short");
		else
			WRTC_CHECK(memcmp(buf, pong, strlen(pong)) == 0);
		if (family == AF_INET)
			WRTC_CHECK_EQ(ntohs(((struct sockaddr_in *)&from)->sin_port), 5000);
		else
			WRTC_CHECK_EQ(ntohs(((struct sockaddr_in6 *)&from)->sin6_port), 5000);
	}

	/*
	 * Control: the same reply with its UDP checksum broken must not
	 * arrive, or the two receptions above proved nothing.
	 */
	{
		struct timeval tv = {.tv_usec = 300000};
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint8_t *u;

		WRTC_CHECK(m != NULL);
		if (m != NULL) {
			memcpy(rte_pktmbuf_append(m, (uint16_t)strlen(pong)), pong, strlen(pong));
			WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
			u = rte_pktmbuf_mtod_offset(m, uint8_t *, t.size - 8);
			u[7] ^= 0x01;
			tx(m);
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			r = recv(fd, buf, sizeof(buf), 0);
			WRTC_CHECK_EQ(r, -1);
		}
	}
	held[0] = NULL;
	n_held = 0;
	close(fd);
	return 0;
}

static int
test_udp4(void)
{
	return udp_exchange(AF_INET, "192.0.2.2", "192.0.2.1");
}

static int
test_udp6(void)
{
	return udp_exchange(AF_INET6, "2001:db8::2", "2001:db8::1");
}

static int
test_ping4(void)
{
	struct sockaddr_in dst = {.sin_family = AF_INET};
	struct timeval tv = {.tv_sec = 2};
	uint8_t req[8 + 33] = {ICMP_ECHO, 0, 0, 0, 0x12, 0x34, 0, 1};
	uint8_t buf[512];
	uint32_t sum = 0;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	bool got = false;

	WRTC_CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (size_t i = 8; i < sizeof(req); i++)
		req[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(req); i += 2)
		sum += (uint32_t)req[i] << 8 | (i + 1 < sizeof(req) ? req[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	req[2] = (uint8_t)(~sum >> 8);
	req[3] = (uint8_t)~sum;
	inet_pton(AF_INET, "192.0.2.1", &dst.sin_addr);
	WRTC_CHECK(sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&dst, sizeof(dst)) ==
		   (ssize_t)sizeof(req));
	pump(300, 1);
	for (int tries = 0; tries < 4 && !got; tries++) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);
		size_t hl;

		if (r < 20)
			break;
		hl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)r != hl + sizeof(req) || buf[hl] != ICMP_ECHOREPLY)
			continue;       /* Our own request, seen by the raw socket. */
		got = true;
		WRTC_CHECK(memcmp(buf + hl + 4, req + 4, sizeof(req) - 4) == 0);
		/* The kernel hands raw sockets unchecked ICMP: verify the sums here. */
		sum = 0;
		for (size_t i = 0; i < hl; i += 2)
			sum += (uint32_t)buf[i] << 8 | buf[i + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		WRTC_CHECK_EQ(sum, 0xffff);
		sum = 0;
		for (size_t i = 0; i < sizeof(req); i += 2) {
			uint32_t lo = i + 1 < sizeof(req) ? buf[hl + i + 1] : 0;

			sum += (uint32_t)buf[hl + i] << 8 | lo;
		}
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		WRTC_CHECK_EQ(sum, 0xffff);
	}
	WRTC_CHECK(got);
	close(fd);
	return 0;
}

static int
test_ping6(void)
{
	struct sockaddr_in6 dst = {.sin6_family = AF_INET6};
	struct timeval tv = {.tv_sec = 2};
	uint8_t req[8 + 33] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0x43, 0x21, 0, 1};
	uint8_t buf[512];
	int fd = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
	bool got = false;

	WRTC_CHECK(fd >= 0);
	if (fd < 0)
		return 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (size_t i = 8; i < sizeof(req); i++)
		req[i] = (uint8_t)(i * 3);
	inet_pton(AF_INET6, "2001:db8::1", &dst.sin6_addr);
	/* The kernel fills the ICMPv6 checksum of raw sockets, and drops bad ones on receive. */
	WRTC_CHECK(sendto(fd, req, sizeof(req), 0, (struct sockaddr *)&dst, sizeof(dst)) ==
		   (ssize_t)sizeof(req));
	pump(300, 1);
	for (int tries = 0; tries < 8 && !got; tries++) {
		ssize_t r = recv(fd, buf, sizeof(buf), 0);

		if (r < 0)
			break;
		if ((size_t)r != sizeof(req) || buf[0] != ICMP6_ECHO_REPLY)
			continue;
		got = true;
		WRTC_CHECK(memcmp(buf + 4, req + 4, sizeof(req) - 4) == 0);
	}
	WRTC_CHECK(got);
	close(fd);
	return 0;
}

/* Our ARP request and neighbour solicitation resolve the kernel's MAC. */
static int
test_resolve_kernel(void)
{
	struct wrtc_net_addr k4, k6;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;

	WRTC_CHECK_EQ(wrtc_net_addr_parse("192.0.2.2", &k4), 0);
	WRTC_CHECK_EQ(wrtc_net_addr_parse("2001:db8::2", &k6), 0);
	wrtc_net_neigh_remove(neigh, &k4);
	wrtc_net_neigh_remove(neigh, &k6);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(neigh, &k4, now_ms(), &mac), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(neigh, &k6, now_ms(), &mac), -EAGAIN);
	m = wrtc_net_solicit(pool, &ifc, &k4);
	WRTC_CHECK(m != NULL);
	if (m != NULL)
		tx(m);
	m = wrtc_net_solicit(pool, &ifc, &k6);
	WRTC_CHECK(m != NULL);
	if (m != NULL)
		tx(m);
	for (int i = 0; i < 30; i++) {
		pump(50, MAX_HELD);
		if (wrtc_net_neigh_lookup(neigh, &k4, NULL) == 0 &&
		    wrtc_net_neigh_lookup(neigh, &k6, NULL) == 0)
			break;
	}
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(neigh, &k4, &mac), 0);
	WRTC_CHECK(rte_is_same_ether_addr(&mac, &kernel_mac));
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(neigh, &k6, &mac), 0);
	WRTC_CHECK(rte_is_same_ether_addr(&mac, &kernel_mac));
	release_held();
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"kernel sends udp over ipv4, accepts replies", test_udp4},
	{"kernel sends udp over ipv6, accepts replies", test_udp6},
	{"kernel pings ipv4", test_ping4},
	{"kernel pings ipv6", test_ping6},
	{"we resolve the kernel (arp, nd)", test_resolve_kernel},
};

static int
get_kernel_mac(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TAP_IF);
	rc = fd >= 0 ? ioctl(fd, SIOCGIFHWADDR, &ifr) : -1;
	if (fd >= 0)
		close(fd);
	if (rc != 0)
		return -1;
	memcpy(kernel_mac.addr_bytes, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int
port_setup(void)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	int rc;

	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_count_avail() < 1 || rte_eth_dev_info_get(port, &info) != 0)
		return -1;
	memset(&ifc, 0, sizeof(ifc));
	ifc.port_id = port;
	wrtc_net_iface_set_offloads(&ifc, &info);
	if (ifc.tx_cksum_offload)
		conf.txmode.offloads = WRTC_NET_TX_OFFLOADS;
	rc = rte_eth_dev_configure(port, 1, 1, &conf);
	if (rc == 0)
		rc = rte_eth_rx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL, pool);
	if (rc == 0)
		rc = rte_eth_tx_queue_setup(port, 0, 256, rte_eth_dev_socket_id(port), NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port);
	if (rc == 0)
		rc = rte_eth_macaddr_get(port, &ifc.mac);
	if (rc != 0)
		return rc;
	if (wrtc_net_addr_parse("192.0.2.1", &ifc.ip4) != 0 ||
	    wrtc_net_addr_parse("2001:db8::1", &ifc.ip6) != 0)
		return -1;
	ifc.ip4_prefix = 24;
	ifc.ip6_prefix = 64;
	return wrtc_net_iface_init(&ifc);
}

int
main(void)
{
	char *argv[] = {"test_net_tap", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level=lib.eal:error",
			"--log-level=pmd.net.tap:error", "--vdev=net_tap0,iface=" TAP_IF, NULL};
	struct wrtc_net_neigh_prm nprm = {
		.capacity = 64, .reachable_time = 60000, .retrans_time = 1000, .max_probes = 3,
	};
	int rc;

	if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 ||
	    system("ip -V >/dev/null 2>&1") != 0) {
		printf("skipped: needs root, /dev/net/tun and iproute2\n");
		return SKIP;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return SKIP;
	}
	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		printf("skipped: rte_eal_init with net_tap: %s\n", rte_strerror(rte_errno));
		return SKIP;
	}
	pool = rte_pktmbuf_pool_create("tap", 2047, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	neigh = wrtc_net_neigh_create(&nprm);
	if (pool == NULL || neigh == NULL || port_setup() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	/*
	 * The kernel side. net_tap gives the kernel interface the port's own
	 * MAC; a host sharing our MAC is refused (ARP_BAD), so change it.
	 */
	if (system("sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0"
		   " >/dev/null 2>&1; ip link set lo up && "
		   "ip link set " TAP_IF " address 02:00:5e:10:00:02 && "
		   "ip link set " TAP_IF " up && "
		   "ip addr add 192.0.2.2/24 dev " TAP_IF " && "
		   "ip -6 addr add 2001:db8::2/64 dev " TAP_IF " nodad") != 0) {
		fprintf(stderr, "ip address set-up failed\n");
		return 1;
	}
	if (get_kernel_mac() != 0 || rte_is_same_ether_addr(&kernel_mac, &ifc.mac)) {
		fprintf(stderr, "kernel MAC set-up failed\n");
		return 1;
	}
	printf("port checksum offload: %s\n", ifc.tx_cksum_offload ? "yes" : "no");
	rc = wrtc_test_main(cases, RTE_DIM(cases));
	if (rc != 0)
		for (unsigned int i = 1; i < WRTC_DROP_MAX; i++)
			if (drops[i])
				printf("  drops %s: %u\n", wrtc_drop_name(i), drops[i]);
	release_held();
	rte_eth_dev_stop(port);
	rte_eth_dev_close(port);
	wrtc_net_neigh_free(neigh);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
