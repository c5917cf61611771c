/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call record: struct wrtc_ha_record <-> JSON (docs/lib/ha.rst has the
 * schema). Keys and binary material are lower-case hex. The decoder walks a
 * table of fields per object and refuses keys it does not know.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "wrtc_ha.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const learn_names[] = {"signalled", "learning", "latched"};
static const char *const role_names[] = {"none", "client", "server"};

/* ------------------------------------------------------------------ encode */

static json_t *
hex_json(const uint8_t *b, size_t n)
{
	char s[2 * 2 * WRTC_HA_KEY_SIZE + 1];
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		s[2 * i] = d[b[i] >> 4];
		s[2 * i + 1] = d[b[i] & 15];
	}
	s[2 * n] = '\0';
	return json_string(s);
}

static json_t *
srtp_json(const struct wrtc_ha_srtp_dir *d)
{
	json_t *o;

	if (!d->present)
		return json_null();
	o = json_pack("{s:s, s:o, s:I, s:I, s:I}", "suite", d->suite,
		      "key", hex_json(d->key, d->key_size), "roc", (json_int_t)d->roc,
		      "seq", (json_int_t)d->seq, "srtcp_index", (json_int_t)d->srtcp_index);
	if (o != NULL && d->has_ssrc &&
	    json_object_set_new(o, "ssrc", json_integer((json_int_t)d->ssrc)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
stream_json(const struct wrtc_ha_stream *s)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:I, s:s, s:o, s:o}",
			      "port", (json_int_t)s->local_port, "iface", (json_int_t)s->iface,
			      "remote_addr", s->remote_addr,
			      "remote_port", (json_int_t)s->remote_port,
			      "learn", learn_names[s->learn],
			      "srtp_in", srtp_json(&s->srtp_in),
			      "srtp_out", srtp_json(&s->srtp_out));

	if (o == NULL)
		return NULL;
	if (s->ice_lufrag[0] != '\0' &&
	    json_object_set_new(o, "ice", json_pack("{s:s, s:s, s:s, s:s, s:o}",
			"lufrag", s->ice_lufrag, "lpwd", s->ice_lpwd,
			"rufrag", s->ice_rufrag, "rpwd", s->ice_rpwd,
			"selected", s->ice_selected ?
				json_pack("{s:s, s:I}", "addr", s->ice_sel_addr,
					  "port", (json_int_t)s->ice_sel_port) :
				json_null())) != 0)
		goto fail;
	if (s->dtls_role != WRTC_HA_DTLS_NONE &&
	    json_object_set_new(o, "dtls", json_pack("{s:s, s:b, s:s, s:s, s:o}",
			"role", role_names[s->dtls_role], "connected", s->dtls_connected,
			"local_fp", s->dtls_local_fp, "remote_fp", s->dtls_remote_fp,
			"ekm", hex_json(s->dtls_ekm, s->dtls_ekm_size))) != 0)
		goto fail;
	if (s->codec[0] != '\0' &&
	    json_object_set_new(o, "transcode", json_pack("{s:s, s:I, s:I, s:I}",
			"codec", s->codec, "pt", (json_int_t)s->codec_pt,
			"rate", (json_int_t)s->codec_rate,
			"channels", (json_int_t)s->codec_channels)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

char *
wrtc_ha_record_encode(const struct wrtc_ha_record *r)
{
	json_t *root, *legs;
	char *text = NULL;

	legs = json_array();
	if (legs == NULL)
		return NULL;
	for (unsigned int i = 0; i < r->n_legs && i < WRTC_HA_MAX_LEGS; i++) {
		const struct wrtc_ha_leg *l = &r->legs[i];
		json_t *streams = json_array();

		if (streams == NULL)
			goto out_legs;
		for (unsigned int j = 0; j < l->n_streams && j < WRTC_HA_MAX_STREAMS; j++)
			if (json_array_append_new(streams, stream_json(&l->streams[j])) != 0) {
				json_decref(streams);
				goto out_legs;
			}
		if (json_array_append_new(legs, json_pack("{s:s, s:s, s:I, s:o}", "tag", l->tag,
				"trunk_group", l->trunk_group, "flags", (json_int_t)l->flags,
				"streams", streams)) != 0)
			goto out_legs;
	}
	root = json_pack("{s:i, s:s, s:s, s:I, s:I, s:s?, s:s?, s:o}",
			 "v", WRTC_HA_RECORD_VERSION, "call_id", r->call_id, "node", r->node,
			 "updated_ms", (json_int_t)r->updated_ms,
			 "generation", (json_int_t)r->generation,
			 "sdp_offer", r->sdp_offer, "sdp_answer", r->sdp_answer, "legs", legs);
	if (root == NULL)
		return NULL; /* "o" stole legs */
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
out_legs:
	json_decref(legs);
	return NULL;
}

/* ------------------------------------------------------------------ decode */

struct dec {
	char *err;
	size_t err_size;
	char path[192];
};

static int
fail(struct dec *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (d->err == NULL || d->err_size == 0)
		return -EINVAL;
	n = snprintf(d->err, d->err_size, "%s: ", d->path[0] ? d->path : "record");
	if (n >= 0 && (size_t)n < d->err_size) {
		va_start(ap, fmt);
		vsnprintf(d->err + n, d->err_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static size_t
push(struct dec *d, const char *key, int idx)
{
	size_t saved = strlen(d->path);

	if (key != NULL)
		snprintf(d->path + saved, sizeof(d->path) - saved, "%s%s", saved ? "." : "", key);
	else
		snprintf(d->path + saved, sizeof(d->path) - saved, "[%d]", idx);
	return saved;
}

static void
pop(struct dec *d, size_t saved)
{
	d->path[saved] = '\0';
}

/* Every key of @p o must be in @p keys; the required ones (leading '!') present. */
static int
check_keys(struct dec *d, const json_t *o, const char *const *keys, size_t n)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return fail(d, "must be an object");
	json_object_foreach((json_t *)o, k, v) {
		size_t i;

		for (i = 0; i < n; i++)
			if (strcmp(k, keys[i] + (keys[i][0] == '!')) == 0)
				break;
		if (i == n)
			return fail(d, "unknown key \"%s\"", k);
	}
	for (size_t i = 0; i < n; i++)
		if (keys[i][0] == '!' && json_object_get(o, keys[i] + 1) == NULL)
			return fail(d, "missing key \"%s\"", keys[i] + 1);
	return 0;
}

static int
get_uint(struct dec *d, const json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t *v = json_object_get(o, key);
	size_t saved = push(d, key, 0);
	int rc = 0;

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		rc = fail(d, "must be an integer 0..%llu", (unsigned long long)max);
	else
		*out = (uint64_t)json_integer_value(v);
	pop(d, saved);
	return rc;
}

static int
get_str(struct dec *d, const json_t *o, const char *key, char *out, size_t size)
{
	json_t *v = json_object_get(o, key);
	size_t saved = push(d, key, 0);
	int rc = 0;

	if (!json_is_string(v))
		rc = fail(d, "must be a string");
	else if (json_string_length(v) >= size || strlen(json_string_value(v)) !=
		 json_string_length(v))
		rc = fail(d, "longer than %zu bytes or has a NUL", size - 1);
	else
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
	pop(d, saved);
	return rc;
}

static int
get_enum(struct dec *d, const json_t *o, const char *key, const char *const *names,
	 size_t n, int *out)
{
	char s[WRTC_HA_NAME_SIZE];
	size_t saved;

	if (get_str(d, o, key, s, sizeof(s)) != 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	saved = push(d, key, 0);
	fail(d, "unknown value \"%s\"", s);
	pop(d, saved);
	return -EINVAL;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int
get_hex(struct dec *d, const json_t *o, const char *key, uint8_t *out, size_t max,
	uint8_t *n_out)
{
	char s[4 * WRTC_HA_KEY_SIZE + 2];
	size_t len, saved;

	if (get_str(d, o, key, s, sizeof(s)) != 0)
		return -EINVAL;
	len = strlen(s);
	saved = push(d, key, 0);
	if (len % 2 != 0 || len / 2 > max) {
		fail(d, "must be an even number of hex digits, at most %zu bytes", max);
		pop(d, saved);
		return -EINVAL;
	}
	for (size_t i = 0; i < len / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			fail(d, "not lower-case hex");
			pop(d, saved);
			return -EINVAL;
		}
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*n_out = (uint8_t)(len / 2);
	pop(d, saved);
	return 0;
}

static int
dec_srtp(struct dec *d, const json_t *o, struct wrtc_ha_srtp_dir *s)
{
	static const char *const keys[] = {"!suite", "!key", "!roc", "!seq", "!srtcp_index",
					   "ssrc"};
	uint64_t x;

	if (json_is_null(o))
		return 0;
	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_str(d, o, "suite", s->suite, sizeof(s->suite)) != 0 ||
	    get_hex(d, o, "key", s->key, sizeof(s->key), &s->key_size) != 0)
		return -EINVAL;
	if (s->key_size < 16) {
		size_t saved = push(d, "key", 0);

		fail(d, "shorter than 16 bytes");
		pop(d, saved);
		return -EINVAL;
	}
	if (get_uint(d, o, "roc", UINT32_MAX, &x) != 0)
		return -EINVAL;
	s->roc = (uint32_t)x;
	if (get_uint(d, o, "seq", UINT16_MAX, &x) != 0)
		return -EINVAL;
	s->seq = (uint16_t)x;
	if (get_uint(d, o, "srtcp_index", 0x7fffffff, &x) != 0)
		return -EINVAL;
	s->srtcp_index = (uint32_t)x;
	if (json_object_get(o, "ssrc") != NULL) {
		if (get_uint(d, o, "ssrc", UINT32_MAX, &x) != 0)
			return -EINVAL;
		s->ssrc = (uint32_t)x;
		s->has_ssrc = true;
	}
	s->present = true;
	return 0;
}

static int
dec_ice(struct dec *d, const json_t *o, struct wrtc_ha_stream *s)
{
	static const char *const keys[] = {"!lufrag", "!lpwd", "!rufrag", "!rpwd", "!selected"};
	static const char *const sel_keys[] = {"!addr", "!port"};
	json_t *sel = json_object_get(o, "selected");
	uint64_t x;
	size_t saved;
	int rc = 0;

	if (json_is_null(o))
		return 0;
	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_str(d, o, "lufrag", s->ice_lufrag, sizeof(s->ice_lufrag)) != 0 ||
	    get_str(d, o, "lpwd", s->ice_lpwd, sizeof(s->ice_lpwd)) != 0 ||
	    get_str(d, o, "rufrag", s->ice_rufrag, sizeof(s->ice_rufrag)) != 0 ||
	    get_str(d, o, "rpwd", s->ice_rpwd, sizeof(s->ice_rpwd)) != 0)
		return -EINVAL;
	if (s->ice_lufrag[0] == '\0') {
		saved = push(d, "lufrag", 0);
		fail(d, "must not be empty");
		pop(d, saved);
		return -EINVAL;
	}
	if (json_is_null(sel))
		return 0;
	saved = push(d, "selected", 0);
	if (check_keys(d, sel, sel_keys, N(sel_keys)) != 0 ||
	    get_str(d, sel, "addr", s->ice_sel_addr, sizeof(s->ice_sel_addr)) != 0 ||
	    get_uint(d, sel, "port", UINT16_MAX, &x) != 0)
		rc = -EINVAL;
	else {
		s->ice_sel_port = (uint16_t)x;
		s->ice_selected = true;
	}
	pop(d, saved);
	return rc;
}

static int
dec_dtls(struct dec *d, const json_t *o, struct wrtc_ha_stream *s)
{
	static const char *const keys[] = {"!role", "!connected", "!local_fp", "!remote_fp",
					   "!ekm"};
	json_t *c = json_object_get(o, "connected");
	int role;
	size_t saved;

	if (json_is_null(o))
		return 0;
	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_enum(d, o, "role", role_names, N(role_names), &role) != 0 ||
	    get_str(d, o, "local_fp", s->dtls_local_fp, sizeof(s->dtls_local_fp)) != 0 ||
	    get_str(d, o, "remote_fp", s->dtls_remote_fp, sizeof(s->dtls_remote_fp)) != 0 ||
	    get_hex(d, o, "ekm", s->dtls_ekm, sizeof(s->dtls_ekm), &s->dtls_ekm_size) != 0)
		return -EINVAL;
	saved = push(d, role == WRTC_HA_DTLS_NONE ? "role" : "connected", 0);
	if (role == WRTC_HA_DTLS_NONE) {
		fail(d, "\"none\" is written as no dtls object");
		pop(d, saved);
		return -EINVAL;
	}
	if (!json_is_boolean(c)) {
		fail(d, "must be true or false");
		pop(d, saved);
		return -EINVAL;
	}
	pop(d, saved);
	s->dtls_role = (enum wrtc_ha_dtls_role)role;
	s->dtls_connected = json_is_true(c);
	return 0;
}

static int
dec_tc(struct dec *d, const json_t *o, struct wrtc_ha_stream *s)
{
	static const char *const keys[] = {"!codec", "!pt", "!rate", "!channels"};
	uint64_t pt, rate, ch;

	if (json_is_null(o))
		return 0;
	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_str(d, o, "codec", s->codec, sizeof(s->codec)) != 0 ||
	    get_uint(d, o, "pt", 127, &pt) != 0 ||
	    get_uint(d, o, "rate", 192000, &rate) != 0 ||
	    get_uint(d, o, "channels", 8, &ch) != 0)
		return -EINVAL;
	s->codec_pt = (uint8_t)pt;
	s->codec_rate = (uint32_t)rate;
	s->codec_channels = (uint8_t)ch;
	return 0;
}

static int
sub(struct dec *d, const json_t *o, const char *key,
    int (*fn)(struct dec *, const json_t *, void *), void *obj)
{
	json_t *v = json_object_get(o, key);
	size_t saved;
	int rc;

	if (v == NULL)
		return 0;
	saved = push(d, key, 0);
	rc = fn(d, v, obj);
	pop(d, saved);
	return rc;
}

static int
dec_stream(struct dec *d, const json_t *o, struct wrtc_ha_stream *s)
{
	static const char *const keys[] = {"!port", "!iface", "!remote_addr", "!remote_port",
					   "!learn", "!srtp_in", "!srtp_out", "ice", "dtls",
					   "transcode"};
	uint64_t x;
	int learn;

	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_uint(d, o, "port", UINT16_MAX, &x) != 0)
		return -EINVAL;
	s->local_port = (uint16_t)x;
	if (get_uint(d, o, "iface", UINT8_MAX, &x) != 0)
		return -EINVAL;
	s->iface = (uint8_t)x;
	if (get_str(d, o, "remote_addr", s->remote_addr, sizeof(s->remote_addr)) != 0 ||
	    get_uint(d, o, "remote_port", UINT16_MAX, &x) != 0)
		return -EINVAL;
	s->remote_port = (uint16_t)x;
	if (get_enum(d, o, "learn", learn_names, N(learn_names), &learn) != 0)
		return -EINVAL;
	s->learn = (enum wrtc_ha_learn)learn;
	if (sub(d, o, "srtp_in", (void *)dec_srtp, &s->srtp_in) != 0 ||
	    sub(d, o, "srtp_out", (void *)dec_srtp, &s->srtp_out) != 0 ||
	    sub(d, o, "ice", (void *)dec_ice, s) != 0 ||
	    sub(d, o, "dtls", (void *)dec_dtls, s) != 0 ||
	    sub(d, o, "transcode", (void *)dec_tc, s) != 0)
		return -EINVAL;
	return 0;
}

static int
dec_leg(struct dec *d, const json_t *o, struct wrtc_ha_leg *l)
{
	static const char *const keys[] = {"!tag", "!trunk_group", "!flags", "!streams"};
	json_t *streams = json_object_get(o, "streams"), *v;
	size_t i, saved;
	uint64_t x;

	if (check_keys(d, o, keys, N(keys)) != 0 ||
	    get_str(d, o, "tag", l->tag, sizeof(l->tag)) != 0 ||
	    get_str(d, o, "trunk_group", l->trunk_group, sizeof(l->trunk_group)) != 0 ||
	    get_uint(d, o, "flags", UINT32_MAX, &x) != 0)
		return -EINVAL;
	l->flags = (uint32_t)x;
	saved = push(d, "streams", 0);
	if (!json_is_array(streams) || json_array_size(streams) > WRTC_HA_MAX_STREAMS) {
		fail(d, "must be an array of at most %d streams", WRTC_HA_MAX_STREAMS);
		pop(d, saved);
		return -EINVAL;
	}
	json_array_foreach(streams, i, v) {
		size_t s2 = push(d, NULL, (int)i);

		if (dec_stream(d, v, &l->streams[i]) != 0) {
			pop(d, saved);
			return -EINVAL;
		}
		pop(d, s2);
	}
	pop(d, saved);
	l->n_streams = (unsigned int)json_array_size(streams);
	return 0;
}

static int
get_sdp(struct dec *d, const json_t *o, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);
	size_t saved;

	if (v == NULL || json_is_null(v))
		return 0;
	saved = push(d, key, 0);
	if (!json_is_string(v) || json_string_length(v) > WRTC_HA_MAX_SDP ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		fail(d, "must be a string of at most %d bytes without NUL", WRTC_HA_MAX_SDP);
		pop(d, saved);
		return -EINVAL;
	}
	pop(d, saved);
	*out = strdup(json_string_value(v));
	return *out == NULL ? -ENOMEM : 0;
}

int
wrtc_ha_record_decode(const char *text, size_t len, struct wrtc_ha_record *r,
		      char *err, size_t err_size)
{
	static const char *const keys[] = {"!v", "!call_id", "!node", "!updated_ms",
					   "!generation", "sdp_offer", "sdp_answer", "!legs"};
	struct dec d = {.err = err, .err_size = err_size};
	json_error_t jerr;
	json_t *root, *legs, *v;
	uint64_t x;
	size_t i;
	int rc = -EINVAL;

	memset(r, 0, sizeof(*r));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		fail(&d, "not JSON: %s (offset %d)", jerr.text, jerr.position);
		return -EINVAL;
	}
	if (check_keys(&d, root, keys, N(keys)) != 0 ||
	    get_uint(&d, root, "v", UINT32_MAX, &x) != 0)
		goto out;
	if (x != WRTC_HA_RECORD_VERSION) {
		fail(&d, "version %llu, this gateway reads version %d", (unsigned long long)x,
		     WRTC_HA_RECORD_VERSION);
		goto out;
	}
	if (get_str(&d, root, "call_id", r->call_id, sizeof(r->call_id)) != 0 ||
	    get_str(&d, root, "node", r->node, sizeof(r->node)) != 0 ||
	    get_uint(&d, root, "updated_ms", INT64_MAX, &r->updated_ms) != 0 ||
	    get_uint(&d, root, "generation", UINT32_MAX, &x) != 0)
		goto out;
	r->generation = (uint32_t)x;
	if (r->call_id[0] == '\0') {
		fail(&d, "call_id is empty");
		goto out;
	}
	legs = json_object_get(root, "legs");
	if (!json_is_array(legs) || json_array_size(legs) > WRTC_HA_MAX_LEGS) {
		size_t saved = push(&d, "legs", 0);

		fail(&d, "must be an array of at most %d legs", WRTC_HA_MAX_LEGS);
		pop(&d, saved);
		goto out;
	}
	json_array_foreach(legs, i, v) {
		size_t saved = push(&d, "legs", 0);

		push(&d, NULL, (int)i);
		if (dec_leg(&d, v, &r->legs[i]) != 0)
			goto out;
		pop(&d, saved);
	}
	r->n_legs = (unsigned int)json_array_size(legs);
	rc = get_sdp(&d, root, "sdp_offer", &r->sdp_offer);
	if (rc == 0)
		rc = get_sdp(&d, root, "sdp_answer", &r->sdp_answer);
out:
	json_decref(root);
	if (rc != 0)
		wrtc_ha_record_fini(r);
	return rc;
}

void
wrtc_ha_record_fini(struct wrtc_ha_record *r)
{
	if (r == NULL)
		return;
	free(r->sdp_offer);
	free(r->sdp_answer);
	r->sdp_offer = NULL;
	r->sdp_answer = NULL;
}
