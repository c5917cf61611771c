/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Calls, legs and streams on the control lcore, the front-end-neutral
 * functions that drive them (offer, answer, delete, query, list,
 * statistics), and the JSON-RPC methods, a thin translator over those
 * functions (the ng front end, lib/ng, is the other one).
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

enum {
	WRTC_SESSION_KEEP = -1,        /**< A struct wrtc_session_profile field left alone. */
	WRTC_SESSION_MAX_CODEC_EDITS = 8, /**< Codec names per list of a profile. */
	WRTC_SESSION_CODEC_NAME = 32,  /**< Size of one codec name. */
	WRTC_SESSION_ERR_SIZE = 256,   /**< Size of a failure message. */
};

/**
 * How a front end changes one leg's profile on top of its trunk group (the
 * ng flags). Start from wrtc_session_profile_init(): every field KEEP, both
 * lists empty, which leaves the trunk group's profile unchanged.
 */
struct wrtc_session_profile {
	int kind;            /**< KEEP or enum wrtc_config_trunk_kind (SDP side). */
	int ice;             /**< KEEP or enum wrtc_config_ice. */
	int dtls;            /**< KEEP, 0 or 1: keys by DTLS-SRTP (1 implies SRTP, no SDES). */
	int dtls_role;       /**< KEEP or enum wrtc_config_dtls_role. */
	int sdes;            /**< KEEP, 0 or 1: SDES-SRTP (1 implies SRTP, no DTLS). */
	int rtcp_mux;        /**< KEEP, 0 or 1. */
	int address_type;    /**< KEEP or enum wrtc_config_addr_type. */
	int transcode;       /**< KEEP, 0 or 1. */
	int latch;           /**< KEEP or enum wrtc_config_latch (endpoint learning). */
	char media_address[48]; /**< Numeric address written into this leg's SDP (c=, o=)
				     instead of the interface's; "" = the interface's. */
	int trickle;         /**< KEEP, 0 or 1: this leg takes trickled candidates, so the
				  gateway's SDP to it says a=ice-options:trickle (KEEP: when
				  the leg's own SDP said so). */
	uint32_t sdes_no;    /**< SDES suites not used (bit per enum wrtc_config_srtp_suite). */
	uint32_t sdes_only;  /**< When not 0: SDES suites used, all others dropped. */
	unsigned int n_strip; /**< Codecs not offered to this leg ("all" = every one). */
	char strip[WRTC_SESSION_MAX_CODEC_EDITS][WRTC_SESSION_CODEC_NAME]; /**< Encoding names. */
	unsigned int n_add;  /**< Codecs added to this leg's list (codec_entries names or
				  encoding names), transcoded when the other leg lacks them. */
	char add[WRTC_SESSION_MAX_CODEC_EDITS][WRTC_SESSION_CODEC_NAME]; /**< Names. */
	unsigned int n_accept; /**< Codecs of the other leg's offer kept towards it even when
				    this leg answers another one (transcoded; "all" = any). */
	char accept[WRTC_SESSION_MAX_CODEC_EDITS][WRTC_SESSION_CODEC_NAME]; /**< Names. */
	unsigned int n_keep; /**< Codecs a strip of "all" leaves in place. */
	char keep[WRTC_SESSION_MAX_CODEC_EDITS][WRTC_SESSION_CODEC_NAME]; /**< Names. */
};

/** Set every field of @p p to KEEP and empty its lists. */
void wrtc_session_profile_init(struct wrtc_session_profile *p);

/** What wrtc_session_offer() needs. */
struct wrtc_session_offer_prm {
	const char *call_id;     /**< Call id (required, < 256 characters). */
	const char *from_tag;    /**< Tag of the offering side (required). */
	const char *sdp;         /**< The offer. */
	size_t sdp_len;          /**< Its length. */
	const char *calling;     /**< Optional ids for status, or NULL. */
	const char *called;      /**< Optional. */
	int tg[2];               /**< Trunk group of the offerer (leg 0) and of the answerer
				      (leg 1); re-offers keep the call's. */
	const struct wrtc_session_profile *profile[2]; /**< Per-leg changes, or NULL. Applied
				      when the call is created. */
	bool ice_restart;        /**< Re-offer: the gateway restarts ICE towards the leg the
				      offer goes to (new ice-ufrag/ice-pwd in the SDP returned;
				      RFC 8445 9.1.1); an error if that leg runs no ICE. */
};

/**
 * Process an offer (a new call, or a re-offer from either leg).
 *
 * @param out  receives the SDP for the other side (free() it).
 * @param err  receives a one-line reason naming the field on failure.
 * @return 0; -EINVAL (bad parameter or SDP), -EBUSY (control.max_calls
 *   reached), -ENOSPC (no media port left), -ENOMEM, or another -errno from
 *   setting up the streams.
 */
int wrtc_session_offer(struct wrtc_session_mgr *mgr, const struct wrtc_session_offer_prm *prm,
		       char **out, char *err, size_t errlen);

/**
 * Trickled ICE candidates of one side of a call (RFC 8840 SDP fragment:
 * a=ice-ufrag/pwd, m= lines with a=mid, a=candidate, a=end-of-candidates),
 * as ng delivers them in an offer with the `fragment` flag.
 *
 * @param tag  the side that sent them.
 * @param added  receives the number of candidates given to ICE agents.
 * @return 0; -ENOENT (no call), -EINVAL (tag, fragment), -ENOTSUP (no ICE on
 *   that side), -ESTALE (candidates of another ICE generation).
 */
int wrtc_session_trickle(struct wrtc_session_mgr *mgr, const char *call_id, const char *tag,
			 const char *frag, size_t len, unsigned int *added, char *err,
			 size_t errlen);

/** @return true when a call with this id exists. */
bool wrtc_session_call_exists(struct wrtc_session_mgr *mgr, const char *call_id);

/**
 * Process the answer to a call's pending offer.
 *
 * @param from_tag  tag of either side (the offerer's, as ng and JSON-RPC send it).
 * @param to_tag  tag of the answering side.
 * @return 0 with *@p out the SDP for the offerer; -ENOENT (no call), -EINVAL, -ENOSPC,
 *   -ENOMEM.
 */
int wrtc_session_answer(struct wrtc_session_mgr *mgr, const char *call_id, const char *from_tag,
			const char *to_tag, const char *sdp, size_t sdp_len, char **out,
			char *err, size_t errlen);

/**
 * End a call.
 *
 * @param from_tag  optional (NULL): must name one of its legs.
 * @param final  receives the final status (as wrtc_session_query() gives it).
 * @return 0; -ENOENT (no call), -EINVAL (tag), or -errno when a worker did not
 *   release the streams.
 */
int wrtc_session_delete(struct wrtc_session_mgr *mgr, const char *call_id, const char *from_tag,
			json_t **final, char *err, size_t errlen);

/**
 * Detail status of a call.
 * @return 0 with *@p status a new reference; -ENOENT, -ENOMEM.
 */
int wrtc_session_query(struct wrtc_session_mgr *mgr, const char *call_id, json_t **status,
		       char *err, size_t errlen);

/**
 * The calls, oldest first, as the `list` method returns them.
 * @param limit  at most this many calls (0 = all).
 * @return a new reference ({"calls": [...]}), or NULL when out of memory.
 */
json_t *wrtc_session_list(struct wrtc_session_mgr *mgr, unsigned int limit);

/** @return the configuration the manager runs with. */
const struct wrtc_config *wrtc_session_config(const struct wrtc_session_mgr *mgr);

/** The `policers` method's result (new reference). */
json_t *wrtc_session_policers(struct wrtc_session_mgr *mgr);

/**
 * Tests only: with @p empty, take every free control message out of the
 * manager's pool, so the next post that finds no reply to recycle is lost
 * (degraded call, ctrl_lost); without, give them back.
 */
void wrtc_session_test_pool_empty(struct wrtc_session_mgr *mgr, bool empty);

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

/**
 * How long the control lcore may wait (on its sockets) before
 * wrtc_session_poll() has something due: the next ICE/DTLS or call timer,
 * the route retry and the once-a-second work. Packets the workers punt and
 * their replies have no descriptor to wait on: @p max_us bounds how long
 * they wait (a call with a capture open bounds it to 100 us, the capture
 * ring holding that much).
 * @return microseconds, 0..max_us.
 */
uint64_t wrtc_session_idle_us(const struct wrtc_session_mgr *mgr, uint64_t max_us);

/**
 * Rebuild the calls stored in Redis (configuration `ha`; docs/lib/ha.rst):
 * call after the workers run and before the RPC server is first polled. Each
 * record's offer and answer are replayed with its ports, ICE credentials and
 * SDES keys; a record that cannot be rebuilt is logged and counted
 * (statistics ha.restore_failed). Blocks (Redis reads with a timeout).
 * @return 0 (also when `ha` is off), or -errno when Redis could not be read
 *   (the calls restored until then are kept).
 */
int wrtc_session_ha_restore(struct wrtc_session_mgr *mgr);

/** Global statistics as the `statistics` method returns them (new reference). */
json_t *wrtc_session_statistics(struct wrtc_session_mgr *mgr);

#endif
