/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The call index: call-id -> call, a chained hash table that doubles its
 * buckets when it holds more calls than buckets (load factor <= 1), so a
 * lookup, an insert and a removal cost the same at 10 and at 100,000 calls
 * (docs/architecture.md, "Control-plane cost"). Call-ids are strings of up to
 * SESS_ID_SIZE - 1 bytes, which rules out rte_hash's fixed-size keys; each
 * call keeps its 64-bit hash, so a resize and a miss rarely compare strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "session_priv.h"

enum { INDEX_MIN_BUCKETS = 1024 };

/* FNV-1a, 64-bit: call-ids are short strings chosen by the client. */
static uint64_t
id_hash(const char *id)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)id; *p != '\0'; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
	}
	return h;
}

int
call_index_init(struct call_index *ix)
{
	ix->n = 0;
	ix->mask = INDEX_MIN_BUCKETS - 1;
	ix->buckets = calloc(INDEX_MIN_BUCKETS, sizeof(*ix->buckets));
	return ix->buckets != NULL ? 0 : -ENOMEM;
}

void
call_index_fini(struct call_index *ix)
{
	free(ix->buckets);
	ix->buckets = NULL;
	ix->n = 0;
}

/* Double the buckets; on no memory the table keeps working, only longer chains. */
static void
grow(struct call_index *ix)
{
	size_t nb = ((size_t)ix->mask + 1) * 2;
	struct wrtc_call **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return;
	for (size_t i = 0; i <= ix->mask; i++) {
		struct wrtc_call *c = ix->buckets[i], *next;

		for (; c != NULL; c = next) {
			next = c->hnext;
			c->hnext = b[c->hash & (nb - 1)];
			b[c->hash & (nb - 1)] = c;
		}
	}
	free(ix->buckets);
	ix->buckets = b;
	ix->mask = nb - 1;
}

void
call_index_add(struct call_index *ix, struct wrtc_call *call)
{
	struct wrtc_call **head;

	call->hash = id_hash(call->id);
	if (ix->n >= ix->mask + 1)
		grow(ix);
	head = &ix->buckets[call->hash & ix->mask];
	call->hnext = *head;
	*head = call;
	ix->n++;
}

void
call_index_del(struct call_index *ix, struct wrtc_call *call)
{
	struct wrtc_call **pp = &ix->buckets[call->hash & ix->mask];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == call) {
			*pp = call->hnext;
			call->hnext = NULL;
			ix->n--;
			return;
		}
}

struct wrtc_call *
call_index_find(const struct call_index *ix, const char *id)
{
	uint64_t h = id_hash(id);

	for (struct wrtc_call *c = ix->buckets[h & ix->mask]; c != NULL; c = c->hnext)
		if (c->hash == h && strcmp(c->id, id) == 0)
			return c;
	return NULL;
}
