/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Prometheus metrics (docs/deployment.md, "Metrics"). The endpoint is
 * polled from the control lcore's loop, so this renderer runs there and
 * reads the session state directly; worker counters are read the way the
 * statistics method reads them (each written by one worker, read relaxed).
 * A scrape costs one pass over the calls (for the transcoder gauge), not one
 * per poll.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_version.h>

#include "session_priv.h"
#include "wrtc_build_config.h"

#define C WRTC_METRICS_COUNTER
#define G WRTC_METRICS_GAUGE

static void
one(struct wrtc_metrics_buf *b, const char *name, enum wrtc_metrics_type t, const char *help,
    uint64_t v)
{
	wrtc_metrics_family(b, name, t, help);
	wrtc_metrics_u64(b, name, NULL, 0, v);
}

/* Per-worker families: one sample per worker, label worker="N". */
static void
per_worker(struct wrtc_metrics_buf *b, struct wrtc_session_mgr *mgr, const char *name,
	   enum wrtc_metrics_type t, const char *help, size_t off)
{
	wrtc_metrics_family(b, name, t, help);
	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		char id[8];
		const char *l[] = {"worker", id};
		const uint8_t *st = (const uint8_t *)wrtc_worker_stats(mgr->dp->workers[w]);

		snprintf(id, sizeof(id), "%u", w);
		wrtc_metrics_u64(b, name, l, 1, *(const uint64_t *)(st + off));
	}
}

#define WST(f) offsetof(struct wrtc_worker_stats, f)

static void
workers(struct wrtc_metrics_buf *b, struct wrtc_session_mgr *mgr)
{
	uint64_t drops[WRTC_DROP_MAX] = {0};

	per_worker(b, mgr, "wrtcgw_rx_packets_total", C, "Frames received from the RX queues.",
		   WST(rx_pkts));
	per_worker(b, mgr, "wrtcgw_tx_packets_total", C, "Frames transmitted.", WST(tx_pkts));
	per_worker(b, mgr, "wrtcgw_relayed_packets_total", C, "Media packets sent on.",
		   WST(relayed));
	per_worker(b, mgr, "wrtcgw_punted_packets_total", C,
		   "Packets passed to the control lcore (STUN, DTLS, ARP, ND, ICMP).", WST(punted));
	per_worker(b, mgr, "wrtcgw_handoff_packets_total", C,
		   "Packets handed to the worker that owns their stream.", WST(handoff_out));
	per_worker(b, mgr, "wrtcgw_captured_packets_total", C,
		   "Packets copied for per-call capture.", WST(captured));
	per_worker(b, mgr, "wrtcgw_worker_busy_cycles_total", C,
		   "TSC cycles of worker loop iterations that moved packets.", WST(busy_cycles));
	per_worker(b, mgr, "wrtcgw_worker_idle_cycles_total", C,
		   "TSC cycles of worker loop iterations that found nothing to do.",
		   WST(idle_cycles));
	per_worker(b, mgr, "wrtcgw_worker_sleep_cycles_total", C,
		   "TSC cycles workers slept between empty iterations (adaptive polling).",
		   WST(sleep_cycles));
	per_worker(b, mgr, "wrtcgw_worker_iterations_total", C, "Worker loop iterations.",
		   WST(iterations));
	one(b, "wrtcgw_tsc_hz", G, "TSC cycles per second (to turn cycle counters into time).",
	    mgr->hz);

	wrtc_metrics_family(b, "wrtcgw_streams", G, "Streams (local ports) in a worker's table.");
	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		char id[8];
		const char *l[] = {"worker", id};

		snprintf(id, sizeof(id), "%u", w);
		wrtc_metrics_u64(b, "wrtcgw_streams", l, 1,
				 wrtc_worker_nb_streams(mgr->dp->workers[w]));
	}

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++)
		for (unsigned int r = 1; r < WRTC_DROP_MAX; r++)
			drops[r] += wrtc_worker_stats(mgr->dp->workers[w])->drops[r];
	wrtc_metrics_family(b, "wrtcgw_drops_total", C,
			    "Packets dropped by the workers, by reason (lib/net/wrtc_drop.h).");
	for (unsigned int r = 1; r < WRTC_DROP_MAX; r++) {
		const char *l[] = {"reason", wrtc_drop_name(r)};

		wrtc_metrics_u64(b, "wrtcgw_drops_total", l, 1, drops[r]);
	}
}

/* NIC-level counters of each interface's DPDK port (rte_eth_stats_get). */
static void
ports(struct wrtc_metrics_buf *b, struct wrtc_session_mgr *mgr)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} f[] = {
		{"wrtcgw_port_rx_packets_total", "Packets the port received.",
		 offsetof(struct rte_eth_stats, ipackets)},
		{"wrtcgw_port_tx_packets_total", "Packets the port sent.",
		 offsetof(struct rte_eth_stats, opackets)},
		{"wrtcgw_port_rx_bytes_total", "Bytes the port received.",
		 offsetof(struct rte_eth_stats, ibytes)},
		{"wrtcgw_port_tx_bytes_total", "Bytes the port sent.",
		 offsetof(struct rte_eth_stats, obytes)},
		{"wrtcgw_port_rx_missed_total",
		 "Packets the NIC dropped because the RX queues were full (imissed).",
		 offsetof(struct rte_eth_stats, imissed)},
		{"wrtcgw_port_rx_errors_total", "Erroneous received packets (ierrors).",
		 offsetof(struct rte_eth_stats, ierrors)},
		{"wrtcgw_port_tx_errors_total", "Failed transmissions (oerrors).",
		 offsetof(struct rte_eth_stats, oerrors)},
		{"wrtcgw_port_rx_nombuf_total", "RX mbuf allocation failures (rx_nombuf).",
		 offsetof(struct rte_eth_stats, rx_nombuf)},
	};
	struct rte_eth_stats st[WRTC_FLOW_MAX_IFACES];
	bool ok[WRTC_FLOW_MAX_IFACES];

	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++)
		ok[i] = rte_eth_stats_get(mgr->dp->port[i].port_id, &st[i]) == 0;
	for (unsigned int k = 0; k < RTE_DIM(f); k++) {
		wrtc_metrics_family(b, f[k].name, C, f[k].help);
		for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
			const char *l[] = {"interface", mgr->cfg->interfaces[i].name,
					   "device", mgr->dp->port[i].name};

			if (ok[i])
				wrtc_metrics_u64(b, f[k].name, l, 2,
						 *(const uint64_t *)((const uint8_t *)&st[i] +
								     f[k].off));
		}
	}
	wrtc_metrics_family(b, "wrtcgw_media_ports_in_use", G, "Media UDP ports allocated.");
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		const char *l[] = {"interface", mgr->cfg->interfaces[i].name};

		wrtc_metrics_u64(b, "wrtcgw_media_ports_in_use", l, 1,
				 (uint64_t)mgr->pools[i].in_use * 2);
	}
	wrtc_metrics_family(b, "wrtcgw_media_ports_capacity", G,
			    "Media UDP ports in the interface's range.");
	for (uint16_t i = 0; i < mgr->dp->nb_ifaces; i++) {
		const char *l[] = {"interface", mgr->cfg->interfaces[i].name};

		wrtc_metrics_u64(b, "wrtcgw_media_ports_capacity", l, 1,
				 (uint64_t)mgr->pools[i].n_pairs * 2);
	}
}

/*
 * The policer table, generically: whatever integer columns the `policers`
 * method returns become families; columns that count packets (accepted,
 * discarded and their variants) are counters, the others (bucket, rate,
 * sources...) gauges. Rows are labelled by name, type and mode.
 */
static void
policers(struct wrtc_metrics_buf *b, struct wrtc_session_mgr *mgr)
{
	json_t *t = wrtc_session_policers(mgr), *rows, *row, *cols = json_array(), *v, *c;
	const char *key;
	size_t i, j;

	rows = json_object_get(t, "policers");
	json_array_foreach(rows, i, row)
		json_object_foreach(row, key, v) {
			bool seen = false;

			if (!json_is_integer(v) || strcmp(key, "id") == 0)
				continue;
			json_array_foreach(cols, j, c)
				seen = seen || strcmp(json_string_value(c), key) == 0;
			if (!seen)
				json_array_append_new(cols, json_string(key));
		}
	json_array_foreach(cols, j, c) {
		bool counter = strstr(json_string_value(c), "accepted") != NULL ||
			       strstr(json_string_value(c), "discarded") != NULL;
		char name[96], col[64], help[160];

		snprintf(col, sizeof(col), "%s", json_string_value(c));
		if (!wrtc_metrics_sanitize(col))
			continue;
		size_t cl = strlen(col);
		/* _bucket, _count and _sum are histogram/summary suffixes in Prometheus. */
		bool reserved = (cl >= 6 && strcmp(col + cl - 6, "bucket") == 0) ||
				(cl >= 5 && strcmp(col + cl - 5, "count") == 0) ||
				(cl >= 3 && strcmp(col + cl - 3, "sum") == 0);

		snprintf(name, sizeof(name), "wrtcgw_policer_%s%s", col,
			 counter ? "_total" : reserved ? "_size" : "");
		snprintf(help, sizeof(help), "Policer column \"%s\" of the policers method%s.",
			 json_string_value(c), counter ? " (packets)" : "");
		wrtc_metrics_family(b, name, counter ? C : G, help);
		json_array_foreach(rows, i, row) {
			json_t *x = json_object_get(row, json_string_value(c));
			const char *l[] = {
				"policer", json_string_value(json_object_get(row, "name")),
				"type", json_string_value(json_object_get(row, "type")),
				"mode", json_string_value(json_object_get(row, "mode")),
			};

			if (json_is_integer(x) && json_integer_value(x) >= 0)
				wrtc_metrics_u64(b, name, l, 3, (uint64_t)json_integer_value(x));
		}
	}
	json_decref(cols);
	json_decref(t);
}

int
metrics_render(struct wrtc_metrics_buf *b, void *ctx)
{
	struct wrtc_session_mgr *mgr = ctx;
	const struct sess_stats *s = &mgr->st;
	uint64_t xcoders = 0, answered = 0;
	struct wrtc_call *call;

	TAILQ_FOREACH(call, &mgr->calls, next) {
		answered += call->state == CALL_ANSWERED;
		for (unsigned int i = 0; i < call->n_media; i++)
			for (unsigned int l = 0; l < 2; l++)
				xcoders += call->media[i].leg[l].xcoder != NULL;
	}
	wrtc_metrics_family(b, "wrtcgw_build_info", G, "Version of the gateway (value 1).");
	wrtc_metrics_u64(b, "wrtcgw_build_info",
			 (const char *[]){"version", WRTC_VERSION, "dpdk", rte_version()}, 2, 1);
	one(b, "wrtcgw_uptime_seconds", G, "Seconds since the gateway started.",
	    (uint64_t)(time(NULL) - mgr->started));
	wrtc_metrics_family(b, "wrtcgw_calls", G, "Calls present, by state.");
	wrtc_metrics_u64(b, "wrtcgw_calls", (const char *[]){"state", "offered"}, 1,
			 mgr->n_calls - answered);
	wrtc_metrics_u64(b, "wrtcgw_calls", (const char *[]){"state", "answered"}, 1, answered);
	one(b, "wrtcgw_calls_created_total", C, "Calls created by an offer.", s->calls_created);
	one(b, "wrtcgw_calls_deleted_total", C, "Calls removed (delete, timeout, failed offer).",
	    s->calls_deleted);
	one(b, "wrtcgw_calls_timed_out_total", C, "Calls removed for lack of media.",
	    s->calls_timed_out);
	one(b, "wrtcgw_offers_total", C, "Offers handled.", s->offers);
	one(b, "wrtcgw_answers_total", C, "Answers handled.", s->answers);
	wrtc_metrics_family(b, "wrtcgw_rejected_requests_total", C,
			    "Offer, answer and delete requests refused with an error.");
	wrtc_metrics_u64(b, "wrtcgw_rejected_requests_total", (const char *[]){"method", "offer"},
			 1, s->rejected[REJ_OFFER]);
	wrtc_metrics_u64(b, "wrtcgw_rejected_requests_total", (const char *[]){"method", "answer"},
			 1, s->rejected[REJ_ANSWER]);
	wrtc_metrics_u64(b, "wrtcgw_rejected_requests_total", (const char *[]){"method", "delete"},
			 1, s->rejected[REJ_DELETE]);
	wrtc_metrics_family(b, "wrtcgw_media_bytes_total", C,
			    "UDP payload bytes of the calls' streams (sampled each second).");
	wrtc_metrics_u64(b, "wrtcgw_media_bytes_total", (const char *[]){"direction", "rx"}, 1,
			 s->media_rx_bytes);
	wrtc_metrics_u64(b, "wrtcgw_media_bytes_total", (const char *[]){"direction", "tx"}, 1,
			 s->media_tx_bytes);
	wrtc_metrics_family(b, "wrtcgw_dtls_handshakes_total", C,
			    "DTLS handshakes, by result.");
	wrtc_metrics_u64(b, "wrtcgw_dtls_handshakes_total", (const char *[]){"result", "ok"}, 1,
			 s->dtls_handshakes);
	wrtc_metrics_u64(b, "wrtcgw_dtls_handshakes_total", (const char *[]){"result", "failed"},
			 1, s->dtls_failures);
	one(b, "wrtcgw_transcoders", G, "Transcoders in use (one per direction of a stream).",
	    xcoders);
	one(b, "wrtcgw_transcoders_created_total", C, "Transcoders created.", s->xcoders_created);
	one(b, "wrtcgw_transcoders_kept_total", C,
	    "Re-answers that kept a stream's transcoder (same codec decision).", s->xcoders_kept);
	wrtc_metrics_family(b, "wrtcgw_slow_path_packets_total", C,
			    "Packets handled by the control lcore, by kind.");
	{
		const struct {
			const char *kind;
			uint64_t v;
		} sp[] = {
			{"arp", s->punt_arp}, {"nd", s->punt_nd}, {"icmp_echo", s->punt_icmp},
			{"stun", s->punt_stun}, {"dtls", s->punt_dtls}, {"other", s->punt_dropped},
		};

		for (unsigned int k = 0; k < RTE_DIM(sp); k++)
			wrtc_metrics_u64(b, "wrtcgw_slow_path_packets_total",
					 (const char *[]){"kind", sp[k].kind}, 1, sp[k].v);
	}
	one(b, "wrtcgw_control_tx_packets_total", C, "Packets the control lcore sent.", s->ctrl_tx);
	one(b, "wrtcgw_control_tx_dropped_total", C, "Packets the control lcore could not send.",
	    s->ctrl_tx_dropped);
	one(b, "wrtcgw_neighbour_requests_total", C, "ARP/ND requests sent.", s->neigh_requests);
	workers(b, mgr);
	ports(b, mgr);
	policers(b, mgr);
	return b->failed ? -ENOMEM : 0;
}

int
wrtc_session_metrics_register(struct wrtc_session_mgr *mgr, struct wrtc_metrics_server *srv)
{
	if (mgr == NULL || srv == NULL)
		return -EINVAL;
	wrtc_metrics_server_set_render(srv, metrics_render, mgr);
	return 0;
}
