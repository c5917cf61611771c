/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * JSON-RPC 2.0 over newline-delimited JSON: a non-blocking socket server
 * (TCP and a unix socket), a method table and parameter helpers.
 *
 * The control lcore creates one server, registers the methods of the control
 * API (docs/rpc.md) and calls wrtc_rpc_server_poll() with a zero timeout on
 * every loop iteration. Nothing in the server blocks: sockets are
 * non-blocking, partial lines are buffered per client, a line longer than the
 * configured cap is answered with an error and the connection is closed, and
 * a client that stops reading is no longer read from (its requests wait)
 * and is dropped when its pending output passes a cap.
 *
 * One request is one line holding one JSON object. Replies are one line each,
 * in request order per client. Notifications (no "id") get no reply. Batch
 * requests (a JSON array) are rejected with -32600.
 *
 * Threads: a server and everything it calls belong to the thread that polls
 * it; handlers run inside wrtc_rpc_server_poll().
 */
#ifndef WRTC_RPC_H
#define WRTC_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/** JSON-RPC error codes used by the server and by method handlers. */
enum wrtc_rpc_code {
	WRTC_RPC_PARSE_ERROR = -32700,      /**< The line is not JSON. */
	WRTC_RPC_INVALID_REQUEST = -32600,  /**< JSON, but not a request object (or a batch). */
	WRTC_RPC_METHOD_NOT_FOUND = -32601, /**< No such method; the message names it. */
	WRTC_RPC_INVALID_PARAMS = -32602,   /**< A parameter is missing or wrong; names it. */
	WRTC_RPC_INTERNAL_ERROR = -32603,   /**< Handler failed without saying why. */
	/* Application errors of the control API (-32000..-32099). */
	WRTC_RPC_NOT_FOUND = -32001,        /**< No such call (or leg, tag, ...). */
	WRTC_RPC_CONFLICT = -32002,         /**< Request does not fit the call's state. */
	WRTC_RPC_NO_RESOURCES = -32003,     /**< Out of ports, calls, memory, ... */
	WRTC_RPC_SDP_ERROR = -32004,        /**< SDP could not be parsed or negotiated. */
	WRTC_RPC_OVERLOADED = -32005,       /**< Too many clients, or a request line too long. */
	WRTC_RPC_UNAUTHORIZED = -32006,     /**< The server has a token and the request's
					     *   "token" member is missing or wrong. */
};

enum {
	WRTC_RPC_MSG_SIZE = 256,               /**< Size of wrtc_rpc_error::message. */
	WRTC_RPC_DEFAULT_MAX_LINE = 1 << 20,   /**< Default request line cap (1 MiB). */
	WRTC_RPC_DEFAULT_MAX_CLIENTS = 64,     /**< Default concurrent connections. */
	WRTC_RPC_ACL_MAX = 64,                 /**< Prefixes in one allow-list. */
	WRTC_RPC_TOKEN_MAX = 256,              /**< Longest shared token, in bytes. */
};

/** An error a handler (or a parameter helper) reports. */
struct wrtc_rpc_error {
	int code;                          /**< enum wrtc_rpc_code value (or another). */
	char message[WRTC_RPC_MSG_SIZE];   /**< One line naming the problem. */
};

/**
 * A method handler.
 *
 * @param params  the request's "params" object (an empty object when the
 *   request has none); borrowed, valid during the call.
 * @param ctx  the pointer given to wrtc_rpc_server_register().
 * @param err  zeroed on entry; fill it when failing.
 * @return a new reference to the result (any JSON value), or NULL on failure
 *   with @p err filled (an unfilled err becomes -32603 "internal error").
 */
typedef json_t *(wrtc_rpc_handler_fn)(json_t *params, void *ctx, struct wrtc_rpc_error *err);

/** Parameters of wrtc_rpc_server_create(). Zero fields take the defaults. */
struct wrtc_rpc_server_prm {
	const char *tcp_host;     /**< Numeric listen address ("127.0.0.1", "::1");
				       NULL = no TCP. */
	uint16_t tcp_port;        /**< TCP port; 0 = an ephemeral port (see _tcp_port()). */
	const char *unix_path;    /**< Unix socket path; NULL or "" = none. A stale socket
				       file there is replaced; any other file is an error. */
	size_t max_line;          /**< Longest request line in bytes (0 = 1 MiB). */
	size_t max_output;        /**< Pending reply bytes per client before it is dropped
				       (0 = 4 * max_line + 64 KiB). */
	unsigned int max_clients; /**< Concurrent connections (0 = 64); extra ones get an
				       error line and are closed. */
	/** TCP peers allowed to connect (copied); NULL or empty = any. Required
	 * (non-empty) when @p tcp_host is not a loopback address: create fails
	 * with EPERM otherwise. Connections from elsewhere are closed at once
	 * and counted (wrtc_rpc_server_stats()). */
	const struct wrtc_rpc_acl *allow;
	/** Shared secret (copied, at most WRTC_RPC_TOKEN_MAX bytes); NULL or "" =
	 * none. When set, every request needs a top-level "token" member equal
	 * to it, else it gets WRTC_RPC_UNAUTHORIZED. */
	const char *token;
	bool unix_set_owner;      /**< chown() the unix socket to @p unix_uid. */
	uid_t unix_uid;           /**< Its owner, if unix_set_owner. */
	bool unix_set_group;      /**< chown() the unix socket to group @p unix_gid. */
	gid_t unix_gid;           /**< Its group, if unix_set_group. */
	unsigned int unix_mode;   /**< chmod() the unix socket to this (e.g. 0660); 0 = as
				       created (umask). */
};

/** Counters of a server (wrtc_rpc_server_stats()). */
struct wrtc_rpc_server_stats {
	uint64_t accepted;        /**< Connections accepted (TCP and unix). */
	uint64_t refused_source;  /**< TCP connections closed: source not in the allow-list. */
	uint64_t refused_full;    /**< Connections refused: max_clients reached. */
	uint64_t unauthorized;    /**< Requests refused: token missing or wrong. */
};

/** One prefix of an allow-list. */
struct wrtc_rpc_acl_prefix {
	uint8_t family;      /**< AF_INET or AF_INET6. */
	uint8_t len;         /**< Prefix length in bits. */
	uint8_t addr[16];    /**< Network address (4 bytes used for IPv4). */
};

/**
 * An allow-list of source addresses for a control listener: plain data, so
 * a configuration can hold one and any listener (JSON-RPC, ng) can use it.
 * Zero-initialised = empty.
 */
struct wrtc_rpc_acl {
	unsigned int n;                                /**< Prefixes in use. */
	struct wrtc_rpc_acl_prefix p[WRTC_RPC_ACL_MAX]; /**< The prefixes. */
};

/**
 * Adds "ADDR" (a host) or "ADDR/LEN" (IPv4 or IPv6) to an allow-list.
 *
 * @return 0; -EINVAL if @p cidr is not a numeric address, the length is out
 *         of range or host bits are set past it ("10.0.0.1/8"); -ENOSPC if
 *         the list has WRTC_RPC_ACL_MAX entries.
 */
int
wrtc_rpc_acl_add(struct wrtc_rpc_acl *acl, const char *cidr);

/**
 * True if the peer @p sa is in the list, or the list is NULL or empty. An
 * IPv4-mapped IPv6 peer (::ffff:a.b.c.d) is matched as IPv4. A non-IP peer is
 * refused by a non-empty list.
 */
bool
wrtc_rpc_acl_allows(const struct wrtc_rpc_acl *acl, const struct sockaddr *sa, socklen_t len);

/** True if @p host is a numeric loopback address (127.0.0.0/8, ::1). */
bool
wrtc_rpc_host_is_loopback(const char *host);

/**
 * The rule for every control listener: one on a loopback address may do
 * without an allow-list; any other (wildcard addresses included) needs a
 * non-empty one.
 *
 * @return 0, -EPERM (not loopback and no list) or -EINVAL (@p host is not a
 *         numeric address).
 */
int
wrtc_rpc_acl_check_listen(const struct wrtc_rpc_acl *acl, const char *host);

/** Compares a presented token with the expected one in time that does not
 * depend on where they differ. */
bool
wrtc_rpc_token_equal(const char *expected, const char *given, size_t given_len);

struct wrtc_rpc_server;

/**
 * Create a server and open its listening sockets.
 *
 * A server with neither TCP nor unix socket is valid: feed it with
 * wrtc_rpc_server_handle_line() (tests, fuzzing).
 *
 * @return the server, or NULL with errno set: EINVAL (bad address or
 *   parameter), EADDRINUSE, EEXIST (unix path is not a socket), ENAMETOOLONG,
 *   ENOMEM, or another socket error.
 */
struct wrtc_rpc_server *
wrtc_rpc_server_create(const struct wrtc_rpc_server_prm *prm);

/**
 * Close every connection and listener, remove the unix socket file and free
 * the server. NULL is accepted and ignored.
 */
void
wrtc_rpc_server_free(struct wrtc_rpc_server *srv);

/**
 * Add a method.
 *
 * @param method  method name (copied).
 * @param fn  its handler.
 * @param ctx  passed to @p fn.
 * @return 0, -EEXIST (already registered), -EINVAL, -ENOMEM.
 */
int
wrtc_rpc_server_register(struct wrtc_rpc_server *srv, const char *method,
			 wrtc_rpc_handler_fn *fn, void *ctx);

/**
 * Accept connections, read requests, run handlers and write replies.
 *
 * @param timeout_ms  how long to wait for socket activity when there is no
 *   buffered work (0 = never wait, -1 = wait forever).
 * @return the number of requests handled (>= 0), or -errno if poll() failed.
 */
int
wrtc_rpc_server_poll(struct wrtc_rpc_server *srv, int timeout_ms);

/** @return the most pollfd entries wrtc_rpc_server_pollfds() fills. */
unsigned int
wrtc_rpc_server_pollfds_max(const struct wrtc_rpc_server *srv);

/**
 * The sockets the server waits on, for a caller that waits on them together
 * with sockets of its own (then calls wrtc_rpc_server_poll() with 0).
 *
 * @param pfds  receives the entries (events set, revents 0).
 * @param max   room in @p pfds: less than wrtc_rpc_server_pollfds_max()
 *   fills nothing and sets *timeout_ms to 0.
 * @param timeout_ms  in: the caller's wait (ms, -1 = forever); out: 0 when a
 *   client has a request buffered already, or lowered to a closing client's
 *   deadline.
 * @return the entries filled.
 */
unsigned int
wrtc_rpc_server_pollfds(const struct wrtc_rpc_server *srv, struct pollfd *pfds, unsigned int max,
			int *timeout_ms);

/**
 * Handle one request line without any socket (the dispatcher the server
 * uses for every line).
 *
 * @param line  the request, without its newline (need not be NUL-terminated).
 * @param len  its length.
 * @return the reply line without newline (free() it), or NULL when there is
 *   no reply (a notification, a blank line, or out of memory).
 */
char *
wrtc_rpc_server_handle_line(struct wrtc_rpc_server *srv, const char *line, size_t len);

/** @return the bound TCP port (useful with tcp_port 0), or 0 without TCP. */
uint16_t
wrtc_rpc_server_tcp_port(const struct wrtc_rpc_server *srv);

/** @return the number of connected clients. */
unsigned int
wrtc_rpc_server_clients(const struct wrtc_rpc_server *srv);

/** Copies the server's counters into @p out. */
void
wrtc_rpc_server_stats(const struct wrtc_rpc_server *srv, struct wrtc_rpc_server_stats *out);

/**
 * Fill an error: code and a printf-style message.
 *
 * @return -EINVAL, so a helper can `return wrtc_rpc_error_set(...)`.
 */
int
wrtc_rpc_error_set(struct wrtc_rpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * @defgroup wrtc_rpc_param Parameter helpers
 *
 * Fetch a typed member of a params object. On a bad or missing parameter they
 * fill @p err with -32602 and a message naming it ("call_id: missing",
 * "sdp: must be a string") and return -EINVAL; otherwise they return 0.
 * Strings point into @p params and live as long as it does.
 * @{
 */

/** A required non-empty string. */
int
wrtc_rpc_param_str(const json_t *params, const char *name, const char **out,
		   struct wrtc_rpc_error *err);

/** An optional string; *out = @p def when absent or null. */
int
wrtc_rpc_param_str_opt(const json_t *params, const char *name, const char *def,
		       const char **out, struct wrtc_rpc_error *err);

/** A required integer in [min, max]. */
int
wrtc_rpc_param_int(const json_t *params, const char *name, int64_t min, int64_t max,
		   int64_t *out, struct wrtc_rpc_error *err);

/** An optional integer in [min, max]; *out = @p def when absent or null. */
int
wrtc_rpc_param_int_opt(const json_t *params, const char *name, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct wrtc_rpc_error *err);

/** An optional boolean; *out = @p def when absent or null. */
int
wrtc_rpc_param_bool_opt(const json_t *params, const char *name, bool def, bool *out,
			struct wrtc_rpc_error *err);

/** An optional object; *out = NULL when absent or null. */
int
wrtc_rpc_param_obj_opt(const json_t *params, const char *name, json_t **out,
		       struct wrtc_rpc_error *err);

/**
 * Reject members of @p params not in @p names (NULL-terminated list), with
 * "NAME: unknown parameter". Methods whose params may grow should not call it.
 */
int
wrtc_rpc_param_only(const json_t *params, const char *const *names,
		    struct wrtc_rpc_error *err);

/** @} */

#ifdef __cplusplus
}
#endif

#endif
