/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Redis writer: hiredis' asynchronous context without an event library.
 * wrtc_ha_client_poll() asks poll(2), with a zero timeout, whether the socket
 * can be written or read and calls redisAsyncHandleWrite/Read. hiredis keeps
 * the commands in its output buffer; the client bounds how many are in
 * flight. Everything runs on the control lcore.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "wrtc_ha.h"

struct wrtc_ha_client {
	struct wrtc_ha_client_prm prm;  /* Strings point into the copies below. */
	char unix_path[108];
	char host[64];
	char prefix[64];
	redisAsyncContext *ac;          /* NULL when down. */
	bool up;                        /* Socket connected (seen by poll). */
	bool need_resync;               /* A write was lost or refused. */
	uint64_t next_connect_ms;       /* When to try again. */
	uint64_t now_ms;                /* Last poll's clock. */
	struct wrtc_ha_client_stats st;
	char key[64 + WRTC_HA_ID_SIZE]; /* Scratch for the key. */
};

static void
on_reply(redisAsyncContext *ac, void *reply, void *priv)
{
	struct wrtc_ha_client *cl = ac->data;
	redisReply *r = reply;

	if (cl == NULL)
		return;
	if (cl->st.pending > 0)
		cl->st.pending--;
	if (priv != NULL)
		return; /* SELECT: its failure shows as errors on the writes. */
	if (r == NULL || r->type == REDIS_REPLY_ERROR) {
		cl->st.failed++;
		cl->need_resync = true;
	} else {
		cl->st.acked++;
	}
}

static void
on_connect(const redisAsyncContext *ac, int status)
{
	struct wrtc_ha_client *cl = ac->data;

	if (status != REDIS_OK) {
		/* hiredis frees the context after this callback. */
		cl->ac = NULL;
		cl->up = false;
		cl->st.pending = 0;
		cl->st.disconnects++;
		cl->next_connect_ms = cl->now_ms + cl->prm.reconnect_ms;
		return;
	}
	/* Success is seen by wrtc_ha_client_poll() (REDIS_CONNECTED): hiredis
	 * does not call back for a unix socket that connected at once. */
}

static void
on_disconnect(const redisAsyncContext *ac, int status)
{
	struct wrtc_ha_client *cl = ac->data;

	cl->ac = NULL;
	cl->up = false;
	cl->st.pending = 0;
	cl->st.disconnects++;
	cl->need_resync = true;
	cl->next_connect_ms = cl->now_ms + cl->prm.reconnect_ms;
}

static void
start_connect(struct wrtc_ha_client *cl)
{
	redisAsyncContext *ac;

	if (cl->prm.unix_path != NULL)
		ac = redisAsyncConnectUnix(cl->prm.unix_path);
	else
		ac = redisAsyncConnect(cl->prm.host, cl->prm.port);
	cl->next_connect_ms = cl->now_ms + cl->prm.reconnect_ms;
	if (ac == NULL)
		return;
	if (ac->err != 0) {
		redisAsyncFree(ac);
		cl->st.disconnects++;
		return;
	}
	ac->data = cl;
	if (redisAsyncSetConnectCallback(ac, on_connect) != REDIS_OK ||
	    redisAsyncSetDisconnectCallback(ac, on_disconnect) != REDIS_OK) {
		ac->data = NULL;
		redisAsyncFree(ac);
		return;
	}
	cl->ac = ac;
	/* Pipelined ahead of every write of this connection. */
	if (redisAsyncCommand(ac, on_reply, cl, "SELECT %u", cl->prm.db) == REDIS_OK)
		cl->st.pending++;
}

struct wrtc_ha_client *
wrtc_ha_client_create(const struct wrtc_ha_client_prm *prm)
{
	struct wrtc_ha_client *cl;

	if (prm == NULL || prm->prefix == NULL || strlen(prm->prefix) >= 64 ||
	    (prm->unix_path == NULL && prm->host == NULL) ||
	    (prm->unix_path != NULL && strlen(prm->unix_path) >= 108) ||
	    (prm->host != NULL && strlen(prm->host) >= 64)) {
		errno = EINVAL;
		return NULL;
	}
	cl = calloc(1, sizeof(*cl));
	if (cl == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	cl->prm = *prm;
	strcpy(cl->prefix, prm->prefix);
	cl->prm.prefix = cl->prefix;
	if (prm->unix_path != NULL) {
		strcpy(cl->unix_path, prm->unix_path);
		cl->prm.unix_path = cl->unix_path;
		cl->prm.host = NULL;
	} else {
		strcpy(cl->host, prm->host);
		cl->prm.host = cl->host;
	}
	if (cl->prm.max_pending == 0)
		cl->prm.max_pending = 4096;
	if (cl->prm.reconnect_ms == 0)
		cl->prm.reconnect_ms = 1000;
	return cl;
}

void
wrtc_ha_client_free(struct wrtc_ha_client *cl)
{
	if (cl == NULL)
		return;
	if (cl->ac != NULL) {
		redisAsyncContext *ac = cl->ac;

		/* Reply callbacks run from redisAsyncFree must not touch cl. */
		ac->data = NULL;
		ac->onDisconnect = NULL;
		ac->onConnect = NULL;
		redisAsyncFree(ac);
	}
	free(cl);
}

static int
key_of(struct wrtc_ha_client *cl, const char *call_id)
{
	size_t p = strlen(cl->prefix), n = strlen(call_id);

	if (n == 0 || p + n >= sizeof(cl->key))
		return -EINVAL;
	memcpy(cl->key, cl->prefix, p);
	memcpy(cl->key + p, call_id, n + 1);
	return 0;
}

static int
admit(struct wrtc_ha_client *cl)
{
	/* While connecting the command waits in hiredis' buffer (bounded below). */
	if (cl->ac == NULL) {
		cl->st.failed++;
		cl->need_resync = true;
		return -ENOTCONN;
	}
	if (cl->st.pending >= cl->prm.max_pending) {
		cl->st.failed++;
		cl->need_resync = true;
		return -ENOBUFS;
	}
	return 0;
}

/* Account for a command handed to hiredis (@p rc: redisAsyncCommand's result):
 * queued and counted, or failed, counted and the node marked for a resync. */
static int
queued(struct wrtc_ha_client *cl, int rc)
{
	if (rc != REDIS_OK) {
		cl->st.failed++;
		cl->need_resync = true;
		return -ENOMEM;
	}
	cl->st.pending++;
	cl->st.writes++;
	return 0;
}

int
wrtc_ha_client_put(struct wrtc_ha_client *cl, const char *call_id, const char *value,
		   size_t len)
{
	int rc;

	if (key_of(cl, call_id) != 0)
		return -EINVAL;
	rc = admit(cl);
	if (rc != 0)
		return rc;
	if (cl->prm.expiry_s != 0)
		rc = redisAsyncCommand(cl->ac, on_reply, NULL, "SET %s %b EX %u", cl->key,
				       value, len, cl->prm.expiry_s);
	else
		rc = redisAsyncCommand(cl->ac, on_reply, NULL, "SET %s %b", cl->key, value, len);
	return queued(cl, rc);
}

int
wrtc_ha_client_del(struct wrtc_ha_client *cl, const char *call_id)
{
	int rc;

	if (key_of(cl, call_id) != 0)
		return -EINVAL;
	rc = admit(cl);
	if (rc != 0)
		return rc;
	return queued(cl, redisAsyncCommand(cl->ac, on_reply, NULL, "DEL %s", cl->key));
}

void
wrtc_ha_client_poll(struct wrtc_ha_client *cl, uint64_t now_ms)
{
	struct pollfd pfd;

	cl->now_ms = now_ms;
	if (cl->ac == NULL) {
		if (now_ms >= cl->next_connect_ms)
			start_connect(cl);
		if (cl->ac == NULL)
			return;
	}
	pfd.fd = cl->ac->c.fd;
	pfd.events = POLLIN;
	/* Connecting, or output waiting: ask for writability too. */
	if (!(cl->ac->c.flags & REDIS_CONNECTED) || cl->ac->c.obuf[0] != '\0' ||
	    cl->st.pending > 0)
		pfd.events |= POLLOUT;
	pfd.revents = 0;
	if (poll(&pfd, 1, 0) > 0) {
		if (pfd.revents & (POLLOUT | POLLERR | POLLHUP))
			redisAsyncHandleWrite(cl->ac);
		if (cl->ac != NULL && (pfd.revents & (POLLIN | POLLERR | POLLHUP)))
			redisAsyncHandleRead(cl->ac);
	}
	if (cl->ac != NULL && !cl->up && (cl->ac->c.flags & REDIS_CONNECTED)) {
		cl->up = true;
		cl->st.connects++;
	}
	if (cl->up && cl->need_resync && cl->ac != NULL) {
		cl->need_resync = false;
		cl->st.resyncs++;
		if (cl->prm.resync != NULL)
			cl->prm.resync(cl->prm.arg);
	}
}

void
wrtc_ha_client_stats(const struct wrtc_ha_client *cl, struct wrtc_ha_client_stats *st)
{
	*st = cl->st;
	st->connected = cl->up;
}

/* ------------------------------------------------------------------ restore */

static int
reply_ok(redisContext *c, redisReply *r)
{
	if (r == NULL)
		return c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == ETIMEDOUT) ?
			-ETIMEDOUT : -EIO;
	if (r->type == REDIS_REPLY_ERROR) {
		freeReplyObject(r);
		return -EIO;
	}
	return 0;
}

int
wrtc_ha_client_load(const struct wrtc_ha_client_prm *prm, unsigned int timeout_ms,
		    int (*fn)(const char *call_id, const char *value, size_t len, void *arg),
		    void *arg)
{
	struct timeval tv = {.tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000};
	size_t plen = strlen(prm->prefix);
	char cursor[32] = "0";
	redisContext *c;
	redisReply *r;
	int rc = 0;

	c = prm->unix_path != NULL ? redisConnectUnixWithTimeout(prm->unix_path, tv) :
				     redisConnectWithTimeout(prm->host, prm->port, tv);
	if (c == NULL)
		return -ENOMEM;
	if (c->err != 0) {
		rc = c->err == REDIS_ERR_IO && errno == ECONNREFUSED ? -ECONNREFUSED : -EIO;
		goto out;
	}
	if (redisSetTimeout(c, tv) != REDIS_OK) {
		rc = -EIO;
		goto out;
	}
	r = redisCommand(c, "SELECT %u", prm->db);
	rc = reply_ok(c, r);
	if (rc != 0)
		goto out;
	freeReplyObject(r);
	do {
		redisReply *keys;

		r = redisCommand(c, "SCAN %s MATCH %s* COUNT 1000", cursor, prm->prefix);
		rc = reply_ok(c, r);
		if (rc != 0)
			goto out;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
		    r->element[0]->type != REDIS_REPLY_STRING ||
		    r->element[0]->len >= sizeof(cursor) ||
		    r->element[1]->type != REDIS_REPLY_ARRAY) {
			freeReplyObject(r);
			rc = -EIO;
			goto out;
		}
		memcpy(cursor, r->element[0]->str, r->element[0]->len + 1);
		keys = r->element[1];
		/* Pipeline the GETs of this batch, then read the replies. */
		for (size_t i = 0; i < keys->elements; i++)
			if (keys->element[i]->type != REDIS_REPLY_STRING ||
			    redisAppendCommand(c, "GET %b", keys->element[i]->str,
					       keys->element[i]->len) != REDIS_OK) {
				freeReplyObject(r);
				rc = -EIO;
				goto out;
			}
		for (size_t i = 0; i < keys->elements; i++) {
			redisReply *v;
			const char *k = keys->element[i]->str;

			if (redisGetReply(c, (void **)&v) != REDIS_OK) {
				freeReplyObject(r);
				rc = reply_ok(c, NULL);
				goto out;
			}
			/* A key expired or deleted between SCAN and GET is skipped. */
			if (rc == 0 && v->type == REDIS_REPLY_STRING &&
			    keys->element[i]->len > plen)
				rc = fn(k + plen, v->str, v->len, arg);
			freeReplyObject(v);
		}
		freeReplyObject(r);
		if (rc != 0)
			goto out;
	} while (strcmp(cursor, "0") != 0);
out:
	redisFree(c);
	return rc;
}
