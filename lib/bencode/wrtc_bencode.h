/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Bencode (the encoding of rtpengine's ng control protocol): a strict decoder
 * into a caller-supplied node array and an encoder into a bounded buffer.
 *
 * The library is EAL-free and allocates nothing: decoding fills an array of
 * struct wrtc_bencode_node the caller owns, whose strings point into the
 * input buffer; encoding appends to a buffer the caller owns and remembers
 * when it ran out of room. docs/lib/bencode.rst describes the grammar
 * accepted.
 *
 * Threads: no global state; every call works on its arguments only.
 */
#ifndef WRTC_BENCODE_H
#define WRTC_BENCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Type of a decoded value. */
enum wrtc_bencode_type {
	WRTC_BENCODE_INT,   /**< i<digits>e */
	WRTC_BENCODE_STR,   /**< <len>:<bytes> (bytes, not necessarily text) */
	WRTC_BENCODE_LIST,  /**< l...e */
	WRTC_BENCODE_DICT,  /**< d<key><value>...e, keys are strings */
};

enum {
	WRTC_BENCODE_MAX_DEPTH = 32,  /**< Deepest nesting wrtc_bencode_decode() accepts. */
};

/** One decoded value. Strings point into the decoded buffer. */
struct wrtc_bencode_node {
	enum wrtc_bencode_type type;          /**< What this value is. */
	const char *key;                      /**< Key when the parent is a dict, else NULL. */
	size_t key_len;                       /**< Bytes in key. */
	const char *str;                      /**< STR: the bytes (not NUL-terminated). */
	size_t len;                           /**< STR: bytes; LIST/DICT: number of children. */
	int64_t i;                            /**< INT: the value. */
	struct wrtc_bencode_node *child;      /**< LIST/DICT: first child, or NULL. */
	struct wrtc_bencode_node *next;       /**< Next sibling, or NULL. */
};

/**
 * Decode one bencode value that fills @p buf exactly.
 *
 * Strict: integers have no leading zeros, no "-0", fit in int64_t; string
 * lengths have no leading zeros and stay inside the buffer; dict keys are
 * strings (any order; a repeated key is an error); nothing follows the value.
 *
 * @param buf  input bytes (need not be NUL-terminated).
 * @param len  bytes in @p buf.
 * @param nodes  array the tree is built in; node 0 becomes the root.
 * @param max_nodes  entries in @p nodes.
 * @param max_depth  deepest nesting allowed (1 = no container inside the
 *   root); 0 or more than WRTC_BENCODE_MAX_DEPTH means WRTC_BENCODE_MAX_DEPTH.
 * @param err  receives a short reason with the byte offset on failure; may be NULL.
 * @param err_size  size of @p err.
 * @return the number of nodes used (> 0), or -EINVAL (malformed), -E2BIG
 *   (more values than @p max_nodes), -ELOOP (nested deeper than @p max_depth).
 */
int
wrtc_bencode_decode(const char *buf, size_t len, struct wrtc_bencode_node *nodes,
		    unsigned int max_nodes, unsigned int max_depth, char *err, size_t err_size);

/**
 * Find a dict member.
 * @return the value under @p key, or NULL (also when @p dict is NULL or not a dict).
 */
const struct wrtc_bencode_node *
wrtc_bencode_dict_get(const struct wrtc_bencode_node *dict, const char *key);

/** @return true when @p n is a string equal to the C string @p s. */
bool
wrtc_bencode_str_eq(const struct wrtc_bencode_node *n, const char *s);

/** An output buffer. Fill it with wrtc_bencode_buf_init(); fields are read-only. */
struct wrtc_bencode_buf {
	char *buf;              /**< Caller's storage. */
	size_t size;            /**< Its size. */
	size_t len;             /**< Bytes written so far (never more than size). */
	unsigned int depth;     /**< Open lists/dicts. */
	bool overflow;          /**< Something did not fit; the content is truncated. */
	bool unbalanced;        /**< _end() without an open list or dict. */
};

/** Start writing into @p buf of @p size bytes. */
void
wrtc_bencode_buf_init(struct wrtc_bencode_buf *b, char *buf, size_t size);

/** Append an integer. */
void
wrtc_bencode_put_int(struct wrtc_bencode_buf *b, int64_t v);

/** Append a byte string. */
void
wrtc_bencode_put_str(struct wrtc_bencode_buf *b, const char *s, size_t len);

/** Append a C string (NULL is written as the empty string). */
void
wrtc_bencode_put_cstr(struct wrtc_bencode_buf *b, const char *s);

/** Open a list; close it with wrtc_bencode_end(). */
void
wrtc_bencode_list_begin(struct wrtc_bencode_buf *b);

/** Open a dict: then alternate keys (put_str/put_cstr) and values; close with _end(). */
void
wrtc_bencode_dict_begin(struct wrtc_bencode_buf *b);

/** Close the innermost open list or dict. */
void
wrtc_bencode_end(struct wrtc_bencode_buf *b);

/**
 * Check the result.
 * @return the encoded length (>= 0), -EMSGSIZE when something did not fit,
 *   or -EINVAL when a list or dict is still open (or closed too often).
 */
int
wrtc_bencode_buf_finish(const struct wrtc_bencode_buf *b);

#ifdef __cplusplus
}
#endif

#endif
