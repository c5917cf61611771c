/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Plain RTP legs: which c= addresses a trunk group accepts, the endpoint
 * learning parameters sent to the worker, and the learning state in `query`.
 * The rules are described in docs/configuration.md (trunk_groups[].latch and
 * allow_connection_addresses); the per-packet part runs in the worker
 * (lib/worker/worker.c with the helpers of lib/flow/wrtc_flow.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "session_priv.h"

static const struct wrtc_config_trunk_group *
leg_tg(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg)
{
	/* The leg's own copy: ng flags (asymmetric) may have changed it. */
	RTE_SET_USED(mgr);
	return call_tg(call, leg);
}

/* True if @p a is one of the gateway's own addresses (any interface, the
 * advertised 1:1 NAT addresses included). */
static bool
is_own(const struct wrtc_session_mgr *mgr, const struct wrtc_net_addr *a)
{
	for (unsigned int k = 0; k < mgr->cfg->n_interfaces; k++) {
		const struct wrtc_config_interface *ci = &mgr->cfg->interfaces[k];

		if (a->family == AF_INET &&
		    ((ci->has_ipv4 && memcmp(&ci->ipv4, &a->v4, 4) == 0) ||
		     (ci->has_advertised_ipv4 && memcmp(&ci->advertised_ipv4, &a->v4, 4) == 0)))
			return true;
		if (a->family == AF_INET6 &&
		    ((ci->has_ipv6 && memcmp(&ci->ipv6, a->v6, 16) == 0) ||
		     (ci->has_advertised_ipv6 && memcmp(&ci->advertised_ipv6, a->v6, 16) == 0)))
			return true;
	}
	for (unsigned int k = 0; k < mgr->dp->nb_ifaces; k++)
		if (a->family == AF_INET6 && mgr->dp->ifc[k].ip6_ll.family == AF_INET6 &&
		    memcmp(mgr->dp->ifc[k].ip6_ll.v6, a->v6, 16) == 0)
			return true;
	return false;
}

/* The kind of a c= address that needs the trunk group's permission
 * (WRTC_CONFIG_CADDR_*), 0 for an ordinary unicast address, or -1 for an
 * address that can never be a media destination (reserved 240.0.0.0/4). */
static int
addr_kind(const struct wrtc_session_mgr *mgr, const struct wrtc_net_iface *ifc,
	  const struct wrtc_net_addr *a)
{
	if (a->family == AF_INET) {
		uint32_t h = rte_be_to_cpu_32(a->v4);

		if (h == UINT32_MAX)
			return WRTC_CONFIG_CADDR_BROADCAST;
		if ((h >> 24) == 127)
			return WRTC_CONFIG_CADDR_LOOPBACK;
		if ((h >> 28) == 0xe)
			return WRTC_CONFIG_CADDR_MULTICAST;
		if ((h >> 28) == 0xf)
			return -1;
		if ((h >> 24) == 0)
			return WRTC_CONFIG_CADDR_UNSPECIFIED;
		if (ifc->ip4.family == AF_INET && ifc->ip4_prefix > 0 && ifc->ip4_prefix < 31) {
			uint32_t host = UINT32_MAX >> ifc->ip4_prefix;
			uint32_t net = rte_be_to_cpu_32(ifc->ip4.v4) & ~host;

			if ((h & ~host) == net && (h & host) == host)
				return WRTC_CONFIG_CADDR_BROADCAST;
		}
	} else {
		static const uint8_t loop6[16] = {[15] = 1};
		static const uint8_t any6[16];

		if (memcmp(a->v6, loop6, 16) == 0)
			return WRTC_CONFIG_CADDR_LOOPBACK;
		if (memcmp(a->v6, any6, 16) == 0)
			return WRTC_CONFIG_CADDR_UNSPECIFIED;
		if (a->v6[0] == 0xff)
			return WRTC_CONFIG_CADDR_MULTICAST;
	}
	return is_own(mgr, a) ? WRTC_CONFIG_CADDR_OWN : 0;
}

static const char *
kind_name(int kind)
{
	switch (kind) {
	case WRTC_CONFIG_CADDR_LOOPBACK:
		return "loopback";
	case WRTC_CONFIG_CADDR_MULTICAST:
		return "multicast";
	case WRTC_CONFIG_CADDR_BROADCAST:
		return "broadcast";
	case WRTC_CONFIG_CADDR_OWN:
		return "own";
	case WRTC_CONFIG_CADDR_UNSPECIFIED:
		return "unspecified";
	}
	return "reserved";
}

/* One c= (or a=rtcp) address of a plain RTP leg. */
static int
check_one(const struct wrtc_session_mgr *mgr, const struct wrtc_config_trunk_group *tg,
	  const struct wrtc_sdp_conn *c, const char *what, char *err, size_t errlen)
{
	const struct wrtc_net_iface *ifc = &mgr->dp->ifc[tg->interface];
	const char *fam = c->addrtype == AF_INET6 ? "IPv6" : "IPv4";
	struct wrtc_net_addr a;
	struct wrtc_net_addr nh;
	int kind, rc;

	/* The gateway resolves no names: an FQDN or a malformed literal such as
	 * 999.1.1.1 would leave the stream without a signalled address. */
	if (c->addr.family == 0 || wrtc_net_addr_parse(c->addr.str, &a) != 0 ||
	    a.family != c->addrtype) {
		snprintf(err, errlen, "sdp: line %u: %s: not an %s address: \"%s\"", c->line_no,
			 what, fam, c->addr.str);
		return -EINVAL;
	}
	/* c=0.0.0.0 (and ::) is hold (RFC 3264 8.4), not a destination. */
	if ((a.family == AF_INET && a.v4 == 0) ||
	    (a.family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED((const struct in6_addr *)a.v6)))
		return 0;
	kind = addr_kind(mgr, ifc, &a);
	if (kind < 0) {
		snprintf(err, errlen, "sdp: line %u: %s: %s is a reserved address, not routable",
			 c->line_no, what, c->addr.str);
		return -EINVAL;
	}
	if (kind != 0) {
		if (!(tg->allow_caddr & (unsigned int)kind)) {
			snprintf(err, errlen, "sdp: line %u: %s: %s is a%s %s address, refused on "
				 "trunk group \"%s\" (allow_connection_addresses)", c->line_no, what,
				 c->addr.str, kind == WRTC_CONFIG_CADDR_OWN ||
				 kind == WRTC_CONFIG_CADDR_UNSPECIFIED ? "n" : "",
				 kind == WRTC_CONFIG_CADDR_OWN ? "own (the gateway's)" :
				 kind_name(kind), tg->name);
			return -EINVAL;
		}
		return 0; /* Allowed as it is: no route check. */
	}
	rc = wrtc_net_nexthop(ifc, &a, &nh);
	if (rc == -EAFNOSUPPORT) {
		snprintf(err, errlen, "sdp: line %u: %s: %s is not routable: interface \"%s\" has "
			 "no %s address", c->line_no, what, c->addr.str,
			 mgr->cfg->interfaces[tg->interface].name, fam);
		return -EINVAL;
	}
	if (rc != 0) {
		snprintf(err, errlen, "sdp: line %u: %s: %s is not routable: outside interface "
			 "\"%s\"'s subnet and no %s", c->line_no, what, c->addr.str,
			 mgr->cfg->interfaces[tg->interface].name,
			 a.family == AF_INET ? "gateway4" : "gateway6");
		return -EINVAL;
	}
	return 0;
}

int
latch_conn_check(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call,
		 unsigned int leg, const struct wrtc_sdp *sdp, char *err, size_t errlen)
{
	const struct wrtc_config_trunk_group *tg = leg_tg(mgr, call, leg);
	int rc;

	for (unsigned int i = 0; i < sdp->n_media; i++) {
		const struct wrtc_sdp_media *m = &sdp->media[i];
		const struct wrtc_sdp_conn *c = wrtc_sdp_media_conn(sdp, i);

		if (m->port == 0 || m->proto == WRTC_SDP_PROTO_OTHER)
			continue;
		/* With ICE the address comes from the candidates (RFC 8839 5.1):
		 * browsers write c=0.0.0.0 or 127.0.0.1 there. */
		if (tg->ice != WRTC_CONFIG_ICE_NONE && wrtc_sdp_media_ice(sdp, i).ufrag[0] != '\0')
			continue;
		if (c == NULL || !c->present) {
			snprintf(err, errlen, "sdp: line %u: m=: media[%u] has no c= line (nor has "
				 "the session)", m->line_no, i);
			return -EINVAL;
		}
		rc = check_one(mgr, tg, c, "c=", err, errlen);
		if (rc == 0 && m->has_rtcp && m->rtcp_conn.present)
			rc = check_one(mgr, tg, &m->rtcp_conn, "a=rtcp", err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
latch_prm(const struct wrtc_session_mgr *mgr, const struct wrtc_call *call, unsigned int leg,
	  const struct wrtc_flow_ep *sig, bool restart, struct wrtc_flow_learn_prm *p)
{
	const struct wrtc_config_trunk_group *tg = leg_tg(mgr, call, leg);
	uint64_t now = rte_rdtsc();

	memset(p, 0, sizeof(*p));
	switch (tg->latch) {
	case WRTC_CONFIG_LATCH_OFF:
		p->mode = WRTC_FLOW_LATCH_OFF;
		break;
	case WRTC_CONFIG_LATCH_IMMEDIATE:
		p->mode = WRTC_FLOW_LATCH_IMMEDIATE;
		break;
	case WRTC_CONFIG_LATCH_DELAYED:
		p->mode = WRTC_FLOW_LATCH_DELAYED;
		break;
	default:
		p->mode = WRTC_FLOW_LATCH_HEURISTIC;
		break;
	}
	p->packets = tg->latch_packets != 0 ? tg->latch_packets : 1;
	p->window_end_tsc = now + mgr->hz * tg->latch_window_ms / 1000;
	p->delay_end_tsc = now + mgr->hz * tg->latch_delay_ms / 1000;
	p->sig = *sig;
	p->restart = restart;
}

json_t *
latch_status(const struct wrtc_session_mgr *mgr, const struct wrtc_stream *s)
{
	const struct wrtc_flow_learn *l = &s->learn;
	enum wrtc_flow_learn_state st = __atomic_load_n(&l->state, __ATOMIC_RELAXED);
	char sig[WRTC_NET_ADDR_PORT_STRLEN], cand[WRTC_NET_ADDR_PORT_STRLEN];
	char learned[WRTC_NET_ADDR_PORT_STRLEN], prev[WRTC_NET_ADDR_PORT_STRLEN];
	uint64_t now = rte_rdtsc();
	struct wrtc_flow_ep e;
	json_t *o;

	if (s->remote_mode != WRTC_FLOW_REMOTE_LATCH)
		return NULL;
	e = l->prm.sig;
	wrtc_flow_ep_str(&e, sig, sizeof(sig));
	e = s->remote;
	wrtc_flow_ep_str(&e, learned, sizeof(learned));
	e = l->cand;
	wrtc_flow_ep_str(&e, cand, sizeof(cand));
	e = l->prev;
	wrtc_flow_ep_str(&e, prev, sizeof(prev));
	o = json_pack("{s:s, s:s, s:s, s:i, s:i, s:I}",
		      "mode", wrtc_flow_latch_name(l->prm.mode),
		      "state", l->prm.packets == 0 ? "pending" :
			       st == WRTC_FLOW_LEARN_OPEN && now >= l->prm.window_end_tsc ?
			       "closed" : wrtc_flow_learn_state_name(st),
		      "signalled", sig,
		      "packets_needed", l->prm.packets,
		      "candidate_packets", st == WRTC_FLOW_LEARN_OPEN ? l->cand_count : 0,
		      "window_remaining_ms", (json_int_t)(st == WRTC_FLOW_LEARN_OPEN &&
			       now < l->prm.window_end_tsc ?
			       (l->prm.window_end_tsc - now) * 1000 / mgr->hz : 0));
	json_object_set_new(o, "learned", st == WRTC_FLOW_LEARN_LEARNED ? json_string(learned) :
			    json_null());
	json_object_set_new(o, "candidate", st == WRTC_FLOW_LEARN_OPEN &&
			    wrtc_flow_ep_set(&l->cand) ? json_string(cand) : json_null());
	json_object_set_new(o, "stale", wrtc_flow_ep_set(&l->prev) ? json_string(prev) :
			    json_null());
	return o;
}
