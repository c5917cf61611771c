/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fast path's one error vocabulary (docs/lib/worker.rst, "Drop
 * reasons"): each helper lib/worker calls per packet in lib/net, lib/srtp
 * and lib/codec, seen through a thin inline wrapper that returns the drop
 * reason of lib/net/wrtc_drop.h, WRTC_DROP_NONE (0) on success. The
 * libraries keep their own convention for their other callers: lib/srtp and
 * lib/codec return -errno (they do not know the drop list), lib/net returns
 * the negated reason. Private to lib/worker.
 */
#ifndef WRTC_WORKER_DROP_H
#define WRTC_WORKER_DROP_H

#include <errno.h>
#include <stdbool.h>

#include "wrtc_codec.h"
#include "wrtc_drop.h"
#include "wrtc_net.h"
#include "wrtc_srtp.h"

_Static_assert(WRTC_DROP_NONE == 0, "the fast path tests drop reasons against 0");

/* lib/srtp's -errno as a drop reason. */
static inline unsigned int
srtp_drop_reason(int rc)
{
	switch (rc) {
	case 0:
		return WRTC_DROP_NONE;
	case -EBADMSG:
		return WRTC_DROP_SRTP_AUTH;
	case -EALREADY:
		return WRTC_DROP_SRTP_REPLAY;
	case -ENOBUFS:
		return WRTC_DROP_SRTP_TAILROOM;
	default:
		return WRTC_DROP_SRTP_OTHER;
	}
}

/* Unprotect SRTP or SRTCP in place; *len becomes the plain length. */
static inline unsigned int
drop_srtp_unprotect(struct wrtc_srtp *ctx, uint8_t *p, size_t *len, bool rtcp)
{
	return srtp_drop_reason(rtcp ? wrtc_srtp_unprotect_rtcp(ctx, p, len) :
				       wrtc_srtp_unprotect(ctx, p, len));
}

/* Protect RTP or RTCP in place, within @p cap bytes. */
static inline unsigned int
drop_srtp_protect(struct wrtc_srtp *ctx, uint8_t *p, size_t *len, size_t cap, bool rtcp)
{
	return srtp_drop_reason(rtcp ? wrtc_srtp_protect_rtcp(ctx, p, len, cap) :
				       wrtc_srtp_protect(ctx, p, len, cap));
}

/* Move the data of @p m to the UDP payload @p pi describes. */
static inline unsigned int
drop_udp_strip(struct rte_mbuf *m, const struct wrtc_net_pkt *pi)
{
	return (unsigned int)-wrtc_net_udp_strip(m, pi);
}

/* Write Ethernet, IP and UDP headers from @p t in front of @p m. */
static inline unsigned int
drop_udp_prepend(struct rte_mbuf *m, const struct wrtc_net_hdr_tmpl *t, bool cksum_offload)
{
	return (unsigned int)-wrtc_net_udp_prepend(m, t, cksum_offload);
}

/* Feed one RTP packet to a transcoder. */
static inline unsigned int
drop_xcoder_input(struct wrtc_codec_xcoder *x, const uint8_t *rtp, size_t size, uint64_t now_us)
{
	switch (wrtc_codec_xcoder_input(x, rtp, size, now_us)) {
	case 0:
		return WRTC_DROP_NONE;
	case -ENOMSG:
		return WRTC_DROP_PAYLOAD_TYPE;
	case -EALREADY:
		return WRTC_DROP_RTP_LATE;
	default:
		return WRTC_DROP_TRANSCODE;
	}
}

#endif /* WRTC_WORKER_DROP_H */
