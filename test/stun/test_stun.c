/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lib/stun: RFC 5769 section 2 vectors (parse, integrity,
 * fingerprint, and byte-exact rebuild), malformed messages with their counted
 * reasons, and attribute round trips.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "wrtc_stun.h"
#include "wrtc_test.h"
#include "stun_vectors.h"

static const char pwd_short[] = "VOkJxbRl1RmTxUk/WvJxBt";
static const uint8_t tid_5769[12] = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
				     0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

static int
load(const char *hex, uint8_t *buf, size_t cap)
{
	int n = hex_decode(hex, buf, cap);

	WRTC_CHECK(n > 0);
	return n;
}

static int
test_rfc5769_request(void)
{
	uint8_t buf[256];
	int n = load(rfc5769_request, buf, sizeof(buf));
	struct wrtc_stun_msg m;
	struct wrtc_stun_stats st = {0};
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd_short, strlen(pwd_short));
	struct wrtc_stun_key *bad = wrtc_stun_key_create("wrong", 5);

	WRTC_CHECK_EQ(n, 108);
	WRTC_CHECK(wrtc_stun_is_stun(buf, (size_t)n));
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, buf, (size_t)n, &st), 0);
	WRTC_CHECK_EQ(st.parsed, 1);
	WRTC_CHECK_EQ(m.method, WRTC_STUN_BINDING);
	WRTC_CHECK_EQ(m.cls, WRTC_STUN_REQUEST);
	WRTC_CHECK(memcmp(m.tid, tid_5769, 12) == 0);
	WRTC_CHECK(m.has_priority);
	WRTC_CHECK_EQ(m.priority, 0x6e0001ff);
	WRTC_CHECK(m.has_controlled && !m.has_controlling);
	WRTC_CHECK(m.tie_breaker == 0x932ff9b151263b36ull);
	WRTC_CHECK_EQ(m.username.len, 9);
	WRTC_CHECK(memcmp(m.username.val, "evtj:h6vY", 9) == 0);
	WRTC_CHECK_EQ(m.software.len, 16);
	WRTC_CHECK(memcmp(m.software.val, "STUN test client", 16) == 0);
	WRTC_CHECK_EQ(m.integrity_off, 76);
	WRTC_CHECK_EQ(m.fingerprint_off, 100);
	WRTC_CHECK_EQ(m.n_unknown, 0);
	WRTC_CHECK(!m.use_candidate);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	/* The pre-keyed context must give the same answer when reused. */
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, bad), -EACCES);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);

	/* One flipped bit in the HMAC: integrity fails, fingerprint too. */
	buf[80] ^= 1;
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, buf, (size_t)n, &st), -EBADMSG);
	WRTC_CHECK_EQ(m.err, WRTC_STUN_E_BAD_FINGERPRINT);
	WRTC_CHECK_EQ(st.err[WRTC_STUN_E_BAD_FINGERPRINT], 1);
	wrtc_stun_key_free(k);
	wrtc_stun_key_free(bad);
	return 0;
}

static int
check_response(const char *hex, int size, int family)
{
	uint8_t buf[256];
	int n = load(hex, buf, sizeof(buf));
	struct wrtc_stun_msg m;
	struct sockaddr_storage ss;
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd_short, strlen(pwd_short));
	char buf_str[INET6_ADDRSTRLEN];
	const char *str = buf_str;

	WRTC_CHECK_EQ(n, size);
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	WRTC_CHECK_EQ(m.cls, WRTC_STUN_SUCCESS);
	WRTC_CHECK_EQ(m.method, WRTC_STUN_BINDING);
	WRTC_CHECK_EQ(m.software.len, 11);
	WRTC_CHECK(memcmp(m.software.val, "test vector", 11) == 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_get_addr(&m, &m.xor_mapped, true, &ss), 0);
	WRTC_CHECK_EQ(ss.ss_family, family);
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, buf_str, sizeof(buf_str));
		WRTC_CHECK_STREQ(str, "192.0.2.1");
		WRTC_CHECK_EQ(ntohs(sin->sin_port), 32853);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, buf_str, sizeof(buf_str));
		WRTC_CHECK_STREQ(str, "2001:db8:1234:5678:11:2233:4455:6677");
		WRTC_CHECK_EQ(ntohs(sin6->sin6_port), 32853);
	}
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	wrtc_stun_key_free(k);
	return 0;
}

static int
test_rfc5769_response_v4(void)
{
	return check_response(rfc5769_response_v4, 80, AF_INET);
}

static int
test_rfc5769_response_v6(void)
{
	return check_response(rfc5769_response_v6, 92, AF_INET6);
}

static int
test_rfc5769_long_term(void)
{
	static const char user[] = "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
				   "\xe3\x82\xb9";
	uint8_t buf[256];
	int n = load(rfc5769_request_long_term, buf, sizeof(buf));
	struct wrtc_stun_msg m;
	struct wrtc_stun_key *k = wrtc_stun_key_create_long_term(user, "example.org", "TheMatrIX");
	struct wrtc_stun_key *bad =
		wrtc_stun_key_create_long_term(user, "example.org", "TheMatrix");

	WRTC_CHECK_EQ(n, 116);
	WRTC_CHECK(k != NULL);
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, buf, (size_t)n, NULL), 0);
	WRTC_CHECK_EQ(m.cls, WRTC_STUN_REQUEST);
	WRTC_CHECK_EQ(m.username.len, 18);
	WRTC_CHECK(memcmp(m.username.val, user, 18) == 0);
	WRTC_CHECK_EQ(m.realm.len, 11);
	WRTC_CHECK(memcmp(m.realm.val, "example.org", 11) == 0);
	WRTC_CHECK_EQ(m.nonce.len, 28);
	WRTC_CHECK(memcmp(m.nonce.val, "f//499k954d6OL34oL9FSTvy64sA", 28) == 0);
	WRTC_CHECK_EQ(m.fingerprint_off, 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, bad), -EACCES);
	wrtc_stun_key_free(k);
	wrtc_stun_key_free(bad);
	return 0;
}

/* The builder reproduces the 2.1 request byte for byte (with the RFC's space padding). */
static int
test_build_rfc5769_request(void)
{
	uint8_t want[256], out[256];
	int n = load(rfc5769_request, want, sizeof(want));
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd_short, strlen(pwd_short));
	size_t ulen_off;

	WRTC_CHECK_EQ(wrtc_stun_builder_init(&b, out, sizeof(out), WRTC_STUN_BINDING,
					     WRTC_STUN_REQUEST, tid_5769), 0);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_SOFTWARE, "STUN test client", 16);
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 0x6e0001ff);
	wrtc_stun_builder_add_u64(&b, WRTC_STUN_ATTR_ICE_CONTROLLED, 0x932ff9b151263b36ull);
	ulen_off = b.len;
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USERNAME, "evtj:h6vY", 9);
	/* Zero padding is ours; the RFC pads with spaces, and so must the HMAC input. */
	WRTC_CHECK(out[ulen_off + 13] == 0 && out[ulen_off + 14] == 0 && out[ulen_off + 15] == 0);
	memset(out + ulen_off + 13, 0x20, 3);
	wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	WRTC_CHECK_EQ(wrtc_stun_builder_finish(&b), n);
	WRTC_CHECK(memcmp(out, want, (size_t)n) == 0);
	wrtc_stun_key_free(k);
	return 0;
}

/* The builder reproduces the 2.3 IPv6 response (XOR with the transaction id). */
static int
test_build_rfc5769_response_v6(void)
{
	uint8_t want[256], out[256];
	int n = load(rfc5769_response_v6, want, sizeof(want));
	struct wrtc_stun_builder b;
	struct wrtc_stun_key *k = wrtc_stun_key_create(pwd_short, strlen(pwd_short));
	struct sockaddr_storage ss = {0};
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(32853);
	inet_pton(AF_INET6, "2001:db8:1234:5678:11:2233:4455:6677", &sin6->sin6_addr);
	wrtc_stun_builder_init(&b, out, sizeof(out), WRTC_STUN_BINDING, WRTC_STUN_SUCCESS,
			       tid_5769);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_SOFTWARE, "test vector", 11);
	out[b.len - 1] = 0x20;
	wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, &ss);
	wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	WRTC_CHECK_EQ(wrtc_stun_builder_finish(&b), n);
	WRTC_CHECK(memcmp(out, want, (size_t)n) == 0);
	wrtc_stun_key_free(k);
	return 0;
}

struct bad_case {
	const char *name;
	const char *hex;
	enum wrtc_stun_err err;
};

static const struct bad_case bad_cases[] = {
	{"empty", "", WRTC_STUN_E_TRUNCATED},
	{"short header", "00010000 2112a442 b7e7a701 bc34d686 fa87df", WRTC_STUN_E_TRUNCATED},
	{"rtp first byte", "80010000 2112a442 b7e7a701 bc34d686 fa87dfae", WRTC_STUN_E_NOT_STUN},
	{"rfc3489 no cookie", "00010000 00000000 b7e7a701 bc34d686 fa87dfae",
	 WRTC_STUN_E_BAD_COOKIE},
	{"length not x4", "00010002 2112a442 b7e7a701 bc34d686 fa87dfae 0000",
	 WRTC_STUN_E_BAD_LENGTH},
	{"length too long", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 00240004",
	 WRTC_STUN_E_BAD_LENGTH},
	{"datagram longer than length", "00010000 2112a442 b7e7a701 bc34d686 fa87dfae 00240004",
	 WRTC_STUN_E_BAD_LENGTH},
	{"attr value past end", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 00060008 61626364",
	 WRTC_STUN_E_ATTR_TRUNCATED},
	{"padding past end", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 00060005 61626364",
	 WRTC_STUN_E_ATTR_TRUNCATED},
	{"priority 3 bytes", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 00240003 01020300",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"use-candidate with value",
	 "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 00250004 01020300", WRTC_STUN_E_ATTR_LENGTH},
	{"controlling 4 bytes", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 802a0004 01020300",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"xor-mapped 12 bytes",
	 "00010010 2112a442 b7e7a701 bc34d686 fa87dfae 0020000c 00010000 00000000 00000000",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"error-code 2 bytes", "01110008 2112a442 b7e7a701 bc34d686 fa87dfae 00090002 00000000",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"xor-mapped family 3",
	 "0101000c 2112a442 b7e7a701 bc34d686 fa87dfae 00200008 0003a147 e112a643",
	 WRTC_STUN_E_ATTR_VALUE},
	{"xor-mapped ipv6 family in 8 bytes",
	 "0101000c 2112a442 b7e7a701 bc34d686 fa87dfae 00200008 0002a147 e112a643",
	 WRTC_STUN_E_ATTR_VALUE},
	{"error-code class 7", "01110008 2112a442 b7e7a701 bc34d686 fa87dfae 00090004 00000701",
	 WRTC_STUN_E_ATTR_VALUE},
	{"error-code number 100", "01110008 2112a442 b7e7a701 bc34d686 fa87dfae 00090004 00000464",
	 WRTC_STUN_E_ATTR_VALUE},
	{"integrity 16 bytes",
	 "00010014 2112a442 b7e7a701 bc34d686 fa87dfae 00080010 00000000 00000000 00000000"
	 " 00000000",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"fingerprint 8 bytes",
	 "0001000c 2112a442 b7e7a701 bc34d686 fa87dfae 80280008 00000000 00000000",
	 WRTC_STUN_E_ATTR_LENGTH},
	{"attribute after fingerprint",
	 "00010010 2112a442 b7e7a701 bc34d686 fa87dfae 80280004 00000000 00250000 00000000",
	 WRTC_STUN_E_AFTER_FINGERPRINT},
	{"wrong fingerprint", "00010008 2112a442 b7e7a701 bc34d686 fa87dfae 80280004 00000000",
	 WRTC_STUN_E_BAD_FINGERPRINT},
};

static int
test_malformed(void)
{
	struct wrtc_stun_stats st = {0};
	uint64_t total = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		uint8_t buf[256];
		int n = hex_decode(bad_cases[i].hex, buf, sizeof(buf));
		struct wrtc_stun_msg m;
		uint64_t before = st.err[bad_cases[i].err];
		int rc;

		WRTC_CHECK(n >= 0);
		rc = wrtc_stun_msg_parse(&m, buf, (size_t)n, &st);
		if (rc != -EBADMSG || m.err != bad_cases[i].err)
			fprintf(stderr, "  case '%s': rc %d err %s\n", bad_cases[i].name, rc,
				wrtc_stun_err_name(m.err));
		WRTC_CHECK_EQ(rc, -EBADMSG);
		WRTC_CHECK_EQ(m.err, bad_cases[i].err);
		WRTC_CHECK_EQ(st.err[bad_cases[i].err], before + 1);
	}
	for (int e = 0; e < WRTC_STUN_E_MAX; e++)
		total += st.err[e];
	WRTC_CHECK_EQ(total, sizeof(bad_cases) / sizeof(bad_cases[0]));
	WRTC_CHECK_EQ(st.parsed, 0);
	WRTC_CHECK_STREQ(wrtc_stun_err_name(WRTC_STUN_E_BAD_COOKIE), "bad-magic-cookie");
	WRTC_CHECK_STREQ(wrtc_stun_err_name(WRTC_STUN_E_MAX), "unknown");
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(NULL, NULL, 0, NULL), -EINVAL);
	return 0;
}

static int
test_unknown_and_ignored(void)
{
	static const uint8_t tid[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint8_t out[256];
	struct wrtc_stun_builder b;
	struct wrtc_stun_msg m;
	struct wrtc_stun_key *k = wrtc_stun_key_create("pw", 2);
	int n;

	wrtc_stun_builder_init(&b, out, sizeof(out), WRTC_STUN_BINDING, WRTC_STUN_REQUEST, tid);
	wrtc_stun_builder_add_attr(&b, 0x0003, "\0\0\0\0", 4);     /* CHANGE-REQUEST */
	wrtc_stun_builder_add_attr(&b, 0x8030, "x", 1);            /* optional: ignored */
	wrtc_stun_builder_add_attr(&b, 0x7fff, NULL, 0);
	wrtc_stun_builder_add_attr(&b, WRTC_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	wrtc_stun_builder_add_integrity(&b, k);
	/* After MESSAGE-INTEGRITY everything but FINGERPRINT is ignored. */
	wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 5);
	wrtc_stun_builder_add_attr(&b, 0x0004, NULL, 0);
	wrtc_stun_builder_add_fingerprint(&b);
	n = wrtc_stun_builder_finish(&b);
	WRTC_CHECK(n > 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, out, (size_t)n, NULL), 0);
	WRTC_CHECK_EQ(m.n_unknown, 2);
	WRTC_CHECK_EQ(m.unknown[0], 0x0003);
	WRTC_CHECK_EQ(m.unknown[1], 0x7fff);
	WRTC_CHECK(m.use_candidate);
	WRTC_CHECK(!m.has_priority);
	/* The HMAC covers the part before MESSAGE-INTEGRITY, with the length it had then. */
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	wrtc_stun_key_free(k);
	return 0;
}

static int
test_integrity_roundtrip(void)
{
	static const uint8_t tid[12] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
	uint8_t out[256];
	struct wrtc_stun_builder b;
	struct wrtc_stun_msg m;
	struct wrtc_stun_key *k = wrtc_stun_key_create("secret-pwd-0123456789", 21);
	struct sockaddr_storage ss = {0}, got;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	int n, code = 0;

	sin->sin_family = AF_INET;
	sin->sin_port = htons(4444);
	inet_pton(AF_INET, "198.51.100.7", &sin->sin_addr);
	wrtc_stun_builder_init(&b, out, sizeof(out), WRTC_STUN_BINDING, WRTC_STUN_ERROR, tid);
	wrtc_stun_builder_add_error_code(&b, WRTC_STUN_ERR_ROLE_CONFLICT, NULL);
	wrtc_stun_builder_add_xor_addr(&b, WRTC_STUN_ATTR_XOR_MAPPED_ADDRESS, &ss);
	wrtc_stun_builder_add_integrity(&b, k);
	wrtc_stun_builder_add_fingerprint(&b);
	n = wrtc_stun_builder_finish(&b);
	WRTC_CHECK(n > 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_parse(&m, out, (size_t)n, NULL), 0);
	WRTC_CHECK_EQ(m.cls, WRTC_STUN_ERROR);
	WRTC_CHECK_EQ(m.type, 0x0111);
	WRTC_CHECK_EQ(wrtc_stun_msg_get_error_code(&m, &code), 0);
	WRTC_CHECK_EQ(code, 487);
	WRTC_CHECK(m.error_code.len == 4 + strlen("Role Conflict"));
	WRTC_CHECK_EQ(wrtc_stun_msg_get_addr(&m, &m.xor_mapped, true, &got), 0);
	WRTC_CHECK(memcmp(&got, &ss, sizeof(struct sockaddr_in)) == 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_check_integrity(&m, k), 0);
	WRTC_CHECK_EQ(wrtc_stun_msg_get_addr(&m, &m.mapped, false, &got), -ENOENT);

	/* Unknown attributes list and an error code outside 300..699. */
	wrtc_stun_builder_init(&b, out, sizeof(out), WRTC_STUN_BINDING, WRTC_STUN_ERROR, tid);
	wrtc_stun_builder_add_error_code(&b, 420, NULL);
	wrtc_stun_builder_add_unknown(&b, (const uint16_t[]){0x0003, 0x7fff, 0x0004}, 3);
	n = wrtc_stun_builder_finish(&b);
	WRTC_CHECK_EQ(n, 20 + 4 + 24 + 4 + 8);
	WRTC_CHECK(memcmp(out + 52, "\x00\x03\x7f\xff\x00\x04\x00\x00", 8) == 0);
	WRTC_CHECK_EQ(wrtc_stun_builder_add_error_code(&b, 700, NULL), -EINVAL);
	WRTC_CHECK_EQ(wrtc_stun_builder_finish(&b), -EINVAL);

	/* Running out of room is sticky. */
	wrtc_stun_builder_init(&b, out, 28, WRTC_STUN_BINDING, WRTC_STUN_REQUEST, tid);
	WRTC_CHECK_EQ(wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 1), 0);
	WRTC_CHECK_EQ(wrtc_stun_builder_add_u32(&b, WRTC_STUN_ATTR_PRIORITY, 1), -ENOSPC);
	WRTC_CHECK_EQ(wrtc_stun_builder_add_fingerprint(&b), -ENOSPC);
	WRTC_CHECK_EQ(wrtc_stun_builder_finish(&b), -ENOSPC);
	wrtc_stun_key_free(k);
	wrtc_stun_key_free(NULL);
	return 0;
}

static int
test_crc32(void)
{
	/* The CRC-32 check value of "123456789". */
	WRTC_CHECK_EQ(wrtc_stun_crc32((const uint8_t *)"123456789", 9), 0xcbf43926u);
	WRTC_CHECK_EQ(wrtc_stun_crc32(NULL, 0), 0);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"rfc5769 2.1 request", test_rfc5769_request},
	{"rfc5769 2.2 ipv4 response", test_rfc5769_response_v4},
	{"rfc5769 2.3 ipv6 response", test_rfc5769_response_v6},
	{"rfc5769 2.4 long-term request", test_rfc5769_long_term},
	{"build rfc5769 2.1 request", test_build_rfc5769_request},
	{"build rfc5769 2.3 response", test_build_rfc5769_response_v6},
	{"malformed messages counted", test_malformed},
	{"unknown and ignored attributes", test_unknown_and_ignored},
	{"integrity, error code, xor address", test_integrity_roundtrip},
	{"crc32", test_crc32},
};

WRTC_TEST_MAIN(cases)
