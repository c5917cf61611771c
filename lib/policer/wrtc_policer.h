/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Token-bucket policers with source-address priority.
 *
 * A policer admits or discards packets against a token bucket: in
 * packet-rate mode a packet costs one token (bucket in packets, rate in
 * packets/s), in data-rate mode it costs its size (bucket in bytes, rate in
 * bytes/s). Time is passed in by the caller as ticks (the TSC on workers) with
 * the tick rate given at creation; the library never reads a clock. The
 * arithmetic is exact: tokens are kept in units of 1/hz, so no rounding
 * error accumulates however often the bucket is refilled.
 *
 * Source-address priority: a policer created with a priority_rate keeps a
 * second bucket and a table of addresses that match signalled ICE candidates.
 * Host, peer-reflexive and relayed (TURN) candidates match exactly (/32 or
 * /128); server-reflexive IPv4 candidates match by a configurable prefix
 * length 0..32 (IPv6 ones exactly). Packets from a matching source are
 * admitted against the priority bucket (the higher rate), everything else
 * against the ordinary one, so a flood from unknown addresses cannot starve
 * the consent checks of established calls.
 *
 * Selected pairs: above the candidate prefixes, a policer created with a
 * pair_rate keeps a third bucket for the exact transport addresses (remote
 * address and port, local port) of selected ICE pairs. A consent check of an
 * established call is admitted against that bucket, so a flood from the same
 * address or prefix on other ports, which matches the candidate table, empties
 * only the priority bucket.
 *
 * Threads: a policer has one owner thread (a worker for per-lcore policers,
 * or the lcore that owns an aggregate one). Only the owner calls
 * wrtc_policer_admit() and changes the source table; there are no locks.
 * Counters are stored with relaxed atomics, so any thread may call
 * wrtc_policer_status_get() to read them. wrtc_policer_admit() does not
 * allocate, lock or log.
 */
#ifndef WRTC_POLICER_H
#define WRTC_POLICER_H

#include <stdbool.h>
#include <stdint.h>

#include <sys/socket.h>

#include <jansson.h>

#include "wrtc_config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { WRTC_POLICER_NAME_SIZE = 64 };

/** What a policer polices (shown in the `policers` table). */
enum wrtc_policer_type {
	WRTC_POLICER_LINK_DATA, /**< "link-data": all traffic of a link. */
	WRTC_POLICER_STUN,      /**< "stun": STUN before the control lcore. */
	WRTC_POLICER_DTLS,      /**< "dtls": DTLS before the control lcore. */
	WRTC_POLICER_ARP,       /**< "arp": ARP before the control lcore. */
	WRTC_POLICER_ND,        /**< "nd": neighbour solicitations/advertisements. */
	WRTC_POLICER_ICMP,      /**< "icmp": ICMP and ICMPv6 echo requests (so echo
				 *   replies are limited to the same rate). */
};

/** The class a packet is admitted in (one bucket each). */
enum wrtc_policer_class {
	WRTC_POLICER_CLASS_ORDINARY, /**< Any source: the ordinary bucket. */
	WRTC_POLICER_CLASS_PRIORITY, /**< Matches a signalled candidate (prefix rules). */
	WRTC_POLICER_CLASS_PAIR,     /**< The exact transport address of a selected pair. */
};

/** The unit of tokens. */
enum wrtc_policer_mode {
	WRTC_POLICER_PACKET_RATE, /**< "packet-rate": one token per packet. */
	WRTC_POLICER_DATA_RATE,   /**< "data-rate": one token per byte. */
};

/** How a source address was signalled (RFC 8445 candidate types). */
enum wrtc_policer_cand {
	WRTC_POLICER_CAND_HOST,  /**< host: exact match. */
	WRTC_POLICER_CAND_SRFLX, /**< server-reflexive: IPv4 by srflx_prefix_v4, IPv6 exact. */
	WRTC_POLICER_CAND_PRFLX, /**< peer-reflexive: exact match. */
	WRTC_POLICER_CAND_RELAY, /**< relayed (TURN): exact match. */
};

/** A source address. */
struct wrtc_policer_addr {
	uint8_t family;     /**< AF_INET or AF_INET6. */
	uint8_t bytes[16];  /**< Network byte order; IPv4 in bytes[0..3]. */
};

/** Parameters of wrtc_policer_create(). */
struct wrtc_policer_prm {
	const char *name;           /**< Shown in the status (copied, may be NULL). */
	uint32_t id;                /**< Shown in the status. */
	enum wrtc_policer_type type; /**< Shown in the status. */
	enum wrtc_policer_mode mode; /**< Token unit. */
	uint64_t bucket;            /**< Bucket size (burst), >= 1. */
	uint64_t rate;              /**< Ordinary sources: tokens per second, >= 1. */
	uint64_t priority_rate;     /**< Matching sources: tokens per second; 0 = no
					 priority class (every packet is ordinary). */
	uint64_t priority_bucket;   /**< Bucket of the priority class (0 = bucket). */
	uint64_t pair_rate;         /**< Selected pairs: tokens per second; 0 = no pair
					 class. */
	uint64_t pair_bucket;       /**< Bucket of the pair class (0 = bucket). */
	uint8_t srflx_prefix_v4;    /**< IPv4 server-reflexive match length, 0..32. */
	uint32_t max_sources;       /**< Capacity of the source table (0 = none). */
	uint32_t max_pairs;         /**< Capacity of the pair table (0 = none). */
	uint64_t hz;                /**< Ticks per second of the time passed in, >= 1. */
	uint64_t now;               /**< Current tick; both buckets start full. */
};

/** A policer's status, as the `policers` RPC method reports it. */
struct wrtc_policer_status {
	uint32_t id;                     /**< From the parameters. */
	char name[WRTC_POLICER_NAME_SIZE]; /**< From the parameters. */
	enum wrtc_policer_type type;     /**< From the parameters. */
	enum wrtc_policer_mode mode;     /**< From the parameters. */
	uint64_t bucket;                 /**< Bucket size. */
	uint64_t rate;                   /**< Ordinary rate. */
	uint64_t priority_rate;          /**< Priority rate (0 = none). */
	uint64_t accepted;               /**< Packets admitted (both classes). */
	uint64_t discarded;              /**< Packets discarded (both classes). */
	uint64_t priority_accepted;      /**< Of accepted: from matching sources. */
	uint64_t priority_discarded;     /**< Of discarded: from matching sources. */
	uint32_t sources;                /**< Entries in the source table. */
	uint64_t pair_rate;              /**< Pair rate (0 = none). */
	uint64_t pair_accepted;          /**< Of accepted: from selected pairs. */
	uint64_t pair_discarded;         /**< Of discarded: from selected pairs. */
	uint32_t pairs;                  /**< Entries in the pair table. */
};

struct wrtc_policer;

/**
 * Create a policer.
 *
 * @return the policer, or NULL with errno set: EINVAL (zero bucket, rate or
 *   hz, prefix over 32, priority_rate or pair_rate below rate), ERANGE
 *   (bucket * hz does not fit 63 bits), ENOMEM.
 */
struct wrtc_policer *
wrtc_policer_create(const struct wrtc_policer_prm *prm);

/**
 * Change a policer's bucket sizes and rates (owner thread only), e.g. on a
 * configuration reload. The buckets keep their fill, capped at the new sizes;
 * counters and the source and pair tables are kept. Only bucket, rate,
 * priority_rate, priority_bucket, pair_rate and pair_bucket of @p prm are
 * read; pair_rate 0 leaves the pair bucket as it is.
 *
 * @return 0, -EINVAL (zero bucket or rate, priority_rate or pair_rate below
 *   rate, a priority class added to or taken from a policer created without
 *   or with one, a pair rate for a policer without a pair class), -ERANGE
 *   (bucket * hz does not fit 63 bits).
 */
int
wrtc_policer_rate_set(struct wrtc_policer *p, const struct wrtc_policer_prm *prm);

/** Free a policer. NULL is accepted and ignored. */
void
wrtc_policer_free(struct wrtc_policer *p);

/**
 * Admit or discard one packet (owner thread only).
 *
 * @param now  current tick; a value below the last one seen adds no tokens.
 * @param size  packet size in bytes (data-rate mode; ignored in packet-rate).
 * @param src  source address, or NULL for "unknown" (the ordinary class).
 * @return true if the packet may pass; the matching counter is incremented.
 */
bool
wrtc_policer_admit(struct wrtc_policer *p, uint64_t now, uint32_t size,
		   const struct wrtc_policer_addr *src);

/**
 * The class @p src would be admitted in (owner thread only): PAIR if
 * (@p src, @p sport, @p dport) is a selected pair, else PRIORITY if @p src
 * matches a signalled candidate, else ORDINARY. Does not change the policer.
 *
 * @param src  source address, or NULL (ORDINARY).
 * @param sport  source (remote) port, host order.
 * @param dport  destination (local) port, host order.
 */
enum wrtc_policer_class
wrtc_policer_classify(const struct wrtc_policer *p, const struct wrtc_policer_addr *src,
		      uint16_t sport, uint16_t dport);

/**
 * Admit or discard one packet of class @p cls (owner thread only), as
 * returned by wrtc_policer_classify(). A class the policer does not have is
 * charged to the ordinary bucket.
 *
 * @return true if the packet may pass; the matching counters are incremented.
 */
bool
wrtc_policer_admit_class(struct wrtc_policer *p, uint64_t now, uint32_t size,
			 enum wrtc_policer_class cls);

/**
 * Add the transport address of a selected ICE pair (owner thread only):
 * remote address @p addr and port @p rport, local port @p lport. Reference
 * counted like the candidate table.
 *
 * @return 0, -EINVAL (bad family or no pair class), -ENOSPC (table full).
 */
int
wrtc_policer_pair_add(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
		      uint16_t rport, uint16_t lport);

/**
 * Remove one reference added by wrtc_policer_pair_add() (owner thread only).
 *
 * @return 0, -EINVAL, -ENOENT.
 */
int
wrtc_policer_pair_remove(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			 uint16_t rport, uint16_t lport);

/**
 * Add a signalled candidate address to the priority table (owner thread
 * only). The same address may be added several times (by several calls);
 * it stays until removed as often.
 *
 * @return 0, -EINVAL (bad family or no priority class), -ENOSPC (table full).
 */
int
wrtc_policer_source_add(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			enum wrtc_policer_cand cand);

/**
 * Remove one reference added by wrtc_policer_source_add() with the same
 * address and candidate type (owner thread only).
 *
 * @return 0, -EINVAL, -ENOENT.
 */
int
wrtc_policer_source_remove(struct wrtc_policer *p, const struct wrtc_policer_addr *addr,
			   enum wrtc_policer_cand cand);

/** @return true if @p addr is admitted at the priority rate. */
bool
wrtc_policer_source_match(const struct wrtc_policer *p, const struct wrtc_policer_addr *addr);

/**
 * Whole tokens in a bucket at @p now, without changing the policer.
 *
 * @param priority  the priority bucket instead of the ordinary one.
 */
uint64_t
wrtc_policer_tokens(const struct wrtc_policer *p, uint64_t now, bool priority);

/** Whole tokens in the bucket of class @p cls at @p now (0 if it has none). */
uint64_t
wrtc_policer_class_tokens(const struct wrtc_policer *p, uint64_t now,
			  enum wrtc_policer_class cls);

/** Read the status (any thread). */
void
wrtc_policer_status_get(const struct wrtc_policer *p, struct wrtc_policer_status *st);

/**
 * Add the counters of @p st to @p sum (aggregating per-lcore instances of one
 * configured policer). The other fields of @p sum are left as they are.
 */
void
wrtc_policer_status_add(struct wrtc_policer_status *sum, const struct wrtc_policer_status *st);

/**
 * One row of the `policers` result: {"id", "name", "type", "mode", "bucket",
 * "rate", "priority_rate", "accepted", "discarded", "priority_accepted",
 * "priority_discarded", "sources", "pair_rate", "pair_accepted",
 * "pair_discarded", "pairs"}.
 *
 * @return a new JSON object, or NULL (out of memory).
 */
json_t *
wrtc_policer_status_json(const struct wrtc_policer_status *st);

/**
 * The whole result of the `policers` RPC method: {"policers": [row, ...]},
 * one row per configured policer with the counters summed over its
 * per-lcore instances.
 *
 * @param pols  instance-major array: pols[i * n_policers + k] is instance i
 *   (e.g. worker i) of policer k; NULL entries are skipped.
 * @param n_policers  configured policers.
 * @param n_instances  instances of each (>= 1).
 * @return a new JSON object, or NULL (out of memory).
 */
json_t *
wrtc_policer_table_json(struct wrtc_policer *const *pols, unsigned int n_policers,
			unsigned int n_instances);

/**
 * Fill the parameters of a policer from its configuration entry.
 *
 * The priority class (and its source table of @p max_sources entries) is
 * only set up for stun/dtls policers whose priority_rate exceeds rate; the
 * pair class (and its table of @p max_sources entries) for stun/dtls policers
 * whose pair_rate is set. prm->name points into @p cp.
 *
 * @param cp  an entry of wrtc_config::policers.
 * @param id  the id to show in the status (e.g. its index in the file).
 * @param max_sources  candidate table capacity (e.g. 4 * max_calls).
 * @param hz  tick rate of the time that will be passed to admit().
 * @param now  current tick.
 * @param prm  filled.
 * @return 0 or -EINVAL.
 */
int
wrtc_policer_prm_from_config(const struct wrtc_config_policer *cp, uint32_t id,
			     uint32_t max_sources, uint64_t hz, uint64_t now,
			     struct wrtc_policer_prm *prm);

/**
 * The configuration entry used for a punted class that the configuration
 * does not police: its name is the type's ("arp", "nd", "icmp", "stun",
 * "dtls"), with the rates documented in docs/configuration.md.
 *
 * @param type  WRTC_CONFIG_POLICER_ARP, _ND, _ICMP, _STUN or _DTLS.
 * @param cp  filled.
 * @return 0, or -EINVAL for another type.
 */
int
wrtc_policer_default_config(enum wrtc_config_policer_type type, struct wrtc_config_policer *cp);

/** @return "link-data", "stun", "dtls", "arp", "nd" or "icmp". */
const char *
wrtc_policer_type_str(enum wrtc_policer_type t);

/** @return "packet-rate" or "data-rate". */
const char *
wrtc_policer_mode_str(enum wrtc_policer_mode m);

/** Fill @p a with an IPv4 address given in network byte order. */
static inline void
wrtc_policer_addr_v4(struct wrtc_policer_addr *a, uint32_t be_addr)
{
	__builtin_memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	__builtin_memcpy(a->bytes, &be_addr, 4);
}

/** Fill @p a with an IPv6 address. */
static inline void
wrtc_policer_addr_v6(struct wrtc_policer_addr *a, const uint8_t bytes[16])
{
	a->family = AF_INET6;
	__builtin_memcpy(a->bytes, bytes, 16);
}

#ifdef __cplusplus
}
#endif

#endif
