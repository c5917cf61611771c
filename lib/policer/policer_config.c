/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parameters of a policer from its `policers[]` entry of the configuration,
 * so the control lcore builds per-lcore instances without mapping enums and
 * units itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "policer_priv.h"

int
wrtc_policer_prm_from_config(const struct wrtc_config_policer *cp, uint32_t id,
			     uint32_t max_sources, uint64_t hz, uint64_t now,
			     struct wrtc_policer_prm *prm)
{
	if (cp == NULL || prm == NULL || hz == 0)
		return -EINVAL;
	memset(prm, 0, sizeof(*prm));
	prm->name = cp->name;
	prm->id = id;
	switch (cp->type) {
	case WRTC_CONFIG_POLICER_LINK_DATA:
		prm->type = WRTC_POLICER_LINK_DATA;
		break;
	case WRTC_CONFIG_POLICER_STUN:
		prm->type = WRTC_POLICER_STUN;
		break;
	case WRTC_CONFIG_POLICER_DTLS:
		prm->type = WRTC_POLICER_DTLS;
		break;
	case WRTC_CONFIG_POLICER_ARP:
		prm->type = WRTC_POLICER_ARP;
		break;
	case WRTC_CONFIG_POLICER_ND:
		prm->type = WRTC_POLICER_ND;
		break;
	case WRTC_CONFIG_POLICER_ICMP:
		prm->type = WRTC_POLICER_ICMP;
		break;
	default:
		return -EINVAL;
	}
	prm->mode = cp->mode == WRTC_CONFIG_POLICER_DATA_RATE ? WRTC_POLICER_DATA_RATE :
		    WRTC_POLICER_PACKET_RATE;
	prm->bucket = cp->bucket;
	prm->rate = cp->rate;
	/* A priority class only when it differs: otherwise no table is kept. The
	 * pair class always exists on stun/dtls policers: its bucket is the
	 * reserved share of established calls even at the ordinary rate. */
	if (prm->type == WRTC_POLICER_STUN || prm->type == WRTC_POLICER_DTLS) {
		if (cp->priority_rate > cp->rate) {
			prm->priority_rate = cp->priority_rate;
			prm->max_sources = max_sources;
		}
		prm->pair_rate = cp->pair_rate > cp->rate ? cp->pair_rate : cp->rate;
		prm->max_pairs = max_sources;
	}
	prm->srflx_prefix_v4 = cp->srflx_prefix_v4;
	prm->hz = hz;
	prm->now = now;
	return 0;
}

/* Rates of the punted classes when the configuration has no entry of their
 * type (docs/configuration.md, "policers[]"): enough for neighbour resolution,
 * ping and the ICE traffic of thousands of calls, little enough that the
 * control lcore stays responsive under a flood. */
static const struct {
	enum wrtc_config_policer_type type;
	const char *name;
	uint64_t bucket, rate, priority_rate;
} defaults[] = {
	{WRTC_CONFIG_POLICER_STUN, "stun", 100, 1000, 10000},
	{WRTC_CONFIG_POLICER_DTLS, "dtls", 100, 1000, 10000},
	{WRTC_CONFIG_POLICER_ARP, "arp", 50, 200, 0},
	{WRTC_CONFIG_POLICER_ND, "nd", 50, 200, 0},
	{WRTC_CONFIG_POLICER_ICMP, "icmp", 20, 100, 0},
};

int
wrtc_policer_default_config(enum wrtc_config_policer_type type, struct wrtc_config_policer *cp)
{
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (defaults[i].type != type)
			continue;
		memset(cp, 0, sizeof(*cp));
		snprintf(cp->name, sizeof(cp->name), "%s", defaults[i].name);
		cp->type = type;
		cp->mode = WRTC_CONFIG_POLICER_PACKET_RATE;
		cp->bucket = defaults[i].bucket;
		cp->rate = defaults[i].rate;
		cp->priority_rate = defaults[i].priority_rate ? defaults[i].priority_rate :
				    defaults[i].rate;
		cp->pair_rate = cp->priority_rate;
		cp->srflx_prefix_v4 = 32;
		cp->interface = -1;
		return 0;
	}
	return -EINVAL;
}
