/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lib/policer unit tests. Expected counts follow from the bucket arithmetic
 * (tokens = bucket + elapsed * rate / hz, one token per packet or byte); each
 * case states the derivation next to the numbers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

#include "wrtc_policer.h"
#include "wrtc_test.h"

static struct wrtc_policer_addr
v4(const char *s)
{
	struct wrtc_policer_addr a;
	struct in_addr in;

	inet_pton(AF_INET, s, &in);
	wrtc_policer_addr_v4(&a, in.s_addr);
	return a;
}

static struct wrtc_policer_addr
v6(const char *s)
{
	struct wrtc_policer_addr a;
	uint8_t b[16];

	inet_pton(AF_INET6, s, b);
	wrtc_policer_addr_v6(&a, b);
	return a;
}

/* Admits @p n packets at @p now; returns how many passed. */
static unsigned int
burst(struct wrtc_policer *p, uint64_t now, unsigned int n, uint32_t size,
      const struct wrtc_policer_addr *src)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++)
		ok += wrtc_policer_admit(p, now, size, src);
	return ok;
}

static int
test_packet_rate(void)
{
	/* 10 packets/s, bucket 5, 1000 ticks/s: one token per 100 ticks. */
	struct wrtc_policer_prm prm = {.name = "p", .mode = WRTC_POLICER_PACKET_RATE,
				       .bucket = 5, .rate = 10, .hz = 1000, .now = 0};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_tokens(p, 0, false), 5);
	WRTC_CHECK_EQ(burst(p, 0, 6, 1200, NULL), 5);      /* the full bucket, not more */
	WRTC_CHECK_EQ(burst(p, 99, 1, 1200, NULL), 0);     /* 0.99 token */
	WRTC_CHECK_EQ(burst(p, 100, 2, 1200, NULL), 1);    /* 1.00 token */
	WRTC_CHECK_EQ(burst(p, 250, 2, 1200, NULL), 1);    /* 1.5 tokens, 0.5 left */
	WRTC_CHECK_EQ(burst(p, 299, 1, 1200, NULL), 0);    /* 0.99 */
	WRTC_CHECK_EQ(burst(p, 300, 1, 1200, NULL), 1);    /* 1.00: no rounding loss */
	/* 1 s later the bucket is capped at 5, not 10. */
	WRTC_CHECK_EQ(wrtc_policer_tokens(p, 1300, false), 5);
	WRTC_CHECK_EQ(burst(p, 1300, 10, 1200, NULL), 5);
	/* Days of idle time: full again, no overflow. */
	WRTC_CHECK_EQ(burst(p, 1000ull * 86400 * 365, 10, 1200, NULL), 5);
	/* Time going backwards adds nothing. */
	WRTC_CHECK_EQ(burst(p, 500, 1, 1200, NULL), 0);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.accepted, 5 + 1 + 1 + 1 + 5 + 5);
	WRTC_CHECK_EQ(st.discarded, 1 + 1 + 1 + 1 + 1 + 5 + 5 + 1);
	WRTC_CHECK_EQ(st.priority_accepted, 0);
	wrtc_policer_free(p);
	return 0;
}

static int
test_data_rate(void)
{
	/* 1000 bytes/s, bucket 1500 bytes, 1000 ticks/s: one byte per tick. */
	struct wrtc_policer_prm prm = {.mode = WRTC_POLICER_DATA_RATE, .type =
				       WRTC_POLICER_LINK_DATA, .bucket = 1500, .rate = 1000,
				       .hz = 1000, .now = 5000};
	struct wrtc_policer *p = wrtc_policer_create(&prm);

	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK(wrtc_policer_admit(p, 5000, 1000, NULL));   /* 500 left */
	WRTC_CHECK(!wrtc_policer_admit(p, 5000, 501, NULL));
	WRTC_CHECK(wrtc_policer_admit(p, 5000, 500, NULL));    /* 0 left */
	WRTC_CHECK(!wrtc_policer_admit(p, 5100, 101, NULL));   /* 100 */
	WRTC_CHECK(wrtc_policer_admit(p, 5100, 100, NULL));
	WRTC_CHECK_EQ(wrtc_policer_tokens(p, 5600, false), 500);
	/* Larger than the bucket: never admitted, even when full. */
	WRTC_CHECK(!wrtc_policer_admit(p, 100000, 1501, NULL));
	WRTC_CHECK(wrtc_policer_admit(p, 100000, 1500, NULL));
	WRTC_CHECK(!wrtc_policer_admit(p, 200000, UINT32_MAX, NULL));
	wrtc_policer_free(p);
	return 0;
}

static int
test_tsc_rate(void)
{
	/*
	 * A 2.5 GHz TSC, 1000 packets/s, bucket 100. Packets every 100 us
	 * (250000 ticks) add 0.1 token each. Over N packets the supply is
	 * 100 + 0.1 * (N - 1) tokens and the bucket never caps (it drains), so
	 * exactly floor(100 + 0.1 * (N - 1)) pass: N = 100000 gives 10099.
	 */
	const uint64_t hz = 2500000000ull;
	struct wrtc_policer_prm prm = {.mode = WRTC_POLICER_PACKET_RATE, .bucket = 100,
				       .rate = 1000, .hz = hz, .now = 7};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	unsigned int ok = 0;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	for (uint64_t k = 0; k < 100000; k++)
		ok += wrtc_policer_admit(p, 7 + k * 250000, 0, NULL);
	WRTC_CHECK_EQ(ok, 10099);
	wrtc_policer_free(p);
	return 0;
}

static int
test_rate_set(void)
{
	/* 10 packets/s, bucket 5, 1000 ticks/s. */
	struct wrtc_policer_prm prm = {.name = "p", .mode = WRTC_POLICER_PACKET_RATE,
				       .bucket = 5, .rate = 10, .hz = 1000, .now = 0};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	/* Two of the five tokens used; then 100 packets/s, bucket 3: the fill (3)
	 * stays, so only 3 pass at once. */
	WRTC_CHECK_EQ(burst(p, 0, 2, 0, NULL), 2);
	prm.rate = 100;
	prm.bucket = 3;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), 0);
	WRTC_CHECK_EQ(burst(p, 0, 5, 0, NULL), 3);
	/* 50 ticks at 100/s = 5 tokens, capped at the new bucket of 3. */
	WRTC_CHECK_EQ(burst(p, 50, 5, 0, NULL), 3);
	/* 10 ticks at 100/s: one token (at the old rate it would be 0.1). */
	WRTC_CHECK_EQ(burst(p, 60, 5, 0, NULL), 1);
	/* A smaller bucket caps the refill: 1000 ticks later only 1 passes. */
	prm.bucket = 1;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), 0);
	WRTC_CHECK_EQ(burst(p, 1060, 5, 0, NULL), 1);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.rate, 100);
	WRTC_CHECK_EQ(st.bucket, 1);
	WRTC_CHECK_EQ(st.accepted, 10);
	/* Errors leave the policer as it was. */
	prm.rate = 0;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), -EINVAL);
	prm.rate = 100;
	prm.priority_rate = 200;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), -EINVAL);
	prm.priority_rate = 0;
	prm.bucket = UINT64_MAX / 2;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), -ERANGE);
	WRTC_CHECK_EQ(wrtc_policer_rate_set(NULL, &prm), -EINVAL);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.rate, 100);
	WRTC_CHECK_EQ(st.bucket, 1);
	/* No pair class: a pair rate is refused. */
	prm.bucket = 1;
	prm.pair_rate = 100;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), -EINVAL);
	wrtc_policer_free(p);

	/* A pair class (bucket 4, 10/s): its fill is kept, its rate changes;
	 * pair_rate 0 leaves it alone. */
	prm = (struct wrtc_policer_prm){.name = "s", .type = WRTC_POLICER_STUN, .bucket = 4,
					.rate = 10, .pair_rate = 10, .max_pairs = 2, .hz = 1000};
	p = wrtc_policer_create(&prm);
	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_admit_class(p, 0, 1, WRTC_POLICER_CLASS_PAIR), 1);
	prm.pair_rate = 5;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), -EINVAL);     /* below rate */
	prm.pair_rate = 1000;
	prm.pair_bucket = 2;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), 0);
	/* 3 tokens left, capped at 2; then one per tick at 1000/s. */
	WRTC_CHECK_EQ(wrtc_policer_class_tokens(p, 0, WRTC_POLICER_CLASS_PAIR), 2);
	WRTC_CHECK_EQ(wrtc_policer_admit_class(p, 0, 1, WRTC_POLICER_CLASS_PAIR) +
		      wrtc_policer_admit_class(p, 0, 1, WRTC_POLICER_CLASS_PAIR) +
		      wrtc_policer_admit_class(p, 0, 1, WRTC_POLICER_CLASS_PAIR), 2);
	WRTC_CHECK_EQ(wrtc_policer_class_tokens(p, 1, WRTC_POLICER_CLASS_PAIR), 1);
	prm.pair_rate = 0;
	prm.rate = 20;
	WRTC_CHECK_EQ(wrtc_policer_rate_set(p, &prm), 0);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.pair_rate, 1000);
	WRTC_CHECK_EQ(st.rate, 20);
	wrtc_policer_free(p);
	return 0;
}

static int
test_priority_flood(void)
{
	/*
	 * The flood of issue 9: a STUN policer (bucket 100, 1000 pkt/s, 10000
	 * pkt/s for candidates) on a 2.5 GHz TSC. A non-candidate sends at 10x
	 * the ordinary rate (every 100 us) for 10 s; the call's candidate sends
	 * a consent check every 20 ms. Every consent check passes; the flood gets
	 * exactly what the ordinary bucket yields (see test_tsc_rate).
	 */
	const uint64_t hz = 2500000000ull;
	struct wrtc_policer_prm prm = {.name = "stun", .id = 2, .type = WRTC_POLICER_STUN,
				       .mode = WRTC_POLICER_PACKET_RATE, .bucket = 100,
				       .rate = 1000, .priority_rate = 10000,
				       .srflx_prefix_v4 = 32, .max_sources = 64, .hz = hz};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer_addr cand = v4("10.99.0.1"), flood = v4("10.99.0.66");
	unsigned int flood_ok = 0, cand_ok = 0, cand_n = 0;
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &cand, WRTC_POLICER_CAND_HOST), 0);
	for (uint64_t k = 0; k < 100000; k++) {
		uint64_t now = k * 250000;

		flood_ok += wrtc_policer_admit(p, now, 60, &flood);
		if (k % 200 == 0) {
			cand_ok += wrtc_policer_admit(p, now, 80, &cand);
			cand_n++;
		}
	}
	WRTC_CHECK_EQ(cand_n, 500);
	WRTC_CHECK_EQ(cand_ok, 500);
	WRTC_CHECK_EQ(flood_ok, 10099);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.accepted, 10099 + 500);
	WRTC_CHECK_EQ(st.discarded, 100000 - 10099);
	WRTC_CHECK_EQ(st.priority_accepted, 500);
	WRTC_CHECK_EQ(st.priority_discarded, 0);
	WRTC_CHECK_EQ(st.sources, 1);
	/* The priority class has its own limit too: 100 + a burst at one instant. */
	WRTC_CHECK_EQ(burst(p, 20 * hz, 150, 80, &cand), 100);
	wrtc_policer_free(p);
	return 0;
}

static int
test_source_matching(void)
{
	struct wrtc_policer_prm prm = {.mode = WRTC_POLICER_PACKET_RATE, .bucket = 1, .rate = 1,
				       .priority_rate = 2, .srflx_prefix_v4 = 24,
				       .max_sources = 16, .hz = 1};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer_addr a;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	a = v4("192.0.2.10");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), 0);
	a = v4("198.51.100.7");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_SRFLX), 0);
	a = v4("203.0.113.5");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_RELAY), 0);
	a = v6("2001:db8::1");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_SRFLX), 0);

	/* host and relay: /32. */
	a = v4("192.0.2.10");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v4("192.0.2.11");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	a = v4("203.0.113.5");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v4("203.0.113.6");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	/* srflx IPv4: /24. */
	a = v4("198.51.100.200");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v4("198.51.100.0");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v4("198.51.101.7");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	/* IPv6: always /128. */
	a = v6("2001:db8::1");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v6("2001:db8::2");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	/* An IPv4 address never matches an IPv6 entry with the same bytes. */
	a = v4("32.1.13.184");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));

	/* Reference counts: two calls signal the same host. */
	a = v4("192.0.2.10");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), 0);
	WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_HOST), 0);
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_HOST), 0);
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_HOST), -ENOENT);
	/* Removing with the wrong type finds the /32 key, not the /24 one. */
	a = v4("198.51.100.7");
	WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_HOST), -ENOENT);
	WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_SRFLX), 0);
	a.family = 99;
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), -EINVAL);
	wrtc_policer_free(p);

	/* Prefix 0 admits every IPv4 source signalled as srflx at the priority rate. */
	prm.srflx_prefix_v4 = 0;
	p = wrtc_policer_create(&prm);
	if (!WRTC_CHECK(p != NULL))
		return -1;
	a = v4("198.51.100.7");
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_SRFLX), 0);
	a = v4("8.8.8.8");
	WRTC_CHECK(wrtc_policer_source_match(p, &a));
	a = v6("::1");
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	wrtc_policer_free(p);
	return 0;
}

static int
test_source_table(void)
{
	struct wrtc_policer_prm prm = {.mode = WRTC_POLICER_PACKET_RATE, .bucket = 1, .rate = 1,
				       .priority_rate = 1, .srflx_prefix_v4 = 32,
				       .max_sources = 1000, .hz = 1};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	static bool present[1000];
	struct wrtc_policer_addr a;
	struct wrtc_policer_status st;
	unsigned int seed = 12345, mismatches = 0;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	/* Fill to capacity with addresses that collide in the low bytes. */
	for (uint32_t i = 0; i < 1000; i++) {
		wrtc_policer_addr_v4(&a, htonl(0x0a000000u + i * 256));
		WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), 0);
		present[i] = true;
	}
	wrtc_policer_addr_v4(&a, htonl(0x0b000000u));
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), -ENOSPC);
	/* Remove 600 in pseudo-random order; the rest must still be found. */
	for (unsigned int n = 0; n < 600;) {
		uint32_t i;

		seed = seed * 1103515245u + 12345u;
		i = (seed >> 8) % 1000;
		if (!present[i])
			continue;
		wrtc_policer_addr_v4(&a, htonl(0x0a000000u + i * 256));
		WRTC_CHECK_EQ(wrtc_policer_source_remove(p, &a, WRTC_POLICER_CAND_HOST), 0);
		present[i] = false;
		n++;
	}
	for (uint32_t i = 0; i < 1000; i++) {
		wrtc_policer_addr_v4(&a, htonl(0x0a000000u + i * 256));
		if (wrtc_policer_source_match(p, &a) != present[i])
			mismatches++;
	}
	WRTC_CHECK_EQ(mismatches, 0);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.sources, 400);
	wrtc_policer_free(p);
	return 0;
}

static int
test_create_errors(void)
{
	struct wrtc_policer_prm ok = {.mode = WRTC_POLICER_PACKET_RATE, .bucket = 1, .rate = 1,
				      .hz = 1};
	struct wrtc_policer_prm prm;
	struct wrtc_policer *p;
	struct wrtc_policer_addr a = v4("10.0.0.1");

	prm = ok;
	prm.bucket = 0;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	prm = ok;
	prm.rate = 0;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	prm = ok;
	prm.hz = 0;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	prm = ok;
	prm.srflx_prefix_v4 = 33;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	prm = ok;
	prm.rate = 10;
	prm.priority_rate = 5;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	prm = ok;
	prm.bucket = 1ull << 40;
	prm.hz = 1ull << 30;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == ERANGE);
	WRTC_CHECK(wrtc_policer_create(NULL) == NULL && errno == EINVAL);
	/* Without a priority class there is no source table. */
	p = wrtc_policer_create(&ok);
	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), -EINVAL);
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	WRTC_CHECK_EQ(wrtc_policer_tokens(p, 0, true), 0);
	WRTC_CHECK(wrtc_policer_admit(p, 0, 0, &a));
	WRTC_CHECK(!wrtc_policer_admit(p, 0, 0, &a));
	wrtc_policer_free(p);
	wrtc_policer_free(NULL);
	return 0;
}

static int
test_status_json(void)
{
	struct wrtc_policer_prm prm = {.name = "stun", .id = 3, .type = WRTC_POLICER_STUN,
				       .mode = WRTC_POLICER_PACKET_RATE, .bucket = 2, .rate = 1,
				       .priority_rate = 4, .max_sources = 4, .srflx_prefix_v4 = 32,
				       .hz = 10};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer *q = wrtc_policer_create(&prm);
	struct wrtc_policer_status st, st2;
	struct wrtc_policer_addr a = v4("10.0.0.1");
	json_t *j;
	char *s;

	if (!WRTC_CHECK(p != NULL && q != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), 0);
	WRTC_CHECK_EQ(burst(p, 0, 3, 0, &a), 2);
	WRTC_CHECK_EQ(burst(p, 0, 4, 0, NULL), 2);
	WRTC_CHECK_EQ(burst(q, 0, 5, 0, NULL), 2);
	wrtc_policer_status_get(p, &st);
	wrtc_policer_status_get(q, &st2);
	/* Aggregate two per-lcore instances of one configured policer. */
	wrtc_policer_status_add(&st, &st2);
	j = wrtc_policer_status_json(&st);
	s = json_dumps(j, JSON_COMPACT);
	WRTC_CHECK_STREQ(s, "{\"id\":3,\"name\":\"stun\",\"type\":\"stun\",\"mode\":\"packet-rate\","
			    "\"bucket\":2,\"rate\":1,\"priority_rate\":4,\"accepted\":6,"
			    "\"discarded\":6,\"priority_accepted\":2,\"priority_discarded\":1,"
			    "\"sources\":1,\"pair_rate\":0,\"pair_accepted\":0,\"pair_discarded\":0,"
			    "\"pairs\":0}");
	free(s);
	json_decref(j);
	/* The whole `policers` result from a 2-instance x 2-policer array. */
	{
		struct wrtc_policer_prm lp = {.name = "link", .id = 0, .type =
					      WRTC_POLICER_LINK_DATA, .mode = WRTC_POLICER_DATA_RATE,
					      .bucket = 1000, .rate = 1, .hz = 1};
		struct wrtc_policer *l0 = wrtc_policer_create(&lp), *l1 = wrtc_policer_create(&lp);
		/* Instance-major: {worker 0: link, stun}, {worker 1: link, stun}. */
		struct wrtc_policer *arr[4] = {l0, p, l1, q};

		WRTC_CHECK(wrtc_policer_admit(l0, 0, 600, NULL));
		WRTC_CHECK(!wrtc_policer_admit(l0, 0, 600, NULL));
		WRTC_CHECK(wrtc_policer_admit(l1, 0, 1000, NULL));
		j = wrtc_policer_table_json(arr, 2, 2);
		s = json_dumps(j, JSON_COMPACT);
		WRTC_CHECK_STREQ(s, "{\"policers\":[{\"id\":0,\"name\":\"link\",\"type\":"
				    "\"link-data\",\"mode\":\"data-rate\",\"bucket\":1000,\"rate\":1,"
				    "\"priority_rate\":0,\"accepted\":2,\"discarded\":1,"
				    "\"priority_accepted\":0,\"priority_discarded\":0,\"sources\":0,"
				    "\"pair_rate\":0,\"pair_accepted\":0,\"pair_discarded\":0,\"pairs\":0},"
				    "{\"id\":3,\"name\":\"stun\",\"type\":\"stun\",\"mode\":"
				    "\"packet-rate\",\"bucket\":2,\"rate\":1,\"priority_rate\":4,"
				    "\"accepted\":6,\"discarded\":6,\"priority_accepted\":2,"
				    "\"priority_discarded\":1,\"sources\":1,\"pair_rate\":0,\"pair_accepted\":0,"
				    "\"pair_discarded\":0,\"pairs\":0}]}");
		free(s);
		json_decref(j);
		wrtc_policer_free(l0);
		wrtc_policer_free(l1);
	}
	WRTC_CHECK_STREQ(wrtc_policer_type_str(WRTC_POLICER_LINK_DATA), "link-data");
	WRTC_CHECK_STREQ(wrtc_policer_type_str(WRTC_POLICER_DTLS), "dtls");
	WRTC_CHECK_STREQ(wrtc_policer_mode_str(WRTC_POLICER_DATA_RATE), "data-rate");
	wrtc_policer_free(p);
	wrtc_policer_free(q);
	return 0;
}

static int
test_from_config(void)
{
	static const char json[] =
		"{\"interfaces\":[{\"name\":\"a\",\"port\":0,\"ipv4\":\"10.0.0.2/24\"}],"
		"\"codec_entries\":[{\"name\":\"pcmu\",\"codec\":\"PCMU\"}],"
		"\"packet_service_profiles\":[{\"name\":\"p\",\"codecs\":[\"pcmu\"]}],"
		"\"trunk_groups\":[{\"name\":\"t\",\"interface\":\"a\",\"kind\":\"sip\","
		"\"packet_service_profile\":\"p\"}],\"policers\":["
		"{\"name\":\"link\",\"type\":\"link-data\",\"bucket\":1500,\"rate\":1000},"
		"{\"name\":\"stun\",\"type\":\"stun\",\"bucket\":100,\"rate\":1000,"
		"\"priority_rate\":10000,\"srflx_prefix_v4\":24},"
		"{\"name\":\"dtls\",\"type\":\"dtls\",\"bucket\":10,\"rate\":50}]}";
	char err[WRTC_CONFIG_ERR_SIZE];
	struct wrtc_config *cfg = wrtc_config_load_string(json, sizeof(json) - 1, NULL, err,
							  sizeof(err));
	struct wrtc_policer_prm prm;
	struct wrtc_policer *p;
	struct wrtc_policer_addr a = v4("192.0.2.1"), b = v4("192.0.2.77");

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[0], 0, 64, 1000, 0, &prm), 0);
	WRTC_CHECK_EQ(prm.type, WRTC_POLICER_LINK_DATA);
	WRTC_CHECK_EQ(prm.mode, WRTC_POLICER_DATA_RATE);
	WRTC_CHECK_EQ(prm.priority_rate, 0);
	WRTC_CHECK_EQ(prm.max_sources, 0);
	p = wrtc_policer_create(&prm);
	WRTC_CHECK(p != NULL);
	WRTC_CHECK(wrtc_policer_admit(p, 0, 1500, NULL));
	WRTC_CHECK(!wrtc_policer_admit(p, 0, 1, NULL));
	wrtc_policer_free(p);

	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[1], 1, 64, 1000, 0, &prm), 0);
	WRTC_CHECK_EQ(prm.type, WRTC_POLICER_STUN);
	WRTC_CHECK_EQ(prm.mode, WRTC_POLICER_PACKET_RATE);
	WRTC_CHECK_EQ(prm.priority_rate, 10000);
	WRTC_CHECK_EQ(prm.srflx_prefix_v4, 24);
	WRTC_CHECK_STREQ(prm.name, "stun");
	p = wrtc_policer_create(&prm);
	if (!WRTC_CHECK(p != NULL)) {
		wrtc_config_free(cfg);
		return -1;
	}
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_SRFLX), 0);
	WRTC_CHECK(wrtc_policer_source_match(p, &b));
	wrtc_policer_free(p);

	/* Without a higher priority rate there is no table. */
	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[2], 2, 64, 1000, 0, &prm), 0);
	WRTC_CHECK_EQ(prm.type, WRTC_POLICER_DTLS);
	WRTC_CHECK_EQ(prm.priority_rate, 0);
	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[2], 2, 64, 0, 0, &prm), -EINVAL);
	wrtc_config_free(cfg);
	return 0;
}


static int
test_pair_flood(void)
{
	/*
	 * A flood from the browser's own address on another port (same NAT, or
	 * spoofed) matches its host candidate, so it is charged to the priority
	 * bucket; the consent checks of the selected pair (exact address and
	 * both ports) have the pair bucket to themselves. 1000 ticks/s, bucket
	 * 10, rates 10 (ordinary), 100 (priority and pair). The flood sends
	 * once per tick (10x the priority rate) for 10 s: it gets
	 * floor((10 * 1000 + 9999 * 100) / 1000) = 1009 packets through. The
	 * pair sends every 20 ticks (50/s, under its rate): all 500 pass.
	 */
	struct wrtc_policer_prm prm = {.name = "stun", .type = WRTC_POLICER_STUN,
				       .mode = WRTC_POLICER_PACKET_RATE, .bucket = 10, .rate = 10,
				       .priority_rate = 100, .pair_rate = 100, .srflx_prefix_v4 = 32,
				       .max_sources = 8, .max_pairs = 4, .hz = 1000};
	struct wrtc_policer *p = wrtc_policer_create(&prm);
	struct wrtc_policer_addr br = v4("10.99.0.1"), other = v4("10.99.0.9");
	unsigned int flood_ok = 0, pair_ok = 0, pair_n = 0;
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &br, WRTC_POLICER_CAND_HOST), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &br, 50000, 20000), 0);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &br, 50000, 20000), WRTC_POLICER_CLASS_PAIR);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &br, 50001, 20000), WRTC_POLICER_CLASS_PRIORITY);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &br, 50000, 20002), WRTC_POLICER_CLASS_PRIORITY);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &other, 50000, 20000), WRTC_POLICER_CLASS_ORDINARY);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, NULL, 50000, 20000), WRTC_POLICER_CLASS_ORDINARY);
	for (uint64_t now = 0; now < 10000; now++) {
		flood_ok += wrtc_policer_admit_class(p, now, 60,
			wrtc_policer_classify(p, &br, 40000, 20000));
		if (now % 20 == 0) {
			pair_ok += wrtc_policer_admit_class(p, now, 80,
				wrtc_policer_classify(p, &br, 50000, 20000));
			pair_n++;
		}
	}
	WRTC_CHECK_EQ(pair_n, 500);
	WRTC_CHECK_EQ(pair_ok, 500);
	WRTC_CHECK_EQ(flood_ok, 1009);
	/* The ordinary bucket was not touched: still its 10 tokens. */
	WRTC_CHECK_EQ(wrtc_policer_class_tokens(p, 10000, WRTC_POLICER_CLASS_ORDINARY), 10);
	WRTC_CHECK_EQ(burst(p, 10000, 12, 60, &other), 10);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.pair_rate, 100);
	WRTC_CHECK_EQ(st.pair_accepted, 500);
	WRTC_CHECK_EQ(st.pair_discarded, 0);
	WRTC_CHECK_EQ(st.priority_accepted, 1009);
	WRTC_CHECK_EQ(st.priority_discarded, 10000 - 1009);
	WRTC_CHECK_EQ(st.accepted, 500 + 1009 + 10);
	WRTC_CHECK_EQ(st.discarded, 10000 - 1009 + 2);
	WRTC_CHECK_EQ(st.pairs, 1);
	WRTC_CHECK_EQ(st.sources, 1);
	/* The pair class has its own limit: 10 + 0 at one instant after idling. */
	WRTC_CHECK_EQ(wrtc_policer_class_tokens(p, 20000, WRTC_POLICER_CLASS_PAIR), 10);
	WRTC_CHECK_EQ(wrtc_policer_admit_class(p, 20000, 1, WRTC_POLICER_CLASS_PAIR) +
		      wrtc_policer_admit_class(p, 20000, 1, WRTC_POLICER_CLASS_PAIR), 2);
	wrtc_policer_free(p);
	return 0;
}

static int
test_pair_table(void)
{
	struct wrtc_policer_prm prm = {.name = "dtls", .type = WRTC_POLICER_DTLS, .bucket = 10,
				       .rate = 10, .pair_rate = 10, .max_pairs = 3, .hz = 1000};
	struct wrtc_policer *p = wrtc_policer_create(&prm), *q;
	struct wrtc_policer_addr a = v4("192.0.2.1"), a6 = v6("2001:db8::1"), bad = a;
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(p != NULL))
		return -1;
	/* No priority class: candidates are refused, pairs are kept. */
	WRTC_CHECK_EQ(wrtc_policer_source_add(p, &a, WRTC_POLICER_CAND_HOST), -EINVAL);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a, 1000, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a, 1000, 2000), 0);   /* second reference */
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a6, 1000, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a, 1001, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a, 1002, 2000), -ENOSPC);
	bad.family = 99;
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &bad, 1, 2), -EINVAL);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, NULL, 1, 2), -EINVAL);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.pairs, 3);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a, 1000, 2000), WRTC_POLICER_CLASS_PAIR);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a6, 1000, 2000), WRTC_POLICER_CLASS_PAIR);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a6, 1001, 2000), WRTC_POLICER_CLASS_ORDINARY);
	/* The address alone is no candidate: the pair does not make it priority. */
	WRTC_CHECK(!wrtc_policer_source_match(p, &a));
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a, 1000, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a, 1000, 2000), WRTC_POLICER_CLASS_PAIR);
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a, 1000, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a, 1000, 2000), WRTC_POLICER_CLASS_ORDINARY);
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a, 1000, 2000), -ENOENT);
	WRTC_CHECK_EQ(wrtc_policer_classify(p, &a, 1001, 2000), WRTC_POLICER_CLASS_PAIR);
	WRTC_CHECK_EQ(wrtc_policer_pair_add(p, &a, 1002, 2000), 0);   /* room again */
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a6, 1000, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a, 1001, 2000), 0);
	WRTC_CHECK_EQ(wrtc_policer_pair_remove(p, &a, 1002, 2000), 0);
	wrtc_policer_status_get(p, &st);
	WRTC_CHECK_EQ(st.pairs, 0);
	wrtc_policer_free(p);

	/* No pair class: refused; pair_rate below rate: refused at create. */
	prm.pair_rate = 0;
	q = wrtc_policer_create(&prm);
	if (WRTC_CHECK(q != NULL)) {
		WRTC_CHECK_EQ(wrtc_policer_pair_add(q, &a, 1, 2), -EINVAL);
		WRTC_CHECK_EQ(wrtc_policer_classify(q, &a, 1, 2), WRTC_POLICER_CLASS_ORDINARY);
		/* A class it does not have is charged to the ordinary bucket. */
		WRTC_CHECK_EQ(wrtc_policer_class_tokens(q, 0, WRTC_POLICER_CLASS_PAIR), 0);
		WRTC_CHECK(wrtc_policer_admit_class(q, 0, 1, WRTC_POLICER_CLASS_PAIR));
		WRTC_CHECK_EQ(wrtc_policer_class_tokens(q, 0, WRTC_POLICER_CLASS_ORDINARY), 9);
		wrtc_policer_free(q);
	}
	prm.pair_rate = 5;
	errno = 0;
	WRTC_CHECK(wrtc_policer_create(&prm) == NULL && errno == EINVAL);
	return 0;
}

static int
test_punted_defaults(void)
{
	static const char json[] =
		"{\"interfaces\":[{\"name\":\"a\",\"port\":0,\"ipv4\":\"10.0.0.2/24\"}],"
		"\"codec_entries\":[{\"name\":\"pcmu\",\"codec\":\"PCMU\"}],"
		"\"packet_service_profiles\":[{\"name\":\"p\",\"codecs\":[\"pcmu\"]}],"
		"\"trunk_groups\":[{\"name\":\"t\",\"interface\":\"a\",\"kind\":\"sip\","
		"\"packet_service_profile\":\"p\"}],\"policers\":["
		"{\"name\":\"ping\",\"type\":\"icmp\",\"bucket\":5,\"rate\":50},"
		"{\"name\":\"stun\",\"type\":\"stun\",\"bucket\":100,\"rate\":1000,"
		"\"priority_rate\":10000,\"pair_rate\":20000}]}";
	static const enum wrtc_config_policer_type types[] = {
		WRTC_CONFIG_POLICER_STUN, WRTC_CONFIG_POLICER_DTLS, WRTC_CONFIG_POLICER_ARP,
		WRTC_CONFIG_POLICER_ND, WRTC_CONFIG_POLICER_ICMP,
	};
	static const char *const names[] = {"stun", "dtls", "arp", "nd", "icmp"};
	char err[WRTC_CONFIG_ERR_SIZE];
	struct wrtc_config *cfg = wrtc_config_load_string(json, sizeof(json) - 1, NULL, err,
							  sizeof(err));
	struct wrtc_config_policer cp;
	struct wrtc_policer_prm prm;
	struct wrtc_policer *p;
	struct wrtc_policer_status st;

	if (!WRTC_CHECK(cfg != NULL)) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	/* icmp: one bucket, no candidate or pair table. */
	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[0], 0, 64, 1000, 0, &prm), 0);
	WRTC_CHECK_EQ(prm.type, WRTC_POLICER_ICMP);
	WRTC_CHECK_EQ(prm.mode, WRTC_POLICER_PACKET_RATE);
	WRTC_CHECK_EQ(prm.priority_rate, 0);
	WRTC_CHECK_EQ(prm.pair_rate, 0);
	p = wrtc_policer_create(&prm);
	if (WRTC_CHECK(p != NULL)) {
		/* 5 at once, then one per 20 ms (50/s). */
		WRTC_CHECK_EQ(burst(p, 0, 8, 64, NULL), 5);
		WRTC_CHECK_EQ(burst(p, 19, 2, 64, NULL), 0);
		WRTC_CHECK_EQ(burst(p, 20, 2, 64, NULL), 1);
		wrtc_policer_status_get(p, &st);
		WRTC_CHECK_STREQ(wrtc_policer_type_str(st.type), "icmp");
		wrtc_policer_free(p);
	}
	/* stun: the pair rate as configured. */
	WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cfg->policers[1], 1, 64, 1000, 0, &prm), 0);
	WRTC_CHECK_EQ(prm.pair_rate, 20000);
	WRTC_CHECK_EQ(prm.max_pairs, 64);
	/* The defaults of every punted class. */
	for (unsigned int i = 0; i < DIM(types); i++) {
		WRTC_CHECK_EQ(wrtc_policer_default_config(types[i], &cp), 0);
		WRTC_CHECK_STREQ(cp.name, names[i]);
		WRTC_CHECK_EQ(cp.type, types[i]);
		WRTC_CHECK(cp.bucket >= 1 && cp.rate >= 1);
		WRTC_CHECK_EQ(wrtc_policer_prm_from_config(&cp, i, 64, 1000, 0, &prm), 0);
		p = wrtc_policer_create(&prm);
		WRTC_CHECK(p != NULL);
		wrtc_policer_status_get(p, &st);
		WRTC_CHECK_STREQ(wrtc_policer_type_str(st.type), names[i]);
		/* STUN and DTLS keep a pair class; the others have one bucket. */
		WRTC_CHECK_EQ(st.pair_rate != 0, i < 2);
		wrtc_policer_free(p);
	}
	WRTC_CHECK_EQ(wrtc_policer_default_config(WRTC_CONFIG_POLICER_LINK_DATA, &cp), -EINVAL);
	wrtc_config_free(cfg);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"parameters from the configuration", test_from_config},
	{"packet-rate arithmetic", test_packet_rate},
	{"data-rate arithmetic", test_data_rate},
	{"TSC tick rate without drift", test_tsc_rate},
	{"rate change keeps the fill", test_rate_set},
	{"STUN flood does not starve candidates", test_priority_flood},
	{"candidate matching by type and prefix", test_source_matching},
	{"source table fill and delete", test_source_table},
	{"create errors and no priority class", test_create_errors},
	{"status, aggregation and JSON row", test_status_json},
	{"same-IP flood does not starve a selected pair", test_pair_flood},
	{"pair table: references, capacity, no class", test_pair_table},
	{"arp, nd, icmp entries and defaults of punted classes", test_punted_defaults},
};

WRTC_TEST_MAIN(cases)
