/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/config: any byte string goes through the whole loader
 * (JSON parse, table-driven validation, cross references, free). A result
 * is either a configuration or an error message; neither may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "wrtc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[WRTC_CONFIG_ERR_SIZE];
	struct wrtc_config *cfg;

	cfg = wrtc_config_load_string((const char *)data, size, "/nonexistent", err, sizeof(err));
	if (cfg != NULL) {
		/* Every resolved index must point inside its array. */
		for (unsigned int i = 0; i < cfg->n_trunk_groups; i++) {
			const struct wrtc_config_trunk_group *t = &cfg->trunk_groups[i];

			if (t->interface >= cfg->n_interfaces || t->psp >= cfg->n_psps)
				__builtin_trap();
		}
		for (unsigned int i = 0; i < cfg->n_psps; i++) {
			const struct wrtc_config_psp *p = &cfg->psps[i];

			for (unsigned int j = 0; j < p->n_codecs; j++)
				if (p->codecs[j] >= cfg->n_codec_entries)
					__builtin_trap();
			if (p->dtls && (p->dtls_profile < 0 ||
					(unsigned int)p->dtls_profile >= cfg->n_dtls_profiles))
				__builtin_trap();
			if (p->srtp &&
			    (p->crypto_suite_profile < 0 ||
			     (unsigned int)p->crypto_suite_profile >= cfg->n_crypto_profiles))
				__builtin_trap();
		}
	} else if (strlen(err) == 0) {
		__builtin_trap(); /* Every failure must say why. */
	}
	wrtc_config_free(cfg);
	return 0;
}
