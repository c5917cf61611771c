/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Typed parameter access for method handlers. Each helper either stores the
 * value or fills the error with -32602 and a message that starts with the
 * parameter's name.
 */
#include <errno.h>
#include <string.h>

#include "rpc_priv.h"

static int
bad(struct wrtc_rpc_error *err, const char *name, const char *what)
{
	return wrtc_rpc_error_set(err, WRTC_RPC_INVALID_PARAMS, "%.64s: %s", name, what);
}

/* The member, or NULL when absent or JSON null. */
static json_t *
member(const json_t *params, const char *name)
{
	json_t *v = json_is_object(params) ? json_object_get(params, name) : NULL;

	return json_is_null(v) ? NULL : v;
}

int
wrtc_rpc_param_str(const json_t *params, const char *name, const char **out,
		   struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v == NULL)
		return bad(err, name, "missing");
	if (!json_is_string(v))
		return bad(err, name, "must be a string");
	if (json_string_length(v) == 0)
		return bad(err, name, "must not be empty");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(err, name, "must not contain NUL characters");
	*out = json_string_value(v);
	return 0;
}

int
wrtc_rpc_param_str_opt(const json_t *params, const char *name, const char *def,
		       const char **out, struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_string(v))
		return bad(err, name, "must be a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad(err, name, "must not contain NUL characters");
	*out = json_string_value(v);
	return 0;
}

static int
int_value(const json_t *v, const char *name, int64_t min, int64_t max, int64_t *out,
	  struct wrtc_rpc_error *err)
{
	json_int_t i;

	if (!json_is_integer(v))
		return bad(err, name, "must be an integer");
	i = json_integer_value(v);
	if (i < min || i > max)
		return wrtc_rpc_error_set(err, WRTC_RPC_INVALID_PARAMS,
					  "%.64s: must be between %lld and %lld", name,
					  (long long)min, (long long)max);
	*out = i;
	return 0;
}

int
wrtc_rpc_param_int(const json_t *params, const char *name, int64_t min, int64_t max,
		   int64_t *out, struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v == NULL)
		return bad(err, name, "missing");
	return int_value(v, name, min, max, out, err);
}

int
wrtc_rpc_param_int_opt(const json_t *params, const char *name, int64_t min, int64_t max,
		       int64_t def, int64_t *out, struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	return int_value(v, name, min, max, out, err);
}

int
wrtc_rpc_param_bool_opt(const json_t *params, const char *name, bool def, bool *out,
			struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v == NULL) {
		*out = def;
		return 0;
	}
	if (!json_is_boolean(v))
		return bad(err, name, "must be true or false");
	*out = json_is_true(v);
	return 0;
}

int
wrtc_rpc_param_obj_opt(const json_t *params, const char *name, json_t **out,
		       struct wrtc_rpc_error *err)
{
	json_t *v = member(params, name);

	if (v != NULL && !json_is_object(v))
		return bad(err, name, "must be an object");
	*out = v;
	return 0;
}

int
wrtc_rpc_param_only(const json_t *params, const char *const *names, struct wrtc_rpc_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)params, key, v) {
		size_t i;

		for (i = 0; names[i] != NULL; i++)
			if (strcmp(names[i], key) == 0)
				break;
		if (names[i] == NULL)
			return bad(err, key, "unknown parameter");
	}
	return 0;
}
