/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The packet layer: Ethernet, ARP, IPv4, IPv6 with neighbour discovery,
 * ICMP/ICMPv6 echo, and UDP with checksums.
 *
 * Workers use three inline functions from this header on every packet:
 * wrtc_net_parse() classifies a received frame and checks it (lengths,
 * addresses, IPv4 header and UDP checksums, honouring the RX offload flags);
 * wrtc_net_udp_strip() moves the mbuf data to the UDP payload; and
 * wrtc_net_udp_prepend() writes Ethernet, IP and UDP headers in front of a
 * payload from a per-stream template (struct wrtc_net_hdr_tmpl), with the
 * checksums in software or offloaded to the port.
 *
 * Everything else runs on the control lcore: the responders for ARP, ND and
 * ICMP echo (they turn the received mbuf into the reply in place), the
 * builders of ARP requests and neighbour solicitations, the neighbour table
 * and next-hop choice, and wrtc_net_hdr_tmpl_init().
 *
 * Mbufs must be single-segment on receive (a chained frame is dropped as
 * truncated). Nothing here allocates from the C heap, locks or logs on the
 * per-packet path.
 */
#ifndef WRTC_NET_H
#define WRTC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <rte_byteorder.h>
#include <rte_branch_prediction.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_ethdev.h>

#include "wrtc_drop.h"

#ifdef __cplusplus
extern "C" {
#endif

struct rte_eth_dev_info;
struct rte_mempool;

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */

/** An IPv4 or IPv6 address. Zero it before filling so it compares and hashes by bytes. */
struct wrtc_net_addr {
	union {
		rte_be32_t v4;          /**< IPv4 address, network order (family AF_INET). */
		uint8_t v6[16];         /**< IPv6 address (family AF_INET6). */
	};
	uint8_t family;                 /**< AF_INET, AF_INET6, or 0 for "no address". */
	uint8_t pad[3];                 /**< Zero. */
};

enum {
	/** Buffer size for wrtc_net_addr_format(): an IPv6 address and NUL. */
	WRTC_NET_ADDR_STRLEN = 48,
	/** Buffer size for wrtc_net_addr_port_format(): "[v6]:65535" and NUL. */
	WRTC_NET_ADDR_PORT_STRLEN = 56,
};

/** Sets @p a to the IPv4 address @p v4 (network order). */
static inline void
wrtc_net_addr_set_v4(struct wrtc_net_addr *a, rte_be32_t v4)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->v4 = v4;
}

/** Sets @p a to the IPv6 address @p v6 (16 bytes). */
static inline void
wrtc_net_addr_set_v6(struct wrtc_net_addr *a, const uint8_t v6[16])
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	memcpy(a->v6, v6, 16);
}

/** True if @p a and @p b are the same family and address. */
static inline bool
wrtc_net_addr_eq(const struct wrtc_net_addr *a, const struct wrtc_net_addr *b)
{
	if (a->family != b->family)
		return false;
	if (a->family == AF_INET)
		return a->v4 == b->v4;
	if (a->family == AF_INET6)
		return memcmp(a->v6, b->v6, 16) == 0;
	return true;
}

/**
 * Parses a textual IPv4 or IPv6 address (no port, no brackets).
 *
 * @param s   The text, e.g. "192.0.2.1" or "2001:db8::1".
 * @param a   Filled on success.
 * @return 0, or -EINVAL if @p s is neither.
 */
int wrtc_net_addr_parse(const char *s, struct wrtc_net_addr *a);

/**
 * Formats an address ("192.0.2.1", "2001:db8::1", or "-" for no address).
 *
 * @return The number of characters written (without NUL), or -ENOSPC if
 *   @p size is too small (the buffer then holds a truncated NUL-terminated text).
 */
int wrtc_net_addr_format(const struct wrtc_net_addr *a, char *buf, size_t size);

/**
 * Formats an address and port: "192.0.2.1:5004" or "[2001:db8::1]:5004".
 *
 * @param port  Host order.
 * @return As wrtc_net_addr_format().
 */
int wrtc_net_addr_port_format(const struct wrtc_net_addr *a, uint16_t port, char *buf,
			      size_t size);

/* ------------------------------------------------------------------------ */
/* Interface                                                                 */

/**
 * One DPDK port with its addresses. The control lcore fills it before the
 * workers start, then calls wrtc_net_iface_init(); it is read-only afterwards
 * and shared by every lcore.
 */
struct wrtc_net_iface {
	uint16_t port_id;               /**< DPDK port id. */
	struct rte_ether_addr mac;      /**< Our MAC address. */
	struct wrtc_net_addr ip4;       /**< Our IPv4 address; family 0 if none. */
	uint8_t ip4_prefix;             /**< IPv4 prefix length, 0..32. */
	struct wrtc_net_addr gw4;       /**< IPv4 gateway; family 0 if none (on-link only). */
	struct wrtc_net_addr ip6;       /**< Our IPv6 address; family 0 if none. */
	uint8_t ip6_prefix;             /**< IPv6 prefix length, 0..128. */
	struct wrtc_net_addr gw6;       /**< IPv6 gateway (may be link-local); family 0 if none. */
	/** Our EUI-64 link-local address, derived by wrtc_net_iface_init() when ip6 is set. */
	struct wrtc_net_addr ip6_ll;
	/**
	 * The port computes IPv4 header and UDP checksums on transmit; set by
	 * wrtc_net_iface_set_offloads(). The port must then be configured with
	 * WRTC_NET_TX_OFFLOADS in txmode.offloads.
	 */
	bool tx_cksum_offload;
};

/** TX offloads wrtc_net_udp_prepend() uses when csum_offload is true. */
#define WRTC_NET_TX_OFFLOADS (RTE_ETH_TX_OFFLOAD_IPV4_CKSUM | RTE_ETH_TX_OFFLOAD_UDP_CKSUM)

/**
 * Checks the fields the caller set and derives the rest (ip6_ll).
 *
 * @return 0, or -EINVAL if an address has the wrong family, a prefix is out
 *   of range, the MAC is multicast or zero, a gateway is given without an
 *   address of its family, or neither IPv4 nor IPv6 is set.
 */
int wrtc_net_iface_init(struct wrtc_net_iface *ifc);

/**
 * Sets tx_cksum_offload from the port's capabilities: true when the port has
 * both RTE_ETH_TX_OFFLOAD_IPV4_CKSUM and RTE_ETH_TX_OFFLOAD_UDP_CKSUM.
 */
void wrtc_net_iface_set_offloads(struct wrtc_net_iface *ifc, const struct rte_eth_dev_info *info);

/* ------------------------------------------------------------------------ */
/* Receive: classification                                                   */

/** What a received frame is, as returned by wrtc_net_parse(). */
enum wrtc_net_class {
	WRTC_NET_CLASS_UDP = 0,         /**< UDP to our IPv4 or IPv6 address, checked. */
	WRTC_NET_CLASS_ARP,             /**< ARP for us (request, reply, or gratuitous). */
	WRTC_NET_CLASS_ICMP4_ECHO,      /**< ICMP echo request to our IPv4 address. */
	WRTC_NET_CLASS_ICMP6_ECHO,      /**< ICMPv6 echo request to our IPv6 address. */
	WRTC_NET_CLASS_ND_NS,           /**< Neighbour solicitation (ICMPv6 135). */
	WRTC_NET_CLASS_ND_NA,           /**< Neighbour advertisement (ICMPv6 136). */
	WRTC_NET_CLASS_OTHER,           /**< Well-formed IP for us, another protocol/type. */
	WRTC_NET_CLASS_MAX
};

/**
 * What wrtc_net_parse() learnt about a frame. Offsets count from the start
 * of the mbuf data (the Ethernet header).
 */
struct wrtc_net_pkt {
	struct wrtc_net_addr src;       /**< IP source (ARP: sender protocol address). */
	struct wrtc_net_addr dst;       /**< IP destination (ARP: target protocol address). */
	uint16_t src_port;              /**< UDP source port, host order (UDP only). */
	uint16_t dst_port;              /**< UDP destination port, host order (UDP only). */
	uint16_t l3_off;                /**< Offset of the IP (or ARP) header. */
	uint16_t l4_off;                /**< Offset of the UDP/ICMP header (0 for ARP). */
	uint16_t payload_off;           /**< Offset of the UDP payload (UDP only). */
	uint16_t payload_len;           /**< UDP payload length (UDP only). */
	uint8_t proto;                  /**< IP protocol / IPv6 next header (0 for ARP). */
	uint8_t hop_limit;              /**< IPv4 TTL or IPv6 hop limit. */
	bool mcast;                     /**< Sent to a multicast IPv6 destination (ND). */
	struct rte_ether_addr src_mac;  /**< Ethernet source. */
};

/** @cond INTERNAL */
/* Inline helpers of wrtc_net_parse(); not part of the API. */

/* Solicited-node multicast (RFC 4291 2.7.1) of @p a: ff02::1:ffXX:XXXX. */
static inline bool
wrtc_net_is_snm_of(const uint8_t *ip, const struct wrtc_net_addr *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff};

	return a->family == AF_INET6 && memcmp(ip, pfx, 13) == 0 &&
	       memcmp(ip + 13, a->v6 + 13, 3) == 0;
}

static inline bool
wrtc_net_is_all_nodes(const uint8_t *ip)
{
	static const uint8_t an[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};

	return memcmp(ip, an, 16) == 0;
}

/* Accepts our MAC, broadcast, and the IPv6 multicast MACs of ND for us. */
static inline bool
wrtc_net_mac_accept(const struct wrtc_net_iface *ifc, const struct rte_ether_addr *d)
{
	const uint8_t *b = d->addr_bytes;

	if (rte_is_same_ether_addr(d, &ifc->mac) || rte_is_broadcast_ether_addr(d))
		return true;
	if (b[0] != 0x33 || b[1] != 0x33 || ifc->ip6.family != AF_INET6)
		return false;
	if (b[2] == 0xff)
		return memcmp(b + 3, ifc->ip6.v6 + 13, 3) == 0 ||
		       memcmp(b + 3, ifc->ip6_ll.v6 + 13, 3) == 0;
	return b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 1;
}

/* A source no host may use: 0/8, 127/8, multicast, class E and broadcast. */
static inline bool
wrtc_net_v4_martian(rte_be32_t a)
{
	uint8_t first = (uint8_t)(rte_be_to_cpu_32(a) >> 24);

	return first == 0 || first == 127 || first >= 224;
}

static inline bool
wrtc_net_v6_is_unspec(const uint8_t *ip)
{
	static const uint8_t z[16];

	return memcmp(ip, z, 16) == 0;
}

/* A source no host may use for UDP: multicast, unspecified, loopback. */
static inline bool
wrtc_net_v6_martian(const uint8_t *ip)
{
	static const uint8_t lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	return ip[0] == 0xff || wrtc_net_v6_is_unspec(ip) || memcmp(ip, lo, 16) == 0;
}

static inline int
wrtc_net_parse_udp(struct rte_mbuf *m, const uint8_t *p, uint32_t l4_len, struct wrtc_net_pkt *pi)
{
	const struct rte_udp_hdr *uh = (const struct rte_udp_hdr *)(p + pi->l4_off);
	uint16_t ulen;

	if (unlikely(l4_len < sizeof(*uh)))
		return -WRTC_DROP_TRUNCATED;
	ulen = rte_be_to_cpu_16(uh->dgram_len);
	if (unlikely(ulen != l4_len))
		return -WRTC_DROP_UDP_LENGTH;
	pi->src_port = rte_be_to_cpu_16(uh->src_port);
	pi->dst_port = rte_be_to_cpu_16(uh->dst_port);
	pi->payload_off = (uint16_t)(pi->l4_off + sizeof(*uh));
	pi->payload_len = (uint16_t)(ulen - sizeof(*uh));

	switch (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) {
	case RTE_MBUF_F_RX_L4_CKSUM_GOOD:
	case RTE_MBUF_F_RX_L4_CKSUM_NONE:
		return WRTC_NET_CLASS_UDP;
	case RTE_MBUF_F_RX_L4_CKSUM_BAD:
		return -WRTC_DROP_UDP_CHECKSUM;
	default:
		break;
	}
	if (pi->src.family == AF_INET) {
		if (uh->dgram_cksum == 0)
			return WRTC_NET_CLASS_UDP;
		if (unlikely(rte_ipv4_udptcp_cksum_verify(
				(const struct rte_ipv4_hdr *)(p + pi->l3_off), uh) != 0))
			return -WRTC_DROP_UDP_CHECKSUM;
	} else {
		/* RFC 8200 8.1: a zero UDP checksum is invalid over IPv6. */
		if (unlikely(uh->dgram_cksum == 0 ||
			     rte_ipv6_udptcp_cksum_verify(
				(const struct rte_ipv6_hdr *)(p + pi->l3_off), uh) != 0))
			return -WRTC_DROP_UDP_CHECKSUM;
	}
	return WRTC_NET_CLASS_UDP;
}

static inline int
wrtc_net_parse_ipv4(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, const uint8_t *p,
		    uint32_t len, struct wrtc_net_pkt *pi)
{
	const struct rte_ipv4_hdr *ih = (const struct rte_ipv4_hdr *)(p + pi->l3_off);
	uint32_t avail = len - pi->l3_off;
	uint32_t hlen, tlen;

	if (unlikely(avail < sizeof(*ih)))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely((ih->version_ihl >> 4) != 4))
		return -WRTC_DROP_IP_HEADER;
	hlen = (uint32_t)(ih->version_ihl & RTE_IPV4_HDR_IHL_MASK) * RTE_IPV4_IHL_MULTIPLIER;
	if (unlikely(hlen < sizeof(*ih)))
		return -WRTC_DROP_IP_HEADER;
	if (unlikely(avail < hlen))
		return -WRTC_DROP_TRUNCATED;

	switch (m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) {
	case RTE_MBUF_F_RX_IP_CKSUM_GOOD:
	case RTE_MBUF_F_RX_IP_CKSUM_NONE:
		break;
	case RTE_MBUF_F_RX_IP_CKSUM_BAD:
		return -WRTC_DROP_IP_CHECKSUM;
	default:
		if (unlikely(rte_raw_cksum(ih, hlen) != 0xffff))
			return -WRTC_DROP_IP_CHECKSUM;
		break;
	}

	tlen = rte_be_to_cpu_16(ih->total_length);
	if (unlikely(tlen < hlen))
		return -WRTC_DROP_IP_HEADER;
	if (unlikely(tlen > avail))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(ifc->ip4.family != AF_INET || ih->dst_addr != ifc->ip4.v4))
		return -WRTC_DROP_NOT_OURS_IP;
	if (unlikely(wrtc_net_v4_martian(ih->src_addr)))
		return -WRTC_DROP_IP_SOURCE;
	if (unlikely(ih->fragment_offset &
		     rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		return -WRTC_DROP_IP_FRAGMENT;

	wrtc_net_addr_set_v4(&pi->src, ih->src_addr);
	wrtc_net_addr_set_v4(&pi->dst, ih->dst_addr);
	pi->proto = ih->next_proto_id;
	pi->hop_limit = ih->time_to_live;
	pi->l4_off = (uint16_t)(pi->l3_off + hlen);

	if (likely(pi->proto == IPPROTO_UDP))
		return wrtc_net_parse_udp(m, p, tlen - hlen, pi);
	if (pi->proto == IPPROTO_ICMP) {
		if (unlikely(tlen - hlen < 8))
			return -WRTC_DROP_TRUNCATED;
		if (p[pi->l4_off] == RTE_IP_ICMP_ECHO_REQUEST)
			return WRTC_NET_CLASS_ICMP4_ECHO;
	}
	return WRTC_NET_CLASS_OTHER;
}

static inline int
wrtc_net_parse_ipv6(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, const uint8_t *p,
		    uint32_t len, struct wrtc_net_pkt *pi)
{
	const struct rte_ipv6_hdr *ih = (const struct rte_ipv6_hdr *)(p + pi->l3_off);
	uint32_t avail = len - pi->l3_off;
	uint32_t plen;
	uint8_t type;

	if (unlikely(avail < sizeof(*ih)))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely((rte_be_to_cpu_32(ih->vtc_flow) >> 28) != 6))
		return -WRTC_DROP_IP_HEADER;
	plen = rte_be_to_cpu_16(ih->payload_len);
	if (unlikely(plen == 0))
		return -WRTC_DROP_IP_HEADER;    /* Jumbogram or no payload. */
	if (unlikely(plen > avail - sizeof(*ih)))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(ifc->ip6.family != AF_INET6))
		return -WRTC_DROP_NOT_OURS_IP;

	pi->proto = ih->proto;
	pi->hop_limit = ih->hop_limits;
	pi->l4_off = (uint16_t)(pi->l3_off + sizeof(*ih));
	wrtc_net_addr_set_v6(&pi->src, ih->src_addr);
	wrtc_net_addr_set_v6(&pi->dst, ih->dst_addr);

	if (likely(memcmp(ih->dst_addr, ifc->ip6.v6, 16) == 0)) {
		if (likely(pi->proto == IPPROTO_UDP)) {
			if (unlikely(wrtc_net_v6_martian(ih->src_addr)))
				return -WRTC_DROP_IP_SOURCE;
			return wrtc_net_parse_udp(m, p, plen, pi);
		}
	} else if (memcmp(ih->dst_addr, ifc->ip6_ll.v6, 16) == 0) {
		if (pi->proto == IPPROTO_UDP)
			return -WRTC_DROP_NOT_OURS_IP;
	} else if (wrtc_net_is_snm_of(ih->dst_addr, &ifc->ip6) ||
		   wrtc_net_is_snm_of(ih->dst_addr, &ifc->ip6_ll) ||
		   wrtc_net_is_all_nodes(ih->dst_addr)) {
		if (pi->proto != IPPROTO_ICMPV6)
			return -WRTC_DROP_NOT_OURS_IP;
		pi->mcast = true;
	} else {
		return -WRTC_DROP_NOT_OURS_IP;
	}

	if (pi->proto == IPPROTO_FRAGMENT)
		return -WRTC_DROP_IP_FRAGMENT;
	if (pi->proto != IPPROTO_ICMPV6)
		return WRTC_NET_CLASS_OTHER;
	if (unlikely(plen < 4))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(ih->src_addr[0] == 0xff))
		return -WRTC_DROP_IP_SOURCE;
	type = p[pi->l4_off];
	if (type == 135)
		return WRTC_NET_CLASS_ND_NS;
	if (type == 136)
		return WRTC_NET_CLASS_ND_NA;
	if (pi->mcast)
		return WRTC_NET_CLASS_OTHER;    /* Including echo to a group: not answered. */
	if (type == 128)
		return WRTC_NET_CLASS_ICMP6_ECHO;
	return WRTC_NET_CLASS_OTHER;
}

static inline int
wrtc_net_parse_arp(const struct wrtc_net_iface *ifc, const struct rte_ether_hdr *eh,
		   const uint8_t *p, uint32_t len, struct wrtc_net_pkt *pi)
{
	/* struct rte_arp_hdr is 28 bytes: fixed part, sha, spa, tha, tpa. */
	const uint8_t *a = p + pi->l3_off;
	rte_be32_t spa, tpa;

	if (unlikely(len - pi->l3_off < 28))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(ifc->ip4.family != AF_INET))
		return -WRTC_DROP_NOT_OURS_IP;
	memcpy(&spa, a + 14, 4);
	memcpy(&tpa, a + 24, 4);
	wrtc_net_addr_set_v4(&pi->src, spa);
	wrtc_net_addr_set_v4(&pi->dst, tpa);
	/*
	 * For us: asks for our address, answers us (unicast to our MAC), or is
	 * gratuitous (sender announces its own address).
	 */
	if (tpa != ifc->ip4.v4 && spa != tpa && !rte_is_same_ether_addr(&eh->dst_addr, &ifc->mac))
		return -WRTC_DROP_NOT_OURS_IP;
	return WRTC_NET_CLASS_ARP;
}
/** @endcond */

/**
 * Classifies and checks a received frame. Runs on workers and the control
 * lcore; reads nothing outside the mbuf's first segment and writes only @p pi.
 *
 * Checks, in order: one segment, Ethernet length, destination MAC (ours,
 * broadcast, or the ND multicast of our IPv6 addresses), ethertype (IPv4,
 * IPv6, ARP; VLAN tags, stripped or not, are unsupported), then the IP header
 * (version, IHL, IPv4 header checksum unless RX offload says good, total or
 * payload length against the frame), destination address (ours; IPv6 also the
 * solicited-node and all-nodes groups, for ICMPv6 only), a usable source
 * address, fragments, and for UDP the length against the IP length and the
 * checksum (when non-zero over IPv4, always over IPv6; RX offload flags GOOD
 * or NONE skip it, BAD drops). ICMP and ND bodies are checked by their
 * responders on the control lcore.
 *
 * @param ifc  The interface the frame arrived on.
 * @param m    The frame; data starts at the Ethernet header. Not modified.
 * @param pi   Filled; fields not meaningful for the class are zero.
 * @return A non-negative enum wrtc_net_class, or the negative of an enum
 *   wrtc_drop_reason: TRUNCATED (frame shorter than a header or than the IP
 *   length says, or chained mbuf), NOT_OURS_MAC, ETHERTYPE, IP_HEADER,
 *   IP_CHECKSUM, NOT_OURS_IP, IP_SOURCE, IP_FRAGMENT, UDP_LENGTH, UDP_CHECKSUM.
 */
static inline int
wrtc_net_parse(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, struct wrtc_net_pkt *pi)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint32_t len = rte_pktmbuf_data_len(m);
	const struct rte_ether_hdr *eh = (const struct rte_ether_hdr *)p;
	uint16_t type;

	memset(pi, 0, sizeof(*pi));
	if (unlikely(rte_pktmbuf_pkt_len(m) != len))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(len < sizeof(*eh)))
		return -WRTC_DROP_TRUNCATED;
	if (unlikely(!wrtc_net_mac_accept(ifc, &eh->dst_addr)))
		return -WRTC_DROP_NOT_OURS_MAC;
	if (unlikely(m->ol_flags & RTE_MBUF_F_RX_VLAN_STRIPPED))
		return -WRTC_DROP_ETHERTYPE;
	rte_ether_addr_copy(&eh->src_addr, &pi->src_mac);
	pi->l3_off = sizeof(*eh);
	type = rte_be_to_cpu_16(eh->ether_type);
	if (likely(type == RTE_ETHER_TYPE_IPV4))
		return wrtc_net_parse_ipv4(ifc, m, p, len, pi);
	if (type == RTE_ETHER_TYPE_IPV6)
		return wrtc_net_parse_ipv6(ifc, m, p, len, pi);
	if (type == RTE_ETHER_TYPE_ARP)
		return wrtc_net_parse_arp(ifc, eh, p, len, pi);
	return -WRTC_DROP_ETHERTYPE;
}

/**
 * Moves the data start of a frame classified WRTC_NET_CLASS_UDP to its UDP
 * payload and drops any Ethernet padding, so the mbuf holds exactly the
 * payload. Worker fast path.
 *
 * @return 0, or -WRTC_DROP_TRUNCATED if @p pi does not fit @p m.
 */
static inline int
wrtc_net_udp_strip(struct rte_mbuf *m, const struct wrtc_net_pkt *pi)
{
	uint32_t end = (uint32_t)pi->payload_off + pi->payload_len;

	if (unlikely(end > rte_pktmbuf_data_len(m) || m->nb_segs != 1))
		return -WRTC_DROP_TRUNCATED;
	m->data_off = (uint16_t)(m->data_off + pi->payload_off);
	m->data_len = pi->payload_len;
	m->pkt_len = pi->payload_len;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Transmit: per-stream header templates                                     */

enum {
	WRTC_NET_HDR_V4_SIZE = 14 + 20 + 8,     /**< Ethernet + IPv4 + UDP. */
	WRTC_NET_HDR_V6_SIZE = 14 + 40 + 8,     /**< Ethernet + IPv6 + UDP. */
	WRTC_NET_HDR_MAX = 64,
};

/**
 * Precomputed Ethernet + IP + UDP headers of one stream direction. Built on
 * the control lcore by wrtc_net_hdr_tmpl_init(), then owned by (copied to) the
 * worker, which may change the destination with wrtc_net_hdr_tmpl_latch().
 */
struct wrtc_net_hdr_tmpl {
	uint8_t hdr[WRTC_NET_HDR_MAX];  /**< Headers with zero lengths and checksums. */
	uint8_t size;                   /**< Bytes of hdr used: 42 (IPv4) or 62 (IPv6). */
	uint8_t family;                 /**< AF_INET or AF_INET6. */
	uint16_t ip4_sum;               /**< IPv4: folded sum of hdr's IP header (no length). */
};

/**
 * Builds a header template. Control lcore.
 *
 * @param t        Filled.
 * @param ifc      Gives the source MAC.
 * @param src      Our address (usually ifc->ip4 or ifc->ip6).
 * @param src_port Our UDP port, host order.
 * @param dst      The remote address; same family as @p src.
 * @param dst_port The remote UDP port, host order.
 * @param dst_mac  The next hop's MAC (from the neighbour table).
 * @return 0, or -EINVAL (NULL argument, family mismatch or not an IP family).
 */
int wrtc_net_hdr_tmpl_init(struct wrtc_net_hdr_tmpl *t, const struct wrtc_net_iface *ifc,
			   const struct wrtc_net_addr *src, uint16_t src_port,
			   const struct wrtc_net_addr *dst, uint16_t dst_port,
			   const struct rte_ether_addr *dst_mac);

/**
 * Builds the template that answers a received UDP frame: source and
 * destination (MAC, address, port) swapped. Control lcore.
 *
 * @return 0, or -EINVAL if @p pi is not a UDP classification.
 */
int wrtc_net_hdr_tmpl_reply(struct wrtc_net_hdr_tmpl *t, const struct wrtc_net_iface *ifc,
			    const struct wrtc_net_pkt *pi);

/** @cond INTERNAL */
static inline uint16_t
wrtc_net_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * Folded, not complemented, one's complement sum of @p len bytes from @p off
 * across the segments of @p m. DPDK 22.11's rte_raw_cksum_mbuf() loses
 * carries when a segment starts at an odd offset of the sum, hence our own.
 */
static inline uint16_t
wrtc_net_cksum_mbuf(const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint32_t sum = 0, done = 0;

	for (; m != NULL && len > 0; m = m->next) {
		uint32_t dl = rte_pktmbuf_data_len(m), n;
		uint16_t s;

		if (off >= dl) {
			off -= dl;
			continue;
		}
		n = RTE_MIN(dl - off, len);
		s = rte_raw_cksum(rte_pktmbuf_mtod_offset(m, const uint8_t *, off), n);
		sum += (done & 1) ? rte_bswap16(s) : s;
		done += n;
		len -= n;
		off = 0;
	}
	return wrtc_net_fold(sum);
}

/* The UDP checksum field value for a datagram whose pseudo-header sums to @p phdr. */
static inline uint16_t
wrtc_net_udp_cksum_finish(uint16_t phdr, const struct rte_mbuf *m, uint32_t off, uint32_t len)
{
	uint16_t c = (uint16_t)~wrtc_net_fold((uint32_t)phdr + wrtc_net_cksum_mbuf(m, off, len));

	return c == 0 ? 0xffff : c;     /* RFC 768: zero is sent as all ones. */
}

/* Recomputes t->ip4_sum after the IPv4 header in t->hdr changed. */
static inline void
wrtc_net_hdr_tmpl_resum(struct wrtc_net_hdr_tmpl *t)
{
	if (t->family == AF_INET)
		t->ip4_sum = rte_raw_cksum(t->hdr + 14, 20);
}
/** @endcond */

/**
 * Sets the DSCP of a template (e.g. 46, EF, for voice); ECN bits stay zero.
 * Control lcore, before the template goes to the worker.
 *
 * @return 0, or -EINVAL if @p dscp > 63.
 */
static inline int
wrtc_net_hdr_tmpl_set_dscp(struct wrtc_net_hdr_tmpl *t, uint8_t dscp)
{
	if (dscp > 63)
		return -EINVAL;
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(t->hdr + RTE_ETHER_HDR_LEN);

		ih->type_of_service = (uint8_t)(dscp << 2);
		wrtc_net_hdr_tmpl_resum(t);
	} else {
		struct rte_ipv6_hdr *ih = (struct rte_ipv6_hdr *)(t->hdr + RTE_ETHER_HDR_LEN);
		uint32_t v = rte_be_to_cpu_32(ih->vtc_flow) & ~(uint32_t)RTE_IPV6_HDR_TC_MASK;

		v |= (uint32_t)dscp << (RTE_IPV6_HDR_TC_SHIFT + 2);
		ih->vtc_flow = rte_cpu_to_be_32(v);
	}
	return 0;
}

/**
 * Points a template at the source of a received UDP frame (latching: the
 * remote's address, port and the MAC it came from). Worker, for the stream it
 * owns; no allocation.
 *
 * @return 0, or -EINVAL if @p pi's family differs from the template's.
 */
static inline int
wrtc_net_hdr_tmpl_latch(struct wrtc_net_hdr_tmpl *t, const struct wrtc_net_pkt *pi)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)t->hdr;
	struct rte_udp_hdr *uh;

	if (unlikely(pi->src.family != t->family))
		return -EINVAL;
	rte_ether_addr_copy(&pi->src_mac, &eh->dst_addr);
	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(t->hdr + sizeof(*eh));

		ih->dst_addr = pi->src.v4;
		uh = (struct rte_udp_hdr *)(t->hdr + WRTC_NET_HDR_V4_SIZE - sizeof(*uh));
		uh->dst_port = rte_cpu_to_be_16(pi->src_port);
		wrtc_net_hdr_tmpl_resum(t);
	} else {
		struct rte_ipv6_hdr *ih = (struct rte_ipv6_hdr *)(t->hdr + sizeof(*eh));

		memcpy(ih->dst_addr, pi->src.v6, 16);
		uh = (struct rte_udp_hdr *)(t->hdr + WRTC_NET_HDR_V6_SIZE - sizeof(*uh));
		uh->dst_port = rte_cpu_to_be_16(pi->src_port);
	}
	return 0;
}

/**
 * Prepends Ethernet + IP + UDP headers from @p t to a payload. Worker fast path.
 *
 * Sets the IP and UDP lengths and the checksums: with @p csum_offload false,
 * the IPv4 header checksum and the UDP checksum in software; with it true,
 * RTE_MBUF_F_TX_IPV4|IP_CKSUM or TX_IPV6, RTE_MBUF_F_TX_UDP_CKSUM, l2_len,
 * l3_len and the pseudo-header checksum the PMD expects. Other TX offload
 * flags are cleared. Chained mbufs are summed across segments.
 *
 * @param m    Data starts at the UDP payload.
 * @param t    The stream's template.
 * @param csum_offload  Usually ifc->tx_cksum_offload.
 * @return 0, -WRTC_DROP_HEADROOM if the first segment lacks headroom, or
 *   -WRTC_DROP_UDP_LENGTH if the payload is too long for one datagram
 *   (@p m is unchanged on error).
 */
static inline int
wrtc_net_udp_prepend(struct rte_mbuf *m, const struct wrtc_net_hdr_tmpl *t, bool csum_offload)
{
	uint32_t plen = rte_pktmbuf_pkt_len(m);
	uint32_t ulen = plen + sizeof(struct rte_udp_hdr);
	uint16_t l4_off = (uint16_t)(t->size - sizeof(struct rte_udp_hdr));
	struct rte_udp_hdr *uh;
	uint8_t *h;

	if (unlikely(ulen + (t->family == AF_INET ? 20u : 0u) > UINT16_MAX))
		return -WRTC_DROP_UDP_LENGTH;
	h = (uint8_t *)rte_pktmbuf_prepend(m, t->size);
	if (unlikely(h == NULL))
		return -WRTC_DROP_HEADROOM;
	memcpy(h, t->hdr, t->size);
	uh = (struct rte_udp_hdr *)(h + l4_off);
	uh->dgram_len = rte_cpu_to_be_16((uint16_t)ulen);
	m->ol_flags &= ~RTE_MBUF_F_TX_OFFLOAD_MASK;
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = (uint64_t)(l4_off - sizeof(struct rte_ether_hdr)) & 0x1ff;
	m->l4_len = sizeof(struct rte_udp_hdr);

	if (t->family == AF_INET) {
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(h + sizeof(struct rte_ether_hdr));

		ih->total_length = rte_cpu_to_be_16((uint16_t)(ulen + 20));
		if (csum_offload) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
				       RTE_MBUF_F_TX_UDP_CKSUM;
			uh->dgram_cksum = rte_ipv4_phdr_cksum(ih, m->ol_flags);
		} else {
			ih->hdr_checksum = (uint16_t)~wrtc_net_fold((uint32_t)t->ip4_sum +
								    ih->total_length);
			uh->dgram_cksum = wrtc_net_udp_cksum_finish(rte_ipv4_phdr_cksum(ih, 0), m,
								    l4_off, ulen);
		}
	} else {
		struct rte_ipv6_hdr *ih = (struct rte_ipv6_hdr *)(h + sizeof(struct rte_ether_hdr));

		ih->payload_len = rte_cpu_to_be_16((uint16_t)ulen);
		if (csum_offload) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM;
			uh->dgram_cksum = rte_ipv6_phdr_cksum(ih, m->ol_flags);
		} else {
			uh->dgram_cksum = wrtc_net_udp_cksum_finish(rte_ipv6_phdr_cksum(ih, 0), m,
								    l4_off, ulen);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Neighbour table (control lcore only)                                      */

/** Opaque neighbour table: IPv4 and IPv6 address → MAC, fixed capacity. */
struct wrtc_net_neigh;

/** Parameters of wrtc_net_neigh_create(). Times are in the caller's unit (e.g. ms). */
struct wrtc_net_neigh_prm {
	uint32_t capacity;              /**< Maximum entries (> 0). */
	uint64_t reachable_time;        /**< Life of a learnt entry after its last update. */
	uint64_t retrans_time;          /**< Minimum interval between resolution requests. */
	uint32_t max_probes;            /**< Requests sent before giving up (0: 3). */
};

/**
 * Creates a neighbour table; all memory is allocated here.
 *
 * @return The table, or NULL with rte_errno set to EINVAL or ENOMEM.
 */
struct wrtc_net_neigh *wrtc_net_neigh_create(const struct wrtc_net_neigh_prm *prm);

/** Frees a table; NULL is ignored. */
void wrtc_net_neigh_free(struct wrtc_net_neigh *n);

/**
 * Records that @p ip is at @p mac.
 *
 * @param now  Current time, in the unit of the parameters.
 * @return 1 if the entry is new, was incomplete, or its MAC changed (streams
 *   waiting for it can now be given their template); 0 if it only refreshed
 *   the entry; -EINVAL for a bad address or MAC; -ENOSPC if the table is full
 *   of live entries.
 */
int wrtc_net_neigh_learn(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
			 const struct rte_ether_addr *mac, uint64_t now);

/**
 * Updates @p ip only if it is already in the table (e.g. an unsolicited
 * advertisement). Returns as wrtc_net_neigh_learn(), or -ENOENT.
 */
int wrtc_net_neigh_update(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
			  const struct rte_ether_addr *mac, uint64_t now);

/**
 * Looks @p ip up.
 *
 * @param mac  Filled on success; may be NULL.
 * @return 0 if resolved, or -ENOENT (absent or incomplete).
 */
int wrtc_net_neigh_lookup(const struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
			  struct rte_ether_addr *mac);

/**
 * Looks @p ip up and tells whether to send a resolution request now
 * (wrtc_net_arp_request() / wrtc_net_nd_solicit()); creates an incomplete
 * entry to rate-limit the requests.
 *
 * @return 0 if resolved (@p mac filled); -EAGAIN if unresolved and a request
 *   should be sent now; -EINPROGRESS if a request went out less than
 *   retrans_time ago; -EHOSTUNREACH if max_probes requests went unanswered
 *   (until the entry ages out); -ENOSPC if the table is full; -EINVAL.
 */
int wrtc_net_neigh_resolve(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
			   uint64_t now, struct rte_ether_addr *mac);

/** Removes @p ip. @return 0, or -ENOENT. */
int wrtc_net_neigh_remove(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip);

/**
 * Removes resolved entries not updated for reachable_time and incomplete
 * entries older than (max_probes + 1) * retrans_time.
 *
 * @return The number of entries removed.
 */
unsigned int wrtc_net_neigh_age(struct wrtc_net_neigh *n, uint64_t now);

/** Number of entries (resolved and incomplete). */
unsigned int wrtc_net_neigh_count(const struct wrtc_net_neigh *n);

/** Callback of wrtc_net_neigh_foreach(); @p mac is NULL for an incomplete entry. */
typedef void (wrtc_net_neigh_fn)(const struct wrtc_net_addr *ip, const struct rte_ether_addr *mac,
				 uint64_t updated, void *arg);

/** Calls @p fn for every entry (status output). */
void wrtc_net_neigh_foreach(const struct wrtc_net_neigh *n, wrtc_net_neigh_fn *fn, void *arg);

/**
 * Chooses the next hop towards @p dst: @p dst itself if it is on-link (in
 * our prefix, or IPv6 link-local), else the gateway of its family.
 *
 * @return 0, -EAFNOSUPPORT if we have no address of @p dst's family, or
 *   -ENETUNREACH if @p dst is off-link and there is no gateway.
 */
int wrtc_net_nexthop(const struct wrtc_net_iface *ifc, const struct wrtc_net_addr *dst,
		     struct wrtc_net_addr *nh);

/* ------------------------------------------------------------------------ */
/* Slow-path responders and builders (control lcore)                         */

/**
 * Handles an ARP frame (classified WRTC_NET_CLASS_ARP): learns the sender
 * (a request for us, a reply, or a gratuitous announcement of an address
 * already in the table) and turns a request for our IPv4 address into the
 * reply, in place.
 *
 * @param neigh  May be NULL (nothing learnt).
 * @param now    Time for the neighbour table.
 * @param reply  Set to true if @p m is now a reply to transmit, false if the
 *   caller should free it.
 * @return 1 if the neighbour table gained or changed an entry, 0 if not, or
 *   -WRTC_DROP_ARP_BAD (not Ethernet/IPv4 ARP, bad opcode, sender is a
 *   multicast/broadcast MAC) or -WRTC_DROP_TRUNCATED / NOT_OURS_IP as parse.
 */
int wrtc_net_arp_input(const struct wrtc_net_iface *ifc, struct rte_mbuf *m,
		       struct wrtc_net_neigh *neigh, uint64_t now, bool *reply);

/**
 * Handles a neighbour solicitation or advertisement (WRTC_NET_CLASS_ND_NS /
 * _ND_NA). Checks hop limit 255, code 0, the ICMPv6 checksum and the options
 * (RFC 4861 7.1). An NS for one of our addresses (global or link-local) is
 * turned into a solicited NA with the target link-layer address option, in
 * place; its sender is learnt from the source link-layer option. An NA
 * updates the table (learns it if solicited).
 *
 * @return As wrtc_net_arp_input(), with -WRTC_DROP_ND_BAD for a bad message.
 */
int wrtc_net_nd_input(const struct wrtc_net_iface *ifc, struct rte_mbuf *m,
		      struct wrtc_net_neigh *neigh, uint64_t now, bool *reply);

/**
 * Turns an ICMP echo request (WRTC_NET_CLASS_ICMP4_ECHO) or ICMPv6 echo
 * request (_ICMP6_ECHO) into the echo reply, in place (addresses and MACs
 * swapped, checksums recomputed, TTL 64). The ICMP checksum is checked first.
 *
 * @return 0 if @p m is the reply to transmit; -WRTC_DROP_ICMP_BAD (bad
 *   checksum or not an echo request) or a parse reason otherwise.
 */
int wrtc_net_icmp_echo_reply(const struct wrtc_net_iface *ifc, struct rte_mbuf *m);

/**
 * Builds a broadcast ARP request for @p ip (network order) from our IPv4
 * address.
 *
 * @return The frame, or NULL with rte_errno = EINVAL (no IPv4 address) or
 *   ENOMEM (pool empty).
 */
struct rte_mbuf *wrtc_net_arp_request(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
				      rte_be32_t ip);

/**
 * Builds a neighbour solicitation for @p ip6 to its solicited-node multicast
 * address (MAC 33:33:ff:xx:xx:xx), with our source link-layer address option,
 * from our global address (or our link-local one when @p ip6 is link-local).
 *
 * @return The frame, or NULL with rte_errno = EINVAL or ENOMEM.
 */
struct rte_mbuf *wrtc_net_nd_solicit(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
				     const uint8_t ip6[16]);

/**
 * Builds a gratuitous ARP (RFC 5227 announcement: a broadcast request with
 * our IPv4 address as sender and target), so neighbours and switches learn
 * our MAC at start-up or after a fail-over.
 *
 * @return The frame, or NULL with rte_errno = EINVAL (no IPv4) or ENOMEM.
 */
struct rte_mbuf *wrtc_net_arp_announce(struct rte_mempool *mp, const struct wrtc_net_iface *ifc);

/**
 * Builds an unsolicited neighbour advertisement (override flag, target
 * link-layer option) for our address @p ip6 (ifc->ip6.v6 or ifc->ip6_ll.v6)
 * to all-nodes (ff02::1, 33:33:00:00:00:01).
 *
 * @return The frame, or NULL with rte_errno = EINVAL (not our address) or ENOMEM.
 */
struct rte_mbuf *wrtc_net_nd_advertise(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
				       const uint8_t ip6[16]);

/**
 * Builds the resolution request for @p ip: wrtc_net_arp_request() or
 * wrtc_net_nd_solicit() by family.
 */
struct rte_mbuf *wrtc_net_solicit(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
				  const struct wrtc_net_addr *ip);

/** Name of a class ("udp", "arp", ...), "unknown" if out of range. */
const char *wrtc_net_class_name(int cls);

#ifdef __cplusplus
}
#endif

#endif
