/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Token buckets in exact integer arithmetic. A bucket of B tokens at a tick
 * rate of hz holds B * hz units; one tick adds `rate` units; a packet costs
 * hz units (packet-rate) or size * hz units (data-rate). The refill after a
 * long idle time is capped at fill_ticks, so elapsed * rate never overflows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policer_priv.h"

static int
tb_init(struct tb *b, uint64_t bucket, uint64_t rate, uint64_t hz, uint64_t now)
{
	uint64_t max;

	/* 2 * max + rate must fit: tokens + elapsed * rate stays below it. */
	if (rate > UINT64_MAX / 4 || __builtin_mul_overflow(bucket, hz, &max) ||
	    max > (UINT64_MAX / 2 - rate) / 2)
		return -ERANGE;
	b->max = max;
	b->tokens = max;
	b->rate = rate;
	b->fill_ticks = max / rate + (max % rate != 0);
	b->last = now;
	return 0;
}

static inline void
tb_refill(struct tb *b, uint64_t now)
{
	uint64_t elapsed;

	if (now <= b->last)
		return;
	elapsed = now - b->last;
	b->last = now;
	if (elapsed >= b->fill_ticks) {
		b->tokens = b->max;
		return;
	}
	b->tokens += elapsed * b->rate;
	if (b->tokens > b->max)
		b->tokens = b->max;
}

static inline void
count(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

struct wrtc_policer *
wrtc_policer_create(const struct wrtc_policer_prm *prm)
{
	struct wrtc_policer *p;
	uint64_t pbucket;
	int rc;

	if (prm == NULL || prm->bucket == 0 || prm->rate == 0 || prm->hz == 0 ||
	    prm->srflx_prefix_v4 > 32 ||
	    (prm->priority_rate != 0 && prm->priority_rate < prm->rate) ||
	    (prm->pair_rate != 0 && prm->pair_rate < prm->rate) ||
	    (prm->mode != WRTC_POLICER_PACKET_RATE && prm->mode != WRTC_POLICER_DATA_RATE)) {
		errno = EINVAL;
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->mode = prm->mode;
	p->hz = prm->hz;
	p->srflx_prefix_v4 = prm->srflx_prefix_v4;
	rc = tb_init(&p->ordinary, prm->bucket, prm->rate, prm->hz, prm->now);
	if (rc != 0)
		goto fail;
	if (prm->priority_rate != 0) {
		pbucket = prm->priority_bucket ? prm->priority_bucket : prm->bucket;
		rc = tb_init(&p->priority, pbucket, prm->priority_rate, prm->hz, prm->now);
		if (rc != 0)
			goto fail;
		p->has_priority = true;
	}
	if (prm->pair_rate != 0) {
		pbucket = prm->pair_bucket ? prm->pair_bucket : prm->bucket;
		rc = tb_init(&p->pair, pbucket, prm->pair_rate, prm->hz, prm->now);
		if (rc != 0)
			goto fail;
		p->has_pair = true;
	}
	if (p->has_priority || p->has_pair) {
		rc = policer_sources_init(p, p->has_priority ? prm->max_sources : 0,
					  p->has_pair ? prm->max_pairs : 0);
		if (rc != 0)
			goto fail;
	}
	p->info.id = prm->id;
	if (prm->name != NULL) {
		strncpy(p->info.name, prm->name, sizeof(p->info.name) - 1);
	}
	p->info.type = prm->type;
	p->info.mode = prm->mode;
	p->info.bucket = prm->bucket;
	p->info.rate = prm->rate;
	p->info.priority_rate = prm->priority_rate;
	p->info.pair_rate = prm->pair_rate;
	return p;
fail:
	wrtc_policer_free(p);
	errno = -rc;
	return NULL;
}

/* New size and rate for a bucket in use: the fill is kept (capped at the new
 * size), so a change neither grants a fresh burst nor takes tokens away. */
static int
tb_change(struct tb *b, uint64_t bucket, uint64_t rate, uint64_t hz)
{
	struct tb n;
	int rc = tb_init(&n, bucket, rate, hz, b->last);

	if (rc != 0)
		return rc;
	n.tokens = b->tokens < n.max ? b->tokens : n.max;
	*b = n;
	return 0;
}

int
wrtc_policer_rate_set(struct wrtc_policer *p, const struct wrtc_policer_prm *prm)
{
	struct tb ordinary, priority, pair;
	int rc;

	if (p == NULL || prm == NULL || prm->bucket == 0 || prm->rate == 0 ||
	    (prm->priority_rate != 0) != p->has_priority ||
	    (prm->priority_rate != 0 && prm->priority_rate < prm->rate) ||
	    (prm->pair_rate != 0 && (!p->has_pair || prm->pair_rate < prm->rate)))
		return -EINVAL;
	/* Every bucket is checked before any changes. */
	ordinary = p->ordinary;
	rc = tb_change(&ordinary, prm->bucket, prm->rate, p->hz);
	if (rc != 0)
		return rc;
	if (p->has_priority) {
		priority = p->priority;
		rc = tb_change(&priority, prm->priority_bucket ? prm->priority_bucket : prm->bucket,
			       prm->priority_rate, p->hz);
		if (rc != 0)
			return rc;
	}
	if (prm->pair_rate != 0) {
		pair = p->pair;
		rc = tb_change(&pair, prm->pair_bucket ? prm->pair_bucket : prm->bucket,
			       prm->pair_rate, p->hz);
		if (rc != 0)
			return rc;
		p->pair = pair;
		__atomic_store_n(&p->info.pair_rate, prm->pair_rate, __ATOMIC_RELAXED);
	}
	if (p->has_priority)
		p->priority = priority;
	p->ordinary = ordinary;
	__atomic_store_n(&p->info.bucket, prm->bucket, __ATOMIC_RELAXED);
	__atomic_store_n(&p->info.rate, prm->rate, __ATOMIC_RELAXED);
	__atomic_store_n(&p->info.priority_rate, prm->priority_rate, __ATOMIC_RELAXED);
	return 0;
}

void
wrtc_policer_free(struct wrtc_policer *p)
{
	if (p == NULL)
		return;
	policer_sources_free(p);
	free(p);
}

static struct tb *
class_bucket(struct wrtc_policer *p, enum wrtc_policer_class cls)
{
	if (cls == WRTC_POLICER_CLASS_PAIR && p->has_pair)
		return &p->pair;
	if (cls == WRTC_POLICER_CLASS_PRIORITY && p->has_priority)
		return &p->priority;
	return &p->ordinary;
}

bool
wrtc_policer_admit_class(struct wrtc_policer *p, uint64_t now, uint32_t size,
			 enum wrtc_policer_class cls)
{
	struct tb *b = class_bucket(p, cls);
	uint64_t cost = p->hz;

	/* A packet too large to express can never fit a bucket: it is discarded. */
	if (p->mode == WRTC_POLICER_DATA_RATE &&
	    __builtin_mul_overflow((uint64_t)size, p->hz, &cost))
		cost = UINT64_MAX;
	tb_refill(b, now);
	if (b->tokens >= cost) {
		b->tokens -= cost;
		count(&p->accepted);
		if (b == &p->priority)
			count(&p->prio_accepted);
		else if (b == &p->pair)
			count(&p->pair_accepted);
		return true;
	}
	count(&p->discarded);
	if (b == &p->priority)
		count(&p->prio_discarded);
	else if (b == &p->pair)
		count(&p->pair_discarded);
	return false;
}

bool
wrtc_policer_admit(struct wrtc_policer *p, uint64_t now, uint32_t size,
		   const struct wrtc_policer_addr *src)
{
	bool prio = p->has_priority && src != NULL && p->src_count > 0 &&
		    wrtc_policer_source_match(p, src);

	return wrtc_policer_admit_class(p, now, size, prio ? WRTC_POLICER_CLASS_PRIORITY :
						      WRTC_POLICER_CLASS_ORDINARY);
}

uint64_t
wrtc_policer_tokens(const struct wrtc_policer *p, uint64_t now, bool priority)
{
	struct tb b;

	if (priority && !p->has_priority)
		return 0;
	b = priority ? p->priority : p->ordinary;
	tb_refill(&b, now);
	return b.tokens / p->hz;
}

uint64_t
wrtc_policer_class_tokens(const struct wrtc_policer *p, uint64_t now,
			  enum wrtc_policer_class cls)
{
	struct tb b;

	if ((cls == WRTC_POLICER_CLASS_PAIR && !p->has_pair) ||
	    (cls == WRTC_POLICER_CLASS_PRIORITY && !p->has_priority))
		return 0;
	b = cls == WRTC_POLICER_CLASS_PAIR ? p->pair :
	    cls == WRTC_POLICER_CLASS_PRIORITY ? p->priority : p->ordinary;
	tb_refill(&b, now);
	return b.tokens / p->hz;
}

void
wrtc_policer_status_get(const struct wrtc_policer *p, struct wrtc_policer_status *st)
{
	*st = p->info;
	st->accepted = __atomic_load_n(&p->accepted, __ATOMIC_RELAXED);
	st->discarded = __atomic_load_n(&p->discarded, __ATOMIC_RELAXED);
	st->priority_accepted = __atomic_load_n(&p->prio_accepted, __ATOMIC_RELAXED);
	st->priority_discarded = __atomic_load_n(&p->prio_discarded, __ATOMIC_RELAXED);
	st->sources = __atomic_load_n(&p->src_count, __ATOMIC_RELAXED);
	st->pair_accepted = __atomic_load_n(&p->pair_accepted, __ATOMIC_RELAXED);
	st->pair_discarded = __atomic_load_n(&p->pair_discarded, __ATOMIC_RELAXED);
	st->pairs = __atomic_load_n(&p->pair_count, __ATOMIC_RELAXED);
}

void
wrtc_policer_status_add(struct wrtc_policer_status *sum, const struct wrtc_policer_status *st)
{
	sum->accepted += st->accepted;
	sum->discarded += st->discarded;
	sum->priority_accepted += st->priority_accepted;
	sum->priority_discarded += st->priority_discarded;
	sum->sources += st->sources;
	sum->pair_accepted += st->pair_accepted;
	sum->pair_discarded += st->pair_discarded;
	sum->pairs += st->pairs;
}
