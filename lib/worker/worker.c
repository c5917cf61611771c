/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop, in the order of STYLE.md §4: apply control messages; poll
 * RX (and the hand-off ring); classify each packet by its first payload byte
 * (RFC 7983); run the media stage; punt the slow path; transmit; free what
 * was dropped.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "wrtc_codec.h"
#include "wrtc_rtcp.h"
#include "wrtc_rtp_demux.h"
#include "wrtc_policer.h"
#include "wrtc_worker.h"

#include "worker_drop.h"

enum { MSG_BURST = 16 };

static const uint32_t punt_share[WRTC_PUNT_CLASS_MAX] = {
	[WRTC_PUNT_CLASS_ARP] = WRTC_PUNT_SHARE_ARP,
	[WRTC_PUNT_CLASS_ND] = WRTC_PUNT_SHARE_ND,
	[WRTC_PUNT_CLASS_ICMP] = WRTC_PUNT_SHARE_ICMP,
	[WRTC_PUNT_CLASS_STUN] = WRTC_PUNT_SHARE_STUN,
	[WRTC_PUNT_CLASS_DTLS] = WRTC_PUNT_SHARE_DTLS,
	[WRTC_PUNT_CLASS_PRIORITY] = WRTC_PUNT_SHARE_PRIORITY,
	[WRTC_PUNT_CLASS_PAIR] = WRTC_PUNT_SHARE_PAIR,
};

/* The shares fill the punt ring exactly (an rte_ring of N slots holds N - 1),
 * so a class within its share always finds room. */
_Static_assert(WRTC_PUNT_SHARE_ARP + WRTC_PUNT_SHARE_ND + WRTC_PUNT_SHARE_ICMP +
	       WRTC_PUNT_SHARE_STUN + WRTC_PUNT_SHARE_DTLS + WRTC_PUNT_SHARE_PRIORITY +
	       WRTC_PUNT_SHARE_PAIR == WRTC_RING_SIZE - 1, "punt shares != punt ring capacity");

/* Packets sorted by class in one burst. */
struct burst {
	struct rte_mbuf *media[WRTC_BURST];
	struct wrtc_net_pkt media_pi[WRTC_BURST];
	uint16_t media_iface[WRTC_BURST];
	uint16_t nb_media;
	struct rte_mbuf *punt[WRTC_BURST];
	uint16_t nb_punt;
	struct rte_mbuf *drop[WRTC_BURST];
	uint16_t nb_drop;
	struct rte_mbuf *handoff[WRTC_MAX_WORKERS][WRTC_BURST];
	uint16_t nb_handoff[WRTC_MAX_WORKERS];
	struct rte_mbuf *slow[WRTC_MAX_WORKERS][WRTC_BURST]; /* STUN/DTLS for other workers. */
	uint16_t nb_slow[WRTC_MAX_WORKERS];
	struct rte_mbuf *tx[WRTC_FLOW_MAX_IFACES][2 * WRTC_BURST];
	uint16_t nb_tx[WRTC_FLOW_MAX_IFACES];
};

struct wrtc_lcore *
wrtc_worker_create(struct wrtc_dataplane *dp, uint16_t id, int socket)
{
	char name[RTE_RING_NAMESIZE];
	struct wrtc_lcore *w;

	w = rte_zmalloc_socket("wrtc_lcore", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
	if (w == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	w->id = id;
	w->dp = dp;
	/* Without an eventfd adaptive sleeps end only at their bound. */
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->tsc_per_us = RTE_MAX(rte_get_tsc_hz() / 1000000, (uint64_t)1);
	w->max_reporters = 65536;
	w->reporters = rte_zmalloc_socket("wrtc_reporters", w->max_reporters * sizeof(void *),
					  RTE_CACHE_LINE_SIZE, socket);
	w->rnd = 0x9e3779b9u ^ id;
	if (w->reporters == NULL)
		goto fail;
	w->flows = wrtc_flow_table_create(dp->nb_ifaces, socket);
	if (w->flows == NULL)
		goto fail;
	snprintf(name, sizeof(name), "wrtc_ctrl_%u", id);
	w->ctrl = rte_ring_create(name, WRTC_CTRL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_reply_%u", id);
	w->reply = rte_ring_create(name, WRTC_CTRL_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_punt_%u", id);
	w->punt = rte_ring_create(name, WRTC_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_handoff_%u", id);
	w->handoff = rte_ring_create(name, WRTC_RING_SIZE, socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_punth_%u", id);
	w->punt_handoff = rte_ring_create(name, WRTC_RING_SIZE, socket, RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_ctrltx_%u", id);
	w->ctrl_tx = rte_ring_create(name, WRTC_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "wrtc_capture_%u", id);
	w->capture = rte_ring_create(name, WRTC_RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (w->ctrl == NULL || w->reply == NULL || w->punt == NULL || w->handoff == NULL ||
	    w->punt_handoff == NULL || w->ctrl_tx == NULL || w->capture == NULL)
		goto fail;
	return w;
fail:
	wrtc_worker_free(w);
	rte_errno = ENOMEM;
	return NULL;
}

void
wrtc_worker_free(struct wrtc_lcore *w)
{
	if (w == NULL)
		return;
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	rte_ring_free(w->ctrl);
	rte_ring_free(w->reply);
	if (w->punt != NULL) {
		struct rte_mbuf *m;

		/* Punts the control lcore did not take before the stop. */
		while (rte_ring_dequeue(w->punt, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->punt);
	}
	rte_ring_free(w->handoff);
	if (w->punt_handoff != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(w->punt_handoff, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->punt_handoff);
	}
	rte_ring_free(w->ctrl_tx);
	rte_free(w->reporters);
	if (w->capture != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_dequeue(w->capture, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->capture);
	}
	wrtc_flow_table_free(w->flows);
	rte_free(w);
}

static inline void
count_drop(struct wrtc_lcore *w, struct burst *b, struct rte_mbuf *m, unsigned int reason)
{
	w->st.drops[reason]++;
	b->drop[b->nb_drop++] = m;
}

static inline void
stream_drop(struct wrtc_lcore *w, struct burst *b, struct wrtc_stream *s, struct rte_mbuf *m,
	    unsigned int reason)
{
	s->c.drops++;
	s->drop_reasons[reason]++;
	count_drop(w, b, m, reason);
}

/* RFC 5761 §4: RTCP packet types 192..223 (we only see 200..206 in practice). */
static inline bool
is_rtcp(const uint8_t *p, uint16_t len)
{
	return len >= 2 && p[1] >= 192 && p[1] <= 223;
}

/* Fix the remote of @p s to the source of @p pi: the signalled address when it
 * first sends, or a source learned by the rules of docs/configuration.md
 * (trunk_groups[].latch). Returns false if no header template can be built. */
static inline bool
latch(struct wrtc_stream *s, const struct wrtc_net_pkt *pi, uint64_t now_tsc)
{
	const struct wrtc_net_addr *local = pi->src.family == AF_INET ? &s->ifc->ip4 : &s->ifc->ip6;

	if (s->tmpl_valid && s->tmpl.family == pi->src.family) {
		wrtc_net_hdr_tmpl_latch(&s->tmpl, pi);
	} else if (wrtc_net_hdr_tmpl_init(&s->tmpl, s->ifc, local, s->local_port, &pi->src,
					  pi->src_port, &pi->src_mac) != 0) {
		return false;
	}
	s->remote.ip = pi->src;
	s->remote.port = pi->src_port;
	s->tmpl_valid = true;
	s->remote_verified = true;
	s->c.latched_tsc = now_tsc;
	return true;
}

/* Per-call capture: a copy of the first @p len bytes of @p m goes to the
 * control lcore, tagged with @p stream_id; with @p hdr, headers from it are
 * written in front of the copy (what a transcoder sends has none yet). */
static void
capture_copy(struct wrtc_lcore *w, const struct rte_mbuf *m, uint32_t len, uint64_t stream_id,
	     const struct wrtc_net_hdr_tmpl *hdr)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(m, m->pool, 0, len);

	if (unlikely(c == NULL)) {
		w->st.capture_lost++;
		return;
	}
	c->hash.usr = (uint32_t)stream_id;
	if (unlikely((hdr != NULL && drop_udp_prepend(c, hdr, true) != WRTC_DROP_NONE) ||
		     rte_ring_enqueue(w->capture, c) != 0)) {
		rte_pktmbuf_free(c);
		w->st.capture_lost++;
		return;
	}
	w->st.captured++;
}

static void
tx_flush_iface(struct wrtc_lcore *w, struct burst *b, uint16_t f)
{
	unsigned int sent;

	if (b->nb_tx[f] == 0)
		return;
	sent = rte_eth_tx_burst(w->dp->port[f].port_id, w->id, b->tx[f], b->nb_tx[f]);
	w->st.tx_pkts += sent;
	if (sent < b->nb_tx[f]) {
		w->st.drops[WRTC_DROP_TX_FULL] += b->nb_tx[f] - sent;
		rte_pktmbuf_free_bulk(b->tx[f] + sent, b->nb_tx[f] - sent);
	}
	b->nb_tx[f] = 0;
}

static inline void
tx_push(struct wrtc_lcore *w, struct burst *b, uint16_t f, struct rte_mbuf *m)
{
	if (unlikely(b->nb_tx[f] == RTE_DIM(b->tx[f])))
		tx_flush_iface(w, b, f);
	b->tx[f][b->nb_tx[f]++] = m;
}

/* BUNDLE: the SSRC an m-line sends becomes a local source of its demux
 * table, so RTCP feedback about it (PLI, FIR, NACK, report blocks) finds its
 * m-line. Only a change of SSRC touches the table. */
static inline void
bundle_tx_source(struct wrtc_stream *out, const uint8_t *rtp)
{
	uint32_t ssrc;

	memcpy(&ssrc, &rtp[8], sizeof(ssrc));
	ssrc = rte_be_to_cpu_32(ssrc);
	if (likely(out->bundle_tx_known && out->bundle_tx_ssrc == ssrc))
		return;
	if (wrtc_rtp_demux_add_ssrc(&out->bundle->demux, ssrc, out->bundle_mline, true) == 0) {
		out->bundle_tx_ssrc = ssrc;
		out->bundle_tx_known = true;
	}
}

/* Protect (when the output is SRTP), add headers, queue. @p m holds RTP or
 * RTCP. Returns the drop reason, WRTC_DROP_NONE when queued. */
static inline unsigned int
emit(struct wrtc_lcore *w, struct burst *b, struct wrtc_stream *out, struct rte_mbuf *m,
     bool rtcp)
{
	/* A bundled m-line sends by its transport's pair, headers and SRTP. */
	struct wrtc_stream *tr = wrtc_flow_tx_of(out);
	uint16_t plen = rte_pktmbuf_data_len(m);
	unsigned int drop;

	if (unlikely(out->bundle != NULL) && !rtcp && plen >= 12)
		bundle_tx_source(out, rte_pktmbuf_mtod(m, const uint8_t *));
	if (tr->srtp_tx != NULL) {
		size_t len = plen;
		size_t cap = plen + rte_pktmbuf_tailroom(m);
		uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

		drop = drop_srtp_protect(tr->srtp_tx, p, &len, cap, rtcp);
		if (unlikely(drop != WRTC_DROP_NONE))
			return drop;
		rte_pktmbuf_append(m, (uint16_t)(len - plen));
		plen = (uint16_t)len;
	}
	drop = drop_udp_prepend(m, &tr->tmpl, tr->ifc->tx_cksum_offload);
	if (unlikely(drop != WRTC_DROP_NONE))
		return drop;
	out->c.tx_pkts++;
	out->c.tx_bytes += plen;
	w->st.relayed++;
	tx_push(w, b, tr->iface, m);
	return WRTC_DROP_NONE;
}

/* RTCP received on @p s (decrypted): the first report block is kept for the
 * call's quality figures (docs/ng.md "Call quality"), with the round trip to
 * the peer when it echoes an SR relayed to it; a relayed SR is remembered on
 * the stream it leaves by. RTCP is a few packets a second per stream. */
static void
rtcp_observe(struct wrtc_stream *s, const uint8_t *p, uint16_t len, uint64_t now_us)
{
	struct wrtc_flow_report *r = &s->c.report;
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt pkt;
	struct wrtc_rtcp_rb rb;
	bool have_rb = false;

	wrtc_rtcp_iter_init(&it, p, len);
	while (wrtc_rtcp_iter_next(&it, &pkt) == 1) {
		if (pkt.pt == WRTC_RTCP_SR && s->out_rtcp != NULL && !s->drop_rtcp) {
			s->out_rtcp->c.sr_out_lsr = (uint32_t)(pkt.ntp >> 16);
			s->out_rtcp->c.sr_out_us = now_us;
		}
		if (!have_rb && (pkt.pt == WRTC_RTCP_SR || pkt.pt == WRTC_RTCP_RR) &&
		    wrtc_rtcp_rb_get(&pkt, 0, &rb) == 0)
			have_rb = true;
	}
	if (!have_rb)
		return;
	r->seq++;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->ssrc = rb.ssrc;
	r->jitter = rb.jitter;
	r->lost = rb.lost;
	r->fraction_lost = rb.fraction_lost;
	r->rtt_us = UINT32_MAX;
	if (rb.lsr != 0 && rb.lsr == s->c.sr_out_lsr) {
		uint64_t dlsr_us = (uint64_t)rb.dlsr * 1000000 / 65536;
		uint64_t since = now_us - s->c.sr_out_us;

		if (since >= dlsr_us && since - dlsr_us < UINT32_MAX)
			r->rtt_us = (uint32_t)(since - dlsr_us);
	}
	__atomic_thread_fence(__ATOMIC_RELEASE);
	r->seq++;
}

/* RTCP of a transcoded leg ends here: the peer's SR times feed the RR we send. */
static void
rtcp_terminate(struct wrtc_lcore *w, struct wrtc_stream *s, struct rte_mbuf *m, uint16_t off,
	       uint16_t len, uint64_t now_us)
{
	struct wrtc_stream *ms = s->rtp_stream;
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt pkt;

	if (ms != NULL && ms->xcoder != NULL) {
		wrtc_rtcp_iter_init(&it, rte_pktmbuf_mtod_offset(m, const uint8_t *, off), len);
		while (wrtc_rtcp_iter_next(&it, &pkt) == 1)
			if (pkt.pt == WRTC_RTCP_SR)
				wrtc_rtp_rx_sr_received(wrtc_codec_xcoder_rx_stats(ms->xcoder), pkt.ntp,
							now_us);
	}
	w->st.rtcp_terminated++;
	rte_pktmbuf_free(m);
}

/* Send every packet the transcoder has ready; @p m (consumed input) is reused
 * for the first one. */
static void
xcode_emit(struct wrtc_lcore *w, struct burst *b, struct wrtc_stream *s, struct wrtc_stream *out,
	   struct rte_mbuf *m, uint64_t now_us)
{
	struct rte_mempool *pool = m->pool;
	struct rte_mbuf *o = m;
	unsigned int drop;
	int n;

	for (;;) {
		if (o == NULL) {
			o = rte_pktmbuf_alloc(pool);
			if (unlikely(o == NULL)) {
				w->st.drops[WRTC_DROP_NO_MBUF]++;
				/* Leave the rest queued in the transcoder for the next input. */
				return;
			}
		}
		rte_pktmbuf_reset(o);
		n = wrtc_codec_xcoder_output(s->xcoder, rte_pktmbuf_mtod(o, uint8_t *),
					     rte_pktmbuf_tailroom(o) - WRTC_SRTP_MAX_TRAILER, now_us);
		if (n <= 0) {
			rte_pktmbuf_free(o);
			return;
		}
		rte_pktmbuf_append(o, (uint16_t)n);
		/* What the transcoder sends, before encryption, with its headers. */
		if (unlikely(out->capture))
			capture_copy(w, o, UINT32_MAX, out->id, &wrtc_flow_tx_of(out)->tmpl);
		drop = emit(w, b, out, o, false);
		if (unlikely(drop != WRTC_DROP_NONE))
			stream_drop(w, b, out, o, drop);
		o = NULL;
	}
}

/* RTP relayed from @p s: remember where the outgoing stream stands and, after
 * a re-offer switched this direction from transcoding to relaying, rewrite
 * the packet into the transcoder's stream (same SSRC; sequence and timestamp
 * go on, the timestamp jumping by the time elapsed: RFC 7160). The offsets
 * are taken at the first packet and again whenever the peer's SSRC changes. */
static inline void
relay_out(struct wrtc_stream *s, uint8_t *p, uint64_t now_us)
{
	struct wrtc_flow_rtp_out *o = &s->rtp_out;
	uint32_t ssrc = s->c.rtp_ssrc, ts, v32;
	uint16_t seq, v16;

	memcpy(&v16, p + 2, sizeof(v16));
	memcpy(&v32, p + 4, sizeof(v32));
	seq = rte_be_to_cpu_16(v16);
	ts = rte_be_to_cpu_32(v32);
	if (unlikely(o->rewrite)) {
		if (unlikely(o->anchor || ssrc != o->in_ssrc)) {
			uint64_t el = now_us > o->us ? now_us - o->us : 0;
			uint64_t jump = el * o->clock / 1000000;

			/* At least 10 ms: the last packet's audio is not overlapped. */
			if (jump < o->clock / 100)
				jump = o->clock / 100;
			o->seq_off = (uint16_t)(o->seq + 1 - seq);
			o->ts_off = o->ts + (uint32_t)jump - ts;
			o->in_ssrc = ssrc;
			o->anchor = false;
			p[1] |= 0x80;
		}
		seq = (uint16_t)(seq + o->seq_off);
		ts += o->ts_off;
		ssrc = o->ssrc;
		v16 = rte_cpu_to_be_16(seq);
		memcpy(p + 2, &v16, sizeof(v16));
		v32 = rte_cpu_to_be_32(ts);
		memcpy(p + 4, &v32, sizeof(v32));
		v32 = rte_cpu_to_be_32(ssrc);
		memcpy(p + 8, &v32, sizeof(v32));
	}
	if (unlikely(!o->sent || ssrc != o->ssrc) || (int16_t)(seq - o->seq) > 0) {
		o->ssrc = ssrc;
		o->seq = seq;
		o->ts = ts;
		o->sent = true;
	}
	o->us = now_us;
}

/* A slice of a bundled compound RTCP packet (not the first) whose m-line is
 * not the first slice's: a copy goes out by that m-line's RTCP output. */
static void
bundle_rtcp_slice(struct wrtc_lcore *w, struct burst *b, struct wrtc_flow_bundle *bd,
		  const struct rte_mbuf *m, const uint8_t *p, const struct wrtc_rtp_demux_slice *sl,
		  uint64_t now_us)
{
	struct wrtc_stream *ms = bd->member[sl->mline >= 0 ? (unsigned int)sl->mline :
					    bd->transport_mline];
	struct wrtc_stream *out;
	struct rte_mbuf *c;
	unsigned int drop;

	if (ms == NULL) {
		bd->rtcp_slice_lost++;
		return;
	}
	ms->c.rx_pkts++;
	ms->c.rx_bytes += sl->size;
	ms->c.rtcp_rx++;
	rtcp_observe(ms, p + sl->offset, (uint16_t)sl->size, now_us);
	if (ms->drop_rtcp) {
		w->st.rtcp_terminated++;
		return;
	}
	out = ms->out_rtcp;
	if (out == NULL || !wrtc_flow_tx_of(out)->tmpl_valid) {
		bd->rtcp_slice_lost++;
		return;
	}
	c = rte_pktmbuf_alloc(m->pool);
	if (unlikely(c == NULL)) {
		w->st.drops[WRTC_DROP_NO_MBUF]++;
		bd->rtcp_slice_lost++;
		return;
	}
	memcpy(rte_pktmbuf_append(c, (uint16_t)sl->size), p + sl->offset, sl->size);
	drop = emit(w, b, out, c, true);
	if (unlikely(drop != WRTC_DROP_NONE))
		stream_drop(w, b, out, c, drop);
}

/*
 * BUNDLE demultiplexing of a packet received (and unprotected) on transport
 * @p t (docs/lib/rtp.rst): RTP by the MID header extension, then a learned or
 * signalled SSRC, then a payload type unique in the bundle; a compound RTCP
 * packet is split into runs of one m-line: the first stays in @p m (trimmed
 * to it through @p plen), the others leave as copies. @return the m-line's
 * stream, or NULL when @p m was dropped (counted).
 */
static struct wrtc_stream *
bundle_member(struct wrtc_lcore *w, struct burst *b, struct wrtc_stream *t, struct rte_mbuf *m,
	      uint16_t off, uint16_t *plen, bool rtcp, uint64_t now_us)
{
	struct wrtc_flow_bundle *bd = t->bundle;
	const uint8_t *p = rte_pktmbuf_mtod_offset(m, const uint8_t *, off);
	struct wrtc_stream *ms;
	int k;

	if (!rtcp) {
		struct wrtc_rtp_info ri;

		if (unlikely(wrtc_rtp_parse(p, *plen, &ri) != 0)) {
			stream_drop(w, b, t, m, WRTC_DROP_RTP_HEADER);
			return NULL;
		}
		k = wrtc_rtp_demux_rtp(&bd->demux, p, &ri);
	} else {
		struct wrtc_rtp_demux_slice sl[WRTC_RTP_DEMUX_MAX_MLINES];
		int n = wrtc_rtp_demux_rtcp_split(&bd->demux, p, *plen, sl, RTE_DIM(sl));

		if (unlikely(n < 0)) {
			stream_drop(w, b, t, m, WRTC_DROP_RTCP_HEADER);
			return NULL;
		}
		if (n > 1)
			bd->rtcp_split++;
		for (int j = 1; j < n; j++)
			bundle_rtcp_slice(w, b, bd, m, p, &sl[j], now_us);
		*plen = (uint16_t)sl[0].size; /* slices tile the compound from its start */
		k = sl[0].mline >= 0 ? sl[0].mline : bd->transport_mline;
	}
	if (unlikely(k < 0 || (unsigned int)k >= RTE_DIM(bd->member) ||
		     (ms = bd->member[k]) == NULL)) {
		bd->unknown++;
		stream_drop(w, b, t, m, WRTC_DROP_BUNDLE_UNKNOWN);
		return NULL;
	}
	return ms;
}

/* The receiver behind @p out has just started (WRTC_FLOW_UPD_KEYFRAME): ask
 * the sender of @p media_ssrc for a keyframe with a PLI (RFC 4585 6.3.1)
 * by the path RTCP from that receiver takes, so video starts without
 * waiting for the sender's next periodic keyframe. */
static void
keyframe_request(struct wrtc_lcore *w, struct burst *b, struct wrtc_stream *out,
		 struct rte_mempool *pool, uint32_t media_ssrc)
{
	struct wrtc_stream *up = out->out_rtcp;
	uint32_t sender = rte_cpu_to_be_32(out->c.rtp_ssrc != 0 ? out->c.rtp_ssrc : 1);
	uint32_t media = rte_cpu_to_be_32(media_ssrc);
	struct rte_mbuf *c;
	uint8_t *p;
	unsigned int drop;

	out->kf_request = false;
	if (up == NULL || !wrtc_flow_tx_of(up)->tmpl_valid)
		return;
	c = rte_pktmbuf_alloc(pool);
	if (unlikely(c == NULL)) {
		w->st.drops[WRTC_DROP_NO_MBUF]++;
		return;
	}
	p = (uint8_t *)rte_pktmbuf_append(c, 12);
	p[0] = 0x81;  /* V=2, FMT=1 (PLI) */
	p[1] = 206;   /* PSFB */
	p[2] = 0;
	p[3] = 2;
	memcpy(p + 4, &sender, 4);
	memcpy(p + 8, &media, 4);
	drop = emit(w, b, up, c, true);
	if (unlikely(drop != WRTC_DROP_NONE)) {
		stream_drop(w, b, up, c, drop);
		return;
	}
	out->c.kf_requests++;
}

/* The media stage: source check or latch, choose the output stream, rewrite.
 * @p now_tsc is the burst's clock (read once, in run_burst()). */
static void
media_stage(struct wrtc_lcore *w, struct burst *b, uint64_t now_tsc)
{
	const struct wrtc_flow_table *t = w->flows;
	uint64_t now_us = now_tsc / w->tsc_per_us;

	for (uint16_t i = 0; i < b->nb_media; i++) {
		struct rte_mbuf *m = b->media[i];
		const struct wrtc_net_pkt *pi = &b->media_pi[i];
		struct wrtc_stream *s, *out;
		struct wrtc_flow_ep src;
		const uint8_t *payload;
		int learn = WRTC_FLOW_SRC_KNOWN;
		uint16_t plen;
		bool rtcp;
		unsigned int drop;

		if (i + 3 < b->nb_media)
			rte_prefetch0(rte_pktmbuf_mtod(b->media[i + 3], void *));
		s = wrtc_flow_lookup(t, b->media_iface[i], pi->dst_port);
		if (unlikely(s == NULL)) {
			count_drop(w, b, m, WRTC_DROP_NO_FLOW);
			continue;
		}
		payload = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off);
		rtcp = is_rtcp(payload, pi->payload_len);
		if (unlikely(!rtcp && pi->payload_len < 12)) {
			stream_drop(w, b, s, m, WRTC_DROP_RTP_HEADER);
			continue;
		}
		if (unlikely(rtcp && pi->payload_len < 8)) {
			stream_drop(w, b, s, m, WRTC_DROP_RTCP_HEADER);
			continue;
		}
		src.ip = pi->src;
		src.port = pi->src_port;
		if (s->remote_mode == WRTC_FLOW_REMOTE_LATCH) {
			/* Plain RTP leg: the signalled address, the fixed remote, or a
			 * candidate inside the learning window; nothing else. */
			learn = wrtc_flow_learn_classify(s, &src, now_tsc);
			if (unlikely(learn < 0)) {
				stream_drop(w, b, s, m, (unsigned int)-learn);
				continue;
			}
		} else if (s->remote_verified) {
			if (unlikely(!wrtc_flow_ep_eq(&src, &s->remote) &&
				     !wrtc_flow_ep_eq(&src, &s->also_from))) {
				stream_drop(w, b, s, m, WRTC_DROP_SOURCE);
				continue;
			}
		} else if (s->remote_mode == WRTC_FLOW_REMOTE_ICE) {
			/* No nominated pair (yet, or consent lost): media is not accepted. */
			stream_drop(w, b, s, m, WRTC_DROP_SOURCE);
			continue;
		}
		if (unlikely(!s->started)) {
			stream_drop(w, b, s, m, WRTC_DROP_NOT_STARTED);
			continue;
		}
		plen = pi->payload_len;
		if (s->srtp_rx != NULL) {
			size_t len = plen;
			uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, pi->payload_off);

			drop = drop_srtp_unprotect(s->srtp_rx, p, &len, rtcp);
			if (unlikely(drop != WRTC_DROP_NONE)) {
				stream_drop(w, b, s, m, drop);
				continue;
			}
			plen = (uint16_t)len;
		} else if (unlikely(s->secure_only)) {
			stream_drop(w, b, s, m, WRTC_DROP_SRTP_OTHER);
			continue;
		}
		/* Learn only from packets that authenticated (SRTP legs), so a forged
		 * packet cannot count. A candidate's packets are dropped until it is
		 * learned: a stranger's never reach the peer. */
		if (unlikely(learn == WRTC_FLOW_SRC_CANDIDATE)) {
			if (!wrtc_flow_learn_count(s, &src, now_tsc)) {
				stream_drop(w, b, s, m, WRTC_DROP_SOURCE_LEARNING);
				continue;
			}
			if (unlikely(!latch(s, pi, now_tsc))) {
				s->learn.state = WRTC_FLOW_LEARN_OPEN;
				stream_drop(w, b, s, m, WRTC_DROP_SOURCE_LEARNING);
				continue;
			}
		} else if (unlikely(learn == WRTC_FLOW_SRC_SIGNALLED)) {
			if (latch(s, pi, now_tsc))
				s->learn.state = WRTC_FLOW_LEARN_SIGNALLED;
		}
		/* BUNDLE transport: the packet, decrypted once, goes on as its
		 * m-line's (RTCP split per m-line first). */
		if (s->bundle != NULL && s->transport == NULL) {
			s = bundle_member(w, b, s, m, pi->payload_off, &plen, rtcp, now_us);
			if (s == NULL)
				continue;
		}
		if (unlikely(s->capture))
			capture_copy(w, m, (uint32_t)pi->payload_off + plen, s->id, NULL);
		s->c.rx_pkts++;
		s->c.rx_bytes += pi->payload_len;
		s->c.rtcp_rx += rtcp;
		s->c.last_rx_tsc = now_tsc;
		if (rtcp) {
			/* SRTCP relayed encrypted (srtp_relay) cannot be read. */
			if (!s->dtls_relay)
				rtcp_observe(s, payload, plen, now_us);   /* decrypted in place */
		} else {
			uint32_t ssrc;

			memcpy(&ssrc, &payload[8], sizeof(ssrc));  /* RTP payload: 2-byte aligned */
			s->c.rtp_ssrc = rte_be_to_cpu_32(ssrc);
		}

		if (rtcp && s->drop_rtcp) {
			rtcp_terminate(w, s, m, pi->payload_off, plen, now_us);
			continue;
		}
		out = rtcp ? s->out_rtcp : s->out_rtp;
		if (unlikely(out == NULL)) {
			stream_drop(w, b, s, m, WRTC_DROP_NO_OUTPUT);
			continue;
		}
		if (unlikely(!wrtc_flow_tx_of(out)->tmpl_valid)) {
			/* An ICE leg before its pair is nominated, or an address whose
			 * next hop is still being resolved. */
			stream_drop(w, b, out, m,
				    wrtc_flow_tx_of(out)->remote_mode == WRTC_FLOW_REMOTE_ICE ?
				    WRTC_DROP_NO_ICE_PAIR : WRTC_DROP_NO_ROUTE);
			continue;
		}
		drop = drop_udp_strip(m, pi);
		if (unlikely(drop != WRTC_DROP_NONE)) {
			stream_drop(w, b, out, m, drop);
			continue;
		}
		if (plen != pi->payload_len)
			rte_pktmbuf_trim(m, (uint16_t)(pi->payload_len - plen));
		if (!rtcp && s->xcoder != NULL) {
			drop = drop_xcoder_input(s->xcoder, rte_pktmbuf_mtod(m, const uint8_t *),
						 plen, now_us);
			if (unlikely(drop != WRTC_DROP_NONE)) {
				stream_drop(w, b, s, m, drop);
				continue;
			}
			xcode_emit(w, b, s, out, m, now_us);
			continue;
		}
		if (!rtcp && s->pt_remap) {
			uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
			uint8_t pt = s->pt_map[p[1] & 0x7f];

			if (unlikely(pt == 0xff)) {
				stream_drop(w, b, s, m, WRTC_DROP_PAYLOAD_TYPE);
				continue;
			}
			p[1] = (uint8_t)((p[1] & 0x80) | pt);
		}
		if (!rtcp)
			relay_out(s, rte_pktmbuf_mtod(m, uint8_t *), now_us);
		{
			struct rte_mempool *pool = m->pool;

			drop = emit(w, b, out, m, rtcp);
			if (unlikely(drop != WRTC_DROP_NONE))
				stream_drop(w, b, out, m, drop);
			else if (unlikely(out->kf_request) && !rtcp)
				keyframe_request(w, b, out, pool, s->c.rtp_ssrc);
		}
	}
}

/* Queue @p m for the punt ring, counted in share @p cls. */
static inline void
punt(struct burst *b, struct rte_mbuf *m, unsigned int kind, unsigned int cls)
{
	m->hash.usr = kind | cls << 8;
	b->punt[b->nb_punt++] = m;
}

/* ARP, ND and ICMP echo: one bucket each, no source priority. */
static inline void
punt_policed(struct wrtc_lcore *w, struct burst *b, struct rte_mbuf *m, struct wrtc_policer *p,
	     uint64_t now, unsigned int kind, unsigned int cls)
{
	if (p != NULL && !wrtc_policer_admit_class(p, now, rte_pktmbuf_pkt_len(m),
						   WRTC_POLICER_CLASS_ORDINARY)) {
		count_drop(w, b, m, WRTC_DROP_POLICER);
		return;
	}
	punt(b, m, kind, cls);
}

/* STUN and DTLS: the exact transport address of a selected pair, then the
 * signalled candidates (prefix rules), then everything else, each with its
 * own bucket and its own share of the punt ring. */
static inline void
punt_ice(struct wrtc_lcore *w, struct burst *b, struct rte_mbuf *m, struct wrtc_policer *p,
	 uint64_t now, const struct wrtc_net_pkt *pi, unsigned int kind, unsigned int cls)
{
	enum wrtc_policer_class pc;
	struct wrtc_policer_addr a;

	if (p != NULL) {
		a.family = pi->src.family;
		if (a.family == AF_INET)
			memcpy(a.bytes, &pi->src.v4, 4);
		else
			memcpy(a.bytes, pi->src.v6, 16);
		pc = wrtc_policer_classify(p, &a, pi->src_port, pi->dst_port);
		if (!wrtc_policer_admit_class(p, now, pi->payload_len, pc)) {
			count_drop(w, b, m, WRTC_DROP_POLICER);
			return;
		}
		if (pc == WRTC_POLICER_CLASS_PAIR)
			cls = WRTC_PUNT_CLASS_PAIR;
		else if (pc == WRTC_POLICER_CLASS_PRIORITY)
			cls = WRTC_PUNT_CLASS_PRIORITY;
	}
	punt(b, m, kind, cls);
}

/*
 * DTLS pass-through (srtp_relay, docs/configuration.md): a DTLS datagram for a
 * stream whose leg keeps DTLS end to end is relayed like the SRTP it keys,
 * byte for byte, instead of being punted. Steps: the DTLS policer (same
 * classes as a punt), the source check (only the ICE-selected remote), the
 * counters (datagrams by their first record's content type), out by the
 * other leg's stream. @return false when the stream terminates DTLS (punt).
 */
static bool
dtls_relay(struct wrtc_lcore *w, struct burst *b, struct rte_mbuf *m,
	   const struct wrtc_net_pkt *pi, uint16_t iface, uint64_t now)
{
	struct wrtc_stream *s = wrtc_flow_lookup(w->flows, iface, pi->dst_port);
	struct wrtc_flow_ep src = {.ip = pi->src, .port = pi->src_port};
	uint8_t type = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off)[0];
	struct wrtc_stream *out;
	unsigned int drop;

	if (s == NULL || !s->dtls_relay)
		return false;
	if (w->pol_dtls != NULL) {
		struct wrtc_policer_addr a = {.family = pi->src.family};

		if (a.family == AF_INET)
			memcpy(a.bytes, &pi->src.v4, 4);
		else
			memcpy(a.bytes, pi->src.v6, 16);
		if (!wrtc_policer_admit_class(w->pol_dtls, now, pi->payload_len,
					      wrtc_policer_classify(w->pol_dtls, &a, pi->src_port,
								    pi->dst_port))) {
			stream_drop(w, b, s, m, WRTC_DROP_POLICER);
			return true;
		}
	}
	if (!s->remote_verified || !wrtc_flow_ep_eq(&src, &s->remote)) {
		stream_drop(w, b, s, m, WRTC_DROP_SOURCE);
		return true;
	}
	s->c.rx_pkts++;
	s->c.rx_bytes += pi->payload_len;
	s->c.last_rx_tsc = now;
	s->c.dtls_pkts++;
	s->c.dtls_handshake += type == 22;
	s->c.dtls_ccs += type == 20;
	s->c.dtls_app += type == 23;
	s->c.dtls_alert += type == 21;
	out = s->out_rtp;
	if (out == NULL || !s->started) {
		stream_drop(w, b, s, m, out == NULL ? WRTC_DROP_NO_OUTPUT : WRTC_DROP_NOT_STARTED);
		return true;
	}
	if (!out->tmpl_valid) {
		/* The other browser's pair is not nominated yet: DTLS retransmits. */
		stream_drop(w, b, out, m, WRTC_DROP_NO_ICE_PAIR);
		return true;
	}
	drop = drop_udp_strip(m, pi);
	if (drop == WRTC_DROP_NONE)
		drop = emit(w, b, out, m, false);
	if (drop != WRTC_DROP_NONE)
		stream_drop(w, b, out, m, drop);
	return true;
}

/* Sort one packet into the burst's class arrays. */
static inline void
classify(struct wrtc_lcore *w, struct burst *b, struct rte_mbuf *m, bool from_handoff,
	 uint64_t now)
{
	const struct wrtc_dataplane *dp = w->dp;
	struct wrtc_net_pkt *pi = &b->media_pi[b->nb_media];
	int16_t iface = dp->iface_of_port[m->port];
	const uint8_t *payload;
	int cls;

	if (unlikely(iface < 0)) {
		count_drop(w, b, m, WRTC_DROP_NOT_OURS_MAC);
		return;
	}
	if (!from_handoff && w->pol_link[iface] != NULL &&
	    !wrtc_policer_admit(w->pol_link[iface], now, rte_pktmbuf_pkt_len(m), NULL)) {
		count_drop(w, b, m, WRTC_DROP_POLICER);
		return;
	}
	cls = wrtc_net_parse(&dp->ifc[iface], m, pi);
	if (unlikely(cls < 0)) {
		count_drop(w, b, m, -cls);
		return;
	}
	switch (cls) {
	case WRTC_NET_CLASS_UDP:
		break;
	case WRTC_NET_CLASS_ARP:
		punt_policed(w, b, m, w->pol_arp, now, WRTC_PUNT_ARP, WRTC_PUNT_CLASS_ARP);
		return;
	case WRTC_NET_CLASS_ICMP4_ECHO:
	case WRTC_NET_CLASS_ICMP6_ECHO:
		/* Every admitted request is answered: this bucket limits the replies. */
		punt_policed(w, b, m, w->pol_icmp, now, WRTC_PUNT_ICMP, WRTC_PUNT_CLASS_ICMP);
		return;
	case WRTC_NET_CLASS_ND_NS:
	case WRTC_NET_CLASS_ND_NA:
		punt_policed(w, b, m, w->pol_nd, now, WRTC_PUNT_ND, WRTC_PUNT_CLASS_ND);
		return;
	default:
		count_drop(w, b, m, WRTC_DROP_IP_PROTO);
		return;
	}
	if (unlikely(pi->payload_len == 0)) {
		count_drop(w, b, m, WRTC_DROP_PAYLOAD_CLASS);
		return;
	}
	payload = rte_pktmbuf_mtod_offset(m, const uint8_t *, pi->payload_off);
	/* RFC 7983 demultiplexing by the first byte. */
	if (payload[0] >= 128 && payload[0] <= 191) {
		if (!from_handoff && dp->nb_workers > 1) {
			uint16_t owner = wrtc_steer_owner(&dp->port[iface], pi->dst_port);

			if (owner != w->id && owner < dp->nb_workers) {
				b->handoff[owner][b->nb_handoff[owner]++] = m;
				return;
			}
		}
		b->media_iface[b->nb_media] = (uint16_t)iface;
		b->media[b->nb_media++] = m;
	} else if (payload[0] <= 3 || (payload[0] >= 20 && payload[0] <= 63)) {
		/* STUN and DTLS are policed before they can load the control lcore,
		 * by the owner of the local port: its tables hold the call's
		 * selected pairs and candidates. */
		if (!from_handoff && dp->nb_workers > 1) {
			uint16_t owner = wrtc_steer_owner(&dp->port[iface], pi->dst_port);

			if (owner != w->id && owner < dp->nb_workers) {
				b->slow[owner][b->nb_slow[owner]++] = m;
				return;
			}
		}
		if (payload[0] <= 3)
			punt_ice(w, b, m, w->pol_stun, now, pi, WRTC_PUNT_STUN, WRTC_PUNT_CLASS_STUN);
		else if (!dtls_relay(w, b, m, pi, (uint16_t)iface, now))
			punt_ice(w, b, m, w->pol_dtls, now, pi, WRTC_PUNT_DTLS, WRTC_PUNT_CLASS_DTLS);
	} else {
		count_drop(w, b, m, WRTC_DROP_PAYLOAD_CLASS);
	}
}

/* Enqueue the burst's punts, each class within its share of the ring. */
static void
flush_punts(struct wrtc_lcore *w, struct burst *b)
{
	struct rte_mbuf *keep[WRTC_BURST];
	unsigned int n = 0, sent;

	for (uint16_t i = 0; i < b->nb_punt; i++) {
		struct rte_mbuf *m = b->punt[i];
		unsigned int c = wrtc_punt_class(m);
		uint32_t taken = __atomic_load_n(&w->punt_ret.taken[c], __ATOMIC_ACQUIRE);

		if (w->punt_enq[c] - taken >= punt_share[c]) {
			w->st.punt_share_full[c]++;
			count_drop(w, b, m, WRTC_DROP_PUNT_SHARE);
			continue;
		}
		w->punt_enq[c]++;
		keep[n++] = m;
	}
	b->nb_punt = 0;
	if (n == 0)
		return;
	sent = rte_ring_enqueue_burst(w->punt, (void **)keep, n, NULL);
	w->st.punted += sent;
	/* Only if the shares were misconfigured: the ring is as large as their sum. */
	for (unsigned int i = sent; i < n; i++) {
		w->punt_enq[wrtc_punt_class(keep[i])]--;
		count_drop(w, b, keep[i], WRTC_DROP_PUNT_FULL);
	}
}

unsigned int
wrtc_worker_punt_take(struct wrtc_lcore *w, struct rte_mbuf **pkts, unsigned int max)
{
	uint32_t taken[WRTC_PUNT_CLASS_MAX] = {0};
	unsigned int n;

	n = rte_ring_dequeue_burst(w->punt, (void **)pkts, max, NULL);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int c = wrtc_punt_class(pkts[i]);

		if (c < WRTC_PUNT_CLASS_MAX)
			taken[c]++;
	}
	for (unsigned int c = 0; c < WRTC_PUNT_CLASS_MAX; c++)
		if (taken[c] != 0)
			__atomic_store_n(&w->punt_ret.taken[c], w->punt_ret.taken[c] + taken[c],
					 __ATOMIC_RELEASE);
	return n;
}

static void
flush(struct wrtc_lcore *w, struct burst *b)
{
	const struct wrtc_dataplane *dp = w->dp;
	unsigned int sent;

	if (b->nb_punt != 0)
		flush_punts(w, b);
	for (uint16_t o = 0; o < dp->nb_workers; o++) {
		if (b->nb_handoff[o] == 0)
			continue;
		sent = rte_ring_enqueue_burst(dp->workers[o]->handoff, (void **)b->handoff[o],
					      b->nb_handoff[o], NULL);
		w->st.handoff_out += sent;
		for (unsigned int i = sent; i < b->nb_handoff[o]; i++)
			count_drop(w, b, b->handoff[o][i], WRTC_DROP_HANDOFF_FULL);
		b->nb_handoff[o] = 0;
	}
	for (uint16_t o = 0; o < dp->nb_workers; o++) {
		if (b->nb_slow[o] == 0)
			continue;
		sent = rte_ring_enqueue_burst(dp->workers[o]->punt_handoff, (void **)b->slow[o],
					      b->nb_slow[o], NULL);
		w->st.handoff_out += sent;
		for (unsigned int i = sent; i < b->nb_slow[o]; i++)
			count_drop(w, b, b->slow[o][i], WRTC_DROP_HANDOFF_FULL);
		b->nb_slow[o] = 0;
	}
	for (uint16_t f = 0; f < dp->nb_ifaces; f++)
		tx_flush_iface(w, b, f);
	if (b->nb_drop != 0) {
		rte_pktmbuf_free_bulk(b->drop, b->nb_drop);
		b->nb_drop = 0;
	}
}

static void
run_burst(struct wrtc_lcore *w, struct rte_mbuf **pkts, uint16_t n, bool from_handoff)
{
	uint64_t now = rte_rdtsc();
	struct burst b;

	b.nb_media = b.nb_punt = b.nb_drop = 0;
	memset(b.nb_handoff, 0, sizeof(b.nb_handoff));
	memset(b.nb_slow, 0, sizeof(b.nb_slow));
	memset(b.nb_tx, 0, sizeof(b.nb_tx));
	for (uint16_t i = 0; i < n; i++) {
		if (i + 3 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 3], void *));
		classify(w, &b, pkts[i], from_handoff, now);
	}
	media_stage(w, &b, now);
	flush(w, &b);
}

void
wrtc_worker_process(struct wrtc_lcore *w, struct rte_mbuf **pkts, uint16_t n)
{
	while (n > 0) {
		uint16_t k = RTE_MIN(n, (uint16_t)WRTC_BURST);

		run_burst(w, pkts, k, false);
		pkts += k;
		n -= k;
	}
}

static void
reporter_set(struct wrtc_lcore *w, struct wrtc_stream *s, bool on)
{
	if (on == s->reporting)
		return;
	if (on) {
		if (w->nb_reporters == w->max_reporters)
			return;
		w->reporters[w->nb_reporters++] = s;
		/* RFC 3550 6.2: the first report after half the minimum interval. */
		s->next_report_tsc = rte_rdtsc() + rte_get_tsc_hz() * 5 / 2;
		s->reporting = true;
		return;
	}
	for (uint32_t i = 0; i < w->nb_reporters; i++)
		if (w->reporters[i] == s) {
			w->reporters[i] = w->reporters[--w->nb_reporters];
			break;
		}
	s->reporting = false;
}

/* Keep the selected pair of an ICE stream in the STUN/DTLS policers' pair
 * tables: the UPDATE that sets a verified remote on an ICE stream is the
 * control lcore's "pair selected" message, an UPDATE that changes or clears it
 * and the REMOVE of the stream take the pair out again. */
static void
pair_policed_set(struct wrtc_lcore *w, struct wrtc_stream *s, bool add)
{
	struct wrtc_policer *pols[2] = {w->pol_stun, w->pol_dtls};
	struct wrtc_policer_addr a;

	if (add == s->pair_policed)
		return;
	if (add) {
		if (s->remote_mode != WRTC_FLOW_REMOTE_ICE || !s->remote_verified ||
		    (s->remote.ip.family != AF_INET && s->remote.ip.family != AF_INET6))
			return;
		s->pair_ep = s->remote;
	}
	memset(&a, 0, sizeof(a));
	a.family = s->pair_ep.ip.family;
	if (a.family == AF_INET)
		memcpy(a.bytes, &s->pair_ep.ip.v4, 4);
	else
		memcpy(a.bytes, s->pair_ep.ip.v6, 16);
	for (unsigned int k = 0; k < RTE_DIM(pols); k++) {
		if (pols[k] == NULL)
			continue;
		/* A full table leaves the pair at its candidate's priority; remove
		 * then finds nothing (-ENOENT), which is harmless. */
		if (add)
			(void)wrtc_policer_pair_add(pols[k], &a, s->pair_ep.port, s->local_port);
		else
			(void)wrtc_policer_pair_remove(pols[k], &a, s->pair_ep.port, s->local_port);
	}
	s->pair_policed = add;
}

/* A message of lib/worker itself (not the flow table's). */
static void
owner_msg_apply(struct wrtc_lcore *w, struct wrtc_worker_msg *wm)
{
	struct wrtc_flow_msg *msg = &wm->flow;

	if (wm->type == WRTC_WORKER_MSG_SOURCE_ADD || wm->type == WRTC_WORKER_MSG_SOURCE_DEL) {
		struct wrtc_policer_addr a = {.family = wm->src.family};
		struct wrtc_policer *pols[2] = {w->pol_stun, w->pol_dtls};

		memcpy(a.bytes, wm->src.bytes, sizeof(a.bytes));
		msg->result = 0;
		for (unsigned int k = 0; k < 2; k++) {
			if (pols[k] == NULL)
				continue;
			if (wm->type == WRTC_WORKER_MSG_SOURCE_ADD)
				msg->result |= wrtc_policer_source_add(pols[k], &a,
					(enum wrtc_policer_cand)wm->src.cand_type);
			else
				msg->result |= wrtc_policer_source_remove(pols[k], &a,
					(enum wrtc_policer_cand)wm->src.cand_type);
		}
		return;
	}
	if (wm->type == WRTC_WORKER_MSG_POLICER_RATE) {
		struct wrtc_policer_prm prm = {
			.bucket = wm->pol.bucket,
			.rate = wm->pol.rate,
			.priority_rate = wm->pol.priority_rate,
			.priority_bucket = wm->pol.priority_bucket,
			.pair_rate = wm->pol.pair_rate,
			.pair_bucket = wm->pol.pair_bucket,
		};

		msg->result = wrtc_policer_rate_set(wm->pol.p, &prm);
		return;
	}
	msg->result = -EINVAL;
}

/*
 * A MEDIA update of @p s, before it is applied (both the old transcoder and
 * the new one are still ours): the outgoing stream goes on unless the
 * profile asked for a new one (@c keep_ssrc false). A new transcoder
 * continues the old one's stream or the relayed one's; relaying after a
 * transcoder rewrites into the transcoder's stream (relay_out()); the same
 * handling as before changes nothing.
 */
static void
media_continue(struct wrtc_lcore *w, struct wrtc_stream *s, const struct wrtc_flow_update *u)
{
	struct wrtc_codec_xcoder *old = s->xcoder, *nx = u->xcoder;
	struct wrtc_flow_rtp_out *o = &s->rtp_out;
	struct wrtc_codec_outpos pos;

	if (nx == NULL)
		o->clock = u->clock;
	if (old == nx)
		return;
	if (!u->keep_ssrc) {
		o->rewrite = false;
		return;
	}
	if (old != NULL && nx != NULL) {
		if (wrtc_codec_xcoder_continue(nx, old) == 0)
			w->st.streams_continued++;
		return;
	}
	if (old != NULL) {
		/* Transcoded -> relayed. */
		wrtc_codec_xcoder_outpos(old, &pos);
		if (!pos.sent || o->clock == 0)
			return;
		o->ssrc = pos.ssrc;
		o->seq = (uint16_t)(pos.next_seq - 1);
		o->ts = pos.last_ts;
		o->us = pos.last_us;
		o->sent = true;
		o->rewrite = true;
		o->anchor = true;
		w->st.streams_continued++;
		return;
	}
	/* Relayed -> transcoded: the transcoder goes on in what the receiver had. */
	if (o->sent) {
		pos.ssrc = o->ssrc;
		pos.next_seq = (uint16_t)(o->seq + 1);
		pos.last_ts = o->ts;
		pos.last_us = o->us;
		pos.sent = true;
		if (wrtc_codec_xcoder_continue_from(nx, &pos) == 0)
			w->st.streams_continued++;
	}
	o->rewrite = false;
}

static unsigned int
apply_messages(struct wrtc_lcore *w)
{
	struct wrtc_flow_msg *msgs[MSG_BURST];
	unsigned int n, done;

	n = rte_ring_dequeue_burst(w->ctrl, (void **)msgs, MSG_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		struct wrtc_flow_msg *msg = msgs[i];

		if (msg->type == WRTC_FLOW_MSG_OWNER) {
			owner_msg_apply(w, wrtc_worker_msg_of(msg));
			continue;
		}
		if (msg->type == WRTC_FLOW_MSG_UPDATE && (msg->upd.fields & WRTC_FLOW_UPD_MEDIA) &&
		    msg->s != NULL)
			media_continue(w, msg->s, &msg->upd);
		wrtc_flow_msg_apply(w->flows, msg);
		if (msg->result != 0 || msg->s == NULL)
			continue;
		if (msg->type == WRTC_FLOW_MSG_REMOVE ||
		    (msg->type == WRTC_FLOW_MSG_UPDATE && (msg->upd.fields & WRTC_FLOW_UPD_REMOTE)))
			pair_policed_set(w, msg->s, false);
		if (msg->type == WRTC_FLOW_MSG_INSTALL ||
		    (msg->type == WRTC_FLOW_MSG_UPDATE && (msg->upd.fields & WRTC_FLOW_UPD_REMOTE)))
			pair_policed_set(w, msg->s, true);
		if (msg->type == WRTC_FLOW_MSG_UPDATE && (msg->upd.fields & WRTC_FLOW_UPD_MEDIA))
			reporter_set(w, msg->s, msg->s->xcoder != NULL && msg->s->rtcp_out != NULL);
		else if (msg->type == WRTC_FLOW_MSG_REMOVE)
			reporter_set(w, msg->s, false);
	}
	w->st.msgs += n;
	/* The control lcore keeps the messages in both rings below the reply
	 * ring's size, so this does not spin unless it stopped reading; then
	 * wait for room, since dropping a reply would leak the message. */
	done = 0;
	while (done < n)
		done += rte_ring_enqueue_burst(w->reply, (void **)msgs + done, n - done, NULL);
	return n;
}

/* SR (or RR) and SDES for the leg of a transcoded stream @p s: what we sent
 * to that leg (the reverse transcoder's output) and received from it. */
static void
send_report(struct wrtc_lcore *w, struct wrtc_stream *s, uint64_t now_us)
{
	struct wrtc_stream *peer = s->out_rtp, *o = s->rtcp_out;
	struct wrtc_stream *tr = o != NULL ? wrtc_flow_tx_of(o) : NULL;
	struct wrtc_rtp_rx_stats *rx;
	const struct wrtc_rtp_tx_stats *tx;
	struct rte_mbuf *m;
	struct timespec ts;
	uint8_t *p;
	int n;

	if (o == NULL || !tr->tmpl_valid || peer == NULL || peer->xcoder == NULL ||
	    w->dp->mp == NULL)
		return;
	tx = wrtc_codec_xcoder_tx_stats(peer->xcoder);
	rx = wrtc_codec_xcoder_rx_stats(s->xcoder);
	m = rte_pktmbuf_alloc(w->dp->mp);
	if (m == NULL) {
		w->st.drops[WRTC_DROP_NO_MBUF]++;
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	p = rte_pktmbuf_mtod(m, uint8_t *);
	n = wrtc_rtcp_build_report(p, rte_pktmbuf_tailroom(m) - WRTC_SRTP_MAX_TRAILER, tx, "wrtcgw",
				   wrtc_rtcp_ntp_from_unix_us((uint64_t)ts.tv_sec * 1000000 +
							      (uint64_t)ts.tv_nsec / 1000),
				   now_us, &rx, 1);
	if (n <= 0) {
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_append(m, (uint16_t)n);
	if (tr->srtp_tx != NULL) {
		size_t len = (size_t)n;
		unsigned int drop = drop_srtp_protect(tr->srtp_tx, p, &len,
						      len + rte_pktmbuf_tailroom(m), true);

		if (drop != WRTC_DROP_NONE) {
			w->st.drops[drop]++;
			rte_pktmbuf_free(m);
			return;
		}
		rte_pktmbuf_append(m, (uint16_t)(len - (size_t)n));
		n = (int)len;
	}
	if (drop_udp_prepend(m, &tr->tmpl, tr->ifc->tx_cksum_offload) != WRTC_DROP_NONE ||
	    rte_eth_tx_burst(w->dp->port[tr->iface].port_id, w->id, &m, 1) != 1) {
		w->st.drops[WRTC_DROP_TX_FULL]++;
		rte_pktmbuf_free(m);
		return;
	}
	o->c.tx_pkts++;
	o->c.tx_bytes += (uint64_t)n;
	w->st.tx_pkts++;
	w->st.rtcp_reports++;
}

static void
housekeeping(struct wrtc_lcore *w)
{
	uint64_t now = rte_rdtsc(), hz = rte_get_tsc_hz();

	if (now < w->next_housekeeping)
		return;
	w->next_housekeeping = now + hz / 10;
	for (uint32_t i = 0; i < w->nb_reporters; i++) {
		struct wrtc_stream *s = w->reporters[i];

		if (now < s->next_report_tsc)
			continue;
		send_report(w, s, now / w->tsc_per_us);
		/* 5 s with +-20 % jitter (RFC 3550 6.2 randomisation). */
		w->rnd = w->rnd * 1664525u + 1013904223u;
		s->next_report_tsc = now + hz * 4 + (hz * 2 / 1000) * ((w->rnd >> 8) % 1000);
	}
}

static unsigned int
send_ctrl_tx(struct wrtc_lcore *w)
{
	const struct wrtc_dataplane *dp = w->dp;
	struct rte_mbuf *pkts[WRTC_BURST];
	unsigned int n, sent = 0;

	n = rte_ring_dequeue_burst(w->ctrl_tx, (void **)pkts, WRTC_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		int16_t f = pkts[i]->port < RTE_MAX_ETHPORTS ? dp->iface_of_port[pkts[i]->port] : -1;

		if (f < 0 || rte_eth_tx_burst(dp->port[f].port_id, w->id, &pkts[i], 1) != 1) {
			w->st.drops[WRTC_DROP_TX_FULL]++;
			rte_pktmbuf_free(pkts[i]);
			continue;
		}
		sent++;
	}
	w->st.ctrl_tx += sent;
	w->st.tx_pkts += sent;
	return n;
}

unsigned int
wrtc_worker_poll_once(struct wrtc_lcore *w)
{
	const struct wrtc_dataplane *dp = w->dp;
	struct rte_mbuf *pkts[WRTC_BURST];
	unsigned int moved;
	uint16_t n;

	/* Control messages are work too (adaptive polling, busy cycles). */
	moved = apply_messages(w);
	for (uint16_t f = 0; f < dp->nb_ifaces; f++) {
		if (w->id >= dp->port[f].nb_rxq)
			continue;
		n = rte_eth_rx_burst(dp->port[f].port_id, w->id, pkts, WRTC_BURST);
		if (n == 0)
			continue;
		w->st.rx_pkts += n;
		run_burst(w, pkts, n, false);
		moved += n;
	}
	n = (uint16_t)rte_ring_dequeue_burst(w->handoff, (void **)pkts, WRTC_BURST, NULL);
	if (n != 0) {
		w->st.handoff_in += n;
		run_burst(w, pkts, n, true);
		moved += n;
	}
	n = (uint16_t)rte_ring_dequeue_burst(w->punt_handoff, (void **)pkts, WRTC_BURST, NULL);
	if (n != 0) {
		w->st.handoff_in += n;
		run_burst(w, pkts, n, true);
		moved += n;
	}
	moved += send_ctrl_tx(w);
	if ((w->st.iterations & 255) == 0)
		housekeeping(w);
	w->st.iterations++;
	if (moved != 0)
		w->st.busy_iterations++;
	/* Busy vs idle time: one TSC read per iteration, none per packet. The
	 * interval since the previous iteration ended is charged to this one. */
	{
		uint64_t now = rte_rdtsc();

		if (w->poll_tsc != 0) {
			if (moved != 0)
				w->st.busy_cycles += now - w->poll_tsc;
			else
				w->st.idle_cycles += now - w->poll_tsc;
		}
		w->poll_tsc = now;
	}
	return moved;
}

int
wrtc_worker_main(void *arg)
{
	struct wrtc_lcore *w = arg;

	w->lcore_id = rte_lcore_id();
	w->poll_tsc = rte_rdtsc();
	wrtc_worker_idle_init(w);
	while (!__atomic_load_n(&w->dp->quit, __ATOMIC_ACQUIRE))
		wrtc_worker_idle(w, wrtc_worker_poll_once(w));
	return 0;
}
