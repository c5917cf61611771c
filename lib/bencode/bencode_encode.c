/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bencode encoder: appends to a bounded buffer; the first write that does
 * not fit sets the overflow flag and everything after it is dropped, so a
 * caller checks once, at wrtc_bencode_buf_finish().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "wrtc_bencode.h"

void
wrtc_bencode_buf_init(struct wrtc_bencode_buf *b, char *buf, size_t size)
{
	memset(b, 0, sizeof(*b));
	b->buf = buf;
	b->size = buf != NULL ? size : 0;
}

static void
put(struct wrtc_bencode_buf *b, const void *p, size_t n)
{
	if (b->overflow)
		return;
	if (n > b->size - b->len) {
		b->overflow = true;
		return;
	}
	if (n != 0)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

void
wrtc_bencode_put_int(struct wrtc_bencode_buf *b, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "i%" PRId64 "e", v);

	put(b, tmp, (size_t)n);
}

void
wrtc_bencode_put_str(struct wrtc_bencode_buf *b, const char *s, size_t len)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%zu:", len);

	put(b, tmp, (size_t)n);
	put(b, s, len);
}

void
wrtc_bencode_put_cstr(struct wrtc_bencode_buf *b, const char *s)
{
	wrtc_bencode_put_str(b, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

void
wrtc_bencode_list_begin(struct wrtc_bencode_buf *b)
{
	put(b, "l", 1);
	b->depth++;
}

void
wrtc_bencode_dict_begin(struct wrtc_bencode_buf *b)
{
	put(b, "d", 1);
	b->depth++;
}

void
wrtc_bencode_end(struct wrtc_bencode_buf *b)
{
	if (b->depth == 0) {
		b->unbalanced = true;
		return;
	}
	b->depth--;
	put(b, "e", 1);
}

int
wrtc_bencode_buf_finish(const struct wrtc_bencode_buf *b)
{
	if (b->overflow)
		return -EMSGSIZE;
	if (b->depth != 0 || b->unbalanced)
		return -EINVAL;
	return (int)b->len;
}
