/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-stream header templates (built on the control lcore). */
#include <errno.h>

#include "wrtc_net.h"
#include "net_priv.h"

int
wrtc_net_hdr_tmpl_init(struct wrtc_net_hdr_tmpl *t, const struct wrtc_net_iface *ifc,
		       const struct wrtc_net_addr *src, uint16_t src_port,
		       const struct wrtc_net_addr *dst, uint16_t dst_port,
		       const struct rte_ether_addr *dst_mac)
{
	struct rte_ether_hdr *eh;
	struct rte_udp_hdr *uh;

	if (t == NULL || ifc == NULL || src == NULL || dst == NULL || dst_mac == NULL)
		return -EINVAL;
	if (src->family != dst->family || (src->family != AF_INET && src->family != AF_INET6))
		return -EINVAL;

	memset(t, 0, sizeof(*t));
	t->family = src->family;
	eh = (struct rte_ether_hdr *)t->hdr;
	rte_ether_addr_copy(dst_mac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	if (src->family == AF_INET) {
		struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(t->hdr + NET_ETH_HDR);

		t->size = WRTC_NET_HDR_V4_SIZE;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ih->version_ihl = RTE_IPV4_VHL_DEF;
		/* Atomic datagrams: DF set, ID 0 (RFC 6864 4.1). */
		ih->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ih->time_to_live = NET_TTL;
		ih->next_proto_id = IPPROTO_UDP;
		ih->src_addr = src->v4;
		ih->dst_addr = dst->v4;
		uh = (struct rte_udp_hdr *)(t->hdr + NET_ETH_HDR + NET_IP4_HDR);
	} else {
		struct rte_ipv6_hdr *ih = (struct rte_ipv6_hdr *)(t->hdr + NET_ETH_HDR);

		t->size = WRTC_NET_HDR_V6_SIZE;
		eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ih->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ih->proto = IPPROTO_UDP;
		ih->hop_limits = NET_TTL;
		memcpy(ih->src_addr, src->v6, 16);
		memcpy(ih->dst_addr, dst->v6, 16);
		uh = (struct rte_udp_hdr *)(t->hdr + NET_ETH_HDR + NET_IP6_HDR);
	}
	uh->src_port = rte_cpu_to_be_16(src_port);
	uh->dst_port = rte_cpu_to_be_16(dst_port);
	wrtc_net_hdr_tmpl_resum(t);
	return 0;
}

int
wrtc_net_hdr_tmpl_reply(struct wrtc_net_hdr_tmpl *t, const struct wrtc_net_iface *ifc,
			const struct wrtc_net_pkt *pi)
{
	if (pi == NULL || pi->proto != IPPROTO_UDP || pi->payload_off == 0)
		return -EINVAL;
	return wrtc_net_hdr_tmpl_init(t, ifc, &pi->dst, pi->dst_port, &pi->src, pi->src_port,
				      &pi->src_mac);
}
