/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/ha: any byte string goes through the strict call
 * record decoder (it is Redis data: another node or an operator may have
 * written it). What decodes is encoded again, and that must decode to the
 * same record.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_ha.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wrtc_ha_record r, again;
	char err[256];
	char *text;

	if (wrtc_ha_record_decode((const char *)data, size, &r, err, sizeof(err)) != 0) {
		if (err[0] == '\0')
			__builtin_trap(); /* A refusal always says why. */
		return 0;
	}
	text = wrtc_ha_record_encode(&r);
	if (text != NULL) {
		if (wrtc_ha_record_decode(text, strlen(text), &again, err, sizeof(err)) != 0)
			__builtin_trap();
		if ((r.sdp_offer == NULL) != (again.sdp_offer == NULL) ||
		    (r.sdp_offer != NULL && strcmp(r.sdp_offer, again.sdp_offer) != 0) ||
		    strcmp(r.call_id, again.call_id) != 0 || r.n_legs != again.n_legs)
			__builtin_trap();
		for (unsigned int i = 0; i < r.n_legs; i++)
			if (memcmp(&r.legs[i], &again.legs[i], sizeof(r.legs[i])) != 0)
				__builtin_trap();
		wrtc_ha_record_fini(&again);
		free(text);
	}
	wrtc_ha_record_fini(&r);
	return 0;
}
