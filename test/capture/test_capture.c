/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "wrtc_capture.h"
#include "wrtc_test.h"

static const uint8_t frame4[] = {
	/* Ethernet */ 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00,
	/* IPv4, total length 60 (stale), checksum stale */
	0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 17, 0xde, 0xad, 10, 0, 0, 1, 10, 0, 0, 2,
	/* UDP 4000 -> 20000, length 40 (stale), checksum */
	0x0f, 0xa0, 0x4e, 0x20, 0, 40, 0x12, 0x34,
	/* 12 bytes of RTP header */
	0x80, 0, 0, 1, 0, 0, 0, 160, 0, 0, 0, 7,
};

static int
test_fix_v4(void)
{
	uint8_t f[sizeof(frame4)];
	uint32_t s = 0;

	memcpy(f, frame4, sizeof(f));
	WRTC_CHECK_EQ(wrtc_capture_fix_lengths(f, sizeof(f)), 0);
	WRTC_CHECK_EQ(f[16] << 8 | f[17], sizeof(f) - 14);
	WRTC_CHECK_EQ(f[38] << 8 | f[39], sizeof(f) - 34);
	WRTC_CHECK_EQ(f[40] << 8 | f[41], 0);
	for (int i = 14; i < 34; i += 2)
		s += (uint32_t)(f[i] << 8 | f[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	WRTC_CHECK_EQ(s, 0xffff);   /* header checksum verifies */
	f[12] = 0x88;
	WRTC_CHECK_EQ(wrtc_capture_fix_lengths(f, sizeof(f)), -22);
	WRTC_CHECK_EQ(wrtc_capture_fix_lengths(f, 20), -22);
	return 0;
}

static struct rte_mempool *mp;

static int
setup(void)
{
	char *argv[] = {"test_capture", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--vdev=net_null0",
			"--log-level", "*:warning"};

	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	mp = rte_pktmbuf_pool_create("cap", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	return mp != NULL && rte_eth_dev_count_avail() == 1 ? 0 : -1;
}

static struct rte_mbuf *
frame_mbuf(void)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

	if (m == NULL)
		return NULL;
	memcpy(rte_pktmbuf_append(m, sizeof(frame4)), frame4, sizeof(frame4));
	m->port = 0;
	return m;
}

/* The file is pcapng that libpcap reads back: frames, lengths, timestamps. */
static int
test_file(void)
{
	char path[] = "/tmp/wrtc-capture-XXXXXX";
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct wrtc_capture *c;
	struct rte_mbuf *m;
	uint64_t now = (uint64_t)time(NULL) * 1000000000ULL;
	unsigned int avail = rte_mempool_avail_count(mp);
	time_t wall = (time_t)(now / 1000000000ULL);
	uint8_t magic[4] = {0};
	pcap_t *pc;
	FILE *f;
	int fd = mkstemp(path), n = 0;

	close(fd);
	m = frame_mbuf();
	c = wrtc_capture_open(path, mp, "call-id test");
	if (!WRTC_CHECK(c != NULL && m != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_capture_write(c, m, now), 0);
	/* A frame the gateway built (transcoder output) has no receiving port. */
	m->port = RTE_MBUF_PORT_INVALID;
	WRTC_CHECK_EQ(wrtc_capture_write(c, m, now + 100000000000ULL), 0);
	WRTC_CHECK_EQ(wrtc_capture_packets(c), 2);
	WRTC_CHECK_EQ(wrtc_capture_close(c), 0);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(rte_mempool_avail_count(mp), avail);   /* every copy went back */

	f = fopen(path, "rb");
	if (WRTC_CHECK(f != NULL)) {
		WRTC_CHECK_EQ(fread(magic, 1, 4, f), 4);
		fclose(f);
	}
	WRTC_CHECK(memcmp(magic, "\x0a\x0d\x0d\x0a", 4) == 0);   /* section header block */
	pc = pcap_open_offline(path, errbuf);
	if (!WRTC_CHECK(pc != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		unlink(path);
		return -1;
	}
	WRTC_CHECK_EQ(pcap_datalink(pc), DLT_EN10MB);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		WRTC_CHECK_EQ(h->caplen, sizeof(frame4));
		WRTC_CHECK_EQ(h->len, sizeof(frame4));
		WRTC_CHECK(memcmp(data, frame4, sizeof(frame4)) == 0);
		if (!WRTC_CHECK(llabs((long long)h->ts.tv_sec - (long long)(wall + 100 * n)) <= 2))
			fprintf(stderr, "  packet %d at %ld, expected %ld\n", n, (long)h->ts.tv_sec,
				(long)(wall + 100 * n));
		n++;
	}
	WRTC_CHECK_EQ(n, 2);
	pcap_close(pc);
	unlink(path);
	WRTC_CHECK(wrtc_capture_open("/nonexistent-dir/x.pcapng", mp, NULL) == NULL);
	WRTC_CHECK_EQ(errno, ENOENT);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"fix_lengths_ipv4", test_fix_v4},
	{"pcapng_file", test_file},
};

int
main(void)
{
	if (setup() != 0) {
		fprintf(stderr, "EAL/net_null0 set-up failed\n");
		return 1;
	}
	return wrtc_test_main(cases, RTE_DIM(cases));
}
