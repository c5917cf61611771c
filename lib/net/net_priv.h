/* SPDX-License-Identifier: BSD-3-Clause */
/* Private helpers of lib/net shared between its source files. */
#ifndef NET_PRIV_H
#define NET_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "wrtc_net.h"

enum {
	NET_ETH_HDR = 14,
	NET_IP4_HDR = 20,
	NET_IP6_HDR = 40,
	NET_ARP_LEN = 28,
	NET_ND_NS_LEN = 24,          /* ICMPv6 type..target, without options. */
	NET_ND_OPT_LL_LEN = 8,       /* Source/target link-layer address option. */
	NET_ND_OPT_SLLA = 1,
	NET_ND_OPT_TLLA = 2,
	NET_ICMP6_ECHO_REQUEST = 128,
	NET_ICMP6_ECHO_REPLY = 129,
	NET_ND_NS = 135,
	NET_ND_NA = 136,
	NET_TTL = 64,
};

/* True if the first @p bits bits of @p a and @p b are equal. */
bool net_prefix_match(const uint8_t *a, const uint8_t *b, unsigned int bits);

/* True for fe80::/10. */
bool net_is_link_local6(const uint8_t *ip);

/* ICMPv6 checksum of the message at @p l4 of @p len bytes under the given addresses. */
uint16_t net_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const void *l4, uint32_t len);

/* Prepares a frame built or rewritten on the control lcore for transmission. */
static inline void
net_tx_reset(struct rte_mbuf *m)
{
	m->ol_flags &= (RTE_MBUF_F_EXTERNAL | RTE_MBUF_F_INDIRECT);
	m->vlan_tci = 0;
	m->packet_type = 0;
}

#endif
