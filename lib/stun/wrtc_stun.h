/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * STUN messages (RFC 8489, RFC 5389) as ICE (RFC 8445) and consent freshness
 * (RFC 7675) use them. EAL-free: no DPDK, no heap in parse or build.
 *
 * Parsing validates the header (leading zero bits, length, magic cookie), every
 * attribute TLV and its padding, the lengths of the attributes it knows, the
 * rule that only FINGERPRINT may follow MESSAGE-INTEGRITY and that nothing may
 * follow FINGERPRINT, and the FINGERPRINT value itself. A message that fails
 * is reported with a reason (enum wrtc_stun_err) that the caller counts in a
 * struct wrtc_stun_stats. The parsed view (struct wrtc_stun_msg) points into
 * the caller's buffer; it copies nothing.
 *
 * Building writes into a caller buffer through struct wrtc_stun_builder:
 * wrtc_stun_builder_init(), then attributes, then optionally
 * wrtc_stun_builder_add_integrity() and wrtc_stun_builder_add_fingerprint(),
 * in that order.
 *
 * MESSAGE-INTEGRITY uses a pre-keyed HMAC-SHA1 context per password
 * (struct wrtc_stun_key): the key schedule is computed once when the key is
 * created, and each message only re-initialises the context.
 *
 * Thread safety: parse and build functions are reentrant. A struct
 * wrtc_stun_key holds a mutable OpenSSL context and must be used by one
 * thread at a time (the control lcore).
 */
#ifndef WRTC_STUN_H
#define WRTC_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Sizes and constants of the wire format. */
enum {
	WRTC_STUN_HDR_SIZE = 20,            /**< Fixed header. */
	WRTC_STUN_TID_SIZE = 12,            /**< Transaction id. */
	WRTC_STUN_MAGIC = 0x2112A442,       /**< Magic cookie. */
	WRTC_STUN_FP_XOR = 0x5354554e,      /**< FINGERPRINT = CRC-32 xor this. */
	WRTC_STUN_HMAC_SIZE = 20,           /**< MESSAGE-INTEGRITY value. */
	WRTC_STUN_MAX_UNKNOWN = 8,          /**< Unknown attribute types remembered. */
	WRTC_STUN_USERNAME_MAX = 513,       /**< RFC 8489 limit on USERNAME bytes. */
	WRTC_STUN_MSG_MAX = 1280,           /**< Largest message we build. */
};

/** Methods (only Binding is used by ICE). */
enum {
	WRTC_STUN_BINDING = 0x001,
};

/** Message classes, as the value of struct wrtc_stun_msg::cls. */
enum wrtc_stun_class {
	WRTC_STUN_REQUEST = 0,       /**< Request. */
	WRTC_STUN_INDICATION = 1,    /**< Indication. */
	WRTC_STUN_SUCCESS = 2,       /**< Success response. */
	WRTC_STUN_ERROR = 3,         /**< Error response. */
};

/** Attribute types. Below 0x8000 they are comprehension-required. */
enum {
	WRTC_STUN_ATTR_MAPPED_ADDRESS = 0x0001,
	WRTC_STUN_ATTR_USERNAME = 0x0006,
	WRTC_STUN_ATTR_MESSAGE_INTEGRITY = 0x0008,
	WRTC_STUN_ATTR_ERROR_CODE = 0x0009,
	WRTC_STUN_ATTR_UNKNOWN_ATTRIBUTES = 0x000A,
	WRTC_STUN_ATTR_REALM = 0x0014,
	WRTC_STUN_ATTR_NONCE = 0x0015,
	WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS = 0x0020,
	WRTC_STUN_ATTR_PRIORITY = 0x0024,
	WRTC_STUN_ATTR_USE_CANDIDATE = 0x0025,
	WRTC_STUN_ATTR_SOFTWARE = 0x8022,
	WRTC_STUN_ATTR_ALTERNATE_SERVER = 0x8023,
	WRTC_STUN_ATTR_FINGERPRINT = 0x8028,
	WRTC_STUN_ATTR_ICE_CONTROLLED = 0x8029,
	WRTC_STUN_ATTR_ICE_CONTROLLING = 0x802A,
};

/** ERROR-CODE values used by ICE. */
enum {
	WRTC_STUN_ERR_BAD_REQUEST = 400,
	WRTC_STUN_ERR_UNAUTHORIZED = 401,
	WRTC_STUN_ERR_UNKNOWN_ATTRIBUTE = 420,
	WRTC_STUN_ERR_ROLE_CONFLICT = 487,
};

/**
 * Why a message was rejected. X(ENUM_SUFFIX, "name") per reason; it generates
 * enum wrtc_stun_err and wrtc_stun_err_name().
 */
#define WRTC_STUN_ERRS(X) \
	X(NONE, "none") \
	X(TRUNCATED, "truncated-header") \
	X(NOT_STUN, "not-stun") \
	X(BAD_COOKIE, "bad-magic-cookie") \
	X(BAD_LENGTH, "bad-message-length") \
	X(ATTR_TRUNCATED, "attribute-truncated") \
	X(ATTR_LENGTH, "bad-attribute-length") \
	X(ATTR_VALUE, "bad-attribute-value") \
	X(AFTER_FINGERPRINT, "attribute-after-fingerprint") \
	X(BAD_FINGERPRINT, "bad-fingerprint") \
	X(NO_INTEGRITY, "no-message-integrity") \
	X(BAD_INTEGRITY, "bad-message-integrity")

/** Rejection reasons, see WRTC_STUN_ERRS. */
enum wrtc_stun_err {
#define WRTC_STUN_ERR_ENUM(e, s) WRTC_STUN_E_##e,
	WRTC_STUN_ERRS(WRTC_STUN_ERR_ENUM)
#undef WRTC_STUN_ERR_ENUM
	WRTC_STUN_E_MAX
};

/** Counters of parsed and rejected messages; the caller owns and reads them. */
struct wrtc_stun_stats {
	uint64_t parsed;                    /**< Messages that parsed. */
	uint64_t err[WRTC_STUN_E_MAX];      /**< Rejections, by enum wrtc_stun_err. */
};

/** A located attribute: value pointer into the message and its length. */
struct wrtc_stun_attr_ref {
	const uint8_t *val;   /**< NULL if the attribute is absent. */
	uint16_t len;         /**< Value length in bytes, without padding. */
};

/**
 * A parsed message. Pointers refer to the buffer given to
 * wrtc_stun_msg_parse(), which must outlive this view. Only the first
 * occurrence of an attribute is recorded; attributes after
 * MESSAGE-INTEGRITY other than FINGERPRINT are ignored (RFC 8489 14.5).
 */
struct wrtc_stun_msg {
	const uint8_t *buf;            /**< The whole message. */
	size_t size;                   /**< Its size, header included. */
	uint16_t type;                 /**< Raw message type field. */
	uint16_t method;               /**< Method, e.g. WRTC_STUN_BINDING. */
	enum wrtc_stun_class cls;      /**< Class. */
	const uint8_t *tid;            /**< 12-byte transaction id. */
	struct wrtc_stun_attr_ref username;       /**< USERNAME. */
	struct wrtc_stun_attr_ref realm;          /**< REALM. */
	struct wrtc_stun_attr_ref nonce;          /**< NONCE. */
	struct wrtc_stun_attr_ref software;       /**< SOFTWARE. */
	struct wrtc_stun_attr_ref xor_mapped;     /**< XOR-MAPPED-ADDRESS. */
	struct wrtc_stun_attr_ref mapped;         /**< MAPPED-ADDRESS. */
	struct wrtc_stun_attr_ref error_code;     /**< ERROR-CODE. */
	size_t integrity_off;          /**< Offset of the MESSAGE-INTEGRITY TLV, 0 if absent. */
	size_t fingerprint_off;        /**< Offset of the FINGERPRINT TLV, 0 if absent. */
	bool has_priority;             /**< PRIORITY present. */
	uint32_t priority;             /**< PRIORITY value. */
	bool use_candidate;            /**< USE-CANDIDATE present. */
	bool has_controlling;          /**< ICE-CONTROLLING present. */
	bool has_controlled;           /**< ICE-CONTROLLED present. */
	uint64_t tie_breaker;          /**< Value of ICE-CONTROLLING or -CONTROLLED. */
	uint16_t n_unknown;            /**< Unknown comprehension-required attributes. */
	uint16_t unknown[WRTC_STUN_MAX_UNKNOWN]; /**< Their types (first ones). */
	enum wrtc_stun_err err;        /**< Why parsing failed, WRTC_STUN_E_NONE if it did not. */
};

/** Pre-keyed HMAC-SHA1 for one password (opaque). */
struct wrtc_stun_key;

/** Builder over a caller buffer. Fields are private to the stun library. */
struct wrtc_stun_builder {
	uint8_t *buf;     /**< Caller buffer. */
	size_t cap;       /**< Its capacity. */
	size_t len;       /**< Bytes written so far (header included). */
	int err;          /**< First error (-ENOSPC, -EINVAL), sticky. */
};

/**
 * Name of a rejection reason, for counters and logs.
 *
 * @param e  Reason.
 * @return   Static string, "unknown" if out of range.
 */
const char *
wrtc_stun_err_name(enum wrtc_stun_err e);

/**
 * Quick demultiplexing test (RFC 7983 + magic cookie): could @p buf be STUN?
 *
 * @param buf   Datagram payload.
 * @param size  Its size.
 * @return      true if the first byte is 0..3, the size at least a header and
 *              the magic cookie is present.
 */
bool
wrtc_stun_is_stun(const uint8_t *buf, size_t size);

/**
 * Parse and validate a STUN message. Verifies FINGERPRINT when present.
 *
 * @param m      Filled with the parsed view; m->err says why on failure.
 * @param buf    The UDP payload (exactly one message).
 * @param size   Its size.
 * @param stats  Counters to update (parsed or err[m->err]); may be NULL.
 * @return       0, or -EBADMSG (m->err names the reason), -EINVAL on NULL arguments.
 */
int
wrtc_stun_msg_parse(struct wrtc_stun_msg *m, const uint8_t *buf, size_t size,
		    struct wrtc_stun_stats *stats);

/**
 * Decode an (XOR-)MAPPED-ADDRESS value.
 *
 * @param m     Parsed message (for the transaction id).
 * @param a     Attribute reference (m->xor_mapped or m->mapped).
 * @param xored true for XOR-MAPPED-ADDRESS, false for MAPPED-ADDRESS.
 * @param ss    Filled with an AF_INET or AF_INET6 address and port.
 * @return      0, -ENOENT if absent, -EBADMSG if malformed, -EAFNOSUPPORT for a bad family.
 */
int
wrtc_stun_msg_get_addr(const struct wrtc_stun_msg *m, const struct wrtc_stun_attr_ref *a,
		       bool xored, struct sockaddr_storage *ss);

/**
 * Decode ERROR-CODE.
 *
 * @param m       Parsed message.
 * @param code    Filled with the code (300..699).
 * @return        0, -ENOENT if absent, -EBADMSG if malformed.
 */
int
wrtc_stun_msg_get_error_code(const struct wrtc_stun_msg *m, int *code);

/**
 * Verify MESSAGE-INTEGRITY with @p key.
 *
 * @param m     Parsed message.
 * @param key   Pre-keyed HMAC for the expected password.
 * @return      0 if valid, -ENOENT if absent, -EACCES if wrong, -EIO on a crypto error.
 */
int
wrtc_stun_msg_check_integrity(const struct wrtc_stun_msg *m, struct wrtc_stun_key *key);

/**
 * Create a short-term credential key (ICE: the password as is; RFC 8489
 * 9.1.1 OpaqueString processing is the caller's, ICE passwords are ASCII).
 *
 * @param pwd   Password bytes.
 * @param len   Their count.
 * @return      The key, or NULL with errno set (ENOMEM, EIO).
 */
struct wrtc_stun_key *
wrtc_stun_key_create(const void *pwd, size_t len);

/**
 * Create a long-term credential key: MD5(username ":" realm ":" password)
 * (RFC 8489 9.2.2). SASLprep/OpaqueString of the password is the caller's.
 *
 * @param username  USERNAME value (UTF-8).
 * @param realm     REALM value.
 * @param password  Password after SASLprep.
 * @return          The key, or NULL with errno set (EINVAL, ENOMEM, EIO).
 */
struct wrtc_stun_key *
wrtc_stun_key_create_long_term(const char *username, const char *realm, const char *password);

/**
 * Free a key. NULL is a no-op.
 *
 * @param key  Key or NULL.
 */
void
wrtc_stun_key_free(struct wrtc_stun_key *key);

/**
 * HMAC-SHA1 of two buffers with a pre-keyed context (used for
 * MESSAGE-INTEGRITY, exported for tests and benchmarks).
 *
 * @param key   Key.
 * @param a     First part (may be NULL if @p alen is 0).
 * @param alen  Its size.
 * @param b     Second part (may be NULL if @p blen is 0).
 * @param blen  Its size.
 * @param out   20 bytes.
 * @return      0 or -EIO.
 */
int
wrtc_stun_key_hmac(struct wrtc_stun_key *key, const void *a, size_t alen, const void *b,
		   size_t blen, uint8_t out[WRTC_STUN_HMAC_SIZE]);

/**
 * CRC-32 (ISO-HDLC, as zlib) of a buffer.
 *
 * @param buf   Data (may be NULL if @p size is 0).
 * @param size  Its size.
 * @return      The CRC.
 */
uint32_t
wrtc_stun_crc32(const uint8_t *buf, size_t size);

/**
 * Start a message.
 *
 * @param b      Builder.
 * @param buf    Output buffer.
 * @param cap    Its capacity (at least WRTC_STUN_HDR_SIZE).
 * @param method Method (WRTC_STUN_BINDING).
 * @param cls    Class.
 * @param tid    12-byte transaction id.
 * @return       0, -ENOSPC, -EINVAL.
 */
int
wrtc_stun_builder_init(struct wrtc_stun_builder *b, uint8_t *buf, size_t cap, uint16_t method,
		       enum wrtc_stun_class cls, const uint8_t tid[WRTC_STUN_TID_SIZE]);

/**
 * Append an attribute with a raw value (padded with zeros to 4 bytes).
 *
 * @param b     Builder.
 * @param type  Attribute type.
 * @param val   Value (may be NULL if @p len is 0).
 * @param len   Its size.
 * @return      0, or the sticky error (-ENOSPC, -EINVAL).
 */
int
wrtc_stun_builder_add_attr(struct wrtc_stun_builder *b, uint16_t type, const void *val,
			   uint16_t len);

/**
 * Append a 32-bit attribute (PRIORITY).
 *
 * @param b     Builder.
 * @param type  Attribute type.
 * @param v     Value (host order; written big-endian).
 * @return      0 or the sticky error (-ENOSPC).
 */
int
wrtc_stun_builder_add_u32(struct wrtc_stun_builder *b, uint16_t type, uint32_t v);

/**
 * Append a 64-bit attribute (ICE-CONTROLLING/-CONTROLLED).
 *
 * @param b     Builder.
 * @param type  Attribute type.
 * @param v     Value (host order; written big-endian).
 * @return      0 or the sticky error (-ENOSPC).
 */
int
wrtc_stun_builder_add_u64(struct wrtc_stun_builder *b, uint16_t type, uint64_t v);

/**
 * Append XOR-MAPPED-ADDRESS (or another XOR address type).
 *
 * @param b     Builder.
 * @param type  Attribute type.
 * @param ss    AF_INET or AF_INET6 address.
 * @return    0, -ENOSPC, -EAFNOSUPPORT.
 */
int
wrtc_stun_builder_add_xor_addr(struct wrtc_stun_builder *b, uint16_t type,
			       const struct sockaddr_storage *ss);

/**
 * Append ERROR-CODE.
 *
 * @param b       Builder.
 * @param code    300..699.
 * @param reason  UTF-8 reason phrase (NULL for a default per code).
 * @return        0, -ENOSPC, -EINVAL.
 */
int
wrtc_stun_builder_add_error_code(struct wrtc_stun_builder *b, int code, const char *reason);

/**
 * Append UNKNOWN-ATTRIBUTES.
 *
 * @param b      Builder.
 * @param types  Attribute types.
 * @param n      Their count.
 * @return       0, -ENOSPC.
 */
int
wrtc_stun_builder_add_unknown(struct wrtc_stun_builder *b, const uint16_t *types, uint16_t n);

/**
 * Append MESSAGE-INTEGRITY computed with @p key over everything so far.
 *
 * @param b    Builder.
 * @param key  Key of the password.
 * @return     0, -ENOSPC, -EIO.
 */
int
wrtc_stun_builder_add_integrity(struct wrtc_stun_builder *b, struct wrtc_stun_key *key);

/**
 * Append FINGERPRINT; must be the last attribute.
 *
 * @param b  Builder.
 * @return   0, -ENOSPC.
 */
int
wrtc_stun_builder_add_fingerprint(struct wrtc_stun_builder *b);

/**
 * Finish: the message size, or the first error.
 *
 * @param b  Builder.
 * @return   Size in bytes (> 0), or -ENOSPC/-EINVAL/-EIO.
 */
int
wrtc_stun_builder_finish(const struct wrtc_stun_builder *b);

#ifdef __cplusplus
}
#endif

#endif
