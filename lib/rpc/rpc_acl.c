/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source-address allow-lists for control listeners: CIDR parsing, matching
 * of a peer's socket address (IPv4-mapped IPv6 peers match IPv4 prefixes),
 * and the rule that a listener on anything but loopback needs a list. Shared
 * by every control protocol (JSON-RPC here, any other listener the same way);
 * docs/lib/rpc.rst describes it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wrtc_rpc.h"

int
wrtc_rpc_acl_add(struct wrtc_rpc_acl *acl, const char *cidr)
{
	struct wrtc_rpc_acl_prefix p = {0};
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash;
	size_t hlen;
	unsigned int max;
	long len;

	if (acl == NULL || cidr == NULL)
		return -EINVAL;
	slash = strchr(cidr, '/');
	hlen = slash ? (size_t)(slash - cidr) : strlen(cidr);
	if (hlen == 0 || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, cidr, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, p.addr) == 1) {
		p.family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, host, p.addr) == 1) {
		p.family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	len = max;
	if (slash != NULL) {
		char *end;

		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		len = strtol(slash + 1, &end, 10);
		if (*end != '\0' || len < 0 || len > (long)max)
			return -EINVAL;
	}
	p.len = (uint8_t)len;
	/* Host bits set ("10.0.0.1/8") would never match as written: refuse them. */
	for (unsigned int bit = p.len; bit < max; bit++)
		if (p.addr[bit / 8] & (0x80 >> (bit % 8)))
			return -EINVAL;
	if (acl->n >= WRTC_RPC_ACL_MAX)
		return -ENOSPC;
	acl->p[acl->n++] = p;
	return 0;
}

static bool
prefix_match(const struct wrtc_rpc_acl_prefix *p, const uint8_t *addr)
{
	unsigned int full = p->len / 8, rest = p->len % 8;

	if (memcmp(p->addr, addr, full) != 0)
		return false;
	return rest == 0 || ((p->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool
wrtc_rpc_acl_allows(const struct wrtc_rpc_acl *acl, const struct sockaddr *sa, socklen_t len)
{
	static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *addr;
	int family;

	if (acl == NULL || acl->n == 0)
		return true;
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
		family = AF_INET;
		addr = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	} else if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		addr = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
		family = AF_INET6;
		if (memcmp(addr, v4mapped, sizeof(v4mapped)) == 0) {
			family = AF_INET;
			addr += sizeof(v4mapped);
		}
	} else {
		return false; /* Not an IP peer (unix sockets are not filtered by address). */
	}
	for (unsigned int i = 0; i < acl->n; i++)
		if (acl->p[i].family == family && prefix_match(&acl->p[i], addr))
			return true;
	return false;
}

bool
wrtc_rpc_host_is_loopback(const char *host)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (host == NULL)
		return false;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

int
wrtc_rpc_acl_check_listen(const struct wrtc_rpc_acl *acl, const char *host)
{
	uint8_t buf[16];

	if (host == NULL ||
	    (inet_pton(AF_INET, host, buf) != 1 && inet_pton(AF_INET6, host, buf) != 1))
		return -EINVAL;
	if (wrtc_rpc_host_is_loopback(host) || (acl != NULL && acl->n > 0))
		return 0;
	return -EPERM;
}

bool
wrtc_rpc_token_equal(const char *expected, const char *given, size_t given_len)
{
	size_t n = strlen(expected);
	unsigned char diff = n != given_len;

	/* Constant time in the token's length: no early exit on the first byte. */
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)expected[i] ^ (unsigned char)(i < given_len ? given[i] : 0);
	return diff == 0;
}
