/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * STUN message building into a caller buffer. The first error sticks in the
 * builder, so a caller may append several attributes and check once with
 * wrtc_stun_builder_finish().
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "wrtc_stun.h"
#include "stun_priv.h"

static void
set_length(struct wrtc_stun_builder *b)
{
	stun_wr16(b->buf + 2, (uint16_t)(b->len - WRTC_STUN_HDR_SIZE));
}

static int
fail(struct wrtc_stun_builder *b, int err)
{
	if (b->err == 0)
		b->err = err;
	return b->err;
}

int
wrtc_stun_builder_init(struct wrtc_stun_builder *b, uint8_t *buf, size_t cap, uint16_t method,
		       enum wrtc_stun_class cls, const uint8_t tid[WRTC_STUN_TID_SIZE])
{
	uint16_t type;

	if (b == NULL)
		return -EINVAL;
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
	if (buf == NULL || tid == NULL || method > 0xfff || (unsigned int)cls > 3)
		return fail(b, -EINVAL);
	if (cap < WRTC_STUN_HDR_SIZE)
		return fail(b, -ENOSPC);
	type = (uint16_t)((method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) |
			  ((cls & 1) << 4) | ((cls & 2) << 7));
	stun_wr16(buf, type);
	stun_wr16(buf + 2, 0);
	stun_wr32(buf + 4, WRTC_STUN_MAGIC);
	memcpy(buf + 8, tid, WRTC_STUN_TID_SIZE);
	b->len = WRTC_STUN_HDR_SIZE;
	return 0;
}

/* Reserve an attribute and return a pointer to its value, or NULL. */
static uint8_t *
reserve(struct wrtc_stun_builder *b, uint16_t type, uint16_t len)
{
	size_t padded = ((size_t)len + 3) & ~(size_t)3;
	uint8_t *p;

	if (b == NULL)
		return NULL;
	if (b->err != 0)
		return NULL;
	if (b->buf == NULL || b->len < WRTC_STUN_HDR_SIZE) {
		fail(b, -EINVAL);
		return NULL;
	}
	if (b->cap - b->len < 4 + padded || b->len + 4 + padded - WRTC_STUN_HDR_SIZE > 0xfffc) {
		fail(b, -ENOSPC);
		return NULL;
	}
	p = b->buf + b->len;
	stun_wr16(p, type);
	stun_wr16(p + 2, len);
	memset(p + 4 + len, 0, padded - len);
	b->len += 4 + padded;
	set_length(b);
	return p + 4;
}

int
wrtc_stun_builder_add_attr(struct wrtc_stun_builder *b, uint16_t type, const void *val,
			   uint16_t len)
{
	uint8_t *p;

	if (b == NULL)
		return -EINVAL;
	if (len != 0 && val == NULL)
		return fail(b, -EINVAL);
	p = reserve(b, type, len);
	if (p == NULL)
		return b->err;
	if (len != 0)
		memcpy(p, val, len);
	return 0;
}

int
wrtc_stun_builder_add_u32(struct wrtc_stun_builder *b, uint16_t type, uint32_t v)
{
	uint8_t *p = reserve(b, type, 4);

	if (p == NULL)
		return b != NULL ? b->err : -EINVAL;
	stun_wr32(p, v);
	return 0;
}

int
wrtc_stun_builder_add_u64(struct wrtc_stun_builder *b, uint16_t type, uint64_t v)
{
	uint8_t *p = reserve(b, type, 8);

	if (p == NULL)
		return b != NULL ? b->err : -EINVAL;
	stun_wr32(p, (uint32_t)(v >> 32));
	stun_wr32(p + 4, (uint32_t)v);
	return 0;
}

int
wrtc_stun_builder_add_xor_addr(struct wrtc_stun_builder *b, uint16_t type,
			       const struct sockaddr_storage *ss)
{
	uint8_t *p;

	if (b == NULL || ss == NULL)
		return b != NULL ? fail(b, -EINVAL) : -EINVAL;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		p = reserve(b, type, 8);
		if (p == NULL)
			return b->err;
		p[0] = 0;
		p[1] = 0x01;
		stun_wr16(p + 2, ntohs(sin->sin_port) ^ (WRTC_STUN_MAGIC >> 16));
		stun_wr32(p + 4, ntohl(sin->sin_addr.s_addr) ^ WRTC_STUN_MAGIC);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		uint8_t mask[16];

		p = reserve(b, type, 20);
		if (p == NULL)
			return b->err;
		stun_wr32(mask, WRTC_STUN_MAGIC);
		memcpy(mask + 4, b->buf + 8, WRTC_STUN_TID_SIZE);
		p[0] = 0;
		p[1] = 0x02;
		stun_wr16(p + 2, ntohs(sin6->sin6_port) ^ (WRTC_STUN_MAGIC >> 16));
		for (int i = 0; i < 16; i++)
			p[4 + i] = sin6->sin6_addr.s6_addr[i] ^ mask[i];
	} else {
		return fail(b, -EAFNOSUPPORT);
	}
	return 0;
}

static const char *
default_reason(int code)
{
	switch (code) {
	case WRTC_STUN_ERR_BAD_REQUEST:
		return "Bad Request";
	case WRTC_STUN_ERR_UNAUTHORIZED:
		return "Unauthorized";
	case WRTC_STUN_ERR_UNKNOWN_ATTRIBUTE:
		return "Unknown Attribute";
	case WRTC_STUN_ERR_ROLE_CONFLICT:
		return "Role Conflict";
	default:
		return "";
	}
}

int
wrtc_stun_builder_add_error_code(struct wrtc_stun_builder *b, int code, const char *reason)
{
	size_t rlen;
	uint8_t *p;

	if (b == NULL)
		return -EINVAL;
	if (code < 300 || code > 699)
		return fail(b, -EINVAL);
	if (reason == NULL)
		reason = default_reason(code);
	rlen = strlen(reason);
	if (rlen > 763)
		return fail(b, -EINVAL);
	p = reserve(b, WRTC_STUN_ATTR_ERROR_CODE, (uint16_t)(4 + rlen));
	if (p == NULL)
		return b->err;
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	memcpy(p + 4, reason, rlen);
	return 0;
}

int
wrtc_stun_builder_add_unknown(struct wrtc_stun_builder *b, const uint16_t *types, uint16_t n)
{
	uint8_t *p;

	if (b == NULL)
		return -EINVAL;
	if (n != 0 && types == NULL)
		return fail(b, -EINVAL);
	if (n > 0x7ffe)
		return fail(b, -ENOSPC);
	p = reserve(b, WRTC_STUN_ATTR_UNKNOWN_ATTRIBUTES, (uint16_t)(2 * n));
	if (p == NULL)
		return b->err;
	for (uint16_t i = 0; i < n; i++)
		stun_wr16(p + 2 * i, types[i]);
	return 0;
}

int
wrtc_stun_builder_add_integrity(struct wrtc_stun_builder *b, struct wrtc_stun_key *key)
{
	uint8_t *p;
	int rc;

	if (b == NULL)
		return -EINVAL;
	if (key == NULL)
		return fail(b, -EINVAL);
	/* reserve() sets the header length to include this attribute. */
	p = reserve(b, WRTC_STUN_ATTR_MESSAGE_INTEGRITY, WRTC_STUN_HMAC_SIZE);
	if (p == NULL)
		return b->err;
	rc = wrtc_stun_key_hmac(key, b->buf, (size_t)(p - 4 - b->buf), NULL, 0, p);
	if (rc != 0)
		return fail(b, rc);
	return 0;
}

int
wrtc_stun_builder_add_fingerprint(struct wrtc_stun_builder *b)
{
	uint8_t *p;

	if (b == NULL)
		return -EINVAL;
	p = reserve(b, WRTC_STUN_ATTR_FINGERPRINT, 4);
	if (p == NULL)
		return b->err;
	stun_wr32(p, wrtc_stun_crc32(b->buf, (size_t)(p - 4 - b->buf)) ^ WRTC_STUN_FP_XOR);
	return 0;
}

int
wrtc_stun_builder_finish(const struct wrtc_stun_builder *b)
{
	if (b == NULL)
		return -EINVAL;
	if (b->err != 0)
		return b->err;
	if (b->len < WRTC_STUN_HDR_SIZE)
		return -EINVAL;
	return (int)b->len;
}
