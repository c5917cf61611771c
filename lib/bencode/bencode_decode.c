/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bencode decoder: a recursive-descent parser bounded by the caller's
 * node array and a depth limit. It never reads past the buffer and never
 * allocates; on failure the node array holds garbage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "wrtc_bencode.h"

struct dec {
	const char *p;              /* next byte */
	const char *start;
	const char *end;
	struct wrtc_bencode_node *nodes;
	unsigned int n;             /* nodes used */
	unsigned int max;
	unsigned int max_depth;
	char *err;
	size_t err_size;
};

static int
fail(struct dec *d, int rc, const char *fmt, ...)
{
	va_list ap;
	int off;

	if (d->err == NULL || d->err_size == 0)
		return rc;
	off = snprintf(d->err, d->err_size, "offset %zu: ", (size_t)(d->p - d->start));
	if (off < 0 || (size_t)off >= d->err_size)
		return rc;
	va_start(ap, fmt);
	vsnprintf(d->err + off, d->err_size - (size_t)off, fmt, ap);
	va_end(ap);
	return rc;
}

/* Digits up to @p stop; no leading zero unless the number is 0. */
static int
digits(struct dec *d, char stop, bool allow_neg, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0, lim;
	const char *first;

	if (allow_neg && d->p < d->end && *d->p == '-') {
		neg = true;
		d->p++;
	}
	first = d->p;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	while (d->p < d->end && *d->p >= '0' && *d->p <= '9') {
		unsigned int c = (unsigned int)(*d->p - '0');

		if (v > (lim - c) / 10)
			return fail(d, -EINVAL, "number too large");
		v = v * 10 + c;
		d->p++;
	}
	if (d->p == first)
		return fail(d, -EINVAL, "digit expected");
	if (*first == '0' && d->p - first > 1)
		return fail(d, -EINVAL, "leading zero");
	if (neg && v == 0)
		return fail(d, -EINVAL, "negative zero");
	if (d->p >= d->end || *d->p != stop)
		return fail(d, -EINVAL, "'%c' expected", stop);
	d->p++;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int
string(struct dec *d, const char **s, size_t *len)
{
	int64_t n;
	int rc = digits(d, ':', false, &n);

	if (rc != 0)
		return rc;
	if ((uint64_t)n > (uint64_t)(d->end - d->p))
		return fail(d, -EINVAL, "string of %lld bytes runs past the end", (long long)n);
	*s = d->p;
	*len = (size_t)n;
	d->p += n;
	return 0;
}

static int value(struct dec *d, struct wrtc_bencode_node *node, unsigned int depth);

static struct wrtc_bencode_node *
node_new(struct dec *d)
{
	struct wrtc_bencode_node *n;

	if (d->n >= d->max)
		return NULL;
	n = &d->nodes[d->n++];
	memset(n, 0, sizeof(*n));
	return n;
}

static bool
key_seen(const struct wrtc_bencode_node *dict, const char *k, size_t len)
{
	for (const struct wrtc_bencode_node *c = dict->child; c != NULL; c = c->next)
		if (c->key_len == len && memcmp(c->key, k, len) == 0)
			return true;
	return false;
}

static int
container(struct dec *d, struct wrtc_bencode_node *node, unsigned int depth)
{
	bool dict = node->type == WRTC_BENCODE_DICT;
	struct wrtc_bencode_node **tail = &node->child;

	if (depth >= d->max_depth)
		return fail(d, -ELOOP, "nested deeper than %u", d->max_depth);
	d->p++;  /* 'l' or 'd' */
	for (;;) {
		struct wrtc_bencode_node *c;
		const char *k = NULL;
		size_t klen = 0;
		int rc;

		if (d->p >= d->end)
			return fail(d, -EINVAL, "unterminated %s", dict ? "dict" : "list");
		if (*d->p == 'e') {
			d->p++;
			return 0;
		}
		if (dict) {
			if (*d->p < '0' || *d->p > '9')
				return fail(d, -EINVAL, "dict key must be a string");
			rc = string(d, &k, &klen);
			if (rc != 0)
				return rc;
			if (key_seen(node, k, klen))
				return fail(d, -EINVAL, "repeated dict key");
		}
		c = node_new(d);
		if (c == NULL)
			return fail(d, -E2BIG, "more than %u values", d->max);
		c->key = k;
		c->key_len = klen;
		rc = value(d, c, depth + 1);
		if (rc != 0)
			return rc;
		*tail = c;
		tail = &c->next;
		node->len++;
	}
}

static int
value(struct dec *d, struct wrtc_bencode_node *node, unsigned int depth)
{
	if (d->p >= d->end)
		return fail(d, -EINVAL, "value expected");
	switch (*d->p) {
	case 'i':
		d->p++;
		node->type = WRTC_BENCODE_INT;
		return digits(d, 'e', true, &node->i);
	case 'l':
		node->type = WRTC_BENCODE_LIST;
		return container(d, node, depth);
	case 'd':
		node->type = WRTC_BENCODE_DICT;
		return container(d, node, depth);
	default:
		if (*d->p < '0' || *d->p > '9')
			return fail(d, -EINVAL, "unexpected byte 0x%02x",
				    (unsigned int)(unsigned char)*d->p);
		node->type = WRTC_BENCODE_STR;
		return string(d, &node->str, &node->len);
	}
}

int
wrtc_bencode_decode(const char *buf, size_t len, struct wrtc_bencode_node *nodes,
		    unsigned int max_nodes, unsigned int max_depth, char *err, size_t err_size)
{
	struct dec d = {
		.p = buf, .start = buf, .end = buf + len, .nodes = nodes, .max = max_nodes,
		.max_depth = max_depth == 0 || max_depth > WRTC_BENCODE_MAX_DEPTH ?
			     WRTC_BENCODE_MAX_DEPTH : max_depth,
		.err = err, .err_size = err_size,
	};
	struct wrtc_bencode_node *root;
	int rc;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	if (buf == NULL && len != 0)
		return -EINVAL;
	root = node_new(&d);
	if (root == NULL)
		return fail(&d, -E2BIG, "no node to decode into");
	rc = value(&d, root, 0);
	if (rc != 0)
		return rc;
	if (d.p != d.end)
		return fail(&d, -EINVAL, "%zu trailing bytes", (size_t)(d.end - d.p));
	return (int)d.n;
}

const struct wrtc_bencode_node *
wrtc_bencode_dict_get(const struct wrtc_bencode_node *dict, const char *key)
{
	size_t len;

	if (dict == NULL || dict->type != WRTC_BENCODE_DICT || key == NULL)
		return NULL;
	len = strlen(key);
	for (const struct wrtc_bencode_node *c = dict->child; c != NULL; c = c->next)
		if (c->key_len == len && memcmp(c->key, key, len) == 0)
			return c;
	return NULL;
}

bool
wrtc_bencode_str_eq(const struct wrtc_bencode_node *n, const char *s)
{
	return n != NULL && n->type == WRTC_BENCODE_STR && s != NULL && strlen(s) == n->len &&
	       memcmp(n->str, s, n->len) == 0;
}
