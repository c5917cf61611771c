/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The one list of reasons a worker drops a packet.
 *
 * WRTC_DROP_REASONS(X) expands X(ENUM_SUFFIX, "name") once per reason. It
 * generates enum wrtc_drop_reason, the names used by `statistics` and
 * telemetry, and sizes the per-lcore counter arrays. Add a reason here, never
 * a counter of its own elsewhere.
 */
#ifndef WRTC_DROP_H
#define WRTC_DROP_H

#define WRTC_DROP_REASONS(X) \
	X(NONE, "none") \
	X(TRUNCATED, "truncated") \
	X(ETHERTYPE, "unsupported-ethertype") \
	X(NOT_OURS_MAC, "not-our-mac") \
	X(NOT_OURS_IP, "not-our-address") \
	X(IP_HEADER, "bad-ip-header") \
	X(IP_CHECKSUM, "bad-ip-checksum") \
	X(IP_FRAGMENT, "ip-fragment") \
	X(IP_PROTO, "unsupported-ip-protocol") \
	X(UDP_LENGTH, "bad-udp-length") \
	X(UDP_CHECKSUM, "bad-udp-checksum") \
	X(ARP_BAD, "bad-arp") \
	X(ICMP_BAD, "bad-icmp") \
	X(ND_BAD, "bad-nd") \
	X(NO_FLOW, "no-stream-for-port") \
	X(NO_OUTPUT, "no-output-stream") \
	X(PAYLOAD_CLASS, "unknown-payload-class") \
	X(SOURCE, "unexpected-source") \
	X(SOURCE_LEARNING, "source-not-learned-yet") \
	X(SOURCE_WINDOW, "source-after-learning-window") \
	X(SOURCE_STALE, "stale-source-after-move") \
	X(NOT_STARTED, "stream-not-started") \
	X(RTP_HEADER, "bad-rtp-header") \
	X(RTCP_HEADER, "bad-rtcp-header") \
	X(PAYLOAD_TYPE, "unmapped-payload-type") \
	X(SRTP_AUTH, "srtp-auth-failed") \
	X(SRTP_REPLAY, "srtp-replay") \
	X(SRTP_OTHER, "srtp-error") \
	X(SRTP_TAILROOM, "srtp-no-tailroom") \
	X(TRANSCODE, "transcode-error") \
	X(RTP_LATE, "rtp-late-or-duplicate") \
	X(NO_MBUF, "no-mbuf") \
	X(POLICER, "policed") \
	X(PUNT_FULL, "punt-ring-full") \
	X(PUNT_SHARE, "punt-share-full") \
	X(HANDOFF_FULL, "handoff-ring-full") \
	X(NO_ROUTE, "no-neighbour") \
	X(NO_ICE_PAIR, "no-ice-pair-yet") \
	X(CONSENT, "consent-expired") \
	X(TX_FULL, "tx-queue-full") \
	X(HEADROOM, "no-headroom") \
	X(IP_SOURCE, "martian-source") \
	X(BUNDLE_UNKNOWN, "bundle-no-mline")

enum wrtc_drop_reason {
#define WRTC_DROP_ENUM(e, s) WRTC_DROP_##e,
	WRTC_DROP_REASONS(WRTC_DROP_ENUM)
#undef WRTC_DROP_ENUM
	WRTC_DROP_MAX
};

/** Name of a drop reason, as shown by `statistics`; "unknown" if out of range. */
static inline const char *
wrtc_drop_name(unsigned int r)
{
	static const char *const names[] = {
#define WRTC_DROP_NAME(e, s) s,
		WRTC_DROP_REASONS(WRTC_DROP_NAME)
#undef WRTC_DROP_NAME
	};
	return r < WRTC_DROP_MAX ? names[r] : "unknown";
}

#endif
