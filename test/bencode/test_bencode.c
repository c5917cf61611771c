/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of lib/bencode: valid and malformed inputs, limits, encoder. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "wrtc_bencode.h"
#include "wrtc_test.h"

static struct wrtc_bencode_node nodes[64];

static int
dec(const char *s, unsigned int max_nodes, unsigned int depth)
{
	char err[128];

	return wrtc_bencode_decode(s, strlen(s), nodes, max_nodes, depth, err, sizeof(err));
}

static int
test_ng_offer(void)
{
	static const char msg[] =
		"d7:command5:offer7:call-id4:abcd8:from-tag3:xyz3:sdp10:v=0\r\no=-\r\n"
		"5:flagsl13:trust-address9:symmetrice7:replacel6:origine"
		"13:received-froml3:IP49:127.0.0.1e1:ii-42ee";
	const struct wrtc_bencode_node *root = &nodes[0], *v;
	int n = dec(msg, 64, 0);

	WRTC_CHECK(n > 0);
	if (n <= 0)
		return -1;
	WRTC_CHECK_EQ(root->type, WRTC_BENCODE_DICT);
	WRTC_CHECK_EQ(root->len, 8);
	WRTC_CHECK(wrtc_bencode_str_eq(wrtc_bencode_dict_get(root, "command"), "offer"));
	WRTC_CHECK(wrtc_bencode_str_eq(wrtc_bencode_dict_get(root, "call-id"), "abcd"));
	v = wrtc_bencode_dict_get(root, "sdp");
	WRTC_CHECK(v != NULL && v->len == 10 && memcmp(v->str, "v=0\r\no=-\r\n", 10) == 0);
	v = wrtc_bencode_dict_get(root, "flags");
	WRTC_CHECK(v != NULL && v->type == WRTC_BENCODE_LIST && v->len == 2);
	WRTC_CHECK(wrtc_bencode_str_eq(v->child, "trust-address"));
	WRTC_CHECK(wrtc_bencode_str_eq(v->child->next, "symmetric"));
	WRTC_CHECK(v->child->next->next == NULL);
	v = wrtc_bencode_dict_get(root, "i");
	WRTC_CHECK(v != NULL && v->type == WRTC_BENCODE_INT && v->i == -42);
	WRTC_CHECK(wrtc_bencode_dict_get(root, "missing") == NULL);
	WRTC_CHECK(wrtc_bencode_dict_get(v, "x") == NULL);  /* not a dict */
	return 0;
}

static int
test_scalars(void)
{
	WRTC_CHECK_EQ(dec("i0e", 4, 0), 1);
	WRTC_CHECK_EQ(nodes[0].i, 0);
	WRTC_CHECK_EQ(dec("i9223372036854775807e", 4, 0), 1);
	WRTC_CHECK(nodes[0].i == INT64_MAX);
	WRTC_CHECK_EQ(dec("i-9223372036854775808e", 4, 0), 1);
	WRTC_CHECK(nodes[0].i == INT64_MIN);
	WRTC_CHECK_EQ(dec("0:", 4, 0), 1);
	WRTC_CHECK_EQ(nodes[0].len, 0);
	WRTC_CHECK_EQ(dec("le", 4, 0), 1);
	WRTC_CHECK_EQ(dec("de", 4, 0), 1);
	/* Keys in any order (Kamailio does not sort them). */
	WRTC_CHECK_EQ(dec("d1:bi1e1:ai2ee", 4, 0), 3);
	WRTC_CHECK_EQ(wrtc_bencode_dict_get(&nodes[0], "a")->i, 2);
	/* A string holding bytes bencode would otherwise read. */
	WRTC_CHECK_EQ(dec("5:d1:ae", 4, 0), 1);
	return 0;
}

static int
test_malformed(void)
{
	static const char *const bad[] = {
		"", "i", "ie", "i-e", "i-0e", "i01e", "i1", "i1x", "i9223372036854775808e",
		"i-9223372036854775809e", "01:a", "2:a", "3", ":", "-1:a", "l", "li1e", "d",
		"d1:a", "di1ei2ee", "dle", "d1:ai1e1:ai2ee", "x", "i1ei2e", "lee", "1:ab",
		"d1:a" "l" "e", "18446744073709551616:x",
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i], 64, 0);

		if (!WRTC_CHECK_EQ(rc, -EINVAL))
			fprintf(stderr, "    input \"%s\"\n", bad[i]);
	}
	return 0;
}

static int
test_limits(void)
{
	char deep[2 * WRTC_BENCODE_MAX_DEPTH + 8];
	char err[128];
	unsigned int k = 0;

	WRTC_CHECK_EQ(dec("li1ei2ei3ee", 4, 0), 4);
	WRTC_CHECK_EQ(dec("li1ei2ei3ee", 3, 0), -E2BIG);
	WRTC_CHECK_EQ(dec("llee", 4, 1), -ELOOP);
	WRTC_CHECK_EQ(dec("llee", 4, 2), 2);
	for (unsigned int i = 0; i <= WRTC_BENCODE_MAX_DEPTH; i++)
		deep[k++] = 'l';
	for (unsigned int i = 0; i <= WRTC_BENCODE_MAX_DEPTH; i++)
		deep[k++] = 'e';
	WRTC_CHECK_EQ(wrtc_bencode_decode(deep, k, nodes, 64, 0, err, sizeof(err)), -ELOOP);
	WRTC_CHECK(strstr(err, "deeper") != NULL);
	/* The length is what counts, not a NUL. */
	WRTC_CHECK_EQ(wrtc_bencode_decode("3:a\0c", 5, nodes, 4, 0, NULL, 0), 1);
	WRTC_CHECK_EQ(nodes[0].len, 3);
	WRTC_CHECK_EQ(wrtc_bencode_decode("i1e", 2, nodes, 4, 0, err, sizeof(err)), -EINVAL);
	WRTC_CHECK(strstr(err, "offset 2") != NULL);
	WRTC_CHECK_EQ(wrtc_bencode_decode("i1e", 3, nodes, 0, 0, NULL, 0), -E2BIG);
	return 0;
}

static int
test_encode(void)
{
	char out[64];
	struct wrtc_bencode_buf b;
	int n;

	wrtc_bencode_buf_init(&b, out, sizeof(out));
	wrtc_bencode_dict_begin(&b);
	wrtc_bencode_put_cstr(&b, "result");
	wrtc_bencode_put_cstr(&b, "ok");
	wrtc_bencode_put_cstr(&b, "n");
	wrtc_bencode_put_int(&b, -7);
	wrtc_bencode_put_cstr(&b, "l");
	wrtc_bencode_list_begin(&b);
	wrtc_bencode_put_str(&b, "a\0b", 3);
	wrtc_bencode_end(&b);
	wrtc_bencode_end(&b);
	n = wrtc_bencode_buf_finish(&b);
	WRTC_CHECK_EQ(n, 31);
	WRTC_CHECK(n == 31 && memcmp(out, "d6:result2:ok1:ni-7e1:ll3:a\0bee", 31) == 0);
	/* Round trip. */
	WRTC_CHECK_EQ(wrtc_bencode_decode(out, (size_t)n, nodes, 64, 0, NULL, 0), 5);

	/* Too small: overflow, never a write past the end. */
	memset(out, 'X', sizeof(out));
	wrtc_bencode_buf_init(&b, out, 10);
	wrtc_bencode_dict_begin(&b);
	wrtc_bencode_put_cstr(&b, "result");
	wrtc_bencode_put_cstr(&b, "ok");
	wrtc_bencode_end(&b);
	WRTC_CHECK_EQ(wrtc_bencode_buf_finish(&b), -EMSGSIZE);
	WRTC_CHECK(b.len <= 10 && out[10] == 'X');

	/* Unbalanced. */
	wrtc_bencode_buf_init(&b, out, sizeof(out));
	wrtc_bencode_list_begin(&b);
	WRTC_CHECK_EQ(wrtc_bencode_buf_finish(&b), -EINVAL);
	wrtc_bencode_end(&b);
	wrtc_bencode_end(&b);
	WRTC_CHECK_EQ(wrtc_bencode_buf_finish(&b), -EINVAL);
	return 0;
}

static const struct wrtc_test_case cases[] = {
	{"ng offer dict", test_ng_offer},
	{"scalars and key order", test_scalars},
	{"malformed input", test_malformed},
	{"node and depth limits", test_limits},
	{"encoder", test_encode},
};

int
main(void)
{
	return wrtc_test_main(cases, sizeof(cases) / sizeof(cases[0]));
}
