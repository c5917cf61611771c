/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/rpc: the input is split into lines and each line goes
 * through the dispatcher of a socket-less server whose methods use every
 * parameter helper. Every reply must be one line of JSON.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_rpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *
h_offer(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	const char *call_id, *sdp, *tag;
	int64_t n;
	bool b;
	json_t *o;

	if (wrtc_rpc_param_str(params, "call_id", &call_id, err) != 0 ||
	    wrtc_rpc_param_str(params, "sdp", &sdp, err) != 0 ||
	    wrtc_rpc_param_str_opt(params, "from_tag", NULL, &tag, err) != 0 ||
	    wrtc_rpc_param_int_opt(params, "n", -5, 5, 0, &n, err) != 0 ||
	    wrtc_rpc_param_bool_opt(params, "b", false, &b, err) != 0 ||
	    wrtc_rpc_param_obj_opt(params, "o", &o, err) != 0)
		return NULL;
	return json_pack("{s:s, s:i}", "call_id", call_id, "len", (int)strlen(sdp));
}

static json_t *
h_delete(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	static const char *const names[] = {"call_id", "from_tag", NULL};
	int64_t id;

	if (wrtc_rpc_param_only(params, names, err) != 0 ||
	    wrtc_rpc_param_int(params, "call_id", 0, 1000, &id, err) != 0)
		return NULL;
	wrtc_rpc_error_set(err, WRTC_RPC_NOT_FOUND, "call %lld not found", (long long)id);
	return NULL;
}

static json_t *
h_echo(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	return json_incref(params);
}

static struct wrtc_rpc_server *
server(void)
{
	static struct wrtc_rpc_server *srv;
	struct wrtc_rpc_server_prm prm = {0};

	if (srv == NULL) {
		srv = wrtc_rpc_server_create(&prm);
		if (srv == NULL)
			abort();
		wrtc_rpc_server_register(srv, "offer", h_offer, NULL);
		wrtc_rpc_server_register(srv, "delete", h_delete, NULL);
		wrtc_rpc_server_register(srv, "list", h_echo, NULL);
	}
	return srv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wrtc_rpc_server *srv = server();
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *reply = wrtc_rpc_server_handle_line(srv, p, len);

		if (reply != NULL) {
			json_t *j = json_loads(reply, 0, NULL);

			if (j == NULL || strchr(reply, '\n') != NULL)
				__builtin_trap();
			json_decref(j);
			free(reply);
		}
		p += len + 1;
	}
	return 0;
}
