/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands (/wrtc/...), so dpdk-telemetry.py shows what the
 * JSON-RPC methods show. Telemetry callbacks run on the telemetry thread;
 * sessions belong to the control lcore. So a callback posts its request in a
 * mailbox and waits (at most 2 s) while the control lcore, between two loop
 * iterations, computes the same JSON as the RPC method and hands it back.
 * The JSON is then converted to telemetry data: numbers stay numbers, under
 * the RPC's names (the rules are above fill()).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_spinlock.h>
#include <rte_telemetry.h>

#include "session_priv.h"

enum { MB_IDLE, MB_REQUEST, MB_DONE, MB_ABANDONED };

static struct {
	rte_spinlock_t lock;          /* one telemetry request at a time */
	uint32_t state;               /* MB_*, atomic */
	char cmd[64];
	char arg[SESS_ID_SIZE];
	json_t *result;               /* set by the control lcore with MB_DONE */
	struct wrtc_session_mgr *mgr; /* NULL until registered */
} mb = {.lock = RTE_SPINLOCK_INITIALIZER};

/*
 * JSON -> telemetry data. DPDK 22.11 telemetry has one level of containers
 * (a dict of scalars or an array of scalars inside the reply's dict), keys of
 * [A-Za-z0-9_/] and no floating-point type. So, keeping the RPC's names:
 * - a member whose value is an array of objects becomes one container per
 *   element, "name/0", "name/1"... (workers, interfaces, legs, streams);
 * - anything nested deeper is flattened into its container with '/' joining
 *   the names ("rtp/rx_packets", "drop_reasons/no_stream_for_port");
 * - characters outside that set ('-', '.', ' ') become '_';
 * - a real becomes an integer in thousandths under "name_milli"
 *   ("duration_milli", "busy_milli"); a boolean 0 or 1; null is left out.
 */
static void
tel_key(const char *prefix, const char *in, char *out, size_t size)
{
	size_t i = 0;

	if (prefix != NULL && prefix[0] != '\0')
		i = (size_t)snprintf(out, size, "%s/", prefix);
	if (i >= size)
		i = size - 1;
	for (; *in != '\0' && i + 1 < size; in++, i++) {
		char c = *in;

		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '/';

		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
}

static bool
is_scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

/* A scalar under @p key in dict @p d (see above for the conversions). */
static void
tel_put(struct rte_tel_data *d, const char *key, const json_t *v)
{
	char k[RTE_TEL_MAX_STRING_LEN];

	if (json_is_integer(v)) {
		json_int_t x = json_integer_value(v);

		if (x >= 0)
			rte_tel_data_add_dict_u64(d, key, (uint64_t)x);
		else if (x >= INT32_MIN)
			rte_tel_data_add_dict_int(d, key, (int)x);
	} else if (json_is_real(v)) {
		double x = json_real_value(v) * 1000.0;

		snprintf(k, sizeof(k), "%s_milli", key);
		if (x >= 0)
			rte_tel_data_add_dict_u64(d, k, (uint64_t)(x + 0.5));
		else if (x >= INT32_MIN)
			rte_tel_data_add_dict_int(d, k, (int)(x - 0.5));
	} else if (json_is_boolean(v)) {
		rte_tel_data_add_dict_u64(d, key, json_is_true(v) ? 1 : 0);
	} else if (json_is_string(v)) {
		rte_tel_data_add_dict_string(d, key, json_string_value(v));
	}
}

/* Every scalar below @p v into dict @p d, keys joined with '/'. */
static void
tel_flatten(struct rte_tel_data *d, const char *prefix, const json_t *v)
{
	char k[RTE_TEL_MAX_STRING_LEN], idx[24];
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e) {
			tel_key(prefix, key, k, sizeof(k));
			if (is_scalar(e))
				tel_put(d, k, e);
			else
				tel_flatten(d, k, e);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			snprintf(idx, sizeof(idx), "%zu", i);
			tel_key(prefix, idx, k, sizeof(k));
			if (is_scalar(e))
				tel_put(d, k, e);
			else
				tel_flatten(d, k, e);
		}
	}
}

static bool
array_of_scalars(const json_t *v, enum rte_tel_value_type *t)
{
	const json_t *e;
	size_t i;

	*t = RTE_TEL_U64_VAL;
	json_array_foreach(v, i, e) {
		if (json_is_string(e))
			*t = RTE_TEL_STRING_VAL;
		else if (!json_is_integer(e) || json_integer_value(e) < 0)
			return false;
	}
	/* One type per array: all unsigned integers or all strings. */
	json_array_foreach(v, i, e)
		if ((*t == RTE_TEL_STRING_VAL) != json_is_string(e))
			return false;
	return true;
}

/* One member of the reply's dict: a scalar, or one or more containers. */
static void
tel_member(struct rte_tel_data *d, const char *name, const json_t *v)
{
	char k[RTE_TEL_MAX_STRING_LEN], idx[24];
	enum rte_tel_value_type t;
	struct rte_tel_data *c;
	json_t *e;
	size_t i;

	tel_key(NULL, name, k, sizeof(k));
	if (is_scalar(v)) {
		tel_put(d, k, v);
		return;
	}
	if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
		json_array_foreach(v, i, e) {
			char ek[RTE_TEL_MAX_STRING_LEN];

			snprintf(idx, sizeof(idx), "%zu", i);
			tel_key(k, idx, ek, sizeof(ek));
			c = rte_tel_data_alloc();
			if (c == NULL)
				return;
			rte_tel_data_start_dict(c);
			tel_flatten(c, NULL, e);
			if (rte_tel_data_add_dict_container(d, ek, c, 0) != 0)
				rte_tel_data_free(c);
		}
		return;
	}
	c = rte_tel_data_alloc();
	if (c == NULL)
		return;
	if (json_is_array(v) && array_of_scalars(v, &t)) {
		rte_tel_data_start_array(c, t);
		json_array_foreach(v, i, e) {
			if (t == RTE_TEL_STRING_VAL)
				rte_tel_data_add_array_string(c, json_string_value(e));
			else
				rte_tel_data_add_array_u64(c, (uint64_t)json_integer_value(e));
		}
	} else {
		rte_tel_data_start_dict(c);
		tel_flatten(c, NULL, v);
	}
	if (rte_tel_data_add_dict_container(d, k, c, 0) != 0)
		rte_tel_data_free(c);
}

/* The reply: a dict for an object, an array for an array of scalars. */
static void
fill(struct rte_tel_data *d, const json_t *v)
{
	enum rte_tel_value_type t;
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_array(v) && array_of_scalars(v, &t)) {
		rte_tel_data_start_array(d, t);
		json_array_foreach(v, i, e) {
			if (t == RTE_TEL_STRING_VAL)
				rte_tel_data_add_array_string(d, json_string_value(e));
			else
				rte_tel_data_add_array_u64(d, (uint64_t)json_integer_value(e));
		}
		return;
	}
	rte_tel_data_start_dict(d);
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, e)
			tel_member(d, key, e);
	} else {
		tel_flatten(d, NULL, v);
	}
}

/* Control lcore: answer a pending request (called from wrtc_session_poll). */
unsigned int
telemetry_poll(struct wrtc_session_mgr *mgr)
{
	struct wrtc_call *call;
	json_t *r = NULL;
	uint32_t expect = MB_REQUEST;

	if (__atomic_load_n(&mb.state, __ATOMIC_ACQUIRE) != MB_REQUEST)
		return 0;
	if (strcmp(mb.cmd, "/wrtc/statistics") == 0) {
		r = wrtc_session_statistics(mgr);
	} else if (strcmp(mb.cmd, "/wrtc/policers") == 0) {
		/* Rows by policer name: one container each. */
		json_t *p = wrtc_session_policers(mgr), *row;
		size_t i;

		r = json_object();
		json_array_foreach(json_object_get(p, "policers"), i, row)
			json_object_set(r, json_string_value(json_object_get(row, "name")), row);
		json_decref(p);
	} else if (strcmp(mb.cmd, "/wrtc/calls") == 0) {
		r = json_array();
		TAILQ_FOREACH(call, &mgr->calls, next)
			json_array_append_new(r, json_string(call->id));
	} else if (strcmp(mb.cmd, "/wrtc/call") == 0) {
		call = call_find(mgr, mb.arg);
		r = call != NULL ? call_status(mgr, call, false) :
			json_pack("{s:s}", "error", "no such call");
	}
	mb.result = r;
	if (!__atomic_compare_exchange_n(&mb.state, &expect, MB_DONE, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED)) {
		/* The caller gave up waiting. */
		json_decref(r);
		mb.result = NULL;
		__atomic_store_n(&mb.state, MB_IDLE, __ATOMIC_RELEASE);
	}
	return 1;
}

static int
tel_cb(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint32_t expect;
	json_t *r;
	int waited;

	if (__atomic_load_n(&mb.mgr, __ATOMIC_ACQUIRE) == NULL)
		return -ENODEV;
	if (strcmp(cmd, "/wrtc/call") == 0 && (params == NULL || params[0] == '\0'))
		return -EINVAL;
	rte_spinlock_lock(&mb.lock);
	snprintf(mb.cmd, sizeof(mb.cmd), "%s", cmd);
	snprintf(mb.arg, sizeof(mb.arg), "%s", params != NULL ? params : "");
	mb.result = NULL;
	__atomic_store_n(&mb.state, MB_REQUEST, __ATOMIC_RELEASE);
	for (waited = 0; waited < 2000; waited++) {
		if (__atomic_load_n(&mb.state, __ATOMIC_ACQUIRE) == MB_DONE)
			break;
		usleep(1000);
	}
	expect = MB_REQUEST;
	if (__atomic_compare_exchange_n(&mb.state, &expect, MB_ABANDONED, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		rte_spinlock_unlock(&mb.lock);
		return -ETIMEDOUT;
	}
	r = mb.result;
	mb.result = NULL;
	__atomic_store_n(&mb.state, MB_IDLE, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&mb.lock);
	if (r == NULL)
		return -ENOMEM;
	fill(d, r);
	json_decref(r);
	return 0;
}

RTE_INIT(wrtc_session_telemetry_init)
{
	rte_telemetry_register_cmd("/wrtc/statistics", tel_cb,
		"Global counters and drop reasons, as the statistics RPC method. No parameters.");
	rte_telemetry_register_cmd("/wrtc/policers", tel_cb,
		"Policer table, as the policers RPC method. No parameters.");
	rte_telemetry_register_cmd("/wrtc/calls", tel_cb, "Call ids. No parameters.");
	rte_telemetry_register_cmd("/wrtc/call", tel_cb,
		"Call detail status, as the query RPC method. Parameter: call id.");
}

void
telemetry_attach(struct wrtc_session_mgr *mgr)
{
	__atomic_store_n(&mb.mgr, mgr, __ATOMIC_RELEASE);
}
