/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP (RFC 826): answer requests for our IPv4 address, learn, resolve. */
#include <errno.h>

#include <rte_arp.h>
#include <rte_errno.h>

#include "wrtc_net.h"
#include "net_priv.h"

int
wrtc_net_arp_input(const struct wrtc_net_iface *ifc, struct rte_mbuf *m,
		   struct wrtc_net_neigh *neigh, uint64_t now, bool *reply)
{
	struct wrtc_net_pkt pi;
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_ether_addr sha;
	uint16_t op;
	int cls, learnt = 0;

	if (reply != NULL)
		*reply = false;
	cls = wrtc_net_parse(ifc, m, &pi);
	if (cls < 0)
		return cls;
	if (cls != WRTC_NET_CLASS_ARP)
		return -WRTC_DROP_ARP_BAD;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, pi.l3_off);
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4)
		return -WRTC_DROP_ARP_BAD;
	op = rte_be_to_cpu_16(ah->arp_opcode);
	if (op != RTE_ARP_OP_REQUEST && op != RTE_ARP_OP_REPLY)
		return -WRTC_DROP_ARP_BAD;
	rte_ether_addr_copy(&ah->arp_data.arp_sha, &sha);
	if (!rte_is_unicast_ether_addr(&sha) || rte_is_zero_ether_addr(&sha))
		return -WRTC_DROP_ARP_BAD;
	/* Someone else claiming our address: never learn or answer it. */
	if (rte_is_same_ether_addr(&sha, &ifc->mac))
		return -WRTC_DROP_ARP_BAD;

	/*
	 * RFC 826 "merge": refresh an entry we have; add one when the message
	 * is for us (a request for our address or a reply to us). A probe
	 * (sender 0.0.0.0, RFC 5227) teaches nothing.
	 */
	if (neigh != NULL && pi.src.v4 != 0 && !wrtc_net_v4_martian(pi.src.v4) &&
	    pi.src.v4 != ifc->ip4.v4) {
		if (pi.dst.v4 == ifc->ip4.v4)
			learnt = wrtc_net_neigh_learn(neigh, &pi.src, &sha, now);
		else
			learnt = wrtc_net_neigh_update(neigh, &pi.src, &sha, now);
		if (learnt < 0)
			learnt = 0;     /* Full or unknown: answering still works. */
	}

	if (op != RTE_ARP_OP_REQUEST || pi.dst.v4 != ifc->ip4.v4)
		return learnt;

	/* The reply, in place: Ethernet and ARP addresses swapped. */
	rte_ether_addr_copy(&sha, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	rte_ether_addr_copy(&sha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = pi.src.v4;
	rte_ether_addr_copy(&ifc->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = ifc->ip4.v4;
	/* Drop anything after the ARP body (padding of the request). */
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - pi.l3_off - NET_ARP_LEN));
	net_tx_reset(m);
	if (reply != NULL)
		*reply = true;
	return learnt;
}

struct rte_mbuf *
wrtc_net_arp_announce(struct rte_mempool *mp, const struct wrtc_net_iface *ifc)
{
	if (ifc == NULL || ifc->ip4.family != AF_INET) {
		rte_errno = EINVAL;
		return NULL;
	}
	return wrtc_net_arp_request(mp, ifc, ifc->ip4.v4);
}

struct rte_mbuf *
wrtc_net_arp_request(struct rte_mempool *mp, const struct wrtc_net_iface *ifc, rte_be32_t ip)
{
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;
	struct rte_mbuf *m;

	if (mp == NULL || ifc == NULL || ifc->ip4.family != AF_INET) {
		rte_errno = EINVAL;
		return NULL;
	}
	m = rte_pktmbuf_alloc(mp);
	if (m == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, NET_ETH_HDR + NET_ARP_LEN);
	if (eh == NULL) {
		rte_pktmbuf_free(m);
		rte_errno = ENOMEM;
		return NULL;
	}
	memset(eh, 0xff, sizeof(eh->dst_addr));
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah = (struct rte_arp_hdr *)(eh + 1);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&ifc->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = ifc->ip4.v4;
	memset(&ah->arp_data.arp_tha, 0, sizeof(ah->arp_data.arp_tha));
	ah->arp_data.arp_tip = ip;
	return m;
}

struct rte_mbuf *
wrtc_net_solicit(struct rte_mempool *mp, const struct wrtc_net_iface *ifc,
		 const struct wrtc_net_addr *ip)
{
	if (ip != NULL && ip->family == AF_INET)
		return wrtc_net_arp_request(mp, ifc, ip->v4);
	if (ip != NULL && ip->family == AF_INET6)
		return wrtc_net_nd_solicit(mp, ifc, ip->v6);
	rte_errno = EINVAL;
	return NULL;
}
