/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_capture.h"

struct wrtc_capture {
	FILE *f;
	uint64_t packets;
	int error;
};

struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major;
	uint16_t minor;
	int32_t zone;
	uint32_t sigfigs;
	uint32_t snaplen;
	uint32_t linktype;
};

struct pcap_rec_hdr {
	uint32_t sec;
	uint32_t usec;
	uint32_t incl;
	uint32_t orig;
};

struct wrtc_capture *
wrtc_capture_open(const char *path)
{
	struct pcap_file_hdr h = {
		.magic = 0xa1b2c3d4, .major = 2, .minor = 4, .snaplen = 65535, .linktype = 1,
	};
	struct wrtc_capture *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->f = fopen(path, "wb");
	if (c->f == NULL || fwrite(&h, sizeof(h), 1, c->f) != 1) {
		int e = errno ? errno : EIO;

		if (c->f != NULL)
			fclose(c->f);
		free(c);
		errno = e;
		return NULL;
	}
	return c;
}

int
wrtc_capture_write(struct wrtc_capture *c, uint64_t ts_us, const uint8_t *frame, size_t len)
{
	struct pcap_rec_hdr r = {
		.sec = (uint32_t)(ts_us / 1000000), .usec = (uint32_t)(ts_us % 1000000),
		.incl = (uint32_t)len, .orig = (uint32_t)len,
	};

	if (c->error)
		return -EIO;
	if (len > 65535 || fwrite(&r, sizeof(r), 1, c->f) != 1 || fwrite(frame, len, 1, c->f) != 1) {
		c->error = EIO;
		return -EIO;
	}
	c->packets++;
	return 0;
}

uint64_t
wrtc_capture_packets(const struct wrtc_capture *c)
{
	return c->packets;
}

int
wrtc_capture_close(struct wrtc_capture *c)
{
	int rc;

	if (c == NULL)
		return 0;
	rc = fclose(c->f) != 0 || c->error ? -EIO : 0;
	free(c);
	return rc;
}

static uint16_t
csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int
wrtc_capture_fix_lengths(uint8_t *frame, size_t len)
{
	size_t l3 = 14, l4;
	uint16_t type;

	if (len < l3 + 20 + 8)
		return -EINVAL;
	type = (uint16_t)(frame[12] << 8 | frame[13]);
	if (type == 0x0800) {
		size_t ihl = (size_t)(frame[l3] & 0x0f) * 4;

		if ((frame[l3] >> 4) != 4 || ihl < 20 || len < l3 + ihl + 8 || frame[l3 + 9] != 17)
			return -EINVAL;
		put16(frame + l3 + 2, len - l3);
		frame[l3 + 10] = frame[l3 + 11] = 0;
		put16(frame + l3 + 10, csum16(frame + l3, ihl));
		l4 = l3 + ihl;
		put16(frame + l4 + 4, len - l4);
		frame[l4 + 6] = frame[l4 + 7] = 0;
		return 0;
	}
	if (type == 0x86dd) {
		if (len < l3 + 40 + 8 || (frame[l3] >> 4) != 6 || frame[l3 + 6] != 17)
			return -EINVAL;
		put16(frame + l3 + 4, len - l3 - 40);
		l4 = l3 + 40;
		put16(frame + l4 + 4, len - l4);
		return 0;
	}
	return -EINVAL;
}
