/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/srtp's SDES attributes (RFC 4568 a=crypto): parse any
 * text; for one that parses, format it and parse the result again, which
 * must give the same tag, suite, key, salt, lifetime and MKI (the base64
 * key goes through OpenSSL's decoder and encoder both ways).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_srtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrtc_srtp_sdes sd, again;
	char buf[WRTC_SRTP_SDES_MAX_LEN];
	const char *err = NULL;
	size_t key, salt;
	int n;

	if (wrtc_srtp_sdes_parse((const char *)data, size, &sd, &err) != 0) {
		if (err == NULL)
			abort();  /* every failure names its field */
		return 0;
	}
	n = wrtc_srtp_sdes_format(&sd, buf, sizeof(buf));
	if (n < 0)
		return 0;  /* e.g. a lifetime or MKI the formatter does not write */
	memset(&again, 0, sizeof(again));
	if (wrtc_srtp_sdes_parse(buf, (size_t)n, &again, &err) != 0)
		abort();
	key = wrtc_srtp_suite_key_size(sd.suite);
	salt = wrtc_srtp_suite_salt_size(sd.suite);
	if (again.tag != sd.tag || again.suite != sd.suite ||
	    memcmp(again.master_key, sd.master_key, key) != 0 ||
	    memcmp(again.master_salt, sd.master_salt, salt) != 0 ||
	    again.lifetime != sd.lifetime || again.mki_size != sd.mki_size ||
	    (sd.mki_size != 0 && again.mki != sd.mki))
		abort();
	return 0;
}
