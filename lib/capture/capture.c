/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pcapng files through rte_pcapng: the library formats each frame into an
 * Enhanced Packet Block (rte_pcapng_copy) and writes it (rte_pcapng_write_packets).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_pcapng.h>
#include <rte_version.h>

#include "wrtc_capture.h"

struct wrtc_capture {
	rte_pcapng_t *png;
	struct rte_mempool *mp;
	uint64_t packets;
	uint64_t lost;
	uint64_t start_ns;
	uint64_t per_port[RTE_MAX_ETHPORTS]; /* packets written per interface block */
	int error;
};

static uint64_t
wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct wrtc_capture *
wrtc_capture_open(const char *path, struct rte_mempool *mp, const char *comment)
{
	struct wrtc_capture *c = calloc(1, sizeof(*c));
	char os[2 * sizeof(((struct utsname *)0)->release)] = "", app[64];
	struct utsname u;
	int fd, e;

	if (c == NULL)
		return NULL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		e = errno;
		free(c);
		errno = e;
		return NULL;
	}
	if (uname(&u) == 0)
		snprintf(os, sizeof(os), "%.64s %.64s", u.sysname, u.release);
	snprintf(app, sizeof(app), "wrtcgw (%s)", rte_version());
	c->png = rte_pcapng_fdopen(fd, os, NULL, app, comment);
	if (c->png == NULL) {
		e = rte_errno ? rte_errno : EIO;
		close(fd);
		free(c);
		errno = e;
		return NULL;
	}
	c->mp = mp;
	c->start_ns = wall_ns();
	return c;
}

/* Enhanced Packet Block header (pcapng spec, section 4.3), as rte_pcapng_copy() lays it. */
struct epb_hdr {
	uint32_t block_type;
	uint32_t block_length;
	uint32_t interface_id;
	uint32_t timestamp_hi;
	uint32_t timestamp_lo;
};

int
wrtc_capture_write(struct wrtc_capture *c, const struct rte_mbuf *m, uint64_t ts_ns)
{
	struct rte_mbuf *copy;
	struct epb_hdr *epb;
	uint16_t port = m->port;

	if (c->error)
		return -EIO;
	/* A frame the gateway built itself (a transcoder's output) has no
	 * receiving port (RTE_MBUF_PORT_INVALID); rte_pcapng_write_packets()
	 * indexes its interface table by the copy's port, so such a frame is
	 * filed under the first interface block. */
	if (!rte_eth_dev_is_valid_port(port)) {
		uint16_t p;

		port = RTE_MAX_ETHPORTS;
		RTE_ETH_FOREACH_DEV(p) {
			port = p;
			break;
		}
		if (port == RTE_MAX_ETHPORTS) {
			c->lost++;
			return -ENODEV;
		}
	}
	copy = rte_pcapng_copy(port, 0, m, c->mp, UINT32_MAX, rte_get_tsc_cycles(),
			       RTE_PCAPNG_DIRECTION_IN);
	if (copy == NULL) {
		c->lost++;
		return -ENOMEM;
	}
	copy->port = port;
	/* DPDK 22.11 converts TSC cycles to wall-clock time with a wrong base
	 * (years off; test/capture checks the stamps), so the block gets the
	 * caller's wall-clock time in nanoseconds (the interface blocks say
	 * if_tsresol 9). */
	epb = rte_pktmbuf_mtod(copy, struct epb_hdr *);
	epb->timestamp_hi = (uint32_t)(ts_ns >> 32);
	epb->timestamp_lo = (uint32_t)ts_ns;
	/* DPDK 22.11's rte_pcapng_write_packets() leaves the copy to the caller
	 * (its header says otherwise; test/capture checks the pool count). */
	if (rte_pcapng_write_packets(c->png, &copy, 1) < 0) {
		rte_pktmbuf_free(copy);
		c->error = EIO;
		return -EIO;
	}
	rte_pktmbuf_free(copy);
	c->packets++;
	c->per_port[port]++;
	return 0;
}

uint64_t
wrtc_capture_packets(const struct wrtc_capture *c)
{
	return c->packets;
}

uint64_t
wrtc_capture_lost(const struct wrtc_capture *c)
{
	return c->lost;
}

int
wrtc_capture_close(struct wrtc_capture *c)
{
	uint64_t end_ns;
	uint16_t port;
	int rc;

	if (c == NULL)
		return 0;
	end_ns = wall_ns();
	RTE_ETH_FOREACH_DEV(port) {
		if (c->error || c->per_port[port] == 0)
			continue;
		if (rte_pcapng_write_stats(c->png, port, NULL, c->start_ns, end_ns,
					   c->per_port[port], c->lost) < 0)
			c->error = EIO;
	}
	rc = c->error ? -EIO : 0;
	/* rte_pcapng_close() closes the file descriptor. */
	rte_pcapng_close(c->png);
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
