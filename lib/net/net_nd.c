/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv6 neighbour discovery (RFC 4861): answer solicitations, learn, resolve. */
#include <errno.h>

#include <rte_errno.h>

#include "wrtc_net.h"
#include "net_priv.h"

/* Neighbour advertisement flags (first byte of the reserved word). */
enum {
	ND_NA_ROUTER = 0x80,
	ND_NA_SOLICITED = 0x40,
	ND_NA_OVERRIDE = 0x20,
};

uint16_t
net_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const void *l4, uint32_t len)
{
	uint8_t tail[8] = {0};
	uint32_t sum;

	/* Pseudo-header (RFC 8200 8.1): addresses, 32-bit length, 3 zeros, next header. */
	tail[0] = (uint8_t)(len >> 24);
	tail[1] = (uint8_t)(len >> 16);
	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMPV6;
	sum = (uint32_t)rte_raw_cksum(src, 16) + rte_raw_cksum(dst, 16) +
	      rte_raw_cksum(tail, sizeof(tail)) + rte_raw_cksum(l4, len);
	return (uint16_t)~wrtc_net_fold(sum);
}

/*
 * Walks the options after the fixed part of an NS/NA. Every option must have
 * a non-zero length and fit; returns false otherwise. Fills *lla with the
 * link-layer address of option @p want, if present.
 */
static bool
nd_options(const uint8_t *opt, uint32_t len, uint8_t want, const uint8_t **lla)
{
	*lla = NULL;
	while (len > 0) {
		uint32_t olen;

		if (len < 2)
			return false;
		olen = (uint32_t)opt[1] * 8;
		if (olen == 0 || olen > len)
			return false;
		if (opt[0] == want && olen >= NET_ND_OPT_LL_LEN)
			*lla = opt + 2;
		opt += olen;
		len -= olen;
	}
	return true;
}

static const uint8_t all_nodes[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
static const struct rte_ether_addr all_nodes_mac = {.addr_bytes = {0x33, 0x33, 0, 0, 0, 1}};

static bool
is_ours(const struct wrtc_net_iface *ifc, const uint8_t *ip)
{
	return (ifc->ip6.family == AF_INET6 && memcmp(ip, ifc->ip6.v6, 16) == 0) ||
	       (ifc->ip6_ll.family == AF_INET6 && memcmp(ip, ifc->ip6_ll.v6, 16) == 0);
}

/* Writes a solicited/unsolicited NA for @p target into @p m, replacing the NS. */
static int
make_na(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, uint16_t l3_off,
	const uint8_t *target, const uint8_t *dst_ip, const struct rte_ether_addr *dst_mac,
	uint8_t flags)
{
	const uint32_t icmp_len = NET_ND_NS_LEN + NET_ND_OPT_LL_LEN;
	uint32_t want = (uint32_t)l3_off + NET_IP6_HDR + icmp_len;
	uint8_t tgt[16], dip[16];
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ih;
	uint8_t *icmp;
	uint16_t ck;

	/* Copy first: @p target and @p dst_ip point into the frame we rewrite. */
	memcpy(tgt, target, 16);
	memcpy(dip, dst_ip, 16);
	if (rte_pktmbuf_data_len(m) > want) {
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - want));
	} else if (rte_pktmbuf_data_len(m) < want) {
		if (rte_pktmbuf_append(m, (uint16_t)(want - rte_pktmbuf_data_len(m))) == NULL)
			return -WRTC_DROP_HEADROOM;
	}
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	rte_ether_addr_copy(dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3_off);
	ih->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ih->payload_len = rte_cpu_to_be_16((uint16_t)icmp_len);
	ih->proto = IPPROTO_ICMPV6;
	ih->hop_limits = 255;
	memcpy(ih->src_addr, tgt, 16);
	memcpy(ih->dst_addr, dip, 16);
	icmp = (uint8_t *)(ih + 1);
	memset(icmp, 0, icmp_len);
	icmp[0] = NET_ND_NA;
	icmp[4] = flags;
	memcpy(icmp + 8, tgt, 16);
	icmp[24] = NET_ND_OPT_TLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, ifc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	ck = net_icmp6_cksum(ih->src_addr, ih->dst_addr, icmp, icmp_len);
	memcpy(icmp + 2, &ck, 2);
	net_tx_reset(m);
	return 0;
}

int
wrtc_net_nd_input(const struct wrtc_net_iface *ifc, struct rte_mbuf *m,
		  struct wrtc_net_neigh *neigh, uint64_t now, bool *reply)
{
	struct rte_ether_addr lla_mac, dst_mac;
	const struct rte_ipv6_hdr *ih;
	struct wrtc_net_addr target;
	const uint8_t *icmp, *lla;
	struct wrtc_net_pkt pi;
	uint32_t icmp_len;
	int cls, learnt = 0, rc;
	bool src_unspec;

	if (reply != NULL)
		*reply = false;
	cls = wrtc_net_parse(ifc, m, &pi);
	if (cls < 0)
		return cls;
	if (cls != WRTC_NET_CLASS_ND_NS && cls != WRTC_NET_CLASS_ND_NA)
		return -WRTC_DROP_ND_BAD;
	ih = rte_pktmbuf_mtod_offset(m, const struct rte_ipv6_hdr *, pi.l3_off);
	icmp = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi.l4_off);
	icmp_len = rte_be_to_cpu_16(ih->payload_len);

	/* RFC 4861 7.1.1 / 7.1.2. */
	if (pi.hop_limit != 255 || icmp[1] != 0 || icmp_len < NET_ND_NS_LEN)
		return -WRTC_DROP_ND_BAD;
	if (net_icmp6_cksum(ih->src_addr, ih->dst_addr, icmp, icmp_len) != 0)
		return -WRTC_DROP_ND_BAD;
	if (icmp[8] == 0xff)    /* Multicast target. */
		return -WRTC_DROP_ND_BAD;
	wrtc_net_addr_set_v6(&target, icmp + 8);
	src_unspec = wrtc_net_v6_is_unspec(ih->src_addr);

	if (cls == WRTC_NET_CLASS_ND_NS) {
		if (!nd_options(icmp + NET_ND_NS_LEN, icmp_len - NET_ND_NS_LEN,
				NET_ND_OPT_SLLA, &lla))
			return -WRTC_DROP_ND_BAD;
		/* Duplicate address detection: to the solicited-node group, no SLLA. */
		if (src_unspec && (!pi.mcast || lla != NULL))
			return -WRTC_DROP_ND_BAD;
		if (lla != NULL) {
			memcpy(lla_mac.addr_bytes, lla, RTE_ETHER_ADDR_LEN);
			if (!rte_is_unicast_ether_addr(&lla_mac) ||
			    rte_is_zero_ether_addr(&lla_mac))
				return -WRTC_DROP_ND_BAD;
		}
		if (!is_ours(ifc, icmp + 8))
			return 0;       /* Another host sharing our solicited-node group. */
		if (src_unspec) {
			/* RFC 4861 7.2.4: defend our address to all-nodes. */
			rc = make_na(ifc, m, pi.l3_off, icmp + 8, all_nodes, &all_nodes_mac,
				     ND_NA_OVERRIDE);
			if (rc < 0)
				return rc;
			if (reply != NULL)
				*reply = true;
			return 0;
		}
		if (lla != NULL && neigh != NULL) {
			learnt = wrtc_net_neigh_learn(neigh, &pi.src, &lla_mac, now);
			if (learnt < 0)
				learnt = 0;
		}
		rte_ether_addr_copy(lla != NULL ? &lla_mac : &pi.src_mac, &dst_mac);
		rc = make_na(ifc, m, pi.l3_off, icmp + 8, ih->src_addr, &dst_mac,
			     ND_NA_SOLICITED | ND_NA_OVERRIDE);
		if (rc < 0)
			return rc;
		if (reply != NULL)
			*reply = true;
		return learnt;
	}

	/* Advertisement. */
	if (pi.mcast && (icmp[4] & ND_NA_SOLICITED))
		return -WRTC_DROP_ND_BAD;
	if (!nd_options(icmp + NET_ND_NS_LEN, icmp_len - NET_ND_NS_LEN, NET_ND_OPT_TLLA, &lla))
		return -WRTC_DROP_ND_BAD;
	if (is_ours(ifc, icmp + 8))
		return -WRTC_DROP_ND_BAD;       /* Someone else claims our address. */
	if (lla != NULL)
		memcpy(lla_mac.addr_bytes, lla, RTE_ETHER_ADDR_LEN);
	else
		rte_ether_addr_copy(&pi.src_mac, &lla_mac);
	if (!rte_is_unicast_ether_addr(&lla_mac) || rte_is_zero_ether_addr(&lla_mac))
		return -WRTC_DROP_ND_BAD;
	if (neigh == NULL)
		return 0;
	if (icmp[4] & ND_NA_SOLICITED)
		learnt = wrtc_net_neigh_learn(neigh, &target, &lla_mac, now);
	else
		learnt = wrtc_net_neigh_update(neigh, &target, &lla_mac, now);
	return learnt < 0 ? 0 : learnt;
}

struct rte_mbuf *
wrtc_net_nd_solicit(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
		    const uint8_t ip6[16])
{
	const uint32_t icmp_len = NET_ND_NS_LEN + NET_ND_OPT_LL_LEN;
	struct rte_ether_hdr *eh;
	struct rte_ipv6_hdr *ih;
	struct rte_mbuf *m;
	uint8_t *icmp;
	uint16_t ck;

	if (mp == NULL || ifc == NULL || ip6 == NULL || ifc->ip6.family != AF_INET6 ||
	    ip6[0] == 0xff || wrtc_net_v6_is_unspec(ip6)) {
		rte_errno = EINVAL;
		return NULL;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, NET_ETH_HDR + NET_IP6_HDR + icmp_len);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(eh, 0, NET_ETH_HDR + NET_IP6_HDR + icmp_len);
	ih = (struct rte_ipv6_hdr *)(eh + 1);
	icmp = (uint8_t *)(ih + 1);

	/* Solicited-node group ff02::1:ffXX:XXXX and its MAC 33:33:ff:XX:XX:XX. */
	ih->dst_addr[0] = 0xff;
	ih->dst_addr[1] = 0x02;
	ih->dst_addr[11] = 0x01;
	ih->dst_addr[12] = 0xff;
	memcpy(ih->dst_addr + 13, ip6 + 13, 3);
	eh->dst_addr.addr_bytes[0] = 0x33;
	eh->dst_addr.addr_bytes[1] = 0x33;
	memcpy(eh->dst_addr.addr_bytes + 2, ih->dst_addr + 12, 4);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);

	ih->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ih->payload_len = rte_cpu_to_be_16((uint16_t)icmp_len);
	ih->proto = IPPROTO_ICMPV6;
	ih->hop_limits = 255;
	memcpy(ih->src_addr, net_is_link_local6(ip6) ? ifc->ip6_ll.v6 : ifc->ip6.v6, 16);

	icmp[0] = NET_ND_NS;
	memcpy(icmp + 8, ip6, 16);
	icmp[24] = NET_ND_OPT_SLLA;
	icmp[25] = 1;
	memcpy(icmp + 26, ifc->mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	ck = net_icmp6_cksum(ih->src_addr, ih->dst_addr, icmp, icmp_len);
	memcpy(icmp + 2, &ck, 2);
	return m;
}

struct rte_mbuf *
wrtc_net_nd_advertise(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
		      const uint8_t ip6[16])
{
	struct rte_ether_hdr *eh;
	struct rte_mbuf *m;

	if (mp == NULL || ifc == NULL || ip6 == NULL || !is_ours(ifc, ip6)) {
		rte_errno = EINVAL;
		return NULL;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, NET_ETH_HDR);
	if (eh == NULL || make_na(ifc, m, NET_ETH_HDR, ip6, all_nodes, &all_nodes_mac,
				  ND_NA_OVERRIDE) != 0) {
		rte_pktmbuf_free(m);
		rte_errno = ENOMEM;
		return NULL;
	}
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	return m;
}
