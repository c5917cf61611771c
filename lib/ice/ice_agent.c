/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICE agent object: creation, credentials, candidates, restart, state and
 * status. The check list lives in ice_check.c, STUN handling in ice_stun.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "ice_priv.h"

static const char *const state_names[] = {
	[WRTC_ICE_STATE_NEW] = "new",
	[WRTC_ICE_STATE_CHECKING] = "checking",
	[WRTC_ICE_STATE_CONNECTED] = "connected",
	[WRTC_ICE_STATE_COMPLETED] = "completed",
	[WRTC_ICE_STATE_FAILED] = "failed",
	[WRTC_ICE_STATE_DISCONNECTED] = "disconnected",
};

const char *
wrtc_ice_state_name(enum wrtc_ice_state state)
{
	if ((unsigned int)state >= sizeof(state_names) / sizeof(state_names[0]))
		return "unknown";
	return state_names[state];
}

const char *
wrtc_ice_mode_name(enum wrtc_ice_mode mode)
{
	switch (mode) {
	case WRTC_ICE_MODE_NONE:
		return "none";
	case WRTC_ICE_MODE_FULL:
		return "full";
	case WRTC_ICE_MODE_LITE:
		return "lite";
	}
	return "unknown";
}

const char *
wrtc_ice_role_name(enum wrtc_ice_role role)
{
	return role == WRTC_ICE_ROLE_CONTROLLING ? "controlling" : "controlled";
}

const char *
wrtc_ice_cand_type_name(enum wrtc_ice_cand_type type)
{
	switch (type) {
	case WRTC_ICE_CAND_HOST:
		return "host";
	case WRTC_ICE_CAND_SRFLX:
		return "srflx";
	case WRTC_ICE_CAND_PRFLX:
		return "prflx";
	case WRTC_ICE_CAND_RELAY:
		return "relay";
	}
	return "unknown";
}

static unsigned int
type_pref(enum wrtc_ice_cand_type type)
{
	switch (type) {
	case WRTC_ICE_CAND_HOST:
		return 126;
	case WRTC_ICE_CAND_PRFLX:
		return 110;
	case WRTC_ICE_CAND_SRFLX:
		return 100;
	default:
		return 0;
	}
}

uint32_t
wrtc_ice_priority(enum wrtc_ice_cand_type type, uint16_t local_pref, unsigned int component)
{
	if (component < 1 || component > 256)
		component = 1;
	return (type_pref(type) << 24) | ((uint32_t)local_pref << 8) | (256 - component);
}

bool
ice_addr_eq(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
	}
	return false;
}

static bool
addr_ok(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET || a->ss_family == AF_INET6;
}

int
ice_find_local(const struct wrtc_ice_agent *ag, const struct sockaddr_storage *base)
{
	for (unsigned int i = 0; i < ag->n_local; i++)
		if (ag->local[i].pairable && ice_addr_eq(&ag->local[i].c.base, base))
			return (int)i;
	return -1;
}

int
ice_find_remote(const struct wrtc_ice_agent *ag, const struct sockaddr_storage *addr)
{
	for (unsigned int i = 0; i < ag->n_remote; i++)
		if (ice_addr_eq(&ag->remote[i].c.addr, addr))
			return (int)i;
	return -1;
}

struct ice_gen *
ice_gen_by_id(struct wrtc_ice_agent *ag, unsigned int id)
{
	for (unsigned int i = 0; i < 2; i++)
		if (ag->gen[i].used && !ag->gen[i].retired && ag->gen[i].id == id)
			return &ag->gen[i];
	return NULL;
}

void
ice_emit(struct wrtc_ice_agent *ag, enum wrtc_ice_event_type type,
	 const struct sockaddr_storage *local, const struct sockaddr_storage *remote)
{
	struct wrtc_ice_event ev = {
		.type = type,
		.state = ag->state,
		.role = ag->role,
		.local = local,
		.remote = remote,
	};

	if (ag->prm.event != NULL)
		ag->prm.event(ag->prm.opaque, &ev);
}

static bool
ice_chars_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strlen(s);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		/* ice-char = ALPHA / DIGIT / "+" / "/" (RFC 8839 5.4). */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return true;
}

static void
gen_clear(struct ice_gen *g)
{
	wrtc_stun_key_free(g->lkey);
	wrtc_stun_key_free(g->rkey);
	memset(g, 0, sizeof(*g));
}

static int
gen_set_local(struct ice_gen *g, unsigned int id, const char *ufrag, const char *pwd)
{
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd, strlen(pwd));

	if (k == NULL)
		return -EIO;
	gen_clear(g);
	g->used = true;
	g->id = id;
	snprintf(g->lufrag, sizeof(g->lufrag), "%s", ufrag);
	g->lkey = k;
	return 0;
}

static void
default_foundation(struct wrtc_ice_cand *c, const struct sockaddr_storage *base)
{
	uint32_t h = 2166136261u;
	const uint8_t *p;
	size_t n;

	/* Same type and same base address (port aside): same foundation. */
	if (base->ss_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)base)->sin_addr;
		n = 4;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)base)->sin6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (uint32_t)c->type) * 16777619u;
	snprintf(c->foundation, sizeof(c->foundation), "%u", h);
}

struct wrtc_ice_agent *
wrtc_ice_agent_create(const struct wrtc_ice_agent_prm *prm)
{
	struct wrtc_ice_agent *ag;

	if (prm == NULL || prm->send == NULL || prm->local == NULL || prm->n_local == 0 ||
	    prm->n_local > WRTC_ICE_MAX_LOCAL ||
	    (prm->mode != WRTC_ICE_MODE_FULL && prm->mode != WRTC_ICE_MODE_LITE) ||
	    !ice_chars_ok(prm->ufrag, 4, WRTC_ICE_UFRAG_MAX) ||
	    !ice_chars_ok(prm->pwd, 22, WRTC_ICE_PWD_MAX)) {
		errno = EINVAL;
		return NULL;
	}
	for (unsigned int i = 0; i < prm->n_local; i++) {
		if (!addr_ok(&prm->local[i].addr) ||
		    (prm->local[i].base.ss_family != 0 && !addr_ok(&prm->local[i].base))) {
			errno = EINVAL;
			return NULL;
		}
	}
	ag = calloc(1, sizeof(*ag));
	if (ag == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	ag->prm = *prm;
	ag->prm.local = NULL;
	ag->prm.n_local = 0;
	ag->prm.ufrag = NULL;
	ag->prm.pwd = NULL;
	if (ag->prm.ta_us == 0)
		ag->prm.ta_us = 50000;
	if (ag->prm.rto_us == 0)
		ag->prm.rto_us = 500000;
	if (ag->prm.rto_max_us == 0)
		ag->prm.rto_max_us = 1600000;
	if (ag->prm.max_tx == 0)
		ag->prm.max_tx = 7;
	if (ag->prm.nomination_delay_us == 0)
		ag->prm.nomination_delay_us = 300000;
	if (ag->prm.consent_interval_us == 0)
		ag->prm.consent_interval_us = 5000000;
	if (ag->prm.consent_timeout_us == 0)
		ag->prm.consent_timeout_us = 30000000;
	if (ag->prm.disconnected_us == 0)
		ag->prm.disconnected_us = 15000000;
	ag->mode = prm->mode;
	ag->role = prm->mode == WRTC_ICE_MODE_LITE ? WRTC_ICE_ROLE_CONTROLLED : prm->role;
	ag->tie_breaker = prm->tie_breaker;
	ag->state = WRTC_ICE_STATE_NEW;
	ag->nominating = ICE_NO_PAIR;

	for (unsigned int i = 0; i < prm->n_local; i++) {
		struct ice_local *l = &ag->local[i];
		uint16_t local_pref;

		l->c = prm->local[i];
		l->c.foundation[WRTC_ICE_FOUNDATION_MAX] = '\0';
		if (l->c.base.ss_family == 0)
			l->c.base = l->c.addr;
		/* Earlier candidates are preferred; IPv6 and IPv4 alike. */
		local_pref = (uint16_t)(65535 - i);
		if (l->c.priority == 0)
			l->c.priority = wrtc_ice_priority(l->c.type, local_pref, ICE_COMPONENT);
		if (l->c.foundation[0] == '\0')
			default_foundation(&l->c, &l->c.base);
		ag->n_local++;
		l->pairable = ice_find_local(ag, &l->c.base) < 0;
	}
	if (gen_set_local(&ag->gen[0], 0, prm->ufrag, prm->pwd) != 0) {
		free(ag);
		errno = EIO;
		return NULL;
	}
	ag->cur = 0;
	return ag;
}

void
wrtc_ice_agent_free(struct wrtc_ice_agent *agent)
{
	if (agent == NULL)
		return;
	gen_clear(&agent->gen[0]);
	gen_clear(&agent->gen[1]);
	free(agent);
}

int
wrtc_ice_agent_local_candidates(const struct wrtc_ice_agent *agent, struct wrtc_ice_cand *out,
				unsigned int max)
{
	if (agent == NULL || (out == NULL && max != 0))
		return -EINVAL;
	for (unsigned int i = 0; i < agent->n_local && i < max; i++)
		out[i] = agent->local[i].c;
	return (int)agent->n_local;
}

int
wrtc_ice_agent_set_remote_credentials(struct wrtc_ice_agent *agent, const char *ufrag,
				      const char *pwd, bool lite)
{
	struct ice_gen *g;
	struct wrtc_stun_key *k;

	if (agent == NULL || !ice_chars_ok(ufrag, 4, WRTC_ICE_UFRAG_MAX) ||
	    !ice_chars_ok(pwd, 22, WRTC_ICE_PWD_MAX))
		return -EINVAL;
	g = &agent->gen[agent->cur];
	k = wrtc_stun_key_create(pwd, strlen(pwd));
	if (k == NULL)
		return -EIO;
	wrtc_stun_key_free(g->rkey);
	g->rkey = k;
	snprintf(g->rufrag, sizeof(g->rufrag), "%s", ufrag);
	g->have_remote = true;
	g->remote_lite = lite;
	/* A full agent facing a lite one is controlling (RFC 8445 6.1.1). */
	if (lite && agent->mode == WRTC_ICE_MODE_FULL && agent->role != WRTC_ICE_ROLE_CONTROLLING)
		ice_set_role(agent, WRTC_ICE_ROLE_CONTROLLING);
	return 0;
}

int
ice_add_remote(struct wrtc_ice_agent *ag, const struct wrtc_ice_cand *c, bool learned)
{
	struct ice_remote *r;
	int idx;

	if (!addr_ok(&c->addr))
		return -EAFNOSUPPORT;
	idx = ice_find_remote(ag, &c->addr);
	if (idx >= 0) {
		r = &ag->remote[idx];
		/* SDP wins over what a check taught us. */
		if (r->c.type == WRTC_ICE_CAND_PRFLX && c->type != WRTC_ICE_CAND_PRFLX) {
			r->c.type = c->type;
			if (c->foundation[0] != '\0')
				snprintf(r->c.foundation, sizeof(r->c.foundation), "%s",
					 c->foundation);
		}
		return idx;
	}
	if (ag->n_remote >= WRTC_ICE_MAX_REMOTE) {
		ag->cnt.dropped_full++;
		return -ENOSPC;
	}
	idx = (int)ag->n_remote++;
	r = &ag->remote[idx];
	r->c = *c;
	r->c.foundation[WRTC_ICE_FOUNDATION_MAX] = '\0';
	memset(&r->c.base, 0, sizeof(r->c.base));
	if (r->c.priority == 0)
		r->c.priority = wrtc_ice_priority(c->type, 65535, ICE_COMPONENT);
	if (r->c.foundation[0] == '\0') {
		if (learned)
			snprintf(r->c.foundation, sizeof(r->c.foundation), "prflx%u",
				 ++ag->n_prflx);
		else
			default_foundation(&r->c, &r->c.addr);
	}
	/*
	 * Pair it with every local base of the same family; a peer-reflexive
	 * candidate learned from a request is only paired with the base that
	 * received it, by the caller (RFC 8445 7.3.1.3).
	 */
	for (unsigned int l = 0; l < ag->n_local && !learned; l++) {
		if (!ag->local[l].pairable ||
		    ag->local[l].c.base.ss_family != r->c.addr.ss_family)
			continue;
		if (ice_add_pair(ag, l, (unsigned int)idx) == -ENOSPC)
			ag->cnt.dropped_full++;
	}
	return idx;
}

int
wrtc_ice_agent_add_remote_candidate(struct wrtc_ice_agent *agent, const struct wrtc_ice_cand *cand)
{
	int rc;

	if (agent == NULL || cand == NULL)
		return -EINVAL;
	if ((unsigned int)cand->type > WRTC_ICE_CAND_RELAY)
		return -EINVAL;
	rc = ice_add_remote(agent, cand, false);
	return rc < 0 ? rc : 0;
}

void
wrtc_ice_agent_end_of_candidates(struct wrtc_ice_agent *agent)
{
	if (agent != NULL)
		agent->end_of_cands = true;
}

void
ice_set_role(struct wrtc_ice_agent *ag, enum wrtc_ice_role role)
{
	if (ag->role == role)
		return;
	ag->role = role;
	ag->nominating = ICE_NO_PAIR;
	ice_pair_prio_all(ag);
	ice_emit(ag, WRTC_ICE_EVENT_ROLE, NULL, NULL);
}

/*
 * The new generation nominated (or the old pair was already lost): the old
 * generation ends. Its transactions go; its local credentials are kept,
 * retired, for one purpose: a peer that started checking its new generation
 * before our answer reached it (Chromium does) goes on signing with our
 * previous password on the pairs it found that way, naming its new ufrag.
 * The next restart drops them.
 */
void
ice_end_restart(struct wrtc_ice_agent *ag)
{
	struct ice_gen *old = &ag->gen[!ag->cur];

	if (!old->used)
		return;
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (ag->txn[i].used && ag->txn[i].gen_id == old->id)
			ag->txn[i].used = false;
	old->retired = true;
	wrtc_stun_key_free(old->rkey);
	old->rkey = NULL;
	old->have_remote = false;
	ag->restarting = false;
	ag->has_restart_remote = false;
}

int
wrtc_ice_agent_restart(struct wrtc_ice_agent *agent, const char *ufrag, const char *pwd,
		       uint64_t now)
{
	unsigned int next;
	int rc;

	if (agent == NULL || !ice_chars_ok(ufrag, 4, WRTC_ICE_UFRAG_MAX) ||
	    !ice_chars_ok(pwd, 22, WRTC_ICE_PWD_MAX))
		return -EINVAL;
	next = !agent->cur;
	/* A restart during a restart drops the oldest generation. */
	if (agent->gen[next].used)
		ice_end_restart(agent);
	rc = gen_set_local(&agent->gen[next], agent->generation + 1, ufrag, pwd);
	if (rc != 0)
		return rc;
	agent->generation++;
	agent->cur = next;
	ice_txn_cancel_checks(agent, true);
	agent->n_remote = 0;
	agent->n_pairs = 0;
	agent->trig_head = 0;
	agent->trig_n = 0;
	agent->started = false;
	agent->end_of_cands = false;
	agent->checks_done = false;
	agent->have_first_valid = false;
	agent->nominating = ICE_NO_PAIR;
	agent->restarting = agent->has_sel && agent->consent_ok;
	agent->has_restart_remote = false;
	if (!agent->restarting) {
		agent->has_sel = false;
		ice_end_restart(agent);
	}
	ice_update_state(agent, now);
	return 0;
}

enum wrtc_ice_state
wrtc_ice_agent_state(const struct wrtc_ice_agent *agent)
{
	return agent != NULL ? agent->state : WRTC_ICE_STATE_NEW;
}

enum wrtc_ice_role
wrtc_ice_agent_role(const struct wrtc_ice_agent *agent)
{
	return agent != NULL ? agent->role : WRTC_ICE_ROLE_CONTROLLED;
}

int
wrtc_ice_agent_selected_pair(const struct wrtc_ice_agent *agent, struct sockaddr_storage *local,
			     struct sockaddr_storage *remote)
{
	if (agent == NULL || !agent->has_sel)
		return -ENOENT;
	if (local != NULL)
		*local = agent->sel_local;
	if (remote != NULL)
		*remote = agent->sel_remote;
	return 0;
}

int
wrtc_ice_agent_restart_remote(const struct wrtc_ice_agent *agent, struct sockaddr_storage *remote)
{
	if (agent == NULL || remote == NULL || !agent->has_sel || !agent->has_restart_remote)
		return -ENOENT;
	*remote = agent->restart_remote;
	return 0;
}

bool
wrtc_ice_agent_is_remote_allowed(const struct wrtc_ice_agent *agent,
				 const struct sockaddr_storage *remote)
{
	if (agent == NULL || remote == NULL || !agent->has_sel || !agent->consent_ok)
		return false;
	return ice_addr_eq(&agent->sel_remote, remote);
}

static bool
checklist_failed(const struct wrtc_ice_agent *ag)
{
	if (ag->mode != WRTC_ICE_MODE_FULL || !ag->end_of_cands || ag->n_pairs == 0 ||
	    ag->trig_n != 0)
		return false;
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].state != PAIR_FAILED)
			return false;
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (ag->txn[i].used && !ag->txn[i].consent)
			return false;
	return true;
}

void
ice_update_state(struct wrtc_ice_agent *ag, uint64_t now)
{
	enum wrtc_ice_state s;

	if (ag->has_sel) {
		if (!ag->consent_ok)
			s = WRTC_ICE_STATE_FAILED;
		else if (now > ag->last_consent &&
			 now - ag->last_consent >= ag->prm.disconnected_us)
			s = WRTC_ICE_STATE_DISCONNECTED;
		else if (ag->restarting || !ag->checks_done)
			s = WRTC_ICE_STATE_CONNECTED;
		else
			s = WRTC_ICE_STATE_COMPLETED;
	} else if (checklist_failed(ag)) {
		s = WRTC_ICE_STATE_FAILED;
	} else if (ag->started) {
		s = WRTC_ICE_STATE_CHECKING;
	} else {
		s = WRTC_ICE_STATE_NEW;
	}
	if (s != ag->state) {
		ag->state = s;
		ice_emit(ag, WRTC_ICE_EVENT_STATE, NULL, NULL);
	}
}

int
wrtc_ice_agent_status(const struct wrtc_ice_agent *agent, uint64_t now,
		      struct wrtc_ice_status *st)
{
	const struct ice_gen *g;

	if (agent == NULL || st == NULL)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	g = &agent->gen[agent->cur];
	if (!g->have_remote && agent->gen[!agent->cur].used && !agent->gen[!agent->cur].retired)
		g = &agent->gen[!agent->cur];
	st->state = agent->state;
	st->local_mode = agent->mode;
	st->remote_mode = !g->have_remote ? WRTC_ICE_MODE_NONE :
			  g->remote_lite  ? WRTC_ICE_MODE_LITE :
					    WRTC_ICE_MODE_FULL;
	st->role = agent->role;
	st->has_selected = agent->has_sel;
	if (agent->has_sel) {
		st->selected_local = agent->sel_local;
		st->selected_remote = agent->sel_remote;
		st->consent = agent->consent_ok;
		st->consent_age_us = now > agent->last_consent ? now - agent->last_consent : 0;
	}
	st->restarting = agent->restarting;
	st->n_local = agent->n_local;
	st->n_remote = agent->n_remote;
	st->n_pairs = agent->n_pairs;
	for (unsigned int i = 0; i < agent->n_pairs; i++)
		if (agent->pairs[i].valid)
			st->n_valid++;
	st->generation = agent->generation;
	st->counters = agent->cnt;
	return 0;
}

const uint64_t *
wrtc_ice_agent_stun_errors(const struct wrtc_ice_agent *agent, unsigned int *n)
{
	if (n != NULL)
		*n = agent != NULL ? WRTC_STUN_E_MAX : 0;
	return agent != NULL ? agent->stun.err : NULL;
}
