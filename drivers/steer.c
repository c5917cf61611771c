/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering of local UDP ports to their owner worker. With one worker nothing
 * is steered. With several, an rte_flow rule per port (IPv4 and IPv6, UDP
 * destination port -> owner's RX queue) when the device validates one; else
 * the software owner map, which workers read to hand packets over.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_flow.h>
#include <rte_malloc.h>

#include "wrtc_port.h"

int wrtc_steer_init(struct wrtc_port *p);

struct port_rules {
	struct rte_flow *v4;
	struct rte_flow *v6;
};

static struct rte_flow *
udp_rule(struct wrtc_port *p, bool v6, uint16_t udp_port, uint16_t queue, bool validate_only)
{
	struct rte_flow_attr attr = {.ingress = 1};
	struct rte_flow_item_udp spec = {.hdr.dst_port = rte_cpu_to_be_16(udp_port)};
	struct rte_flow_item_udp mask = {.hdr.dst_port = RTE_BE16(0xffff)};
	struct rte_flow_item pattern[] = {
		{.type = RTE_FLOW_ITEM_TYPE_ETH},
		{.type = v6 ? RTE_FLOW_ITEM_TYPE_IPV6 : RTE_FLOW_ITEM_TYPE_IPV4},
		{.type = RTE_FLOW_ITEM_TYPE_UDP, .spec = &spec, .mask = &mask},
		{.type = RTE_FLOW_ITEM_TYPE_END},
	};
	struct rte_flow_action_queue q = {.index = queue};
	struct rte_flow_action actions[] = {
		{.type = RTE_FLOW_ACTION_TYPE_QUEUE, .conf = &q},
		{.type = RTE_FLOW_ACTION_TYPE_END},
	};
	struct rte_flow_error err;

	if (validate_only)
		return rte_flow_validate(p->port_id, &attr, pattern, actions, &err) == 0 ?
			(struct rte_flow *)1 : NULL;
	return rte_flow_create(p->port_id, &attr, pattern, actions, &err);
}

int
wrtc_steer_init(struct wrtc_port *p)
{
	p->owner = rte_zmalloc("wrtc_steer_owner", 65536, RTE_CACHE_LINE_SIZE);
	if (p->owner == NULL)
		return -ENOMEM;
	if (p->nb_workers == 1) {
		p->steer = WRTC_STEER_SINGLE;
		return 0;
	}
	/* Every worker needs its own RX queue for hardware steering to help. */
	if (p->nb_rxq == p->nb_workers && udp_rule(p, false, 9, 1, true) != NULL) {
		p->flow_rules = rte_zmalloc("wrtc_steer_rules", 65536 * sizeof(void *), 0);
		if (p->flow_rules == NULL)
			return -ENOMEM;
		p->steer = WRTC_STEER_FLOW;
		return 0;
	}
	p->steer = WRTC_STEER_SOFTWARE;
	return 0;
}

int
wrtc_steer_set(struct wrtc_port *p, uint16_t udp_port, uint16_t worker)
{
	struct port_rules *r;

	__atomic_store_n(&p->owner[udp_port], (uint8_t)worker, __ATOMIC_RELEASE);
	if (p->steer != WRTC_STEER_FLOW)
		return 0;
	wrtc_steer_clear(p, udp_port);
	__atomic_store_n(&p->owner[udp_port], (uint8_t)worker, __ATOMIC_RELEASE);
	r = rte_zmalloc("wrtc_steer_rule", sizeof(*r), 0);
	if (r == NULL)
		return -ENOMEM;
	r->v4 = udp_rule(p, false, udp_port, worker, false);
	r->v6 = udp_rule(p, true, udp_port, worker, false);
	p->flow_rules[udp_port] = r;
	return (r->v4 != NULL) ? 0 : -EIO;
}

void
wrtc_steer_clear(struct wrtc_port *p, uint16_t udp_port)
{
	struct rte_flow_error err;
	struct port_rules *r;

	__atomic_store_n(&p->owner[udp_port], 0, __ATOMIC_RELEASE);
	if (p->flow_rules == NULL || p->flow_rules[udp_port] == NULL)
		return;
	r = p->flow_rules[udp_port];
	if (r->v4 != NULL)
		rte_flow_destroy(p->port_id, r->v4, &err);
	if (r->v6 != NULL)
		rte_flow_destroy(p->port_id, r->v6, &err);
	rte_free(r);
	p->flow_rules[udp_port] = NULL;
}

const char *
wrtc_steer_mode_name(enum wrtc_steer_mode m)
{
	switch (m) {
	case WRTC_STEER_SINGLE:
		return "single";
	case WRTC_STEER_FLOW:
		return "rte_flow";
	case WRTC_STEER_SOFTWARE:
		return "software";
	}
	return "unknown";
}
