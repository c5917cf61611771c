/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN received by an agent: Binding requests (authentication, role
 * conflicts, the answer, peer-reflexive candidates, triggered checks,
 * nomination; RFC 8445 7.3) and responses to our checks (7.2.5).
 */
#include <errno.h>
#include <string.h>

#include "ice_priv.h"

int
ice_send_response(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *req,
		  const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
		  int code, struct wrtc_stun_key *key)
{
	uint8_t buf[WRTC_STUN_MSG_MAX];
	struct wrtc_stun_builder b;
	int n, rc;

	wrtc_stun_builder_init(&b, buf, sizeof(buf), WRTC_STUN_BINDING,
			       code == 0 ? WRTC_STUN_SUCCESS : WRTC_STUN_ERROR, req->tid);
	if (code == 0) {
		wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, remote);
	} else {
		wrtc_stun_builder_add_error_code(&b, code, NULL);
		if (code == WRTC_STUN_ERR_UNKNOWN_ATTRIBUTE)
			wrtc_stun_builder_add_unknown(&b, req->unknown,
						      req->n_unknown < WRTC_STUN_MAX_UNKNOWN ?
							      req->n_unknown :
							      WRTC_STUN_MAX_UNKNOWN);
	}
	if (key != NULL)
		wrtc_stun_builder_add_integrity(&b, key);
	wrtc_stun_builder_add_fingerprint(&b);
	n = wrtc_stun_builder_finish(&b);
	if (n < 0)
		return n;
	rc = ag->prm.send(ag->prm.opaque, local, remote, buf, (size_t)n);
	if (rc != 0)
		ag->cnt.send_failures++;
	if (code == 0)
		ag->cnt.tx_responses++;
	else
		ag->cnt.tx_errors++;
	return rc;
}

static bool
ufrag_is(const char *ufrag, const uint8_t *p, size_t n)
{
	return ufrag[0] != '\0' && strlen(ufrag) == n && memcmp(ufrag, p, n) == 0;
}

/*
 * The generation a request belongs to, from USERNAME ("ours:theirs") and
 * MESSAGE-INTEGRITY; *key is the password that verified it (the response is
 * signed with the same). NULL with *err set (-EACCES: 401) otherwise.
 *
 * Restarts (RFC 8445 9): a peer may begin checking its new generation before
 * our answer with our new credentials reached it, so it signs with our
 * previous password and names its new ufrag (Chromium, right after
 * setLocalDescription(offer)). Once the new peer ufrag is known, such a
 * check is of the new generation: it may be learned and nominated like any
 * other. A check naming our previous ufrag whose integrity only verifies
 * with the new password is of the new generation too.
 */
static struct ice_gen *
request_gen(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *m,
	    struct wrtc_stun_key **key, int *err)
{
	const struct wrtc_stun_attr_ref *u = &m->username;
	const uint8_t *colon = memchr(u->val, ':', u->len);
	struct ice_gen *cur = &ag->gen[ag->cur];
	struct ice_gen *prev = &ag->gen[!ag->cur];
	struct ice_gen *g = NULL;
	size_t n, tn;
	const uint8_t *theirs;

	*err = -EACCES;
	*key = NULL;
	if (colon == NULL) {
		ag->cnt.rx_unknown_user++;
		return NULL;
	}
	n = (size_t)(colon - u->val);
	theirs = colon + 1;
	tn = u->len - n - 1;
	if (ufrag_is(cur->lufrag, u->val, n)) {
		g = cur;
		*key = cur->lkey;
	} else if (prev->used && ufrag_is(prev->lufrag, u->val, n)) {
		*key = prev->lkey;
		if (cur->have_remote && ufrag_is(cur->rufrag, theirs, tn))
			g = cur; /* The peer's new generation, signed with our old password. */
		else if (!prev->retired)
			g = prev;
	}
	if (g != NULL && wrtc_stun_msg_check_integrity(m, *key) == 0) {
		if (g == cur && *key != cur->lkey)
			ag->cnt.rx_new_gen_prev_key++;
		return g;
	}
	if (*key != NULL && *key == prev->lkey &&
	    wrtc_stun_msg_check_integrity(m, cur->lkey) == 0) {
		*key = cur->lkey;
		return cur;
	}
	if (g == NULL) {
		ag->cnt.rx_unknown_user++;
	} else {
		ag->cnt.rx_bad_integrity++;
		ag->stun.err[WRTC_STUN_E_BAD_INTEGRITY]++;
	}
	*key = NULL;
	return NULL;
}

/*
 * A request of the previous generation during a restart. Until the new
 * generation is signalled both ways it is the peer's only way to keep the
 * old pair alive: answered, and it refreshes consent. Once the new peer
 * credentials are known (the answer was sent or received), the previous
 * credentials only keep the old selected pair alive: a check on any other
 * pair gets 401 instead of a success that would make the peer believe a
 * pair was validated (or nominated) that we would never use.
 */
static bool
prev_gen_refused(struct wrtc_ice_agent *ag, const struct sockaddr_storage *local,
		 const struct sockaddr_storage *remote)
{
	if (!ag->gen[ag->cur].have_remote)
		return false;
	if (ag->has_sel && ice_addr_eq(&ag->sel_local, local) &&
	    ice_addr_eq(&ag->sel_remote, remote))
		return false;
	ag->cnt.rx_stale_gen++;
	return true;
}

/*
 * Role conflict on a request (7.3.1.1). Returns true if a 487 must be sent,
 * false if the request goes on (maybe after we switched role).
 */
static bool
role_conflict(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *m)
{
	if (ag->mode == WRTC_ICE_MODE_LITE) {
		/* A lite agent is controlled; a peer that also claims it must switch. */
		if (m->has_controlled) {
			ag->cnt.role_conflicts++;
			return true;
		}
		return false;
	}
	if (ag->role == WRTC_ICE_ROLE_CONTROLLING && m->has_controlling) {
		ag->cnt.role_conflicts++;
		if (ag->tie_breaker >= m->tie_breaker)
			return true;
		ice_set_role(ag, WRTC_ICE_ROLE_CONTROLLED);
	} else if (ag->role == WRTC_ICE_ROLE_CONTROLLED && m->has_controlled) {
		ag->cnt.role_conflicts++;
		if (ag->tie_breaker < m->tie_breaker)
			return true;
		ice_set_role(ag, WRTC_ICE_ROLE_CONTROLLING);
	}
	return false;
}

static void
refresh_consent_from_request(struct wrtc_ice_agent *ag, const struct sockaddr_storage *local,
			     const struct sockaddr_storage *remote, uint64_t now)
{
	/* Lite: the peer's checks on the selected pair are our only liveness signal. */
	if (ag->mode == WRTC_ICE_MODE_LITE && ag->has_sel && ag->consent_ok &&
	    ice_addr_eq(&ag->sel_local, local) && ice_addr_eq(&ag->sel_remote, remote))
		ag->last_consent = now;
}

static int
handle_request(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *m,
	       const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
	       uint64_t now)
{
	struct ice_gen *g;
	struct wrtc_stun_key *key;
	struct wrtc_ice_cand c;
	int l, r, p, rc;

	l = ice_find_local(ag, local);
	if (l < 0) {
		ag->cnt.rx_unknown_local++;
		return -EADDRNOTAVAIL;
	}
	if (m->username.val == NULL || m->integrity_off == 0) {
		ag->cnt.rx_bad_request++;
		ice_send_response(ag, m, local, remote, WRTC_STUN_ERR_BAD_REQUEST, NULL);
		return -EPROTO;
	}
	g = request_gen(ag, m, &key, &rc);
	if (g == NULL) {
		ice_send_response(ag, m, local, remote, WRTC_STUN_ERR_UNAUTHORIZED, NULL);
		return rc;
	}
	if (m->n_unknown != 0) {
		ag->cnt.rx_unknown_attr++;
		ice_send_response(ag, m, local, remote, WRTC_STUN_ERR_UNKNOWN_ATTRIBUTE, key);
		return -EPROTO;
	}
	if (g != &ag->gen[ag->cur] && prev_gen_refused(ag, local, remote)) {
		ice_send_response(ag, m, local, remote, WRTC_STUN_ERR_UNAUTHORIZED, key);
		return -EACCES;
	}
	if (role_conflict(ag, m)) {
		ice_send_response(ag, m, local, remote, WRTC_STUN_ERR_ROLE_CONFLICT, key);
		return 0;
	}
	ag->cnt.rx_requests++;
	ice_send_response(ag, m, local, remote, 0, key);
	refresh_consent_from_request(ag, local, remote, now);
	if (g != &ag->gen[ag->cur])
		return 0; /* Old generation: keep-alive of the old selected pair only. */
	ag->started = true;
	/* A check off the selected pair: the peer may move its media there
	 * before it nominates it (wrtc_ice_agent_restart_remote()). */
	if (ag->has_sel && !(ice_addr_eq(&ag->sel_local, local) &&
			     ice_addr_eq(&ag->sel_remote, remote))) {
		ag->restart_remote = *remote;
		ag->has_restart_remote = true;
	}

	/* Learn a peer-reflexive candidate (7.3.1.3). */
	r = ice_find_remote(ag, remote);
	if (r < 0) {
		memset(&c, 0, sizeof(c));
		c.type = WRTC_ICE_CAND_PRFLX;
		c.addr = *remote;
		c.priority = m->has_priority ? m->priority :
					       wrtc_ice_priority(WRTC_ICE_CAND_PRFLX, 65535, 1);
		r = ice_add_remote(ag, &c, true);
		if (r < 0)
			return 0; /* Answered; no room to remember it (counted). */
		ag->cnt.prflx_learned++;
	}
	p = ice_find_pair(ag, (unsigned int)l, (unsigned int)r);
	if (p < 0) {
		p = ice_add_pair(ag, (unsigned int)l, (unsigned int)r);
		if (p < 0) {
			ag->cnt.dropped_full++;
			return 0;
		}
	}
	if (ag->mode == WRTC_ICE_MODE_LITE) {
		/* A lite agent's pair is valid once the peer's check reached it. */
		ag->pairs[p].state = PAIR_SUCCEEDED;
		ag->pairs[p].valid = true;
		if (m->use_candidate)
			ice_nominate(ag, p, now);
		return 0;
	}
	/* Full agent: triggered check (7.3.1.4) and nomination (7.3.1.5). */
	if (ag->pairs[p].state != PAIR_SUCCEEDED)
		ice_trigger(ag, p);
	if (m->use_candidate && ag->role == WRTC_ICE_ROLE_CONTROLLED) {
		if (ag->pairs[p].state == PAIR_SUCCEEDED)
			ice_nominate(ag, p, now);
		else
			ag->pairs[p].use_cand_rcvd = true;
	}
	return 0;
}

static int
handle_response(struct wrtc_ice_agent *ag, const struct wrtc_stun_msg *m,
		const struct sockaddr_storage *local, const struct sockaddr_storage *remote,
		uint64_t now)
{
	struct ice_txn *t = ice_txn_find(ag, m->tid);
	struct ice_gen *g;
	struct ice_txn tx;
	int code = 0, rc;

	if (t == NULL) {
		ag->cnt.rx_unknown_txn++;
		return -ENOENT;
	}
	g = ice_gen_by_id(ag, t->gen_id);
	if (g == NULL || g->rkey == NULL) {
		ag->cnt.rx_unknown_txn++;
		t->used = false;
		return -ENOENT;
	}
	/* Success responses must be authenticated; error responses if they claim to be. */
	if (m->cls == WRTC_STUN_SUCCESS || m->integrity_off != 0) {
		rc = wrtc_stun_msg_check_integrity(m, g->rkey);
		if (rc != 0) {
			ag->cnt.rx_bad_integrity++;
			ag->stun.err[rc == -ENOENT ? WRTC_STUN_E_NO_INTEGRITY :
						     WRTC_STUN_E_BAD_INTEGRITY]++;
			return -EACCES;
		}
	}
	ag->cnt.rx_responses++;
	tx = *t;
	t->used = false;

	if (tx.consent) {
		if (m->cls == WRTC_STUN_SUCCESS && ag->has_sel && ag->consent_ok &&
		    ice_addr_eq(&tx.local, &ag->sel_local) &&
		    ice_addr_eq(&tx.remote, &ag->sel_remote) && ice_addr_eq(remote, &tx.remote))
			ag->last_consent = now;
		return 0;
	}
	if (tx.pair < 0 || (unsigned int)tx.pair >= ag->n_pairs)
		return 0;
	if (m->cls == WRTC_STUN_ERROR) {
		if (wrtc_stun_msg_get_error_code(m, &code) == 0 &&
		    code == WRTC_STUN_ERR_ROLE_CONFLICT) {
			/* 7.2.5.1: switch to the role opposite of the one we claimed, retry. */
			ag->cnt.role_conflicts++;
			if (ag->role == tx.role_sent && ag->mode == WRTC_ICE_MODE_FULL)
				ice_set_role(ag, tx.role_sent == WRTC_ICE_ROLE_CONTROLLING ?
							 WRTC_ICE_ROLE_CONTROLLED :
							 WRTC_ICE_ROLE_CONTROLLING);
			if (ag->nominating == tx.pair)
				ag->nominating = ICE_NO_PAIR;
			if (ag->pairs[tx.pair].state != PAIR_SUCCEEDED)
				ag->pairs[tx.pair].state = PAIR_WAITING;
			ice_trigger(ag, tx.pair);
			return 0;
		}
		ice_pair_failed(ag, tx.pair);
		return 0;
	}
	/* 7.2.5.2.1: the response must come back on the same addresses. */
	if (!ice_addr_eq(remote, &tx.remote) || !ice_addr_eq(local, &tx.local)) {
		ice_pair_failed(ag, tx.pair);
		return 0;
	}
	ice_pair_succeeded(ag, tx.pair, now);
	if (ag->has_sel && ag->consent_ok && ice_addr_eq(&tx.local, &ag->sel_local) &&
	    ice_addr_eq(&tx.remote, &ag->sel_remote))
		ag->last_consent = now;
	if ((tx.use_cand && ag->role == WRTC_ICE_ROLE_CONTROLLING) ||
	    (ag->pairs[tx.pair].use_cand_rcvd && ag->role == WRTC_ICE_ROLE_CONTROLLED))
		ice_nominate(ag, tx.pair, now);
	return 0;
}

int
wrtc_ice_agent_handle_stun(struct wrtc_ice_agent *agent, const struct sockaddr_storage *local,
			   const struct sockaddr_storage *remote, const uint8_t *buf, size_t len,
			   uint64_t now)
{
	struct wrtc_stun_msg m;
	int rc;

	if (agent == NULL || local == NULL || remote == NULL || buf == NULL)
		return -EINVAL;
	if (wrtc_stun_msg_parse(&m, buf, len, &agent->stun) != 0) {
		agent->cnt.rx_malformed++;
		return -EBADMSG;
	}
	if (m.method != WRTC_STUN_BINDING || m.cls == WRTC_STUN_INDICATION) {
		agent->cnt.rx_other++;
		return -EOPNOTSUPP;
	}
	if (m.cls == WRTC_STUN_REQUEST)
		rc = handle_request(agent, &m, local, remote, now);
	else
		rc = handle_response(agent, &m, local, remote, now);
	ice_update_state(agent, now);
	return rc;
}

int
wrtc_ice_agent_restore_selected(struct wrtc_ice_agent *agent, const struct sockaddr_storage *local,
				const struct sockaddr_storage *remote, uint64_t now)
{
	struct wrtc_ice_cand c;
	int l = ice_find_local(agent, local), r, p;

	if (l < 0)
		return -ENOENT;
	r = ice_find_remote(agent, remote);
	if (r < 0) {
		memset(&c, 0, sizeof(c));
		c.type = WRTC_ICE_CAND_PRFLX;
		c.addr = *remote;
		c.priority = wrtc_ice_priority(WRTC_ICE_CAND_PRFLX, 65535, 1);
		r = ice_add_remote(agent, &c, true);
		if (r < 0)
			return r;
	}
	p = ice_find_pair(agent, (unsigned int)l, (unsigned int)r);
	if (p < 0)
		p = ice_add_pair(agent, (unsigned int)l, (unsigned int)r);
	if (p < 0)
		return -ENOSPC;
	agent->pairs[p].state = PAIR_SUCCEEDED;
	agent->pairs[p].valid = true;
	ice_nominate(agent, p, now);
	ice_update_state(agent, now);
	return 0;
}
