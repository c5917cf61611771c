/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * High availability on the session side (issue #20, docs/lib/ha.rst): the
 * call records written to Redis through lib/ha's asynchronous client, and the
 * start-up restore that rebuilds every call from them.
 *
 * Writes: a change that matters (offer, answer, re-offer, ICE pair selected,
 * DTLS keys, latch learned) only marks the call (ha_mark(), O(1)); the poll
 * loop writes the marked calls, a bounded batch per iteration, each record
 * once however many changes it had. Nothing blocks: the client queues the
 * command; with Redis down the write is refused and counted, and once it is
 * back every call is marked again (the client's resync callback). A call's
 * key is deleted with the call (ha_forget(), session_priv.h), except at a
 * shutdown, which keeps them for the restart.
 *
 * Restore: before the RPC server is first polled, every record of this node's
 * database is read (wrtc_ha_client_load(), blocking with a timeout) and its
 * call replayed: the stored offer and answer go through call_offer() and
 * call_answer() while mgr->ha_rec points at the record, which makes
 * stream_pair_open() take the stored ports, call_create() the stored ICE
 * credentials and the SDES code the stored keys of ours: the peers keep
 * sending to the same ports with the same keys, and the streams are installed
 * in the workers by the usual messages.
 *
 * Layer: front end, below session_api.c (it calls the calls layer).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "session_priv.h"

enum {
	HA_FLUSH_BUDGET = 256,    /* records written per poll iteration at most */
	HA_LOAD_TIMEOUT_MS = 5000,/* per Redis operation of the start-up load */
	HA_ROOM_TRIES = 400,      /* restore: waits for a worker's control ring */
	HA_ROOM_WAIT_US = 10000,
};

/* Bits of struct wrtc_ha_leg.flags. */
enum {
	HA_LEG_OFFERER = 1u << 0,  /* sent sdp_offer */
	HA_LEG_ANSWERED = 1u << 1, /* the call was answered (sdp_answer is the answer) */
};

static uint64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
client_prm(const struct wrtc_session_mgr *mgr, struct wrtc_ha_client_prm *p)
{
	const struct wrtc_config_ha *h = &mgr->cfg->ha;

	memset(p, 0, sizeof(*p));
	p->unix_path = h->redis_unix[0] != '\0' ? h->redis_unix : NULL;
	p->host = h->redis_host;
	p->port = h->redis_port;
	p->db = h->db;
	p->prefix = h->key_prefix;
	p->expiry_s = h->expiry;
	p->max_pending = h->max_pending;
}

/* Redis is back after writes were lost or refused: write every call again. */
static void
resync(void *arg)
{
	struct wrtc_session_mgr *mgr = arg;
	struct wrtc_call *call;
	unsigned int n = 0;

	TAILQ_FOREACH(call, &mgr->calls, next) {
		if (call->removing || call->ha_offer == NULL)
			continue;
		ha_mark(mgr, call);
		n++;
	}
	SESS_LOG(NOTICE, "ha: Redis %s: writing %u call(s) again", mgr->cfg->ha.redis, n);
}

int
ha_init(struct wrtc_session_mgr *mgr)
{
	struct wrtc_ha_client_prm p;

	if (!mgr->cfg->ha.enabled)
		return 0;
	if (mgr->cfg->ha.role != WRTC_CONFIG_HA_ACTIVE) {
		SESS_LOG(ERR, "ha.role \"standby\" is not implemented yet (issue #20): "
			 "use \"active\"");
		return -ENOTSUP;
	}
	client_prm(mgr, &p);
	p.resync = resync;
	p.arg = mgr;
	mgr->ha = wrtc_ha_client_create(&p);
	if (mgr->ha == NULL) {
		SESS_LOG(ERR, "ha: cannot create the Redis client for %s: %s", mgr->cfg->ha.redis,
			 strerror(errno));
		return -errno;
	}
	SESS_LOG(INFO, "ha: calls persisted to Redis %s db %u (node %s, prefix %s)",
		 mgr->cfg->ha.redis, mgr->cfg->ha.db, mgr->cfg->ha.node_id,
		 mgr->cfg->ha.key_prefix);
	return 0;
}

void
ha_fini(struct wrtc_session_mgr *mgr)
{
	wrtc_ha_client_free(mgr->ha);
	mgr->ha = NULL;
}

/* "ip" and port of an endpoint; "" / 0 when unset. */
static void
ep_fill(const struct wrtc_flow_ep *e, char *addr, size_t size, uint16_t *port)
{
	addr[0] = '\0';
	*port = 0;
	if (!wrtc_flow_ep_set(e) || wrtc_net_addr_format(&e->ip, addr, size) < 0) {
		addr[0] = '\0';
		return;
	}
	*port = e->port;
}

static void
srtp_fill(const struct wrtc_srtp_sdes *sd, struct wrtc_ha_srtp_dir *d)
{
	size_t ks = wrtc_srtp_suite_key_size(sd->suite);
	size_t ss = wrtc_srtp_suite_salt_size(sd->suite);

	if (ks == 0 || ks + ss > sizeof(d->key))
		return;
	d->present = true;
	snprintf(d->suite, sizeof(d->suite), "%s", wrtc_srtp_suite_name(sd->suite));
	memcpy(d->key, sd->master_key, ks);
	memcpy(d->key + ks, sd->master_salt, ss);
	d->key_size = (uint8_t)(ks + ss);
}

static void
prm_fill(const struct wrtc_srtp_prm *p, struct wrtc_ha_srtp_dir *d)
{
	struct wrtc_srtp_sdes sd;

	memset(&sd, 0, sizeof(sd));
	sd.suite = p->suite;
	memcpy(sd.master_key, p->master_key, sizeof(sd.master_key));
	memcpy(sd.master_salt, p->master_salt, sizeof(sd.master_salt));
	srtp_fill(&sd, d);
}

/* ROC, highest sequence and SRTCP index the worker last published for @p ctx. */
static void
srtp_state(const struct wrtc_srtp *ctx, struct wrtc_ha_srtp_dir *d, uint64_t *written)
{
	uint64_t idx;
	uint32_t ssrc, rtcp;

	if (ctx == NULL || !d->present || !wrtc_srtp_published(ctx, &ssrc, &idx, &rtcp))
		return;
	d->has_ssrc = true;
	d->ssrc = ssrc;
	d->roc = (uint32_t)(idx >> 16);
	d->seq = (uint16_t)idx;
	d->srtcp_index = rtcp;
	*written = idx;
}

static void
stream_fill(const struct wrtc_session_mgr *mgr, struct wrtc_call *call, unsigned int i,
	    unsigned int l, struct wrtc_ha_stream *hs)
{
	struct leg_media *lm = &call->media[i].leg[l];
	const struct call_leg *cl = &call->leg[l];
	struct wrtc_flow_ep e;

	hs->local_port = lm->port;
	if (lm->rtp == NULL)
		return;
	hs->iface = (uint8_t)lm->rtp->iface;
	/* The worker moves the remote when it latches: a copy, as `query` reads it. */
	e = lm->rtp->remote;
	ep_fill(&e, hs->remote_addr, sizeof(hs->remote_addr), &hs->remote_port);
	hs->learn = (enum wrtc_ha_learn)call->ha_learn[i][l];
	if (lm->sdes_suite != NULL)
		for (unsigned int k = 0; k < lm->n_sdes_local; k++)
			if (strcmp(wrtc_srtp_suite_name(lm->sdes_local[k].suite),
				   lm->sdes_suite) == 0) {
				srtp_fill(&lm->sdes_local[k], &hs->srtp_out);
				break;
			}
	if (lm->sdes_suite != NULL && lm->sdes_peer_set)
		srtp_fill(&lm->sdes_local[SESS_SDES_LOCAL], &hs->srtp_in);
	if (lm->ice_on) {
		snprintf(hs->ice_lufrag, sizeof(hs->ice_lufrag), "%s", cl->ice_ufrag);
		snprintf(hs->ice_lpwd, sizeof(hs->ice_lpwd), "%s", cl->ice_pwd);
		snprintf(hs->ice_rufrag, sizeof(hs->ice_rufrag), "%s",
			 lm->remote_ufrag != NULL ? lm->remote_ufrag : "");
		snprintf(hs->ice_rpwd, sizeof(hs->ice_rpwd), "%s",
			 lm->remote_pwd != NULL ? lm->remote_pwd : "");
		if (lm->selected) {
			hs->ice_selected = true;
			ep_fill(&lm->sel_remote, hs->ice_sel_addr, sizeof(hs->ice_sel_addr),
				&hs->ice_sel_port);
		}
	}
	if (lm->dtls_connected && lm->dtls != NULL) {
		struct wrtc_dtls_srtp_keys keys;

		/* The exported keying material, split per direction (RFC 5764 4.2). */
		if (wrtc_dtls_srtp_keys(lm->dtls, &keys) == 0) {
			prm_fill(&keys.remote, &hs->srtp_in);
			prm_fill(&keys.local, &hs->srtp_out);
		}
	}
	srtp_state(lm->srtp_rx, &hs->srtp_in, &lm->ha_idx[0]);
	srtp_state(lm->srtp_tx, &hs->srtp_out, &lm->ha_idx[1]);
	if (lm->dtls_on) {
		hs->dtls_role = lm->dtls_role == WRTC_DTLS_ROLE_ACTIVE ? WRTC_HA_DTLS_CLIENT :
								       WRTC_HA_DTLS_SERVER;
		hs->dtls_connected = lm->dtls_connected;
		if (strlen(mgr->fingerprint) < sizeof(hs->dtls_local_fp))
			memcpy(hs->dtls_local_fp, mgr->fingerprint, strlen(mgr->fingerprint) + 1);
	}
}

static void
record_fill(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct wrtc_ha_record *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->call_id, sizeof(r->call_id), "%s", call->id);
	snprintf(r->node, sizeof(r->node), "%s", mgr->cfg->ha.node_id);
	r->updated_ms = wall_ms();
	r->generation = ++call->ha_generation;
	if (r->generation == 0)
		r->generation = call->ha_generation = 1;
	r->sdp_offer = call->ha_offer;   /* borrowed: never wrtc_ha_record_fini()ed */
	r->sdp_answer = call->ha_answer;
	r->n_legs = 2;
	for (unsigned int l = 0; l < 2; l++) {
		struct wrtc_ha_leg *hl = &r->legs[l];

		snprintf(hl->tag, sizeof(hl->tag), "%s", call->leg[l].tag);
		snprintf(hl->trunk_group, sizeof(hl->trunk_group), "%s",
			 mgr->cfg->trunk_groups[call->leg[l].tg].name);
		hl->flags = (call->ha_offer_leg == l ? HA_LEG_OFFERER : 0) |
			    (call->ha_answer != NULL ? HA_LEG_ANSWERED : 0);
		hl->n_streams = RTE_MIN(call->n_media, (unsigned int)WRTC_HA_MAX_STREAMS);
		for (unsigned int i = 0; i < hl->n_streams; i++)
			stream_fill(mgr, call, i, l, &hl->streams[i]);
	}
}

/* Write one call's record: 0 queued, else refused (counted). */
static int
ha_write(struct wrtc_session_mgr *mgr, struct wrtc_call *call, struct wrtc_ha_record *r)
{
	char *text;
	int rc;

	record_fill(mgr, call, r);
	text = wrtc_ha_record_encode(r);
	if (text == NULL) {
		mgr->ha_st.failed++;
		CALL_LOG(WARNING, call, "ha: record not written: out of memory");
		return -ENOMEM;
	}
	rc = wrtc_ha_client_put(mgr->ha, call->id, text, strlen(text));
	free(text);
	if (rc != 0) {
		mgr->ha_st.failed++;
		return rc;
	}
	mgr->ha_st.persisted++;
	call->ha_persisted_ms = r->updated_ms;
	return 0;
}

unsigned int
ha_poll(struct wrtc_session_mgr *mgr)
{
	struct wrtc_ha_client_stats cs;
	struct wrtc_ha_record *r = NULL;
	struct wrtc_call *call;
	unsigned int n = 0;

	wrtc_ha_client_poll(mgr->ha, ctrl_now_ms(mgr));
	wrtc_ha_client_stats(mgr->ha, &cs);
	if (!cs.connected && !mgr->ha_down_logged && cs.disconnects > 0) {
		SESS_LOG(WARNING, "ha: Redis %s unreachable: calls go on, not persisted, until it "
			 "returns (statistics: ha.failed_writes)", mgr->cfg->ha.redis);
		mgr->ha_down_logged = true;
	} else if (cs.connected && mgr->ha_down_logged) {
		SESS_LOG(NOTICE, "ha: Redis %s reachable again", mgr->cfg->ha.redis);
		mgr->ha_down_logged = false;
	}
	while ((call = TAILQ_FIRST(&mgr->ha_dirty)) != NULL && n < HA_FLUSH_BUDGET) {
		/* Connected but behind: the rest waits for replies (no refusal). */
		if (cs.connected && cs.pending + n + 1 >= mgr->cfg->ha.max_pending)
			break;
		if (r == NULL && (r = malloc(sizeof(*r))) == NULL)
			break;  /* the calls stay marked: the next iteration tries again */
		TAILQ_REMOVE(&mgr->ha_dirty, call, ha_next);
		call->ha_dirty = false;
		n++;
		if (call->ha_offer == NULL)
			continue;
		/* Refused (Redis down): counted; the resync writes it again. */
		(void)ha_write(mgr, call, r);
	}
	free(r);
	return n;
}

json_t *
ha_call_status(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call)
{
	uint64_t now = wall_ms();
	json_t *o = json_pack("{s:s, s:s, s:b, s:i, s:b}",
		"ownership", "owned", "node", mgr->cfg->ha.node_id,
		"restored", call->ha_restored, "generation", (int)call->ha_generation,
		"write_pending", call->ha_dirty);

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "last_persisted_ms", call->ha_persisted_ms != 0 ?
			    json_integer((json_int_t)call->ha_persisted_ms) : json_null());
	json_object_set_new(o, "last_persisted_age", call->ha_persisted_ms != 0 &&
			    now >= call->ha_persisted_ms ?
			    json_real((double)(now - call->ha_persisted_ms) / 1000.0) :
			    json_null());
	return o;
}

json_t *
ha_statistics(struct wrtc_session_mgr *mgr)
{
	struct wrtc_ha_client_stats cs;

	wrtc_ha_client_stats(mgr->ha, &cs);
	return json_pack("{s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I}",
		"role", "active", "node", mgr->cfg->ha.node_id, "connected", cs.connected,
		"persisted", (json_int_t)mgr->ha_st.persisted,
		"acked", (json_int_t)cs.acked,
		"deleted", (json_int_t)mgr->ha_st.deleted,
		"failed_writes", (json_int_t)cs.failed,
		"pending", (json_int_t)cs.pending,
		"connects", (json_int_t)cs.connects,
		"disconnects", (json_int_t)cs.disconnects,
		"resyncs", (json_int_t)cs.resyncs,
		"restored", (json_int_t)mgr->ha_st.restored,
		"restore_failed", (json_int_t)mgr->ha_st.restore_failed,
		"restore_ms", (json_int_t)mgr->ha_st.restore_ms,
		"taken_over", (json_int_t)mgr->ha_st.taken_over);
}

static int
tg_find(const struct wrtc_config *cfg, const char *name)
{
	for (unsigned int t = 0; t < cfg->n_trunk_groups; t++)
		if (strcmp(cfg->trunk_groups[t].name, name) == 0)
			return (int)t;
	return -1;
}

/* Run an offer or answer of a restore, waiting while the worker's control
 * ring has no room for it (the workers are running). */
static int
replay(struct wrtc_session_mgr *mgr, struct wrtc_call *call, bool offer, unsigned int a,
       const char *sdp, char *err, size_t errlen)
{
	char *out = NULL;
	int rc = -EAGAIN;

	for (unsigned int t = 0; t < HA_ROOM_TRIES && rc == -EAGAIN; t++) {
		if (t > 0 && ctrl_wait_seq(mgr, call->worker, mgr->ctrlq[call->worker].last_seq,
					   HA_ROOM_WAIT_US) != 0)
			continue;
		rc = offer ? call_offer(mgr, call, a, sdp, strlen(sdp), false, &out, err, errlen) :
			     call_answer(mgr, call, sdp, strlen(sdp), &out, err, errlen);
		free(out);
		out = NULL;
	}
	return rc;
}

/* Rebuild one call from its record; the record stays the caller's. */
static int
rebuild(struct wrtc_session_mgr *mgr, const struct wrtc_ha_record *r, char *err, size_t errlen)
{
	unsigned int offerer = 0;
	bool answered = false;
	struct wrtc_call *call;
	int tg[2];
	int rc;

	if (r->n_legs != 2 || r->sdp_offer == NULL) {
		snprintf(err, errlen, "record has no offer or not two legs");
		return -EINVAL;
	}
	for (unsigned int l = 0; l < 2; l++) {
		tg[l] = tg_find(mgr->cfg, r->legs[l].trunk_group);
		if (tg[l] < 0) {
			snprintf(err, errlen, "legs[%u]: trunk group \"%s\" is not configured", l,
				 r->legs[l].trunk_group);
			return -EINVAL;
		}
		if (r->legs[l].flags & HA_LEG_OFFERER)
			offerer = l;
		answered |= (r->legs[l].flags & HA_LEG_ANSWERED) != 0;
	}
	if (call_find(mgr, r->call_id) != NULL) {
		snprintf(err, errlen, "a call with this id exists already");
		return -EEXIST;
	}
	mgr->ha_rec = r;
	call = call_create(mgr, r->call_id, r->legs[0].tag, tg[0], tg[1]);
	if (call == NULL) {
		mgr->ha_rec = NULL;
		snprintf(err, errlen, "cannot create the call: %s", strerror(errno));
		return -ENOMEM;
	}
	snprintf(call->leg[1].tag, sizeof(call->leg[1].tag), "%s", r->legs[1].tag);
	rc = replay(mgr, call, true, offerer, r->sdp_offer, err, errlen);
	if (rc == 0 && answered && r->sdp_answer != NULL)
		rc = replay(mgr, call, false, 0, r->sdp_answer, err, errlen);
	mgr->ha_rec = NULL;
	if (rc != 0) {
		/* Never written by this process: the key stays (the record may fit a
		 * corrected configuration; it expires otherwise). */
		call->ha_generation = 0;
		if (call_destroy(mgr, call, NULL, SESS_RPC_WAIT_US) != 0)
			CALL_LOG(WARNING, call, "ha: failed restore: removed once worker %u "
				 "caught up", call->worker);
		return rc;
	}
	call->ha_restored = true;
	call->ha_generation = r->generation != 0 ? r->generation : 1;
	call->ha_persisted_ms = r->updated_ms;
	for (unsigned int l = 0; l < 2; l++)
		for (unsigned int i = 0; i < r->legs[l].n_streams && i < SESS_MAX_MEDIA; i++)
			call->ha_learn[i][l] = (uint8_t)r->legs[l].streams[i].learn;
	return 0;
}

static int
restore_one(const char *call_id, const char *value, size_t len, void *arg)
{
	struct wrtc_session_mgr *mgr = arg;
	struct wrtc_ha_record *r = calloc(1, sizeof(*r));
	char err[WRTC_SESSION_ERR_SIZE] = "";
	int rc;

	if (r == NULL)
		return -ENOMEM;
	rc = wrtc_ha_record_decode(value, len, r, err, sizeof(err));
	if (rc == -ENOMEM) {
		free(r);
		return rc;
	}
	if (rc == 0 && strcmp(r->call_id, call_id) != 0) {
		snprintf(err, sizeof(err), "call_id \"%.64s\" does not match its key", r->call_id);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = rebuild(mgr, r, err, sizeof(err));
	if (rc == 0) {
		mgr->ha_st.restored++;
		SESS_LOG(INFO, "[%s] ha: restored (generation %" PRIu32 ", written by %s)",
			 call_id, r->generation, r->node);
	} else {
		mgr->ha_st.restore_failed++;
		SESS_LOG(WARNING, "[%s] ha: not restored: %s", call_id, err);
	}
	wrtc_ha_record_fini(r);
	free(r);
	return 0;
}

int
wrtc_session_ha_restore(struct wrtc_session_mgr *mgr)
{
	struct wrtc_ha_client_prm p;
	uint64_t t0 = rte_rdtsc();
	int rc;

	if (mgr->ha == NULL)
		return 0;
	client_prm(mgr, &p);
	rc = wrtc_ha_client_load(&p, HA_LOAD_TIMEOUT_MS, restore_one, mgr);
	mgr->ha_st.restore_ms = (rte_rdtsc() - t0) * 1000 / mgr->hz;
	if (rc != 0) {
		SESS_LOG(WARNING, "ha: reading the calls from Redis %s failed: %s; %" PRIu64
			 " restored (the gateway starts with them)", mgr->cfg->ha.redis,
			 strerror(-rc), mgr->ha_st.restored);
		return rc;
	}
	SESS_LOG(NOTICE, "ha: %" PRIu64 " call(s) restored, %" PRIu64 " not, in %" PRIu64 " ms",
		 mgr->ha_st.restored, mgr->ha_st.restore_failed, mgr->ha_st.restore_ms);
	return 0;
}
