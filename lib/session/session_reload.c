/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration reload on the control lcore (SIGHUP). Calls refer to trunk
 * groups, profiles and codec entries by position, and the ports, listeners,
 * workers and DTLS contexts were made at start; so a new configuration is
 * taken only when the entries calls can point at keep their positions, and
 * what needs a restart keeps its running value, with a warning for each.
 * What is applied: SDP rules, codec entries, packet service profiles and
 * trunk groups (for new offers), policer buckets and rates (posted to each
 * worker), control.media_timeout, control.hold_timeout, control.max_calls and
 * capture.dir (for captures started after the reload). docs/deployment.md
 * lists the same.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "session_priv.h"

/* The first @p n_old names of a list of named structs (each starts with its
 * name) are the same, at the same positions, in the new list. */
static int
names_kept(const void *old, unsigned int n_old, const void *new, unsigned int n_new,
	   size_t stride, const char *what, bool exact, char *err, size_t errlen)
{
	if (n_new < n_old || (exact && n_new != n_old)) {
		snprintf(err, errlen, "%s: %u entries instead of %u (%s)", what, n_new, n_old,
			 exact ? "needs a restart" :
			 "entries can be added at the end, not removed");
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n_old; i++) {
		const char *a = (const char *)old + i * stride, *b = (const char *)new + i * stride;

		if (strcmp(a, b) != 0) {
			snprintf(err, errlen, "%s[%u]: \"%s\" where \"%s\" was (calls refer to "
				 "entries by position: keep the order, add at the end)", what, i, b,
				 a);
			return -EINVAL;
		}
	}
	return 0;
}

/* Entries that need a restart keep their running values in @p next (each
 * struct starts with its name; both lists have the same names in order). */
static void
keep_entries(void *next, const void *cur, unsigned int n, size_t stride, const char *what)
{
	for (unsigned int i = 0; i < n; i++) {
		char *b = (char *)next + i * stride;
		const char *a = (const char *)cur + i * stride;

		if (memcmp(a, b, stride) != 0) {
			SESS_LOG(WARNING, "reload: %s[%u] (%s) changed: not applied (needs a "
				 "restart)", what, i, a);
			memcpy(b, a, stride);
		}
	}
}

static bool
policers_same_shape(const struct wrtc_config *a, const struct wrtc_config *b)
{
	if (a->n_policers != b->n_policers)
		return false;
	for (unsigned int k = 0; k < a->n_policers; k++) {
		const struct wrtc_config_policer *x = &a->policers[k], *y = &b->policers[k];

		if (strcmp(x->name, y->name) != 0 || x->type != y->type || x->mode != y->mode ||
		    x->interface != y->interface || x->srflx_prefix_v4 != y->srflx_prefix_v4 ||
		    (x->priority_rate != x->rate) != (y->priority_rate != y->rate))
			return false;
	}
	return true;
}

/* Post the new buckets and rates of changed policers to every worker. */
static void
policers_update(struct wrtc_session_mgr *mgr, const struct wrtc_config *cur,
		const struct wrtc_config *next)
{
	uint64_t hz = rte_get_tsc_hz(), now = rte_rdtsc();

	/* The configured policers come first in mgr->pols; the defaults of
	 * punted classes after them do not change on a reload. */
	for (unsigned int k = 0; k < mgr->n_pols && k < cur->n_policers; k++) {
		const struct wrtc_config_policer *o = &cur->policers[k], *n = &next->policers[k];
		struct wrtc_policer_prm prm;

		if (o->bucket == n->bucket && o->rate == n->rate &&
		    o->priority_rate == n->priority_rate && o->pair_rate == n->pair_rate)
			continue;
		if (policer_prm_split(mgr, n, k, 0, hz, now, &prm) != 0) {
			SESS_LOG(WARNING, "reload: policers[%u] (%s): rates rejected: not applied",
				 k, n->name);
			continue;
		}
		for (uint16_t w = 0; w < mgr->dp->nb_workers; w++) {
			struct wrtc_policer *p = mgr->pols[(size_t)w * mgr->n_pols + k];
			/* Never lost once allocated: it waits for ring room behind a
			 * busy worker. */
			int rc = ctrl_post_policer_rate(mgr, w, p, &prm);

			if (rc == -ENOMEM)
				SESS_LOG(WARNING, "reload: policers[%u] (%s): out of memory: not "
					 "applied on worker %u", k, n->name, w);
			else if (rc != 0)
				SESS_LOG(WARNING, "reload: policers[%u] (%s): not posted to worker "
					 "%u", k, n->name, w);
		}
		SESS_LOG(NOTICE, "reload: policers[%u] (%s): bucket %" PRIu64 ", rate %" PRIu64
			 ", priority_rate %" PRIu64 ", pair_rate %" PRIu64, k, n->name, n->bucket,
			 n->rate, n->priority_rate, n->pair_rate);
	}
}

int
wrtc_session_mgr_reload(struct wrtc_session_mgr *mgr, struct wrtc_config *next, char *err,
			size_t errlen)
{
	const struct wrtc_config *cur = mgr->cfg;
	struct wrtc_sdp_rules *rules[RTE_DIM(mgr->rules)] = {NULL};

	/* 1. Refuse what would move an entry a call or a worker refers to. */
	if (names_kept(cur->interfaces, cur->n_interfaces, next->interfaces, next->n_interfaces,
		       sizeof(*cur->interfaces), "interfaces", true, err, errlen) != 0 ||
	    names_kept(cur->dtls_profiles, cur->n_dtls_profiles, next->dtls_profiles,
		       next->n_dtls_profiles, sizeof(*cur->dtls_profiles), "dtls_profiles", true,
		       err, errlen) != 0 ||
	    names_kept(cur->crypto_profiles, cur->n_crypto_profiles, next->crypto_profiles,
		       next->n_crypto_profiles, sizeof(*cur->crypto_profiles),
		       "crypto_suite_profiles", true, err, errlen) != 0 ||
	    names_kept(cur->codec_entries, cur->n_codec_entries, next->codec_entries,
		       next->n_codec_entries, sizeof(*cur->codec_entries), "codec_entries", false,
		       err, errlen) != 0 ||
	    names_kept(cur->psps, cur->n_psps, next->psps, next->n_psps, sizeof(*cur->psps),
		       "packet_service_profiles", false, err, errlen) != 0 ||
	    names_kept(cur->trunk_groups, cur->n_trunk_groups, next->trunk_groups,
		       next->n_trunk_groups, sizeof(*cur->trunk_groups), "trunk_groups", false,
		       err, errlen) != 0)
		return -EINVAL;
	if (next->n_trunk_groups > RTE_DIM(mgr->rules) || next->n_psps > RTE_DIM(mgr->dtls_ctx)) {
		snprintf(err, errlen, "more than %zu trunk groups or profiles",
			 RTE_DIM(mgr->rules));
		return -EINVAL;
	}
	for (unsigned int p = cur->n_psps; p < next->n_psps; p++)
		if (next->psps[p].dtls) {
			snprintf(err, errlen, "packet_service_profiles[%u] (%s): a new DTLS "
				 "profile needs a restart", p, next->psps[p].name);
			return -EINVAL;
		}
	if (sdp_rules_build(next, rules, RTE_DIM(rules), err, errlen) != 0)
		return -EINVAL;

	/* 2. What needs a restart keeps its running value. */
	keep_entries(next->interfaces, cur->interfaces, cur->n_interfaces,
		     sizeof(*cur->interfaces), "interfaces");
	keep_entries(next->dtls_profiles, cur->dtls_profiles, cur->n_dtls_profiles,
		     sizeof(*cur->dtls_profiles), "dtls_profiles");
	keep_entries(next->crypto_profiles, cur->crypto_profiles, cur->n_crypto_profiles,
		     sizeof(*cur->crypto_profiles), "crypto_suite_profiles");
	for (unsigned int p = 0; p < cur->n_psps; p++) {
		struct wrtc_config_psp *np = &next->psps[p];
		const struct wrtc_config_psp *op = &cur->psps[p];

		if (np->dtls != op->dtls || (op->dtls && np->dtls_profile != op->dtls_profile) ||
		    (op->dtls && np->crypto_suite_profile != op->crypto_suite_profile)) {
			SESS_LOG(WARNING, "reload: packet_service_profiles[%u] (%s): DTLS settings "
				 "changed: not applied (needs a restart)", p, op->name);
			np->dtls = op->dtls;
			np->dtls_profile = op->dtls_profile;
			if (op->dtls)
				np->crypto_suite_profile = op->crypto_suite_profile;
		}
	}
	if (!policers_same_shape(cur, next)) {
		SESS_LOG(WARNING, "reload: policers: list, types or interfaces changed: not "
			 "applied (needs a restart); the running policers stay");
	} else {
		policers_update(mgr, cur, next);
	}
	if (strcmp(cur->control.rpc_tcp, next->control.rpc_tcp) != 0 ||
	    strcmp(cur->control.rpc_unix, next->control.rpc_unix) != 0) {
		SESS_LOG(WARNING, "reload: control.rpc_tcp/rpc_unix changed: not applied (needs "
			 "a restart)");
		next->control.rpc_tcp_enabled = cur->control.rpc_tcp_enabled;
		memcpy(next->control.rpc_tcp_host, cur->control.rpc_tcp_host,
		       sizeof(next->control.rpc_tcp_host));
		next->control.rpc_tcp_port = cur->control.rpc_tcp_port;
		memcpy(next->control.rpc_tcp, cur->control.rpc_tcp, sizeof(next->control.rpc_tcp));
		memcpy(next->control.rpc_unix, cur->control.rpc_unix,
		       sizeof(next->control.rpc_unix));
	}
	if (strcmp(cur->control.metrics_listen, next->control.metrics_listen) != 0) {
		SESS_LOG(WARNING, "reload: control.metrics_listen changed: not applied (needs a "
			 "restart)");
		next->control.metrics_enabled = cur->control.metrics_enabled;
		memcpy(next->control.metrics_listen, cur->control.metrics_listen,
		       sizeof(next->control.metrics_listen));
		memcpy(next->control.metrics_host, cur->control.metrics_host,
		       sizeof(next->control.metrics_host));
		next->control.metrics_port = cur->control.metrics_port;
	}
	if (strcmp(cur->control.ng_listen, next->control.ng_listen) != 0) {
		SESS_LOG(WARNING, "reload: control.ng_listen changed: not applied (needs a restart)");
		next->control.ng_enabled = cur->control.ng_enabled;
		memcpy(next->control.ng_host, cur->control.ng_host, sizeof(next->control.ng_host));
		next->control.ng_port = cur->control.ng_port;
		memcpy(next->control.ng_listen, cur->control.ng_listen,
		       sizeof(next->control.ng_listen));
	}
	/* The RPC server holds copies of the access settings (and the unix
	 * socket's owner, group and mode were applied when it was created). */
	if (memcmp(&cur->control.allow_from, &next->control.allow_from,
		   sizeof(cur->control.allow_from)) != 0 ||
	    strcmp(cur->control.token, next->control.token) != 0 ||
	    cur->control.rpc_unix_set_owner != next->control.rpc_unix_set_owner ||
	    cur->control.rpc_unix_uid != next->control.rpc_unix_uid ||
	    cur->control.rpc_unix_set_group != next->control.rpc_unix_set_group ||
	    cur->control.rpc_unix_gid != next->control.rpc_unix_gid ||
	    cur->control.rpc_unix_mode != next->control.rpc_unix_mode) {
		SESS_LOG(WARNING, "reload: control.allow_from/token/rpc_unix_owner/rpc_unix_group/"
			 "rpc_unix_mode changed: not applied (needs a restart)");
		next->control.allow_from = cur->control.allow_from;
		memcpy(next->control.token, cur->control.token, sizeof(next->control.token));
		next->control.rpc_unix_set_owner = cur->control.rpc_unix_set_owner;
		next->control.rpc_unix_uid = cur->control.rpc_unix_uid;
		next->control.rpc_unix_set_group = cur->control.rpc_unix_set_group;
		next->control.rpc_unix_gid = cur->control.rpc_unix_gid;
		next->control.rpc_unix_mode = cur->control.rpc_unix_mode;
	}
	if (memcmp(&cur->workers, &next->workers, sizeof(cur->workers)) != 0) {
		SESS_LOG(WARNING, "reload: workers changed: not applied (needs a restart)");
		next->workers = cur->workers;
	}

	/* 3. Switch: rules and configuration are read on this lcore only. */
	for (unsigned int t = 0; t < RTE_DIM(mgr->rules); t++) {
		wrtc_sdp_rules_free(mgr->rules[t]);
		mgr->rules[t] = rules[t];
	}
	mgr->cfg = next;
	/* Calls hold per-leg copies of their profiles (session_profile.c). */
	call_profiles_refresh(mgr);
	SESS_LOG(NOTICE, "reload: %u trunk group(s), %u profile(s), %u codec entr%s, %u "
		 "policer(s) in use", next->n_trunk_groups, next->n_psps, next->n_codec_entries,
		 next->n_codec_entries == 1 ? "y" : "ies", mgr->n_pols);
	return 0;
}
