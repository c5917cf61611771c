/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int
test_file(void)
{
	char path[] = "/tmp/wrtc-capture-XXXXXX";
	int fd = mkstemp(path);
	struct wrtc_capture *c;
	uint8_t buf[256];
	FILE *f;
	size_t n;

	close(fd);
	c = wrtc_capture_open(path);
	if (!WRTC_CHECK(c != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_capture_write(c, 1700000000123456ULL, frame4, sizeof(frame4)), 0);
	WRTC_CHECK_EQ(wrtc_capture_write(c, 1700000000223456ULL, frame4, sizeof(frame4)), 0);
	WRTC_CHECK_EQ(wrtc_capture_packets(c), 2);
	WRTC_CHECK_EQ(wrtc_capture_close(c), 0);
	f = fopen(path, "rb");
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	unlink(path);
	WRTC_CHECK_EQ(n, 24 + 2 * (16 + sizeof(frame4)));
	WRTC_CHECK_EQ(buf[0], 0xd4);                 /* little-endian magic a1b2c3d4 */
	WRTC_CHECK_EQ(buf[20], 1);                   /* linktype Ethernet */
	WRTC_CHECK_EQ(buf[24 + 4], 0x40);            /* usec 123456 = 0x01e240 */
	WRTC_CHECK_EQ(buf[24 + 8], sizeof(frame4));  /* incl_len */
	WRTC_CHECK(memcmp(buf + 40, frame4, sizeof(frame4)) == 0);
	WRTC_CHECK(wrtc_capture_open("/nonexistent-dir/x.pcap") == NULL);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"fix_lengths_ipv4", test_fix_v4},
	{"pcap_file", test_file},
};

WRTC_TEST_MAIN(cases)
