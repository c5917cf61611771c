/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port bring-up for any ethdev: PCI NICs, net_af_packet, net_af_xdp, net_tap,
 * net_pcap, net_ring, net_null. Queue counts and offloads come from what the
 * device reports, never from its name.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "wrtc_port.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_drivers_logtype, NOTICE);
#define PORT_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, wrtc_drivers_logtype, "port: " fmt "\n", ##__VA_ARGS__)

enum { RXD = 1024, TXD = 1024 };

int wrtc_steer_init(struct wrtc_port *p);

static int
find_port(const char *name, uint16_t *port_id)
{
	char *end;
	unsigned long idx = strtoul(name, &end, 10);

	if (*name != '\0' && *end == '\0') {
		if (idx >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)idx))
			return -ENODEV;
		*port_id = (uint16_t)idx;
		return 0;
	}
	return rte_eth_dev_get_port_by_name(name, port_id) == 0 ? 0 : -ENODEV;
}

int
wrtc_port_open(const char *name, uint16_t nb_workers, struct rte_mempool *mp,
	       struct wrtc_port *p)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	int socket, rc;
	uint16_t q;

	memset(p, 0, sizeof(*p));
	if (nb_workers == 0 || nb_workers > WRTC_PORT_MAX_QUEUES)
		return -EINVAL;
	rc = find_port(name, &p->port_id);
	if (rc != 0)
		return rc;
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc != 0)
		return rc;
	rte_eth_dev_get_name_by_port(p->port_id, p->name);
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->nb_workers = nb_workers;
	p->nb_rxq = RTE_MIN(nb_workers, info.max_rx_queues);
	p->nb_txq = RTE_MIN(nb_workers + 1, info.max_tx_queues);
	if (p->nb_rxq == 0 || p->nb_txq == 0)
		return -EINVAL;
	p->ctrl_txq = p->nb_txq > nb_workers ? nb_workers : WRTC_PORT_NO_TXQ;
	if (p->nb_txq < nb_workers) {
		/* Workers past the last TX queue could not send at all. */
		PORT_LOG(ERR, "%s has %u TX queues, %u workers need one each", p->name,
			 info.max_tx_queues, nb_workers);
		return -EINVAL;
	}

	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		p->tx_ip_csum = true;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
		p->tx_udp_csum = true;
	}
	if ((info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_CHECKSUM) == RTE_ETH_RX_OFFLOAD_CHECKSUM) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_CHECKSUM;
		p->rx_csum = true;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(p->port_id, p->nb_rxq, p->nb_txq, &conf);
	if (rc != 0) {
		PORT_LOG(ERR, "%s: configure %u rx / %u tx queues: %s", p->name, p->nb_rxq,
			 p->nb_txq, strerror(-rc));
		return rc;
	}
	uint16_t rxd = RXD, txd = TXD;
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	socket = rte_eth_dev_socket_id(p->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < p->nb_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd, socket, NULL, mp);
		if (rc != 0)
			goto fail;
	}
	for (q = 0; q < p->nb_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;

		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(p->port_id, q, txd, socket, &txc);
		if (rc != 0)
			goto fail;
	}
	rc = rte_eth_dev_start(p->port_id);
	if (rc != 0)
		goto fail;
	rte_eth_macaddr_get(p->port_id, &p->mac);
	rte_eth_promiscuous_enable(p->port_id);

	rc = wrtc_steer_init(p);
	if (rc != 0) {
		rte_eth_dev_stop(p->port_id);
		goto fail;
	}
	return 0;
fail:
	PORT_LOG(ERR, "%s: queue setup/start failed: %s", p->name, strerror(-rc));
	return rc;
}

void
wrtc_port_close(struct wrtc_port *p)
{
	if (p == NULL || p->owner == NULL)
		return;
	for (uint32_t i = 0; p->flow_rules != NULL && i < 65536; i++)
		wrtc_steer_clear(p, (uint16_t)i);
	rte_eth_dev_stop(p->port_id);
	rte_eth_dev_close(p->port_id);
	rte_free(p->owner);
	rte_free(p->flow_rules);
	p->owner = NULL;
	p->flow_rules = NULL;
}

void
wrtc_port_describe(const struct wrtc_port *p, char *buf, size_t size)
{
	snprintf(buf, size,
		 "%s (port %u, %s) mac " RTE_ETHER_ADDR_PRT_FMT
		 " rxq %u txq %u control-tx %s csum-offload tx-ip %s tx-udp %s rx %s steering %s",
		 p->name, p->port_id, p->driver, RTE_ETHER_ADDR_BYTES(&p->mac), p->nb_rxq,
		 p->nb_txq, p->ctrl_txq == WRTC_PORT_NO_TXQ ? "via-worker0" : "own-queue",
		 p->tx_ip_csum ? "yes" : "no", p->tx_udp_csum ? "yes" : "no",
		 p->rx_csum ? "yes" : "no", wrtc_steer_mode_name(p->steer));
}
