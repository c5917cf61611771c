/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/policer. Every field is written by the policer's owner
 * thread only; counters are written with relaxed atomic stores so that other
 * threads may read them.
 */
#ifndef POLICER_PRIV_H
#define POLICER_PRIV_H

#include <stdint.h>

#include "wrtc_policer.h"

/* A token bucket. Tokens are counted in units of 1/hz token. */
struct tb {
	uint64_t tokens;     /* Current fill, <= max. */
	uint64_t max;        /* bucket * hz. */
	uint64_t rate;       /* Tokens per second = units added per tick. */
	uint64_t fill_ticks; /* Ticks from empty to full: ceil(max / rate). */
	uint64_t last;       /* Tick of the last refill. */
};

/* A table entry, a candidate address (pair == 0, ports 0) or the transport
 * address of a selected pair (pair == 1); refs == 0 marks a free slot. */
struct src {
	uint32_t refs;
	uint8_t family;
	uint8_t plen;        /* Prefix length the address was masked with. */
	uint8_t pair;        /* 1: a selected pair, matched with its ports. */
	uint16_t rport;      /* Pair: remote port. */
	uint16_t lport;      /* Pair: local port. */
	uint8_t bytes[16];
};

struct wrtc_policer {
	struct tb ordinary;
	struct tb priority;
	struct tb pair;
	bool has_priority;
	bool has_pair;
	enum wrtc_policer_mode mode;
	uint64_t hz;
	uint8_t srflx_prefix_v4;
	struct src *srcs;    /* Open addressing, linear probing, backward-shift delete. */
	uint32_t src_mask;   /* Slots - 1 (slots is a power of two). */
	uint32_t src_count;  /* Candidate entries. */
	uint32_t src_max;
	uint32_t pair_count; /* Pair entries. */
	uint32_t pair_max;
	uint64_t accepted, discarded, prio_accepted, prio_discarded;
	uint64_t pair_accepted, pair_discarded;
	struct wrtc_policer_status info; /* id, name, type, mode, bucket, rates. */
};

void policer_sources_free(struct wrtc_policer *p);
int policer_sources_init(struct wrtc_policer *p, uint32_t max_sources, uint32_t max_pairs);

#endif
