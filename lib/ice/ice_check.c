/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The check list (RFC 8445 6.1.2 to 6.1.4 and 7.2), transactions and their
 * retransmission, regular nomination, consent freshness (RFC 7675), and the
 * timer entry points tick() and next_tick().
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "ice_priv.h"

int
ice_random(void *buf, size_t len)
{
	return RAND_bytes(buf, (int)len) == 1 ? 0 : -EIO;
}

static uint64_t
pair_priority(const struct wrtc_ice_agent *ag, const struct ice_pair *p)
{
	uint64_t lp = ag->local[p->l].c.priority, rp = ag->remote[p->r].c.priority;
	uint64_t g = ag->role == WRTC_ICE_ROLE_CONTROLLING ? lp : rp;
	uint64_t d = ag->role == WRTC_ICE_ROLE_CONTROLLING ? rp : lp;

	return ((g < d ? g : d) << 32) + 2 * (g > d ? g : d) + (g > d ? 1 : 0);
}

void
ice_pair_prio_all(struct wrtc_ice_agent *ag)
{
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		ag->pairs[i].prio = pair_priority(ag, &ag->pairs[i]);
}

static bool
same_foundation(const struct wrtc_ice_agent *ag, const struct ice_pair *a,
		const struct ice_pair *b)
{
	return strcmp(ag->local[a->l].c.foundation, ag->local[b->l].c.foundation) == 0 &&
	       strcmp(ag->remote[a->r].c.foundation, ag->remote[b->r].c.foundation) == 0;
}

int
ice_find_pair(const struct wrtc_ice_agent *ag, unsigned int l, unsigned int r)
{
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].l == l && ag->pairs[i].r == r)
			return (int)i;
	return ICE_NO_PAIR;
}

int
ice_add_pair(struct wrtc_ice_agent *ag, unsigned int l, unsigned int r)
{
	struct ice_pair *p;
	int idx = ice_find_pair(ag, l, r);

	if (idx >= 0)
		return idx;
	if (ag->n_pairs >= WRTC_ICE_MAX_PAIRS)
		return -ENOSPC;
	idx = (int)ag->n_pairs++;
	p = &ag->pairs[idx];
	memset(p, 0, sizeof(*p));
	p->l = (uint8_t)l;
	p->r = (uint8_t)r;
	p->prio = pair_priority(ag, p);
	/* One pair per foundation starts Waiting, the others wait for it (6.1.2.6). */
	p->state = PAIR_WAITING;
	for (int i = 0; i < idx; i++) {
		enum ice_pair_state s = ag->pairs[i].state;

		if ((s == PAIR_WAITING || s == PAIR_IN_PROGRESS || s == PAIR_FROZEN) &&
		    same_foundation(ag, &ag->pairs[i], p)) {
			p->state = PAIR_FROZEN;
			break;
		}
	}
	return idx;
}

void
ice_trigger(struct wrtc_ice_agent *ag, int p)
{
	struct ice_pair *pair = &ag->pairs[p];

	if (pair->queued || pair->state == PAIR_IN_PROGRESS)
		return;
	pair->state = PAIR_WAITING;
	pair->queued = true;
	ag->trig[(ag->trig_head + ag->trig_n) % WRTC_ICE_MAX_PAIRS] = (uint16_t)p;
	ag->trig_n++;
}

static int
trig_pop(struct wrtc_ice_agent *ag)
{
	int p;

	if (ag->trig_n == 0)
		return ICE_NO_PAIR;
	p = ag->trig[ag->trig_head];
	ag->trig_head = (ag->trig_head + 1) % WRTC_ICE_MAX_PAIRS;
	ag->trig_n--;
	ag->pairs[p].queued = false;
	return p;
}

struct ice_txn *
ice_txn_find(struct wrtc_ice_agent *ag, const uint8_t *tid)
{
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (ag->txn[i].used && memcmp(ag->txn[i].tid, tid, WRTC_STUN_TID_SIZE) == 0)
			return &ag->txn[i];
	return NULL;
}

void
ice_txn_cancel_checks(struct wrtc_ice_agent *ag, bool keep_consent)
{
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (ag->txn[i].used && !(keep_consent && ag->txn[i].consent))
			ag->txn[i].used = false;
}

static struct ice_txn *
txn_alloc(struct wrtc_ice_agent *ag)
{
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (!ag->txn[i].used)
			return &ag->txn[i];
	return NULL;
}

/*
 * Build the request of transaction @p t. Retransmissions are rebuilt rather
 * than stored: the same transaction id, credentials and attributes give the
 * same bytes, and an agent keeps no 600-byte buffer per transaction.
 */
static int
txn_build(struct wrtc_ice_agent *ag, const struct ice_txn *t, uint8_t *buf, size_t cap)
{
	struct ice_gen *g = ice_gen_by_id(ag, t->gen_id);
	struct wrtc_stun_builder b;
	char user[2 * WRTC_ICE_UFRAG_MAX + 2];
	uint32_t prflx_prio;
	int len;

	if (g == NULL || !g->have_remote || g->rkey == NULL)
		return -ENOENT;
	len = snprintf(user, sizeof(user), "%s:%s", g->rufrag, g->lufrag);
	/* The peer learns us as peer-reflexive with this priority (7.1.1). */
	prflx_prio = wrtc_ice_priority(WRTC_ICE_CAND_PRFLX,
				       (uint16_t)(ag->local[t->l].c.priority >> 8), ICE_COMPONENT);
	wrtc_stun_builder_init(&b, buf, cap, WRTC_STUN_BINDING, WRTC_STUN_REQUEST, t->tid);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, user, (uint16_t)len);
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, prflx_prio);
	wrtc_stun_builder_add_u64(&b,
				  t->role_sent == WRTC_ICE_ROLE_CONTROLLING ?
					  WRTC_STUN_ATTR_ICE_CONTROLLING :
					  WRTC_STUN_ATTR_ICE_CONTROLLED,
				  ag->tie_breaker);
	if (t->use_cand)
		wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	wrtc_stun_builder_add_integrity(&b, g->rkey);
	wrtc_stun_builder_add_fingerprint(&b);
	return wrtc_stun_builder_finish(&b);
}

/* (Re)transmit; a negative return means the transaction cannot go on. */
static int
txn_transmit(struct wrtc_ice_agent *ag, struct ice_txn *t)
{
	uint8_t buf[WRTC_STUN_MSG_MAX];
	int n = txn_build(ag, t, buf, sizeof(buf));

	if (n < 0)
		return n;
	if (ag->prm.send(ag->prm.opaque, &t->local, &t->remote, buf, (size_t)n) != 0)
		ag->cnt.send_failures++;
	t->ntx++;
	return 0;
}

/*
 * Send a Binding request from local candidate @p l to @p remote with the
 * credentials of generation @p g. Returns the transaction or NULL.
 */
static struct ice_txn *
send_request(struct wrtc_ice_agent *ag, struct ice_gen *g, unsigned int l,
	     const struct sockaddr_storage *remote, bool use_cand, bool consent, uint64_t now)
{
	struct ice_txn *t;

	t = txn_alloc(ag);
	if (t == NULL) {
		ag->cnt.dropped_full++;
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	if (ice_random(t->tid, sizeof(t->tid)) != 0)
		return NULL;
	t->consent = consent;
	t->use_cand = use_cand;
	t->role_sent = ag->role;
	t->pair = ICE_NO_PAIR;
	t->gen_id = g->id;
	t->l = (uint8_t)l;
	t->local = ag->local[l].c.base;
	t->remote = *remote;
	if (consent) {
		/* One transmission; an answer is welcome until the next-but-one check. */
		t->max_tx = 1;
		t->rto = 2 * ag->prm.consent_interval_us;
	} else {
		t->max_tx = ag->prm.max_tx;
		t->rto = ag->prm.rto_us;
	}
	t->next_tx = now + t->rto;
	if (txn_transmit(ag, t) != 0)
		return NULL;
	t->used = true;
	return t;
}

static bool
send_check(struct wrtc_ice_agent *ag, int p, bool use_cand, uint64_t now)
{
	struct ice_gen *g = &ag->gen[ag->cur];
	struct ice_pair *pair = &ag->pairs[p];
	struct ice_txn *t;

	t = send_request(ag, g, pair->l, &ag->remote[pair->r].c.addr, use_cand, false, now);
	if (t == NULL)
		return false;
	t->pair = p;
	if (pair->state != PAIR_SUCCEEDED)
		pair->state = PAIR_IN_PROGRESS;
	ag->cnt.tx_checks++;
	ag->started = true;
	return true;
}

static int
best_valid(const struct wrtc_ice_agent *ag)
{
	int best = ICE_NO_PAIR;

	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].valid && ag->pairs[i].state == PAIR_SUCCEEDED &&
		    (best < 0 || ag->pairs[i].prio > ag->pairs[best].prio))
			best = (int)i;
	return best;
}

static bool
better_pending(const struct wrtc_ice_agent *ag, uint64_t prio)
{
	for (unsigned int i = 0; i < ag->n_pairs; i++) {
		enum ice_pair_state s = ag->pairs[i].state;

		if (ag->pairs[i].prio > prio &&
		    (s == PAIR_FROZEN || s == PAIR_WAITING || s == PAIR_IN_PROGRESS))
			return true;
	}
	return false;
}

/* Controlling agent: pick the pair to nominate (regular nomination, 8.1.1). */
static int
nomination_candidate(const struct wrtc_ice_agent *ag, uint64_t now)
{
	int b;

	if (ag->mode != WRTC_ICE_MODE_FULL || ag->role != WRTC_ICE_ROLE_CONTROLLING ||
	    ag->checks_done || ag->nominating != ICE_NO_PAIR || !ag->have_first_valid)
		return ICE_NO_PAIR;
	b = best_valid(ag);
	if (b < 0)
		return ICE_NO_PAIR;
	if (better_pending(ag, ag->pairs[b].prio) &&
	    now < ag->first_valid_at + ag->prm.nomination_delay_us)
		return ICE_NO_PAIR;
	return b;
}

static int
next_ordinary(const struct wrtc_ice_agent *ag)
{
	int best = ICE_NO_PAIR;

	if (ag->checks_done)
		return ICE_NO_PAIR;
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].state == PAIR_WAITING &&
		    (best < 0 || ag->pairs[i].prio > ag->pairs[best].prio))
			best = (int)i;
	if (best >= 0)
		return best;
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].state == PAIR_FROZEN &&
		    (best < 0 || ag->pairs[i].prio > ag->pairs[best].prio))
			best = (int)i;
	return best;
}

static bool
checks_possible(const struct wrtc_ice_agent *ag)
{
	return ag->mode == WRTC_ICE_MODE_FULL && ag->gen[ag->cur].have_remote;
}

/* One paced check: nomination, then triggered, then ordinary (6.1.4.2). */
static bool
paced_check(struct wrtc_ice_agent *ag, uint64_t now)
{
	int p;

	if (!checks_possible(ag))
		return false;
	p = nomination_candidate(ag, now);
	if (p >= 0) {
		if (!send_check(ag, p, true, now))
			return false;
		ag->nominating = p;
		return true;
	}
	while ((p = trig_pop(ag)) >= 0) {
		if (ag->pairs[p].state == PAIR_IN_PROGRESS)
			continue;
		return send_check(ag, p, false, now);
	}
	p = next_ordinary(ag);
	if (p >= 0)
		return send_check(ag, p, false, now);
	return false;
}

void
ice_pair_failed(struct wrtc_ice_agent *ag, int p)
{
	struct ice_pair *pair = &ag->pairs[p];

	pair->state = PAIR_FAILED;
	pair->valid = false;
	ag->cnt.pair_failures++;
	if (ag->nominating == p)
		ag->nominating = ICE_NO_PAIR;
}

void
ice_pair_succeeded(struct wrtc_ice_agent *ag, int p, uint64_t now)
{
	struct ice_pair *pair = &ag->pairs[p];

	pair->state = PAIR_SUCCEEDED;
	pair->valid = true;
	if (!ag->have_first_valid) {
		ag->have_first_valid = true;
		ag->first_valid_at = now;
	}
	/* Unfreeze the pairs that share its foundation (7.2.5.3.3). */
	for (unsigned int i = 0; i < ag->n_pairs; i++)
		if (ag->pairs[i].state == PAIR_FROZEN && same_foundation(ag, &ag->pairs[i], pair))
			ag->pairs[i].state = PAIR_WAITING;
}

static uint64_t
consent_jitter(const struct wrtc_ice_agent *ag)
{
	uint32_t r = 0;

	/* Uniform in [0.8, 1.2] x interval (RFC 7675 5.1). */
	if (ice_random(&r, sizeof(r)) != 0)
		r = 1u << 31;
	return ag->prm.consent_interval_us * 8 / 10 +
	       (uint64_t)((double)ag->prm.consent_interval_us * 0.4 * ((double)r / 4294967296.0));
}

void
ice_nominate(struct wrtc_ice_agent *ag, int p, uint64_t now)
{
	struct ice_pair *pair = &ag->pairs[p];
	const struct sockaddr_storage *l = &ag->local[pair->l].c.base;
	const struct sockaddr_storage *r = &ag->remote[pair->r].c.addr;

	pair->nominated = true;
	if (ag->nominating == p)
		ag->nominating = ICE_NO_PAIR;
	ag->checks_done = true;
	/* Several nominations (aggressive peers): the highest priority wins (8.1.1). */
	if (ag->has_sel && !ag->restarting && pair->prio < ag->sel_prio &&
	    !(ice_addr_eq(&ag->sel_local, l) && ice_addr_eq(&ag->sel_remote, r)))
		return;
	if (ag->restarting)
		ice_end_restart(ag);
	ag->has_restart_remote = false;
	ag->sel_prio = pair->prio;
	ag->last_consent = now;
	ag->consent_next = now + consent_jitter(ag);
	if (ag->has_sel && ag->consent_ok && ice_addr_eq(&ag->sel_local, l) &&
	    ice_addr_eq(&ag->sel_remote, r))
		return;
	ag->has_sel = true;
	ag->consent_ok = true;
	ag->sel_local = *l;
	ag->sel_remote = *r;
	ice_emit(ag, WRTC_ICE_EVENT_SELECTED_PAIR, &ag->sel_local, &ag->sel_remote);
}

static struct ice_gen *
consent_gen(struct wrtc_ice_agent *ag)
{
	if (ag->gen[ag->cur].have_remote)
		return &ag->gen[ag->cur];
	if (ag->gen[!ag->cur].used && !ag->gen[!ag->cur].retired && ag->gen[!ag->cur].have_remote)
		return &ag->gen[!ag->cur];
	return NULL;
}

static void
consent_tick(struct wrtc_ice_agent *ag, uint64_t now)
{
	struct ice_gen *g;
	int l;

	if (!ag->has_sel || !ag->consent_ok)
		return;
	if (now >= ag->last_consent + ag->prm.consent_timeout_us) {
		ag->consent_ok = false;
		ice_txn_cancel_checks(ag, false);
		ice_update_state(ag, now);
		ice_emit(ag, WRTC_ICE_EVENT_CONSENT_LOST, &ag->sel_local, &ag->sel_remote);
		return;
	}
	/* A lite agent sends no checks: the peer's requests refresh consent. */
	if (ag->mode != WRTC_ICE_MODE_FULL || now < ag->consent_next)
		return;
	ag->consent_next = now + consent_jitter(ag);
	g = consent_gen(ag);
	l = ice_find_local(ag, &ag->sel_local);
	if (g == NULL || l < 0)
		return;
	if (send_request(ag, g, (unsigned int)l, &ag->sel_remote, false, true, now) != NULL)
		ag->cnt.tx_consent++;
}

static void
txn_tick(struct wrtc_ice_agent *ag, uint64_t now)
{
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++) {
		struct ice_txn *t = &ag->txn[i];

		if (!t->used || now < t->next_tx)
			continue;
		if (t->ntx < t->max_tx) {
			t->rto *= 2;
			if (t->rto > ag->prm.rto_max_us)
				t->rto = ag->prm.rto_max_us;
			t->next_tx = now + t->rto;
			if (txn_transmit(ag, t) == 0) {
				ag->cnt.tx_retransmits++;
				continue;
			}
			/* Its credentials are gone: the transaction ends like a timeout. */
			t->ntx = t->max_tx;
		}
		t->used = false;
		if (t->consent)
			continue;
		ag->cnt.timeouts++;
		if (t->pair >= 0 && (unsigned int)t->pair < ag->n_pairs)
			ice_pair_failed(ag, t->pair);
	}
}

/* When the next paced check is due, or UINT64_MAX if there is nothing to send. */
static uint64_t
check_due(const struct wrtc_ice_agent *ag)
{
	uint64_t d;
	int b;

	if (!checks_possible(ag))
		return UINT64_MAX;
	if (ag->trig_n != 0 || next_ordinary(ag) >= 0)
		return ag->next_check;
	if (ag->role != WRTC_ICE_ROLE_CONTROLLING || ag->checks_done ||
	    ag->nominating != ICE_NO_PAIR || !ag->have_first_valid)
		return UINT64_MAX;
	b = best_valid(ag);
	if (b < 0)
		return UINT64_MAX;
	/* Waiting for better pairs: wake when the nomination delay ends. */
	d = better_pending(ag, ag->pairs[b].prio) ?
		    ag->first_valid_at + ag->prm.nomination_delay_us : 0;
	return d > ag->next_check ? d : ag->next_check;
}

void
wrtc_ice_agent_tick(struct wrtc_ice_agent *agent, uint64_t now)
{
	if (agent == NULL)
		return;
	txn_tick(agent, now);
	/*
	 * One paced slot per Ta, used or not (a check may be impossible for
	 * want of a transaction slot): next_tick() never stays in the past.
	 */
	if (check_due(agent) <= now) {
		paced_check(agent, now);
		agent->next_check = now + agent->prm.ta_us;
	}
	consent_tick(agent, now);
	ice_update_state(agent, now);
}

uint64_t
wrtc_ice_agent_next_tick(const struct wrtc_ice_agent *agent)
{
	uint64_t t = UINT64_MAX;

	if (agent == NULL)
		return t;
	t = check_due(agent);
	for (unsigned int i = 0; i < WRTC_ICE_MAX_TXN; i++)
		if (agent->txn[i].used && agent->txn[i].next_tx < t)
			t = agent->txn[i].next_tx;
	if (agent->has_sel && agent->consent_ok) {
		uint64_t exp = agent->last_consent + agent->prm.consent_timeout_us;
		uint64_t disc = agent->last_consent + agent->prm.disconnected_us;

		if (exp < t)
			t = exp;
		if (agent->state != WRTC_ICE_STATE_DISCONNECTED && disc < t)
			t = disc;
		if (agent->mode == WRTC_ICE_MODE_FULL && agent->consent_next < t)
			t = agent->consent_next;
	}
	return t;
}
