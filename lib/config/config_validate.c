/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The one validator that walks field tables, plus the converters for the
 * value kinds the configuration uses (bounded integers, names, enums, IP
 * addresses). Each converter reports its error against the current path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_priv.h"

int
cfg_fail(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->err == NULL || c->err_size == 0)
		return -1;
	if (c->path_len > 0)
		n = snprintf(c->err, c->err_size, "%s: ", c->path);
	else
		n = 0;
	if (n < 0 || (size_t)n >= c->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->err_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

size_t
cfg_push_key(struct cfg_ctx *c, const char *key)
{
	size_t saved = c->path_len;
	int n = snprintf(c->path + c->path_len, sizeof(c->path) - c->path_len, "%s%s",
			 c->path_len ? "." : "", key);

	if (n > 0)
		c->path_len += (size_t)n;
	if (c->path_len >= sizeof(c->path))
		c->path_len = sizeof(c->path) - 1;
	return saved;
}

size_t
cfg_push_index(struct cfg_ctx *c, unsigned int idx)
{
	size_t saved = c->path_len;
	int n = snprintf(c->path + c->path_len, sizeof(c->path) - c->path_len, "[%u]", idx);

	if (n > 0)
		c->path_len += (size_t)n;
	if (c->path_len >= sizeof(c->path))
		c->path_len = sizeof(c->path) - 1;
	return saved;
}

void
cfg_pop(struct cfg_ctx *c, size_t saved)
{
	c->path_len = saved;
	c->path[saved] = '\0';
}

static unsigned int
json_type_bit(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return JT_STRING;
	case JSON_INTEGER:
		return JT_INTEGER;
	case JSON_TRUE:
	case JSON_FALSE:
		return JT_BOOL;
	case JSON_OBJECT:
		return JT_OBJECT;
	case JSON_ARRAY:
		return JT_ARRAY;
	default:
		return 0;
	}
}

/* "must be a string", "must be an integer or a string", ... */
static int
type_error(struct cfg_ctx *c, unsigned int types)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{JT_STRING, "a string"}, {JT_INTEGER, "an integer"}, {JT_BOOL, "a boolean"},
		{JT_OBJECT, "an object"}, {JT_ARRAY, "an array"},
	};
	char buf[128] = "must be ";
	unsigned int count = 0, total = (unsigned int)__builtin_popcount(types);

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(types & names[i].bit))
			continue;
		if (count > 0)
			strcat(buf, count + 1 == total ? " or " : ", ");
		strcat(buf, names[i].name);
		count++;
	}
	return cfg_fail(c, "%s", buf);
}

int
cfg_walk(struct cfg_ctx *c, const json_t *obj, const struct cfg_field *fields, size_t n,
	 void *out)
{
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return cfg_fail(c, "must be an object");
	/* Unknown keys first, so a misspelt optional key is never silently ignored. */
	json_object_foreach((json_t *)obj, key, v) {
		size_t i;

		if (key[0] == '_')
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(fields[i].name, key) == 0)
				break;
		if (i == n) {
			size_t saved = cfg_push_key(c, key);
			int rc = cfg_fail(c, "unknown key");

			cfg_pop(c, saved);
			return rc;
		}
	}
	/* Then every field in table order: later fields may rely on earlier ones. */
	for (size_t i = 0; i < n; i++) {
		size_t saved = cfg_push_key(c, fields[i].name);
		int rc = 0;

		v = json_object_get(obj, fields[i].name);
		if (v == NULL) {
			if (fields[i].required)
				rc = cfg_fail(c, "missing");
		} else if (!(json_type_bit(v) & fields[i].types)) {
			rc = type_error(c, fields[i].types);
		} else if (fields[i].check != NULL) {
			rc = fields[i].check(c, v, out);
		}
		cfg_pop(c, saved);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
cfg_array(struct cfg_ctx *c, const json_t *arr, size_t elem_size, unsigned int min, void **out,
	  unsigned int *n, cfg_elem_fn *fn)
{
	size_t count = json_array_size(arr);
	uint8_t *elems;

	if (count < min)
		return cfg_fail(c, "needs at least %u entr%s", min, min == 1 ? "y" : "ies");
	if (count > 4096)
		return cfg_fail(c, "too many entries (max 4096)");
	/* One spare element lets a section append an implicit default entry. */
	elems = calloc(count + 1, elem_size);
	if (elems == NULL) {
		errno = ENOMEM;
		return cfg_fail(c, "out of memory");
	}
	*out = elems;
	*n = 0;
	for (size_t i = 0; i < count; i++) {
		size_t saved = cfg_push_index(c, (unsigned int)i);
		int rc = fn(c, json_array_get(arr, i), elems + i * elem_size, (unsigned int)i);

		cfg_pop(c, saved);
		/* Counted even on failure, so the element's heap parts are freed. */
		*n = (unsigned int)i + 1;
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
cfg_uint(struct cfg_ctx *c, const json_t *v, uint64_t min, uint64_t max, uint64_t *out)
{
	json_int_t i = json_integer_value(v);

	if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
		return cfg_fail(c, "must be between %llu and %llu", (unsigned long long)min,
				(unsigned long long)max);
	*out = (uint64_t)i;
	return 0;
}

int
cfg_string(struct cfg_ctx *c, const json_t *v, char *dst, size_t size)
{
	size_t len = json_string_length(v);

	if (len >= size)
		return cfg_fail(c, "too long (max %zu characters)", size - 1);
	if (strlen(json_string_value(v)) != len)
		return cfg_fail(c, "contains a NUL character");
	memcpy(dst, json_string_value(v), len + 1);
	return 0;
}

int
cfg_name(struct cfg_ctx *c, const json_t *v, char *dst)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);

	if (len == 0)
		return cfg_fail(c, "must not be empty");
	if (len >= WRTC_CONFIG_NAME_SIZE)
		return cfg_fail(c, "too long (max %d characters)", WRTC_CONFIG_NAME_SIZE - 1);
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' || ch == ':'))
			return cfg_fail(c, "\"%s\": only letters, digits and _ - . : are allowed",
					s);
	}
	memcpy(dst, s, len + 1);
	return 0;
}

int
cfg_enum(struct cfg_ctx *c, const json_t *v, const char *const *names, unsigned int n, int *out)
{
	const char *s = json_string_value(v);
	char list[256] = "";
	size_t used = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	for (unsigned int i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s\"%s\"",
				 i == 0 ? "" : (i + 1 == n ? " or " : ", "), names[i]);

		if (w > 0)
			used += (size_t)w;
	}
	return cfg_fail(c, "\"%.64s\" is not one of %s", s, list);
}

/* Splits "addr/len"; returns the prefix length, -1 when absent, -2 when malformed. */
static int
split_prefix(const char *s, char *addr, size_t size, int max)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long len;

	if (alen >= size)
		return -2;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (slash == NULL)
		return -1;
	if (slash[1] < '0' || slash[1] > '9')
		return -2;
	len = strtol(slash + 1, &end, 10);
	if (*end != '\0' || len < 0 || len > max)
		return -2;
	return (int)len;
}

int
cfg_ipv4(struct cfg_ctx *c, const char *s, bool with_prefix, struct in_addr *a, uint8_t *prefix)
{
	char addr[INET_ADDRSTRLEN + 8];
	int len = split_prefix(s, addr, sizeof(addr), 32);

	if (len == -2 && strchr(s, '/') != NULL && inet_pton(AF_INET, addr, a) == 1)
		return cfg_fail(c, "\"%s\": prefix length must be 0..32", s);
	if (len == -2 || inet_pton(AF_INET, addr, a) != 1)
		return cfg_fail(c, "\"%.64s\" is not an IPv4 address", s);
	if (with_prefix && len < 0)
		return cfg_fail(c, "\"%s\": missing prefix length (e.g. %s/24)", s, s);
	if (!with_prefix && len >= 0)
		return cfg_fail(c, "\"%s\": no prefix length expected", s);
	if (prefix != NULL)
		*prefix = (uint8_t)len;
	return 0;
}

int
cfg_ipv6(struct cfg_ctx *c, const char *s, bool with_prefix, struct in6_addr *a,
	 uint8_t *prefix)
{
	char addr[INET6_ADDRSTRLEN + 8];
	int len = split_prefix(s, addr, sizeof(addr), 128);

	if (len == -2 && strchr(s, '/') != NULL && inet_pton(AF_INET6, addr, a) == 1)
		return cfg_fail(c, "\"%s\": prefix length must be 0..128", s);
	if (len == -2 || inet_pton(AF_INET6, addr, a) != 1)
		return cfg_fail(c, "\"%.64s\" is not an IPv6 address", s);
	if (with_prefix && len < 0)
		return cfg_fail(c, "\"%s\": missing prefix length (e.g. %s/64)", s, s);
	if (!with_prefix && len >= 0)
		return cfg_fail(c, "\"%s\": no prefix length expected", s);
	if (prefix != NULL)
		*prefix = (uint8_t)len;
	return 0;
}
