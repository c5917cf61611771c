/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rewrite: the SDP the gateway sends to one side, made from the SDP it got
 * from the other side, the codec decision and the gateway's own transport
 * (ports, addresses, ICE, DTLS or SDES). Control lcore only.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdp_priv.h"

struct out_fmt {
	int pt;	   /* PT written. */
	int in_pt; /* PT of the input it relays (for rtcp-fb), -1 if none. */
	const char *name;
	uint32_t clock;
	uint8_t channels;
	const char *fmtp; /* NULL or "" = none. */
};

struct rw {
	const struct wrtc_sdp *in;
	const struct wrtc_sdp_rewrite_prm *prm;
	struct sdp_buf b;
	char *err;
	size_t errlen;
	bool bundle;	 /* WebRTC side BUNDLE in effect. */
	int bundle_idx;	 /* m-line whose transport every bundled m-line uses, -1 = none. */
	int sess_family; /* Family of the session-level c= and o=. */
};

static int rw_fail(struct rw *rw, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
rw_fail(struct rw *rw, const char *fmt, ...)
{
	va_list ap;

	if (rw->err != NULL && rw->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(rw->err, rw->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* A value put into a line must not break the line (or add fields when !spaces). */
static bool
bad_str(const char *s, bool spaces)
{
	if (s == NULL)
		return false;
	for (; *s != '\0'; s++)
		if (*s == '\r' || *s == '\n' || ((*s == ' ' || *s == '\t') && !spaces))
			return true;
	return false;
}

static const struct wrtc_sdp_media *
offer_media(const struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp *o = rw->prm->offer;

	return o != NULL && idx < o->n_media ? &o->media[idx] : NULL;
}

static bool
is_rtp_proto(enum wrtc_sdp_proto p)
{
	return p >= WRTC_SDP_PROTO_RTP_AVP && p <= WRTC_SDP_PROTO_UDP_TLS_RTP_SAVPF;
}

static bool
is_dtls_proto(const char *proto)
{
	return strncmp(proto, "UDP/TLS/", 8) == 0 || strstr(proto, "DTLS") != NULL;
}

static const char *
out_proto(const struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp_media *m = &rw->in->media[idx];
	const struct wrtc_sdp_media *om = offer_media(rw, idx);

	if (!rw->prm->is_offer && om != NULL)
		return om->proto_str;
	if (!is_rtp_proto(m->proto))
		return m->proto_str;
	if (rw->prm->side == WRTC_SDP_SIDE_WEBRTC)
		return "UDP/TLS/RTP/SAVPF";
	return rw->prm->sdes ? "RTP/SAVP" : "RTP/AVP";
}

static bool
is_rejected(const struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp_media *m = &rw->in->media[idx];
	const struct wrtc_sdp_rewrite_media *pm = &rw->prm->media[idx];
	const struct wrtc_sdp_media *om = offer_media(rw, idx);

	if (pm->rtp_port == 0 || m->port == 0)
		return true;
	if (pm->codecs != NULL && pm->codecs->mode == WRTC_SDP_CODEC_REJECT)
		return true;
	if (rw->prm->side == WRTC_SDP_SIDE_SIP && !is_rtp_proto(m->proto))
		return true;
	return !rw->prm->is_offer && om != NULL && om->port == 0;
}

static const char *
out_mid(const struct rw *rw, unsigned int idx, char *tmp, size_t size)
{
	const struct wrtc_sdp_media *om = offer_media(rw, idx);

	if (!rw->prm->is_offer)
		return om != NULL && om->mid[0] != '\0' ? om->mid : NULL;
	if (rw->in->media[idx].mid[0] != '\0')
		return rw->in->media[idx].mid;
	snprintf(tmp, size, "%u", idx);
	return tmp;
}

static bool
in_bundle(const struct rw *rw, unsigned int idx)
{
	char tmp[16];
	const char *mid;

	if (!rw->bundle || is_rejected(rw, idx))
		return false;
	mid = out_mid(rw, idx, tmp, sizeof(tmp));
	if (mid == NULL)
		return false;
	if (rw->prm->is_offer)
		return true;
	return wrtc_sdp_group_find(rw->prm->offer, "BUNDLE", mid) != NULL;
}

/* The family the peer asked for at m-line idx of ref. */
static int
signalled_family(const struct wrtc_sdp *ref, unsigned int idx, bool by_candidates)
{
	const struct wrtc_sdp_conn *c;

	if (by_candidates && idx < ref->n_media) {
		const struct wrtc_sdp_media *m = &ref->media[idx];
		const struct wrtc_sdp_candidate *best = NULL;

		for (unsigned int i = 0; i < m->n_cands; i++)
			if (m->cands[i].addr.family != 0 &&
			    (best == NULL || m->cands[i].priority > best->priority))
				best = &m->cands[i];
		if (best != NULL)
			return best->addr.family;
	}
	c = wrtc_sdp_media_conn(ref, idx);
	return c != NULL && c->addrtype != 0 ? c->addrtype : AF_INET;
}

static int
pick_family(struct rw *rw, unsigned int idx, int *family)
{
	const struct wrtc_sdp_rewrite_prm *prm = rw->prm;
	const struct wrtc_sdp *ref = (!prm->is_offer && prm->offer != NULL) ? prm->offer : rw->in;
	int f;

	switch (prm->af_pref) {
	case WRTC_SDP_AF_IPV6:
		f = AF_INET6;
		break;
	case WRTC_SDP_AF_MATCH:
		f = signalled_family(ref, idx, false);
		break;
	case WRTC_SDP_AF_RECEIVED:
		f = signalled_family(ref, idx, true);
		break;
	default:
		f = AF_INET;
		break;
	}
	if (f == AF_INET && prm->addr4 == NULL)
		f = AF_INET6;
	else if (f == AF_INET6 && prm->addr6 == NULL)
		f = AF_INET;
	if ((f == AF_INET && prm->addr4 == NULL) || (f == AF_INET6 && prm->addr6 == NULL))
		return rw_fail(rw, "media[%u]: no local address (addr4 and addr6 are NULL)", idx);
	*family = f;
	return 0;
}

static const char *
local_addr(const struct rw *rw, int family)
{
	return family == AF_INET6 ? rw->prm->addr6 : rw->prm->addr4;
}

static const char *
ip_name(int family)
{
	return family == AF_INET6 ? "IP6" : "IP4";
}

static int
add_fmt(struct out_fmt *f, unsigned int *n, unsigned int max, int pt, int in_pt, const char *name,
	uint32_t clock, uint8_t channels, const char *fmtp)
{
	for (unsigned int i = 0; i < *n; i++)
		if (f[i].pt == pt)
			return 0;
	if (*n == max || pt < 0 || pt > 127)
		return 0;
	f[*n] = (struct out_fmt){pt, in_pt, name, clock, channels, fmtp};
	(*n)++;
	return 0;
}

/* The formats of output m-line idx; f has room for max entries. */
static int
build_formats(struct rw *rw, unsigned int idx, struct out_fmt *f, unsigned int *n, unsigned int max)
{
	const struct wrtc_sdp_media *m = &rw->in->media[idx];
	const struct wrtc_sdp_codec_decision *dec = rw->prm->media[idx].codecs;
	const struct wrtc_sdp_media *om = offer_media(rw, idx);

	*n = 0;
	if (dec == NULL) {
		for (unsigned int i = 0; i < m->n_codecs; i++) {
			const struct wrtc_sdp_codec_desc *c = &m->codecs[i];

			add_fmt(f, n, max, c->pt, c->pt, c->name, c->clock, c->channels, c->fmtp);
		}
		return 0;
	}
	if (rw->prm->is_offer) {
		for (unsigned int i = 0; i < dec->n_b_offer; i++) {
			const struct wrtc_sdp_codec *c = &dec->b_offer[i];

			add_fmt(f, n, max, c->pt, dec->a_offer_pt[i], c->name, c->clock,
				c->channels, c->fmtp);
		}
		return 0;
	}
	if (!dec->answered)
		return rw_fail(rw,
			       "media[%u]: codec decision has no answer "
			       "(call wrtc_sdp_codec_answer() first)",
			       idx);
	{
		const struct wrtc_sdp_codec *a = &dec->a_codec;
		const struct wrtc_sdp_codec_desc *d =
		    om != NULL ? wrtc_sdp_media_codec(om, (unsigned int)a->pt) : NULL;

		add_fmt(f, n, max, a->pt, dec->mode == WRTC_SDP_CODEC_RELAY ? dec->b_codec.pt : -1,
			a->name, a->clock, a->channels,
			a->fmtp[0] != '\0' ? a->fmtp : (d != NULL ? d->fmtp : NULL));
	}
	for (unsigned int i = 0; i < dec->n_map; i++) {
		const struct wrtc_sdp_codec_desc *d =
		    om != NULL ? wrtc_sdp_media_codec(om, dec->map[i].a_pt) : NULL;

		if (d == NULL || d->name[0] == '\0')
			continue;
		add_fmt(f, n, max, d->pt, dec->map[i].b_pt, d->name, d->clock, d->channels,
			d->fmtp);
	}
	if (dec->a_te_pt >= 0) {
		const struct wrtc_sdp_codec_desc *d =
		    om != NULL ? wrtc_sdp_media_codec(om, (unsigned int)dec->a_te_pt) : NULL;

		add_fmt(f, n, max, dec->a_te_pt, dec->b_te_pt, "telephone-event", dec->a_te_clock,
			1, d != NULL && d->fmtp != NULL ? d->fmtp : "0-16");
	}
	return 0;
}

/* Attributes the rewrite writes itself, or that belong to one transport only. */
static bool
dropped_attr(const char *line)
{
	static const char *const names[] = {
	    "rtpmap",
	    "fmtp",
	    "rtcp-fb",
	    "ptime",
	    "maxptime",
	    "sendrecv",
	    "sendonly",
	    "recvonly",
	    "inactive",
	    "rtcp",
	    "rtcp-mux",
	    "rtcp-mux-only",
	    "rtcp-rsize",
	    "rtcp-xr",
	    "mid",
	    "group",
	    "ice-ufrag",
	    "ice-pwd",
	    "ice-options",
	    "ice-lite",
	    "ice-mismatch",
	    "ice-pacing",
	    "candidate",
	    "end-of-candidates",
	    "remote-candidates",
	    "fingerprint",
	    "setup",
	    "connection",
	    "tls-id",
	    "crypto",
	    "ssrc",
	    "ssrc-group",
	    "extmap",
	    "extmap-allow-mixed",
	    "msid",
	    "msid-semantic",
	    "rid",
	    "simulcast",
	    "sctp-port",
	    "max-message-size",
	    "sctpmap",
	    "bundle-only",
	    "direction",
	    "identity",
	};
	size_t len = strcspn(line, ":");

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncmp(line, names[i], len) == 0)
			return true;
	return false;
}

static enum wrtc_sdp_dir
out_dir(const struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp_rewrite_media *pm = &rw->prm->media[idx];
	enum wrtc_sdp_dir d;

	if (pm->dir != WRTC_SDP_DIR_NONE)
		return pm->dir;
	d = wrtc_sdp_media_dir(rw->in, idx);
	/* RFC 2543 hold (c=0.0.0.0): the sender does not want to receive. */
	if (wrtc_sdp_media_is_hold(rw->in, idx)) {
		if (d == WRTC_SDP_DIR_SENDRECV)
			d = WRTC_SDP_DIR_SENDONLY;
		else if (d == WRTC_SDP_DIR_RECVONLY)
			d = WRTC_SDP_DIR_INACTIVE;
	}
	return d;
}

static enum wrtc_sdp_setup
out_setup(const struct rw *rw, unsigned int idx)
{
	if (rw->prm->setup != WRTC_SDP_SETUP_NONE)
		return rw->prm->setup;
	if (rw->prm->is_offer || rw->prm->offer == NULL)
		return WRTC_SDP_SETUP_ACTPASS;
	switch (wrtc_sdp_media_setup(rw->prm->offer, idx)) {
	case WRTC_SDP_SETUP_ACTIVE:
		return WRTC_SDP_SETUP_PASSIVE;
	case WRTC_SDP_SETUP_HOLDCONN:
		return WRTC_SDP_SETUP_HOLDCONN;
	default:
		return WRTC_SDP_SETUP_ACTIVE;
	}
}

static void
put_rtcp_fb(struct rw *rw, const struct wrtc_sdp_media *m, const struct out_fmt *f, unsigned int n)
{
	bool have[128] = {false};

	for (unsigned int i = 0; i < m->n_lines; i++) {
		const char *v = m->lines[i].value;
		char *end;
		long pt;

		if (m->lines[i].type != 'a' || strncmp(v, "rtcp-fb:", 8) != 0)
			continue;
		v += 8;
		if (v[0] == '*') {
			sdp_buf_printf(&rw->b, "a=rtcp-fb:%s\r\n", v);
			continue;
		}
		pt = strtol(v, &end, 10);
		if (end == v || (*end != ' ' && *end != '\t'))
			continue;
		for (unsigned int j = 0; j < n; j++) {
			if (f[j].in_pt != pt)
				continue;
			sdp_buf_printf(&rw->b, "a=rtcp-fb:%d%s\r\n", f[j].pt, end);
			have[f[j].pt] = true;
		}
	}
	if (m->type != WRTC_SDP_MEDIA_VIDEO)
		return;
	/* A video stream from RTP/AVP still needs browsers to ask for key frames. */
	for (unsigned int j = 0; j < n; j++) {
		if (have[f[j].pt] || f[j].name == NULL || sdp_name_eq(f[j].name, "rtx") ||
		    sdp_name_eq(f[j].name, "red") || sdp_name_eq(f[j].name, "ulpfec"))
			continue;
		sdp_buf_printf(&rw->b,
			       "a=rtcp-fb:%d nack\r\na=rtcp-fb:%d nack pli\r\n"
			       "a=rtcp-fb:%d ccm fir\r\n",
			       f[j].pt, f[j].pt, f[j].pt);
	}
}

/* DTLS end to end: the peer's own fingerprint and role, so the browser on the
 * other side runs its handshake with it (docs/configuration.md, srtp_relay). */
static void
put_peer_dtls(struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp_fingerprint *fp = wrtc_sdp_media_fingerprint(rw->in, idx);
	enum wrtc_sdp_setup setup = wrtc_sdp_media_setup(rw->in, idx);

	if (fp != NULL && fp->present && fp->size > 0) {
		sdp_buf_printf(&rw->b, "a=fingerprint:%s ", fp->hash);
		for (size_t i = 0; i < fp->size; i++)
			sdp_buf_printf(&rw->b, "%s%02X", i > 0 ? ":" : "", fp->bytes[i]);
		sdp_buf_puts(&rw->b, "\r\n");
	}
	if (setup == WRTC_SDP_SETUP_NONE)
		setup = rw->prm->is_offer ? WRTC_SDP_SETUP_ACTPASS : WRTC_SDP_SETUP_ACTIVE;
	sdp_buf_printf(&rw->b, "a=setup:%s\r\n", wrtc_sdp_setup_name(setup));
}

/* Lines dropped_attr() drops that still hold when the gateway does not touch
 * them: SCTP parameters of a data channel (SCTP runs end to end), and in
 * DTLS pass-through the sender's RTP stream description. */
static bool
kept_attr(const struct rw *rw, const struct wrtc_sdp_media *m, const char *line)
{
	static const char *const sctp[] = {"sctp-port", "max-message-size", "sctpmap"};
	static const char *const e2e[] = {"ssrc", "ssrc-group", "msid", "extmap",
					  "extmap-allow-mixed", "rid", "simulcast"};
	size_t len = strcspn(line, ":");

	if (m->proto == WRTC_SDP_PROTO_UDP_DTLS_SCTP)
		for (size_t i = 0; i < sizeof(sctp) / sizeof(sctp[0]); i++)
			if (strlen(sctp[i]) == len && strncmp(line, sctp[i], len) == 0)
				return true;
	if (!rw->prm->dtls_passthrough || rw->prm->side != WRTC_SDP_SIDE_WEBRTC)
		return false;
	for (size_t i = 0; i < sizeof(e2e) / sizeof(e2e[0]); i++)
		if (strlen(e2e[i]) == len && strncmp(line, e2e[i], len) == 0)
			return true;
	return false;
}

static int
put_transport(struct rw *rw, unsigned int idx, int family, uint16_t port, bool dtls)
{
	const struct wrtc_sdp_rewrite_prm *prm = rw->prm;
	unsigned int t = rw->bundle && in_bundle(rw, idx) ? (unsigned int)rw->bundle_idx : idx;
	const struct wrtc_sdp_rewrite_media *pm = &prm->media[t];
	const struct wrtc_sdp_media *om = offer_media(rw, idx);
	bool mux;
	uint16_t rtcp = pm->rtcp_port ? pm->rtcp_port : (uint16_t)(port + 1);

	if (prm->ice_mode != WRTC_SDP_ICE_NONE) {
		sdp_buf_printf(&rw->b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", prm->ice_ufrag,
			       prm->ice_pwd);
		if (prm->ice_options != NULL && prm->ice_options[0] != '\0')
			sdp_buf_printf(&rw->b, "a=ice-options:%s\r\n", prm->ice_options);
	}
	if (dtls && prm->dtls_passthrough)
		put_peer_dtls(rw, idx);
	else if (dtls) {
		sdp_buf_printf(&rw->b, "a=fingerprint:%s %s\r\n", prm->fp_hash, prm->fp_hex);
		sdp_buf_printf(&rw->b, "a=setup:%s\r\n", wrtc_sdp_setup_name(out_setup(rw, idx)));
	}
	if (prm->side == WRTC_SDP_SIDE_WEBRTC)
		mux = true;
	else if (prm->is_offer)
		mux = prm->rtcp_mux;
	else
		mux = prm->rtcp_mux && om != NULL && om->rtcp_mux;
	if (rw->in->media[idx].proto == WRTC_SDP_PROTO_UDP_DTLS_SCTP)
		mux = true; /* no RTCP: neither a=rtcp nor a=rtcp-mux */
	else if (!mux || (prm->is_offer && prm->side == WRTC_SDP_SIDE_SIP))
		sdp_buf_printf(&rw->b, "a=rtcp:%u IN %s %s\r\n", rtcp, ip_name(family),
			       local_addr(rw, family));
	if (mux && rw->in->media[idx].proto != WRTC_SDP_PROTO_UDP_DTLS_SCTP)
		sdp_buf_puts(&rw->b, "a=rtcp-mux\r\n");
	if (prm->ice_mode == WRTC_SDP_ICE_NONE)
		return 0;
	for (unsigned int i = 0; i < pm->n_cands; i++) {
		const struct wrtc_sdp_local_cand *c = &pm->cands[i];
		unsigned int comp = c->component ? c->component : 1;

		if (mux && comp != 1)
			continue;
		sdp_buf_printf(&rw->b, "a=candidate:%s %u udp %u %s %u typ %s", c->foundation, comp,
			       c->priority, c->addr, c->port, wrtc_sdp_cand_type_name(c->type));
		if (c->raddr[0] != '\0')
			sdp_buf_printf(&rw->b, " raddr %s rport %u", c->raddr, c->rport);
		sdp_buf_puts(&rw->b, "\r\n");
	}
	sdp_buf_puts(&rw->b, "a=end-of-candidates\r\n");
	return 0;
}

/* True when the packets are relayed unchanged, so the peer's maxptime still holds. */
static bool
all_relayed(const struct wrtc_sdp_codec_decision *dec, bool is_offer)
{
	if (dec == NULL)
		return true;
	if (!is_offer)
		return dec->answered && dec->mode == WRTC_SDP_CODEC_RELAY;
	for (unsigned int i = 0; i < dec->n_b_offer; i++)
		if (dec->a_offer_pt[i] < 0)
			return false;
	return true;
}

static int
put_media(struct rw *rw, unsigned int idx)
{
	const struct wrtc_sdp_rewrite_prm *prm = rw->prm;
	const struct wrtc_sdp_media *m = &rw->in->media[idx];
	const struct wrtc_sdp_rewrite_media *pm = &prm->media[idx];
	const struct wrtc_sdp_codec_decision *dec = pm->codecs;
	const char *proto = out_proto(rw, idx);
	struct out_fmt f[WRTC_SDP_MAX_CODECS + 128];
	unsigned int n = 0;
	char tmp[16];
	const char *mid = out_mid(rw, idx, tmp, sizeof(tmp));
	bool webrtc = prm->side == WRTC_SDP_SIDE_WEBRTC;
	bool dtls = is_dtls_proto(proto);
	uint16_t port;
	uint32_t ptime = 0;
	int family, rc;

	if (is_rejected(rw, idx)) {
		const struct wrtc_sdp_media *om = offer_media(rw, idx);
		const struct wrtc_sdp_media *src = om != NULL && om->n_fmts > 0 ? om : m;

		sdp_buf_printf(&rw->b, "m=%s 0 %s", m->media, proto);
		for (unsigned int i = 0; i < src->n_fmts; i++)
			sdp_buf_printf(&rw->b, " %s", src->fmts[i]);
		if (src->n_fmts == 0)
			sdp_buf_puts(&rw->b, " 0");
		sdp_buf_puts(&rw->b, "\r\n");
		if (webrtc && mid != NULL)
			sdp_buf_printf(&rw->b, "a=mid:%s\r\n", mid);
		/* A rejected m-section still carries the transport lines (ICE,
		 * DTLS, rtcp-mux) and says inactive, as browsers write it: some
		 * endpoints (aiortc) refuse an answer without them. */
		if (webrtc && prm->ice_mode != WRTC_SDP_ICE_NONE)
			sdp_buf_printf(&rw->b, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", prm->ice_ufrag,
				       prm->ice_pwd);
		if (webrtc && dtls && !prm->dtls_passthrough && prm->fp_hash != NULL &&
		    prm->fp_hex != NULL)
			sdp_buf_printf(&rw->b, "a=fingerprint:%s %s\r\na=setup:%s\r\n", prm->fp_hash,
				       prm->fp_hex, wrtc_sdp_setup_name(out_setup(rw, idx)));
		if (webrtc && m->proto != WRTC_SDP_PROTO_UDP_DTLS_SCTP)
			sdp_buf_puts(&rw->b, "a=rtcp-mux\r\na=inactive\r\n");
		return 0;
	}
	if (m->n_codecs > 0 || dec != NULL) {
		rc = build_formats(rw, idx, f, &n, sizeof(f) / sizeof(f[0]));
		if (rc != 0)
			return rc;
		if (n == 0)
			return rw_fail(rw, "media[%u]: no formats left to write", idx);
	}
	rc = pick_family(rw, idx, &family);
	if (rc != 0)
		return rc;
	port =
	    rw->bundle && in_bundle(rw, idx) ? prm->media[rw->bundle_idx].rtp_port : pm->rtp_port;
	if (dtls && !prm->dtls_passthrough && (prm->fp_hash == NULL || prm->fp_hex == NULL))
		return rw_fail(rw, "media[%u]: %s needs fp_hash and fp_hex", idx, proto);
	if (prm->side == WRTC_SDP_SIDE_SIP && strstr(proto, "SAVP") != NULL && !dtls &&
	    pm->n_crypto == 0)
		return rw_fail(rw, "media[%u]: %s needs a=crypto lines (n_crypto is 0)", idx,
			       proto);

	sdp_buf_printf(&rw->b, "m=%s %u %s", m->media, port, proto);
	if (n > 0)
		for (unsigned int i = 0; i < n; i++)
			sdp_buf_printf(&rw->b, " %d", f[i].pt);
	else
		for (unsigned int i = 0; i < m->n_fmts; i++)
			sdp_buf_printf(&rw->b, " %s", m->fmts[i]);
	sdp_buf_puts(&rw->b, "\r\n");
	if (family != rw->sess_family)
		sdp_buf_printf(&rw->b, "c=IN %s %s\r\n", ip_name(family), local_addr(rw, family));
	for (unsigned int i = 0; i < m->n_lines; i++)
		if (m->lines[i].type == 'b' || m->lines[i].type == 'i')
			sdp_buf_printf(&rw->b, "%c=%s\r\n", m->lines[i].type, m->lines[i].value);
	rc = put_transport(rw, idx, family, port, dtls);
	if (rc != 0)
		return rc;
	if (webrtc && mid != NULL)
		sdp_buf_printf(&rw->b, "a=mid:%s\r\n", mid);
	if (m->proto != WRTC_SDP_PROTO_UDP_DTLS_SCTP)
		sdp_buf_printf(&rw->b, "a=%s\r\n", wrtc_sdp_dir_name(out_dir(rw, idx)));
	for (unsigned int i = 0; i < n; i++) {
		const struct out_fmt *o = &f[i];

		if (o->name != NULL && o->name[0] != '\0') {
			sdp_buf_printf(&rw->b, "a=rtpmap:%d %s/%u", o->pt, o->name, o->clock);
			if (o->channels > 1)
				sdp_buf_printf(&rw->b, "/%u", o->channels);
			sdp_buf_puts(&rw->b, "\r\n");
		}
		if (o->fmtp != NULL && o->fmtp[0] != '\0')
			sdp_buf_printf(&rw->b, "a=fmtp:%d %s\r\n", o->pt, o->fmtp);
	}
	if (webrtc)
		put_rtcp_fb(rw, m, f, n);
	if (dec == NULL)
		ptime = m->ptime;
	else if (prm->is_offer)
		ptime = dec->n_b_offer > 0 ? dec->b_offer[0].ptime : 0;
	else
		ptime = dec->a_ptime;
	if (ptime != 0)
		sdp_buf_printf(&rw->b, "a=ptime:%u\r\n", ptime);
	if (m->maxptime != 0 && all_relayed(dec, prm->is_offer))
		sdp_buf_printf(&rw->b, "a=maxptime:%u\r\n", m->maxptime);
	if (prm->side == WRTC_SDP_SIDE_SIP && !dtls)
		for (unsigned int i = 0; i < pm->n_crypto; i++) {
			const struct wrtc_sdp_crypto *c = &pm->crypto[i];

			sdp_buf_printf(&rw->b, "a=crypto:%u %s %s%s%s\r\n", c->tag, c->suite,
				       c->key_params, c->session_params[0] ? " " : "",
				       c->session_params);
		}
	for (unsigned int i = 1; i < m->n_lines; i++)
		if (m->lines[i].type == 'a' && (!dropped_attr(m->lines[i].value) ||
						kept_attr(rw, m, m->lines[i].value)))
			sdp_buf_printf(&rw->b, "a=%s\r\n", m->lines[i].value);
	return 0;
}

static int
check_prm(struct rw *rw)
{
	const struct wrtc_sdp_rewrite_prm *prm = rw->prm;
	const struct wrtc_sdp *in = rw->in;

	if (prm->n_media != in->n_media || (in->n_media > 0 && prm->media == NULL))
		return rw_fail(rw, "n_media is %u but the SDP has %u m-lines", prm->n_media,
			       in->n_media);
	if (!prm->is_offer && prm->offer == NULL)
		return rw_fail(rw, "offer: required for an answer");
	if (!prm->is_offer && prm->offer->n_media != in->n_media)
		return rw_fail(rw, "offer has %u m-lines but the answer has %u",
			       prm->offer->n_media, in->n_media);
	if (prm->ice_mode != WRTC_SDP_ICE_NONE &&
	    (prm->ice_ufrag == NULL || prm->ice_pwd == NULL || prm->ice_ufrag[0] == '\0' ||
	     prm->ice_pwd[0] == '\0'))
		return rw_fail(rw, "ice_ufrag/ice_pwd: required when ice_mode is not none");
	if (bad_str(prm->ice_ufrag, false) || bad_str(prm->ice_pwd, false) ||
	    bad_str(prm->ice_options, true) || bad_str(prm->fp_hash, false) ||
	    bad_str(prm->fp_hex, false) || bad_str(prm->addr4, false) ||
	    bad_str(prm->addr6, false) || bad_str(prm->o_username, false) ||
	    bad_str(prm->s_name, true))
		return rw_fail(rw, "a string parameter contains a line break or a space");
	for (unsigned int i = 0; i < prm->n_media; i++) {
		const struct wrtc_sdp_rewrite_media *pm = &prm->media[i];

		for (unsigned int j = 0; j < pm->n_cands; j++)
			if (pm->cands[j].foundation[0] == '\0' ||
			    bad_str(pm->cands[j].foundation, false) ||
			    bad_str(pm->cands[j].addr, false) || pm->cands[j].addr[0] == '\0' ||
			    bad_str(pm->cands[j].raddr, false))
				return rw_fail(rw,
					       "media[%u].cands[%u]: empty or bad foundation "
					       "or address",
					       i, j);
		for (unsigned int j = 0; j < pm->n_crypto; j++)
			if (bad_str(pm->crypto[j].suite, false) ||
			    bad_str(pm->crypto[j].key_params, false) ||
			    bad_str(pm->crypto[j].session_params, true) ||
			    pm->crypto[j].suite[0] == '\0' || pm->crypto[j].key_params[0] == '\0')
				return rw_fail(
				    rw, "media[%u].crypto[%u]: empty or bad suite or key", i, j);
		if (pm->codecs != NULL && prm->is_offer && pm->codecs->n_b_offer == 0 &&
		    pm->codecs->mode != WRTC_SDP_CODEC_REJECT)
			return rw_fail(rw, "media[%u]: codec decision has no offer list", i);
	}
	return 0;
}

static void
put_session(struct rw *rw)
{
	const struct wrtc_sdp_rewrite_prm *prm = rw->prm;
	const struct wrtc_sdp *in = rw->in;
	const char *addr = local_addr(rw, rw->sess_family);

	sdp_buf_printf(&rw->b, "v=0\r\no=%s %llu %llu IN %s %s\r\ns=%s\r\n",
		       prm->o_username ? prm->o_username : "-", (unsigned long long)prm->sess_id,
		       (unsigned long long)prm->sess_version, ip_name(rw->sess_family), addr,
		       prm->s_name && prm->s_name[0] ? prm->s_name : "-");
	for (unsigned int i = 0; i < in->n_lines; i++)
		if (strchr("iuep", in->lines[i].type) != NULL)
			sdp_buf_printf(&rw->b, "%c=%s\r\n", in->lines[i].type, in->lines[i].value);
	sdp_buf_printf(&rw->b, "c=IN %s %s\r\n", ip_name(rw->sess_family), addr);
	for (unsigned int i = 0; i < in->n_lines; i++)
		if (in->lines[i].type == 'b')
			sdp_buf_printf(&rw->b, "b=%s\r\n", in->lines[i].value);
	sdp_buf_puts(&rw->b, "t=0 0\r\n");
	if (prm->ice_mode == WRTC_SDP_ICE_LITE)
		sdp_buf_puts(&rw->b, "a=ice-lite\r\n");
	if (rw->bundle) {
		bool any = false;

		for (unsigned int i = 0; i < in->n_media; i++) {
			char tmp[16];

			if (!in_bundle(rw, i))
				continue;
			sdp_buf_printf(&rw->b, "%s %s", any ? "" : "a=group:BUNDLE",
				       out_mid(rw, i, tmp, sizeof(tmp)));
			any = true;
		}
		if (any)
			sdp_buf_puts(&rw->b, "\r\n");
		if (prm->side == WRTC_SDP_SIDE_WEBRTC)
			sdp_buf_puts(&rw->b, "a=msid-semantic: WMS *\r\n");
	}
	for (unsigned int i = 0; i < in->n_lines; i++)
		if (in->lines[i].type == 'a' && !dropped_attr(in->lines[i].value))
			sdp_buf_printf(&rw->b, "a=%s\r\n", in->lines[i].value);
}

int
wrtc_sdp_rewrite(const struct wrtc_sdp *in, const struct wrtc_sdp_rewrite_prm *prm, char **out,
		 char *err, size_t errlen)
{
	struct rw rw = {.in = in, .prm = prm, .err = err, .errlen = errlen, .bundle_idx = -1};
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (in == NULL || prm == NULL || out == NULL)
		return -EINVAL;
	*out = NULL;
	rc = check_prm(&rw);
	if (rc != 0)
		return rc;
	rw.bundle = prm->side == WRTC_SDP_SIDE_WEBRTC && prm->bundle &&
		    (prm->is_offer || wrtc_sdp_group_find(prm->offer, "BUNDLE", NULL) != NULL);
	for (unsigned int i = 0; rw.bundle && i < in->n_media; i++)
		if (in_bundle(&rw, i)) {
			rw.bundle_idx = (int)i;
			break;
		}
	if (rw.bundle_idx < 0)
		rw.bundle = false;
	rw.sess_family = prm->addr4 != NULL ? AF_INET : AF_INET6;
	for (unsigned int i = 0; i < in->n_media; i++)
		if (!is_rejected(&rw, i)) {
			rc = pick_family(&rw, i, &rw.sess_family);
			if (rc != 0)
				return rc;
			break;
		}
	if (local_addr(&rw, rw.sess_family) == NULL)
		return rw_fail(&rw, "addr4/addr6: no local address");
	put_session(&rw);
	for (unsigned int i = 0; i < in->n_media; i++) {
		rc = put_media(&rw, i);
		if (rc != 0) {
			sdp_buf_fini(&rw.b);
			return rc;
		}
	}
	rc = sdp_buf_take(&rw.b, &text, &len);
	if (rc != 0)
		return rc;
	if (prm->rules == NULL) {
		*out = text;
		return 0;
	}
	rc = wrtc_sdp_rules_apply(prm->rules, WRTC_SDP_RULE_OUT, text, len, out);
	free(text);
	return rc;
}
