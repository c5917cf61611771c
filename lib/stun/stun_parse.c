/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN message validation and attribute decoding. Nothing here allocates or
 * copies: the parsed view points into the caller's buffer.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "wrtc_stun.h"
#include "stun_priv.h"

static const char *const err_names[] = {
#define WRTC_STUN_ERR_NAME(e, s) s,
	WRTC_STUN_ERRS(WRTC_STUN_ERR_NAME)
#undef WRTC_STUN_ERR_NAME
};

const char *
wrtc_stun_err_name(enum wrtc_stun_err e)
{
	if ((unsigned int)e >= WRTC_STUN_E_MAX)
		return "unknown";
	return err_names[e];
}

bool
wrtc_stun_is_stun(const uint8_t *buf, size_t size)
{
	return buf != NULL && size >= WRTC_STUN_HDR_SIZE && buf[0] < 4 &&
	       stun_rd32(buf + 4) == WRTC_STUN_MAGIC;
}

static int
reject(struct wrtc_stun_msg *m, enum wrtc_stun_err e, struct wrtc_stun_stats *stats)
{
	m->err = e;
	if (stats != NULL)
		stats->err[e]++;
	return -EBADMSG;
}

static void
set_ref(struct wrtc_stun_attr_ref *r, const uint8_t *val, uint16_t len)
{
	if (r->val != NULL)
		return; /* Only the first occurrence counts. */
	r->val = val;
	r->len = len;
}

/* Attribute checks: returns WRTC_STUN_E_NONE or the reason. */
static enum wrtc_stun_err
take_attr(struct wrtc_stun_msg *m, uint16_t type, const uint8_t *val, uint16_t len)
{
	switch (type) {
	case WRTC_STUN_ATTR_USERNAME:
		if (len > WRTC_STUN_USERNAME_MAX)
			return WRTC_STUN_E_ATTR_LENGTH;
		set_ref(&m->username, val, len);
		break;
	case WRTC_STUN_ATTR_REALM:
		set_ref(&m->realm, val, len);
		break;
	case WRTC_STUN_ATTR_NONCE:
		set_ref(&m->nonce, val, len);
		break;
	case WRTC_STUN_ATTR_SOFTWARE:
		set_ref(&m->software, val, len);
		break;
	case WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS:
	case WRTC_STUN_ATTR_MAPPED_ADDRESS:
		if (len != 8 && len != 20)
			return WRTC_STUN_E_ATTR_LENGTH;
		/* Family 1 (IPv4) with 8 bytes, 2 (IPv6) with 20. */
		if (val[1] != (len == 8 ? 0x01 : 0x02))
			return WRTC_STUN_E_ATTR_VALUE;
		set_ref(type == WRTC_STUN_ATTR_MAPPED_ADDRESS ? &m->mapped : &m->xor_mapped, val,
			len);
		break;
	case WRTC_STUN_ATTR_ERROR_CODE:
		if (len < 4)
			return WRTC_STUN_E_ATTR_LENGTH;
		if ((val[2] & 7) < 3 || (val[2] & 7) > 6 || val[3] > 99)
			return WRTC_STUN_E_ATTR_VALUE;
		set_ref(&m->error_code, val, len);
		break;
	case WRTC_STUN_ATTR_PRIORITY:
		if (len != 4)
			return WRTC_STUN_E_ATTR_LENGTH;
		if (!m->has_priority) {
			m->has_priority = true;
			m->priority = stun_rd32(val);
		}
		break;
	case WRTC_STUN_ATTR_USE_CANDIDATE:
		if (len != 0)
			return WRTC_STUN_E_ATTR_LENGTH;
		m->use_candidate = true;
		break;
	case WRTC_STUN_ATTR_ICE_CONTROLLING:
	case WRTC_STUN_ATTR_ICE_CONTROLLED:
		if (len != 8)
			return WRTC_STUN_E_ATTR_LENGTH;
		if (m->has_controlling || m->has_controlled)
			break;
		if (type == WRTC_STUN_ATTR_ICE_CONTROLLING)
			m->has_controlling = true;
		else
			m->has_controlled = true;
		m->tie_breaker = ((uint64_t)stun_rd32(val) << 32) | stun_rd32(val + 4);
		break;
	case WRTC_STUN_ATTR_UNKNOWN_ATTRIBUTES:
		if (len % 2 != 0)
			return WRTC_STUN_E_ATTR_LENGTH;
		break;
	case WRTC_STUN_ATTR_ALTERNATE_SERVER:
		break;
	default:
		if (type < 0x8000) {
			if (m->n_unknown < WRTC_STUN_MAX_UNKNOWN)
				m->unknown[m->n_unknown] = type;
			if (m->n_unknown < UINT16_MAX)
				m->n_unknown++;
		}
		break;
	}
	return WRTC_STUN_E_NONE;
}

int
wrtc_stun_msg_parse(struct wrtc_stun_msg *m, const uint8_t *buf, size_t size,
		    struct wrtc_stun_stats *stats)
{
	size_t off;
	uint16_t mlen;
	bool after_mi = false;

	if (m == NULL || (buf == NULL && size != 0))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->buf = buf;
	m->size = size;
	if (size < WRTC_STUN_HDR_SIZE)
		return reject(m, WRTC_STUN_E_TRUNCATED, stats);
	if ((buf[0] & 0xc0) != 0)
		return reject(m, WRTC_STUN_E_NOT_STUN, stats);
	if (stun_rd32(buf + 4) != WRTC_STUN_MAGIC)
		return reject(m, WRTC_STUN_E_BAD_COOKIE, stats);
	mlen = stun_rd16(buf + 2);
	if ((mlen & 3) != 0 || (size_t)mlen + WRTC_STUN_HDR_SIZE != size)
		return reject(m, WRTC_STUN_E_BAD_LENGTH, stats);

	m->type = stun_rd16(buf);
	m->method = (m->type & 0x000f) | ((m->type & 0x00e0) >> 1) | ((m->type & 0x3e00) >> 2);
	m->cls = (enum wrtc_stun_class)(((m->type >> 4) & 1) | ((m->type >> 7) & 2));
	m->tid = buf + 8;

	for (off = WRTC_STUN_HDR_SIZE; off < size;) {
		uint16_t type, len;
		size_t padded;
		const uint8_t *val;
		enum wrtc_stun_err e;

		if (size - off < 4)
			return reject(m, WRTC_STUN_E_ATTR_TRUNCATED, stats);
		type = stun_rd16(buf + off);
		len = stun_rd16(buf + off + 2);
		padded = ((size_t)len + 3) & ~(size_t)3;
		if (size - off - 4 < padded)
			return reject(m, WRTC_STUN_E_ATTR_TRUNCATED, stats);
		val = buf + off + 4;

		if (m->fingerprint_off != 0)
			return reject(m, WRTC_STUN_E_AFTER_FINGERPRINT, stats);
		if (type == WRTC_STUN_ATTR_FINGERPRINT) {
			if (len != 4)
				return reject(m, WRTC_STUN_E_ATTR_LENGTH, stats);
			m->fingerprint_off = off;
		} else if (type == WRTC_STUN_ATTR_MESSAGE_INTEGRITY && !after_mi) {
			if (len != WRTC_STUN_HMAC_SIZE)
				return reject(m, WRTC_STUN_E_ATTR_LENGTH, stats);
			m->integrity_off = off;
			after_mi = true;
		} else if (!after_mi) {
			e = take_attr(m, type, val, len);
			if (e != WRTC_STUN_E_NONE)
				return reject(m, e, stats);
		}
		off += 4 + padded;
	}

	if (m->fingerprint_off != 0) {
		uint32_t want = stun_rd32(buf + m->fingerprint_off + 4);
		uint32_t got = wrtc_stun_crc32(buf, m->fingerprint_off) ^ WRTC_STUN_FP_XOR;

		if (want != got)
			return reject(m, WRTC_STUN_E_BAD_FINGERPRINT, stats);
	}
	if (stats != NULL)
		stats->parsed++;
	return 0;
}

int
wrtc_stun_msg_get_addr(const struct wrtc_stun_msg *m, const struct wrtc_stun_attr_ref *a,
		       bool xored, struct sockaddr_storage *ss)
{
	const uint8_t *v;
	uint16_t port;

	if (m == NULL || a == NULL || ss == NULL)
		return -EINVAL;
	if (a->val == NULL)
		return -ENOENT;
	if (a->len < 8)
		return -EBADMSG;
	v = a->val;
	port = stun_rd16(v + 2);
	if (xored)
		port ^= WRTC_STUN_MAGIC >> 16;
	memset(ss, 0, sizeof(*ss));
	if (v[1] == 0x01) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;
		uint32_t ip = stun_rd32(v + 4);

		if (a->len != 8)
			return -EBADMSG;
		if (xored)
			ip ^= WRTC_STUN_MAGIC;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(ip);
	} else if (v[1] == 0x02) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
		uint8_t mask[16];

		if (a->len != 20)
			return -EBADMSG;
		stun_wr32(mask, WRTC_STUN_MAGIC);
		memcpy(mask + 4, m->tid, WRTC_STUN_TID_SIZE);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		for (int i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = v[4 + i] ^ (xored ? mask[i] : 0);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

int
wrtc_stun_msg_get_error_code(const struct wrtc_stun_msg *m, int *code)
{
	const uint8_t *v;
	int cls, num;

	if (m == NULL || code == NULL)
		return -EINVAL;
	if (m->error_code.val == NULL)
		return -ENOENT;
	v = m->error_code.val;
	cls = v[2] & 0x07;
	num = v[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -EBADMSG;
	*code = cls * 100 + num;
	return 0;
}
