/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for the worker's frame classifier (lib/net wrtc_net_parse) and
 * the payload strip that follows it. The input is one Ethernet frame, held in
 * an exact-size heap buffer behind a bare mbuf header, so no EAL is needed
 * and any read past the frame is caught by ASan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ip6[16] = {0xfd, 0, 0, 0x99, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
	struct wrtc_net_iface ifc;
	struct wrtc_net_pkt pi;
	struct rte_mbuf m;
	uint8_t *buf;
	int cls;

	if (size > UINT16_MAX)
		return 0;
	memset(&ifc, 0, sizeof(ifc));
	ifc.mac = (struct rte_ether_addr){{0x02, 0, 0, 0, 0, 0x02}};
	wrtc_net_addr_set_v4(&ifc.ip4, rte_cpu_to_be_32(0x0a630002));  /* 10.99.0.2 */
	ifc.ip4_prefix = 24;
	wrtc_net_addr_set_v6(&ifc.ip6, ip6);
	ifc.ip6_prefix = 64;
	if (wrtc_net_iface_init(&ifc) != 0)
		abort();
	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.buf_len = (uint16_t)size;
	m.data_len = (uint16_t)size;
	m.pkt_len = (uint32_t)size;
	m.nb_segs = 1;
	cls = wrtc_net_parse(&ifc, &m, &pi);
	if (cls == WRTC_NET_CLASS_UDP) {
		/* What the worker does next: the payload must lie inside the frame. */
		if ((size_t)pi.payload_off + pi.payload_len > size)
			abort();
		if (wrtc_net_udp_strip(&m, &pi) == 0 && rte_pktmbuf_data_len(&m) != pi.payload_len)
			abort();
	}
	free(buf);
	return 0;
}
