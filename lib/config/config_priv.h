/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Private to lib/config: the table-driven validator shared by the section
 * parsers. A section is described by a table of struct cfg_field; cfg_walk()
 * rejects unknown keys, reports missing required ones and wrong JSON types,
 * and calls each field's check function, which converts the value into the
 * C struct being filled. Every error goes through cfg_fail(), which prefixes
 * the JSON path being walked ("interfaces[1].ipv4: ...").
 */
#ifndef CONFIG_PRIV_H
#define CONFIG_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wrtc_config.h"

/* JSON types a field accepts, as a bit set. */
enum {
	JT_STRING = 1 << 0,
	JT_INTEGER = 1 << 1,
	JT_BOOL = 1 << 2,
	JT_OBJECT = 1 << 3,
	JT_ARRAY = 1 << 4,
};

struct cfg_ctx {
	char path[512];           /* JSON path of the value being checked. */
	size_t path_len;
	char *err;                /* Caller's error buffer (may be NULL). */
	size_t err_size;
	const char *base_dir;     /* For relative file paths; NULL = cwd. */
	struct wrtc_config *cfg;  /* Being filled; sections parsed earlier are complete. */
};

struct cfg_field;
typedef int (cfg_check_fn)(struct cfg_ctx *c, const json_t *v, void *obj);
typedef int (cfg_elem_fn)(struct cfg_ctx *c, const json_t *v, void *elem, unsigned int idx);

struct cfg_field {
	const char *name;         /* JSON key. */
	unsigned int types;       /* JT_* bits accepted. */
	bool required;            /* Missing key is an error. */
	cfg_check_fn *check;      /* Converts the value into obj; returns 0 or -1. */
};

#define CFG_NFIELDS(t) (sizeof(t) / sizeof((t)[0]))

int cfg_fail(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t cfg_push_key(struct cfg_ctx *c, const char *key);
size_t cfg_push_index(struct cfg_ctx *c, unsigned int idx);
void cfg_pop(struct cfg_ctx *c, size_t saved);

int cfg_walk(struct cfg_ctx *c, const json_t *obj, const struct cfg_field *fields, size_t n,
	     void *out);
int cfg_array(struct cfg_ctx *c, const json_t *arr, size_t elem_size, unsigned int min,
	      void **out, unsigned int *n, cfg_elem_fn *fn);

int cfg_uint(struct cfg_ctx *c, const json_t *v, uint64_t min, uint64_t max, uint64_t *out);
int cfg_name(struct cfg_ctx *c, const json_t *v, char *dst);
int cfg_string(struct cfg_ctx *c, const json_t *v, char *dst, size_t size);
int cfg_enum(struct cfg_ctx *c, const json_t *v, const char *const *names, unsigned int n,
	     int *out);
int cfg_ipv4(struct cfg_ctx *c, const char *s, bool with_prefix, struct in_addr *a,
	     uint8_t *prefix);
int cfg_ipv6(struct cfg_ctx *c, const char *s, bool with_prefix, struct in6_addr *a,
	     uint8_t *prefix);

int cfg_parse_root(struct cfg_ctx *c, const json_t *root);

extern const char *const cfg_codec_names[5];
extern const char *const cfg_suite_names[4];
extern const char *const cfg_ice_names[3];
extern const char *const cfg_kind_names[2];
extern const char *const cfg_latch_names[4];
extern const char *const cfg_ptype_names[6];
extern const char *const cfg_pmode_names[2];

#endif
