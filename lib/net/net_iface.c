/* SPDX-License-Identifier: BSD-3-Clause */
/* Interface set-up and next-hop choice (control lcore). */
#include <errno.h>

#include <rte_ethdev.h>

#include "wrtc_net.h"
#include "net_priv.h"

bool
net_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int bits)
{
	unsigned int bytes = bits / 8, rest = bits % 8;
	uint8_t mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (uint8_t)(0xff << (8 - rest));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

bool
net_is_link_local6(const uint8_t *ip)
{
	return ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80;
}

static bool
mac_usable(const struct rte_ether_addr *mac)
{
	return rte_is_unicast_ether_addr(mac) && !rte_is_zero_ether_addr(mac);
}

int
wrtc_net_iface_init(struct wrtc_net_iface *ifc)
{
	uint8_t *ll;

	if (ifc == NULL || !mac_usable(&ifc->mac))
		return -EINVAL;
	if (ifc->ip4.family != 0) {
		if (ifc->ip4.family != AF_INET || ifc->ip4_prefix > 32 ||
		    wrtc_net_v4_martian(ifc->ip4.v4))
			return -EINVAL;
	}
	if (ifc->gw4.family != 0 && (ifc->gw4.family != AF_INET || ifc->ip4.family != AF_INET))
		return -EINVAL;
	if (ifc->ip6.family != 0) {
		if (ifc->ip6.family != AF_INET6 || ifc->ip6_prefix > 128 ||
		    wrtc_net_v6_martian(ifc->ip6.v6))
			return -EINVAL;
	}
	if (ifc->gw6.family != 0 && (ifc->gw6.family != AF_INET6 || ifc->ip6.family != AF_INET6))
		return -EINVAL;
	if (ifc->ip4.family == 0 && ifc->ip6.family == 0)
		return -EINVAL;

	memset(&ifc->ip6_ll, 0, sizeof(ifc->ip6_ll));
	if (ifc->ip6.family == AF_INET6) {
		/* RFC 4291 2.5.1: modified EUI-64 interface identifier. */
		ifc->ip6_ll.family = AF_INET6;
		ll = ifc->ip6_ll.v6;
		ll[0] = 0xfe;
		ll[1] = 0x80;
		ll[8] = ifc->mac.addr_bytes[0] ^ 0x02;
		ll[9] = ifc->mac.addr_bytes[1];
		ll[10] = ifc->mac.addr_bytes[2];
		ll[11] = 0xff;
		ll[12] = 0xfe;
		ll[13] = ifc->mac.addr_bytes[3];
		ll[14] = ifc->mac.addr_bytes[4];
		ll[15] = ifc->mac.addr_bytes[5];
	}
	return 0;
}

void
wrtc_net_iface_set_offloads(struct wrtc_net_iface *ifc, const struct rte_eth_dev_info *info)
{
	ifc->tx_cksum_offload = (info->tx_offload_capa & WRTC_NET_TX_OFFLOADS) ==
				WRTC_NET_TX_OFFLOADS;
}

int
wrtc_net_nexthop(const struct wrtc_net_iface *ifc, const struct wrtc_net_addr *dst,
		 struct wrtc_net_addr *nh)
{
	if (ifc == NULL || dst == NULL || nh == NULL)
		return -EINVAL;
	if (dst->family == AF_INET) {
		if (ifc->ip4.family != AF_INET)
			return -EAFNOSUPPORT;
		if (net_prefix_match((const uint8_t *)&dst->v4, (const uint8_t *)&ifc->ip4.v4,
				     ifc->ip4_prefix)) {
			*nh = *dst;
			return 0;
		}
		if (ifc->gw4.family != AF_INET)
			return -ENETUNREACH;
		*nh = ifc->gw4;
		return 0;
	}
	if (dst->family == AF_INET6) {
		if (ifc->ip6.family != AF_INET6)
			return -EAFNOSUPPORT;
		if (net_is_link_local6(dst->v6) ||
		    net_prefix_match(dst->v6, ifc->ip6.v6, ifc->ip6_prefix)) {
			*nh = *dst;
			return 0;
		}
		if (ifc->gw6.family != AF_INET6)
			return -ENETUNREACH;
		*nh = ifc->gw6;
		return 0;
	}
	return -EAFNOSUPPORT;
}
