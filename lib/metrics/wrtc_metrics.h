/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Prometheus metrics: a text-exposition builder and an HTTP endpoint
 * (EAL-free).
 *
 * The builder writes the Prometheus text format (version 0.0.4): a `# HELP`
 * and `# TYPE` line per family, then one sample line per label set, label
 * values escaped. The endpoint is libmicrohttpd in external polling mode: it
 * never starts a thread, and wrtc_metrics_server_poll() does its socket work
 * without blocking, from the caller's thread. The render callback therefore
 * runs on the thread that polls (the control lcore in wrtcgw), so it may read
 * that thread's state without locks. docs/deployment.md lists the metrics.
 */
#ifndef WRTC_METRICS_H
#define WRTC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A growing text buffer for one scrape. */
struct wrtc_metrics_buf {
	char *data;      /**< NUL-terminated text (NULL until something is written). */
	size_t len;      /**< Bytes written, without the NUL. */
	size_t size;     /**< Bytes allocated. */
	bool failed;     /**< An allocation failed; the text is incomplete. */
};

/** Metric family types. */
enum wrtc_metrics_type {
	WRTC_METRICS_COUNTER,  /**< Monotonic; the name should end in `_total`. */
	WRTC_METRICS_GAUGE,    /**< Goes up and down. */
};

/** Release the buffer's memory (the struct itself is the caller's); NULL is fine. */
void wrtc_metrics_buf_fini(struct wrtc_metrics_buf *b);

/**
 * Start a family: `# HELP name help` and `# TYPE name type`. Write each
 * family once, then its samples.
 */
void wrtc_metrics_family(struct wrtc_metrics_buf *b, const char *name,
			 enum wrtc_metrics_type type, const char *help);

/**
 * One sample with an integer value.
 * @param labels  NULL, or an array of 2 * @p n_labels strings: name, value,
 *   name, value... Values are escaped (backslash, double quote, newline).
 */
void wrtc_metrics_u64(struct wrtc_metrics_buf *b, const char *name, const char *const *labels,
		      unsigned int n_labels, uint64_t value);

/** One sample with a floating-point value (as wrtc_metrics_u64()). */
void wrtc_metrics_double(struct wrtc_metrics_buf *b, const char *name,
			 const char *const *labels, unsigned int n_labels, double value);

/**
 * True if @p s is a valid metric or label name fragment after replacing
 * characters outside [a-zA-Z0-9_] by '_' (done in place); false if empty.
 */
bool wrtc_metrics_sanitize(char *s);

/**
 * Fill @p b with the current metrics.
 * @return 0, or a negative errno (the scrape is answered 500).
 */
typedef int (wrtc_metrics_render_fn)(struct wrtc_metrics_buf *b, void *ctx);

struct wrtc_metrics_server;

/** Endpoint parameters. */
struct wrtc_metrics_server_prm {
	const char *host;                /**< Numeric IPv4 or IPv6 listen address. */
	uint16_t port;                   /**< Listen port; 0 picks a free one (tests). */
	unsigned int max_connections;    /**< 0: 16. */
	unsigned int timeout_s;          /**< Idle connection timeout; 0: 10 s. */
};

/**
 * Listen on host:port. GET (and HEAD) of `/metrics` calls the render
 * callback; other paths are 404, other methods 405.
 * @return the server, or NULL with errno set (EINVAL: bad address;
 *   EADDRINUSE/EACCES...: from bind; ENOMEM).
 */
struct wrtc_metrics_server *wrtc_metrics_server_create(const struct wrtc_metrics_server_prm *prm);

/** Set the render callback (until set, scrapes are answered 503). */
void wrtc_metrics_server_set_render(struct wrtc_metrics_server *srv,
				    wrtc_metrics_render_fn *fn, void *ctx);

/**
 * Accept, read and write whatever is ready, without blocking; render
 * callbacks run from here. Cheap to call in a loop: the sockets are looked
 * at no more than once a millisecond.
 * @return 1 if the sockets were looked at, 0 if skipped, -EIO on an
 *   internal error.
 */
int wrtc_metrics_server_poll(struct wrtc_metrics_server *srv);

/**
 * The descriptor that becomes readable when a socket of the endpoint has
 * work (libmicrohttpd's epoll descriptor), for a caller that waits on it;
 * when it is readable, wrtc_metrics_server_kick() makes the next
 * wrtc_metrics_server_poll() look at the sockets at once.
 * @return the descriptor, or -1 if the library does not expose one.
 */
int wrtc_metrics_server_fd(const struct wrtc_metrics_server *srv);

/** The next wrtc_metrics_server_poll() does not skip the sockets. */
void wrtc_metrics_server_kick(struct wrtc_metrics_server *srv);

/** The bound port (useful after port 0). */
uint16_t wrtc_metrics_server_port(const struct wrtc_metrics_server *srv);

/** Scrapes of /metrics answered so far. */
uint64_t wrtc_metrics_server_scrapes(const struct wrtc_metrics_server *srv);

/** Stop listening, close connections and free; NULL is fine. */
void wrtc_metrics_server_free(struct wrtc_metrics_server *srv);

#endif
