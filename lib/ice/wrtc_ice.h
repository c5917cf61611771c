/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * ICE agents (RFC 8445, RFC 8839 usage) with consent freshness (RFC 7675),
 * full or lite, for one component of one media stream. EAL-free.
 *
 * An agent lives on the control lcore: it is single threaded and takes no
 * locks. It never reads a clock and never does I/O. The caller passes the
 * time (microseconds, any monotonic origin) to every call that needs it,
 * hands it every STUN message received on the stream's local addresses with
 * wrtc_ice_agent_handle_stun(), calls wrtc_ice_agent_tick() when
 * wrtc_ice_agent_next_tick() says so (or every few milliseconds), and gets
 * STUN messages to send through the send callback and state changes through
 * the event callback. Callbacks run inside the agent call that caused them
 * and must not call back into the same agent.
 *
 * Transport addresses are struct sockaddr_storage holding AF_INET or
 * AF_INET6 with the port in network order. A local candidate's @c base is the
 * address the gateway actually sends from and receives on; all pairs use
 * it. Remote candidates of every type (host, srflx, prflx, relay) are plain
 * addresses to the agent: a TURN-relayed candidate is checked like any other.
 *
 * Media rule: only the selected (nominated) pair may carry media, in both
 * directions; wrtc_ice_agent_is_remote_allowed() says whether a source is
 * acceptable. A restart (wrtc_ice_agent_restart()) keeps the previous
 * selected pair in use until a pair of the new generation is nominated.
 */
#ifndef WRTC_ICE_H
#define WRTC_ICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Limits per agent. */
enum {
	WRTC_ICE_MAX_LOCAL = 16,        /**< Local candidates. */
	WRTC_ICE_MAX_REMOTE = 32,       /**< Remote candidates (SDP and peer-reflexive). */
	WRTC_ICE_MAX_PAIRS = 128,       /**< Candidate pairs in the check list. */
	WRTC_ICE_MAX_TXN = 32,          /**< Outstanding STUN transactions. */
	WRTC_ICE_UFRAG_MAX = 256,       /**< ice-ufrag length (RFC 8839). */
	WRTC_ICE_PWD_MAX = 256,         /**< ice-pwd length (RFC 8839). */
	WRTC_ICE_FOUNDATION_MAX = 32,   /**< Foundation length. */
};

/** Agent implementation; NONE only appears in status for an unknown peer. */
enum wrtc_ice_mode {
	WRTC_ICE_MODE_NONE,   /**< No ICE / not known yet. */
	WRTC_ICE_MODE_FULL,   /**< Full agent. */
	WRTC_ICE_MODE_LITE,   /**< Lite agent (RFC 8445 2.5): answers checks only. */
};

/** Role. */
enum wrtc_ice_role {
	WRTC_ICE_ROLE_CONTROLLING,   /**< Nominates. */
	WRTC_ICE_ROLE_CONTROLLED,    /**< Is nominated. */
};

/** Agent state (the names of RTCIceConnectionState). */
enum wrtc_ice_state {
	WRTC_ICE_STATE_NEW,            /**< Created, nothing exchanged. */
	WRTC_ICE_STATE_CHECKING,       /**< Checks running, nothing nominated. */
	WRTC_ICE_STATE_CONNECTED,      /**< The old selected pair carries media during a restart. */
	WRTC_ICE_STATE_COMPLETED,      /**< A pair is nominated and checking is over. */
	WRTC_ICE_STATE_FAILED,         /**< Every pair failed, or consent expired. */
	WRTC_ICE_STATE_DISCONNECTED,   /**< Consent not refreshed for a while, not yet expired. */
};

/** Candidate types. */
enum wrtc_ice_cand_type {
	WRTC_ICE_CAND_HOST,    /**< host */
	WRTC_ICE_CAND_SRFLX,   /**< srflx: e.g. the advertised (1:1 NAT) address */
	WRTC_ICE_CAND_PRFLX,   /**< prflx: learned from a check */
	WRTC_ICE_CAND_RELAY,   /**< relay: TURN-relayed */
};

/** A candidate, local or remote. */
struct wrtc_ice_cand {
	enum wrtc_ice_cand_type type;     /**< Type. */
	struct sockaddr_storage addr;     /**< Transport address, as in SDP. */
	struct sockaddr_storage base;     /**< Local only: address sent from; family 0 = @c addr. */
	uint32_t priority;                /**< 0: computed (RFC 8445 5.1.2.1). */
	char foundation[WRTC_ICE_FOUNDATION_MAX + 1]; /**< "": derived from type and base. */
};

/** Event kinds. */
enum wrtc_ice_event_type {
	WRTC_ICE_EVENT_STATE,           /**< @c state changed. */
	WRTC_ICE_EVENT_SELECTED_PAIR,   /**< The selected pair is now @c local / @c remote. */
	WRTC_ICE_EVENT_CONSENT_LOST,    /**< Consent expired on @c local / @c remote: stop media. */
	WRTC_ICE_EVENT_ROLE,            /**< Role changed after a conflict: @c role. */
};

/** An event; pointers are valid during the callback only. */
struct wrtc_ice_event {
	enum wrtc_ice_event_type type;          /**< Kind. */
	enum wrtc_ice_state state;              /**< Current state. */
	enum wrtc_ice_role role;                /**< Current role. */
	const struct sockaddr_storage *local;   /**< Pair local (base) address, or NULL. */
	const struct sockaddr_storage *remote;  /**< Pair remote address, or NULL. */
};

/**
 * Send a STUN message. Called from inside agent calls.
 *
 * @param opaque  prm->opaque.
 * @param local   Local (base) address to send from.
 * @param remote  Destination.
 * @param buf     Message.
 * @param len     Its size.
 * @return        0, or -errno (counted as a send error).
 */
typedef int (wrtc_ice_send_fn)(void *opaque, const struct sockaddr_storage *local,
			       const struct sockaddr_storage *remote, const uint8_t *buf,
			       size_t len);

/**
 * Receive an event. Called from inside agent calls.
 */
typedef void (wrtc_ice_event_fn)(void *opaque, const struct wrtc_ice_event *ev);

/** Creation parameters. Zero timers take the defaults shown. */
struct wrtc_ice_agent_prm {
	enum wrtc_ice_mode mode;            /**< FULL or LITE. */
	enum wrtc_ice_role role;            /**< Initial role; a lite agent is always controlled. */
	const char *ufrag;                  /**< Local ice-ufrag (4..256 ice-chars). */
	const char *pwd;                    /**< Local ice-pwd (22..256 ice-chars). */
	uint64_t tie_breaker;               /**< Random 64-bit tie-breaker. */
	const struct wrtc_ice_cand *local;  /**< Local candidates. */
	unsigned int n_local;               /**< Their count (1..WRTC_ICE_MAX_LOCAL). */
	wrtc_ice_send_fn *send;             /**< Required. */
	wrtc_ice_event_fn *event;           /**< May be NULL. */
	void *opaque;                       /**< Passed to both callbacks. */
	uint64_t ta_us;                     /**< Check pacing Ta (50 000). */
	uint64_t rto_us;                    /**< First retransmission timeout (500 000). */
	uint64_t rto_max_us;                /**< Retransmission timeout cap (1 600 000). */
	unsigned int max_tx;                /**< Transmissions of one check (7). */
	uint64_t nomination_delay_us;       /**< Controlling: wait for better pairs (300 000). */
	uint64_t consent_interval_us;       /**< Consent check period, +-20 % jitter (5 000 000). */
	uint64_t consent_timeout_us;        /**< Consent expiry (30 000 000). */
	uint64_t disconnected_us;           /**< No consent this long: DISCONNECTED (15 000 000). */
};

/** Counters, written by the agent only. */
struct wrtc_ice_counters {
	uint64_t rx_requests;          /**< Binding requests accepted. */
	uint64_t rx_responses;         /**< Responses matched to a transaction. */
	uint64_t rx_malformed;         /**< Datagrams that did not parse (see stun_stats). */
	uint64_t rx_unknown_txn;       /**< Responses with no matching transaction. */
	uint64_t rx_bad_integrity;     /**< Bad MESSAGE-INTEGRITY (401 sent, response dropped). */
	uint64_t rx_unknown_user;      /**< USERNAME not ours (401 sent). */
	uint64_t rx_bad_request;       /**< Missing USERNAME/MESSAGE-INTEGRITY (400 sent). */
	uint64_t rx_unknown_attr;      /**< Unknown comprehension-required attributes (420 sent). */
	uint64_t rx_unknown_local;     /**< Arrived on an address that is not a local base. */
	uint64_t rx_other;             /**< Indications and non-Binding methods, ignored. */
	uint64_t role_conflicts;       /**< Role conflicts (487 sent or received, or switched). */
	uint64_t prflx_learned;        /**< Peer-reflexive remote candidates learned. */
	uint64_t tx_checks;            /**< Connectivity checks sent (first transmissions). */
	uint64_t tx_retransmits;       /**< Retransmissions. */
	uint64_t tx_responses;         /**< Success responses sent. */
	uint64_t tx_errors;            /**< Error responses sent. */
	uint64_t tx_consent;           /**< Consent checks sent. */
	uint64_t send_failures;        /**< The send callback returned an error. */
	uint64_t timeouts;             /**< Transactions that got no answer. */
	uint64_t pair_failures;        /**< Pairs that failed. */
	uint64_t dropped_full;         /**< Dropped because a table was full. */
	uint64_t rx_new_gen_prev_key;  /**< Restart: checks of the peer's new generation signed
	                                    with our previous credentials (accepted). */
	uint64_t rx_stale_gen;         /**< Restart: previous-generation checks off the old
	                                    selected pair once the new one is signalled (401). */
};

/** The status dump for `query`. */
struct wrtc_ice_status {
	enum wrtc_ice_state state;              /**< State. */
	enum wrtc_ice_mode local_mode;          /**< Ours. */
	enum wrtc_ice_mode remote_mode;         /**< The peer's (NONE until credentials are set). */
	enum wrtc_ice_role role;                /**< Current role. */
	bool has_selected;                      /**< A pair is selected. */
	struct sockaddr_storage selected_local; /**< Its local (base) address. */
	struct sockaddr_storage selected_remote;/**< Its remote address. */
	bool consent;                           /**< Media may be sent on the selected pair. */
	uint64_t consent_age_us;                /**< Time since consent was last refreshed. */
	bool restarting;                        /**< A restart awaits its nomination. */
	unsigned int n_local;                   /**< Local candidates. */
	unsigned int n_remote;                  /**< Remote candidates. */
	unsigned int n_pairs;                   /**< Pairs in the check list. */
	unsigned int n_valid;                   /**< Valid pairs. */
	unsigned int generation;                /**< Restarts so far. */
	struct wrtc_ice_counters counters;      /**< Counters. */
};

/** Opaque agent. */
struct wrtc_ice_agent;

/**
 * Create an agent.
 *
 * @param prm  Parameters (copied).
 * @return     The agent, or NULL with errno: EINVAL (bad parameter), ENOMEM, EIO (crypto).
 */
struct wrtc_ice_agent *
wrtc_ice_agent_create(const struct wrtc_ice_agent_prm *prm);

/**
 * Free an agent. NULL is a no-op. No callback is called.
 *
 * @param agent  Agent or NULL.
 */
void
wrtc_ice_agent_free(struct wrtc_ice_agent *agent);

/**
 * The local candidates as the agent uses them, for the SDP (a=candidate):
 * base, priority and foundation are filled in.
 *
 * @param agent  Agent.
 * @param out    Array to fill.
 * @param max    Its size.
 * @return       The number of local candidates (may exceed @p max), or -EINVAL.
 */
int
wrtc_ice_agent_local_candidates(const struct wrtc_ice_agent *agent, struct wrtc_ice_cand *out,
				unsigned int max);

/**
 * Set the peer's credentials (a=ice-ufrag, a=ice-pwd, a=ice-lite). A full
 * agent starts checking on the next tick once it has credentials and pairs.
 * After a restart this sets the new generation's remote credentials.
 *
 * @param agent  Agent.
 * @param ufrag  Remote ufrag.
 * @param pwd    Remote password.
 * @param lite   The peer is a lite agent (we then are controlling).
 * @return       0, -EINVAL, -EIO.
 */
int
wrtc_ice_agent_set_remote_credentials(struct wrtc_ice_agent *agent, const char *ufrag,
				      const char *pwd, bool lite);

/**
 * Add a remote candidate (from SDP or trickle). Duplicates of a known address
 * update its type and priority (a learned prflx becomes what SDP says).
 *
 * @param agent  Agent.
 * @param cand   Candidate (UDP; priority 0 is computed from the type).
 * @return       0, -EINVAL, -EAFNOSUPPORT, -ENOSPC.
 */
int
wrtc_ice_agent_add_remote_candidate(struct wrtc_ice_agent *agent,
				    const struct wrtc_ice_cand *cand);

/**
 * No more remote candidates will come (a=end-of-candidates, or the SDP had
 * them all). Only then can a full agent decide that checking failed.
 *
 * @param agent  Agent (NULL is ignored).
 */
void
wrtc_ice_agent_end_of_candidates(struct wrtc_ice_agent *agent);

/**
 * Handle a STUN message received on the stream.
 *
 * @param agent   Agent.
 * @param local   Address it arrived on (must be a local candidate's base).
 * @param remote  Its source.
 * @param buf     UDP payload.
 * @param len     Its size.
 * @param now     Current time in microseconds.
 * @return        0 if consumed (answered or matched), or -errno when dropped
 *                (counted): -EBADMSG malformed, -EACCES bad integrity or
 *                unknown user (a 401 was sent for a request), -EPROTO bad
 *                request (400/420 sent), -ENOENT unknown transaction,
 *                -EADDRNOTAVAIL unknown local address, -EOPNOTSUPP not a
 *                Binding request/response, -ENOSPC table full.
 */
int
wrtc_ice_agent_handle_stun(struct wrtc_ice_agent *agent, const struct sockaddr_storage *local,
			   const struct sockaddr_storage *remote, const uint8_t *buf, size_t len,
			   uint64_t now);

/**
 * Run timers: pacing, retransmissions, nomination, consent, failure.
 *
 * @param agent  Agent.
 * @param now    Current time in microseconds.
 */
void
wrtc_ice_agent_tick(struct wrtc_ice_agent *agent, uint64_t now);

/**
 * When the agent next needs wrtc_ice_agent_tick().
 *
 * @return Absolute time in microseconds, UINT64_MAX if nothing is pending.
 */
uint64_t
wrtc_ice_agent_next_tick(const struct wrtc_ice_agent *agent);

/**
 * ICE restart with new local credentials (RFC 8445 9). Remote candidates,
 * the check list and the remote credentials are reset (set the new ones
 * from the peer's SDP); the selected pair keeps carrying media until a pair
 * of the new generation is nominated. Requests using the old credentials
 * are answered until then on the old pair (on any pair until the new remote
 * credentials are set); a request signed with the old password that names
 * the peer's new ufrag is of the new generation (docs/lib/ice.rst).
 *
 * @param agent  Agent.
 * @param ufrag  New local ufrag.
 * @param pwd    New local password.
 * @param now    Current time in microseconds.
 * @return       0, -EINVAL, -EIO.
 */
int
wrtc_ice_agent_restart(struct wrtc_ice_agent *agent, const char *ufrag, const char *pwd,
		       uint64_t now);

/**
 * Where the peer's last authenticated request of the current generation off
 * the selected pair came from, until the next nomination (typically an ICE
 * restart: the new generation's checks, even those that arrive before the
 * re-offer). A peer may move its media to a new pair before it nominates it
 * (Chromium sends on the connection it selected, and nominates it with its
 * next check, up to a second or two later): the caller accepts media from
 * this address too until the nomination (RFC 8445 12.1: be prepared to
 * receive media on any pair a check validated), and keeps sending on the
 * selected pair.
 *
 * @param agent   Agent.
 * @param remote  Out: the address.
 * @return 0, or -ENOENT (no selected pair, or no such request since the
 *         last nomination).
 */
int
wrtc_ice_agent_restart_remote(const struct wrtc_ice_agent *agent, struct sockaddr_storage *remote);

/**
 * Current state.
 *
 * @param agent  Agent (NULL gives WRTC_ICE_STATE_NEW).
 * @return       The state.
 */
enum wrtc_ice_state
wrtc_ice_agent_state(const struct wrtc_ice_agent *agent);

/**
 * Current role (it may change after a role conflict).
 *
 * @param agent  Agent.
 * @return       The role.
 */
enum wrtc_ice_role
wrtc_ice_agent_role(const struct wrtc_ice_agent *agent);

/**
 * The selected pair.
 *
 * @param agent   Agent.
 * @param local   Filled with its local (base) address; may be NULL.
 * @param remote  Filled with its remote address; may be NULL.
 * @return        0, or -ENOENT if no pair is selected.
 */
int
wrtc_ice_agent_selected_pair(const struct wrtc_ice_agent *agent, struct sockaddr_storage *local,
			     struct sockaddr_storage *remote);

/**
 * Take a pair selected by an earlier instance of this agent (a call restored
 * after a gateway restart, lib/session's HA): the pair from the local
 * candidate whose base is @p local to @p remote (learned as peer-reflexive
 * when unknown) is made valid and nominated, and the SELECTED_PAIR event
 * fires as for a nomination. The peer's consent checks then keep it.
 *
 * @param agent   Agent (remote credentials set).
 * @param local   Base address of one of the local candidates.
 * @param remote  Remote address of the pair.
 * @param now     Current time.
 * @return        0; -ENOENT (no such local candidate), -ENOSPC (tables full),
 *                -EAFNOSUPPORT.
 */
int
wrtc_ice_agent_restore_selected(struct wrtc_ice_agent *agent, const struct sockaddr_storage *local,
				const struct sockaddr_storage *remote, uint64_t now);

/**
 * May media be exchanged with @p remote? True only for the remote address of
 * the selected pair while consent holds.
 *
 * @param agent   Agent.
 * @param remote  Source (or destination) address of a media packet.
 * @return        true if allowed.
 */
bool
wrtc_ice_agent_is_remote_allowed(const struct wrtc_ice_agent *agent,
				 const struct sockaddr_storage *remote);

/**
 * Fill a status dump.
 *
 * @param agent  Agent.
 * @param now    Current time (for the consent age).
 * @param st     Output.
 * @return       0 or -EINVAL.
 */
int
wrtc_ice_agent_status(const struct wrtc_ice_agent *agent, uint64_t now,
		      struct wrtc_ice_status *st);

/**
 * The agent's STUN parse counters (by enum wrtc_stun_err of lib/stun),
 * indexed 0..n-1.
 *
 * @param agent  Agent.
 * @param n      Filled with the number of entries.
 * @return       The array, valid while the agent lives.
 */
const uint64_t *
wrtc_ice_agent_stun_errors(const struct wrtc_ice_agent *agent, unsigned int *n);

/**
 * State name for `query`.
 *
 * @param state  State.
 * @return       "new", "checking", "connected", "completed", "failed", "disconnected",
 *               or "unknown".
 */
const char *
wrtc_ice_state_name(enum wrtc_ice_state state);

/**
 * Mode name for the ICE call types of `query`.
 *
 * @param mode  Mode.
 * @return      "none", "full", "lite", or "unknown".
 */
const char *
wrtc_ice_mode_name(enum wrtc_ice_mode mode);

/**
 * Role name.
 *
 * @param role  Role.
 * @return      "controlling" or "controlled".
 */
const char *
wrtc_ice_role_name(enum wrtc_ice_role role);

/**
 * Candidate type name, as in SDP.
 *
 * @param type  Type.
 * @return      "host", "srflx", "prflx", "relay", or "unknown".
 */
const char *
wrtc_ice_cand_type_name(enum wrtc_ice_cand_type type);

/**
 * Candidate priority (RFC 8445 5.1.2.1): type preference (host 126, prflx
 * 110, srflx 100, relay 0) << 24 | local_pref << 8 | (256 - component).
 *
 * @param type        Candidate type.
 * @param local_pref  Local preference (65535 is the most preferred).
 * @param component   Component id, 1..256 (1 for RTP or rtcp-mux).
 * @return            The priority.
 */
uint32_t
wrtc_ice_priority(enum wrtc_ice_cand_type type, uint16_t local_pref, unsigned int component);

#ifdef __cplusplus
}
#endif

#endif
