/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Text buffer and string helpers of the SDP library.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdp_priv.h"

static bool
buf_reserve(struct sdp_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return false;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 512;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
sdp_buf_add(struct sdp_buf *b, const char *s, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sdp_buf_puts(struct sdp_buf *b, const char *s)
{
	sdp_buf_add(b, s, strlen(s));
}

void
sdp_buf_printf(struct sdp_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int
sdp_buf_take(struct sdp_buf *b, char **out, size_t *len)
{
	if (!buf_reserve(b, 0)) {
		sdp_buf_fini(b);
		return -ENOMEM;
	}
	*out = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return 0;
}

void
sdp_buf_fini(struct sdp_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

int
sdp_grow(void **arr, unsigned int n, size_t esize)
{
	void *p;
	size_t cap;

	/* Capacity doubles from 4: grow only when n hits a power of two >= 4. */
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	cap = n == 0 ? 4 : (size_t)n * 2;
	p = realloc(*arr, cap * esize);
	if (p == NULL)
		return -ENOMEM;
	memset((char *)p + (size_t)n * esize, 0, (cap - n) * esize);
	*arr = p;
	return 0;
}

bool
sdp_strlcpy(char *dst, const char *src, size_t dstsize)
{
	size_t n = strlen(src);

	if (n >= dstsize) {
		memcpy(dst, src, dstsize - 1);
		dst[dstsize - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

void
sdp_addr_set(struct wrtc_sdp_addr *a, const char *str, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

	memset(&a->ss, 0, sizeof(a->ss));
	a->family = 0;
	sdp_strlcpy(a->str, str, sizeof(a->str));
	if (inet_pton(AF_INET, str, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		a->family = AF_INET;
	} else if (inet_pton(AF_INET6, str, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		a->family = AF_INET6;
	} else {
		memset(&a->ss, 0, sizeof(a->ss));
	}
}

bool
sdp_name_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

struct static_pt {
	unsigned int pt;
	const char *name;
	uint32_t clock;
	uint8_t channels;
};

/* RFC 3551 table 4 and 5 (payload types still in use). */
static const struct static_pt static_pts[] = {
    {0, "PCMU", 8000, 1},   {3, "GSM", 8000, 1},    {4, "G723", 8000, 1},   {5, "DVI4", 8000, 1},
    {6, "DVI4", 16000, 1},  {7, "LPC", 8000, 1},    {8, "PCMA", 8000, 1},   {9, "G722", 8000, 1},
    {10, "L16", 44100, 2},  {11, "L16", 44100, 1},  {12, "QCELP", 8000, 1}, {13, "CN", 8000, 1},
    {14, "MPA", 90000, 1},  {15, "G728", 8000, 1},  {16, "DVI4", 11025, 1}, {17, "DVI4", 22050, 1},
    {18, "G729", 8000, 1},  {25, "CelB", 90000, 1}, {26, "JPEG", 90000, 1}, {28, "nv", 90000, 1},
    {31, "H261", 90000, 1}, {32, "MPV", 90000, 1},  {33, "MP2T", 90000, 1}, {34, "H263", 90000, 1},
};

bool
sdp_static_pt(unsigned int pt, const char **name, uint32_t *clock, uint8_t *channels)
{
	for (size_t i = 0; i < sizeof(static_pts) / sizeof(static_pts[0]); i++) {
		if (static_pts[i].pt == pt) {
			*name = static_pts[i].name;
			*clock = static_pts[i].clock;
			*channels = static_pts[i].channels;
			return true;
		}
	}
	return false;
}
