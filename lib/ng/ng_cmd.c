/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ng commands (docs/ng.md "Commands"): each turns its request into a
 * call of the session functions of wrtc_session.h and their result into the
 * reply shape rtpengine gives and Kamailio's and OpenSIPS's rtpengine modules
 * read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "ng_priv.h"

static json_t *
error_reply(struct wrtc_ng_stats *st, const char *reason)
{
	st->errors++;
	return json_pack("{s:s, s:s}", "result", "error", "error-reason", reason);
}

static json_t *
ok_reply(const char *warning)
{
	json_t *r = json_pack("{s:s}", "result", "ok");

	if (r != NULL && warning != NULL && warning[0] != '\0')
		json_object_set_new(r, "warning", json_string(warning));
	return r;
}

/* loop-protect (docs/ng.md "Flags"): this process marks the SDP it writes
 * with a=rtpengine:<id>; an SDP carrying its own mark is passed through. */
static const char *
instance_id(void)
{
	static char id[17];

	if (id[0] == '\0') {
		uint64_t r = 0;

		if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
			r = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
		snprintf(id, sizeof(id), "%016" PRIx64, r);
	}
	return id;
}

static bool
loop_marked(const char *sdp)
{
	char line[40];
	const char *p;

	snprintf(line, sizeof(line), "a=rtpengine:%s", instance_id());
	for (p = strstr(sdp, line); p != NULL; p = strstr(p + 1, line))
		if ((p == sdp || p[-1] == '\n') && (p[strlen(line)] == '\r' ||
						    p[strlen(line)] == '\n' ||
						    p[strlen(line)] == '\0'))
			return true;
	return false;
}

/* The reply's SDP: @p sdp, with our mark at the end of the session part
 * when @p mark. */
static json_t *
reply_sdp(const char *sdp, bool mark)
{
	const char *m = strstr(sdp, "\nm=");
	char line[40];
	char *out;
	json_t *j;
	size_t at, n;

	if (!mark || m == NULL)
		return json_string_nocheck(sdp);
	n = (size_t)snprintf(line, sizeof(line), "a=rtpengine:%s\r\n", instance_id());
	at = (size_t)(m - sdp) + 1;
	out = malloc(strlen(sdp) + n + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, sdp, at);
	memcpy(out + at, line, n);
	strcpy(out + at + n, sdp + at);
	j = json_string_nocheck(out);
	free(out);
	return j;
}

/* A string member, or NULL. */
static const char *
str(const json_t *req, const char *key)
{
	const json_t *v = json_object_get(req, key);

	return json_is_string(v) && json_string_length(v) > 0 ? json_string_value(v) : NULL;
}

/* Which side an SDP offer comes from, by its first m-line's protocol. */
static void
sdp_side(const char *sdp, struct ng_offer_opts *o)
{
	const char *m = strstr(sdp, "m=");

	while (m != NULL && m != sdp && m[-1] != '\n')
		m = strstr(m + 2, "m=");
	if (m == NULL)
		return;
	if (strstr(m, "UDP/TLS/RTP/SAVP") != NULL && o->kind[0] < 0) {
		o->kind[0] = WRTC_CONFIG_TRUNK_WEBRTC;
		o->profile[0].dtls = 1;
	} else if (o->kind[0] < 0) {
		const char *eol = strchr(m, '\n');
		const char *savp = strstr(m, " RTP/SAVP");

		o->kind[0] = WRTC_CONFIG_TRUNK_SIP;
		o->profile[0].sdes = savp != NULL && (eol == NULL || savp < eol);
		o->profile[0].dtls = 0;
	}
}

/* The trunk group a leg starts from: the first on its interface of the kind
 * wanted, else the first on the interface (its kind then changed). */
static int
base_tg(const struct wrtc_config *cfg, int iface, int kind, struct wrtc_session_profile *p)
{
	int any = -1;

	for (unsigned int t = 0; t < cfg->n_trunk_groups; t++) {
		if (cfg->trunk_groups[t].interface != iface)
			continue;
		if ((int)cfg->trunk_groups[t].kind == kind)
			return (int)t;
		if (any < 0)
			any = (int)t;
	}
	if (any >= 0)
		p->kind = kind;
	return any;
}

static json_t *
cmd_offer(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const struct wrtc_config *cfg = wrtc_session_config(mgr);
	struct wrtc_session_offer_prm prm = {0};
	struct ng_offer_opts o;
	char msg[WRTC_SESSION_ERR_SIZE];
	char *out = NULL;
	bool exists;
	json_t *r;
	int rc;

	prm.call_id = str(req, "call-id");
	prm.from_tag = str(req, "from-tag");
	prm.sdp = str(req, "sdp");
	if (prm.call_id == NULL || prm.from_tag == NULL || prm.sdp == NULL)
		return error_reply(st, prm.call_id == NULL ? "call-id: missing" :
				       prm.from_tag == NULL ? "from-tag: missing" : "sdp: missing");
	if (strlen(prm.call_id) >= 256 || strlen(prm.from_tag) >= 256)
		return error_reply(st, "call-id/from-tag: longer than 255 characters");
	if (ng_flags_parse(req, cfg, &o, msg, sizeof(msg)) != 0)
		return error_reply(st, msg);
	prm.sdp_len = strlen(prm.sdp);
	if (o.fragment) {
		unsigned int added;

		/* Kamailio's rtpengine_info(): an SDP fragment of trickled candidates. */
		rc = wrtc_session_trickle(mgr, prm.call_id, prm.from_tag, prm.sdp, prm.sdp_len,
					  &added, msg, sizeof(msg));
		if (rc != 0)
			return error_reply(st, rc == -ENOENT ? "Unknown call-id" : msg);
		return ok_reply(o.warning);
	}
	if (o.loop_protect && loop_marked(prm.sdp)) {
		/* Our own SDP came back (the call loops through the proxy): unchanged. */
		r = ok_reply(o.warning);
		if (r != NULL)
			json_object_set_new(r, "sdp", json_string_nocheck(prm.sdp));
		return r;
	}
	sdp_side(prm.sdp, &o);
	if (o.kind[1] < 0)
		o.kind[1] = o.kind[0];
	if (o.iface[0] < 0)
		o.iface[0] = 0;
	if (o.iface[1] < 0)
		o.iface[1] = o.iface[0];
	for (unsigned int l = 0; l < 2; l++) {
		prm.tg[l] = base_tg(cfg, o.iface[l], o.kind[l], &o.profile[l]);
		if (prm.tg[l] < 0) {
			snprintf(msg, sizeof(msg), "interface %s: no trunk group uses it",
				 cfg->interfaces[o.iface[l]].name);
			return error_reply(st, msg);
		}
		prm.profile[l] = &o.profile[l];
	}
	prm.ice_restart = o.ice_restart;
	if (o.ice == 1 && cfg->trunk_groups[prm.tg[1]].ice == WRTC_CONFIG_ICE_NONE)
		o.profile[1].ice = WRTC_CONFIG_ICE_LITE;
	else if (o.ice == 2)
		o.profile[1].ice = WRTC_CONFIG_ICE_NONE;
	prm.calling = str(req, "calling");
	prm.called = str(req, "called");
	exists = wrtc_session_call_exists(mgr, prm.call_id);
	rc = wrtc_session_offer(mgr, &prm, &out, msg, sizeof(msg));
	/* Full (calls, ports) or a worker behind on its control messages. */
	if (!exists && (rc == -EBUSY || rc == -ENOSPC || rc == -EAGAIN || rc == -ENOBUFS)) {
		/* The proxy moves to the next node of its set (docs/ng.md "Load limit"). */
		NG_LOG(INFO, "[%s] offer refused: %s", prm.call_id, msg);
		if (o.load_limit) {
			st->load_limit++;
			return json_pack("{s:s, s:s}", "result", "load limit", "message", msg);
		}
		return error_reply(st, rc == -ENOSPC ? "Ran out of ports" :
					      "Parallel session limit reached");
	}
	if (rc != 0)
		return error_reply(st, msg);
	r = ok_reply(o.warning);
	if (r != NULL)
		json_object_set_new(r, "sdp", reply_sdp(out, o.loop_protect));
	free(out);
	return r;
}

static json_t *
cmd_answer(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const char *call_id = str(req, "call-id"), *from_tag = str(req, "from-tag");
	const char *to_tag = str(req, "to-tag"), *sdp = str(req, "sdp");
	char msg[WRTC_SESSION_ERR_SIZE];
	struct ng_offer_opts o;
	char *out = NULL;
	json_t *r;
	int rc;

	if (call_id == NULL || from_tag == NULL || to_tag == NULL || sdp == NULL)
		return error_reply(st, call_id == NULL ? "call-id: missing" :
				       from_tag == NULL ? "from-tag: missing" :
				       to_tag == NULL ? "to-tag: missing" : "sdp: missing");
	/* Flags take effect when the offer creates the call; here they only warn. */
	if (ng_flags_parse(req, wrtc_session_config(mgr), &o, msg, sizeof(msg)) != 0)
		return error_reply(st, msg);
	if (o.loop_protect && loop_marked(sdp)) {
		r = ok_reply(o.warning);
		if (r != NULL)
			json_object_set_new(r, "sdp", json_string_nocheck(sdp));
		return r;
	}
	rc = wrtc_session_answer(mgr, call_id, from_tag, to_tag, sdp, strlen(sdp), &out, msg,
				 sizeof(msg));
	if (rc != 0)
		return error_reply(st, rc == -ENOENT ? "Unknown call-id" : msg);
	r = ok_reply(o.warning);
	if (r != NULL)
		json_object_set_new(r, "sdp", reply_sdp(out, o.loop_protect));
	free(out);
	return r;
}

/* "1.2.3.4:5" / "[::1]:5" into an rtpengine endpoint dict; NULL when unknown. */
static json_t *
endpoint(const char *s, int *port_out)
{
	const char *colon = strrchr(s, ':');
	char addr[64];
	size_t n;
	bool v6 = s[0] == '[';

	if (colon == NULL || colon == s)
		return NULL;
	n = (size_t)(colon - s) - (v6 ? 2 : 0);
	if (n >= sizeof(addr))
		return NULL;
	memcpy(addr, s + (v6 ? 1 : 0), n);
	addr[n] = '\0';
	if (port_out != NULL)
		*port_out = atoi(colon + 1);
	return json_pack("{s:s, s:s, s:i}", "family", v6 ? "IPv6" : "IPv4", "address", addr,
			 "port", atoi(colon + 1));
}

static json_t *
ng_stream(const json_t *s, const char *flag, json_int_t *tp, json_int_t *tb, json_int_t *te)
{
	const char *local = json_string_value(json_object_get(s, "local"));
	const char *remote = json_string_value(json_object_get(s, "remote"));
	json_int_t p = json_integer_value(json_object_get(s, "rx_packets"));
	json_int_t b = json_integer_value(json_object_get(s, "rx_bytes"));
	json_int_t e = json_integer_value(json_object_get(s, "drops"));
	json_t *o, *ep;
	int lport = 0;

	if (local != NULL)
		json_decref(endpoint(local, &lport));
	o = json_pack("{s:i, s:[s], s:{s:I, s:I, s:I}, s:{s:I, s:I}}", "local port", lport,
		      "flags", flag, "stats", "packets", p, "bytes", b, "errors", e,
		      "sent", "packets", json_integer_value(json_object_get(s, "tx_packets")),
		      "bytes", json_integer_value(json_object_get(s, "tx_bytes")));
	if (o != NULL && json_is_integer(json_object_get(s, "ssrc")))
		/* The source received on it: the key into the reply's SSRC dictionary. */
		json_object_set(o, "SSRC", json_object_get(s, "ssrc"));
	ep = remote != NULL ? endpoint(remote, NULL) : NULL;
	if (o != NULL && ep != NULL)
		json_object_set_new(o, "endpoint", ep);
	else
		json_decref(ep);
	*tp += p;
	*tb += b;
	*te += e;
	return o;
}

/* One quality sample of session_quality.c in rtpengine's shape. */
static json_t *
ng_mos(const json_t *q, const char *which)
{
	const json_t *s = json_object_get(q, which);

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"MOS", (json_int_t)(json_number_value(json_object_get(s, "mos")) * 10.0 + 0.5),
		"reported at", json_integer_value(json_object_get(s, "at")),
		"packet loss", json_integer_value(json_object_get(s, "packet_loss")),
		"jitter", json_integer_value(json_object_get(s, "jitter_ms")),
		"round-trip time", json_integer_value(json_object_get(s, "rtt_us")),
		"round-trip time leg", json_integer_value(json_object_get(s, "rtt_leg_us")),
		"samples", json_integer_value(json_object_get(q, "samples")));
}

/* The reply's SSRC dictionary (Kamailio's MOS variables): per source, what
 * the leg it is sent to reports about it. */
static json_t *
ng_ssrcs(const json_t *streams)
{
	json_t *d = json_object();
	const json_t *m, *lm;
	size_t i, k;

	json_array_foreach(streams, i, m)
		json_array_foreach(json_object_get(m, "legs"), k, lm) {
			const json_t *q = json_object_get(lm, "quality");
			char key[16];

			if (d == NULL || !json_is_integer(json_object_get(q, "ssrc")))
				continue;
			snprintf(key, sizeof(key), "%" JSON_INTEGER_FORMAT,
				 json_integer_value(json_object_get(q, "ssrc")));
			json_object_set_new(d, key, json_pack("{s:o, s:o, s:o}",
				"average MOS", ng_mos(q, "average"),
				"lowest MOS", ng_mos(q, "lowest"),
				"highest MOS", ng_mos(q, "highest")));
		}
	return d;
}

/* The session's call status in rtpengine's query/delete shape. */
static json_t *
ng_status(const json_t *status)
{
	json_int_t rtp[3] = {0}, rtcp[3] = {0};
	json_int_t created = json_integer_value(json_object_get(status, "created"));
	const json_t *legs = json_object_get(status, "legs");
	const json_t *streams = json_object_get(status, "streams");
	json_t *r = ok_reply(NULL), *tags = json_object();
	const json_t *leg, *m;
	size_t i, j;

	if (r == NULL || tags == NULL) {
		json_decref(r);
		json_decref(tags);
		return NULL;
	}
	json_array_foreach(legs, i, leg) {
		const char *tag = json_string_value(json_object_get(leg, "tag"));
		const json_t *other = json_array_get(legs, 1 - i);
		json_t *medias = json_array();

		if (tag == NULL || tag[0] == '\0' || medias == NULL) {
			json_decref(medias);
			continue;
		}
		json_array_foreach(streams, j, m) {
			const json_t *ml, *lm = NULL;
			json_t *md, *sl;
			size_t k;

			json_array_foreach(json_object_get(m, "legs"), k, ml)
				if (json_equal(json_object_get(ml, "leg"),
					       json_object_get(leg, "tag")))
					lm = ml;
			if (lm == NULL)
				continue;
			sl = json_array();
			json_array_append_new(sl, ng_stream(json_object_get(lm, "rtp"), "RTP",
							    &rtp[0], &rtp[1], &rtp[2]));
			if (!json_is_true(json_object_get(lm, "rtcp_mux")))
				json_array_append_new(sl, ng_stream(json_object_get(lm, "rtcp"),
								    "RTCP", &rtcp[0], &rtcp[1],
								    &rtcp[2]));
			md = json_pack("{s:I, s:O, s:o}", "index", (json_int_t)j + 1, "type",
				       json_object_get(m, "type"), "streams", sl);
			/* Our own state (ICE, DTLS, SRTP, transcoder, rates), as extra keys. */
			{
				const char *key;
				json_t *v;

				json_object_foreach((json_t *)lm, key, v)
					if (strcmp(key, "leg") != 0 && strcmp(key, "rtp") != 0 &&
					    strcmp(key, "rtcp") != 0)
						json_object_set(md, key, v);
			}
			json_array_append_new(medias, md);
		}
		const char *other_tag = json_string_value(json_object_get(other, "tag"));

		json_object_set_new(tags, tag, json_pack("{s:s, s:I, s:s, s:o}", "tag", tag,
			"created", created, "in dialogue with", other_tag != NULL ? other_tag : "",
			"medias", medias));
	}
	json_object_set_new(r, "created", json_integer(created));
	json_object_set_new(r, "last signal", json_integer(created));
	json_object_set_new(r, "totals", json_pack("{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
		"RTP", "packets", rtp[0], "bytes", rtp[1], "errors", rtp[2],
		"RTCP", "packets", rtcp[0], "bytes", rtcp[1], "errors", rtcp[2]));
	json_object_set_new(r, "tags", tags);
	json_object_set_new(r, "SSRC", ng_ssrcs(streams));
	json_object_set(r, "state", json_object_get(status, "state"));
	json_object_set(r, "duration", json_object_get(status, "duration"));
	return r;
}

static json_t *
cmd_delete(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const char *call_id = str(req, "call-id");
	char msg[WRTC_SESSION_ERR_SIZE];
	json_t *final = NULL, *r;
	int rc;

	if (call_id == NULL)
		return error_reply(st, "call-id: missing");
	rc = wrtc_session_delete(mgr, call_id, str(req, "from-tag"), &final, msg, sizeof(msg));
	if (rc == -EINVAL && str(req, "to-tag") != NULL)
		/* From the side whose tag is in To: (a BYE from the callee). */
		rc = wrtc_session_delete(mgr, call_id, str(req, "to-tag"), &final, msg,
					 sizeof(msg));
	if (rc != 0)
		return error_reply(st, rc == -ENOENT ? "Unknown call-id" : msg);
	r = ng_status(final);
	json_decref(final);
	return r;
}

static json_t *
cmd_query(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const char *call_id = str(req, "call-id");
	char msg[WRTC_SESSION_ERR_SIZE];
	json_t *status = NULL, *r;
	int rc;

	if (call_id == NULL)
		return error_reply(st, "call-id: missing");
	rc = wrtc_session_query(mgr, call_id, &status, msg, sizeof(msg));
	if (rc != 0)
		return error_reply(st, rc == -ENOENT ? "Unknown call-id" : msg);
	r = ng_status(status);
	json_decref(status);
	return r;
}

static json_t *
cmd_list(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const json_t *lim = json_object_get(req, "limit");
	json_int_t limit = json_is_integer(lim) ? json_integer_value(lim) :
			   json_is_string(lim) ? atoll(json_string_value(lim)) : 32;
	json_t *all, *calls, *c, *r;
	size_t size = 32, i;

	if (limit <= 0 || limit > 1000)
		limit = 32;
	all = wrtc_session_list(mgr, (unsigned int)limit);
	calls = json_array();
	if (all == NULL || calls == NULL) {
		json_decref(all);
		json_decref(calls);
		return error_reply(st, "out of memory");
	}
	json_array_foreach(json_object_get(all, "calls"), i, c) {
		const json_t *id = json_object_get(c, "call_id");

		/* One datagram under the MTU: "<len>:<id>" per call. */
		size += json_string_length(id) + 6;
		if (size > WRTC_NG_LIST_MTU)
			break;
		json_array_append(calls, (json_t *)id);
	}
	json_decref(all);
	r = ok_reply(NULL);
	if (r != NULL)
		json_object_set_new(r, "calls", calls);
	else
		json_decref(calls);
	return r;
}

static json_t *
cmd_statistics(struct wrtc_session_mgr *mgr, const struct wrtc_ng_stats *ng)
{
	json_t *s = wrtc_session_statistics(mgr), *r;
	json_int_t active, created;

	if (s == NULL)
		return NULL;
	active = json_integer_value(json_object_get(s, "calls_active"));
	created = json_integer_value(json_object_get(s, "calls_created"));
	r = json_pack("{s:s, s:{s:{s:I, s:I, s:I}, s:{s:I, s:I, s:I}}, s:o}", "result", "ok",
		"statistics",
		"currentstatistics", "sessionsown", active, "sessionsforeign", (json_int_t)0,
		"sessionstotal", active,
		"totalstatistics", "totalsessions", created,
		"totaltimedoutsessions", json_integer_value(json_object_get(s, "calls_timed_out")),
		"totalregularterminatedsessions",
		json_integer_value(json_object_get(s, "calls_deleted")),
		"wrtcgw", s);
	if (r != NULL)
		json_object_set_new(r, "ng", json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"requests", (json_int_t)ng->requests,
			"retransmissions", (json_int_t)ng->retransmissions,
			"malformed", (json_int_t)ng->malformed, "errors", (json_int_t)ng->errors,
			"load_limit", (json_int_t)ng->load_limit,
			"send_errors", (json_int_t)ng->send_errors,
			"recv_errors", (json_int_t)ng->recv_errors,
			"refused_source", (json_int_t)ng->refused_source));
	return r;
}

json_t *
ng_command(struct wrtc_session_mgr *mgr, const json_t *req, struct wrtc_ng_stats *st)
{
	const char *c = str(req, "command");
	char cmd[32];

	if (c == NULL)
		return error_reply(st, "command: missing");
	ng_key_norm(c, cmd, sizeof(cmd));
	if (strcmp(cmd, "ping") == 0)
		return json_pack("{s:s}", "result", "pong");
	if (mgr == NULL && (strcmp(cmd, "offer") == 0 || strcmp(cmd, "answer") == 0 ||
			    strcmp(cmd, "delete") == 0 || strcmp(cmd, "query") == 0 ||
			    strcmp(cmd, "list") == 0 || strcmp(cmd, "statistics") == 0))
		return error_reply(st, "no calls here (no session manager)");
	if (strcmp(cmd, "offer") == 0)
		return cmd_offer(mgr, req, st);
	if (strcmp(cmd, "answer") == 0)
		return cmd_answer(mgr, req, st);
	if (strcmp(cmd, "delete") == 0)
		return cmd_delete(mgr, req, st);
	if (strcmp(cmd, "query") == 0)
		return cmd_query(mgr, req, st);
	if (strcmp(cmd, "list") == 0)
		return cmd_list(mgr, req, st);
	if (strcmp(cmd, "statistics") == 0)
		return cmd_statistics(mgr, st);
	{
		char m[96];

		snprintf(m, sizeof(m), "Unrecognized command '%.32s'", c);
		return error_reply(st, m);
	}
}
