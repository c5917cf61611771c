/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RFC 5769 section 2 test vectors, as hex strings (data transcribed from the
 * RFC; whitespace is ignored by hex_decode()).
 */
#ifndef STUN_VECTORS_H
#define STUN_VECTORS_H

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>

/* 2.1 Sample Request. Username "evtj:h6vY", password "VOkJxbRl1RmTxUk/WvJxBt". */
static const char rfc5769_request[] =
	"00010058 2112a442 b7e7a701 bc34d686 fa87dfae"
	"80220010 5354554e 20746573 7420636c 69656e74"
	"00240004 6e0001ff"
	"80290008 932ff9b1 51263b36"
	"00060009 6576746a 3a683676 59202020"
	"00080014 9aeaa70c bfd8cb56 781ef2b5 b2d3f249 c1b571a2"
	"80280004 e57a3bcf";

/* 2.2 Sample IPv4 Response: 192.0.2.1 port 32853, software "test vector". */
static const char rfc5769_response_v4[] =
	"0101003c 2112a442 b7e7a701 bc34d686 fa87dfae"
	"8022000b 74657374 20766563 746f7220"
	"00200008 0001a147 e112a643"
	"00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7"
	"80280004 c07d4c96";

/* 2.3 Sample IPv6 Response: 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
static const char rfc5769_response_v6[] =
	"01010048 2112a442 b7e7a701 bc34d686 fa87dfae"
	"8022000b 74657374 20766563 746f7220"
	"00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9"
	"00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41"
	"80280004 c8fb0b4c";

/*
 * 2.4 Sample Request with Long-Term Authentication. Username U+30DE U+30C8
 * U+30EA U+30C3 U+30AF U+30B9, password "TheMatrIX" after SASLprep, nonce
 * "f//499k954d6OL34oL9FSTvy64sA", realm "example.org".
 */
static const char rfc5769_request_long_term[] =
	"00010060 2112a442 78ad3433 c6ad72c0 29da412e"
	"00060012 e3839ee3 8388e383 aae38383 e382afe3 82b90000"
	"0015001c 662f2f34 39396b39 35346436 4f4c3334 6f4c3946 53547679 36347341"
	"0014000b 6578616d 706c652e 6f726700"
	"00080014 f6702465 6dd64a3e 02b8e071 2e85c9a2 8ca89666";

/* Decodes hex, skipping whitespace; returns the byte count or -1. */
static inline int
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v;

		if (isspace((unsigned char)*hex))
			continue;
		if (!isxdigit((unsigned char)*hex))
			return -1;
		v = isdigit((unsigned char)*hex) ? *hex - '0' :
						   tolower((unsigned char)*hex) - 'a' + 10;
		if (hi < 0) {
			hi = v;
		} else {
			if (n >= cap)
				return -1;
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 ? (int)n : -1;
}

#endif
