/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private structures of the ice library. Every field is written by the
 * control lcore, the only thread that touches an agent.
 */
#ifndef ICE_PRIV_H
#define ICE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "wrtc_ice.h"
#include "wrtc_stun.h"

enum {
	ICE_COMPONENT = 1,      /* One component per agent (rtcp-mux or one agent per component). */
	ICE_NO_PAIR = -1,
};

/* Pair states (RFC 8445 6.1.2.6). */
enum ice_pair_state {
	PAIR_FROZEN,
	PAIR_WAITING,
	PAIR_IN_PROGRESS,
	PAIR_SUCCEEDED,
	PAIR_FAILED,
};

/* One credential generation: local ufrag/pwd and, once known, the peer's. */
struct ice_gen {
	bool used;                      /* Slot in use. */
	bool retired;                   /* Previous generation after the restart completed: only
	                                 * its local ufrag/password still authenticate, and only
	                                 * checks naming the current peer ufrag (ice_stun.c). */
	unsigned int id;                /* Increases by one per restart. */
	char lufrag[WRTC_ICE_UFRAG_MAX + 1];
	struct wrtc_stun_key *lkey;     /* Local password: requests to us, our responses. */
	bool have_remote;               /* Remote credentials set. */
	bool remote_lite;               /* The peer said a=ice-lite. */
	char rufrag[WRTC_ICE_UFRAG_MAX + 1];
	struct wrtc_stun_key *rkey;     /* Remote password: our requests, their responses. */
};

struct ice_local {
	struct wrtc_ice_cand c;         /* With base, priority and foundation filled in. */
	bool pairable;                  /* First candidate with this base (others are redundant). */
};

struct ice_remote {
	struct wrtc_ice_cand c;         /* With priority and foundation filled in. */
};

struct ice_pair {
	uint8_t l;                      /* Index in agent->local. */
	uint8_t r;                      /* Index in agent->remote. */
	uint64_t prio;                  /* RFC 8445 6.1.2.3, for the current role. */
	enum ice_pair_state state;
	bool valid;                     /* A check on it succeeded (or, lite: a request came). */
	bool nominated;                 /* Nominated (USE-CANDIDATE check succeeded / received). */
	bool use_cand_rcvd;             /* Controlled: USE-CANDIDATE before our check passed. */
	bool queued;                    /* In the triggered-check queue. */
};

struct ice_txn {
	bool used;
	bool consent;                   /* Consent freshness check, not a connectivity check. */
	bool use_cand;                  /* Carried USE-CANDIDATE. */
	enum wrtc_ice_role role_sent;   /* Role claimed in the request (for 487). */
	int pair;                       /* Pair index for checks. */
	unsigned int gen_id;            /* Credential generation used. */
	uint8_t tid[WRTC_STUN_TID_SIZE];
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	uint64_t next_tx;               /* Next retransmission, or give-up time after the last. */
	uint64_t rto;                   /* Current retransmission timeout. */
	unsigned int ntx;               /* Transmissions so far. */
	unsigned int max_tx;
	uint8_t l;                      /* Local candidate index (for the PRIORITY we claim). */
};

struct wrtc_ice_agent {
	struct wrtc_ice_agent_prm prm;  /* Copy; local/ufrag/pwd pointers cleared. */
	enum wrtc_ice_mode mode;
	enum wrtc_ice_role role;
	enum wrtc_ice_state state;
	uint64_t tie_breaker;

	struct ice_gen gen[2];          /* gen[cur] is current, gen[!cur] the previous one. */
	unsigned int cur;
	unsigned int generation;        /* Restarts so far. */

	struct ice_local local[WRTC_ICE_MAX_LOCAL];
	unsigned int n_local;
	struct ice_remote remote[WRTC_ICE_MAX_REMOTE];
	unsigned int n_remote;
	unsigned int n_prflx;           /* For prflx foundations. */
	struct ice_pair pairs[WRTC_ICE_MAX_PAIRS];
	unsigned int n_pairs;
	uint16_t trig[WRTC_ICE_MAX_PAIRS]; /* Triggered-check FIFO of pair indices. */
	unsigned int trig_head;
	unsigned int trig_n;
	struct ice_txn txn[WRTC_ICE_MAX_TXN];

	bool started;                   /* A check was sent or a request answered. */
	bool end_of_cands;
	bool checks_done;               /* This generation nominated a pair. */
	uint64_t next_check;            /* Pacing: earliest time for the next check. */
	bool have_first_valid;
	uint64_t first_valid_at;
	int nominating;                 /* Controlling: pair with USE-CANDIDATE, or ICE_NO_PAIR. */

	bool has_sel;                   /* A pair is selected. */
	struct sockaddr_storage sel_local;
	struct sockaddr_storage sel_remote;
	uint64_t sel_prio;
	bool consent_ok;
	uint64_t last_consent;
	uint64_t consent_next;
	bool restarting;                /* Old selected pair used until the new one is nominated. */
	bool has_restart_remote;        /* restart_remote is set. */
	struct sockaddr_storage restart_remote; /* Where the peer's last authenticated
	                                 * current-generation request off the selected
	                                 * pair came from (until the next nomination). */

	struct wrtc_ice_counters cnt;
	struct wrtc_stun_stats stun;
};

/* ice_agent.c */
bool ice_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b);
int ice_find_local(const struct wrtc_ice_agent *ag, const struct sockaddr_storage *base);
int ice_find_remote(const struct wrtc_ice_agent *ag, const struct sockaddr_storage *addr);
int ice_add_remote(struct wrtc_ice_agent *ag, const struct wrtc_ice_cand *c, bool learned);
struct ice_gen *ice_gen_by_id(struct wrtc_ice_agent *ag, unsigned int id);
void ice_emit(struct wrtc_ice_agent *ag, enum wrtc_ice_event_type type,
	      const struct sockaddr_storage *local, const struct sockaddr_storage *remote);
void ice_update_state(struct wrtc_ice_agent *ag, uint64_t now);
void ice_set_role(struct wrtc_ice_agent *ag, enum wrtc_ice_role role);
void ice_end_restart(struct wrtc_ice_agent *ag);

/* ice_check.c */
int ice_find_pair(const struct wrtc_ice_agent *ag, unsigned int l, unsigned int r);
int ice_add_pair(struct wrtc_ice_agent *ag, unsigned int l, unsigned int r);
void ice_pair_prio_all(struct wrtc_ice_agent *ag);
void ice_trigger(struct wrtc_ice_agent *ag, int p);
void ice_pair_succeeded(struct wrtc_ice_agent *ag, int p, uint64_t now);
void ice_pair_failed(struct wrtc_ice_agent *ag, int p);
void ice_nominate(struct wrtc_ice_agent *ag, int p, uint64_t now);
struct ice_txn *ice_txn_find(struct wrtc_ice_agent *ag, const uint8_t *tid);
void ice_txn_cancel_checks(struct wrtc_ice_agent *ag, bool keep_consent);
int ice_random(void *buf, size_t len);

/* ice_stun.c */
int ice_send_response(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *req,
		      const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
		      int code, struct wrtc_stun_key *key);

#endif
