/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Serialisation of the kept lines, the accessors that resolve session-level
 * defaults, and the value names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "sdp_priv.h"

static void
put_lines(struct sdp_buf *b, const struct wrtc_sdp_line *lines, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		char t[2] = {lines[i].type, '='};

		sdp_buf_add(b, t, 2);
		sdp_buf_puts(b, lines[i].value);
		sdp_buf_add(b, "\r\n", 2);
	}
}

int
wrtc_sdp_serialize(const struct wrtc_sdp *sdp, char **out, size_t *len)
{
	struct sdp_buf b = {0};

	if (sdp == NULL || out == NULL)
		return -EINVAL;
	put_lines(&b, sdp->lines, sdp->n_lines);
	for (unsigned int i = 0; i < sdp->n_media; i++)
		put_lines(&b, sdp->media[i].lines, sdp->media[i].n_lines);
	return sdp_buf_take(&b, out, len);
}

const struct wrtc_sdp_conn *
wrtc_sdp_media_conn(const struct wrtc_sdp *sdp, unsigned int idx)
{
	if (idx < sdp->n_media && sdp->media[idx].conn.present)
		return &sdp->media[idx].conn;
	return sdp->conn.present ? &sdp->conn : NULL;
}

enum wrtc_sdp_dir
wrtc_sdp_media_dir(const struct wrtc_sdp *sdp, unsigned int idx)
{
	if (idx < sdp->n_media && sdp->media[idx].dir != WRTC_SDP_DIR_NONE)
		return sdp->media[idx].dir;
	return sdp->dir != WRTC_SDP_DIR_NONE ? sdp->dir : WRTC_SDP_DIR_SENDRECV;
}

struct wrtc_sdp_ice
wrtc_sdp_media_ice(const struct wrtc_sdp *sdp, unsigned int idx)
{
	struct wrtc_sdp_ice ice = sdp->ice;

	if (idx < sdp->n_media) {
		const struct wrtc_sdp_ice *m = &sdp->media[idx].ice;

		if (m->ufrag[0] != '\0')
			memcpy(ice.ufrag, m->ufrag, sizeof(ice.ufrag));
		if (m->pwd[0] != '\0')
			memcpy(ice.pwd, m->pwd, sizeof(ice.pwd));
		if (m->options[0] != '\0')
			memcpy(ice.options, m->options, sizeof(ice.options));
	}
	return ice;
}

const struct wrtc_sdp_fingerprint *
wrtc_sdp_media_fingerprint(const struct wrtc_sdp *sdp, unsigned int idx)
{
	if (idx < sdp->n_media && sdp->media[idx].fp.present)
		return &sdp->media[idx].fp;
	return sdp->fp.present ? &sdp->fp : NULL;
}

enum wrtc_sdp_setup
wrtc_sdp_media_setup(const struct wrtc_sdp *sdp, unsigned int idx)
{
	if (idx < sdp->n_media && sdp->media[idx].setup != WRTC_SDP_SETUP_NONE)
		return sdp->media[idx].setup;
	return sdp->setup;
}

const struct wrtc_sdp_codec_desc *
wrtc_sdp_media_codec(const struct wrtc_sdp_media *m, unsigned int pt)
{
	for (unsigned int i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

const struct wrtc_sdp_group *
wrtc_sdp_group_find(const struct wrtc_sdp *sdp, const char *semantics, const char *mid)
{
	for (unsigned int i = 0; i < sdp->n_groups; i++) {
		const struct wrtc_sdp_group *g = &sdp->groups[i];

		if (strcmp(g->semantics, semantics) != 0)
			continue;
		if (mid == NULL)
			return g;
		for (unsigned int j = 0; j < g->n_mids; j++)
			if (strcmp(g->mids[j], mid) == 0)
				return g;
	}
	return NULL;
}

/* Is m-line @p i in a BUNDLE group (it has a mid the group lists)? */
static bool
in_bundle(const struct wrtc_sdp *sdp, unsigned int i)
{
	return sdp->media[i].mid[0] != '\0' &&
	       wrtc_sdp_group_find(sdp, "BUNDLE", sdp->media[i].mid) != NULL;
}

bool
wrtc_sdp_bundled_behind(const struct wrtc_sdp *sdp, unsigned int idx)
{
	if (idx >= sdp->n_media || !in_bundle(sdp, idx))
		return false;
	for (unsigned int i = 0; i < idx; i++)
		if (sdp->media[i].port != 0 && in_bundle(sdp, i))
			return true;
	return false;
}

static bool
addr_is_any(const struct wrtc_sdp_addr *a)
{
	if (a->family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == INADDR_ANY;
	if (a->family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return false;
}

bool
wrtc_sdp_media_is_hold(const struct wrtc_sdp *sdp, unsigned int idx)
{
	enum wrtc_sdp_dir dir = wrtc_sdp_media_dir(sdp, idx);
	const struct wrtc_sdp_conn *c;
	struct wrtc_sdp_ice ice;

	if (dir == WRTC_SDP_DIR_SENDONLY || dir == WRTC_SDP_DIR_INACTIVE)
		return true;
	/* With ICE, c=0.0.0.0 is the normal "address comes from candidates" value. */
	ice = wrtc_sdp_media_ice(sdp, idx);
	if (ice.ufrag[0] != '\0')
		return false;
	c = wrtc_sdp_media_conn(sdp, idx);
	return c != NULL && addr_is_any(&c->addr);
}

const char *
wrtc_sdp_dir_name(enum wrtc_sdp_dir dir)
{
	switch (dir) {
	case WRTC_SDP_DIR_SENDRECV:
		return "sendrecv";
	case WRTC_SDP_DIR_SENDONLY:
		return "sendonly";
	case WRTC_SDP_DIR_RECVONLY:
		return "recvonly";
	case WRTC_SDP_DIR_INACTIVE:
		return "inactive";
	default:
		return "none";
	}
}

const char *
wrtc_sdp_setup_name(enum wrtc_sdp_setup setup)
{
	switch (setup) {
	case WRTC_SDP_SETUP_ACTPASS:
		return "actpass";
	case WRTC_SDP_SETUP_ACTIVE:
		return "active";
	case WRTC_SDP_SETUP_PASSIVE:
		return "passive";
	case WRTC_SDP_SETUP_HOLDCONN:
		return "holdconn";
	default:
		return "none";
	}
}

const char *
wrtc_sdp_cand_type_name(enum wrtc_sdp_cand_type type)
{
	switch (type) {
	case WRTC_SDP_CAND_HOST:
		return "host";
	case WRTC_SDP_CAND_SRFLX:
		return "srflx";
	case WRTC_SDP_CAND_PRFLX:
		return "prflx";
	case WRTC_SDP_CAND_RELAY:
		return "relay";
	}
	return "host";
}

const char *
wrtc_sdp_proto_name(enum wrtc_sdp_proto proto)
{
	switch (proto) {
	case WRTC_SDP_PROTO_RTP_AVP:
		return "RTP/AVP";
	case WRTC_SDP_PROTO_RTP_AVPF:
		return "RTP/AVPF";
	case WRTC_SDP_PROTO_RTP_SAVP:
		return "RTP/SAVP";
	case WRTC_SDP_PROTO_RTP_SAVPF:
		return "RTP/SAVPF";
	case WRTC_SDP_PROTO_UDP_TLS_RTP_SAVP:
		return "UDP/TLS/RTP/SAVP";
	case WRTC_SDP_PROTO_UDP_TLS_RTP_SAVPF:
		return "UDP/TLS/RTP/SAVPF";
	case WRTC_SDP_PROTO_UDP_DTLS_SCTP:
		return "UDP/DTLS/SCTP";
	default:
		return "";
	}
}
