/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Media port allocation: even RTP ports in the interface's range, RTCP on
 * the next odd port. Next-fit from a cursor, so a just-released port is not
 * reused at once (late packets of the old call would land on the new one).
 */
#include <errno.h>
#include <stdlib.h>

#include "session_priv.h"

int
port_pool_init(struct port_pool *p, uint16_t min, uint16_t max)
{
	if (min & 1)
		min++;
	if (max <= min)
		return -EINVAL;
	p->min = min;
	p->n_pairs = ((uint32_t)max - min + 1) / 2;
	p->used = calloc(p->n_pairs, 1);
	p->cursor = 0;
	p->in_use = 0;
	return p->used == NULL ? -ENOMEM : 0;
}

void
port_pool_fini(struct port_pool *p)
{
	free(p->used);
	p->used = NULL;
}

int
port_pool_alloc(struct port_pool *p, uint16_t *port)
{
	for (uint32_t i = 0; i < p->n_pairs; i++) {
		uint32_t k = (p->cursor + i) % p->n_pairs;

		if (!p->used[k]) {
			p->used[k] = 1;
			p->in_use++;
			p->cursor = (k + 1) % p->n_pairs;
			*port = (uint16_t)(p->min + 2 * k);
			return 0;
		}
	}
	return -ENOSPC;
}

void
port_pool_release(struct port_pool *p, uint16_t port)
{
	uint32_t k;

	if (port < p->min)
		return;
	k = (uint32_t)(port - p->min) / 2;
	if (k < p->n_pairs && p->used[k]) {
		p->used[k] = 0;
		p->in_use--;
	}
}

int
port_pool_claim(struct port_pool *p, uint16_t port)
{
	uint32_t k;

	if (port < p->min || (port - p->min) & 1)
		return -ERANGE;
	k = (uint32_t)(port - p->min) / 2;
	if (k >= p->n_pairs)
		return -ERANGE;
	if (p->used[k])
		return -EADDRINUSE;
	p->used[k] = 1;
	p->in_use++;
	if (p->cursor == k)
		p->cursor = (k + 1) % p->n_pairs;
	return 0;
}
