/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * BUNDLE demultiplexing of RTP and RTCP by MID header extension, SSRC and
 * payload type (RFC 8843 9.2), and the RFC 8285 header extension reader.
 * See wrtc_rtp_demux.h.
 */
#include <errno.h>
#include <string.h>

#include "wrtc_rtp_demux.h"

int
wrtc_rtp_ext_find(const uint8_t *buf, const struct wrtc_rtp_info *ri, uint8_t id,
		  const uint8_t **data, uint8_t *size)
{
	const uint8_t *p, *end;
	bool one_byte;

	if (!ri->extension || id == 0)
		return -ENOENT;
	if (ri->ext_profile == WRTC_RTP_EXT_ONE_BYTE)
		one_byte = true;
	else if ((ri->ext_profile & 0xfff0) == 0x1000)
		one_byte = false;
	else
		return -ENOENT;
	if (one_byte && id > 14)
		return -ENOENT;
	p = buf + ri->ext_offset;
	end = p + ri->ext_size;
	while (p < end) {
		uint8_t eid, esize;

		if (*p == 0) { /* padding */
			p++;
			continue;
		}
		if (one_byte) {
			eid = (uint8_t)(*p >> 4);
			esize = (uint8_t)((*p & 0x0f) + 1);
			if (eid == 15) /* stop: the rest is not to be read */
				return -ENOENT;
			p++;
		} else {
			if (end - p < 2)
				return -EBADMSG;
			eid = p[0];
			esize = p[1];
			p += 2;
		}
		if (end - p < esize)
			return -EBADMSG;
		if (eid == id) {
			*data = p;
			*size = esize;
			return 0;
		}
		p += esize;
	}
	return -ENOENT;
}

void
wrtc_rtp_demux_init(struct wrtc_rtp_demux *d, uint8_t mid_ext_id)
{
	memset(d, 0, sizeof(*d));
	d->mid_ext_id = mid_ext_id;
	memset(d->pt_mline, -1, sizeof(d->pt_mline));
}

static int
find_mid(const struct wrtc_rtp_demux *d, const uint8_t *mid, size_t size)
{
	for (unsigned int i = 0; i < d->n_mlines; i++)
		if (d->mline[i].mid_size == size && memcmp(d->mline[i].mid, mid, size) == 0)
			return (int)i;
	return -ENOENT;
}

int
wrtc_rtp_demux_add_mline(struct wrtc_rtp_demux *d, const char *mid, size_t mid_size,
			 const uint8_t *pts, unsigned int n_pts)
{
	unsigned int idx = d->n_mlines;

	if (mid_size == 0 || mid_size > WRTC_RTP_DEMUX_MID_SIZE)
		return -EINVAL;
	for (unsigned int i = 0; i < n_pts; i++)
		if (pts[i] > 127)
			return -EINVAL;
	if (idx >= WRTC_RTP_DEMUX_MAX_MLINES)
		return -ENOSPC;
	if (find_mid(d, (const uint8_t *)mid, mid_size) >= 0)
		return -EEXIST;
	memcpy(d->mline[idx].mid, mid, mid_size);
	d->mline[idx].mid_size = (uint8_t)mid_size;
	for (unsigned int i = 0; i < n_pts; i++) {
		int8_t *o = &d->pt_mline[pts[i]];

		if (*o == -1)
			*o = (int8_t)idx;
		else if (*o != (int8_t)idx)
			*o = -2;
	}
	d->n_mlines++;
	return (int)idx;
}

static struct wrtc_rtp_demux_src *
src_find(struct wrtc_rtp_demux *d, uint32_t ssrc, bool local)
{
	for (unsigned int i = 0; i < WRTC_RTP_DEMUX_MAX_SSRC; i++)
		if (d->src[i].used && d->src[i].ssrc == ssrc && d->src[i].local == local)
			return &d->src[i];
	return NULL;
}

static int
src_lookup(const struct wrtc_rtp_demux *d, uint32_t ssrc, bool local)
{
	for (unsigned int i = 0; i < WRTC_RTP_DEMUX_MAX_SSRC; i++)
		if (d->src[i].used && d->src[i].ssrc == ssrc && d->src[i].local == local)
			return d->src[i].mline;
	return -ENOENT;
}

int
wrtc_rtp_demux_add_ssrc(struct wrtc_rtp_demux *d, uint32_t ssrc, unsigned int mline, bool local)
{
	struct wrtc_rtp_demux_src *s;

	if (mline >= d->n_mlines)
		return -EINVAL;
	s = src_find(d, ssrc, local);
	if (s == NULL)
		for (unsigned int i = 0; i < WRTC_RTP_DEMUX_MAX_SSRC && s == NULL; i++)
			if (!d->src[i].used)
				s = &d->src[i];
	if (s == NULL)
		return -ENOSPC;
	s->ssrc = ssrc;
	s->mline = (uint8_t)mline;
	s->local = local;
	s->used = true;
	return 0;
}

int
wrtc_rtp_demux_rtp(struct wrtc_rtp_demux *d, const uint8_t *buf, const struct wrtc_rtp_info *ri)
{
	const uint8_t *mid;
	uint8_t mid_size;
	int idx;

	if (d->mid_ext_id != 0 &&
	    wrtc_rtp_ext_find(buf, ri, d->mid_ext_id, &mid, &mid_size) == 0) {
		idx = find_mid(d, mid, mid_size);
		if (idx < 0) {
			d->by[WRTC_RTP_DEMUX_BAD_MID]++;
			return -ENOENT;
		}
		/* Learn (or move) the source; the MID wins over an older binding. */
		if (wrtc_rtp_demux_add_ssrc(d, ri->ssrc, (unsigned int)idx, false) != 0)
			d->by[WRTC_RTP_DEMUX_TABLE_FULL]++;
		d->by[WRTC_RTP_DEMUX_BY_MID]++;
		return idx;
	}
	idx = src_lookup(d, ri->ssrc, false);
	if (idx >= 0) {
		d->by[WRTC_RTP_DEMUX_BY_SSRC]++;
		return idx;
	}
	idx = d->pt_mline[ri->pt & 0x7f];
	if (idx >= 0) {
		d->by[WRTC_RTP_DEMUX_BY_PT]++;
		return idx;
	}
	d->by[WRTC_RTP_DEMUX_UNKNOWN]++;
	return -ENOENT;
}

int
wrtc_rtp_demux_rtcp_pkt(const struct wrtc_rtp_demux *d, const struct wrtc_rtcp_pkt *p)
{
	struct wrtc_rtcp_rb rb;
	uint32_t ssrc;
	int idx;

	if (p->ssrc != 0) {
		idx = src_lookup(d, p->ssrc, false);
		if (idx >= 0)
			return idx;
	}
	switch (p->pt) {
	case WRTC_RTCP_RTPFB:
	case WRTC_RTCP_PSFB:
		/* FIR carries its media source in the FCI (media SSRC is 0). */
		if (p->media_ssrc == 0 && p->pt == WRTC_RTCP_PSFB &&
		    p->count == WRTC_RTCP_PSFB_FIR) {
			uint8_t seq;

			if (wrtc_rtcp_fir_get(p, 0, &ssrc, &seq) == 0)
				return src_lookup(d, ssrc, true);
			return -ENOENT;
		}
		return src_lookup(d, p->media_ssrc, true);
	case WRTC_RTCP_SR:
	case WRTC_RTCP_RR:
		if (wrtc_rtcp_rb_get(p, 0, &rb) == 0)
			return src_lookup(d, rb.ssrc, true);
		return -ENOENT;
	case WRTC_RTCP_BYE:
		for (unsigned int i = 0; wrtc_rtcp_bye_ssrc(p, i, &ssrc) == 0; i++) {
			idx = src_lookup(d, ssrc, false);
			if (idx >= 0)
				return idx;
		}
		return -ENOENT;
	default:
		return -ENOENT;
	}
}

int
wrtc_rtp_demux_rtcp_split(struct wrtc_rtp_demux *d, const uint8_t *buf, size_t size,
			  struct wrtc_rtp_demux_slice *out, unsigned int max)
{
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt p;
	unsigned int n = 0;
	int rc;

	if (max == 0)
		return -ENOSPC;
	wrtc_rtcp_iter_init(&it, buf, size);
	while ((rc = wrtc_rtcp_iter_next(&it, &p)) == 1) {
		int idx = wrtc_rtp_demux_rtcp_pkt(d, &p);
		uint32_t off = (uint32_t)(p.raw - buf);

		if (n > 0 && (idx < 0 || out[n - 1].mline == idx)) {
			/* Joins the run before it. */
			out[n - 1].size += p.size;
			continue;
		}
		if (n > 0 && out[n - 1].mline < 0) {
			/* The run so far had no m-line of its own: it is this one's. */
			out[n - 1].mline = idx;
			out[n - 1].size += p.size;
			continue;
		}
		if (n == max)
			return -ENOSPC;
		out[n].offset = off;
		out[n].size = p.size;
		out[n].mline = idx;
		n++;
	}
	if (rc < 0)
		return rc;
	if (n == 0)
		return -EMSGSIZE;
	/* A leading run without m-line merged into its successor above; a
	 * whole compound without one stays a single -ENOENT slice. */
	if (n == 1 && out[0].mline < 0)
		d->rtcp_unknown++;
	return (int)n;
}
