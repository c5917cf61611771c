/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The roof of lib/session: the session manager's life (create, shutdown,
 * free), the control lcore's poll loop (slow-path packets punted by workers:
 * ARP, ND, ICMP echo, STUN and DTLS; replies; telemetry; captures), the
 * timers (WebRTC ticks, route retries, the one-second media timeout), the
 * policers installed in the workers and the compiled SDP rules. It calls the
 * rest of the library; nothing below it calls it (docs/lib/session.rst,
 * "Layers").
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf.h>

#include "session_priv.h"

enum { PUNT_BURST = 32 };

static void
retry_all_routes(struct wrtc_session_mgr *mgr)
{
	struct call_list todo = TAILQ_HEAD_INITIALIZER(todo);
	struct wrtc_call *call;

	/* Only the calls waiting for a neighbour; one still waiting goes back
	 * on mgr->routing through call_retry_routes(). */
	TAILQ_CONCAT(&todo, &mgr->routing, route_next);
	TAILQ_FOREACH(call, &todo, route_next)
		call->in_routing = false;
	while ((call = TAILQ_FIRST(&todo)) != NULL) {
		TAILQ_REMOVE(&todo, call, route_next);
		if (call->need_route && !call->removing)
			call_retry_routes(mgr, call);
	}
}

static unsigned int
handle_punts(struct wrtc_session_mgr *mgr, struct wrtc_lcore *w)
{
	struct rte_mbuf *pkts[PUNT_BURST];
	unsigned int n;
	bool learned = false;

	n = wrtc_worker_punt_take(w, pkts, PUNT_BURST);
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		int16_t iface = mgr->dp->iface_of_port[m->port];
		const struct wrtc_net_iface *ifc;
		bool reply = false;
		int rc;

		if (iface < 0) {
			mgr->st.punt_dropped++;
			rte_pktmbuf_free(m);
			continue;
		}
		ifc = &mgr->dp->ifc[iface];
		switch (wrtc_punt_kind(m)) {
		case WRTC_PUNT_ARP:
			mgr->st.punt_arp++;
			rc = wrtc_net_arp_input(ifc, m, mgr->neigh[iface], ctrl_now_ms(mgr), &reply);
			learned |= rc > 0;
			break;
		case WRTC_PUNT_ND:
			mgr->st.punt_nd++;
			rc = wrtc_net_nd_input(ifc, m, mgr->neigh[iface], ctrl_now_ms(mgr), &reply);
			learned |= rc > 0;
			break;
		case WRTC_PUNT_ICMP:
			mgr->st.punt_icmp++;
			reply = wrtc_net_icmp_echo_reply(ifc, m) == 0;
			break;
		case WRTC_PUNT_STUN:
			mgr->st.punt_stun++;
			webrtc_punt(mgr, m, WRTC_PUNT_STUN);
			break;
		case WRTC_PUNT_DTLS:
			mgr->st.punt_dtls++;
			webrtc_punt(mgr, m, WRTC_PUNT_DTLS);
			break;
		default:
			mgr->st.punt_dropped++;
			break;
		}
		if (reply)
			ctrl_send(mgr, (uint16_t)iface, m);
		else
			rte_pktmbuf_free(m);
	}
	if (learned)
		retry_all_routes(mgr);
	return n;
}

/* Free the calls whose REMOVEs the workers have applied meanwhile. */
static void
finish_removals(struct wrtc_session_mgr *mgr)
{
	struct wrtc_call *call, *tmp;

	/* Only the calls being removed (mgr->removing), never every call. */
	for (call = TAILQ_FIRST(&mgr->removing); call != NULL; call = tmp) {
		tmp = TAILQ_NEXT(call, rm_next);
		/* -EAGAIN: the worker is still behind, a later tick tries again. */
		if (call_destroy(mgr, call, NULL, 0) != 0)
			CALL_LOG(DEBUG, call, "still removing (worker %u)", call->worker);
	}
}

/* Once a second: neighbour ageing and the calls still being removed. */
static void
timers(struct wrtc_session_mgr *mgr)
{
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++)
		wrtc_net_neigh_age(mgr->neigh[i], ctrl_now_ms(mgr));
	finish_removals(mgr);
	call_memory_trim(mgr);
}

/* The calls whose one-second timer is due (session_timer.c); a call that
 * timed out is freed in this tick if its worker lets go within a moment. */
static unsigned int
call_ticks(struct wrtc_session_mgr *mgr, uint64_t now)
{
	bool pending[WRTC_MAX_WORKERS] = {false}, any = false;
	unsigned int n = call_timers_run(mgr, now, pending);

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		if (!pending[w])
			continue;
		any = true;
		if (ctrl_wait_seq(mgr, w, mgr->ctrlq[w].last_seq, SESS_TIMER_WAIT_US) != 0)
			SESS_LOG(DEBUG, "worker %u is behind: removals finish on a later tick", w);
	}
	if (any)
		finish_removals(mgr);
	return n;
}

unsigned int
wrtc_session_poll(struct wrtc_session_mgr *mgr)
{
	uint64_t now = rte_rdtsc();
	unsigned int n = 0;

	for (uint16_t i = 0; i < mgr->dp->nb_workers; i++)
		n += handle_punts(mgr, mgr->dp->workers[i]);
	n += ctrl_drain_replies(mgr);
	n += telemetry_poll(mgr);
	n += capture_poll(mgr);
	if (sess_timer_next(&mgr->webrtc_timers) <= ctrl_now_us(mgr))
		webrtc_tick(mgr, ctrl_now_us(mgr));
	if (sess_timer_next(&mgr->call_timers) <= now)
		n += call_ticks(mgr, now);
	if (mgr->ha != NULL)
		n += ha_poll(mgr);
	if (now - mgr->last_route_tsc > mgr->hz / 5) {
		mgr->last_route_tsc = now;
		retry_all_routes(mgr);
	}
	if (now - mgr->last_second_tsc > mgr->hz) {
		mgr->last_second_tsc = now;
		timers(mgr);
	}
	return n;
}

/* Microseconds from now_us until @p due_us (0 if due). */
static uint64_t
until_us(uint64_t due_us, uint64_t now_us)
{
	return due_us > now_us ? due_us - now_us : 0;
}

uint64_t
wrtc_session_idle_us(const struct wrtc_session_mgr *mgr, uint64_t max_us)
{
	uint64_t tsc_us = mgr->hz / 1000000, now_us = ctrl_now_us(mgr), wait = max_us;
	uint64_t t;

	if (!TAILQ_EMPTY(&mgr->capturing))
		wait = RTE_MIN(wait, (uint64_t)100);
	t = sess_timer_next(&mgr->webrtc_timers);
	if (t != UINT64_MAX)
		wait = RTE_MIN(wait, until_us(t, now_us));
	t = sess_timer_next(&mgr->call_timers);
	if (t != UINT64_MAX)
		wait = RTE_MIN(wait, until_us(t / tsc_us, now_us));
	wait = RTE_MIN(wait, until_us((mgr->last_route_tsc + mgr->hz / 5) / tsc_us, now_us));
	wait = RTE_MIN(wait, until_us((mgr->last_second_tsc + mgr->hz) / tsc_us, now_us));
	return wait;
}

int
policer_prm_split(const struct wrtc_session_mgr *mgr, const struct wrtc_config_policer *cp,
		  unsigned int k, uint32_t max_sources, uint64_t hz, uint64_t now,
		  struct wrtc_policer_prm *prm)
{
	uint16_t nw = mgr->dp->nb_workers;

	if (wrtc_policer_prm_from_config(cp, k, max_sources, hz, now, prm) != 0)
		return -EINVAL;
	prm->rate = RTE_MAX(prm->rate / nw, (uint64_t)1);
	prm->bucket = RTE_MAX(prm->bucket / nw, (uint64_t)1);
	if (prm->priority_rate != 0)
		prm->priority_rate = RTE_MAX(prm->priority_rate / nw, prm->rate);
	if (prm->priority_bucket != 0)
		prm->priority_bucket = RTE_MAX(prm->priority_bucket / nw, (uint64_t)1);
	if (prm->pair_rate != 0)
		prm->pair_rate = RTE_MAX(prm->pair_rate / nw, prm->rate);
	if (prm->pair_bucket != 0)
		prm->pair_bucket = RTE_MAX(prm->pair_bucket / nw, (uint64_t)1);
	return 0;
}

int
sdp_rules_build(const struct wrtc_config *cfg, struct wrtc_sdp_rules *rules[], unsigned int max,
		char *err, size_t errlen)
{
	char why[256];

	for (unsigned int t = 0; t < cfg->n_trunk_groups && t < max; t++) {
		const struct wrtc_config_trunk_group *tg = &cfg->trunk_groups[t];
		struct wrtc_sdp_rule_def defs[WRTC_SDP_MAX_RULES];
		unsigned int n = RTE_MIN(tg->n_sdp_rules, (unsigned int)WRTC_SDP_MAX_RULES);

		rules[t] = NULL;
		if (n == 0)
			continue;
		for (unsigned int r = 0; r < n; r++) {
			const struct wrtc_config_sdp_rule *cr = &tg->sdp_rules[r];

			defs[r].dir = cr->direction == WRTC_CONFIG_SDP_IN ? WRTC_SDP_RULE_IN :
				      cr->direction == WRTC_CONFIG_SDP_OUT ? WRTC_SDP_RULE_OUT :
				      WRTC_SDP_RULE_BOTH;
			defs[r].action = cr->action == WRTC_CONFIG_SDP_DELETE ?
					 WRTC_SDP_RULE_DELETE : WRTC_SDP_RULE_SUBST;
			defs[r].pattern = cr->regex;
			defs[r].replacement = cr->replacement;
		}
		if (wrtc_sdp_rules_compile(defs, n, &rules[t], why, sizeof(why)) != 0) {
			snprintf(err, errlen, "trunk_groups[%u].sdp_rules: %s", t, why);
			for (unsigned int u = 0; u < t; u++) {
				wrtc_sdp_rules_free(rules[u]);
				rules[u] = NULL;
			}
			return -EINVAL;
		}
	}
	return 0;
}

/* Install @p p as worker @p wl's policer of its type (the first of a type wins). */
static void
policer_install(struct wrtc_lcore *wl, const struct wrtc_config_policer *cp,
		struct wrtc_policer *p)
{
	switch (cp->type) {
	case WRTC_CONFIG_POLICER_LINK_DATA:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_LINK, cp->interface, p);
		break;
	case WRTC_CONFIG_POLICER_STUN:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_STUN, -1, p);
		break;
	case WRTC_CONFIG_POLICER_DTLS:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_DTLS, -1, p);
		break;
	case WRTC_CONFIG_POLICER_ARP:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_ARP, -1, p);
		break;
	case WRTC_CONFIG_POLICER_ND:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_ND, -1, p);
		break;
	case WRTC_CONFIG_POLICER_ICMP:
		wrtc_worker_policer_install(wl, WRTC_WORKER_POL_ICMP, -1, p);
		break;
	}
}

/* One instance of each configured policer per worker, installed in the
 * workers before they start. Rates and buckets are split between workers so
 * the configured figures hold for the whole gateway. Every punted class is
 * policed: a class the configuration has no entry for gets the default entry
 * of lib/policer (shown in the `policers` table like a configured one). */
static int
policers_create(struct wrtc_session_mgr *mgr)
{
	static const enum wrtc_config_policer_type punted[] = {
		WRTC_CONFIG_POLICER_STUN, WRTC_CONFIG_POLICER_DTLS, WRTC_CONFIG_POLICER_ARP,
		WRTC_CONFIG_POLICER_ND, WRTC_CONFIG_POLICER_ICMP,
	};
	const struct wrtc_config *cfg = mgr->cfg;
	uint16_t nw = mgr->dp->nb_workers;
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();
	uint32_t max_calls = RTE_MAX(cfg->control.max_calls, 64u);
	uint32_t max_sources = RTE_MIN(max_calls * 4, 65536u);
	unsigned int n_cfg = RTE_MIN(cfg->n_policers, (unsigned int)WRTC_MAX_POLICERS);

	for (unsigned int k = 0; k < n_cfg; k++)
		mgr->pol_cfg[k] = cfg->policers[k];
	mgr->n_pols = n_cfg;
	for (unsigned int t = 0; t < RTE_DIM(punted); t++) {
		struct wrtc_config_policer *d = &mgr->pol_cfg[mgr->n_pols];
		bool have = false, taken = false;

		for (unsigned int k = 0; k < n_cfg; k++)
			have |= cfg->policers[k].type == punted[t];
		if (have || mgr->n_pols >= RTE_DIM(mgr->pol_cfg) ||
		    wrtc_policer_default_config(punted[t], d) != 0)
			continue;
		/* Names stay unique (telemetry keys rows by name). */
		for (unsigned int k = 0; k < n_cfg; k++)
			taken |= strcmp(cfg->policers[k].name, d->name) == 0;
		if (taken) {
			char name[sizeof(d->name)];

			snprintf(name, sizeof(name), "default-%s", d->name);
			memcpy(d->name, name, sizeof(d->name));
		}
		mgr->n_pols++;
	}
	if (mgr->n_pols == 0)
		return 0;
	mgr->pols = calloc((size_t)nw * mgr->n_pols, sizeof(*mgr->pols));
	if (mgr->pols == NULL)
		return -ENOMEM;
	for (uint16_t w = 0; w < nw; w++) {
		struct wrtc_lcore *wl = mgr->dp->workers[w];

		for (unsigned int k = 0; k < mgr->n_pols; k++) {
			const struct wrtc_config_policer *cp = &mgr->pol_cfg[k];
			struct wrtc_policer_prm prm;
			struct wrtc_policer *p;

			if (policer_prm_split(mgr, cp, k, max_sources, hz, now, &prm) != 0)
				return -EINVAL;
			p = wrtc_policer_create(&prm);
			if (p == NULL) {
				SESS_LOG(ERR, "policers[%u] (%s): %s", k, cp->name, strerror(errno));
				return -EINVAL;
			}
			mgr->pols[(size_t)w * mgr->n_pols + k] = p;
			policer_install(wl, cp, p);
		}
	}
	return 0;
}

void
wrtc_session_mgr_shutdown(struct wrtc_session_mgr *mgr)
{
	bool stuck[WRTC_MAX_WORKERS] = {false};
	struct wrtc_call *call;

	if (mgr == NULL)
		return;
	while ((call = TAILQ_FIRST(&mgr->calls)) != NULL) {
		json_t *final = NULL;

		call->end_reason = "shutdown";
		/* A worker that did not answer once is not waited for again. */
		if (call_destroy(mgr, call, &final, stuck[call->worker] ? 0 : SESS_WAIT_US) != 0) {
			stuck[call->worker] = true;
			/* A worker did not answer: leave its streams (never free what it may use). */
			CALL_LOG(ERR, call, "worker %u did not release the streams: left to it",
				 call->worker);
			call_unlink(mgr, call);
		}
		json_decref(final);
	}
	ctrl_drain_replies(mgr);
}

struct wrtc_session_mgr *
wrtc_session_mgr_create(const struct wrtc_session_prm *prm)
{
	struct wrtc_net_neigh_prm np = {
		.capacity = 4096,
		.reachable_time = 300000,
		.retrans_time = 1000,
		.max_probes = 3,
	};
	struct wrtc_session_mgr *mgr;
	char err[256];

	mgr = calloc(1, sizeof(*mgr));
	if (mgr == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	mgr->cfg = prm->cfg;
	mgr->dp = prm->dp;
	mgr->mp = prm->mp;
	mgr->hz = rte_get_tsc_hz();
	mgr->started = time(NULL);
	TAILQ_INIT(&mgr->calls);
	TAILQ_INIT(&mgr->removing);
	TAILQ_INIT(&mgr->routing);
	if (call_index_init(&mgr->index) != 0) {
		free(mgr);
		rte_errno = ENOMEM;
		return NULL;
	}
	if (ctrl_init(mgr) != 0) {
		call_index_fini(&mgr->index);
		free(mgr);
		rte_errno = ENOMEM;
		return NULL;
	}
	TAILQ_INIT(&mgr->capturing);
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		const struct wrtc_config_interface *ci = &mgr->cfg->interfaces[i];

		if (port_pool_init(&mgr->pools[i], ci->media_port_min, ci->media_port_max) != 0)
			goto fail;
		mgr->neigh[i] = wrtc_net_neigh_create(&np);
		mgr->port_map[i] = calloc(65536, sizeof(*mgr->port_map[i]));
		if (mgr->neigh[i] == NULL || mgr->port_map[i] == NULL)
			goto fail;
	}
	if (policers_create(mgr) != 0)
		goto fail;
	if (webrtc_init(mgr, err, sizeof(err)) != 0) {
		SESS_LOG(ERR, "DTLS: %s", err);
		goto fail;
	}
	if (sdp_rules_build(mgr->cfg, mgr->rules, RTE_DIM(mgr->rules), err, sizeof(err)) != 0) {
		SESS_LOG(ERR, "%s", err);
		goto fail;
	}
	TAILQ_INIT(&mgr->ha_dirty);
	if (ha_init(mgr) != 0)
		goto fail;
	mgr->last_second_tsc = rte_rdtsc();
	telemetry_attach(mgr);
	return mgr;
fail:
	wrtc_session_mgr_free(mgr);
	rte_errno = EINVAL;
	return NULL;
}

void
wrtc_session_mgr_free(struct wrtc_session_mgr *mgr)
{
	if (mgr == NULL)
		return;
	telemetry_attach(NULL);
	wrtc_session_mgr_shutdown(mgr);
	/* Workers have stopped (or never started): their policers can go. */
	for (size_t i = 0; mgr->pols != NULL && i < (size_t)mgr->dp->nb_workers * mgr->n_pols; i++)
		wrtc_policer_free(mgr->pols[i]);
	free(mgr->pols);
	for (uint16_t i = 0; i < WRTC_FLOW_MAX_IFACES; i++) {
		port_pool_fini(&mgr->pools[i]);
		wrtc_net_neigh_free(mgr->neigh[i]);
		free(mgr->port_map[i]);
	}
	webrtc_fini(mgr);
	ha_fini(mgr);
	ctrl_fini(mgr);
	for (unsigned int t = 0; t < RTE_DIM(mgr->rules); t++)
		wrtc_sdp_rules_free(mgr->rules[t]);
	call_index_fini(&mgr->index);
	sess_timers_fini(&mgr->call_timers);
	sess_timers_fini(&mgr->webrtc_timers);
	free(mgr);
}
