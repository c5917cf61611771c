/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private helpers of the SDP library: a growable text buffer and small string
 * utilities shared by the parser, the serialiser and the rewriter.
 */
#ifndef SDP_PRIV_H
#define SDP_PRIV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "wrtc_sdp.h"

/* A growable NUL-terminated buffer; oom latches the first allocation failure. */
struct sdp_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void sdp_buf_add(struct sdp_buf *b, const char *s, size_t n);
void sdp_buf_puts(struct sdp_buf *b, const char *s);
void sdp_buf_printf(struct sdp_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Finish: returns 0 and hands over the string, or -ENOMEM (buffer freed). */
int sdp_buf_take(struct sdp_buf *b, char **out, size_t *len);
void sdp_buf_fini(struct sdp_buf *b);

/* Grow *arr (element size esize) so that it holds at least n + 1 elements. */
int sdp_grow(void **arr, unsigned int n, size_t esize);

/* Copy at most dstsize - 1 bytes; returns false if src did not fit. */
bool sdp_strlcpy(char *dst, const char *src, size_t dstsize);

/* Parse an IP literal into a; sets family 0 when it is not one. */
void sdp_addr_set(struct wrtc_sdp_addr *a, const char *str, uint16_t port);

/* Case-insensitive codec name equality. */
bool sdp_name_eq(const char *a, const char *b);

/* The RFC 3551 static payload type table; false if pt has no static entry. */
bool sdp_static_pt(unsigned int pt, const char **name, uint32_t *clock, uint8_t *channels);

#endif
