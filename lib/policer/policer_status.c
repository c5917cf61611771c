/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Names and the JSON row of the `policers` RPC method. Control lcore only.
 */
#include <string.h>

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
	case WRTC_POLICER_ARP:
		return "arp";
	case WRTC_POLICER_ND:
		return "nd";
	case WRTC_POLICER_ICMP:
		return "icmp";
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
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I, s:I, s:I}",
			 "id", (json_int_t)st->id, "name", st->name,
			 "type", wrtc_policer_type_str(st->type),
			 "mode", wrtc_policer_mode_str(st->mode),
			 "bucket", (json_int_t)st->bucket, "rate", (json_int_t)st->rate,
			 "priority_rate", (json_int_t)st->priority_rate,
			 "accepted", (json_int_t)st->accepted,
			 "discarded", (json_int_t)st->discarded,
			 "priority_accepted", (json_int_t)st->priority_accepted,
			 "priority_discarded", (json_int_t)st->priority_discarded,
			 "sources", (json_int_t)st->sources,
			 "pair_rate", (json_int_t)st->pair_rate,
			 "pair_accepted", (json_int_t)st->pair_accepted,
			 "pair_discarded", (json_int_t)st->pair_discarded,
			 "pairs", (json_int_t)st->pairs);
}

json_t *
wrtc_policer_table_json(struct wrtc_policer *const *pols, unsigned int n_policers,
			unsigned int n_instances)
{
	json_t *rows = json_array();

	if (rows == NULL)
		return NULL;
	for (unsigned int k = 0; k < n_policers; k++) {
		struct wrtc_policer_status sum, st;
		bool have = false;

		memset(&sum, 0, sizeof(sum));
		for (unsigned int i = 0; i < n_instances; i++) {
			const struct wrtc_policer *p = pols[(size_t)i * n_policers + k];

			if (p == NULL)
				continue;
			wrtc_policer_status_get(p, &st);
			if (!have) {
				sum = st;
				have = true;
			} else {
				wrtc_policer_status_add(&sum, &st);
			}
		}
		if (have && json_array_append_new(rows, wrtc_policer_status_json(&sum)) != 0) {
			json_decref(rows);
			return NULL;
		}
	}
	return json_pack("{s:o}", "policers", rows);
}
