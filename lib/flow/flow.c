/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>

#include "wrtc_flow.h"

struct wrtc_flow_table *
wrtc_flow_table_create(unsigned int nb_ifaces, int socket)
{
	struct wrtc_flow_table *t;

	if (nb_ifaces == 0 || nb_ifaces > WRTC_FLOW_MAX_IFACES) {
		rte_errno = EINVAL;
		return NULL;
	}
	t = rte_zmalloc_socket("wrtc_flow_table", sizeof(*t), RTE_CACHE_LINE_SIZE, socket);
	if (t == NULL)
		goto nomem;
	for (unsigned int i = 0; i < nb_ifaces; i++) {
		t->by_port[i] = rte_zmalloc_socket("wrtc_flow_ports", 65536 * sizeof(void *),
						   RTE_CACHE_LINE_SIZE, socket);
		if (t->by_port[i] == NULL)
			goto nomem;
	}
	return t;
nomem:
	wrtc_flow_table_free(t);
	rte_errno = ENOMEM;
	return NULL;
}

void
wrtc_flow_table_free(struct wrtc_flow_table *t)
{
	if (t == NULL)
		return;
	for (unsigned int i = 0; i < WRTC_FLOW_MAX_IFACES; i++)
		rte_free(t->by_port[i]);
	rte_free(t);
}

/*
 * New learning parameters. A restart (the signalled address moved) forgets
 * the fixed remote and the candidate; the address the stream used until now
 * becomes stale, so its late packets cannot be learned again. Without a
 * restart only the parameters change (a later answer reopens the window of a
 * stream that has fixed nothing yet).
 */
static void
apply_learn(struct wrtc_stream *s, const struct wrtc_flow_learn_prm *p)
{
	struct wrtc_flow_learn *l = &s->learn;

	/* A new signalled address always restarts, whatever the sender said. */
	if (p->restart || !wrtc_flow_ep_eq(&p->sig, &l->prm.sig)) {
		if (wrtc_flow_ep_set(&s->remote) && !wrtc_flow_ep_eq(&s->remote, &p->sig))
			l->prev = s->remote;
		else if (wrtc_flow_ep_set(&l->prm.sig) && !wrtc_flow_ep_eq(&l->prm.sig, &p->sig))
			l->prev = l->prm.sig;
		l->state = WRTC_FLOW_LEARN_OPEN;
		memset(&l->cand, 0, sizeof(l->cand));
		l->cand_count = 0;
		l->cand_rank = 0;
		s->remote_verified = false;
		s->c.latched_tsc = 0;
	}
	l->prm = *p;
	l->prm.restart = false;
}

static void
apply_update(struct wrtc_stream *s, const struct wrtc_flow_update *u)
{
	if (u->fields & WRTC_FLOW_UPD_LEARN)
		apply_learn(s, &u->learn);
	if (u->fields & WRTC_FLOW_UPD_REMOTE) {
		/* A learned remote stays until the signalled address moves: a route
		 * to the signalled address resolved later must not undo it. */
		bool keep = u->remote_mode == WRTC_FLOW_REMOTE_LATCH &&
			    s->remote_mode == WRTC_FLOW_REMOTE_LATCH &&
			    s->learn.state == WRTC_FLOW_LEARN_LEARNED;

		s->remote_mode = u->remote_mode;
		if (!keep) {
			s->remote = u->remote;
			s->tmpl = u->tmpl;
			s->tmpl_valid = u->tmpl_valid;
		}
		if (u->remote_mode != WRTC_FLOW_REMOTE_LATCH) {
			s->remote_verified = u->remote_verified;
			s->c.latched_tsc = 0;
		}
		memset(&s->also_from, 0, sizeof(s->also_from));
	}
	if (u->fields & WRTC_FLOW_UPD_ALSO)
		s->also_from = u->also_from;
	if (u->fields & WRTC_FLOW_UPD_OUT) {
		s->out_rtp = u->out_rtp;
		s->out_rtcp = u->out_rtcp;
	}
	if (u->fields & WRTC_FLOW_UPD_STARTED)
		s->started = u->started;
	if (u->fields & WRTC_FLOW_UPD_SRTP) {
		s->srtp_rx = u->srtp_rx;
		s->srtp_tx = u->srtp_tx;
		s->secure_only = u->secure_only;
	}
	if (u->fields & WRTC_FLOW_UPD_MEDIA) {
		s->xcoder = u->xcoder;
		s->pt_remap = u->pt_remap;
		s->drop_rtcp = u->drop_rtcp;
		memcpy(s->pt_map, u->pt_map, sizeof(s->pt_map));
		s->rtp_stream = u->rtp_stream;
		s->rtcp_out = u->rtcp_out;
	}
	if (u->fields & WRTC_FLOW_UPD_CAPTURE)
		s->capture = u->capture;
	if (u->fields & WRTC_FLOW_UPD_RELAY)
		s->dtls_relay = u->dtls_relay;
	if (u->fields & WRTC_FLOW_UPD_KEYFRAME)
		s->kf_request = true;
	if (u->fields & WRTC_FLOW_UPD_BUNDLE) {
		s->bundle = u->bundle;
		s->transport = u->transport;
		s->bundle_mline = u->bundle_mline;
		s->bundle_tx_known = false;
	}
}

void
wrtc_flow_msg_apply(struct wrtc_flow_table *t, struct wrtc_flow_msg *msg)
{
	struct wrtc_stream *s = msg->s;
	struct wrtc_stream **slot = NULL;

	msg->result = 0;
	if (msg->type == WRTC_FLOW_MSG_BARRIER || msg->type == WRTC_FLOW_MSG_OWNER)
		return;
	if (s == NULL || s->iface >= WRTC_FLOW_MAX_IFACES || t->by_port[s->iface] == NULL) {
		msg->result = -EINVAL;
		return;
	}
	slot = &t->by_port[s->iface][s->local_port];
	switch (msg->type) {
	case WRTC_FLOW_MSG_INSTALL:
		if (*slot != NULL) {
			msg->result = -EEXIST;
			return;
		}
		*slot = s;
		t->nb_streams++;
		break;
	case WRTC_FLOW_MSG_UPDATE:
		if (*slot != s) {
			msg->result = -ENOENT;
			return;
		}
		apply_update(s, &msg->upd);
		break;
	case WRTC_FLOW_MSG_REMOVE:
		if (*slot != s) {
			msg->result = -ENOENT;
			return;
		}
		*slot = NULL;
		t->nb_streams--;
		break;
	default:
		msg->result = -EINVAL;
		break;
	}
}

const char *
wrtc_flow_latch_name(enum wrtc_flow_latch mode)
{
	switch (mode) {
	case WRTC_FLOW_LATCH_OFF:
		return "off";
	case WRTC_FLOW_LATCH_IMMEDIATE:
		return "immediate";
	case WRTC_FLOW_LATCH_DELAYED:
		return "delayed";
	case WRTC_FLOW_LATCH_HEURISTIC:
		return "heuristic";
	}
	return "?";
}

const char *
wrtc_flow_learn_state_name(enum wrtc_flow_learn_state state)
{
	switch (state) {
	case WRTC_FLOW_LEARN_OPEN:
		return "open";
	case WRTC_FLOW_LEARN_SIGNALLED:
		return "signalled";
	case WRTC_FLOW_LEARN_LEARNED:
		return "learned";
	}
	return "?";
}

const char *
wrtc_flow_ep_str(const struct wrtc_flow_ep *e, char *buf, size_t size)
{
	if (e->ip.family == 0)
		snprintf(buf, size, "-");
	else if (wrtc_net_addr_port_format(&e->ip, e->port, buf, size) < 0)
		snprintf(buf, size, "?");
	return buf;
}
