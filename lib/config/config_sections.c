/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The field tables of every configuration object and their check functions.
 * The root table lists sections in dependency order, so when a trunk group is
 * checked its interface and packet service profile are already parsed and can
 * be resolved to indices with an error that names the referring key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_priv.h"

const char *const cfg_codec_names[5] = {"opus", "PCMU", "PCMA", "G722", "telephone-event"};
const char *const cfg_suite_names[4] = {"AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32",
					"AEAD_AES_128_GCM", "AEAD_AES_256_GCM"};
const char *const cfg_ice_names[3] = {"none", "lite", "full"};
const char *const cfg_kind_names[2] = {"webrtc", "sip"};
const char *const cfg_latch_names[4] = {"off", "immediate", "delayed", "heuristic"};
const char *const cfg_ptype_names[6] = {"link-data", "stun", "dtls", "arp", "nd", "icmp"};
const char *const cfg_pmode_names[2] = {"packet-rate", "data-rate"};
static const char *const role_names[] = {"auto", "active", "passive"};
static const char *const hash_names[] = {"sha-256", "sha-1"};
static const char *const addr_names[] = {"ipv4", "ipv6", "match", "prefer-received"};
static const char *const dir_names[] = {"in", "out", "both"};
static const char *const action_names[] = {"substitute", "delete"};

enum { MAX_REGEX_LEN = 1024 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Every element struct starts with its name, so one function finds duplicates. */
static int
check_unique(struct cfg_ctx *c, const void *base, size_t stride, unsigned int idx,
	     const char *name, const char *what)
{
	for (unsigned int i = 0; i < idx; i++) {
		const char *other = (const char *)base + (size_t)i * stride;

		if (strcmp(other, name) == 0) {
			size_t saved = cfg_push_key(c, "name");
			int rc = cfg_fail(c, "duplicate %s name \"%s\" (also entry %u)", what, name,
					  i);

			cfg_pop(c, saved);
			return rc;
		}
	}
	return 0;
}

/* Resolves a name against an array of named structs; -1 when absent. */
static int
find_named(const void *base, size_t stride, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp((const char *)base + (size_t)i * stride, name) == 0)
			return (int)i;
	return -1;
}

/* Reports an error at a key of the element being checked. */
static int
fail_at(struct cfg_ctx *c, const char *key, const char *fmt, const char *arg)
{
	size_t saved = cfg_push_key(c, key);

	cfg_fail(c, fmt, arg);
	cfg_pop(c, saved);
	return -1;
}

/* ---------------------------------------------------------------- interfaces */

static int
iface_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_interface *)obj)->name);
}

static int
iface_port(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;
	uint64_t idx;

	if (json_is_integer(v)) {
		if (cfg_uint(c, v, 0, 1023, &idx) != 0)
			return -1;
		it->port_index = (int32_t)idx;
		snprintf(it->port, sizeof(it->port), "%u", (unsigned int)idx);
		return 0;
	}
	if (json_string_length(v) == 0)
		return cfg_fail(c, "must not be empty");
	it->port_index = -1;
	return cfg_string(c, v, it->port, sizeof(it->port));
}

static int
iface_ipv4(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;

	it->has_ipv4 = true;
	return cfg_ipv4(c, json_string_value(v), true, &it->ipv4, &it->ipv4_prefix);
}

static int
iface_ipv6(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;

	it->has_ipv6 = true;
	return cfg_ipv6(c, json_string_value(v), true, &it->ipv6, &it->ipv6_prefix);
}

static bool
same_subnet6(const struct in6_addr *a, const struct in6_addr *b, unsigned int prefix)
{
	for (unsigned int i = 0; i < 16 && prefix > 0; i++) {
		unsigned int bits = prefix >= 8 ? 8 : prefix;
		uint8_t mask = (uint8_t)(0xff << (8 - bits));

		if ((a->s6_addr[i] & mask) != (b->s6_addr[i] & mask))
			return false;
		prefix -= bits;
	}
	return true;
}

static int
iface_gateway4(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;
	uint32_t mask;

	if (!it->has_ipv4)
		return cfg_fail(c, "needs ipv4 on the same interface");
	if (cfg_ipv4(c, json_string_value(v), false, &it->gateway4, NULL) != 0)
		return -1;
	mask = it->ipv4_prefix ? htonl(~0u << (32 - it->ipv4_prefix)) : 0;
	if ((it->gateway4.s_addr & mask) != (it->ipv4.s_addr & mask))
		return cfg_fail(c, "%s is not inside the ipv4 subnet /%u", json_string_value(v),
				it->ipv4_prefix);
	it->has_gateway4 = true;
	return 0;
}

static int
iface_gateway6(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;

	if (!it->has_ipv6)
		return cfg_fail(c, "needs ipv6 on the same interface");
	if (cfg_ipv6(c, json_string_value(v), false, &it->gateway6, NULL) != 0)
		return -1;
	/* A link-local next hop (fe80::/10) is always on link. */
	if (!IN6_IS_ADDR_LINKLOCAL(&it->gateway6) &&
	    !same_subnet6(&it->gateway6, &it->ipv6, it->ipv6_prefix))
		return cfg_fail(c, "%s is neither link-local nor inside the ipv6 subnet /%u",
				json_string_value(v), it->ipv6_prefix);
	it->has_gateway6 = true;
	return 0;
}

static int
iface_adv4(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;

	if (!it->has_ipv4)
		return cfg_fail(c, "needs ipv4 on the same interface");
	it->has_advertised_ipv4 = true;
	return cfg_ipv4(c, json_string_value(v), false, &it->advertised_ipv4, NULL);
}

static int
iface_adv6(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;

	if (!it->has_ipv6)
		return cfg_fail(c, "needs ipv6 on the same interface");
	it->has_advertised_ipv6 = true;
	return cfg_ipv6(c, json_string_value(v), false, &it->advertised_ipv6, NULL);
}

static int
iface_port_min(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;
	uint64_t p;

	if (cfg_uint(c, v, 1024, 65534, &p) != 0)
		return -1;
	if (p & 1)
		return cfg_fail(c, "must be even (RTP uses even ports, RTCP the next odd one)");
	it->media_port_min = (uint16_t)p;
	return 0;
}

static int
iface_port_max(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_interface *it = obj;
	uint64_t p;

	if (cfg_uint(c, v, 1025, 65535, &p) != 0)
		return -1;
	if (p <= it->media_port_min)
		return cfg_fail(c, "must be above media_port_min (%u) to hold an RTP/RTCP pair",
				it->media_port_min);
	it->media_port_max = (uint16_t)p;
	return 0;
}

static const struct cfg_field iface_fields[] = {
	{"name", JT_STRING, true, iface_name},
	{"port", JT_INTEGER | JT_STRING, true, iface_port},
	{"ipv4", JT_STRING, false, iface_ipv4},
	{"ipv6", JT_STRING, false, iface_ipv6},
	{"gateway4", JT_STRING, false, iface_gateway4},
	{"gateway6", JT_STRING, false, iface_gateway6},
	{"advertised_ipv4", JT_STRING, false, iface_adv4},
	{"advertised_ipv6", JT_STRING, false, iface_adv6},
	{"media_port_min", JT_INTEGER, false, iface_port_min},
	{"media_port_max", JT_INTEGER, false, iface_port_max},
};

static int
iface_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_interface *it = elem;
	const struct wrtc_config_interface *all = c->cfg->interfaces;

	it->media_port_min = 20000;
	it->media_port_max = 29999;
	if (cfg_walk(c, v, iface_fields, N(iface_fields), it) != 0)
		return -1;
	if (json_object_get(v, "media_port_min") != NULL &&
	    json_object_get(v, "media_port_max") == NULL &&
	    it->media_port_max <= it->media_port_min)
		return fail_at(c, "media_port_max", "%s",
			       "missing (media_port_min is above 29998)");
	if (!it->has_ipv4 && !it->has_ipv6)
		return cfg_fail(c, "needs ipv4 or ipv6 (or both)");
	if (check_unique(c, all, sizeof(*it), idx, it->name, "interface") != 0)
		return -1;
	for (unsigned int i = 0; i < idx; i++) {
		char a[INET6_ADDRSTRLEN];
		bool same4, same6;

		if (strcmp(all[i].port, it->port) == 0)
			return fail_at(c, "port", "port %s is already used by another interface",
				       it->port);
		/* Two interfaces may share an address only with disjoint media port
		 * ranges: a local address and port must name one stream. */
		same4 = it->has_ipv4 && all[i].has_ipv4 && all[i].ipv4.s_addr == it->ipv4.s_addr;
		same6 = it->has_ipv6 && all[i].has_ipv6 &&
			memcmp(&all[i].ipv6, &it->ipv6, sizeof(it->ipv6)) == 0;
		if ((same4 || same6) && it->media_port_min <= all[i].media_port_max &&
		    all[i].media_port_min <= it->media_port_max) {
			size_t saved = cfg_push_key(c, "media_port_min");

			if (same4)
				inet_ntop(AF_INET, &it->ipv4, a, sizeof(a));
			else
				inet_ntop(AF_INET6, &it->ipv6, a, sizeof(a));
			cfg_fail(c, "address %s with media ports %u..%u overlaps interface \"%s\" "
				 "(%u..%u): give the interfaces disjoint port ranges", a,
				 it->media_port_min, it->media_port_max, all[i].name,
				 all[i].media_port_min, all[i].media_port_max);
			cfg_pop(c, saved);
			return -1;
		}
	}
	return 0;
}

static int
sec_interfaces(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->interfaces), 1, (void **)&cfg->interfaces,
			 &cfg->n_interfaces, iface_elem);
}

/* ------------------------------------------------------------- dtls_profiles */

static int
dtls_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_dtls_profile *)obj)->name);
}

static int
dtls_versions(struct cfg_ctx *c, const json_t *v, void *obj)
{
	static const char *const names[] = {"1.0", "1.2"};
	struct wrtc_config_dtls_profile *p = obj;
	size_t i;
	json_t *e;

	if (json_array_size(v) == 0)
		return cfg_fail(c, "needs at least one version");
	p->versions = 0;
	json_array_foreach(v, i, e) {
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int ver, rc;

		if (!json_is_string(e))
			rc = cfg_fail(c, "must be a string");
		else
			rc = cfg_enum(c, e, names, N(names), &ver);
		if (rc == 0 && (p->versions & (1u << ver)))
			rc = cfg_fail(c, "duplicate version \"%s\"", names[ver]);
		cfg_pop(c, saved);
		if (rc != 0)
			return -1;
		p->versions |= 1u << ver;
	}
	return 0;
}

static int
dtls_role(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int r;

	if (cfg_enum(c, v, role_names, N(role_names), &r) != 0)
		return -1;
	((struct wrtc_config_dtls_profile *)obj)->role = (enum wrtc_config_dtls_role)r;
	return 0;
}

static int
cert_pkcs12(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_dtls_profile *p = obj;
	const char *s = json_string_value(v);
	int n;

	if (s[0] == '\0')
		return cfg_fail(c, "must not be empty");
	if (s[0] != '/' && c->base_dir != NULL && c->base_dir[0] != '\0')
		n = snprintf(p->pkcs12, sizeof(p->pkcs12), "%s/%s", c->base_dir, s);
	else
		n = snprintf(p->pkcs12, sizeof(p->pkcs12), "%s", s);
	if (n < 0 || (size_t)n >= sizeof(p->pkcs12))
		return cfg_fail(c, "path too long (max %zu characters)", sizeof(p->pkcs12) - 1);
	if (access(p->pkcs12, R_OK) != 0)
		return cfg_fail(c, "cannot read %s: %s", p->pkcs12, strerror(errno));
	return 0;
}

static int
cert_passphrase(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_dtls_profile *p = obj;

	return cfg_string(c, v, p->passphrase, sizeof(p->passphrase));
}

static const struct cfg_field cert_fields[] = {
	{"pkcs12", JT_STRING, true, cert_pkcs12},
	{"passphrase", JT_STRING, false, cert_passphrase},
};

static int
dtls_certificate(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_dtls_profile *p = obj;

	if (json_is_string(v)) {
		if (strcmp(json_string_value(v), "generated") != 0)
			return cfg_fail(c, "must be \"generated\" or an object {\"pkcs12\": "
					"path, \"passphrase\": text}");
		p->generated_certificate = true;
		return 0;
	}
	p->generated_certificate = false;
	return cfg_walk(c, v, cert_fields, N(cert_fields), p);
}

static int
dtls_hash(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int h;

	if (cfg_enum(c, v, hash_names, N(hash_names), &h) != 0)
		return -1;
	((struct wrtc_config_dtls_profile *)obj)->fingerprint_hash = (enum wrtc_config_hash)h;
	return 0;
}

static int
dtls_timeout(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t t;

	if (cfg_uint(c, v, 1, 300, &t) != 0)
		return -1;
	((struct wrtc_config_dtls_profile *)obj)->handshake_timeout = (uint32_t)t;
	return 0;
}

static const struct cfg_field dtls_fields[] = {
	{"name", JT_STRING, true, dtls_name},
	{"versions", JT_ARRAY, false, dtls_versions},
	{"role", JT_STRING, false, dtls_role},
	{"certificate", JT_STRING | JT_OBJECT, false, dtls_certificate},
	{"fingerprint_hash", JT_STRING, false, dtls_hash},
	{"handshake_timeout", JT_INTEGER, false, dtls_timeout},
};

static void
dtls_defaults(struct wrtc_config_dtls_profile *p)
{
	p->versions = WRTC_CONFIG_DTLS_1_2;
	p->role = WRTC_CONFIG_DTLS_ROLE_AUTO;
	p->generated_certificate = true;
	p->fingerprint_hash = WRTC_CONFIG_HASH_SHA256;
	p->handshake_timeout = 20;
}

static int
dtls_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_dtls_profile *p = elem;

	dtls_defaults(p);
	if (cfg_walk(c, v, dtls_fields, N(dtls_fields), p) != 0)
		return -1;
	return check_unique(c, c->cfg->dtls_profiles, sizeof(*p), idx, p->name, "dtls profile");
}

static int
sec_dtls(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->dtls_profiles), 0, (void **)&cfg->dtls_profiles,
			 &cfg->n_dtls_profiles, dtls_elem);
}

/* ----------------------------------------------------- crypto_suite_profiles */

static int
crypto_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_crypto_profile *)obj)->name);
}

static int
crypto_suites(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_crypto_profile *p = obj;
	unsigned int seen = 0;
	size_t i;
	json_t *e;

	if (json_array_size(v) == 0)
		return cfg_fail(c, "needs at least one suite");
	p->n_suites = 0;
	json_array_foreach(v, i, e) {
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int s, rc;

		if (!json_is_string(e))
			rc = cfg_fail(c, "must be a string");
		else
			rc = cfg_enum(c, e, cfg_suite_names, N(cfg_suite_names), &s);
		if (rc == 0 && (seen & (1u << s)))
			rc = cfg_fail(c, "duplicate suite \"%s\"", cfg_suite_names[s]);
		cfg_pop(c, saved);
		if (rc != 0)
			return -1;
		seen |= 1u << s;
		p->suites[p->n_suites++] = (enum wrtc_config_srtp_suite)s;
	}
	return 0;
}

static const struct cfg_field crypto_fields[] = {
	{"name", JT_STRING, true, crypto_name},
	{"suites", JT_ARRAY, true, crypto_suites},
};

static int
crypto_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_crypto_profile *p = elem;

	if (cfg_walk(c, v, crypto_fields, N(crypto_fields), p) != 0)
		return -1;
	return check_unique(c, c->cfg->crypto_profiles, sizeof(*p), idx, p->name,
			    "crypto suite profile");
}

static int
sec_crypto(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->crypto_profiles), 0, (void **)&cfg->crypto_profiles,
			 &cfg->n_crypto_profiles, crypto_elem);
}

/* ------------------------------------------------------------- codec_entries */

static const uint8_t static_pt[] = {
	[WRTC_CONFIG_CODEC_OPUS] = 0xff, [WRTC_CONFIG_CODEC_PCMU] = 0,
	[WRTC_CONFIG_CODEC_PCMA] = 8, [WRTC_CONFIG_CODEC_G722] = 9,
	[WRTC_CONFIG_CODEC_TELEPHONE_EVENT] = 0xff,
};

static int
codec_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_codec_entry *)obj)->name);
}

static int
codec_codec(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_codec_names, N(cfg_codec_names), &k) != 0)
		return -1;
	((struct wrtc_config_codec_entry *)obj)->codec = (enum wrtc_config_codec)k;
	return 0;
}

static int
codec_clock(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_codec_entry *e = obj;
	uint64_t hz;

	if (cfg_uint(c, v, 8000, 48000, &hz) != 0)
		return -1;
	switch (e->codec) {
	case WRTC_CONFIG_CODEC_OPUS:
		if (hz != 48000)
			return cfg_fail(c, "opus uses an RTP clock of 48000 (RFC 7587)");
		break;
	case WRTC_CONFIG_CODEC_TELEPHONE_EVENT:
		if (hz != 8000 && hz != 16000 && hz != 48000)
			return cfg_fail(c, "telephone-event clock must be 8000, 16000 or 48000");
		break;
	default:
		if (hz != 8000)
			return cfg_fail(c, "%s uses an RTP clock of 8000",
					cfg_codec_names[e->codec]);
	}
	e->clock = (uint32_t)hz;
	return 0;
}

static int
codec_channels(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_codec_entry *e = obj;
	uint64_t ch;

	if (cfg_uint(c, v, 1, e->codec == WRTC_CONFIG_CODEC_OPUS ? 2 : 1, &ch) != 0)
		return -1;
	e->channels = (uint8_t)ch;
	return 0;
}

static int
codec_ptime(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_codec_entry *e = obj;
	uint64_t ms;

	if (cfg_uint(c, v, 10, 60, &ms) != 0)
		return -1;
	if (e->codec == WRTC_CONFIG_CODEC_OPUS && ms != 10 && ms != 20 && ms != 40 && ms != 60)
		return cfg_fail(c, "opus ptime must be 10, 20, 40 or 60");
	if (ms % 10 != 0)
		return cfg_fail(c, "must be a multiple of 10");
	e->ptime = (uint16_t)ms;
	return 0;
}

static int
codec_pt(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_codec_entry *e = obj;
	uint64_t pt;

	if (cfg_uint(c, v, 0, 127, &pt) != 0)
		return -1;
	if (pt >= 72 && pt <= 76)
		return cfg_fail(c, "%u collides with RTCP packet types (72..76 are reserved)",
				(unsigned int)pt);
	if (pt < 35 && pt != static_pt[e->codec])
		return cfg_fail(c, "%u is a static payload type of another codec; use %s96..127",
				(unsigned int)pt,
				static_pt[e->codec] == 0xff ? "" :
				(e->codec == WRTC_CONFIG_CODEC_PCMU ? "0 or " :
				 e->codec == WRTC_CONFIG_CODEC_PCMA ? "8 or " : "9 or "));
	e->payload_type = (uint8_t)pt;
	return 0;
}

static int
codec_complexity(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 0, 10, &x) != 0)
		return -1;
	((struct wrtc_config_codec_entry *)obj)->complexity = (uint8_t)x;
	return 0;
}

static int
codec_bitrate(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 6000, 510000, &x) != 0)
		return -1;
	((struct wrtc_config_codec_entry *)obj)->bitrate = (uint32_t)x;
	return 0;
}

static int
codec_fec(struct cfg_ctx *c, const json_t *v, void *obj)
{
	((struct wrtc_config_codec_entry *)obj)->fec = json_is_true(v);
	return 0;
}

static int
codec_dtx(struct cfg_ctx *c, const json_t *v, void *obj)
{
	((struct wrtc_config_codec_entry *)obj)->dtx = json_is_true(v);
	return 0;
}

static const struct cfg_field codec_fields[] = {
	{"name", JT_STRING, true, codec_name},
	{"codec", JT_STRING, true, codec_codec},
	{"clock", JT_INTEGER, false, codec_clock},
	{"channels", JT_INTEGER, false, codec_channels},
	{"ptime", JT_INTEGER, false, codec_ptime},
	{"payload_type", JT_INTEGER, false, codec_pt},
	{"complexity", JT_INTEGER, false, codec_complexity},
	{"bitrate", JT_INTEGER, false, codec_bitrate},
	{"fec", JT_BOOL, false, codec_fec},
	{"dtx", JT_BOOL, false, codec_dtx},
};

static int
codec_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	static const char *const opus_only[] = {"complexity", "bitrate", "fec", "dtx"};
	struct wrtc_config_codec_entry *e = elem;

	e->codec = WRTC_CONFIG_CODEC_PCMU;
	e->clock = 8000;
	e->channels = 1;
	e->ptime = 20;
	e->complexity = 9;
	e->bitrate = 32000;
	e->fec = true;
	e->dtx = false;
	if (cfg_walk(c, v, codec_fields, N(codec_fields), e) != 0)
		return -1;
	if (e->codec == WRTC_CONFIG_CODEC_OPUS && json_object_get(v, "clock") == NULL)
		e->clock = 48000;
	if (json_object_get(v, "payload_type") == NULL) {
		if (static_pt[e->codec] == 0xff)
			return fail_at(c, "payload_type", "missing (%s has no static payload type)",
				       cfg_codec_names[e->codec]);
		e->payload_type = static_pt[e->codec];
	}
	if (e->codec != WRTC_CONFIG_CODEC_OPUS) {
		for (size_t i = 0; i < N(opus_only); i++)
			if (json_object_get(v, opus_only[i]) != NULL)
				return fail_at(c, opus_only[i], "%s", "only applies to opus");
	}
	return check_unique(c, c->cfg->codec_entries, sizeof(*e), idx, e->name, "codec entry");
}

static int
sec_codecs(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->codec_entries), 1, (void **)&cfg->codec_entries,
			 &cfg->n_codec_entries, codec_elem);
}

/* --------------------------------------------------- packet_service_profiles */

/* Index of the profile named "default", appending a built-in one if needed. */
static int
default_dtls_profile(struct cfg_ctx *c)
{
	struct wrtc_config *cfg = c->cfg;
	struct wrtc_config_dtls_profile *p;
	int i = find_named(cfg->dtls_profiles, sizeof(*p), cfg->n_dtls_profiles, "default");

	if (i >= 0)
		return i;
	p = realloc(cfg->dtls_profiles, (cfg->n_dtls_profiles + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	cfg->dtls_profiles = p;
	p += cfg->n_dtls_profiles;
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "default");
	dtls_defaults(p);
	return (int)cfg->n_dtls_profiles++;
}

static int
default_crypto_profile(struct cfg_ctx *c)
{
	struct wrtc_config *cfg = c->cfg;
	struct wrtc_config_crypto_profile *p;
	int i = find_named(cfg->crypto_profiles, sizeof(*p), cfg->n_crypto_profiles, "default");

	if (i >= 0)
		return i;
	p = realloc(cfg->crypto_profiles, (cfg->n_crypto_profiles + 1) * sizeof(*p));
	if (p == NULL)
		return -1;
	cfg->crypto_profiles = p;
	p += cfg->n_crypto_profiles;
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "default");
	p->n_suites = 4;
	p->suites[0] = WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_80;
	p->suites[1] = WRTC_CONFIG_SUITE_AEAD_AES_128_GCM;
	p->suites[2] = WRTC_CONFIG_SUITE_AEAD_AES_256_GCM;
	p->suites[3] = WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_32;
	return (int)cfg->n_crypto_profiles++;
}

static int
psp_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_psp *)obj)->name);
}

static int
psp_codecs(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	struct wrtc_config_psp *p = obj;
	bool audio = false;
	size_t i;
	json_t *e;

	if (json_array_size(v) == 0)
		return cfg_fail(c, "needs at least one codec entry");
	if (json_array_size(v) > WRTC_CONFIG_MAX_CODECS)
		return cfg_fail(c, "too many codec entries (max %d)", WRTC_CONFIG_MAX_CODECS);
	p->n_codecs = 0;
	json_array_foreach(v, i, e) {
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int k = -1, rc = 0;

		if (!json_is_string(e)) {
			rc = cfg_fail(c, "must be a string (a codec entry name)");
		} else {
			k = find_named(cfg->codec_entries, sizeof(*cfg->codec_entries),
				       cfg->n_codec_entries, json_string_value(e));
			if (k < 0)
				rc = cfg_fail(c, "no codec entry named \"%.64s\"",
					      json_string_value(e));
		}
		for (unsigned int j = 0; rc == 0 && j < p->n_codecs; j++) {
			const struct wrtc_config_codec_entry *o = &cfg->codec_entries[p->codecs[j]];

			if (p->codecs[j] == k)
				rc = cfg_fail(c, "\"%s\" is listed twice", o->name);
			else if (o->payload_type == cfg->codec_entries[k].payload_type)
				rc = cfg_fail(c, "payload type %u is also used by \"%s\"",
					      o->payload_type, o->name);
		}
		cfg_pop(c, saved);
		if (rc != 0)
			return -1;
		p->codecs[p->n_codecs++] = (uint16_t)k;
		if (cfg->codec_entries[k].codec != WRTC_CONFIG_CODEC_TELEPHONE_EVENT)
			audio = true;
	}
	if (!audio)
		return cfg_fail(c, "needs an audio codec besides telephone-event");
	return 0;
}

#define PSP_BOOL(field) \
	static int \
	psp_##field(struct cfg_ctx *c, const json_t *v, void *obj) \
	{ \
		((struct wrtc_config_psp *)obj)->field = json_is_true(v); \
		return 0; \
	}
PSP_BOOL(transcode)
PSP_BOOL(rtcp)
PSP_BOOL(rtcp_mux)
PSP_BOOL(srtp)
PSP_BOOL(dtls)
PSP_BOOL(sdes)
PSP_BOOL(allow_dtls_fallback)
PSP_BOOL(srtp_relay)
PSP_BOOL(sctp_relay)
PSP_BOOL(reoffer_new_ssrc)

static int
psp_crypto(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	int k = find_named(cfg->crypto_profiles, sizeof(*cfg->crypto_profiles),
			   cfg->n_crypto_profiles, json_string_value(v));

	if (k < 0)
		return cfg_fail(c, "no crypto suite profile named \"%.64s\"", json_string_value(v));
	((struct wrtc_config_psp *)obj)->crypto_suite_profile = k;
	return 0;
}

static int
psp_dtls_profile(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	int k = find_named(cfg->dtls_profiles, sizeof(*cfg->dtls_profiles), cfg->n_dtls_profiles,
			   json_string_value(v));

	if (k < 0)
		return cfg_fail(c, "no dtls profile named \"%.64s\"", json_string_value(v));
	((struct wrtc_config_psp *)obj)->dtls_profile = k;
	return 0;
}

static const struct cfg_field psp_fields[] = {
	{"name", JT_STRING, true, psp_name},
	{"codecs", JT_ARRAY, true, psp_codecs},
	{"transcode", JT_BOOL, false, psp_transcode},
	{"rtcp", JT_BOOL, false, psp_rtcp},
	{"rtcp_mux", JT_BOOL, false, psp_rtcp_mux},
	{"srtp", JT_BOOL, false, psp_srtp},
	{"dtls", JT_BOOL, false, psp_dtls},
	{"sdes", JT_BOOL, false, psp_sdes},
	{"allow_dtls_fallback", JT_BOOL, false, psp_allow_dtls_fallback},
	{"srtp_relay", JT_BOOL, false, psp_srtp_relay},
	{"sctp_relay", JT_BOOL, false, psp_sctp_relay},
	{"reoffer_new_ssrc", JT_BOOL, false, psp_reoffer_new_ssrc},
	{"crypto_suite_profile", JT_STRING, false, psp_crypto},
	{"dtls_profile", JT_STRING, false, psp_dtls_profile},
};

static int
psp_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_psp *p = elem;
	bool srtp_given;

	p->transcode = true;
	p->rtcp = true;
	p->crypto_suite_profile = -1;
	p->dtls_profile = -1;
	if (cfg_walk(c, v, psp_fields, N(psp_fields), p) != 0)
		return -1;
	srtp_given = json_object_get(v, "srtp") != NULL;
	if (p->dtls && p->sdes)
		return fail_at(c, "sdes", "%s", "cannot be combined with dtls in one profile");
	if ((p->dtls || p->sdes) && !p->srtp) {
		if (srtp_given)
			return fail_at(c, "srtp", "must be true when %s is",
				       p->dtls ? "dtls" : "sdes");
		p->srtp = true;
	}
	if (p->srtp && !p->dtls && !p->sdes)
		return fail_at(c, "srtp", "%s", "needs dtls or sdes to exchange keys");
	if (p->allow_dtls_fallback && !p->dtls)
		return fail_at(c, "allow_dtls_fallback", "%s", "needs dtls");
	if (p->sctp_relay && !p->dtls)
		return fail_at(c, "sctp_relay", "%s", "needs dtls (data channels run over DTLS)");
	if (p->srtp_relay && !p->srtp)
		return fail_at(c, "srtp_relay", "%s", "needs srtp");
	if (p->dtls_profile >= 0 && !p->dtls)
		return fail_at(c, "dtls_profile", "%s", "given but dtls is false");
	if (p->crypto_suite_profile >= 0 && !p->srtp)
		return fail_at(c, "crypto_suite_profile", "%s", "given but srtp is false");
	if (p->dtls && p->dtls_profile < 0 && (p->dtls_profile = default_dtls_profile(c)) < 0)
		return cfg_fail(c, "out of memory");
	if (p->srtp && p->crypto_suite_profile < 0 &&
	    (p->crypto_suite_profile = default_crypto_profile(c)) < 0)
		return cfg_fail(c, "out of memory");
	return check_unique(c, c->cfg->psps, sizeof(*p), idx, p->name, "packet service profile");
}

static int
sec_psps(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->psps), 1, (void **)&cfg->psps, &cfg->n_psps,
			 psp_elem);
}

/* -------------------------------------------------------------- trunk_groups */

static int
rule_direction(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int d;

	if (cfg_enum(c, v, dir_names, N(dir_names), &d) != 0)
		return -1;
	((struct wrtc_config_sdp_rule *)obj)->direction = (enum wrtc_config_sdp_dir)d;
	return 0;
}

static int
rule_action(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int a;

	if (cfg_enum(c, v, action_names, N(action_names), &a) != 0)
		return -1;
	((struct wrtc_config_sdp_rule *)obj)->action = (enum wrtc_config_sdp_action)a;
	return 0;
}

static int
rule_regex(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_sdp_rule *r = obj;
	const char *s = json_string_value(v);
	regex_t re;
	int rc;

	if (s[0] == '\0')
		return cfg_fail(c, "must not be empty");
	if (json_string_length(v) > MAX_REGEX_LEN || strlen(s) != json_string_length(v))
		return cfg_fail(c, "too long (max %d characters) or contains NUL", MAX_REGEX_LEN);
	rc = regcomp(&re, s, REG_EXTENDED | REG_NEWLINE);
	if (rc != 0) {
		char why[128];

		regerror(rc, &re, why, sizeof(why));
		return cfg_fail(c, "not a valid POSIX extended regular expression: %s", why);
	}
	regfree(&re);
	r->regex = strdup(s);
	return r->regex == NULL ? cfg_fail(c, "out of memory") : 0;
}

static int
rule_replacement(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_sdp_rule *r = obj;
	const char *s = json_string_value(v);

	if (json_string_length(v) > MAX_REGEX_LEN || strlen(s) != json_string_length(v))
		return cfg_fail(c, "too long (max %d characters) or contains NUL", MAX_REGEX_LEN);
	if (r->action == WRTC_CONFIG_SDP_DELETE)
		return cfg_fail(c, "not allowed with action \"delete\"");
	free(r->replacement);
	r->replacement = strdup(s);
	return r->replacement == NULL ? cfg_fail(c, "out of memory") : 0;
}

static const struct cfg_field rule_fields[] = {
	{"direction", JT_STRING, false, rule_direction},
	{"action", JT_STRING, true, rule_action},
	{"regex", JT_STRING, true, rule_regex},
	{"replacement", JT_STRING, false, rule_replacement},
};

static int
rule_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_sdp_rule *r = elem;

	r->direction = WRTC_CONFIG_SDP_BOTH;
	if (cfg_walk(c, v, rule_fields, N(rule_fields), r) != 0)
		return -1;
	if (r->action == WRTC_CONFIG_SDP_SUBSTITUTE && r->replacement == NULL)
		return fail_at(c, "replacement", "%s", "missing (action \"substitute\" needs it)");
	if (r->replacement == NULL && (r->replacement = strdup("")) == NULL)
		return cfg_fail(c, "out of memory");
	return 0;
}

static int
tg_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_trunk_group *)obj)->name);
}

static int
tg_interface(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	int k = find_named(cfg->interfaces, sizeof(*cfg->interfaces), cfg->n_interfaces,
			   json_string_value(v));

	if (k < 0)
		return cfg_fail(c, "no interface named \"%.64s\"", json_string_value(v));
	((struct wrtc_config_trunk_group *)obj)->interface = (uint16_t)k;
	return 0;
}

static int
tg_kind(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_kind_names, N(cfg_kind_names), &k) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->kind = (enum wrtc_config_trunk_kind)k;
	return 0;
}

static int
tg_ice(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_ice_names, N(cfg_ice_names), &k) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->ice = (enum wrtc_config_ice)k;
	return 0;
}

static int
tg_addr(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, addr_names, N(addr_names), &k) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->address_type = (enum wrtc_config_addr_type)k;
	return 0;
}

static int
tg_psp(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	int k = find_named(cfg->psps, sizeof(*cfg->psps), cfg->n_psps, json_string_value(v));

	if (k < 0)
		return cfg_fail(c, "no packet service profile named \"%.64s\"",
				json_string_value(v));
	((struct wrtc_config_trunk_group *)obj)->psp = (uint16_t)k;
	return 0;
}

static int
tg_policing(struct cfg_ctx *c, const json_t *v, void *obj)
{
	((struct wrtc_config_trunk_group *)obj)->policing = json_is_true(v);
	return 0;
}

static int
tg_latch(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_latch_names, N(cfg_latch_names), &k) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->latch = (enum wrtc_config_latch)k;
	return 0;
}

static int
tg_latch_packets(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t n;

	if (cfg_uint(c, v, 1, 1000, &n) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->latch_packets = (uint16_t)n;
	return 0;
}

static int
tg_latch_window(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t n;

	if (cfg_uint(c, v, 0, 600000, &n) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->latch_window_ms = (uint32_t)n;
	return 0;
}

static int
tg_latch_delay(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t n;

	if (cfg_uint(c, v, 0, 600000, &n) != 0)
		return -1;
	((struct wrtc_config_trunk_group *)obj)->latch_delay_ms = (uint32_t)n;
	return 0;
}

static int
tg_allow_caddr(struct cfg_ctx *c, const json_t *v, void *obj)
{
	static const char *const names[] = {"loopback", "multicast", "broadcast", "own",
					    "unspecified"};
	struct wrtc_config_trunk_group *t = obj;
	size_t i;
	json_t *e;

	t->allow_caddr = 0;
	json_array_foreach(v, i, e) {
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int k, rc;

		if (!json_is_string(e))
			rc = cfg_fail(c, "must be a string");
		else
			rc = cfg_enum(c, e, names, N(names), &k);
		if (rc == 0 && (t->allow_caddr & (1u << k)))
			rc = cfg_fail(c, "duplicate \"%s\"", names[k]);
		cfg_pop(c, saved);
		if (rc != 0)
			return -1;
		t->allow_caddr |= 1u << k;
	}
	return 0;
}

static int
tg_rules(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_trunk_group *t = obj;

	return cfg_array(c, v, sizeof(*t->sdp_rules), 0, (void **)&t->sdp_rules, &t->n_sdp_rules,
			 rule_elem);
}

static const struct cfg_field tg_fields[] = {
	{"name", JT_STRING, true, tg_name},
	{"interface", JT_STRING, true, tg_interface},
	{"kind", JT_STRING, true, tg_kind},
	{"ice", JT_STRING, false, tg_ice},
	{"address_type", JT_STRING, false, tg_addr},
	{"packet_service_profile", JT_STRING, true, tg_psp},
	{"policing", JT_BOOL, false, tg_policing},
	{"latch", JT_STRING, false, tg_latch},
	{"latch_packets", JT_INTEGER, false, tg_latch_packets},
	{"latch_window_ms", JT_INTEGER, false, tg_latch_window},
	{"latch_delay_ms", JT_INTEGER, false, tg_latch_delay},
	{"allow_connection_addresses", JT_ARRAY, false, tg_allow_caddr},
	{"sdp_rules", JT_ARRAY, false, tg_rules},
};

static int
tg_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_trunk_group *t = elem;
	const struct wrtc_config_interface *it;
	const struct wrtc_config_psp *p;

	t->address_type = WRTC_CONFIG_ADDR_MATCH;
	t->policing = true;
	t->latch = WRTC_CONFIG_LATCH_HEURISTIC;
	t->latch_packets = 4;
	t->latch_window_ms = 5000;
	t->latch_delay_ms = 1000;
	if (cfg_walk(c, v, tg_fields, N(tg_fields), t) != 0)
		return -1;
	if ((t->latch == WRTC_CONFIG_LATCH_DELAYED || t->latch == WRTC_CONFIG_LATCH_HEURISTIC) &&
	    t->latch_delay_ms >= t->latch_window_ms && t->latch_window_ms != 0) {
		char why[96];

		snprintf(why, sizeof(why), "%u must be below latch_window_ms (%u)",
			 t->latch_delay_ms, t->latch_window_ms);
		return fail_at(c, "latch_delay_ms", "%s", why);
	}
	if (json_object_get(v, "ice") == NULL)
		t->ice = t->kind == WRTC_CONFIG_TRUNK_WEBRTC ? WRTC_CONFIG_ICE_LITE :
			 WRTC_CONFIG_ICE_NONE;
	it = &c->cfg->interfaces[t->interface];
	p = &c->cfg->psps[t->psp];
	if (t->kind == WRTC_CONFIG_TRUNK_WEBRTC && t->ice == WRTC_CONFIG_ICE_NONE)
		return fail_at(c, "ice", "%s", "a webrtc trunk group needs \"lite\" or \"full\"");
	if (t->kind == WRTC_CONFIG_TRUNK_WEBRTC && !p->dtls)
		return fail_at(c, "packet_service_profile",
			       "\"%s\" has no dtls; browsers need DTLS-SRTP", p->name);
	if (t->address_type == WRTC_CONFIG_ADDR_IPV4 && !it->has_ipv4)
		return fail_at(c, "address_type", "\"ipv4\" but interface \"%s\" has no ipv4",
			       it->name);
	if (t->address_type == WRTC_CONFIG_ADDR_IPV6 && !it->has_ipv6)
		return fail_at(c, "address_type", "\"ipv6\" but interface \"%s\" has no ipv6",
			       it->name);
	return check_unique(c, c->cfg->trunk_groups, sizeof(*t), idx, t->name, "trunk group");
}

static int
sec_trunks(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->trunk_groups), 1, (void **)&cfg->trunk_groups,
			 &cfg->n_trunk_groups, tg_elem);
}

/* ------------------------------------------------------------------ policers */

static int
pol_name(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_name(c, v, ((struct wrtc_config_policer *)obj)->name);
}

static int
pol_type(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_ptype_names, N(cfg_ptype_names), &k) != 0)
		return -1;
	((struct wrtc_config_policer *)obj)->type = (enum wrtc_config_policer_type)k;
	return 0;
}

static int
pol_mode(struct cfg_ctx *c, const json_t *v, void *obj)
{
	int k;

	if (cfg_enum(c, v, cfg_pmode_names, N(cfg_pmode_names), &k) != 0)
		return -1;
	((struct wrtc_config_policer *)obj)->mode = (enum wrtc_config_policer_mode)k;
	return 0;
}

/* Bounds keep bucket * hz (TSC rates up to ~10 GHz) inside 64 bits in lib/policer. */
#define POL_MAX (UINT64_C(1) << 30)

static int
pol_bucket(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_uint(c, v, 1, POL_MAX, &((struct wrtc_config_policer *)obj)->bucket);
}

static int
pol_rate(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return cfg_uint(c, v, 1, POL_MAX, &((struct wrtc_config_policer *)obj)->rate);
}

static int
pol_prio(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_policer *p = obj;

	if (cfg_uint(c, v, 1, POL_MAX, &p->priority_rate) != 0)
		return -1;
	if (p->priority_rate < p->rate)
		return cfg_fail(c, "must be at least rate (%llu)", (unsigned long long)p->rate);
	return 0;
}

static int
pol_pair(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_policer *p = obj;

	if (cfg_uint(c, v, 1, POL_MAX, &p->pair_rate) != 0)
		return -1;
	if (p->pair_rate < p->rate)
		return cfg_fail(c, "must be at least rate (%llu)", (unsigned long long)p->rate);
	return 0;
}

static int
pol_srflx(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 0, 32, &x) != 0)
		return -1;
	((struct wrtc_config_policer *)obj)->srflx_prefix_v4 = (uint8_t)x;
	return 0;
}

static int
pol_interface(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const struct wrtc_config *cfg = c->cfg;
	int k = find_named(cfg->interfaces, sizeof(*cfg->interfaces), cfg->n_interfaces,
			   json_string_value(v));

	if (k < 0)
		return cfg_fail(c, "no interface named \"%.64s\"", json_string_value(v));
	((struct wrtc_config_policer *)obj)->interface = k;
	return 0;
}

static const struct cfg_field pol_fields[] = {
	{"name", JT_STRING, true, pol_name},
	{"type", JT_STRING, true, pol_type},
	{"mode", JT_STRING, false, pol_mode},
	{"bucket", JT_INTEGER, true, pol_bucket},
	{"rate", JT_INTEGER, true, pol_rate},
	{"priority_rate", JT_INTEGER, false, pol_prio},
	{"pair_rate", JT_INTEGER, false, pol_pair},
	{"srflx_prefix_v4", JT_INTEGER, false, pol_srflx},
	{"interface", JT_STRING, false, pol_interface},
};

static int
pol_elem(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx)
{
	struct wrtc_config_policer *p = elem;
	bool link, ice;

	p->srflx_prefix_v4 = 32;
	p->interface = -1;
	if (cfg_walk(c, v, pol_fields, N(pol_fields), p) != 0)
		return -1;
	link = p->type == WRTC_CONFIG_POLICER_LINK_DATA;
	ice = p->type == WRTC_CONFIG_POLICER_STUN || p->type == WRTC_CONFIG_POLICER_DTLS;
	if (json_object_get(v, "mode") == NULL)
		p->mode = link ? WRTC_CONFIG_POLICER_DATA_RATE : WRTC_CONFIG_POLICER_PACKET_RATE;
	if (json_object_get(v, "priority_rate") == NULL)
		p->priority_rate = p->rate;
	else if (!ice)
		return fail_at(c, "priority_rate", "%s", "only for stun and dtls policers");
	if (json_object_get(v, "pair_rate") == NULL)
		p->pair_rate = p->priority_rate;
	else if (!ice)
		return fail_at(c, "pair_rate", "%s", "only for stun and dtls policers");
	if (!ice && json_object_get(v, "srflx_prefix_v4") != NULL)
		return fail_at(c, "srflx_prefix_v4", "%s", "only for stun and dtls policers");
	if (!link && p->interface >= 0)
		return fail_at(c, "interface", "%s", "only for link-data policers");
	return check_unique(c, c->cfg->policers, sizeof(*p), idx, p->name, "policer");
}

static int
sec_policers(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_array(c, v, sizeof(*cfg->policers), 0, (void **)&cfg->policers,
			 &cfg->n_policers, pol_elem);
}

/* ------------------------------------------------------------------- control */

/* "address:port" or "[v6]:port" with a numeric address; port 0..65535. */
static int
listen_parse(struct cfg_ctx *c, const char *s, char *host, size_t host_size, uint16_t *port_out)
{
	const char *colon;
	struct in6_addr a6;
	struct in_addr a4;
	char *end;
	size_t hlen;
	long port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return cfg_fail(c, "\"%s\" is not [IPv6]:port", s);
		hlen = (size_t)(close - s - 1);
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return cfg_fail(c, "\"%s\" is not address:port", s);
		hlen = (size_t)(colon - s);
	}
	if (hlen >= host_size)
		return cfg_fail(c, "address too long");
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, &a4) != 1 && inet_pton(AF_INET6, host, &a6) != 1)
		return cfg_fail(c, "\"%s\" is not a numeric IPv4 or IPv6 address", host);
	if (colon[1] < '0' || colon[1] > '9')
		return cfg_fail(c, "port must be 0..65535");
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return cfg_fail(c, "port must be 0..65535");
	*port_out = (uint16_t)port;
	return 0;
}

static int
ctl_tcp(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;
	const char *s = json_string_value(v);

	if (cfg_string(c, v, ctl->rpc_tcp, sizeof(ctl->rpc_tcp)) != 0)
		return -1;
	if (s[0] == '\0') {
		ctl->rpc_tcp_enabled = false;
		return 0;
	}
	if (listen_parse(c, s, ctl->rpc_tcp_host, sizeof(ctl->rpc_tcp_host),
			 &ctl->rpc_tcp_port) != 0)
		return -1;
	ctl->rpc_tcp_enabled = true;
	return 0;
}

static int
ctl_metrics(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;
	const char *s = json_string_value(v);

	if (cfg_string(c, v, ctl->metrics_listen, sizeof(ctl->metrics_listen)) != 0)
		return -1;
	ctl->metrics_enabled = false;
	if (s[0] == '\0')
		return 0;
	if (listen_parse(c, s, ctl->metrics_host, sizeof(ctl->metrics_host),
			 &ctl->metrics_port) != 0)
		return -1;
	ctl->metrics_enabled = true;
	return 0;
}

static int
ctl_ng(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;
	char host[sizeof(ctl->ng_host)];
	uint16_t port;

	if (cfg_string(c, v, ctl->ng_listen, sizeof(ctl->ng_listen)) != 0)
		return -1;
	if (ctl->ng_listen[0] == '\0') {
		ctl->ng_enabled = false;
		return 0;
	}
	if (listen_parse(c, ctl->ng_listen, host, sizeof(host), &port) != 0)
		return -1;
	memcpy(ctl->ng_host, host, sizeof(host));
	ctl->ng_port = port;
	ctl->ng_enabled = true;
	return 0;
}

static int
ctl_unix(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;

	return cfg_string(c, v, ctl->rpc_unix, sizeof(ctl->rpc_unix));
}

static int
ctl_timeout(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 1, 86400, &x) != 0)
		return -1;
	((struct wrtc_config_control *)obj)->media_timeout = (uint32_t)x;
	return 0;
}

static int
ctl_hold_timeout(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 1, 604800, &x) != 0)
		return -1;
	((struct wrtc_config_control *)obj)->hold_timeout = (uint32_t)x;
	return 0;
}

static int
ctl_max_calls(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 1, 1000000, &x) != 0)
		return -1;
	((struct wrtc_config_control *)obj)->max_calls = (uint32_t)x;
	return 0;
}

static int
ctl_allow_from(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;

	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int rc;

		if (!json_is_string(e))
			return cfg_fail(c, "must be a string (\"ADDR\" or \"ADDR/LEN\")");
		rc = wrtc_rpc_acl_add(&ctl->allow_from, json_string_value(e));
		if (rc == -ENOSPC)
			return cfg_fail(c, "too many entries (max %d)", WRTC_RPC_ACL_MAX);
		if (rc != 0)
			return cfg_fail(c, "\"%s\" is not an IPv4 or IPv6 address or prefix "
					"(ADDR or ADDR/LEN, no host bits past LEN)",
					json_string_value(e));
		cfg_pop(c, saved);
	}
	return 0;
}

static int
ctl_token(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;

	if (json_string_length(v) > WRTC_RPC_TOKEN_MAX)
		return cfg_fail(c, "longer than %d bytes", WRTC_RPC_TOKEN_MAX);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return cfg_fail(c, "must not contain NUL");
	return cfg_string(c, v, ctl->token, sizeof(ctl->token));
}

/* A user or group: a name (looked up now) or a numeric id. */
static int
ctl_id(struct cfg_ctx *c, const json_t *v, bool group, unsigned long *id)
{
	if (json_is_integer(v)) {
		uint64_t x;

		if (cfg_uint(c, v, 0, UINT32_MAX - 1, &x) != 0)
			return -1;
		*id = (unsigned long)x;
		return 0;
	}
	if (group) {
		const struct group *gr = getgrnam(json_string_value(v));

		if (gr == NULL)
			return cfg_fail(c, "no group \"%s\" on this system", json_string_value(v));
		*id = gr->gr_gid;
	} else {
		const struct passwd *pw = getpwnam(json_string_value(v));

		if (pw == NULL)
			return cfg_fail(c, "no user \"%s\" on this system", json_string_value(v));
		*id = pw->pw_uid;
	}
	return 0;
}

static int
ctl_unix_owner(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;
	unsigned long id;

	if (ctl_id(c, v, false, &id) != 0)
		return -1;
	ctl->rpc_unix_set_owner = true;
	ctl->rpc_unix_uid = (uid_t)id;
	return 0;
}

static int
ctl_unix_group(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_control *ctl = obj;
	unsigned long id;

	if (ctl_id(c, v, true, &id) != 0)
		return -1;
	ctl->rpc_unix_set_group = true;
	ctl->rpc_unix_gid = (gid_t)id;
	return 0;
}

/* An octal string ("0660"): JSON has no octal numbers, and 660 would not mean it. */
static int
ctl_unix_mode(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const char *s = json_string_value(v);
	char *end;
	unsigned long m;

	if (s[0] < '0' || s[0] > '7')
		return cfg_fail(c, "\"%s\" is not an octal mode such as \"0660\"", s);
	m = strtoul(s, &end, 8);
	if (*end != '\0' || m == 0 || m > 0777)
		return cfg_fail(c, "\"%s\" is not an octal mode such as \"0660\" (0001..0777)", s);
	((struct wrtc_config_control *)obj)->rpc_unix_mode = (uint32_t)m;
	return 0;
}

static int
ctl_idle_max(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 100, 100000, &x) != 0)
		return -1;
	((struct wrtc_config_control *)obj)->idle_max_us = (uint32_t)x;
	return 0;
}

static const struct cfg_field ctl_fields[] = {
	{"rpc_tcp", JT_STRING, false, ctl_tcp},
	{"rpc_unix", JT_STRING, false, ctl_unix},
	{"ng_listen", JT_STRING, false, ctl_ng},
	{"rpc_unix_owner", JT_STRING | JT_INTEGER, false, ctl_unix_owner},
	{"rpc_unix_group", JT_STRING | JT_INTEGER, false, ctl_unix_group},
	{"rpc_unix_mode", JT_STRING, false, ctl_unix_mode},
	{"allow_from", JT_ARRAY, false, ctl_allow_from},
	{"token", JT_STRING, false, ctl_token},
	{"media_timeout", JT_INTEGER, false, ctl_timeout},
	{"hold_timeout", JT_INTEGER, false, ctl_hold_timeout},
	{"max_calls", JT_INTEGER, false, ctl_max_calls},
	{"metrics_listen", JT_STRING, false, ctl_metrics},
	{"idle_max_us", JT_INTEGER, false, ctl_idle_max},
};

static int
sec_control(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;
	struct wrtc_config_control *ctl = &cfg->control;
	size_t saved;

	if (cfg_walk(c, v, ctl_fields, N(ctl_fields), ctl) != 0)
		return -1;
	if (!ctl->rpc_tcp_enabled && ctl->rpc_unix[0] == '\0')
		return cfg_fail(c, "rpc_tcp and rpc_unix are both disabled: the gateway could "
				"not be controlled (set at least one)");
	if (ctl->ng_enabled && wrtc_rpc_acl_check_listen(&ctl->allow_from, ctl->ng_host) != 0) {
		/* ng has no authentication: only the listed sources may drive it. */
		saved = cfg_push_key(c, "ng_listen");
		cfg_fail(c, "%s is not a loopback address: the ng protocol is not "
			 "authenticated; list the proxies allowed to send requests in "
			 "control.allow_from", ctl->ng_host);
		cfg_pop(c, saved);
		return -1;
	}
	if (!ctl->rpc_tcp_enabled ||
	    wrtc_rpc_acl_check_listen(&ctl->allow_from, ctl->rpc_tcp_host) == 0)
		return 0;
	saved = cfg_push_key(c, "rpc_tcp");
	cfg_fail(c, "%s is not a loopback address: list the addresses allowed to connect in "
		 "control.allow_from", ctl->rpc_tcp_host);
	cfg_pop(c, saved);
	return -1;
}

/* ------------------------------------------------------------------- workers */

static int
wk_count(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 0, 128, &x) != 0)
		return -1;
	((struct wrtc_config_workers *)obj)->count = (uint32_t)x;
	return 0;
}

static int
wk_mbufs(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 1023, 4194303, &x) != 0)
		return -1;
	((struct wrtc_config_workers *)obj)->mbufs = (uint32_t)x;
	return 0;
}

static int
wk_desc(struct cfg_ctx *c, const json_t *v, uint16_t *out)
{
	uint64_t x;

	if (cfg_uint(c, v, 64, 8192, &x) != 0)
		return -1;
	if (x & (x - 1))
		return cfg_fail(c, "must be a power of two");
	*out = (uint16_t)x;
	return 0;
}

static int
wk_rx(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return wk_desc(c, v, &((struct wrtc_config_workers *)obj)->rx_desc);
}

static int
wk_tx(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return wk_desc(c, v, &((struct wrtc_config_workers *)obj)->tx_desc);
}

static int
wk_idle(struct cfg_ctx *c, const json_t *v, void *obj)
{
	const char *s = json_string_value(v);

	if (s != NULL && strcmp(s, "poll") == 0)
		((struct wrtc_config_workers *)obj)->idle_adaptive = false;
	else if (s != NULL && strcmp(s, "adaptive") == 0)
		((struct wrtc_config_workers *)obj)->idle_adaptive = true;
	else {
		cfg_fail(c, "must be \"poll\" or \"adaptive\"");
		return -1;
	}
	return 0;
}

static int
wk_idle_max(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 1, 100000, &x) != 0)
		return -1;
	((struct wrtc_config_workers *)obj)->idle_max_us = (uint32_t)x;
	return 0;
}

static const struct cfg_field wk_fields[] = {
	{"count", JT_INTEGER, false, wk_count},
	{"idle", JT_STRING, false, wk_idle},
	{"idle_max_us", JT_INTEGER, false, wk_idle_max},
	{"mbufs", JT_INTEGER, false, wk_mbufs},
	{"rx_desc", JT_INTEGER, false, wk_rx},
	{"tx_desc", JT_INTEGER, false, wk_tx},
};

static int
sec_workers(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_walk(c, v, wk_fields, N(wk_fields), &cfg->workers);
}

/* ---------------------------------------------------------------- log_levels */

/* The names and numbers of DPDK's log levels (RTE_LOG_EMERG = 1 .. DEBUG = 8). */
static const char *const level_names[] = {"emerg", "alert", "crit", "error", "warning",
					  "notice", "info", "debug"};

/* Characters of a log type glob (fnmatch, as rte_log_set_level_pattern). */
#define PATTERN_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.*?[]-"

static int
sec_log_levels(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)v, key, val) {
		struct wrtc_config_log_level *l = &cfg->log_levels[cfg->n_log_levels];
		size_t saved = cfg_push_key(c, key);
		int level;

		if (cfg->n_log_levels >= WRTC_CONFIG_MAX_LOG_LEVELS) {
			cfg_fail(c, "at most %d entries", WRTC_CONFIG_MAX_LOG_LEVELS);
			cfg_pop(c, saved);
			return -1;
		}
		if (key[0] == '\0' || strlen(key) >= sizeof(l->pattern) ||
		    strspn(key, PATTERN_CHARS) != strlen(key)) {
			cfg_fail(c, "not a log type pattern (like \"wrtc.session\" or \"wrtc.*\")");
			cfg_pop(c, saved);
			return -1;
		}
		if (!json_is_string(val)) {
			cfg_fail(c, "must be a string");
			cfg_pop(c, saved);
			return -1;
		}
		if (cfg_enum(c, val, level_names, N(level_names), &level) != 0) {
			cfg_pop(c, saved);
			return -1;
		}
		cfg_pop(c, saved);
		strcpy(l->pattern, key);
		l->level = (unsigned int)level + 1;
		cfg->n_log_levels++;
	}
	return 0;
}

/* ------------------------------------------------------------------- capture */

static int
cap_dir(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_capture *cap = obj;

	if (cfg_string(c, v, cap->dir, sizeof(cap->dir)) != 0)
		return -1;
	if (cap->dir[0] != '/')
		return cfg_fail(c, "must be an absolute path");
	return 0;
}

static const struct cfg_field cap_fields[] = {
	{"dir", JT_STRING, false, cap_dir},
};

static int
sec_capture(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config *cfg = obj;

	return cfg_walk(c, v, cap_fields, N(cap_fields), &cfg->capture);
}

/* ------------------------------------------------------------------------ ha */

static int
ha_redis(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_ha *ha = obj;

	if (cfg_string(c, v, ha->redis, sizeof(ha->redis)) != 0)
		return -1;
	if (strncmp(ha->redis, "unix:", 5) == 0) {
		const char *path = ha->redis + 5;

		if (path[0] != '/')
			return cfg_fail(c, "\"%s\": unix: takes an absolute path", ha->redis);
		if (strlen(path) >= sizeof(ha->redis_unix))
			return cfg_fail(c, "unix socket path longer than %zu characters",
					sizeof(ha->redis_unix) - 1);
		memcpy(ha->redis_unix, path, strlen(path) + 1);
	} else if (listen_parse(c, ha->redis, ha->redis_host, sizeof(ha->redis_host),
				&ha->redis_port) != 0) {
		return -1;
	} else if (ha->redis_port == 0) {
		return cfg_fail(c, "port 0 is not a Redis server's port");
	}
	ha->enabled = true;
	return 0;
}

static int
ha_db(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 0, 15, &x) != 0)
		return -1;
	((struct wrtc_config_ha *)obj)->db = (uint32_t)x;
	return 0;
}

static int
ha_name(struct cfg_ctx *c, const json_t *v, char *dst)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_.:-";

	if (cfg_string(c, v, dst, WRTC_CONFIG_NAME_SIZE) != 0)
		return -1;
	if (dst[0] == '\0' || strspn(dst, ok) != strlen(dst))
		return cfg_fail(c, "1..63 characters of [A-Za-z0-9_.:-]");
	return 0;
}

static int
ha_prefix(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return ha_name(c, v, ((struct wrtc_config_ha *)obj)->key_prefix);
}

static int
ha_node(struct cfg_ctx *c, const json_t *v, void *obj)
{
	return ha_name(c, v, ((struct wrtc_config_ha *)obj)->node_id);
}

static int
ha_expiry(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 60, 30 * 86400, &x) != 0)
		return -1;
	((struct wrtc_config_ha *)obj)->expiry = (uint32_t)x;
	return 0;
}

static int
ha_role(struct cfg_ctx *c, const json_t *v, void *obj)
{
	static const char *const roles[] = {"active", "standby"};
	int r;

	if (cfg_enum(c, v, roles, N(roles), &r) != 0)
		return -1;
	((struct wrtc_config_ha *)obj)->role = (enum wrtc_config_ha_role)r;
	return 0;
}

static int
ha_pending(struct cfg_ctx *c, const json_t *v, void *obj)
{
	uint64_t x;

	if (cfg_uint(c, v, 16, 1048576, &x) != 0)
		return -1;
	((struct wrtc_config_ha *)obj)->max_pending = (uint32_t)x;
	return 0;
}

static const struct cfg_field ha_fields[] = {
	{"redis", JT_STRING, true, ha_redis},
	{"db", JT_INTEGER, false, ha_db},
	{"key_prefix", JT_STRING, false, ha_prefix},
	{"expiry", JT_INTEGER, false, ha_expiry},
	{"node_id", JT_STRING, false, ha_node},
	{"role", JT_STRING, false, ha_role},
	{"max_pending", JT_INTEGER, false, ha_pending},
};

static int
sec_ha(struct cfg_ctx *c, const json_t *v, void *obj)
{
	struct wrtc_config_ha *ha = &((struct wrtc_config *)obj)->ha;

	strcpy(ha->key_prefix, "wrtc:");
	ha->expiry = 86400;
	ha->max_pending = 4096;
	if (gethostname(ha->node_id, sizeof(ha->node_id)) != 0)
		strcpy(ha->node_id, "wrtcgw");
	ha->node_id[sizeof(ha->node_id) - 1] = '\0';
	return cfg_walk(c, v, ha_fields, N(ha_fields), ha);
}

/* ---------------------------------------------------------------------- root */

static const struct cfg_field root_fields[] = {
	{"interfaces", JT_ARRAY, true, sec_interfaces},
	{"dtls_profiles", JT_ARRAY, false, sec_dtls},
	{"crypto_suite_profiles", JT_ARRAY, false, sec_crypto},
	{"codec_entries", JT_ARRAY, true, sec_codecs},
	{"packet_service_profiles", JT_ARRAY, true, sec_psps},
	{"trunk_groups", JT_ARRAY, true, sec_trunks},
	{"policers", JT_ARRAY, false, sec_policers},
	{"control", JT_OBJECT, false, sec_control},
	{"workers", JT_OBJECT, false, sec_workers},
	{"log_levels", JT_OBJECT, false, sec_log_levels},
	{"capture", JT_OBJECT, false, sec_capture},
	{"ha", JT_OBJECT, false, sec_ha},
};

int
cfg_parse_root(struct cfg_ctx *c, const json_t *root)
{
	struct wrtc_config *cfg = c->cfg;

	cfg->control.rpc_tcp_enabled = true;
	strcpy(cfg->control.rpc_tcp, "127.0.0.1:9900");
	strcpy(cfg->control.rpc_tcp_host, "127.0.0.1");
	cfg->control.rpc_tcp_port = 9900;
	cfg->control.ng_enabled = true;
	strcpy(cfg->control.ng_listen, "127.0.0.1:2223");
	strcpy(cfg->control.ng_host, "127.0.0.1");
	cfg->control.ng_port = 2223;
	cfg->control.media_timeout = 60;
	cfg->control.hold_timeout = 3600;
	cfg->control.max_calls = 10000;
	cfg->control.idle_max_us = 2000;
	strcpy(cfg->capture.dir, "/var/tmp/wrtcgw");
	cfg->workers.mbufs = 16383;
	cfg->workers.rx_desc = 1024;
	cfg->workers.tx_desc = 1024;
	cfg->workers.idle_adaptive = true;
	cfg->workers.idle_max_us = 200;
	if (!json_is_object(root))
		return cfg_fail(c, "the configuration must be a JSON object");
	return cfg_walk(c, root, root_fields, N(root_fields), cfg);
}
