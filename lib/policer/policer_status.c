/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names and the JSON row of the `policers` RPC method. Control lcore only.
 */
#include "policer_priv.h"

const char *
wrtc_policer_type_str(enum wrtc_policer_type t)
{
	switch (t) {
	case WRTC_POLICER_LINK_DATA:
		return "link-data";
	case WRTC_POLICER_STUN:
		return "stun";
	case WRTC_POLICER_DTLS:
		return "dtls";
	}
	return "?";
}

const char *
wrtc_policer_mode_str(enum wrtc_policer_mode m)
{
	switch (m) {
	case WRTC_POLICER_PACKET_RATE:
		return "packet-rate";
	case WRTC_POLICER_DATA_RATE:
		return "data-rate";
	}
	return "?";
}

json_t *
wrtc_policer_status_json(const struct wrtc_policer_status *st)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)st->id, "name", st->name,
			 "type", wrtc_policer_type_str(st->type),
			 "mode", wrtc_policer_mode_str(st->mode),
			 "bucket", (json_int_t)st->bucket, "rate", (json_int_t)st->rate,
			 "priority_rate", (json_int_t)st->priority_rate,
			 "accepted", (json_int_t)st->accepted,
			 "discarded", (json_int_t)st->discarded,
			 "priority_accepted", (json_int_t)st->priority_accepted,
			 "priority_discarded", (json_int_t)st->priority_discarded,
			 "sources", (json_int_t)st->sources);
}
