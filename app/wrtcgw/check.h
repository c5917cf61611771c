/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks of a loaded configuration that need more than lib/config: the ones
 * --check-config and the start share, none of which needs EAL.
 */
#ifndef WRTCGW_CHECK_H
#define WRTCGW_CHECK_H

#include <stddef.h>

#include "wrtc_config.h"

/**
 * Open every PKCS#12 certificate with its passphrase and check the limits of
 * this build (interfaces per gateway).
 * @param cfg  a configuration wrtc_config_load_file() accepted.
 * @param err  receives "json.path: reason" on failure.
 * @param size  size of @p err.
 * @return 0, or -EINVAL with @p err set.
 */
int app_config_check(const struct wrtc_config *cfg, char *err, size_t size);

#endif
