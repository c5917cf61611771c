/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/rpc: the server object shared by the dispatcher
 * (rpc_dispatch.c) and the socket layer (rpc_server.c). Everything here is
 * owned and written by the one thread that polls the server.
 */
#ifndef RPC_PRIV_H
#define RPC_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "wrtc_rpc.h"

struct rpc_method {
	char *name;                 /* Method name (heap copy). */
	wrtc_rpc_handler_fn *fn;    /* Handler. */
	void *ctx;                  /* Its context. */
};

/* A growable byte buffer; data is [off, len). */
struct rpc_buf {
	char *data;
	size_t off;
	size_t len;
	size_t cap;
};

struct rpc_client {
	int fd;
	struct rpc_buf in;          /* Bytes read, not yet a complete line. */
	struct rpc_buf out;         /* Replies not yet written. */
	size_t scanned;             /* Bytes of in already searched for '\n'. */
	bool closing;               /* No more requests; close once out drains or at deadline. */
	bool eof;                   /* The peer shut down its sending side. */
	uint64_t deadline_ms;       /* When a closing client is closed regardless. */
	uint64_t stall_since_ms;    /* When out last stopped draining (0 = not stalled). */
};

struct wrtc_rpc_server {
	struct rpc_method *methods; /* Registered methods. */
	unsigned int n_methods;
	unsigned int cap_methods;
	int tcp_fd;                 /* Listening TCP socket or -1. */
	uint16_t tcp_port;          /* Its bound port. */
	int unix_fd;                /* Listening unix socket or -1. */
	char *unix_path;            /* Unlinked on free. */
	size_t max_line;
	size_t max_output;
	unsigned int max_clients;
	struct rpc_client *clients; /* [max_clients]; fd < 0 means a free slot. */
	unsigned int n_clients;
	struct wrtc_rpc_acl allow;  /* TCP peers allowed (empty: any; loopback only). */
	char *token;                /* Shared token or NULL. */
	struct wrtc_rpc_server_stats st; /* Counters. */
	struct pollfd *pfds;        /* Scratch for poll(): listeners + clients. */
	unsigned int *pslot;        /* Client slot of each pfds entry (listeners: unused). */
};

#endif
