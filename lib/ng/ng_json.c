/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Between the wire and jansson: a decoded bencode tree becomes a JSON value
 * (dict keys normalised so "call-id", "call_id" and "Call ID" are one key),
 * and a reply built as JSON is written as bencode.
 */
#include <ctype.h>
#include <string.h>

#include "ng_priv.h"

void
ng_key_norm(const char *in, char *out, size_t size)
{
	size_t i = 0;

	if (size == 0)
		return;
	for (; in[i] != '\0' && i + 1 < size; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = c == ' ' || c == '_' ? '-' : (char)tolower(c);
	}
	out[i] = '\0';
}

static void
key_norm_n(const char *in, size_t len, char *out, size_t size)
{
	char tmp[128];

	if (len >= sizeof(tmp))
		len = sizeof(tmp) - 1;
	memcpy(tmp, in, len);
	tmp[len] = '\0';
	ng_key_norm(tmp, out, size);
}

json_t *
ng_from_bencode(const struct wrtc_bencode_node *n)
{
	json_t *v = NULL;

	switch (n->type) {
	case WRTC_BENCODE_INT:
		return json_integer(n->i);
	case WRTC_BENCODE_STR:
		/* SDP and tags are text; bytes that are not UTF-8 are kept as they are. */
		return json_stringn_nocheck(n->str, n->len);
	case WRTC_BENCODE_LIST:
		v = json_array();
		for (const struct wrtc_bencode_node *c = n->child; v != NULL && c != NULL;
		     c = c->next)
			if (json_array_append_new(v, ng_from_bencode(c)) != 0) {
				json_decref(v);
				return NULL;
			}
		return v;
	case WRTC_BENCODE_DICT:
		v = json_object();
		for (const struct wrtc_bencode_node *c = n->child; v != NULL && c != NULL;
		     c = c->next) {
			char key[128];

			key_norm_n(c->key, c->key_len, key, sizeof(key));
			if (json_object_set_new_nocheck(v, key, ng_from_bencode(c)) != 0) {
				json_decref(v);
				return NULL;
			}
		}
		return v;
	}
	return NULL;
}

void
ng_to_bencode(const json_t *v, struct wrtc_bencode_buf *b)
{
	const char *key;
	json_t *m;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		wrtc_bencode_dict_begin(b);
		json_object_foreach((json_t *)v, key, m) {
			if (json_is_null(m))
				continue;
			wrtc_bencode_put_cstr(b, key);
			ng_to_bencode(m, b);
		}
		wrtc_bencode_end(b);
		break;
	case JSON_ARRAY:
		wrtc_bencode_list_begin(b);
		json_array_foreach(v, i, m)
			ng_to_bencode(m, b);
		wrtc_bencode_end(b);
		break;
	case JSON_STRING:
		wrtc_bencode_put_str(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		wrtc_bencode_put_int(b, json_integer_value(v));
		break;
	case JSON_REAL:
		/* bencode has integers only (rtpengine sends durations as integers too). */
		wrtc_bencode_put_int(b, (int64_t)json_real_value(v));
		break;
	case JSON_TRUE:
		wrtc_bencode_put_cstr(b, "yes");
		break;
	case JSON_FALSE:
		wrtc_bencode_put_cstr(b, "no");
		break;
	case JSON_NULL:
		wrtc_bencode_put_cstr(b, "");
		break;
	}
}
