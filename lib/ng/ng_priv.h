/* SPDX-License-Identifier: BSD-3-Clause */
/* Private declarations of the ng front end. */
#ifndef WRTC_NG_PRIV_H
#define WRTC_NG_PRIV_H

#include <stdbool.h>

#include <jansson.h>
#include <rte_log.h>

#include "wrtc_bencode.h"
#include "wrtc_ng.h"

extern int wrtc_ng_logtype;
#define NG_LOG(lvl, fmt, ...) \
	rte_log(RTE_LOG_##lvl, wrtc_ng_logtype, "ng: " fmt "\n", ##__VA_ARGS__)

enum {
	NG_MAX_NODES = 4096,         /* bencode values per request */
	NG_MAX_DEPTH = 8,            /* nesting per request */
	NG_WARN_SIZE = 512,
};

/* ng_json.c */
json_t *ng_from_bencode(const struct wrtc_bencode_node *n);
void ng_to_bencode(const json_t *v, struct wrtc_bencode_buf *b);
void ng_key_norm(const char *in, char *out, size_t size);

/* ng_flags.c: what the flags of an offer ask for. */
struct ng_offer_opts {
	struct wrtc_session_profile profile[2]; /* leg 0 = offerer, leg 1 = answerer */
	int iface[2];                /* interface of each leg, -1 = the default */
	int kind[2];                 /* trunk kind wanted per leg, -1 = from the SDP / leg 0 */
	int ice;                     /* answerer leg: 0 as configured, 1 force, 2 remove */
	unsigned int n_direction;    /* direction words seen */
	bool load_limit;             /* supports: [load limit] */
	bool fragment;               /* trickled candidates (rtpengine_info()), not an offer */
	bool loop_protect;           /* mark our SDP; pass an SDP we marked through */
	bool ice_restart;            /* ICE-restart: restart ICE towards the answerer */
	char warning[NG_WARN_SIZE];  /* "; "-separated unsupported flags */
};
int ng_flags_parse(const json_t *req, const struct wrtc_config *cfg, struct ng_offer_opts *o,
		   char *err, size_t errlen);
void ng_warn(char *warning, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ng_cmd.c */
json_t *ng_command(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st);

#endif
