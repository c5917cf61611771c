/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry commands (/wrtc/...), so dpdk-telemetry.py shows what the
 * JSON-RPC methods show. Telemetry callbacks run on the telemetry thread;
 * sessions belong to the control lcore. So a callback posts its request in a
 * mailbox and waits (at most 2 s) while the control lcore, between two loop
 * iterations, computes the same JSON as the RPC method and hands it back.
 * The JSON is then converted to telemetry data (two levels of containers;
 * anything deeper is shown as a JSON string).
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

static void
tel_key(const char *in, char *out, size_t size)
{
	size_t i;

	for (i = 0; in[i] != '\0' && i + 1 < size; i++)
		out[i] = (in[i] == '-' || in[i] == '.' || in[i] == ' ') ? '_' : in[i];
	out[i] = '\0';
}

static void
tel_string(const json_t *v, char *buf, size_t size)
{
	char *s;

	if (json_is_string(v)) {
		snprintf(buf, size, "%s", json_string_value(v));
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	snprintf(buf, size, "%s", s != NULL ? s : "");
	free(s);
}

static struct rte_tel_data *json_to_tel(const json_t *v, int depth);

static void
tel_add(struct rte_tel_data *d, bool dict, const char *key, const json_t *v, int depth)
{
	char k[RTE_TEL_MAX_STRING_LEN], s[RTE_TEL_MAX_STRING_LEN];

	if (dict)
		tel_key(key, k, sizeof(k));
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		if (dict)
			rte_tel_data_add_dict_u64(d, k, (uint64_t)json_integer_value(v));
		else
			rte_tel_data_add_array_u64(d, (uint64_t)json_integer_value(v));
		return;
	}
	if ((json_is_object(v) || json_is_array(v)) && depth < 1) {
		struct rte_tel_data *c = json_to_tel(v, depth + 1);

		if (c != NULL) {
			if (dict)
				rte_tel_data_add_dict_container(d, k, c, 0);
			else
				rte_tel_data_add_array_container(d, c, 0);
			return;
		}
	}
	tel_string(v, s, sizeof(s));
	if (dict)
		rte_tel_data_add_dict_string(d, k, s);
	else
		rte_tel_data_add_array_string(d, s);
}

static void
fill(struct rte_tel_data *d, const json_t *v, int depth)
{
	const char *key;
	json_t *e;
	size_t i;

	if (json_is_object(v)) {
		rte_tel_data_start_dict(d);
		json_object_foreach((json_t *)v, key, e)
			tel_add(d, true, key, e, depth);
	} else {
		const json_t *first = json_array_get(v, 0);
		enum rte_tel_value_type t = RTE_TEL_STRING_VAL;

		if (json_is_integer(first))
			t = RTE_TEL_U64_VAL;
		else if ((json_is_object(first) || json_is_array(first)) && depth < 1)
			t = RTE_TEL_CONTAINER;
		rte_tel_data_start_array(d, t);
		json_array_foreach(v, i, e) {
			if (t == RTE_TEL_U64_VAL && !json_is_integer(e))
				continue;
			tel_add(d, false, NULL, e, t == RTE_TEL_CONTAINER ? depth : 1);
		}
	}
}

static struct rte_tel_data *
json_to_tel(const json_t *v, int depth)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c != NULL)
		fill(c, v, depth);
	return c;
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
		/* Telemetry (DPDK 22.11) nests dicts in dicts, not in arrays: rows by name. */
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
	if (strcmp(cmd, "/wrtc/call") == 0) {
		/* The call detail is deeper than telemetry containers go: one JSON string. */
		char *s = json_dumps(r, JSON_COMPACT);

		rte_tel_data_string(d, s != NULL ? s : "");
		free(s);
	} else {
		fill(d, r, 0);
	}
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
