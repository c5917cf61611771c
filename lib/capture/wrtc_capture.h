/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Per-call packet capture to pcapng files, written with DPDK's rte_pcapng.
 *
 * Records are whole Ethernet frames, one Enhanced Packet Block each, on the
 * interface block of the DPDK port the frame arrived on (rte_pcapng writes
 * one interface block per ethdev port when the file is opened).
 * wrtc_capture_fix_lengths() makes the IP and UDP length fields of a frame
 * agree with its size, for frames whose payload was decrypted in place (SRTP
 * is longer than the RTP inside). The control lcore writes the files: the
 * workers only copy packets to a ring.
 */
#ifndef WRTC_CAPTURE_H
#define WRTC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct wrtc_capture;

/**
 * Create (truncate) a pcapng file: section header block and one interface
 * block per ethdev port.
 * @param path     file to create (mode 0640).
 * @param mp       pool for the formatted copies rte_pcapng_copy() makes; each
 *                 copy is freed once written.
 * @param comment  section comment (for example the call-id), or NULL.
 * @return the writer, or NULL with errno set (from open(), or EIO/ENOMEM).
 */
struct wrtc_capture *wrtc_capture_open(const char *path, struct rte_mempool *mp,
				       const char *comment);

/**
 * Append one received frame. The mbuf is not consumed.
 * @param m    the frame; m->port names the interface block.
 * @param ts_ns  arrival time, wall clock, in nanoseconds since the epoch.
 * @return 0, -ENOMEM (no mbuf for the copy; the frame is counted as lost) or
 *   -EIO (the file is then closed for further writes).
 */
int wrtc_capture_write(struct wrtc_capture *c, const struct rte_mbuf *m, uint64_t ts_ns);

/** Packets written so far. */
uint64_t wrtc_capture_packets(const struct wrtc_capture *c);

/** Packets that could not be copied for writing (no mbuf). */
uint64_t wrtc_capture_lost(const struct wrtc_capture *c);

/**
 * Write an interface statistics block for each port seen, then close; NULL
 * is fine.
 * @return 0 or -EIO if data was lost.
 */
int wrtc_capture_close(struct wrtc_capture *c);

/**
 * Set the IPv4 total length (and header checksum), IPv6 payload length and
 * UDP length of an Ethernet/IP/UDP frame from @p len, and zero the UDP
 * checksum (IPv4) so tools do not flag the decrypted payload.
 * @return 0, or -EINVAL if the frame is not Ethernet + IPv4/IPv6 + UDP.
 */
int wrtc_capture_fix_lengths(uint8_t *frame, size_t len);

#endif
