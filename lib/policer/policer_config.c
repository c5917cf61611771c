/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Parameters of a policer from its `policers[]` entry of the configuration,
 * so the control lcore builds per-lcore instances without mapping enums and
 * units itself.
 */
#include <errno.h>
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
	default:
		return -EINVAL;
	}
	prm->mode = cp->mode == WRTC_CONFIG_POLICER_DATA_RATE ? WRTC_POLICER_DATA_RATE :
		    WRTC_POLICER_PACKET_RATE;
	prm->bucket = cp->bucket;
	prm->rate = cp->rate;
	/* A priority class only when it differs: otherwise no table is kept. */
	if (prm->type != WRTC_POLICER_LINK_DATA && cp->priority_rate > cp->rate) {
		prm->priority_rate = cp->priority_rate;
		prm->max_sources = max_sources;
	}
	prm->srflx_prefix_v4 = cp->srflx_prefix_v4;
	prm->hz = hz;
	prm->now = now;
	return 0;
}
