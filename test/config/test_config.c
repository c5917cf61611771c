/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/config unit tests: the shipped configurations load with the values they
 * spell, and each kind of mistake is rejected with the exact path and reason.
 * JSON in this file is written with ' for " and converted before loading.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "wrtc_config.h"
#include "wrtc_test.h"

#ifndef CONFIG_DIR
#error "CONFIG_DIR must point at config/"
#endif

static char errbuf[WRTC_CONFIG_ERR_SIZE];

static struct wrtc_config *
load(const char *tmpl)
{
	char *s = strdup(tmpl);
	struct wrtc_config *cfg;

	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	cfg = wrtc_config_load_string(s, strlen(s), CONFIG_DIR, errbuf, sizeof(errbuf));
	free(s);
	return cfg;
}

/* Loads and expects failure with exactly @p msg. */
static bool
fails_with(const char *tmpl, const char *msg)
{
	struct wrtc_config *cfg = load(tmpl);

	if (cfg != NULL) {
		fprintf(stderr, "  unexpectedly loaded: %s\n", tmpl);
		wrtc_config_free(cfg);
		return false;
	}
	if (errno != EINVAL || strcmp(errbuf, msg) != 0) {
		fprintf(stderr, "  got \"%s\" (errno %d)\n  want \"%s\"\n", errbuf, errno, msg);
		return false;
	}
	return true;
}

/* Like fails_with(), for a message that starts with @p prefix. */
static bool
fails_prefix(const char *tmpl, const char *prefix)
{
	struct wrtc_config *cfg = load(tmpl);

	if (cfg != NULL) {
		fprintf(stderr, "  unexpectedly loaded: %s\n", tmpl);
		wrtc_config_free(cfg);
		return false;
	}
	if (errno != EINVAL || strncmp(errbuf, prefix, strlen(prefix)) != 0) {
		fprintf(stderr, "  got \"%s\" (errno %d)\n  want \"%s...\"\n", errbuf, errno, prefix);
		return false;
	}
	return true;
}

#define IFACE "{'name':'pub','port':0,'ipv4':'10.0.0.2/24'}"
#define CODECS "[{'name':'pcmu','codec':'PCMU'},{'name':'opus','codec':'opus','payload_type':111}]"
#define PSPS "[{'name':'plain','codecs':['pcmu']}]"
#define TGS "[{'name':'sip','interface':'pub','kind':'sip','packet_service_profile':'plain'}]"
/* A minimal valid configuration with one interface list and extra root keys. */
#define CFG(ifaces, extra) "{'interfaces':[" ifaces "],'codec_entries':" CODECS \
	",'packet_service_profiles':" PSPS ",'trunk_groups':" TGS extra "}"
/* The same with other profiles and trunk groups. */
#define CFG_TG(psps, tgs, extra) "{'interfaces':[" IFACE "],'codec_entries':" CODECS \
	",'packet_service_profiles':" psps ",'trunk_groups':" tgs extra "}"

static int
test_default_json(void)
{
	struct wrtc_config *cfg = wrtc_config_load_file(CONFIG_DIR "/default.json", errbuf,
							sizeof(errbuf));
	const struct wrtc_config_interface *it;
	const struct wrtc_config_psp *p;
	const struct wrtc_config_trunk_group *w, *s;
	char a[INET6_ADDRSTRLEN];
	int iw, is;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	WRTC_CHECK_EQ(cfg->n_interfaces, 1);
	it = &cfg->interfaces[0];
	WRTC_CHECK_EQ(it->port_index, 0);
	WRTC_CHECK_STREQ(it->port, "0");
	WRTC_CHECK(it->has_ipv4 && it->has_ipv6);
	WRTC_CHECK_STREQ(inet_ntop(AF_INET, &it->ipv4, a, sizeof(a)), "10.99.0.2");
	WRTC_CHECK_EQ(it->ipv4_prefix, 24);
	WRTC_CHECK_STREQ(inet_ntop(AF_INET6, &it->ipv6, a, sizeof(a)), "fd00:99::2");
	WRTC_CHECK_EQ(it->ipv6_prefix, 64);
	WRTC_CHECK_EQ(it->media_port_min, 20000);
	WRTC_CHECK_EQ(it->media_port_max, 29999);

	iw = wrtc_config_trunk_group_find(cfg, "webrtc");
	is = wrtc_config_trunk_group_find(cfg, "sip");
	WRTC_CHECK(iw >= 0 && is >= 0);
	WRTC_CHECK_EQ(wrtc_config_trunk_group_find(cfg, "nope"), -1);
	if (iw < 0 || is < 0) {
		wrtc_config_free(cfg);
		return -1;
	}
	w = &cfg->trunk_groups[iw];
	s = &cfg->trunk_groups[is];
	WRTC_CHECK_EQ(w->kind, WRTC_CONFIG_TRUNK_WEBRTC);
	WRTC_CHECK_EQ(w->ice, WRTC_CONFIG_ICE_LITE);
	WRTC_CHECK_EQ(s->kind, WRTC_CONFIG_TRUNK_SIP);
	WRTC_CHECK_EQ(s->ice, WRTC_CONFIG_ICE_NONE);
	WRTC_CHECK(w->policing && s->policing);

	p = &cfg->psps[w->psp];
	WRTC_CHECK(p->srtp && p->dtls && !p->sdes && p->rtcp_mux);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[0]].codec, WRTC_CONFIG_CODEC_OPUS);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[0]].clock, 48000);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[0]].payload_type, 111);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[1]].codec, WRTC_CONFIG_CODEC_PCMU);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[2]].codec, WRTC_CONFIG_CODEC_PCMA);
	WRTC_CHECK(p->dtls_profile >= 0 && p->crypto_suite_profile >= 0);
	if (p->dtls_profile >= 0) {
		WRTC_CHECK(cfg->dtls_profiles[p->dtls_profile].generated_certificate);
		WRTC_CHECK_EQ(cfg->dtls_profiles[p->dtls_profile].versions, WRTC_CONFIG_DTLS_1_2);
	}

	p = &cfg->psps[s->psp];
	WRTC_CHECK(!p->srtp && !p->dtls && !p->rtcp_mux);
	WRTC_CHECK_EQ(p->n_codecs, 4);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[0]].payload_type, 0);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[1]].payload_type, 8);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[2]].codec, WRTC_CONFIG_CODEC_G722);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[3]].codec, WRTC_CONFIG_CODEC_TELEPHONE_EVENT);
	WRTC_CHECK_EQ(cfg->codec_entries[p->codecs[3]].clock, 8000);
	WRTC_CHECK_EQ(p->dtls_profile, -1);

	WRTC_CHECK(cfg->control.rpc_tcp_enabled);
	WRTC_CHECK_STREQ(cfg->control.rpc_tcp_host, "127.0.0.1");
	WRTC_CHECK_EQ(cfg->control.rpc_tcp_port, 9900);
	WRTC_CHECK(!cfg->control.metrics_enabled);
	WRTC_CHECK_STREQ(cfg->capture.dir, "/var/tmp/wrtcgw");
	WRTC_CHECK(cfg->n_policers >= 2);
	wrtc_config_free(cfg);
	return 0;
}

static int
test_example_sdes(void)
{
	struct wrtc_config *cfg = wrtc_config_load_file(CONFIG_DIR "/example-sdes.json", errbuf,
							sizeof(errbuf));
	const struct wrtc_config_psp *p;
	int iw, is;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	iw = wrtc_config_trunk_group_find(cfg, "webrtc");
	is = wrtc_config_trunk_group_find(cfg, "sip");
	if (!WRTC_CHECK(iw >= 0 && is >= 0)) {
		wrtc_config_free(cfg);
		return -1;
	}
	WRTC_CHECK_EQ(cfg->trunk_groups[iw].ice, WRTC_CONFIG_ICE_FULL);
	p = &cfg->psps[cfg->trunk_groups[is].psp];
	WRTC_CHECK(p->srtp && p->sdes && !p->dtls);
	WRTC_CHECK(p->crypto_suite_profile >= 0);
	if (p->crypto_suite_profile >= 0)
		WRTC_CHECK_EQ(cfg->crypto_profiles[p->crypto_suite_profile].suites[0],
			      WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_80);
	wrtc_config_free(cfg);
	return 0;
}

static int
test_minimal_defaults(void)
{
	struct wrtc_config *cfg = load(CFG(IFACE, ""));
	const struct wrtc_config_codec_entry *op;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	WRTC_CHECK_EQ(cfg->interfaces[0].media_port_min, 20000);
	WRTC_CHECK_EQ(cfg->interfaces[0].media_port_max, 29999);
	WRTC_CHECK(!cfg->interfaces[0].has_ipv6);
	WRTC_CHECK_EQ(cfg->codec_entries[0].payload_type, 0);
	WRTC_CHECK_EQ(cfg->codec_entries[0].clock, 8000);
	WRTC_CHECK_EQ(cfg->codec_entries[0].ptime, 20);
	op = &cfg->codec_entries[1];
	WRTC_CHECK_EQ(op->clock, 48000);
	WRTC_CHECK_EQ(op->complexity, 9);
	WRTC_CHECK_EQ(op->bitrate, 32000);
	WRTC_CHECK(op->fec && !op->dtx);
	WRTC_CHECK(cfg->psps[0].transcode && cfg->psps[0].rtcp && !cfg->psps[0].rtcp_mux);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].ice, WRTC_CONFIG_ICE_NONE);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].address_type, WRTC_CONFIG_ADDR_MATCH);
	WRTC_CHECK_EQ(cfg->n_policers, 0);
	WRTC_CHECK_STREQ(cfg->control.rpc_tcp, "127.0.0.1:9900");
	WRTC_CHECK_STREQ(cfg->control.rpc_unix, "");
	WRTC_CHECK_EQ(cfg->control.media_timeout, 60);
	WRTC_CHECK_EQ(cfg->control.hold_timeout, 3600);
	WRTC_CHECK_EQ(cfg->workers.rx_desc, 1024);
	WRTC_CHECK(cfg->workers.idle_adaptive);
	WRTC_CHECK_EQ(cfg->workers.idle_max_us, 200);
	wrtc_config_free(cfg);
	cfg = load(CFG(IFACE, ",'workers':{'idle':'poll','idle_max_us':50}"));
	WRTC_CHECK(cfg != NULL);
	if (cfg != NULL) {
		WRTC_CHECK(!cfg->workers.idle_adaptive);
		WRTC_CHECK_EQ(cfg->workers.idle_max_us, 50);
	}
	wrtc_config_free(cfg);
	return 0;
}

static int
test_interface_errors(void)
{
	WRTC_CHECK(fails_with(CFG(IFACE ",{'name':'b','port':1,'ipv4':'10.0.0.300/24'}", ""),
			      "interfaces[1].ipv4: \"10.0.0.300/24\" is not an IPv4 address"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2'}", ""),
			      "interfaces[0].ipv4: \"10.0.0.2\": missing prefix length "
			      "(e.g. 10.0.0.2/24)"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/33'}", ""),
			      "interfaces[0].ipv4: \"10.0.0.2/33\": prefix length must be 0..32"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv6':'fd00::1::2/64'}", ""),
			      "interfaces[0].ipv6: \"fd00::1::2/64\" is not an IPv6 address"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0}", ""),
			      "interfaces[0]: needs ipv4 or ipv6 (or both)"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','ipv4':'10.0.0.2/24'}", ""),
			      "interfaces[0].port: missing"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':true,'ipv4':'10.0.0.2/24'}", ""),
			      "interfaces[0].port: must be a string or an integer"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/24','mtu':1500}", ""),
			      "interfaces[0].mtu: unknown key"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/24',"
				  "'gateway4':'10.0.1.1'}", ""),
			      "interfaces[0].gateway4: 10.0.1.1 is not inside the ipv4 subnet /24"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv6':'fd00::2/64',"
				  "'gateway4':'10.0.0.1'}", ""),
			      "interfaces[0].gateway4: needs ipv4 on the same interface"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/24',"
				  "'media_port_min':20001}", ""),
			      "interfaces[0].media_port_min: must be even (RTP uses even ports, "
			      "RTCP the next odd one)"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/24',"
				  "'media_port_min':30000,'media_port_max':30000}", ""),
			      "interfaces[0].media_port_max: must be above media_port_min (30000) "
			      "to hold an RTP/RTCP pair"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv4':'10.0.0.2/24',"
				  "'media_port_min':80}", ""),
			      "interfaces[0].media_port_min: must be between 1024 and 65534"));
	WRTC_CHECK(fails_with(CFG(IFACE "," IFACE, ""),
			      "interfaces[1].name: duplicate interface name \"pub\" (also entry 0)"));
	WRTC_CHECK(fails_with(CFG(IFACE ",{'name':'b','port':0,'ipv4':'10.0.0.3/24'}", ""),
			      "interfaces[1].port: port 0 is already used by another interface"));
	/* One address on two ports: only with disjoint media port ranges. */
	WRTC_CHECK(fails_with(CFG(IFACE ",{'name':'b','port':1,'ipv4':'10.0.0.2/24'}", ""),
			      "interfaces[1].media_port_min: address 10.0.0.2 with media ports "
			      "20000..29999 overlaps interface \"pub\" (20000..29999): give the "
			      "interfaces disjoint port ranges"));
	WRTC_CHECK(fails_with(CFG("{'name':'a','port':0,'ipv6':'2001:db8::2/64',"
				  "'media_port_min':30000,'media_port_max':30999},"
				  "{'name':'b','port':1,'ipv4':'10.0.0.9/24',"
				  "'ipv6':'2001:db8::2/64','media_port_min':30998,"
				  "'media_port_max':31999}", ""),
			      "interfaces[1].media_port_min: address 2001:db8::2 with media ports "
			      "30998..31999 overlaps interface \"a\" (30000..30999): give the "
			      "interfaces disjoint port ranges"));
	{
		struct wrtc_config *ok = load(CFG(
			IFACE ",{'name':'b','port':1,'ipv4':'10.0.0.2/24','media_port_min':30000,"
			"'media_port_max':30999},{'name':'c','port':2,'ipv4':'10.0.0.3/24'}", ""));

		if (!WRTC_CHECK(ok != NULL))
			fprintf(stderr, "  %s\n", errbuf);
		wrtc_config_free(ok);
	}
	WRTC_CHECK(fails_with(CFG("{'name':'a b','port':0,'ipv4':'10.0.0.2/24'}", ""),
			      "interfaces[0].name: \"a b\": only letters, digits and _ - . : are "
			      "allowed"));
	return 0;
}

static int
test_interface_values(void)
{
	struct wrtc_config *cfg = load(
		"{'interfaces':[{'name':'pub','port':'net_af_packet0','ipv4':'10.0.0.2/24',"
		"'gateway4':'10.0.0.1','advertised_ipv4':'203.0.113.7','ipv6':'2001:db8::2/64',"
		"'gateway6':'fe80::1','media_port_min':40000,'media_port_max':40099}],"
		"'codec_entries':" CODECS ",'packet_service_profiles':" PSPS
		",'trunk_groups':[{'name':'sip','interface':'pub','kind':'sip',"
		"'packet_service_profile':'plain','address_type':'ipv6'}]}");
	char a[INET6_ADDRSTRLEN];

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	WRTC_CHECK_EQ(cfg->interfaces[0].port_index, -1);
	WRTC_CHECK_STREQ(cfg->interfaces[0].port, "net_af_packet0");
	WRTC_CHECK(cfg->interfaces[0].has_gateway4 && cfg->interfaces[0].has_gateway6);
	WRTC_CHECK_STREQ(inet_ntop(AF_INET, &cfg->interfaces[0].advertised_ipv4, a, sizeof(a)),
			 "203.0.113.7");
	WRTC_CHECK_EQ(cfg->interfaces[0].media_port_max, 40099);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].address_type, WRTC_CONFIG_ADDR_IPV6);
	wrtc_config_free(cfg);
	return 0;
}

static int
test_syntax_and_root(void)
{
	struct wrtc_config *cfg;

	WRTC_CHECK(fails_with("{'interfaces': [", "1:16: ']' expected near end of file"));
	WRTC_CHECK(fails_with("[]", "the configuration must be a JSON object"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'interface':[]"), "interface: unknown key"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "]}", "codec_entries: missing"));
	WRTC_CHECK(fails_with("{'interfaces':[],'codec_entries':[],'packet_service_profiles':[],"
			      "'trunk_groups':[]}", "interfaces: needs at least 1 entry"));
	WRTC_CHECK(fails_with("{'interfaces':{}}", "interfaces: must be an array"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_tcp':'localhost:9900'}"),
			      "control.rpc_tcp: \"localhost\" is not a numeric IPv4 or IPv6 "
			      "address"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_tcp':'127.0.0.1:99000'}"),
			      "control.rpc_tcp: port must be 0..65535"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'media_timeout':0}"),
			      "control.media_timeout: must be between 1 and 86400"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'hold_timeout':0}"),
			      "control.hold_timeout: must be between 1 and 604800"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'hold_timeout':'1h'}"),
			      "control.hold_timeout: must be an integer"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'workers':{'rx_desc':1000}"),
			      "workers.rx_desc: must be a power of two"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'workers':{'idle':'sometimes'}"),
			      "workers.idle: must be \"poll\" or \"adaptive\""));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'workers':{'idle_max_us':0}"),
			      "workers.idle_max_us: must be between 1 and 100000"));
	/* Duplicate keys are a syntax error rather than a silent override. */
	cfg = load(CFG(IFACE, ",'control':{},'control':{}"));
	WRTC_CHECK(cfg == NULL);
	WRTC_CHECK(strstr(errbuf, "duplicate object key") != NULL);

	cfg = load(CFG(IFACE, ",'control':{'rpc_tcp':'[::1]:0','rpc_unix':'/tmp/x.sock',"
			      "'max_calls':5},'_note':'ignored'"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK_STREQ(cfg->control.rpc_tcp_host, "::1");
		WRTC_CHECK_EQ(cfg->control.rpc_tcp_port, 0);
		WRTC_CHECK_STREQ(cfg->control.rpc_unix, "/tmp/x.sock");
		WRTC_CHECK_EQ(cfg->control.max_calls, 5);
	} else {
		fprintf(stderr, "  %s\n", errbuf);
	}
	wrtc_config_free(cfg);
	cfg = load(CFG(IFACE, ",'control':{'rpc_tcp':'','rpc_unix':'/tmp/x.sock'}"));
	WRTC_CHECK(cfg != NULL && !cfg->control.rpc_tcp_enabled);
	/* ng: on by default on 127.0.0.1:2223, loopback only. */
	WRTC_CHECK(cfg != NULL && cfg->control.ng_enabled && cfg->control.ng_port == 2223);
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_tcp':''}"),
			      "control: rpc_tcp and rpc_unix are both disabled: the gateway could "
			      "not be controlled (set at least one)"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_tcp':'','rpc_unix':''}"),
			      "control: rpc_tcp and rpc_unix are both disabled: the gateway could "
			      "not be controlled (set at least one)"));

	cfg = load(CFG(IFACE, ",'log_levels':{'wrtc.*':'info','wrtc.session':'debug'}"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK_EQ(cfg->n_log_levels, 2);
		WRTC_CHECK_STREQ(cfg->log_levels[0].pattern, "wrtc.*");
		WRTC_CHECK_EQ(cfg->log_levels[0].level, 7);
		WRTC_CHECK_STREQ(cfg->log_levels[1].pattern, "wrtc.session");
		WRTC_CHECK_EQ(cfg->log_levels[1].level, 8);
	}
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'log_levels':{'wrtc.session':'loud'}"),
			      "log_levels.wrtc.session: \"loud\" is not one of \"emerg\", "
			      "\"alert\", \"crit\", \"error\", \"warning\", \"notice\", "
			      "\"info\" or \"debug\""));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'log_levels':{'wrtc session':'info'}"),
			      "log_levels.wrtc session: not a log type pattern (like "
			      "\"wrtc.session\" or \"wrtc.*\")"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'log_levels':{'wrtc.x':3}"),
			      "log_levels.wrtc.x: must be a string"));
	cfg = load(CFG(IFACE, ",'control':{'metrics_listen':'[::1]:9901'},"
			      "'capture':{'dir':'/srv/pcap'}"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK(cfg->control.metrics_enabled);
		WRTC_CHECK_STREQ(cfg->control.metrics_host, "::1");
		WRTC_CHECK_EQ(cfg->control.metrics_port, 9901);
		WRTC_CHECK_STREQ(cfg->capture.dir, "/srv/pcap");
	} else {
		fprintf(stderr, "  %s\n", errbuf);
	}
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'metrics_listen':'9901'}"),
			      "control.metrics_listen: \"9901\" is not address:port"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'capture':{'dir':'pcap'}"),
			      "capture.dir: must be an absolute path"));
	cfg = load(CFG(IFACE, ",'ha':{'redis':'unix:/run/redis/r.sock','db':3,"
			      "'node_id':'gw-a','role':'standby','expiry':600}"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK(cfg->ha.enabled);
		WRTC_CHECK_STREQ(cfg->ha.redis_unix, "/run/redis/r.sock");
		WRTC_CHECK_EQ(cfg->ha.db, 3);
		WRTC_CHECK_STREQ(cfg->ha.node_id, "gw-a");
		WRTC_CHECK_STREQ(cfg->ha.key_prefix, "wrtc:");
		WRTC_CHECK_EQ(cfg->ha.role, WRTC_CONFIG_HA_STANDBY);
		WRTC_CHECK_EQ(cfg->ha.expiry, 600);
		WRTC_CHECK_EQ(cfg->ha.max_pending, 4096);
	}
	wrtc_config_free(cfg);
	cfg = load(CFG(IFACE, ",'ha':{'redis':'127.0.0.1:6379'}"));
	WRTC_CHECK(cfg != NULL && cfg->ha.enabled && cfg->ha.redis_port == 6379 &&
		   strcmp(cfg->ha.redis_host, "127.0.0.1") == 0 && cfg->ha.node_id[0] != '\0');
	wrtc_config_free(cfg);
	cfg = load(CFG(IFACE, ""));
	WRTC_CHECK(cfg != NULL && !cfg->ha.enabled);
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'ha':{'redis':'unix:r.sock'}"),
			      "ha.redis: \"unix:r.sock\": unix: takes an absolute path"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'ha':{'redis':'127.0.0.1:6379','db':16}"),
			      "ha.db: must be between 0 and 15"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'ha':{'redis':'127.0.0.1:6379','role':'primary'}"),
			      "ha.role: \"primary\" is not one of \"active\" or \"standby\""));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'ha':{'db':1}"), "ha.redis: missing"));
	cfg = load(CFG(IFACE, ",'control':{'ng_listen':'[::1]:2300'}"));
	WRTC_CHECK(cfg != NULL && cfg->control.ng_enabled && cfg->control.ng_port == 2300 &&
		   strcmp(cfg->control.ng_host, "::1") == 0);
	wrtc_config_free(cfg);
	cfg = load(CFG(IFACE, ",'control':{'ng_listen':''}"));
	WRTC_CHECK(cfg != NULL && !cfg->control.ng_enabled);
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'ng_listen':'10.0.0.1:2223'}"),
			      "control.ng_listen: 10.0.0.1 is not a loopback address: the ng protocol is "
			      "not authenticated; list the proxies allowed to send requests in "
			      "control.allow_from"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'ng_listen':'[::]:2223','allow_from':[]}"),
				"control.ng_listen: :: is not a loopback address"));
	/* With an allow-list (in any order of the keys) it listens anywhere. */
	cfg = load(CFG(IFACE, ",'control':{'ng_listen':'0.0.0.0:2223',"
			      "'allow_from':['10.98.0.0/24']}"));
	WRTC_CHECK(cfg != NULL && cfg->control.ng_enabled &&
		   strcmp(cfg->control.ng_host, "0.0.0.0") == 0);
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'ng_listen':'127.0.0.1'}"),
			      "control.ng_listen: \"127.0.0.1\" is not address:port"));

	cfg = wrtc_config_load_file(CONFIG_DIR "/no-such-file.json", errbuf, sizeof(errbuf));
	WRTC_CHECK(cfg == NULL && errno == ENOENT);
	WRTC_CHECK(strstr(errbuf, "no-such-file.json: No such file or directory") != NULL);
	return 0;
}

/* control.allow_from, token and the unix socket's owner, group and mode. */
static int
test_control_access(void)
{
	struct wrtc_config *cfg;

	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_tcp':'0.0.0.0:9900'}"),
			      "control.rpc_tcp: 0.0.0.0 is not a loopback address: list the "
			      "addresses allowed to connect in control.allow_from"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'rpc_tcp':'[2001:db8::1]:9900',"
				  "'allow_from':[]}"),
			      "control.rpc_tcp: 2001:db8::1 is not a loopback address"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'allow_from':['10.0.0.0/8','10.1.2.3/8']}"),
			      "control.allow_from[1]: \"10.1.2.3/8\" is not an IPv4 or IPv6 address "
			      "or prefix"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'allow_from':['ctl.example.org']}"),
			      "control.allow_from[0]: \"ctl.example.org\" is not"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'allow_from':['::/129']}"),
			      "control.allow_from[0]: \"::/129\" is not"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'allow_from':[10]}"),
			      "control.allow_from[0]: must be a string (\"ADDR\" or \"ADDR/LEN\")"));
	WRTC_CHECK(fails_prefix(CFG(IFACE, ",'control':{'rpc_unix_mode':'660x'}"),
			      "control.rpc_unix_mode: \"660x\" is not an octal mode"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_unix_mode':660}"),
			      "control.rpc_unix_mode: must be a string"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_unix_group':'no-such-group-wrtc'}"),
			      "control.rpc_unix_group: no group \"no-such-group-wrtc\" on this system"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'control':{'rpc_unix_owner':'no-such-user-wrtc'}"),
			      "control.rpc_unix_owner: no user \"no-such-user-wrtc\" on this system"));

	cfg = load(CFG(IFACE, ",'control':{'rpc_tcp':'0.0.0.0:9900','allow_from':['192.0.2.0/24',"
			      "'2001:db8::7','127.0.0.1'],'token':'s3cret','rpc_unix_owner':'root',"
			      "'rpc_unix_group':0,'rpc_unix_mode':'0660'}"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK_EQ(cfg->control.allow_from.n, 3);
		WRTC_CHECK_EQ(cfg->control.allow_from.p[0].len, 24);
		WRTC_CHECK_EQ(cfg->control.allow_from.p[1].len, 128);
		WRTC_CHECK_STREQ(cfg->control.token, "s3cret");
		WRTC_CHECK(cfg->control.rpc_unix_set_owner && cfg->control.rpc_unix_uid == 0);
		WRTC_CHECK(cfg->control.rpc_unix_set_group && cfg->control.rpc_unix_gid == 0);
		WRTC_CHECK_EQ(cfg->control.rpc_unix_mode, 0660);
	} else {
		fprintf(stderr, "  %s\n", errbuf);
	}
	wrtc_config_free(cfg);
	/* The defaults: loopback TCP, no list, no token, the socket as created. */
	cfg = load(CFG(IFACE, ""));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK_EQ(cfg->control.allow_from.n, 0);
		WRTC_CHECK_STREQ(cfg->control.token, "");
		WRTC_CHECK(!cfg->control.rpc_unix_set_owner && !cfg->control.rpc_unix_set_group);
		WRTC_CHECK_EQ(cfg->control.rpc_unix_mode, 0);
	}
	wrtc_config_free(cfg);
	return 0;
}

static int
test_codec_errors(void)
{
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'speex'}],'packet_service_profiles':[],'trunk_groups':[]}",
			      "codec_entries[0].codec: \"speex\" is not one of \"opus\", \"PCMU\", "
			      "\"PCMA\", \"G722\" or \"telephone-event\""));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'opus'}]}",
			      "codec_entries[0].payload_type: missing (opus has no static payload "
			      "type)"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'PCMU','clock':16000}]}",
			      "codec_entries[0].clock: PCMU uses an RTP clock of 8000"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'PCMA','bitrate':64000}]}",
			      "codec_entries[0].bitrate: only applies to opus"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'opus','payload_type':74}]}",
			      "codec_entries[0].payload_type: 74 collides with RTCP packet types "
			      "(72..76 are reserved)"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'PCMU','payload_type':8}]}",
			      "codec_entries[0].payload_type: 8 is a static payload type of another "
			      "codec; use 0 or 96..127"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'opus','payload_type':111,'ptime':30}]}",
			      "codec_entries[0].ptime: opus ptime must be 10, 20, 40 or 60"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'opus','payload_type':111,'complexity':11}]}",
			      "codec_entries[0].complexity: must be between 0 and 10"));
	WRTC_CHECK(fails_with("{'interfaces':[" IFACE "],'codec_entries':[{'name':'x','codec':"
			      "'PCMU','channels':2}]}",
			      "codec_entries[0].channels: must be between 1 and 1"));
	return 0;
}

static int
test_profile_errors(void)
{
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu','g729']}]", TGS, ""),
			      "packet_service_profiles[0].codecs[1]: no codec entry named \"g729\""));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu','pcmu']}]", TGS, ""),
			      "packet_service_profiles[0].codecs[1]: \"pcmu\" is listed twice"));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu'],'srtp':true}]", TGS, ""),
			      "packet_service_profiles[0].srtp: needs dtls or sdes to exchange keys"));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu'],'dtls':true,'sdes':true}]",
				     TGS, ""),
			      "packet_service_profiles[0].sdes: cannot be combined with dtls in one "
			      "profile"));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu'],'allow_dtls_fallback':true}]",
				     TGS, ""),
			      "packet_service_profiles[0].allow_dtls_fallback: needs dtls"));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu'],'dtls':true,"
				     "'dtls_profile':'strict'}]", TGS, ""),
			      "packet_service_profiles[0].dtls_profile: no dtls profile named "
			      "\"strict\""));
	WRTC_CHECK(fails_with(CFG_TG("[{'name':'p','codecs':['pcmu'],'rtcp_mux':'yes'}]", TGS, ""),
			      "packet_service_profiles[0].rtcp_mux: must be a boolean"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'dtls_profiles':[{'name':'d','versions':['1.3']}]"),
			      "dtls_profiles[0].versions[0]: \"1.3\" is not one of \"1.0\" or "
			      "\"1.2\""));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'dtls_profiles':[{'name':'d','certificate':"
				  "{'pkcs12':'missing.p12','passphrase':'x'}}]"),
			      "dtls_profiles[0].certificate.pkcs12: cannot read " CONFIG_DIR
			      "/missing.p12: No such file or directory"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'dtls_profiles':[{'name':'d','certificate':'self'}]"),
			      "dtls_profiles[0].certificate: must be \"generated\" or an object "
			      "{\"pkcs12\": path, \"passphrase\": text}"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'crypto_suite_profiles':[{'name':'c','suites':"
				  "['AEAD_AES_128_GCM','AES_CM_128_HMAC_SHA1_81']}]"),
			      "crypto_suite_profiles[0].suites[1]: \"AES_CM_128_HMAC_SHA1_81\" is "
			      "not one of \"AES_CM_128_HMAC_SHA1_80\", \"AES_CM_128_HMAC_SHA1_32\", "
			      "\"AEAD_AES_128_GCM\" or \"AEAD_AES_256_GCM\""));
	return 0;
}

static int
test_implicit_profiles(void)
{
	struct wrtc_config *cfg = load(CFG_TG("[{'name':'plain','codecs':['pcmu'],'dtls':true}]",
					      TGS, ""));
	const struct wrtc_config_psp *p;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	p = &cfg->psps[0];
	WRTC_CHECK(p->srtp);
	WRTC_CHECK_EQ(cfg->n_dtls_profiles, 1);
	WRTC_CHECK_EQ(p->dtls_profile, 0);
	WRTC_CHECK_STREQ(cfg->dtls_profiles[0].name, "default");
	WRTC_CHECK(cfg->dtls_profiles[0].generated_certificate);
	WRTC_CHECK_EQ(cfg->dtls_profiles[0].fingerprint_hash, WRTC_CONFIG_HASH_SHA256);
	WRTC_CHECK_EQ(cfg->n_crypto_profiles, 1);
	WRTC_CHECK_EQ(cfg->crypto_profiles[p->crypto_suite_profile].n_suites, 4);
	wrtc_config_free(cfg);
	return 0;
}

static int
test_trunk_group_errors(void)
{
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'eth9','kind':'sip',"
				     "'packet_service_profile':'plain'}]", ""),
			      "trunk_groups[0].interface: no interface named \"eth9\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'gold'}]", ""),
			      "trunk_groups[0].packet_service_profile: no packet service profile "
			      "named \"gold\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'webrtc',"
				     "'ice':'none','packet_service_profile':'plain'}]", ""),
			      "trunk_groups[0].ice: a webrtc trunk group needs \"lite\" or \"full\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'webrtc',"
				     "'packet_service_profile':'plain'}]", ""),
			      "trunk_groups[0].packet_service_profile: \"plain\" has no dtls; "
			      "browsers need DTLS-SRTP"));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'address_type':'ipv6','packet_service_profile':'plain'}]", ""),
			      "trunk_groups[0].address_type: \"ipv6\" but interface \"pub\" has no "
			      "ipv6"));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','sdp_rules':[{'action':"
				     "'substitute','regex':'a=(foo'}]}]", ""),
			      "trunk_groups[0].sdp_rules[0].regex: not a valid POSIX extended "
			      "regular expression: Unmatched ( or \\("));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','sdp_rules':[{'action':"
				     "'substitute','regex':'a=foo'}]}]", ""),
			      "trunk_groups[0].sdp_rules[0].replacement: missing (action "
			      "\"substitute\" needs it)"));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','sdp_rules':[{'action':"
				     "'delete','regex':'^a=foo','replacement':'x'}]}]", ""),
			      "trunk_groups[0].sdp_rules[0].replacement: not allowed with action "
			      "\"delete\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','sdp_rules':[{'action':"
				     "'delete','regex':'^a=foo','direction':'up'}]}]", ""),
			      "trunk_groups[0].sdp_rules[0].direction: \"up\" is not one of \"in\", "
			      "\"out\" or \"both\""));
	return 0;
}

/* Endpoint learning keys: defaults, values, errors. */
static int
test_latch(void)
{
	struct wrtc_config *cfg = load(CFG_TG(PSPS, "[{'name':'d','interface':'pub','kind':'sip',"
					      "'packet_service_profile':'plain'},"
					      "{'name':'o','interface':'pub','kind':'sip',"
					      "'packet_service_profile':'plain','latch':'off'},"
					      "{'name':'i','interface':'pub','kind':'sip',"
					      "'packet_service_profile':'plain','latch':'immediate',"
					      "'latch_packets':1,'latch_window_ms':0,"
					      "'allow_connection_addresses':['own','loopback']}]", ""));

	if (!WRTC_CHECK(cfg != NULL))
		return 0;
	WRTC_CHECK_EQ(cfg->trunk_groups[0].latch, WRTC_CONFIG_LATCH_HEURISTIC);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].latch_packets, 4);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].latch_window_ms, 5000);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].latch_delay_ms, 1000);
	WRTC_CHECK_EQ(cfg->trunk_groups[0].allow_caddr, 0);
	WRTC_CHECK_EQ(cfg->trunk_groups[1].latch, WRTC_CONFIG_LATCH_OFF);
	WRTC_CHECK_EQ(cfg->trunk_groups[2].latch, WRTC_CONFIG_LATCH_IMMEDIATE);
	WRTC_CHECK_EQ(cfg->trunk_groups[2].latch_packets, 1);
	WRTC_CHECK_EQ(cfg->trunk_groups[2].latch_window_ms, 0);
	WRTC_CHECK_EQ(cfg->trunk_groups[2].allow_caddr,
		      WRTC_CONFIG_CADDR_OWN | WRTC_CONFIG_CADDR_LOOPBACK);
	WRTC_CHECK_STREQ(wrtc_config_latch_str(cfg->trunk_groups[0].latch), "heuristic");
	wrtc_config_free(cfg);
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','latch':'always'}]", ""),
			      "trunk_groups[0].latch: \"always\" is not one of \"off\", "
			      "\"immediate\", \"delayed\" or \"heuristic\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','latch_packets':0}]", ""),
			      "trunk_groups[0].latch_packets: must be between 1 and 1000"));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain','latch':'delayed',"
				     "'latch_window_ms':500,'latch_delay_ms':500}]", ""),
			      "trunk_groups[0].latch_delay_ms: 500 must be below latch_window_ms "
			      "(500)"));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain',"
				     "'allow_connection_addresses':['own','own']}]", ""),
			      "trunk_groups[0].allow_connection_addresses[1]: duplicate \"own\""));
	WRTC_CHECK(fails_with(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
				     "'packet_service_profile':'plain',"
				     "'allow_connection_addresses':['anycast']}]", ""),
			      "trunk_groups[0].allow_connection_addresses[0]: \"anycast\" is not one "
			      "of \"loopback\", \"multicast\", \"broadcast\", \"own\" or "
			      "\"unspecified\""));
	return 0;
}

static int
test_sdp_rules(void)
{
	struct wrtc_config *cfg = load(CFG_TG(PSPS, "[{'name':'w','interface':'pub','kind':'sip',"
		"'packet_service_profile':'plain','sdp_rules':[{'direction':'out','action':"
		"'substitute','regex':'^s=.*$','replacement':'s=wrtcgw'},{'action':'delete',"
		"'regex':'^a=ptime:'}]}]", ""));
	const struct wrtc_config_trunk_group *t;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	t = &cfg->trunk_groups[0];
	WRTC_CHECK_EQ(t->n_sdp_rules, 2);
	WRTC_CHECK_EQ(t->sdp_rules[0].direction, WRTC_CONFIG_SDP_OUT);
	WRTC_CHECK_EQ(t->sdp_rules[0].action, WRTC_CONFIG_SDP_SUBSTITUTE);
	WRTC_CHECK_STREQ(t->sdp_rules[0].regex, "^s=.*$");
	WRTC_CHECK_STREQ(t->sdp_rules[0].replacement, "s=wrtcgw");
	WRTC_CHECK_EQ(t->sdp_rules[1].direction, WRTC_CONFIG_SDP_BOTH);
	WRTC_CHECK_EQ(t->sdp_rules[1].action, WRTC_CONFIG_SDP_DELETE);
	WRTC_CHECK_STREQ(t->sdp_rules[1].replacement, "");
	wrtc_config_free(cfg);
	return 0;
}

static int
test_policers(void)
{
	struct wrtc_config *cfg = load(CFG(IFACE, ",'policers':[{'name':'l','type':'link-data',"
		"'interface':'pub','bucket':15000,'rate':1250000},{'name':'s','type':'stun',"
		"'bucket':100,'rate':1000,'priority_rate':10000,'srflx_prefix_v4':24}]"));

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", errbuf);
		return -1;
	}
	WRTC_CHECK_EQ(cfg->n_policers, 2);
	WRTC_CHECK_EQ(cfg->policers[0].mode, WRTC_CONFIG_POLICER_DATA_RATE);
	WRTC_CHECK_EQ(cfg->policers[0].interface, 0);
	WRTC_CHECK_EQ(cfg->policers[0].priority_rate, 1250000);
	WRTC_CHECK_EQ(cfg->policers[1].mode, WRTC_CONFIG_POLICER_PACKET_RATE);
	WRTC_CHECK_EQ(cfg->policers[1].priority_rate, 10000);
	WRTC_CHECK_EQ(cfg->policers[1].srflx_prefix_v4, 24);
	WRTC_CHECK_EQ(cfg->policers[1].interface, -1);
	WRTC_CHECK_STREQ(wrtc_config_policer_type_str(cfg->policers[1].type), "stun");
	WRTC_CHECK_STREQ(wrtc_config_policer_mode_str(cfg->policers[0].mode), "data-rate");
	/* The pair rate defaults to the priority rate. */
	WRTC_CHECK_EQ(cfg->policers[1].pair_rate, 10000);
	wrtc_config_free(cfg);

	cfg = load(CFG(IFACE, ",'policers':[{'name':'a','type':'arp','bucket':10,'rate':100},"
		"{'name':'n','type':'nd','bucket':10,'rate':100},"
		"{'name':'i','type':'icmp','bucket':5,'rate':50},"
		"{'name':'s','type':'stun','bucket':100,'rate':1000,'pair_rate':5000}]"));
	if (WRTC_CHECK(cfg != NULL)) {
		WRTC_CHECK_EQ(cfg->n_policers, 4);
		WRTC_CHECK_STREQ(wrtc_config_policer_type_str(cfg->policers[0].type), "arp");
		WRTC_CHECK_STREQ(wrtc_config_policer_type_str(cfg->policers[1].type), "nd");
		WRTC_CHECK_STREQ(wrtc_config_policer_type_str(cfg->policers[2].type), "icmp");
		WRTC_CHECK_EQ(cfg->policers[2].mode, WRTC_CONFIG_POLICER_PACKET_RATE);
		WRTC_CHECK_EQ(cfg->policers[2].rate, 50);
		WRTC_CHECK_EQ(cfg->policers[3].priority_rate, 1000);
		WRTC_CHECK_EQ(cfg->policers[3].pair_rate, 5000);
		wrtc_config_free(cfg);
	}
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','bucket':100,"
				  "'rate':1000,'pair_rate':999}]"),
			      "policers[0].pair_rate: must be at least rate (1000)"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'a','type':'arp','bucket':1,"
				  "'rate':1,'pair_rate':2}]"),
			      "policers[0].pair_rate: only for stun and dtls policers"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'i','type':'icmp','bucket':1,"
				  "'rate':1,'priority_rate':2}]"),
			      "policers[0].priority_rate: only for stun and dtls policers"));

	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','bucket':100,"
				  "'rate':1000,'srflx_prefix_v4':33}]"),
			      "policers[0].srflx_prefix_v4: must be between 0 and 32"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','bucket':100,"
				  "'rate':1000,'priority_rate':10}]"),
			      "policers[0].priority_rate: must be at least rate (1000)"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','bucket':0,"
				  "'rate':1000}]"),
			      "policers[0].bucket: must be between 1 and 1073741824"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','rate':1000}]"),
			      "policers[0].bucket: missing"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'sip','bucket':1,"
				  "'rate':1}]"),
			      "policers[0].type: \"sip\" is not one of \"link-data\", \"stun\", "
			      "\"dtls\", \"arp\", \"nd\" or \"icmp\""));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'stun','bucket':1,"
				  "'rate':1,'interface':'pub'}]"),
			      "policers[0].interface: only for link-data policers"));
	WRTC_CHECK(fails_with(CFG(IFACE, ",'policers':[{'name':'s','type':'link-data','bucket':1,"
				  "'rate':1,'priority_rate':2}]"),
			      "policers[0].priority_rate: only for stun and dtls policers"));
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"control: allow_from, token, unix socket access", test_control_access},
	{"default.json loads", test_default_json},
	{"example-sdes.json loads", test_example_sdes},
	{"minimal config and defaults", test_minimal_defaults},
	{"interface errors name the path", test_interface_errors},
	{"interface values", test_interface_values},
	{"syntax, root and control errors", test_syntax_and_root},
	{"codec entry errors", test_codec_errors},
	{"profile errors", test_profile_errors},
	{"implicit default profiles", test_implicit_profiles},
	{"trunk group errors", test_trunk_group_errors},
	{"sdp rules", test_sdp_rules},
	{"endpoint learning keys", test_latch},
	{"policers", test_policers},
};

WRTC_TEST_MAIN(cases)
