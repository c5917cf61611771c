/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RTCP compound parsing. wrtc_rtcp_iter_next() checks each packet's length
 * and the layout its type implies before handing it out, so every accessor
 * in this file can index the packet without further bounds checks beyond
 * the entry counts it already validated.
 */
#include <string.h>

#include "wrtc_rtcp.h"

/* Checks the SDES chunks: each is an SSRC, items, an END octet, then padding
 * to a 32-bit boundary, all inside the packet body. */
static int
sdes_check(const uint8_t *body, size_t size, unsigned int count)
{
	size_t off = 0;

	for (unsigned int c = 0; c < count; c++) {
		if (off + 4 > size)
			return -EMSGSIZE;
		off += 4;
		for (;;) {
			if (off >= size)
				return -EBADMSG;
			if (body[off] == WRTC_RTCP_SDES_END)
				break;
			if (off + 2 > size || off + 2 + body[off + 1] > size)
				return -EBADMSG;
			off += 2u + body[off + 1];
		}
		off++;                          /* END */
		off = (off + 3) & ~(size_t)3;   /* Chunk padding. */
		if (off > size)
			return -EBADMSG;
	}
	return 0;
}

static int
fb_check(struct wrtc_rtcp_pkt *pkt)
{
	size_t n = pkt->body_size;

	if (pkt->pt == WRTC_RTCP_RTPFB && pkt->count == WRTC_RTCP_RTPFB_NACK) {
		if (n == 0 || n % 4)
			return -EMSGSIZE;
	} else if (pkt->pt == WRTC_RTCP_PSFB && pkt->count == WRTC_RTCP_PSFB_FIR) {
		if (n == 0 || n % 8)
			return -EMSGSIZE;
	} else if (pkt->pt == WRTC_RTCP_PSFB && pkt->count == WRTC_RTCP_PSFB_AFB && n >= 4 &&
		   memcmp(pkt->body, "REMB", 4) == 0) {
		if (n < 8 || n < 8 + 4u * pkt->body[4])
			return -EMSGSIZE;
	}
	return 0;
}

int
wrtc_rtcp_iter_next(struct wrtc_rtcp_iter *it, struct wrtc_rtcp_pkt *pkt)
{
	const uint8_t *p;
	size_t left, size, pad = 0, payload;
	int rc;

	if (it->off >= it->size)
		return 0;
	p = it->buf + it->off;
	left = it->size - it->off;
	if (left < WRTC_RTCP_HDR_SIZE)
		return -EMSGSIZE;
	if ((p[0] >> 6) != 2)
		return -EPROTONOSUPPORT;
	size = 4u * (wrtc_rtp_get16(p + 2) + 1u);
	if (size > left)
		return -EMSGSIZE;

	memset(pkt, 0, sizeof(*pkt));
	pkt->padding = (p[0] & 0x20) != 0;
	pkt->count = p[0] & 0x1f;
	pkt->pt = p[1];
	pkt->raw = p;
	pkt->size = (uint32_t)size;
	if (pkt->padding) {
		pad = p[size - 1];
		if (pad == 0 || pad > size - WRTC_RTCP_HDR_SIZE)
			return -EBADMSG;
	}
	payload = size - pad; /* Header included. */

	switch (pkt->pt) {
	case WRTC_RTCP_SR:
		if (payload < 28 + (size_t)WRTC_RTCP_RB_SIZE * pkt->count)
			return -EMSGSIZE;
		pkt->ssrc = wrtc_rtp_get32(p + 4);
		pkt->ntp = ((uint64_t)wrtc_rtp_get32(p + 8) << 32) | wrtc_rtp_get32(p + 12);
		pkt->rtp_ts = wrtc_rtp_get32(p + 16);
		pkt->packets = wrtc_rtp_get32(p + 20);
		pkt->octets = wrtc_rtp_get32(p + 24);
		pkt->body = p + 28;
		break;
	case WRTC_RTCP_RR:
		if (payload < 8 + (size_t)WRTC_RTCP_RB_SIZE * pkt->count)
			return -EMSGSIZE;
		pkt->ssrc = wrtc_rtp_get32(p + 4);
		pkt->body = p + 8;
		break;
	case WRTC_RTCP_SDES:
		pkt->body = p + 4;
		rc = sdes_check(pkt->body, payload - 4, pkt->count);
		if (rc < 0)
			return rc;
		if (pkt->count)
			pkt->ssrc = wrtc_rtp_get32(p + 4);
		break;
	case WRTC_RTCP_BYE:
		pkt->body = p + 4;
		if (payload < 4 + 4u * pkt->count)
			return -EMSGSIZE;
		if (payload > 4 + 4u * pkt->count &&
		    payload < 4 + 4u * pkt->count + 1 + p[4 + 4u * pkt->count])
			return -EMSGSIZE;
		if (pkt->count)
			pkt->ssrc = wrtc_rtp_get32(p + 4);
		break;
	case WRTC_RTCP_APP:
		if (payload < 12)
			return -EMSGSIZE;
		pkt->ssrc = wrtc_rtp_get32(p + 4);
		memcpy(pkt->app_name, p + 8, 4);
		pkt->body = p + 12;
		break;
	case WRTC_RTCP_RTPFB:
	case WRTC_RTCP_PSFB:
		if (payload < 12)
			return -EMSGSIZE;
		pkt->ssrc = wrtc_rtp_get32(p + 4);
		pkt->media_ssrc = wrtc_rtp_get32(p + 8);
		pkt->body = p + 12;
		break;
	default:
		pkt->body = p + 4;
		if (payload >= 8)
			pkt->ssrc = wrtc_rtp_get32(p + 4);
		break;
	}
	pkt->body_size = (uint32_t)(payload - (size_t)(pkt->body - p));
	if (pkt->pt == WRTC_RTCP_RTPFB || pkt->pt == WRTC_RTCP_PSFB) {
		rc = fb_check(pkt);
		if (rc < 0)
			return rc;
	}
	it->off += size;
	it->index++;
	return 1;
}

int
wrtc_rtcp_validate(const uint8_t *buf, size_t size, bool reduced_size)
{
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt pkt;
	int n = 0, rc;
	bool padded = false;

	wrtc_rtcp_iter_init(&it, buf, size);
	while ((rc = wrtc_rtcp_iter_next(&it, &pkt)) == 1) {
		if (n == 0 && !reduced_size && pkt.pt != WRTC_RTCP_SR && pkt.pt != WRTC_RTCP_RR)
			return -EPROTO;
		if (padded)
			return -EPROTO; /* Only the last packet may be padded. */
		padded = pkt.padding;
		n++;
	}
	if (rc < 0)
		return rc;
	return n ? n : -ENOMSG;
}

int
wrtc_rtcp_rb_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, struct wrtc_rtcp_rb *rb)
{
	const uint8_t *b;
	uint32_t lost;

	if (pkt->pt != WRTC_RTCP_SR && pkt->pt != WRTC_RTCP_RR)
		return -EINVAL;
	if (i >= pkt->count)
		return -ERANGE;
	b = pkt->body + (size_t)WRTC_RTCP_RB_SIZE * i;
	rb->ssrc = wrtc_rtp_get32(b);
	rb->fraction_lost = b[4];
	lost = ((uint32_t)b[5] << 16) | ((uint32_t)b[6] << 8) | b[7];
	rb->lost = (lost & 0x800000) ? (int32_t)(lost | 0xff000000u) : (int32_t)lost;
	rb->ext_max_seq = wrtc_rtp_get32(b + 8);
	rb->jitter = wrtc_rtp_get32(b + 12);
	rb->lsr = wrtc_rtp_get32(b + 16);
	rb->dlsr = wrtc_rtp_get32(b + 20);
	return 0;
}

unsigned int
wrtc_rtcp_nack_count(const struct wrtc_rtcp_pkt *pkt)
{
	if (pkt->pt != WRTC_RTCP_RTPFB || pkt->count != WRTC_RTCP_RTPFB_NACK)
		return 0;
	return pkt->body_size / 4u;
}

int
wrtc_rtcp_nack_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint16_t *pid, uint16_t *blp)
{
	if (pkt->pt != WRTC_RTCP_RTPFB || pkt->count != WRTC_RTCP_RTPFB_NACK)
		return -EINVAL;
	if (i >= wrtc_rtcp_nack_count(pkt))
		return -ERANGE;
	*pid = wrtc_rtp_get16(pkt->body + 4u * i);
	*blp = wrtc_rtp_get16(pkt->body + 4u * i + 2);
	return 0;
}

unsigned int
wrtc_rtcp_fir_count(const struct wrtc_rtcp_pkt *pkt)
{
	if (pkt->pt != WRTC_RTCP_PSFB || pkt->count != WRTC_RTCP_PSFB_FIR)
		return 0;
	return pkt->body_size / 8u;
}

int
wrtc_rtcp_fir_get(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint32_t *ssrc, uint8_t *seq)
{
	if (pkt->pt != WRTC_RTCP_PSFB || pkt->count != WRTC_RTCP_PSFB_FIR)
		return -EINVAL;
	if (i >= wrtc_rtcp_fir_count(pkt))
		return -ERANGE;
	*ssrc = wrtc_rtp_get32(pkt->body + 8u * i);
	*seq = pkt->body[8u * i + 4];
	return 0;
}

int
wrtc_rtcp_remb_get(const struct wrtc_rtcp_pkt *pkt, struct wrtc_rtcp_remb *remb)
{
	const uint8_t *b = pkt->body;
	uint32_t mantissa;
	unsigned int exp;

	if (pkt->pt != WRTC_RTCP_PSFB || pkt->count != WRTC_RTCP_PSFB_AFB ||
	    pkt->body_size < 8 || memcmp(b, "REMB", 4) != 0)
		return -EINVAL;
	/* Lengths were checked by wrtc_rtcp_iter_next(). */
	remb->n_ssrc = b[4];
	exp = b[5] >> 2;
	mantissa = ((uint32_t)(b[5] & 3) << 16) | ((uint32_t)b[6] << 8) | b[7];
	remb->bitrate = exp > 46 ? UINT64_MAX : (uint64_t)mantissa << exp;
	remb->ssrcs = b + 8;
	return 0;
}

int
wrtc_rtcp_sdes_next(const struct wrtc_rtcp_pkt *pkt, struct wrtc_rtcp_sdes_cursor *cur,
		    struct wrtc_rtcp_sdes_item *item)
{
	const uint8_t *b = pkt->body;

	if (pkt->pt != WRTC_RTCP_SDES)
		return -EINVAL;
	/* The chunk layout was checked by wrtc_rtcp_iter_next(); only the first
	 * pkt->count chunks are visited. */
	for (;;) {
		if (cur->off == 0 && cur->chunk == 0 && cur->index == 0) {
			if (pkt->count == 0)
				return 0;
			cur->index = 1;
			cur->off = 4;
		}
		if (b[cur->off] == WRTC_RTCP_SDES_END) {
			if (cur->index >= pkt->count)
				return 0;
			cur->chunk = (cur->off + 1 + 3) & ~(size_t)3;
			cur->off = cur->chunk + 4;
			cur->index++;
			continue;
		}
		item->ssrc = wrtc_rtp_get32(b + cur->chunk);
		item->type = b[cur->off];
		item->len = b[cur->off + 1];
		item->data = b + cur->off + 2;
		cur->off += 2u + item->len;
		return 1;
	}
}

int
wrtc_rtcp_bye_ssrc(const struct wrtc_rtcp_pkt *pkt, unsigned int i, uint32_t *ssrc)
{
	if (pkt->pt != WRTC_RTCP_BYE)
		return -EINVAL;
	if (i >= pkt->count)
		return -ERANGE;
	*ssrc = wrtc_rtp_get32(pkt->body + 4u * i);
	return 0;
}

int
wrtc_rtcp_bye_reason(const struct wrtc_rtcp_pkt *pkt, const uint8_t **text)
{
	size_t off = 4u * pkt->count;

	if (pkt->pt != WRTC_RTCP_BYE)
		return -EINVAL;
	*text = NULL;
	if (pkt->body_size <= off || pkt->body[off] == 0)
		return 0;
	*text = pkt->body + off + 1;
	return pkt->body[off];
}

static void
map_at(uint8_t *p, wrtc_rtcp_ssrc_map_fn *fn, void *arg, enum wrtc_rtcp_ssrc_role role)
{
	wrtc_rtp_put32(p, fn(arg, wrtc_rtp_get32(p), role));
}

int
wrtc_rtcp_map_ssrc(uint8_t *buf, size_t size, wrtc_rtcp_ssrc_map_fn *fn, void *arg)
{
	struct wrtc_rtcp_iter it;
	struct wrtc_rtcp_pkt pkt;
	int n = 0, rc;

	/* Validate everything first, so an error leaves the buffer unchanged. */
	wrtc_rtcp_iter_init(&it, buf, size);
	while ((rc = wrtc_rtcp_iter_next(&it, &pkt)) == 1)
		n++;
	if (rc < 0)
		return rc;

	wrtc_rtcp_iter_init(&it, buf, size);
	while (wrtc_rtcp_iter_next(&it, &pkt) == 1) {
		uint8_t *p = buf + (pkt.raw - buf);
		uint8_t *body = buf + (pkt.body - buf);
		unsigned int i;

		switch (pkt.pt) {
		case WRTC_RTCP_SR:
		case WRTC_RTCP_RR:
			map_at(p + 4, fn, arg, WRTC_RTCP_SSRC_SENDER);
			for (i = 0; i < pkt.count; i++)
				map_at(body + (size_t)WRTC_RTCP_RB_SIZE * i, fn, arg,
				       WRTC_RTCP_SSRC_MEDIA);
			break;
		case WRTC_RTCP_SDES: {
			size_t off = 0;

			for (i = 0; i < pkt.count; i++) {
				map_at(body + off, fn, arg, WRTC_RTCP_SSRC_SENDER);
				off += 4;
				while (body[off] != WRTC_RTCP_SDES_END)
					off += 2u + body[off + 1];
				off = (off + 1 + 3) & ~(size_t)3;
			}
			break;
		}
		case WRTC_RTCP_BYE:
			for (i = 0; i < pkt.count; i++)
				map_at(body + 4u * i, fn, arg, WRTC_RTCP_SSRC_SENDER);
			break;
		case WRTC_RTCP_APP:
			map_at(p + 4, fn, arg, WRTC_RTCP_SSRC_SENDER);
			break;
		case WRTC_RTCP_RTPFB:
		case WRTC_RTCP_PSFB:
			map_at(p + 4, fn, arg, WRTC_RTCP_SSRC_SENDER);
			map_at(p + 8, fn, arg, WRTC_RTCP_SSRC_MEDIA);
			for (i = 0; i < wrtc_rtcp_fir_count(&pkt); i++)
				map_at(body + 8u * i, fn, arg, WRTC_RTCP_SSRC_MEDIA);
			if (pkt.pt == WRTC_RTCP_PSFB && pkt.count == WRTC_RTCP_PSFB_AFB &&
			    pkt.body_size >= 8 && memcmp(body, "REMB", 4) == 0)
				for (i = 0; i < body[4]; i++)
					map_at(body + 8 + 4u * i, fn, arg, WRTC_RTCP_SSRC_MEDIA);
			break;
		default:
			/* Only if the SSRC is not (in part) padding. */
			if (pkt.body_size >= 4)
				map_at(p + 4, fn, arg, WRTC_RTCP_SSRC_SENDER);
			break;
		}
	}
	return n;
}
