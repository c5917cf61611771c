/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/stun: parse any datagram; for one that parses, decode
 * every address and the error code, check MESSAGE-INTEGRITY against a fixed
 * key, and build the answer ICE would send (USERNAME echoed, XOR address,
 * UNKNOWN-ATTRIBUTES, integrity, fingerprint), which must parse again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "wrtc_stun.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wrtc_stun_key *key;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrtc_stun_stats st = {0};
	struct wrtc_stun_msg m, again;
	struct wrtc_stun_builder b;
	struct sockaddr_storage ss;
	uint8_t out[WRTC_STUN_MSG_MAX];
	int code, n;
	bool have_addr = false;

	if (key == NULL)
		key = wrtc_stun_key_create("VOkJxbRl1RmTxUk/WvJxBt", 22);
	(void)wrtc_stun_is_stun(data, size);
	if (wrtc_stun_msg_parse(&m, data, size, &st) != 0) {
		if (m.err == WRTC_STUN_E_NONE || st.err[m.err] != 1)
			abort();
		return 0;
	}
	if (wrtc_stun_msg_get_addr(&m, &m.mapped, false, &ss) == 0)
		have_addr = true;
	if (wrtc_stun_msg_get_addr(&m, &m.xor_mapped, true, &ss) == 0)
		have_addr = true;
	(void)wrtc_stun_msg_get_error_code(&m, &code);
	if (key != NULL)
		(void)wrtc_stun_msg_check_integrity(&m, key);

	wrtc_stun_builder_init(&b, out, sizeof(out), m.method, m.cls, m.tid);
	if (m.username.val != NULL)
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, m.username.val,
					   m.username.len);
	if (have_addr)
		wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, &ss);
	if (m.n_unknown != 0)
		wrtc_stun_builder_add_unknown(&b, m.unknown,
					      m.n_unknown < WRTC_STUN_MAX_UNKNOWN ?
						      m.n_unknown : WRTC_STUN_MAX_UNKNOWN);
	if (key != NULL)
		wrtc_stun_builder_add_integrity(&b, key);
	wrtc_stun_builder_add_fingerprint(&b);
	n = wrtc_stun_builder_finish(&b);
	if (n < 0)
		return 0;
	if (wrtc_stun_msg_parse(&again, out, (size_t)n, NULL) != 0)
		abort();
	if (key != NULL && wrtc_stun_msg_check_integrity(&again, key) != 0)
		abort();
	return 0;
}
