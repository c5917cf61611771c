/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in gateway for test_wrtcctl.py: the real lib/rpc server on a unix
 * socket with `list`, `query` and `policers` methods whose results come from
 * real lib/policer instances. It serves until stdin is closed (or 60 s).
 *
 * usage: rpc_serve SOCKET_PATH
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wrtc_policer.h"
#include "wrtc_rpc.h"

static struct wrtc_policer *pols[2];

static json_t *
m_list(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	return json_pack("{s:[]}", "calls");
}

static json_t *
m_query(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	const char *call_id;

	if (wrtc_rpc_param_str(params, "call_id", &call_id, err) != 0)
		return NULL;
	wrtc_rpc_error_set(err, WRTC_RPC_NOT_FOUND, "call_id: no call \"%s\"", call_id);
	return NULL;
}

static json_t *
m_policers(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *rows = json_array();

	for (unsigned int i = 0; i < 2; i++) {
		struct wrtc_policer_status st;

		wrtc_policer_status_get(pols[i], &st);
		json_array_append_new(rows, wrtc_policer_status_json(&st));
	}
	return json_pack("{s:o}", "policers", rows);
}

int
main(int argc, char **argv)
{
	struct wrtc_policer_prm link = {.name = "link", .id = 0, .type = WRTC_POLICER_LINK_DATA,
					.mode = WRTC_POLICER_DATA_RATE, .bucket = 3000,
					.rate = 1000, .hz = 1000};
	struct wrtc_policer_prm stun = {.name = "stun", .id = 1, .type = WRTC_POLICER_STUN,
					.mode = WRTC_POLICER_PACKET_RATE, .bucket = 100,
					.rate = 1000, .priority_rate = 10000, .max_sources = 8,
					.srflx_prefix_v4 = 32, .hz = 1000};
	struct wrtc_rpc_server_prm prm = {0};
	struct wrtc_rpc_server *srv;
	time_t end = time(NULL) + 60;

	if (argc != 2) {
		fprintf(stderr, "usage: rpc_serve SOCKET_PATH\n");
		return 2;
	}
	pols[0] = wrtc_policer_create(&link);
	pols[1] = wrtc_policer_create(&stun);
	if (pols[0] == NULL || pols[1] == NULL)
		return 1;
	/* Known traffic: 4 x 1000 bytes against a 3000-byte bucket, 150 STUN at once. */
	for (int i = 0; i < 4; i++)
		wrtc_policer_admit(pols[0], 0, 1000, NULL);
	for (int i = 0; i < 150; i++)
		wrtc_policer_admit(pols[1], 0, 60, NULL);
	prm.unix_path = argv[1];
	srv = wrtc_rpc_server_create(&prm);
	if (srv == NULL) {
		perror("rpc_serve");
		return 1;
	}
	wrtc_rpc_server_register(srv, "list", m_list, NULL);
	wrtc_rpc_server_register(srv, "query", m_query, NULL);
	wrtc_rpc_server_register(srv, "policers", m_policers, NULL);
	printf("ready\n");
	fflush(stdout);
	while (time(NULL) < end) {
		struct pollfd in = {.fd = 0, .events = POLLIN};

		if (poll(&in, 1, 0) > 0) {
			char c;

			if (read(0, &c, 1) <= 0)
				break;
		}
		wrtc_rpc_server_poll(srv, 10);
	}
	wrtc_rpc_server_free(srv);
	wrtc_policer_free(pols[0]);
	wrtc_policer_free(pols[1]);
	return 0;
}
