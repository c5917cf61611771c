/* SPDX-License-Identifier: BSD-3-Clause */
/* Address parsing and formatting for configuration, logs and status. */
#include <errno.h>
#include <stdio.h>
#include <arpa/inet.h>

#include "wrtc_net.h"

int
wrtc_net_addr_parse(const char *s, struct wrtc_net_addr *a)
{
	struct wrtc_net_addr t;

	if (s == NULL || a == NULL)
		return -EINVAL;
	memset(&t, 0, sizeof(t));
	if (inet_pton(AF_INET, s, &t.v4) == 1) {
		t.family = AF_INET;
	} else if (inet_pton(AF_INET6, s, t.v6) == 1) {
		t.family = AF_INET6;
	} else {
		return -EINVAL;
	}
	*a = t;
	return 0;
}

/* Copies the result of snprintf() semantics into our return convention. */
static int
fmt_result(int n, char *buf, size_t size)
{
	if (n < 0) {
		if (size > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	return (size_t)n < size ? n : -ENOSPC;
}

int
wrtc_net_addr_format(const struct wrtc_net_addr *a, char *buf, size_t size)
{
	char tmp[WRTC_NET_ADDR_STRLEN];

	if (buf == NULL || size == 0)
		return -ENOSPC;
	if (a == NULL || (a->family != AF_INET && a->family != AF_INET6))
		return fmt_result(snprintf(buf, size, "-"), buf, size);
	if (inet_ntop(a->family, a->family == AF_INET ? (const void *)&a->v4 :
		      (const void *)a->v6, tmp, sizeof(tmp)) == NULL)
		return fmt_result(-1, buf, size);
	return fmt_result(snprintf(buf, size, "%s", tmp), buf, size);
}

int
wrtc_net_addr_port_format(const struct wrtc_net_addr *a, uint16_t port, char *buf, size_t size)
{
	char tmp[WRTC_NET_ADDR_STRLEN];
	int n;

	if (buf == NULL || size == 0)
		return -ENOSPC;
	n = wrtc_net_addr_format(a, tmp, sizeof(tmp));
	if (n < 0)
		return fmt_result(-1, buf, size);
	if (a != NULL && a->family == AF_INET6)
		return fmt_result(snprintf(buf, size, "[%s]:%u", tmp, port), buf, size);
	return fmt_result(snprintf(buf, size, "%s:%u", tmp, port), buf, size);
}

const char *
wrtc_net_class_name(int cls)
{
	static const char *const names[WRTC_NET_CLASS_MAX] = {
		[WRTC_NET_CLASS_UDP] = "udp",
		[WRTC_NET_CLASS_ARP] = "arp",
		[WRTC_NET_CLASS_ICMP4_ECHO] = "icmp4-echo",
		[WRTC_NET_CLASS_ICMP6_ECHO] = "icmp6-echo",
		[WRTC_NET_CLASS_ND_NS] = "nd-ns",
		[WRTC_NET_CLASS_ND_NA] = "nd-na",
		[WRTC_NET_CLASS_OTHER] = "other",
	};

	if (cls < 0 || cls >= WRTC_NET_CLASS_MAX)
		return "unknown";
	return names[cls];
}
