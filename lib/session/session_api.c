/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The front-end-neutral call functions of wrtc_session.h. JSON-RPC
 * (session_rpc.c) and ng (lib/ng) only translate their requests into these
 * calls and the -errno results into their own error shapes (docs/rpc.md,
 * docs/ng.md), so both drive calls through one code path.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "session_priv.h"

const struct wrtc_config *
wrtc_session_config(const struct wrtc_session_mgr *mgr)
{
	return mgr->cfg;
}

bool
wrtc_session_call_exists(struct wrtc_session_mgr *mgr, const char *call_id)
{
	return call_find(mgr, call_id) != NULL;
}

int
wrtc_session_offer(struct wrtc_session_mgr *mgr, const struct wrtc_session_offer_prm *prm,
		   char **out, char *err, size_t errlen)
{
	struct wrtc_call *call;
	bool created = false;
	unsigned int a = 0;
	int rc;

	*out = NULL;
	err[0] = '\0';
	for (unsigned int l = 0; l < 2; l++)
		if (prm->tg[l] < 0 || (unsigned int)prm->tg[l] >= mgr->cfg->n_trunk_groups) {
			snprintf(err, errlen, "%s: no such trunk group",
				 l == 0 ? "ingress" : "egress");
			return -EINVAL;
		}
	call = call_find(mgr, prm->call_id);
	if (call == NULL) {
		if (mgr->cfg->control.max_calls != 0 &&
		    mgr->n_calls >= mgr->cfg->control.max_calls) {
			snprintf(err, errlen, "call_id: %u calls already (control.max_calls)",
				 mgr->n_calls);
			return -EBUSY;
		}
		call = call_create(mgr, prm->call_id, prm->from_tag, prm->tg[0], prm->tg[1]);
		if (call == NULL) {
			rc = errno == ENOMEM ? -ENOMEM : -EIO;
			snprintf(err, errlen, "call_id: cannot create the call: %s", strerror(-rc));
			return rc;
		}
		created = true;
		if (prm->calling != NULL)
			snprintf(call->calling, sizeof(call->calling), "%s", prm->calling);
		if (prm->called != NULL)
			snprintf(call->called, sizeof(call->called), "%s", prm->called);
		for (unsigned int l = 0; l < 2; l++) {
			if (prm->profile[l] == NULL)
				continue;
			rc = call_profile_apply(mgr, call, l, prm->profile[l], err, errlen);
			if (rc != 0)
				goto fail;
		}
	} else if (call->removing) {
		snprintf(err, errlen, "call_id: \"%s\" is being removed (worker %u is behind): retry",
			 prm->call_id, call->worker);
		return -EAGAIN;
	} else if (strcmp(call->leg[0].tag, prm->from_tag) == 0) {
		a = 0;
	} else if (strcmp(call->leg[1].tag, prm->from_tag) == 0) {
		a = 1;  /* re-INVITE from the side that answered */
	} else {
		snprintf(err, errlen, "from_tag: \"%s\" is neither leg of call \"%s\"",
			 prm->from_tag, prm->call_id);
		return -EINVAL;
	}
	rc = call_offer(mgr, call, a, prm->sdp, prm->sdp_len, prm->ice_restart && !created, out,
			err, errlen);
	if (rc != 0)
		goto fail;
	SESS_LOG(INFO, "[%s] offer from %s: %u m-line(s)", prm->call_id, prm->from_tag,
		 call->n_media);
	ha_mark(mgr, call);
	return 0;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "%s", strerror(-rc));
	/* call_offer() released what it opened; a call made for this offer goes
	 * entirely (if the worker is slow to confirm, the timer finishes it). */
	if (created && call_destroy(mgr, call, NULL, SESS_RPC_WAIT_US) != 0)
		CALL_LOG(WARNING, call, "failed offer: call removed once worker %u caught up",
			 call->worker);
	return rc;
}

int
wrtc_session_answer(struct wrtc_session_mgr *mgr, const char *call_id, const char *from_tag,
		    const char *to_tag, const char *sdp, size_t sdp_len, char **out, char *err,
		    size_t errlen)
{
	struct wrtc_call *call;
	unsigned int b;
	int rc;

	*out = NULL;
	err[0] = '\0';
	call = call_find(mgr, call_id);
	if (call == NULL) {
		snprintf(err, errlen, "call_id: no call \"%s\"", call_id);
		return -ENOENT;
	}
	if (call->removing) {
		snprintf(err, errlen, "call_id: call \"%s\" is being removed", call_id);
		return -ENOENT;
	}
	b = 1 - call->offerer;
	if (strcmp(call->leg[call->offerer].tag, from_tag) != 0 &&
	    strcmp(call->leg[call->offerer].tag, to_tag) != 0) {
		snprintf(err, errlen,
			 "from_tag: \"%s\" did not send the pending offer of call \"%s\"",
			 from_tag, call_id);
		return -EINVAL;
	}
	if (call->leg[b].tag[0] == '\0')
		snprintf(call->leg[b].tag, sizeof(call->leg[b].tag), "%s", to_tag);
	rc = call_answer(mgr, call, sdp, sdp_len, out, err, errlen);
	if (rc != 0) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s", strerror(-rc));
		return rc;
	}
	SESS_LOG(INFO, "[%s] answer from %s", call_id, call->leg[b].tag);
	ha_mark(mgr, call);
	return 0;
}

int
wrtc_session_delete(struct wrtc_session_mgr *mgr, const char *call_id, const char *from_tag,
		    json_t **final, char *err, size_t errlen)
{
	struct wrtc_call *call;
	int rc;

	*final = NULL;
	err[0] = '\0';
	call = call_find(mgr, call_id);
	if (call == NULL) {
		snprintf(err, errlen, "call_id: no call \"%s\"", call_id);
		return -ENOENT;
	}
	if (from_tag != NULL && strcmp(call->leg[0].tag, from_tag) != 0 &&
	    strcmp(call->leg[1].tag, from_tag) != 0) {
		snprintf(err, errlen, "from_tag: \"%s\" is neither leg of call \"%s\"", from_tag,
			 call_id);
		return -EINVAL;
	}
	/* The summary line is logged when the call is freed, now or, if the
	 * worker is behind, by the timer that finishes the removal. */
	call->end_reason = "delete";
	rc = call_destroy(mgr, call, final, SESS_RPC_WAIT_US);
	if (rc != 0) {
		snprintf(err, errlen, "call_id: worker %u has not released the streams yet (%s): "
			 "retry", call->worker, strerror(-rc));
		return rc;
	}
	SESS_LOG(INFO, "[%s] deleted", call_id);
	return 0;
}

int
wrtc_session_query(struct wrtc_session_mgr *mgr, const char *call_id, json_t **status,
		   char *err, size_t errlen)
{
	struct wrtc_call *call = call_find(mgr, call_id);

	*status = NULL;
	err[0] = '\0';
	if (call == NULL) {
		snprintf(err, errlen, "call_id: no call \"%s\"", call_id);
		return -ENOENT;
	}
	*status = call_status(mgr, call, false);
	if (*status != NULL && mgr->ha != NULL &&
	    json_object_set_new(*status, "ha", ha_call_status(mgr, call)) != 0) {
		json_decref(*status);
		*status = NULL;
	}
	if (*status == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

json_t *
wrtc_session_list(struct wrtc_session_mgr *mgr, unsigned int limit)
{
	json_t *calls = json_array();
	struct wrtc_call *call;
	uint64_t now = rte_rdtsc();
	unsigned int n = 0;

	if (calls == NULL)
		return NULL;
	TAILQ_FOREACH(call, &mgr->calls, next) {
		if (limit != 0 && n++ >= limit)
			break;
		json_array_append_new(calls, json_pack("{s:s, s:s, s:f, s:s, s:s, s:i}",
			"call_id", call->id,
			"state", call->state == CALL_ANSWERED ? "answered" : "offered",
			"duration", (double)(now - call->created_tsc) / (double)mgr->hz,
			"from_tag", call->leg[0].tag, "to_tag", call->leg[1].tag,
			"streams", call->n_media));
	}
	return json_pack("{s:o}", "calls", calls);
}

int
wrtc_session_trickle(struct wrtc_session_mgr *mgr, const char *call_id, const char *tag,
		     const char *frag, size_t len, unsigned int *added, char *err, size_t errlen)
{
	static const char head[] = "v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
				   "t=0 0\r\n";
	static const char mline[] = "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n";
	struct wrtc_call *call = call_find(mgr, call_id);
	struct wrtc_sdp *sdp = NULL;
	bool has_m = len >= 2 && (memcmp(frag, "m=", 2) == 0 || memmem(frag, len, "\nm=", 3));
	unsigned int l, bad = 0;
	char *text;
	size_t n;
	int rc = 0;

	*added = 0;
	err[0] = '\0';
	if (call == NULL) {
		snprintf(err, errlen, "call_id: no call \"%s\"", call_id);
		return -ENOENT;
	}
	if (call->removing) {
		snprintf(err, errlen, "call_id: call \"%s\" is being removed", call_id);
		return -ENOENT;
	}
	if (strcmp(call->leg[0].tag, tag) == 0) {
		l = 0;
	} else if (call->leg[1].tag[0] != '\0' && strcmp(call->leg[1].tag, tag) == 0) {
		l = 1;
	} else {
		snprintf(err, errlen, "from_tag: \"%s\" is neither leg of call \"%s\"", tag,
			 call_id);
		return -EINVAL;
	}
	/* A fragment is not an SDP: give it the lines the parser needs, and an
	 * m-line when it has none (its candidates are then the first m-line's). */
	text = malloc(sizeof(head) + sizeof(mline) + len);
	if (text == NULL)
		return -ENOMEM;
	n = sizeof(head) - 1;
	memcpy(text, head, n);
	if (!has_m) {
		memcpy(text + n, mline, sizeof(mline) - 1);
		n += sizeof(mline) - 1;
	}
	memcpy(text + n, frag, len);
	n += len;
	rc = wrtc_sdp_parse(text, n, &sdp, err, errlen);
	free(text);
	if (rc != 0)
		return -EINVAL;
	for (unsigned int i = 0; i < sdp->n_media; i++) {
		const struct wrtc_sdp_media *m = &sdp->media[i];
		const struct wrtc_sdp *known = call->leg[l].sdp;
		struct wrtc_sdp_ice ice = wrtc_sdp_media_ice(sdp, i);
		unsigned int idx = i;
		int k;

		/* By a=mid when the fragment and the leg's SDP have mids, else by order. */
		if (m->mid[0] != '\0' && known != NULL)
			for (unsigned int j = 0; j < known->n_media; j++)
				if (strcmp(known->media[j].mid, m->mid) == 0)
					idx = j;
		if (idx >= call->n_media || !call->media[idx].active)
			continue;
		k = webrtc_leg_trickle(mgr, call, &call->media[idx].leg[l], m, ice.ufrag);
		if (k < 0) {
			rc = k;
			bad++;
			continue;
		}
		*added += (unsigned int)k;
	}
	wrtc_sdp_free(sdp);
	if (bad != 0 && *added == 0) {
		snprintf(err, errlen, "%s", rc == -ESTALE ? "candidates of another ICE generation" :
			 rc == -ENOTSUP ? "that side of the call has no ICE" : strerror(-rc));
		return rc;
	}
	return 0;
}

/*
 * A refused offer, answer or delete is logged once, with the call-id and the
 * reason the client got, whichever front end refused it. The lines are rate
 * limited (a token bucket of REJECT_LOG_BURST lines refilled at
 * REJECT_LOG_RATE a second), and the next line that gets through says how
 * many were left out (docs/deployment.md, "Logs").
 */
enum { REJECT_LOG_RATE = 10, REJECT_LOG_BURST = 50 };

void
session_log_reject(struct wrtc_session_mgr *mgr, unsigned int kind, const char *call_id,
		   const char *reason, int code)
{
	static const char *const names[] = {"offer", "answer", "delete"};
	struct reject_log *rl = &mgr->reject_log;
	uint64_t now = rte_rdtsc();
	char more[96] = "";

	if (kind >= RTE_DIM(names))
		return;
	mgr->st.rejected[kind]++;
	if (rl->last_tsc == 0)
		rl->tokens = REJECT_LOG_BURST;
	else if (mgr->hz != 0)
		rl->tokens = RTE_MIN((uint64_t)REJECT_LOG_BURST,
				     rl->tokens + (now - rl->last_tsc) * REJECT_LOG_RATE / mgr->hz);
	if (rl->tokens == 0) {
		rl->suppressed++;
		return;
	}
	rl->last_tsc = now;
	rl->tokens--;
	if (rl->suppressed != 0)
		snprintf(more, sizeof(more), " (%" PRIu64 " rejections not logged before this one)",
			 rl->suppressed);
	SESS_LOG(WARNING, "[%.128s] %s rejected: %s (%d)%s", call_id != NULL ? call_id : "-",
		 names[kind], reason != NULL ? reason : "?", code, more);
	rl->suppressed = 0;
}

json_t *
wrtc_session_policers(struct wrtc_session_mgr *mgr)
{
	if (mgr->n_pols == 0)
		return json_pack("{s:[]}", "policers");
	return wrtc_policer_table_json(mgr->pols, mgr->n_pols, mgr->dp->nb_workers);
}
