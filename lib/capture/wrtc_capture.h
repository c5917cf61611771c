/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * A pcap file writer for per-call packet capture (EAL-free).
 *
 * Records are whole Ethernet frames. wrtc_capture_fix_lengths() makes the
 * IP and UDP length fields of a frame agree with its size, for frames whose
 * payload was decrypted in place (SRTP is longer than the RTP inside).
 * The control lcore writes the files: the workers only copy packets to a ring.
 */
#ifndef WRTC_CAPTURE_H
#define WRTC_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

struct wrtc_capture;

/**
 * Create (truncate) a pcap file with link type Ethernet and microsecond
 * timestamps.
 * @return the writer, or NULL with errno set (from fopen/fwrite).
 */
struct wrtc_capture *wrtc_capture_open(const char *path);

/**
 * Append one frame.
 * @param ts_us  wall-clock time of the packet, in microseconds since the epoch.
 * @return 0, or -EIO (the file is then closed for further writes).
 */
int wrtc_capture_write(struct wrtc_capture *c, uint64_t ts_us, const uint8_t *frame, size_t len);

/** Packets written so far. */
uint64_t wrtc_capture_packets(const struct wrtc_capture *c);

/** Flush and close; NULL is fine. @return 0 or -EIO if data was lost. */
int wrtc_capture_close(struct wrtc_capture *c);

/**
 * Set the IPv4 total length (and header checksum), IPv6 payload length and
 * UDP length of an Ethernet/IP/UDP frame from @p len, and zero the UDP
 * checksum (IPv4) so tools do not flag the decrypted payload.
 * @return 0, or -EINVAL if the frame is not Ethernet + IPv4/IPv6 + UDP.
 */
int wrtc_capture_fix_lengths(uint8_t *frame, size_t len);

#endif
