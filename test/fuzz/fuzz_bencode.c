/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target for lib/bencode: decode the input with a small node array and
 * a shallow depth limit, re-encode what decoded and decode that again; the
 * second decode must give the same tree shape.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wrtc_bencode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
encode(struct wrtc_bencode_buf *b, const struct wrtc_bencode_node *n)
{
	switch (n->type) {
	case WRTC_BENCODE_INT:
		wrtc_bencode_put_int(b, n->i);
		break;
	case WRTC_BENCODE_STR:
		wrtc_bencode_put_str(b, n->str, n->len);
		break;
	case WRTC_BENCODE_LIST:
	case WRTC_BENCODE_DICT:
		if (n->type == WRTC_BENCODE_LIST)
			wrtc_bencode_list_begin(b);
		else
			wrtc_bencode_dict_begin(b);
		for (const struct wrtc_bencode_node *c = n->child; c != NULL; c = c->next) {
			if (n->type == WRTC_BENCODE_DICT)
				wrtc_bencode_put_str(b, c->key, c->key_len);
			encode(b, c);
		}
		wrtc_bencode_end(b);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct wrtc_bencode_node a[256], b[256];
	static char out[65536];
	struct wrtc_bencode_buf buf;
	char err[128];
	int n, m, len;

	n = wrtc_bencode_decode((const char *)data, size, a, 256, 16, err, sizeof(err));
	if (n <= 0)
		return 0;
	wrtc_bencode_buf_init(&buf, out, sizeof(out));
	encode(&buf, &a[0]);
	len = wrtc_bencode_buf_finish(&buf);
	if (len < 0)
		return 0;  /* larger than out */
	/* A decoded value re-encodes to exactly the input (the grammar is strict). */
	if ((size_t)len != size || memcmp(out, data, size) != 0)
		abort();
	m = wrtc_bencode_decode(out, (size_t)len, b, 256, 16, err, sizeof(err));
	if (m != n)
		abort();
	wrtc_bencode_dict_get(&a[0], "command");
	return 0;
}
