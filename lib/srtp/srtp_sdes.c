/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SDES (RFC 4568) a=crypto attributes: parse, format, generate. Control lcore only.
 */
#include "srtp_priv.h" /* First: it sets OPENSSL_SUPPRESS_DEPRECATED. */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>


/*
 * Base64 (RFC 4648) through OpenSSL's EVP_DecodeBlock()/EVP_EncodeBlock().
 * EVP_DecodeBlock() is lenient where an SDP key must not be: it skips
 * leading and trailing white space, needs the input padded to a multiple of
 * 4, counts padding as zero bytes and ignores bits left over in the last
 * character. So the input is checked first (alphabet only, '=' only at the
 * end, a length that can be base64), padded here when it came unpadded
 * (RFC 4568 keys usually are: 40 characters for 30 bytes), and the decoded
 * bytes must encode back to exactly the (padded) input, which rejects
 * non-zero leftover bits.
 */
enum { B64_MAX = 128 }; /* characters; the longest SDES key||salt is 46 bytes (64) */

static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '+' || c == '/';
}

/* Decode base64 with or without '=' padding; -1 on a bad character, length or overflow. */
static int
b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	unsigned char padded[B64_MAX + 1], back[B64_MAX + 1], bytes[B64_MAX / 4 * 3];
	size_t data = len, pad, plen, n;
	int dec;

	while (data > 0 && in[data - 1] == '=' && len - data < 2)
		data--;
	if (data == 0 || len > B64_MAX || data % 4 == 1)
		return -1;
	for (size_t i = 0; i < data; i++)
		if (!b64_char(in[i]))
			return -1;
	pad = (4 - data % 4) % 4;
	/* Padding is optional, but when present it must be complete. */
	if (len != data && len != data + pad)
		return -1;
	memcpy(padded, in, data);
	memset(padded + data, '=', pad);
	plen = data + pad;
	padded[plen] = '\0';
	dec = EVP_DecodeBlock(bytes, padded, (int)plen);
	if (dec < 0 || (size_t)dec != plen / 4 * 3)
		return -1;
	n = (size_t)dec - pad;
	if (n > cap || EVP_EncodeBlock(back, bytes, (int)n) != (int)plen ||
	    memcmp(back, padded, plen) != 0) {
		OPENSSL_cleanse(bytes, sizeof(bytes));
		return -1;
	}
	memcpy(out, bytes, n);
	OPENSSL_cleanse(bytes, sizeof(bytes));
	OPENSSL_cleanse(back, sizeof(back));
	return (int)n;
}

/* @p out holds at least 4 * ceil(n / 3) + 1 characters. */
static size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
	return (size_t)EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* Decimal number of at most 'max' value; -1 on syntax error or overflow. */
static int
parse_u64(const char *p, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		if (v > (max - (uint64_t)(p[i] - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

static bool
has_prefix(const char *p, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && strncasecmp(p, prefix, n) == 0;
}

static int
fail(const char **err, const char *msg, int rc)
{
	if (err)
		*err = msg;
	return rc;
}

/* Lifetime "2^n" or decimal, and "MKI:len" fields after the key. */
static int
parse_key_extras(const char *p, size_t len, struct wrtc_srtp_sdes *sd, const char **err)
{
	while (len > 0) {
		const char *f;
		size_t flen;
		uint64_t v;

		if (p[0] != '|')
			return fail(err, "key-params: expected '|' after key", -EINVAL);
		p++;
		len--;
		f = p;
		while (len > 0 && *p != '|') {
			p++;
			len--;
		}
		flen = (size_t)(p - f);
		const char *colon = memchr(f, ':', flen);

		if (colon != NULL) {
			uint64_t mki, size;

			if (parse_u64(f, (size_t)(colon - f), UINT64_MAX, &mki) != 0 ||
			    parse_u64(colon + 1, flen - (size_t)(colon - f) - 1, 128, &size) != 0 ||
			    size == 0)
				return fail(err, "key-params: bad MKI (expected value:length)",
					    -EINVAL);
			if (size > 4 || (size < 4 && mki >> (8 * size) != 0) || mki > UINT32_MAX)
				return fail(err, "key-params: MKI over 4 bytes not supported",
					    -ENOTSUP);
			sd->mki = (uint32_t)mki;
			sd->mki_size = (unsigned int)size;
		} else if (flen > 2 && f[0] == '2' && f[1] == '^') {
			if (parse_u64(f + 2, flen - 2, 63, &v) != 0)
				return fail(err, "key-params: bad lifetime 2^n", -EINVAL);
			sd->lifetime = (uint64_t)1 << v;
		} else {
			if (parse_u64(f, flen, UINT64_MAX, &v) != 0 || v == 0)
				return fail(err, "key-params: bad lifetime", -EINVAL);
			sd->lifetime = v;
		}
	}
	return 0;
}

int
wrtc_srtp_sdes_parse(const char *value, size_t len, struct wrtc_srtp_sdes *out,
		     const char **err)
{
	uint8_t keysalt[WRTC_SRTP_MAX_KEY_SIZE + WRTC_SRTP_MAX_SALT_SIZE + 3];
	struct wrtc_srtp_sdes sd;
	const char *p = value, *f, *end;
	size_t key_size, salt_size, flen;
	uint64_t tag;
	int n, rc;

	if (value == NULL || out == NULL)
		return fail(err, "crypto: no input", -EINVAL);
	memset(&sd, 0, sizeof(sd));
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	if (has_prefix(p, len, "a=crypto:")) {
		p += 9;
		len -= 9;
	} else if (has_prefix(p, len, "crypto:")) {
		p += 7;
		len -= 7;
	}
	end = p + len;

	/* tag */
	f = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (parse_u64(f, (size_t)(p - f), 999999999, &tag) != 0 || tag == 0)
		return fail(err, "tag: not a number in 1..999999999", -EINVAL);
	sd.tag = (uint32_t)tag;

	/* crypto-suite */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	f = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	if (p == f)
		return fail(err, "crypto-suite: missing", -EINVAL);
	sd.suite = wrtc_srtp_suite_from_name(f, (size_t)(p - f));
	if (sd.suite == WRTC_SRTP_SUITE_NONE)
		return fail(err, "crypto-suite: not supported", -ENOTSUP);
	key_size = wrtc_srtp_suite_key_size(sd.suite);
	salt_size = wrtc_srtp_suite_salt_size(sd.suite);

	/* key-params: the first one; others (';'-separated) are ignored. */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	f = p;
	while (p < end && *p != ' ' && *p != '\t' && *p != ';')
		p++;
	flen = (size_t)(p - f);
	if (!has_prefix(f, flen, "inline:"))
		return fail(err, "key-params: expected inline:", -EINVAL);
	f += 7;
	flen -= 7;
	const char *bar = memchr(f, '|', flen);
	size_t b64_len = bar ? (size_t)(bar - f) : flen;

	n = b64_decode(f, b64_len, keysalt, sizeof(keysalt));
	if (n < 0)
		return fail(err, "key-params: key is not base64", -EINVAL);
	if ((size_t)n != key_size + salt_size)
		return fail(err, "key-params: key||salt has the wrong length for the suite",
			    -EINVAL);
	memcpy(sd.master_key, keysalt, key_size);
	memcpy(sd.master_salt, keysalt + key_size, salt_size);
	OPENSSL_cleanse(keysalt, sizeof(keysalt));
	rc = parse_key_extras(f + b64_len, flen - b64_len, &sd, err);
	if (rc != 0)
		return rc;
	while (p < end && *p != ' ' && *p != '\t')
		p++;

	/* session parameters */
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		f = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		flen = (size_t)(p - f);
		if (flen == 0)
			break;
		if (has_prefix(f, flen, "UNENCRYPTED_SRTP") ||
		    has_prefix(f, flen, "UNENCRYPTED_SRTCP") ||
		    has_prefix(f, flen, "UNAUTHENTICATED_SRTP"))
			return fail(err, "session-param: unencrypted/unauthenticated not supported",
				    -ENOTSUP);
		if (has_prefix(f, flen, "KDR=") && !(flen == 5 && f[4] == '0'))
			return fail(err, "session-param: KDR other than 0 not supported",
				    -ENOTSUP);
	}
	*out = sd;
	OPENSSL_cleanse(&sd, sizeof(sd));
	return 0;
}

int
wrtc_srtp_sdes_format(const struct wrtc_srtp_sdes *sd, char *buf, size_t size)
{
	uint8_t keysalt[WRTC_SRTP_MAX_KEY_SIZE + WRTC_SRTP_MAX_SALT_SIZE];
	char b64[72], extra[64] = "";
	size_t key_size, salt_size, o = 0;
	int n;

	if (sd == NULL || buf == NULL || sd->tag == 0 || sd->tag > 999999999)
		return -EINVAL;
	key_size = wrtc_srtp_suite_key_size(sd->suite);
	salt_size = wrtc_srtp_suite_salt_size(sd->suite);
	if (key_size == 0)
		return -EINVAL;
	memcpy(keysalt, sd->master_key, key_size);
	memcpy(keysalt + key_size, sd->master_salt, salt_size);
	b64_encode(keysalt, key_size + salt_size, b64);
	OPENSSL_cleanse(keysalt, sizeof(keysalt));
	if (sd->lifetime != 0) {
		if ((sd->lifetime & (sd->lifetime - 1)) == 0)
			o = (size_t)snprintf(extra, sizeof(extra), "|2^%d",
					     __builtin_ctzll(sd->lifetime));
		else
			o = (size_t)snprintf(extra, sizeof(extra), "|%" PRIu64, sd->lifetime);
	}
	if (sd->mki_size > 0)
		snprintf(extra + o, sizeof(extra) - o, "|%" PRIu32 ":%u", sd->mki, sd->mki_size);
	n = snprintf(buf, size, "%" PRIu32 " %s inline:%s%s", sd->tag,
		     wrtc_srtp_suite_name(sd->suite), b64, extra);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			OPENSSL_cleanse(buf, size);
		return -ENOSPC;
	}
	return n;
}

int
wrtc_srtp_sdes_generate(struct wrtc_srtp_sdes *sd, uint32_t tag, enum wrtc_srtp_suite suite)
{
	size_t key_size = wrtc_srtp_suite_key_size(suite);

	if (sd == NULL || key_size == 0 || tag == 0 || tag > 999999999)
		return -EINVAL;
	memset(sd, 0, sizeof(*sd));
	sd->tag = tag;
	sd->suite = suite;
	if (RAND_bytes(sd->master_key, (int)key_size) != 1 ||
	    RAND_bytes(sd->master_salt, (int)wrtc_srtp_suite_salt_size(suite)) != 1) {
		OPENSSL_cleanse(sd, sizeof(*sd));
		return -EIO;
	}
	return 0;
}

void
wrtc_srtp_sdes_to_prm(const struct wrtc_srtp_sdes *sd, struct wrtc_srtp_prm *prm)
{
	memset(prm, 0, sizeof(*prm));
	prm->suite = sd->suite;
	memcpy(prm->master_key, sd->master_key, sizeof(prm->master_key));
	memcpy(prm->master_salt, sd->master_salt, sizeof(prm->master_salt));
	prm->mki = sd->mki;
	prm->mki_size = sd->mki_size;
}
