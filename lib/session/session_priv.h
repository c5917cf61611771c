/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private structures of the session library. Everything here lives on the
 * control lcore; workers only see the struct wrtc_stream objects, through
 * messages.
 */
#ifndef WRTC_SESSION_PRIV_H
#define WRTC_SESSION_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <time.h>

#include <rte_log.h>

#include "wrtc_capture.h"
#include "wrtc_codec.h"
#include "wrtc_dtls.h"
#include "wrtc_flow.h"
#include "wrtc_ha.h"
#include "wrtc_ice.h"
#include "wrtc_metrics.h"
#include "wrtc_policer.h"
#include "wrtc_sdp.h"
#include "wrtc_srtp.h"
#include "wrtc_session.h"

extern int wrtc_session_logtype;
#define SESS_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, wrtc_session_logtype, "session: " fmt "\n", ##__VA_ARGS__)
/* Control-plane lines carry the call-id and leg (STYLE.md §6). */
#define CALL_LOG(lvl, call, fmt, ...) \
	SESS_LOG(lvl, "[%s] " fmt, (call)->id, ##__VA_ARGS__)

enum {
	SESS_MAX_MEDIA = 8,          /* m-lines per call */
	SESS_SDES_LOCAL = 4,         /* SDES keys offered per m-line */
	SESS_MAX_SOURCES = 16,       /* candidate sources per m-line and leg */
	SESS_ID_SIZE = 256,          /* call-id, tags */
	SESS_WAIT_US = 2000000,      /* longest wait for a worker to apply messages (shutdown) */
	SESS_RPC_WAIT_US = 250000,   /* longest wait inside an RPC (delete, offer rollback) */
	SESS_TIMER_WAIT_US = 1000,   /* longest wait of the one-second timer for removals */
	/* Upper bound of the messages one offer or answer posts per m-line, both
	 * legs: 2 INSTALL, remote/ICE/fallback/wire/media/SRTP UPDATEs and up to
	 * 16 candidate sources per leg. An offer or answer starts only when the
	 * worker's control ring has room for all of them (session_ctrl.c). */
	SESS_MSGS_PER_MEDIA = 64,
	/* Ring slots kept free for messages that are not part of an RPC (ICE
	 * selected pair, DTLS keys, timers). */
	SESS_CTRL_HEADROOM = 1024,
	/* Control messages per worker in the manager's pool: a full control
	 * ring and as many waiting for room behind it (session_ctrl.c). */
	SESS_MSG_POOL_PER_WORKER = 2 * WRTC_CTRL_RING_SIZE,
};

/* A result that must be looked at (STYLE.md: no result ignored). */
#define SESS_MUST_CHECK __attribute__((warn_unused_result))

/* Control messages waiting for room in a worker's control ring, in order
 * (session_ctrl.c). Nothing is ever dropped: a message only waits. */
struct ctrl_item;
STAILQ_HEAD(ctrl_backlog, ctrl_item);
STAILQ_HEAD(ctrl_free, ctrl_item);

struct ctrl_queue {
	struct ctrl_backlog backlog; /* posted, not yet in the ring */
	uint32_t n_backlog;
	uint64_t done_seq;           /* highest sequence number the worker has replied to */
	uint64_t last_seq;           /* sequence number of the last message posted to it */
};

/* Even RTP ports of one interface; port p+1 carries RTCP. */
struct port_pool {
	uint16_t min;                /* first RTP port (even) */
	uint32_t n_pairs;            /* pairs in the range */
	uint8_t *used;               /* [n_pairs] */
	uint32_t cursor;             /* next pair to try */
	uint32_t in_use;
};

struct wrtc_call;

/* A candidate address given to the worker's STUN/DTLS policers. */
struct leg_source {
	uint8_t family;
	uint8_t bytes[16];
	uint8_t type;
};

/* A timer embedded in the object it times (session_timer.c). */
struct sess_timer {
	uint64_t due;
	uint32_t pos;                /* heap index + 1; 0: not armed */
};

/* A min-heap of armed timers. */
struct sess_timers {
	struct sess_timer **h;
	uint32_t n;
	uint32_t cap;
};

/* One m-line on one leg. */
/* One quality sample (session_quality.c): from one RTCP report block. */
struct quality_sample {
	uint32_t mos10;              /* MOS x 10 */
	uint32_t loss_pct;
	uint32_t jitter_ms;
	uint32_t rtt_us;             /* both legs' round trips (as far as known) */
	uint32_t rtt_leg_us;         /* this leg's */
	time_t at;                   /* wall clock of the sample */
};

/* What this leg's peer reports about the media the gateway sends it. */
struct leg_quality {
	uint32_t seq_seen[2];        /* report seq of the rtp / rtcp stream last sampled */
	uint32_t ssrc;               /* source reported on */
	uint32_t samples;
	uint32_t rtt_leg_us;         /* last round trip of this leg; 0: none yet */
	uint64_t sum_mos10, sum_loss, sum_jitter, sum_rtt, sum_rtt_leg;
	struct quality_sample lowest, highest, last;
};

struct leg_media {
	struct wrtc_call *call;      /* back-pointer, for slow-path packets and callbacks */
	struct wrtc_session_mgr *mgr;
	uint8_t index;               /* m-line index */
	uint8_t leg;                 /* leg index */
	uint16_t port;               /* local RTP port (RTCP is port + 1); 0 = none */
	struct wrtc_stream *rtp;     /* stream on port */
	struct wrtc_stream *rtcp;    /* stream on port + 1 */
	bool rtp_installed;          /* INSTALL queued for rtp / rtcp: the worker holds it */
	bool rtcp_installed;
	bool rtp_removed;            /* REMOVE queued for rtp / rtcp (call_destroy) */
	bool rtcp_removed;
	uint64_t release_seq;        /* failed offer: barrier after the REMOVEs; free once done */
	bool mux;                    /* RTCP on the RTP port towards this leg */
	struct wrtc_flow_ep sig_rtp; /* signalled remote RTP address */
	struct wrtc_flow_ep sig_rtcp;/* signalled remote RTCP address */
	bool need_route;             /* signalled remote's MAC still unresolved */
	struct wrtc_flow_ep learn_sig[2]; /* signalled address last given to the worker's
					   * learning, per stream (rtp, rtcp) */
	bool learn_init[2];          /* learn_sig[k] was given once */
	uint64_t prev_rx_bytes;      /* for the one-second bandwidth sample */
	uint64_t prev_tx_bytes;
	uint32_t rx_kbps;            /* last second's rate, received from this leg */
	uint32_t tx_kbps;            /* last second's rate, sent to this leg */
	uint64_t ctrl_rx_tsc;        /* last authenticated STUN or accepted DTLS record (activity) */
	struct leg_quality q;        /* RTCP reports from this leg (session_quality.c) */
	bool rewritten;              /* relayed from here after a transcoder: the worker
				      * rewrites into the transcoder's stream, RTCP from
				      * here is terminated */

	/* WebRTC legs (ICE and/or DTLS-SRTP); NULL/false elsewhere. */
	bool ice_on;                 /* the trunk group runs ICE */
	bool dtls_on;                /* keys by DTLS-SRTP */
	bool fallback;               /* allow_dtls_fallback: the peer has no DTLS(/ICE): plain RTP */
	uint64_t dc_packets;         /* data channel, terminated mode: SCTP packets received on
				      * this leg's association and written into the other's */
	uint64_t dc_bytes;
	uint64_t dc_dropped;         /* ... that the other association could not take */
	bool bundled;                /* carried by another m-line's transport (BUNDLE): no ICE
				      * agent or DTLS of its own, nothing accepted on its port
				      * (srtp_relay, or terminated: session_bundle.c) */
	bool in_bundle;              /* its rtp stream was given the leg's bundle table */
	struct wrtc_ice_agent *ice;
	struct wrtc_dtls *dtls;
	struct sess_timer tmr;       /* earliest ICE/DTLS deadline, in mgr->webrtc_timers */
	enum wrtc_dtls_role dtls_role;
	bool dtls_connected;         /* keys pushed to the worker */
	const char *dtls_suite;      /* static name of the keyed suite, or NULL */
	struct wrtc_srtp *srtp_rx;   /* contexts the worker uses (freed at destroy) */
	struct wrtc_srtp *srtp_tx;
	struct wrtc_srtp *retired[8];/* replaced contexts, maybe still in the worker's hands */
	uint64_t retired_seq[8];     /* freed once the worker applied this message;
	                              * UINT64_MAX: at destroy (session_webrtc.c) */
	unsigned int n_retired;
	bool have_src;               /* last slow-path source (for replies) */
	struct wrtc_flow_ep last_src;
	struct rte_ether_addr last_src_mac;
	bool selected;               /* ICE selected pair pushed to the worker */
	struct wrtc_flow_ep sel_remote;
	struct wrtc_flow_ep also_from; /* ICE restart: pushed as the stream's also_from */
	uint64_t ha_idx[2];          /* SRTP index (rx, tx) last written to the record */
	bool sdes_peer_set;          /* sdes_local[SESS_SDES_LOCAL] holds the peer's key in use */
	bool ha_sel_pending;         /* restored call: ha_sel becomes the selected pair on the
				      * peer's first authenticated check from it (session_ha.c) */
	struct wrtc_flow_ep ha_sel;
	uint64_t ice_restarts;
	bool local_restart;          /* we restarted ICE in our offer (ice_restart): the
				      * answer's new credentials are that generation's */
	unsigned int n_sources;      /* candidate addresses given to the worker's policers */
	struct leg_source *sources;  /* [SESS_MAX_SOURCES], allocated by the first, or NULL */
	char *remote_ufrag;          /* the peer's current ICE credentials (heap), or NULL */
	char *remote_pwd;

	/* SDES-SRTP (SIP legs whose profile has sdes): our keys as offered or
	 * answered to this leg, and the one in use. */
	bool sdes_on;
	unsigned int n_sdes_local;
	struct wrtc_srtp_sdes *sdes_local; /* [SESS_SDES_LOCAL + 1] (the last: the peer's key
					    * in use, sdes_peer_set), allocated by the first
					    * SDES offer or answer, or NULL */
	const char *sdes_suite;      /* static name of the suite in use, or NULL */

	/* Transcoding of what this leg sends (input: this leg's codec). */
	struct wrtc_codec_xcoder *xcoder;
	struct wrtc_codec_xcoder_prm xprm; /* what xcoder was made with (kept if unchanged) */
	struct wrtc_codec_xcoder *xretired[4]; /* replaced, maybe still in the worker's hands */
	uint64_t xretired_seq[4];    /* freed once the worker applied this message;
				      * UINT64_MAX: the replacing update was never posted */
	unsigned int n_xretired;
};

struct call_media {
	bool active;                 /* not rejected */
	enum wrtc_sdp_media_type type;
	/* Allocated by the first offer that negotiates codecs for this m-line
	 * (11 kB: most per-call memory when it was inline), freed with the call. */
	struct wrtc_sdp_codec_decision *dec;
	struct leg_media leg[2];
};

struct call_leg {
	char tag[SESS_ID_SIZE];
	int tg;                      /* trunk group index (SDP rules, status) */
	/* The profile this leg runs: a copy of its trunk group and packet service
	 * profile, changed by the front end's per-leg profile (ng flags). Written
	 * by call_create()/call_profile_apply() on the control lcore. */
	struct wrtc_config_trunk_group tgc;
	struct wrtc_config_psp pspc;
	uint16_t ctx_psp;            /* packet service profile whose DTLS context it uses */
	int dtls_role;               /* -1: the DTLS profile's role, else enum wrtc_config_dtls_role */
	bool has_prof;               /* prof was applied (re-applied after a reload) */
	struct wrtc_session_profile prof;
	bool own_suites;             /* SDES suites from suites below, not the crypto profile's */
	struct wrtc_config_crypto_profile suites;
	struct wrtc_sdp *sdp;        /* last SDP received from this leg */
	uint64_t sess_id;            /* our o= towards this leg */
	uint64_t sess_ver;
	char ice_ufrag[8];
	char ice_pwd[32];
	/* BUNDLE table given to the worker (session_bundle.c), or NULL; replaced
	 * ones wait here until the worker applied the update that replaced them
	 * (UINT64_MAX: until the call goes). */
	struct wrtc_flow_bundle *bundle;
	struct wrtc_flow_bundle *bretired[4];
	uint64_t bretired_seq[4];
	unsigned int n_bretired;
};

enum call_state {
	CALL_OFFERED,
	CALL_ANSWERED,
};

struct wrtc_call {
	TAILQ_ENTRY(wrtc_call) next;
	struct wrtc_call *hnext;     /* in its call_index bucket */
	uint64_t hash;               /* of id (session_index.c) */
	struct sess_timer tmr;       /* one-second sample and timeout check (TSC) */
	TAILQ_ENTRY(wrtc_call) rm_next;    /* in mgr->removing while removing */
	TAILQ_ENTRY(wrtc_call) route_next; /* in mgr->routing while in_routing */
	bool in_routing;
	char id[SESS_ID_SIZE];
	enum call_state state;
	uint8_t offerer;             /* leg index that sent the pending/last offer */
	struct call_leg leg[2];
	unsigned int n_media;
	struct call_media media[SESS_MAX_MEDIA];
	uint16_t worker;
	time_t created;              /* wall clock, for `query` */
	uint64_t created_tsc;
	uint64_t answered_tsc;
	bool need_route;             /* some stream waits for a neighbour */
	struct wrtc_capture *capture;/* per-call pcapng, or NULL */
	TAILQ_ENTRY(wrtc_call) cap_next; /* in mgr->capturing while capture != NULL */
	char capture_file[WRTC_CONFIG_PATH_SIZE + 160]; /* capture.dir + name */
	char calling[SESS_ID_SIZE];  /* optional ids given with the offer, for status */
	char called[SESS_ID_SIZE];
	bool on_hold;                /* some active m-line is sendonly/inactive/c=0.0.0.0 */
	bool removing;               /* REMOVEs queued; freed once the worker applied them */
	uint64_t remove_seq;         /* the barrier after those REMOVEs */
	uint64_t lost_msgs;          /* messages the worker did not apply: degraded when > 0 */
	bool e2e;                    /* srtp_relay: DTLS end to end (session_relay.c) */
	bool sctp;                   /* a data channel m-line is relayed */
	char relay_reason[192];      /* why DTLS is (not) end to end, for `query` */
	char sctp_reason[160];       /* why a data channel was rejected, or "" */
	const char *end_reason;      /* why call_destroy() runs ("delete", "media timeout",
				      * "shutdown"): it then logs the call's summary line */

	/* High availability (session_ha.c; NULL/0 when `ha` is off). */
	char *ha_offer;              /* text of the last offer (heap), for the record */
	char *ha_answer;             /* text of the answer to it (heap), or NULL */
	uint8_t ha_offer_leg;        /* leg that sent ha_offer */
	bool ha_dirty;               /* in mgr->ha_dirty: the record is to be written */
	TAILQ_ENTRY(wrtc_call) ha_next;
	uint32_t ha_generation;      /* records written for this call (restored: the stored one) */
	uint64_t ha_persisted_ms;    /* wall clock of the last write queued (0: never) */
	bool ha_restored;            /* rebuilt from Redis at start-up */
	uint8_t ha_learn[SESS_MAX_MEDIA][2]; /* latch state last written (enum wrtc_ha_learn) */
};

TAILQ_HEAD(call_list, wrtc_call);

/* call-id -> call (session_index.c). */
struct call_index {
	struct wrtc_call **buckets;  /* [mask + 1] chains through wrtc_call.hnext */
	size_t mask;
	size_t n;
};

struct sess_stats {
	uint64_t calls_created;
	uint64_t calls_deleted;
	uint64_t calls_timed_out;
	uint64_t offers;
	uint64_t answers;
	uint64_t rpc_errors;
	uint64_t punt_arp;
	uint64_t punt_nd;
	uint64_t punt_icmp;
	uint64_t punt_stun;
	uint64_t punt_dtls;
	uint64_t punt_dropped;
	uint64_t ctrl_tx;
	uint64_t ctrl_tx_dropped;
	uint64_t neigh_requests;
	uint64_t msgs_posted;        /* control -> worker messages */
	uint64_t msgs_backlogged;    /* of those, waited for ring room */
	uint64_t msgs_lost;          /* could not be posted (message pool empty) */
	uint64_t ctrl_lost;          /* lost or failed messages that degraded a call */
	uint64_t msgs_failed;        /* applied by the worker with an error */
	uint64_t sources_rejected;   /* candidate sources a worker's policers did not take */
	uint64_t busy_refused;       /* RPCs refused (retryable) while a worker was behind */
	uint64_t calls_degraded;     /* calls whose worker state diverged from ours */
	uint64_t offers_failed;
	uint64_t answers_failed;
	uint64_t dtls_handshakes;    /* DTLS associations that connected */
	uint64_t dtls_failures;      /* ... that failed (timeout, alert, fingerprint) */
	uint64_t xcoders_created;    /* transcoders handed to workers */
	uint64_t xcoders_kept;       /* re-answers that kept a stream's transcoder */
	uint64_t rejected[3];        /* offer, answer, delete requests refused (REJ_*) */
	uint64_t media_rx_bytes;     /* UDP payload bytes of every stream, sampled once a */
	uint64_t media_tx_bytes;     /* second and at delete */
};

enum { REJ_OFFER, REJ_ANSWER, REJ_DELETE };

/* Rate limit of the rejected-request lines (session_log_reject). */
struct reject_log {
	uint64_t tokens;
	uint64_t last_tsc;           /* of the last line logged; 0: none yet */
	uint64_t suppressed;         /* lines left out since */
};

struct wrtc_session_mgr {
	const struct wrtc_config *cfg;
	struct wrtc_dataplane *dp;
	struct wrtc_rpc_server *rpc;  /* Server the methods are registered on (statistics). */
	struct rte_mempool *mp;
	struct port_pool pools[WRTC_FLOW_MAX_IFACES];
	struct wrtc_net_neigh *neigh[WRTC_FLOW_MAX_IFACES];
	struct wrtc_sdp_rules *rules[64]; /* per trunk group */
	struct call_list calls;
	struct call_index index;     /* the same calls by id */
	struct call_list removing;   /* calls waiting for their worker to let go */
	struct call_list routing;    /* calls with a stream waiting for a neighbour */
	struct sess_timers call_timers;   /* struct wrtc_call.tmr, TSC */
	struct sess_timers webrtc_timers; /* struct leg_media.tmr, microseconds */
	struct call_list capturing;  /* calls with a capture open (few): capture_poll's scan */
	struct leg_media **port_map[WRTC_FLOW_MAX_IFACES]; /* [65536]: local port -> leg media */
	struct wrtc_policer **pols;  /* [nb_workers * n_policers], instance-major */
	unsigned int n_pols;         /* configured policers, then defaults of punted classes */
	struct wrtc_config_policer pol_cfg[WRTC_MAX_POLICERS + 5]; /* entry of each policer */
	struct wrtc_dtls_ctx *dtls_ctx[64]; /* per packet service profile with DTLS */
	char fingerprint[WRTC_DTLS_FINGERPRINT_MAX]; /* ours, "sha-256 AB:..." */
	uint32_t n_calls;
	uint32_t calls_peak;         /* most calls since the last heap trim (session_calltimer.c) */
	uint32_t n_degraded;         /* live calls with lost_msgs != 0 */
	uint64_t next_stream_id;
	uint64_t msg_seq;
	struct ctrl_queue ctrlq[WRTC_MAX_WORKERS];
	struct ctrl_item *msg_pool;  /* [msg_pool_size] control messages (session_ctrl.c) */
	uint32_t msg_pool_size;
	uint32_t msg_pool_used;      /* items ever taken; below: free list or in use */
	struct ctrl_free msg_free;   /* items given back */
	struct ctrl_free msg_held;   /* items taken out (wrtc_session_test_pool_empty) */
	uint32_t msg_held_size;      /* msg_pool_size before that */
	uint16_t next_worker;
	uint64_t hz;
	uint64_t last_second_tsc;
	uint64_t last_route_tsc;
	time_t started;
	struct sess_stats st;
	struct reject_log reject_log;

	/* High availability (session_ha.c): NULL client when `ha` is off. */
	struct wrtc_ha_client *ha;
	struct call_list ha_dirty;   /* calls whose record is to be written */
	const struct wrtc_ha_record *ha_rec; /* the record being restored, or NULL */
	bool ha_down_logged;         /* the warning of this Redis outage was logged */
	struct {
		uint64_t persisted;      /* records queued (SET) */
		uint64_t deleted;        /* DELs queued */
		uint64_t failed;         /* writes refused (Redis down, pipeline full) */
		uint64_t restored;       /* calls rebuilt at start-up */
		uint64_t restore_failed; /* records that could not be rebuilt */
		uint64_t taken_over;     /* foreign calls taken over (standby) */
		uint64_t restore_ms;     /* how long the start-up restore took */
	} ha_st;
};

/* The profile of leg @p l (see struct call_leg). */
static inline const struct wrtc_config_trunk_group *
call_tg(const struct wrtc_call *call, unsigned int l)
{
	return &call->leg[l].tgc;
}

static inline const struct wrtc_config_psp *
call_psp(const struct wrtc_call *call, unsigned int l)
{
	return &call->leg[l].pspc;
}

/* The DTLS role configured for leg @p l (AUTO when neither flag nor profile sets one). */
static inline enum wrtc_config_dtls_role
call_dtls_role(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int l)
{
	const struct wrtc_config_psp *psp = call_psp(call, l);

	if (call->leg[l].dtls_role >= 0)
		return (enum wrtc_config_dtls_role)call->leg[l].dtls_role;
	return psp->dtls_profile >= 0 ? mgr->cfg->dtls_profiles[psp->dtls_profile].role :
					WRTC_CONFIG_DTLS_ROLE_AUTO;
}

/* The call's record is to be written to Redis (session_ha.c flushes it from
 * the poll loop). O(1); nothing when `ha` is off or while restoring. */
static inline void
ha_mark(struct wrtc_session_mgr *mgr, struct wrtc_call *call)
{
	if (mgr->ha == NULL || mgr->ha_rec != NULL || call->ha_dirty || call->removing)
		return;
	call->ha_dirty = true;
	TAILQ_INSERT_TAIL(&mgr->ha_dirty, call, ha_next);
}

/* Restore: continue an SRTP context where the record's direction @p d left it
 * (ROC, highest sequence, SRTCP index of its SSRC). */
static inline void
ha_prime(struct wrtc_srtp *ctx, const struct wrtc_ha_srtp_dir *d)
{
	if (ctx != NULL && d->present && d->has_ssrc &&
	    wrtc_srtp_prime(ctx, d->ssrc, (uint64_t)d->roc << 16 | d->seq, d->srtcp_index) != 0)
		SESS_LOG(WARNING, "ha: SRTP state of SSRC %u not restored", d->ssrc);
}

/* The record's stream for @p lm while a call is restored, else NULL. */
static inline const struct wrtc_ha_stream *
ha_rec_stream(const struct wrtc_session_mgr *mgr, const struct leg_media *lm)
{
	const struct wrtc_ha_record *r = mgr->ha_rec;

	if (r == NULL || lm->leg >= r->n_legs || lm->index >= r->legs[lm->leg].n_streams)
		return NULL;
	return &r->legs[lm->leg].streams[lm->index];
}

/* The call is going away (call_destroy): off the dirty list, and its key is
 * deleted unless @p keep (a shutdown keeps the records for the restart). */
static inline void
ha_forget(struct wrtc_session_mgr *mgr, struct wrtc_call *call, bool keep)
{
	if (mgr->ha == NULL)
		return;
	if (call->ha_dirty) {
		TAILQ_REMOVE(&mgr->ha_dirty, call, ha_next);
		call->ha_dirty = false;
	}
	if (keep || call->ha_generation == 0)
		return;
	if (wrtc_ha_client_del(mgr->ha, call->id) == 0)
		mgr->ha_st.deleted++;
	else
		mgr->ha_st.failed++;  /* the resync after reconnecting does not bring it back */
	call->ha_generation = 0;
}

/*
 * The library's files in layers (docs/lib/session.rst, "Layers"): a file
 * calls only the files of the layers below its own, never one above.
 *
 *   roof     session_mgr.c (poll loop, timers, manager life), session_reload.c
 *   front    session_telemetry.c > session_rpc.c, session_metrics.c
 *            > session_api.c > session_ha.c (records, restore)
 *   calls    session_call.c > session_webrtc.c
 *   leaves   session_profile.c, session_sdes.c, session_latch.c, session_quality.c,
 *            session_relay.c, session_bundle.c,
 *            session_capture.c, session_ports.c
 *   floor    session_ctrl.c (the channel to the workers, clocks)
 */

/* session_ctrl.c: the floor, called by every other file, calling none. */
uint64_t ctrl_now_ms(const struct wrtc_session_mgr *mgr);
uint64_t ctrl_now_us(const struct wrtc_session_mgr *mgr);
/* @p len random bytes (OpenSSL's generator): 0, or -EIO (logged). */
SESS_MUST_CHECK int sess_random(void *buf, size_t len);
SESS_MUST_CHECK int ctrl_init(struct wrtc_session_mgr *mgr);
void ctrl_fini(struct wrtc_session_mgr *mgr);
/* Every post: 0, or -ENOBUFS when the message pool stays empty (the call of
 * @p s is then degraded and the loss counted). */
SESS_MUST_CHECK int ctrl_post(struct wrtc_session_mgr *mgr, uint16_t worker,
			      enum wrtc_flow_msg_type type, struct wrtc_stream *s,
			      const struct wrtc_flow_update *upd);
SESS_MUST_CHECK int ctrl_post_source(struct wrtc_session_mgr *mgr, uint16_t worker,
				     const struct wrtc_stream *s, bool add, uint8_t family,
				     const uint8_t bytes[16], uint8_t cand_type);
SESS_MUST_CHECK int ctrl_post_policer_rate(struct wrtc_session_mgr *mgr, uint16_t worker, struct wrtc_policer *p,
			   const struct wrtc_policer_prm *prm);
SESS_MUST_CHECK int ctrl_reserve(struct wrtc_session_mgr *mgr, uint16_t worker, unsigned int n);
SESS_MUST_CHECK int ctrl_barrier(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t *seq);
bool ctrl_done(const struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t seq);
int ctrl_wait_seq(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t seq, uint64_t wait_us);
int ctrl_wait(struct wrtc_session_mgr *mgr, uint16_t worker, uint64_t wait_us);
void ctrl_flush(struct wrtc_session_mgr *mgr, uint16_t worker);
unsigned int ctrl_drain_replies(struct wrtc_session_mgr *mgr);
int ctrl_send(struct wrtc_session_mgr *mgr, uint16_t iface, struct rte_mbuf *m);
int ctrl_send_udp(struct wrtc_session_mgr *mgr, uint16_t iface, uint16_t local_port,
		  const struct wrtc_flow_ep *remote, const struct rte_ether_addr *mac,
		  const uint8_t *buf, size_t len);
int ctrl_resolve(struct wrtc_session_mgr *mgr, uint16_t iface, const struct wrtc_net_addr *ip,
		 struct rte_ether_addr *mac);
struct wrtc_call *call_owning_stream(struct wrtc_session_mgr *mgr, const struct wrtc_stream *s);

/* session_index.c */
int call_index_init(struct call_index *ix);
void call_index_fini(struct call_index *ix);
void call_index_add(struct call_index *ix, struct wrtc_call *call);
void call_index_del(struct call_index *ix, struct wrtc_call *call);
struct wrtc_call *call_index_find(const struct call_index *ix, const char *id);

/* session_timer.c */
int sess_timer_arm(struct sess_timers *ts, struct sess_timer *t, uint64_t due);
void sess_timer_disarm(struct sess_timers *ts, struct sess_timer *t);
struct sess_timer *sess_timer_expired(struct sess_timers *ts, uint64_t now);
uint64_t sess_timer_next(const struct sess_timers *ts);
void sess_timers_fini(struct sess_timers *ts);

/* session_relay.c */
void relay_decide(struct wrtc_call *call);
bool relay_media_accepted(const struct wrtc_call *call, const struct wrtc_sdp_media *m,
			  char *why, size_t size);
bool relay_bundle_ok(const struct wrtc_call *call, const struct wrtc_sdp *sdp);
bool relay_bundled_away(const struct wrtc_call *call, const struct wrtc_sdp *sdp,
			unsigned int idx);
void relay_dtls_app(void *arg, const uint8_t *data, size_t size);
json_t *relay_status(const struct wrtc_call *call);
json_t *relay_leg_dtls(const struct leg_media *lm);

/* session_bundle.c: BUNDLE on terminated WebRTC legs. */
bool bundle_leg(const struct wrtc_call *call, unsigned int l);
void bundle_plan_offered(struct wrtc_call *call, unsigned int b);
SESS_MUST_CHECK int bundle_sync(struct wrtc_session_mgr *mgr, struct wrtc_call *call,
				unsigned int l);
void bundle_free(struct call_leg *cl);
json_t *bundle_status(const struct wrtc_call *call, unsigned int l);

/* session_ports.c */
int port_pool_init(struct port_pool *p, uint16_t min, uint16_t max);
void port_pool_fini(struct port_pool *p);
int port_pool_alloc(struct port_pool *p, uint16_t *port);
void port_pool_release(struct port_pool *p, uint16_t port);
/* Take this very pair (restore): 0, -EADDRINUSE, -ERANGE (outside the pool). */
int port_pool_claim(struct port_pool *p, uint16_t port);

/* session_profile.c */
void call_profile_base(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l);
int call_profile_apply(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int l,
		       const struct wrtc_session_profile *p, char *err, size_t errlen);
void call_profiles_refresh(struct wrtc_session_mgr *mgr);
int profile_accept_pt(const struct wrtc_call *call, unsigned int l,
		      const struct wrtc_sdp_media *offer);
void profile_media_address(const struct wrtc_call *call, unsigned int l, char *a4, char *a6,
			   size_t size);

/* session_quality.c: take a new RTCP report of each leg's streams into its
 * quality figures; the figures as JSON (NULL: no report yet). */
void quality_sample(struct wrtc_call *call, unsigned int media);
json_t *quality_json(const struct leg_media *lm);

/* session_sdes.c */
int sdes_offer_lines(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		     struct wrtc_sdp_crypto *out, unsigned int max, char *err, size_t errlen);
int sdes_answer_line(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		     const struct wrtc_sdp_media *offer_m, struct wrtc_sdp_crypto *out,
		     char *err, size_t errlen);
int sdes_remote(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		const struct wrtc_sdp_media *m, bool is_answer, char *err, size_t errlen);

/* session_latch.c */
int latch_conn_check(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call,
		     unsigned int leg, const struct wrtc_sdp *sdp, char *err, size_t errlen);
void latch_prm(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg,
	       const struct wrtc_flow_ep *sig, bool restart, struct wrtc_flow_learn_prm *p);
json_t *latch_status(const struct wrtc_session_mgr *mgr, const struct wrtc_stream *s);

/* session_capture.c */
int capture_start(struct wrtc_session_mgr *mgr, struct wrtc_call *call, char *err, size_t errlen);
int capture_stop(struct wrtc_session_mgr *mgr, struct wrtc_call *call, uint64_t *packets);
unsigned int capture_poll(struct wrtc_session_mgr *mgr);

/* session_webrtc.c */
int random_ice_credentials(struct call_leg *leg);
int webrtc_init(struct wrtc_session_mgr *mgr, char *err, size_t errlen);
void webrtc_fini(struct wrtc_session_mgr *mgr);
int webrtc_leg_local(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm);
int webrtc_restart_local(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int leg,
			 char *err, size_t errlen);
int webrtc_leg_remote(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		      const struct wrtc_sdp *sdp, unsigned int idx, char *err, size_t errlen);
void webrtc_leg_free(struct leg_media *lm);
int srtp_retire_room(struct wrtc_session_mgr *mgr, const struct wrtc_call *call,
		     struct leg_media *lm, unsigned int n);
void srtp_retire(struct leg_media *lm, struct wrtc_srtp *s, uint64_t seq);
bool webrtc_leg_trickles(const struct wrtc_call *call, unsigned int l);
int webrtc_leg_trickle(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct leg_media *lm,
		       const struct wrtc_sdp_media *m, const char *ufrag);
unsigned int webrtc_sdp_cands(const struct leg_media *lm, struct wrtc_sdp_local_cand *out,
			      unsigned int max);
void webrtc_punt(struct wrtc_session_mgr *mgr, struct rte_mbuf *m, unsigned int kind);
void webrtc_tick(struct wrtc_session_mgr *mgr, uint64_t now_us);
void webrtc_leg_rearm(struct leg_media *lm);
json_t *webrtc_leg_status(struct wrtc_session_mgr *mgr, const struct leg_media *lm);

/* session_calltimer.c */
void call_timer_arm(struct wrtc_session_mgr *mgr, struct wrtc_call *call, uint64_t now);
unsigned int call_timers_run(struct wrtc_session_mgr *mgr, uint64_t now, bool *pending);
void call_memory_trim(struct wrtc_session_mgr *mgr);

/* session_call.c */
struct wrtc_call *call_find(struct wrtc_session_mgr *mgr, const char *id);
void call_unlink(struct wrtc_session_mgr *mgr, struct wrtc_call *call);
int call_offer(struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int a,
	       const char *sdp_text, size_t len, bool ice_restart, char **out, char *err,
	       size_t errlen);
int call_answer(struct wrtc_session_mgr *mgr, struct wrtc_call *call, const char *sdp_text,
		size_t len, char **out, char *err, size_t errlen);
struct wrtc_call *call_create(struct wrtc_session_mgr *mgr, const char *id, const char *from_tag,
			      int tg_in, int tg_out);
json_t *call_status(struct wrtc_session_mgr *mgr, const struct wrtc_call *call, bool final);
int call_destroy(struct wrtc_session_mgr *mgr, struct wrtc_call *call, json_t **final,
		 uint64_t wait_us);
void call_log_summary(struct wrtc_session_mgr *mgr, const struct wrtc_call *call);
void call_retry_routes(struct wrtc_session_mgr *mgr, struct wrtc_call *call);
void call_sample(struct wrtc_session_mgr *mgr, struct wrtc_call *call);
uint64_t call_last_activity(const struct wrtc_call *call);
uint32_t call_timeout(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call);

/* session_api.c */
/* Count and log (rate limited) a refused offer/answer/delete (REJ_*); every
 * front end (JSON-RPC, ng) calls it with the error its client gets. */
void session_log_reject(struct wrtc_session_mgr *mgr, unsigned int kind, const char *call_id,
			const char *reason, int code);

/* session_ha.c (front-end layer: it rebuilds calls through call_offer/call_answer) */
int ha_init(struct wrtc_session_mgr *mgr);
void ha_fini(struct wrtc_session_mgr *mgr);
unsigned int ha_poll(struct wrtc_session_mgr *mgr);
json_t *ha_call_status(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call);
json_t *ha_statistics(struct wrtc_session_mgr *mgr);

/* session_metrics.c */
int metrics_render(struct wrtc_metrics_buf *b, void *ctx);

/* session_telemetry.c */
unsigned int telemetry_poll(struct wrtc_session_mgr *mgr);
void telemetry_attach(struct wrtc_session_mgr *mgr);

/* session_mgr.c: the roof (session_reload.c re-runs its compilers). */
int policer_prm_split(const struct wrtc_session_mgr *mgr, const struct wrtc_config_policer *cp,
		      unsigned int k, uint32_t max_sources, uint64_t hz, uint64_t now,
		      struct wrtc_policer_prm *prm);
int sdp_rules_build(const struct wrtc_config *cfg, struct wrtc_sdp_rules *rules[], unsigned int max,
		    char *err, size_t errlen);

#endif
