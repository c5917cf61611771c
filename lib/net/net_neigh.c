/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The neighbour table: IPv4/IPv6 address -> MAC, owned by the control lcore.
 * Open addressing with linear probing over a power-of-two slot array at most
 * half full; deletion shifts the following run back, so there are no
 * tombstones. All memory is allocated by wrtc_net_neigh_create().
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_errno.h>
#include <rte_jhash.h>

#include "wrtc_net.h"
#include "net_priv.h"

enum neigh_state {
	NEIGH_EMPTY = 0,
	NEIGH_INCOMPLETE,       /* A request went out; no answer yet. */
	NEIGH_REACHABLE,        /* MAC known. */
};

struct neigh_entry {
	struct wrtc_net_addr ip;        /* Canonical: zero padding. */
	struct rte_ether_addr mac;
	uint8_t state;                  /* enum neigh_state. */
	uint32_t probes;                /* Requests sent while incomplete. */
	uint64_t updated;               /* Learnt (reachable) or created (incomplete). */
	uint64_t last_probe;            /* Time of the last request. */
};

struct wrtc_net_neigh {
	struct wrtc_net_neigh_prm prm;
	uint32_t mask;                  /* Slots - 1. */
	uint32_t count;
	struct neigh_entry slots[];
};

static bool
key_of(const struct wrtc_net_addr *ip, struct wrtc_net_addr *k)
{
	if (ip == NULL)
		return false;
	if (ip->family == AF_INET) {
		wrtc_net_addr_set_v4(k, ip->v4);
		return true;
	}
	if (ip->family == AF_INET6) {
		wrtc_net_addr_set_v6(k, ip->v6);
		return true;
	}
	return false;
}

static uint32_t
slot_of(const struct wrtc_net_neigh *n, const struct wrtc_net_addr *k)
{
	return rte_jhash(k, sizeof(*k), 0x5eed) & n->mask;
}

/* Index of @p k, or of the empty slot where it would go (when *found is false). */
static uint32_t
find(const struct wrtc_net_neigh *n, const struct wrtc_net_addr *k, bool *found)
{
	uint32_t i = slot_of(n, k);

	for (;;) {
		const struct neigh_entry *e = &n->slots[i];

		if (e->state == NEIGH_EMPTY) {
			*found = false;
			return i;
		}
		if (memcmp(&e->ip, k, sizeof(*k)) == 0) {
			*found = true;
			return i;
		}
		i = (i + 1) & n->mask;
	}
}

static void
remove_at(struct wrtc_net_neigh *n, uint32_t i)
{
	uint32_t j = i;

	/* Backward-shift deletion (Knuth 6.4 algorithm R). */
	for (;;) {
		uint32_t home;

		n->slots[i].state = NEIGH_EMPTY;
		for (;;) {
			j = (j + 1) & n->mask;
			if (n->slots[j].state == NEIGH_EMPTY) {
				n->count--;
				return;
			}
			home = slot_of(n, &n->slots[j].ip);
			/* Move j to i unless its home lies cyclically in (i, j]. */
			if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
				continue;
			break;
		}
		n->slots[i] = n->slots[j];
		i = j;
	}
}

struct wrtc_net_neigh *
wrtc_net_neigh_create(const struct wrtc_net_neigh_prm *prm)
{
	struct wrtc_net_neigh *n;
	uint64_t slots = 2;

	if (prm == NULL || prm->capacity == 0 || prm->capacity > (1u << 24)) {
		rte_errno = EINVAL;
		return NULL;
	}
	while (slots < 2ull * prm->capacity)
		slots <<= 1;
	n = calloc(1, sizeof(*n) + slots * sizeof(n->slots[0]));
	if (n == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	n->prm = *prm;
	if (n->prm.max_probes == 0)
		n->prm.max_probes = 3;
	n->mask = (uint32_t)(slots - 1);
	return n;
}

void
wrtc_net_neigh_free(struct wrtc_net_neigh *n)
{
	free(n);
}

/* Finds a slot for a new key, ageing the table once if it is full. */
static int
insert_slot(struct wrtc_net_neigh *n, const struct wrtc_net_addr *k, uint64_t now, uint32_t *idx)
{
	bool found;

	if (n->count >= n->prm.capacity) {
		wrtc_net_neigh_age(n, now);
		if (n->count >= n->prm.capacity)
			return -ENOSPC;
	}
	*idx = find(n, k, &found);
	n->slots[*idx].ip = *k;
	n->count++;
	return 0;
}

static int
set_mac(struct neigh_entry *e, const struct rte_ether_addr *mac, uint64_t now)
{
	int changed = e->state != NEIGH_REACHABLE || !rte_is_same_ether_addr(&e->mac, mac);

	rte_ether_addr_copy(mac, &e->mac);
	e->state = NEIGH_REACHABLE;
	e->probes = 0;
	e->updated = now;
	return changed;
}

static int
learn(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
      const struct rte_ether_addr *mac, uint64_t now, bool create)
{
	struct wrtc_net_addr k;
	uint32_t i;
	bool found;
	int rc;

	if (n == NULL || mac == NULL || !key_of(ip, &k) || !rte_is_unicast_ether_addr(mac) ||
	    rte_is_zero_ether_addr(mac))
		return -EINVAL;
	i = find(n, &k, &found);
	if (!found) {
		if (!create)
			return -ENOENT;
		rc = insert_slot(n, &k, now, &i);
		if (rc < 0)
			return rc;
		memset(&n->slots[i].mac, 0, sizeof(n->slots[i].mac));
		n->slots[i].state = NEIGH_INCOMPLETE;
	}
	return set_mac(&n->slots[i], mac, now);
}

int
wrtc_net_neigh_learn(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
		     const struct rte_ether_addr *mac, uint64_t now)
{
	return learn(n, ip, mac, now, true);
}

int
wrtc_net_neigh_update(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
		      const struct rte_ether_addr *mac, uint64_t now)
{
	return learn(n, ip, mac, now, false);
}

int
wrtc_net_neigh_lookup(const struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
		      struct rte_ether_addr *mac)
{
	struct wrtc_net_addr k;
	uint32_t i;
	bool found;

	if (n == NULL || !key_of(ip, &k))
		return -ENOENT;
	i = find(n, &k, &found);
	if (!found || n->slots[i].state != NEIGH_REACHABLE)
		return -ENOENT;
	if (mac != NULL)
		rte_ether_addr_copy(&n->slots[i].mac, mac);
	return 0;
}

int
wrtc_net_neigh_resolve(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip,
		       uint64_t now, struct rte_ether_addr *mac)
{
	struct wrtc_net_addr k;
	struct neigh_entry *e;
	uint32_t i;
	bool found;
	int rc;

	if (n == NULL || !key_of(ip, &k))
		return -EINVAL;
	i = find(n, &k, &found);
	if (!found) {
		rc = insert_slot(n, &k, now, &i);
		if (rc < 0)
			return rc;
		e = &n->slots[i];
		memset(&e->mac, 0, sizeof(e->mac));
		e->state = NEIGH_INCOMPLETE;
		e->updated = now;
		e->last_probe = now;
		e->probes = 1;
		return -EAGAIN;
	}
	e = &n->slots[i];
	if (e->state == NEIGH_REACHABLE) {
		if (mac != NULL)
			rte_ether_addr_copy(&e->mac, mac);
		return 0;
	}
	if (now - e->last_probe < n->prm.retrans_time)
		return -EINPROGRESS;
	if (e->probes >= n->prm.max_probes)
		return -EHOSTUNREACH;
	e->probes++;
	e->last_probe = now;
	return -EAGAIN;
}

int
wrtc_net_neigh_remove(struct wrtc_net_neigh *n, const struct wrtc_net_addr *ip)
{
	struct wrtc_net_addr k;
	uint32_t i;
	bool found;

	if (n == NULL || !key_of(ip, &k))
		return -ENOENT;
	i = find(n, &k, &found);
	if (!found)
		return -ENOENT;
	remove_at(n, i);
	return 0;
}

unsigned int
wrtc_net_neigh_age(struct wrtc_net_neigh *n, uint64_t now)
{
	uint64_t incomplete_life;
	unsigned int removed = 0;
	uint32_t i = 0;

	if (n == NULL)
		return 0;
	incomplete_life = (uint64_t)(n->prm.max_probes + 1) * n->prm.retrans_time;
	/* remove_at() may move a later entry into slot i: look at i again then. */
	while (i <= n->mask) {
		struct neigh_entry *e = &n->slots[i];
		uint64_t life = e->state == NEIGH_REACHABLE ? n->prm.reachable_time :
				incomplete_life;

		if (e->state != NEIGH_EMPTY && now - e->updated >= life) {
			remove_at(n, i);
			removed++;
			continue;
		}
		i++;
	}
	return removed;
}

unsigned int
wrtc_net_neigh_count(const struct wrtc_net_neigh *n)
{
	return n == NULL ? 0 : n->count;
}

void
wrtc_net_neigh_foreach(const struct wrtc_net_neigh *n, wrtc_net_neigh_fn *fn, void *arg)
{
	if (n == NULL || fn == NULL)
		return;
	for (uint32_t i = 0; i <= n->mask; i++) {
		const struct neigh_entry *e = &n->slots[i];

		if (e->state == NEIGH_EMPTY)
			continue;
		fn(&e->ip, e->state == NEIGH_REACHABLE ? &e->mac : NULL, e->updated, arg);
	}
}
