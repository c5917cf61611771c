/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * rtpengine's ng control protocol (docs/ng.md): `<cookie> <dictionary>`
 * datagrams over UDP, the dictionary in bencode or JSON, answered with the
 * same cookie. A thin translator over the session functions of
 * wrtc_session.h, the ones JSON-RPC uses too.
 *
 * The control lcore creates one server and calls wrtc_ng_server_poll() on
 * every loop iteration; the socket is non-blocking and a poll handles a
 * bounded number of datagrams. Replies are kept in a cache keyed by cookie,
 * so a retransmitted request gets the first reply again and never acts twice.
 *
 * Threads: a server belongs to the thread that polls it.
 */
#ifndef WRTC_NG_H
#define WRTC_NG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrtc_rpc.h"
#include "wrtc_session.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	WRTC_NG_MAX_REQUEST = 65535,    /**< Largest datagram read. */
	WRTC_NG_MAX_REPLY = 65507,      /**< Largest reply (one UDP datagram). */
	WRTC_NG_LIST_MTU = 1400,        /**< `list` replies stop adding calls past this size. */
	WRTC_NG_COOKIE_MAX = 64,        /**< Longest cookie accepted. */
	WRTC_NG_CACHE_SLOTS = 1024,     /**< Reply cache entries. */
	WRTC_NG_CACHE_TTL_S = 30,       /**< A cached reply answers retransmissions this long. */
};

/** Parameters of wrtc_ng_server_create(). */
struct wrtc_ng_server_prm {
	const char *host;               /**< Numeric listen address; NULL = no socket (tests). */
	uint16_t port;                  /**< UDP port; 0 = ephemeral (see _port()). */
	struct wrtc_session_mgr *mgr;   /**< Calls the commands act on; NULL answers every
					     call command with an error (fuzzing). */
	/** Sources allowed to send requests (copied); NULL or empty = any.
	 * Required (non-empty) when @p host is not a loopback address: create
	 * fails with EPERM otherwise. A datagram from elsewhere is dropped
	 * unanswered, counted (wrtc_ng_stats::refused_source) and logged at most
	 * once every 10 s. */
	const struct wrtc_rpc_acl *allow;
};

/** Counters of a server (read with wrtc_ng_server_stats()). */
struct wrtc_ng_stats {
	uint64_t requests;              /**< Datagrams handled (retransmissions included). */
	uint64_t retransmissions;       /**< Answered from the reply cache. */
	uint64_t malformed;             /**< No cookie, or not a bencode/JSON dictionary. */
	uint64_t errors;                /**< Replies with result "error". */
	uint64_t load_limit;            /**< Offers refused with "load limit". */
	uint64_t send_errors;           /**< Replies the socket did not take. */
	uint64_t recv_errors;           /**< Reads that failed (other than EAGAIN, EINTR). */
	uint64_t refused_source;        /**< Datagrams from a source not in the allow-list. */
};

struct wrtc_ng_server;

/**
 * Create a server and bind its UDP socket.
 * @return the server, or NULL with errno set (EINVAL: bad address, EPERM: a
 *   non-loopback @c host without an allow-list, EADDRINUSE, ENOMEM, another
 *   socket error).
 */
struct wrtc_ng_server *wrtc_ng_server_create(const struct wrtc_ng_server_prm *prm);

/** Close the socket, drop the cache and free the server; NULL is fine. */
void wrtc_ng_server_free(struct wrtc_ng_server *srv);

/**
 * Read and answer the datagrams waiting on the socket (at most 32). Never
 * blocks; a failed read is counted (wrtc_ng_stats::recv_errors).
 * @return the number handled (>= 0).
 */
int wrtc_ng_server_poll(struct wrtc_ng_server *srv);

/**
 * Handle one message without a socket, as poll does for every datagram
 * (reply cache included).
 *
 * @param msg  the datagram: cookie, one space, the dictionary.
 * @param len  its length.
 * @param out  receives the reply datagram.
 * @param out_size  size of @p out (WRTC_NG_MAX_REPLY is enough).
 * @return the reply length (> 0), 0 when the message gets no reply (no cookie),
 *   or -EMSGSIZE when @p out is too small.
 */
int wrtc_ng_server_handle(struct wrtc_ng_server *srv, const char *msg, size_t len, char *out,
			  size_t out_size);

/** @return the UDP socket, for a caller that waits on it (poll()), or -1. */
int wrtc_ng_server_fd(const struct wrtc_ng_server *srv);

/** @return the bound UDP port, or 0 without a socket. */
uint16_t wrtc_ng_server_port(const struct wrtc_ng_server *srv);

/** @return the server's counters. */
const struct wrtc_ng_stats *wrtc_ng_server_stats(const struct wrtc_ng_server *srv);

#ifdef __cplusplus
}
#endif

#endif
