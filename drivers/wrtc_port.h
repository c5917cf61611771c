/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Port bring-up and packet steering, per PMD capability.
 *
 * A port is opened with one RX queue per worker (as many as the device has)
 * and one TX queue per worker plus one for the control lcore. When the device
 * has fewer TX queues, the control lcore transmits through worker 0 (see
 * wrtc_port::ctrl_txq). Steering puts every packet for a local UDP port on its
 * owner worker: with an rte_flow rule when the device validates one, else a
 * software owner map read by workers, which hand packets for another worker's
 * streams to that worker's hand-off ring. Both paths sit behind
 * wrtc_steer_set(), so a real NIC and a virtual device look the same to the
 * rest of the gateway.
 */
#ifndef WRTC_PORT_H
#define WRTC_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

/** Most workers that share a port (one RX and TX queue each). */
enum { WRTC_PORT_MAX_QUEUES = 16, WRTC_PORT_NO_TXQ = 0xffff };

/** How packets reach a stream's owner worker. */
enum wrtc_steer_mode {
	WRTC_STEER_SINGLE,   /**< One worker: nothing to steer. */
	WRTC_STEER_FLOW,     /**< rte_flow rule per local UDP port to the owner's RX queue. */
	WRTC_STEER_SOFTWARE, /**< Owner map plus hand-off rings between workers. */
};

struct wrtc_port {
	uint16_t port_id;           /**< DPDK port id. */
	char name[RTE_ETH_NAME_MAX_LEN]; /**< Device name (e.g. net_af_packet0). */
	char driver[32];            /**< PMD name from dev_info. */
	struct rte_ether_addr mac;  /**< Port MAC address. */
	uint16_t nb_workers;        /**< Workers using this port. */
	uint16_t nb_rxq;            /**< RX queues; worker i polls queue i when i < nb_rxq. */
	uint16_t nb_txq;            /**< TX queues; worker i sends on queue i. */
	uint16_t ctrl_txq;          /**< Control lcore's TX queue, or WRTC_PORT_NO_TXQ. */
	bool tx_ip_csum;            /**< Device computes IPv4 header checksums. */
	bool tx_udp_csum;           /**< Device computes UDP checksums. */
	bool rx_csum;               /**< Device reports RX checksum status. */
	enum wrtc_steer_mode steer; /**< Chosen steering path. */
	uint8_t *owner;             /**< [65536] owner worker per local UDP port (control writes). */
	void **flow_rules;          /**< [65536] rte_flow handles in FLOW mode (control only). */
};

/**
 * Find, configure and start a port.
 *
 * @param name  device name ("net_af_packet0", a PCI address) or a port index ("0").
 * @param nb_workers  number of workers that will poll it (>= 1).
 * @param mp  mbuf pool for RX.
 * @param p  filled on success.
 * @return 0, or -ENODEV (no such device), -EINVAL, or the ethdev error.
 */
int wrtc_port_open(const char *name, uint16_t nb_workers, struct rte_mempool *mp,
		   struct wrtc_port *p);

/** Stop and close a port opened by wrtc_port_open(); NULL or unopened is fine. */
void wrtc_port_close(struct wrtc_port *p);

/** Human-readable one-line description for the start-up log. */
void wrtc_port_describe(const struct wrtc_port *p, char *buf, size_t size);

/**
 * Make worker @p worker the owner of local UDP port @p udp_port (control lcore).
 * @return 0, or -ENOSPC/-EIO when a flow rule cannot be installed (the
 *   software map is still updated, so packets are handed off instead).
 */
int wrtc_steer_set(struct wrtc_port *p, uint16_t udp_port, uint16_t worker);

/** Forget the owner of a local UDP port (control lcore). */
void wrtc_steer_clear(struct wrtc_port *p, uint16_t udp_port);

/** Owner worker of a local UDP port, as a worker reads it (fast path). */
static inline uint16_t
wrtc_steer_owner(const struct wrtc_port *p, uint16_t udp_port)
{
	return __atomic_load_n(&p->owner[udp_port], __ATOMIC_RELAXED);
}

/** Name of a steering mode ("single", "rte_flow", "software"). */
const char *wrtc_steer_mode_name(enum wrtc_steer_mode m);

#endif
