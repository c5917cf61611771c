/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/net. Frames are built byte by byte here, and every
 * checksum the library writes is verified with the test's own one's
 * complement sum (sum16 below), never with the library's or DPDK's helpers.
 */
#include <errno.h>
#include <stdlib.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "wrtc_net.h"
#include "wrtc_test.h"

static struct rte_mempool *pool;
static struct wrtc_net_iface ifc;       /* Us. */
static struct wrtc_net_iface peer;      /* The remote host, for round trips. */

static const uint8_t our_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t other_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x03};
static const uint8_t bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t our_ip4[4] = {192, 0, 2, 1};
static const uint8_t peer_ip4[4] = {192, 0, 2, 2};
static const uint8_t our_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t peer_ip6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
/* fe80::ff:fe00:1, the EUI-64 link-local of 02:00:00:00:00:01. */
static const uint8_t our_ll6[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 0, 0, 1};
static const uint8_t our_snm6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1};
static const uint8_t all_nodes6[16] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* ---- independent checksums ------------------------------------------- */

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fin16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)(~s & 0xffff);
}

/* Pseudo-header sum for IPv4 (src, dst at ip+12) or IPv6 (src, dst at ip+8). */
static uint32_t
phdr_sum(const uint8_t *ip, bool v6, uint8_t proto, uint32_t l4_len)
{
	uint32_t s;

	if (!v6)
		s = sum16(ip + 12, 8, 0);
	else
		s = sum16(ip + 8, 32, 0);
	return s + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

/* 0 when the L4 checksum stored in the message verifies. */
static uint16_t
l4_verify(const uint8_t *ip, bool v6, uint8_t proto, const uint8_t *l4, uint32_t len)
{
	return fin16(sum16(l4, len, phdr_sum(ip, v6, proto, len)));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- frame builders --------------------------------------------------- */

enum { FRAME_MAX = 1600 };

static size_t
eth(uint8_t *b, const uint8_t *dmac, const uint8_t *smac, uint16_t type)
{
	memcpy(b, dmac, 6);
	memcpy(b + 6, smac, 6);
	put16(b + 12, type);
	return 14;
}

/* IPv4 header at b with a correct checksum. */
static void
ip4_hdr(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t l4_len)
{
	memset(b, 0, 20);
	b[0] = 0x45;
	put16(b + 2, (uint16_t)(20 + l4_len));
	put16(b + 4, 0x1234);
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, src, 4);
	memcpy(b + 16, dst, 4);
	put16(b + 10, fin16(sum16(b, 20, 0)));
}

static void
ip4_fix(uint8_t *b)
{
	unsigned int hl = (b[0] & 0xf) * 4u;

	put16(b + 10, 0);
	put16(b + 10, fin16(sum16(b, hl, 0)));
}

static void
ip6_hdr(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint16_t plen,
	uint8_t hops)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	put16(b + 4, plen);
	b[6] = proto;
	b[7] = hops;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
}

static void
udp_fix(uint8_t *ip, bool v6, uint8_t *u, uint16_t ulen)
{
	uint16_t c;

	put16(u + 6, 0);
	c = fin16(sum16(u, ulen, phdr_sum(ip, v6, 17, ulen)));
	put16(u + 6, c == 0 ? 0xffff : c);
}

static size_t
udp4(uint8_t *b, const uint8_t *dmac, const uint8_t *sip, const uint8_t *dip, uint16_t sp,
     uint16_t dp, size_t plen)
{
	size_t n = eth(b, dmac, peer_mac, 0x0800);
	uint8_t *ip = b + n, *u = ip + 20;

	ip4_hdr(ip, sip, dip, 17, (uint16_t)(8 + plen));
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint16_t)(8 + plen));
	for (size_t i = 0; i < plen; i++)
		u[8 + i] = (uint8_t)(0x80 + i * 7);
	udp_fix(ip, false, u, (uint16_t)(8 + plen));
	return n + 28 + plen;
}

static size_t
udp6(uint8_t *b, const uint8_t *dmac, const uint8_t *sip, const uint8_t *dip, uint16_t sp,
     uint16_t dp, size_t plen)
{
	size_t n = eth(b, dmac, peer_mac, 0x86dd);
	uint8_t *ip = b + n, *u = ip + 40;

	ip6_hdr(ip, sip, dip, 17, (uint16_t)(8 + plen), 64);
	put16(u, sp);
	put16(u + 2, dp);
	put16(u + 4, (uint16_t)(8 + plen));
	for (size_t i = 0; i < plen; i++)
		u[8 + i] = (uint8_t)(0x80 + i * 7);
	udp_fix(ip, true, u, (uint16_t)(8 + plen));
	return n + 48 + plen;
}

static size_t
arp(uint8_t *b, const uint8_t *dmac, const uint8_t *sha, uint16_t op, const uint8_t *spa,
    const uint8_t *tha, const uint8_t *tpa)
{
	size_t n = eth(b, dmac, sha, 0x0806);
	uint8_t *a = b + n;

	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, tpa, 4);
	return n + 28;
}

static size_t
icmp4_echo(uint8_t *b, size_t dlen)
{
	size_t n = eth(b, our_mac, peer_mac, 0x0800);
	uint8_t *ip = b + n, *ic = ip + 20;

	ip4_hdr(ip, peer_ip4, our_ip4, 1, (uint16_t)(8 + dlen));
	memset(ic, 0, 8);
	ic[0] = 8;
	put16(ic + 4, 0xbeef);
	put16(ic + 6, 7);
	for (size_t i = 0; i < dlen; i++)
		ic[8 + i] = (uint8_t)(i * 13 + 1);
	put16(ic + 2, fin16(sum16(ic, 8 + dlen, 0)));
	return n + 28 + dlen;
}

static size_t
icmp6_msg(uint8_t *b, const uint8_t *dmac, const uint8_t *sip, const uint8_t *dip,
	  const uint8_t *msg, size_t mlen, uint8_t hops)
{
	size_t n = eth(b, dmac, peer_mac, 0x86dd);
	uint8_t *ip = b + n, *ic = ip + 40;

	ip6_hdr(ip, sip, dip, 58, (uint16_t)mlen, hops);
	memcpy(ic, msg, mlen);
	put16(ic + 2, 0);
	put16(ic + 2, fin16(sum16(ic, mlen, phdr_sum(ip, true, 58, (uint32_t)mlen))));
	return n + 40 + mlen;
}

static size_t
icmp6_echo(uint8_t *b, size_t dlen)
{
	uint8_t msg[256] = {128, 0, 0, 0, 0x12, 0x34, 0, 9};

	for (size_t i = 0; i < dlen; i++)
		msg[8 + i] = (uint8_t)(i * 5 + 3);
	return icmp6_msg(b, our_mac, peer_ip6, our_ip6, msg, 8 + dlen, 64);
}

/* NS for @p target, optionally with the source link-layer option. */
static size_t
nd_ns(uint8_t *b, const uint8_t *dmac, const uint8_t *sip, const uint8_t *dip,
      const uint8_t *target, bool slla, uint8_t hops)
{
	uint8_t msg[32] = {135, 0};

	memcpy(msg + 8, target, 16);
	if (slla) {
		msg[24] = 1;
		msg[25] = 1;
		memcpy(msg + 26, peer_mac, 6);
	}
	return icmp6_msg(b, dmac, sip, dip, msg, slla ? 32 : 24, hops);
}

static size_t
nd_na(uint8_t *b, const uint8_t *dmac, const uint8_t *dip, uint8_t flags, const uint8_t *tlla)
{
	uint8_t msg[32] = {136, 0, 0, 0, flags};

	memcpy(msg + 8, peer_ip6, 16);
	if (tlla != NULL) {
		msg[24] = 2;
		msg[25] = 1;
		memcpy(msg + 26, tlla, 6);
	}
	return icmp6_msg(b, dmac, peer_ip6, dip, msg, tlla != NULL ? 32 : 24, 255);
}

static struct rte_mbuf *
mk(const uint8_t *b, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	char *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memcpy(d, b, len);
	return m;
}

static int
parse_bytes(const uint8_t *b, size_t len, uint64_t ol_flags, struct wrtc_net_pkt *pi)
{
	struct rte_mbuf *m = mk(b, len);
	int rc;

	if (m == NULL)
		return -1000;
	m->ol_flags |= ol_flags;
	rc = wrtc_net_parse(&ifc, m, pi);
	rte_pktmbuf_free(m);
	return rc;
}

/*
 * Parses @p b from a heap buffer of exactly @p len bytes behind a bare mbuf
 * header, so that an AddressSanitizer build catches any read past the frame.
 */
static int
parse_exact(const uint8_t *b, size_t len, struct wrtc_net_pkt *pi)
{
	struct rte_mbuf m;
	uint8_t *buf = malloc(len ? len : 1);
	int rc;

	if (buf == NULL)
		return -1000;
	memcpy(buf, b, len);
	memset(&m, 0, sizeof(m));
	m.buf_addr = buf;
	m.buf_len = (uint16_t)len;
	m.data_off = 0;
	m.data_len = (uint16_t)len;
	m.pkt_len = (uint32_t)len;
	m.nb_segs = 1;
	rc = wrtc_net_parse(&ifc, &m, pi);
	free(buf);
	return rc;
}

static bool
mbuf_eq(const struct rte_mbuf *m, const uint8_t *b, size_t len)
{
	if (rte_pktmbuf_data_len(m) != len || rte_pktmbuf_pkt_len(m) != len) {
		fprintf(stderr, "  length %u, expected %zu\n", rte_pktmbuf_data_len(m), len);
		return false;
	}
	return memcmp(rte_pktmbuf_mtod(m, const uint8_t *), b, len) == 0;
}

/* ---- classification --------------------------------------------------- */

static int
test_parse_udp4(void)
{
	uint8_t b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t n = udp4(b, our_mac, peer_ip4, our_ip4, 40000, 30000, 160);
	rte_be32_t src;

	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_UDP);
	memcpy(&src, peer_ip4, 4);
	WRTC_CHECK_EQ(pi.src.family, AF_INET);
	WRTC_CHECK(pi.src.v4 == src);
	WRTC_CHECK(memcmp(&pi.dst.v4, our_ip4, 4) == 0);
	WRTC_CHECK_EQ(pi.src_port, 40000);
	WRTC_CHECK_EQ(pi.dst_port, 30000);
	WRTC_CHECK_EQ(pi.l3_off, 14);
	WRTC_CHECK_EQ(pi.l4_off, 34);
	WRTC_CHECK_EQ(pi.payload_off, 42);
	WRTC_CHECK_EQ(pi.payload_len, 160);
	WRTC_CHECK_EQ(pi.proto, 17);
	WRTC_CHECK(memcmp(pi.src_mac.addr_bytes, peer_mac, 6) == 0);

	/* A zero checksum means "none" over IPv4. */
	put16(b + 40, 0);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_UDP);

	/* IP options shift L4. */
	n = udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 3);
	memmove(b + 38, b + 34, n - 34);
	memset(b + 34, 1, 4);   /* Four NOPs. */
	b[14] = 0x46;
	put16(b + 16, (uint16_t)(get16(b + 16) + 4));
	ip4_fix(b + 14);
	WRTC_CHECK_EQ(parse_bytes(b, n + 4, 0, &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(pi.l4_off, 38);
	WRTC_CHECK_EQ(pi.payload_off, 46);
	WRTC_CHECK_EQ(pi.payload_len, 3);

	/* Broadcast destination MAC with our IP is still ours. */
	n = udp4(b, bcast_mac, peer_ip4, our_ip4, 1, 2, 3);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_UDP);
	return 0;
}

static int
test_parse_udp6(void)
{
	uint8_t b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t n = udp6(b, our_mac, peer_ip6, our_ip6, 5004, 20000, 33);

	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(pi.src.family, AF_INET6);
	WRTC_CHECK(memcmp(pi.src.v6, peer_ip6, 16) == 0);
	WRTC_CHECK(memcmp(pi.dst.v6, our_ip6, 16) == 0);
	WRTC_CHECK_EQ(pi.src_port, 5004);
	WRTC_CHECK_EQ(pi.dst_port, 20000);
	WRTC_CHECK_EQ(pi.l4_off, 54);
	WRTC_CHECK_EQ(pi.payload_off, 62);
	WRTC_CHECK_EQ(pi.payload_len, 33);
	WRTC_CHECK(!pi.mcast);
	return 0;
}

static int
test_parse_classes(void)
{
	uint8_t b[FRAME_MAX], msg[64] = {0};
	struct wrtc_net_pkt pi;
	size_t n;

	n = arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ARP);
	WRTC_CHECK(memcmp(&pi.src.v4, peer_ip4, 4) == 0);
	/* Gratuitous ARP of another host is for us too (we may refresh it). */
	n = arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, peer_ip4);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ARP);

	n = icmp4_echo(b, 56);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ICMP4_ECHO);
	WRTC_CHECK_EQ(pi.l4_off, 34);
	n = icmp6_echo(b, 56);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ICMP6_ECHO);
	WRTC_CHECK_EQ(pi.l4_off, 54);

	/* NS to our solicited-node group, with its multicast MAC. */
	n = nd_ns(b, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 1}, peer_ip6, our_snm6, our_ip6,
		  true, 255);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ND_NS);
	WRTC_CHECK(pi.mcast);
	WRTC_CHECK_EQ(pi.hop_limit, 255);
	n = nd_na(b, our_mac, our_ip6, 0x60, peer_mac);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ND_NA);
	n = nd_na(b, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, 0x20, peer_mac);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ND_NA);
	WRTC_CHECK(pi.mcast);

	/* TCP to us, ICMP destination unreachable, ICMPv6 router advertisement. */
	n = eth(b, our_mac, peer_mac, 0x0800);
	ip4_hdr(b + n, peer_ip4, our_ip4, 6, 20);
	WRTC_CHECK_EQ(parse_bytes(b, n + 40, 0, &pi), WRTC_NET_CLASS_OTHER);
	WRTC_CHECK_EQ(pi.proto, 6);
	ip4_hdr(b + n, peer_ip4, our_ip4, 1, 8);
	b[n + 20] = 3;
	WRTC_CHECK_EQ(parse_bytes(b, n + 28, 0, &pi), WRTC_NET_CLASS_OTHER);
	msg[0] = 134;
	n = icmp6_msg(b, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, peer_ip6, all_nodes6, msg,
		      16, 255);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_OTHER);
	/* Echo to our link-local address is answered too. */
	msg[0] = 128;
	n = icmp6_msg(b, our_mac, peer_ip6, our_ll6, msg, 16, 64);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), WRTC_NET_CLASS_ICMP6_ECHO);
	return 0;
}

struct bad_case {
	const char *name;
	int (*build)(uint8_t *b, uint64_t *flags);     /* Returns the frame length. */
	int drop;
};

static int
b_eth_short(uint8_t *b, uint64_t *f)
{
	eth(b, our_mac, peer_mac, 0x0800);
	return 13;
}

static int
b_ip4_short(uint8_t *b, uint64_t *f)
{
	udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);
	return 14 + 19;
}

static int
b_ip4_opts_short(uint8_t *b, uint64_t *f)
{
	udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 0);
	b[14] = 0x47;   /* 28-byte header, 28 bytes of IP in the frame but frame cut at 24. */
	ip4_fix(b + 14);
	return 14 + 24;
}

static int
b_ip4_tlen_long(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 16, (uint16_t)(get16(b + 16) + 1));
	ip4_fix(b + 14);
	return n;
}

static int
b_udp_short(uint8_t *b, uint64_t *f)
{
	udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 0);
	put16(b + 16, 24);      /* Only 4 bytes of UDP header. */
	ip4_fix(b + 14);
	return 14 + 24;
}

static int
b_ip4_version(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	b[14] = 0x55;
	ip4_fix(b + 14);
	return n;
}

static int
b_ip4_ihl(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	b[14] = 0x44;
	return n;
}

static int
b_ip4_tlen_short(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 16, 19);
	ip4_fix(b + 14);
	return n;
}

static int
b_ip4_cksum(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	b[24] ^= 0x01;
	return n;
}

static int
b_ip4_cksum_flag_bad(uint8_t *b, uint64_t *f)
{
	*f = RTE_MBUF_F_RX_IP_CKSUM_BAD;
	return (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);
}

static int
b_ip4_mf(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	b[20] = 0x20;   /* More fragments. */
	ip4_fix(b + 14);
	return n;
}

static int
b_ip4_offset(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 20, 0x4000 | 185);    /* DF and an offset: a last fragment. */
	ip4_fix(b + 14);
	return n;
}

static int
b_udp_len_long(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 38, 19);
	udp_fix(b + 14, false, b + 34, 18);
	return n;
}

static int
b_udp_len_short(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 38, 17);
	return n;
}

static int
b_udp_len_tiny(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 38, 4);
	return n;
}

static int
b_udp_cksum(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 11);

	b[n - 1] ^= 0x40;
	return n;
}

static int
b_udp_cksum_flag_bad(uint8_t *b, uint64_t *f)
{
	*f = RTE_MBUF_F_RX_L4_CKSUM_BAD;
	return (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 11);
}

static int
b_udp6_cksum_zero(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 11);

	put16(b + 60, 0);
	return n;
}

static int
b_udp6_cksum(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 11);

	b[30] ^= 0x80;  /* Source address: the pseudo-header no longer matches. */
	return n;
}

static int
b_udp6_len(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 11);

	put16(b + 58, 18);
	udp_fix(b + 14, true, b + 54, 19);
	return n;
}

static int
b_vlan(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	memmove(b + 16, b + 12, (size_t)n - 12);
	put16(b + 12, 0x8100);
	put16(b + 14, 100);
	return n + 4;
}

static int
b_vlan_stripped(uint8_t *b, uint64_t *f)
{
	*f = RTE_MBUF_F_RX_VLAN | RTE_MBUF_F_RX_VLAN_STRIPPED;
	return (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);
}

static int
b_qinq(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 12, 0x88a8);
	return n;
}

static int
b_mac_other(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, other_mac, peer_ip4, our_ip4, 1, 2, 10);
}

static int
b_mac_mcast(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, (const uint8_t[6]){0x01, 0x00, 0x5e, 0, 0, 1}, peer_ip4, our_ip4, 1,
			 2, 10);
}

static int
b_mac_snm_other(uint8_t *b, uint64_t *f)
{
	/* Solicited-node MAC of some other address. */
	return (int)nd_ns(b, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 2}, peer_ip6, our_snm6,
			  our_ip6, true, 255);
}

static int
b_ip4_other(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, our_mac, peer_ip4, peer_ip4, 1, 2, 10);
}

static int
b_ip4_bcast(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, bcast_mac, peer_ip4, (const uint8_t[4]){255, 255, 255, 255}, 1, 2,
			 10);
}

static int
b_ip6_other(uint8_t *b, uint64_t *f)
{
	return (int)udp6(b, our_mac, peer_ip6, peer_ip6, 1, 2, 10);
}

static int
b_udp6_ll(uint8_t *b, uint64_t *f)
{
	return (int)udp6(b, our_mac, peer_ip6, our_ll6, 1, 2, 10);
}

static int
b_udp6_snm(uint8_t *b, uint64_t *f)
{
	return (int)udp6(b, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 1}, peer_ip6, our_snm6, 1,
			 2, 10);
}

static int
b_src_loopback(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, our_mac, (const uint8_t[4]){127, 0, 0, 1}, our_ip4, 1, 2, 10);
}

static int
b_src_mcast(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, our_mac, (const uint8_t[4]){224, 0, 0, 5}, our_ip4, 1, 2, 10);
}

static int
b_src_zero(uint8_t *b, uint64_t *f)
{
	return (int)udp4(b, our_mac, (const uint8_t[4]){0, 0, 0, 0}, our_ip4, 1, 2, 10);
}

static int
b_src6_mcast(uint8_t *b, uint64_t *f)
{
	return (int)udp6(b, our_mac, all_nodes6, our_ip6, 1, 2, 10);
}

static int
b_ip6_frag(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 10);

	b[20] = 44;
	return n;
}

static int
b_ip6_short(uint8_t *b, uint64_t *f)
{
	udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 10);
	return 14 + 39;
}

static int
b_ip6_plen_long(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 10);

	put16(b + 18, 19);
	return n;
}

static int
b_ip6_plen_zero(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 10);

	put16(b + 18, 0);
	return n;
}

static int
b_ip6_version(uint8_t *b, uint64_t *f)
{
	int n = (int)udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 10);

	b[14] = 0x40;
	return n;
}

static int
b_arp_short(uint8_t *b, uint64_t *f)
{
	arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	return 14 + 27;
}

static int
b_arp_other(uint8_t *b, uint64_t *f)
{
	return (int)arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0},
			(const uint8_t[4]){192, 0, 2, 9});
}

static int
b_icmp_short(uint8_t *b, uint64_t *f)
{
	size_t n = eth(b, our_mac, peer_mac, 0x0800);

	ip4_hdr(b + n, peer_ip4, our_ip4, 1, 4);
	b[n + 20] = 8;
	return (int)n + 24;
}

static int
b_ipx(uint8_t *b, uint64_t *f)
{
	int n = (int)udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	put16(b + 12, 0x8137);
	return n;
}

static const struct bad_case bad_cases[] = {
	{"ethernet truncated", b_eth_short, WRTC_DROP_TRUNCATED},
	{"ipv4 header truncated", b_ip4_short, WRTC_DROP_TRUNCATED},
	{"ipv4 options truncated", b_ip4_opts_short, WRTC_DROP_TRUNCATED},
	{"ipv4 total length past frame", b_ip4_tlen_long, WRTC_DROP_TRUNCATED},
	{"udp header truncated", b_udp_short, WRTC_DROP_TRUNCATED},
	{"ipv4 version 5", b_ip4_version, WRTC_DROP_IP_HEADER},
	{"ipv4 ihl 4", b_ip4_ihl, WRTC_DROP_IP_HEADER},
	{"ipv4 total length < ihl", b_ip4_tlen_short, WRTC_DROP_IP_HEADER},
	{"ipv4 header checksum", b_ip4_cksum, WRTC_DROP_IP_CHECKSUM},
	{"ipv4 checksum offload says bad", b_ip4_cksum_flag_bad, WRTC_DROP_IP_CHECKSUM},
	{"ipv4 more fragments", b_ip4_mf, WRTC_DROP_IP_FRAGMENT},
	{"ipv4 fragment offset", b_ip4_offset, WRTC_DROP_IP_FRAGMENT},
	{"udp length > ip length", b_udp_len_long, WRTC_DROP_UDP_LENGTH},
	{"udp length < ip length", b_udp_len_short, WRTC_DROP_UDP_LENGTH},
	{"udp length < 8", b_udp_len_tiny, WRTC_DROP_UDP_LENGTH},
	{"udp checksum", b_udp_cksum, WRTC_DROP_UDP_CHECKSUM},
	{"udp checksum offload says bad", b_udp_cksum_flag_bad, WRTC_DROP_UDP_CHECKSUM},
	{"udp over ipv6 zero checksum", b_udp6_cksum_zero, WRTC_DROP_UDP_CHECKSUM},
	{"udp over ipv6 checksum", b_udp6_cksum, WRTC_DROP_UDP_CHECKSUM},
	{"udp over ipv6 length", b_udp6_len, WRTC_DROP_UDP_LENGTH},
	{"vlan tag", b_vlan, WRTC_DROP_ETHERTYPE},
	{"vlan stripped by the port", b_vlan_stripped, WRTC_DROP_ETHERTYPE},
	{"qinq", b_qinq, WRTC_DROP_ETHERTYPE},
	{"ipx", b_ipx, WRTC_DROP_ETHERTYPE},
	{"other unicast mac", b_mac_other, WRTC_DROP_NOT_OURS_MAC},
	{"ipv4 multicast mac", b_mac_mcast, WRTC_DROP_NOT_OURS_MAC},
	{"other solicited-node mac", b_mac_snm_other, WRTC_DROP_NOT_OURS_MAC},
	{"ipv4 not our address", b_ip4_other, WRTC_DROP_NOT_OURS_IP},
	{"ipv4 broadcast address", b_ip4_bcast, WRTC_DROP_NOT_OURS_IP},
	{"ipv6 not our address", b_ip6_other, WRTC_DROP_NOT_OURS_IP},
	{"udp to our link-local", b_udp6_ll, WRTC_DROP_NOT_OURS_IP},
	{"udp to solicited-node group", b_udp6_snm, WRTC_DROP_NOT_OURS_IP},
	{"ipv4 source loopback", b_src_loopback, WRTC_DROP_IP_SOURCE},
	{"ipv4 source multicast", b_src_mcast, WRTC_DROP_IP_SOURCE},
	{"ipv4 source zero", b_src_zero, WRTC_DROP_IP_SOURCE},
	{"ipv6 source multicast", b_src6_mcast, WRTC_DROP_IP_SOURCE},
	{"ipv6 fragment header", b_ip6_frag, WRTC_DROP_IP_FRAGMENT},
	{"ipv6 header truncated", b_ip6_short, WRTC_DROP_TRUNCATED},
	{"ipv6 payload length past frame", b_ip6_plen_long, WRTC_DROP_TRUNCATED},
	{"ipv6 payload length zero", b_ip6_plen_zero, WRTC_DROP_IP_HEADER},
	{"ipv6 version 4", b_ip6_version, WRTC_DROP_IP_HEADER},
	{"arp truncated", b_arp_short, WRTC_DROP_TRUNCATED},
	{"arp for another host", b_arp_other, WRTC_DROP_NOT_OURS_IP},
	{"icmp truncated", b_icmp_short, WRTC_DROP_TRUNCATED},
};

static int
test_parse_malformed(void)
{
	for (size_t i = 0; i < RTE_DIM(bad_cases); i++) {
		uint8_t b[FRAME_MAX] = {0};
		struct wrtc_net_pkt pi;
		uint64_t flags = 0;
		int n = bad_cases[i].build(b, &flags);
		int rc = parse_bytes(b, (size_t)n, flags, &pi);

		if (!WRTC_CHECK_EQ(rc, -bad_cases[i].drop))
			fprintf(stderr, "  case \"%s\": got %s, want %s\n", bad_cases[i].name,
				rc < 0 ? wrtc_drop_name((unsigned int)-rc) :
				wrtc_net_class_name(rc), wrtc_drop_name(bad_cases[i].drop));
	}
	return 0;
}

/* Every prefix of a good frame is rejected as truncated, none read past the end. */
static int
test_parse_every_truncation(void)
{
	uint8_t b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t n4 = udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 21);

	for (size_t len = 0; len < n4; len++) {
		WRTC_CHECK_EQ(parse_bytes(b, len, 0, &pi), -WRTC_DROP_TRUNCATED);
		WRTC_CHECK_EQ(parse_exact(b, len, &pi), -WRTC_DROP_TRUNCATED);
	}
	n4 = udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 21);
	for (size_t len = 0; len < n4; len++) {
		WRTC_CHECK_EQ(parse_bytes(b, len, 0, &pi), -WRTC_DROP_TRUNCATED);
		WRTC_CHECK_EQ(parse_exact(b, len, &pi), -WRTC_DROP_TRUNCATED);
	}
	n4 = nd_ns(b, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 1}, peer_ip6, our_snm6, our_ip6,
		   true, 255);
	for (size_t len = 0; len < n4; len++)
		WRTC_CHECK_EQ(parse_bytes(b, len, 0, &pi), -WRTC_DROP_TRUNCATED);
	return 0;
}

static int
test_parse_offload_flags(void)
{
	uint8_t b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t n = udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 10);

	/* The port vouches for both checksums: trust it even though they are wrong. */
	b[24] ^= 1;
	b[n - 1] ^= 1;
	WRTC_CHECK_EQ(parse_bytes(b, n, RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD,
				  &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(parse_bytes(b, n, RTE_MBUF_F_RX_IP_CKSUM_GOOD, &pi),
		      -WRTC_DROP_UDP_CHECKSUM);
	WRTC_CHECK_EQ(parse_bytes(b, n, RTE_MBUF_F_RX_IP_CKSUM_NONE | RTE_MBUF_F_RX_L4_CKSUM_NONE,
				  &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(parse_bytes(b, n, 0, &pi), -WRTC_DROP_IP_CHECKSUM);
	return 0;
}

static int
test_parse_chained_and_padding(void)
{
	uint8_t b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t n = udp4(b, our_mac, peer_ip4, our_ip4, 7, 9, 3);
	struct rte_mbuf *m, *m2;

	/* Ethernet padding to 60 bytes: payload length comes from UDP. */
	memset(b + n, 0xee, 60 - n);
	m = mk(b, 60);
	WRTC_CHECK_EQ(wrtc_net_parse(&ifc, m, &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(pi.payload_len, 3);
	WRTC_CHECK_EQ(wrtc_net_udp_strip(m, &pi), 0);
	WRTC_CHECK(mbuf_eq(m, b + 42, 3));

	/* A frame in two segments is refused, not read across. */
	m2 = mk(b + 30, 30);
	rte_pktmbuf_trim(m, rte_pktmbuf_data_len(m));
	memcpy(rte_pktmbuf_append(m, 30), b, 30);
	WRTC_CHECK_EQ(rte_pktmbuf_chain(m, m2), 0);
	WRTC_CHECK_EQ(wrtc_net_parse(&ifc, m, &pi), -WRTC_DROP_TRUNCATED);
	rte_pktmbuf_free(m);
	return 0;
}

/* Random corruption of valid frames: parse never reports offsets outside the frame. */
static int
test_parse_mutations(void)
{
	uint8_t base[FRAME_MAX], b[FRAME_MAX];
	struct wrtc_net_pkt pi;
	size_t lens[4];
	unsigned int seed = 12345, classes[WRTC_NET_CLASS_MAX] = {0}, drops = 0;

	lens[0] = udp4(base, our_mac, peer_ip4, our_ip4, 1, 2, 40);
	for (int iter = 0; iter < 40000; iter++) {
		int kind = iter % 4;
		size_t n;
		int rc;

		switch (kind) {
		case 0:
			n = udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 40);
			break;
		case 1:
			n = udp6(b, our_mac, peer_ip6, our_ip6, 1, 2, 40);
			break;
		case 2:
			n = nd_ns(b, our_mac, peer_ip6, our_ip6, our_ip6, true, 255);
			break;
		default:
			n = icmp4_echo(b, 20);
			break;
		}
		for (int k = 0; k < 1 + rand_r(&seed) % 4; k++)
			b[(size_t)rand_r(&seed) % n] ^= (uint8_t)(1 + rand_r(&seed) % 255);
		/* Half the time, make the checksums right again to reach the length checks. */
		if (rand_r(&seed) % 2 == 0 && kind == 0) {
			ip4_fix(b + 14);
			udp_fix(b + 14, false, b + 34, (uint16_t)(n - 34));
		} else if (rand_r(&seed) % 2 == 0 && kind == 1) {
			udp_fix(b + 14, true, b + 54, (uint16_t)(n - 54));
		}
		if (rand_r(&seed) % 4 == 0)
			n = (size_t)rand_r(&seed) % (n + 1);
		rc = parse_bytes(b, n, 0, &pi);
		WRTC_CHECK_EQ(parse_exact(b, n, &pi), rc);
		if (rc < 0) {
			WRTC_CHECK(-rc > 0 && -rc < WRTC_DROP_MAX);
			drops++;
			continue;
		}
		if (!WRTC_CHECK(rc < WRTC_NET_CLASS_MAX))
			continue;
		classes[rc]++;
		if (rc == WRTC_NET_CLASS_UDP)
			WRTC_CHECK((size_t)pi.payload_off + pi.payload_len <= n);
		else if (rc != WRTC_NET_CLASS_ARP)
			WRTC_CHECK(pi.l4_off < n);
	}
	(void)lens;
	/* Both outcomes happened: the mutations are neither all fatal nor all harmless. */
	WRTC_CHECK(drops > 1000);
	WRTC_CHECK(classes[WRTC_NET_CLASS_UDP] > 500);
	return 0;
}

/* ---- ARP ------------------------------------------------------------- */

static struct wrtc_net_neigh *
neigh_new(uint32_t cap)
{
	struct wrtc_net_neigh_prm prm = {
		.capacity = cap, .reachable_time = 1000, .retrans_time = 10, .max_probes = 3,
	};

	return wrtc_net_neigh_create(&prm);
}

static int
test_arp_reply(void)
{
	uint8_t b[FRAME_MAX], want[FRAME_MAX];
	struct wrtc_net_neigh *nb = neigh_new(8);
	struct wrtc_net_addr pa;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	bool reply = false;
	size_t n;

	wrtc_net_addr_set_v4(&pa, *(const rte_be32_t *)peer_ip4);
	n = arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	memset(b + n, 0, 60 - n);       /* Padded like a real minimum frame. */
	m = mk(b, 60);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 5, &reply), 1);
	WRTC_CHECK(reply);
	n = arp(want, peer_mac, our_mac, 2, our_ip4, peer_mac, peer_ip4);
	WRTC_CHECK(mbuf_eq(m, want, n));
	WRTC_CHECK_EQ(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, peer_mac, 6) == 0);

	/* The same request again: answered, nothing new learnt. */
	n = arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 6, &reply), 0);
	WRTC_CHECK(reply);
	rte_pktmbuf_free(m);

	/* A gratuitous ARP moves a known host; of an unknown host it teaches nothing. */
	n = arp(b, bcast_mac, other_mac, 1, peer_ip4, (const uint8_t[6]){0}, peer_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 7, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, other_mac, 6) == 0);
	n = arp(b, bcast_mac, other_mac, 1, (const uint8_t[4]){192, 0, 2, 77},
		(const uint8_t[6]){0}, (const uint8_t[4]){192, 0, 2, 77});
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 7, &reply), 0);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_count(nb), 1);

	/* A reply to us is learnt. */
	n = arp(b, our_mac, other_mac, 2, (const uint8_t[4]){192, 0, 2, 254}, our_mac, our_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 8, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &ifc.gw4, NULL), 0);

	/* Bad ARP: hardware length 8, opcode 3, multicast sender, our own MAC. */
	n = arp(b, bcast_mac, peer_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	b[18] = 8;
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 9, &reply), -WRTC_DROP_ARP_BAD);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	n = arp(b, bcast_mac, peer_mac, 3, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 9, &reply), -WRTC_DROP_ARP_BAD);
	rte_pktmbuf_free(m);
	n = arp(b, bcast_mac, (const uint8_t[6]){0x01, 0, 0x5e, 0, 0, 1}, 1, peer_ip4,
		(const uint8_t[6]){0}, our_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 9, &reply), -WRTC_DROP_ARP_BAD);
	rte_pktmbuf_free(m);
	n = arp(b, bcast_mac, our_mac, 1, peer_ip4, (const uint8_t[6]){0}, our_ip4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, nb, 9, &reply), -WRTC_DROP_ARP_BAD);
	rte_pktmbuf_free(m);
	wrtc_net_neigh_free(nb);
	return 0;
}

static int
test_arp_request_round_trip(void)
{
	uint8_t want[FRAME_MAX];
	struct wrtc_net_neigh *mine = neigh_new(8);
	struct wrtc_net_addr pa;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	bool reply;
	size_t n;

	wrtc_net_addr_set_v4(&pa, *(const rte_be32_t *)peer_ip4);
	m = wrtc_net_solicit(pool, &ifc, &pa);
	WRTC_CHECK(m != NULL);
	if (m == NULL)
		return 1;
	n = arp(want, bcast_mac, our_mac, 1, our_ip4, (const uint8_t[6]){0}, peer_ip4);
	WRTC_CHECK(mbuf_eq(m, want, n));
	/* The peer's stack (this library on the other side) answers it... */
	WRTC_CHECK_EQ(wrtc_net_arp_input(&peer, m, NULL, 0, &reply), 0);
	WRTC_CHECK(reply);
	/* ...and the reply resolves the peer here. */
	WRTC_CHECK_EQ(wrtc_net_arp_input(&ifc, m, mine, 1, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(mine, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, peer_mac, 6) == 0);
	wrtc_net_neigh_free(mine);

	rte_errno = 0;
	WRTC_CHECK(wrtc_net_solicit(pool, &ifc, NULL) == NULL);
	WRTC_CHECK_EQ(rte_errno, EINVAL);
	return 0;
}

/* ---- ND ---------------------------------------------------------------- */

/* Checks an NA from us for @p target to @p dip / @p dmac with @p flags. */
static void
check_na(const struct rte_mbuf *m, const uint8_t *dmac, const uint8_t *dip,
	 const uint8_t *target, uint8_t flags)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint8_t *ip = p + 14, *ic = p + 54;

	WRTC_CHECK_EQ(rte_pktmbuf_data_len(m), 14 + 40 + 32);
	WRTC_CHECK(memcmp(p, dmac, 6) == 0);
	WRTC_CHECK(memcmp(p + 6, our_mac, 6) == 0);
	WRTC_CHECK_EQ(get16(p + 12), 0x86dd);
	WRTC_CHECK_EQ(ip[0] >> 4, 6);
	WRTC_CHECK_EQ(get16(ip + 4), 32);
	WRTC_CHECK_EQ(ip[6], 58);
	WRTC_CHECK_EQ(ip[7], 255);
	WRTC_CHECK(memcmp(ip + 8, target, 16) == 0);
	WRTC_CHECK(memcmp(ip + 24, dip, 16) == 0);
	WRTC_CHECK_EQ(ic[0], 136);
	WRTC_CHECK_EQ(ic[1], 0);
	WRTC_CHECK_EQ(ic[4], flags);
	WRTC_CHECK(ic[5] == 0 && ic[6] == 0 && ic[7] == 0);
	WRTC_CHECK(memcmp(ic + 8, target, 16) == 0);
	WRTC_CHECK_EQ(ic[24], 2);
	WRTC_CHECK_EQ(ic[25], 1);
	WRTC_CHECK(memcmp(ic + 26, our_mac, 6) == 0);
	WRTC_CHECK_EQ(l4_verify(ip, true, 58, ic, 32), 0);
}

static int
test_nd_ns_na(void)
{
	static const uint8_t snm_mac[6] = {0x33, 0x33, 0xff, 0, 0, 1};
	uint8_t b[FRAME_MAX];
	struct wrtc_net_neigh *nb = neigh_new(8);
	struct wrtc_net_addr pa;
	struct rte_ether_addr mac;
	struct rte_mbuf *m;
	bool reply = false;
	size_t n;

	wrtc_net_addr_set_v6(&pa, peer_ip6);

	/* NS for our global address with SLLA: solicited NA, sender learnt. */
	n = nd_ns(b, snm_mac, peer_ip6, our_snm6, our_ip6, true, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 1, &reply), 1);
	WRTC_CHECK(reply);
	check_na(m, peer_mac, peer_ip6, our_ip6, 0x60);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, peer_mac, 6) == 0);

	/* Unicast NS without SLLA (reachability probe): the frame grows by the TLLA option. */
	n = nd_ns(b, our_mac, peer_ip6, our_ip6, our_ip6, false, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 2, &reply), 0);
	WRTC_CHECK(reply);
	check_na(m, peer_mac, peer_ip6, our_ip6, 0x60);
	rte_pktmbuf_free(m);

	/* NS for our link-local address, answered from it. */
	n = nd_ns(b, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 1}, peer_ip6,
		  (const uint8_t[16]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 1},
		  our_ll6, true, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 3, &reply), 0);
	WRTC_CHECK(reply);
	check_na(m, peer_mac, peer_ip6, our_ll6, 0x60);
	rte_pktmbuf_free(m);

	/* Duplicate address detection for our address: defended to all-nodes. */
	n = nd_ns(b, snm_mac, (const uint8_t[16]){0}, our_snm6, our_ip6, false, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 3, &reply), 0);
	WRTC_CHECK(reply);
	check_na(m, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, our_ip6, 0x20);
	rte_pktmbuf_free(m);

	/* NS for another address in our solicited-node group: ignored. */
	n = nd_ns(b, snm_mac, peer_ip6, our_snm6,
		  (const uint8_t[16]){0x20, 1, 0xd, 0xb8, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1},
		  true, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 3, &reply), 0);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);

	/* Invalid: hop limit 64, bad checksum, zero-length option, DAD with SLLA. */
	n = nd_ns(b, snm_mac, peer_ip6, our_snm6, our_ip6, true, 64);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 4, &reply), -WRTC_DROP_ND_BAD);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	n = nd_ns(b, snm_mac, peer_ip6, our_snm6, our_ip6, true, 255);
	b[n - 1] ^= 1;
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 4, &reply), -WRTC_DROP_ND_BAD);
	rte_pktmbuf_free(m);
	{
		uint8_t msg[32] = {135, 0};

		memcpy(msg + 8, our_ip6, 16);
		msg[24] = 1;    /* Length 0. */
		n = icmp6_msg(b, snm_mac, peer_ip6, our_snm6, msg, 32, 255);
		m = mk(b, n);
		WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 4, &reply), -WRTC_DROP_ND_BAD);
		rte_pktmbuf_free(m);
	}
	n = nd_ns(b, snm_mac, (const uint8_t[16]){0}, our_snm6, our_ip6, true, 255);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 4, &reply), -WRTC_DROP_ND_BAD);
	rte_pktmbuf_free(m);

	/* NA: solicited to us updates; unsolicited for an unknown host teaches nothing. */
	WRTC_CHECK_EQ(wrtc_net_neigh_remove(nb, &pa), 0);
	n = nd_na(b, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, 0x20, other_mac);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 5, &reply), 0);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, NULL), -ENOENT);
	n = nd_na(b, our_mac, our_ip6, 0x60, other_mac);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 5, &reply), 1);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, other_mac, 6) == 0);
	/* Unsolicited override to all-nodes now moves it. */
	n = nd_na(b, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, 0x20, peer_mac);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 6, &reply), 1);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(nb, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, peer_mac, 6) == 0);
	/* Solicited flag on a multicast NA is invalid. */
	n = nd_na(b, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, 0x60, peer_mac);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, nb, 6, &reply), -WRTC_DROP_ND_BAD);
	rte_pktmbuf_free(m);
	wrtc_net_neigh_free(nb);
	return 0;
}

static int
test_nd_solicit_round_trip(void)
{
	struct wrtc_net_neigh *mine = neigh_new(8);
	struct wrtc_net_addr pa;
	struct rte_ether_addr mac;
	const uint8_t *p, *ip;
	struct rte_mbuf *m;
	bool reply;

	wrtc_net_addr_set_v6(&pa, peer_ip6);
	m = wrtc_net_solicit(pool, &ifc, &pa);
	WRTC_CHECK(m != NULL);
	if (m == NULL)
		return 1;
	p = rte_pktmbuf_mtod(m, const uint8_t *);
	ip = p + 14;
	WRTC_CHECK_EQ(rte_pktmbuf_data_len(m), 14 + 40 + 32);
	WRTC_CHECK(memcmp(p, (const uint8_t[6]){0x33, 0x33, 0xff, 0, 0, 2}, 6) == 0);
	WRTC_CHECK(memcmp(p + 6, our_mac, 6) == 0);
	WRTC_CHECK_EQ(ip[7], 255);
	WRTC_CHECK(memcmp(ip + 8, our_ip6, 16) == 0);
	WRTC_CHECK(memcmp(ip + 24, (const uint8_t[16]){0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
						       0xff, 0, 0, 2}, 16) == 0);
	WRTC_CHECK_EQ(ip[40], 135);
	WRTC_CHECK(memcmp(ip + 48, peer_ip6, 16) == 0);
	WRTC_CHECK(ip[64] == 1 && ip[65] == 1 && memcmp(ip + 66, our_mac, 6) == 0);
	WRTC_CHECK_EQ(l4_verify(ip, true, 58, ip + 40, 32), 0);

	/* The peer answers, and its NA resolves it here. */
	WRTC_CHECK_EQ(wrtc_net_nd_input(&peer, m, NULL, 0, &reply), 0);
	WRTC_CHECK(reply);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&ifc, m, mine, 1, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(mine, &pa, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, peer_mac, 6) == 0);

	/* A link-local target is solicited from our link-local address. */
	m = wrtc_net_nd_solicit(pool, &ifc, ifc.gw6.v6);
	WRTC_CHECK(m != NULL);
	if (m != NULL) {
		ip = rte_pktmbuf_mtod(m, const uint8_t *) + 14;
		WRTC_CHECK(memcmp(ip + 8, our_ll6, 16) == 0);
		WRTC_CHECK_EQ(l4_verify(ip, true, 58, ip + 40, 32), 0);
		rte_pktmbuf_free(m);
	}
	wrtc_net_neigh_free(mine);
	return 0;
}

/* Gratuitous ARP and unsolicited NA move our entry in a peer's table. */
static int
test_announce(void)
{
	uint8_t want[FRAME_MAX];
	struct wrtc_net_neigh *theirs = neigh_new(8);
	struct rte_ether_addr old = {.addr_bytes = {2, 0, 0, 0, 0, 0x77}}, mac;
	struct rte_mbuf *m;
	bool reply = true;
	size_t n;

	WRTC_CHECK_EQ(wrtc_net_neigh_learn(theirs, &ifc.ip4, &old, 0), 1);
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(theirs, &ifc.ip6, &old, 0), 1);

	m = wrtc_net_arp_announce(pool, &ifc);
	WRTC_CHECK(m != NULL);
	if (m == NULL)
		return 1;
	n = arp(want, bcast_mac, our_mac, 1, our_ip4, (const uint8_t[6]){0}, our_ip4);
	WRTC_CHECK(mbuf_eq(m, want, n));
	WRTC_CHECK_EQ(wrtc_net_arp_input(&peer, m, theirs, 1, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(theirs, &ifc.ip4, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, our_mac, 6) == 0);

	m = wrtc_net_nd_advertise(pool, &ifc, ifc.ip6.v6);
	WRTC_CHECK(m != NULL);
	if (m == NULL)
		return 1;
	WRTC_CHECK_EQ(get16(rte_pktmbuf_mtod(m, const uint8_t *) + 12), 0x86dd);
	check_na(m, (const uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, all_nodes6, our_ip6, 0x20);
	WRTC_CHECK_EQ(wrtc_net_nd_input(&peer, m, theirs, 1, &reply), 1);
	WRTC_CHECK(!reply);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(theirs, &ifc.ip6, &mac), 0);
	WRTC_CHECK(memcmp(mac.addr_bytes, our_mac, 6) == 0);

	rte_errno = 0;
	WRTC_CHECK(wrtc_net_nd_advertise(pool, &ifc, peer_ip6) == NULL);
	WRTC_CHECK_EQ(rte_errno, EINVAL);
	wrtc_net_neigh_free(theirs);
	return 0;
}

/* ---- ICMP echo ---------------------------------------------------------- */

static int
test_icmp_echo(void)
{
	uint8_t b[FRAME_MAX];
	const uint8_t *p;
	struct rte_mbuf *m;
	size_t n;

	for (size_t dlen = 0; dlen < 60; dlen += 7) {     /* Odd and even lengths. */
		n = icmp4_echo(b, dlen);
		m = mk(b, n);
		WRTC_CHECK_EQ(wrtc_net_icmp_echo_reply(&ifc, m), 0);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		WRTC_CHECK_EQ(rte_pktmbuf_data_len(m), n);
		WRTC_CHECK(memcmp(p, peer_mac, 6) == 0 && memcmp(p + 6, our_mac, 6) == 0);
		WRTC_CHECK(memcmp(p + 26, our_ip4, 4) == 0 && memcmp(p + 30, peer_ip4, 4) == 0);
		WRTC_CHECK_EQ(fin16(sum16(p + 14, 20, 0)), 0);
		WRTC_CHECK_EQ(p[34], 0);
		WRTC_CHECK_EQ(get16(p + 38), 0xbeef);
		WRTC_CHECK(memcmp(p + 42, b + 42, dlen) == 0);
		WRTC_CHECK_EQ(fin16(sum16(p + 34, 8 + dlen, 0)), 0);
		rte_pktmbuf_free(m);

		n = icmp6_echo(b, dlen);
		memset(b + n, 0, 8);    /* Trailing garbage is trimmed. */
		m = mk(b, n + 8);
		WRTC_CHECK_EQ(wrtc_net_icmp_echo_reply(&ifc, m), 0);
		p = rte_pktmbuf_mtod(m, const uint8_t *);
		WRTC_CHECK_EQ(rte_pktmbuf_data_len(m), n);
		WRTC_CHECK(memcmp(p, peer_mac, 6) == 0);
		WRTC_CHECK(memcmp(p + 22, our_ip6, 16) == 0 && memcmp(p + 38, peer_ip6, 16) == 0);
		WRTC_CHECK_EQ(p[54], 129);
		WRTC_CHECK(memcmp(p + 62, b + 62, dlen) == 0);
		WRTC_CHECK_EQ(l4_verify(p + 14, true, 58, p + 54, (uint32_t)(8 + dlen)), 0);
		rte_pktmbuf_free(m);
	}
	/* Bad ICMP checksums, and a frame that is not an echo request. */
	n = icmp4_echo(b, 5);
	b[n - 1] ^= 2;
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_icmp_echo_reply(&ifc, m), -WRTC_DROP_ICMP_BAD);
	rte_pktmbuf_free(m);
	n = icmp6_echo(b, 5);
	b[n - 1] ^= 2;
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_icmp_echo_reply(&ifc, m), -WRTC_DROP_ICMP_BAD);
	rte_pktmbuf_free(m);
	n = udp4(b, our_mac, peer_ip4, our_ip4, 1, 2, 3);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_icmp_echo_reply(&ifc, m), -WRTC_DROP_ICMP_BAD);
	rte_pktmbuf_free(m);
	return 0;
}

/* ---- egress ---------------------------------------------------------- */

static struct rte_mbuf *
payload_mbuf(size_t len, uint8_t seed)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *d = m ? (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len) : NULL;

	if (m != NULL && d == NULL && len > 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		d[i] = (uint8_t)(seed + i * 31);
	return m;
}

/* Copies the whole (possibly chained) packet out. */
static size_t
flatten(const struct rte_mbuf *m, uint8_t *out)
{
	size_t n = 0;

	for (; m != NULL; m = m->next) {
		memcpy(out + n, rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m));
		n += rte_pktmbuf_data_len(m);
	}
	return n;
}

static int
test_prepend(void)
{
	static const size_t lens[] = {0, 1, 7, 160, 161, 1001, 1400};
	struct wrtc_net_addr dst;
	struct wrtc_net_hdr_tmpl t4, t6;
	struct rte_ether_addr pmac;
	uint8_t f[FRAME_MAX];

	memcpy(pmac.addr_bytes, peer_mac, 6);
	wrtc_net_addr_set_v4(&dst, *(const rte_be32_t *)peer_ip4);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_init(&t4, &ifc, &ifc.ip4, 30000, &dst, 40000, &pmac), 0);
	WRTC_CHECK_EQ(t4.size, 42);
	wrtc_net_addr_set_v6(&dst, peer_ip6);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_init(&t6, &ifc, &ifc.ip6, 30002, &dst, 40002, &pmac), 0);
	WRTC_CHECK_EQ(t6.size, 62);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_init(&t6, &ifc, &ifc.ip4, 1, &dst, 2, &pmac), -EINVAL);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_init(&t6, &ifc, &ifc.ip6, 30002, &dst, 40002, &pmac), 0);

	for (size_t i = 0; i < RTE_DIM(lens); i++) {
		size_t len = lens[i], n;
		struct wrtc_net_pkt pi;
		uint16_t want;
		struct rte_mbuf *m;

		/* IPv4, software checksums. */
		m = payload_mbuf(len, (uint8_t)i);
		WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t4, false), 0);
		n = flatten(m, f);
		WRTC_CHECK_EQ(n, 42 + len);
		WRTC_CHECK(memcmp(f, peer_mac, 6) == 0 && memcmp(f + 6, our_mac, 6) == 0);
		WRTC_CHECK_EQ(get16(f + 12), 0x0800);
		WRTC_CHECK_EQ(f[14], 0x45);
		WRTC_CHECK_EQ(get16(f + 16), 28 + len);
		WRTC_CHECK_EQ(get16(f + 20), 0x4000);
		WRTC_CHECK_EQ(f[23], 17);
		WRTC_CHECK(memcmp(f + 26, our_ip4, 4) == 0 && memcmp(f + 30, peer_ip4, 4) == 0);
		WRTC_CHECK_EQ(fin16(sum16(f + 14, 20, 0)), 0);
		WRTC_CHECK_EQ(get16(f + 34), 30000);
		WRTC_CHECK_EQ(get16(f + 36), 40000);
		WRTC_CHECK_EQ(get16(f + 38), 8 + len);
		WRTC_CHECK(get16(f + 40) != 0);
		WRTC_CHECK_EQ(l4_verify(f + 14, false, 17, f + 34, (uint32_t)(8 + len)), 0);
		WRTC_CHECK_EQ(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK, 0);
		/* The peer accepts it. */
		WRTC_CHECK_EQ(wrtc_net_parse(&peer, m, &pi), WRTC_NET_CLASS_UDP);
		WRTC_CHECK_EQ(pi.payload_len, len);
		rte_pktmbuf_free(m);

		/* IPv6, software checksums. */
		m = payload_mbuf(len, (uint8_t)(i + 100));
		WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t6, false), 0);
		n = flatten(m, f);
		WRTC_CHECK_EQ(n, 62 + len);
		WRTC_CHECK_EQ(get16(f + 12), 0x86dd);
		WRTC_CHECK_EQ(f[14] >> 4, 6);
		WRTC_CHECK_EQ(get16(f + 18), 8 + len);
		WRTC_CHECK_EQ(f[20], 17);
		WRTC_CHECK(memcmp(f + 22, our_ip6, 16) == 0 && memcmp(f + 38, peer_ip6, 16) == 0);
		WRTC_CHECK_EQ(get16(f + 54), 30002);
		WRTC_CHECK_EQ(get16(f + 56), 40002);
		WRTC_CHECK_EQ(get16(f + 58), 8 + len);
		WRTC_CHECK(get16(f + 60) != 0);
		WRTC_CHECK_EQ(l4_verify(f + 14, true, 17, f + 54, (uint32_t)(8 + len)), 0);
		WRTC_CHECK_EQ(wrtc_net_parse(&peer, m, &pi), WRTC_NET_CLASS_UDP);
		rte_pktmbuf_free(m);

		/* Offload: flags, lengths, and the pseudo-header sum (not complemented). */
		m = payload_mbuf(len, 7);
		WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t4, true), 0);
		n = flatten(m, f);
		WRTC_CHECK_EQ(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
			      RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
			      RTE_MBUF_F_TX_UDP_CKSUM);
		WRTC_CHECK_EQ(m->l2_len, 14);
		WRTC_CHECK_EQ(m->l3_len, 20);
		WRTC_CHECK_EQ(get16(f + 24), 0);
		want = (uint16_t)~fin16(phdr_sum(f + 14, false, 17, (uint32_t)(8 + len)));
		WRTC_CHECK_EQ(get16(f + 40), want);
		rte_pktmbuf_free(m);
		m = payload_mbuf(len, 7);
		WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t6, true), 0);
		n = flatten(m, f);
		WRTC_CHECK_EQ(m->ol_flags & RTE_MBUF_F_TX_OFFLOAD_MASK,
			      RTE_MBUF_F_TX_IPV6 | RTE_MBUF_F_TX_UDP_CKSUM);
		WRTC_CHECK_EQ(m->l3_len, 40);
		want = (uint16_t)~fin16(phdr_sum(f + 14, true, 17, (uint32_t)(8 + len)));
		WRTC_CHECK_EQ(get16(f + 60), want);
		rte_pktmbuf_free(m);
	}
	return 0;
}

static int
test_prepend_chained_and_headroom(void)
{
	struct wrtc_net_addr dst;
	struct wrtc_net_hdr_tmpl t;
	struct rte_ether_addr pmac;
	struct rte_mbuf *m, *m2;
	uint8_t f[FRAME_MAX];
	size_t n;

	memcpy(pmac.addr_bytes, peer_mac, 6);
	wrtc_net_addr_set_v4(&dst, *(const rte_be32_t *)peer_ip4);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_init(&t, &ifc, &ifc.ip4, 1, &dst, 2, &pmac), 0);

	/* Payload in two segments, the first of odd length. */
	m = payload_mbuf(33, 1);
	m2 = payload_mbuf(100, 2);
	WRTC_CHECK_EQ(rte_pktmbuf_chain(m, m2), 0);
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
	n = flatten(m, f);
	WRTC_CHECK_EQ(n, 42 + 133);
	WRTC_CHECK_EQ(l4_verify(f + 14, false, 17, f + 34, 141), 0);
	WRTC_CHECK_EQ(fin16(sum16(f + 14, 20, 0)), 0);
	rte_pktmbuf_free(m);

	/* Not enough headroom: refused, mbuf untouched. */
	m = payload_mbuf(10, 3);
	rte_pktmbuf_adj(m, 0);
	m->data_off = 20;
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), -WRTC_DROP_HEADROOM);
	WRTC_CHECK_EQ(m->data_off, 20);
	WRTC_CHECK_EQ(rte_pktmbuf_pkt_len(m), 10);
	rte_pktmbuf_free(m);
	return 0;
}

static int
test_reply_and_latch(void)
{
	uint8_t b[FRAME_MAX], f[FRAME_MAX];
	struct wrtc_net_hdr_tmpl t;
	struct wrtc_net_pkt pi, pi2;
	struct rte_mbuf *m;
	size_t n;

	/* Answer a received datagram with a different payload. */
	n = udp4(b, our_mac, peer_ip4, our_ip4, 40000, 30000, 20);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_parse(&ifc, m, &pi), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_reply(&t, &ifc, &pi), 0);
	WRTC_CHECK_EQ(wrtc_net_udp_strip(m, &pi), 0);
	WRTC_CHECK(mbuf_eq(m, b + 42, 20));
	memset(rte_pktmbuf_append(m, 11), 0x5a, 11);
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
	WRTC_CHECK_EQ(wrtc_net_parse(&peer, m, &pi2), WRTC_NET_CLASS_UDP);
	WRTC_CHECK_EQ(pi2.src_port, 30000);
	WRTC_CHECK_EQ(pi2.dst_port, 40000);
	WRTC_CHECK_EQ(pi2.payload_len, 31);
	WRTC_CHECK(memcmp(pi2.src_mac.addr_bytes, our_mac, 6) == 0);
	rte_pktmbuf_free(m);

	/* Latch an IPv4 template onto a new source (address, port, MAC). */
	n = udp4(b, our_mac, (const uint8_t[4]){198, 51, 100, 7}, our_ip4, 2222, 30000, 20);
	memcpy(b + 6, other_mac, 6);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_parse(&ifc, m, &pi), WRTC_NET_CLASS_UDP);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_latch(&t, &pi), 0);
	m = payload_mbuf(9, 4);
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
	n = flatten(m, f);
	WRTC_CHECK(memcmp(f, other_mac, 6) == 0);
	WRTC_CHECK(memcmp(f + 30, (const uint8_t[4]){198, 51, 100, 7}, 4) == 0);
	WRTC_CHECK_EQ(get16(f + 36), 2222);
	WRTC_CHECK_EQ(fin16(sum16(f + 14, 20, 0)), 0);
	WRTC_CHECK_EQ(l4_verify(f + 14, false, 17, f + 34, 17), 0);
	rte_pktmbuf_free(m);

	/* DSCP EF: TOS byte 0xb8, header checksum still right. */
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_set_dscp(&t, 46), 0);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_set_dscp(&t, 64), -EINVAL);
	m = payload_mbuf(3, 4);
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
	n = flatten(m, f);
	WRTC_CHECK_EQ(f[15], 0xb8);
	WRTC_CHECK_EQ(fin16(sum16(f + 14, 20, 0)), 0);
	rte_pktmbuf_free(m);

	/* IPv6 latch; family mismatch refused. */
	n = udp6(b, our_mac, peer_ip6, our_ip6, 3333, 30000, 4);
	m = mk(b, n);
	WRTC_CHECK_EQ(wrtc_net_parse(&ifc, m, &pi2), WRTC_NET_CLASS_UDP);
	rte_pktmbuf_free(m);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_latch(&t, &pi2), -EINVAL);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_reply(&t, &ifc, &pi2), 0);
	pi2.src_port = 4444;
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_latch(&t, &pi2), 0);
	WRTC_CHECK_EQ(wrtc_net_hdr_tmpl_set_dscp(&t, 46), 0);
	m = payload_mbuf(9, 4);
	WRTC_CHECK_EQ(wrtc_net_udp_prepend(m, &t, false), 0);
	n = flatten(m, f);
	WRTC_CHECK_EQ(get16(f + 14), 0x6b80);   /* Version 6, traffic class 0xb8. */
	WRTC_CHECK_EQ(get16(f + 56), 4444);
	WRTC_CHECK_EQ(l4_verify(f + 14, true, 17, f + 54, 17), 0);
	rte_pktmbuf_free(m);
	return 0;
}

/* ---- neighbour table ------------------------------------------------ */

static struct wrtc_net_addr
v4n(uint32_t host)
{
	struct wrtc_net_addr a;

	wrtc_net_addr_set_v4(&a, rte_cpu_to_be_32(host));
	return a;
}

static int
test_neigh(void)
{
	struct wrtc_net_neigh *n = neigh_new(64);
	struct rte_ether_addr mac = {.addr_bytes = {2, 0, 0, 0, 0, 9}}, got;
	struct wrtc_net_addr a, a6;
	uint8_t v6[16] = {0};
	unsigned int i;

	WRTC_CHECK(n != NULL);
	if (n == NULL)
		return 1;
	/* IPv4 c0000201 and IPv6 c0000201:: are different keys. */
	a = v4n(0xc0000201);
	memcpy(v6, &a.v4, 4);
	wrtc_net_addr_set_v6(&a6, v6);
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &a, &mac, 0), 1);
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &a, &mac, 1), 0);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a6, NULL), -ENOENT);
	mac.addr_bytes[5] = 10;
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &a6, &mac, 1), 1);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a6, &got), 0);
	WRTC_CHECK_EQ(got.addr_bytes[5], 10);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a, &got), 0);
	WRTC_CHECK_EQ(got.addr_bytes[5], 9);
	WRTC_CHECK_EQ(wrtc_net_neigh_count(n), 2);
	/* Bad input. */
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &a, &(struct rte_ether_addr){{0}}, 1), -EINVAL);
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &(struct wrtc_net_addr){0}, &mac, 1), -EINVAL);

	/* Fill to capacity; one more is refused until ageing frees room. */
	for (i = 2; i < 64; i++) {
		struct wrtc_net_addr x = v4n(0x0a000000 + i);

		mac.addr_bytes[4] = (uint8_t)i;
		WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &x, &mac, i), 1);
	}
	WRTC_CHECK_EQ(wrtc_net_neigh_count(n), 64);
	{
		struct wrtc_net_addr x = v4n(0x0b000001);

		WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &x, &mac, 100), -ENOSPC);
		WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &x, 100, NULL), -ENOSPC);
		/*
		 * At t=1005 the entries updated at t<=5 are reachable_time (1000)
		 * old: the two at t=1 and 10.0.0.2-5.
		 */
		WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &x, &mac, 1005), 1);
		WRTC_CHECK_EQ(wrtc_net_neigh_count(n), 64 - 6 + 1);
		WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a, NULL), -ENOENT);
	}
	/* Every survivor is still found after the deletions shifted runs around. */
	for (i = 6; i < 64; i++) {
		struct wrtc_net_addr x = v4n(0x0a000000 + i);

		WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &x, &got), 0);
		WRTC_CHECK_EQ(got.addr_bytes[4], i);
	}
	/* Remove every other one; the rest stay reachable. */
	for (i = 7; i < 64; i += 2) {
		struct wrtc_net_addr x = v4n(0x0a000000 + i);

		WRTC_CHECK_EQ(wrtc_net_neigh_remove(n, &x), 0);
		WRTC_CHECK_EQ(wrtc_net_neigh_remove(n, &x), -ENOENT);
	}
	for (i = 6; i < 64; i += 2) {
		struct wrtc_net_addr x = v4n(0x0a000000 + i);

		WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &x, NULL), 0);
	}
	i = wrtc_net_neigh_count(n);
	WRTC_CHECK_EQ(i, 59 - 29);
	WRTC_CHECK_EQ(wrtc_net_neigh_age(n, 100000), i);
	WRTC_CHECK_EQ(wrtc_net_neigh_count(n), 0);
	wrtc_net_neigh_free(n);
	wrtc_net_neigh_free(NULL);

	rte_errno = 0;
	WRTC_CHECK(wrtc_net_neigh_create(&(struct wrtc_net_neigh_prm){.capacity = 0}) == NULL);
	WRTC_CHECK_EQ(rte_errno, EINVAL);
	return 0;
}

static int
test_neigh_resolve(void)
{
	struct wrtc_net_neigh *n = neigh_new(4);
	struct rte_ether_addr mac = {.addr_bytes = {2, 0, 0, 0, 0, 9}}, got;
	struct wrtc_net_addr a = v4n(0xc0000202);

	/* retrans_time 10, max_probes 3. */
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 100, &got), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a, NULL), -ENOENT);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 105, &got), -EINPROGRESS);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 110, &got), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 120, &got), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 125, &got), -EINPROGRESS);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 130, &got), -EHOSTUNREACH);
	/* Incomplete entries age out after (max_probes + 1) * retrans_time. */
	WRTC_CHECK_EQ(wrtc_net_neigh_age(n, 139), 0);
	WRTC_CHECK_EQ(wrtc_net_neigh_age(n, 140), 1);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 141, &got), -EAGAIN);
	/* The answer arrives: learn reports the change, resolve succeeds. */
	WRTC_CHECK_EQ(wrtc_net_neigh_learn(n, &a, &mac, 142), 1);
	memset(&got, 0, sizeof(got));
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 143, &got), 0);
	WRTC_CHECK(rte_is_same_ether_addr(&got, &mac));
	/* An update of an incomplete entry (e.g. unsolicited NA) completes it as well. */
	a = v4n(0xc0000203);
	WRTC_CHECK_EQ(wrtc_net_neigh_update(n, &a, &mac, 150), -ENOENT);
	WRTC_CHECK_EQ(wrtc_net_neigh_resolve(n, &a, 150, NULL), -EAGAIN);
	WRTC_CHECK_EQ(wrtc_net_neigh_update(n, &a, &mac, 151), 1);
	WRTC_CHECK_EQ(wrtc_net_neigh_lookup(n, &a, NULL), 0);
	wrtc_net_neigh_free(n);
	return 0;
}

static int
test_nexthop(void)
{
	struct wrtc_net_addr d, nh;
	struct wrtc_net_iface v4only = ifc;

	WRTC_CHECK_EQ(wrtc_net_addr_parse("192.0.2.200", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&ifc, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &d));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("198.51.100.1", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&ifc, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &ifc.gw4));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("2001:db8::77", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&ifc, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &d));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("2001:db8:1::77", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&ifc, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &ifc.gw6));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("fe80::1234", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&ifc, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &d));

	/* Prefix lengths that do not end on a byte: 192.0.2.1/25. */
	v4only.ip4_prefix = 25;
	WRTC_CHECK_EQ(wrtc_net_addr_parse("192.0.2.127", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&v4only, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &d));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("192.0.2.128", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&v4only, &d, &nh), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&nh, &ifc.gw4));
	memset(&v4only.gw4, 0, sizeof(v4only.gw4));
	WRTC_CHECK_EQ(wrtc_net_nexthop(&v4only, &d, &nh), -ENETUNREACH);
	memset(&v4only.ip6, 0, sizeof(v4only.ip6));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("2001:db8::77", &d), 0);
	WRTC_CHECK_EQ(wrtc_net_nexthop(&v4only, &d, &nh), -EAFNOSUPPORT);
	return 0;
}

/* ---- interface and formatting ------------------------------------------ */

static int
test_iface_init(void)
{
	struct wrtc_net_iface x = ifc;
	struct rte_eth_dev_info info;

	/* The EUI-64 link-local address was derived from the MAC. */
	WRTC_CHECK(memcmp(ifc.ip6_ll.v6, our_ll6, 16) == 0);
	x.ip4_prefix = 33;
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), -EINVAL);
	x = ifc;
	x.mac.addr_bytes[0] = 0x01;
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), -EINVAL);
	x = ifc;
	memset(&x.ip4, 0, sizeof(x.ip4));
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), -EINVAL);       /* Gateway without address. */
	memset(&x.gw4, 0, sizeof(x.gw4));
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), 0);
	memset(&x.ip6, 0, sizeof(x.ip6));
	memset(&x.gw6, 0, sizeof(x.gw6));
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), -EINVAL);       /* No address at all. */
	x = ifc;
	x.ip6 = ifc.ip4;
	WRTC_CHECK_EQ(wrtc_net_iface_init(&x), -EINVAL);

	memset(&info, 0, sizeof(info));
	info.tx_offload_capa = RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
	wrtc_net_iface_set_offloads(&x, &info);
	WRTC_CHECK(!x.tx_cksum_offload);
	info.tx_offload_capa |= RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
	wrtc_net_iface_set_offloads(&x, &info);
	WRTC_CHECK(x.tx_cksum_offload);
	return 0;
}

static int
test_format(void)
{
	char buf[WRTC_NET_ADDR_PORT_STRLEN];
	const char *s = buf;
	struct wrtc_net_addr a;

	WRTC_CHECK_EQ(wrtc_net_addr_port_format(&ifc.ip4, 5004, buf, sizeof(buf)), 14);
	WRTC_CHECK_STREQ(s, "192.0.2.1:5004");
	WRTC_CHECK_EQ(wrtc_net_addr_port_format(&ifc.ip6, 65535, buf, sizeof(buf)), 19);
	WRTC_CHECK_STREQ(s, "[2001:db8::1]:65535");
	WRTC_CHECK_EQ(wrtc_net_addr_format(&ifc.ip6_ll, buf, sizeof(buf)), 15);
	WRTC_CHECK_STREQ(s, "fe80::ff:fe00:1");
	memset(&a, 0, sizeof(a));
	WRTC_CHECK_EQ(wrtc_net_addr_format(&a, buf, sizeof(buf)), 1);
	WRTC_CHECK_STREQ(s, "-");
	WRTC_CHECK_EQ(wrtc_net_addr_port_format(&ifc.ip4, 5004, buf, 8), -ENOSPC);
	WRTC_CHECK_EQ(strlen(buf), 7);
	WRTC_CHECK_EQ(wrtc_net_addr_parse("2001:db8::1", &a), 0);
	WRTC_CHECK(wrtc_net_addr_eq(&a, &ifc.ip6));
	WRTC_CHECK_EQ(wrtc_net_addr_parse("192.0.2.1:5004", &a), -EINVAL);
	WRTC_CHECK_EQ(wrtc_net_addr_parse("", &a), -EINVAL);
	WRTC_CHECK_STREQ(wrtc_net_class_name(WRTC_NET_CLASS_ND_NS), "nd-ns");
	WRTC_CHECK_STREQ(wrtc_net_class_name(99), "unknown");
	WRTC_CHECK_STREQ(wrtc_drop_name(WRTC_DROP_IP_SOURCE), "martian-source");
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"parse udp ipv4", test_parse_udp4},
	{"parse udp ipv6", test_parse_udp6},
	{"parse arp/icmp/nd/other", test_parse_classes},
	{"parse malformed frames", test_parse_malformed},
	{"parse every truncation", test_parse_every_truncation},
	{"parse rx offload flags", test_parse_offload_flags},
	{"parse padding, chained mbuf", test_parse_chained_and_padding},
	{"parse random mutations", test_parse_mutations},
	{"arp reply and learning", test_arp_reply},
	{"arp request round trip", test_arp_request_round_trip},
	{"nd ns -> na", test_nd_ns_na},
	{"nd solicit round trip", test_nd_solicit_round_trip},
	{"gratuitous arp, unsolicited na", test_announce},
	{"icmp echo v4/v6", test_icmp_echo},
	{"udp prepend v4/v6", test_prepend},
	{"udp prepend chained, headroom", test_prepend_chained_and_headroom},
	{"reply template and latching", test_reply_and_latch},
	{"neighbour table", test_neigh},
	{"neighbour resolution", test_neigh_resolve},
	{"next hop", test_nexthop},
	{"interface init", test_iface_init},
	{"address formatting", test_format},
};

static int
setup_ifaces(void)
{
	memset(&ifc, 0, sizeof(ifc));
	memcpy(ifc.mac.addr_bytes, our_mac, 6);
	if (wrtc_net_addr_parse("192.0.2.1", &ifc.ip4) ||
	    wrtc_net_addr_parse("192.0.2.254", &ifc.gw4) ||
	    wrtc_net_addr_parse("2001:db8::1", &ifc.ip6) ||
	    wrtc_net_addr_parse("fe80::1", &ifc.gw6))
		return -1;
	ifc.ip4_prefix = 24;
	ifc.ip6_prefix = 64;
	if (wrtc_net_iface_init(&ifc) != 0)
		return -1;

	memset(&peer, 0, sizeof(peer));
	memcpy(peer.mac.addr_bytes, peer_mac, 6);
	if (wrtc_net_addr_parse("192.0.2.2", &peer.ip4) ||
	    wrtc_net_addr_parse("2001:db8::2", &peer.ip6))
		return -1;
	peer.ip4_prefix = 24;
	peer.ip6_prefix = 64;
	return wrtc_net_iface_init(&peer);
}

int
main(void)
{
	char *argv[] = {"test_net", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--no-telemetry", "-l", "0", "--log-level=lib.eal:error", NULL};
	int rc;

	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	pool = rte_pktmbuf_pool_create("test_net", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL || setup_ifaces() != 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	rc = wrtc_test_main(cases, RTE_DIM(cases));
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
