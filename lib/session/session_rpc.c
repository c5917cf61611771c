/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON-RPC methods of the control API (docs/rpc.md). Each handler checks
 * its params (errors name the field), calls the front-end-neutral function
 * of session_api.c and turns its result into the method's result or error.
 */
#include <errno.h>
#include <stdarg.h>
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


static json_t *
fail(struct wrtc_rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return NULL;
}

/* A string param: required or optional (NULL when absent). */
static int
str_param(json_t *params, const char *name, bool required, const char **out,
	  struct wrtc_rpc_error *err)
{
	json_t *v = params != NULL ? json_object_get(params, name) : NULL;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required) {
			fail(err, ERR_INVALID_PARAMS, "%s: missing", name);
			return -EINVAL;
		}
		return 0;
	}
	if (!json_is_string(v)) {
		fail(err, ERR_INVALID_PARAMS, "%s: must be a string", name);
		return -EINVAL;
	}
	if (required && json_string_length(v) == 0) {
		fail(err, ERR_INVALID_PARAMS, "%s: must not be empty", name);
		return -EINVAL;
	}
	if (json_string_length(v) >= SESS_ID_SIZE && strcmp(name, "sdp") != 0) {
		fail(err, ERR_INVALID_PARAMS, "%s: longer than %d characters", name,
		     SESS_ID_SIZE - 1);
		return -EINVAL;
	}
	*out = json_string_value(v);
	return 0;
}

static int
tg_param(struct wrtc_session_mgr *mgr, json_t *params, const char *name, int dflt, int *tg,
	 struct wrtc_rpc_error *err)
{
	const char *s;

	if (str_param(params, name, false, &s, err) != 0)
		return -EINVAL;
	if (s == NULL) {
		*tg = dflt;
		return 0;
	}
	*tg = wrtc_config_trunk_group_find(mgr->cfg, s);
	if (*tg < 0) {
		fail(err, ERR_INVALID_PARAMS, "%s: no trunk group \"%s\"", name, s);
		return -EINVAL;
	}
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
	char *out = NULL;
	int rc;

	if (str_param(params, "call_id", true, &prm.call_id, err) != 0 ||
	    str_param(params, "from_tag", true, &prm.from_tag, err) != 0 ||
	    str_param(params, "sdp", true, &prm.sdp, err) != 0 ||
	    str_param(params, "calling", false, &prm.calling, err) != 0 ||
	    str_param(params, "called", false, &prm.called, err) != 0 ||
	    tg_param(mgr, params, "ingress", 0, &prm.tg[0], err) != 0 ||
	    tg_param(mgr, params, "egress", mgr->cfg->n_trunk_groups > 1 ? 1 : 0, &prm.tg[1],
		     err) != 0)
		return NULL;
	prm.sdp_len = strlen(prm.sdp);
	rc = wrtc_session_offer(mgr, &prm, &out, msg, sizeof(msg));
	if (rc != 0)
		return fail(err, rc_code(rc), "%s", msg);
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

	if (str_param(params, "call_id", true, &call_id, err) != 0 ||
	    str_param(params, "from_tag", true, &from_tag, err) != 0 ||
	    str_param(params, "to_tag", true, &to_tag, err) != 0 ||
	    str_param(params, "sdp", true, &sdp, err) != 0)
		return NULL;
	rc = wrtc_session_answer(mgr, call_id, from_tag, to_tag, sdp, strlen(sdp), &out, msg,
				 sizeof(msg));
	if (rc != 0)
		return fail(err, rc == -ENOENT ? ERR_NO_CALL : rc_code(rc), "%s", msg);
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

	if (str_param(params, "call_id", true, &call_id, err) != 0 ||
	    str_param(params, "from_tag", false, &from_tag, err) != 0)
		return NULL;
	rc = wrtc_session_delete(mgr, call_id, from_tag, &final, msg, sizeof(msg));
	if (rc != 0)
		return fail(err, rc == -ENOENT ? ERR_NO_CALL : rc_code(rc), "%s", msg);
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

	if (str_param(params, "call_id", true, &call_id, err) != 0)
		return NULL;
	rc = wrtc_session_query(mgr, call_id, &status, msg, sizeof(msg));
	if (rc != 0)
		return fail(err, rc == -ENOENT ? ERR_NO_CALL : WRTC_RPC_INTERNAL_ERROR, "%s", msg);
	return status;
}

static json_t *
m_list(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = wrtc_session_list(ctx, 0);

	if (r == NULL)
		return fail(err, WRTC_RPC_INTERNAL_ERROR, "out of memory");
	return r;
}

json_t *
wrtc_session_statistics(struct wrtc_session_mgr *mgr)
{
	struct wrtc_worker_stats sum = {0};
	json_t *drops = json_object(), *workers = json_array(), *ports = json_array(), *o;
	uint64_t ports_in_use = 0, backlog = 0;

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		const struct wrtc_worker_stats *s = wrtc_worker_stats(mgr->dp->workers[w]);

		sum.rx_pkts += s->rx_pkts;
		sum.tx_pkts += s->tx_pkts;
		sum.relayed += s->relayed;
		sum.punted += s->punted;
		sum.handoff_in += s->handoff_in;
		sum.handoff_out += s->handoff_out;
		for (unsigned int r = 0; r < WRTC_DROP_MAX; r++)
			sum.drops[r] += s->drops[r];
		for (unsigned int c = 0; c < WRTC_PUNT_CLASS_MAX; c++)
			sum.punt_share_full[c] += s->punt_share_full[c];
		json_array_append_new(workers, json_pack(
			"{s:i, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I}",
			"worker", w, "rx_packets", (json_int_t)s->rx_pkts,
			"tx_packets", (json_int_t)s->tx_pkts, "relayed", (json_int_t)s->relayed,
			"punted", (json_int_t)s->punted, "handoff_out", (json_int_t)s->handoff_out,
			"busy", s->iterations ? (double)s->busy_iterations / s->iterations : 0.0,
			"busy_cycles", (json_int_t)s->busy_cycles,
			"idle_cycles", (json_int_t)s->idle_cycles,
			"sleeps", (json_int_t)s->sleeps,
			"sleep_cycles", (json_int_t)s->sleep_cycles));
	}
	for (unsigned int r = 1; r < WRTC_DROP_MAX; r++)
		json_object_set_new(drops, wrtc_drop_name(r), json_integer((json_int_t)sum.drops[r]));
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		const struct wrtc_port *p = &mgr->dp->port[i];

		json_array_append_new(ports, json_pack("{s:s, s:s, s:s, s:I, s:I}",
			"interface", mgr->cfg->interfaces[i].name, "device", p->name,
			"steering", wrtc_steer_mode_name(p->steer),
			"media_ports_in_use", (json_int_t)mgr->pools[i].in_use * 2,
			"media_ports_total", (json_int_t)mgr->pools[i].n_pairs * 2));
	}
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++)
		ports_in_use += (uint64_t)mgr->pools[i].in_use * 2;
	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++)
		backlog += mgr->ctrlq[w].n_backlog;
	o = json_pack("{s:I, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:o, s:o, s:o}",
		"uptime", (json_int_t)(time(NULL) - mgr->started),
		"calls_active", mgr->n_calls,
		"calls_created", (json_int_t)mgr->st.calls_created,
		"calls_deleted", (json_int_t)mgr->st.calls_deleted,
		"calls_timed_out", (json_int_t)mgr->st.calls_timed_out,
		"offers", (json_int_t)mgr->st.offers,
		"answers", (json_int_t)mgr->st.answers,
		"rx_packets", (json_int_t)sum.rx_pkts,
		"tx_packets", (json_int_t)sum.tx_pkts,
		"relayed_packets", (json_int_t)sum.relayed,
		"punted_packets", (json_int_t)sum.punted,
		"handoff_packets", (json_int_t)sum.handoff_out,
		"control_tx_packets", (json_int_t)mgr->st.ctrl_tx,
		"slow_path",
		"arp", (json_int_t)mgr->st.punt_arp, "nd", (json_int_t)mgr->st.punt_nd,
		"icmp_echo", (json_int_t)mgr->st.punt_icmp, "stun", (json_int_t)mgr->st.punt_stun,
		"dtls", (json_int_t)mgr->st.punt_dtls, "other", (json_int_t)mgr->st.punt_dropped,
		"punt_share_full",
		"arp", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_ARP],
		"nd", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_ND],
		"icmp", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_ICMP],
		"stun", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_STUN],
		"dtls", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_DTLS],
		"priority", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_PRIORITY],
		"pair", (json_int_t)sum.punt_share_full[WRTC_PUNT_CLASS_PAIR],
		"neighbour_requests", (json_int_t)mgr->st.neigh_requests,
		"control_tx_dropped", (json_int_t)mgr->st.ctrl_tx_dropped,
		"drops", drops, "workers", workers, "interfaces", ports);
	if (o == NULL)
		return NULL;
	json_object_set_new(o, "media_ports_in_use", json_integer((json_int_t)ports_in_use));
	json_object_set_new(o, "offers_failed", json_integer((json_int_t)mgr->st.offers_failed));
	json_object_set_new(o, "answers_failed", json_integer((json_int_t)mgr->st.answers_failed));
	json_object_set_new(o, "calls_degraded", json_integer((json_int_t)mgr->n_degraded));
	json_object_set_new(o, "calls_degraded_total",
			    json_integer((json_int_t)mgr->st.calls_degraded));
	json_object_set_new(o, "ctrl_lost", json_integer((json_int_t)mgr->st.ctrl_lost));
	json_object_set_new(o, "control_messages", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"sources_rejected", (json_int_t)mgr->st.sources_rejected,
		"posted", (json_int_t)mgr->st.msgs_posted,
		"waited", (json_int_t)mgr->st.msgs_backlogged,
		"waiting", (json_int_t)backlog,
		"lost", (json_int_t)mgr->st.msgs_lost,
		"failed", (json_int_t)mgr->st.msgs_failed,
		"busy_refused", (json_int_t)mgr->st.busy_refused));
	/* Added separately: json_pack() formats have a limited length. */
	json_object_set_new(o, "requests_rejected", json_pack("{s:I, s:I, s:I}",
		"offer", (json_int_t)mgr->st.rejected[REJ_OFFER],
		"answer", (json_int_t)mgr->st.rejected[REJ_ANSWER],
		"delete", (json_int_t)mgr->st.rejected[REJ_DELETE]));
	json_object_set_new(o, "dtls_handshakes",
			    json_integer((json_int_t)mgr->st.dtls_handshakes));
	json_object_set_new(o, "dtls_failures", json_integer((json_int_t)mgr->st.dtls_failures));
	json_object_set_new(o, "transcoders_created",
			    json_integer((json_int_t)mgr->st.xcoders_created));
	json_object_set_new(o, "transcoders_kept",
			    json_integer((json_int_t)mgr->st.xcoders_kept));
	json_object_set_new(o, "media_rx_bytes",
			    json_integer((json_int_t)mgr->st.media_rx_bytes));
	json_object_set_new(o, "media_tx_bytes",
			    json_integer((json_int_t)mgr->st.media_tx_bytes));
	if (mgr->ha != NULL)
		json_object_set_new(o, "ha", ha_statistics(mgr));
	if (mgr->rpc != NULL) {
		struct wrtc_rpc_server_stats rs;

		wrtc_rpc_server_stats(mgr->rpc, &rs);
		json_object_set_new(o, "control", json_pack("{s:i, s:I, s:I, s:I, s:I}",
			"clients", (int)wrtc_rpc_server_clients(mgr->rpc),
			"accepted", (json_int_t)rs.accepted,
			"refused_source", (json_int_t)rs.refused_source,
			"refused_full", (json_int_t)rs.refused_full,
			"unauthorized", (json_int_t)rs.unauthorized));
	}
	return o;
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

	if (str_param(params, "call_id", true, &call_id, err) != 0 ||
	    str_param(params, "action", true, &action, err) != 0)
		return NULL;
	call = call_find(mgr, call_id);
	if (call == NULL)
		return fail(err, ERR_NO_CALL, "call_id: no call \"%s\"", call_id);
	if (strcmp(action, "start") == 0) {
		if (capture_start(mgr, call, msg, sizeof(msg)) != 0)
			return fail(err, ERR_CALL, "%s", msg);
		return json_pack("{s:s, s:s}", "state", "capturing", "file", call->capture_file);
	}
	if (strcmp(action, "stop") == 0) {
		if (call->capture == NULL)
			return fail(err, WRTC_RPC_CONFLICT, "call_id: \"%s\" is not being captured",
				    call_id);
		snprintf(file, sizeof(file), "%s", call->capture_file);
		if (capture_stop(mgr, call, &packets) != 0)
			return fail(err, ERR_CALL, "capture: writing %s failed", file);
		return json_pack("{s:s, s:s, s:I}", "state", "stopped", "file", file, "packets",
				 (json_int_t)packets);
	}
	return fail(err, ERR_INVALID_PARAMS, "action: must be \"start\" or \"stop\"");
}

static json_t *
m_policers(json_t *params, void *ctx, struct wrtc_rpc_error *err)
{
	json_t *r = wrtc_session_policers(ctx);

	if (r == NULL)
		return fail(err, WRTC_RPC_INTERNAL_ERROR, "out of memory");
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
