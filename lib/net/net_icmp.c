/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP and ICMPv6 echo (ping) replies, in place, on the control lcore. */
#include <errno.h>

#include <rte_icmp.h>

#include "wrtc_net.h"
#include "net_priv.h"

static int
echo4(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, const struct wrtc_net_pkt *pi)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, pi->l3_off);
	struct rte_icmp_hdr *ic = rte_pktmbuf_mtod_offset(m, struct rte_icmp_hdr *, pi->l4_off);
	uint32_t tlen = rte_be_to_cpu_16(ih->total_length);
	uint32_t icmp_len = tlen - (uint32_t)(pi->l4_off - pi->l3_off);

	if (ic->icmp_code != 0 || rte_raw_cksum(ic, icmp_len) != 0xffff)
		return -WRTC_DROP_ICMP_BAD;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - pi->l3_off - tlen));

	rte_ether_addr_copy(&pi->src_mac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	ih->dst_addr = pi->src.v4;
	ih->src_addr = ifc->ip4.v4;
	ih->time_to_live = NET_TTL;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	ic->icmp_cksum = 0;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, icmp_len);
	net_tx_reset(m);
	return 0;
}

static int
echo6(const struct wrtc_net_iface *ifc, struct rte_mbuf *m, const struct wrtc_net_pkt *pi)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, pi->l3_off);
	uint8_t *ic = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->l4_off);
	uint32_t icmp_len = rte_be_to_cpu_16(ih->payload_len);
	uint16_t ck;

	if (icmp_len < 8 || ic[1] != 0 || wrtc_net_v6_is_unspec(ih->src_addr) ||
	    net_icmp6_cksum(ih->src_addr, ih->dst_addr, ic, icmp_len) != 0)
		return -WRTC_DROP_ICMP_BAD;
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - pi->l4_off - icmp_len));

	rte_ether_addr_copy(&pi->src_mac, &eh->dst_addr);
	rte_ether_addr_copy(&ifc->mac, &eh->src_addr);
	/* Parse only classifies echo to one of our unicast addresses: answer from it. */
	memcpy(ih->src_addr, pi->dst.v6, 16);
	memcpy(ih->dst_addr, pi->src.v6, 16);
	ih->hop_limits = NET_TTL;
	ic[0] = NET_ICMP6_ECHO_REPLY;
	ic[2] = 0;
	ic[3] = 0;
	ck = net_icmp6_cksum(ih->src_addr, ih->dst_addr, ic, icmp_len);
	memcpy(ic + 2, &ck, 2);
	net_tx_reset(m);
	return 0;
}

int
wrtc_net_icmp_echo_reply(const struct wrtc_net_iface *ifc, struct rte_mbuf *m)
{
	struct wrtc_net_pkt pi;
	int cls;

	if (ifc == NULL || m == NULL)
		return -WRTC_DROP_ICMP_BAD;
	cls = wrtc_net_parse(ifc, m, &pi);
	if (cls < 0)
		return cls;
	if (cls == WRTC_NET_CLASS_ICMP4_ECHO)
		return echo4(ifc, m, &pi);
	if (cls == WRTC_NET_CLASS_ICMP6_ECHO)
		return echo6(ifc, m, &pi);
	return -WRTC_DROP_ICMP_BAD;
}
