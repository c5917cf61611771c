/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/ng: the input is one ng datagram. It goes through a
 * socket-less server without calls (framing, bencode/JSON decoding, the reply
 * cache, command dispatch) and, when it holds a dictionary, through the flags
 * parser against a small configuration. Every reply must echo the cookie.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ng_priv.h"
#include "wrtc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config[] =
	"{\"interfaces\": [{\"name\": \"lab\", \"port\": 0, \"ipv4\": \"10.99.0.2/24\","
	" \"media_port_min\": 20000, \"media_port_max\": 20099}],"
	" \"codec_entries\": [{\"name\": \"pcmu\", \"codec\": \"PCMU\", \"payload_type\": 0,"
	" \"ptime\": 20}],"
	" \"packet_service_profiles\": [{\"name\": \"plain\", \"codecs\": [\"pcmu\"]}],"
	" \"trunk_groups\": [{\"name\": \"sip\", \"interface\": \"lab\", \"kind\": \"sip\","
	" \"packet_service_profile\": \"plain\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wrtc_ng_server *srv;
	static struct wrtc_config *cfg;
	static struct wrtc_bencode_node nodes[NG_MAX_NODES];
	static char out[WRTC_NG_MAX_REPLY];
	const char *msg = (const char *)data, *sp;
	char err[WRTC_CONFIG_ERR_SIZE];
	struct ng_offer_opts o;
	int n;

	if (srv == NULL) {
		srv = wrtc_ng_server_create(&(struct wrtc_ng_server_prm){0});
		cfg = wrtc_config_load_string(config, sizeof(config) - 1, NULL, err, sizeof(err));
		if (srv == NULL || cfg == NULL)
			abort();
	}
	n = wrtc_ng_server_handle(srv, msg, size, out, sizeof(out));
	sp = memchr(msg, ' ', size);
	if (n < 0)
		abort();
	if (n > 0 && (sp == NULL || memcmp(out, msg, (size_t)(sp - msg + 1)) != 0))
		abort();
	if (sp != NULL && wrtc_bencode_decode(sp + 1, size - (size_t)(sp - msg) - 1, nodes,
					      NG_MAX_NODES, NG_MAX_DEPTH, NULL, 0) > 0 &&
	    nodes[0].type == WRTC_BENCODE_DICT) {
		json_t *req = ng_from_bencode(&nodes[0]);

		if (req != NULL)
			(void)ng_flags_parse(req, cfg, &o, err, sizeof(err));
		json_decref(req);
	}
	return 0;
}
