/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for endpoint learning (lib/flow): the input is a script of
 * control updates (wrtc_flow_msg_apply() with WRTC_FLOW_UPD_LEARN/REMOTE) and
 * packets from a small set of sources, run through wrtc_flow_learn_classify()
 * and wrtc_flow_learn_count() the way the worker does, with a clock that only
 * moves forward. After every step the rules of docs/configuration.md
 * (Endpoint learning) are checked; a violation aborts:
 *  - a fixed stream accepts only its remote, and only a restart changes it;
 *  - a source other than the signalled address is learned only after N of
 *    its packets, inside the window, not in mode off, after the delay where
 *    its rank must wait;
 *  - the address a restart moved away from is never accepted again.
 * No EAL: the flow table is built by hand.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_SRC = 6 };

static struct wrtc_flow_ep srcs[N_SRC];

static void
init_srcs(void)
{
	/* 0: 10.0.0.3:5000, 1: same IP :5002, 2: same IP :6000,
	 * 3: 10.0.0.9:5000 (same port), 4: 10.0.0.9:7000, 5: 10.0.0.10:7002. */
	static const uint8_t last[N_SRC] = {3, 3, 3, 9, 9, 10};
	static const uint16_t port[N_SRC] = {5000, 5002, 6000, 5000, 7000, 7002};

	for (unsigned int i = 0; i < N_SRC; i++) {
		memset(&srcs[i], 0, sizeof(srcs[i]));
		wrtc_net_addr_set_v4(&srcs[i].ip, rte_cpu_to_be_32(0x0a000000u | last[i]));
		srcs[i].port = port[i];
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wrtc_stream **ports;
	struct wrtc_flow_table t;
	struct wrtc_flow_msg msg;
	struct wrtc_stream *s;
	struct wrtc_flow_ep stale = {0};
	unsigned int cnt[N_SRC] = {0};
	uint64_t now = 1000;
	size_t i = 0;

	if (ports == NULL) {
		ports = calloc(65536, sizeof(*ports));
		if (ports == NULL)
			return 0;
		init_srcs();
	}
	s = aligned_alloc(64, sizeof(*s));
	if (s == NULL)
		return 0;
	memset(s, 0, sizeof(*s));
	memset(&t, 0, sizeof(t));
	t.by_port[0] = ports;
	s->local_port = 20000;
	s->remote_mode = WRTC_FLOW_REMOTE_LATCH;
	memset(&msg, 0, sizeof(msg));
	msg.type = WRTC_FLOW_MSG_INSTALL;
	msg.s = s;
	wrtc_flow_msg_apply(&t, &msg);
	if (msg.result != 0)
		abort();

	while (i < size) {
		uint8_t op = data[i++];

		if (op >= 0xe0 && i + 5 <= size) {
			/* A control UPDATE: mode, N, window, delay, signalled source
			 * (or none), restart. */
			struct wrtc_flow_learn_prm *p = &msg.upd.learn;
			struct wrtc_flow_ep before = s->remote;
			struct wrtc_flow_ep old_sig = s->learn.prm.sig;
			unsigned int sig = data[i + 4] % (N_SRC + 1);
			bool restart;

			memset(&msg, 0, sizeof(msg));
			msg.type = WRTC_FLOW_MSG_UPDATE;
			msg.s = s;
			msg.upd.fields = WRTC_FLOW_UPD_LEARN | WRTC_FLOW_UPD_REMOTE;
			msg.upd.remote_mode = WRTC_FLOW_REMOTE_LATCH;
			p->mode = (enum wrtc_flow_latch)(data[i] & 3);
			p->packets = (uint16_t)(1 + data[i + 1] % 8);
			p->window_end_tsc = now + (uint64_t)data[i + 2] * 10;
			p->delay_end_tsc = now + (uint64_t)data[i + 3] * 5;
			p->restart = (op & 1) != 0;
			if (sig < N_SRC)
				p->sig = srcs[sig];
			msg.upd.remote = p->sig;
			i += 5;
			wrtc_flow_msg_apply(&t, &msg);
			if (msg.result != 0)
				abort();
			restart = p->restart || !wrtc_flow_ep_eq(&p->sig, &old_sig);
			if (restart) {
				if (s->learn.state != WRTC_FLOW_LEARN_OPEN)
					abort();
				/* The address the stream used (else the one signalled
				 * before) becomes stale. */
				if (wrtc_flow_ep_set(&before) && !wrtc_flow_ep_eq(&before, &p->sig))
					stale = before;
				else if (wrtc_flow_ep_set(&old_sig) &&
					 !wrtc_flow_ep_eq(&old_sig, &p->sig))
					stale = old_sig;
				memset(cnt, 0, sizeof(cnt));
			} else if (s->learn.state == WRTC_FLOW_LEARN_LEARNED &&
				   !wrtc_flow_ep_eq(&s->remote, &before)) {
				abort();  /* a learned remote changed without a restart */
			}
			continue;
		}
		if (op >= 0xc0) {
			now += (uint64_t)(op & 0x1f) * 7;
			continue;
		}
		/* A packet from source op % N_SRC, as the worker handles it. */
		{
			const struct wrtc_flow_ep *src = &srcs[op % N_SRC];
			enum wrtc_flow_learn_state st = s->learn.state;
			struct wrtc_flow_ep before = s->remote;
			const struct wrtc_flow_learn_prm *p = &s->learn.prm;
			bool is_sig = wrtc_flow_ep_set(&p->sig) && wrtc_flow_ep_eq(src, &p->sig);
			bool accepted = false;
			int v = wrtc_flow_learn_classify(s, src, now);

			cnt[op % N_SRC]++;
			if (v == WRTC_FLOW_SRC_KNOWN) {
				if (st == WRTC_FLOW_LEARN_OPEN || !wrtc_flow_ep_eq(src, &s->remote))
					abort();
				accepted = true;
			} else if (v == WRTC_FLOW_SRC_SIGNALLED) {
				if (st != WRTC_FLOW_LEARN_OPEN || !is_sig)
					abort();
				s->remote = *src;
				s->learn.state = WRTC_FLOW_LEARN_SIGNALLED;
				accepted = true;
			} else if (v == WRTC_FLOW_SRC_CANDIDATE) {
				if (st != WRTC_FLOW_LEARN_OPEN || p->mode == WRTC_FLOW_LATCH_OFF ||
				    now >= p->window_end_tsc)
					abort();
				if (wrtc_flow_learn_count(s, src, now)) {
					uint8_t rank = p->mode == WRTC_FLOW_LATCH_HEURISTIC ?
						       wrtc_flow_learn_rank(&p->sig, src) :
						       WRTC_FLOW_RANK_OTHER;
					bool wait = p->mode == WRTC_FLOW_LATCH_DELAYED ||
						    (p->mode == WRTC_FLOW_LATCH_HEURISTIC &&
						     rank != WRTC_FLOW_RANK_SAME_IP);

					if (cnt[op % N_SRC] < p->packets || (wait && now < p->delay_end_tsc) ||
					    s->learn.state != WRTC_FLOW_LEARN_LEARNED)
						abort();
					s->remote = *src;
					accepted = true;
				}
			} else if (v >= 0 || -v >= WRTC_DROP_MAX) {
				abort();
			}
			if (accepted && !is_sig && wrtc_flow_ep_set(&stale) &&
			    wrtc_flow_ep_eq(src, &stale))
				abort();  /* the address a move left was accepted again */
			if (st != WRTC_FLOW_LEARN_OPEN && !wrtc_flow_ep_eq(&s->remote, &before))
				abort();  /* a fixed stream moved without signalling */
		}
	}
	memset(&msg, 0, sizeof(msg));
	msg.type = WRTC_FLOW_MSG_REMOVE;
	msg.s = s;
	wrtc_flow_msg_apply(&t, &msg);
	if (msg.result != 0)
		abort();
	free(s);
	return 0;
}
