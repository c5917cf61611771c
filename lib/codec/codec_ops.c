/* SPDX-License-Identifier: BSD-3-Clause */
/* The table of codecs, by identifier and by SDP encoding name. */
#include <strings.h>

#include "codec_priv.h"

static const struct wrtc_codec_ops *const codecs[WRTC_CODEC_MAX] = {
	[WRTC_CODEC_PCMU] = &wrtc_codec_pcmu_ops,
	[WRTC_CODEC_PCMA] = &wrtc_codec_pcma_ops,
	[WRTC_CODEC_G722] = &wrtc_codec_g722_ops,
	[WRTC_CODEC_OPUS] = &wrtc_codec_opus_ops,
};

const struct wrtc_codec_ops *
wrtc_codec_ops_get(enum wrtc_codec_id id)
{
	if ((unsigned int)id >= WRTC_CODEC_MAX)
		return NULL;
	return codecs[id];
}

const struct wrtc_codec_ops *
wrtc_codec_ops_find(const char *name)
{
	for (unsigned int i = 0; i < WRTC_CODEC_MAX; i++)
		if (strcasecmp(codecs[i]->name, name) == 0)
			return codecs[i];
	return NULL;
}
