/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The line dispatcher: one request line in, one reply line (or none) out.
 * It checks the JSON-RPC 2.0 envelope, finds the method and runs its
 * handler. Every error reply names what is wrong.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rpc_priv.h"

int
wrtc_rpc_error_set(struct wrtc_rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -EINVAL;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
wrtc_rpc_server_register(struct wrtc_rpc_server *srv, const char *method,
			 wrtc_rpc_handler_fn *fn, void *ctx)
{
	struct rpc_method *m;

	if (srv == NULL || method == NULL || method[0] == '\0' || fn == NULL)
		return -EINVAL;
	for (unsigned int i = 0; i < srv->n_methods; i++)
		if (strcmp(srv->methods[i].name, method) == 0)
			return -EEXIST;
	if (srv->n_methods == srv->cap_methods) {
		unsigned int cap = srv->cap_methods ? srv->cap_methods * 2 : 16;

		m = realloc(srv->methods, cap * sizeof(*m));
		if (m == NULL)
			return -ENOMEM;
		srv->methods = m;
		srv->cap_methods = cap;
	}
	m = &srv->methods[srv->n_methods];
	m->name = strdup(method);
	if (m->name == NULL)
		return -ENOMEM;
	m->fn = fn;
	m->ctx = ctx;
	srv->n_methods++;
	return 0;
}

static const struct rpc_method *
find_method(const struct wrtc_rpc_server *srv, const char *name)
{
	for (unsigned int i = 0; i < srv->n_methods; i++)
		if (strcmp(srv->methods[i].name, name) == 0)
			return &srv->methods[i];
	return NULL;
}

/* Serialises a reply; takes the reference to @p reply. */
static char *
dump_reply(json_t *reply)
{
	char *s;

	if (reply == NULL)
		return NULL;
	s = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	return s;
}

static char *
error_reply(const json_t *id, int code, const char *msg)
{
	json_t *reply = json_pack("{s:s, s:O, s:{s:i, s:s}}", "jsonrpc", "2.0", "id",
				  id != NULL ? id : json_null(), "error", "code", code, "message",
				  msg);

	return dump_reply(reply);
}

static bool
is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

char *
wrtc_rpc_server_handle_line(struct wrtc_rpc_server *srv, const char *line, size_t len)
{
	struct wrtc_rpc_error err;
	const struct rpc_method *m;
	json_t *req, *id, *ver, *method, *params, *result, *empty = NULL;
	json_error_t jerr;
	char msg[WRTC_RPC_MSG_SIZE + 64];
	char *out = NULL;

	if (is_blank(line, len))
		return NULL;
	req = json_loadb(line, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (req == NULL) {
		snprintf(msg, sizeof(msg), "parse error at column %d: %s", jerr.column, jerr.text);
		return error_reply(NULL, WRTC_RPC_PARSE_ERROR, msg);
	}
	if (json_is_array(req)) {
		out = error_reply(NULL, WRTC_RPC_INVALID_REQUEST,
				  "batch requests are not supported: send one request per line");
		goto done;
	}
	if (!json_is_object(req)) {
		out = error_reply(NULL, WRTC_RPC_INVALID_REQUEST, "request must be a JSON object");
		goto done;
	}
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) && !json_is_null(id)) {
		out = error_reply(NULL, WRTC_RPC_INVALID_REQUEST,
				  "id: must be a string, a number or null");
		goto done;
	}
	ver = json_object_get(req, "jsonrpc");
	if (ver == NULL || !json_is_string(ver) || strcmp(json_string_value(ver), "2.0") != 0) {
		out = error_reply(id, WRTC_RPC_INVALID_REQUEST,
				  ver == NULL ? "jsonrpc: missing (must be \"2.0\")" :
				  "jsonrpc: must be \"2.0\"");
		goto done;
	}
	method = json_object_get(req, "method");
	if (method == NULL || !json_is_string(method)) {
		out = error_reply(id, WRTC_RPC_INVALID_REQUEST,
				  method == NULL ? "method: missing" : "method: must be a string");
		goto done;
	}
	if (srv->token != NULL) {
		json_t *tok = json_object_get(req, "token");

		if (!json_is_string(tok) ||
		    !wrtc_rpc_token_equal(srv->token, json_string_value(tok),
					  json_string_length(tok))) {
			srv->st.unauthorized++;
			if (id != NULL)
				out = error_reply(id, WRTC_RPC_UNAUTHORIZED, tok == NULL ?
						  "token: missing (control.token is set)" :
						  "token: wrong");
			goto done;
		}
	}
	params = json_object_get(req, "params");
	if (params != NULL && json_is_array(params)) {
		out = error_reply(id, WRTC_RPC_INVALID_PARAMS,
				  "params: must be an object (parameters are passed by name)");
		goto done;
	}
	if (params != NULL && !json_is_object(params) && !json_is_null(params)) {
		out = error_reply(id, WRTC_RPC_INVALID_REQUEST, "params: must be an object");
		goto done;
	}
	m = find_method(srv, json_string_value(method));
	if (m == NULL) {
		if (id != NULL) {
			snprintf(msg, sizeof(msg), "unknown method \"%.100s\"",
				 json_string_value(method));
			out = error_reply(id, WRTC_RPC_METHOD_NOT_FOUND, msg);
		}
		goto done;
	}
	if (params == NULL || json_is_null(params)) {
		empty = json_object();
		if (empty == NULL)
			goto done;
		params = empty;
	}
	memset(&err, 0, sizeof(err));
	result = m->fn(params, m->ctx, &err);
	if (id == NULL) {
		/* A notification: run it, never answer. */
		json_decref(result);
	} else if (result == NULL) {
		if (err.code == 0)
			wrtc_rpc_error_set(&err, WRTC_RPC_INTERNAL_ERROR,
					   "internal error in \"%s\"", m->name);
		out = error_reply(id, err.code, err.message);
	} else {
		out = dump_reply(json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", id,
					   "result", result));
		if (out == NULL)
			out = error_reply(id, WRTC_RPC_INTERNAL_ERROR,
					  "internal error: result could not be encoded");
	}
done:
	json_decref(empty);
	json_decref(req);
	return out;
}
