/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The gateway configuration: one JSON file turned into plain C structs.
 *
 * wrtc_config_load_file() reads and checks the whole file at start on the
 * control lcore. Every object of the file is described by a table of
 * {name, JSON type, required, check function} walked by one validator, so an
 * error always names the JSON path and the reason, for example
 * `interfaces[1].ipv4: not an IPv4 address`. Unknown keys are rejected by
 * name (keys starting with '_' are comments and ignored). Cross references
 * (a trunk group's interface and packet service profile, a profile's codec
 * entries) are resolved to array indices, so users of the result never look
 * names up again and workers never see JSON.
 *
 * The result is read-only after loading and owned by the caller, who frees it
 * with wrtc_config_free(). docs/configuration.md is the reference of every key.
 */
#ifndef WRTC_CONFIG_H
#define WRTC_CONFIG_H

#include <stdbool.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "wrtc_rpc.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	WRTC_CONFIG_NAME_SIZE = 64,   /**< Names: 1..63 characters [A-Za-z0-9_.:-]. */
	WRTC_CONFIG_PATH_SIZE = 256,  /**< File paths (PKCS#12). */
	WRTC_CONFIG_UNIX_SIZE = 108,  /**< Unix socket path (sun_path). */
	WRTC_CONFIG_ERR_SIZE = 512,   /**< Suggested size of the error buffer. */
	WRTC_CONFIG_MAX_SUITES = 4,   /**< Distinct SRTP suites. */
	WRTC_CONFIG_MAX_CODECS = 16,  /**< Codec entries per packet service profile. */
	WRTC_CONFIG_MAX_LOG_LEVELS = 16, /**< Entries of `log_levels`. */
};

/** DTLS protocol versions, as bits of wrtc_config_dtls_profile::versions. */
enum wrtc_config_dtls_version {
	WRTC_CONFIG_DTLS_1_0 = 1 << 0, /**< "1.0" */
	WRTC_CONFIG_DTLS_1_2 = 1 << 1, /**< "1.2" */
};

/** DTLS role. */
enum wrtc_config_dtls_role {
	WRTC_CONFIG_DTLS_ROLE_AUTO,    /**< "auto": from the peer's a=setup. */
	WRTC_CONFIG_DTLS_ROLE_ACTIVE,  /**< "active": always the DTLS client. */
	WRTC_CONFIG_DTLS_ROLE_PASSIVE, /**< "passive": always the DTLS server. */
};

/** Certificate fingerprint hash. */
enum wrtc_config_hash {
	WRTC_CONFIG_HASH_SHA256, /**< "sha-256" */
	WRTC_CONFIG_HASH_SHA1,   /**< "sha-1" */
};

/** SRTP crypto suites (RFC 4568 / RFC 7714 names). */
enum wrtc_config_srtp_suite {
	WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_80, /**< "AES_CM_128_HMAC_SHA1_80" */
	WRTC_CONFIG_SUITE_AES_CM_128_HMAC_SHA1_32, /**< "AES_CM_128_HMAC_SHA1_32" */
	WRTC_CONFIG_SUITE_AEAD_AES_128_GCM,        /**< "AEAD_AES_128_GCM" */
	WRTC_CONFIG_SUITE_AEAD_AES_256_GCM,        /**< "AEAD_AES_256_GCM" */
};

/** Codecs a codec entry may name. */
enum wrtc_config_codec {
	WRTC_CONFIG_CODEC_OPUS,            /**< "opus" */
	WRTC_CONFIG_CODEC_PCMU,            /**< "PCMU" */
	WRTC_CONFIG_CODEC_PCMA,            /**< "PCMA" */
	WRTC_CONFIG_CODEC_G722,            /**< "G722" */
	WRTC_CONFIG_CODEC_TELEPHONE_EVENT, /**< "telephone-event" (RFC 4733) */
};

/** The kind of endpoint a trunk group faces. */
enum wrtc_config_trunk_kind {
	WRTC_CONFIG_TRUNK_WEBRTC, /**< "webrtc": browsers (ICE, DTLS-SRTP, rtcp-mux). */
	WRTC_CONFIG_TRUNK_SIP,    /**< "sip": phones, PBXs, SIP trunks. */
};

/** ICE mode of a trunk group. */
enum wrtc_config_ice {
	WRTC_CONFIG_ICE_NONE, /**< "none" */
	WRTC_CONFIG_ICE_LITE, /**< "lite" */
	WRTC_CONFIG_ICE_FULL, /**< "full" */
};

/**
 * Endpoint learning on the plain RTP legs of a trunk group: when a source
 * other than the signalled c=/port may become a stream's remote.
 */
enum wrtc_config_latch {
	WRTC_CONFIG_LATCH_OFF,       /**< "off": the signalled address only. */
	WRTC_CONFIG_LATCH_IMMEDIATE, /**< "immediate": after latch_packets in a row. */
	WRTC_CONFIG_LATCH_DELAYED,   /**< "delayed": likewise, not before latch_delay_ms. */
	WRTC_CONFIG_LATCH_HEURISTIC, /**< "heuristic": ranked by likeness to the signalled
				      *   address; only the same IP skips the delay. */
};

/** Kinds of c= address refused unless a trunk group allows them (bits). */
enum {
	WRTC_CONFIG_CADDR_LOOPBACK = 1u << 0,  /**< "loopback": 127.0.0.0/8, ::1 */
	WRTC_CONFIG_CADDR_MULTICAST = 1u << 1, /**< "multicast": 224.0.0.0/4, ff00::/8 */
	WRTC_CONFIG_CADDR_BROADCAST = 1u << 2, /**< "broadcast": 255.255.255.255, subnet broadcast */
	WRTC_CONFIG_CADDR_OWN = 1u << 3,       /**< "own": an address of the gateway */
	WRTC_CONFIG_CADDR_UNSPECIFIED = 1u << 4, /**< "unspecified": 0.0.0.0/8 other than
						  *   0.0.0.0 (hold), :: */
};

/** Which address family the gateway puts in the SDP of a trunk group. */
enum wrtc_config_addr_type {
	WRTC_CONFIG_ADDR_IPV4,            /**< "ipv4": always IPv4. */
	WRTC_CONFIG_ADDR_IPV6,            /**< "ipv6": always IPv6. */
	WRTC_CONFIG_ADDR_MATCH,           /**< "match": the family of the peer's c= line. */
	WRTC_CONFIG_ADDR_PREFER_RECEIVED, /**< "prefer-received": the family the peer prefers
					       (its highest-priority candidate, else its c=). */
};

/** Direction an SDP rule applies to, seen from the gateway. */
enum wrtc_config_sdp_dir {
	WRTC_CONFIG_SDP_IN,   /**< "in": SDP received from this trunk group. */
	WRTC_CONFIG_SDP_OUT,  /**< "out": SDP sent to this trunk group. */
	WRTC_CONFIG_SDP_BOTH, /**< "both" */
};

/** What an SDP rule does with the lines its regex matches. */
enum wrtc_config_sdp_action {
	WRTC_CONFIG_SDP_SUBSTITUTE, /**< "substitute": replace the match by the replacement. */
	WRTC_CONFIG_SDP_DELETE,     /**< "delete": remove every line that matches. */
};

/** What a policer polices. */
enum wrtc_config_policer_type {
	WRTC_CONFIG_POLICER_LINK_DATA, /**< "link-data": all packets received on a link. */
	WRTC_CONFIG_POLICER_STUN,      /**< "stun": STUN packets before the control lcore. */
	WRTC_CONFIG_POLICER_DTLS,      /**< "dtls": DTLS packets before the control lcore. */
	WRTC_CONFIG_POLICER_ARP,       /**< "arp": ARP packets before the control lcore. */
	WRTC_CONFIG_POLICER_ND,        /**< "nd": neighbour discovery before the control lcore. */
	WRTC_CONFIG_POLICER_ICMP,      /**< "icmp": ICMP/ICMPv6 echo requests (and so replies). */
};

/** Token unit of a policer. */
enum wrtc_config_policer_mode {
	WRTC_CONFIG_POLICER_PACKET_RATE, /**< "packet-rate": packets, packets/s. */
	WRTC_CONFIG_POLICER_DATA_RATE,   /**< "data-rate": bytes, bytes/s. */
};

/** One entry of `interfaces`. */
struct wrtc_config_interface {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	char port[WRTC_CONFIG_NAME_SIZE];  /**< DPDK device name, or the port index in decimal. */
	int32_t port_index;                /**< Port index when given as a number, else -1. */
	bool has_ipv4;                     /**< ipv4 is set. */
	struct in_addr ipv4;               /**< Local IPv4 address. */
	uint8_t ipv4_prefix;               /**< Its prefix length, 0..32. */
	bool has_ipv6;                     /**< ipv6 is set. */
	struct in6_addr ipv6;              /**< Local IPv6 address. */
	uint8_t ipv6_prefix;               /**< Its prefix length, 0..128. */
	bool has_gateway4;                 /**< gateway4 is set (inside the ipv4 subnet). */
	struct in_addr gateway4;           /**< IPv4 next hop for off-subnet peers. */
	bool has_gateway6;                 /**< gateway6 is set. */
	struct in6_addr gateway6;          /**< IPv6 next hop for off-subnet peers. */
	bool has_advertised_ipv4;          /**< advertised_ipv4 is set (1:1 NAT). */
	struct in_addr advertised_ipv4;    /**< Address written into SDP instead of ipv4. */
	bool has_advertised_ipv6;          /**< advertised_ipv6 is set. */
	struct in6_addr advertised_ipv6;   /**< Address written into SDP instead of ipv6. */
	uint16_t media_port_min;           /**< First RTP port (even). */
	uint16_t media_port_max;           /**< Last usable port (RTCP of the last RTP port). */
};

/** One entry of `dtls_profiles`. */
struct wrtc_config_dtls_profile {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	unsigned int versions;             /**< Bits of enum wrtc_config_dtls_version. */
	enum wrtc_config_dtls_role role;   /**< Role policy. */
	bool generated_certificate;        /**< true: generate an ECDSA P-256 certificate. */
	char pkcs12[WRTC_CONFIG_PATH_SIZE]; /**< PKCS#12 file (resolved against the config's
					        directory) when not generated. */
	char passphrase[WRTC_CONFIG_NAME_SIZE * 2]; /**< Its passphrase ("" if none). */
	enum wrtc_config_hash fingerprint_hash; /**< Hash of a=fingerprint. */
	uint32_t handshake_timeout;        /**< Seconds until a handshake is given up. */
};

/** One entry of `crypto_suite_profiles`. */
struct wrtc_config_crypto_profile {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	unsigned int n_suites;             /**< 1..WRTC_CONFIG_MAX_SUITES. */
	enum wrtc_config_srtp_suite suites[WRTC_CONFIG_MAX_SUITES]; /**< In preference order. */
};

/** One entry of `codec_entries`. */
struct wrtc_config_codec_entry {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	enum wrtc_config_codec codec;      /**< Codec. */
	uint32_t clock;                    /**< RTP clock rate in Hz. */
	uint8_t channels;                  /**< Audio channels (Opus: 1 or 2 encoded). */
	uint16_t ptime;                    /**< Packet time in ms. */
	uint8_t payload_type;              /**< RTP payload type offered. */
	uint8_t complexity;                /**< Opus encoder complexity 0..10. */
	uint32_t bitrate;                  /**< Opus encoder bitrate in bit/s. */
	bool fec;                          /**< Opus in-band FEC. */
	bool dtx;                          /**< Opus DTX. */
};

/** One entry of `packet_service_profiles`. */
struct wrtc_config_psp {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	unsigned int n_codecs;             /**< 1..WRTC_CONFIG_MAX_CODECS. */
	uint16_t codecs[WRTC_CONFIG_MAX_CODECS]; /**< Indices into wrtc_config::codec_entries,
						      in preference order. */
	bool transcode;                    /**< Transcoding allowed. */
	bool rtcp;                         /**< Relay/generate RTCP. */
	bool rtcp_mux;                     /**< RTCP on the RTP port. */
	bool srtp;                         /**< Media is SRTP. */
	bool dtls;                         /**< SRTP keys by DTLS-SRTP. */
	bool sdes;                         /**< SRTP keys by SDES (a=crypto). */
	bool allow_dtls_fallback;          /**< Accept plain RTP when the peer has no DTLS. */
	bool srtp_relay;                   /**< Relay SRTP unchanged when both legs allow. */
	bool sctp_relay;                   /**< Relay DTLS/SCTP data channels. */
	bool reoffer_new_ssrc;             /**< A re-offer that changes a transcoded stream's
	                                        codec starts a new outgoing SSRC (default: the
	                                        same SSRC goes on, marker bit, timestamp jump). */
	int32_t crypto_suite_profile;      /**< Index into crypto_suite_profiles, -1 if no SRTP. */
	int32_t dtls_profile;              /**< Index into dtls_profiles, -1 if no DTLS. */
};

/** One entry of a trunk group's `sdp_rules`. */
struct wrtc_config_sdp_rule {
	enum wrtc_config_sdp_dir direction;   /**< When the rule applies. */
	enum wrtc_config_sdp_action action;   /**< What it does. */
	char *regex;                          /**< POSIX extended regex (compiles). */
	char *replacement;                    /**< For substitute ("" for delete). */
};

/** One entry of `trunk_groups`. */
struct wrtc_config_trunk_group {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name, as in offer's ingress/egress. */
	uint16_t interface;                /**< Index into wrtc_config::interfaces. */
	enum wrtc_config_trunk_kind kind;  /**< webrtc or sip. */
	enum wrtc_config_ice ice;          /**< ICE mode. */
	enum wrtc_config_addr_type address_type; /**< SDP address family choice. */
	uint16_t psp;                      /**< Index into packet_service_profiles. */
	bool policing;                     /**< Policers apply to this trunk group's media. */
	enum wrtc_config_latch latch;      /**< Endpoint learning mode (plain RTP legs). */
	uint16_t latch_packets;            /**< Consecutive packets to learn a source, 1..1000. */
	uint32_t latch_window_ms;          /**< Learning window after call start or re-offer. */
	uint32_t latch_delay_ms;           /**< Head start of the signalled address (delayed,
					        heuristic), below latch_window_ms. */
	unsigned int allow_caddr;          /**< WRTC_CONFIG_CADDR_* bits accepted in c=. */
	unsigned int n_sdp_rules;          /**< Entries in sdp_rules. */
	struct wrtc_config_sdp_rule *sdp_rules; /**< In file order. */
};

/** One entry of `policers`. */
struct wrtc_config_policer {
	char name[WRTC_CONFIG_NAME_SIZE];  /**< Unique name. */
	enum wrtc_config_policer_type type; /**< What it polices. */
	enum wrtc_config_policer_mode mode; /**< Token unit. */
	uint64_t bucket;                   /**< Burst: packets or bytes. */
	uint64_t rate;                     /**< Tokens per second for ordinary sources. */
	uint64_t priority_rate;            /**< Tokens per second for signalled candidates
					        (== rate when not configured). */
	uint64_t pair_rate;                /**< stun/dtls: tokens per second for the exact
					        transport addresses of selected ICE pairs
					        (== priority_rate when not configured). */
	uint8_t srflx_prefix_v4;           /**< Server-reflexive IPv4 match length, 0..32. */
	int32_t interface;                 /**< link-data: interface index, -1 = every link. */
};

/** The `control` object. */
struct wrtc_config_control {
	bool rpc_tcp_enabled;              /**< rpc_tcp is not "". */
	char rpc_tcp_host[64];             /**< Numeric listen address ("127.0.0.1", "::1"). */
	uint16_t rpc_tcp_port;             /**< Listen port (0: any, for tests). */
	char rpc_tcp[80];                  /**< As written, e.g. "127.0.0.1:9900" ("" = off). */
	char rpc_unix[WRTC_CONFIG_UNIX_SIZE]; /**< Unix socket path ("" = none). */
	bool ng_enabled;                   /**< ng_listen is not "". */
	char ng_host[64];                  /**< ng UDP listen address (loopback only). */
	uint16_t ng_port;                  /**< ng UDP port (0: any, for tests). */
	char ng_listen[80];                /**< As written, e.g. "127.0.0.1:2223" ("" = off). */
	uint32_t media_timeout;            /**< Seconds without media before a call ends. */
	uint32_t hold_timeout;             /**< The same for a call on hold (sendonly, inactive,
					    *   c=0.0.0.0). */
	uint32_t max_calls;                /**< Concurrent calls accepted. */
	uint32_t idle_max_us;              /**< `idle_max_us`: longest wait of an idle control
					    *   loop for a socket or its next timer, us
					    *   (default 2000). */
	bool metrics_enabled;              /**< metrics_listen is not "". */
	char metrics_listen[80];           /**< Prometheus endpoint as written ("" = off). */
	char metrics_host[64];             /**< Its numeric listen address. */
	uint16_t metrics_port;             /**< Its port (0: any, for tests). */
	/** `allow_from`: source prefixes every control listener accepts (empty:
	 * any, and then listeners must be on loopback). */
	struct wrtc_rpc_acl allow_from;
	char token[WRTC_RPC_TOKEN_MAX + 1]; /**< `token`: shared secret ("" = none). */
	bool rpc_unix_set_owner;           /**< `rpc_unix_owner` given. */
	uid_t rpc_unix_uid;                /**< Its uid (a user name is resolved at load). */
	bool rpc_unix_set_group;           /**< `rpc_unix_group` given. */
	gid_t rpc_unix_gid;                /**< Its gid (a group name is resolved at load). */
	uint32_t rpc_unix_mode;            /**< `rpc_unix_mode` (e.g. 0660), 0 = as created. */
};

/** The `capture` object (per-call packet capture). */
struct wrtc_config_capture {
	char dir[WRTC_CONFIG_PATH_SIZE];   /**< Directory of the pcapng files
					    *   (default /var/tmp/wrtcgw). */
};

/** Role of this node in the `ha` object. */
enum wrtc_config_ha_role {
	WRTC_CONFIG_HA_ACTIVE = 0,         /**< Owns and persists its calls. */
	WRTC_CONFIG_HA_STANDBY,            /**< Holds another node's calls as foreign. */
};

/** The `ha` object (call state in Redis; docs/configuration.md). */
struct wrtc_config_ha {
	bool enabled;                      /**< `redis` given. */
	char redis[WRTC_CONFIG_PATH_SIZE]; /**< As written: "ip:port" or "unix:/path". */
	char redis_host[64];               /**< Numeric address ("" for a unix socket). */
	uint16_t redis_port;               /**< TCP port. */
	char redis_unix[108];              /**< Unix socket path ("" for TCP). */
	uint32_t db;                       /**< This node's database (0..15, default 0). */
	char key_prefix[WRTC_CONFIG_NAME_SIZE]; /**< Key prefix (default "wrtc:"). */
	uint32_t expiry;                   /**< Key expiry, seconds (default 86400). */
	char node_id[WRTC_CONFIG_NAME_SIZE]; /**< This node (default the host name). */
	enum wrtc_config_ha_role role;     /**< `role` (default active). */
	uint32_t max_pending;              /**< Writes in flight at most (default 4096). */
};

/** The `workers` object (hints for the launcher). */
struct wrtc_config_workers {
	uint32_t count;                    /**< Workers to use, 0 = one per worker lcore. */
	uint32_t mbufs;                    /**< Mbufs per pool. */
	uint16_t rx_desc;                  /**< RX descriptors per queue. */
	uint16_t tx_desc;                  /**< TX descriptors per queue. */
	bool idle_adaptive;                /**< `idle`: "adaptive" (default) sleeps when idle,
					    *   "poll" busy-polls. */
	uint32_t idle_max_us;              /**< Longest adaptive sleep, us (default 200). */
};

/** One entry of `log_levels`: a log type pattern and its level. */
struct wrtc_config_log_level {
	char pattern[WRTC_CONFIG_NAME_SIZE]; /**< Log type or glob, e.g. "wrtc.session", "wrtc.*". */
	unsigned int level;                /**< Syslog-style 1 (emerg) .. 8 (debug), as RTE_LOG_*. */
};

/** A loaded configuration. Arrays are in file order. */
struct wrtc_config {
	unsigned int n_interfaces;                       /**< >= 1 */
	struct wrtc_config_interface *interfaces;        /**< `interfaces` */
	unsigned int n_dtls_profiles;                    /**< May include an implicit
							      "default" profile. */
	struct wrtc_config_dtls_profile *dtls_profiles;  /**< `dtls_profiles` */
	unsigned int n_crypto_profiles;                  /**< May include an implicit
							      "default" profile. */
	struct wrtc_config_crypto_profile *crypto_profiles; /**< `crypto_suite_profiles` */
	unsigned int n_codec_entries;                    /**< >= 1 */
	struct wrtc_config_codec_entry *codec_entries;   /**< `codec_entries` */
	unsigned int n_psps;                             /**< >= 1 */
	struct wrtc_config_psp *psps;                    /**< `packet_service_profiles` */
	unsigned int n_trunk_groups;                     /**< >= 1 */
	struct wrtc_config_trunk_group *trunk_groups;    /**< `trunk_groups` */
	unsigned int n_policers;                         /**< May be 0. */
	struct wrtc_config_policer *policers;            /**< `policers` */
	struct wrtc_config_control control;              /**< `control` (defaults if absent). */
	struct wrtc_config_workers workers;              /**< `workers` (defaults if absent). */
	unsigned int n_log_levels;                       /**< Entries in log_levels. */
	struct wrtc_config_log_level log_levels[WRTC_CONFIG_MAX_LOG_LEVELS]; /**< `log_levels`,
							      in file order. */
	struct wrtc_config_capture capture;              /**< `capture` (defaults if absent). */
	struct wrtc_config_ha ha;                        /**< `ha` (disabled if absent). */
};

/**
 * Load and check a configuration file.
 *
 * @param path  JSON file. Relative paths inside it (PKCS#12 files) are taken
 *   relative to the file's directory.
 * @param err  receives a one-line message on failure: "PATH:LINE:COL: reason"
 *   for JSON syntax errors, "json.path: reason" for bad content. May be NULL.
 * @param err_size  size of @p err (WRTC_CONFIG_ERR_SIZE is enough).
 * @return the configuration, or NULL with errno set: ENOENT/EACCES (file),
 *   EINVAL (syntax or content), ENOMEM.
 */
struct wrtc_config *
wrtc_config_load_file(const char *path, char *err, size_t err_size);

/**
 * Load and check a configuration held in memory.
 *
 * @param json  the JSON text (need not be NUL-terminated).
 * @param len  its length in bytes.
 * @param base_dir  directory for relative paths inside it, or NULL for the
 *   current directory.
 * @param err  as for wrtc_config_load_file(); syntax errors read "LINE:COL: reason".
 * @param err_size  size of @p err.
 * @return the configuration, or NULL with errno set (EINVAL, ENOMEM).
 */
struct wrtc_config *
wrtc_config_load_string(const char *json, size_t len, const char *base_dir, char *err,
			size_t err_size);

/**
 * Free a configuration. NULL is accepted and ignored.
 *
 * @param cfg  from wrtc_config_load_file() or wrtc_config_load_string().
 */
void
wrtc_config_free(struct wrtc_config *cfg);

/**
 * Find a trunk group by name (the ingress/egress of an offer).
 *
 * @return the index, or -1 if there is none.
 */
int
wrtc_config_trunk_group_find(const struct wrtc_config *cfg, const char *name);

/**
 * Find an interface by name.
 *
 * @return the index, or -1 if there is none.
 */
int
wrtc_config_interface_find(const struct wrtc_config *cfg, const char *name);

/** @return the configuration spelling of a codec ("opus", "PCMU", ...). */
const char *
wrtc_config_codec_str(enum wrtc_config_codec c);

/** @return the configuration spelling of an SRTP suite ("AES_CM_128_HMAC_SHA1_80", ...). */
const char *
wrtc_config_suite_str(enum wrtc_config_srtp_suite s);

/** @return "none", "lite" or "full". */
const char *
wrtc_config_ice_str(enum wrtc_config_ice ice);

/** @return "off", "immediate", "delayed" or "heuristic". */
const char *
wrtc_config_latch_str(enum wrtc_config_latch l);

/** @return "webrtc" or "sip". */
const char *
wrtc_config_trunk_kind_str(enum wrtc_config_trunk_kind k);

/** @return "link-data", "stun" or "dtls". */
const char *
wrtc_config_policer_type_str(enum wrtc_config_policer_type t);

/** @return "packet-rate" or "data-rate". */
const char *
wrtc_config_policer_mode_str(enum wrtc_config_policer_mode m);

#ifdef __cplusplus
}
#endif

#endif
