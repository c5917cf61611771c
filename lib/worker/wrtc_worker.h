/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The worker fast path.
 *
 * One worker per lcore polls its RX queue of every port in bursts, sorts each
 * packet by class, relays media between the two legs of a call, punts
 * slow-path packets (ARP, ND, ICMP echo, STUN, DTLS) to the control lcore,
 * each class through a policer of its own and within its share of the punt
 * ring (enum wrtc_punt_class), and hands packets that belong to another
 * worker's streams to that worker's hand-off ring. Between bursts it applies
 * the control lcore's messages (struct wrtc_worker_msg). It takes no locks,
 * allocates nothing from the C heap and does not log.
 *
 * The control lcore reaches a worker only through the functions under
 * "Control lcore API" below (docs/lib/worker.rst).
 */
#ifndef WRTC_WORKER_H
#define WRTC_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "wrtc_drop.h"
#include "wrtc_flow.h"
#include "wrtc_net.h"
#include "wrtc_port.h"

enum { WRTC_BURST = 32, WRTC_RING_SIZE = 4096, WRTC_MAX_POLICERS = 16 };

/** Most worker lcores a gateway runs (each port has a TX queue per worker). */
enum { WRTC_MAX_WORKERS = WRTC_PORT_MAX_QUEUES };

/**
 * Slots of a worker's control and reply rings. The control lcore never has
 * more messages in flight to one worker (control ring plus reply ring) than
 * this, so the worker never waits for room in its reply ring; it starts an
 * offer or answer only when the room for all of its messages is there
 * (docs/architecture.md, "Control messages").
 */
enum { WRTC_CTRL_RING_SIZE = 16384 };

struct wrtc_policer;

/** Why a packet was punted (the low byte of the mbuf's hash.usr field). */
enum wrtc_punt_kind {
	WRTC_PUNT_ARP,
	WRTC_PUNT_ICMP,
	WRTC_PUNT_ND,
	WRTC_PUNT_STUN,
	WRTC_PUNT_DTLS,
};

/**
 * The share of the punt ring a packet is counted in (the second byte of
 * hash.usr). Each class may have at most WRTC_PUNT_SHARE_<class> packets in
 * flight (enqueued by the worker, not yet taken by the control lcore); the
 * shares add up to the ring's capacity, so a flood of one class never leaves
 * another without room.
 */
enum wrtc_punt_class {
	WRTC_PUNT_CLASS_ARP,      /**< ARP. */
	WRTC_PUNT_CLASS_ND,       /**< Neighbour discovery. */
	WRTC_PUNT_CLASS_ICMP,     /**< ICMP/ICMPv6 echo requests. */
	WRTC_PUNT_CLASS_STUN,     /**< STUN from any other source. */
	WRTC_PUNT_CLASS_DTLS,     /**< DTLS from any other source. */
	WRTC_PUNT_CLASS_PRIORITY, /**< STUN/DTLS from signalled candidates (prefix rules). */
	WRTC_PUNT_CLASS_PAIR,     /**< STUN/DTLS from the exact address of a selected pair. */
	WRTC_PUNT_CLASS_MAX
};

/** In-flight limit per punt class; the sum is the punt ring's capacity. */
enum {
	WRTC_PUNT_SHARE_ARP = 256,
	WRTC_PUNT_SHARE_ND = 256,
	WRTC_PUNT_SHARE_ICMP = 256,
	WRTC_PUNT_SHARE_STUN = 1023,
	WRTC_PUNT_SHARE_DTLS = 1024,
	WRTC_PUNT_SHARE_PRIORITY = 768,
	WRTC_PUNT_SHARE_PAIR = 512,
};

/** @return the enum wrtc_punt_kind of a punted packet. */
static inline unsigned int
wrtc_punt_kind(const struct rte_mbuf *m)
{
	return m->hash.usr & 0xff;
}

/** @return the enum wrtc_punt_class of a punted packet. */
static inline unsigned int
wrtc_punt_class(const struct rte_mbuf *m)
{
	return (m->hash.usr >> 8) & 0xff;
}

/** Everything all workers and the control lcore share, read-only after start. */
struct wrtc_dataplane {
	uint16_t nb_ifaces;                              /**< Interfaces in use. */
	uint16_t nb_workers;                             /**< Worker lcores. */
	struct wrtc_net_iface ifc[WRTC_FLOW_MAX_IFACES]; /**< Addresses per interface. */
	struct wrtc_port port[WRTC_FLOW_MAX_IFACES];     /**< DPDK port per interface. */
	int16_t iface_of_port[RTE_MAX_ETHPORTS];         /**< DPDK port id -> iface, -1 none. */
	struct wrtc_lcore *workers[WRTC_MAX_WORKERS];    /**< Worker contexts. */
	struct rte_mempool *mp;                          /**< Mbufs for generated packets. */
	uint32_t quit;                                   /**< Set to 1 to stop (atomic). */
};

/** Per-worker counters, written by that worker only. */
struct wrtc_worker_stats {
	uint64_t rx_pkts;       /**< Frames received from RX queues. */
	uint64_t handoff_in;    /**< Packets received from other workers. */
	uint64_t handoff_out;   /**< Packets handed to other workers. */
	uint64_t relayed;       /**< Media packets sent on. */
	uint64_t punted;        /**< Packets sent to the control lcore. */
	uint64_t ctrl_tx;       /**< Control lcore packets sent on its behalf. */
	uint64_t tx_pkts;       /**< Frames transmitted. */
	uint64_t msgs;          /**< Control messages applied. */
	uint64_t iterations;    /**< Loop iterations. */
	uint64_t busy_iterations; /**< Iterations that moved a packet or applied a message. */
	uint64_t busy_cycles;   /**< TSC cycles of iterations that moved packets. */
	uint64_t idle_cycles;   /**< TSC cycles of iterations that found nothing to do. */
	uint64_t sleeps;        /**< Adaptive polling: sleeps between empty iterations. */
	uint64_t sleep_cycles;  /**< TSC cycles spent in those sleeps (part of idle_cycles). */
	uint64_t rtcp_reports;  /**< SR/RR generated for transcoded streams. */
	uint64_t rtcp_terminated; /**< RTCP of transcoded streams consumed (not relayed). */
	uint64_t streams_continued; /**< Re-offers that changed a direction's handling (another
				     *   transcoder, transcoding <-> relaying) and whose
				     *   outgoing stream went on (same SSRC, RFC 7160). */
	uint64_t captured;      /**< Packets copied to the capture ring. */
	uint64_t capture_lost;  /**< Copies lost (no mbuf or ring full). */
	uint64_t punt_share_full[WRTC_PUNT_CLASS_MAX]; /**< Punts refused: class share in use. */
	uint64_t drops[WRTC_DROP_MAX]; /**< Per drop reason. */
};

/** One worker's context; only that worker writes it (except the rings). */
struct wrtc_lcore {
	uint16_t id;                    /**< Worker index (0-based). */
	unsigned int lcore_id;          /**< EAL lcore it runs on. */
	struct wrtc_dataplane *dp;      /**< Shared, read-only. */
	struct wrtc_flow_table *flows;  /**< Local port -> stream. */
	struct rte_ring *ctrl;          /**< Control -> worker messages (SP/SC). */
	struct rte_ring *reply;         /**< Worker -> control applied messages (SP/SC). */
	struct rte_ring *punt;          /**< Worker -> control slow-path packets (SP/SC). */
	struct rte_ring *handoff;       /**< Packets for streams this worker owns (MP/SC). */
	struct rte_ring *punt_handoff;  /**< STUN/DTLS for local ports this worker owns, from
					 *   other workers' queues (software steering), to be
					 *   policed here with this worker's pair and candidate
					 *   tables (MP/SC); apart from media hand-offs, so a
					 *   flood cannot fill the media ring. */
	struct rte_ring *ctrl_tx;       /**< Control packets to send for it (SP/SC), when
					 *   the port has no control TX queue. */
	struct rte_ring *capture;       /**< Copies of captured packets for the control lcore
					 *   (SP/SC); mbuf hash.usr = low 32 bits of the stream id. */
	uint64_t tsc_per_us;            /**< TSC ticks per microsecond. */
	/* Policers: this worker's instances, created by the control lcore before
	 * launch; the worker alone admits packets and changes their tables. */
	struct wrtc_policer *pol_link[WRTC_FLOW_MAX_IFACES]; /**< Link data rate per iface. */
	struct wrtc_policer *pol_stun;  /**< STUN before punting, or NULL. */
	struct wrtc_policer *pol_dtls;  /**< DTLS before punting, or NULL. */
	struct wrtc_policer *pol_arp;   /**< ARP before punting, or NULL. */
	struct wrtc_policer *pol_nd;    /**< ND before punting, or NULL. */
	struct wrtc_policer *pol_icmp;  /**< ICMP echo before punting, or NULL. */
	/* Punt ring shares: packets of a class in flight are punt_enq[c] -
	 * punt_ret.taken[c] (modulo 2^32). */
	uint32_t punt_enq[WRTC_PUNT_CLASS_MAX]; /**< Worker: punted per class. */
	struct wrtc_stream **reporters; /**< Streams that get generated RTCP (transcoded). */
	uint32_t nb_reporters;
	uint32_t max_reporters;
	uint64_t next_housekeeping;     /**< TSC of the next report scan. */
	uint32_t rnd;                   /**< Report interval jitter (LCG). */
	uint64_t poll_tsc;              /**< TSC at the end of the last iteration (0: none). */
	uint32_t idle_max_us;           /**< Adaptive polling: longest sleep; 0 = busy poll.
					 *   Set before launch (workers.idle). */
	uint32_t idle_sleep_us;         /**< Current sleep of the empty run. */
	uint32_t idle_run;              /**< Consecutive empty iterations. */
	int wake_fd;                    /**< eventfd an adaptive sleep waits on, so that a
					 *   control message ends it (-1: plain sleep). */
	uint32_t sleeping;              /**< Worker: 1 while in an adaptive sleep (atomic). */
	struct wrtc_worker_stats st;    /**< Counters. */
	/** Written by the control lcore only (wrtc_worker_punt_take(), release
	 *  stores); the worker reads it with acquire loads. */
	struct {
		uint32_t taken[WRTC_PUNT_CLASS_MAX]; /**< Punted packets taken per class. */
	} punt_ret __rte_cache_aligned;
} __rte_cache_aligned;

/**
 * Create a worker context and its rings on @p socket.
 * @return the context, or NULL with rte_errno set.
 */
struct wrtc_lcore *wrtc_worker_create(struct wrtc_dataplane *dp, uint16_t id, int socket);

/** Free a worker context, its rings and table (not the streams); NULL is fine. */
void wrtc_worker_free(struct wrtc_lcore *w);

/**
 * Take up to @p max punted packets of worker @p w (control lcore only) and
 * give their shares of the punt ring back to the worker.
 *
 * @return the number of packets stored in @p pkts (the caller frees them).
 */
unsigned int wrtc_worker_punt_take(struct wrtc_lcore *w, struct rte_mbuf **pkts,
				   unsigned int max);

/**
 * Adaptive polling, called by the worker loop after each iteration with
 * what it moved: after a run of empty iterations, sleep (1 us doubling up to
 * w->idle_max_us); any work ends the run. Does nothing when idle_max_us is 0.
 * The sleep waits on w->wake_fd: a message the control lcore posts (or a
 * control frame it queues) meanwhile ends it at once.
 */
void
wrtc_worker_idle(struct wrtc_lcore *w, unsigned int moved);

/** Per-thread set-up of adaptive polling (timer slack); on the worker's lcore. */
void
wrtc_worker_idle_init(struct wrtc_lcore *w);

/**
 * @name Control lcore API
 * What the control lcore (lib/session) uses of a worker; it touches no
 * field of struct wrtc_lcore. Each ring has one producer and one consumer.
 * @{
 */

/** Messages of lib/worker itself (struct wrtc_worker_msg). */
enum wrtc_worker_msg_type {
	WRTC_WORKER_MSG_FLOW,         /**< A flow table message (@c flow). */
	WRTC_WORKER_MSG_SOURCE_ADD,   /**< Add @c src to the STUN/DTLS policers' priority
				       *   tables (a signalled candidate). */
	WRTC_WORKER_MSG_SOURCE_DEL,   /**< Remove @c src again. */
	WRTC_WORKER_MSG_POLICER_RATE, /**< New bucket and rates for one of the worker's
				       *   policers (@c pol). */
};

/**
 * One control message; allocated and freed by the control lcore. The ring
 * carries &msg->flow; a message of lib/worker has flow.type
 * WRTC_FLOW_MSG_OWNER, and its result comes back in flow.result.
 */
struct wrtc_worker_msg {
	struct wrtc_flow_msg flow;      /**< Flow message, sequence number, result. */
	enum wrtc_worker_msg_type type;
	struct {
		uint8_t family;         /**< AF_INET or AF_INET6. */
		uint8_t bytes[16];      /**< Address, network order. */
		uint8_t cand_type;      /**< enum wrtc_policer_cand. */
	} src;                  /**< SOURCE_ADD / SOURCE_DEL. */
	struct {
		struct wrtc_policer *p; /**< One of the worker's policer instances. */
		uint64_t bucket;        /**< New bucket size. */
		uint64_t rate;          /**< New ordinary rate. */
		uint64_t priority_rate; /**< New priority rate (0 if it has none). */
		uint64_t priority_bucket; /**< New priority bucket (0 = bucket). */
		uint64_t pair_rate;     /**< New selected-pair rate (0: unchanged). */
		uint64_t pair_bucket;   /**< New selected-pair bucket (0 = bucket). */
	} pol;                  /**< POLICER_RATE. */
};

/** @return the worker message a flow message of the control ring is part of. */
static inline struct wrtc_worker_msg *
wrtc_worker_msg_of(struct wrtc_flow_msg *m)
{
	return container_of(m, struct wrtc_worker_msg, flow);
}

/** @return 0 when @p m is in worker @p w's control ring, -ENOBUFS when it is full. */
int wrtc_worker_post(struct wrtc_lcore *w, struct wrtc_worker_msg *m);

/** @return messages in flight to @p w: in its control ring or its reply ring. */
unsigned int wrtc_worker_in_flight(const struct wrtc_lcore *w);

/** @return how many messages may be in flight to @p w (its reply ring's capacity). */
unsigned int wrtc_worker_msg_capacity(const struct wrtc_lcore *w);

/** Take up to @p max applied messages of @p w. @return the number stored in @p msgs. */
unsigned int wrtc_worker_replies_take(struct wrtc_lcore *w, struct wrtc_worker_msg **msgs,
				      unsigned int max);

/**
 * Take up to @p max capture copies of @p w (hash.usr: low 32 bits of the
 * stream id). @return the number stored in @p pkts (the caller frees them).
 */
unsigned int wrtc_worker_capture_take(struct wrtc_lcore *w, struct rte_mbuf **pkts,
				      unsigned int max);

/**
 * Queue frame @p m for worker @p w to send on port m->port (used when a port
 * has no control TX queue). @return 0, or -ENOBUFS (the caller keeps @p m).
 */
int wrtc_worker_ctrl_tx(struct wrtc_lcore *w, struct rte_mbuf *m);

/** The policers a worker runs. */
enum wrtc_worker_policer {
	WRTC_WORKER_POL_LINK, /**< Link data rate of an interface. */
	WRTC_WORKER_POL_STUN, /**< STUN before punting. */
	WRTC_WORKER_POL_DTLS, /**< DTLS before punting. */
	WRTC_WORKER_POL_ARP,  /**< ARP before punting. */
	WRTC_WORKER_POL_ND,   /**< ND before punting. */
	WRTC_WORKER_POL_ICMP, /**< ICMP echo before punting. */
};

/**
 * Install @p p as worker @p w's policer of kind @p kind, for interface
 * @p iface (WRTC_WORKER_POL_LINK; -1: every interface) where none is
 * installed yet: the first of a kind wins. Before the worker is launched.
 */
void wrtc_worker_policer_install(struct wrtc_lcore *w, enum wrtc_worker_policer kind, int iface,
				 struct wrtc_policer *p);

/** @return @p w's counters (each written by the worker, read relaxed). */
static inline const struct wrtc_worker_stats *
wrtc_worker_stats(const struct wrtc_lcore *w)
{
	return &w->st;
}

/** @return the streams installed in @p w's flow table (read relaxed). */
uint32_t wrtc_worker_nb_streams(const struct wrtc_lcore *w);

/** @} */

/** The worker loop; pass to rte_eal_remote_launch() with the context. Returns 0. */
int wrtc_worker_main(void *arg);

/**
 * Run one iteration of the loop (apply messages, poll, process, transmit).
 * Used by wrtc_worker_main() and by tests that drive a worker by hand.
 * @return number of packets moved plus control messages applied (0: idle).
 */
unsigned int wrtc_worker_poll_once(struct wrtc_lcore *w);

/**
 * Process a burst of received frames (as if from RX queue of @p iface).
 * Exposed for tests and benchmarks; frees or sends every mbuf.
 */
void wrtc_worker_process(struct wrtc_lcore *w, struct rte_mbuf **pkts, uint16_t n);

#endif
