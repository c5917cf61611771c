/* SPDX-License-Identifier: BSD-3-Clause */
/* Private to lib/codec: the codec tables each codec file defines. */
#ifndef CODEC_PRIV_H
#define CODEC_PRIV_H

#include <stddef.h>
#include <stdint.h>

/* spandsp.h pulls in libtiff; take only the parts used here. */
#include <spandsp/telephony.h>
#include <spandsp/g722.h>

#include "wrtc_codec.h"

extern const struct wrtc_codec_ops wrtc_codec_pcmu_ops;
extern const struct wrtc_codec_ops wrtc_codec_pcma_ops;
extern const struct wrtc_codec_ops wrtc_codec_g722_ops;
extern const struct wrtc_codec_ops wrtc_codec_opus_ops;

#endif
