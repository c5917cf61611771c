/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/rpc: the input is split into lines and each line goes
 * through the dispatcher of two socket-less servers whose methods use every
 * parameter helper, one of them with a shared token. Every reply must be one
 * line of JSON. Each line is also parsed as an allow-list entry (CIDR): one
 * that is accepted must match its own network address and refuse the
 * address just past its prefix.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
server(bool with_token)
{
	static struct wrtc_rpc_server *servers[2];
	struct wrtc_rpc_server_prm prm = {.token = with_token ? "s3cret" : NULL};
	struct wrtc_rpc_server *srv = servers[with_token];

	if (srv == NULL) {
		srv = wrtc_rpc_server_create(&prm);
		if (srv == NULL)
			abort();
		wrtc_rpc_server_register(srv, "offer", h_offer, NULL);
		wrtc_rpc_server_register(srv, "delete", h_delete, NULL);
		wrtc_rpc_server_register(srv, "list", h_echo, NULL);
		servers[with_token] = srv;
	}
	return srv;
}

static void
check_cidr(const char *p, size_t len)
{
	struct wrtc_rpc_acl acl = {0};
	struct sockaddr_in6 a6 = {.sin6_family = AF_INET6};
	struct sockaddr_in a4 = {.sin_family = AF_INET};
	const struct wrtc_rpc_acl_prefix *e = &acl.p[0];
	char s[80];
	struct sockaddr *sa;
	socklen_t salen;
	uint8_t *addr;
	unsigned int max;

	if (len >= sizeof(s))
		return;
	memcpy(s, p, len);
	s[len] = '\0';
	if (wrtc_rpc_acl_add(&acl, s) != 0)
		return;
	if (acl.n != 1)
		__builtin_trap();
	if (e->family == AF_INET) {
		addr = (uint8_t *)&a4.sin_addr;
		sa = (struct sockaddr *)&a4;
		salen = sizeof(a4);
		max = 32;
	} else {
		addr = a6.sin6_addr.s6_addr;
		sa = (struct sockaddr *)&a6;
		salen = sizeof(a6);
		max = 128;
	}
	memcpy(addr, e->addr, max / 8);
	if (e->len > max || !wrtc_rpc_acl_allows(&acl, sa, salen))
		__builtin_trap();
	if (e->len > 0) {
		/* Flip the last bit of the prefix: outside it. */
		addr[(e->len - 1) / 8] ^= (uint8_t)(0x80 >> ((e->len - 1) % 8));
		if (wrtc_rpc_acl_allows(&acl, sa, salen))
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		for (int t = 0; t < 2; t++) {
			char *reply = wrtc_rpc_server_handle_line(server(t), p, len);

			if (reply != NULL) {
				json_t *j = json_loads(reply, 0, NULL);

				if (j == NULL || strchr(reply, '\n') != NULL)
					__builtin_trap();
				json_decref(j);
				free(reply);
			}
		}
		check_cidr(p, len);
		p += len + 1;
	}
	return 0;
}
