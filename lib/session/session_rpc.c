/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON-RPC methods of the control API (docs/rpc.md). Each handler checks
 * its params (errors name the field), calls the front-end-neutral function
 * of session_api.c and turns its result into the method's result or error.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "session_priv.h"

enum {
	ERR_INVALID_PARAMS = WRTC_RPC_INVALID_PARAMS,
	ERR_CALL = WRTC_RPC_NO_RESOURCES,
	ERR_NO_CALL = WRTC_RPC_NOT_FOUND,
	ERR_BUSY = WRTC_RPC_OVERLOADED,
};

/*
 * The error code for a session function's -errno (docs/rpc.md, "Errors"):
 * out of ports, calls (-EBUSY: control.max_calls) or memory is -32003; a
 * worker behind on its control messages is -32005 (nothing was applied:
 * retry); a call that could not be set up for an internal reason (-EIO) is
 * -32603; anything else is the request's fault, -32602.
 */
static int
rc_code(int rc)
{
	switch (rc) {
	case -ENOSPC:
	case -ENOMEM:
	case -ENOBUFS:
	case -EBUSY:
		return ERR_CALL;
	case -EIO:
		return WRTC_RPC_INTERNAL_ERROR;
	case -EAGAIN:
	case -ETIMEDOUT:
		return ERR_BUSY;
	default:
		return ERR_INVALID_PARAMS;
	}
}

/*
 * A call-id, tag or trunk group name: lib/rpc's string helpers (required and
 * not empty, or optional: NULL when absent), at most SESS_ID_SIZE - 1
 * characters.
 */
static int
id_param(const json_t *params, const char *name, bool required, const char **out,
	 struct wrtc_rpc_error *err)
{
	int rc = required ? wrtc_rpc_param_str(params, name, out, err) :
		 wrtc_rpc_param_str_opt(params, name, NULL, out, err);

	if (rc != 0)
		return rc;
	if (*out != NULL && strlen(*out) >= SESS_ID_SIZE)
		return wrtc_rpc_error_set(err, ERR_INVALID_PARAMS, "%s: longer than %d characters",
					  name, SESS_ID_SIZE - 1);
	return 0;
}

static int
tg_param(struct wrtc_session_mgr *mgr, json_t *params, const char *name, int dflt, int *tg,
	 struct wrtc_rpc_error *err)
{
	const char *s;

	if (id_param(params, name, false, &s, err) != 0)
		return -EINVAL;
	if (s == NULL) {
		*tg = dflt;
		return 0;
	}
	*tg = wrtc_config_trunk_group_find(mgr->cfg, s);
	if (*tg < 0)
		return wrtc_rpc_error_set(err, ERR_INVALID_PARAMS, "%s: no trunk group \"%s\"", name,
					  s);
	return 0;
}

static json_t *
sdp_result(char *out)
{
	json_t *res = json_pack("{s:s}", "sdp", out);

	free(out);
	return res;
}

static json_t *
do_offer(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	struct wrtc_session_offer_prm prm = {0};
	char msg[512] = "";
	json_t *restart;
	char *out = NULL;
	int rc;

	if (id_param(params, "call_id", true, &prm.call_id, err) != 0 ||
	    id_param(params, "from_tag", true, &prm.from_tag, err) != 0 ||
	    wrtc_rpc_param_str(params, "sdp", &prm.sdp, err) != 0 ||
	    id_param(params, "calling", false, &prm.calling, err) != 0 ||
	    id_param(params, "called", false, &prm.called, err) != 0 ||
	    tg_param(mgr, params, "ingress", 0, &prm.tg[0], err) != 0 ||
	    tg_param(mgr, params, "egress", mgr->cfg->n_trunk_groups > 1 ? 1 : 0, &prm.tg[1],
		     err) != 0)
		return NULL;
	restart = json_object_get(params, "ice_restart");
	if (restart != NULL && !json_is_boolean(restart)) {
		wrtc_rpc_error_set(err, WRTC_RPC_INVALID_PARAMS, "ice_restart: not a boolean");
		return NULL;
	}
	prm.ice_restart = json_is_true(restart);
	prm.sdp_len = strlen(prm.sdp);
	rc = wrtc_session_offer(mgr, &prm, &out, msg, sizeof(msg));
	if (rc != 0) {
		wrtc_rpc_error_set(err, rc_code(rc), "%s", msg);
		return NULL;
	}
	return sdp_result(out);
}

static json_t *
do_answer(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	const char *call_id, *from_tag, *to_tag, *sdp;
	char msg[512] = "";
	char *out = NULL;
	int rc;

	if (id_param(params, "call_id", true, &call_id, err) != 0 ||
	    id_param(params, "from_tag", true, &from_tag, err) != 0 ||
	    id_param(params, "to_tag", true, &to_tag, err) != 0 ||
	    wrtc_rpc_param_str(params, "sdp", &sdp, err) != 0)
		return NULL;
	rc = wrtc_session_answer(mgr, call_id, from_tag, to_tag, sdp, strlen(sdp), &out, msg,
				 sizeof(msg));
	if (rc != 0) {
		wrtc_rpc_error_set(err, rc == -ENOENT ? ERR_NO_CALL : rc_code(rc), "%s", msg);
		return NULL;
	}
	return sdp_result(out);
}

static json_t *
do_delete(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	const char *call_id, *from_tag;
	char msg[512] = "";
	json_t *final = NULL;
	int rc;

	if (id_param(params, "call_id", true, &call_id, err) != 0 ||
	    id_param(params, "from_tag", false, &from_tag, err) != 0)
		return NULL;
	rc = wrtc_session_delete(mgr, call_id, from_tag, &final, msg, sizeof(msg));
	if (rc != 0) {
		wrtc_rpc_error_set(err, rc == -ENOENT ? ERR_NO_CALL : rc_code(rc), "%s", msg);
		return NULL;
	}
	return final;
}

static void
log_reject(struct wrtc_session_mgr *mgr, unsigned int kind, json_t *params,
	   const struct wrtc_rpc_error *err)
{
	json_t *id = params != NULL ? json_object_get(params, "call_id") : NULL;

	session_log_reject(mgr, kind, json_is_string(id) ? json_string_value(id) : NULL,
			   err->message, err->code);
}

static json_t *
m_offer(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = do_offer(params, ctx, err);

	if (r == NULL)
		log_reject(ctx, REJ_OFFER, params, err);
	return r;
}

static json_t *
m_answer(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = do_answer(params, ctx, err);

	if (r == NULL)
		log_reject(ctx, REJ_ANSWER, params, err);
	return r;
}

static json_t *
m_delete(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = do_delete(params, ctx, err);

	if (r == NULL)
		log_reject(ctx, REJ_DELETE, params, err);
	return r;
}

static json_t *
m_query(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	const char *call_id;
	char msg[512] = "";
	json_t *status = NULL;
	int rc;

	if (id_param(params, "call_id", true, &call_id, err) != 0)
		return NULL;
	rc = wrtc_session_query(mgr, call_id, &status, msg, sizeof(msg));
	if (rc != 0) {
		wrtc_rpc_error_set(err, rc == -ENOENT ? ERR_NO_CALL : WRTC_RPC_INTERNAL_ERROR, "%s", msg);
		return NULL;
	}
	return status;
}

static json_t *
m_list(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = wrtc_session_list(ctx, 0);

	if (r == NULL) {
		wrtc_rpc_error_set(err, WRTC_RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	return r;
}

/*
 * The statistics result (docs/rpc.md, "statistics") is built from tables of
 * name -> value, one X(kind, name, value) row per member, in the order of
 * the result; adding a counter is adding a row. kind is I (an integer), F
 * (a real), S (a string) or O (an object or array built before, whose
 * reference the member takes). STAT_ADD() adds one row to the object o and
 * notes a failure in bad; every row runs, so each O value is consumed.
 */
#define STAT_I(v) json_integer((json_int_t)(v))
#define STAT_F(v) json_real(v)
#define STAT_S(v) json_string(v)
#define STAT_O(v) (v)
#define STAT_ADD(kind, name, v) bad |= json_object_set_new(o, name, STAT_##kind(v)) != 0;

/* One element of workers[]: worker w's counters @p s. */
#define WORKER_STATS(X) \
	X(I, "worker", w) \
	X(I, "rx_packets", s->rx_pkts) \
	X(I, "tx_packets", s->tx_pkts) \
	X(I, "relayed", s->relayed) \
	X(I, "punted", s->punted) \
	X(I, "handoff_out", s->handoff_out) \
	X(F, "busy", s->iterations ? (double)s->busy_iterations / s->iterations : 0.0) \
	X(I, "busy_cycles", s->busy_cycles) \
	X(I, "idle_cycles", s->idle_cycles) \
	X(I, "sleeps", s->sleeps) \
	X(I, "sleep_cycles", s->sleep_cycles)

/* One element of interfaces[]: interface i, its port p. */
#define IFACE_STATS(X) \
	X(S, "interface", mgr->cfg->interfaces[i].name) \
	X(S, "device", p->name) \
	X(S, "steering", wrtc_steer_mode_name(p->steer)) \
	X(I, "media_ports_in_use", (uint64_t)mgr->pools[i].in_use * 2) \
	X(I, "media_ports_total", (uint64_t)mgr->pools[i].n_pairs * 2)

/* slow_path: what the control lcore did with the punted packets. */
#define SLOW_PATH_STATS(X) \
	X(I, "arp", mgr->st.punt_arp) \
	X(I, "nd", mgr->st.punt_nd) \
	X(I, "icmp_echo", mgr->st.punt_icmp) \
	X(I, "stun", mgr->st.punt_stun) \
	X(I, "dtls", mgr->st.punt_dtls) \
	X(I, "other", mgr->st.punt_dropped)

/* punt_share_full: the workers' sum @p sum. */
#define PUNT_SHARE_STATS(X) \
	X(I, "arp", sum->punt_share_full[WRTC_PUNT_CLASS_ARP]) \
	X(I, "nd", sum->punt_share_full[WRTC_PUNT_CLASS_ND]) \
	X(I, "icmp", sum->punt_share_full[WRTC_PUNT_CLASS_ICMP]) \
	X(I, "stun", sum->punt_share_full[WRTC_PUNT_CLASS_STUN]) \
	X(I, "dtls", sum->punt_share_full[WRTC_PUNT_CLASS_DTLS]) \
	X(I, "priority", sum->punt_share_full[WRTC_PUNT_CLASS_PRIORITY]) \
	X(I, "pair", sum->punt_share_full[WRTC_PUNT_CLASS_PAIR])

/* control_messages: the control -> worker channel; @p backlog waiting now. */
#define CTRL_MSG_STATS(X) \
	X(I, "sources_rejected", mgr->st.sources_rejected) \
	X(I, "posted", mgr->st.msgs_posted) \
	X(I, "waited", mgr->st.msgs_backlogged) \
	X(I, "waiting", backlog) \
	X(I, "lost", mgr->st.msgs_lost) \
	X(I, "failed", mgr->st.msgs_failed) \
	X(I, "busy_refused", mgr->st.busy_refused)

#define REJECTED_STATS(X) \
	X(I, "offer", mgr->st.rejected[REJ_OFFER]) \
	X(I, "answer", mgr->st.rejected[REJ_ANSWER]) \
	X(I, "delete", mgr->st.rejected[REJ_DELETE])

/* control: the JSON-RPC server's counters @p rs. */
#define RPC_SERVER_STATS(X) \
	X(I, "clients", wrtc_rpc_server_clients(mgr->rpc)) \
	X(I, "accepted", rs.accepted) \
	X(I, "refused_source", rs.refused_source) \
	X(I, "refused_full", rs.refused_full) \
	X(I, "unauthorized", rs.unauthorized)

/* The result: the workers' sum @p sum, the ports in use on all interfaces,
 * the messages waiting @p backlog and the objects built before. */
#define TOP_STATS(X) \
	X(I, "uptime", time(NULL) - mgr->started) \
	X(I, "calls_active", mgr->n_calls) \
	X(I, "calls_created", mgr->st.calls_created) \
	X(I, "calls_deleted", mgr->st.calls_deleted) \
	X(I, "calls_timed_out", mgr->st.calls_timed_out) \
	X(I, "offers", mgr->st.offers) \
	X(I, "answers", mgr->st.answers) \
	X(I, "rx_packets", sum->rx_pkts) \
	X(I, "tx_packets", sum->tx_pkts) \
	X(I, "relayed_packets", sum->relayed) \
	X(I, "punted_packets", sum->punted) \
	X(I, "handoff_packets", sum->handoff_out) \
	X(I, "control_tx_packets", mgr->st.ctrl_tx) \
	X(O, "slow_path", slow_path) \
	X(O, "punt_share_full", punt_share) \
	X(I, "neighbour_requests", mgr->st.neigh_requests) \
	X(I, "control_tx_dropped", mgr->st.ctrl_tx_dropped) \
	X(O, "drops", drops) \
	X(O, "workers", workers) \
	X(O, "interfaces", ports) \
	X(I, "media_ports_in_use", ports_in_use) \
	X(I, "offers_failed", mgr->st.offers_failed) \
	X(I, "answers_failed", mgr->st.answers_failed) \
	X(I, "calls_degraded", mgr->n_degraded) \
	X(I, "calls_degraded_total", mgr->st.calls_degraded) \
	X(I, "ctrl_lost", mgr->st.ctrl_lost) \
	X(O, "control_messages", ctrl_msgs) \
	X(O, "requests_rejected", rejected) \
	X(I, "dtls_handshakes", mgr->st.dtls_handshakes) \
	X(I, "dtls_failures", mgr->st.dtls_failures) \
	X(I, "transcoders_created", mgr->st.xcoders_created) \
	X(I, "transcoders_kept", mgr->st.xcoders_kept) \
	X(I, "streams_continued", sum->streams_continued) \
	X(I, "media_rx_bytes", mgr->st.media_rx_bytes) \
	X(I, "media_tx_bytes", mgr->st.media_tx_bytes)

/* @p o, or NULL (and @p o released) when a member could not be added. */
static json_t *
stat_done(json_t *o, bool bad)
{
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
worker_stats(uint16_t w, const struct wrtc_worker_stats *s)
{
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	WORKER_STATS(STAT_ADD)
	return stat_done(o, bad);
}

static json_t *
iface_stats(const struct wrtc_session_mgr *mgr, uint16_t i)
{
	const struct wrtc_port *p = &mgr->dp->port[i];
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	IFACE_STATS(STAT_ADD)
	return stat_done(o, bad);
}

/* The nested objects of the result that come from one table each. */
static json_t *
slow_path_stats(const struct wrtc_session_mgr *mgr)
{
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	SLOW_PATH_STATS(STAT_ADD)
	return stat_done(o, bad);
}

static json_t *
punt_share_stats(const struct wrtc_worker_stats *sum)
{
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	PUNT_SHARE_STATS(STAT_ADD)
	return stat_done(o, bad);
}

static json_t *
ctrl_msg_stats(const struct wrtc_session_mgr *mgr, uint64_t backlog)
{
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	CTRL_MSG_STATS(STAT_ADD)
	return stat_done(o, bad);
}

static json_t *
rejected_stats(const struct wrtc_session_mgr *mgr)
{
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	REJECTED_STATS(STAT_ADD)
	return stat_done(o, bad);
}

static json_t *
rpc_server_stats(const struct wrtc_session_mgr *mgr)
{
	struct wrtc_rpc_server_stats rs;
	json_t *o = json_object();
	bool bad = false;

	if (o == NULL)
		return NULL;
	wrtc_rpc_server_stats(mgr->rpc, &rs);
	RPC_SERVER_STATS(STAT_ADD)
	return stat_done(o, bad);
}

/* The workers' counters added up into @p sum; workers[] (NULL when out of memory). */
static json_t *
workers_stats(const struct wrtc_session_mgr *mgr, struct wrtc_worker_stats *sum)
{
	json_t *workers = json_array();
	bool bad = workers == NULL;

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		const struct wrtc_worker_stats *s = wrtc_worker_stats(mgr->dp->workers[w]);

		sum->rx_pkts += s->rx_pkts;
		sum->tx_pkts += s->tx_pkts;
		sum->relayed += s->relayed;
		sum->punted += s->punted;
		sum->handoff_in += s->handoff_in;
		sum->handoff_out += s->handoff_out;
		sum->streams_continued += s->streams_continued;
		for (unsigned int r = 0; r < WRTC_DROP_MAX; r++)
			sum->drops[r] += s->drops[r];
		for (unsigned int c = 0; c < WRTC_PUNT_CLASS_MAX; c++)
			sum->punt_share_full[c] += s->punt_share_full[c];
		if (!bad)
			bad |= json_array_append_new(workers, worker_stats(w, s)) != 0;
	}
	return stat_done(workers, bad);
}

json_t *
wrtc_session_statistics(struct wrtc_session_mgr *mgr)
{
	struct wrtc_worker_stats total = {0}, *sum = &total;
	json_t *workers = workers_stats(mgr, sum), *drops = json_object(), *ports = json_array();
	json_t *slow_path = slow_path_stats(mgr), *punt_share = punt_share_stats(sum);
	json_t *rejected = rejected_stats(mgr), *ctrl_msgs, *o;
	uint64_t ports_in_use = 0, backlog = 0;
	bool bad = drops == NULL || ports == NULL;

	for (unsigned int r = 1; r < WRTC_DROP_MAX && drops != NULL; r++)
		bad |= json_object_set_new(drops, wrtc_drop_name(r), STAT_I(sum->drops[r])) != 0;
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		ports_in_use += (uint64_t)mgr->pools[i].in_use * 2;
		if (ports != NULL)
			bad |= json_array_append_new(ports, iface_stats(mgr, i)) != 0;
	}
	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++)
		backlog += mgr->ctrlq[w].n_backlog;
	ctrl_msgs = ctrl_msg_stats(mgr, backlog);
	o = json_object();
	if (o == NULL) {
		json_decref(slow_path);
		json_decref(punt_share);
		json_decref(drops);
		json_decref(workers);
		json_decref(ports);
		json_decref(ctrl_msgs);
		json_decref(rejected);
		return NULL;
	}
	TOP_STATS(STAT_ADD)
	if (mgr->ha != NULL)
		STAT_ADD(O, "ha", ha_statistics(mgr))
	if (mgr->rpc != NULL)
		STAT_ADD(O, "control", rpc_server_stats(mgr))
	return stat_done(o, bad);
}

static json_t *
m_statistics(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	return wrtc_session_statistics(mgr);
}

static json_t *
m_capture(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	struct wrtc_session_mgr *mgr = ctx;
	const char *call_id, *action;
	struct wrtc_call *call;
	char msg[512] = "";
	char file[sizeof(((struct wrtc_call *)0)->capture_file)];
	uint64_t packets;

	if (id_param(params, "call_id", true, &call_id, err) != 0 ||
	    wrtc_rpc_param_str(params, "action", &action, err) != 0)
		return NULL;
	call = call_find(mgr, call_id);
	if (call == NULL) {
		wrtc_rpc_error_set(err, ERR_NO_CALL, "call_id: no call \"%s\"", call_id);
		return NULL;
	}
	if (strcmp(action, "start") == 0) {
		if (capture_start(mgr, call, msg, sizeof(msg)) != 0) {
			wrtc_rpc_error_set(err, ERR_CALL, "%s", msg);
			return NULL;
		}
		return json_pack("{s:s, s:s}", "state", "capturing", "file", call->capture_file);
	}
	if (strcmp(action, "stop") == 0) {
		if (call->capture == NULL) {
			wrtc_rpc_error_set(err, WRTC_RPC_CONFLICT,
					   "call_id: \"%s\" is not being captured", call_id);
			return NULL;
		}
		snprintf(file, sizeof(file), "%s", call->capture_file);
		if (capture_stop(mgr, call, &packets) != 0) {
			wrtc_rpc_error_set(err, ERR_CALL, "capture: writing %s failed", file);
			return NULL;
		}
		return json_pack("{s:s, s:s, s:I}", "state", "stopped", "file", file, "packets",
				 (json_int_t)packets);
	}
	wrtc_rpc_error_set(err, ERR_INVALID_PARAMS, "action: must be \"start\" or \"stop\"");
	return NULL;
}

static json_t *
m_policers(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = wrtc_session_policers(ctx);

	if (r == NULL) {
		wrtc_rpc_error_set(err, WRTC_RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	return r;
}

static const struct {
	const char *name;
	wrtc_rpc_handler_fn *fn;
} methods[] = {
	{"offer", m_offer},
	{"answer", m_answer},
	{"delete", m_delete},
	{"query", m_query},
	{"list", m_list},
	{"statistics", m_statistics},
	{"policers", m_policers},
	{"capture", m_capture},
};

int
wrtc_session_rpc_register(struct wrtc_session_mgr *mgr, struct wrtc_rpc_server *srv)
{
	mgr->rpc = srv;
	for (unsigned int i = 0; i < RTE_DIM(methods); i++) {
		int rc = wrtc_rpc_server_register(srv, methods[i].name, methods[i].fn, mgr);

		if (rc != 0)
			return rc;
	}
	return 0;
}
