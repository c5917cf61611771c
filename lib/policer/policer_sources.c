/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The table of signalled candidate addresses and of selected pairs' transport
 * addresses: open addressing with linear probing in a power-of-two array
 * allocated at creation, and backward-shift deletion so no tombstones build
 * up. A classification walks at most three probe runs: the pair (address and
 * both ports), the exact address, then (IPv4 only) the address masked to the
 * server-reflexive prefix.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policer_priv.h"

int
policer_sources_init(struct wrtc_policer *p, uint32_t max_sources, uint32_t max_pairs)
{
	uint32_t slots = 16;

	if (max_sources > (1u << 24) || max_pairs > (1u << 24))
		return -EINVAL;
	while (slots < 2 * (max_sources + max_pairs))
		slots *= 2;
	p->srcs = calloc(slots, sizeof(*p->srcs));
	if (p->srcs == NULL)
		return -ENOMEM;
	p->src_mask = slots - 1;
	p->src_max = max_sources;
	p->pair_max = max_pairs;
	return 0;
}

void
policer_sources_free(struct wrtc_policer *p)
{
	free(p->srcs);
	p->srcs = NULL;
}

/* Builds the table key of an address masked to @p plen bits. */
static void
make_key(struct src *k, const struct wrtc_policer_addr *a, uint8_t plen)
{
	unsigned int len = a->family == AF_INET ? 4 : 16;

	memset(k, 0, sizeof(*k));
	k->family = a->family;
	k->plen = plen;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int bits = plen >= 8 * (i + 1) ? 8 : (plen > 8 * i ? plen - 8 * i : 0);

		k->bytes[i] = bits ? (uint8_t)(a->bytes[i] & (0xff << (8 - bits))) : 0;
	}
}

static uint32_t
hash_key(const struct src *k)
{
	uint32_t h = 2166136261u;

	h = (h ^ k->family) * 16777619u;
	h = (h ^ k->plen) * 16777619u;
	h = (h ^ k->pair) * 16777619u;
	h = (h ^ k->rport) * 16777619u;
	h = (h ^ k->lport) * 16777619u;
	for (unsigned int i = 0; i < 16; i++)
		h = (h ^ k->bytes[i]) * 16777619u;
	return h ^ (h >> 15);
}

static bool
same_key(const struct src *a, const struct src *b)
{
	return a->family == b->family && a->plen == b->plen && a->pair == b->pair &&
	       a->rport == b->rport && a->lport == b->lport &&
	       memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

/* Slot holding @p k, or -1. */
static int64_t
find(const struct wrtc_policer *p, const struct src *k)
{
	uint32_t i = hash_key(k) & p->src_mask;

	while (p->srcs[i].refs != 0) {
		if (same_key(&p->srcs[i], k))
			return i;
		i = (i + 1) & p->src_mask;
	}
	return -1;
}

static bool
valid(const struct wrtc_policer *p, const struct wrtc_policer_addr *a)
{
	return p->has_priority && a != NULL && (a->family == AF_INET || a->family == AF_INET6);
}

static uint8_t
key_plen(const struct wrtc_policer *p, const struct wrtc_policer_addr *a,
	 enum wrtc_policer_cand cand)
{
	if (a->family == AF_INET6)
		return 128;
	return cand == WRTC_POLICER_CAND_SRFLX ? p->srflx_prefix_v4 : 32;
}

/* Adds a reference to key @p k; @p count and @p max are the counter and
 * capacity of its kind. */
static int
key_add(struct wrtc_policer *p, struct src *k, uint32_t *count, uint32_t max)
{
	int64_t at = find(p, k);
	uint32_t i;

	if (at >= 0) {
		p->srcs[at].refs++;
		return 0;
	}
	if (*count >= max)
		return -ENOSPC;
	i = hash_key(k) & p->src_mask;
	while (p->srcs[i].refs != 0)
		i = (i + 1) & p->src_mask;
	k->refs = 1;
	p->srcs[i] = *k;
	__atomic_store_n(count, *count + 1, __ATOMIC_RELAXED);
	return 0;
}

static int
key_remove(struct wrtc_policer *p, const struct src *k, uint32_t *count)
{
	int64_t at = find(p, k);
	uint32_t i, j;

	if (at < 0)
		return -ENOENT;
	if (--p->srcs[at].refs > 0)
		return 0;
	/* Backward shift: pull later entries of the probe run into the hole. */
	i = (uint32_t)at;
	j = i;
	for (;;) {
		uint32_t home;

		j = (j + 1) & p->src_mask;
		if (p->srcs[j].refs == 0)
			break;
		home = hash_key(&p->srcs[j]) & p->src_mask;
		/* Entry j may move to i unless its home lies cyclically in (i, j]. */
		if (((j - home) & p->src_mask) >= ((j - i) & p->src_mask)) {
			p->srcs[i] = p->srcs[j];
			i = j;
		}
	}
	memset(&p->srcs[i], 0, sizeof(p->srcs[i]));
	__atomic_store_n(count, *count - 1, __ATOMIC_RELAXED);
	return 0;
}

int
wrtc_policer_source_add(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			enum wrtc_policer_cand cand)
{
	struct src k;

	if (!valid(p, addr))
		return -EINVAL;
	make_key(&k, addr, key_plen(p, addr, cand));
	return key_add(p, &k, &p->src_count, p->src_max);
}

int
wrtc_policer_source_remove(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			   enum wrtc_policer_cand cand)
{
	struct src k;

	if (!valid(p, addr))
		return -EINVAL;
	make_key(&k, addr, key_plen(p, addr, cand));
	return key_remove(p, &k, &p->src_count);
}

static bool
pair_valid(const struct wrtc_policer *p, const struct wrtc_policer_addr *a)
{
	return p->has_pair && a != NULL && (a->family == AF_INET || a->family == AF_INET6);
}

static void
pair_key(struct src *k, const struct wrtc_policer_addr *a, uint16_t rport, uint16_t lport)
{
	make_key(k, a, a->family == AF_INET ? 32 : 128);
	k->pair = 1;
	k->rport = rport;
	k->lport = lport;
}

int
wrtc_policer_pair_add(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
		      uint16_t rport, uint16_t lport)
{
	struct src k;

	if (!pair_valid(p, addr))
		return -EINVAL;
	pair_key(&k, addr, rport, lport);
	return key_add(p, &k, &p->pair_count, p->pair_max);
}

int
wrtc_policer_pair_remove(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			 uint16_t rport, uint16_t lport)
{
	struct src k;

	if (!pair_valid(p, addr))
		return -EINVAL;
	pair_key(&k, addr, rport, lport);
	return key_remove(p, &k, &p->pair_count);
}

enum wrtc_policer_class
wrtc_policer_classify(const struct wrtc_policer *p, const struct wrtc_policer_addr *src,
		      uint16_t sport, uint16_t dport)
{
	struct src k;

	if (src == NULL)
		return WRTC_POLICER_CLASS_ORDINARY;
	if (p->pair_count > 0 && pair_valid(p, src)) {
		pair_key(&k, src, sport, dport);
		if (find(p, &k) >= 0)
			return WRTC_POLICER_CLASS_PAIR;
	}
	if (wrtc_policer_source_match(p, src))
		return WRTC_POLICER_CLASS_PRIORITY;
	return WRTC_POLICER_CLASS_ORDINARY;
}

bool
wrtc_policer_source_match(const struct wrtc_policer *p, const struct wrtc_policer_addr *addr)
{
	struct src k;

	if (!valid(p, addr) || p->src_count == 0)
		return false;
	make_key(&k, addr, addr->family == AF_INET ? 32 : 128);
	if (find(p, &k) >= 0)
		return true;
	if (addr->family == AF_INET && p->srflx_prefix_v4 < 32) {
		make_key(&k, addr, p->srflx_prefix_v4);
		return find(p, &k) >= 0;
	}
	return false;
}
