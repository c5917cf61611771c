/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-call packet capture, started and stopped over JSON-RPC. Workers copy
 * the packets of flagged streams, decrypted, to their capture ring; the
 * control lcore writes them to a pcapng file in the configured capture.dir
 * (docs/configuration.md), off the fast path.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_mbuf.h>

#include "session_priv.h"

/* Tell the worker to copy (or stop copying) the call's packets. A message
 * that cannot be posted degrades the call (session_ctrl.c); the others are
 * still posted. @return 0, or the first post's error. */
static int
set_capture(struct wrtc_session_mgr *mgr, struct wrtc_call *call, bool on)
{
	struct wrtc_flow_update u = {.fields = WRTC_FLOW_UPD_CAPTURE, .capture = on};
	int rc = 0, r;

	for (unsigned int i = 0; i < call->n_media; i++)
		for (unsigned int l = 0; l < 2; l++) {
			struct leg_media *lm = &call->media[i].leg[l];

			if (lm->rtp != NULL) {
				r = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtp, &u);
				rc = rc != 0 ? rc : r;
			}
			if (lm->rtcp != NULL) {
				r = ctrl_post(mgr, call->worker, WRTC_FLOW_MSG_UPDATE, lm->rtcp, &u);
				rc = rc != 0 ? rc : r;
			}
		}
	if (rc != 0)
		CALL_LOG(WARNING, call, "capture %s not given to every stream: %s",
			 on ? "start" : "stop", strerror(-rc));
	return rc;
}

int
capture_start(struct wrtc_session_mgr *mgr, struct wrtc_call *call, char *err, size_t errlen)
{
	const char *dir = mgr->cfg->capture.dir;
	char name[128], comment[SESS_ID_SIZE + 16];
	size_t i;
	int e;

	if (call->capture != NULL)
		return 0;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		e = errno;
		snprintf(err, errlen, "capture: cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	/* The file name comes from the call-id: keep only safe characters. */
	for (i = 0; call->id[i] != '\0' && i + 1 < sizeof(name); i++) {
		char ch = call->id[i];

		name[i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ? ch : '_';
	}
	name[i] = '\0';
	if ((size_t)snprintf(call->capture_file, sizeof(call->capture_file), "%s/%s-%ld.pcapng",
			     dir, name, (long)time(NULL)) >= sizeof(call->capture_file)) {
		snprintf(err, errlen, "capture: file name in %s too long", dir);
		return -ENAMETOOLONG;
	}
	snprintf(comment, sizeof(comment), "call-id %s", call->id);
	call->capture = wrtc_capture_open(call->capture_file, mgr->mp, comment);
	if (call->capture == NULL) {
		snprintf(err, errlen, "capture: cannot create %s: %s", call->capture_file,
			 strerror(errno));
		return -EIO;
	}
	TAILQ_INSERT_TAIL(&mgr->capturing, call, cap_next);
	(void)!set_capture(mgr, call, true); /* logged; the file stays open */
	CALL_LOG(INFO, call, "capture started: %s", call->capture_file);
	return 0;
}

static struct wrtc_call *
call_of_stream(struct wrtc_session_mgr *mgr, uint32_t id)
{
	struct wrtc_call *call;

	/* Only the calls being captured: usually none or one, never every call. */
	TAILQ_FOREACH(call, &mgr->capturing, cap_next) {
		for (unsigned int i = 0; i < call->n_media; i++)
			for (unsigned int l = 0; l < 2; l++) {
				const struct leg_media *lm = &call->media[i].leg[l];

				if ((lm->rtp != NULL && (uint32_t)lm->rtp->id == id) ||
				    (lm->rtcp != NULL && (uint32_t)lm->rtcp->id == id))
					return call;
			}
	}
	return NULL;
}

unsigned int
capture_poll(struct wrtc_session_mgr *mgr)
{
	struct rte_mbuf *pkts[32];
	unsigned int total = 0;
	struct timespec ts;
	uint64_t now;

	for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
		unsigned int n = wrtc_worker_capture_take(mgr->dp->workers[w], pkts,
							RTE_DIM(pkts));

		if (n == 0)
			continue;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		for (unsigned int i = 0; i < n; i++) {
			struct wrtc_call *call = call_of_stream(mgr, pkts[i]->hash.usr);
			uint8_t *p = rte_pktmbuf_mtod(pkts[i], uint8_t *);
			size_t len = rte_pktmbuf_data_len(pkts[i]);

			/* A lost copy is counted by the writer (capture_stop reports it). */
			if (call != NULL && wrtc_capture_fix_lengths(p, len) == 0)
				(void)wrtc_capture_write(call->capture, pkts[i], now);
			rte_pktmbuf_free(pkts[i]);
		}
		total += n;
	}
	return total;
}

int
capture_stop(struct wrtc_session_mgr *mgr, struct wrtc_call *call, uint64_t *packets)
{
	int rc;

	if (call->capture == NULL)
		return 0;
	(void)!set_capture(mgr, call, false); /* logged; the call is degraded */
	/* Once the worker has applied the change, every copy is in the ring. */
	if (ctrl_wait(mgr, call->worker, SESS_RPC_WAIT_US) != 0)
		CALL_LOG(WARNING, call, "capture: worker %u is behind: the last packets may be "
			 "missing from %s", call->worker, call->capture_file);
	capture_poll(mgr);
	CALL_LOG(INFO, call, "capture stopped: %s, %" PRIu64 " packets, %" PRIu64 " lost",
		 call->capture_file, wrtc_capture_packets(call->capture),
		 wrtc_capture_lost(call->capture));
	if (packets != NULL)
		*packets = wrtc_capture_packets(call->capture);
	rc = wrtc_capture_close(call->capture);
	call->capture = NULL;
	TAILQ_REMOVE(&mgr->capturing, call, cap_next);
	return rc;
}
