/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flags of an ng offer, with their rtpengine meaning (docs/ng.md
 * "Flags"): typed keys of the dictionary, bare words of the "flags" list, and
 * the same written inside an "rtpp-flags" string. They become per-leg
 * profile changes (struct wrtc_session_profile) and interface choices; a flag
 * that wrtcgw does not implement is named in the reply's "warning", never an
 * error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ng_priv.h"

void
ng_warn(char *warning, size_t size, const char *fmt, ...)
{
	size_t len = strlen(warning);
	va_list ap;

	if (len != 0 && len + 2 < size) {
		memcpy(warning + len, "; ", 3);
		len += 2;
	}
	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(warning + len, size - len, fmt, ap);
	va_end(ap);
}

/* Compare a flag word with a name, ignoring case and '-', '_', ' ' differences. */
static bool
word_is(const char *w, const char *name)
{
	char a[128], b[128];

	ng_key_norm(w, a, sizeof(a));
	ng_key_norm(name, b, sizeof(b));
	return strcmp(a, b) == 0;
}

/* @p w starts with @p prefix (normalised); *rest is what follows. */
static bool
word_prefix(const char *w, const char *prefix, const char **rest)
{
	char a[128], b[128];
	size_t n;

	ng_key_norm(w, a, sizeof(a));
	ng_key_norm(prefix, b, sizeof(b));
	n = strlen(b);
	if (strncmp(a, b, n) != 0 || w[n] == '\0')
		return false;
	*rest = w + n;
	return true;
}

static int
iface_find(const struct wrtc_config *cfg, const char *name)
{
	for (unsigned int i = 0; i < cfg->n_interfaces; i++)
		if (strcasecmp(cfg->interfaces[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* transport-protocol for leg @p l. */
static void
transport(struct ng_offer_opts *o, unsigned int l, const char *v)
{
	struct wrtc_session_profile *p = &o->profile[l];

	if (strncasecmp(v, "UDP/TLS/RTP/SAVP", 16) == 0) {
		o->kind[l] = WRTC_CONFIG_TRUNK_WEBRTC;
		p->dtls = 1;
	} else if (strcasecmp(v, "RTP/SAVP") == 0 || strcasecmp(v, "RTP/SAVPF") == 0) {
		o->kind[l] = WRTC_CONFIG_TRUNK_SIP;
		p->sdes = 1;
	} else if (strcasecmp(v, "RTP/AVP") == 0 || strcasecmp(v, "RTP/AVPF") == 0) {
		o->kind[l] = WRTC_CONFIG_TRUNK_SIP;
		p->sdes = 0;
		p->dtls = 0;
	} else {
		ng_warn(o->warning, sizeof(o->warning), "transport-protocol: %s not supported", v);
	}
}

static void
codec_edit(struct ng_offer_opts *o, const char *op, const char *codec)
{
	struct wrtc_session_profile *p = &o->profile[1];

	if (word_is(op, "strip") || word_is(op, "mask")) {
		/* mask: not offered to the answerer, still accepted from the offerer and
		 * transcoded: what stripping from the answerer's list does here. */
		if (p->n_strip < WRTC_SESSION_MAX_CODEC_EDITS)
			snprintf(p->strip[p->n_strip++], WRTC_SESSION_CODEC_NAME, "%s", codec);
	} else if (word_is(op, "transcode") || word_is(op, "offer")) {
		if (p->n_add < WRTC_SESSION_MAX_CODEC_EDITS)
			snprintf(p->add[p->n_add++], WRTC_SESSION_CODEC_NAME, "%s", codec);
	} else if (word_is(op, "accept")) {
		if (p->n_accept < WRTC_SESSION_MAX_CODEC_EDITS)
			snprintf(p->accept[p->n_accept++], WRTC_SESSION_CODEC_NAME, "%s", codec);
	} else if (word_is(op, "except")) {
		if (p->n_keep < WRTC_SESSION_MAX_CODEC_EDITS)
			snprintf(p->keep[p->n_keep++], WRTC_SESSION_CODEC_NAME, "%s", codec);
	} else {
		ng_warn(o->warning, sizeof(o->warning), "codec-%s: not supported", op);
	}
}

static void
rtcp_mux(struct ng_offer_opts *o, const char *v)
{
	if (word_is(v, "offer") || word_is(v, "require"))
		o->profile[1].rtcp_mux = 1;
	else if (word_is(v, "demux"))
		o->profile[1].rtcp_mux = 0;
	else if (word_is(v, "accept"))
		o->profile[0].rtcp_mux = 1;
	else if (word_is(v, "reject"))
		o->profile[0].rtcp_mux = 0;
	else
		ng_warn(o->warning, sizeof(o->warning), "rtcp-mux-%s: unknown", v);
}

static void
replace(struct ng_offer_opts *o, const char *v)
{
	/* The gateway always writes its own o= and c= lines. */
	if (!word_is(v, "origin") && !word_is(v, "session-connection"))
		ng_warn(o->warning, sizeof(o->warning), "replace-%s: not supported", v);
}

/* An SRTP suite name as crypto_suite_profiles spell it; -1 if none. */
static int
suite_of(const char *name)
{
	for (int e = WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_80;
	     e <= WRTC_CONFIG_SUITE_AEAD_AES_256_GCM; e++)
		if (strcasecmp(wrtc_config_suite_str((enum wrtc_config_srtp_suite)e), name) == 0)
			return e;
	return -1;
}

static void
sdes(struct ng_offer_opts *o, const char *v)
{
	const char *rest = NULL;
	bool no = false;
	int e;

	if (word_is(v, "off") || word_is(v, "no") || word_is(v, "disable"))
		o->profile[1].sdes = 0;
	else if (word_is(v, "on") || word_is(v, "yes"))
		o->profile[1].sdes = 1;
	else if (((no = word_prefix(v, "no-", &rest)) || word_prefix(v, "only-", &rest)) &&
		 (e = suite_of(rest)) >= 0)
		/* Suites offered to the answerer and accepted from the offerer alike. */
		for (unsigned int l = 0; l < 2; l++) {
			if (no)
				o->profile[l].sdes_no |= 1u << e;
			else
				o->profile[l].sdes_only |= 1u << e;
		}
	else
		ng_warn(o->warning, sizeof(o->warning), "SDES-%s: not supported", v);
}

static void
ice(struct ng_offer_opts *o, const char *v)
{
	if (word_is(v, "force") || word_is(v, "force-relay")) {
		o->ice = 1;
		if (word_is(v, "force-relay"))
			ng_warn(o->warning, sizeof(o->warning),
				"ICE=force-relay: treated as force (no relay candidates)");
	} else if (word_is(v, "remove")) {
		o->ice = 2;
	} else if (!word_is(v, "default") && !word_is(v, "optional")) {
		ng_warn(o->warning, sizeof(o->warning), "ICE=%s: unknown", v);
	}
}

static void
dtls(struct ng_offer_opts *o, const char *v)
{
	if (word_is(v, "off") || word_is(v, "no") || word_is(v, "disable"))
		o->profile[1].dtls = 0;
	else if (word_is(v, "passive"))
		o->profile[1].dtls_role = WRTC_CONFIG_DTLS_ROLE_PASSIVE;
	else if (word_is(v, "active"))
		o->profile[1].dtls_role = WRTC_CONFIG_DTLS_ROLE_ACTIVE;
	else
		ng_warn(o->warning, sizeof(o->warning), "DTLS=%s: unknown", v);
}

static void
direction(struct ng_offer_opts *o, const struct wrtc_config *cfg, unsigned int l, const char *v)
{
	int i = iface_find(cfg, v);

	if (l > 1)
		return;
	if (i < 0) {
		ng_warn(o->warning, sizeof(o->warning), "interface \"%s\": not configured", v);
		return;
	}
	o->iface[l] = i;
}

/* A bare word from "flags" or "rtpp-flags". */
static void
bare(struct ng_offer_opts *o, const char *w)
{
	static const char *const no_effect[] = {
		/* What wrtcgw does anyway (docs/ng.md "Flags"). */
		"trust-address", "SIP-source-address", "strict-source", "symmetric",
		"generate-mid", "port-latching", "no-rtcp-attribute", "full-rtcp-attribute",
		"record-call", "no-redis-update",
	};
	const char *rest;

	for (unsigned int i = 0; i < sizeof(no_effect) / sizeof(no_effect[0]); i++)
		if (word_is(w, no_effect[i]))
			return;
	if (word_is(w, "WebRTC")) {
		transport(o, 1, "UDP/TLS/RTP/SAVPF");
		o->ice = 1;
		o->profile[1].rtcp_mux = 1;
	} else if (word_is(w, "asymmetric")) {
		/* The offerer's media goes to its signalled address only. */
		o->profile[0].latch = WRTC_CONFIG_LATCH_OFF;
	} else if (word_is(w, "loop-protect")) {
		o->loop_protect = true;
	} else if (word_is(w, "fragment")) {
		o->fragment = true;
	} else if (word_is(w, "ICE-restart")) {
		/* wrtcgw's: a re-offer restarts ICE towards the answerer (new
		 * ufrag/pwd); rtpengine has no such flag (its reset un-learns). */
		o->ice_restart = true;
	} else if (word_is(w, "trickle-ICE")) {
		/* The answerer may trickle its candidates: a=ice-options:trickle. */
		o->profile[1].trickle = 1;
	} else if (word_prefix(w, "codec-strip-", &rest)) {
		codec_edit(o, "strip", rest);
	} else if (word_prefix(w, "codec-mask-", &rest)) {
		codec_edit(o, "mask", rest);
	} else if (word_prefix(w, "codec-transcode-", &rest)) {
		codec_edit(o, "transcode", rest);
	} else if (word_prefix(w, "codec-offer-", &rest)) {
		codec_edit(o, "offer", rest);
	} else if (word_prefix(w, "codec-except-", &rest)) {
		codec_edit(o, "except", rest);
	} else if (word_prefix(w, "codec-accept-", &rest)) {
		codec_edit(o, "accept", rest);
	} else if (word_prefix(w, "codec-consume-", &rest) ||
		   word_prefix(w, "codec-set-", &rest)) {
		ng_warn(o->warning, sizeof(o->warning), "%s: not supported", w);
	} else if (word_prefix(w, "rtcp-mux-", &rest)) {
		rtcp_mux(o, rest);
	} else if (word_prefix(w, "replace-", &rest)) {
		replace(o, rest);
	} else if (word_prefix(w, "SDES-", &rest)) {
		sdes(o, rest);
	} else if (word_is(w, "always-transcode")) {
		o->profile[1].transcode = 1;
	} else {
		ng_warn(o->warning, sizeof(o->warning), "unknown flag \"%s\"", w);
	}
}

/* Calls @p fn for a string value or each string of a list value. */
#define EACH_STRING(v, s, body) do { \
	if (json_is_string(v)) { \
		const char *s = json_string_value(v); \
		body; \
	} else if (json_is_array(v)) { \
		size_t i_; json_t *e_; \
		json_array_foreach(v, i_, e_) \
			if (json_is_string(e_)) { \
				const char *s = json_string_value(e_); \
				body; \
			} \
	} \
} while (0)

/* A typed key (normalised) with its value; false if the key is not a flag. */
static bool
typed(struct ng_offer_opts *o, const struct wrtc_config *cfg, const char *key, const json_t *v)
{
	if (strcmp(key, "transport-protocol") == 0) {
		EACH_STRING(v, s, transport(o, 1, s));
	} else if (strcmp(key, "ice") == 0) {
		EACH_STRING(v, s, ice(o, s));
	} else if (strcmp(key, "dtls") == 0) {
		EACH_STRING(v, s, dtls(o, s));
	} else if (strcmp(key, "sdes") == 0) {
		EACH_STRING(v, s, sdes(o, s));
	} else if (strcmp(key, "rtcp-mux") == 0) {
		EACH_STRING(v, s, rtcp_mux(o, s));
	} else if (strcmp(key, "replace") == 0) {
		EACH_STRING(v, s, replace(o, s));
	} else if (strcmp(key, "direction") == 0) {
		/* One word per leg, in order, whether a list or repeated rtpp-flags. */
		EACH_STRING(v, s, direction(o, cfg, o->n_direction++, s));
	} else if (strcmp(key, "from-interface") == 0) {
		EACH_STRING(v, s, direction(o, cfg, 0, s));
	} else if (strcmp(key, "to-interface") == 0) {
		EACH_STRING(v, s, direction(o, cfg, 1, s));
	} else if (strcmp(key, "address-family") == 0) {
		EACH_STRING(v, s, {
			if (strcasecmp(s, "IP4") == 0)
				o->profile[1].address_type = WRTC_CONFIG_ADDR_IPV4;
			else if (strcasecmp(s, "IP6") == 0)
				o->profile[1].address_type = WRTC_CONFIG_ADDR_IPV6;
			else
				ng_warn(o->warning, sizeof(o->warning),
					"address-family=%s: unknown", s);
		});
	} else if (strcmp(key, "media-address") == 0) {
		EACH_STRING(v, s, {
			uint8_t a_[16];

			if (strlen(s) < sizeof(o->profile[1].media_address) &&
			    (inet_pton(AF_INET, s, a_) == 1 || inet_pton(AF_INET6, s, a_) == 1))
				snprintf(o->profile[1].media_address,
					 sizeof(o->profile[1].media_address), "%s", s);
			else
				ng_warn(o->warning, sizeof(o->warning),
					"media-address=%s: not a numeric address", s);
		});
	} else if (strcmp(key, "codec") == 0 && json_is_object(v)) {
		const char *op;
		json_t *list;

		json_object_foreach((json_t *)v, op, list)
			EACH_STRING(list, s, codec_edit(o, op, s));
	} else if (strcmp(key, "supports") == 0) {
		EACH_STRING(v, s, {
			if (word_is(s, "load limit"))
				o->load_limit = true;
		});
	} else if (strcmp(key, "flags") == 0) {
		EACH_STRING(v, s, bare(o, s));
	} else {
		return false;
	}
	return true;
}

/* Keys of an ng request that are not flags (docs/ng.md "Keys"). */
static const char *const plain_keys[] = {
	"command", "call-id", "from-tag", "to-tag", "sdp", "via-branch", "label", "set-label",
	"from-label", "to-label", "received-from", "record-call", "metadata", "delete-delay",
	"sip-message-type", "sip-code", "rtpp-flags", "xmlrpc-callback", "ttl",
	"output-destination",
	"all", "interface", "limit", "calling", "called", "drop-traffic", "sip-source-address",
};

/* One token of an rtpp-flags string: "key=value", a prefixed word, or a bare word. */
static void
token(struct ng_offer_opts *o, const struct wrtc_config *cfg, const char *t)
{
	const char *eq = strchr(t, '=');
	char key[64];

	if (eq != NULL && (size_t)(eq - t) < sizeof(key)) {
		json_t *v = json_string(eq + 1);

		memcpy(key, t, (size_t)(eq - t));
		key[eq - t] = '\0';
		ng_key_norm(key, key, sizeof(key));
		if (v != NULL && !typed(o, cfg, key, v)) {
			bool plain = false;

			for (size_t i = 0; i < sizeof(plain_keys) / sizeof(*plain_keys); i++)
				plain |= strcmp(key, plain_keys[i]) == 0;
			if (!plain)
				ng_warn(o->warning, sizeof(o->warning), "unknown flag \"%s\"", t);
		}
		json_decref(v);
		return;
	}
	bare(o, t);
}

int
ng_flags_parse(const json_t *req, const struct wrtc_config *cfg, struct ng_offer_opts *o,
	       char *err, size_t errlen)
{
	const char *key;
	json_t *v;

	memset(o, 0, sizeof(*o));
	for (unsigned int l = 0; l < 2; l++) {
		wrtc_session_profile_init(&o->profile[l]);
		o->iface[l] = -1;
		o->kind[l] = -1;
	}
	json_object_foreach((json_t *)req, key, v) {
		bool plain = false;

		if (typed(o, cfg, key, v))
			continue;
		for (unsigned int i = 0; i < sizeof(plain_keys) / sizeof(plain_keys[0]); i++)
			plain |= strcmp(key, plain_keys[i]) == 0;
		if (!plain)
			ng_warn(o->warning, sizeof(o->warning), "unknown key \"%s\"", key);
	}
	v = json_object_get(req, "rtpp-flags");
	if (v != NULL) {
		char buf[2048], *save = NULL;

		if (!json_is_string(v) || json_string_length(v) >= sizeof(buf)) {
			snprintf(err, errlen, "rtpp-flags: must be a string under %zu bytes",
				 sizeof(buf));
			return -EINVAL;
		}
		memcpy(buf, json_string_value(v), json_string_length(v) + 1);
		for (char *t = strtok_r(buf, " \t\r\n", &save); t != NULL;
		     t = strtok_r(NULL, " \t\r\n", &save))
			token(o, cfg, t);
	}
	return 0;
}
