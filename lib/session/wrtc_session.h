/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Calls, legs and streams on the control lcore, and the JSON-RPC methods
 * that drive them (offer, answer, delete, query, list, statistics).
 *
 * A call has two legs: leg 0 faces the offerer (its `ingress` trunk group),
 * leg 1 the answerer (`egress`). Each m-line gets a port pair on each leg's
 * interface; the streams of a call all belong to one worker, chosen when the
 * call is created. The control lcore owns every object here; it changes a
 * worker's streams only through struct wrtc_flow_msg messages.
 */
#ifndef WRTC_SESSION_H
#define WRTC_SESSION_H

#include <stdint.h>

#include <jansson.h>

#include "wrtc_config.h"
#include "wrtc_metrics.h"
#include "wrtc_rpc.h"
#include "wrtc_worker.h"

struct wrtc_session_mgr;

/** What the session manager needs from the application. */
struct wrtc_session_prm {
	const struct wrtc_config *cfg;     /**< Loaded configuration (outlives the manager). */
	struct wrtc_dataplane *dp;         /**< Ports, interfaces and workers. */
	struct rte_mempool *mp;            /**< Mbufs for packets the control lcore sends. */
};

/**
 * Create the session manager on the control lcore.
 * @return the manager, or NULL with rte_errno set (ENOMEM, EINVAL).
 */
struct wrtc_session_mgr *wrtc_session_mgr_create(const struct wrtc_session_prm *prm);

/**
 * Remove every call while the workers still run (each worker lets go of the
 * streams before they are freed). Call before stopping the workers.
 */
void wrtc_session_mgr_shutdown(struct wrtc_session_mgr *mgr);

/**
 * Free the manager, after the workers have stopped (it frees their policer
 * instances); NULL is fine. Calls still present are removed first.
 */
void wrtc_session_mgr_free(struct wrtc_session_mgr *mgr);

/**
 * Take a reloaded configuration (SIGHUP), keeping every call. Applied: SDP
 * rules, codec entries, packet service profiles and trunk groups for new
 * offers, policer buckets and rates, control.media_timeout and max_calls.
 * Changed values that need a restart (interfaces, DTLS and crypto suite
 * profiles, the DTLS settings of a profile, the policer list, the control
 * listeners, workers) keep their running values in @p next, each logged as a
 * warning.
 *
 * @param next  the new configuration; on success the manager uses it from now
 *   on (it must outlive the manager, or the next reload), and the previous one
 *   is no longer referenced: the caller frees it. On failure nothing changed.
 * @param err  receives the reason on failure.
 * @param errlen  size of @p err.
 * @return 0, or -EINVAL: an entry calls refer to was removed, renamed or moved
 *   (they are referred to by position; entries may be added at the end), the
 *   interface, DTLS or crypto profile lists changed, a new profile uses DTLS,
 *   or an SDP rule did not compile.
 */
int wrtc_session_mgr_reload(struct wrtc_session_mgr *mgr, struct wrtc_config *next, char *err,
			    size_t errlen);

/** The `policers` method's result (new reference). */
json_t *wrtc_session_policers(struct wrtc_session_mgr *mgr);

/** Register offer/answer/delete/query/list/statistics on an RPC server. */
int wrtc_session_rpc_register(struct wrtc_session_mgr *mgr, struct wrtc_rpc_server *srv);

/**
 * Serve the gateway's metrics on @p srv (docs/deployment.md, "Metrics").
 * The server must be polled from the control lcore (the renderer reads the
 * sessions without locks).
 * @return 0, or -EINVAL.
 */
int wrtc_session_metrics_register(struct wrtc_session_mgr *mgr, struct wrtc_metrics_server *srv);

/**
 * One iteration of the control lcore's work: slow-path packets from the
 * workers (ARP, ND, ICMP echo, STUN, DTLS), worker replies, neighbour
 * resolution, and timers (media inactivity).
 * @return number of items handled (0 when idle).
 */
unsigned int wrtc_session_poll(struct wrtc_session_mgr *mgr);

/** Global statistics as the `statistics` method returns them (new reference). */
json_t *wrtc_session_statistics(struct wrtc_session_mgr *mgr);

#endif
