/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ng UDP server: framing (`<cookie> <dictionary>`), the reply cache and
 * the non-blocking socket the control lcore polls.
 *
 * Reply cache: a fixed table of WRTC_NG_CACHE_SLOTS entries, indexed by a
 * hash of the cookie with a short probe. A request whose cookie is in the
 * table and younger than WRTC_NG_CACHE_TTL_S gets the stored reply again
 * without being handled, so a proxy retransmitting an offer whose reply was
 * lost never creates a second call. When the probe finds no free or expired
 * slot the oldest one is replaced.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <rte_log.h>

#include "ng_priv.h"

RTE_LOG_REGISTER_DEFAULT(wrtc_ng_logtype, NOTICE);

enum {
	CACHE_PROBE = 8,
	POLL_BURST = 32,
};

struct cache_entry {
	char cookie[WRTC_NG_COOKIE_MAX];  /* any bytes but space */
	size_t cookie_len;
	uint64_t at_ms;                  /* 0 = free */
	char *reply;                     /* malloc'd */
	size_t len;
};

struct wrtc_ng_server {
	int fd;                          /* -1 without a socket */
	uint16_t port;
	struct wrtc_session_mgr *mgr;
	struct wrtc_ng_stats st;
	struct wrtc_rpc_acl allow;       /* empty: any source */
	uint64_t refused_logged_ms;      /* last "refused" log line (rate limit) */
	uint64_t refused_at_log;         /* st.refused_source at that line */
	struct cache_entry cache[WRTC_NG_CACHE_SLOTS];
	struct wrtc_bencode_node nodes[NG_MAX_NODES];
	char in[WRTC_NG_MAX_REQUEST + 1];
	char out[WRTC_NG_MAX_REPLY];
};

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t
cookie_hash(const char *c, size_t len)
{
	uint32_t h = 2166136261u;  /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)c[i]) * 16777619u;
	return h;
}

static struct cache_entry *
cache_find(struct wrtc_ng_server *srv, const char *c, size_t len, uint64_t now)
{
	uint32_t h = cookie_hash(c, len);

	for (unsigned int k = 0; k < CACHE_PROBE; k++) {
		struct cache_entry *e = &srv->cache[(h + k) % WRTC_NG_CACHE_SLOTS];

		if (e->at_ms != 0 && now - e->at_ms < WRTC_NG_CACHE_TTL_S * 1000ull &&
		    e->cookie_len == len && memcmp(e->cookie, c, len) == 0)
			return e;
	}
	return NULL;
}

static void
cache_store(struct wrtc_ng_server *srv, const char *c, size_t len, const char *reply,
	    size_t rlen, uint64_t now)
{
	uint32_t h = cookie_hash(c, len);
	struct cache_entry *victim = NULL;
	char *copy;

	for (unsigned int k = 0; k < CACHE_PROBE; k++) {
		struct cache_entry *e = &srv->cache[(h + k) % WRTC_NG_CACHE_SLOTS];

		if (e->at_ms == 0 || now - e->at_ms >= WRTC_NG_CACHE_TTL_S * 1000ull) {
			victim = e;
			break;
		}
		if (victim == NULL || e->at_ms < victim->at_ms)
			victim = e;
	}
	copy = malloc(rlen);
	if (copy == NULL)
		return;  /* a retransmission is then handled again: still no second call */
	memcpy(copy, reply, rlen);
	free(victim->reply);
	memcpy(victim->cookie, c, len);
	victim->cookie_len = len;
	victim->reply = copy;
	victim->len = rlen;
	victim->at_ms = now;
}

/* Recursively normalise the keys of a JSON request (as ng_from_bencode does). */
static json_t *
json_norm(const json_t *v)
{
	const char *key;
	json_t *m, *o;
	size_t i;

	if (json_is_object(v)) {
		o = json_object();
		json_object_foreach((json_t *)v, key, m) {
			char k[128];

			ng_key_norm(key, k, sizeof(k));
			json_object_set_new(o, k, json_norm(m));
		}
		return o;
	}
	if (json_is_array(v)) {
		o = json_array();
		json_array_foreach(v, i, m)
			json_array_append_new(o, json_norm(m));
		return o;
	}
	return json_deep_copy(v);
}

/* Decode the dictionary of a request; NULL with @p err on failure. */
static json_t *
decode(struct wrtc_ng_server *srv, const char *p, size_t len, bool *is_json, char *err,
       size_t errlen)
{
	json_t *req = NULL;
	int n;

	*is_json = len > 0 && p[0] == '{';
	if (*is_json) {
		json_error_t je;
		json_t *raw = json_loadb(p, len, JSON_REJECT_DUPLICATES, &je);

		if (raw == NULL || !json_is_object(raw)) {
			snprintf(err, errlen, "JSON: %.160s",
				 raw == NULL ? je.text : "not an object");
			json_decref(raw);
			return NULL;
		}
		req = json_norm(raw);
		json_decref(raw);
		return req;
	}
	n = wrtc_bencode_decode(p, len, srv->nodes, NG_MAX_NODES, NG_MAX_DEPTH, err, errlen);
	if (n < 0)
		return NULL;
	if (srv->nodes[0].type != WRTC_BENCODE_DICT) {
		snprintf(err, errlen, "not a dictionary");
		return NULL;
	}
	req = ng_from_bencode(&srv->nodes[0]);
	if (req == NULL)
		snprintf(err, errlen, "out of memory");
	return req;
}

/* Write "<cookie> <reply>" into out. */
static int
encode(const char *cookie, size_t clen, const json_t *reply, bool is_json, char *out,
       size_t size)
{
	struct wrtc_bencode_buf b;
	int n;

	if (clen + 1 >= size)
		return -EMSGSIZE;
	memcpy(out, cookie, clen);
	out[clen] = ' ';
	if (is_json) {
		size_t need = json_dumpb(reply, NULL, 0, JSON_COMPACT);

		if (need == 0 || need > size - clen - 1)
			return -EMSGSIZE;
		return (int)(clen + 1 + json_dumpb(reply, out + clen + 1, size - clen - 1,
						   JSON_COMPACT));
	}
	wrtc_bencode_buf_init(&b, out + clen + 1, size - clen - 1);
	ng_to_bencode(reply, &b);
	n = wrtc_bencode_buf_finish(&b);
	if (n < 0)
		return n;
	return (int)clen + 1 + n;
}

int
wrtc_ng_server_handle(struct wrtc_ng_server *srv, const char *msg, size_t len, char *out,
		      size_t out_size)
{
	const char *sp = memchr(msg, ' ', len);
	struct cache_entry *hit;
	uint64_t now = now_ms();
	char err[256] = "";
	bool is_json = false;
	json_t *req, *reply;
	size_t clen;
	int n;

	srv->st.requests++;
	if (sp == NULL || sp == msg || (size_t)(sp - msg) > WRTC_NG_COOKIE_MAX) {
		srv->st.malformed++;
		return 0;  /* no cookie to answer with */
	}
	clen = (size_t)(sp - msg);
	hit = cache_find(srv, msg, clen, now);
	if (hit != NULL) {
		srv->st.retransmissions++;
		if (hit->len > out_size)
			return -EMSGSIZE;
		memcpy(out, hit->reply, hit->len);
		return (int)hit->len;
	}
	req = decode(srv, sp + 1, len - clen - 1, &is_json, err, sizeof(err));
	if (req == NULL) {
		char reason[300];

		srv->st.malformed++;
		snprintf(reason, sizeof(reason), "malformed request: %s", err);
		NG_LOG(DEBUG, "cookie %.*s: %s", (int)clen, msg, reason);
		reply = json_pack("{s:s, s:s}", "result", "error", "error-reason", reason);
	} else {
		reply = ng_command(srv->mgr, req, &srv->st);
		json_decref(req);
	}
	if (reply == NULL)
		reply = json_pack("{s:s, s:s}", "result", "error", "error-reason", "out of memory");
	n = reply != NULL ? encode(msg, clen, reply, is_json, out, out_size) : -ENOMEM;
	if (n == -EMSGSIZE && out_size >= 128) {
		/* Still an answer, so the proxy does not retransmit. */
		json_decref(reply);
		reply = json_pack("{s:s, s:s}", "result", "error", "error-reason",
				  "reply larger than one datagram");
		n = reply != NULL ? encode(msg, clen, reply, is_json, out, out_size) : -ENOMEM;
	}
	json_decref(reply);
	if (n > 0)
		cache_store(srv, msg, clen, out, (size_t)n, now);
	return n;
}

struct wrtc_ng_server *
wrtc_ng_server_create(const struct wrtc_ng_server_prm *prm)
{
	struct wrtc_ng_server *srv = calloc(1, sizeof(*srv));
	struct sockaddr_storage ss;
	socklen_t sl;
	int err;

	if (srv == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	srv->fd = -1;
	srv->mgr = prm->mgr;
	if (prm->allow != NULL)
		srv->allow = *prm->allow;
	if (prm->host == NULL)
		return srv;
	if (wrtc_rpc_acl_check_listen(&srv->allow, prm->host) == -EPERM) {
		free(srv);
		errno = EPERM;
		return NULL;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, prm->host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons(prm->port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, prm->host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(prm->port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		free(srv);
		errno = EINVAL;
		return NULL;
	}
	srv->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->fd < 0)
		goto fail;
	if (ss.ss_family == AF_INET6) {
		int one = 1;

		if (setsockopt(srv->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)
			goto fail;
	}
	if (bind(srv->fd, (struct sockaddr *)&ss, sl) != 0)
		goto fail;
	if (getsockname(srv->fd, (struct sockaddr *)&ss, &sl) != 0)
		goto fail;
	srv->port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
				  ((struct sockaddr_in6 *)&ss)->sin6_port);
	return srv;
fail:
	err = errno;
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv);
	errno = err;
	return NULL;
}

void
wrtc_ng_server_free(struct wrtc_ng_server *srv)
{
	if (srv == NULL)
		return;
	if (srv->fd >= 0)
		close(srv->fd);
	for (unsigned int i = 0; i < WRTC_NG_CACHE_SLOTS; i++)
		free(srv->cache[i].reply);
	free(srv);
}

/* A datagram from a source control.allow_from does not list: dropped
 * unanswered, counted, logged at most every 10 s with the count since. */
static void
refused(struct wrtc_ng_server *srv, const struct sockaddr_storage *from)
{
	uint64_t now = now_ms();
	char addr[INET6_ADDRSTRLEN] = "?";

	srv->st.refused_source++;
	if (srv->refused_logged_ms != 0 && now - srv->refused_logged_ms < 10000)
		return;
	if (from->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)from)->sin_addr, addr,
			  sizeof(addr));
	else if (from->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)from)->sin6_addr, addr,
			  sizeof(addr));
	NG_LOG(WARNING, "request from %s refused: not in control.allow_from (%" PRIu64
	       " refused since the last such line)", addr,
	       srv->st.refused_source - srv->refused_at_log);
	srv->refused_logged_ms = now;
	srv->refused_at_log = srv->st.refused_source;
}

int
wrtc_ng_server_poll(struct wrtc_ng_server *srv)
{
	int handled = 0;

	if (srv->fd < 0)
		return 0;
	while (handled < POLL_BURST) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t len = recvfrom(srv->fd, srv->in, WRTC_NG_MAX_REQUEST, 0,
				       (struct sockaddr *)&from, &fl);
		int n;

		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			/* ICMP errors of an earlier send (ECONNREFUSED) are not fatal. */
			if (errno == ECONNREFUSED)
				continue;
			/* Anything else is counted; the next poll tries again. */
			srv->st.recv_errors++;
			break;
		}
		handled++;
		if (!wrtc_rpc_acl_allows(&srv->allow, (struct sockaddr *)&from, fl)) {
			refused(srv, &from);
			continue;
		}
		n = wrtc_ng_server_handle(srv, srv->in, (size_t)len, srv->out, sizeof(srv->out));
		if (n <= 0)
			continue;
		if (sendto(srv->fd, srv->out, (size_t)n, 0, (struct sockaddr *)&from, fl) != n)
			srv->st.send_errors++;
	}
	return handled;
}

int
wrtc_ng_server_fd(const struct wrtc_ng_server *srv)
{
	return srv != NULL ? srv->fd : -1;
}

uint16_t
wrtc_ng_server_port(const struct wrtc_ng_server *srv)
{
	return srv->port;
}

const struct wrtc_ng_stats *
wrtc_ng_server_stats(const struct wrtc_ng_server *srv)
{
	return &srv->st;
}
